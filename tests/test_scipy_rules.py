"""Every SciPy entry of `s2sad.primitives`, checked against finite differences.

The SciPy rules (`s2sad/primitives/scipy_ops.py`) are registered only when
SciPy is importable; this module is skipped without it. As in
tests/test_rules.py, `ROWS` has one row per rule: scalar-valued functions
reducing the rule's result with fixed uneven weights `W`, the arguments to
call them with, and the arguments to differentiate. Each check compares the
gradient with central differences, and the tangent (forward mode) with the
central difference along a random direction and with the gradient (the
dot-product test between the two modes).

Beyond the table: special points, the spellings a SciPy function may have in
user code, refused parameters, Hessians of models built on SciPy (logistic
and Poisson regression, a Gaussian process), and fitting an ODE's parameters.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("scipy")

import scipy  # noqa: E402
import scipy.integrate  # noqa: E402
import scipy.linalg  # noqa: E402
import scipy.signal  # noqa: E402
import scipy.special  # noqa: E402
import scipy.stats  # noqa: E402
from scipy import integrate, linalg, signal, special, stats  # noqa: E402
from scipy.special import gammaln  # noqa: E402
from scipy.stats import norm  # noqa: E402
from test_rules import W, direction, inner, moved  # noqa: E402
from test_special_points import _same  # noqa: E402

import s2sad  # noqa: E402
from s2sad import pipeline, primitives  # noqa: E402
from s2sad.primitives import TABLE  # noqa: E402

sp = special
RNG = np.random.default_rng(20240917)


def rand(shape: tuple = (), lo: float = -1.0, hi: float = 1.0) -> Any:
    """Uniform draws; shape () gives a Python float, s2sad's plain scalar case."""
    x = RNG.uniform(lo, hi, size=shape)
    return float(x) if shape == () else x


def away(shape: tuple, lo: float, hi: float, kinks: tuple = (0.0,), gap: float = 0.2) -> Any:
    """Uniform draws at least `gap` from every kink."""
    x = np.asarray(RNG.uniform(lo, hi, size=shape))
    for _ in range(100):
        near = np.zeros(x.shape, dtype=bool)
        for k in kinks:
            near |= np.abs(x - k) < gap
        if not near.any():
            break
        x[near] = RNG.uniform(lo, hi, size=int(near.sum()))
    return float(x) if shape == () else x


def spd(n: int, batch: tuple = ()) -> np.ndarray:
    a = RNG.normal(size=batch + (n, n)) * 0.4
    return a @ np.swapaxes(a, -1, -2) + 1.5 * np.eye(n)


