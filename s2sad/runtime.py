"""Run-time helpers that generated gradients call.

This module imports nothing of s2sad's but its errors: it sits at the
bottom of the import graph.

Plain functions on NumPy arrays and Python numbers: no boxing, no graph. The
common case of each is a shape comparison and nothing more. Adjoint rules in
`rules.py` refer to these by bare name.
"""

from __future__ import annotations

import functools
import inspect
import math
import string
from typing import Any

import numpy as np

from .errors import AliasingError, UnsupportedSyntaxError


def _lists_as_arrays(*names: str) -> Any:
    """Decorate a helper so that the named arguments, when Python lists or
    tuples of numbers (NumPy functions accept those), arrive as arrays."""
    def decorate(fn: Any) -> Any:
        positions = [list(inspect.signature(fn).parameters).index(n) for n in names]

        @functools.wraps(fn)
        def helper(*args: Any) -> Any:
            args = list(args)
            for i in positions:
                if i < len(args) and isinstance(args[i], (list, tuple)):
                    args[i] = np.asarray(args[i])
            return fn(*args)
        return helper
    return decorate


def stop_gradient(x: Any) -> Any:
    """Return `x` unchanged; s2sad treats its gradient as zero."""
    return x


class NonScalarOutput(Exception):
    """Raised by `require_scalar`; the API turns it into a NonScalarOutputError."""


def require_scalar(value: Any) -> None:
    """grad's seed is 1.0: only valid for a scalar output."""
    if type(value) is float or type(value) is np.float64:
        return
    if value is None or isinstance(value, (str, bytes, bool)):
        raise NonScalarOutput(type(value).__name__)
    if np.ndim(value) != 0:
        raise NonScalarOutput(np.shape(value))


def own(x: Any) -> Any:
    """A private copy of an array or list, so writing into it leaves the caller's alone."""
    if isinstance(x, dict):
        raise UnsupportedSyntaxError(
            "assigning into a dict (`d[key] = value`) is not supported",
            hint="build the dict in one display, {'a': x, 'b': y}, or keep the values "
            "in separate variables")
    if isinstance(x, tuple):
        raise TypeError("'tuple' object does not support item assignment")
    return x.copy() if isinstance(x, (np.ndarray, list)) else np.array(x, dtype=float)


def snapshot(x: Any) -> Any:
    """The value of a slice before it is overwritten (a copy if it is an array
    view; lists and tuples of arrays are copied item by item)."""
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, (list, tuple)):
        return type(x)(snapshot(item) for item in x)
    return x


def add_at(dx: Any, index: Any, g: Any) -> None:
    """dx[index] += g in place (repeated integer indices add up, as they should)."""
    if isinstance(dx, np.ndarray) and _is_basic_index(index):
        dx[index] += g
    elif isinstance(dx, np.ndarray):
        np.add.at(dx, index, g)
    else:
        dx[index] = add_adjoints(dx[index], g)


def write_slice(t: Any, index: Any, value: Any) -> None:
    """t[index] = value in place: a write into an array's tangent, mirroring
    the write into the array."""
    t[index] = value


def broadcast_tangent(t: Any, ans: Any) -> Any:
    """A tangent broadcast to its primal's shape (`y = x + c` with a scalar x:
    x's tangent is a scalar, y's an array)."""
    shape = _shape(ans)
    if _shape(t) == shape:
        return t
    return np.broadcast_to(t, shape)


def linspace_weights(num: int, endpoint: bool) -> Any:
    """Where each point of np.linspace(start, stop, num) sits between start and stop."""
    if num == 1:
        return np.zeros(1)
    return np.arange(num) / (num - 1 if endpoint else num)


def linspace_adjoint(g: Any, bound: Any, num: int, endpoint: bool, axis: int,
                     stop: bool) -> Any:
    """The adjoint of np.linspace's start (stop=False) or stop: each sample is
    start + w * (stop - start), with the samples along `axis` of the result."""
    g = np.asarray(g)
    weights = linspace_weights(num, endpoint)
    shape = [1] * g.ndim
    shape[axis % g.ndim] = num
    weights = weights.reshape(shape)
    return unbroadcast(np.sum(g * (weights if stop else 1.0 - weights), axis=axis), bound)


def reshape_tangent(t: Any, a: Any, ans: Any, order: str) -> Any:
    """The tangent of a reshape (or ravel, flatten) of `a` in `order`: t read
    in the order a was read. ('A' and 'K' follow a's memory, not t's.)"""
    order = order.upper() if isinstance(order, str) else "C"
    if order == "A":
        order = "F" if _fortran_contiguous(a) else "C"
    if order == "K":
        layout = np.empty_like(np.asarray(a), dtype=np.intp)
        layout[...] = np.arange(layout.size).reshape(layout.shape)
        return np.ravel(t)[np.ravel(layout, order="K")].reshape(_shape(ans))
    return np.reshape(t, _shape(ans), order=order)


def reshape_adjoint(g: Any, a: Any, order: str) -> Any:
    """Undo a reshape (or ravel, flatten) of `a` in `order`: reading g back in
    the same order puts each element where it came from. 'A' is F order for
    Fortran-contiguous arrays, else C; 'K' is the order of a's memory."""
    shape = _shape(a)
    order = order.upper() if isinstance(order, str) else "C"
    if order == "A":
        order = "F" if _fortran_contiguous(a) else "C"
    if order == "K":
        layout = np.empty_like(np.asarray(a), dtype=np.intp)  # a's layout, as 'K' reads it
        layout[...] = np.arange(layout.size).reshape(layout.shape)
        out = np.empty(layout.size, dtype=np.result_type(g, float))
        out[np.ravel(layout, order="K")] = np.ravel(g)
        return out.reshape(shape)
    return np.reshape(g, shape, order=order)


def _fortran_contiguous(a: Any) -> bool:
    flags = getattr(a, "flags", None)
    return flags is not None and flags.f_contiguous and not flags.c_contiguous


def cross_adjoint(g: Any, a: Any, b: Any, of_b: bool) -> Any:
    """The adjoint of a (or b, if `of_b`) in np.cross(a, b): b x g and g x a
    (the scalar triple product), for 3-vectors, 2-vectors (whose cross
    product is the scalar z component) and a mix."""
    a, b, g = np.asarray(a), np.asarray(b), np.asarray(g)
    a3, b3 = _to_3d(a), _to_3d(b)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        g3 = np.zeros(g.shape + (3,), dtype=np.result_type(g, float))
        g3[..., 2] = g
    else:
        g3 = g
    x = b if of_b else a
    d = np.cross(g3, a3) if of_b else np.cross(b3, g3)
    return unbroadcast(d[..., :x.shape[-1]], x)


def _to_3d(v: np.ndarray) -> np.ndarray:
    if v.shape[-1] == 3:
        return v
    return np.concatenate([v, np.zeros(v.shape[:-1] + (1,), dtype=v.dtype)], axis=-1)


def read_slice(g: Any, index: Any, written: Any = None, value: Any = None) -> Any:
    """g[index] as a value of its own (the slice is zeroed right after). When an
    integer-array index names an element twice, NumPy's write kept the last
    value only: the earlier ones get no gradient. Nor does a fractional value
    written into an integer array (`written`), which truncates it."""
    part = snapshot(g[index])
    if part is None:  # a list item nothing read: its adjoint is zero
        return zeros_like(value)
    if _truncates(written, value):
        return np.zeros(np.shape(part))
    if isinstance(g, np.ndarray) and not _is_basic_index(index):
        where = np.arange(g.size).reshape(g.shape)[index]
        flat = where.ravel()
        if np.unique(flat).size != flat.size:
            last = np.zeros(flat.size, dtype=bool)
            _, first_from_end = np.unique(flat[::-1], return_index=True)
            last[flat.size - 1 - first_from_end] = True
            part = part * last.reshape(where.shape)
    return part


