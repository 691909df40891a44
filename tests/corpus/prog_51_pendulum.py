"""Coupled pendulum chain with a frozen dataclass state updated by dataclasses.replace.

Features: dataclass, object-inside, loop, func-default
"""
from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class State:
    theta: np.ndarray
    omega: np.ndarray


def accelerations(theta, g_over_l=9.8, coupling=2.0):
    left = np.concatenate([theta[:1], theta[:-1]])
    right = np.concatenate([theta[1:], theta[-1:]])
    return -g_over_l * np.sin(theta) + coupling * (left - 2 * theta + right)


def symplectic_euler(state, dt, accel=accelerations):
    omega = state.omega + dt * accel(state.theta)
    state = replace(state, omega=omega)
    return replace(state, theta=state.theta + dt * state.omega)


def simulate(state, n_steps=25, dt=0.02):
    for _ in range(n_steps):
        state = symplectic_euler(state, dt)
    return state


def final_angle_loss(state, target):
    end = simulate(state)
    return np.sum((end.theta - target) ** 2) + 0.1 * np.sum(end.omega ** 2)


def loss_from_arrays(theta0, omega0, target):
    return final_angle_loss(State(theta0, omega0), target)


def cases():
    rng = np.random.default_rng(51)
    state = State(theta=0.3 * rng.normal(size=4), omega=0.1 * rng.normal(size=4))
    target = np.array([0.1, 0.0, -0.1, 0.2])
    return [
        dict(fn=final_angle_loss, args=(state, target), wrt=0, name="dataclass_state"),
        dict(fn=loss_from_arrays, args=(state.theta, state.omega, target), wrt=(0, 1), name="state_inside"),
    ]