UNARY_SHAPES = [(), (5,), (3, 4)]
BINARY_SHAPES = [((), ()), ((5,), (5,)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((), (3,))]


def unary(lo: float, hi: float) -> list[tuple]:
    return [(rand(s, lo, hi),) for s in UNARY_SHAPES]


def binary(lo: float, hi: float, lo2: float, hi2: float) -> list[tuple]:
    return [(rand(a, lo, hi), rand(b, lo2, hi2)) for a, b in BINARY_SHAPES]


@dataclass
class Check:
    fn: Any
    args: tuple
    wrt: tuple[int, ...]


@dataclass
class Row:
    rule: str
    checks: list[Check]
    forward: bool = True  # False: forward mode is refused (tested below)
    second: bool = True  # False: forward mode over its adjoint is refused (the ODE solvers)
    dot_rtol: float = 1e-9  # the dot-product test's tolerance (ODEs: two integrations)
    fd: dict = field(default_factory=dict)  # check_grad's eps, rtol, atol


def checks(fn: Any, cases: list[tuple], wrt: int | tuple = 0) -> list[Check]:
    wrt = (wrt,) if isinstance(wrt, int) else tuple(wrt)
    return [Check(fn, tuple(args), wrt) for args in cases]


def row(rule: str, fn: Any, cases: list[tuple], wrt: int | tuple = 0, **options: Any) -> Row:
    return Row(rule, checks(fn, cases, wrt), **options)


def weighted(z: Any) -> Any:
    return np.sum(z * W(np.shape(z)))


# ---------------------------------------------------------------- special functions


def sp_expit(x):
    return weighted(special.expit(x))


def sp_log_expit(x):
    return weighted(special.log_expit(x))


def sp_logit(x):
    return weighted(special.logit(x))


def sp_gammaln(x):
    return weighted(special.gammaln(x))


def sp_digamma(x):
    return weighted(special.digamma(x))


def sp_polygamma(n, x):
    return weighted(special.polygamma(n, x))


def sp_gamma(x):
    return weighted(special.gamma(x))


def sp_beta(a, b):
    return weighted(special.beta(a, b))


def sp_betaln(a, b):
    return weighted(special.betaln(a, b))


def sp_erf(x):
    return weighted(special.erf(x))


def sp_erfc(x):
    return weighted(special.erfc(x))


def sp_erfinv(x):
    return weighted(special.erfinv(x))


def sp_ndtr(x):
    return weighted(special.ndtr(x))


def sp_log_ndtr(x):
    return weighted(special.log_ndtr(x))


def sp_ndtri(x):
    return weighted(special.ndtri(x))


def sp_erfcx(x):
    return weighted(special.erfcx(x))


def sp_i0(x):
    return weighted(special.i0(x))


def sp_i1(x):
    return weighted(special.i1(x))


def sp_iv(v, x):
    return weighted(special.iv(v, x))


def sp_i0e(x):
    return weighted(special.i0e(x))


def sp_i1e(x):
    return weighted(special.i1e(x))


def sp_ive(v, x):
    return weighted(special.ive(v, x))


def sp_xlogy(x, y):
    return weighted(special.xlogy(x, y))


def sp_xlog1py(x, y):
    return weighted(special.xlog1py(x, y))


def sp_entr(x):
    return weighted(special.entr(x))


def sp_softmax(x, axis):
    return weighted(special.softmax(x, axis=axis))


def sp_log_softmax(x, axis):
    return weighted(special.log_softmax(x, axis))


def sp_logsumexp(a, axis, keepdims):
    return weighted(special.logsumexp(a, axis=axis, keepdims=keepdims))


def sp_logsumexp_b(a, b, axis):
    return weighted(special.logsumexp(a, axis, b))


SOFTMAX_CASES = [(rand((5,)), None), (rand((3, 4)), None), (rand((3, 4)), 0), (rand((3, 4)), 1),
                 (rand((3, 4)), -1), (rand((2, 3, 4)), (0, 2))]
# some of b's entries are negative; every row's sum stays positive
SIGNED_B = np.array([[1.0, -0.4, 0.3, -0.2], [1.0, 0.2, -0.3, 0.1], [0.6, 0.5, -0.2, 0.4]])

SPECIAL = [
    row("scipy.special.expit", sp_expit, unary(-3, 3)),
    row("scipy.special.log_expit", sp_log_expit, unary(-3, 3)),
    row("scipy.special.logit", sp_logit, unary(0.05, 0.95)),
    row("scipy.special.gammaln", sp_gammaln, unary(0.2, 4) + [(rand((4,), -2.8, -2.2),)]),
    row("scipy.special.digamma", sp_digamma, unary(0.2, 4) + [(rand((4,), -1.8, -1.2),)]),
    row("scipy.special.polygamma", sp_polygamma,
        [(1, rand((5,), 0.3, 3)), (np.array([0, 1, 2, 3]), rand((3, 4), 0.5, 3)),
         (np.array(2), rand((), 0.5, 3))], wrt=1),
    row("scipy.special.gamma", sp_gamma, unary(0.2, 3) + [(rand((4,), -1.8, -1.2),)]),
    row("scipy.special.beta", sp_beta, binary(0.4, 3, 0.4, 3), wrt=(0, 1)),
    row("scipy.special.betaln", sp_betaln, binary(0.4, 3, 0.4, 3), wrt=(0, 1)),
    row("scipy.special.erf", sp_erf, unary(-2, 2)),
    row("scipy.special.erfc", sp_erfc, unary(-2, 2)),
    row("scipy.special.erfinv", sp_erfinv, unary(-0.9, 0.9)),
    row("scipy.special.ndtr", sp_ndtr, unary(-3, 3)),
    row("scipy.special.log_ndtr", sp_log_ndtr, unary(-3, 3) + [(np.array([-30.0, -8.0, 6.0]),)]),
    row("scipy.special.ndtri", sp_ndtri, unary(0.05, 0.95)),
    row("scipy.special.erfcx", sp_erfcx, unary(-2, 3) + [(np.array([-1.0, 8.0, 30.0]),)]),
    row("scipy.special.i0", sp_i0, unary(-3, 3)),
    row("scipy.special.i1", sp_i1, unary(-3, 3)),
    row("scipy.special.iv", sp_iv,
        [(0.5, rand((5,), 0.2, 3)), (np.array([0.0, 1.0, 2.5, 4.0]), rand((3, 4), 0.2, 3)),
         (2.0, rand((), -3, 3))], wrt=1),
    row("scipy.special.i0e", sp_i0e, [(away(s, -3, 3),) for s in UNARY_SHAPES]),
    row("scipy.special.i1e", sp_i1e, unary(-3, 3)),
    row("scipy.special.ive", sp_ive,
        [(0.5, rand((5,), 0.2, 3)), (np.array([0.0, 1.0, 2.0, 3.0]), away((3, 4), -3, 3)),
         (1.5, rand((), 0.3, 3))], wrt=1),
    row("scipy.special.xlogy", sp_xlogy, binary(-1, 1, 0.2, 2), wrt=(0, 1)),
    row("scipy.special.xlog1py", sp_xlog1py, binary(-1, 1, -0.8, 2), wrt=(0, 1)),
    row("scipy.special.entr", sp_entr, unary(0.1, 2)),
    row("scipy.special.softmax", sp_softmax, SOFTMAX_CASES),
    row("scipy.special.log_softmax", sp_log_softmax, SOFTMAX_CASES),
    Row("scipy.special.logsumexp",
        checks(sp_logsumexp, [(rand((5,)), None, False), (rand((3, 4)), None, True),
                              (rand((3, 4)), 0, False), (rand((3, 4)), -1, True),
                              (rand((2, 3, 4)), (0, 2), False), (rand((2, 3, 4)), (1, 2), True),
                              (rand(()), None, False), (rand(()), None, True),
                              (rand(()), (), False), (rand(()), 0, False)])
        + checks(sp_logsumexp_b, [(rand((3, 4)), rand((3, 4), 0.2, 2), 1),
                                  (rand((3, 4)), rand((4,), 0.2, 2), 0),
                                  (rand((3, 1)), rand((3, 4), 0.2, 2), None),
                                  (rand((4,)), rand((3, 4), 0.2, 2), -1)], wrt=(0, 1))
        + checks(sp_logsumexp_b, [(rand((3, 4), -0.1, 0.1), SIGNED_B, 1),
                                  (rand((3, 4), -0.1, 0.1), SIGNED_B[0], 1)], wrt=(0, 1))),
]


# ---------------------------------------------------------------- distributions


def norm_logpdf(x, loc, scale):
    return weighted(stats.norm.logpdf(x, loc, scale))


def norm_pdf(x, loc, scale):
    return weighted(stats.norm.pdf(x, loc=loc, scale=scale))


def norm_cdf(x, loc, scale):
    return weighted(norm.cdf(x, loc, scale))


def norm_logcdf(x, loc, scale):
    return weighted(scipy.stats.norm.logcdf(x, loc, scale))


def norm_defaults(x):
    return weighted(norm.logpdf(x) + norm.pdf(x) + norm.cdf(x) + norm.logcdf(x))


def t_logpdf(x, df, loc, scale):
    return weighted(stats.t.logpdf(x, df, loc, scale))


def t_pdf(x, df, loc, scale):
    return weighted(stats.t.pdf(x, df, loc=loc, scale=scale))


def t_cdf(x, df, loc, scale):
    return weighted(stats.t.cdf(x, df, loc, scale))


def gamma_logpdf(x, a, loc, scale):
    return weighted(stats.gamma.logpdf(x, a, loc, scale))


def gamma_pdf(x, a, loc, scale):
    return weighted(stats.gamma.pdf(x, a, loc=loc, scale=scale))


def gamma_cdf(x, a, loc, scale):
    return weighted(stats.gamma.cdf(x, a, loc, scale))


def beta_logpdf(x, a, b, loc, scale):
    return weighted(stats.beta.logpdf(x, a, b, loc, scale))


def beta_pdf(x, a, b, loc, scale):
    return weighted(stats.beta.pdf(x, a, b, loc=loc, scale=scale))


def beta_cdf(x, a, b, loc, scale):
    return weighted(stats.beta.cdf(x, a, b, loc, scale))


def poisson_logpmf(k, mu):
    return weighted(stats.poisson.logpmf(k, mu))


def poisson_pmf(k, mu, loc):
    return weighted(stats.poisson.pmf(k, mu, loc))


def poisson_cdf(k, mu):
    return weighted(stats.poisson.cdf(k, mu))


def bernoulli_logpmf(k, p):
    return weighted(stats.bernoulli.logpmf(k, p))


def bernoulli_pmf(k, p):
    return weighted(stats.bernoulli.pmf(k, p))


def mvn_logpdf(x, mean, cov):
    return weighted(stats.multivariate_normal.logpdf(x, mean, cov))


def mvn_pdf(x, mean, cov):
    return weighted(stats.multivariate_normal.pdf(x, mean=mean, cov=cov))


def mvn_logpdf_defaults(x, cov):
    return weighted(stats.multivariate_normal.logpdf(x, cov=cov))


def dirichlet_logpdf(x, alpha):
    return weighted(stats.dirichlet.logpdf(x, alpha))


def dirichlet_pdf(x, alpha):
    return weighted(stats.dirichlet.pdf(x, alpha))


def dirichlet_logpdf_simplex(z, alpha):
    return weighted(stats.dirichlet.logpdf(special.softmax(z, axis=0), alpha))


def dirichlet_pdf_simplex(z, alpha):
    return weighted(stats.dirichlet.pdf(special.softmax(z, axis=0), alpha))


def location_scale(lo: float, hi: float) -> list[tuple]:
    """(x, loc, scale) with broadcasting: scale and loc of other shapes than x."""
    return [(rand((), lo, hi), rand(()), rand((), 0.5, 2)),
            (rand((3, 4), lo, hi), rand((4,)), rand((3, 1), 0.5, 2)),
            (rand((5,), lo, hi), rand(()), rand((5,), 0.5, 2))]


def with_shape(cases: list[tuple], lo: float, hi: float) -> list[tuple]:
    """(x, shape parameter, loc, scale) from (x, loc, scale) cases."""
    out = []
    for x, loc, scale in cases:
        shape = rand(np.shape(x)[-1:] if np.ndim(x) else (), lo, hi)
        out.append((x, shape, loc, scale))
    return out


GAMMA_CASES = [(rand((), 0.4, 3), rand((), 0.5, 3), rand((), -0.3, 0.0), rand((), 0.5, 2)),
               (rand((3, 4), 0.4, 3), rand((4,), 0.5, 3), rand((3, 1), -0.3, 0.0),
                rand((), 0.5, 2)),
               (rand((5,), 0.4, 3), rand((5,), 1.5, 3), -0.1, rand((5,), 0.5, 2))]
BETA_CASES = [(rand((), 0.2, 1.2), rand((), 0.5, 3), rand((), 0.5, 3), 0.1, 1.3),
              (rand((3, 4), 0.2, 1.2), rand((4,), 0.5, 3), rand((3, 1), 0.5, 3),
               rand((4,), 0.0, 0.1), rand((3, 1), 1.2, 1.5))]
COUNTS = RNG.integers(0, 7, size=(3, 4))
MVN_CASES = [(rand((5, 3)), rand((3,)), spd(3)), (rand((3,)), rand((3,)), spd(3)),
             (rand((2, 4, 3)), rand((3,)), rand((3,), 0.5, 2)), (rand((4, 2)), rand((2,)), 1.7),
             (rand((4,)), 0.3, 1.4), (rand((1, 3)), rand((3,)), spd(3))]
ALPHA = np.array([0.8, 1.7, 3.0])


def simplex_points(shape: tuple) -> np.ndarray:
    z = RNG.uniform(0.5, 1.5, size=shape)
    return z / np.sum(z, axis=0)


DISTRIBUTIONS = [
    row("scipy.stats.norm.logpdf", norm_logpdf,
        location_scale(-2, 2), wrt=(0, 1, 2)),
    row("scipy.stats.norm.pdf", norm_pdf, location_scale(-2, 2), wrt=(0, 1, 2)),
    Row("scipy.stats.norm.cdf", checks(norm_cdf, location_scale(-2, 2), wrt=(0, 1, 2))
        + checks(norm_defaults, [(rand((4,), -2, 2),)])),
    row("scipy.stats.norm.logcdf", norm_logcdf,
        location_scale(-2, 2) + [(np.array([-20.0, -6.0, 3.0]), 0.1, 1.2)], wrt=(0, 1, 2)),
    row("scipy.stats.t.logpdf", t_logpdf, with_shape(location_scale(-3, 3), 1, 10),
        wrt=(0, 1, 2, 3)),
    row("scipy.stats.t.pdf", t_pdf, with_shape(location_scale(-3, 3), 1, 10), wrt=(0, 1, 2, 3)),
    row("scipy.stats.t.cdf", t_cdf, with_shape(location_scale(-3, 3), 1, 10), wrt=(0, 2, 3)),
    row("scipy.stats.gamma.logpdf", gamma_logpdf, GAMMA_CASES, wrt=(0, 1, 2, 3)),
    row("scipy.stats.gamma.pdf", gamma_pdf, GAMMA_CASES, wrt=(0, 1, 2, 3)),
    row("scipy.stats.gamma.cdf", gamma_cdf, GAMMA_CASES, wrt=(0, 2, 3)),
    row("scipy.stats.beta.logpdf", beta_logpdf, BETA_CASES, wrt=(0, 1, 2, 3, 4)),
    row("scipy.stats.beta.pdf", beta_pdf, BETA_CASES, wrt=(0, 1, 2, 3, 4)),
    row("scipy.stats.beta.cdf", beta_cdf, BETA_CASES, wrt=(0, 3, 4)),
    row("scipy.stats.poisson.logpmf", poisson_logpmf,
        [(COUNTS, rand((4,), 0.5, 4)), (3, rand((), 0.5, 4)), (np.array([0, 2, 5]), 2.5)],
        wrt=1),
    row("scipy.stats.poisson.pmf", poisson_pmf,
        [(COUNTS, rand((4,), 0.5, 4), 0), (COUNTS + 1, rand((3, 1), 0.5, 4), 1)], wrt=1),
    row("scipy.stats.poisson.cdf", poisson_cdf,
        [(COUNTS, rand((4,), 0.5, 4)), (np.array([-1.0, 0.0, 2.5, 4.0]), 1.3)], wrt=1),
    row("scipy.stats.bernoulli.logpmf", bernoulli_logpmf,
        [(COUNTS % 2, rand((4,), 0.1, 0.9)), (1, 0.3), (np.array([0, 1, 1]), 0.6)], wrt=1),
    row("scipy.stats.bernoulli.pmf", bernoulli_pmf,
        [(COUNTS % 2, rand((3, 1), 0.1, 0.9)), (0, 0.3)], wrt=1),
    Row("scipy.stats.multivariate_normal.logpdf",
        checks(mvn_logpdf, MVN_CASES, wrt=(0, 1, 2))
        + checks(mvn_logpdf_defaults, [(rand((5, 3)), spd(3)), (rand((5,)), 0.7)], wrt=(0, 1))),
    row("scipy.stats.multivariate_normal.pdf", mvn_pdf, MVN_CASES[:4], wrt=(0, 1, 2)),
    Row("scipy.stats.dirichlet.logpdf",
        checks(dirichlet_logpdf, [(simplex_points((3,))[:2], ALPHA),
                                  (simplex_points((3, 4))[:2], ALPHA)], wrt=(0, 1))
        + checks(dirichlet_logpdf_simplex, [(rand((3,)), ALPHA), (rand((3, 4)), ALPHA)],
                 wrt=(0, 1))),
    Row("scipy.stats.dirichlet.pdf",
        checks(dirichlet_pdf, [(simplex_points((3, 4))[:2], ALPHA)], wrt=(0, 1))
        + checks(dirichlet_pdf_simplex, [(rand((3,)), ALPHA)], wrt=(0, 1))),
]


# ---------------------------------------------------------------- linear algebra


def solve_tri(a, b, trans, lower, unit):
    return weighted(linalg.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit))


def solve_tri_default(a, b):
    return weighted(linalg.solve_triangular(a, b))


def cho_factor_(a, lower):
    c, low = linalg.cho_factor(a, lower=lower)
    return weighted(c)


def cho_solve_(c, b, lower):
    return weighted(linalg.cho_solve((c, lower), b))


def cho_both(a, b):
    factor = linalg.cho_factor(a)
    return weighted(linalg.cho_solve(factor, b))


def expm_(a):
    return weighted(linalg.expm(a))


