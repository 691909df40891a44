"""Minimal repros of failures found by the program fuzzer (scripts/fuzz.py).

Open bugs are marked `xfail(strict=True)`: when one is fixed its test starts
passing, pytest reports the XPASS as a failure, and the marker should go.
Bugs that were fixed while the fuzzer ran are kept as plain regression tests.
"""

import numpy as np
import pytest

import s2sad

# ---------------------------------------------------------------- open bugs


def branch_value_then_rebound(x, c):
    # The backward pass of np.exp in the else branch reads `s` for `ans`, but
    # `s` was rebound after the if: the gradient comes out as (e^x + 1), not e^x.
    if c > 0:
        s = 1.0
    else:
        s = np.exp(x)
    s = s + 1.0
    return np.sum(s)


def conditional_expression_then_loop(x):
    # The same through a conditional expression and a loop: tanh's adjoint
    # reads the value of `a` after the loop squared it.
    a = 1.0 if x > 5.0 else np.tanh(x)
    for _ in range(2):
        a = a ** 2
    return a


def max_then_rebound(x):
    # ... and with np.max, whose adjoint then finds no entry equal to `ans`:
    # the gradient is NaN.
    s = 0.0 if np.sum(x) > 100.0 else np.max(x)
    s = s + 1.0
    return s


@pytest.mark.parametrize("fn, args", [
    (branch_value_then_rebound, (np.array([0.3, -0.5]), -1.0)),
    (conditional_expression_then_loop, (0.4,)),
    (max_then_rebound, (np.array([0.3, 0.5, -0.2]),)),
], ids=["if-statement", "conditional-expression-and-loop", "np.max"])
def test_branch_value_rebound_later(fn, args):
    s2sad.check_grad(fn, *args)


def item_assignment_after_loop(x):
    # Writing into `a` after the loop makes s2sad drop the loop's tape: the
    # backward pass uses the final `a` for every iteration's tanh.
    a = x * 1.0
    for _ in range(2):
        a = np.tanh(a)
    a[0] = 1.0
    return np.sum(a)


def test_item_assignment_after_loop():
    s2sad.check_grad(item_assignment_after_loop, np.array([[0.0, 0.2, 0.4], [0.6, 0.8, 1.0]]))


def update_item_of_unpacked_tuple(x, y):
    # `a` and `b` come out of one tuple, so the aliasing guard takes them for
    # views of one array; no array is shared, NumPy and s2sad would agree.
    a, b = np.tile(y, (2, 1)), x
    a *= 2.0
    return np.sum(b) + np.sum(a)


@pytest.mark.xfail(strict=True, raises=s2sad.S2sadError,
                   reason="AliasingError for an in-place update of a fresh array that was "
                   "unpacked from a tuple")
def test_inplace_update_after_tuple_unpacking():
    s2sad.check_grad(update_item_of_unpacked_tuple, np.array([0.3, 0.5]),
                     np.array([1.0, 2.0, 3.0]), wrt=(0, 1))


def divide_reshaped_copy(x):
    # np.reshape of a transposed (2, 3) array copies; the copy has a `.base`
    # (reshape's temporary), which the aliasing guard takes for a view of x.
    v = np.reshape(x.T, (-1, 3))
    v /= 2.0
    return np.sum(x) + np.sum(v)


@pytest.mark.xfail(strict=True, raises=s2sad.S2sadError,
                   reason="AliasingError for an in-place update of a copy that np.reshape "
                   "made (it has a .base but shares no memory)")
def test_inplace_update_of_a_reshaped_copy():
    s2sad.check_grad(divide_reshaped_copy, np.arange(6.0).reshape(2, 3) * 0.2)


def sum_of_list_with_a_constant(x):
    # The adjoint of the list [x, x, 1.0] unpacks into two names only.
    return np.sum([x, x, 1.0])


def test_sum_of_a_list_with_a_constant():
    s2sad.check_grad(sum_of_list_with_a_constant, 0.4)


# ---------------------------------------------------------------- fixed since


def inplace_in_loop_then_view(x):
    # was: AliasingError (the view after the loop counted as a use of the
    # value before the in-place update)
    acc = np.ones((2,))
    for _ in range(2):
        acc *= x
    return np.sum(np.reshape(acc, (2, 1)))


def pair(a):
    return np.reshape(a, (2, 3)) * 2.0, np.sum(a)


def second_of_pair(x):
    # was: the helper's backward pass got None for the unused first item
    _, total = pair(x)
    return total


def full_of(x):
    # was: np.full registered as non-differentiable, a silent zero gradient
    return np.sum(np.full((2, 3), x))


@pytest.mark.parametrize("fn, args", [
    (inplace_in_loop_then_view, (np.array([0.5, -1.5]),)),
    (second_of_pair, (np.arange(6.0).reshape(2, 3),)),
    (full_of, (0.3,)),
], ids=["inplace-in-loop-then-view", "unused-tuple-item", "np.full"])
def test_fixed(fn, args):
    s2sad.check_grad(fn, *args)
