"""The run-time helpers generated code calls, for the Numba backend.

Numba compiles a call by the types of its arguments, so each helper here is
a plain function (which, called from Python, runs the NumPy helper of the
same name) with a Numba implementation chosen when Numba types the call
(`numba.extending.overload`): a Python float, an array of a given number of
dimensions, a constant `axis`. The cases covered are those whose result is
the NumPy helper's exactly; any other combination raises Numba's
`TypingError` with a message naming it, which `backend="auto"` takes as
"run this one with NumPy" and `backend="numba"` reports.

Only the Numba backend imports this module (through the source it writes),
so `import s2sad` never imports Numba.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.core.errors import TypingError
from numba.extending import overload

from . import runtime as _numpy

NUMBERS = (types.Float, types.Integer)


def unbroadcast(g: Any, x: Any) -> Any:
    return _numpy.unbroadcast(g, x)


def require_scalar(value: Any) -> None:
    return _numpy.require_scalar(value)


def zeros_like(x: Any) -> Any:
    return _numpy.zeros_like(x)


def sum_adjoint(g: Any, a: Any, axis: Any = None, keepdims: bool = False,
                where: Any = True) -> Any:
    return _numpy.sum_adjoint(g, a, axis, keepdims, where)


def mean_adjoint(g: Any, a: Any, axis: Any = None, keepdims: bool = False,
                 where: Any = True) -> Any:
    return _numpy.mean_adjoint(g, a, axis, keepdims, where)


def extremum_adjoint(g: Any, a: Any, ans: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return _numpy.extremum_adjoint(g, a, ans, axis, keepdims)


def matmul_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    return _numpy.matmul_adjoint_a(g, a, b)


def matmul_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    return _numpy.matmul_adjoint_b(g, a, b)


def abs_adjoint(g: Any, x: Any) -> Any:
    return _numpy.abs_adjoint(g, x)


def extreme_adjoint(g: Any, args: Any, largest: bool) -> Any:
    return _numpy.extreme_adjoint(g, args, largest)


@njit(cache=True)
def range_last(start: int, stop: int, step: int) -> int:
    """The last item of range(start, stop, step), or start - step if it is
    empty: `reversed(range(...))` is `range(range_last(...), start - step, -step)`."""
    if step > 0:
        n = max(0, (stop - start + step - 1) // step)
    else:
        n = max(0, (start - stop - step - 1) // -step)
    return start + (n - 1) * step


# ---------------------------------------------------------------- the Numba implementations
# (The `overload` functions carry no annotations: Numba compares their
# signatures with those of the implementations they return.)


def _refuse(helper: str, *what: Any) -> TypingError:
    described = ", ".join(str(w) for w in what)
    return TypingError(f"s2sad's Numba backend has no {helper} for ({described})")


def _is_number(t: Any) -> bool:
    return isinstance(t, NUMBERS)


def _given(t) -> bool:
    """Whether an optional argument was passed as something other than None
    (an omitted one comes as its default value, or as `Omitted`)."""
    return not (t is None or isinstance(t, types.NoneType)
                or isinstance(t, types.Omitted) and t.value is None)


def _constant(t) -> object:
    """The value of an argument Numba knows at compile time, else `_refuse`'s marker."""
    if isinstance(t, types.Omitted):
        return t.value
    if isinstance(t, types.Literal):
        return t.literal_value
    if isinstance(t, (bool, int)) or t is None:
        return t
    return _UNKNOWN


_UNKNOWN = object()


@njit(cache=True)
def _sum_leading(g: Any) -> Any:
    return g.sum(axis=0)


@njit(cache=True)
def _reduce_rows(g: Any, rows: int) -> Any:
    """g (2-D) summed over the rows if `rows` is 1 and g's is not."""
    if rows == 1 and g.shape[0] != 1:
        return g.sum(axis=0).reshape(1, g.shape[1])
    return np.ascontiguousarray(g)