def sqrtm_(a):
    return weighted(linalg.sqrtm(a))


def sqrtm_complex(a):
    """A real matrix with a negative eigenvalue: its principal root is complex."""
    root = linalg.sqrtm(a)
    return weighted(np.real(root * (1.0 - 2.0j)))  # (the real part plus twice the imaginary)


def triangular(n: int, batch: tuple = ()) -> np.ndarray:
    """A well-conditioned matrix (both triangles random)."""
    return RNG.normal(size=batch + (n, n)) * 0.3 + 2.0 * np.eye(n)


TRI_CASES = [(triangular(3), rand((3,)), trans, lower, unit)
             for trans in (0, 1, 2, "N", "T") for lower in (False, True) for unit in (False, True)
             if not (unit and trans in (2, "N"))]
TRI_CASES += [(triangular(4), rand((4, 2)), "T", True, False),
              (triangular(3, (2,)), rand((2, 3, 2)), 0, True, False),
              (triangular(3), rand((2, 3, 4)), 1, False, True)]
A_SPD, B_RHS = spd(4), rand((4, 2))
C_LOWER, C_UPPER = linalg.cho_factor(spd(3), lower=True)[0], linalg.cho_factor(spd(3))[0]

LINALG = [
    Row("scipy.linalg.solve_triangular",
        checks(solve_tri, TRI_CASES, wrt=(0, 1))
        + checks(solve_tri_default, [(triangular(3), rand((3, 2)))], wrt=(0, 1))),
    row("scipy.linalg.cho_factor", cho_factor_, [(spd(3), False), (spd(4), True)]),
    Row("scipy.linalg.cho_solve",
        checks(cho_solve_, [(C_LOWER, rand((3,)), True), (C_UPPER, rand((3, 2)), False)],
               wrt=(0, 1))
        + checks(cho_both, [(A_SPD, B_RHS), (spd(3), rand((3,)))], wrt=(0, 1))),
    Row("scipy.linalg.sqrtm",
        checks(sqrtm_, [(spd(3),), (triangular(3),), (spd(3, (2,)),), (np.array([[4.0]]),)])
        + checks(sqrtm_complex, [(np.array([[-2.0, 0.3], [0.1, 1.5]]),)])),
    row("scipy.linalg.expm", expm_, [(rand((3, 3)),), (rand((1, 1)),), (rand((2, 3, 3)),),
                                     (rand((4, 4), -2, 2),)]),
]


# ---------------------------------------------------------------- signal and integrate


def convolve_(a, b, mode, method):
    return weighted(signal.convolve(a, b, mode=mode, method=method))


CONVOLVE_CASES = [(rand((7,)), rand((3,)), mode, method) for mode in ("full", "same", "valid")
                  for method in ("auto", "direct", "fft")]
CONVOLVE_CASES += [(rand((3,)), rand((6,)), mode, "auto") for mode in ("full", "same", "valid")]
CONVOLVE_CASES += [(rand((4, 5)), rand((2, 3)), mode, "direct") for mode in ("full", "same",
                                                                              "valid")]
CONVOLVE_CASES += [(rand((3, 5)), rand((4, 2)), "same", "fft"), (rand(()), rand(()), "full",
                                                                   "auto")]



def convolve2d_(a, b, mode):
    return weighted(signal.convolve2d(a, b, mode=mode))


def correlate2d_(a, b, mode):
    return weighted(signal.correlate2d(a, b, mode))


# (the "valid" mode's larger array may be either: correlate2d then flips)
CONVOLVE2D_CASES = [(rand(s1), rand(s2), mode) for s1, s2 in (((4, 5), (2, 3)), ((3, 3), (3, 3)),
                                                             ((2, 3), (4, 5)), ((3, 5), (4, 2)))
                    for mode in ("full", "same", "valid") if s1 != (3, 5) or mode != "valid"]

TOL = 1e-12  # the ODE solves' rtol and atol: finite differences need the solution exact


def oscillator(y, t, k, c):
    return np.array([y[1], -k * y[0] - c * y[1] + 0.3 * np.sin(t)])


def oscillator_t_first(t, y, k, c):
    return [y[1], -k * y[0] - c * y[1] * np.cos(t)]


def decay(y, t, rates):
    return -rates * y + 0.1 * t


def odeint_(y0, k, c, t):
    ys = integrate.odeint(oscillator, y0, t, args=(k, c), rtol=TOL, atol=TOL)
    return weighted(ys)


def odeint_t_first(y0, k, c):
    ys = integrate.odeint(oscillator_t_first, y0, np.linspace(0.0, 1.5, 4), args=(k, c),
                          rtol=TOL, atol=TOL, tfirst=True)
    return weighted(ys)


def odeint_array_parameter(y0, rates):
    ys = integrate.odeint(decay, y0, [0.0, 0.5, 1.0], (rates,), rtol=TOL, atol=TOL)
    return weighted(ys)


def oscillator_ivp(t, y, k, c):
    return np.array([y[1], -k * y[0] - c * y[1]])


def solve_ivp_(y0, k, c, t_eval):
    sol = integrate.solve_ivp(oscillator_ivp, (0.0, 2.0), y0, t_eval=t_eval, args=(k, c),
                              rtol=TOL, atol=TOL)
    return weighted(sol.y)


def solve_ivp_span(t0, y0, rates):
    sol = scipy.integrate.solve_ivp(decay_ivp, (t0, 1.5), y0, method="DOP853",
                                    t_eval=np.array([0.7, 1.1, 1.5]), args=(rates,), rtol=TOL,
                                    atol=TOL)
    return weighted(sol.y) + weighted(sol.t)


def decay_ivp(t, y, rates):
    return -rates * y + np.cos(t)


SIGNAL_INTEGRATE = [
    row("scipy.signal.convolve", convolve_, CONVOLVE_CASES, wrt=(0, 1)),
    row("scipy.signal.convolve2d", convolve2d_, CONVOLVE2D_CASES, wrt=(0, 1)),
    row("scipy.signal.correlate2d", correlate2d_, CONVOLVE2D_CASES, wrt=(0, 1)),
    Row("scipy.integrate.odeint",
        checks(odeint_, [(np.array([1.0, 0.2]), 1.3, 0.4, np.linspace(0.0, 2.0, 5)),
                         (np.array([0.5, -0.3]), 2.0, 0.1, np.array([0.0, 0.3, 1.1]))],
               wrt=(0, 1, 2, 3))
        + checks(odeint_t_first, [(np.array([1.0, 0.2]), 1.3, 0.4)], wrt=(0, 1, 2))
        + checks(odeint_array_parameter, [(np.array([1.0, 2.0, 0.5]), rand((3,), 0.5, 2))],
                 wrt=(0, 1)),
        forward=False, second=False),
    Row("scipy.integrate.solve_ivp",
        checks(solve_ivp_, [(np.array([1.0, 0.2]), 1.3, 0.4, np.linspace(0.0, 1.8, 5))],
               wrt=(0, 1, 2))  # (t_eval from t0 on: moving it would leave t_span)
        + checks(solve_ivp_, [(np.array([0.5, -0.3]), 2.0, 0.1, np.array([0.4, 1.1, 1.9]))],
                 wrt=(0, 1, 2, 3))
        + checks(solve_ivp_span, [(0.2, np.array([1.0, -0.5]), np.array([0.7, 1.9]))],
                 wrt=(0, 1, 2)),
        dot_rtol=1e-7, second=False),
]

ROWS = SPECIAL + DISTRIBUTIONS + LINALG + SIGNAL_INTEGRATE


# ---------------------------------------------------------------- the table's tests


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return "x".join(map(str, value.shape)) or "0d"
    if isinstance(value, float):
        return "f"
    return repr(value).replace(" ", "")


def _params(forward_only: bool = False) -> list:
    params = []
    for r in ROWS:
        if forward_only and not r.forward:
            continue
        for c in r.checks:
            label = f"{r.rule}:{c.fn.__name__}:{','.join(map(_describe, c.args))}"
            params.append(pytest.param(r, c, id=label))
    return params


@pytest.mark.parametrize(("r", "case"), _params())
def test_gradient_matches_finite_differences(r: Row, case: Check) -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        s2sad.check_grad(case.fn, *case.args, wrt=case.wrt[0] if len(case.wrt) == 1 else case.wrt)


@pytest.mark.parametrize(("r", "case"), _params(forward_only=True))
def test_tangent_matches_finite_differences(r: Row, case: Check) -> None:
    """jvp along a random direction equals the central difference along it,
    and the gradient's inner product with it (the dot-product test)."""
    rng = np.random.default_rng(7)
    tangents = [direction(a, rng) if i in case.wrt else None for i, a in enumerate(case.args)]
    with np.errstate(divide="ignore", invalid="ignore"):
        value, tangent = s2sad.jvp(case.fn, case.args, tangents)
        eps = 1e-6
        plus = [moved(a, t, eps) if t is not None else a for a, t in zip(case.args, tangents)]
        minus = [moved(a, t, -eps) if t is not None else a for a, t in zip(case.args, tangents)]
        numeric = (case.fn(*plus) - case.fn(*minus)) / (2 * eps)
        grads = s2sad.grad(case.fn, wrt=case.wrt)(*case.args)
    np.testing.assert_allclose(value, case.fn(*case.args), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tangent, numeric, rtol=1e-4, atol=1e-6)
    paired = sum(inner(g, tangents[i]) for g, i in zip(grads, case.wrt))
    np.testing.assert_allclose(tangent, paired, rtol=r.dot_rtol, atol=r.dot_rtol)


def test_every_scipy_rule_has_a_row() -> None:
    covered = {r.rule for r in ROWS}
    scipy_rules = {name for name, p in TABLE.items() if name.startswith("scipy.")
                   and p.differentiable and p.vjp}
    assert not scipy_rules - covered, f"add rows for: {sorted(scipy_rules - covered)}"
    assert covered <= set(TABLE), f"rows name rules that do not exist: {covered - set(TABLE)}"
    assert len(covered) == len(ROWS), "one row per rule"


def test_scipy_groups_are_the_documented_ones() -> None:
    groups = {p.group for name, p in TABLE.items() if name.startswith("scipy.")}
    assert groups == {"SciPy special functions", "SciPy distributions", "SciPy linear algebra",
                      "SciPy signal and integrate"}


@pytest.mark.parametrize(("r", "case"), [pytest.param(r, r.checks[0], id=r.rule) for r in ROWS
                                         if r.second])
