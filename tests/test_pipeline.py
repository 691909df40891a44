"""The pipeline's one cache and its validity check.

A compiled gradient stays valid while every name it baked in still holds,
wherever Python finds the name (module globals, builtins, closure cells), and
callees are checked the same way when called. Transforms are counted, not
timed: a gradient called many times on inputs of the same kinds is
transformed once.
"""

from __future__ import annotations

import math
import re
import sys

import numpy as np
import pytest

import s2sad
from s2sad import pipeline

THIS = sys.modules[__name__]


def transforms_during(fn, calls: int = 1000) -> int:
    before = pipeline.transform_count()
    for _ in range(calls):
        fn()
    return pipeline.transform_count() - before


# ---------------------------------------------------------------- stale helpers

act = np.tanh


def activated(x):
    return act(x)


def loss_through_helper(x):
    return np.sum(activated(x) * 2.0)


def test_a_helpers_gradient_follows_a_rebound_global(monkeypatch):
    x = np.array([0.3, -0.7, 1.1])
    grad = s2sad.grad(loss_through_helper)
    np.testing.assert_allclose(grad(x), 2.0 * (1.0 - np.tanh(x) ** 2), rtol=1e-12)
    monkeypatch.setattr(THIS, "act", np.sin)
    np.testing.assert_allclose(grad(x), 2.0 * np.cos(x), rtol=1e-12)
    monkeypatch.setattr(THIS, "act", np.exp)
    np.testing.assert_allclose(s2sad.grad(loss_through_helper)(x), 2.0 * np.exp(x), rtol=1e-12)


def exp_sum(x):
    return np.sum(np.exp(x))


def norm_of(x):
    return np.linalg.norm(x) + math.sin(x[0])


@pytest.mark.parametrize("fn, owner, name, other, derivative", [
    (exp_sum, np, "exp", np.sin, np.cos),
    (norm_of, np.linalg, "norm", lambda v: np.sum(v ** 2), lambda x: 2.0 * x),
    (norm_of, math, "sin", lambda v: v ** 3, None),
])
def test_a_library_function_patched_is_seen(monkeypatch, fn, owner, name, other, derivative):
    """A test's mock.patch of np.exp: the code compiled for np.exp, its rule
    meeting np.sin's values, was run (a wrong gradient); and code compiled
    while patched ran after (a wrong value too)."""
    x = np.array([0.5, 1.0])
    grad = s2sad.value_and_grad(fn)
    before = grad(x)
    for _ in range(2):  # (the second call: the fast entry)
        monkeypatch.setattr(owner, name, other)
        value, gradient = grad(x)
        assert value == pytest.approx(fn(x), rel=1e-12)
        if derivative is not None and fn is exp_sum:
            np.testing.assert_allclose(gradient, derivative(x), rtol=1e-12)
        elif derivative is not None:
            np.testing.assert_allclose(gradient, derivative(x) + [np.cos(x[0]), 0], rtol=1e-12)
        else:  # (math.sin as a cube)
            np.testing.assert_allclose(gradient, x / np.linalg.norm(x) + [3 * x[0] ** 2, 0],
                                       rtol=1e-12)
        monkeypatch.undo()
        value, gradient = s2sad.value_and_grad(fn)(x)  # (compiled while patched, before)
        assert value == pytest.approx(before[0], rel=1e-12)
        np.testing.assert_allclose(gradient, before[1], rtol=1e-12)


def mean_by_len(x):
    return np.sum(x * x) / len(x)


def test_a_rebound_builtin_is_seen(monkeypatch):
    x = np.array([1.0, 2.0, 3.0, 4.0])
    grad = s2sad.grad(mean_by_len)
    np.testing.assert_allclose(grad(x), 2.0 * x / 4.0)
    monkeypatch.setattr(THIS, "len", lambda items: 2, raising=False)  # shadows the builtin
    np.testing.assert_allclose(grad(x), 2.0 * x / 2.0)
    monkeypatch.delattr(THIS, "len")
    np.testing.assert_allclose(grad(x), 2.0 * x / 4.0)


SCALE = 3.0


def scaled_by_global(x):
    return np.sum(x * SCALE)


def test_a_deleted_global_is_seen(monkeypatch):
    """The guards read a global by subscript: a deleted one fails them (a
    KeyError), and the call reports Python's NameError."""
    x = np.array([1.0, 2.0])
    grad = s2sad.grad(scaled_by_global)
    for _ in range(2):  # (the second call: the fast entry)
        np.testing.assert_allclose(grad(x), [3.0, 3.0])
    monkeypatch.delattr(THIS, "SCALE")
    with pytest.raises(NameError, match="SCALE"):
        grad(x)
    monkeypatch.setattr(THIS, "SCALE", 0.5, raising=False)
    np.testing.assert_allclose(grad(x), [0.5, 0.5])


def make_closure(scale):
    def inner(x):
        return np.sum(scale(x))
    return inner


def test_a_rebound_closure_cell_is_seen():
    x = np.array([0.5, 1.5])
    fn = make_closure(np.sin)
    grad = s2sad.grad(fn)
    np.testing.assert_allclose(grad(x), np.cos(x))
    fn.__closure__[0].cell_contents = np.cos
    np.testing.assert_allclose(grad(x), -np.sin(x))


def with_defaults(x, c=2.0):
    return np.sum(x * c)


def test_changed_defaults_are_seen():
    x = np.array([1.0, 2.0])
    grad = s2sad.grad(with_defaults)
    np.testing.assert_allclose(grad(x), [2.0, 2.0])
    saved = with_defaults.__defaults__
    try:
        with_defaults.__defaults__ = (5.0,)
        np.testing.assert_allclose(grad(x), [5.0, 5.0])
    finally:
        with_defaults.__defaults__ = saved


