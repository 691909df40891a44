"""2-D heat diffusion with np.roll stencils; the Laplacian stencil is a default argument.

Features: func-default, func-arg, loop
"""
import numpy as np


def laplacian_5pt(u):
    return (np.roll(u, 1, axis=0) + np.roll(u, -1, axis=0)
            + np.roll(u, 1, axis=1) + np.roll(u, -1, axis=1) - 4 * u)


def laplacian_9pt(u):
    edges = np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1)
    corners = (np.roll(np.roll(u, 1, 0), 1, 1) + np.roll(np.roll(u, 1, 0), -1, 1)
               + np.roll(np.roll(u, -1, 0), 1, 1) + np.roll(np.roll(u, -1, 0), -1, 1))
    return (4 * edges + corners - 20 * u) / 6


def diffuse(u0, kappa, n_steps=12, dt=0.1, laplacian=laplacian_5pt):
    u = u0
    for _ in range(n_steps):
        u = u + dt * kappa * laplacian(u)
    return u


def inverse_problem_loss(u0, kappa, target, laplacian=laplacian_5pt):
    """How far the diffused initial condition ends from the target."""
    u = diffuse(u0, kappa, laplacian=laplacian)
    return np.sum((u - target) ** 2) + 1e-2 * np.sum(u0 ** 2)


def cases():
    rng = np.random.default_rng(33)
    u0 = rng.uniform(size=(6, 6))
    target = np.zeros((6, 6))
    target[2:4, 2:4] = 1.0
    return [
        dict(fn=inverse_problem_loss, args=(u0, 0.8, target), wrt=(0, 1), name="five_point"),
        dict(fn=inverse_problem_loss, args=(u0, 0.8, target, laplacian_9pt), wrt=("u0", "kappa"),
             name="nine_point_arg"),
    ]
