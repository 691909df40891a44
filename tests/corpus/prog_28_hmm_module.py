"""HMM forward algorithm written against an array namespace (`xp`), NumPy passed or looked up.

Features: module-value, returned-func, closure, loop
"""
import numpy as np


def get_array_module(*arrays):
    """Like cupy.get_array_module: NumPy for NumPy arrays."""
    return np


def make_logsumexp(xp):
    def logsumexp(a, axis):
        m = xp.max(a, axis=axis, keepdims=True)
        return xp.squeeze(m, axis=axis) + xp.log(xp.sum(xp.exp(a - m), axis=axis))
    return logsumexp


def forward_log_likelihood(init_logits, trans_logits, log_emissions, xp=None):
    xp = get_array_module(trans_logits) if xp is None else xp
    lse = make_logsumexp(xp)
    log_pi = init_logits - lse(init_logits, axis=0)
    log_A = trans_logits - lse(trans_logits, axis=1)[:, None]
    alpha = log_pi + log_emissions[0]
    for t in range(1, log_emissions.shape[0]):
        alpha = lse(alpha[:, None] + log_A, axis=0) + log_emissions[t]
    return lse(alpha, axis=0)


def objective(trans_logits, init_logits, log_emissions, xp):
    return -forward_log_likelihood(init_logits, trans_logits, log_emissions, xp=xp)


def cases():
    rng = np.random.default_rng(28)
    log_em = np.log(rng.dirichlet(np.ones(3), size=7))
    init = np.array([0.2, 0.1, -0.3])
    trans = 0.4 * rng.normal(size=(3, 3)) + np.eye(3)
    return [
        dict(fn=forward_log_likelihood, args=(init, trans, log_em), wrt=(0, 1, 2), name="xp_lookup"),
        dict(fn=objective, args=(trans, init, log_em, np), wrt=0, name="np_as_argument"),
    ]
