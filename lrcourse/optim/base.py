"""The mechanism every optimizer shares; the update rules themselves live one per module.

An optimizer here is two things, as in ``torch/optim``:

1. an update rule, ``_update(p, g, s, c, tmp)``: a few lines of in-place NumPy that move one
   block of a parameter ``p`` given its gradient ``g``, its state buffers ``s`` (a dict of
   arrays shaped like ``p``), the per-step scalars ``c`` (bias corrections, the current lr...)
   and scratch buffers ``tmp``;
2. this thin stateful class around it, which checks the inputs, counts steps, creates the
   state on the first step, applies weight decay (L2 in the gradient or decoupled, as the
   framework being reproduced does) and walks each parameter in cache-sized blocks.

Why blocks: an update such as Adam's is a chain of ~12 element-wise operations. Done on a
whole 10M-element array each one streams 40 MB through memory; done block by block the
chain runs in the CPU cache and reads and writes each array once. Scratch space is one
block per buffer, allocated once, so a step allocates nothing of parameter size.

Two conventions (``convention="torch" | "keras"``) select which framework's arithmetic to
reproduce where PyTorch and Keras differ; see each optimizer's docstring and
``shared/framework-notes.md``. Under ``"keras"`` the quantities Keras casts through float32
(the learning rate, which Keras keeps in a float32 variable, and constants passed through
``ops.cast``) are rounded the same way, so float64 runs agree with Keras to the last bits.
"""

from __future__ import annotations

import numpy as np

from .. import validation
from ..frameworks import import_keras

BLOCK = 1 << 16  # elements per block: 256 KiB of float32; the fastest size measured (2^13..2^17)

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def f32(x: float) -> float:
    """``x`` rounded to float32, as Keras does when it casts a Python float constant."""
    return float(np.float32(x))


