"""Minimal repros of bugs found by the program fuzzer, kept fixed."""

import numpy as np
import pytest

import s2sad


def full_of_x(x):
    # np.full was registered as non-differentiable: a silently zero gradient
    return np.sum(np.full((6,), x) * np.arange(6.0))


def pair(a, b):
    return np.tanh(a) * b, np.sin(b)


def uses_second_item_only(x, y):
    # the helper's backward got None for the unused first item
    _, second = pair(x, y)
    return np.sum(second * x)


def mod_of(x, y):
    # `%` was registered as non-differentiable
    return np.sum(x % y)


@pytest.mark.parametrize("fn, args, wrt", [
    (full_of_x, (0.3,), 0),
    (uses_second_item_only, (np.array([0.2, -0.4]), np.array([1.5, 0.7])), (0, 1)),
    (mod_of, (np.array([2.5, 3.7]), 1.1), (0, 1)),
])
def test_fuzzer_regressions(fn, args, wrt):
    s2sad.check_grad(fn, *args, wrt=wrt)


def arange_from(x):
    return np.sum(np.arange(x, 5.0))


def test_arange_with_a_differentiable_bound_is_refused_not_zero():
    with pytest.raises(s2sad.NoAdjointError) as info:
        s2sad.grad(arange_from)(0.5)
    assert "'start_or_stop'" in str(info.value)  # (NumPy's name for the first argument)


def tiled_by_a_numpy_int(x):
    return np.sum(np.tile(x, np.int64(2)) ** 2)


def took_nothing(x):
    return np.sum(np.take(x, [])) + np.sum(x)


def squares_summed(z):
    return np.sum(z ** 2)


def variance_without_degrees_of_freedom(x):
    return np.var(x, ddof=4)


def test_rule_corners_an_outside_review_found():
    """np.tile's adjoint iterated a NumPy int's reps; np.take's read an empty
    index list as floats; a holomorphic Jacobian's seed went through float();
    var's divisor at ddof >= n was n - ddof < 0 (NumPy's is 0: inf)."""
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(s2sad.grad(tiled_by_a_numpy_int)(x), 4 * x)
    np.testing.assert_allclose(s2sad.jacobian(tiled_by_a_numpy_int, mode="reverse")(x), 4 * x)
    np.testing.assert_allclose(s2sad.grad(took_nothing)(x), [1.0, 1.0, 1.0])
    z = np.array([1 + 2j, 0.5 - 1j])
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(s2sad.jacobian(squares_summed, holomorphic=True, mode=mode)(z),
                                   2 * z)
    y = np.array([0.3, -0.7, 1.2])
    with np.errstate(divide="ignore", invalid="ignore"):
        assert variance_without_degrees_of_freedom(y) == np.inf
    np.testing.assert_array_equal(s2sad.grad(variance_without_degrees_of_freedom)(y),
                                  [np.inf, -np.inf, np.inf])
