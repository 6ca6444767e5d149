"""The names of the files in a model run folder (weights, settings, scaler, history, provenance).

A module of its own, free of torch, so that code which only names these files (the classifier
kinds' registry entries, read on every workflow start) does not import the training stack.
"""

from __future__ import annotations

MODEL_FILE = "model.pt"
CONFIG_FILE = "config.json"
SCALER_FILE = "scaler.json"
HISTORY_FILE = "history.csv"
PROVENANCE_FILE = "provenance.json"
