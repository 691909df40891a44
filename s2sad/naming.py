"""Names for the generated code: each SSA value takes its user's name (`y`,
then `y_1`, ...). Values that can share a name do, so there are no copies to
read: a loop phi with its initial and next values, a branch result with the
values its branches yield, every version of an array written in place, and an
accumulation `dx = dx + t` with the `dx` it replaces.

Those choices are made from local facts, but values sharing a name are
distinct in SSA and not in Python, so a last step checks them: it runs the
name bindings of the code to be emitted in program order (branches, loop
tops and back edges included, folded expressions read where they are
written) and, where a read would find its name holding another value, gives
the value that took the name a name of its own.
"""

from __future__ import annotations

from typing import Any

from . import primitives
from .ir import Assign, Block, Function, If, Loop, Var, blocks, defs, uses, walk, walk_nested


class Naming:
    """Chooses `names` (Var -> Python name) for one function."""

    def __init__(self, fn: Function, taken: set[str], use_count: dict[Var, int],
                 inline: dict[Var, Assign], read: frozenset[str] | set[str] = frozenset()) -> None:
        self.fn = fn
        self.taken = taken
        self.use_count = use_count
        self.inline = inline
        self.read = read  # the names the code reads from outside (globals, cells)
        self.names: dict[Var, str] = {}

    def choose(self) -> dict[Var, str]:
        for p in self.fn.params:
            # (a transform's parameter, `dout`, never hides a global `dout` the code reads;
            # the user's own cannot be one)
            self.names[p] = p.hint if p.hint not in self.read else self.fresh(p.hint)
            self.taken.add(self.names[p])
        webs = self.webs()
        for stmt in walk(self.fn.body):
            for v in defs(stmt):
                if v in self.names or v in self.inline:
                    continue
                leader = webs.get(v, v)
                if leader in self.names:
                    self.names[v] = self.names[leader]
                    continue
                name = self.fresh(leader.hint or v.hint or "t")
                self.names[leader] = name
                self.names[v] = name
        self.resolve_clashes()
        for stmt in walk(self.fn.body):  # loop counters the code reads
            if isinstance(stmt, Loop) and stmt.index is not None and \
                    stmt.index not in self.names and self.use_count.get(stmt.index, 0):
                self.names[stmt.index] = self.fresh(stmt.index.hint or "i")
        return self.names

    def fresh(self, base: str) -> str:
        base = base if base.isidentifier() else "t"
        name, n = base, 0
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        return name

    def webs(self) -> dict[Var, Var]:
        """Vars that can share another's name: {var: the var whose name it takes}."""
        web: dict[Var, Var] = {}
        for stmt in walk(self.fn.body):
            if isinstance(stmt, Loop):
                self.loop_web(stmt, web)
            elif isinstance(stmt, If):
                for out, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals):
                    for val, block in ((a, stmt.then), (b, stmt.orelse)):
                        if isinstance(val, Var) and val not in web and val not in self.inline \
                                and _defined_directly(block, val):
                            web[val] = out
        # `a[i] = v` writes in place: every version of the array has one name.
        for stmt in walk(self.fn.body):
            if isinstance(stmt, Assign) and stmt.prim in ("setitem", "setattr") and \
                    isinstance(stmt.args[0], Var):
                web[stmt.target] = stmt.args[0]
        self.accumulation_web(web)
        return {v: _root(v, web) for v in web}

    def loop_web(self, loop: Loop, web: dict) -> None:
        for phi, init, nxt in zip(loop.phis, loop.inits, loop.nexts):
            if isinstance(nxt, Var) and nxt not in web and nxt not in self.inline \
                    and _defined_directly(loop.body, nxt) \
                    and not _used_after_def(loop.body, phi, nxt) \
                    and nxt not in self.fn.params:
                web[nxt] = phi
            if isinstance(init, Var) and init not in web and init not in self.inline \
                    and self.use_count.get(init, 0) == 1 and init not in self.fn.params \
                    and (init.hint == phi.hint or not init.hint) \
                    and self.only_yielded(init, web):
                web[init] = phi

    def accumulation_web(self, web: dict) -> None:
        """`dx_1 = dx + t` where dx dies there: keep accumulating into one name.
        The same for the user's `y op= v` (`y *= c`), and along a chain of sums."""
        chained: set[Var] = set()
        for block in blocks(self.fn.body):
            for stmt in block.stmts:
                if not (isinstance(stmt, Assign) and _accumulates(stmt) and
                        stmt.target is not None and stmt.target not in web and
                        stmt.target not in self.inline):
                    continue
                a = stmt.args[0]
                if isinstance(a, Var) and a.hint and a.hint == stmt.target.hint \
                        and self.use_count.get(a, 0) == 1 and a not in self.inline \
                        and a not in self.fn.params and _defined_directly(block, a) \
                        and (a not in web or stmt.inplace or a in chained) \
                        and self.only_yielded(a, web):
                    web[stmt.target] = a
                    chained.add(stmt.target)

    def only_yielded(self, v: Var, web: dict) -> bool:
        """Can v's name be reused after v dies? Not if values sharing v's name
        (a branch's yields) are still read elsewhere, e.g. by the backward pass."""
        return all(self.use_count.get(m, 0) <= 1 for m, root in web.items() if root is v)

    def resolve_clashes(self) -> None:
        """Where a read would find its name holding another value, give the
        value that took the name one of its own (the copies at loop ends and
        branch joins then move it across)."""
        pinned = {v for stmt in walk(self.fn.body) if isinstance(stmt, Assign)
                  and stmt.prim in ("setitem", "setattr") for v in (stmt.target, stmt.args[0])}
        pinned |= set(self.fn.params)
        for _ in range(100):
            clash = _NameSimulation(self).run()
            if clash is None:
                return
            reader, holder = clash
            victim = holder if holder not in pinned else reader
            if victim in pinned:
                return  # (one array written in place: its versions are one object)
            self.names[victim] = self.fresh(victim.hint or "t")


