"""Poisson GLMs whose link is a staticmethod on the class; gradients of classmethods and staticmethods.

Features: classmethod, staticmethod, method-value
"""
import numpy as np


def softplus(z):
    return np.logaddexp(0.0, z)


class PoissonGLM:
    link = staticmethod(np.exp)

    @staticmethod
    def log_prior(beta, scale=2.0):
        return -0.5 * np.sum(beta ** 2) / scale ** 2

    @classmethod
    def nll(cls, beta, X, counts):
        rate = cls.link(X @ beta)
        return np.sum(rate - counts * np.log(rate)) - cls.log_prior(beta)

    @classmethod
    def deviance(cls, beta, X, counts):
        rate = cls.link(X @ beta)
        safe = np.where(counts > 0, counts, 1.0)
        return 2 * np.sum(np.where(counts > 0, counts * np.log(safe / rate), 0.0) - (counts - rate))


class SoftplusPoissonGLM(PoissonGLM):
    link = staticmethod(softplus)


def cases():
    rng = np.random.default_rng(68)
    X = rng.normal(scale=0.5, size=(10, 3))
    counts = rng.poisson(np.exp(X @ np.array([0.4, -0.6, 0.2]) + 0.3)).astype(float)
    beta = np.array([0.3, -0.4, 0.1])
    return [
        dict(fn=PoissonGLM.nll, args=(beta, X, counts), wrt=0, name="classmethod_exp"),
        dict(fn=SoftplusPoissonGLM.nll, args=(beta, X, counts), wrt="beta", name="classmethod_subclass"),
        dict(fn=SoftplusPoissonGLM().deviance, args=(beta, X, counts), wrt=0, name="classmethod_via_instance"),
        dict(fn=PoissonGLM.log_prior, args=(beta,), wrt=0, name="staticmethod"),
    ]
