"""Robust mixture of Student-t components: component parameters unpacked with *theta, options with **.

Features: star-call, varargs, kwargs, kwonly, func-arg
"""
from math import lgamma

import numpy as np


def student_t_logpdf(x, loc, log_scale, df=4.0):
    scale = np.exp(log_scale)
    z = (x - loc) / scale
    norm = lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * np.log(df * np.pi)
    return norm - log_scale - (df + 1) / 2 * np.log1p(z ** 2 / df)


def normal_logpdf(x, loc, log_scale):
    return -0.5 * ((x - loc) / np.exp(log_scale)) ** 2 - log_scale - 0.5 * np.log(2 * np.pi)


def mixture_logpdf(x, logits, *components, logpdf=student_t_logpdf, **options):
    log_w = logits - np.log(np.sum(np.exp(logits)))
    terms = [log_w[k] + logpdf(x, *theta, **options) for k, theta in enumerate(components)]
    stacked = np.stack(terms)
    m = np.max(stacked, axis=0)
    return m + np.log(np.sum(np.exp(stacked - m), axis=0))


def nll(flat, x, df):
    logits = flat[:2]
    comps = [(flat[2], flat[3]), (flat[4], flat[5])]
    return -np.sum(mixture_logpdf(x, logits, *comps, df=df))


def nll_gaussian(flat, x):
    comps = (flat[2:4], flat[4:6])
    return -np.sum(mixture_logpdf(x, flat[:2], *comps, logpdf=normal_logpdf))


def cases():
    rng = np.random.default_rng(24)
    x = np.concatenate([rng.standard_t(3, size=8) - 2.0, rng.standard_t(3, size=8) + 2.0])
    flat = np.array([0.1, -0.1, -1.8, -0.2, 2.1, 0.1])
    return [
        dict(fn=nll, args=(flat, x, 3.0), wrt=0, name="student_t"),
        dict(fn=nll_gaussian, args=(flat, x), wrt=0, name="gaussian"),
    ]
