"""Adjoints of reductions (sum, mean, prod, max, var, std, cumulative ones,
norms, trace, diff): the adjoint spread back over the reduced axes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import (
    ArgumentTypeError,
    _expand_reduced,
    _inexact,
    _normalize_axes,
    _real_dtype,
    _selects_all,
    _shape,
    spread_number,
    zeros_like,
)
from .elementwise import _inexact_array, _real_cotangent, abs_sign


def _count(shape: tuple, axis: Any) -> int:
    """How many entries a reduction over `axis` combines (a Python int, so
    that dividing a float32 adjoint by it keeps float32)."""
    return math.prod(shape[i] for i in _normalize_axes(axis, len(shape))) if shape else 1


def _conj(x: Any) -> Any:
    """conj(x), without a copy for real x."""
    return np.conj(x) if np.iscomplexobj(x) else x


_NUMBERS = (float, np.float64, np.float32, complex, np.complex128, np.complex64)


def sum_adjoint(g: Any, a: Any, axis: Any = None, keepdims: bool = False,
                where: Any = True) -> Any:
    """g spread back over the summed axes (only onto the entries `where` selects)."""
    shape = _shape(a)
    if axis is None and where is True and type(g) in _NUMBERS:  # a full sum's scalar adjoint
        return spread_number(g, shape)  # (fresh for small shapes, a view of big ones)
    out = np.broadcast_to(_expand_reduced(g, shape, axis, keepdims), shape)
    return out if _selects_all(where) else out * where


def mean_adjoint(g: Any, a: Any, axis: Any = None, keepdims: bool = False,
                 where: Any = True) -> Any:
    if axis is None and where is True and type(a) is np.ndarray and type(g) in _NUMBERS \
            and a.size:  # a full mean's scalar adjoint, as below without the checks
        share = g / a.size  # (NumPy's scalars keep their dtype, as np.divide would)
        return spread_number(share, a.shape)
    shape = _shape(a)
    if not _selects_all(where):  # the mean of the entries `where` selects
        count = np.sum(np.broadcast_to(where, shape), axis=axis, keepdims=True)
        return _expand_reduced(g, shape, axis, keepdims) * where / count.astype(_real_dtype(g))
    return sum_adjoint(np.divide(g, _count(shape, axis)), a, axis, keepdims)  # divide first


def prod_adjoint(g: Any, a: Any, result: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Adjoint of prod: the product of the other entries, computed directly if
    there are zeros (holomorphic: the same for complex a, no conjugation)."""
    shape = _shape(a)
    a = _inexact_array(a)
    g = _expand_reduced(g, shape, axis, keepdims)
    if _divides_back(a, result):  # (result / a first: g * result may underflow, g tiny)
        return g * (_expand_reduced(result, shape, axis, keepdims) / a)
    axes = _normalize_axes(axis, a.ndim)
    last = tuple(range(-len(axes), 0))
    moved = np.moveaxis(a, axes, last)
    flat = moved.reshape(moved.shape[: a.ndim - len(axes)] + (-1,))
    others = _products_of_others(flat).reshape(moved.shape)
    return g * np.moveaxis(others, last, axes)


def _divides_back(a: Any, result: Any) -> bool:
    """May the product of the entries other than a[i] be computed as
    result / a[i]? Not where an entry is 0, inf or nan, or the product
    overflowed or underflowed (inf / inf, 0 / tiny): there, multiplied out."""
    tiny = np.finfo(_real_dtype(result)).tiny  # (a subnormal product has lost digits)
    return bool(np.all(a != 0) and np.all(np.isfinite(a)) and np.all(np.isfinite(result))
                and np.all(np.abs(result) >= tiny))


def _scaled_exactly(product: Any, factor: Any) -> bool:
    """Did multiplying `factor` by numbers neither 0, inf nor subnormal keep
    every entry as exact as the factor (no overflow, no underflow to a
    subnormal or 0)? A product that divides back afterwards needs it."""
    size = np.abs(product)
    tiny = np.finfo(_real_dtype(size)).tiny
    return bool(np.all(np.isfinite(size)) and np.all((size >= tiny) | (np.asarray(factor) == 0)))


