"""Which primal values a loop's backward iteration recomputes, and which it
tapes.

Each region inside a loop (a loop body, or a branch inside one) gets its own
tape: the forward pass pushes a value where it is defined, and the region's
backward starts by popping everything it needs, in reverse. What the
adjoint reads is taped as a hand-written gradient would keep it: the
results of array arithmetic (popping costs less than computing again),
loop-carried values, results of nested loops and branches, values read from
arrays written in place, and anything whose identity matters (a list, a
call's saved state). Recomputed instead: what moves no array's numbers (an
item, a slice, a view, a shape, arithmetic on plain numbers), and `+`, `-`,
`*` whose operands are at hand anyway. So `x = np.sin(x) * 0.9 + 0.1 * x * x`
run 10^5 times stores one value per iteration (`0.1 * x` is computed again
from the taped x).

Arrays written in place need care: a taped *view* of such an array would
change before the backward pass reads it, so it is taped as a copy; and an
array a nested loop writes, but this loop makes anew each iteration, is taped
by reference so the nested loop's restores reach the very array of each
iteration.

Pushes are collected while the backward pass is built and woven into a copy
of the forward body at the end (`weave`).
"""

from __future__ import annotations

from typing import Any

from . import primitives
from .analysis import SCALAR, Facts, copy_known_facts, known_shape
from .ir import (
    Assign,
    Block,
    If,
    Loop,
    Operand,
    Ref,
    Var,
    VarFactory,
    clone_block,
    defs,
    reads,
    regions,
    substitute,
    walk_nested,
)
from .runtime import snapshot


