"""Run-time helpers of SciPy's derivative rules (`primitives/scipy_ops.py`).

Imported only when SciPy is importable. Like the rest of `runtime`, these
are plain functions on arrays; most are linear in their first operand and
read the others only for shapes and flags (their tangent is the same call),
so derivatives of derivatives go through them. The ODE helpers at the end
differentiate the user's right-hand side through s2sad's dispatcher
(`s2sad.calls`), which installs itself in `base.USER_CALLS`: this package
sits below it.
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np
import scipy.linalg
import scipy.signal
import scipy.special

from ..errors import NoAdjointError, UnsupportedSyntaxError
from .base import USER_CALLS, _inexact, _normalize_axes, matrix_transpose, unbroadcast, zeros_like

# ---------------------------------------------------------------- logsumexp


class ItemwiseDict(dict):
    """A tangent of a result that is a dict (solve_ivp's): tangents along
    several arguments add key by key (forward mode sums them with `+`)."""

    def __add__(self, other: Any) -> ItemwiseDict:
        return ItemwiseDict({k: self[k] + other[k] for k in self})

    __radd__ = __add__


def _expanded(lse: Any, axis: Any, keepdims: bool, ndim: int) -> Any:
    """logsumexp's result with the reduced axes put back."""
    return lse if keepdims else np.expand_dims(lse, _normalize_axes(axis, ndim))


def _at_least_a_vector(a: Any, b: Any) -> Any:
    """a as SciPy's logsumexp reads it: a number (with b a number or None) as
    a vector of one, so its result has a dimension (keepdims=True gives
    shape (1,)); the rule's unbroadcast sums the weights back to a number."""
    a = np.asarray(a)
    return a.reshape(1) if a.ndim == 0 and np.ndim(b) == 0 else a


def logsumexp_weights(a: Any, b: Any, lse: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """b * exp(a - lse), lse = logsumexp(a, axis, b, keepdims): the derivative
    of logsumexp with respect to each entry of a (b=None: all ones), in the
    broadcast shape of a and b."""
    a = _at_least_a_vector(a, b)
    shape = np.broadcast_shapes(a.shape, np.shape(b)) if b is not None else a.shape
    out = np.exp(a - _expanded(lse, axis, keepdims, len(shape)))
    return np.broadcast_to(out if b is None else out * b, shape) * 1.0


def logsumexp_b_weights(a: Any, b: Any, lse: Any, axis: Any = None,
                        keepdims: bool = False) -> Any:
    """exp(a - lse): the derivative with respect to each entry of b."""
    a = _at_least_a_vector(a, b)
    shape = np.broadcast_shapes(a.shape, np.shape(b))
    out = np.exp(a - _expanded(lse, axis, keepdims, len(shape)))
    return np.broadcast_to(out, shape) * 1.0


# ---------------------------------------------------------------- polygamma

# Bernoulli numbers B_2, B_4, ..., B_20 (of the asymptotic series below)
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)
_SHIFTED = 16.0  # the series is summed where Re z >= this


def polygamma_of(n: int, x: Any) -> Any:
    """polygamma(n, x), n >= 1, of real or complex x, in x's precision:
    digamma's derivative. SciPy's polygamma has no complex loop, and with an
    integer n computes float32 in double precision; digamma itself keeps both."""
    if np.iscomplexobj(x):
        out = _complex_polygamma(int(n), np.asarray(x, dtype=np.complex128))
    else:
        out = scipy.special.polygamma(n, x)
    return np.asarray(out, dtype=_inexact(x))[()]


def _complex_polygamma(n: int, z: np.ndarray) -> np.ndarray:
    """polygamma(n, z) = (-1)^(n+1) n! sum_k (z + k)^-(n+1) for complex z: the
    recurrence moves z right until Re z >= 16, where the asymptotic series
    (n-1)!/z^n + n!/(2 z^(n+1)) + sum_k B_2k (2k+n-1)!/(2k)!/z^(2k+n), ten
    terms, is exact to double precision; at the poles (0, -1, ...) nan, as
    SciPy's complex digamma there."""
    sign = (-1.0) ** (n + 1)
    total = np.zeros(z.shape, dtype=np.complex128)
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(int(max(0.0, np.ceil(_SHIFTED - np.min(z.real, initial=_SHIFTED))))):
            left = z.real < _SHIFTED
            if not left.any():
                break
            total = total + np.where(left, 1.0 / z ** (n + 1), 0.0)
            z = np.where(left, z + 1.0, z)
        series = math.factorial(n - 1) / z ** n + math.factorial(n) / (2.0 * z ** (n + 1))
        for k, b in enumerate(_BERNOULLI, start=1):
            series = series + b * math.factorial(2 * k + n - 1) / math.factorial(2 * k) / \
                z ** (2 * k + n)
        return sign * (math.factorial(n) * total + series)


# ---------------------------------------------------------------- distributions


def mills_ratio(x: Any) -> Any:
    """phi(x) / Phi(x), the derivative of log Phi (scipy.special.log_ndtr):
    sqrt(2/pi) / erfcx(-x/sqrt(2)), which neither overflows nor cancels
    anywhere (exp(-x^2/2 - log Phi(x)) lost its digits below x = -1e6)."""
    return math.sqrt(2.0 / math.pi) / scipy.special.erfcx(-x / math.sqrt(2.0))


_FAR_LEFT = -1e3  # (below: x + m(x) from its series; above, directly, to 1e-10)


def mills_slope(x: Any, m: Any) -> Any:
    """The derivative of the Mills ratio m = mills_ratio(x): -m (x + m). Far
    in the left tail m is nearly -x and x + m loses its digits to the
    difference; there it is its asymptotic series in t = -x, 1/t - 2/t^3 +
    10/t^5 - 74/t^7 (to 1e-21 beyond t = 1e3). Where m is 0 (x above 38)
    the slope is 0, not the 0 * inf of erfcx's own rule."""
    x, m = np.asarray(x), np.asarray(m)
    far = np.real(x) < _FAR_LEFT
    inverse = 1.0 / np.where(far, -x, 1.0)
    square = inverse * inverse
    series = inverse * (1.0 - square * (2.0 - square * (10.0 - 74.0 * square)))
    out = -m * np.where(far, series, x + m)
    return out[()] if out.ndim == 0 else out


def real_location(g: Any, x: Any, loc: Any, scale: Any = 1.0) -> Any:
    """g, once the arguments are checked: of a real x SciPy's distributions
    drop the imaginary parts of (x - loc) / scale and log(scale), a function
    whose derivative is not the rules' (which are the formulas' own, right
    for a complex x), so a complex loc or scale with a real x is refused."""
    if not np.iscomplexobj(x) and (np.iscomplexobj(loc) or np.iscomplexobj(scale)):
        raise UnsupportedSyntaxError(
            "s2sad differentiates a scipy.stats distribution with a complex loc or scale "
            "only at complex points x (of a real x SciPy drops imaginary parts); x is real",
            hint="pass x as a complex array (x + 0j), or a real loc and scale")
    return g


def _mvn_dim(mean: Any, cov: Any) -> int:
    """The dimension multivariate_normal infers: the mean's size, else the
    covariance's side (1 for a scalar or 1-d covariance)."""
    if mean is not None:
        return int(np.size(mean))
    return int(np.shape(cov)[0]) if np.ndim(cov) == 2 else 1


def mvn_points(x: Any, mean: Any, cov: Any) -> Any:
    """multivariate_normal's points as rows, (N, dim), N the output's size."""
    return np.reshape(np.asarray(x, dtype=float), (-1, _mvn_dim(mean, cov)))


def mvn_mean(mean: Any, cov: Any) -> Any:
    """The mean vector (zeros for None)."""
    dim = _mvn_dim(mean, cov)
    return np.zeros(dim) if mean is None else np.reshape(np.asarray(mean, dtype=float), (dim,))


def mvn_matrix(cov: Any, mean: Any) -> Any:
    """The covariance matrix multivariate_normal uses: a scalar times the
    identity, a diagonal from a vector, or, of a matrix, its lower triangle
    mirrored (SciPy's eigendecomposition reads only that triangle)."""
    dim = _mvn_dim(mean, cov)
    cov = np.asarray(cov, dtype=float)
    if dim == 1:
        return np.reshape(cov, (1, 1))
    if cov.ndim == 0:
        return cov * np.eye(dim)
    if cov.ndim == 1:
        return np.diag(cov)
    return np.tril(cov) + np.tril(cov, -1).T


def mvn_cov_adjoint(g: Any, cov: Any, mean: Any) -> Any:
    """The adjoint of `mvn_matrix`: from the matrix's adjoint to cov's."""
    dim = _mvn_dim(mean, cov)
    g = np.asarray(g)
    if dim == 1:
        return np.reshape(g, np.shape(cov)) if np.ndim(cov) else float(g[0, 0])
    if np.ndim(cov) == 0:
        return float(np.trace(g))
    if np.ndim(cov) == 1:
        return np.diagonal(g).copy()
    return np.tril(g) + np.tril(g.T, -1)


def _as_inexact(x: Any) -> np.ndarray:
    """x as an array of a floating or complex dtype, its own if it has one
    (float32 stays float32, complex points stay complex)."""
    x = np.asarray(x)
    return x.astype(_inexact(x), copy=False)


def dirichlet_points(x: Any, alpha: Any) -> Any:
    """The points dirichlet evaluates (components along axis 0): x, with the
    last component 1 - sum(x) appended if x has one fewer than alpha."""
    x = _as_inexact(x)
    if x.shape[0] == np.shape(alpha)[0]:
        return x
    return np.concatenate([x, 1.0 - np.sum(x, axis=0, keepdims=True)], axis=0)


def dirichlet_points_tangent(t: Any, alpha: Any) -> Any:
    """The tangent of `dirichlet_points` (linear in t)."""
    t = _as_inexact(t)
    if t.shape[0] == np.shape(alpha)[0]:
        return t
    return np.concatenate([t, -np.sum(t, axis=0, keepdims=True)], axis=0)


def dirichlet_points_adjoint(g: Any, x: Any, alpha: Any) -> Any:
    """The adjoint of `dirichlet_points`: from the full points' adjoint to x's."""
    g = np.asarray(g)
    if np.shape(x)[0] == np.shape(alpha)[0]:
        return g
    return g[:-1] - g[-1:]


def dirichlet_column(alpha: Any, x: Any) -> Any:
    """alpha shaped to broadcast against the points (one column per point)."""
    alpha = _as_inexact(alpha)
    return alpha if np.ndim(x) == 1 else alpha[:, None]


def dirichlet_alpha_adjoint(g: Any, alpha: Any) -> Any:
    """The adjoint of `dirichlet_column`: summed over the points."""
    g = np.asarray(g)
    return g if g.ndim == 1 else np.sum(g, axis=1)


def dirichlet_weights(g: Any, x: Any) -> Any:
    """dirichlet's output (or its adjoint) with one entry per point (SciPy
    squeezes it)."""
    return np.reshape(g, np.shape(x)[1:])


# ---------------------------------------------------------------- triangular solves


def _trans_code(trans: Any) -> int:
    return {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2}[trans]


def flip_trans(trans: Any, a: Any, b: Any = None) -> int:
    """The `trans` of op(A)^T, for solve_triangular's adjoint: N and T swap
    (and C, for real A, is T). A stack of matrices with one vector `b` is
    refused: SciPy gives a stack of solutions, whose adjoint it would take
    for one matrix of right-hand sides."""
    if b is not None and np.ndim(a) > 2 and np.ndim(b) == 1:
        raise _stacked_vector()
    code = _trans_code(trans)
    if code == 2 and np.iscomplexobj(a):
        raise UnsupportedSyntaxError(
            "s2sad differentiates solve_triangular(..., trans='C') only for real matrices "
            "(of a complex one it is not holomorphic)",
            hint="use trans='T' on np.conj(a)")
    return 0 if code else 1


def triangle(m: Any, lower: bool = False, unit_diagonal: bool = False) -> Any:
    """The part of m that solve_triangular reads: one triangle, without the
    diagonal if it is taken to be ones."""
    out = np.tril(m) if lower else np.triu(m)
    if unit_diagonal:
        out = out - np.tril(np.triu(out))  # (the diagonal, batched)
    return out


def _as_matrix(x: Any) -> Any:
    x = np.asarray(x)
    return x[:, None] if x.ndim == 1 else x


def _stacked_vector() -> UnsupportedSyntaxError:
    """The refusal of solve_triangular of a stack of matrices with one vector b."""
    return UnsupportedSyntaxError(
        "s2sad differentiates solve_triangular of a stack of matrices with one vector b "
        "only as a column: SciPy's solutions are a stack of vectors, which its solve "
        "takes for a matrix", hint="pass the column, solve_triangular(a, b[:, None], "
        "...)[..., 0]")


def triangular_product(m: Any, x: Any, trans: Any = 0, lower: bool = False,
                       unit_diagonal: bool = False) -> Any:
    """op(triangle(m)) @ x: how a change m of the matrix changes op(A) x
    (with trans 'C', conj(m)^T: op is not holomorphic, its tangent map is
    this R-linear one)."""
    if np.ndim(m) > 2 and np.ndim(x) == np.ndim(m) - 1:  # (a stack of solutions of one b)
        raise _stacked_vector()
    m = triangle(m, lower, unit_diagonal)
    code = _trans_code(trans)
    if code:
        m = matrix_transpose(m)
    if code == 2:
        m = np.conjugate(m)
    return m @ x


def triangular_adjoint(gb: Any, x: Any, a: Any, trans: Any = 0, lower: bool = False,
                       unit_diagonal: bool = False) -> Any:
    """The adjoint of the matrix in x = op(A)^-1 b, from b's adjoint gb:
    -gb x^T on op(A), transposed back and kept on the triangle it reads."""
    outer = -(_as_matrix(gb) @ matrix_transpose(_as_matrix(x)))
    if _trans_code(trans):
        outer = matrix_transpose(outer)
    return unbroadcast(triangle(outer, lower, unit_diagonal), a)


# ---------------------------------------------------------------- Cholesky


def _conjugate_transpose(x: Any) -> Any:
    return np.conjugate(matrix_transpose(x))


def _flag(lower: Any) -> bool:
    """cho_factor's `lower`: a bool, or, of a stack of matrices, an array of
    one bool per matrix (SciPy's batched result), all the same."""
    flags = np.asarray(lower)
    if flags.ndim == 0:
        return bool(flags)
    if flags.size == 0 or not np.all(flags == flags.flat[0]):
        raise ValueError(f"cho_factor's `lower` flags differ across the stack: {lower!r}")
    return bool(flags.flat[0])


def cho_lower(c: Any, lower: bool) -> Any:
    """The Cholesky factor in c (cho_factor's layout) as a lower-triangular L,
    with A = L L^H (L L^T if real): c's lower triangle, or its upper one U
    with L = U^H. Also maps c's tangent or adjoint to L's."""
    return np.tril(c) if _flag(lower) else _conjugate_transpose(np.triu(c))


def cho_pack(m: Any, lower: bool) -> Any:
    """A lower-triangular matrix laid out as cho_factor lays out L (U = L^H
    in the upper triangle): the adjoint of `cho_lower`, and its tangent map."""
    return np.tril(m) if _flag(lower) else _conjugate_transpose(np.tril(m))


def cho_phi(x: Any) -> Any:
    """The lower triangle of x with its diagonal halved."""
    return np.tril(x) - 0.5 * (np.tril(x) - np.tril(x, -1))


def _read_triangle(m: Any, lower: bool) -> Any:
    """m's strict triangle that cho_factor reads (below or above the diagonal)."""
    return np.tril(m, -1) if _flag(lower) else np.triu(m, 1)


def cho_input(m: Any, lower: bool) -> Any:
    """The symmetric (of a complex m, Hermitian) matrix cho_factor factors,
    from the triangle it reads: mirrored and conjugated, with the real part
    of the diagonal (LAPACK ignores its imaginary part)."""
    part = _read_triangle(m, lower)
    return part + _conjugate_transpose(part) + np.real(np.tril(np.triu(m)))


def cho_input_adjoint(p: Any, lower: bool) -> Any:
    """The adjoint of `cho_input` under Re(sum(a * b)): p_ij + conj(p_ji) on
    the triangle read, Re(p_ii) on the diagonal."""
    return _read_triangle(p + _conjugate_transpose(p), lower) + np.real(np.tril(np.triu(p)))


def cho_other(m: Any, lower: bool) -> Any:
    """The triangle cho_factor leaves as it was (a copy of the input's)."""
    return np.triu(m, 1) if _flag(lower) else np.tril(m, -1)


def cho_outer(u: Any, v: Any) -> Any:
    """u v^H + v u^H (vectors as columns; with k columns, summed over them):
    u v^T + v u^T of real ones."""
    u, v = _as_matrix(u), _as_matrix(v)
    return u @ _conjugate_transpose(v) + v @ _conjugate_transpose(u)


# ---------------------------------------------------------------- expm


def expm_frechet(a: Any, e: Any) -> Any:
    """The Fréchet derivative of expm at a in the direction e: the upper right
    block of expm([[a, e], [0, a]])."""
    a, e = np.broadcast_arrays(np.asarray(a), np.asarray(e))
    n = a.shape[-1]
    block = np.zeros(a.shape[:-2] + (2 * n, 2 * n), dtype=_inexact(a, e))
    block[..., :n, :n] = a
    block[..., n:, n:] = a
    block[..., :n, n:] = e
    return scipy.linalg.expm(block)[..., :n, n:]


def expm_frechet_second(a: Any, e: Any, f: Any) -> Any:
    """The derivative of expm_frechet(a, e) along f: the corner block of the
    exponential of [[X, Y], [0, X]] with X = [[a, e], [0, a]], Y = [[f, 0], [0, f]]."""
    a, e, f = np.broadcast_arrays(np.asarray(a), np.asarray(e), np.asarray(f))
    n = a.shape[-1]
    block = np.zeros(a.shape[:-2] + (4 * n, 4 * n), dtype=_inexact(a, e, f))
    for k in range(4):
        block[..., k * n:(k + 1) * n, k * n:(k + 1) * n] = a
    block[..., :n, n:2 * n] = e
    block[..., 2 * n:3 * n, 3 * n:] = e
    block[..., :n, 2 * n:3 * n] = f
    block[..., n:2 * n, 3 * n:] = f
    return scipy.linalg.expm(block)[..., :n, 3 * n:]


# ---------------------------------------------------------------- sqrtm


def _sylvester(m: Any, e: Any) -> Any:
    """Z with m Z + Z m = e (batched). m is a principal square root (or its
    transpose): its eigenvalues have nonnegative real parts, so the equation
    is singular only when two of them sum to 0, at a singular matrix, where
    the square root has no derivative: an error then, never a guess."""
    m, e = np.broadcast_arrays(np.asarray(m), np.asarray(e))
    eigenvalues = np.linalg.eigvals(m)
    sums = np.abs(eigenvalues[..., :, None] + eigenvalues[..., None, :])
    scale = np.maximum(np.max(np.abs(eigenvalues), axis=-1), 1e-300)
    if np.any(np.min(sums, axis=(-2, -1)) <= 1e-12 * scale):
        raise NoAdjointError(
            "sqrtm has no derivative at a singular matrix (two eigenvalues of its square "
            "root sum to zero)", hint="keep the matrix away from singular ones (add a "
            "multiple of the identity), or wrap it in s2sad.stop_gradient(...)")
    out = np.empty(m.shape, dtype=_inexact(m, e))  # (float32 stays float32)
    for index in np.ndindex(m.shape[:-2]):
        out[index] = scipy.linalg.solve_sylvester(m[index], m[index], e[index])
    return out


def _matrix_input(a: Any) -> None:
    if np.ndim(a) < 2:
        raise UnsupportedSyntaxError(
            "s2sad differentiates sqrtm of matrices (of a number SciPy returns [[exp(a)]])",
            hint="pass a (1, 1) or larger matrix")


def sqrtm_tangent(e: Any, a: Any, x: Any) -> Any:
    """The derivative of x = sqrtm(a) along e: Z with x Z + Z x = e."""
    _matrix_input(a)
    return _sylvester(x, e)


def sqrtm_adjoint(g: Any, a: Any, x: Any) -> Any:
    """The adjoint of a in x = sqrtm(a): Z with x^T Z + Z x^T = g (the transpose
    of the tangent map; no conjugation, as for holomorphic functions)."""
    _matrix_input(a)
    return _sylvester(matrix_transpose(x), g)


# ---------------------------------------------------------------- convolution


def _full_adjoint(g: Any, in1: Any, in2: Any, mode: str, correlating: bool = False) -> Any:
    """g (the adjoint of convolve's output in `mode`) placed where that
    output sits in the full convolution, zeros elsewhere (`correlating`:
    correlate2d's, whose "same" window sits half a step later)."""
    s1, s2 = np.shape(in1), np.shape(in2)
    full = tuple(a + b - 1 for a, b in zip(s1, s2))
    g = np.asarray(g)
    if mode == "full":
        return g
    if mode == "same":
        start = [(f - a + correlating) // 2 for f, a in zip(full, s1)]
    elif mode == "valid":
        start = [min(a, b) - 1 for a, b in zip(s1, s2)]
    else:
        raise ValueError(f"convolve: unknown mode {mode!r}")
    out = np.zeros(full, dtype=_inexact(g))  # (float32 stays float32)
    out[tuple(slice(s, s + n) for s, n in zip(start, g.shape))] = g
    return out


def convolve_adjoint_in1(g: Any, in1: Any, in2: Any, mode: str = "full") -> Any:
    """The adjoint of in1 in scipy.signal.convolve(in1, in2, mode): the full
    adjoint correlated with in2 (no conjugation: convolve is bilinear)."""
    flipped = np.flip(np.asarray(in2))
    return scipy.signal.convolve(_full_adjoint(g, in1, in2, mode), flipped, "valid")


def convolve_adjoint_in2(g: Any, in1: Any, in2: Any, mode: str = "full") -> Any:
    """The adjoint of in2: the full adjoint correlated with in1."""
    flipped = np.flip(np.asarray(in1))
    return scipy.signal.convolve(_full_adjoint(g, in1, in2, mode), flipped, "valid")


def _zero_filled(name: str, boundary: str, fillvalue: Any, of_in2: bool) -> None:
    """convolve2d's and correlate2d's adjoints are those of zero padding: a
    boundary that wraps or mirrors in1 is refused, and (for in2's, which
    meets the padding) a fill other than 0."""
    if boundary not in ("fill", "pad"):
        raise UnsupportedSyntaxError(
            f"scipy.signal.{name} with boundary={boundary!r} has no adjoint rule in s2sad",
            hint="pad in1 yourself (np.concatenate of its wrapped or mirrored rows and "
            "columns) and use boundary='fill' with mode='valid'")
    if of_in2 and np.any(np.asarray(fillvalue) != 0):
        conj = "np.conj(in2)" if name == "correlate2d" else "in2"
        raise UnsupportedSyntaxError(
            f"scipy.signal.{name}'s adjoint of in2 is that of a zero fill, not "
            f"fillvalue={fillvalue!r}",
            hint=f"with c the fill: scipy.signal.{name}(in1 - c, in2, mode) + "
            f"c * np.sum({conj}), which is the same")


def convolve2d_adjoint_in1(g: Any, in1: Any, in2: Any, mode: str, boundary: str,
                           fillvalue: Any) -> Any:
    """The adjoint of in1 in scipy.signal.convolve2d: scipy.signal.convolve's,
    which convolve2d is with a zero fill."""
    _zero_filled("convolve2d", boundary, fillvalue, of_in2=False)
    return convolve_adjoint_in1(g, in1, in2, mode)


def convolve2d_adjoint_in2(g: Any, in1: Any, in2: Any, mode: str, boundary: str,
                           fillvalue: Any) -> Any:
    _zero_filled("convolve2d", boundary, fillvalue, of_in2=True)
    return convolve_adjoint_in2(g, in1, in2, mode)


def correlate2d_adjoint_in1(g: Any, in1: Any, in2: Any, mode: str, boundary: str,
                            fillvalue: Any) -> Any:
    """The adjoint of in1 in scipy.signal.correlate2d, a window of the full
    convolution of in1 with conj(in2) flipped."""
    _zero_filled("correlate2d", boundary, fillvalue, of_in2=False)
    if _swapped(in1, in2, mode):
        return _correlate2d_kernel_adjoint(np.flip(g), in2, in1, mode)
    return _correlate2d_input_adjoint(g, in1, in2, mode)


def correlate2d_adjoint_in2(g: Any, in1: Any, in2: Any, mode: str, boundary: str,
                            fillvalue: Any) -> Any:
    _zero_filled("correlate2d", boundary, fillvalue, of_in2=True)
    if _swapped(in1, in2, mode):
        return _correlate2d_input_adjoint(np.flip(g), in2, in1, mode)
    return _correlate2d_kernel_adjoint(g, in1, in2, mode)


def _swapped(in1: Any, in2: Any, mode: str) -> bool:
    """Does correlate2d in "valid" mode take in2, the larger, as its input:
    the result is then correlate2d(in2, in1) flipped (not conjugated)?"""
    return mode == "valid" and not all(a >= b for a, b in zip(np.shape(in1), np.shape(in2)))


def _correlate2d_input_adjoint(g: Any, in1: Any, in2: Any, mode: str) -> Any:
    kernel = np.flip(np.conj(np.asarray(in2)))
    full = _full_adjoint(g, in1, kernel, mode, correlating=True)
    return convolve_adjoint_in1(full, in1, kernel, "full")


def _correlate2d_kernel_adjoint(g: Any, in1: Any, in2: Any, mode: str) -> Any:
    """The kernel's adjoint, flipped back and conjugated (conj's adjoint is conj)."""
    kernel = np.flip(np.conj(np.asarray(in2)))
    full = _full_adjoint(g, in1, kernel, mode, correlating=True)
    return np.conj(np.flip(convolve_adjoint_in2(full, in1, kernel, "full")))


# ---------------------------------------------------------------- ODE solvers
# odeint and solve_ivp are differentiated by the adjoint sensitivity method:
# the backward pass integrates the adjoint state a (da/dt = -a^T df/dy) and
# the parameters' adjoint (dp/dt = -a^T df/dp) backwards from each output
# time to the one before, with y restarted from the forward solution there;
# a^T df/dy and a^T df/dp come from s2sad's own derivative of the user's
# right-hand side. solve_ivp's tangent integrates the forward sensitivity
# (ds/dt = df/dy s + df/dp tp) beside y.


def _dispatcher() -> Any:
    """s2sad's run-time dispatcher of calls of user code (`s2sad.calls`
    installs its functions in `USER_CALLS`: this package sits below it)."""
    return types.SimpleNamespace(**USER_CALLS)


def _is_real(value: Any) -> bool:
    """A number or array s2sad differentiates (integers too, as real numbers)."""
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (int, float, np.integer, np.floating)) or \
        (isinstance(value, np.ndarray) and value.dtype.kind in "iuf")


def _flat(value: Any, size: int = 0) -> np.ndarray:
    """A value (an array, a number, a list of them; None for zero) as a flat vector."""
    if value is None:
        return np.zeros(size)
    if isinstance(value, (list, tuple)):
        parts = [np.ravel(np.asarray(v, dtype=float)) for v in value]
        return np.concatenate(parts) if parts else np.zeros(0)
    return np.ravel(np.asarray(value, dtype=float))


def _unflat(flat: np.ndarray, like: Any) -> Any:
    """A flat vector back in the form of `like` (an array, a number, a list of them)."""
    if isinstance(like, (list, tuple)):
        items, k = [], 0
        for item in like:
            n = int(np.size(item))
            items.append(_unflat(flat[k:k + n], item))
            k += n
        return type(like)(items)
    if isinstance(like, np.ndarray):
        return np.reshape(flat, like.shape)
    return float(flat[0])


class _RightHandSide:
    """The user's f(y, t, *args) (f(t, y, *args) with `tfirst`), its value as a
    flat vector, and its derivatives through s2sad: a^T df/dy with a^T df/dp,
    and df/dy s + df/dp tp, p the real numbers and arrays among `args`."""

    def __init__(self, func: Any, args: Any, tfirst: bool, y0: Any) -> None:
        self.func, self.tfirst = func, bool(tfirst)
        self.args = tuple(args) if args is not None else ()
        self.size = int(np.size(y0))
        if any(np.iscomplexobj(v) for v in (y0, *_leaves(list(self.args)))):
            raise UnsupportedSyntaxError(
                "s2sad differentiates ODE solutions with real states and parameters only; "
                "this one is complex", hint="write the state as its real and imaginary "
                "parts, np.concatenate([z.real, z.imag])")
        for item in self.args:
            if isinstance(item, (list, tuple)) and any(_is_real(v) for v in _leaves(item)):
                raise UnsupportedSyntaxError(
                    "s2sad differentiates an ODE's parameters given as numbers or arrays, "
                    "not lists or tuples of them", hint="pass np.array([...]) in args=")
        self.active = [k for k, item in enumerate(self.args) if _is_real(item)]

    def arguments(self, y: np.ndarray, t: float) -> tuple:
        return (t, y, *self.args) if self.tfirst else (y, t, *self.args)

    def positions(self) -> tuple[int, ...]:
        return (1 if self.tfirst else 0, *[2 + k for k in self.active])

    def value(self, y: np.ndarray, t: float) -> np.ndarray:
        return _flat(self.func(*self.arguments(y, float(t))))

    def adjoint(self, y: np.ndarray, t: float, a: np.ndarray) -> tuple:
        """(f, a^T df/dy, a^T df/dp), all flat."""
        calls = _dispatcher()
        value, saved = calls.call_forward(self.func, self.positions(),
                                          *self.arguments(y, float(t)))
        grads = calls.call_backward(saved, _unflat(a, value))
        parts = [_flat(g, int(np.size(self.args[k])))
                 for g, k in zip(grads[1:], self.active)]
        return _flat(value), _flat(grads[0], self.size), \
            np.concatenate(parts) if parts else np.zeros(0)

    def tangent(self, y: np.ndarray, t: float, s: np.ndarray, tp: tuple) -> tuple:
        """(f, df/dy s + df/dp tp), flat; tp: the tangents of the parameters."""
        calls = _dispatcher()
        tangents = (s, *[tp[k] for k in self.active])
        value, tangent = calls.call_jvp(self.func, self.positions(), tangents,
                                        *self.arguments(y, float(t)))
        return _flat(value), _flat(tangent, self.size)

    def parameters_size(self) -> int:
        return sum(int(np.size(self.args[k])) for k in self.active)

    def parameters_adjoint(self, flat: np.ndarray, args: Any) -> Any:
        """The adjoint of `args`: one item per parameter, None for the others,
        in args' form (a tuple; a list or an array, which solve_ivp unpacks too)."""
        out: list = [None] * len(self.args)
        k = 0
        for i in self.active:
            n = int(np.size(self.args[i]))
            out[i] = _unflat(flat[k:k + n], self.args[i])
            k += n
        if isinstance(args, np.ndarray):
            return np.reshape(np.array([0.0 if v is None else v for v in out]), args.shape)
        return out if isinstance(args, list) else tuple(out)


def _leaves(item: Any) -> list:
    if isinstance(item, (list, tuple)):
        return [leaf for v in item for leaf in _leaves(v)]
    return [item]


def _adjoint_sweep(rhs: _RightHandSide, times: np.ndarray, ys: np.ndarray, gs: np.ndarray,
                   solve: Any) -> tuple[np.ndarray, np.ndarray]:
    """The adjoint state at times[0] and the parameters' adjoint: backwards
    from the last time, the augmented state (y, a, p) integrated to each
    earlier time by `solve(f, state, t_from, t_to)`, with y restarted from the
    forward solution `ys` and the output's adjoint `gs` added at each time."""
    n = rhs.size

    def augmented(t: float, state: np.ndarray) -> np.ndarray:
        f, a_y, a_p = rhs.adjoint(state[:n], t, state[n:2 * n])
        return np.concatenate([f, -a_y, -a_p])

    a, p = np.array(gs[-1], dtype=float), np.zeros(rhs.parameters_size())
    for k in range(len(times) - 1, 0, -1):
        if times[k] != times[k - 1]:
            state = solve(augmented, np.concatenate([ys[k], a, p]), times[k], times[k - 1])
            a, p = state[n:2 * n], state[2 * n:]
        a = a + gs[k - 1]
    return a, p


class _Memo:
    """The last adjoints an ODE rule computed: the rules of y0, t and args in
    one backward pass share one backward integration. A later request is
    served from it only if it gives the same adjoint object g (the same pass:
    each pass makes its own), with the same values (nothing written into it),
    and asks for an argument not served yet (a new pass asks again)."""

    def __init__(self) -> None:
        self.key: Any = None
        self.g: Any = None
        self.served: set[str] = set()
        self.result: Any = None

    def get(self, key: tuple, which: str, compute: Any) -> Any:
        if self.key is None or key[0] is not self.g or which in self.served or \
                not _same_inputs(self.key, key):
            self.key = self.result = None
            result = compute()
            self.key, self.g, self.served, self.result = _frozen(key), key[0], set(), result
        self.served.add(which)
        return self.result


def _frozen(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_frozen(v) for v in value)
    return value


def _same_inputs(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and \
            a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_inputs(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and \
            all(_same_inputs(x, y) for x, y in zip(a, b))
    if callable(a) or callable(b):
        return a is b
    return type(a) is type(b) and a == b


_ODEINT_MEMO = _Memo()
_SOLVE_IVP_MEMO = _Memo()


def _initial_adjoint(a: np.ndarray, y0: Any) -> Any:
    """y0's adjoint in y0's form (a number, an array, a list)."""
    if isinstance(y0, (list, tuple)):
        return _unflat(a, y0)
    return float(a[0]) if np.ndim(y0) == 0 else np.reshape(a, np.shape(y0))


def odeint_adjoint(g: Any, func: Any, y0: Any, t: Any, args: Any, ans: Any, tfirst: bool,
                   rtol: Any, atol: Any, hmax: Any, hmin: Any, mxstep: Any, which: str) -> Any:
    """The adjoint of odeint's `which` argument ('y0', 't' or 'args'), given
    the adjoint g of its (len(t), n) result `ans`."""
    key = (g, func, y0, t, args, ans, tfirst, rtol, atol, hmax, hmin, mxstep)
    grads = _ODEINT_MEMO.get(key, which, lambda: _odeint_adjoints(*key))
    return grads[("y0", "t", "args").index(which)]


def _odeint_adjoints(g: Any, func: Any, y0: Any, t: Any, args: Any, ans: Any, tfirst: bool,
                     rtol: Any, atol: Any, hmax: Any, hmin: Any, mxstep: Any) -> tuple:
    import scipy.integrate

    rhs = _RightHandSide(func, args, tfirst, y0)
    times = np.asarray(t, dtype=float)
    ys = np.reshape(np.asarray(ans, dtype=float), (len(times), rhs.size))
    gs = np.reshape(np.asarray(g, dtype=float), ys.shape)

    def solve(f: Any, state: np.ndarray, t_from: float, t_to: float) -> np.ndarray:
        out, info = scipy.integrate.odeint(f, state, [t_from, t_to], rtol=rtol, atol=atol,
                                           hmax=hmax, hmin=hmin, mxstep=mxstep, tfirst=True,
                                           full_output=True)
        if info["message"] != "Integration successful.":
            raise UnsupportedSyntaxError(
                f"odeint's adjoint integration failed: {info['message']}",
                hint="check the tolerances (rtol=, atol=) and mxstep=")
        return out[-1]

    a0, p = _adjoint_sweep(rhs, times, ys, gs, solve)
    t_adjoint = np.array([np.dot(gs[i], rhs.value(ys[i], times[i])) for i in range(len(times))])
    t_adjoint[0] -= np.dot(a0, rhs.value(_flat(y0), times[0]))
    return _initial_adjoint(a0, y0), _like_times(t_adjoint, t), rhs.parameters_adjoint(p, args)


def _like_times(adjoint: np.ndarray, t: Any) -> Any:
    if isinstance(t, (list, tuple)):
        return type(t)(float(v) for v in adjoint)
    return np.reshape(adjoint, np.shape(t))


def _ivp_options(rtol: Any, atol: Any, first_step: Any, max_step: Any) -> dict:
    """solve_ivp's options the rule passes on (None: SciPy's default)."""
    given = {"rtol": rtol, "atol": atol, "first_step": first_step, "max_step": max_step}
    return {k: v for k, v in given.items() if v is not None}


def _ivp_times(t_span: Any, t_eval: Any) -> np.ndarray:
    if t_eval is None:
        raise UnsupportedSyntaxError(
            "s2sad differentiates solve_ivp at given output times only: the times the "
            "solver picks move with its inputs", hint="pass t_eval=")
    return np.asarray(t_eval, dtype=float)


def solve_ivp_adjoint(g: Any, fun: Any, t_span: Any, y0: Any, method: Any, t_eval: Any,
                      args: Any, ans: Any, rtol: Any, atol: Any, first_step: Any,
                      max_step: Any, which: str) -> Any:
    """The adjoint of solve_ivp's `which` argument ('t_span', 'y0', 't_eval' or
    'args'), given the adjoint g of its result (a dict: 'y' and 't')."""
    key = (g, fun, t_span, y0, method, t_eval, args, ans, rtol, atol, first_step, max_step)
    grads = _SOLVE_IVP_MEMO.get(key, which, lambda: _solve_ivp_adjoints(*key))
    return grads[("t_span", "y0", "t_eval", "args").index(which)]


def _solve_ivp_adjoints(g: Any, fun: Any, t_span: Any, y0: Any, method: Any, t_eval: Any,
                        args: Any, ans: Any, rtol: Any, atol: Any, first_step: Any,
                        max_step: Any) -> tuple:
    import scipy.integrate

    outputs = _ivp_times(t_span, t_eval)
    rhs = _RightHandSide(fun, args, True, y0)
    y_start, t_start = _flat(y0), float(t_span[0])
    ys = np.asarray(ans["y"], dtype=float).T
    g_y = g.get("y") if isinstance(g, dict) else None
    gs = np.zeros(ys.shape) if g_y is None else np.asarray(g_y, dtype=float).T
    if outputs[0] == t_start:
        times, states, adjoints = outputs, ys, gs
    else:
        times = np.concatenate([[t_start], outputs])
        states = np.concatenate([y_start[None], ys])
        adjoints = np.concatenate([np.zeros((1, rhs.size)), gs])
    options = _ivp_options(rtol, atol, first_step, max_step)

    def solve(f: Any, state: np.ndarray, t_from: float, t_to: float) -> np.ndarray:
        out = scipy.integrate.solve_ivp(f, (t_from, t_to), state, method=method, **options)
        if not out.success:
            raise UnsupportedSyntaxError(f"solve_ivp's adjoint integration failed: "
                                         f"{out.message}", hint="check rtol=, atol=")
        return out.y[:, -1]

    a0, p = _adjoint_sweep(rhs, times, states, adjoints, solve)
    f0 = rhs.value(y_start, t_start)
    span = [-float(np.dot(a0, f0)), 0.0]
    t_eval_adjoint = np.array([np.dot(gs[i], rhs.value(ys[i], outputs[i]))
                               for i in range(len(outputs))])
    g_t = g.get("t") if isinstance(g, dict) else None
    if g_t is not None:  # (sol.t is t_eval itself)
        t_eval_adjoint = t_eval_adjoint + np.asarray(g_t, dtype=float)
    return (type(t_span)(span) if isinstance(t_span, (list, tuple)) else np.array(span),
            _initial_adjoint(a0, y0), _like_times(t_eval_adjoint, t_eval),
            rhs.parameters_adjoint(p, args))


def solve_ivp_tangent(fun: Any, t_span: Any, y0: Any, method: Any, t_eval: Any, args: Any,
                      ans: Any, rtol: Any, atol: Any, first_step: Any, max_step: Any,
                      t_span_dot: Any = None, y0_dot: Any = None, t_eval_dot: Any = None,
                      args_dot: Any = None) -> Any:
    """The tangent of solve_ivp's result (a dict: 'y' and 't') along the
    tangents given: the forward sensitivity s integrated beside y from
    s(t0) = y0_dot - f(y0, t0) t0_dot, plus f at each output time times that
    time's tangent."""
    import scipy.integrate

    outputs = _ivp_times(t_span, t_eval)
    rhs = _RightHandSide(fun, args, True, y0)
    n, t_start, y_start = rhs.size, float(t_span[0]), _flat(y0)
    tp = tuple(args_dot) if args_dot is not None else tuple(0.0 * np.asarray(a, dtype=float)
                                                              if _is_real(a) else None
                                                              for a in rhs.args)
    s0 = _flat(y0_dot, n)
    if t_span_dot is not None:
        s0 = s0 - rhs.value(y_start, t_start) * float(t_span_dot[0])

    def augmented(t: float, state: np.ndarray) -> np.ndarray:
        return np.concatenate(rhs.tangent(state[:n], t, state[n:], tp))

    out = scipy.integrate.solve_ivp(augmented, (t_start, float(t_span[1])),
                                    np.concatenate([y_start, s0]), method=method,
                                    t_eval=outputs, **_ivp_options(rtol, atol, first_step,
                                                                   max_step))
    if not out.success:
        raise UnsupportedSyntaxError(f"solve_ivp's tangent integration failed: {out.message}",
                                     hint="check rtol=, atol=")
    s = out.y[n:]
    ys = np.asarray(ans["y"], dtype=float)
    t_dot = np.zeros(len(outputs)) if t_eval_dot is None else \
        np.asarray(t_eval_dot, dtype=float).reshape(len(outputs))
    if t_eval_dot is not None:
        s = s + np.stack([rhs.value(ys[:, i], outputs[i]) for i in range(len(outputs))],
                         axis=1) * t_dot
    # (the other fields, counts and flags, have no derivative)
    return ItemwiseDict({**{k: zeros_like(v) for k, v in ans.items()}, "t": t_dot, "y": s})
