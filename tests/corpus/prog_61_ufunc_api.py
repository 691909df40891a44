"""Gradients of NumPy ufuncs handed straight to the API, used by a Newton solver and a polar transform.

Features: ufunc-api
"""
import numpy as np


def newton_root(f, df, x0, n_iter=6):
    """Outer code: find a root of f using its derivative df (e.g. s2sad.grad(np.cos))."""
    x = x0
    for _ in range(n_iter):
        x = x - f(x) / df(x)
    return x


def polar_jacobian_row(grad, x, y):
    """Outer code: d r / d(x, y) with r = np.hypot(x, y)."""
    return grad(np.hypot, wrt=(0, 1))(x, y)


def demo():
    import s2sad

    root = newton_root(np.cos, s2sad.grad(np.cos), 1.0)
    assert abs(root - np.pi / 2) < 1e-8
    return root, polar_jacobian_row(s2sad.grad, 3.0, 4.0)


def cases():
    return [
        dict(fn=np.sin, args=(0.7,), wrt=0, name="sin"),
        dict(fn=np.tanh, args=(0.3,), wrt=0, name="tanh"),
        dict(fn=np.cos, args=(1.0,), wrt=0, name="cos_for_newton"),
        dict(fn=np.hypot, args=(3.0, 4.0), wrt=(0, 1), name="hypot_binary"),
        dict(fn=np.arctan2, args=(0.5, -1.5), wrt=(0, 1), name="arctan2_binary"),
        dict(fn=np.log1p, args=(np.float64(0.25),), wrt=0, name="log1p_numpy_scalar"),
    ]
