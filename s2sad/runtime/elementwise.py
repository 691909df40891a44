"""Factors of elementwise adjoints that naive formulas get wrong at special
points: shares of ties (maximum, clip), signs, powers at 0, sinc at 0.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import _array_if_list, _is_number


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


def abs_tangent(direction: Any, x: Any) -> Any:
    """|x|'s tangent along `direction`: direction * sign(x) for real x; for
    complex z, Re(conj(z) direction) / |z| (|z| is not holomorphic, so this
    is not its adjoint factor times the direction)."""
    if np.iscomplexobj(x):
        return np.real(abs_sign(x) * direction)
    return direction * abs_sign(x)


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


def pow_exponent_adjoint(g: Any, x: Any, result: Any) -> Any:
    """g * d(x**y)/dy = g * x**y * log(x), with 0 where x == 0 (0**y is 0 or
    1, constant in y either way; the formula would meet 0 * -inf); NaN where
    x < 0, where the derivative is not real."""
    if _is_number(x) and _is_number(result):
        if x == 0:
            return g * 0.0
        return g * result * (math.log(x) if x > 0 else math.nan)
    x = np.asarray(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.log(np.where(x == 0, 1.0, x))
    return g * np.where(x == 0, 0.0, result * log)


def sinc_derivative(x: Any) -> Any:
    px = np.pi * np.asarray(x, dtype=float)
    safe = np.where(px == 0, 1.0, px)
    out = np.where(px == 0, 0.0, (np.cos(safe) * safe - np.sin(safe)) / (safe**2) * np.pi)
    return out if np.ndim(x) else float(out)
