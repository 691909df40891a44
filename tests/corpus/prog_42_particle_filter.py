"""Bootstrap particle filter log-likelihood with fixed draws; the transition model is an argument.

Features: func-arg, func-default, loop
"""
import numpy as np


def logmeanexp(a):
    m = np.max(a)
    return m + np.log(np.mean(np.exp(a - m)))


def nonlinear_transition(x, theta):
    return theta[0] * x + theta[1] * np.sin(x)


def linear_transition(x, theta):
    return theta[0] * x + theta[1]


def systematic_resample(log_w, u):
    """Indices of the resampled particles (u: one fixed uniform draw per particle, sorted)."""
    w = np.exp(log_w - np.max(log_w))
    cum = np.cumsum(w / np.sum(w))
    return np.minimum(np.sum(cum[None, :] < u[:, None], axis=1), len(w) - 1)


def pf_log_likelihood(theta, observations, init_noise, noise, uniforms, transition=nonlinear_transition,
                      obs_std=0.5):
    sigma = np.exp(theta[2])
    particles = init_noise
    total = 0.0
    for t in range(len(observations)):
        particles = transition(particles, theta) + sigma * noise[t]
        log_w = -0.5 * ((observations[t] - particles) / obs_std) ** 2 - np.log(obs_std * np.sqrt(2 * np.pi))
        total = total + logmeanexp(log_w)
        particles = particles[systematic_resample(log_w, uniforms[t])]
    return total


def cases():
    rng = np.random.default_rng(42)
    T, N = 8, 16
    x, obs = 0.5, []
    for t in range(T):
        x = 0.8 * x + 0.6 * np.sin(x) + 0.3 * rng.normal()
        obs.append(x + 0.5 * rng.normal())
    observations = np.array(obs)
    init_noise = rng.normal(size=N)
    noise = rng.normal(size=(T, N))
    uniforms = (np.arange(N)[None, :] + rng.uniform(size=(T, 1))) / N
    theta = np.array([0.7, 0.5, np.log(0.35)])
    return [
        dict(fn=pf_log_likelihood, args=(theta, observations, init_noise, noise, uniforms), wrt=0,
             name="nonlinear_model"),
        dict(fn=pf_log_likelihood, args=(theta, observations, init_noise, noise, uniforms, linear_transition),
             wrt=0, name="linear_model_arg"),
    ]
