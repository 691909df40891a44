"""Python numbers take `math`'s functions: the last pass before emitting.

`np.sin` on a Python float costs about twenty times `math.sin` (NumPy makes
a 0-d array, dispatches a ufunc and boxes the result), and scalar code (an
ODE step, a recurrence, a function of a few floats) calls little else. When
the first call shows plain numbers (`Spec.scalars`: Python floats and ints),
this pass finds the values that are certainly real Python numbers and calls
`math`'s function on them instead of NumPy's.

A value is a *real number* when it is one of those parameters, a loop's
range index, or the result of arithmetic (`+ - * / // %`, a power with a
constant integer exponent, `abs`, `float`) or of a `math` function on real
numbers and constants; a branch's result or a loop-carried value is one when
every value that reaches it is (the largest such set: a loop may keep a
float a float).

`math` raises where NumPy returns inf or nan (`math.log(0.0)`,
`math.exp(1000.0)`, `math.sqrt(-1.0)`), as Python's float division does
where NumPy's gives inf: the transforms catch those errors, check that the
user's function itself runs, and compute again with NumPy scalars under
`pipeline.numpy_numbers()`, which compiles without this specialization.
"""

from __future__ import annotations

import math
from typing import Any

from .ir import (
    Assign,
    Const,
    Function,
    If,
    Loop,
    Operand,
    Return,
    Var,
    largest_closed,
    substitute,
    uses,
    walk,
)

# NumPy's elementwise functions and the `math` function equal to them on one
# (or two) real Python numbers, up to the errors `math` raises instead of
# returning inf or nan.
MATH_OF = {
    "np.sin": "sin", "np.cos": "cos", "np.tan": "tan", "np.arcsin": "asin",
    "np.arccos": "acos", "np.arctan": "atan", "np.sinh": "sinh", "np.cosh": "cosh",
    "np.tanh": "tanh",
    "np.exp": "exp", "np.expm1": "expm1", "np.log": "log", "np.log2": "log2",
    "np.log10": "log10", "np.log1p": "log1p", "np.sqrt": "sqrt", "np.fabs": "fabs",
    "np.arctan2": "atan2", "np.hypot": "hypot",
}
# Operations whose result is a real Python number when their operands are.
# Statements that only look at a value's type or value (grad's check of its output).
_CHECKS = {"require_scalar"}
_ARITHMETIC = {"add", "sub", "mul", "truediv", "floordiv", "mod", "neg", "pos", "abs", "float"}


def use_math(fn: Function, scalars: tuple[int, ...], returned: bool = True) -> int:
    """Call `math` instead of NumPy on real numbers in `fn` (in place), given
    that the parameters at positions `scalars` are plain numbers; with
    `returned=False`, not on what the function returns (a forward half's
    state, which the backward half computes with later, outside the transforms'
    fallback to NumPy's scalars). grad's check that its output is a real
    scalar goes where the output certainly is a real number. Returns how many
    calls changed to `math`."""
    if not scalars:
        return 0
    tapes = _local_tapes(fn)
    real = real_numbers(fn, scalars, tapes)
    settled = [s for s in fn.body.stmts if isinstance(s, Assign) and
               s.prim in ("require_scalar", "seed_of") and isinstance(s.args[-1], Var)
               and s.args[-1] in real]
    dropped = {id(s) for s in settled}
    fn.body.stmts[:] = [s for s in fn.body.stmts if id(s) not in dropped]
    seeds = {s.target: s.args[0] for s in settled if s.prim == "seed_of"}
    if seeds:  # (a real number's seed is the Python float it was given)
        for stmt in walk(fn.body):
            substitute(stmt, seeds)
    escaping = _meets_numpy(fn, real, returned, tapes)
    changed = 0
    for stmt in walk(fn.body):
        if isinstance(stmt, Assign) and stmt.prim in MATH_OF and not stmt.kwargs \
                and _all_numbers(stmt.args, real) and stmt.target not in escaping:
            stmt.prim = "math." + MATH_OF[stmt.prim]
            stmt.callee = None  # (s2sad's own `math`, not a name of the user's)
            changed += 1
    return changed


def _local_tapes(fn: Function) -> dict[Var, tuple[list, list]]:
    """Tape -> (values pushed, vars popped) for the tapes `fn` only pushes to
    and pops from (not one a forward half returns in its state): what a pop
    gives is one of the values pushed."""
    tapes: dict[Var, tuple[list, list]] = {}
    other: set[Var] = set()
    for stmt in walk(fn.body):
        if isinstance(stmt, Assign) and stmt.prim == "tape.push":
            tapes.setdefault(stmt.args[0], ([], []))[0].append(stmt.args[1])
            other.update(x for x in uses(stmt)[1:] if x is stmt.args[0])
        elif isinstance(stmt, Assign) and stmt.prim == "tape.pop":
            tapes.setdefault(stmt.args[0], ([], []))[1].append(stmt.target)
        elif not (isinstance(stmt, Assign) and stmt.prim == "tape.new"):
            other.update(x for x in uses(stmt) if isinstance(x, Var))
    return {t: lists for t, lists in tapes.items() if t not in other}


