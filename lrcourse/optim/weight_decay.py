"""Weight decay, a named step of its own before the update (as optax's ``add_decayed_weights``).

Three ways the frameworks decay weights, given the learning rate ``lr`` and the decay
``weight_decay`` (``wd``):

    l2:               g <- g + wd * w              torch's ``weight_decay`` in SGD, Adam, ...
    decoupled_torch:  w <- w * (1 - lr * wd)       torch's AdamW (and NAdam/Adam with
                                                   ``decoupled_weight_decay=True``)
    decoupled_keras:  w <- w - w * wd * lr         every Keras optimizer's ``weight_decay``

L2 is a penalty ``wd/2 * |w|^2`` added to the loss, so an adaptive optimizer rescales it with
the gradient; decoupled decay (Loshchilov & Hutter) shrinks the weights by the same factor
whatever the gradient statistics. The two decoupled forms are the same formula, rounded in
a different order.

>>> import numpy as np
>>> w = np.array([2.0]); decoupled_torch(w, lr=0.1, weight_decay=0.5); w
array([1.9])
>>> l2(np.array([1.0]), np.array([2.0]), weight_decay=0.5)
array([2.])
"""

from __future__ import annotations


def l2(grad, param, weight_decay):
    """The gradient of ``loss + weight_decay / 2 * |param|^2`` (a new array)."""
    return grad + weight_decay * param


def decoupled_torch(param, lr, weight_decay):
    """param <- param * (1 - lr * weight_decay), in place (torch ``param.mul_(1 - lr * wd)``)."""
    param *= 1 - lr * weight_decay


def decoupled_keras(param, lr, weight_decay):
    """param <- param - param * weight_decay * lr, in place (Keras ``_apply_weight_decay``)."""
    param -= param * weight_decay * lr
