"""Drive the course in a real JupyterLab, in Debian's chromium, as a learner would.

Used by the browser tests (``tests/browser/``) and by ``scripts/readme_screenshot.py``.

- :func:`ensure_chromium` finds ``/usr/bin/chromium`` (and installs it with
  ``scripts/install_browser.sh`` when running as root); never ``playwright install``.
- :class:`LabServer` starts ``jupyter lab`` from this Python's environment on a free
  127.0.0.1 port with every Jupyter directory (config, data, runtime, settings, workspaces)
  in a temporary folder, so a test run never reads or writes the user's, and always stops it.
- :class:`NotebookPage` opens one notebook, waits until its kernel is really idle, runs it
  (Run All; the course's stub and test cells carry the ``raises-exception`` tag in the
  notebooks themselves, so one Run All reaches the end; after an error in an untagged cell
  the run goes on below it), and checks what a learner sees: errors, widgets, explorers whose
  caption follows the slider, progress bars, and the browser console.

Reading the notebook's state goes through the page (the DOM, and the notebook model exposed
with ``LabApp.expose_app_in_browser``); running it goes through the menus and the keyboard.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install_browser.sh"
CHROMIUM = Path("/usr/bin/chromium")
# Flags that work on these machines (see browser-testing notes): headless, no sandbox as root,
# and nothing that reaches out to the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}

# JupyterLab user settings for the test server: no news or update checks (their pop-up
# covers outputs and they reach out to the internet), no extension manager (it queries
# PyPI), no autosave (the served notebooks are copies, but a test never saves anything).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}

# Console messages that mean widgets are broken. The first kind (the widget manager missing
# from the front end) fails a test at any level; the second only as a console error or an
# uncaught page error (ipywidgets logs some recoverable hiccups as warnings).
WIDGET_MANAGER_MISSING = re.compile(r"No provider for|I?jupyterWidgetRegistry", re.IGNORECASE)
WIDGET_CONSOLE_ERRORS = re.compile(
    r"widget manager|WidgetManager|Could not create (a )?(model|view)|"
    r"Failed to (load|create) (model|view)|Class \S+ not found in module|"
    r"Error displaying widget|Model not found|not found in registry|@jupyter-widgets",
    re.IGNORECASE,
)
# Text a learner sees instead of a widget when the front end cannot render it.
WIDGET_FALLBACK_TEXT = re.compile(
    r"Error displaying widget|Loading widget|model not found|"
    r"^\s*(?:[A-Z]\w*)\((?:children|value|description|layout|options)=|"
    r"IProgress not found|Please update jupyter and ipywidgets",
    re.MULTILINE,
)
TRACEBACK_TEXT = re.compile(
    r"Traceback \(most recent call last\)|^\s*[A-Za-z_]\w*(?:Error|Exception)\b", re.MULTILINE
)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

# Release notebooks (what learners get) fail where the learner has work to do. Errors that
# are expected there, by nbgrader cell kind; any other error in any cell fails the test.
EXPECTED_IN_SOLUTION_CELLS = {"NotImplementedError"}
# Autograder test cells fail until the answer is written: the stub's NotImplementedError,
# an assertion (lrcourse.grading's AnswerRejected is an AssertionError), or a name the
# unanswered stub never defined.
EXPECTED_IN_TEST_CELLS = {"NotImplementedError", "AssertionError", "AnswerRejected", "NameError"}


# name -> {measure: seconds}; filled by the tests, printed in pytest's summary (conftest).
TIMINGS: dict[str, dict[str, float]] = {}


def record_timing(name: str, **values: float) -> None:
    TIMINGS.setdefault(name, {}).update(values)


class BrowserMissing(RuntimeError):
    """Chromium is not installed where the tests expect it."""


def ensure_chromium() -> Path:
    """Return the chromium binary, installing it first when running as root."""
    if not CHROMIUM.exists() and os.geteuid() == 0 and INSTALL_SCRIPT.exists():
        subprocess.run(["sh", str(INSTALL_SCRIPT)], check=False, timeout=1800)
    if not CHROMIUM.exists():
        raise BrowserMissing(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium. Run "
            f"`sh scripts/install_browser.sh` as root (or `sudo apt-get install -y chromium`). "
            "Do not run `playwright install`."
        )
    return CHROMIUM


def launch_browser(playwright):
    """Launch the system chromium through Playwright (a fresh profile each time)."""
    return playwright.chromium.launch(
        executable_path=str(ensure_chromium()), args=CHROMIUM_ARGS, headless=True
    )


# --------------------------------------------------------------------------------------
# The JupyterLab server
# --------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_tree(src: Path, dest: Path) -> None:
    """Copy a notebook folder (with its data files) without checkpoints or caches."""
    shutil.copytree(
        src,
        dest,
        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc"),
        dirs_exist_ok=True,
    )


class LabServer:
    """``jupyter lab`` on 127.0.0.1 serving ``root``, with private Jupyter directories.

    Use as a context manager; the server (and its kernels) are always stopped on exit.
    """

    def __init__(self, root: Path, *, workdir: Path | None = None, ready_timeout: float = 120):
        self.root = Path(root)
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="lrcourse-lab-"))
        self.ready_timeout = ready_timeout
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.ready_s = float("nan")
        self.log_path = self.workdir / "jupyter-lab.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _environment(self) -> dict[str, str]:
        dirs = {
            name: self.workdir / name
            for name in ("config", "data", "runtime", "settings", "workspaces")
        }
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        for rel, values in LAB_SETTINGS.items():
            path = dirs["settings"] / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2))
        bindir = str(Path(sys.executable).parent)  # the project's environment, not resolved
        env = dict(os.environ)
        env.update(
            PATH=bindir + os.pathsep + env.get("PATH", ""),
            JUPYTER_CONFIG_DIR=str(dirs["config"]),
            JUPYTER_DATA_DIR=str(dirs["data"]),
            JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
            JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
            JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
            JUPYTER_PREFER_ENV_PATH="1",
            TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL", "3"),
            PYTHONUNBUFFERED="1",
        )
        env.pop("MPLBACKEND", None)  # let ipykernel choose the inline backend
        return env

    def _command(self) -> list[str]:
        jupyter = Path(sys.executable).parent / "jupyter"
        cmd = (
            [str(jupyter), "lab"] if jupyter.exists() else [sys.executable, "-m", "jupyter", "lab"]
        )
        cmd += [
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--ServerApp.root_dir={self.root}",
            "--IdentityProvider.token=",
            "--PasswordIdentityProvider.hashed_password=",
            "--PasswordIdentityProvider.password_required=False",
            "--ServerApp.allow_remote_access=False",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd

    def start(self) -> LabServer:
        env = self._environment()
        t0 = time.perf_counter()
        for _attempt in range(3):  # a free port can be taken between probe and bind
            self.port = free_port()
            log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
            self._log = log
            self.proc = subprocess.Popen(
                self._command(),
                cwd=self.root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            if self._wait_ready(t0):
                self.ready_s = time.perf_counter() - t0
                return self
            self.stop()
        raise RuntimeError(f"jupyter lab did not start; log:\n{self.log_tail()}")

    def _wait_ready(self, t0: float) -> bool:
        deadline = t0 + self.ready_timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                for path in ("/api/status", "/lab"):
                    with urllib.request.urlopen(self.url + path, timeout=5) as r:
                        if r.status != 200:
                            raise OSError(r.status)
                return True
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(
            f"jupyter lab not ready after {self.ready_timeout:.0f} s; log:\n{self.log_tail()}"
        )

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int) -> str:
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # the server shuts its kernels down
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self._kill_leftover_kernels()
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def _kill_leftover_kernels(self) -> None:
        """Kernels run in their own sessions; kill only those using this server's runtime dir."""
        marker = str(self.workdir / "runtime")
        for proc_dir in Path("/proc").glob("[0-9]*"):
            try:
                cmdline = (proc_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline and "ipykernel" in cmdline:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(proc_dir.name), signal.SIGKILL)

    def cleanup(self) -> None:
        self.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()


