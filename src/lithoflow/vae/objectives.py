"""What each VAE kind (`vae.models.<name>.kind`) minimises, as per-row terms of one batch.

- ``vae`` (`PlainObjective`): SSE/B + β·KL/B, the v2.6.7 recipe (the analytic Gaussian KL).
- ``beta_tcvae`` (`BetaTCObjective`, Chen et al. 2018, "Isolating sources of disentanglement in
  VAEs"): the KL term split into index-code mutual information (MI), total correlation (TC) and
  dimension-wise KL (DWKL), each estimated on the batch with minibatch-weighted sampling
  (`tc_decomposition`); the loss is SSE/B + β·(MI + DWKL + tc_weight·TC). With tc_weight 1 it is
  a Monte Carlo version of the plain loss; larger weights penalise statistically dependent latent
  dimensions. β (the config's schedule) weighs every part, so the warm-up applies to all three.
- ``semi_supervised`` (`SemiSupervisedObjective`): the plain loss plus aux_weight times the loss
  of an auxiliary head on μ that predicts a per-row target (`AuxTarget`): cross-entropy for a
  class (group, lithology, borehole), mean squared error for standardised depth.

Every objective returns per-row means (`terms`) so that batches of any size compare, and
combines them into the loss with β (`loss`, on tensors for the gradient or floats for history).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from lithoflow.core.dataset import DEPTH_COLUMN, LABEL_COLUMN
from lithoflow.hierarchy.mapping import groups_of

LOG_2PI = math.log(2.0 * math.pi)
KINDS: tuple[str, ...] = ("vae", "beta_tcvae", "semi_supervised")
AUX_TARGETS: tuple[str, ...] = ("group", "lithology", "depth", "borehole")
# Marks a row whose class the auxiliary head never saw in training: it adds nothing to the loss.
UNSEEN_CLASS = -1
GROUP_COLUMN = "group"
BOREHOLE_COLUMN = "borehole_id"
# Dataset column of each auxiliary target (groups come from the hierarchy mapping).
AUX_COLUMNS = {
    "group": GROUP_COLUMN,
    "lithology": LABEL_COLUMN,
    "depth": DEPTH_COLUMN,
    "borehole": BOREHOLE_COLUMN,
}


def vae_loss_terms(
    x: torch.Tensor, recon: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(SSE/B, KL/B) of a batch of B rows; the loss is SSE/B + β·KL/B."""
    n_rows = x.shape[0]
    sse = (recon - x).pow(2).sum() / n_rows
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum() / n_rows
    return sse, kl


