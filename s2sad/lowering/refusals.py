"""Calls that write where s2sad does not follow: refused while lowering.

A call whose result nothing reads is dropped with whatever it wrote, so a
write into an existing array (`out=`, `np.copyto`, SciPy's `overwrite_a=`)
must be refused where the call is lowered, not where a rule meets it; so are
`eval`, `exec` and `locals()`, which run code or read names s2sad does not
see. The checks read the call's arguments twice: as written (the gast node:
`np.sum(x, *(0, None, o))`) and as lowered (`kw = {"out": y}; np.exp(x,
**kw)`, whose dict was made here)."""

from __future__ import annotations

import builtins
import functools
import inspect
import types
from typing import Any

import gast
import numpy as np

from .. import primitives
from ..ir import Const
from ..runtime.functions import writes_in_place
from .arguments import _packed
from .base import LowererBase
from .consumption import is_users_function


class Refusals(LowererBase):
    """The checks of a call's writes and reflection (see the module's doc)."""

    def refuse_out(self, fn: Any, name: str, node: gast.Call, args: list, kwargs: dict) -> None:
        """A library function's `out` given by the arguments as lowered: from
        a dict or tuple made here (`kw = {"out": y}; np.exp(x, **kw)`), or
        maybe, by `*seq` or `**mapping` whose items are not known here. Such
        a call writes into y, which s2sad does not follow, and a call whose
        result nothing reads would be dropped with its write."""
        fn = _ufunc_called(fn)
        if isinstance(fn, np.ufunc):
            self.refuse_out_given(name, node, args, kwargs, fn.nin)
            return
        params = _parameters(fn) if _from_library(fn) else None
        if params and any(p.name == "out" for p in params):
            positional = _positional_names(params)  # (np.einsum's out: by keyword only)
            at = positional.index("out") if "out" in positional else None
            self.refuse_out_given(name, node, args, kwargs, at)

    def refuse_out_given(self, name: str, node: gast.Call, args: list, kwargs: dict,
                         at: int | None) -> None:
        """Refuse a call whose lowered arguments give `out` (the `at`-th
        positional parameter, or by name), or may (packed ones)."""
        if _packed(kwargs):  # (unpacked items not known here: `**options`, `*arrays`)
            mapping = any(k.arg is None for k in node.keywords)
            sequence = at is not None and any(isinstance(a, gast.Starred) for a in node.args)
            if mapping or sequence:
                raise self.error(_UNPACKED_OUT.format(name=name).replace(" give ", " may give "),
                                 node, _UNPACKED_HINT)
            return
        given = [kwargs.get("out"), *(args[at:at + 1] if at is not None else ())]
        if any(v is not None and not (isinstance(v, Const) and v.value is None) for v in given):
            raise self.error("out= writes into an existing array, which s2sad does not "
                             "follow", node, "assign the result instead: y = np.f(...)")

    def refuse_reflection(self, fn: Any, name: str, node: gast.Call, args: list) -> None:
        """eval, exec and locals() run code or read names s2sad does not see:
        a derivative through them would be lost (zero), and the generated
        code's locals are not the function's."""
        try:
            reflective = fn in (builtins.eval, builtins.exec, builtins.locals) or \
                (fn is builtins.vars and not args)
        except TypeError:  # (an unhashable callable)
            return
        if reflective:
            raise self.error(f"{name}() runs code or reads local names that s2sad does not "
                             "see, so no derivative would flow through it", node,
                             "write the expression as code in the function (a helper "
                             "function or a dict of functions can choose what runs)")

    def refuse_writes(self, fn: Any, name: str, node: gast.Call) -> None:
        if _unpacks_into_out(fn, node):
            raise self.error(_UNPACKED_OUT.format(name=name), node, _UNPACKED_HINT)
        if _writes_an_argument(fn, node.args, node.keywords):
            raise self.error(f"{name} writes into an existing array, which s2sad does not "
                             "follow", node, "compute the new array and assign it "
                             "(np.where(mask, v, a), a.copy() then a[index] = v)")


LIBRARY_MODULES = ("numpy", "scipy", "math")


_UNPACKED_OUT = ("the arguments unpacked into {name} give its out=, which writes into an "
                 "existing array, which s2sad does not follow")


_UNPACKED_HINT = "leave out= out and assign the result instead: y = np.f(...)"


def _method_out_given(node: gast.Call) -> str | None:
    """`x.sum(0, None, o)`: a method of NumPy's arrays (by its name) given its
    `out` positionally, not as None ("given"), or maybe given ("unpacked":
    `x.sum(*args)`, `x.sum(**options)`); else None. (Checked when lowered: a
    call whose result nothing reads would be dropped unchecked.)"""
    if not isinstance(node.func, gast.Attribute):
        return None
    params = _array_method_parameters(node.func.attr)
    if "out" not in params:
        return None
    if _unpacked_reaches(node, params.index("out")):
        return "unpacked"
    at = params.index("out")
    return "given" if at < len(node.args) and not _is_none(node.args[at]) else None


