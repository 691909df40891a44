"""Straight-line code (no loops or branches on traced values): gradients agree with
central finite differences on several inputs each."""

import math
import re

import numpy as np
import pytest

import s2sad

RNG = np.random.default_rng(1234)

# ---------------------------------------------------------------- assignment forms


def tuple_unpack(x):
    a, b = x * 2, x + 1
    return a * b


def tuple_unpack_swap(x, y):
    a, b = x, y
    a, b = b * a, a - b
    return a**2 + np.sin(b)


def augmented(x):
    y = x * 1.0
    y += x**2
    y -= 0.5 * x
    y *= x
    y /= 1.0 + x**2
    y **= 2
    return y


def augmented_arrays(x):
    y = np.sin(x)
    y += x
    y *= x
    y -= np.cos(x)
    y /= 2.0 + x**2
    y **= 2
    return np.sum(y)


def unary_ops(x):
    return np.sum(-(x**3) + (-(x * 2.0)) * +x)


# ---------------------------------------------------------------- operators


def scalar_operators(x, y):
    return x + y - x * y + x / y + y**x + x**2.5 - (x - y) ** 2


def array_operators(x):
    return np.sum(x + 1.0 - x * 2.0 + x / (x**2 + 1.0) + 3.0**x + (2.0 - x) * x)


def broadcast_matrix_vector(A, v):
    return np.sum((A * v) ** 2 + A / (1.0 + v**2) - v) + np.sum(np.sin(A @ v))


def broadcast_column_row(c, r):
    return np.sum(np.tanh(c * r + c - r) + c / (2.0 + r**2))


def broadcast_scalar_array(s, x):
    return np.sum(s * x + x / s - s**2 * x**2)


def matmul_chain(A, x):
    B = A.T @ A
    return x @ B @ x + np.sum(A @ x)


# ---------------------------------------------------------------- non-differentiable helpers


def masked(x):
    mask = (x > 0) & (x < 2)
    return np.sum(x**2 * mask + x * ~mask)


def leaky_relu(x):
    return np.sum(np.where(x > 0, x, 0.1 * x) ** 2)


def numeric_constants(x):
    return np.sum(1e-3 * x**2 + 2 * x + math.pi * np.sqrt(x) + 7 // 2 * x + True * x)


W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


def global_constant(x):
    return np.sum(np.tanh(W @ x))


def make_closure(scale, shift):
    def closure(x):
        return np.sum(scale * np.exp(-((x - shift) ** 2)))

    return closure


closure = make_closure(np.array([1.0, 2.0, 0.5]), 0.3)


def math_module(x):
    return math.sin(x) * math.exp(-x) + math.log(x) + math.sqrt(x) + math.tanh(x)


def builtin_abs(x, y):
    return abs(x) * y + abs(x - y) ** 2


def shape_helpers(x):
    n = len(x)
    idx = np.arange(n)
    z = np.zeros_like(x)
    rows = x.shape[0]
    return np.sum((x + z) ** 2 * idx) / n + rows * x[0]


def argmax_pick(x):
    i = np.argmax(x)
    return x[i] ** 2 + np.sum(x) * x[i]


def conditional_expr(x):
    y = x**2 if x > 1 else -(x**3)
    return y + (np.sin(x) if x < 0 else np.cos(x))


def and_or_floats(x, y):
    a = x and y
    b = 0.0 or x
    c = y or x
    return a * b + c**2


def chained_comparison(x):
    inside = 0 < x < 1
    return x**2 * inside + x * (not inside)


# ---------------------------------------------------------------- small models


def softmax_sum_sq(x):
    e = np.exp(x - np.max(x))
    p = e / np.sum(e)
    return np.sum(p**2 * np.arange(len(x)))


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def logsumexp_rows(X):
    m = np.max(X, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(X - m), axis=1, keepdims=True))
    return np.sum(lse * np.array([[1.0], [-2.0]]))


def mlp_loss(W1, b1, W2, b2, X, labels):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    m = np.max(logits, axis=1, keepdims=True)
    logp = logits - m - np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    n = X.shape[0]
    return -np.mean(logp[np.arange(n), labels])


def reductions(X):
    return np.mean(X) * np.sum(X**2, axis=0)[1] + np.prod(X[0]) + np.var(X) + X.sum(axis=1)[0]


