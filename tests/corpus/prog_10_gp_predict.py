"""GP predictive log-likelihood with a learned mean function built by a factory.

Features: returned-func, posonly, closure, kwonly
"""
import numpy as np


def rbf(x1, x2, /, lengthscale, variance):
    return variance * np.exp(-0.5 * (x1[:, None] - x2[None, :]) ** 2 / lengthscale ** 2)


def make_linear_mean(slope, intercept):
    def mean(x):
        return slope * x + intercept
    return mean


def predictive_nll(theta, x, y, x_test, y_test, *, jitter=1e-6):
    lengthscale, variance, noise = np.exp(theta[:3])
    mean_fn = make_linear_mean(theta[3], theta[4])
    K = rbf(x, x, lengthscale, variance) + (noise + jitter) * np.eye(len(x))
    Ks = rbf(x, x_test, lengthscale=lengthscale, variance=variance)
    resid = y - mean_fn(x)
    mu = mean_fn(x_test) + Ks.T @ np.linalg.solve(K, resid)
    var = variance + noise - np.einsum("ij,ij->j", Ks, np.linalg.solve(K, Ks))
    return 0.5 * np.sum(np.log(2 * np.pi * var) + (y_test - mu) ** 2 / var)


def cases():
    rng = np.random.default_rng(10)
    x = np.sort(rng.uniform(0, 5, size=8))
    y = 0.7 * x - 1.0 + np.sin(2 * x) + 0.1 * rng.normal(size=8)
    x_test = np.array([0.7, 2.2, 4.1])
    y_test = 0.7 * x_test - 1.0 + np.sin(2 * x_test)
    theta = np.array([np.log(0.7), np.log(1.2), np.log(0.05), 0.5, -0.8])
    return [dict(fn=predictive_nll, args=(theta, x, y, x_test, y_test), wrt=0, name="predictive_nll")]
