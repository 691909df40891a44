"""What a `for` loop goes through, by position: a range's bounds, or a
sequence's length and how to bind the target at step k (sequences,
`enumerate`, `zip`, dict views, `reversed` and `iter` of a value, each item
read as the loop reaches it). The loop itself is `control.py`'s.
"""

from __future__ import annotations

import inspect
import itertools
import types
from collections.abc import Callable
from typing import Any

import gast

from ..ir import Const, Operand, Ref, Var
from ..runtime import iteration_items
from .base import LowererBase
from .scans import ZIP_CHECK, is_zero, name_node, named_object


class Iteration(LowererBase):
    """The positions a for loop goes through (`iteration`)."""

    def iteration(self, node: gast.For) -> tuple:
        """How a for loop iterates: (start, stop, step, bind) where bind(index,
        target) assigns the loop target from the counter, or None for a range."""
        it = node.iter
        if isinstance(it, gast.Call) and not it.keywords and \
                self.resolve_callee_object(it.func) is range:
            args = [self.expr(a) for a in it.args]
            if len(args) == 1:
                return Const(0), args[0], Const(1), None
            if len(args) == 2:
                return args[0], args[1], Const(1), None
            return args[0], args[1], args[2], None
        stop, bind = self.sequence(it)
        return Const(0), stop, Const(1), bind

    def sequence(self, it: Any) -> tuple[Operand, Callable]:
        """(length, bind(index, target)) for iterating `it` by position:
        enumerate and zip nest; anything else is indexed (a generator or dict
        view is first made a list)."""
        fn = self.resolve_callee_object(it.func) if isinstance(it, gast.Call) else None
        if fn in (reversed, iter) and len(it.args) == 1 and not it.keywords and \
                not isinstance(it.args[0], gast.Starred):
            return self.positions(it.args[0], backwards=fn is reversed)
        if fn is enumerate and 1 <= len(it.args) <= 2 and \
                [k.arg for k in it.keywords] in ([], ["start"]) and \
                len(it.args) + len(it.keywords) <= 2:
            return self.enumerate_sequence(it)
        if fn is zip and it.args and not it.keywords and \
                not any(isinstance(a, gast.Starred) for a in it.args):
            return self.zip_sequence(it)  # (zip(*rows): a call like any, its items a list)
        if isinstance(it, gast.Call) and isinstance(it.func, gast.Attribute) and \
                it.func.attr in ("items", "values", "keys") and not it.args and \
                not it.keywords and not self.user_method(it.func.value):
            return self.dict_view(self.expr(it.func.value), it.func.attr)
        endless = self.library_callee(it.func) if isinstance(it, gast.Call) else None
        if endless in (itertools.count, itertools.cycle) or \
                endless is itertools.repeat and len(it.args) + len(it.keywords) == 1:
            raise self.error(f"an endless iterator ({endless.__name__}) in a loop: s2sad makes the "
                             "list of what a loop goes through before the loop runs", it,
                             "iterate over a range of the length you need, with the count "
                             "computed from it (start + k * step)")
        seq = self.expr(it, hint="seq")
        if not isinstance(it, gast.Name) and not (isinstance(seq, Var) and
                                                  seq in self.instances):
            # (a generator, a dict view...: materialized; an object: its own methods)
            return self.by_position(self.emit("list", [seq], callee=Ref("$list", list),
                                              hint="seq"))
        hint = f"{it.id}_items" if isinstance(it, gast.Name) else "items"
        return self.by_position(self.items_of(seq, hint))

    def items_of(self, seq: Operand, hint: str) -> Operand:
        """What `for v in seq` goes through by position: a list or array this
        function made itself, or `iteration_items` (a dict's keys, what an
        iterator or generator gives, an argument as it is)."""
        made = self.producers.get(seq) if isinstance(seq, Var) else None
        for cls in self.instances.get(seq, ()) if isinstance(seq, Var) else ():
            protocol = [m for m in ("__iter__", "__getitem__", "__len__") if isinstance(
                inspect.getattr_static(cls, m, None), types.FunctionType)]
            if protocol and protocol != ["__getitem__", "__len__"]:  # (by position: its own)
                raise self.error(
                    f"going through an object of your class {cls.__name__} (its "
                    f"{protocol[0]}) is not supported: s2sad would not follow its "
                    "derivative back into the object", self.node,
                    "loop over what the object holds (for v in obj.items), give the class "
                    "__getitem__ and __len__ (and no __iter__), or have a method return its "
                    "items as a list (for v in obj.values())")
        copied = made is not None and made.prim == ".copy"  # (of a dict too: `d.copy()`)
        if self.owns(seq) and not self.is_dict_display(seq) and not copied:
            return seq
        return self.emit("iteration_items", [seq], hint=hint,
                         callee=Ref("$iteration_items", iteration_items))

    def strict_zip_loop(self, node: gast.For) -> list | None:
        """`for a, b in zip(xs, ys, strict=s): body` as Python runs it: the
        iterables bound once, the loop over zip of them, and their lengths
        checked where the loop ran out (its `else`, before the user's): a
        loop that breaks or returns first checks nothing. None for any other
        loop."""
        it = node.iter
        if not (isinstance(it, gast.Call) and [k.arg for k in it.keywords] == ["strict"] and
                it.args and not any(isinstance(a, gast.Starred) for a in it.args) and
                self.resolve_callee_object(it.func) is zip):
            return None
        names = [self.fresh_name("zipped") for _ in it.args]

        bound = [gast.copy_location(gast.Assign(targets=[name_node(n, True)], value=a,
                                                type_comment=None), node)
                 for n, a in zip(names, it.args)]
        check = gast.copy_location(gast.Expr(value=gast.Call(
            func=name_node(ZIP_CHECK), args=[it.keywords[0].value, *map(name_node, names)],
            keywords=[])), node)
        loop = gast.copy_location(gast.For(
            target=node.target, iter=gast.Call(func=it.func, args=list(map(name_node, names)),
                                               keywords=[]),
            body=node.body, orelse=[check, *node.orelse], type_comment=None), node)
        return [*bound, loop]

    def positions(self, node: Any, backwards: bool) -> tuple[Operand, Callable]:
        """`for v in iter(x)` as `for v in x`, and `for v in reversed(x)`
        reading x[n - 1 - k] at step k: each item read from x as the loop
        reaches it, as Python's iterators read it (a write into x inside
        the loop is then seen, or refused, as in `for v in x`)."""
        return self.by_position(self.items_of(self.expr(node, hint="seq"), "items"), backwards)

    def by_position(self, seq: Operand, backwards: bool = False) -> tuple[Operand, Callable]:
        """(length, bind(index, target)) for going through `seq` by position:
        seq[k] at step k, or seq[n - 1 - k] `backwards`."""
        stop = self.emit("len", [seq], callee=Ref("$len", len), hint="n")
        last = self.emit("sub", [stop, Const(1)]) if backwards else None

        def bind_item(index: Var, target: Any) -> None:
            at = self.emit("sub", [last, index]) if last is not None else index
            hint = target.id if isinstance(target, gast.Name) else ""
            if self.indexes_itself(seq):  # (an object of the user's class: its __getitem__)
                method = self.emit("getattr", [seq, Const("__getitem__")])
                self.assign(target, self.emit("call", [method, at], hint=hint))
                return
            self.assign(target, self.emit("getitem", [seq, at], hint=hint))

        return stop, bind_item

    def library_callee(self, func: Any) -> Any:
        """The object `itertools.count` (a free name, or attributes of one) names,
        without baking it in; None for anything else."""
        return named_object(func, lambda name: None if name in self.env else
                            self.lookup_free(name))

    def enumerate_sequence(self, it: gast.Call) -> tuple[Operand, Callable]:
        stop, inner = self.sequence(it.args[0])
        given = it.args[1:] + [k.value for k in it.keywords]  # (start, or start=)
        start = self.expr(given[0]) if given else Const(0)

        def bind_enumerate(index: Var, target: Any) -> None:
            self.bind_parts(target, [
                lambda count: self.assign(count, index if is_zero(start) else
                                          self.emit("add", [index, start], hint="count")),
                lambda item: inner(index, item)])

        return stop, bind_enumerate

    def zip_sequence(self, it: gast.Call) -> tuple[Operand, Callable]:
        parts = [self.sequence(a) for a in it.args]
        stops = [p[0] for p in parts]
        stop = stops[0] if len(stops) == 1 else \
            self.emit("min", stops, callee=Ref("$min", min), hint="n")

        def bind_zip(index: Var, target: Any) -> None:
            self.bind_parts(target, [lambda sub, bind=inner: bind(index, sub)
                                     for _, inner in parts])

        return stop, bind_zip

    def dict_view(self, d: Operand, view: str) -> tuple[Operand, Callable]:
        """`for k, v in d.items()` (or .keys(), .values()) by position in its keys."""
        keys = self.emit("iteration_items", [d], hint="keys",
                         callee=Ref("$iteration_items", iteration_items))
        stop = self.emit("len", [keys], callee=Ref("$len", len), hint="n")

        def bind_view(index: Var, target: Any) -> None:
            key = self.emit("getitem", [keys, index], hint="key")
            if view == "keys":
                self.assign(target, key)
            elif view == "values":
                self.assign(target, self.emit("getitem", [d, key], hint="value"))
            else:
                self.bind_parts(target, [
                    lambda name: self.assign(name, key),
                    lambda value: self.assign(value, self.emit("getitem", [d, key],
                                                               hint="value"))])

        return stop, bind_view

    def bind_parts(self, target: Any, binders: list[Callable[[Any], None]]) -> None:
        """Bind a loop's target to the parts of what zip, enumerate or
        .items() gives (each binder binds one part to a target): names
        `a, b` part by part, or one name `pair` to the tuple of them."""
        n = len(binders)
        if isinstance(target, (gast.Tuple, gast.List)) and len(target.elts) == n:
            for sub, bind in zip(target.elts, binders):
                bind(sub)
            return
        if not isinstance(target, gast.Name):
            raise self.error(f"unpack the loop target into {n} names here", target,
                             f"write `for ({', '.join(f'v{k}' for k in range(n))}) in ...`")
        parts = []
        for bind in binders:
            name = self.fresh_name("part")
            bind(gast.Name(id=name, ctx=gast.Store(), annotation=None, type_comment=None))
            parts.append(self.env.pop(name))
        self.assign(target, self.emit("make_tuple", parts, hint=target.id))
