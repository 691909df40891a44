"""Causal single-head self-attention with a hand-written softmax, built by a factory of closures.

Features: closure, returned-func, dict-params
"""
import numpy as np


def make_attention(params, causal=False, temperature=1.0):
    d_k = params["Wq"].shape[1]
    scale = 1.0 / (np.sqrt(d_k) * temperature)

    def softmax(scores):
        e = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)

    def attend(x):
        q, k, v = x @ params["Wq"], x @ params["Wk"], x @ params["Wv"]
        scores = q @ k.T * scale
        if causal:
            mask = np.tril(np.ones(scores.shape)) > 0
            scores = np.where(mask, scores, -1e9)
        return softmax(scores) @ v

    return attend


def regression_loss(params, x, y):
    attend = make_attention(params, causal=True)
    out = attend(x) @ params["Wo"]
    return np.mean((out - y) ** 2)


def sharpened_loss(params, x, y):
    attend = make_attention(params, temperature=0.5)
    return np.mean((attend(x) @ params["Wo"] - y) ** 2)


def cases():
    rng = np.random.default_rng(45)
    d = 3
    params = {k: 0.6 * rng.normal(size=(d, d)) for k in ("Wq", "Wk", "Wv")}
    params["Wo"] = 0.6 * rng.normal(size=d)
    x = rng.normal(size=(4, d))
    y = np.cumsum(x[:, 0]) / np.arange(1, 5)
    return [
        dict(fn=regression_loss, args=(params, x, y), wrt=0, name="causal_attention"),
        dict(fn=sharpened_loss, args=(params, x, y), wrt=(0, 1), name="temperature"),
    ]
