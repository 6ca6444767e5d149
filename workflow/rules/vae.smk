# Rules: vae. Fit the distribution-aware scaler and the VAE (docs/investigation.md §2-3), then write μ for
# every row of the dataset. Per-epoch resume state lives in results/models/vae/.resume/{vae}/, which
# is not an output, so a killed job resumes from its last completed epoch on rerun.


rule train_vae:
    input:
        unpack(vae_split_parts),
        unpack(vae_aux_inputs),
        features="results/data/features.parquet",
        code=script_code("train_vae.py"),
    output:
        model="results/models/vae/{vae}/model.pt",
        config="results/models/vae/{vae}/config.json",
        scaler="results/models/vae/{vae}/scaler.json",
        features="results/models/vae/{vae}/features.json",
        history="results/models/vae/{vae}/history.csv",
        provenance="results/models/vae/{vae}/provenance.json",
        embeddings="results/models/vae/{vae}/embeddings.parquet",
    log:
        "logs/train_vae/{vae}.log",
    benchmark:
        "benchmarks/train_vae/{vae}.tsv"
    priority: vae_job_priority
    conda:
        "../../envs/torch.yaml"
    threads: config["compute"]["training_threads"]
    resources:
        gpu=config["compute"]["gpus_per_training_job"],
    params:
        vae=vae_settings,
        scaling=config["scaling"],
        device=config["compute"]["device"],
        resume_dir="results/models/vae/.resume/{vae}",
    script:
        "../scripts/train_vae.py"
