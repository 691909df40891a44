"""The reverse pass's structural rules: adjoints of the IR's own operations.

The table names these by rule (`adjoint="items"` runs `adjoint_items`):
tuple and list displays, items, in-place writes, calls of compiled callees,
partials and the user's own adjoint rules. They are a part of `Reverse`
(`reverse.py`), kept apart so that the driver reads on its own; they use its
`current`, `accumulate`, `materialize`, `emit`, `template` and `active`.
"""

from __future__ import annotations

import inspect
from typing import Any

from . import primitives
from .adjoints import SymSeq, dname
from .errors import NoAdjointError
from .ir import Assign, Const, Operand, Ref, Var
from .prepare import site_operand
from .runtime import add_at, read_slice


class StructuralAdjoints:
    """Adjoint rules of the structural primitives (a mixin of `Reverse`)."""

    def adjoint_items(self, stmt: Assign, g: Any) -> None:
        """A tuple or list display: each item gets its part of the adjoint."""
        for i, item in enumerate(stmt.args):
            if isinstance(g, SymSeq):
                part = g.items[i] if i < len(g.items) else None
            elif self.active(item):  # (an item nothing read has a None adjoint)
                part = self.template("list_item(g, i, item)",
                                     {"g": g, "i": Const(i), "item": item}, stmt.loc,
                                     dname(item))
            else:
                part = None
            self.accumulate(item, part, stmt.loc)

    def adjoint_getitem(self, stmt: Assign, g: Any) -> None:
        """`x[i]`: for a tuple or list of known length and a constant i, the
        adjoint is kept per item; into an adjoint array this pass owns, it is
        added in place; otherwise the template builds it."""
        x, index = stmt.args
        n = self.sequence_length(x)
        if n is not None and isinstance(index, Const) and isinstance(index.value, int):
            items: list = [None] * n
            items[index.value] = g
            self.accumulate(x, SymSeq(items), stmt.loc)
        elif not self.add_in_place(stmt, g):
            self.adjoint_templates(primitives.get("getitem"), stmt, g)
            self.own_scattered(x)

    def own_scattered(self, x: Operand) -> None:
        """x's adjoint, if it is the zeros-with-g array the template just
        made (its first contribution): owned, so later reads of x add into it
        (`add_at` widens its dtype where a complex g needs it)."""
        adj = self.adj.get(x) if isinstance(x, Var) else None
        last = self.out[-1] if self.out else None
        if self.in_place and x in self.facts.numeric and isinstance(adj, Var) and \
                isinstance(last, Assign) and last.target is adj and \
                last.prim in ("index_adjoint", "getitem_adjoint") and \
                self.handed.get(adj, 0) == 1:
            self.owned.add(adj)

    def sequence_length(self, v: Operand) -> int | None:
        if v not in self.facts.containers:
            return None
        stmt = self.facts.places.def_stmt.get(v)
        if isinstance(stmt, Assign):
            return primitives.get(stmt.prim).result_count(len(stmt.args))
        return None

    def add_in_place(self, stmt: Assign, g: Any) -> bool:
        """x[index]'s adjoint into an adjoint array we own: added in place
        (`dx = add_at(dx, index, g)`, the same array unless g's dtype is
        wider) instead of building a zero array per read. Not under a
        forward-mode layer, which would see the write (as `add_into`)."""
        x, index = stmt.args
        if not self.in_place or not self.active(x) or x not in self.facts.numeric:
            return False
        if self.scopes and x not in self.scopes[-1].defined:
            self.carry(x, len(self.scopes) - 1)
        current = self.current(x)
        if not isinstance(current, Var) or current not in self.owned:
            return False
        total = self.emit("add_at", [current, index, self.materialize(stmt.target, g)],
                          hint=dname(x), callee=Ref("$add_at", add_at), loc=stmt.loc)
        self.summed_in_place(x, current, total)
        return True

    def adjoint_setitem(self, stmt: Assign, g: Any) -> None:
        """Reverse `a2 = setitem(a1, index, v, old)`, in place: read the adjoint
        of the written slice (for v), zero it (for a1), put the old slice back."""
        array, index, value, old = stmt.args
        a2 = stmt.target
        if g is not None:
            self.consume(a2)
            g = self.materialize(a2, g)
            if self.active(value):
                part = self.emit("read_slice", [g, index, a2, value], hint=dname(value),
                                 callee=Ref("$read_slice", read_slice), loc=stmt.loc)
                part = self.template("unbroadcast(part, value)", {"part": part, "value": value},
                                     stmt.loc, dname(value))
                self.accumulate(value, part, stmt.loc)
            if self.active(array):
                if g not in self.owned:
                    g = self.emit("own", [g], callee=Ref("$own", primitives.resolve_name("own")),
                                  hint=dname(array), loc=stmt.loc)
                    self.owned.add(g)
                self.out.append(Assign(None, "zero_slice", [g, index], {}, None, stmt.loc))
                self.accumulate(array, g, stmt.loc)
        self.out.append(Assign(None, "setitem_restore", [a2, index, old], {}, None, stmt.loc))

    def adjoint_call(self, stmt: Assign, g: Any) -> None:
        """`pair = call_forward(h, active, *args)`: the callee's own backward half,
        whose results are the adjoints of the call's `active` arguments."""
        g_value = g.items[0] if isinstance(g, SymSeq) else self.emit("getitem", [g, Const(0)])
        if g_value is None:
            return
        saved = self.facts.places.item(stmt.target, 1)  # (`saved = pair[1]`, from prepare)
        grads = self.emit("call_backward", [saved, g_value], callee=Ref("$call_backward"),
                          loc=stmt.loc, hint="grads")
        for k, site in enumerate(stmt.args[1].value):
            arg = site_operand(stmt, site, 2)
            part = self.emit("getitem", [grads, Const(k)], hint=dname(arg))
            self.accumulate(arg, part, stmt.loc)

    def adjoint_partial(self, stmt: Assign, g: Any) -> None:
        """`p = functools.partial(func, *args, **keywords)`: what each took."""
        operands = [*stmt.args, *stmt.kwargs.values()]
        if not any(self.active(a) for a in operands):
            return
        parts = self.emit("partial_adjoints", [self.materialize(stmt.target, g), stmt.target],
                          callee=Ref("$partial_adjoints",
                                     primitives.resolve_name("partial_adjoints")),
                          loc=stmt.loc, hint="dpartial")
        for k, operand in enumerate(operands):
            if self.active(operand):
                self.accumulate(operand, self.emit("getitem", [parts, Const(k)],
                                                   hint=dname(operand)), stmt.loc)

    def adjoint_custom(self, stmt: Assign, g: Any) -> None:
        """A function with the user's adjoint rule: call it, `rule(g, ans,
        *args, **kwargs)`, for the adjoints of the positional arguments."""
        fn, rule, _ = primitives.USER_RULED[stmt.prim]
        for key, value in stmt.kwargs.items():
            if self.active(value):
                raise NoAdjointError(
                    f"the adjoint rule of {getattr(fn, '__name__', fn)!r} gives adjoints of "
                    f"positional arguments, and {key}= is passed by keyword", stmt.loc,
                    f"pass {key} positionally")
        name = "$" + (getattr(rule, "__name__", "") or "rule").strip("<>")
        filled = self.emit("filled_adjoint", [self.materialize(stmt.target, g), stmt.target],
                           callee=Ref("$filled_adjoint", primitives.resolve_name(
                               "filled_adjoint")), loc=stmt.loc)  # (no None for the rule)
        raw = self.emit("call", [Ref(name, rule), filled, stmt.target, *stmt.args],
                        kwargs=stmt.kwargs, loc=stmt.loc)
        grads = self.emit("custom_adjoints", [raw, Const(len(stmt.args)),
                                              Const(_positional_count(fn)), *stmt.args],
                          loc=stmt.loc,
                          callee=Ref("$custom_adjoints", primitives.resolve_name(
                              "custom_adjoints")), hint="grads")
        for k, arg in enumerate(stmt.args):
            if self.active(arg):
                self.accumulate(arg, self.emit("getitem", [grads, Const(k)], hint=dname(arg)),
                                stmt.loc)


def _positional_count(fn: Any) -> int:
    """How many positional parameters `fn` has (its adjoint rule returns one
    adjoint each); 0 where its signature cannot be read."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 0
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)
