"""The clean room's own program: runs a submission's answer cells and calls its functions.

It runs sandboxed, where only the standard library and NumPy (and SciPy) can be imported, in a
folder that holds this file, ``request.json`` and the package ``answer_runtime`` (copies of
lrcourse's ``answer_calls``, ``time_limit`` and ``plain_values``). It writes one JSON line per
event to ``results.jsonl``: ``{"cell": i}`` before cell ``i`` runs, ``{"cell_error": [i, text]}``
when it raised, ``{"ready": true}`` after the cells, ``{"call": k, "outcome": {...}}`` per call.
The parent (``clean_room.py``) decides what the outcomes are worth; nothing written here can
change a score except by being the right value.
"""

import builtins
import json
import os
import sys


class _NoIPython:
    """``get_ipython()`` for answer cells that use a magic: every magic does nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def main(folder: str) -> None:
    sys.path.insert(0, folder)
    from answer_runtime.answer_calls import MISSING, Outcome, call_answer
    from answer_runtime.plain_values import decode, encode
    from answer_runtime.time_limit import AnswerTimeout, call_with_time_limit

    with open(os.path.join(folder, "request.json"), encoding="utf-8") as f:
        request = json.load(f)
    sys.path.remove(folder)
    results = open(os.path.join(folder, "results.jsonl"), "a", encoding="utf-8")  # noqa: SIM115
    results_fd = results.fileno()

    def emit(record) -> None:
        os.write(results_fd, (json.dumps(record, allow_nan=False) + "\n").encode())

    # Learner output goes nowhere; the results file descriptor stays ours.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    namespace = {
        "__name__": "__main__",
        "__builtins__": builtins,
        "get_ipython": _NoIPython,
        "display": lambda *args, **kwargs: None,
    }
    exec(compile(request["preamble"], "<imports>", "exec"), namespace)
    for index, source in request["cells"]:
        emit({"cell": index})
        try:
            code = compile(source, f"<answer cell {index}>", "exec")
            call_with_time_limit(request["cell_time_limit_s"], exec, code, namespace)
        except AnswerTimeout:
            emit(
                {
                    "cell_error": [
                        index,
                        f"the cell ran longer than {request['cell_time_limit_s']} s",
                    ]
                }
            )
        except BaseException as error:  # noqa: BLE001 (a learner's cell may raise anything)
            emit({"cell_error": [index, f"{type(error).__name__}: {error}"[:500]]})
    emit({"ready": True})
    # a function's first timeout (or a missing or unwritten function) decides its verdict:
    # its remaining cases are not run, so an endless answer costs one time limit, not one a case
    decided = {}
    for call in request["calls"]:
        func = namespace.get(call["function"])
        if call["function"] in decided:
            outcome = decided[call["function"]]
        elif func is None:
            outcome = {"failure": MISSING, "detail": "its cell defines no such function"}
        else:
            args = tuple(decode(call["args"]))
            result = call_answer(func, args, call["parameters"], call["time_limit_s"])
            outcome = {"failure": result.failure, "detail": result.detail}
            if result.failure in (None, "mutated"):
                try:
                    outcome["value"] = encode(result.value)
                except Exception as error:  # noqa: BLE001 (a value whose methods raise)
                    outcome = {"failure": "raised", "detail": f"its return value: {error}"[:500]}
        if Outcome(failure=outcome["failure"]).fatal:
            decided[call["function"]] = outcome
        emit({"call": call["index"], "outcome": outcome})


if __name__ == "__main__":
    main(os.path.dirname(os.path.abspath(__file__)))
