"""Three-body problem by leapfrog; the force law is a default argument (softened gravity or Yukawa).

Features: func-default, func-arg, loop, inplace
"""
import numpy as np


def gravity(x, masses, G=1.0, softening=0.1):
    diff = x[None, :, :] - x[:, None, :]
    r2 = np.sum(diff ** 2, axis=-1) + softening ** 2
    mm = masses[:, None] * masses[None, :]
    return G * np.sum((mm / r2 ** 1.5)[:, :, None] * diff, axis=1)


def yukawa(x, masses, length=2.0, softening=0.1):
    diff = x[None, :, :] - x[:, None, :]
    r = np.sqrt(np.sum(diff ** 2, axis=-1) + softening ** 2)
    mm = masses[:, None] * masses[None, :]
    strength = mm * np.exp(-r / length) * (1 / r ** 2 + 1 / (length * r)) / r
    return np.sum(strength[:, :, None] * diff, axis=1)


def leapfrog(x0, v0, masses, n_steps, dt, force=gravity):
    traj = np.zeros((n_steps + 1,) + x0.shape)
    traj[0] = x0
    x, v = x0, v0 + 0.5 * dt * force(x0, masses) / masses[:, None]
    for t in range(n_steps):
        x = x + dt * v
        v = v + dt * force(x, masses) / masses[:, None]
        traj[t + 1] = x
    return traj


def aim_loss(v0, masses, x0, target, force=gravity):
    traj = leapfrog(x0, v0, masses, 15, 0.05, force)
    return np.sum((traj[-1, 0] - target) ** 2) + 0.01 * np.sum(traj[:, 1:] ** 2)


def cases():
    x0 = np.array([[0.0, 0.0], [1.0, 0.0], [-0.5, 0.8]])
    v0 = np.array([[0.0, 0.1], [0.0, 0.9], [-0.6, -0.3]])
    masses = np.array([1.0, 0.3, 0.2])
    target = np.array([0.1, 0.3])
    return [
        dict(fn=aim_loss, args=(v0, masses, x0, target), wrt=(0, 1), name="gravity"),
        dict(fn=aim_loss, args=(v0, masses, x0, target, yukawa), wrt=0, name="yukawa_arg"),
    ]
