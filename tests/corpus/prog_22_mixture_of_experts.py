"""Mixture of experts regression: a list of expert functions, softmax gating, hand-written log-sum-exp.

Features: func-list, map, lambda, dict-params
"""
import numpy as np


def linear_expert(theta, x):
    return theta[0] * x + theta[1]


def quadratic_expert(theta, x):
    return theta[0] * x ** 2 + theta[1]


def sine_expert(theta, x):
    return theta[0] * np.sin(x + theta[1])


EXPERTS = [linear_expert, quadratic_expert, sine_expert]


def moe_nll(params, x, y, experts=EXPERTS, noise_std=0.3):
    gate_logits = np.outer(x, params["gate_w"]) + params["gate_b"]
    m = np.max(gate_logits, axis=1, keepdims=True)
    log_gates = gate_logits - m - np.log(np.sum(np.exp(gate_logits - m), axis=1, keepdims=True))
    preds = list(map(lambda f, th: f(th, x), experts, params["thetas"]))
    log_liks = np.stack([-0.5 * ((y - p) / noise_std) ** 2 for p in preds], axis=1)
    joint = log_gates + log_liks
    mj = np.max(joint, axis=1, keepdims=True)
    return -np.sum(mj[:, 0] + np.log(np.sum(np.exp(joint - mj), axis=1)))


def cases():
    rng = np.random.default_rng(22)
    x = np.linspace(-2, 2, 10)
    y = np.where(x < 0, 0.5 * x, np.sin(2 * x)) + 0.05 * rng.normal(size=10)
    params = {"gate_w": np.array([-1.0, 0.2, 1.1]), "gate_b": np.array([0.1, -0.3, 0.0]),
              "thetas": [np.array([0.4, 0.1]), np.array([0.3, -0.2]), np.array([0.9, 0.2])]}
    return [
        dict(fn=moe_nll, args=(params, x, y), wrt=0, name="three_experts"),
        dict(fn=moe_nll, args=(params, x, y, [sine_expert, sine_expert, linear_expert]), wrt=0,
             name="expert_list_arg"),
    ]
