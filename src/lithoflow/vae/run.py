"""Rule train_vae: one VAE of the config trained as a `VAERun` through
`lithoflow.training.runs.run_training`, its run folder written, and `load_vae` to read it back.

The pieces live beside it: the settings (`lithoflow.vae.config`), the network
(`lithoflow.vae.network`), the objectives of the kinds (`lithoflow.vae.objectives`), one
optimizer step (`lithoflow.vae.steps`, hand-written for the plain VAE in
`lithoflow.vae.fast_step`), the epoch loop (`lithoflow.vae.fit`) and the embeddings
(`lithoflow.vae.embeddings`). The recipe is docs/investigation.md §3.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch

from lithoflow.core.dataset import read_dataset
from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import read_json, write_json
from lithoflow.features.scaling import Scaler, ScalingConfig
from lithoflow.hierarchy.mapping import read_mapping
from lithoflow.training.checkpoints import ResumeStore, load_torch
from lithoflow.training.loop import (
    TrainingResult,
)
from lithoflow.training.runs import (
    CONFIG_FILE,
    MODEL_FILE,
    SCALER_FILE,
    TorchModelRun,
    run_training,
)
from lithoflow.vae import embeddings as emb
from lithoflow.vae.config import VAEConfig
from lithoflow.vae.fit import fit_vae
from lithoflow.vae.network import VAE, SemiSupervisedVAE, build_vae
from lithoflow.vae.objectives import (
    AuxTarget,
    aux_values,
)

log = logging.getLogger(__name__)

VAE_FORMAT = "lithoflow.models.vae"
FEATURES_FILE = "features.json"
EMBEDDINGS_FILE = "embeddings.parquet"
# The module whose code (with every lithoflow module it imports) is part of the resume key.
CODE_MODULES = ("vae.run",)
HISTORY_COLUMNS = ("epoch", "beta", "loss", "recon", "kl", "val_loss", "val_recon", "val_kl")
# config.json's description of each kind's loss.
LOSS_TEXT = {
    "vae": "SSE/B + beta*KL/B in scaled space",
    "beta_tcvae": "SSE/B + beta*(MI + DWKL + tc_weight*TC) in scaled space, each term estimated "
    "per batch by minibatch-weighted sampling (Chen et al. 2018)",
    "semi_supervised": "SSE/B + beta*KL/B in scaled space + aux_weight*(the auxiliary head's "
    "loss on mu: cross-entropy over rows of classes seen in training, or MSE of standardised "
    "depth)",
}


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

    def timings(self) -> dict[str, Any]:
        """The VAE has no steps beyond its epochs (their seconds are in history.csv)."""
        return {}

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
