"""Minimal repros of forward-mode and second-order failures the program fuzzer
found (scripts/fuzz.py checks jvp against the gradient and Hessian-vector
products against finite differences of the gradient). Each is checked by the
dot-product test and, where a Hessian was wrong, against differences of grad."""

from __future__ import annotations

import math

import numpy as np
import pytest

import s2sad


def tangent_written_through_a_loop(x, y):
    # x * 1.0's tangent is x's: the writes into acc5 must not reach the tangent
    # of x the caller passed (they did, and the jvp was wrong)
    v1 = x.sum()
    acc5 = x * 1.0
    for _ in range(2):
        acc5[1] -= np.sum(y)
        acc5 *= 1.0
    return v1 + np.sum(acc5 ** 2)


def written_result_of_an_inlined_helper(x, y):
    def g8(p9, p10):
        return -x.reshape(3, 2)
    v12 = g8(x, (3, 2))
    v12[:, 1] = np.sum(x, axis=0)  # (the array written had no name in forward mode)
    return np.sum(x) + np.sum(v12 * y)


def view_of_a_written_array(x):
    x = np.arctan(x)
    d = {"p": 1.0 + x.reshape(-1)}
    x[0] *= np.tanh(1.0)  # changes x, not d["p"]: nor their tangents
    return np.sum(d["p"] ** 2) + np.sum(x)


def buffer_made_in_an_outer_loop(x, y):
    acc7 = 0.0
    for _ in range(2):
        acc9 = np.sum(y) + x
        for i in range(3):
            acc9[i] *= np.min(y)
        acc7 = acc7 + acc9 * x
    return np.sum(acc7)


def flattened_then_written(x, y):
    acc = np.sum(y) * x * np.ones((2, 1))
    for _ in range(1):
        acc[:, 0] -= acc.flatten() ** 2 * y[1:]
    return np.sum(acc)


def accumulated_into_a_broadcast(x):
    v = np.maximum(x[:, -1:], np.sum(x, 0))
    return np.sum(x) + np.sum(np.sin(v))


def made_anew_and_written_in_a_nested_loop(x, y):
    # (the backward pass tapes acc by reference and restores the inner loop's
    # writes; forward mode over it took its tangent as zeros, so the Hessian
    # lost every term through acc: 0 where 0.53 is right)
    n = 0
    while n < 3:
        n += 1
        acc = np.zeros((3,))
        s = np.mean(x) * y[0]
        while s < 1.0:
            acc[1:] = s
            s = np.exp(np.dot(acc, [1.0, 1.0, 1.0]))
        out = np.inner(acc, acc)
    return out


RNG = np.random.default_rng(3)
CASES = [
    (tangent_written_through_a_loop, (RNG.normal(size=3), RNG.normal(size=(2, 1)))),
    (written_result_of_an_inlined_helper, (RNG.normal(size=(2, 3)), RNG.normal(size=(3, 2)))),
    (view_of_a_written_array, (RNG.normal(size=(2, 3)),)),
    (buffer_made_in_an_outer_loop, (RNG.normal(size=3), RNG.normal(size=(2, 3)))),
    (flattened_then_written, (0.3, RNG.normal(size=3))),
    (accumulated_into_a_broadcast, (RNG.normal(size=(3, 2)),)),
    (made_anew_and_written_in_a_nested_loop, (np.array([0.3, -0.2, 0.1]), np.array([1.2]))),
]