def indexing(X):
    return X[0, 1] * X[1, 2] + np.sum(X[:, 0] ** 2) + np.sum(X[1, :] * X[0]) + X[-1, -1]


def polynomial_in_vector(x):
    a, b, c = x[0], x[1], x[2]
    return a * b * c + a**2 * c - b / (1.0 + c**2)


def sigmoid_cross_entropy(w, b, X, y):
    """log's adjoints meet the sigmoid's p * (1 - p): their divisions cancel."""
    p = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def sigmoid_cross_entropy_broadcast(x, y, c1, c2):
    """The same pattern between arrays of three shapes (3, 1), (4,) and (3, 4)."""
    p = 1 / (1 + np.exp(-(x + y)))
    return np.sum(c1 * np.log(p) - np.log(1 - p) * c2)


def sigmoid_cross_entropy_written(z, y):
    """1 - p is written in place after its log is taken."""
    p = 1 / (1 + np.exp(-z))
    a = np.log(p) * y
    q = 1 - p
    b = np.log(q)
    q *= 2.0
    return np.sum(a + b) + np.sum(q * z)


def sigmoid_opposite_labels(z, y):
    """`-y` of unsigned labels wraps (1 is 255 in uint8): not y's opposite."""
    p = 1 / (1 + np.exp(-z))
    return np.sum(y * np.log(p)) + 3 * np.sum(-y * np.log(1 - p))


def squares(x, w):
    """x * x and w * w: one product doubled for each adjoint."""
    r = x * x - w
    return np.mean(r * r) + 0.1 * max(np.sum(w * w), 1.0)


def sums_of_products(x, y, w):
    """A full sum's adjoint times an operand: a number times an array."""
    return np.sum(x * y) + 2.0 * np.sum(w * x * w) + np.sum(np.sin(y) * y)


# ---------------------------------------------------------------- the cases


def vec(n, lo=-1.5, hi=1.5):
    return RNG.uniform(lo, hi, size=n)


CASES = [
    (tuple_unpack, [(0.5,), (-1.3,), (2.0,)], 0),
    (tuple_unpack_swap, [(0.5, 1.2), (-1.3, 0.7), (2.0, -0.4)], (0, 1)),
    (augmented, [(0.5,), (-1.3,), (2.0,)], 0),
    (augmented_arrays, [(vec(3),), (vec((2, 3)),), (vec(5),)], 0),
    (unary_ops, [(0.5,), (-1.3,), (vec(4),)], 0),
    (scalar_operators, [(0.5, 1.2), (1.3, 0.7), (2.0, 2.5)], (0, 1)),
    (array_operators, [(vec(3),), (vec((2, 3)),), (vec(1),)], 0),
    (broadcast_matrix_vector, [(vec((2, 3)), vec(3)), (vec((4, 3)), vec(3))], (0, 1)),
    (broadcast_column_row, [(vec((2, 1)), vec((1, 3))), (vec((3, 1)), vec((1, 2)))], (0, 1)),
    (broadcast_scalar_array, [(0.7, vec(3)), (-1.4, vec((2, 3))), (2.0, vec((2, 1)))], (0, 1)),
    (matmul_chain, [(vec((3, 2)), vec(2)), (vec((2, 2)), vec(2))], (0, 1)),
    (masked, [(np.array([-1.0, 0.5, 1.5, 2.5]),), (np.array([[0.3, -0.2], [1.7, 3.1]]),)], 0),
    (leaky_relu, [(np.array([-1.0, 0.5, 1.5, -2.5]),), (np.array([[0.3, -0.2], [1.7, -3.1]]),)], 0),
    (numeric_constants, [(0.5,), (1.3,), (vec(3, 0.2, 2.0),)], 0),
    (global_constant, [(vec(3),), (vec(3),), (np.zeros(3),)], 0),
    (closure, [(vec(3),), (vec(3),)], 0),
    (math_module, [(0.5,), (1.3,), (2.7,)], 0),
    (builtin_abs, [(0.5, 1.2), (-1.3, 0.7), (2.0, -0.4)], (0, 1)),
    (shape_helpers, [(vec(3),), (vec(5),)], 0),
    (argmax_pick, [(np.array([0.1, 2.0, -1.0]),), (np.array([3.0, 1.0, 0.5, 2.0]),)], 0),
    (conditional_expr, [(0.5,), (-1.3,), (2.0,), (1.5,)], 0),
    (and_or_floats, [(0.5, 1.2), (-1.3, 0.7), (2.0, -0.4)], (0, 1)),
    (chained_comparison, [(0.5,), (-1.3,), (2.0,), (0.2,)], 0),
    (softmax_sum_sq, [(vec(3),), (vec(5),), (np.array([1.0, 1.0, 3.0]),)], 0),
    (logsumexp, [(vec(3),), (vec(6),), (np.array([100.0, 101.0, 99.0]),)], 0),
    (logsumexp_rows, [(vec((2, 3)),), (vec((2, 5)),)], 0),
    (reductions, [(vec((2, 3)),), (vec((3, 3)),)], 0),
    (indexing, [(vec((2, 3)),), (vec((3, 3)),)], 0),
    (sigmoid_cross_entropy, [(vec(3), 0.2, vec((5, 3)), (vec(5) > 0).astype(float)),
                             (vec(3), vec(5), vec((5, 3)), vec(5, 0.0, 1.0))], (0, 1)),
    (sigmoid_cross_entropy_broadcast, [(vec((3, 1)), vec(4), vec(4), vec((3, 1))),
                                       (vec((3, 1)), vec(4), 0.5, vec((3, 4)))], (0, 1, 2, 3)),
    (sigmoid_cross_entropy_written, [(vec(4), vec(4)), (vec((2, 3)), 0.5)], (0, 1)),
    (sigmoid_opposite_labels, [(vec(4), np.array([1, 0, 1, 1], dtype=np.uint8)),
                               (vec(4), np.array([1, 0, 2, 1])), (vec(3), vec(3))], 0),
    (squares, [(vec(4), vec(4)), (vec((2, 3)), vec(3)), (0.7, vec((2, 1)) * 3.0)], (0, 1)),
    (sums_of_products, [(vec(3), vec(3), vec(3)), (vec((2, 3)), vec(3), vec((2, 1))),
                        (vec(4), 0.5, vec(4))], (0, 1, 2)),
    (polynomial_in_vector, [(vec(3),), (vec(3),), (np.array([1.0, 2.0, 3.0]),)], 0),
]


