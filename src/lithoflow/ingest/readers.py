"""Readers of raw borehole tables: only the needed columns, strings as integer codes early.

LILY ``*_DataLITH.csv`` tables and tidy CSV/Parquet tables are read with pyarrow (multithreaded
CSV reader, dictionary-encoded strings), then turned into `RawRows`: a borehole code, depth, label
code and measurement values per row, with the names behind the codes sorted so that code order is
name order.
Bad input raises `InputDataError` naming the file, the column and example rows.

Compressed CSVs are read when their name says so: ``.gz``, ``.bz2``, ``.zst``, ``.lz4`` (pyarrow
picks the codec from the suffix). A compressed file with another name (a gzip file named
``.csv``), an unsupported codec (``.xz``, ``.zip``) and a truncated or corrupt stream raise
`InputDataError` naming the file.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from lithoflow.core.errors import InputDataError, format_list

log = logging.getLogger(__name__)

_DICT_STRING = pa.dictionary(pa.int32(), pa.string())
_CSV_BLOCK_BYTES = 4 << 20  # bigger blocks cost memory and gain little speed
_PARQUET_SUFFIXES = (".parquet", ".pq")
# Leading bytes of compressed files -> (format, the suffixes pyarrow reads it from, or () if none).
_COMPRESSION_MAGIC: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"\x1f\x8b", "gzip", (".gz", ".gzip")),
    (b"BZh", "bzip2", (".bz2",)),
    (b"\x28\xb5\x2f\xfd", "zstd", (".zst", ".zstd")),
    (b"\x04\x22\x4d\x18", "lz4", (".lz4",)),
    (b"\xfd7zXZ\x00", "xz", ()),
    (b"PK\x03\x04", "zip", ()),
)
SUPPORTED_COMPRESSION = ".gz, .bz2, .zst or .lz4"
_COMPRESSED_SUFFIXES = tuple(suffix for _, _, suffixes in _COMPRESSION_MAGIC for suffix in suffixes)


@dataclass(frozen=True)
class RawRows:
    """Raw rows of one table, as codes and arrays. Code -1 marks a missing id or label.

    Borehole codes index `borehole_ids` (sorted), label codes index `label_names` (sorted).
    """

    path: str
    borehole_code: np.ndarray  # int per row
    borehole_ids: np.ndarray  # str per borehole, sorted
    exp: np.ndarray  # str per borehole
    site: np.ndarray  # str per borehole
    hole: np.ndarray  # str per borehole
    depth_m: np.ndarray  # float64 per row (NaN where missing)
    label_code: np.ndarray  # int per row
    label_names: np.ndarray  # str per label, sorted
    values: np.ndarray  # float64, rows x value columns (NaN where missing)
    value_columns: tuple[str, ...]  # raw column names, in `values` order
    depth_column: str = "depth"  # raw column names, for messages
    label_column: str = "label"
    # Extra named row filters applied after the missing-value checks (e.g. a LAS confidence curve).
    row_filters: tuple[tuple[str, np.ndarray], ...] = ()
    # Per-borehole source reports (e.g. one per LAS file), in borehole code order; may be empty.
    sources: tuple[dict, ...] = ()

    @property
    def n_rows(self) -> int:
        return len(self.depth_m)

    def example_rows(self, mask: np.ndarray, limit: int = 5) -> pd.DataFrame:
        """The first `limit` rows where `mask` holds, decoded, with their line in the file."""
        rows = np.flatnonzero(mask)[:limit]
        return self.decode(rows)

    def decode(self, rows: np.ndarray) -> pd.DataFrame:
        """Rows `rows` as a readable frame: `line` (the 1-based line of a CSV with one header
        line), or `row` (the 1-based row of a Parquet file, which has no lines)."""
        if self.sources:  # one file per borehole (LAS): the data row within its file
            starts = np.searchsorted(self.borehole_code, self.borehole_code[rows], side="left")
            where = {"data_row": rows - starts + 1}
        elif is_parquet(self.path):
            where = {"row": rows + 1}
        else:
            where = {"line": rows + 2}
        frame = pd.DataFrame(
            {
                **where,
                "borehole_id": _names(self.borehole_ids, self.borehole_code[rows]),
                self.depth_column: self.depth_m[rows],
                self.label_column: _names(self.label_names, self.label_code[rows]),
            }
        )
        for j, column in enumerate(self.value_columns):
            frame[column] = self.values[rows, j]
        return frame


def _names(names: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Names behind codes, None for code -1."""
    return np.append(np.asarray(names, dtype=object), None)[codes]


