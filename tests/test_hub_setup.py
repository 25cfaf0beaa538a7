"""The class hub's set-up (course/hub/): one clear line for each problem, and a values file
for Zero to JupyterHub that parses.

The round trip on a real hub is tests/browser/test_hub_roundtrip.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HUB = Path(__file__).resolve().parent.parent / "course" / "hub"
sys.path.insert(0, str(HUB))
import hub_setup  # noqa: E402
import users  # noqa: E402


def one_line(excinfo) -> str:
    message = str(excinfo.value)
    assert message.startswith("hub set-up: ") and "\n" not in message, message
    return message


def run_setup(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HUB / "hub_setup.py"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )


def test_missing_nodejs_says_how_to_install_it(tmp_path):
    done = run_setup("check", "--port", "8000", PATH=str(tmp_path))  # a PATH with no node
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert "nodejs is missing" in line and "apt-get install -y nodejs npm" in line, line
    done = run_setup("install", PATH=str(tmp_path))
    assert done.returncode == 1 and "nodejs is missing" in done.stderr


def test_a_port_taken_is_named_with_another_to_use(tmp_path):
    if hub_setup.shutil.which("node") is None:
        pytest.skip("nodejs is checked first and is missing here")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1] - 1  # the hub's own API port (public + 1) is taken
        done = run_setup("check", "--port", str(port))
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert f"port {port + 1} on 127.0.0.1 (hub port) is taken" in line, line
    assert f"make hub HUB_PORT={port + 10}" in line


def test_creating_users_without_root_says_to_use_sudo(monkeypatch):
    monkeypatch.setattr(users.os, "geteuid", lambda: 1000)
    with pytest.raises(SystemExit) as excinfo:
        users.add(["ana"], None, {})
    assert "creating system users needs root: run `sudo make hub-users" in one_line(excinfo)
    with pytest.raises(SystemExit) as excinfo:
        users.remove(["ana"])
    one_line(excinfo)


def test_setting_up_or_starting_the_hub_without_root_says_to_use_sudo(monkeypatch):
    monkeypatch.setattr(hub_setup.os, "geteuid", lambda: 1000)
    for doing in ("setting up the hub", "`make hub`"):
        with pytest.raises(SystemExit) as excinfo:
            hub_setup.check_root(doing)
        assert "needs root: run it with sudo" in one_line(excinfo)


@pytest.mark.parametrize("name", ["Ana", "1ana", "ana smith", "ana;rm", "", "a" * 33])
def test_a_login_name_the_system_would_refuse_is_refused_first(name):
    with pytest.raises(SystemExit) as excinfo:
        users.check_name(name)
    assert "is not a usable login name" in one_line(excinfo)


def test_the_zero_to_jupyterhub_values_file_parses():
    values = yaml.safe_load((HUB / "z2jh" / "values.yaml").read_text())
    singleuser = values["singleuser"]
    assert (
        values["hub"]["config"]["JupyterHub"]["authenticator_class"]
        == "nativeauthenticator.NativeAuthenticator"
    )
    volumes = {v["name"]: v for v in singleuser["storage"]["extraVolumes"]}
    assert volumes["nbgrader-exchange"]["persistentVolumeClaim"]["claimName"] == "nbgrader-exchange"
    mounts = {m["name"]: m["mountPath"] for m in singleuser["storage"]["extraVolumeMounts"]}
    assert mounts["nbgrader-exchange"] == "/srv/nbgrader/exchange"
    assert singleuser["cpu"]["guarantee"] <= singleuser["cpu"]["limit"]
    claim = yaml.safe_load((HUB / "z2jh" / "exchange-pvc.yaml").read_text())
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
