"""1-D Gaussian mixture with namedtuple parameters; per-component terms from a generator function.

Features: namedtuple, generator-func, genexpr-consumer, loop
"""
from collections import namedtuple

import numpy as np

MixtureParams = namedtuple("MixtureParams", ["logits", "means", "log_scales"])


def log_softmax(v):
    m = np.max(v)
    return v - m - np.log(np.sum(np.exp(v - m)))


def weighted_component_logpdfs(params, x):
    log_w = log_softmax(params.logits)
    for k in range(len(params.means)):
        scale = np.exp(params.log_scales[k])
        yield log_w[k] - 0.5 * ((x - params.means[k]) / scale) ** 2 - np.log(scale) - 0.5 * np.log(2 * np.pi)


def mixture_nll(params, x):
    terms = np.stack(list(weighted_component_logpdfs(params, x)))
    m = np.max(terms, axis=0)
    return -np.sum(m + np.log(np.sum(np.exp(terms - m), axis=0)))


def map_objective(params, x, prior_scale=3.0):
    """MAP objective: NLL plus Gaussian priors on the means and log-scales."""
    prior = sum(np.sum(p ** 2) for p in (params.means, params.log_scales)) / (2 * prior_scale ** 2)
    return mixture_nll(params, x) + prior


def cases():
    rng = np.random.default_rng(23)
    x = np.concatenate([rng.normal(-2, 0.5, 7), rng.normal(1, 1.0, 7)])
    params = MixtureParams(np.array([0.1, -0.2]), np.array([-1.5, 0.8]), np.array([-0.3, 0.1]))
    return [
        dict(fn=mixture_nll, args=(params, x), wrt=0, name="nll"),
        dict(fn=map_objective, args=(params, x), wrt="params", name="map"),
    ]
