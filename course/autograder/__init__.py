"""The course's grading machinery, for instructors only (not installed with lrcourse).

nbgrader loads it through ``course/nbgrader_config.py``, which puts ``course/`` on
``sys.path``. The answer keys it uses are in ``course/graders/<assignment>/<exercise>.py``.
"""
