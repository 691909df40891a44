"""Upwind advection-diffusion of a tracer on a periodic grid; shifts are functools.partial(np.roll).

Features: partial, loop
"""
import functools

import numpy as np

shift_down = functools.partial(np.roll, shift=1, axis=0)
shift_up = functools.partial(np.roll, shift=-1, axis=0)
shift_right = functools.partial(np.roll, shift=1, axis=1)
shift_left = functools.partial(np.roll, shift=-1, axis=1)


def step(c, u, v, dt=0.1, nu=0.05):
    """One upwind step for positive velocities u (along axis 1) and v (along axis 0)."""
    adv = u * (c - shift_right(c)) + v * (c - shift_down(c))
    lap = shift_up(c) + shift_down(c) + shift_left(c) + shift_right(c) - 4 * c
    return c - dt * adv + dt * nu * lap


def transport(c0, u, v, n_steps=10):
    c = c0
    for _ in range(n_steps):
        c = step(c, u, v)
    return c


def source_inversion_loss(c0, u, v, sensor_mask, readings):
    c = transport(c0, u, v)
    return np.sum(sensor_mask * (c - readings) ** 2) + 0.01 * np.sum(c0 ** 2)


def velocity_loss(log_speed, c0, readings):
    speed = np.exp(log_speed)
    roll_by = functools.partial(np.roll, c0, axis=1)
    c = transport(0.5 * (roll_by(1) + roll_by(-1)), speed[0], speed[1], n_steps=8)
    return np.sum((c - readings) ** 2)


def cases():
    rng = np.random.default_rng(35)
    c0 = rng.uniform(size=(5, 5))
    u = 0.5 + 0.3 * rng.uniform(size=(5, 5))
    v = 0.4 + 0.3 * rng.uniform(size=(5, 5))
    mask = (rng.uniform(size=(5, 5)) < 0.5).astype(float)
    readings = rng.uniform(size=(5, 5))
    return [
        dict(fn=source_inversion_loss, args=(c0, u, v, mask, readings), wrt=(0, 1), name="source_and_u"),
        dict(fn=velocity_loss, args=(np.log(np.array([0.6, 0.3])), c0, readings), wrt=0, name="speeds"),
    ]
