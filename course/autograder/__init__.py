"""Instructor-only grading machinery of the lrcourse course (never installed, never released).

``course/nbgrader_config.py`` puts ``course/`` on ``sys.path`` so that nbgrader can load the
preprocessors defined here; see GRADING_DESIGN.md for how the modules fit together.

- ``sandbox``: every learner process (notebook kernels, clean-room children) runs in a
  bubblewrap sandbox: a private working folder, the interpreter read-only, no network, an
  unprivileged uid, resource limits.
"""
