"""The grading sandbox (course/autograder/sandbox.py): what learner code can reach, its limits,
and sandboxed notebook kernels (SandboxedExecute) that die, hang or flood their output."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "course"))

from autograder import sandbox  # noqa: E402
from autograder.sandbox import (  # noqa: E402
    Limits,
    SandboxedExecute,
    isolation_available,
    kill_tree,
    popen_sandboxed,
)

needs_bwrap = pytest.mark.skipif(
    not isolation_available(), reason="bubblewrap missing: scripts/install_sandbox.sh"
)


@pytest.fixture
def workdir():
    with tempfile.TemporaryDirectory(prefix="lrc-test-", dir="/tmp") as tmp:
        yield Path(tmp)


def run_python(code: str, workdir: Path, timeout: float = 60, **kwargs) -> tuple[int, dict]:
    """Run ``code`` in the sandbox; it prints one JSON object as its last line."""
    proc = popen_sandboxed(
        [sys.executable, "-c", textwrap.dedent(code)],
        workdir=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        kill_tree(proc)
    lines = out.strip().splitlines()
    return proc.returncode, (json.loads(lines[-1]) if lines else {"stderr": err[-2000:]})


PROBE_READ = """
import json, os, sys
found = {}
for path in sys.argv[1:]:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, 'rb').read(1)
        found[path] = True
    except OSError:
        found[path] = False
