"""The backends: the generated code run by NumPy, compiled by Numba, or `auto`.

Numba's gradients must equal the NumPy backend's (to rounding) and finite
differences, on scalar loops, branches and array code; compilations are
counted, not timed (one per generated function and combination of argument
types, none on a second call); what Numba cannot compile is refused with an
error at the user's line under `backend="numba"`, and run by NumPy under
`backend="auto"`. Numba compiles slowly, so the programs are few and small.
"""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import s2sad
from s2sad import backends
from s2sad.errors import BackendError

numba_runtime = pytest.importorskip("s2sad.numba_runtime") if backends.numba_available() \
    else None

ROOT = Path(__file__).resolve().parent.parent
needs_numba = pytest.mark.skipif(not backends.numba_available(),
                                 reason="Numba is not installed (pip install 's2sad[numba]')")


# ---------------------------------------------------------------- programs


def recurrence(x, n):
    for _ in range(n):
        x = np.sin(x) * 0.9 + 0.1 * x * x
    return x


def branch_loop(x, a):
    s = 0.0
    for i in range(50):
        if x > a:
            s = s + np.sin(x) * x
        else:
            s = s + x * x * 0.5
        x = x * 0.97 + 0.01 * i
    return s + x


def while_branch(x, a):
    s = 0.0
    while x < 10.0:
        if x > a:
            s = s + np.sin(x) * x
        else:
            s = s + x * x * 0.5
        x = x * 1.1 + 0.05
    return s + x


def two_lines(x, y):
    a = np.sin(x) * y + x * x
    return np.exp(-a) + a * y


def with_math(x, y):
    return math.tanh(x * y) + max(x, y) ** 2 - abs(x - y)


def array_sum(x):
    return np.sum(np.sin(x) * x)


def logistic(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)) + 0.1 * np.sum(w * w) / len(w)


def stencil(u, steps):
    for _ in range(steps):
        v = u.copy()
        for i in range(1, u.shape[0] - 1):
            v[i] = u[i] + 0.1 * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        u = v
    return np.sum(u * u)


def softmax_loss(a, Y):
    s = a - np.max(a, axis=1, keepdims=True)
    return -np.sum(Y * (s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))))


def returned_in_a_loop(x, n):
    for _ in range(n):
        x = x * 1.1
        if x > 5.0:
            return x * x  # (its value starts as None: Numba's Optional(float64))
    return x


def while_index(x):
    s = 0.0
    i = 0
    while i < x.shape[0]:
        s += x[i] * x[i]
        i += 1
    return s


def method_reductions(A):
    return np.sum(A.max(axis=0) ** 2) + np.sum(A.mean(axis=1)) + np.sum(A.min(0) * 3.0) + \
        np.sum(A.sum(axis=1, keepdims=True) ** 2)


RNG = np.random.default_rng(0)
X6 = RNG.standard_normal((6, 3))
CASES = [
    (returned_in_a_loop, 0, (1.0, 30)),
    (returned_in_a_loop, 0, (1.0, 3)),
    (recurrence, 0, (0.5, 30)),
    (branch_loop, (0, 1), (0.8, 0.5)),
    (while_branch, (0, 1), (-0.41, 3.0)),
    (two_lines, (0, 1), (0.7, -0.3)),
    (with_math, (0, 1), (0.4, -0.6)),
    (array_sum, 0, (RNG.standard_normal(5),)),
    (logistic, 0, (RNG.standard_normal(3), X6, (X6[:, 0] > 0).astype(float))),
    (softmax_loss, 0, (X6, np.eye(3)[[0, 1, 2, 0, 1, 2]])),
    (stencil, 0, (RNG.standard_normal(6), 3)),
    (method_reductions, 0, (X6,)),  # (an array's methods along an axis, as NumPy's functions)
    (while_index, 0, (RNG.standard_normal(4),)),  # (an int index on a tape of floats)
]


def _leaves(g, wrt):
    return tuple(g) if isinstance(wrt, tuple) else (g,)


