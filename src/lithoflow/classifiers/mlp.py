"""The MLP classifier (docs/investigation.md §7) and its per-epoch training task.

MLP: inputs → hidden[0] → ReLU → Dropout → hidden[1] → ReLU → Dropout → classes. Trained with
Adam on CrossEntropyLoss (class weights optional, mean reduction); early stopping on a validation
metric (patience, strict improvement), best weights restored. Gradients come from autograd
(`AutogradMLPStep`, torch.optim.Adam), or for this plain architecture from the hand-written
`lithoflow.classifiers.fast_mlp.FastMLPStep` (same numbers up to rounding).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import skip_init

from lithoflow.classifiers.fast_mlp import FastMLPStep
from lithoflow.classifiers.mlp_settings import SELECTION_MODES, MLPParams
from lithoflow.stats import metrics as mt
from lithoflow.training.checkpoints import ResumeStore, load_torch, save_state_dict
from lithoflow.training.loop import (
    EarlyStopping,
    GeneratorsAndOptimizer,
    TrainingResult,
    batch_bounds,
    derive_seeds,
    gradient_path,
    init_linear_,
    make_adam,
    make_generator,
    run_epochs,
    shuffled,
    to_tensor,
)

if TYPE_CHECKING:
    from lithoflow.classifiers.spec import ClassifierSpec

log = logging.getLogger(__name__)


class MLPClassifier(nn.Module):
    """Linear → ReLU → Dropout per hidden layer, then a linear output of class logits.

    Dropout masks are drawn from the generator passed to `forward`, never from torch's global RNG.
    """

    def __init__(
        self,
        n_inputs: int,
        hidden: Sequence[int],
        n_classes: int,
        dropout: float,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        sizes = [int(n_inputs), *(int(h) for h in hidden)]
        self.hidden_layers = nn.ModuleList(
            skip_init(nn.Linear, n_in, n_out) for n_in, n_out in itertools.pairwise(sizes)
        )
        self.output = skip_init(nn.Linear, sizes[-1], int(n_classes))
        self.dropout = float(dropout)
        # Initialised from `generator` only (seed 0 if none), never from torch's global RNG.
        generator = generator if generator is not None else make_generator(0)
        for layer in [*self.hidden_layers, self.output]:
            init_linear_(layer, generator)

    def forward(
        self, x: torch.Tensor, dropout_generator: torch.Generator | None = None
    ) -> torch.Tensor:
        for layer in self.hidden_layers:
            x = F.relu(layer(x))
            if self.training and self.dropout > 0:
                x = x * self.dropout_mask(x, dropout_generator)
        return self.output(x)

    def dropout_mask(self, like: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Inverted dropout's multiplier for `like`: 1/keep with probability keep, else 0.

        One uniform draw per unit from `generator` (u < keep keeps the unit): the same masks
        whichever step asks, and about three times cheaper on a CPU than Tensor.bernoulli_.
        """
        keep = 1.0 - self.dropout
        shape, dtype, device = like.shape, like.dtype, like.device
        uniform = torch.rand(shape, generator=generator, dtype=dtype, device=device)
        return uniform.lt_(keep).div_(keep)

    @torch.no_grad()
    def predict_proba(self, x: torch.Tensor, batch_rows: int = 65536) -> torch.Tensor:
        """Softmax class probabilities of each row (eval mode, no dropout)."""
        was_training = self.training
        self.eval()
        out = [
            torch.softmax(self(x[i : i + batch_rows]), dim=1)
            for i in range(0, x.shape[0], batch_rows)
        ]
        self.train(was_training)
        if not out:
            return torch.zeros((0, self.output.out_features), device=x.device)
        return torch.cat(out)

    @torch.no_grad()
    def predict(self, x: torch.Tensor, batch_rows: int = 65536) -> torch.Tensor:
        """Argmax class index of each row (eval mode, no dropout)."""
        was_training = self.training
        self.eval()
        out = [self(x[i : i + batch_rows]).argmax(dim=1) for i in range(0, x.shape[0], batch_rows)]
        self.train(was_training)
        return torch.cat(out) if out else torch.zeros(0, dtype=torch.long, device=x.device)


class MLPStep(Protocol):
    """Loss and gradients of one batch, and the optimizer that applies them."""

    optimizer: Any

    def loss_and_grad(
        self, x: torch.Tensor, target: torch.Tensor, dropout_generator: torch.Generator | None
    ) -> torch.Tensor:
        """Fill the gradients of the batch's cross-entropy; return that loss (0-d tensor)."""


