"""Importance-weighted autoencoder bound (IWAE) with log-sum-exp written by hand.

Features: genexpr-consumer, closure, dict-params
"""
import numpy as np


def logsumexp(a):
    m = np.max(a)
    return m + np.log(np.sum(np.exp(a - m)))


def log_normal(x, mean, log_std):
    return np.sum(-0.5 * ((x - mean) / np.exp(log_std)) ** 2 - log_std - 0.5 * np.log(2 * np.pi))


def iwae_bound(params, x, eps):
    """eps has shape (K, latent): K importance samples for the single datum x."""
    def encode(x):
        h = np.tanh(params["We"] @ x + params["be"])
        return params["Wmu"] @ h, params["Wls"] @ h - 1.0

    def log_joint(z):
        mean = params["Wd"] @ np.tanh(z) + params["bd"]
        return log_normal(z, 0.0, 0.0) + log_normal(x, mean, np.log(0.5))

    mu, log_std = encode(x)
    zs = tuple(mu + np.exp(log_std) * e for e in eps)
    log_w = np.array(list(log_joint(z) - log_normal(z, mu, log_std) for z in zs))
    return logsumexp(log_w) - np.log(len(eps))


def batch_loss(params, X, eps):
    return -sum(iwae_bound(params, x, e) for x, e in zip(X, eps)) / len(X)


def cases():
    rng = np.random.default_rng(20)
    params = {"We": 0.5 * rng.normal(size=(3, 3)), "be": np.zeros(3), "Wmu": 0.5 * rng.normal(size=(2, 3)),
              "Wls": 0.3 * rng.normal(size=(2, 3)), "Wd": 0.5 * rng.normal(size=(3, 2)), "bd": np.zeros(3)}
    X = rng.normal(size=(3, 3))
    eps = rng.normal(size=(3, 5, 2))
    return [
        dict(fn=batch_loss, args=(params, X, eps), wrt=0, name="iwae_batch"),
        dict(fn=iwae_bound, args=(params, X[0], eps[0]), wrt=0, name="iwae_single"),
    ]
