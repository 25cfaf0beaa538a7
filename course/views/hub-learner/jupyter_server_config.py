"""The learner view on the class hub (course/hub/): the learner view plus nbgrader's exchange.

The same as course/views/learner/, except that the assignment list (fetch, submit, fetch
feedback) is on: the exchange is configured in nbgrader_config.py beside this file. The
server's root is the learner's home directory (set by course/hub/jupyterhub_config.py).
"""

c = get_config()  # noqa: F821 (provided by traitlets)

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
}
c.ServerApp.terminals_enabled = False
c.ContentsManager.allow_hidden = False
