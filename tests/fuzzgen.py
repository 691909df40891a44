"""Random differentiable programs, checked against finite differences.

`generate_program(rng)` writes a small module of NumPy code, driven by a
`random.Random`: an entry function `f` of 1-3 float or array arguments
(scalars, (3,), (2, 3), and broadcasting pairs such as (2, 3) + (3,) or
(2, 1) + (1, 3)), module-level helpers it calls, and a body of

* straight-line arithmetic (+ - * / % and small integer powers, unary minus),
* NumPy and math calls from s2sad's table of primitives: elementwise math,
  reductions with and without an axis (sum, mean, max, min, prod, var, std,
  norm, cumsum, cumprod, diff, sort), dot / @ / outer / inner / einsum /
  tensordot / cross, inv / solve / det / slogdet of well-conditioned
  matrices, reshape / transpose / squeeze / flip / tile / repeat / take,
  indexing and slicing, broadcasting, np.where, np.maximum, np.clip,
  np.floor / np.round / np.sign, stacking and concatenation,
* `if`/`elif`/`else` and conditional expressions on data-dependent conditions,
* `for` loops over `range(...)`, over the rows of an array, `enumerate` and
  `zip`, and `while` loops with a counter bound, with `break`, `continue`
  and early `return` inside; accumulators that are updated in place, filled
  by index, appended to a list, or that grow by broadcasting,
* calls to module-level helpers (keyword arguments, tuple results), local
  lambdas and local `def`s reading enclosing variables, list comprehensions
  summed with `sum`, dict displays, tuple unpacking, and in-place updates
  (`+=`, `*=`, `a[i] = ...`) of arrays nobody else shares.

A share of programs also draws each of these families (FEATURES; `Program.tags`
lists what a program drew):

* kwargs: NumPy calls with keywords at non-default values (KW_SHAPERS,
  KW_MATMUL, KW_MULTI): `axis=` positive, negative and tuples, `keepdims=True`,
  `dtype=` float64 / float32 / integer (truncating), `ddof=1`, `order='F'/'A'/'K'`,
  `k=`, `offset=`, `n=`, negative transpose axes, einsum subscripts (implicit
  output too) and sublists,
* special: `x ** 0`, polynomials, `|x| ** p`, zero bases and exponents of
  `**`, kinks fed directly by an argument, and inputs holding exact zeros,
  -0.0, ties and clip bounds (`draw_args(special=True)`),
* lists: lists of arrays updated item by item (`lst[0] *= 2.0`,
  `lst[1] += lst[0]`, loops over `range(len(lst))`), some items read later;
  sometimes an item is an existing array (`lst = [y]`, `[y, y]`, an argument),
* kwonly: helpers with keyword-only parameters (`def h(a0, *, c=0.5, k)`),
  called with keywords in any order, positional parameters by keyword too,
* repeat: one array passed as two arguments of a helper (`h(t, t)`) or of
  the entry (`Program.same`), arguments updated in place (the entry's, and
  sometimes a helper's),
* callables (`FnGen.callable_stmt`, issue 9): function values (a tuple of
  NumPy functions and a lambda, `map`, a function passed to a helper),
  `functools.partial` with bound positional and keyword data, objects of a
  class built inside (`__init__` setting attributes, a method, `__call__`, a
  staticmethod, a bound method passed as a value), `*args`/`**kwargs`
  helpers called with packed `*seq`/`**mapping`, namedtuples and dataclasses
  (fields read, `_replace`, `dataclasses.replace`, passed to a helper), and
  generator functions consumed by `sum`, `list` and `for`.

Values are kept bounded by construction (`exp(tanh(.))`, `log(1 + x**2)`,
denominators like `1 + x**2`, and a `tanh` wherever a bound grows too large),
so central finite differences are well conditioned.

`check_program(program, rng, workdir)` writes the program to a real file
(s2sad reads source through `inspect`), imports it, draws inputs, and compares
`s2sad.value_and_grad` with finite differences. A *trace* version of the
program (the same source with comparisons, abs, np.maximum/minimum, np.clip,
max/min reductions, floor/round/sign, %, std, sort and norm replaced by
recording wrappers) measures how far each switching point is; inputs are
redrawn while one is within 1e-3, at the inputs or a little away from them
(an exact tie, the same value on both sides, is structural and harmless).
Where the inputs sit exactly at a kink with a convention (|x| at 0, a tie of
np.maximum / np.minimum / np.fmax / np.fmin / np.max / np.min, a clip bound),
the gradient is compared with finite differences of the trace *frozen* there:
the tied entries are replaced by a smooth stand-in whose derivative is JAX's
convention (slope 1, halves, the second argument, even shares, 0.5); such
checks are counted as "ok, at a tie". Ties at other switching points
(comparisons, sort, floor, integer dtypes) are discarded. Programs using
float32 use larger finite-difference steps and looser tolerances.
Programs that raise or warn in plain NumPy are discarded, not failures; so is
an s2sad `UnsupportedSyntaxError` (counted as "unsupported"), and an
`AliasingError` where the trace saw an in-place update change an array that
another name, a list, tuple or dict item, or (in a helper) the caller's
argument also holds. A failure is any other exception from s2sad (an
AliasingError where nothing is shared included), a wrong value, a changed
argument, or a gradient that differs from finite differences (elementwise
rtol 1e-4 and atol 1e-6 relative to the gradient's scale, or 1e-4 relative
error of its norm), confirmed with a second, 5-point stencil. Programs run on
copies of their inputs (an array passed twice is copied once) and may update
them in place. `minimize` shrinks a failing program.

Hypothesis can drive the generator too: `generate_program(data.draw(st.randoms()))`.
"""

from __future__ import annotations

import ast
import builtins
import copy
import importlib.util
import itertools
import math
import operator
import os
import random
import re
import signal
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

import s2sad
from s2sad.errors import AliasingError, UnsupportedSyntaxError

# ---------------------------------------------------------------- shapes

UNIVERSE = [(), (2,), (3,), (6,), (2, 1), (1, 3), (2, 3), (3, 2), (2, 2)]
ARG_SHAPES = [(), (), (3,), (3,), (2,), (2, 3), (2, 3), (2, 1), (1, 3)]
ARG_COMBOS = [
    [(2, 3), (3,)], [(2, 1), (1, 3)], [(), (3,)], [(2, 3), (2, 1)], [(3,), (2, 3), ()],
    [(2,), (2, 3)], [(1, 3), (2, 1), ()], [(3,), (3,)], [(2, 3), (1, 3)], [(), (2, 3)],
]
ARG_NAMES = ["x", "y", "z"]
LIMIT = 12.0  # squash expressions whose magnitude bound exceeds this
PARAM_BOUND = 2.0  # inputs are drawn from [-PARAM_BOUND, PARAM_BOUND]
HELPER_BOUND = 3.0  # arguments passed to generated helpers are squashed below this
MARGIN = 1e-3  # discard inputs where a switching point is closer than this


def bshape(*shapes: tuple) -> tuple | None:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        return None


def fits(small: tuple, big: tuple) -> bool:
    """`small` broadcasts into exactly `big`."""
    return bshape(small, big) == big


def nelem(shape: tuple) -> int:
    return int(np.prod(shape, dtype=int))


def lit(shape: tuple) -> str:
    return repr(tuple(shape))


# ---------------------------------------------------------------- tables of operations
# Each table maps a result shape to ways of computing it from operands of
# other shapes. Templates use {} for operands; bound functions map operand
# magnitude bounds to a bound on the result.

# (template, bound, kind): kind "any" works on every shape, "scalar" needs shape ().
UNARY: list[tuple[str, Callable[[float], float], str]] = [
    ("np.sin({})", lambda b: min(b, 1.0), "any"),
    ("np.cos({})", lambda b: 1.0, "any"),
    ("np.tanh({})", lambda b: min(b, 1.0), "any"),
    ("np.exp(np.tanh({}))", lambda b: math.e, "any"),
    ("np.exp(np.sin({}))", lambda b: math.e, "any"),
    ("np.exp(-({}) ** 2)", lambda b: 1.0, "any"),
    ("np.log(1.0 + ({}) ** 2)", lambda b: math.log1p(b * b), "any"),
    ("np.log1p(({}) ** 2)", lambda b: math.log1p(b * b), "any"),
    ("np.log(2.0 + np.cos({}))", lambda b: math.log(3.0), "any"),
    ("np.sqrt(1.0 + ({}) ** 2)", lambda b: math.sqrt(1 + b * b), "any"),
    ("np.sqrt(({}) ** 2 + 0.5)", lambda b: math.sqrt(0.5 + b * b), "any"),
    ("np.arctan({})", lambda b: min(b, math.pi / 2), "any"),
    ("np.arcsinh({})", lambda b: math.asinh(b), "any"),
    ("np.sinh(np.tanh({}))", lambda b: math.sinh(1.0), "any"),
    ("np.cosh(np.sin({}))", lambda b: math.cosh(1.0), "any"),
    ("np.expm1(np.tanh({}))", lambda b: math.e, "any"),
    ("np.exp2(np.sin({}))", lambda b: 2.0, "any"),
    ("-({})", lambda b: b, "any"),
    ("-({})", lambda b: b, "any"),
    ("({}) ** 2", lambda b: b * b, "any"),
    ("({}) ** 3", lambda b: b ** 3, "any"),
    ("np.square({})", lambda b: b * b, "any"),
    ("np.power({}, 2)", lambda b: b * b, "any"),
    ("(1.0 + ({}) ** 2) ** -1", lambda b: 1.0, "any"),
    ("(1.0 + ({}) ** 2) ** 0.5", lambda b: math.sqrt(1 + b * b), "any"),
    ("np.reciprocal(2.0 + np.sin({}))", lambda b: 1.0, "any"),
    ("1.5 ** np.tanh({})", lambda b: 1.5, "any"),
    ("np.abs({})", lambda b: b, "any"),
    ("abs({})", lambda b: b, "any"),
    ("({}) * 0.5", lambda b: 0.5 * b, "any"),
    ("2.0 * ({})", lambda b: 2.0 * b, "any"),
    ("({}) - 1.0", lambda b: b + 1.0, "any"),
    ("0.5 + ({})", lambda b: b + 0.5, "any"),
    ("({}) / 3.0", lambda b: b / 3.0, "any"),
    ("1.0 / (1.0 + ({}) ** 2)", lambda b: 1.0, "any"),
    ("np.tan(0.5 * np.tanh({}))", lambda b: math.tan(0.5), "any"),
    ("np.arcsin(0.9 * np.tanh({}))", lambda b: math.asin(0.9), "any"),
    ("np.arccos(0.9 * np.tanh({}))", lambda b: math.pi, "any"),
    ("np.arctanh(0.9 * np.tanh({}))", lambda b: math.atanh(0.9), "any"),
    ("np.arccosh(1.5 + ({}) ** 2)", lambda b: math.acosh(1.5 + b * b), "any"),
    ("np.log2(1.0 + ({}) ** 2)", lambda b: math.log2(1 + b * b), "any"),
    ("np.log10(1.0 + ({}) ** 2)", lambda b: math.log10(1 + b * b), "any"),
    ("np.cbrt(1.0 + ({}) ** 2)", lambda b: (1 + b * b) ** (1 / 3), "any"),
    ("np.sinc({})", lambda b: 1.0, "any"),
    ("np.deg2rad({})", lambda b: b * math.pi / 180, "any"),
    ("0.01 * np.rad2deg({})", lambda b: 0.6 * b, "any"),
    ("np.fabs({})", lambda b: b, "any"),
    ("np.negative({})", lambda b: b, "any"),
    ("np.floor({}) * 0.5", lambda b: 0.5 * (b + 1), "any"),
    ("np.round({}) + ({})", lambda b: 2 * b + 1, "twice"),
    ("np.sign({}) * ({})", lambda b: b, "twice"),
    ("({}) % 1.5", lambda b: 1.5, "any"),
    ("np.copy({})", lambda b: b, "any"),
    ("math.sin({})", lambda b: min(b, 1.0), "scalar"),
    ("math.erf({})", lambda b: 1.0, "scalar"),
    ("math.erfc({})", lambda b: 2.0, "scalar"),
    ("math.hypot({}, 1.0)", lambda b: b + 1.0, "scalar"),
    ("math.pow(1.0 + ({}) ** 2, 1.5)", lambda b: (1 + b * b) ** 1.5, "scalar"),
    ("math.log1p(({}) ** 2)", lambda b: math.log1p(b * b), "scalar"),
    ("math.expm1(math.tanh({}))", lambda b: math.e, "scalar"),
    ("math.sinh(math.tanh({}))", lambda b: math.sinh(1.0), "scalar"),
    ("math.cosh(math.tanh({}))", lambda b: math.cosh(1.0), "scalar"),
    ("math.asin(0.5 * math.tanh({}))", lambda b: 0.6, "scalar"),
    ("math.acos(0.5 * math.tanh({}))", lambda b: math.pi, "scalar"),
    ("math.atan2({}, 2.0)", lambda b: math.pi, "scalar"),
    ("math.fabs({})", lambda b: b, "scalar"),
    ("math.log10(1.0 + ({}) ** 2)", lambda b: math.log10(1 + b * b), "scalar"),
    ("math.exp(-({}) ** 2)", lambda b: 1.0, "scalar"),
    ("math.cos({})", lambda b: 1.0, "scalar"),
    ("math.tanh({})", lambda b: min(b, 1.0), "scalar"),
    ("math.exp(math.tanh({}))", lambda b: math.e, "scalar"),
    ("math.sqrt(1.0 + ({}) ** 2)", lambda b: math.sqrt(1 + b * b), "scalar"),
    ("math.log(1.0 + ({}) ** 2)", lambda b: math.log1p(b * b), "scalar"),
    ("math.atan({})", lambda b: min(b, math.pi / 2), "scalar"),
    ("float({})", lambda b: b, "scalar"),
]

# (template, bound): two operands whose shapes broadcast to the result.
BINARY: list[tuple[str, Callable[[float, float], float]]] = [
    ("({}) + ({})", lambda a, b: a + b),
    ("({}) + ({})", lambda a, b: a + b),
    ("({}) - ({})", lambda a, b: a + b),
    ("({}) * ({})", lambda a, b: a * b),
    ("({}) * ({})", lambda a, b: a * b),
    ("({}) / (1.0 + ({}) ** 2)", lambda a, b: a),
    ("({}) / (2.0 + np.sin({}))", lambda a, b: a),
    ("np.divide({}, 1.5 + np.tanh({}))", lambda a, b: 2 * a),
    ("np.add({}, {})", lambda a, b: a + b),
    ("np.subtract({}, {})", lambda a, b: a + b),
    ("np.multiply({}, {})", lambda a, b: a * b),
    ("np.logaddexp({}, {})", lambda a, b: max(a, b) + 1.0),
    ("np.arctan2({}, 2.0 + np.cos({}))", lambda a, b: math.pi),
    ("np.power(1.0 + ({}) ** 2, np.tanh({}))", lambda a, b: 1 + a * a),
    ("np.maximum({}, {})", lambda a, b: max(a, b)),
    ("np.minimum({}, {})", lambda a, b: max(a, b)),
    ("np.fmax({}, {})", lambda a, b: max(a, b)),
    ("np.logaddexp2({}, {})", lambda a, b: max(a, b) + 1.0),
    ("np.hypot({}, 0.5 + ({}) ** 2)", lambda a, b: a + 0.5 + b * b),
    ("np.float_power(1.0 + ({}) ** 2, np.tanh({}))", lambda a, b: 1 + a * a),
    ("np.true_divide({}, 2.0 + np.cos({}))", lambda a, b: a),
]

# result shape -> [(operand shapes, template, inner dimension)]
MATMUL: dict[tuple, list[tuple[tuple, str, int]]] = {
    (): [(((3,), (3,)), "({}) @ ({})", 3), (((2,), (2,)), "np.dot({}, {})", 2),
         (((3,), (3,)), "np.einsum('i,i->', {}, {})", 3),
         (((2, 3), (2, 3)), "np.tensordot({}, {}, axes=2)", 6),
         (((3,), (3,)), "({}).dot({})", 3),
         (((3,), (3,)), "np.dot({}, {})", 3), (((3,), (3,)), "np.inner({}, {})", 3),
         (((2, 3), (2, 3)), "np.vdot({}, {})", 6)],
    (2,): [(((2, 3), (3,)), "({}) @ ({})", 3), (((2, 3), (3,)), "np.dot({}, {})", 3),
           (((2, 2), (2,)), "({}) @ ({})", 2), (((2,), (2, 2)), "({}) @ ({})", 2),
           (((3,), (3, 2)), "np.dot({}, {})", 3),
           (((2, 3), (3,)), "np.einsum('ij,j->i', {}, {})", 3),
           (((2, 3), (3,)), "np.tensordot({}, {}, axes=1)", 3),
           (((2, 2), (2,)), "np.linalg.solve(np.eye(2) + 0.3 * np.tanh({}), {})", 3)],
    (3,): [(((3, 2), (2,)), "({}) @ ({})", 2), (((2,), (2, 3)), "({}) @ ({})", 2),
           (((2,), (2, 3)), "np.matmul({}, {})", 2),
           (((3,), (3,)), "np.cross({}, {})", 2)],
    (2, 3): [(((2, 1), (1, 3)), "({}) @ ({})", 1), (((2, 2), (2, 3)), "({}) @ ({})", 2),
             (((2,), (3,)), "np.outer({}, {})", 1), (((3, 2), (2, 2)), "({1}) @ ({0}).T", 2)],
    (3, 2): [(((3, 2), (2, 2)), "({}) @ ({})", 2), (((3,), (2,)), "np.outer({}, {})", 1)],
    (2, 2): [(((2, 3), (3, 2)), "({}) @ ({})", 3), (((2,), (2,)), "np.outer({}, {})", 1),
             (((2, 2), (2, 2)), "({}) @ ({})", 2), (((2, 3), (2, 3)), "({}) @ ({}).T", 3),
             (((2, 3), (2, 3)), "np.einsum('ij,kj->ik', {}, {})", 3)],
    (2, 1): [(((2, 2), (2, 1)), "({}) @ ({})", 2),
             (((2, 3), (2, 3)), "np.sum({} * {}, axis=1, keepdims=True)", 3)],
}

# result shape -> [(operand shapes, template)]: several operands into one array.
STACK: dict[tuple, list[tuple[tuple, str]]] = {
    (6,): [(((3,), (3,)), "np.concatenate([{}, {}])"),
           (((2,), (2,), (2,)), "np.concatenate(({}, {}, {}))"),
           (((3,), (3,)), "np.hstack([{}, {}])")],
    (2, 3): [(((3,), (3,)), "np.stack([{}, {}])"),
             (((2,), (2,), (2,)), "np.stack([{}, {}, {}], axis=1)"),
             (((1, 3), (1, 3)), "np.vstack([{}, {}])"), (((3,), (3,)), "np.vstack([{}, {}])"),
             (((2, 1), (2, 2)), "np.concatenate([{}, {}], axis=1)"),
             (((3,), (3,)), "np.array([{}, {}])"),
             (((2, 1), (2, 2)), "np.hstack([{}, {}])")],
    (3, 2): [(((3,), (3,)), "np.stack([{}, {}], axis=1)"),
             (((2,), (2,), (2,)), "np.array([{}, {}, {}])")],
    (2,): [(((), ()), "np.array([{}, {}])"), (((), ()), "np.stack([{}, {}])")],
    (3,): [(((), (), ()), "np.array([{}, {}, {}])")],
    (2, 2): [(((2,), (2,)), "np.stack([{}, {}])"),
             (((), (), (), ()), "np.array([[{}, {}], [{}, {}]])")],
}


