"""np.fft with complex inputs, np.interp at its knots, np.convolve and
np.correlate of complex arrays, the refusals, and Hessians.

Complex inputs follow JAX's convention: the gradient of a real f of z is
df/dRe z - i df/dIm z (checked against central differences of each part),
and a tangent dz gives df/dRe z * Re dz + df/dIm z * Im dz.
"""

from __future__ import annotations

import numpy as np
import pytest

import s2sad

RNG = np.random.default_rng(5)


def complex_gradient(f, z: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """df/dRe z - i df/dIm z by central differences."""
    out = np.zeros(z.shape, dtype=complex)
    for k in np.ndindex(z.shape):
        step = np.zeros(z.shape)
        step[k] = eps
        real = (f(z + step) - f(z - step)) / (2 * eps)
        imag = (f(z + 1j * step) - f(z - 1j * step)) / (2 * eps)
        out[k] = real - 1j * imag
    return out


def crand(*shape: int) -> np.ndarray:
    return RNG.normal(size=shape) + 1j * RNG.normal(size=shape)


def weights(shape: tuple) -> np.ndarray:
    return np.cos(np.arange(int(np.prod(shape))) * 0.9 + 0.3).reshape(shape) + 1.5


def power(y):
    return np.sum(np.abs(y) ** 2 * weights(np.shape(y))) + np.sum(np.real(y * (0.3 - 2.0j)))


def fft_of_complex(z):
    return power(np.fft.fft(z, 6, -1, "ortho"))


def ifft_of_complex(z):
    return power(np.fft.ifft(z, None, 0))


def fft2_of_complex(z):
    return power(np.fft.fft2(z, (3, 5)))


def ifftn_of_complex(z):
    return power(np.fft.ifftn(z, None, None, "forward"))


def irfft_of_complex(z):
    y = np.fft.irfft(z, 8)
    return np.sum(y * weights(np.shape(y))) + np.sum(y ** 2)


def irfftn_of_complex(z):
    y = np.fft.irfftn(z, (4, 5))
    return np.sum(y * weights(np.shape(y)))


@pytest.mark.parametrize("f, z", [
    (fft_of_complex, crand(5)), (fft_of_complex, crand(2, 7)), (ifft_of_complex, crand(4, 3)),
    (fft2_of_complex, crand(2, 3, 4)), (ifftn_of_complex, crand(3, 4)),
    (irfft_of_complex, crand(5)), (irfft_of_complex, crand(3)), (irfftn_of_complex, crand(4, 3)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_complex_input_gradient_and_tangent(f, z) -> None:
    expected = complex_gradient(f, z)
    np.testing.assert_allclose(s2sad.grad(f)(z), expected, rtol=1e-6, atol=1e-6)
    direction = crand(*z.shape)
    _, tangent = s2sad.jvp(f, (z,), (direction,))
    paired = np.sum(np.real(expected) * np.real(direction) - np.imag(expected) * np.imag(direction))
    np.testing.assert_allclose(tangent, paired, rtol=1e-6, atol=1e-6)


def irfft_dc(z):
    return np.sum(np.fft.irfft(z, 4) * np.array([1.0, -2.0, 0.5, 3.0]))


def test_irfft_ignores_imaginary_parts_of_the_first_and_nyquist_bins() -> None:
    """NumPy drops them, so their gradient's imaginary part is 0."""
    grad = s2sad.grad(irfft_dc)(crand(3))
    assert grad[0].imag == 0 and grad[2].imag == 0
    assert grad[1].imag != 0


def fft_into(x):
    out = np.zeros(4, dtype=complex)
    return np.sum(np.abs(np.fft.fft(x, out=out)))


def test_out_is_refused() -> None:
    with pytest.raises(s2sad.S2sadError, match="out="):
        s2sad.grad(fft_into)(RNG.normal(size=4))


# ---------------------------------------------------------------- interp

XP = np.array([0.0, 1.0, 3.0])
FP = np.array([0.0, 2.0, 3.0])


def interp_at(x, xp, fp):
    return np.interp(x, xp, fp)


# (x, d/dx, d/dfp, d/dxp): JAX's values (jax.numpy.interp, written out)
KNOTS = [
    (0.0, 2.0, [1, 0, 0], [-2, 0, 0]), (1.0, 0.5, [0, 1, 0], [0, -0.5, 0]),
    (3.0, 0.5, [0, 0, 1], [0, 0, -0.5]), (-1.0, 0.0, [1, 0, 0], [0, 0, 0]),
    (4.0, 0.0, [0, 0, 1], [0, 0, 0]), (2.0, 0.5, [0, 0.5, 0.5], [0, -0.25, -0.25]),
]


@pytest.mark.parametrize("x, dx, dfp, dxp", KNOTS)
def test_interp_at_knots_and_outside_is_jaxs(x, dx, dfp, dxp) -> None:
    gx, gxp, gfp = s2sad.grad(interp_at, wrt=(0, 1, 2))(x, XP, FP)
    assert gx == dx
    np.testing.assert_array_equal(gfp, dfp)
    np.testing.assert_array_equal(gxp, dxp)
    _, tangent = s2sad.jvp(interp_at, (x, XP, FP), (1.0, None, None))
    assert tangent == dx


def interp_periodic(x):
    return np.sum(np.interp(x, XP, FP, period=3.0))


def interp_unsorted(x, xp):
    return np.sum(np.interp(x, xp, FP))


def test_interp_refuses_period_and_unsorted_points() -> None:
    with pytest.raises(s2sad.S2sadError, match="period="):
        s2sad.grad(interp_periodic)(np.array([0.5, 2.0]))
    with pytest.raises(s2sad.S2sadError, match="increasing"):
        s2sad.grad(interp_unsorted)(np.array([0.5, 2.0]), np.array([0.0, 3.0, 1.0]))


def interp_complex(fp):
    return np.sum(np.abs(np.interp(np.array([0.5, 2.5, 4.0]), XP, fp)) ** 2)


def test_interp_of_complex_values() -> None:
    fp = crand(3)
    np.testing.assert_allclose(s2sad.grad(interp_complex)(fp), complex_gradient(interp_complex, fp),
                               rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------- convolve, correlate


def convolve_complex(a, v):
    return power(np.convolve(a, v, "same"))


def correlate_complex(a, v):
    return power(np.correlate(a, v, "full"))


@pytest.mark.parametrize("f", [convolve_complex, correlate_complex])
@pytest.mark.parametrize("n, m", [(5, 3), (3, 6)])
def test_complex_convolution(f, n, m) -> None:
    a, v = crand(n), crand(m)
    ga, gv = s2sad.grad(f, wrt=(0, 1))(a, v)
    np.testing.assert_allclose(ga, complex_gradient(lambda x: f(x, v), a), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gv, complex_gradient(lambda x: f(a, x), v), rtol=1e-6, atol=1e-7)


def convolve_unknown_mode(a):
    return np.sum(np.convolve(a, a, "middle"))


def test_an_unknown_mode_fails_as_numpy() -> None:
    with pytest.raises(ValueError):
        s2sad.grad(convolve_unknown_mode)(RNG.normal(size=3))


# ---------------------------------------------------------------- Hessians


def power_spectrum(x):
    return np.sum(np.abs(np.fft.fft(x)) ** 2 * weights((6,)))


def real_spectrum_fourth(x):
    return np.sum(np.abs(np.fft.rfft2(x, (3, 4))) ** 4 * weights((3, 3)))


def inverse_cubed(x):
    return np.sum(np.fft.irfft(x, 7) ** 3)


def interp_in_points_and_values(p):
    return np.sum(np.interp(np.array([-0.5, 0.4, 1.7, 2.9, 3.5]), p[:3], p[3:] ** 2) ** 3)


def convolution_energy(a):
    return np.sum(np.convolve(a, a[::-1] * 2.0, "same") ** 2)


def correlation_energy(a):
    return np.sum(np.correlate(a, a ** 2, "full") ** 2 * weights((9,)))


@pytest.mark.parametrize("f, x", [
    (power_spectrum, RNG.normal(size=6)), (real_spectrum_fourth, RNG.normal(size=(2, 5))),
    (inverse_cubed, RNG.normal(size=4)),
    (interp_in_points_and_values, np.array([0.0, 1.0, 3.0, 0.5, -1.0, 2.0])),
    (convolution_energy, RNG.normal(size=5)), (correlation_energy, RNG.normal(size=5)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_hessian_matches_differences_of_the_gradient(f, x) -> None:
    hessian = np.asarray(s2sad.hessian(f)(x)).reshape(x.size, x.size)
    grad = s2sad.grad(f)
    expected = np.zeros((x.size, x.size))
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = 1e-5
        step = step.reshape(x.shape)
        expected[:, j] = ((grad(x + step) - grad(x - step)) / 2e-5).ravel()
    np.testing.assert_allclose(hessian, expected, rtol=1e-5, atol=1e-5 * np.max(np.abs(expected)))