def is_parquet(path: str | os.PathLike[str]) -> bool:
    """Whether `path` names a Parquet file (by its suffix)."""
    return str(path).lower().endswith(_PARQUET_SUFFIXES)


def check_exists(path: str | os.PathLike[str]) -> None:
    """Raise InputDataError if `path` is not a readable file."""
    if not Path(path).is_file():
        raise InputDataError(
            "input file not found (check data.lily_dir / data.table.path)", path=str(path)
        )


def check_compression(path: str | os.PathLike[str]) -> None:
    """Raise InputDataError if the file is compressed in a way its name does not announce.

    pyarrow decompresses by file suffix; a gzip file named ``.csv`` would otherwise be parsed as
    text and fail with a bare UnicodeDecodeError.
    """
    with open(path, "rb") as handle:
        start = handle.read(8)
    name = str(path).lower()
    for magic, kind, suffixes in _COMPRESSION_MAGIC:
        if start.startswith(magic):
            if not suffixes:
                raise InputDataError(
                    f"the file is {kind}-compressed, which cannot be read; decompress it, or "
                    f"compress it as {SUPPORTED_COMPRESSION}",
                    path=str(path),
                )
            if not name.endswith(suffixes):
                raise InputDataError(
                    f"the file is {kind}-compressed but its name does not end in "
                    f"{' or '.join(suffixes)}; rename it (e.g. to {Path(path).name}{suffixes[0]})",
                    path=str(path),
                )
            return


def warn_if_unterminated(path: str | os.PathLike[str], tail_bytes: int = 4096) -> bool:
    """Warn (and return True) if an uncompressed text file does not end with a newline.

    Writers end every line; a file whose last line has none was often cut while being copied,
    and its last number may be cut too (18.6081 read as 18.6) with nothing else to show it.
    Compressed files are left to their decompressor, which notices a cut stream.
    """
    if str(path).lower().endswith(_COMPRESSED_SUFFIXES):
        return False
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        if size == 0:
            return False
        handle.seek(max(0, size - tail_bytes))
        tail = handle.read()
    if tail.endswith(b"\n"):
        return False
    last = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    log.warning(
        "%s: the file does not end with a newline; its last line may have been cut while the "
        "file was copied (check its last value against the source): %r",
        path,
        last[-200:],
    )
    return True


def _decompression_error(path: str, error: Exception) -> InputDataError:
    return InputDataError(
        f"cannot read the compressed file (truncated or corrupt?): {error}", path=path
    )


def csv_header(path: str | os.PathLike[str]) -> list[str]:
    """Column names on the first line of a (possibly compressed) CSV file."""
    try:
        with pa.input_stream(str(path)) as stream:
            head = b""
            while b"\n" not in head:
                chunk = stream.read(1 << 16)
                if not chunk:
                    break
                head += chunk
    except OSError as error:
        raise _decompression_error(str(path), error) from error
    try:
        line = head.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError as error:
        raise InputDataError(
            f"the header line is not UTF-8 text ({error.reason} at byte {error.start})",
            path=str(path),
        ) from error
    if not line:
        raise InputDataError("the file is empty (no header line)", path=str(path))
    return next(csv.reader([line]))


def _first_rows(path: str | os.PathLike[str], limit: int = 3) -> pd.DataFrame:
    """The first rows of a table, for error messages."""
    try:
        if is_parquet(path):
            return pq.read_table(str(path)).slice(0, limit).to_pandas()
        return pd.read_csv(path, nrows=limit, dtype=str)
    except Exception:  # only for messages: never mask the real error
        return pd.DataFrame()


def check_columns(
    path: str | os.PathLike[str], available: Sequence[str], needed: Sequence[str]
) -> None:
    """Raise InputDataError naming the missing columns (and showing the first rows) if any."""
    missing = [name for name in needed if name not in set(available)]
    if missing:
        raise InputDataError(
            f"missing column(s) {format_list(missing)}; the file has {format_list(available, 40)}",
            path=str(path),
            column=missing[0],
            examples=_first_rows(path),
        )


def _non_numeric_rows(
    path: str, text: pd.Series, context: pd.DataFrame | None, column: str
) -> InputDataError | None:
    """An InputDataError listing the rows whose `column` text is not a number (None if all are)."""
    parsed = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & parsed.isna()
    if not bad.any():
        return None
    # a CSV's 1-based line (after its header line); a Parquet file has rows, not lines
    where = {"row": 1} if is_parquet(path) else {"line": 2}
    ((label, offset),) = where.items()
    examples = pd.DataFrame({label: np.flatnonzero(bad.to_numpy()) + offset})
    if context is not None:
        for name in context.columns:
            examples[name] = context[name].to_numpy()[bad.to_numpy()]
    examples[column] = text[bad].to_numpy()
    values = format_list(pd.unique(text[bad]), 5)
    return InputDataError(
        f"{int(bad.sum())} non-numeric value(s) in a numeric column, e.g. {values}",
        path=path,
        column=column,
        examples=examples,
    )


