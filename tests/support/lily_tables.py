"""Builders of small hand-made LILY-schema CSVs for the ingestion tests.

The GRA header is LILY's 32-column layout (docs/calibration.md §1.1); the other tables put their
measurement column(s) where GRA has ``Bulk density (GRA)``. Rows carry the real files' quirks:
Exp "368X" next to integers, Sect "CC", empty A/W, blank Prefix/Suffix, sparse comments.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

GRA_HEADER: tuple[str, ...] = (
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
    "Bulk density (GRA)",
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

MEASUREMENTS: dict[str, tuple[str, ...]] = {
    "GRA": ("Bulk density (GRA)",),
    "MS": ("Magnetic susceptibility (instr. units)",),
    "NGR": ("NGR total counts (cps)", "Error (cps)"),
    "RGB": ("R", "G", "B"),
}

FILES = {name: f"{name}_DataLITH.csv" for name in MEASUREMENTS}


def lily_header(table: str) -> list[str]:
    """The LILY header of `table`: GRA's layout with this table's measurement columns."""
    position = GRA_HEADER.index("Bulk density (GRA)")
    return [*GRA_HEADER[:position], *MEASUREMENTS[table], *GRA_HEADER[position + 1 :]]


def write_lily_csv(
    path: Path,
    table: str,
    rows: Sequence[tuple],
    *,
    header: Sequence[str] | None = None,
) -> Path:
    """Write rows (exp, site, hole, depth_m, principal, *measurements) as a LILY-schema CSV.

    Use None for an empty cell. Measurement values are written as given (strings allowed, to
    build bad input).
    """
    columns = list(header) if header is not None else lily_header(table)
    n_values = len(MEASUREMENTS[table])
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i, (exp, site, hole, depth_m, principal, *values) in enumerate(rows):
            values = list(values) + [None] * (n_values - len(values))
            record = {
                "Exp": exp,
                "Site": site,
                "Hole": hole,
                "Core": 1 + i // 40,
                "Type": "H" if i % 2 else "R",
                "Sect": "CC" if i % 7 == 6 else str(1 + (i // 6) % 6),
                "A/W": None if table in ("GRA", "MS", "NGR") else "A",
                "Offset (cm)": 2.5 * (i % 60),
                "Depth CSF-A (m)": depth_m,
                "Depth CSF-B (m)": None if depth_m is None else depth_m,
                "Timestamp (UTC)": "2016-01-01 00:00:00",
                "Instrument": "WRMSL",
                "Instrument group": "WRMSL",
                "Text ID": f"SECT{i}",
                "Test No.": 10_000_000 + i,
                "Comments": "disturbed, see notes" if i % 11 == 3 else None,
                "Sample comments": None,
                "Test comments": None,
                "Result comments": "ok" if i % 13 == 5 else None,
                "Prefix": "nannofossil-rich" if i % 5 == 0 else None,
                "Principal": principal,
                "Suffix": "with foraminifera" if i % 9 == 0 else None,
                "Full Lithology": principal,
                "Simplified Lithology": principal,
                "Lithology Type": "sedimentary",
                "Degree of Consolidation": "unconsolidated",
                "Lithology Subtype": "clastic",
                "Expanded Core Type": "APC",
                "Latitude (DD)": -12.5,
                "Longitude (DD)": 120.25,
                "Water Depth (mbsl)": 3729.04,
            }
            for name, value in zip(MEASUREMENTS[table], values, strict=True):
                record[name] = value
            writer.writerow(["" if record.get(c) is None else record.get(c) for c in columns])
    return path


def lily_config(lily_dir: Path | str) -> dict:
    """The `data` and `ingest` sections of the default config, pointed at `lily_dir`."""
    return {
        "data": {"source": "lily", "lily_dir": str(lily_dir)},
        "ingest": {
            "bin_size_m": 0.2,
            "label_table": "GRA",
            "columns": {
                "exp": "Exp",
                "site": "Site",
                "hole": "Hole",
                "depth": "Depth CSF-A (m)",
                "label": "Principal",
            },
            "tables": {
                "GRA": {"file": FILES["GRA"], "features": {"GRA": "Bulk density (GRA)"}},
                "MS": {
                    "file": FILES["MS"],
                    "features": {"MS": "Magnetic susceptibility (instr. units)"},
                },
                "NGR": {"file": FILES["NGR"], "features": {"NGR": "NGR total counts (cps)"}},
                "RGB": {"file": FILES["RGB"], "features": {"R": "R", "G": "G", "B": "B"}},
            },
            "filters": {"GRA": [0.3, 4.0], "R": [0, 255], "G": [0, 255], "B": [0, 255]},
        },
    }


def small_lily_set(lily_dir: Path) -> dict[str, Path]:
    """Four hand-made LILY tables whose merged result is known (see test_ingest_workflow).

    Boreholes 363-U1482-A and 368X-U1503-A. Expected after merge (bin 0.2 m):
    - 363-U1482-A bins 0.0, 0.2, 0.4 (0.6 is GRA-only, dropped by the MS join);
    - 368X-U1503-A bin 1.0 (GRA 5.0 -> removed by the GRA filter) and bin 1.2.
    """
    lily_dir.mkdir(parents=True, exist_ok=True)
    gra = [
        ("363", "U1482", "A", 0.05, "clay", 1.5),
        ("363", "U1482", "A", 0.10, "clay", 1.7),  # 0.1 / 0.2 = 0.5 -> bin 0.0 (half to even)
        ("363", "U1482", "A", 0.25, "sand", 1.9),
        ("363", "U1482", "A", 0.25, "clay", 1.9),  # duplicated contact row: two raw rows
        ("363", "U1482", "A", 0.30, "sand", 2.0),  # 0.3 / 0.2 = 1.4999999999999998 -> bin 0.2
        ("363", "U1482", "A", 0.50, "ooze", 1.6),  # 2.5 -> bin 0.4 (half to even)
        ("363", "U1482", "A", 0.61, "ooze", 1.6),
        ("363", "U1482", "A", None, "ooze", 1.6),  # no depth: dropped
        ("368X", "U1503", "A", 1.00, "basalt", 5.0),
        ("368X", "U1503", "A", 1.20, "basalt", 2.5),
        ("368X", "U1503", "A", 1.21, "gabbro", None),  # no measurement: dropped
    ]
    ms = [
        ("363", "U1482", "A", 0.02, "clay", 10.0),
        ("363", "U1482", "A", 0.20, "clay", 20.0),
        ("363", "U1482", "A", 0.40, "ooze", -3.0),
        ("368X", "U1503", "A", 1.00, "basalt", 400.0),
        ("368X", "U1503", "A", 1.19, "basalt", 300.0),
    ]
    ngr = [
        ("363", "U1482", "A", 0.0, "clay", 30.0, 1.0),
        ("363", "U1482", "A", 0.2, "clay", 40.0, 1.0),
        ("363", "U1482", "A", 0.4, "ooze", 5.0, 1.0),
        ("363", "U1482", "A", 0.6, "ooze", 6.0, 1.0),
        ("368X", "U1503", "A", 1.0, "basalt", 2.0, 1.0),
        ("368X", "U1503", "A", 1.2, "basalt", 3.0, 1.0),
    ]
    rgb = [
        ("363", "U1482", "A", 0.00, "clay", 40, 38, 30),
        ("363", "U1482", "A", 0.01, "clay", 42, 40, 32),
        ("363", "U1482", "A", 0.20, "sand", 50, 48, 40),
        ("363", "U1482", "A", 0.40, "ooze", 100, 98, 90),
        ("368X", "U1503", "A", 1.00, "basalt", 60, 58, 50),
        ("368X", "U1503", "A", 1.20, "basalt", 70, 68, 60),
    ]
    return {
        "GRA": write_lily_csv(lily_dir / FILES["GRA"], "GRA", gra),
        "MS": write_lily_csv(lily_dir / FILES["MS"], "MS", ms),
        "NGR": write_lily_csv(lily_dir / FILES["NGR"], "NGR", ngr),
        "RGB": write_lily_csv(lily_dir / FILES["RGB"], "RGB", rgb),
    }