def _mlp_inputs(seed):
    rng = np.random.default_rng(seed)
    n, d, hdim, k = 5, 3, 4, 3
    return (
        rng.normal(size=(d, hdim)),
        rng.normal(size=hdim) * 0.1,
        rng.normal(size=(hdim, k)),
        rng.normal(size=k) * 0.1,
        rng.normal(size=(n, d)),
        rng.integers(0, k, size=n),
    )


CASES.append((mlp_loss, [_mlp_inputs(0), _mlp_inputs(1), _mlp_inputs(2)], (0, 1, 2, 3)))

PARAMS = [
    pytest.param(fn, args, wrt, id=f"{fn.__name__}-{i}")
    for fn, inputs, wrt in CASES
    for i, args in enumerate(inputs)
]


@pytest.mark.parametrize("fn, args, wrt", PARAMS)
def test_check_grad(fn, args, wrt):
    grads = s2sad.check_grad(fn, *args, wrt=wrt)
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    grads = grads if isinstance(wrt, tuple) else (grads,)
    assert len(grads) == len(indices)
    for g, i in zip(grads, indices):
        assert np.shape(g) == np.shape(args[i])


@pytest.mark.parametrize("fn, args, wrt", PARAMS)
def test_value_matches_function(fn, args, wrt):
    value, _ = s2sad.value_and_grad(fn, wrt=wrt)(*args)
    assert value == pytest.approx(fn(*args), rel=1e-12, abs=1e-12)


# ---------------------------------------------------------------- a few exact values


def test_augmented_exact():
    # y = ((x + x^2 - x/2) * x / (1 + x^2))^2 ; check against a hand-derived value at x = 2
    x = 2.0
    u = (x + x**2 - 0.5 * x) * x / (1 + x**2)
    du = ((1 + 2 * x - 0.5) * x + (x + x**2 - 0.5 * x)) / (1 + x**2) - (
        (x + x**2 - 0.5 * x) * x * 2 * x / (1 + x**2) ** 2
    )
    assert s2sad.grad(augmented)(x) == pytest.approx(2 * u * du, rel=1e-12)