# ---------------------------------------------------------------- transformed once


def uses_len(x):
    return np.sum(x) / len(x)


def uses_abs(x):
    return abs(np.sum(x)) * 2.0


def uses_max(x):
    return max(np.sum(x), 0.5) + np.sum(x * x)


def uses_min(x):
    return min(np.sum(x), 100.0) + np.sum(x)


def uses_sum(x):
    return sum([x[0], x[1] * 2.0])


def uses_float(x):
    return float(np.sum(x)) * np.sum(x)


def uses_int(x):
    return np.sum(x) * int(3.7)


def uses_print(x):
    print("", end="")
    return np.sum(x * x)


def uses_range(x):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] * i
    return s


def uses_enumerate(x):
    s = 0.0
    for i, v in enumerate(x):
        s = s + v * (i + 1.0)
    return s


def uses_zip(x):
    s = 0.0
    for a, b in zip(x, x[::-1]):
        s = s + a * b
    return s


def uses_isinstance(x):
    if isinstance(x, np.ndarray):
        return np.sum(x ** 2)
    return x * x


def module_in_closure():
    xp = np

    def f(x):
        return xp.sum(xp.sin(x))

    return f


def uses_math(x):
    return math.sin(float(np.sum(x))) + np.sum(x)


def helper_with_len(v):
    return np.sum(v) / len(v)


def calls_helper(x):
    return helper_with_len(x * x) + helper_with_len(x)


ONCE = [uses_len, uses_abs, uses_max, uses_min, uses_sum, uses_float, uses_int, uses_print,
        uses_range, uses_enumerate, uses_zip, uses_isinstance, module_in_closure(), uses_math]


@pytest.mark.parametrize("fn", ONCE, ids=lambda f: f.__name__)
def test_a_gradient_called_1000_times_is_transformed_once(fn):
    grad = s2sad.grad(fn)
    x = np.array([0.3, 0.6, 0.9])
    first = grad(x)
    expected = s2sad.numerical_gradient(fn, (x,), 0)
    np.testing.assert_allclose(first, expected, rtol=1e-6, atol=1e-8)
    assert transforms_during(lambda: grad(x + 0.01)) == 0
    grad_again = s2sad.grad(fn)  # a new wrapper: from the pipeline's cache
    assert transforms_during(lambda: grad_again(x)) == 0


def test_helpers_are_transformed_once_too():
    grad = s2sad.grad(calls_helper)
    x = np.array([0.5, 1.0, 2.0])
    before = pipeline.transform_count()
    grad(x)
    assert pipeline.transform_count() - before <= 3  # the caller and the helper's splits
    assert transforms_during(lambda: grad(x)) == 0
    v = x
    expected = (2 * v + 1.0) / 3
    np.testing.assert_allclose(grad(x), expected, rtol=1e-12)


def test_forget_drops_the_helpers_the_dispatcher_knows_too():
    x = np.array([0.5, 1.0, 2.0])
    s2sad.grad(calls_helper)(x)
    pipeline.forget()
    before = pipeline.transform_count()
    np.testing.assert_allclose(s2sad.grad(calls_helper)(x), (2 * x + 1.0) / 3, rtol=1e-12)
    assert pipeline.transform_count() - before == 2  # calls_helper and helper_with_len's split


def test_a_first_gradient_imports_no_masked_arrays(run_script):
    # (numpy.ma costs a fresh interpreter's first call 6 ms; no masked array
    # can be passed before something imports it)
    result = run_script("import sys, numpy as np, s2sad\n"
                        "def f(x):\n    return np.sum(np.tanh(x) * x)\n"
                        "assert 'numpy.ma' not in sys.modules\n"
                        "print(s2sad.grad(f)(np.ones(3))[0], 'numpy.ma' in sys.modules)\n")
    assert result.returncode == 0, result.stderr
    value, masked = result.stdout.split()
    assert float(value) == pytest.approx(np.tanh(1.0) + 1.0 - np.tanh(1.0) ** 2)
    assert masked == "False"


def test_quickstart_is_transformed_once():
    from s2sad.cli import load_file

    module = load_file("examples/quickstart.py")
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 2, 20).astype(float)
    w = rng.normal(size=3)
    grad = s2sad.grad(module.f)
    grad(w, X, y)
    assert transforms_during(lambda: grad(w, X, y)) == 0


def test_a_new_kind_of_argument_is_a_new_specialization_once():
    grad = s2sad.grad(uses_len)
    grad(np.array([1.0, 2.0]))
    before = pipeline.transform_count()
    grad([1.0, 2.0])  # a list: its own specialization
    assert pipeline.transform_count() - before == 1
    assert transforms_during(lambda: (grad([1.0, 2.0]), grad(np.ones(2)))) == 0


# ---------------------------------------------------------------- the call-site cache
# call_forward remembers, per plain function and argument types, the compiled
# halves it ran; these check it never hands back stale or wrong ones.

scale = 2.0


def scaled(x):
    return scale * np.sin(x)


def calls_scaled(x):
    return np.sum(scaled(x) * x)


def test_the_call_cache_sees_a_rebound_global_in_the_callee(monkeypatch):
    x = np.array([0.2, -0.4])
    grad = s2sad.grad(calls_scaled)
    for _ in range(3):  # (the second and third calls take the cached halves)
        np.testing.assert_allclose(grad(x), 2.0 * (np.cos(x) * x + np.sin(x)), rtol=1e-12)
    monkeypatch.setattr(THIS, "scale", 5.0)
    np.testing.assert_allclose(grad(x), 5.0 * (np.cos(x) * x + np.sin(x)), rtol=1e-12)


