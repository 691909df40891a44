"""SciPy's operations: special functions, distributions, linear algebra,
convolution and ODE solvers.

Imported by `primitives/__init__.py` once SciPy is imported (by the user's
program), so s2sad needs SciPy only to differentiate it and `import s2sad`
stays light. The entries are like NumPy's (see
`record.py`); a distribution's method (`scipy.stats.norm.logpdf`) is a bound
method of SciPy's distribution object, matched by that object and its
function (`record.for_object`), with the signature SciPy documents (`loc`,
`scale` and the shape parameters by name) rather than its `*args, **kwds`.

Every differentiable entry has a row in tests/test_scipy_rules.py. Rules are
templates over NumPy, `math`, SciPy and helpers (`runtime/scipy.py`), each of
which has rules itself, so Hessians go through them (the ODE solvers' rules
call the user's function through s2sad and stop at first order).
"""

from __future__ import annotations

import inspect

import scipy
import scipy.integrate
import scipy.linalg
import scipy.signal
import scipy.special
import scipy.stats

from ..runtime import scipy as scipy_helpers
from .record import HELPER_MODULES, NAMESPACE, elementwise, group, helper, named_default, vjp

NAMESPACE.setdefault("scipy", scipy)
HELPER_MODULES.append(scipy_helpers)

# ---------------------------------------------------------------- special functions
group("SciPy special functions")

SQRT_PI = "math.sqrt(math.pi)"
SQRT_2PI = "math.sqrt(2.0 * math.pi)"
DIGAMMA = "scipy.special.digamma"

elementwise("scipy.special.expit(x)", x="g * ans * (1.0 - ans)")
elementwise("scipy.special.log_expit(x)", x="g * scipy.special.expit(-x)")
elementwise("scipy.special.logit(x)", x="g / (x * (1.0 - x))", note="at 0 and 1: inf, as JAX")
elementwise("scipy.special.gammaln(x)", x=f"g * {DIGAMMA}(x)",
            note="at the poles: SciPy's digamma there (-inf at 0, inf at -0.0, nan at -1, "
            "-2, ...)")
elementwise("scipy.special.digamma(x)", x="g * polygamma_of(1, x)",
            note="at the poles: SciPy's polygamma(1, x) there (of complex x: nan, as digamma)")
elementwise("scipy.special.polygamma(n, x)",
            x="unbroadcast(g * scipy.special.polygamma(n + 1, x), x)",
            note="n is an integer order: no derivative (refused)")
elementwise("scipy.special.gamma(x)", x=f"g * ans * {DIGAMMA}(x)",
            note="at the poles: -inf at ±0, nan at -1, -2, ...")
elementwise("scipy.special.beta(a, b)",
            a=f"unbroadcast(g * ans * ({DIGAMMA}(a) - {DIGAMMA}(a + b)), a)",
            b=f"unbroadcast(g * ans * ({DIGAMMA}(b) - {DIGAMMA}(a + b)), b)")
elementwise("scipy.special.betaln(a, b)",
            a=f"unbroadcast(g * ({DIGAMMA}(a) - {DIGAMMA}(a + b)), a)",
            b=f"unbroadcast(g * ({DIGAMMA}(b) - {DIGAMMA}(a + b)), b)")
elementwise("scipy.special.erf(x)", x=f"g * (2.0 / {SQRT_PI}) * np.exp(-x * x)")
elementwise("scipy.special.erfc(x)", x=f"-g * (2.0 / {SQRT_PI}) * np.exp(-x * x)")
elementwise("scipy.special.erfinv(x)", x=f"g * ({SQRT_PI} / 2.0) * np.exp(ans * ans)",
            note="at ±1: inf, as JAX")
elementwise("scipy.special.ndtr(x)", x=f"g * np.exp(-0.5 * x * x) / {SQRT_2PI}")
# d/dx log Φ(x) = φ(x)/Φ(x), the Mills ratio `mills_ratio` (through erfcx: no
# overflow, 0/0 or cancellation anywhere; exp(-x²/2 - log Φ(x)) lost its digits
# below x = -1e6), whose own derivative `mills_slope` is exact in the tails
elementwise("scipy.special.log_ndtr(x)", x="g * mills_ratio(x)")
elementwise("scipy.special.erfcx(x)", x=f"g * (2.0 * x * ans - 2.0 / {SQRT_PI})",
            note="for x above 1e4 the derivative, near -1 / (sqrt(pi) x^2), and the "
            "second, keep only the absolute accuracy of 2 x erfcx(x)")