def test_leaky_relu_exact():
    x = np.array([-1.0, 0.5, 1.5, -2.5])
    expected = np.where(x > 0, 2 * x, 0.02 * x)
    np.testing.assert_allclose(s2sad.grad(leaky_relu)(x), expected, rtol=1e-12)


def test_masked_exact():
    x = np.array([-1.0, 0.5, 1.5, 2.5])
    np.testing.assert_allclose(s2sad.grad(masked)(x), [1.0, 1.0, 3.0, 1.0], rtol=1e-12)


def test_argmax_pick_exact():
    x = np.array([0.1, 2.0, -1.0])
    # x[1]^2 + sum(x) * x[1]: d/dx = [x1, 2 x1 + sum + x1, x1]
    expected = np.array([2.0, 4.0 + 1.1 + 2.0, 2.0])
    np.testing.assert_allclose(s2sad.grad(argmax_pick)(x), expected, rtol=1e-12)


def test_conditional_expr_branches():
    assert s2sad.grad(conditional_expr)(2.0) == pytest.approx(4.0 - math.sin(2.0))
    assert s2sad.grad(conditional_expr)(-1.0) == pytest.approx(-3.0 + math.cos(-1.0))


def test_chained_comparison_exact():
    assert s2sad.grad(chained_comparison)(0.5) == pytest.approx(1.0)
    assert s2sad.grad(chained_comparison)(2.0) == pytest.approx(1.0)
    assert s2sad.grad(chained_comparison)(0.25) == pytest.approx(0.5)


def test_logsumexp_is_softmax():
    x = np.array([100.0, 101.0, 99.0])
    e = np.exp(x - x.max())
    np.testing.assert_allclose(s2sad.grad(logsumexp)(x), e / e.sum(), rtol=1e-12)


def test_mlp_bias_gradient_sums_to_zero():
    # softmax cross-entropy: the gradient w.r.t. the output bias sums to zero
    args = _mlp_inputs(3)
    g_b2 = s2sad.grad(mlp_loss, wrt="b2")(*args)
    assert g_b2.shape == (3,)
    assert abs(np.sum(g_b2)) < 1e-12
    assert np.max(np.abs(g_b2)) > 1e-3


# ---------------------------------------------------------------- aliasing


def aliased_augmented(x):
    y = x
    y *= 2.0  # in Python this scales x too: y is x
    return np.sum(x * y)


def test_aliased_augmented_assignment():
    x = np.array([1.0, 2.0])
    expected_value = aliased_augmented(x.copy())  # sum((2x) * (2x)) = 20
    assert expected_value == pytest.approx(20.0)
    # s2sad cannot follow NumPy's shared in-place change, so it refuses, at the line
    with pytest.raises(s2sad.errors.AliasingError) as info:
        s2sad.value_and_grad(aliased_augmented)(x.copy())
    assert "test_straightline.py" in str(info.value) and "*=" in str(info.value)
    # on floats there is no sharing: the gradient of 2x * x ... is computed
    assert s2sad.grad(aliased_augmented)(1.5) == pytest.approx(
        s2sad.numerical_gradient(aliased_augmented, [1.5], 0))


def test_the_cross_entropy_of_a_sigmoid_divides_nothing_in_its_backward_pass():
    """(the cases above check its numbers)"""
    args = (vec(3), 0.2, vec((5, 3)), (vec(5) > 0).astype(float))
    code = str(s2sad.show(sigmoid_cross_entropy, wrt=(0, 1), args=args))
    backward = code.split("# backward pass")[1]
    assert "/ t" not in backward and "/ p" not in backward, code
    # (y(1 - p) - (1 - y)p is y - p for float64 y and p, times the mean's share)
    assert re.search(r"= complements_difference\(y, p, \w+, \w+\)\n", backward), code


