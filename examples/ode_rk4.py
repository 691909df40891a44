r"""
ODE parameters through a Runge-Kutta loop
=========================================

The Lotka-Volterra predator-prey equations

.. math:: \dot u = \alpha u - \beta u v, \qquad \dot v = \delta u v - \gamma v

integrated with the classical fourth-order Runge-Kutta method, written as a
plain loop over time steps with a helper for the right-hand side. Given
noisy observations of both populations, gradient descent on the squared
error recovers the four rates: s2sad differentiates through the helper
calls and all the steps of the loop.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad

DT, STEPS = 0.1, 150


def rates(state, theta):
    u, v = state[0], state[1]
    return np.array([theta[0] * u - theta[1] * u * v, theta[2] * u * v - theta[3] * v])


def integrate(theta, state0):
    """RK4 trajectory: shape (STEPS + 1, 2)."""
    state = state0
    states = [state0]
    for _ in range(STEPS):
        k1 = rates(state, theta)
        k2 = rates(state + DT / 2 * k1, theta)
        k3 = rates(state + DT / 2 * k2, theta)
        k4 = rates(state + DT * k3, theta)
        state = state + DT / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        states.append(state)
    return np.stack(states)


def misfit(log_theta, state0, observed):
    """Squared error of the log-populations; rates on a log scale stay positive."""
    trajectory = integrate(np.exp(log_theta), state0)
    return np.mean((np.log(trajectory) - np.log(observed)) ** 2)


rng = np.random.default_rng(7)
state0 = np.array([10.0, 5.0])
true_theta = np.array([1.1, 0.4, 0.1, 0.4])
observed = integrate(true_theta, state0) * np.exp(rng.normal(0, 0.05, (STEPS + 1, 2)))

start = np.log(np.array([0.9, 0.3, 0.12, 0.5]))
s2sad.check_grad(misfit, start, state0, observed, rtol=1e-4)
print("gradient through 150 RK4 steps matches finite differences")

# %%
value_and_grad = s2sad.value_and_grad(misfit)
log_theta, m, v, history = start.copy(), np.zeros(4), np.zeros(4), []
for step in range(1, 151):
    loss, g = value_and_grad(log_theta, state0, observed)
    history.append(loss)
    m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g**2
    log_theta = log_theta - 0.05 * (m / (1 - 0.9**step)) / (
        np.sqrt(v / (1 - 0.999**step)) + 1e-8)
theta = np.exp(log_theta)
print("fitted rates", np.round(theta, 3), "true", true_theta)
assert np.allclose(theta, true_theta, rtol=0.1)

# %%
t = DT * np.arange(STEPS + 1)
fitted = integrate(theta, state0)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
for k, (name, color) in enumerate((("prey u", "C0"), ("predators v", "C3"))):
    ax1.plot(t, observed[:, k], ".", ms=3, color=color, alpha=0.5)
    ax1.plot(t, fitted[:, k], color=color, label=f"{name}, fitted")
ax1.set(xlabel="time", ylabel="population", title="Lotka-Volterra fit")
ax1.legend()
ax2.semilogy(history)
ax2.set(xlabel="step", ylabel="misfit", title="fit")
fig.tight_layout()
plt.show()
