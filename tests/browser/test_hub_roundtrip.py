"""The class round trip on a real JupyterHub on 127.0.0.1 (course/hub/), in chromium.

1. The instructor runs ``nbgrader release_assignment``.
2. Two students log in through the hub's login form (PAM, their system passwords), open the
   Assignments tab, fetch, edit an answer in the notebook and Submit.
3. The instructor runs ``nbgrader collect``, ``make grade``'s code path as root
   (``make hub-grade``: scripts/grade_submissions.py, sandboxed, which also writes the
   feedback) and ``release_feedback``.
4. Each student fetches their feedback and reads it: their own answer, not the other's.

And neither student can read the other's work or the instructor's source_notebooks/: not
through the file browser, not through the contents API, not from a kernel (the file system).

Needs root (system users, PAM, servers started as each user); prints the hub's start time
and the round trip's time.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from hub_harness import REPO_ROOT, ClassHub

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ASSIGNMENT = "01_learning_rate"
NOTEBOOK = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
INSTRUCTOR = "lrct-teacher"
# each student's answer to gd_step: one right (2 points), one wrong (0 points), both unlike
# any text of the notebook (its docstring reads "return w - lr * grad")
ANSWERS = {"lrct-ana": "return w - grad * lr", "lrct-ben": "return w + lr * grad"}
GD_STEP = (
    "def gd_step(w, grad, lr):\n"
    '    """One gradient-descent step: return w - lr * grad as a new value (w is not changed)."""\n'
    "    {answer}\n"
)


@pytest.fixture(scope="module")
def hub():
    if os.geteuid() != 0:
        pytest.skip("the class hub needs root (system users, PAM): run `make test` as root")
    students = {name: f"pw-{name}-{os.getpid()}" for name in ANSWERS}
    # not under pytest's own temporary folder, which only root may enter
    workdir = Path(tempfile.mkdtemp(prefix="lrcourse-hub-"))
    hub = ClassHub(
        workdir,
        instructor=INSTRUCTOR,
        students=students,
        password=f"pw-teacher-{os.getpid()}",
    )
    try:
        hub.set_up()
        hub.start()
        print(f"\nhub: ready in {hub.start_s:.1f} s on {hub.url}")
        yield hub
    finally:
        hub.stop()
        if hub.log_path.exists():
            (REPO_ROOT / "test-artifacts" / "hub").mkdir(parents=True, exist_ok=True)
            shutil.copy(hub.log_path, REPO_ROOT / "test-artifacts" / "hub" / "jupyterhub.log")
        shutil.rmtree(workdir, ignore_errors=True)


def ok(done, what):
    assert done.returncode == 0, f"{what} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def log_in(context, hub, user):
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.passwords[user])
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{user}/tree**", timeout=240_000)
    return page


def open_assignments(page):
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    page.wait_for_selector("#assignments", state="visible")


def refresh_assignments(page):
    page.click("#refresh_assignments_list")
    page.wait_for_timeout(500)


def button_in(page, listing, label, timeout=60_000):
    button = page.locator(f"#{listing} .list_item button", has_text=label).first
    try:
        button.wait_for(state="visible", timeout=timeout)
    except Exception:
        panel = page.locator("#assignments").inner_text()
        pytest.fail(f"no {label!r} button in #{listing}; the Assignments tab reads:\n{panel}")
    return button


def contents(page, hub, user, path=""):
    return page.request.get(f"{hub.url}/user/{user}/api/contents/{path}", max_redirects=0)


def edit_answer(context, hub, user):
    """Open the fetched notebook in Notebook 7, rewrite gd_step's answer cell, save."""
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{hub.url}/user/{user}/notebooks/{NOTEBOOK}")
    cell = page.locator(".jp-CodeCell", has_text="def gd_step").first
    cell.wait_for(state="visible", timeout=120_000)
    wanted = GD_STEP.format(answer=ANSWERS[user]).strip()
    for _ in range(3):  # a loaded machine may drop the first click or key press
        cell.locator(".cm-content").click()
        cell.locator(".cm-editor.cm-focused").wait_for(timeout=20_000)
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(wanted)
        if cell.locator(".cm-content").inner_text().strip() == wanted:
            break
    sources = []
    for _ in range(3):
        page.keyboard.press("Control+S")
        deadline = time.time() + 20
        while time.time() < deadline:
            cells = contents(page, hub, user, NOTEBOOK).json()["content"]["cells"]
            sources = ["".join(c["source"]).strip() for c in cells]
            if wanted in sources:
                page.close()
                return
            page.wait_for_timeout(500)
    shots = REPO_ROOT / "test-artifacts" / "hub"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{user}-edit-FAILED.png"))
    found = [text for text in sources if "def gd_step" in text]
    pytest.fail(f"{user}'s edit was not saved as typed: {found}")


def keep_artifacts(hub):
    """The graded notebooks, the feedback and the hub's log, in test-artifacts/hub/."""
    target = REPO_ROOT / "test-artifacts" / "hub"
    shutil.rmtree(target, ignore_errors=True)
    for part in ("submitted", "autograded", "feedback", "grades.csv", "grading.log"):
        source = hub.root / "course" / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        elif source.exists():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / part)
    shutil.copy(hub.log_path, target / "jupyterhub.log")


