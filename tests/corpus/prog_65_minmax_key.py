"""Distributionally robust regression: the worst group picked with max(key=), the nearest prototype with min(key=).

Features: minmax-key, lambda, star-call, genexpr-consumer, loop
"""
import numpy as np


def group_loss(w, X, y):
    return np.mean((X @ w - y) ** 2)


def worst_group_loss(w, groups, l2=1e-2):
    worst = max(groups, key=lambda name: group_loss(w, *groups[name]))
    return group_loss(w, *groups[worst]) + l2 * np.sum(w ** 2)


def soft_worst_group_loss(w, groups):
    """Pick the worst group, then mix in the others: max over (name, loss) pairs."""
    pairs = [(name, group_loss(w, X, y)) for name, (X, y) in groups.items()]
    _, worst = max(pairs, key=lambda p: p[1])
    return 0.8 * worst + 0.2 * sum(loss for _, loss in pairs) / len(pairs)


def prototype_loss(prototypes, points):
    """Each point pulls its nearest prototype (k-means style, hard assignments)."""
    total = 0.0
    for x in points:
        nearest = min(prototypes, key=lambda c: np.sum((c - x) ** 2))
        total = total + np.sum((nearest - x) ** 2)
    return total


def cases():
    rng = np.random.default_rng(65)
    w_true = np.array([1.0, -0.5])
    groups = {}
    for name, shift in (("a", 0.0), ("b", 1.5), ("c", -2.0)):
        X = rng.normal(size=(6, 2)) + shift
        groups[name] = (X, X @ w_true + 0.3 * shift * X[:, 0] ** 2)
    w = np.array([0.8, -0.3])
    prototypes = [np.array([-1.0, 0.0]), np.array([1.0, 0.5]), np.array([0.0, 2.0])]
    points = rng.normal(size=(8, 2)) * 1.2
    return [
        dict(fn=worst_group_loss, args=(w, groups), wrt=0, name="max_key_dict"),
        dict(fn=soft_worst_group_loss, args=(w, groups), wrt=0, name="max_key_pairs"),
        dict(fn=prototype_loss, args=(prototypes, points), wrt=0, name="min_key_prototypes"),
    ]