@njit(cache=True)
def _reduce_cols(g: Any, cols: int) -> Any:
    if cols == 1 and g.shape[1] != 1:
        return g.sum(axis=1).reshape(g.shape[0], 1)
    return np.ascontiguousarray(g)


@overload(unbroadcast, prefer_literal=True)
def _unbroadcast(g, x):
    if _is_number(x) and _is_number(g):
        return lambda g, x: g
    if _is_number(x) and isinstance(g, types.Array):
        return lambda g, x: np.sum(g)
    if not isinstance(x, types.Array) or x.ndim == 0:
        raise _refuse("unbroadcast", g, x)
    if _is_number(g):
        return lambda g, x: np.full(x.shape, g)
    if not isinstance(g, types.Array) or g.ndim > 2 or g.ndim == 0:
        raise _refuse("unbroadcast", g, x)
    if g.ndim < x.ndim:
        return lambda g, x: np.broadcast_to(g, x.shape).copy()
    if x.ndim == 1 and g.ndim == 2:
        return lambda g, x: _unbroadcast_1d(_sum_leading(g), x.shape[0])
    if x.ndim == 1:
        return lambda g, x: _unbroadcast_1d(g, x.shape[0])
    return lambda g, x: _reduce_cols(_reduce_rows(g, x.shape[0]), x.shape[1])


@njit(cache=True)
def _unbroadcast_1d(g: Any, n: int) -> Any:
    if n == 1 and g.shape[0] != 1:
        return np.full(1, np.sum(g))
    return np.ascontiguousarray(g)


@overload(require_scalar)
def _require_scalar(value):
    if _is_number(value):
        return lambda value: None
    raise TypingError(f"grad's function returned {value}, not a real number")


@overload(zeros_like)
def _zeros_like(x):
    if _is_number(x):
        return lambda x: 0.0
    if isinstance(x, types.Array) and isinstance(x.dtype, (types.Float, types.Complex)):
        return lambda x: np.zeros_like(x)
    if isinstance(x, types.Array) and isinstance(x.dtype, (types.Integer, types.Boolean)):
        return lambda x: np.zeros(x.shape)
    raise _refuse("zeros_like", x)


def _check_reduction(helper: str, g: Any, a: Any, axis: Any, keepdims: Any,
                     where: Any) -> tuple[bool, bool]:
    """(axis given, keepdims) for a reduction's adjoint the Numba helpers cover:
    all of `where`; no axis, or a constant one with a constant keepdims."""
    if where is not None and _constant(where) is not True:
        raise _refuse(helper, f"where={where}")
    if not isinstance(a, types.Array):
        raise _refuse(helper, g, a)
    if not _given(axis):
        if not _is_number(g):
            raise _refuse(helper, g, a)
        return False, False
    kept = _constant(keepdims)
    if not isinstance(_constant(axis), int) or kept not in (True, False) or \
            not isinstance(g, types.Array) or a.ndim != 2:
        raise _refuse(helper, g, a, f"axis={axis}", f"keepdims={keepdims}")
    return True, bool(kept)


@njit(cache=True)
def _kept(g: Any) -> Any:
    return g


@njit(cache=True)
def _as_row(g: Any) -> Any:
    return g.reshape(1, g.shape[0])


@njit(cache=True)
def _as_column(g: Any) -> Any:
    return g.reshape(g.shape[0], 1)


def _spread(axis: int, kept: bool) -> Any:
    """An njit function giving g (reduced over `axis` of a 2-D array) the
    array's number of dimensions, so arithmetic broadcasts it back."""
    if kept:
        return _kept
    return _as_row if axis in (0, -2) else _as_column


@overload(sum_adjoint, prefer_literal=True)
def _sum_adjoint(g, a, axis=None, keepdims=False, where=True):
    has_axis, kept = _check_reduction("sum_adjoint", g, a, axis, keepdims, where)
    if not has_axis:
        return lambda g, a, axis=None, keepdims=False, where=True: np.full(a.shape, g)
    spread = _spread(_constant(axis), kept)
    return lambda g, a, axis=None, keepdims=False, where=True: \
        spread(np.ascontiguousarray(g)) + np.zeros(a.shape)


