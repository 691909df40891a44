"""Cleaning up generated IR.

* `simplify` folds constants and applies algebraic identities (`x * 1`,
  `x + 0`, `-(-x)`, an `unbroadcast` between values of one shape class, a
  `cast_adjoint` without a dtype) as
  the derivative passes append each statement, so rules can be written
  plainly and still read well once generated; `rewrite` gives a plainer
  template for a helper call whose operands make the general rule
  unnecessary (a power rule with a constant exponent).
* `eliminate_dead_code` drops pure assignments, branch results and
  loop-carried values nobody reads (the simplifications leave some).
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from . import primitives
from .ir import Assign, Block, Const, If, Loop, Operand, Var, regions, uses, walk

_FOLD = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
         "truediv": operator.truediv, "pow": operator.pow, "neg": operator.neg}


def simplify(stmt: Assign, definition: Callable[[Var], Assign | None],
             same_shape: Callable[[Operand, Operand], bool]) -> Operand | None:
    """An operand equal to `stmt`'s value without computing it, if there is one.
    `definition(v)` finds the statement defining v among those already built."""
    p, a = stmt.prim, stmt.args
    if p in _FOLD and all(isinstance(x, Const) for x in a) and not stmt.kwargs:
        try:
            return Const(_FOLD[p](*[x.value for x in a]))
        except Exception:
            return None
    if p == "mul":
        for x, y in ((a[0], a[1]), (a[1], a[0])):
            if is_const(x, 1):
                return y
    if (p == "truediv" and is_const(a[1], 1)) or (p in ("add", "sub") and is_const(a[1], 0)) \
            or (p == "pow" and is_const(a[1], 1)):
        return a[0]
    if p == "add" and is_const(a[0], 0):
        return a[1]
    if p == "neg" and isinstance(a[0], Var):
        inner = definition(a[0])
        if inner is not None and inner.prim == "neg":
            return inner.args[0]
    if p == "unbroadcast" and same_shape(a[0], a[1]):
        return a[0]
    if p == "cast_adjoint" and a[1] == Const(None):  # no dtype= given: nothing truncated
        return a[0]
    if p == "zeros_like" and isinstance(a[0], Const) and type(a[0].value) in (int, float):
        return Const(0.0)
    return None


def rewrite(stmt: Assign) -> tuple[str, dict[str, Operand]] | None:
    """A plainer template computing the same value, where the operands allow:
    `pow_base_adjoint(g, x, 2)` is `g * 2 * x`. (A whole-number exponent of at
    least 1 never meets the 0 * inf the general rule guards against.)"""
    if stmt.prim in ("pow_base_adjoint", "pow_base_curvature") and not stmt.kwargs:
        g, x, y = stmt.args
        whole = isinstance(y, Const) and type(y.value) in (int, float) and \
            float(y.value).is_integer()
        if stmt.prim == "pow_base_adjoint" and whole and y.value >= 1:
            return "g * y * x ** (y - 1)", {"g": g, "x": x, "y": y}
        if stmt.prim == "pow_base_curvature" and whole and y.value >= 2:
            return "g * (y * (y - 1)) * x ** (y - 2)", {"g": g, "x": x, "y": y}
        if stmt.prim == "pow_base_curvature" and whole and y.value in (0, 1):
            return "g * 0.0", {"g": g}
    return None


def is_const(x: Operand, value: float) -> bool:
    return isinstance(x, Const) and type(x.value) in (int, float) and x.value == value


# ---------------------------------------------------------------- dead code


def eliminate_dead_code(block: Block) -> None:
    """Drop pure assignments whose value nobody reads, and unread results."""
    while True:
        counts: dict[Var, int] = {}
        for stmt in walk(block):
            for u in uses(stmt):
                if isinstance(u, Var):
                    counts[u] = counts.get(u, 0) + 1
        if not _drop_unused(block, counts):
            return


def _drop_unused(block: Block, counts: dict) -> bool:
    removed = False
    kept = []
    for stmt in block.stmts:
        if isinstance(stmt, Assign) and _droppable(stmt) and counts.get(stmt.target, 0) == 0:
            removed = True
            continue
        for region in regions(stmt):
            removed |= _drop_unused(region, counts)
        if isinstance(stmt, (If, Loop)):
            removed |= _drop_unused_results(stmt, counts)
        kept.append(stmt)
    block.stmts[:] = kept
    return removed


def _droppable(stmt: Assign) -> bool:
    return stmt.target is not None and not primitives.get(stmt.prim).effect


def _drop_unused_results(stmt: If | Loop, counts: dict) -> bool:
    """Branch results and loop-carried values nobody reads (a loop's own next
    value reading its phi does not count)."""
    if isinstance(stmt, If):
        keep = [k for k, out in enumerate(stmt.outs) if counts.get(out, 0) > 0]
        if len(keep) == len(stmt.outs):
            return False
        stmt.outs = [stmt.outs[k] for k in keep]
        stmt.then_vals = [stmt.then_vals[k] for k in keep]
        stmt.else_vals = [stmt.else_vals[k] for k in keep]
        return True
    keep = []
    for phi, nxt in zip(stmt.phis, stmt.nexts):
        self_reads = 1 if nxt is phi else 0
        used = counts.get(phi, 0) - self_reads > 0 or phi is stmt.trips or phi is stmt.exit_flag
        keep.append(used)
    if all(keep):
        return False
    stmt.phis = [p for p, k in zip(stmt.phis, keep) if k]
    stmt.inits = [p for p, k in zip(stmt.inits, keep) if k]
    stmt.nexts = [p for p, k in zip(stmt.nexts, keep) if k]
    return True


__all__ = ["simplify", "rewrite", "is_const", "eliminate_dead_code"]
