"""The VAE (v2.6.7 recipe, methodology.md §3): model, β schedule, loss, training, run, load.

Architecture (sizes from config): features → hidden[0] → hidden[1] → (μ, log σ²) of latent_dim,
decoder latent_dim → hidden[-1] → ... → hidden[0] → features, ReLU between layers, no BatchNorm or
dropout. Loss for a batch of B rows: SSE(x̂, x)/B + β·KL/B with
KL = −½·Σ(1 + log σ² − μ² − σ²). β rises linearly over the warm-up epochs, then stays at β_end.
Other kinds (`kind`: beta_tcvae, semi_supervised) change the loss, and semi_supervised adds an
auxiliary head on μ (`SemiSupervisedVAE`); their objectives are in
`lithoflow.vae.objectives`. Gradients come from autograd (`AutogradVAEStep`), or for the
plain kind and architecture from the hand-written `lithoflow.vae.fast_step.FastVAEStep`; rule
train_vae is a `VAERun` through `lithoflow.training.runs.run_training`.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn.utils import skip_init

from lithoflow.core.dataset import read_dataset
from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import read_json, write_json
from lithoflow.features.scaling import Scaler, ScalingConfig
from lithoflow.hierarchy.mapping import read_mapping
from lithoflow.training.checkpoints import ResumeStore, load_torch
from lithoflow.training.loop import (
    GeneratorsAndOptimizer,
    TrainingResult,
    batch_bounds,
    derive_seeds,
    init_linear_,
    make_adam,
    make_generator,
    run_epochs,
    shuffled,
    to_tensor,
)
from lithoflow.training.runs import (
    CONFIG_FILE,
    MODEL_FILE,
    SCALER_FILE,
    TorchModelRun,
    run_training,
)
from lithoflow.vae import embeddings as emb
from lithoflow.vae.fast_step import FastVAEStep
from lithoflow.vae.objectives import (
    AuxTarget,
    BetaTCObjective,
    PlainObjective,
    SemiSupervisedObjective,
    VAEObjective,
    aux_values,
    vae_loss_terms,
)

log = logging.getLogger(__name__)

VAE_FORMAT = "lithoflow.models.vae"
FEATURES_FILE = "features.json"
EMBEDDINGS_FILE = "embeddings.parquet"
# The module whose code (with every lithoflow module it imports) is part of the resume key.
CODE_MODULES = ("vae.model",)
HISTORY_COLUMNS = ("epoch", "beta", "loss", "recon", "kl", "val_loss", "val_recon", "val_kl")
# How fit_vae gets gradients: "fast" (hand-written, plain VAE only), "autograd", or "auto" (fast
# where it applies, else autograd).
GRADIENT_PATHS = ("auto", "fast", "autograd")
# config.json's description of each kind's loss.
LOSS_TEXT = {
    "vae": "SSE/B + beta*KL/B in scaled space",
    "beta_tcvae": "SSE/B + beta*(MI + DWKL + tc_weight*TC) in scaled space, each term estimated "
    "per batch by minibatch-weighted sampling (Chen et al. 2018)",
    "semi_supervised": "SSE/B + beta*KL/B in scaled space + aux_weight*(the auxiliary head's "
    "loss on mu: cross-entropy over rows of classes seen in training, or MSE of standardised "
    "depth)",
}


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
    features: tuple[str, ...] = ()  # the dataset features it models; () = all of them
    kind: str = "vae"  # vae | beta_tcvae | semi_supervised (lithoflow.vae.objectives)
    tc_weight: float | None = None  # beta_tcvae: weight of the total correlation (times β)
    aux_target: str | None = None  # semi_supervised: group | lithology | depth | borehole
    aux_weight: float | None = None  # semi_supervised: weight of the auxiliary loss
    aux_hidden: tuple[int, ...] = ()  # semi_supervised: hidden layers of the head (): linear

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
            features=tuple(model.get("features") or ()),
            kind=str(model.get("kind", "vae")),
            tc_weight=_optional_float(model.get("tc_weight")),
            aux_target=model.get("aux_target"),
            aux_weight=_optional_float(model.get("aux_weight")),
            aux_hidden=tuple(int(h) for h in model.get("aux_hidden") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["hidden"] = list(self.hidden)
        payload["features"] = list(self.features)
        payload["aux_hidden"] = list(self.aux_hidden)
        # Keys at their defaults are left out, so plain VAEs keep the settings (and resume keys)
        # they had before the keys existed.
        defaults = {"features": [], "kind": "vae", "tc_weight": None, "aux_target": None,
                    "aux_weight": None, "aux_hidden": []}  # fmt: skip
        for key, default in defaults.items():
            if payload[key] == default:
                del payload[key]
        return payload

    def beta(self, epoch: int) -> float:
        """β of the 0-based `epoch`."""
        return beta_for_epoch(epoch, self.beta_start, self.beta_end, self.beta_warmup_epochs)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


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


class SemiSupervisedVAE(VAE):
    """The VAE plus an auxiliary head on μ (linear, or an MLP with `aux_hidden` layers) that
    predicts `aux_outputs` values (class logits, or one standardised depth)."""

    def __init__(
        self,
        n_features: int,
        hidden: Sequence[int],
        latent_dim: int,
        aux_outputs: int,
        aux_hidden: Sequence[int] = (),
        generator: torch.Generator | None = None,
    ) -> None:
        generator = generator if generator is not None else make_generator(0)
        super().__init__(n_features, hidden, latent_dim, generator=generator)
        self.aux_hidden = tuple(int(h) for h in aux_hidden)
        self.aux_outputs = int(aux_outputs)
        self.aux_head = _mlp([latent_dim, *self.aux_hidden, aux_outputs], final_activation=False)
        for layer in self.aux_head:
            if isinstance(layer, nn.Linear):
                init_linear_(layer, generator)


class VAEStep(Protocol):
    """Loss and gradients of one batch, and the optimizer that applies them."""

    optimizer: Any

    def loss_and_grad(
        self, x: torch.Tensor, eps: torch.Tensor, beta: float, target: torch.Tensor | None = None
    ) -> dict[str, torch.Tensor]:
        """Fill the gradients of the loss; return the batch's sums of its terms: "recon" (SSE),
        "kl_twice" (2·KL) and the objective's extra terms (per-row mean × rows)."""


