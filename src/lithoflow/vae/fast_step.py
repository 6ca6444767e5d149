"""Hand-written gradients for the plain VAE: an accelerator, not the training path.

For layers as small as the v2.6.7 VAE's, autograd's bookkeeping costs more than the arithmetic.
`FastVAEStep` computes the loss and its exact gradient by hand for exactly the architecture of
`lithoflow.vae.run.VAE` (checked against autograd in tests/unit/test_vae.py), writing every
gradient into one flat buffer (`FlatParameters`) that `FlatAdam` updates in a handful of tensor
operations (both in `lithoflow.training.flat_params`, shared with the MLP's
`lithoflow.classifiers.fast_mlp`). Every other VAE variant trains with autograd and torch.optim;
`lithoflow.vae.run.fit_vae` picks this step only where it applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

# Imported here too so that `from lithoflow.vae.fast_step import FlatAdam` (etc.) keeps working.
from lithoflow.training.flat_params import FlatAdam, FlatParameters, relu_backward

if TYPE_CHECKING:
    from lithoflow.vae.network import VAE

__all__ = ["FastVAEStep", "FlatAdam", "FlatParameters", "relu_backward"]


class FastVAEStep:
    """The plain VAE's loss and its exact gradient for one batch, computed by hand.

    The backward pass writes every gradient straight into the flat gradient buffer, and the μ and
    log σ² heads run as one matrix product. Built with the model, it owns a `FlatAdam` over the
    same buffer (`optimizer`). Only for `lithoflow.vae.run.VAE` itself: a subclass or another
    architecture has other gradients (use autograd, `lithoflow.vae.run.AutogradVAEStep`).
    """

    def __init__(self, model: VAE, learning_rate: float) -> None:
        self.model = model
        self.flat = FlatParameters(model, order=model.flat_layout())
        self.optimizer = FlatAdam(self.flat.values, self.flat.grads, learning_rate)
        linear = {n: m for n, m in model.named_modules() if isinstance(m, nn.Linear)}
        self.encoder = [
            self.flat.linear_views(m, n) for n, m in linear.items() if n.startswith("encoder.")
        ]
        self.decoder = [
            self.flat.linear_views(m, n) for n, m in linear.items() if n.startswith("decoder.")
        ]
        k, h = model.latent_dim, model.hidden[-1]
        weights, biases = ["fc_mu.weight", "fc_logvar.weight"], ["fc_mu.bias", "fc_logvar.bias"]
        self.head = (
            self.flat.span(weights, (2 * k, h)),
            self.flat.span(biases, (2 * k,)),
            self.flat.span(weights, (2 * k, h), grad=True),
            self.flat.span(biases, (2 * k,), grad=True),
        )

    @torch.no_grad()
    def loss_and_grad(
        self, x: torch.Tensor, eps: torch.Tensor, beta: float, target: torch.Tensor | None = None
    ) -> dict[str, torch.Tensor]:
        """Fill the flat gradients of SSE/B + β·KL/B; return the batch's sums {"recon": SSE,
        "kl_twice": 2·KL} (`target` is unused: the plain loss has none)."""
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
        return {"recon": sse, "kl_twice": kl_twice}
