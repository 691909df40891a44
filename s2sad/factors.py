"""Scalar factors of the backward pass, applied once at its end.

A loss averaged over its data (`np.mean(...)`, `np.sum(...) / len(y)`)
hands the backward pass a number: `dloss = dout / n`. Each rule then
multiplies an array by it (`(1 - y) * dloss / (1 - p)`, `y * -dloss / p`),
and the adjoints that follow carry it to the gradients. The backward pass
is linear in its adjoints, so the number can wait: computing
`(1 - y) / (1 - p) - y / p` and the rest without it, and multiplying the
gradient, of the weights' size, by `dloss` once at the end, saves a pass
over the data for each place the number entered.

The pass walks the backward pass's top-level statements in order and keeps,
for values it has not computed, their *factored form* `value = sign * K * w`:
K a number (named by a canonical key, `dout / n` and `-dout / n` share one),
w an array it did compute. A product `x * K` of an array and a number
starts a factored value (nothing is computed); a division `v / b`, a
product `v * b` or `b * v`, `v @ b`, `-v`, `unbroadcast(v, x)` and a sum or
difference of two values factored by the same K keep it (the operation
applies to w). Any other reader gets the value itself, computed just before
it (`w * K`). Only where the shapes are known; only operations that do not
grow the array; only if the arrays the numbers are no longer multiplied
into hold more numbers than those multiplied at the end.

Two rules keep NumPy's types: w starts as the user's array x itself, which
may be of integers or bools (`y * dloss` of labels), so the first operation
on it must be a division, whose result is floating (`x + x` of bools would
be `or`); and the value computed at the end is a fresh array, as the
product it stands for was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import prod
from typing import Any

from .ir import Assign, Block, Const, Operand, Var, reads

# operations linear in one operand (the first of a division and of unbroadcast)
_LINEAR_IN_ONE = frozenset({"mul", "truediv", "matmul", "unbroadcast"})


@dataclass
class Factored:
    """value = sign * K * w, with K the number of key `key`."""

    key: Any
    sign: int
    w: Operand
    alias: bool  # (w is the user's array itself: only a division may read it)


class _Hoist:
    """One walk over the backward pass's statements: the statements it
    writes (`out`), the values it holds in factored form, and how many
    numbers the multiplications it left out (`saved`) and added (`spent`)
    would have computed."""

    def __init__(self, dims: Callable[[Operand], tuple | None],
                 definition: Callable[[Var], Assign | None], new: Callable[[str], Var]):
        self.dims, self.definition, self.new = dims, definition, new
        self.factored: dict[Var, Factored] = {}
        self.numbers: dict[Any, tuple[Operand, int]] = {}  # key -> (a number, its sign)
        self.out: list = []
        self.saved = self.spent = 0

    def key(self, s: Operand) -> tuple[Any, int]:
        """(key, sign) of the number s: s = sign * (the number of that key)."""
        if isinstance(s, Const):
            return ("const", s.value), 1
        stmt = self.definition(s)
        if stmt is not None and stmt.prim == "neg":
            key, sign = self.key(stmt.args[0])
            return key, -sign
        if stmt is not None and stmt.prim in ("truediv", "mul") and len(stmt.args) == 2 and \
                isinstance(stmt.args[1], Const):
            key, sign = self.key(stmt.args[0])
            return (stmt.prim, key, stmt.args[1].value), sign
        return s, 1

    def is_number(self, s: Operand) -> bool:
        if isinstance(s, Const):
            return type(s.value) in (int, float)
        return self.dims(s) == ()

    def size(self, v: Operand) -> int | None:
        dims = self.dims(v)
        return prod(dims) if dims is not None else None

    def run(self, stmts: list) -> list:
        for stmt in stmts:
            if not (isinstance(stmt, Assign) and stmt.target is not None and
                    not stmt.kwargs and self.factor(stmt)):
                for v in sorted(reads([stmt]) & set(self.factored), key=lambda v: v.id):
                    self.materialize(v)
                self.out.append(stmt)
        return self.out

    def factor(self, stmt: Assign) -> bool:
        """Record stmt's value in factored form (emitting what that takes);
        False where it must be computed as it is."""
        p, args, t = stmt.prim, stmt.args, stmt.target
        held = [a for a in args if isinstance(a, Var) and a in self.factored]
        size = self.size(t)
        if size is None:
            return False
        if not held:  # x * K of an array and a number: a factored value, nothing computed
            if p != "mul" or len(args) != 2:
                return False
            for x, s in (args, args[::-1]):
                if self.is_number(s) and self.dims(x) and not isinstance(x, Const):
                    key, sign = self.key(s)
                    self.numbers.setdefault(key, (s, sign))
                    self.factored[t] = Factored(key, sign, x, alias=True)
                    self.saved += size
                    return True
            return False
        if any(size > (self.size(v) or 0) for v in held):
            return False  # (the array grows: its multiplication would cost more)
        if p == "neg" and len(args) == 1:
            f = self.factored[args[0]]
            self.factored[t] = Factored(f.key, -f.sign, f.w, f.alias)
            self.saved += size
            return True
        if p in ("add", "sub") and len(held) == 2 and len(args) == 2:
            a, b = (self.factored[v] for v in args)
            if a.key != b.key or a.alias or b.alias:
                return False
            same = (a.sign == b.sign) == (p == "add")
            w = self.emit("add" if same else "sub", [a.w, b.w], t.hint, stmt)
            self.factored[t] = Factored(a.key, a.sign, w, False)
            return True
        if p not in _LINEAR_IN_ONE or len(held) != 1 or len(args) != 2:
            return False
        k = args.index(held[0])
        f = self.factored[held[0]]
        if (p == "truediv" and k != 0) or (p == "unbroadcast" and k != 0) or \
                (f.alias and p != "truediv"):
            return False
        w = self.emit(p, [f.w if i == k else a for i, a in enumerate(args)], t.hint, stmt)
        self.factored[t] = Factored(f.key, f.sign, w, False)
        return True

    def emit(self, prim: str, args: list, hint: str, like: Assign) -> Var:
        v = self.new(hint)
        self.out.append(Assign(v, prim, args, {}, like.callee, like.loc))
        return v

    def materialize(self, v: Var) -> None:
        """v itself, computed from its factored form (v keeps its name)."""
        f = self.factored.pop(v)
        number, sign = self.numbers[f.key]
        if sign * f.sign < 0:
            negated = self.new("scale")
            self.out.append(Assign(negated, "neg", [number]))
            number = negated
        self.out.append(Assign(v, "mul", [f.w, number]))
        self.spent += self.size(v) or 0


def hoist_scalar_factors(block: Block, dims: Callable[[Operand], tuple | None],
                         definition: Callable[[Var], Assign | None],
                         new: Callable[[str], Var]) -> bool:
    """Rewrite the statements after the block's last `marker('backward pass')`
    (see the module's docstring), in place, where it saves work. Returns
    whether it did."""
    stmts = block.stmts
    start = max((i for i, s in enumerate(stmts) if isinstance(s, Assign) and
                 s.prim == "marker" and s.args == [Const("backward pass")]), default=None)
    if start is None:
        return False
    hoist = _Hoist(dims, definition, new)
    rewritten = hoist.run(stmts[start + 1:])
    if hoist.saved <= hoist.spent:
        return False
    stmts[start + 1:] = rewritten
    return True
