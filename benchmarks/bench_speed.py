"""Gradient speed: s2sad versus a hand-written NumPy gradient (and autograd).

    python benchmarks/bench_speed.py [--quick]

For eleven workloads this checks that s2sad's gradient matches a hand-written
NumPy gradient to 1e-8, then times both with timeit in 15 interleaved rounds
of at least 0.1 s of calls each (see _timing.rounds) and prints the best time
and ratio = s2sad / hand-written (the median of the per-round ratios).
All columns compute the value *and* the gradient (s2sad.grad always runs the
forward pass and computes the value; the hand-written versions do the same;
autograd is called through value_and_grad). If autograd is installed, its
column times the very same function source with `np` bound to autograd.numpy.
A second table splits s2sad's time into the generated code and the API wrapper.
"""

from __future__ import annotations

import functools
import math
import statistics
import sys
import types

import _timing as T  # first: it pins BLAS to one thread before NumPy loads
import numpy as np
import workloads as W

import s2sad
from s2sad.api import compile_gradient
from s2sad.pipeline import argument_kinds

# ---------------------------------------------------------------- hand-written gradients
# Each returns (value, gradient) like s2sad's generated code, uses the same NumPy
# primitives as the function, and is written the way one would by hand: shared
# subexpressions computed once, closed-form simplifications where obvious.


def hand_poly_trig(x, y):
    xx = x * x
    q = 1.0 + xx
    a = xx * y + 3.0 * x - y / q
    sa = np.sin(a)
    xy = x * y
    cxy = np.cos(xy)
    e = np.exp(-0.1 * y * y)
    b = sa * cxy + e
    th = np.tanh(x - y)
    x3 = x ** 3
    out = a * b + th * x3
    # d out / d a = b + a * d b / d a
    ga = b + a * cxy * np.cos(a)
    gxy = -a * sa * np.sin(xy)          # d out / d (x*y) through cos(x*y)
    gth = (1.0 - th * th) * x3          # d out / d (x-y) through tanh
    dx = ga * (2.0 * x * y + 3.0 + 2.0 * x * y / (q * q)) + gxy * y + gth + th * 3.0 * xx
    dy = ga * (xx - 1.0 / q) + gxy * x - 0.2 * a * e * y - gth
    return out, (dx, dy)


def hand_logreg(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    out = -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    dz = (p - y) / len(y)
    return out, (X.T @ dz, np.sum(dz))


def hand_mlp(W1, b1, W2, b2, X, Y):
    n = X.shape[0]
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    s = logits - np.max(logits, axis=1, keepdims=True)
    e = np.exp(s)
    se = np.sum(e, axis=1, keepdims=True)
    out = -np.sum(Y * (s - np.log(se))) / n
    dlogits = (e / se - Y) / n          # rows of Y sum to one (one-hot labels)
    dh = dlogits @ W2.T
    da = dh * (1.0 - h * h)
    return out, (X.T @ da, np.sum(da, axis=0), h.T @ dlogits, np.sum(dlogits, axis=0))


def hand_scalar_loop(x, n):
    xs = []
    for _ in range(n):
        xs.append(x)
        x = np.sin(x) * 0.9 + 0.1 * x * x
    g = 1.0
    for xi in reversed(xs):
        g = g * (0.9 * np.cos(xi) + 0.2 * xi)
    return x, g


def hand_rnn(W, U, h, x):
    hs = [h]
    for t in range(x.shape[0]):
        h = np.tanh(W @ h + U @ x[t])
        hs.append(h)
    out = np.sum(h)
    dW = np.zeros_like(W)
    dU = np.zeros_like(U)
    dh = np.ones_like(h)
    for t in range(x.shape[0] - 1, -1, -1):
        da = dh * (1.0 - hs[t + 1] ** 2)
        dW += np.outer(da, hs[t])
        dU += np.outer(da, x[t])
        dh = W.T @ da
    return out, (dW, dU, dh)


def hand_while_branch(x, a):
    xs = []
    s = 0.0
    while x < 10.0:
        xs.append(x)
        if x > a:
            s = s + np.sin(x) * x
        else:
            s = s + x * x * 0.5
        x = x * 1.1 + 0.05
    dx = 1.0
    for xi in reversed(xs):
        if xi > a:
            dx = dx * 1.1 + np.sin(xi) + xi * np.cos(xi)
        else:
            dx = dx * 1.1 + xi
    return s + x, (dx, 0.0)


def hand_quickstart(w, X, y):
    """The gradient of examples/quickstart.py's f, as one would write it."""
    p = 1 / (1 + np.exp(-(X @ w)))
    loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    return np.sum(loss) / len(y), X.T @ ((p - y) / len(y))


def hand_lstm(Wx, Wh, b, xs, h, c):
    H = h.shape[0]
    steps = []
    for t in range(xs.shape[0]):
        z = Wx @ xs[t] + Wh @ h + b
        i, f, o = (1.0 / (1.0 + np.exp(-z[k * H:(k + 1) * H])) for k in range(3))
        g = np.tanh(z[3 * H:])
        c_prev, h_prev = c, h
        c = f * c + i * g
        tc = np.tanh(c)
        h = o * tc
        steps.append((xs[t], h_prev, c_prev, i, f, o, g, tc))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh, dc = 2.0 * h, np.zeros_like(c)
    for x, h_prev, c_prev, i, f, o, g, tc in reversed(steps):
        dc = dc + dh * o * (1.0 - tc * tc)
        dz = np.concatenate([dc * g * i * (1.0 - i), dc * c_prev * f * (1.0 - f),
                             dh * tc * o * (1.0 - o), dc * i * (1.0 - g * g)])
        dWx += np.outer(dz, x)
        dWh += np.outer(dz, h_prev)
        db += dz
        dh = Wh.T @ dz
        dc = dc * f
    return np.sum(h * h), (dWx, dWh, db)


def hand_heat(u, kappa, steps):
    us = []
    for _ in range(steps):
        us.append(u)
        u = u + kappa * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1))
    du, dk = 2.0 * u, 0.0
    for v in reversed(us):
        dk += np.sum(du * (np.roll(v, 1) - 2.0 * v + np.roll(v, -1)))
        du = du + kappa * (np.roll(du, -1) - 2.0 * du + np.roll(du, 1))
    return np.sum(u * u), (du, dk)


