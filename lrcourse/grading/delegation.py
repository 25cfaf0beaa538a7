"""Detect answers that hand the work to a reference implementation or a framework.

An exercise asks the learner to write an update rule or a schedule themselves; an answer
that calls ``lrcourse.optim`` (or the grader's own references, or ``torch.optim``,
``keras.optimizers``, ...) scores 0 for that task. Two layers:

- ``static_findings(func)`` reads the function's byte code (and that of functions nested in
  it) for names that lead to a forbidden module: a global or closure alias, an attribute
  chain such as ``lrcourse.optim.SGD``, an ``import`` inside the function, a module name in
  a string (``__import__("torch.optim")``, ``importlib.import_module(...)``). It gives a
  friendly early message; it is not the authority.
- ``call_watched(func, ...)`` runs the call under ``sys.setprofile`` (and
  ``threading.setprofile`` for threads it starts) and records every Python-level call whose
  code lives in a forbidden module, judged both by the frame's module name and by the code's
  file. Whatever alias or import trick led there, the call itself is seen. Switching the
  profiler off from inside the answer is reported as well.

Module-level code (``<module>`` frames, i.e. imports) is not counted: importing ``torch``
runs ``torch.optim``'s module code without using an optimizer.
"""

from __future__ import annotations

import builtins
import dis
import functools
import importlib.util
import inspect
import os
import sys
import threading
import types

REFERENCE_MODULES = (
    "lrcourse.optim",
    "lrcourse.schedules",
    "lrcourse.callbacks",
    "lrcourse.lr_finder",
    "lrcourse.grading",
)
FRAMEWORK_MODULES = (
    "torch.optim",
    "keras.optimizers",
    "keras.callbacks",
    "keras.src.optimizers",
    "keras.src.callbacks",
    "keras.api.optimizers",
    "keras.api.callbacks",
    "keras.api._tf_keras.keras.optimizers",
    "keras.api._tf_keras.keras.callbacks",
    "tensorflow.keras.optimizers",
    "tensorflow.keras.callbacks",
    "tensorflow.python.keras",
    "tensorflow.python.training",
    "tensorflow.python.ops.gen_training_ops",
    "tf_keras",
)
# The grader's own code around and inside a watched call (this watch, the time-limit handler):
# neither forbidden itself nor counted as forbidden code calling the reference.
MACHINERY_MODULES = ("lrcourse.grading.delegation", "lrcourse.grading.time_limit")

_AREA_NAMES = {
    "reference": "a reference implementation of this course",
    "framework": "a framework optimizer, scheduler or callback",
}
_MISSING = object()


class DelegationFound(Exception):
    """The answer calls (or names) a reference implementation or a framework optimizer."""

    def __init__(self, uses: list[str]):
        self.uses = uses
        super().__init__("; ".join(uses))


