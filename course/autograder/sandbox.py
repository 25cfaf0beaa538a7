"""Learner code runs in a sandbox: Debian's bubblewrap (``bwrap``), resource limits, IPC kernels.

What a sandboxed process sees (``popen_sandboxed``):

- its private working folder ``workdir`` (read-write; it is also the current directory),
  a fresh ``/tmp``, ``/dev`` and ``/proc``;
- read-only: the system folders needed to run Python (``/usr``, ``/bin``, ``/lib*``), the
  interpreter's prefix and the virtual environment, and the ``ro_paths`` the caller names;
- nothing else: no ``/etc`` (beyond the dynamic linker's cache), no ``/root``, no repository,
  no ``course/`` (gradebook, other students' submissions), no ``source_notebooks/``;
- no network (its own network namespace: not even 127.0.0.1), its own process ids (it cannot
  see or signal anything outside), its own session, killed when its parent dies;
- an unprivileged uid: when grading runs as root, each sandbox gets a uid of its own from
  ``SANDBOX_UID_BASE`` on (so ``RLIMIT_NPROC`` counts that sandbox's processes only); as a
  normal user, the user's own uid;
- the rlimits of ``Limits``.

``python_paths`` restricts what a sandboxed Python can import: only the standard library and
the listed package folders (bound into a fresh folder on ``PYTHONPATH``; ``site`` is off).

Notebook kernels (``SandboxedExecute``, nbgrader's ``Execute`` with sandboxed kernels): the
kernel talks to nbgrader over Unix sockets (``transport="ipc"``) inside its workdir, which
holds only the submission's ``*.ipynb`` files and the non-notebook files of
``release/<assignment>/``. The working folder is not on ``sys.path``. A cell that outlives
its timeout is interrupted; a kernel that ignores the interrupt, or dies, is killed (its whole
sandbox) and the notebook's remaining cells get an error output, so nbgrader still saves and
scores the notebook.

Without bubblewrap (an instructor on macOS, or Linux without the package): the same calls run
the process unsandboxed, with the rlimits only (and as root, Linux does not apply
``RLIMIT_NPROC`` at all), after one warning saying so and how to install bubblewrap; kernels
then talk over TCP on 127.0.0.1 as nbgrader's do. ``LRCOURSE_BWRAP`` names the ``bwrap``
binary to use; ``LRCOURSE_BWRAP=none`` forces that fallback.
"""

from __future__ import annotations

import asyncio
import functools
import glob
import importlib.util
import itertools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Float, Instance, Integer

SANDBOX_UID_BASE = 200_000  # uids SANDBOX_UID_BASE .. + UID_RANGE - 1 are used by sandboxes
UID_RANGE = 100_000
_uid_counter = itertools.count()

INSTALL_HINT = (
    "Install bubblewrap: `sudo apt-get install -y bubblewrap` on Debian/Ubuntu "
    "(`make test` and `make grade` do it when run as root), `sudo dnf install bubblewrap` on "
    "Fedora. bubblewrap is Linux-only: on macOS, grade inside a Linux container or VM."
)


class NotIsolatedWarning(UserWarning):
    """Learner code runs without a sandbox (bubblewrap missing or not working)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of a sandboxed process, applied with ``setrlimit`` before it starts.

    ``processes`` counts threads too (Linux's ``RLIMIT_NPROC``). ``tmp_bytes`` is the size of
    the sandbox's ``/tmp`` (a tmpfs, so it is memory), and of its in-memory workdir when
    ``popen_sandboxed(in_memory_except=...)`` asks for one.
    """

    memory_bytes: int = 3 * 2**30  # RLIMIT_AS
    cpu_seconds: int = 300  # RLIMIT_CPU
    processes: int = 256  # RLIMIT_NPROC
    file_bytes: int = 64 * 2**20  # RLIMIT_FSIZE
    open_files: int = 1024  # RLIMIT_NOFILE
    tmp_bytes: int = 256 * 2**20  # size of the tmpfs on /tmp

    def __post_init__(self):
        for name, value in vars(self).items():
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Limits.{name} must be a positive int, got {value!r}")


# -- is bubblewrap here and working? ------------------------------------------------------------


def _bwrap_path() -> str | None:
    chosen = os.environ.get("LRCOURSE_BWRAP")
    if chosen is not None:
        return None if chosen.lower() in ("", "none", "off", "0") else shutil.which(chosen)
    return shutil.which("bwrap")


