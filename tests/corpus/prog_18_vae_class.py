"""Gaussian VAE built from layer objects: modules constructed inside the loss, or passed in.

Features: object-inside, callable-object, plain-object
"""
import numpy as np


class Dense:
    def __init__(self, W, b, activation=None):
        self.W = W
        self.b = b
        self.activation = activation

    def __call__(self, x):
        y = x @ self.W + self.b
        return y if self.activation is None else self.activation(y)


class VAE:
    def __init__(self, enc_hidden, enc_out, dec_hidden, dec_out):
        self.enc_hidden = enc_hidden
        self.enc_out = enc_out
        self.dec_hidden = dec_hidden
        self.dec_out = dec_out

    def encode(self, x):
        h = self.enc_out(self.enc_hidden(x))
        d = h.shape[1] // 2
        return h[:, :d], h[:, d:]

    def decode(self, z):
        return self.dec_out(self.dec_hidden(z))

    def elbo(self, x, eps, obs_std=0.5):
        mu, log_std = self.encode(x)
        z = mu + np.exp(log_std) * eps
        recon = self.decode(z)
        log_lik = -0.5 * np.sum(((x - recon) / obs_std) ** 2)
        kl = 0.5 * np.sum(mu ** 2 + np.exp(2 * log_std) - 1 - 2 * log_std)
        return (log_lik - kl) / len(x)


def loss_from_dict(params, x, eps):
    vae = VAE(Dense(params["W1"], params["b1"], np.tanh), Dense(params["W2"], params["b2"]),
              Dense(params["W3"], params["b3"], np.tanh), Dense(params["W4"], params["b4"]))
    return -vae.elbo(x, eps)


def loss_of_model(vae, x, eps):
    return -vae.elbo(x, eps, obs_std=0.8)


def init(rng):
    shapes = {"1": (3, 4), "2": (4, 2), "3": (1, 4), "4": (4, 3)}
    params = {}
    for k, (m, n) in shapes.items():
        params["W" + k] = 0.5 * rng.normal(size=(m, n))
        params["b" + k] = 0.1 * rng.normal(size=n)
    return params


def cases():
    rng = np.random.default_rng(18)
    x = rng.normal(size=(4, 3))
    eps = rng.normal(size=(4, 1))
    p = init(rng)
    vae = VAE(Dense(p["W1"], p["b1"], np.tanh), Dense(p["W2"], p["b2"]),
              Dense(p["W3"], p["b3"], np.tanh), Dense(p["W4"], p["b4"]))
    return [
        dict(fn=loss_from_dict, args=(p, x, eps), wrt=0, name="modules_inside"),
        dict(fn=loss_of_model, args=(vae, x, eps), wrt=0, name="grad_wrt_model_object"),
    ]