def repetition_adjoint(g: Any, seq: Any) -> Any:
    """The adjoint of `seq` in `seq * n` (a list or tuple repeated): each item's
    copies add up."""
    n = len(seq)
    parts: list = [None] * n
    for k, item in enumerate(g):
        if item is not None:
            j = k % n
            parts[j] = item if parts[j] is None else add_adjoints(parts[j], item)
    return tuple(parts) if isinstance(seq, tuple) else parts


def truncated(g: Any, ans: Any, x: Any) -> Any:
    """The adjoint through a conversion of x into `ans` (astype, np.array(...,
    dtype=...)): zero if it truncated fractions to integers (piecewise constant);
    integers kept as integers pass g on, as integer arguments count as reals."""
    return np.zeros(np.shape(ans)) if _truncates(ans, x) else g


def cast_adjoint(g: Any, dtype: Any, x: Any) -> Any:
    """The adjoint through a `dtype=` argument: zero if the dtype is an integer
    type and x is not (the result was truncated: piecewise constant), else g.
    With dtype=None the compiler drops this call."""
    if dtype is None or np.dtype(dtype).kind not in "biu":
        return g
    if np.asarray(x).dtype.kind in "biu":
        return g
    return np.zeros(np.shape(g))


def _truncates(result: Any, source: Any) -> bool:
    """Does storing `source` as `result`'s integer type cut off fractions?"""
    if not (isinstance(result, np.ndarray) and result.dtype.kind in "biu"):
        return False
    try:
        return np.asarray(source).dtype.kind not in "biu"
    except (TypeError, ValueError):
        return True


def check_inplace(value: Any, names: str, *others: Any) -> None:
    """Before `y op= e` or `y[i] = e`: refuse if one of `others`, names read
    later, shares memory with y's array (is it, views it, or holds it). An
    Ellipsis stands for a name not bound here: then any array counts as shared."""
    if not isinstance(value, (np.ndarray, list, dict)):
        return
    if any(other is ... or _shares(value, other) for other in others):
        who = f" ({names})" if names else ""
        raise AliasingError(
            f"this in-place update changes an array or list that another name{who} also "
            "refers to (as itself, a view or an item of a list, or as a helper's argument); "
            "Python would change what that name reads, and s2sad does not follow such "
            "changes",
            hint="write `y = y * c` (a new array) instead of `y *= c`, or copy first with "
            "y = y.copy()",
        )


def check_inplace_item(item: Any, container: Any, index: Any, names: str, *others: Any) -> None:
    """Before `container[index] op= e`: Python updates the item itself in place
    (an array in a list, tuple or dict), so every other holder of that array
    sees the change, where s2sad puts a new array in the slot. Refuse if
    another slot or another name read later shares the item's memory."""
    if not isinstance(item, np.ndarray) or isinstance(container, np.ndarray):
        return  # a number is rebound, as in Python; an array's own write is checked itself
    if isinstance(container, dict):
        slots = [v for k, v in container.items() if k != index]
    else:
        slots = [v for j, v in enumerate(container) if j != index % len(container)]
    check_inplace(item, names, *slots, *[o for o in others if o is not container])


def _shares(value: Any, other: Any) -> bool:
    if other is value:
        return True
    if isinstance(other, (list, tuple, dict)):
        items = other.values() if isinstance(other, dict) else other
        return any(_shares(value, item) for item in items)
    return isinstance(value, np.ndarray) and isinstance(other, np.ndarray) and \
        np.may_share_memory(value, other)


def _shape(x: Any) -> tuple:
    shape = getattr(x, "shape", None)
    return shape if shape is not None else np.shape(x)


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum the adjoint `g` of a broadcast result back to the shape of operand `x`."""
    if x is None or isinstance(x, dict):
        return g  # a placeholder (a return value not yet set), or a structure
    try:
        shape = _shape(x)
    except ValueError:  # a tuple of items of different shapes: a structure
        return g
    g_shape = _shape(g)
    if g_shape == shape:
        return g
    extra = len(g_shape) - len(shape)
    if extra > 0:
        g = np.sum(g, axis=tuple(range(extra)))
    elif extra < 0:  # a stand-in zero or a scalar adjoint: broadcast it up
        return np.broadcast_to(g, shape).copy()
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and _shape(g)[i] != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    if not shape and isinstance(x, (int, float)):
        return float(g)
    return g


def zeros_like(x: Any) -> Any:
    """A zero adjoint shaped like `x`: 0.0, zeros, or the same structure for containers."""
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, dtype=np.result_type(x.dtype, np.float64))
    if isinstance(x, dict):
        return {k: zeros_like(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(zeros_like(v) for v in x)
    if isinstance(x, np.generic):
        return np.zeros((), dtype=np.result_type(x.dtype, np.float64))[()]
    return 0.0


def add_adjoints(a: Any, b: Any) -> Any:
    """Sum two adjoints that may be containers (tuples, lists, dicts) or None (zero)."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = add_adjoints(out.get(k), v)
        return out
    if isinstance(a, (list, tuple)):
        return type(a)(add_adjoints(x, y) for x, y in zip(a, b))
    return a + b


# ---------------------------------------------------------------- elementwise


def max_share(x: Any, y: Any) -> Any:
    """Share of the gradient of maximum(x, y) that goes to x: 1, 1/2 on ties, 0."""
    x, y = _array_if_list(x), _array_if_list(y)
    return (x > y) + 0.5 * (x == y)


def fmax_share(x: Any, y: Any, larger: bool) -> Any:
    """Share of the gradient of fmax(x, y) (fmin if not `larger`) that goes to
    x: 1 where x wins or y is NaN (fmax ignores NaNs), 0 elsewhere; a tie goes
    to y, as in JAX."""
    x, y = _array_if_list(x), _array_if_list(y)
    wins = x > y if larger else x < y
    return (wins | (y != y)) + 0.0


def clip_share(a: Any, lo: Any, hi: Any, which: int) -> Any:
    """Share of the gradient of clip(a, lo, hi) that goes to a (which=0), lo (1)
    or hi (2). NumPy computes min(max(a, lo), hi), so that is differentiated,
    with ties split evenly as for maximum and minimum (JAX's convention); it
    holds for lo > hi too, where the result is hi."""
    a = _array_if_list(a)
    lo, hi = _array_if_list(lo), _array_if_list(hi)
    if lo is None:
        m, dm_da, dm_dlo = a, 1.0, 0.0
    else:
        m = np.maximum(a, lo)
        dm_da, dm_dlo = max_share(a, lo), max_share(lo, a)
    dr_dm, dr_dhi = (1.0, 0.0) if hi is None else (max_share(hi, m), max_share(m, hi))
    return (dr_dm * dm_da, dr_dm * dm_dlo, dr_dhi)[which]


