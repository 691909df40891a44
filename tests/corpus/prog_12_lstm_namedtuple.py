"""LSTM sequence regression with weights in a namedtuple and gate functions as arguments.

Features: namedtuple, func-default, func-arg, lambda, loop
"""
from collections import namedtuple

import numpy as np

LSTMParams = namedtuple("LSTMParams", ["W", "U", "b", "W_out", "b_out"])


def sigmoid(x):
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def init_lstm(rng, n_in, n_hidden):
    return LSTMParams(
        W=0.5 * rng.normal(size=(n_in, 4 * n_hidden)),
        U=0.5 * rng.normal(size=(n_hidden, 4 * n_hidden)),
        b=np.concatenate([np.zeros(n_hidden), np.ones(n_hidden), np.zeros(2 * n_hidden)]),
        W_out=0.5 * rng.normal(size=n_hidden),
        b_out=0.0,
    )


def lstm_cell(params, x, h, c, gate=sigmoid, activation=np.tanh):
    z = x @ params.W + h @ params.U + params.b
    H = h.shape[0]
    i, f, o = gate(z[:H]), gate(z[H:2 * H]), gate(z[2 * H:3 * H])
    g = activation(z[3 * H:])
    c = f * c + i * g
    h = o * activation(c)
    return h, c


def lstm_loss(params, xs, ys, gate=sigmoid):
    H = params.U.shape[0]
    h, c = np.zeros(H), np.zeros(H)
    loss = 0.0
    for x, y in zip(xs, ys):
        h, c = lstm_cell(params, x, h, c, gate=gate)
        pred = h @ params.W_out + params.b_out
        loss = loss + (pred - y) ** 2
    return loss / len(xs)


def cases():
    rng = np.random.default_rng(12)
    xs = rng.normal(size=(5, 2))
    ys = np.cumsum(xs[:, 0]) * 0.3
    params = init_lstm(rng, 2, 2)
    return [
        dict(fn=lstm_loss, args=(params, xs, ys), wrt=0, name="lstm_sigmoid"),
        dict(fn=lstm_loss, args=(params, xs, ys, lambda z: 0.5 + np.arctan(z) / np.pi), wrt=0,
             name="lstm_lambda_gate"),
    ]
