"""Tests of the grading: answer keys, released check data, check cells, the clean-room logic.

The mistaken implementations below are written the way a learner would write them (not
copied from the answer keys), and each must get its specific hint from the check cell, which
works from the released check data alone.
"""

from __future__ import annotations

import importlib
import json
import math
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from lrcourse.grading import plain_values
from lrcourse.grading.answer_calls import call_answer
from lrcourse.grading.checks import AnswerRejected, ExerciseChecks, load_checks
from lrcourse.grading.comparison import describe_difference
from lrcourse.grading.time_limit import AnswerTimeout, call_with_time_limit
from lrcourse.grading.verdict import explain

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "course"))

from autograder.answer_key import answer_key  # noqa: E402
from autograder.check_data import check_data  # noqa: E402
from autograder.exercise import outputs_or_failed  # noqa: E402

ASSIGNMENTS = sorted(p.name for p in (REPO / "course" / "graders").iterdir() if p.is_dir())
ALL_EXERCISES = [
    pytest.param(a, e, id=f"{a}.{e.name}") for a in ASSIGNMENTS for e in answer_key(a).values()
]


def released_checks(assignment: str) -> dict[str, ExerciseChecks]:
    """The check data as make release writes it, through a JSON round trip."""
    data = json.loads(json.dumps(check_data(assignment), allow_nan=False))
    return {e["name"]: ExerciseChecks.from_data(e) for e in data["exercises"]}


CHECKS_01 = released_checks("01_learning_rate")
GD_STEP = CHECKS_01["gd_step"]
HAS_DIVERGED = CHECKS_01["has_diverged"]
LARGEST_STABLE_LR = CHECKS_01["largest_stable_lr"]
SCALE_LR = CHECKS_01["scale_lr"]


def check_output(checks, func, capsys) -> str:
    checks.check(func)
    return capsys.readouterr().out


def autograder_verdict(exercise, func, seed: int):
    """What the autograder decides, computed in this process (the clean room's logic)."""
    cases = exercise.cases(seed)
    outcomes = []
    for case in cases:
        outcomes.append(call_answer(func, case.args, exercise.parameter_names, 5.0))
        if outcomes[-1].fatal:
            break
    return explain(
        exercise.name,
        exercise.parameter_names,
        [c.args for c in cases],
        [exercise.reference(*c.args) for c in cases],
        outcomes,
        lambda: [(m.hint, outputs_or_failed(m.implementation, cases)) for m in exercise.mistakes],
        rtol=exercise.rtol,
        atol=exercise.atol,
        time_limit_s=exercise.time_limit_s,
    )


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
    if not losses:  # (a run that raises on some inputs gets no hint: see the math.floor test)
        return False
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
    (GD_STEP, lambda w, grad, lr: w + lr * grad, "sign error"),
    (GD_STEP, lambda w, grad, lr: w - grad, "learning rate is missing"),
    (GD_STEP, lambda w, grad, lr: w - lr * w, "uses w instead of the gradient"),
    (GD_STEP, lambda w, grad, lr: w - grad / lr, "divided by lr"),
    (GD_STEP, lambda w, grad, lr: -lr * grad, "returns the step"),
    (GD_STEP, lambda w, grad, lr: w, "returns w unchanged"),
    (HAS_DIVERGED, diverged_nan_equality, "NaN is not equal to anything"),
    (HAS_DIVERGED, lambda losses, factor=10.0: any(map(math.isnan, losses)), "keeps growing"),
    (
        HAS_DIVERGED,
        lambda losses, factor=10.0: any(b > a for a, b in zip(losses, losses[1:], strict=False)),
        "goes up a little",
    ),
    (
        HAS_DIVERGED,
        lambda losses, factor=10.0: good_has_diverged(losses, 10.0),
        "use the `factor` argument",
    ),
    (HAS_DIVERGED, diverged_last_only, "not only the last one"),
    (
        HAS_DIVERGED,
        lambda losses, factor=10.0: bool(
            len(losses) and (np.isnan(losses).any() or max(losses) >= factor * losses[0])
        ),
        "use `>`",
    ),
    (HAS_DIVERGED, diverged_vs_previous, "not with the previous one"),
    (
        LARGEST_STABLE_LR,
        lambda h: 1 / np.linalg.eigvalsh(np.atleast_2d(h)).max(),
        "jumps to the minimum in one step",
    ),
    (
        LARGEST_STABLE_LR,
        lambda h: 2 / np.linalg.eigvalsh(np.atleast_2d(h)).min(),
        "largest curvature",
    ),
    (LARGEST_STABLE_LR, lambda h: 2 / np.max(np.diag(np.atleast_2d(h))), "not its diagonal"),
    (LARGEST_STABLE_LR, lambda h: 2 / np.trace(np.atleast_2d(h)), "the trace"),
    (LARGEST_STABLE_LR, lambda h: 2 / np.linalg.norm(h), "Frobenius"),
    (LARGEST_STABLE_LR, lambda h: np.max(np.linalg.eigvalsh(np.atleast_2d(h))) / 2, "a / 2"),
    (SCALE_LR, lambda lr, b, nb: lr * b / nb, "upside down"),
    (SCALE_LR, lambda lr, b, nb: lr * math.sqrt(nb / b), "square-root"),
    (SCALE_LR, lambda lr, b, nb: nb / b, "ratio of the batch sizes only"),
    (SCALE_LR, lambda lr, b, nb: lr * 2, "doubling is the syllabus example"),
]