elementwise("scipy.special.ndtri(x)", x=f"g * {SQRT_2PI} * np.exp(0.5 * ans * ans)",
            note="at 0 and 1: inf (the limit; JAX gives 0)")
elementwise("scipy.special.i0(x)", x="g * scipy.special.i1(x)")
elementwise("scipy.special.i1(x)",
            x="g * 0.5 * (scipy.special.i0(x) + scipy.special.iv(2.0, x))")
elementwise("scipy.special.iv(v, x)",
            x="unbroadcast(g * 0.5 * (scipy.special.iv(v - 1.0, x) + "
              "scipy.special.iv(v + 1.0, x)), x)",
            note="no derivative with respect to the order v (refused)")
elementwise("scipy.special.i0e(x)", x="g * (scipy.special.i1e(x) - np.sign(x) * ans)",
            note="at 0: 0 (exp(-|x|) has a kink: the mean of the one-sided derivatives), "
            "as JAX")
elementwise("scipy.special.i1e(x)",
            x="g * (0.5 * (scipy.special.i0e(x) + scipy.special.ive(2.0, x)) - np.sign(x) * ans)")
# ive = iv exp(-|Re x|): of complex x, iv's derivative times the factor, and
# the factor's, which moves with Re x only (not holomorphic: its adjoint takes
# the real part, its tangent reads the real part of t).
_IVE_SLOPE = "0.5 * (scipy.special.ive(v - 1.0, x) + scipy.special.ive(v + 1.0, x))"
elementwise("scipy.special.ive(v, x)",
            x=f"unbroadcast(g * {_IVE_SLOPE} - np.sign(np.real(x)) * np.real(g * ans), x)",
            jvp={"x": f"t * {_IVE_SLOPE} - np.sign(np.real(x)) * ans * np.real(t)"},
            note="at Re x = 0: the mean of the one-sided derivatives; no derivative with "
            "respect to v")
elementwise("scipy.special.xlogy(x, y)", x="unbroadcast(g * np.log(y), x)",
            y="unbroadcast(g * np.where(x == 0, 0.0, x / y), y)",
            note="xlogy(0, y) = 0: d/dx = log(y) (-inf at y = 0, as JAX); d/dy = 0 where "
            "x = 0, also at y = 0 (JAX: nan there)")
elementwise("scipy.special.xlog1py(x, y)", x="unbroadcast(g * np.log1p(y), x)",
            y="unbroadcast(g * np.where(x == 0, 0.0, x / (1.0 + y)), y)",
            note="as xlogy: d/dx = log1p(y) (-inf at y = -1); d/dy = 0 where x = 0")
elementwise("scipy.special.entr(x)", x="-g * (np.log(x) + 1.0)",
            note="at 0: inf, as JAX; below 0 (where entr is -inf): nan")

vjp("scipy.special.softmax(x, axis=None)",
    x="ans * (g - np.sum(g * ans, axis, keepdims=True))",
    jvp={"x": "ans * (t - np.sum(t * ans, axis, keepdims=True))"}, fresh=True)
vjp("scipy.special.log_softmax(x, axis=None)",
    x="g - np.exp(ans) * np.sum(g, axis, keepdims=True)",
    jvp={"x": "t - np.sum(np.exp(ans) * t, axis, keepdims=True)"}, fresh=True)

_LSE = "a, b, ans, axis, keepdims"
_SPREAD = f"sum_adjoint(g, logsumexp_weights({_LSE}), axis, keepdims)"
# (return_sign=True makes the result a tuple, which the table's facts cannot
# follow for one call and not another: refused)
vjp("scipy.special.logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False)",
    a=f"unbroadcast({_SPREAD} * logsumexp_weights({_LSE}), a)",
    b=f"unbroadcast({_SPREAD} * logsumexp_b_weights({_LSE}), b)",
    jvp={"a": f"np.sum(t * logsumexp_weights({_LSE}), axis, keepdims=keepdims)",
         "b": f"np.sum(t * logsumexp_b_weights({_LSE}), axis, keepdims=keepdims)"},
    note="where every term is 0 (a = -inf): nan, as JAX; a negative sum (b < 0): nan, as "
    "its value")


# ---------------------------------------------------------------- distributions
group("SciPy distributions")
# Methods of SciPy's distribution objects, with the signatures SciPy documents.
# Where the log-density is -inf (outside the support) the derivative is 0, as
# in JAX; the derivative at the support's boundary is 0 too.
# Of a complex x SciPy evaluates the formulas (holomorphic in x, loc and
# scale, as the rules); of a real x it drops the imaginary part of
# (x - loc) / scale, and of log(scale): a complex loc or scale is then
# refused (`real_location`).

