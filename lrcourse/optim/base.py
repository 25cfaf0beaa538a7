"""The mechanism every optimizer shares; the update rules themselves live one per module.

An optimizer here is two things, as in optax and ``torch/optim``:

1. **update functions**, one per framework convention where PyTorch and Keras compute
   differently: pure functions of named arrays and scalars, e.g. ``adam_torch(param, grad,
   exp_avg, exp_avg_sq, step, lr, betas, eps)``, written in plain NumPy line by line like
   the formula in their module's docstring. They update ``param`` and the state arrays in
   place and return nothing; they take no scratch buffers and no ``out=`` arguments.
2. **a thin stateful class** (a subclass of :class:`Optimizer`) that checks the inputs,
   keeps the state of each parameter, counts its steps, applies weight decay as a named step
   of its own (:mod:`lrcourse.optim.weight_decay`) and builds the torch and Keras twins.

The subclass contract (what a new optimizer writes)::

    class Adam(Optimizer):
        state_names = ("exp_avg", "exp_avg_sq")    # buffers, zeros shaped like the param

        def _update(self, param, grad, state, lr):  # one block: call the update function
            adam_torch(param, grad, state["exp_avg"], state["exp_avg_sq"], state["step"],
                       lr, self.betas, self.eps)

* ``state_names``: the per-parameter arrays; override ``_init_state(param)`` for other
  starting values or for scalar state (returns a dict; ``"step"`` is added by the base).
* ``_update(param, grad, state, lr)``: called once per block of each parameter, after weight
  decay. ``param``, ``grad`` and the arrays in ``state`` are views of one block; scalars in
  ``state`` (``"step"``, counted from 1) are shared by all blocks of a parameter, so
  ``_update`` must not change them.
* ``_begin_step(state, lr)``: optional, called once per parameter per step before its blocks:
  the place for scalar state such as NAdam's running momentum product.
* ``decoupled = True`` when the torch convention decays weights decoupled from the gradient
  (AdamW, Lion); ``_torch_spec()`` / ``_keras_spec()`` return ``(class name, keywords)`` of
  the twins; ``_repr_args()`` adds the hyperparameters to the repr.
* An optimizer that needs a pass over all parameters (a global norm, a shared step size)
  overrides ``step`` and reuses ``_check``, ``_state_of`` and :func:`blocks`.

Why blocks: an update such as Adam's is a chain of ~12 element-wise operations, each of
which makes a temporary array. Applied to a whole 10M-element parameter each temporary is
40 MB streamed through memory; applied block by block (views of ``BLOCK`` elements) the
temporaries are small, stay in the CPU cache and are reused by the allocator, so a step
allocates nothing of parameter size (measured in ``benchmarks/optimizer_step.py``).

State is kept per array, as torch keeps it per tensor: ``step`` may receive the arrays it
has seen in any order, or some of them, and each keeps its own buffers. ``state[i]`` is the
state of the i-th array of the first step.

Two conventions (``convention="torch" | "keras"``) select which framework's arithmetic to
reproduce where PyTorch and Keras differ; see each optimizer's docstring and
``shared/framework-notes.md``. Under ``"keras"`` the quantities Keras casts through float32
(the learning rate, which Keras keeps in a float32 variable, and constants passed through
``ops.cast``) are rounded the same way (:func:`f32`).
"""

from __future__ import annotations

import numpy as np

from .. import validation
from ..frameworks import import_keras
from . import weight_decay as decay

BLOCK = 1 << 15  # elements per block (128 KiB of float32); timings: benchmarks/RESULTS.md

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def f32(x: float) -> float:
    """``x`` rounded to float32, as Keras does when it casts a Python float constant."""
    return float(np.float32(x))


def blocks(param, grad, state):
    """Yield ``(param, grad, state)`` over views of ``BLOCK`` elements of one parameter.

    The arrays of ``state`` are cut like ``param``; its scalars are passed as they are.
    A non-contiguous parameter (a strided view) is yielded whole.
    """
    if param.size <= BLOCK or not param.flags.c_contiguous:
        yield param, grad, state
        return
    flat_p, flat_g = param.reshape(-1), grad.reshape(-1)
    flat = {k: v.reshape(-1) if isinstance(v, np.ndarray) else v for k, v in state.items()}
    arrays = [k for k, v in flat.items() if isinstance(v, np.ndarray)]
    for start in range(0, flat_p.size, BLOCK):
        cut = slice(start, start + BLOCK)
        block_state = dict(flat)
        for k in arrays:
            block_state[k] = flat[k][cut]
        yield flat_p[cut], flat_g[cut], block_state


