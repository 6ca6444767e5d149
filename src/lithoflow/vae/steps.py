"""One optimizer step of a VAE: autograd with torch.optim.Adam for every kind, or the hand-written
gradients of the plain VAE (`lithoflow.vae.fast_step`) where they apply."""

from __future__ import annotations

from typing import Any, Protocol

import torch
from torch import nn

from lithoflow.training.loop import (
    make_adam,
)
from lithoflow.vae.fast_step import FastVAEStep
from lithoflow.vae.network import VAE
from lithoflow.vae.objectives import (
    PlainObjective,
    VAEObjective,
)

# How fit_vae gets gradients: "fast" (hand-written, plain VAE only), "autograd", or "auto" (fast
# where it applies, else autograd).
GRADIENT_PATHS = ("auto", "fast", "autograd")


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
