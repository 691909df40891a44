"""Vanilla RNN sequence regression with a params dict and a swappable nonlinearity.

Features: func-default, func-arg, dict-params, loop, genexpr-consumer
"""
import numpy as np


def init_rnn(rng, n_in, n_hidden, n_out, scale=0.4):
    return {
        "Wxh": scale * rng.normal(size=(n_in, n_hidden)),
        "Whh": scale * rng.normal(size=(n_hidden, n_hidden)),
        "bh": np.zeros(n_hidden) + 0.1,
        "Why": scale * rng.normal(size=(n_hidden, n_out)),
        "by": np.zeros(n_out) - 0.05,
    }


def rnn_forward(params, inputs, nonlinearity=np.tanh):
    h = np.zeros(params["Whh"].shape[0])
    outputs = []
    for x in inputs:
        h = nonlinearity(x @ params["Wxh"] + h @ params["Whh"] + params["bh"])
        outputs.append(h @ params["Why"] + params["by"])
    return outputs


def sequence_loss(params, inputs, targets, nonlinearity=np.tanh):
    preds = rnn_forward(params, inputs, nonlinearity)
    return sum(np.sum((p - t) ** 2) for p, t in zip(preds, targets)) / len(targets)


def softsign(x):
    return x / (1 + np.abs(x))


def cases():
    rng = np.random.default_rng(11)
    t = np.linspace(0, 2 * np.pi, 7)
    inputs = np.stack([np.sin(t), np.cos(t)], axis=1)
    targets = np.sin(t + 0.5)[:, None]
    params = init_rnn(rng, 2, 4, 1)
    return [
        dict(fn=sequence_loss, args=(params, inputs, targets), wrt=0, name="tanh_default"),
        dict(fn=sequence_loss, args=(params, inputs, targets, softsign), wrt="params", name="softsign_arg"),
    ]
