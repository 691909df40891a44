"""Adjoints of shape changes, indexing and containers: each undoes the
forward rearrangement (transpose, roll, tile, concatenate, getitem) or
keeps the adjoint of a list or tuple item by item.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from typing import Any

import numpy as np

from .base import (
    _FLOAT64,
    ArgumentTypeError,
    UnsupportedSyntaxError,
    _inexact,
    _is_basic_index,
    _real_dtype,
    _shape,
    add_adjoints,
    adjoint_dtype,
    as_given,
    unbroadcast,
    zeros_like,
)


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
    weights = linspace_weights(num, endpoint).astype(_real_dtype(g))
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
        return np.ravel(t)[_keep_order(np.asarray(a))].reshape(_shape(ans))
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
        out = np.empty(int(np.prod(shape)), dtype=_inexact(g))
        out[_keep_order(np.asarray(a))] = np.ravel(g)
        return out.reshape(shape)
    return np.reshape(g, shape, order=order)


def _keep_order(a: np.ndarray) -> np.ndarray:
    """The C-order position of each element `np.ravel(a, order='K')` reads, in
    turn. NumPy reads such a ravel in its iterator's order (an array
    allocated for the same iteration is laid out in it), which for strides of
    0 (broadcast views) or negative ones differs from `np.empty_like(a)`'s."""
    it = np.nditer([a, None], flags=["zerosize_ok", "refs_ok"],
                   op_flags=[["readonly"], ["writeonly", "allocate"]],
                   op_dtypes=[None, np.intp], order="K")
    positions = it.operands[1]
    positions[...] = np.arange(a.size).reshape(a.shape)
    return np.ravel(positions, order="K")


def _fortran_contiguous(a: Any) -> bool:
    flags = getattr(a, "flags", None)
    return flags is not None and flags.f_contiguous and not flags.c_contiguous


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
    reps = tuple(int(r) for r in np.ravel(reps))  # (a number, np.int64 too, or a sequence)
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
    if axis is None or not shape:  # np.repeat flattens first (a 0-d array: any axis)
        return np.reshape(repeat_adjoint(g, np.ravel(a), repeats, 0), shape)
    axis = axis % len(shape)
    n = shape[axis]
    if np.ndim(repeats) == 0:  # copies are adjacent: fold them into a new axis
        new = shape[:axis] + (n, repeats) + shape[axis + 1 :]
        return np.sum(np.reshape(g, new), axis=axis + 1)
    owner = np.repeat(np.arange(n), repeats)  # which entry each copy came from
    moved = np.moveaxis(np.asarray(g), axis, -1)
    out = np.zeros(moved.shape[:-1] + (n,), dtype=_inexact(moved))
    np.add.at(out, (..., owner), moved)
    return np.moveaxis(out, -1, axis)


def split_adjoint(g: Any, ary: Any, indices_or_sections: Any, axis: int,
                  uneven: bool) -> np.ndarray:
    """The adjoint of `ary` from those of its pieces (`np.split`, or
    `np.array_split` if `uneven`): side by side again, zeros where a piece's
    is None."""
    a = np.asarray(ary)
    split = np.array_split if uneven else np.split
    axis = axis % a.ndim
    # (which positions along the axis each piece took: pieces may overlap or be
    # empty, `np.array_split(a, [4, 1])`)
    taken = split(np.arange(a.shape[axis]), indices_or_sections)
    out = np.zeros(a.shape, dtype=adjoint_dtype(a.dtype))
    lead = (slice(None),) * axis
    for gi, at in zip(g, taken):
        if gi is not None and at.size:
            out[(*lead, at)] += gi
    return out


def _split_points(arrays: list, axis: int) -> list[int]:
    sizes = [np.shape(a)[axis] for a in arrays]
    return list(np.cumsum(sizes)[:-1])


def concatenate_adjoint(g: Any, arrays: list, axis: Any) -> Any:
    if axis is None:
        pieces = np.split(np.ravel(g), np.cumsum([np.size(a) for a in arrays])[:-1])
        return as_given([np.reshape(p, np.shape(a)) for p, a in zip(pieces, arrays)], arrays)
    return as_given(np.split(g, _split_points(arrays, axis), axis=axis), arrays)


def stack_adjoint(g: Any, arrays: list, axis: int) -> Any:
    return as_given([np.take(g, i, axis=axis) for i in range(len(arrays))], arrays)


def _pieces_back(g: Any, arrays: list, joined: list, axis: int) -> Any:
    """g split where the arrays, as the join made them (`joined`: np.atleast_2d's,
    columns...), met along `axis`, each piece in its array's own shape."""
    pieces = np.split(g, _split_points(joined, axis), axis=axis)
    return as_given([np.reshape(p, np.shape(a)) for p, a in zip(pieces, arrays)], arrays)


