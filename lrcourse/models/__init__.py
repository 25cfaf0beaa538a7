"""The course's networks, written once as data and built in PyTorch or Keras.

>>> from lrcourse.models import model_spec
>>> spec = model_spec("article_cnn", (8, 8, 1), 10)
>>> spec.num_params, spec.output_shape
(1034, (10,))

``build_torch(spec)`` -> ``torch.nn.Sequential`` (NCHW input); ``build_keras(spec)`` ->
``keras.Model`` (NHWC input). Both output logits and have ``spec.num_params`` trainable
parameters. Importing this package imports neither framework.
"""

from .architectures import MODELS, article_cnn, fast_resnet, model_spec
from .spec import ModelSpec


def build_torch(spec: ModelSpec):
    """The spec as a PyTorch module (imports torch)."""
    from .torch_net import build

    return build(spec)


def build_keras(spec: ModelSpec):
    """The spec as a Keras model (imports keras)."""
    from .keras_net import build

    return build(spec)


__all__ = [
    "MODELS",
    "ModelSpec",
    "article_cnn",
    "build_keras",
    "build_torch",
    "fast_resnet",
    "model_spec",
]
