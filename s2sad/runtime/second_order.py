"""Tangents of the adjoint helpers that are not linear in their inputs: what
forward mode over reverse mode (Hessian-vector products, grad of grad)
calls beside them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UnsupportedSyntaxError
from .base import (
    _expand_reduced,
    _inexact,
    _normalize_axes,
    _shape,
    matrix_transpose,
    zeros_like,
)
from .elementwise import _inexact_array, _is_number, _like_input
from .linalg import (
    _inverse_transpose,
    _per_matrix,
    cross_adjoint,
    det_adjoint,
    einsum_adjoint,
    slogdet_adjoint,
)
from .reductions import (
    _count,
    _divides_back,
    _scaled_exactly,
    cumprod_adjoint,
    cumprod_tangent,
    cumsum_adjoint,
    norm_adjoint,
    std_adjoint,
)


def _refuse_complex(*values: Any, what: str = "this operation") -> None:
    """Second derivatives s2sad has no complex rule for: an error, not a number."""
    if any(np.iscomplexobj(v) for v in values):
        raise UnsupportedSyntaxError(
            f"second derivatives of {what} on complex numbers are not supported",
            hint="differentiate once, or split the number into its real and imaginary parts")


def cross_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    """The adjoint of a in np.cross(a, b)."""
    return cross_adjoint(g, a, b, False)


def cross_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    """The adjoint of b in np.cross(a, b)."""
    return cross_adjoint(g, a, b, True)


def abs_sign_tangent(direction: Any, x: Any) -> Any:
    """The tangent of abs_sign along `direction` (t): 0 for real x (a step);
    for complex z, of conj(z) / |z|: conj(t) / |z| - conj(z) Re(conj(z) t) /
    |z|^3. At z = 0 it is infinite, except along t = 0: t is the sign's
    factor times the direction (`abs_adjoint`'s tangent), and a factor that
    is 0 there (|z|^2 = |z| |z|: the factor is |z|) gives 0, not 0 * inf."""
    t = direction
    if not np.iscomplexobj(x) and not np.iscomplexobj(t):
        return np.zeros(np.broadcast_shapes(np.shape(t), np.shape(x)), dtype=_inexact(t))
    size = np.abs(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.conj(t) / size - np.conj(x) * np.real(np.conj(x) * t) / size ** 3
    return np.where(t == 0, np.zeros_like(value), value) if np.any(size == 0) else value


def real_step_tangent(direction: Any, x: Any) -> Any:
    """The tangent of a factor that is a step function of a real x (a sign, a
    share of a tie) along `direction`: 0."""
    _refuse_complex(x)
    return np.zeros(np.shape(direction), dtype=_inexact(direction)) \
        if np.ndim(direction) else 0.0


def pow_base_exponent_tangent(g: Any, x: Any, y: Any, t: Any) -> Any:
    """d/dy of pow_base_adjoint(g, x, y) = g y x^(y-1), times t:
    g x^(y-1) (1 + y log x) t; 0 where x == 0 and y > 1 (the factor x^(y-1)
    vanishes to higher order than log x grows)."""
    _refuse_complex(x, y, what="a power")
    x, y = _inexact_array(x), _inexact_array(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        safe = np.where(x == 0, 1.0, x)
        value = safe ** (y - 1) * (1.0 + y * np.log(safe))
        at_zero = np.where(y > 1, 0.0, np.where(y == 1, -np.inf, np.inf))
        value = np.where(x == 0, at_zero, value)
    out = g * value * t
    return out if np.ndim(out) else out.item()


def pow_exponent_base_tangent(g: Any, x: Any, ans: Any, t: Any) -> Any:
    """d/dx of pow_exponent_adjoint(g, x, ans) = g ans log x (ans held), times
    t: g ans t / x (0 where x == 0, as the adjoint is)."""
    x = np.asarray(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(x == 0, 0, g * ans * t / np.where(x == 0, 1, x))
    return out if np.ndim(out) else out.item()


def sinc_second_derivative(x: Any) -> Any:
    """d^2/dx^2 sinc(x) = pi^2 * (d^2/du^2 sin(u)/u at u = pi x); -pi^2/3 at 0
    (holomorphic: the same for complex x)."""
    u = np.pi * _inexact_array(x)
    safe = np.where(u == 0, 1, u)
    value = ((2.0 - safe ** 2) * np.sin(safe) - 2.0 * safe * np.cos(safe)) / safe ** 3
    out = np.where(u == 0, -1.0 / 3.0, value) * np.pi ** 2
    return _like_input(out, x)


# The widest ratio of a product's entries' magnitudes at which its second
# derivative is taken by dividing back: d(g ans / a) = g dans / a - g ans t / a^2,
# whose two terms cancel on the diagonal, leaving an error of about eps times
# max|a| / min|a| of the answer's scale (a small entry beside a large one: any
# error at all). Wider, the products of the others are differentiated directly.
_DIVIDES_TWICE_SPREAD = 1e4


def _divides_back_twice(a: np.ndarray, ans: Any) -> bool:
    """May the second derivative of a product of `a`'s entries (`ans`) be
    taken from ans / a? Where dividing back is exact (`_divides_back`) and
    the entries are within `_DIVIDES_TWICE_SPREAD` of each other."""
    if not _divides_back(a, ans):
        return False
    size = np.abs(a)
    return size.size == 0 or bool(size.max() <= _DIVIDES_TWICE_SPREAD * size.min())


def _others_tangent(flat: np.ndarray, flat_t: np.ndarray) -> np.ndarray:
    """Along the last axis, the tangent (along t) of each entry's product of
    the others, without dividing: the products before and after an entry and
    their tangents, each built up one step at a time (linear in the length;
    holomorphic for complex entries)."""
    dtype = _inexact(flat, flat_t)
    before, d_before = (np.empty(flat.shape, dtype=dtype) for _ in range(2))
    after, d_after = (np.empty(flat.shape, dtype=dtype) for _ in range(2))
    p, dp = np.ones(flat.shape[:-1], dtype=dtype), np.zeros(flat.shape[:-1], dtype=dtype)
    q, dq = p.copy(), dp.copy()
    n = flat.shape[-1]
    for i in range(n):
        before[..., i], d_before[..., i] = p, dp
        dp, p = dp * flat[..., i] + p * flat_t[..., i], p * flat[..., i]
        j = n - 1 - i
        after[..., j], d_after[..., j] = q, dq
        dq, q = dq * flat[..., j] + q * flat_t[..., j], q * flat[..., j]
    return d_before * after + before * d_after


def prod_adjoint_a_tangent(g: Any, a: Any, ans: Any, t: Any, axis: Any = None,
                           keepdims: bool = False) -> Any:
    """d/da of prod_adjoint(g, a, ans) (ans held) along t. Where dividing back
    is safe twice the adjoint is g ans / a, so this is -g ans t / a^2 (with
    prod_adjoint_ans_tangent's g dans / a); else the product of the others of
    each entry differentiated directly, and ans not read."""
    shape = _shape(a)
    a, t = _inexact_array(a), np.broadcast_to(_inexact_array(t), shape)
    g = _expand_reduced(g, shape, axis, keepdims)
    if _divides_back_twice(a, ans):
        return -g * (_expand_reduced(ans, shape, axis, keepdims) / a) * t / a
    axes = _normalize_axes(axis, a.ndim)
    last = tuple(range(-len(axes), 0))
    moved, moved_t = np.moveaxis(a, axes, last), np.moveaxis(t, axes, last)
    flat = moved.reshape(moved.shape[: a.ndim - len(axes)] + (-1,))
    out = _others_tangent(flat, moved_t.reshape(flat.shape))
    return g * np.moveaxis(out.reshape(moved.shape), last, axes)


def prod_adjoint_ans_tangent(g: Any, a: Any, t: Any, axis: Any = None,
                             keepdims: bool = False) -> Any:
    """d/dans of prod_adjoint(g, a, ans) along t: g t / a where
    prod_adjoint_a_tangent divides back (elsewhere it does not read ans: 0)."""
    shape = _shape(a)
    a = _inexact_array(a)
    if not _divides_back_twice(a, np.prod(a, axis=axis, keepdims=keepdims)):
        return np.zeros(shape, dtype=a.dtype)
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
    if two:  # g conj(x) / |x| is R-linear in x
        return norm_adjoint(g, t, ans, ord, axis, keepdims)
    _refuse_complex(x, what="np.linalg.norm (other than the 2-norm)")
    if ord in (1, np.inf, -np.inf, 0) or (matrix and ord in (-1,)):
        return np.zeros(np.shape(x), dtype=_inexact_array(x).dtype)  # a step in x
    if matrix:
        raise UnsupportedSyntaxError(
            f"second derivatives of np.linalg.norm with ord={ord!r} of a matrix are not "
            "supported", hint="use the Frobenius norm (ord=None) or a vector norm")
    x = _inexact_array(x)
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
        return np.zeros(np.shape(x), dtype=_inexact_array(x).dtype)  # (no ans read)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.asarray(g) * (1 - p) * np.asarray(t) / np.asarray(ans)
    return norm_adjoint(scaled, x, ans, ord, axis, keepdims)


def slogdet_adjoint_a_tangent(g: Any, a: Any, direction: Any) -> Any:
    """d/da of slogdet_adjoint(g, a) = c inv(a)^T along t: -c inv(a)^T (inv(a) t)^T,
    and for a complex a whose sign has a cotangent, c = Re(g_logdet) +
    i Im(g_sign sign) moves too, by i Re(g_sign sign) Im(tr(inv(a) t))."""
    # (inv(a) t; of a singular a, its limit: inf and nan entries, as the gradient's)
    step = matrix_transpose(_inverse_transpose(a)) @ direction
    out = -(slogdet_adjoint(g, a) @ matrix_transpose(step))
    g_sign = g[0]
    if g_sign is None or not np.iscomplexobj(a):
        return out
    turn = np.imag(np.trace(step, axis1=-2, axis2=-1))
    factor = 1j * np.real(g_sign * np.linalg.slogdet(a)[0]) * turn
    return out + np.asarray(factor)[..., None, None] * matrix_transpose(np.linalg.inv(a))


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


def cumprod_adjoint_tangent(g: Any, a: Any, result: Any, t: Any, axis: Any = None) -> Any:
    """d/da of cumprod_adjoint(g, a, cumprod(a)) along t, the cumprod moving with
    a. Where dividing back is safe twice (`_divides_back_twice`) the adjoint
    is rcumsum(g * result) / a; elsewhere its recurrence is differentiated."""
    if axis is None:
        flat = cumprod_adjoint_tangent(np.ravel(g), np.ravel(a), np.ravel(result),
                                       np.ravel(np.broadcast_to(t, _shape(a))), 0)
        return np.reshape(flat, _shape(a))
    # (holomorphic, as cumprod_adjoint: complex a and t stay complex)
    a, t = _inexact_array(a), np.broadcast_to(_inexact_array(t), _shape(a))
    if _divides_back_twice(a, result) and _scaled_exactly(g * result, g):
        moved = cumprod_tangent(t, a, result, axis)
        return cumsum_adjoint(g * moved, a, axis) / a - \
            cumprod_adjoint(g, a, result, axis) * t / a
    # cumprod_adjoint's a[i] is before[i] * s[i], with before[i] the product of
    # a[:i] and s[i] = g[i] + a[i+1] s[i+1]: both, and their tangents, step by step
    a_m, t_m = np.moveaxis(a, axis, 0), np.moveaxis(t, axis, 0)
    g_m = np.moveaxis(np.broadcast_to(g, _shape(a)), axis, 0)
    dtype = _inexact(g_m, a_m, t_m)
    before, d_before, s, ds = (np.empty(a_m.shape, dtype=dtype) for _ in range(4))
    p, dp = np.ones(a_m.shape[1:], dtype=dtype), np.zeros(a_m.shape[1:], dtype=dtype)
    n = len(a_m)
    for i in range(n):
        before[i], d_before[i] = p, dp
        dp, p = dp * a_m[i] + p * t_m[i], p * a_m[i]
    s[-1], ds[-1] = g_m[-1], 0
    for i in range(n - 2, -1, -1):
        s[i] = g_m[i] + a_m[i + 1] * s[i + 1]
        ds[i] = t_m[i + 1] * s[i + 1] + a_m[i + 1] * ds[i + 1]
    return np.moveaxis(d_before * s + before * ds, 0, axis)


def det_adjoint_a_tangent(g: Any, a: Any, result: Any, t: Any) -> Any:
    """The tangent of det_adjoint(g, a, result) = g C(a) (C the cofactor
    matrix) along a's tangent t, result held: -g C (inv(a) t)^T where every
    matrix is invertible (det_result_tangent adds det's own part). Where one
    is singular, inv(a) does not exist but C does, a polynomial of degree
    n - 1 in a's entries: its whole derivative is read off C at points
    a + s t (an exact differentiation rule for that degree; det_result_tangent
    then adds nothing)."""
    a = np.asarray(a)
    if np.all(result != 0):
        return -(det_adjoint(g, a, result) @ matrix_transpose(np.linalg.solve(a, t)))
    t = np.broadcast_to(t, a.shape)
    n, size = a.shape[-1], float(np.max(np.abs(t), initial=0.0))
    if size == 0.0 or n == 1:
        return np.zeros(a.shape, dtype=_inexact(a, t, g))
    k = n // 2  # (2k + 1 >= n points: exact for the degree n - 1)
    step = max(float(np.max(np.abs(a), initial=0.0)), 1.0) / size
    points = step * np.arange(-k, k + 1)
    powers = np.vander(points, 2 * k + 1, increasing=True).T
    weights = np.linalg.solve(powers, np.eye(2 * k + 1)[1])  # sum w s^p = (p == 1)
    singular = np.zeros(a.shape[:-2])  # (0: det_adjoint's decomposition, valid everywhere)
    moved = sum(w * det_adjoint(np.ones(a.shape[:-2]), a + s * t, singular)
                for w, s in zip(weights, points))
    return _per_matrix(g, moved)


def det_result_tangent(g: Any, t: Any, a: Any, result: Any) -> Any:
    """The tangent of det_adjoint(g, a, result) along result's tangent t: g t
    inv(a)^T where every matrix is invertible; else none, as
    det_adjoint_a_tangent then gives the cofactors' whole derivative."""
    if np.all(result != 0):
        return det_adjoint(g * t, a, np.ones_like(result))
    return np.zeros(np.shape(a), dtype=_inexact(np.asarray(a), g, t))


def std_result_tangent(g: Any, t: Any, a: Any, result: Any, axis: Any = None, ddof: int = 0,
                       keepdims: bool = False) -> Any:
    """The tangent of std_adjoint(g, a, result, ...) along result's tangent t:
    -std_adjoint(g t / result, ...); none over groups of one entry, where
    std_adjoint is 0 whatever result is (and result is 0: no 0 / 0 computed)."""
    if ddof == 0 and _count(_shape(a), axis) == 1:
        return std_adjoint(g, a, result, axis, ddof, keepdims)
    return -std_adjoint(g * t / result, a, result, axis, ddof, keepdims)


def pow_base_curvature(g: Any, x: Any, y: Any) -> Any:
    """g * d2(x**y)/dx2 = g y (y - 1) x**(y - 2): 0 where x**y is linear or
    constant in x (y == 1 or 0), and where g is 0 (a second derivative
    weighted by zero), so a constant power at 0 has curvature 0, not NaN."""
    if _is_number(x) and _is_number(y) and _is_number(g):
        if y in (0, 1) or g == 0:
            return 0.0
        if x == 0 and y < 2:
            return g * y * (y - 1) * np.float64(0.0) ** (y - 2)
        return g * y * (y - 1) * x ** (y - 2)
    x, y = np.asarray(x), np.asarray(y)
    # (a complex g: Python's power of a negative float, `(-2.0) ** 0.5`, is complex)
    base = x.astype(np.result_type(x, y, np.asarray(g), float), copy=False)
    flat = (y == 0) | (y == 1) | (np.asarray(g) == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = g * y * (y - 1) * base ** np.where(flat, 2, y - 2)
    return np.where(flat, 0.0, value)
