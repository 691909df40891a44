"""Smoke simulation in the style of autograd's fluidsim: projection, semi-Lagrangian advection.

Features: generator-func, genexpr-consumer, inplace, loop, dict-params
"""
import numpy as np


def project(vx, vy, n_iter=10):
    """Make the velocity field (nearly) divergence-free with Jacobi iterations on the pressure."""
    h = 1.0 / vx.shape[0]
    div = -0.5 * h * (np.roll(vx, -1, axis=0) - np.roll(vx, 1, axis=0)
                      + np.roll(vy, -1, axis=1) - np.roll(vy, 1, axis=1))
    p = np.zeros(vx.shape)
    for _ in range(n_iter):
        p = (div + np.roll(p, 1, axis=0) + np.roll(p, -1, axis=0)
             + np.roll(p, 1, axis=1) + np.roll(p, -1, axis=1)) / 4.0
    vx = vx - 0.5 * (np.roll(p, -1, axis=0) - np.roll(p, 1, axis=0)) / h
    vy = vy - 0.5 * (np.roll(p, -1, axis=1) - np.roll(p, 1, axis=1)) / h
    return vx, vy


def advect(f, vx, vy):
    """Move field f by the velocity field: bilinear interpolation at the departure points."""
    rows, cols = f.shape
    cell_ys, cell_xs = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    center_xs = (cell_xs - vx).ravel()
    center_ys = (cell_ys - vy).ravel()
    left = np.floor(center_xs).astype(int)
    top = np.floor(center_ys).astype(int)
    rw = center_xs - left
    bw = center_ys - top
    left, right = left % cols, (left + 1) % cols
    top, bot = top % rows, (top + 1) % rows
    flat = ((1 - rw) * ((1 - bw) * f[top, left] + bw * f[bot, left])
            + rw * ((1 - bw) * f[top, right] + bw * f[bot, right]))
    return np.reshape(flat, (rows, cols))


def simulate(state, n_steps, source):
    vx, vy, smoke = state["vx"], state["vy"], state["smoke"].copy()
    for t in range(n_steps):
        vx, vy = project(vx, vy)
        vx, vy = advect(vx, vx, vy), advect(vy, vx, vy)
        smoke = advect(smoke, vx, vy)
        smoke[1:3, 1:3] += source  # a steady source of smoke
        yield smoke


def distance_from_target(state, target, n_steps=4):
    frames = list(simulate(state, n_steps, source=0.1))
    return np.mean((frames[-1] - target) ** 2) + 0.1 * sum(np.mean(f) for f in frames)


def cases():
    rng = np.random.default_rng(36)
    n = 5
    state = {"vx": 0.4 * rng.normal(size=(n, n)), "vy": 0.4 * rng.normal(size=(n, n)),
             "smoke": rng.uniform(size=(n, n))}
    target = np.zeros((n, n))
    target[2:, 2:] = 1.0
    return [dict(fn=distance_from_target, args=(state, target), wrt=0, name="smoke_to_target")]
