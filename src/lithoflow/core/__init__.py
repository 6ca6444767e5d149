"""Shared infrastructure: config checks, errors, file I/O, the dataset contract, logging,
device choice, provenance, code dependencies, the runner and the figure style."""
