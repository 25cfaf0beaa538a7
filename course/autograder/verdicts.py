"""``CleanRoomVerdicts``: the nbgrader preprocessor that decides autograded code scores.

It runs in nbgrader's autograde chain after the notebook has been executed and before
``SaveAutoGrades`` (see ``course/nbgrader_config.py``), so ``nbgrader autograde``, the
Formgrader's autograde button and ``NbGraderAPI`` all give the same grade. For each notebook:

1. every grade cell's source and points are compared with ``source_notebooks/`` (not with the
   gradebook's copy, which nbgrader's ``OverwriteCells`` trusts) and restored from it;
2. the answer cells' sources, taken from the submission by grade_id, run in the clean room
   (``clean_room.run_answers``) on the visible cases and on hidden ones drawn here, with a seed
   fixed by the submission so that re-grading gives the same result;
3. each result is compared here with the reference of ``course/graders/``, and the verdict
   replaces the locked test cell's outputs: a stdout line when it passes, an error output
   (which ``SaveAutoGrades`` scores 0) when it fails. What the learner's kernel printed in the
   test cell is advice and is replaced; when it disagreed, the feedback says so.

A locked autograded test cell with no answer key fails closed (0 points, logged).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from lrcourse.grading.answer_calls import MISSING, NO_VALUE
from lrcourse.grading.verdict import explain

from .answer_key import answer_key
from .clean_room import Call, run_answers
from .exercise import outputs_or_failed, quietly

DISAGREED = (
    "(The run of this test inside your notebook said otherwise; the autograder's own run, "
    "outside the notebook, is what counts.)"
)


def _python_source(source: str) -> str:
    """IPython syntax (magics, ``!cmd``) as plain Python, as the kernel would run it."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:
        return source


def _seed(*parts: str) -> int:
    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "little")


def _failed_in_kernel(cell) -> bool:
    return any(
        o.output_type == "error" or (o.output_type == "stream" and o.get("name") == "stderr")
        for o in cell.get("outputs", [])
    )


def _error_output(ename: str, lines: list[str]) -> NotebookNode:
    return nbformat.v4.new_output(
        "error", ename=ename, evalue=lines[0] if lines else "", traceback=lines
    )


def _stdout(text: str) -> NotebookNode:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


