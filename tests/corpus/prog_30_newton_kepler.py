"""Orbit fitting through an unrolled Newton solver for Kepler's equation E - e sin E = M.

Features: returned-func, lambda, closure, loop
"""
import numpy as np


def make_newton_step(f, fprime):
    def step(x):
        return x - f(x) / fprime(x)
    return step


def solve_kepler(M, e, n_iter=8):
    step = make_newton_step(lambda E: E - e * np.sin(E) - M, lambda E: 1 - e * np.cos(E))
    E = M + 0.0
    for _ in range(n_iter):
        E = step(E)
    return E


def orbit_positions(params, M):
    e, a = params[0], params[1]
    E = solve_kepler(M, e)
    return a * (np.cos(E) - e), a * np.sqrt(1 - e ** 2) * np.sin(E)


def orbit_loss(params, M, x_obs, y_obs):
    x, y = orbit_positions(params, M)
    return np.sum((x - x_obs) ** 2 + (y - y_obs) ** 2)


def cases():
    rng = np.random.default_rng(30)
    M = np.linspace(0.3, 5.9, 7)
    x_true, y_true = orbit_positions(np.array([0.4, 1.5]), M)
    x_obs = x_true + 0.02 * rng.normal(size=7)
    y_obs = y_true + 0.02 * rng.normal(size=7)
    params = np.array([0.3, 1.3])
    return [
        dict(fn=orbit_loss, args=(params, M, x_obs, y_obs), wrt=0, name="kepler_params"),
        dict(fn=orbit_loss, args=(params, M, x_obs, y_obs), wrt=(0, 1), name="kepler_params_and_anomaly"),
    ]