class AutogradVAEStep:
    """A kind's loss (`objective`, plain by default) through the model's own modules, gradients by
    autograd, torch.optim.Adam.

    The path for every VAE; the plain `VAE` may take `FastVAEStep` instead (same numbers up to
    rounding, see tests/unit/test_vae.py).
    """

    def __init__(
        self,
        model: VAE,
        learning_rate: float,
        objective: VAEObjective | None = None,
        dataset_size: int = 1,
    ) -> None:
        self.model = model
        self.objective = objective if objective is not None else PlainObjective()
        self.dataset_size = int(dataset_size)
        self.optimizer = make_adam(model.parameters(), learning_rate)

    def loss_and_grad(
        self, x: torch.Tensor, eps: torch.Tensor, beta: float, target: torch.Tensor | None = None
    ) -> dict[str, torch.Tensor]:
        self.optimizer.zero_grad()
        with torch.enable_grad():
            terms = self.objective.terms(self.model, x, eps, target, self.dataset_size)
            self.objective.loss(terms, beta).backward()
        n_rows = x.shape[0]
        sums = {"recon": terms["recon"].detach() * n_rows}
        sums["kl_twice"] = terms["kl"].detach() * (2 * n_rows)
        for name in self.objective.extra_terms:
            sums[name] = terms[name].detach() * n_rows
        return sums


def fast_step_applies(model: nn.Module, objective: VAEObjective | None = None) -> bool:
    """True for the plain `VAE` (not subclasses) with the plain loss, whose gradients
    `FastVAEStep` computes by hand."""
    return type(model) is VAE and (objective is None or isinstance(objective, PlainObjective))


def make_vae_step(
    model: VAE,
    learning_rate: float,
    gradients: str = "auto",
    objective: VAEObjective | None = None,
    dataset_size: int = 1,
) -> VAEStep:
    """The training step for `model` and its loss: hand-written gradients where they apply, else
    autograd. `dataset_size` (training rows) is what the β-TCVAE estimator samples from."""
    if gradients not in GRADIENT_PATHS:
        raise ValueError(f"gradients must be one of {GRADIENT_PATHS}, got {gradients!r}")
    applies = fast_step_applies(model, objective)
    if gradients == "auto":
        gradients = "fast" if applies else "autograd"
    if gradients == "fast":
        if not applies:
            raise ValueError(
                f"the hand-written step is for the plain VAE and loss, not {type(model)} "
                f"with {type(objective).__name__}"
            )
        return FastVAEStep(model, learning_rate)
    return AutogradVAEStep(model, learning_rate, objective, dataset_size)