@functools.cache
def _isolation_available(bwrap: str | None) -> bool:
    if bwrap is None or not sys.platform.startswith("linux"):
        return False
    with tempfile.TemporaryDirectory(prefix="lrc-probe-", dir=_tmp_root()) as tmp:
        try:
            proc = _popen_bwrap(
                bwrap,
                [_base_python(), "-I", "-S", "-c", "pass"],
                workdir=Path(tmp),
                limits=Limits(),
                ro_paths=(),
                env={},
                python_paths=[],
                popen_kwargs={"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL},
            )
            return proc.wait(timeout=30) == 0
        except (OSError, subprocess.SubprocessError):
            return False


def isolation_available() -> bool:
    """Whether bubblewrap is installed and can build a sandbox on this machine."""
    return _isolation_available(_bwrap_path())


_warned = False


def warn_if_not_isolated() -> None:
    """Warn (once per process) when learner code will run without a sandbox."""
    global _warned
    if _warned or isolation_available():
        return
    _warned = True
    warnings.warn(
        "Submissions are NOT isolated: bubblewrap (bwrap) is missing or does not work here, so "
        "learner code runs as you, with your files and network (only resource limits apply). "
        + INSTALL_HINT,
        NotIsolatedWarning,
        stacklevel=2,
    )


# -- the sandbox ----------------------------------------------------------------------------------


def _tmp_root() -> str | None:
    """/tmp when it exists (short paths: Unix socket names are limited to 107 bytes)."""
    return "/tmp" if os.path.isdir("/tmp") else None


def _base_python() -> str:
    return os.path.realpath(sys.executable)


def _python_prefixes(include_venv: bool) -> list[str]:
    prefixes = {
        sys.base_prefix,
        sys.base_exec_prefix,
        os.path.dirname(os.path.dirname(_base_python())),
    }
    if include_venv:
        prefixes |= {sys.prefix, sys.exec_prefix}
    return _outermost(os.path.realpath(p) for p in prefixes)


def _outermost(paths) -> list[str]:
    """Drop paths that lie inside another one of the list."""
    paths = sorted(set(paths))
    kept: list[str] = []
    for path in paths:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def sandbox_ids() -> tuple[int, int] | None:
    """A fresh (uid, gid) for the next sandbox when running as root; None otherwise."""
    if os.geteuid() != 0:
        return None
    uid = SANDBOX_UID_BASE + (os.getpid() * 97 + next(_uid_counter)) % UID_RANGE
    return uid, uid


def _chown_tree(root: Path, ids: tuple[int, int]) -> None:
    uid, gid = ids
    os.chown(root, uid, gid)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), uid, gid)


def _user_tasks(uid: int) -> int:
    """Threads currently run by ``uid`` (what RLIMIT_NPROC counts)."""
    count = 0
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in Path(status).read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            count += int(fields.get("Threads", "1"))
    return count


def _rlimits(limits: Limits, shared_uid: bool):
    """The preexec function of a sandboxed process: resource limits (and its own session)."""
    processes = limits.processes
    if shared_uid and sys.platform.startswith("linux"):
        # RLIMIT_NPROC counts every thread of the uid: leave room for what already runs
        processes += _user_tasks(os.getuid())

    def apply() -> None:
        for which, value in (
            (resource.RLIMIT_AS, limits.memory_bytes),
            (resource.RLIMIT_NPROC, processes),
            (resource.RLIMIT_FSIZE, limits.file_bytes),
            (resource.RLIMIT_NOFILE, limits.open_files),
            (resource.RLIMIT_CORE, 0),
        ):
            resource.setrlimit(which, (value, value))
        # SIGXCPU at the soft limit, SIGKILL a little later
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))

    return apply


def _base_env(workdir: Path, tmp: str, venv_bin: str | None) -> dict[str, str]:
    path = ([venv_bin] if venv_bin else []) + ["/usr/local/bin", "/usr/bin", "/bin"]
    env = {
        "PATH": os.pathsep.join(path),
        "HOME": str(workdir),
        "TMPDIR": tmp,
        "LANG": "C.UTF-8",
        "USER": "learner",
        "LOGNAME": "learner",
        "PYTHONSAFEPATH": "1",  # the working folder is never on sys.path
        "PYTHONDONTWRITEBYTECODE": "1",
        "MALLOC_ARENA_MAX": "2",  # threads' malloc arenas count against RLIMIT_AS
        "MPLCONFIGDIR": str(workdir / ".config" / "matplotlib"),
        "XDG_CONFIG_HOME": str(workdir / ".config"),
        "XDG_CACHE_HOME": str(workdir / ".cache"),
    }
    for name in (
        "TF_CPP_MIN_LOG_LEVEL",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NBGRADER_EXECUTION",
    ):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