@pytest.mark.parametrize("fn, args", CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_forward_mode_and_hessian(fn, args):
    wrt = tuple(range(len(args)))
    directions = tuple(RNG.normal(size=np.shape(a)) if np.ndim(a) else 0.7 for a in args)
    kept = [np.copy(d) for d in directions]
    _, tangent = s2sad.jvp(fn, [np.copy(a) for a in args], directions)
    for before, after in zip(kept, directions):
        np.testing.assert_array_equal(before, after)  # the caller's tangents are left alone
    grads = s2sad.grad(fn, wrt=wrt)(*args)
    assert tangent == pytest.approx(sum(float(np.sum(g * d)) for g, d in zip(grads, directions)))
    ours = s2sad.hvp(fn, wrt=wrt)(*args, directions)
    eps = 1e-5
    plus = s2sad.grad(fn, wrt=wrt)(*[a + eps * d for a, d in zip(args, directions)])
    minus = s2sad.grad(fn, wrt=wrt)(*[a - eps * d for a, d in zip(args, directions)])
    for h, p, m in zip(ours, plus, minus):
        np.testing.assert_allclose(h, (p - m) / (2 * eps), rtol=1e-5, atol=1e-6)


def slogdet_in_a_loop(x):
    s = 0
    acc = x
    for _ in range(2):
        if np.linalg.slogdet(np.eye(2))[1] <= 1.0:  # a namedtuple result, read by index
            return s + np.sum(acc)
        acc = np.tanh(acc)
    return np.sum(acc)


def test_hessian_through_a_namedtuple_result_in_a_loop():
    """Fuzz seed 6101260: the zero tangent of slogdet's namedtuple result was
    rebuilt as that namedtuple from a generator (TypeError)."""
    x = np.array([1.6, -0.98, -0.98])
    np.testing.assert_array_equal(s2sad.hvp(slogdet_in_a_loop)(x, np.ones(3)), np.zeros(3))
    np.testing.assert_array_equal(s2sad.grad(slogdet_in_a_loop)(x), np.ones(3))


def view_chosen_by_a_branch_then_written(x):
    v0 = np.where(np.diff(x) > 1.0, np.mean(x, axis=1, keepdims=True), x[:, 1])
    p = (0 if 1.0 < 1.0 else v0[::1]) + 0.0  # a fresh array, made from a branch's view
    v0[:, 1] -= x[:, 1]  # written after: p keeps its values
    return np.sum(p)


def test_a_write_reaches_a_branch_result_viewing_the_array():
    """Fuzz seed 6301619: the tangent of `view + 0.0` (a fresh array) was the
    branch result's tangent itself, a view of the tangent the later in-place
    write changed: jvp gave half the derivative."""
    x = np.array([[0.0149, -0.5429, -0.0411], [0.4418, -1.8128, -1.626]])
    d = np.random.default_rng(1).standard_normal(x.shape)
    _, tangent = s2sad.jvp(view_chosen_by_a_branch_then_written, (x,), (d,))
    grad = s2sad.grad(view_chosen_by_a_branch_then_written)(x)
    np.testing.assert_allclose(tangent, np.sum(grad * d), rtol=1e-12)
    h = 1e-6
    fd = (view_chosen_by_a_branch_then_written(x + h * d)
          - view_chosen_by_a_branch_then_written(x - h * d)) / (2 * h)
    np.testing.assert_allclose(tangent, fd, rtol=1e-6)


def copy_then_write(z):
    a = z * np.ones((2, 2))
    b = a.astype(float)  # (a copy: NumPy's astype copies by default)
    c = a.T.reshape(4)  # (a copy too: a.T is not contiguous)
    a[:, 0] = 0.0
    return np.sum(b) + np.sum(c)


def test_a_copy_made_by_an_operation_that_may_view_keeps_its_own_tangent():
    value, tangent = s2sad.jvp(copy_then_write, (0.7,), (1.0,))
    assert value == pytest.approx(8 * 0.7) and tangent == pytest.approx(8.0)


def rebound_by_one_inner_loop_written_by_another(x):
    # (the array the second inner loop writes is the first one's result, a
    # new array each outer iteration: its restores reached only the last one)
    s = 0.0
    for _ in range(2):
        a = x * 1.0
        for _ in range(1):
            a = a * 1.0
            s = s + a @ x
        for _ in range(1):
            a[0] = 2.0
    return s


def rebound_then_written_under_a_branch(x):
    a = np.ones(3)
    s = 0.0
    for i in range(3):
        for _ in range(2):
            a = a * np.cos(x)
            s = s + np.sum(a * x)
        for _ in range(1):
            if s > -10.0:
                a[1] = np.sin(s) * x[i]
    return s + np.sum(a)


@pytest.mark.parametrize("fn", [rebound_by_one_inner_loop_written_by_another,
                                rebound_then_written_under_a_branch])
def test_arrays_made_anew_by_a_nested_loop_are_restored_each_iteration(fn):
    x = np.array([0.87, 0.54, 0.34])
    s2sad.check_grad(fn, x)
    if fn is rebound_by_one_inner_loop_written_by_another:
        np.testing.assert_allclose(s2sad.grad(fn)(x), 4 * x)
    v = np.array([1.0, -0.5, 0.25])
    eps = 1e-5
    expected = (s2sad.grad(fn)(x + eps * v) - s2sad.grad(fn)(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(s2sad.hvp(fn)(x, v), expected, rtol=1e-5, atol=1e-6)


def reads_a_0d_array(x):
    return x[...] ** 3 + x[()] * 2.0 * x


def test_second_derivatives_of_a_0d_array_argument():
    """The direction of a 0-d array argument is a 0-d array (it was the float
    1.0, which the code indexes: TypeError), and an adjoint held as a number
    takes an item added at an index."""
    x = np.array(1.5)
    # (the first derivative too: x[...]'s adjoint was added into a NumPy number)
    assert float(s2sad.grad(reads_a_0d_array)(x)) == pytest.approx(3 * 1.5 ** 2 + 4 * 1.5)
    for second in (s2sad.hessian(reads_a_0d_array), s2sad.grad(s2sad.grad(reads_a_0d_array)),
                   s2sad.jacobian(s2sad.grad(reads_a_0d_array))):
        assert float(second(x)) == pytest.approx(6 * 1.5 + 4.0)


# ---------------------------------------------------------------- through a helper's halves


def product_of(x, y):
    return x * y


def through_a_helper(x, y):
    return product_of(x, y)


def squashed_product(w, X):
    return np.sum(np.tanh(product_of(X, w)))


def test_mixed_second_derivatives_through_a_helper():
    """d/dy of the gradient in x: the helper's forward layer moves y, which
    its reverse pass does not (the call passed tangents for the reverse's
    arguments only, and the derivative came out 0)."""
    assert s2sad.grad(s2sad.grad(through_a_helper, wrt=0), wrt=1)(1.3, 0.7) == 1.0
    assert s2sad.jvp(s2sad.grad(through_a_helper, wrt=0), (1.3, 0.7), (0.0, 1.0))[1] == 1.0
    w, X = np.array([0.3, -0.2, 0.5]), np.arange(9.0).reshape(3, 3) / 9.0 - 0.4
    expected = np.array([s2sad.numerical_gradient(
        lambda X, k=k: s2sad.grad(squashed_product)(w, X)[k], (X,), 0) for k in range(3)])
    assert np.abs(expected).max() > 0.5
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(
            s2sad.jacobian(s2sad.grad(squashed_product, wrt=0), wrt=1, mode=mode)(w, X),
            expected, atol=1e-6)


def power_of(x, p):
    return x ** p


def upper_band(x, k):
    return np.triu(x, k=k)


def cubed_through_a_helper(x):
    return np.sum(power_of(x, 3))


def banded_through_a_helper(x):
    return np.sum(upper_band(x, 1) ** 2 * x)


def test_what_a_helper_saves_without_a_tangent_has_none_in_its_backward_half():
    """The exponent 3 a helper saves for its backward half had a tangent of
    zeros there: 0 * log(-0.5) made the Hessian nan, and np.triu's k was
    refused ('no tangent with respect to k')."""
    x = np.array([-0.5, 1.0])
    np.testing.assert_allclose(s2sad.hessian(cubed_through_a_helper)(x), np.diag(6 * x))
    np.testing.assert_allclose(s2sad.hvp(cubed_through_a_helper)(x, np.array([1.0, 0.0])),
                               [-3.0, 0.0])
    a = np.arange(9.0).reshape(3, 3) / 4.0 - 1.0
    hessian = s2sad.hessian(banded_through_a_helper)(a).reshape(9, 9)
    expected = np.array([s2sad.numerical_gradient(
        lambda b, k=k: s2sad.grad(banded_through_a_helper)(b).ravel()[k], (a,), 0).ravel()
        for k in range(9)])
    assert np.abs(expected).max() > 1.0
    np.testing.assert_allclose(hessian, expected, atol=1e-5)


def imaginary_root(x):
    return ((-x) ** 0.5).imag  # (Python's power of a negative float is complex)


def test_the_curvature_of_a_complex_power_of_a_negative_float():
    """pow_base_curvature took NumPy's float power (nan) where g was complex."""
    assert s2sad.grad(imaginary_root)(2.0) == pytest.approx(0.5 * 2.0 ** -0.5)
    assert s2sad.hessian(imaginary_root)(2.0) == pytest.approx(-0.25 * 2.0 ** -1.5)


# ---------------------------------------------------------------- an outside review of forward mode


def written_by_helper(buf, v):
    buf[1] = v


def fills_through_a_helper(x):
    b = np.zeros(3)
    written_by_helper(b, x * 3.3)
    return np.sum(b * x ** 2)


def test_a_helper_writing_into_its_argument_is_refused_in_forward_mode_too():
    """Forward mode ran the helper on a copy: the caller's array kept its
    zeros, and value and tangent came out 0 (reverse mode refused)."""
    for run in (lambda: s2sad.jvp(fills_through_a_helper, (1.37,), (1.0,)),
                lambda: s2sad.linearize(fills_through_a_helper, 1.37)[1](1.0),
                lambda: s2sad.grad(fills_through_a_helper)(1.37)):
        with pytest.raises((s2sad.AliasingError, s2sad.UnsupportedSyntaxError),
                           match="the argument buf|changes b,"):
            run()


def truncated_into_integers(x):
    b = np.zeros(3, dtype=int)
    b[1] = x * 3.3  # (NumPy truncates: a derivative of 0 through it)
    return np.sum(b * x ** 2)


def arange_written_into(x):
    b = np.arange(3.0)
    b[0] = x[0] * x[1]
    return np.sum(b * x)


def test_forward_mode_writes_and_buffers():
    """An integer array's write passed the value's tangent on (jvp 17.15 for
    10.96); an np.arange buffer written into was refused ('start_or_stop=')
    where no derivative reaches np.arange."""
    x = 1.37
    assert s2sad.jvp(truncated_into_integers, (x,), (1.0,))[1] == pytest.approx(8 * x)
    assert s2sad.hessian(truncated_into_integers)(x) == pytest.approx(8.0)
    y = np.array([0.4, -0.7, 1.1])
    grad = s2sad.grad(arange_written_into)(y)
    np.testing.assert_allclose(grad, s2sad.numerical_gradient(arange_written_into, (y,), 0),
                               atol=1e-7)
    np.testing.assert_allclose(s2sad.jvp(arange_written_into, (y,), (y,))[1], grad @ y)
    expected = np.array([[2 * y[1], 2 * y[0], 0.0], [2 * y[0], 0.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(s2sad.hessian(arange_written_into)(y), expected)


def total_of_tree(t):
    if isinstance(t, dict):
        return total_of_tree(t["a"]) + total_of_tree(t["b"])
    return np.sum(t ** 3)


def cubes_of_a_dict(x):
    return total_of_tree({"a": x, "b": np.sin(x)})


def test_second_derivatives_of_a_recursion_over_a_dict():
    """The parameter is a dict on one path and an array on the other: its
    adjoints were added with `+` (dict + dict: TypeError)."""
    x = np.array([0.3, -0.5, 1.1])
    expected = np.array([s2sad.numerical_gradient(
        lambda y, k=k: s2sad.grad(cubes_of_a_dict)(y)[k], (x,), 0) for k in range(3)])
    np.testing.assert_allclose(s2sad.hessian(cubes_of_a_dict)(x), expected, atol=1e-6)
    tree = {"a": x, "b": x}
    product = s2sad.hvp(total_of_tree)(tree, {"a": x, "b": 2 * x})
    np.testing.assert_allclose(product["a"], 6 * x * x)
    np.testing.assert_allclose(product["b"], 12 * x * x)


@s2sad.custom_jvp
def softplus_at(x, beta=1.0):
    return np.log1p(np.exp(beta * x)) / beta


@softplus_at.defjvp
def _softplus_at_jvp(primals, tangents):
    x, beta = primals  # (JAX's: the defaults too)
    return softplus_at(x, beta), tangents[0] / (1 + np.exp(-beta * x))


def softplus_by_keyword(x):
    return np.sum(softplus_at(x, beta=2.0) ** 2)


def softplus_by_default(x):
    return np.sum(softplus_at(x) ** 2)


@pytest.mark.parametrize("f, beta", [(softplus_by_keyword, 2.0), (softplus_by_default, 1.0)])
def test_a_tangent_rule_gets_every_parameter_in_order(f, beta):
    """The rule's primals left out defaults, and a keyword argument was
    refused, where JAX binds both."""
    x = np.array([0.3, -0.8])
    value = np.log1p(np.exp(beta * x)) / beta
    expected = 2 * value / (1 + np.exp(-beta * x))
    np.testing.assert_allclose(s2sad.jvp(f, (x,), (np.ones(2),))[1], np.sum(expected))
    np.testing.assert_allclose(s2sad.jacobian(f, mode="forward")(x), expected)


@s2sad.custom_jvp
def scaled_square(x, c=2.0):
    return c * x ** 2


@scaled_square.defjvp
def _scaled_square_jvp(primals, tangents):
    (x, c), (tx, tc) = primals, tangents
    return scaled_square(x, c), 2 * c * x * tx + x ** 2 * tc


def scaled_by_keyword(x):
    return np.sum(scaled_square(x=x))


def test_a_tangent_rule_sees_a_value_passed_by_keyword():
    """(only positional arguments were looked at for tangents: 0)"""
    x = np.array([0.3, -0.8, 1.1])
    assert s2sad.jvp(scaled_by_keyword, (x,), (np.ones(3),))[1] == pytest.approx(4 * x.sum())
    np.testing.assert_allclose(s2sad.jacobian(scaled_by_keyword, mode="forward")(x), 4 * x)


COUNTED = np.zeros(3)


def counted_in(buf):
    buf += 1.0


def counting(x):
    counted_in(COUNTED)
    return np.sum(x * COUNTED)


def test_a_helper_writing_a_global_is_refused_in_forward_mode_too():
    x = np.array([0.5, -1.2, 2.0])
    for run in (lambda: s2sad.jvp(counting, (x,), (np.ones(3),)),
                lambda: s2sad.jacobian(counting, mode="forward")(x),
                lambda: s2sad.grad(counting)(x)):
        with pytest.raises(s2sad.AliasingError, match="adds into COUNTED"):
            run()


def root_of(x):
    return math.sqrt(x)


def test_a_second_derivative_dividing_python_floats_by_zero_is_an_s2sad_error():
    """(math's functions return Python floats even for NumPy's, and the
    retry with NumPy's numbers still divided them: ZeroDivisionError)"""
    assert s2sad.grad(root_of)(0.0) == np.inf
    with pytest.raises(s2sad.NoAdjointError, match="not a finite number") as info:
        s2sad.hessian(root_of)(0.0)
    assert info.value.loc is not None and "math.sqrt(x)" in info.value.loc.text


def bumped_number(a0, a1):
    a0 += 1.0  # (a number: rebound in the helper, the caller's unchanged)


def passes_a_number_twice(x, y):
    s = float(np.sum(y))
    bumped_number(s, s)
    return np.sum(y) * s


def test_a_helper_updating_a_number_parameter_is_not_refused():
    """(the fuzzer: forward mode refused `a0 += 1.0` on a number as a write)"""
    y = np.array([0.3, -0.6, 1.2])
    np.testing.assert_allclose(s2sad.jvp(passes_a_number_twice, (y, y), (None, np.ones(3)))[1],
                               2 * np.sum(y) * 3)
    np.testing.assert_allclose(s2sad.grad(passes_a_number_twice, wrt=1)(y, y),
                               2 * np.sum(y) * np.ones(3))