# --------------------------------------------------------------------------------------
# One notebook in the browser
# --------------------------------------------------------------------------------------
@dataclass
class CellError:
    index: int  # position among all cells (markdown included), 0-based
    ename: str
    evalue: str
    where: str  # "cell" or "widget output"
    kind: str  # nbgrader kind: "solution", "test", "other"
    traceback: str = ""

    def describe(self) -> str:
        tb = self.traceback.strip().splitlines()
        tail = "\n      ".join(tb[-6:]) if tb else ""
        where = (
            f"cell {self.index} ({self.kind} cell, {self.where})" if self.index >= 0 else self.where
        )
        return f"{where}: {self.ename}: {self.evalue}" + (f"\n      {tail}" if tail else "")


@dataclass
class Interaction:
    cell: int
    control: str  # "slider 'lr'" / "dropdown 'schedule'"
    old: str
    new: str
    latency_s: float
    ok: bool
    problem: str = ""


@dataclass
class RunReport:
    path: str
    mode: str  # "solution" (Run All, fully clean) or "learner" (release notebook)
    open_to_idle_s: float = float("nan")
    run_s: float = float("nan")
    rounds: int = 0
    round_s: list[float] = field(default_factory=list)  # time of each Run All (Below)
    expected_errors: list[CellError] = field(default_factory=list)
    unexpected_errors: list[CellError] = field(default_factory=list)
    not_run: list[int] = field(default_factory=list)
    stderr_notes: list[str] = field(default_factory=list)
    grade_cell_stderr: list[int] = field(default_factory=list)
    widget_problems: list[str] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    progress_bars: int = 0
    sliders: int = 0
    dropdowns: int = 0
    widget_views: int = 0
    console_problems: list[str] = field(default_factory=list)
    console_messages: list[str] = field(default_factory=list)  # errors and warnings, all
    dirty_after_open: bool = False  # marked unsaved before the learner did anything
    metadata_changed_on_open: list[str] = field(default_factory=list)  # which keys JupyterLab set
    server_tracebacks: list[str] = field(default_factory=list)
    screenshots: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        out = [f"unexpected error in {e.describe()}" for e in self.unexpected_errors]
        out += [f"cell {i} never ran (an earlier cell stopped Run All?)" for i in self.not_run]
        out += [
            f"cell {i} is an autograder test cell and writes to stderr: nbgrader scores it 0"
            for i in self.grade_cell_stderr
        ]
        out += self.widget_problems
        out += [f"{i.control} in cell {i.cell}: {i.problem}" for i in self.interactions if not i.ok]
        out += [f"browser console: {m}" for m in self.console_problems]
        out += [f"kernel traceback in the server log: {t}" for t in self.server_tracebacks]
        return out

    def timings(self) -> dict[str, float]:
        lat = [i.latency_s for i in self.interactions if i.ok]
        return {
            "open_to_idle_s": self.open_to_idle_s,
            "run_s": self.run_s,
            "slider_latency_max_s": max(lat) if lat else float("nan"),
            "slider_latency_median_s": sorted(lat)[len(lat) // 2] if lat else float("nan"),
        }


def nbgrader_kind(cell: dict) -> str:
    meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
    if meta.get("solution"):
        return "solution"
    if meta.get("grade"):
        return "test"
    return "other"


_JS_PANEL = """(path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.model) return w;
  }
  return null;
}"""

_JS_MODEL_STATE = (
    "(path) => { const find = "
    + _JS_PANEL
    + """;
  const panel = find(path);
  const model = panel.content.model;
  return {dirty: model.dirty, metadata: model.toJSON().metadata};
}"""
)

QUIET_S = 3.0  # idle this long with cells left unrun: Run All has stopped

_JS_ROUND_STATE = (
    "([path, first, last, top]) => { const find = "
    + _JS_PANEL
    + """;
  const p = find(path);
  const k = p.sessionContext.session && p.sessionContext.session.kernel;
  const count = i => p.content.widgets[i].model.executionCount || 0;
  const busy = Array.from(p.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
      .some(e => e.textContent.includes('*'))
    || p.content.widgets.some(w => w.model.type === 'code' && w.model.executionState === 'running');
  return {first: count(first) > top, last: count(last) > top, busy,
          idle: !!k && k.status === 'idle'};
}"""
)

_JS_KERNEL_STATE = (
    "(path) => { const find = "
    + _JS_PANEL
    + """;
  const panel = find(path);
  if (!panel) return {panel: false};
  const session = panel.sessionContext.session;
  const kernel = session && session.kernel;
  const prompts = Array.from(panel.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
      .map(e => e.textContent.trim());
  const status = Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
      .map(e => e.textContent.trim()).find(t => / \\| /.test(t)) || '';
  return {
    panel: true,
    kernel: kernel ? kernel.name : null,
    status: kernel ? kernel.status : null,
    connection: kernel ? kernel.connectionStatus : null,
    statusBar: status,
    busyPrompts: prompts.filter(p => p.includes('*')).length,
    dialog: !!document.querySelector('.jp-Dialog'),
    dialogText: (document.querySelector('.jp-Dialog') || {textContent: ''}).textContent,
  };
}"""
)

_JS_CELL_STATE = (
    "(path) => { const find = "
    + _JS_PANEL
    + """;
  const panel = find(path);
  const cells = panel.content.widgets;
  return cells.map(c => ({
    type: c.model.type,
    count: c.model.type === 'code' ? c.model.executionCount : null,
    prompt: c.model.type === 'code'
        ? (c.node.querySelector('.jp-InputPrompt') || {textContent: ''}).textContent.trim()
        : '',
  }));
}"""
)

_JS_CELL_OUTPUTS = (
    "(path) => { const find = "
    + _JS_PANEL
    + """;
  const panel = find(path);
  return panel.content.widgets.map(c => c.model.type !== 'code' ? [] :
    c.model.outputs.toJSON().map(o => {
      const r = {output_type: o.output_type};
      if (o.output_type === 'error') {
        r.ename = o.ename; r.evalue = o.evalue; r.traceback = (o.traceback || []).join('\\n');
      } else if (o.output_type === 'stream') {
        r.name = o.name;
        r.text = Array.isArray(o.text) ? o.text.join('') : o.text;
      } else {
        r.mimes = Object.keys(o.data || {});
        r.text = o.data && o.data['text/plain'] ? [].concat(o.data['text/plain']).join('') : '';
      }
      return r;
    }));
}"""
)

# What a learner sees in each cell's output area (widgets included).
_JS_CELL_DOM = (
    "(path) => { const find = "
    + _JS_PANEL
    + """;
  const panel = find(path);
  const errorRe = /Traceback \\(most recent call last\\)|^\\s*[A-Za-z_]\\w*(?:Error|Exception)\\b/m;
  return panel.content.widgets.map((c, index) => {
    const area = c.node.querySelector('.jp-Cell-outputArea');
    if (!area) return {index, widgets: 0};
    const q = s => Array.from(area.querySelectorAll(s));
    const widgetTracebacks = q('.widget-output .jp-RenderedText')
      .filter(e => errorRe.test(e.textContent))
      .map(e => e.textContent);
    return {
      index,
      widgets: q('.jupyter-widgets').length,
      sliders: q('.widget-slider').length,
      dropdowns: q('.widget-dropdown select').length,
      progress: q('.widget-hprogress, .widget-vprogress, .widget-progress').length,
      progressStyles: q('.widget-hprogress .progress-bar, .widget-progress .progress-bar')
          .map(e => e.className),
      outputs: q('.widget-output').length,
      images: q('img, canvas').length,
      text: Array.from(area.querySelectorAll('.jp-RenderedText, .jp-RenderedHTMLCommon'))
          .filter(e => !e.closest('.jupyter-widgets')).map(e => e.textContent).join('\\n'),
      widgetTracebacks,
    };
  });
}"""
)

# The caption under a plot: text outputs and HTML widgets in the cell, controls excluded.
_JS_CAPTION = """(cell) => {
  const area = cell.querySelector('.jp-Cell-outputArea');
  if (!area) return '';
  const controls = '.widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-checkbox,'
      + ' .widget-text, .widget-button, .widget-radio, .widget-select';
  return Array.from(area.querySelectorAll(
        '.jp-RenderedText, .jp-RenderedHTMLCommon, .jp-RenderedMarkdown, .widget-html-content'))
      .filter(e => !e.closest(controls))
      .map(e => e.textContent).join('\\n');
}"""

_JS_PLOT_TOKEN = """(cell) => {
  const area = cell.querySelector('.jp-Cell-outputArea');
  const imgs = area ? Array.from(area.querySelectorAll('img')) : [];
  const canvases = area ? area.querySelectorAll('canvas').length : 0;
  return {images: imgs.length, canvases,
          token: imgs.map(i => (i.src || '').length + ':' + (i.src || '').slice(-64)).join('|')};
}"""


# Has the explorer in cell ``index`` redrawn? The caption changed and shows every value
# (numbers compared up to the precision each is written with, as ``same_number`` does), and
# a plot is there again (a new image, or a canvas). Returns ms since the armed event.
_JS_REDRAWN = (
    """({index, oldCaption, oldToken, hadPlot, values}) => {
  const cell = document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')[index];
  if (!cell) return false;
  const caption = ("""
    + _JS_CAPTION
    + """)(cell);
  if (caption === oldCaption) return false;
  const numberRe = /[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?/g;
  const nums = caption.replace(/\u2212/g, '-').match(numberRe) || [];
  const half = s => {
    const [mant, exp] = s.toLowerCase().split('e');
    const decimals = mant.includes('.') ? mant.split('.')[1].length : 0;
    return 0.5 * Math.pow(10, -decimals) * Math.pow(10, exp ? parseInt(exp, 10) : 0);
  };
  const same = (a, b) => Math.abs(parseFloat(a) - parseFloat(b)) < (half(a) + half(b)) * (1 - 1e-9);
  if (!values.every(v => nums.some(c => same(v, c)))) return false;
  if (hadPlot) {
    const area = cell.querySelector('.jp-Cell-outputArea');
    const imgs = Array.from(area.querySelectorAll('img'));
    const token = imgs.map(i => (i.src || '').length + ':' + (i.src || '').slice(-64)).join('|');
    const canvas = area.querySelectorAll('canvas').length > 0;
    if (!canvas && (!imgs.length || token === oldToken)) return false;
  }
  const t0 = window.__lrcourseT0;
  return t0 === null || t0 === undefined ? -1 : performance.now() - t0;
}"""
)


def numbers_in(text: str) -> list[str]:
    return NUMBER.findall(text.replace("\u2212", "-"))


def _resolution(s: str) -> float:
    """Half a unit in the last written digit of a number string ('0.0126' -> 5e-5)."""
    mant, _, exp = s.lower().partition("e")
    decimals = len(mant.split(".")[1]) if "." in mant else 0
    scale = 10 ** (int(exp) if exp else 0)
    return 0.5 * 10**-decimals * scale


def same_number(a: str, b: str) -> bool:
    """True when two written numbers agree up to the precision each was written with."""
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    # both round the same value: they differ by less than the two half-units together
    tol = _resolution(a) + _resolution(b)
    return abs(x - y) < tol * (1 - 1e-9)


def caption_shows(caption: str, values: list[str]) -> bool:
    found = numbers_in(caption)
    return all(any(same_number(v, c) for c in found) for v in values)


class NotebookPage:
    """One notebook opened in a fresh browser context against a :class:`LabServer`."""

    def __init__(self, browser, server: LabServer, path: str, *, workspace: str):
        self.server = server
        self.path = path  # relative to the server root, forward slashes
        self.workspace = workspace
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.console: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.nb = json.loads((server.root / path).read_text())
        self.cells = self.nb["cells"]
        self._log_offset = server.log_size()

    def _on_console(self, msg) -> None:
        if msg.type in ("error", "warning"):
            self.console.append(f"{msg.type}: {msg.text}")

    def close(self) -> None:
        """Shut the notebook's kernel down (it would hold memory for the whole session)."""
        with contextlib.suppress(Exception):
            self.page.evaluate(
                "(path) => { const find = "
                + _JS_PANEL
                + "; const p = find(path); return p ? p.sessionContext.shutdown() : null; }",
                self.path,
            )
        with contextlib.suppress(Exception):
            self.context.close()

    # -- opening -------------------------------------------------------------------------
    def open(self, report: RunReport, timeout: float = 90) -> None:
        t0 = time.perf_counter()
        url = f"{self.server.url}/lab/workspaces/{self.workspace}/tree/{self.path}?reset"
        self.page.goto(url, wait_until="domcontentloaded")
        self.page.wait_for_function(
            "(path) => { const find = " + _JS_PANEL + "; return !!find(path); }",
            arg=self.path,
            timeout=timeout * 1000,
        )
        self.wait_idle(timeout)
        report.open_to_idle_s = time.perf_counter() - t0
        time.sleep(0.5)  # kernel info and kernelspec replies update the model asynchronously
        state = self.page.evaluate(_JS_MODEL_STATE, self.path)
        report.dirty_after_open = bool(state["dirty"])
        saved = self.nb.get("metadata", {})
        report.metadata_changed_on_open = sorted(
            key
            for key in set(saved) | set(state["metadata"])
            if saved.get(key) != state["metadata"].get(key)
        )

    def kernel_state(self) -> dict:
        return self.page.evaluate(_JS_KERNEL_STATE, self.path)

    def wait_idle(self, timeout: float = 90, *, stable_s: float = 0.3) -> None:
        """Wait until a kernel exists, is connected and idle, and no prompt shows [*]."""
        deadline = time.perf_counter() + timeout
        since = None
        state: dict = {}
        while time.perf_counter() < deadline:
            state = self.kernel_state()
            if state.get("dialog"):
                raise AssertionError(
                    "JupyterLab shows a dialog (a kernelspec that is not 'python3'?): "
                    + state.get("dialogText", "")[:300]
                )
            ready = (
                state.get("kernel")
                and state.get("status") == "idle"
                and state.get("connection") == "connected"
                and "Idle" in state.get("statusBar", "")
                and not state.get("busyPrompts")
            )
            if ready:
                since = since or time.perf_counter()
                if time.perf_counter() - since >= stable_s:
                    return
            else:
                since = None
            time.sleep(0.05)
        raise TimeoutError(f"kernel not idle after {timeout:.0f} s: {state}")

    # -- running ---------------------------------------------------------------------------
    def _menu(self, menu: str, item: str) -> None:
        self.page.get_by_role("menuitem", name=menu, exact=True).click()
        self.page.get_by_role("menuitem", name=item, exact=True).click()

    def cell_state(self) -> list[dict]:
        return self.page.evaluate(_JS_CELL_STATE, self.path)

    def _run_round(self, start: int, timeout: float) -> list[int]:
        """Run cells from ``start`` to the end; return the indexes that executed."""
        before = self.cell_state()
        top = max([c["count"] or 0 for c in before] + [0])
        first_code = next(
            (
                i
                for i in range(start, len(self.cells))
                if self.cells[i]["cell_type"] == "code" and _source(self.cells[i]).strip()
            ),
            None,
        )
        if first_code is None:
            return []
        if start == 0:  # the learner's way, through the menu
            self._menu("Run", "Run All Cells")
        else:  # Run > Run Selected Cell and All Below, without the clicks (one per stub)
            self.page.evaluate(
                "([path, i]) => { const find = "
                + _JS_PANEL
                + "; const p = find(path); p.content.activeCellIndex = i;"
                + " return window.jupyterapp.commands.execute('notebook:run-all-below'); }",
                [self.path, start],
            )
        # Done when the last code cell has a new count (counts are set as a cell completes)
        # and the kernel is idle with no prompt at [*]; or, when Run All stopped early (an
        # error aborts the queued cells), once that state has lasted QUIET_S: between two
        # queued cells the kernel is idle for an instant, and off-screen cells of a windowed
        # notebook have no prompt in the page, so one idle look proves nothing.
        last_code = max(
            i
            for i in range(start, len(self.cells))
            if self.cells[i]["cell_type"] == "code" and _source(self.cells[i]).strip()
        )
        deadline = time.perf_counter() + timeout
        quiet_since = None
        while True:
            state = self.page.evaluate(_JS_ROUND_STATE, [self.path, first_code, last_code, top])
            settled = state["first"] and state["idle"] and not state["busy"]
            if settled and state["last"]:
                break
            if settled:
                quiet_since = quiet_since or time.perf_counter()
                if time.perf_counter() - quiet_since >= QUIET_S:
                    break
            else:
                quiet_since = None
            if time.perf_counter() > deadline:
                raise TimeoutError(f"Run All from cell {start} not done after {timeout:.0f} s")
            time.sleep(0.1)
        after = self.cell_state()
        return [i for i, c in enumerate(after) if c["type"] == "code" and (c["count"] or 0) > top]

    def run(self, report: RunReport, timeout: float = 300) -> None:
        """Run the notebook as its audience would and record errors (see module docs)."""
        t0 = time.perf_counter()
        start = 0
        learner = report.mode == "learner"
        ran: set[int] = set()
        while start < len(self.cells):
            t_round = time.perf_counter()
            executed = self._run_round(start, timeout)
            report.round_s.append(round(time.perf_counter() - t_round, 2))
            report.rounds += 1
            ran.update(executed)
            outputs = self.page.evaluate(_JS_CELL_OUTPUTS, self.path)
            last_error = None
            for i in executed:
                for o in outputs[i]:
                    if o["output_type"] == "error":
                        last_error = i
                        err = CellError(
                            index=i,
                            ename=o.get("ename", ""),
                            evalue=o.get("evalue", ""),
                            where="cell",
                            kind=nbgrader_kind(self.cells[i]),
                            traceback=ANSI.sub("", o.get("traceback", "")),
                        )
                        if learner and _expected(err):
                            report.expected_errors.append(err)
                        else:
                            report.unexpected_errors.append(err)
            if last_error is None:
                break
            start = last_error + 1
            if all(
                i in ran
                for i in range(start, len(self.cells))
                if self.cells[i]["cell_type"] == "code" and _source(self.cells[i]).strip()
            ):
                break  # errors in cells tagged raises-exception did not stop Run All
        report.run_s = time.perf_counter() - t0
        report.not_run = [
            i
            for i, c in enumerate(self.cells)
            if c["cell_type"] == "code" and _source(c).strip() and i not in ran
        ]
        self._collect_outputs(report)

    def _collect_outputs(self, report: RunReport) -> None:
        outputs = self.page.evaluate(_JS_CELL_OUTPUTS, self.path)
        for i, outs in enumerate(outputs):
            for o in outs:
                if o["output_type"] == "stream" and o.get("name") == "stderr":
                    text = o.get("text", "").strip()
                    if nbgrader_kind(self.cells[i]) == "test" and report.mode == "solution":
                        report.grade_cell_stderr.append(i)
                    report.stderr_notes.append(f"cell {i} stderr: {text[:200]}")
                    if WIDGET_FALLBACK_TEXT.search(text):
                        report.widget_problems.append(
                            f"cell {i}: widgets not available in the kernel: {text[:200]}"
                        )

    # -- what a learner sees ---------------------------------------------------------------
    def check_widgets(self, report: RunReport, settle_s: float = 10) -> list[dict]:
        """Every widget output must render as a widget; returns per-cell DOM facts."""
        deadline = time.perf_counter() + settle_s
        while True:  # views render asynchronously after the kernel is idle
            dom = self.page.evaluate(_JS_CELL_DOM, self.path)
            pending = [d for d in dom if "Loading widget" in (d.get("text") or "")]
            if not pending or time.perf_counter() > deadline:
                break
            time.sleep(0.2)
        outputs = self.page.evaluate(_JS_CELL_OUTPUTS, self.path)
        for i, (d, outs) in enumerate(zip(dom, outputs, strict=True)):
            views = [
                o for o in outs if "application/vnd.jupyter.widget-view+json" in o.get("mimes", [])
            ]
            report.widget_views += len(views)
            if views and not d.get("widgets"):
                report.widget_problems.append(
                    f"cell {i}: {len(views)} widget output(s) but no rendered widget "
                    f"(`.jupyter-widgets`); the page shows: {(d.get('text') or '')[:200]!r}"
                )
            text = d.get("text") or ""
            if WIDGET_FALLBACK_TEXT.search(text):
                report.widget_problems.append(
                    f"cell {i}: widget shown as text instead of a widget: {text[:200]!r}"
                )
            report.sliders += d.get("sliders", 0)
            report.dropdowns += d.get("dropdowns", 0)
            report.progress_bars += d.get("progress", 0)
            red = [c for c in d.get("progressStyles", []) if "danger" in c]
            if red:  # tqdm colours a bar closed before its total red
                report.stderr_notes.append(
                    f"cell {i}: {len(red)} progress bar(s) stopped before the total (red)"
                )
            calls_tqdm = re.search(r"\b(?:tqdm|trange)\s*\(", _source(self.cells[i]))
            if self.cells[i]["cell_type"] == "code" and calls_tqdm and not d.get("progress"):
                report.widget_problems.append(
                    f"cell {i} calls tqdm but shows no progress-bar widget (tqdm.auto should "
                    "render an ipywidgets HBox with a progress bar)"
                )
        return dom

    def check_widget_errors(self, report: RunReport) -> None:
        """Tracebacks shown inside Output widgets (explorer callbacks that raised)."""
        seen = {(e.index, e.ename, e.evalue) for e in report.expected_errors}
        seen |= {(e.index, e.ename, e.evalue) for e in report.unexpected_errors}
        for d in self.page.evaluate(_JS_CELL_DOM, self.path):
            for tb in d.get("widgetTracebacks", []):
                err = _error_from_text(d["index"], tb, nbgrader_kind(self.cells[d["index"]]))
                if (err.index, err.ename, err.evalue) in seen:
                    continue
                seen.add((err.index, err.ename, err.evalue))
                if report.mode == "learner" and _expected(err):
                    report.expected_errors.append(err)
                else:
                    report.unexpected_errors.append(err)

    def check_log_console(self, report: RunReport) -> None:
        """Kernel output with no cell to go to (a widget callback raising outside an Output).

        JupyterLab sends it to the Log Console and only flashes a count in the status bar; a
        learner sees nothing else. Opens the Log Console (so call it after screenshots).
        """
        item = self.page.locator(".jp-LogConsoleStatusItem")
        count = _text(item)
        if not count.isdigit() or int(count) == 0:
            return
        item.click()
        self.page.wait_for_selector(".jp-LogConsolePanel .jp-OutputArea-child", timeout=10_000)
        time.sleep(0.3)
        entries = self.page.evaluate(
            """() => Array.from(document.querySelectorAll(
                '.jp-LogConsolePanel .jp-OutputArea-child')).map(e => {
                const kinds = Array.from(e.querySelectorAll('.jp-OutputArea-output'))
                    .map(o => o.getAttribute('data-mime-type') || o.className);
                return e.innerText + (kinds.length ? ' [' + kinds.join(', ') + ']' : '');
            })"""
        )
        for text in entries:
            if TRACEBACK_TEXT.search(text):
                err = _error_from_text(-1, text, "other")
                err.where = "log console (a widget callback raised outside an Output widget)"
                report.unexpected_errors.append(err)
            else:
                report.stderr_notes.append(f"log console: {' '.join(text.split())[:300]}")

    def check_console(self, report: RunReport) -> None:
        report.console_messages = list(self.console)
        for m in self.console:
            error = m.startswith(("error:", "pageerror:"))
            if WIDGET_MANAGER_MISSING.search(m) or (error and WIDGET_CONSOLE_ERRORS.search(m)):
                report.console_problems.append(m[:500])
            elif m.startswith("pageerror:"):
                report.console_problems.append(m[:500])

    def check_server_log(self, report: RunReport) -> None:
        """Tracebacks a kernel wrote outside any cell (e.g. a widget callback that raised)."""
        text = self.server.log_since(self._log_offset)
        for block in re.split(r"\n(?=\[[IWEC] |\[IPKernelApp\])", text):
            if "Traceback (most recent call last)" in block:
                report.server_tracebacks.append(block.strip()[-800:])

    # -- explorers -------------------------------------------------------------------------
    def explorer_cells(self) -> list[int]:
        dom = self.page.evaluate(_JS_CELL_DOM, self.path)
        return [d["index"] for d in dom if d.get("sliders") or d.get("dropdowns")]

    def _cell(self, index: int):
        return self.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(index)

    def _caption(self, index: int) -> str:
        return self._cell(index).evaluate(_JS_CAPTION)

    def interact(
        self,
        report: RunReport,
        *,
        max_sliders_per_cell: int = 3,
        max_dropdowns_per_cell: int = 1,
        moves_per_slider: int = 2,
        timeout: float = 15,
    ) -> None:
        """Move each explorer's sliders (and change a dropdown); the caption must follow."""
        for index in self.explorer_cells():
            cell = self._cell(index)
            cell.scroll_into_view_if_needed()
            sliders = cell.locator(".widget-slider")
            for k in range(min(sliders.count(), max_sliders_per_cell)):
                for _ in range(moves_per_slider):
                    move = self._move_slider(index, sliders.nth(k), timeout)
                    report.interactions.append(move)
                    if not move.ok:
                        break
            dropdowns = cell.locator(".widget-dropdown")
            for k in range(min(dropdowns.count(), max_dropdowns_per_cell)):
                report.interactions.append(self._change_dropdown(index, dropdowns.nth(k), timeout))

    def _arm_clock(self, event: str) -> None:
        """Note in the page when the next ``event`` (keydown/change) happens."""
        self.page.evaluate(
            """(event) => {
                window.__lrcourseT0 = null;
                document.addEventListener(event, () => { window.__lrcourseT0 = performance.now(); },
                                          {capture: true, once: true});
            }""",
            event,
        )

    def _wait_redrawn(
        self, index, old_caption, old_plot, values, timeout
    ) -> tuple[bool, float, str]:
        """Wait in the page until the caption changed and shows ``values`` over a plot.

        Returns (ok, seconds from the armed event to that moment, caption). Timed in the page
        (polled every animation frame), so the figure does not include Playwright's overhead.
        """
        try:
            handle = self.page.wait_for_function(
                _JS_REDRAWN,
                arg={
                    "index": index,
                    "oldCaption": old_caption,
                    "oldToken": old_plot["token"],
                    "hadPlot": bool(old_plot["images"] or old_plot["canvases"]),
                    "values": values,
                },
                polling="raf",
                timeout=timeout * 1000,
            )
            return True, handle.json_value() / 1000, ""
        except PlaywrightTimeout:
            return False, float("nan"), self._caption(index)

    @staticmethod
    def _wait_text_change(locator, old: str, timeout: float) -> str:
        deadline = time.perf_counter() + timeout
        text = old
        while time.perf_counter() < deadline:
            text = _text(locator)
            if text != old:
                return text
            time.sleep(0.01)
        return text

    def _move_slider(self, index: int, slider, timeout: float) -> Interaction:
        label = _text(slider.locator(".widget-label").first) or "?"
        readout = slider.locator(".widget-readout").first
        handle = slider.locator(".noUi-handle").first
        old_value = _text(readout)
        old_caption = self._caption(index)
        old_plot = self._cell(index).evaluate(_JS_PLOT_TOKEN)
        handle.scroll_into_view_if_needed()
        handle.focus()
        control = f"slider {label!r}"
        new_value = old_value
        for key in ("ArrowRight", "ArrowLeft"):  # at the maximum, go left
            self._arm_clock("keydown")
            self.page.keyboard.press(key)
            new_value = self._wait_text_change(readout, old_value, 2.0)
            if new_value != old_value:
                break
        if new_value == old_value:
            return Interaction(
                index, control, old_value, new_value, 0, False, "slider did not move"
            )
        values = numbers_in(new_value)
        ok, latency, caption = self._wait_redrawn(index, old_caption, old_plot, values, timeout)
        problem = ""
        if not ok:
            problem = (
                f"after moving the slider from {old_value} to {new_value}, the caption did not "
                f"show {new_value} under a redrawn plot within {timeout:.0f} s; caption now: "
                f"{caption.strip()[-200:]!r}"
            )
        elif values and not caption_shows(old_caption, numbers_in(old_value)):
            ok, problem = (
                False,
                (
                    f"the caption before the move did not show the slider's value {old_value}: "
                    f"{old_caption.strip()[-200:]!r}"
                ),
            )
        return Interaction(index, control, old_value, new_value, latency, ok, problem)

    def _change_dropdown(self, index: int, dropdown, timeout: float) -> Interaction:
        label = _text(dropdown.locator(".widget-label").first) or "?"
        select = dropdown.locator("select")
        options = select.locator("option").all_text_contents()
        old = select.evaluate(
            "s => s.options[s.selectedIndex] ? s.options[s.selectedIndex].text : ''"
        )
        control = f"dropdown {label!r}"
        if len(options) < 2:
            return Interaction(index, control, old, old, 0, True, "")
        new = options[(options.index(old) + 1) % len(options)] if old in options else options[0]
        old_caption = self._caption(index)
        old_plot = self._cell(index).evaluate(_JS_PLOT_TOKEN)
        select.scroll_into_view_if_needed()
        self._arm_clock("change")
        select.select_option(label=new)
        ok, latency, caption = self._wait_redrawn(index, old_caption, old_plot, [], timeout)
        problem = (
            ""
            if ok
            else f"choosing {new!r} did not change the caption within {timeout:.0f} s "
            f"(caption: {caption.strip()[-200:]!r})"
        )
        return Interaction(index, control, old, new, latency, ok, problem)

    # -- pictures ----------------------------------------------------------------------------
    def screenshot(self, path: Path, *, cell: int | None = None) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        if cell is not None:
            self._cell(cell).locator(".jp-Cell-outputWrapper").first.screenshot(path=str(path))
        else:
            self.page.screenshot(path=str(path))
        return path

    def show_cell(self, index: int, *, context_px: int = 140) -> None:
        """Scroll so that cell ``index``'s output is near the top, under a little of its code."""
        self._cell(index).evaluate(
            """(c, px) => {
                const target = c.querySelector('.jp-Cell-outputWrapper') || c;
                target.scrollIntoView({block: 'start'});
                const scroller = c.closest('.jp-WindowedPanel-outer');
                if (scroller) scroller.scrollBy(0, -px);
            }""",
            context_px,
        )
        self.page.mouse.move(2, 2)  # no hover highlight in screenshots
        time.sleep(0.3)


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _text(locator) -> str:
    try:
        return (locator.text_content(timeout=2000) or "").strip() if locator.count() else ""
    except Exception:
        return ""


def _expected(err: CellError) -> bool:
    if err.kind == "solution":
        return err.ename in EXPECTED_IN_SOLUTION_CELLS
    if err.kind == "test":
        return err.ename in EXPECTED_IN_TEST_CELLS
    return False


def _error_from_text(index: int, text: str, kind: str) -> CellError:
    m = re.search(
        r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Rejected|Interrupt))\b:?\s*(.*)$", text, re.M
    )
    ename, evalue = (m.group(1), m.group(2)) if m else ("Error", text.strip()[:200])
    # the header line repeats the name followed by "Traceback ..."; the message is last
    last = re.findall(rf"^{re.escape(ename)}: (.*)$", text, re.M)
    if last:
        evalue = last[-1]
    return CellError(index, ename, evalue.strip(), "widget output", kind, text)