def hstack_adjoint(g: Any, arrays: list) -> Any:
    arrays_1d = [np.atleast_1d(a) for a in arrays]
    return _pieces_back(g, arrays, arrays_1d, 0 if arrays_1d[0].ndim == 1 else 1)


def vstack_adjoint(g: Any, arrays: list) -> Any:
    return _pieces_back(g, arrays, [np.atleast_2d(a) for a in arrays], 0)


def column_stack_adjoint(g: Any, arrays: list) -> Any:
    """np.column_stack makes columns of 1-D (and 0-d) arrays and lays 2-D ones
    side by side: g's columns back to each array's shape."""
    columns = [np.reshape(a, (-1, 1)) if np.ndim(a) < 2 else a for a in arrays]
    return _pieces_back(g, arrays, columns, 1)


def dstack_adjoint(g: Any, arrays: list) -> Any:
    """np.dstack joins the arrays as 3-D ones (np.atleast_3d) along axis 2."""
    return _pieces_back(g, arrays, [np.atleast_3d(a) for a in arrays], 2)


def append_adjoint(g: Any, arr: Any, values: Any, axis: Any, of_values: bool) -> Any:
    """np.append(arr, values, axis) is np.concatenate((arr, values), axis)
    (both flattened without an axis): the part of g that came from `arr`
    (or, with `of_values`, from `values`)."""
    return concatenate_adjoint(g, [arr, values], axis)[1 if of_values else 0]


def diagflat_adjoint(g: Any, v: Any, k: int) -> Any:
    """np.diagflat puts v's entries (flattened) on diagonal k of a new matrix."""
    return np.reshape(np.diagonal(g, k), np.shape(v)).copy()


def select_adjoint(g: Any, condlist: list, choicelist: list) -> Any:
    """np.select takes each entry from the first choice whose condition holds:
    each choice's adjoint is g where it was taken (summed to its shape)."""
    taken: Any = False
    out = []
    for cond, choice in zip(condlist, choicelist):
        out.append(unbroadcast(np.where(np.logical_and(cond, np.logical_not(taken)), g, 0.0),
                               choice))
        taken = np.logical_or(taken, cond)
    return as_given(out, choicelist)


def select_default_adjoint(g: Any, condlist: list, default: Any) -> Any:
    """np.select's default is taken where no condition holds."""
    taken: Any = False
    for cond in condlist:
        taken = np.logical_or(taken, cond)
    return unbroadcast(np.where(taken, 0.0, g), default)


def nan_to_num_adjoint(g: Any, x: Any) -> Any:
    """np.nan_to_num passes finite entries and replaces the others by
    constants: g where x is finite (a complex x's real and imaginary parts
    each on their own). Self-adjoint, so its tangent too."""
    x = np.asarray(x)
    if x.dtype.kind == "c":
        g = np.asarray(g)
        return np.where(np.isfinite(x.real), g.real, 0.0) + \
            1j * np.where(np.isfinite(x.imag), g.imag, 0.0)
    return np.where(np.isfinite(x), g, 0.0)


_NON_FINITE = {"nan": np.isnan, "posinf": np.isposinf, "neginf": np.isneginf}


def nan_to_num_fill_adjoint(g: Any, x: Any, which: str, fill: Any) -> Any:
    """The adjoint of the number (or array: NumPy broadcasts it) np.nan_to_num
    puts where x is nan (`which` "nan"), +inf ("posinf") or -inf ("neginf"):
    g there, summed to the fill's shape. A complex x's real and imaginary
    parts each take it: in the imaginary part a real fill moves the result
    along i, whose share of g (the convention's d/dRe - i d/dIm) is -Im(g)."""
    x, g = np.asarray(x), np.asarray(g)
    found = _NON_FINITE[which]
    if x.dtype.kind == "c":
        part = np.where(found(x.real), g.real, 0.0) - np.where(found(x.imag), g.imag, 0.0)
    else:
        part = np.where(found(x), np.real(g), 0.0)
    return unbroadcast(part, fill)


def nan_to_num_fill_tangent(t: Any, x: Any, which: str) -> Any:
    """The tangent of np.nan_to_num's result along its fill number's tangent t."""
    x = np.asarray(x)
    found = _NON_FINITE[which]
    if x.dtype.kind == "c":
        return np.where(found(x.real), t, 0.0) + 1j * np.where(found(x.imag), t, 0.0)
    return np.where(found(x), t, 0.0)


def outer_adjoint(g: Any, a: Any, b: Any, of_b: bool) -> Any:
    """np.add.outer(a, b) has a's axes then b's: a's adjoint is g summed over
    b's axes, b's (with `of_b`) over a's."""
    na, nb = np.ndim(a), np.ndim(b)
    axes = tuple(range(na)) if of_b else tuple(range(na, na + nb))
    return np.reshape(np.sum(g, axis=axes), np.shape(b if of_b else a))


