"""A small network trained in NumPy on the 8x8 digits: the fast problem of assignment 06.

One hidden layer of ReLU units and a softmax output, trained on minibatches by any
``lrcourse.optim`` optimizer, its learning rate set from an ``lrcourse.schedules`` schedule
before every update (update k, counted from 0, uses ``schedule(k)``), exactly as the torch
and Keras trainers do. A run of a few hundred updates takes tens of milliseconds on a CPU,
so a notebook cell can run a batch-size sweep, an Adam-against-AdamW grid or a whole
Optuna study in seconds; the marked training cell repeats them on the real CNN.

    h = relu(x W1 + b1),   p = softmax(h W2 + b2),   loss = mean(-log p[label])

Weights start from He-scaled normal draws (``seed``), biases at 0; the batch order is drawn
from ``seed`` too, so a run is reproducible bit for bit. A run whose loss becomes NaN or
infinite, or larger than ``DIVERGED_LOSS`` (ten times the untrained network's ln 10),
stops there and is marked ``diverged`` (its validation loss is ``inf``).

>>> from lrcourse import optim
>>> run = train_digits_mlp(optim.SGD(lr=0.1, momentum=0.9), epochs=2)
>>> run.steps, run.diverged, bool(run.val_accuracy > 0.8)
(82, False, True)
"""

from __future__ import annotations

import copy
import functools
import math
from dataclasses import dataclass

import numpy as np

from .. import validation
from ..train.config import check_schedule, is_number, steps_per_epoch

DIVERGED_LOSS = 10 * math.log(10.0)


@dataclass(frozen=True)
class DigitsRun:
    """What one run measured: the loss of every update and the final validation metrics."""

    step_loss: np.ndarray  # training loss of each update (up to the divergence)
    step_lr: np.ndarray  # the learning rate each update used
    val_loss: float  # after the last update; inf if the run diverged
    val_accuracy: float
    weight_norm: float  # the Euclidean norm of all weights (biases excluded) at the end
    diverged: bool

    @property
    def steps(self) -> int:
        return len(self.step_loss)


@functools.lru_cache(maxsize=2)
def digits_arrays(split_seed: int = 0):
    """(x_train, y_train, x_val, y_val): the digits as float64 rows of 64 standardised pixels."""
    from ..data.digits import load_digits

    dataset = load_digits(split_seed=split_seed)
    arrays = []
    for split in ("train", "val"):
        x, y = dataset.arrays(split)
        arrays += [np.asarray(x, dtype=np.float64).reshape(len(x), -1), np.asarray(y)]
    return tuple(arrays)


def train_digits_mlp(
    optimizer,
    schedule=None,
    *,
    epochs: int = 5,
    batch_size: int = 32,
    hidden: int = 32,
    seed: int = 0,
) -> DigitsRun:
    """Train the network with a copy of ``optimizer`` (its state stays untouched).

    ``schedule``: None (the optimizer's lr, constant), a number, or an ``lrcourse.schedules``
    schedule of the update index.
    """
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "lr"):
        raise TypeError(
            "optimizer must be an lrcourse.optim optimizer (e.g. optim.SGD(lr=0.1)), "
            f"got {type(optimizer).__name__}"
        )
    check_schedule(schedule)
    epochs = validation.check_int("epochs", epochs, low=1)
    batch_size = validation.check_int("batch_size", batch_size, low=1)
    hidden = validation.check_int("hidden", hidden, low=1)
    seed = validation.check_int("seed", seed, low=0)
    optimizer = copy.deepcopy(optimizer)
    x_train, y_train, x_val, y_val = digits_arrays()
    rng = np.random.default_rng(seed)
    n_in, n_out = x_train.shape[1], int(y_train.max()) + 1
    params = [
        rng.normal(0.0, math.sqrt(2.0 / n_in), size=(n_in, hidden)),  # W1
        np.zeros(hidden),  # b1
        rng.normal(0.0, math.sqrt(2.0 / hidden), size=(hidden, n_out)),  # W2
        np.zeros(n_out),  # b2
    ]
    per_epoch = steps_per_epoch(len(x_train), batch_size)
    losses, lrs = [], []
    diverged = False
    for _ in range(epochs):
        order = rng.permutation(len(x_train))
        for b in range(per_epoch):
            index = order[b * batch_size : (b + 1) * batch_size]
            lr = _lr_at(schedule, optimizer, len(losses))
            optimizer.lr = lr
            loss, grads = _loss_and_grads(params, x_train[index], y_train[index])
            losses.append(loss)
            lrs.append(lr)
            if not loss < DIVERGED_LOSS:  # also catches NaN
                diverged = True
                break
            optimizer.step(params, grads)
        if diverged:
            break
    val_loss, val_accuracy = _evaluate(params, x_val, y_val)
    if diverged or not math.isfinite(val_loss):
        diverged, val_loss = True, math.inf
    norm = math.sqrt(float(np.sum(params[0] ** 2) + np.sum(params[2] ** 2)))
    return DigitsRun(np.array(losses), np.array(lrs), val_loss, val_accuracy, norm, diverged)


def _lr_at(schedule, optimizer, step: int) -> float:
    if schedule is None:
        return float(optimizer.lr)
    if is_number(schedule):
        return float(schedule)
    return float(schedule(step))


def _forward(params, x):
    w1, b1, w2, b2 = params
    pre = x @ w1 + b1
    h = np.maximum(pre, 0.0)
    logits = h @ w2 + b2
    with np.errstate(over="ignore", invalid="ignore"):
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return pre, h, log_p


def _loss_and_grads(params, x, y):
    """The mean cross-entropy of a batch and its gradients (backpropagation by hand)."""
    w1, b1, w2, b2 = params
    pre, h, log_p = _forward(params, x)
    n = len(y)
    loss = float(-log_p[np.arange(n), y].mean())
    d_logits = np.exp(log_p)  # softmax - one_hot, divided by n
    d_logits[np.arange(n), y] -= 1.0
    d_logits /= n
    d_h = (d_logits @ w2.T) * (pre > 0)
    return loss, [x.T @ d_h, d_h.sum(axis=0), h.T @ d_logits, d_logits.sum(axis=0)]


def _evaluate(params, x, y) -> tuple[float, float]:
    with np.errstate(all="ignore"):
        _, _, log_p = _forward(params, x)
        loss = float(-log_p[np.arange(len(y)), y].mean())
        accuracy = float(np.mean(np.argmax(log_p, axis=1) == y))
    return loss, accuracy
