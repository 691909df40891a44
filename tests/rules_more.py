"""Rows of tests/test_rules.py for np.linalg's factorizations, np.fft, np.interp,
np.convolve and np.correlate (s2sad/primitives/numpy_linalg.py, numpy_fft.py,
numpy_signal.py).

test_rules.py adds `MORE_ROWS` to its table, so each row is checked by both
its gradient test (against central differences) and its tangent test (jvp
against central differences, and the dot product with the gradient).
Complex results are checked through real functions of them: the weighted
power spectrum, and the real and imaginary parts, each alone.
Import test_rules, not this module: this one uses test_rules' helpers and is
imported at the end of it.

Factorizations are checked on square, tall, wide and batched matrices where
NumPy takes them; functions of eigenvectors and singular vectors weight
squares of their entries as well as the entries (the sign NumPy picks does
not move under the small steps of finite differences).
"""

from __future__ import annotations

import numpy as np
from test_rules import RNG, Row, W, away, checks, rand, row, spd

# ---------------------------------------------------------------- linear algebra


def nonsymmetric(n: int, batch: tuple = ()) -> np.ndarray:
    """A matrix whose two triangles differ (the factorizations read one), with
    a positive definite lower (and upper) triangle read as symmetric."""
    return RNG.normal(size=batch + (n, n)) * 0.3 + 3.0 * np.eye(n)


def distinct_spectrum(n: int, batch: tuple = ()) -> np.ndarray:
    """A symmetric matrix with well separated eigenvalues."""
    q, _ = np.linalg.qr(RNG.normal(size=batch + (n, n)))
    w = np.arange(1.0, n + 1.0) * 1.3 - 2.0
    return (q * w[..., None, :]) @ np.swapaxes(q, -1, -2)


def cholesky(a):
    y = np.linalg.cholesky(a)
    return np.sum(y * W(np.shape(y)))


def cholesky_upper(a):
    y = np.linalg.cholesky(a, upper=True)
    return np.sum(y * W(np.shape(y)))


def eigh_values(a):
    w, v = np.linalg.eigh(a)
    return np.sum(w * W(np.shape(w)))


def eigh_vectors(a):
    w, v = np.linalg.eigh(a)
    return np.sum(v * W(np.shape(v))) + np.sum(v ** 2 * W(np.shape(v))[::-1])


def eigh_upper(a):
    result = np.linalg.eigh(a, UPLO="U")
    return np.sum(result[1] ** 2 * W(np.shape(result[1]))) + np.sum(result[0] ** 2)


def eigvalsh(a):
    w = np.linalg.eigvalsh(a)
    return np.sum(w * W(np.shape(w)))


def eigvalsh_upper(a):
    w = np.linalg.eigvalsh(a, "U")
    return np.sum(w * W(np.shape(w)))