def abs_sign(x: Any) -> Any:
    """|x|'s adjoint factor: for real x, 1 where x >= 0 (also at 0 and -0.0,
    JAX's convention) and -1 below; for complex z, conj(z) / |z| (0 at 0), the
    convention of JAX and autograd (the gradient is df/dRe z - i df/dIm z)."""
    if type(x) is float or type(x) is int:
        return 1.0 if x >= 0 else -1.0
    x = _array_if_list(x)
    if np.iscomplexobj(x):
        size = np.abs(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(size == 0, 0.0, np.conj(x) / np.where(size == 0, 1.0, size))
    return np.where(x >= 0, 1.0, -1.0)


def abs_tangent(t: Any, x: Any) -> Any:
    """|x|'s tangent: t * sign(x) for real x; Re(conj(z) t) / |z| for complex z
    (|z| is not holomorphic, so this is not its adjoint factor times t)."""
    if np.iscomplexobj(x):
        return np.real(abs_sign(x) * t)
    return t * abs_sign(x)


def pow_base_adjoint(g: Any, x: Any, y: Any) -> Any:
    """g * d(x**y)/dx = g * y * x**(y - 1). Where y == 0, x**0 is constant and
    the derivative is 0 (the formula would meet 0 * inf at x == 0); where
    x == 0 and y < 1 it is infinite, as IEEE arithmetic says (Python's float
    power would raise)."""
    if _is_number(x) and _is_number(y):
        if y == 0:
            return g * 0.0
        if x == 0 and y < 1:
            with np.errstate(divide="ignore", invalid="ignore"):
                return g * y * np.float64(0.0) ** (y - 1)
        return g * y * x ** (y - 1)
    x, y = np.asarray(x), np.asarray(y)
    base = x.astype(np.result_type(x, y, float), copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        derivative = np.where(y == 0, 0.0, y * base ** np.where(y == 0, 1, y - 1))
    return g * derivative


def pow_exponent_adjoint(g: Any, x: Any, ans: Any) -> Any:
    """g * d(x**y)/dy = g * x**y * log(x), with 0 where x == 0 (0**y is 0 or
    1, constant in y either way; the formula would meet 0 * -inf); NaN where
    x < 0, where the derivative is not real."""
    if _is_number(x) and _is_number(ans):
        if x == 0:
            return g * 0.0
        return g * ans * (math.log(x) if x > 0 else math.nan)
    x = np.asarray(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.log(np.where(x == 0, 1.0, x))
    return g * np.where(x == 0, 0.0, ans * log)


def _is_number(x: Any) -> bool:
    return type(x) in (float, int) or isinstance(x, np.generic)


def _array_if_list(x: Any) -> Any:
    """A Python list or tuple of numbers as the array NumPy would make of it."""
    return np.asarray(x) if isinstance(x, (list, tuple)) else x


def sinc_derivative(x: Any) -> Any:
    px = np.pi * np.asarray(x, dtype=float)
    safe = np.where(px == 0, 1.0, px)
    out = np.where(px == 0, 0.0, (np.cos(safe) * safe - np.sin(safe)) / (safe**2) * np.pi)
    return out if np.ndim(x) else float(out)


# ---------------------------------------------------------------- reductions


def _normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        return tuple(a % ndim for a in axis)
    return (axis % ndim,)


def _expand_reduced(g: Any, shape: tuple, axis: Any, keepdims: bool) -> Any:
    """Give a reduction's adjoint back the reduced axes, as size-1 dims."""
    if keepdims or not shape:
        return g
    axes = _normalize_axes(axis, len(shape))
    return np.expand_dims(g, axes)


def sum_adjoint(g: Any, a: Any, axis: Any = None, keepdims: bool = False,
                where: Any = True) -> Any:
    """g spread back over the summed axes (only onto the entries `where` selects)."""
    shape = _shape(a)
    out = np.broadcast_to(_expand_reduced(g, shape, axis, keepdims), shape)
    return out if _selects_all(where) else out * where


def mean_adjoint(g: Any, a: Any, axis: Any = None, keepdims: bool = False,
                 where: Any = True) -> Any:
    shape = _shape(a)
    if not _selects_all(where):  # the mean of the entries `where` selects
        count = np.sum(np.broadcast_to(where, shape), axis=axis, keepdims=True)
        return _expand_reduced(g, shape, axis, keepdims) * where / count
    count = np.prod([shape[i] for i in _normalize_axes(axis, len(shape))]) if shape else 1
    return sum_adjoint(np.divide(g, count), a, axis, keepdims)  # divide before broadcasting


def _selects_all(where: Any) -> bool:
    """Is a reduction's `where=` its default, True (everything)?"""
    return where is True


def either(value: Any, other: Any) -> Any:
    """`value` if it was given (not None), else `other`: for a parameter NumPy
    takes under two names (clip's a_min and min, var's ddof and correction)."""
    return other if value is None else value


def prod_adjoint(g: Any, a: Any, ans: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Adjoint of prod: the product of the other entries, computed directly if there are zeros."""
    shape = _shape(a)
    a = np.asarray(a, dtype=float)
    g = _expand_reduced(g, shape, axis, keepdims)
    if np.all(a != 0):
        return g * _expand_reduced(ans, shape, axis, keepdims) / a
    axes = _normalize_axes(axis, a.ndim)
    last = tuple(range(-len(axes), 0))
    moved = np.moveaxis(a, axes, last)
    flat = moved.reshape(moved.shape[: a.ndim - len(axes)] + (-1,))
    others = _products_of_others(flat).reshape(moved.shape)
    return g * np.moveaxis(others, last, axes)


def _products_of_others(flat: np.ndarray) -> np.ndarray:
    """For each entry along the last axis, the product of all the others (no division)."""
    ones = np.ones(flat.shape[:-1] + (1,))
    before = np.concatenate([ones, np.cumprod(flat, -1)[..., :-1]], -1)
    after = np.flip(np.cumprod(np.flip(flat, -1), -1), -1)
    after = np.concatenate([after[..., 1:], ones], -1)
    return before * after


def extremum_adjoint(g: Any, a: Any, ans: Any, axis: Any = None,
                     keepdims: bool = False) -> Any:
    """Adjoint of max/min: split evenly between the entries that attain it."""
    shape = _shape(a)
    hit = a == _expand_reduced(ans, shape, axis, keepdims)
    count = np.sum(hit, axis=axis, keepdims=True)
    return _expand_reduced(g, shape, axis, keepdims) * hit / count


def var_adjoint(g: Any, a: Any, axis: Any = None, ddof: int = 0,
                keepdims: bool = False) -> Any:
    shape = _shape(a)
    count = np.prod([shape[i] for i in _normalize_axes(axis, len(shape))]) if shape else 1
    centered = a - np.mean(a, axis=axis, keepdims=True)
    return _expand_reduced(g, shape, axis, keepdims) * 2.0 * centered / (count - ddof)


def std_adjoint(g: Any, a: Any, ans: Any, axis: Any = None, ddof: int = 0,
                keepdims: bool = False) -> Any:
    """std = sqrt(var), so its adjoint is var's with g / (2 std). A zero g
    (nothing depends on the result, or it was truncated) stays zero where std
    is 0; a nonzero g there is nan, as in JAX."""
    g, ans = np.asarray(g), np.asarray(ans)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(g == 0, 0.0, g / (2.0 * ans))
    return var_adjoint(scaled, a, axis, ddof, keepdims)


def cumsum_adjoint(g: Any, a: Any, axis: Any = None) -> Any:
    if axis is None:
        flat = np.flip(np.cumsum(np.flip(np.ravel(g))))
        return np.reshape(flat, _shape(a))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def cumprod_adjoint(g: Any, a: Any, ans: Any, axis: Any = None) -> Any:
    """Adjoint of cumprod; dividing by `a` is the fast path, a recurrence handles zeros."""
    if axis is None:
        return np.reshape(cumprod_adjoint(np.ravel(g), np.ravel(a), np.ravel(ans), 0), _shape(a))
    if np.all(np.asarray(a) != 0):
        return cumsum_adjoint(g * ans, a, axis) / a
    # d ans[j] / d a[i] = ans[i-1] * a[i+1] * ... * a[j] for j >= i, so the adjoint of a[i]
    # is ans[i-1] * s[i] with s[i] = g[i] + a[i+1] * s[i+1].
    a_m = np.moveaxis(np.asarray(a, dtype=float), axis, 0)
    g_m = np.moveaxis(np.broadcast_to(g, _shape(a)), axis, 0)
    s = np.empty(a_m.shape, dtype=np.result_type(g_m, float))
    s[-1] = g_m[-1]
    for i in range(len(a_m) - 2, -1, -1):
        s[i] = g_m[i] + a_m[i + 1] * s[i + 1]
    before = np.concatenate([np.ones((1,) + a_m.shape[1:]), np.cumprod(a_m, 0)[:-1]], 0)
    return np.moveaxis(before * s, 0, axis)


def norm_adjoint(g: Any, x: Any, ans: Any, ord: Any = None, axis: Any = None,
                 keepdims: bool = False) -> Any:
    """Adjoint of np.linalg.norm: vector norms of any order, and the matrix norms."""
    x = np.asarray(x, dtype=float)
    if axis is None:
        matrix = ord is not None and x.ndim == 2
    else:
        matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    g = _expand_reduced(g, x.shape, axis, keepdims)
    norm = _expand_reduced(np.asarray(ans), x.shape, axis, keepdims)
    if matrix:
        return _matrix_norm_adjoint(g, x, norm, ord, _normalize_axes(axis, x.ndim))
    if ord is None or ord == 2 or ord == "fro":
        with np.errstate(invalid="ignore", divide="ignore"):
            return g * x / norm  # (nan at a zero vector, as in JAX)
    if ord == 0:  # a count of nonzeros: piecewise constant
        return np.zeros_like(x)
    if np.isinf(ord):
        return extremum_adjoint(g, np.abs(x), norm, axis, True) * abs_sign(x)
    if ord == 1:  # (a zero entry gets 1, as abs at 0 does)
        return g * abs_sign(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return g * abs_sign(x) * (np.abs(x) / norm) ** (ord - 1)


def _matrix_norm_adjoint(g: Any, x: np.ndarray, norm: Any, ord: Any, axes: tuple) -> Any:
    """g, norm have size-1 dims at `axes` (rows, columns)."""
    rows, cols = axes
    if ord in (None, "fro"):
        return g * x / np.where(norm == 0, 1.0, norm)
    if ord in (1, -1, np.inf, -np.inf):  # extreme column (1) or row (inf) absolute sum
        summed, across = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = np.sum(np.abs(x), axis=summed, keepdims=True)
        return extremum_adjoint(g, sums, norm, across, True) * np.sign(x)
    if ord in (2, -2, "nuc"):  # singular values: d s_k = u_k v_k^T
        u, _, vt = np.linalg.svd(np.moveaxis(x, axes, (-2, -1)), full_matrices=False)
        if ord == "nuc":
            d = u @ vt
        else:
            k = 0 if ord == 2 else -1
            d = u[..., :, k, None] * vt[..., k, None, :]
        return g * np.moveaxis(d, (-2, -1), axes)
    raise NotImplementedError(f"s2sad has no adjoint for np.linalg.norm with ord={ord!r}")


def norm_axes(x: Any, axis: Any) -> Any:
    """The axes np.linalg.norm reduces (for np.sum): all when axis is None."""
    return axis


def trace_adjoint(g: Any, a: Any, offset: int, axis1: int, axis2: int) -> Any:
    shape = _shape(a)
    eye = np.eye(shape[axis1], shape[axis2], k=offset)
    eye = np.moveaxis(eye.reshape(eye.shape + (1,) * (len(shape) - 2)), (0, 1), (axis1, axis2))
    g = np.asarray(g)
    g = np.expand_dims(g, (axis1, axis2)) if g.ndim else g
    return eye * g


def diff_adjoint(g: Any, a: Any, n: int, axis: int) -> Any:
    if n >= _shape(a)[axis]:  # every difference was empty: nothing depends on a
        return np.zeros(_shape(a), dtype=np.result_type(g, float))
    for _ in range(n):
        width = [(0, 0)] * np.ndim(g)
        width[axis] = (1, 1)
        padded = np.pad(g, width)
        g = -np.diff(padded, axis=axis)
    return g


# ---------------------------------------------------------------- linear algebra


def matrix_transpose(a: Any) -> Any:
    return np.swapaxes(a, -1, -2)


@_lists_as_arrays("a", "b")
def matmul_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if a_nd == 2 and b_nd == 1:  # the common matrix-vector case
        return np.outer(g, b)
    if a_nd == 1 and b_nd == 2:
        return b @ g
    if b_nd == 1:
        out = np.multiply.outer(g, b) if a_nd > 1 else g * b
    elif a_nd == 1:
        if np.ndim(g) == 1:
            out = b @ g
        else:  # a batched b: sum the batch of (k, 1) products
            out = np.sum(b @ g[..., None], axis=tuple(range(b_nd - 2)))[..., 0]
        return np.reshape(out, _shape(a))
    else:
        out = g @ matrix_transpose(b)
    return unbroadcast(out, a)


@_lists_as_arrays("a", "b")
def matmul_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if a_nd == 2 and b_nd == 1:  # the common matrix-vector case
        return a.T @ g
    if a_nd == 1 and b_nd == 2:
        return np.outer(a, g)
    if a_nd == 1:
        out = np.multiply.outer(a, g) if b_nd > 1 else g * a
        if b_nd > 2:
            out = np.moveaxis(out, 0, -2)
    elif b_nd == 1:
        out = np.sum(matrix_transpose(a) @ g[..., None], axis=tuple(range(a_nd - 2)))[..., 0]
        return np.reshape(out, _shape(b))
    else:
        out = matrix_transpose(a) @ g
    return unbroadcast(out, b)


@_lists_as_arrays("a", "b")
def dot_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a) if np.ndim(a) == 0 else g * b
    if np.ndim(b) <= 2:
        return matmul_adjoint_a(g, a, b)
    # a (..., k) . b (..., k, m): g has shape a.shape[:-1] + b.shape[:-2] + b.shape[-1:]
    nb = np.ndim(b)
    axes_g = list(range(np.ndim(a) - 1, np.ndim(g)))
    axes_b = [i for i in range(nb) if i != nb - 2]
    return np.tensordot(g, b, (axes_g, axes_b))


@_lists_as_arrays("a", "b")
def dot_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b) if np.ndim(b) == 0 else g * a
    if np.ndim(b) <= 2 and np.ndim(a) <= 2:
        return matmul_adjoint_b(g, a, b)
    na, nb = np.ndim(a), np.ndim(b)
    if nb == 1:
        return np.tensordot(a, g, (list(range(na - 1)), list(range(na - 1))))
    lead = list(range(na - 1))
    out = np.tensordot(a, g, (lead, lead))  # (k,) + b.shape[:-2] + (m,)
    return np.moveaxis(out, 0, -2)


@_lists_as_arrays("a", "b")
def inner_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return dot_adjoint_a(g, a, b)
    nb = np.ndim(b)
    axes_g = list(range(np.ndim(a) - 1, np.ndim(g)))
    return np.tensordot(g, b, (axes_g, list(range(nb - 1))))


@_lists_as_arrays("a", "b")
def inner_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return dot_adjoint_b(g, a, b)
    na = np.ndim(a)
    out = np.tensordot(g, a, (list(range(na - 1)), list(range(na - 1))))
    return out


def _tensordot_axes(axes: Any, na: int) -> tuple[list[int], list[int]]:
    if isinstance(axes, int):
        return list(range(na - axes, na)), list(range(axes))
    left, right = axes
    left = [left] if isinstance(left, int) else list(left)
    right = [right] if isinstance(right, int) else list(right)
    return left, right


@_lists_as_arrays("a", "b")
def tensordot_adjoint_a(g: Any, a: Any, b: Any, axes: Any) -> Any:
    na, nb = np.ndim(a), np.ndim(b)
    left, right = _tensordot_axes(axes, na)
    left = [i % na for i in left]
    right = [i % nb for i in right]
    free_a = [i for i in range(na) if i not in left]
    free_b = [i for i in range(nb) if i not in right]
    g_b_axes = list(range(len(free_a), np.ndim(g)))
    out = np.tensordot(g, b, (g_b_axes, free_b))  # free_a + right (in b's order)
    order = free_a + [left[right.index(j)] for j in sorted(right)]
    return np.transpose(out, np.argsort(order))


@_lists_as_arrays("a", "b")
def tensordot_adjoint_b(g: Any, a: Any, b: Any, axes: Any) -> Any:
    na, nb = np.ndim(a), np.ndim(b)
    left, right = _tensordot_axes(axes, na)
    left = [i % na for i in left]
    right = [i % nb for i in right]
    free_a = [i for i in range(na) if i not in left]
    free_b = [i for i in range(nb) if i not in right]
    g_a_axes = list(range(len(free_a)))
    out = np.tensordot(a, g, (free_a, g_a_axes))  # left (in a's order) + free_b
    order = [right[left.index(i)] for i in sorted(left)] + free_b
    return np.transpose(out, np.argsort(order))


def einsum_adjoint(g: Any, operands: list) -> list:
    """Adjoints of np.einsum's positional arguments, in either form:
    `einsum("ij,jk->ik", a, b)` or the sublist form `einsum(a, [0, 1], b,
    [1, 2], [0, 2])`. Each array's adjoint is another einsum, from the
    output's labels back to its own; subscripts and sublists get None."""
    operands = list(operands)
    if isinstance(operands[0], str):
        subscripts, positions = operands[0], list(range(1, len(operands)))
    else:
        positions = list(range(0, len(operands) - 1, 2))
        sublists = [operands[p + 1] for p in positions]
        out = operands[-1] if len(operands) % 2 else None
        subscripts = _sublist_subscripts(sublists, out)
    arrays = [operands[p] for p in positions]
    inputs, output = _einsum_labels(subscripts, [np.ndim(a) for a in arrays])
    adjoints: list = [None] * len(operands)
    for k, p in enumerate(positions):
        adjoints[p] = _einsum_operand_adjoint(g, k, inputs, output, arrays)
    return adjoints


def _sublist_subscripts(sublists: list, out: Any) -> str:
    """The subscripts string of einsum's sublist form (integers as letters)."""
    def spell(sub: Any) -> str:
        return "".join("..." if s is Ellipsis else string.ascii_letters[s] for s in sub)
    text = ",".join(spell(sub) for sub in sublists)
    return text if out is None else text + "->" + spell(out)


def _einsum_labels(subscripts: str, ndims: list[int]) -> tuple[list[str], str]:
    """Explicit labels of the inputs and output, with '...' spelled out as unused letters."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    specs = inputs.split(",")
    unused = [c for c in string.ascii_letters if c not in spec]
    ell_ndims = [nd - len(s) + 3 for s, nd in zip(specs, ndims) if "..." in s]
    ellipsis = "".join(unused[: max(ell_ndims, default=0)])
    specs = [s.replace("...", ellipsis[len(ellipsis) - (nd - len(s) + 3):]) if "..." in s else s
             for s, nd in zip(specs, ndims)]
    if arrow:
        return specs, output.replace("...", ellipsis)
    letters = "".join(specs)
    once = sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis)
    return specs, ellipsis + "".join(once)


def _einsum_operand_adjoint(g: Any, i: int, specs: list[str], output: str, operands: list) -> Any:
    spec, shape = specs[i], _shape(operands[i])
    others = specs[:i] + specs[i + 1 :]
    other_ops = operands[:i] + operands[i + 1 :]
    labels = "".join(dict.fromkeys(spec))  # each label once, in order
    sizes = dict(zip(spec, shape))
    present = set(output).union(*others)
    kept = "".join(c for c in labels if c in present)
    partial = np.einsum(",".join([output, *others]) + "->" + kept, g, *other_ops)
    # Labels summed out of this operand alone come back by broadcasting ...
    partial = np.expand_dims(partial, [k for k, c in enumerate(labels) if c not in present])
    # ... and size-1 dims that einsum broadcast against the others are summed back.
    stretched = tuple(k for k, c in enumerate(labels) if sizes[c] == 1 and partial.shape[k] != 1)
    if stretched:
        partial = np.sum(partial, axis=stretched, keepdims=True)
    full = np.broadcast_to(partial, [sizes[c] for c in labels])
    if labels == spec:
        return np.array(full)
    out = np.zeros(shape, dtype=np.result_type(full, float))  # a repeated label: a diagonal
    np.einsum(f"{spec}->{labels}", out)[...] = full
    return out


@_lists_as_arrays("a", "b")
def solve_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    """x = solve(a, b) gives b the adjoint solve(a^T, g); a 1-D b is one column."""
    if np.ndim(b) == 1:
        return unbroadcast(np.linalg.solve(matrix_transpose(a), g[..., None])[..., 0], b)
    return unbroadcast(np.linalg.solve(matrix_transpose(a), g), b)


@_lists_as_arrays("a", "b")
def solve_adjoint_a(g: Any, a: Any, b: Any, ans: Any) -> Any:
    """x = solve(a, b) gives a the adjoint -solve(a^T, g) x^T."""
    if np.ndim(b) == 1:
        gb = np.linalg.solve(matrix_transpose(a), g[..., None])
        return unbroadcast(-gb * ans[..., None, :], a)
    gb = np.linalg.solve(matrix_transpose(a), g)
    return unbroadcast(-gb @ matrix_transpose(ans), a)


@_lists_as_arrays("a", "b")
def solve_tangent(a: Any, b: Any, t_a: Any, v: Any) -> Any:
    """solve(a, t_a @ v), or solve(a, v) without t_a, treating v as b is
    treated: a stack of columns, or one column if b is 1-d (x = solve(a, b)
    has tangent solve(a, t_b - t_a @ x))."""
    column = np.ndim(b) == 1
    v = np.asarray(v)
    if column:
        v = v[..., None]
    if t_a is not None:
        v = t_a @ v
    out = np.linalg.solve(a, v)
    return out[..., 0] if column else out


def slogdet_tangent(t: Any, a: Any, ans: Any) -> tuple:
    """The tangent of (sign, log|det a|): d log det = tr(a^-1 t); for a real
    matrix the sign does not change, for a complex one it turns by the
    imaginary part."""
    turn = np.einsum("...ij,...ji->...", np.linalg.inv(a), t)
    sign = ans[0]
    if np.iscomplexobj(turn):
        return sign * 1j * np.imag(turn), np.real(turn)
    return np.zeros_like(sign, dtype=float), turn


def cumprod_tangent(t: Any, a: Any, ans: Any, axis: Any) -> Any:
    """The tangent of cumprod: ans * cumsum(t / a) without zeros; with zeros,
    each product's terms computed directly (the product of the other factors)."""
    a, t = np.asarray(a), np.asarray(t)
    if axis is None:
        a, t, axis = a.ravel(), np.broadcast_to(t, a.shape).ravel(), 0
    if np.all(a != 0):
        return ans * np.cumsum(t / a, axis)
    am = np.moveaxis(a, axis, -1)
    tm = np.moveaxis(np.broadcast_to(t, a.shape), axis, -1)
    out = np.zeros(am.shape, dtype=np.result_type(am, tm, float))
    for k in range(am.shape[-1]):
        for i in range(k + 1):
            others = np.prod(np.delete(am[..., :k + 1], i, axis=-1), axis=-1)
            out[..., k] += tm[..., i] * others
    return np.moveaxis(out, -1, axis)


def det_adjoint(g: Any, a: Any, ans: Any) -> Any:
    """g times the cofactor matrix of a: det(a) * inv(a)^T where a is
    invertible, and the adjugate from a singular value decomposition where it
    is not (it stays well defined: nonzero for rank n - 1)."""
    a = np.asarray(a)
    if np.all(ans != 0):
        return (np.asarray(g) * ans)[..., None, None] * matrix_transpose(np.linalg.inv(a))
    u, s, vt = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], -1)
    sign = np.linalg.det(u) * np.linalg.det(vt)
    cofactor = (u * others[..., None, :]) @ vt * sign[..., None, None]  # adj(a)^T
    return np.asarray(g)[..., None, None] * cofactor


def slogdet_adjoint(g: Any, a: Any) -> Any:
    g_logdet = g[1] if g[1] is not None else 0.0
    return np.asarray(g_logdet)[..., None, None] * matrix_transpose(np.linalg.inv(a))


# ---------------------------------------------------------------- shapes and indexing


def transpose_adjoint(g: Any, axes: Any) -> Any:
    """Undo np.transpose(a, axes): transpose g by the inverse permutation (axes
    may be negative)."""
    if axes is None:
        return np.transpose(g)
    return np.transpose(g, np.argsort([axis % np.ndim(g) for axis in axes]))


def method_transpose_adjoint(g: Any, axes: Any) -> Any:
    if not axes:
        return np.transpose(g)
    if len(axes) == 1 and axes[0] is None:
        return np.transpose(g)
    perm = axes[0] if len(axes) == 1 else axes
    return transpose_adjoint(g, perm)


def roll_adjoint(g: Any, shift: Any, axis: Any) -> Any:
    neg = tuple(-s for s in shift) if isinstance(shift, (tuple, list)) else -shift
    return np.roll(g, neg, axis)


def tile_adjoint(g: Any, a: Any, reps: Any) -> Any:
    shape = _shape(a)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    ndim = max(len(shape), len(reps))
    shape_full = (1,) * (ndim - len(shape)) + tuple(shape)
    reps_full = (1,) * (ndim - len(reps)) + reps
    split = []
    for r, n in zip(reps_full, shape_full):
        split += [r, n]
    g = np.reshape(g, split)
    g = np.sum(g, axis=tuple(range(0, 2 * ndim, 2)))
    return np.reshape(g, shape)


def repeat_adjoint(g: Any, a: Any, repeats: Any, axis: Any) -> Any:
    """Each entry of `a` collects the adjoints of its copies (none if repeated 0 times)."""
    shape = _shape(a)
    if axis is None:  # np.repeat flattens first
        return np.reshape(repeat_adjoint(g, np.ravel(a), repeats, 0), shape)
    axis = axis % len(shape)
    n = shape[axis]
    if np.ndim(repeats) == 0:  # copies are adjacent: fold them into a new axis
        new = shape[:axis] + (n, repeats) + shape[axis + 1 :]
        return np.sum(np.reshape(g, new), axis=axis + 1)
    owner = np.repeat(np.arange(n), repeats)  # which entry each copy came from
    moved = np.moveaxis(np.asarray(g), axis, -1)
    out = np.zeros(moved.shape[:-1] + (n,), dtype=np.result_type(moved, float))
    np.add.at(out, (..., owner), moved)
    return np.moveaxis(out, -1, axis)


def _split_points(arrays: list, axis: int) -> list[int]:
    sizes = [np.shape(a)[axis] for a in arrays]
    return list(np.cumsum(sizes)[:-1])


def concatenate_adjoint(g: Any, arrays: list, axis: Any) -> list:
    if axis is None:
        pieces = np.split(np.ravel(g), np.cumsum([np.size(a) for a in arrays])[:-1])
        return [np.reshape(p, np.shape(a)) for p, a in zip(pieces, arrays)]
    return np.split(g, _split_points(arrays, axis), axis=axis)


def stack_adjoint(g: Any, arrays: list, axis: int) -> list:
    return [np.take(g, i, axis=axis) for i in range(len(arrays))]


def hstack_adjoint(g: Any, arrays: list) -> list:
    arrays_1d = [np.atleast_1d(a) for a in arrays]
    axis = 0 if arrays_1d[0].ndim == 1 else 1
    pieces = np.split(g, _split_points(arrays_1d, axis), axis=axis)
    return [np.reshape(p, np.shape(a)) for p, a in zip(pieces, arrays)]


def vstack_adjoint(g: Any, arrays: list) -> list:
    arrays_2d = [np.atleast_2d(a) for a in arrays]
    pieces = np.split(g, _split_points(arrays_2d, 0), axis=0)
    return [np.reshape(p, np.shape(a)) for p, a in zip(pieces, arrays)]


def diag_adjoint(g: Any, v: Any, k: int) -> Any:
    """np.diag builds a matrix from a vector or extracts a diagonal: undo whichever it did."""
    if np.ndim(v) == 1:
        return np.diagonal(g, k).copy()
    full = np.zeros(_shape(v), dtype=np.result_type(g, float))
    idx = np.arange(np.size(g))
    rows, cols = (idx, idx + k) if k >= 0 else (idx - k, idx)
    full[rows, cols] = g
    return full


def diagonal_adjoint(g: Any, a: Any, offset: int, axis1: int, axis2: int) -> Any:
    """Scatter g back onto the diagonal np.diagonal read (which it puts last)."""
    out = np.zeros(_shape(a), dtype=np.result_type(g, float))
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))  # writes go to out
    idx = np.arange(np.shape(g)[-1])
    rows, cols = (idx, idx + offset) if offset >= 0 else (idx - offset, idx)
    view[..., rows, cols] = g
    return out