# (source shape, result shape) -> subscripts
INDEX: dict[tuple[tuple, tuple], list[str]] = {
    ((3,), ()): ["[0]", "[1]", "[2]", "[-1]"],
    ((2,), ()): ["[0]", "[1]", "[-1]"],
    ((6,), ()): ["[4]", "[-2]"],
    ((3,), (2,)): ["[1:]", "[:2]", "[::2]", "[:-1]", "[-2:]"],
    ((6,), (3,)): ["[:3]", "[3:]", "[::2]", "[1::2]"],
    ((6,), (2,)): ["[1:3]", "[::3]"],
    ((2, 3), (3,)): ["[0]", "[1]", "[-1]", "[0, :]", "[1, :]"],
    ((2, 3), (2,)): ["[:, 0]", "[:, 1]", "[:, -1]", "[..., 2]"],
    ((2, 3), ()): ["[0, 1]", "[1, 2]", "[1][0]", "[-1, -1]"],
    ((2, 3), (2, 1)): ["[:, :1]", "[:, 1:2]", "[:, -1:]"],
    ((2, 3), (1, 3)): ["[:1]", "[1:]", "[-1:]", "[:1, :]"],
    ((2, 3), (2, 2)): ["[:, :2]", "[:, 1:]", "[:, ::2]"],
    ((3, 2), (2,)): ["[0]", "[2]", "[-1]"],
    ((3, 2), (3,)): ["[:, 0]", "[:, 1]"],
    ((3, 2), (2, 2)): ["[:2]", "[1:]"],
    ((3, 2), ()): ["[2, 1]"],
    ((2, 2), (2,)): ["[0]", "[:, 1]"],
    ((2, 2), ()): ["[1, 0]"],
    ((2, 1), (2,)): ["[:, 0]"],
    ((2, 1), ()): ["[1, 0]"],
    ((1, 3), (3,)): ["[0]", "[0, :]"],
    ((1, 3), ()): ["[0, 2]"],
    ((3,), (1, 3)): ["[None, :]", "[np.newaxis]"],
    ((2,), (2, 1)): ["[:, None]"],
}
# shape -> [(subscript, shape of the selection)] that can be assigned to
TARGETS: dict[tuple, list[tuple[str, tuple]]] = {}
for (_src, _dst), _subs in INDEX.items():
    TARGETS.setdefault(_src, []).extend(
        (sub, _dst) for sub in _subs if "None" not in sub and "newaxis" not in sub
        and "][" not in sub)


@dataclass(frozen=True)
class Shaper:
    """One operand of shape `src` -> a result of shape `dst`."""

    src: tuple
    dst: tuple
    template: str
    bound: Callable[[float], float]
    view: bool = False  # the result may share memory with the operand
    readonly: bool = False


def _shapers() -> list[Shaper]:
    out: list[Shaper] = []
    same = lambda b: b  # noqa: E731
    for t in UNIVERSE:
        if not t:
            continue
        n = nelem(t)
        # whole-array reductions
        out += [Shaper(t, (), "np.sum({})", lambda b, n=n: n * b),
                Shaper(t, (), "np.mean({})", same),
                Shaper(t, (), "({}).sum()", lambda b, n=n: n * b),
                Shaper(t, (), "({}).mean()", same), Shaper(t, (), "np.max({})", same),
                Shaper(t, (), "np.min({})", same), Shaper(t, (), "({}).max()", same),
                Shaper(t, (), "np.var({})", lambda b: b * b),
                Shaper(t, (), "np.linalg.norm({})", lambda b, n=n: math.sqrt(n) * b)]
        # (std is not differentiable where all entries are equal, as in a
        # broadcast array: spread them out)
        spread = f"np.linspace(0.0, 1.0, {n}).reshape({lit(t)})"
        out += [Shaper(t, (), f"np.std({{}} + {spread})", same),
                Shaper(t, t, "np.sort({}, axis=-1)", same),
                Shaper(t, t, "({}).copy()", same), Shaper(t, t, "({}).astype(float)", same),
                Shaper(t, t, "np.atleast_1d({})", same, view=True)]
        if n <= 3:
            out.append(Shaper(t, (), "np.prod({})", lambda b, n=n: b ** n))
            out.append(Shaper(t, t, f"np.cumprod({{}}, axis={len(t) - 1})", lambda b, n=n: b ** n))
        # reductions along an axis
        for axis in range(len(t)):
            kept = t[:axis] + t[axis + 1:]
            keep = t[:axis] + (1,) + t[axis + 1:]
            m = t[axis]
            neg = axis - len(t)
            if kept in UNIVERSE:
                out += [Shaper(t, kept, f"np.sum({{}}, axis={axis})", lambda b, m=m: m * b),
                        Shaper(t, kept, f"np.sum({{}}, {axis})", lambda b, m=m: m * b),
                        Shaper(t, kept, f"({{}}).sum(axis={neg})", lambda b, m=m: m * b),
                        Shaper(t, kept, f"np.mean({{}}, axis={axis})", same),
                        Shaper(t, kept, f"({{}}).mean(axis={axis})", same),
                        Shaper(t, kept, f"np.max({{}}, axis={axis})", same),
                        Shaper(t, kept, f"np.min({{}}, axis={neg})", same),
                        Shaper(t, kept, f"({{}}).max(axis={axis})", same)]
            if keep in UNIVERSE and keep != t:
                out += [Shaper(t, keep, f"np.sum({{}}, axis={axis}, keepdims=True)",
                               lambda b, m=m: m * b),
                        Shaper(t, keep, f"np.mean({{}}, axis={neg}, keepdims=True)", same),
                        Shaper(t, keep, f"np.max({{}}, axis={axis}, keepdims=True)", same)]
        # reshapes
        for s in UNIVERSE:
            if s != t and s and nelem(s) == n:
                out += [Shaper(t, s, f"np.reshape({{}}, {lit(s)})", same, view=True),
                        Shaper(t, s, f"({{}}).reshape({lit(s)})", same, view=True),
                        Shaper(t, s, f"({{}}).reshape({', '.join(map(str, s))})", same, view=True)]
                if len(s) == 1:
                    out += [Shaper(t, s, "np.ravel({})", same, view=True),
                            Shaper(t, s, "({}).ravel()", same, view=True),
                            Shaper(t, s, "({}).flatten()", same),
                            Shaper(t, s, "({}).reshape(-1)", same, view=True)]
                elif len(s) == 2:
                    out.append(Shaper(t, s, f"np.reshape({{}}, (-1, {s[1]}))", same, view=True))
        if len(t) == 2:
            s = t[::-1]
            out += [Shaper(t, s, "({}).T", same, view=True),
                    Shaper(t, s, "np.transpose({})", same, view=True),
                    Shaper(t, s, "({}).transpose()", same, view=True),
                    Shaper(t, s, "np.swapaxes({}, 0, 1)", same, view=True)]
        # shape-preserving
        out += [Shaper(t, t, "({})[::-1]", same, view=True),
                Shaper(t, t, "np.flip({})", same, view=True),
                Shaper(t, t, "np.roll({}, 1)", same),
                Shaper(t, t, f"np.cumsum({{}}, axis={len(t) - 1})", lambda b, m=t[-1]: m * b)]
        if len(t) == 1:
            out.append(Shaper(t, (t[0] - 1,), "np.diff({})", lambda b: 2 * b))
        if len(t) == 2 and t[1] > 1:
            out.append(Shaper(t, (t[0], t[1] - 1), "np.diff({})", lambda b: 2 * b))
            out.append(Shaper(t, t, "np.fliplr({})", same, view=True))
    # indexing and slicing
    for (src, dst), subs in INDEX.items():
        out += [Shaper(src, dst, "({})" + sub, same, view=True) for sub in subs]
    out += [Shaper((2, 1), (2,), "np.squeeze({})", same, view=True),
            Shaper((2, 1), (2,), "np.squeeze({}, axis=1)", same, view=True),
            Shaper((1, 3), (3,), "np.squeeze({})", same, view=True),
            Shaper((1, 3), (3,), "({}).squeeze()", same, view=True),
            Shaper((3,), (1, 3), "np.expand_dims({}, 0)", same, view=True),
            Shaper((3,), (1, 3), "np.atleast_2d({})", same, view=True),
            Shaper((2,), (2, 1), "np.expand_dims({}, 1)", same, view=True),
            Shaper((3,), (6,), "np.tile({}, 2)", same),
            Shaper((3,), (6,), "np.repeat({}, 2)", same),
            Shaper((2,), (6,), "np.repeat({}, 3)", same),
            Shaper((1, 3), (2, 3), "np.tile({}, (2, 1))", same),
            Shaper((1, 3), (2, 3), "np.repeat({}, 2, axis=0)", same),
            Shaper((2, 1), (2, 3), "np.repeat({}, 3, axis=1)", same),
            Shaper((3,), (2, 3), "np.tile({}, (2, 1))", same),
            Shaper((2, 2), (2,), "np.diag({})", same), Shaper((2,), (2, 2), "np.diag({})", same),
            Shaper((2, 2), (), "np.trace({})", lambda b: 2 * b),
            Shaper((2, 2), (2,), "np.diagonal({})", same, view=True),
            Shaper((2, 2), (2,), "({}).diagonal()", same, view=True),
            Shaper((2, 3), (3, 2), "np.moveaxis({}, 0, 1)", same, view=True),
            Shaper((3,), (2,), "np.take({}, [2, 0])", same),
            Shaper((2, 3), (2, 2), "np.take({}, [0, 2], axis=1)", same),
            Shaper((2, 3), (2,), "np.linalg.norm({}, axis=1)", same),
            Shaper((2, 3), (2, 3), "np.flipud({})", same, view=True),
            Shaper((2, 2), (2, 2), "np.linalg.inv(np.eye(2) + 0.3 * np.tanh({}))", lambda b: 3.0),
            Shaper((2, 2), (), "np.linalg.det(np.eye(2) + 0.3 * np.tanh({}))", lambda b: 2.0),
            Shaper((2, 2), (), "np.linalg.slogdet(np.eye(2) + 0.3 * np.tanh({}))[1]",
                   lambda b: 1.0),
            Shaper((2, 3), (2, 3), "np.take_along_axis({0}, np.argsort({0}, axis=1), axis=1)",
                   same),
            Shaper((2, 2), (2, 2), "np.triu({})", same),
            Shaper((2, 2), (2, 2), "np.tril({})", same)]
    # broadcasting up
    for t in UNIVERSE:
        for s in UNIVERSE:
            if s != t and fits(t, s):
                out += [Shaper(t, s, f"np.broadcast_to({{}}, {lit(s)})", same, view=True,
                               readonly=True),
                        Shaper(t, s, f"({{}}) * np.ones({lit(s)})", same),
                        Shaper(t, s, f"np.zeros({lit(s)}) + ({{}})", same)]
                if not t:
                    out.append(Shaper(t, s, f"np.full({lit(s)}, {{}})", same))
                    out.append(Shaper(t, s, f"np.full_like(np.zeros({lit(s)}), {{}})", same))
    return out


SHAPERS = _shapers()
SHAPERS_TO: dict[tuple, list[Shaper]] = {s: [h for h in SHAPERS if h.dst == s] for s in UNIVERSE}
# Shapers for reaching a shape when no variable has it: no reductions that tie (max/min).
_PATH_SHAPERS = [h for h in SHAPERS if not any(
    w in h.template for w in ("max", "min", "full", "std", "sort", "norm", "linalg"))]


# ---------------------------------------------------------------- keyword arguments
# Drawn by a share of programs (ModuleGen.features): NumPy calls with keyword
# arguments at non-default values. Integer dtypes truncate (the trace records
# how far the operand is from an integer); float32 makes the program "low
# precision" (finite differences with larger steps, see check_args).

INT_DTYPES = ("np.int64", "np.int32", "int", "'int64'")
FLOAT_DTYPES = ("np.float64", "np.float32", "float", "'float32'")
LOW_PRECISION = ("float32",)


def _kw_shapers() -> list[Shaper]:
    out: list[Shaper] = []
    same = lambda b: b  # noqa: E731
    for t in UNIVERSE:
        if not t:
            continue
        n, nd = nelem(t), len(t)
        spread = f"np.linspace(0.0, 1.0, {n}).reshape({lit(t)})"
        # whole-array reductions with dtype=, ddof=, keepdims=
        out += [Shaper(t, (), "np.sum({}, dtype=np.float64)", lambda b, n=n: n * b),
                Shaper(t, (), "np.mean({}, dtype=np.float32)", same),
                Shaper(t, (), "({}).sum(dtype='float32')", lambda b, n=n: n * b),
                Shaper(t, (), "np.sum({}, dtype=np.int64) * 0.5", lambda b, n=n: 0.5 * n * b),
                Shaper(t, (), "np.mean({}, dtype=int) + 0.25", lambda b: b + 0.25),
                Shaper(t, (), "np.var({}, ddof=1)", lambda b: 2 * b * b),
                Shaper(t, (), "({}).var(ddof=1)", lambda b: 2 * b * b),
                Shaper(t, (), "np.var({}, dtype=np.float64)", lambda b: b * b),
                Shaper(t, (), f"np.std({{}} + {spread}, ddof=1)", lambda b: 2 * b + 2),
                Shaper(t, (), f"({{}} + {spread}).std(ddof=1)", lambda b: 2 * b + 2),
                Shaper(t, (), "np.max({}, axis=None)", same),
                Shaper(t, t, "({0}) - np.max({0}, keepdims=True)", lambda b: 2 * b),
                Shaper(t, t, "np.exp(({0}) - np.max({0}, axis=None, keepdims=True))",
                       lambda b: 1.0),
                Shaper(t, t, "({}).astype(np.float32)", same),
                Shaper(t, t, "np.asarray({}, dtype=np.float32)", same),
                Shaper(t, t, "np.array({}, dtype=np.float64)", same),
                Shaper(t, t, "({}).astype(np.int64) * 0.5", lambda b: 0.5 * b),
                Shaper(t, t, "np.array({}, dtype=np.int32) + 0.25", lambda b: b + 0.25),
                Shaper(t, t, "np.cumsum({}, axis=-1, dtype=np.float32)",
                       lambda b, m=t[-1]: m * b),
                Shaper(t, t, "np.cumsum({}, axis=-1, dtype=np.int64) * 0.5",
                       lambda b, m=t[-1]: 0.5 * m * b),
                Shaper(t, t, "np.sort({}, axis=-1)", same)]
        if n <= 3:
            out.append(Shaper(t, (), "np.prod({}, dtype=np.float64)", lambda b, n=n: b ** n))
        for axis in range(nd):
            neg = axis - nd
            m = t[axis]
            kept = t[:axis] + t[axis + 1:]
            keep = t[:axis] + (1,) + t[axis + 1:]
            for a in (axis, neg):
                if kept in UNIVERSE:
                    out += [Shaper(t, kept, f"np.max({{}}, axis={a})", same),
                            Shaper(t, kept, f"({{}}).min(axis={a})", same),
                            Shaper(t, kept, f"np.sum({{}}, axis={a}, dtype=np.float32)",
                                   lambda b, m=m: m * b),
                            Shaper(t, kept, f"np.mean({{}}, {a}, np.float64)", same),
                            Shaper(t, kept, f"np.var({{}}, axis={a})", lambda b: b * b),
                            Shaper(t, kept, f"np.linalg.norm({{}}, axis={a})",
                                   lambda b, m=m: m * b),
                            Shaper(t, kept, f"np.sum({{}}, axis={a}, dtype=np.int64) * 0.5",
                                   lambda b, m=m: m * b)]
                    if m <= 3:
                        out.append(Shaper(t, kept, f"np.prod({{}}, axis={a})",
                                          lambda b, m=m: b ** m))
                    if m >= 2:
                        out += [Shaper(t, kept, f"np.var({{}}, axis={a}, ddof=1)",
                                       lambda b: 2 * b * b),
                                Shaper(t, kept, f"np.std({{}} + {spread}, axis={a}, ddof=1)",
                                       lambda b: 2 * b + 2)]
                if keep in UNIVERSE and keep != t:
                    out += [Shaper(t, keep, f"np.min({{}}, axis={a}, keepdims=True)", same),
                            Shaper(t, keep, f"({{}}).max(axis={a}, keepdims=True)", same),
                            Shaper(t, keep, f"({{}}).sum({a}, keepdims=True)",
                                   lambda b, m=m: m * b),
                            Shaper(t, keep, f"np.var({{}}, axis={a}, keepdims=True)",
                                   lambda b: b * b),
                            Shaper(t, keep, f"np.linalg.norm({{}}, axis={a}, keepdims=True)",
                                   lambda b, m=m: m * b)]
                    if m >= 2:
                        out.append(Shaper(t, keep, f"np.std({{}} + {spread}, axis={a}, "
                                                   "keepdims=True, ddof=1)", lambda b: 2 * b + 2))
                    if m <= 3:
                        out.append(Shaper(t, keep, f"np.prod({{}}, axis={a}, keepdims=True)",
                                          lambda b, m=m: b ** m))
                out += [Shaper(t, t, f"({{0}}) - np.max({{0}}, axis={a}, keepdims=True)",
                               lambda b: 2 * b),
                        Shaper(t, t, f"np.exp(({{0}}) - np.max({{0}}, axis={a}, keepdims=True))",
                               lambda b: 1.0),
                        Shaper(t, t, f"({{0}}) / (1.0 + np.sum(({{0}}) ** 2, axis={a}, "
                                     "keepdims=True))", same),
                        Shaper(t, t, f"np.cumsum({{}}, axis={a})", lambda b, m=m: m * b),
                        Shaper(t, t, f"np.sort({{}}, axis={a})", same),
                        Shaper(t, t, f"np.flip({{}}, axis={a})", same, view=True),
                        Shaper(t, t, f"np.roll({{}}, -1, axis={a})", same)]
                if m <= 3:
                    out.append(Shaper(t, t, f"np.cumprod({{}}, axis={a}, dtype=np.float64)",
                                      lambda b, m=m: b ** m))
                if m >= 2 and (t[:axis] + (m - 1,) + t[axis + 1:]) in UNIVERSE:
                    out.append(Shaper(t, t[:axis] + (m - 1,) + t[axis + 1:],
                                      f"np.diff({{}}, axis={a})", lambda b: 2 * b))
                if m >= 3 and (t[:axis] + (m - 2,) + t[axis + 1:]) in UNIVERSE:
                    out.append(Shaper(t, t[:axis] + (m - 2,) + t[axis + 1:],
                                      f"np.diff({{}}, n=2, axis={a})", lambda b: 4 * b))
        if nd == 1:
            (m,) = t
            for k in (2, 3, 4):
                if m > k and (m - k,) in UNIVERSE:
                    out.append(Shaper(t, (m - k,), f"np.diff({{}}, n={k})",
                                      lambda b, k=k: 2 ** k * b))
            if m > 2:
                out.append(Shaper(t, (), "np.sum(np.diff({}, n=2))", lambda b: 8 * b))
            out += [Shaper(t, (), "np.einsum('i->', {})", lambda b, n=n: n * b),
                    Shaper(t, (), "np.einsum({}, [0], [])", lambda b, n=n: n * b),
                    Shaper(t, t, "np.ravel({}, order='K')", same, view=True),
                    Shaper(t, t, "({}).flatten(order='F')", same),
                    Shaper(t, t, "np.cumsum({}, dtype=np.float32)", lambda b, n=n: n * b)]
            if (1,) + t in UNIVERSE:
                out += [Shaper(t, (1,) + t, f"np.reshape({{}}, {lit((1,) + t)}, order='F')",
                               same, view=True),
                        Shaper(t, (1,) + t, "np.expand_dims({}, axis=-2)", same, view=True)]
            if t + (1,) in UNIVERSE:
                out.append(Shaper(t, t + (1,), "np.expand_dims({}, axis=-1)", same, view=True))
        if nd == 2:
            s = t[::-1]
            for axes in ("(0, 1)", "(0, -1)", "(-1, 0)", "(1, -2)"):
                out += [Shaper(t, (), f"np.sum({{}}, axis={axes})", lambda b, n=n: n * b),
                        Shaper(t, (), f"np.mean({{}}, axis={axes})", same),
                        Shaper(t, (), f"np.max({{}}, axis={axes})", same),
                        Shaper(t, (), f"({{}}).min(axis={axes})", same),
                        Shaper(t, (), f"np.var({{}}, axis={axes}, ddof=1)", lambda b: 2 * b * b),
                        Shaper(t, t, f"({{0}}) - np.mean({{0}}, axis={axes}, keepdims=True)",
                               lambda b: 2 * b),
                        Shaper(t, t, f"np.exp(({{0}}) - np.max({{0}}, axis={axes}, "
                                     "keepdims=True))", lambda b: 1.0)]
            out += [Shaper(t, t, "np.flip({}, axis=(0, 1))", same, view=True),
                    Shaper(t, t, "np.roll({}, shift=(1, -1), axis=(0, 1))", same),
                    Shaper(t, t, "np.transpose({}, (0, 1))", same, view=True),
                    Shaper(t, s, "np.transpose({}, (-1, 0))", same, view=True),
                    Shaper(t, s, "np.transpose({}, axes=(1, -2))", same, view=True),
                    Shaper(t, s, "({}).transpose(-1, 0)", same, view=True),
                    Shaper(t, s, "({}).transpose((1, 0))", same, view=True),
                    Shaper(t, s, "({}).transpose(-1, -2)", same, view=True),
                    Shaper(t, s, "np.swapaxes({}, -1, 0)", same, view=True),
                    Shaper(t, s, "({}).swapaxes(-2, -1)", same, view=True),
                    Shaper(t, s, "np.moveaxis({}, -1, 0)", same, view=True),
                    Shaper(t, s, "np.einsum('ij->ji', {})", same, view=True),
                    Shaper(t, s, "np.einsum('ji', {})", same, view=True),
                    Shaper(t, s, "np.einsum({}, [0, 1], [1, 0])", same, view=True),
                    Shaper(t, s, "np.einsum({}, [1, 0])", same, view=True),
                    Shaper(t, t, "np.einsum('ij', {})", same, view=True),
                    Shaper(t, (), "np.einsum('ij->', {})", lambda b, n=n: n * b),
                    Shaper(t, (), "np.einsum({}, [0, 1], [])", lambda b, n=n: n * b),
                    Shaper(t, (), "np.trace({}, offset=0, axis1=1, axis2=0)",
                           lambda b: 2 * b),
                    Shaper(t, t, "np.triu({}, k=1)", same),
                    Shaper(t, t, "np.tril({}, k=-1)", same),
                    Shaper(t, t, "np.triu({}, -1)", same),
                    Shaper(t, t, "np.tril({}, 1)", same)]
            if (t[0],) in UNIVERSE:
                out += [Shaper(t, (t[0],), "np.einsum('ij->i', {})", lambda b, m=t[1]: m * b),
                        Shaper(t, (t[0],), "np.einsum('...j->...', {})",
                               lambda b, m=t[1]: m * b),
                        Shaper(t, (t[0],), "np.einsum({}, [0, 1], [0])",
                               lambda b, m=t[1]: m * b)]
            if (t[1],) in UNIVERSE:
                out.append(Shaper(t, (t[1],), "np.einsum('ij->j', {})", lambda b, m=t[0]: m * b))
            if t[0] == t[1]:
                out += [Shaper(t, (), "np.einsum('ii->', {})", lambda b, m=t[0]: m * b),
                        Shaper(t, (), "np.einsum({}, [0, 0], [])", lambda b, m=t[0]: m * b),
                        Shaper(t, (t[0],), "np.einsum('ii->i', {})", same)]
            if (n,) in UNIVERSE:
                out += [Shaper(t, (n,), "np.ravel({}, order='F')", same, view=True),
                        Shaper(t, (n,), "({}).ravel(order='K')", same, view=True),
                        Shaper(t, (n,), "({}).flatten(order='F')", same),
                        Shaper(t, (n,), "({}).flatten('A')", same),
                        Shaper(t, (n,), "np.ravel(({}).T, order='A')", same, view=True),
                        Shaper(t, (n,), "np.ravel(np.transpose({}), order='K')", same, view=True),
                        Shaper(t, (n,), "({}).T.flatten(order='K')", same),
                        Shaper(t, (n,), "np.reshape({}, (-1,), order='F')", same, view=True),
                        Shaper(t, (n,), "np.sort({}, axis=None)", same)]
            for s2 in UNIVERSE:
                if s2 and nelem(s2) == n and s2 != (n,):
                    out += [Shaper(t, s2, f"np.reshape({{}}, {lit(s2)}, order='F')", same,
                                   view=True),
                            Shaper(t, s2, f"({{}}).reshape({lit(s2)}, order='A')", same,
                                   view=True),
                            Shaper(t, s2, f"({{}}).reshape({', '.join(map(str, s2))}, "
                                          "order='F')", same, view=True),
                            Shaper(t, s2, f"np.reshape(({{}}).T, {lit(s2)}, order='A')", same,
                                   view=True)]
            if t[1] >= 2:
                out.append(Shaper(t, t[:1] + (2,), "np.take({}, [1, 0], axis=-1)", same))
            if t[1] >= 3 and (t[0], t[1] - 2) in UNIVERSE:
                out.append(Shaper(t, (t[0], t[1] - 2), "np.diff({}, n=2)", lambda b: 4 * b))
    # offsets and diagonals
    out += [Shaper((2, 3), (2,), "np.diagonal({}, offset=1)", same, view=True),
            Shaper((2, 3), (2,), "({}).diagonal(1)", same, view=True),
            Shaper((2, 3), (2,), "np.diag({}, k=1)", same),
            Shaper((2, 3), (), "np.trace({}, offset=1)", lambda b: 2 * b),
            Shaper((2, 3), (), "({}).trace(offset=1)", lambda b: 2 * b),
            Shaper((3, 2), (2,), "np.diagonal({}, offset=-1)", same, view=True),
            Shaper((3, 2), (2,), "np.diagonal({}, offset=1, axis1=1, axis2=0)", same, view=True),
            Shaper((3, 2), (2,), "np.diag({}, k=-1)", same),
            Shaper((3, 2), (), "np.trace({}, offset=-1)", lambda b: 2 * b),
            Shaper((2, 2), (), "np.trace({}, offset=1)", same),
            Shaper((2, 2), (), "np.trace({}, -1)", same),
            Shaper((2,), (3,), "np.sum(np.diag({}, k=1), axis=0)", same),
            Shaper((2,), (3,), "np.sum(np.diag({}, k=-1), axis=1)", same),
            Shaper((2,), (2, 2), "np.diag({}, 1)[:2, 1:]", same),
            Shaper((3,), (2, 3), "np.diag({}, k=1)[:2, 1:]", same),
            Shaper((2, 1), (2,), "np.squeeze({}, axis=-1)", same, view=True),
            Shaper((1, 3), (3,), "np.squeeze({}, axis=-2)", same, view=True),
            Shaper((2, 1), (2, 3), "np.repeat({}, 3, axis=-1)", same),
            Shaper((3,), (2,), "np.take({}, [2, 0], axis=-1)", same)]
    return out