def _products_of_others(flat: np.ndarray) -> np.ndarray:
    """For each entry along the last axis, the product of all the others (no division)."""
    ones = np.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
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
    # (each entry's share divided on the reduced shape, then spread: one
    # operation on the whole array where there were two)
    return hit * (_expand_reduced(g, count.shape, axis, keepdims) /
                  count.astype(_real_dtype(g)))


def ptp_adjoint(g: Any, a: Any, axis: Any = None, keepdims: Any = False) -> Any:
    """np.ptp = max - min: the max's adjoint less the min's (ties split evenly)."""
    kept = keepdims is not np._NoValue and bool(keepdims)
    return extremum_adjoint(g, a, np.max(a, axis=axis, keepdims=kept), axis, kept) - \
        extremum_adjoint(g, a, np.min(a, axis=axis, keepdims=kept), axis, kept)


def var_adjoint(g: Any, a: Any, axis: Any = None, ddof: int = 0,
                keepdims: bool = False) -> Any:
    """var = sum |a - mean|^2 / (n - ddof): its adjoint is g 2 conj(a - mean)
    / (n - ddof) (the gradient convention of JAX and autograd for complex a;
    the variance is real, so only Re(g) counts)."""
    shape = _shape(a)
    centered = a - np.mean(a, axis=axis, keepdims=True)
    g = _expand_reduced(_real_cotangent(g), shape, axis, keepdims)
    divisor = float(max(_count(shape, axis) - ddof, 0))  # (NumPy's: inf at ddof >= n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return g * 2.0 * _conj(centered) / divisor


def std_adjoint(g: Any, a: Any, result: Any, axis: Any = None, ddof: int = 0,
                keepdims: bool = False) -> Any:
    """std = sqrt(var), so its adjoint is var's with g / (2 std). A zero g
    (nothing depends on the result, or it was truncated) stays zero where std
    is 0; a nonzero g there is nan, as in JAX. Over groups of one entry
    (ddof 0) std is 0 whatever a is: its derivative is 0, not nan."""
    if ddof == 0 and _count(_shape(a), axis) == 1:
        return zeros_like(a if isinstance(a, (float, complex)) else np.asarray(a))
    g, result = np.asarray(_real_cotangent(g)), np.asarray(result)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(g == 0, 0, g / (2.0 * result))
    return var_adjoint(scaled, a, axis, ddof, keepdims)


def cumsum_adjoint(g: Any, a: Any, axis: Any = None) -> Any:
    if axis is None:
        flat = np.flip(np.cumsum(np.flip(np.ravel(g))))
        return np.reshape(flat, _shape(a))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def cumprod_adjoint(g: Any, a: Any, result: Any, axis: Any = None) -> Any:
    """Adjoint of cumprod; dividing by `a` is the fast path, a recurrence handles
    zeros (holomorphic: the same for complex a)."""
    if axis is None:
        return np.reshape(cumprod_adjoint(np.ravel(g), np.ravel(a), np.ravel(result), 0), _shape(a))
    if _divides_back(np.asarray(a), result):
        weighted = g * result
        if _scaled_exactly(weighted, g):
            return cumsum_adjoint(weighted, a, axis) / a
    # d result[j] / d a[i] = result[i-1] * a[i+1] * ... * a[j] for j >= i, so the adjoint of a[i]
    # is result[i-1] * s[i] with s[i] = g[i] + a[i+1] * s[i+1].
    a_m = np.moveaxis(_inexact_array(a), axis, 0)
    g_m = np.moveaxis(np.broadcast_to(g, _shape(a)), axis, 0)
    s = np.empty(a_m.shape, dtype=_inexact(g_m, a_m))
    s[-1] = g_m[-1]
    for i in range(len(a_m) - 2, -1, -1):
        s[i] = g_m[i] + a_m[i + 1] * s[i + 1]
    before = np.concatenate([np.ones((1,) + a_m.shape[1:], dtype=a_m.dtype),
                             np.cumprod(a_m, 0)[:-1]], 0)
    return np.moveaxis(before * s, 0, axis)


