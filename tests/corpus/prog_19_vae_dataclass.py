"""VAE whose parameters are a dataclass of namedtuple layers; the likelihood is keyword-only.

Features: dataclass, namedtuple, kwonly, func-arg, func-default
"""
from collections import namedtuple
from dataclasses import dataclass

import numpy as np

Layer = namedtuple("Layer", ["W", "b"])


@dataclass
class VAEParams:
    encoder: list
    decoder: list


def forward(layers, x, hidden=np.tanh):
    for layer in layers[:-1]:
        x = hidden(x @ layer.W + layer.b)
    last = layers[-1]
    return x @ last.W + last.b


def bernoulli_log_lik(x, logits):
    return np.sum(x * logits - np.logaddexp(0.0, logits))


def gaussian_log_lik(x, mean, std=0.5):
    return -0.5 * np.sum(((x - mean) / std) ** 2) - x.size * np.log(std)


def negative_elbo(params, x, eps, *, log_lik=bernoulli_log_lik, beta=1.0):
    stats = forward(params.encoder, x)
    d = eps.shape[1]
    mu, log_var = stats[:, :d], stats[:, d:]
    z = mu + np.exp(0.5 * log_var) * eps
    out = forward(params.decoder, z)
    kl = -0.5 * np.sum(1 + log_var - mu ** 2 - np.exp(log_var))
    return -(log_lik(x, out) - beta * kl) / len(x)


def gaussian_objective(params, x, eps):
    return negative_elbo(params, x, eps, log_lik=gaussian_log_lik, beta=0.5)


def init(rng, sizes):
    return [Layer(0.5 * rng.normal(size=(m, n)), 0.05 * rng.normal(size=n)) for m, n in zip(sizes[:-1], sizes[1:])]


def cases():
    rng = np.random.default_rng(19)
    x = (rng.uniform(size=(4, 3)) < 0.4).astype(float)
    eps = rng.normal(size=(4, 1))
    params = VAEParams(encoder=init(rng, [3, 3, 2]), decoder=init(rng, [1, 3, 3]))
    return [
        dict(fn=negative_elbo, args=(params, x, eps), wrt=0, name="bernoulli_default"),
        dict(fn=gaussian_objective, args=(params, x, eps), wrt=0, name="gaussian_kwonly"),
    ]