KW_SHAPERS = _kw_shapers()
KW_SHAPERS_TO: dict[tuple, list[Shaper]] = {
    s: [h for h in KW_SHAPERS if h.dst == s] for s in UNIVERSE}

# result shape -> [(operand shapes, template, inner dimension)]: einsum forms
KW_MATMUL: dict[tuple, list[tuple[tuple, str, int]]] = {
    (): [(((3,), (3,)), "np.einsum({}, [0], {}, [0], [])", 3),
         (((2, 3), (2, 3)), "np.einsum('ij,ij', {}, {})", 6),
         (((2, 2), (2, 2)), "np.einsum('ij,ji->', {}, {})", 4)],
    (2,): [(((2, 3), (3,)), "np.einsum('ij,j', {}, {})", 3),
           (((2, 3), (2, 3)), "np.einsum('ij,ij->i', {}, {})", 3),
           (((2, 3), (3,)), "np.einsum({}, [0, 1], {}, [1], [0])", 3),
           (((2, 3), (3,)), "np.einsum({}, [Ellipsis, 0], {}, [0], [Ellipsis])", 3)],
    (3,): [(((2,), (2, 3)), "np.einsum('i,ij->j', {}, {})", 2),
           (((2, 3), (2,)), "np.einsum({}, [1, 0], {}, [1], [0])", 2)],
    (2, 3): [(((2,), (3,)), "np.einsum('i,j->ij', {}, {})", 1),
             (((2,), (3,)), "np.einsum({}, [0], {}, [1], [0, 1])", 1),
             (((2, 2), (2, 3)), "np.einsum({}, [0, 1], {}, [1, 2], [0, 2])", 2),
             (((2, 2), (2, 3)), "np.einsum('ij,jk', {}, {})", 2),
             (((2, 3), (2, 3)), "np.einsum('ij,ij->ij', {}, {})", 1)],
    (3, 2): [(((3, 2), (2, 2)), "np.einsum('ij,jk->ik', {}, {})", 2),
             (((2, 3), (2, 2)), "np.einsum('ji,jk->ik', {}, {})", 2),
             (((2, 3), (2, 2)), "np.einsum({}, [1, 0], {}, [1, 2], [0, 2])", 2)],
    (2, 2): [(((2, 3), (3, 2)), "np.einsum({}, [0, 1], {}, [1, 2], [0, 2])", 3),
             (((2, 3), (2, 3)), "np.einsum('ik,jk', {}, {})", 3)],
}
# result shape -> [(operand shapes, template, inner size)]: three operands, or stacking on a
# negative axis (inner size 0: the result is bounded by its largest operand)
KW_MULTI: dict[tuple, list[tuple[tuple, str, int]]] = {
    (): [(((2,), (2, 3), (3,)), "np.einsum('i,ij,j->', {}, {}, {})", 6)],
    (2,): [(((2, 2), (2, 3), (3,)), "np.einsum('ij,jk,k->i', {}, {}, {})", 6)],
    (2, 3): [(((2, 2), (2, 3), (3,)), "np.einsum({}, [0, 1], {}, [1, 2], {}, [2], [0, 2])", 2),
             (((2, 1), (2, 2)), "np.concatenate([{}, {}], axis=-1)", 0),
             (((2,), (2,), (2,)), "np.stack([{}, {}, {}], axis=-1)", 0),
             (((1, 3), (1, 3)), "np.concatenate(({}, {}), axis=-2)", 0)],
    (3, 2): [(((3,), (3,)), "np.stack([{}, {}], axis=-1)", 0)],
}


def _paths() -> dict[tuple[tuple, tuple], list[Shaper]]:
    """Shortest chains of shapers between any two shapes (breadth-first)."""
    paths: dict[tuple[tuple, tuple], list[Shaper]] = {}
    for start in UNIVERSE:
        paths[(start, start)] = []
        frontier = [start]
        while frontier:
            nxt = []
            for s in frontier:
                for h in _PATH_SHAPERS:
                    if h.src == s and h.dst in UNIVERSE and (start, h.dst) not in paths:
                        paths[(start, h.dst)] = [*paths[(start, s)], h]
                        nxt.append(h.dst)
            frontier = nxt
    return paths


PATHS = _paths()

# ---------------------------------------------------------------- special values
# Drawn by a share of programs: exact zeros of bases (x ** 0, polynomials,
# |x| ** p), kinks fed directly by arguments (np.maximum(x, 0.0), np.clip),
# and inputs holding zeros, -0.0, ties and clip bounds (draw_args(special=True)).

SPECIAL_UNARY: list[tuple[str, Callable[[float], float], str]] = [
    ("({}) ** 0", lambda b: 1.0, "any"),
    ("np.power({}, 0)", lambda b: 1.0, "any"),
    ("np.power({}, 0.0)", lambda b: 1.0, "any"),
    ("np.float_power({}, 0)", lambda b: 1.0, "any"),
    ("2.0 * ({}) ** 0.0", lambda b: 2.0, "any"),
    ("({}) ** 1", lambda b: b, "any"),
    ("({}) ** 4 - 2.0 * ({}) ** 2", lambda b: b ** 4 + 2 * b * b, "twice"),
    ("({}) ** 3 - ({})", lambda b: b ** 3 + b, "twice"),
    ("0.5 * ({}) ** 2 + ({}) ** 3 / 6.0", lambda b: b * b + b ** 3, "twice"),
    ("np.abs({}) ** 2", lambda b: b * b, "any"),
    ("np.abs({}) ** 3", lambda b: b ** 3, "any"),
    ("np.abs({}) ** 1.5", lambda b: b ** 1.5, "any"),
    ("abs({}) ** 2.5", lambda b: b ** 2.5, "any"),
    ("np.power(np.abs({}), 2)", lambda b: b * b, "any"),
    ("np.abs({}) ** 1", lambda b: b, "any"),
    ("np.maximum({}, 0.0)", lambda b: b, "any"),
    ("np.minimum({}, 0.5)", lambda b: b + 0.5, "any"),
    ("np.maximum(-1.0, {})", lambda b: b + 1.0, "any"),
    ("np.fmax({}, 0.0)", lambda b: b, "any"),
    ("np.fmin(1.0, {})", lambda b: b + 1.0, "any"),
    ("np.clip({}, 0.0, 1.0)", lambda b: 1.0, "any"),
    ("np.clip({}, -1.0, 0.5)", lambda b: 1.0, "any"),
    ("np.clip({}, -0.5, None)", lambda b: b + 0.5, "any"),
]
SPECIAL_BINARY: list[tuple[str, Callable[[float, float], float]]] = [
    ("np.power(({}) ** 2, 1.0 + np.tanh({}) ** 2)", lambda a, b: max(1.0, a * a) ** 2),
    ("np.abs({}) ** (1.0 + np.tanh({}) ** 2)", lambda a, b: max(1.0, a) ** 2),
    ("np.power(1.0 + np.tanh({}) ** 2, {})", lambda a, b: 2.0 ** b),
    ("np.maximum({}, {})", lambda a, b: max(a, b)),
    ("np.minimum({}, {})", lambda a, b: max(a, b)),
    ("np.fmin({}, {})", lambda a, b: max(a, b)),
]


def _special_tag(template: str) -> str:
    if "** 0" in template or ", 0)" in template or ", 0.0)" in template:
        return "x ** 0, np.power(x, 0)"
    if "abs" in template:
        return "|x| ** p"
    if "**" in template and "power" not in template:
        return "polynomials (x ** 4 - 2.0 * x ** 2, ...)"
    if "power" in template:
        return "x ** y with a zero base or exponent"
    return "kinks fed by an argument (np.maximum(x, 0.0), np.fmin, np.clip)"


# values an argument's entry may be set to (zeros, clip bounds, constants of the tables)
SPECIAL_VALUES = [0.0, -0.0, 0.0, 0.0, 0.5, 1.0, -1.0, -0.5, 2.0, 0.8, -1.5]

# ---------------------------------------------------------------- program features
# Each new family of constructs is drawn by a share of programs, so most
# programs still cover the ground the generator covered before them.
FEATURES: list[tuple[str, float]] = [
    ("kwargs", 0.3),   # keyword arguments of NumPy calls (KW_SHAPERS, KW_MATMUL, KW_MULTI)
    ("special", 0.15),  # special values (SPECIAL_UNARY/BINARY, special inputs)
    ("lists", 0.15),   # lists of arrays updated item by item (FnGen.list_block)
    ("kwonly", 0.3),   # helpers with keyword-only parameters, called with keywords
    ("repeat", 0.15),  # one array passed as two arguments; arguments updated in place
    ("callables", 0.3),  # function values, partials, objects, records, generators (CALLABLES)
]


_KW_TAGS = [
    ("axis=(tuple)", r"axis=\("),
    ("negative axis", r"axis=-\d|\{\}, -\d, np\.|axis=\(-"),
    ("keepdims=True", r"keepdims=True"),
    ("dtype= float", r"dtype=(np\.float|float|'float)|astype\(np\.float|np\.float64\)"),
    ("dtype= integer", r"dtype=(np\.int|int\b|'int)|astype\(np\.int"),
    ("ddof=1", r"ddof=1"),
    ("order=", r"order=|flatten\('A'\)"),
    ("k= of diag/triu/tril", r"np\.(diag|triu|tril)\(\{\}, (k=)?-?1\)"),
    ("offset= of trace/diagonal", r"offset=|trace\(\{\}, -1\)|diagonal\(1\)"),
    ("n= of diff", r"np\.diff\(.*n="),
    ("negative axes of transpose", r"transpose\([^)]*-\d|swapaxes\([^)]*-\d|moveaxis\([^)]*-\d"),
    ("einsum subscripts", r"np\.einsum\('"),
    ("einsum sublists", r"np\.einsum\(\{\}, \["),
]


def kw_tags(template: str) -> set[str]:
    """Which keyword-argument constructs a template of the kwargs tables draws."""
    return {"kwargs: " + tag for tag, pattern in _KW_TAGS if re.search(pattern, template)}


# result shape -> {category: shapers}: each category is drawn equally often
KW_GROUPS: dict[tuple, dict[str, list[Shaper]]] = {}
for _h in KW_SHAPERS:
    _group = min(kw_tags(_h.template), key=lambda t: [k for k, _ in _KW_TAGS].index(
        t.split(": ", 1)[1]), default="other")
    KW_GROUPS.setdefault(_h.dst, {}).setdefault(_group, []).append(_h)


class KwParam(tuple):
    """A helper parameter passed by keyword: (name, shape, required, keyword-only)."""

    def __new__(cls, name: str, shape: tuple, required: bool, kwonly: bool = True
                ) -> KwParam:
        return super().__new__(cls, (name, shape, required, kwonly))

    name = property(lambda self: self[0])
    shape = property(lambda self: self[1])
    required = property(lambda self: self[2])
    kwonly = property(lambda self: self[3])

# ---------------------------------------------------------------- generator state


@dataclass
class Var:
    name: str
    kind: str  # "arr" (a number or an array), "int", "fn", "list", "dict", "grow", "rows"
    shape: tuple = ()
    bound: float = 1.0
    aliases: frozenset = frozenset()  # names whose memory this value may share
    readonly: bool = False
    param: bool = False  # an argument: never update in place
    outer: bool = False  # an enclosing function's variable: never assign
    imax: int = 0  # ints: exclusive upper bound of the value
    sig: tuple = ()  # functions: (parameter shapes, result shape)


@dataclass
class E:
    """A generated expression."""

    code: str
    bound: float
    aliases: frozenset = frozenset()
    readonly: bool = False


def _merge_var(a: Var, b: Var) -> Var | None:
    """The variable after two paths that both define it (None: drop it)."""
    if a.kind != b.kind or a.shape != b.shape:
        return None
    if a.kind == "fn" and a is not b:
        return None
    if a.kind == "int":
        return a if a is b else None
    return replace(a, bound=max(a.bound, b.bound), aliases=a.aliases | b.aliases,
                   readonly=a.readonly or b.readonly, param=a.param or b.param,
                   outer=a.outer or b.outer)


def merge_scopes(a: dict[str, Var], b: dict[str, Var]) -> dict[str, Var]:
    out = {}
    for name, va in a.items():
        vb = b.get(name)
        if vb is not None:
            merged = _merge_var(va, vb)
            if merged is not None:
                out[name] = merged
    return out


@dataclass
class Program:
    source: str
    arg_shapes: list[tuple]
    entry: str = "f"
    seed: int | None = None
    features: frozenset = frozenset()
    same: tuple = ()  # pairs (i, j): argument j is passed as the same array as argument i
    tags: frozenset = frozenset()  # the new constructs it draws (for statistics)

    @property
    def nargs(self) -> int:
        return len(self.arg_shapes)


