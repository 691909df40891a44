"""Bayesian neural network regression: log-posterior of a small tanh MLP.

Features: func-list, func-default, varargs, star-call, kwonly, genexpr-consumer, loop
"""
import numpy as np


def identity(a):
    return a


ACTIVATIONS = [np.tanh, np.tanh, identity]


def init_params(rng, sizes):
    return [(0.5 * rng.normal(size=(m, n)), 0.1 * rng.normal(size=n))
            for m, n in zip(sizes[:-1], sizes[1:])]


def mlp(params, x, activations):
    h = x
    for (W, b), act in zip(params, activations):
        h = act(h @ W + b)
    return h


def log_prior(*layers, scale=1.0):
    return sum(-0.5 * np.sum(p ** 2) / scale ** 2 for layer in layers for p in layer)


def log_posterior(params, x, y, noise_std=0.3, activations=ACTIVATIONS):
    pred = mlp(params, x, activations)[:, 0]
    log_lik = -0.5 * np.sum((y - pred) ** 2) / noise_std ** 2
    return log_lik + log_prior(*params, scale=2.0)


def cases():
    rng = np.random.default_rng(4)
    x = np.linspace(-2, 2, 12)[:, None]
    y = np.sin(1.5 * x[:, 0]) + 0.1 * rng.normal(size=12)
    params = init_params(rng, [1, 5, 4, 1])
    relu_like = [np.arctan, np.sin, identity]
    return [
        dict(fn=log_posterior, args=(params, x, y), wrt=0, name="tanh_mlp"),
        dict(fn=log_posterior, args=(params, x, y, 0.5, relu_like), wrt="params", name="custom_activations"),
    ]
