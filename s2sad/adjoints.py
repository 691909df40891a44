"""The adjoint map of the reverse pass, and how contributions accumulate.

`Adjoints` holds, for each primal value, the adjoint accumulated so far (a
var, a `SymSeq` for a tuple kept item by item, or None for zero), and appends
the statements that compute adjoints to the block being written (`out`),
simplifying each as it goes (`cleanup.simplify`). The first contribution to
an adjoint is assigned; later ones are added. Adjoints of values from
outside a loop become loop-carried accumulators of the backward loop
(`LoopScope`).

It also decides when an adjoint array may be updated in place: only arrays
this pass allocated itself and has not handed to two adjoints (`owned`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .analysis import Facts, set_known_shape
from .builder import Builder, SymSeq
from .errors import Loc
from .ir import Assign, Const, Operand, Ref, Var, VarFactory
from .runtime import add_adjoints, add_into, add_outer, spread_number, zeros_like


@dataclass
class LoopScope:
    """Adjoints of values from outside a loop, carried through its backward loop."""

    defined: set[Var]
    outer_adj: dict
    pre: list  # statements to place before the backward loop
    carried: dict[Var, tuple[Var, Operand]] = field(default_factory=dict)
    # For the loop's own phis: the adjoint flowing back into `next` each iteration.
    phis: dict[Var, tuple[Var, Operand]] = field(default_factory=dict)


_DISPLAYS = ("make_list", "make_tuple")


class Adjoints(Builder):
    def __init__(self, facts: Facts, factory: VarFactory) -> None:
        super().__init__(facts, factory)
        self.adj: dict[Var, Any] = {}
        self.scopes: list[LoopScope] = []
        self.owned: set[Var] = set()  # adjoint arrays this pass allocated: safe to write into
        # Vars whose adjoint is held as a number standing for an array of the
        # var's (known) shape filled with it: a full sum's adjoint, and what
        # elementwise rules make of it; spread into that array where needed.
        self.spreadable: set[Var] = set()
        self.made: Var | None = None  # a contribution its rule's template just made
        # Accumulate into owned arrays in place (not under a forward-mode layer,
        # which would see the writes).
        self.in_place = False
        self.handed: dict[Var, int] = {}

    def active(self, v: Operand) -> bool:
        return self.facts.active(v)

    # ------------------------------------------------------------ adjoints

    def current(self, v: Var) -> Any:
        """The adjoint of v accumulated so far (None = zero), as an array of
        v's shape if it was held as a number (`spreadable`)."""
        if v in self.spreadable:
            self.spread(v)
        return self.current_held(v)

    def current_held(self, v: Var) -> Any:
        """The adjoint of v as held (a number, if v is `spreadable`)."""
        if v in self.adj:
            return self.adj[v]
        return self.current_outside(v)

    def spread(self, v: Var) -> None:
        """Turn v's adjoint, held as a number, into the array it stands for."""
        self.spreadable.discard(v)
        self.adj[v] = self.spread_value(v, self.adj[v])

    def spread_value(self, v: Var, number: Operand) -> Operand:
        return self.emit("spread_number", [number, Const(self.dims(v))], hint=dname(v),
                         callee=Ref("$spread_number", spread_number))

    def spread_all(self) -> None:
        """Spread every adjoint held as a number: before a branch or a loop,
        and at the end of a block, where other code reads the adjoints."""
        for v in sorted(self.spreadable & set(self.adj), key=lambda x: x.id):
            self.spread(v)
        self.spreadable.clear()

    def hold_as_number(self, v: Var, number: Operand, loc: Loc | None) -> None:
        """Add `number`, which stands for an array of v's shape filled with
        it, to v's adjoint: held as a number while v's adjoint is one."""
        if not self.active(v):
            return
        if self.scopes and v not in self.scopes[-1].defined:
            self.accumulate(v, self.spread_value(v, number), loc)
            return
        old = self.adj.get(v)
        if old is None:
            self.first_contribution(v, number)
            self.spreadable.add(v)
        elif v in self.spreadable:
            self.adj[v] = self.emit("add", [old, number], hint=dname(v), loc=loc)
        else:  # an array already: the number broadcasts into it
            self.accumulate(v, number, loc)

    def current_outside(self, v: Var) -> Any:
        """v's adjoint as carried by an enclosing backward loop, if any."""
        for scope in reversed(self.scopes):
            if v in scope.carried:
                return scope.carried[v][0]
        return None

    def accumulate(self, v: Operand, contrib: Any, loc: Loc | None) -> None:
        if not self.active(v) or contrib is None:
            return
        if isinstance(contrib, Var) and self.shape.get(contrib) in (None, contrib):
            # Rules hand back adjoints shaped like their primal: record it, so
            # later `unbroadcast`s against v's shape class fold away.
            self.shape[contrib] = self.shape.get(v)
        if self.scopes and v not in self.scopes[-1].defined:
            self.carry(v, len(self.scopes) - 1)
        if v in self.spreadable and self.dims(contrib) != self.dims(v):
            self.spread(v)
        old = self.current_held(v)
        self.spreadable.discard(v)  # (a number plus an array of v's shape: an array)
        if old is None:
            self.first_contribution(v, contrib)
        elif isinstance(old, SymSeq) and isinstance(contrib, SymSeq):
            items = [c if o is None else o if c is None else self.item_sum(v, i, o, c)
                     for i, (o, c) in enumerate(zip(old.items, contrib.items))]
            self.adj[v] = SymSeq(items)
        else:
            a, b = self.materialize(v, old), self.materialize(v, contrib)
            if v in self.facts.numeric and self.addable_in_place(a, b):
                outer = self.outer_just_made(b)
                if outer is not None:  # a rank-one update
                    total = self.emit("add_outer", [a, *outer], hint=dname(v), loc=loc,
                                      callee=Ref("$add_outer", add_outer))
                else:
                    total = self.emit("add_into", [a, b], hint=dname(v), loc=loc,
                                      callee=Ref("$add_into", add_into))
                self.summed_in_place(v, a, total)
            elif v in self.facts.numeric:
                self.adj[v] = self.emit("add", [a, b], hint=dname(v), loc=loc)
                if isinstance(self.adj[v], Var) and self.adj[v] is not a and \
                        self.adj[v] is not b:
                    self.owned.add(self.adj[v])
            else:
                self.adj[v] = self.emit("add_adjoints", [a, b], hint=dname(v), loc=loc,
                                        callee=Ref("$add_adjoints", add_adjoints))

    def item_sum(self, v: Var, i: int, a: Operand, b: Operand) -> Operand:
        """The sum of two adjoints of the sequence v's item i: `+` where that
        item is a number or an array, else `add_adjoints` (a nested list's
        row: `+` would join two lists' adjoints end to end)."""
        stmt = self.facts.places.def_stmt.get(v)
        item = stmt.args[i] if isinstance(stmt, Assign) and stmt.prim in _DISPLAYS and \
            i < len(stmt.args) else self.facts.places.item(v, i)
        if item is not None and item in self.facts.numeric and \
                item not in self.facts.containers:
            return self.emit("add", [a, b], hint=dname(v))
        return self.emit("add_adjoints", [a, b], hint=dname(v),
                         callee=Ref("$add_adjoints", add_adjoints))

    def summed_in_place(self, v: Var, a: Var, total: Operand) -> None:
        """v's adjoint is now `total`, a sum written into a's memory: of a's
        shape, and owned as a was."""
        self.shape[total] = self.shape.get(a)
        set_known_shape(self.shape, total, self.dims(a))
        self.owned.add(total)
        self.adj[v] = total

    def addable_in_place(self, a: Operand, b: Operand) -> bool:
        """May `a + b` be written into a? a is an array this pass made that
        nothing else holds, of a known shape that b's broadcasts to (whether
        the dtypes allow is seen at run time: `runtime.add_into`)."""
        if not (self.in_place and isinstance(a, Var) and a in self.owned):
            return False
        da, db = self.dims(a), self.dims(b)
        if not da or db is None:
            return False
        try:
            return tuple(np.broadcast_shapes(da, db)) == tuple(da)
        except ValueError:
            return False

    def outer_just_made(self, b: Operand) -> list | None:
        """The two vectors of `b = np.outer(x, y)` if that is the statement
        just written, by the template of the rule whose contribution b is
        (`made`: no other adjoint holds it): taken back, so the sum is one
        rank-one update."""
        stmt = self.out[-1] if self.out else None
        if not (b is self.made and isinstance(stmt, Assign) and stmt.target is b
                and stmt.prim == "np.outer"
                and len(stmt.args) == 2 and not stmt.kwargs
                and all(len(self.dims(x) or ()) == 1 for x in stmt.args)):
            return None
        self.out.pop()
        return list(stmt.args)

    def first_contribution(self, v: Var, contrib: Any) -> None:
        self.adj[v] = contrib
        if isinstance(contrib, Var):
            if not contrib.hint and dname(v):
                contrib.hint = dname(v)  # name the adjoint after its variable
            # One array handed to two adjoints (x + y gives both g) is shared:
            # neither may then update it in place.
            self.handed[contrib] = self.handed.get(contrib, 0) + 1
            if self.handed[contrib] > 1:
                self.owned.discard(contrib)

    def consume(self, v: Var) -> None:
        """v's adjoint is used up by the reverse of v's definition: an array it
        held may be handed on to one new holder and still be owned."""
        self.spreadable.discard(v)
        held = self.adj.pop(v, None)
        if isinstance(held, Var) and self.handed.get(held, 0) > 0:
            self.handed[held] -= 1

    def carry(self, v: Var, level: int) -> Var:
        """Make v's adjoint a loop-carried accumulator of the backward loop at `level`."""
        scope = self.scopes[level]
        if v in scope.carried:
            return scope.carried[v][0]
        if level > 0 and v not in self.scopes[level - 1].defined:
            self.carry(v, level - 1)
        init = scope.outer_adj.get(v)
        if init is None and level > 0:
            init = self.scopes[level - 1].carried.get(v, (None,))[0]
        if init is None:
            init = self.zero_into(v, scope.pre)
        elif isinstance(init, SymSeq):
            saved, self.out = self.out, scope.pre
            init = self.materialize(v, init)
            self.out = saved
        phi = self.factory.new(dname(v))
        self.shape[phi] = self.shape.get(v)
        set_known_shape(self.shape, phi, self.dims(v))  # (an adjoint has its primal's shape)
        if init in self.owned:
            self.owned.add(phi)  # updated only in place or by fresh sums
        scope.carried[v] = (phi, init)
        return phi

    def zero_into(self, v: Var, block: list) -> Var:
        """Append `dv = zeros_like(v)` to `block` (not the block being written)."""
        z = self.factory.new(dname(v))
        block.append(Assign(z, "zeros_like", [v], {}, Ref("$zeros_like", zeros_like)))
        self.shape[z] = self.shape.get(v)
        set_known_shape(self.shape, z, self.dims(v))
        self.owned.add(z)
        return z

    def zero(self, v: Var) -> Operand:
        z = self.emit("zeros_like", [v], hint=dname(v), callee=Ref("$zeros_like", zeros_like))
        self.owned.add(z)
        return z

    def materialize(self, v: Var, adj: Any) -> Operand:
        """A run-time value for an adjoint (turns a SymSeq into a tuple)."""
        if not isinstance(adj, SymSeq):
            return adj
        items = []
        for i, item in enumerate(adj.items):
            if item is None:
                part = self.emit("getitem", [v, Const(i)])
                item = self.emit("zeros_like", [part], callee=Ref("$zeros_like", zeros_like))
            items.append(item)
        return self.emit("make_tuple", items, hint=dname(v))


def dname(v: Any) -> str:
    """The adjoint's name for a var named `x`: `dx`."""
    if isinstance(v, Var) and v.hint:
        return "d" + v.hint
    return ""
