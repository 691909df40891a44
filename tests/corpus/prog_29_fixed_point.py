"""Unrolled fixed-point iteration x = tanh(W x + b), with the map passed to a generic solver.

Features: func-arg, closure, lambda, returned-func, loop, func-default
"""
import numpy as np


def fixed_point(f, x0, n_iter=30):
    x = x0
    for _ in range(n_iter):
        x = f(x)
    return x


def damped(f, alpha=0.5):
    def g(x):
        return (1 - alpha) * x + alpha * f(x)
    return g


def equilibrium_loss(params, x0, target):
    W, b = params
    f = lambda x: np.tanh(W @ x + b)
    x_star = fixed_point(f, x0)
    return np.sum((x_star - target) ** 2)


def damped_equilibrium_loss(params, x0, target, solver=fixed_point):
    W, b = params

    def layer(x):
        return np.tanh(W @ x + b)

    x_star = solver(damped(layer, alpha=0.7), x0, n_iter=40)
    return np.sum((x_star - target) ** 2) + 0.1 * np.sum(W ** 2)


def cases():
    rng = np.random.default_rng(29)
    W = 0.3 * rng.normal(size=(3, 3))
    b = rng.normal(size=3)
    x0 = np.zeros(3)
    target = np.array([0.5, -0.2, 0.1])
    return [
        dict(fn=equilibrium_loss, args=((W, b), x0, target), wrt=0, name="plain_iteration"),
        dict(fn=damped_equilibrium_loss, args=((W, b), x0, target), wrt=0, name="damped_solver"),
    ]
