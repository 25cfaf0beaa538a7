"""A per-call time limit for learner code, so one endless loop costs one task, not the notebook.

The limit uses ``SIGALRM`` (a real-time interval timer), which interrupts pure-Python loops
between two bytecodes. After the first alarm the timer keeps firing every
``REPEAT_S`` seconds until the call unwinds, so a learner's ``except:`` that swallows the
first interruption does not keep the loop alive. ``AnswerTimeout`` derives from
``BaseException`` so that ``except Exception`` in learner code does not catch it either.

Where ``SIGALRM`` cannot be used (Windows, or a call from a thread other than the main one)
the function runs without a limit; nbgrader's per-cell timeout (see
``course/nbgrader_config.py``) is then the backstop.
"""

from __future__ import annotations

import signal
import threading

REPEAT_S = 0.25


class AnswerTimeout(BaseException):
    """Raised inside learner code that ran past its time limit."""


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _raise_timeout(signum, frame):
    raise AnswerTimeout()


def call_with_time_limit(seconds: float, func, /, *args, **kwargs):
    """Return ``func(*args, **kwargs)``, or raise ``AnswerTimeout`` after ``seconds``."""
    if not _can_use_alarm():
        return func(*args, **kwargs)
    previous_handler = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_S)
    try:
        return func(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0, 0.0)
        signal.signal(signal.SIGALRM, previous_handler)
