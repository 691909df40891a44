"""Reverse mode: a driver over the table of primitives.

`reverse(fn, facts, factory)` takes a prepared function (`prepare.py`) and its
facts (`analysis.py`) and returns a new function `df(*params, seed)` that runs
the forward pass (the original body, with tape pushes where loops need them)
and then the backward pass, returning `(value, gradients)`.

Statements are visited backwards. Each primitive's adjoint comes from its
record in the table: its templates (`vjp`), lowered into IR with the
operands bound, or a structural rule for the IR's own operations
(`reverse_rules.py`: `adjoint_items`, `adjoint_getitem`, `adjoint_setitem`,
`adjoint_call`, ...). An `If` is reversed by branching on the same condition; a
`Loop` by a loop over the same range backwards (or its trip count), whose
iterations get the values they need from `tape.py`. Adjoints of values from
outside a loop become loop-carried accumulators (`adjoints.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from . import primitives
from .adjoints import Adjoints, LoopScope, SymSeq, dname
from .analysis import Facts, known_shape, set_known_shape
from .builder import bound_arguments
from .cancel import cancel_divisions
from .cleanup import (
    add_at_index,
    eliminate_dead_code,
    join_tiled_slices,
    keep_writes_unseen,
    reductions_as_methods,
    share_common_values,
    triangular_solves,
)
from .ir import (
    Assign,
    Block,
    Const,
    Function,
    If,
    Loop,
    Operand,
    Ref,
    Return,
    Var,
    VarFactory,
    defs,
    reads,
    regions,
    substitute,
    walk,
)
from .prepare import no_rule_error
from .reverse_rules import StructuralAdjoints
from .runtime import aux_value, numpy_number, require_scalar, seed_of, snapshot
from .tape import Tapes


@dataclass(frozen=True)
class Reversed:
    """A reversed function, and what `split` needs to cut it into halves: the
    primal value, the gradients, the seed, the statement that starts the
    backward pass and the one that pairs (value, gradients) at the end."""

    function: Function
    value: Operand
    grads: Operand
    seed: Var
    backward_start: Assign
    pair: Assign


def reverse(fn: Function, facts: Facts, factory: VarFactory, wrt: tuple[int, ...],
            check_scalar: bool = True, aux: bool = False, in_place: bool = False) -> Reversed:
    """With `aux`, the function returns (value, auxiliary data) and only the
    value is differentiated. With `in_place`, adjoints of known shapes are
    accumulated into the arrays that hold them (`runtime.add_into`), for code
    no forward-mode layer transforms again."""
    rev = Reverse(facts, factory)
    rev.in_place = in_place
    return rev.run(fn, wrt, check_scalar, aux)


class Reverse(Adjoints, StructuralAdjoints):
    def __init__(self, facts: Facts, factory: VarFactory) -> None:
        super().__init__(facts, factory)
        self.tapes = Tapes(facts, factory, self.shape)

    # ------------------------------------------------------------ the function

    def run(self, fn: Function, wrt: tuple[int, ...], check_scalar: bool,
            aux: bool) -> Reversed:
        *body, ret = fn.body.stmts
        value = ret.value
        seed = self.factory.new(self.seed_name(fn, value, aux))
        start = Assign(None, "marker", [Const("backward pass")])
        backward = [start]
        typed = seed  # (grad's: the kind of number the output is, `seed_of`)
        if check_scalar:
            checked = value
            if aux:
                checked = self.factory.new("out")
                backward.append(Assign(checked, "aux_value", [value], {},
                                       Ref("$aux_value", aux_value), ret.loc))
            backward.append(Assign(None, "require_scalar", [checked], {},
                                   Ref("$require_scalar", require_scalar), ret.loc))
            if self.active(value):
                typed = self.factory.new(seed.hint)
                backward.append(Assign(typed, "seed_of", [seed, checked], {},
                                       Ref("$seed_of", seed_of), ret.loc))
        if self.active(value):
            self.adj[value] = SymSeq([typed, None]) if aux else typed
            for s in (seed, typed):
                self.shape[s] = self.shape.get(value) if not aux else None
                if not aux:  # (a seed has its value's shape: vjp checks a cotangent's)
                    set_known_shape(self.shape, s, known_shape(self.shape, value))
        backward += self.reverse_block(Block(body))
        self.out = backward
        grads = []
        for i in wrt:
            p = fn.params[i]
            adj = self.current(p)
            grads.append(self.materialize(p, adj) if adj is not None else self.zero(p))
        result = grads[0] if len(grads) == 1 and check_scalar else \
            self.emit("make_tuple", grads)
        pair = Assign(self.factory.new(), "make_tuple", [value, result])
        self.out.append(pair)
        forward = [Assign(None, "marker", [Const("forward pass")]), *self.tapes.news,
                   *self.tapes.weave(Block(body)).stmts]
        triangular_solves(forward, self.triangle)
        if isinstance(value, Var) and any(isinstance(s, Assign) and s.prim == "setitem_restore"
                                          for s in walk(Block(backward))):
            # the backward pass restores arrays written in place: the value
            # (and aux data) returned is a copy taken before, not those arrays
            kept = self.factory.new(value.hint or "out")
            forward.append(Assign(kept, "snapshot", [value], {}, Ref("$snapshot", snapshot)))
            pair.args[0] = value = kept
        out = Block([*forward, *backward, Return(pair.target, ret.loc)])
        primal = {s.target for s in walk(Block(forward)) if isinstance(s, Assign)}
        shared = share_common_values(out, start=len(forward))  # (the backward pass's)
        value, result = (shared.get(v, v) if isinstance(v, Var) else v for v in (value, result))
        eliminate_dead_code(out)
        keep_writes_unseen(out)
        reductions_as_methods(out, self.dims)
        # (grad's seed is the float 1.0; vjp's, the caller's cotangent, may be an int)
        cancel_divisions(out, self.factory.new, {seed} if check_scalar else set(), primal)
        if self.in_place:  # (no forward layer follows: `joined_slices` has no tangent)
            join_tiled_slices(out, self.dims, lambda v: self.shape.get(("index value", v)),
                              self.factory.new)
            add_at_index(out)
            eliminate_dead_code(out)  # (the slices the joined pieces no longer read)
        # (the seed follows the user's parameters, keyword-only: an extra
        # positional argument is an error, as in the user's function, never a seed)
        kwonly = fn.kwonly + 1
        dfn = Function("d" + fn.name, [*fn.params, seed], out,
                       {**fn.defaults, seed.hint: Const(1.0)}, fn.loc, kwonly, fn.posonly,
                       fn.vararg, fn.varkw)
        return Reversed(dfn, value, result, seed, start, pair)

    def seed_name(self, fn: Function, value: Operand, aux: bool) -> str:
        """`dout` for `return out`, unless that would shadow a parameter; with
        **kwargs, `__dout`, so that a keyword the caller gives reaches them."""
        names = {p.hint for p in fn.params}
        hint = dname(value) if not aux else ""
        name = hint if hint and hint[1:] not in names and hint not in names else "dout"
        if fn.varkw is not None:
            name = "__" + name
        while name in names:
            name += "_"
        return name

    def reverse_block(self, block: Block) -> list:
        """The backward statements of `block` (its values restored if in a loop)."""
        saved, self.out = self.out, []
        for stmt in reversed(block.stmts):
            if isinstance(stmt, Assign):
                self.reverse_assign(stmt)
            elif isinstance(stmt, If):
                self.spread_all()
                self.reverse_if(stmt)
            elif isinstance(stmt, Loop):
                self.spread_all()
                self.reverse_loop(stmt)
        self.spread_all()
        out, self.out = self.out, saved
        if self.facts.places.depth.get(id(block), 0) > 0:
            out = self.tapes.restore(block, out)
        return out

    # ------------------------------------------------------------ one statement

    def reverse_assign(self, stmt: Assign) -> None:
        stmt = self.as_one_function(stmt)
        prim = primitives.get(stmt.prim)
        v = stmt.target
        held = v in self.spreadable and self.takes_a_number(prim, stmt)
        g = (self.current_held(v) if held else self.current(v)) \
            if v is not None and self.active(v) else None
        if prim.undone:  # an in-place write: undone whether a derivative reached it or not
            self.structural(prim, stmt, g)
            return
        if g is None:
            return
        self.consume(v)
        if prim.adjoint is not None:
            self.structural(prim, stmt, g)
        elif self.fills_with_a_number(prim, stmt, g):
            x = stmt.args[0]
            share = g if prim.name in ("np.sum", ".sum") else \
                self.emit("truediv", [g, Const(math.prod(self.dims(x)))], hint=dname(x))
            self.hold_as_number(x, self.numpy_number(share, x), stmt.loc)
        else:
            self.adjoint_templates(prim, stmt, g, held)

    # An adjoint held as a number (`spreadable`) goes through the rules of
    # elementwise operations of operands that are numbers or of its shape:
    # each operand's adjoint is then a number, or an array of that shape.

    def numpy_number(self, share: Operand, x: Var) -> Operand:
        """The number a full sum's adjoint is held as, as the NumPy number the
        array it stands for holds (`runtime.numpy_number`): NumPy 2 computes
        a Python float times a float16 array in float16."""
        number = self.emit("numpy_number", [share], hint=dname(x),
                           callee=Ref("$numpy_number", numpy_number))
        set_known_shape(self.shape, number, ())
        return number

    def fills_with_a_number(self, prim: primitives.Primitive, stmt: Assign, g: Any) -> bool:
        """Is stmt a full sum or mean of an array of known shape, whose adjoint,
        g (a number) filling an array of that shape, is held as a number?"""
        # (not of an empty array: its mean would divide a number by 0; the helper takes it)
        dims = self.dims(stmt.args[0]) if len(stmt.args) == 1 else None
        return prim.name in ("np.sum", ".sum", "np.mean", ".mean") and \
            len(stmt.args) == 1 and not stmt.kwargs and isinstance(stmt.args[0], Var) and \
            bool(dims) and 0 not in dims and isinstance(g, Var) and self.dims(g) == ()

    def takes_a_number(self, prim: primitives.Primitive, stmt: Assign) -> bool:
        """May stmt's rules take its adjoint as the number it is held as?
        Elementwise, no keywords, operands that are numbers or of the
        result's shape, the active ones of the result's shape (the adjoint of
        a number would need the sum over the array)."""
        dims = self.dims(stmt.target)
        if not (prim.elementwise and prim.returns == "array" and prim.adjoint is None
                and not stmt.kwargs and dims):
            return False
        for a in stmt.args:
            if isinstance(a, Const):
                if type(a.value) not in (int, float):
                    return False
                continue
            da = self.dims(a)
            if da != dims and (da != () or self.active(a)):
                return False
        return True

    def structural(self, prim: primitives.Primitive, stmt: Assign, g: Any) -> None:
        getattr(self, "adjoint_" + prim.adjoint)(stmt, g)

    def adjoint_templates(self, prim: primitives.Primitive, stmt: Assign, g: Any,
                          held: bool = False) -> None:
        """The adjoint of each active operand from the primitive's templates
        (`held`: g is a number standing for an array of the result's shape,
        `takes_a_number`)."""
        if not prim.differentiable or (not prim.vjp and not prim.zero and
                                       prim.form in ("internal", "helper")):
            raise no_rule_error(stmt)
        bound, bindings = bound_arguments(prim, stmt, prim.vjp, self.active, self.emit,
                                          "gradient")
        self.lists_as_arrays(prim, bound, bindings, prim.vjp, stmt.loc)
        bindings["g"], bindings["ans"] = self.materialize(stmt.target, g), stmt.target
        for name, value in bound.items():
            values = value if isinstance(value, list) else [value]
            if name in prim.zero or not any(self.active(x) for x in values):
                continue
            one = values[0] if len(values) == 1 and isinstance(values[0], Var) else None
            self.fills = self.dims(stmt.target) if held else None
            before = len(self.out)
            contrib = self.template(prim.vjp[name], bindings, stmt.loc, dname(one))
            self.fills = None
            # (a value this template made: no other adjoint holds it)
            self.made = contrib if any(isinstance(s, Assign) and s.target is contrib
                                       for s in self.out[before:]) else None
            if held and isinstance(value, Var):
                if self.dims(contrib) == ():
                    self.hold_as_number(value, contrib, stmt.loc)
                elif self.dims(contrib) == self.dims(value):
                    self.accumulate(value, contrib, stmt.loc)
                else:  # (a helper's result of unknown shape: a number or the array)
                    self.accumulate(value, self.spread_value(value, contrib), stmt.loc)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    part = self.emit("getitem", [contrib, Const(i)], hint=dname(item))
                    self.accumulate(item, part, stmt.loc)
            else:
                self.accumulate(value, contrib, stmt.loc)
            self.made = None

    # ------------------------------------------------------------ branches

    def reverse_if(self, stmt: If) -> None:
        active_outs = [(o, t, e) for o, t, e in zip(stmt.outs, stmt.then_vals, stmt.else_vals)
                       if self.active(o) and self.current(o) is not None]
        if not active_outs and not self.touches_active(stmt) and not self.writes_buffers(stmt):
            return
        base = dict(self.adj)
        sides = []
        for block, idx in ((stmt.then, 1), (stmt.orelse, 2)):
            self.adj = {k: a for k, a in base.items()
                        if k not in {triple[0] for triple in active_outs}}
            saved_out, self.out = self.out, []
            for triple in active_outs:
                self.accumulate(triple[idx], base[triple[0]], stmt.loc)
            pre, self.out = self.out, saved_out
            sides.append((pre + self.reverse_block(block), self.adj))
        merged = {k: a for k, a in base.items() if k not in {t[0] for t in active_outs}}
        self.adj = merged
        self.out.append(self.merge_sides(stmt, sides, merged))

    def merge_sides(self, stmt: If, sides: list, merged: dict) -> If:
        """The backward If: each side's adjoints that differ become its results."""
        (then_b, then_adj), (else_b, else_adj) = sides
        new = If(stmt.cond, Block(then_b), Block(else_b), loc=stmt.loc)
        for v in sorted(set(then_adj) | set(else_adj), key=lambda x: x.id):
            a, b = then_adj.get(v), else_adj.get(v)
            if a is b:
                if a is not None:
                    merged[v] = a
                continue
            if self.defined_inside(v, stmt):
                continue  # adjoint of a value local to one branch: finished there
            out = self.factory.new(dname(v))
            self.shape[out] = self.shape.get(v)
            new.outs.append(out)
            new.then_vals.append(self.merge_value(v, a, then_b))
            new.else_vals.append(self.merge_value(v, b, else_b))
            merged[v] = out
        return new

    def merge_value(self, v: Var, adj: Any, block: list) -> Operand:
        saved, self.out = self.out, block
        if adj is None:
            adj = self.current_outside(v)
        if adj is None:
            adj = self.zero(v)
        adj = self.materialize(v, adj)
        self.out = saved
        return adj

    def defined_inside(self, v: Var, stmt: If | Loop) -> bool:
        inner = {id(s) for region in regions(stmt) for s in walk(region)}
        d = self.facts.places.def_stmt.get(v)
        return d is not None and id(d) in inner

    def touches_active(self, stmt: If | Loop) -> bool:
        return any(self.active(v) for region in regions(stmt) for s in walk(region)
                   for v in defs(s))

    def writes_buffers(self, stmt: If | Loop) -> bool:
        return any(isinstance(s, Assign) and s.prim == "setitem"
                   for region in regions(stmt) for s in walk(region))

    # ------------------------------------------------------------ loops

    def reverse_loop(self, loop: Loop) -> None:
        active_phis = [p for p in loop.phis if self.active(p)]
        if not active_phis and not self.touches_active(loop) and not self.writes_buffers(loop):
            return
        inside = {v for region in regions(loop) for s in walk(region) for v in defs(s)}
        scope = LoopScope(inside | set(defs(loop)), dict(self.adj), [])
        for phi in active_phis:  # adjoints flowing into the loop's results seed the carries
            self.carry_phi(scope, phi)
        self.scopes.append(scope)
        saved_adj, self.adj = self.adj, {}
        pre_body, self.out = self.out, []
        for phi in active_phis:
            self.accumulate(self.next_of(phi), scope.phis[phi][0], loop.loc)
        body = self.out + self.reverse_block(loop.body)
        # Each carried adjoint passes on to the previous iteration: for a phi,
        # its adjoint at the top of this iteration; for an outer value, the sum.
        nexts = [(v, bphi, init) for v, (bphi, init) in
                 [*scope.phis.items(), *scope.carried.items()]]
        final = {v: self.current(v) for v, _, _ in nexts}
        self.scopes.pop()
        self.adj, self.out = saved_adj, pre_body
        self.out.extend(scope.pre)
        bloop = self.backward_loop(loop, scope, nexts, final, body)
        self.out.append(bloop)
        for v, bphi, _ in nexts:
            if v not in scope.phis:
                self.adj[v] = bphi
        self.flow_out_of_loop(loop, scope)

    def backward_loop(self, loop: Loop, scope: LoopScope, nexts: list, final: dict,
                      body: list) -> Loop:
        """The loop that runs `body` once per forward iteration, backwards,
        carrying the adjoints in `nexts`."""
        bloop = Loop([], [], Block(), None, Block(body), [], loc=loop.loc)
        zeros: list = []  # zeros shaped like a phi's value in the iteration (restored)
        for v, bphi, init in nexts:
            bloop.phis.append(bphi)
            bloop.inits.append(init)
            value = final[v]
            saved, self.out = self.out, bloop.body.stmts
            if isinstance(value, SymSeq):
                value = self.materialize(v, value)
            elif value is None:
                self.out = zeros
                value = self.no_adjoint(v, bphi, scope)
            self.out = saved
            bloop.nexts.append(value)
        if any(v in reads(zeros) for v in loop.phis):
            zeros = self.tapes.restore(loop.body, zeros)
        bloop.body.stmts.extend(zeros)
        if loop.range_args is not None and loop.exit_flag is None:
            bloop.index = self.factory.new(loop.index.hint or "k")
            bloop.range_args = list(loop.range_args)
            bloop.reverse = True
            for stmt in walk(bloop.body):
                substitute(stmt, {loop.index: bloop.index})
        else:
            bloop.index = self.factory.new("_")
            bloop.range_args = [Const(0), loop.trips, Const(1)]
        return bloop

    def no_adjoint(self, v: Var, bphi: Var, scope: LoopScope) -> Operand:
        """The adjoint of phi `v` at the top of an iteration none reached: zero,
        shaped like the carry if every iteration keeps v's shape; else shaped
        like v's value at the top of this iteration (`w = v; v = v[1:]`: the
        carry has the shape of the iteration's end), which the tape keeps."""
        if v not in scope.phis:
            return bphi
        nxt = self.next_of(v)
        keeps = isinstance(nxt, Var) and self.shape.get(nxt) is self.shape.get(v)
        like = bphi if keeps or v in self.facts.buffers else v
        return self.emit("zeros_like", [like], hint=bphi.hint,
                         callee=Ref("$zeros_like", primitives.resolve_name("zeros_like")))

    def flow_out_of_loop(self, loop: Loop, scope: LoopScope) -> None:
        """The backward loop's phis are the carried adjoints before the loop:
        they flow into the loop's initial values."""
        for i, p in enumerate(loop.phis):
            if p not in scope.phis:
                continue
            self.adj.pop(p, None)
            carried = scope.phis[p][0]
            init = loop.inits[i]
            if self.active(init) and not self.same_shape(carried, init) and \
                    init not in self.facts.containers:
                # the value may have grown by broadcasting inside the loop
                carried = self.template("unbroadcast(g, x)", {"g": carried, "x": init},
                                        loop.loc, dname(init))
            self.accumulate(init, carried, loop.loc)

    def carry_phi(self, scope: LoopScope, phi: Var) -> None:
        init = self.adj.get(phi)
        if init is None:
            init = self.zero_into(phi, scope.pre)
        elif isinstance(init, SymSeq):
            saved, self.out = self.out, scope.pre
            init = self.materialize(phi, init)
            self.out = saved
        bphi = self.factory.new(dname(phi))
        # the carried adjoint is the next value's: shaped like the phi only if
        # every iteration keeps the phi's shape
        nxt = self.next_of(phi)
        keeps = isinstance(nxt, Var) and self.shape.get(nxt) is self.shape.get(phi)
        self.shape[bphi] = self.shape.get(phi) if keeps else bphi
        set_known_shape(self.shape, bphi, self.dims(phi) if keeps else None)
        if phi in self.facts.buffers:  # written into in place each iteration: needs its own copy
            if init not in self.owned:
                owned = self.factory.new(dname(phi))
                scope.pre.append(Assign(owned, "own", [init], {},
                                        Ref("$own", primitives.resolve_name("own"))))
                init = owned
            self.owned.add(bphi)
        scope.phis[phi] = (bphi, init)

    def next_of(self, phi: Var) -> Any:
        loop = self.facts.places.def_stmt.get(phi)
        return loop.nexts[loop.phis.index(phi)] if isinstance(loop, Loop) else None
