r"""
Newton's method with the Hessian
================================

Newton's method takes the step :math:`-H^{-1} \nabla f` and converges
quadratically near a minimum, where gradient descent crawls through the
Rosenbrock function's curved valley. ``s2sad.hessian`` builds the Hessian by
forward mode over the reverse-mode gradient; the script checks it against
the closed form and compares both methods' paths.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def hessian_by_hand(p):
    x, y = p
    return np.array([[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200.0]])


gradient = s2sad.grad(rosenbrock)
hessian = s2sad.hessian(rosenbrock)
for point in ([-1.2, 1.0], [0.5, -0.3], [1.0, 1.0]):
    assert np.allclose(hessian(np.array(point)), hessian_by_hand(point))
print("Hessian matches its closed form")

start = np.array([-1.2, 1.0])
newton = [start]
while np.linalg.norm(gradient(newton[-1])) > 1e-10 and len(newton) < 50:
    p = newton[-1]
    newton.append(p - np.linalg.solve(hessian(p), gradient(p)))
newton = np.array(newton)
print(f"Newton: {len(newton) - 1} steps to {newton[-1]}")
assert np.allclose(newton[-1], [1.0, 1.0]) and len(newton) < 20

descent = [start]
for _ in range(5000):
    descent.append(descent[-1] - 1e-3 * gradient(descent[-1]))
descent = np.array(descent)
print(f"gradient descent: after 5000 steps at {descent[-1]}")
assert np.linalg.norm(descent[-1] - 1) > np.linalg.norm(newton[-1] - 1)

# %%
fig, ax = plt.subplots(figsize=(7, 5))
gx, gy = np.meshgrid(np.linspace(-1.6, 1.6, 300), np.linspace(-0.6, 1.6, 300))
ax.contour(gx, gy, np.log1p(rosenbrock(np.array([gx, gy]))), levels=25, cmap="viridis")
ax.plot(*descent.T, "-", color="C1", label="gradient descent (5000 steps)")
ax.plot(*newton.T, "o-", color="C3", label=f"Newton ({len(newton) - 1} steps)")
ax.plot(1, 1, "k*", ms=12)
ax.set(xlabel="x", ylabel="y", title="Rosenbrock function")
ax.legend()
plt.show()
