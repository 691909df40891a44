"""A table of differentiable entries as plain functions, for the checks that
run every entry at other dtypes (tests/test_complex.py: complex numbers;
tests/test_dtypes.py: float32 and complex64).

Each case is a function of a few inputs returning the entry's result (an
array, or a number), and the inputs as specs: `A(shape, ...)` draws a
differentiable array (a complex one in complex modes, unless `real=True`:
a real operand mixed with complex ones), anything else is passed as it is
(an axis, a subscripts string). Shape () draws a number: a Python float or
complex at double precision, a NumPy float32 or complex64 scalar at single.

The functions use `np` (and `scipy`) as globals, so the same code runs
under autograd.numpy and autograd.scipy (tests/test_complex.py rebinds
them) as an independent oracle.

A case is complex (the default) where NumPy or SciPy takes complex inputs,
real-only (`complex=False`) where it raises TypeError for them (checked),
and `refused` where NumPy computes it but s2sad refuses complex inputs with
its own error (checked in grad, vjp and jvp): eigh's and svd's vectors
(NumPy's phases are no convention a derivative can follow), solve_ivp's
complex states, a scipy.stats loc or scale that SciPy truncates to its real
part. `no_tangent` marks an entry without forward mode (odeint).
The checks differentiate a real loss of each result (`loss_of`) and compare
with central differences (`numeric_gradient`, written independently of
s2sad's own `numerical_gradient`).
"""

from __future__ import annotations

import copy
import functools
import math
import operator
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import s2sad

try:  # (the SciPy entries exist only where SciPy is importable; so do their cases)
    import scipy
    import scipy.integrate
    import scipy.linalg
    import scipy.signal
    import scipy.special
    import scipy.stats
except ImportError:  # pragma: no cover
    scipy = None

REAL = {"f8": np.float64, "f4": np.float32, "c16": np.float64, "c8": np.float32}
COMPLEX = {"c16": np.complex128, "c8": np.complex64}


@dataclass(frozen=True)
class A:
    """A differentiable input: real parts uniform in [lo, hi] (kept `gap`
    from the points in `away`, where real functions have kinks); imaginary
    parts of either sign with magnitude in [ilo, ihi] (off the real axis,
    where most branch cuts lie). `matrix`: square and well conditioned."""

    shape: tuple = ()
    lo: float = -1.0
    hi: float = 1.0
    ilo: float = 0.3
    ihi: float = 1.0
    real: bool = False
    away: tuple = ()
    matrix: bool = False
    gap: float = 0.15
    # with `matrix`: the diagonal added to the noise instead of 2 I (eigenvalues
    # spread apart, for the functions of eigenvectors and singular vectors)
    spectrum: tuple = ()


@dataclass
class Case:
    rule: str
    fn: Callable
    inputs: list[tuple]  # one tuple of specs per check
    complex: bool = True  # NumPy takes complex inputs
    # more checks for complex modes only (points off the real function's domain)
    complex_inputs: list[tuple] = field(default_factory=list)
    # why autograd cannot be the oracle: for every check, or by check (None: it can)
    autograd: str | dict[int, str] | None = None
    # NumPy (SciPy) takes complex inputs but s2sad refuses them, with an s2sad
    # error (tests/test_complex.py checks it does): why
    refused: str = ""
    # s2sad has no forward mode for the entry (an s2sad error; tested): why
    no_tangent: str = ""
    note: str = ""
    id: str = field(default="")


def draw(spec: Any, mode: str, rng: np.random.Generator) -> Any:
    """The value of one input spec in `mode` (f8, f4, c16, c8)."""
    if not isinstance(spec, A):
        return spec
    is_complex = mode in COMPLEX and not spec.real
    dtype = COMPLEX[mode] if is_complex else REAL[mode]
    if spec.matrix:
        n = spec.shape[-1]
        diagonal = np.diag(spec.spectrum) if spec.spectrum else 2.0 * np.eye(n)
        x = rng.normal(size=spec.shape) * 0.3 + diagonal
        if is_complex:
            x = x + 1j * rng.normal(size=spec.shape) * 0.3
    else:
        x = _away(rng.uniform(spec.lo, spec.hi, size=spec.shape), spec, rng)
        if is_complex:
            sign = rng.choice([-1.0, 1.0], size=spec.shape)
            x = x + 1j * sign * rng.uniform(spec.ilo, spec.ihi, size=spec.shape)
    x = np.asarray(x, dtype=dtype)
    if spec.shape == ():
        return x.item() if mode in ("f8", "c16") else x[()]
    return x


def _away(x: Any, spec: A, rng: np.random.Generator) -> Any:
    x = np.asarray(x, dtype=float)
    for _ in range(100):
        near = np.zeros(x.shape, dtype=bool)
        for k in spec.away:
            near |= np.abs(x - k) < spec.gap
        if not near.any():
            break
        x[near] = rng.uniform(spec.lo, spec.hi, size=int(near.sum()))
    return x


def autograd_reason(case: Case, k: int) -> str | None:
    """Why autograd cannot check input tuple k of `case` (None: it can)."""
    if isinstance(case.autograd, dict):
        return case.autograd.get(k)
    return case.autograd


def inputs_for(case: Case, complex_mode: bool) -> list[tuple]:
    return case.inputs + case.complex_inputs if complex_mode else case.inputs