def norm_adjoint(g: Any, x: Any, result: Any, ord: Any = None, axis: Any = None,
                 keepdims: bool = False) -> Any:
    """Adjoint of np.linalg.norm: vector norms of any order, and the matrix
    norms. For complex x each entry enters through |x|, whose gradient is
    conj(x) / |x| (`abs_sign`); the norm is real, so only Re(g) counts."""
    x = _inexact_array(x)
    g = _real_cotangent(g)
    if axis is None:
        matrix = ord is not None and x.ndim == 2
    else:
        matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    g = _expand_reduced(g, x.shape, axis, keepdims)
    norm = _expand_reduced(np.asarray(result), x.shape, axis, keepdims)
    if matrix:
        return _matrix_norm_adjoint(g, x, norm, ord, _normalize_axes(axis, x.ndim))
    if ord is None or ord == 2 or ord == "fro":
        # (0 at a zero vector, a subgradient, as of the Frobenius norm of a zero
        # matrix: so norm(x) ** 2 has its gradient 2x there, not nan)
        return g * _conj(x) / np.where(norm == 0, 1, norm)
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
        return g * _conj(x) / np.where(norm == 0, 1, norm)
    if ord in (1, -1, np.inf, -np.inf):  # extreme column (1) or row (inf) absolute sum
        # (a zero entry counts as positive, as abs at 0 and the vector norms)
        summed, across = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = np.sum(np.abs(x), axis=summed, keepdims=True)
        return extremum_adjoint(g, sums, norm, across, True) * abs_sign(x)
    if ord in (2, -2, "nuc"):  # singular values: d s_k = Re(u_k^H dx v_k)
        u, _, vt = np.linalg.svd(np.moveaxis(x, axes, (-2, -1)), full_matrices=False)
        if ord == "nuc":
            d = u @ vt
        else:
            k = 0 if ord == 2 else -1
            d = u[..., :, k, None] * vt[..., k, None, :]
        return g * np.moveaxis(_conj(d), (-2, -1), axes)
    raise NotImplementedError(f"s2sad has no adjoint for np.linalg.norm with ord={ord!r}")


def norm_axes(x: Any, axis: Any) -> Any:
    """The axes np.linalg.norm reduces (for np.sum): all when axis is None."""
    return axis


def trace_adjoint(g: Any, a: Any, offset: int, axis1: int, axis2: int) -> Any:
    shape = _shape(a)
    eye = np.eye(shape[axis1], shape[axis2], k=offset, dtype=_real_dtype(g))
    eye = np.moveaxis(eye.reshape(eye.shape + (1,) * (len(shape) - 2)), (0, 1), (axis1, axis2))
    g = np.asarray(g)
    g = np.expand_dims(g, (axis1, axis2)) if g.ndim else g
    return eye * g


def diff_adjoint(g: Any, a: Any, n: int, axis: int) -> Any:
    if n >= _shape(a)[axis]:  # every difference was empty: nothing depends on a
        return np.zeros(_shape(a), dtype=_inexact(g))
    for _ in range(n):
        width = [(0, 0)] * np.ndim(g)
        width[axis] = (1, 1)
        padded = np.pad(g, width)
        g = -np.diff(padded, axis=axis)
    return g


def cumprod_tangent(t: Any, a: Any, ans: Any, axis: Any) -> Any:
    """The tangent of cumprod: ans * cumsum(t / a) where dividing back is exact
    (`_divides_back`); else each product's terms computed directly (the
    product of the other factors), a zero tangent's term 0 (not 0 * inf)."""
    a, t = np.asarray(a), np.asarray(t)
    if axis is None:
        a, t, axis = a.ravel(), np.broadcast_to(t, a.shape).ravel(), 0
        ans = np.ravel(ans)
    if _divides_back(a, ans):
        return ans * np.cumsum(t / a, axis)
    am = np.moveaxis(a, axis, -1)
    tm = np.moveaxis(np.broadcast_to(t, a.shape), axis, -1)
    out = np.zeros(am.shape, dtype=_inexact(am, tm))
    for k in range(am.shape[-1]):
        for i in range(k + 1):
            others = np.prod(np.delete(am[..., :k + 1], i, axis=-1), axis=-1)
            with np.errstate(invalid="ignore"):
                out[..., k] += np.where(tm[..., i] == 0, 0.0, tm[..., i] * others)
    return np.moveaxis(out, -1, axis)