def test_a_vjp_of_a_sigmoid_cross_entropy_takes_an_unsigned_cotangent():
    """vjp's seed is the caller's cotangent, which may wrap when negated."""
    z, y = np.array([0.3, -1.2, 0.7]), np.array([1.0, 0.0, 1.0])

    def loss(z):
        p = 1 / (1 + np.exp(-z))
        return y * np.log(p) + (1 - y) * np.log(1 - p)

    p = 1 / (1 + np.exp(-z))
    for cotangent in (np.array([1, 2, 3], dtype=np.uint8), np.array([1.0, 2.0, 3.0])):
        _, pullback = s2sad.vjp(loss, z)
        expected = cotangent.astype(float) * (y - p)
        np.testing.assert_allclose(pullback(cotangent)[0], expected, rtol=1e-12)


def quotients_times_divisors_in_users_code(w, x):
    u = np.sin(x)
    v = np.cos(x)
    s = (1.0 / u + 1.0 / v) * u * v
    return np.sum(w * s)


def test_the_users_own_quotients_times_divisors_keep_numpys_arithmetic():
    """Divisions cancel in the adjoints s2sad writes, never in the user's
    code: at sin(x) = 0 NumPy's value and w's gradient are nan (an outside
    tester's find), and where 1 / sin(x) overflows, inf."""
    w = np.array([1.0, 2.0])
    for x in (np.array([0.0, 0.3]), np.array([1e-310, 0.3])):
        with np.errstate(all="ignore"):
            expected = (1.0 / np.sin(x) + 1.0 / np.cos(x)) * np.sin(x) * np.cos(x)
            value, dw = s2sad.value_and_grad(quotients_times_divisors_in_users_code)(w, x)
            np.testing.assert_array_equal(value, quotients_times_divisors_in_users_code(w, x))
        np.testing.assert_allclose(dw, expected, rtol=1e-15)
        assert not np.isfinite(value) and not np.isfinite(dw[0])


def test_a_doubled_product_keeps_a_float32_gradient_float32():
    x = np.array([0.5, -1.5, 2.0], dtype=np.float32)
    g = s2sad.grad(lambda_free_square)(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 4 * x ** 3, rtol=1e-6)


def lambda_free_square(x):
    r = x * x
    return np.sum(r * r)


def test_a_sums_spread_adjoint_keeps_float32_gradients_float32():
    x, y = np.array([0.5, -1.5, 2.0], dtype=np.float32), np.array([1.0, 2.0, 3.0], np.float32)
    gx, gy = s2sad.grad(sums_of_products_32, wrt=(0, 1))(x, y)
    assert gx.dtype == gy.dtype == np.float32
    np.testing.assert_allclose(gx, y, rtol=1e-6)
    np.testing.assert_allclose(gy, x, rtol=1e-6)


def sums_of_products_32(x, y):
    return np.sum(x * y)


def test_a_sums_adjoint_multiplies_a_narrower_array_in_its_own_precision():
    """g * x of a Python float g and a float16 x would be computed in float16:
    the gradient of the float64 y is x times 0.1 in float64, as NumPy's
    spread array of g made it."""
    x = np.array([0.1, 0.2, 0.3], dtype=np.float16)
    y = np.array([1.0, 2.0, 3.0])
    g = s2sad.grad(penalty_of_mixed_precision, wrt=1)(x, y)
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, x.astype(np.float64) * 0.1)


def penalty_of_mixed_precision(x, y):
    return 0.1 * max(np.sum(x * y), 0.5)


def sum_times_its_input(x, w):
    return np.sum(np.sum(x * w) * x)  # (x * w is float64 for a float16 w)


def mean_of_weighted_halves(w, x):
    return np.mean(w * x)


def scaled_sum_of_weighted_singles(w, x):
    return 0.1 * np.sum(w * x)


def dot_with_halves_scaled(a, b):
    return np.dot(a, b) * 3.0


def product_of_sums_with_halves(a, w):
    return np.sum(a * w) * np.sum(a)


def matmul_of_halves_with_their_multiple(a, w):
    return a @ (a * w)


