"""The VAE (v2.6.7 recipe, methodology.md §3): model, β schedule, loss, fast training, save/load.

Architecture (sizes from config): features → hidden[0] → hidden[1] → (μ, log σ²) of latent_dim,
decoder latent_dim → hidden[-1] → ... → hidden[0] → features, ReLU between layers, no BatchNorm or
dropout. Loss for a batch of B rows: SSE(x̂, x)/B + β·KL/B with
KL = −½·Σ(1 + log σ² − μ² − σ²). β rises linearly over the warm-up epochs, then stays at β_end.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn.utils import skip_init

from lithoflow.core.dataset import read_dataset
from lithoflow.core.device import describe_device
from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import read_json, write_csv, write_json
from lithoflow.core.provenance import build_provenance, write_provenance
from lithoflow.models import embeddings as emb
from lithoflow.models.checkpoints import ResumeStore, load_torch, save_state_dict, training_key
from lithoflow.models.scaling import Scaler, ScalingConfig
from lithoflow.models.training import (
    FlatAdam,
    FlatParameters,
    TrainingResult,
    batch_bounds,
    derive_seeds,
    init_linear_,
    make_generator,
    run_epochs,
    shuffled,
    to_tensor,
)

log = logging.getLogger(__name__)

VAE_FORMAT = "lithoflow.models.vae"
MODEL_FILE = "model.pt"
CONFIG_FILE = "config.json"
SCALER_FILE = "scaler.json"
FEATURES_FILE = "features.json"
HISTORY_FILE = "history.csv"
PROVENANCE_FILE = "provenance.json"
EMBEDDINGS_FILE = "embeddings.parquet"
# The module whose code (with every lithoflow module it imports) is part of the resume key.
CODE_MODULES = ("models.vae",)
HISTORY_COLUMNS = ("epoch", "beta", "loss", "recon", "kl", "val_loss", "val_recon", "val_kl")


@dataclass(frozen=True)
class VAEConfig:
    """One entry of `vae.models`: data scope, architecture and training recipe."""

    split: str
    train_on: str
    scaler_fit: str
    hidden: tuple[int, ...]
    latent_dim: int
    beta_start: float
    beta_end: float
    beta_warmup_epochs: int
    learning_rate: float
    batch_size: int
    epochs: int
    seed: int

    @classmethod
    def from_config(cls, model: Mapping[str, Any]) -> VAEConfig:
        """Build from one validated `vae.models.<name>` section."""
        return cls(
            split=str(model["split"]),
            train_on=str(model["train_on"]),
            scaler_fit=str(model["scaler_fit"]),
            hidden=tuple(int(h) for h in model["hidden"]),
            latent_dim=int(model["latent_dim"]),
            beta_start=float(model["beta_start"]),
            beta_end=float(model["beta_end"]),
            beta_warmup_epochs=int(model["beta_warmup_epochs"]),
            learning_rate=float(model["learning_rate"]),
            batch_size=int(model["batch_size"]),
            epochs=int(model["epochs"]),
            seed=int(model["seed"]),
        )

    def to_dict(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["hidden"] = list(self.hidden)
        return payload

    def beta(self, epoch: int) -> float:
        """β of the 0-based `epoch`."""
        return beta_for_epoch(epoch, self.beta_start, self.beta_end, self.beta_warmup_epochs)


def beta_for_epoch(epoch: int, start: float, end: float, warmup_epochs: int) -> float:
    """β = start + (end − start)·e/warmup for the 0-based epoch e < warmup, then end (§3)."""
    if epoch < warmup_epochs:
        return start + (end - start) * epoch / warmup_epochs
    return end


def _mlp(sizes: Sequence[int], final_activation: bool) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(skip_init(nn.Linear, n_in, n_out))
        if final_activation or i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class VAE(nn.Module):
    """Fully connected VAE; `encode_mu` gives the embedding every later step uses."""

    def __init__(
        self,
        n_features: int,
        hidden: Sequence[int],
        latent_dim: int,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        hidden = [int(h) for h in hidden]
        self.n_features = int(n_features)
        self.hidden = tuple(hidden)
        self.latent_dim = int(latent_dim)
        self.encoder = _mlp([n_features, *hidden], final_activation=True)
        self.fc_mu = skip_init(nn.Linear, hidden[-1], latent_dim)
        self.fc_logvar = skip_init(nn.Linear, hidden[-1], latent_dim)
        self.decoder = _mlp([latent_dim, *reversed(hidden), n_features], final_activation=False)
        # Layers are built without torch's default (global-RNG) initialisation, then initialised
        # from `generator` (seed 0 if none: e.g. a model about to load saved weights).
        generator = generator if generator is not None else make_generator(0)
        for layer in self.linear_layers():
            init_linear_(layer, generator)

    def linear_layers(self) -> list[nn.Linear]:
        return [m for m in self.modules() if isinstance(m, nn.Linear)]

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(μ, log σ²) of each row."""
        h = self.encoder(x)
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Reconstruction (model space) of latent points `z`."""
        return self.decoder(z)

    def forward(
        self, x: torch.Tensor, eps: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(x̂, μ, log σ²) with z = μ + σ·eps (eps ~ N(0, 1), drawn by the caller)."""
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * eps
        return self.decode(z), mu, logvar

    def encode_mu(self, x: torch.Tensor | np.ndarray) -> torch.Tensor | np.ndarray:
        """μ of scaled inputs, without gradients; numpy in gives numpy out."""
        as_numpy = isinstance(x, np.ndarray)
        tensor = to_tensor(x) if as_numpy else x
        with torch.no_grad():
            mu = self.encode(tensor)[0]
        return mu.cpu().numpy() if as_numpy else mu

    def flat_layout(self) -> list[str]:
        """Parameter order for FlatParameters: the μ and log σ² heads adjacent (one layer)."""
        names = [n for n, _ in self.named_parameters()]
        head = ["fc_mu.weight", "fc_logvar.weight", "fc_mu.bias", "fc_logvar.bias"]
        encoder = [n for n in names if n.startswith("encoder.")]
        decoder = [n for n in names if n.startswith("decoder.")]
        return [*encoder, *head, *decoder]


