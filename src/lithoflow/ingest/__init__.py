"""Ingestion: raw borehole tables -> per-table binned datasets -> one merged, filtered dataset.

Recipe (docs/investigation.md §1): per table, borehole id "Exp-Site-Hole", drop rows with a missing
id, depth, label or measurement (counted per reason), count the rows outside the physical
``valid_ranges`` and the exact duplicate rows (each dropped only if the config says so), bin
depths to multiples of ``bin_size_m``, mean per bin, modal label per bin (ties to the
alphabetically first); then inner-join the tables in config order on (borehole_id, depth_bin_m),
label from ``label_table`` only, and apply the closed-range filters. Every removed row count is
recorded in a report with its reason, and every borehole that loses all its rows is named with
the step and reason (report and log).

``ingest.missing_features: keep`` (default ``drop``, the recipe above) keeps rows that lack some
measurements: only raw rows missing every measurement of their table, and merged rows missing
every feature, are dropped (counted); bin means take the values present (NaN where a bin has
none); a missing value passes the range filters. Steps that need complete rows select them.

Which tables and columns become which features is config; the ``table`` source reads one tidy CSV or
Parquet file instead of LILY tables.

Modules: `config` (settings), `readers` and `las` (raw rows), `rows` (checks before binning),
`binning` and `tables` (one table binned), `merge` (the dataset and its report).
"""
