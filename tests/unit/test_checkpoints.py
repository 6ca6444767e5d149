"""Checkpoints, resume keys and provenance records."""

from __future__ import annotations

import re

import torch
from torch import nn

from lithoflow.core.provenance import build_provenance, git_state
from lithoflow.training.checkpoints import ResumeStore, load_torch, save_state_dict, training_key


def test_state_dict_round_trip_without_pickle(tmp_path):
    model = nn.Linear(3, 2)
    save_state_dict(tmp_path / "m.pt", model)
    state = torch.load(tmp_path / "m.pt", weights_only=True)
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())
    assert not list(tmp_path.glob(".*.tmp"))


def test_training_key_changes_with_settings_inputs_and_code(tmp_path):
    data = tmp_path / "data.bin"
    data.write_bytes(b"abc")
    key = training_key({"lr": 1e-3}, [data], ["training.loop"])
    assert key == training_key({"lr": 1e-3}, [data], ["training.loop"])
    assert key != training_key({"lr": 2e-3}, [data], ["training.loop"])
    assert key != training_key({"lr": 1e-3}, [data], ["training.loop", "vae.run"])
    data.write_bytes(b"abd")
    assert key != training_key({"lr": 1e-3}, [data], ["training.loop"])


def test_resume_store_round_trip_and_clear(tmp_path):
    store = ResumeStore(tmp_path / "resume", "k")
    assert store.load() is None
    state = {
        "epoch": 2,
        "history": [{"epoch": 1, "loss": 0.5, "improved": True}],
        "task": {"generator": torch.Generator().get_state(), "betas": [0.9, 0.999]},
        "best_model": None,
    }
    store.save(state)
    loaded = load_torch(store.path)
    assert loaded["epoch"] == 2 and loaded["history"][0]["improved"] is True
    assert torch.equal(loaded["task"]["generator"], state["task"]["generator"])
    assert store.load()["key"] == "k"
    store.clear()
    assert not (tmp_path / "resume").exists()


def test_git_state_and_provenance(tmp_path, repo_root):
    assert git_state(tmp_path) == {"commit": "unknown", "dirty": None}
    state = git_state(repo_root)
    if state["commit"] != "unknown":
        assert re.fullmatch(r"[0-9a-f]{40}", state["commit"])
        assert isinstance(state["dirty"], bool)
    record = build_provenance(
        step="x",
        config={"a": 1},
        settings={"b": 2},
        device="cpu (1 threads)",
        workflow_dir=tmp_path,
    )
    assert record["git_commit"] == "unknown" and record["config"] == {"a": 1}
    assert record["lithoflow_version"] and record["versions"]["torch"] == torch.__version__