def power_tower(x, k):
    if k == 0:
        return x
    return x * power_tower(x, k - 1)


def tower_sum(x, k):
    return np.sum(power_tower(x, k))


def test_recursion_through_the_call_cache_is_transformed_once_and_exact():
    x = np.array([0.5, 1.5, -2.0])
    grad = s2sad.grad(tower_sum)
    for k in (3, 6, 2):
        np.testing.assert_allclose(grad(x, k), (k + 1) * x ** k, rtol=1e-12)
    assert transforms_during(lambda: grad(x, 4), 100) == 0


def half_power(x, p):
    return x ** p


def calls_half_power(x, p):
    return np.sum(half_power(x, p))


def test_the_call_cache_keys_on_argument_types():
    # an int and a float exponent, a float and an array base: each its own
    # specialization, each exact
    grad = s2sad.grad(calls_half_power)
    for _ in range(2):
        assert grad(3.0, 2) == pytest.approx(6.0, rel=1e-12)
        assert grad(3.0, 2.5) == pytest.approx(2.5 * 3.0 ** 1.5, rel=1e-12)
        np.testing.assert_allclose(grad(np.array([3.0]), 2), [6.0], rtol=1e-12)


def sqrt_helper(x):
    return math.sqrt(x)


def calls_sqrt(x):
    return sqrt_helper(x) + x


def test_the_call_cache_keeps_numbers_and_numpy_scalars_apart():
    # math.sqrt's derivative at 0 divides by zero on Python floats; s2sad
    # computes again with NumPy's scalars (inf), which must not be cached for
    # the next call with plain floats, nor the other way round
    grad = s2sad.grad(calls_sqrt)
    for _ in range(2):
        assert grad(4.0) == pytest.approx(1.25, rel=1e-12)
        assert grad(0.0) == math.inf


def apply_to(act, x):
    return act(x)


def two_activations(x):
    return np.sum(apply_to(np.sin, x) + apply_to(np.cos, x))


def test_the_call_cache_tells_function_arguments_apart():
    # the same callee with np.sin, then np.cos: values of one type, each with
    # its own rule baked into the compiled halves
    x = np.array([0.3, 1.2])
    grad = s2sad.grad(two_activations)
    for _ in range(2):
        np.testing.assert_allclose(grad(x), np.cos(x) - np.sin(x), rtol=1e-12)


# ---------------------------------------------------------------- shapes
# Code is specialized for the shapes of the first few sets of array arguments
# (no unbroadcast where shapes agree), then compiled once for any shapes.


def scaled_tanh(x, b):
    return np.sum(np.tanh(x * b) + b)


def _summed_to(g, shape):
    g = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


SHAPE_PAIRS = [((3,), (3,)), ((3,), (1,)), ((2, 3), (3,)), ((2, 3), (2, 1)), ((4,), ()),
               ((2, 1), (1, 3))]


def test_each_set_of_shapes_gets_the_right_broadcasting():
    rng = np.random.default_rng(3)
    grad = s2sad.grad(scaled_tanh, wrt=(0, 1))
    for _ in range(2):  # (the second round runs what the first compiled)
        for xs, bs in SHAPE_PAIRS:
            x, b = rng.normal(size=xs), rng.normal(size=bs)
            gx, gb = grad(x, b)
            d = 1.0 - np.tanh(x * b) ** 2
            np.testing.assert_allclose(gx, _summed_to(d * b, x.shape), rtol=1e-12)
            np.testing.assert_allclose(gb, _summed_to(d * x + 1.0, b.shape), rtol=1e-12)
            assert gx.shape == x.shape and gb.shape == b.shape


def tanh_of_product(x, b):
    return np.sum(np.tanh(x * b))


def test_shapes_that_keep_changing_stop_being_specialized():
    grad = s2sad.grad(tanh_of_product)
    x = np.ones(1)
    grad(x, x)
    before = pipeline.transform_count()
    for n in range(2, 12):  # ten new shapes: a few specializations, then code for any
        np.testing.assert_allclose(grad(np.ones(n), np.ones(n)),
                                   np.full(n, 1.0 - np.tanh(1.0) ** 2), rtol=1e-12)
    # the first call's shapes and three more, then one code for any shapes
    assert pipeline.transform_count() - before == pipeline.SHAPE_VARIANTS
    assert transforms_during(lambda: grad(np.ones(30), np.ones(30)), 10) == 0


def gated(Wx, Wh, xs, h):
    H = h.shape[0]
    for t in range(xs.shape[0]):
        z = Wx @ xs[t] + h @ Wh
        i = np.tanh(z[:H])
        o = np.sin(z[H:2 * H])
        h = i * z[2 * H:] + o * h
    return np.sum(h * h) + (xs[0] @ xs[-1]) * (h @ h)


@pytest.mark.parametrize("H, D, T", [(2, 3, 4), (3, 1, 2)])
def test_slices_bounded_by_shapes_specialize_the_gradient(H, D, T):
    # z[:H] with H = h.shape[0] has a known shape: no unbroadcast, getitem's
    # adjoint without the tape of z, and matmul's adjoints as plain products
    rng = np.random.default_rng(H)
    args = (rng.normal(size=(3 * H, D)), rng.normal(size=(H, 3 * H)),
            rng.normal(size=(T, D)), rng.normal(size=H))
    for _ in range(2):
        s2sad.check_grad(gated, *args, wrt=(0, 1, 2, 3))
    code = str(s2sad.show(gated, wrt=(0, 1, 2, 3), args=args))
    assert "index_adjoint(" in code and "add_outer(" in code
    for general in ("unbroadcast(", "getitem_adjoint(", "matmul_adjoint"):
        assert general not in code