print(json.dumps(found))
"""


def probe_paths(paths, workdir: Path, **kwargs) -> dict[str, bool]:
    proc = popen_sandboxed(
        [sys.executable, "-c", PROBE_READ, *map(str, paths)],
        workdir=workdir,
        stdout=subprocess.PIPE,
        text=True,
        **kwargs,
    )
    out, _ = proc.communicate(timeout=60)
    return json.loads(out.strip().splitlines()[-1])


# -- what the sandbox can reach ---------------------------------------------------------------


@needs_bwrap
def test_only_the_workdir_interpreter_and_named_paths_are_visible(tmp_path, workdir):
    course = tmp_path / "course"  # a course next to the sandbox, as nbgrader has it
    (course / "submitted" / "other" / "01").mkdir(parents=True)
    (course / "submitted" / "other" / "01" / "01.ipynb").write_text("{}")
    (course / "gradebook.db").write_text("grades")
    (tmp_path / "source_notebooks").mkdir()
    (tmp_path / "source_notebooks" / "solutions.ipynb").write_text("{}")
    (workdir / "mine.ipynb").write_text("{}")
    forbidden = [
        course / "gradebook.db",
        course / "submitted" / "other" / "01" / "01.ipynb",
        tmp_path / "source_notebooks" / "solutions.ipynb",
        REPO / "course" / "nbgrader_config.py",
        REPO / "source_notebooks",
        REPO / "pyproject.toml",
        REPO / ".git",
        Path.home() / ".bashrc",
        "/etc/passwd",
    ]
    forbidden = [p for p in forbidden if os.path.exists(p)]  # all of the course's are there
    lrcourse_dir = sandbox.lrcourse_source_dir()
    allowed = [workdir / "mine.ipynb", Path(sys.executable), lrcourse_dir / "__init__.py"]
    ro_paths, _ = sandbox.kernel_ro_paths()
    seen = probe_paths([*forbidden, *allowed], workdir, ro_paths=ro_paths)
    assert not [p for p in map(str, forbidden) if seen[p]]
    assert all(seen[str(p)] for p in allowed), seen


@needs_bwrap
def test_no_network_not_even_localhost(workdir):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # reachable from here
    code, result = run_python(
        f"""
        import json, socket
        try:
            socket.create_connection(('127.0.0.1', {port}), timeout=5)
            print(json.dumps({{'connected': True}}))
        except OSError as e:
            print(json.dumps({{'connected': False, 'error': str(e)}}))
        """,
        workdir,
    )
    server.close()
    assert code == 0 and result["connected"] is False, result


@needs_bwrap
def test_runs_unprivileged_and_writes_only_its_workdir(workdir):
    code, result = run_python(
        """
        import json, os
        status = dict(l.split(':', 1) for l in open('/proc/self/status') if ':' in l)
        open('note.txt', 'w').write('hi')
        try:
            open('/usr/lib/evil', 'w'); usr = True
        except OSError:
            usr = False
        print(json.dumps({'uid': os.getuid(), 'caps': status['CapEff'].strip(), 'usr': usr,
                          'nnp': status['NoNewPrivs'].strip()}))
        """,
        workdir,
    )
    assert code == 0, result
    if os.geteuid() == 0:
        assert result["uid"] >= sandbox.SANDBOX_UID_BASE
    assert int(result["caps"], 16) == 0 and result["nnp"] == "1" and not result["usr"]
    assert (workdir / "note.txt").read_text() == "hi"


@needs_bwrap
def test_tmp_is_private_writable_and_bounded(workdir):
    code, result = run_python(
        """
        import json, os, tempfile
        with tempfile.NamedTemporaryFile() as small:
            small.write(b'x' * 1000); small.flush()
        written = 0
        try:
            with open('/tmp/big', 'wb') as big:
                for _ in range(8):
                    big.write(b'x' * 2**20); big.flush(); written += 1
        except OSError:
            pass
        print(json.dumps({'written_mib': written, 'tmpdir': tempfile.gettempdir()}))
        """,
        workdir,
        limits=Limits(tmp_bytes=3 * 2**20),
    )
    assert code == 0 and result["tmpdir"] == "/tmp" and result["written_mib"] <= 3, result


@needs_bwrap
def test_an_in_memory_workdir_keeps_the_disk_clean_and_bounded(workdir):
    (workdir / "given.ipynb").write_text("{}")
    (workdir / "shared").mkdir()
    code, result = run_python(
        """
        import json, os
        given = open('given.ipynb').read()
        try:
            open('given.ipynb', 'w').write('changed'); changed = True
        except OSError:
            changed = False
        written = 0
        try:
            for i in range(8):
                with open(f'junk{i}', 'wb') as junk:
                    junk.write(b'x' * 2**20)
                written += 1
        except OSError:
            pass
        open('shared/out.txt', 'w').write('back')
        print(json.dumps({'given': given, 'changed': changed, 'written_mib': written}))
        """,
        workdir,
        limits=Limits(tmp_bytes=3 * 2**20),
        in_memory_except=[workdir / "shared"],
    )
    assert code == 0 and result["given"] == "{}" and not result["changed"], result
    assert result["written_mib"] <= 3
    assert sorted(p.name for p in workdir.iterdir()) == ["given.ipynb", "shared"]
    assert (workdir / "shared" / "out.txt").read_text() == "back"


# -- limits -------------------------------------------------------------------------------------


def test_memory_is_limited(workdir):
    code, result = run_python(
        """
        import json
        try:
            block = bytearray(2 * 2**30); print(json.dumps({'got': True}))
        except MemoryError:
            print(json.dumps({'got': False}))
        """,
        workdir,
        limits=Limits(memory_bytes=1 * 2**30),
    )
    assert code == 0 and result == {"got": False}


def test_file_size_is_limited(workdir):
    code, result = run_python(
        """
        import json
        try:
            open('big', 'wb').write(b'x' * 3 * 2**20); print(json.dumps({'wrote': True}))
        except OSError as e:
            print(json.dumps({'wrote': False}))
        """,
        workdir,
        limits=Limits(file_bytes=2**20),
    )
    assert code == 0 and result == {"wrote": False}
    assert (workdir / "big").stat().st_size <= 2**20


def test_cpu_time_is_limited(workdir):
    start = time.perf_counter()
    code, _ = run_python("while True: pass", workdir, limits=Limits(cpu_seconds=1))
    # killed by SIGXCPU (or SIGKILL at the hard limit); bwrap reports a signal as 128 + signal
    assert code in (-24, -9, 128 + 24, 128 + 9) and time.perf_counter() - start < 20


@needs_bwrap
def test_a_fork_bomb_is_bounded_and_kill_tree_ends_it(workdir):
    proc = popen_sandboxed(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import os, signal, sys, time
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                children = 0
                while True:
                    try:
                        if os.fork() == 0:
                            os.setsid()  # try to escape the process group too
                            signal.signal(signal.SIGINT, signal.SIG_IGN)
                            time.sleep(600); os._exit(0)
                        children += 1
                    except OSError:
                        print(children, flush=True)
                        break
                time.sleep(600)
                """
            ),
        ],
        workdir=workdir,
        limits=Limits(processes=24),
        stdout=subprocess.PIPE,
        text=True,
    )
    children = int(proc.stdout.readline())
    assert 0 < children < 24
    uid = os.stat(workdir).st_uid
    kill_tree(proc)
    time.sleep(0.5)
    if os.geteuid() == 0:  # every process of the sandbox's uid is gone
        assert sandbox._user_tasks(uid) == 0


