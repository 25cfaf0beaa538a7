"""Instructor-only grading machinery of the lrcourse course (never installed, never released).

``course/nbgrader_config.py`` puts ``course/`` on ``sys.path`` so that nbgrader can load the
preprocessors defined here. The autograde chain: ``sandbox.SandboxedExecute`` runs the notebook,
``verdicts.CleanRoomVerdicts`` decides the autograded scores, nbgrader saves them.

- ``sandbox``: every learner process (notebook kernels, clean-room children) runs in a
  bubblewrap sandbox: a private working folder, the interpreter read-only, no network, an
  unprivileged uid, resource limits.
- ``clean_room`` (+ ``clean_room_child``): a submission's answer cells run where only NumPy
  can be imported; plain values come back (``lrcourse.grading.plain_values``).
- ``verdicts``: the nbgrader preprocessor; grade cells restored from ``source_notebooks/``.
- ``answer_key``, ``exercise``, ``draws``: the answer keys of ``course/graders/``.
- ``parallel``: ``make grade``: a class graded in parallel (one nbgrader worker per submission,
  each with its own gradebook copy, merged serially) and incrementally.
- ``check_data``: what ``make release`` writes next to each released notebook (checks.json).
"""