def recurrent(W, U, h, xs, b):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t] + b)
    return np.sum(h * h)


def test_adjoints_accumulate_in_place_where_shapes_are_known():
    rng = np.random.default_rng(5)
    for n in (3, 4):
        args = (0.5 * rng.normal(size=(n, n)), rng.normal(size=(n, 2)), rng.normal(size=n),
                rng.normal(size=(4, 2)), rng.normal(size=n))
        kept = [a.copy() for a in args]
        for _ in range(2):
            s2sad.check_grad(recurrent, *args, wrt=(0, 1, 2, 4))
        for a, b in zip(args, kept):  # (the caller's arrays are never written)
            np.testing.assert_array_equal(a, b)
        code = str(s2sad.show(recurrent, wrt=(0, 1, 2, 4), args=args))
        # rank-one updates of the matrices' adjoints, a sum into the bias's
        assert "dW = add_outer(dW, " in code and "dU = add_outer(dU, " in code
        assert "db = add_into(db, " in code
    # single precision: the gradient as the out-of-place sums would give it
    args32 = tuple(a.astype(np.float32) for a in args)
    grads = s2sad.grad(recurrent, wrt=(0, 1))(*args32)
    expected = s2sad.grad(recurrent, wrt=(0, 1))(*args)
    for g, e in zip(grads, expected):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)
    # under forward mode (a Hessian: forward over reverse) nothing is written in place
    H = s2sad.hessian(recurrent, wrt=2)(*args)
    step = 1e-6
    for k in range(len(args[2])):
        e = np.zeros_like(args[2])
        e[k] = step
        up = s2sad.grad(recurrent, wrt=2)(args[0], args[1], args[2] + e, *args[3:])
        down = s2sad.grad(recurrent, wrt=2)(args[0], args[1], args[2] - e, *args[3:])
        np.testing.assert_allclose(H[:, k], (up - down) / (2 * step), rtol=1e-5, atol=1e-7)


def outer_shared(W, h):
    h = W[0] @ (W + h)  # (one outer product, the adjoint of W + h, reaches W and h)
    h = W @ W * h
    return np.sum(h)


def test_a_rank_one_update_only_takes_a_product_no_other_adjoint_holds():
    # (it once took it back from the second holder: NameError at run time)
    W = np.arange(9.0).reshape(3, 3) / 10
    s2sad.check_grad(outer_shared, W, np.array([0.1, 0.2, 0.3]), wrt=(0, 1))


def test_add_into_writes_in_place_only_where_the_sum_is_the_same_array():
    from s2sad.runtime import add_into

    a = np.ones(3)
    assert add_into(a, np.arange(3.0)) is a and list(a) == [1.0, 2.0, 3.0]
    assert add_into(a, 2.0) is a and list(a) == [3.0, 4.0, 5.0]
    c = np.ones(3)
    assert add_into(c, np.ones(3, np.float32)) is c and list(c) == [2.0, 2.0, 2.0]
    out = add_into(c, np.ones(3) * 1j)  # float64 + complex is complex: a new array
    assert out.dtype == np.complex128 and list(c) == [2.0, 2.0, 2.0]
    f32 = np.ones(3, np.float32)
    out = add_into(f32, np.ones(3))  # float32 + float64 is float64: a new array
    assert out.dtype == np.float64 and out is not f32
    wide = add_into(np.ones(3), np.ones((2, 3)))  # (broadcasts wider: a new array)
    assert wide.shape == (2, 3)
    assert add_into(1.5, 2.0) == 3.5


def row_dot(a, v):
    return a @ v


def rows_through_a_helper(A, v):
    return np.sum(row_dot(A, v)) + np.sum(row_dot(A[:1], v))


def test_a_helper_called_with_two_shapes_in_one_gradient():
    rng = np.random.default_rng(4)
    A, v = rng.normal(size=(3, 2)), rng.normal(size=2)
    grad = s2sad.grad(rows_through_a_helper, wrt=(0, 1))
    for _ in range(2):
        gA, gv = grad(A, v)
        expected_A = np.tile(v, (3, 1))
        expected_A[0] += v
        np.testing.assert_allclose(gA, expected_A, rtol=1e-12)
        np.testing.assert_allclose(gv, A.sum(axis=0) + A[0], rtol=1e-12)


def scaled_by_positions(x, w, m):
    k = np.where(m)[0] + 1.0  # np.where(condition) alone: a tuple of index arrays
    return np.sum(np.sin((x @ w) * k))


def test_where_with_one_argument_is_not_elementwise():
    x, w = np.array([0.3, 0.2, 0.1]), np.array([0.5, -0.4, 0.7])
    m = np.array([True, True, True])
    k = np.array([1.0, 2.0, 3.0])
    for _ in range(2):
        np.testing.assert_allclose(s2sad.grad(scaled_by_positions)(x, w, m),
                                   np.sum(np.cos((x @ w) * k) * k) * w, rtol=1e-12)


def switched(x, squared):
    if squared:
        return np.sum(x * x)
    return np.sum(np.sin(x))


