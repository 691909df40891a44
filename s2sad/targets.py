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

_MADE: dict[tuple, tuple[Any, types.FunctionType]] = {}  # (id(object), shape) -> (object, fn)
_COUNTER = itertools.count()

Shape = tuple[int, tuple[str, ...]]  # a call's number of positional arguments and keywords


def as_function(f: Any) -> types.FunctionType:
    """The Python function to transform for `f`."""
    if primitives.for_object(f) is not None:
        return calling_function(f)
    return unwrap(f)


def calling_function(obj: Any, shape: Shape | None = None) -> types.FunctionType:
    """`def sin(x): return sin_(x)` for an object with a rule, made once per
    object (and call shape): its parameters are the rule's positional ones
    without defaults, so `grad` and `jvp` see the arguments the object takes;
    or, for a call with `shape`, exactly the arguments that call passes."""
    made = _MADE.get((id(obj), shape))
    if made is not None and made[0] is obj:
        return made[1]
    prim = primitives.for_object(obj)
    namespace: dict[str, Any] = {"np": np, "math": math}
    if prim.name in primitives.USER_RULED:  # `def f(x): return clipped_log(x)`
        callee = _identifier(getattr(obj, "__name__", "function"))
        namespace[callee], name = obj, "f"
    elif prim.name.split(".")[0] not in namespace:  # (SciPy's: the object itself, by name)
        name = _identifier(prim.name.rsplit(".", 1)[-1])
        callee = _identifier(prim.name)
        namespace[callee] = obj
    else:  # `def sin(x): return np.sin(x)`
        callee, name = prim.name, _identifier(prim.name.rsplit(".", 1)[-1])
    if name == callee.split(".")[0]:  # (`def max(...): return max(...)` would call itself)
        name += "_"
    params = _parameters(obj) if shape is None else _shaped(prim, shape)
    fn = _one_liner(name, params, callee, namespace, shape)
    _MADE[(id(obj), shape)] = (obj, fn)
    return fn


def method_function(method: str, shape: Shape) -> types.FunctionType | None:
    """`def sum(a, *, axis): return a.sum(axis=axis)` for an array's method
    with a rule (a bound method like `x.sum` met as a value)."""
    prim = primitives.lookup("." + method)
    if prim is None or prim.form != "method" or not takes_call(prim, shape[0] + 1, shape[1]):
        return None  # (more arguments than it takes: Python's own call raises its TypeError)
    key = ("." + method, shape)
    made = _MADE.get(key)
    if made is not None:
        return made[1]
    nargs, kwnames = shape
    params = _shaped(prim, (nargs + 1, kwnames))
    head, *rest = params
    fn = _one_liner(_identifier(method), params, f"{head}.{method}", {}, (nargs, kwnames),
                    skip=1)
    _MADE[key] = (None, fn)
    return fn


def _one_liner(name: str, params: list[str], callee: str, namespace: dict,
               shape: Shape | None, skip: int = 0) -> types.FunctionType:
    """Compile `def name(params): return callee(params)` with a source of its own."""
    kwnames = shape[1] if shape is not None else ()
    positional = [p for p in params if p not in kwnames]
    signature = ", ".join(positional + (["*", *kwnames] if kwnames else []))
    passed = ", ".join(positional[skip:] + [f"{k}={k}" for k in kwnames])
    source = f"def {name}({signature}):\n    return {callee}({passed})\n"
    filename = f"<s2sad: {callee} #{next(_COUNTER)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 (our own one-liner)
    return namespace[name]


def rule_origin(fn: types.FunctionType) -> tuple[str, types.CodeType] | None:
    """For a one-liner made here for a function with rules of the user's
    (`@custom_jvp`): that function's name and code, where an error about
    the one-liner should point; None for any other function."""
    for obj, made in _MADE.values():
        if made is fn and obj is not None:
            fun = getattr(obj, "fun", None)
            code = getattr(fun, "__code__", None)
            return (getattr(obj, "__name__", fn.__name__), code) if code is not None else None
    return None


def takes_call(prim: primitives.Primitive, count: int, kwnames: tuple = ()) -> bool:
    """Does the entry take a call of `count` positional arguments and the
    keywords `kwnames`? (A wrapper for a call it does not take would call
    itself again through the dispatcher, without end: Python's own call
    raises its TypeError instead.)"""
    positional = [p for p in prim.params if prim.kinds[p] in ("posonly", "normal")]
    if prim.varargs is None and count > len(positional):
        return False
    given = set(positional[:count])
    named = [p for p in prim.params if prim.kinds[p] != "posonly"]
    if any(k in given or (k not in named and "varkw" not in prim.kinds.values())
           for k in kwnames):
        return False
    required = [p for p in prim.params if prim.kinds[p] in ("posonly", "normal", "kwonly")
                and p not in prim.defaults]
    return all(p in given or p in kwnames for p in required)


def _shaped(prim: primitives.Primitive, shape: Shape) -> list[str]:
    """Parameter names for a call with `shape`: the rule's positional ones,
    then numbered ones for what goes into its *args, then the keywords."""
    nargs, kwnames = shape
    positional = [p for p in prim.params if prim.kinds[p] in ("posonly", "normal")]
    names = positional[:nargs]
    extra = prim.varargs or "arg"
    names += [f"{extra}{k}" for k in range(nargs - len(names))]
    names = [n if n not in kwnames else n + "_" for n in names]
    return [*names, *kwnames]


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