def real_numbers(fn: Function, scalars: tuple[int, ...],
                 tapes: dict[Var, tuple[list, list]] | None = None) -> set[Var]:
    """The vars certainly holding real Python numbers (see the module's doc):
    every candidate first, then drop those with an operand that is not one,
    until nothing changes. A pop from a local tape (`_local_tapes`) is one
    when every value pushed on that tape is."""
    given = {fn.params[i] for i in scalars if i < len(fn.params)}
    rules: dict[Var, list[Operand] | None] = {}  # var -> what must be real for it to be
    for pushed, popped in (tapes or {}).values():
        for v in popped:
            rules[v] = list(pushed)
    for stmt in walk(fn.body):
        if isinstance(stmt, Assign) and stmt.target is not None and _keeps_numbers(stmt):
            rules[stmt.target] = stmt.operands()
        elif isinstance(stmt, If):
            for out, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals):
                rules[out] = [a, b]
        elif isinstance(stmt, Loop):
            for phi, init, nxt in zip(stmt.phis, stmt.inits, stmt.nexts):
                rules[phi] = [init, nxt]
            if stmt.index is not None and stmt.range_args is not None:
                rules[stmt.index] = []  # a range's ints
    return largest_closed(rules, given, _finite_number)


def _meets_numpy(fn: Function, real: set[Var], returned: bool,
                 tapes: dict[Var, tuple[list, list]]) -> set[Var]:
    """The real numbers whose value reaches anything but arithmetic on real
    numbers and the return: an array, a NumPy scalar, a call, a tape. NumPy's
    `np.sin(x)` is a float64 that NumPy's promotion treats as strong, and
    `math.sin(x)` a Python float it treats as weak (float32 + float64 is
    float64, float32 + float is float32), so `math` goes only where its
    result meets real numbers alone."""
    # (a tuple of them is followed too: a returned tuple of numbers is fine)
    real = real | {st.target for st in walk(fn.body) if isinstance(st, Assign)
                   and st.prim == "make_tuple" and st.target is not None}
    readers: dict[Var, list] = {}
    for stmt in walk(fn.body):
        for x in uses(stmt):
            if isinstance(x, Var):
                readers.setdefault(x, []).append(stmt)
    popped = {t: pops for t, (_, pops) in tapes.items()}
    meets = {v for v in real for r in readers.get(v, ())
             if not _stays_real(r, v, real, popped) and not (returned and isinstance(r, Return))}
    changed = True
    while changed:  # (and what they are computed from)
        changed = False
        for v in real - meets:
            if any(d in meets for r in readers.get(v, ()) for d in _flows_into(r, v, popped)):
                meets.add(v)
                changed = True
    return meets


def _stays_real(stmt: Any, v: Var, real: set[Var], popped: dict) -> bool:
    """Whether `stmt`, reading the real number v, keeps it among real numbers
    (a loop's bounds and a branch's condition only steer; a push on a local
    tape gives it to the pops, which must be real numbers too)."""
    if isinstance(stmt, Assign) and stmt.prim == "tape.push" and stmt.args[0] in popped:
        return stmt.args[1] is v and all(d in real for d in popped[stmt.args[0]])
    if isinstance(stmt, Assign):
        return stmt.prim in _CHECKS or stmt.target is not None and stmt.target in real
    return not isinstance(stmt, Return) and all(d in real for d in _flows_into(stmt, v, popped))


def _flows_into(stmt: Any, v: Var, popped: dict) -> list[Var]:
    """The values v's value becomes through `stmt`."""
    if isinstance(stmt, Assign) and stmt.prim == "tape.push" and stmt.args[0] in popped:
        return list(popped[stmt.args[0]]) if stmt.args[1] is v else []
    if isinstance(stmt, Assign):
        return [stmt.target] if stmt.target is not None else []
    if isinstance(stmt, If):
        return [o for o, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals)
                if v is a or v is b]
    if isinstance(stmt, Loop):
        return [p for p, i, n in zip(stmt.phis, stmt.inits, stmt.nexts) if v is i or v is n]
    return []


def _keeps_numbers(stmt: Assign) -> bool:
    """Whether stmt's result is a real number when its operands are."""
    if stmt.prim in _ARITHMETIC or stmt.prim in MATH_OF or stmt.prim == "seed_of":
        return True
    if stmt.prim == "pow":
        exponent = stmt.args[1]
        return isinstance(exponent, Const) and type(exponent.value) is int
    return stmt.prim.startswith("math.") and stmt.prim not in ("math.isnan", "math.isinf",
                                                                "math.isfinite")


def _finite_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _all_numbers(operands: list[Operand], real: set[Var]) -> bool:
    """Every operand a real number: a var of `real`, or a finite constant."""
    return all(x in real if isinstance(x, Var) else isinstance(x, Const) and
               _finite_number(x.value) for x in operands)
