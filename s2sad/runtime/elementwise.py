"""Factors of elementwise adjoints that naive formulas get wrong at special
points: shares of ties (maximum, clip), signs, powers at 0, sinc at 0; and
the functions of complex numbers that are not holomorphic (abs, sign,
imag, angle), whose adjoints are not g times a derivative.

Complex numbers follow the convention of JAX and autograd: the adjoint of a
holomorphic function is g * f'(z) (no conjugation), and for the others it
is the transpose of the R-linear tangent map under the pairing Re(a * b).
A real result's cotangent is real, so the rules of functions with real
results read only Re(g).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import _array_if_list, _inexact, _is_number, _real_dtype, attribute_tangent
from .duck import is_duck_array
from .functions import attribute_adjoint


def _in_real_dtype(value: Any, *like: Any) -> Any:
    """A share or sign computed from comparisons (float64 by NumPy's rules)
    in the real dtype of `like`'s arithmetic, so a float32 adjoint stays
    float32. Python numbers pass unchanged."""
    if isinstance(value, (np.ndarray, np.generic)):
        dtype = _real_dtype(*like)
        if value.dtype != dtype:
            return value.astype(dtype)
    return value


def _comparable(x: Any) -> Any:
    """x for ordering comparisons: NumPy orders complex numbers (by real part,
    then imaginary part, as np.maximum does); Python's complex does not."""
    x = _array_if_list(x)
    return np.asarray(x) if type(x) is complex else x


def _real_cotangent(g: Any) -> Any:
    """The cotangent of a real result: its real part (a complex g carries an
    imaginary part only where the real result fed complex values)."""
    return np.real(g) if np.iscomplexobj(g) else g


def logistic(x: Any) -> Any:
    """1 / (1 + exp(-x)) as a user's code spells it out, the same operations
    in the same order (`analysis.logistic_chains` finds the spelling; the
    derivative rules take it as one function, whose derivative ans * (1 -
    ans) is 0 where exp(-x) overflows, not the chain's 0 * inf)."""
    return 1.0 / (1.0 + np.exp(-x))


def max_share(x: Any, y: Any) -> Any:
    """Share of the gradient of maximum(x, y) that goes to x: 1, 1/2 on ties, 0."""
    x, y = _comparable(x), _comparable(y)
    return _in_real_dtype((x > y) + 0.5 * (x == y), x, y)


def logaddexp_share(x: Any, y: Any, total: Any, scale: float = 1.0) -> Any:
    """Share of the gradient of np.logaddexp(x, y) = total that goes to x:
    exp(x - total) (`scale` ln 2: 2 ** (x - total), logaddexp2's). Where x is
    total's own infinity (x - total is inf - inf), its limit: 1, 1/2 where y is
    that infinity too."""
    with np.errstate(invalid="ignore"):
        share = np.exp((x - total) * scale)
    if np.all(share == share):  # (no nan: the common case)
        return share
    own = (x == total) & np.isinf(total)
    if np.ndim(share):  # (float32 stays float32)
        return np.where(own, np.where(y == total, 0.5, 1.0), share).astype(share.dtype)
    return share.dtype.type(0.5 if y == total else 1.0) if own else share


def fmax_share(x: Any, y: Any, larger: bool) -> Any:
    """Share of the gradient of fmax(x, y) (fmin if not `larger`) that goes to
    x: 1 where x wins or y is NaN (fmax ignores NaNs), 0 elsewhere; a tie goes
    to y, as in JAX."""
    x, y = _comparable(x), _comparable(y)
    wins = x > y if larger else x < y
    return _in_real_dtype((wins | (y != y)) + 0.0, x, y)


def clip_share(a: Any, lo: Any, hi: Any, which: int) -> Any:
    """Share of the gradient of clip(a, lo, hi) that goes to a (which=0), lo (1)
    or hi (2). NumPy computes min(max(a, lo), hi), so that is differentiated,
    with ties split evenly as for maximum and minimum (JAX's convention); it
    holds for lo > hi too, where the result is hi."""
    a = _comparable(a)
    lo, hi = _comparable(lo), _comparable(hi)
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
    one = np.ones((), dtype=_real_dtype(x))
    return np.where(x >= 0, one, -one)


def abs_adjoint(g: Any, x: Any) -> Any:
    """The adjoint of |x|: g * abs_sign(x). |x| is real, so for complex x only
    Re(g) counts (g is complex when |x| went on into complex values)."""
    if type(x) is float:
        return g if x >= 0 else -g
    if np.iscomplexobj(x):
        return _real_cotangent(g) * abs_sign(x)
    return g * abs_sign(x)


def abs_tangent(direction: Any, x: Any) -> Any:
    """|x|'s tangent along `direction`: direction * sign(x) for real x; for
    complex z, Re(conj(z) direction) / |z| (|z| is not holomorphic, so this
    is not its adjoint factor times the direction)."""
    if np.iscomplexobj(x):
        return np.real(abs_sign(x) * direction)
    return direction * abs_sign(x)


def _zeros_for(g: Any, *shaped: Any) -> Any:
    """An exact zero of the broadcast shape of `shaped` in g's real dtype (0.0
    if they are all numbers), for a derivative that is 0."""
    if not any(isinstance(v, (np.ndarray, np.generic)) or np.ndim(v) for v in shaped):
        return 0.0
    shape = np.broadcast_shapes(*(np.shape(v) for v in shaped))
    zeros = np.zeros(shape, dtype=_real_dtype(g))
    return zeros if shape or any(isinstance(v, np.ndarray) for v in shaped) else zeros[()]


def sign_adjoint(g: Any, x: Any) -> Any:
    """The adjoint of np.sign: 0 for real x (a step); for complex z, sign(z) =
    z / |z| is smooth away from 0, with tangent t/|z| - z Re(conj(z) t)/|z|^3,
    whose transpose is g/|z| - conj(z) Re(g z)/|z|^3 (0 at z = 0, as for real
    x). JAX and autograd give 0 for complex z too, which is not its derivative."""
    if not np.iscomplexobj(x):
        return _zeros_for(g, x)
    z = np.asarray(x)
    size = np.abs(z)
    with np.errstate(invalid="ignore", divide="ignore"):
        safe = np.where(size == 0, 1.0, size)
        out = g / safe - np.conj(z) * np.real(g * z) / safe ** 3
    return np.where(size == 0, 0.0, out)


def sign_tangent(direction: Any, x: Any) -> Any:
    """The tangent of np.sign along `direction` t: 0 for real x; t/|z| -
    z Re(conj(z) t)/|z|^3 for complex z (0 at z = 0)."""
    t = direction
    if not np.iscomplexobj(x):
        return _zeros_for(t, t, x)
    z = np.asarray(x)
    size = np.abs(z)
    with np.errstate(invalid="ignore", divide="ignore"):
        safe = np.where(size == 0, 1.0, size)
        out = t / safe - z * np.real(np.conj(z) * t) / safe ** 3
    return np.where(size == 0, 0.0, out)


def _has_numpys_attribute(a: Any) -> bool:
    """Is `a.T` (`.real`, `.imag`) NumPy's: is `a` an array or a number, not
    a user's object with an attribute of that name?"""
    return isinstance(a, (np.ndarray, np.generic, int, float, complex)) or is_duck_array(a)


def array_attribute_adjoint(g: Any, a: Any, name: str) -> Any:
    """The adjoint of `a.T`, `a.real` or `a.imag`: NumPy's rule for an array
    or a number; for a user's object with an attribute of that name, the
    attribute's (`o.T` of a class with a field `T` is no transpose)."""
    if not _has_numpys_attribute(a):
        return attribute_adjoint(g, a, name)
    if name == "T":
        return np.transpose(g)
    return np.real(g) if name == "real" else imag_adjoint(g, a)


def array_attribute_tangent(t: Any, a: Any, name: str) -> Any:
    """The tangent of `a.T`, `a.real` or `a.imag` (see `array_attribute_adjoint`)."""
    if not _has_numpys_attribute(a):
        return attribute_tangent(t, a, name)
    return getattr(np, {"T": "transpose"}.get(name, name))(t)


def imag_adjoint(g: Any, val: Any) -> Any:
    """The adjoint of np.imag: Im z = Re(-i z), so for complex z it is -i Re(g)
    (Im z is real: only Re(g) counts); a real value's imaginary part is 0."""
    if np.iscomplexobj(val):
        return -1j * _real_cotangent(g)
    return _zeros_for(g, val)


def _angle_scale(deg: bool) -> float:
    return 180.0 / math.pi if deg else 1.0


def angle_adjoint(g: Any, z: Any, deg: bool = False) -> Any:
    """The adjoint of np.angle: its tangent is Im(t / z) (the angle of z + t
    turns by that), whose transpose is -i Re(g) / z (nan at 0, as arctan2 at
    the origin); a real number's angle (0 or pi) is piecewise constant: 0."""
    if not np.iscomplexobj(z):
        return _zeros_for(g, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        return -1j * _real_cotangent(g) * _angle_scale(deg) / np.asarray(z)


def angle_tangent(direction: Any, z: Any, deg: bool = False) -> Any:
    """The tangent of np.angle along `direction` t: Im(t / z) for complex z,
    0 for real z."""
    if not np.iscomplexobj(z):
        return _zeros_for(direction, direction, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.imag(direction / np.asarray(z)) * _angle_scale(deg)


def _is_real_number(x: Any) -> bool:
    return _is_number(x) and not isinstance(x, np.complexfloating)


def pow_base_adjoint(g: Any, x: Any, y: Any) -> Any:
    """g * d(x**y)/dx = g * y * x**(y - 1). Where y == 0, x**0 is constant and
    the derivative is 0 (the formula would meet 0 * inf at x == 0); where
    x == 0 and y < 1 it is infinite, as IEEE arithmetic says (Python's float
    power would raise). A Python number y keeps a float32 x float32, as in
    NumPy's x ** y."""
    if _is_real_number(x) and _is_real_number(y):
        if y == 0:
            return g * 0.0
        if x == 0 and y < 1:
            with np.errstate(divide="ignore", invalid="ignore"):
                return g * y * np.zeros((), dtype=_real_dtype(x, y))[()] ** (y - 1)
        return g * y * x ** (y - 1)
    x = np.asarray(x)
    if type(y) in (float, int, complex):
        base = x.astype(np.result_type(x, y, 0.0), copy=False)
        if y == 0:
            return g * np.zeros_like(base)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * (y * base ** (y - 1))
    y = np.asarray(y)
    base = x.astype(np.result_type(x, y, 0.0), copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        derivative = np.where(y == 0, 0.0, y * base ** np.where(y == 0, 1, y - 1))
    return g * derivative


def pow_exponent_adjoint(g: Any, x: Any, result: Any) -> Any:
    """g * d(x**y)/dy = g * x**y * log(x), with 0 where x == 0 (0**y is 0 or
    1, constant in y either way; the formula would meet 0 * -inf); NaN where
    x < 0 and the power is real, where the derivative is not real. With a
    complex power, log is the principal complex logarithm (NumPy's x**y)."""
    if _is_real_number(x) and _is_real_number(result):
        if x == 0:
            return g * 0.0
        return g * result * (math.log(x) if x > 0 else math.nan)
    x = np.asarray(x)
    if np.iscomplexobj(result) and not np.iscomplexobj(x):
        x = x.astype(np.result_type(result, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.log(np.where(x == 0, 1, x))
    return g * np.where(x == 0, 0, result * log)


def _inexact_array(x: Any) -> np.ndarray:
    x = np.asarray(x)
    return x if x.dtype.kind in "fc" else x.astype(_inexact(x))


def _like_input(out: np.ndarray, x: Any) -> Any:
    """An array for an array x, a Python number for a number (weak in NumPy's
    promotion: a float32 g stays float32)."""
    return out if np.ndim(x) or isinstance(x, np.ndarray) else out.item()


def sinc_derivative(x: Any) -> Any:
    """d/dx sin(pi x) / (pi x) = pi (u cos u - sin u) / u^2 at u = pi x, 0 at
    0; holomorphic, so the same formula serves complex x."""
    u = np.pi * _inexact_array(x)
    safe = np.where(u == 0, 1, u)
    out = np.where(u == 0, 0, (np.cos(safe) * safe - np.sin(safe)) / (safe**2) * np.pi)
    return _like_input(out, x)
