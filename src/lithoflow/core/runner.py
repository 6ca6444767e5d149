"""`python -m lithoflow`: run the workflow, recovering from a killed earlier run.

A run killed with SIGKILL (or by a power cut) leaves Snakemake's lock in `.snakemake/locks`, so a
plain rerun refuses to start. This runner removes such a stale lock, but only when no other
Snakemake process is working in the same folder, then starts Snakemake with the arguments given.
Incomplete outputs are rebuilt by the default profile's `rerun-incomplete`, interrupted training
resumes from its last completed epoch, and temporary files left by the atomic writers are removed.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

logger = logging.getLogger("lithoflow.core.runner")

SNAKEFILE = Path(__file__).resolve().parents[3] / "Snakefile"


def snakemake_processes_in(workdir: Path, proc: Path = Path("/proc")) -> list[int]:
    """Pids of other running Snakemake processes whose working folder is `workdir` (Linux)."""
    found = []
    target = workdir.resolve()
    for entry in proc.iterdir() if proc.is_dir() else []:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = Path(os.readlink(entry / "cwd")).resolve()
        except OSError:
            continue
        if "snakemake" in cmdline and cwd == target:
            found.append(int(entry.name))
    return found


def stale_temporaries(results_dir: Path) -> list[Path]:
    """Temporary files of lithoflow's atomic writers (".<name>.<random>.tmp") under results/."""
    if not results_dir.is_dir():
        return []
    return sorted(p for p in results_dir.rglob(".*.tmp") if p.is_file())


def recover(workdir: Path, snakemake: Sequence[str]) -> None:
    """Clear a stale lock and leftover temporaries of a killed run, if no run is active."""
    locks = workdir / ".snakemake" / "locks"
    has_lock = locks.is_dir() and any(locks.iterdir())
    temporaries = stale_temporaries(workdir / "results")
    if not has_lock and not temporaries:
        return
    if not Path("/proc").is_dir():
        logger.warning("cannot check for other Snakemake runs here; leaving any lock in place")
        return
    active = snakemake_processes_in(workdir)
    if active:
        raise SystemExit(
            f"another Snakemake run is active in {workdir} (pids {active}); wait for it to finish"
        )
    for path in temporaries:
        logger.info("removing a temporary file left by a killed run: %s", path)
        path.unlink()
    if has_lock:
        logger.info("removing the stale lock of a killed run (no Snakemake process is active)")
        subprocess.run([*snakemake, "--unlock"], cwd=workdir, check=True, capture_output=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run Snakemake on the workflow after recovering from a killed run; returns its exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", default="2", help="CPU cores Snakemake may use (default 2)")
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.INFO, format="lithoflow: %(message)s")
    workdir = Path.cwd()
    snakemake = [sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE)]
    recover(workdir, snakemake)
    return subprocess.run([*snakemake, "--cores", str(args.cores), *rest], cwd=workdir).returncode


if __name__ == "__main__":
    sys.exit(main())
