r"""
Gaussian-process hyperparameters
================================

A Gaussian process with a squared-exponential kernel fits noisy samples of a
smooth function. Its three hyperparameters (length scale, signal amplitude,
noise level; on a log scale so they stay positive) are chosen by minimizing
the negative log marginal likelihood

.. math:: \tfrac12 y^\top K^{-1} y + \tfrac12 \log\det K + \tfrac n2 \log 2\pi,

whose gradient s2sad generates through ``np.linalg.solve`` and
``np.linalg.slogdet``. The script compares it with finite differences.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad


def kernel(a, b, log_length, log_amp):
    sq = (a[:, None] - b[None, :]) ** 2
    return np.exp(2 * log_amp) * np.exp(-0.5 * sq / np.exp(2 * log_length))


def neg_log_marginal(theta, x, y):
    log_length, log_amp, log_noise = theta[0], theta[1], theta[2]
    K = kernel(x, x, log_length, log_amp) + np.exp(2 * log_noise) * np.eye(len(x))
    alpha = np.linalg.solve(K, y)
    sign, logdet = np.linalg.slogdet(K)
    return 0.5 * y @ alpha + 0.5 * logdet + 0.5 * len(x) * np.log(2 * np.pi)


def posterior(theta, x, y, x_new):
    K = kernel(x, x, theta[0], theta[1]) + np.exp(2 * theta[2]) * np.eye(len(x))
    K_new = kernel(x_new, x, theta[0], theta[1])
    mean = K_new @ np.linalg.solve(K, y)
    var = np.exp(2 * theta[1]) - np.sum(K_new * np.linalg.solve(K, K_new.T).T, axis=1)
    return mean, np.sqrt(np.maximum(var, 0))


rng = np.random.default_rng(5)
x = np.sort(rng.uniform(0, 10, 40))
y = np.sin(x) + 0.3 * np.cos(2.5 * x) + rng.normal(0, 0.15, x.size)

theta = np.array([np.log(3.0), 0.0, np.log(0.5)])
s2sad.check_grad(neg_log_marginal, theta, x, y)
print("gradient of the log marginal likelihood matches finite differences")

# %%
value_and_grad = s2sad.value_and_grad(neg_log_marginal)
history = []
for _ in range(300):
    value, g = value_and_grad(theta, x, y)
    history.append(value)
    theta = theta - 0.01 * g
print(f"length scale {np.exp(theta[0]):.2f}, amplitude {np.exp(theta[1]):.2f}, "
      f"noise {np.exp(theta[2]):.3f} (true 0.15); -log p(y) {history[0]:.1f} -> {history[-1]:.1f}")
assert history[-1] < history[0] - 10
assert np.linalg.norm(value_and_grad(theta, x, y)[1]) < 0.5
assert 0.08 < np.exp(theta[2]) < 0.3

# %%
x_new = np.linspace(-0.5, 10.5, 300)
mean, sd = posterior(theta, x, y, x_new)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.fill_between(x_new, mean - 2 * sd, mean + 2 * sd, color="C0", alpha=0.25, label="±2 sd")
ax1.plot(x_new, mean, color="C0", label="posterior mean")
ax1.plot(x, y, "k.", label="data")
ax1.set(xlabel="x", ylabel="y", title="GP with fitted hyperparameters")
ax1.legend(fontsize=8)
ax2.plot(history)
ax2.set(xlabel="step", ylabel="-log marginal likelihood", title="hyperparameter fit")
fig.tight_layout()
plt.show()