def test_second_derivative_matches_finite_differences_of_the_gradient(r: Row,
                                                                      case: Check) -> None:
    """Forward mode over each rule's adjoint code (a Hessian-vector product)
    equals the central difference of the gradient: the helpers adjoint code
    calls have tangent rules too."""
    rng = np.random.default_rng(11)
    wrt = case.wrt if len(case.wrt) > 1 else case.wrt[0]
    v = [direction(case.args[i], rng) for i in case.wrt]
    with np.errstate(divide="ignore", invalid="ignore"):
        ours = s2sad.hvp(case.fn, wrt=wrt)(*case.args, tuple(v) if len(case.wrt) > 1 else v[0])
        gradient = s2sad.grad(case.fn, wrt=case.wrt)
        eps = 1e-5

        def at(sign: float) -> tuple:
            args = list(case.args)
            for i, vi in zip(case.wrt, v):
                args[i] = moved(args[i], vi, sign * eps)
            return gradient(*args)

        plus, minus = at(1.0), at(-1.0)
    ours = ours if len(case.wrt) > 1 else (ours,)
    for mine, p, m in zip(ours, plus, minus):
        numeric = (np.asarray(p) - np.asarray(m)) / (2 * eps)
        np.testing.assert_allclose(mine, numeric, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- signatures and facts


def documented_parameters(name: str) -> list[tuple[str, str, Any]]:
    """(name, kind, default) of the parameters SciPy documents for a
    distribution's method: x (k for discrete ones), the shape parameters,
    loc (and scale); its own signature says `(x, *args, **kwds)`."""
    method = primitives.resolve_name(name)
    dist = method.__self__
    first = "k" if isinstance(dist, stats.rv_discrete) else "x"
    shapes = [s.strip() for s in (dist.shapes or "").split(",") if s.strip()]
    out = [(first, "normal", None), *[(s, "normal", None) for s in shapes], ("loc", "normal", 0)]
    if isinstance(dist, stats.rv_continuous):
        out.append(("scale", "normal", 1))
    return out


def test_distribution_methods_have_the_documented_signatures() -> None:
    reported_star_args = 0
    for name, prim in TABLE.items():
        if not name.startswith("scipy.stats."):
            continue
        method = primitives.resolve_name(name)
        kinds = [p.kind for p in inspect.signature(method).parameters.values()]
        if inspect.Parameter.VAR_POSITIONAL not in kinds:
            continue  # (multivariate: their own signature, tests/test_primitives.py checks it)
        reported_star_args += 1
        ours = [(p, prim.kinds[p], prim.defaults.get(p)) for p in prim.params]
        assert ours == documented_parameters(name), name
    assert reported_star_args >= 15


# One call per entry, on arrays; "v" broadcasts against "a".
A = RNG.uniform(0.2, 0.8, size=(3, 4))
V = RNG.uniform(0.2, 0.8, size=4)
SAMPLES: dict[str, str] = {
    "scipy.special.polygamma": "1, a", "scipy.special.beta": "a, v", "scipy.special.betaln": "a, v",
    "scipy.special.iv": "v, a", "scipy.special.ive": "v, a", "scipy.special.xlogy": "a, v",
    "scipy.special.xlog1py": "a, v", "scipy.special.logsumexp": "a, 1",
    "scipy.special.softmax": "a, 1", "scipy.special.log_softmax": "a, 1",
    "scipy.stats.norm.logpdf": "a, v, 2.0", "scipy.stats.norm.pdf": "a, v, 2.0",
    "scipy.stats.norm.cdf": "a, v, 2.0", "scipy.stats.norm.logcdf": "a, v, 2.0",
    "scipy.stats.t.logpdf": "a, v", "scipy.stats.t.pdf": "a, v", "scipy.stats.t.cdf": "a, v",
    "scipy.stats.gamma.logpdf": "a, v", "scipy.stats.gamma.pdf": "a, v",
    "scipy.stats.gamma.cdf": "a, v", "scipy.stats.beta.logpdf": "a, v, 2.0",
    "scipy.stats.beta.pdf": "a, v, 2.0", "scipy.stats.beta.cdf": "a, v, 2.0",
    "scipy.stats.poisson.logpmf": "np.floor(a * 5), v", "scipy.stats.poisson.pmf": "a, v",
    "scipy.stats.poisson.cdf": "a, v", "scipy.stats.bernoulli.logpmf": "a > 0.5, v",
    "scipy.stats.bernoulli.pmf": "a > 0.5, v",
}


@pytest.mark.parametrize("name", sorted(n for n, p in TABLE.items() if n.startswith("scipy.")
                                        and (p.elementwise or p.fresh) and n in SAMPLES
                                        or n.startswith("scipy.special.")))
def test_declared_facts_hold(name: str) -> None:
    prim = TABLE[name]
    args = eval(f"({SAMPLES.get(name, 'a')},)", {"np": np}, {"a": A.copy(), "v": V.copy()})
    result = primitives.resolve_name(name)(*args)
    arrays = [x for x in args if isinstance(x, np.ndarray)]
    if prim.elementwise:
        assert np.shape(result) == np.broadcast_shapes(*[x.shape for x in arrays]), name
    if prim.fresh:
        assert isinstance(result, np.ndarray) and \
            not any(np.shares_memory(result, x) for x in arrays), name


def test_container_results_have_their_declared_items() -> None:
    c = linalg.cho_factor(spd(3))
    assert isinstance(c, tuple) and len(c) == TABLE["scipy.linalg.cho_factor"].results
    sol = integrate.solve_ivp(decay_ivp, (0.0, 1.0), np.ones(2), t_eval=[0.5, 1.0],
                              args=(np.ones(2),))
    assert isinstance(sol, dict)
    assert all(name in sol for name in TABLE["scipy.integrate.solve_ivp"].attributes)


# ---------------------------------------------------------------- special points

inf, nan = np.inf, np.nan
EULER = 0.5772156649015329
PHI0 = 1 / math.sqrt(2 * math.pi)
X3 = np.array([0.0, 3.0, -1.0, 1.5])  # counts: 0, 3, below the support, between integers

# (entry, body using x (and y), x, y or None, expected d/dx, expected d/dy or None)
SPECIAL_POINTS = [
    ("scipy.special.expit", "scipy.special.expit(x)", np.array([800.0, -800.0, 0.0]), None,
     [0.0, 0.0, 0.25], None),
    ("scipy.special.log_expit", "scipy.special.log_expit(x)",
     np.array([800.0, -800.0, 0.0]), None, [0.0, 1.0, 0.5], None),
    ("scipy.special.logit", "scipy.special.logit(x)", np.array([0.0, 1.0, 0.5]), None,
     [inf, inf, 4.0], None),
    ("scipy.special.gammaln", "scipy.special.gammaln(x)", np.array([0.0, -0.0, -1.0, 1.0]),
     None, [-inf, inf, nan, -EULER], None),
    ("scipy.special.digamma", "scipy.special.digamma(x)", np.array([1.0, 0.0]), None,
     [math.pi ** 2 / 6, inf], None),
    ("scipy.special.polygamma", "scipy.special.polygamma(1, x)", np.array([1.0]), None,
     [-2.404113806319188], None),
    ("scipy.special.gamma", "scipy.special.gamma(x)", np.array([1.0, 2.0, 0.0, -1.0]), None,
     [-EULER, 1 - EULER, -inf, nan], None),
    ("scipy.special.beta", "scipy.special.beta(x, y)", np.array([1.0]), np.array([1.0]),
     [-1.0], [-1.0]),
    ("scipy.special.betaln", "scipy.special.betaln(x, y)", np.array([1.0]), np.array([1.0]),
     [-1.0], [-1.0]),
    ("scipy.special.erf", "scipy.special.erf(x)", np.array([0.0, 30.0]), None,
     [2 / math.sqrt(math.pi), 0.0], None),
    ("scipy.special.erfc", "scipy.special.erfc(x)", np.array([0.0, -30.0]), None,
     [-2 / math.sqrt(math.pi), 0.0], None),
    ("scipy.special.erfinv", "scipy.special.erfinv(x)", np.array([1.0, -1.0, 0.0]), None,
     [inf, inf, math.sqrt(math.pi) / 2], None),
    ("scipy.special.ndtr", "scipy.special.ndtr(x)", np.array([0.0, 40.0, -40.0]), None,
     [PHI0, 0.0, 0.0], None),
    ("scipy.special.log_ndtr", "scipy.special.log_ndtr(x)", np.array([-40.0, 40.0, 0.0]), None,
     [40.02496884784338, 0.0, 2 * PHI0], None),
    # (far in the left tail: -x + 1/|x| to double precision, never exp of a difference)
    ("scipy.special.log_ndtr", "scipy.special.log_ndtr(x)", np.array([-1e5, -1e8, -1e10]),
     None, [1e5 + 1e-5, 1e8, 1e10], None),
    ("scipy.stats.norm.logcdf", "scipy.stats.norm.logcdf(x)", np.array([-1e5, -1e9]), None,
     [1e5 + 1e-5, 1e9], None),
    ("scipy.special.erfcx", "scipy.special.erfcx(x)", np.array([0.0, 1e4]), None,
     [-2 / math.sqrt(math.pi), -1 / (math.sqrt(math.pi) * 1e8)], None),
    ("scipy.special.ndtri", "scipy.special.ndtri(x)", np.array([0.5, 0.0, 1.0]), None,
     [math.sqrt(2 * math.pi), inf, inf], None),
    ("scipy.special.i0", "scipy.special.i0(x)", np.array([0.0]), None, [0.0], None),
    ("scipy.special.i1", "scipy.special.i1(x)", np.array([0.0]), None, [0.5], None),
    ("scipy.special.iv", "scipy.special.iv(np.array([0.0, 1.0, 2.0]), x)", np.zeros(3), None,
     [0.0, 0.5, 0.0], None),
    # (exp(-|x|) has a kink at 0: the mean of the one-sided derivatives, as JAX)
    ("scipy.special.i0e", "scipy.special.i0e(x)", np.array([0.0, -0.0]), None, [0.0, 0.0],
     None),
    ("scipy.special.i1e", "scipy.special.i1e(x)", np.array([0.0]), None, [0.5], None),
    ("scipy.special.ive", "scipy.special.ive(np.array([0.0, 1.0]), x)", np.zeros(2), None,
     [0.0, 0.5], None),
    # xlogy(0, y) = 0: d/dx is log(y) (-inf at 0, as JAX), d/dy is 0 where x = 0
    ("scipy.special.xlogy", "scipy.special.xlogy(x, y)", np.array([0.0, 0.0, 1.0]),
     np.array([0.0, 2.0, 0.0]), [-inf, math.log(2), -inf], [0.0, 0.0, inf]),
    ("scipy.special.xlog1py", "scipy.special.xlog1py(x, y)", np.array([0.0, 0.0]),
     np.array([-1.0, 1.0]), [-inf, math.log(2)], [0.0, 0.0]),
    ("scipy.special.entr", "scipy.special.entr(x)", np.array([0.0, 1.0, -1.0]), None,
     [inf, -1.0, nan], None),
    ("scipy.stats.norm.logpdf", "scipy.stats.norm.logpdf(x)", np.array([0.0, 40.0]), None,
     [0.0, -40.0], None),
    ("scipy.stats.norm.pdf", "scipy.stats.norm.pdf(x)", np.array([0.0, 40.0]), None,
     [0.0, 0.0], None),
    ("scipy.stats.norm.cdf", "scipy.stats.norm.cdf(x)", np.array([0.0, -40.0]), None,
     [PHI0, 0.0], None),
    ("scipy.stats.norm.logcdf", "scipy.stats.norm.logcdf(x)", np.array([-40.0, 40.0]), None,
     [40.02496884784338, 0.0], None),
    ("scipy.stats.t.logpdf", "scipy.stats.t.logpdf(x, 3.0)", np.array([0.0]), None, [0.0],
     None),
    ("scipy.stats.t.pdf", "scipy.stats.t.pdf(x, 3.0)", np.array([0.0]), None, [0.0], None),
    ("scipy.stats.t.cdf", "scipy.stats.t.cdf(x, 1.0)", np.array([0.0]), None, [1 / math.pi],
     None),
    # outside the support and at its boundary: 0
    ("scipy.stats.gamma.logpdf", "scipy.stats.gamma.logpdf(x, 2.0)",
     np.array([-1.0, 0.0, 2.0]), None, [0.0, 0.0, -0.5], None),
    ("scipy.stats.gamma.pdf", "scipy.stats.gamma.pdf(x, 2.0)", np.array([-1.0, 0.0, 2.0]),
     None, [0.0, 0.0, -math.exp(-2.0)], None),
    ("scipy.stats.gamma.cdf", "scipy.stats.gamma.cdf(x, 2.0)", np.array([-1.0, 2.0]), None,
     [0.0, 2 * math.exp(-2.0)], None),
    ("scipy.stats.beta.logpdf", "scipy.stats.beta.logpdf(x, 2.0, 3.0)",
     np.array([-0.5, 0.0, 1.0, 1.5, 0.5]), None, [0.0, 0.0, 0.0, 0.0, -2.0], None),
    ("scipy.stats.beta.pdf", "scipy.stats.beta.pdf(x, 2.0, 3.0)",
     np.array([-0.5, 0.0, 1.0, 0.5]), None, [0.0, 0.0, 0.0, -3.0], None),
    ("scipy.stats.beta.cdf", "scipy.stats.beta.cdf(x, 2.0, 3.0)", np.array([-0.5, 0.5]), None,
     [0.0, 1.5], None),
    # counts off the support (below 0, not integers): 0; at mu = 0, k = 0: -1
    ("scipy.stats.poisson.logpmf", f"scipy.stats.poisson.logpmf(np.{X3!r}, x)",
     np.array([0.0, 2.0, 2.0, 2.0]), None, [-1.0, 0.5, 0.0, 0.0], None),
    ("scipy.stats.poisson.pmf", f"scipy.stats.poisson.pmf(np.{X3!r}, x)",
     np.array([0.0, 2.0, 2.0, 2.0]), None, [-1.0, 0.5 * 4 / 3 * math.exp(-2.0), 0.0, 0.0],
     None),
    ("scipy.stats.poisson.cdf", "scipy.stats.poisson.cdf(np.array([-1.0, 0.0, 2.5]), x)",
     np.ones(3), None, [0.0, -math.exp(-1.0), -math.exp(-1.0) / 2], None),
    ("scipy.stats.bernoulli.logpmf", "scipy.stats.bernoulli.logpmf(np.array([0, 1, 2]), x)",
     np.full(3, 0.25), None, [-4 / 3, 4.0, 0.0], None),
    ("scipy.stats.bernoulli.pmf", "scipy.stats.bernoulli.pmf(np.array([0, 1, 2]), x)",
     np.full(3, 0.25), None, [-1.0, 1.0, 0.0], None),
]


@pytest.fixture(scope="module")
def points_module(tmp_path_factory: pytest.TempPathFactory) -> Any:
    lines = ["import numpy as np", "import scipy.special", "import scipy.stats", ""]
    for k, (_, body, _x, y, _dx, _dy) in enumerate(SPECIAL_POINTS):
        params = "x, y" if y is not None else "x"
        lines += [f"def row_{k}({params}):", f"    return np.sum({body})", ""]
        lines += [f"def each_{k}({params}):", f"    return {body}", ""]
    path = Path(tmp_path_factory.mktemp("scipy_points")) / "scipy_special_points.py"
    path.write_text("\n".join(lines))
    spec = importlib.util.spec_from_file_location("scipy_special_points", path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


@pytest.mark.parametrize("k", range(len(SPECIAL_POINTS)),
                         ids=[f"{r[0]}:{r[1]}" for r in SPECIAL_POINTS])
def test_special_point(points_module: Any, k: int) -> None:
    name, body, x, y, dx, dy = SPECIAL_POINTS[k]
    fn = getattr(points_module, f"row_{k}")
    with np.errstate(all="ignore"):
        if y is None:
            ours = s2sad.grad(fn)(x)
            assert _same(ours, dx), f"{body} at {x}: d/dx {ours}, expected {dx}"
        else:
            gx, gy = s2sad.grad(fn, wrt=(0, 1))(x, y)
            assert _same(gx, dx), f"{body} at {x}, {y}: d/dx {gx}, expected {dx}"
            assert _same(gy, dy), f"{body} at {x}, {y}: d/dy {gy}, expected {dy}"


@pytest.mark.parametrize("k", range(len(SPECIAL_POINTS)),
                         ids=[f"{r[0]}:{r[1]}" for r in SPECIAL_POINTS])
def test_special_point_forward(points_module: Any, k: int) -> None:
    """Forward mode at the same points: the same convention."""
    name, body, x, y, dx, dy = SPECIAL_POINTS[k]
    each = getattr(points_module, f"each_{k}")
    primals = (x,) if y is None else (x, y)
    for which, expected in ((0, dx), (1, dy)):
        if which >= len(primals):
            break
        tangents = [None] * len(primals)
        tangents[which] = np.ones_like(primals[which])
        with np.errstate(all="ignore"):
            _, ours = s2sad.jvp(each, primals, tangents)
        assert _same(ours, expected), f"{body}: forward d/d{'xy'[which]} {ours}, " \
            f"expected {expected}"


def test_every_elementwise_scipy_rule_has_special_points() -> None:
    covered = {r[0] for r in SPECIAL_POINTS}
    elementwise = {name for name, p in TABLE.items() if name.startswith("scipy.")
                   and p.elementwise and p.vjp}
    assert not elementwise - covered, f"give these special points: {elementwise - covered}"


# ---------------------------------------------------------------- spellings


def gammaln_by_path(x):
    return np.sum(scipy.special.gammaln(x))


def gammaln_imported(x):
    return np.sum(gammaln(x))


def gammaln_by_alias(x):
    return np.sum(sp.gammaln(x))


def logpdf_by_path(x, loc):
    return np.sum(scipy.stats.norm.logpdf(x, loc))


def logpdf_by_module(x, loc):
    return np.sum(stats.norm.logpdf(x, loc))


def logpdf_imported(x, loc):
    return np.sum(norm.logpdf(x, loc))


def logpdf_in_loop(x, loc):
    total = 0.0
    for k in range(3):
        total = total + np.sum(norm.logpdf(x * k, loc, scale=2.0))
    return total


@pytest.mark.parametrize("fn", [gammaln_by_path, gammaln_imported, gammaln_by_alias])
def test_special_function_spellings(fn: Any) -> None:
    x = np.array([0.5, 1.5, 3.0])
    np.testing.assert_allclose(s2sad.grad(fn)(x), special.digamma(x), rtol=1e-12)


@pytest.mark.parametrize("fn", [logpdf_by_path, logpdf_by_module, logpdf_imported])
def test_distribution_spellings(fn: Any) -> None:
    """`scipy.stats.norm.logpdf`, `stats.norm.logpdf` and `norm.logpdf` find
    the same rule, and the compiled gradient is reused: the method, a new
    bound method at each attribute access, is not a guard checked by identity."""
    x = np.array([0.5, -1.5, 3.0])
    gx, gloc = s2sad.grad(fn, wrt=(0, 1))(x, 0.25)
    np.testing.assert_allclose(gx, 0.25 - x, rtol=1e-12)
    np.testing.assert_allclose(gloc, np.sum(x - 0.25), rtol=1e-12)
    before = pipeline.transform_count()
    s2sad.grad(fn, wrt=(0, 1))(x + 1.0, 0.5)
    assert pipeline.transform_count() == before
    assert "logpdf" in s2sad.show(fn)


def test_distribution_method_in_a_loop() -> None:
    s2sad.check_grad(logpdf_in_loop, rand((4,)), 0.3, wrt=(0, 1))


def test_bound_methods_are_matched_by_object_and_function() -> None:
    assert primitives.for_object(stats.norm.logpdf) is TABLE["scipy.stats.norm.logpdf"]
    assert primitives.for_object(norm.cdf) is TABLE["scipy.stats.norm.cdf"]
    assert primitives.for_object(stats.t.logpdf) is TABLE["scipy.stats.t.logpdf"]
    # t's logpdf is the same function as norm's (rv_continuous.logpdf), on another object
    assert stats.t.logpdf.__func__ is stats.norm.logpdf.__func__
    assert primitives.for_object(stats.norm(0.0, 1.0).logpdf) is None  # (a frozen one)
    assert primitives.for_object(stats.laplace.logpdf) is None  # (no rule)

    class Model:
        def logpdf(self, x: Any) -> Any:
            return x

    assert primitives.for_object(Model().logpdf) is None
    assert primitives.for_object(special.psi) is TABLE["scipy.special.digamma"]


FROZEN = stats.norm(0.0, 2.0)


def frozen_logpdf(x):
    return np.sum(FROZEN.logpdf(x))


def laplace_logpdf(x):
    return np.sum(stats.laplace.logpdf(x))


@pytest.mark.parametrize("fn", [frozen_logpdf, laplace_logpdf])
def test_distributions_without_rules_are_refused(fn: Any) -> None:
    with pytest.raises(s2sad.NoAdjointError):
        s2sad.grad(fn)(np.array([0.5, 1.0]))


# ---------------------------------------------------------------- refused parameters

# One call per entry, in source: `x` is a float array, differentiated.
CALLS = {
    "scipy.special.iv": "scipy.special.iv(1.0, x, {})",
    "scipy.special.ive": "scipy.special.ive(1.0, x, {})",
    "scipy.special.logsumexp": "scipy.special.logsumexp(x, {})",
    "scipy.stats.multivariate_normal.logpdf": "scipy.stats.multivariate_normal.logpdf(x, "
                                              "np.zeros(3), np.eye(3), {})",
    "scipy.stats.multivariate_normal.pdf": "scipy.stats.multivariate_normal.pdf(x, np.zeros(3), "
                                           "np.eye(3), {})",
    "scipy.linalg.solve_triangular": "scipy.linalg.solve_triangular(np.eye(3) + 0.1 * x[:, None],"
                                     " x, {})",
    "scipy.linalg.cho_factor": "scipy.linalg.cho_factor(np.eye(3) + 0.1 * x * x[:, None], {})[0]",
    "scipy.linalg.cho_solve": "scipy.linalg.cho_solve((np.eye(3), True), x, {})",
    "scipy.linalg.sqrtm": "scipy.linalg.sqrtm(np.eye(3) + 0.1 * x * x[:, None], {})",
    "scipy.integrate.odeint": "scipy.integrate.odeint(decay, x, [0.0, 1.0], (np.ones(3),), {})",
    "scipy.integrate.solve_ivp": "scipy.integrate.solve_ivp(decay_ivp, (0.0, 1.0), x, t_eval="
                                 "[1.0], args=(np.ones(3),), {}).y",
}
VALUES = {"out": "np.empty(3)", "where": "x > 0.5", "dtype": "np.float32",
          "signature": "'d->d'", "return_sign": "True", "allow_singular": "True",
          "overwrite_b": "True", "overwrite_a": "True", "full_output": "1",
          "tcrit": "[0.5]", "events": "decay_event", "vectorized": "True", "disp": "False"}


def decay_event(t, y, rates):
    return y[0] - 0.5


def _refused_cases() -> list:
    cases = []
    for name, prim in TABLE.items():
        if not name.startswith("scipy.") or not prim.differentiable:
            continue
        for param in prim.params:
            if param in prim.honoured or prim.kinds[param] == "varkw":
                continue
            inputs = sum(1 for p in prim.params if prim.kinds[p] == "posonly")  # (a ufunc's)
            call = CALLS.get(name, f"{name}({'x, ' * max(inputs, 1)}{{}})")
            cases.append(pytest.param(name, call.format(f"{param}={VALUES[param]}"),
                                      id=f"{name}:{param}"))
    return cases


@pytest.fixture(scope="module")
def refusals_module(tmp_path_factory: pytest.TempPathFactory) -> Any:
    lines = ["import numpy as np", "import scipy.integrate", "import scipy.linalg",
             "import scipy.special", "import scipy.stats", "",
             "def decay(y, t, rates):", "    return -rates * y", "",
             "def decay_ivp(t, y, rates):", "    return -rates * y", "",
             "def decay_event(t, y, rates):", "    return y[0] - 0.5", ""]
    for k, case in enumerate(_refused_cases()):
        lines += [f"def refused_{k}(x):", f"    return np.sum({case.values[1]})", ""]
    path = Path(tmp_path_factory.mktemp("scipy_refusals")) / "scipy_refusals.py"
    path.write_text("\n".join(lines))
    spec = importlib.util.spec_from_file_location("scipy_refusals", path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


@pytest.mark.parametrize(("k", "name", "source"),
                         [(k, *case.values) for k, case in enumerate(_refused_cases())],
                         ids=[case.id for case in _refused_cases()])
def test_parameters_the_rules_do_not_honour_are_refused(refusals_module: Any, k: int,
                                                        name: str, source: str) -> None:
    fn = getattr(refusals_module, f"refused_{k}")
    x = np.array([0.2, 0.5, 0.7])
    with pytest.raises(s2sad.UnsupportedSyntaxError):
        s2sad.grad(fn)(x)


def test_every_refused_parameter_is_tried() -> None:
    assert len(_refused_cases()) >= 90


def test_neutral_parameters_are_accepted() -> None:
    """`method=` of convolve, `check_finite=`, solve_ivp's `dense_output=`: the
    derivative does not depend on them."""
    s2sad.check_grad(convolve_neutral, rand((6,)), rand((3,)), wrt=(0, 1))
    s2sad.check_grad(ivp_dense, np.array([1.0, 0.5]))


def convolve_neutral(a, b):
    return weighted(signal.convolve(a, b, "same", method="fft")) + \
        weighted(linalg.solve_triangular(np.eye(3) * 2.0 + np.outer(b, b), b,
                                         check_finite=False))


def ivp_dense(y0):
    sol = integrate.solve_ivp(decay_ivp, (0.0, 1.0), y0, t_eval=[0.5, 1.0], args=(2.0,),
                              dense_output=True, rtol=TOL, atol=TOL)
    return weighted(sol.y)


def t_cdf_df(x, df):
    return np.sum(stats.t.cdf(x, df))


def poisson_count(k, mu):
    return np.sum(stats.poisson.logpmf(k, mu))


def polygamma_order(n, x):
    return np.sum(special.polygamma(n, x))


def iv_order(v, x):
    return np.sum(special.iv(v, x))


def complex_conjugate_solve(a, b):
    return np.real(np.sum(linalg.solve_triangular(a, b, trans="C")))


@pytest.mark.parametrize(("fn", "args", "wrt"), [
    (t_cdf_df, (np.array([0.3, -1.0]), 3.0), 1),
    (poisson_count, (np.array([1.0, 2.0]), 1.5), 0),
    (polygamma_order, (1.0, np.array([0.5, 2.0])), 0),
    (iv_order, (1.5, np.array([0.5, 2.0])), 0),
], ids=["t.cdf:df", "poisson.logpmf:k", "polygamma:n", "iv:v"])
def test_arguments_without_a_derivative_are_refused(fn: Any, args: tuple, wrt: int) -> None:
    """A CDF's shape parameters, counts, integer orders: a derivative reaching
    them is an error, never a silent zero."""
    with pytest.raises(s2sad.NoAdjointError, match="no gradient with respect"):
        s2sad.grad(fn, wrt=wrt)(*args)
    assert s2sad.grad(fn, wrt=1 - wrt)(*args) is not None  # (the other one is fine)


def test_conjugate_transposed_triangular_solve_of_complex_matrices_is_refused() -> None:
    a = triangular(3) + 0.5j * np.triu(np.ones((3, 3)))
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="trans='C'"):
        s2sad.grad(complex_conjugate_solve, wrt=1)(a, np.ones(3))


def conjugate_solve_values(a, b):
    return linalg.solve_triangular(a, b, trans="C")


def test_conjugate_transposed_solve_of_a_complex_matrix_has_its_tangent() -> None:
    # forward mode: op(A) = conj(A)^T moves with conj(dA)^T (R-linear, not holomorphic)
    rng = np.random.default_rng(0)
    a = np.triu(rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))) + 3.0 * np.eye(3)
    b = rng.normal(size=3)
    ta = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    _, tangent = s2sad.jvp(conjugate_solve_values, (a, b), (ta, None))
    h = 1e-6
    numeric = (conjugate_solve_values(a + h * ta, b) - conjugate_solve_values(a - h * ta, b)) \
        / (2 * h)
    np.testing.assert_allclose(tangent, numeric, rtol=1e-6, atol=1e-9)


