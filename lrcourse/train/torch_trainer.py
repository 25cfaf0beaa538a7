"""Train a model with PyTorch: ``fit(model, dataset, config) -> History``.

The dataset is copied to the device once (no data loader: a batch is an index into
device memory, NHWC, which seen as NCHW is channels-last), the model uses channels-last
memory too (on a CPU as well: oneDNN is faster with it for the ResNet, see
benchmarks/RESULTS.md), and on a CUDA GPU the forward pass runs under autocast in
bfloat16 (float16 with a gradient scaler on GPUs without bf16). On a CPU everything is
float32 and runs are reproducible bit for bit from ``config.seed`` (weights, dropout and
batch order).

Before every update the learning rate is set from the run's plan (an lrcourse schedule
evaluated at the update's index, or a constant), or a native torch scheduler is stepped
after it. Schedule-free optimizers (``schedulefree.SGDScheduleFree`` / ``AdamWScheduleFree``,
the twins of ``lrcourse.optim``'s) are switched to ``optimizer.train()`` before each epoch's
updates and to ``optimizer.eval()`` before every evaluation and at the end, so validation,
test and the returned model use their averaged weights x, not the training point y.
Losses stay on the device and are copied back in chunks (``step_log``), so the
GPU never waits for Python; a NaN/inf loss ends the run with "diverged at step k (lr=...)"
in the history.
"""

from __future__ import annotations

import contextlib
import time

import numpy as np
import torch
import torch.nn.functional as F

from ..callbacks.improvement import fresh_for
from ..models import ModelSpec, build_torch
from ..models.torch_net import to_nchw
from .batches import endless_batches, epoch_order
from .config import TrainConfig, steps_per_epoch
from .history import History
from .lr_plan import planned_lrs
from .progress import RunProgress
from .step_log import StepLog


def pick_device(requested: str | None = None) -> torch.device:
    """``requested`` ("cpu", "cuda", "cuda:1"...) or the GPU when there is one."""
    if requested is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(requested)
    except RuntimeError as err:
        raise ValueError(f"device must be 'cpu' or 'cuda[:n]', got {requested!r}") from err
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={requested!r} but no CUDA GPU is available")
    return device


def autocast_dtype(device: torch.device, mixed_precision: bool | None) -> torch.dtype | None:
    """bf16 (or fp16) autocast on a GPU unless switched off; None (float32) on a CPU."""
    if device.type != "cuda" or mixed_precision is False:
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def build_model(spec: ModelSpec, seed: int = 0, device: str | torch.device | None = None):
    """The spec as a torch module, initialised from ``seed``, on ``device``."""
    device = pick_device(device) if not isinstance(device, torch.device) else device
    torch.manual_seed(seed)
    return build_torch(spec).to(device, memory_format=torch.channels_last)


class _Data:
    """A dataset's normalised splits as tensors on the device (NHWC in memory)."""

    def __init__(self, dataset, device):
        self.splits = {}
        for name in ("train", "val", "test"):
            x, y = dataset.arrays(name)
            self.splits[name] = (torch.from_numpy(x).to(device), torch.from_numpy(y).to(device))

    def batch(self, split: str, index) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = self.splits[split]
        # (N, H, W, C) memory seen as (N, C, H, W): exactly torch's channels-last layout
        return x[index].permute(0, 3, 1, 2), y[index]

    def size(self, split: str) -> int:
        return int(self.splits[split][1].shape[0])


@torch.no_grad()
def evaluate(model, data: _Data, split: str, batch_size: int = 1024, amp=None):
    """``(mean loss, accuracy)`` of the model on a split, in eval mode."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    n = data.size(split)
    loss = torch.zeros((), device=device)
    correct = torch.zeros((), device=device, dtype=torch.long)
    for start in range(0, n, batch_size):
        xb, yb = data.batch(split, slice(start, start + batch_size))
        with torch.autocast(device.type, dtype=amp, enabled=amp is not None):
            logits = model(xb)
        loss += F.cross_entropy(logits.float(), yb, reduction="sum")
        correct += (logits.argmax(1) == yb).sum()
    model.train(was_training)
    return loss.item() / n, correct.item() / n


def fit(model, dataset, config: TrainConfig | None = None, *, run: str = "") -> History:
    """Train ``model`` (a ``ModelSpec``, built from ``config.seed``, or a torch module) on
    ``dataset`` (an ``lrcourse.data.Dataset``); return the ``History``. The trained module
    is ``history.model``."""
    config = config or TrainConfig()
    with cpu_threads(config.cpu_threads):
        return _fit(model, dataset, config, run)


@contextlib.contextmanager
def cpu_threads(n: int | None):
    """torch's intra-op thread count set to ``n`` inside the block (None: unchanged)."""
    old = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


