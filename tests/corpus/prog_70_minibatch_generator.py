"""Logistic regression over minibatches produced by a generator; losses reduced with sum, max and any.

Features: generator-func, genexpr-consumer, loop
"""
import numpy as np


def minibatches(X, y, batch_size):
    for start in range(0, len(y), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def batch_nll(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z)


def batch_losses(w, X, y, batch_size):
    for Xb, yb in minibatches(X, y, batch_size):
        yield batch_nll(w, Xb, yb)


def epoch_loss(w, X, y, batch_size=4):
    n_batches = (len(y) + batch_size - 1) // batch_size
    return sum(batch_losses(w, X, y, batch_size)) / n_batches


def worst_batch_loss(w, X, y):
    worst = max(batch_losses(w, X, y, 4))
    best = min(batch_nll(w, Xb, yb) for Xb, yb in minibatches(X, y, 4))
    return worst - 0.1 * best


def clipped_loss(w, X, y, limit=5.0):
    margins = tuple(X @ w * (2 * y - 1))
    if any(abs(m) > limit for m in margins):
        w = w * 0.5  # shrink when some margin is huge
    return epoch_loss(w, X, y, batch_size=3)


def cases():
    rng = np.random.default_rng(70)
    X = rng.normal(size=(12, 3))
    y = (X @ np.array([1.0, -1.0, 0.5]) + 0.3 * rng.normal(size=12) > 0).astype(float)
    w = np.array([0.4, -0.2, 0.3])
    return [
        dict(fn=epoch_loss, args=(w, X, y), wrt=0, name="sum_over_generator"),
        dict(fn=worst_batch_loss, args=(w, X, y), wrt=0, name="max_min_of_genexpr"),
        dict(fn=clipped_loss, args=(w, X, y), wrt=0, name="any_and_tuple"),
        dict(fn=clipped_loss, args=(8 * w, X, y), wrt=0, name="any_true_branch"),
    ]