def hand_gp_nll(log_ell, log_sf, log_sn, X, y):
    n = y.shape[0]
    d2 = (X[:, None] - X[None, :]) ** 2
    Kse = np.exp(2.0 * log_sf) * np.exp(-0.5 * d2 / np.exp(2.0 * log_ell))
    sn2 = np.exp(2.0 * log_sn)
    K = Kse + sn2 * np.eye(n)
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    value = 0.5 * (y @ alpha) + np.sum(np.log(np.diag(L))) + 0.5 * n * np.log(2.0 * np.pi)
    Linv = np.linalg.solve(L, np.eye(n))
    A = 0.5 * (Linv.T @ Linv - np.outer(alpha, alpha))  # d value / dK
    return value, (np.sum(A * Kse * d2) / np.exp(2.0 * log_ell), 2.0 * np.sum(A * Kse),
                   2.0 * sn2 * np.trace(A))


def hand_poly_recursive(c, x):
    p, dp = np.zeros_like(x), np.zeros_like(x)
    for ck in c[::-1]:
        dp = dp * x + p
        p = p * x + ck
    powers = np.cumprod(np.vstack([np.ones_like(x), np.broadcast_to(x, (len(c) - 1, len(x)))]),
                        axis=0)
    return np.sum(p), (np.sum(powers, axis=1), dp)


# ---------------------------------------------------------------- workloads


def quickstart():
    """examples/quickstart.py's f, loaded as a user would run it."""
    from pathlib import Path

    from s2sad.cli import load_file

    return load_file(str(Path(__file__).resolve().parent.parent / "examples" / "quickstart.py")).f


def make_cases():
    rng = np.random.default_rng(0)
    cases = []
    cases.append(("(a) scalar poly/trig, floats", W.poly_trig, hand_poly_trig, (0, 1),
                  (0.7, -0.3)))
    X = rng.standard_normal((1000, 20))
    y = (rng.random(1000) < 0.5).astype(float)
    cases.append(("(b) logistic regression 1000x20", W.logreg, hand_logreg, (0, 1),
                  (0.1 * rng.standard_normal(20), 0.05, X, y)))
    n, d, hdim, c = 256, 64, 128, 10
    X = rng.standard_normal((n, d))
    Y = np.eye(c)[rng.integers(0, c, n)]
    cases.append(("(c) MLP tanh+softmax, batch 256", W.mlp, hand_mlp, (0, 1, 2, 3),
                  (0.1 * rng.standard_normal((d, hdim)), np.zeros(hdim),
                   0.1 * rng.standard_normal((hdim, c)), np.zeros(c), X, Y)))
    cases.append(("(d) scalar loop, 1000 iters", W.scalar_loop, hand_scalar_loop, 0,
                  (0.5, 1000)))
    hd, xd, T = 32, 16, 50
    cases.append(("(e) RNN loop, 50 steps", W.rnn, hand_rnn, (0, 1, 2),
                  (0.3 * rng.standard_normal((hd, hd)), 0.3 * rng.standard_normal((hd, xd)),
                   np.zeros(hd), rng.standard_normal((T, xd)))))
    cases.append(("(f) while loop + branch", W.while_branch, hand_while_branch, (0, 1),
                  (0.5, 3.0)))
    X8 = rng.normal(size=(8, 3))
    cases.append(("(g) the README's quickstart (len), 8x3", quickstart(), hand_quickstart, 0,
                  (np.zeros(3), X8, (X8[:, 0] > 0).astype(float))))
    H, D, T = 32, 8, 20
    cases.append(("(h) LSTM, 20 steps, 32 hidden", W.lstm, hand_lstm, (0, 1, 2),
                  (0.2 * rng.standard_normal((4 * H, D)), 0.2 * rng.standard_normal((4 * H, H)),
                   np.zeros(4 * H), rng.standard_normal((T, D)), np.zeros(H), np.zeros(H))))
    cases.append(("(i) heat stencil, 200 steps x 256", W.heat, hand_heat, (0, 1),
                  (np.sin(np.linspace(0.0, 6.0, 256)), 0.2, 200)))
    Xg = np.sort(rng.uniform(-3.0, 3.0, 100))
    cases.append(("(j) GP marginal likelihood, n=100", W.gp_nll, hand_gp_nll, (0, 1, 2),
                  (0.3, 0.1, -1.0, Xg, np.sin(Xg) + 0.1 * rng.standard_normal(100))))
    cases.append(("(k) recursive Horner, 20 coefficients", W.poly_recursive,
                  hand_poly_recursive, (0, 1),
                  (0.1 * rng.standard_normal(20), rng.uniform(-1.0, 1.0, 50))))
    return cases