def stacked_solve_of_one_vector(a, b):
    return np.sum(linalg.solve_triangular(a, b, lower=True) ** 2)


def stacked_solve_of_a_column(a, b):
    return np.sum(linalg.solve_triangular(a, b[:, None], lower=True)[..., 0] ** 2)


def test_a_stack_of_matrices_with_one_vector_is_refused_and_its_hint_works() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 3, 3)) + 3.0 * np.eye(3), rng.normal(size=3)
    for call in (lambda: s2sad.grad(stacked_solve_of_one_vector, wrt=0)(a, b),
                 lambda: s2sad.grad(stacked_solve_of_one_vector, wrt=1)(a, b),
                 lambda: s2sad.jvp(stacked_solve_of_one_vector, (a, b),
                                   (np.ones_like(a), np.ones(3)))):
        with pytest.raises(s2sad.UnsupportedSyntaxError, match=r"b\[:, None\]"):
            call()
    s2sad.check_grad(stacked_solve_of_a_column, a, b, wrt=(0, 1))


def overwriting_constant_solve(x):
    b = np.array([1.0, 2.0, 3.0])
    y = np.sum(np.sin(x) * b)
    z = linalg.solve_triangular(np.eye(3) * 2.0, b, overwrite_b=True)
    return y + np.sum(z)


