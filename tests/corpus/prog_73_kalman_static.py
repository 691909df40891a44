"""Kalman filter log-likelihood for a constant-velocity model: staticmethod steps, namedtuple beliefs.

Features: staticmethod, posonly, namedtuple, loop
"""
from collections import namedtuple

import numpy as np

Belief = namedtuple("Belief", ["mean", "cov"])


class KalmanFilter:
    @staticmethod
    def predict(belief, F, Q, /):
        return Belief(F @ belief.mean, F @ belief.cov @ F.T + Q)

    @staticmethod
    def update(belief, y, H, R, /):
        S = H @ belief.cov @ H.T + R
        resid = y - H @ belief.mean
        K = belief.cov @ H.T @ np.linalg.inv(S)
        _, logdet = np.linalg.slogdet(S)
        ll = -0.5 * (resid @ np.linalg.solve(S, resid) + logdet + len(y) * np.log(2 * np.pi))
        return Belief(belief.mean + K @ resid, belief.cov - K @ H @ belief.cov), ll

    @staticmethod
    def log_likelihood(log_noise, ys, dt=0.5):
        F = np.array([[1.0, dt], [0.0, 1.0]])
        H = np.array([[1.0, 0.0]])
        q, r = np.exp(log_noise[0]), np.exp(log_noise[1])
        Q = q * np.array([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]])
        R = r * np.eye(1)
        belief = Belief(np.zeros(2), np.eye(2))
        total = 0.0
        for y in ys:
            belief = KalmanFilter.predict(belief, F, Q)
            belief, ll = KalmanFilter.update(belief, y, H, R)
            total = total + ll
        return total


def predictive_log_likelihood(belief, y, dt=0.5):
    F = np.array([[1.0, dt], [0.0, 1.0]])
    prior = KalmanFilter.predict(belief, F, 0.1 * np.eye(2))
    _, ll = KalmanFilter.update(prior, y, np.array([[1.0, 0.0]]), 0.2 * np.eye(1))
    return ll


def cases():
    rng = np.random.default_rng(73)
    pos = np.cumsum(0.5 * (1.0 + 0.3 * np.cumsum(rng.normal(size=8))))
    ys = (pos + 0.3 * rng.normal(size=8))[:, None]
    log_noise = np.array([np.log(0.2), np.log(0.1)])
    return [
        dict(fn=KalmanFilter.log_likelihood, args=(log_noise, ys), wrt=0, name="staticmethod_api"),
        dict(fn=KalmanFilter().log_likelihood, args=(log_noise, ys), wrt="log_noise", name="staticmethod_via_instance"),
        dict(fn=predictive_log_likelihood, args=(Belief(np.array([0.5, 1.0]), np.eye(2) * 0.3), ys[0]),
             wrt=0, name="wrt_belief_namedtuple"),
    ]
