"""Bayesian logistic regression: log-posterior over namedtuple parameters, summed per example.

Features: namedtuple, genexpr-consumer, func-default
"""
from collections import namedtuple

import numpy as np

Params = namedtuple("Params", ["w", "b"])


def log_sigmoid(z):
    return -np.logaddexp(0.0, -z)


def example_log_lik(params, x, y):
    z = x @ params.w + params.b
    return y * log_sigmoid(z) + (1 - y) * log_sigmoid(-z)


def log_prior(params, scale=1.0):
    return -0.5 * (np.sum(params.w ** 2) + params.b ** 2) / scale ** 2


def log_posterior(params, X, Y, prior=log_prior):
    return prior(params) + sum(example_log_lik(params, x, y) for x, y in zip(X, Y))


def minibatch_log_posterior(params, X, Y, batch):
    """Unbiased estimate of the log-posterior from the examples listed in `batch`."""
    scale = len(X) / len(batch)
    return log_prior(params, scale=2.0) + scale * sum(example_log_lik(params, X[i], Y[i]) for i in batch)


def make_data(rng, n=16, d=3):
    X = rng.normal(size=(n, d))
    true = Params(np.array([1.5, -1.0, 0.5]), -0.2)
    p = 1 / (1 + np.exp(-(X @ true.w + true.b)))
    Y = (rng.uniform(size=n) < p).astype(float)
    return X, Y


def cases():
    rng = np.random.default_rng(1)
    X, Y = make_data(rng)
    params = Params(0.1 * rng.normal(size=3), 0.05)
    batch = [0, 3, 5, 8, 13]
    return [
        dict(fn=log_posterior, args=(params, X, Y), wrt=0, name="full_posterior"),
        dict(fn=minibatch_log_posterior, args=(params, X, Y, batch), wrt="params", name="minibatch"),
    ]
