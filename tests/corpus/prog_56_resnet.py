"""Residual MLP whose blocks are partial applications, chained with reduce and mapped over examples.

Features: partial, map, reduce, lambda
"""
import functools

import numpy as np


def residual_block(h, W1, W2, scale=0.5):
    return h + scale * np.tanh(h @ W1) @ W2


def build_blocks(weights):
    return [functools.partial(residual_block, W1=W1, W2=W2) for W1, W2 in weights]


def predict_one(weights, readout, x):
    h = functools.reduce(lambda h, block: block(h), build_blocks(weights), x)
    return h @ readout


def loss(weights, readout, X, y):
    predict = functools.partial(predict_one, weights, readout)
    preds = np.array(list(map(predict, X)))
    return np.mean((preds - y) ** 2)


def cases():
    rng = np.random.default_rng(56)
    d = 3
    weights = [(0.5 * rng.normal(size=(d, d)), 0.5 * rng.normal(size=(d, d))) for _ in range(2)]
    readout = rng.normal(size=d)
    X = rng.normal(size=(6, d))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    return [
        dict(fn=loss, args=(weights, readout, X, y), wrt=0, name="resnet_blocks"),
        dict(fn=loss, args=(weights, readout, X, y), wrt=(0, 1), name="resnet_blocks_and_readout"),
    ]
