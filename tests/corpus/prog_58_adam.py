"""Adam on a small regression model: the optimizer consumes s2sad.grad(model.loss) of a bound method.

Features: bound-method-api, dict-params, func-default
"""
import numpy as np


class Adam:
    def __init__(self, lr=0.05, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, b1, b2, eps
        self.m, self.v, self.t = {}, {}, 0

    def step(self, params, grads):
        self.t += 1
        new = {}
        for k in params:
            self.m[k] = self.b1 * self.m.get(k, 0.0) + (1 - self.b1) * grads[k]
            self.v[k] = self.b2 * self.v.get(k, 0.0) + (1 - self.b2) * grads[k] ** 2
            m_hat = self.m[k] / (1 - self.b1 ** self.t)
            v_hat = self.v[k] / (1 - self.b2 ** self.t)
            new[k] = params[k] - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return new


class PolynomialRegressor:
    def __init__(self, degree, feature=np.tanh):
        self.degree = degree
        self.feature = feature

    def features(self, x):
        return np.stack([self.feature(x) ** p for p in range(self.degree + 1)], axis=1)

    def predict(self, params, x):
        return self.features(x * params["scale"]) @ params["coef"]

    def loss(self, params, x, y):
        return np.mean((self.predict(params, x) - y) ** 2) + 1e-3 * np.sum(params["coef"] ** 2)


def fit(model, params, x, y, steps=50):
    import s2sad

    grad_fn = s2sad.grad(model.loss)
    opt = Adam()
    for _ in range(steps):
        params = opt.step(params, grad_fn(params, x, y))
    return params


def cases():
    rng = np.random.default_rng(58)
    x = np.linspace(-1.5, 1.5, 10)
    y = x ** 3 - x + 0.05 * rng.normal(size=10)
    params = {"coef": 0.3 * rng.normal(size=4), "scale": 0.8}
    return [
        dict(fn=PolynomialRegressor(3).loss, args=(params, x, y), wrt=0, name="bound_loss"),
        dict(fn=PolynomialRegressor(3, feature=np.sin).loss, args=(params, x, y), wrt=0, name="bound_loss_sin"),
    ]