@needs_numba
@pytest.mark.parametrize("f, wrt, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_numba_gradients_equal_numpy_and_finite_differences(f, wrt, args):
    value, grads = s2sad.value_and_grad(f, wrt=wrt, backend="numba")(*args)
    ref_value, ref_grads = s2sad.value_and_grad(f, wrt=wrt)(*args)
    np.testing.assert_allclose(value, ref_value, rtol=1e-12)
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    for i, ours, theirs in zip(indices, _leaves(grads, wrt), _leaves(ref_grads, wrt)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
        assert type(ours) is type(theirs) or isinstance(ours, float)
        numeric = s2sad.numerical_gradient(f, args, i)
        np.testing.assert_allclose(ours, numeric, rtol=1e-5, atol=1e-7)


def counted(x, n):
    for _ in range(n):
        x = np.cos(x) * x + 0.5
    return x


@needs_numba
def test_numba_compiles_once_per_argument_types():
    gradient = s2sad.grad(counted, backend="numba")
    before = backends.compile_count()
    first = gradient(0.5, 20)
    assert backends.compile_count() - before == 1
    for x in (0.1, 0.2, 0.3):
        gradient(x, 20)
    assert backends.compile_count() - before == 1  # the same types: nothing compiled
    gradient(np.array(0.5)[()], 20)  # a NumPy float64 is Numba's float64 too
    assert backends.compile_count() - before == 1
    assert gradient(0.5, 20) == first


@needs_numba
def test_calls_with_numbers_run_numbas_dispatcher_directly():
    # once compiled for numbers, later calls with numbers of the same types
    # skip the wrapper (its compile count and error translation have nothing
    # to do); arrays keep it: their dtype and layout may compile anew
    compiled = s2sad.api.compile_gradient(counted, (0,), scalars=(0, 1))
    run = backends.runner(compiled, "numba")
    run(0.5, 20)
    # (with the seed given: Numba's dispatch of an omitted argument costs more)
    assert backends.settled(run, (0.5, 20)) == (run.dispatcher, (1.0,))
    assert backends.settled(run, (np.array([0.5]), 20)) == (run, ())
    auto = backends.runner(compiled, "auto")
    auto(0.5, 20)
    assert backends.settled(auto, (0.5, 20)) == (auto.fast.dispatcher, (1.0,))
    assert backends.settled(compiled.func, (0.5, 20)) == (compiled.func, ())
    # (compiled once, for the seed given as a float)
    assert [str(t) for t in run.dispatcher.signatures[0]] == ["float64", "int64", "float64"]
    gradient = s2sad.value_and_grad(counted, backend="numba")
    before = backends.compile_count()
    results = [gradient(0.5, 20) for _ in range(3)]
    assert backends.compile_count() - before <= 1 and results[0] == results[2]
    np.testing.assert_allclose(results[0], s2sad.value_and_grad(counted)(0.5, 20), rtol=1e-12)


def transcendental_layer(W, X):
    h = np.tanh(X @ W)
    return np.sum(np.log1p(np.exp(h)) * np.arctan(h)) + np.sum(np.expm1(W) ** 2)


@needs_numba
@pytest.mark.parametrize("shape", [(3, 4), (40, 30)])
def test_numpys_vectorized_loops_run_numbas_big_transcendentals(shape):
    # np.tanh(x) is numba_runtime.vector_tanh(x): NumPy's own loop (through
    # Numba's object mode) on float64 arrays of VECTOR_SIZE numbers or more,
    # Numba's below that; the same gradient either way
    rng = np.random.default_rng(5)
    W, X = 0.3 * rng.standard_normal((shape[1], shape[1])), rng.standard_normal(shape)
    shown = str(s2sad.show(transcendental_layer, backend="numba", args=(W, X)))
    assert "vector_tanh(" in shown and "vector_expm1(" in shown and "np.tanh(" not in shown
    ours = s2sad.value_and_grad(transcendental_layer, backend="numba")(W, X)
    theirs = s2sad.value_and_grad(transcendental_layer)(W, X)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours[1], s2sad.numerical_gradient(transcendental_layer, (W, X), 0),
                               rtol=1e-5, atol=1e-7)


def tanh_loop(x):
    h = x
    for _ in range(3):
        h = np.tanh(h * 0.9 + 0.1)
    return np.sum(h * h)


def batch_rnn(W, X):
    h = X.T
    for _ in range(4):
        h = np.tanh(h @ W)
    return np.sum(h ** 2)


@needs_numba
def test_fortran_ordered_arrays_keep_their_layout_or_fall_back():
    # a transposed argument is Fortran-ordered: the loop's array keeps one
    # layout through NumPy's tanh; what Numba's lowering cannot allocate is
    # a BackendError (auto: NumPy), never Numba's own exception
    rng = np.random.default_rng(8)
    x = rng.standard_normal((40, 30)).T
    expected = s2sad.value_and_grad(tanh_loop)(x)
    for backend in ("numba", "auto"):
        ours = s2sad.value_and_grad(tanh_loop, backend=backend)(x)
        np.testing.assert_allclose(ours[1], expected[1], rtol=1e-10, atol=1e-12)
    W, X = 0.3 * rng.standard_normal((8, 8)), rng.standard_normal((8, 40))
    np.testing.assert_allclose(s2sad.grad(batch_rnn, backend="auto")(W, X),
                               s2sad.grad(batch_rnn)(W, X), rtol=1e-10)
    try:
        s2sad.grad(batch_rnn, backend="numba")(W, X)
    except BackendError as exc:
        assert "layout" in exc.message


def relaxation(theta):
    x = np.zeros_like(theta)
    for _ in range(20):
        x = x - 0.5 * (x - np.tanh(theta * x) - 0.5)
    return np.sum(x ** 2)


@needs_numba
def test_auto_remembers_a_failure_for_those_argument_types_only():
    # float32 meeting Python's floats does not compile in Numba; float64 does,
    # before and after
    x = np.linspace(0.1, 0.5, 20)
    gradient = s2sad.grad(relaxation, backend="auto")
    expected = s2sad.grad(relaxation)(x)
    np.testing.assert_allclose(gradient(x.astype(np.float32)), expected, rtol=1e-5)
    np.testing.assert_allclose(gradient(x), expected, rtol=1e-12)
    shown = str(s2sad.show(relaxation, backend="auto", args=(x,)))
    assert shown.startswith("# backend: numba"), shown.splitlines()[0]
    shown = str(s2sad.show(relaxation, backend="auto", args=(x.astype(np.float32),)))
    assert shown.startswith("# backend: numpy"), shown.splitlines()[0]


def gated_steps(W, xs, h):
    H = h.shape[0]
    for t in range(xs.shape[0]):
        z = W[:, :3] @ xs[t] + W[:, 3:] @ h
        gate = 1.0 / (1.0 + np.exp(-z[:H]))
        h = gate * np.tanh(z[H:2 * H]) + (1.0 - gate) * h
    return np.sum(h * h) + np.sum(W[:, 0] ** 2) + np.sum(W[1:, -2:])


@needs_numba
def test_slices_in_the_generated_code_compile_in_numba():
    # (np.s_[a:b], an index kept as a value, is slice(a, b, None) for Numba)
    rng = np.random.default_rng(11)
    H, D = 4, 3
    W, xs, h = 0.4 * rng.standard_normal((2 * H, D + H)), rng.standard_normal((5, D)), \
        np.zeros(H)
    shown = str(s2sad.show(gated_steps, backend="auto", args=(W, xs, h)))
    assert shown.startswith("# backend: numba"), shown.splitlines()[0]
    ours = s2sad.value_and_grad(gated_steps, backend="numba")(W, xs, h)
    theirs = s2sad.value_and_grad(gated_steps)(W, xs, h)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours[1], s2sad.numerical_gradient(gated_steps, (W, xs, h), 0),
                               rtol=1e-5, atol=1e-7)