def vae_loss_terms(
    x: torch.Tensor, recon: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(SSE/B, KL/B) of a batch of B rows; the loss is SSE/B + β·KL/B."""
    n_rows = x.shape[0]
    sse = (recon - x).pow(2).sum() / n_rows
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum() / n_rows
    return sse, kl


def relu_backward(grad: torch.Tensor, relu_output: torch.Tensor) -> torch.Tensor:
    """`grad` where the ReLU was active (output > 0), else 0: the kernel autograd uses for ReLU."""
    return torch.ops.aten.threshold_backward(grad, relu_output, 0.0)


class FastVAEStep:
    """The VAE loss and its exact gradient for one batch, computed by hand.

    Autograd costs more than the arithmetic for layers this small; the hand-written backward pass
    (checked against autograd in tests/unit/test_vae.py) writes every gradient straight into the
    flat gradient buffer, and the μ and log σ² heads run as one matrix product.
    """

    def __init__(self, model: VAE) -> None:
        self.model = model
        self.flat = FlatParameters(model, order=model.flat_layout())
        named = dict(model.named_parameters())

        def views(prefix: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
            w, b = f"{prefix}.weight", f"{prefix}.bias"
            shape = tuple(named[w].shape)
            return (
                self.flat.span([w], shape),
                self.flat.span([b], (shape[0],)),
                self.flat.span([w], shape, grad=True),
                self.flat.span([b], (shape[0],), grad=True),
            )

        linear_names = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)]
        self.encoder = [views(n) for n in linear_names if n.startswith("encoder.")]
        self.decoder = [views(n) for n in linear_names if n.startswith("decoder.")]
        k, h = model.latent_dim, model.hidden[-1]
        weights, biases = ["fc_mu.weight", "fc_logvar.weight"], ["fc_mu.bias", "fc_logvar.bias"]
        self.head = (
            self.flat.span(weights, (2 * k, h)),
            self.flat.span(biases, (2 * k,)),
            self.flat.span(weights, (2 * k, h), grad=True),
            self.flat.span(biases, (2 * k,), grad=True),
        )

    def loss_and_grad(
        self, x: torch.Tensor, eps: torch.Tensor, beta: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Fill the flat gradients of SSE/B + β·KL/B; return the batch's (SSE, 2·KL) sums."""
        n_rows = x.shape[0]
        k = self.model.latent_dim
        encoder_inputs = [x]
        h = x
        for weight, bias, _, _ in self.encoder:
            h = torch.addmm(bias, h, weight.t()).relu_()
            encoder_inputs.append(h)
        head = torch.addmm(self.head[1], h, self.head[0].t())
        mu, logvar = head[:, :k], head[:, k:]
        std = logvar.mul(0.5).exp_()
        var = std * std
        z = torch.addcmul(mu, std, eps)
        decoder_inputs = [z]
        d = z
        for weight, bias, _, _ in self.decoder[:-1]:
            d = torch.addmm(bias, d, weight.t()).relu_()
            decoder_inputs.append(d)
        weight, bias, _, _ = self.decoder[-1]
        diff = torch.addmm(bias, d, weight.t()).sub_(x)
        sse = torch.dot(diff.view(-1), diff.view(-1))
        # 2·KL summed over the batch: Σ(μ² + σ² − log σ² − 1).
        kl_twice = (var - logvar).addcmul_(mu, mu).sub_(1.0).sum()

        grad = diff.mul_(2.0 / n_rows)  # d(SSE/B)/dx̂
        for i in range(len(self.decoder) - 1, -1, -1):
            weight, _, grad_weight, grad_bias = self.decoder[i]
            layer_input = decoder_inputs[i]
            torch.mm(grad.t(), layer_input, out=grad_weight)
            torch.sum(grad, 0, out=grad_bias)
            grad = torch.mm(grad, weight)
            if i > 0:  # through the ReLU that produced layer_input
                grad = relu_backward(grad, layer_input)
        # z = μ + σ·ε and β·KL/B: dμ = dz + β·μ/B, dlog σ² = ½·dz·ε·σ + β·(σ² − 1)/(2B).
        scale = beta / n_rows
        grad_mu = torch.add(grad, mu, alpha=scale)
        grad_logvar = grad.mul_(eps).mul_(std).mul_(0.5).add_(var, alpha=0.5 * scale)
        grad_logvar.sub_(0.5 * scale)
        grad = torch.cat((grad_mu, grad_logvar), dim=1)
        weight, _, grad_weight, grad_bias = self.head
        torch.mm(grad.t(), encoder_inputs[-1], out=grad_weight)
        torch.sum(grad, 0, out=grad_bias)
        for i in range(len(self.encoder) - 1, -1, -1):
            layer_output = encoder_inputs[i + 1]
            grad = relu_backward(torch.mm(grad, weight), layer_output)
            weight, _, grad_weight, grad_bias = self.encoder[i]
            torch.mm(grad.t(), encoder_inputs[i], out=grad_weight)
            torch.sum(grad, 0, out=grad_bias)
        return sse, kl_twice


class VAETask:
    """One VAE training run for `run_epochs`: data on the device, optimizer, two generators.

    Each epoch draws one permutation (shuffle generator) and one block of N(0, 1) noise (noise
    generator). Validation uses a fixed noise draw, so val losses of different epochs compare.
    """

    def __init__(
        self,
        model: VAE,
        x_train: torch.Tensor,
        x_val: torch.Tensor | None,
        config: VAEConfig,
        device: torch.device,
    ) -> None:
        self.model = model
        self.config = config
        self.x_train = x_train
        self.x_val = x_val if x_val is not None and x_val.shape[0] else None
        self.step = FastVAEStep(model)
        self.optimizer = FlatAdam(self.step.flat.values, self.step.flat.grads, config.learning_rate)
        _, shuffle_seed, noise_seed, val_seed = derive_seeds(config.seed, 4)
        self.shuffle_generator = make_generator(shuffle_seed, device)
        self.noise_generator = make_generator(noise_seed, device)
        self.val_eps = None
        if self.x_val is not None:
            shape = (self.x_val.shape[0], model.latent_dim)
            generator = make_generator(val_seed, device)
            self.val_eps = torch.randn(shape, generator=generator, device=device)
        self.bounds = batch_bounds(x_train.shape[0], config.batch_size)

    @torch.no_grad()
    def train_epoch(self, epoch: int) -> dict[str, float]:
        beta = self.config.beta(epoch)
        n_rows = self.x_train.shape[0]
        (x_epoch,) = shuffled([self.x_train], self.shuffle_generator)
        eps = torch.randn(
            (n_rows, self.model.latent_dim),
            generator=self.noise_generator,
            device=self.x_train.device,
        )
        sse_total = torch.zeros((), dtype=torch.float64, device=self.x_train.device)
        kl_total = torch.zeros((), dtype=torch.float64, device=self.x_train.device)
        for start, stop in self.bounds:
            sse, kl_twice = self.step.loss_and_grad(x_epoch[start:stop], eps[start:stop], beta)
            self.optimizer.step()
            sse_total += sse
            kl_total += kl_twice
        recon = sse_total.item() / n_rows
        kl = 0.5 * kl_total.item() / n_rows
        return {"beta": beta, "loss": recon + beta * kl, "recon": recon, "kl": kl}

    @torch.no_grad()
    def evaluate(self, epoch: int) -> dict[str, float]:
        if self.x_val is None:
            return {}
        beta = self.config.beta(epoch)
        recon_x, mu, logvar = self.model(self.x_val, self.val_eps)
        recon, kl = (t.item() for t in vae_loss_terms(self.x_val, recon_x, mu, logvar))
        return {"val_loss": recon + beta * kl, "val_recon": recon, "val_kl": kl}

    def state_dict(self) -> dict[str, Any]:
        return {
            "optimizer": self.optimizer.state_dict(),
            "shuffle_generator": self.shuffle_generator.get_state(),
            "noise_generator": self.noise_generator.get_state(),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.optimizer.load_state_dict(state["optimizer"])
        self.shuffle_generator.set_state(state["shuffle_generator"])
        self.noise_generator.set_state(state["noise_generator"])


def build_vae(n_features: int, config: VAEConfig) -> VAE:
    """A freshly initialised VAE; the weights depend only on the config seed."""
    init_seed = derive_seeds(config.seed, 4)[0]
    return VAE(n_features, config.hidden, config.latent_dim, generator=make_generator(init_seed))


def fit_vae(
    model: VAE,
    x_train: np.ndarray,
    x_val: np.ndarray | None,
    config: VAEConfig,
    device: torch.device,
    *,
    resume: ResumeStore | None = None,
    on_epoch_end: Callable[[dict[str, Any]], None] | None = None,
) -> TrainingResult:
    """Train `model` in place on scaled rows for config.epochs; the last epoch's weights stay.

    No early stopping (the recipe saves the weights after the last epoch); the validation loss,
    if `x_val` has rows, is logged every epoch.
    """
    if x_train.shape[0] == 0:
        raise InputDataError("the VAE has no training rows")
    model.to(device)
    train = to_tensor(x_train, device)
    val = None
    if x_val is not None and x_val.shape[0]:
        val = to_tensor(x_val, device)
    task = VAETask(model, train, val, config, device)
    return run_epochs(task, config.epochs, resume=resume, on_epoch_end=on_epoch_end)


def history_frame(result: TrainingResult) -> pd.DataFrame:
    """history.csv: epoch (1-based), β used in it, train and (if any) validation loss terms."""
    frame = pd.DataFrame(result.history)
    columns = [c for c in HISTORY_COLUMNS if c in frame.columns]
    extra = [c for c in frame.columns if c not in columns]
    return frame[columns + extra]


def save_vae(
    model_dir: str | os.PathLike[str],
    model: VAE,
    scaler: Scaler,
    config_payload: Mapping[str, Any],
) -> None:
    """model.pt (state dict), config.json, scaler.json and features.json, each atomically."""
    folder = Path(model_dir)
    save_state_dict(folder / MODEL_FILE, model)
    write_json(folder / CONFIG_FILE, dict(config_payload))
    scaler.to_json(folder / SCALER_FILE)
    write_json(folder / FEATURES_FILE, list(scaler.features))


def load_vae(model_dir: str | os.PathLike[str]) -> tuple[VAE, Scaler, list[str]]:
    """(model in eval mode on the CPU, its scaler, its feature list) from a VAE folder."""
    folder = Path(model_dir)
    config = read_json(folder / CONFIG_FILE)
    if config.get("format") != VAE_FORMAT:
        raise InputDataError("not a lithoflow VAE config", path=str(folder / CONFIG_FILE))
    arch = config["architecture"]
    model = VAE(arch["n_features"], arch["hidden"], arch["latent_dim"])
    model.load_state_dict(load_torch(folder / MODEL_FILE))
    model.eval()
    scaler = Scaler.from_json(folder / SCALER_FILE)
    features = list(read_json(folder / FEATURES_FILE))
    if list(scaler.features) != features:
        raise InputDataError("scaler and feature list disagree", path=str(folder))
    return model, scaler, features


def _check_same_features(expected: Sequence[str], found: Sequence[str], path: str) -> None:
    if list(found) != list(expected):
        raise InputDataError(
            f"features {format_list(found)} differ from the dataset's {format_list(expected)}",
            path=path,
        )


def train_vae_run(
    *,
    name: str,
    config: VAEConfig,
    scaling: ScalingConfig,
    features_path: str | os.PathLike[str],
    split_paths: Mapping[str, str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    device: torch.device,
    resume_dir: str | os.PathLike[str] | None = None,
    full_config: Mapping[str, Any] | None = None,
    workflow_dir: str | os.PathLike[str] | None = None,
    on_epoch_end: Callable[[dict[str, Any]], None] | None = None,
) -> TrainingResult:
    """Rule train_vae: fit the scaler and the VAE, write every model file and embeddings.parquet.

    Trains on the train part of `split_paths` (config.train_on "train"; validation loss logged)
    or on every row of the features table ("all"). Resume state (if `resume_dir`) is kept after
    every epoch and deleted once all outputs are written.
    """
    dataset = read_dataset(features_path)
    features = list(dataset.features)
    parts = {}
    for part in emb.PARTS:
        part_dataset = read_dataset(split_paths[part])
        _check_same_features(features, part_dataset.features, str(split_paths[part]))
        parts[part] = part_dataset.frame
    frame = dataset.frame.reset_index(drop=True)
    split = emb.assign_split(frame, parts)
    raw = frame[features].to_numpy(dtype=np.float64)
    is_train = split == "train" if config.train_on == "train" else np.ones(len(frame), dtype=bool)
    is_val = (split == "val") if config.train_on == "train" else np.zeros(len(frame), dtype=bool)
    fit_rows = is_train if config.scaler_fit == "train" else np.ones(len(frame), dtype=bool)
    log.info(
        "VAE %s: %d training rows, %d validation rows (split %s, train_on %s, scaler_fit %s)",
        name,
        int(is_train.sum()),
        int(is_val.sum()),
        config.split,
        config.train_on,
        config.scaler_fit,
    )
    scaler = Scaler.fit(raw[fit_rows], features, scaling.transforms_for(features))
    x_all = scaler.transform(raw)

    settings = {
        "name": name,
        "vae": config.to_dict(),
        "scaling": {"transforms": list(scaler.transforms)},
        "features": features,
        "device": device.type,
    }
    resume = None
    if resume_dir is not None:
        key = training_key(
            settings,
            [features_path, *(split_paths[p] for p in emb.PARTS)],
            CODE_MODULES,
        )
        resume = ResumeStore(resume_dir, key)

    model = build_vae(len(features), config)
    result = fit_vae(
        model,
        x_all[is_train],
        x_all[is_val] if is_val.any() else None,
        config,
        device,
        resume=resume,
        on_epoch_end=on_epoch_end,
    )
    model.eval()

    out = Path(output_dir)
    n_params = sum(p.numel() for p in model.parameters())
    payload = {
        "format": VAE_FORMAT,
        "name": name,
        "architecture": {
            "n_features": len(features),
            "hidden": list(config.hidden),
            "latent_dim": config.latent_dim,
            "activation": "relu",
            "parameters": n_params,
        },
        "training": {
            "optimizer": "adam",
            "learning_rate": config.learning_rate,
            "batch_size": config.batch_size,
            "epochs": config.epochs,
            "beta_start": config.beta_start,
            "beta_end": config.beta_end,
            "beta_warmup_epochs": config.beta_warmup_epochs,
            "loss": "SSE/B + beta*KL/B in scaled space",
            "early_stopping": False,
            "saved_weights": "after the last epoch",
        },
        "features": features,
        "split": config.split,
        "train_on": config.train_on,
        "scaler_fit": config.scaler_fit,
        "seed": config.seed,
        "rows": {
            "train": int(is_train.sum()),
            "val": int(is_val.sum()),
            "scaler_fit": int(fit_rows.sum()),
            "all": len(frame),
        },
    }
    model.cpu()
    save_vae(out, model, scaler, payload)
    write_csv(out / HISTORY_FILE, history_frame(result))

    mu = emb.encode_in_batches(model, x_all, "cpu")
    table = emb.embeddings_frame(frame, split, mu)
    emb.write_embeddings(
        out / EMBEDDINGS_FILE,
        table,
        {
            "vae": name,
            "split_method": config.split,
            "train_on": config.train_on,
            "scaler_fit": config.scaler_fit,
            "latent_columns": emb.latent_columns(config.latent_dim),
        },
    )
    record = build_provenance(
        step="train_vae",
        config=full_config,
        settings=settings,
        device=describe_device(device),
        workflow_dir=workflow_dir,
        extra={
            "training_seconds": float(sum(r["seconds"] for r in result.history)),
            "epochs_run": result.epochs_run,
            "resumed_from_epoch": result.resumed_from_epoch,
        },
    )
    write_provenance(out / PROVENANCE_FILE, record)
    if resume is not None:
        resume.clear()
    return result
