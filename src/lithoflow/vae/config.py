"""One VAE of the config (`vae.models.<name>`): data scope, architecture and training recipe,
and the beta schedule (docs/investigation.md §3)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from lithoflow.core.config import feature_names
from lithoflow.core.errors import close_matches_text, format_list
from lithoflow.core.typed import build

log = logging.getLogger(__name__)

# The investigation's VAE (SSE/B + β·KL/B); the other kinds change its loss.
PLAIN_KIND = "vae"
# Seconds per 100 epochs on one CPU core at the full simulated scale (≈ 241 k rows), read off the
# rule benchmarks of a full-scale default run, for job ordering only (longest first): the plain
# VAE (hand-written step), the kinds trained with autograd, and the β-TCVAE, whose estimator
# compares every pair of rows in a batch.
SECONDS_PER_100_EPOCHS = {"vae": 40.0, "semi_supervised": 120.0, "beta_tcvae": 1700.0}


@dataclass(frozen=True, kw_only=True)
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
    kind: str  # vae | beta_tcvae | semi_supervised (lithoflow.vae.objectives)
    features: tuple[str, ...] = ()  # the dataset features it models; () = all of them
    tc_weight: float | None = None  # beta_tcvae: weight of the total correlation (times β)
    aux_target: str | None = None  # semi_supervised: group | lithology | depth | borehole
    aux_weight: float | None = None  # semi_supervised: weight of the auxiliary loss
    aux_hidden: tuple[int, ...] = ()  # semi_supervised: hidden layers of the head (): linear

    @classmethod
    def from_config(cls, model: Mapping[str, Any], key: str = "vae.models") -> VAEConfig:
        """Build from one validated `vae.models.<name>` section."""
        return build(cls, model, key)

    def to_dict(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["hidden"] = list(self.hidden)
        payload["features"] = list(self.features)
        payload["aux_hidden"] = list(self.aux_hidden)
        # Keys at their defaults are left out, so plain VAEs keep the settings (and resume keys)
        # they had before the keys existed.
        defaults = {"features": [], "kind": PLAIN_KIND, "tc_weight": None, "aux_target": None,
                    "aux_weight": None, "aux_hidden": []}  # fmt: skip
        for key, default in defaults.items():
            if payload[key] == default:
                del payload[key]
        return payload

    @property
    def priority(self) -> int:
        """Estimated seconds of its training, for job ordering (longest first)."""
        return round(SECONDS_PER_100_EPOCHS[self.kind] * self.epochs / 100)

    def beta(self, epoch: int) -> float:
        """β of the 0-based `epoch`."""
        return beta_for_epoch(epoch, self.beta_start, self.beta_end, self.beta_warmup_epochs)


def beta_for_epoch(epoch: int, start: float, end: float, warmup_epochs: int) -> float:
    """β = start + (end − start)·e/warmup for the 0-based epoch e < warmup, then end (§3)."""
    if epoch < warmup_epochs:
        return start + (end - start) * epoch / warmup_epochs
    return end


# Keys of a vae.models entry that only one kind uses, by kind; those marked required must be set.
KIND_KEYS = {
    "beta_tcvae": {"tc_weight": True},
    "semi_supervised": {"aux_target": True, "aux_weight": True, "aux_hidden": False},
}


def vae_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Each VAE names a configured split and features, has a rising beta, and sets the keys its
    kind needs and none that another kind uses."""
    methods = sorted(config["splits"]["methods"])
    known = feature_names(config)
    for name, model in ((config.get("vae") or {}).get("models") or {}).items():
        key = f"config key vae.models.{name}"
        if model["split"] not in methods:
            yield (
                f"{key}.split: {model['split']!r} is not in splits.methods ({format_list(methods)})"
            )
        if model["beta_end"] < model["beta_start"]:
            yield f"{key}.beta_end: must be >= beta_start"
        for feature in model.get("features") or []:
            if feature not in known:
                yield (
                    f"{key}.features: {feature!r} is not a feature of the configured input "
                    f"({format_list(known)}){close_matches_text(feature, known)}"
                )
        if model.get("aux_target") == "group" and config.get("hierarchy") is None:
            yield f"{key}.aux_target: 'group' needs the expert groups; add a hierarchy section"
        kind = model["kind"]
        for owner, keys in KIND_KEYS.items():
            for option, required in keys.items():
                if owner == kind and required and option not in model:
                    yield f"{key}.{option}: required for kind {kind!r}"
                elif owner != kind and option in model:
                    yield (
                        f"{key}.{option}: only used with kind {owner!r} (this VAE's kind is "
                        f"{kind!r}); remove the key"
                    )
