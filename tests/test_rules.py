"""Every differentiable entry of `s2sad.primitives`, checked against finite differences.

The table `ROWS` has one row per rule: the rule's name and the checks that
exercise it. A check is a scalar-valued function written with `def` (s2sad
needs its source), the arguments to call it with, and the arguments to
differentiate. Functions reduce their result with `np.sum(y * W(np.shape(y)))`:
fixed, uneven weights, so a transposed or permuted gradient cannot pass the
way it would under a plain sum.

Adding a rule means adding one row here; `test_every_rule_has_a_row` keeps the
table complete.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import s2sad
from s2sad import primitives

# Rules that Python source cannot reach, so finite differences cannot test them.
EXCLUDED = {
    # The identity primitive of the IR; no source construct lowers to it
    # (`y = x` just rebinds the name).
    "copy",
    # Conversions to single and half precision round any finite-difference
    # step away: test_low_precision_conversions checks them exactly.
    "np.float32", "np.float16", "np.complex64",
}


# ---------------------------------------------------------------- helpers


def W(shape: tuple) -> Any:
    """Fixed pseudo-random weights of `shape`, the same on every call."""
    size = int(np.prod(shape))
    weights = np.random.default_rng(17 + size).uniform(0.5, 1.5, size=size)
    weights *= np.where(np.arange(size) % 3 == 1, -1.0, 1.0)
    return weights.reshape(shape)


RNG = np.random.default_rng(20240601)


def rand(shape: tuple = (), lo: float = -1.0, hi: float = 1.0) -> Any:
    """Uniform draws; shape () gives a Python float, s2sad's plain scalar case."""
    x = RNG.uniform(lo, hi, size=shape)
    return float(x) if shape == () else x


def away(shape: tuple = (), kinks: tuple = (0.0,), lo: float = -2.0, hi: float = 2.0,
         gap: float = 0.15) -> Any:
    """Uniform draws at least `gap` from every kink, where finite differences would lie."""
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
    """Well-conditioned square matrices (random plus a multiple of the identity)."""
    return RNG.normal(size=batch + (n, n)) * 0.3 + 2.0 * np.eye(n)


UNARY_SHAPES = [(), (5,), (3, 4)]
BINARY_SHAPES = [
    ((), ()), ((5,), (5,)), ((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)),
    ((3, 1), (1, 4)), ((), (3,)), ((2, 3), ()),
]
# (shape, axis) pairs covering None, positive, negative and tuple axes.
REDUCE_AXES = [
    ((5,), None), ((5,), 0), ((3, 4), None), ((3, 4), 0), ((3, 4), 1), ((3, 4), -1),
    ((3, 4), (0, 1)), ((2, 3, 4), (0, 2)), ((2, 3, 4), -2),
]


def unary(lo: float = -1.0, hi: float = 1.0) -> list[tuple]:
    return [(rand(s, lo, hi),) for s in UNARY_SHAPES]


def binary(lo: float = -1.0, hi: float = 1.0, lo2: float | None = None,
           hi2: float | None = None) -> list[tuple]:
    lo2, hi2 = lo if lo2 is None else lo2, hi if hi2 is None else hi2
    return [(rand(a, lo, hi), rand(b, lo2, hi2)) for a, b in BINARY_SHAPES]


def reductions(lo: float = -1.0, hi: float = 1.0) -> list[tuple]:
    """(x, axis, keepdims) for every axis spelling, with and without keepdims."""
    return [(rand(s, lo, hi), axis, keepdims) for s, axis in REDUCE_AXES
            for keepdims in (False, True)]


def no_ties(shape: tuple) -> np.ndarray:
    """Distinct values, so max/min have a unique winner and are differentiable."""
    size = int(np.prod(shape))
    return (RNG.permutation(size) * 0.37 + RNG.uniform(0, 0.1, size)).reshape(shape) - 2.0


def extremum_cases() -> list[tuple]:
    return [(no_ties(s), axis, keepdims) for s, axis in REDUCE_AXES for keepdims in (False, True)]


@dataclass
class Check:
    fn: Callable
    args: tuple
    wrt: tuple[int, ...]
    xfail: str | None = None


@dataclass
class Row:
    rule: str
    checks: list[Check]


def checks(fn: Callable, cases: list[tuple], wrt: int | tuple = 0,
           xfail: str | None = None) -> list[Check]:
    wrt = (wrt,) if isinstance(wrt, int) else tuple(wrt)
    return [Check(fn, tuple(args), wrt, xfail) for args in cases]


def row(rule: str, fn: Callable, cases: list[tuple], wrt: int | tuple = 0,
        xfail: str | None = None) -> Row:
    return Row(rule, checks(fn, cases, wrt, xfail))


def check(fn: Callable, args: tuple, wrt: tuple[int, ...]) -> None:
    """Compare s2sad's gradient with central finite differences."""
    s2sad.check_grad(fn, *args, wrt=wrt[0] if len(wrt) == 1 else wrt)


# ---------------------------------------------------------------- operators


def op_add(x, y):
    z = x + y
    return np.sum(z * W(np.shape(z)))


def op_sub(x, y):
    z = x - y
    return np.sum(z * W(np.shape(z)))


def op_mul(x, y):
    z = x * y
    return np.sum(z * W(np.shape(z)))


def op_truediv(x, y):
    z = x / y
    return np.sum(z * W(np.shape(z)))


def op_pow(x, y):
    z = x**y
    return np.sum(z * W(np.shape(z)))


def op_pow_const(x):
    z = x**3 + x**0.5
    return np.sum(z * W(np.shape(z)))


def op_neg(x):
    z = -x
    return np.sum(z * W(np.shape(z)))


def op_pos(x):
    z = +(x * 2.0)
    return np.sum(z * W(np.shape(z)))


def op_matmul(a, b):
    z = a @ b
    return np.sum(z * W(np.shape(z)))


MATMUL_CASES = [
    (rand((3, 4)), rand((4, 2))), (rand((4,)), rand((4, 2))), (rand((3, 4)), rand((4,))),
    (rand((4,)), rand((4,))), (rand((2, 3, 4)), rand((4, 5))), (rand((2, 3, 4)), rand((2, 4, 5))),
    (rand((3, 4)), rand((2, 4, 5))), (rand((4,)), rand((2, 4, 3))), (rand((2, 3, 4)), rand((4,))),
]

OPERATORS = [
    row("add", op_add, binary(), wrt=(0, 1)),
    row("sub", op_sub, binary(), wrt=(0, 1)),
    row("mul", op_mul, binary(), wrt=(0, 1)),
    row("truediv", op_truediv, binary(-1, 1, 0.5, 2), wrt=(0, 1)),
    Row("pow", checks(op_pow, binary(0.5, 2, -1.5, 1.5), wrt=(0, 1))
        + checks(op_pow_const, unary(0.5, 2))),
    row("neg", op_neg, unary()),
    row("pos", op_pos, unary()),
    row("matmul", op_matmul, MATMUL_CASES, wrt=(0, 1)),
]


# ---------------------------------------------------------------- elementwise NumPy


def np_negative(x):
    y = np.negative(x)
    return np.sum(y * W(np.shape(y)))


def np_positive(x):
    y = np.positive(x)
    return np.sum(y * W(np.shape(y)))


def np_exp(x):
    y = np.exp(x)
    return np.sum(y * W(np.shape(y)))


def np_exp2(x):
    y = np.exp2(x)
    return np.sum(y * W(np.shape(y)))


def np_expm1(x):
    y = np.expm1(x)
    return np.sum(y * W(np.shape(y)))


def np_log(x):
    y = np.log(x)
    return np.sum(y * W(np.shape(y)))


def np_log2(x):
    y = np.log2(x)
    return np.sum(y * W(np.shape(y)))


def np_log10(x):
    y = np.log10(x)
    return np.sum(y * W(np.shape(y)))


def np_log1p(x):
    y = np.log1p(x)
    return np.sum(y * W(np.shape(y)))


def np_sqrt(x):
    y = np.sqrt(x)
    return np.sum(y * W(np.shape(y)))


def np_cbrt(x):
    y = np.cbrt(x)
    return np.sum(y * W(np.shape(y)))


def np_square(x):
    y = np.square(x)
    return np.sum(y * W(np.shape(y)))


def np_reciprocal(x):
    y = np.reciprocal(x)
    return np.sum(y * W(np.shape(y)))


def np_sin(x):
    y = np.sin(x)
    return np.sum(y * W(np.shape(y)))


def np_cos(x):
    y = np.cos(x)
    return np.sum(y * W(np.shape(y)))


def np_tan(x):
    y = np.tan(x)
    return np.sum(y * W(np.shape(y)))


def np_arcsin(x):
    y = np.arcsin(x)
    return np.sum(y * W(np.shape(y)))


def np_arccos(x):
    y = np.arccos(x)
    return np.sum(y * W(np.shape(y)))


def np_arctan(x):
    y = np.arctan(x)
    return np.sum(y * W(np.shape(y)))


def np_sinh(x):
    y = np.sinh(x)
    return np.sum(y * W(np.shape(y)))


def np_cosh(x):
    y = np.cosh(x)
    return np.sum(y * W(np.shape(y)))


def np_tanh(x):
    y = np.tanh(x)
    return np.sum(y * W(np.shape(y)))


def np_arcsinh(x):
    y = np.arcsinh(x)
    return np.sum(y * W(np.shape(y)))


def np_arccosh(x):
    y = np.arccosh(x)
    return np.sum(y * W(np.shape(y)))


def np_arctanh(x):
    y = np.arctanh(x)
    return np.sum(y * W(np.shape(y)))


def np_abs(x):
    y = np.abs(x)
    return np.sum(y * W(np.shape(y)))


def np_fabs(x):
    y = np.fabs(x)
    return np.sum(y * W(np.shape(y)))


def np_sinc(x):
    y = np.sinc(x)
    return np.sum(y * W(np.shape(y)))


def np_real(x):
    y = np.real(x)
    return np.sum(y * W(np.shape(y)))


def np_conjugate(x):
    y = np.conjugate(x)
    return np.sum(y * W(np.shape(y)))


# Of real numbers, these are steps (or zero); tests/test_complex.py checks
# them on complex numbers, where they move.
def np_imag(x):
    y = np.imag(x) + x
    return np.sum(y * W(np.shape(y)))


def np_sign(x):
    y = np.sign(x) + x
    return np.sum(y * W(np.shape(y)))


def np_copysign(x1, x2):
    z = np.copysign(x1, x2)
    return np.sum(z * W(np.shape(z)))


def np_nan_to_num(x, v):
    # (entries of x below 0.3 become nan or -inf, above 0.8 +inf: the fill numbers there)
    y = np.where(x < 0.3, np.where(x < -0.3, -np.inf, np.nan), np.where(x > 0.8, np.inf, x))
    z = np.nan_to_num(y * 1.0 + 0.5 * x, nan=v, posinf=2.0 * v, neginf=v * v)
    return np.sum(z * W(np.shape(z)))


def np_heaviside(x1, x2):
    y = np.heaviside(np.where(x1 > 0.5, 0.0, x1), x2) + x1  # (x1 at 0 for some entries)
    return np.sum(y * W(np.shape(y)))


