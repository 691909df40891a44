"""Objectives as callable objects handed to grad: a negative log-likelihood object and a wrapped method.

Features: callable-object, bound-method-api, func-default
"""
import numpy as np


class NegLogLikelihood:
    """Poisson regression NLL with the data stored on the object."""

    def __init__(self, X, counts, prior_std=2.0, link=np.exp):
        self.X = X
        self.counts = counts
        self.prior_std = prior_std
        self.link = link

    def __call__(self, beta):
        rate = self.link(self.X @ beta)
        nll = np.sum(rate - self.counts * np.log(rate))
        return nll + 0.5 * np.sum(beta ** 2) / self.prior_std ** 2


class Tempered:
    """Wraps another objective: f(beta) / temperature."""

    def __init__(self, objective, temperature):
        self.objective = objective
        self.temperature = temperature

    def __call__(self, beta):
        return self.objective(beta) / self.temperature


def softplus(z):
    return np.logaddexp(0.0, z)


def cases():
    rng = np.random.default_rng(67)
    X = rng.normal(scale=0.5, size=(10, 3))
    counts = rng.poisson(np.exp(X @ np.array([0.3, -0.5, 0.8]) + 0.5)).astype(float)
    beta = np.array([0.2, -0.1, 0.4])
    nll = NegLogLikelihood(X, counts)
    return [
        dict(fn=nll, args=(beta,), wrt=0, name="callable_object"),
        dict(fn=NegLogLikelihood(X, counts, link=softplus), args=(beta,), wrt="beta", name="callable_softplus_link"),
        dict(fn=Tempered(nll, 4.0), args=(beta,), wrt=0, name="nested_callables"),
        dict(fn=nll.__call__, args=(beta,), wrt=0, name="bound_dunder_call"),
    ]