def _within(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def forbidden_area(module_name: str | None) -> str | None:
    """'reference' or 'framework' when ``module_name`` lies in a forbidden module, else None."""
    if not module_name or _within(module_name, MACHINERY_MODULES):
        return None
    if _within(module_name, REFERENCE_MODULES):
        return "reference"
    if _within(module_name, FRAMEWORK_MODULES):
        return "framework"
    return None


def describe_use(name: str, area: str) -> str:
    return f"{name} ({_AREA_NAMES[area]})"


# -- where the forbidden modules live on disk (catches code objects copied out of them) ---
def _package_dir(top: str) -> str | None:
    module = sys.modules.get(top)
    locations = getattr(module, "__path__", None)
    if locations is None:
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            return None
        locations = spec.submodule_search_locations if spec else None
    return os.path.realpath(list(locations)[0]) if locations else None


@functools.lru_cache(maxsize=1)
def _forbidden_paths() -> tuple[tuple[str, str], ...]:
    paths = []
    for area, prefixes in (("reference", REFERENCE_MODULES), ("framework", FRAMEWORK_MODULES)):
        for dotted in prefixes:
            top, *rest = dotted.split(".")
            root = _package_dir(top)
            if root:
                paths.append((os.path.join(root, *rest), area))
    return tuple(paths)


@functools.lru_cache(maxsize=1)
def _machinery_paths() -> tuple[str, ...]:
    root = _package_dir("lrcourse")
    return tuple(os.path.join(root, *m.split(".")[1:]) + ".py" for m in MACHINERY_MODULES)


def _area_of_file(filename: str) -> str | None:
    path = os.path.realpath(filename)
    if path in _machinery_paths():
        return None
    for prefix, area in _forbidden_paths():
        if path == prefix or path.startswith(prefix + os.sep) or path == prefix + ".py":
            return area
    return None


# -- runtime: watch every call ------------------------------------------------------------
def _judge_code(code: types.CodeType, module_name: str | None) -> str | None:
    if code.co_name == "<module>":
        return None
    area = forbidden_area(module_name) or _area_of_file(code.co_filename)
    if area is None:
        return None
    return describe_use(f"{module_name or code.co_filename}.{code.co_qualname}", area)


def call_watched(func, args=(), kwargs=None):
    """Call ``func`` and raise ``DelegationFound`` if it reached forbidden code."""
    uses: list[str] = []
    verdicts: dict = {}

    def judge(frame) -> str | None:
        key = (frame.f_code, frame.f_globals.get("__name__"))
        if key not in verdicts:
            verdicts[key] = _judge_code(*key)
        return verdicts[key]

    def watch(frame, event, arg):
        if event == "call":
            # only entry points: a forbidden function called from code that is not forbidden
            use = judge(frame)
            if use and frame.f_back is not None and judge(frame.f_back):
                return
        elif event == "c_call":
            module_name = getattr(arg, "__module__", None)
            area = forbidden_area(module_name if isinstance(module_name, str) else None)
            use = area and describe_use(f"{module_name}.{getattr(arg, '__qualname__', arg)}", area)
        else:
            return
        if use and use not in uses:
            uses.append(use)

    previous, previous_threads = sys.getprofile(), threading.getprofile()
    threading.setprofile(watch)
    sys.setprofile(watch)
    try:
        result = func(*args, **(kwargs or {}))
    finally:
        tampered = sys.getprofile() is not watch
        sys.setprofile(previous)
        threading.setprofile(previous_threads)
    if tampered:
        uses.append("sys.setprofile (it switched off the grader's watch on the calls it makes)")
    if uses:
        raise DelegationFound(uses)
    return result


# -- static: read the byte code -------------------------------------------------------------
def _qualified_name(obj) -> str | None:
    """Where an object was defined: ``module.QualName`` (a module's own name for a module)."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    if isinstance(obj, functools.partial):
        obj = obj.func
    if not isinstance(obj, type | types.FunctionType | types.BuiltinFunctionType):
        obj = type(obj)
    module_name = getattr(obj, "__module__", None)
    if not isinstance(module_name, str):
        return None
    return f"{module_name}.{getattr(obj, '__qualname__', '')}".rstrip(".")


def _attribute(obj, name: str):
    """``obj.name`` without running user code or importing anything."""
    if isinstance(obj, types.ModuleType):
        sub = sys.modules.get(f"{obj.__name__}.{name}")
        return sub if sub is not None else vars(obj).get(name, _MISSING)
    try:
        return inspect.getattr_static(obj, name)
    except AttributeError:
        return _MISSING


def _code_objects(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _head(op: str, name: str, namespace: dict, local_modules: dict):
    """The start of an attribute chain: (dotted text, object or _MISSING), or None."""
    if name in local_modules:
        return local_modules[name], _MISSING
    obj = _MISSING if op == "LOAD_FAST" else namespace.get(name, _MISSING)
    if obj is _MISSING:
        return None
    return (obj.__name__ if isinstance(obj, types.ModuleType) else name), obj


def _step(chain, attr: str):
    text, obj = chain
    obj = _attribute(obj, attr) if obj is not _MISSING else _MISSING
    return (obj.__name__ if isinstance(obj, types.ModuleType) else f"{text}.{attr}"), obj


_LOADS = ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF", "LOAD_FAST", "LOAD_CLASSDEREF")
_STORES = ("STORE_FAST", "STORE_NAME", "STORE_DEREF", "STORE_GLOBAL")


def _dotted_names(code: types.CodeType, namespace: dict):
    """Yield (dotted text, object or _MISSING) for every name and attribute chain the code uses.

    Names bound by an ``import`` inside the code are followed as module names.
    """
    local_modules: dict[str, str] = {}
    chain = None
    last_const = imported = binding = None
    for ins in dis.get_instructions(code):
        op, val = ins.opname, ins.argval
        if op == "LOAD_CONST":
            last_const = val
            if isinstance(val, str) and val.replace(".", "").replace("_", "").isalnum():
                yield val, _MISSING
        elif op == "IMPORT_NAME":
            imported, binding = val, val.split(".")[0]
            yield val, _MISSING
            for item in last_const if isinstance(last_const, tuple) else ():
                yield f"{val}.{item}", _MISSING
        elif op == "IMPORT_FROM":
            binding = f"{imported}.{val}"
            yield binding, _MISSING
        elif op in _STORES and binding:
            local_modules[val], binding = binding, None
        if op in _LOADS:
            chain = _head(op, val, namespace, local_modules)
        elif op in ("LOAD_ATTR", "LOAD_METHOD") and chain:
            chain = _step(chain, val)
        else:
            chain = None
            continue
        if chain:
            yield chain


def static_findings(func) -> list[str]:
    """Describe every forbidden module the function (or what it names) leads to."""
    found: list[str] = []

    def note(dotted: str | None, obj=_MISSING):
        name = dotted if forbidden_area(dotted) or obj is _MISSING else _qualified_name(obj)
        if forbidden_area(name) and name not in found:
            found.append(name)

    note(_qualified_name(func))
    target = func.__func__ if isinstance(func, types.MethodType) else func
    code = getattr(target, "__code__", None)
    if not isinstance(code, types.CodeType):
        return [describe_use(n, forbidden_area(n)) for n in found]
    namespace = {**vars(builtins), **getattr(target, "__globals__", {})}
    closure = getattr(target, "__closure__", None) or ()
    for name, cell in zip(code.co_freevars, closure, strict=True):
        try:
            namespace[name] = cell.cell_contents
        except ValueError:  # an empty cell
            continue
    for each in _code_objects(code):
        for dotted, obj in _dotted_names(each, namespace):
            note(dotted, obj)
    # keep the most specific names: "torch.optim.SGD" rather than also "torch.optim"
    specific = [n for n in found if not any(o.startswith(n + ".") for o in found)]
    return [describe_use(n, forbidden_area(n)) for n in specific]
