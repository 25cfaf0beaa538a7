"""nbgrader's exchange as a learner on the class hub sees it (fetch, submit, fetch feedback).

course/hub/jupyterhub_config.py passes the exchange's path in LRCOURSE_EXCHANGE.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets)

c.CourseDirectory.course_id = "lrcourse"
c.Exchange.root = os.environ.get("LRCOURSE_EXCHANGE", "/srv/nbgrader/exchange")