NORM = "scipy.stats.norm"


def _density(name: str, log_rules: dict[str, str], **facts: object) -> None:
    """Register `name.logpdf` from the log-density's partial derivatives
    (templates of the factor that multiplies g) and `name.pdf` from the same
    times the density."""
    dist, _, signature = name.partition("(")
    params = f"({signature}"
    elementwise(f"{dist}.logpdf{params}", **{k: _summed_to(f"g * {v}", k) for k, v in
                                              log_rules.items()}, **facts)
    elementwise(f"{dist}.pdf{params}", **{k: _summed_to(f"g * ans * {v}", k) for k, v in
                                          log_rules.items()}, **facts)


def _summed_to(expression: str, param: str, point: str = "x", scaled: bool = True) -> str:
    """An adjoint summed back to the shape of `param` (where it broadcast),
    checked by `real_location` (a complex loc or scale with a real `point`)."""
    check = f"real_location({expression}, {point}, loc{', scale' if scaled else ''})"
    return f"unbroadcast({check}, {param})"


_density(f"{NORM}(x, loc=0, scale=1)", {
    "x": "((loc - x) / scale ** 2)",
    "loc": "((x - loc) / scale ** 2)",
    "scale": "((((x - loc) / scale) ** 2 - 1.0) / scale)",
})
_NORM_PDF = f"{NORM}.pdf(x, loc, scale)"
elementwise(f"{NORM}.cdf(x, loc=0, scale=1)", x=_summed_to(f"g * {_NORM_PDF}", "x"),
            loc=_summed_to(f"-g * {_NORM_PDF}", "loc"),
            scale=_summed_to(f"-g * {_NORM_PDF} * (x - loc) / scale", "scale"))
# pdf / cdf, without 0/0 or cancellation in the tails (see log_ndtr)
_MILLS = "(mills_ratio((x - loc) / scale) / scale)"
elementwise(f"{NORM}.logcdf(x, loc=0, scale=1)", x=_summed_to(f"g * {_MILLS}", "x"),
            loc=_summed_to(f"-g * {_MILLS}", "loc"),
            scale=_summed_to(f"-g * {_MILLS} * (x - loc) / scale", "scale"))

T = "scipy.stats.t"
_Z2 = "((x - loc) / scale) ** 2"
_density(f"{T}(x, df, loc=0, scale=1)", {
    "x": f"(-(df + 1.0) * (x - loc) / (scale ** 2 * (df + {_Z2})))",
    "loc": f"((df + 1.0) * (x - loc) / (scale ** 2 * (df + {_Z2})))",
    "scale": f"(((df + 1.0) * {_Z2} / (df + {_Z2}) - 1.0) / scale)",
    "df": f"(0.5 * ({DIGAMMA}((df + 1.0) / 2.0) - {DIGAMMA}(df / 2.0) - 1.0 / df"
          f" - np.log1p({_Z2} / df) + (df + 1.0) * {_Z2} / (df * (df + {_Z2}))))",
})


def _cdf(dist: str, signature: str, pdf: str, **facts: object) -> None:
    """A CDF of a location-scale family: its derivatives in x, loc and scale
    from the density; none in the shape parameters (refused when reached)."""
    elementwise(f"{dist}.cdf{signature}", x=_summed_to(f"g * {pdf}", "x"),
                loc=_summed_to(f"-g * {pdf}", "loc"),
                scale=_summed_to(f"-g * {pdf} * (x - loc) / scale", "scale"),
                note="no derivative in the shape parameters", **facts)


_cdf(T, "(x, df, loc=0, scale=1)", f"{T}.pdf(x, df, loc, scale)")

GAMMA = "scipy.stats.gamma"
# y = (x - loc) / scale, 1 outside the support so that no branch divides by 0
_IN_GAMMA = "(x > loc)"
_YG = f"np.where({_IN_GAMMA}, (x - loc) / scale, 1.0)"


def _inside(condition: str, expression: str) -> str:
    return f"np.where({condition}, {expression}, 0.0)"