@pytest.mark.parametrize(("checks", "mistaken", "hint"), MISTAKES_01)
def test_check_names_the_classic_mistake(checks, mistaken, hint, capsys):
    out = check_output(checks, mistaken, capsys)
    assert out.startswith(f"✗ {checks.name}")
    assert "Expected:" in out and "Got:" in out and "Call:" in out
    assert hint in out, out
    with pytest.raises(AnswerRejected, match="fails the visible tests"):
        checks.test_visible(mistaken)


@pytest.mark.parametrize(("assignment", "exercise"), ALL_EXERCISES)
def test_check_cells_give_each_mistake_its_hint(assignment, exercise, capsys):
    """From the released data alone, each answer-key mistake gets its own hint."""
    checks = released_checks(assignment)[exercise.name]
    for mistake in exercise.mistakes:
        out = check_output(checks, mistake.implementation, capsys)
        assert f"Hint:     {mistake.hint}" in out, (mistake.implementation.__name__, out)


@pytest.mark.parametrize("name", list(GOOD_ANSWERS))
def test_correct_answers_pass_the_check_and_the_autograder(name, capsys):
    answer = GOOD_ANSWERS[name]
    assert check_output(CHECKS_01[name], answer, capsys).startswith(f"✓ {name} passes all")
    CHECKS_01[name].test_visible(answer)
    exercise = answer_key("01_learning_rate")[name]
    for seed in range(20):
        assert autograder_verdict(exercise, answer, seed).ok


# -- every answer key ---------------------------------------------------------------------------


@pytest.mark.parametrize(("assignment", "exercise"), ALL_EXERCISES)
def test_answer_key_follows_the_conventions(assignment, exercise):
    assert exercise.name.isidentifier()
    assert len(exercise.visible) >= 2 and exercise.time_limit_s > 0
    assert exercise.mistakes, "each exercise names its classic mistakes"
    names = [m.implementation.__name__ for m in exercise.mistakes]
    assert "<lambda>" not in names and len(set(names)) == len(names), names


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


@pytest.mark.parametrize(("assignment", "exercise"), ALL_EXERCISES)
def test_visible_cases_tell_every_mistake_apart(assignment, exercise):
    """Each mistake differs from the reference and from every other mistake somewhere."""
    signatures = [("reference", _outputs(exercise.reference, exercise.visible))]
    for mistake in exercise.mistakes:
        signatures.append((mistake.hint, _outputs(mistake.implementation, exercise.visible)))
    for i, (name_i, outs_i) in enumerate(signatures):
        for name_j, outs_j in signatures[:i]:
            same = all(_same(a, b) for a, b in zip(outs_i, outs_j, strict=True))
            assert not same, f"visible cases cannot tell {name_i!r} from {name_j!r}"