# A tiny program run first inside the sandbox when grading as root: drop to the sandbox's uid
# (which clears every capability), then become the learner's command.
_DROP_PRIVILEGES = (
    "import os,sys;u,g=int(sys.argv[1]),int(sys.argv[2]);"
    "os.setgroups([]);os.setresgid(g,g,g);os.setresuid(u,u,u);"
    "os.chdir(sys.argv[3]);os.execvp(sys.argv[4],sys.argv[4:])"
)


def _popen_bwrap(
    bwrap: str,
    argv: list[str],
    *,
    workdir: Path,
    limits: Limits,
    ro_paths: Sequence[Path],
    env: dict[str, str],
    python_paths: Sequence[Path] | None,
    popen_kwargs: dict,
    in_memory_except: Sequence[Path] | None = None,
) -> subprocess.Popen:
    ids = sandbox_ids()
    workdir = Path(os.path.realpath(workdir))
    args = [bwrap, "--die-with-parent", "--new-session"]
    if ids is None:  # unprivileged: bwrap needs a user namespace to build the sandbox
        args += ["--unshare-all"]
    else:  # root: bwrap mounts with real privileges; the command then drops to ids
        args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
        args += ["--unshare-cgroup-try", "--cap-drop", "ALL"]
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    args += ["--dev", "/dev", "--proc", "/proc"]
    args += ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    binds = [(p, p) for p in _python_prefixes(include_venv=python_paths is None)]
    binds += [(p, p) for p in ("/etc/ld.so.cache", "/etc/localtime") if os.path.exists(p)]
    binds += [(os.path.realpath(p), os.path.abspath(p)) for p in ro_paths]
    if python_paths is not None:
        binds += [(os.path.realpath(p), f"/pylib/{Path(p).name}") for p in python_paths]
    # bwrap would make the folders above a mount point 0700 (root's): make them traversable
    above = {str(a) for _, dest in binds for a in Path(dest).parents if len(a.parts) > 1}
    above |= {str(a) for a in workdir.parents if len(a.parts) > 1}
    # (also inside the fresh /tmp: a checkout and its .venv may live under /tmp, as a CI clone can)
    for folder in sorted(above - {"/tmp", "/usr"}, key=lambda f: f.count("/")):
        args += ["--perms", "0755", "--dir", folder]
    for source, dest in binds:
        args += ["--ro-bind", source, dest]
    if in_memory_except is None:
        args += ["--bind", str(workdir), str(workdir)]
    else:
        args += _in_memory_workdir(workdir, in_memory_except, limits)
    if ids is None:
        args += ["--chdir", str(workdir)]
    else:  # the workdir belongs to the sandbox's uid now: only that uid can enter it
        _chown_tree(workdir, ids)
        args += [_base_python(), "-I", "-S", "-c", _DROP_PRIVILEGES, *map(str, ids), str(workdir)]
    popen_kwargs = {"stdin": subprocess.DEVNULL, **popen_kwargs}
    return subprocess.Popen(
        [*args, *argv],
        env=env,
        cwd=workdir,
        preexec_fn=_rlimits(limits, shared_uid=ids is None),
        start_new_session=True,  # kill_tree kills the process group
        **popen_kwargs,
    )


def _in_memory_workdir(workdir: Path, shared: Sequence[Path], limits: Limits) -> list[str]:
    """bwrap arguments: ``workdir`` as a tmpfs of ``limits.tmp_bytes`` (writes stay in memory,
    bounded) holding its present files read-only, and its ``shared`` subfolders read-write."""
    shared = {os.path.realpath(workdir / p) for p in shared}
    args = ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", str(workdir)]
    for folder, dirs, files in os.walk(workdir):
        keep = []
        for name in sorted(dirs):
            path = os.path.join(folder, name)
            if os.path.realpath(path) in shared:
                args += ["--bind", path, path]
            else:
                args += ["--dir", path]
                keep.append(name)
        dirs[:] = keep
        for name in sorted(files):
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                args += ["--ro-bind", path, path]
    return args


