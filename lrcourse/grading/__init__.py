"""Autograding for the course notebooks: check cells, locked test cells, hints.

Layout (one module a concern; nothing here imports torch, keras or TensorFlow):

- ``task``: ``Task`` (one exercise: reference, visible cases, random hidden cases, known
  mistakes), its ``check`` / ``test_visible`` / ``test_hidden`` entry points, and ``Case``,
  ``Mistake``, ``AnswerRejected``.
- ``comparison``: what is wrong with a returned value (None, shape, NaN, wrong value).
- ``delegation``: answers that call a reference implementation or a framework optimizer.
- ``time_limit``: a per-call time limit (SIGALRM) so an endless loop costs one task.
- ``formatting``: short renderings of inputs and outputs for messages.
- ``aNN_<assignment>``: one module per assignment with its references and ``TASKS``
  (``a01_learning_rate`` for ``source_notebooks/01_learning_rate``).
"""
