"""Gradient with respect to a model object: an MLP of Linear layers comes back as an MLP of gradients.

Features: plain-object, callable-object, method-value, loop, genexpr-consumer, func-default
"""
import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def __call__(self, x):
        return x @ self.W + self.b


class MLP:
    def __init__(self, layers, activation=np.tanh):
        self.layers = layers
        self.activation = activation

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)


def mse_loss(model, X, y):
    predict = model.forward
    return np.mean((predict(X)[:, 0] - y) ** 2)


def loss_with_weight_decay(model, X, y, decay=0.01):
    penalty = sum(np.sum(layer.W ** 2) for layer in model.layers)
    return mse_loss(model, X, y) + decay * penalty


def cases():
    rng = np.random.default_rng(54)
    X = rng.uniform(-1, 1, size=(12, 2))
    y = np.sin(2 * X[:, 0]) * X[:, 1]
    model = MLP([Linear(0.7 * rng.normal(size=(2, 5)), 0.1 * rng.normal(size=5)),
                 Linear(0.7 * rng.normal(size=(5, 1)), np.zeros(1))])
    return [
        dict(fn=mse_loss, args=(model, X, y), wrt=0, name="mse"),
        dict(fn=loss_with_weight_decay, args=(model, X, y), wrt="model", name="weight_decay"),
    ]
