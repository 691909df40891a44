r"""
Bayesian logistic regression with Hamiltonian Monte Carlo
=========================================================

Instead of one best weight vector, Hamiltonian Monte Carlo draws weights from
the posterior :math:`p(w \mid X, y) \propto p(y \mid X, w)\, p(w)`. Each
proposal follows Hamilton's equations for the potential
:math:`U(w) = -\log p(w \mid X, y)` with the leapfrog integrator, which
needs :math:`\nabla U` at every step: that gradient is s2sad's. The script
checks it, runs the sampler, and compares the posterior mean with the most
probable weights found by gradient descent.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad


def potential(w, X, y):
    """Negative log posterior: Bernoulli likelihood, Normal(0, 2^2) prior."""
    z = X @ w
    log_likelihood = np.sum(y * z - np.logaddexp(0.0, z))
    log_prior = -0.5 * np.sum(w**2) / 4.0
    return -(log_likelihood + log_prior)


rng = np.random.default_rng(11)
n = 60
features = rng.normal(size=(n, 2))
X = np.column_stack([np.ones(n), features])  # intercept, x1, x2
true_w = np.array([-0.5, 2.0, -1.0])
y = (rng.uniform(size=n) < 1 / (1 + np.exp(-X @ true_w))).astype(float)

grad_u = s2sad.grad(potential)
s2sad.check_grad(potential, np.array([0.1, 0.2, -0.3]), X, y)
print("gradient of the log posterior matches finite differences")


def hmc(w, n_samples, step, leapfrogs, rng):
    samples, accepted = [], 0
    u, g = potential(w, X, y), grad_u(w, X, y)
    for _ in range(n_samples):
        p = rng.normal(size=w.size)
        w_new, p_new, g_new = w, p - 0.5 * step * g, g
        for i in range(leapfrogs):
            w_new = w_new + step * p_new
            g_new = grad_u(w_new, X, y)
            if i < leapfrogs - 1:
                p_new = p_new - step * g_new
        p_new = p_new - 0.5 * step * g_new
        u_new = potential(w_new, X, y)
        if np.log(rng.uniform()) < u - u_new + 0.5 * (p @ p - p_new @ p_new):
            w, u, g = w_new, u_new, g_new
            accepted += 1
        samples.append(w)
    return np.array(samples), accepted / n_samples


# %%
samples, rate = hmc(np.zeros(3), 1500, 0.12, 15, rng)
posterior = samples[300:]
print(f"acceptance rate {rate:.0%}")
print("posterior mean", np.round(posterior.mean(axis=0), 2), "sd",
      np.round(posterior.std(axis=0), 2))

w_map = np.zeros(3)
for _ in range(2000):
    w_map = w_map - 0.01 * grad_u(w_map, X, y)
print("most probable w", np.round(w_map, 2), "true w", true_w)
assert rate > 0.6
assert np.all(np.abs(posterior.mean(axis=0) - w_map) < 2 * posterior.std(axis=0))

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
ax1.plot(posterior[:, 1], posterior[:, 2], ".", ms=2, alpha=0.4, label="HMC samples")
ax1.plot(*w_map[1:], "r*", ms=12, label="most probable")
ax1.plot(*true_w[1:], "kx", ms=10, label="true")
ax1.set(xlabel="$w_1$", ylabel="$w_2$", title="posterior of the weights")
ax1.legend(fontsize=8)
gx = np.linspace(-3, 3, 50)
for w in posterior[::40]:
    ax2.plot(gx, -(w[0] + w[1] * gx) / w[2], color="C0", alpha=0.15)
ax2.scatter(*features[y == 0].T, c="C0", edgecolor="k", label="y = 0")
ax2.scatter(*features[y == 1].T, c="C3", edgecolor="k", label="y = 1")
ax2.set(xlim=(-3, 3), ylim=(-3, 3), xlabel="$x_1$", ylabel="$x_2$",
        title="decision boundaries drawn from the posterior")
ax2.legend(fontsize=8)
fig.tight_layout()
plt.show()
