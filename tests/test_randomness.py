"""Transforms that run the function more than once use the draws of its first run.

A Jacobian (a pass per column or a pullback per row), a Hessian, linearize's
f_jvp and a second pullback run the user's function again; one drawing
random numbers must see the same draws each time, or the result mixes the
derivatives of different samples (`s2sad/randomness.py`).
"""

import functools
import math
import random
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
        with pytest.raises(NoAdjointError, match="ran it on other random draws") as info:
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


# ---------------------------------------------------------------- where generators sit


class Model:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def sample(self, x):
        return np.sin(x) * self.rng.normal(size=3)


class Shared:
    rng = np.random.default_rng(0)  # (a class attribute, read as self.rng)

    def sample(self, x):
        return np.sin(x) * self.rng.normal(size=3)


GLOBAL_RNG = np.random.default_rng(0)
CONFIG = {"rng": GLOBAL_RNG}


def _draw(n):
    return CONFIG["rng"].normal(size=n)


def _config_noise(n):
    return _draw(n)


def through_helpers(x):
    return np.sin(x) * _config_noise(3)


def with_default(x, rng=GLOBAL_RNG):
    return np.sin(x) * rng.normal(size=3)


def with_options(x, opts):
    return np.sin(x) * opts["rng"].normal(size=3)


def of_model(x, m):
    return m.sample(x)


X3 = np.array([0.3, 0.7, 1.1])


def _one_sample_jacobian(seed=0):
    return np.diag(np.cos(X3) * np.random.default_rng(seed).normal(size=3))


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_generators_behind_objects_defaults_dicts_and_helpers_are_rewound(mode):
    expected = _one_sample_jacobian()
    cases = [
        lambda: (Model(0).sample, (X3,)),
        lambda: (of_model, (X3, Model(0))),
        lambda: (with_options, (X3, {"rng": np.random.default_rng(0)})),
        lambda: (Shared().sample, (X3,)),
        lambda: (functools.partial(with_default, rng=np.random.default_rng(0)), (X3,)),
    ]
    for make in cases:
        f, args = make()
        np.testing.assert_allclose(s2sad.jacobian(f, mode=mode)(*args), expected, rtol=1e-12)
        Shared.rng = np.random.default_rng(0)
    for f in (with_default, through_helpers):  # (a module-level generator, read two ways)
        GLOBAL_RNG.bit_generator.state = np.random.default_rng(0).bit_generator.state
        np.testing.assert_allclose(s2sad.jacobian(f, mode=mode)(X3), expected, rtol=1e-12)
        assert GLOBAL_RNG.normal() == np.random.default_rng(0).normal(size=4)[3]


def test_hessian_with_a_generator_in_an_object_argument():
    def f(x, m):
        return np.sum(np.sin(x) * m.rng.normal(size=3))

    eps = np.random.default_rng(0).normal(size=3)
    np.testing.assert_allclose(s2sad.hessian(f)(X3, Model(0)), np.diag(-np.sin(X3) * eps),
                               rtol=1e-12)


def test_a_python_random_argument_advances_as_one_run_does():
    def f(x, r):
        return np.sin(x) * np.array([r.gauss(0, 1) for _ in range(3)])

    r = random.Random(0)
    f(X3, r)
    after_one_run = r.random()
    for transform in (lambda f: s2sad.jacobian(f, mode="reverse"), lambda f: s2sad.jacobian(f),
                      lambda f: functools.partial(s2sad.vjp, f)):
        r = random.Random(0)
        transform(f)(X3, r)
        assert r.random() == after_one_run


def unseeded(x):
    return np.sin(x) * np.random.default_rng().normal(size=3)  # (a new generator each run)


def test_draws_that_cannot_be_rewound_are_an_error_not_a_mixed_sample():
    for transform in (lambda: s2sad.jacobian(unseeded, mode="forward")(X3),
                      lambda: s2sad.jacobian(unseeded, mode="reverse")(X3),
                      lambda: s2sad.hessian(lambda x: np.sum(unseeded(x)))(X3),
                      lambda: s2sad.linearize(unseeded, X3)[1](np.ones(3))):
        with pytest.raises(NoAdjointError, match="different value when run again") as info:
            transform()
        assert "pass the generator as an argument" in info.value.hint
    out, pullback = s2sad.vjp(unseeded, X3)
    pullback(np.ones(3))  # (the first pullback runs nothing again)
    with pytest.raises(NoAdjointError, match="different value when run again"):
        pullback(np.ones(3))


def test_the_retry_with_numpys_numbers_checks_its_two_runs():
    # (the generator sits where the search does not look: the retry's two runs disagree)
    holder = [Model(0)]

    def f(x, y, box):
        return x * box[0][0].rng.normal() + math.sqrt(y)

    with pytest.raises(NoAdjointError, match="ran it on other random draws"):
        s2sad.value_and_grad(f, wrt=(0, 1))(1.0, 0.0, [holder])
