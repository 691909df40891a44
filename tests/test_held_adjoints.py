"""Adjoints held as numbers: the adjoint of a full `np.sum` or `np.mean` of an
array of known shape is a number filling that shape, and it goes through the
rules of elementwise operations as a number (no array of copies of it) until
something needs the array (`Adjoints.spreadable`, `runtime.spread_number`).
Every function here is checked against central differences at several shapes
(code specialized for each), with broadcasting, numbers, helpers of unknown
result shape, branches and loops after the sum.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import s2sad


def sum_of_sin(x):
    return np.sum(np.sin(x) * x)


def mean_of_chain(x, y):
    z = np.tanh(x) * y - x / (1.0 + y * y)
    return np.mean(np.exp(-z) + np.log(1.0 + z * z))


def two_sums(x):
    return np.sum(x) + np.sum(x * 2.0) + np.sum(np.cos(x))


def minus_mean(x, y):
    return -np.mean(y * np.log(x) + (1.0 - y) * np.log(1.0 - x))


def relu_and_clip(x):
    return np.sum(np.maximum(x, 0.0) + np.clip(x, -0.5, 0.5) * np.abs(x))


def broadcast_operand(x, b):
    return np.sum(np.tanh(x * b) + b)  # (b of another shape: its adjoint is summed)


def number_operand(x, w):
    return np.mean(x * w + w)  # (w a number: its adjoint is the sum over x's shape)


def powers_and_where(x, y):
    return np.sum(np.where(x > 0.0, x ** 3, y ** 2) + np.hypot(x, y) + np.arctan2(y, x))


def sum_then_branch(x):
    s = np.sum(x * x)
    if s > 1.0:
        s = s * 2.0
    return s + np.sum(np.sin(x))


def sum_in_loop(x, n):
    total = 0.0
    for _ in range(n):
        total = total + np.sum(np.sin(x) * x)
        x = x * 0.9
    return total


def parameter_summed(x, y):
    return np.sum(x) * 3.0 + np.mean(y)  # (the adjoints are the filled arrays themselves)


def scaled_by_a_length(x):
    return np.sum(x * x) / len(x)


SHAPES = [(3,), (2, 4), (5, 1)]
CASES = [
    (sum_of_sin, lambda s, r: (r.normal(size=s),), (0,)),
    (mean_of_chain, lambda s, r: (r.normal(size=s), r.normal(size=s)), (0, 1)),
    (two_sums, lambda s, r: (r.normal(size=s),), (0,)),
    (minus_mean, lambda s, r: (r.uniform(0.2, 0.8, s), r.uniform(0.0, 1.0, s)), (0,)),
    (relu_and_clip, lambda s, r: (r.choice([-1.0, 1.0], s) * r.uniform(0.1, 0.9, s),), (0,)),
    (broadcast_operand, lambda s, r: (r.normal(size=s), r.normal(size=s[-1:])), (0, 1)),
    (number_operand, lambda s, r: (r.normal(size=s), 0.7), (0, 1)),
    (powers_and_where, lambda s, r: (r.choice([-1.0, 1.0], s) * r.uniform(0.2, 1.0, s),
                                     r.uniform(0.3, 1.0, s)), (0, 1)),
    (sum_then_branch, lambda s, r: (r.normal(size=s),), (0,)),
    (sum_in_loop, lambda s, r: (r.normal(size=s), 3), (0,)),
    (parameter_summed, lambda s, r: (r.normal(size=s), r.normal(size=s)), (0, 1)),
    (scaled_by_a_length, lambda s, r: (r.normal(size=s),), (0,)),
]


@pytest.mark.parametrize("fn, make, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_held_adjoints_match_finite_differences(fn, make, wrt):
    rng = np.random.default_rng(11)
    grad = s2sad.grad(fn, wrt=wrt)
    for shape in SHAPES:
        args = make(shape, rng)
        s2sad.check_grad(fn, *args, wrt=wrt)
        first = grad(*args)  # (again: the specialized code, run from the cache)
        again = grad(*args)
        for a, b, x in zip(first, again, (args[i] for i in wrt)):
            np.testing.assert_array_equal(a, b)
            assert np.shape(a) == np.shape(x)


def test_a_sum_of_an_elementwise_chain_makes_no_array_of_its_adjoint():
    x, y = np.linspace(0.1, 0.9, 6), np.linspace(-1.0, 1.0, 6)
    code = str(s2sad.show(mean_of_chain, wrt=(0, 1), args=(x, y)))
    # the mean's adjoint stays a number until the rules' arrays meet it
    assert "mean_adjoint" not in code and "sum_adjoint" not in code
    assert "spread_number" not in code
    code = str(s2sad.show(parameter_summed, wrt=(0, 1), args=(x, y)))
    assert code.count("spread_number(") == 2  # (the gradients are the filled arrays)
    grads = s2sad.grad(parameter_summed, wrt=(0, 1))(x, y)
    np.testing.assert_array_equal(grads[0], np.full(6, 3.0))
    np.testing.assert_array_equal(grads[1], np.full(6, 1.0 / 6))
    grads[0][0] = 5.0  # (a fresh array: writing into it changes nothing else)
    assert s2sad.grad(parameter_summed, wrt=(0, 1))(x, y)[0][0] == 3.0


def test_float32_arrays_keep_their_precision_through_held_adjoints():
    x = np.linspace(0.1, 0.9, 5).astype(np.float32)
    y = np.linspace(-1.0, 1.0, 5).astype(np.float32)
    g32 = s2sad.grad(mean_of_chain, wrt=(0, 1))(x, y)
    g64 = s2sad.grad(mean_of_chain, wrt=(0, 1))(x.astype(float), y.astype(float))
    for a, b in zip(g32, g64):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def mean_of_an_empty_slice(a):
    return np.mean(a[5:] ** 2)


def test_the_mean_of_an_empty_array_is_not_held_as_a_number():
    # (its number would be dout / 0: a ZeroDivisionError in the Hessian's code)
    a = np.array([0.5, -1.0, 2.0])
    with warnings.catch_warnings():  # (NumPy's: the mean of an empty slice is nan)
        warnings.simplefilter("ignore", RuntimeWarning)
        np.testing.assert_array_equal(s2sad.grad(mean_of_an_empty_slice)(a), np.zeros(3))
        np.testing.assert_array_equal(s2sad.hvp(mean_of_an_empty_slice)(a, np.ones(3)),
                                      np.zeros(3))
