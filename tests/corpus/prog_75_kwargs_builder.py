"""RBF network built from a configuration dict: **config forwarded through a model factory.

Features: kwargs, star-call, returned-func, kwonly, closure, dict-params
"""
import numpy as np

CONFIG = {"n_centers": 4, "width": 0.8, "activation": "gaussian"}


def build_model(*, n_centers, width, activation="gaussian", **unused):
    bump = {"gaussian": lambda r2: np.exp(-r2 / (2 * width ** 2)),
            "inverse_quadratic": lambda r2: 1.0 / (1.0 + r2 / width ** 2)}[activation]

    def predict(params, x):
        r2 = (x[:, None] - params["centers"][None, :n_centers]) ** 2
        return bump(r2) @ params["weights"] + params["bias"]

    return predict


def loss(params, x, y, **config):
    predict = build_model(**config)
    return np.mean((predict(params, x) - y) ** 2)


def loss_default_config(params, x, y):
    return loss(params, x, y, **CONFIG)


def loss_inverse_quadratic(params, x, y):
    options = dict(CONFIG, activation="inverse_quadratic", width=1.2, seed=0)
    return loss(params, x, y, **options)


def cases():
    rng = np.random.default_rng(75)
    x = np.linspace(-2, 2, 10)
    y = np.tanh(2 * x) + 0.05 * rng.normal(size=10)
    params = {"centers": np.array([-1.5, -0.5, 0.5, 1.5]), "weights": 0.5 * rng.normal(size=4), "bias": 0.1}
    return [
        dict(fn=loss_default_config, args=(params, x, y), wrt=0, name="gaussian_config"),
        dict(fn=loss_inverse_quadratic, args=(params, x, y), wrt=0, name="inverse_quadratic_config"),
    ]