class Optimizer:
    """Base class: subclasses set the class attributes below and write ``_update``.

    Attributes set by subclasses:
        state_names: names of the per-parameter buffers (initialised by ``_init_state``).
        n_tmp: how many scratch blocks ``_update`` needs.
        decoupled: True when the torch convention decays weights outside the gradient
            (AdamW, Lion); under ``convention="keras"`` decay is always decoupled.
    """

    state_names: tuple[str, ...] = ()
    n_tmp: int = 1
    decoupled: bool = False

    def __init__(self, lr, *, weight_decay=0.0, convention="torch"):
        self.convention = validation.check_convention(convention)
        self.lr = lr
        self.weight_decay = validation.check_nonnegative("weight_decay", weight_decay)
        self.state: dict[int, dict] = {}
        self._shapes: list[tuple] | None = None
        self._scratch: dict[np.dtype, np.ndarray] = {}

    # -- the learning rate may change between steps (that is how schedules drive it) ----
    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = validation.check_nonnegative("lr", value)

    # -- hooks for subclasses -------------------------------------------------------------
    def _init_state(self, p: np.ndarray) -> dict:
        """Fresh state buffers for parameter ``p`` (zeros unless a subclass says otherwise)."""
        return {name: np.zeros_like(p, order="C") for name in self.state_names}

    def _scalars(self, state: dict, lr: float, dtype: np.dtype) -> dict:
        """Per-step scalars for one parameter (called once per parameter per step)."""
        return {"lr": lr}

    def _update(self, p, g, s, c, tmp):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- the step ---------------------------------------------------------------------------
    def step(self, params, grads) -> None:
        """Update every array in ``params`` in place, given ``grads`` of the same shapes."""
        params, grads = self._check(params, grads)
        lr = f32(self._lr) if self.convention == "keras" else self._lr
        wd = f32(self.weight_decay) if self.convention == "keras" else self.weight_decay
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            state = self.state.get(i)
            if state is None:
                state = self.state[i] = {"step": 0, **self._init_state(p)}
            state["step"] += 1
            c = self._scalars(state, lr, p.dtype)
            buffers = {k: v for k, v in state.items() if isinstance(v, np.ndarray)}
            for pb, gb, sb, tmp in self._blocks(p, g, buffers):
                if wd:
                    gb = self._weight_decay(pb, gb, lr, wd, tmp[-1])
                self._update(pb, gb, sb, c, tmp[:-1] if self.n_tmp else ())

    def _weight_decay(self, p, g, lr, wd, tmp):
        """Apply weight decay the framework's way; return the gradient to use."""
        if self.convention == "keras":  # Keras: variable - variable * wd * lr, before the update
            np.multiply(p, wd, out=tmp)
            tmp *= lr
            p -= tmp
            return g
        if self.decoupled:  # torch AdamW / Lion: p *= 1 - lr * wd
            p *= 1 - lr * wd
            return g
        np.multiply(p, wd, out=tmp)  # torch L2: grad = grad + wd * p
        tmp += g
        return tmp

    def _blocks(self, p, g, buffers):
        """Yield (param, grad, state, scratch) views over cache-sized blocks of one parameter."""
        n_scratch = self.n_tmp + 1
        if not p.flags.c_contiguous:  # a strided view: update it whole (rare; allocates)
            yield p, g, buffers, tuple(np.empty_like(p) for _ in range(n_scratch))
            return
        flat_p, flat_g = p.reshape(-1), g.reshape(-1)
        flat_s = {k: v.reshape(-1) for k, v in buffers.items()}
        scratch = self._scratch.get(p.dtype)
        if scratch is None or scratch.shape[0] < n_scratch:
            scratch = self._scratch[p.dtype] = np.empty((n_scratch, BLOCK), dtype=p.dtype)
        for start in range(0, flat_p.size, BLOCK):
            stop = min(start + BLOCK, flat_p.size)
            n = stop - start
            yield (
                flat_p[start:stop],
                flat_g[start:stop],
                {k: v[start:stop] for k, v in flat_s.items()},
                tuple(scratch[j, :n] for j in range(n_scratch)),
            )

    def _check(self, params, grads):
        """Clear errors for the mistakes people make when calling ``step``."""
        if isinstance(params, np.ndarray) or isinstance(grads, np.ndarray):
            raise TypeError(
                "params and grads must be lists of arrays (e.g. [w, b] and [dw, db]), "
                "not a single array: wrap it as [w]"
            )
        params, grads = list(params), list(grads)
        if not params:
            raise ValueError("params is empty: pass a list with at least one array")
        if len(params) != len(grads):
            raise ValueError(
                f"params and grads must have the same length, got {len(params)} params "
                f"and {len(grads)} grads"
            )
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            if not isinstance(p, np.ndarray):
                raise TypeError(f"params[{i}] must be a NumPy array, got {type(p).__name__}")
            if p.dtype not in SUPPORTED_DTYPES:
                raise TypeError(f"params[{i}] must be float32 or float64, got dtype {p.dtype}")
            if not p.flags.writeable:
                raise ValueError(f"params[{i}] is read-only; the update is done in place")
            g = np.asarray(g)
            if g.shape != p.shape:
                raise ValueError(
                    f"grads[{i}] has shape {g.shape} but params[{i}] has shape {p.shape}"
                )
            if g.dtype != p.dtype:
                raise TypeError(
                    f"grads[{i}] has dtype {g.dtype} but params[{i}] has dtype {p.dtype}; "
                    "cast the gradient to the parameter's dtype"
                )
            grads[i] = g
        shapes = [p.shape for p in params]
        if self._shapes is None:
            self._shapes = shapes
        elif shapes != self._shapes:
            raise ValueError(
                f"params changed since the first step: shapes {self._shapes} then {shapes}; "
                "use a new optimizer for a new set of parameters"
            )
        return params, grads

    # -- framework twins ------------------------------------------------------------------
    def to_torch(self, torch_params):
        """The configured ``torch.optim`` optimizer (same updates under convention='torch')."""
        import torch

        name, kwargs = self._torch_spec()
        if self.convention == "keras" and self.weight_decay and not self.decoupled:
            kwargs = self._torch_decoupled(kwargs)
        return getattr(torch.optim, name)(torch_params, lr=self.lr, **kwargs)

    def to_keras(self):
        """The configured ``keras.optimizers`` optimizer (same updates under 'keras')."""
        keras = import_keras()

        if self.convention == "torch" and self.weight_decay and not self.decoupled:
            raise ValueError(
                f"{type(self).__name__}(weight_decay={self.weight_decay}) adds L2 weight decay "
                "to the gradient (torch convention); Keras only decays weights decoupled from "
                "the gradient. Use convention='keras' for Keras' behaviour, or add the L2 "
                "penalty to the loss."
            )
        name, kwargs = self._keras_spec()
        return getattr(keras.optimizers, name)(
            learning_rate=self.lr, weight_decay=self.weight_decay or None, **kwargs
        )

    def _torch_spec(self) -> tuple[str, dict]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _keras_spec(self) -> tuple[str, dict]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _torch_decoupled(self, kwargs):
        raise ValueError(
            f"torch.optim.{self._torch_spec()[0]} has only L2 weight decay, while "
            f"{type(self).__name__}(convention='keras') decays weights decoupled from the "
            "gradient: there is no exact torch twin with weight_decay > 0"
        )

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._repr_args().items())
        return f"{type(self).__name__}({args})"

    def _repr_args(self) -> dict:
        return {"lr": self.lr, "weight_decay": self.weight_decay, "convention": self.convention}


def reject_for_keras(convention: str, **knobs) -> None:
    """Raise if a torch-only knob is set under convention='keras' (Keras has no such knob)."""
    if convention != "keras":
        return
    for name, (value, neutral) in knobs.items():
        if value != neutral:
            raise ValueError(
                f"{name}={value!r} has no Keras equivalent; use convention='torch' or "
                f"{name}={neutral!r}"
            )
