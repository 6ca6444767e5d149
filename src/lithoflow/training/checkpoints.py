"""Model weights and per-epoch resume state, saved atomically and loaded without pickle.

Weights are plain state dicts; resume state holds only tensors, ints, floats, strings, lists and
dicts, so both load with ``torch.load(weights_only=True)``. Resume state lives in a folder beside
the rule's outputs (not a declared output, so Snakemake's cleanup of a failed job keeps it) and is
keyed by a hash of everything that determines training, so a changed config never resumes stale
state.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

import lithoflow
from lithoflow.core.codedeps import library_modules
from lithoflow.core.io import atomic_path

log = logging.getLogger(__name__)

RESUME_FILE = "state.pt"


def cpu_state_dict(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A detached CPU copy of a module's state dict (no storage shared with the live model)."""
    return {k: v.detach().to("cpu", copy=True) for k, v in module.state_dict().items()}


def save_torch(path: str | os.PathLike[str], payload: Any) -> None:
    """torch.save `payload` atomically (temporary file, then rename).

    Saving through a file handle keeps the temporary name out of the archive, so the same
    payload always gives the same bytes.
    """
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        torch.save(payload, handle)


def load_torch(path: str | os.PathLike[str]) -> Any:
    """torch.load with weights_only=True onto the CPU: nothing is unpickled."""
    return torch.load(path, map_location="cpu", weights_only=True)


def save_state_dict(path: str | os.PathLike[str], module: torch.nn.Module) -> None:
    """Save a module's weights as a plain CPU state dict, atomically."""
    save_torch(path, cpu_state_dict(module))


def file_sha256(path: str | os.PathLike[str], chunk_bytes: int = 1 << 20) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


def training_key(
    settings: Mapping[str, Any],
    input_files: Sequence[str | os.PathLike[str]] = (),
    code_modules: Sequence[str] = (),
) -> str:
    """A hash of what determines a training run: settings, input bytes and library code.

    `code_modules` names lithoflow modules relative to the package (e.g. "vae.run"); their
    source files and those of every lithoflow module they import, transitively
    (`lithoflow.core.codedeps`), are hashed.
    """
    package_dir = Path(lithoflow.__file__).parent
    code_files: set[Path] = set()
    for module in code_modules:
        module_file = package_dir.joinpath(*module.split(".")).with_suffix(".py")
        code_files.update([module_file, *library_modules(module_file, package_dir)])
    payload = {
        "settings": settings,
        "inputs": [file_sha256(p) for p in input_files],
        "code": {f.relative_to(package_dir).as_posix(): file_sha256(f) for f in sorted(code_files)},
        "lithoflow": lithoflow.__version__,
        "torch": torch.__version__,
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class ResumeStore:
    """Per-epoch training state in `folder`/state.pt, valid only for one training key."""

    def __init__(self, folder: str | os.PathLike[str], key: str) -> None:
        self.folder = Path(folder)
        self.key = key

    @property
    def path(self) -> Path:
        return self.folder / RESUME_FILE

    def load(self) -> dict[str, Any] | None:
        """The saved state if it exists and matches this key; else None (stale state is removed)."""
        self._remove_temporary_files()
        if not self.path.exists():
            return None
        try:
            state = load_torch(self.path)
        except Exception as exc:  # a state we cannot read is never worth failing the run for
            log.warning("ignoring unreadable resume state %s: %s", self.path, exc)
            self.clear()
            return None
        if not isinstance(state, dict) or state.get("key") != self.key:
            log.info("resume state %s belongs to other settings; starting afresh", self.path)
            self.clear()
            return None
        log.info("resuming from %s after epoch %s", self.path, state.get("epoch"))
        return state

    def save(self, state: Mapping[str, Any]) -> None:
        """Replace the saved state atomically."""
        save_torch(self.path, {**state, "key": self.key})

    def clear(self) -> None:
        """Delete the saved state (after a successful run) and the folder if it is empty."""
        self.path.unlink(missing_ok=True)
        self._remove_temporary_files()
        # Remove the run's folder, and the shared ".resume" folder above it, once they are empty.
        folders = [self.folder]
        if self.folder.parent.name == ".resume":
            folders.append(self.folder.parent)
        for folder in folders:
            try:
                folder.rmdir()
            except OSError:
                break

    def _remove_temporary_files(self) -> None:
        # A job killed during torch.save leaves its temporary file behind (see lithoflow.core.io).
        if self.folder.is_dir():
            for stale in self.folder.glob(f".{RESUME_FILE}.*.tmp"):
                stale.unlink(missing_ok=True)