def overwriting_positionally(x):
    b = np.array([1.0, 2.0, 3.0])
    return np.sum(x * b) + np.sum(linalg.solve_triangular(np.eye(3), b, 0, False, False, True))


def own_overwrite(x, overwrite_cache=True):
    return x * 2.0


def calls_own_overwrite(x):
    return np.sum(own_overwrite(x, overwrite_cache=True))


@pytest.mark.parametrize("fn", [overwriting_constant_solve, overwriting_positionally])
def test_overwriting_arguments_is_refused(fn: Any) -> None:
    """overwrite_b=True lets SciPy write into b, which the backward pass of
    np.sin(x) * b reads: refused like out=, whether or not b is differentiated."""
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="writes into an existing array"):
        s2sad.grad(fn)(np.array([0.1, 0.2, 0.3]))


def test_user_parameters_named_overwrite_are_not_refused() -> None:
    np.testing.assert_allclose(s2sad.grad(calls_own_overwrite)(np.ones(2)), [2.0, 2.0])


def logsumexp_with_sign(a):
    value, sign = special.logsumexp(a, return_sign=True)
    return value


def test_logsumexp_return_sign_is_refused() -> None:
    """return_sign=True makes the result a tuple: the table's facts (an array)
    would be wrong for it, so a derivative through it is refused."""
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="return_sign"):
        s2sad.grad(logsumexp_with_sign)(np.array([0.1, 0.2]))


# ---------------------------------------------------------------- Hessians of models


def hessian_by_differences(fn: Any, args: tuple, wrt: int, eps: float = 1e-5) -> np.ndarray:
    """Central differences of s2sad's gradient, one column per entry."""
    gradient = s2sad.grad(fn, wrt=wrt)
    x = np.asarray(args[wrt], dtype=float)
    columns = []
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = eps
        plus, minus = list(args), list(args)
        plus[wrt], minus[wrt] = x + step.reshape(x.shape), x - step.reshape(x.shape)
        columns.append((np.ravel(gradient(*plus)) - np.ravel(gradient(*minus))) / (2 * eps))
    return np.stack(columns, axis=1).reshape(x.shape + x.shape)


