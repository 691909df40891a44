"""Random Fourier feature regression: a list of feature ufuncs mapped over inputs, NumPy as a parameter.

Features: map, module-value, func-list, lambda, ufunc-api, func-default
"""
import numpy as np


def fourier_features(x, freqs, phases, xp=np, features=(np.sin, np.cos)):
    proj = x[:, None] * freqs[None, :] + phases
    return xp.concatenate(list(map(lambda f: f(proj), features)), axis=1) / xp.sqrt(len(freqs))


def ridge_loss(w, x, y, freqs, phases, xp=np, lam=1e-2):
    Phi = fourier_features(x, freqs, phases, xp)
    return xp.mean(xp.square(Phi @ w - y)) + lam * xp.sum(xp.square(w))


def frequency_loss(freqs, w, x, y, phases):
    """Learn the frequencies too (w fixed)."""
    return ridge_loss(w, x, y, freqs, phases, np)


def cases():
    rng = np.random.default_rng(74)
    x = np.linspace(-3, 3, 14)
    y = np.sin(1.3 * x) + 0.5 * np.cos(0.4 * x)
    freqs = rng.normal(size=4)
    phases = rng.uniform(0, 2 * np.pi, size=4)
    w = 0.5 * rng.normal(size=8)
    return [
        dict(fn=ridge_loss, args=(w, x, y, freqs, phases), wrt=0, name="weights"),
        dict(fn=frequency_loss, args=(freqs, w, x, y, phases), wrt=(0, 1), name="frequencies"),
        dict(fn=np.expm1, args=(0.4,), wrt=0, name="grad_of_expm1_ufunc"),
    ]
