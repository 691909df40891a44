"""ARD Gaussian process with dataclass hyperparameters and an array-namespace lookup.

Features: dataclass, module-value, classmethod, object-inside
"""
from dataclasses import dataclass

import numpy as np


def array_namespace(*arrays):
    """Stand-in for array_api_compat.array_namespace: these are all NumPy arrays."""
    return np


@dataclass
class Hypers:
    log_lengthscales: np.ndarray
    log_variance: float
    log_noise: float

    @classmethod
    def from_vector(cls, v):
        return cls(v[:-2], v[-2], v[-1])

    @classmethod
    def default(cls, dim):
        return cls(np.zeros(dim), 0.0, -2.0)


def ard_kernel(hypers, X1, X2, xp):
    ls = xp.exp(hypers.log_lengthscales)
    diff = (X1[:, None, :] - X2[None, :, :]) / ls
    return xp.exp(hypers.log_variance) * xp.exp(-0.5 * xp.sum(diff ** 2, axis=-1))


def nlml(hypers, X, y):
    xp = array_namespace(X, y)
    K = ard_kernel(hypers, X, X, xp) + xp.exp(hypers.log_noise) * xp.eye(X.shape[0])
    alpha = xp.linalg.solve(K, y)
    _, logdet = xp.linalg.slogdet(K)
    return 0.5 * xp.dot(y, alpha) + 0.5 * logdet


def nlml_flat(v, X, y):
    return nlml(Hypers.from_vector(v), X, y)


def cases():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(10, 3))
    y = np.tanh(X[:, 0]) - 0.5 * X[:, 2] + 0.05 * rng.normal(size=10)
    hypers = Hypers(np.array([0.1, 0.5, -0.2]), 0.2, -2.5)
    v = np.array([0.2, 0.3, -0.1, 0.1, -2.0])
    return [
        dict(fn=nlml, args=(hypers, X, y), wrt=0, name="dataclass_hypers"),
        dict(fn=nlml, args=(Hypers.default(3), X, y), wrt=0, name="default_hypers"),
        dict(fn=nlml_flat, args=(v, X, y), wrt=0, name="classmethod_inside"),
    ]
