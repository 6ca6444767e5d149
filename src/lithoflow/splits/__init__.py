"""Rules in workflow/rules/splits.smk and analysis.smk: borehole splits, their statistics,
class distributions and train/test mismatch."""
