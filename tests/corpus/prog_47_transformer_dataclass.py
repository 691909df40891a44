"""Two-layer tiny transformer language model: dataclass params, namedtuple layers applied with reduce.

Features: dataclass, namedtuple, reduce, lambda
"""
import functools
from collections import namedtuple
from dataclasses import dataclass

import numpy as np

Layer = namedtuple("Layer", ["Wq", "Wk", "Wv", "Wo", "W1", "W2"])


@dataclass
class TransformerParams:
    embed: np.ndarray
    layers: list
    unembed: np.ndarray


def softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def transformer_layer(h, layer):
    T = h.shape[0]
    q, k, v = h @ layer.Wq, h @ layer.Wk, h @ layer.Wv
    scores = q @ k.T + np.triu(np.full((T, T), -1e9), k=1)
    h = h + softmax(scores) @ v @ layer.Wo
    return h + np.tanh(h @ layer.W1) @ layer.W2


def lm_loss(params, tokens):
    h0 = params.embed[tokens[:-1]]
    h = functools.reduce(lambda acc, layer: transformer_layer(acc, layer), params.layers, h0)
    logits = h @ params.unembed
    log_probs = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
    targets = tokens[1:]
    return -np.mean(log_probs[np.arange(len(targets)), targets])


def init(rng, vocab=4, d=2, d_ff=3, n_layers=2):
    m = lambda *s: 0.5 * rng.normal(size=s)
    layers = [Layer(m(d, d), m(d, d), m(d, d), m(d, d), m(d, d_ff), m(d_ff, d)) for _ in range(n_layers)]
    return TransformerParams(m(vocab, d), layers, m(d, vocab))


def cases():
    rng = np.random.default_rng(47)
    params = init(rng)
    tokens = np.array([0, 1, 2, 3, 1, 2, 0])
    return [dict(fn=lm_loss, args=(params, tokens), wrt=0, name="tiny_lm")]
