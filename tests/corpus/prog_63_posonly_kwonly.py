"""Robust regression with Huber/Cauchy losses: positional-only and keyword-only parameters, *seq and **mapping calls.

Features: posonly, kwonly, star-call, func-default
"""
import numpy as np


def huber(residual, /, delta=1.0, *, reduce=np.mean):
    a = np.abs(residual)
    quad = 0.5 * residual ** 2
    lin = delta * (a - 0.5 * delta)
    return reduce(np.where(a <= delta, quad, lin))


def cauchy(residual, /, scale=1.0, *, reduce=np.mean):
    return reduce(np.log1p((residual / scale) ** 2))


def predict(w, b, X, /):
    return X @ w + b


def robust_loss(params, X, y, /, *, loss=huber, settings=None):
    settings = {"delta": 0.5} if settings is None else settings
    residual = predict(*params, X) - y
    return loss(residual, **settings, reduce=np.sum)


def cauchy_loss(params, X, y):
    opts = {"scale": 0.7}
    return robust_loss(params, X, y, loss=cauchy, settings=opts)


def cases():
    rng = np.random.default_rng(63)
    X = rng.normal(size=(12, 2))
    y = X @ np.array([1.0, -1.0]) + 0.3 + 0.1 * rng.normal(size=12)
    y[[2, 7]] += np.array([4.0, -3.0])  # outliers
    params = (np.array([0.8, -0.7]), 0.1)
    return [
        dict(fn=robust_loss, args=(params, X, y), wrt=0, name="huber"),
        dict(fn=cauchy_loss, args=(params, X, y), wrt=0, name="cauchy_settings"),
        dict(fn=huber, args=(y - X @ params[0],), wrt=0, name="huber_posonly_api"),
    ]
