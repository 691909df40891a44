"""What a transform's argument stands for, as a Python function s2sad reads.

`grad(f)` and the other transforms take more than `def` functions: an object
with a rule in the table (`np.sin`, a function given rules with
`s2sad.defvjp` or `@custom_vjp`) stands for a one-line function that calls
it, written out here with a source of its own so the pipeline can read it
like any other (`s2sad show` prints it).
"""

from __future__ import annotations

import inspect
import itertools
import linecache
import math
import types
from typing import Any

import numpy as np

from . import primitives
from .parsing import unwrap

_MADE: dict[int, tuple[Any, types.FunctionType]] = {}  # id(object) -> (object, its function)
_COUNTER = itertools.count()


def as_function(f: Any) -> types.FunctionType:
    """The Python function to transform for `f`."""
    if primitives.for_object(f) is not None:
        return calling_function(f)
    return unwrap(f)


def calling_function(obj: Any) -> types.FunctionType:
    """`def sin(x): return sin_(x)` for an object with a rule, made once per
    object: its parameters are the rule's positional ones, so `grad` and
    `jvp` see the same arguments the object takes."""
    made = _MADE.get(id(obj))
    if made is not None and made[0] is obj:
        return made[1]
    params = _parameters(obj)
    prim = primitives.for_object(obj)
    namespace: dict[str, Any] = {"np": np, "math": math}
    if prim.name in primitives.USER_RULED:  # `def f(x): return clipped_log(x)`
        callee = _identifier(getattr(obj, "__name__", "function"))
        namespace[callee], name = obj, "f"
    else:  # `def sin(x): return np.sin(x)`
        callee, name = prim.name, _identifier(prim.name.rsplit(".", 1)[-1])
    source = (f"def {name}({', '.join(params)}):\n"
              f"    return {callee}({', '.join(params)})\n")
    filename = f"<s2sad: {callee} #{next(_COUNTER)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 (our own one-liner)
    fn = namespace[name]
    _MADE[id(obj)] = (obj, fn)
    return fn


def _identifier(text: str) -> str:
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in text) or "function"
    return name if not name[0].isdigit() else "_" + name


def _parameters(obj: Any) -> list[str]:
    """The positional parameters a wrapper passes on (those without defaults:
    NumPy's `x` of `np.sin(x, /, out=None, ...)`)."""
    prim = primitives.for_object(obj)
    try:
        signature = inspect.signature(obj)
        names = [p.name for p in signature.parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                 and p.default is p.empty]
    except (TypeError, ValueError):
        names = [p for p in prim.params if prim.kinds[p] in ("posonly", "normal")
                 and p not in prim.defaults]
    return names or ["x"]
