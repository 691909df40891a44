"""Elman RNN written as a class with __call__ and a step method; losses as objects and methods.

Features: callable-object, method-value, bound-method-api, dict-params, loop, func-default
"""
import numpy as np


class ElmanRNN:
    def __init__(self, n_hidden, activation=np.tanh):
        self.n_hidden = n_hidden
        self.activation = activation

    def step(self, params, h, x):
        return self.activation(params["Wx"] @ x + params["Wh"] @ h + params["b"])

    def __call__(self, params, xs):
        step = self.step
        h = np.zeros(self.n_hidden)
        hs = []
        for x in xs:
            h = step(params, h, x)
            hs.append(h)
        return np.stack(hs)

    def loss(self, params, xs, ys):
        preds = self(params, xs) @ params["w_out"]
        return np.mean((preds - ys) ** 2)


class MSELoss:
    """A loss bound to a model and a data set: `loss(params)`."""

    def __init__(self, model, xs, ys, l2=1e-2):
        self.model = model
        self.xs = xs
        self.ys = ys
        self.l2 = l2

    def __call__(self, params):
        reg = sum(np.sum(v ** 2) for v in params.values())
        return self.model.loss(params, self.xs, self.ys) + self.l2 * reg


def init(rng, n_in, n_hidden):
    return {"Wx": 0.5 * rng.normal(size=(n_hidden, n_in)), "Wh": 0.4 * rng.normal(size=(n_hidden, n_hidden)),
            "b": 0.1 * rng.normal(size=n_hidden), "w_out": rng.normal(size=n_hidden)}


def cases():
    rng = np.random.default_rng(14)
    xs = rng.normal(size=(6, 2))
    ys = np.tanh(xs[:, 0] - 0.5 * xs[:, 1])
    params = init(rng, 2, 3)
    model = ElmanRNN(3)
    sin_model = ElmanRNN(3, activation=np.sin)
    return [
        dict(fn=model.loss, args=(params, xs, ys), wrt=0, name="bound_loss"),
        dict(fn=MSELoss(model, xs, ys), args=(params,), wrt=0, name="loss_object"),
        dict(fn=MSELoss(sin_model, xs, ys), args=(params,), wrt="params", name="loss_object_sin"),
    ]