def graded_outputs(hub, user):
    """The test cells' outputs of a student's autograded notebook (for failure messages)."""
    path = hub.root / "course" / "autograded" / user / NOTEBOOK
    if not path.exists():
        return f"no {path}"
    cells = json.loads(path.read_text())["cells"]
    return [
        (
            c["metadata"]["nbgrader"].get("grade_id"),
            [o.get("ename") or o.get("text", "")[:200] for o in c.get("outputs", [])],
        )
        for c in cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade") and c["cell_type"] == "code"
    ]


def test_class_round_trip(hub, browser):
    t0 = time.perf_counter()
    ok(hub.as_instructor("python", "-m", "nbgrader", "release_assignment", ASSIGNMENT), "release")

    contexts, pages = {}, {}
    for user in ANSWERS:
        contexts[user] = browser.new_context(viewport={"width": 1280, "height": 900})
        pages[user] = log_in(contexts[user], hub, user)
    for user, page in pages.items():
        open_assignments(page)
        button_in(page, "released_assignments_list", "Fetch").click()
        button_in(page, "fetched_assignments_list", "Submit")
        edit_answer(contexts[user], hub, user)
        refresh_assignments(page)
        button_in(page, "fetched_assignments_list", "Submit").click()
        button_in(page, "submitted_assignments_list", "Fetch Feedback")
    submitted_s = time.perf_counter() - t0

    ok(hub.as_instructor("python", "-m", "nbgrader", "collect", ASSIGNMENT), "collect")
    # `sudo make hub-grade`: make grade's code path (scripts/grade_submissions.py) as root
    graded = ok(hub.script("hub_setup.py", "grade", check=False), "make hub-grade")
    released = ok(
        hub.as_instructor("python", "-m", "nbgrader", "release_feedback", ASSIGNMENT),
        "release_feedback",
    )
    keep_artifacts(hub)
    print("\n" + released.stdout[-1500:] + released.stderr[-1500:])
    with open(hub.root / "course" / "grades.csv") as table:
        rows = [row for row in csv.DictReader(table) if row["assignment"] == ASSIGNMENT]
        scores = {row["student_id"]: float(row["score"]) for row in rows}
    assert scores["lrct-ana"] >= 2 > scores["lrct-ben"], (scores, graded_outputs(hub, "lrct-ana"))

    for user, page in pages.items():
        other = next(u for u in ANSWERS if u != user)
        refresh_assignments(page)
        button_in(page, "submitted_assignments_list", "Fetch Feedback").click()
        page.locator("#submitted_assignments_list a", has_text="view feedback").first.wait_for()
        folder = contents(page, hub, user, f"{ASSIGNMENT}/feedback").json()["content"]
        (stamp,) = [item["name"] for item in folder if item["type"] == "directory"]
        feedback = contexts[user].new_page()
        feedback.goto(
            f"{hub.url}/user/{user}/files/{ASSIGNMENT}/feedback/{quote(stamp)}/{ASSIGNMENT}.html"
        )
        text = feedback.locator("body").inner_text()
        assert ANSWERS[user] in text and ANSWERS[other] not in text, text[:2000]
        assert "Score" in text or "score" in text
        feedback.close()
    round_trip_s = time.perf_counter() - t0
    print(
        f"\nhub round trip: {round_trip_s:.1f} s (release, log in, fetch, edit and submit for "
        f"two students: {submitted_s:.1f} s; {graded.stdout.strip().splitlines()[-1]})"
    )

    # Nobody reads anybody else's work, nor the instructor's solutions.
    for user, page in pages.items():
        other = next(u for u in ANSWERS if u != user)
        theirs = contents(page, hub, other)
        assert theirs.status != 200 or ANSWERS[other] not in theirs.text(), theirs.status
        to_root = os.path.relpath(hub.root / "source_notebooks" / NOTEBOOK, f"/home/{user}")
        for escape in ("../", f"../{other}", f"../{other}/{NOTEBOOK}", to_root):
            # slashes encoded: a URL's own ../ segments are resolved by the browser (WHATWG
            # URLs, %2E%2E too); "..%2F..." reaches the server, which decodes it to ../
            encoded = quote(escape, safe="")
            refused = contents(page, hub, user, encoded)
            assert refused.status in (400, 403, 404), (escape, refused.status)
        assert page.request.get(f"{hub.url}/user/{user}/formgrader").status == 404
        page.goto(f"{hub.url}/user/{user}/tree")
        page.locator(".jp-DirListing-itemName", has_text=ASSIGNMENT).first.wait_for()
        listing = page.locator(".jp-DirListing-content").inner_text()
        assert "source_notebooks" not in listing and other not in listing, listing
        solution = hub.root / "source_notebooks" / NOTEBOOK
        for forbidden in (
            solution,
            hub.root / "course" / "submitted" / other / NOTEBOOK,
            f"/home/{other}/{NOTEBOOK}",
        ):
            assert hub.as_user(user, "cat", str(forbidden)).returncode != 0, forbidden
        inbound = hub.exchange / "lrcourse" / "inbound"
        assert hub.as_user(user, "ls", str(inbound)).returncode != 0
    for context in contexts.values():
        context.close()
    record = {"hub_start_s": round(hub.start_s, 1), "round_trip_s": round(round_trip_s, 1)}
    print("hub timings: " + json.dumps(record))
