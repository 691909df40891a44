"""Array-API style code: cross-entropy and attention pooling written against `xp`, NumPy passed or looked up.

Features: module-value, kwonly, returned-func, closure
"""
import numpy as np


def array_namespace(*arrays):
    """Stand-in for array_api_compat.array_namespace."""
    return np


def logsumexp(x, axis, xp):
    m = xp.max(x, axis=axis, keepdims=True)
    return xp.squeeze(m, axis=axis) + xp.log(xp.sum(xp.exp(x - m), axis=axis))


def softmax_cross_entropy(logits, labels_onehot, *, xp=None):
    xp = array_namespace(logits) if xp is None else xp
    return xp.mean(logsumexp(logits, 1, xp) - xp.sum(logits * labels_onehot, axis=1))


def attention_pool(scores, values):
    xp = array_namespace(scores, values)
    w = xp.exp(scores - xp.max(scores))
    w = w / xp.sum(w)
    return xp.sum(w[:, None] * values, axis=0)


def get_loss(xp):
    def loss(W, X, Y):
        return softmax_cross_entropy(X @ W, Y, xp=xp) + 1e-2 * xp.sum(xp.square(W))
    return loss


def pooled_loss(scores, values, target):
    xp = array_namespace(scores)
    return xp.sum(xp.exp(-attention_pool(scores, values)) * target)


def cases():
    rng = np.random.default_rng(64)
    X = rng.normal(size=(6, 3))
    Y = np.eye(3)[[0, 1, 2, 1, 0, 2]]
    W = 0.3 * rng.normal(size=(3, 3))
    scores = rng.normal(size=5)
    values = rng.normal(size=(5, 2))
    return [
        dict(fn=softmax_cross_entropy, args=(X @ W, Y), wrt=0, name="namespace_lookup"),
        dict(fn=get_loss(np), args=(W, X, Y), wrt=0, name="np_closed_over"),
        dict(fn=pooled_loss, args=(scores, values, np.array([1.0, 0.5])), wrt=(0, 1), name="attention_pool"),
    ]
