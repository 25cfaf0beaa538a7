"""The range test on a compiled Keras 3 model, leaving no trace on the model or its optimizer.

``keras_range_test(model, batches, loss_fn=None, **kw)`` needs a built, compiled model
with a float learning rate (a ``LearningRateSchedule`` cannot be set per batch). It
builds the optimizer if it has not been built yet (what the first ``fit`` would do: zero
slots), then saves the values of every model variable (weights, BatchNorm statistics,
dropout seed states) and every optimizer variable (iteration count, learning rate,
moments). Each batch then sets ``optimizer.learning_rate`` and runs
``model.train_on_batch(x, y)``, which trains on the compiled loss and returns it for that
batch (Keras resets its metrics first). Everything is assigned back at the end, also when
the test raises. Compiled metrics' running totals are not restored (``fit`` resets them).

``loss_fn``: None to use the compiled loss. A callable ``loss_fn(y_true, y_pred)`` trains
and reports that loss instead (its mean over the batch, plus the model's regularisation
losses) with a ``tf.GradientTape`` step applied by the model's own optimizer: TensorFlow
backend only.

    model.compile(keras.optimizers.Adam(), "sparse_categorical_crossentropy")
    result = keras_range_test(model, [(x_batch, y_batch), ...], num_iter=100)
    result.plot(); lr = result.suggest()
"""

from __future__ import annotations

from .batches import cycle_batches
from .range_test import range_test


def keras_range_test(model, batches, loss_fn=None, **kw):
    """Range test on a compiled Keras model; weights and optimizer are restored after.

    ``batches``: iterable of ``(x, y)``: a list or tf.data.Dataset (cycled if shorter than
    the test) or a generator (consumed, never stored: see ``cycle_batches``). Returns an
    ``LRFinderResult``.
    """
    from ..frameworks import import_keras

    keras = import_keras()

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(model, "compiled", False):
        raise ValueError("model must be compiled (model.compile(optimizer, loss)) first")
    if not model.built:
        raise ValueError(
            "model must be built before the range test (give it a keras.Input or call it "
            "once): its weights must exist to be saved and restored"
        )
    if loss_fn is not None:
        if not callable(loss_fn):
            raise TypeError(f"loss_fn must be None or a callable (y_true, y_pred), got {loss_fn!r}")
        if keras.backend.backend() != "tensorflow":
            raise ValueError(
                f"loss_fn is only supported with the TensorFlow backend (this is "
                f"{keras.backend.backend()!r}); compile the model with the loss instead"
            )
    try:
        optimizer.learning_rate = float(optimizer.learning_rate)
    except TypeError:
        raise ValueError(
            "the model's optimizer uses a LearningRateSchedule, whose learning rate cannot "
            "be set per batch; compile with a float learning_rate for the range test"
        ) from None
    batch_iter = cycle_batches(batches)
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    variables = list(model.variables) + list(optimizer.variables)
    saved = [keras.ops.convert_to_numpy(v).copy() for v in variables]

    if loss_fn is None:

        def train_step(lr):
            optimizer.learning_rate = lr
            x, y = next(batch_iter)
            return float(model.train_on_batch(x, y, return_dict=True)["loss"])

    else:
        import tensorflow as tf

        def train_step(lr):
            optimizer.learning_rate = lr
            x, y = next(batch_iter)
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(loss_fn(y, model(x, training=True)))
                if model.losses:
                    loss = loss + tf.add_n(model.losses)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
            return float(loss)

    try:
        return range_test(train_step, **kw)
    finally:
        for variable, value in zip(variables, saved, strict=True):
            variable.assign(value)