class ModuleGen:
    """Generates one module: helpers, then the entry function `f`."""

    def __init__(self, rng: random.Random, size: str = "normal") -> None:
        self.rng = rng
        self.small = size == "small"
        self.max_depth = 2 if self.small else 3
        self.counter = itertools.count()
        self.helpers: dict[str, Var] = {}
        self.chunks: list[str] = []
        self.features = frozenset(name for name, p in FEATURES if rng.random() < p)
        self.tags: set[str] = set()
        self.prelude: dict[str, str] = {}  # module-level definitions of `callables`, by kind

    def name(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    def program(self) -> Program:
        rng = self.rng
        for _ in range(rng.choice([0, 0, 1, 1, 2] if self.small else [0, 0, 1, 1, 2, 3])):
            self.helper()
        if rng.random() < 0.4:
            shapes = list(rng.choice(ARG_COMBOS))
        else:
            shapes = [rng.choice(ARG_SHAPES) for _ in range(rng.choice([1, 1, 2, 2, 3]))]
        same: tuple = ()
        writable = False
        if "repeat" in self.features:
            # the same array as two arguments, and arguments updated in place
            if len(shapes) >= 2 and rng.random() < 0.7:
                i, j = sorted(rng.sample(range(len(shapes)), 2))
                shapes[j] = shapes[i]
                same = ((i, j),)
                self.tags.add("repeat: entry arguments passed as one array")
            writable = rng.random() < 0.6
        params = list(zip(ARG_NAMES, shapes))
        gen = FnGen(self, params, max_nest=2)
        if writable:
            for name, _ in params:
                gen.scope[name] = replace(gen.scope[name], param=False)
        body = gen.body(rng.randint(2, 5 if self.small else 7))
        self.chunks.append(_def("f", [n for n, _ in params], body))
        head = "import math\n\nimport numpy as np\n\n\n"
        if self.prelude:
            head = CALLABLES_IMPORTS + "\n\n".join(self.prelude.values()) + "\n\n\n"
        source = head + "\n\n\n".join(self.chunks) + "\n"
        if "special" in self.features:
            self.tags.add("special: inputs with zeros, -0.0, ties, clip bounds")
        return Program(normalize(source), shapes, features=self.features, same=same,
                       tags=frozenset(self.tags))

    def helper(self) -> None:
        rng = self.rng
        name = self.name("h")
        nparams = rng.choice([1, 1, 2, 2, 3])
        pshapes = [rng.choice(UNIVERSE) for _ in range(nparams)]
        if "repeat" in self.features and nparams >= 2 and rng.random() < 0.7:
            pshapes[1] = pshapes[0]  # (so that one array can be passed as both)
        pnames = [f"a{i}" for i in range(nparams)]
        params = list(zip(pnames, pshapes))
        kwonly: list[KwParam] = []
        header_kw: list[str] = []
        default = None
        if "kwonly" in self.features and rng.random() < 0.7:
            # def h(a0, *, c=0.5, k): c has a default, k (any shape) must be given
            for kname in rng.choice([["c"], ["k"], ["c", "k"], ["k", "c"]]):
                if kname == "c":
                    value = rng.choice(["0.5", "1.5", "-0.25"])
                    kwonly.append(KwParam("c", (), False))
                    header_kw.append(f"c={value}")
                else:
                    kwonly.append(KwParam("k", rng.choice(UNIVERSE), True))
                    header_kw.append("k")
            self.tags.add("kwonly: helper with keyword-only parameters")
        elif rng.random() < 0.3:
            default = rng.choice(["0.5", "1.5", "-0.25"])
        if rng.random() < 0.2:
            shapes: Any = (rng.choice(UNIVERSE), rng.choice(UNIVERSE))
        else:
            shapes = rng.choice(UNIVERSE)
        gen = FnGen(self, params, max_nest=1, final=shapes, param_bound=HELPER_BOUND)
        for kw in kwonly:
            gen.scope[kw.name] = Var(kw.name, "arr", kw.shape,
                                     HELPER_BOUND if kw.required else 1.5, param=True)
        if default is not None:
            gen.scope["c"] = Var("c", "arr", (), 1.5, param=True)
        lines: list[str] = []
        if "repeat" in self.features and rng.random() < 0.25:
            # the helper updates an argument in place (the caller would see it)
            target = rng.choice(pnames)
            gen.scope[target] = replace(gen.scope[target], param=False)
            self.tags.add("repeat: helper updates its argument in place")
            if pshapes[pnames.index(target)] in TARGETS and rng.random() < 0.4:
                lines = gen.set_item(gen.scope[target])
            else:
                lines = gen.aug_assign(gen.scope[target])
        body = lines + gen.body(rng.randint(1, 3 if self.small else 4))
        header = pnames + ([f"c={default}"] if default is not None else [])
        if header_kw:
            header += ["*", *header_kw]
        self.chunks.append(_def(name, header, body))
        kw = tuple(kwonly) if kwonly else (KwParam("c", (), False, False),) if default else ()
        self.helpers[name] = Var(name, "fn", (), gen.ret_bound,
                                 sig=(tuple(pshapes), shapes, kw))


def _def(name: str, params: list[str], body: list[str]) -> str:
    return f"def {name}({', '.join(params)}):\n" + "\n".join("    " + ln for ln in body)


def indent(lines: list[str]) -> list[str]:
    return ["    " + ln for ln in lines]


def normalize(source: str) -> str:
    """Round-trip through `ast` (drops redundant parentheses); keep blank lines between defs."""
    tree = ast.parse(source)
    parts = []
    for node in tree.body:
        parts.append(ast.unparse(node))
    out = []
    for node, text in zip(tree.body, parts):
        if isinstance(node, ast.FunctionDef):
            out.append("\n\n" + text)
        else:
            out.append(text)
    text = "\n".join(out).replace("import math\nimport numpy as np",
                                  "import math\n\nimport numpy as np")
    return text.strip("\n") + "\n"


class FnGen:
    """Generates the body of one function (entry, helper or local def)."""

    def __init__(self, mod: ModuleGen, params: list[tuple[str, tuple]], max_nest: int,
                 final: Any = None, param_bound: float = PARAM_BOUND,
                 closure: dict[str, Var] | None = None) -> None:
        self.mod = mod
        self.final = final  # the result: None for the entry's scalar, else a shape or two
        self.rng = mod.rng
        self.scope: dict[str, Var] = {}
        for name, v in (closure or {}).items():
            self.scope[name] = replace(v, outer=True)
        for name, shape in params:
            self.scope[name] = Var(name, "arr", shape, param_bound, param=True)
        self.max_nest = max_nest
        self.nest = 0
        self.loops: list[dict] = []  # enclosing loops: {"continue": bool}
        self.viewed: set[str] = set()  # arrays some other name may share: no in-place updates
        self.augged: set[str] = set()  # arrays updated in place: copy instead of viewing
        self.ret_bound = 1.0
        self.is_entry = final is None

    # ------------------------------------------------------------ helpers

    def name(self, prefix: str = "v") -> str:
        return self.mod.name(prefix)

    def floats(self) -> list[Var]:
        return [v for v in self.scope.values() if v.kind == "arr"]

    def ints(self) -> list[Var]:
        return [v for v in self.scope.values() if v.kind == "int"]

    def pick_recent(self, items: list) -> Any:
        """Prefer later-defined variables, so values flow into the result."""
        weights = [1.0 + i for i in range(len(items))]
        return self.rng.choices(items, weights)[0]

    def fresh(self, v: Var) -> bool:
        return (v.kind == "arr" and not v.aliases and not v.readonly and not v.param
                and not v.outer and v.name not in self.viewed)

    def const(self) -> E:
        value = self.rng.choice([0.5, 1.5, -0.7, 2.0, 0.3, -1.2, 3.0, 0.25, -2.5, 1.0])
        return E(repr(value), abs(value))

    def squash(self, e: E) -> E:
        if self.rng.random() < 0.7:
            return E(f"np.tanh({e.code})", 1.0)
        return E(f"np.arctan({e.code})", math.pi / 2)

    def small(self, e: E, limit: float = 3.0) -> E:
        return e if e.bound <= limit else self.squash(e)

    # ------------------------------------------------------------ expressions

    def leaf(self, shape: tuple) -> E:
        rng = self.rng
        exact = [v for v in self.floats() if v.shape == shape]
        if shape == ():
            ints = self.ints()
            r = rng.random()
            if ints and r < 0.15:
                i = rng.choice(ints)
                form = rng.choice(["(0.5 * {})", "({} + 1.0)", "float({})", "(0.25 * {} - 0.3)"])
                return E(form.format(i.name), 0.5 + i.imax)
            if r < 0.12 or (not exact and r < 0.3):
                return self.const()
        if exact and rng.random() < 0.9:
            return self.use(self.pick_recent(exact))
        have = {v.shape for v in self.floats()}
        steps = [h for h in _PATH_SHAPERS if h.dst == shape and h.src in have]
        if steps and rng.random() < 0.8:
            h = rng.choice(steps)
            v = self.pick_recent([v for v in self.floats() if v.shape == h.src])
            return self.apply(h, self.use(v))
        v = self.pick_recent(self.floats())
        return self.coerce(self.use(v), v.shape, shape)

    def use(self, v: Var) -> E:
        return E(v.name, v.bound, frozenset({v.name}) | v.aliases, v.readonly)

    def coerce(self, e: E, src: tuple, dst: tuple) -> E:
        for h in PATHS[(src, dst)]:
            e = self.apply(h, e)
        return e

    def apply(self, h: Shaper, e: E) -> E:
        out = E(h.template.format(e.code), h.bound(e.bound))
        if h.view:
            out.aliases, out.readonly = e.aliases, e.readonly or h.readonly
        return out

    def expr(self, shape: tuple, depth: int) -> E:
        e = self._expr(shape, min(depth, self.mod.max_depth))
        if e.bound > LIMIT:
            e = self.squash(e)
        return e

    def _expr(self, shape: tuple, depth: int) -> E:
        rng = self.rng
        if depth <= 0 or rng.random() < 0.2:
            return self.leaf(shape)
        options: list[tuple[float, Callable[[], E]]] = [
            (3.0, lambda: self.unary(shape, depth)),
            (4.0, lambda: self.binary(shape, depth)),
            (3.0, lambda: self.shaped(shape, depth)),
            (0.8, lambda: self.where(shape, depth)),
            (0.5, lambda: self.clip(shape, depth)),
            (0.4, lambda: self.ifexp(shape, depth)),
            (0.6, lambda: self.comprehension(shape, depth)),
        ]
        if shape in MATMUL:
            options.append((1.2, lambda: self.matmul(shape, depth)))
        if shape in STACK:
            options.append((0.5, lambda: self.stack(shape, depth)))
        if "kwargs" in self.mod.features and shape in KW_MULTI:
            options.append((0.4, lambda: self.multi(shape, depth)))
        if self.callables(shape):
            weight = 3.0 if self.mod.features & {"repeat", "kwonly"} else 1.5
            options.append((weight, lambda: self.call(shape, depth)))
        if shape and any(v.imax and v.imax <= 3 for v in self.ints()):
            options.append((0.6, lambda: self.dynamic_index(shape, depth)))
        weights, makers = zip(*options)
        return rng.choices(makers, weights)[0]()

    def special(self) -> bool:
        """Draw from the special-value tables this time?"""
        return "special" in self.mod.features and self.rng.random() < 0.4

    def kink_operand(self, shape: tuple, depth: int) -> E:
        """An operand for a kink in a special program: often an argument
        itself, so that its zeros, ties and clip bounds reach the kink."""
        params = [v for v in self.floats() if v.param and v.shape == shape]
        r = self.rng.random()
        if params and r < 0.5:
            return self.use(self.rng.choice(params))
        if r < 0.8:
            return self.leaf(shape)
        return self.expr(shape, depth - 1)

    def unary(self, shape: tuple, depth: int) -> E:
        if self.special():
            template, bound, kind = self.rng.choice(SPECIAL_UNARY)
            self.mod.tags.add("special: " + _special_tag(template))
            # (often an argument or variable itself, so its zeros and ties reach the kink)
            e = self.small(self.kink_operand(shape, depth), 2.0)
            if kind == "twice":
                return E(template.format(e.code, e.code), bound(e.bound))
            return E(template.format(e.code), bound(e.bound))
        choices = [u for u in UNARY if u[2] != "scalar" or shape == ()]
        template, bound, kind = self.rng.choice(choices)
        e = self.expr(shape, depth - 1)
        if "**" in template or "square" in template or "power" in template:
            e = self.small(e, 3.0)
        if kind == "twice":  # the operand appears twice: keep it short
            e = self.leaf(shape)
            return E(template.format(e.code, e.code), bound(e.bound))
        return E(template.format(e.code), bound(e.bound))

    def split(self, shape: tuple) -> tuple[tuple, tuple]:
        """Two operand shapes that broadcast to `shape`."""
        rng = self.rng
        subs = [s for s in UNIVERSE if fits(s, shape)]
        pairs = [(shape, shape)] * 3 + [(shape, s) for s in subs] + [(s, shape) for s in subs]
        if shape == (2, 3):
            pairs += [((2, 1), (1, 3)), ((1, 3), (2, 1)), ((3,), (2, 1)), ((2, 1), (3,))]
        if shape == (2, 2):
            pairs += [((2, 1), (2,)), ((2,), (2, 1))]
        return rng.choice(pairs)

    def binary(self, shape: tuple, depth: int) -> E:
        if self.special():
            template, bound = self.rng.choice(SPECIAL_BINARY)
            self.mod.tags.add("special: " + _special_tag(template))
            sa, sb = self.split(shape)
            a, b = self.kink_operand(sa, depth), self.kink_operand(sb, depth)
            a, b = self.small(a, 2.0), self.small(b, 3.0)
            if a.code == b.code:
                b = E(f"({b.code}) * 0.5", b.bound)
            return E(template.format(a.code, b.code), bound(a.bound, b.bound))
        template, bound = self.rng.choice(BINARY)
        sa, sb = self.split(shape)
        a, b = self.expr(sa, depth - 1), self.expr(sb, depth - 1)
        if a.code == b.code and ("maximum" in template or "minimum" in template):
            b = E(f"({b.code}) + 0.5", b.bound + 0.5)
        if "**" in template:
            a, b = self.small(a), self.small(b)
        return E(template.format(a.code, b.code), bound(a.bound, b.bound))

    def shaped(self, shape: tuple, depth: int) -> E:
        options = SHAPERS_TO[shape]
        keyword = "kwargs" in self.mod.features and shape in KW_GROUPS and self.rng.random() < 0.5
        if keyword:
            groups = KW_GROUPS[shape]
            options = groups[self.rng.choice(sorted(groups))]
        h = self.rng.choice(options)
        if keyword:
            self.mod.tags.update(kw_tags(h.template))
        if keyword and h.template.count("{0}") > 1:
            # (the operand appears twice: keep it short)
            return self.apply(h, self.small(self.leaf(h.src), 3.0))
        e = self.expr(h.src, depth - 1)
        if "prod" in h.template or "var" in h.template:
            e = self.small(e, 2.0)
        return self.apply(h, e)

    def matmul(self, shape: tuple, depth: int) -> E:
        table = MATMUL
        if "kwargs" in self.mod.features and shape in KW_MATMUL and self.rng.random() < 0.5:
            table = KW_MATMUL
        (sa, sb), template, inner = self.rng.choice(table[shape])
        if table is KW_MATMUL:
            self.mod.tags.update(kw_tags(template))
        a, b = self.expr(sa, depth - 1), self.expr(sb, depth - 1)
        return E(template.format(a.code, b.code), inner * a.bound * b.bound)

    def multi(self, shape: tuple, depth: int) -> E:
        shapes, template, inner = self.rng.choice(KW_MULTI[shape])
        self.mod.tags.update(kw_tags(template))
        parts = [self.small(self.expr(s, depth - 1), 3.0) for s in shapes]
        bound = inner * math.prod(p.bound for p in parts) if inner else \
            max(p.bound for p in parts)
        return E(template.format(*(p.code for p in parts)), bound)

    def stack(self, shape: tuple, depth: int) -> E:
        shapes, template = self.rng.choice(STACK[shape])
        parts = [self.expr(s, depth - 1) for s in shapes]
        return E(template.format(*(p.code for p in parts)), max(p.bound for p in parts))

    def condition_on(self, shape: tuple, depth: int) -> str:
        """An elementwise comparison whose shape broadcasts into `shape`."""
        rng = self.rng
        s = rng.choice([t for t in UNIVERSE if fits(t, shape)])
        a = self.expr(s, depth - 1)
        op = rng.choice(["<", ">", "<=", ">="])
        if rng.random() < 0.5:
            return f"({a.code}) {op} {self.const().code}"
        b = self.expr(s, depth - 1)
        if a.code == b.code:
            return f"({a.code}) {op} {self.const().code}"
        return f"({a.code}) {op} ({b.code})"

    def where(self, shape: tuple, depth: int) -> E:
        cond = self.condition_on(shape, depth)
        sa, sb = self.split(shape)
        a, b = self.expr(sa, depth - 1), self.expr(sb, depth - 1)
        if self.rng.random() < 0.5:
            a, b = b, a
        return E(f"np.where({cond}, {a.code}, {b.code})", max(a.bound, b.bound))

    def clip(self, shape: tuple, depth: int) -> E:
        e = self.kink_operand(shape, depth) if self.special() else self.expr(shape, depth - 1)
        lo = self.rng.choice([-1.0, -0.5, 0.0, -1.5])
        hi = self.rng.choice([0.5, 1.0, 0.8, 2.0])
        forms = ["np.clip({}, {}, {})", "np.abs({})", "np.clip({}, {}, None)"]
        if shape:
            forms.append("({}).clip({}, {})")
        form = self.rng.choice(forms)
        if "abs" in form:
            return E(form.format(e.code), e.bound)
        return E(form.format(e.code, lo, hi), max(abs(lo), hi, e.bound if "None" in form else 0))

    def ifexp(self, shape: tuple, depth: int) -> E:
        a, b = self.expr(shape, depth - 1), self.expr(shape, depth - 1)
        cond = self.scalar_condition(depth - 1)
        return E(f"({a.code} if {cond} else {b.code})", max(a.bound, b.bound),
                 a.aliases | b.aliases, a.readonly or b.readonly)

    def dynamic_index(self, shape: tuple, depth: int) -> E:
        rng = self.rng
        i = rng.choice([v for v in self.ints() if v.imax and v.imax <= 3])
        srcs = [s for s in UNIVERSE if s and s[1:] == shape and s[0] >= i.imax]
        if not srcs:
            return self.leaf(shape)
        e = self.expr(rng.choice(srcs), depth - 1)
        return E(f"({e.code})[{i.name}]", e.bound, e.aliases, e.readonly)

    def comprehension(self, shape: tuple, depth: int) -> E:
        """sum([... for j in range(k)]) or over the rows of an array."""
        rng = self.rng
        var = self.name("j")
        saved = dict(self.scope)
        r = rng.random()
        rows = [v for v in self.floats() if v.shape and v.shape[0] <= 3 and v.shape[1:] in UNIVERSE]
        if r < 0.3 and rows:
            seq = self.pick_recent(rows)
            self.scope[var] = Var(var, "arr", seq.shape[1:], seq.bound,
                                  aliases=frozenset({seq.name}))
            source, count = seq.name, seq.shape[0]
            self.viewed.add(seq.name)
        else:
            count = rng.choice([2, 3, 4])
            self.scope[var] = Var(var, "int", imax=count)
            source = f"range({count})"
        body = self.expr(shape, depth - 1)
        self.scope = saved
        filt = ""
        if self.scope.get(var) is None and source.startswith("range") and rng.random() < 0.3:
            filt = f" if {var} != 1"
        if rng.random() < 0.3 and shape:
            return E(f"sum([{body.code} for {var} in {source}{filt}], np.zeros({lit(shape)}))",
                     count * body.bound)
        if not shape and rng.random() < 0.3:
            return E(f"np.sum([{body.code} for {var} in {source}{filt}])", count * body.bound)
        return E(f"sum([{body.code} for {var} in {source}{filt}])", count * body.bound)

    def callables(self, shape: tuple) -> list[Var]:
        found = [v for v in self.scope.values() if v.kind == "fn" and v.sig[1] == shape]
        found += [v for v in self.mod.helpers.values() if v.sig[1] == shape]
        return found

    def call(self, shape: tuple, depth: int) -> E:
        fn = self.rng.choice(self.callables(shape))
        return E(f"{fn.name}({self.call_args(fn, depth)})", fn.bound)

    @staticmethod
    def twins(fn: Var) -> list[tuple]:
        """Shapes of which `fn` takes two arguments (positional or keyword)."""
        shapes = [*fn.sig[0], *(kw.shape for kw in fn.sig[2])]
        return sorted({s for s in shapes if shapes.count(s) >= 2})

    def call_args(self, fn: Var, depth: int, twin: Var | None = None) -> str:
        """The arguments of a call of `fn`: positional, by keyword, maybe one
        variable (`twin`, or one drawn here) passed as two of them."""
        rng = self.rng
        pshapes, _, kws = fn.sig
        helper = fn.name in self.mod.helpers
        limit = HELPER_BOUND if helper else 3.0
        features = self.mod.features
        # slots: (keyword name or None, shape, bound); optional keywords maybe left out
        slots: list[tuple[str | None, tuple, float]] = [(None, s, limit) for s in pshapes]
        for kw in kws:
            if kw.required or rng.random() < 0.5 or (twin is not None and kw.shape == twin.shape):
                slots.append((kw.name, kw.shape, limit if kw.required else 1.5))
        codes = [""] * len(slots)
        if twin is not None:
            ix = [i for i, (_, s, _) in enumerate(slots) if s == twin.shape]
            for i in rng.sample(ix, 2):
                codes[i] = twin.name
            self.mod.tags.add("repeat: call with one array as two arguments")
        elif "repeat" in features and rng.random() < 0.7:
            # f(v, v): the same array as two arguments
            by_shape: dict[tuple, list[int]] = {}
            for i, (_, s, _) in enumerate(slots):
                by_shape.setdefault(s, []).append(i)
            groups = [ix for ix in by_shape.values() if len(ix) >= 2]
            if groups:
                ix = rng.choice(groups)
                bound = min(slots[i][2] for i in ix)
                cands = [v for v in self.floats() if v.shape == slots[ix[0]][1]
                         and v.bound <= bound]
                if cands:
                    v = self.pick_recent(cands)
                    for i in rng.sample(ix, 2):
                        codes[i] = v.name
                    self.mod.tags.add("repeat: call with one array as two arguments")
        for i, (_, s, bound) in enumerate(slots):
            if not codes[i]:
                codes[i] = self.small(self.expr(s, depth - 1), bound).code
        npos = len(pshapes)
        first_kw = npos
        if helper and "kwonly" in features and npos and rng.random() < 0.3:
            first_kw = rng.randrange(npos)  # pass a0, a1, ... by keyword from here on
        positional = codes[:first_kw]
        if helper and first_kw < npos:
            self.mod.tags.add("kwonly: positional parameters passed by keyword")
        if any(kw.kwonly for kw in kws if kw.name in {s[0] for s in slots[npos:]}):
            self.mod.tags.add("kwonly: keyword-only argument passed")
        keywords = [f"a{i}={codes[i]}" for i in range(first_kw, npos)]
        keywords += [f"{slots[i][0]}={codes[i]}" for i in range(npos, len(slots))]
        if "kwonly" in features:
            rng.shuffle(keywords)
        return ", ".join(positional + keywords)

    def scalar_condition(self, depth: int) -> str:
        rng = self.rng
        r = rng.random()
        op = rng.choice(["<", ">", "<=", ">="])
        if r < 0.45:
            a = self.expr((), depth)
            return f"{a.code} {op} {self.const().code}"
        if r < 0.7:
            a, b = self.expr((), depth), self.expr((), depth)
            if a.code != b.code:
                return f"{a.code} {op} {b.code}"
            return f"{a.code} {op} {self.const().code}"
        if r < 0.8:
            s = rng.choice([t for t in UNIVERSE if t])
            a = self.expr(s, depth)
            return f"np.{rng.choice(['any', 'all'])}(({a.code}) {op} {self.const().code})"
        if r < 0.85:
            a = self.expr((), depth)
            return f"-0.5 < {a.code} < 0.5"
        if r < 0.9:
            return f"not {self.scalar_condition(depth)}"
        glue = rng.choice(["and", "or"])
        return f"({self.scalar_condition(depth)}) {glue} ({self.scalar_condition(depth)})"

    # ------------------------------------------------------------ statements

    def body(self, n: int) -> list[str]:
        """A function body of about `n` statements, ending with a return."""
        lines: list[str] = []
        for _ in range(n):
            lines += self.statement()
        return lines + [self.returned(final=True)]

    def returned(self, final: bool = False) -> str:
        """A return statement: a scalar for the entry function, else of shape
        `self.final` (a shape, or a pair of shapes for a tuple result)."""
        spec = self.final
        if spec is None:
            if final:
                return f"return {self.result()}"
            e = self.expr(self.rng.choice(UNIVERSE), 2)
            reduce = self.rng.choice(["np.sum", "np.sum", "np.mean"])
            return f"return {reduce}({e.code})"
        shapes = spec if spec and isinstance(spec[0], tuple) else (spec,)
        parts = []
        for s in shapes:
            e = self.expr(s, 2)
            if e.aliases or e.readonly:  # results are always new arrays
                e = E(f"({e.code}) + 0.0", e.bound)
            parts.append(e)
        self.ret_bound = max(self.ret_bound, *(p.bound for p in parts))
        return "return " + ", ".join(p.code for p in parts)

    def result(self) -> str:
        """A scalar combining the latest values."""
        rng = self.rng
        floats = self.floats()
        recent = floats[-3:]
        terms = []
        for v in recent:
            if rng.random() < 0.8 or not terms:
                e = self.use(v)
                if rng.random() < 0.3:
                    e = E(f"np.sin({e.code})", 1.0)
                terms.append(f"np.sum({e.code})" if v.shape else e.code)
        if rng.random() < 0.4:
            terms.append(f"np.sum({self.expr(rng.choice(UNIVERSE), 3).code})")
        return " + ".join(terms)

    def statement(self) -> list[str]:
        rng = self.rng
        options: list[tuple[float, Callable[[], list[str]]]] = [
            (6.0, self.assign),
            (1.0, self.tuple_assign),
        ]
        if any(self.can_rebind(v) for v in self.floats()):
            options.append((2.0, self.rebind))
        if any(self.fresh(v) for v in self.floats()):
            options.append((2.0, self.aug_assign))
        if any(self.fresh(v) and v.shape in TARGETS for v in self.floats()):
            options.append((1.5, self.set_item))
        options.append((0.3, self.dict_assign))
        if "lists" in self.mod.features and self.nest < self.max_nest:
            options.append((1.5, self.list_block))
        if "lists" in self.mod.features:
            options.append((0.5, self.nested_assign))
        if "repeat" in self.mod.features and any(self.twins(v) for v in self.mod.helpers.values()):
            options.append((0.8, self.twin_call))
        if self.nest < self.max_nest:
            options += [(2.0, self.if_stmt), (1.6, self.for_stmt), (1.0, self.while_stmt)]
        if self.is_entry and self.nest == 0:
            # (s2sad refuses local functions defined on one side of an if)
            options += [(0.6, self.lambda_def), (0.3, self.local_def)]
        if any(isinstance(v.sig[1], tuple) and v.sig[1] and isinstance(v.sig[1][0], tuple)
               for v in self.mod.helpers.values()):
            options.append((0.8, self.unpack_call))
        if self.loops:
            options += [(1.5, self.loop_exit)]
        if "callables" in self.mod.features:
            options.append((1.5, self.callable_stmt))
        options.append((0.5, self.early_return))
        weights, makers = zip(*options)
        return rng.choices(makers, weights)[0]()

    def pick_shape(self) -> tuple:
        """A shape for a new variable: often one the arguments have."""
        have = [v.shape for v in self.floats()]
        if have and self.rng.random() < 0.6:
            return self.rng.choice(have)
        return self.rng.choice(UNIVERSE)

    def prepare(self, e: E) -> E:
        """`e` about to be stored in a variable: record who may share memory
        with whom, and copy views of arrays that are updated in place (in a
        loop the update may come after the view)."""
        if e.aliases & self.augged:
            return E(f"({e.code}) + 0.0", e.bound)
        self.viewed |= e.aliases
        return e

    def bind(self, name: str, e: E, shape: tuple) -> None:
        self.scope[name] = Var(name, "arr", shape, e.bound, e.aliases, e.readonly)

    def store(self, name: str, e: E, shape: tuple) -> str:
        """`name = e`."""
        e = self.prepare(e)
        self.bind(name, e, shape)
        return f"{name} = {e.code}"

    def assign(self) -> list[str]:
        shape = self.pick_shape()
        e = self.expr(shape, self.rng.randint(1, 4))
        return [self.store(self.name(), e, shape)]

    def tuple_assign(self) -> list[str]:
        s1, s2 = self.pick_shape(), self.pick_shape()
        a, b = self.prepare(self.expr(s1, 2)), self.prepare(self.expr(s2, 2))
        n1, n2 = self.name(), self.name()
        self.bind(n1, a, s1)
        self.bind(n2, b, s2)
        return [f"{n1}, {n2} = {a.code}, {b.code}"]

    def can_rebind(self, v: Var) -> bool:
        return v.kind == "arr" and not v.outer

    def rebind(self) -> list[str]:
        v = self.pick_recent([v for v in self.floats() if self.can_rebind(v)])
        rng = self.rng
        r = rng.random()
        if r < 0.4:  # a recurrence through the old value
            other = self.expr(v.shape, 2)
            form = rng.choice(["np.tanh({v} + {e})", "{v} * 0.5 + {e}", "np.sin({v}) * {e}",
                               "{v} + np.tanh({e})"])
            e = E(form.format(v=v.name, e=f"({self.small(other).code})"), v.bound + 3.0)
        else:
            e = self.expr(v.shape, rng.randint(1, 3))
        return [self.store(v.name, e, v.shape)]

    def aug_assign(self, v: Var | None = None) -> list[str]:
        rng = self.rng
        if v is None:
            v = self.pick_recent([v for v in self.floats() if self.fresh(v)])
        s = rng.choice([t for t in UNIVERSE if fits(t, v.shape)])
        e = self.expr(s, rng.randint(1, 3))
        op = rng.choice(["+=", "+=", "-=", "*=", "/="])
        if op == "*=":
            e = E(f"(1.0 + 0.5 * np.tanh({e.code}))", 1.5)
            bound = v.bound * 1.5
        elif op == "/=":
            e = E(f"(1.0 + ({self.small(e).code}) ** 2)", 10.0)
            bound = v.bound
        else:
            bound = v.bound + e.bound
        self.augged.add(v.name)
        self._note_update(v)
        self.scope[v.name] = replace(v, bound=bound)
        if bound > LIMIT:
            # keep it bounded for later uses
            self.scope[v.name] = replace(v, bound=bound)
        return [f"{v.name} {op} {e.code}"]

    def _note_update(self, v: Var) -> None:
        if self.is_entry and v.name in ARG_NAMES:
            self.mod.tags.add("repeat: entry updates an argument in place")

    def set_item(self, v: Var | None = None, index: Var | None = None) -> list[str]:
        """v[...] = e, v[...] += e: an update in place, so only of fresh arrays."""
        rng = self.rng
        if v is None:
            v = self.pick_recent([v for v in self.floats() if self.fresh(v) and v.shape in TARGETS])
        if index is not None:
            sub, dst = f"[{index.name}]", v.shape[1:]
        else:
            sub, dst = rng.choice(TARGETS[v.shape])
        e = self.expr(rng.choice([t for t in UNIVERSE if fits(t, dst)]), rng.randint(1, 3))
        op = rng.choice(["=", "=", "+=", "-=", "*="])
        if op == "*=":
            e = E(f"(1.0 + 0.5 * np.tanh({e.code}))", 1.5)
        bound = v.bound * 1.5 if op == "*=" else \
            v.bound + e.bound if op != "=" else max(v.bound, e.bound)
        self.augged.add(v.name)
        self._note_update(v)
        self.scope[v.name] = replace(v, bound=bound)
        return [f"{v.name}{sub} {op} {e.code}"]

    def dict_assign(self) -> list[str]:
        """d = {"p": ..., "q": ...}; its items are then read as d["p"]."""
        name = self.name("d")
        items, entries = [], []
        for key in ("p", "q")[: self.rng.randint(1, 2)]:
            shape = self.pick_shape()
            e = self.prepare(self.expr(shape, 2))
            entry = f'{name}["{key}"]'
            entries.append(Var(entry, "arr", shape, e.bound, e.aliases, e.readonly, outer=True))
            items.append(f'"{key}": {e.code}')
        self.scope[name] = Var(name, "dict")
        self.scope.update((v.name, v) for v in entries)
        return [f"{name} = {{{', '.join(items)}}}"]

    def nested_assign(self) -> list[str]:
        """m = [[a, b], (c,)] or m = {"p": [a, b]}: a display of rows, whose
        items are read as m[0][1] (two reads of one row: their adjoints add
        item by item, not as lists joined end to end)."""
        rng = self.rng
        name = self.name("m")
        outer = rng.choice(["list", "tuple", "dict"])
        rows, entries = [], []
        for r, key in enumerate(("p", "q")[: rng.randint(1, 2)]):
            items = []
            slot = f'"{key}"' if outer == "dict" else str(r)
            for k in range(rng.randint(1, 3)):
                shape = self.pick_shape()
                e = self.prepare(self.expr(shape, 2))
                items.append(e.code)
                entries.append(Var(f"{name}[{slot}][{k}]", "arr", shape, e.bound, e.aliases,
                                   e.readonly, outer=True))
            row = f"[{', '.join(items)}]" if rng.random() < 0.5 else f"({', '.join(items)},)"
            rows.append(f"{slot}: {row}" if outer == "dict" else row)
        display = {"list": "[{}]", "tuple": "({},)", "dict": "{{{}}}"}[outer]
        self.scope[name] = Var(name, "rows")
        self.scope.update((v.name, v) for v in entries)
        return [f"{name} = {display.format(', '.join(rows))}"]

    def list_block(self) -> list[str]:
        """A list of arrays updated item by item:

            lst = [a * 1.0, b + 1.0]
            lst[0] *= 2.0
            lst[1] += lst[0]
            for i in range(len(lst)):
                lst[i] = lst[i] * s

        Some items are then read. Sometimes an item is an existing array
        itself (`lst = [y]`, `[y, y]`, an argument): updating the item then
        changes that array for Python, and the array is read afterwards
        (s2sad must refuse such a program with an AliasingError)."""
        rng = self.rng
        name = self.name("lst")
        n = rng.choice([2, 2, 3])
        base = self.pick_shape()
        shapes = [base] * n if rng.random() < 0.6 else [self.pick_shape() for _ in range(n)]
        items: list[E] = []
        shared: list[Var] = []
        for k, s in enumerate(shapes):
            cands = [v for v in self.floats() if v.shape == s and not v.outer
                     and (self.fresh(v) or (v.param and self.is_entry))]
            r = rng.random()
            if k and shared and shapes[k - 1] == s and items[k - 1].code == shared[-1].name \
                    and r < 0.5:
                items.append(items[k - 1])  # [y, y]
            elif cands and r < 0.2:
                v = self.pick_recent(cands)
                shared.append(v)
                items.append(self.use(v))
            else:
                e = self.expr(s, 2)
                form = rng.choice(["({}) * 1.0", "({}) + 1.0", "np.tanh({})"])
                if e.aliases or e.readonly or rng.random() < 0.5:
                    e = E(form.format(e.code), {"({}) * 1.0": e.bound, "({}) + 1.0": e.bound + 1,
                                                "np.tanh({})": 1.0}[form])
                items.append(e)
        for e in items:
            self.viewed |= e.aliases
        tags = self.mod.tags
        tags.add("lists: list of arrays updated by item")
        if shared:
            tags.add("lists: an item is an existing array (aliasing)")
        if len({e.code for e in items}) < len(items):
            tags.add("lists: one array twice in a list")
        bounds = [e.bound for e in items]
        lines = [f"{name} = [{', '.join(e.code for e in items)}]"]
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(n)
            others = [j for j in range(n) if j != k and fits(shapes[j], shapes[k])]
            r = rng.random()
            if others and r < 0.4:
                j = rng.choice(others)
                lines.append(f"{name}[{k}] {rng.choice(['+=', '-='])} {name}[{j}]")
                bounds[k] += bounds[j]
            elif r < 0.75:
                s = rng.choice([t for t in UNIVERSE if fits(t, shapes[k])])
                e = self.small(self.expr(s, 2), 2.0)
                op = rng.choice(["+=", "-=", "*="])
                if op == "*=":
                    lines.append(f"{name}[{k}] *= 1.0 + 0.5 * np.tanh({e.code})")
                    bounds[k] *= 1.5
                else:
                    lines.append(f"{name}[{k}] {op} {e.code}")
                    bounds[k] += e.bound
            else:
                lines.append(f"{name}[{k}] *= {rng.choice(['2.0', '0.5', '-1.5'])}")
                bounds[k] *= 2.0
        if rng.random() < 0.6:
            i = self.name("i")
            common = base if len(set(shapes)) == 1 and rng.random() < 0.5 else ()
            e = self.small(self.expr(common, 2), 1.5)
            form = rng.choice(["{l}[{i}] = {l}[{i}] * {e}", "{l}[{i}] += {e}",
                               "{l}[{i}] *= 1.0 + 0.5 * np.tanh({e})",
                               "{l}[{i}] = np.tanh({l}[{i}]) + {e}"])
            header = rng.choice([f"range(len({name}))", f"range({n})", f"range({n - 1}, -1, -1)"])
            lines += [f"for {i} in {header}:", "    " + form.format(l=name, i=i, e=e.code)]
            tags.add("lists: loop over the items")
            bounds = [b * 1.5 + e.bound if "tanh({l}[" not in form else 1.0 + e.bound
                      for b in bounds]
        # the items read later (maybe not all of them)
        self.scope[name] = Var(name, "list")
        for k in sorted(rng.sample(range(n), rng.randint(1, n))):
            entry = f"{name}[{k}]"
            self.scope[entry] = Var(entry, "arr", shapes[k], min(bounds[k], 1e6),
                                    frozenset({name}) | items[k].aliases, items[k].readonly,
                                    outer=True)
        for v in shared:
            if v.name in self.scope:
                grown = max(b for e, b in zip(items, bounds) if e.code == v.name)
                self.scope[v.name] = replace(self.scope[v.name], bound=max(v.bound, grown))
                if rng.random() < 0.7:  # read the array the list shares
                    e = E(f"np.sum({v.name}) * 0.5" if v.shape else f"0.5 * {v.name}",
                          grown * nelem(v.shape))
                    lines.append(self.store(self.name(), self.small(e, 4.0), ()))
        k = rng.randrange(n)
        lines.append(self.store(self.name(), E(f"np.tanh({name}[{k}])", 1.0), shapes[k]))
        return lines

    def if_stmt(self) -> list[str]:
        rng = self.rng
        cond = self.scalar_condition(rng.randint(1, 3))
        before = dict(self.scope)
        self.nest += 1
        # names both sides assign
        outs = [(self.name(), self.pick_shape()) for _ in range(rng.choice([0, 1, 1, 2]))]
        then = self.branch_body(outs)
        then_scope = self.scope
        self.scope = dict(before)
        lines = [f"if {cond}:", *indent(then)]
        kind = rng.random()
        if kind < 0.2 and not outs:
            self.nest -= 1
            self.scope = merge_scopes(then_scope, before)
            return lines
        if kind < 0.35:
            cond2 = self.scalar_condition(rng.randint(1, 2))
            mid = self.branch_body(outs)
            mid_scope = self.scope
            self.scope = dict(before)
            last = self.branch_body(outs)
            lines += [f"elif {cond2}:", *indent(mid), "else:", *indent(last)]
            self.scope = merge_scopes(merge_scopes(then_scope, mid_scope), self.scope)
        else:
            other = self.branch_body(outs)
            lines += ["else:", *indent(other)]
            self.scope = merge_scopes(then_scope, self.scope)
        self.nest -= 1
        return lines

    def branch_body(self, outs: list[tuple[str, tuple]]) -> list[str]:
        lines: list[str] = []
        for _ in range(self.rng.randint(0, 2)):
            lines += self.statement()
        for name, shape in outs:
            lines.append(self.store(name, self.expr(shape, self.rng.randint(1, 3)), shape))
        return lines or ["pass"]

    def inflate(self, factor: float) -> dict[str, Var]:
        """Loop bodies see bounds grown by `factor`; returns the scope before."""
        before = dict(self.scope)
        for name, v in self.scope.items():
            if v.kind == "arr" and not v.param:
                self.scope[name] = replace(v, bound=v.bound * factor)
        return before

    def after_loop(self, before: dict[str, Var], iters: int) -> None:
        after = self.scope
        merged = {}
        for name, v0 in before.items():
            v1 = after.get(name)
            if v1 is None:
                continue
            v = _merge_var(v0, v1)
            if v is None:
                continue
            if v.kind == "arr" and v1.bound > v0.bound:
                v = replace(v, bound=min(1e6, max(v0.bound, v1.bound) * iters))
            merged[name] = v
        self.scope = merged

    def accumulator(self) -> tuple[list[str], Var | None]:
        """Maybe a fresh accumulator before a loop."""
        rng = self.rng
        if rng.random() < 0.3:
            return [], None
        shape = self.pick_shape()
        r = rng.random()
        if r < 0.15:
            name = self.name("lst")
            self.scope[name] = Var(name, "list", shape, 0.0)
            return [f"{name} = []"], self.scope[name]
        if r < 0.25 and shape:
            # starts as a number and grows to `shape` by broadcasting in the loop
            # (so it is only summed after the loop, whatever its shape then)
            name = self.name("grow")
            e = self.small(self.expr((), 2), 2.0)
            self.scope[name] = Var(name, "grow", shape, e.bound)
            return [f"{name} = {e.code}"], self.scope[name]
        name = self.name("acc")
        if r < 0.4:
            code = "0.0" if shape == () else f"np.zeros({lit(shape)})"
            e = E(code, 0.0)
        elif r < 0.6 and shape:
            e = E(f"np.ones({lit(shape)})", 1.0)
        else:
            e = self.expr(shape, 2)
            if e.aliases:
                e = E(f"({e.code}) * 1.0", e.bound)
        line = self.store(name, e, shape)
        return [line], self.scope[name]

    def accumulate(self, acc: Var) -> list[str]:
        rng = self.rng
        if acc.kind == "list":
            e = self.prepare(self.small(self.expr(acc.shape, rng.randint(1, 3)), 4.0))
            self.scope[acc.name] = replace(acc, bound=acc.bound + e.bound)
            return [f"{acc.name}.append({e.code})"]
        if acc.kind == "grow":
            e = self.small(self.expr(acc.shape, rng.randint(1, 3)), 2.0)
            form = rng.choice(["{a} + {e}", "{a} * (1.0 + 0.5 * np.tanh({e}))",
                               "np.tanh({a} + {e})", "{e} - 0.5 * {a}"])
            self.scope[acc.name] = replace(acc, bound=2 * acc.bound + e.bound + 1.0)
            return [f"{acc.name} = {form.format(a=acc.name, e=e.code)}"]
        counters = [i for i in self.ints() if acc.shape and i.imax and i.imax <= acc.shape[0]
                    and acc.shape[1:] in UNIVERSE]
        if counters and self.fresh(acc) and rng.random() < 0.4:
            return self.set_item(acc, rng.choice(counters))
        s = rng.choice([t for t in UNIVERSE if fits(t, acc.shape)])
        e = self.small(self.expr(s, rng.randint(1, 3)), 4.0)
        r = rng.random()
        if r < 0.3 and self.fresh(self.scope[acc.name]):
            self.augged.add(acc.name)
            self.scope[acc.name] = replace(self.scope[acc.name], bound=acc.bound + e.bound)
            return [f"{acc.name} += {e.code}"]
        if r < 0.45 and self.fresh(self.scope[acc.name]):
            self.augged.add(acc.name)
            self.scope[acc.name] = replace(self.scope[acc.name], bound=acc.bound * 1.5)
            return [f"{acc.name} *= 1.0 + 0.5 * np.tanh({e.code})"]
        if r < 0.65:
            return [self.store(acc.name, E(f"{acc.name} + {e.code}", acc.bound + e.bound),
                               acc.shape)]
        if r < 0.8:
            return [self.store(acc.name, E(f"np.tanh({acc.name} * 0.5 + {e.code})", 1.0),
                               acc.shape)]
        return [self.store(acc.name, E(f"{acc.name} * (1.0 + 0.5 * np.sin({e.code}))",
                                       acc.bound * 1.5), acc.shape)]

    def loop_body(self, acc: Var | None, allow_continue: bool) -> list[str]:
        rng = self.rng
        self.loops.append({"continue": allow_continue})
        self.nest += 1
        plan = ["statement"] * rng.randint(0, 2)
        if acc is not None:
            plan.insert(rng.randint(0, len(plan)), "accumulate")
        if rng.random() < 0.35:
            plan.insert(rng.randint(0, len(plan)), "exit")
        lines: list[str] = []
        for step in plan:
            if step == "statement":
                lines += self.statement()
            elif step == "exit":
                lines += self.loop_exit()
            elif acc is not None and acc.name in self.scope:
                lines += self.accumulate(self.scope[acc.name])
        self.nest -= 1
        self.loops.pop()
        return lines or ["pass"]

    def for_stmt(self) -> list[str]:
        rng = self.rng
        pre, acc = self.accumulator()
        r = rng.random()
        arrays = [v for v in self.floats() if v.shape and v.shape[0] <= 4
                  and v.shape[1:] in UNIVERSE and v.name not in self.augged]
        body_vars: list[Var] = []
        if r < 0.55 or not arrays:
            i = self.name("i")
            k = rng.randint(1, 4)
            header = rng.choice([f"range({k})", f"range({k})", f"range(1, {k + 1})",
                                 f"range({k - 1}, -1, -1)", f"range(0, {2 * k}, 2)"])
            imax = {0: k, 1: k + 1, 2: k, 3: 2 * k}[
                [f"range({k})", f"range(1, {k + 1})", f"range({k - 1}, -1, -1)",
                 f"range(0, {2 * k}, 2)"].index(header)]
            body_vars.append(Var(i, "int", imax=imax))
            target, iters = i, k
        else:
            seq = self.pick_recent(arrays)
            self.viewed.add(seq.name)
            row = Var(self.name("r"), "arr", seq.shape[1:], seq.bound,
                      aliases=frozenset({seq.name}) | seq.aliases, readonly=seq.readonly)
            iters = seq.shape[0]
            r2 = rng.random()
            if r2 < 0.5:
                header, target = seq.name, row.name
                body_vars.append(row)
            elif r2 < 0.75:
                i = self.name("i")
                header, target = f"enumerate({seq.name})", f"{i}, {row.name}"
                body_vars += [Var(i, "int", imax=iters), row]
            else:
                others = [v for v in arrays if v.shape[0] == seq.shape[0] and v is not seq]
                if not others:
                    header, target = seq.name, row.name
                    body_vars.append(row)
                else:
                    other = rng.choice(others)
                    self.viewed.add(other.name)
                    row2 = Var(self.name("r"), "arr", other.shape[1:], other.bound,
                               aliases=frozenset({other.name}) | other.aliases,
                               readonly=other.readonly)
                    header, target = f"zip({seq.name}, {other.name})", f"{row.name}, {row2.name}"
                    body_vars += [row, row2]
        before = self.inflate(float(iters))
        for v in body_vars:
            self.scope[v.name] = v
        body = self.loop_body(acc, allow_continue=True)
        self.after_loop(before, iters)
        return [*pre, f"for {target} in {header}:", *indent(body), *self.collect(acc, iters)]

    def collect(self, acc: Var | None, iters: int) -> list[str]:
        """After a loop that appended to a list or grew an accumulator: sum it up."""
        if acc is None or acc.kind not in ("list", "grow") or acc.name not in self.scope:
            return []
        if acc.kind == "grow":
            grown = self.scope.pop(acc.name)
            bound = min(1e6, grown.bound * iters * nelem(acc.shape))
            return [self.store(self.name(), E(f"np.sum({acc.name})", bound), ())]
        lst = self.scope[acc.name]
        form = "sum({})" if acc.shape == () else f"sum({{}}, np.zeros({lit(acc.shape)}))"
        if acc.shape == () and self.rng.random() < 0.5:
            form = "np.sum({})"
        return [self.store(self.name(), E(form.format(acc.name), lst.bound * iters), acc.shape)]

    def while_stmt(self) -> list[str]:
        rng = self.rng
        pre, acc = self.accumulator()
        counter = self.name("n")
        n = rng.randint(1, 4)
        pre.append(f"{counter} = 0")
        scalars = [v for v in self.floats() if v.shape == () and self.can_rebind(v)]
        if scalars and rng.random() < 0.5:
            s = self.pick_recent(scalars)
        else:
            s_name = self.name("s")
            pre.append(self.store(s_name, self.small(self.expr((), 2), 2.0), ()))
            s = self.scope[s_name]
        thr = rng.choice(["1.0", "2.0", "3.0", "0.5", "4.0"])
        cond = rng.choice([f"{counter} < {n} and {s.name} < {thr}",
                           f"{s.name} < {thr} and {counter} < {n}",
                           f"{counter} < {n}"])
        before = self.inflate(float(n))
        first = rng.random() < 0.5
        self.scope[counter] = Var(counter, "int", imax=n + 1 if first else n)
        body = self.loop_body(acc, allow_continue=first)
        grow = rng.choice(["0.5 + np.tanh({}) ** 2", "np.exp(np.sin({}))", "1.0 + ({}) ** 2",
                           "0.75"])
        step = self.small(self.expr((), 2), 2.0).code
        self.scope = {**self.scope}
        if s.name in self.scope:
            body.append(f"{s.name} = {s.name} + {grow.format(step)}")
            self.scope[s.name] = replace(self.scope[s.name], bound=self.scope[s.name].bound + 5.0)
        inc = rng.choice([f"{counter} += 1", f"{counter} = {counter} + 1"])
        body = [inc, *body] if first else [*body, inc]
        body = [ln for ln in body if ln != "pass"] or ["pass"]
        self.after_loop(before, n)
        self.scope.pop(counter, None)
        return [*pre, f"while {cond}:", *indent(body), *self.collect(acc, n)]

    def loop_exit(self) -> list[str]:
        rng = self.rng
        allowed = ["break", "return"] + (["continue"] if self.loops[-1]["continue"] else [])
        kind = rng.choice(allowed)
        ints = self.ints()
        if ints and rng.random() < 0.3:
            i = rng.choice(ints)
            cond = rng.choice([f"{i.name} == 1", f"{i.name} >= 2", f"{i.name} % 2 == 0"])
        else:
            cond = self.scalar_condition(rng.randint(1, 2))
        if kind == "return":
            return [f"if {cond}:", *indent([self.returned()])]
        return [f"if {cond}:", f"    {kind}"]

    def early_return(self) -> list[str]:
        cond = self.scalar_condition(self.rng.randint(1, 2))
        return [f"if {cond}:", *indent([self.returned()])]

    def lambda_def(self) -> list[str]:
        rng = self.rng
        name = self.name("lam")
        nparams = rng.choice([1, 1, 2])
        pshapes = [self.pick_shape() for _ in range(nparams)]
        ret = rng.choice([pshapes[0], pshapes[0], rng.choice(UNIVERSE)])
        pnames = [self.name("t") for _ in range(nparams)]
        saved = dict(self.scope), set(self.viewed)
        # the lambda sees the enclosing names (a closure) and its parameters
        for p, s in zip(pnames, pshapes):
            self.scope[p] = Var(p, "arr", s, 3.0, param=True)
        body = self.expr(ret, rng.randint(1, 3))
        self.scope, self.viewed = saved
        if body.aliases or body.readonly:
            body = E(f"({body.code}) + 0.0", body.bound)
        self.scope[name] = Var(name, "fn", (), body.bound, sig=(tuple(pshapes), ret, ()))
        return [f"{name} = lambda {', '.join(pnames)}: {body.code}", *self.use_callable(name)]

    def use_callable(self, name: str) -> list[str]:
        """Call a just-defined local function (it may be called again later)."""
        fn = self.scope[name]
        args = [self.small(self.expr(s, 2), 3.0).code for s in fn.sig[0]]
        ret = fn.sig[1]
        return [self.store(self.name(), E(f"{name}({', '.join(args)})", fn.bound), ret)]

    def local_def(self) -> list[str]:
        rng = self.rng
        name = self.name("g")
        nparams = rng.choice([1, 2])
        pshapes = [self.pick_shape() for _ in range(nparams)]
        ret = rng.choice([pshapes[0], rng.choice(UNIVERSE)])
        pnames = [self.name("p") for _ in range(nparams)]
        closure = {k: v for k, v in self.scope.items() if v.kind != "fn"}
        sub = FnGen(self.mod, list(zip(pnames, pshapes)), max_nest=self.nest + 2, final=ret,
                    param_bound=3.0, closure=closure)
        sub.nest = self.nest + 1
        sub.viewed = set(self.viewed)
        sub.augged = set(self.augged)
        body = sub.body(rng.randint(1, 2))
        self.scope[name] = Var(name, "fn", (), sub.ret_bound, sig=(tuple(pshapes), ret, ()))
        return [f"def {name}({', '.join(pnames)}):", *indent(body), *self.use_callable(name)]

    def twin_call(self) -> list[str]:
        """t = ...; v = h(t, t): one new array passed as two arguments."""
        rng = self.rng
        fn = rng.choice([v for v in self.mod.helpers.values() if self.twins(v)])
        shape = rng.choice(self.twins(fn))
        t = self.name("t")
        lines = [self.store(t, self.small(self.expr(shape, 2), 1.5), shape)]
        call = f"{fn.name}({self.call_args(fn, 3, twin=self.scope[t])})"
        result = fn.sig[1]
        if result and isinstance(result[0], tuple):
            n1, n2 = self.name(), self.name()
            self.bind(n1, E(n1, fn.bound), result[0])
            self.bind(n2, E(n2, fn.bound), result[1])
            return [*lines, f"{n1}, {n2} = {call}"]
        return [*lines, self.store(self.name(), E(call, fn.bound), result)]

    def unpack_call(self) -> list[str]:
        rng = self.rng
        fns = [v for v in self.mod.helpers.values()
               if isinstance(v.sig[1], tuple) and v.sig[1] and isinstance(v.sig[1][0], tuple)]
        fn = rng.choice(fns)
        s1, s2 = fn.sig[1]
        call = f"{fn.name}({self.call_args(fn, 3)})"
        n1 = self.name()
        if rng.random() < 0.5:
            n2 = self.name()
            self.bind(n1, E(n1, fn.bound), s1)
            self.bind(n2, E(n2, fn.bound), s2)
            return [f"{n1}, {n2} = {call}"]
        t = self.name("tup")
        if fits(s2, s1):
            e = E(f"{t}[0] * {t}[1]", fn.bound * fn.bound)
        else:
            e = E(f"{t}[0] + np.sum({t}[1])", fn.bound * 7)
        return [f"{t} = {call}", self.store(n1, e, s1)]


    # ------------------------------------------------------------ callables (issue 9)

    def callable_stmt(self) -> list[str]:
        """`v = ...` through one of the CALLABLES constructs, on operands of one shape."""
        rng = self.rng
        shape = self.pick_shape()
        kinds = [k for k in CALLABLES if self.is_entry and self.nest == 0 or k not in LAMBDAS]
        kind = rng.choice(kinds)
        self.mod.tags.add(f"callables: {kind}")
        self.mod.prelude.setdefault(kind, CALLABLES[kind])
        ops = [self.small(self.expr(shape, 2), 1.5) for _ in range(3)]
        a, b, c = (f"({o.code})" for o in ops)
        n = self.name("o")
        lines, result = getattr(self, "_call_" + kind.replace("-", "_"))(n, a, b, c)
        return [*lines, self.store(self.name(), E(result, CALLABLE_BOUND), shape)]

    def _call_function_values(self, n: str, a: str, b: str, c: str) -> tuple[list[str], str]:
        if self.rng.random() < 0.5:
            return [], f"sum(fn({a}) for fn in (np.sin, np.tanh, lambda u: u * 0.5))"
        return [f"{n} = [{a}, {b}]"], f"sum(map(np.tanh, {n})) + apply_fn(np.sin, {c})"

    def _call_partial(self, n: str, a: str, b: str, c: str) -> tuple[list[str], str]:
        if self.rng.random() < 0.5:
            return [f"{n} = functools.partial(scaled_tanh, {a}, scale={c})"], f"{n}({b})"
        return [f"{n} = functools.partial(scaled_tanh, scale=0.5)"], \
            f"{n}({a}, {b}) + apply_fn(functools.partial(scaled_tanh, {c}), {b})"

    def _call_object(self, n: str, a: str, b: str, c: str) -> tuple[list[str], str]:
        lines = [f"{n} = Affine({a}, {b})"]
        form = self.rng.choice(["call", "method", "bound", "static", "set"])
        if form == "call":
            return lines, f"{n}({c})"
        if form == "method":
            return lines, f"{n}.apply({c}) * 0.5"
        if form == "bound":
            return lines, f"apply_fn({n}.apply, {c})"
        if form == "static":
            return lines, f"Affine.squash({n}.w * {c}) + {n}.b"
        return [*lines, f"{n}.b = {n}.b * 0.5 + {c}"], f"{n}({c})"

    def _call_varargs(self, n: str, a: str, b: str, c: str) -> tuple[list[str], str]:
        form = self.rng.choice(["direct", "packed", "mixed"])
        if form == "direct":
            return [], f"mix({a}, {b}, {c}, scale=0.5)"
        if form == "packed":
            return [f"{n} = ({a}, {b})", f"{n}_kw = {{'scale': {c}}}"], f"mix(*{n}, **{n}_kw)"
        return [f"{n} = [{b}, {c}]"], f"mix({a}, *{n}, scale=1.5)"

    def _call_namedtuple(self, n: str, a: str, b: str, c: str) -> tuple[list[str], str]:
        lines = [f"{n} = Pair({a}, {b})"]
        if self.rng.random() < 0.5:
            lines.append(f"{n} = {n}._replace(b={n}.b * {c})")
        return lines, self.rng.choice([f"np.sin({n}.w) * {n}.b", f"use_pair({n}, {c})"])

    def _call_dataclass(self, n: str, a: str, b: str, c: str) -> tuple[list[str], str]:
        lines = [f"{n} = Weights({a}, {b})"]
        if self.rng.random() < 0.5:
            lines.append(f"{n} = dataclasses.replace({n}, w={n}.w * 0.5 + {c})")
        return lines, self.rng.choice([f"{n}.w * np.cos({n}.b)", f"use_pair({n}, {c})"])

    def _call_generator(self, n: str, a: str, b: str, c: str) -> tuple[list[str], str]:
        form = self.rng.choice(["sum", "list", "for"])
        if form == "sum":
            return [], f"sum(scaled_copies({a}, 3)) * 0.3"
        if form == "list":
            return [f"{n} = list(scaled_copies({a}, 2))"], f"{n}[0] * {n}[1] + {b}"
        return [f"{n} = {b} * 0.0", f"for {n}_item in scaled_copies({a}, 2):",
                f"    {n} = {n} + np.tanh({n}_item)"], f"{n} + {c}"


def _callables() -> dict[str, str]:
    """Module-level definitions each `callables` construct uses."""
    return {
        "function-values": "def apply_fn(fn, x):\n    return fn(x) * 0.5",
        "partial": "def scaled_tanh(a, b, scale=1.0):\n    return np.tanh(a) * b * scale\n\n\n"
                   "def apply_fn(fn, x):\n    return fn(x) * 0.5",
        "object": "class Affine:\n    def __init__(self, w, b):\n        self.w = w\n"
                  "        self.b = b\n\n    def apply(self, x):\n"
                  "        return self.w * x + self.b\n\n    def __call__(self, x):\n"
                  "        return np.tanh(self.apply(x))\n\n    @staticmethod\n"
                  "    def squash(x):\n        return np.arctan(x)\n\n\n"
                  "def apply_fn(fn, x):\n    return fn(x) * 0.5",
        "varargs": "def mix(first, *rest, **options):\n    out = first\n"
                   "    for item in rest:\n        out = out * 0.5 + np.tanh(item)\n"
                   "    return out * options['scale']",
        "namedtuple": "Pair = namedtuple('Pair', 'w b')\n\n\n"
                      "def use_pair(p, x):\n    return np.tanh(p.w * x) + p.b * 0.5",
        "dataclass": "@dataclasses.dataclass\nclass Weights:\n    w: np.ndarray\n"
                     "    b: np.ndarray\n\n\n"
                     "def use_pair(p, x):\n    return np.tanh(p.w * x) + p.b * 0.5",
        "generator": "def scaled_copies(a, n):\n    for k in range(n):\n"
                     "        yield a * (k + 1) * 0.5",
    }


CALLABLES = _callables()
LAMBDAS = {"function-values"}  # (s2sad refuses lambdas defined on one side of an if)
CALLABLE_BOUND = 8.0
CALLABLES_IMPORTS = ("import dataclasses\nimport functools\nimport math\n"
                     "from collections import namedtuple\n\nimport numpy as np\n\n\n")


def generate_program(rng: random.Random, size: str = "normal") -> Program:
    """A random program (module source with entry `f`) drawn from `rng`;
    `size="small"` makes shorter programs (s2sad compiles them faster)."""
    return ModuleGen(rng, size).program()


# ---------------------------------------------------------------- the trace version
# The same program with every switching point wrapped: comparisons, abs,
# np.maximum/minimum, np.clip, max/min reductions, rounding, sorting and
# integer dtypes record how far their operands are from switching (a margin)
# into a list. The wrappers of the kinks where s2sad follows a convention
# (JAX's: see CONVENTIONS) also remember which entries are exactly tied; a
# "frozen" run at other inputs then replaces those entries by a smooth
# stand-in whose derivative is the convention's, so finite differences of the
# frozen program are what s2sad must compute at the tie.

_CMP = {"Lt": operator.lt, "LtE": operator.le, "Gt": operator.gt, "GtE": operator.ge,
        "Eq": operator.eq, "NotEq": operator.ne}
_NP_WRAPPED = {"maximum": "_T_maximum", "minimum": "_T_minimum", "fmax": "_T_maximum",
               "fmin": "_T_minimum", "clip": "_T_clip", "abs": "_T_abs", "absolute": "_T_abs",
               "max": "_T_max", "amax": "_T_max", "min": "_T_min", "amin": "_T_min",
               "fabs": "_T_abs", "sign": "_T_sign", "floor": "_T_floor", "ceil": "_T_floor",
               "trunc": "_T_floor", "round": "_T_round", "rint": "_T_round", "std": "_T_std",
               "sort": "_T_sort", "argsort": "_T_argsort"}
# Kinds of switching points where s2sad's derivative is a documented
# convention that the frozen run reproduces: |x| at 0 has slope 1; ties of
# np.maximum/np.minimum split 0.5/0.5, of np.fmax/np.fmin go to the second
# argument, of np.max/np.min split evenly; at a clip bound the slope is 0.5.
CONVENTIONS = frozenset({"np.maximum", "np.minimum", "np.fmax", "np.fmin", "clip", "np.abs",
                         "np.absolute", "np.fabs", "abs", "math.fabs", "max", "min"})


def _dtype_text(node: ast.expr | None) -> str:
    return ast.unparse(node) if node is not None else ""


class _Tracer(ast.NodeTransformer):
    def __init__(self, entry: str = "f") -> None:
        self.entry = entry

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        self.generic_visit(node)
        if node.name != self.entry:
            # a helper remembers the arrays it was given: updating one in
            # place changes the caller's (s2sad refuses that)
            a = node.args
            names = [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]
            snapshot = ast.Assign(
                [ast.Name("_T_args", ast.Store())],
                ast.Tuple([ast.Name(n, ast.Load()) for n in names], ast.Load()))
            node.body.insert(0, snapshot)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> Any:
        self.generic_visit(node)
        target = node.target
        index: list[ast.expr] = []
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            # (a[i] op= v changes the array a; lst[i] op= v the item, if an array)
            if not isinstance(target.slice, (ast.Slice, ast.Tuple)):
                index = [copy.deepcopy(target.slice)]
            target = target.value
        if not isinstance(target, ast.Name):
            return node
        return [self._shared_check(target.id, index), node]

    @staticmethod
    def _shared_check(name: str, index: list[ast.expr] | None = None) -> ast.stmt:
        return ast.Expr(ast.Call(ast.Name("_T_shared", ast.Load()),
                                 [ast.Call(ast.Name("locals", ast.Load()), [], []),
                                  ast.Constant(name), *(index or [])], []))

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        calls = []
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            calls.append(ast.Call(ast.Name("_T_cmp", ast.Load()),
                                  [left, ast.Constant(type(op).__name__), right], []))
            left = right
        return calls[0] if len(calls) == 1 else ast.BoolOp(ast.And(), calls)

    def visit_Assign(self, node: ast.Assign) -> Any:
        self.generic_visit(node)
        target = node.targets[0]
        if len(node.targets) == 1 and isinstance(target, ast.Subscript) \
                and isinstance(target.value, ast.Name):
            return [self._shared_check(target.value.id), node]
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Mod):
            return ast.Call(ast.Name("_T_mod", ast.Load()), [node.left, node.right], [])
        return node

    @staticmethod
    def _truncates(node: ast.Call) -> bool:
        """An integer dtype= (or .astype(int)): the operand is truncated."""
        dtype = next((k.value for k in node.keywords if k.arg == "dtype"), None)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "astype" and node.args:
            dtype = node.args[0]
        return _dtype_text(dtype) in INT_DTYPES

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if self._truncates(node):
            if isinstance(func, ast.Attribute) and func.attr == "astype":
                func.value = ast.Call(ast.Name("_T_trunc", ast.Load()), [func.value], [])
            elif node.args:
                node.args[0] = ast.Call(ast.Name("_T_trunc", ast.Load()), [node.args[0]], [])
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id in ("np", "math"):
            if func.value.id == "np" and func.attr in _NP_WRAPPED:
                node = ast.Call(ast.Name(_NP_WRAPPED[func.attr], ast.Load()),
                                [ast.Constant("np." + func.attr), *node.args], node.keywords)
            elif func.value.id == "math" and func.attr == "fabs":
                node = ast.Call(ast.Name("_T_abs", ast.Load()),
                                [ast.Constant("math.fabs"), *node.args], node.keywords)
        elif isinstance(func, ast.Attribute) and func.attr == "norm":
            node.func = ast.Name("_T_norm", ast.Load())
        elif isinstance(func, ast.Name) and func.id == "abs":
            node = ast.Call(ast.Name("_T_abs", ast.Load()),
                            [ast.Constant("abs"), *node.args], node.keywords)
        elif isinstance(func, ast.Attribute) and func.attr in ("max", "min", "clip"):
            node = ast.Call(ast.Name(_NP_WRAPPED[func.attr], ast.Load()),
                            [ast.Constant("." + func.attr), func.value, *node.args],
                            node.keywords)
        return node


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