def _unpacked_reaches(node: gast.Call, at: int) -> bool:
    """Do the call's unpacked arguments, where their number is seen (a tuple or
    list display, a dict display's keys), fill the parameter `out`, at
    position `at`? (A name unpacked is not followed: `np.add(*pair)`.)"""
    count = 0
    for a in node.args:
        if isinstance(a, gast.Starred) and isinstance(a.value, (gast.Tuple, gast.List)):
            count += len(a.value.elts)
        elif isinstance(a, gast.Starred):
            return False
        else:
            count += 1
        if count > at and isinstance(a, gast.Starred):
            return True
    return _out_in_unpacked_dict(node)


def _out_in_unpacked_dict(node: gast.Call) -> bool:
    """`f(x, **{"out": o})`: a dict display unpacked into the call gives `out`."""
    return any(k.arg is None and isinstance(k.value, gast.Dict) and
               any(isinstance(key, gast.Constant) and key.value == "out" for key in k.value.keys)
               for k in node.keywords)


def _ufunc_called(fn: Any) -> Any:
    """`np.exp.__call__` is np.exp."""
    owner = getattr(fn, "__self__", None)
    return owner if isinstance(owner, np.ufunc) and \
        getattr(fn, "__name__", "") == "__call__" else fn


def _unpacks_into_out(fn: Any, node: gast.Call) -> bool:
    """A library function with an `out` parameter (NumPy's, a ufunc's nin + 1st)
    given unpacked arguments that fill it (`np.sum(x, *(0, None, o))`)."""
    if isinstance(fn, np.ufunc):
        return _unpacked_reaches(node, fn.nin)
    params = _parameters(fn) or ()
    if is_users_function(fn) or "out" not in [p.name for p in params]:
        return False
    positional = _positional_names(params)  # (np.einsum's out is keyword-only)
    if "out" in positional:
        return _unpacked_reaches(node, positional.index("out"))
    return _out_in_unpacked_dict(node)


def _parameters(fn: Any) -> tuple[inspect.Parameter, ...] | None:
    """fn's parameters, None where it has no signature. Those of a library's
    function or s2sad's (an adjoint's helper) are kept: each call in the code
    asks twice, and inspect.signature costs about 20 µs."""
    if _from_library(fn, "s2sad") or type(fn) is types.BuiltinFunctionType:
        try:
            return _library_parameters(fn)
        except TypeError:  # (an unhashable callable)
            pass
    return _signature_parameters(fn)


def _from_library(fn: Any, *others: str) -> bool:
    """Is fn defined in NumPy, SciPy or math (or one of the `others`), by
    its module?"""
    root = (getattr(fn, "__module__", None) or "").split(".")[0]
    return root in LIBRARY_MODULES or root in others


def _positional_names(params: tuple[inspect.Parameter, ...]) -> list[str]:
    """The names of the parameters an argument can fill by position (those
    before `*args` or the first keyword-only one)."""
    positional = []
    for param in params:
        if param.kind not in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            break
        positional.append(param.name)
    return positional


def _signature_parameters(fn: Any) -> tuple[inspect.Parameter, ...] | None:
    try:
        return tuple(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None


_library_parameters = functools.lru_cache(maxsize=1024)(_signature_parameters)


@functools.cache
def _array_method_parameters(name: str) -> tuple[str, ...]:
    """The parameters of NumPy's array method `name` after the array itself
    (none for a name arrays have no method of)."""
    try:
        params = list(inspect.signature(getattr(np.ndarray, name)).parameters)
    except (AttributeError, TypeError, ValueError):
        return ()
    return tuple(params[1:])


def _writes_an_argument(obj: Any, args: list, keywords: list = ()) -> bool:
    """np.copyto & co. (functions the table says change their arguments), a
    ufunc given its output positionally (`np.add(a, b, a)`), `np.add.at(...)`,
    or a function with an `out` parameter given positionally (not as None), or
    an `overwrite_...` one not False (SciPy's)."""
    prim = primitives.for_object(obj)
    if prim is not None and prim.mutates:
        return True
    if writes_in_place(obj):  # (np.ndarray.__setitem__(a, i, v), rng.shuffle(a))
        return True
    if isinstance(obj, np.ufunc):
        return any(not _is_none(a) for a in args[obj.nin:])
    if isinstance(getattr(obj, "__self__", None), np.ufunc) and \
            getattr(obj, "__name__", "") == "at":
        return True
    params = _parameters(obj)
    if params is None:
        return False
    given = _positional_names(params)[:len(args)]
    passed = [*zip(given, args), *((k.arg, k.value) for k in keywords if k.arg is not None)]
    if _from_library(obj) and \
            any(name.startswith("overwrite_") and not _is_false(arg) for name, arg in passed):
        return True  # (SciPy's overwrite_a=, overwrite_b=, ...)
    # (a function of the user's with a parameter named `out`: s2sad reads what it does)
    return "out" in given and not _is_none(args[given.index("out")]) and \
        not is_users_function(obj)


def _is_none(node: Any) -> bool:
    return isinstance(node, gast.Constant) and node.value is None


def _is_false(node: Any) -> bool:
    return isinstance(node, gast.Constant) and node.value in (False, None)
