"""Build a ``ModelSpec`` as a Keras functional model (inputs NHWC). Each spec layer maps to
one Keras layer, in order; BatchNorm's momentum is converted from PyTorch's convention."""

from __future__ import annotations

from . import spec as S


def _apply(layers, x):
    from keras import layers as L

    for layer in layers:
        if isinstance(layer, S.Residual):
            x = L.Add()([x, _apply(layer.body, x)])
        else:
            x = _layer(L, layer)(x)
    return x


def _layer(L, layer):
    if isinstance(layer, S.Conv):
        return L.Conv2D(layer.filters, layer.kernel, padding=layer.padding, use_bias=layer.bias)
    if isinstance(layer, S.BatchNorm):
        return L.BatchNormalization(momentum=1.0 - layer.momentum, epsilon=layer.eps)
    if isinstance(layer, S.ReLU):
        return L.ReLU()
    if isinstance(layer, S.MaxPool):
        return L.MaxPooling2D(layer.size)
    if isinstance(layer, S.GlobalMaxPool):
        return L.GlobalMaxPooling2D()
    if isinstance(layer, S.Flatten):
        return L.Flatten()
    if isinstance(layer, S.Dense):
        return L.Dense(layer.units, use_bias=layer.bias)
    if isinstance(layer, S.Dropout):
        return L.Dropout(layer.rate)
    if isinstance(layer, S.Scale):
        return L.Rescaling(layer.factor)
    raise TypeError(f"unknown layer {layer!r}")


def build(model_spec: S.ModelSpec):
    """The spec as a ``keras.Model`` taking ``(N, H, W, C)`` floats, giving logits."""
    from ..frameworks import import_keras

    keras = import_keras()

    inputs = keras.Input(shape=model_spec.input_shape)
    outputs = _apply(model_spec.layers, inputs)
    if outputs.dtype != "float32":  # mixed precision: keep the logits (and loss) in float32
        outputs = keras.layers.Activation("linear", dtype="float32")(outputs)
    return keras.Model(inputs, outputs, name=model_spec.name)


def count_params(model) -> int:
    """Trainable parameters of a Keras model."""
    return int(sum(w.numpy().size for w in model.trainable_weights))
