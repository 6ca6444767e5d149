"""Shared test support: config builders and typed settings (config), hand-made LILY tables
(lily_tables), synthetic borehole datasets (boreholes), toy model inputs (model_data), the
workflow's rules as Snakemake holds them (workflow_rules) and the summary's number tracing
(report_trace)."""
