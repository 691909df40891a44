"""Variational autoencoder on binary vectors: MLP encoder/decoder with lists of activations.

Features: func-list, func-default, dict-params, loop
"""
import numpy as np


def identity(a):
    return a


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def init_mlp(rng, sizes, scale=0.5):
    return [(scale * rng.normal(size=(m, n)), np.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]


def mlp(layers, x, activations):
    for (W, b), act in zip(layers, activations):
        x = act(x @ W + b)
    return x


def neg_elbo(params, x, eps, enc_acts=(np.tanh, identity), dec_acts=(np.tanh, sigmoid)):
    latent = eps.shape[1]
    h = mlp(params["enc"], x, enc_acts)
    mu, log_std = h[:, :latent], h[:, latent:]
    z = mu + np.exp(log_std) * eps
    p = mlp(params["dec"], z, dec_acts)
    log_lik = np.sum(x * np.log(p) + (1 - x) * np.log(1 - p))
    kl = 0.5 * np.sum(mu ** 2 + np.exp(2 * log_std) - 1 - 2 * log_std)
    return -(log_lik - kl) / x.shape[0]


def cases():
    rng = np.random.default_rng(17)
    x = (rng.uniform(size=(5, 4)) < 0.5).astype(float)
    eps = rng.normal(size=(5, 1))
    params = {"enc": init_mlp(rng, [4, 3, 2]), "dec": init_mlp(rng, [1, 3, 4])}
    return [
        dict(fn=neg_elbo, args=(params, x, eps), wrt=0, name="vae_default_acts"),
        dict(fn=neg_elbo, args=(params, x, eps, [np.sin, identity], [np.arctan, sigmoid]), wrt=0,
             name="vae_activation_lists"),
    ]
