"""The learner's workspace and the two views of the course (`make lab`, `make instructor`).

- scripts/learner_workspace.py fills work/ from release/ and never overwrites a learner's file;
- a learner's edit survives `make release`, and an updated assignment arrives beside it;
- the learner's server (course/views/learner/) serves the workspace only: no solutions, no
  `../`, no Formgrader, Create Assignment or course list;
- the instructor's server (course/views/instructor/) has Formgrader.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from learner_workspace import RECORD, fill  # noqa: E402

INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)


def make_release(tmp_path: Path) -> Path:
    release = tmp_path / "release"
    for name in ("01_a", "02_b"):
        (release / name).mkdir(parents=True)
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"# {name}\nanswer = None")])
        nbformat.write(nb, release / name / f"{name}.ipynb")
    return release


def test_first_run_copies_every_assignment_and_a_second_run_changes_nothing(tmp_path):
    release = make_release(tmp_path)
    work = tmp_path / "work"
    assert fill(release, work) == ["added 01_a to work/01_a/", "added 02_b to work/02_b/"]
    copy = nbformat.read(work / "01_a" / "01_a.ipynb", as_version=4)
    original = nbformat.read(release / "01_a" / "01_a.ipynb", as_version=4)
    # the copy carries the learner's own Python in language_info (so that opening it in
    # JupyterLab marks nothing unsaved); everything else is the release
    assert copy.metadata.pop("language_info")["version"].startswith(f"{sys.version_info[0]}.")
    original.metadata.pop("language_info", None)
    assert copy == original
    assert fill(release, work) == []
    assert json.loads((work / RECORD).read_text())["01_a"]["folder"] == "01_a"


def test_an_updated_assignment_arrives_beside_the_learners_edits(tmp_path):
    release = make_release(tmp_path)
    work = tmp_path / "work"
    fill(release, work)
    mine = work / "01_a" / "01_a.ipynb"
    mine.write_text(mine.read_text().replace("answer = None", "answer = 42"))
    (release / "01_a" / "01_a.ipynb").write_text(
        (release / "01_a" / "01_a.ipynb").read_text().replace("answer = None", "answer = 0")
    )
    (release / "03_c").mkdir()
    shutil.copy(release / "02_b" / "02_b.ipynb", release / "03_c" / "03_c.ipynb")
    notices = fill(release, work)
    assert notices == [
        "01_a was updated: the new version is in work/01_a_v2/, "
        "your work in work/01_a/ is untouched",
        "added 03_c to work/03_c/",
    ]
    assert "answer = 42" in mine.read_text()
    assert "answer = 0" in (work / "01_a_v2" / "01_a.ipynb").read_text()
    assert fill(release, work) == []  # the update is announced once


def test_a_folder_the_learner_made_under_an_assignments_name_is_not_overwritten(tmp_path):
    release = make_release(tmp_path)
    work = tmp_path / "work"
    (work / "01_a").mkdir(parents=True)
    (work / "01_a" / "01_a.ipynb").write_text("mine")
    notices = fill(release, work)
    assert notices[0].startswith("01_a was updated: the new version is in work/01_a_v2/")
    assert (work / "01_a" / "01_a.ipynb").read_text() == "mine"


def test_a_missing_release_is_a_one_line_error(tmp_path):
    with pytest.raises(SystemExit, match=r"release is missing; run `make release` first"):
        fill(tmp_path / "release", tmp_path / "work")


GENERATED = ("__pycache__", "node_modules", "lab", "gradebook.db", "submitted", "autograded",
             "feedback", "grades.csv", "grading.log", "grading_state.json", "solution",
             "source_with_tests")  # fmt: skip


def copy_course(dest: Path) -> Path:
    """The course as a fresh clone holds it (course/ with its autograder and answer keys)."""
    for tree in ("source_notebooks", "release", "scripts", "course"):
        shutil.copytree(REPO / tree, dest / tree, ignore=shutil.ignore_patterns(*GENERATED))
    return dest


@pytest.mark.slow
def test_a_learners_edit_survives_make_release(tmp_path):
    root = copy_course(tmp_path / "repo")
    work = root / "work"
    fill(root / "release", work)
    mine = work / "01_learning_rate" / "01_learning_rate.ipynb"
    nb = nbformat.read(mine, as_version=4)
    answer = next(c for c in nb.cells if "def gd_step" in c.source)
    answer.source = answer.source.replace("raise NotImplementedError()", "return w - grad * lr")
    nbformat.write(nb, mine)
    edited = mine.read_bytes()

    source = root / "source_notebooks" / "01_learning_rate" / "01_learning_rate.ipynb"
    fixed = nbformat.read(source, as_version=4)
    fixed.cells[0].source += "\n\n(Corrected by the instructor.)"
    nbformat.write(fixed, source)
    release = subprocess.run(
        [sys.executable, str(root / "scripts" / "release_assignments.py"), "--root", str(root)],
        capture_output=True,
        text=True,
    )
    assert release.returncode == 0, release.stdout + release.stderr
    assert mine.read_bytes() == edited
    # (02 may be announced too when a release regenerates it with other bytes)
    assert (
        "01_learning_rate was updated: the new version is in work/01_learning_rate_v2/, "
        "your work in work/01_learning_rate/ is untouched"
    ) in fill(root / "release", work)
    assert mine.read_bytes() == edited
    updated = (work / "01_learning_rate_v2" / "01_learning_rate.ipynb").read_text()
    assert "Corrected by the instructor" in updated and "return w - grad * lr" not in updated


class Server:
    """`jupyter lab` as `make lab` / `make instructor` start it, in private Jupyter folders."""

    def __init__(self, tmp: Path, view: str, root: Path, cwd: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "JUPYTER_CONFIG_PATH": str(REPO / "course" / "views" / view),
            "JUPYTER_CONFIG_DIR": str(tmp / "config"),
            "JUPYTER_DATA_DIR": str(tmp / "data"),
            "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
            "LRCOURSE_ROOT": str(root),
            # as `make instructor`: nbgrader runs the environment's `alembic`
            "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]]),
        }
        self.log = open(tmp / f"{view}.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
                "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                "--IdentityProvider.token=", "--ServerApp.password=",
                f"--ServerApp.root_dir={root}",
            ],
            cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.get("/api/status")[0] == 200:
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{view} server did not start: {(tmp / f'{view}.log').read_text()}")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=20) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except OSError:
            return 0, ""

    def page_config(self) -> dict:
        status, html = self.get("/lab")
        assert status == 200, status
        found = re.search(
            r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S
        )
        return json.loads(found.group(1))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.mark.slow
def test_the_learner_server_serves_the_workspace_only(tmp_path):
    root = copy_course(tmp_path / "repo")
    fill(root / "release", root / "work")
    server = Server(tmp_path, "learner", root / "work", cwd=root)
    try:
        status, body = server.get("/api/contents")
        names = {item["name"] for item in json.loads(body)["content"]}
        released = {p.name for p in (REPO / "release").iterdir() if p.is_dir()}
        assert status == 200 and names == released, names
        status, body = server.get("/api/contents/01_learning_rate/01_learning_rate.ipynb")
        assert (
            status == 200 and "BEGIN SOLUTION" not in body and "raise NotImplementedError" in body
        )
        for escape in (
            "..",
            "../source_notebooks",
            "%2E%2E/source_notebooks",
            "..%2Fcourse",
            "../course/nbgrader_config.py",
        ):
            status, body = server.get(f"/api/contents/{escape}")
            assert status in (400, 403, 404) and "BEGIN SOLUTION" not in body, (escape, status)
        assert server.get("/files/..%2Fsource_notebooks/01_learning_rate/01_learning_rate.ipynb")[
            0
        ] in (400, 403, 404)
        assert server.get(f"/api/contents/{RECORD}")[0] == 404  # dot files stay hidden
        assert server.get("/formgrader")[0] == 404
        assert server.get("/api/terminals")[0] == 404
        disabled = server.page_config()["disabledExtensions"]
        assert set(INSTRUCTOR_PLUGINS) <= set(disabled), disabled
        assert "@jupyter/nbgrader:validate-assignment" not in disabled
    finally:
        server.stop()


@pytest.mark.slow
def test_the_instructor_server_has_formgrader(tmp_path):
    root = copy_course(tmp_path / "repo")
    server = Server(tmp_path, "instructor", root, cwd=root / "course")
    try:
        status, html = server.get("/formgrader")
        assert status == 200 and "Manage Assignments" in html, (status, html[:500])
        status, body = server.get("/formgrader/api/assignments")
        assert status == 200 and "01_learning_rate" in body, (status, body[:500])
        disabled = server.page_config()["disabledExtensions"]
        assert not set(INSTRUCTOR_PLUGINS) & set(disabled), disabled
        status, body = server.get("/api/contents/source_notebooks/01_learning_rate")
        assert status == 200  # the instructor works on the whole course
    finally:
        server.stop()