def np_angle(x):
    y = np.angle(x) + np.angle(x, deg=True) + x
    return np.sum(y * W(np.shape(y)))


def np_deg2rad(x):
    y = np.deg2rad(x)
    return np.sum(y * W(np.shape(y)))


def np_radians(x):
    y = np.radians(x)
    return np.sum(y * W(np.shape(y)))


def np_rad2deg(x):
    y = np.rad2deg(x)
    return np.sum(y * W(np.shape(y)))


def np_degrees(x):
    y = np.degrees(x)
    return np.sum(y * W(np.shape(y)))


def np_arctan2(y, x):
    z = np.arctan2(y, x)
    return np.sum(z * W(np.shape(z)))


def np_hypot(x, y):
    z = np.hypot(x, y)
    return np.sum(z * W(np.shape(z)))


def np_add(x, y):
    z = np.add(x, y)
    return np.sum(z * W(np.shape(z)))


def np_subtract(x, y):
    z = np.subtract(x, y)
    return np.sum(z * W(np.shape(z)))


def np_multiply(x, y):
    z = np.multiply(x, y)
    return np.sum(z * W(np.shape(z)))


def np_divide(x, y):
    z = np.divide(x, y)
    return np.sum(z * W(np.shape(z)))


def np_true_divide(x, y):
    z = np.true_divide(x, y)
    return np.sum(z * W(np.shape(z)))


def np_power(x, y):
    z = np.power(x, y)
    return np.sum(z * W(np.shape(z)))


def np_float_power(x, y):
    z = np.float_power(x, y)
    return np.sum(z * W(np.shape(z)))


def np_maximum(x, y):
    z = np.maximum(x, y)
    return np.sum(z * W(np.shape(z)))


def np_minimum(x, y):
    z = np.minimum(x, y)
    return np.sum(z * W(np.shape(z)))


def np_fmax(x, y):
    z = np.fmax(x, y)
    return np.sum(z * W(np.shape(z)))


def np_fmin(x, y):
    z = np.fmin(x, y)
    return np.sum(z * W(np.shape(z)))


def np_logaddexp(x, y):
    z = np.logaddexp(x, y)
    return np.sum(z * W(np.shape(z)))


def np_logaddexp2(x, y):
    z = np.logaddexp2(x, y)
    return np.sum(z * W(np.shape(z)))


def np_clip_const(x):
    y = np.clip(x, -0.5, 0.5)
    return np.sum(y * W(np.shape(y)))


def np_clip_upper(x):
    y = np.clip(x, None, 0.5)
    return np.sum(y * W(np.shape(y)))


def np_clip(x, lo, hi):
    y = np.clip(x, lo, hi)
    return np.sum(y * W(np.shape(y)))


def np_where(x, y):
    z = np.where(x > 0.0, x, y)
    return np.sum(z * W(np.shape(z)))


def np_where_sin(x):
    z = np.where(x > 0.0, np.sin(x), x**2)
    return np.sum(z * W(np.shape(z)))


MAXMIN_CASES = [
    (away((3, 4), (0.0,)), 0.0), (away((5,), (0.3,)), away((5,), (-0.3,))),
    (away((3, 4), (0.0,)), away((4,), (1.0,), lo=0.5, hi=3.0)),
    (away((), (0.0,)), 0.0), (0.5, away((2, 3), (0.5,))),
]
CLIP_CASES = [
    (away((3, 4), (-0.5, 0.5)), away((4,), (-1.5,), -2.0, -1.0), away((4,), (1.5,), 1.0, 2.0)),
    (away((5,), (-0.5, 0.5), -3, 3), np.full(5, -0.5), np.full(5, 0.5)),
    (away((3, 4), (-0.5, 0.5), -1, 1), -0.5, 0.5),
]

ELEMENTWISE = [
    row("np.negative", np_negative, unary()),
    row("np.positive", np_positive, unary()),
    row("np.exp", np_exp, unary(-2, 2)),
    row("np.exp2", np_exp2, unary(-2, 2)),
    row("np.expm1", np_expm1, unary(-2, 2)),
    row("np.log", np_log, unary(0.5, 3)),
    row("np.log2", np_log2, unary(0.5, 3)),
    row("np.log10", np_log10, unary(0.5, 3)),
    row("np.log1p", np_log1p, unary(-0.5, 2)),
    row("np.sqrt", np_sqrt, unary(0.5, 3)),
    row("np.cbrt", np_cbrt, unary(0.5, 3) + [(away((4,), (0.0,), -3, 3),)]),
    row("np.square", np_square, unary(-2, 2)),
    row("np.reciprocal", np_reciprocal, unary(0.5, 3)),
    row("np.sin", np_sin, unary(-3, 3)),
    row("np.cos", np_cos, unary(-3, 3)),
    row("np.tan", np_tan, unary(-1.2, 1.2)),
    row("np.arcsin", np_arcsin, unary(-0.9, 0.9)),
    row("np.arccos", np_arccos, unary(-0.9, 0.9)),
    row("np.arctan", np_arctan, unary(-3, 3)),
    row("np.sinh", np_sinh, unary(-2, 2)),
    row("np.cosh", np_cosh, unary(-2, 2)),
    row("np.tanh", np_tanh, unary(-2, 2)),
    row("np.arcsinh", np_arcsinh, unary(-3, 3)),
    row("np.arccosh", np_arccosh, unary(1.5, 4)),
    row("np.arctanh", np_arctanh, unary(-0.8, 0.8)),
    row("np.abs", np_abs, [(away(s),) for s in UNARY_SHAPES]),
    row("np.fabs", np_fabs, [(away(s),) for s in UNARY_SHAPES]),
    row("np.sinc", np_sinc, unary(-2.5, 2.5) + [(np.array([0.0, 1.0, -0.5]),)]),
    row("np.real", np_real, unary()),
    row("np.imag", np_imag, unary()),
    row("np.sign", np_sign, [(away(s),) for s in UNARY_SHAPES]),
    row("np.copysign", np_copysign, [(away(a), away(b)) for a, b in BINARY_SHAPES], wrt=(0, 1)),
    Row("np.nan_to_num", checks(np_nan_to_num, [(away((6,), (-0.3, 0.3, 0.8)), 0.7),
                                                (away((2, 3), (-0.3, 0.3, 0.8)), -1.2)],
                                wrt=(0, 1))),
    row("np.heaviside", np_heaviside, [(away(a, (0.0, 0.5)), away(b)) for a, b in BINARY_SHAPES],
        wrt=(0, 1)),
    row("np.angle", np_angle, [(away(s),) for s in UNARY_SHAPES]),
    row("np.conjugate", np_conjugate, unary()),
    row("np.deg2rad", np_deg2rad, unary(-90, 90)),
    row("np.radians", np_radians, unary(-90, 90)),
    row("np.rad2deg", np_rad2deg, unary()),
    row("np.degrees", np_degrees, unary()),
    row("np.arctan2", np_arctan2, binary(0.5, 2, -2, 2), wrt=(0, 1)),
    row("np.hypot", np_hypot, binary(0.5, 2, -2, -0.5), wrt=(0, 1)),
    row("np.add", np_add, binary(), wrt=(0, 1)),
    row("np.subtract", np_subtract, binary(), wrt=(0, 1)),
    row("np.multiply", np_multiply, binary(), wrt=(0, 1)),
    row("np.divide", np_divide, binary(-1, 1, 0.5, 2), wrt=(0, 1)),
    row("np.true_divide", np_true_divide, binary(-1, 1, -2, -0.5), wrt=(0, 1)),
    row("np.power", np_power, binary(0.5, 2, -1.5, 1.5), wrt=(0, 1)),
    row("np.float_power", np_float_power, binary(0.5, 2, -1.5, 1.5), wrt=(0, 1)),
    row("np.maximum", np_maximum, MAXMIN_CASES, wrt=(0, 1)),
    row("np.minimum", np_minimum, MAXMIN_CASES, wrt=(0, 1)),
    row("np.fmax", np_fmax, MAXMIN_CASES, wrt=(0, 1)),
    row("np.fmin", np_fmin, MAXMIN_CASES, wrt=(0, 1)),
    row("np.logaddexp", np_logaddexp, binary(-2, 2), wrt=(0, 1)),
    row("np.logaddexp2", np_logaddexp2, binary(-2, 2), wrt=(0, 1)),
    Row("np.clip", checks(np_clip_const, [(away(s, (-0.5, 0.5)),) for s in UNARY_SHAPES])
        + checks(np_clip_upper, [(away((3, 4), (0.5,)),)])
        + checks(np_clip, CLIP_CASES[:2], wrt=(0, 1, 2))
        + checks(np_clip, CLIP_CASES[2:])),
    Row("np.where", checks(np_where, [(away(a), rand(b)) for a, b in BINARY_SHAPES],
                           wrt=(0, 1))
        + checks(np_where_sin, [(away(s),) for s in UNARY_SHAPES])),
]


# ---------------------------------------------------------------- math module and builtins


def math_sin(x):
    return math.sin(x) * 1.5


def math_cos(x):
    return math.cos(x) * 1.5


def math_tan(x):
    return math.tan(x) * 1.5


def math_asin(x):
    return math.asin(x) * 1.5


def math_acos(x):
    return math.acos(x) * 1.5


def math_atan(x):
    return math.atan(x) * 1.5


def math_atan2(y, x):
    return math.atan2(y, x) * 1.5


def math_sinh(x):
    return math.sinh(x) * 1.5


def math_cosh(x):
    return math.cosh(x) * 1.5


def math_tanh(x):
    return math.tanh(x) * 1.5


def math_exp(x):
    return math.exp(x) * 1.5


def math_expm1(x):
    return math.expm1(x) * 1.5


def math_log(x):
    return math.log(x) * 1.5


def math_log2(x):
    return math.log2(x) * 1.5


def math_log10(x):
    return math.log10(x) * 1.5


def math_log1p(x):
    return math.log1p(x) * 1.5


def math_sqrt(x):
    return math.sqrt(x) * 1.5


def math_pow(x, y):
    return math.pow(x, y) * 1.5


def math_hypot(x, y):
    return math.hypot(x, y) * 1.5


def math_fabs(x):
    return math.fabs(x) * 1.5


def math_fsum(x, y):
    return math.fsum([x, y * 2.0, x * y]) * 1.5


def math_erf(x):
    return math.erf(x) * 1.5


def math_erfc(x):
    return math.erfc(x) * 1.5


def builtin_abs(x):
    y = abs(x)
    return np.sum(y * W(np.shape(y)))


def builtin_float(x):
    return float(np.sum(x * W(np.shape(x)))) * 2.0


def builtin_complex(x, y):
    z = complex(x, y) * (0.5 - 2.0j)
    return z.real + abs(z) + complex(y).imag


def builtin_max(a, b):
    return max(a, b) * 1.5 + max([a * 2.0, b, 0.1]) + max(np.array([a, b * 3.0])) + \
        max([v for v in (a, b) if v > 0.0], default=a * b)  # (no item over 0: the default)


