"""Benchmarks of lithoflow (run as scripts; see bench/README.md) and their reference baselines."""
