"""Build a ``ModelSpec`` as a ``torch.nn.Module`` (inputs NCHW; use channels-last memory
on a GPU). Each spec layer maps to one torch layer, in order."""

from __future__ import annotations

import torch
from torch import nn

from . import spec as S


class Scale(nn.Module):
    """Multiply by a constant (no parameters)."""

    def __init__(self, factor: float):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        return x * self.factor

    def extra_repr(self):
        return f"factor={self.factor}"


class Residual(nn.Module):
    """``x + body(x)``."""

    def __init__(self, body: nn.Module):
        super().__init__()
        self.body = body

    def forward(self, x):
        return x + self.body(x)


def _layers(layers, shape) -> tuple[list[nn.Module], tuple]:
    modules = []
    for layer in layers:
        modules.append(_layer(layer, shape))
        shape = S.walk((layer,), shape)[0]
    return modules, shape


def _layer(layer, shape) -> nn.Module:
    if isinstance(layer, S.Conv):
        return nn.Conv2d(
            shape[-1], layer.filters, layer.kernel, padding=layer.padding, bias=layer.bias
        )
    if isinstance(layer, S.BatchNorm):
        return nn.BatchNorm2d(shape[-1], eps=layer.eps, momentum=layer.momentum)
    if isinstance(layer, S.ReLU):
        return nn.ReLU()
    if isinstance(layer, S.MaxPool):
        return nn.MaxPool2d(layer.size)
    if isinstance(layer, S.GlobalMaxPool):
        return nn.Sequential(nn.AdaptiveMaxPool2d(1), nn.Flatten())
    if isinstance(layer, S.Flatten):
        return nn.Flatten()
    if isinstance(layer, S.Dense):
        return nn.Linear(shape[0], layer.units, bias=layer.bias)
    if isinstance(layer, S.Dropout):
        return nn.Dropout(layer.rate)
    if isinstance(layer, S.Scale):
        return Scale(layer.factor)
    if isinstance(layer, S.Residual):
        return Residual(nn.Sequential(*_layers(layer.body, shape)[0]))
    raise TypeError(f"unknown layer {layer!r}")


def build(model_spec: S.ModelSpec) -> nn.Sequential:
    """The spec as an ``nn.Sequential`` taking ``(N, C, H, W)`` float tensors, giving logits."""
    modules, _ = _layers(model_spec.layers, model_spec.input_shape)
    net = nn.Sequential(*modules)
    net.spec = model_spec
    return net


def count_params(model: nn.Module) -> int:
    """Trainable parameters of a torch model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def to_nchw(x) -> torch.Tensor:
    """``(N, H, W, C)`` array or tensor -> ``(N, C, H, W)`` view in channels-last memory."""
    return torch.as_tensor(x).permute(0, 3, 1, 2)