def read_csv_columns(
    path: str | os.PathLike[str],
    string_columns: Sequence[str],
    numeric_columns: Sequence[str],
    *,
    use_threads: bool = True,
) -> pa.Table:
    """Read only the named columns of a CSV: strings dictionary-encoded, numbers as float64.

    Empty cells and the usual NA spellings become nulls. Extra columns are never parsed into
    values, so mixed-type columns elsewhere in the file (Sect "CC", Prefix, comments) do not matter.
    """
    path = str(path)
    check_exists(path)
    check_compression(path)
    header = csv_header(path)
    warn_if_unterminated(path)
    needed = list(dict.fromkeys([*string_columns, *numeric_columns]))
    check_columns(path, header, needed)
    types = {name: _DICT_STRING for name in string_columns}
    types.update({name: pa.float64() for name in numeric_columns})
    convert = pa_csv.ConvertOptions(
        include_columns=needed, column_types=types, strings_can_be_null=True
    )
    read = pa_csv.ReadOptions(use_threads=use_threads, block_size=_CSV_BLOCK_BYTES)
    try:
        table = pa_csv.read_csv(path, read_options=read, convert_options=convert)
    except pa.ArrowInvalid as error:
        raise _diagnose_csv(path, string_columns, numeric_columns, error) from error
    except OSError as error:  # pyarrow's decompressors: truncated or corrupt stream
        raise _decompression_error(path, error) from error
    table = table.unify_dictionaries()
    _release_arrow_memory()  # the parser's buffers: often as large as the table itself
    return table


def _diagnose_csv(
    path: str, string_columns: Sequence[str], numeric_columns: Sequence[str], error: Exception
) -> InputDataError:
    """Find the column and rows behind a CSV conversion error."""
    if "UTF8" in str(error) or "UTF-8" in str(error):
        return _invalid_utf8(path, [*string_columns, *numeric_columns], error)
    try:
        text = pd.read_csv(
            path, usecols=list(dict.fromkeys([*string_columns, *numeric_columns])), dtype=str
        )
    except Exception:  # unreadable even as text: report pyarrow's message
        return InputDataError(f"cannot parse the CSV: {error}", path=path)
    context = text[list(string_columns)]
    for column in numeric_columns:
        found = _non_numeric_rows(path, text[column], context, column)
        if found is not None:
            return found
    return InputDataError(f"cannot parse the CSV: {error}", path=path)


def _byte_lines(stream: pa.NativeFile) -> Iterator[bytes]:
    """The lines of a binary stream (without their line ends), read in blocks."""
    rest = b""
    while chunk := stream.read(1 << 20):
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest


def _invalid_utf8(
    path: str, needed: Sequence[str], error: Exception, limit: int = 5
) -> InputDataError:
    """An InputDataError naming the column(s) and lines whose bytes are not UTF-8 text.

    Scans the (decompressed) file line by line; lines count from 1 with the header as line 1.
    """
    header: list[str] = []
    examples = []
    bad_columns: list[str] = []
    with pa.input_stream(path) as stream:
        for number, raw in enumerate(_byte_lines(stream), start=1):
            try:
                raw.decode("utf-8")
                if number == 1:
                    header = next(csv.reader([raw.decode("utf-8-sig").rstrip("\r\n")]))
                continue
            except UnicodeDecodeError:
                pass
            # latin-1 maps every byte to one character, so the fields split as in the file.
            fields = next(csv.reader([raw.decode("latin-1").rstrip("\r\n")]))
            for position, field in enumerate(fields):
                try:
                    field.encode("latin-1").decode("utf-8")
                except UnicodeDecodeError:
                    column = header[position] if position < len(header) else f"#{position + 1}"
                    examples.append(
                        {"line": number, "column": column, "raw bytes": field.encode("latin-1")}
                    )
                    if column not in bad_columns:
                        bad_columns.append(column)
            if len(examples) >= limit:
                break
    if not examples:
        return InputDataError(f"cannot parse the CSV: {error}", path=path)
    in_use = [c for c in bad_columns if c in needed] or bad_columns
    lines = format_list(sorted({e["line"] for e in examples}))
    return InputDataError(
        f"bytes that are not UTF-8 text in column(s) {format_list(in_use)}, line(s) {lines} "
        "(line 1 is the header); re-save the file as UTF-8",
        path=path,
        column=in_use[0],
        examples=pd.DataFrame([e for e in examples if e["column"] in in_use]),
    )