def _python_argv(argv: list[str], isolated: bool) -> list[str]:
    """argv of a Python restricted to python_paths: no site (no site-packages), no user site."""
    python = os.path.realpath(argv[0]) if isolated else argv[0]
    return [python, "-S", "-s", *argv[1:]]


def popen_sandboxed(
    argv: Sequence[str],
    *,
    workdir: Path,
    limits: Limits = Limits(),
    ro_paths: Sequence[Path] = (),
    env: dict[str, str] | None = None,
    python_paths: Sequence[Path] | None = None,
    in_memory_except: Sequence[Path] | None = None,
    **popen_kwargs,
) -> subprocess.Popen:
    """Start ``argv`` in a sandbox whose only writable folder is ``workdir`` (also its cwd).

    ``workdir``: a private folder made by the caller (when grading as root it is handed to the
    sandbox's uid). ``env``: added to a minimal environment (PATH, HOME=workdir, TMPDIR, ...;
    nothing else of ours leaks in). ``python_paths``: when given, ``argv[0]`` must be a Python
    interpreter; it then imports only the standard library and these package folders (e.g.
    numpy's folder and ``numpy.libs``). ``in_memory_except``: when given (subfolders of
    ``workdir``), the sandbox sees ``workdir`` as a tmpfs of ``limits.tmp_bytes`` holding its
    present files read-only, and only those subfolders read-write on disk: what the learner
    writes stays in bounded memory (kernels). ``popen_kwargs`` go to ``subprocess.Popen``
    (``stdout``, ``stderr``, ``pass_fds``...; not ``cwd``, ``env`` or ``preexec_fn``).
    Without bubblewrap the process runs unsandboxed with the limits only (see the module doc).
    """
    argv = [os.fspath(a) for a in argv]
    if not argv:
        raise ValueError("popen_sandboxed: argv is empty, expected a command to run")
    workdir = Path(workdir)
    if not workdir.is_dir():
        raise ValueError(f"popen_sandboxed: workdir {workdir} is not an existing folder")
    for taken in ("cwd", "env", "preexec_fn", "start_new_session"):
        if taken in popen_kwargs:
            raise TypeError(f"popen_sandboxed sets {taken!r} itself; do not pass it")
    isolated = isolation_available()
    venv_bin = None if python_paths is not None else os.path.dirname(sys.executable)
    full_env = _base_env(workdir.resolve(), "/tmp" if isolated else str(workdir), venv_bin)
    full_env.update(env or {})
    if python_paths is not None:
        argv = _python_argv(argv, isolated)
        for path in python_paths:
            if not Path(path).is_dir():
                raise ValueError(f"popen_sandboxed: python_paths entry {path} is not a folder")
    if isolated:
        if python_paths is not None:
            full_env["PYTHONPATH"] = "/pylib"
        return _popen_bwrap(
            _bwrap_path(),
            argv,
            workdir=workdir,
            limits=limits,
            ro_paths=ro_paths,
            env=full_env,
            python_paths=python_paths,
            popen_kwargs=popen_kwargs,
            in_memory_except=in_memory_except,
        )
    warn_if_not_isolated()
    if python_paths is not None:  # the same view of packages, through symbolic links
        pylib = workdir / ".pylib"
        pylib.mkdir(exist_ok=True)
        for path in python_paths:
            link = pylib / Path(path).name
            if not link.exists():
                link.symlink_to(os.path.realpath(path), target_is_directory=True)
        full_env["PYTHONPATH"] = str(pylib)
    return subprocess.Popen(
        argv,
        env=full_env,
        cwd=workdir,
        preexec_fn=_rlimits(limits, shared_uid=True),
        start_new_session=True,
        **{"stdin": subprocess.DEVNULL, **popen_kwargs},
    )


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL the process and its whole process group (with bwrap: the whole sandbox)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except OSError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


# -- sandboxed notebook kernels ----------------------------------------------------------------


def lrcourse_source_dir() -> Path | None:
    """Where this process imports lrcourse from (an editable install's source folder)."""
    spec = importlib.util.find_spec("lrcourse")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def kernel_ro_paths() -> tuple[list[Path], dict[str, str]]:
    """Read-only folders and environment a kernel needs beyond the venv: lrcourse's source
    folder when it lies outside the venv (editable install, PYTHONPATH), and only that folder
    (not the repository around it)."""
    source = lrcourse_source_dir()
    venv = Path(sys.prefix).resolve()
    if source is None or source.is_relative_to(venv):
        return [], {}
    return [source], {"PYTHONPATH": str(source.parent)}