def run_notebook(
    browser,
    server: LabServer,
    path: str,
    *,
    mode: str,
    workspace: str,
    artifacts: Path | None = None,
    interact: bool = True,
    interact_timeout: float = 15,
) -> tuple[RunReport, NotebookPage]:
    """Open, run, check and exercise one notebook; the caller closes the returned page."""
    report = RunReport(path=path, mode=mode)
    page = NotebookPage(browser, server, path, workspace=workspace)
    try:
        _exercise(page, report, artifacts, interact, interact_timeout)
    except BaseException:
        if artifacts is not None:  # what the page looked like when it went wrong
            stem = re.sub(r"[^\w.-]+", "__", path.removesuffix(".ipynb"))
            with contextlib.suppress(Exception):
                page.screenshot(artifacts / f"{stem}__FAILED.png")
        page.close()
        raise
    return report, page


def _exercise(page, report, artifacts, interact, interact_timeout) -> None:
    path = report.path
    page.open(report)
    page.run(report)
    page.check_widgets(report)
    page.check_widget_errors(report)
    explorers = page.explorer_cells()
    if interact:
        page.interact(report, timeout=interact_timeout)
        page.check_widget_errors(report)
    page.check_console(report)
    page.check_server_log(report)
    if artifacts is not None:
        stem = re.sub(r"[^\w.-]+", "__", path.removesuffix(".ipynb"))
        if explorers:
            page.show_cell(explorers[0])
        report.screenshots.append(str(page.screenshot(artifacts / f"{stem}.png")))
        for n, index in enumerate(explorers[:6]):
            shot = artifacts / f"{stem}__explorer{n + 1}_cell{index}.png"
            with contextlib.suppress(Exception):
                report.screenshots.append(str(page.screenshot(shot, cell=index)))
    page.check_log_console(report)