class TraceMismatch(Exception):
    """A frozen run took another path than the run it was frozen at."""


def _pick(mask: Any, stand_in: Any, real: Any) -> Any:
    """`real`, with the stand-in where `mask` is set (same type as `real`)."""
    out = np.where(mask, stand_in, real)
    if isinstance(real, np.ndarray):
        return out.astype(real.dtype, copy=False)
    out = out[()]
    if isinstance(real, float) and not isinstance(real, np.floating):
        return float(out)
    return np.asarray(out, dtype=np.result_type(real))[()]


def _trace_helpers(margins: list[tuple[float, str]], state: dict) -> dict[str, Any]:
    def record(m: Any, what: str, ties: bool = True) -> None:
        """An exact tie (margin 0.0) comes from structure or from special
        inputs: both sides are the same computation (np.maximum(u, u), the
        max of a broadcast array, ...), which is harmless, or the inputs hold
        a tie (an exact zero, two equal entries), which a nudge of the inputs
        reveals (check_args). Such margins are ignored when `ties`."""
        m = np.asarray(m, dtype=float)
        if ties:
            m = m[m != 0.0]
        if m.size:
            margins.append((float(np.min(m)), what))

    def tie(kind: str, mask: Any) -> Any:
        """This kink's exactly tied entries: now (recording), or those of the
        run the program is frozen at."""
        k = state["n"]
        state["n"] += 1
        frozen = state["frozen"]
        if frozen is None:
            state["masks"].append((kind, mask))
            return None
        if k >= len(frozen) or frozen[k][0] != kind:
            raise TraceMismatch(f"kink {k} ({kind}) differs from the frozen run")
        return frozen[k][1]

    def cmp(a: Any, op: str, b: Any) -> Any:
        if not (_is_int(a) and _is_int(b)):
            record(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)), op)
        return _CMP[op](a, b)

    def resolve(name: str) -> Any:
        if name.startswith("np."):
            return getattr(np, name[3:])
        if name.startswith("math."):
            return getattr(math, name[5:])
        return getattr(builtins, name)

    def maximum(name: str, a: Any, b: Any) -> Any:
        record(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)), name)
        real = resolve(name)(a, b)
        mask = tie(name, np.broadcast_to(np.asarray(a) == np.asarray(b), np.shape(real)))
        if mask is None or not np.any(mask):
            return real
        if name in ("np.fmax", "np.fmin"):  # ties go to the second argument
            return _pick(mask, np.broadcast_to(b, np.shape(real)), real)
        return _pick(mask, (np.asarray(a) + np.asarray(b)) * 0.5, real)

    def clip(name: str, a: Any, lo: Any = None, hi: Any = None, **kw: Any) -> Any:
        lo, hi = kw.get("a_min", lo), kw.get("a_max", hi)
        for edge in (lo, hi):
            if edge is not None:
                record(np.abs(np.asarray(a, dtype=float) - edge), "clip")
        real = np.clip(a, lo, hi)
        shape = np.shape(real)
        at = [np.broadcast_to(np.asarray(a) == edge, shape) if edge is not None
              else np.zeros(shape, bool) for edge in (lo, hi)]
        masks = tie("clip", (at[0], at[1]))
        if masks is None:
            return real
        for mask, edge in zip(masks, (lo, hi)):
            if np.any(mask):  # slope 0.5 at a bound
                real = _pick(mask, (np.asarray(a) + np.asarray(edge)) * 0.5, real)
        return real

    def absolute(name: str, a: Any) -> Any:
        record(np.abs(a), name)
        real = resolve(name)(a)
        mask = tie(name, np.asarray(a) == 0)
        if mask is None or not np.any(mask):
            return real
        return _pick(mask, a, real)  # slope 1 at 0 (and at -0.0)

    def sign(name: str, a: Any) -> Any:
        record(np.abs(a), name)
        return np.sign(a)

    def floor(name: str, a: Any) -> Any:
        record(np.abs(a - np.round(a)), name, ties=False)
        return resolve(name)(a)

    def rounding(name: str, a: Any, *args: Any) -> Any:
        record(np.abs(np.abs(a - np.floor(a)) - 0.5), name, ties=False)
        return resolve(name)(a, *args)

    def trunc(a: Any) -> Any:
        """The operand of an integer dtype (truncated to integers)."""
        record(np.abs(np.asarray(a, dtype=float) - np.round(a)), "int dtype", ties=False)
        return a

    def mod(a: Any, b: Any) -> Any:
        r = a % b
        record(np.minimum(np.abs(r), np.abs(b - r)), "%", ties=False)
        return r

    def std(name: str, a: Any, *args: Any, **kw: Any) -> Any:
        out = np.std(a, *args, **kw)
        record(out, name, ties=False)
        return out

    def adjacent(a: Any, axis: Any) -> None:
        arr = np.asarray(a, dtype=float)
        if axis is None:
            arr, axis = arr.reshape(-1), 0
        srt = np.sort(arr, axis=axis)
        if srt.shape[axis] > 1:
            record(np.diff(srt, axis=axis), "sort")

    def sort(name: str, a: Any, axis: Any = -1) -> Any:
        adjacent(a, axis)
        return np.sort(a, axis=axis)

    def argsort(name: str, a: Any, axis: Any = -1) -> Any:
        adjacent(a, axis)
        return np.argsort(a, axis=axis)

    def reduced(a: Any, axis: Any) -> np.ndarray:
        """`a` with the reduced axes moved last and merged into one."""
        arr = np.asarray(a)
        if axis is None:
            return arr.reshape(-1)
        axes = tuple(ax % arr.ndim for ax in (axis if isinstance(axis, tuple) else (axis,)))
        rest = [d for d in range(arr.ndim) if d not in axes]
        arr = np.transpose(arr, rest + list(axes))
        return arr.reshape(arr.shape[:len(rest)] + (-1,))

    def gap(a: Any, axis: Any, largest: bool) -> None:
        """How far the extreme is from the runner-up (0, ignored, if tied)."""
        arr = reduced(np.asarray(a, dtype=float), axis)
        if arr.shape[-1] < 2:
            return
        srt = np.sort(arr, axis=-1)
        top = (srt[..., -1] - srt[..., -2]) if largest else (srt[..., 1] - srt[..., 0])
        record(top, "max" if largest else "min")

    def extremum(largest: bool, a: Any, axis: Any, keepdims: bool) -> Any:
        gap(a, axis, largest)
        fn = np.max if largest else np.min
        real = fn(a, axis=axis, keepdims=keepdims)
        mask = tie("max" if largest else "min", np.asarray(a) == fn(a, axis=axis, keepdims=True))
        if mask is None:
            return real
        count = np.sum(mask, axis=axis, keepdims=keepdims)
        if not np.any(count >= 2):
            return real
        # ties split evenly: the mean of the tied entries (written so that it
        # is exactly the extreme where they are still tied)
        top = fn(np.where(mask, a, -np.inf if largest else np.inf), axis=axis, keepdims=True)
        spread = np.where(mask, np.asarray(a) - top, 0.0)
        mean = np.reshape(top, np.shape(spread.sum(axis=axis, keepdims=True))) \
            + spread.sum(axis=axis, keepdims=True) / np.sum(mask, axis=axis, keepdims=True)
        if not keepdims:
            mean = np.squeeze(mean, axis=axis) if axis is not None else mean.reshape(())
        return _pick(count >= 2, mean, real)

    def tmax(name: str, a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        return extremum(True, a, axis, keepdims)

    def tmin(name: str, a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        return extremum(False, a, axis, keepdims)

    def root(a: np.ndarray) -> np.ndarray:
        while isinstance(a.base, np.ndarray):
            a = a.base
        return a

    def overlaps(item: Any, target: np.ndarray) -> bool:
        return isinstance(item, np.ndarray) and (
            root(item) is root(target) or np.shares_memory(item, target))

    def shared(local: dict, name: str, *index: Any) -> None:
        """Before `name op= ...` or `name[i] = ...`: does another local share
        the array's memory (or is one a view of the other, even an empty
        one), directly or as an item of a list, tuple or dict? Before
        `lst[i] op= ...` the same for the item, if it is an array. In a
        helper, the arrays it was given count too (its caller's)."""
        target = local.get(name)
        container = None
        if index and isinstance(target, (list, tuple)):
            try:
                position = index[0] % len(target)
            except (TypeError, ZeroDivisionError):
                return
            container, target = target, target[position]
        if not isinstance(target, np.ndarray):
            return
        for other, value in local.items():
            if other.startswith("_T_"):
                continue
            if isinstance(value, dict):
                items: list = list(value.values())
            elif isinstance(value, (list, tuple)):
                items = [v for j, v in enumerate(value)
                         if not (value is container and j == position)]
            else:
                items = [] if other == name else [value]
            if any(overlaps(item, target) for item in items):
                margins.append((math.inf, f"shared:{name}"))
        if any(overlaps(item, target) for item in local.get("_T_args", ())):
            margins.append((math.inf, f"shared:{name} (an argument)"))

    def norm(x: Any, *args: Any, **kw: Any) -> Any:
        out = np.linalg.norm(x, *args, **kw)
        record(out, "norm", ties=False)
        return out

    return {"_T_cmp": cmp, "_T_maximum": maximum, "_T_minimum": maximum, "_T_clip": clip,
            "_T_abs": absolute, "_T_sign": sign, "_T_floor": floor, "_T_round": rounding,
            "_T_mod": mod, "_T_std": std, "_T_sort": sort, "_T_argsort": argsort,
            "_T_max": tmax, "_T_min": tmin, "_T_trunc": trunc,
            "_T_norm": norm, "_T_shared": shared}


def trace_source(source: str, entry: str = "f") -> str:
    tree = _Tracer(entry).visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))


