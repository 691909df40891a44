"""Worked examples from the seed lectures, with their exact gradients.

    python examples/seeds.py                  # check every example, print a table
    s2sad show examples/seeds.py:mixed --wrt x,y

Each entry of EXAMPLES is (function, arguments, wrt, exact gradient). Where
the lecture rounded its answer, the comment gives the lecture's number and
the entry gives the closed form.
"""

import math

import numpy as np

import s2sad
from s2sad import stop_gradient


def poly(x):
    """d/dx (x^2 + 4x + 3) = 2x + 4, so 8 at x = 2."""
    return x**2 + 4 * x + 3


def nested(x):
    """A chain of three rules: sin of a sum containing exp(x^2). -218.4625 at x = 2."""
    return np.sin((x + 2) + (1 + np.exp(x**2)))


def sum_of_squares(x):
    """The gradient of |x|^2 is 2x: (2, 4, 6) at (1, 2, 3)."""
    return np.sum(x**2)


A = np.array([[1.0, 2.0], [2.0, 1.0]])


def quadratic_form(x):
    """x^T A x with symmetric A has gradient 2 A x: (10, 8) at (1, 2)."""
    return x @ A @ x


def mixed(x, y):
    """x^2 y + 1 / (x^2 + y^2 + 1): (-17/18, 25/36) at (0.5, -0.5)."""
    return x**2 * y + 1 / (x**2 + y**2 + 1)


def log_sin(x, y):
    """log x + x y - sin y: (1/x + y, x - cos y) = (1 + pi, 2) at (1, pi)."""
    return np.log(x) + x * y - np.sin(y)


def sin_cos(x):
    """(4 + sin x) cos(sin x): -1 at x = pi."""
    return (4 + np.sin(x)) * np.cos(np.sin(x))


def twice_norm(x):
    """2 x^T x has gradient 4x."""
    return 2 * (x @ x)


def root_log(x):
    """3 sqrt(x) (log x + 1/x^2): about 0.14 at x = 1.2 (lecture's rounding)."""
    return 3 * np.sqrt(x) * (np.log(x) + 1 / x**2)


def stopped(x):
    """u = x^2 is held constant, so dz/dx = u = x^2, not 3x^2."""
    u = stop_gradient(x * x)
    z = u * x
    return z


def _root_log_exact(x: float) -> float:
    """d/dx 3 sqrt(x) (log x + x^-2) by the product rule."""
    return 1.5 / math.sqrt(x) * (math.log(x) + x**-2) + 3 * math.sqrt(x) * (1 / x - 2 * x**-3)


_E4 = math.exp(4)
EXAMPLES = [
    (poly, (2.0,), 0, 8.0),
    (nested, (2.0,), 0, math.cos(5 + _E4) * (1 + 4 * _E4)),  # -218.4625
    (sum_of_squares, (np.array([1.0, 2.0, 3.0]),), 0, np.array([2.0, 4.0, 6.0])),
    (quadratic_form, (np.array([1.0, 2.0]),), 0, np.array([10.0, 8.0])),
    (mixed, (0.5, -0.5), ("x", "y"), (-17 / 18, 25 / 36)),
    (log_sin, (1.0, math.pi), ("x", "y"), (1 + math.pi, 2.0)),
    (sin_cos, (math.pi,), 0, -1.0),
    (twice_norm, (np.array([1.0, -2.0, 0.5]),), 0, np.array([4.0, -8.0, 2.0])),
    (root_log, (1.2,), 0, _root_log_exact(1.2)),  # 0.1355...
    (stopped, (3.0,), 0, 9.0),
]


if __name__ == "__main__":
    for fn, args, wrt, exact in EXAMPLES:
        ours = s2sad.grad(fn, wrt=wrt)(*args)
        ok = np.allclose(np.asarray(ours, dtype=float), np.asarray(exact, dtype=float))
        print(f"{fn.__name__:15} {'ok ' if ok else 'BAD'} {ours}")
        assert ok, f"{fn.__name__}: s2sad gives {ours}, exact {exact}"
