"""The worked examples of the project's seed lectures, checked to their exact values."""

import math

import numpy as np
import pytest

import s2sad
from s2sad import grad, stop_gradient

# ---------------------------------------------------------------- one variable


def quadratic(x):
    return x**2 + 4 * x + 3


def test_quadratic_at_2():
    assert grad(quadratic)(2.0) == pytest.approx(8.0, abs=1e-12)


def nested_sin_exp(x):
    return np.sin((x + 2) + (1 + np.exp(x**2)))


def test_nested_sin_exp_at_2():
    d = grad(nested_sin_exp)(2.0)
    # The lecture quotes -218.4625 (4 decimals, truncated; the value is -218.462559...).
    assert math.trunc(d * 1e4) / 1e4 == -218.4625
    # The analytic derivative: cos(x + 3 + e^{x^2}) * (1 + 2x e^{x^2}).
    exact = math.cos(2 + 3 + math.exp(4)) * (1 + 4 * math.exp(4))
    assert d == pytest.approx(exact, rel=1e-12)


def sin_times_cos_sin(x):
    return (4 + np.sin(x)) * np.cos(np.sin(x))


def test_sin_times_cos_sin_at_pi():
    assert grad(sin_times_cos_sin)(math.pi) == pytest.approx(-1.0, abs=1e-12)


def sqrt_log(x):
    return 3 * np.sqrt(x) * (np.log(x) + 1 / x**2)


def test_sqrt_log_at_1_2():
    x = 1.2
    exact = 1.5 / math.sqrt(x) * (math.log(x) + 1 / x**2) + 3 * math.sqrt(x) * (1 / x - 2 / x**3)
    d = grad(sqrt_log)(x)
    assert d == pytest.approx(exact, abs=1e-10)
    assert round(d, 2) == 0.14


def two_y_plus_3(x):
    y = x**2
    return 2 * y + 3


def test_two_y_plus_3_at_2():
    assert grad(two_y_plus_3)(2.0) == pytest.approx(8.0, abs=1e-12)


# ---------------------------------------------------------------- several variables


def sum_squares3(x1, x2, x3):
    return x1**2 + x2**2 + x3**2


def sum_squares_vec(x):
    return np.sum(x**2)


def test_sum_of_squares_three_scalars():
    g = grad(sum_squares3, wrt=(0, 1, 2))(1.0, 2.0, 3.0)
    assert isinstance(g, tuple) and len(g) == 3
    assert g == pytest.approx((2.0, 4.0, 6.0), abs=1e-12)


def test_sum_of_squares_one_array():
    g = grad(sum_squares_vec)(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(g, [2.0, 4.0, 6.0], atol=1e-12)


def quad_form_matmul(x):
    A = np.array([[1.0, 2.0], [2.0, 1.0]])
    return x @ A @ x


def quad_form_dot(x):
    A = np.array([[1.0, 2.0], [2.0, 1.0]])
    return np.dot(x, np.dot(A, x))


@pytest.mark.parametrize("f", [quad_form_matmul, quad_form_dot])
def test_quadratic_form(f):
    # grad of x^T A x is (A + A^T) x = 2 A x for symmetric A: (10, 8) at (1, 2)
    g = grad(f)(np.array([1.0, 2.0]))
    np.testing.assert_allclose(g, [10.0, 8.0], atol=1e-12)


def rational(x, y):
    return x**2 * y + 1 / (x**2 + y**2 + 1)


def test_rational_two_args():
    gx, gy = grad(rational, wrt=(0, 1))(0.5, -0.5)
    assert gx == pytest.approx(-17 / 18, abs=1e-12)
    assert gy == pytest.approx(25 / 36, abs=1e-12)


def log_xy_sin(x, y):
    return np.log(x) + x * y - np.sin(y)


def test_log_xy_sin_at_1_pi():
    gx, gy = grad(log_xy_sin, wrt=(0, 1))(1.0, math.pi)
    assert gx == pytest.approx(1 + math.pi, abs=1e-12)
    assert gy == pytest.approx(2.0, abs=1e-12)


def two_xtx_matmul(x):
    return 2 * x @ x


def two_xtx_dot(x):
    return 2 * np.dot(x, x)


def two_xtx_sum(x):
    return 2 * np.sum(x * x)


@pytest.mark.parametrize("f", [two_xtx_matmul, two_xtx_dot, two_xtx_sum])
def test_two_xtx_random(f):
    x = np.random.default_rng(0).normal(size=7)
    np.testing.assert_allclose(grad(f)(x), 4 * x, rtol=1e-12, atol=1e-12)


def d2l_y(x):
    y = 2 * x @ x
    return y


def test_d2l_two_x_dot_x():
    x = np.arange(4.0)
    g = grad(d2l_y)(x)
    np.testing.assert_allclose(g, [0.0, 4.0, 8.0, 12.0], atol=1e-12)
    np.testing.assert_allclose(g, 4 * x, atol=1e-12)


def d2l_sum(x):
    return np.sum(x * x)


def test_d2l_sum_x_times_x():
    x = np.arange(4.0)
    np.testing.assert_allclose(grad(d2l_sum)(x), 2 * x, atol=1e-12)


def d2l_sum_y(x):
    y = x * x
    return y.sum()


def test_d2l_sum_of_y_method():
    x = np.arange(4.0)
    np.testing.assert_allclose(grad(d2l_sum_y)(x), [0.0, 2.0, 4.0, 6.0], atol=1e-12)


def weighted_items(x):
    return 2 * x[0] + 3 * x[1] + 4 * x[2]


def test_weighted_items():
    g = grad(weighted_items)(np.array([5.0, -1.0, 0.25]))
    np.testing.assert_allclose(g, [2.0, 3.0, 4.0], atol=1e-12)


def sum_matrix(A):
    return np.sum(A)


def test_sum_matrix_gives_ones():
    A = np.arange(6.0).reshape(2, 3)
    g = grad(sum_matrix)(A)
    assert g.shape == (2, 3)
    np.testing.assert_array_equal(g, np.ones((2, 3)))


# ---------------------------------------------------------------- detaching


def detach_direct(x):
    u = stop_gradient(x * x)
    z = u * x
    return np.sum(z)


def detach_after(x):
    y = x * x
    u = stop_gradient(y)
    z = u * x
    return np.sum(z)


def detach_via_module(x):
    y = x * x
    u = s2sad.stop_gradient(y)
    z = u * x
    return np.sum(z)


@pytest.mark.parametrize("f", [detach_direct, detach_after, detach_via_module])
def test_stop_gradient_gives_u(f):
    x = np.arange(4.0)
    g = grad(f)(x)
    np.testing.assert_allclose(g, x * x, atol=1e-12)
    # Without the detach it would be 3 x^2: make sure we are not close to that.
    assert not np.allclose(g[1:], 3 * x[1:] ** 2)


def detach_then_y(x):
    y = x * x
    u = stop_gradient(y)
    z = u * x
    return np.sum(y) + 0.0 * np.sum(z)


def test_gradient_of_y_after_detach():
    x = np.arange(4.0)
    np.testing.assert_allclose(grad(detach_then_y)(x), 2 * x, atol=1e-12)


def scalar_detach(x):
    u = stop_gradient(x * x)
    return u * x


def test_stop_gradient_scalar():
    assert grad(scalar_detach)(3.0) == pytest.approx(9.0, abs=1e-12)
