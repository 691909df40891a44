"""Every rule at the points where naive derivative formulas fail.

Zero bases and exponents, ties, zero vectors, singular matrices, +-0, values
near overflow, domain boundaries. Where the derivative exists and is finite,
s2sad must give it (no 0 * inf, no NaN, no exception); where it does not,
the value of the convention docs/ops.md states for that rule (JAX's where it
has one). Expected values are written out here, not computed by the rule.

`test_every_elementwise_rule_has_special_points` keeps the table complete.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

import s2sad
from s2sad.primitives import TABLE

inf, nan = np.inf, np.nan
Z = np.array([0.0, -0.0])  # +0 and -0

# (entry, body using x (and y), x, y or None, expected d/dx, expected d/dy or None)
ROWS = [
    ("np.negative", "np.negative(x)", Z, None, [-1, -1], None),
    ("np.positive", "np.positive(x)", Z, None, [1, 1], None),
    ("np.exp", "np.exp(x)", np.array([700.0, -745.0, 0.0]), None,
     [np.exp(700.0), np.exp(-745.0), 1.0], None),
    ("np.exp2", "np.exp2(x)", np.array([1000.0, 0.0]), None,
     [2.0 ** 1000 * math.log(2), math.log(2)], None),
    ("np.expm1", "np.expm1(x)", np.array([0.0, -800.0]), None, [1.0, 0.0], None),
    ("np.log", "np.log(x)", np.array([0.0, 1e-300]), None, [inf, 1e300], None),
    ("np.log2", "np.log2(x)", np.array([0.0]), None, [inf], None),
    ("np.log10", "np.log10(x)", np.array([0.0]), None, [inf], None),
    ("np.log1p", "np.log1p(x)", np.array([-1.0, 0.0]), None, [inf, 1.0], None),
    ("np.sqrt", "np.sqrt(x)", np.array([0.0, 1e-300]), None, [inf, 0.5e150], None),
    ("np.cbrt", "np.cbrt(x)", np.array([0.0, -8.0]), None, [inf, 1 / 12], None),
    ("np.square", "np.square(x)", Z, None, [0.0, 0.0], None),
    ("np.reciprocal", "np.reciprocal(x)", np.array([1e-150, -2.0]), None,
     [-1e300, -0.25], None),
    ("np.sin", "np.sin(x)", np.array([0.0, 1e10]), None, [1.0, math.cos(1e10)], None),
    ("np.cos", "np.cos(x)", Z, None, [0.0, 0.0], None),
    ("np.tan", "np.tan(x)", Z, None, [1.0, 1.0], None),
    ("np.arcsin", "np.arcsin(x)", np.array([1.0, -1.0, 0.0]), None, [inf, inf, 1.0], None),
    ("np.arccos", "np.arccos(x)", np.array([1.0, 0.0]), None, [-inf, -1.0], None),
    ("np.arctan", "np.arctan(x)", np.array([1e200, 0.0]), None, [0.0, 1.0], None),
    ("np.sinh", "np.sinh(x)", np.array([0.0, 700.0]), None, [1.0, np.cosh(700.0)], None),
    ("np.cosh", "np.cosh(x)", Z, None, [0.0, -0.0], None),
    ("np.tanh", "np.tanh(x)", np.array([0.0, 40.0, -40.0]), None, [1.0, 0.0, 0.0], None),
    ("np.arcsinh", "np.arcsinh(x)", np.array([0.0, 1e200]), None, [1.0, 0.0], None),
    ("np.arccosh", "np.arccosh(x)", np.array([1.0, 2.0]), None, [inf, 1 / math.sqrt(3)],
     None),
    ("np.arctanh", "np.arctanh(x)", np.array([1.0, 0.0]), None, [inf, 1.0], None),
    ("np.abs", "np.abs(x)", Z, None, [1.0, 1.0], None),
    ("np.fabs", "np.fabs(x)", Z, None, [1.0, 1.0], None),
    ("np.sinc", "np.sinc(x)", np.array([0.0, 1.0]), None, [0.0, -1.0], None),
    ("np.arctan2", "np.arctan2(x, y)", np.array([0.0, 1.0]), np.array([0.0, 0.0]),
     [nan, 0.0], [nan, -1.0]),
    ("np.hypot", "np.hypot(x, y)", np.array([0.0, 3.0]), np.array([0.0, 4.0]),
     [nan, 0.6], [nan, 0.8]),
    ("np.add", "np.add(x, y)", Z, Z, [1, 1], [1, 1]),
    ("np.subtract", "np.subtract(x, y)", Z, Z, [1, 1], [-1, -1]),
    ("np.multiply", "np.multiply(x, y)", Z, np.array([inf, 2.0]), [inf, 2.0], [0.0, -0.0]),
    ("np.divide", "np.divide(x, y)", np.array([0.0, 1.0]), np.array([2.0, 1e-200]),
     [0.5, 1e200], [-0.0, -inf]),
    ("np.true_divide", "np.true_divide(x, y)", np.array([0.0]), np.array([2.0]), [0.5],
     [-0.0]),
    ("np.power", "np.power(x, y)", np.array([0.0, 0.0, 0.0, 0.0, -2.0]),
     np.array([0.0, 0.5, 1.0, 2.0, 3.0]), [0.0, inf, 1.0, 0.0, 12.0],
     [0.0, 0.0, 0.0, 0.0, nan]),
    ("np.float_power", "np.float_power(x, y)", np.array([0.0, 0.0]), np.array([0.0, 2.0]),
     [0.0, 0.0], [0.0, 0.0]),
    ("pow", "x ** y", np.array([0.0, 0.0]), np.array([0.0, 3.0]), [0.0, 0.0], [0.0, 0.0]),
    ("builtins.pow", "pow(x, y)", np.array([0.0, 0.0]), np.array([0.0, 3.0]), [0.0, 0.0],
     [0.0, 0.0]),
    ("np.maximum", "np.maximum(x, y)", np.array([1.0, 0.0]), np.array([1.0, 0.0]),
     [0.5, 0.5], [0.5, 0.5]),
    ("np.minimum", "np.minimum(x, y)", np.array([1.0, 2.0]), np.array([1.0, 0.0]),
     [0.5, 0.0], [0.5, 1.0]),
    ("np.fmax", "np.fmax(x, y)", np.array([1.0, 1.0, nan]), np.array([1.0, nan, 1.0]),
     [0.0, 1.0, 0.0], [1.0, 0.0, 1.0]),
    ("np.fmin", "np.fmin(x, y)", np.array([1.0, 1.0, nan]), np.array([1.0, nan, 1.0]),
     [0.0, 1.0, 0.0], [1.0, 0.0, 1.0]),
    ("np.logaddexp", "np.logaddexp(x, y)", np.array([1000.0, 1000.0, -1000.0]),
     np.array([1000.0, 0.0, -1000.0]), [0.5, 1.0, 0.5], [0.5, 0.0, 0.5]),
    ("np.logaddexp2", "np.logaddexp2(x, y)", np.array([1000.0]), np.array([1000.0]), [0.5],
     [0.5]),
    # an infinite operand: the limit (inf - inf in exp(x - ans) was nan)
    ("np.logaddexp", "np.logaddexp(x, y)", np.array([inf, inf, -inf, 1.0]),
     np.array([0.0, inf, -inf, inf]), [1.0, 0.5, 0.5, 0.0], [0.0, 0.5, 0.5, 1.0]),
    ("np.logaddexp2", "np.logaddexp2(x, y)", np.array([inf, 2.0]), np.array([3.0, inf]),
     [1.0, 0.0], [0.0, 1.0]),
    ("np.heaviside", "np.heaviside(x, y)", np.array([0.0, -0.0, 2.0, -1.0]),
     np.array([0.5, 0.5, 0.5, 0.5]), [0.0] * 4, [1.0, 1.0, 0.0, 0.0]),
    # (|x| with y's sign: at x = +-0 the slope of |x| at 0, 1, times y's sign, -0.0's too)
    ("np.copysign", "np.copysign(x, y)", np.array([0.0, -0.0, 2.0, -1.0]),
     np.array([-1.0, 1.0, -0.0, 0.0]), [-1.0, 1.0, -1.0, -1.0], [0.0] * 4),
    # (the fills take the derivative where they fill: an array fill entry by entry)
    ("np.nan_to_num", "np.nan_to_num(x, nan=y, posinf=2.0 * y, neginf=-y)",
     np.array([nan, inf, -inf, 1.0]), np.array([0.5, 0.5, 0.5, 0.5]), [0.0, 0.0, 0.0, 1.0],
     [1.0, 2.0, -1.0, 0.0]),
    ("np.conjugate", "np.conjugate(x)", Z, None, [1.0, 1.0], None),
    ("np.sign", "np.sign(x)", np.array([0.0, -0.0, 2.0, -1.0]), None, [0.0] * 4, None),
    ("np.angle", "np.angle(x)", np.array([0.0, -0.0, 2.0, -1.0]), None, [0.0] * 4, None),
    ("np.deg2rad", "np.deg2rad(x)", Z, None, [math.pi / 180] * 2, None),
    ("np.rad2deg", "np.rad2deg(x)", Z, None, [180 / math.pi] * 2, None),
    ("np.radians", "np.radians(x)", Z, None, [math.pi / 180] * 2, None),
    ("np.degrees", "np.degrees(x)", Z, None, [180 / math.pi] * 2, None),
    ("mul", "x * y", np.array([0.0]), np.array([0.0]), [0.0], [0.0]),
    ("truediv", "x / y", np.array([0.0]), np.array([1e-300]), [1e300], [-0.0]),
    ("mod", "x % y", np.array([2.5]), np.array([1.0]), [1.0], [-2.0]),
    ("operator.pow", "operator.pow(x, y)", np.array([0.0, 0.0]), np.array([0.0, 3.0]),
     [0.0, 0.0], [0.0, 0.0]),
    ("operator.mul", "operator.mul(x, y)", np.array([0.0]), np.array([0.0]), [0.0], [0.0]),
    ("operator.truediv", "operator.truediv(x, y)", np.array([0.0]), np.array([1e-300]),
     [1e300], [-0.0]),
    ("operator.mod", "operator.mod(x, y)", np.array([2.5]), np.array([1.0]), [1.0], [-2.0]),
    ("np.mod", "np.mod(x, y)", np.array([2.5, -2.5]), np.array([1.0, 1.0]), [1.0, 1.0],
     [-2.0, 3.0]),
    ("np.remainder", "np.remainder(x, y)", np.array([2.5]), np.array([-1.0]), [1.0], [3.0]),
    ("np.clip", "np.clip(x, 0.0, 1.0)", np.array([0.0, 1.0, 0.5, 2.0]), None,
     [0.5, 0.5, 1.0, 0.0], None),
    ("np.clip", "np.clip(x, y, 1.0)", np.array([0.0, 0.5]), np.array([0.0, 0.7]),
     [0.5, 0.0], [0.5, 1.0]),
    ("np.clip", "np.clip(x, 1.0, y)", np.array([0.0]), np.array([0.5]), [0.0], [1.0]),
    # (the branch not taken has an infinite derivative at 0: it leaks nan, as in JAX)
    ("np.where", "np.where(x > 0, np.sqrt(np.abs(x)), 0.0)", np.array([0.0, 4.0]), None,
     [nan, 0.25], None),
    ("np.where", "np.where(x > 0, x * 2.0, x * 3.0)", Z, None, [3.0, 3.0], None),
    ("np.max", "np.max(x)", np.array([1.0, 3.0, 3.0, 2.0]), None, [0, 0.5, 0.5, 0], None),
    ("np.min", "np.min(x)", np.array([1.0, 1.0, 1.0]), None, [1 / 3] * 3, None),
    ("np.prod", "np.prod(x)", np.array([2.0, 0.0, 3.0]), None, [0.0, 6.0, 0.0], None),
    ("np.prod", "np.prod(x)", np.array([2.0, 0.0, 0.0, 3.0]), None, [0.0] * 4, None),
    ("np.cumprod", "np.sum(np.cumprod(x))", np.array([2.0, 0.0, 3.0]), None,
     [1.0, 8.0, 0.0], None),
    ("np.std", "np.std(x)", np.array([1.0, 1.0, 1.0]), None, [nan] * 3, None),
    ("np.var", "np.var(x)", np.array([1.0, 1.0, 1.0]), None, [0.0] * 3, None),
    ("np.std", "np.sum(np.std(x[:, None], axis=1))", np.array([1.0, 2.0]), None, [0.0, 0.0],
     None),  # (groups of one entry: std is 0 whatever x is)
    ("np.linalg.norm", "np.linalg.norm(x)", np.zeros(2), None, [0.0, 0.0], None),
    ("np.linalg.norm", "np.linalg.norm(x) ** 2", np.zeros(2), None, [0.0, 0.0], None),
    ("np.linalg.norm", "np.linalg.norm(x, 1)", np.array([0.0, -2.0]), None, [1.0, -1.0],
     None),
    ("np.linalg.norm", "np.linalg.norm(x, np.inf)", np.array([3.0, -3.0]), None,
     [0.5, -0.5], None),
    ("np.sort", "np.sum(np.sort(x) * np.array([1.0, 2.0, 3.0, 4.0]))",
     np.array([2.0, 1.0, 2.0, 0.0]), None, [3.0, 2.0, 4.0, 1.0], None),
    ("np.linalg.det", "np.linalg.det(np.reshape(x, (2, 2)))", np.array([1.0, 2.0, 2.0, 4.0]),
     None, [4.0, -2.0, -2.0, 1.0], None),
    ("np.linalg.det", "np.linalg.det(np.reshape(x, (2, 2)))", np.zeros(4), None, [0.0] * 4,
     None),
    ("np.sum", "np.sum(x ** 0 * 3.0 + x)", np.array([0.0, 1.5]), None, [1.0, 1.0], None),
    ("np.sum", "np.sum(np.abs(x) ** y)", np.array([0.0, 2.0]), np.array(3.0),
     [0.0, 12.0], 8 * math.log(2)),
    ("abs", "abs(x)", 0.0, None, 1.0, None),
    ("math.fabs", "math.fabs(x)", 0.0, None, 1.0, None),
    ("math.sqrt", "math.sqrt(x)", 0.0, None, inf, None),
    ("math.acos", "math.acos(x)", 1.0, None, -inf, None),
    ("math.asin", "math.asin(x)", -1.0, None, inf, None),
    ("math.atan2", "math.atan2(x, y)", 0.0, 0.0, nan, nan),
    ("math.hypot", "math.hypot(x, y)", 0.0, 0.0, nan, nan),
    ("math.pow", "math.pow(x, y)", 0.0, 2.0, 0.0, 0.0),
    ("math.pow", "math.pow(x, y)", 0.0, 0.0, 0.0, 0.0),
    ("math.log", "math.log(x)", 1e-300, None, 1e300, None),
    # the logistic sigmoid spelled out (`analysis.logistic_chains`): where exp(-x)
    # overflows the derivative is 0 (its chain's rules alone met 0 * inf there)
    ("logistic", "1.0 / (1.0 + np.exp(-x))", np.array([-800.0, 0.0, -30.0, 800.0]), None,
     [0.0, 0.25, math.exp(-30.0) / (1.0 + math.exp(-30.0)) ** 2, 0.0], None),
    ("logistic", "1 / (np.exp(-x) + 1)", np.array([-710.0, 2.0]), None,
     [0.0, math.exp(-2.0) / (1.0 + math.exp(-2.0)) ** 2], None),
    ("logistic", "1.0 / (1.0 + math.exp(-x))", -30.0, None,
     math.exp(-30.0) / (1.0 + math.exp(-30.0)) ** 2, None),
    ("max", "max(x, y)", 1.0, 1.0, 1.0, 0.0),
    ("min", "min(x, y)", 1.0, 1.0, 1.0, 0.0),
]


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    lines = ["import math", "import operator", "", "import numpy as np", ""]
    for k, (_, body, _x, y, _dx, _dy) in enumerate(ROWS):
        params = "x, y" if y is not None else "x"
        lines += [f"def row_{k}({params}):", f"    return np.sum({body})", ""]
        lines += [f"def each_{k}({params}):", f"    return {body}", ""]
    path = Path(tmp_path_factory.mktemp("special")) / "special_points.py"
    path.write_text("\n".join(lines))
    spec = importlib.util.spec_from_file_location("special_points", path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def _same(ours, expected) -> bool:
    ours, expected = np.asarray(ours, dtype=float), np.asarray(expected, dtype=float)
    finite = np.isfinite(expected)
    return ours.shape == expected.shape and \
        np.array_equal(np.isnan(ours), np.isnan(expected)) and \
        np.array_equal(ours[np.isinf(expected)], expected[np.isinf(expected)]) and \
        np.allclose(ours[finite], expected[finite], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("k", range(len(ROWS)), ids=[f"{r[0]}:{r[1]}" for r in ROWS])
def test_special_point(module, k):
    name, body, x, y, dx, dy = ROWS[k]
    fn = getattr(module, f"row_{k}")
    with np.errstate(all="ignore"):
        if y is None:
            ours = s2sad.grad(fn)(x)
            assert _same(ours, dx), f"{body} at {x}: d/dx {ours}, expected {dx}"
        else:
            gx, gy = s2sad.grad(fn, wrt=(0, 1))(x, y)
            assert _same(gx, dx), f"{body} at {x}, {y}: d/dx {gx}, expected {dx}"
            assert _same(gy, dy), f"{body} at {x}, {y}: d/dy {gy}, expected {dy}"


# Where forward mode differs from reverse mode, as in JAX: the tangent of the
# branch np.where does not take is dropped, while the adjoint 0 * inf is nan.
FORWARD = {"np.where(x > 0, np.sqrt(np.abs(x)), 0.0)": [0.0, 0.25]}


@pytest.mark.parametrize("k", range(len(ROWS)), ids=[f"{r[0]}:{r[1]}" for r in ROWS])
def test_special_point_forward(module, k):
    """Forward mode at the same points: a tangent of ones through the
    elementwise function gives each entry's derivative, the same convention."""
    name, body, x, y, dx, dy = ROWS[k]
    dx = FORWARD.get(body, dx)
    each = getattr(module, f"each_{k}")
    primals = (x,) if y is None else (x, y)
    for which, expected in ((0, dx), (1, dy)):
        if which >= len(primals):
            break
        tangents = [None] * len(primals)
        tangents[which] = np.ones_like(primals[which]) if isinstance(primals[which], np.ndarray) \
            else 1.0
        with np.errstate(all="ignore"):
            out, ours = s2sad.jvp(each, primals, tangents)
        if np.shape(out) == np.shape(primals[which]):
            assert _same(ours, expected), f"{body}: forward d/d{'xy'[which]} {ours}, " \
                f"expected {expected}"
        elif np.all(np.isfinite(expected)):
            assert _same(np.sum(ours), np.sum(expected)), f"{body}: forward {ours}"


