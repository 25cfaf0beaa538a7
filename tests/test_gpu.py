"""CUDA checks: the trainers and the optimizer twins on a real GPU (marker ``gpu``).

Skipped without a CUDA GPU (``conftest.py``); ``benchmarks/gpu_check.sh`` runs them with
``LRCOURSE_REQUIRE_GPU=1``, which turns the skip into a failure. They use random data of
CIFAR-10's shape, so they need neither scikit-learn nor the CIFAR-10 archive. The Keras
test runs on whatever backend ``KERAS_BACKEND`` names (the GPU machines: JAX).
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gpu

FLOAT64_TOL = 1e-12  # as on the CPU (tests/test_optim_twins.py)
FLOAT32_TOL = 2e-5  # GPU kernels (fused multiply-add, other reduction orders): looser


def random_cifar(n_train=1024, n_eval=256, seed=0):
    from lrcourse.data import Dataset, Split

    rng = np.random.default_rng(seed)

    def split(n):
        return Split(rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, n))

    names = tuple(f"class{i}" for i in range(10))
    return Dataset("random", names, split(n_train), split(n_eval), split(n_eval), "random")


@pytest.fixture(scope="module")
def data():
    return random_cifar()


def _config(**kw):
    from lrcourse import optim
    from lrcourse.train import TrainConfig

    kw.setdefault("optimizer", optim.SGD(lr=0.05, momentum=0.9))
    return TrainConfig(epochs=1, batch_size=128, progress=False, **kw)


@pytest.mark.parametrize("model", ["article_cnn", "fast_resnet"])
def test_torch_trainer_on_cuda_bf16_channels_last(data, model):
    import torch

    from lrcourse import schedules
    from lrcourse.models import model_spec
    from lrcourse.train import torch_trainer

    options = {"width": 16} if model == "fast_resnet" else {}
    spec = model_spec(model, data.image_shape, data.num_classes, **options)
    schedule = schedules.OneCycle(0.05, total_steps=8)
    seen = {}

    def record(module, args, output):
        seen.setdefault("dtype", output.dtype)
        seen.setdefault("channels_last", args[0].is_contiguous(memory_format=torch.channels_last))

    model_ = torch_trainer.build_model(spec, seed=0, device="cuda")
    conv = next(m for m in model_.modules() if isinstance(m, torch.nn.Conv2d))
    handle = conv.register_forward_hook(record)
    history = torch_trainer.fit(model_, data, _config(schedule=schedule))
    handle.remove()
    expected = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    assert history.meta["precision"] == str(expected).replace("torch.", "")
    assert seen["dtype"] == expected and seen["channels_last"]  # autocast, NHWC input
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    assert next(model_.parameters()).device.type == "cuda"
    assert np.array_equal(history.step_lr, schedule(np.arange(8)))
    assert np.all(np.isfinite(history.step_loss)) and history.test_accuracy is not None
    assert history.meta["images_per_s"] > 0 and history.meta["device"] != "cpu"


def test_torch_trainer_float32_on_cuda_when_asked(data):
    from lrcourse.models import model_spec
    from lrcourse.train import torch_trainer

    spec = model_spec("article_cnn", data.image_shape, data.num_classes)
    history = torch_trainer.fit(spec, data, _config(mixed_precision=False, max_steps=4))
    assert history.meta["precision"] == "float32" and history.num_steps == 4


def test_lr_finder_on_cuda_leaves_the_model_unchanged(data):
    import torch

    from lrcourse.models import model_spec
    from lrcourse.train import torch_trainer

    spec = model_spec("article_cnn", data.image_shape, data.num_classes)
    model = torch_trainer.build_model(spec, seed=0, device="cuda")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    result = torch_trainer.find_lr(model, data, _config(), num_iter=20, end_lr=1.0)
    assert len(result) >= 2
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


OPTIMIZERS = ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_twin_on_cuda_tensors(name, dtype):
    """The NumPy optimizer against its torch twin stepping CUDA tensors (torch's default
    foreach implementation on a GPU), 30 steps of random gradients, lr changed each step."""
    import torch

    from lrcourse import optim
    from lrcourse.optim.compare import max_relative_error

    kwargs = {"SGD": dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
              "RMSprop": dict(lr=1e-3, momentum=0.5, centered=True),
              "Adam": dict(lr=1e-3, amsgrad=True, weight_decay=1e-2)}.get(name, {})  # fmt: skip
    rng = np.random.default_rng(0)
    params = [rng.normal(size=s).astype(dtype) for s in [(64, 33), (33,), (3, 3, 8, 8)]]
    steps = 30
    grads = [[rng.normal(size=p.shape).astype(dtype) for p in params] for _ in range(steps)]
    lrs = np.geomspace(1.0, 0.3, steps) * kwargs.get("lr", getattr(optim, name)().lr)

    reference, numpy_params = [], [p.copy() for p in params]
    ours = getattr(optim, name)(**kwargs)
    for k in range(steps):
        ours.lr = float(lrs[k])
        ours.step(numpy_params, grads[k])
        reference.append([p.copy() for p in numpy_params])

    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64 if dtype == np.float64 else torch.float32)
    try:
        tensors = [torch.tensor(p, device="cuda") for p in params]
        twin = getattr(optim, name)(**kwargs).to_torch(tensors)
        got = []
        for k in range(steps):
            for group in twin.param_groups:
                group["lr"] = float(lrs[k])
            for t, g in zip(tensors, grads[k], strict=True):
                t.grad = torch.tensor(g, device="cuda")
            twin.step()
            got.append([t.detach().cpu().numpy().copy() for t in tensors])
    finally:
        torch.set_default_dtype(old)
    tol = FLOAT64_TOL if dtype == np.float64 else FLOAT32_TOL
    assert max_relative_error(got, reference) <= tol


def test_keras_trainer_on_the_gpu(data):
    from lrcourse import schedules
    from lrcourse.frameworks import import_keras
    from lrcourse.models import model_spec
    from lrcourse.train import keras_trainer

    keras = import_keras()
    assert keras.distribution.list_devices("gpu"), f"Keras ({keras.backend.backend()}) sees no GPU"
    spec = model_spec("article_cnn", data.image_shape, data.num_classes)
    schedule = schedules.CosineDecay(0.05, decay_steps=8)
    history = keras_trainer.fit(spec, data, _config(schedule=schedule))
    assert history.meta["precision"] == "mixed_bfloat16" and history.meta["device"] != "cpu"
    assert np.allclose(history.step_lr, schedule(np.arange(8)), rtol=1e-6)
    assert np.all(np.isfinite(history.step_loss)) and history.test_accuracy is not None