def builtin_min(a, b):
    return min(a, b) * 1.5 + min([a * 2.0, b, 0.1]) + min(a, b, a * b) + \
        min((v * 2.0 for v in (a, b) if v < 0.0), default=b * 3.0)


def iterate_rows(x):
    total = 0.0
    for row in x:  # `for` over an argument goes through iteration_items
        total = total + np.sum(np.sin(row) * W(np.shape(row)))
    return total


def iterate_reversed(x):
    total = 0.0
    for k, row in enumerate(reversed(x)):  # reversed_items: a view of x in reverse
        total = total + (k + 1.0) * np.sum(np.sin(row) * W(np.shape(row)))
    rows = list(reversed([x, 2.0 * x]))  # (of a list: the items in reverse)
    return total + np.sum(rows[0] * np.cos(rows[1]))




def scalars(lo: float, hi: float, n: int = 3) -> list[tuple]:
    return [(rand((), lo, hi),) for _ in range(n)]


def scalar_pairs(lo: float, hi: float, lo2: float, hi2: float) -> list[tuple]:
    return [(rand((), lo, hi), rand((), lo2, hi2)) for _ in range(3)]


MATH = [
    row("math.sin", math_sin, scalars(-3, 3)),
    row("math.cos", math_cos, scalars(-3, 3)),
    row("math.tan", math_tan, scalars(-1.2, 1.2)),
    row("math.asin", math_asin, scalars(-0.9, 0.9)),
    row("math.acos", math_acos, scalars(-0.9, 0.9)),
    row("math.atan", math_atan, scalars(-3, 3)),
    row("math.atan2", math_atan2, scalar_pairs(-2, 2, 0.5, 2), wrt=(0, 1)),
    row("math.sinh", math_sinh, scalars(-2, 2)),
    row("math.cosh", math_cosh, scalars(-2, 2)),
    row("math.tanh", math_tanh, scalars(-2, 2)),
    row("math.exp", math_exp, scalars(-2, 2)),
    row("math.expm1", math_expm1, scalars(-2, 2)),
    row("math.log", math_log, scalars(0.5, 3)),
    row("math.log2", math_log2, scalars(0.5, 3)),
    row("math.log10", math_log10, scalars(0.5, 3)),
    row("math.log1p", math_log1p, scalars(-0.5, 2)),
    row("math.sqrt", math_sqrt, scalars(0.5, 3)),
    row("math.pow", math_pow, scalar_pairs(0.5, 2, -1.5, 1.5), wrt=(0, 1)),
    row("math.hypot", math_hypot, scalar_pairs(0.5, 2, -2, -0.5), wrt=(0, 1)),
    row("math.fsum", math_fsum, scalar_pairs(-2, 2, -2, 2), wrt=(0, 1)),
    row("math.fabs", math_fabs, [(away(),) for _ in range(3)]),
    row("math.erf", math_erf, scalars(-2, 2)),
    row("math.erfc", math_erfc, scalars(-2, 2)),
    row("abs", builtin_abs, [(away(s),) for s in UNARY_SHAPES]),
    row("float", builtin_float, [(rand((3,)),), (rand((2, 2)),)]),
    row("complex", builtin_complex, [(rand(), rand()), (away(), away())], wrt=(0, 1)),
    row("max", builtin_max, [(0.7, -0.4), (-0.4, 0.7), (-1.2, -0.3)], wrt=(0, 1)),
    row("min", builtin_min, [(0.7, -0.4), (-0.4, 0.7), (-1.2, -0.3), (0.5, 1.4)], wrt=(0, 1)),
    row("iteration_items", iterate_rows, [(rand((3,)),), (rand((2, 3)),), (rand((4, 1, 2)),)]),
    row("reversed_items", iterate_reversed, [(rand((3,)),), (rand((2, 3)),),
                                             (rand((4, 1, 2)),)]),
]


# ---------------------------------------------------------------- reductions


