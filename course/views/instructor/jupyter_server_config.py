"""The instructor view (`make instructor`, and the instructor's server on the class hub):
JupyterLab on the course root with every nbgrader extension on: Formgrader, Create
Assignment, the course list, the assignment list and Validate.

The root must hold course/ (Formgrader needs the course root inside the server root).
"""

c = get_config()  # noqa: F821 (provided by traitlets)

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": True,
    "nbgrader.server_extensions.course_list": True,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
}