class VAETask(GeneratorsAndOptimizer):
    """One VAE training run for `run_epochs`: data on the device, a step, two generators.

    Each epoch draws one permutation (shuffle generator) and one block of N(0, 1) noise (noise
    generator). Validation uses a fixed noise draw, so val losses of different epochs compare.
    `objective` is the kind's loss (plain by default); `target_train`/`target_val` the rows'
    auxiliary targets where it needs them (semi_supervised).
    """

    def __init__(
        self,
        model: VAE,
        x_train: torch.Tensor,
        x_val: torch.Tensor | None,
        config: VAEConfig,
        device: torch.device,
        gradients: str = "auto",
        objective: VAEObjective | None = None,
        target_train: torch.Tensor | None = None,
        target_val: torch.Tensor | None = None,
    ) -> None:
        self.model = model
        self.config = config
        self.x_train = x_train
        self.x_val = x_val if x_val is not None and x_val.shape[0] else None
        self.objective = objective if objective is not None else PlainObjective()
        self.target_train = target_train
        self.target_val = target_val if self.x_val is not None else None
        self.step = make_vae_step(
            model, config.learning_rate, gradients, self.objective, x_train.shape[0]
        )
        self.optimizer = self.step.optimizer
        _, shuffle_seed, noise_seed, val_seed = derive_seeds(config.seed, 4)
        self.shuffle_generator = make_generator(shuffle_seed, device)
        self.noise_generator = make_generator(noise_seed, device)
        self.generators = {
            "shuffle_generator": self.shuffle_generator,
            "noise_generator": self.noise_generator,
        }
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
        tensors = [self.x_train] if self.target_train is None else [self.x_train, self.target_train]
        x_epoch, *targets = shuffled(tensors, self.shuffle_generator)
        eps = torch.randn(
            (n_rows, self.model.latent_dim),
            generator=self.noise_generator,
            device=self.x_train.device,
        )
        names = ("recon", "kl_twice", *self.objective.extra_terms)
        totals = {
            name: torch.zeros((), dtype=torch.float64, device=self.x_train.device) for name in names
        }
        for start, stop in self.bounds:
            target = targets[0][start:stop] if targets else None
            sums = self.step.loss_and_grad(x_epoch[start:stop], eps[start:stop], beta, target)
            self.optimizer.step()
            for name in names:
                totals[name] += sums[name]
        recon = totals["recon"].item() / n_rows
        kl = 0.5 * totals["kl_twice"].item() / n_rows
        terms = {"recon": recon, "kl": kl}
        terms.update({name: totals[name].item() / n_rows for name in self.objective.extra_terms})
        return {"beta": beta, "loss": self.objective.loss(terms, beta), **terms}

    @torch.no_grad()
    def evaluate(self, epoch: int) -> dict[str, float]:
        if self.x_val is None:
            return {}
        beta = self.config.beta(epoch)
        if isinstance(self.objective, PlainObjective):  # one batch: no term depends on its size
            recon_x, mu, logvar = self.model(self.x_val, self.val_eps)
            recon, kl = (t.item() for t in vae_loss_terms(self.x_val, recon_x, mu, logvar))
            return {"val_loss": recon + beta * kl, "val_recon": recon, "val_kl": kl}
        # In training batches: the β-TCVAE estimator depends on the batch size.
        n_rows = self.x_val.shape[0]
        totals: dict[str, float] = {}
        for start, stop in batch_bounds(n_rows, self.config.batch_size):
            target = None if self.target_val is None else self.target_val[start:stop]
            x, eps = self.x_val[start:stop], self.val_eps[start:stop]
            for name, value in self.objective.terms(self.model, x, eps, target, n_rows).items():
                totals[name] = totals.get(name, 0.0) + value.item() * (stop - start)
        terms = {name: total / n_rows for name, total in totals.items()}
        values = {"val_loss": self.objective.loss(terms, beta)}
        return values | {f"val_{name}": value for name, value in terms.items()}