def _quantile_layout(a: Any, axis: Any) -> tuple:
    """a with its reduced axes moved last and joined into one of length n:
    (that array, the kept axes, the reduced ones, the moved array's shape)."""
    a = np.asarray(a)
    axes = _normalize_axes(axis, a.ndim)
    kept = [k for k in range(a.ndim) if k not in axes]
    moved = np.transpose(a, kept + list(axes))
    return moved.reshape(moved.shape[:len(kept)] + (-1,)), kept, axes, moved.shape


def _quantile_points(q: Any, n: int) -> tuple:
    """The two sorted positions NumPy's linear method reads for each q in
    [0, 1], and the weight of the second: q (n - 1) between them."""
    where = np.asarray(q, dtype=float) * (n - 1)
    lo = np.clip(np.floor(where), 0, max(n - 1, 0)).astype(np.intp)
    return lo, np.minimum(lo + 1, n - 1), where - lo


def quantile_adjoint(g: Any, a: Any, q: Any, axis: Any = None,
                     keepdims: bool = False) -> Any:
    """np.quantile's (method 'linear') adjoint: each result is (1 - w) times
    one sorted entry plus w times the next, so g goes to those two entries
    (of tied entries, to the one the stable sort puts there; a slice holding
    a nan, whose quantile is nan, gets nan)."""
    flat, kept, axes, moved_shape = _quantile_layout(a, axis)
    n = flat.shape[-1]
    if n == 0 or flat.size == 0:  # (quantiles of nothing are nan: an empty adjoint)
        return np.zeros(np.shape(a), dtype=_inexact(a))
    order = np.argsort(flat, axis=-1, kind="stable")
    lo, hi, w = _quantile_points(q, n)
    kept_shape = flat.shape[:-1]
    g = np.reshape(g, lo.shape + kept_shape)  # (keepdims' size-1 axes dropped)
    g = np.moveaxis(g, tuple(range(lo.ndim)), tuple(range(-lo.ndim, 0))) if lo.ndim else g
    g = g.reshape(kept_shape + (-1,))
    sorted_part = np.zeros(kept_shape + (n,), dtype=np.result_type(g, _inexact(flat)))
    for k, (i, j, share) in enumerate(zip(lo.ravel(), hi.ravel(), w.ravel())):
        sorted_part[..., i] += g[..., k] * (1.0 - share)
        sorted_part[..., j] += g[..., k] * share
    out = np.empty_like(sorted_part)
    np.put_along_axis(out, order, sorted_part, axis=-1)
    out[np.isnan(flat).any(axis=-1)] = np.nan
    back = np.argsort(kept + list(axes))
    return np.transpose(out.reshape(moved_shape), back)


def quantile_tangent(t: Any, a: Any, q: Any, axis: Any = None, keepdims: bool = False,
                     like: Any = None) -> Any:
    """np.quantile's (method 'linear') tangent: the same weights of the
    tangents of the entries it reads (nan where the quantile is nan), of the
    dtype of `like` (the quantile: float32's stays float32)."""
    flat, kept, axes, _ = _quantile_layout(a, axis)
    if flat.shape[-1] == 0 and like is not None:  # (quantiles of nothing: nan)
        return np.full(np.shape(like), np.nan, dtype=np.result_type(like))
    t_flat = _quantile_layout(np.broadcast_to(t, np.shape(a)), axis)[0]
    order = np.argsort(flat, axis=-1, kind="stable")
    lo, hi, w = _quantile_points(q, flat.shape[-1])
    ordered = np.take_along_axis(t_flat, order, axis=-1)
    out = ordered[..., lo] * (1.0 - w) + ordered[..., hi] * w  # (kept + q's shape)
    out = np.where(np.isnan(flat).any(axis=-1).reshape(flat.shape[:-1] + (1,) * lo.ndim),
                   np.nan, out)
    out = np.moveaxis(out, tuple(range(len(kept), out.ndim)), tuple(range(lo.ndim))) \
        if lo.ndim else out
    if keepdims:
        out = np.expand_dims(out, tuple(lo.ndim + k for k in axes))
    return out if like is None else np.asarray(out, dtype=np.result_type(like))


