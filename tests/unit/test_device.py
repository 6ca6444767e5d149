"""Device selection: auto | cpu | cuda, and CPU threads."""

from __future__ import annotations

import pytest
import torch

from lithoflow.core.device import ComputeConfig, prepare_device, select_device
from lithoflow.core.errors import ConfigError


def test_auto_picks_cuda_only_when_present():
    assert select_device("auto", cuda_available=True).type == "cuda"
    assert select_device("auto", cuda_available=False).type == "cpu"
    assert select_device("cpu", cuda_available=True).type == "cpu"
    assert select_device("cuda", cuda_available=True).type == "cuda"


def test_cuda_requested_but_absent_is_a_clear_error():
    with pytest.raises(ConfigError, match=r"compute\.device"):
        select_device("cuda", cuda_available=False)
    with pytest.raises(ConfigError):
        select_device("tpu", cuda_available=False)


def test_cpu_uses_the_jobs_threads():
    before = torch.get_num_threads()
    try:
        config = ComputeConfig.from_config({"device": "auto", "training_threads": 2}, threads=1)
        assert config.threads == 1
        assert prepare_device(config, cuda_available=False).type == "cpu"
        assert torch.get_num_threads() == 1
        assert ComputeConfig.from_config({"device": "cpu", "training_threads": 3}).threads == 3
    finally:
        torch.set_num_threads(before)
