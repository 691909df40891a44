"""Particle filter as a class using its model's methods as values; gradient of a bound method.

Features: bound-method-api, method-value, loop
"""
import numpy as np


class StochasticVolatility:
    """x_t = mu + phi (x_{t-1} - mu) + sigma eps;  y_t ~ N(0, exp(x_t))"""

    def transition(self, x, params, eps):
        mu, phi, log_sigma = params[0], params[1], params[2]
        return mu + phi * (x - mu) + np.exp(log_sigma) * eps

    def log_obs(self, y, x):
        return -0.5 * (np.log(2 * np.pi) + x + y ** 2 * np.exp(-x))


class ParticleFilter:
    def __init__(self, model, init_noise, step_noise):
        self.model = model
        self.init_noise = init_noise
        self.step_noise = step_noise

    def log_likelihood(self, params, ys):
        propagate, log_obs = self.model.transition, self.model.log_obs
        x = params[0] + self.init_noise
        total = 0.0
        for t, y in enumerate(ys):
            x = propagate(x, params, self.step_noise[t])
            lw = log_obs(y, x)
            m = np.max(lw)
            w = np.exp(lw - m)
            total = total + m + np.log(np.mean(w))
            mean = np.sum(w * x) / np.sum(w)
            x = mean + 0.5 * (x - mean)  # shrink towards the weighted mean instead of resampling
        return total

    def neg_log_posterior(self, params, ys):
        log_prior = -0.5 * np.sum((params - np.array([-1.0, 0.9, -1.0])) ** 2)
        return -(self.log_likelihood(params, ys) + log_prior)


def cases():
    rng = np.random.default_rng(44)
    T, N = 8, 12
    ys = np.exp(0.5 * (-1 + 0.3 * rng.normal(size=T))) * rng.normal(size=T)
    pf = ParticleFilter(StochasticVolatility(), rng.normal(size=N), rng.normal(size=(T, N)))
    params = np.array([-0.8, 0.85, -1.2])
    return [
        dict(fn=pf.log_likelihood, args=(params, ys), wrt=0, name="bound_log_likelihood"),
        dict(fn=pf.neg_log_posterior, args=(params, ys), wrt="params", name="bound_neg_log_posterior"),
    ]