@needs_numba
def test_the_other_transforms_take_the_backend():
    for backend in ("numba", "auto"):
        value, tangent = s2sad.jvp(two_lines, (0.7, -0.3), (1.0, 0.5), backend=backend)
        ref = s2sad.jvp(two_lines, (0.7, -0.3), (1.0, 0.5))
        np.testing.assert_allclose((value, tangent), ref, rtol=1e-12)
        _, pullback = s2sad.vjp(recurrence, 0.5, 10, backend=backend)
        np.testing.assert_allclose(pullback(2.0)[0], s2sad.vjp(recurrence, 0.5, 10)[1](2.0)[0],
                                   rtol=1e-12)
        hessian = s2sad.hessian(two_lines, wrt=(0, 1), backend=backend)(0.7, -0.3)
        np.testing.assert_allclose(hessian, s2sad.hessian(two_lines, wrt=(0, 1))(0.7, -0.3),
                                   rtol=1e-12)
        second = s2sad.grad(s2sad.grad(recurrence, backend=backend), backend=backend)(0.5, 10)
        np.testing.assert_allclose(second, s2sad.grad(s2sad.grad(recurrence))(0.5, 10),
                                   rtol=1e-12)


@needs_numba
def test_a_derivative_numba_divides_by_zero_in_is_numpys():
    # Python floats raise where NumPy gives inf; Numba raises as Python does,
    # and grad then computes the derivative with NumPy scalars.
    def root(x):
        return np.sqrt(x)

    gradient = s2sad.grad(root, backend="numba")
    assert gradient(0.0) == s2sad.grad(root)(0.0) == np.inf
    assert gradient(1.0) == 0.5 and gradient(0.0) == np.inf  # (through the direct path too)


# ---------------------------------------------------------------- the Numba helpers, one by one

HELPER_CASES = [  # (helper, arguments): each equals the NumPy helper of the same name
    ("unbroadcast", (2.5, 1.0)),
    ("unbroadcast", (np.arange(3.0), 1.0)),
    ("unbroadcast", (1.5, np.ones(3))),
    ("unbroadcast", (np.arange(6.0).reshape(2, 3), np.ones(3))),
    ("unbroadcast", (np.arange(6.0).reshape(2, 3), np.ones((1, 3)))),
    ("unbroadcast", (np.arange(6.0).reshape(2, 3), np.ones((2, 1)))),
    ("unbroadcast", (np.arange(3.0), np.ones(1))),
    ("sum_adjoint", (2.0, np.ones((2, 3)))),
    ("sum_adjoint", (np.arange(2.0).reshape(2, 1), np.ones((2, 3)), 1, True)),
    ("sum_adjoint", (np.arange(3.0), np.ones((2, 3)), 0)),
    ("mean_adjoint", (np.arange(2.0), np.ones((2, 3)), -1)),
    ("extremum_adjoint", (1.5, np.array([1.0, 3.0, 3.0]), 3.0)),
    ("extremum_adjoint", (np.ones((2, 1)), np.array([[1.0, 2.0, 2.0], [0.0, 5.0, 1.0]]),
                          np.array([[2.0], [5.0]]), 1, True)),
    ("matmul_adjoint_a", (np.arange(2.0), np.ones((2, 3)), np.arange(3.0))),
    ("matmul_adjoint_b", (np.arange(2.0), np.arange(6.0).reshape(2, 3), np.arange(3.0))),
    ("matmul_adjoint_a", (np.ones((2, 2)), np.ones((2, 3)), np.arange(6.0).reshape(3, 2))),
    ("matmul_adjoint_b", (np.ones((2, 2)), np.arange(6.0).reshape(2, 3), np.ones((3, 2)))),
    ("abs_adjoint", (2.0, -0.5)),
    ("abs_adjoint", (np.ones(3), np.array([-1.0, 0.0, 2.0]))),
    ("zeros_like", (np.ones((2, 2), dtype=np.int64),)),
    ("reduce_max", (np.arange(6.0).reshape(2, 3), 0, True)),
    ("reduce_min", (np.arange(6.0).reshape(2, 3), -1, False)),
    ("reduce_mean", (np.arange(6.0).reshape(2, 3), None, True)),
    ("reduce_sum", (np.arange(6.0).reshape(2, 3), 1, True)),
    ("abs_sign", (-0.0,)),
    ("abs_sign", (np.array([-1.0, 0.0, -0.0, 2.0]),)),
    ("max_share", (np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0]))),
    ("max_share", (2.0, np.array([3.0, 2.0, 1.0]))),
    ("add_adjoints", (None, np.ones(2))),
    ("add_adjoints", (1.5, 2.0)),
    ("add_into", (np.ones((1, 3)), np.ones((2, 3)))),
    ("add_into", (np.ones((3, 1)), np.arange(3.0))),
    ("add_into", (np.ones((2, 3)), np.arange(3.0))),
    ("add_into", (np.ones((2, 2)), 0.5)),
    ("add_outer", (np.ones((2, 3)), np.arange(2.0), np.arange(3.0))),
    ("spread_number", (1.5, (2, 3))),
    ("outer_added", (np.ones((2, 3)), np.arange(2.0), np.arange(3.0))),
    ("spread_number", (np.arange(3.0), (3,))),
    ("add_outer", (np.ones((1, 3)), np.arange(2.0), np.arange(3.0))),
    ("augmented", (np.arange(3.0), "*=", 2.0)),
    ("augmented", (np.ones((2, 3)), "-=", np.arange(3.0))),
    ("augmented", (1.5, "/=", 4.0)),
    ("getitem_adjoint", (np.ones(3), np.ones((2, 3)), 1)),
    ("getitem_adjoint", (2.0, np.ones((2, 3)), (1, -1))),
    ("index_adjoint", (np.arange(2.0), (4,), slice(1, 3))),
    ("add_at", (np.ones((2, 3)), (slice(None), 1), np.arange(2.0))),
    ("added_at", (np.ones((2, 3)), 1, np.arange(3.0))),
    ("added_at", (np.ones(4), slice(1, 3), 2.0)),
    ("index_adjoint", (2.0, (2, 3), (1, -1))),
    ("own", (np.arange(3.0),)),
    ("snapshot", (2.5,)),
    ("read_slice", (np.arange(6.0).reshape(2, 3), 1, np.ones((2, 3)), np.ones(3))),
    ("index_added", (np.arange(4.0), 2.5, (4,), 1)),
    ("index_added_into", (np.arange(4.0), 2.5, (4,), -1)),
    ("index_added_into", (np.ones((2, 3)), np.arange(3.0), (2, 3), 1)),
]