def sort_adjoint(g: Any, a: Any, axis: Any) -> Any:
    order = np.argsort(a, axis=axis, kind="stable")
    out = np.zeros(_shape(a), dtype=np.result_type(g, float))
    np.put_along_axis(out, order, g, axis=axis)
    return out


def array_adjoint(g: Any, obj: Any) -> Any:
    """Adjoint of np.array(obj): the same nesting of lists as obj, or an array."""
    if isinstance(obj, (list, tuple)):
        return [array_adjoint(g[i], item) for i, item in enumerate(obj)]
    return unbroadcast(g, obj) if np.ndim(obj) == np.ndim(g) else g


def sequence_adjoint(g: Any, x: Any) -> Any:
    """Adjoint of list(x) / tuple(x): rows of an array, or items of a sequence."""
    items = [zeros_like(item) if gi is None else gi for gi, item in zip(g, x)]
    if isinstance(x, np.ndarray):
        return np.reshape(np.array(items, dtype=float), x.shape)
    return type(x)(items) if isinstance(x, tuple) else items


def sum_adjoint_items(g: Any, items: Any) -> list:
    """Adjoint of builtin sum(items): each item gets g, summed to its own shape."""
    return [unbroadcast(g, item) for item in items]


def list_item(g: Any, index: int, like: Any) -> Any:
    """Item `index` of a list's adjoint, which holds None (zero) for items nothing read."""
    item = g[index]
    return zeros_like(like) if item is None else item


