"""Scalar factors of the backward pass applied once at its end (`factors.py`):
the pass on IR in and out, and gradients through it end to end against
finite differences, with the dtypes and shapes that could trip it."""

import re

import numpy as np
import pytest

import s2sad
from s2sad.factors import hoist_scalar_factors
from s2sad.ir import Assign, Block, Const, Function, Return, Var, format_function


def _run(stmts, dims):
    block = Block([Assign(None, "marker", [Const("backward pass")]), *stmts])
    made = {s.target: s for s in stmts if isinstance(s, Assign)}
    ids = iter(range(100, 200))
    done = hoist_scalar_factors(block, dims.get, made.get, lambda hint: Var(next(ids), hint))
    return done, block.stmts[1:]


def _text(stmts):
    return format_function(Function("f", [], Block(stmts)))


V = {name: Var(i, name) for i, name in enumerate(
    ["dout", "n", "s", "ns", "a", "y", "p", "q", "X", "u", "v", "w", "z", "dw", "g", "r"], 1)}


def test_numbers_multiplied_into_arrays_are_applied_once_at_the_end():
    dout, n, s, ns, a, y, p, q, X = (V[k] for k in ("dout", "n", "s", "ns", "a", "y", "p", "q",
                                                    "X"))
    u, v, w, z, dw = (V[k] for k in ("u", "v", "w", "z", "dw"))
    t = [Var(50 + i, "t") for i in range(4)]
    stmts = [Assign(s, "truediv", [dout, n]), Assign(ns, "neg", [s]),
             Assign(t[0], "mul", [a, s]), Assign(u, "truediv", [t[0], q]),  # a * s / q
             Assign(t[1], "mul", [y, ns]), Assign(v, "truediv", [t[1], p]),  # y * -s / p
             Assign(w, "add", [u, v]), Assign(z, "mul", [w, p]),
             Assign(dw, "matmul", [z, X]), Return(dw)]
    dims = {s: (), ns: (), dout: (), n: (), a: (8,), y: (8,), p: (8,), q: (8,), X: (8, 3),
            t[0]: (8,), t[1]: (8,), u: (8,), v: (8,), w: (8,), z: (8,), dw: (3,)}
    done, out = _run(stmts, dims)
    assert done
    text = _text(out)
    # (a / q - y / p, times p, times X: the number once, on the three gradients)
    assert "mul(%a5, %s3)" not in text and "mul(%y6" not in text, text
    assert re.search(r"%\w+ = truediv\(%a5, %q8\)", text), text
    assert re.search(r"%\w+ = truediv\(%y6, %p7\)", text), text
    assert re.search(r"%\w+ = sub\(%\w+, %\w+\)", text), text
    assert re.search(r"%dw14 = mul\(%\w+, %s3\)", text), text
    assert isinstance(out[-1], Return) and out[-1].value is dw


def test_the_pass_leaves_what_would_not_pay_or_not_be_the_same():
    dout, s, a, y, p, X, u, w, z = (V[k] for k in ("dout", "s", "a", "y", "p", "X", "u", "w",
                                                  "z"))
    t0, t1 = Var(50, "t"), Var(51, "t")
    base = {s: (), dout: (), a: (8,), y: (8,), p: (8,), t0: (8,), t1: (8,), u: (8,), w: (8,),
            z: (8,), X: (8, 3)}
    cases = [
        # the user's arrays added before a division (bools would be or-ed)
        [Assign(t0, "mul", [a, s]), Assign(t1, "mul", [y, s]), Assign(u, "add", [t0, t1]),
         Return(u)],
        # an array made larger (an outer product) before the end
        [Assign(t0, "mul", [a, s]), Assign(u, "truediv", [t0, p]),
         Assign(z, "mul", [u, X]), Return(z)],
        # a sum with a value of another factor
        [Assign(t0, "mul", [a, s]), Assign(u, "truediv", [t0, p]), Assign(w, "add", [u, y]),
         Return(w)],
        # a shape not known
        [Assign(t0, "mul", [a, s]), Assign(u, "truediv", [t0, V["q"]]), Return(u)],
        # the number divided by the value: not linear in it
        [Assign(t0, "mul", [a, s]), Assign(u, "truediv", [p, t0]), Return(u)],
    ]
    dims = {**base, z: (8, 8, 3)}
    for stmts in cases:
        before = _text(stmts)
        done, out = _run(stmts, dims)
        assert not done, before
        # (and where it does not pay, nothing changed)
    stmts = [Assign(t0, "mul", [a, s]), Return(t0)]
    done, out = _run(stmts, base)
    assert not done