def _cov_layout(m: Any, rowvar: bool, bias: bool, ddof: Any) -> tuple:
    """m as np.cov reads it: (variables, observations) centered, and the
    divisor N - ddof (ddof None: 1, or 0 with bias)."""
    x = np.atleast_2d(np.asarray(m, dtype=np.result_type(m, np.float64)))  # (NumPy's dtype)
    if not rowvar and np.ndim(m) != 1:
        x = x.T
    if ddof is None:
        ddof = 0 if bias else 1
    return x - np.mean(x, axis=1, keepdims=True), x.shape[1] - ddof


def cov_adjoint(g: Any, m: Any, rowvar: bool = True, bias: bool = False,
                ddof: Any = None) -> Any:
    """np.cov's adjoint: C = X conj(X)^T / d of the centered X, so X gets
    (G conj(X) + conj(G^T X)) / d, centered again (the centering's own)."""
    x, d = _cov_layout(m, rowvar, bias, ddof)
    g = np.reshape(g, (x.shape[0], x.shape[0]))
    dx = (g @ np.conj(x) + np.conj(g.T @ x)) / d
    dx = dx - np.mean(dx, axis=1, keepdims=True)
    if not rowvar and np.ndim(m) != 1:
        dx = dx.T
    return np.reshape(dx, np.shape(m)).astype(_inexact(m), copy=False)


def cov_tangent(direction: Any, m: Any, rowvar: bool = True, bias: bool = False,
                ddof: Any = None) -> Any:
    """np.cov's tangent: (T conj(X)^T + X conj(T)^T) / d, both centered."""
    x, d = _cov_layout(m, rowvar, bias, ddof)
    dt = _cov_layout(np.broadcast_to(direction, np.shape(m)), rowvar, bias, ddof)[0]
    return ((dt @ np.conj(x).T + x @ np.conj(dt).T) / d).squeeze()  # (as np.cov's result)


def _average_parts(a: Any, axis: Any, weights: Any) -> tuple:
    """np.average's weights broadcast to a's shape (the same shape, or one
    row along an int axis, as NumPy takes them), their sum and the average,
    both with the reduced axes kept."""
    a = _inexact_array(a)
    w = np.asarray(weights)
    if w.shape != a.shape:
        if w.ndim != 1 or not isinstance(axis, (int, np.integer)):
            raise ArgumentTypeError(
                "s2sad differentiates np.average with weights of a's shape, or one row of "
                "them along an int axis", hint="broadcast the weights to a's shape first")
        shape = [1] * a.ndim
        shape[axis % a.ndim] = w.shape[0]
        w = w.reshape(shape)
    w = np.broadcast_to(w, a.shape)
    total = np.sum(w, axis=axis, keepdims=True)
    return a, w, total, np.sum(a * w, axis=axis, keepdims=True) / total


def average_adjoint(g: Any, a: Any, axis: Any, weights: Any, keepdims: bool,
                    of_weights: bool) -> Any:
    """np.average's adjoint in a (w / sum w) or in the weights ((a - avg) /
    sum w), given back the weights' own shape; without weights, mean's."""
    if weights is None:
        return mean_adjoint(g, a, axis, keepdims)
    a, w, total, avg = _average_parts(a, axis, weights)
    g = _expand_reduced(g, a.shape, axis, keepdims)
    if not of_weights:
        return g * w / total
    part = g * (a - avg) / total
    if np.shape(weights) == a.shape:
        return part
    others = tuple(k for k in range(a.ndim) if k != axis % a.ndim)
    return np.sum(part, axis=others)


def average_weights_tangent(t: Any, a: Any, axis: Any, weights: Any, keepdims: bool) -> Any:
    """np.average's tangent in its weights (direction t)."""
    a, w, total, avg = _average_parts(a, axis, weights)
    t = _average_parts(a, axis, t)[1]  # (the direction laid out as the weights are)
    out = np.sum(t * (a - avg), axis=axis, keepdims=True) / total
    return out if keepdims else np.squeeze(out, axis=_normalize_axes(axis, a.ndim))


def average_adjoint_moved(g: Any, t: Any, axis: Any, weights: Any, keepdims: bool,
                          of_weights: bool) -> Any:
    """The tangent of average_adjoint in a (direction t): the weights'
    adjoint, (a - avg) / sum w, is linear in a; a's own, w / sum w, does not
    move with a."""
    if of_weights and weights is not None:
        return average_adjoint(g, t, axis, weights, keepdims, True)
    return np.zeros(np.shape(t), dtype=_inexact(t, g))