def diag_adjoint(g: Any, v: Any, k: int) -> Any:
    """np.diag builds a matrix from a vector or extracts a diagonal: undo whichever it did."""
    if np.ndim(v) == 1:
        return np.diagonal(g, k).copy()
    full = np.zeros(_shape(v), dtype=_inexact(g))
    idx = np.arange(np.size(g))
    rows, cols = (idx, idx + k) if k >= 0 else (idx - k, idx)
    full[rows, cols] = g
    return full


def diagonal_adjoint(g: Any, a: Any, offset: int, axis1: int, axis2: int) -> Any:
    """Scatter g back onto the diagonal np.diagonal read (which it puts last)."""
    out = np.zeros(_shape(a), dtype=_inexact(g))
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))  # writes go to out
    idx = np.arange(np.shape(g)[-1])
    rows, cols = (idx, idx + offset) if offset >= 0 else (idx - offset, idx)
    view[..., rows, cols] = g
    return out


def sort_adjoint(g: Any, a: Any, axis: Any) -> Any:
    order = np.argsort(a, axis=axis, kind="stable")
    out = np.zeros(_shape(a), dtype=_inexact(g))
    np.put_along_axis(out, order, g, axis=axis)
    return out


def array_adjoint(g: Any, obj: Any) -> Any:
    """Adjoint of np.array(obj): the same nesting of lists as obj, or an array."""
    if isinstance(obj, (list, tuple)):
        return [array_adjoint(g[i], item) for i, item in enumerate(obj)]
    return unbroadcast(g, obj) if np.ndim(obj) == np.ndim(g) else g


def sequence_adjoint(g: Any, x: Any) -> Any:
    """Adjoint of list(x) / tuple(x): rows of an array, or items of a
    sequence; a dict's keys carry none (its values' reads have their own)."""
    if isinstance(x, dict):
        return zeros_like(x)
    items = [zeros_like(item) if gi is None else gi for gi, item in zip(g, x)]
    if isinstance(x, np.ndarray):
        return np.reshape(np.array(items, dtype=_inexact(x, *items)), x.shape)
    return tuple(items) if isinstance(x, tuple) else items  # (a namedtuple's: a tuple)


def sum_adjoint_items(g: Any, items: Any) -> Any:
    """Adjoint of builtin sum(items): each item gets g, summed to its own
    shape; of an array (its rows summed), an array of its shape."""
    if isinstance(items, np.ndarray):
        return np.broadcast_to(unbroadcast(g, items[0]) if len(items) else g,
                               items.shape).astype(adjoint_dtype(items.dtype), copy=True)
    return [unbroadcast(g, item) for item in items]


def list_item(g: Any, index: int, like: Any) -> Any:
    """Item `index` of a list's adjoint, which holds None (zero) for items
    nothing read. A slot `zero_slice` zeroed (`dM[1] = 0.0`: a row replaced,
    `M[1] = [...]`) holds 0.0 for the old row's adjoint, a list: its items
    are zeros too."""
    if type(g) is float and g == 0.0:
        return zeros_like(like)
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
    if not len(args[0]):  # (nothing to pick: the default is the result)
        return 0.0
    return t[0][_extreme_index(list(args[0]), largest)]


def extreme_default_adjoint(g: Any, args: list, default: Any) -> Any:
    """The adjoint of max(items, default=d)'s d: g where there are no items."""
    return g if len(args) == 1 and not len(args[0]) else zeros_like(default)


def extreme_default_tangent(t: Any, args: list) -> Any:
    """The tangent of max(items, default=d) from d's: where there are no items."""
    return t if len(args) == 1 and not len(args[0]) else 0.0


_NUMBERS = frozenset({float, int, np.float64})


def extreme_adjoint(g: Any, args: list, largest: bool) -> list:
    """Adjoints of the arguments of builtin max(...)/min(...): g for the item
    Python picked (the first extreme one), zero for the others. With one
    argument, the items are its elements."""
    if len(args) == 2 and type(args[0]) in _NUMBERS and type(args[1]) in _NUMBERS:
        a, b = args  # (max(a, b) of two numbers, the common case: a unless b is beyond it)
        first = not (b > a if largest else b < a)
        return [g if first else 0.0, 0.0 if first else g]
    items = list(args[0]) if len(args) == 1 else list(args)
    if not items:  # (max(items, default=d) of no items: d's, none of theirs)
        return [zeros_like(args[0])]
    best = 0
    for k in range(1, len(items)):
        if items[k] > items[best] if largest else items[k] < items[best]:
            best = k
    if len(args) > 1:
        return [g if k == best else zeros_like(a) for k, a in enumerate(args)]
    whole = args[0]
    if isinstance(whole, np.ndarray):
        adjoint = np.zeros(whole.shape, dtype=_inexact(whole, g))
        adjoint[best] = g
        return [adjoint]
    parts: list = [None] * len(items)  # (None: an item nothing reached)
    parts[best] = g
    return [tuple(parts) if isinstance(whole, tuple) else parts]


