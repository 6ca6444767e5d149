"""LILY rows: measurement positions, duplicated contact rows, the 32-column layout, CSV writing.

Every table shares LILY's layout (docs/calibration.md §1.1): identification, depth, the table's
measurement columns, instrument and provenance, lithology text, core type and hole position. Rows
come hole by hole and are streamed to CSV through pyarrow, so memory stays bounded at full scale.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from lithoflow.core.io import atomic_path
from lithoflow.simulate.injection import HoleInjection
from lithoflow.simulate.plan import HolePlan, World
from lithoflow.simulate.properties import (
    CELL_MM,
    LatentProfile,
    PropertyNoise,
    background_class,
    latent_profile,
    measure_gra,
    measure_ms,
    measure_ngr,
    measure_rgb,
    sample,
)

TABLES = ("GRA", "MS", "NGR", "RGB")
FILE_NAMES = {t: f"{t}_DataLITH.csv" for t in TABLES}
MEASUREMENT_COLUMNS = {
    "GRA": ("Bulk density (GRA)",),
    "MS": ("Magnetic susceptibility (instr. units)",),
    "NGR": ("NGR total counts (cps)", "Error (cps)"),
    "RGB": ("R", "G", "B"),
}
LEADING_COLUMNS = (
    "Exp",
    "Site",
    "Hole",
    "Core",
    "Type",
    "Sect",
    "A/W",
    "Offset (cm)",
    "Depth CSF-A (m)",
    "Depth CSF-B (m)",
)
TRAILING_COLUMNS = (
    "Timestamp (UTC)",
    "Instrument",
    "Instrument group",
    "Text ID",
    "Test No.",
    "Comments",
    "Sample comments",
    "Test comments",
    "Result comments",
    "Prefix",
    "Principal",
    "Suffix",
    "Full Lithology",
    "Simplified Lithology",
    "Lithology Type",
    "Degree of Consolidation",
    "Lithology Subtype",
    "Expanded Core Type",
    "Latitude (DD)",
    "Longitude (DD)",
    "Water Depth (mbsl)",
)
# Instrument names are not saved anywhere in the calibration sources; these are IODP's track names.
INSTRUMENTS = {
    "GRA": ("WRMSL", "GRA"),
    "MS": ("WRMSL", "MS"),
    "NGR": ("NGRL", "NGR"),
    "RGB": ("SHIL", "RGB"),
}
TABLE_LAG_H = {"GRA": 2.0, "MS": 2.0, "NGR": 3.5, "RGB": 9.0}
ROW_DROP_RATE = {"GRA": 0.02, "MS": 0.03, "NGR": 0.01, "RGB": 0.002}
FIXED_SPACING_MM = {"NGR": 100, "RGB": 5}
RGB_EDGE_MM = 5  # the image track skips the section ends
SECTION_COMMENTS = ("void", "disturbed", "biscuited", "fall-in at top", "cracked liner")
SAMPLE_COMMENTS = ("whole-round sample taken", "IW squeeze cake removed", "top disturbed")
RESULT_COMMENTS = ("edge effect", "bad data", "liner under-filled")
KIND_INDEX = {"APC": 0, "HLAPC": 1, "XCB": 2, "RCB": 3}
# Rounding of written values (decimals).
DECIMALS = {"depth": 3, "offset": 1, "GRA": 3, "MS": 2, "NGR": 3, "RGB": 2}
STREAM_PROFILE, STREAM_ROWS = 4, 5
QUOTE, COMMA = "\x1e", "\x1f"  # placeholders for pandas-style minimal quoting


def table_columns(table: str) -> list[str]:
    """LILY column names of a table, in order (32 for GRA and MS, 33 NGR, 34 RGB)."""
    return [*LEADING_COLUMNS, *MEASUREMENT_COLUMNS[table], *TRAILING_COLUMNS]


@dataclass(frozen=True)
class HoleWindow:
    """A hole and the sections of it that become rows."""

    plan: HolePlan
    section_mask: np.ndarray  # bool per section


def _csv_text(values: Iterable[str]) -> list[str]:
    """Strings with a delimiter get placeholder quotes, restored after writing."""
    return [f"{QUOTE}{v.replace(',', COMMA)}{QUOTE}" if "," in v else v for v in values]


def _dictionary(indices: np.ndarray, values: list[str], mask: np.ndarray | None = None) -> pa.Array:
    return pa.DictionaryArray.from_arrays(
        pa.array(indices.astype(np.int32), mask=mask), pa.array(_csv_text(values), pa.string())
    )


def _floats(values: np.ndarray, decimals: int) -> pa.Array:
    rounded = np.round(values, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    mask = np.isnan(rounded)
    return pa.array(rounded, pa.float64(), mask=mask if mask.any() else None)


def _positions(
    length_mm: np.ndarray, spacing_mm: int, edge_mm: int, drop_rate: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(section index, offset mm) of every measurement: a regular grid with a few drop-outs."""
    counts = np.maximum((length_mm - edge_mm - 1) // spacing_mm, 0)
    section = np.repeat(np.arange(len(length_mm)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    offset = (np.arange(counts.sum()) - starts + 1) * spacing_mm
    keep = rng.random(len(offset)) >= drop_rate
    return section[keep], offset[keep]


def _timestamps(
    world: World, hole: int, core_idx: np.ndarray, sect_pos: np.ndarray, table: str
) -> list[str]:
    """Measurement time of each section: expedition dates, hole order, core, table lag."""
    row = world.catalogue.loc[hole]
    start = np.datetime64(row["start_date"], "s")
    end = np.datetime64(row["end_date"], "s")
    exp_holes = world.catalogue.index[world.catalogue["exp"] == row["exp"]]
    rank = int(np.searchsorted(exp_holes.to_numpy(), hole))
    duration = float((end - start) / np.timedelta64(1, "s"))
    base = duration * rank / max(len(exp_holes), 1)
    seconds = base + core_idx * 3.0 * 3600 + sect_pos * 420 + TABLE_LAG_H[table] * 3600
    seconds = np.minimum(seconds, duration + 86400 * 14)
    stamps = start + seconds.astype(np.int64).astype("timedelta64[s]")
    return [s.replace("T", " ") for s in np.datetime_as_string(stamps, unit="s")]


def _sparse_text(
    n: int, rate: float, choices: tuple[str, ...], rng: np.random.Generator
) -> tuple[np.ndarray, list[str]]:
    pick = rng.integers(0, len(choices), n)
    return np.where(rng.random(n) < rate, pick, -1), list(choices)


def hole_table(
    world: World,
    window: HoleWindow,
    table: str,
    profile: LatentProfile,
    void_intervals: np.ndarray,
    noise: PropertyNoise,
    rng: np.random.Generator,
    injection: HoleInjection | None = None,
) -> pa.Table | None:
    """The rows of one table for one hole window (None if the hole has no such rows).

    An `injection` changes the values of the rows inside its intervals only (and draws nothing
    from `rng`), so every other row is the same as without it.
    """
    plan = window.plan
    hole = plan.index
    info = world.catalogue.loc[hole]
    sections = plan.sections
    flag = {"GRA": "described", "MS": "has_ms", "NGR": "has_ngr", "RGB": "imaged"}[table]
    sec_ids = np.flatnonzero(window.section_mask & sections[flag].to_numpy())
    if len(sec_ids) == 0:
        return None
    length = sections["length_mm"].to_numpy()[sec_ids]
    spacing = FIXED_SPACING_MM.get(table, round(float(info["gra_spacing_cm"]) * 10))
    edge = RGB_EDGE_MM if table == "RGB" else 0
    local, offset = _positions(length, spacing, edge, ROW_DROP_RATE[table], rng)
    if len(offset) == 0:
        return None
    sec = sec_ids[local]
    c_mm = sections["c_top_mm"].to_numpy()[sec] + offset
    core_idx = sections["core_idx"].to_numpy()[sec]
    cores = plan.cores
    depth = sections["top_m"].to_numpy()[sec] + offset / 1000.0
    core_top = cores["top_m"].to_numpy()[core_idx]
    squeeze = np.minimum(1.0, cores["advance_m"].to_numpy() / cores["recovered_m"].to_numpy())
    depth_b = core_top + (depth - core_top) * squeeze[core_idx]

    # Lithology of each row; rows at a contact and rows of co-described intervals are duplicated.
    bounds = plan.run_bounds_mm
    run = np.searchsorted(bounds, c_mm, side="right")
    n_runs = len(plan.run_class)
    # A contact between two intervals with the same description is no contact at all.
    text = list(zip(plan.run_class.tolist(), plan.run_prefix, plan.run_suffix, strict=True))
    described_apart = np.array([False] + [text[r - 1] != text[r] for r in range(1, n_runs)])
    contact = run > 0
    contact[contact] = (bounds[run[contact] - 1] == c_mm[contact]) & described_apart[run[contact]]
    has_partner = plan.run_partner >= 0
    copies = 1 + contact.astype(np.int64) + has_partner[run].astype(np.int64)
    base = np.repeat(np.arange(len(c_mm)), copies)
    q = np.arange(len(base)) - np.repeat(np.cumsum(copies) - copies, copies)
    run_b = run[base]
    contact_b = contact[base]
    entry = np.where(contact_b & (q == 0), run_b - 1, run_b)
    partner_copy = q == 1 + contact_b.astype(np.int64)
    entry = np.where(partner_copy, n_runs + run_b, entry)

    # Measurements at the base rows, shared by their duplicates.
    def latent(name: str) -> np.ndarray:
        values = sample(getattr(profile, name), profile.c_mm, c_mm)
        return values if injection is None else injection.latent(name, c_mm, values)

    cls = plan.run_class[run]
    sig = world.signatures
    kind = cores["kind"].map(KIND_INDEX).to_numpy()[core_idx]
    values: list[np.ndarray] = []
    if table == "GRA":
        void = np.zeros(len(c_mm), dtype=bool)
        for lo, hi in void_intervals:
            void |= (c_mm >= lo) & (c_mm < hi)
        values.append(
            measure_gra(
                latent("gra"),
                c_mm,
                kind,
                sig.coring_class[cls],
                sig.fill_mean[cls],
                sig.fill_concentration[cls],
                void,
                noise,
                rng,
            )
        )
    elif table == "MS":
        values.append(measure_ms(latent("ms"), noise, rng))
    elif table == "NGR":
        counts, error = measure_ngr(latent("ngr"), noise, rng)
        values += [counts, error]
    else:
        red, green, blue = measure_rgb(
            latent("log_red"),
            latent("green"),
            latent("blue"),
            noise,
            spacing / 1000.0,
            rng,
        )
        values += [red, green, blue]
    if injection is not None:
        values = injection.corrupt(table, c_mm, values)

    n = len(base)
    vocab = world.vocab
    entry_class = np.concatenate([plan.run_class, np.maximum(plan.run_partner, 0)])
    entry_prefix = [*plan.run_prefix, *([""] * n_runs)]
    entry_suffix = [*plan.run_suffix, *([""] * n_runs)]
    names = [vocab.names[j] for j in entry_class]
    full = [
        " ".join(p for p in (pre, name, suf) if p)
        for pre, name, suf in zip(entry_prefix, names, entry_suffix, strict=True)
    ]
    consolidation = [
        "indeterminate"
        if ("/" in name or " to " in name)
        else ("consolidated" if sig.hardness[j] >= 2 else "unconsolidated")
        for name, j in zip(names, entry_class, strict=True)
    ]

    sec_b = sec[base]
    core_b = core_idx[base]
    sect_labels = sections["sect"].tolist()
    sect_pos = sections.groupby("core_idx").cumcount().to_numpy()
    stamps = _timestamps(world, hole, sections["core_idx"].to_numpy(), sect_pos, table)
    text_ids = [f"SECT{1_000_000 + hole * 3000 + k}" for k in range(len(sections))]
    exp_rank = int(world.catalogue.loc[hole, "exp_rank"])
    test_base = 23_000_000 + exp_rank * 2_000_000 + hole * 3000 * 4
    test_no = test_base + np.arange(len(sections)) * 4 + TABLES.index(table)
    comments, comment_values = _sparse_text(len(sections), 0.004, SECTION_COMMENTS, rng)
    sample_c, sample_values = _sparse_text(len(sections), 0.003, SAMPLE_COMMENTS, rng)
    result_c, result_values = _sparse_text(len(sections), 0.002, RESULT_COMMENTS, rng)
    zeros = np.zeros(n, dtype=np.int32)
    kinds = cores["kind"].tolist()
    letters = cores["letter"].tolist()
    if str(info["hlapc_type_letter"]) == "H":  # Exp 341/346 logged HLAPC cores as "H" [PAPER]
        letters = ["H" if k == "HLAPC" else x for k, x in zip(kinds, letters, strict=True)]

    columns: dict[str, pa.Array] = {
        "Exp": _dictionary(zeros, [str(info["exp"])]),
        "Site": _dictionary(zeros, [str(info["site"])]),
        "Hole": _dictionary(zeros, [str(info["hole"])]),
        "Core": pa.array(cores["core"].to_numpy()[core_b], pa.int64()),
        "Type": _dictionary(core_b, letters),
        "Sect": _dictionary(sec_b, sect_labels),
        "A/W": _dictionary(zeros, ["A"], mask=None if table == "RGB" else np.ones(n, bool)),
        "Offset (cm)": _floats(offset[base] / 10.0, DECIMALS["offset"]),
        "Depth CSF-A (m)": _floats(depth[base], DECIMALS["depth"]),
        "Depth CSF-B (m)": _floats(depth_b[base], DECIMALS["depth"]),
    }
    decimals = DECIMALS[table]
    for name, value in zip(MEASUREMENT_COLUMNS[table], values, strict=True):
        columns[name] = _floats(value[base], decimals)
    instrument, group = INSTRUMENTS[table]
    columns.update(
        {
            "Timestamp (UTC)": _dictionary(sec_b, stamps),
            "Instrument": _dictionary(zeros, [instrument]),
            "Instrument group": _dictionary(zeros, [group]),
            "Text ID": _dictionary(sec_b, text_ids),
            "Test No.": pa.array(test_no[sec_b], pa.int64()),
            "Comments": _dictionary(
                np.maximum(comments[sec_b], 0), comment_values, mask=comments[sec_b] < 0
            ),
            "Sample comments": _dictionary(
                np.maximum(sample_c[sec_b], 0), sample_values, mask=sample_c[sec_b] < 0
            ),
            "Test comments": pa.nulls(n, pa.string()),
            "Result comments": _dictionary(
                np.maximum(result_c[sec_b], 0), result_values, mask=result_c[sec_b] < 0
            ),
            "Prefix": _dictionary(entry, entry_prefix),
            "Principal": _dictionary(entry, names),
            "Suffix": _dictionary(entry, entry_suffix),
            "Full Lithology": _dictionary(entry, full),
            "Simplified Lithology": _dictionary(entry, list(vocab.simplified[entry_class])),
            "Lithology Type": _dictionary(entry, list(vocab.lithology_type[entry_class])),
            "Degree of Consolidation": _dictionary(entry, consolidation),
            "Lithology Subtype": _dictionary(entry, list(vocab.subtype[entry_class])),
            "Expanded Core Type": _dictionary(core_b, kinds),
            "Latitude (DD)": pa.array(np.full(n, float(info["latitude"]))),
            "Longitude (DD)": pa.array(np.full(n, float(info["longitude"]))),
            "Water Depth (mbsl)": pa.array(np.full(n, float(info["water_depth_m"]))),
        }
    )
    return pa.table([columns[c] for c in table_columns(table)], names=table_columns(table))


def void_intervals(plan: HolePlan, noise: PropertyNoise, rng: np.random.Generator) -> np.ndarray:
    """(n, 2) curated-mm intervals of voids / gaps in the liner."""
    sections = plan.sections
    hit = rng.random(len(sections)) < noise.void_section_rate
    lo_m, hi_m = noise.void_length_m
    lengths = (rng.uniform(lo_m, hi_m, hit.sum()) * 1000).astype(np.int64)
    sec_len = sections["length_mm"].to_numpy()[hit]
    start = sections["c_top_mm"].to_numpy()[hit] + (
        rng.random(hit.sum()) * np.maximum(sec_len - lengths, 0)
    ).astype(np.int64)
    return np.stack([start, start + lengths], axis=1)


def hole_tables(
    world: World,
    window: HoleWindow,
    seed: int,
    noise: PropertyNoise,
    injection: HoleInjection | None = None,
) -> dict[str, pa.Table | None]:
    """The four tables' rows for one hole window (same latent profile for every sensor), with
    the injected anomalies of `injection` (lithoflow.simulate.injection) when given."""
    plan = window.plan
    sections = plan.sections[window.section_mask]
    if len(sections) == 0:
        return dict.fromkeys(TABLES)
    c_lo = int(sections["c_top_mm"].min())
    c_hi = int((sections["c_top_mm"] + sections["length_mm"]).max())
    rng = np.random.default_rng([seed, STREAM_PROFILE, plan.index])
    profile = latent_profile(
        c_lo - CELL_MM,
        c_hi + CELL_MM,
        plan.run_bounds_mm,
        plan.run_class,
        plan.depth_of_c,
        world.class_depth_m,
        world.signatures,
        noise,
        rng,
        background=background_class(
            plan.run_class, plan.run_bounds_mm, plan.length_mm, world.signatures
        ),
    )
    voids = void_intervals(plan, noise, rng)
    out = {}
    for t, table in enumerate(TABLES):
        row_rng = np.random.default_rng([seed, STREAM_ROWS, plan.index, t])
        out[table] = hole_table(world, window, table, profile, voids, noise, row_rng, injection)
    return out


class _QuotingSink:
    """A binary file wrapper that turns the placeholder quotes into real CSV quoting."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.closed = False

    def write(self, data) -> int:
        raw = bytes(data)
        self._handle.write(raw.replace(COMMA.encode(), b",").replace(QUOTE.encode(), b'"'))
        return len(raw)

    def flush(self) -> None:
        self._handle.flush()

    def close(self) -> None:
        self.closed = True


@contextlib.contextmanager
def lily_writers(out_dir: Path) -> Iterator[dict[str, BinaryIO]]:
    """Open the four CSV files with their headers; they are renamed into place (atomically)
    only if everything succeeds."""
    with contextlib.ExitStack() as stack:
        handles: dict[str, BinaryIO] = {}
        for table in TABLES:
            tmp = stack.enter_context(atomic_path(out_dir / FILE_NAMES[table]))
            handle = stack.enter_context(open(tmp, "wb"))
            handle.write((",".join(table_columns(table)) + "\n").encode())
            handles[table] = handle
        yield handles
        for handle in handles.values():
            handle.flush()
            os.fsync(handle.fileno())


def write_rows(handle: BinaryIO, rows: pa.Table, options: pacsv.WriteOptions | None = None) -> None:
    """Append a table's rows (no header) to an open CSV file, pandas-style minimal quoting."""
    options = options or pacsv.WriteOptions(include_header=False, quoting_style="none")
    sink = pa.PythonFile(_QuotingSink(handle), mode="w")
    pacsv.write_csv(rows, sink, options)


class BackgroundWriter:
    """`write_rows` on one worker thread, so formatting CSV overlaps generating the next hole.

    Arrow formats the rows without holding the GIL, so a second core does the writing. One worker
    keeps every file's rows in submission order (the files are byte-identical to writing in the
    main thread). At most `max_pending` tables wait, which bounds memory; the first write error
    is raised in the caller, at the next `submit` or at `close`.
    """

    def __init__(self, max_pending: int = 16) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="csv-writer")
        self._pending: deque[Future[None]] = deque()
        self._max_pending = max_pending

    def submit(self, handle: BinaryIO, rows: pa.Table) -> None:
        while len(self._pending) >= self._max_pending:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(write_rows, handle, rows))

    def close(self) -> None:
        """Wait for every write; raise the first error."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
