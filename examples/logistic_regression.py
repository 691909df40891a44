r"""
Logistic regression and its decision boundary
=============================================

Two classes of points in the plane, a logistic model
:math:`P(y = 1 \mid x) = \sigma(w \cdot x + b)`, and the cross-entropy
loss of the lectures, minimized by gradient descent with the gradient s2sad
generates. The gradient has a closed form, :math:`X^\top (p - y) / n`,
which the script compares it with.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad


def loss(w, b, X, y):
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


rng = np.random.default_rng(1)
n = 100
X = np.concatenate([rng.normal([-1.0, -1.0], 0.9, size=(n, 2)),
                    rng.normal([1.5, 1.0], 0.9, size=(n, 2))])
y = np.concatenate([np.zeros(n), np.ones(n)])

# %%
# The gradient against its closed form.
w, b = np.array([0.3, -0.2]), 0.1
gw, gb = s2sad.grad(loss, wrt=("w", "b"))(w, b, X, y)
p = 1 / (1 + np.exp(-(X @ w + b)))
assert np.allclose(gw, X.T @ (p - y) / len(y)) and np.isclose(gb, np.mean(p - y))
print("gradient equals X^T (p - y) / n")

# %%
# Training.
value_and_grad = s2sad.value_and_grad(loss, wrt=("w", "b"))
history = []
for _ in range(500):
    value, (gw, gb) = value_and_grad(w, b, X, y)
    w, b = w - 0.5 * gw, b - 0.5 * gb
    history.append(value)
accuracy = np.mean(((X @ w + b) > 0) == (y == 1))
print(f"loss {history[-1]:.4f}, accuracy {accuracy:.1%}, w = {w}, b = {b:.3f}")
assert accuracy > 0.9

# %%
# The decision boundary :math:`w \cdot x + b = 0` and the probability contours.
fig, ax = plt.subplots(figsize=(6, 5))
gx, gy = np.meshgrid(np.linspace(-4, 4.5, 200), np.linspace(-4, 4, 200))
prob = 1 / (1 + np.exp(-(w[0] * gx + w[1] * gy + b)))
shade = ax.contourf(gx, gy, prob, levels=20, cmap="RdBu_r", alpha=0.6)
ax.contour(gx, gy, prob, levels=[0.5], colors="k")
ax.scatter(*X[y == 0].T, c="C0", edgecolor="k", label="class 0")
ax.scatter(*X[y == 1].T, c="C3", edgecolor="k", label="class 1")
fig.colorbar(shade, label="P(y = 1 | x)")
ax.set(xlabel="$x_1$", ylabel="$x_2$", title="decision boundary")
ax.legend()
plt.show()
