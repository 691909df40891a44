"""Functions the benchmarks differentiate (module-level, so s2sad can read their source)."""

import numpy as np


# (a) scalar polynomial / trig expression on Python floats
def poly_trig(x, y):
    a = x * x * y + 3.0 * x - y / (1.0 + x * x)
    b = np.sin(a) * np.cos(x * y) + np.exp(-0.1 * y * y)
    return a * b + np.tanh(x - y) * x ** 3


# (b) logistic regression loss
def logreg(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


# (c) 2-layer MLP, tanh hidden layer, softmax cross-entropy
def mlp(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    m = np.max(logits, axis=1, keepdims=True)
    s = logits - m
    lse = np.log(np.sum(np.exp(s), axis=1, keepdims=True))
    return -np.sum(Y * (s - lse)) / X.shape[0]


# (d) scalar loop
def scalar_loop(x, n):
    for _ in range(n):
        x = np.sin(x) * 0.9 + 0.1 * x * x
    return x


# (e) RNN-style loop with a sum loss
def rnn(W, U, h, x):
    for t in range(x.shape[0]):
        h = np.tanh(W @ h + U @ x[t])
    return np.sum(h)


# (f) while loop with a branch
def while_branch(x, a):
    s = 0.0
    while x < 10.0:
        if x > a:
            s = s + np.sin(x) * x
        else:
            s = s + x * x * 0.5
        x = x * 1.1 + 0.05
    return s + x


# (h) LSTM over a sequence, squared final state
def lstm(Wx, Wh, b, xs, h, c):
    H = h.shape[0]
    for t in range(xs.shape[0]):
        z = Wx @ xs[t] + Wh @ h + b
        i = 1.0 / (1.0 + np.exp(-z[:H]))
        f = 1.0 / (1.0 + np.exp(-z[H:2 * H]))
        o = 1.0 / (1.0 + np.exp(-z[2 * H:3 * H]))
        g = np.tanh(z[3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
    return np.sum(h * h)


# (i) explicit heat-equation stencil over many steps (periodic grid)
def heat(u, kappa, steps):
    for _ in range(steps):
        u = u + kappa * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1))
    return np.sum(u * u)


# (j) Gaussian-process negative log marginal likelihood (RBF kernel, Cholesky)
def gp_nll(log_ell, log_sf, log_sn, X, y):
    n = y.shape[0]
    d = X[:, None] - X[None, :]
    K = np.exp(2.0 * log_sf) * np.exp(-0.5 * d * d / np.exp(2.0 * log_ell))
    K = K + np.exp(2.0 * log_sn) * np.eye(n)
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return 0.5 * (y @ alpha) + np.sum(np.log(np.diag(L))) + 0.5 * n * np.log(2.0 * np.pi)


# (k) a recursive function: Horner's rule, one coefficient per call
def horner(c, x, k):
    if k == c.shape[0] - 1:
        return c[k] + 0.0 * x
    return c[k] + x * horner(c, x, k + 1)


def poly_recursive(c, x):
    return np.sum(horner(c, x, 0))


# bench_memory: elementwise work on large arrays (peak memory against a hand-written gradient)
def array_chain(x, w):
    y = np.tanh(x * w)
    z = np.exp(-y * y)
    return np.sum(z * x) + np.mean(y)


# bench_peers: the workloads of issue 11 that bench_speed has no version of
def mlp_small(W1, b1, W2, b2, X, y):
    """Regression MLP, tanh hidden layer, mean squared error."""
    h = np.tanh(X @ W1 + b1)
    r = h @ W2 + b2 - y
    return np.mean(r * r)


def logreg_len_max(w, X, y):
    """Logistic loss averaged with len, plus a penalty on the largest weight (builtin max)."""
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    nll = -np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)) / len(y)
    return nll + 0.1 * max(np.sum(w * w), 1.0)


def two_line(x, y):
    a = np.sin(x) * y + x * x
    return np.exp(-a) + a * y


# bench_compile: a realistic function to transform (mlp_loss and the three helpers it calls)
def dense(x, W, b):
    return x @ W + b


def log_softmax(z):
    s = z - np.max(z, axis=1, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))


def mean_entropy(logp):
    return -np.sum(np.exp(logp) * logp) / logp.shape[0]


def mlp_loss(W_in, b_in, W_hid, b_hid, W_out, b_out, X, Y, depth, relu, smooth, l2, beta):
    """Label-smoothed cross-entropy of a residual MLP applying its hidden layer `depth` times,
    with an L2 penalty and a confidence penalty."""
    X = (X - np.mean(X, axis=0)) / (np.std(X, axis=0) + 1e-5)
    h = np.tanh(dense(X, W_in, b_in))
    for _ in range(depth):
        z = dense(h, W_hid, b_hid)
        if relu:
            h = h + np.maximum(z, 0.0)
        else:
            h = h + np.tanh(z)
        h = h / np.sqrt(1.0 + np.mean(h * h, axis=1, keepdims=True))
    logp = log_softmax(dense(h, W_out, b_out))
    targets = (1.0 - smooth) * Y + smooth / Y.shape[1]
    loss = -np.sum(targets * logp) / X.shape[0]
    if l2 > 0.0:
        loss = loss + l2 * (np.sum(W_in * W_in) + np.sum(W_hid * W_hid) + np.sum(W_out * W_out))
    if beta != 0.0:
        loss = loss - beta * mean_entropy(logp)
    return loss