class Tapes:
    """The tapes of one reverse pass: what each region pushes and pops."""

    def __init__(self, facts: Facts, factory: VarFactory, shape: dict) -> None:
        self.facts = facts
        self.places = facts.places
        self.factory = factory
        self.shape = shape
        self.news: list[Assign] = []  # `tape = []` for each tape, at the top
        self.at_entry: dict[int, list[Assign]] = {}  # id(block) -> pushes at its start
        self.after: dict[int, list[Assign]] = {}  # id(stmt) -> pushes right after it

    def restore(self, block: Block, backward: list) -> list:
        """Make the primal values `backward` reads available in each iteration:
        recompute cheap ones, tape the rest. Returns the prelude + backward."""
        places = self.places
        entry = places.entry.get(id(block), frozenset())
        loop = places.loop_of_body.get(id(block))
        local = {v for v in reads(backward)
                 if (places.def_block.get(v) is block or v in entry)
                 and (v not in self.facts.one_array or self.rebound_phi(v, loop))}
        plain_range = loop is not None and loop.range_args is not None and loop.exit_flag is None
        recreated = loop.index if plain_range else None
        local.discard(recreated)  # the backward loop recreates the counter
        plan = _Plan(self, block, entry, recreated)
        for v in sorted(local, key=lambda x: x.id):
            plan.decide(v)
        # An array written in place by a nested loop is this iteration's value
        # of a phi this loop rebinds: the backward pass must restore into the
        # very array that phi held, popped from the tape, not the last one.
        for v in reads(backward):
            origin = self.per_iteration_array(v, block, loop)
            if origin is not None and v not in plan.how and origin is not v:
                plan.decide(origin)
                plan.how[v] = "twin"
                plan.twins[v] = origin
        if not plan.how:
            return backward
        prelude, fresh = self.prelude(block, plan)
        result = prelude + backward
        for stmt in result:  # read the restored copies, not the primal values
            for s in [stmt, *walk_nested(stmt)]:
                substitute(s, fresh)
        return result

    def prelude(self, block: Block, plan: _Plan) -> tuple[list, dict]:
        """Pops and recomputations at the top of the region's backward, and the
        restored copy of each value."""
        fresh = {v: self.factory.new(v.hint) for v in plan.how if v not in plan.twins}
        for v in list(fresh):  # (a restored copy is the value: its shape, and what is known)
            copy_known_facts(self.shape, v, fresh[v])
        for v, twin in plan.twins.items():
            fresh[v] = fresh[twin]
        taped = [v for v, how in plan.how.items() if how == "tape"]
        out: list = []
        if taped:
            tape = self.factory.new("tape")
            self.news.append(Assign(tape, "tape.new", [], {}, None))
            for v in reversed(self.push(block, taped, tape)):
                out.append(Assign(fresh[v], "tape.pop", [tape], {}, None))
        for stmt in block.stmts:
            if isinstance(stmt, Assign) and plan.how.get(stmt.target) == "recompute":
                out.append(Assign(fresh[stmt.target], stmt.prim, list(stmt.args),
                                  dict(stmt.kwargs), stmt.callee, stmt.loc, stmt.inplace))
        return out, fresh

    def rebound_phi(self, v: Var, loop: Loop | None) -> bool:
        """Is v a phi of `loop` that takes a new array each iteration, though a
        later loop writes its final array in place (so it joined a buffer)?"""
        return loop is not None and v in loop.phis and v not in self.facts.persistent_phis

    def per_iteration_array(self, v: Var, block: Block, loop: Loop | None) -> Var | None:
        """If v names an array that a nested loop writes in place, but that this
        region makes anew each time it runs (a phi its loop rebinds, or an
        array made in it: a loop body, or a branch inside a loop), the name of
        that array here: the backward pass must restore into the very array of
        each iteration, popped from the tape."""
        places = self.places
        if v not in self.facts.one_array or places.depth.get(id(block), 0) == 0:
            return None  # (outside loops, each array is made once)
        same = self.facts.one_array[v]
        if loop is not None:
            phi = next((p for p in loop.phis if p in same and self.rebound_phi(p, loop)), None)
            if phi is not None:
                return phi
        # (an array made in this block: a loop body, or a branch inside a loop,
        # which makes it anew each time it runs; or the result of a nested loop
        # or branch in it, which may be a new array each time too)
        made = [m for m in same if places.def_block.get(m) is block and (
            isinstance(places.def_stmt.get(m), (Loop, If)) or isinstance(
                places.def_stmt.get(m), Assign) and places.def_stmt[m].prim != "setitem")]
        return min(made, key=lambda m: m.id) if made else None

    # ------------------------------------------------------------ pushes

    def push(self, block: Block, taped: list[Var], tape: Var) -> list[Var]:
        """Schedule pushes of `taped` in the forward `block`; returns the push order."""
        taped_set = set(taped)
        entry_vars = self.places.entry.get(id(block), frozenset())
        order = [v for v in taped if v in entry_vars]
        for v in order:
            self.at_entry.setdefault(id(block), []).extend(self.push_one(tape, v))
        for stmt in block.stmts:
            for v in defs(stmt):
                if v in taped_set and v not in entry_vars:
                    self.after.setdefault(id(stmt), []).extend(self.push_one(tape, v))
                    order.append(v)
        return order

    def push_one(self, tape: Var, v: Var) -> list[Assign]:
        """Push v; a view of an array written in place is pushed as a copy, since
        the write would change what the tape holds before the backward pass
        (which recomputes from it ahead of restoring the old contents)."""
        if not self.views_buffer(v):
            return [Assign(None, "tape.push", [tape, v], {}, None)]
        copy = self.factory.new(v.hint)
        return [Assign(copy, "snapshot", [v], {}, Ref("$snapshot", snapshot)),
                Assign(None, "tape.push", [tape, copy], {}, None)]

    def views_buffer(self, v: Operand, seen: set | None = None) -> bool:
        """Does v see into an array written in place: a view of one, or a list
        or tuple holding one (built by a loop or a branch too)?"""
        seen = set() if seen is None else seen
        if not isinstance(v, Var) or v in seen:
            return False
        seen.add(v)
        stmt = self.places.def_stmt.get(v)
        if isinstance(stmt, If) and v not in self.facts.containers and v in stmt.outs:
            # an array chosen by a branch: the buffer itself (taped by reference),
            # or a view of one (`np.ravel(a) if c else s`), which is copied
            i = stmt.outs.index(v)
            return any(isinstance(a, Var) and a not in self.facts.buffers and
                       self.views_buffer(a, seen) for a in (stmt.then_vals[i], stmt.else_vals[i]))
        if isinstance(stmt, Loop) and v not in self.facts.containers:
            return False  # an array carried is the buffer itself, taped by reference
        if isinstance(stmt, Loop) and v in stmt.phis:
            i = stmt.phis.index(v)
            parts = [stmt.inits[i], stmt.nexts[i]]
        elif isinstance(stmt, If) and v in stmt.outs:
            i = stmt.outs.index(v)
            parts = [stmt.then_vals[i], stmt.else_vals[i]]
        elif not (isinstance(stmt, Assign) and stmt.target is v and stmt.args):
            return False
        elif primitives.get(stmt.prim).view:
            parts = stmt.args[:1]
        elif primitives.get(stmt.prim).holds:
            parts = stmt.args
        else:
            return False
        return any(a in self.facts.buffers or self.views_buffer(a, seen)
                   for a in parts if isinstance(a, Var))

    def weave(self, block: Block) -> Block:
        """A copy of the forward `block` with the scheduled pushes in place."""
        out = list(self.at_entry.get(id(block), []))
        for stmt in block.stmts:
            copy = clone_block(Block([stmt])).stmts[0]
            for region, copied in zip(regions(stmt), regions(copy)):
                copied.stmts[:] = self.weave(region).stmts
            out.append(copy)
            out.extend(self.after.get(id(stmt), []))
        return Block(out)