def test_a_bool_argument_takes_the_fast_path_with_either_value():
    x = np.array([0.3, -1.2])
    grad = s2sad.grad(switched)
    grad(x, True)
    before = pipeline.transform_count()
    for _ in range(3):
        np.testing.assert_allclose(grad(x, True), 2 * x, rtol=1e-12)
        np.testing.assert_allclose(grad(x, False), np.cos(x), rtol=1e-12)
    assert pipeline.transform_count() == before


def three_floats(x, y, z):
    return np.sin(x) * y + z ** 2


def test_value_and_grad_of_floats_gives_python_floats_on_every_call():
    vg = s2sad.value_and_grad(three_floats, wrt=(0, 1, 2))
    for _ in range(3):  # (the first call takes the full path, the others the fast one)
        value, grads = vg(0.5, 2.0, -1.5)
        assert value == pytest.approx(np.sin(0.5) * 2.0 + 2.25)
        assert grads == pytest.approx((np.cos(0.5) * 2.0, np.sin(0.5), -3.0))
        assert all(type(g) is float for g in grads) and type(grads) is tuple


def mean_log_loss(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def log_of_complement(x, y):
    return np.sum(y * np.log(1.0 - x)) / 3.0


@pytest.mark.parametrize("f, args", [
    (mean_log_loss, (np.array([0.3, -0.2]), np.arange(12.0).reshape(6, 2) / 7,
                     np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0]))),
    (log_of_complement, (np.linspace(-0.9, 0.9, 5), np.arange(5.0))),
])
def test_a_minus_on_a_product_with_a_number_moves_to_the_number(f, args):
    # -(a * c / b) of arrays a, b and a number c is a * (-c) / b: one array
    # operation fewer, the same value
    code = s2sad.show(f, args=args).split("# backward pass")[1]
    assert not re.search(r"= -\(", code), code
    s2sad.check_grad(f, *args)


def minus_times_a_number(a, c):
    return np.sum(-(a * c) * a)


@pytest.mark.parametrize("c", [np.array(3, dtype=np.uint8), np.array(3, dtype=np.uint64),
                               np.array(True), np.uint16(3), 3.0])
def test_a_minus_is_never_moved_onto_a_number_it_does_not_negate(c):
    # -np.uint8(3) wraps around and a bool has no negative: the user's minus
    # stays where it is (forward mode runs the user's code through the same
    # simplifications)
    a = np.array([0.5, -1.0, 2.0])
    k = float(c)
    np.testing.assert_allclose(s2sad.grad(minus_times_a_number)(a, c), -2 * k * a)
    _, tangent = s2sad.jvp(minus_times_a_number, (a, c), (np.ones(3), None))
    assert tangent == pytest.approx(np.sum(-2 * k * a))
    np.testing.assert_allclose(s2sad.hvp(minus_times_a_number)(a, c, np.ones(3)), -2 * k)


def matmul_call_weighted(A, x, w):
    return np.sum(np.matmul(A, x) * w)


@pytest.mark.parametrize("shapes", [((4, 4), (4,), (4,)), ((3, 4), (4,), (3,)),
                                    ((2, 3, 4), (4,), (2, 3)), ((4,), (4, 3), (3,)),
                                    ((4,), (4,), ())])
def test_a_generalized_ufunc_is_not_taken_for_an_elementwise_one(shapes):
    # (np.matmul is a ufunc with core dimensions: its result does not have its
    # operands' broadcast shape; taking it for one seeded np.sum's adjoint with
    # A's shape, a gradient 4 times too large)
    rng = np.random.default_rng(10)
    A, x, w = (rng.standard_normal(s) for s in shapes)
    for _ in range(2):
        s2sad.check_grad(matmul_call_weighted, A, x, w, wrt=(0, 1, 2))
    assert "spread_number" not in str(s2sad.show(matmul_call_weighted, args=(A, x, w)))


@pytest.mark.parametrize("u_shape, w_shape", [((6,), (6,)), ((6,), ()), ((3, 4), (4,)),
                                              ((3, 4), (3, 1)), ((2, 3, 2), (1, 3, 1))])
def test_roll_and_flip_keep_shapes_in_specialized_code(u_shape, w_shape):
    # np.roll's and np.flip's results have their operand's shape: the loop's
    # adjoints need no unbroadcast; broadcasting against w is still summed
    def rolled_stencil(u, k, w):  # (a new function for each case: each is specialized)
        for _ in range(3):
            u = u + k * (np.roll(u, 1, axis=-1) - 2.0 * u + np.roll(u, -1)) * w
            u = np.flip(u, 0)
        return np.sum(u * u)

    rng = np.random.default_rng(len(u_shape))
    u, w = rng.normal(size=u_shape), rng.normal(size=w_shape)
    for _ in range(2):
        s2sad.check_grad(rolled_stencil, u, 0.1, w, wrt=(0, 1, 2))
    code = str(s2sad.show(rolled_stencil, wrt=(0, 1, 2), args=(u, 0.1, w)))
    loop = code.split("for _ in reversed")[1]
    # (only the sums into k, and into w where it was broadcast: to an array's
    # shape spelled out, `np.sum(..., axis=0)`, to a 0-d array's by unbroadcast)
    assert loop.count("unbroadcast(") == (2 if w_shape == () else 1), loop
    assert loop.count("= np.sum(") == (0 if w_shape in (u_shape, ()) else 1), loop


def doubled_difference(a, b):
    return np.sum((a - 2.0 * b) * a) + np.sum((a - 3 * b) * b)


