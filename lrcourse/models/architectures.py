"""The two networks of the course's experiments, as ``ModelSpec``\\ s.

``article_cnn``: the reference article's small CNN, read from the author's notebook
(Keras 2): two 3x3 "valid" convolutions with 4 and 8 filters and ReLU, a 2x2 max-pool,
dropout 0.25, a dense layer of 16 ReLU units, dropout 0.5 and the output layer (softmax,
here folded into the loss: the model outputs logits). The article trained it on 2 classes
(cats vs dogs); here the output has one unit per class of the dataset. 25,682 parameters
on CIFAR-10 (10 classes), 1,034 on the 8x8 digits.

``fast_resnet``: a ResNet-style net in the spirit of the public fast CIFAR-10 training
records (D. Page's "ResNet-9", DAWNBench 2018): conv-bn-relu "prep" layer, then three
layers of conv-bn-relu + 2x2 max-pool, the first and third followed by a residual block of
two conv-bn-relu, a global max-pool and a bias-free linear head whose logits are scaled by
1/8. ``width`` sets the channels (64-128-256-512 by default: 6.57M parameters); convolutions
followed by batch norm have no bias. The global pool makes it work on any input of at
least 8x8.
"""

from __future__ import annotations

from .. import validation
from .spec import (
    BatchNorm,
    Conv,
    Dense,
    Dropout,
    Flatten,
    GlobalMaxPool,
    MaxPool,
    ModelSpec,
    ReLU,
    Residual,
    Scale,
)


def article_cnn(input_shape=(32, 32, 3), num_classes: int = 10) -> ModelSpec:
    """The reference article's CNN for ``input_shape`` (H, W, C) and ``num_classes``."""
    num_classes = validation.check_int("num_classes", num_classes, low=2)
    return ModelSpec(
        "article_cnn",
        tuple(input_shape),
        (
            Conv(4, 3, padding="valid"),
            ReLU(),
            Conv(8, 3, padding="valid"),
            ReLU(),
            MaxPool(2),
            Dropout(0.25),
            Flatten(),
            Dense(16),
            ReLU(),
            Dropout(0.5),
            Dense(num_classes),
        ),
    )


def _conv_bn(channels: int) -> tuple:
    return (Conv(channels, 3, bias=False), BatchNorm(), ReLU())


def fast_resnet(input_shape=(32, 32, 3), num_classes: int = 10, *, width: int = 64) -> ModelSpec:
    """The fast CIFAR-10 ResNet; ``width`` is the prep layer's channel count (64)."""
    num_classes = validation.check_int("num_classes", num_classes, low=2)
    w = validation.check_int("width", width, low=1)
    return ModelSpec(
        "fast_resnet",
        tuple(input_shape),
        (
            *_conv_bn(w),  # prep
            *_conv_bn(2 * w),  # layer 1
            MaxPool(2),
            Residual((*_conv_bn(2 * w), *_conv_bn(2 * w))),
            *_conv_bn(4 * w),  # layer 2
            MaxPool(2),
            *_conv_bn(8 * w),  # layer 3
            MaxPool(2),
            Residual((*_conv_bn(8 * w), *_conv_bn(8 * w))),
            GlobalMaxPool(),
            Dense(num_classes, bias=False),
            Scale(0.125),
        ),
    )


MODELS = {"article_cnn": article_cnn, "fast_resnet": fast_resnet}


def model_spec(name: str, input_shape, num_classes: int, **options) -> ModelSpec:
    """The spec of a named model (``"article_cnn"`` or ``"fast_resnet"``)."""
    if name not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}; got {name!r}")
    return MODELS[name](input_shape, num_classes, **options)
