"""HMM as a class built inside the objective from logits (classmethod), with staticmethod helpers.

Features: object-inside, classmethod, staticmethod, loop, plain-object
"""
import numpy as np


class GaussianHMM:
    def __init__(self, log_pi, log_A, means, log_std):
        self.log_pi = log_pi
        self.log_A = log_A
        self.means = means
        self.log_std = log_std

    @staticmethod
    def logsumexp(a, axis=0):
        m = np.max(a, axis=axis)
        return m + np.log(np.sum(np.exp(a - np.expand_dims(m, axis)), axis=axis))

    @classmethod
    def from_logits(cls, init_logits, trans_logits, means, log_std):
        log_pi = init_logits - cls.logsumexp(init_logits)
        log_A = trans_logits - cls.logsumexp(trans_logits, axis=1)[:, None]
        return cls(log_pi, log_A, means, log_std)

    def emission(self, y):
        z = (y - self.means) / np.exp(self.log_std)
        return -0.5 * z ** 2 - self.log_std - 0.5 * np.log(2 * np.pi)

    def log_likelihood(self, ys):
        alpha = self.log_pi + self.emission(ys[0])
        for y in ys[1:]:
            alpha = self.logsumexp(alpha[:, None] + self.log_A, axis=0) + self.emission(y)
        return self.logsumexp(alpha)


def nll(theta, ys, K=2):
    hmm = GaussianHMM.from_logits(theta[:K], theta[K:K + K * K].reshape(K, K),
                                  theta[K + K * K:K + K * K + K], theta[-1])
    return -hmm.log_likelihood(ys) / len(ys)


def nll_of_model(hmm, ys):
    return -hmm.log_likelihood(ys)


def cases():
    rng = np.random.default_rng(26)
    ys = np.concatenate([rng.normal(-1, 0.5, 4), rng.normal(1.5, 0.5, 4), rng.normal(-1, 0.5, 3)])
    theta = np.array([0.1, -0.1, 1.0, -0.5, -0.3, 0.8, -0.8, 1.2, -0.6])
    hmm = GaussianHMM.from_logits(theta[:2], theta[2:6].reshape(2, 2), theta[6:8], theta[-1])
    return [
        dict(fn=nll, args=(theta, ys), wrt=0, name="built_inside"),
        dict(fn=nll_of_model, args=(hmm, ys), wrt=0, name="grad_wrt_hmm_object"),
    ]
