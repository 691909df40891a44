"""Variational inference on a banana-shaped density: ELBO with the reparameterization trick.

Features: dataclass, map, method-value, func-arg, lambda
"""
from dataclasses import dataclass

import numpy as np


@dataclass
class Gaussian:
    """A diagonal Gaussian variational family."""
    mean: np.ndarray
    log_std: np.ndarray

    def sample(self, eps):
        return self.mean + np.exp(self.log_std) * eps

    def entropy(self):
        d = self.mean.size
        return 0.5 * d * (1.0 + np.log(2 * np.pi)) + np.sum(self.log_std)


def banana_log_density(z):
    x, y = z[0], z[1]
    return -0.5 * x ** 2 / 4.0 - 0.5 * (y - 0.3 * x ** 2) ** 2 / 0.5


def elbo(q, log_density, noise):
    """Monte Carlo ELBO with fixed standard-normal draws `noise` (one row per sample)."""
    samples = map(q.sample, noise)
    return np.mean(list(map(log_density, samples))) + q.entropy()


def neg_elbo(q, noise):
    return -elbo(q, banana_log_density, noise)


def tempered_elbo(q, noise, beta=0.5):
    tempered = lambda z: beta * banana_log_density(z)
    return elbo(q, tempered, noise)


def cases():
    rng = np.random.default_rng(2)
    noise = rng.normal(size=(8, 2))
    q = Gaussian(mean=np.array([0.4, -0.3]), log_std=np.array([-0.5, -0.2]))
    return [
        dict(fn=neg_elbo, args=(q, noise), wrt=0, name="neg_elbo"),
        dict(fn=elbo, args=(q, banana_log_density, noise), wrt="q", name="elbo_density_arg"),
        dict(fn=tempered_elbo, args=(q, noise), wrt=0, name="tempered_lambda"),
    ]