def test_every_elementwise_rule_has_special_points():
    covered = {row[0] for row in ROWS}
    elementwise = {name for name, p in TABLE.items() if p.elementwise and p.vjp
                   and p.form in ("function", "operator") and not name.startswith("$")
                   and not name.startswith("scipy.")}  # (SciPy's: tests/test_scipy_rules.py)
    missing = elementwise - covered - {"add", "sub", "neg", "pos", "copy", "np.copy",
                                       "operator.add", "operator.sub", "operator.neg"}
    assert not missing, f"give these special-point rows: {sorted(missing)}"


# Second derivatives of products where one entry is small beside the others:
# dividing back twice (d(g ans / a)) cancels two huge terms on the diagonal
# (nan, inf, or 1e84 where 0 is right). Expected values multiply entries out.
def _exact_prod_hessian(x):
    n = len(x)
    return np.array([[0.0 if i == k else np.prod([x[j] for j in range(n) if j not in (i, k)])
                      for k in range(n)] for i in range(n)])


def _exact_cumprod_squares_hessian(x):
    """Of sum(cumprod(x) ** 2): 2 sum_k (dc_k/dx_i dc_k/dx_l + c_k d2c_k/dx_i dx_l)."""
    n = len(x)

    def without(k, skip):
        return np.prod([x[j] for j in range(k + 1) if j not in skip])

    h = np.zeros((n, n))
    for i in range(n):
        for m in range(n):
            for k in range(max(i, m), n):
                second = without(k, (i, m)) if i != m else 0.0
                h[i, m] += 2 * (without(k, (i,)) * without(k, (m,)) + without(k, ()) * second)
    return h


