"""The learner's side of grading: check cells, and the pieces the autograder's clean room shares.

Nothing here computes an exercise's answer: the answer keys live with the instructor in
``course/graders/`` and the autograder in ``course/autograder/``, neither installed with
lrcourse. Layout (one module a concern; nothing here imports torch, Keras or TensorFlow):

- ``checks``: ``load_checks(assignment)``, the check cells' data released as ``checks.json``
  next to each notebook; ``grader.STEP_DECAY.check(f)`` / ``.test_visible(f)`` (advice).
- ``verdict``: from what a function did on each case to a verdict and a hint; the check cell
  and the autograder use it alike.
- ``answer_calls``: one safe call of a learner's function (copies, time limit, warnings off),
  recorded as an ``Outcome``.
- ``plain_values``: inputs and outputs as exact JSON (numbers, arrays, ...), nothing else.
- ``comparison``: what is wrong with a returned value (None, shape, NaN, wrong value).
- ``time_limit``: a per-call time limit (SIGALRM) so an endless loop costs one task.
- ``formatting``: short renderings of inputs and outputs for messages.

``answer_calls``, ``time_limit`` and ``plain_values`` import only the standard library and
NumPy: the autograder copies them into the clean room, where nothing else of lrcourse exists.
"""