def test_a_float_constant_times_a_negated_adjoint_is_one_product():
    # the adjoint of b in `a - 2.0 * b`, 2.0 * -g, is written -2.0 * g
    a, b = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.2, -4.0])
    np.testing.assert_allclose(s2sad.grad(doubled_difference, wrt=1)(a, b), -a - 6 * b)
    np.testing.assert_allclose(s2sad.grad(doubled_difference)(a, b), 2 * a - b)
    code = str(s2sad.show(doubled_difference, wrt=1, args=(a, b)))
    assert "-2.0 * " in code and "2.0 * -" not in code, code
    assert "-3 * " not in code, code  # (an int constant is never negated)


def reduced_in_full(x, w, c):
    a = np.sum(np.sin(x) * w) + np.mean(x * x) + np.max(x) - np.min(w)
    return a + np.prod(x[:2]) * np.sum(x, axis=0) + np.sum(c * x)


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_whole_array_reductions_of_known_arrays_are_methods(backend):
    # np.sum(a) goes through a Python wrapper: a.sum() is the same loop,
    # where a is certainly an array (its shape known); with an axis, or of a
    # number, NumPy's function stays
    rng = np.random.default_rng(11)
    x, w = rng.normal(size=4), rng.normal(size=4)
    for c in (0.5, np.float64(0.5)):
        for _ in range(2):
            s2sad.check_grad(reduced_in_full, x, w, c, wrt=(0, 1, 2))
        g = s2sad.grad(reduced_in_full, wrt=(0, 1, 2), backend=backend)(x, w, c)
        expected = s2sad.grad(reduced_in_full, wrt=(0, 1, 2))(x, w, c)
        for a, b in zip(g, expected):
            np.testing.assert_allclose(a, b, rtol=1e-12)
    code = str(s2sad.show(reduced_in_full, wrt=(0, 1, 2), args=(x, w, 0.5)))
    forward = code.split("# backward pass")[0]
    for method in (".mean()", ".max()", ".min()", ".prod()"):
        assert method in forward, forward
    assert "np.sum(x, axis=0)" in forward and ".sum()" in forward
    generic = str(s2sad.show(reduced_in_full, wrt=(0, 1, 2)))
    assert ".sum()" not in generic and "np.sum(" in generic


def gate_steps(W, h, xs):
    H = h.shape[0]
    for t in range(xs.shape[0]):
        z = W[:, :xs.shape[1]] @ xs[t] + W[:, xs.shape[1]:] @ h
        i = np.tanh(z[:H])
        f = 1.0 / (1.0 + np.exp(-z[H:2 * H]))
        h = f * h + i * z[2 * H:]
    return np.sum(h * h)


def gates_with_a_gap(W, h, xs):
    H = h.shape[0]
    z = W[:, :xs.shape[1]] @ xs[0] + W[:, xs.shape[1]:] @ h
    return np.sum(np.tanh(z[:H]) * z[2 * H:])  # (z[H:2 * H] unread: no joining)


