"""The learner view (`make lab`): JupyterLab on the learner's workspace, no instructor tools.

Loaded through JUPYTER_CONFIG_PATH (highest priority), so it wins over the nbgrader.json that
`pip install nbgrader` puts in the environment, which switches every nbgrader extension on.
The server's root is the workspace (set on the command line); the contents API refuses any
path outside it, so source_notebooks/, course/ and the gradebook cannot be reached.
"""

c = get_config()  # noqa: F821 (provided by traitlets)

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    # No exchange on a learner's own machine: nothing to list, fetch or submit.
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.validate_assignment": True,
}
# A terminal would open on the whole machine; the course needs none.
c.ServerApp.terminals_enabled = False
# Dot files (the workspace's own record, checkpoints) stay out of the file browser and API.
c.ContentsManager.allow_hidden = False