def build_vae(n_features: int, config: VAEConfig, aux: AuxTarget | None = None) -> VAE:
    """A freshly initialised VAE of the config's kind (semi_supervised: with the head `aux`
    needs); the weights depend only on the config seed."""
    generator = make_generator(derive_seeds(config.seed, 4)[0])
    if config.kind == "semi_supervised":
        if aux is None:
            raise ValueError("a semi-supervised VAE needs its auxiliary target's encoding")
        return SemiSupervisedVAE(
            n_features,
            config.hidden,
            config.latent_dim,
            aux.n_outputs,
            config.aux_hidden,
            generator=generator,
        )
    return VAE(n_features, config.hidden, config.latent_dim, generator=generator)


def make_objective(config: VAEConfig, aux: AuxTarget | None = None) -> VAEObjective:
    """The loss of the config's kind."""
    if config.kind == "vae":
        return PlainObjective()
    if config.kind == "beta_tcvae":
        if config.tc_weight is None:
            raise ValueError("kind beta_tcvae needs tc_weight")
        return BetaTCObjective(config.tc_weight)
    if config.kind == "semi_supervised":
        if aux is None or config.aux_weight is None:
            raise ValueError("kind semi_supervised needs aux_target and aux_weight")
        return SemiSupervisedObjective(config.aux_weight, aux)
    raise ValueError(f"unknown VAE kind {config.kind!r}")


def fit_vae(
    model: VAE,
    x_train: np.ndarray,
    x_val: np.ndarray | None,
    config: VAEConfig,
    device: torch.device,
    *,
    resume: ResumeStore | None = None,
    on_epoch_end: Callable[[dict[str, Any]], None] | None = None,
    gradients: str = "auto",
    aux: AuxTarget | None = None,
    targets: tuple[np.ndarray, np.ndarray | None] | None = None,
) -> TrainingResult:
    """Train `model` in place on scaled rows for config.epochs; the last epoch's weights stay.

    No early stopping (the recipe saves the weights after the last epoch); the validation loss,
    if `x_val` has rows, is logged every epoch. `gradients` picks the step (GRADIENT_PATHS):
    "auto" takes the hand-written one for the plain VAE and autograd for anything else.
    A semi-supervised VAE takes its target's encoding `aux` and the encoded (train, val)
    `targets` of the rows.
    """
    if x_train.shape[0] == 0:
        raise InputDataError("the VAE has no training rows")
    model.to(device)
    train = to_tensor(x_train, device)
    val = None
    if x_val is not None and x_val.shape[0]:
        val = to_tensor(x_val, device)
    target_train = target_val = None
    if targets is not None and aux is not None:
        dtype = torch.int64 if aux.is_classification else torch.float32
        target_train = to_tensor(targets[0], device, dtype)
        if val is not None and targets[1] is not None:
            target_val = to_tensor(targets[1], device, dtype)
    task = VAETask(
        model,
        train,
        val,
        config,
        device,
        gradients,
        objective=make_objective(config, aux),
        target_train=target_train,
        target_val=target_val,
    )
    return run_epochs(task, config.epochs, resume=resume, on_epoch_end=on_epoch_end)


def load_vae(model_dir: str | os.PathLike[str]) -> tuple[VAE, Scaler, list[str]]:
    """(model in eval mode on the CPU, its scaler, its feature list) from a VAE folder."""
    folder = Path(model_dir)
    config = read_json(folder / CONFIG_FILE)
    if config.get("format") != VAE_FORMAT:
        raise InputDataError("not a lithoflow VAE config", path=str(folder / CONFIG_FILE))
    arch = config["architecture"]
    if arch.get("kind", "vae") == "semi_supervised":
        model: VAE = SemiSupervisedVAE(
            arch["n_features"],
            arch["hidden"],
            arch["latent_dim"],
            arch["aux_outputs"],
            arch.get("aux_hidden", []),
        )
    else:
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


