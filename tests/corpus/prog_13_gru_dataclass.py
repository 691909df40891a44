"""GRU over a short sequence with dataclass weights; hidden states written into a buffer.

Features: dataclass, inplace, loop
"""
from dataclasses import dataclass

import numpy as np


@dataclass
class GRUWeights:
    Wz: np.ndarray
    Uz: np.ndarray
    bz: np.ndarray
    Wr: np.ndarray
    Ur: np.ndarray
    br: np.ndarray
    Wh: np.ndarray
    Uh: np.ndarray
    bh: np.ndarray
    V: np.ndarray


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def gru_states(w, xs):
    T, H = len(xs), w.Uz.shape[0]
    hs = np.zeros((T, H))
    h = np.zeros(H)
    for t in range(T):
        x = xs[t]
        z = sigmoid(w.Wz @ x + w.Uz @ h + w.bz)
        r = sigmoid(w.Wr @ x + w.Ur @ h + w.br)
        h_tilde = np.tanh(w.Wh @ x + w.Uh @ (r * h) + w.bh)
        h = (1 - z) * h + z * h_tilde
        hs[t] = h
    return hs


def gru_loss(w, xs, ys):
    hs = gru_states(w, xs)
    preds = hs @ w.V
    preds[0] *= 0.5  # the first step has little context: down-weight it
    return np.mean((preds - ys) ** 2)


def init(rng, n_in, H):
    m = lambda *shape: 0.5 * rng.normal(size=shape)
    return GRUWeights(m(H, n_in), m(H, H), m(H), m(H, n_in), m(H, H), m(H), m(H, n_in), m(H, H), m(H), m(H))


def cases():
    rng = np.random.default_rng(13)
    xs = rng.normal(size=(6, 1))
    ys = np.sin(np.cumsum(xs[:, 0]))
    w = init(rng, 1, 3)
    return [dict(fn=gru_loss, args=(w, xs, ys), wrt=0, name="gru_dataclass")]
