"""JupyterHub for a class on one machine (``make hub``, as root, after ``make hub-setup``).

- On 127.0.0.1 only: the public port LRCOURSE_HUB_PORT (8000), the hub's API on the next
  port and the proxy's API on the one after (configurable-http-proxy, from npm).
- PAM: users log in with their system password (course/hub/users.py creates them). Only the
  groups lrcourse-students and lrcourse-instructors get in; instructors are the hub's admins.
- Each user's server runs as that user (LocalProcessSpawner):
  - a student gets the learner view (course/views/hub-learner/): their home folder as the
    root, nbgrader's assignment list (fetch, submit, fetch feedback) and Validate, no
    Formgrader, no Create Assignment, no course list; it opens on the Assignments tab's page;
  - an instructor gets the instructor view (course/views/instructor/) on the course root,
    with Formgrader and Create Assignment.
- nbgrader's exchange: LRCOURSE_EXCHANGE (/srv/nbgrader/exchange).

Paths come from the environment, as in hub_setup.py: LRCOURSE_HUB_STATE, LRCOURSE_EXCHANGE,
LRCOURSE_ROOT.
"""

import grp
import os
import pwd
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hub_setup import (  # noqa: E402
    INSTRUCTORS_GROUP,
    PROXY,
    STUDENTS_GROUP,
    course_root,
    exchange_dir,
    ports,
    singleuser_python,
    state_dir,
)

c = get_config()  # noqa: F821 (provided by traitlets)

PORTS = ports(int(os.environ.get("LRCOURSE_HUB_PORT", "8000")))
STATE = state_dir()
PYTHON = singleuser_python()  # .venv's, or the bridge to it (hub_setup.py)

c.JupyterHub.bind_url = f"http://127.0.0.1:{PORTS['public']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{PORTS['hub']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORTS['proxy API']}"
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True

c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {STUDENTS_GROUP, INSTRUCTORS_GROUP}
c.PAMAuthenticator.admin_groups = {INSTRUCTORS_GROUP}

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(PYTHON), "-m", "jupyterhub.singleuser"]
c.Spawner.start_timeout = 180  # a loaded two-core machine starting several servers at once
c.Spawner.http_timeout = 180


def is_instructor(name: str) -> bool:
    try:
        return name in grp.getgrnam(INSTRUCTORS_GROUP).gr_mem
    except KeyError:
        return False


def pre_spawn_hook(spawner):
    """The learner view for a student, the instructor view for an instructor."""
    name = spawner.user.name
    instructor = is_instructor(name)
    view = STATE / "views" / ("instructor" if instructor else "hub-learner")
    home = pwd.getpwnam(name).pw_dir
    spawner.environment.update(
        {
            # the view wins over the environment's config (which switches all of nbgrader on)
            "JUPYTER_CONFIG_PATH": str(view),
            "PATH": os.pathsep.join([str(PYTHON.parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            "JUPYTERLAB_SETTINGS_DIR": os.path.join(home, ".jupyter", "lab", "user-settings"),
            "JUPYTERLAB_WORKSPACES_DIR": os.path.join(home, ".jupyter", "lab", "workspaces"),
            "LRCOURSE_EXCHANGE": str(exchange_dir()),
            "LRCOURSE_ROOT": str(course_root()),
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
    )
    spawner.notebook_dir = str(course_root()) if instructor else home
    spawner.default_url = "/lab" if instructor else "/tree"


c.Spawner.pre_spawn_hook = pre_spawn_hook
