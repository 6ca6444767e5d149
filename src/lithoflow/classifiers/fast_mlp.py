"""Hand-written gradients for the plain MLP classifier: an accelerator, not the training path.

For layers as small as the investigation's MLP (6 or 10 inputs → 64 → 32 → classes), autograd's
per-operation bookkeeping costs more than the arithmetic. `FastMLPStep` computes the (optionally
class-weighted) cross-entropy and its exact gradient by hand for exactly the architecture of
`lithoflow.classifiers.mlp.MLPClassifier` (checked against autograd in tests/unit/test_fast_mlp.py),
writing every gradient into one flat buffer (`lithoflow.training.flat_params.FlatParameters`) that
`FlatAdam` updates in a handful of tensor operations. Dropout masks are drawn exactly as the
module's forward draws them (same shapes, order and generator), so both paths see the same masks.
Subclasses and other architectures train with autograd and torch.optim;
`lithoflow.classifiers.mlp.make_classifier_step` picks this step only where it applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from lithoflow.training.flat_params import FlatAdam, FlatParameters, relu_backward

if TYPE_CHECKING:
    from lithoflow.classifiers.mlp import MLPClassifier


class FastMLPStep:
    """The plain MLP's cross-entropy and its exact gradient for one batch, computed by hand.

    Loss: mean cross-entropy, or with class `weight` Σ w_y·nll / Σ w_y over the batch's targets
    (torch.nn.functional.cross_entropy's mean reduction). The backward pass writes every gradient
    straight into the flat gradient buffer. Built with the model (already on its device), it owns
    a `FlatAdam` over the same buffer (`optimizer`). Only for `MLPClassifier` itself: a subclass
    or another architecture has other gradients (use `lithoflow.classifiers.mlp.AutogradMLPStep`).
    """

    def __init__(
        self, model: MLPClassifier, learning_rate: float, weight: torch.Tensor | None = None
    ) -> None:
        self.model = model
        self.weight = weight
        self.flat = FlatParameters(model)
        self.optimizer = FlatAdam(self.flat.values, self.flat.grads, learning_rate)
        linear = {n: m for n, m in model.named_modules() if isinstance(m, nn.Linear)}
        self.hidden = [
            self.flat.linear_views(layer, name)
            for name, layer in linear.items()
            if name.startswith("hidden_layers.")
        ]
        self.output = self.flat.linear_views(linear["output"], "output")
        values = self.flat.values
        self._minus_one = torch.full((1, 1), -1.0, dtype=values.dtype, device=values.device)

    @torch.no_grad()
    def loss_and_grad(
        self,
        x: torch.Tensor,
        target: torch.Tensor,
        dropout_generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Fill the flat gradients of the batch's cross-entropy; return that loss (0-d tensor)."""
        n_rows = x.shape[0]
        drop = self.model.training and self.model.dropout > 0
        layer_inputs = [x]
        masks = []
        h = x
        for weight, bias, _, _ in self.hidden:
            h = torch.addmm(bias, h, weight.t()).relu_()
            if drop:  # as MLPClassifier.forward draws it: same shape, order and generator
                mask = self.model.dropout_mask(h, dropout_generator)
                h = h.mul_(mask)
                masks.append(mask)
            layer_inputs.append(h)
        weight, bias, _, _ = self.output
        log_probs = torch.log_softmax(torch.addmm(bias, h, weight.t()), dim=1)
        target_column = target.unsqueeze(1)
        target_log_probs = log_probs.gather(1, target_column).squeeze(1)
        # d loss / d logits = (softmax − one-hot(target)) · c per row, with c = 1/B unweighted
        # and c = w_y / Σ w_y with class weights.
        grad = log_probs.exp_()
        grad.scatter_add_(1, target_column, self._minus_one.expand(n_rows, 1))
        if self.weight is None:
            loss = target_log_probs.mean().neg_()
            grad.mul_(1.0 / n_rows)
        else:
            row_weights = self.weight.index_select(0, target)
            total_weight = row_weights.sum()
            loss = torch.dot(target_log_probs, row_weights).div_(total_weight).neg_()
            grad.mul_(row_weights.div_(total_weight).unsqueeze(1))

        weight, _, grad_weight, grad_bias = self.output
        torch.mm(grad.t(), layer_inputs[-1], out=grad_weight)
        torch.sum(grad, 0, out=grad_bias)
        for i in range(len(self.hidden) - 1, -1, -1):
            # Back through the dropout (× mask) and the ReLU (zero where the output is ≤ 0; a
            # dropped unit's output is 0, so the dropped output gives the same pattern).
            grad = torch.mm(grad, weight)
            if drop:
                grad.mul_(masks[i])
            grad = relu_backward(grad, layer_inputs[i + 1])
            weight, _, grad_weight, grad_bias = self.hidden[i]
            torch.mm(grad.t(), layer_inputs[i], out=grad_weight)
            torch.sum(grad, 0, out=grad_bias)
        return loss
