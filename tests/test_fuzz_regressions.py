"""Minimal repros of failures found by the program fuzzer (scripts/fuzz.py).

Open bugs are marked `xfail(strict=True)`: when one is fixed its test starts
passing, pytest reports the XPASS as a failure, and the marker should go.
Bugs that were fixed while the fuzzer ran are kept as plain regression tests.
"""

import importlib.util
import re

import numpy as np
import pytest

import s2sad

# ---------------------------------------------------------------- open bugs
# (none: each new one goes here, as a strict xfail, until it is fixed)

# ---------------------------------------------------------------- fixed since
# ------------------------ found by the fuzzer's new draws (lists updated by
# item, one array passed as two arguments, float32): each was silently wrong.
# Now a program whose arrays really are shared is refused (an AliasingError at
# the update) and the same program with distinct arrays runs.


def _copies(args):
    """Copies of `args`; an array passed twice stays one array."""
    memo = {}
    return [memo.setdefault(id(a), a.copy()) if isinstance(a, np.ndarray) else a for a in args]


def _wrt(args):
    return tuple(i for i, a in enumerate(args) if isinstance(a, (float, np.ndarray)))


def assert_refused(fn, *args):
    """s2sad refuses `fn` at `args` at run time (Python would change another name)."""
    with pytest.raises(s2sad.errors.AliasingError):
        s2sad.value_and_grad(fn, wrt=_wrt(args))(*_copies(args))


def assert_right(fn, *args, eps=1e-6, rtol=1e-4):
    """s2sad's value is Python's (dtype too) and its gradient is central finite
    differences (each call on fresh copies: these functions write into their
    arguments)."""
    wrt = _wrt(args)
    value, grads = s2sad.value_and_grad(fn, wrt=wrt)(*_copies(args))
    expected = fn(*_copies(args))
    assert value == expected and np.asarray(value).dtype == np.asarray(expected).dtype

    def on_copies(*a):
        return fn(*_copies(a))

    for g, i in zip(grads, wrt):
        numeric = s2sad.numerical_gradient(on_copies, list(args), i, eps)
        assert np.allclose(g, numeric, rtol=rtol, atol=rtol), (i, g, numeric)


# `items[i] += x` updates the item itself: with i from a loop (or an
# argument), s2sad missed that the item may be an array another name holds.

def update_list_items_in_loop(x):
    # was: the second item is `a` itself, so Python doubles `a` in place;
    # s2sad returned sum(x) instead of 2 * sum(x) (a constant index was refused)
    a = x * 1.0
    items = [x * 2.0, a]
    for i in range(2):
        items[i] += x
    return np.sum(a)


def update_list_items_in_while_loop(x):
    a = x * 1.0
    items = [a, x * 2.0]
    i = 0
    while i < 2:
        items[i] *= x
        i += 1
    return np.sum(a) + np.sum(items[0])


def update_appended_items(x):
    a = x * 1.0
    items = []
    items.append(x * 2.0)
    items.append(a)
    for i in range(len(items)):
        items[i] += x
    return np.sum(a)


def update_stored_items(x):
    a = x * 1.0
    items = [x * 2.0, x * 3.0]
    items[1] = a
    for i in range(2):
        items[i] -= x
    return np.sum(a)


def update_items_in_nested_loops(x):
    a = x * 1.0
    items = [x * 2.0, a]
    for _ in range(2):
        for i in range(2):
            items[i] += x
    return np.sum(a)


def update_item_that_views_an_array(x):
    a = x * 1.0
    items = [x[1:] * 2.0, a[1:]]
    for i in range(2):
        items[i] += x[:2]
    return np.sum(a)


def update_items_of_a_list_made_in_a_branch(x, c):
    a = x * 1.0
    items = [x * 2.0, x * 3.0]
    if c > 0.0:
        items = [x * 2.0, a]
    for i in range(2):
        items[i] += x
    return np.sum(a)


def update_item_at_an_argument_index(x, i):
    a = x * 1.0
    items = [x * 2.0, a]
    items[i] += x
    return np.sum(a)


def update_unshared_items_in_loop(x):
    items = [x * 2.0, x * 3.0]
    for i in range(2):
        items[i] += x
    return np.sum(items[0]) + np.sum(items[1])


def update_items_read_through_the_list(x):
    a = x * 1.0
    items = [x * 2.0, a]
    for i in range(2):
        items[i] += x
    return np.sum(items[1])


def update_items_read_only_by_dead_code(x):
    # (Python changes `a`, but only a value nothing uses reads it afterwards)
    a = np.tanh(x)
    items = [x * 2.0, a]
    for i in range(2):
        items[i] += x
    unused = np.sum(a) * 2.0  # noqa: F841
    return np.sum(items[1])


