"""Train a model with Keras ``model.fit``: ``fit(model, dataset, config) -> History``.

The same ``TrainConfig`` and ``History`` as the PyTorch trainer, built from the lrcourse
twins: the optimizer is ``config.optimizer.to_keras()``, an lrcourse schedule becomes
``schedule.to_keras()`` (a ``LearningRateSchedule``, evaluated at ``optimizer.iterations``
= the update's index, so update ``k`` uses ``schedule(k)`` as in torch), plateau and
early-stopping rules become their ``.to_keras()`` callbacks. A small callback records the
learning rate and the mini-batch loss of every update into the ``History`` (chunked, see
``step_log``) and stops the run cleanly when the loss turns NaN/inf.

Keras shuffles the training set itself (seeded with ``keras.utils.set_random_seed``), so
the batch order is not the torch trainer's. On a TensorFlow GPU the model is built under
the "mixed_bfloat16" policy (logits and loss stay float32).

Schedule-free optimizers are refused with a clear error: Keras has no schedule-free SGD,
and ``keras.optimizers.ScheduleFreeAdamW`` has no evaluation mode (the model always holds
the training point y, so validation would not use the averaged weights x). The torch
trainer switches the ``schedulefree`` twins' modes.
"""

from __future__ import annotations

import contextlib
import time

import numpy as np

from ..frameworks import import_keras
from ..models import ModelSpec, build_keras
from .batches import endless_batches
from .config import TrainConfig, is_constant, is_lrcourse_schedule, steps_per_epoch
from .history import History
from .progress import RunProgress
from .step_log import StepLog

keras = import_keras()


def gpus() -> list:
    """The GPUs Keras' backend sees (JAX raises instead of answering "none")."""
    try:
        return list(keras.distribution.list_devices("gpu"))
    except RuntimeError:
        return []


def gpu_present() -> bool:
    return bool(gpus())


def precision_policy(config: TrainConfig) -> str:
    """ "mixed_bfloat16" on a GPU unless switched off, else "float32"."""
    if config.mixed_precision is False or (config.mixed_precision is None and not gpu_present()):
        return "float32"
    return "mixed_bfloat16"


@contextlib.contextmanager
def _dtype_policy(name: str):
    old = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(old)


def build_model(spec: ModelSpec, seed: int = 0, policy: str = "float32"):
    """The spec as a Keras model, initialised from ``seed``."""
    keras.utils.set_random_seed(seed)
    with _dtype_policy(policy):
        return build_keras(spec)


class BatchLoss(keras.metrics.Metric):
    """The loss of the last mini-batch (Keras' own ``loss`` log is a running mean)."""

    def __init__(self, name="batch_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.value = self.add_variable(shape=(), initializer="zeros", name="value")

    def update_state(self, y_true, y_pred, sample_weight=None):
        losses = keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)
        self.value.assign(keras.ops.mean(losses))

    def result(self):  # a tensor, not the variable (JAX cannot trace a Variable)
        return keras.ops.convert_to_tensor(self.value)

    def reset_state(self):
        self.value.assign(0.0)


def _to_numpy(values: list):
    return np.array([keras.ops.convert_to_numpy(v) for v in values], dtype=np.float64)


class StepRecorder(keras.callbacks.Callback):
    """Fills a ``History`` during ``model.fit``: lr and loss per update, metrics per epoch."""

    def __init__(
        self, history: History, progress: RunProgress, epochs: int, max_steps: int, per_epoch: int
    ):
        super().__init__()
        self.history, self.progress = history, progress
        self.log = StepLog(history, progress, _to_numpy)
        self.epochs, self.max_steps, self.per_epoch = epochs, max_steps, per_epoch
        self.train_time = 0.0
        self.images = 0
        self._epoch_start = self._train_end = None
        self._cut = False

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start, self._train_end = time.perf_counter(), None

    def on_train_batch_begin(self, batch, logs=None):
        self._lr = self.model.optimizer.learning_rate  # evaluated at optimizer.iterations

    def on_train_batch_end(self, batch, logs=None):
        if not self.log.append(keras.ops.copy(self._lr), logs["batch_loss"]):
            self.model.stop_training = True
        elif self.log.step >= self.max_steps:  # max_steps reached
            self.model.stop_training = True
            self._cut = self.log.step % self.per_epoch != 0  # inside an epoch: not recorded

    def on_test_begin(self, logs=None):
        if self._epoch_start is not None and self._train_end is None:  # validation starts
            self._end_of_training_part()

    def _end_of_training_part(self):
        if not self.log.flush():  # waits for the device: the epoch's training part is done
            self.model.stop_training = True
        self._train_end = time.perf_counter()
        self.train_time += self._train_end - self._epoch_start

    def on_epoch_end(self, epoch, logs=None):
        if self._train_end is None:
            self._end_of_training_part()
        if self.history.diverged or self._cut:
            return
        lr = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        self.history.record_epoch(
            train_loss=logs["loss"],
            train_accuracy=logs["accuracy"],
            val_loss=logs["val_loss"],
            val_accuracy=logs["val_accuracy"],
            lr=self.history.step_lr[-1] if self.history.step_lr else lr,
            time_s=time.perf_counter() - self._epoch_start,
            train_time_s=self._train_end - self._epoch_start,
        )
        self.progress.epoch_done(epoch + 1, self.epochs, logs["val_accuracy"])
        self._epoch_start = None


class _EarlyStopWatch(keras.callbacks.Callback):
    """Notes the epoch at which an early-stopping callback ended the run."""

    def __init__(self, history: History, stopper):
        super().__init__()
        self.history, self.stopper = history, stopper

    def on_train_end(self, logs=None):
        if getattr(self.stopper, "stopped_epoch", 0) and not self.history.diverged:
            self.history.stopped_early = self.history.num_epochs