def iteration_items(x: Any) -> Any:
    """What `for item in x` goes through, by position: x itself if it is an
    array, a list, a tuple or a range; else what iterating it gives once (a
    dict's keys, a generator's or an iterator's items, an object's
    `__iter__`), as a list."""
    return x if isinstance(x, (np.ndarray, list, tuple, range)) else list(x)


def reversed_items(x: Any) -> Any:
    """What `reversed(x)` goes through: an array's, a list's or a tuple's
    items in reverse (`x[::-1]`: the same items, as a view or a sequence),
    else the reversed iterator's items as a list."""
    return x[::-1] if isinstance(x, (np.ndarray, list, tuple)) else list(reversed(x))


def first_item(items: Any) -> Any:
    """`next(it)` of an iterator made in the call (`next(iter(d.values()))`,
    `next(v for v in x if v > 0)`), from the items going through it gives (a
    sequence): the first; Python's StopIteration if there is none."""
    for item in items:
        return item
    raise StopIteration


def first_found(found: bool, value: Any) -> Any:
    """The end of `next(v for v in x if ...)` lowered to a loop: the value the
    loop stopped at; Python's StopIteration if it found none."""
    if not found:
        raise StopIteration
    return value


def first_item_or(items: Any, default: Any) -> Any:
    """`next(it, default)`: the first of `items`, or `default` if there is none."""
    for item in items:
        return item
    return default


def first_or_items_adjoint(g: Any, items: Any) -> Any:
    """The adjoint of next(it, default)'s items: g at the first, if any."""
    return getitem_adjoint(g, items, 0) if len(items) else zeros_like(items)


def first_or_default_adjoint(g: Any, items: Any, default: Any) -> Any:
    """The adjoint of next(it, default)'s default: g if there were no items."""
    return zeros_like(default) if len(items) else g


def reversed_adjoint(g: Any, x: Any) -> Any:
    """The adjoint of x from that of its reversed items: reversed back (a
    dict's keys carry none)."""
    if isinstance(x, dict):
        return zeros_like(x)
    return g[::-1] if isinstance(g, (np.ndarray, list, tuple)) else g


def iteration_tangent(t: Any, x: Any) -> Any:
    """The tangent of what `for item in x` goes through: a dict's keys have
    none (the keys of the dict's tangent are its keys, not their tangents):
    zeros shaped like each key (a tuple key's, a tuple of zeros), a string
    key itself (so that `k[1:]` of it runs; nothing adds it to a number)."""
    return [key if isinstance(key, (str, bytes)) else zeros_like(key) for key in x] \
        if isinstance(x, dict) else t  # (a str key stands for its own: indexing it works)


def iteration_adjoint(g: Any, x: Any) -> Any:
    """A dict's keys carry no gradient (its values' reads have their own)."""
    return zeros_like(x) if isinstance(x, dict) else g


def concat_adjoint(g: Any, left: Any, right_part: bool) -> Any:
    """The adjoint of one operand of a list or tuple concatenation `left + right`:
    its slice of the result's adjoint."""
    n = len(left)
    part = g[n:] if right_part else g[:n]
    return tuple(part) if isinstance(left, tuple) else list(part)


def dict_values_adjoint(g: Any, keys: tuple, values: list) -> list:
    """The adjoints of the values of a dict display `{k: v, ...}` (zero for a
    value nothing reached)."""
    parts = g if isinstance(g, dict) else {}
    return [zeros_like(v) if parts.get(k) is None else parts[k] for k, v in zip(keys, values)]


def getitem_adjoint(g: Any, x: Any, index: Any) -> Any:
    """Adjoint of x[index]: zeros shaped like x with g added at index (a
    string's: none, a dict's key the analysis took for varied)."""
    if isinstance(x, (str, bytes)):
        return zeros_like(x)
    if isinstance(x, (list, tuple)):
        out: list = [None] * len(x)
        if isinstance(index, slice):
            for i, gi in zip(range(*index.indices(len(x))), g):
                out[i] = gi
        else:
            out[index] = g
        return tuple(out) if isinstance(x, tuple) else out
    if isinstance(x, dict):
        return {index: g}
    return index_adjoint(g, _shape(x), index)


