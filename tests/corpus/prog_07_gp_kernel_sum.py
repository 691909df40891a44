"""Gaussian process with a composite kernel: kernel objects with __call__ summed by reduce.

Features: callable-object, object-inside, plain-object, reduce, func-list, lambda, genexpr-consumer
"""
import functools
import operator

import numpy as np


class RBF:
    def __init__(self, lengthscale, variance=1.0):
        self.lengthscale = lengthscale
        self.variance = variance

    def __call__(self, X1, X2):
        d = (X1[:, None, :] - X2[None, :, :]) / self.lengthscale
        return self.variance * np.exp(-0.5 * np.sum(d ** 2, axis=-1))


class Linear:
    def __init__(self, variance):
        self.variance = variance

    def __call__(self, X1, X2):
        return self.variance * X1 @ X2.T


class White:
    def __init__(self, noise):
        self.noise = noise

    def __call__(self, X1, X2):
        return self.noise * np.eye(len(X1))


def nlml(kernels, X, y):
    K = functools.reduce(operator.add, (k(X, X) for k in kernels))
    alpha = np.linalg.solve(K, y)
    return 0.5 * y @ alpha + 0.5 * np.linalg.slogdet(K)[1]


def nlml_from_log_params(theta, X, y):
    """Kernel objects built inside the objective from unconstrained parameters."""
    kernels = [RBF(np.exp(theta[0]), np.exp(theta[1])), Linear(np.exp(theta[2])), White(np.exp(theta[3]))]
    gram = lambda X1, X2: functools.reduce(lambda acc, k: acc + k(X1, X2), kernels[1:], kernels[0](X1, X2))
    K = gram(X, X)
    alpha = np.linalg.solve(K, y)
    return 0.5 * y @ alpha + 0.5 * np.linalg.slogdet(K)[1]


def cases():
    rng = np.random.default_rng(7)
    X = rng.uniform(-2, 2, size=(9, 2))
    y = 0.5 * X[:, 0] + np.cos(X[:, 1]) + 0.05 * rng.normal(size=9)
    kernels = [RBF(np.array([0.9, 1.3]), 1.2), Linear(0.4), White(0.1)]
    theta = np.array([0.1, 0.2, -1.0, -2.0])
    return [
        dict(fn=nlml, args=(kernels, X, y), wrt=0, name="kernel_objects_arg"),
        dict(fn=nlml_from_log_params, args=(theta, X, y), wrt=0, name="kernels_inside"),
    ]