def test_the_seed_is_the_kind_of_number_the_output_is():
    """grad's seed 1.0 is a Python float, weak to NumPy 2: `dout * 3.0` times
    a float16 vector was computed in float16 where it stood for the
    adjoint of a float64 value; a float64 product of float16 sums overflowed
    to inf (an outside tester's finds, with vjp's Python-float cotangent)."""
    b16 = np.array([0.1, 0.2, 0.3], dtype=np.float16)
    got = s2sad.grad(dot_with_halves_scaled)(np.array([1.0, 2.0, 3.0]), b16)
    np.testing.assert_allclose(got, 3.0 * b16.astype(np.float64), rtol=1e-15)
    a = np.full(2000, 1.0, dtype=np.float16)
    w = np.float64(1.3)
    assert s2sad.grad(product_of_sums_with_halves, wrt=1)(a, w) == 4e6
    _, pullback = s2sad.vjp(product_of_sums_with_halves, a, w)
    assert pullback(1.0)[1] == 4e6
    a = np.random.default_rng(0).uniform(0.5, 1.5, 2000).astype(np.float16)
    wide = a.astype(np.float64)
    got = s2sad.grad(matmul_of_halves_with_their_multiple, wrt=1)(a, w)
    assert got == pytest.approx(wide @ wide, rel=1e-14)
    # (a Python float output keeps the Python float seed, and math on numbers)
    code = str(s2sad.show(sine_of_a_product, args=(1.5, 2.0)))
    assert "seed_of" not in code and "math.cos(" in code, code
    assert type(s2sad.grad(sine_of_a_product)(1.5, 2.0)) is float


def sine_of_a_product(x, y):
    return np.sin(x * y) * 3.0


def test_a_full_sums_adjoint_held_as_a_number_has_the_precision_of_the_summed_array():
    """A full sum's adjoint held as a Python float times a float16 or float32
    array was computed in their precision (NumPy 2's weak scalars): 2e-4
    relative errors, and inf, in float64 gradients (an outside tester's find)."""
    x = np.array([3.0e4, 2.0e4, 1.0e4, 0.5])
    w = np.array([1.0, 0.5, 0.25, 2.0], dtype=np.float16)
    got = s2sad.grad(sum_times_its_input)(x, w)
    w64 = w.astype(np.float64)
    np.testing.assert_allclose(got, np.sum(x * w64) + np.sum(x) * w64, rtol=1e-15)
    rng = np.random.default_rng(5)
    for dtype in (np.float16, np.float32):
        narrow = rng.normal(size=(3, 5)).astype(dtype)
        wide = narrow.astype(np.float64)
        w = rng.normal(size=(3, 5))
        for f, expected in ((mean_of_weighted_halves, wide / 15),
                            (scaled_sum_of_weighted_singles, 0.1 * wide)):
            got = s2sad.grad(f)(w, narrow)
            assert got.dtype == np.float64
            np.testing.assert_allclose(got, expected, rtol=1e-15, err_msg=f.__name__)
        # (the narrow argument's own gradient: in its dtype, from float64 products)
        got = s2sad.grad(mean_of_weighted_halves, wrt=1)(w, narrow)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, (w / 15).astype(dtype))


def cross_entropy_of_labels(z, y):
    p = 1 / (1 + np.exp(-z))
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


@pytest.mark.parametrize("labels", [
    np.array([255, 1, 0], np.uint8), np.array([-128, 1, 0], np.int8),
    np.array([0.3, 0.7, 1.0], np.float16), np.array([0.3, 0.7, 1.0], np.float32),
    np.array([0.3, 0.7, 1.0]), np.array([True, False, True])], ids=lambda y: y.dtype.name)
def test_a_cross_entropys_gradient_is_of_the_labels_complement_as_numpy_computes_it(labels):
    """An outside review: `y * (1 - p) - (1 - y) * p` was `y - p` for any
    labels, but uint8 labels' `1 - y` wraps (255 gives 2) and float16's is
    rounded: the gradient and Hessian were of another function (-254.4 for
    -107.4). `y - p` only for float64 labels; else the products."""
    z = np.array([0.3, -0.5, 1.2])
    numeric = s2sad.numerical_gradient(cross_entropy_of_labels, [z, labels], 0)
    np.testing.assert_allclose(s2sad.grad(cross_entropy_of_labels)(z, labels), numeric,
                               rtol=1e-7, atol=1e-9)
    hessian = s2sad.hessian(cross_entropy_of_labels)(z, labels)
    h = 1e-5
    for k in range(3):
        step = np.eye(3)[k] * h
        column = (s2sad.grad(cross_entropy_of_labels)(z + step, labels) -
                  s2sad.grad(cross_entropy_of_labels)(z - step, labels)) / (2 * h)
        np.testing.assert_allclose(hessian[:, k], column, rtol=1e-6, atol=1e-8)