def read_parquet_columns(
    path: str | os.PathLike[str],
    string_columns: Sequence[str],
    numeric_columns: Sequence[str],
) -> pa.Table:
    """Read only the named Parquet columns: strings dictionary-encoded, numbers as float64."""
    path = str(path)
    check_exists(path)
    schema = pq.read_schema(path)
    needed = list(dict.fromkeys([*string_columns, *numeric_columns]))
    check_columns(path, schema.names, needed)
    table = pq.read_table(path, columns=needed)
    columns = {}
    for name in string_columns:
        column = table.column(name)
        if not pa.types.is_dictionary(column.type):
            column = pc.cast(column, pa.string()).dictionary_encode()
        else:
            column = pc.cast(column, _DICT_STRING)
        columns[name] = column
    for name in numeric_columns:
        column = table.column(name)
        try:
            columns[name] = pc.cast(column, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            text = pd.Series(pc.cast(column, pa.string()).to_pylist(), dtype=object)
            context = pd.DataFrame(
                {s: pc.cast(table.column(s), pa.string()).to_pylist() for s in string_columns}
            )
            found = _non_numeric_rows(path, text, context, name)
            raise (
                found
                or InputDataError(f"cannot convert to numbers: {error}", path=path, column=name)
            ) from error
    return pa.table(columns).unify_dictionaries()


def _release_arrow_memory() -> None:
    """Hand the memory pyarrow's pool keeps cached after a read back to the system.

    The rows go on in numpy arrays, which cannot reuse pyarrow's cached blocks: lower peak RSS.
    """
    pa.default_memory_pool().release_unused()


def _dictionary_codes(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Row codes (-1 for null) and the dictionary of a unified dictionary column."""
    if column.num_chunks == 0:
        return np.zeros(0, dtype=np.int64), []
    dictionary = column.chunks[0].dictionary.to_pylist()
    indices = pa.chunked_array([chunk.indices for chunk in column.chunks], type=pa.int32())
    codes = pc.fill_null(indices, -1).to_numpy()
    return codes, dictionary


def _sorted_recode(codes: np.ndarray, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Recode `codes` (indices into `names`, -1 missing) so code order is sorted name order.

    Equal names (possible after a cast) share one code.
    """
    sorted_names, rank = np.unique(np.asarray(list(names), dtype=object), return_inverse=True)
    lookup = np.append(rank.astype(np.int32), -1)  # index -1 -> last entry -> -1
    return lookup[codes], sorted_names


def _float_columns(table: pa.Table, names: Sequence[str]) -> np.ndarray:
    """Columns of `table` as one float64 array (rows x columns), NaN for nulls."""
    out = np.empty((table.num_rows, len(names)), dtype=np.float64, order="F")
    for j, name in enumerate(names):
        out[:, j] = table.column(name).to_numpy()  # nulls become NaN for float64
    return out


def _combine_codes(
    parts: Sequence[np.ndarray], sizes: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Dense rank of the combination of several code columns (-1 anywhere -> -1).

    Returns the per-row rank and, per rank, the combined key (decode with `sizes`).
    """
    n_rows = len(parts[0])
    valid = np.ones(n_rows, dtype=bool)
    key = np.zeros(n_rows, dtype=np.int64)
    for codes, size in zip(parts, sizes, strict=True):
        valid &= codes >= 0
        key = key * max(size, 1) + np.maximum(codes, 0)
    cells = int(np.prod([max(size, 1) for size in sizes], dtype=np.float64))
    rank = np.full(n_rows, -1, dtype=np.int64)
    if cells <= max(2 * n_rows, 1 << 22):
        # Small key space (the usual case): one bincount instead of a sort.
        present = np.bincount(key[valid], minlength=cells) > 0
        keys = np.flatnonzero(present)
        rank[valid] = (np.cumsum(present) - 1)[key[valid]]
        return rank, keys
    keys, inverse = np.unique(key[valid], return_inverse=True)
    rank[valid] = inverse
    return rank, keys


def lily_rows(
    table: pa.Table,
    path: str,
    *,
    exp: str,
    site: str,
    hole: str,
    depth: str,
    label: str,
    value_columns: Sequence[str],
) -> RawRows:
    """Turn LILY columns into `RawRows`; borehole id = "Exp-Site-Hole" of the parts as strings."""
    part_codes = []
    part_names = []
    for name in (exp, site, hole):
        codes, names = _dictionary_codes(table.column(name))
        part_codes.append(codes)
        part_names.append(names)
    sizes = [len(names) for names in part_names]
    triple_rank, triple_keys = _combine_codes(part_codes, sizes)
    hole_code = triple_keys % max(sizes[2], 1)
    site_code = (triple_keys // max(sizes[2], 1)) % max(sizes[1], 1)
    exp_code = triple_keys // (max(sizes[2], 1) * max(sizes[1], 1))
    exp_names = np.asarray(part_names[0], dtype=object)[exp_code]
    site_names = np.asarray(part_names[1], dtype=object)[site_code]
    hole_names = np.asarray(part_names[2], dtype=object)[hole_code]
    ids = [f"{e}-{s}-{h}" for e, s, h in zip(exp_names, site_names, hole_names, strict=True)]
    # Distinct parts could spell the same id; group by the id string, as the investigation did.
    borehole_ids, first, triple_to_borehole = np.unique(
        np.asarray(ids, dtype=object), return_index=True, return_inverse=True
    )
    lookup = np.append(triple_to_borehole.astype(np.int64), -1)
    label_codes, label_dictionary = _dictionary_codes(table.column(label))
    label_code, label_names = _sorted_recode(label_codes, label_dictionary)
    return RawRows(
        path=path,
        borehole_code=lookup[triple_rank],
        borehole_ids=np.asarray(borehole_ids, dtype=object),
        exp=exp_names[first],
        site=site_names[first],
        hole=hole_names[first],
        depth_m=table.column(depth).to_numpy().astype(np.float64, copy=False),
        label_code=label_code,
        label_names=label_names,
        values=_float_columns(table, value_columns),
        value_columns=tuple(value_columns),
        depth_column=depth,
        label_column=label,
    )


def split_borehole_id(borehole_id: str) -> tuple[str, str, str]:
    """(exp, site, hole) from an "Exp-Site-Hole" id; empty strings when the id has another shape."""
    parts = str(borehole_id).split("-")
    if len(parts) == 3 and all(parts):
        return parts[0], parts[1], parts[2]
    return "", "", ""


def tidy_rows(
    table: pa.Table,
    path: str,
    *,
    borehole: str,
    depth: str,
    label: str,
    value_columns: Sequence[str],
) -> RawRows:
    """Turn a tidy table's columns into `RawRows`; exp/site/hole come from splitting the id."""
    borehole_codes, borehole_dictionary = _dictionary_codes(table.column(borehole))
    borehole_code, borehole_ids = _sorted_recode(borehole_codes, borehole_dictionary)
    parts = [split_borehole_id(b) for b in borehole_ids]
    label_codes, label_dictionary = _dictionary_codes(table.column(label))
    label_code, label_names = _sorted_recode(label_codes, label_dictionary)
    return RawRows(
        path=path,
        borehole_code=borehole_code,
        borehole_ids=np.asarray(borehole_ids, dtype=object),
        exp=np.asarray([p[0] for p in parts], dtype=object),
        site=np.asarray([p[1] for p in parts], dtype=object),
        hole=np.asarray([p[2] for p in parts], dtype=object),
        depth_m=table.column(depth).to_numpy().astype(np.float64, copy=False),
        label_code=label_code,
        label_names=label_names,
        values=_float_columns(table, value_columns),
        value_columns=tuple(value_columns),
        depth_column=depth,
        label_column=label,
    )


def read_lily_table(
    path: str | os.PathLike[str],
    *,
    exp: str,
    site: str,
    hole: str,
    depth: str,
    label: str,
    value_columns: Sequence[str],
    use_threads: bool = True,
) -> RawRows:
    """Read a LILY ``*_DataLITH.csv`` table's id, depth, label and `value_columns`."""
    table = read_csv_columns(
        path, [exp, site, hole, label], [depth, *value_columns], use_threads=use_threads
    )
    rows = lily_rows(
        table,
        str(path),
        exp=exp,
        site=site,
        hole=hole,
        depth=depth,
        label=label,
        value_columns=value_columns,
    )
    del table
    _release_arrow_memory()
    return rows


def read_tidy_table(
    path: str | os.PathLike[str],
    *,
    borehole: str,
    depth: str,
    label: str,
    value_columns: Sequence[str],
    use_threads: bool = True,
) -> RawRows:
    """Read a tidy CSV or Parquet table (one row per measurement depth)."""
    strings = [borehole, label]
    numbers = [depth, *value_columns]
    if is_parquet(path):
        table = read_parquet_columns(path, strings, numbers)
    else:
        table = read_csv_columns(path, strings, numbers, use_threads=use_threads)
    rows = tidy_rows(
        table, str(path), borehole=borehole, depth=depth, label=label, value_columns=value_columns
    )
    del table
    _release_arrow_memory()
    return rows
