"""1-D wave equation by leapfrog on a periodic grid, written against an array module `xp`.

Features: module-value, kwonly, loop, func-default
"""
import numpy as np


def second_difference(u, xp):
    return xp.roll(u, 1) - 2 * u + xp.roll(u, -1)


def simulate(u0, v0, c, *, xp=np, steps=20, dt=0.2):
    u_prev = u0
    u = u0 + dt * v0 + 0.5 * (c * dt) ** 2 * second_difference(u0, xp)
    for _ in range(steps - 1):
        u_next = 2 * u - u_prev + (c * dt) ** 2 * second_difference(u, xp)
        u_prev, u = u, u_next
    return u


def misfit(u0, v0, c, observed):
    u = simulate(u0, v0, c, xp=np)
    return 0.5 * np.sum((u - observed) ** 2)


def energy_loss(c, u0, v0, xp=np):
    u = simulate(u0, v0, c, xp=xp, steps=15)
    return xp.sum(xp.square(u)) + xp.sum(xp.square(second_difference(u, xp)))


def cases():
    rng = np.random.default_rng(34)
    x = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    u0 = np.exp(-4 * (x - np.pi) ** 2) + 0.05 * rng.normal(size=12)
    v0 = np.zeros(12)
    observed = np.roll(u0, 3)
    return [
        dict(fn=misfit, args=(u0, v0, 1.1, observed), wrt=(0, 2), name="misfit"),
        dict(fn=energy_loss, args=(0.9, u0, v0, np), wrt=(0, 1), name="np_argument"),
    ]
