"""Plain values as JSON, exactly: the only things that cross between grader and learner code.

Exercise inputs, expected outputs and learner outputs are numbers, booleans, None, short
strings (a schedule's ``mode``), NumPy arrays of a numeric dtype, or lists and tuples of
those. ``encode`` turns one into JSON-ready data (floats by ``repr``, so every bit survives,
NaN and infinities included) and ``decode`` turns it back. Anything else a learner returns
(a dict, a set, an object of their own class) is encoded as ``Opaque(type name)``: only
its type's name crosses, never the object.

``decode`` trusts nothing: it accepts only the shapes ``encode`` writes, builds arrays only
of the dtypes listed in ``DTYPES`` and never calls a method of a learner's object (there is
none: a JSON document holds only dicts, lists, strings and numbers). That is what lets the
autograder read what learner code returned without running any of it.

This module imports only ``json`` and NumPy, so that the autograder can copy it into the
clean room where learner code runs and nothing else of lrcourse can be imported.
"""

from __future__ import annotations

import json
import math

import numpy as np

DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
DTYPES += ("float16", "float32", "float64", "complex64", "complex128")
MAX_ELEMENTS = 10**7
MAX_STRING = 10_000


class Opaque:
    """A returned value that is not plain data; only the name of its type is known."""

    def __init__(self, type_name: str):
        self.type_name = str(type_name)[:80]

    def __repr__(self) -> str:
        return f"<a {self.type_name} object>"

    def __eq__(self, other) -> bool:
        return isinstance(other, Opaque) and other.type_name == self.type_name

    __hash__ = None


def _number(x):
    """A Python number as JSON data; floats by repr so that every bit is kept."""
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return {"int": str(x)}
    if isinstance(x, complex):
        return {"complex": [repr(x.real), repr(x.imag)]}
    return {"float": repr(float(x))}


def encode(value):
    """JSON-ready data for ``value`` (see the module docstring)."""
    if value is None or isinstance(value, bool):
        return value
    if type(value) in (int, float, complex):
        return _number(value)
    if type(value) is str and len(value) <= MAX_STRING:
        return {"str": value}
    if isinstance(value, np.generic) and value.dtype.name in DTYPES:
        return {"scalar": value.dtype.name, "value": encode(value.item())}
    if type(value) is np.ndarray and value.dtype.name in DTYPES:
        if value.size > MAX_ELEMENTS:
            return {"opaque": f"array of {value.size} elements"}
        flat = [_number(x) for x in value.ravel().tolist()]
        return {"array": value.dtype.name, "shape": list(value.shape), "data": flat}
    if type(value) in (list, tuple):
        return {type(value).__name__: [encode(v) for v in value[:MAX_ELEMENTS]]}
    return {"opaque": type(value).__name__}


def _decode_number(data):
    if isinstance(data, bool):
        return data
    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError("not an encoded number")
    ((kind, payload),) = data.items()
    if kind == "int" and isinstance(payload, str) and len(payload) < 400:
        return int(payload)
    if kind == "float" and isinstance(payload, str):
        return float(payload)
    if kind == "complex" and isinstance(payload, list) and len(payload) == 2:
        return complex(float(payload[0]), float(payload[1]))
    raise ValueError("not an encoded number")


def decode(data):
    """The value ``encode`` wrote; ``ValueError`` for anything else."""
    if data is None or isinstance(data, bool):
        return data
    if not isinstance(data, dict):
        raise ValueError(f"unexpected {type(data).__name__} in encoded data")
    if "array" in data:
        dtype, shape, flat = data["array"], data.get("shape"), data.get("data")
        if dtype not in DTYPES or not isinstance(shape, list) or not isinstance(flat, list):
            raise ValueError("malformed array")
        if not all(isinstance(n, int) and n >= 0 for n in shape):
            raise ValueError("malformed array shape")
        if math.prod(shape) != len(flat):
            raise ValueError("array data does not match its shape")
        return np.array([_decode_number(x) for x in flat], dtype=dtype).reshape(shape)
    if "scalar" in data:
        if data["scalar"] not in DTYPES:
            raise ValueError("malformed scalar")
        return np.dtype(data["scalar"]).type(_decode_number(data["value"]))
    if "list" in data and isinstance(data["list"], list):
        return [decode(v) for v in data["list"]]
    if "tuple" in data and isinstance(data["tuple"], list):
        return tuple(decode(v) for v in data["tuple"])
    if "str" in data and isinstance(data["str"], str) and len(data["str"]) <= MAX_STRING:
        return data["str"]
    if "opaque" in data:
        return Opaque(data["opaque"])
    return _decode_number(data)


def dumps(value) -> str:
    return json.dumps(encode(value), allow_nan=False)


def loads(text: str):
    return decode(json.loads(text))