def index_adjoint(g: Any, shape: tuple, index: Any) -> Any:
    """Zeros of `shape` with g added at index: getitem's adjoint for an array
    whose shape the code is specialized for (the array itself is not kept)."""
    out = np.zeros(shape, dtype=_inexact(g if type(g) is np.ndarray else np.asarray(g)))
    if _is_basic_index(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


def index_added(x: Any, g: Any, shape: tuple, index: Any) -> Any:
    """x + index_adjoint(g, shape, index): an adjoint taking one more value
    read at an index (a recursion's `c[k]`, level by level), without the
    zeros: a copy of x with g added there, where x is a float64 array of
    that shape and g a float64 number or array (the sum's dtype is x's).
    None for x is a zero adjoint (`add_adjoints`'s)."""
    if x is None:
        return index_adjoint(g, shape, index)
    if type(x) is np.ndarray and x.dtype == _FLOAT64 and x.shape == shape and \
            (type(g) in (float, np.float64) or type(g) is np.ndarray and g.dtype == _FLOAT64) \
            and _is_basic_index(index):
        out = x.copy()
        out[index] += g
        return out
    return x + index_adjoint(g, shape, index)


def index_added_into(x: Any, g: Any, shape: tuple, index: Any) -> Any:
    """index_added(x, g, shape, index) written into x itself, which the
    caller owns (an adjoint its own backward half made for it and nothing
    else reads: `recursion.owned_adjoints`): no copy where x is a float64
    array of that shape, as index_added would copy it."""
    if type(x) is np.ndarray and x.dtype is _FLOAT64 and x.shape == shape and \
            (type(g) in _FLOATS or type(g) is np.ndarray and g.dtype is _FLOAT64) and \
            (type(index) is int or _is_basic_index(index)):  # (dtype `is`: not equal, a copy)
        x[index] += g
        return x
    return index_added(x, g, shape, index)


_FLOATS = (float, np.float64)


def joined_slices(pieces: tuple, axis: int = 0) -> Any:
    """The adjoint of an array read in slices that tile it along `axis`,
    given the slices' adjoints in order: what `index_adjoint` and a chain of
    `add_at`s give (zeros, each piece added at its slice), as one
    concatenation."""
    out = np.concatenate(pieces, axis=axis)
    return out if out.dtype.kind in "fc" else out.astype(np.float64)


def take_adjoint(g: Any, a: Any, indices: Any, axis: Any, mode: str = "raise") -> Any:
    """Add g into the positions np.take read (with mode 'clip' or 'wrap', the
    positions an index out of range stood for); repeated indices add up."""
    shape = _shape(a)
    out = np.zeros(shape, dtype=_inexact(g))
    n = int(np.prod(shape)) if axis is None else shape[axis % len(shape)]
    indices = np.asarray(indices, dtype=np.intp if np.size(indices) == 0 else None)
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
    out = np.zeros(_shape(a), dtype=_inexact(g))
    if not args:
        out.reshape(-1)[0] = g
    elif len(args) == 1 and not isinstance(args[0], tuple):
        out.reshape(-1)[args[0]] = g
    else:
        out[tuple(args[0]) if len(args) == 1 else tuple(args)] = g
    return out


def atleast_adjoint(g: Any, arys: list) -> list:
    """np.atleast_1d/2d reshape each array (one array: one result; several: a
    tuple, of which a result nothing read has no adjoint: zeros)."""
    parts = [g] if len(arys) == 1 else list(g)
    return [zeros_like(a) if part is None else np.reshape(part, np.shape(a))
            for part, a in zip(parts, arys)]


def hypot_adjoint(g: Any, result: Any, coordinates: list) -> list:
    """math.hypot(*xs) = sqrt(sum x^2): each coordinate gets g * x / hypot."""
    return [g * x / result for x in coordinates]


def take_along_axis_adjoint(g: Any, arr: Any, indices: Any, axis: Any) -> Any:
    """Add g into the positions np.take_along_axis read; repeated indices add up."""
    shape = _shape(arr)
    out = np.zeros(shape, dtype=_inexact(g))
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


def merge_dicts(*mappings: Any) -> dict:
    """The keyword arguments of a call with `**mapping`: the mappings merged;
    a keyword given twice is Python's TypeError."""
    if len(mappings) == 1:
        return dict(mappings[0])
    out: dict = {}
    for m in mappings:
        for k, v in m.items():
            if k in out:
                raise TypeError(f"got multiple values for keyword argument {k!r}")
            out[k] = v
    return out


def merge_dicts_adjoint(g: Any, mappings: list) -> list:
    """Each mapping's part of the merged dict's adjoint."""
    parts = g if isinstance(g, dict) else {}
    return [{k: parts.get(k) for k in m} for m in mappings]


def repeat_count(count: Any) -> Any:
    """`count` in `[x] * count`, where it is not a constant: a number passes
    (an int repeats the list, a float gets Python's TypeError), an array is
    refused (Python would turn the list into an array and multiply)."""
    if isinstance(count, np.ndarray):
        raise ArgumentTypeError(
            "a list times an array is NumPy's multiplication of np.array(list) by it, "
            "which s2sad took for the repetition of the list by a count",
            hint="make the list an array first, np.array(items) * a, or give the count as "
            "an int: [x] * int(n)")
    return count


def key_order(keys: Any, reverse: bool = False) -> list:
    """The positions of `keys` in the order sorted(..., key=...) puts their
    items (stable, like Python's sort)."""
    keys = list(keys)
    return sorted(range(len(keys)), key=keys.__getitem__, reverse=bool(reverse))


def key_extreme(keys: Any, largest: bool) -> int:
    """The position of the item min(..., key=...) or max(..., key=...) returns
    (the first extreme one, as Python's)."""
    return _extreme_index(list(keys), largest)


def dict_union(*mappings: Any) -> dict:
    """dict(mapping, **keywords): the mappings merged, later ones winning."""
    out: dict = {}
    for m in mappings:
        out.update(m)
    return out


def dict_set(d: Any, key: Any, value: Any) -> dict:
    """`d[key] = value` on a dict this function made, as its next version: a
    copy with the item set (of d's own type: an OrderedDict stays one). The
    earlier version stays as it was for the rules that read it; another name
    for it read later is refused by the aliasing checks, as for any update."""
    if not isinstance(d, dict):
        raise UnsupportedSyntaxError(
            f"a name that held a dict is written into (`d[key] = value`) after it was "
            f"rebound to a {type(d).__name__}", hint="use another name for the new value")
    out = copy.copy(d)
    out[key] = value
    return out


def dict_union_adjoint(g: Any, mappings: list) -> list:
    """Each mapping's part of the merged dict's adjoint: a key's adjoint goes
    to the last mapping that gave it (the one whose value the dict holds)."""
    parts = g if isinstance(g, dict) else {}
    last = {k: i for i, m in enumerate(mappings) for k in m}
    return [{k: parts.get(k) if last[k] == i else None for k in m}
            for i, m in enumerate(mappings)]


def check_zip_lengths(strict: Any, *lengths: int) -> None:
    """zip(..., strict=True)'s check, before its items are gone through:
    Python's error where the iterables' lengths differ."""
    if not strict:
        return
    for k, n in enumerate(lengths[1:], 2):
        if n != lengths[0]:
            which = "argument 1" if k == 2 else f"arguments 1-{k - 1}"
            raise ValueError(f"zip() argument {k} is "
                             f"{'shorter' if n < lengths[0] else 'longer'} than {which}")


def zip_items(*iterables: Any) -> list:
    """zip(...) met as a value (not a for loop's): its tuples, as a list."""
    return list(zip(*iterables))


def zip_adjoint(g: Any, iterables: list) -> list:
    """Each zipped iterable's adjoint from the adjoint of the list of tuples."""
    out = []
    for k, it in enumerate(iterables):
        items = list(it)
        parts = [None] * len(items)
        for i, row in enumerate(g or ()):
            if row is not None and i < len(parts):
                parts[i] = row[k]
        out.append(sequence_adjoint(parts, it))
    return out


def zip_star(rows: Any) -> list:
    """zip(*rows): the columns of a sequence of rows, as a list of tuples."""
    return list(zip(*rows))


def zip_star_adjoint(g: Any, rows: Any) -> Any:
    """The adjoint of the rows zip(*rows) read, from that of its columns."""
    parts = zip_adjoint(g, list(rows))
    if isinstance(rows, np.ndarray):
        return sequence_adjoint(parts, rows)
    return tuple(parts) if isinstance(rows, tuple) else list(parts)


def enumerate_items(iterable: Any, start: int = 0) -> list:
    """enumerate(...) met as a value: its (count, item) pairs, as a list."""
    return list(enumerate(iterable, start))


def enumerate_adjoint(g: Any, iterable: Any) -> Any:
    """The iterable's adjoint from the adjoint of the list of (count, item) pairs."""
    parts = [row[1] if row is not None else None for row in (g or [None] * len(iterable))]
    return sequence_adjoint(parts, iterable)


def replace_fields(obj: Any, keys: tuple, *values: Any) -> Any:
    """dataclasses.replace(obj, **changes) or a namedtuple's obj._replace(**changes)."""
    changes = dict(zip(keys, values))
    if isinstance(obj, tuple) and hasattr(obj, "_replace"):
        return obj._replace(**changes)
    return dataclasses.replace(obj, **changes)


def object_with(obj: Any, keys: tuple, *values: Any) -> Any:
    """A shallow copy of the object `obj` with the attributes `keys` set to
    `values` (what s2sad.ravel's unravel builds an object with)."""
    out = copy.copy(obj)
    for key, value in zip(keys, values):  # (as the object's own, also in __slots__)
        object.__setattr__(out, key, value)
    return out


def fields_dropped(g: Any, obj: Any, keys: tuple) -> Any:
    """An object's adjoint without the fields a replace overwrote."""
    if isinstance(g, tuple) and hasattr(obj, "_fields"):
        return tuple(None if name in keys else part for name, part in zip(obj._fields, g))
    if isinstance(g, dict):
        return {k: v for k, v in g.items() if k not in keys}
    return g


def fields_picked(g: Any, obj: Any, keys: tuple, values: list) -> list:
    """The adjoints of the values a replace wrote."""
    if isinstance(g, tuple) and hasattr(obj, "_fields"):
        parts = [g[list(obj._fields).index(k)] for k in keys]
    else:
        parts = [g.get(k) if isinstance(g, dict) else None for k in keys]
    return [zeros_like(v) if p is None else p for p, v in zip(parts, values)]


def fields_set(obj: Any, keys: tuple, t: list) -> Any:
    """The tangent of the fields a replace wrote, shaped like obj's derivative."""
    if hasattr(obj, "_fields") and isinstance(obj, tuple):
        return tuple(t[keys.index(name)] if name in keys else None for name in obj._fields)
    return dict(zip(keys, t))


def as_dict(x: Any) -> dict:
    """dict(x) of a mapping or of (key, value) pairs."""
    return dict(x)


def as_dict_tangent(t: Any, x: Any) -> dict:
    """The tangent of dict(x) from x's: the keys are x's (a pair's tangent
    holds a key's zero, not the key)."""
    if isinstance(x, dict):
        parts = t if isinstance(t, dict) else {}
        return {k: parts.get(k) for k in x}
    parts = list(t) if t is not None else [None] * len(x)
    return {pair[0]: (None if part is None else part[1]) for pair, part in zip(x, parts)}


def enumerate_tangent(t: Any) -> list:
    """The tangent of enumerate(x)'s pairs from x's: the counts have none."""
    return [(0.0, item) for item in (t if t is not None else [])]


def as_dict_adjoint(g: Any, x: Any) -> Any:
    """The adjoint of a mapping, or of a list of (key, value) pairs, that dict() read
    (of pairs with one key, the last: the one whose value the dict holds)."""
    parts = g if isinstance(g, dict) else {}
    if isinstance(x, dict):
        return {k: parts.get(k) for k in x}
    pairs = list(x)
    last = {pair[0]: i for i, pair in enumerate(pairs)}
    return [(None, parts.get(pair[0]) if last[pair[0]] == i else None)
            for i, pair in enumerate(pairs)]


def polyval_coefficients_adjoint(g: Any, p: Any, x: Any) -> Any:
    """The adjoint of np.polyval(p, x)'s coefficients: coefficient i (highest
    power first) multiplies x ** (n - 1 - i), so its adjoint is the sum of g
    times that power (0 ** 0 is 1: the constant term's)."""
    p = _polyval_coefficients(p)
    x = np.asarray(x)  # (in floating point: an integer x's powers would overflow int64)
    x = x.astype(np.result_type(x, 1.0), copy=False)
    powers = x[..., None] ** np.arange(p.shape[0] - 1, -1, -1)
    return np.tensordot(np.broadcast_to(g, x.shape), powers, axes=x.ndim)


def polyval_slope(p: Any, x: Any) -> Any:
    """d/dx np.polyval(p, x), of polyval's own dtype (np.polyder's integer
    factors would make float32 coefficients float64)."""
    p = _polyval_coefficients(p)
    slope = np.polyval(np.polyder(p).astype(np.result_type(p, 1.0)), x)
    return np.asarray(slope, dtype=np.result_type(p, np.asarray(x), 1.0))


def _polyval_coefficients(p: Any) -> np.ndarray:
    """np.polyval's coefficients as s2sad differentiates them: one row (NumPy
    also evaluates the columns of a matrix of them, which is refused)."""
    p = np.asarray(p)
    if p.ndim != 1:
        raise ArgumentTypeError("s2sad differentiates np.polyval with 1-D coefficients",
                                hint="evaluate each polynomial with its own np.polyval")
    return p


def polyval_coefficients_tangent(g: Any, p: Any, x: Any, t: Any) -> Any:
    """The tangent of polyval_coefficients_adjoint(g, p, x) in x (direction
    t): coefficient i's power x ** k, k = n - 1 - i, moves by k x ** (k - 1) t."""
    p = _polyval_coefficients(p)
    n = p.shape[0]
    if n < 2:
        return np.zeros(p.shape, dtype=np.result_type(g, x, t, float))
    lower = polyval_coefficients_adjoint(np.multiply(g, t), p[:-1], x)
    return np.append(np.arange(n - 1, 0, -1) * lower, 0.0)


def _kron_shapes(a: Any, b: Any) -> tuple:
    """a's and b's shapes as np.kron pairs them (the shorter one padded with
    leading 1s)."""
    nd = max(np.ndim(a), np.ndim(b))
    return (1,) * (nd - np.ndim(a)) + np.shape(a), (1,) * (nd - np.ndim(b)) + np.shape(b)


def kron_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    """The adjoint of a in np.kron(a, b) (a gives its shape only): the result,
    its axes split as (a0, b0, a1, b1, ...), holds a[i0, i1, ...] * b[j0, j1, ...]."""
    sa, sb = _kron_shapes(a, b)
    split = np.reshape(g, [d for pair in zip(sa, sb) for d in pair])
    other = np.reshape(b, [d for s in sb for d in (1, s)])
    return np.reshape(np.sum(split * other, axis=tuple(range(1, split.ndim, 2))), np.shape(a))


def kron_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    """The adjoint of b in np.kron(a, b) (b gives its shape only)."""
    sa, sb = _kron_shapes(a, b)
    split = np.reshape(g, [d for pair in zip(sa, sb) for d in pair])
    other = np.reshape(a, [d for s in sa for d in (s, 1)])
    return np.reshape(np.sum(split * other, axis=tuple(range(0, split.ndim, 2))), np.shape(b))


def pad_adjoint(g: Any, array: Any, pad_width: Any) -> Any:
    """The adjoint of np.pad(array, pad_width) in mode 'constant': the entries
    of g where array's own sit (found by padding their positions the same way,
    whatever spelling of pad_width NumPy takes)."""
    shape = np.shape(array)
    where = np.pad(np.arange(math.prod(shape)).reshape(shape), pad_width,
                   constant_values=-1) >= 0
    return np.reshape(np.asarray(g)[where], shape)


def trapezoid_weights(y: Any, x: Any, dx: Any, axis: int) -> Any:
    """The weight of each y in np.trapezoid(y, x, dx, axis): half the widths
    of the intervals on its two sides (shaped to broadcast against y)."""
    y = np.asarray(y)
    axis = axis % y.ndim
    n = y.shape[axis]
    if x is None:
        width = np.full((n - 1,), dx, dtype=np.result_type(dx, 1.0))
        shape = [1] * y.ndim
        shape[axis] = n - 1
        width = width.reshape(shape)
    else:
        x = np.asarray(x)
        width = np.diff(x, axis=axis if x.ndim == y.ndim else -1)
        if x.ndim == 1 and y.ndim > 1:
            shape = [1] * y.ndim
            shape[axis] = n - 1
            width = width.reshape(shape)
    width = np.moveaxis(np.broadcast_to(width, np.broadcast_shapes(
        width.shape, tuple(n - 1 if k == axis else d for k, d in enumerate(y.shape)))), axis, -1)
    zero = np.zeros(width.shape[:-1] + (1,), dtype=width.dtype)
    weights = (np.concatenate([zero, width], -1) + np.concatenate([width, zero], -1)) / 2
    return np.moveaxis(weights, -1, axis)


def trapezoid_adjoint(g: Any, y: Any, x: Any, dx: Any, axis: int) -> Any:
    """np.trapezoid's adjoint in y: g spread along `axis` by each y's weight."""
    return np.expand_dims(g, axis % np.ndim(y)) * trapezoid_weights(y, x, dx, axis)


def _mean_heights(y: Any, axis: int) -> Any:
    """Each interval's mean height (y_k + y_{k+1}) / 2, along the last axis."""
    ym = np.moveaxis(np.asarray(y), axis % np.ndim(y), -1)
    return (ym[..., 1:] + ym[..., :-1]) / 2


def _trapezoid_x_slope(y: Any, axis: int) -> Any:
    """d np.trapezoid / d x_k, along the last axis: x_k moves the interval on
    its left by (y_{k-1} + y_k) / 2 and the one on its right by -(y_k + y_{k+1}) / 2."""
    mid = _mean_heights(y, axis)
    zero = np.zeros(mid.shape[:-1] + (1,), dtype=mid.dtype)
    return np.concatenate([zero, mid], -1) - np.concatenate([mid, zero], -1)


def trapezoid_x_adjoint(g: Any, y: Any, x: Any, axis: int) -> Any:
    """np.trapezoid's adjoint in x (`_trapezoid_x_slope` times g)."""
    part = np.expand_dims(g, -1) * _trapezoid_x_slope(y, axis)
    if np.ndim(x) == 1 and np.ndim(y) > 1:  # (one x for every row)
        return np.sum(part.reshape(-1, part.shape[-1]), axis=0)
    return np.moveaxis(part, -1, axis % np.ndim(y))


def trapezoid_dx_adjoint(g: Any, y: Any, axis: int) -> Any:
    """np.trapezoid's adjoint in dx: the sum of the mean heights, times g."""
    return np.sum(g * np.sum(_mean_heights(y, axis), axis=-1))


def trapezoid_x_tangent(t: Any, y: Any, axis: int) -> Any:
    """np.trapezoid's tangent in x (direction t, x's shape or one row)."""
    tm = np.asarray(t) if np.ndim(t) == 1 else np.moveaxis(np.asarray(t), axis % np.ndim(y), -1)
    return np.sum(_trapezoid_x_slope(y, axis) * tm, axis=-1)
