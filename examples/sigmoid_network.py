"""
A three-layer sigmoid network fits a cubic
==========================================

The lectures' nonlinear regression: twenty random points on
:math:`y = x^3 - 3.2x^2 + 1.3x - 2`, and a network with one input, ten
sigmoid hidden units and one linear output (PyTorch's
``Sequential(Linear(1, 10), Sigmoid(), Linear(10, 1))``), trained on the
mean squared error by gradient descent. The parameters are a dict; s2sad's
gradient has the same keys.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad


def true_func(x):
    return x**3 - 3.2 * x**2 + 1.3 * x - 2.0


def predict(params, x):
    """x: shape (n, 1) -> predictions of shape (n, 1)."""
    hidden = 1 / (1 + np.exp(-(x @ params["W1"] + params["b1"])))
    return hidden @ params["W2"] + params["b2"]


def mse(params, x, y):
    return np.mean((predict(params, x) - y) ** 2)


rng = np.random.default_rng(0)
x_sample = rng.uniform(-1.5, 1.5, size=(20, 1))
y_sample = true_func(x_sample)
params = {"W1": rng.normal(size=(1, 10)), "b1": rng.normal(size=10),
          "W2": rng.normal(size=(10, 1)) * 0.1, "b2": np.zeros(1)}

# %%
# Check the gradient once, then train with Adam (plain gradient descent
# gets there too, in many more steps).
s2sad.check_grad(mse, params, x_sample, y_sample)
print("gradient matches finite differences")

value_and_grad = s2sad.value_and_grad(mse)
moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
losses = []
for step in range(1, 3001):
    loss, grads = value_and_grad(params, x_sample, y_sample)
    losses.append(loss)
    for k in params:
        m, v = moments[k]
        m = 0.9 * m + 0.1 * grads[k]
        v = 0.999 * v + 0.001 * grads[k] ** 2
        moments[k] = (m, v)
        params[k] = params[k] - 0.02 * (m / (1 - 0.9**step)) / (
            np.sqrt(v / (1 - 0.999**step)) + 1e-8)
print(f"mean squared error: {losses[0]:.3f} at the start, {losses[-1]:.5f} after training")
assert losses[-1] < 0.01 * losses[0]

# %%
# The fit, and the loss along the way.
x_true = np.linspace(-1.5, 1.5, 200).reshape(-1, 1)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.plot(x_true, true_func(x_true), "--", color="gray", label="true function")
ax1.scatter(x_sample, y_sample, label="samples")
ax1.plot(x_true, predict(params, x_true), color="C3", label="network")
ax1.set(xlabel="x", ylabel="y", title="fit")
ax1.legend()
ax2.semilogy(losses)
ax2.set(xlabel="step", ylabel="mean squared error", title="training")
fig.tight_layout()
plt.show()
