"""Pre-norm transformer block: multi-head attention looping over heads, GELU MLP as a default argument.

Features: func-default, func-arg, kwonly, dict-params, loop
"""
import numpy as np


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def layer_norm(x, gain, bias, eps=1e-5):
    mu = np.mean(x, axis=-1, keepdims=True)
    var = np.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return gain * (x - mu) / np.sqrt(var + eps) + bias


def softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def multi_head_attention(attn, x, *, n_heads):
    heads = []
    for h in range(n_heads):
        q, k, v = x @ attn["Wq"][h], x @ attn["Wk"][h], x @ attn["Wv"][h]
        weights = softmax(q @ k.T / np.sqrt(q.shape[-1]))
        heads.append(weights @ v)
    return np.concatenate(heads, axis=-1) @ attn["Wo"]


def block(attn, mlp, x, activation=gelu, n_heads=2):
    x = x + multi_head_attention(attn, layer_norm(x, mlp["g1"], mlp["b1"]), n_heads=n_heads)
    h = activation(layer_norm(x, mlp["g2"], mlp["b2"]) @ mlp["W1"] + mlp["c1"])
    return x + h @ mlp["W2"]


def loss(attn, mlp, x, target, activation=gelu):
    return np.mean((block(attn, mlp, x, activation) - target) ** 2)


def init(rng, d=4, n_heads=2, d_ff=3):
    dh = d // n_heads
    attn = {k: 0.5 * rng.normal(size=(n_heads, d, dh)) for k in ("Wq", "Wk", "Wv")}
    attn["Wo"] = 0.5 * rng.normal(size=(d, d))
    mlp = {"g1": 1 + 0.1 * rng.normal(size=d), "b1": 0.1 * rng.normal(size=d),
           "g2": 1 + 0.1 * rng.normal(size=d), "b2": 0.1 * rng.normal(size=d),
           "W1": 0.5 * rng.normal(size=(d, d_ff)), "c1": np.zeros(d_ff), "W2": 0.5 * rng.normal(size=(d_ff, d))}
    return attn, mlp


def cases():
    rng = np.random.default_rng(46)
    attn, mlp = init(rng)
    x = rng.normal(size=(3, 4))
    target = np.roll(x, 1, axis=0)
    return [
        dict(fn=loss, args=(attn, mlp, x, target), wrt=0, name="attention_params"),
        dict(fn=loss, args=(attn, mlp, x, target, np.tanh), wrt=(1, 2), name="mlp_params_tanh"),
    ]
