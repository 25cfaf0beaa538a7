"""nbgrader 0.9 configuration of the lrcourse course.

nbgrader reads this file from the directory it runs in, so every nbgrader command runs in
``course/`` (``make release`` and ``make grade`` do that). Paths are derived from this
file's location, so a copy of ``course/`` next to a copy of ``source_notebooks/`` (as the
tests make in a temporary directory) is a complete course of its own.

Layout (CourseDirectory.root is the repository root):

    source_notebooks/<assignment>/<notebook>.ipynb   instructor version (solutions, hidden tests)
    release/<assignment>/<notebook>.ipynb            what learners get (generated, in git)
    course/submitted/<student>/<assignment>/         submissions to grade        (git-ignored)
    course/autograded/<student>/<assignment>/        executed, scored copies     (git-ignored)
    course/feedback/<student>/<assignment>/          HTML feedback per notebook  (git-ignored)
    course/gradebook.db                              nbgrader's database         (git-ignored)

Reflection answers are graded by hand in nbgrader's Formgrader, which needs the course root
inside the server root and reads this file from the current directory: `make instructor`
(JupyterLab started in course/ on the repository, course/views/instructor/).
"""

import os
import sys

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

COURSE_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(COURSE_DIR)
sys.path.insert(0, COURSE_DIR)  # the grading machinery: course/autograder/ (instructors only)

c.CourseDirectory.course_id = "lrcourse"
c.CourseDirectory.root = ROOT
c.CourseDirectory.source_directory = "source_notebooks"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = os.path.join("course", "submitted")
c.CourseDirectory.autograded_directory = os.path.join("course", "autograded")
c.CourseDirectory.feedback_directory = os.path.join("course", "feedback")
c.CourseDirectory.solution_directory = os.path.join("course", "solution")
c.CourseDirectory.source_with_tests_directory = os.path.join("course", "source_with_tests")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(COURSE_DIR, "gradebook.db")

# Every notebook runs on the kernel named python3, whatever the saved metadata says.
c.Execute.kernel_name = "python3"

# Per-cell limits for grading on a CPU. Every cell of an assignment runs in a few seconds;
# the grading helpers stop an endless answer after 5 s per call (lrcourse.grading.time_limit).
# This is the backstop for code that loops at the top level of a cell: after `timeout`
# seconds nbgrader interrupts the kernel, records a CellTimeoutError in that cell (0 points
# if it is a test cell) and goes on with the next cell.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 120  # a kernel on a loaded two-core machine can be slow to start

# Released answer cells read "raise NotImplementedError()" under "# YOUR CODE HERE".
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# --- the autograde chain (course/autograder/) ---------------------------------------------------
# Every notebook's kernel runs in a bubblewrap sandbox of its own (SandboxedExecute: a private
# copy of the submission's notebooks and the release's data files, no network, an unprivileged
# uid, rlimits); a kernel that dies or ignores the interrupt costs only that notebook's remaining
# cells. Without bubblewrap, grading still works and warns once that nothing is isolated.
# Scores of autograded code cells are then decided outside the learner's kernel:
# CleanRoomVerdicts runs the answer cells again where only NumPy can be imported, compares with
# the answer keys of course/graders/, and writes each verdict into its test cell, which
# SaveAutoGrades scores (course/autograder/verdicts.py).
from autograder.sandbox import SandboxedExecute  # noqa: E402
from autograder.verdicts import CleanRoomVerdicts  # noqa: E402
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

c.CleanRoomVerdicts.graders_dir = os.path.join(COURSE_DIR, "graders")
c.CleanRoomVerdicts.source_dir = os.path.join(ROOT, "source_notebooks")
c.Autograde.autograde_preprocessors = [
    SandboxedExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    CleanRoomVerdicts,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]

# Feedback HTML that reads well with no internet: nbgrader's template loads MathJax from a CDN,
# so lrcourse.feedback_html renders every formula as MathML (shown by the browser itself) and
# wraps long autograder messages instead of clipping them. nbgrader's own two preprocessors first.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "lrcourse.feedback_html.OfflineFeedback",
]
