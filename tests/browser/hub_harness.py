"""A real class hub on 127.0.0.1 for the round-trip test (test_hub_roundtrip.py).

It is set up the way course/hub/README.md tells an instructor to, in a temporary folder:
``hub_setup.py install`` (proxy, groups, exchange, state folder, users' Python, locked
course), ``users.py add`` (system users with passwords, as root), then ``jupyterhub -f
course/hub/jupyterhub_config.py``. The course root is a copy of the repository's course
(never the checkout itself), the users are removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
HUB_DIR = REPO_ROOT / "course" / "hub"
GENERATED = (
    "gradebook.db",
    "submitted",
    "autograded",
    "feedback",
    "grades.csv",
    "grading.log",
    "grading_state.json",
    "solution",
    "source_with_tests",
    "release",
    "node_modules",
    "lab",
    "__pycache__",
)


def free_base_port() -> int:
    """A port p with p, p+1 and p+2 free on 127.0.0.1 (the hub's three ports)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base > 65000:
            continue
        try:
            for port in (base + 1, base + 2):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no three consecutive free ports on 127.0.0.1")


def copy_course(dest: Path) -> Path:
    """The course as an instructor's clone would hold it (no results, no proxy)."""
    dest.mkdir(parents=True)
    for tree in ("source_notebooks", "release", "scripts", "course"):
        shutil.copytree(REPO_ROOT / tree, dest / tree, ignore=shutil.ignore_patterns(*GENERATED))
    return dest


class ClassHub:
    """The hub, its users and its folders; ``stop()`` undoes everything."""

    def __init__(self, workdir: Path, *, instructor: str, students: dict[str, str], password: str):
        self.workdir = workdir
        workdir.chmod(0o755)  # the users' servers must reach the state folder inside
        self.root = copy_course(workdir / "course-root")
        self.state = workdir / "state"
        self.exchange = workdir / "exchange"
        self.instructor = instructor
        self.students = students
        self.passwords = {instructor: password, **students}
        self.port = free_base_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "LRCOURSE_HUB_STATE": str(self.state),
            "LRCOURSE_EXCHANGE": str(self.exchange),
            "LRCOURSE_ROOT": str(self.root),
            "LRCOURSE_HUB_PORT": str(self.port),
        }
        self.process: subprocess.Popen | None = None
        self.log_path = workdir / "jupyterhub.log"
        self.start_s = float("nan")

    def script(self, name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, str(HUB_DIR / name), *args],
            env=self.env,
            capture_output=True,
            text=True,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{name} {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def set_up(self) -> None:
        self.script("users.py", "remove", self.instructor, *self.students, check=False)
        self.script("hub_setup.py", "install")
        passwords = self.workdir / "passwords.txt"
        passwords.write_text("".join(f"{n}:{p}\n" for n, p in self.passwords.items()))
        passwords.chmod(0o600)
        self.script(
            "users.py",
            "add",
            "--instructor",
            self.instructor,
            "--passwords",
            str(passwords),
            *self.students,
        )

    def start(self, timeout: float = 120) -> None:
        t0 = time.perf_counter()
        self.script("hub_setup.py", "check", "--port", str(self.port))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(HUB_DIR / "jupyterhub_config.py")],
            cwd=self.workdir,
            env=self.env,
            stdout=open(self.log_path, "w"),  # noqa: SIM115 (closed with the process)
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while time.perf_counter() - t0 < timeout:
            if self.process.poll() is not None:
                raise RuntimeError("JupyterHub exited:\n" + self.log_tail())
            try:
                with urllib.request.urlopen(f"{self.url}/hub/login", timeout=5) as reply:
                    if reply.status == 200:
                        self.start_s = time.perf_counter() - t0
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"JupyterHub not ready after {timeout} s:\n" + self.log_tail())

    def as_instructor(self, *command: str, timeout: float = 900) -> subprocess.CompletedProcess:
        """Run a command as the instructor in the course's course/ folder, as their hub
        terminal would (the instructor view's configuration, the exchange)."""
        python = self.state / "python" / "bin" / "python"
        python = python if python.exists() else Path(sys.executable)
        env = {
            "PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": f"/home/{self.instructor}",
            "JUPYTER_CONFIG_PATH": str(self.state / "views" / "instructor"),
            "LRCOURSE_EXCHANGE": str(self.exchange),
            "LRCOURSE_ROOT": str(self.root),
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
        argv = [str(python) if part == "python" else part for part in command]
        return subprocess.run(
            [
                "runuser",
                "-u",
                self.instructor,
                "--",
                "env",
                *(f"{k}={v}" for k, v in env.items()),
                *argv,
            ],
            cwd=self.root / "course",
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def as_user(self, user: str, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", user, "--", *command], capture_output=True, text=True, timeout=60
        )

    def log_tail(self, n: int = 60) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the hub stops the users' servers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        for user in self.passwords:
            # servers a hub killed hard may linger: end that user's processes only
            listed = subprocess.run(
                ["ps", "-o", "pid=", "-u", user], capture_output=True, text=True
            )
            for pid in listed.stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        self.script("users.py", "remove", *self.passwords, check=False)