class Optimizer:
    """Base class: subclasses set ``state_names`` and write ``_update`` (see the module)."""

    state_names: tuple[str, ...] = ()
    decoupled: bool = False

    def __init__(self, lr, *, weight_decay=0.0, convention="torch"):
        self.convention = validation.check_convention(convention)
        self.lr = lr
        self.weight_decay = validation.check_nonnegative("weight_decay", weight_decay)
        self.state: dict[int, dict] = {}
        self._params: list[np.ndarray] = []  # the arrays of the first step, in its order
        self._index: dict[int, int] = {}  # id(array) -> its position in _params
        self._shapes: list[tuple] = []  # their shapes at the first step

    # -- the learning rate may change between steps (that is how schedules drive it) ----
    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = validation.check_nonnegative("lr", value)

    # -- hooks for subclasses -------------------------------------------------------------
    def _init_state(self, param: np.ndarray) -> dict:
        """Fresh state for ``param``: zeros for each of ``state_names``."""
        return {name: np.zeros_like(param, order="C") for name in self.state_names}

    def _begin_step(self, state: dict, lr: float) -> None:
        """Update the scalar state of one parameter, once per step (default: nothing)."""

    def _update(self, param, grad, state, lr):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- the step ---------------------------------------------------------------------------
    def step(self, params, grads) -> None:
        """Update every array in ``params`` in place, given ``grads`` of the same shapes."""
        params, grads = self._check(params, grads)
        keras = self.convention == "keras"
        lr = f32(self._lr) if keras else self._lr
        wd = f32(self.weight_decay) if keras else self.weight_decay
        for p, g in zip(params, grads, strict=True):
            state = self._state_of(p)
            state["step"] += 1
            self._begin_step(state, lr)
            for pb, gb, sb in blocks(p, g, state):
                if wd:
                    gb = self._decay(pb, gb, lr, wd)
                self._update(pb, gb, sb, lr)

    def _decay(self, param, grad, lr, wd):
        """Weight decay the framework's way, before the update; returns the gradient to use."""
        if self.convention == "keras":
            decay.decoupled_keras(param, lr, wd)
        elif self.decoupled:
            decay.decoupled_torch(param, lr, wd)
        else:
            grad = decay.l2(grad, param, wd)
        return grad

    def _state_of(self, param) -> dict:
        """The state of ``param`` (an array ``_check`` has registered), created on first use."""
        i = self._index[id(param)]
        state = self.state.get(i)
        if state is None:
            state = self.state[i] = {"step": 0, **self._init_state(param)}
        return state

    def _check(self, params, grads):
        """Clear errors for the mistakes people make when calling ``step``."""
        if isinstance(params, np.ndarray) or isinstance(grads, np.ndarray):
            raise TypeError(
                "params and grads must be lists of arrays (e.g. [w, b] and [dw, db]), "
                "not a single array: wrap it as [w]"
            )
        for name, value in (("params", params), ("grads", grads)):
            if value is None or not hasattr(value, "__iter__") or isinstance(value, str):
                raise TypeError(
                    f"{name} must be a list of arrays (e.g. [w, b] and [dw, db]), "
                    f"got {type(value).__name__}"
                )
        params, grads = list(params), list(grads)
        if not params:
            raise ValueError("params is empty: pass a list with at least one array")
        if len(params) != len(grads):
            raise ValueError(
                f"params and grads must have the same length, got {len(params)} params "
                f"and {len(grads)} grads"
            )
        first_step = not self._params
        seen: dict[int, int] = {}
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            if not isinstance(p, np.ndarray):
                raise TypeError(f"params[{i}] must be a NumPy array, got {type(p).__name__}")
            if p.dtype not in SUPPORTED_DTYPES:
                raise TypeError(f"params[{i}] must be float32 or float64, got dtype {p.dtype}")
            if not p.flags.writeable:
                raise ValueError(f"params[{i}] is read-only; the update is done in place")
            if id(p) in seen:
                raise ValueError(
                    f"params[{i}] is the same array as params[{seen[id(p)]}]: it would be "
                    "updated twice in one step (torch warns about duplicate parameters); "
                    "pass each array once"
                )
            seen[id(p)] = i
            if g is None:
                raise TypeError(
                    f"grads[{i}] is None: pass the gradient of params[{i}] as an array of "
                    f"shape {p.shape} (torch skips a parameter whose .grad is None; here, "
                    "leave that parameter out of params for this step)"
                )
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
            if not first_step:
                self._check_known(i, p)
        if first_step:
            self._params = params
            self._index = {id(p): i for i, p in enumerate(params)}
            self._shapes = [p.shape for p in params]
        return params, grads

    def _check_known(self, i, p):
        """Refuse an array that was not passed at the first step (state is kept per array)."""
        k = self._index.get(id(p))
        if k is not None and self._params[k] is p:
            if p.shape != self._shapes[k]:
                raise ValueError(
                    f"params changed since the first step: params[{i}] has shape {p.shape}, "
                    f"it had shape {self._shapes[k]}; use a new optimizer for new parameters"
                )
            return
        raise ValueError(
            f"params changed since the first step: params[{i}] (shape {p.shape}) is not one "
            f"of the {len(self._params)} arrays of the first step (shapes {self._shapes}). "
            "The optimizer keeps state per array, as torch.optim does per tensor: pass the "
            "same arrays every step (they are updated in place), in any order, or use a new "
            "optimizer for new parameters"
        )

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