FEATURES = RNG.normal(size=(30, 3))
LABELS = (RNG.uniform(size=30) < special.expit(FEATURES @ np.array([0.5, -1.0, 0.3]))) * 1.0
COUNT_DATA = RNG.poisson(np.exp(FEATURES @ np.array([0.2, 0.4, -0.3]))).astype(float)
POINTS = np.linspace(0.0, 3.0, 12)
OBSERVED = np.sin(POINTS) + 0.1 * RNG.normal(size=12)


def logistic_loss(w, X, y):
    p = special.expit(X @ w)
    return -np.sum(special.xlogy(y, p) + special.xlog1py(1.0 - y, -p)) + 0.05 * np.sum(w * w)


def poisson_loss(w, X, k):
    return -np.sum(stats.poisson.logpmf(k, np.exp(X @ w)))


def gp_log_likelihood(params, x, y):
    """A Gaussian process's log marginal likelihood, through its Cholesky factor."""
    length, signal_sd, noise_sd = np.exp(params[0]), np.exp(params[1]), np.exp(params[2])
    distance = x[:, None] - x[None, :]
    kernel = signal_sd ** 2 * np.exp(-0.5 * (distance / length) ** 2) + \
        noise_sd ** 2 * np.eye(len(x))
    factor = linalg.cho_factor(kernel, lower=True)
    alpha = linalg.cho_solve(factor, y)
    return -0.5 * np.dot(y, alpha) - np.sum(np.log(np.diagonal(factor[0]))) - \
        0.5 * len(x) * np.log(2 * np.pi)


def gp_log_likelihood_mvn(params, x, y):
    length, signal_sd, noise_sd = np.exp(params[0]), np.exp(params[1]), np.exp(params[2])
    distance = x[:, None] - x[None, :]
    kernel = signal_sd ** 2 * np.exp(-0.5 * (distance / length) ** 2) + \
        noise_sd ** 2 * np.eye(len(x))
    return stats.multivariate_normal.logpdf(y, cov=kernel)


def test_logistic_regression_hessian() -> None:
    w = np.array([0.3, -0.2, 0.1])
    ours = s2sad.hessian(logistic_loss)(w, FEATURES, LABELS)
    p = special.expit(FEATURES @ w)
    exact = FEATURES.T @ (FEATURES * (p * (1 - p))[:, None]) + 0.1 * np.eye(3)
    np.testing.assert_allclose(ours, exact, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ours, hessian_by_differences(logistic_loss, (w, FEATURES, LABELS),
                                                            0), rtol=1e-6, atol=1e-6)


def test_poisson_regression_hessian() -> None:
    w = np.array([0.1, 0.3, -0.2])
    ours = s2sad.hessian(poisson_loss)(w, FEATURES, COUNT_DATA)
    exact = FEATURES.T @ (FEATURES * np.exp(FEATURES @ w)[:, None])
    np.testing.assert_allclose(ours, exact, rtol=1e-10)
    np.testing.assert_allclose(ours, hessian_by_differences(poisson_loss,
                                                            (w, FEATURES, COUNT_DATA), 0),
                               rtol=1e-6, atol=1e-6)


def test_gaussian_process_hessian() -> None:
    params = np.array([-0.2, 0.1, -1.5])
    value = gp_log_likelihood(params, POINTS, OBSERVED)
    assert value == pytest.approx(gp_log_likelihood_mvn(params, POINTS, OBSERVED), rel=1e-10)
    gradient = s2sad.grad(gp_log_likelihood)(params, POINTS, OBSERVED)
    np.testing.assert_allclose(gradient, s2sad.grad(gp_log_likelihood_mvn)(params, POINTS,
                                                                             OBSERVED),
                               rtol=1e-8)
    s2sad.check_grad(gp_log_likelihood, params, POINTS, OBSERVED)
    ours = s2sad.hessian(gp_log_likelihood)(params, POINTS, OBSERVED)
    np.testing.assert_allclose(ours, ours.T, rtol=1e-8, atol=1e-8)
    numeric = hessian_by_differences(gp_log_likelihood, (params, POINTS, OBSERVED), 0)
    np.testing.assert_allclose(ours, numeric, rtol=1e-5, atol=1e-5)
    by_mvn = s2sad.hessian(gp_log_likelihood_mvn)(params, POINTS, OBSERVED)
    np.testing.assert_allclose(ours, by_mvn, rtol=1e-7, atol=1e-7)


# ---------------------------------------------------------------- fitting an ODE


def lotka_volterra(y, t, a, b):
    prey, predators = y[0], y[1]
    return np.array([a * prey - b * prey * predators, b * prey * predators - 0.8 * predators])


TIMES = np.linspace(0.0, 4.0, 9)
TRUE = (1.1, 0.6)
DATA = integrate.odeint(lotka_volterra, np.array([1.0, 0.5]), TIMES, args=TRUE, rtol=1e-12,
                        atol=1e-12)


def ode_misfit(params, y0):
    ys = integrate.odeint(lotka_volterra, y0, TIMES, args=(params[0], params[1]), rtol=1e-11,
                          atol=1e-11)
    return np.sum((ys - DATA) ** 2)


def lotka_volterra_ivp(t, y, a, b):
    return lotka_volterra(y, t, a, b)


def ivp_misfit(params, y0):
    sol = integrate.solve_ivp(lotka_volterra_ivp, (0.0, 4.0), y0, method="DOP853",
                              t_eval=TIMES, args=(params[0], params[1]), rtol=1e-11, atol=1e-11)
    return np.sum((sol.y.T - DATA) ** 2)


@pytest.mark.parametrize("misfit", [ode_misfit, ivp_misfit])
def test_fitting_an_ode(misfit: Any) -> None:
    """Gradients of an ODE fit (parameters in args=, the initial state)
    against finite differences, then a fit that recovers the parameters."""
    optimize = pytest.importorskip("scipy.optimize")
    start, y0 = np.array([0.9, 0.7]), np.array([1.0, 0.5])
    s2sad.check_grad(misfit, start, y0 + 0.05, wrt=(0, 1), rtol=1e-5)
    gradient = s2sad.grad(misfit)
    result = optimize.minimize(misfit, start, args=(y0,), jac=gradient, method="BFGS",
                               options={"gtol": 1e-9})
    np.testing.assert_allclose(result.x, TRUE, rtol=1e-5)


def test_ode_gradients_are_not_stale() -> None:
    """The rules of y0 and args share one backward integration (by the values
    of their inputs): calls at other points get their own."""
    for start in (np.array([0.9, 0.7]), np.array([1.2, 0.4]), np.array([0.9, 0.7])):
        s2sad.check_grad(ode_misfit, start, np.array([1.0, 0.5]), wrt=(0, 1), rtol=1e-5)


def two_solves(y0, k):
    first = integrate.odeint(decay, y0, [0.0, 0.5, 1.0], (np.array([k, 1.0, 2.0]),),
                             rtol=TOL, atol=TOL)
    second = integrate.odeint(decay, first[-1], [1.0, 2.0], (np.array([1.0, k, 0.5]),),
                              rtol=TOL, atol=TOL)
    return weighted(first) + weighted(second)


def decay_with_order(y, t, rate, order):
    return -rate * y ** order


def integer_parameters(y0, rate, order):
    ys = integrate.odeint(decay_with_order, y0, [0.0, 1.0], args=(rate, order), rtol=TOL,
                          atol=TOL)
    return weighted(ys)


def test_integer_ode_parameters_are_real_numbers() -> None:
    """As everywhere in s2sad, an integer argument differentiates as a real
    number (never a silent zero)."""
    gradient = s2sad.check_grad(integer_parameters, np.array([1.0, 2.0]), 2, 2, wrt=(1, 2))
    assert all(g != 0.0 for g in gradient)


def decay_two_rates(t, y, fast, slow):
    return np.array([-fast * y[0], -slow * y[1]])


def ivp_array_args(y0, rates):
    sol = integrate.solve_ivp(decay_two_rates, (0.0, 1.0), y0, t_eval=[0.5, 1.0], args=rates,
                              rtol=TOL, atol=TOL)
    return weighted(sol.y)


def test_solve_ivp_args_as_an_array() -> None:
    """solve_ivp unpacks any iterable args: an array's adjoint is an array."""
    gradient = s2sad.check_grad(ivp_array_args, np.array([1.0, 2.0]), np.array([0.5, 1.5]),
                                wrt=1)
    assert isinstance(gradient, np.ndarray) and gradient.shape == (2,)


def test_two_ode_solves_in_one_function() -> None:
    s2sad.check_grad(two_solves, np.array([1.0, 2.0, 0.5]), 0.7, wrt=(0, 1))


def sqrtm_sum(a):
    return np.sum(linalg.sqrtm(a))


@pytest.mark.parametrize("a", [np.array([[0.0, 0.0], [0.0, 1.0]]), np.zeros((3, 3)), 4.0],
                         ids=["singular", "zero", "number"])
def test_sqrtm_without_a_derivative_is_refused(a: Any) -> None:
    """At a singular matrix the square root has no derivative (X dX + dX X = dA
    has no unique solution); of a number SciPy returns [[exp(a)]]."""
    with np.errstate(all="ignore"), pytest.warns() if np.ndim(a) else _no_warning():
        with pytest.raises(s2sad.S2sadError):
            s2sad.grad(sqrtm_sum)(a)
    if np.ndim(a):
        with pytest.warns(), pytest.raises(s2sad.S2sadError):
            s2sad.jvp(sqrtm_sum, (a,), (np.ones_like(a),))


class _no_warning:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def test_forward_mode_through_odeint_is_refused() -> None:
    with pytest.raises(s2sad.NoAdjointError, match="odeint has no tangent") as info:
        s2sad.jvp(odeint_, (np.array([1.0, 0.2]), 1.3, 0.4, TIMES), (np.ones(2), None, None,
                                                                      None))
    assert "reverse mode" in str(info.value) and "solve_ivp" in str(info.value)


@pytest.mark.parametrize("misfit", [ode_misfit, ivp_misfit])
def test_hessian_through_an_ode_is_refused(misfit: Any) -> None:
    with pytest.raises(s2sad.NoAdjointError, match="no tangent"):
        s2sad.hessian(misfit)(np.array([0.9, 0.7]), np.array([1.0, 0.5]))


