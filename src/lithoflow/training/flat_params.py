"""Parameters in one flat buffer, Adam over it, and the ReLU backward kernel: hand-written steps.

The hand-written training steps (`lithoflow.vae.fast_step.FastVAEStep` for the plain VAE,
`lithoflow.classifiers.fast_mlp.FastMLPStep` for the plain MLP classifier) write every gradient into
one flat buffer (`FlatParameters`) that `FlatAdam` updates in a handful of tensor operations,
whatever the number of parameter tensors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

LayerViews = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


class FlatParameters:
    """A module's parameters as views into one flat buffer, gradients into another.

    Call after the module is on its final device. `order` fixes the layout (adjacent parameters of
    equal trailing shape can then be viewed together, see `span`).
    """

    def __init__(self, module: nn.Module, order: Sequence[str] | None = None) -> None:
        named = dict(module.named_parameters())
        names = list(order) if order is not None else list(named)
        if sorted(names) != sorted(named):
            raise ValueError(f"layout {names} does not list exactly the parameters {list(named)}")
        first = next(iter(named.values()))
        total = sum(p.numel() for p in named.values())
        self.values = torch.empty(total, dtype=first.dtype, device=first.device)
        self.grads = torch.zeros(total, dtype=first.dtype, device=first.device)
        self._offsets: dict[str, tuple[int, int]] = {}
        offset = 0
        with torch.no_grad():
            for name in names:
                param = named[name]
                size = param.numel()
                self.values[offset : offset + size].copy_(param.reshape(-1))
                param.data = self.values[offset : offset + size].view_as(param)
                # Autograd accumulates into an existing .grad in place, so backward() fills
                # self.grads; the manual gradient code writes into the same views directly.
                param.grad = self.grads[offset : offset + size].view_as(param)
                self._offsets[name] = (offset, size)
                offset += size

    def __len__(self) -> int:
        return self.values.numel()

    def span(self, names: Sequence[str], shape: Sequence[int], grad: bool = False) -> torch.Tensor:
        """A view of consecutive parameters `names` (or their gradients) with `shape`."""
        start = self._offsets[names[0]][0]
        stop = start
        for name in names:
            offset, size = self._offsets[name]
            if offset != stop:
                raise ValueError(f"parameters {list(names)} are not adjacent in the flat layout")
            stop = offset + size
        buffer = self.grads if grad else self.values
        return buffer[start:stop].view(*shape)

    def zero_grad(self) -> None:
        """Zero every gradient in one operation."""
        self.grads.zero_()

    def linear_views(self, layer: nn.Linear, prefix: str) -> LayerViews:
        """(weight, bias, weight gradient, bias gradient) views of the Linear `layer`, whose
        parameters are named `<prefix>.weight` and `<prefix>.bias`."""
        weight, bias = f"{prefix}.weight", f"{prefix}.bias"
        shape = tuple(layer.weight.shape)
        return (
            self.span([weight], shape),
            self.span([bias], (shape[0],)),
            self.span([weight], shape, grad=True),
            self.span([bias], (shape[0],), grad=True),
        )


class FlatAdam:
    """Adam (no weight decay, no amsgrad) over one flat buffer.

    The update is torch.optim.Adam's single-tensor update, operation for operation, applied to all
    parameters at once: 7 tensor operations per step however many parameter tensors there are.
    """

    def __init__(
        self,
        params: torch.Tensor,
        grads: torch.Tensor,
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = params
        self.grads = grads
        self.lr = float(lr)
        self.beta1, self.beta2 = (float(b) for b in betas)
        self.eps = float(eps)
        self.steps = 0
        self.exp_avg = torch.zeros_like(params)
        self.exp_avg_sq = torch.zeros_like(params)

    @torch.no_grad()
    def step(self) -> None:
        self.steps += 1
        grad = self.grads
        self.exp_avg.lerp_(grad, 1 - self.beta1)
        self.exp_avg_sq.mul_(self.beta2).addcmul_(grad, grad, value=1 - self.beta2)
        bias_correction1 = 1 - self.beta1**self.steps
        bias_correction2_sqrt = (1 - self.beta2**self.steps) ** 0.5
        denom = self.exp_avg_sq.sqrt().div_(bias_correction2_sqrt).add_(self.eps)
        self.params.addcdiv_(self.exp_avg, denom, value=-self.lr / bias_correction1)

    def state_dict(self) -> dict[str, Any]:
        return {
            "steps": self.steps,
            "exp_avg": self.exp_avg.detach().cpu().clone(),
            "exp_avg_sq": self.exp_avg_sq.detach().cpu().clone(),
            "lr": self.lr,
            "betas": [self.beta1, self.beta2],
            "eps": self.eps,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.steps = int(state["steps"])
        self.exp_avg.copy_(state["exp_avg"])
        self.exp_avg_sq.copy_(state["exp_avg_sq"])
        self.lr = float(state["lr"])
        self.beta1, self.beta2 = (float(b) for b in state["betas"])
        self.eps = float(state["eps"])


def relu_backward(grad: torch.Tensor, relu_output: torch.Tensor) -> torch.Tensor:
    """`grad` where the ReLU was active (output > 0), else 0: the kernel autograd uses for ReLU."""
    return torch.ops.aten.threshold_backward(grad, relu_output, 0.0)
