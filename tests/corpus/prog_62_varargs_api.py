"""Losses taking their weights as *args and options as **kwargs; gradients for several positions.

Features: varargs, kwargs, star-call, loop, genexpr-consumer
"""
import numpy as np


def dense_stack(x, *weights, activation=np.tanh):
    """weights alternate W0, b0, W1, b1, ...; the last layer is linear."""
    n_layers = len(weights) // 2
    for i in range(n_layers):
        x = x @ weights[2 * i] + weights[2 * i + 1]
        if i < n_layers - 1:
            x = activation(x)
    return x


def penalty(*arrays, **options):
    scale = options.get("scale", 1e-2)
    power = options.get("power", 2)
    return scale * sum(np.sum(np.abs(a) ** power) for a in arrays)


def regression_loss(X, y, *weights):
    pred = dense_stack(X, *weights)[:, 0]
    return np.mean((pred - y) ** 2) + penalty(*weights[::2], scale=1e-3)


def sum_of_squares(*arrays):
    return sum(np.sum(a ** 2) for a in arrays)


def cases():
    rng = np.random.default_rng(62)
    X = rng.normal(size=(8, 2))
    y = X[:, 0] * X[:, 1]
    W0, b0 = 0.5 * rng.normal(size=(2, 4)), np.zeros(4)
    W1, b1 = 0.5 * rng.normal(size=(4, 1)), np.zeros(1)
    return [
        dict(fn=regression_loss, args=(X, y, W0, b0, W1, b1), wrt=(2, 3, 4, 5), name="weights_as_varargs"),
        dict(fn=sum_of_squares, args=(W0, b0 + 0.5, 1.5), wrt=(0, 1, 2), name="sum_of_squares"),
        dict(fn=penalty, args=(W0, W1), wrt=1, name="penalty_defaults"),
    ]
