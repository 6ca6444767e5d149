"""A calibrated simulator of the raw IODP LILY tables (GRA, MS, NGR and RGB ``*_DataLITH.csv``).

The default data source of the workflow: it writes the four tables in LILY's exact layout and
quirks, with lithologies, coverage and physical properties calibrated on the real LILY figures
packaged in ``lithoflow/data`` (see ``PROVENANCE.md`` there).

``simulate_lily(out_dir, scale, seed)`` is the entry point; the same scale and seed give
byte-identical files. With ``injection`` (an ``InjectionConfig``) it also lays known anomalous
intervals into the six-feature holes and writes their truth table to ``truth_path``
(``lithoflow.simulate.injection``).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from lithoflow.core.io import write_csv
from lithoflow.simulate.calibration import load_calibration
from lithoflow.simulate.injection import (
    InjectionConfig,
    hole_injection,
    plan_injection,
    truth_table,
)
from lithoflow.simulate.plan import PlanConfig, World, build_world
from lithoflow.simulate.properties import PropertyNoise
from lithoflow.simulate.scales import SCALES, scale_spec, select_windows
from lithoflow.simulate.tables import (
    FILE_NAMES,
    TABLES,
    BackgroundWriter,
    hole_tables,
    lily_writers,
)

__all__ = [
    "FILE_NAMES",
    "SCALES",
    "TABLES",
    "InjectionConfig",
    "PlanConfig",
    "PropertyNoise",
    "World",
    "build_world",
    "remove_stale_temporaries",
    "simulate_lily",
]

logger = logging.getLogger(__name__)


def remove_stale_temporaries(out_dir: Path) -> list[Path]:
    """Delete the hidden temporary files of the simulator's tables in `out_dir`; return them.

    A run killed mid-write (SIGKILL, out of memory, cluster time limit) cannot clean up its
    ``.<file>.<random>.tmp`` files, and ``snakemake --unlock`` does not know them.
    """
    removed = []
    for name in FILE_NAMES.values():
        for stale in sorted(out_dir.glob(f".{name}.*.tmp")):
            stale.unlink(missing_ok=True)
            removed.append(stale)
            logger.info("removed %s, left by an interrupted run", stale)
    return removed


def simulate_lily(
    out_dir: str | Path,
    scale: str = "small",
    seed: int = 42,
    plan_config: PlanConfig | None = None,
    noise: PropertyNoise | None = None,
    injection: InjectionConfig | None = None,
    truth_path: str | Path | None = None,
) -> dict[str, Path]:
    """Write GRA/MS/NGR/RGB ``*_DataLITH.csv`` into `out_dir`; return {table: path}.

    With `injection`, its intervals are injected and their truth table is written to
    `truth_path` (required then; the table is empty when the count is 0).

    Files appear atomically (all rows are written to temporary files first). Rows are generated
    and written hole by hole, so memory stays small even at full scale. Temporary files a killed
    earlier run left behind (hidden ``.<file>.*.tmp``) are removed first.
    """
    spec = scale_spec(scale)
    out_dir = Path(out_dir)
    remove_stale_temporaries(out_dir)
    noise = noise or PropertyNoise()
    started = time.perf_counter()
    if injection is not None and truth_path is None:
        raise ValueError("simulate_lily: an injection needs a truth_path")
    facts = load_calibration()
    world = build_world(facts, seed, plan_config)
    windows = select_windows(world, spec, seed)
    injected = plan_injection(world, facts, windows, injection, seed) if injection else []
    anomaly_seed = seed if injection is None or injection.seed is None else injection.seed
    logger.info(
        "simulating %d of %d holes at scale %r (seed %d); world planned in %.1f s",
        len(windows),
        len(world.holes),
        scale,
        seed,
        time.perf_counter() - started,
    )
    rows = dict.fromkeys(TABLES, 0)
    with lily_writers(out_dir) as writers, BackgroundWriter() as background:
        for i, window in enumerate(windows):
            changes = hole_injection(world, window.plan, injected, noise, anomaly_seed)
            for table, frame in hole_tables(world, window, seed, noise, changes).items():
                if frame is not None:
                    background.submit(writers[table], frame)
                    rows[table] += frame.num_rows
            if (i + 1) % 50 == 0:
                logger.info("%d/%d holes written", i + 1, len(windows))
    for table in TABLES:
        logger.info("%s: %d rows -> %s", table, rows[table], out_dir / FILE_NAMES[table])
    if injection is not None:
        truth = truth_table(world, injected)
        write_csv(truth_path, truth)
        logger.info(
            "%d anomalous intervals injected (%s) -> %s",
            len(truth),
            ", ".join(f"{k}: {n}" for k, n in truth["kind"].value_counts().sort_index().items())
            or "none",
            truth_path,
        )
    logger.info("simulation finished in %.1f s", time.perf_counter() - started)
    return {table: out_dir / FILE_NAMES[table] for table in TABLES}