class Traced:
    """The trace version of a program: call it, then read `margin`."""

    def __init__(self, source: str, entry: str = "f") -> None:
        self.margins: list[tuple[float, str]] = []
        self.state: dict[str, Any] = {"n": 0, "frozen": None, "masks": []}
        self.low_precision = any(w in source for w in LOW_PRECISION)
        namespace: dict[str, Any] = {"__name__": "s2sad_fuzz_trace"}
        namespace.update(_trace_helpers(self.margins, self.state))
        exec(compile(trace_source(source, entry), "<fuzz trace>", "exec"), namespace)  # noqa: S102
        self.fn = namespace[entry]

    def __call__(self, *args: Any) -> Any:
        self.margins.clear()
        self.state.update(n=0, frozen=None, masks=[])
        return self.fn(*args)

    @property
    def masks(self) -> list:
        """The tied entries of each kink of the last (unfrozen) call."""
        return list(self.state["masks"])

    def frozen(self, masks: list) -> Callable[..., Any]:
        """The program with the kinks tied in `masks` replaced by their
        convention's smooth stand-ins (for finite differences at a tie)."""
        def run(*args: Any) -> Any:
            self.margins.clear()
            self.state.update(n=0, frozen=masks, masks=[])
            try:
                out = self.fn(*args)
            finally:
                self.state["frozen"] = None
            if self.state["n"] != len(masks):
                raise TraceMismatch("the frozen run passed another number of kinks")
            return out
        return run

    @property
    def margin(self) -> float:
        return min((m for m, _ in self.margins), default=math.inf)

    @property
    def shared(self) -> bool:
        """Whether an in-place update changed an array another local shares."""
        return any(what.startswith("shared:") for _, what in self.margins)

    @property
    def closest(self) -> str:
        """Which kind of switching point is closest."""
        return min(self.margins, default=(math.inf, ""))[1]