class _Plan:
    """How each value a region's backward reads is made available there:
    "recompute", "tape", or "twin" (the same as another value: a read of the
    very slice a later write snapshots, or this iteration's array)."""

    def __init__(self, tapes: Tapes, block: Block, entry: frozenset, recreated: Any) -> None:
        self.tapes = tapes
        self.block = block
        self.entry = entry
        self.recreated = recreated
        self.how: dict[Var, str] = {}
        self.twins: dict[Var, Var] = {}

    def decide(self, v: Var) -> None:
        if v in self.how:
            return
        facts, places = self.tapes.facts, self.tapes.places
        stmt = places.def_stmt.get(v)
        twin = self.snapshot_twin(v)
        if twin is not None:  # `a[i] *= c`: the read is what the write overwrites
            self.how[v] = "twin"
            self.twins[v] = twin
            self.decide(twin)
            return
        if isinstance(stmt, Assign) and stmt in self.block.stmts and stmt.target is v \
                and v not in facts.buffers \
                and not any(a in facts.written for a in stmt.operands()) \
                and not _may_iterate_an_iterator(stmt, facts, self.tapes.shape) \
                and (_recomputable(stmt, self.tapes.shape.get(v) is SCALAR
                                   or v in facts.written)
                     or _cheap(stmt) and all(self.at_hand(a) for a in stmt.operands())):
            self.how[v] = "recompute"
            for a in stmt.operands():
                if isinstance(a, Var) and a is not self.recreated and (
                        places.def_block.get(a) is self.block or a in self.entry):
                    self.decide(a)
        else:
            self.how[v] = "tape"

    def at_hand(self, a: Operand) -> bool:
        """Is operand `a` available in the backward iteration at no cost: a
        constant, a value from outside the region, the counter, or one this
        plan restores anyway?"""
        if not isinstance(a, Var) or a is self.recreated or a in self.how:
            return True
        return self.tapes.places.def_block.get(a) is not self.block and a not in self.entry

    def snapshot_twin(self, v: Var) -> Var | None:
        """If v reads `a[index]` of a written array, and the same block later
        snapshots that very slice before writing it, with no write between,
        the snapshot (taped anyway, for the restore) holds v's values."""
        stmt = self.tapes.places.def_stmt.get(v)
        block = self.block
        if not (isinstance(stmt, Assign) and stmt.prim == "getitem" and stmt in block.stmts
                and stmt.args[0] in self.tapes.facts.buffers):
            return None
        for later in block.stmts[block.stmts.index(stmt) + 1:]:
            if isinstance(later, Assign) and later.prim == "snapshot":
                view = self.tapes.places.def_stmt.get(later.args[0])
                if isinstance(view, Assign) and view.prim == "getitem" \
                        and view.args[0] is stmt.args[0] and _same_index(view.args[1],
                                                                       stmt.args[1]):
                    return later.target
            if not isinstance(later, Assign) or primitives.get(later.prim).mutates:
                return None  # (a write between: the snapshot may not hold what v read)
        return None


def _recomputable(stmt: Assign, arithmetic: bool) -> bool:
    """Recompute what moves no array's numbers (an item, a slice, a view, a
    shape), and with `arithmetic` any cheap operation; an array computed is
    taped, as a hand-written gradient keeps it, since popping it costs less
    than computing it again. `arithmetic` is for plain numbers, and for an
    array whose memory a later statement writes in place: taped by
    reference, it would show those writes to a backward iteration that reads
    it before the nested loop's restores (fuzz seed 9800959), so it is
    computed again, fresh."""
    prim = primitives.get(stmt.prim)
    return prim.recompute and not prim.expensive and not prim.effect \
        and (arithmetic or not (prim.elementwise or prim.reduction))


def _may_iterate_an_iterator(stmt: Assign, facts: Facts, shape: Any) -> bool:
    """Does stmt iterate an operand that may be an iterator (what `reversed`,
    `iter`, `map` or a generator returned)? The forward pass consumed it:
    iterated again in the backward pass, it would be empty (`list(seq)` of
    `seq = reversed(X)`), so its result is taped. Operands known to be
    arrays, numbers or containers are iterated again as they were."""
    prim = primitives.get(stmt.prim)
    if stmt.prim != "iteration_items" and not (prim.form == "function" and prim.takes == "any"):
        return False
    return any(isinstance(a, Var) and a not in facts.containers and known_shape(shape, a) is None
               and shape.get(a) is not SCALAR for a in stmt.operands())


# arithmetic as cheap to compute again as to pop from a tape
_CHEAP = frozenset({"add", "sub", "mul", "neg", "pos"})


def _cheap(stmt: Assign) -> bool:
    prim = primitives.get(stmt.prim)
    return stmt.prim in _CHEAP and prim.recompute and not prim.effect


def _same_index(a: Operand, b: Operand) -> bool:
    if isinstance(a, Var) or isinstance(b, Var):
        return a is b
    try:
        return type(a.value) is type(b.value) and bool(a.value == b.value)
    except (TypeError, ValueError):
        return False


__all__ = ["Tapes"]
