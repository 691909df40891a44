"""Spacecraft flyby: closest approach to a planet found with min(key=), brightest moment with max(key=).

Features: minmax-key, lambda, loop, func-default, inplace
"""
import numpy as np


def point_mass_accel(r, planet, gm=1.0, softening=0.05):
    d = planet - r
    return gm * d / (np.sum(d ** 2) + softening ** 2) ** 1.5


def trajectory(r0, v0, planet, accel=point_mass_accel, n_steps=30, dt=0.1):
    path = np.zeros((n_steps + 1, 2))
    path[0] = r0
    r, v = r0, v0
    for t in range(n_steps):
        v = v + dt * accel(r, planet)
        r = r + dt * v
        path[t + 1] = r
    return path


def closest_approach_loss(v0, r0, planet, desired=0.5):
    path = trajectory(r0, v0, planet)
    t_min = min(range(len(path)), key=lambda t: np.sum((path[t] - planet) ** 2))
    closest = np.sqrt(np.sum((path[t_min] - planet) ** 2))
    return (closest - desired) ** 2


def glint_loss(v0, r0, planet, sun_dir):
    """Maximize the best sun-alignment of the craft's heading over the flyby."""
    path = trajectory(r0, v0, planet)
    headings = [(path[t + 1] - path[t]) / np.linalg.norm(path[t + 1] - path[t]) for t in range(len(path) - 1)]
    best = max(headings, key=lambda h: h @ sun_dir)
    return -(best @ sun_dir) + 0.01 * np.sum(v0 ** 2)


def cases():
    r0 = np.array([-2.0, 0.6])
    v0 = np.array([1.0, 0.05])
    planet = np.array([0.0, 0.0])
    sun_dir = np.array([0.6, -0.8])
    return [
        dict(fn=closest_approach_loss, args=(v0, r0, planet), wrt=(0, 1), name="closest_approach"),
        dict(fn=glint_loss, args=(v0, r0, planet, sun_dir), wrt=0, name="best_heading"),
    ]
