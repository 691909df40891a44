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

import math
from typing import Any

import numpy as np
from numba import objmode, types
from numba.core.errors import TypingError
from numba.extending import overload, register_jitable

import s2sad.runtime.base as _base  # (the modules, not the package, which imports SciPy's)
import s2sad.runtime.elementwise as _elementwise
import s2sad.runtime.functions as _functions
import s2sad.runtime.linalg as _linalg
import s2sad.runtime.reductions as _reductions
import s2sad.runtime.shapes as _shapes

NUMBERS = (types.Float, types.Integer)


def unbroadcast(g: Any, x: Any) -> Any:
    return _base.unbroadcast(g, x)


def require_scalar(value: Any) -> None:
    return _base.require_scalar(value)


def check_receiver(x: Any, what: str, records: bool = False, items: bool = False) -> None:
    return _functions.check_receiver(x, what, records, items)


def check_not_dict(x: Any) -> None:
    return _base.check_not_dict(x)


def check_not_mapping(a: Any, b: Any) -> None:
    return _base.check_not_mapping(a, b)


def zeros_like(x: Any) -> Any:
    return _base.zeros_like(x)


def sum_adjoint(g: Any, a: Any, axis: Any = None, keepdims: bool = False,
                where: Any = True) -> Any:
    return _reductions.sum_adjoint(g, a, axis, keepdims, where)


def mean_adjoint(g: Any, a: Any, axis: Any = None, keepdims: bool = False,
                 where: Any = True) -> Any:
    return _reductions.mean_adjoint(g, a, axis, keepdims, where)