def svd_thin(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(u * W(np.shape(u))) + np.sum(s * W(np.shape(s))) + \
        np.sum(vh ** 2 * W(np.shape(vh))) + np.sum(vh * W(np.shape(vh))[..., ::-1])


def svd_square(a):
    u, s, vh = np.linalg.svd(a)
    return np.sum(u * W(np.shape(u))) + np.sum(s ** 2) + np.sum(vh * W(np.shape(vh)))


def svd_values_only(a):
    result = np.linalg.svd(a, full_matrices=False)
    return np.sum(result[1] * W(np.shape(result[1])))


def svdvals(a):
    s = np.linalg.svdvals(a)
    return np.sum(s * W(np.shape(s)))


def qr(a):
    q, r = np.linalg.qr(a)
    return np.sum(q * W(np.shape(q))) + np.sum(r * W(np.shape(r))[..., ::-1])


def qr_r(a):
    q, r = np.linalg.qr(a)
    return np.sum(r ** 2 * W(np.shape(r)))


def pinv(a):
    y = np.linalg.pinv(a)
    return np.sum(y * W(np.shape(y)))


def pinv_rcond(a):
    y = np.linalg.pinv(a, rcond=1e-10)
    return np.sum(y * W(np.shape(y)))


def lstsq(a, b):
    x, residuals, rank, s = np.linalg.lstsq(a, b)
    return np.sum(x * W(np.shape(x))) + np.sum(residuals * W(np.shape(residuals))) + \
        np.sum(s * W(np.shape(s)))


def lstsq_rcond(a, b):
    x = np.linalg.lstsq(a, b, rcond=1e-8)[0]
    return np.sum(x * W(np.shape(x)))


def matrix_power(a, n):
    y = np.linalg.matrix_power(a, n)
    return np.sum(y * W(np.shape(y)))


SHAPES = [(3, 3), (4, 3), (3, 4), (2, 4, 3), (2, 3, 5)]

LINALG_ROWS = [
    Row("np.linalg.cholesky", checks(cholesky, [(spd(3),), (spd(1),), (nonsymmetric(3),),
                                                (spd(3, (2,)),), (nonsymmetric(4, (2, 3)),)])
        + checks(cholesky_upper, [(nonsymmetric(3),), (spd(2, (2,)),)])),
    Row("np.linalg.eigh", checks(eigh_values, [(distinct_spectrum(3),), (nonsymmetric(4),)])
        + checks(eigh_vectors, [(distinct_spectrum(3),), (distinct_spectrum(4, (2,)),),
                                (nonsymmetric(3),), (distinct_spectrum(2),)])
        + checks(eigh_upper, [(nonsymmetric(3),), (distinct_spectrum(3, (2,)),)])),
    Row("np.linalg.eigvalsh", checks(eigvalsh, [(distinct_spectrum(3),), (nonsymmetric(4),),
                                                (distinct_spectrum(3, (2, 2)),)])
        + checks(eigvalsh_upper, [(nonsymmetric(3),)])),
    Row("np.linalg.svd", checks(svd_thin, [(rand(s),) for s in SHAPES])
        + checks(svd_square, [(rand((3, 3)),), (rand((2, 4, 4)),)])
        + checks(svd_values_only, [(rand((4, 3)),), (rand((2, 3, 5)),)])),
    row("np.linalg.svdvals", svdvals, [(rand(s),) for s in SHAPES]),
    Row("np.linalg.qr", checks(qr, [(rand(s),) for s in SHAPES])
        + checks(qr_r, [(rand((5, 3)),), (rand((3, 5)),)])),
    Row("np.linalg.pinv", checks(pinv, [(rand(s),) for s in SHAPES])
        + checks(pinv_rcond, [(rand((4, 3)),)])),
    Row("np.linalg.lstsq", checks(lstsq, [(rand((5, 3)), rand((5,))), (rand((5, 3)), rand((5, 2))),
                                          (rand((3, 5)), rand((3,))), (rand((3, 3)), rand((3, 2))),
                                          (rand((4, 1)), rand((4,)))], wrt=(0, 1))
        + checks(lstsq_rcond, [(rand((5, 3)), rand((5, 2)))], wrt=(0, 1))),
    row("np.linalg.matrix_power", matrix_power,
        [(spd(3), n) for n in (0, 1, 2, 3, 5, -1, -2)] + [(spd(2, (2, 3)), 3), (spd(3, (2,)), -3)]),
]

# ---------------------------------------------------------------- FFT
# Each transform through three real functions of its result: the weighted
# power spectrum, the real part and the imaginary part (Re(-1j * y)).


def WC(shape: tuple) -> np.ndarray:
    """Complex weights: W for the real part, W reversed for the imaginary part."""
    return W(shape) + 1j * np.reshape(W(shape).ravel()[::-1], shape)


def spectrum(y):
    """The three real functions of a complex result, summed with different weights."""
    return np.sum(np.abs(y) ** 2 * W(np.shape(y))) + np.sum(np.real(y * WC(np.shape(y))))


def fft_power(x, n, axis, norm):
    y = np.fft.fft(x, n, axis, norm)
    return np.sum(np.abs(y) ** 2 * W(np.shape(y)))


def fft_real(x, n, axis, norm):
    y = np.fft.fft(x, n, axis, norm)
    return np.sum(np.real(y) * W(np.shape(y)))


def fft_imag(x, n, axis, norm):
    y = np.fft.fft(x, n, axis, norm)
    return np.sum(np.real(-1j * y) * W(np.shape(y)))


def ifft_(x, n, axis, norm):
    return spectrum(np.fft.ifft(x, n, axis, norm))


def ifft_imag(x, n, axis, norm):
    y = np.fft.ifft(x, n=n, axis=axis, norm=norm)
    return np.sum(np.real(-1j * y) * W(np.shape(y)))


def rfft_(x, n, axis, norm):
    return spectrum(np.fft.rfft(x, n, axis, norm))


def rfft_imag(x, n, axis, norm):
    y = np.fft.rfft(x, n=n, axis=axis, norm=norm)
    return np.sum(np.real(-1j * y) * W(np.shape(y)))


def irfft_(x, n, axis, norm):
    y = np.fft.irfft(x, n, axis, norm)
    return np.sum(y * W(np.shape(y))) + np.sum(y ** 2)


def irfft_of_complex(x, n):
    z = x * (0.5 - 1.5j) + np.flip(x) * 1j
    y = np.fft.irfft(z, n)
    return np.sum(y * W(np.shape(y)))


def fft2_(x, s, axes, norm):
    return spectrum(np.fft.fft2(x, s, axes, norm))


def ifft2_(x, s, axes, norm):
    return spectrum(np.fft.ifft2(x, s, axes, norm))


def fftn_(x, s, axes, norm):
    return spectrum(np.fft.fftn(x, s, axes, norm))


def ifftn_(x, s, axes, norm):
    return spectrum(np.fft.ifftn(x, s, axes, norm))


def rfft2_(x, s, axes, norm):
    return spectrum(np.fft.rfft2(x, s, axes, norm))


def rfftn_(x, s, axes, norm):
    return spectrum(np.fft.rfftn(x, s, axes, norm))


def irfft2_(x, s, axes, norm):
    y = np.fft.irfft2(x, s, axes, norm)
    return np.sum(y * W(np.shape(y))) + np.sum(y ** 2)


def irfftn_(x, s, axes, norm):
    y = np.fft.irfftn(x, s, axes, norm)
    return np.sum(y * W(np.shape(y))) + np.sum(y ** 2)


def fft_then_ifft(x):
    y = np.fft.ifft(np.fft.fft(x) * WC((6,)))
    return np.sum(np.real(y) * W((6,)))


def rfft_round_trip(x):
    y = np.fft.irfft(np.fft.rfft(x) * WC((4,)), 7)
    return np.sum(y * W((7,)))


NORMS = (None, "backward", "ortho", "forward")
ONE_D = [(rand((8,)), None, -1, None), (rand((7,)), 5, -1, "ortho"),
         (rand((6,)), 9, -1, "forward"), (rand((4, 3)), None, 0, "backward"),
         (rand((2, 5)), 4, 1, "ortho"), (rand((2, 3, 4)), 6, -2, None)]
REAL_ONE_D = ONE_D + [(rand((7,)), 10, -1, "forward"), (rand((3, 5)), 3, 0, None)]
TWO_D = [(rand((3, 4)), None, (-2, -1), None), (rand((3, 4)), (5, 2), (-2, -1), "ortho"),
         (rand((2, 3, 4)), None, (0, 2), "forward"), (rand((4, 2, 3)), (3, 3), (1, 0), None)]
N_D = [(rand((3, 4)), None, None, None), (rand((2, 3, 4)), (4, 2), (0, 2), "ortho"),
       (rand((2, 3, 4)), None, (1,), "forward"), (rand((3, 2, 5)), (2, 3, 6), None, None),
       (rand((2, 3, 4)), (3, 5), (-2, -1), "backward")]

FFT_ROWS = [
    Row("np.fft.fft", checks(fft_power, ONE_D) + checks(fft_real, ONE_D[:3])
        + checks(fft_imag, ONE_D[:3])),
    Row("np.fft.ifft", checks(ifft_, ONE_D) + checks(ifft_imag, ONE_D[:2])),
    Row("np.fft.rfft", checks(rfft_, REAL_ONE_D) + checks(rfft_imag, REAL_ONE_D[:2])
        + checks(rfft_round_trip, [(rand((7,)),)])),
    Row("np.fft.irfft", checks(irfft_, REAL_ONE_D) + checks(
        irfft_of_complex, [(rand((5,)), None), (rand((5,)), 8), (rand((4,)), 7), (rand((6,)), 4)])),
    Row("np.fft.fft2", checks(fft2_, TWO_D) + checks(fft_then_ifft, [(rand((6,)),)])),
    row("np.fft.ifft2", ifft2_, TWO_D),
    row("np.fft.fftn", fftn_, N_D),
    row("np.fft.ifftn", ifftn_, N_D),
    row("np.fft.rfft2", rfft2_, TWO_D),
    row("np.fft.rfftn", rfftn_, N_D),
    row("np.fft.irfft2", irfft2_, TWO_D),
    row("np.fft.irfftn", irfftn_, N_D),
]

# ---------------------------------------------------------------- signal processing

XP = np.array([-1.5, -0.7, 0.1, 0.4, 1.2, 2.0])
KNOTS = tuple(XP)


def interp(x, xp, fp):
    y = np.interp(x, xp, fp)
    return np.sum(y * W(np.shape(y)))


def interp_bounds(x, xp, fp, left, right):
    y = np.interp(x, xp, fp, left, right)
    return np.sum(y * W(np.shape(y)))


def interp_left(x, xp, fp, left):
    y = np.interp(x, xp, fp, left=left)
    return np.sum(y * W(np.shape(y)))


def interp_nonlinear(x, xp, fp):
    y = np.interp(x ** 2, xp, fp * fp)
    return np.sum(y ** 2 * W(np.shape(y)))


def convolve(a, v, mode):
    y = np.convolve(a, v, mode)
    return np.sum(y * W(np.shape(y)))


def convolve_default(a, v):
    y = np.convolve(a, v)
    return np.sum(y ** 2 * W(np.shape(y)))


def correlate(a, v, mode):
    y = np.correlate(a, v, mode)
    return np.sum(y * W(np.shape(y)))


def correlate_default(a, v):
    y = np.correlate(a, v)
    return np.sum(y ** 2 * W(np.shape(y)))


def interp_points(shape: tuple) -> np.ndarray:
    """Points inside and outside [xp[0], xp[-1]], away from the knots."""
    return away(shape, KNOTS + (-1.5, 2.0), lo=-2.5, hi=3.0, gap=0.05)


LENGTHS = [(5, 3), (3, 5), (4, 4), (4, 6), (6, 4), (1, 3), (5, 1), (2, 2)]

SIGNAL_ROWS = [
    Row("np.interp", checks(interp, [(interp_points((9,)), XP, rand((6,))),
                                     (interp_points(()), XP, rand((6,))),
                                     (interp_points((2, 3)), XP, rand((6,)))], wrt=(0, 1, 2))
        + checks(interp_bounds, [(interp_points((9,)), XP, rand((6,)), 0.5, -1.5)],
                 wrt=(0, 1, 2, 3, 4))
        + checks(interp_left, [(interp_points((9,)), XP, rand((6,)), 0.3)], wrt=(0, 1, 2, 3))
        + checks(interp_nonlinear, [(rand((7,)), XP, rand((6,)))], wrt=(0, 1, 2))),
    Row("np.convolve", checks(convolve, [(rand((n,)), rand((m,)), mode) for n, m in LENGTHS
                                         for mode in ("full", "same", "valid")], wrt=(0, 1))
        + checks(convolve_default, [(rand((4,)), rand((3,)))], wrt=(0, 1))),
    Row("np.correlate", checks(correlate, [(rand((n,)), rand((m,)), mode) for n, m in LENGTHS
                                           for mode in ("full", "same", "valid")], wrt=(0, 1))
        + checks(correlate_default, [(rand((5,)), rand((3,)))], wrt=(0, 1))),
]

MORE_ROWS = LINALG_ROWS + FFT_ROWS + SIGNAL_ROWS