@pytest.mark.parametrize(("assignment", "exercise"), ALL_EXERCISES)
def test_hidden_cases_are_random_and_catch_every_mistake(assignment, exercise):
    """Hidden draws alone catch each mistake (some seed); visible + hidden catch it in every one."""
    draws = [exercise.draw_hidden(np.random.default_rng(seed)) for seed in range(10)]
    assert repr([c.args for c in draws[0]]) != repr([c.args for c in draws[1]])

    def caught(mistake, cases):
        got = outputs_or_failed(mistake.implementation, cases)
        want = _outputs(exercise.reference, cases)
        return any(g is None or not _same(g, w) for g, w in zip(got, want, strict=True))

    for mistake in exercise.mistakes:
        assert any(caught(mistake, cases) for cases in draws), f"never caught: {mistake.hint}"
        assert all(caught(mistake, [*exercise.visible, *cases]) for cases in draws)


@pytest.mark.parametrize(("assignment", "exercise"), ALL_EXERCISES)
def test_a_hard_coded_answer_passes_the_check_but_not_the_autograder(assignment, exercise):
    expected = _outputs(exercise.reference, exercise.visible)
    table = {repr(c.args): r for c, r in zip(exercise.visible, expected, strict=True)}
    fallback = next(iter(table.values()))

    def hard_coded(*args):
        return table.get(repr(args), fallback)

    released_checks(assignment)[exercise.name].test_visible(hard_coded)
    assert not autograder_verdict(exercise, hard_coded, seed=0).ok


def test_the_learners_installation_holds_no_answer_key():
    for name in ("a01_learning_rate", "a02_schedules", "task", "delegation"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"lrcourse.grading.{name}")
    package = REPO / "lrcourse"
    texts = " ".join(p.read_text() for p in package.rglob("*.py"))
    for assignment in ASSIGNMENTS:
        for exercise in answer_key(assignment).values():
            for mistake in exercise.mistakes:
                assert mistake.hint not in texts


# -- generic failures ---------------------------------------------------------------------------


def test_not_implemented_yet_says_so(capsys):
    def gd_step(w, grad, lr):
        raise NotImplementedError()

    assert "is not written yet" in check_output(GD_STEP, gd_step, capsys)


def test_missing_return_and_wrong_types_are_explained(capsys):
    assert "a `return` statement missing" in check_output(GD_STEP, lambda w, g, lr: None, capsys)
    out = check_output(HAS_DIVERGED, lambda losses, factor=10.0: "yes", capsys)
    assert "should return True or False" in out
    out = check_output(GD_STEP, lambda w, g, lr: [w - lr * g], capsys)
    assert "should return a single number, but returned shape (1,)" in out


def test_nan_and_exceptions_are_explained(capsys):
    assert "NaN or infinity" in check_output(GD_STEP, lambda w, g, lr: w * np.nan, capsys)
    out = check_output(LARGEST_STABLE_LR, lambda h: 2 / np.linalg.eigvalsh(h).max(), capsys)
    assert "raised LinAlgError" in out and "largest_stable_lr(hessian=4.0)" in out


def test_scalar_math_on_arrays_gets_advice_and_no_misleading_hint(capsys):
    """Issue 10: math.floor/math.pow on arrays raise; no step-vs-epoch hint from such a run."""
    checks = released_checks("02_schedules")["step_decay"]

    def step_decay(step, lr0, drop, epochs_drop, steps_per_epoch):
        return lr0 * math.pow(drop, math.floor(step / epochs_drop))  # scalars only; no epochs

    out = check_output(checks, step_decay, capsys)
    assert "use NumPy's: np.floor, np.power" in out
    assert "Hint:" not in out and "step vs epoch" not in out