def _extreme_index(items: list, largest: bool) -> int:
    best = 0
    for k in range(1, len(items)):
        if items[k] > items[best] if largest else items[k] < items[best]:
            best = k
    return best


def extreme_tangent(t: list, args: list, largest: bool) -> Any:
    """The tangent of builtin max(...)/min(...): that of the item Python picked."""
    if len(args) > 1:
        return t[_extreme_index(list(args), largest)]
    return t[0][_extreme_index(list(args[0]), largest)]


def extreme_adjoint(g: Any, args: list, largest: bool) -> list:
    """Adjoints of the arguments of builtin max(...)/min(...): g for the item
    Python picked (the first extreme one), zero for the others. With one
    argument, the items are its elements."""
    items = list(args[0]) if len(args) == 1 else list(args)
    best = 0
    for k in range(1, len(items)):
        if items[k] > items[best] if largest else items[k] < items[best]:
            best = k
    if len(args) > 1:
        return [g if k == best else zeros_like(a) for k, a in enumerate(args)]
    whole = args[0]
    if isinstance(whole, np.ndarray):
        adjoint = np.zeros(whole.shape)
        adjoint[best] = g
        return [adjoint]
    parts: list = [None] * len(items)  # (None: an item nothing reached)
    parts[best] = g
    return [tuple(parts) if isinstance(whole, tuple) else parts]


