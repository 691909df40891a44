r"""
Minimizing a function of one variable
=====================================

The lectures' third exercise: minimize

.. math:: f(x) = -\frac{1}{x^2 + 1} \log\left(\frac{1}{1 + e^{-x}} + 1\right).

Gradient descent finds the minimum; its derivative is zero there, and the
script checks s2sad's derivative against the derivative taken by hand with
the quotient and chain rules.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad


def f(x):
    return -1 / (x**2 + 1) * np.log(1 / (1 + np.exp(-x)) + 1)


def f_prime_by_hand(x):
    s = 1 / (1 + np.exp(-x))
    log_term = np.log(s + 1)
    return 2 * x / (x**2 + 1) ** 2 * log_term - 1 / (x**2 + 1) * s * (1 - s) / (s + 1)


df = s2sad.grad(f)
for x in (-2.0, 0.0, 0.7, 3.0):
    assert np.isclose(df(x), f_prime_by_hand(x), rtol=1e-12)
print("derivative matches the hand-derived formula")

# %%
# Gradient descent from two starting points.
paths = []
for x in (-2.0, 2.5):
    path = [x]
    for _ in range(200):
        path.append(path[-1] - 1.0 * df(path[-1]))
    paths.append(np.array(path))
    print(f"from {path[0]:5.2f}: x* = {path[-1]:.6f}, f(x*) = {f(path[-1]):.6f}, "
          f"f'(x*) = {df(path[-1]):.1e}")
    assert abs(df(path[-1])) < 1e-8
assert np.isclose(paths[0][-1], paths[1][-1])

# %%
fig, ax = plt.subplots(figsize=(7, 4))
xs = np.linspace(-4, 4, 400)
ax.plot(xs, f(xs), color="gray", label="f(x)")
ax.plot(xs, [df(x) for x in xs], ":", color="gray", label="f'(x) by s2sad")
for path, color in zip(paths, ("C0", "C3")):
    ax.plot(path[:30], f(path[:30]), "o-", ms=3, color=color, label=f"descent from {path[0]}")
ax.axvline(paths[0][-1], color="k", lw=0.5)
ax.set(xlabel="x", title="minimum of $-\\log(\\sigma(x) + 1)/(x^2 + 1)$")
ax.legend()
plt.show()
