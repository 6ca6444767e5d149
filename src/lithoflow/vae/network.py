"""The VAE network (docs/investigation.md §3): encoder features -> hidden -> (mu, log sigma^2),
decoder back to the features, ReLU between layers; the semi-supervised variant adds a head on mu."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn.utils import skip_init

from lithoflow.training.loop import (
    derive_seeds,
    init_linear_,
    make_generator,
    to_tensor,
)
from lithoflow.vae.config import VAEConfig
from lithoflow.vae.objectives import (
    AuxTarget,
)

log = logging.getLogger(__name__)


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