# ---------------------------------------------------------------- checking


@dataclass
class Outcome:
    status: str  # "ok", "discard", "unsupported" or "failure"
    kind: str = ""  # why: a discard reason or a failure kind
    detail: str = ""
    args: list | None = None
    seconds: float = 0.0

    @property
    def signature(self) -> tuple[str, str]:
        return self.status, self.kind


_MODULES = itertools.count()


def load_module(source: str, workdir: str) -> Any:
    """Write `source` to a new file in `workdir` and import it (s2sad needs real source)."""
    name = f"s2sad_fuzz_{os.getpid()}_{next(_MODULES)}"
    path = os.path.join(workdir, name + ".py")
    with open(path, "w") as fh:
        fh.write(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def forget_module(module: Any) -> None:
    """Drop a loaded program's file and s2sad's compiled gradients for it."""
    try:
        os.remove(module.__file__)
    except OSError:
        pass
    from s2sad import pipeline

    pipeline.forget()


class _Strict:
    """NumPy errors and warnings raise (a program that warns is discarded)."""

    def __enter__(self) -> None:
        self.err = np.seterr(all="raise")
        self.warn = warnings.catch_warnings()
        self.warn.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc: Any) -> None:
        self.warn.__exit__(*exc)
        np.seterr(**self.err)


NUMERIC_ERRORS = (FloatingPointError, ArithmeticError, RuntimeWarning, ValueError)


def draw_args(shapes: list[tuple], rng: random.Random, special: bool = False,
              same: tuple = ()) -> list:
    """Inputs of the given shapes, uniform in [-PARAM_BOUND, PARAM_BOUND].
    `special`: some entries are exact zeros, -0.0, clip bounds or copies of
    other entries (ties); `same`: pairs (i, j) of arguments passed as one array."""
    out: list = []
    drawn: list[float] = []
    for shape in shapes:
        values = [rng.uniform(-PARAM_BOUND, PARAM_BOUND) for _ in range(nelem(shape))]
        if special:
            for k in range(len(values)):
                r = rng.random()
                if r < 0.25:
                    values[k] = rng.choice(SPECIAL_VALUES)
                elif r < 0.45 and (drawn or k):
                    values[k] = rng.choice(drawn + values[:k])  # a tie
            drawn += values
        out.append(values[0] if shape == () else np.array(values).reshape(shape))
    for i, j in same:
        out[j] = out[i]
    return out


def draw_inputs(program: Program, rng: random.Random, attempt: int) -> list:
    """Inputs for one attempt: special values in the first attempts of a
    program that draws them (plain ones after, so the program is still checked)."""
    special = "special" in program.features and attempt < 3
    return draw_args(program.arg_shapes, rng, special=special, same=program.same)


def nudge(args: list, step: float = 1e-5) -> list:
    """`args` moved a little in a fixed direction; each argument on its own,
    as finite differences move them (an array passed twice becomes two)."""
    out, k = [], 0
    for a in args:
        size = int(np.size(a))
        move = step * np.sin(1.7 * np.arange(k, k + size) + 0.3).reshape(np.shape(a))
        k += size
        out.append(float(a + move) if np.ndim(a) == 0 else a + move)
    return out


def _copy(args: list) -> list:
    """Copies of the arrays in `args`; an array passed twice is copied once."""
    copies: dict[int, np.ndarray] = {}
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            if id(a) not in copies:
                copies[id(a)] = a.copy()
            out.append(copies[id(a)])
        else:
            out.append(a)
    return out


def _scalar(value: Any) -> float | None:
    try:
        if np.ndim(value) != 0:
            return None
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def finite_differences(fn: Callable, args: list, index: int, h: float, points: int = 3) -> Any:
    """Central differences of scalar `fn` in args[index] (3- or 5-point stencil)."""
    base = args[index]
    arr = np.array(base, dtype=float)
    out = np.zeros(arr.shape)
    stencil = [(1, 0.5), (-1, -0.5)] if points == 3 else \
        [(1, 8 / 12), (-1, -8 / 12), (2, -1 / 12), (-2, 1 / 12)]
    for idx in np.ndindex(arr.shape):
        total = 0.0
        for step, weight in stencil:
            probe = arr.copy()
            probe[idx] += step * h
            moved = _copy(args)
            moved[index] = float(probe) if np.ndim(base) == 0 else probe
            total += weight * float(fn(*moved))
        out[idx] = total / h
    return float(out) if np.ndim(base) == 0 else out


