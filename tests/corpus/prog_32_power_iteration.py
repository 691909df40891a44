"""Largest eigenvalue by power iteration, with the matrix-vector product passed as a bound method.

Features: method-value, object-inside, func-arg, loop
"""
import numpy as np


class SymmetricOperator:
    def __init__(self, L):
        self.L = L

    def matvec(self, v):
        return self.L @ (self.L.T @ v)


def power_iteration(matvec, v0, n_iter=60):
    v = v0 / np.linalg.norm(v0)
    for _ in range(n_iter):
        w = matvec(v)
        v = w / np.linalg.norm(w)
    return v @ matvec(v)


def top_eigenvalue(L, v0):
    op = SymmetricOperator(L)
    return power_iteration(op.matvec, v0)


def spectral_penalty_loss(A, v0, X, y):
    """Least squares plus a penalty on the largest eigenvalue of A^T A (its matvec is `AtA.dot`)."""
    fit = np.sum((X @ A.T @ np.ones(A.shape[0]) - y) ** 2)
    AtA = A.T @ A
    return fit + 0.5 * power_iteration(AtA.dot, v0)


def cases():
    rng = np.random.default_rng(32)
    L = np.diag([2.0, 1.0, 0.5]) + 0.2 * rng.normal(size=(3, 3))
    v0 = np.ones(3)
    A = np.diag([1.5, 0.7, 0.3]) + 0.1 * rng.normal(size=(3, 3))
    X = rng.normal(size=(5, 3))
    y = rng.normal(size=5)
    return [
        dict(fn=top_eigenvalue, args=(L, v0), wrt=0, name="operator_method"),
        dict(fn=spectral_penalty_loss, args=(A, v0, X, y), wrt=0, name="array_method_values"),
    ]
