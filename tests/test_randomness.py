"""Transforms that run the function more than once use the draws of its first run.

A Jacobian (a pass per column or a pullback per row), a Hessian, linearize's
f_jvp and a second pullback run the user's function again; one drawing
random numbers must see the same draws each time, or the result mixes the
derivatives of different samples (`s2sad/randomness.py`).
"""

import math
import warnings

import numpy as np
import pytest

import s2sad
from s2sad.errors import NoAdjointError

RNG = np.random.default_rng(5)  # (module level: a helper draws from it)


def sample(p):
    return p[:2] + np.exp(p[2:]) * np.random.randn(2)


def sample_with(p, rng):
    return p[:2] + np.exp(p[2:]) * rng.standard_normal(2)


def _noise(n):
    return RNG.standard_normal(n)


def sample_global(p):
    return p[:2] + np.exp(p[2:]) * _noise(2)


def monte_carlo(m):
    return np.sum((m * np.random.randn(3)) ** 2)


P = np.array([0.0, 1.0, -0.5, 0.2])


def _expected_jacobian(eps):
    return np.hstack([np.eye(2), np.diag(np.exp(P[2:]) * eps)])


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_jacobian_uses_the_first_runs_draws_from_numpys_global_generator(mode):
    np.random.seed(0)
    eps = np.random.randn(2)
    after_one_run = np.random.randn()
    np.random.seed(0)
    jac = s2sad.jacobian(sample, mode=mode)(P)
    np.testing.assert_allclose(jac, _expected_jacobian(eps), rtol=1e-12)
    # the generator ends where one run of the function leaves it
    assert np.random.randn() == after_one_run


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_jacobian_uses_the_first_runs_draws_from_a_generator_argument(mode):
    eps = np.random.default_rng(3).standard_normal(2)
    rng = np.random.default_rng(3)
    jac = s2sad.jacobian(sample_with, mode=mode)(P, rng)
    np.testing.assert_allclose(jac, _expected_jacobian(eps), rtol=1e-12)
    assert rng.standard_normal() == np.random.default_rng(3).standard_normal(3)[2]


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_jacobian_uses_the_first_runs_draws_from_a_helpers_module_generator(mode):
    state = RNG.bit_generator.state
    eps = RNG.standard_normal(2)
    RNG.bit_generator.state = state
    jac = s2sad.jacobian(sample_global, mode=mode)(P)
    np.testing.assert_allclose(jac, _expected_jacobian(eps), rtol=1e-12)


def test_hessian_and_jacobian_of_grad_use_one_sample():
    m = np.array([0.1, 0.2, 0.3])
    np.random.seed(4)
    eps = np.random.randn(3)
    for hess in (s2sad.hessian(monte_carlo), s2sad.jacobian(s2sad.grad(monte_carlo))):
        np.random.seed(4)
        np.testing.assert_allclose(hess(m), np.diag(2 * eps ** 2), rtol=1e-12, atol=1e-15)


def test_linearize_f_jvp_replays_the_draws_and_leaves_the_generator_alone():
    m = np.array([0.1, 0.2, 0.3])
    np.random.seed(4)
    out, f_jvp = s2sad.linearize(lambda m: m * np.random.randn(3), m)
    following = np.random.randn()
    np.random.seed(4)
    np.random.randn(3)
    assert following == np.random.randn()
    state = np.random.get_state()
    np.testing.assert_allclose(f_jvp(np.ones(3)), out / m, rtol=1e-12)
    np.testing.assert_allclose(f_jvp(2 * np.ones(3)), 2 * out / m, rtol=1e-12)
    after = np.random.randn()
    np.random.set_state(state)
    assert after == np.random.randn()  # (f_jvp drew nothing the caller sees)


def test_a_second_pullback_replays_the_draws():
    np.random.seed(1)
    eps = np.random.randn(2)
    np.random.seed(1)
    out, pullback = s2sad.vjp(sample, P)
    (first,) = pullback(np.array([1.0, 0.0]))
    (second,) = pullback(np.array([0.0, 1.0]))
    np.testing.assert_allclose(first, [1.0, 0.0, np.exp(P[2]) * eps[0], 0.0], rtol=1e-12)
    np.testing.assert_allclose(second, [0.0, 1.0, 0.0, np.exp(P[3]) * eps[1]], rtol=1e-12)


def draws_then_sqrt(x, y):
    return y * np.random.randn() + math.sqrt(x)


def draws_then_np_sqrt(x, y):
    return y * np.random.randn() + np.sqrt(x)


def test_a_second_run_with_numpys_numbers_is_refused_for_a_function_that_draws():
    # at x = 0 the derivative of math.sqrt raises in Python's numbers: the
    # retry with NumPy's would run f again, on other draws
    for x in (0.0, np.float64(0.0)):
        with pytest.raises(NoAdjointError, match="draws random numbers") as info:
            s2sad.value_and_grad(draws_then_sqrt, wrt=(0, 1))(x, 2.0)
        assert "np.sqrt for math.sqrt" in info.value.hint
    np.random.seed(0)
    eps = np.random.randn()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        np.random.seed(0)
        value, (gx, gy) = s2sad.value_and_grad(draws_then_np_sqrt, wrt=(0, 1))(0.0, 2.0)
    assert value == 2.0 * eps and gy == eps and gx == np.inf
    np.random.seed(0)  # (away from the special point, math's sqrt runs once)
    value, (gx, gy) = s2sad.value_and_grad(draws_then_sqrt, wrt=(0, 1))(0.25, 2.0)
    assert (value, gx, gy) == (2.0 * eps + 0.5, 1.0, eps)