_density(f"{GAMMA}(x, a, loc=0, scale=1)", {
    "x": _inside(_IN_GAMMA, f"((a - 1.0) / {_YG} - 1.0) / scale"),
    "loc": _inside(_IN_GAMMA, f"(1.0 - (a - 1.0) / {_YG}) / scale"),
    "scale": _inside(_IN_GAMMA, f"({_YG} - a) / scale"),
    "a": _inside(_IN_GAMMA, f"np.log({_YG}) - {DIGAMMA}(a)"),
}, note="outside the support and at its boundary: 0")
_cdf(GAMMA, "(x, a, loc=0, scale=1)", f"{GAMMA}.pdf(x, a, loc, scale)")

BETA = "scipy.stats.beta"
_IN_BETA = "((x > loc) & (x < loc + scale))"
_YB = f"np.where({_IN_BETA}, (x - loc) / scale, 0.5)"
_density(f"{BETA}(x, a, b, loc=0, scale=1)", {
    "x": _inside(_IN_BETA, f"((a - 1.0) / {_YB} - (b - 1.0) / (1.0 - {_YB})) / scale"),
    "loc": _inside(_IN_BETA, f"((b - 1.0) / (1.0 - {_YB}) - (a - 1.0) / {_YB}) / scale"),
    "scale": _inside(_IN_BETA, f"((b - 1.0) * {_YB} / (1.0 - {_YB}) - a) / scale"),
    "a": _inside(_IN_BETA, f"np.log({_YB}) - {DIGAMMA}(a) + {DIGAMMA}(a + b)"),
    "b": _inside(_IN_BETA, f"np.log1p(-{_YB}) - {DIGAMMA}(b) + {DIGAMMA}(a + b)"),
}, note="outside the support and at its boundary: 0")
_cdf(BETA, "(x, a, b, loc=0, scale=1)", f"{BETA}.pdf(x, a, b, loc, scale)")

POISSON = "scipy.stats.poisson"
_K = "(k - loc)"
_ON_POISSON = f"(({_K} >= 0) & ({_K} == np.floor({_K})))"
_POISSON_MU = _inside(_ON_POISSON, f"np.where({_K} == 0, 0.0, {_K} / mu) - 1.0")
# (k and loc are counts: a derivative reaching them is refused)
elementwise(f"{POISSON}.logpmf(k, mu, loc=0)",
            mu=_summed_to(f"g * {_POISSON_MU}", "mu", "k", False),
            note="off the support: 0; at mu = 0, k = 0: -1")
elementwise(f"{POISSON}.pmf(k, mu, loc=0)",
            mu=_summed_to(f"g * ans * {_POISSON_MU}", "mu", "k", False), note="as logpmf")
elementwise(f"{POISSON}.cdf(k, mu, loc=0)",
            mu=_summed_to(f"-g * {POISSON}.pmf(np.floor({_K}), mu)", "mu", "k", False))

BERNOULLI = "scipy.stats.bernoulli"
elementwise(f"{BERNOULLI}.logpmf(k, p, loc=0)",
            p=_summed_to(f"g * (np.where({_K} == 1, 1.0 / p, 0.0) - "
                         f"np.where({_K} == 0, 1.0 / (1.0 - p), 0.0))", "p", "k", False),
            note="off the support: 0")
elementwise(f"{BERNOULLI}.pmf(k, p, loc=0)",
            p=_summed_to(f"g * (np.where({_K} == 1, 1.0, 0.0) - np.where({_K} == 0, 1.0, 0.0))",
                         "p", "k", False),
            note="as logpmf")

# multivariate_normal: points R (rows, N of them, less the mean), the
# covariance C, S = R C^-1 (rows), and g with one entry per row.
_R = "(mvn_points(x, mean, cov) - mvn_mean(mean, cov))"
_C = "mvn_matrix(cov, mean)"
_S = f"matrix_transpose(np.linalg.solve({_C}, matrix_transpose({_R})))"


def _mvn_rules(g: str) -> dict[str, str]:
    """multivariate_normal.logpdf's adjoints, with `g` standing for the
    adjoint of the log-density (one entry per point)."""
    weights = f"np.reshape({g}, (-1, 1))"
    return {
        "x": f"np.reshape(-({weights} * {_S}), np.shape(x))",
        "mean": f"np.reshape(np.sum({weights} * {_S}, axis=0), np.shape(mean))",
        "cov": f"mvn_cov_adjoint(-0.5 * (np.sum({g}) * np.linalg.inv({_C}) - "
               f"matrix_transpose({_S}) @ ({weights} * {_S})), cov, mean)",
    }


