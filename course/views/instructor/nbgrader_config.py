"""The instructor view's nbgrader configuration: the course's own, plus the exchange on the hub.

Formgrader reads nbgrader_config.py from the server's working directory and the Jupyter
config path. `make instructor` starts the server in course/; on the hub the server starts
in the instructor's home, so this file, on the config path, loads course/nbgrader_config.py
of the course root named by LRCOURSE_ROOT (default: this repository).
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets)

_here = os.path.dirname(os.path.abspath(__file__))
_root = os.environ.get("LRCOURSE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(_here))))
load_subconfig(os.path.join(_root, "course", "nbgrader_config.py"))  # noqa: F821

if os.environ.get("LRCOURSE_EXCHANGE"):
    c.Exchange.root = os.environ["LRCOURSE_EXCHANGE"]
