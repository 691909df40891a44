"""Lennard-Jones cluster energy with the pair potential specialised by functools.partial.

Features: partial, partial-api, kwonly, func-arg, loop
"""
import functools

import numpy as np


def lennard_jones(r2, *, epsilon, sigma):
    s6 = (sigma ** 2 / r2) ** 3
    return 4 * epsilon * (s6 ** 2 - s6)


def morse(r2, *, depth, width, r0):
    return depth * (1 - np.exp(-width * (np.sqrt(r2) - r0))) ** 2 - depth


def cluster_energy(positions, pair_potential):
    n = len(positions)
    energy = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r2 = np.sum((positions[i] - positions[j]) ** 2)
            energy = energy + pair_potential(r2)
    return energy


def lj_energy(positions, params):
    pair = functools.partial(lennard_jones, epsilon=params[0], sigma=params[1])
    return cluster_energy(positions, pair)


def morse_energy(positions):
    return cluster_energy(positions, functools.partial(morse, depth=1.0, width=1.5, r0=1.1))


def cases():
    rng = np.random.default_rng(52)
    positions = np.array([[0.0, 0.0], [1.1, 0.0], [0.55, 0.95], [1.6, 0.9]]) + 0.05 * rng.normal(size=(4, 2))
    params = np.array([1.0, 1.0])
    return [
        dict(fn=lj_energy, args=(positions, params), wrt=(0, 1), name="lennard_jones"),
        dict(fn=morse_energy, args=(positions,), wrt=0, name="morse"),
        dict(fn=functools.partial(lj_energy, params=np.array([0.8, 1.05])), args=(positions,), wrt=0,
             name="partial_of_lj_energy"),
    ]