class CleanRoomVerdicts(NbGraderPreprocessor):
    """Score each locked test cell from a run of the answers outside the learner's kernel."""

    graders_dir = Unicode(
        "", help="The answer keys' folder (default: course/graders of the course root)"
    ).tag(config=True)
    source_dir = Unicode(
        "", help="The instructor notebooks (default: the course's source directory)"
    ).tag(config=True)

    def _course(self) -> CourseDirectory:
        return CourseDirectory(config=self.config)

    def _graders_dir(self) -> Path:
        return Path(self.graders_dir or Path(self._course().root) / "course" / "graders")

    def _source_dir(self) -> Path:
        course = self._course()
        return Path(self.source_dir or Path(course.root) / course.source_directory)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        assignment, notebook = info["assignment"], info["notebook"]
        student = str(info.get("student", ""))
        self._restore_from_source(nb, assignment, notebook)
        exercises = answer_key(assignment, self._graders_dir())
        answer_cells = [c for c in nb.cells if c.cell_type == "code" and utils.is_solution(c)]
        answers_by_id = {c.metadata.nbgrader.get("grade_id"): i for i, c in enumerate(answer_cells)}
        sources = [_python_source(c.source) for c in answer_cells]
        test_cells = [
            c
            for c in nb.cells
            if c.cell_type == "code" and utils.is_grade(c) and not utils.is_solution(c)
        ]
        graded = []
        for cell in test_cells:
            grade_id = cell.metadata.nbgrader.get("grade_id")
            exercise = next((e for e in exercises.values() if e.test_cell == grade_id), None)
            if exercise is None:
                self.log.error("%s: test cell %s has no answer key: scored 0", notebook, grade_id)
                cell.outputs = [
                    _error_output("NoAnswerKey", ["This test has no autograder answer key."])
                ]
                continue
            seed = _seed(student, assignment, notebook, exercise.name, "\x00".join(sources))
            graded.append((cell, exercise, exercise.cases(seed)))
        if not graded:
            return nb, resources
        calls, spans = [], []
        for _, exercise, cases in graded:
            first = len(calls)
            calls += [
                Call(exercise.name, exercise.parameter_names, c.args, exercise.time_limit_s)
                for c in cases
            ]
            spans.append((first, len(calls)))
        run = run_answers(sources, calls)
        self.log.info(
            "%s: clean room ran %d calls in %.2f s (%d process(es))",
            notebook,
            len(calls),
            run.seconds,
            run.children,
        )
        resources.setdefault("clean_room_seconds", 0.0)
        resources["clean_room_seconds"] += run.seconds
        for (cell, exercise, cases), (first, last) in zip(graded, spans, strict=True):
            outcomes = []
            for outcome in run.outcomes[first:last]:
                if outcome is None:
                    break
                outcomes.append(outcome)
            answer_index = answers_by_id.get(exercise.name)
            cell_error = run.cell_errors.get(answer_index) if answer_index is not None else None
            if outcomes and outcomes[0].failure == MISSING and cell_error:
                outcomes[0] = type(outcomes[0])(
                    failure=MISSING, detail=f"its cell stopped with {cell_error}"
                )
            self._write_verdict(cell, exercise, cases, outcomes)
        return nb, resources

    def _write_verdict(self, cell, exercise, cases, outcomes) -> None:
        expected = [quietly(exercise.reference, c.args) for c in cases]

        def mistakes():
            return [
                (m.hint, outputs_or_failed(m.implementation, cases, failed=NO_VALUE))
                for m in exercise.mistakes
            ]

        verdict = explain(
            exercise.name,
            exercise.parameter_names,
            [c.args for c in cases],
            expected,
            outcomes,
            mistakes,
            rtol=exercise.rtol,
            atol=exercise.atol,
            time_limit_s=exercise.time_limit_s,
        )
        n_visible, n_hidden = len(exercise.visible), len(cases) - len(exercise.visible)
        kernel_failed = _failed_in_kernel(cell)
        if verdict.ok:
            text = (
                f"✓ {exercise.name}: correct on all {n_visible} visible and {n_hidden} hidden "
                "cases, checked by the autograder outside your notebook.\n"
            )
            cell.outputs = [_stdout(text + (DISAGREED + "\n" if kernel_failed else ""))]
            return
        lines = [
            f"{exercise.name} scores 0 for this task: {verdict.passed} of {verdict.total} "
            f"cases pass ({n_visible} visible, {n_hidden} hidden, checked by the autograder "
            "outside your notebook).",
            *verdict.explanation.splitlines(),
        ]
        if not kernel_failed:
            lines.append(DISAGREED)
        cell.outputs = [_error_output("AnswerRejected", lines)]

    def _restore_from_source(self, nb, assignment: str, notebook: str) -> None:
        """Grade cells' sources and points as in source_notebooks/, whatever the gradebook says."""
        path = self._source_dir() / assignment / f"{notebook}.ipynb"
        if not path.exists():
            self.log.warning("no source notebook %s to check the grade cells against", path)
            return
        source = nbformat.read(path, as_version=4)
        originals = {
            c.metadata.nbgrader["grade_id"]: c
            for c in source.cells
            if "nbgrader" in c.metadata and c.metadata.nbgrader.get("grade_id")
        }
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            original = originals.get(meta.get("grade_id"))
            if original is None or not meta.get("grade"):
                continue
            want = original.metadata.nbgrader
            if meta.get("points") != want.get("points"):
                self.log.warning(
                    "%s: cell %s has %s points, source_notebooks/ says %s: restored",
                    notebook,
                    meta.get("grade_id"),
                    meta.get("points"),
                    want.get("points"),
                )
                meta["points"] = want.get("points")
            if meta.get("locked") and not meta.get("solution") and cell.source != original.source:
                self.log.warning(
                    "%s: locked cell %s differs from source_notebooks/: restored",
                    notebook,
                    meta.get("grade_id"),
                )
                cell.source = original.source
