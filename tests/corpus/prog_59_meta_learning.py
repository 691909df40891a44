"""MAML-style meta-learning for linear regression: the inner loop uses a hand-written gradient function.

Features: func-arg, loop, lambda, genexpr-consumer
"""
import numpy as np


def mse(w, X, y):
    return np.mean((X @ w - y) ** 2)


def mse_grad(w, X, y):
    return 2 * X.T @ (X @ w - y) / len(y)


def adapt(w, X, y, grad_fn, inner_lr, n_steps=3):
    for _ in range(n_steps):
        w = w - inner_lr * grad_fn(w, X, y)
    return w


def maml_objective(meta, tasks, grad_fn=mse_grad):
    w0, log_lr = meta[:-1], meta[-1]
    lr = np.exp(log_lr)
    return sum(mse(adapt(w0, Xs, ys, grad_fn, lr), Xq, yq) for Xs, ys, Xq, yq in tasks) / len(tasks)


def ridge_maml_objective(meta, tasks, lam=0.1):
    ridge_grad = lambda w, X, y: mse_grad(w, X, y) + 2 * lam * w
    return maml_objective(meta, tasks, grad_fn=ridge_grad)


def make_tasks(rng, n_tasks=3, d=3):
    tasks = []
    base = np.array([1.0, -0.5, 0.3])
    for _ in range(n_tasks):
        w = base + 0.3 * rng.normal(size=d)
        Xs, Xq = rng.normal(size=(5, d)), rng.normal(size=(5, d))
        tasks.append((Xs, Xs @ w, Xq, Xq @ w))
    return tasks


def cases():
    rng = np.random.default_rng(59)
    tasks = make_tasks(rng)
    meta = np.array([0.2, 0.1, -0.1, np.log(0.1)])
    return [
        dict(fn=maml_objective, args=(meta, tasks), wrt=0, name="maml"),
        dict(fn=ridge_maml_objective, args=(meta, tasks), wrt=0, name="maml_ridge_lambda"),
    ]
