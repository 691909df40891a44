"""Discrete HMM with the scaled forward recursion; gradients of a staticmethod and a classmethod.

Features: staticmethod, classmethod, loop, inplace
"""
import numpy as np


class CategoricalHMM:
    @staticmethod
    def forward_scaled(pi, A, B, obs):
        """log p(obs) by the forward recursion, renormalizing alpha at each step."""
        T = len(obs)
        log_scales = np.zeros(T)
        alpha = pi * B[:, obs[0]]
        for t in range(T):
            if t > 0:
                alpha = (alpha @ A) * B[:, obs[t]]
            c = np.sum(alpha)
            log_scales[t] = np.log(c)
            alpha = alpha / c
        return np.sum(log_scales)

    @staticmethod
    def softmax_rows(logits):
        e = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)

    @classmethod
    def nll_from_logits(cls, theta, obs, n_states=2, n_symbols=3):
        K, M = n_states, n_symbols
        pi = cls.softmax_rows(theta[:K])
        A = cls.softmax_rows(theta[K:K + K * K].reshape(K, K))
        B = cls.softmax_rows(theta[K + K * K:].reshape(K, M))
        return -cls.forward_scaled(pi, A, B, obs)


def cases():
    rng = np.random.default_rng(27)
    obs = [0, 0, 1, 2, 2, 1, 0, 2]
    pi = np.array([0.6, 0.4])
    A = np.array([[0.8, 0.2], [0.3, 0.7]])
    B = np.array([[0.5, 0.3, 0.2], [0.1, 0.3, 0.6]])
    theta = 0.5 * rng.normal(size=2 + 4 + 6)
    return [
        dict(fn=CategoricalHMM.forward_scaled, args=(pi, A, B, obs), wrt=(0, 1, 2), name="staticmethod"),
        dict(fn=CategoricalHMM.nll_from_logits, args=(theta, obs), wrt=0, name="classmethod"),
        dict(fn=CategoricalHMM().forward_scaled, args=(pi, A, B, obs), wrt="B", name="staticmethod_via_instance"),
    ]
