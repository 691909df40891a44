"""Log-posterior of Bayesian linear regression with a pluggable prior log-density.

Features: func-arg, func-default, kwonly, closure
"""
import numpy as np


def gaussian_log_prior(w, scale=1.0):
    return -0.5 * np.sum((w / scale) ** 2) - w.size * np.log(scale * np.sqrt(2 * np.pi))


def laplace_log_prior(w, scale=1.0):
    return -np.sum(np.abs(w)) / scale - w.size * np.log(2 * scale)


def gaussian_log_likelihood(y, mean, noise_std):
    r = (y - mean) / noise_std
    return -0.5 * np.sum(r ** 2) - y.size * np.log(noise_std * np.sqrt(2 * np.pi))


def log_posterior(w, X, y, log_prior=gaussian_log_prior, *, noise_std=0.5, prior_scale=2.0):
    """log p(w | X, y) up to a constant, for any prior log-density `log_prior(w, scale)`."""
    mean = X @ w
    return gaussian_log_likelihood(y, mean, noise_std) + log_prior(w, prior_scale)


def make_objective(X, y, log_prior, noise_std=0.8):
    """The negative log-posterior as a function of the weights only (for an optimizer)."""
    def neg_log_posterior(w):
        return -log_posterior(w, X, y, log_prior, noise_std=noise_std) / len(y)
    return neg_log_posterior


def synthetic_data(rng, n=20, d=4):
    X = rng.normal(size=(n, d))
    w_true = np.array([1.0, -2.0, 0.5, 0.0])[:d]
    y = X @ w_true + 0.3 * rng.normal(size=n)
    return X, y


def cases():
    rng = np.random.default_rng(0)
    X, y = synthetic_data(rng)
    w = 0.3 * rng.normal(size=X.shape[1])
    return [
        dict(fn=log_posterior, args=(w, X, y), wrt=0, name="gaussian_prior_default"),
        dict(fn=log_posterior, args=(w, X, y, laplace_log_prior), wrt="w", name="laplace_prior_arg"),
        dict(fn=make_objective(X, y, laplace_log_prior), args=(w,), wrt=0, name="closure_objective"),
    ]