def _set_learning_rate(optimizer, config: TrainConfig) -> None:
    schedule = config.schedule
    if is_lrcourse_schedule(schedule) and config.plateau is None:
        optimizer.learning_rate = schedule.to_keras()
    elif isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        optimizer.learning_rate = schedule
    elif is_constant(schedule):
        optimizer.learning_rate = config.base_lr()
    else:
        raise TypeError(
            "the Keras trainer takes schedule=None, a number, an lrcourse.schedules object or "
            f"a keras LearningRateSchedule, got {type(schedule).__name__}"
        )


def _refuse_schedule_free(optimizer) -> None:
    from ..optim.schedule_free import ScheduleFree

    if isinstance(optimizer, ScheduleFree):
        name = type(optimizer).__name__
        raise ValueError(
            f"the Keras trainer cannot train {name}: a schedule-free optimizer must switch "
            "the weights to their average before every evaluation, and Keras has no twin "
            "that does (no schedule-free SGD; keras.optimizers.ScheduleFreeAdamW keeps the "
            "training point in the model). Train it with the torch trainer "
            f"(lrcourse.train.trainer('torch')), which switches schedulefree.{name}'s "
            "train/eval modes"
        )


def compile_model(model, config: TrainConfig):
    """Compile with the config's optimizer and schedule, cross-entropy on logits."""
    optimizer = config.get_optimizer().to_keras()
    _set_learning_rate(optimizer, config)
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy", BatchLoss()],
    )
    return model


def fit(model, dataset, config: TrainConfig | None = None, *, run: str = "") -> History:
    """Train ``model`` (a ``ModelSpec``, built from ``config.seed``, or a Keras model) on
    ``dataset``; return the ``History``. The trained model is ``history.model``."""
    config = config or TrainConfig()
    _refuse_schedule_free(config.get_optimizer())
    if config.device not in (None, "cpu", "gpu", "cuda"):
        raise ValueError(f"device must be None, 'cpu' or 'gpu' for Keras, got {config.device!r}")
    policy = precision_policy(config)
    if isinstance(model, ModelSpec):
        model = build_model(model, config.seed, policy)
    keras.utils.set_random_seed(config.seed)
    x, y = dataset.arrays("train")
    val = dataset.arrays("val")
    per_epoch = steps_per_epoch(len(y), config.batch_size)
    total = config.epochs * per_epoch
    if config.max_steps is not None:
        total = min(total, config.max_steps)
    compile_model(model, config)

    history = History(run=run)
    template = config.get_optimizer()
    history.meta.update(
        framework="keras",
        device=_device_name(),
        precision=policy,
        dataset=dataset.name,
        model=model.name,
        optimizer=repr(template),
        schedule=repr(config.schedule),
        seed=config.seed,
        batch_size=config.batch_size,
    )
    progress = RunProgress(total, desc=run, enabled=config.progress)
    recorder = StepRecorder(history, progress, config.epochs, total, per_epoch)
    callbacks = [recorder]
    if config.plateau is not None:
        callbacks.append(config.plateau.to_keras(monitor=config.monitor))
    if config.early_stopping is not None:
        stopper = config.early_stopping.to_keras(monitor=config.early_stopping_monitor)
        callbacks += [stopper, _EarlyStopWatch(history, stopper)]
    device = "cpu:0" if config.device == "cpu" else None
    try:
        with keras.device(device) if device else contextlib.nullcontext():
            model.fit(
                x,
                y,
                batch_size=config.batch_size,
                epochs=config.epochs,
                validation_data=val,
                validation_batch_size=config.eval_batch_size,
                shuffle=True,
                callbacks=callbacks,
                verbose=0,
            )
            if not history.diverged:
                result = model.evaluate(
                    *dataset.arrays("test"),
                    batch_size=config.eval_batch_size,
                    verbose=0,
                    return_dict=True,
                )
                history.test_loss, history.test_accuracy = result["loss"], result["accuracy"]
    finally:
        progress.close()
    recorder.log.flush()
    images = _images_seen(history.num_steps, per_epoch, config.batch_size, len(y))
    history.meta["train_time_s"] = round(recorder.train_time, 3)
    history.meta["images_per_s"] = (
        round(images / recorder.train_time, 1) if recorder.train_time else 0.0
    )
    history.model = model
    return history


def _images_seen(steps: int, per_epoch: int, batch_size: int, n: int) -> int:
    """Examples processed by ``steps`` updates (the last batch of an epoch is smaller)."""
    full, rest = divmod(steps, per_epoch)
    return full * n + min(rest * batch_size, n)


def _device_name() -> str:
    found = gpus()
    return str(found[0]) if found else "cpu"


def find_lr(model, dataset, config: TrainConfig | None = None, **range_test_options):
    """Run ``lrcourse.lr_finder.keras_range_test`` on ``model`` (a Keras model, or a
    ``ModelSpec`` built from ``config.seed``), compiled with the config's optimizer, on
    training batches only. The model and optimizer are left as they were."""
    from ..lr_finder import keras_range_test

    config = config or TrainConfig()
    if isinstance(model, ModelSpec):
        model = build_model(model, config.seed, precision_policy(config))
    if getattr(model, "optimizer", None) is None:
        compile_model(model, config.with_(schedule=None, plateau=None))
    x, y = dataset.arrays("train")
    batches = endless_batches(x, y, config.batch_size, config.seed)
    return keras_range_test(model, batches, **range_test_options)
