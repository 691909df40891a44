"""Helpers of the rules of np.fft (s2sad/primitives/numpy_fft.py).

Every transform is linear, so its tangent is the same call on the tangent,
and its adjoint is its transpose under the bilinear pairing Re(sum(a * b))
that JAX and autograd use for complex values: the discrete Fourier matrix is
symmetric, so the adjoint of `fft` is `fft` again (with the same norm), cut
or zero-padded back to the input's length. The real transforms add a real
part (rfft: its input is real) or the weights of the half spectrum (irfft:
each bin but the first and the Nyquist one stands for two). The helpers here
are linear maps (padding, cutting, weighting), so the rules differentiate
again to any order.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _as_tuple(value: Any) -> tuple | None:
    if value is None:
        return None
    if isinstance(value, (int, np.integer)):
        return (int(value),)
    return tuple(int(v) for v in value)


def fft_axes(a: Any, s: Any, axes: Any) -> tuple[int, ...]:
    """The axes an n-dimensional transform works on, as NumPy chooses them:
    `axes`, else the last len(s) axes if `s` is given, else all axes. (For the
    one-dimensional transforms `s` is `n` and `axes` is `axis`.)"""
    ndim = np.ndim(a)
    chosen = _as_tuple(axes)
    if chosen is None:
        sizes = _as_tuple(s)
        chosen = tuple(range(ndim - len(sizes), ndim)) if sizes is not None \
            else tuple(range(ndim))
    return tuple(axis % ndim for axis in chosen)


def fit_to(x: Any, like: Any) -> Any:
    """x cut or zero-padded at the end of each axis to like's shape: the
    transpose of the transforms' `n=`/`s=` (padding is cut, cutting padded)."""
    x = np.asarray(x)
    shape = np.shape(like)
    if x.shape == shape:
        return x
    x = x[tuple(slice(0, n) for n in shape)]
    widths = [(0, n - k) for n, k in zip(shape, x.shape)]
    return np.pad(x, widths) if any(w for _, w in widths) else x


def real_if_real(g: Any, a: Any) -> Any:
    """The adjoint of a real input is real (the real part of a complex
    adjoint), as JAX's; a complex input keeps it."""
    return g if np.iscomplexobj(a) else np.real(g)


def spectrum_pad(g: Any, a: Any, s: Any, axes: Any) -> Any:
    """The adjoint of a real transform's half spectrum (n // 2 + 1 bins on its
    last axis) padded with zeros to the full length n there, n being `s`'s
    last entry or the input's length."""
    g = np.asarray(g)
    chosen = fft_axes(a, s, axes)
    axis = chosen[-1]
    sizes = _as_tuple(s)
    n = sizes[-1] if sizes is not None else np.shape(a)[axis]
    widths = [(0, 0)] * g.ndim
    widths[axis] = (0, n - g.shape[axis])
    return np.pad(g, widths)


def hermitian_fold(x: Any, axes: Any) -> Any:
    """The first n // 2 + 1 entries of x along the last of `axes` (n: x's
    length there), each but the first and (n even) the last doubled: the
    transpose of the inverse real transform's use of the half spectrum, whose
    bins stand for themselves and their conjugate mirror."""
    x = np.asarray(x)
    axis = _as_tuple(axes)[-1] % x.ndim
    n = x.shape[axis]
    m = n // 2 + 1
    # (of x's real dtype: float32 and complex64 stay single precision)
    weights = np.full(m, 2.0, dtype=np.finfo(np.result_type(x, 0.0)).dtype)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    shape = [1] * x.ndim
    shape[axis] = m
    return np.take(x, np.arange(m), axis=axis) * weights.reshape(shape)