def ivp_without_t_eval(y0):
    sol = integrate.solve_ivp(decay_ivp, (0.0, 1.0), y0, args=(2.0,))
    return np.sum(sol.y)


def ivp_status(y0):
    sol = integrate.solve_ivp(decay_ivp, (0.0, 1.0), y0, t_eval=[0.5, 1.0], args=(2.0,),
                              rtol=TOL, atol=TOL)
    if not sol.success:
        return 0.0
    return weighted(sol.y)


def test_solve_ivp_needs_t_eval() -> None:
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="t_eval"):
        s2sad.grad(ivp_without_t_eval)(np.array([1.0, 0.5]))


def test_solve_ivp_result_fields_without_derivatives() -> None:
    s2sad.check_grad(ivp_status, np.array([1.0, 0.5]))
    y0, t = np.array([1.0, 0.5]), np.array([0.3, -0.2])
    _, tangent = s2sad.jvp(ivp_status, (y0,), (t,))
    assert tangent == pytest.approx(np.dot(s2sad.grad(ivp_status)(y0), t), rel=1e-7)


# ---------------------------------------------------------------- SciPy is optional


def test_s2sad_imports_without_scipy() -> None:
    """Without SciPy, s2sad imports, registers no SciPy rule, and works."""
    import subprocess
    import sys

    code = ("import sys; sys.modules['scipy'] = None\n"
            "import s2sad, numpy as np\n"
            "from s2sad import primitives, runtime\n"
            "assert not any(n.startswith('scipy') for n in primitives.TABLE)\n"
            "assert not hasattr(runtime, 'expm_frechet')\n"
            "assert 'scipy' not in primitives.record.NAMESPACE\n")
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def test_odeint_rules_share_one_backward_integration(monkeypatch: pytest.MonkeyPatch) -> None:
    from s2sad.runtime import scipy as helpers

    calls: list = []
    original = helpers._odeint_adjoints
    monkeypatch.setattr(helpers, "_odeint_adjoints",
                        lambda *args: calls.append(1) or original(*args))
    args = (np.array([1.0, 0.2]), 1.3, 0.4, np.linspace(0.0, 1.0, 3))
    first = s2sad.grad(odeint_, wrt=(0, 1, 2, 3))(*args)
    assert len(calls) == 1
    second = s2sad.grad(odeint_, wrt=(0, 1, 2, 3))(*args)  # (a new backward pass)
    assert len(calls) == 2
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def laplace_logpdf_scaled(x):
    return np.sum(stats.laplace.logpdf(x, 0.0, 2.0))


def test_user_rules_for_a_distribution_method() -> None:
    """s2sad.defvjp on a bound method: found by its object and function too."""
    method = stats.laplace.logpdf
    s2sad.defvjp(method, lambda g, ans, x, loc, scale: (-g * np.sign(x - loc) / scale, None,
                                                        None))
    try:
        x = np.array([0.5, -1.0])
        np.testing.assert_allclose(s2sad.grad(laplace_logpdf_scaled)(x), [-0.5, 0.5])
    finally:  # (laplace goes back to having no rule)
        name = s2sad.custom._name(method)
        TABLE.pop(name)
        primitives.USER_RULED.pop(name)
        primitives.record._BY_OBJECT.pop(primitives.record.object_key(method))
        pipeline.invalidate()


# ---------------------------------------------------------------- polygamma of complex values


def test_polygamma_of_complex_values() -> None:
    """digamma's derivative of complex x (SciPy's polygamma has no complex
    loop): SciPy's own on the real axis, central differences of SciPy's
    complex digamma off it, and of itself for the higher orders; x's
    precision kept; nan at the poles, as digamma's value there."""
    from s2sad.runtime.scipy import polygamma_of
    x = np.array([0.3, 1.7, -2.4, 5.0, 25.0, -7.3])
    for n in (1, 2, 3, 5):
        np.testing.assert_allclose(polygamma_of(n, x + 0j).real, special.polygamma(n, x),
                                   rtol=1e-13)
    z = np.array([0.3 + 0.5j, -2.4 + 0.2j, 3.0 + 4.0j, -10.0 - 1.0j, 20j, 0.05 - 0.02j])
    h = 1e-6
    np.testing.assert_allclose(polygamma_of(1, z),
                               (special.digamma(z + h) - special.digamma(z - h)) / (2 * h),
                               rtol=1e-8)
    for n in (1, 2, 3):
        np.testing.assert_allclose(polygamma_of(n + 1, z),
                                   (polygamma_of(n, z + h) - polygamma_of(n, z - h)) / (2 * h),
                                   rtol=1e-7)
    assert polygamma_of(1, np.array([0.5j], np.complex64)).dtype == np.complex64
    assert polygamma_of(1, np.array([0.5], np.float32)).dtype == np.float32
    assert type(polygamma_of(1, 0.5)) is np.float64
    with np.errstate(all="ignore"):
        assert np.isnan(polygamma_of(1, np.array([-2.0 + 0j]))).all()


def solved_with_a_stack_of_factors(a, b, lower):
    return np.sum(linalg.cho_solve(linalg.cho_factor(a, lower=lower), b) * b)


@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("n", [1, 3])
def test_cho_factor_of_a_stack_gives_a_flag_per_matrix(lower, n):
    # (SciPy's cho_factor of a stack returns an array of `lower` flags, one per
    # matrix; the rules took it for a bool: NumPy's "truth value is ambiguous")
    rng = np.random.default_rng(n)
    T = rng.normal(size=(2, n, n)) + 3 * np.eye(n)
    a = T @ np.swapaxes(T, -1, -2)
    b = rng.normal(size=(2, n, 2))
    s2sad.check_grad(solved_with_a_stack_of_factors, a, b, lower, wrt=(0, 1))
    direction = np.swapaxes(T, -1, -2) @ T / 10
    _, tangent = s2sad.jvp(solved_with_a_stack_of_factors, (a, b, lower),
                           (direction, None, None))
    step = 1e-6
    expected = (solved_with_a_stack_of_factors(a + step * direction, b, lower) -
                solved_with_a_stack_of_factors(a - step * direction, b, lower)) / (2 * step)
    assert tangent == pytest.approx(expected, rel=1e-6)


def logpdf_of_unpacked(x, loc, scale):
    p = (loc, scale)
    return np.sum(scipy.stats.norm.logpdf(x, *p)) + np.sum(scipy.special.xlogy(*(x, p[1])))


def test_scipy_rules_take_unpacked_arguments():
    # (a SciPy function called with *args went through a one-line function
    # naming `scipy`, which its namespace lacked: "name 'scipy' is not defined")
    x = np.array([0.3, 1.2])
    for _ in range(2):
        s2sad.check_grad(logpdf_of_unpacked, x, 0.5, 2.0, wrt=(0, 1, 2))
    _, tangent = s2sad.jvp(logpdf_of_unpacked, (x, 0.5, 2.0), (None, 1.0, None))
    step = 1e-6
    expected = (logpdf_of_unpacked(x, 0.5 + step, 2.0) -
                logpdf_of_unpacked(x, 0.5 - step, 2.0)) / (2 * step)
    assert tangent == pytest.approx(expected, rel=1e-6)


def decay_closing_over(p):
    sol = integrate.solve_ivp(lambda t, y: -p[0] * y, (0.0, 1.0), np.array([1.0]),
                              t_eval=[1.0])
    return sol.y[0, -1]


def test_a_function_closing_over_a_derivative_points_to_args():
    """The hint names args= (stop_gradient, the generic hint, drops p's derivative)."""
    with pytest.raises(s2sad.NoAdjointError, match="argument 'fun'") as info:
        s2sad.grad(decay_closing_over)(np.array([0.5]))
    assert "args=(...)" in info.value.hint and "stop_gradient(...) if" not in info.value.hint


def log_ndtr_total(x):
    return np.sum(special.log_ndtr(x))


def norm_logcdf_value(x, loc, scale):
    return scipy.stats.norm.logcdf(x, loc, scale)


def test_second_derivatives_of_log_ndtr_hold_in_both_tails() -> None:
    # d2/dx2 log Phi(x) = -m (x + m), m the Mills ratio: -1 far left (where x + m
    # is its series), 0 far right (where m is 0); the middle values from mpmath
    x = np.array([-1e8, -2000.0, -999.0, -1001.0, -5.0, 0.0, 38.0])
    expected = [-1.0, -0.999999750000375, -0.9999989980030201, -0.99999900200298,
                -0.9673035653828878, -2.0 / np.pi, 0.0]
    np.testing.assert_allclose(np.diag(s2sad.hessian(log_ndtr_total)(x)), expected,
                               rtol=1e-10, atol=1e-300)  # (x + m directly: to 1e-10)
    assert s2sad.hessian(norm_logcdf_value, wrt=0)(80.0, 0.0, 2.0) == 0.0
    assert s2sad.hessian(norm_logcdf_value, wrt=2)(80.0, 0.0, 2.0) == 0.0


def convolve2d_wrapped(a, b):
    return weighted(signal.convolve2d(a, b, "same", boundary="wrap"))


def correlate2d_filled(a, b):
    return weighted(signal.correlate2d(a, b, "full", fillvalue=1.5))


def correlate2d_fill_as_hinted(a, b):
    c = 1.5
    return weighted(signal.correlate2d(a - c, b, "full") + c * np.sum(np.conj(b)))


def test_convolve2d_boundaries_other_than_a_zero_fill():
    """The adjoints are those of a zero fill: a wrapped boundary is refused in
    reverse mode (its tangent is the same call of t, and runs); a fill value
    other than 0 is refused for in2's adjoint only, and the hint's rewrite is
    the same function, differentiated."""
    a, b = rand((4, 5)), rand((2, 3))
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="boundary='wrap'"):
        s2sad.grad(convolve2d_wrapped)(a, b)
    ta, tb = rand((4, 5)), rand((2, 3))
    _, tangent = s2sad.jvp(convolve2d_wrapped, (a, b), (ta, tb))
    numeric = np.sum(s2sad.numerical_gradient(convolve2d_wrapped, (a, b), 0) * ta) + \
        np.sum(s2sad.numerical_gradient(convolve2d_wrapped, (a, b), 1) * tb)
    assert tangent == pytest.approx(numeric, rel=1e-7)
    s2sad.check_grad(correlate2d_filled, a, b, wrt=0)
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="np.sum\\(np.conj\\(in2\\)\\)"):
        s2sad.grad(correlate2d_filled, wrt=1)(a, b)
    assert correlate2d_fill_as_hinted(a, b) == pytest.approx(correlate2d_filled(a, b), rel=1e-12)
    s2sad.check_grad(correlate2d_fill_as_hinted, a, b, wrt=(0, 1))