def _mvn_tangents(factor: str) -> dict[str, str]:
    """multivariate_normal.logpdf's tangents, each times `factor`."""
    def shaped(value: str) -> str:
        return f"{factor}np.reshape({value}, np.shape(ans))"
    return {
        "x": shaped(f"-np.sum({_S} * mvn_points(t, mean, cov), axis=1)"),
        "mean": shaped(f"np.sum({_S} * mvn_mean(t, cov), axis=1)"),
        "cov": shaped(f"-0.5 * (np.trace(np.linalg.solve({_C}, mvn_matrix(t, mean))) - "
                      f"np.sum(({_S} @ mvn_matrix(t, mean)) * {_S}, axis=1))"),
    }


MVN = "scipy.stats.multivariate_normal"
_MVN_NOTE = ("cov: SciPy reads its lower triangle, so the gradient is there (off-diagonal "
             "entries doubled), which equals the symmetric one along symmetric changes")
vjp(f"{MVN}.logpdf(x, mean=None, cov=1, allow_singular=False)", **_mvn_rules("g"),
    jvp=_mvn_tangents(""), note=_MVN_NOTE)
vjp(f"{MVN}.pdf(x, mean=None, cov=1, allow_singular=False)", **_mvn_rules("g * ans"),
    jvp=_mvn_tangents("ans * "), note=_MVN_NOTE)

# dirichlet: points X (components along axis 0; a missing last one is
# 1 - sum), alpha as a column A, g with one entry per point.
DIRICHLET = "scipy.stats.dirichlet"
_X = "dirichlet_points(x, alpha)"
_A = "dirichlet_column(alpha, x)"
_DX = f"np.where({_A} == 1.0, 0.0, ({_A} - 1.0) / {_X})"  # (xlogy's convention)
_DALPHA = f"(np.log({_X}) - {DIGAMMA}({_A}) + {DIGAMMA}(np.sum(alpha)))"


def _dirichlet(method: str, g: str, factor: str) -> None:
    weights = f"dirichlet_weights({g}, x)"
    vjp(f"{DIRICHLET}.{method}(x, alpha)",
        x=f"dirichlet_points_adjoint({weights} * {_DX}, x, alpha)",
        alpha=f"dirichlet_alpha_adjoint({weights} * {_DALPHA}, alpha)",
        jvp={"x": f"{factor}np.reshape(np.sum({_DX} * dirichlet_points_tangent(t, alpha), "
                  "axis=0), np.shape(ans))",
             "alpha": f"{factor}np.reshape(np.sum({_DALPHA} * dirichlet_column(t, x), axis=0), "
                      "np.shape(ans))"},
        note="x on the simplex: the gradient of sum((alpha - 1) log x), whose part along "
        "the simplex is the derivative; with one component fewer, of the free ones")


_dirichlet("logpdf", "g", "")
_dirichlet("pdf", "g * ans", "ans * ")


# ---------------------------------------------------------------- linear algebra
group("SciPy linear algebra")

_TRI = "lower, unit_diagonal"
_GB = f"scipy.linalg.solve_triangular(a, g, flip_trans(trans, a, b), {_TRI})"
vjp("scipy.linalg.solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, "
    "overwrite_b=False, check_finite=True)",
    b=f"unbroadcast({_GB}, b)", a=f"triangular_adjoint({_GB}, ans, a, trans, {_TRI})",
    jvp={"b": f"scipy.linalg.solve_triangular(a, t, trans, {_TRI})",
         "a": f"-scipy.linalg.solve_triangular(a, triangular_product(t, ans, trans, {_TRI}), "
              f"trans, {_TRI})"},
    neutral=("check_finite",), expensive=True, fresh=True,
    note="a: only the triangle it reads (not the diagonal with unit_diagonal) has a gradient")


def _lower_solve(matrix: str, rhs: str, trans: int) -> str:
    """L^-1 rhs (trans 0) or L^-T rhs (trans 1), L lower-triangular."""
    return f"scipy.linalg.solve_triangular({matrix}, {rhs}, {trans}, True)"


def _sandwich(matrix: str, middle: str, trans: int) -> str:
    """L^-1 M L^-H (trans 0) or L^-T M conj(L)^-1 (trans 1), as two triangular
    solves (L^-1 M L^-T, L^-T M L^-1 of a real L)."""
    inner = _lower_solve(matrix, middle, trans)
    outer = _lower_solve(f"np.conjugate({matrix})", f"matrix_transpose({inner})", trans)
    return f"matrix_transpose({outer})"


