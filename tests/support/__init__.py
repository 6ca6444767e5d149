"""Shared test support: config builders, typed settings and the Snakemake command (config),
hand-made LILY tables (lily_tables), synthetic borehole datasets (boreholes), toy model inputs
(model_data), the workflow's rules as Snakemake holds them (workflow_rules), the reader of
Snakemake's dry-run job list (dry_run), the profiles and SLURM partitions of tests/cluster
(slurm) and the summary's number tracing (report_trace)."""
