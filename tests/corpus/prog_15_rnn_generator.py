"""RNN whose hidden states come from a generator function; losses consume it lazily.

Features: generator-func, genexpr-consumer, dict-params, loop
"""
import numpy as np


def hidden_states(params, xs, h0):
    h = h0
    for x in xs:
        h = np.tanh(params["W"] @ h + params["U"] @ x + params["b"])
        yield h


def prediction_loss(params, xs, targets, h0):
    preds = (params["V"] @ h for h in hidden_states(params, xs, h0))
    return sum(np.sum((p - t) ** 2) for p, t in zip(preds, targets))


def final_state_loss(params, xs, h0, target):
    states = list(hidden_states(params, xs, h0))
    energy = sum(np.sum(h ** 2) for h in states)
    return np.sum((states[-1] - target) ** 2) + 0.01 * energy


def init(rng, n_in, n_hidden, n_out):
    return {"W": 0.5 * rng.normal(size=(n_hidden, n_hidden)), "U": 0.5 * rng.normal(size=(n_hidden, n_in)),
            "b": 0.1 * rng.normal(size=n_hidden), "V": 0.5 * rng.normal(size=(n_out, n_hidden))}


def cases():
    rng = np.random.default_rng(15)
    xs = rng.normal(size=(6, 2))
    targets = 0.5 * rng.normal(size=(6, 1))
    params = init(rng, 2, 3, 1)
    h0 = 0.1 * rng.normal(size=3)
    target = np.array([0.2, -0.1, 0.4])
    return [
        dict(fn=prediction_loss, args=(params, xs, targets, h0), wrt=0, name="generator_preds"),
        dict(fn=final_state_loss, args=(params, xs, h0, target), wrt=(0, 2), name="list_of_generator"),
    ]