@dataclass
class VAERun(TorchModelRun[VAE]):
    """Rule train_vae's part of `run_training`: scaled rows, which of them train, the model.

    Besides the common files it writes features.json and embeddings.parquet (μ of every row).
    Only complete rows (every feature present; `complete`) fit the scaler, train and are
    encoded; a row with a missing feature (``ingest.missing_features: keep``) gets NaN μ.
    A semi-supervised VAE also has its target's encoding `aux` and every row's encoded target.
    """

    step: ClassVar[str] = "train_vae"
    code_modules: ClassVar[tuple[str, ...]] = CODE_MODULES
    history_columns: ClassVar[tuple[str, ...]] = HISTORY_COLUMNS

    name: str
    config: VAEConfig
    frame: pd.DataFrame
    split: np.ndarray
    x_all: np.ndarray  # scaled features; NaN rows where `complete` is False
    complete: np.ndarray  # bool per row: every feature present
    is_train: np.ndarray
    is_val: np.ndarray
    fit_rows: np.ndarray
    scaler: Scaler
    input_files: list[str | os.PathLike[str]]
    model: VAE | None = None
    aux: AuxTarget | None = None
    aux_encoded: np.ndarray | None = None

    @property
    def settings(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "vae": self.config.to_dict(),
            "scaling": {"transforms": list(self.scaler.transforms)},
            "features": list(self.scaler.features),
        }

    def fit(
        self,
        device: torch.device,
        resume: ResumeStore | None,
        on_epoch_end: Callable[[dict[str, Any]], None] | None,
    ) -> TrainingResult:
        self.model = build_vae(self.x_all.shape[1], self.config, self.aux)
        targets = None
        if self.aux_encoded is not None:
            targets = (self.aux_encoded[self.is_train], self.aux_encoded[self.is_val])
        result = fit_vae(
            self.model,
            self.x_all[self.is_train],
            self.x_all[self.is_val] if self.is_val.any() else None,
            self.config,
            device,
            resume=resume,
            on_epoch_end=on_epoch_end,
            aux=self.aux,
            targets=targets,
        )
        self.model.eval()
        self.model.cpu()
        return result

    def config_payload(self, result: TrainingResult) -> dict[str, Any]:
        config = self.config
        features = list(self.scaler.features)
        payload = {
            "format": VAE_FORMAT,
            "name": self.name,
            "architecture": {
                "n_features": len(features),
                "hidden": list(config.hidden),
                "latent_dim": config.latent_dim,
                "activation": "relu",
                "parameters": sum(p.numel() for p in self.fitted().parameters()),
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
                "train": int(self.is_train.sum()),
                "val": int(self.is_val.sum()),
                "scaler_fit": int(self.fit_rows.sum()),
                "all": len(self.frame),
                "encoded": int(self.complete.sum()),
                "left_out_missing_features": int((~self.complete).sum()),
            },
        }
        if config.kind != "vae":  # plain VAEs keep the config.json they always had
            payload["architecture"]["kind"] = config.kind
            payload["training"]["kind"] = config.kind
            payload["training"]["loss"] = LOSS_TEXT[config.kind]
            if config.kind == "beta_tcvae":
                payload["training"]["tc_weight"] = config.tc_weight
                payload["training"]["tc_estimator"] = "minibatch-weighted sampling"
            if self.aux is not None:
                payload["architecture"]["aux_outputs"] = self.aux.n_outputs
                payload["architecture"]["aux_hidden"] = list(config.aux_hidden)
                payload["training"]["aux_weight"] = config.aux_weight
                payload["aux"] = self.aux.to_dict()
        return payload

    def write_results(
        self, folder: Path, result: TrainingResult, device: torch.device
    ) -> dict[str, Any]:
        """features.json, and embeddings.parquet: μ of every complete row (encoded on the CPU),
        NaN μ for the rows with a missing feature."""
        write_json(folder / FEATURES_FILE, list(self.scaler.features))
        if self.complete.all():
            mu = emb.encode_in_batches(self.fitted(), self.x_all, "cpu")
        else:
            mu = np.full((len(self.x_all), self.config.latent_dim), np.nan)
            if self.complete.any():
                mu[self.complete] = emb.encode_in_batches(
                    self.fitted(), self.x_all[self.complete], "cpu"
                )
        metadata = {
            "vae": self.name,
            "split_method": self.config.split,
            "train_on": self.config.train_on,
            "scaler_fit": self.config.scaler_fit,
            "latent_columns": emb.latent_columns(self.config.latent_dim),
        }
        table = emb.embeddings_frame(self.frame, self.split, mu)
        emb.write_embeddings(folder / EMBEDDINGS_FILE, table, metadata)
        return {}


