"""Optimal control of a cart: an integrator written as a generator; the running cost consumes it.

Features: generator-func, genexpr-consumer, func-arg, returned-func, closure, loop
"""
import numpy as np


def cart_dynamics(state, force, friction=0.1):
    pos, vel = state[0], state[1]
    return np.array([vel, force - friction * vel])


def rollout(dynamics, controller, state, n_steps, dt):
    for k in range(n_steps):
        u = controller(k * dt, state)
        state = state + dt * dynamics(state, u)
        yield state, u


def make_controller(theta, goal):
    def controller(t, state):
        return theta[0] + theta[1] * t + theta[2] * np.tanh(goal - state[0]) - theta[3] * state[1]
    return controller


def control_cost(theta, state0, goal, n_steps=15, dt=0.1):
    controller = make_controller(theta, goal)
    cost = 0.0
    for state, u in rollout(cart_dynamics, controller, state0, n_steps, dt):
        cost = cost + dt * (0.01 * u ** 2 + (state[0] - goal) ** 2)
    return cost + 10 * (state[0] - goal) ** 2 + state[1] ** 2


def control_energy(theta, state0, goal):
    controller = make_controller(theta, goal)
    return sum(u ** 2 for _, u in rollout(cart_dynamics, controller, state0, 15, 0.1))


def cases():
    theta = np.array([0.5, -0.1, 1.5, 0.8])
    state0 = np.array([0.0, 0.2])
    return [
        dict(fn=control_cost, args=(theta, state0, 1.0), wrt=(0, 1), name="cart_cost"),
        dict(fn=control_energy, args=(theta, state0, 1.0), wrt=0, name="cart_energy"),
    ]
