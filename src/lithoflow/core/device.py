"""Where training runs: CUDA when present and allowed, else the CPU with the rule's threads.

On a cluster the training rules request a GPU through Snakemake's `gpu` resource; locally that
resource is only a counter, so the code decides by itself what it actually finds.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from lithoflow.core.errors import ConfigError

log = logging.getLogger(__name__)

DEVICE_CHOICES: tuple[str, ...] = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class ComputeConfig:
    """The requested device (auto | cpu | cuda) and the CPU threads a training job may use."""

    device: str
    threads: int

    @classmethod
    def from_config(cls, compute: Mapping[str, Any], threads: int | None = None) -> ComputeConfig:
        """Build from the `compute` section; `threads` (the job's threads) overrides the config."""
        device = str(compute["device"])
        if device not in DEVICE_CHOICES:
            raise ConfigError(
                f"config key compute.device: {device!r} is not one of {DEVICE_CHOICES}"
            )
        count = int(threads if threads is not None else compute["training_threads"])
        return cls(device=device, threads=max(1, count))


def select_device(requested: str, *, cuda_available: bool | None = None) -> torch.device:
    """The torch device for `requested`; `cuda` without a usable GPU is a ConfigError."""
    if requested not in DEVICE_CHOICES:
        raise ConfigError(
            f"config key compute.device: {requested!r} is not one of {DEVICE_CHOICES}"
        )
    available = torch.cuda.is_available() if cuda_available is None else cuda_available
    if requested == "cuda" and not available:
        raise ConfigError(
            "config key compute.device: 'cuda' was requested but no CUDA device is available "
            "to this job (set compute.device to auto or cpu, or run on a GPU node)"
        )
    if requested in ("auto", "cuda") and available:
        return torch.device("cuda")
    return torch.device("cpu")


def prepare_device(compute: ComputeConfig, *, cuda_available: bool | None = None) -> torch.device:
    """Select the device and, on the CPU, limit torch to the job's threads."""
    device = select_device(compute.device, cuda_available=cuda_available)
    if device.type == "cpu":
        torch.set_num_threads(compute.threads)
    log.info("training device: %s", describe_device(device))
    return device


def describe_device(device: torch.device) -> str:
    """A human-readable device description for logs and provenance."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    return f"cpu ({torch.get_num_threads()} threads)"
