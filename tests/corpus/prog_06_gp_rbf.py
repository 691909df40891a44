"""Gaussian-process regression: negative log marginal likelihood with a kernel passed in.

Features: func-arg, func-default, kwargs, star-call
"""
import numpy as np


def sq_dists(X1, X2):
    return np.sum(X1 ** 2, axis=1)[:, None] + np.sum(X2 ** 2, axis=1)[None, :] - 2 * X1 @ X2.T


def rbf_kernel(X1, X2, lengthscale=1.0, variance=1.0):
    return variance * np.exp(-0.5 * sq_dists(X1 / lengthscale, X2 / lengthscale))


def periodic_kernel(X1, X2, lengthscale=1.0, variance=1.0, period=1.0):
    diff = X1[:, None, 0] - X2[None, :, 0]
    return variance * np.exp(-2.0 * np.sin(np.pi * diff / period) ** 2 / lengthscale ** 2)


def neg_log_marginal_likelihood(log_hypers, X, y, kernel=rbf_kernel, **kernel_kwargs):
    hypers = dict(lengthscale=np.exp(log_hypers[0]), variance=np.exp(log_hypers[1]))
    noise = np.exp(log_hypers[2])
    K = kernel(X, X, **hypers, **kernel_kwargs) + (noise + 1e-6) * np.eye(len(X))
    alpha = np.linalg.solve(K, y)
    sign, logdet = np.linalg.slogdet(K)
    return 0.5 * y @ alpha + 0.5 * logdet + 0.5 * len(X) * np.log(2 * np.pi)


def nlml_periodic(log_hypers, X, y):
    return neg_log_marginal_likelihood(log_hypers, X, y, periodic_kernel, period=2.5)


def cases():
    rng = np.random.default_rng(6)
    X = np.sort(rng.uniform(-3, 3, size=10))[:, None]
    y = np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=10)
    log_hypers = np.array([np.log(0.8), np.log(1.1), np.log(0.05)])
    return [
        dict(fn=neg_log_marginal_likelihood, args=(log_hypers, X, y), wrt=0, name="rbf_default"),
        dict(fn=nlml_periodic, args=(log_hypers, X, y), wrt=0, name="periodic_kwargs"),
        dict(fn=neg_log_marginal_likelihood, args=(log_hypers, X, y, periodic_kernel), wrt=0,
             name="kernel_arg"),
    ]
