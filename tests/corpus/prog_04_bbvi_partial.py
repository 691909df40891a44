"""Black-box VI for Bayesian Poisson regression; data bound with functools.partial.

Features: partial, partial-api, genexpr-consumer, kwonly
"""
import functools

import numpy as np


def log_joint(theta, X, y, prior_std):
    eta = X @ theta
    log_lik = np.sum(y * eta - np.exp(eta))
    return log_lik - 0.5 * np.sum(theta ** 2) / prior_std ** 2


def unpack(var_params):
    d = len(var_params) // 2
    return var_params[:d], var_params[d:]


def neg_elbo(var_params, *, log_target, noise):
    mean, log_std = unpack(var_params)
    std = np.exp(log_std)
    expected = sum(log_target(mean + std * eps) for eps in noise) / len(noise)
    entropy = np.sum(log_std)
    return -(expected + entropy)


def build_objective(X, y, noise, prior_std=1.0):
    target = functools.partial(log_joint, X=X, y=y, prior_std=prior_std)
    return functools.partial(neg_elbo, log_target=target, noise=noise)


def cases():
    rng = np.random.default_rng(3)
    X = rng.normal(scale=0.5, size=(15, 3))
    y = rng.poisson(np.exp(X @ np.array([0.5, -0.3, 0.8]))).astype(float)
    noise = rng.normal(size=(6, 3))
    var_params = np.concatenate([0.1 * rng.normal(size=3), -1.0 + 0.1 * rng.normal(size=3)])
    objective = build_objective(X, y, noise)
    target = functools.partial(log_joint, X=X, y=y, prior_std=1.0)
    return [
        dict(fn=objective, args=(var_params,), wrt=0, name="partial_objective"),
        dict(fn=target, args=(var_params[:3],), wrt=0, name="partial_log_joint"),
    ]
