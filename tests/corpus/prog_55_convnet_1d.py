"""1-D convolutional net: callable dataclass layers in a Sequential container built inside the loss.

Features: callable-object, dataclass, object-inside, genexpr-consumer, varargs, dict-params, loop
"""
from dataclasses import dataclass

import numpy as np


@dataclass
class Conv1D:
    kernel: np.ndarray  # (width, in_channels, out_channels)
    bias: np.ndarray

    def __call__(self, x):  # x: (length, in_channels)
        width = self.kernel.shape[0]
        windows = np.stack(tuple(x[i:i + width] for i in range(x.shape[0] - width + 1)))
        return np.einsum("lwc,wco->lo", windows, self.kernel) + self.bias


@dataclass
class Activation:
    fn: object

    def __call__(self, x):
        return self.fn(x)


class GlobalAveragePool:
    def __call__(self, x):
        return np.mean(x, axis=0)


class Sequential:
    def __init__(self, *layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def loss(params, signals, labels):
    net = Sequential(Conv1D(params["k1"], params["b1"]), Activation(np.tanh),
                     Conv1D(params["k2"], params["b2"]), GlobalAveragePool())
    total = 0.0
    for x, y in zip(signals, labels):
        logit = net(x)[0]
        total = total + np.logaddexp(0.0, logit) - y * logit
    return total / len(labels)


def cases():
    rng = np.random.default_rng(55)
    params = {"k1": 0.5 * rng.normal(size=(3, 1, 3)), "b1": np.zeros(3),
              "k2": 0.5 * rng.normal(size=(2, 3, 1)), "b2": np.zeros(1)}
    t = np.linspace(0, 1, 8)
    signals = [np.sin(2 * np.pi * f * t)[:, None] for f in (1.0, 3.0, 1.5, 2.5)]
    labels = [0.0, 1.0, 0.0, 1.0]
    return [dict(fn=loss, args=(params, signals, labels), wrt=0, name="conv_net")]
