"""MLP classifier as a class holding its configuration; the gradient of its bound loss method.

Features: bound-method-api, func-list, loop, func-default
"""
import numpy as np


def softplus(x):
    return np.logaddexp(0.0, x)


class MLP:
    def __init__(self, sizes, activations, l2=1e-3):
        assert len(activations) == len(sizes) - 2
        self.sizes = sizes
        self.activations = activations
        self.l2 = l2

    def init(self, rng):
        return [(rng.normal(size=(m, n)) / np.sqrt(m), np.zeros(n))
                for m, n in zip(self.sizes[:-1], self.sizes[1:])]

    def logits(self, weights, X):
        h = X
        for (W, b), act in zip(weights[:-1], self.activations):
            h = act(h @ W + b)
        W, b = weights[-1]
        return h @ W + b

    def loss(self, weights, X, y):
        z = self.logits(weights, X)
        z = z - np.max(z, axis=1, keepdims=True)
        log_p = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
        nll = -np.mean(log_p[np.arange(len(y)), y])
        return nll + self.l2 * sum(np.sum(W ** 2) for W, _ in weights)


def cases():
    rng = np.random.default_rng(53)
    X = rng.normal(size=(10, 3))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int)
    model = MLP([3, 4, 3, 2], [np.tanh, softplus])
    weights = model.init(rng)
    deep = MLP([3, 3, 3, 2], [np.sin, np.tanh], l2=1e-2)
    return [
        dict(fn=model.loss, args=(weights, X, y), wrt=0, name="bound_loss"),
        dict(fn=deep.loss, args=(deep.init(rng), X, y), wrt="weights", name="bound_loss_sin"),
    ]