def np_sum(x, axis, keepdims):
    y = np.sum(x, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_nansum(x, axis, keepdims):
    y = np.nansum(np.where(x > 0.8, np.nan, x), axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_nanmean(x, axis, keepdims):
    y = np.nanmean(np.where(x > 0.8, np.nan, x), axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_quantile(x, q, axis, keepdims):
    y = np.quantile(x, q, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_percentile(x, q, axis, keepdims):
    y = np.percentile(x, q, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_median(x, axis, keepdims):
    y = np.median(x, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


# (distinct entries: a quantile's derivative jumps where two entries swap places)
QUANTILE_CASES = [(no_ties(s), q, axis, keepdims) for (s, axis), q, keepdims in [
    (((5,), None), 0.3, False), (((3, 4), 0), 0.5, True), (((3, 4), -1), [0.1, 0.95], False),
    (((2, 3, 4), (0, 2)), [[0.2], [0.7]], True), (((3, 4), None), 1.0, False),
    (((3, 4), 1), 0.0, False)]]
MEDIAN_CASES = [(no_ties(s), axis, keepdims) for s, axis in REDUCE_AXES
                for keepdims in (False, True)]


def np_mean(x, axis, keepdims):
    y = np.mean(x, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_prod(x, axis, keepdims):
    y = np.prod(x, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def ufunc_reduce(x, axis, keepdims):
    # (the ufuncs' reduce: along axis 0 unless told; ties avoided by no_ties)
    y = np.add.reduce(x, axis=axis, keepdims=keepdims) if axis != 0 else np.add.reduce(x)
    return np.sum(y * W(np.shape(y)))


def ufunc_multiply_reduce(x, axis, keepdims):
    y = np.multiply.reduce(x, axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def ufunc_maximum_reduce(x, axis, keepdims):
    y = np.maximum.reduce(x, axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def ufunc_minimum_reduce(x, axis, keepdims):
    y = np.minimum.reduce(x, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def ufunc_add_accumulate(x, axis):
    y = np.add.accumulate(x, axis)
    return np.sum(y * W(np.shape(y)))


def ufunc_multiply_accumulate(x, axis):
    y = np.multiply.accumulate(x, axis=axis)
    return np.sum(y * W(np.shape(y)))


def ufunc_add_outer(x, y):
    z = np.add.outer(x, y)
    return np.sum(z * z * W(np.shape(z)))


def ufunc_subtract_outer(x, y):
    z = np.subtract.outer(x, y)
    return np.sum(z * z * W(np.shape(z)))


def np_ptp(x, axis, keepdims):
    y = np.ptp(x, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_max(x, axis, keepdims):
    y = np.max(x, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_min(x, axis, keepdims):
    y = np.min(x, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_amax(x, axis, keepdims):
    y = np.amax(x, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_amin(x, axis, keepdims):
    y = np.amin(x, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_var(x, axis, keepdims):
    y = np.var(x, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_var_ddof(x, axis, keepdims):
    y = np.var(x, axis=axis, ddof=1, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_std(x, axis, keepdims):
    y = np.std(x, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_std_ddof(x, axis, keepdims):
    y = np.std(x, axis=axis, ddof=1, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_cumsum(x, axis):
    y = np.cumsum(x, axis=axis)
    return np.sum(y * W(np.shape(y)))


def np_cumprod(x, axis):
    y = np.cumprod(x, axis=axis)
    return np.sum(y * W(np.shape(y)))


def np_norm(x, ord, axis, keepdims):
    y = np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def np_trace(a, offset, axis1, axis2):
    y = np.trace(a, offset, axis1, axis2)
    return np.sum(y * W(np.shape(y)))


def np_diff(a, n, axis):
    y = np.diff(a, n=n, axis=axis)
    return np.sum(y * W(np.shape(y)))


def nonzero(shape: tuple, lo: float = 0.5, hi: float = 1.5) -> np.ndarray:
    """Entries with magnitude in [lo, hi] and random signs."""
    return RNG.uniform(lo, hi, size=shape) * RNG.choice([-1.0, 1.0], size=shape)


CUMULATIVE_AXES = [((5,), None), ((5,), 0), ((3, 4), None), ((3, 4), 0), ((3, 4), 1),
                   ((2, 3, 4), -1)]
WITH_ZEROS = [np.array([0.5, 0.0, 2.0, -1.5]), np.array([[0.0, 1.5, 0.0], [2.0, -0.5, 1.2]])]
CUMPROD_CASES = [(nonzero(s), a) for s, a in CUMULATIVE_AXES] + [
    (WITH_ZEROS[0], None), (WITH_ZEROS[0], 0), (WITH_ZEROS[1], 1), (WITH_ZEROS[1], 0),
    (WITH_ZEROS[1], None),
]
PROD_CASES = (
    [(nonzero(s), axis, kd) for s, axis in REDUCE_AXES for kd in (False, True)]
    + [(WITH_ZEROS[0], None, False), (WITH_ZEROS[1], 1, False), (WITH_ZEROS[1], None, True),
       (WITH_ZEROS[1], 0, False)]
)
NORM_CASES = [
    (rand((5,)), None, None, False), (rand((3, 4)), None, None, False),
    (rand((3, 4)), "fro", None, False), (rand((3, 4)), None, 1, False),
    (rand((3, 4)), None, 0, True), (rand((2, 3, 4)), None, -1, False),
    (rand((3, 4)), 2, 1, False), (away((5,)), 1, None, False), (away((3, 4)), 1, 0, False),
    (no_ties((6,)), np.inf, None, False), (no_ties((3, 4)), np.inf, 1, True),
    (rand((3, 4)), None, (0, 1), False), (away((5,), lo=0.3), 3, None, False),
    (away((3, 4), lo=0.3), 0.5, 1, False), (away((3, 4)), -1, 0, True),
    (no_ties((6,)), -np.inf, None, False), (away((4,)), 0, None, False),
    (no_ties((3, 4)), 1, None, False), (no_ties((3, 4)), -1, None, False),
    (no_ties((3, 4)), np.inf, None, False), (no_ties((3, 4)), -np.inf, None, True),
    (rand((3, 4)), 2, None, False), (rand((4, 3)), -2, None, False),
    (rand((3, 4)), "nuc", None, False), (rand((2, 3, 4)), "nuc", (2, 1), False),
    (rand((3, 2, 4)), 2, (0, 2), True), (no_ties((2, 3, 4)), 1, (1, 2), False),
]
TRACE_CASES = [
    (rand((3, 3)), 0, 0, 1), (rand((3, 4)), 1, 0, 1), (rand((4, 3)), -1, 0, 1),
    (rand((2, 3, 3)), 0, 1, 2), (rand((3, 2, 3)), 0, 0, 2), (rand((3, 3, 2)), 1, 0, 1),
]
DIFF_CASES = [(rand((6,)), 1, -1), (rand((6,)), 2, -1), (rand((3, 4)), 1, 0),
              (rand((3, 4)), 2, 1), (rand((2, 3, 4)), 1, 1)]

REDUCTIONS = [
    row("np.sum", np_sum, reductions()),
    row("np.mean", np_mean, reductions()),
    row("np.nansum", np_nansum, reductions()),
    row("np.nanmean", np_nanmean, [(x, axis, keepdims) for x, axis, keepdims in reductions(-1, 0.7)]
        + [(np.array([[0.9, 0.2], [0.3, 0.4]]), 0, False)]),
    row("np.quantile", np_quantile, QUANTILE_CASES),
    row("np.percentile", np_percentile,
        [(x, np.multiply(q, 100.0), axis, keepdims) for x, q, axis, keepdims in QUANTILE_CASES]),
    row("np.median", np_median, MEDIAN_CASES),
    row("np.prod", np_prod, PROD_CASES),
    row("np.max", np_max, extremum_cases()),
    row("np.ptp", np_ptp, extremum_cases()),
    row("np.add.reduce", ufunc_reduce, [(rand((3, 4)), 0, False), (rand((3, 4)), 1, True),
                                        (rand((2, 3, 4)), -1, False), (rand((5,)), 0, False),
                                        (rand((2, 3, 4)), None, False)]),
    row("np.multiply.reduce", ufunc_multiply_reduce, [
        (rand((3, 4)), 0, False), (rand((3, 4)), -1, True), (rand((2, 3, 2)), (0, 2), False)]),
    row("np.maximum.reduce", ufunc_maximum_reduce, [
        (no_ties((3, 4)), 0, False), (no_ties((3, 4)), 1, True), (no_ties((5,)), 0, False)]),
    row("np.minimum.reduce", ufunc_minimum_reduce, [
        (no_ties((3, 4)), 0, True), (no_ties((2, 3, 4)), -2, False)]),
    row("np.add.accumulate", ufunc_add_accumulate, [(rand((3, 4)), 0), (rand((3, 4)), 1),
                                                    (rand((5,)), -1)]),
    row("np.multiply.accumulate", ufunc_multiply_accumulate, [(rand((3, 4)), 0),
                                                              (rand((2, 3, 2)), -1)]),
    row("np.add.outer", ufunc_add_outer, [(rand((3,)), rand((4,))), (rand((2, 3)), rand((2,))),
                                          (rand(()), rand((3,)))], wrt=(0, 1)),
    row("np.subtract.outer", ufunc_subtract_outer, [(rand((3,)), rand((4,))),
                                                    (rand((2,)), rand((2, 3)))], wrt=(0, 1)),
    row("np.min", np_min, extremum_cases()),
    row("np.amax", np_amax, extremum_cases()[:6]),
    row("np.amin", np_amin, extremum_cases()[:6]),
    Row("np.var", checks(np_var, reductions()) + checks(np_var_ddof, reductions()[4:])),
    Row("np.std", checks(np_std, reductions()) + checks(np_std_ddof, reductions()[4:])),
    row("np.cumsum", np_cumsum, [(rand(s), a) for s, a in CUMULATIVE_AXES]),
    row("np.cumprod", np_cumprod, CUMPROD_CASES),
    row("np.linalg.norm", np_norm, NORM_CASES),
    row("np.trace", np_trace, TRACE_CASES),
    row("np.diff", np_diff, DIFF_CASES),
]


# ---------------------------------------------------------------- linear algebra


def np_matmul(a, b):
    z = np.matmul(a, b)
    return np.sum(z * W(np.shape(z)))


def np_dot(a, b):
    z = np.dot(a, b)
    return np.sum(z * W(np.shape(z)))


def np_outer(a, b):
    z = np.outer(a, b)
    return np.sum(z * W(np.shape(z)))


def np_average(a, weights, axis, keepdims):
    z = np.average(a, axis, weights, keepdims=keepdims)
    return np.sum(z * W(np.shape(z)))


def np_cov(m, rowvar, bias, ddof):
    z = np.cov(m, rowvar=rowvar, bias=bias, ddof=ddof)
    return np.sum(z * W(np.shape(z)))


def np_pad(a, width):
    z = np.pad(a, width, constant_values=2.0)
    return np.sum(z * W(np.shape(z)))


def np_trapezoid(y, x, dx, axis):
    z = np.trapezoid(y, x, dx, axis)
    return np.sum(z * W(np.shape(z)))


def np_kron(a, b):
    z = np.kron(a, b)
    return np.sum(z * W(np.shape(z)))


def np_polyval(p, x):
    z = np.polyval(p, x)
    return np.sum(z * W(np.shape(z)))


def np_inner(a, b):
    z = np.inner(a, b)
    return np.sum(z * W(np.shape(z)))


def np_vdot(a, b):
    return np.vdot(a, b) * 1.5


def np_tensordot(a, b, axes):
    z = np.tensordot(a, b, axes)
    return np.sum(z * W(np.shape(z)))


def np_tensordot_default(a, b):
    z = np.tensordot(a, b)
    return np.sum(z * W(np.shape(z)))


def np_einsum1(subscripts, a):
    z = np.einsum(subscripts, a)
    return np.sum(z * W(np.shape(z)))


def np_einsum2(subscripts, a, b):
    z = np.einsum(subscripts, a, b)
    return np.sum(z * W(np.shape(z)))


def np_einsum3(subscripts, a, b, c):
    z = np.einsum(subscripts, a, b, c)
    return np.sum(z * W(np.shape(z)))


def np_cross(a, b):
    z = np.cross(a, b)
    return np.sum(z * W(np.shape(z)))


def np_inv(a):
    z = np.linalg.inv(a)
    return np.sum(z * W(np.shape(z)))


def np_solve(a, b):
    z = np.linalg.solve(a, b)
    return np.sum(z * W(np.shape(z)))


def np_det(a):
    z = np.linalg.det(a)
    return np.sum(z * W(np.shape(z)))


def np_slogdet(a):
    sign, logdet = np.linalg.slogdet(a)
    return np.sum(logdet * W(np.shape(logdet)))


def np_slogdet_indexed(a):
    result = np.linalg.slogdet(a)
    return result[1] * 2.0 + result[0]


DOT_CASES = [
    (rand((4,)), rand((4,))), (rand((3, 4)), rand((4,))), (rand((4,)), rand((4, 3))),
    (rand((3, 4)), rand((4, 2))), (rand(()), rand((3, 2))), (rand((3,)), rand(())),
    (rand((2, 3, 4)), rand((4, 5))), (rand((3, 4)), rand((2, 4, 5))),
    (rand((2, 3, 4)), rand((4,))), (rand((2, 3)), rand((2, 3, 4))),
]
INNER_CASES = [
    (rand((4,)), rand((4,))), (rand((3, 4)), rand((4,))), (rand((4,)), rand((3, 4))),
    (rand((3, 4)), rand((2, 4))), (rand(()), rand((3, 2))), (rand((2, 3, 4)), rand((5, 4))),
]
TENSORDOT_CASES = [
    (rand((3, 4)), rand((4, 5)), 1), (rand((2, 3, 4)), rand((3, 4, 5)), 2),
    (rand((3, 4)), rand((3, 4)), 2), (rand((3, 4, 2)), rand((4, 3)), ([1, 0], [0, 1])),
    (rand((3, 4)), rand((5, 3)), ([0], [1])), (rand((2, 3)), rand((4,)), 0),
    (rand((3, 4, 2)), rand((2, 4)), ((2, 1), (0, 1))),
]
EINSUM1_CASES = [("ii->", rand((3, 3))), ("ij->", rand((3, 4))), ("ij->ji", rand((3, 4))),
                 ("ii->i", rand((3, 3))), ("ij->i", rand((3, 4))), ("ijk->kj", rand((2, 3, 4))),
                 ("i...->...", rand((3, 2, 4))), ("...ii->...i", rand((2, 3, 3))),
                 ("iji->j", rand((2, 3, 2)))]
EINSUM2_CASES = [
    ("ij,jk->ik", rand((3, 4)), rand((4, 2))), ("ij,jk", rand((3, 4)), rand((4, 2))),
    ("i,i", rand((4,)), rand((4,))), ("ij,j->i", rand((3, 4)), rand((4,))),
    ("i,j->ij", rand((3,)), rand((4,))), ("bij,bjk->bik", rand((2, 3, 4)), rand((2, 4, 2))),
    ("ij,ij->", rand((3, 4)), rand((3, 4))), ("ij,k->ik", rand((3, 4)), rand((2,))),
    ("...ij,...jk->...ik", rand((2, 3, 4)), rand((2, 4, 2))),
    ("...ij,jk", rand((2, 3, 4)), rand((4, 2))), ("...i,...i->...", rand((2, 1, 4)), rand((3, 4))),
    ("i...,i...", rand((3, 1)), rand((3, 2))),
]
EINSUM3_CASES = [("ij,jk,k->i", rand((2, 3)), rand((3, 4)), rand((4,)))]

def np_multi_dot(a, b, c):
    y = np.linalg.multi_dot([a, b, c, c.T[:, :1]]) if np.ndim(c) == 2 else \
        np.linalg.multi_dot([a, b, c])
    return np.sum(np.sin(y) * W(np.shape(y)))


def np_multi_dot_two(a, b):
    y = np.linalg.multi_dot((a, b))
    return np.sum(y * y * W(np.shape(y)))


LINALG = [
    row("np.matmul", np_matmul, MATMUL_CASES, wrt=(0, 1)),
    row("np.dot", np_dot, DOT_CASES, wrt=(0, 1)),
    row("np.outer", np_outer, [(rand((3,)), rand((4,))), (rand((2, 3)), rand((4,))),
                               (rand(()), rand((3,)))], wrt=(0, 1)),
    row("np.inner", np_inner, INNER_CASES, wrt=(0, 1)),
    Row("np.average", checks(np_average, [(rand((3, 4)), rand((4,), 0.5, 2.0), 1, False),
                                          (rand((3, 4)), rand((3, 4), 0.5, 2.0), None, False),
                                          (rand((2, 3)), rand((2,), 0.5, 2.0), 0, True)],
                             wrt=(0, 1))
        + checks(np_average, [(rand((3, 4)), None, -1, True), (rand((5,)), None, None, False)],
                 wrt=0)),
    row("np.cov", np_cov, [(rand((3, 5)), True, False, None), (rand((5, 2)), False, False, None),
                           (rand((6,)), True, True, None), (rand((3, 5)), True, False, 2),
                           (rand((1, 4)), True, False, None)]),
    row("np.pad", np_pad, [(rand((3,)), 2), (rand((2, 3)), ((1, 0), (0, 2))),
                           (rand((2, 3)), (1, 2)), (rand(()), 1)]),
    Row("np.trapezoid", checks(np_trapezoid, [(rand((5,)), None, 0.3, -1)], wrt=0)
        + checks(np_trapezoid, [(rand((3, 4)), rand((4,)), 1.0, -1),
                                (rand((3, 4)), rand((3, 4)), 1.0, 0)], wrt=(0, 1))
        + checks(np_trapezoid, [(rand((3, 4)), None, rand(()), 1)], wrt=(0, 2))),
    row("np.kron", np_kron, [(rand((2, 3)), rand((3, 2))), (rand((3,)), rand((2, 2))),
                             (rand((2, 1, 3)), rand((2,))), (rand(()), rand((3,)))], wrt=(0, 1)),
    row("np.polyval", np_polyval, [(rand((4,)), rand((5,))), (rand((3,)), rand((2, 3))),
                                   (rand((1,)), rand((3,))), (rand((4,)), rand(())),
                                   (rand((3,)), np.array([0.0, 0.5]))], wrt=(0, 1)),
    row("np.vdot", np_vdot, [(rand((4,)), rand((4,))), (rand((3, 4)), rand((3, 4))),
                             (rand((2, 3)), rand((6,)))], wrt=(0, 1)),
    Row("np.tensordot", checks(np_tensordot, TENSORDOT_CASES, wrt=(0, 1))
        + checks(np_tensordot_default, [(rand((2, 3, 4)), rand((3, 4, 2)))], wrt=(0, 1))),
    Row("np.einsum", checks(np_einsum1, EINSUM1_CASES, wrt=1)
        + checks(np_einsum2, EINSUM2_CASES, wrt=(1, 2))
        + checks(np_einsum3, EINSUM3_CASES, wrt=(1, 2, 3))),
    row("np.cross", np_cross, [(rand((3,)), rand((3,))), (rand((4, 3)), rand((4, 3))),
                               (rand((4, 3)), rand((3,)))], wrt=(0, 1)),
    row("np.linalg.inv", np_inv, [(spd(3),), (spd(2),), (spd(3, (2,)),)]),
    Row("np.linalg.multi_dot", checks(np_multi_dot, [
        (rand((2, 3)), rand((3, 4)), rand((4, 2))), (rand((3,)), rand((3, 4)), rand((4,))),
        (rand((3,)), rand((3, 2)), rand((2, 5)))], wrt=(0, 1, 2))
        + checks(np_multi_dot_two, [(rand((3,)), rand((3, 2))), (rand((2, 3)), rand((3,)))],
                 wrt=(0, 1))),
    row("np.linalg.solve", np_solve, [(spd(3), rand((3,))), (spd(3), rand((3, 2))),
                                      (spd(3, (2,)), rand((2, 3, 2))), (spd(3, (2,)), rand((3,))),
                                      (spd(3), rand((2, 3, 2)))], wrt=(0, 1)),
    row("np.linalg.det", np_det, [(spd(3),), (spd(2),), (spd(3, (2,)),), (-spd(3),)]),
    Row("np.linalg.slogdet", checks(np_slogdet, [(spd(3),), (-spd(3),), (spd(2, (3,)),)])
        + checks(np_slogdet_indexed, [(spd(3),), (-spd(3),)])),
]


# ---------------------------------------------------------------- shapes


def np_reshape(x):
    y = np.reshape(x, (4, 3))
    return np.sum(y * W(np.shape(y)))


def np_reshape_infer(x):
    y = np.reshape(x, (2, -1))
    return np.sum(y * W(np.shape(y)))


def np_reshape_flat(x):
    y = np.reshape(x, -1)
    return np.sum(y * W(np.shape(y)))


def np_ravel(x):
    y = np.ravel(x)
    return np.sum(y * W(np.shape(y)))


def np_transpose(x):
    y = np.transpose(x)
    return np.sum(y * W(np.shape(y)))


def np_transpose_axes(x):
    y = np.transpose(x, (1, 2, 0))
    return np.sum(y * W(np.shape(y)))


def np_swapaxes(x):
    y = np.swapaxes(x, 0, -1)
    return np.sum(y * W(np.shape(y)))


def np_moveaxis(x):
    y = np.moveaxis(x, 0, -1)
    return np.sum(y * W(np.shape(y)))


def np_expand_dims(x, axis):
    y = np.expand_dims(x, axis)
    return np.sum(y * W(np.shape(y)))


def np_squeeze(x, axis):
    y = np.squeeze(x, axis)
    return np.sum(y * W(np.shape(y)))


def np_atleast_1d(x):
    y = np.atleast_1d(x)
    return np.sum(y * W(np.shape(y)))


def np_atleast_2d(x):
    y = np.atleast_2d(x)
    return np.sum(y * W(np.shape(y)))


def np_broadcast_to(x, shape):
    y = np.broadcast_to(x, shape)
    return np.sum(y * W(np.shape(y)))


def np_flip(x, axis):
    y = np.flip(x, axis)
    return np.sum(y * W(np.shape(y)))


def np_fliplr(x):
    y = np.fliplr(x)
    return np.sum(y * W(np.shape(y)))


def np_flipud(x):
    y = np.flipud(x)
    return np.sum(y * W(np.shape(y)))


def np_roll(x, shift, axis):
    y = np.roll(x, shift, axis)
    return np.sum(y * W(np.shape(y)))


def np_tile(x, reps):
    y = np.tile(x, reps)
    return np.sum(y * W(np.shape(y)))


def np_repeat(x, repeats, axis):
    y = np.repeat(x, repeats, axis)
    return np.sum(y * W(np.shape(y)))


def copy_copy(x):
    y = copy.copy(x)
    y[..., 0] = 2.0 * y[..., 0]  # (a copy: x stays as it was)
    return np.sum(np.sin(y) * W(np.shape(y))) + np.sum(x * x)


def copy_deepcopy(x):
    pieces = copy.deepcopy([x, {"a": x * 2.0}])
    return np.sum(pieces[0] * pieces[1]["a"] * W(np.shape(x)))


def np_split(x, sections, axis):
    parts = np.split(x, sections, axis=axis)
    return sum(np.sum(np.sin(p) * W(np.shape(p))) * (k + 1.0) for k, p in enumerate(parts))


def np_array_split(x, sections, axis):
    parts = np.array_split(x, sections, axis=axis)
    return sum(np.sum(p * p * W(np.shape(p))) * (k + 1.0) for k, p in enumerate(parts[:-1]))


def np_concatenate(x, y, axis):
    z = np.concatenate([x, y * 2.0, x], axis=axis)
    return np.sum(z * W(np.shape(z)))


def np_concatenate_tuple(x, y):
    z = np.concatenate((x, y))
    return np.sum(z * W(np.shape(z)))


def np_stack(x, y, axis):
    z = np.stack([x, y, x * y], axis=axis)
    return np.sum(z * W(np.shape(z)))


def np_hstack(x, y):
    z = np.hstack([x, y])
    return np.sum(z * W(np.shape(z)))


def np_vstack(x, y):
    z = np.vstack((x, y))
    return np.sum(z * W(np.shape(z)))


def np_scalar_types(x):
    # (NumPy's scalar types called as functions: conversions, float32's rounding aside)
    y = np.float64(x) * 2.0 + np.float32(x).astype(float) * 0.0 + np.float64(np.sum(x))
    return np.sum(y * W(np.shape(y)))


def np_scalar_types_rounding(x):
    y = np.float32(x) * 3.0 + np.float16(x) + np.real(np.complex64(x) * (1.0 - 1.0j)) * 2.0 \
        + np.imag(np.complex64(x) * 1j)
    return np.sum(y * W(np.shape(y)))


def np_complex_types(x):
    y = np.complex128(x) * (1.0 + 2.0j) + np.complex128(x * x) * 1j
    return np.sum(np.real(y) * W(np.shape(y)))


def np_column_stack(x, y):
    z = np.column_stack([x, y, x])
    return np.sum(z * W(np.shape(z)))


def np_dstack(x, y):
    z = np.dstack((x, y))
    return np.sum(z * W(np.shape(z)))


def np_append(x, y, axis):
    z = np.append(x, y, axis)
    return np.sum(z * W(np.shape(z)))


def np_rot90(x, k, axes):
    z = np.rot90(x, k, axes)
    return np.sum(z * W(np.shape(z)))


def np_diagflat(x, k):
    z = np.diagflat(x, k)
    return np.sum(z * W(np.shape(z)))


def np_select(x, y):
    z = np.select([x > 0.3, x < -0.4], [x * y, np.sin(x)], default=y * y)
    return np.sum(z * W(np.shape(z)))


def np_fftshift(x, axes):
    z = np.fft.fftshift(x, axes)
    return np.sum(z * W(np.shape(z)))


def np_ifftshift(x, axes):
    z = np.fft.ifftshift(x, axes)
    return np.sum(z * W(np.shape(z)))


def np_diag(x, k):
    y = np.diag(x, k)
    return np.sum(y * W(np.shape(y)))


def np_diagonal(x, offset, axis1, axis2):
    y = np.diagonal(x, offset, axis1, axis2)
    return np.sum(y * W(np.shape(y)))


def np_triu(x, k):
    y = np.triu(x, k)
    return np.sum(y * W(np.shape(y)))


def np_tril(x, k):
    y = np.tril(x, k)
    return np.sum(y * W(np.shape(y)))


def np_array_scalars(a, b, c):
    v = np.array([a, b * 2.0, c])
    return np.sum(v * W(np.shape(v)))


def np_array_nested(a, b):
    v = np.array([[a, b], [b * a, 1.0]])
    return np.sum(v * W(np.shape(v)))


def np_array_rows(x, y):
    v = np.array([x, y, x * 2.0])
    return np.sum(v * W(np.shape(v)))


def np_array_of_array(x):
    v = np.array(x)
    return np.sum(v * W(np.shape(v)))


def np_asarray(x):
    v = np.asarray(x)
    return np.sum(v * W(np.shape(v)))


def np_asarray_list(a, b):
    v = np.asarray([a, b])
    return np.sum(v * W(np.shape(v)))


def np_copy(x):
    y = np.copy(x)
    return np.sum(y * W(np.shape(y)))


def np_sort(x, axis):
    y = np.sort(x, axis)
    return np.sum(y * W(np.shape(y)))


def np_full(c):
    y = np.full((3, 4), c)
    return np.sum(y * W(np.shape(y)))


def np_full_row(c):
    y = np.full((2, 3), c)  # a (3,) fill value broadcast over rows
    return np.sum(y * W(np.shape(y)))


def np_linspace(a, b):
    y = np.linspace(a, b, 7)
    return np.sum(y * W(np.shape(y)))


def np_linspace_open(a, b):
    y = np.linspace(a, b, 4, endpoint=False)
    return np.sum(y**2)


def op_mod(x, y):
    z = x % y  # inputs kept away from the jumps of mod
    return np.sum(z * W(np.shape(z)))


def np_mod(x, y):
    z = np.mod(x, y)  # (NumPy's spelling of %)
    return np.sum(z * W(np.shape(z)))


def np_remainder(x, y):
    z = np.remainder(x, y)
    return np.sum(z * W(np.shape(z)))


def np_full_like(x, c):
    y = np.full_like(x, c)
    return np.sum(y * W(np.shape(y)))


PAIRS = [(rand((3,)), rand((3,))), (rand((2, 3)), rand((2, 3)))]

SHAPES = [
    Row("np.reshape", checks(np_reshape, [(rand((3, 4)),), (rand((2, 6)),)])
        + checks(np_reshape_infer, [(rand((3, 4)),)])
        + checks(np_reshape_flat, [(rand((3, 4)),)])),
    row("np.ravel", np_ravel, [(rand((3, 4)),), (rand((2, 3, 2)),)]),
    Row("np.transpose", checks(np_transpose, [(rand((3, 4)),), (rand((2, 3, 4)),)])
        + checks(np_transpose_axes, [(rand((2, 3, 4)),)])),
    row("np.swapaxes", np_swapaxes, [(rand((3, 4)),), (rand((2, 3, 4)),)]),
    row("np.moveaxis", np_moveaxis, [(rand((2, 3, 4)),)]),
    row("np.expand_dims", np_expand_dims, [(rand((3, 4)), 1), (rand((3, 4)), (0, 3)),
                                           (rand((3,)), -1)]),
    row("np.squeeze", np_squeeze, [(rand((3, 1, 4)), None), (rand((3, 1, 4)), 1),
                                   (rand((1, 3, 1)), (0, 2))]),
    row("np.atleast_1d", np_atleast_1d, [(rand(),), (rand((3,)),), (rand((2, 3)),)]),
    row("np.atleast_2d", np_atleast_2d, [(rand(),), (rand((3,)),), (rand((2, 3)),)]),
    row("np.broadcast_to", np_broadcast_to, [(rand((4,)), (3, 4)), (rand((3, 1)), (3, 4)),
                                             (rand(()), (2, 3)), (rand((1, 4)), (2, 3, 4))]),
    row("np.flip", np_flip, [(rand((5,)), None), (rand((3, 4)), None), (rand((3, 4)), 0),
                             (rand((3, 4)), 1), (rand((2, 3, 4)), (0, 2))]),
    row("np.fliplr", np_fliplr, [(rand((3, 4)),)]),
    row("np.flipud", np_flipud, [(rand((3, 4)),), (rand((5,)),)]),
    row("np.roll", np_roll, [(rand((5,)), 2, None), (rand((3, 4)), 1, None),
                             (rand((3, 4)), -1, 1), (rand((3, 4)), (1, 2), (0, 1))]),
    row("np.tile", np_tile, [(rand((3,)), 2), (rand((2, 3)), (2, 1)), (rand((3,)), (2, 2)),
                             (rand((2, 3)), 2), (rand((2, 3)), (2, 1, 3))]),
    row("np.repeat", np_repeat, [
        (rand((2, 3)), 2, None), (rand((2, 3)), 2, 0), (rand((2, 3)), 3, 1), (rand((4,)), 2, -1),
        (rand((2, 3)), [1, 0, 2], 1), (rand((2, 3)), [1, 2, 0], 1), (rand((3,)), [0, 2, 1], None),
        (rand((2, 2)), [2, 0, 1, 0], None),
    ]),
    row("copy.copy", copy_copy, [(rand((3,)),), (rand((2, 3)),), (rand((4, 1, 2)),)]),
    row("copy.deepcopy", copy_deepcopy, [(rand((3,)),), (rand((2, 3)),)]),
    row("np.split", np_split, [(rand((4,)), 2, 0), (rand((2, 6)), [1, 4], 1),
                               (rand((4, 1, 2)), 2, -1), (rand((3, 2)), [2], 0)]),
    row("np.array_split", np_array_split, [(rand((5,)), 3, 0), (rand((2, 5)), 2, -1),
                                           (rand((3, 2, 2)), [1], 0)]),
    Row("np.concatenate", checks(np_concatenate, [
        (rand((3,)), rand((2,)), 0), (rand((2, 3)), rand((2, 3)), 0),
        (rand((2, 3)), rand((2, 3)), 1), (rand((2, 3)), rand((3, 2)), None),
    ], wrt=(0, 1)) + checks(np_concatenate_tuple, [(rand((3,)), rand((4,)))], wrt=(0, 1))),
    row("np.stack", np_stack, [(x, y, axis) for x, y in PAIRS for axis in (0, 1, -1)],
        wrt=(0, 1)),
    row("np.hstack", np_hstack, [(rand((3,)), rand((2,))), (rand((2, 3)), rand((2, 1))),
                                 (rand(()), rand((2,)))], wrt=(0, 1)),
    row("np.float64", np_scalar_types, [(rand(),), (rand((3,)),), (rand((2, 3)),)]),
    row("np.complex128", np_complex_types, [(rand(),), (rand((3,)),)]),
    row("np.column_stack", np_column_stack, [(rand((3,)), rand((3, 2))), (rand((3, 2)), rand((3,))),
                                             (rand((4, 1)), rand((4, 3)))], wrt=(0, 1)),
    row("np.dstack", np_dstack, [(rand((3,)), rand((1, 3, 2))), (rand((2, 3)), rand((2, 3))),
                                 (rand((2, 3, 1)), rand((2, 3, 2)))], wrt=(0, 1)),
    row("np.append", np_append, [(rand((2, 2)), rand((3,)), None), (rand((3,)), rand(()), None),
                                 (rand((2, 2)), rand((2, 3)), 1), (rand((2, 3)), rand((1, 3)), 0),
                                 (rand((2, 3)), rand((2, 1)), -1)], wrt=(0, 1)),
    row("np.rot90", np_rot90, [(rand((3, 4)), 1, (0, 1)), (rand((3, 4)), 2, (0, 1)),
                               (rand((3, 4)), -1, (1, 0)), (rand((2, 3, 4)), 3, (0, 2))]),
    row("np.diagflat", np_diagflat, [(rand((3,)), 0), (rand((2, 2)), 1), (rand((3,)), -2)]),
    row("np.select", np_select, [(away((5,), (-0.4, 0.3)), rand((5,))),
                                 (away((3, 4), (-0.4, 0.3)), rand((4,))),
                                 (away((3, 1), (-0.4, 0.3)), rand((1, 4)))], wrt=(0, 1)),
    row("np.fft.fftshift", np_fftshift, [(rand((5,)), None), (rand((4, 5)), None),
                                         (rand((4, 5)), 1), (rand((4, 5)), (0,))]),
    row("np.fft.ifftshift", np_ifftshift, [(rand((5,)), None), (rand((4, 5)), -1),
                                           (rand((3, 4, 5)), (0, 2))]),
    row("np.vstack", np_vstack, [(rand((3,)), rand((3,))), (rand((2, 3)), rand((1, 3))),
                                 (rand((2, 3)), rand((3,)))], wrt=(0, 1)),
    row("np.diag", np_diag, [(rand((3,)), 0), (rand((3,)), 1), (rand((3,)), -2),
                             (rand((3, 3)), 0), (rand((3, 4)), 1), (rand((4, 3)), -1)]),
    row("np.diagonal", np_diagonal, TRACE_CASES),
    row("np.triu", np_triu, [(rand((3, 3)), 0), (rand((3, 4)), 1), (rand((4, 3)), -1),
                             (rand((4,)), 0), (rand((2, 3, 3)), 1)]),
    row("np.tril", np_tril, [(rand((3, 3)), 0), (rand((3, 4)), 1), (rand((4, 3)), -1),
                             (rand((4,)), -1), (rand((2, 3, 3)), 0)]),
    Row("np.array", checks(np_array_scalars, [(rand(), rand(), rand())], wrt=(0, 1, 2))
        + checks(np_array_nested, [(rand(), rand())], wrt=(0, 1))
        + checks(np_array_rows, PAIRS, wrt=(0, 1))
        + checks(np_array_of_array, [(rand((3, 4)),)])),
    Row("np.asarray", checks(np_asarray, [(rand((3, 4)),)])
        + checks(np_asarray_list, [(rand(), rand()), PAIRS[0]], wrt=(0, 1))),
    row("np.copy", np_copy, [(rand((3, 4)),), (rand((5,)),)]),
    row("np.sort", np_sort, [(no_ties((5,)), -1), (no_ties((3, 4)), -1), (no_ties((3, 4)), 0),
                             (no_ties((3, 4)), None), (no_ties((2, 3, 4)), 1)]),
    Row("np.full", checks(np_full, [(rand(),)]) + checks(np_full_row, [(rand((3,)),)])),
    Row("np.linspace", checks(np_linspace, [(rand(), rand())], wrt=(0, 1))
        + checks(np_linspace_open, [(rand(), rand())], wrt=(0, 1))),
    row("mod", op_mod, [(np.array([2.3, 5.6, 7.2]), 1.7), (np.array([[1.2], [4.3]]),
                                                           np.array([1.5, 2.0, 2.5]))],
        wrt=(0, 1)),
    row("np.mod", np_mod, [(np.array([2.3, -5.6, 7.2]), 1.7), (np.array([[1.2], [4.3]]),
                                                            np.array([1.5, -2.0, 2.5]))],
        wrt=(0, 1)),
    row("np.remainder", np_remainder, [(np.array([2.3, 5.6, 7.2]), -1.7)], wrt=(0, 1)),
    row("np.full_like", np_full_like, [(rand((3, 4)), rand()), (rand((5,)), rand())],
        wrt=(0, 1)),
]


# ---------------------------------------------------------------- indexing and containers


def getitem_slice(x):
    y = x[1:3]
    return np.sum(y * W(np.shape(y)))


def getitem_step(x):
    y = x[::-2]
    return np.sum(y * W(np.shape(y)))


def getitem_column(x):
    y = x[:, 0]
    return np.sum(y * W(np.shape(y)))


def getitem_element(x):
    return x[1, 2] * 2.0 + x[-1, -1]


def getitem_row(x):
    y = x[1]
    return np.sum(y * W(np.shape(y)))


def getitem_ellipsis(x):
    y = x[..., 1]
    return np.sum(y * W(np.shape(y)))


def getitem_newaxis(x):
    y = x[None, :, 1:]
    return np.sum(y * W(np.shape(y)))


def getitem_labels(x, labels):
    y = x[np.arange(2), labels]
    return np.sum(y * W(np.shape(y)))


def getitem_duplicates(x):
    y = x[[0, 2, 2, 0]]
    return np.sum(y * W(np.shape(y)))


def getitem_pairs(x, rows, cols):
    y = x[rows, cols]
    return np.sum(y * W(np.shape(y)))


def getitem_mask(x):
    y = x[x > 0.0]
    return np.sum(y * W(np.shape(y)))


def np_take(x, indices, axis):
    y = np.take(x, indices, axis=axis)
    return np.sum(y * W(np.shape(y)))


def np_take_along_axis(x, indices, axis):
    y = np.take_along_axis(x, indices, axis)
    return np.sum(y * W(np.shape(y)))


def own_argument(x):
    x[0] = x[1] * 3.0
    return np.sum(x * W(np.shape(x)))


def make_tuple_(x, y):
    t = (x, y * 2.0)
    z = t[0] * t[1]
    return np.sum(z * W(np.shape(z)))


def make_tuple_passed(x, y):
    z = np.concatenate((x * 2.0, y))
    return np.sum(z * W(np.shape(z)))


def make_list_(x, y):
    items = [x, y, x * y]
    z = items[0] + items[2] * items[1]
    return np.sum(z * W(np.shape(z)))


def make_list_passed(x, y):
    z = np.stack([x, y])
    return np.sum(z * W(np.shape(z)))


def list_of_rows(x):
    rows = list(x)
    return np.sum(rows[0] * rows[2] * W(np.shape(rows[0])))


def list_of_list(x, y):
    items = list([x, y])
    return np.sum(items[0] * items[1] * W(np.shape(items[1])))


def tuple_of_rows(x):
    rows = tuple(x)
    return np.sum((rows[1] - rows[0]) * W(np.shape(rows[0])))


def tuple_of_list(x, y):
    items = tuple([x, y])
    return np.sum(items[0] * items[1] * W(np.shape(items[1])))


def list_append(x, y):
    items = []
    items.append(x)
    items.append(y * 2.0)
    items.append(x * y)
    z = np.stack(items)
    return np.sum(z * W(np.shape(z)))


def list_append_loop(x):
    items = []
    for i in range(3):
        items.append(x[i] * (i + 1.0))
    z = np.array(items)
    return np.sum(z * W(np.shape(z)))


def list_append_unread(x):
    items = []
    for k in range(5):
        items.append(np.sin(x + k))
    z = items[1] * items[3] + items[-2]
    return np.sum(z * W(np.shape(z)))


def builtin_sum_list(x, y):
    z = sum([x, y * 2.0, x * y])
    return np.sum(z * W(np.shape(z)))


def builtin_sum_start(x, y):
    z = sum([x, y], y * 1.5)
    return np.sum(z * W(np.shape(z)))


def builtin_sum_rows(x):
    z = sum(x)
    return np.sum(z * W(np.shape(z)))


def ravel_inside(x, y):
    """s2sad.ravel of a tree the function builds: its flat vector, weighted."""
    flat, _ = s2sad.ravel({"x": x, "rest": [y, 2.0 * x, (x * y, 3.0)]})
    return np.sum(flat * W(np.shape(flat)))


class Holder:
    def __init__(self, w, s):
        self.w = w
        self.s = s
        self.label = "h"


_OBJECT_FLAT, unravel_object = s2sad.ravel([Holder(np.ones((2, 2)), 1.0), np.ones(3)])
_ORDERED_FLAT, unravel_ordered = s2sad.ravel(
    __import__("collections").OrderedDict(a=np.ones(3), b=(np.ones((2, 1)), 1.0)))


def through_unravel_object(v):
    """unravel builds a copy of an object with its leaves (object_with)."""
    h, u = unravel_object(v)
    z = h.w @ u[:2] * h.s + u[2]
    return np.sum(z * W(np.shape(z)))


def through_unravel_ordered(v):
    """unravel builds an OrderedDict (dict_like)."""
    d = unravel_ordered(v)
    z = d["a"][:2] * d["b"][0][:, 0] + d["b"][1]
    return np.sum(z * W(np.shape(z)))


def next_of_a_generator(x, y):
    """next(...) of iterators made in the call: their first items."""
    z = next(v * y for v in [x, y] if np.all(v != 0)) + next(iter([x * x, y]))
    return np.sum(z * W(np.shape(z)))


def next_with_a_default(x, y):
    z = next((v for v in [x] if np.all(v > 10.0)), y * 2.0) + \
        next(iter([x * y]), y)
    return np.sum(z * W(np.shape(z)))


def dict_display(x, y):
    d = {"a": x * 2.0, "b": y, "c": x * y}
    z = d["a"] + d["c"] * d["b"]
    return np.sum(z * W(np.shape(z)))


def dict_display_unread(x, y):
    d = {"a": x, "b": y * 3.0}
    return np.sum(d["b"] * W(np.shape(d["b"])))


def list_concat(x, y):
    items = [x] + [y * 2.0, x * y]
    z = items[0] * items[1] + items[2]
    return np.sum(z * W(np.shape(z)))


def list_repeat(x, y):
    items = [x, y] * 2
    z = items[0] * items[3] + items[2] * 0.5
    return np.sum(z * W(np.shape(z)))


def item_assignment(x):
    y = x * 1.0
    y[0] = x[-1] * 3.0
    y[1:] = np.sin(y[:-1])
    return np.sum(y * W(np.shape(y)))


def _scaled_helper(a, b):
    return a * np.cos(b) + b


def helper_call(x, y):
    z = _scaled_helper(x, y * 2.0) * _scaled_helper(y, x)
    return np.sum(z * W(np.shape(z)))


MATRICES = [(rand((4, 5)),), (rand((3, 3)),)]

INDEXING = [
    Row("getitem",
        checks(getitem_slice, MATRICES + [(rand((5,)),)])
        + checks(getitem_step, MATRICES + [(rand((5,)),)])
        + checks(getitem_column, MATRICES)
        + checks(getitem_element, MATRICES)
        + checks(getitem_row, MATRICES)
        + checks(getitem_ellipsis, [(rand((2, 3, 4)),)] + MATRICES)
        + checks(getitem_newaxis, MATRICES)
        + checks(getitem_labels, [(rand((2, 4)), np.array([3, 1])),
                                  (rand((3, 4)), np.array([2, 2]))])
        + checks(getitem_duplicates, [(rand((3,)),), (rand((3, 2)),)])
        + checks(getitem_pairs, [(rand((3, 4)), np.array([0, 2, 0, 0]), np.array([1, 3, 1, 1]))])
        + checks(getitem_mask, [(away((3, 4)),), (away((5,)),)])),
    row("np.take", np_take, [
        (rand((5,)), np.array([0, 3, 3]), None), (rand((3, 4)), np.array([[0, 5], [11, 5]]), None),
        (rand((3, 4)), np.array([2, 0, 2]), 1), (rand((3, 4)), 1, 0),
        (rand((2, 3, 4)), [-1, 0], -2),
    ]),
    row("np.take_along_axis", np_take_along_axis, [
        (rand((3, 4)), np.array([[0, 0], [3, 1], [2, 2]]), 1),
        (rand((3, 4)), np.array([[2, 0, 1, 2]]), 0), (rand((6,)), np.array([5, 0, 5]), None),
        (rand((2, 3, 4)), np.argsort(rand((2, 3, 4)), axis=-1), -1),
    ]),
    row("own", own_argument, [(rand((3,)),), (rand((3, 4)),)]),
    Row("make_tuple", checks(make_tuple_, PAIRS, wrt=(0, 1))
        + checks(make_tuple_passed, PAIRS[:1], wrt=(0, 1))),
    Row("make_list", checks(make_list_, PAIRS, wrt=(0, 1))
        + checks(make_list_passed, PAIRS, wrt=(0, 1))),
    Row("list", checks(list_of_rows, [(rand((3, 4)),), (rand((3,)),)])
        + checks(list_of_list, PAIRS, wrt=(0, 1))),
    Row("list_append", checks(list_append, PAIRS + [(rand(), rand())], wrt=(0, 1))
        + checks(list_append_loop, [(rand((3, 4)),), (rand((3,)),)])
        + checks(list_append_unread, [(rand(),), (rand((3,)),)])),
    Row("sum", checks(builtin_sum_list, PAIRS + [(rand((2, 3)), rand((3,)))], wrt=(0, 1))
        + checks(builtin_sum_start, PAIRS + [(rand(), rand())], wrt=(0, 1))
        + checks(builtin_sum_rows, [(rand((3, 4)),), (rand((4,)),)])),
    Row("tuple", checks(tuple_of_rows, [(rand((3, 4)),), (rand((2,)),)])
        + checks(tuple_of_list, PAIRS, wrt=(0, 1))),
    row("first_item", next_of_a_generator, PAIRS + [(rand(), rand())], wrt=(0, 1)),
    row("first_item_or", next_with_a_default, PAIRS + [(rand(), rand())], wrt=(0, 1)),
    row("ravel", ravel_inside, PAIRS + [(rand(), rand()), (rand((2, 3)), rand((3,)))],
        wrt=(0, 1)),
    row("object_with", through_unravel_object, [(rand((8,)),), (rand((8,)),)]),
    row("dict_like", through_unravel_ordered, [(rand((6,)),), (rand((6,)),)]),
    Row("make_dict", checks(dict_display, PAIRS, wrt=(0, 1))
        + checks(dict_display_unread, PAIRS, wrt=(0, 1))),
    row("seq_concat", list_concat, PAIRS, wrt=(0, 1)),
    row("seq_repeat", list_repeat, PAIRS, wrt=(0, 1)),
    row("setitem", item_assignment, [(rand((4,)),), (rand((3, 2)),)]),
    row("call_forward", helper_call, PAIRS, wrt=(0, 1)),
]


# ---------------------------------------------------------------- methods and attributes


def m_sum(x, axis, keepdims):
    y = x.sum(axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def m_sum_positional(x):
    y = x.sum(0)
    return np.sum(y * W(np.shape(y)))


def m_mean(x, axis, keepdims):
    y = x.mean(axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def m_prod(x, axis, keepdims):
    y = x.prod(axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def m_max(x, axis, keepdims):
    y = x.max(axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def m_min(x, axis, keepdims):
    y = x.min(axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def m_var(x, axis, keepdims):
    y = x.var(axis=axis, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def m_std(x, axis, keepdims):
    y = x.std(axis=axis, ddof=1, keepdims=keepdims)
    return np.sum(y * W(np.shape(y)))


def m_cumsum(x, axis):
    y = x.cumsum(axis=axis)
    return np.sum(y * W(np.shape(y)))


def m_cumprod(x, axis):
    y = x.cumprod(axis=axis)
    return np.sum(y * W(np.shape(y)))


def m_dot(a, b):
    z = a.dot(b)
    return np.sum(z * W(np.shape(z)))


def m_ravel(x):
    y = x.ravel()
    return np.sum(y * W(np.shape(y)))


def m_copy(x):
    y = x.copy()
    return np.sum(y * W(np.shape(y)))


def m_swapaxes(x):
    y = x.swapaxes(0, 1)
    return np.sum(y * W(np.shape(y)))


def m_squeeze(x):
    y = x.squeeze()
    return np.sum(y * W(np.shape(y)))


def m_clip(x):
    y = x.clip(-0.5, 0.5)
    return np.sum(y * W(np.shape(y)))


def m_trace(x):
    return x.trace() * 1.5


def m_repeat(x):
    y = x.repeat(2, axis=0)
    return np.sum(y * W(np.shape(y)))


def m_diagonal(x):
    y = x.diagonal(1)
    return np.sum(y * W(np.shape(y)))


def m_take(x):
    y = x.take([1, 1, 0], axis=0)
    return np.sum(y * W(np.shape(y)))


def m_conj(x):
    y = x.conj()
    return np.sum(y * W(np.shape(y)))


def m_conjugate(x):
    y = x.conjugate()
    return np.sum(y * W(np.shape(y)))


def m_reshape(x):
    y = x.reshape(4, 3)
    return np.sum(y * W(np.shape(y)))


def m_reshape_tuple(x):
    y = x.reshape((2, -1))
    return np.sum(y * W(np.shape(y)))


def m_transpose(x):
    y = x.transpose()
    return np.sum(y * W(np.shape(y)))


def m_transpose_axes(x):
    y = x.transpose(1, 2, 0)
    return np.sum(y * W(np.shape(y)))


def m_transpose_tuple(x):
    y = x.transpose((2, 0, 1))
    return np.sum(y * W(np.shape(y)))


def m_flatten(x):
    y = x.flatten()
    return np.sum(y * W(np.shape(y)))


def m_astype(x):
    y = x.astype(np.float64)
    return np.sum(y * W(np.shape(y)))


def m_T(x):
    y = x.T
    return np.sum(y * W(np.shape(y)))


def m_real(x):
    y = x.real
    return np.sum(y * W(np.shape(y)))


def m_imag(x):
    y = x.imag + x
    return np.sum(y * W(np.shape(y)))


def m_item(x):
    return x.item() * 2.5


def m_item_from_sum(x):
    return np.sum(x * W(np.shape(x))).item() * 2.5


METHODS = [
    Row(".sum", checks(m_sum, reductions()) + checks(m_sum_positional, [(rand((3, 4)),)])),
    row(".mean", m_mean, reductions()),
    row(".prod", m_prod, PROD_CASES),
    row(".max", m_max, extremum_cases()),
    row(".min", m_min, extremum_cases()),
    row(".var", m_var, reductions()),
    row(".std", m_std, reductions()[4:]),
    row(".cumsum", m_cumsum, [(rand(s), a) for s, a in CUMULATIVE_AXES]),
    row(".cumprod", m_cumprod, CUMPROD_CASES),
    row(".dot", m_dot, DOT_CASES[:4] + DOT_CASES[6:], wrt=(0, 1)),
    row(".ravel", m_ravel, [(rand((3, 4)),)]),
    row(".copy", m_copy, [(rand((3, 4)),), (rand((5,)),)]),
    row(".swapaxes", m_swapaxes, [(rand((3, 4)),), (rand((2, 3, 4)),)]),
    row(".squeeze", m_squeeze, [(rand((3, 1, 4)),), (rand((1, 3)),)]),
    row(".clip", m_clip, [(away((3, 4), (-0.5, 0.5)),)]),
    row(".trace", m_trace, [(rand((3, 3)),), (rand((3, 4)),)]),
    row(".repeat", m_repeat, [(rand((2, 3)),), (rand((3,)),)]),
    row(".diagonal", m_diagonal, [(rand((3, 4)),), (rand((2, 3, 3)),)]),
    row(".take", m_take, [(rand((3, 4)),), (rand((3,)),)]),
    row(".conj", m_conj, [(rand((3, 4)),)]),
    row(".conjugate", m_conjugate, [(rand((3, 4)),)]),
    Row(".reshape", checks(m_reshape, [(rand((3, 4)),)])
        + checks(m_reshape_tuple, [(rand((3, 4)),), (rand((2, 3, 2)),)])),
    Row(".transpose", checks(m_transpose, [(rand((3, 4)),), (rand((2, 3, 4)),)])
        + checks(m_transpose_axes, [(rand((2, 3, 4)),)])
        + checks(m_transpose_tuple, [(rand((2, 3, 4)),)])),
    row(".flatten", m_flatten, [(rand((3, 4)),)]),
    row(".astype", m_astype, [(rand((3, 4)),)]),
    row(".T", m_T, [(rand((3, 4)),), (rand((2, 3, 4)),), (rand((5,)),)]),
    row(".real", m_real, [(rand((3, 4)),)]),
    row(".imag", m_imag, [(rand((3, 4)),)]),
    Row(".item", checks(m_item, [(rand((1,)),), (rand((1, 1)),)])
        + checks(m_item_from_sum, [(rand((3, 4)),)])),
]

# np.linalg's factorizations, np.fft, np.interp, np.convolve, np.correlate: their
# rows are in tests/rules_more.py; operator.*, attributes of objects and
# functools.partial in tests/rules_calls.py. Both use the helpers above.
from rules_calls import CALL_ROWS  # noqa: E402
from rules_more import MORE_ROWS  # noqa: E402

ROWS = OPERATORS + ELEMENTWISE + MATH + REDUCTIONS + LINALG + SHAPES + INDEXING + METHODS \
    + MORE_ROWS + CALL_ROWS


# ---------------------------------------------------------------- the tests


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return "x".join(map(str, value.shape)) or "0d"
    if isinstance(value, float):
        return "f"
    return repr(value).replace(" ", "")


def _params() -> list:
    params = []
    for r in ROWS:
        for c in r.checks:
            marks = [pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else []
            label = f"{r.rule}:{c.fn.__name__}:{','.join(map(_describe, c.args))}"
            params.append(pytest.param(c, id=label, marks=marks))
    return params


@pytest.mark.parametrize("case", _params())
def test_gradient_matches_finite_differences(case: Check) -> None:
    check(case.fn, case.args, case.wrt)


def direction(x: Any, rng: np.random.Generator) -> Any:
    """A random tangent shaped like x (the same lists and tuples around arrays)."""
    if isinstance(x, (list, tuple)):
        return type(x)(direction(item, rng) for item in x)
    if isinstance(x, np.ndarray):
        return rng.normal(size=x.shape)
    return float(rng.normal())


def moved(x: Any, v: Any, eps: float) -> Any:
    if isinstance(x, (list, tuple)):
        return type(x)(moved(a, b, eps) for a, b in zip(x, v))
    return x + eps * v


def inner(a: Any, b: Any) -> float:
    if isinstance(a, (list, tuple)):
        return sum(inner(x, y) for x, y in zip(a, b))
    return float(np.sum(np.asarray(a) * np.asarray(b)))


@pytest.mark.parametrize("case", _params())
def test_tangent_matches_finite_differences(case: Check) -> None:
    """The forward-mode rule in the same row: jvp along a random direction equals
    the central difference along it, and the gradient's inner product with it
    (the dot-product test between the two modes)."""
    rng = np.random.default_rng(7)
    tangents = [direction(a, rng) if i in case.wrt else None for i, a in enumerate(case.args)]
    value, tangent = s2sad.jvp(case.fn, case.args, tangents)
    eps = 1e-6
    plus = [moved(a, t, eps) if t is not None else a for a, t in zip(case.args, tangents)]
    minus = [moved(a, t, -eps) if t is not None else a for a, t in zip(case.args, tangents)]
    numeric = (case.fn(*plus) - case.fn(*minus)) / (2 * eps)
    np.testing.assert_allclose(value, case.fn(*case.args), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tangent, numeric, rtol=1e-4, atol=1e-6)
    grads = s2sad.grad(case.fn, wrt=case.wrt)(*case.args)
    paired = sum(inner(g, tangents[i]) for g, i in zip(grads, case.wrt))
    np.testing.assert_allclose(tangent, paired, rtol=1e-9, atol=1e-9)


def _differentiable_rules() -> set[str]:
    """Entries with a rule a derivative flows through (not s2sad's helpers,
    which only adjoint code calls)."""
    return {name for name, p in primitives.TABLE.items() if p.differentiable
            and (p.vjp or p.adjoint) and (p.form != "helper" or name in HELPERS_USERS_REACH)
            and name not in primitives.USER_RULED}


HELPERS_USERS_REACH = {"own", "iteration_items", "reversed_items", "call_forward", "ravel",
                       "object_with", "dict_like", "first_item", "first_item_or"}


def test_low_precision_conversions() -> None:
    """np.float32(x), np.float16(x) and np.complex64(x) pass the gradient on
    (in their precision), forward and reverse; x at numbers they hold exactly."""
    for x in (np.array([0.25, -0.5, 1.0]), np.array([[0.5], [-2.0]]), 0.75):
        weights = W(np.shape(x))
        expected = 7.0 * weights
        got = s2sad.grad(np_scalar_types_rounding)(x)
        np.testing.assert_allclose(got, expected, rtol=1e-3)
        direction = np.cos(np.arange(np.size(x)) + 0.5).reshape(np.shape(x))
        _, tangent = s2sad.jvp(np_scalar_types_rounding, (x,), (direction,))
        np.testing.assert_allclose(tangent, np.sum(expected * direction), rtol=1e-3)


def test_every_rule_has_a_row() -> None:
    covered = {r.rule for r in ROWS}
    scipy_rules = {n for n in primitives.TABLE if n.startswith("scipy.")}  # (their own file)
    missing = _differentiable_rules() - covered - EXCLUDED - scipy_rules
    assert not missing, f"add a row to tests/test_rules.py for: {sorted(missing)}"
    assert not covered - set(primitives.TABLE), "rows name rules that do not exist"
    assert len(covered) == len(ROWS), "one row per rule"


# The NumPy API s2sad promises to differentiate (np.sign: with its zero gradient).
REQUIRED_FUNCTIONS = """
    exp log log1p expm1 sqrt sin cos tan arcsin arccos arctan sinh cosh tanh abs sign square
    reciprocal power maximum minimum clip where logaddexp sum mean prod max min var std cumsum
    dot matmul outer inner tensordot einsum trace linalg.norm linalg.inv linalg.solve linalg.det
    linalg.slogdet reshape transpose swapaxes expand_dims squeeze ravel concatenate stack hstack
    vstack broadcast_to tile repeat flip
""".split()
REQUIRED_METHODS = [".sum", ".mean", ".max", ".dot", ".reshape", ".T", ".copy"]


def test_required_numpy_api_is_differentiable() -> None:
    for name in REQUIRED_FUNCTIONS:
        rule = primitives.for_object(primitives.resolve_name("np." + name))
        assert rule is not None and rule.differentiable, name
        assert rule.vjp or rule.zero, name
    for name in REQUIRED_METHODS:
        assert name in _differentiable_rules(), name


def test_at_least_80_differentiable_numpy_functions_and_methods() -> None:
    """Distinct NumPy functions (by object: np.abs is np.absolute) plus array methods."""
    functions, methods = set(), set()
    for name in _differentiable_rules():
        if name.startswith("np."):
            functions.add(id(primitives.resolve_name(name)))
        elif name.startswith("."):
            methods.add(name)
    assert len(functions) + len(methods) >= 80


# ---------------------------------------------------------------- behaviour beyond FD


def sum_of_max(x):
    return np.max(x) * 3.0


def sum_of_row_max(x):
    return np.sum(np.max(x, axis=1))


def maximum_tie(x, y):
    return np.sum(np.maximum(x, y))


def test_max_splits_gradient_between_ties() -> None:
    grad = s2sad.grad(sum_of_max)(np.array([1.0, 3.0, 3.0, 2.0]))
    np.testing.assert_allclose(grad, [0.0, 1.5, 1.5, 0.0])
    grad = s2sad.grad(sum_of_row_max)(np.array([[1.0, 1.0, 0.0], [2.0, 5.0, 5.0]]))
    np.testing.assert_allclose(grad, [[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])


def test_maximum_splits_gradient_on_ties() -> None:
    x, y = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 4.0])
    gx, gy = s2sad.grad(maximum_tie, wrt=(0, 1))(x, y)
    np.testing.assert_allclose(gx, [0.5, 1.0, 0.0])
    np.testing.assert_allclose(gy, [0.5, 0.0, 1.0])


def piecewise_constant(x):
    return np.sum(np.sign(x) + np.floor(x) + np.round(x) + x)


def test_piecewise_constant_functions_have_zero_gradient() -> None:
    grad = s2sad.grad(piecewise_constant)(np.array([0.3, -1.7, 2.2]))
    np.testing.assert_allclose(grad, [1.0, 1.0, 1.0])

