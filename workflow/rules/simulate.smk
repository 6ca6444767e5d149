# Rules: simulate. The built-in LILY simulator writes the raw tables (data.source: simulate), and a
# realism report compares the simulated data, once binned, with the real LILY reference figures.

# The calibration facts packaged with the simulator (lithoflow.simulate.calibration
# .CALIBRATION_FILES): editing one reruns the simulation.
SIMULATOR_DATA = [
    str(LIB_DIR / "data" / name)
    for name in (
        "borehole_total_depths.csv",
        "borehole_coverage_summary.csv",
        "lithology_class_distribution.csv",
        "lithology_hierarchy_mapping.csv",
        "L_principal_stats.csv",
        "extra_lithologies.csv",
        "derived_lily_paper_table3_MAD_by_principal.csv",
        "derived_rsc_full_lithology_L_means.csv",
        "expeditions.csv",
        "setting_affinities.csv",
        "signature_rules.csv",
        "reference_stats.json",
    )
]
# The investigation's model-level figures and the runs they concern (those configured).
MODEL_REFERENCE = str(LIB_DIR / "data" / "model_reference.json")
# Each configured run that repeats one of those investigation runs (report.investigation_runs).
MODEL_REALISM = {
    run: name
    for run, name in (
        (config.get("report") or {}).get("investigation_runs") or {}
    ).items()
    if name in ("direct", "v1_1", "v1_0")
}
MODEL_REALISM_RUNS = list(MODEL_REALISM)
# The real reference figures the realism report compares with.
REALISM_REFERENCE = [
    str(LIB_DIR / "data" / name)
    for name in ("reference_stats.json", "lithology_class_distribution.csv")
]
SIMULATED_TABLES = ["GRA", "MS", "NGR", "RGB"]


if SOURCE == "simulate":

    rule simulate_lily:
        input:
            code=script_code("simulate_lily.py"),
            calibration=SIMULATOR_DATA,
        output:
            **{t: raw_table_path(t) for t in SIMULATED_TABLES if t in TABLES},
            # The injected anomalous intervals (simulate.anomalies; empty when count is 0).
            anomaly_truth=report(
                "results/simulation/anomaly_truth.csv",
                category="Simulated data",
                labels={"content": "injected anomalies"},
            ),
        log:
            "logs/simulate_lily/simulate_lily.log",
        benchmark:
            "benchmarks/simulate_lily/simulate_lily.tsv"
        conda:
            "../../envs/core.yaml"
        resources:
            mem_mb=3000,
        params:
            scale=config["simulate"]["scale"],
            seed=config["simulate"]["seed"],
            anomalies=config["simulate"]["anomalies"],
        script:
            "../scripts/simulate_lily.py"

    rule simulation_realism:
        input:
            features="results/data/features.parquet",
            binned=expand("results/data/binned/{table}.parquet", table=TABLES),
            reference=REALISM_REFERENCE,
            code=script_code("simulation_realism.py"),
        output:
            report(
                "results/simulation/realism.json",
                category="Simulated data",
                labels={"content": "realism checks"},
            ),
        log:
            "logs/simulation_realism/simulation_realism.log",
        benchmark:
            "benchmarks/simulation_realism/simulation_realism.tsv"
        conda:
            "../../envs/core.yaml"
        params:
            scale=config["simulate"]["scale"],
            seed=config["simulate"]["seed"],
            tables=TABLES,
        script:
            "../scripts/simulation_realism.py"

    rule plot_simulation_realism:
        input:
            realism="results/simulation/realism.json",
            code=script_code("plot_simulation_realism.py"),
        output:
            report(
                "results/simulation/realism.png",
                category="Simulated data",
                labels={"content": "realism figure"},
            ),
        log:
            "logs/plot_simulation_realism/plot_simulation_realism.log",
        benchmark:
            "benchmarks/plot_simulation_realism/plot_simulation_realism.tsv"
        conda:
            "../../envs/core.yaml"
        params:
            figures=config["figures"],
        script:
            "../scripts/plot_simulation_realism.py"

    rule simulation_model_realism:
        input:
            metrics=expand(
                "results/models/classifiers/{run}/metrics.json", run=MODEL_REALISM_RUNS
            ),
            predictions=expand(
                "results/models/classifiers/{run}/predictions.parquet",
                run=MODEL_REALISM_RUNS,
            ),
            reconstruction=(
                "results/validation/reconstruction_all.json"
                if "all" in RECONSTRUCTION_SCOPES
                else []
            ),
            reference=MODEL_REFERENCE,
            code=script_code("simulation_model_realism.py"),
        output:
            "results/simulation/model_realism.json",
        log:
            "logs/simulation_model_realism/simulation_model_realism.log",
        benchmark:
            "benchmarks/simulation_model_realism/simulation_model_realism.tsv"
        conda:
            "../../envs/core.yaml"
        params:
            scale=config["simulate"]["scale"],
            seed=config["simulate"]["seed"],
            runs=[MODEL_REALISM[run] for run in MODEL_REALISM_RUNS],
        script:
            "../scripts/simulation_model_realism.py"