_X = np.array([0.1, 0.2, 0.3])
_Y = np.array([0.5, -0.7, 0.9])
_A = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])


@pytest.mark.parametrize("fn, args", [
    (update_list_items_in_loop, [_X]),
    (update_list_items_in_while_loop, [_X]),
    (update_appended_items, [_X]),
    (update_stored_items, [_X]),
    (update_items_in_nested_loops, [_X]),
    (update_item_that_views_an_array, [_X]),
    (update_items_of_a_list_made_in_a_branch, [_X, 1.0]),
    (update_item_at_an_argument_index, [_X, 1]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_list_item_updated_by_a_computed_index_is_refused(fn, args):
    assert_refused(fn, *args)


@pytest.mark.parametrize("fn, args", [
    (update_items_of_a_list_made_in_a_branch, [_X, -1.0]),
    (update_item_at_an_argument_index, [_X, 0]),
    (update_unshared_items_in_loop, [_X]),
    (update_items_read_through_the_list, [_X]),
    (update_items_read_only_by_dead_code, [_X]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_list_item_updated_by_a_computed_index_runs_unshared(fn, args):
    assert_right(fn, *args)


# f(a, a): one argument is rebound, written or renamed on some paths only
# (one side of an if, a loop that may run zero times); the guard lost the
# other argument's later names.

def rebind_one_argument_on_a_branch(x, y):
    # was: x[0] = 1.0 changes y too unless the branch rebound y; s2sad
    # returned the old sum of y (without the branch it refused)
    if np.sum(x) > 100.0:
        y = x * 2.0
    x[0] = 1.0
    return np.sum(y)


def rebind_one_argument_in_nested_ifs(x, y, c):
    if c > 0.0:
        if c > 1.0:
            y = x * 2.0
    x[0] = 1.0
    return np.sum(y)


def rebind_one_argument_on_the_else_side(x, y, c):
    if c > 0.0:
        pass
    else:
        y = y * 3.0
    x *= 2.0
    return np.sum(y)


def write_one_argument_on_a_branch(x, y, z):
    # was: f(x, a, a): y *= x changes z too; when the branch was not taken
    # s2sad returned the old sum of z
    if np.sum(x) > 100.0:
        z /= 2.0
    y *= x
    return np.sum(z)


def write_one_argument_in_a_loop_run_zero_times(x, y, n):
    # was: f(a, a, 0): the loop does not run, so x -= 1.0 changes y; s2sad
    # returned the old sum of y
    for _ in range(n):
        y += 1.0
    x -= 1.0
    return np.sum(y)


def rebind_one_argument_in_a_while_loop(x, y, n):
    i = 0
    while i < n:
        y = y + 1.0
        i += 1
    x -= 1.0
    return np.sum(y)


def name_an_argument_on_one_branch(x, y, c):
    # was: f(a, a, 5.0): v is y, so x += 1.0 changes it; s2sad returned the
    # old sum (without the branch, v = y; x += 1.0 was refused)
    if c < 1.0:
        v = x * 0.0
    else:
        v = y
    x += 1.0
    return np.sum(v)


def name_an_argument_in_a_conditional_expression(x, y, c):
    v = x * 0.0 if c < 1.0 else y
    x += 1.0
    return np.sum(v)


def view_an_argument_on_one_branch(x, y, c):
    v = x * 0.0 if c < 1.0 else y[1:]
    x += 1.0
    return np.sum(v)


def hold_an_argument_in_a_list_on_one_branch(x, y, c):
    v = [x * 0.0] if c < 1.0 else [y]
    x += 1.0
    return np.sum(v[0])


def hold_an_argument_in_a_dict_on_one_branch(x, y, c):
    v = {"k": x * 0.0} if c < 1.0 else {"k": y}
    x += 1.0
    return np.sum(v["k"])


@pytest.mark.parametrize("fn, shared, distinct", [
    (rebind_one_argument_on_a_branch, [_A, _A], [_A, _A * 2.0]),
    (rebind_one_argument_in_nested_ifs, [_X, _X, 0.5], [_X, _Y, 0.5]),
    (rebind_one_argument_on_the_else_side, [_X, _X, 1.0], [_X, _Y, 1.0]),
    (write_one_argument_on_a_branch, [np.array([0.5, -0.5, 1.0]), _A, _A],
     [np.array([0.5, -0.5, 1.0]), _A, _A * 2.0]),
    (write_one_argument_on_a_branch, [np.array([50.5, 60.5, 1.0]), _A, _A],
     [np.array([50.5, 60.5, 1.0]), _A, _A * 2.0]),
    (write_one_argument_in_a_loop_run_zero_times, [_X, _X, 0], [_X, _Y, 0]),
    (write_one_argument_in_a_loop_run_zero_times, [_X, _X, 2], [_X, _Y, 2]),
    (rebind_one_argument_in_a_while_loop, [_X, _X, 0], [_X, _Y, 0]),
    (name_an_argument_on_one_branch, [_X, _X, 5.0], [_X, _Y, 5.0]),
    (name_an_argument_in_a_conditional_expression, [_X, _X, 5.0], [_X, _Y, 5.0]),
    (view_an_argument_on_one_branch, [_X, _X, 5.0], [_X, _Y, 5.0]),
    (hold_an_argument_in_a_list_on_one_branch, [_X, _X, 5.0], [_X, _Y, 5.0]),
    (hold_an_argument_in_a_dict_on_one_branch, [_X, _X, 5.0], [_X, _Y, 5.0]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_one_array_passed_twice(fn, shared, distinct):
    assert_refused(fn, *shared)
    assert_right(fn, *distinct)


@pytest.mark.parametrize("fn, args", [
    (rebind_one_argument_on_a_branch, [_A * 100.0, _A * 100.0]),  # (y rebound first)
    (rebind_one_argument_in_nested_ifs, [_X, _X, 1.5]),
    (rebind_one_argument_on_the_else_side, [_X, _X, -1.0]),
    (rebind_one_argument_in_a_while_loop, [_X, _X, 2]),
    (name_an_argument_on_one_branch, [_X, _X, 0.0]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_one_array_passed_twice_on_a_path_that_does_not_share_it(fn, args):
    assert_right(fn, *args)


# A loop-carried array rebound to another array on some paths, and written in
# place: the write goes into that other array in a later iteration.

def write_then_rebind_in_loop_with_break(x, y, n):
    # was: v[0] = 1.0 writes w in the second iteration, after v = w; with the
    # break the gradient was 1 instead of 0 at x[0]
    w = x * 1.0
    v = x * 2.0
    for _ in range(n):
        if y > 100.0:
            break
        v[0] = 1.0
        v = w
    return np.sum(v)


def write_then_rebind_in_while_loop(x, n):
    w = x * 1.0
    v = x * 2.0
    i = 0
    while i < n:
        v[1] = 0.5
        v = w
        i += 1
    return np.sum(v) + np.sum(w)


def update_then_rebind_on_a_branch_in_loop(x, c):
    w = x * 1.0
    v = x * 2.0
    for k in range(2):
        v *= 0.5
        if c > k:
            v = w
    return np.sum(v) + np.sum(w)


def read_other_side_in_later_iteration(x):
    # was (on main too): `m = b` on the other side of the if reads, in the
    # second iteration, the array the first iteration updated through `a`
    a = x * 1.0
    b = a
    total = 0.0
    for k in range(2):
        if k == 0:
            a += 1.0
            m = a
        else:
            m = b
        total = total + np.sum(m * x)
    return total


@pytest.mark.parametrize("fn, args", [
    (write_then_rebind_in_loop_with_break, [_X, 1.0, 2]),
    (write_then_rebind_in_while_loop, [_X, 2]),
    (update_then_rebind_on_a_branch_in_loop, [_X, 0.5]),
    (update_then_rebind_on_a_branch_in_loop, [_X, 1.5]),
    (read_other_side_in_later_iteration, [_X]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_write_into_an_array_a_loop_rebound_to_is_refused(fn, args):
    assert_refused(fn, *args)


@pytest.mark.parametrize("fn, args", [
    (write_then_rebind_in_loop_with_break, [_X, 1.0, 1]),  # (w is never written)
    (write_then_rebind_in_loop_with_break, [_X, 101.0, 2]),
    (write_then_rebind_in_while_loop, [_X, 1]),
    (update_then_rebind_on_a_branch_in_loop, [_X, -1.0]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_write_into_an_array_a_loop_may_rebind_runs_unshared(fn, args):
    assert_right(fn, *args)


# `y op= v` on an array keeps y's dtype and shape (NumPy computes into y).

def add_into_float32(x):
    # was: s2sad computed a + v in float64 (0.9000000163912772 instead of
    # np.float32(0.9))
    a = x.astype(np.float32)
    a += x[0]
    return np.sum(a)


def update_float32_in_loop(x):
    a = x.astype(np.float32)
    for i in range(3):
        a *= x[i]
        a -= 0.1
    return np.sum(a)


def update_float32_on_a_branch(x, c):
    a = x.astype(np.float32)
    if c > 0:
        a /= 3.0
    else:
        a *= np.float64(0.3)
    return np.sum(a)


def update_slice_of_float32(x):
    a = x.astype(np.float32)
    a[1:] += x[:2] * 0.3
    return np.sum(a * a)


def update_float32_list_item(x):
    items = [x.astype(np.float32), x * 2.0]
    for i in range(2):
        items[i] += x
    return np.sum(items[0])


def update_int_array_by_int(x):
    y = x * 1
    y += 2
    return np.sum(y * x)


@pytest.mark.parametrize("fn, args", [
    (add_into_float32, [_X]),
    (update_float32_in_loop, [_X]),
    (update_float32_on_a_branch, [_X, 1.0]),
    (update_float32_on_a_branch, [_X, -1.0]),
    (update_slice_of_float32, [_X]),
    (update_float32_list_item, [_X]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_inplace_update_keeps_float32(fn, args):
    assert_right(fn, *args, eps=1e-3, rtol=1e-2)  # (float32 rounds at 6e-8)


def test_inplace_update_keeps_int():
    assert_right(update_int_array_by_int, np.array([1, 2, 3]))


def add_half_to_ints(x):
    y = x * 1
    y[:2] += 0.5
    return np.sum(y * y)


def add_bigger_array(x):
    y = x * 1.0
    y += np.ones((2, 3))
    return np.sum(y)


@pytest.mark.parametrize("fn, args", [
    (add_half_to_ints, np.array([1, 2, 3])),
    (add_bigger_array, _X),
], ids=lambda v: getattr(v, "__name__", ""))
def test_inplace_update_raises_what_numpy_raises(fn, args):
    with pytest.raises(Exception) as python:
        fn(args.copy())
    with pytest.raises(type(python.value), match=re.escape(str(python.value))):
        s2sad.grad(fn)(args.copy())


def scale_and_shift(x):
    y = x * 2.0
    y *= x
    y += 1.0
    return np.sum(y)


def helper_updating_on_one_branch(a, c):
    if np.mean(a) * c <= -1.0:
        w = a[:1, None] * 2.0
    else:
        v = np.arccosh(1.0)
        v += np.sum(a)
        w = np.reshape(v, (1, 1))
    return w


def call_helper_updating_on_one_branch(x, c):
    # (seed 3302873: the helper's halves bind `v` to None on the other path,
    # a second definition the emitter took for `v += ...`)
    return np.sum(helper_updating_on_one_branch(x, c) * x)


@pytest.mark.parametrize("c", [1.0, -100.0])
def test_inplace_update_in_a_helper_on_one_branch(c):
    assert_right(call_helper_updating_on_one_branch, _X, c)


def test_inplace_update_of_an_unshared_array_is_written_as_such():
    source = s2sad.show(scale_and_shift)
    assert "y_1 += 1.0" in source
    assert "y_1 = augmented(y, '*=', x)" in source  # (the backward pass reads the old y)
    assert_right(scale_and_shift, _X)



def update_item_of_unpacked_tuple(x, y):
    # was: `a` and `b` come out of one tuple, so the aliasing guard took them
    # for views of one array and refused the update.
    a, b = np.tile(y, (2, 1)), x
    a *= 2.0
    return np.sum(b) + np.sum(a)


def test_inplace_update_after_tuple_unpacking():
    s2sad.check_grad(update_item_of_unpacked_tuple, np.array([0.3, 0.5]),
                     np.array([1.0, 2.0, 3.0]), wrt=(0, 1))


def divide_reshaped_copy(x):
    # was: np.reshape of a transposed (2, 3) array copies; the copy has a
    # `.base` (reshape's temporary), which the guard took for a view of x.
    # The guard now asks whether the memory overlaps x's.
    v = np.reshape(x.T, (-1, 3))
    v /= 2.0
    return np.sum(x) + np.sum(v)


def test_inplace_update_of_a_reshaped_copy():
    s2sad.check_grad(divide_reshaped_copy, np.arange(6.0).reshape(2, 3) * 0.2)


def recompute_from_view_in_loop(x):
    # was: the tape kept the view v[0], and the backward pass recomputed cos's
    # operand from it before putting back what `v[0] *= 0.5` overwrote (so it
    # differentiated cos at the halved values); views of written arrays are
    # now taped as copies.
    v = x * 1.0
    total = 0.0
    for _ in range(1):
        total = total + np.sum(np.cos(v[0] + 0.0))
        v[0] *= 0.5
    return total


def update_slice_from_overlapping_slice_in_loop(z):
    # The same with a slice updated from an overlapping slice of itself.
    a = z * 1.0
    for _ in range(1):
        a[:, 1:] *= np.tanh(a[:, :2])
    return np.mean(a)


def scale_rows_in_loop(x):
    # ... and the plain row-by-row update (row i is a (1,) view of acc).
    acc = np.mean(x, axis=1, keepdims=True)
    for i in range(2):
        acc[i] *= np.tanh(acc[i])
    return np.sum(acc)


@pytest.mark.parametrize("fn, args", [
    (recompute_from_view_in_loop, (np.array([[1.69, -1.97, -1.32]]),)),
    (update_slice_from_overlapping_slice_in_loop,
     (np.array([[0.3, -0.8, 1.1], [0.5, 0.9, -1.3]]),)),
    (scale_rows_in_loop, (np.array([[1.55, -1.53, -1.43], [-0.40, -1.24, -0.52]]),)),
], ids=["view", "overlapping-slice", "rows"])
def test_item_assignment_in_loop_after_a_read(fn, args):
    s2sad.check_grad(fn, *args)


def elif_value_then_rebound(x):
    # was: tanh's adjoint in the elif chain read `v` after `v = v + 1.0`
    # (the name-sharing check did not follow nested ifs).
    if x > 1.0:
        v = 0.0
    elif x > 2.0:
        v = 0.0
    else:
        v = np.tanh(x)
    v = v + 1.0
    return v


def test_elif_value_rebound_later():
    s2sad.check_grad(elif_value_then_rebound, -1.264)


def copy_then_update_in_loop(x):
    # was: the forward value was wrong: `s = s + 1.0` overwrote the name s
    # while the loop still had to copy s's old value into z (3.6, not 2.6).
    z = x
    s = x * 2.0
    for _ in range(3):
        z = s
        s = s + 1.0
    return z


def test_copy_then_update_in_loop_value():
    value, gradient = s2sad.value_and_grad(copy_then_update_in_loop)(0.3)
    assert gradient == pytest.approx(2.0)
    assert value == pytest.approx(copy_then_update_in_loop(0.3))


def branch_value_then_rebound(x, c):
    # was: the backward pass of np.exp in the else branch read `s` for `ans`
    # after `s` was rebound: the gradient came out as (e^x + 1), not e^x
    if c > 0:
        s = 1.0
    else:
        s = np.exp(x)
    s = s + 1.0
    return np.sum(s)


def conditional_expression_then_loop(x):
    # was: the same through a conditional expression and a loop
    a = 1.0 if x > 5.0 else np.tanh(x)
    for _ in range(2):
        a = a ** 2
    return a


def max_then_rebound(x):
    # was: the same with np.max, whose adjoint then found no entry equal to
    # `ans`: a NaN gradient
    s = 0.0 if np.sum(x) > 100.0 else np.max(x)
    s = s + 1.0
    return s


def item_assignment_before_loop(x):
    # was: after an item assignment, the loop stopped saving the per-iteration
    # values of `v` on its tape (the backward pass used the final `v`)
    v = x ** 2
    v[1] -= 1.0
    for _ in range(2):
        v = v / np.tanh(v) ** 2
    return np.sum(v)


def item_assignment_in_loop(x):
    # was: the same with the item assignment inside the loop
    acc = x * 1.0
    for _ in range(2):
        acc = np.sin(acc)
        acc[0] += 1.0
    return np.sum(acc)


def item_assignment_after_loop(x):
    # was: the same with the item assignment after the loop
    a = x * 1.0
    for _ in range(2):
        a = np.tanh(a)
    a[0] = 1.0
    return np.sum(a)


def sum_of_list_with_a_constant(x):
    # was: the adjoint of the list [x, x, 1.0] was unpacked into two names
    return np.sum([x, x, 1.0])


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
    (branch_value_then_rebound, (np.array([0.3, -0.5]), -1.0)),
    (conditional_expression_then_loop, (0.4,)),
    (max_then_rebound, (np.array([0.3, 0.5, -0.2]),)),
    (item_assignment_before_loop, (np.array([0.9, 1.3]),)),
    (item_assignment_in_loop, (np.array([[0.7], [0.4]]),)),
    (item_assignment_after_loop, (np.array([[0.0, 0.2, 0.4], [0.6, 0.8, 1.0]]),)),
    (sum_of_list_with_a_constant, (0.4,)),
    (inplace_in_loop_then_view, (np.array([0.5, -1.5]),)),
    (second_of_pair, (np.arange(6.0).reshape(2, 3),)),
    (full_of, (0.3,)),
], ids=lambda v: v.__name__ if callable(v) else "")
def test_fixed(fn, args):
    s2sad.check_grad(fn, *args)


def accumulate_from_a_sum(x):
    # was: `acc` enters the loop as a number and leaves it as an array; the
    # adjoint of its first value was not summed back to a number (a crash in
    # np.sum's adjoint)
    acc = np.sum(x)
    for _ in range(2):
        acc = acc + x
    return np.sum(acc)


def column_grows_to_matrix(x):
    # was: the same from (2, 1) to (2, 3): the (2, 1) adjoint was broadcast
    # to (2, 3) and then summed, which counted it three times
    s = np.sum(x) * np.ones((2, 1))
    a = s
    for _ in range(1):
        a = x / s
    return np.sum(a)


X3 = np.array([-1.5, 0.65, -0.63])


def test_loop_carried_value_grows_from_a_number():
    s2sad.check_grad(accumulate_from_a_sum, X3)


def test_loop_carried_value_grows_from_a_column():
    s2sad.check_grad(column_grows_to_matrix, X3)


HELPER_MODULE = """import numpy as np


def helper(x):
    return x * {scale}


def f(x):
    return np.sum(helper(x))
"""


def _import(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_same_function_text_in_two_modules(tmp_path):
    # was: the gradient cache was keyed on the code object, and code objects
    # from two files with the same text compare equal, so the second module
    # got the first one's gradient (found when the fuzzer did not clear
    # s2sad's cache between programs)
    first, second = tmp_path / "fuzz_cache_first.py", tmp_path / "fuzz_cache_second.py"
    first.write_text(HELPER_MODULE.format(scale="2.0"))
    second.write_text(HELPER_MODULE.format(scale="3.0"))
    a, b = _import(first), _import(second)
    x = np.ones(2)
    assert s2sad.grad(a.f)(x) == pytest.approx([2.0, 2.0])
    assert s2sad.grad(b.f)(x) == pytest.approx([3.0, 3.0])


# ------------------------------------------- from the 10,000-program run's failures


def rebound_in_loop_then_written_in_loop(z):
    # seed 100304. was: `acc` takes a new array each iteration of the first
    # loop, and the second loop writes its final array in place; the first
    # loop's values were taken for that one array and not taped (dz wrong)
    acc = np.ones((2, 1))
    for _ in range(2):
        acc *= z
    for _ in range(2):
        acc[1, 0] -= 1.0
    return np.sum(acc)


def rebound_on_one_branch_then_written(x):
    # seed 101114. was: the same when only one branch rebinds the array
    acc = np.ones((2, 3))
    n = 0
    while n < 2:
        if x > 1.0 and n < 1:
            break
        acc *= x
        n += 1
    acc[:, 1:] = x
    return np.sum(acc)


def list_holding_a_written_array(x):
    # seed 101684. was: the list [acc] was taped by reference, so the backward
    # pass saw acc after later writes; lists of written arrays are now copied
    acc = np.tile(x, 2)
    for i in range(3):
        acc[i] = np.sum(np.tanh([acc for j in range(2) if j != 1]))
    return np.sum(acc)


def written_copy_from_a_tuple(x, y):
    # seeds 100141, 100450, 100474, 100680, 101163, 101461. was: AliasingError
    # for items of a tuple that share no memory (np.tile and np.repeat return
    # arrays with a `.base`, reshape may copy)
    a, b = (np.tile(y, (2, 1)), x)
    c, d = (np.repeat(x, 2).reshape(2, 3).transpose(), np.tanh(y)[:2])
    a /= 2.0
    c += 1.0
    d *= 3.0
    return np.sum(a) + np.sum(b) + np.sum(c * c) + np.sum(d)


def two_new_arrays(a):
    return np.arctan(a).reshape(3), np.copy(a)[:2]


def written_item_of_a_helpers_tuple(x):
    # seeds 101822, 103846. was: the same for a tuple returned by a helper
    u, v = two_new_arrays(x)
    u += 1.0
    v -= 0.5 * v
    return np.sum(u * u) + np.sum(v)


def divide_by_carried_value(z):
    # seed 109759. was: in the backward loop, `dacc / acc` was written inline
    # into dz's update after dacc (one name for the carried adjoint) had been
    # reassigned, so dz used the next iteration's adjoint
    acc = 1.0
    n = 0
    while z < 4.0 and n < 3:
        acc = np.arctan(z) / acc
        n += 1
    return acc


@pytest.mark.parametrize("fn, args", [
    (divide_by_carried_value, (1.38,)),
    (divide_by_carried_value, (np.array(1.38),)),
    (rebound_in_loop_then_written_in_loop, (-0.25,)),
    (rebound_on_one_branch_then_written, (-1.45,)),
    (rebound_on_one_branch_then_written, (1.3,)),
    (list_holding_a_written_array, (np.array([0.04, -0.6]),)),
    (written_copy_from_a_tuple, (np.array([0.3, -0.5, 0.9]), np.array([1.0, 2.0, 3.0]))),
    (written_item_of_a_helpers_tuple, (np.array([0.2, -0.7, 1.1]),)),
], ids=lambda v: v.__name__ if callable(v) else "")
def test_fuzz_run_failure(fn, args):
    s2sad.check_grad(fn, *args, wrt=tuple(range(len(args))))


# ------------------------------------------- found by an adversarial review


def read_appended_item_only(x):
    # was: a crash (None + float): the list display's unread item had a None
    # adjoint, taken with a plain index
    items = [x]
    items.append(x * 2.0)
    return np.sum(items[1])


def read_joined_item_only(x):
    # was: a crash in unbroadcast: `items + [...]` was differentiated as a
    # broadcasting add, not a concatenation
    items = [x]
    items = items + [x * 2.0]
    return np.sum(items[0] * items[1])


def grows_by_broadcasting_each_iteration(x):
    # was: twice the gradient: the carried adjoint was taken to have the phi's
    # first shape, so `+ acc`'s adjoint was not summed back to it
    acc = x
    for _ in range(2):
        acc = acc * np.ones(3) + acc
    return np.sum(acc)


@pytest.mark.parametrize("fn", [read_appended_item_only, read_joined_item_only,
                                grows_by_broadcasting_each_iteration],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [0.8, np.array(0.8), np.array([0.8]), np.array([0.3, -0.5, 0.9])],
                         ids=["float", "0-d", "(1,)", "(3,)"])
def test_review_found(fn, x):
    s2sad.check_grad(fn, x)


PERMUTATION = {0: 2, 1: 0, 2: 1}


def iterate_int_keyed_dict(x):
    # was: a wrong value: `for i in d` went through the dict's values
    s = 0.0
    for i in PERMUTATION:
        s = s * 0.5 + x[i]
    return s


def iterate_dict_keys_and_items(x):
    # was: KeyError 0 in generated code; .items() and .values() were refused
    d = {"a": x, "b": 2.0 * x}
    s = 0.0
    for k in d:
        s = s + np.sum(d[k] ** 2)
    for _key, v in d.items():
        s = s + np.sum(v * x)
    for v in d.values():
        s = s + np.sum(np.sin(v))
    return s


def max_and_min_of_numbers(x):
    # was: refused (no rule for the builtins)
    a, b = np.sum(x), np.sum(x * x) - 1.0
    return max(a, b) * min(a * 2.0, b)


def extend_with_a_display(x):
    # was: a crash (IndexError in the reverse pass)
    items = [x[0]]
    items.extend([x[1], x[2] * 2.0])
    return items[2] * items[0]


def carry_tuple_of_mixed_shapes(x):
    # was: a crash in unbroadcast: np.shape of a tuple of an array and a number
    t = (x, 0.0)
    for _ in range(2):
        t = (t[0] * 2.0, t[1] + 1.0)
    return np.sum(t[0]) * t[1]


@pytest.mark.parametrize("fn", [iterate_int_keyed_dict, iterate_dict_keys_and_items,
                                max_and_min_of_numbers, extend_with_a_display,
                                carry_tuple_of_mixed_shapes], ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [np.array([0.3, -0.7, 1.2]), np.array([-0.9, 0.4, 0.25])],
                         ids=["x1", "x2"])
def test_review_found_containers(fn, x):
    s2sad.check_grad(fn, x)
    assert s2sad.value_and_grad(fn)(x)[0] == pytest.approx(fn(x.copy()))


# ------------------------------------------- found by a third review


def extend_in_loop(x):
    # was: the loop dropped `extend` (only `append` counted as assigning the list)
    items = []
    for i in range(3):
        items.extend([x, x * i])
    return np.sum(sum(items))


def join_in_loop_then_read_two(x):
    # was: `lst + [...]` on a loop-carried list was taken for an array add
    items = [x[0]]
    for _ in range(2):
        items = items + [x[1]]
    return items[0] * 10.0 + items[2]


def rotate_list(x):
    # was: slices of a list were not known to be lists
    items = [x[0], x[1]]
    for _ in range(2):
        items = items[1:] + items[:1]
    return items[0] * 10.0 + items[1]


def rnn_states_joined(x):
    # was: a crash (inhomogeneous shape) in the add adjoint of a list of arrays
    w = np.array([[0.5, -0.2], [0.1, 0.3]])
    states = [x[:2]]
    for _ in range(3):
        states = states + [np.tanh(w @ states[-1])]
    return np.sum(states[-1]) + np.sum(states[1])


def repeated_fancy_write(x):
    # was: every duplicate index got the gradient; NumPy keeps the last write
    out = np.zeros(3)
    out[[0, 0, 2]] += x
    return out[0] * 3.0 + out[2]


def previous_row_in_dp(x):
    # was: refused: `prev` (a view of the last row) is carried by the loop but
    # never read after the row is written
    table = np.zeros((3, 3))
    table[0] = x
    for i in range(1, 3):
        prev = table[i - 1]
        table[i] = np.tanh(prev * 2.0) + x
    return np.sum(table)


@pytest.mark.parametrize("fn", [extend_in_loop, join_in_loop_then_read_two, rotate_list,
                                rnn_states_joined, repeated_fancy_write, previous_row_in_dp],
                         ids=lambda f: f.__name__)
def test_third_review_found(fn):
    x = np.array([0.3, -0.7, 1.2])
    s2sad.check_grad(fn, x)
    assert s2sad.value_and_grad(fn)(x)[0] == pytest.approx(fn(x.copy()))


def join_two_list_arguments(a, b):
    # was: a zero gradient: `a + b` of two list arguments was an array add
    c = a + b
    return c[0] * 10.0 + c[2]


def test_list_arguments_joined():
    value, (da, db) = s2sad.value_and_grad(join_two_list_arguments, wrt=(0, 1))([1.0, 2.0],
                                                                             [3.0, 4.0])
    assert value == 13.0 and da == [10.0, 0.0] and db == [1.0, 0.0]


def written_by_nested_loop_after_continue(x, y):
    # seed 502323. was: the outer loop taped a copy of `acc`, so the nested
    # loop's restores went into the copy and tanh's adjoint read a changed array
    acc = np.tanh(x * 1.0)
    for i in range(2):
        if y > 0.0 and i >= 1:
            continue
        n = 0
        while n < 2:
            acc[1] -= 1.0
            n = n + 1
        acc = acc + y
    return np.sum(acc)


@pytest.mark.parametrize("y", [-0.7, 0.7])
def test_written_by_nested_loop_after_continue(y):
    s2sad.check_grad(written_by_nested_loop_after_continue, np.array([[0.35], [1.7]]), y,
                     wrt=(0, 1))


def made_in_loop_written_by_nested_loop(x, y):
    # seed 703697. was: the array made each outer iteration and written by the
    # inner loop was read by its name in the backward pass: the last one
    total = 2.0
    for _ in range(2):
        row = np.mean(y) + x
        for i in range(3):
            row[i] *= np.min(y)
        total -= np.cross(row, x)
    return np.sum(total)


def test_made_in_loop_written_by_nested_loop():
    s2sad.check_grad(made_in_loop_written_by_nested_loop, np.array([-0.98, -0.35, 1.58]),
                     np.array([[1.17, 1.12, -1.8], [0.7, -1.39, -0.27]]), wrt=(0, 1))


# ------------------------------------------- found by a fourth review


def repeated_list(x):
    # was: `[x] * 2` differentiated as multiplication: one copy's gradient lost
    items = [x, 2.0 * x] * 2
    return np.sum(items[3]) * np.sum(items[0])


def repeated_tuple_in_place(x):
    t = (x,) * 2
    items = [x]
    items *= 2
    return np.sum(t[0] * t[1]) + np.sum(items[1])


def written_into_integer_array(x):
    # was: NumPy truncates the value; its gradient (zero) was taken for one
    m = np.zeros(2, dtype=int)
    m[0] = x[0] * 3.0
    return np.sum(m) + x[1]


def converted_to_integers(x):
    # was: astype(int) / np.array(..., dtype=int) passed the gradient through
    return np.sum(x.astype(int)) + np.sum(np.array(x, dtype=int) * x)


@pytest.mark.parametrize("fn", [repeated_list, repeated_tuple_in_place,
                                written_into_integer_array, converted_to_integers],
                         ids=lambda f: f.__name__)
def test_fourth_review_found(fn):
    x = np.array([0.37, 1.3])
    s2sad.check_grad(fn, x)
    assert s2sad.value_and_grad(fn)(x)[0] == pytest.approx(fn(x.copy()))


def integers_stay_real(n):
    # integer arguments still count as real numbers where nothing truncates
    m = n.copy()
    m[0] = n[1]
    return np.sum(m * n) + np.sum(np.asarray(n) ** 2)


def test_integer_argument_copied_and_written_counts_as_real():
    np.testing.assert_allclose(s2sad.grad(integers_stay_real)(np.array([3, 5, 7])),
                               [11.0, 23.0, 28.0])