# cho_factor: L the factor (lower); with A = L L^H, dL = L phi(L^-1 dA L^-H), and
# A's adjoint (the transpose under Re(sum(a * b))) is L^-T phi(L^T Lbar) conj(L)^-1
# folded onto the triangle cho_factor reads (cholesky's, in SciPy's layout).
_L = "cho_lower(ans[0], lower)"
_PHI = f"cho_phi(matrix_transpose({_L}) @ cho_lower(g[0], lower))"
vjp("scipy.linalg.cho_factor(a, lower=False, overwrite_a=False, check_finite=True)",
    a=f"real_if_real(cho_input_adjoint({_sandwich(_L, _PHI, 1)}, lower) + cho_other(g[0], "
      "lower), a)",
    jvp={"a": f"(cho_pack({_L} @ cho_phi({_sandwich(_L, 'cho_input(t, lower)', 0)}), lower) + "
              "cho_other(t, lower), 0.0)"},
    neutral=("check_finite",), expensive=True, returns="container", results=2,
    note="a: the triangle the factor is computed from (of a complex a, the Hermitian matrix "
    "read, the diagonal's imaginary part ignored, as LAPACK), and the other triangle, which "
    "cho_factor returns as it was")

# cho_solve: x = A^-1 b, A = L L^H. b's adjoint is the transpose of A^-1,
# h = conj(A^-1 conj(g)); dx = -A^-1 (dL L^H + L dL^H) x, so L's adjoint is
# -(h x^T + conj(x) h^H) conj(L) (-(h x^T + x h^T) L of a real L).
_LC = "cho_lower(c_and_lower[0], c_and_lower[1])"
_GC = "np.conjugate(scipy.linalg.cho_solve(c_and_lower, np.conjugate(g)))"
vjp("scipy.linalg.cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True)",
    b=f"unbroadcast({_GC}, b)",
    c_and_lower=f"(real_if_real(unbroadcast(cho_pack(-(cho_outer({_GC}, np.conjugate(ans)) @ "
                f"np.conjugate({_LC})), c_and_lower[1]), c_and_lower[0]), c_and_lower[0]), None)",
    jvp={"b": "scipy.linalg.cho_solve(c_and_lower, t)",
         "c_and_lower": f"-scipy.linalg.cho_solve(c_and_lower, cho_outer(cho_lower(t[0], "
                        f"c_and_lower[1]), {_LC}) @ ans)"},
    neutral=("check_finite",), expensive=True, fresh=True, takes="any",
    note="c: only the factor's triangle has a gradient (its diagonal as given: of a complex "
    "factor, complex too)")

# sqrtm's deprecated `disp` and `blocksize` default to a marker object of SciPy's
# (where this SciPy still has them): its signature names it.
_SQRTM = inspect.signature(scipy.linalg.sqrtm).parameters
_DEPRECATED = [name for name in ("disp", "blocksize") if name in _SQRTM]
for _name in _DEPRECATED:
    named_default("SciPyNoValue", _SQRTM[_name].default)
vjp(f"scipy.linalg.sqrtm(A{''.join(f', {n}=SciPyNoValue' for n in _DEPRECATED)})",
    A="sqrtm_adjoint(g, A, ans)", jvp={"A": "sqrtm_tangent(t, A, ans)"},
    neutral=("blocksize",), expensive=True, fresh=True,
    note="the principal root's derivative, from X dX + dX X = dA; at a singular matrix "
    "(none exists): an error")
vjp("scipy.linalg.expm(A)", A="expm_frechet(matrix_transpose(A), g)",
    jvp={"A": "expm_frechet(A, t)"}, expensive=True, fresh=True,
    note="the Fréchet derivative, from the exponential of [[A, E], [0, A]]")


# ---------------------------------------------------------------- signal and integrate
group("SciPy signal and integrate")

vjp("scipy.signal.convolve(in1, in2, mode='full', method='auto')",
    in1="convolve_adjoint_in1(g, in1, in2, mode)", in2="convolve_adjoint_in2(g, in1, in2, mode)",
    jvp={"in1": "scipy.signal.convolve(t, in2, mode, method)",
         "in2": "scipy.signal.convolve(in1, t, mode, method)"},
    neutral=("method",), expensive=True, fresh=True)
