"""Neural ODE: an MLP vector field as a callable object, integrated with RK4.

Features: callable-object, object-inside, plain-object, func-arg, loop
"""
import numpy as np


class MLPField:
    """dy/dt = W2 tanh(W1 y + b1) + b2"""

    def __init__(self, W1, b1, W2, b2):
        self.W1, self.b1, self.W2, self.b2 = W1, b1, W2, b2

    def __call__(self, t, y):
        return self.W2 @ np.tanh(self.W1 @ y + self.b1) + self.b2


def rk4(f, y0, ts):
    ys = [y0]
    y = y0
    for t0, t1 in zip(ts[:-1], ts[1:]):
        h = t1 - t0
        k1 = f(t0, y)
        k2 = f(t0 + h / 2, y + h / 2 * k1)
        k3 = f(t0 + h / 2, y + h / 2 * k2)
        k4 = f(t1, y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        ys.append(y)
    return np.stack(ys)


def loss_from_params(params, y0, ts, targets):
    field = MLPField(params["W1"], params["b1"], params["W2"], params["b2"])
    return np.mean((rk4(field, y0, ts) - targets) ** 2)


def loss_of_field(field, y0, ts, targets):
    return np.mean((rk4(field, y0, ts) - targets) ** 2)


def cases():
    rng = np.random.default_rng(39)
    ts = np.linspace(0, 2, 9)
    y0 = np.array([1.0, 0.0])
    targets = np.stack([np.cos(2 * ts), -np.sin(2 * ts)], axis=1)
    params = {"W1": 0.5 * rng.normal(size=(4, 2)), "b1": 0.1 * rng.normal(size=4),
              "W2": 0.5 * rng.normal(size=(2, 4)), "b2": np.zeros(2)}
    field = MLPField(params["W1"], params["b1"], params["W2"], params["b2"])
    return [
        dict(fn=loss_from_params, args=(params, y0, ts, targets), wrt=0, name="field_inside"),
        dict(fn=loss_of_field, args=(field, y0, ts, targets), wrt=0, name="grad_wrt_field_object"),
    ]