def prod_of(x):
    return np.prod(x)


def multiply_reduce_of(x):
    return np.multiply.reduce(x)


def cumprod_squares(x):
    return np.sum(np.cumprod(x) ** 2)


@pytest.mark.parametrize("x", [[1e-170, 2.0, 3.0], [1e-100, 2.0, 3.0], [1e-9, 2.0, -0.5],
                               [0.0, 2.0, 3.0], [0.5, 2.0, 3.0, 1.5], [1e-170]])
@pytest.mark.parametrize("fn, exact", [(prod_of, _exact_prod_hessian),
                                       (multiply_reduce_of, _exact_prod_hessian),
                                       (cumprod_squares, _exact_cumprod_squares_hessian)])
def test_second_derivatives_of_products_with_a_small_entry(x, fn, exact):
    x = np.array(x)
    expected = exact(x)
    scale = np.max(np.abs(expected)) or 1.0
    with np.errstate(divide="raise", over="raise", invalid="raise"):  # (no 0 * inf on the way)
        h = s2sad.hessian(fn)(x)
        v = np.linspace(1.0, 2.0, len(x))
        hv = s2sad.hvp(fn)(x, v)
    np.testing.assert_allclose(h, expected, rtol=1e-9, atol=1e-12 * scale)
    np.testing.assert_allclose(hv, expected @ v, rtol=1e-9, atol=1e-12 * scale)
