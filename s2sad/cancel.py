"""Algebraic cancellations in adjoint code, where the chain rule's factors
meet and an expert's hand-written gradient would have cancelled them.

* `cancel_divisions` turns `(a / u + b / v) * u * v` into `a * v + b * u`:
  log's adjoint `g / p` meeting the logistic's `p * (1 - p)`.
* The sum it leaves, `a * (1 - b) - (1 - a) * b`, is `a - b`
  (`_complements`): a binary cross-entropy's `y * (1 - p) - (1 - y) * p`
  is the `y - p` one writes by hand. Only where the complements the
  function computed are exact (float64 a and b): uint8 labels' `1 - y`
  wraps around, float16's is rounded, and the gradient is of the function
  NumPy evaluates. That is a matter of dtypes, which the code is not
  specialized for, so `runtime.complements_difference` decides when it runs.

Both are identities of real (and complex) arithmetic; they run on adjoint
code only, never on the user's own arithmetic (the forward pass's values,
`primal`), whose nan at a special point stays as NumPy computes it. Where
the adjoint's original form met `0 * inf`, the new one gives the limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .cleanup import defined_twice, eliminate_dead_code, inexact_values, written_values
from .ir import Assign, Block, Const, Operand, Ref, Var, blocks, use_counts, walk
from .runtime import complements_difference


def cancel_divisions(block: Block, new: Callable[[str], Var], floating: set[Var],
                     primal: set[Var]) -> None:
    """`(a / u + b / v) * u * v` as `a * v + b * u` (a `-` for either `+`
    too) where each part is read only by the next and u and v are floating
    values: log's adjoint `g / p` meeting the logistic's `p * (1 - p)`, the
    cross-entropy of a sigmoid, takes three array operations instead of
    seven, as the hand-written `p - y` does with one. A factor a and b share
    up to sign (`x * (g / n)`, `y * (-g / n)`) multiplies once. The operands'
    shapes broadcast to the same shape either way. Where u is 0 the
    quotient's `inf * 0` gave nan; the product gives the limit. `floating`:
    values known to be floating besides those the block shows (grad's seed);
    only their negations are their opposites (`-y` of a uint8 y wraps).
    `primal`: the values of the forward pass, the user's own arithmetic,
    which stays as written (their `(1 / u + 1 / v) * u * v` is nan where u
    is 0, as NumPy computes it)."""
    counts = use_counts(block)
    facts: dict[str, Any] = {}

    def known() -> dict[str, Any]:  # (walks of the whole block: once a pattern is found)
        if not facts:
            unsafe = written_values(block) | defined_twice(block)
            inexact = inexact_values(block)
            facts.update(unsafe=unsafe, inexact=inexact,
                         floating=_floating_values(block, inexact | set(floating)),
                         single={s.target: s for s in walk(block) if isinstance(s, Assign) and
                        s.target is not None and s.target not in unsafe and not s.inplace})
        return facts

    changed = False
    for region in list(blocks(block)):
        once = {s.target: s for s in region.stmts if isinstance(s, Assign) and
                s.target is not None and s.target not in primal and not s.inplace and
                not s.kwargs and counts.get(s.target) == 1}
        for stmt in list(region.stmts):
            if isinstance(stmt, Assign) and stmt.target in primal:
                continue
            found = _quotients_times_divisors(stmt, once, known)
            if found is None:
                continue
            parts, terms = found
            for part in parts:
                region.stmts.remove(part)
                del once[part.target]
            k = region.stmts.index(stmt)
            f = known()
            terms, factor = _common_factor(terms, f["single"], f["unsafe"], f["floating"])
            difference = _complements(terms, f["single"], f["unsafe"], f["floating"])
            if difference is not None:
                region.stmts[k:k + 1] = _difference(difference, factor, stmt.target,
                                                    stmt.loc, new)
            else:
                region.stmts[k:k + 1] = _sum_of_products(terms, factor, stmt.target,
                                                         stmt.loc, new)
            changed = True
    if changed:  # (the factors' products no term reads now)
        eliminate_dead_code(block)


def _floating_values(block: Block, known: set[Var]) -> set[Var]:
    """`known` and the values certain to be floating from them: quotients,
    and a floating number as a NumPy one (a full sum's adjoint, held)."""
    floating = set(known)
    for s in walk(block):
        if isinstance(s, Assign) and s.target is not None and (
                _binary(s, "truediv") or s.prim == "numpy_number" and s.args[0] in floating):
            floating.add(s.target)
    return floating


def _sum_of_products(terms: list, factor: Operand | None, target: Var, loc: Any,
                     new: Callable[[str], Var]) -> list[Assign]:
    """Statements giving `target` the sum of the two (sign, x, y) `terms`'
    signed products `x * y`, times `factor` if there is one."""
    (s1, x1, y1), (s2, x2, y2) = terms
    t1, t2 = new(""), new("")
    made = [Assign(t1, "mul", [x1, y1], {}, None, loc), Assign(t2, "mul", [x2, y2], {}, None, loc)]
    total = target if factor is None else new("")
    if s1 < 0 and s2 < 0:
        both = new("")
        made += [Assign(both, "add", [t1, t2], {}, None, loc),
                 Assign(total, "neg", [both], {}, None, loc)]
    elif s1 < 0:
        made.append(Assign(total, "sub", [t2, t1], {}, None, loc))
    else:
        made.append(Assign(total, "add" if s2 > 0 else "sub", [t1, t2], {}, None, loc))
    if factor is not None:
        made.append(Assign(target, "mul", [total, factor], {}, None, loc))
    return made


def _complements(terms: list, single: dict, unsafe: set, floating: set
                 ) -> list[Var] | None:
    """[a, b, 1 - a, 1 - b] (the complements as computed) where the two
    (sign, x, y) `terms` sum to `a * (1 - b) - (1 - a) * b`: the products
    either way round, with opposite signs. One of a and b must be floating
    (two bool arrays have no `-`); neither is written in place."""
    (s1, x1, y1), (s2, x2, y2) = terms
    if s1 != -s2:
        return None
    for a, first in ((x1, y1), (y1, x1)):
        b = _one_minus(first, single)
        for other, b2 in ((x2, y2), (y2, x2)):
            if b is not None and b2 is b and _one_minus(other, single) is a and \
                    (a in floating or b in floating) and a not in unsafe and b not in unsafe:
                return [a, b, other, first] if s1 > 0 else [b, a, first, other]
    return None


def _one_minus(x: Operand, single: dict) -> Var | None:
    """v where x is `1 - v` (or `1.0 - v`), v a value."""
    stmt = single.get(x) if isinstance(x, Var) else None
    if _binary(stmt, "sub") and isinstance(stmt.args[0], Const) and \
            type(stmt.args[0].value) in (int, float) and stmt.args[0].value == 1 and \
            isinstance(stmt.args[1], Var):
        return stmt.args[1]
    return None


def _difference(operands: list[Var], factor: Operand | None, target: Var, loc: Any,
                new: Callable[[str], Var]) -> list[Assign]:
    """Statements giving `target` the value `a * (1 - b) - (1 - a) * b` of
    the operands [a, b, 1 - a, 1 - b] (`complements_difference`: `a - b`
    where the complements are exact), times `factor` if there is one."""
    helper = Ref("$complements_difference", complements_difference)
    if factor is None:
        return [Assign(target, "complements_difference", list(operands), {}, helper, loc)]
    total = new("")
    return [Assign(total, "complements_difference", list(operands), {}, helper, loc),
            Assign(target, "mul", [total, factor], {}, None, loc)]


def _common_factor(terms: list, single: dict, unsafe: set, floating: set
                   ) -> tuple[list, Operand | None]:
    """`terms` (sign, a, y) as (sign, x, y) and the factor c where each a is
    `x * c` up to sign, with one c; else as they are and None. (`single`:
    the statements of values given once and never written in place; x and
    c are not `unsafe` either; a negation is seen through only of a
    `floating` value.)"""
    split = []
    for sign, a, y in terms:
        stmt = single.get(a) if isinstance(a, Var) else None
        if not _binary(stmt, "mul") or any(isinstance(x, Var) and x in unsafe
                                           for x in stmt.args):
            return terms, None
        split.append([(sign, x, y, c, *_signed(c, single, floating)) for x, c in
                      (stmt.args, stmt.args[::-1])])
    for sign1, x1, y1, c1, cs1, key1 in split[0]:
        for sign2, x2, y2, c2, cs2, key2 in split[1]:
            if key1 == key2:
                factor, fs = (c1, cs1) if cs1 > 0 or cs2 < 0 else (c2, cs2)
                return [(sign1 * cs1 * fs, x1, y1), (sign2 * cs2 * fs, x2, y2)], factor
    return terms, None


def _signed(c: Operand, single: dict, floating: set) -> tuple[int, Any]:
    """(sign, key): c is sign times the value `key` stands for, seeing
    through `-v` and a division or product by a constant (`-g / n`)."""
    stmt = single.get(c) if isinstance(c, Var) else None
    if stmt is not None and stmt.prim == "neg" and len(stmt.args) == 1 and not stmt.kwargs \
            and stmt.args[0] in floating:
        sign, key = _signed(stmt.args[0], single, floating)
        return -sign, key
    if (_binary(stmt, "truediv") or _binary(stmt, "mul")) and isinstance(stmt.args[1], Const) \
            and type(stmt.args[1].value) in (int, float):
        sign, key = _signed(stmt.args[0], single, floating)
        return sign, (stmt.prim, key, repr(stmt.args[1].value))
    return 1, c if isinstance(c, Var) else (type(c.value), repr(c.value))


def _quotients_times_divisors(stmt: Any, once: dict, known: Callable[[], dict]
                              ) -> tuple | None:
    """For `stmt` = `(q1 ± q2) * f1 * f2` (the products either way round)
    with q = `a / u` or `-(a / u)` and {u1, u2} = {f1, f2}: the statements
    that go (the quotients, their sum, the first product) and the terms:
    each one's sign, numerator and the other divisor. (`known()`: the
    block's unsafe and inexact values, asked for only once the shape
    matches.)"""
    if not _binary(stmt, "mul"):
        return None
    for k in (0, 1):
        first, f2 = _defined(stmt.args[k], once), stmt.args[1 - k]
        if first is None or not _binary(first, "mul"):
            continue
        for j in (0, 1):
            total, f1 = _defined(first.args[j], once), first.args[1 - j]
            if total is None or not (_binary(total, "add") or _binary(total, "sub")):
                continue
            terms = [_quotient(x, once) for x in total.args]
            if None in terms:
                continue
            (s1, a1, u1, q1), (s2, a2, u2, q2) = terms
            if total.prim == "sub":
                s2 = -s2
            if (u1, u2) == (f1, f2):
                g1, g2 = f2, f1
            elif (u1, u2) == (f2, f1):
                g1, g2 = f1, f2
            else:
                continue
            unsafe, inexact = known()["unsafe"], known()["inexact"]
            if any(isinstance(x, Var) and x in unsafe for x in [a1, a2, u1, u2]) or \
                    u1 not in inexact or u2 not in inexact:
                continue
            return [*q1, *q2, total, first], [(s1, a1, g1), (s2, a2, g2)]
    return None


def _quotient(x: Operand, once: dict) -> tuple | None:
    """(sign, a, u, the statements) where `x` is `a / u` or `-(a / u)`, u a
    value and each statement read once."""
    stmt = _defined(x, once)
    sign, parts = 1, []
    if stmt is not None and stmt.prim == "neg" and len(stmt.args) == 1:
        sign, parts, stmt = -1, [stmt], _defined(stmt.args[0], once)
    if stmt is None or not _binary(stmt, "truediv") or not isinstance(stmt.args[1], Var):
        return None
    return sign, stmt.args[0], stmt.args[1], [*parts, stmt]


def _defined(x: Operand, statements: dict) -> Assign | None:
    """The statement of `statements` defining x, if x is a value."""
    return statements.get(x) if isinstance(x, Var) else None


def _binary(stmt: Any, prim: str) -> bool:
    return isinstance(stmt, Assign) and stmt.prim == prim and len(stmt.args) == 2 and \
        not stmt.kwargs and not stmt.inplace