def arguments(inputs: tuple, mode: str, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    return tuple(draw(spec, mode, rng) for spec in inputs)


def differentiable(inputs: tuple) -> tuple[int, ...]:
    return tuple(i for i, spec in enumerate(inputs) if isinstance(spec, A))


# ---------------------------------------------------------------- the loss and finite differences
# (the real loss L = sum(Re(y) WR) + sum(Im(y) WI) of a case's result y, and a
# central-difference gradient written independently of s2sad's)


def WR(shape: tuple) -> Any:
    """Fixed weights for the real parts of y, the same on every call."""
    size = int(np.prod(shape))
    weights = np.random.default_rng(31 + size).uniform(0.5, 1.5, size=size)
    return (weights * np.where(np.arange(size) % 3 == 1, -1.0, 1.0)).reshape(shape)


def WI(shape: tuple) -> Any:
    """Fixed weights for the imaginary parts of y, unrelated to WR's."""
    size = int(np.prod(shape))
    weights = np.random.default_rng(57 + size).uniform(0.5, 1.5, size=size)
    return (weights * np.where(np.arange(size) % 4 == 2, -1.0, 1.0)).reshape(shape)


def _loss1(fn):
    def loss(a):
        y = fn(a)
        return np.sum(np.real(y) * WR(np.shape(y))) + np.sum(np.imag(y) * WI(np.shape(y)))
    return loss


def _loss2(fn):
    def loss(a, b):
        y = fn(a, b)
        return np.sum(np.real(y) * WR(np.shape(y))) + np.sum(np.imag(y) * WI(np.shape(y)))
    return loss


def _loss3(fn):
    def loss(a, b, c):
        y = fn(a, b, c)
        return np.sum(np.real(y) * WR(np.shape(y))) + np.sum(np.imag(y) * WI(np.shape(y)))
    return loss


def _loss4(fn):
    def loss(a, b, c, d):
        y = fn(a, b, c, d)
        return np.sum(np.real(y) * WR(np.shape(y))) + np.sum(np.imag(y) * WI(np.shape(y)))
    return loss


LOSSES = {1: _loss1, 2: _loss2, 3: _loss3, 4: _loss4}


def loss_of(fn: Callable, n: int) -> Callable:
    return LOSSES[n](fn)


EPS = 1e-6


def _like(value: np.ndarray, x: Any) -> Any:
    return value if isinstance(x, np.ndarray) else value.item()


def numeric_gradient(f: Callable, args: tuple, i: int) -> Any:
    """df/dRe - i df/dIm of the real f by central differences (written here,
    independently of s2sad.numerical_gradient)."""
    x = args[i]
    is_complex = np.iscomplexobj(x)
    base = np.array(x, dtype=complex if is_complex else float)
    out = np.zeros(base.shape, dtype=base.dtype)
    for index in np.ndindex(base.shape):
        for step in ((1.0, 1j) if is_complex else (1.0,)):
            values = []
            for sign in (1.0, -1.0):
                moved = base.copy()
                moved[index] += sign * step * EPS
                values.append(f(*args[:i], _like(moved, x), *args[i + 1:]))
            slope = (values[0] - values[1]) / (2 * EPS)
            out[index] += slope if step == 1.0 else -1j * slope
    return out


def moved(args: tuple, tangents: list, eps: float) -> list:
    return [a if t is None else a + eps * t for a, t in zip(args, tangents)]



# ---------------------------------------------------------------- the functions
# (`np` is rebound to autograd.numpy for the oracle)


def op_add(x, y):
    return x + y

def op_sub(x, y):
    return x - y

def op_mul(x, y):
    return x * y

def op_truediv(x, y):
    return x / y

def op_pow(x, y):
    return x ** y

def op_pow_const(x):
    return x ** 3 + x ** 0.5 + x ** 2.0

def op_neg(x):
    return -x

def op_pos(x):
    return +(x * 2.0)

def op_matmul(a, b):
    return a @ b

def op_mod(x, y):
    return x % y

def np_mod(x, y):
    return np.mod(x, y)

def np_remainder(x, y):
    return np.remainder(x, y)

def np_negative(x):
    return np.negative(x)

def np_positive(x):
    return np.positive(x)

def np_exp(x):
    return np.exp(x)

def np_exp2(x):
    return np.exp2(x)

def np_expm1(x):
    return np.expm1(x)

def np_log(x):
    return np.log(x)

def np_log2(x):
    return np.log2(x)

def np_log10(x):
    return np.log10(x)

def np_log1p(x):
    return np.log1p(x)

def np_sqrt(x):
    return np.sqrt(x)

def np_cbrt(x):
    return np.cbrt(x)

def np_square(x):
    return np.square(x)

def np_reciprocal(x):
    return np.reciprocal(x)

def np_sin(x):
    return np.sin(x)

def np_cos(x):
    return np.cos(x)

def np_tan(x):
    return np.tan(x)

def np_arcsin(x):
    return np.arcsin(x)

def np_arccos(x):
    return np.arccos(x)

def np_arctan(x):
    return np.arctan(x)

def np_sinh(x):
    return np.sinh(x)

def np_cosh(x):
    return np.cosh(x)

def np_tanh(x):
    return np.tanh(x)

def np_arcsinh(x):
    return np.arcsinh(x)

def np_arccosh(x):
    return np.arccosh(x)

def np_arctanh(x):
    return np.arctanh(x)

def np_abs(x):
    return np.abs(x)

def np_fabs(x):
    return np.fabs(x)

def np_sinc(x):
    return np.sinc(x)

def np_sign(x):
    return np.sign(x)

def np_floor(x):
    return np.floor(x)

def np_ceil(x):
    return np.ceil(x)

def np_rint(x):
    return np.rint(x)

def np_trunc(x):
    return np.trunc(x)

def np_round(x):
    return np.round(x)

def np_around(x):
    return np.around(x)

def np_fix(x):
    return np.fix(x)

def np_real(x):
    return np.real(x)

def np_imag(x):
    return np.imag(x)

def np_conjugate(x):
    return np.conjugate(x)

def np_angle(x):
    return np.angle(x)

def np_deg2rad(x):
    return np.deg2rad(x)

def np_radians(x):
    return np.radians(x)

def np_rad2deg(x):
    return np.rad2deg(x)

def np_degrees(x):
    return np.degrees(x)

def np_arctan2(x, y):
    return np.arctan2(x, y)

def np_hypot(x, y):
    return np.hypot(x, y)

def np_add(x, y):
    return np.add(x, y)

def np_subtract(x, y):
    return np.subtract(x, y)

def np_multiply(x, y):
    return np.multiply(x, y)

def np_divide(x, y):
    return np.divide(x, y)

def np_true_divide(x, y):
    return np.true_divide(x, y)

def np_power(x, y):
    return np.power(x, y)

def np_float_power(x, y):
    return np.float_power(x, y)

def np_maximum(x, y):
    return np.maximum(x, y)

def np_minimum(x, y):
    return np.minimum(x, y)

def np_fmax(x, y):
    return np.fmax(x, y)

def np_fmin(x, y):
    return np.fmin(x, y)

def np_logaddexp(x, y):
    return np.logaddexp(x, y)

def np_logaddexp2(x, y):
    return np.logaddexp2(x, y)

def np_angle_deg(x):
    return np.angle(x, deg=True)

def np_round_decimals(x):
    return np.round(x * 10.0, 1)

def np_clip(a):
    return np.clip(a, -0.5, 0.5)

def np_clip_bounds(a, lo, hi):
    return np.clip(a, lo, hi)

def np_where(x, y):
    return np.where(np.real(x) > 0, x, y * 2.0)

def math_sin(x):
    return math.sin(x)

def math_cos(x):
    return math.cos(x)

def math_tan(x):
    return math.tan(x)

def math_asin(x):
    return math.asin(x)

def math_acos(x):
    return math.acos(x)

def math_atan(x):
    return math.atan(x)

def math_sinh(x):
    return math.sinh(x)

def math_cosh(x):
    return math.cosh(x)

def math_tanh(x):
    return math.tanh(x)

def math_exp(x):
    return math.exp(x)

def math_expm1(x):
    return math.expm1(x)

def math_log(x):
    return math.log(x)

def math_log2(x):
    return math.log2(x)

def math_log10(x):
    return math.log10(x)

def math_log1p(x):
    return math.log1p(x)

def math_sqrt(x):
    return math.sqrt(x)

def math_fabs(x):
    return math.fabs(x)

def math_erf(x):
    return math.erf(x)

def math_erfc(x):
    return math.erfc(x)

def math_atan2(y, x):
    return math.atan2(y, x)

def math_pow(x, y):
    return math.pow(x, y)

def math_hypot(x, y):
    return math.hypot(x, y, 2.0)

def math_fsum(x, y):
    return math.fsum([x, y * 2.0, x * y])

def builtin_abs(x):
    return abs(x)

def builtin_float(x):
    return float(x) * 2.0

def builtin_complex(x, y):
    return complex(x, y)


def builtin_max(x, y):
    return max(x, y, 0.5)

def builtin_min(x, y):
    return min(x, y, 0.5)

def builtin_sum(x, y):
    return sum([x, y, x * y], 1.0)

def np_sum(x, axis, keepdims):
    return np.sum(x, axis=axis, keepdims=keepdims)

def np_mean(x, axis, keepdims):
    return np.mean(x, axis=axis, keepdims=keepdims)

def np_prod(x, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims)

def np_max(x, axis, keepdims):
    return np.max(x, axis=axis, keepdims=keepdims)

def np_min(x, axis, keepdims):
    return np.min(x, axis=axis, keepdims=keepdims)

def np_amax(x, axis, keepdims):
    return np.amax(x, axis=axis, keepdims=keepdims)

def np_amin(x, axis, keepdims):
    return np.amin(x, axis=axis, keepdims=keepdims)

def np_var(x, axis, ddof):
    return np.var(x, axis=axis, ddof=ddof)

def np_std(x, axis, ddof):
    return np.std(x, axis=axis, ddof=ddof)

def np_cumsum(x, axis):
    return np.cumsum(x, axis=axis)

def np_cumprod(x, axis):
    return np.cumprod(x, axis=axis)

def np_norm(x, ord, axis):
    return np.linalg.norm(x, ord=ord, axis=axis)

def np_trace(x):
    return np.trace(x, 1)

def np_diff(x):
    return np.diff(x, 2, axis=-1)

def np_matmul(a, b):
    return np.matmul(a, b)

def np_dot(a, b):
    return np.dot(a, b)

def np_outer(a, b):
    return np.outer(a, b)

def np_inner(a, b):
    return np.inner(a, b)

def np_vdot(a, b):
    return np.vdot(a, b)

def np_tensordot(a, b):
    return np.tensordot(a, b, axes=([1, 0], [0, 2]))

def np_einsum(a, b):
    return np.einsum('ij,jk->ik', a, b)

def np_einsum_trace(a, b):
    return np.einsum('ii,i->i', a, b)

def np_cross(a, b):
    return np.cross(a, b)

def np_kron(a, b):
    return np.kron(a, b)

def np_average(a, w):
    return np.average(a, axis=1, weights=w)

def np_cov(m):
    return np.cov(m)

def np_pad(a):
    return np.pad(a, ((1, 0), (0, 2)))

def np_trapezoid(y, x):
    return np.trapezoid(y, x, axis=0)

def np_polyval(p, x):
    return np.polyval(p, x)

def np_heaviside(x1, x2):
    return np.heaviside(x1, x2)

def np_nansum(x, axis, keepdims):
    return np.nansum(x, axis=axis, keepdims=keepdims)

def np_nanmean(x, axis, keepdims):
    return np.nanmean(x, axis=axis, keepdims=keepdims)

def np_quantile(x, axis, keepdims):
    return np.quantile(x, [0.3, 0.8], axis=axis, keepdims=keepdims)

def np_percentile(x, axis, keepdims):
    return np.percentile(x, 35.0, axis=axis, keepdims=keepdims)

def np_median(x, axis, keepdims):
    return np.median(x, axis=axis, keepdims=keepdims)

def np_inv(a):
    return np.linalg.inv(a)

def np_solve(a, b):
    return np.linalg.solve(a, b)

def np_det(a):
    return np.linalg.det(a)

def np_slogdet(a):
    return np.linalg.slogdet(a)[0] * 0.7 + np.linalg.slogdet(a)[1]

def np_reshape(x):
    return np.reshape(x, (4, 3))

def np_ravel(x):
    return np.ravel(x)

def np_transpose(x):
    return np.transpose(x, (1, 2, 0))

def np_swapaxes(x):
    return np.swapaxes(x, 0, 2)

def np_moveaxis(x):
    return np.moveaxis(x, 0, -1)

def np_expand_dims(x):
    return np.expand_dims(x, 1)

def np_squeeze(x):
    return np.squeeze(x)

def np_atleast_1d(x):
    return np.atleast_1d(x)

def np_atleast_2d(x):
    return np.atleast_2d(x)

def np_broadcast_to(x):
    return np.broadcast_to(x, (2, 3, 4))

def np_flip(x):
    return np.flip(x, 0)

def np_fliplr(x):
    return np.fliplr(x)

def np_flipud(x):
    return np.flipud(x)

def np_roll(x):
    return np.roll(x, 2, axis=1)

def np_tile(x):
    return np.tile(x, (2, 1))

def np_repeat(x):
    return np.repeat(x, [1, 0, 2], axis=0)

def np_concatenate(x, y):
    return np.concatenate([x, y, x], axis=1)


def s2sad_ravel(x, y):
    return s2sad.ravel({"x": x, "rest": [y, x * y]})[0]


def copy_copy(x):
    return copy.copy(x) * 2.0


def copy_deepcopy(x):
    return copy.deepcopy([x])[0] * 2.0


def np_split(x):
    a, b = np.split(x, 2, axis=1)
    return a * 2.0 + b


def np_array_split(x):
    a, b = np.array_split(x, [1], axis=0)
    return a * 2.0 + b[:1]

def np_stack(x, y):
    return np.stack((x, y), axis=1)

def np_hstack(x, y):
    return np.hstack([x, y])

def np_vstack(x, y):
    return np.vstack([x, y])

def ufunc_methods(x, y):
    return (np.add.reduce(x, axis=1) + np.multiply.reduce(x) [:3]
            + np.add.accumulate(x)[-1][:3] + np.multiply.accumulate(x, axis=1)[:, -1]
            + np.add.outer(y, y[:1])[:, 0] - np.subtract.outer(y, y)[0])

def ufunc_extremes(x):
    return np.maximum.reduce(x, axis=1) + np.minimum.reduce(x)[:3]

def np_multi_dot(a, b, c):
    return np.linalg.multi_dot([a, b, c])

def np_float64(x):
    return np.float64(x) * 2.0 + np.float64(x[0])

def np_complex128(x):
    return np.complex128(x) * (1.0 - 2.0j) + np.complex128(x[::-1])

def np_column_stack(x, y):
    return np.column_stack([x, y])

def np_dstack(x, y):
    return np.dstack((x, y))

def np_append(x, y):
    return np.append(x, y) + np.append(x, y, axis=0).ravel()[::-1]

def np_rot90(x):
    return np.rot90(x, 3, (1, 0))

def np_diagflat(x):
    return np.diagflat(x, -1)

def np_select(x, y):
    return np.select([np.real(x) > 0.3, np.real(x) < -0.4], [x * y, np.sin(x)], default=y)

def np_ptp(x):
    return np.ptp(x, axis=1)

def np_copysign(x, y):
    return np.copysign(x, y)

def np_nan_to_num(x):
    return np.nan_to_num(x * 2.0)

def np_fftshift(x):
    return np.fft.fftshift(x, axes=1) + np.fft.fftshift(x)[::-1]

def np_ifftshift(x):
    return np.fft.ifftshift(x, axes=(1,)) * 2.0 + np.fft.ifftshift(x)

def np_diag(x):
    return np.diag(x, 1)

def np_diagonal(x):
    return np.diagonal(x, 1)

def np_triu(x):
    return np.triu(x, 1)

def np_tril(x):
    return np.tril(x)

def np_array(x, y):
    return np.array([x, y * 2.0])

def np_asarray(x):
    return np.asarray(x) * 1.5

def np_copy(x):
    return np.copy(x)

def np_sort(x):
    return np.sort(x, axis=0)

def np_full_like(a, v):
    return np.full_like(a, v)

def np_full(v):
    return np.full((2, 3), v)

def np_linspace(a, b):
    return np.linspace(a, b, 5)

def getitem_basic(x):
    return x[1:, ::2]

def getitem_fancy(x):
    return x[[0, 2, 0], 1:]

def np_take(x):
    return np.take(x, [2, 0, 2], axis=1)

def np_take_along_axis(x):
    return np.take_along_axis(x, np.array([[0, 2], [1, 1], [2, 0]]), axis=1)

def builtin_list(x):
    return list(x)[1] * 2.0 + list(x)[0]

def builtin_tuple(x):
    return tuple(x)[2] - tuple(x)[0]

def m_sum(x):
    return x.sum(axis=0)

def m_mean(x):
    return x.mean(axis=1)

def m_prod(x):
    return x.prod(axis=1)

def m_max(x):
    return x.max(axis=0)

def m_min(x):
    return x.min(axis=1)

def m_var(x):
    return x.var(axis=0)

def m_std(x):
    return x.std(axis=1)

def m_cumsum(x):
    return x.cumsum(axis=0)

def m_cumprod(x):
    return x.cumprod(axis=1)

def m_dot(a, b):
    return a.dot(b)

def m_ravel(x):
    return x.ravel()

def m_copy(x):
    return x.copy()

def m_swapaxes(x):
    return x.swapaxes(0, 1)

def m_squeeze(x):
    return x.reshape(3, 1, 4).squeeze()

def m_trace(x):
    return x.trace()

def m_repeat(x):
    return x.repeat(2, axis=0)

def m_diagonal(x):
    return x.diagonal(1)

def m_take(x):
    return x.take([1, 1, 0], axis=0)

def m_clip(x):
    return x.clip(-0.5, 0.5)

def m_conj(x):
    return x.conj()

def m_conjugate(x):
    return x.conjugate()

def m_reshape(x):
    return x.reshape(4, 3)

def m_transpose(x):
    return x.transpose()

def m_flatten(x):
    return x.flatten()

def m_astype(x):
    return x.astype(x.dtype)

def m_astype_real(x):
    return x.astype(np.float64) * 2.0

def m_T(x):
    return x.T

def m_real(x):
    return x.real

def m_imag(x):
    return x.imag

def m_item(x):
    return x.item(1) * 2.5

def setitem(x, y):
    return write(x, y)

def list_append(x, y):
    return appended(x, y)

def seq_concat(x, y):
    return concatenated(x, y)


def seq_repeat(x, y):
    return repeated(x, y)

def call(x, y):
    return helper(x, y)


def write(x, y):
    out = x * 1.0
    out[1] = y[0] * x[2]
    return out


def appended(x, y):
    items = [x]
    items.append(y * x)
    return items[0] + items[1]


def concatenated(x, y):
    both = [x] + [y]
    return both[0] * both[1]


def repeated(x, y):
    both = [x, y] * 2
    return both[0] * both[3]


def helper(x, y):
    return np.exp(x) * y


# ---------------------------------------------------------------- factorizations, FFT, signal


def np_cholesky(a):
    return np.linalg.cholesky(a)

def np_cholesky_upper(a):
    return np.linalg.cholesky(a, upper=True)

def np_eigh(a):
    w, v = np.linalg.eigh(a)
    return np.concatenate([w[..., None, :], v], axis=-2)

def np_eigh_upper(a):
    result = np.linalg.eigh(a, UPLO="U")
    return np.concatenate([result[0][..., None, :], result[1]], axis=-2)

def np_eigvalsh(a):
    return np.linalg.eigvalsh(a)

def np_eigvalsh_upper(a):
    return np.linalg.eigvalsh(a, "U")

def np_svd(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.concatenate([np.swapaxes(u, -1, -2), s[..., :, None], vh], axis=-1)

def np_svd_square(a):
    u, s, vh = np.linalg.svd(a)
    return np.concatenate([u, s[..., :, None], vh], axis=-1)

def np_svdvals(a):
    return np.linalg.svdvals(a)

def np_qr(a):
    q, r = np.linalg.qr(a)
    return np.concatenate([np.swapaxes(q, -1, -2), r], axis=-1)

def np_pinv(a):
    return np.linalg.pinv(a)

def np_lstsq(a, b):
    x, residuals, rank, s = np.linalg.lstsq(a, b)
    return np.concatenate([np.ravel(x), residuals, s])

def np_matrix_power(a):
    return np.linalg.matrix_power(a, 3)

def np_matrix_power_inverse(a):
    return np.linalg.matrix_power(a, -2)

def np_fft(x):
    return np.fft.fft(x)

def np_fft_options(x):
    return np.fft.fft(x, 5, 0, "ortho")

def np_ifft(x):
    return np.fft.ifft(x)

def np_ifft_options(x):
    return np.fft.ifft(x, n=8, norm="forward")

def np_rfft(x):
    return np.fft.rfft(x)

def np_rfft_options(x):
    return np.fft.rfft(x, 7, 0, "ortho")

def np_irfft(x):
    return np.fft.irfft(x)

def np_irfft_options(x):
    return np.fft.irfft(x, 7, 0, "ortho")

def np_fft2(x):
    return np.fft.fft2(x)

def np_fft2_options(x):
    return np.fft.fft2(x, (4, 3), (0, 2), "ortho")

def np_ifft2(x):
    return np.fft.ifft2(x)

def np_fftn(x):
    return np.fft.fftn(x)

def np_fftn_options(x):
    return np.fft.fftn(x, (3, 5), (-2, -1), "forward")

def np_ifftn(x):
    return np.fft.ifftn(x)

def np_rfft2(x):
    return np.fft.rfft2(x)

def np_rfftn(x):
    return np.fft.rfftn(x, (2, 3, 6))

def np_irfft2(x):
    return np.fft.irfft2(x)

def np_irfftn(x):
    return np.fft.irfftn(x, (3, 6), norm="ortho")

XP = np.array([-1.5, -0.7, 0.1, 0.4, 1.2, 2.0])

def np_interp(x, shift, fp):
    return np.interp(x, XP + shift, fp)

def np_interp_bounds(x, fp, left, right):
    return np.interp(x, XP, fp, left, right)

def np_convolve(a, v):
    return np.convolve(a, v)

def np_convolve_same(a, v):
    return np.convolve(a, v, "same")

def np_convolve_valid(a, v):
    return np.convolve(a, v, mode="valid")

def np_correlate(a, v):
    return np.correlate(a, v)

def np_correlate_same(a, v):
    return np.correlate(a, v, "same")

def np_correlate_full(a, v):
    return np.correlate(a, v, mode="full")


# ---------------------------------------------------------------- SciPy
# (`scipy` is rebound to autograd.scipy's modules for the oracle)


def sp_expit(x):
    return scipy.special.expit(x)

def sp_log_expit(x):
    return scipy.special.log_expit(x)

def sp_logit(x):
    return scipy.special.logit(x)

def sp_gammaln(x):
    return scipy.special.gammaln(x)

def sp_digamma(x):
    return scipy.special.digamma(x)

def sp_polygamma(x):
    return scipy.special.polygamma(2, x)

def sp_gamma(x):
    return scipy.special.gamma(x)

def sp_beta(a, b):
    return scipy.special.beta(a, b)

def sp_betaln(a, b):
    return scipy.special.betaln(a, b)

def sp_erf(x):
    return scipy.special.erf(x)

def sp_erfc(x):
    return scipy.special.erfc(x)

def sp_erfinv(x):
    return scipy.special.erfinv(x)

def sp_ndtr(x):
    return scipy.special.ndtr(x)

def sp_log_ndtr(x):
    return scipy.special.log_ndtr(x)

def sp_ndtri(x):
    return scipy.special.ndtri(x)

def sp_erfcx(x):
    return scipy.special.erfcx(x)

def sp_i0(x):
    return scipy.special.i0(x)

def sp_i1(x):
    return scipy.special.i1(x)

def sp_iv(x):
    return scipy.special.iv(1.5, x)

def sp_i0e(x):
    return scipy.special.i0e(x)

def sp_i1e(x):
    return scipy.special.i1e(x)

def sp_ive(x):
    return scipy.special.ive(2.0, x)

def sp_xlogy(x, y):
    return scipy.special.xlogy(x, y)

def sp_xlog1py(x, y):
    return scipy.special.xlog1py(x, y)

def sp_entr(x):
    return scipy.special.entr(x)

def sp_softmax(x):
    return scipy.special.softmax(x, axis=1)

def sp_softmax_all(x):
    return scipy.special.softmax(x)

def sp_log_softmax(x):
    return scipy.special.log_softmax(x, axis=0)

def sp_logsumexp(a):
    return scipy.special.logsumexp(a, axis=1)

def sp_logsumexp_b(a, b):
    return scipy.special.logsumexp(a, axis=0, b=b, keepdims=True)

def st_norm_logpdf(x, loc, scale):
    return scipy.stats.norm.logpdf(x, loc, scale)

def st_norm_pdf(x, loc, scale):
    return scipy.stats.norm.pdf(x, loc, scale)

def st_norm_cdf(x, loc, scale):
    return scipy.stats.norm.cdf(x, loc, scale)

def st_norm_logcdf(x, loc, scale):
    return scipy.stats.norm.logcdf(x, loc, scale)

def st_t_logpdf(x, df, loc):
    return scipy.stats.t.logpdf(x, df, loc, 1.5)

def st_t_pdf(x, df, scale):
    return scipy.stats.t.pdf(x, df, scale=scale)

def st_t_cdf(x, loc, scale):
    return scipy.stats.t.cdf(x, 3.5, loc, scale)

def st_gamma_logpdf(x, a, scale):
    return scipy.stats.gamma.logpdf(x, a, 0.1, scale)

def st_gamma_pdf(x, a, loc):
    return scipy.stats.gamma.pdf(x, a, loc)

def st_gamma_cdf(x, loc, scale):
    return scipy.stats.gamma.cdf(x, 2.5, loc, scale)

def st_beta_logpdf(x, a, b):
    return scipy.stats.beta.logpdf(x, a, b)

def st_beta_pdf(x, a, b):
    return scipy.stats.beta.pdf(x, a, b)

def st_beta_cdf(x, loc, scale):
    return scipy.stats.beta.cdf(x, 2.0, 3.0, loc, scale)

def st_poisson_logpmf(mu):
    return scipy.stats.poisson.logpmf(np.array([0, 1, 3, 2]), mu)

def st_poisson_pmf(mu):
    return scipy.stats.poisson.pmf(np.array([0, 1, 3, 2]), mu)

def st_poisson_cdf(mu):
    return scipy.stats.poisson.cdf(np.array([0, 1, 3, 2]), mu)

def st_bernoulli_logpmf(p):
    return scipy.stats.bernoulli.logpmf(np.array([0, 1, 1, 0]), p)

def st_bernoulli_pmf(p):
    return scipy.stats.bernoulli.pmf(np.array([0, 1, 1, 0]), p)

def st_mvn_logpdf(x, mean, cov):
    return scipy.stats.multivariate_normal.logpdf(x, mean, cov)

def st_mvn_pdf(x, mean, cov):
    return scipy.stats.multivariate_normal.pdf(x, mean, cov)

def st_dirichlet_logpdf(x, alpha):
    return scipy.stats.dirichlet.logpdf(x, alpha)

def st_dirichlet_pdf(x, alpha):
    return scipy.stats.dirichlet.pdf(x, alpha)

def sl_solve_triangular(a, b):
    return scipy.linalg.solve_triangular(a, b)

def sl_solve_triangular_lower(a, b):
    return scipy.linalg.solve_triangular(a, b, trans=1, lower=True)

def sl_cho_factor(a):
    return scipy.linalg.cho_factor(a)[0]

def sl_cho_factor_lower(a):
    return scipy.linalg.cho_factor(a, lower=True)[0]

def sl_cho_solve(c, b):
    return scipy.linalg.cho_solve((c, True), b)

def sl_cho_solve_upper(c, b):
    return scipy.linalg.cho_solve((c, False), b)

CHO_FACTOR = np.array([[1.5, 0.0, 0.0], [0.3 - 0.2j, 2.0, 0.0], [-0.4 + 0.1j, 0.2 + 0.5j, 1.2]])

def sl_cho_solve_constant_factor(b):
    return scipy.linalg.cho_solve((CHO_FACTOR, True), b)

def sl_sqrtm(a):
    return scipy.linalg.sqrtm(a)

def sl_expm(a):
    return scipy.linalg.expm(a)

def ss_convolve(in1, in2):
    return scipy.signal.convolve(in1, in2)

def ss_convolve_same(in1, in2):
    return scipy.signal.convolve(in1, in2, "same")

def ss_convolve_valid(in1, in2):
    return scipy.signal.convolve(in1, in2, mode="valid")

def ss_convolve2d_same(in1, in2):
    return scipy.signal.convolve2d(in1, in2, "same")

def ss_correlate2d(in1, in2):
    return scipy.signal.correlate2d(in1, in2)

def ss_correlate2d_valid(in1, in2):
    return scipy.signal.correlate2d(in1, in2, mode="valid")

def decay(y, t, k):
    return -k * y + 0.5 * np.sin(t) * y[::-1]

def decay_t_first(t, y, k):
    return decay(y, t, k)

def si_odeint(y0, k):
    return scipy.integrate.odeint(decay, y0, np.array([0.0, 0.4, 1.0]), args=(k,), rtol=1e-11,
                                  atol=1e-12)

def si_solve_ivp(y0, k):
    sol = scipy.integrate.solve_ivp(decay_t_first, (0.0, 1.0), y0, t_eval=np.array([0.4, 1.0]),
                                    args=(k,), rtol=1e-11, atol=1e-12)
    return sol.y


# ---------------------------------------------------------------- the cases


def u(**spec: Any) -> list[tuple]:
    """An array and a number, drawn by the same spec."""
    return [(A((3, 4), **spec),), (A((), **spec),)]


def b(**spec: Any) -> list[tuple]:
    """Two operands: broadcast arrays, a number and an array, a real array and
    a complex one (the real one's gradient must be real)."""
    second = {k[:-1] if k.endswith("2") else k: v for k, v in spec.items() if k.endswith("2")}
    first = {k: v for k, v in spec.items() if not k.endswith("2")}
    return [(A((3, 4), **first), A((4,), **second)), (A((), **first), A((3,), **second)),
            (A((3,), real=True, **first), A((3,), **second)),
            (A((3,), **first), A((3,), real=True, **second))]



# ---------------------------------------------------------------- calls of every kind
# (operator's functions, attributes of objects, functools.partial)

def operator_add(x, y):
    return operator.add(x, y)

def operator_sub(x, y):
    return operator.sub(x, y)

def operator_mul(x, y):
    return operator.mul(x, y)

def operator_truediv(x, y):
    return operator.truediv(x, y)

def operator_pow(x, y):
    return operator.pow(x, y)

def builtin_pow(x, y):
    return pow(x, y)

def operator_mod(x, y):
    return operator.mod(x, y)

def operator_neg(x):
    return operator.neg(x)

def operator_matmul(a, b):
    return operator.matmul(a, b)


Pair = namedtuple("Pair", "w b")


class Holder:
    def __init__(self, w):
        self.w = w


def attribute_read(x, y):
    p = Pair(x, y)
    return p.w * p.b


def attribute_write(x, y):
    h = Holder(x)
    h.w = h.w * y
    return h.w


def _times(a, b):
    return a * b


def partial_call(x, y):
    return functools.partial(_times, x)(y)


POS = {"lo": 0.5, "hi": 2.0}
POS2 = {"lo2": 0.5, "hi2": 2.0}
HALF = {"lo": -0.45, "hi": 0.45, "ilo": 0.55, "ihi": 0.95}  # off the rounding points
REAL_ONLY = {"complex": False}
NO_METHOD = "its arrays have no such method"
AUTOGRAD_METHODS = {m_copy: NO_METHOD, m_conj: NO_METHOD, m_conjugate: NO_METHOD, m_real: NO_METHOD,
                    m_imag: NO_METHOD, m_cumprod: "has no adjoint for it",
                    m_diagonal: "only the main diagonal", m_take: "has no adjoint for it"}
M = A((3, 3), matrix=True)

CASES = [
    # operators
    Case("add", op_add, b()),
    Case("sub", op_sub, b()),
    Case("mul", op_mul, b()),
    Case("truediv", op_truediv, b(**POS2)),
    Case("pow", op_pow, b(**POS) + [(A((3,), **POS), A(()))]),
    Case("pow", op_pow_const, u(**POS), id="const"),
    Case("neg", op_neg, u()),
    Case("pos", op_pos, u(), autograd="its arrays have no unary +"),
    Case("matmul", op_matmul, [(A((3, 4)), A((4, 2))), (A((4,)), A((4, 3))),
                               (A((2, 3, 4)), A((4, 2))), (A((3, 4), real=True), A((4,)))]),
    Case("mod", op_mod, [(A((5,), lo=3.1, hi=3.3), A((5,), lo=1.2, hi=1.3))], **REAL_ONLY),
    Case("np.mod", np_mod, [(A((5,), lo=3.1, hi=3.3), A((5,), lo=1.2, hi=1.3))], **REAL_ONLY),
    Case("np.remainder", np_remainder, [(A((5,), lo=3.1, hi=3.3), A((5,), lo=1.2, hi=1.3))],
         **REAL_ONLY),
    # elementwise functions
    Case("np.negative", np_negative, u()),
    Case("np.positive", np_positive, u(), autograd="has no adjoint for it"),
    Case("np.exp", np_exp, u()),
    Case("np.exp2", np_exp2, u()),
    Case("np.expm1", np_expm1, u()),
    Case("np.log", np_log, u(**POS), complex_inputs=u(lo=-2.0, hi=-0.5)),
    Case("np.log2", np_log2, u(**POS)),
    Case("np.log10", np_log10, u(**POS)),
    Case("np.log1p", np_log1p, u(lo=-0.5, hi=1.0), complex_inputs=u(lo=-3.0, hi=-1.5)),
    Case("np.sqrt", np_sqrt, u(lo=0.2, hi=2.0), complex_inputs=u(lo=-2.0, hi=-0.5)),
    Case("np.cbrt", np_cbrt, u(away=(0.0,)), **REAL_ONLY),
    Case("np.square", np_square, u()),
    Case("np.reciprocal", np_reciprocal, u(away=(0.0,), gap=0.3)),
    Case("np.sin", np_sin, u()),
    Case("np.cos", np_cos, u()),
    Case("np.tan", np_tan, u()),
    Case("np.arcsin", np_arcsin, u(lo=-0.8, hi=0.8), complex_inputs=u(lo=1.2, hi=2.0)),
    Case("np.arccos", np_arccos, u(lo=-0.8, hi=0.8), complex_inputs=u(lo=-2.0, hi=-1.2)),
    Case("np.arctan", np_arctan, u(lo=0.2, hi=1.0), complex_inputs=u(lo=-1.0, hi=-0.2)),
    Case("np.sinh", np_sinh, u()),
    Case("np.cosh", np_cosh, u()),
    Case("np.tanh", np_tanh, u()),
    Case("np.arcsinh", np_arcsinh, u(lo=0.2, hi=1.0), complex_inputs=u(lo=-1.0, hi=-0.2)),
    # (left of the imaginary axis 1/sqrt(z^2 - 1) has the wrong sign)
    Case("np.arccosh", np_arccosh, u(lo=1.2, hi=2.0),
         complex_inputs=u(lo=-2.0, hi=-0.2) + u(lo=-0.5, hi=0.5),
         autograd={k: "uses 1/sqrt(z^2 - 1): the wrong sign left of the imaginary axis"
                   for k in (2, 3, 4, 5)}),
    Case("np.arctanh", np_arctanh, u(lo=-0.8, hi=0.8), complex_inputs=u(lo=1.2, hi=2.0)),
    Case("np.abs", np_abs, u(away=(0.0,))),
    Case("np.fabs", np_fabs, u(away=(0.0,)), **REAL_ONLY),
    Case("np.sinc", np_sinc, u()),
    Case("np.sign", np_sign, u(away=(0.0,)),
         autograd="gives 0 for complex z, which is not the derivative of z/|z|"),
    Case("np.floor", np_floor, u(lo=-0.9, hi=0.9, away=(0.0,)), **REAL_ONLY),
    Case("np.ceil", np_ceil, u(lo=-0.9, hi=0.9, away=(0.0,)), **REAL_ONLY),
    Case("np.trunc", np_trunc, u(lo=-0.9, hi=0.9, away=(0.0,)), **REAL_ONLY),
    Case("np.fix", np_fix, u(lo=-0.9, hi=0.9, away=(0.0,)), **REAL_ONLY),
    Case("np.rint", np_rint, u(**HALF)),
    Case("np.round", np_round, u(**HALF)),
    Case("np.round", np_round_decimals, u(), id="decimals"),
    Case("np.around", np_around, u(**HALF)),
    Case("np.real", np_real, u()),
    Case("np.imag", np_imag, u()),
    Case("np.conjugate", np_conjugate, u()),
    Case("np.angle", np_angle, u(away=(0.0,))),
    Case("np.angle", np_angle_deg, u(away=(0.0,)), id="deg", autograd="its angle has no deg="),
    Case("np.deg2rad", np_deg2rad, u(), **REAL_ONLY),
    Case("np.radians", np_radians, u(), **REAL_ONLY),
    Case("np.rad2deg", np_rad2deg, u(), **REAL_ONLY),
    Case("np.degrees", np_degrees, u(), **REAL_ONLY),
    Case("np.arctan2", np_arctan2, b(away=(0.0,), away2=(0.0,)), **REAL_ONLY),
    Case("np.hypot", np_hypot, b(away=(0.0,)), **REAL_ONLY),
    Case("np.add", np_add, b()),
    Case("np.subtract", np_subtract, b()),
    Case("np.multiply", np_multiply, b()),
    Case("np.divide", np_divide, b(**POS2)),
    Case("np.true_divide", np_true_divide, b(**POS2)),
    Case("np.power", np_power, b(**POS)),
    Case("np.float_power", np_float_power, b(**POS), autograd="has no adjoint for it"),
    Case("np.maximum", np_maximum, b()),
    Case("np.minimum", np_minimum, b()),
    Case("np.fmax", np_fmax, b()),
    Case("np.fmin", np_fmin, b()),
    Case("np.logaddexp", np_logaddexp, b(), **REAL_ONLY),
    Case("np.logaddexp2", np_logaddexp2, b(), **REAL_ONLY),
    Case("np.clip", np_clip, u(away=(-0.5, 0.5))),
    Case("np.clip", np_clip_bounds, [(A((3, 4), away=(-0.5, 0.5)),
                                      A((4,), lo=-0.6, hi=-0.4, real=True),
                                      A((4,), lo=0.4, hi=0.6, real=True))], id="bounds",
         autograd="fails with array bounds"),
    Case("np.where", np_where, [(A((3, 4), away=(0.0,)), A((3, 4))),
                                (A((3, 4), away=(0.0,)), A((4,), real=True))]),
    # math and builtins (real numbers only, but abs and sum)
    *[Case(f"math.{name}", fn, [(A((), **spec),)], **REAL_ONLY) for name, fn, spec in [
        ("sin", math_sin, {}), ("cos", math_cos, {}), ("tan", math_tan, {}),
        ("asin", math_asin, {"lo": -0.8, "hi": 0.8}), ("acos", math_acos, {"lo": -0.8, "hi": 0.8}),
        ("atan", math_atan, {}), ("sinh", math_sinh, {}), ("cosh", math_cosh, {}),
        ("tanh", math_tanh, {}), ("exp", math_exp, {}), ("expm1", math_expm1, {}),
        ("log", math_log, POS), ("log2", math_log2, POS), ("log10", math_log10, POS),
        ("log1p", math_log1p, {"lo": -0.5, "hi": 1.0}), ("sqrt", math_sqrt, POS),
        ("fabs", math_fabs, {"away": (0.0,)}), ("erf", math_erf, {}), ("erfc", math_erfc, {})]],
    Case("math.atan2", math_atan2, [(A(()), A((), away=(0.0,)))], **REAL_ONLY),
    Case("math.pow", math_pow, [(A((), **POS), A(()))], **REAL_ONLY),
    Case("math.hypot", math_hypot, [(A(()), A(()))], **REAL_ONLY),
    Case("math.fsum", math_fsum, [(A(()), A(()))], **REAL_ONLY),
    Case("abs", builtin_abs, [(A((), away=(0.0,)),), (A((3,), away=(0.0,)),)]),
    Case("float", builtin_float, [(A(()),)], **REAL_ONLY),
    Case("complex", builtin_complex, [(A((), real=True), A((), real=True)), (A(()), A(()))],
         autograd="has no complex()"),
    Case("max", builtin_max, [(A((), lo=0.6), A((), hi=0.4))], **REAL_ONLY),
    Case("min", builtin_min, [(A((), hi=0.4), A((), lo=0.6))], **REAL_ONLY),
    Case("sum", builtin_sum, [(A((3,)), A((3,))), (A(()), A(()))]),
    # reductions
    *[Case(f"np.{name}", fn, [(A((3, 4)), None, False), (A((3, 4)), 1, True),
                              (A((2, 3, 4)), (0, 2), False)])
      for name, fn in [("sum", np_sum), ("mean", np_mean), ("prod", np_prod), ("max", np_max),
                       ("min", np_min), ("amax", np_amax), ("amin", np_amin)]],
    *[Case(f"np.{name}", fn, [(A((3, 4)), None, False), (A((3, 4)), 1, True),
                              (A((2, 3, 4)), (0, 2), False)], autograd="has no adjoint for it")
      for name, fn in [("nansum", np_nansum), ("nanmean", np_nanmean)]],
    *[Case(f"np.{name}", fn, [(A((3, 4)), None, False), (A((3, 4)), 1, True),
                              (A((2, 3, 4)), (0, 2), False)], **REAL_ONLY,
           autograd="has no adjoint for it")
      for name, fn in [("quantile", np_quantile), ("percentile", np_percentile)]],
    Case("np.median", np_median, [(A((3, 4)), None, False), (A((3, 4)), 1, True),
                                  (A((2, 3, 4)), (0, 2), False)],
         autograd="has no adjoint for it"),
    Case("np.var", np_var, [(A((3, 4)), None, 0), (A((3, 4)), 1, 1)]),
    Case("np.std", np_std, [(A((3, 4)), None, 0), (A((3, 4)), 1, 1)]),
    Case("np.cumsum", np_cumsum, [(A((3, 4)), None), (A((3, 4)), 1)]),
    Case("np.cumprod", np_cumprod, [(A((3, 4)), None), (A((3, 4)), 1)],
         autograd="has no adjoint for it"),
    Case("np.linalg.norm", np_norm, [
        (A((5,)), None, None), (A((5,), away=(0.0,)), 1, None), (A((5,)), np.inf, None),
        (A((5,)), 3, None), (A((3, 4)), None, 1), (A((3, 4)), "fro", None),
        (A((3, 4)), "nuc", None), (A((3, 4)), 2, None), (A((3, 4), away=(0.0,)), 1, None),
        (A((3, 4), away=(0.0,)), np.inf, None)],
         autograd={1: "no ord=1",
                   2: "nan wherever the maximum is attained (notes, section 1)",
                   7: "no matrix ord=2", 8: "no matrix ord=1", 9: "no matrix ord=inf"}),
    Case("np.trace", np_trace, [(A((3, 4)),)]),
    Case("np.diff", np_diff, [(A((3, 5)),)]),
    # linear algebra
    Case("np.matmul", np_matmul, [(A((3, 4)), A((4, 2))), (A((4,)), A((4, 3))),
                                  (A((2, 3, 4)), A((4, 2))), (A((3, 4), real=True), A((4,)))]),
    Case("np.dot", np_dot, [(A((3, 4)), A((4, 2))), (A((4,)), A((4,))), (A(()), A((3,))),
                            (A((3, 4)), A((4,), real=True))]),
    Case("np.outer", np_outer, [(A((3,)), A((4,)))]),
    Case("np.inner", np_inner, [(A((3, 4)), A((2, 4)))]),
    Case("np.vdot", np_vdot, [(A((3, 4)), A((3, 4))), (A((4,)), A((2, 2))),
                              (A((4,), real=True), A((4,))), (A((4,)), A((4,), real=True))],
         autograd="has no adjoint for it"),
    Case("np.tensordot", np_tensordot, [(A((3, 4, 2)), A((4, 5, 3)))]),
    Case("np.einsum", np_einsum, [(A((3, 4)), A((4, 2)))]),
    Case("np.einsum", np_einsum_trace, [(A((3, 3)), A((3,)))], id="diagonal",
         autograd="refuses a repeated output label"),
    Case("np.cross", np_cross, [(A((4, 3)), A((3,))), (A((2,)), A((2,)))],
         autograd="fails to broadcast its adjoint"),
    Case("np.kron", np_kron, [(A((2, 3)), A((3, 2))), (A((3,)), A((2, 2)))],
         autograd="has no adjoint for it"),
    Case("np.average", np_average, [(A((3, 4)), A((4,), lo=0.5, hi=2.0, real=True))],
         autograd="has no average with weights"),
    Case("np.cov", np_cov, [(A((3, 5)),), (A((4,)),)], autograd="has no cov"),
    Case("np.pad", np_pad, [(A((2, 3)),)], autograd="its pad adjoint needs mode= given"),
    Case("np.trapezoid", np_trapezoid, [(A((3, 4)), A((3, 1)))],
         autograd="has no trapezoid"),
    Case("np.polyval", np_polyval, [(A((4,)), A((3, 2))), (A((3,)), A(()))],
         autograd="has no adjoint for it"),
    Case("np.heaviside", np_heaviside, [(A((3, 4), away=(0.0,)), A((4,)))], **REAL_ONLY,
         autograd="has no adjoint for it"),
    Case("np.linalg.inv", np_inv, [(M,)]),
    Case("np.linalg.solve", np_solve, [(M, A((3,))), (M, A((3, 2)))]),
    Case("np.linalg.det", np_det, [(M,), (A((2, 3, 3), matrix=True),)]),
    Case("np.linalg.slogdet", np_slogdet, [(M,)],
         autograd="ignores the sign's cotangent (the sign of a complex determinant moves)"),
    # shapes
    Case("np.reshape", np_reshape, [(A((3, 4)),)]),
    Case("np.ravel", np_ravel, [(A((3, 4)),)]),
    Case("np.transpose", np_transpose, [(A((2, 3, 4)),)]),
    Case("np.swapaxes", np_swapaxes, [(A((2, 3, 4)),)]),
    Case("np.moveaxis", np_moveaxis, [(A((2, 3, 4)),)]),
    Case("np.expand_dims", np_expand_dims, [(A((3, 4)),)]),
    Case("np.squeeze", np_squeeze, [(A((3, 1, 4)),)]),
    Case("np.atleast_1d", np_atleast_1d, [(A(()),)]),
    Case("np.atleast_2d", np_atleast_2d, [(A((3,)),)]),
    Case("np.broadcast_to", np_broadcast_to, [(A((3, 4)),), (A((4,)),)],
         autograd="cannot add leading dimensions"),
    Case("np.flip", np_flip, [(A((3, 4)),)], autograd="has no adjoint for it"),
    Case("np.fliplr", np_fliplr, [(A((3, 4)),)]),
    Case("np.flipud", np_flipud, [(A((3, 4)),)]),
    Case("np.roll", np_roll, [(A((3, 4)),)]),
    Case("np.tile", np_tile, [(A((3, 4)),)]),
    Case("np.repeat", np_repeat, [(A((3, 4)),)], autograd="takes no list of repeats"),
    Case("np.concatenate", np_concatenate, [(A((3, 2)), A((3, 4))),
                                            (A((3, 2), real=True), A((3, 4)))],
         autograd={1: "fails to add a complex adjoint into a real one"}),
    Case("copy.copy", copy_copy, [(A((3, 4)),)]),
    Case("ravel", s2sad_ravel, [(A((3, 2)), A((3, 2))), (A(()), A((2,), real=True))],
         autograd="s2sad's own function"),
    Case("copy.deepcopy", copy_deepcopy, [(A((3, 4)),)]),
    Case("np.split", np_split, [(A((3, 4)),)]),
    Case("np.array_split", np_array_split, [(A((3, 4)),)]),
    Case("np.stack", np_stack, [(A((3, 4)), A((3, 4)))]),
    Case("np.hstack", np_hstack, [(A((3, 2)), A((3, 4)))]),
    Case("np.vstack", np_vstack, [(A((2, 4)), A((3, 4)))]),
    *[Case(name, ufunc_methods, [(A((3, 3)), A((3,)))], id=name,
           autograd="its ufuncs have no methods that differentiate")
      for name in ("np.add.reduce", "np.multiply.reduce", "np.add.accumulate",
                   "np.multiply.accumulate", "np.add.outer", "np.subtract.outer")],
    *[Case(name, ufunc_extremes, [(A((3, 3)),)], id=name,
           autograd="its ufuncs have no methods that differentiate")
      for name in ("np.maximum.reduce", "np.minimum.reduce")],
    Case("np.linalg.multi_dot", np_multi_dot, [(A((3,)), A((3, 4)), A((4, 2))),
                                               (A((2, 3)), A((3, 3)), A((3,)))],
         autograd="its multi_dot does not record the operation"),
    Case("np.float64", np_float64, [(A((3,)),)], autograd="has no adjoint for it"),
    Case("np.complex128", np_complex128, [(A((3,)),), (A((2, 2), real=True),)],
         autograd="has no adjoint for it"),
    Case("np.column_stack", np_column_stack, [(A((3,)), A((3, 2)))]),
    Case("np.dstack", np_dstack, [(A((2, 3)), A((2, 3, 2)))],
         autograd="its dstack does not record the operation"),
    Case("np.append", np_append, [(A((2, 3)), A((1, 3)))]),
    Case("np.rot90", np_rot90, [(A((3, 4)),)], autograd="its rot90 adjoint fails with axes"),
    Case("np.diagflat", np_diagflat, [(A((2, 2)),)], autograd="has no adjoint for it"),
    Case("np.select", np_select, [(A((3, 4), away=(-0.4, 0.3)), A((4,)))]),
    Case("np.ptp", np_ptp, [(A((3, 4)),)], autograd="has no adjoint for it"),
    Case("np.copysign", np_copysign, [(A((3, 4), away=(0.0,)), A((4,), away=(0.0,)))],
         **REAL_ONLY),
    Case("np.nan_to_num", np_nan_to_num, [(A((3, 4)),)]),
    Case("np.fft.fftshift", np_fftshift, [(A((3, 4)),)]),
    Case("np.fft.ifftshift", np_ifftshift, [(A((3, 5)),)]),
    Case("np.diag", np_diag, [(A((3,)),), (A((3, 4)),)], autograd={1: "only the main diagonal"}),
    Case("np.diagonal", np_diagonal, [(A((3, 4)),)], autograd="only the main diagonal"),
    Case("np.triu", np_triu, [(A((3, 4)),)]),
    Case("np.tril", np_tril, [(A((3, 4)),)]),
    Case("np.array", np_array, [(A((3,)), A((3,))), (A((3,), real=True), A((3,)))],
         autograd={1: "fails to add a complex adjoint into a real one"}),
    Case("np.asarray", np_asarray, [(A((3, 4)),)], autograd="has no adjoint for it"),
    Case("np.copy", np_copy, [(A((3, 4)),)], autograd="has no adjoint for it"),
    Case("np.sort", np_sort, [(A((3, 4)),)], autograd="no adjoint of sort for a matrix"),
    # (a real `a` with a complex fill keeps its real part: the imaginary part has no effect)
    Case("np.full_like", np_full_like, [(A((3, 4)), A(())), (A((3, 4), real=True), A(()))],
         autograd="gives the fill value no gradient"),
    Case("np.full", np_full, [(A(()),), (A((3,)),)],
         autograd={1: "gives each entry of an array fill value the whole sum"}),
    Case("np.linspace", np_linspace, [(A(()), A(())), (A((3,)), A((3,)))]),
    # indexing and containers
    Case("getitem", getitem_basic, [(A((3, 4)),)]),
    Case("getitem", getitem_fancy, [(A((3, 4)),)], id="fancy"),
    Case("np.take", np_take, [(A((3, 4)),)], autograd="has no adjoint for it"),
    Case("np.take_along_axis", np_take_along_axis, [(A((3, 3)),)],
         autograd="has no adjoint for it"),
    Case("list", builtin_list, [(A((3, 4)),)]),
    Case("tuple", builtin_tuple, [(A((3,)),)]),
    Case("setitem", setitem, [(A((3,)), A((3,))), (A((3,)), A((3,), real=True))],
         autograd="its arrays cannot be written into"),
    Case("list_append", list_append, [(A((3,)), A((3,)))]),
    Case("seq_concat", seq_concat, [(A((3,)), A((3,)))]),
    Case("seq_repeat", seq_repeat, [(A((3,)), A((3,)))]),
    Case("call_forward", call, [(A((3,)), A((3,))), (A((3,), real=True), A((3,)))]),
    # methods and attributes
    *[Case(f".{fn.__name__[2:]}", fn, [(A((3, 4)),)], autograd=AUTOGRAD_METHODS.get(fn)) for fn in [
        m_sum, m_mean, m_prod, m_max, m_min, m_var, m_std, m_cumsum, m_cumprod, m_ravel,
        m_copy, m_swapaxes, m_squeeze, m_trace, m_repeat, m_diagonal, m_take, m_conj,
        m_conjugate, m_reshape, m_transpose, m_flatten, m_astype, m_T, m_real, m_imag]],
    Case(".dot", m_dot, [(A((3, 4)), A((4,)))], autograd="its arrays have no such method"),
    Case(".clip", m_clip, [(A((3, 4), away=(-0.5, 0.5)),)]),
    # (of complex x: its real part, with a ComplexWarning)
    Case(".astype", m_astype_real, [(A((3, 4)),)], id="real"),
    Case(".item", m_item, [(A((3,)),)], autograd="its arrays have no such method"),
    # calls of every kind
    Case("operator.add", operator_add, b()),
    Case("operator.sub", operator_sub, b()),
    Case("operator.mul", operator_mul, b()),
    Case("operator.truediv", operator_truediv, b(**POS2)),
    Case("operator.pow", operator_pow, b(**POS)),
    Case("builtins.pow", builtin_pow, b(**POS)),
    Case("operator.mod", operator_mod, [(A((5,), lo=3.1, hi=3.3), A((5,), lo=1.2, hi=1.3))],
         **REAL_ONLY),
    Case("operator.neg", operator_neg, u()),
    Case("operator.matmul", operator_matmul, [(A((3, 4)), A((4, 2))), (A((4,)), A((4, 3)))]),
    Case("getattr", attribute_read, b()),
    Case("setattr", attribute_write, b()),
    Case("functools.partial", partial_call, b()),
]

# ---------------------------------------------------------------- factorizations, FFT, signal

# Matrices with eigenvalues (and singular values) well apart: the vectors'
# derivatives divide by their gaps.
SPREAD = A((3, 3), matrix=True, spectrum=(1.0, 2.5, 4.0))
SPREAD_BATCH = A((2, 3, 3), matrix=True, spectrum=(1.0, 2.5, 4.0))
SYMMETRIC = "differentiates the symmetric matrix, not the triangle NumPy reads"
# (a real matrix's vectors have a sign, which the rules keep; a complex one's
# have a phase, which LAPACK picks by no convention a derivative can follow:
# the values, eigvalsh and svdvals, and functions of the vectors that do not
# depend on the phases (cholesky, qr, pinv) are differentiated)
GAUGE = "the phases NumPy gives the vectors of a complex matrix"
# np.interp computes in double precision (float32 in, float64 out), as do
# scipy.stats and polygamma with an integer order: those cases' float32
# gradients are cast back (tests/test_dtypes.py checks the dtype of grad only).
NO_ADJOINT = "has no adjoint for it"
NO_FUNCTION = "has no such function"
MIXED = "fails to add a complex adjoint into a real one"
DOUBLE = "float32 inputs give a float64 result: only grad's dtype is float32"
KNOTS = tuple(XP)
INTERP_X = A((9,), lo=-2.5, hi=3.0, away=KNOTS, gap=0.1, real=True)

CASES += [
    # (of a complex matrix, the Hermitian one read from a triangle)
    Case("np.linalg.cholesky", np_cholesky, [(M,), (A((2, 3, 3), matrix=True),)],
         autograd=SYMMETRIC),
    Case("np.linalg.cholesky", np_cholesky_upper, [(M,)], id="upper",
         autograd="takes no upper="),
    Case("np.linalg.eigh", np_eigh, [(SPREAD,), (SPREAD_BATCH,)], refused=GAUGE),
    Case("np.linalg.eigh", np_eigh_upper, [(SPREAD,)], id="upper", refused=GAUGE),
    Case("np.linalg.eigvalsh", np_eigvalsh, [(SPREAD,), (SPREAD_BATCH,)], autograd=NO_ADJOINT),
    Case("np.linalg.eigvalsh", np_eigvalsh_upper, [(SPREAD,)], id="upper", autograd=NO_ADJOINT),
    Case("np.linalg.svd", np_svd, [(A((4, 3)),), (A((3, 4)),), (A((2, 3, 4)),)], refused=GAUGE),
    Case("np.linalg.svd", np_svd_square, [(SPREAD,)], id="square", refused=GAUGE),
    Case("np.linalg.svdvals", np_svdvals, [(A((4, 3)),), (A((2, 3, 4)),), (M,)],
         autograd=NO_ADJOINT),
    Case("np.linalg.qr", np_qr, [(A((4, 3)),), (A((3, 4)),), (A((2, 3, 3)),),
                                 (A((4, 3), real=True),)], autograd=NO_ADJOINT),
    Case("np.linalg.pinv", np_pinv, [(A((4, 3)),), (A((3, 4)),), (M,)],
         autograd="transposes where the conjugate transposes belong"),
    Case("np.linalg.lstsq", np_lstsq, [(A((5, 3)), A((5,))), (A((5, 3)), A((5, 2))),
                                       (M, A((3,))), (A((5, 3), real=True), A((5,))),
                                       (A((5, 3)), A((5, 2), real=True))],
         autograd=NO_ADJOINT),
    Case("np.linalg.matrix_power", np_matrix_power, [(M,), (A((2, 3, 3), matrix=True),)],
         autograd=NO_ADJOINT),
    Case("np.linalg.matrix_power", np_matrix_power_inverse, [(M,)], id="inverse",
         autograd=NO_ADJOINT),
    # FFT (NumPy's real transforms refuse complex input; the inverse ones take it)
    Case("np.fft.fft", np_fft, [(A((6,)),), (A((3, 5)),), (A((4,), real=True),)]),
    Case("np.fft.fft", np_fft_options, [(A((4, 3)),)], id="options"),
    Case("np.fft.ifft", np_ifft, [(A((6,)),), (A((3, 5)),)]),
    Case("np.fft.ifft", np_ifft_options, [(A((2, 5)),)], id="options"),
    Case("np.fft.rfft", np_rfft, [(A((6,)),), (A((3, 5)),)], **REAL_ONLY),
    Case("np.fft.rfft", np_rfft_options, [(A((4, 3)),)], id="options", **REAL_ONLY),
    Case("np.fft.irfft", np_irfft, [(A((5,)),), (A((3, 4)),), (A((4,), real=True),)]),
    Case("np.fft.irfft", np_irfft_options, [(A((4, 3)),)], id="options",
         autograd="has no adjoint for an odd length"),
    Case("np.fft.fft2", np_fft2, [(A((3, 4)),), (A((2, 3, 4)),)]),
    Case("np.fft.fft2", np_fft2_options, [(A((3, 2, 4)),)], id="options"),
    Case("np.fft.ifft2", np_ifft2, [(A((3, 4)),)]),
    Case("np.fft.fftn", np_fftn, [(A((2, 3, 4)),)]),
    Case("np.fft.fftn", np_fftn_options, [(A((2, 3, 4)),)], id="options"),
    Case("np.fft.ifftn", np_ifftn, [(A((3, 2, 3)),)]),
    Case("np.fft.rfft2", np_rfft2, [(A((3, 4)),)], **REAL_ONLY),
    Case("np.fft.rfftn", np_rfftn, [(A((2, 3, 4)),)], **REAL_ONLY),
    Case("np.fft.irfft2", np_irfft2, [(A((3, 4)),)]),
    Case("np.fft.irfftn", np_irfftn, [(A((2, 3, 4)),)]),
    # signal processing (np.interp's x and xp are real: NumPy refuses complex ones)
    Case("np.interp", np_interp, [(INTERP_X, A((6,), lo=-0.05, hi=0.05, real=True), A((6,))),
                                  (A((), lo=-1.4, hi=1.9, away=KNOTS, gap=0.1, real=True),
                                   A((6,), lo=-0.05, hi=0.05, real=True), A((6,)))],
         autograd=NO_ADJOINT, note=DOUBLE),
    Case("np.interp", np_interp_bounds, [(INTERP_X, A((6,)), A(()), A(()))], id="bounds",
         autograd=NO_ADJOINT, note=DOUBLE),
    Case("np.convolve", np_convolve, [(A((5,)), A((3,))), (A((3,)), A((5,))),
                                      (A((4,), real=True), A((3,)))], autograd=NO_ADJOINT),
    Case("np.convolve", np_convolve_same, [(A((5,)), A((3,))), (A((2,)), A((5,)))], id="same",
         autograd=NO_ADJOINT),
    Case("np.convolve", np_convolve_valid, [(A((5,)), A((3,))), (A((3,)), A((5,)))],
         id="valid", autograd=NO_ADJOINT),
    Case("np.correlate", np_correlate, [(A((5,)), A((3,))), (A((4,)), A((4,), real=True))],
         autograd=NO_ADJOINT),
    Case("np.correlate", np_correlate_same, [(A((5,)), A((3,))), (A((2,)), A((5,)))],
         id="same", autograd=NO_ADJOINT),
    Case("np.correlate", np_correlate_full, [(A((3,)), A((5,)))], id="full",
         autograd=NO_ADJOINT),
]

if scipy is not None:
    POS1 = {"lo": 0.6, "hi": 2.0}
    UNIT = {"lo": 0.15, "hi": 0.85}
    SCALE = A((), lo=0.7, hi=1.5)
    REAL_M = A((3, 3), matrix=True, real=True)
    # (of a real x SciPy drops the imaginary parts of (x - loc) / scale)
    REAL_X = "a complex loc or scale with a real x: SciPy drops their imaginary parts"
    NO_LOC = "takes no loc or scale"
    SHORT_X = "takes no x without its last component"
    DROPS = "keeps the imaginary parts SciPy drops"
    CASES += [
        # special functions (SciPy's complex loops: digamma, gamma, erf, erfc, ndtr,
        # log_ndtr, iv, ive, xlogy, xlog1py; softmax and logsumexp are NumPy code)
        Case("scipy.special.expit", sp_expit, u(), **REAL_ONLY),
        Case("scipy.special.log_expit", sp_log_expit, u(), **REAL_ONLY,
             autograd="has no log_expit"),
        Case("scipy.special.logit", sp_logit, u(**UNIT), **REAL_ONLY),
        Case("scipy.special.gammaln", sp_gammaln, u(**POS1), **REAL_ONLY),
        Case("scipy.special.digamma", sp_digamma, u(**POS1),
             autograd="takes its adjoint from polygamma, which has no complex loop"),
        Case("scipy.special.polygamma", sp_polygamma, u(**POS1), **REAL_ONLY, note=DOUBLE),
        Case("scipy.special.gamma", sp_gamma, u(**POS1)),
        Case("scipy.special.beta", sp_beta, b(**POS1, lo2=0.6, hi2=2.0), **REAL_ONLY),
        Case("scipy.special.betaln", sp_betaln, b(**POS1, lo2=0.6, hi2=2.0), **REAL_ONLY),
        Case("scipy.special.erf", sp_erf, u()),
        Case("scipy.special.erfc", sp_erfc, u()),
        Case("scipy.special.erfinv", sp_erfinv, u(lo=-0.8, hi=0.8), **REAL_ONLY),
        Case("scipy.special.ndtr", sp_ndtr, u(), autograd=NO_FUNCTION),
        Case("scipy.special.log_ndtr", sp_log_ndtr, u(), autograd=NO_FUNCTION),
        Case("scipy.special.ndtri", sp_ndtri, u(**UNIT), **REAL_ONLY),
        Case("scipy.special.erfcx", sp_erfcx, u(), autograd=NO_FUNCTION),
        Case("scipy.special.i0", sp_i0, u(), **REAL_ONLY),
        Case("scipy.special.i1", sp_i1, u(), **REAL_ONLY),
        Case("scipy.special.iv", sp_iv, u(**POS1)),
        Case("scipy.special.i0e", sp_i0e, u(away=(0.0,)), **REAL_ONLY),
        Case("scipy.special.i1e", sp_i1e, u(away=(0.0,)), **REAL_ONLY),
        Case("scipy.special.ive", sp_ive, u(away=(0.0,)),
             autograd="uses sign(z) = z/|z| of complex z, not the sign of Re z"),
        Case("scipy.special.xlogy", sp_xlogy, b(**POS2), autograd=NO_FUNCTION),
        Case("scipy.special.xlog1py", sp_xlog1py, b(lo2=-0.5, hi2=1.0), autograd=NO_FUNCTION),
        Case("scipy.special.entr", sp_entr, u(lo=0.1, hi=2.0), **REAL_ONLY),
        Case("scipy.special.softmax", sp_softmax, [(A((3, 4)),)], autograd=NO_FUNCTION),
        Case("scipy.special.softmax", sp_softmax_all, [(A((2, 3)),)], id="all",
             autograd=NO_FUNCTION),
        Case("scipy.special.log_softmax", sp_log_softmax, [(A((3, 4)),)],
             autograd=NO_FUNCTION),
        Case("scipy.special.logsumexp", sp_logsumexp, [(A((3, 4)),)]),
        Case("scipy.special.logsumexp", sp_logsumexp_b,
             [(A((3, 4)), A((4,), **POS)), (A((3, 4)), A((3, 4), real=True, **POS)),
              (A((3, 4), real=True), A((4,), **POS))], id="b",
             autograd="fails with complex values and b="),
        # distributions (of a complex x SciPy evaluates the density's formula; its
        # shape parameters and counts are real)
        Case("scipy.stats.norm.logpdf", st_norm_logpdf,
             [(A((3, 4)), A((4,)), SCALE), (A((3,)), A((), real=True), A((), real=True, lo=0.7))],
             note=DOUBLE),
        Case("scipy.stats.norm.logpdf", st_norm_logpdf,
             [(A((3, 4), real=True), A((4,)), A((), lo=0.7, hi=1.5, real=True))], id="real x",
             refused=REAL_X),
        Case("scipy.stats.norm.cdf", st_norm_cdf, [(A((3, 4), real=True), A((4,)), 1.3)],
             id="real x", refused=REAL_X),
        Case("scipy.stats.norm.pdf", st_norm_pdf, [(A((3, 4)), A((4,)), SCALE)], note=DOUBLE),
        Case("scipy.stats.norm.cdf", st_norm_cdf, [(A((3, 4)), A((4,)), SCALE)], note=DOUBLE),
        Case("scipy.stats.norm.logcdf", st_norm_logcdf, [(A((3, 4)), A((4,)), SCALE)],
             note=DOUBLE),
        Case("scipy.stats.t.logpdf", st_t_logpdf,
             [(A((3, 4)), A((), lo=2.0, hi=5.0, real=True), A((4,)))], note=DOUBLE),
        Case("scipy.stats.t.pdf", st_t_pdf, [(A((3, 4)), A((4,), lo=2.0, hi=5.0, real=True),
                                              SCALE)],
             autograd="fails on its own arrays", note=DOUBLE),
        Case("scipy.stats.t.cdf", st_t_cdf, [(A((3, 4)), A((4,)), SCALE)], **REAL_ONLY,
             note=DOUBLE),
        Case("scipy.stats.gamma.logpdf", st_gamma_logpdf,
             [(A((3, 4), lo=0.5, hi=3.0), A((4,), lo=1.5, hi=3.0, real=True), SCALE)],
             autograd=NO_LOC, note=DOUBLE),
        Case("scipy.stats.gamma.pdf", st_gamma_pdf,
             [(A((3, 4), lo=0.5, hi=3.0), A((), lo=1.5, hi=3.0, real=True), A((), hi=0.3))],
             autograd=NO_LOC, note=DOUBLE),
        Case("scipy.stats.gamma.cdf", st_gamma_cdf,
             [(A((3, 4), lo=1.5, hi=3.0), A((4,), hi=0.3), SCALE)], **REAL_ONLY, note=DOUBLE),
        Case("scipy.stats.beta.logpdf", st_beta_logpdf,
             [(A((3, 4), **UNIT), A((4,), lo=1.5, hi=3.0, real=True),
               A((), lo=1.5, hi=3.0, real=True))], note=DOUBLE),
        Case("scipy.stats.beta.pdf", st_beta_pdf,
             [(A((3, 4), **UNIT), A((4,), lo=1.5, hi=3.0), A((), lo=1.5, hi=3.0))],
             **REAL_ONLY, note=DOUBLE),
        Case("scipy.stats.beta.cdf", st_beta_cdf,
             [(A((3, 4), lo=0.3, hi=1.2), A((4,), lo=-0.1, hi=0.1), A((), lo=1.5, hi=2.0))],
             **REAL_ONLY, note=DOUBLE),
        Case("scipy.stats.poisson.logpmf", st_poisson_logpmf, [(A((4,), **POS),)], **REAL_ONLY,
             note=DOUBLE),
        Case("scipy.stats.poisson.pmf", st_poisson_pmf, [(A((4,), **POS),)], **REAL_ONLY,
             note=DOUBLE),
        Case("scipy.stats.poisson.cdf", st_poisson_cdf, [(A((4,), **POS),)], **REAL_ONLY,
             note=DOUBLE),
        Case("scipy.stats.bernoulli.logpmf", st_bernoulli_logpmf, [(A((4,), **UNIT),)],
             **REAL_ONLY, note=DOUBLE),
        Case("scipy.stats.bernoulli.pmf", st_bernoulli_pmf, [(A((4,), **UNIT),)], **REAL_ONLY,
             note=DOUBLE),
        # (SciPy drops the imaginary parts of all three: the gradient is the real one)
        Case("scipy.stats.multivariate_normal.logpdf", st_mvn_logpdf,
             [(A((4, 3)), A((3,)), M), (A((3,)), A((3,), real=True), A((3, 3), matrix=True,
                                                                         real=True))],
             autograd=DROPS, note=DOUBLE),
        Case("scipy.stats.multivariate_normal.pdf", st_mvn_pdf, [(A((4, 3)), A((3,)), M)],
             autograd=DROPS, note=DOUBLE),
        # (x with one component fewer than alpha: SciPy adds the last, 1 - sum(x))
        Case("scipy.stats.dirichlet.logpdf", st_dirichlet_logpdf,
             [(A((2,), lo=0.1, hi=0.4), A((3,), lo=0.6, hi=3.0, real=True)),
              (A((2, 4), lo=0.1, hi=0.4), A((3,), lo=0.6, hi=3.0, real=True))],
             autograd=SHORT_X),
        Case("scipy.stats.dirichlet.pdf", st_dirichlet_pdf,
             [(A((2,), lo=0.1, hi=0.4), A((3,), lo=0.6, hi=3.0, real=True))], autograd=SHORT_X),
        # linear algebra
        Case("scipy.linalg.solve_triangular", sl_solve_triangular,
             [(M, A((3,))), (M, A((3, 2))), (REAL_M, A((3,))), (M, A((3,), real=True))],
             autograd={2: MIXED, 3: MIXED}),
        Case("scipy.linalg.solve_triangular", sl_solve_triangular_lower, [(M, A((3, 2)))],
             id="lower"),
        # (of a complex matrix, the Hermitian one read from a triangle)
        Case("scipy.linalg.cho_factor", sl_cho_factor, [(M,), (REAL_M,)], autograd=NO_ADJOINT),
        Case("scipy.linalg.cho_factor", sl_cho_factor_lower, [(M,)], id="lower",
             autograd=NO_ADJOINT),
        Case("scipy.linalg.cho_solve", sl_cho_solve,
             [(M, A((3,))), (M, A((3, 2))), (REAL_M, A((3,))), (M, A((3,), real=True))],
             autograd="fails on (c, lower)"),
        Case("scipy.linalg.cho_solve", sl_cho_solve_upper, [(M, A((3, 2)))], id="upper",
             autograd="fails on (c, lower)"),
        Case("scipy.linalg.cho_solve", sl_cho_solve_constant_factor, [(A((3,)),), (A((3, 2)),)],
             id="constant factor", autograd="fails on (c, lower)"),
        Case("scipy.linalg.sqrtm", sl_sqrtm, [(M,)],
             autograd="drops the imaginary part of its adjoint"),
        Case("scipy.linalg.expm", sl_expm, [(M,), (A((2, 2, 2), matrix=True),)],
             autograd=NO_ADJOINT),
        # signal and integrate (odeint's states are real; solve_ivp takes complex ones)
        Case("scipy.signal.convolve", ss_convolve, [(A((5,)), A((3,))), (A((3, 4)), A((2, 2))),
                                                    (A((4,), real=True), A((3,)))],
             autograd={2: MIXED}),
        Case("scipy.signal.convolve", ss_convolve_same, [(A((5,)), A((3,)))], id="same",
             autograd="fails with mode='same'"),
        Case("scipy.signal.convolve", ss_convolve_valid, [(A((3, 4)), A((2, 2)))], id="valid"),
        Case("scipy.signal.convolve2d", ss_convolve2d_same,
             [(A((3, 4)), A((2, 2))), (A((3, 4), real=True), A((2, 3)))], autograd=NO_ADJOINT),
        Case("scipy.signal.correlate2d", ss_correlate2d,
             [(A((3, 4)), A((2, 2))), (A((3, 4)), A((2, 3), real=True))], autograd=NO_ADJOINT),
        Case("scipy.signal.correlate2d", ss_correlate2d_valid,
             [(A((3, 4)), A((2, 2))), (A((2, 2)), A((3, 4)))], id="valid", autograd=NO_ADJOINT),
        Case("scipy.integrate.odeint", si_odeint, [(A((2,)), A((2,), **POS))], **REAL_ONLY,
             no_tangent="its tangent rules could not name the parameter t (use solve_ivp)",
             note=DOUBLE),
        Case("scipy.integrate.solve_ivp", si_solve_ivp, [(A((2,)), A((2,), **POS, real=True))],
             refused="s2sad's adjoint and tangent integrations are of real states",
             note=DOUBLE),
    ]

for _case in CASES:
    _case.id = _case.rule + (":" + _case.id if _case.id else "")