def gaussian_log_density(z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """log N(z; μ, σ²) element by element (broadcasting)."""
    return -0.5 * (LOG_2PI + logvar + (z - mu).pow(2) * torch.exp(-logvar))


def tc_decomposition(
    z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, dataset_size: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(MI, TC, DWKL), each the batch mean of its per-row estimate (Chen et al. 2018, §3).

    z[i] is a draw from q(z|x_i) = N(μ_i, σ_i²). The aggregate posterior q(z) and its marginals
    q(z_d) are estimated by minibatch-weighted sampling over the B rows of the batch, drawn from
    `dataset_size` rows: log q(z_i) ≈ logsumexp_j log q(z_i|x_j) − log(B·N), likewise per
    dimension. Then MI = E[log q(z|x) − log q(z)], TC = E[log q(z) − Σ_d log q(z_d)] and
    DWKL = E[Σ_d log q(z_d) − log p(z)] with p = N(0, I); their sum is E[log q(z|x) − log p(z)],
    a Monte Carlo estimate of the KL term.
    """
    n_rows = z.shape[0]
    log_q_z_given_x = gaussian_log_density(z, mu, logvar).sum(dim=1)
    log_p_z = gaussian_log_density(z, torch.zeros_like(z), torch.zeros_like(z)).sum(dim=1)
    # pairs[i, j, d] = log q(z_i,d | x_j)
    pairs = gaussian_log_density(z.unsqueeze(1), mu.unsqueeze(0), logvar.unsqueeze(0))
    log_norm = math.log(n_rows * dataset_size)
    log_q_z = torch.logsumexp(pairs.sum(dim=2), dim=1) - log_norm
    log_prod_q_zd = (torch.logsumexp(pairs, dim=1) - log_norm).sum(dim=1)
    mi = (log_q_z_given_x - log_q_z).mean()
    tc = (log_q_z - log_prod_q_zd).mean()
    dwkl = (log_prod_q_zd - log_p_z).mean()
    return mi, tc, dwkl


class VAEObjective(Protocol):
    """A kind's loss: per-row terms of a batch, and how β combines them."""

    kind: str
    extra_terms: tuple[str, ...]  # terms besides "recon" and "kl", as history columns

    def terms(
        self,
        model: Any,
        x: torch.Tensor,
        eps: torch.Tensor,
        target: torch.Tensor | None,
        dataset_size: int,
    ) -> dict[str, torch.Tensor]:
        """Per-row means: "recon" (SSE/B), "kl" (analytic KL/B) and the `extra_terms`."""

    def loss(self, terms: Mapping[str, Any], beta: float) -> Any:
        """The loss from `terms` (tensors or floats)."""


class PlainObjective:
    """The v2.6.7 loss SSE/B + β·KL/B."""

    kind = "vae"
    extra_terms: tuple[str, ...] = ()

    def terms(
        self,
        model: Any,
        x: torch.Tensor,
        eps: torch.Tensor,
        target: torch.Tensor | None,
        dataset_size: int,
    ) -> dict[str, torch.Tensor]:
        recon, mu, logvar = model(x, eps)
        sse, kl = vae_loss_terms(x, recon, mu, logvar)
        return {"recon": sse, "kl": kl}

    def loss(self, terms: Mapping[str, Any], beta: float) -> Any:
        return terms["recon"] + beta * terms["kl"]


@dataclass(frozen=True)
class BetaTCObjective:
    """β-TCVAE: SSE/B + β·(MI + DWKL + tc_weight·TC), terms from `tc_decomposition`."""

    tc_weight: float
    kind: str = "beta_tcvae"
    extra_terms: tuple[str, ...] = ("mi", "tc", "dwkl")

    def terms(
        self,
        model: Any,
        x: torch.Tensor,
        eps: torch.Tensor,
        target: torch.Tensor | None,
        dataset_size: int,
    ) -> dict[str, torch.Tensor]:
        mu, logvar = model.encode(x)
        z = mu + torch.exp(0.5 * logvar) * eps
        sse, kl = vae_loss_terms(x, model.decode(z), mu, logvar)
        mi, tc, dwkl = tc_decomposition(z, mu, logvar, dataset_size)
        return {"recon": sse, "kl": kl, "mi": mi, "tc": tc, "dwkl": dwkl}

    def loss(self, terms: Mapping[str, Any], beta: float) -> Any:
        penalty = terms["mi"] + terms["dwkl"] + self.tc_weight * terms["tc"]
        return terms["recon"] + beta * penalty


@dataclass(frozen=True)
class AuxTarget:
    """How a semi-supervised VAE's auxiliary target is encoded.

    Classes (`classes`, from the training rows) map to their index, any other class to
    `UNSEEN_CLASS`; depth is standardised with the training rows' `mean` and `std`.
    """

    target: str
    classes: tuple[str, ...] = ()
    mean: float = 0.0
    std: float = 1.0

    @property
    def is_classification(self) -> bool:
        return self.target != "depth"

    @property
    def n_outputs(self) -> int:
        return len(self.classes) if self.is_classification else 1

    @classmethod
    def fit(cls, target: str, values: pd.Series | np.ndarray) -> AuxTarget:
        """The encoding learnt from the training rows' raw target `values`."""
        if target not in AUX_TARGETS:
            raise ValueError(f"aux_target must be one of {AUX_TARGETS}, got {target!r}")
        if target == "depth":
            array = np.asarray(values, dtype=np.float64)
            std = float(array.std())
            return cls(target, mean=float(array.mean()), std=std if std > 0 else 1.0)
        classes = tuple(sorted({str(v) for v in values}))
        return cls(target, classes=classes)

    def encode(self, values: pd.Series | np.ndarray) -> np.ndarray:
        """int64 class indices (UNSEEN_CLASS for unknown classes) or float standardised depth."""
        if not self.is_classification:
            return (np.asarray(values, dtype=np.float64) - self.mean) / self.std
        index = {name: i for i, name in enumerate(self.classes)}
        return np.array([index.get(str(v), UNSEEN_CLASS) for v in values], dtype=np.int64)

    def to_dict(self) -> dict[str, Any]:
        if self.is_classification:
            return {"target": self.target, "loss": "cross_entropy", "classes": list(self.classes)}
        return {
            "target": self.target,
            "loss": "mse_standardised",
            "column": DEPTH_COLUMN,
            "mean": self.mean,
            "std": self.std,
        }

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any]) -> AuxTarget:
        return cls(
            target=str(payload["target"]),
            classes=tuple(payload.get("classes") or ()),
            mean=float(payload.get("mean", 0.0)),
            std=float(payload.get("std", 1.0)),
        )


def aux_loss(output: torch.Tensor, target: torch.Tensor, encoding: AuxTarget) -> torch.Tensor:
    """Mean cross-entropy over the rows of a class seen in training, or mean squared error."""
    if not encoding.is_classification:
        return F.mse_loss(output[:, 0], target)
    seen = target != UNSEEN_CLASS
    if not bool(seen.any()):
        return output.sum() * 0.0
    return F.cross_entropy(output[seen], target[seen])


@dataclass(frozen=True)
class SemiSupervisedObjective:
    """SSE/B + β·KL/B + aux_weight·(auxiliary head's loss on μ)."""

    aux_weight: float
    encoding: AuxTarget
    kind: str = "semi_supervised"
    extra_terms: tuple[str, ...] = ("aux",)

    def terms(
        self,
        model: Any,
        x: torch.Tensor,
        eps: torch.Tensor,
        target: torch.Tensor | None,
        dataset_size: int,
    ) -> dict[str, torch.Tensor]:
        if target is None:
            raise ValueError("a semi-supervised VAE needs the auxiliary target of every row")
        recon, mu, logvar = model(x, eps)
        sse, kl = vae_loss_terms(x, recon, mu, logvar)
        return {"recon": sse, "kl": kl, "aux": aux_loss(model.aux_head(mu), target, self.encoding)}

    def loss(self, terms: Mapping[str, Any], beta: float) -> Any:
        return terms["recon"] + beta * terms["kl"] + self.aux_weight * terms["aux"]


def aux_values(
    frame: pd.DataFrame, target: str, label_to_group: Mapping[str, str] | None = None
) -> pd.Series:
    """The raw auxiliary target of every row of a dataset frame (groups via the mapping)."""
    if target == "group":
        if label_to_group is None:
            raise ValueError("aux_target group needs the hierarchy mapping")
        return groups_of(frame[LABEL_COLUMN], label_to_group)
    return frame[AUX_COLUMNS[target]]