def test_changing_the_input_in_place_is_reported(capsys):
    def gd_step(w, grad, lr):
        w -= lr * grad
        return w

    assert "changed its input `w` in place" in check_output(GD_STEP, gd_step, capsys)


def test_non_callable_answer(capsys):
    assert "define it with `def`" in check_output(GD_STEP, 0.6, capsys)


def test_using_an_unavailable_module_gets_a_friendly_note(capsys):
    def gd_step(w, grad, lr):
        import lrcourse.optim

        return lrcourse.optim and w - lr * grad

    out = check_output(GD_STEP, gd_step, capsys)
    assert out.startswith("✓") and "only NumPy" in out


def test_a_failed_test_shows_the_verdict_only():
    with pytest.raises(AnswerRejected) as caught:
        GD_STEP.test_visible(lambda w, grad, lr: w + lr * grad)
    lines = caught.value._render_traceback_()
    assert "sign error" in "\n".join(lines)
    assert not any("/" in line and ".py" in line for line in lines)


def test_describe_difference():
    assert describe_difference(0.6, 0.6, rtol=1e-6, atol=0) is None
    assert "complex" in describe_difference(np.array(0.2 + 0j), 0.2, rtol=1e-6, atol=0)
    assert "shape (3,)" in describe_difference(np.zeros(2), np.zeros(3), rtol=1e-6, atol=0)
    assert describe_difference(np.True_, True, rtol=0, atol=0) is None
    assert "opposite" in describe_difference(False, True, rtol=0, atol=0)
    opaque = plain_values.Opaque("Sneaky")
    assert "returned a Sneaky" in describe_difference(opaque, 0.6, rtol=1e-6, atol=0)


def test_load_checks_finds_the_released_file_and_says_where_it_belongs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="next to 01_learning_rate.ipynb"):
        load_checks("01_learning_rate")
    monkeypatch.chdir(REPO / "source_notebooks" / "01_learning_rate")
    assert load_checks("01_learning_rate").GD_STEP.name == "gd_step"
    with pytest.raises(AttributeError, match="GD_STEP"):
        load_checks("01_learning_rate").NO_SUCH_EXERCISE  # noqa: B018


# -- plain values -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        0.1,
        -0.0,
        float("nan"),
        float("inf"),
        3,
        2**70,
        True,
        None,
        "triangular2",
        1 + 2j,
        np.float32(0.1),
        np.arange(6, dtype=np.int32).reshape(2, 3),
        np.array([0.1, np.nan, -np.inf]),
        np.zeros((0, 3)),
        [1.0, [2, np.array([3.0])]],
        (1, 2.5),
    ],
)
def test_plain_values_round_trip_exactly(value):
    back = plain_values.loads(plain_values.dumps(value))
    assert type(back) is type(value)
    assert repr(back) == repr(value)


def test_plain_values_never_carry_objects():
    class Sneaky(float):
        def __eq__(self, other):
            return True

    assert plain_values.decode(plain_values.encode(Sneaky(1.0))) == plain_values.Opaque("Sneaky")
    assert isinstance(plain_values.decode(plain_values.encode(object())), plain_values.Opaque)
    for bad in (
        {"array": "object", "shape": [1], "data": [1]},
        {"array": "float64", "shape": [2], "data": [{"float": "1"}]},
        {"array": "float64", "shape": [-1], "data": []},
        {"float": 1.5},
        [1, 2],
        "text",
    ):
        with pytest.raises(ValueError):
            plain_values.decode(bad)


# -- endless loops ------------------------------------------------------------------------------


def test_an_endless_answer_is_stopped_and_reported(capsys):
    import dataclasses

    quick = dataclasses.replace(GD_STEP, time_limit_s=0.3)

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


def test_grading_imports_no_framework():
    code = (
        "import sys; import lrcourse.grading.checks, lrcourse.grading.verdict; "
        "print(sorted(m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
