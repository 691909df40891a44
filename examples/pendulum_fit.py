r"""
Fitting a pendulum through its simulation
=========================================

A damped pendulum, :math:`\ddot\theta = -(g/L)\sin\theta - \gamma\dot\theta`,
simulated by 400 steps of semi-implicit Euler in a plain Python loop. We
observe a noisy trajectory and recover the length :math:`L` and the damping
:math:`\gamma` by gradient descent on the squared error. The gradient flows
back through all 400 steps of the loop: the forward pass keeps what the
backward pass needs on a tape. The script checks it against finite
differences.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad

DT, STEPS, G = 0.025, 400, 9.81


def simulate(length, damping, theta0=1.2):
    """The angle at each step."""
    theta, omega = theta0, 0.0
    angles = np.zeros(STEPS)
    for i in range(STEPS):
        omega = omega - DT * (G / length * np.sin(theta) + damping * omega)
        theta = theta + DT * omega
        angles[i] = theta
    return angles


def misfit(params, observed):
    """Mean squared difference between simulation and observation."""
    length, damping = params[0], params[1]
    return np.mean((simulate(length, damping) - observed) ** 2)


rng = np.random.default_rng(3)
true_params = np.array([1.4, 0.3])
observed = simulate(*true_params) + rng.normal(0, 0.03, STEPS)

start = np.array([1.0, 0.1])
s2sad.check_grad(misfit, start, observed)
print("gradient through 400 simulation steps matches finite differences")

# %%
# Fit with Adam (the two parameters have very different scales).
value_and_grad = s2sad.value_and_grad(misfit)
params, m, v, history = start.copy(), np.zeros(2), np.zeros(2), []
for step in range(1, 301):
    loss, g = value_and_grad(params, observed)
    history.append(loss)
    m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g**2
    params = params - 0.02 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
print(f"fitted L = {params[0]:.3f} (true {true_params[0]}), "
      f"damping = {params[1]:.3f} (true {true_params[1]}); misfit {history[-1]:.5f}")
assert np.allclose(params, true_params, rtol=0.05)

# %%
t = DT * np.arange(1, STEPS + 1)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.plot(t, observed, ".", ms=2, color="gray", label="observed")
ax1.plot(t, simulate(*start), "--", label=f"start L={start[0]}, $\\gamma$={start[1]}")
ax1.plot(t, simulate(*params), color="C3",
         label=f"fit L={params[0]:.2f}, $\\gamma$={params[1]:.2f}")
ax1.set(xlabel="time (s)", ylabel="angle (rad)", title="pendulum")
ax1.legend(fontsize=8)
ax2.semilogy(history)
ax2.set(xlabel="step", ylabel="misfit", title="fit")
fig.tight_layout()
plt.show()