class AutogradMLPStep:
    """Cross-entropy through the model's own forward, gradients by autograd, torch.optim.Adam.

    The path for every MLP; the plain `MLPClassifier` may take `FastMLPStep` instead (same numbers
    up to rounding, see tests/unit/test_fast_mlp.py).
    """

    def __init__(
        self, model: nn.Module, learning_rate: float, weight: torch.Tensor | None = None
    ) -> None:
        self.model = model
        self.weight = weight
        self.optimizer = make_adam(model.parameters(), learning_rate)

    def loss_and_grad(
        self,
        x: torch.Tensor,
        target: torch.Tensor,
        dropout_generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        self.optimizer.zero_grad()
        with torch.enable_grad():
            logits = self.model(x, dropout_generator)
            loss = F.cross_entropy(logits, target, weight=self.weight)
            loss.backward()
        return loss.detach()


def fast_step_applies(model: nn.Module) -> bool:
    """True for the plain `MLPClassifier` whose gradients `FastMLPStep` computes (no subclass)."""
    return type(model) is MLPClassifier


def make_classifier_step(
    model: nn.Module,
    learning_rate: float,
    weight: torch.Tensor | None = None,
    gradients: str = "auto",
) -> MLPStep:
    """The training step for `model`: hand-written gradients where they apply, else autograd.

    Call with the model on its final device (the fast step flattens its parameters there).
    """
    if gradient_path(gradients, fast_step_applies(model), model) == "fast":
        if not isinstance(model, MLPClassifier):
            raise TypeError(f"the fast step needs an MLPClassifier, got {type(model).__name__}")
        return FastMLPStep(model, learning_rate, weight)
    return AutogradMLPStep(model, learning_rate, weight)


class ClassifierTask(GeneratorsAndOptimizer):
    """One MLP fit for `run_epochs`: a step (hand-written or autograd), Adam, two generators."""

    def __init__(
        self,
        model: MLPClassifier,
        train: tuple[np.ndarray, np.ndarray],
        val: tuple[np.ndarray, np.ndarray],
        n_classes: int,
        params: MLPParams,
        seed: int,
        weights: np.ndarray | None,
        device: torch.device,
        gradients: str = "auto",
    ) -> None:
        self.model = model
        self.device = device
        self.x_train = to_tensor(train[0], device)
        self.y_train = to_tensor(train[1], device, torch.int64)
        self.x_val = to_tensor(val[0], device)
        self.y_val = to_tensor(val[1], device, torch.int64)
        self.n_classes = n_classes
        self.weight = to_tensor(weights, device) if weights is not None else None
        self.step = make_classifier_step(model, params.learning_rate, self.weight, gradients)
        self.optimizer = self.step.optimizer
        _, shuffle_seed, dropout_seed = derive_seeds(seed, 3)
        self.shuffle_generator = make_generator(shuffle_seed, device)
        self.dropout_generator = make_generator(dropout_seed, device)
        self.generators = {
            "shuffle_generator": self.shuffle_generator,
            "dropout_generator": self.dropout_generator,
        }
        self.bounds = batch_bounds(self.x_train.shape[0], params.batch_size)

    @torch.no_grad()
    def train_epoch(self, epoch: int) -> dict[str, float]:
        x_epoch, y_epoch = shuffled([self.x_train, self.y_train], self.shuffle_generator)
        total = torch.zeros((), dtype=torch.float64, device=self.device)
        for start, stop in self.bounds:
            loss = self.step.loss_and_grad(
                x_epoch[start:stop], y_epoch[start:stop], self.dropout_generator
            )
            self.optimizer.step()
            total += loss
        return {"train_loss": total.item() / len(self.bounds)}

    @torch.no_grad()
    def evaluate(self, epoch: int) -> dict[str, float]:
        if self.x_val.shape[0] == 0:
            return {}
        logits = self.model(self.x_val)
        loss = F.cross_entropy(logits, self.y_val, weight=self.weight).item()
        y_pred = logits.argmax(dim=1).cpu().numpy()
        y_true = self.y_val.cpu().numpy()
        return {
            "val_loss": loss,
            "val_accuracy": mt.accuracy(y_true, y_pred),
            "val_balanced_accuracy": mt.balanced_accuracy(y_true, y_pred, self.n_classes),
        }


def build_mlp(n_inputs: int, n_classes: int, params: MLPParams, seed: int) -> MLPClassifier:
    """A freshly initialised MLP; the weights depend only on `seed`."""
    init_seed = derive_seeds(seed, 3)[0]
    return MLPClassifier(
        n_inputs, params.hidden, n_classes, params.dropout, generator=make_generator(init_seed)
    )


def fit_mlp(
    model: MLPClassifier,
    train: tuple[np.ndarray, np.ndarray],
    val: tuple[np.ndarray, np.ndarray],
    n_classes: int,
    params: MLPParams,
    seed: int,
    device: torch.device,
    *,
    weights: np.ndarray | None = None,
    resume: ResumeStore | None = None,
    on_epoch_end: Callable[[dict[str, Any]], None] | None = None,
    gradients: str = "auto",
) -> TrainingResult:
    """Train with early stopping on the validation `params.selection_metric`; best weights kept.

    Without validation rows there is nothing to select on: all `max_epochs` run, last weights kept.
    `gradients` picks the step (GRADIENT_PATHS in lithoflow.training.loop): "auto" takes the
    hand-written `FastMLPStep` for the plain `MLPClassifier`, autograd for anything else.
    """
    model.to(device)
    task = ClassifierTask(model, train, val, n_classes, params, seed, weights, device, gradients)
    stopping = None
    if val[1].shape[0]:
        stopping = EarlyStopping(params.patience, SELECTION_MODES[params.selection_metric])
    else:
        log.warning("no validation rows: no early stopping, the last epoch's weights are kept")
    return run_epochs(
        task,
        params.max_epochs,
        stopping=stopping,
        selection_metric=f"val_{params.selection_metric}",
        resume=resume,
        on_epoch_end=on_epoch_end,
    )


@dataclass
class MLPKind:
    """The investigation's MLP, trained per epoch with early stopping (resumable)."""

    name: ClassVar[str] = "mlp"

    params: MLPParams
    n_inputs: int
    model: MLPClassifier | None = None
    n_classes: int = 0

    def fit(self, train, val, n_classes, seed, weights, device, resume, on_epoch_end):
        self.n_classes = n_classes
        self.model = build_mlp(self.n_inputs, n_classes, self.params, seed)
        return fit_mlp(
            self.model,
            train,
            val,
            n_classes,
            self.params,
            seed,
            device,
            weights=weights,
            resume=resume,
            on_epoch_end=on_epoch_end,
        )

    def fit_final(self, train, val, n_classes, seed, weights, device):
        """The final model: the epoch early stopping on `val` chooses, then a fresh model of the
        same seed trained on train and val together for that many epochs (no validation)."""
        chosen = self.fit(train, val, n_classes, seed, weights, device, None, None)
        epochs = chosen.best_epoch if chosen.best_epoch is not None else chosen.epochs_run
        both = (np.vstack([train[0], val[0]]), np.concatenate([train[1], val[1]]))
        params = replace(self.params, max_epochs=max(int(epochs), 1))
        self.model = build_mlp(self.n_inputs, n_classes, params, seed)
        empty = (both[0][:0], both[1][:0])
        result = fit_mlp(self.model, both, empty, n_classes, params, seed, device, weights=weights)
        result.history.append({"epoch": int(epochs), "chosen_epochs": int(epochs)})
        return result

    def predict_proba(self, x: np.ndarray, device: torch.device) -> np.ndarray:
        if self.model is None:
            raise RuntimeError("fit first")
        return self.model.predict_proba(to_tensor(x, device)).cpu().numpy().astype(np.float64)

    def save(self, path: Path) -> None:
        if self.model is None:
            raise RuntimeError("fit first")
        self.model.cpu()
        save_state_dict(path, self.model)

    def architecture(self) -> dict[str, Any]:
        if self.model is None:
            raise RuntimeError("fit first")
        return {
            "kind": self.name,
            "n_inputs": self.n_inputs,
            "hidden": list(self.params.hidden),
            "n_classes": self.n_classes,
            "dropout": self.params.dropout,
            "parameters": sum(p.numel() for p in self.model.parameters()),
        }


def restore_model(path: Path, architecture: Mapping[str, Any]) -> MLPKind:
    """The fitted MLP of a run folder (`KindInfo.restore`): its weights file and config.json's
    architecture."""
    model = MLPClassifier(
        architecture["n_inputs"],
        architecture["hidden"],
        architecture["n_classes"],
        architecture["dropout"],
    )
    model.load_state_dict(load_torch(path))
    model.eval()
    kind = MLPKind(params=None, n_inputs=int(architecture["n_inputs"]), model=model)
    kind.n_classes = int(architecture["n_classes"])
    return kind


def create_model(spec: ClassifierSpec, n_inputs: int) -> MLPKind:
    """An unfitted model of an MLP run (`KindInfo.create`)."""
    return MLPKind(spec.mlp, n_inputs)