@pytest.mark.parametrize("H, D", [(2, 3), (3, 1)])
def test_slices_tiling_a_vector_have_their_adjoints_joined(H, D):
    rng = np.random.default_rng(H + D)
    args = (0.5 * rng.normal(size=(3 * H, D + H)), rng.normal(size=H), rng.normal(size=(4, D)))
    for _ in range(2):
        s2sad.check_grad(gate_steps, *args, wrt=(0, 1, 2))
        s2sad.check_grad(gates_with_a_gap, *args, wrt=(0, 1, 2))
    code = str(s2sad.show(gate_steps, wrt=(0, 1, 2), args=args))
    assert "dz = joined_slices(" in code and "dz = add_at(" not in code, code
    assert "joined_slices(" not in str(s2sad.show(gates_with_a_gap, wrt=(0, 1, 2), args=args))
    # forward mode over the adjoint code (a Hessian) writes the scatters
    step, x = 1e-6, args[1]
    Hh = s2sad.hessian(gate_steps, wrt=1)(*args)
    for k in range(H):
        e = np.zeros(H)
        e[k] = step
        up = s2sad.grad(gate_steps, wrt=1)(args[0], x + e, args[2])
        down = s2sad.grad(gate_steps, wrt=1)(args[0], x - e, args[2])
        np.testing.assert_allclose(Hh[:, k], (up - down) / (2 * step), rtol=1e-5, atol=1e-7)
    if s2sad.backends.numba_available():
        fast = s2sad.grad(gate_steps, wrt=(0, 1, 2), backend="numba")(*args)
        for a, b in zip(fast, s2sad.grad(gate_steps, wrt=(0, 1, 2))(*args)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_joined_slices_gives_the_dtype_of_the_scatters():
    from s2sad.runtime import add_at, index_adjoint, joined_slices

    for pieces in ((np.ones(2, np.float32), np.ones(1, np.float32)),
                   (np.ones(2, np.float32), np.ones(1)), (np.ones(2), np.ones(1) * 1j),
                   (np.arange(2), np.arange(1))):
        expected = add_at(index_adjoint(pieces[0], (3,), np.s_[:2]), np.s_[2:], pieces[1])
        out = joined_slices(pieces)
        assert out.dtype == expected.dtype
        np.testing.assert_array_equal(out, expected)


def recurrent_on_a_join(W, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ np.concatenate([xs[t], h]))
    return np.sum(h * h)


def stacked_and_joined(a, b):
    s = np.stack([a, b], axis=1) * 2.0
    c = np.concatenate((a, b, a), axis=-1)
    d = np.concatenate([a[None], b[None]])
    return np.sum(s * s * np.cos(c[:, None, :1])) + np.sum(np.sin(c)) + np.sum(d * d[0])


@pytest.mark.parametrize("shape", [(2, 3), (1, 4), (3, 1)])
def test_joins_of_known_shapes_specialize_what_follows(shape):
    rng = np.random.default_rng(sum(shape))
    a, b = rng.normal(size=shape), rng.normal(size=shape)
    for _ in range(2):
        s2sad.check_grad(stacked_and_joined, a, b, wrt=(0, 1))
    n, d = shape
    args = (0.5 * rng.normal(size=(n, n + d)), rng.normal(size=n), rng.normal(size=(3, d)))
    for _ in range(2):
        s2sad.check_grad(recurrent_on_a_join, *args, wrt=(0, 1, 2))
    code = str(s2sad.show(recurrent_on_a_join, wrt=(0, 1, 2), args=args))
    assert "add_outer(" in code and "unbroadcast(" not in code, code


def doubled_in_a_loop(x, n):
    for _ in range(n):
        x = np.concatenate([x, np.sin(x)])  # (a shape that changes each trip)
    return np.sum(x * np.arange(x.shape[0]))


def test_a_join_whose_shape_changes_in_a_loop_is_not_taken_for_a_fixed_one():
    x = np.array([0.3, -0.5])
    for n in (1, 3):
        for _ in range(2):
            s2sad.check_grad(doubled_in_a_loop, x, n)


def batched_gates(Wx, Wh, xs, h):
    H = h.shape[1]
    for t in range(xs.shape[0]):
        z = xs[t] @ Wx + h @ Wh  # (a batch's rows: gates are column blocks)
        i = 1.0 / (1.0 + np.exp(-z[:, :H]))
        g = np.tanh(z[:, H:2 * H])
        h = i * g + np.sin(z[:, 2 * H:]) * h
    return np.sum(h * h)


@pytest.mark.parametrize("B, H", [(2, 3), (4, 1)])
def test_column_blocks_of_a_batch_have_their_adjoints_joined(B, H):
    rng = np.random.default_rng(B * H)
    D = 2
    args = (0.5 * rng.normal(size=(D, 3 * H)), 0.5 * rng.normal(size=(H, 3 * H)),
            rng.normal(size=(3, B, D)), rng.normal(size=(B, H)))
    for _ in range(2):
        s2sad.check_grad(batched_gates, *args, wrt=(0, 1, 2, 3))
    code = str(s2sad.show(batched_gates, wrt=(0, 1, 2, 3), args=args))
    assert "dz = joined_slices(pieces, 1)" in code and "dz = add_at(" not in code, code
    if s2sad.backends.numba_available():
        fast = s2sad.grad(batched_gates, wrt=(0, 1, 2, 3), backend="numba")(*args)
        for a, b in zip(fast, s2sad.grad(batched_gates, wrt=(0, 1, 2, 3))(*args)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def coefficients_read_one_by_one(c, x):
    return np.sum(c[0] + c[1] * x + c[2] * x * x + c[-1] * np.sin(x))


def coefficients_in_rows(c, x):
    return np.sum(c[0] * x + c[1] * x * x) + np.sum(c[1:, 1:] ** 2)


@pytest.mark.parametrize("f, c, x", [
    (coefficients_read_one_by_one, np.array([0.5, -1.0, 2.0, 0.3]), np.array([0.2, -0.7, 1.1])),
    (coefficients_read_one_by_one, np.array([0.5, -1.0, 2.0, 0.3]), np.array([[0.2], [-0.7]])),
    (coefficients_in_rows, np.array([[0.5, -1.0, 2.0], [0.3, 0.1, -0.4]]),
     np.array([0.2, -0.7, 1.1])),
    (coefficients_in_rows, np.array([[0.5, -1.0, 2.0], [0.3, 0.1, -0.4]]),
     np.array([[0.2], [-0.7]])),  # (broadcast: each row against a column)
])
def test_values_read_at_indices_add_their_adjoints_there(f, c, x):
    for _ in range(2):
        s2sad.check_grad(f, c, x, wrt=(0, 1))
    code = str(s2sad.show(f, wrt=(0, 1), args=(c, x)))
    assert "index_added(" in code, code
    # forward mode over the adjoint code (a Hessian) keeps the scatters and sums
    assert "index_added(" not in str(s2sad.show(f, wrt=(0, 1), mode="hessian", args=(c, x)))
    h = s2sad.hessian(f, wrt=0)(c, x)
    step = 1e-6
    for k in np.ndindex(c.shape):
        e = np.zeros(c.shape)
        e[k] = step
        up, down = (s2sad.grad(f)(c + s * e, x) for s in (1, -1))
        np.testing.assert_allclose(h[(...,) + k], (up - down) / (2 * step), rtol=1e-5, atol=1e-7)
    if s2sad.backends.numba_available():
        fast = s2sad.grad(f, wrt=(0, 1), backend="numba")(c, x)
        for a, b in zip(fast, s2sad.grad(f, wrt=(0, 1))(c, x)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def biased_layers(W, b, c, X):
    h = np.tanh(X @ W + b) * c
    return np.sum(h ** 2) + np.sum(np.max(h, axis=1, keepdims=True))


@pytest.mark.parametrize("b_shape, c_shape", [((4,), (5, 1)), ((1, 4), (1, 1)),
                                              ((5, 4), (4,)), ((2, 1, 4), (1, 5, 1))])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sums_into_broadcast_operands_are_spelled_out(b_shape, c_shape, dtype):
    rng = np.random.default_rng(len(b_shape) + len(c_shape))
    args = tuple(rng.standard_normal(s).astype(dtype) for s in ((3, 4), b_shape, c_shape,
                                                                 (5, 3)))
    wide = tuple(a.astype(np.float64) for a in args)
    for _ in range(2):
        grads = s2sad.grad(biased_layers, wrt=(0, 1, 2))(*args)
        for g, a, i in zip(grads, args, range(3)):
            assert g.dtype == dtype and g.shape == a.shape
            np.testing.assert_allclose(g, s2sad.numerical_gradient(biased_layers, wide, i),
                                       rtol=1e-5 if dtype == np.float64 else 2e-2, atol=1e-6
                                       if dtype == np.float64 else 1e-2)
    code = str(s2sad.show(biased_layers, wrt=(0, 1, 2), args=args))
    backward = code.split("# backward pass")[1]
    assert "np.sum(" in backward and "unbroadcast(" not in backward, code
    if s2sad.backends.numba_available() and len(b_shape) < 3 and dtype == np.float64:
        fast = s2sad.grad(biased_layers, wrt=(0, 1, 2), backend="numba")(*args)
        for a, b in zip(fast, grads):
            np.testing.assert_allclose(a, b, rtol=1e-12 if dtype == np.float64 else 1e-5)


# ---------------------------------------------------------------- functions of one code


def tanh_layer_loss(X):
    def loss(w):
        return np.sum(np.tanh(X @ w))
    return loss


def scaled_by(act):
    def loss(w):
        return np.sum(act(w) * w)
    return loss


def logistic_loss(w, X, y):
    p = 1 / (1 + np.exp(-(X @ w)))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_a_closure_or_lambda_made_again_takes_the_first_ones_code():
    """`grad(lambda w: loss(w, X, y))` in a loop, or a factory's closure made
    per batch: one transform, rebound to each new function's cells (each was
    transformed anew: about 15 ms a call)."""
    rng = np.random.default_rng(3)
    w = rng.standard_normal(3)
    before = pipeline.transform_count()
    for rows in (4, 5, 6, 4):
        X = rng.standard_normal((rows, 3))
        y = (rng.random(rows) > 0.5) * 1.0
        np.testing.assert_allclose(s2sad.grad(tanh_layer_loss(X))(w),
                                   X.T @ (1 - np.tanh(X @ w) ** 2))
        by_lambda = s2sad.grad(lambda v: logistic_loss(v, X, y))(w)  # noqa: B023 (called now)
        p = 1 / (1 + np.exp(-(X @ w)))
        np.testing.assert_allclose(by_lambda, X.T @ (p - y) / rows)
        np.testing.assert_allclose(s2sad.hessian(tanh_layer_loss(X))(w), X.T @ np.diag(
            -2 * np.tanh(X @ w) * (1 - np.tanh(X @ w) ** 2)) @ X, atol=1e-12)
    # the closure's gradient and Hessian, the lambda, and logistic_loss's
    # backward-pass split once per shape of X it is called with (three)
    assert pipeline.transform_count() - before == 6


def test_a_closure_whose_captured_callee_differs_is_transformed_again():
    w = np.array([0.3, -0.2])
    before = pipeline.transform_count()
    np.testing.assert_allclose(s2sad.grad(scaled_by(np.sin))(w), np.sin(w) + w * np.cos(w))
    np.testing.assert_allclose(s2sad.grad(scaled_by(np.exp))(w), np.exp(w) * (1 + w))
    assert pipeline.transform_count() - before == 2


def layered_loss(scale):
    def loss(w):
        layers = [np.tanh, lambda v: v * scale]  # (a function of its own, compiled apart)
        h = w
        for layer in layers:
            h = layer(h)
        return np.sum(h ** 2)
    return loss


class Squares:
    def val(self, x):
        return np.sum(x ** 2)


def scaled_subclass(base, k):
    class Scaled(base):
        def val(self, x):
            return super().val(x) * k
    return Scaled


class HoldsIt:
    def __init__(self, x):
        self.y = x


class HoldsSine:
    def __init__(self, x):
        self.y = np.sin(x)


def built_on(base):
    class Derived(base):
        def __init__(self, x):
            base.__init__(self, x)

    def f(x):
        return np.sum(Derived(x).y)
    return f


def maybe_helped(flag):
    if flag:
        def helper(x):
            return np.sum(x ** 2)

    def f(x):
        if flag:
            return helper(x)
        return np.sum(x)
    return f


def test_what_a_closure_chose_beyond_its_cells_is_not_rebound():
    """(an outside review: a local lambda compiled apart kept the first
    closure's scale, a factory class's super() and base __init__ the first
    class, an empty cell the first compile's refusal)"""
    w, x = np.array([0.3, -0.2]), np.array([1.0, 2.0])
    s2sad.grad(layered_loss(1.0))(w)
    np.testing.assert_allclose(s2sad.grad(layered_loss(10.0))(w),
                               200 * np.tanh(w) * (1 - np.tanh(w) ** 2))
    once = scaled_subclass(Squares, 2.0)
    twice = scaled_subclass(once, 3.0)
    np.testing.assert_allclose(s2sad.grad(once().val)(x), 4 * x)
    np.testing.assert_allclose(s2sad.grad(twice().val)(x), 12 * x)
    np.testing.assert_allclose(s2sad.grad(built_on(HoldsIt))(x), [1.0, 1.0])
    np.testing.assert_allclose(s2sad.grad(built_on(HoldsSine))(x), np.cos(x))
    np.testing.assert_allclose(s2sad.grad(maybe_helped(False))(x), [1.0, 1.0])
    np.testing.assert_allclose(s2sad.grad(maybe_helped(True))(x), 2 * x)
