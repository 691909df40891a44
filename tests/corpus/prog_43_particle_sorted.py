"""Particle-based state estimation: the heaviest particles picked with sorted(key=) and max(key=).

Features: sorted-key, minmax-key, lambda, loop, func-arg
"""
import numpy as np


def propagate(particles, theta, noise):
    return theta[0] * particles + theta[1] * np.tanh(particles) + 0.2 * noise


def log_weights(particles, y, obs_std=0.4):
    return -0.5 * ((y - particles) / obs_std) ** 2


def top_k_estimate(particles, log_w, k):
    pairs = sorted(zip(particles, log_w), key=lambda pw: pw[1], reverse=True)[:k]
    ws = np.exp(np.array([w for _, w in pairs]))
    xs = np.array([p for p, _ in pairs])
    return np.sum(ws * xs) / np.sum(ws)


def tracking_loss(theta, x0, noise, ys, truth, k=4, step=propagate):
    particles = x0
    loss = 0.0
    for t in range(len(ys)):
        particles = step(particles, theta, noise[t])
        lw = log_weights(particles, ys[t])
        loss = loss + (top_k_estimate(particles, lw, k) - truth[t]) ** 2
    return loss


def map_particle_loss(theta, x0, noise, ys, truth):
    particles = x0
    loss = 0.0
    for t in range(len(ys)):
        particles = propagate(particles, theta, noise[t])
        best = max(range(len(particles)), key=lambda i: log_weights(particles[i], ys[t]))
        loss = loss + (particles[best] - truth[t]) ** 2
    return loss


def cases():
    rng = np.random.default_rng(43)
    T, N = 5, 10
    truth = np.cumsum(0.3 * rng.normal(size=T)) + 0.5
    ys = truth + 0.3 * rng.normal(size=T)
    x0 = rng.normal(size=N)
    noise = rng.normal(size=(T, N))
    theta = np.array([0.9, 0.3])
    return [
        dict(fn=tracking_loss, args=(theta, x0, noise, ys, truth), wrt=(0, 1), name="sorted_top_k"),
        dict(fn=map_particle_loss, args=(theta, x0, noise, ys, truth), wrt=0, name="max_key"),
    ]
