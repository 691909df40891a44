"""Helpers of the rules of np.interp, np.convolve and np.correlate
(s2sad/primitives/numpy_signal.py).

np.interp is linear in fp (and left, right) and piecewise linear in x; on
the interval [xp[i-1], xp[i]] it is fp[i-1] + s (x - xp[i-1]) with the slope
s = (fp[i] - fp[i-1]) / (xp[i] - xp[i-1]). The interval of an x is JAX's:
i = searchsorted(xp, x, side='right') clipped to [1, len(xp) - 1], so at a
knot the slope of the interval to its right is used (of the last interval at
xp[-1]); outside [xp[0], xp[-1]] the result is a constant.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UnsupportedSyntaxError
from .base import _inexact


def _knots(x: Any, xp: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x and xp as arrays, each x's interval index i, and whether x is inside
    [xp[0], xp[-1]]. Refuses an xp that is not increasing: NumPy's result
    is then meaningless, and so would a derivative be."""
    x, xp = np.asarray(x, dtype=float), np.asarray(xp, dtype=float)
    if xp.ndim != 1 or xp.size < 2 or np.any(np.diff(xp) <= 0):
        raise UnsupportedSyntaxError(
            "s2sad differentiates np.interp only with at least two strictly increasing xp",
            hint="sort xp (and fp with it) and remove repeated points")
    i = np.clip(np.searchsorted(xp, x, side="right"), 1, xp.size - 1)
    inside = (x >= xp[0]) & (x <= xp[-1])
    return x, xp, i, inside


def interp_slope(x: Any, xp: Any, fp: Any) -> Any:
    """d np.interp(x, xp, fp) / dx: the slope of x's interval, 0 outside."""
    x, xp, i, inside = _knots(x, xp)
    fp = np.asarray(fp)
    slope = (fp[i] - fp[i - 1]) / (xp[i] - xp[i - 1])
    return np.where(inside, slope, 0.0)


def _scatter(parts: list, shape: tuple, dtype: Any) -> np.ndarray:
    """Zeros of `shape` with each (index, value) pair added in (repeats add up)."""
    out = np.zeros(shape, dtype=dtype)
    for index, value in parts:
        np.add.at(out, index, value)
    return out


def interp_fp_adjoint(g: Any, x: Any, xp: Any, fp: Any, left: Any = None,
                      right: Any = None) -> Any:
    """The transpose of np.interp in fp: each g goes to the two ends of its
    interval, weighted (1 - lambda, lambda); outside, to the first or last fp
    where left or right is not given (else nowhere: to left or right)."""
    x, xp, i, inside = _knots(x, xp)
    g = np.broadcast_to(np.asarray(g), x.shape)
    lam = (x - xp[i - 1]) / (xp[i] - xp[i - 1])
    inner = np.where(inside, g, 0.0)
    parts = [(i - 1, inner * (1.0 - lam)), (i, inner * lam)]
    out = _scatter(parts, np.shape(fp), np.result_type(g, float))
    if left is None:
        out[0] += np.sum(np.where(x < xp[0], g, 0.0))
    if right is None:
        out[-1] += np.sum(np.where(x > xp[-1], g, 0.0))
    return out


def interp_pair_adjoint(v: Any, x: Any, xp: Any, fp: Any) -> Any:
    """v / (xp[i] - xp[i-1]) added at i and subtracted at i - 1, for x inside:
    the change of interp_fp_adjoint's weights as lambda moves."""
    x, xp, i, inside = _knots(x, xp)
    v = np.where(inside, np.broadcast_to(np.asarray(v), x.shape) / (xp[i] - xp[i - 1]), 0.0)
    return _scatter([(i - 1, -v), (i, v)], np.shape(fp), np.result_type(v, float))


def interp_outside(x: Any, xp: Any, side: int) -> Any:
    """1.0 where x is left of xp[0] (side 0) or right of xp[-1] (side 1): where
    np.interp returns left or right."""
    x, xp, _, _ = _knots(x, xp)
    return np.where(x < xp[0] if side == 0 else x > xp[-1], 1.0, 0.0)


def interp_bound_tangent(bound: Any) -> Any:
    """The tangent of left or right given as a constant (0), or None for
    NumPy's default (fp's first or last value, whose tangent applies)."""
    return None if bound is None else 0.0


def full_convolution(g: Any, a: Any, v: Any, mode: str, correlate: bool) -> Any:
    """The adjoint of np.convolve's (correlate's) result in `mode`, placed in
    the full-length result (len(a) + len(v) - 1) where that mode's slice of
    it starts, zeros elsewhere."""
    n, m = len(np.atleast_1d(a)), len(np.atleast_1d(v))
    k = min(n, m)
    g = np.asarray(g)
    if mode == "full":
        return g
    if mode == "valid":
        start = k - 1
    elif mode == "same":
        start = k // 2 if correlate and m > n else (k - 1) // 2
    else:
        raise UnsupportedSyntaxError(f"unknown mode {mode!r} of np.convolve/np.correlate")
    out = np.zeros(n + m - 1, dtype=_inexact(g))  # (float32 stays float32)
    out[start:start + g.shape[0]] = g
    return out