class _LearningRate:
    """Sets the learning rate of every update: from the run's plan (an lrcourse schedule
    or a constant, which a plateau rule may lower) or by a native torch scheduler."""

    def __init__(self, config: TrainConfig, optimizer, total_steps: int):
        self.optimizer = optimizer
        self.plan = planned_lrs(config, total_steps)
        self.native = None if self.plan is not None else config.schedule(optimizer)

    def before_update(self, step: int) -> float:
        if self.native is not None:
            return float(self.optimizer.param_groups[0]["lr"])
        lr = float(self.plan[step])
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        return lr

    def after_update(self) -> None:
        if self.native is not None:
            self.native.step()

    def apply_plateau(self, plateau, metric: float, step: int) -> None:
        """Feed the plateau rule; a lower lr replaces the rest of the plan."""
        if plateau is not None and step < len(self.plan):
            self.plan[step:] = float(plateau.update(metric, float(self.plan[step])))


def _fit(model, dataset, config: TrainConfig, run: str) -> History:
    device = pick_device(config.device)
    if isinstance(model, ModelSpec):
        model = build_model(model, config.seed, device)
    else:
        torch.manual_seed(config.seed)
        model.to(device, memory_format=torch.channels_last)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    amp = autocast_dtype(device, config.mixed_precision)
    data = _Data(dataset, device)
    n_train = data.size("train")
    per_epoch = steps_per_epoch(n_train, config.batch_size)
    total = config.epochs * per_epoch
    if config.max_steps is not None:
        total = min(total, config.max_steps)
    template = config.get_optimizer()
    optimizer = template.to_torch(model.parameters())
    learning_rate = _LearningRate(config, optimizer, total)
    # each run gets its own plateau / early-stopping state, as Keras builds fresh callbacks
    plateau, stopper = (
        None if rule is None else fresh_for(rule, monitor)
        for rule, monitor in (
            (config.plateau, config.monitor),
            (config.early_stopping, config.early_stopping_monitor),
        )
    )

    history = History(run=run)
    history.meta.update(
        framework="torch",
        device=_device_name(device),
        precision=str(amp).replace("torch.", "") if amp else "float32",
        dataset=dataset.name,
        model=getattr(getattr(model, "spec", None), "name", type(model).__name__),
        optimizer=repr(template),
        schedule=repr(config.schedule),
        seed=config.seed,
        batch_size=config.batch_size,
    )
    progress = RunProgress(total, desc=run, enabled=config.progress)
    log = StepLog(history, progress, _to_numpy)
    step_fn = _update_step(model, optimizer, learning_rate, amp)
    train_time, images = 0.0, 0
    model.train()
    torch.manual_seed(config.seed)  # dropout's random stream, however the model was made
    try:
        for epoch in range(config.epochs):
            t0 = time.perf_counter()
            batches = epoch_order(n_train, config.batch_size, config.seed, epoch)
            batches = batches[: total - log.step]
            optimizer_mode(optimizer, "train")
            finished, loss_sum, correct = _train_epoch(step_fn, data, batches, log)
            if device.type == "cuda":
                torch.cuda.synchronize()
            epoch_train_time = time.perf_counter() - t0
            train_time += epoch_train_time
            seen = sum(len(index) for index in batches)
            images += seen
            optimizer_mode(optimizer, "eval")  # what follows evaluates, or ends the run
            if not finished:  # diverged
                return _finish(history, model, train_time, images)
            if len(batches) < per_epoch:  # max_steps ended the run inside this epoch
                break
            val_loss, val_acc = evaluate(model, data, "val", config.eval_batch_size, amp)
            history.record_epoch(
                train_loss=loss_sum.item() / seen,
                train_accuracy=correct.item() / seen,
                val_loss=val_loss,
                val_accuracy=val_acc,
                lr=history.step_lr[-1],
                time_s=time.perf_counter() - t0,
                train_time_s=epoch_train_time,
            )
            progress.epoch_done(epoch + 1, config.epochs, val_acc)
            metrics = {"val_loss": val_loss, "val_accuracy": val_acc}
            learning_rate.apply_plateau(plateau, metrics[config.monitor], log.step)
            if _should_stop(stopper, metrics[config.early_stopping_monitor], model):
                history.stopped_early = epoch + 1
                break
            if log.step >= total:
                break
        optimizer_mode(optimizer, "eval")
        history.test_loss, history.test_accuracy = evaluate(
            model, data, "test", config.eval_batch_size, amp
        )
    finally:
        progress.close()
        optimizer_mode(optimizer, "eval")  # the returned model holds the averaged weights
    return _finish(history, model, train_time, images)


