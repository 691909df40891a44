"""Attention modules as classes with __call__: built inside the loss from a dict, or passed as the argument.

Features: object-inside, callable-object, plain-object, dict-params, genexpr-consumer
"""
import numpy as np


class Linear:
    def __init__(self, W, b=None):
        self.W = W
        self.b = b

    def __call__(self, x):
        return x @ self.W if self.b is None else x @ self.W + self.b


class SelfAttention:
    def __init__(self, query, key, value):
        self.query = query
        self.key = key
        self.value = value

    def __call__(self, x):
        q, k, v = self.query(x), self.key(x), self.value(x)
        s = q @ k.T / np.sqrt(q.shape[-1])
        a = np.exp(s - np.max(s, axis=1, keepdims=True))
        return (a / np.sum(a, axis=1, keepdims=True)) @ v


class Classifier:
    def __init__(self, attention, head):
        self.attention = attention
        self.head = head

    def __call__(self, x):
        pooled = np.mean(self.attention(x) + x, axis=0)
        return self.head(pooled)


def nll(logits, label):
    m = np.max(logits)
    return -(logits[label] - m - np.log(np.sum(np.exp(logits - m))))


def loss_from_dict(params, xs, labels):
    model = Classifier(SelfAttention(Linear(params["Wq"]), Linear(params["Wk"]), Linear(params["Wv"])),
                       Linear(params["Wh"], params["bh"]))
    return sum(nll(model(x), y) for x, y in zip(xs, labels)) / len(labels)


def loss_of_model(model, xs, labels):
    return sum(nll(model(x), y) for x, y in zip(xs, labels)) / len(labels)


def cases():
    rng = np.random.default_rng(48)
    d, n_cls = 3, 2
    params = {"Wq": 0.5 * rng.normal(size=(d, d)), "Wk": 0.5 * rng.normal(size=(d, d)),
              "Wv": 0.5 * rng.normal(size=(d, d)), "Wh": 0.5 * rng.normal(size=(d, n_cls)), "bh": np.zeros(n_cls)}
    xs = rng.normal(size=(3, 4, d))
    labels = [0, 1, 1]
    model = Classifier(SelfAttention(Linear(params["Wq"]), Linear(params["Wk"]), Linear(params["Wv"])),
                       Linear(params["Wh"], params["bh"]))
    return [
        dict(fn=loss_from_dict, args=(params, xs, labels), wrt=0, name="modules_inside"),
        dict(fn=loss_of_model, args=(model, xs, labels), wrt=0, name="grad_wrt_module_tree"),
    ]
