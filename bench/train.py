"""Benchmark of VAE and MLP training: the layers of the training loop, each measured on its own.

All three train the VAE recipe of config.yaml (v2.6.7: 6 → 32 → 16 → 10, batch 256, shuffled, last
partial batch kept, Adam 1e-3, β warm-up) on the same scaled rows, one after the other in this
process, with the same thread count:

- ``fast_step``: what rule train_vae runs for the plain VAE (lithoflow.vae.run.fit_vae with
  gradients="fast": whole data set as one tensor, one gather per epoch, hand-written backward
  pass into one flat buffer, flat Adam, one host sync per epoch);
- ``autograd``: the same loop with the model's forward, autograd and ``torch.optim.Adam``
  (fit_vae with gradients="autograd", the path of every model the fast step does not cover);
- ``dataloader``: ``DataLoader(TensorDataset(x), batch_size=256, shuffle=True)``, the VAE module's
  forward, autograd, ``torch.optim.Adam`` and ``loss.item()`` per step.

So dataloader → autograd shows the gain of pre-shuffled tensor slicing with one sync per epoch,
and autograd → fast_step that of the hand-written gradients. Records wall time, epochs/s, ms per
optimizer step and the speed-ups to bench/results/train.json, plus each loop's time extrapolated
to the full-scale recipe (238,506 rows × 100 epochs = 93,200 steps). Targets on the 2-core CPU:
fast_step < 90 s for that, and >= 3× faster than dataloader.

Then the MLP classifier recipe of config.yaml's classifier defaults (inputs → 64 → 32 → 14
classes, dropout 0.3, batch 256, Adam 1e-3, inverse-frequency class weights) on the same rows,
labelled by the nearest of 14 random centres (plus noise), through lithoflow.classifiers.mlp.fit_mlp
with no validation rows (every epoch runs):

- ``mlp.fast_step``: the hand-written backward pass of the plain MLPClassifier, flat Adam
  (gradients="fast", what rule train_classifier runs for an MLP);
- ``mlp.autograd``: the module's forward, F.cross_entropy, autograd and ``torch.optim.Adam``.

Recorded under "mlp" with ms per step and the speed-up, and extrapolated to one full-scale MLP
fit's worst case (170,000 training rows × 100 epochs = 66,500 steps).

    python bench/train.py --rows 60000 --epochs 10     # quick try on synthetic rows (seconds)
    python bench/train.py                              # the real measurement (full-scale data)
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

from lithoflow.classifiers.mlp import MLPParams, build_mlp, fit_mlp  # noqa: E402
from lithoflow.classifiers.run import class_weights  # noqa: E402
from lithoflow.classifiers.spec import ClassifierSpec  # noqa: E402
from lithoflow.core.dataset import read_dataset  # noqa: E402
from lithoflow.core.device import describe_device  # noqa: E402
from lithoflow.core.io import write_json  # noqa: E402
from lithoflow.features.scaling import Scaler, ScalingConfig  # noqa: E402
from lithoflow.training.loop import make_generator  # noqa: E402
from lithoflow.vae.config import VAEConfig  # noqa: E402
from lithoflow.vae.fit import fit_vae  # noqa: E402
from lithoflow.vae.network import build_vae  # noqa: E402
from lithoflow.vae.objectives import vae_loss_terms  # noqa: E402

FULL_ROWS = 238_506
FULL_EPOCHS = 100
TARGETS = {"fast_step_seconds_max": 90.0, "speedup_min": 3.0}
MLP_FULL_ROWS = 170_000  # training rows of a full-scale classifier run (size_balanced split)
MLP_CLASSES = 14


def load_config() -> tuple[VAEConfig, ScalingConfig]:
    import yaml

    config = yaml.safe_load((REPO_ROOT / "config.yaml").read_text())
    model = next(iter(config["vae"]["models"].values()))
    return VAEConfig.from_config(model), ScalingConfig.from_config(config["scaling"])


def synthetic_rows(n_rows: int, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """Rows shaped like the six LILY features (skewed MS/NGR, bounded RGB)."""
    rng = np.random.default_rng(seed)
    values = np.column_stack(
        [
            rng.normal(1.7, 0.25, n_rows),
            np.sign(rng.normal(size=n_rows)) * rng.lognormal(2.0, 1.5, n_rows),
            rng.lognormal(3.0, 0.9, n_rows),
            rng.uniform(10, 250, (n_rows, 3)),
        ]
    )
    return values, ["GRA", "MS", "NGR", "R", "G", "B"]


def load_mlp_params(epochs: int) -> MLPParams:
    """The classifier defaults of config.yaml as MLP settings, with `epochs` and no patience."""
    import yaml

    config = yaml.safe_load((REPO_ROOT / "config.yaml").read_text())
    run = {
        "input": "raw",
        "target": "lithology",
        "split": "random",
        "class_weighting": "inverse_frequency",
        "selection_metric": "balanced_accuracy",
    }
    spec = ClassifierSpec.from_merged("bench", {**config["classifiers"]["defaults"], **run})
    return dataclasses.replace(spec.mlp, max_epochs=epochs, patience=epochs)


def nearest_centre_labels(x: np.ndarray, n_classes: int, seed: int = 0) -> np.ndarray:
    """Class of each row: the nearest of `n_classes` random centres after a little noise."""
    rng = np.random.default_rng(seed)
    centres = x[rng.choice(x.shape[0], n_classes, replace=False)]
    noisy = x + 0.3 * rng.normal(size=x.shape)
    distances = ((noisy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return distances.argmin(axis=1)


def mlp_loop(
    x: np.ndarray, y: np.ndarray, params: MLPParams, gradients: str, device: torch.device
) -> dict[str, Any]:
    """fit_mlp, as rule train_classifier calls it, with the hand-written or the autograd step."""
    seed = 42
    model = build_mlp(x.shape[1], MLP_CLASSES, params, seed)
    weights = class_weights(y, MLP_CLASSES)
    no_val = (x[:0], y[:0])
    started = time.perf_counter()
    result = fit_mlp(
        model,
        (x, y),
        no_val,
        MLP_CLASSES,
        params,
        seed,
        device,
        weights=weights,
        gradients=gradients,
    )
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "final_loss": result.history[-1]["train_loss"]}


def scaled_rows(args: argparse.Namespace, scaling: ScalingConfig) -> tuple[np.ndarray, str]:
    if args.rows:
        values, features = synthetic_rows(args.rows)
        source = f"synthetic ({args.rows} rows)"
    else:
        if not Path(args.features).exists():
            raise SystemExit(f"{args.features} not found: build it, or pass --rows N")
        dataset = read_dataset(args.features)
        features = list(dataset.features)
        values = dataset.frame[features].to_numpy(dtype=np.float64)
        source = str(args.features)
    scaler = Scaler.fit(values, features, scaling.transforms_for(features))
    return scaler.transform(values), source


def workflow_loop(
    x: np.ndarray, config: VAEConfig, gradients: str, device: torch.device
) -> dict[str, Any]:
    """fit_vae, as rule train_vae calls it, with the hand-written or the autograd step."""
    model = build_vae(x.shape[1], config)
    started = time.perf_counter()
    result = fit_vae(model, x, None, config, device, gradients=gradients)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "final_loss": result.history[-1]["loss"]}


def dataloader_loop(x: np.ndarray, config: VAEConfig) -> dict[str, Any]:
    """The straightforward loop most tutorials write."""
    model = build_vae(x.shape[1], config)
    loader = DataLoader(
        TensorDataset(torch.tensor(x, dtype=torch.float32)),
        batch_size=config.batch_size,
        shuffle=True,
        generator=make_generator(config.seed),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    noise = make_generator(config.seed + 1)
    started = time.perf_counter()
    total = 0.0
    for epoch in range(config.epochs):
        beta = config.beta(epoch)
        total = 0.0
        for (batch,) in loader:
            eps = torch.randn(batch.shape[0], config.latent_dim, generator=noise)
            recon, mu, logvar = model(batch, eps)
            sse, kl = vae_loss_terms(batch, recon, mu, logvar)
            loss = sse + beta * kl
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * batch.shape[0]
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "final_loss": total / x.shape[0]}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", default=str(REPO_ROOT / "bench/data/full/features.parquet"))
    parser.add_argument("--rows", type=int, default=0, help="synthetic rows instead of --features")
    parser.add_argument("--epochs", type=int, default=FULL_EPOCHS)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--skip-dataloader", action="store_true")
    parser.add_argument(
        "--tcvae-epochs",
        type=int,
        default=0,
        help="also time a beta_tcvae (tc_weight 6, autograd) for this many epochs (0: skip)",
    )
    parser.add_argument(
        "--device", choices=("cpu", "cuda"), default="cpu", help="where fit_vae/fit_mlp train"
    )
    parser.add_argument("--output", default=str(REPO_ROOT / "bench/results/train.json"))
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    config, scaling = load_config()
    config = VAEConfig.from_config({**config.to_dict(), "epochs": args.epochs})
    x, source = scaled_rows(args, scaling)
    steps = args.epochs * math.ceil(x.shape[0] / config.batch_size)
    full_steps = FULL_EPOCHS * math.ceil(FULL_ROWS / config.batch_size)

    variants = {
        "fast_step": workflow_loop(x, config, "fast", device),
        "autograd": workflow_loop(x, config, "autograd", device),
    }
    if not args.skip_dataloader and device.type == "cpu":  # the tutorial loop is CPU-only
        variants["dataloader"] = dataloader_loop(x, config)
    if args.tcvae_epochs:  # the β-TCVAE's pairwise estimator: autograd, a few epochs
        tcvae = {**config.to_dict(), "kind": "beta_tcvae", "tc_weight": 6.0}
        tcvae["epochs"] = args.tcvae_epochs
        variants["beta_tcvae"] = workflow_loop(x, VAEConfig.from_config(tcvae), "auto", device)
    for name, record in variants.items():
        epochs = args.tcvae_epochs if name == "beta_tcvae" else args.epochs
        record["epochs"] = epochs
        record["epochs_per_s"] = epochs / record["seconds"]
        record["ms_per_step"] = 1000 * record["seconds"] / (steps // args.epochs * epochs)
        record["full_scale_estimate_s"] = record["ms_per_step"] * full_steps / 1000
    seconds = {name: item["seconds"] for name, item in variants.items()}
    speedups = {"fast_step_over_autograd": seconds["autograd"] / seconds["fast_step"]}

    mlp_params = load_mlp_params(args.epochs)
    labels = nearest_centre_labels(x, MLP_CLASSES)
    mlp_steps = args.epochs * math.ceil(x.shape[0] / mlp_params.batch_size)
    mlp_full_steps = FULL_EPOCHS * math.ceil(MLP_FULL_ROWS / mlp_params.batch_size)
    mlp_variants = {
        "fast_step": mlp_loop(x, labels, mlp_params, "fast", device),
        "autograd": mlp_loop(x, labels, mlp_params, "autograd", device),
    }
    for item in mlp_variants.values():
        item["epochs_per_s"] = args.epochs / item["seconds"]
        item["ms_per_step"] = 1000 * item["seconds"] / mlp_steps
        item["full_scale_estimate_s"] = item["ms_per_step"] * mlp_full_steps / 1000
    mlp_record = {
        "architecture": [x.shape[1], *mlp_params.hidden, MLP_CLASSES],
        "dropout": mlp_params.dropout,
        "batch_size": mlp_params.batch_size,
        "labels": f"nearest of {MLP_CLASSES} random centres",
        "class_weighting": "inverse_frequency",
        "optimizer_steps": mlp_steps,
        "full_scale_steps": mlp_full_steps,
        "variants": mlp_variants,
        "speedups": {
            "fast_step_over_autograd": mlp_variants["autograd"]["seconds"]
            / mlp_variants["fast_step"]["seconds"]
        },
    }
    if "dataloader" in variants:
        speedups["autograd_over_dataloader"] = seconds["dataloader"] / seconds["autograd"]
        speedups["fast_step_over_dataloader"] = seconds["dataloader"] / seconds["fast_step"]
    speedup = speedups.get("fast_step_over_dataloader")
    is_full = x.shape[0] >= 0.95 * FULL_ROWS and args.epochs == FULL_EPOCHS
    fast_s = variants["fast_step"]["seconds" if is_full else "full_scale_estimate_s"]
    record = {
        "data": source,
        "rows": int(x.shape[0]),
        "epochs": args.epochs,
        "batch_size": config.batch_size,
        "optimizer_steps": steps,
        "full_scale_steps": full_steps,
        "threads": args.threads,
        "device": describe_device(device),
        "variants": variants,
        "speedups": speedups,
        "measured_at_full_scale": is_full,
        "targets": TARGETS,
        "mlp": mlp_record,
        "meets_targets": {
            "fast_step_seconds": fast_s < TARGETS["fast_step_seconds_max"],
            "speedup": None if speedup is None else speedup >= TARGETS["speedup_min"],
        },
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "cpu_count": os.cpu_count(),
            "load_average_1_5_15_min": list(os.getloadavg()),  # other work sharing the CPUs
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
    }
    write_json(args.output, record)
    for name, item in variants.items():
        print(
            f"{name:>10}: {item['seconds']:8.2f} s  {item['epochs_per_s']:7.2f} epochs/s  "
            f"{item['ms_per_step']:.3f} ms/step  "
            f"(full scale ≈ {item['full_scale_estimate_s']:.0f} s)"
        )
    for name, value in speedups.items():
        print(f"{name}: {value:.1f}x")
    for name, item in mlp_variants.items():
        print(
            f"mlp {name:>10}: {item['seconds']:8.2f} s  {item['ms_per_step']:.3f} ms/step  "
            f"(one full-scale fit ≈ {item['full_scale_estimate_s']:.0f} s)"
        )
    print(f"mlp fast_step_over_autograd: {mlp_record['speedups']['fast_step_over_autograd']:.1f}x")
    print(f"-> {args.output}")
    return record


if __name__ == "__main__":
    main()