def optimizer_mode(optimizer, mode: str) -> None:
    """Call ``optimizer.train()`` or ``optimizer.eval()`` where the optimizer has modes.

    A schedule-free optimizer keeps the point y where gradients are taken in the
    parameters while training, and the average x (the weights to evaluate and keep) while
    evaluating; ``train()`` / ``eval()`` move the parameters between the two (no-ops when
    already there). torch's own optimizers have no modes: nothing happens.
    """
    switch = getattr(optimizer, mode, None)
    if callable(switch):
        switch()


def _update_step(model, optimizer, learning_rate: _LearningRate, amp):
    """``step(k, x, y) -> (lr, loss, logits)``: one update at the planned learning rate."""
    scaler = torch.amp.GradScaler("cuda", enabled=amp == torch.float16)
    device_type = next(model.parameters()).device.type

    def step(k, xb, yb):
        lr = learning_rate.before_update(k)
        with torch.autocast(device_type, dtype=amp, enabled=amp is not None):
            logits = model(xb)
        loss = F.cross_entropy(logits.float(), yb)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        learning_rate.after_update()
        return lr, loss.detach(), logits.detach()

    return step


def _train_epoch(step, data: _Data, batches, log: StepLog):
    """Run the updates of one epoch; ``(finished, loss_sum, correct)`` as device tensors
    (``finished`` is False when the run diverged)."""
    device = data.splits["train"][0].device
    order = torch.from_numpy(np.concatenate(batches)).to(device)  # one copy per epoch
    loss_sum = torch.zeros((), device=device)
    correct = torch.zeros((), device=device, dtype=torch.long)
    start = 0
    for index in batches:
        end = start + len(index)
        xb, yb = data.batch("train", order[start:end])
        lr, loss, logits = step(log.step, xb, yb)
        loss_sum += loss * len(index)
        correct += (logits.argmax(1) == yb).sum()
        if not log.append(lr, loss):
            return False, loss_sum, correct
        start = end
    return log.flush(), loss_sum, correct


def _should_stop(stopper, metric: float, model) -> bool:
    """Feed an lrcourse EarlyStopping; on a stop, restore its best weights if it keeps them."""
    if stopper is None:
        return False
    keep = getattr(stopper, "restore_best_weights", False)
    stop = stopper.update(metric, model.state_dict() if keep else None)
    if stop and keep and stopper.best_weights is not None:
        model.load_state_dict(stopper.best_weights)
    return stop


def _to_numpy(values: list):
    """Python floats (learning rates) or device scalars (losses) -> one host array."""
    if torch.is_tensor(values[0]):
        return torch.stack(values).float().cpu().numpy()
    return values


def _finish(history, model, train_time, images) -> History:
    history.meta["train_time_s"] = round(train_time, 3)
    history.meta["images_per_s"] = round(images / train_time, 1) if train_time else 0.0
    history.model = model
    return history


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return "cpu"


def training_batches(dataset, config: TrainConfig | None = None, device=None):
    """Endless ``(x, y)`` training batches as tensors on the device (NCHW, seeded): what
    the LR finder feeds on."""
    config = config or TrainConfig()
    device = pick_device(device or config.device)
    x, y = dataset.arrays("train")
    for xb, yb in endless_batches(x, y, config.batch_size, config.seed):
        yield to_nchw(xb).to(device), torch.from_numpy(yb).to(device)


def find_lr(model, dataset, config: TrainConfig | None = None, **range_test_options):
    """Run ``lrcourse.lr_finder.torch_range_test`` on ``model`` (a torch module, or a
    ``ModelSpec`` built from ``config.seed``) with the config's optimizer and cross-entropy,
    on training batches only. The model and optimizer are left as they were."""
    from ..lr_finder import torch_range_test

    config = config or TrainConfig()
    device = pick_device(config.device)
    if isinstance(model, ModelSpec):
        model = build_model(model, config.seed, device)
    model.to(device)
    optimizer = config.get_optimizer().to_torch(model.parameters())
    batches = training_batches(dataset, config, device)
    with cpu_threads(config.cpu_threads):
        return torch_range_test(model, optimizer, F.cross_entropy, batches, **range_test_options)