def extremum_adjoint(g: Any, a: Any, ans: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return _reductions.extremum_adjoint(g, a, ans, axis, keepdims)


def matmul_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    return _linalg.matmul_adjoint_a(g, a, b)


def matmul_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    return _linalg.matmul_adjoint_b(g, a, b)


def abs_adjoint(g: Any, x: Any) -> Any:
    return _elementwise.abs_adjoint(g, x)


def array_attribute_adjoint(g: Any, a: Any, name: str) -> Any:
    return _elementwise.array_attribute_adjoint(g, a, name)


def extreme_adjoint(g: Any, args: Any, largest: bool) -> Any:
    return _shapes.extreme_adjoint(g, args, largest)


def abs_sign(x: Any) -> Any:
    return _elementwise.abs_sign(x)


def max_share(x: Any, y: Any) -> Any:
    return _elementwise.max_share(x, y)


def logaddexp_share(x: Any, y: Any, total: Any, scale: float = 1.0) -> Any:
    return _elementwise.logaddexp_share(x, y, total, scale)


def add_adjoints(a: Any, b: Any) -> Any:
    return _base.add_adjoints(a, b)


def add_into(a: Any, b: Any) -> Any:
    return _base.add_into(a, b)


def complements_difference(a: Any, b: Any, one_minus_a: Any, one_minus_b: Any) -> Any:
    return _base.complements_difference(a, b, one_minus_a, one_minus_b)


def add_outer(a: Any, x: Any, y: Any) -> Any:
    return _base.add_outer(a, x, y)


def spread_number(c: Any, shape: tuple) -> Any:
    return _base.spread_number(c, shape)


def numpy_number(g: Any) -> Any:
    return _base.numpy_number(g)


def seed_of(dout: Any, out: Any) -> Any:
    return _base.seed_of(dout, out)


def outer_added(a: Any, x: Any, y: Any) -> Any:
    return _base.outer_added(a, x, y)


def augmented(y: Any, op: str, v: Any) -> Any:
    return _base.augmented(y, op, v)


def add_at(dx: Any, index: Any, g: Any) -> Any:
    return _base.add_at(dx, index, g)


def added_at(dx: Any, index: Any, g: Any) -> Any:
    return _base.added_at(dx, index, g)


def getitem_adjoint(g: Any, x: Any, index: Any) -> Any:
    return _shapes.getitem_adjoint(g, x, index)


def index_adjoint(g: Any, shape: tuple, index: Any) -> Any:
    return _shapes.index_adjoint(g, shape, index)


def joined_slices(pieces: tuple, axis: int = 0) -> Any:
    return _shapes.joined_slices(pieces, axis)


def index_added(x: Any, g: Any, shape: tuple, index: Any) -> Any:
    return _shapes.index_added(x, g, shape, index)


def index_added_into(x: Any, g: Any, shape: tuple, index: Any) -> Any:
    return _shapes.index_added_into(x, g, shape, index)


def own(x: Any) -> Any:
    return _base.own(x)


def snapshot(x: Any) -> Any:
    return _base.snapshot(x)


def read_slice(g: Any, index: Any, written: Any = None, value: Any = None) -> Any:
    return _base.read_slice(g, index, written, value)


def reduce_sum(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return np.sum(a, axis=axis, keepdims=keepdims)


def reduce_mean(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return np.mean(a, axis=axis, keepdims=keepdims)


def reduce_max(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return np.max(a, axis=axis, keepdims=keepdims)


def reduce_min(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return np.min(a, axis=axis, keepdims=keepdims)


REDUCTIONS = {"sum": reduce_sum, "mean": reduce_mean, "max": reduce_max, "min": reduce_min,
              "amax": reduce_max, "amin": reduce_min}


# NumPy's transcendental ufuncs run vectorized loops (SIMD); Numba's call the
# C library per element (llvmlite's wheels have no vector math library):
# tanh over 128x128 numbers takes 12 µs in NumPy and 170 µs in Numba. On
# float64 arrays of at least VECTOR_SIZE numbers, the generated code calls
# NumPy's ufunc from Numba's object mode (about 1 µs to enter); smaller ones,
# and numbers, stay in Numba. (`numba_source` writes `np.tanh(x)` as
# `vector_tanh(x)`.) sin, cos and sqrt are not here: as fast in Numba.
VECTOR_SIZE = 256
VECTORIZED_UFUNCS = ("tanh", "exp", "log", "expm1", "log1p", "log2", "log10", "exp2", "sinh",
                     "cosh", "tan", "arctan", "arcsinh", "arctanh", "arccosh", "arcsin",
                     "arccos", "cbrt")


def _named(implementation: Any, *parts: str) -> Any:
    """An implementation a factory here returns for several helpers, named
    for the one it is (`np.exp`'s, not np.tanh's). Numba names machine code
    by module, qualified name, argument types and a count of what its
    process compiled before: two such closures of one qualified name,
    compiled in two processes, can get one name for two bodies, and where
    Numba's cache brings both into one process, one's code runs for the
    other (a gradient with np.tanh ran np.exp's). The other overloads here
    choose their implementation by argument types alone, which the name has."""
    name = "_".join([implementation.__name__.strip("<>"), *parts])
    implementation.__name__ = implementation.__qualname__ = name
    return implementation


def _vectorized(name: str) -> Any:
    """`vector_<name>(x)`: np.<name>(x), NumPy's loop on big float64 arrays."""
    ufunc = getattr(np, name)

    def call(x: Any) -> Any:
        return ufunc(x)

    call.__name__ = call.__qualname__ = f"vector_{name}"

    @overload(call)
    def _call(x):
        if not (isinstance(x, types.Array) and x.dtype == types.float64 and x.ndim >= 1
                and x.layout in "CF"):
            return _named(lambda x: ufunc(x), name)  # (Numba's own)
        # (the layout Numba's own gives: a loop's array keeps one type)
        result = types.Array(types.float64, x.ndim, x.layout)
        laid_out = np.asfortranarray if x.layout == "F" else np.ascontiguousarray

        def vectorized(x):
            if x.size >= VECTOR_SIZE:
                with objmode(out=result):
                    out = laid_out(ufunc(x))
                return out
            return ufunc(x)
        return _named(vectorized, name)
    return call


VECTORIZED = {name: _vectorized(name) for name in VECTORIZED_UFUNCS}
globals().update({f.__name__: f for f in VECTORIZED.values()})  # (imported by name)


@overload(complements_difference)
def _complements_difference(a, b, one_minus_a, one_minus_b):
    """a - b for float64 numbers and arrays (and ints: Numba's are int64,
    whose 1 - a is exact), chosen by type; else as written."""
    if _float64(a) and _float64(b) and not isinstance(a, types.Boolean) and \
            not isinstance(b, types.Boolean):
        return lambda a, b, one_minus_a, one_minus_b: a - b
    return lambda a, b, one_minus_a, one_minus_b: a * one_minus_b - one_minus_a * b


@overload(add_into)
def _add_into(a, b):
    """a += b for a float64 array and a real number or float64 array b whose
    shape broadcasts to a's (as the generated code calls it); else a + b."""
    if isinstance(a, types.Array) and a.dtype == types.float64 and a.mutable and \
            a.layout == "C" and isinstance(b, (types.Float, types.Integer)):
        def add_number(a, b):
            a += b
            return a
        return add_number
    if isinstance(a, types.Array) and a.dtype == types.float64 and a.mutable and \
            a.layout == "C" and isinstance(b, types.Array) and b.dtype == types.float64 \
            and b.ndim <= a.ndim:
        def add(a, b):
            lead = a.ndim - b.ndim
            for i in range(b.ndim):
                if b.shape[i] != 1 and b.shape[i] != a.shape[lead + i]:
                    return a + b  # (b is wider: a new array, as NumPy's)
            a += b
            return a
        return add
    if _float64(a) and _float64(b):
        return lambda a, b: a + b
    raise _refuse("add_into", a, b)


@overload(outer_added)
def _outer_added(a, x, y):
    if _float64(a) and _float64(x) and _float64(y):
        return lambda a, x, y: a + np.outer(x, y)
    raise _refuse("outer_added", a, x, y)


@overload(seed_of)
def _seed_of(dout, out):
    """dout as it is: Numba's floats are float64 already (see numpy_number)."""
    if isinstance(dout, (types.Float, types.Integer)):
        return lambda dout, out: dout
    raise _refuse("seed_of", dout, out)


@overload(numpy_number)
def _numpy_number(g):
    """g as it is: Numba's numbers are typed (a float64 times a float32
    array is float64), not NumPy 2's weak Python floats."""
    if isinstance(g, (types.Float, types.Integer, types.Complex)):
        return lambda g: g
    raise _refuse("numpy_number", g)


@overload(spread_number)
def _spread_number(c, shape):
    """A number filling an array of the shape (always a fresh one here); an
    array as it is."""
    if isinstance(c, (types.Float, types.Integer)):
        return lambda c, shape: np.full(shape, float(c))
    if isinstance(c, types.Array) and c.ndim > 0:
        return lambda c, shape: c
    raise _refuse("spread_number", c, shape)


@overload(add_outer)
def _add_outer(a, x, y):
    """a[i, j] += x[i] * y[j] in place for a float64 matrix and vectors of its
    shape (no product array); else a + np.outer(x, y)."""
    vectors = all(isinstance(v, types.Array) and v.dtype == types.float64 and v.ndim == 1
                  for v in (x, y))
    if isinstance(a, types.Array) and a.dtype == types.float64 and a.mutable and \
            a.layout == "C" and a.ndim == 2 and vectors:
        def update(a, x, y):
            if a.shape[0] != x.shape[0] or a.shape[1] != y.shape[0]:
                return a + np.outer(x, y)
            for i in range(x.shape[0]):
                xi = x[i]
                for j in range(y.shape[0]):
                    a[i, j] += xi * y[j]
            return a
        return update
    if _float64(a) and _float64(x) and _float64(y):
        return lambda a, x, y: a + np.outer(x, y)
    raise _refuse("add_outer", a, x, y)


# ---------------------------------------------------------------- Python's numbers
# Where Numba's arithmetic on Python numbers differs from Python's, the
# generated code calls these instead (`numba_source._Rewrite`): each is
# Python's operation, or a TypingError (which `auto` takes as "run NumPy")
# where Numba cannot give Python's result.


def power(a: Any, b: Any) -> Any:
    return a ** b


def add(a: Any, b: Any) -> Any:
    return a + b


def sub(a: Any, b: Any) -> Any:
    return a - b


def mul(a: Any, b: Any) -> Any:
    return a * b


def neg(a: Any) -> Any:
    return -a


def invert(a: Any) -> Any:
    return ~a


def floordiv(a: Any, b: Any) -> Any:
    return a // b


def power_n(a: Any, k: int) -> Any:
    return a ** k


def to_int(x: Any) -> int:
    return int(x)


def floor(x: Any) -> int:
    return math.floor(x)


def ceil(x: Any) -> int:
    return math.ceil(x)


def round_to(x: Any, ndigits: Any = None) -> Any:
    return round(x, ndigits)


def exact_item(v: Any) -> Any:
    return v


def as_index(v: Any) -> Any:
    return v


_INT64_RANGE = 9.223372036854775808e18  # (2**63: beyond it, a float has no int64)


@register_jitable
def _checked_int(x: float) -> float:
    if x != x:
        raise ValueError("cannot convert float NaN to integer")
    if not -_INT64_RANGE <= x < _INT64_RANGE:
        raise OverflowError("a float beyond 64-bit integers: Python's int holds it exactly, "
                            "Numba's int64 does not (use backend='numpy')")
    return x


@register_jitable
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
    if isinstance(t, types.NoneType):
        return None
    return _UNKNOWN


_UNKNOWN = object()


@register_jitable
def _sum_leading(g: Any) -> Any:
    return g.sum(axis=0)


@register_jitable
def _reduce_rows(g: Any, rows: int) -> Any:
    """g (2-D) summed over the rows if `rows` is 1 and g's is not."""
    if rows == 1 and g.shape[0] != 1:
        return g.sum(axis=0).reshape(1, g.shape[1])
    return np.ascontiguousarray(g)


@register_jitable
def _reduce_cols(g: Any, cols: int) -> Any:
    if cols == 1 and g.shape[1] != 1:
        return g.sum(axis=1).reshape(g.shape[0], 1)
    return np.ascontiguousarray(g)


@overload(array_attribute_adjoint, prefer_literal=True)
def _array_attribute_adjoint(g, a, name):
    """`a.T`'s and `a.real`'s adjoint of a real array `a` (in Numba's code,
    `a` is an array: an object with such a field does not compile)."""
    if not (isinstance(name, types.StringLiteral) and name.literal_value in ("T", "real")
            and isinstance(a, types.Array) and isinstance(g, types.Array)
            and not isinstance(a.dtype, types.Complex)):
        raise _refuse("array_attribute_adjoint", g, a, name)
    if name.literal_value == "T":
        return lambda g, a, name: np.transpose(g)
    return lambda g, a, name: g


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


@register_jitable
def _unbroadcast_1d(g: Any, n: int) -> Any:
    if n == 1 and g.shape[0] != 1:
        return np.full(1, np.sum(g))
    return np.ascontiguousarray(g)


@overload(require_scalar)
def _require_scalar(value):
    if _is_number(value) or isinstance(value, types.Optional) and _is_number(value.type):
        return lambda value: None  # (Optional: a value `return` in a loop set, else None)
    if isinstance(value, types.Array):  # (the user's error, as the NumPy backend says it)
        def refuse(value):
            raise _base.NonScalarOutput(value.shape)
        return refuse
    raise TypingError(f"grad's function returned {value}, not a real number")


@overload(check_not_dict)
def _check_not_dict(x):
    return lambda x: None  # (never a dict in what Numba compiles)


@overload(check_not_mapping)
def _check_not_mapping(a, b):
    return lambda a, b: None


@overload(check_receiver)
def _check_receiver(x, what, records=False, items=False):
    # (what Numba compiles is arrays, numbers and tuples of them: never an object)
    return lambda x, what, records=False, items=False: None


@overload(power)
def _power(a, b):
    if isinstance(a, types.Integer) and isinstance(b, types.Integer):
        raise TypingError("an integer to an integer power: Python's result is a float where "
                          "the exponent is negative, Numba's an integer")
    return lambda a, b: a ** b


_WRAPPED = "an integer beyond int64 in Numba's arithmetic (Python's ints grow): use backend='numpy'"
_INT64_MIN = -9223372036854775808


# Two integers' sum, difference and product computed on uint64, whose wrapping
# is defined (LLVM may assume a signed result does not wrap, and drop a check
# written on it), then checked exactly.
@register_jitable
def _wrapped_add(a, b):
    r = np.int64(np.uint64(a) + np.uint64(b))
    if ((a ^ r) & (b ^ r)) < 0:
        raise OverflowError(_WRAPPED)
    return r


@register_jitable
def _wrapped_sub(a, b):
    r = np.int64(np.uint64(a) - np.uint64(b))
    if ((a ^ b) & (a ^ r)) < 0:
        raise OverflowError(_WRAPPED)
    return r


@register_jitable
def _wrapped_mul(a, b):
    r = np.int64(np.uint64(a) * np.uint64(b))
    if a == -1:
        if b < 0 and r == b:
            raise OverflowError(_WRAPPED)
    elif a != 0 and (r // a != b or r % a != 0):
        raise OverflowError(_WRAPPED)
    return r


def _integers(*values: Any) -> bool:
    return all(isinstance(v, types.Integer) for v in values)


@overload(add)
def _add(a, b):
    if _integers(a, b):
        return lambda a, b: _wrapped_add(np.int64(a), np.int64(b))
    return lambda a, b: a + b


@overload(sub)
def _sub(a, b):
    if _integers(a, b):
        return lambda a, b: _wrapped_sub(np.int64(a), np.int64(b))
    return lambda a, b: a - b


@overload(mul)
def _mul(a, b):
    if _integers(a, b):
        return lambda a, b: _wrapped_mul(np.int64(a), np.int64(b))
    return lambda a, b: a * b


@overload(neg)
def _neg(a):
    if _integers(a):
        def checked_neg(a):
            if a == _INT64_MIN:
                raise OverflowError(_WRAPPED)
            return -a
        return checked_neg
    return lambda a: -a


@overload(invert)
def _invert(a):
    if isinstance(a, types.Boolean):  # (Python's ~True is -2; a bool array's ~ is NumPy's)
        raise _refuse("invert", a)
    return lambda a: ~a


@overload(floordiv)
def _floordiv(a, b):
    if _integers(a, b):
        def checked_floordiv(a, b):
            if a == _INT64_MIN and b == -1:
                raise OverflowError(_WRAPPED)
            return a // b
        return checked_floordiv
    return lambda a, b: a // b


@overload(power_n, prefer_literal=True)
def _power_n(a, k):
    if _integers(a):
        def checked_power(a, k):
            r = np.int64(1)
            for _ in range(k):
                r = _wrapped_mul(r, np.int64(a))
            return r
        return checked_power
    if isinstance(k, types.IntegerLiteral):
        exponent = k.literal_value  # (a constant to Numba: x ** 2 stays x * x)
        return lambda a, k: a ** exponent
    return lambda a, k: a ** k


@overload(to_int)
def _to_int(x):
    if isinstance(x, (types.Integer, types.Boolean)):
        return lambda x: int(x)
    if isinstance(x, types.Float):
        return lambda x: int(_checked_int(x))
    raise _refuse("int", x)


@overload(floor)
def _floor(x):
    if isinstance(x, types.Float):
        return lambda x: math.floor(_checked_int(x))
    return lambda x: math.floor(x)


@overload(ceil)
def _ceil(x):
    if isinstance(x, types.Float):
        return lambda x: math.ceil(_checked_int(x))
    return lambda x: math.ceil(x)


@overload(round_to)
def _round_to(x, ndigits=None):
    if not isinstance(ndigits, (types.NoneType, types.Omitted)) and ndigits is not None:
        raise TypingError("round with ndigits: Python rounds the exact decimal value, "
                          "Numba a scaled float (round(2.675, 2) is 2.67 and 2.68)")
    if isinstance(x, types.Float):
        return lambda x, ndigits=None: round(_checked_int(x))
    return lambda x, ndigits=None: round(x)


@overload(exact_item)
def _exact_item(v):
    if isinstance(v, types.Integer):  # (a tape of floats holds it as a float)
        def checked(v):
            if not -9007199254740992 <= v <= 9007199254740992:
                raise OverflowError("an integer beyond 2**53 on the backward pass's tape, "
                                    "where Numba may keep it as a float (use backend='numpy')")
            return v
        return checked
    return lambda v: v


@overload(as_index)
def _as_index(v):
    """An index popped from a tape of floats: the int that was pushed."""
    if isinstance(v, types.Float):
        return lambda v: int(v)
    return lambda v: v


@overload(zeros_like)
def _zeros_like(x):
    if _is_number(x) or isinstance(x, types.Optional) and _is_number(x.type):
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


@register_jitable
def _kept(g: Any) -> Any:
    return g


@register_jitable
def _as_row(g: Any) -> Any:
    return g.reshape(1, g.shape[0])


@register_jitable
def _as_column(g: Any) -> Any:
    return g.reshape(g.shape[0], 1)


def _spread(axis: int, kept: bool) -> Any:
    """A jitable function giving g (reduced over `axis` of a 2-D array) the
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
    spread, reduced = _spread(_constant(axis), kept), _spread(_constant(axis), False)

    def along(g, a, ans, axis=None, keepdims=False):
        hit = a == spread(np.ascontiguousarray(ans))
        count = reduced(np.sum(hit, axis=axis))  # (no keepdims in Numba's np.sum)
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


# ---------------------------------------------------------------- reductions along an axis
# (Numba's np.max and np.min take no axis, and no reduction takes keepdims:
# `numba_source` writes such calls as these helpers, for 1-D and 2-D arrays.)


@register_jitable
def _rows_extreme(a: Any, largest: bool) -> Any:
    out = np.empty(a.shape[0], a.dtype)
    for i in range(a.shape[0]):
        out[i] = np.max(a[i]) if largest else np.min(a[i])
    return out


@register_jitable
def _rows_max(a: Any) -> Any:
    return _rows_extreme(a, True)


@register_jitable
def _rows_min(a: Any) -> Any:
    return _rows_extreme(a, False)


@register_jitable
def _rows_sum(a: Any) -> Any:
    return np.sum(a, axis=1)


@register_jitable
def _rows_mean(a: Any) -> Any:
    return np.sum(a, axis=1) / a.shape[1]


_ALONG_ROWS = {"max": _rows_max, "min": _rows_min, "sum": _rows_sum, "mean": _rows_mean}
_WHOLE = {"max": np.max, "min": np.min, "sum": np.sum, "mean": np.mean}


def _reduction(kind: str, a, axis, keepdims):
    """The implementation of np.<kind>(a, axis, keepdims=...) for constant
    axis and keepdims: over all of a 1-D or 2-D array, or along an axis of a
    2-D one (axis 0 as the rows of its transpose)."""
    ax, kept = _constant(axis), _constant(keepdims)
    if not isinstance(a, types.Array) or a.ndim not in (1, 2) or kept not in (True, False) \
            or not (ax is None or isinstance(ax, int) and -a.ndim <= ax < a.ndim):
        raise _refuse(f"np.{kind}", a, f"axis={axis}", f"keepdims={keepdims}")
    whole, along = _WHOLE[kind], _ALONG_ROWS[kind]
    if ax is None or a.ndim == 1:
        if not kept:
            return _named(lambda a, axis=None, keepdims=False: whole(a), kind)
        if a.ndim == 1:
            return _named(lambda a, axis=None, keepdims=False: np.full(1, whole(a)), kind)
        return _named(lambda a, axis=None, keepdims=False: np.full((1, 1), whole(a)), kind)
    if ax % 2 == 1:
        if kept:
            return _named(lambda a, axis=None, keepdims=False: _as_column(along(a)), kind)
        return _named(lambda a, axis=None, keepdims=False: along(a), kind)
    if kept:
        return _named(lambda a, axis=None, keepdims=False: _as_row(along(a.T)), kind)
    return _named(lambda a, axis=None, keepdims=False: along(a.T), kind)


@overload(reduce_sum, prefer_literal=True)
def _reduce_sum(a, axis=None, keepdims=False):
    return _reduction("sum", a, axis, keepdims)


@overload(reduce_mean, prefer_literal=True)
def _reduce_mean(a, axis=None, keepdims=False):
    return _reduction("mean", a, axis, keepdims)


@overload(reduce_max, prefer_literal=True)
def _reduce_max(a, axis=None, keepdims=False):
    return _reduction("max", a, axis, keepdims)


@overload(reduce_min, prefer_literal=True)
def _reduce_min(a, axis=None, keepdims=False):
    return _reduction("min", a, axis, keepdims)


# ---------------------------------------------------------------- signs, shares, updates, indexing


def _float64(t) -> bool:
    """A number, or an array of float64 (whose results NumPy keeps float64)."""
    return _is_number(t) or isinstance(t, types.Array) and t.dtype == types.float64


@overload(abs_sign)
def _abs_sign(x):
    if _is_number(x):
        return lambda x: 1.0 if x >= 0 else -1.0
    if _float64(x):
        return lambda x: np.where(x >= 0, 1.0, -1.0)
    raise _refuse("abs_sign", x)


@overload(max_share)
def _max_share(x, y):
    if _float64(x) and _float64(y):
        return lambda x, y: (x > y) + 0.5 * (x == y)
    raise _refuse("max_share", x, y)


@register_jitable
def _logaddexp_share_number(x, y, total, scale):
    if x == total and math.isinf(total):
        return 0.5 if y == total else 1.0
    return math.exp((x - total) * scale)


@overload(logaddexp_share)
def _logaddexp_share(x, y, total, scale=1.0):
    if _is_number(x) and _is_number(y) and _is_number(total):
        return lambda x, y, total, scale=1.0: _logaddexp_share_number(x, y, total, scale)
    if _float64(x) and _float64(y) and _float64(total):
        def share(x, y, total, scale=1.0):
            out = np.exp((x - total) * scale)
            own = (x == total) & np.isinf(total)
            return np.where(own, np.where(y == total, 0.5, 1.0), out)
        return share
    raise _refuse("logaddexp_share", x, y, total)


@overload(add_adjoints)
def _add_adjoints(a, b):
    """Of numbers and arrays (None: zero); containers are refused."""
    if isinstance(a, types.NoneType):
        return lambda a, b: b
    if isinstance(b, types.NoneType):
        return lambda a, b: a
    if _float64(a) and _float64(b):
        return lambda a, b: a + b
    raise _refuse("add_adjoints", a, b)


@register_jitable
def _apply(y: Any, op: str, v: Any) -> Any:
    if op == "+=":
        return y + v
    if op == "-=":
        return y - v
    if op == "*=":
        return y * v
    return y / v


@overload(augmented, prefer_literal=True)
def _augmented(y, op, v):
    """`y op= v` for + - * / of float64 arrays and Python floats: NumPy's
    result keeps y's dtype and shape, which float64 arithmetic does (a v of
    a bigger shape raises, as in NumPy)."""
    kind = _constant(op)
    numbers = isinstance(y, types.Float) and _is_number(v)
    arrays = isinstance(y, types.Array) and y.dtype == types.float64 and _float64(v)
    if kind not in ("+=", "-=", "*=", "/=") or not (numbers or arrays):
        raise _refuse("augmented", y, op, v)
    if numbers:
        return lambda y, op, v: _apply(y, op, v)

    def into_copy(y, op, v):
        out = np.empty_like(y)
        out[...] = _apply(y, op, v)
        return out
    return into_copy


def _basic_index(index) -> bool:
    """An integer, a slice, or a tuple of them (NumPy's basic indexing)."""
    parts = index.types if isinstance(index, types.BaseTuple) else (index,)
    return all(isinstance(p, (types.Integer, types.SliceType)) for p in parts)


def _adds_at(dx, index, g) -> bool:
    """dx[index] += g is NumPy's: a float64 array and a basic index (advanced
    indices, where repeated positions must add up, are refused)."""
    return isinstance(dx, types.Array) and dx.dtype == types.float64 and \
        _basic_index(index) and _float64(g)


@overload(add_at)
def _add_at(dx, index, g):
    """dx[index] += g, in place (`_adds_at` says for which types)."""
    if not _adds_at(dx, index, g):
        raise _refuse("add_at", dx, index, g)

    def add(dx, index, g):
        dx[index] += g
        return dx
    return add


@overload(added_at)
def _added_at(dx, index, g):
    """add_at into a copy of dx."""
    if not _adds_at(dx, index, g):
        raise _refuse("added_at", dx, index, g)

    def add(dx, index, g):
        out = dx.copy()
        out[index] += g
        return out
    return add


@overload(getitem_adjoint)
def _getitem_adjoint(g, x, index):
    """Zeros shaped like the array x with g at a basic index."""
    if not (isinstance(x, types.Array) and _basic_index(index) and _float64(g)
            and (_is_number(g) or g.dtype == types.float64)):
        raise _refuse("getitem_adjoint", g, x, index)

    def scatter(g, x, index):
        out = np.zeros(x.shape)
        out[index] = g
        return out
    return scatter


@overload(index_adjoint)
def _index_adjoint(g, shape, index):
    """Zeros of a given shape with g at a basic index."""
    if not (_basic_index(index) and _float64(g) and (_is_number(g) or g.dtype == types.float64)):
        raise _refuse("index_adjoint", g, shape, index)

    def scatter(g, shape, index):
        out = np.zeros(shape)
        out[index] = g
        return out
    return scatter


@overload(index_added)
def _index_added(x, g, shape, index):
    """A copy of a float64 array with g added at a basic index (None: zeros)."""
    if isinstance(x, types.NoneType) and _basic_index(index) and _float64(g) and \
            (_is_number(g) or g.dtype == types.float64):
        def scatter(x, g, shape, index):
            out = np.zeros(shape)
            out[index] = g
            return out
        return scatter
    if not (isinstance(x, types.Array) and x.dtype == types.float64 and _basic_index(index)
            and _float64(g) and (_is_number(g) or g.dtype == types.float64)):
        raise _refuse("index_added", x, g, shape, index)

    def added(x, g, shape, index):
        out = x.copy()
        out[index] += g
        return out
    return added


@overload(index_added_into)
def _index_added_into(x, g, shape, index):
    """g added into a float64 array the code owns at a basic index (None: zeros)."""
    if isinstance(x, types.NoneType) or not (isinstance(x, types.Array) and x.mutable):
        return _index_added(x, g, shape, index)
    _index_added(x, g, shape, index)  # (refuses what index_added refuses)

    def added_into(x, g, shape, index):
        x[index] += g
        return x
    return added_into


@overload(joined_slices)
def _joined_slices(pieces, axis=0):
    """The pieces of a float64 array's adjoint joined along an axis, in order."""
    if not (isinstance(pieces, types.BaseTuple) and len(pieces) and all(
            isinstance(p, types.Array) and p.ndim == pieces[0].ndim and
            p.dtype == types.float64 for p in pieces)):
        raise _refuse("joined_slices", pieces, axis)
    return lambda pieces, axis=0: np.concatenate(pieces, axis=axis)


@overload(own)
def _own(x):
    if isinstance(x, types.Array):
        return lambda x: x.copy()
    raise _refuse("own", x)


@overload(snapshot)
def _snapshot(x):
    if _is_number(x):
        return lambda x: x
    if isinstance(x, types.Array):
        return lambda x: x.copy()
    raise _refuse("snapshot", x)


@overload(read_slice)
def _read_slice(g, index, written=None, value=None):
    """g[index] as a value of its own, for the adjoint of a float64 array
    written at a basic index (no repeated positions, nothing truncated)."""
    plain = written is None or isinstance(written, (types.NoneType, types.Omitted)) or \
        isinstance(written, types.Array) and written.dtype == types.float64
    if not (isinstance(g, types.Array) and g.dtype == types.float64 and _basic_index(index)
            and plain):
        raise _refuse("read_slice", g, index, written)
    return lambda g, index, written=None, value=None: snapshot(g[index])


# The NumPy helpers that have a Numba version here, to the name of that version.
HELPERS = {getattr(module, name): name for module, names in (
    (_base, ("unbroadcast", "require_scalar", "check_not_dict", "check_not_mapping",
             "zeros_like", "add_adjoints", "add_into", "add_outer", "outer_added",
             "complements_difference",
             "spread_number", "numpy_number", "seed_of", "augmented", "add_at", "added_at",
             "own", "snapshot", "read_slice")),
    (_reductions, ("sum_adjoint", "mean_adjoint", "extremum_adjoint")),
    (_linalg, ("matmul_adjoint_a", "matmul_adjoint_b")),
    (_elementwise, ("abs_adjoint", "abs_sign", "max_share", "logaddexp_share",
                    "array_attribute_adjoint")),
    (_functions, ("check_receiver",)),
    (_shapes, ("extreme_adjoint", "getitem_adjoint", "index_adjoint", "joined_slices",
               "index_added", "index_added_into")))
    for name in names}
