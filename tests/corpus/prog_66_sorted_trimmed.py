"""Least trimmed squares and a ranking loss: per-example losses ordered with sorted(key=).

Features: sorted-key, lambda, genexpr-consumer
"""
import numpy as np


def residuals(w, X, y):
    return X @ w[:-1] + w[-1] - y


def trimmed_squares(w, X, y, keep=0.75):
    """Fit ignoring the worst quarter of the examples (outlier-robust)."""
    r = residuals(w, X, y)
    order = sorted(range(len(y)), key=lambda i: r[i] ** 2)
    k = int(keep * len(y))
    return sum(r[i] ** 2 for i in order[:k]) / k


def top_k_hinge(scores, labels, k=3, margin=1.0):
    """Penalize the k highest-scoring negatives against the lowest-scoring positive."""
    negatives = sorted((s for s, l in zip(scores, labels) if l == 0), key=float, reverse=True)[:k]
    weakest = sorted(s for s, l in zip(scores, labels) if l == 1)[0]
    return sum(np.log1p(np.exp(margin - weakest + s)) for s in negatives)


def ranking_loss(w, X, labels):
    return top_k_hinge(np.tanh(X @ w), labels)


def cases():
    rng = np.random.default_rng(66)
    X = rng.normal(size=(12, 2))
    y = X @ np.array([2.0, -1.0]) + 0.5 + 0.1 * rng.normal(size=12)
    y[[1, 5, 9]] += np.array([5.0, -4.0, 6.0])
    w = np.array([1.8, -0.9, 0.4])
    labels = (X[:, 0] > 0).astype(int)
    return [
        dict(fn=trimmed_squares, args=(w, X, y), wrt=0, name="least_trimmed_squares"),
        dict(fn=ranking_loss, args=(np.array([0.7, -0.2]), X, labels), wrt=0, name="top_k_ranking"),
    ]