def _calling_all(cases):
    """One function calling each helper, with its array arguments as
    parameters and the others written in as constants (as generated code
    calls them; one compilation for all, as Numba's fixed cost per function
    is most of it); and the arrays."""
    namespace, arrays, calls = {}, [], []
    for k, (name, args) in enumerate(cases):
        namespace[f"h{k}"] = getattr(numba_runtime, name)
        parts = []
        for a in args:
            if isinstance(a, np.ndarray):
                arrays.append(a)
                parts.append(f"a{len(arrays) - 1}")
            else:
                parts.append(repr(a))
        calls.append(f"h{k}({', '.join(parts)})")
    params = ", ".join(f"a{i}" for i in range(len(arrays)))
    exec(f"def call({params}):\n    return ({', '.join(calls)},)", namespace)
    return namespace["call"], arrays


@needs_numba
def test_each_numba_helper_equals_numpys():
    import numba

    # (NumPy's helpers first, on copies: add_into writes into its first argument)
    expected = [getattr(numba_runtime, name)(*[a.copy() if isinstance(a, np.ndarray) else a
                                               for a in args])
                for name, args in HELPER_CASES]
    call, arrays = _calling_all(HELPER_CASES)
    results = numba.njit(call)(*arrays)
    target = np.zeros((2, 3))
    same = numba.njit(lambda dx, g: numba_runtime.add_at(dx, (slice(None), 1), g))(
        target, np.ones(2))
    np.testing.assert_array_equal(target, [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    assert same is target or np.shares_memory(same, target)  # (in place, as NumPy's)
    for (name, args), ours, theirs in zip(HELPER_CASES, results, expected):
        assert np.shape(ours) == np.shape(theirs), (name, args)
        np.testing.assert_array_equal(ours, theirs, err_msg=f"{name}{args}")


# ---------------------------------------------------------------- refused, and auto

WEIGHTS = np.array([1.0, 2.0, 3.0])


def reads_a_global_array(x):
    return np.sum(WEIGHTS * x)


def sum_over_a_tuple_of_axes(a):
    return np.sum(np.sum(a, axis=(0, 1)) * 2.0)


@needs_numba
def test_numba_refuses_a_global_array_at_the_users_line():
    with pytest.raises(BackendError) as info:
        s2sad.grad(reads_a_global_array, backend="numba")(np.ones(3))
    message = str(info.value)
    assert "`WEIGHTS` (a ndarray)" in message and "freeze" in message
    assert "return np.sum(WEIGHTS * x)" in message  # the user's line
    assert "backend='auto'" in message


@needs_numba
def test_numba_refuses_what_it_cannot_compile_naming_it():
    with pytest.raises(BackendError) as info:
        s2sad.grad(sum_over_a_tuple_of_axes, backend="numba")(np.ones((2, 3)))
    error = info.value
    assert "no implementation of sum_adjoint(float64, float64)" in error.message
    assert "`t_1 = sum_adjoint(dout_1, t)`" in error.message  # the generated statement
    assert error.loc is not None and "np.sum(np.sum(a, axis=(0, 1)) * 2.0)" in error.loc.text


@needs_numba
def test_auto_falls_back_to_numpy_and_show_says_which():
    a = RNG.standard_normal((2, 3))
    for f, x in ((reads_a_global_array, np.ones(3)), (sum_over_a_tuple_of_axes, a)):
        np.testing.assert_allclose(s2sad.grad(f, backend="auto")(x), s2sad.grad(f)(x),
                                   rtol=1e-12)
        shown = s2sad.show(f, backend="auto", args=(x,))
        assert shown.startswith("# backend: numpy: Numba cannot compile")
    shown = s2sad.show(two_lines, wrt=(0, 1), backend="auto", args=(0.7, -0.3))
    assert shown.startswith("# backend: numba\n") and "def dtwo_lines(x, y, dout=1.0):" in shown
    assert "from s2sad.numba_runtime import" in s2sad.show(recurrence, backend="numba")


def test_an_unknown_backend_is_refused():
    with pytest.raises(BackendError, match="backend must be one of"):
        s2sad.grad(two_lines, backend="jax")


def test_without_numba_numba_is_refused_and_auto_runs_numpy(monkeypatch):
    monkeypatch.setattr(backends, "numba_available", lambda: False)

    def cube(x):
        return x * x * x

    with pytest.raises(BackendError, match="needs Numba"):
        s2sad.grad(cube, backend="numba")(2.0)
    assert s2sad.grad(cube, backend="auto")(2.0) == 12.0


# ---------------------------------------------------------------- the cache


def test_import_s2sad_does_not_import_numba():
    code = "import sys, s2sad; s2sad.grad(lambda x: x); print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "False", out.stderr


@needs_numba
def test_a_second_process_loads_numbas_cache(tmp_path):
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent("""
        import numpy as np
        import s2sad
        from s2sad import backends

        def f(x):
            for _ in range(10):
                x = np.cos(x) * x
            return x

        gradient = s2sad.grad(f, backend="numba")
        print(gradient(0.3))
        print("hit" if backends.numba_cache_stats() == {"hits": 1, "misses": 0} else "miss")
    """))
    env = {**os.environ, "S2SAD_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    runs = [subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           env=env, cwd=tmp_path) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert runs[0].stdout.split()[1] == "miss" and runs[1].stdout.split()[1] == "hit"
    assert runs[0].stdout.split()[0] == runs[1].stdout.split()[0]
    cache = tmp_path / "cache" / "numba"
    assert (cache.stat().st_mode & 0o777) == 0o700
    assert [p.name for p in cache.glob("s2sad_*.py")]


@needs_numba
def test_gradients_cached_by_two_processes_run_their_own_code_in_a_third(tmp_path):
    # np.exp's and np.tanh's implementations come from one factory; compiled
    # in two processes they once got one machine-code name, and the third
    # process, loading both from the cache, ran np.exp's code for np.tanh
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent("""
        import sys
        import numpy as np
        import s2sad

        def with_exp(x):
            return np.sum(np.exp(x) * x)

        def with_tanh(x):
            return np.sum(np.tanh(x) * x)

        x = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
        for name in sys.argv[1:]:
            f = globals()[name]
            fast, ref = s2sad.grad(f, backend="numba")(x), s2sad.grad(f)(x)
            print(name, np.allclose(fast, ref, rtol=1e-12, atol=1e-14))
    """))
    env = {**os.environ, "S2SAD_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    outputs = []
    for names in (["with_exp"], ["with_tanh"], ["with_exp", "with_tanh"],
                  ["with_tanh", "with_exp"]):
        run = subprocess.run([sys.executable, str(script), *names], capture_output=True,
                             text=True, env=env, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout.split())
    assert outputs[2:] == [["with_exp", "True", "with_tanh", "True"],
                           ["with_tanh", "True", "with_exp", "True"]]


@needs_numba
def test_a_cache_directory_others_can_write_is_refused(tmp_path, monkeypatch):
    from s2sad import numba_backend

    shared = tmp_path / "shared"
    (shared / "numba").mkdir(parents=True)
    os.chmod(shared / "numba", 0o777)
    monkeypatch.setenv("S2SAD_CACHE_DIR", str(shared))
    with pytest.raises(BackendError, match="not private"):
        numba_backend.cache_dir()


@needs_numba
def test_a_functions_numba_code_goes_with_it():
    import gc
    import weakref

    def make():
        def f(x):
            return np.sin(x) * x
        return f

    f = make()
    s2sad.grad(f, backend="numba")(0.3)
    s2sad.grad(f, backend="auto")(0.3)
    ref = weakref.ref(f)
    del f
    gc.collect()
    assert ref() is None


@needs_numba
def test_an_extra_positional_argument_is_refused_not_taken_as_the_seed():
    # Numba's copy of the code takes the keyword-only seed by position too
    for backend in ("numba", "auto"):
        g = s2sad.grad(two_lines, backend=backend)
        expected = g(0.5, 1.5)
        with pytest.raises(TypeError, match=r"^two_lines\(\): too many positional"):
            g(0.5, 1.5, 3.0)
        assert g(0.5, 1.5) == expected



def dict_read_back(x):
    d = {"a": x}
    return np.sum(d["a"] ** 2)


def written_slice(x):
    y = np.zeros(len(x))
    y[1:] = np.cumsum(x[:-1])
    return np.sum(y ** 2)


def written_sine(x):
    y = np.zeros(len(x))
    y[1:] = np.sin(x[:-1])
    return np.sum(y ** 2)


@needs_numba
@pytest.mark.parametrize("fn", [dict_read_back, written_slice, written_sine])
def test_a_split_on_auto_runs_both_halves_on_one_backend(fn):
    # the forward half compiled by Numba, the backward refused: the NumPy
    # backward cannot read Numba's state (an IndexError, a SystemError); the
    # forward runs again on NumPy
    x = np.array([0.3, -0.2, 0.9, 0.4])
    expected = s2sad.grad(fn)(x)
    np.testing.assert_allclose(s2sad.numerical_gradient(fn, (x,), 0), expected, rtol=1e-6)
    for _ in range(2):  # (the second time: NumPy for these kinds from the start)
        (g,) = s2sad.vjp(fn, x, backend="auto")[1](1.0)
        np.testing.assert_allclose(g, expected)
        np.testing.assert_allclose(s2sad.jacobian(fn, backend="auto")(x), expected)
        np.testing.assert_allclose(s2sad.elementwise_grad(fn, backend="auto")(x), expected)


@needs_numba
def test_a_slice_kept_for_the_backward_pass_is_refused_by_numba():
    # (Numba compiled the forward half, then failed to return the slice in its
    # state: a SystemError after running)
    x = np.array([0.3, -0.2, 0.9, 0.4])
    expected = np.append(np.sin(2 * x[:-1]), 0.0)
    with pytest.raises(BackendError, match="slice kept for the backward pass"):
        s2sad.vjp(written_sine, x, backend="numba")
    np.testing.assert_allclose(s2sad.vjp(written_sine, x, backend="auto")[1](1.0)[0], expected)
    np.testing.assert_allclose(s2sad.grad(written_sine, backend="numba")(x), expected)


def transposed_and_real(W, x):
    return np.sum(np.tanh(W.T @ x) * W.real[0])


@needs_numba
def test_attributes_adjoints_compile_in_generic_code():
    # (past the shapes specialized for, `W.T`'s adjoint asks at run time what
    # W is: Numba's version takes arrays)
    x = np.array([0.3, -0.2])
    g = s2sad.grad(transposed_and_real, wrt=(0, 1), backend="numba")
    for n in range(3, 9):
        W = np.random.default_rng(n).normal(size=(2, n))
        for a, b in zip(g(W, x), s2sad.grad(transposed_and_real, wrt=(0, 1))(W, x)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert "array_attribute_adjoint" in s2sad.show(transposed_and_real, wrt=(0, 1),
                                                   backend="numba")


def elementwise_energy(x, m):
    return 0.5 * m * x * x


@needs_numba
def test_a_non_scalar_output_is_the_users_error_on_numba_too():
    # (Numba refused require_scalar of an array: a BackendError that told the
    # user to try backend='auto', which then said the real thing)
    x = np.array([1.0, -0.5])
    for backend in ("numpy", "numba", "auto"):
        with pytest.raises(s2sad.NonScalarOutputError, match=r"array of shape \(2,\)"):
            s2sad.grad(elementwise_energy, backend=backend)(x, 2.0)


def mean_error_of_dict(p, X, y):
    return np.mean((X @ p["w"] + p["b"] - y) ** 2)


@needs_numba
def test_show_for_arguments_numba_has_no_type_for_says_so():
    # (numba.typeof's ValueError for a dict escaped from show; grad said BackendError)
    args = ({"w": np.ones(3), "b": 0.5}, np.ones((4, 3)), np.zeros(4))
    with pytest.raises(s2sad.BackendError, match="Numba cannot compile"):
        s2sad.show(mean_error_of_dict, args=args, backend="numba")
    with pytest.raises(s2sad.BackendError, match="a dict argument"):  # (said before Numba's)
        s2sad.grad(mean_error_of_dict, backend="numba")(*args)
    assert str(s2sad.show(mean_error_of_dict, args=args, backend="auto")).startswith(
        "# backend: numpy")


# ---------------------------------------------------------------- Python's numbers under Numba
# (an outside tester's: each gave another value or gradient than Python's, silently)


def int_to_negative_power(x, n):
    return x * n ** -1


def names_like_renamed_ones(x):
    s = x
    s_1 = 2.0 * x
    s_1__ = 3.0
    for _ in range(2):
        s_1 = s_1 * 0.5 + s
        s = s * 0.9 + s_1__
        s_1__ = s_1__ + s_1
    return s


def ints_beside_floats_on_a_tape(x, n):
    s = x
    k = n - 5
    while k < n:
        if k > n - 3:
            s = s * x
        else:
            s = s + x
        k = k + 1
    return s


def uint8_image(w, img):
    return np.sum(w * (img - 100))


def rounded(x, c):
    return x * round(c, 2)


def truncated(x, c):
    return x * int(c)


def reversed_difference(x):
    return x[::-1] - x


def squared_total(x):
    return np.sum(x) ** 2


def shifted_count(x, n):
    return x * (n + 100)


def thirds(x, n):
    return x * (n // 3)


def product_of_entries(p):
    return p["a"] * p["b"]


def doubled_by_keyword(x, *, n):
    return x * (n + n)


def doubled_default(x, n=np.int8(100)):  # noqa: B008 (a NumPy number as a default)
    return x * (n + n)


def squared_if_int_or_float(x, n):
    if isinstance(n, (int, float)):  # (True is an int in Python; Numba's bool is not)
        return x * x
    return x


def squared_if_int(x, n):
    if isinstance(n, int):  # (np.int64 is no int in Python; Numba's int64 is)
        return x * x
    return x * 3.0


def times_inverted(x, b):
    return x * (~b)  # (Python's ~True is -2; Numba's False)


def weighted_by_rank(x, keys):
    order = np.argsort(keys)  # (ties: NumPy's default sort and Numba's order them apart)
    s = 0.0
    for j in range(len(order)):
        s = s + x[order[j]] * (j + 1.0)
    return s


def weighted_by_stable_rank(x, keys):
    order = keys.argsort(kind="stable")
    s = 0.0
    for j in range(len(order)):
        s = s + x[order[j]] * (j + 1.0)
    return s


def inverted_mask(x, m):
    return np.sum(x * ~m)


TIED_KEYS = np.array([0.0, 0.0, 3.0, 2.0, 2.0, 3.0, 3.0, 0.0, 2.0, 0.0])


@needs_numba
@pytest.mark.parametrize("f, args", [
    (squared_if_int_or_float, (0.7, True)),
    (squared_if_int, (0.7, np.int64(3))),
    (squared_if_int, (0.7, 3)),
    (times_inverted, (0.5, True)),
    (weighted_by_rank, (np.arange(10.0) ** 2, TIED_KEYS)),
    (weighted_by_stable_rank, (np.arange(10.0) ** 2, TIED_KEYS)),
    (inverted_mask, (np.arange(3.0), np.array([True, False, True]))),
    (int_to_negative_power, (3.0, 4)),
    (names_like_renamed_ones, (0.3,)),
    (ints_beside_floats_on_a_tape, (2.0, 2 ** 60)),
    (uint8_image, (np.array([1.0, 2.0, 3.0]), np.array([50, 100, 200], dtype=np.uint8))),
    (rounded, (1.5, 2.675)),
    (truncated, (1.5, 1e20)),
    # (Numba sums float32 one number after another: 1% off over a million numbers)
    (squared_total, (np.full(10 ** 6, 0.1, np.float32),)),
    (shifted_count, (1.5, np.uint8(200))),  # (NumPy 2 wraps a uint8 number around)
    (shifted_count, (1.5, np.int8(100))),
    (thirds, (1.5, 2 ** 63 + 5)),  # (Numba's uint64 for Python's int)
    (thirds, (1.5, -2 ** 63 - 5)),
])
def test_numba_and_auto_give_pythons_numbers_or_refuse(f, args):
    expected = s2sad.value_and_grad(f)(*args)
    assert expected[0] == f(*args)
    got = s2sad.value_and_grad(f, backend="auto")(*args)
    assert got[0] == pytest.approx(expected[0], rel=1e-12)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)
    try:
        got = s2sad.value_and_grad(f, backend="numba")(*args)
    except BackendError:
        return  # (refused: Numba cannot give Python's result)
    assert got[0] == pytest.approx(expected[0], rel=1e-12)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)


@needs_numba
def test_what_numba_would_compute_otherwise_is_refused_on_every_call():
    with pytest.raises(BackendError, match="float32 numbers one after another"):
        s2sad.grad(squared_total, backend="numba")(np.ones(3, np.float32))
    with pytest.raises(BackendError, match="a value of uint8"):
        s2sad.grad(shifted_count, backend="numba")(1.5, np.uint8(2))
    gradient = s2sad.grad(thirds, backend="numba")
    assert gradient(1.5, 7) == 2.0  # (its fast entry made for ints: a big one still misses it)
    with pytest.raises(BackendError, match="beyond int64"):
        gradient(1.5, 2 ** 63 + 5)
    assert gradient(1.5, 10) == 3.0
    with pytest.raises(BackendError, match="a dict argument"):
        s2sad.grad(product_of_entries, backend="numba")({"a": 1.5, "b": 2.0})
    assert s2sad.grad(product_of_entries, backend="auto")({"a": 1.5, "b": 2.0}) == \
        {"a": 2.0, "b": 1.5}
    # by keyword and as a default too; NumPy's bool and float32 numbers (NumPy's
    # `True + True` is True, Numba's 2; float32 arithmetic Numba does in float64)
    for backend, (f, args, kwargs) in itertools.product(("numba", "auto"), [
            (doubled_by_keyword, (0.7,), {"n": np.int8(100)}), (doubled_default, (0.7,), {}),
            (doubled_by_keyword, (0.7,), {"n": np.True_}),
            (squared_total, (), {"x": np.full(10 ** 5, 0.1, np.float32)}),
            (shifted_count, (np.float32(0.7), 2), {})]):
        expected = s2sad.value_and_grad(f)(*args, **kwargs)
        if backend == "numba":
            with pytest.raises(BackendError):
                s2sad.value_and_grad(f, backend=backend)(*args, **kwargs)
            continue
        got = s2sad.value_and_grad(f, backend=backend)(*args, **kwargs)
        assert got[0] == expected[0] and np.array_equal(got[1], expected[1]), (f, got)


@needs_numba
def test_where_numba_and_python_differ_on_a_construct_numba_refuses_it():
    """An outside tester: isinstance of a bool or a NumPy integer, `~` of a
    bool and argsort's order of ties were Numba's, silently (isinstance(True,
    int) False, ~True False). They are refused, and auto runs NumPy; a
    stable argsort and `~` of a bool array, which agree, still compile."""
    for f, args, what in [(squared_if_int_or_float, (0.7, True), "isinstance"),
                          (times_inverted, (0.5, True), "invert"),
                          (weighted_by_rank, (np.arange(10.0), TIED_KEYS), "argsort")]:
        with pytest.raises(BackendError, match=what):
            s2sad.value_and_grad(f, backend="numba")(*args)
    x = np.arange(10.0) ** 2
    value, grad = s2sad.value_and_grad(weighted_by_stable_rank, backend="numba")(x, TIED_KEYS)
    assert value == weighted_by_stable_rank(x, TIED_KEYS) == 1679.0
    np.testing.assert_array_equal(grad, [1, 2, 8, 5, 6, 9, 10, 3, 7, 4])
    assert s2sad.grad(inverted_mask, backend="numba")(
        np.arange(3.0), np.array([True, False, True])).tolist() == [0.0, 1.0, 0.0]


@needs_numba
def test_int_of_nan_raises_as_python_does_under_numba():
    for backend in ("numpy", "numba"):
        with pytest.raises(ValueError, match="NaN"):
            s2sad.grad(truncated, backend=backend)(1.5, float("nan"))


@needs_numba
def test_a_slice_in_the_state_of_a_pullback_is_refused_and_auto_runs_numpy():
    x = np.array([1.0, 2.0, 4.0])
    expected = s2sad.jacobian(reversed_difference, mode="reverse")(x)
    np.testing.assert_allclose(s2sad.jacobian(reversed_difference, mode="reverse",
                                              backend="auto")(x), expected)
    with pytest.raises(BackendError, match="slice kept for the backward pass"):
        s2sad.vjp(reversed_difference, x, backend="numba")


def cubed_count(x, n):
    m = n * n * n  # (3e6 cubed leaves int64: Python's int grows, Numba's would wrap)
    return x * (m % 7) + x * x


@needs_numba
def test_integer_arithmetic_leaving_int64_is_never_wrapped():
    for backend in ("numba", "auto"):
        gradient = s2sad.grad(cubed_count, backend=backend)
        assert gradient(1.5, 3_000_000) == pytest.approx(3.0 + (3_000_000 ** 3 % 7))
        assert gradient(1.5, 7) == pytest.approx(3.0 + (343 % 7))
    source = s2sad.show(cubed_count, backend="numba", args=(1.5, 7))
    assert "__s2sad_mul(__s2sad_mul(n, n), n)" in source, source


@needs_numba
def test_numbas_checked_integer_arithmetic_raises_beyond_int64():
    import numba

    from s2sad.numba_runtime import add, mul, sub

    @numba.njit
    def ops(a, b):
        return mul(a, b), add(a, b), sub(a, b), mul(2.5, a)

    assert ops(3, 4) == (12, 7, -1, 7.5)
    assert ops(-(2 ** 62), 2) == (-(2 ** 63), -(2 ** 62) + 2, -(2 ** 62) - 2, 2.5 * -(2 ** 62))
    for a, b in ((3_000_000 ** 2, 3_000_000), (2 ** 62, 2 ** 62), (-(2 ** 63) + 1, -2)):
        with pytest.raises(OverflowError, match="beyond int64"):
            ops(a, b)


def negated_count(x, n):
    return x * (-n % 1000) + x * ((n // -1) % 1000)


def squared_count(x, n):
    return x * (n ** 2 % 1000) + x * ((n - 1) % 1000) + x * ((n * 2) % 1000)


@needs_numba
@pytest.mark.parametrize("f, n", [(negated_count, -2 ** 63), (squared_count, 2 ** 40),
                                  (squared_count, -2 ** 62 - 8), (squared_count, 12)])
def test_integers_at_int64s_edges_are_pythons(f, n):
    # (-(-2**63), -2**63 // -1, a square past 2**63 and products just past it)
    expected = s2sad.grad(f)(1.0, n)
    for backend in ("numba", "auto"):
        assert s2sad.grad(f, backend=backend)(1.0, n) == pytest.approx(expected)


def off_diagonal_sum(x):
    mask = ~np.eye(3, dtype=bool)  # (Python's bool as a dtype: Numba's typing takes np.bool_)
    return np.sum(np.where(mask, x, 0.0)) + np.sum(np.ones(3, dtype=float) * x[0])


@needs_numba
def test_pythons_types_as_dtypes_compile_under_numba():
    x = np.arange(9.0).reshape(3, 3)
    expected = s2sad.grad(off_diagonal_sum)(x)
    for backend in ("numba", "auto"):
        np.testing.assert_allclose(s2sad.grad(off_diagonal_sum, backend=backend)(x), expected)
    assert "dtype=np.bool_" in s2sad.show(off_diagonal_sum, backend="numba", args=(x,))


def with_an_activation(x, activation=np.tanh):
    return np.sum(activation(x))


@needs_numba
def test_a_function_valued_default_is_refused_at_its_call():
    """(the message said it read a name `...`, the placeholder of the default)"""
    with pytest.raises(BackendError, match="call to another Python function") as info:
        s2sad.grad(with_an_activation, backend="numba")(np.ones(3))
    assert "`...`" not in str(info.value)
    np.testing.assert_allclose(s2sad.grad(with_an_activation, backend="auto")(np.ones(3)),
                               1 - np.tanh(1.0) ** 2)


def squares(v):
    return np.sum(v * v)


@needs_numba
def test_an_argument_numba_has_no_type_for_is_named():
    with pytest.raises(BackendError, match="no type for an argument of dtype float16"):
        s2sad.grad(squares, backend="numba")(np.ones(3, np.float16))
    np.testing.assert_allclose(s2sad.grad(squares, backend="auto")(np.ones(3, np.float16)),
                               [2.0, 2.0, 2.0])


@needs_numba
def test_the_modules_stamp_covers_the_run_time_modules_numba_compiles():
    # (a cache of machine code compiled against older run-time modules was
    # reused while only numba_runtime.py entered the stamp: wrong gradients)
    from pathlib import Path

    from s2sad import numba_backend, numba_runtime

    stamp = numba_backend._helpers_stamp()
    runtime = Path(numba_runtime.__file__).parent / "runtime"
    assert stamp == numba_backend._HELPERS_STAMP and len(sorted(runtime.glob("*.py"))) > 5


def times_y_squared(x, y):
    return x * y * y


@needs_numba
def test_a_call_short_of_an_argument_is_pythons_type_error_on_numba():
    """An outside tester: Numba's typing of the call raised a BackendError
    ("not enough arguments") where the NumPy backend raises Python's."""
    calls = [lambda: s2sad.value_and_grad(times_y_squared, backend="numba")(0.5),
             lambda: s2sad.hessian(times_y_squared, backend="numba")(0.5),
             lambda: s2sad.jvp(times_y_squared, (0.5,), (1.0,), backend="numba"),
             lambda: s2sad.vjp(times_y_squared, 0.5, backend="numba")]
    for call in calls:
        with pytest.raises(TypeError, match="missing a required argument: 'y'"):
            call()


@s2sad.custom_jvp
def softplus_with_a_rule(x):
    return np.log1p(np.exp(x))


@softplus_with_a_rule.defjvp
def _softplus_with_a_rule_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return softplus_with_a_rule(x), t / (1.0 + np.exp(-x))


@needs_numba
def test_numbas_refusal_of_a_function_with_rules_points_at_that_function():
    """An outside tester: jvp of a custom_jvp function on Numba was refused
    at `<s2sad: softplus #0>:2`, the one-line caller s2sad writes for it,
    and named that caller `f`."""
    with pytest.raises(BackendError) as info:
        s2sad.jvp(softplus_with_a_rule, (np.zeros(3),), (np.ones(3),), backend="numba")
    message = str(info.value)
    assert "generated for softplus_with_a_rule" in message, message
    assert "test_backends.py" in message and "<s2sad" not in message, message
    value, tangent = s2sad.jvp(softplus_with_a_rule, (np.zeros(3),), (np.ones(3),),
                               backend="auto")
    np.testing.assert_allclose(tangent, np.full(3, 0.5), rtol=1e-12)