# with a zero fill, convolve2d is convolve of 2-D arrays; correlate2d conjugates
# in2 (its tangent: correlate2d of t, which it conjugates too)
for _name in ("convolve2d", "correlate2d"):
    _ARGS = "in1, in2, mode, boundary, fillvalue"
    vjp(f"scipy.signal.{_name}(in1, in2, mode='full', boundary='fill', fillvalue=0)",
        in1=f"{_name}_adjoint_in1(g, {_ARGS})", in2=f"{_name}_adjoint_in2(g, {_ARGS})",
        jvp={"in1": f"scipy.signal.{_name}(t, in2, mode, boundary, 0)",
             "in2": f"scipy.signal.{_name}(in1, t, mode, boundary, fillvalue)"},
        expensive=True, fresh=True,
        note="reverse mode with a zero fill (boundary='fill'; fillvalue=0 for in2's adjoint)")

# The adjoint sensitivity method (runtime/scipy.py); `which` picks the
# argument, and the rules of several arguments share one backward integration.
_ODEINT = "g, func, y0, t, args, ans, tfirst, rtol, atol, hmax, hmin, mxstep"
vjp("scipy.integrate.odeint(func, y0, t, args=(), Dfun=None, col_deriv=0, full_output=0, "
    "ml=None, mu=None, rtol=None, atol=None, tcrit=None, h0=0.0, hmax=0.0, hmin=0.0, ixpr=0, "
    "mxstep=0, mxhnil=0, mxordn=12, mxords=5, printmessg=0, tfirst=False)",
    y0=f"odeint_adjoint({_ODEINT}, 'y0')", t=f"odeint_adjoint({_ODEINT}, 't')",
    args=f"odeint_adjoint({_ODEINT}, 'args')",
    neutral=("Dfun", "col_deriv", "ml", "mu", "h0", "ixpr", "mxhnil", "mxordn", "mxords",
             "printmessg"),
    expensive=True, fresh=True, takes="any",
    note="func is differentiated by s2sad (a Python function it can read); no forward mode "
    "(its tangent rules could not name the parameter t): use solve_ivp; real states only (as "
    "odeint)")
_IVP = "fun, t_span, y0, method, t_eval, args, ans, rtol, atol, first_step, max_step"


def _ivp_tangent(position: int) -> str:
    tangents = ["None"] * 4
    tangents[position] = "t"
    return f"solve_ivp_tangent({_IVP}, {', '.join(tangents)})"


vjp("scipy.integrate.solve_ivp(fun, t_span, y0, method='RK45', t_eval=None, dense_output=False, "
    "events=None, vectorized=False, args=None, *, rtol=None, atol=None, first_step=None, "
    "max_step=None, **options)",
    t_span=f"solve_ivp_adjoint(g, {_IVP}, 't_span')", y0=f"solve_ivp_adjoint(g, {_IVP}, 'y0')",
    t_eval=f"solve_ivp_adjoint(g, {_IVP}, 't_eval')",
    args=f"solve_ivp_adjoint(g, {_IVP}, 'args')",
    jvp={"t_span": _ivp_tangent(0), "y0": _ivp_tangent(1), "t_eval": _ivp_tangent(2),
         "args": _ivp_tangent(3)},
    neutral=("dense_output", "jac", "jac_sparsity", "lband", "uband", "min_step"),
    expensive=True, returns="container", takes="any",
    attributes=("t", "y", "sol", "t_events", "y_events", "nfev", "njev", "nlu", "status",
                "message", "success"),
    note="needs t_eval=; real states and parameters only (complex ones are refused); "
    "rtol= ... max_step=: SciPy's defaults where None; fun is "
    "differentiated by s2sad; sol.y and sol.t carry derivatives "
    "(the counts and flags have none; calling sol.sol is refused); the backward and tangent "
    "integrations use the same method and tolerances")


# ---------------------------------------------------------------- helpers
group("Helpers of derivative code")

# Linear in their first operand; the others give shapes, flags or a dimension.
for _signature in ("mvn_points(x, mean, cov)", "mvn_mean(mean, cov)", "mvn_matrix(cov, mean)",
                   "mvn_cov_adjoint(g, cov, mean)", "dirichlet_points_tangent(t, alpha)",
                   "dirichlet_points_adjoint(g, x, alpha)", "dirichlet_column(alpha, x)",
                   "dirichlet_alpha_adjoint(g, alpha)", "dirichlet_weights(g, x)",
                   "triangle(m, lower=False, unit_diagonal=False)", "cho_lower(c, lower)",
                   "cho_pack(m, lower)", "cho_phi(x)",
                   "cho_input(m, lower)", "cho_input_adjoint(p, lower)", "cho_other(m, lower)"):
    helper(_signature, linear=(_signature.partition("(")[2].partition(",")[0].rstrip(")"),),
           zero="others")
helper("dirichlet_points(x, alpha)", zero=("alpha",),
       jvp={"x": "dirichlet_points_tangent(t, alpha)"})
