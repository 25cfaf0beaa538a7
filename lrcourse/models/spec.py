"""A model written once, as data, and built in either framework.

A ``ModelSpec`` is a list of layer descriptions (``Conv``, ``BatchNorm``, ``ReLU``,
``MaxPool``, ``GlobalMaxPool``, ``Flatten``, ``Dense``, ``Dropout``, ``Scale`` and
``Residual`` blocks). ``lrcourse.models.torch_net`` and ``lrcourse.models.keras_net`` each
translate it layer by layer, so the two frameworks get the same architecture by
construction, and ``count_params`` here says how many trainable parameters both must have
(tested against ``torch``'s and Keras' own counts).

Conventions: shapes are channels-last ``(H, W, C)`` as in Keras; ``BatchNorm.momentum``
is PyTorch's (weight of the new batch, 0.1), Keras' is ``1 - momentum``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import validation


@dataclass(frozen=True)
class Conv:
    """3x3 (or ``kernel``) convolution, stride 1; ``padding`` "same" or "valid"."""

    filters: int
    kernel: int = 3
    padding: str = "same"
    bias: bool = True


@dataclass(frozen=True)
class BatchNorm:
    momentum: float = 0.1  # PyTorch's convention
    eps: float = 1e-5


@dataclass(frozen=True)
class ReLU:
    pass


@dataclass(frozen=True)
class MaxPool:
    size: int = 2


@dataclass(frozen=True)
class GlobalMaxPool:
    """Max over all positions: (H, W, C) -> (C,). Makes a net independent of input size."""


@dataclass(frozen=True)
class Flatten:
    pass


@dataclass(frozen=True)
class Dense:
    units: int
    bias: bool = True


@dataclass(frozen=True)
class Dropout:
    rate: float


@dataclass(frozen=True)
class Scale:
    """Multiply by a constant (no parameters): the fast ResNet's logit scaling."""

    factor: float


@dataclass(frozen=True)
class Residual:
    """``x + body(x)``; the body must keep the shape."""

    body: tuple


Layer = Conv | BatchNorm | ReLU | MaxPool | GlobalMaxPool | Flatten | Dense | Dropout | Scale


@dataclass(frozen=True)
class ModelSpec:
    """A named stack of layers for inputs of ``input_shape`` (H, W, C)."""

    name: str
    input_shape: tuple[int, int, int]
    layers: tuple

    def __post_init__(self):
        if len(self.input_shape) != 3:
            raise ValueError(f"input_shape must be (H, W, C), got {self.input_shape!r}")
        for i, n in enumerate(self.input_shape):
            validation.check_int(f"input_shape[{i}]", n, low=1)
        walk(self.layers, self.input_shape)  # fail now, with a clear message, if it cannot fit

    @property
    def output_shape(self) -> tuple[int, ...]:
        return walk(self.layers, self.input_shape)[0]

    @property
    def num_params(self) -> int:
        """Trainable parameters (what torch's ``parameters()`` and Keras'
        ``trainable_weights`` both hold; BatchNorm's running statistics are not counted)."""
        return walk(self.layers, self.input_shape)[1]


def walk(layers, shape) -> tuple[tuple[int, ...], int]:
    """Propagate ``shape`` through ``layers``: ``(output_shape, trainable_params)``."""
    total = 0
    for layer in layers:
        shape, params = _step(layer, tuple(shape))
        total += params
    return shape, total


def _step(layer, shape):
    name = type(layer).__name__
    if isinstance(layer, Residual):
        out, params = walk(layer.body, shape)
        if out != shape:
            raise ValueError(f"Residual body changes the shape {shape} -> {out}")
        return shape, params
    if isinstance(layer, Dense):
        if len(shape) != 1:
            raise ValueError(f"Dense needs a flat input, got shape {shape}: add Flatten first")
        return (layer.units,), shape[0] * layer.units + (layer.units if layer.bias else 0)
    if isinstance(layer, (ReLU, Dropout, Scale)):
        return shape, 0
    if len(shape) != 3:
        raise ValueError(f"{name} needs an (H, W, C) input, got shape {shape}")
    h, w, c = shape
    if isinstance(layer, Conv):
        k = layer.kernel
        if layer.padding == "valid":
            h, w = h - k + 1, w - k + 1
            if h < 1 or w < 1:
                raise ValueError(f"image too small for a valid {k}x{k} Conv: shape {shape}")
        elif layer.padding != "same":
            raise ValueError(f"Conv padding must be 'same' or 'valid', got {layer.padding!r}")
        params = k * k * c * layer.filters + (layer.filters if layer.bias else 0)
        return (h, w, layer.filters), params
    if isinstance(layer, BatchNorm):
        return shape, 2 * c
    if isinstance(layer, MaxPool):
        if h < layer.size or w < layer.size:
            raise ValueError(f"image too small for a {layer.size}x{layer.size} MaxPool: {shape}")
        return (h // layer.size, w // layer.size, c), 0
    if isinstance(layer, GlobalMaxPool):
        return (c,), 0
    if isinstance(layer, Flatten):
        return (h * w * c,), 0
    raise TypeError(f"unknown layer {layer!r}")