@overload(mean_adjoint, prefer_literal=True)
def _mean_adjoint(g, a, axis=None, keepdims=False, where=True):
    has_axis, kept = _check_reduction("mean_adjoint", g, a, axis, keepdims, where)
    if not has_axis:
        return lambda g, a, axis=None, keepdims=False, where=True: np.full(a.shape, g / a.size)
    spread = _spread(_constant(axis), kept)
    return lambda g, a, axis=None, keepdims=False, where=True: \
        spread(np.ascontiguousarray(g)) / a.shape[axis] + np.zeros(a.shape)


@overload(extremum_adjoint, prefer_literal=True)
def _extremum_adjoint(g, a, ans, axis=None, keepdims=False):
    has_axis, kept = _check_reduction("extremum_adjoint", g, a, axis, keepdims, None)
    if not has_axis:
        def whole(g, a, ans, axis=None, keepdims=False):
            hit = a == ans
            return g * hit / np.sum(hit)
        return whole
    spread = _spread(_constant(axis), kept)

    def along(g, a, ans, axis=None, keepdims=False):
        hit = a == spread(np.ascontiguousarray(ans))
        count = spread(np.ascontiguousarray(np.sum(hit, axis=axis)))
        return spread(np.ascontiguousarray(g)) * hit / count
    return along


def _matrix_vector(helper: str, g: Any, a: Any, b: Any) -> tuple[int, int]:
    if not (isinstance(a, types.Array) and isinstance(b, types.Array)
            and isinstance(g, (types.Array, *NUMBERS)) and a.ndim in (1, 2) and b.ndim in (1, 2)):
        raise _refuse(helper, g, a, b)
    return a.ndim, b.ndim


@overload(matmul_adjoint_a)
def _matmul_adjoint_a(g, a, b):
    shape = _matrix_vector("matmul_adjoint_a", g, a, b)
    if shape == (2, 1):
        return lambda g, a, b: np.outer(g, b)
    if shape == (1, 2):
        return lambda g, a, b: b @ g
    if shape == (1, 1):
        return lambda g, a, b: g * b
    return lambda g, a, b: g @ b.T


@overload(matmul_adjoint_b)
def _matmul_adjoint_b(g, a, b):
    shape = _matrix_vector("matmul_adjoint_b", g, a, b)
    if shape == (2, 1):
        return lambda g, a, b: a.T @ g
    if shape == (1, 2):
        return lambda g, a, b: np.outer(a, g)
    if shape == (1, 1):
        return lambda g, a, b: g * a
    return lambda g, a, b: a.T @ g


@overload(abs_adjoint)
def _abs_adjoint(g, x):
    if _is_number(x) and _is_number(g):
        return lambda g, x: g if x >= 0 else -g
    if isinstance(x, types.Array) and isinstance(x.dtype, types.Float) and \
            (_is_number(g) or isinstance(g, types.Array)):
        return lambda g, x: g * np.where(x >= 0, 1.0, -1.0)
    raise _refuse("abs_adjoint", g, x)


@overload(extreme_adjoint)
def _extreme_adjoint(g, args, largest):
    """Builtin max(a, b, ...) of numbers: g goes to the first extreme one."""
    if not (isinstance(args, types.List) and _is_number(args.dtype) and _is_number(g)):
        raise _refuse("extreme_adjoint", g, args)

    def numbers(g, args, largest):
        best = 0
        for k in range(1, len(args)):
            if (args[k] > args[best]) if largest else (args[k] < args[best]):
                best = k
        out = [0.0] * len(args)
        out[best] = g
        return out
    return numbers


# The NumPy helpers (by name) that have a Numba version here.
HELPERS = {f.__name__: f for f in (unbroadcast, require_scalar, zeros_like, sum_adjoint,
                                   mean_adjoint, extremum_adjoint, matmul_adjoint_a,
                                   matmul_adjoint_b, abs_adjoint, extreme_adjoint)}
