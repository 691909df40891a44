"""Type-II maximum likelihood for Bayesian basis-function regression; the API gets functools.partial objects.

Features: partial-api, partial, func-list, lambda, genexpr-consumer
"""
import functools

import numpy as np

BASIS = [np.ones_like, lambda x: x, np.square, np.sin, lambda x: np.cos(2 * x)]


def design_matrix(x, basis=BASIS):
    return np.stack(tuple(f(x) for f in basis), axis=1)


def neg_log_evidence(Phi, y, log_alpha, log_beta):
    """-log p(y | alpha, beta) for y = Phi w + noise, w ~ N(0, 1/alpha), noise ~ N(0, 1/beta)."""
    alpha, beta = np.exp(log_alpha), np.exp(log_beta)
    N, M = Phi.shape
    A = alpha * np.eye(M) + beta * Phi.T @ Phi
    m = beta * np.linalg.solve(A, Phi.T @ y)
    E = 0.5 * beta * np.sum((y - Phi @ m) ** 2) + 0.5 * alpha * m @ m
    _, logdet = np.linalg.slogdet(A)
    return -(0.5 * M * log_alpha + 0.5 * N * log_beta - E - 0.5 * logdet - 0.5 * N * np.log(2 * np.pi))


def evidence_of_hypers(hypers, x, y, basis=BASIS):
    return neg_log_evidence(design_matrix(x, basis), y, hypers[0], hypers[1])


def cases():
    rng = np.random.default_rng(69)
    x = np.sort(rng.uniform(-2, 2, size=12))
    y = 0.5 + np.sin(x) - 0.3 * x ** 2 + 0.2 * rng.normal(size=12)
    Phi = design_matrix(x)
    return [
        dict(fn=functools.partial(neg_log_evidence, Phi, y), args=(0.1, 2.0), wrt=(0, 1),
             name="partial_positional"),
        dict(fn=functools.partial(neg_log_evidence, log_beta=2.0), args=(Phi, y, 0.1), wrt=2,
             name="partial_keyword"),
        dict(fn=functools.partial(evidence_of_hypers, x=x, y=y), args=(np.array([0.1, 2.0]),), wrt=0,
             name="partial_with_basis_list"),
    ]