helper("flip_trans(trans, a, b=None)", zero="others")
helper("mills_ratio(x)", jvp={"x": "t * mills_slope(x, ans)"}, returns="array")
helper("mills_slope(x, m)")  # (a third derivative of log Φ: refused, never wrong)
helper("real_location(g, x, loc, scale=1.0)", linear=("g",), zero="others")
helper("polygamma_of(n, x)", zero=("n",), jvp={"x": "t * polygamma_of(n + 1, x)"})
# (`ans` in their tangent rules: the weights themselves)
for _kind in ("weights", "b_weights"):
    helper(f"logsumexp_{_kind}(a, b, lse, axis=None, keepdims=False)",
           zero=("axis", "keepdims") + (("b",) if _kind == "b_weights" else ()),
           jvp={"a": "t * ans", "lse": "-ans * sum_adjoint(t, ans, axis, keepdims)",
                **({"b": "t * logsumexp_b_weights(a, b, lse, axis, keepdims)"}
                   if _kind == "weights" else {})})
# Bilinear: the same call with either factor's tangent.
helper("triangular_product(m, x, trans=0, lower=False, unit_diagonal=False)",
       zero=("trans", "lower", "unit_diagonal"),
       jvp={"m": "triangular_product(t, x, trans, lower, unit_diagonal)",
            "x": "triangular_product(m, t, trans, lower, unit_diagonal)"})
helper("triangular_adjoint(gb, x, a, trans=0, lower=False, unit_diagonal=False)",
       zero=("a", "trans", "lower", "unit_diagonal"),
       jvp={"gb": "triangular_adjoint(t, x, a, trans, lower, unit_diagonal)",
            "x": "triangular_adjoint(gb, t, a, trans, lower, unit_diagonal)"})
helper("cho_outer(u, v)", jvp={"u": "cho_outer(t, v)", "v": "cho_outer(u, t)"})
for _side, _other in (("in1", "in2"), ("in2", "in1")):
    helper(f"convolve_adjoint_{_side}(g, in1, in2, mode='full')", zero=(_side, "mode"),
           jvp={"g": f"convolve_adjoint_{_side}(t, in1, in2, mode)",
                _other: f"convolve_adjoint_{_side}(g, {'t, in2' if _other == 'in1' else 'in1, t'}"
                        ", mode)"})
# (each adjoint is R-linear in g and in the other operand, constant in its own)
for _name in ("convolve2d", "correlate2d"):
    for _side, _other in (("in1", "in2"), ("in2", "in1")):
        _with_t = "t, in2" if _other == "in1" else "in1, t"
        helper(f"{_name}_adjoint_{_side}(g, in1, in2, mode, boundary, fillvalue)",
               zero=(_side, "mode", "boundary", "fillvalue"),
               jvp={"g": f"{_name}_adjoint_{_side}(t, in1, in2, mode, boundary, fillvalue)",
                    _other: f"{_name}_adjoint_{_side}(g, {_with_t}, mode, boundary, fillvalue)"})
# The ODE solvers' rules: no tangent rules (a Hessian through an ODE is refused).
helper("odeint_adjoint(g, func, y0, t, args, ans, tfirst, rtol, atol, hmax, hmin, mxstep, which)",
       "solve_ivp_adjoint(g, fun, t_span, y0, method, t_eval, args, ans, rtol, atol, "
       "first_step, max_step, which)",
       "solve_ivp_tangent(fun, t_span, y0, method, t_eval, args, ans, rtol, atol, first_step, "
       "max_step, t_span_dot=None, y0_dot=None, t_eval_dot=None, args_dot=None)")
# Linear in e; along a, the second Fréchet derivative (which has no rule: a
# third derivative through expm is refused).
# Linear in their first operand; along x, the same solve of a changed right side.
helper("sqrtm_tangent(e, a, x)", zero=("a",),
       jvp={"e": "sqrtm_tangent(t, a, x)", "x": "-sqrtm_tangent(t @ ans + ans @ t, a, x)"})
helper("sqrtm_adjoint(g, a, x)", zero=("a",),
       jvp={"g": "sqrtm_adjoint(t, a, x)",
            "x": "-sqrtm_adjoint(matrix_transpose(t) @ ans + ans @ matrix_transpose(t), a, x)"})
helper("expm_frechet(a, e)", jvp={"e": "expm_frechet(a, t)", "a": "expm_frechet_second(a, e, t)"})
helper("expm_frechet_second(a, e, f)")