def iteration_items(x: Any) -> Any:
    """What `for item in x` goes through, by position: a dict's keys, or x."""
    return list(x) if isinstance(x, dict) else x


def iteration_adjoint(g: Any, x: Any) -> Any:
    """A dict's keys carry no gradient (its values' reads have their own)."""
    return zeros_like(x) if isinstance(x, dict) else g


def concat_adjoint(g: Any, left: Any, right_part: bool) -> Any:
    """The adjoint of one operand of a list or tuple concatenation `left + right`:
    its slice of the result's adjoint."""
    n = len(left)
    part = g[n:] if right_part else g[:n]
    return type(left)(part) if isinstance(left, tuple) else list(part)


def dict_values_adjoint(g: Any, keys: tuple, values: list) -> list:
    """The adjoints of the values of a dict display `{k: v, ...}` (zero for a
    value nothing reached)."""
    parts = g if isinstance(g, dict) else {}
    return [zeros_like(v) if parts.get(k) is None else parts[k] for k, v in zip(keys, values)]


def _is_basic_index(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts
    )


def getitem_adjoint(g: Any, x: Any, index: Any) -> Any:
    """Adjoint of x[index]: zeros shaped like x with g added at index."""
    if isinstance(x, (list, tuple)):
        out: list = [None] * len(x)
        if isinstance(index, slice):
            for i, gi in zip(range(*index.indices(len(x))), g):
                out[i] = gi
        else:
            out[index] = g
        return type(x)(out) if isinstance(x, tuple) else out
    if isinstance(x, dict):
        return {index: g}
    out = np.zeros(_shape(x), dtype=np.result_type(np.asarray(g).dtype, np.float64))
    if _is_basic_index(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


def take_adjoint(g: Any, a: Any, indices: Any, axis: Any, mode: str = "raise") -> Any:
    """Add g into the positions np.take read (with mode 'clip' or 'wrap', the
    positions an index out of range stood for); repeated indices add up."""
    shape = _shape(a)
    out = np.zeros(shape, dtype=np.result_type(g, float))
    n = int(np.prod(shape)) if axis is None else shape[axis % len(shape)]
    indices = np.asarray(indices)
    if mode == "clip":
        indices = np.clip(indices, 0, n - 1)
    elif mode == "wrap":
        indices = indices % n
    if axis is None:  # indices into the flattened array
        np.add.at(out.reshape(-1), indices, g)
        return out
    np.add.at(out, (slice(None),) * (axis % len(shape)) + (indices,), g)
    return out


def item_adjoint(g: Any, a: Any, args: list) -> Any:
    """a.item(*args): g at the one element it read (a flat index, or one per axis)."""
    out = np.zeros(_shape(a), dtype=np.result_type(g, float))
    if not args:
        out.reshape(-1)[0] = g
    elif len(args) == 1 and not isinstance(args[0], tuple):
        out.reshape(-1)[args[0]] = g
    else:
        out[tuple(args[0]) if len(args) == 1 else tuple(args)] = g
    return out


def atleast_adjoint(g: Any, arys: list) -> list:
    """np.atleast_1d/2d reshape each array (one array: one result; several: a list)."""
    parts = [g] if len(arys) == 1 else list(g)
    return [np.reshape(part, np.shape(a)) for part, a in zip(parts, arys)]


def hypot_adjoint(g: Any, ans: Any, coordinates: list) -> list:
    """math.hypot(*xs) = sqrt(sum x^2): each coordinate gets g * x / hypot."""
    return [g * x / ans for x in coordinates]


def take_along_axis_adjoint(g: Any, arr: Any, indices: Any, axis: Any) -> Any:
    """Add g into the positions np.take_along_axis read; repeated indices add up."""
    shape = _shape(arr)
    out = np.zeros(shape, dtype=np.result_type(g, float))
    if axis is None:
        np.add.at(out.reshape(-1), indices, g)
        return out
    axis = axis % len(shape)
    index = []
    for d, n in enumerate(np.shape(g)):
        if d == axis:
            index.append(np.asarray(indices))
            continue
        pos = np.arange(n) if shape[d] == n else np.zeros(n, dtype=int)  # broadcast dims
        index.append(pos.reshape([-1 if k == d else 1 for k in range(len(shape))]))
    np.add.at(out, tuple(index), g)
    return out


# ---------------------------------------------------------------- API-boundary helpers


def as_gradient_of(grad: Any, x: Any) -> Any:
    """Give a raw adjoint the type and shape of the argument it belongs to."""
    if type(x) is float and type(grad) in (float, np.float64):
        return float(grad)
    if grad is None:
        return zeros_like(x)
    if isinstance(x, dict):
        parts = grad if isinstance(grad, dict) else {}
        return {k: as_gradient_of(parts.get(k), v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        if isinstance(grad, np.ndarray) and grad.ndim > 0 and len(grad) == len(x):
            parts = list(grad)  # NumPy read the list as an array: its rows are the items'
        else:
            parts = grad if isinstance(grad, (list, tuple)) else [None] * len(x)
        return type(x)(as_gradient_of(gi, xi) for gi, xi in zip(parts, x))
    if isinstance(x, np.ndarray):
        out = np.asarray(grad)
        if out.shape != x.shape:
            out = np.broadcast_to(unbroadcast(out, x), x.shape)
        dtype = x.dtype if np.issubdtype(x.dtype, np.inexact) else np.float64
        if np.iscomplexobj(out):
            dtype = np.result_type(dtype, out.dtype)
        if out.dtype == dtype and out.flags.writeable and out.flags.owndata:
            return out  # already a fresh array of the right kind: no copy
        return np.array(out, dtype=dtype)
    if isinstance(x, np.generic):
        dtype = x.dtype if np.issubdtype(x.dtype, np.inexact) else np.float64
        return np.asarray(grad, dtype=dtype)[()]
    if isinstance(x, complex):
        return complex(np.sum(grad))
    return float(np.sum(grad)) if np.ndim(grad) else float(grad)


# ---------------------------------------------------------------- tangents of adjoint helpers
# Forward mode over reverse-mode code (Hessian-vector products) differentiates
# the helpers above; those not linear in their derivative inputs have these.


def cross_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    """The adjoint of a in np.cross(a, b)."""
    return cross_adjoint(g, a, b, False)


def cross_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    """The adjoint of b in np.cross(a, b)."""
    return cross_adjoint(g, a, b, True)


def abs_sign_tangent(t: Any, x: Any) -> Any:
    """The tangent of abs_sign: 0 for real x (a step); for complex z, of
    conj(z) / |z|: conj(t) / |z| - conj(z) Re(conj(z) t) / |z|^3."""
    if not np.iscomplexobj(x) and not np.iscomplexobj(t):
        return np.zeros(np.broadcast_shapes(np.shape(t), np.shape(x)))
    size = np.abs(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.conj(t) / size - np.conj(x) * np.real(np.conj(x) * t) / size ** 3


def real_step_tangent(t: Any, x: Any) -> Any:
    """The tangent of a factor that is a step function of a real x (a sign, a
    share of a tie): 0."""
    if np.iscomplexobj(x):
        raise UnsupportedSyntaxError(
            "second derivatives of this operation on complex numbers are not supported",
            hint="differentiate once, or split the number into its real and imaginary parts")
    return np.zeros(np.shape(t)) if np.ndim(t) else 0.0


def pow_base_exponent_tangent(g: Any, x: Any, y: Any, t: Any) -> Any:
    """d/dy of pow_base_adjoint(g, x, y) = g y x^(y-1), times t:
    g x^(y-1) (1 + y log x) t; 0 where x == 0 and y > 1 (the factor x^(y-1)
    vanishes to higher order than log x grows)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        safe = np.where(x == 0, 1.0, x)
        value = safe ** (y - 1) * (1.0 + y * np.log(safe))
        at_zero = np.where(y > 1, 0.0, np.where(y == 1, -np.inf, np.inf))
        value = np.where(x == 0, at_zero, value)
    out = g * value * t
    return out if np.ndim(out) else float(out)


def pow_exponent_base_tangent(g: Any, x: Any, ans: Any, t: Any) -> Any:
    """d/dx of pow_exponent_adjoint(g, x, ans) = g ans log x (ans held), times
    t: g ans t / x (0 where x == 0, as the adjoint is)."""
    x = np.asarray(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(x == 0, 0.0, g * ans * t / np.where(x == 0, 1.0, x))
    return out if np.ndim(out) else float(out)


def sinc_second_derivative(x: Any) -> Any:
    """d^2/dx^2 sinc(x) = pi^2 * (d^2/du^2 sin(u)/u at u = pi x); -pi^2/3 at 0."""
    u = np.pi * np.asarray(x, dtype=float)
    safe = np.where(u == 0, 1.0, u)
    value = ((2.0 - safe ** 2) * np.sin(safe) - 2.0 * safe * np.cos(safe)) / safe ** 3
    out = np.where(u == 0, -1.0 / 3.0, value) * np.pi ** 2
    return out if np.ndim(x) else float(out)


def prod_adjoint_a_tangent(g: Any, a: Any, ans: Any, t: Any, axis: Any = None,
                           keepdims: bool = False) -> Any:
    """d/da of prod_adjoint(g, a, ans) (ans held) along t. Without zeros the
    adjoint is g ans / a, so this is -g ans t / a^2; with zeros, the product
    of the others of each entry differentiated directly."""
    shape = _shape(a)
    a, t = np.asarray(a, dtype=float), np.broadcast_to(np.asarray(t, dtype=float), shape)
    g = _expand_reduced(g, shape, axis, keepdims)
    if np.all(a != 0):
        return -g * _expand_reduced(ans, shape, axis, keepdims) * t / a ** 2
    axes = _normalize_axes(axis, a.ndim)
    last = tuple(range(-len(axes), 0))
    moved, moved_t = np.moveaxis(a, axes, last), np.moveaxis(t, axes, last)
    flat = moved.reshape(moved.shape[: a.ndim - len(axes)] + (-1,))
    flat_t = moved_t.reshape(flat.shape)
    out = np.zeros(flat.shape)
    for j in range(flat.shape[-1]):  # entry j moves: every other entry's product changes
        others = flat.copy()
        others[..., j] = flat_t[..., j]
        changed = _products_of_others(others)
        changed[..., j] = 0.0
        out += changed
    return g * np.moveaxis(out.reshape(moved.shape), last, axes)


def prod_adjoint_ans_tangent(g: Any, a: Any, t: Any, axis: Any = None,
                             keepdims: bool = False) -> Any:
    """d/dans of prod_adjoint(g, a, ans) along t: g t / a without zeros (with
    zeros the adjoint does not read ans: 0)."""
    shape = _shape(a)
    a = np.asarray(a, dtype=float)
    if not np.all(a != 0):
        return np.zeros(shape)
    return _expand_reduced(g, shape, axis, keepdims) * _expand_reduced(t, shape, axis,
                                                                       keepdims) / a


def _is_two_norm(x: Any, ord: Any, axis: Any) -> tuple[bool, bool]:
    """(is it the 2-norm or Frobenius norm, is it a matrix norm)."""
    matrix = (ord is not None and np.ndim(x) == 2) if axis is None else \
        isinstance(axis, (tuple, list)) and len(axis) == 2
    return (ord in (None, "fro") if matrix else ord in (None, 2)), matrix


def norm_adjoint_x_tangent(g: Any, x: Any, ans: Any, t: Any, ord: Any = None, axis: Any = None,
                           keepdims: bool = False) -> Any:
    """d/dx of norm_adjoint(g, x, ans) (ans held) along t."""
    two, matrix = _is_two_norm(x, ord, axis)
    if two:
        return norm_adjoint(g, t, ans, ord, axis, keepdims)  # g x / |x| is linear in x
    if ord in (1, np.inf, -np.inf, 0) or (matrix and ord in (-1,)):
        return np.zeros(np.shape(x))  # a step in x
    if matrix:
        raise UnsupportedSyntaxError(
            f"second derivatives of np.linalg.norm with ord={ord!r} of a matrix are not "
            "supported", hint="use the Frobenius norm (ord=None) or a vector norm")
    x = np.asarray(x, dtype=float)
    g = _expand_reduced(g, x.shape, axis, keepdims)
    norm = _expand_reduced(np.asarray(ans), x.shape, axis, keepdims)
    with np.errstate(invalid="ignore", divide="ignore"):
        return g * (ord - 1) * np.abs(x) ** (ord - 2) * t / norm ** (ord - 1)


def norm_adjoint_ans_tangent(g: Any, x: Any, ans: Any, t: Any, ord: Any = None,
                             axis: Any = None, keepdims: bool = False) -> Any:
    """d/dans of norm_adjoint(g, x, ans) (x held) along t: the p-norm's adjoint
    g sign(x) |x|^(p-1) / ans^(p-1) scales by (1 - p) t / ans."""
    two, matrix = _is_two_norm(x, ord, axis)
    p = 2 if two else ord
    if not two and (matrix or ord in (1, np.inf, -np.inf, 0)):
        return np.zeros(np.shape(x))  # (these adjoints do not read ans)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.asarray(g) * (1 - p) * np.asarray(t) / np.asarray(ans)
    return norm_adjoint(scaled, x, ans, ord, axis, keepdims)


@_lists_as_arrays("a", "b")
def solve_adjoint_b_tangent(g: Any, a: Any, b: Any, t: Any) -> Any:
    """d/da of solve(a^T, g) along t: -solve(a^T, t^T solve(a^T, g)), with b's
    vector semantics."""
    column = np.ndim(b) == 1
    gb = np.linalg.solve(matrix_transpose(a), g[..., None] if column else g)
    out = -np.linalg.solve(matrix_transpose(a), matrix_transpose(t) @ gb)
    return unbroadcast(out[..., 0] if column else out, b)


@_lists_as_arrays("a", "b")
def solve_adjoint_a_tangent(g: Any, a: Any, b: Any, ans: Any, t: Any) -> Any:
    """d/da of solve_adjoint_a(g, a, b, ans) = -solve(a^T, g) ans^T (ans held)."""
    column = np.ndim(b) == 1
    d_gb = solve_adjoint_b_tangent(g, a, b, t) if not column else None
    if column:
        gb = np.linalg.solve(matrix_transpose(a), g[..., None])
        d_gb = -np.linalg.solve(matrix_transpose(a), matrix_transpose(t) @ gb)
        return unbroadcast(-d_gb * ans[..., None, :], a)
    return unbroadcast(-d_gb @ matrix_transpose(ans), a)


def einsum_adjoint_tangent(g: Any, operands: list, t: list) -> list:
    """d/d(operands) of einsum_adjoint(g, operands) along t: each array's
    adjoint is linear in every other array, so moving array j changes the
    others' adjoints by their adjoint with j replaced by its tangent."""
    operands = list(operands)
    total: list = [None] * len(operands)
    for j, tj in enumerate(t):
        if tj is None or isinstance(operands[j], (str, list, tuple)) or \
                not np.any(np.asarray(tj) != 0):
            continue
        moved = list(operands)
        moved[j] = tj
        for i, part in enumerate(einsum_adjoint(g, moved)):
            if i != j and part is not None:
                total[i] = part if total[i] is None else total[i] + part
    return [zeros_like(o) if total[i] is None and not isinstance(o, (str, list, tuple))
            else total[i] for i, o in enumerate(operands)]
