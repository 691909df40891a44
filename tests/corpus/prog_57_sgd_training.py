"""Softmax regression trained by SGD: the training loop calls s2sad.grad of a regularized loss.

Features: func-default, func-arg, kwonly, dict-params
"""
import numpy as np


def l2_penalty(params):
    return sum(np.sum(v ** 2) for k, v in params.items() if k.startswith("W"))


def l1_penalty(params):
    return sum(np.sum(np.abs(v)) for k, v in params.items() if k.startswith("W"))


def log_softmax(z):
    z = z - np.max(z, axis=1, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))


def loss(params, X, y, regularizer=l2_penalty, *, weight_decay=1e-2):
    logp = log_softmax(X @ params["W"] + params["b"])
    return -np.mean(logp[np.arange(len(y)), y]) + weight_decay * regularizer(params)


def train(params, X, y, lr=0.5, epochs=20, batch_size=4, seed=0):
    """Plain SGD; only the loss is differentiated."""
    import s2sad

    grad_loss = s2sad.grad(loss)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            g = grad_loss(params, X[idx], y[idx])
            params = {k: params[k] - lr * g[k] for k in params}
    return params


def cases():
    rng = np.random.default_rng(57)
    X = rng.normal(size=(12, 3))
    y = np.argmax(X @ rng.normal(size=(3, 3)), axis=1)
    params = {"W": 0.1 * rng.normal(size=(3, 3)), "b": np.zeros(3)}
    return [
        dict(fn=loss, args=(params, X, y), wrt=0, name="l2_default"),
        dict(fn=loss, args=(params, X, y, l1_penalty), wrt=0, name="l1_arg"),
    ]