class SandboxedProvisioner(LocalProvisioner):
    """Starts the kernel through ``popen_sandboxed`` in the kernel manager's workdir."""

    async def launch_kernel(self, cmd, **kwargs):
        km = self.parent
        # our interpreter and ipykernel, whatever the kernelspec says; keep -f and the extras
        tail = cmd[cmd.index("-f") :] if "-f" in cmd else ["-f", km.connection_file]
        argv = [sys.executable, "-m", "ipykernel_launcher", *tail, "--IPKernelApp.ignore_cwd=True"]
        ro_paths, extra_env = kernel_ro_paths()
        env = {
            **extra_env,
            "IPYTHONDIR": str(km.workdir / ".ipython"),
            "JUPYTER_CONFIG_DIR": str(km.workdir / ".jupyter"),
            "JUPYTER_DATA_DIR": str(km.workdir / ".local" / "share" / "jupyter"),
            "JUPYTER_RUNTIME_DIR": str(km.runtime_dir),
            "JUPYTER_PLATFORM_DIRS": "1",
            # figures are drawn but never rendered to PNG: grading reads no plot, and the
            # inline backend's rendering was about half of a notebook's cell time
            "MPLBACKEND": "agg",
        }
        # the kernel's own stdout/stderr (not the notebook's outputs) go nowhere: learner code
        # must not write to the instructor's terminal
        self.process = popen_sandboxed(
            argv,
            workdir=km.workdir,
            limits=km.limits,
            ro_paths=ro_paths,
            env=env,
            in_memory_except=[km.runtime_dir],  # files the learner writes stay in memory
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.pid = self.pgid = self.process.pid  # its own session: pgid == pid
        self.cwd = km.workdir
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        if self.process is None:
            return
        if signum in (signal.SIGKILL, signal.SIGTERM):
            kill_tree(self.process)
        elif not isolation_available():
            await super().send_signal(signum)
        # else: a signal to bwrap would not reach the kernel; interrupts go by message

    async def kill(self, restart: bool = False) -> None:
        if self.process is not None:
            kill_tree(self.process)


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel in a sandbox; talks over Unix sockets in ``workdir`` when isolated."""

    workdir = Instance(Path, allow_none=True)
    limits = Instance(Limits, args=())

    @property
    def runtime_dir(self) -> Path:
        return self.workdir / ".rt"

    async def _async_pre_start_kernel(self, **kw):
        if self.workdir is None:
            raise RuntimeError("SandboxedKernelManager.workdir must be set before start_kernel")
        self.runtime_dir.mkdir(exist_ok=True)
        if isolation_available():  # no network inside: Unix sockets next to the connection file
            self.transport = "ipc"
            self.cache_ports = False
            self.connection_file = str(self.runtime_dir / "kernel.json")
            self.ip = str(self.runtime_dir / "k")
        if self.provisioner is None:
            self.provisioner = SandboxedProvisioner(
                kernel_id=self.kernel_id or "sandboxed",
                kernel_spec=self.kernel_spec,
                parent=self,
            )
        return await super()._async_pre_start_kernel(**kw)

    async def interrupt_kernel(self) -> None:
        """Interrupt by message: ipykernel then raises KeyboardInterrupt in its own process."""
        if not self.has_kernel:
            raise RuntimeError("Cannot interrupt kernel. No kernel is running!")
        msg = self.session.msg("interrupt_request", content={})
        self._connect_control_socket()
        self.session.send(self._control_socket, msg)

    def lock_runtime_dir(self) -> None:
        """Once the kernel has bound its sockets: the kernel can no longer replace them (with a
        link to some other socket of this machine that nbgrader would then connect to)."""
        if os.geteuid() == 0 and isolation_available():
            for path in [self.runtime_dir, *self.runtime_dir.iterdir()]:
                os.lchown(path, 0, 0)
            self.runtime_dir.chmod(0o755)


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(
        output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
    )


class SandboxedExecute(Execute):
    """nbgrader's ``Execute``, with each notebook's kernel in a sandbox of its own.

    The kernel's workdir (its cwd, not on ``sys.path``) holds copies of the ``*.ipynb`` files
    of the student's submitted folder and of the non-notebook files of ``release/<assignment>/``.
    A kernel that dies, or does not answer ``kill_after_interrupt`` seconds after a timed-out
    cell was interrupted, is killed; that cell and every later code cell get an error output
    (``KernelDied``), and the notebook goes on through nbgrader's chain.
    """

    max_output_bytes = Integer(
        1_000_000, help="Output kept per cell; the rest is dropped (with a note)."
    ).tag(config=True)
    kill_after_interrupt = Float(
        5.0, help="Seconds a kernel has to answer after a timed-out cell is interrupted."
    ).tag(config=True)

    limits = Limits()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    # -- per notebook: the workdir ---------------------------------------------------------

    def preprocess(self, nb, resources=None, km=None):
        warn_if_not_isolated()
        self.iopub_timeout = int(max(1, self.kill_after_interrupt))
        with tempfile.TemporaryDirectory(prefix="lrc-", dir=_tmp_root()) as tmp:
            self._workdir = Path(tmp)
            self._fill_workdir(self._workdir, resources or {})
            self._kernel_lost = None
            try:
                return super().preprocess(nb, resources, km)
            finally:
                self._workdir = None

    def _fill_workdir(self, workdir: Path, resources: dict) -> None:
        from nbgrader.coursedir import CourseDirectory

        info = resources.get("nbgrader", {})
        folders = []
        if "assignment" in info:
            coursedir = CourseDirectory(config=self.config)
            release = coursedir.format_path(coursedir.release_directory, ".", info["assignment"])
            if "student" in info:
                submitted = coursedir.format_path(
                    coursedir.submitted_directory, info["student"], info["assignment"]
                )
                folders.append((Path(submitted), "*.ipynb"))
            folders.append((Path(release), "*"))
        elif resources.get("metadata", {}).get("path"):
            folders.append((Path(resources["metadata"]["path"]), "*.ipynb"))
        for folder, pattern in folders:
            if not folder.is_dir():
                continue
            # notebooks: the folder's own; release files: the whole tree, without notebooks
            found = folder.glob(pattern) if pattern == "*.ipynb" else folder.rglob(pattern)
            for path in found:
                relative = path.relative_to(folder)
                if ".ipynb_checkpoints" in relative.parts:
                    continue
                if pattern == "*" and path.suffix == ".ipynb":
                    continue
                if path.is_file() and not path.is_symlink():  # links could point anywhere
                    (workdir / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, workdir / relative)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        km.workdir = self._workdir
        km.limits = self.limits
        return km

    async def async_start_new_kernel(self, **kwargs):
        kwargs["cwd"] = str(self._workdir)
        await super().async_start_new_kernel(**kwargs)

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        self.km.lock_runtime_dir()
        return kc

    # -- per cell: lost kernels and output floods ---------------------------------------------

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        runs = cell.cell_type == "code" and cell.source.strip()
        if self._kernel_lost is not None:
            if runs:
                cell.outputs = [_error_output("KernelDied", f"not run: {self._kernel_lost}")]
            return cell
        self._output_bytes = 0
        self._output_dropped = False
        try:
            cell = await super().async_execute_cell(
                cell, cell_index, execution_count, store_history
            )
        except (DeadKernelError, CellTimeoutError) as lost:
            if isinstance(lost, DeadKernelError):
                self._kernel_lost = "the kernel died in an earlier cell"
                here = "the kernel died while running this cell"
            else:
                self._kernel_lost = "the kernel stopped answering in an earlier cell"
                here = "the kernel ignored the interrupt after the cell timeout and was killed"
            self.log.error("Cell %d: %s", cell_index, here)
            await self._kill_kernel()
            cell.outputs.append(_error_output("KernelDied", here))
            self.nb.cells[cell_index] = cell
        if self._output_dropped:
            cell.outputs.append(
                NotebookNode(
                    output_type="stream",
                    name="stdout",
                    text=f"\n[output truncated: more than {self.max_output_bytes} bytes]\n",
                )
            )
        return cell

    async def _kill_kernel(self) -> None:
        if self.km is not None and self.km.provisioner is not None:
            await self.km.provisioner.kill()
        await asyncio.sleep(0)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(content.get("text", "")) + sum(
            len(str(v)) for v in content.get("data", {}).values()
        )
        size += sum(len(line) for line in content.get("traceback", []))
        self._output_bytes = getattr(self, "_output_bytes", 0) + size
        if self._output_bytes > self.max_output_bytes:
            self._output_dropped = True
            return None
        return super().output(outs, msg, display_id, cell_index)

    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)
    execute_cell = run_sync(async_execute_cell)