def with_autograd_numpy(f, anp):
    """The same function code, with its global `np` bound to autograd.numpy."""
    return types.FunctionType(f.__code__, {**f.__globals__, "np": anp}, f.__name__,
                              f.__defaults__, f.__closure__)


def as_tuple(g, wrt):
    return g if isinstance(wrt, tuple) else (g,)


def check(name, ours, theirs, wrt, tol=1e-8):
    ours, theirs = as_tuple(ours, wrt), as_tuple(theirs, wrt)
    assert len(ours) == len(theirs), name
    for i, (a, b) in enumerate(zip(ours, theirs)):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        assert a.shape == b.shape, f"{name}: gradient {i}: shape {a.shape} vs {b.shape}"
        err = np.max(np.abs(a - b) / (1.0 + np.abs(b))) if a.size else 0.0
        if not err <= tol:
            sys.exit(f"{name}: gradient {i} differs from the hand-written one by {err:.3g}")


def main():
    quick = "--quick" in sys.argv
    repeat, min_seconds = (3, 0.05) if quick else (15, 0.1)
    autograd = T.optional("autograd")
    if autograd is not None:
        import autograd.numpy as anp
    print(f"bench_speed  {T.machine()}")
    print(f"value+gradient per call: µs = best of {repeat} interleaved rounds (CPU time), "
          "ratio = tool / hand-written\n(median over the rounds of the per-round ratio)\n")
    rows, split_rows, ratios = [], [], []
    for name, f, hand, wrt, args in make_cases():
        s2 = s2sad.value_and_grad(f, wrt=wrt)
        value, g = s2(*args)
        hvalue, hg = hand(*args)
        check(name, g, hg, wrt)
        assert abs(value - hvalue) <= 1e-8 * (1 + abs(hvalue)), name
        # the generated function itself, without grad's argument checks and result conversion
        # (the same specialization grad picks: plain-number arguments, lists, shapes)
        raw = compile_gradient(f, wrt if isinstance(wrt, tuple) else (wrt,),
                               *argument_kinds(f, args)).func
        fns = [functools.partial(fn, *args) for fn in (hand, s2, raw)]
        if autograd is not None:
            ag = autograd.value_and_grad(with_autograd_numpy(f, anp), argnum=wrt)
            check(name + " (autograd)", ag(*args)[1], hg, wrt)
            fns.append(functools.partial(ag, *args))
        r_hand, r_s2, r_raw, *r_ag = T.rounds(fns, repeat, min_seconds)
        r_ag = r_ag[0] if r_ag else None
        ratios.append(T.ratio(r_s2, r_hand))
        rows.append([name, T.fmt_us(min(r_hand)), T.fmt_us(min(r_s2)),
                     T.fmt_ratio(T.ratio(r_s2, r_hand)),
                     T.fmt_us(r_ag and min(r_ag)), T.fmt_ratio(r_ag and T.ratio(r_ag, r_hand))])
        wrapper = statistics.median(max(a - b, 0.0) for a, b in zip(r_s2, r_raw))
        split_rows.append([name, T.fmt_us(min(r_raw)), T.fmt_ratio(T.ratio(r_raw, r_hand)),
                           T.fmt_us(wrapper), f"{wrapper / statistics.median(r_s2):.0%}"])
    print(T.table(["workload", "hand-written µs", "s2sad µs", "ratio", "autograd µs", "ratio"],
                  rows))
    geometric = math.exp(statistics.fmean(math.log(r) for r in ratios))
    print(f"s2sad's geometric mean over the workloads: {geometric:.2f}x (target: "
          "at most 1.0; each workload at most 1.1)")
    if autograd is None:
        print("(autograd column skipped: pip install autograd, or pip install -e '.[bench]')")
    print("\nwhere s2sad's time goes: its generated gradient function called directly (ratio to")
    print("hand-written), and the rest: grad's argument checks, binding, conversion of the")
    print("results (median over rounds of s2sad - generated, and its share of s2sad's time)\n")
    print(T.table(["workload", "generated code µs", "ratio", "API wrapper µs", "share"],
                  split_rows))


if __name__ == "__main__":
    main()