def _accumulates(stmt: Assign) -> bool:
    """`dx + t` (or its in-place forms), or an operator the user wrote as `y op= v`."""
    return stmt.prim in _SUMS or (stmt.inplace and primitives.get(stmt.prim).form == "operator")


_SUMS = frozenset({"add", "add_into", "add_at", "add_outer"})  # (dx + ..., dx its first operand)


def _root(v: Var, web: dict) -> Var:
    seen = set()
    while v in web and v not in seen:
        seen.add(v)
        v = web[v]
    return v


class _Clash(Exception):
    def __init__(self, reader: Var, holder: Var) -> None:
        self.reader, self.holder = reader, holder


class _NameSimulation:
    """Which value each Python name holds as the emitted code runs."""

    def __init__(self, naming: Naming) -> None:
        self.n = naming
        self.setitem_root: dict[Var, Var] = {}
        for stmt in walk(naming.fn.body):
            if isinstance(stmt, Assign) and stmt.prim in ("setitem", "setattr") and \
                    isinstance(stmt.args[0], Var):
                self.setitem_root[stmt.target] = self.root(stmt.args[0])

    def root(self, v: Var) -> Var:
        while v in self.setitem_root:
            v = self.setitem_root[v]
        return v

    def run(self) -> tuple[Var, Var] | None:
        holding = {self.n.names[p]: p for p in self.n.fn.params if p in self.n.names}
        try:
            self.block(self.n.fn.body, holding)
        except _Clash as clash:
            return clash.reader, clash.holder
        return None

    def read(self, x: Any, holding: dict) -> None:
        if not isinstance(x, Var):
            return
        if x in self.n.inline:
            for a in self.n.inline[x].operands():
                self.read(a, holding)
            return
        name = self.n.names.get(x)
        if name is None or name not in holding:
            return
        held = holding[name]
        if held is not x and self.root(held) is not self.root(x):
            raise _Clash(x, held)

    def define(self, v: Var, holding: dict) -> None:
        name = self.n.names.get(v)
        if name is not None and v not in self.n.inline:
            holding[name] = v

    def copies(self, targets: list, values: list, holding: dict) -> None:
        for value in values:
            self.read(value, holding)
        for t in targets:
            self.define(t, holding)

    def block(self, block: Block, holding: dict) -> None:
        for stmt in block.stmts:
            if isinstance(stmt, Assign):
                if stmt.target is not None and stmt.target in self.n.inline:
                    continue
                for a in stmt.operands():
                    self.read(a, holding)
                if stmt.target is not None:
                    self.define(stmt.target, holding)
            elif isinstance(stmt, If):
                self.if_stmt(stmt, holding)
            elif isinstance(stmt, Loop):
                self.loop(stmt, holding)
            else:
                self.read(stmt.value, holding)

    def if_stmt(self, stmt: If, holding: dict) -> None:
        self.read(stmt.cond, holding)
        after = dict(holding)
        for branch, values in ((stmt.then, stmt.then_vals), (stmt.orelse, stmt.else_vals)):
            inner = dict(holding)
            self.block(branch, inner)
            self.copies(stmt.outs, values, inner)
            after.update({k: v for k, v in inner.items() if holding.get(k) is not v})
        holding.clear()
        holding.update(after)
        for out in stmt.outs:
            self.define(out, holding)

    def loop(self, loop: Loop, holding: dict) -> None:
        for a in loop.range_args or []:
            self.read(a, holding)
        self.copies(loop.phis, loop.inits, holding)
        # names the body assigns hold its last iteration's values at its top
        for stmt in [*walk(loop.header), *walk(loop.body)]:
            for v in defs(stmt):
                self.define(v, holding)
        for v in defs(loop):
            self.define(v, holding)
        self.block(loop.header, holding)
        self.read(loop.cond, holding)
        self.block(loop.body, holding)
        self.copies(loop.phis, loop.nexts, holding)
        self.read(loop.exit_flag, holding)


def _defined_directly(block: Block, v: Var) -> bool:
    return any(isinstance(s, Assign) and s.target is v for s in block.stmts) or any(
        v in s.outs for s in block.stmts if isinstance(s, If))


def _used_after_def(block: Block, phi: Var, nxt: Var) -> bool:
    """Is `phi` read after `nxt` is defined in `block` (which would clobber it)?"""
    after = False
    for stmt in block.stmts:
        if after:
            for s in [stmt, *walk_nested(stmt)]:
                if any(u is phi for u in uses(s)):
                    return True
        if (isinstance(stmt, Assign) and stmt.target is nxt) or (
            isinstance(stmt, If) and nxt in stmt.outs
        ):
            after = True
            if isinstance(stmt, If) and any(u is phi for s in [stmt, *walk_nested(stmt)]
                                            for u in uses(s)):
                # the branch yielding nxt may be assigned before phi's last read inside it
                return True
    return False
