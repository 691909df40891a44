"""Hyperparameter gradients: validation loss through unrolled gradient descent (learning rate, L2).

Features: returned-func, func-arg, closure, loop
"""
import numpy as np


def make_logistic_grad(X, y):
    def grad(w, l2):
        p = 1 / (1 + np.exp(-(X @ w)))
        return X.T @ (p - y) / len(y) + l2 * w
    return grad


def logistic_loss(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z)


def train(w0, grad_fn, lr, l2, n_steps=15, momentum=0.5):
    w, v = w0, np.zeros(w0.shape)
    for _ in range(n_steps):
        v = momentum * v - lr * grad_fn(w, l2)
        w = w + v
    return w


def validation_loss(hypers, w0, train_data, val_data):
    lr, l2 = np.exp(hypers[0]), np.exp(hypers[1])
    w = train(w0, make_logistic_grad(*train_data), lr, l2)
    return logistic_loss(w, *val_data)


def cases():
    rng = np.random.default_rng(60)
    w_true = np.array([1.0, -2.0, 0.5])
    X_tr, X_val = rng.normal(size=(12, 3)), rng.normal(size=(8, 3))
    y_tr = (X_tr @ w_true + 0.5 * rng.normal(size=12) > 0).astype(float)
    y_val = (X_val @ w_true > 0).astype(float)
    hypers = np.array([np.log(0.5), np.log(0.05)])
    w0 = 0.1 * rng.normal(size=3)
    return [
        dict(fn=validation_loss, args=(hypers, w0, (X_tr, y_tr), (X_val, y_val)), wrt=0, name="hypergradient"),
        dict(fn=validation_loss, args=(hypers, w0, (X_tr, y_tr), (X_val, y_val)), wrt=(0, 1), name="hyper_and_init"),
    ]
