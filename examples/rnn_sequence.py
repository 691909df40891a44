r"""
A recurrent network learns a sequence
=====================================

An Elman recurrent network, :math:`h_t = \tanh(W_x x_t + W_h h_{t-1} + b)`,
reads a noisy wave one value at a time and predicts the next value. The loss
sums the errors over the whole sequence; its gradient is backpropagation
through time, which s2sad generates from the plain ``for`` loop over time
steps, saving each hidden state for the backward pass.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad

HIDDEN = 12


def run(params, xs):
    """The prediction of xs[t + 1] after reading xs[0..t], for every t."""
    h = np.zeros(HIDDEN)
    predictions = []
    for t in range(len(xs) - 1):
        h = np.tanh(params["Wx"] * xs[t] + params["Wh"] @ h + params["b"])
        predictions.append(params["Wo"] @ h + params["c"])
    return np.array(predictions)


def loss(params, xs):
    return np.mean((run(params, xs) - xs[1:]) ** 2)


rng = np.random.default_rng(2)
steps = np.arange(120)
xs = np.sin(0.25 * steps) * np.cos(0.04 * steps) + rng.normal(0, 0.02, steps.size)
params = {"Wx": rng.normal(0, 0.5, HIDDEN), "Wh": rng.normal(0, 0.3, (HIDDEN, HIDDEN)),
          "b": np.zeros(HIDDEN), "Wo": rng.normal(0, 0.3, HIDDEN), "c": 0.0}

s2sad.check_grad(loss, params, xs[:30])
print("backpropagation through time matches finite differences")

# %%
value_and_grad = s2sad.value_and_grad(loss)
state = {k: (0 * np.asarray(v), 0 * np.asarray(v)) for k, v in params.items()}
history = []
for step in range(1, 301):
    value, grads = value_and_grad(params, xs)
    history.append(value)
    for k in params:
        m, v = state[k]
        m, v = 0.9 * m + 0.1 * grads[k], 0.999 * v + 0.001 * grads[k] ** 2
        state[k] = (m, v)
        params[k] = params[k] - 0.01 * (m / (1 - 0.9**step)) / (
            np.sqrt(v / (1 - 0.999**step)) + 1e-8)
print(f"mean squared error of the next value: {history[0]:.4f} -> {history[-1]:.5f}")
assert history[-1] < 0.05 * history[0]

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.plot(steps, xs, ".", ms=3, color="gray", label="sequence")
ax1.plot(steps[1:], run(params, xs), color="C3", label="one-step prediction")
ax1.set(xlabel="t", title="RNN predictions")
ax1.legend(fontsize=8)
ax2.semilogy(history)
ax2.set(xlabel="step", ylabel="mean squared error", title="training")
fig.tight_layout()
plt.show()
