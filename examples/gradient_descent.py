"""
Gradient descent on one and two variables
=========================================

Gradient descent on :math:`f(x) = (x + 1)^2 + 2`, whose minimum is 2 at
:math:`x = -1`, and on the five-well potential of the lectures, a bumpy
surface with five wells of different depths: where a path ends depends on
where it starts. The gradients come from ``s2sad.grad``; the script checks
them against the closed form and against finite differences.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad


def parabola(x):
    return (x + 1) ** 2 + 2


def five_well(p):
    """The five-well potential (Pavlyukevich 2007) at the point p = (x, y)."""
    x, y = p[0], p[1]
    wells = (1
             - 1 / (1 + 0.05 * x**2 + (y - 10) ** 2)
             - 1 / (1 + 0.05 * (x - 10) ** 2 + y**2)
             - 1.5 / (1 + 0.03 * (x + 10) ** 2 + y**2)
             - 2 / (1 + 0.05 * (x - 5) ** 2 + (y + 10) ** 2)
             - 1 / (1 + 0.1 * (x + 5) ** 2 + (y + 10) ** 2))
    return wells * (1 + 0.0001 * (x**2 + y**2) ** 1.2)


def descend(gradient, start, rate, steps):
    """The points visited by `steps` steps of gradient descent."""
    path = [np.asarray(start, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - rate * gradient(path[-1]))
    return np.array(path)


# %%
# One variable: the derivative is :math:`2(x + 1)`.
d_parabola = s2sad.grad(parabola)
for x in (-3.0, 0.0, 2.5):
    assert d_parabola(x) == 2 * (x + 1)
path_1d = descend(d_parabola, 3.0, 0.1, 40)
print(f"(x+1)^2+2: from x=3 to x={path_1d[-1]:.5f}, f={parabola(path_1d[-1]):.6f}")
assert abs(path_1d[-1] + 1) < 1e-3

# %%
# Two variables: the five-well potential. Check the gradient first.
d_five_well = s2sad.grad(five_well)
s2sad.check_grad(five_well, np.array([3.0, -4.0]))
print("five-well gradient matches finite differences")

starts = [(-15.0, 4.0), (-2.0, 6.0), (13.0, 3.0), (3.0, -5.0), (-7.0, -6.0), (9.0, -14.0)]
paths = [descend(d_five_well, s, 0.4, 3000) for s in starts]
for s, path in zip(starts, paths):
    print(f"start {s} -> ({path[-1][0]:6.2f}, {path[-1][1]:6.2f}), "
          f"f = {five_well(path[-1]):.3f}")
    assert five_well(path[-1]) < five_well(np.array(s))
    assert np.linalg.norm(d_five_well(path[-1])) < 1e-3  # at the bottom of a well

# %%
# The paths on a contour plot.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
xs = np.linspace(-4, 4, 200)
ax1.plot(xs, parabola(xs), color="gray")
ax1.plot(path_1d, parabola(path_1d), "o-", ms=3, color="C3")
ax1.set(title="$(x+1)^2 + 2$ from $x = 3$", xlabel="x", ylabel="f(x)")

grid = np.linspace(-20, 20, 200)
gx, gy = np.meshgrid(grid, grid)
surface = five_well(np.array([gx, gy]))
ax2.contourf(gx, gy, surface, levels=30, cmap="viridis")
for path in paths:
    ax2.plot(path[:, 0], path[:, 1], ".-", ms=2, color="white", lw=1)
    ax2.plot(*path[-1], "r*", ms=9)
ax2.set(title="five-well potential", xlabel="x", ylabel="y", aspect="equal")
fig.tight_layout()
plt.show()
