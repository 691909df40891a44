"""Hidden Markov model log-likelihood by the forward algorithm in log space; emission density passed in.

Features: func-arg, func-default, dict-params, loop
"""
import numpy as np


def logsumexp(a, axis=None, keepdims=False):
    m = np.max(a, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))
    if keepdims:
        return out
    return np.squeeze(out) if axis is None else np.squeeze(out, axis=axis)


def log_normalize(logits, axis=-1):
    return logits - logsumexp(logits, axis=axis, keepdims=True)


def gaussian_emission(obs, means, scale=0.7):
    return -0.5 * ((obs - means) / scale) ** 2 - np.log(scale * np.sqrt(2 * np.pi))


def laplace_emission(obs, means, scale=0.5):
    return -np.abs(obs - means) / scale - np.log(2 * scale)


def hmm_log_likelihood(params, observations, emission_logpdf=gaussian_emission):
    log_pi = log_normalize(params["init_logits"])
    log_A = log_normalize(params["trans_logits"], axis=1)
    alpha = log_pi + emission_logpdf(observations[0], params["means"])
    for obs in observations[1:]:
        alpha = logsumexp(alpha[:, None] + log_A, axis=0) + emission_logpdf(obs, params["means"])
    return logsumexp(alpha)


def sample_observations(rng, T=10):
    states = [0]
    for _ in range(T - 1):
        states.append(states[-1] if rng.uniform() < 0.7 else int(rng.integers(3)))
    means = np.array([-2.0, 0.0, 2.5])
    return means[states] + 0.5 * rng.normal(size=T)


def cases():
    rng = np.random.default_rng(25)
    obs = sample_observations(rng)
    params = {"init_logits": np.array([0.3, 0.0, -0.2]),
              "trans_logits": 0.3 * rng.normal(size=(3, 3)) + 1.5 * np.eye(3),
              "means": np.array([-1.7, 0.2, 2.2])}
    return [
        dict(fn=hmm_log_likelihood, args=(params, obs), wrt=0, name="gaussian_emissions"),
        dict(fn=hmm_log_likelihood, args=(params, obs, laplace_emission), wrt=0, name="laplace_emissions"),
    ]