def prepare_vae_run(
    *,
    name: str,
    config: VAEConfig,
    scaling: ScalingConfig,
    features_path: str | os.PathLike[str],
    split_paths: Mapping[str, str | os.PathLike[str]],
    hierarchy_path: str | os.PathLike[str] | None = None,
) -> VAERun:
    """Read the features table and split parts, choose training rows, fit the scaler.

    Trains on the train part of `split_paths` (config.train_on "train"; validation loss logged)
    or on every row of the features table ("all"). Rows with a missing feature (the dataset keeps
    them with ``ingest.missing_features: keep``) take no part in fitting or training; they are
    counted and logged, and get NaN μ. A semi-supervised VAE's target comes from the dataset
    (groups through the hierarchy mapping at `hierarchy_path`); its encoding is learnt from the
    training rows.
    """
    dataset = read_dataset(features_path)
    parts = {}
    for part in emb.PARTS:
        part_dataset = read_dataset(split_paths[part])
        _check_same_features(dataset.features, part_dataset.features, str(split_paths[part]))
        parts[part] = part_dataset.frame
    features = list(config.features or dataset.features)
    unknown = [f for f in features if f not in dataset.features]
    if unknown:
        raise InputDataError(
            f"VAE {name}: features {format_list(unknown)} are not in the dataset "
            f"({format_list(dataset.features)})",
            path=str(features_path),
        )
    frame = dataset.frame.reset_index(drop=True)
    split = emb.assign_split(frame, parts)
    raw = frame[features].to_numpy(dtype=np.float64)
    complete = ~np.isnan(raw).any(axis=1)
    everything, nothing = np.ones(len(frame), dtype=bool), np.zeros(len(frame), dtype=bool)
    is_train = (split == "train" if config.train_on == "train" else everything) & complete
    is_val = ((split == "val") if config.train_on == "train" else nothing) & complete
    fit_rows = (is_train if config.scaler_fit == "train" else everything) & complete
    n_incomplete = int((~complete).sum())
    if n_incomplete:
        missing = {f: int(n) for f, n in zip(features, np.isnan(raw).sum(axis=0), strict=True)}
        log.warning(
            "VAE %s: %d of %d rows lack a feature and are left out of scaling, training and "
            "encoding (NaN mu); missing per feature: %s",
            name,
            n_incomplete,
            len(frame),
            ", ".join(f"{f}: {n}" for f, n in missing.items() if n),
        )
    if n_incomplete and not (fit_rows.any() and is_train.any()):
        raise InputDataError(
            f"VAE {name}: no complete training rows ({n_incomplete} of {len(frame)} rows lack a "
            f"feature of {format_list(features)}); drop the features some wells lack",
            path=str(features_path),
        )
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
    if complete.all():
        x_all = scaler.transform(raw)
    else:
        x_all = np.full_like(raw, np.nan)
        x_all[complete] = scaler.transform(raw[complete])
    aux = aux_encoded = None
    input_files: list[str | os.PathLike[str]] = [
        features_path,
        *(split_paths[p] for p in emb.PARTS),
    ]
    if config.kind == "semi_supervised":
        if config.aux_target is None:
            raise ValueError(f"VAE {name}: kind semi_supervised needs aux_target")
        mapping = None
        if config.aux_target == "group":
            if hierarchy_path is None:
                raise ValueError(f"VAE {name}: aux_target group needs the hierarchy mapping")
            mapping = read_mapping(hierarchy_path)
            input_files.append(hierarchy_path)
        values = aux_values(frame, config.aux_target, mapping)
        aux = AuxTarget.fit(config.aux_target, values[is_train])
        aux_encoded = aux.encode(values)
        log.info(
            "VAE %s: auxiliary target %s (%d outputs) on mu, weight %g",
            name,
            config.aux_target,
            aux.n_outputs,
            config.aux_weight,
        )
    return VAERun(
        name=name,
        config=config,
        frame=frame,
        split=split,
        x_all=x_all,
        complete=complete,
        is_train=is_train,
        is_val=is_val,
        fit_rows=fit_rows,
        scaler=scaler,
        input_files=input_files,
        aux=aux,
        aux_encoded=aux_encoded,
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
    hierarchy_path: str | os.PathLike[str] | None = None,
) -> TrainingResult:
    """Rule train_vae: fit the scaler and the VAE, write the model folder and embeddings.parquet.

    The steps (resume key, fit, files, provenance) are `lithoflow.training.runs.run_training`'s.
    """
    run = prepare_vae_run(
        name=name,
        config=config,
        scaling=scaling,
        features_path=features_path,
        split_paths=split_paths,
        hierarchy_path=hierarchy_path,
    )
    outcome = run_training(
        run,
        output_dir=output_dir,
        device=device,
        resume_dir=resume_dir,
        full_config=full_config,
        workflow_dir=workflow_dir,
        on_epoch_end=on_epoch_end,
    )
    return outcome.training