RTOL, ATOL, NORM_RTOL = 1e-4, 1e-6, 1e-4


@dataclass(frozen=True)
class FDPlan:
    """Steps and tolerances of the finite-difference check."""

    h: float = 1e-6  # first estimate: 3-point stencil
    points: int = 3
    h2: float = 1e-5  # confirmation: 5-point stencil
    points2: int = 5
    rtol: float = RTOL
    atol: float = ATOL
    margin: float = MARGIN  # switching points must be this far
    eps: float = 2.2e-16  # rounding of the values


NORMAL_FD = FDPlan()
# float32 values round at 6e-8: larger steps (5-point stencils), looser
# tolerances, switching points further away.
LOW_PRECISION_FD = FDPlan(h=1e-3, points=5, h2=2e-3, points2=5, rtol=2e-3, atol=1e-3,
                          margin=1e-2, eps=1.2e-7)


def compare_gradients(ours: list, numeric: list, rtol: float = RTOL,
                      atol: float = ATOL) -> str | None:
    """None if s2sad's gradients match the numeric ones, else what is wrong."""
    a = np.concatenate([np.ravel(np.asarray(g, dtype=float)) for g in ours])
    b = np.concatenate([np.ravel(np.asarray(g, dtype=float)) for g in numeric])
    if not np.all(np.isfinite(a)):
        return f"non-finite gradient {a}"
    scale = max(1.0, float(np.max(np.abs(b))))
    err = np.abs(a - b)
    bad = err > atol * scale + rtol * np.abs(b)
    norm_err = float(np.linalg.norm(a - b) / max(np.linalg.norm(b), atol))
    # (a gradient that is zero but for rounding, e.g. tanh saturated, has no
    # meaningful relative error: allow the absolute tolerance there too)
    if np.any(bad) or np.linalg.norm(a - b) > rtol * np.linalg.norm(b) + atol * scale:
        worst = int(np.argmax(err - rtol * np.abs(b)))
        return (f"entry {worst}: s2sad {a[worst]!r} vs finite differences {b[worst]!r}; "
                f"relative error of the norm {norm_err:.3g}")
    return None


def _where(exc: BaseException) -> str:
    """The innermost s2sad frame of a traceback, as file:function."""
    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if f"{os.sep}s2sad{os.sep}" in frame.filename:
            where = f"{os.path.basename(frame.filename)}:{frame.name}"
    return where or "generated code"


AT_A_TIE = "at a tie (against the convention)"


def check_args(fn: Callable, traced: Traced, args: list) -> Outcome:
    """Run s2sad on `fn` at `args` and compare with finite differences: the
    gradient, then forward mode against it (the dot-product test) and the
    Hessian-vector product against finite differences of the gradient."""
    outcome = check_gradient(fn, traced, args)
    if outcome.status != "ok":
        return outcome
    return check_higher(fn, args, outcome, tied=outcome.kind == AT_A_TIE,
                        low_precision=traced.low_precision)


def check_higher(fn: Callable, args: list, ok: Outcome, tied: bool,
                 low_precision: bool) -> Outcome:
    """Forward mode and second order, where the gradient is known right."""
    wrt = tuple(range(len(args)))
    rng = np.random.default_rng(len(args) + sum(int(np.size(a)) for a in args))
    directions = [rng.normal(size=np.shape(a)) if np.ndim(a) else float(rng.normal())
                  for a in args]
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            grads = s2sad.grad(fn, wrt=wrt)(*_copy(args))
            given = _copy(directions)
            _, tangent = s2sad.jvp(fn, _copy(args), given)
    except Exception as exc:
        return Outcome("failure", f"forward mode: {type(exc).__name__} in {_where(exc)}",
                       traceback.format_exc(), args)
    if not all(np.array_equal(a, b) for a, b in zip(given, directions)):
        return Outcome("failure", "forward mode changed a tangent it was given",
                       f"{directions!r} became {given!r}", args)
    paired = sum(float(np.sum(np.asarray(g, dtype=float) * d)) for g, d in
                 zip(grads, directions))
    scale = 1.0 + sum(float(np.sum(np.abs(np.asarray(g, dtype=float) * d)))
                      for g, d in zip(grads, directions))
    if not np.isfinite(paired):
        return ok
    if abs(float(tangent) - paired) > (1e-4 if low_precision else 1e-8) * scale:
        return Outcome("failure", "forward mode disagrees with the gradient",
                       f"jvp {tangent!r} vs gradient . direction {paired!r}", args)
    if tied or low_precision:
        return ok
    return check_second_order(fn, args, wrt, directions, ok)


def check_second_order(fn: Callable, args: list, wrt: tuple, directions: list,
                       ok: Outcome) -> Outcome:
    """The Hessian times a direction (forward mode over reverse mode) against
    central differences of the gradient along it (3- and 5-point stencils;
    if those disagree, the second order is not judged)."""
    gradient = s2sad.grad(fn, wrt=wrt)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = s2sad.hvp(fn, wrt=wrt)(*_copy(args), tuple(directions))
    except Exception as exc:
        return Outcome("failure", f"Hessian: {type(exc).__name__} in {_where(exc)}",
                       traceback.format_exc(), args)

    def along(h: float, points: int) -> list:
        stencil = [(1, 0.5), (-1, -0.5)] if points == 3 else \
            [(1, 8 / 12), (-1, -8 / 12), (2, -1 / 12), (-2, 1 / 12)]
        total = None
        for k, weight in stencil:
            moved = [a + k * h * d for a, d in zip(_copy(args), directions)]
            g = [np.asarray(x, dtype=float) * weight / h for x in gradient(*moved)]
            total = g if total is None else [t + x for t, x in zip(total, g)]
        return total

    try:
        with _Strict():
            coarse, fine = along(1e-5, 3), along(1e-4, 5)
    except Exception:
        return ok  # (the gradient is not defined a step away: not judged)
    if compare_gradients(coarse, fine, 1e-4, 1e-6) is not None:
        return ok  # finite differences of the gradient disagree with each other
    if not all(np.all(np.isfinite(np.asarray(h, dtype=float))) for h in ours):
        # At a special point (x ** (1 + x) at x = 0) a mixed partial can be
        # infinite and meet a zero in the chain rule: NaN, as JAX gives there;
        # never a finite wrong number. Not judged.
        return ok
    problem = compare_gradients(list(ours), fine, 1e-4, 1e-6)
    if problem is None:
        return ok
    return Outcome("failure", "Hessian-vector product disagrees with finite differences",
                   problem, args)


def check_gradient(fn: Callable, traced: Traced, args: list) -> Outcome:
    """Run s2sad on `fn` at `args` and compare with finite differences.

    The program runs on copies of `args` (it may update its arguments in
    place; an array passed twice stays one array). Where the inputs sit
    exactly at a kink with a convention (a tie, a clip bound, |x| at 0:
    CONVENTIONS), the gradient is compared with finite differences of the
    program frozen there, with the kink replaced by the convention's stand-in;
    at any other switching point the inputs are discarded."""
    plan = LOW_PRECISION_FD if traced.low_precision else NORMAL_FD
    try:
        with _Strict():
            expected = traced(*_copy(args))
            masks, shared = traced.masks, traced.shared
            plain = fn(*_copy(args))
    except NUMERIC_ERRORS as exc:
        return Outcome("discard", "numpy error", f"{type(exc).__name__}: {exc}", args)
    except Exception as exc:  # a generator bug: the program is not valid Python/NumPy
        return Outcome("discard", "invalid program", f"{type(exc).__name__}: {exc}", args)
    value = _scalar(plain)
    if value is None or _scalar(expected) != value:
        return Outcome("discard", "non-finite or non-scalar", repr(plain), args)
    if traced.margin < plan.margin:
        return Outcome("discard", "near a switching point",
                       f"margin {traced.margin:.2g} at {traced.closest}", args)
    # Exact ties were ignored as structural; a tie that is a coincidence of
    # the inputs (x exactly at a clip edge) does not survive a small move.
    try:
        with _Strict():
            traced(*nudge(args))
    except Exception as exc:
        return Outcome("discard", "numpy error", f"{type(exc).__name__}: {exc}", args)
    close = {what for m, what in traced.margins if m < plan.margin}
    if close - CONVENTIONS:
        return Outcome("discard", "near a switching point",
                       f"margin {traced.margin:.2g} at {traced.closest} (nudged)", args)
    tied = bool(close)
    wrt = tuple(range(len(args)))
    given = _copy(args)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got, grads = s2sad.value_and_grad(fn, wrt=wrt)(*given)
    except UnsupportedSyntaxError as exc:
        return Outcome("unsupported", type(exc).__name__, str(exc), args)
    except AliasingError as exc:
        if shared:  # right: the program really updates a shared array
            return Outcome("unsupported", type(exc).__name__, str(exc), args)
        return Outcome("failure", "AliasingError, but no array is shared", str(exc), args)
    except Exception as exc:
        kind = f"crash: {type(exc).__name__} in {_where(exc)}"
        return Outcome("failure", kind, traceback.format_exc(), args)
    for before, after in zip(args, given):
        if not np.array_equal(before, after):
            return Outcome("failure", "input modified", f"{before!r} became {after!r}", args)
    got_value = _scalar(got)
    if got_value is None or abs(got_value - value) > 1e-9 * (1 + abs(value)):
        return Outcome("failure", "wrong value", f"s2sad {got!r} vs {plain!r}", args)
    if not isinstance(grads, tuple) or len(grads) != len(args):
        return Outcome("failure", "wrong gradient structure", repr(grads), args)
    for i, (g, a) in enumerate(zip(grads, args)):
        if np.shape(g) != np.shape(a):
            return Outcome("failure", "wrong gradient shape",
                           f"argument {i}: gradient shape {np.shape(g)}, argument {np.shape(a)}",
                           args)
    target, ok = fn, Outcome("ok", args=args)
    if tied:
        # finite differences of the program frozen at the tie
        target, ok = traced.frozen(masks), Outcome("ok", AT_A_TIE, args=args)
        try:
            with _Strict():
                if _scalar(target(*_copy(args))) != value:
                    raise TraceMismatch("the frozen program computes another value")
                # the stand-ins must not bring another switching point close
                # (np.fmax's tie going to one side can split a tie a sort had)
                target(*nudge(args))
        except TraceMismatch as exc:
            return Outcome("discard", "finite differences failed", repr(exc), args)
        except Exception as exc:
            return Outcome("discard", "numpy error", f"{type(exc).__name__}: {exc}", args)
        close = {what for m, what in traced.margins if m < plan.margin}
        if close - CONVENTIONS:
            return Outcome("discard", "near a switching point",
                           f"margin {traced.margin:.2g} at {traced.closest} (frozen, nudged)",
                           args)
    try:
        with _Strict():
            numeric = [finite_differences(target, args, i, plan.h, plan.points) for i in wrt]
    except Exception as exc:
        if not tied:
            return Outcome("discard", "finite differences failed", repr(exc), args)
        # A stand-in is not defined on one side (|x| ** 1.5 at x = 0 becomes
        # x ** 1.5): keep |x| there (the program may be differentiable at
        # such a point), then, if need be, every kink. Matching such an
        # estimate passes; a mismatch may be the convention's doing: discard.
        plain_abs = [(kind, np.zeros_like(m) if kind not in ("np.maximum", "np.minimum",
                      "np.fmax", "np.fmin", "clip", "max", "min") else m)
                     for kind, m in masks]
        for target in (traced.frozen(plain_abs), fn):
            try:
                with _Strict():
                    numeric = [finite_differences(target, args, i, plan.h, plan.points)
                               for i in wrt]
                break
            except Exception:
                continue
        else:
            return Outcome("discard", "finite differences failed", repr(exc), args)
        if compare_gradients(list(grads), numeric, plan.rtol, plan.atol) is None:
            return ok
        return Outcome("discard", "at a tie finite differences cannot judge",
                       f"stand-in: {exc!r}", args)
    problem = compare_gradients(list(grads), numeric, plan.rtol, plan.atol)
    if problem is None:
        return ok
    # Confirm with a 5-point stencil: if the two estimates disagree, finite
    # differences are not trustworthy here.
    try:
        with _Strict():
            fine = [finite_differences(target, args, i, plan.h2, plan.points2) for i in wrt]
    except Exception as exc:
        return Outcome("discard", "finite differences failed", repr(exc), args)
    if compare_gradients(fine, numeric, plan.rtol, plan.atol) is not None:
        return Outcome("discard", "finite differences unstable", problem, args)
    problem = compare_gradients(list(grads), fine, plan.rtol, plan.atol)
    if problem is None:
        return ok
    scale = 1.0 + max(float(np.max(np.abs(g))) if np.size(g) else 0.0 for g in grads)
    if plan.eps * abs(value) / plan.h2 > 1e-3 * scale:
        # rounding in f(x + h) - f(x - h) swamps the difference (f is huge)
        return Outcome("discard", "finite differences unstable",
                       f"|f| = {abs(value):.3g} is too large for steps of {plan.h2:g}", args)
    kind = "wrong gradient" + (" " + AT_A_TIE if tied else "")
    return Outcome("failure", kind, problem, args)


class _Timeout(BaseException):
    pass


class time_limit:
    """Raise _Timeout in the main thread after `seconds` (no-op elsewhere)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.active = threading.current_thread() is threading.main_thread() \
            and hasattr(signal, "setitimer")

    def __enter__(self) -> None:
        if self.active:
            def expire(signum: int, frame: Any) -> None:
                raise _Timeout()
            self.previous = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: Any) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def check_source(source: str, args: list, workdir: str, entry: str = "f",
                 seconds: float = 10.0) -> Outcome:
    """check_args for a program given as source (used by the minimizer, whose
    edits may make loops endless: those time out and count as discarded)."""
    module = None
    try:
        with time_limit(seconds):
            with warnings.catch_warnings():  # SyntaxWarnings of broken candidates
                warnings.simplefilter("ignore")
                module = load_module(source, workdir)
                traced = Traced(source, entry)
            return check_args(getattr(module, entry), traced, args)
    except _Timeout:
        return Outcome("discard", "timeout", args=args)
    except Exception as exc:
        return Outcome("discard", "invalid program", repr(exc), args)
    finally:
        if module is not None:
            forget_module(module)


def check_program(program: Program, rng: random.Random, workdir: str,
                  attempts: int = 6) -> Outcome:
    """Draw inputs (again while some switching point is too close or NumPy
    complains) and check s2sad's gradient of `program` there."""
    start = time.perf_counter()
    try:
        module = load_module(program.source, workdir)
        traced = Traced(program.source, program.entry)
    except Exception as exc:
        return Outcome("discard", "invalid program", repr(exc))
    try:
        fn = getattr(module, program.entry)
        outcome = Outcome("discard", "no inputs")
        with time_limit(120.0):
            for attempt in range(attempts):
                outcome = check_args(fn, traced, draw_inputs(program, rng, attempt))
                if outcome.status != "discard" or outcome.kind == "invalid program":
                    break
    except _Timeout:
        outcome = Outcome("failure", "timeout", "s2sad or the check took over 120 s")
    finally:
        forget_module(module)
    outcome.seconds = time.perf_counter() - start
    return outcome


def run_seed(seed: int, workdir: str, size: str = "normal") -> tuple[Program, Outcome]:
    """Generate and check the program of `seed` (inputs come from the same stream)."""
    rng = random.Random(seed)
    program = generate_program(rng, size)
    program.seed = seed
    return program, check_program(program, rng, workdir)


# ---------------------------------------------------------------- minimizing


def _bodies(tree: ast.AST) -> list[list]:
    out = []
    for node in ast.walk(tree):
        for name in ("body", "orelse"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                out.append(body)
    return out


def _edits(tree: ast.Module) -> list[Callable[[], None]]:
    """Single simplifications of `tree`, largest first (each mutates the tree)."""
    edits: list[Callable[[], None]] = []

    def drop(body: list, i: int) -> Callable[[], None]:
        def run() -> None:
            del body[i]
            if not body:
                body.append(ast.Pass())
        return run

    def splice(body: list, i: int, items: list) -> Callable[[], None]:
        def run() -> None:
            body[i:i + 1] = items or [ast.Pass()]
        return run

    top = tree.body
    for i, node in enumerate(top):
        if isinstance(node, ast.FunctionDef) and node.name != "f":
            edits.append(drop(top, i))
    for body in _bodies(tree):
        for i, node in enumerate(body):
            if isinstance(node, (ast.If, ast.For, ast.While)):
                edits.append(splice(body, i, node.body))
                if node.orelse:
                    edits.append(splice(body, i, node.orelse))
            if not isinstance(node, ast.Return) or len(body) > 1:
                edits.append(drop(body, i))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and node.orelse:
            edits.append(lambda node=node: setattr(node, "orelse", []))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "range" and node.args:
            for k in (1, 2):
                edits.append(lambda node=node, k=k: setattr(node, "args", [ast.Constant(k)]))

    # replace an expression with one of its operands
    def replace_with(parent: ast.AST, field_name: str, index: int | None, child: ast.AST
                     ) -> Callable[[], None]:
        def run() -> None:
            if index is None:
                setattr(parent, field_name, child)
            else:
                getattr(parent, field_name)[index] = child
        return run

    for parent in ast.walk(tree):
        for field_name, value in ast.iter_fields(parent):
            items = [(None, value)] if isinstance(value, ast.expr) else \
                [(i, v) for i, v in enumerate(value) if isinstance(v, ast.expr)] \
                if isinstance(value, list) else []
            for index, node in items:
                for child in _operands(node):
                    edits.append(replace_with(parent, field_name, index, child))
                if isinstance(node, ast.Constant) and isinstance(node.value, float) \
                        and node.value not in (0.0, 1.0):
                    edits.append(replace_with(parent, field_name, index, ast.Constant(1.0)))
    return edits


def _operands(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.IfExp):
        return [node.body, node.orelse]
    if isinstance(node, ast.Subscript):
        return [node.value]
    if isinstance(node, ast.Call):  # (not np.where's condition: a bool array)
        out = [a for a in node.args if not isinstance(a, (ast.Starred, ast.Compare))]
        if isinstance(node.func, ast.Attribute) and not (
                isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "math")):
            out.append(node.func.value)
        return out
    if isinstance(node, ast.Attribute) and node.attr == "T":
        return [node.value]
    return []


def minimize(source: str, args: list, kind: str, workdir: str, seconds: float = 60.0) -> str:
    """Greedily simplify `source` (drop statements, unwrap blocks, replace
    expressions with their operands) while it still fails with `kind`."""
    deadline = time.monotonic() + seconds

    def fails(candidate: str) -> bool:
        outcome = check_source(candidate, args, workdir, seconds=3.0)
        return outcome.status == "failure" and outcome.kind == kind

    current = normalize(source)
    tree = ast.parse(current)
    k, progressed = 0, False
    while time.monotonic() < deadline:
        candidate_tree = copy.deepcopy(tree)
        edits = _edits(candidate_tree)
        if k >= len(edits):
            if not progressed:
                break
            k, progressed = 0, False
            continue
        edits[k]()
        try:
            candidate = normalize(ast.unparse(ast.fix_missing_locations(candidate_tree)))
        except (SyntaxError, ValueError):
            candidate = current
        if candidate != current and fails(candidate):
            current, tree, progressed = candidate, ast.parse(candidate), True
        else:
            k += 1
    return current


def args_literal(args: list) -> str:
    """The arguments as Python source (an array passed twice is named once:
    `(a0 := np.array(...)), a0`)."""
    parts = []
    names: dict[int, str] = {}
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray):
            if id(a) in names:
                parts.append(names[id(a)])
                continue
            text = f"np.array({a.tolist()!r})"
            if any(b is a for b in args[i + 1:]):
                names[id(a)] = f"a{i}"
                text = f"(a{i} := {text})"
            parts.append(text)
        else:
            parts.append(repr(a))
    return ", ".join(parts)


__all__ = ["Program", "Outcome", "Traced", "generate_program", "check_program", "check_source",
           "run_seed", "minimize", "draw_args", "args_literal", "trace_source"]
