"""Fitting Lotka-Volterra parameters through a forward-Euler integrator that takes the dynamics f.

Features: func-arg, loop, inplace
"""
import numpy as np


def lotka_volterra(y, params):
    prey, pred = y[0], y[1]
    a, b, c, d = params
    return np.array([a * prey - b * prey * pred, d * prey * pred - c * pred])


def odeint_euler(f, y0, n_steps, dt, params):
    ys = np.zeros((n_steps + 1, len(y0)))
    ys[0] = y0
    y = y0
    for i in range(n_steps):
        y = y + dt * f(y, params)
        ys[i + 1] = y
    return ys


def fit_loss(params, y0, observed, dt=0.05):
    ys = odeint_euler(lotka_volterra, y0, len(observed) - 1, dt, params)
    return np.sum((np.log(ys) - np.log(observed)) ** 2)


def cases():
    rng = np.random.default_rng(37)
    true = np.array([1.0, 0.5, 0.8, 0.3])
    y0 = np.array([2.0, 1.0])
    observed = odeint_euler(lotka_volterra, y0, 20, 0.05, true) * np.exp(0.02 * rng.normal(size=(21, 2)))
    params = np.array([0.9, 0.55, 0.7, 0.35])
    return [
        dict(fn=fit_loss, args=(params, y0, observed), wrt=0, name="lv_params"),
        dict(fn=fit_loss, args=(params, y0, observed), wrt=(0, 1), name="lv_params_and_y0"),
    ]
