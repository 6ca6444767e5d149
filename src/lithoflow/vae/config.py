"""One VAE of the config (`vae.models.<name>`): data scope, architecture and training recipe,
and the beta schedule (docs/investigation.md §3)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

log = logging.getLogger(__name__)


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
