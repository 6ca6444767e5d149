"""Warnings about the ``compute`` section (settings that are harmless but probably not meant).

Apart from the device code (`lithoflow.core.device`, which needs torch) so that checking a config,
done on every workflow start, does not import torch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def compute_warnings(config: Mapping[str, Any]) -> list[str]:
    """Settings of ``compute`` that are harmless but probably not meant, one line each."""
    compute = config["compute"]
    if compute["device"] == "cpu" and compute["gpus_per_training_job"] > 0:
        return [
            f"config keys compute.gpus_per_training_job ({compute['gpus_per_training_job']}) and "
            "compute.device ('cpu'): training jobs request GPUs that they never use; set "
            "compute.gpus_per_training_job: 0 for CPU runs"
        ]
    return []
