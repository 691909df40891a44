"""Variational inference with planar normalizing flows composed by reduce; fixed base noise.

Features: reduce, returned-func, lambda, varargs, star-call, func-list, closure
"""
import functools

import numpy as np


def make_planar(u, w, b):
    """z -> z + u tanh(w.z + b), returning (new z, log|det J|)."""
    def flow(z, logdet):
        a = z @ w + b
        h = np.tanh(a)
        psi = (1 - h ** 2)[:, None] * w
        return z + h[:, None] * u, logdet + np.log(np.abs(1 + psi @ u))
    return flow


def compose(*flows):
    return functools.reduce(lambda f, g: lambda z, ld: g(*f(z, ld)), flows)


def target_log_density(z):
    r = np.sqrt(np.sum(z ** 2, axis=1))
    return -0.5 * ((r - 2.0) / 0.4) ** 2


def neg_elbo(params, eps):
    flows = [make_planar(u, w, b) for u, w, b in params]
    transform = compose(*flows)
    z, logdet = transform(eps, np.zeros(len(eps)))
    log_q0 = -0.5 * np.sum(eps ** 2, axis=1) - np.log(2 * np.pi)
    return np.mean(log_q0 - logdet - target_log_density(z))


def cases():
    rng = np.random.default_rng(72)
    params = [(0.5 * rng.normal(size=2), 0.5 * rng.normal(size=2), 0.1 * rng.normal()) for _ in range(3)]
    eps = rng.normal(size=(10, 2))
    return [dict(fn=neg_elbo, args=(params, eps), wrt=0, name="planar_flows")]
