"""Damped driven oscillator; the integrator forwards physical constants to the dynamics with **kwargs.

Features: kwargs, star-call, func-arg, loop, kwonly
"""
import numpy as np


def oscillator(t, y, *, damping, stiffness, drive=0.0, freq=1.0):
    x, v = y
    return np.array([v, -stiffness * x - damping * v + drive * np.cos(freq * t)])


def heun(f, y0, t_end, n_steps, **f_kwargs):
    dt = t_end / n_steps
    ys = [y0]
    y = y0
    for i in range(n_steps):
        t = i * dt
        k1 = f(t, y, **f_kwargs)
        k2 = f(t + dt, y + dt * k1, **f_kwargs)
        y = y + dt / 2 * (k1 + k2)
        ys.append(y)
    return np.array(ys)


def fit_loss(theta, y0, observed):
    constants = {"damping": theta[0], "stiffness": theta[1]}
    traj = heun(oscillator, y0, 4.0, len(observed) - 1, drive=theta[2], **constants)
    return np.sum((traj[:, 0] - observed) ** 2)


def cases():
    rng = np.random.default_rng(40)
    y0 = np.array([1.0, 0.0])
    obs = heun(oscillator, y0, 4.0, 20, damping=0.3, stiffness=2.0, drive=0.5)[:, 0]
    obs = obs + 0.01 * rng.normal(size=obs.shape)
    theta = np.array([0.25, 1.8, 0.4])
    return [dict(fn=fit_loss, args=(theta, y0, obs), wrt=0, name="oscillator_kwargs")]