def loss_averaged(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def loss_over_len(w, X, y):
    p = 1 / (1 + np.exp(-(X @ w)))
    return np.sum(-(y * np.log(p) + (1 - y) * np.log(1 - p))) / len(y)


def squared_error(W, b, X, Y):
    r = np.tanh(X @ W + b) - Y
    return np.mean(r * r) * 0.5


def weighted(w, X, y):
    r = X @ w - y
    return np.sum(y * r / (1.0 + r * r)) / y.shape[0] + np.sum(w * w) / 2.0


def numerical(f, args, i, eps=1e-6):
    x = np.array(args[i], dtype=float)
    g = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        for sign in (1, -1):
            moved = x.copy()
            moved[j] += sign * eps
            g[j] += sign * f(*args[:i], moved, *args[i + 1:]) / (2 * eps)
    return g


rng = np.random.default_rng(7)
X8 = rng.standard_normal((8, 3))
LABELS = (X8[:, 0] > 0)


@pytest.mark.parametrize("f, args, wrt", [
    (loss_averaged, (rng.standard_normal(3), 0.1, X8, LABELS.astype(float)), (0, 1)),
    (loss_averaged, (rng.standard_normal(3), 0.1, X8, LABELS.astype(int)), (0, 1)),
    (loss_averaged, (rng.standard_normal(3), np.zeros(8), X8, LABELS), (0, 1)),
    (loss_over_len, (rng.standard_normal(3), X8, LABELS.astype(float)), (0,)),
    (loss_over_len, (rng.standard_normal(3), X8, LABELS), (0,)),
    (loss_over_len, (rng.standard_normal(3), X8, LABELS.astype(np.int8)), (0,)),
    (squared_error, (rng.standard_normal((3, 2)), rng.standard_normal(2), X8,
                     rng.standard_normal((8, 2))), (0, 1)),
    (squared_error, (rng.standard_normal((3, 1)), 0.3, X8, rng.standard_normal(8)), (0, 1)),
    (weighted, (rng.standard_normal(3), X8, rng.standard_normal(8)), (0,)),
])
def test_gradients_with_factors_applied_at_the_end(f, args, wrt):
    g = s2sad.grad(f, wrt=wrt)
    for _ in range(2):  # (the full path, then the fast entry)
        got = g(*args)
        got = got if isinstance(got, tuple) else (got,)
        for k, i in enumerate(wrt):
            np.testing.assert_allclose(got[k], numerical(f, args, i), rtol=1e-6, atol=1e-8)
            assert np.shape(got[k]) == np.shape(args[i])
    _, pullback = s2sad.vjp(f, *args)
    got = pullback(2.0)
    for i in wrt:
        np.testing.assert_allclose(got[i], 2.0 * numerical(f, args, i), rtol=1e-6, atol=1e-8)


def test_the_generated_code_applies_the_average_once():
    args = (np.ones(3), X8, LABELS.astype(float))
    code = str(s2sad.show(loss_over_len, args=args))
    backward = code.split("# backward pass")[1]
    # (the average applied once, to the gradient: `dw * (dout / t_4)`)
    assert backward.count("dout") == 1 and "* (dout / t_4)" in backward, code
    assert backward.count("/ t_4") == 1, code
    hessian = str(s2sad.show(loss_over_len, mode="hessian", args=args))
    assert "dloss" in hessian  # (forward mode over the adjoint: unchanged, and correct)
    h = s2sad.hessian(loss_over_len)(*args)
    step = 1e-6
    for k in range(3):
        e = np.zeros(3)
        e[k] = step
        up, down = (s2sad.grad(loss_over_len)(args[0] + s * e, *args[1:]) for s in (1, -1))
        np.testing.assert_allclose(h[:, k], (up - down) / (2 * step), rtol=1e-5, atol=1e-8)


def test_float32_data_keeps_its_gradient_dtype():
    w, X, y = np.ones(3, np.float32), X8.astype(np.float32), LABELS.astype(np.float32)
    g = s2sad.grad(loss_over_len)(w, X, y)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, numerical(loss_over_len, (w, X, y), 0), rtol=2e-2, atol=1e-3)
