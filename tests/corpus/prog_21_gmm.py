"""Gaussian mixture model log-likelihood; components combined with functools.reduce(np.logaddexp).

Features: reduce, func-default, func-arg, dict-params, ufunc-api
"""
import functools

import numpy as np


def logsumexp(a):
    m = np.max(a)
    return m + np.log(np.sum(np.exp(a - m)))


def diag_gauss_logpdf(X, mean, log_std):
    z = (X - mean) / np.exp(log_std)
    return -0.5 * np.sum(z ** 2, axis=1) - np.sum(log_std) - 0.5 * X.shape[1] * np.log(2 * np.pi)


def component_log_probs(params, X):
    log_weights = params["logits"] - logsumexp(params["logits"])
    K = len(params["logits"])
    return [log_weights[k] + diag_gauss_logpdf(X, params["means"][k], params["log_stds"][k]) for k in range(K)]


def gmm_log_likelihood(params, X, combine=np.logaddexp):
    per_point = functools.reduce(combine, component_log_probs(params, X))
    return np.sum(per_point)


def logaddexp_by_hand(a, b):
    m = np.maximum(a, b)
    return m + np.log(np.exp(a - m) + np.exp(b - m))


def cases():
    rng = np.random.default_rng(21)
    X = np.concatenate([rng.normal(-1.0, 0.5, size=(6, 2)), rng.normal(1.5, 0.7, size=(6, 2))])
    params = {"logits": np.array([0.2, -0.1, 0.3]),
              "means": np.array([[-1.0, -0.8], [1.2, 1.4], [0.1, 0.3]]),
              "log_stds": np.array([[-0.5, -0.6], [-0.3, -0.2], [0.1, 0.0]])}
    return [
        dict(fn=gmm_log_likelihood, args=(params, X), wrt=0, name="reduce_logaddexp"),
        dict(fn=gmm_log_likelihood, args=(params, X, logaddexp_by_hand), wrt=0, name="reduce_by_hand"),
        dict(fn=np.logaddexp, args=(0.3, -1.2), wrt=(0, 1), name="grad_of_logaddexp_ufunc"),
    ]
