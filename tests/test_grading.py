"""Unit tests for lrcourse.grading: hints, hidden tests, delegation, time limits.

The mistaken implementations below are written the way a learner would write them (not
copied from the ``Mistake`` entries), and each must get its specific hint from ``check``.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import math
import pkgutil
import signal
import subprocess
import sys
import threading
import time
import types

import numpy as np
import pytest

import lrcourse.grading
from lrcourse.grading import a01_learning_rate as a01
from lrcourse.grading.a01_learning_rate import reference_gd_step as helper_alias
from lrcourse.grading.comparison import describe_difference
from lrcourse.grading.delegation import forbidden_area, static_findings
from lrcourse.grading.task import AnswerRejected
from lrcourse.grading.time_limit import AnswerTimeout, call_with_time_limit

ASSIGNMENT_MODULES = [
    importlib.import_module(f"lrcourse.grading.{m.name}")
    for m in pkgutil.iter_modules(lrcourse.grading.__path__)
    if m.name[:1] == "a" and m.name[1:3].isdigit()
]
ALL_TASKS = [
    pytest.param(module, task, id=f"{module.__name__.rsplit('.', 1)[1]}.{task.name}")
    for module in ASSIGNMENT_MODULES
    for task in module.TASKS
]


def check_output(task, func, capsys) -> str:
    task.check(func)
    return capsys.readouterr().out


# -- learner-style answers for assignment 01 --------------------------------------------------


def good_gd_step(w, grad, lr):
    return w - lr * grad


def good_has_diverged(losses, factor=10.0):
    if len(losses) == 0:
        return False
    first = losses[0]
    for loss in losses:
        if math.isnan(loss) or math.isinf(loss) or loss > factor * first:
            return True
    return False


def good_largest_stable_lr(hessian):
    return 2 / max(np.linalg.eigvalsh(np.atleast_2d(hessian)))


def good_scale_lr(lr, batch_size, new_batch_size):
    return lr * (new_batch_size / batch_size)


GOOD_ANSWERS = {
    "gd_step": good_gd_step,
    "has_diverged": good_has_diverged,
    "largest_stable_lr": good_largest_stable_lr,
    "scale_lr": good_scale_lr,
}


def diverged_last_only(losses, factor=10.0):
    last = losses[-1]
    return math.isnan(last) or last > factor * losses[0]


def diverged_nan_equality(losses, factor=10.0):
    for loss in losses:
        if loss == float("nan") or loss > factor * losses[0]:
            return True
    return False


def diverged_vs_previous(losses, factor=10.0):
    for before, after in zip(losses, losses[1:], strict=False):
        if math.isnan(after) or after > factor * before:
            return True
    return False


MISTAKES_01 = [
    (a01.GD_STEP, lambda w, grad, lr: w + lr * grad, "sign error"),
    (a01.GD_STEP, lambda w, grad, lr: w - grad, "learning rate is missing"),
    (a01.GD_STEP, lambda w, grad, lr: w - lr * w, "uses w instead of the gradient"),
    (a01.GD_STEP, lambda w, grad, lr: w - grad / lr, "divided by lr"),
    (a01.GD_STEP, lambda w, grad, lr: -lr * grad, "returns the step"),
    (a01.GD_STEP, lambda w, grad, lr: w, "returns w unchanged"),
    (a01.HAS_DIVERGED, diverged_nan_equality, "NaN is not equal to anything"),
    (a01.HAS_DIVERGED, lambda losses, factor=10.0: any(map(math.isnan, losses)), "keeps growing"),
    (
        a01.HAS_DIVERGED,
        lambda losses, factor=10.0: any(b > a for a, b in zip(losses, losses[1:], strict=False)),
        "goes up a little",
    ),
    (
        a01.HAS_DIVERGED,
        lambda losses, factor=10.0: good_has_diverged(losses, 10.0),
        "use the `factor` argument",
    ),
    (a01.HAS_DIVERGED, diverged_last_only, "not only the last one"),
    (
        a01.HAS_DIVERGED,
        lambda losses, factor=10.0: bool(
            len(losses) and (np.isnan(losses).any() or max(losses) >= factor * losses[0])
        ),
        "use `>`",
    ),
    (a01.HAS_DIVERGED, diverged_vs_previous, "not with the previous one"),
    (
        a01.LARGEST_STABLE_LR,
        lambda h: 1 / np.linalg.eigvalsh(np.atleast_2d(h)).max(),
        "jumps to the minimum in one step",
    ),
    (
        a01.LARGEST_STABLE_LR,
        lambda h: 2 / np.linalg.eigvalsh(np.atleast_2d(h)).min(),
        "largest curvature",
    ),
    (a01.LARGEST_STABLE_LR, lambda h: 2 / np.max(np.diag(np.atleast_2d(h))), "not its diagonal"),
    (a01.LARGEST_STABLE_LR, lambda h: 2 / np.trace(np.atleast_2d(h)), "the trace"),
    (a01.LARGEST_STABLE_LR, lambda h: 2 / np.linalg.norm(h), "Frobenius"),
    (a01.LARGEST_STABLE_LR, lambda h: np.max(np.linalg.eigvalsh(np.atleast_2d(h))) / 2, "a / 2"),
    (a01.SCALE_LR, lambda lr, b, nb: lr * b / nb, "upside down"),
    (a01.SCALE_LR, lambda lr, b, nb: lr * math.sqrt(nb / b), "square-root"),
    (a01.SCALE_LR, lambda lr, b, nb: nb / b, "ratio of the batch sizes only"),
    (a01.SCALE_LR, lambda lr, b, nb: lr * 2, "doubling is the syllabus example"),
]


@pytest.mark.parametrize(("task", "mistaken", "hint"), MISTAKES_01)
def test_check_names_the_classic_mistake(task, mistaken, hint, capsys):
    out = check_output(task, mistaken, capsys)
    assert out.startswith(f"✗ {task.name}")
    assert "Expected:" in out and "Got:" in out and "Call:" in out
    assert hint in out, out
    with pytest.raises(AnswerRejected, match="scores 0"):
        task.test_visible(mistaken)


@pytest.mark.parametrize("task", a01.TASKS, ids=lambda t: t.name)
def test_correct_answers_pass_visible_and_hidden_tests(task, capsys):
    answer = GOOD_ANSWERS[task.name]
    assert check_output(task, answer, capsys).startswith(f"✓ {task.name} passes all")
    task.test_visible(answer)
    for seed in range(20):
        task.test_hidden(answer, seed=seed)


# -- every assignment's tasks -----------------------------------------------------------------


@pytest.mark.parametrize(("module", "task"), ALL_TASKS)
def test_task_follows_the_naming_convention(module, task):
    assert task.name.isidentifier()
    assert getattr(module, task.name.upper()) is task
    assert len(task.visible) >= 2 and task.time_limit_s > 0


def _outputs(func, cases):
    with np.errstate(all="ignore"):
        return [func(*map(_copy, c.args)) for c in cases]


def _copy(value):
    return value.copy() if isinstance(value, np.ndarray | list) else value


def _same(a, b) -> bool:
    if isinstance(a, bool | np.bool_) or isinstance(b, bool | np.bool_):
        return bool(a) == bool(b) and isinstance(b, bool | np.bool_) == isinstance(
            a, bool | np.bool_
        )
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=1e-9, atol=0, equal_nan=True))


@pytest.mark.parametrize(("module", "task"), ALL_TASKS)
def test_visible_cases_tell_every_mistake_apart(module, task):
    """Each mistake differs from the reference and from every other mistake somewhere."""
    signatures = [("reference", _outputs(task.reference, task.visible))]
    for mistake in task.mistakes:
        signatures.append((mistake.hint, _outputs(mistake.implementation, task.visible)))
    for i, (name_i, outs_i) in enumerate(signatures):
        for name_j, outs_j in signatures[:i]:
            same = all(_same(a, b) for a, b in zip(outs_i, outs_j, strict=True))
            assert not same, f"visible cases cannot tell {name_i!r} from {name_j!r}"


@pytest.mark.parametrize(("module", "task"), ALL_TASKS)
def test_hidden_cases_are_random_and_catch_every_mistake(module, task):
    draws = [task.draw_hidden(np.random.default_rng(seed)) for seed in range(5)]
    assert repr([c.args for c in draws[0]]) != repr([c.args for c in draws[1]])
    for mistake in task.mistakes:
        caught = any(
            not _same(got, want)
            for cases in draws
            for got, want in zip(
                _outputs(mistake.implementation, cases),
                _outputs(task.reference, cases),
                strict=True,
            )
        )
        assert caught, f"hidden cases never catch: {mistake.hint}"


@pytest.mark.parametrize(("module", "task"), ALL_TASKS)
def test_a_hard_coded_answer_passes_visible_but_fails_hidden_tests(module, task):
    expected = _outputs(task.reference, task.visible)
    table = {repr(c.args): r for c, r in zip(task.visible, expected, strict=True)}
    fallback = next(iter(table.values()))

    def hard_coded(*args):
        return table.get(repr(args), fallback)

    task.test_visible(hard_coded)
    with pytest.raises(AnswerRejected, match="hidden tests, inputs drawn with seed"):
        task.test_hidden(hard_coded)


# -- generic failures ---------------------------------------------------------------------------


def test_not_implemented_yet_says_so(capsys):
    def gd_step(w, grad, lr):
        raise NotImplementedError()

    assert "is not written yet" in check_output(a01.GD_STEP, gd_step, capsys)


def test_missing_return_and_wrong_types_are_explained(capsys):
    assert "a `return` statement missing" in check_output(
        a01.GD_STEP, lambda w, g, lr: None, capsys
    )
    out = check_output(a01.HAS_DIVERGED, lambda losses, factor=10.0: "yes", capsys)
    assert "should return True or False" in out
    out = check_output(a01.GD_STEP, lambda w, g, lr: [w - lr * g], capsys)
    assert "should return a single number, but returned shape (1,)" in out


def test_nan_and_exceptions_are_explained(capsys):
    assert "NaN or infinity" in check_output(a01.GD_STEP, lambda w, g, lr: w * np.nan, capsys)
    out = check_output(a01.LARGEST_STABLE_LR, lambda h: 2 / np.linalg.eigvalsh(h).max(), capsys)
    assert "raised LinAlgError" in out and "largest_stable_lr(hessian=4.0)" in out


def test_changing_the_input_in_place_is_reported(capsys):
    def gd_step(w, grad, lr):
        w -= lr * grad
        return w

    assert "changed its input `w` in place" in check_output(a01.GD_STEP, gd_step, capsys)


def test_non_callable_answer(capsys):
    assert "not a function" in check_output(a01.GD_STEP, 0.6, capsys)


def test_describe_difference():
    assert describe_difference(0.6, 0.6, rtol=1e-6, atol=0) is None
    assert "complex" in describe_difference(np.array(0.2 + 0j), 0.2, rtol=1e-6, atol=0)
    assert "shape (3,)" in describe_difference(np.zeros(2), np.zeros(3), rtol=1e-6, atol=0)
    assert describe_difference(np.True_, True, rtol=0, atol=0) is None
    assert "opposite" in describe_difference(False, True, rtol=0, atol=0)


# -- endless loops ------------------------------------------------------------------------------


def test_an_endless_answer_is_stopped_and_reported(capsys):
    quick = dataclasses.replace(a01.GD_STEP, time_limit_s=0.3)

    def gd_step(w, grad, lr):
        while True:
            try:
                w = w - lr * grad
            except Exception:  # a learner's catch-all must not keep the loop alive
                pass

    start = time.perf_counter()
    out = check_output(quick, gd_step, capsys)
    assert time.perf_counter() - start < 3
    assert "did not return within 0.3 s" in out
    with pytest.raises(AnswerRejected, match="loop that never ends"):
        quick.test_visible(gd_step)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_time_limit_restores_the_previous_handler():
    before = signal.getsignal(signal.SIGALRM)
    assert call_with_time_limit(1.0, max, 2, 3) == 3
    with pytest.raises(AnswerTimeout):
        call_with_time_limit(0.1, time.sleep, 5)
    assert signal.getsignal(signal.SIGALRM) is before


def test_time_limit_outside_the_main_thread_runs_without_limit():
    result = []
    worker = threading.Thread(target=lambda: result.append(call_with_time_limit(0.01, sum, [1])))
    worker.start()
    worker.join()
    assert result == [1]


# -- delegation ---------------------------------------------------------------------------------


def rejected(task, func, capsys) -> str:
    out = check_output(task, func, capsys)
    assert "scores 0 for the task" in out, out
    with pytest.raises(AnswerRejected, match="it calls"):
        task.test_hidden(func)
    return out


def delegate_through_alias(w, grad, lr):
    return helper_alias(w, grad, lr)


def delegate_with_import_inside(w, grad, lr):
    from lrcourse.grading.a01_learning_rate import reference_gd_step

    return reference_gd_step(w, grad, lr)


def delegate_with_dunder_import(w, grad, lr):
    module = __import__("lrcourse.grading.a01_learning_rate", fromlist=["_"])
    return module.reference_gd_step(w, grad, lr)


def delegate_with_computed_importlib(w, grad, lr):
    module = importlib.import_module("lrcourse." + "grading." + "a01_learning_rate")
    return getattr(module, "reference_" + "gd_step")(w, grad, lr)


@pytest.mark.parametrize(
    "answer",
    [
        delegate_through_alias,
        delegate_with_import_inside,
        delegate_with_dunder_import,
        delegate_with_computed_importlib,
        functools.partial(a01.reference_gd_step),
        a01.reference_gd_step,
        types.FunctionType(a01.reference_gd_step.__code__, {"__name__": "__main__"}),
    ],
    ids=["alias", "import-inside", "dunder-import", "importlib", "partial", "same-object", "code"],
)
def test_delegating_to_the_reference_scores_zero(answer, capsys):
    out = rejected(a01.GD_STEP, answer, capsys)
    assert "a reference implementation of this course" in out


def test_static_scan_names_the_reference():
    assert static_findings(delegate_through_alias) == [
        "lrcourse.grading.a01_learning_rate.reference_gd_step "
        "(a reference implementation of this course)"
    ]
    assert static_findings(good_gd_step) == []


def test_delegating_to_the_optim_package_scores_zero(capsys):
    # a stand-in module inside lrcourse.optim, so the test does not depend on its API
    fake = types.ModuleType("lrcourse.optim.test_double")
    exec("def sgd_update(w, grad, lr):\n    return w - lr * grad\n", fake.__dict__)
    sgd_update = fake.sgd_update

    def gd_step(w, grad, lr):
        return sgd_update(w, grad, lr)

    assert "lrcourse.optim.test_double.sgd_update" in rejected(a01.GD_STEP, gd_step, capsys)


def test_switching_off_the_watch_is_caught(capsys):
    def gd_step(w, grad, lr):
        sys.setprofile(None)
        return w - lr * grad

    assert "sys.setprofile" in rejected(a01.GD_STEP, gd_step, capsys)


def test_delegating_from_a_thread_is_caught(capsys):
    def gd_step(w, grad, lr):
        box = []
        worker = threading.Thread(target=lambda: box.append(helper_alias(w, grad, lr)))
        worker.start()
        worker.join()
        return box[0]

    rejected(a01.GD_STEP, gd_step, capsys)


def test_allowed_helpers_are_not_flagged(capsys):
    from lrcourse import plots, validation

    def gd_step(w, grad, lr):
        plots.color_for("a run")
        return w - validation.check_nonnegative("lr", lr) * grad

    assert check_output(a01.GD_STEP, gd_step, capsys).startswith("✓")
    assert forbidden_area("lrcourse.plots") is None
    assert forbidden_area("lrcourse.optim.sgd") == "reference"
    assert forbidden_area("torch.optim.lr_scheduler") == "framework"
    assert forbidden_area("lrcourse.grading.time_limit") is None  # the grader's own machinery


@pytest.mark.slow
def test_delegating_to_torch_optim_scores_zero(capsys):
    torch = pytest.importorskip("torch")

    def gd_step(w, grad, lr):
        weights = torch.nn.Parameter(torch.as_tensor(np.array(w, dtype=float)))
        weights.grad = torch.as_tensor(np.array(grad, dtype=float))
        optimizer = torch.optim.SGD([weights], lr=lr)
        optimizer.step()
        return weights.detach().numpy().copy().reshape(np.shape(w))

    def torch_arithmetic_only(w, grad, lr):
        return (torch.as_tensor(w) - lr * torch.as_tensor(grad)).numpy().reshape(np.shape(w))

    assert "torch.optim" in rejected(a01.GD_STEP, gd_step, capsys)
    assert "framework optimizer" in check_output(a01.GD_STEP, gd_step, capsys)
    assert check_output(a01.GD_STEP, torch_arithmetic_only, capsys).startswith("✓")


@pytest.mark.slow
def test_delegating_to_keras_optimizers_scores_zero(capsys):
    keras = pytest.importorskip("keras")

    def gd_step(w, grad, lr):
        make = getattr(keras, "optim" + "izers").SGD  # hidden from the static scan
        variable = keras.Variable(np.array(w, dtype="float32"))
        make(learning_rate=lr).apply_gradients([(np.array(grad, dtype="float32"), variable)])
        return np.asarray(variable.numpy(), dtype=float)

    assert "keras" in rejected(a01.GD_STEP, gd_step, capsys)


# -- import hygiene ---------------------------------------------------------------------------


def test_grading_imports_no_framework():
    modules = ["lrcourse.grading"] + [m.__name__ for m in ASSIGNMENT_MODULES]
    code = (
        "import json, sys\n"
        f"for m in {modules!r}: __import__(m)\n"
        "print(json.dumps([m for m in ('torch', 'tensorflow', 'keras', 'matplotlib') "
        "if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