# -- python_paths: only the standard library and the named packages ---------------------------


def numpy_dirs() -> list[Path]:
    import numpy

    site = Path(numpy.__file__).resolve().parent.parent
    return [p for p in (site / "numpy", site / "numpy.libs") if p.is_dir()]


IMPORTS = """
import importlib, json
found = {}
for name in ('json', 'numpy', 'lrcourse', 'torch', 'scipy', 'nbgrader'):
    try:
        importlib.import_module(name); found[name] = True
    except ImportError:
        found[name] = False
print(json.dumps(found))
"""


def test_python_paths_allow_only_the_named_packages(workdir):
    code, found = run_python(IMPORTS, workdir, python_paths=numpy_dirs())
    assert code == 0, found
    assert found == {
        "json": True,
        "numpy": True,
        "lrcourse": False,
        "torch": False,
        "scipy": False,
        "nbgrader": False,
    }


# -- without bubblewrap -------------------------------------------------------------------------


def test_without_bubblewrap_grading_still_runs_and_warns_once(tmp_path):
    script = f"""
import sys, tempfile, warnings, subprocess
from pathlib import Path
sys.path.insert(0, {str(REPO / "course")!r})
from autograder.sandbox import popen_sandboxed, isolation_available, NotIsolatedWarning
assert not isolation_available()
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    for _ in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            proc = popen_sandboxed([sys.executable, "-c", "print(6 * 7)"], workdir=Path(tmp),
                                   stdout=subprocess.PIPE, text=True)
            assert proc.communicate()[0].strip() == "42"
notes = [str(w.message) for w in caught if issubclass(w.category, NotIsolatedWarning)]
print(len(notes)); print(notes[0])
"""
    env = {**os.environ, "LRCOURSE_BWRAP": "none"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    count, message = done.stdout.splitlines()[:2]
    assert count == "1"
    assert "NOT isolated" in message and "apt-get install -y bubblewrap" in message


def test_without_bubblewrap_python_paths_still_limit_imports(workdir, monkeypatch):
    monkeypatch.setenv("LRCOURSE_BWRAP", "none")
    monkeypatch.setattr(sandbox, "_warned", True)
    code, found = run_python(IMPORTS, workdir, python_paths=numpy_dirs())
    assert code == 0 and found["numpy"] and not found["lrcourse"] and not found["torch"]


def test_bad_arguments_get_clear_errors(workdir):
    with pytest.raises(ValueError, match="memory_bytes"):
        Limits(memory_bytes=0)
    with pytest.raises(ValueError, match="workdir"):
        popen_sandboxed([sys.executable], workdir=workdir / "missing")
    with pytest.raises(TypeError, match="cwd"):
        popen_sandboxed([sys.executable], workdir=workdir, cwd="/")


# -- sandboxed kernels ------------------------------------------------------------------------


def execute(sources: list[str], folder: Path, timeout: int = 30) -> tuple[list, float]:
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    start = time.perf_counter()
    nb, _ = SandboxedExecute(timeout=timeout).preprocess(nb, {"metadata": {"path": str(folder)}})
    return nb.cells, time.perf_counter() - start


def texts(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def errors(cell) -> list[str]:
    return [o.ename for o in cell.outputs if o.output_type == "error"]


@pytest.mark.slow
def test_kernel_imports_the_real_lrcourse_never_one_next_to_the_notebook(tmp_path):
    (tmp_path / "lrcourse").mkdir()  # shipped next to the notebook: never copied in
    (tmp_path / "lrcourse" / "__init__.py").write_text("FAKE = True\n")
    (tmp_path / "numpy.py").write_text("FAKE = True\n")
    (tmp_path / "01.ipynb").write_text("{}")
    cells, _ = execute(
        [
            "import os; print(sorted(f for f in os.listdir('.') if not f.startswith('.')))",
            # written by the notebook itself at run time: the working folder is off sys.path
            "os.makedirs('lrcourse', exist_ok=True)\n"
            "open('lrcourse/__init__.py', 'w').write('FAKE = True')\n"
            "open('numpy.py', 'w').write('FAKE = True')",
            "import lrcourse, numpy, sys\n"
            "print(hasattr(lrcourse, 'FAKE'), hasattr(numpy, 'FAKE'), os.getcwd() in sys.path)",
        ],
        tmp_path,
    )
    assert texts(cells[0]).strip() == "['01.ipynb']"
    assert texts(cells[2]).strip() == "False False False", cells[2].outputs


@pytest.mark.slow
def test_a_kernel_that_exits_costs_only_the_remaining_cells(tmp_path):
    sources = ["x = 1", "import os; os._exit(0)", "print(x)", "print('late')"]
    cells, took = execute(sources, tmp_path)
    assert errors(cells[0]) == [] and errors(cells[1]) == ["KernelDied"]
    assert errors(cells[2]) == errors(cells[3]) == ["KernelDied"]
    assert took < 60


@pytest.mark.slow
def test_an_interrupt_ignoring_loop_is_killed(tmp_path):
    cells, took = execute(
        [
            "import signal\n"
            "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
            "while True:\n    pass",
            "print('never')",
        ],
        tmp_path,
        timeout=3,
    )
    assert errors(cells[0])[-1] == "KernelDied" and errors(cells[1]) == ["KernelDied"]
    assert took < 3 + 5 + 30  # timeout, the grace after the interrupt, start and shutdown


@pytest.mark.slow
def test_50_mb_of_output_is_capped_and_the_kernel_goes_on(tmp_path):
    cells, _ = execute(
        ["for _ in range(50):\n    print('x' * 2**20)", "print('next')"], tmp_path, timeout=120
    )
    kept = sum(len(o.get("text", "")) for o in cells[0].outputs)
    assert kept < 2 * SandboxedExecute.max_output_bytes.default_value
    assert "output truncated" in texts(cells[0])
    assert texts(cells[1]).strip() == "next"


@pytest.mark.slow
@needs_bwrap
def test_a_kernel_sees_only_its_own_notebooks(tmp_path):
    other = tmp_path / "submitted" / "other" / "01"
    other.mkdir(parents=True)
    (other / "01.ipynb").write_text("{}")
    (tmp_path / "gradebook.db").write_text("grades")
    mine = tmp_path / "submitted" / "me" / "01"
    mine.mkdir(parents=True)
    (mine / "01.ipynb").write_text("{}")
    paths = [other / "01.ipynb", tmp_path / "gradebook.db", REPO / "source_notebooks"]
    paths += [Path.home() / ".bashrc"]
    probe = "import os\nfor p in %r:\n    print(p, os.path.exists(p))" % [str(p) for p in paths]
    cells, _ = execute([probe], mine)
    assert texts(cells[0]).split() == [w for p in paths for w in (str(p), "False")]
    nbformat.validate(nbformat.v4.new_notebook(cells=cells))


@pytest.mark.slow
def test_without_bubblewrap_kernels_still_run_and_lost_kernels_are_handled(tmp_path, monkeypatch):
    monkeypatch.setenv("LRCOURSE_BWRAP", "none")
    monkeypatch.setattr(sandbox, "_warned", False)
    with pytest.warns(sandbox.NotIsolatedWarning, match="apt-get install -y bubblewrap"):
        cells, _ = execute(["print(6 * 7)", "import os; os._exit(0)", "print('late')"], tmp_path)
    assert texts(cells[0]).strip() == "42"
    assert errors(cells[1]) == errors(cells[2]) == ["KernelDied"]
