"""Builtins that take a function: `map`, `filter`, `functools.reduce`, and
`sorted`, `min`, `max` with `key=`.

Each is lowered into the loop it stands for, so the function it is given is
called like any other call: a lambda or local function is inlined at the
call, a function value goes to the dispatcher. `map` and `filter` make lists
(they are consumed whole: `list(...)`, `sum(...)`, a for loop); `sorted` and
`min`/`max` compute the keys, pick the order or the extreme item with a
helper that carries no derivative (the order is piecewise constant), and
read the items in that order, which the derivative flows through.

    sorted(xs, key=f)   ->  items = list(xs); keys = [f(v) for v in items]
                            [items[i] for i in key_order(keys, reverse)]
    max(xs, key=f)      ->  items[key_extreme(keys, True)]
    reduce(f, xs, a)    ->  acc = a; for v in xs: acc = f(acc, v)
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
import math
from typing import Any

import gast

from ..ir import Const, Operand, Ref, Var
from ..runtime import (
    as_dict,
    check_zip_lengths,
    dict_set,
    dict_union,
    enumerate_items,
    first_found,
    first_item,
    first_item_or,
    iteration_items,
    key_extreme,
    key_order,
    replace_fields,
    reversed_items,
    zip_items,
    zip_star,
)
from .base import LowererBase
from .scans import name_node as _name


def _call(func: Any, args: list) -> gast.Call:
    return gast.Call(func=func, args=args, keywords=[])


class Functional(LowererBase):
    """map, filter, reduce, sorted/min/max with key=, lowered to loops."""

    def functional_call(self, node: gast.Call, hint: str) -> Operand | None:
        """The lowered call if `node` calls one of these builtins, else None."""
        func = node.func
        root = func
        while isinstance(root, gast.Attribute):
            root = root.value
        if not isinstance(root, gast.Name) or \
                root.id in self.env and not isinstance(self.env[root.id], Ref):
            return None  # (a local value; a local import's name is a Ref, as a global's)
        ref = self.expr(func)
        if not isinstance(ref, Ref):
            return None
        obj = ref.value
        starred = any(isinstance(a, gast.Starred) for a in node.args) or \
            any(k.arg is None for k in node.keywords)
        keys = {k.arg: k.value for k in node.keywords}
        handler = None
        if obj is builtins.map and node.args[1:] and not keys:
            handler = self.lower_map
        elif obj is builtins.filter and len(node.args) == 2 and not keys:
            handler = self.lower_filter
        elif obj is functools.reduce and 2 <= len(node.args) <= 3 and not keys:
            handler = self.lower_reduce
        elif obj is math.prod and len(node.args) == 1 and set(keys) <= {"start"}:
            handler = self.lower_product
        elif obj is builtins.sorted and len(node.args) == 1 and set(keys) <= {"key", "reverse"}:
            handler = self.lower_sorted
        elif obj in (builtins.min, builtins.max) and node.args and set(keys) == {"key"}:
            handler = self.lower_extreme
        elif obj is builtins.dict and len(node.args) <= 1 \
                and not any(isinstance(a, gast.Starred) for a in node.args) and \
                (all(k.arg is not None for k in node.keywords) or len(node.keywords) == 1):
            # (dict(p, **q): q's items after p's; with names or two **, Python
            # raises for a key given twice, which a union would not)
            starred, handler = False, self.lower_dict
        elif obj is builtins.zip and set(keys) <= {"strict"}:
            handler = self.lower_zip
        elif obj is builtins.enumerate and 1 <= len(node.args) + len(keys) <= 2 and \
                node.args and set(keys) <= {"start"}:
            handler = self.lower_enumerate
        elif obj is dataclasses.replace and len(node.args) == 1:
            handler = self.lower_replace
        elif obj is builtins.next and 1 <= len(node.args) <= 2 and not keys and \
                self.made_here(node.args[0]):
            handler = self.lower_next
        elif obj in (builtins.reversed, builtins.iter) and len(node.args) == 1 and not keys:
            handler = self.lower_iteration  # (consumed once: a second use is refused)
        if obj is builtins.zip and len(node.args) == 1 and not keys and \
                isinstance(node.args[0], gast.Starred):
            starred, handler = False, self.lower_transpose  # zip(*rows)
        if handler is None or starred:
            return None
        self.bake_path(ref.name)
        self.set_loc(self.node)
        return handler(node, hint, obj)

    def lower_dict(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        """dict(mapping, key=value, **more) (dict(pairs): the pairs made a dict
        first), the parts joined in order."""
        parts = []
        if node.args:
            parts.append(self.as_a_dict(self.passed(node.args[0])))
        named = [k for k in node.keywords if k.arg is not None]
        if named:
            keys = tuple(k.arg for k in named)
            parts.append(self.emit("make_dict", [Const(keys), *(self.passed(k.value)
                                                               for k in named)]))
        parts += [self.as_a_dict(self.passed(k.value)) for k in node.keywords if k.arg is None]
        if not parts:  # (dict(): an empty display)
            return self.emit("make_dict", [Const(())], hint=hint)
        if len(parts) == 1 and not node.args:
            return parts[0]
        return self.emit("dict_union", parts, hint=hint, callee=Ref("$dict_union", dict_union))

    def as_a_dict(self, value: Operand) -> Operand:
        """A dict holding `value`'s items (a dict this function made: itself)."""
        return value if self.is_dict_display(value) else \
            self.emit("as_dict", [value], callee=Ref("$as_dict", as_dict))

    def is_dict_display(self, value: Operand) -> bool:
        """Is `value` a dict this function made (a display, `dict(...)`, `a | b`,
        one written into, a loop's or a branch's of those)?"""
        stmt = self.producers.get(value)
        return value in self.dicts or stmt is not None and stmt.prim in (
            "make_dict", "dict_union", "as_dict", "merge_dicts", "dict_set")

    def lower_zip(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        """zip(...) as the list of its tuples (with strict=, the lengths checked
        first, as Python's check would find them)."""
        iterables = [self.passed(a) for a in node.args]
        if node.keywords:
            lengths = [self.emit("len", [i], callee=Ref("$len", len)) for i in iterables]
            self.zip_check(node.keywords[0].value, lengths)
        return self.emit("zip_items", iterables, hint=hint or "pairs",
                         callee=Ref("$zip_items", zip_items))

    def zip_check(self, strict: Any, lengths: list) -> None:
        self.emit("check_zip_lengths", [self.expr(strict), *lengths], target=False,
                  callee=Ref("$check_zip_lengths", check_zip_lengths))

    def lower_transpose(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        return self.emit("zip_star", [self.passed(node.args[0].value)], hint=hint or "columns",
                         callee=Ref("$zip_star", zip_star))

    def lower_enumerate(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        given = [*node.args, *(k.value for k in node.keywords)]  # (start= by keyword)
        return self.emit("enumerate_items", [self.passed(a) for a in given],
                         hint=hint or "pairs", callee=Ref("$enumerate_items", enumerate_items))

    def lower_iteration(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        """`reversed(x)`, `iter(x)`: what going through them gives, as a
        sequence (`generators.py` refuses going through one twice)."""
        helper = reversed_items if obj is builtins.reversed else iteration_items
        return self.emit(helper.__name__, [self.passed(node.args[0])], hint=hint or "items",
                         callee=Ref("$" + helper.__name__, helper))

    def made_here(self, value: Any) -> bool:
        """Is `value` an iterator made where it is passed (a generator expression,
        iter(...), map(...), a generator function's call, ...), so that next()
        of it is its first item? (Of one bound to a name, next() depends on
        what consumed it before: not lowered.)"""
        return self.iterated_lazily(value) is not None

    def lower_next(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        """`next(it)`, `next(it, default)` of an iterator made in the call: the
        first of what going through it gives. Of a generator expression with
        one `for`, a loop that stops at the first item, as Python's does (the
        items after it are never computed: they may fail, or have derivatives
        that are nan); of the others, the first of all their items."""
        made = node.args[0]
        if isinstance(made, gast.GeneratorExp) and len(made.generators) == 1:
            return self.first_match(made, node, hint)
        of_iter = self.builtin_iterator(made) and made.func.id == "iter" and len(made.args) == 1
        items = self.emit("iteration_items", [self.passed(made.args[0] if of_iter else made)],
                          hint="items", callee=Ref("$iteration_items", iteration_items))
        if len(node.args) == 1:
            return self.emit("first_item", [items], hint=hint, callee=Ref("$first_item",
                                                                          first_item))
        return self.emit("first_item_or", [items, self.passed(node.args[1])], hint=hint,
                         callee=Ref("$first_item_or", first_item_or))

    def first_match(self, made: gast.GeneratorExp, node: gast.Call, hint: str) -> Operand:
        """next((elt for v in seq if cond), default) as the loop Python runs:

            found, value = False, default
            for v in seq:
                if cond:
                    value, found = elt, True
                    break

        then `value`, or StopIteration where nothing was found and no default given."""
        comp = made.generators[0]
        given = len(node.args) == 2
        value = self.temp("next", self.passed(node.args[1]) if given else Const(None))
        found = self.temp("found", Const(False))
        body: list = [gast.Assign(targets=[_name(value, True)], value=made.elt, type_comment=None),
                      gast.Assign(targets=[_name(found, True)],
                                  value=gast.Constant(value=True, kind=None), type_comment=None),
                      gast.Break()]
        if comp.ifs:
            test = comp.ifs[0] if len(comp.ifs) == 1 else gast.BoolOp(op=gast.And(),
                                                                      values=list(comp.ifs))
            body = [gast.If(test=test, body=body, orelse=[])]
        loop = gast.For(target=comp.target, iter=comp.iter, body=body, orelse=[],
                        type_comment=None)
        for sub in gast.walk(loop):
            gast.copy_location(sub, node)
        bound = {n.id for n in gast.walk(comp.target) if isinstance(n, gast.Name)}
        outer = {name: self.env[name] for name in bound if name in self.env}
        self.stmt(loop)
        for name in bound:  # (the comprehension's variables stay its own)
            self.env.pop(name, None)
        self.env.update(outer)
        if given:
            return self.value_of(self.env[value])
        return self.emit("first_found", [self.env[found], self.value_of(self.env[value])],
                         hint=hint, callee=Ref("$first_found", first_found))

    def lower_replace(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        return self.replaced(self.passed(node.args[0]), node.keywords, hint)

    def replaced(self, target: Operand, keywords: list, hint: str) -> Operand:
        """A copy of a dataclass or namedtuple with some fields changed."""
        keys = tuple(k.arg for k in keywords)
        return self.emit("replace_fields", [target, Const(keys),
                                            *(self.passed(k.value) for k in keywords)],
                         hint=hint, callee=Ref("$replace_fields", replace_fields))

    def temp(self, kind: str, value: Any) -> str:
        """Bind `value` (an operand or a local function) to a fresh internal name."""
        name = self.fresh_name(kind)
        self.env[name] = value
        return name

    def function_temp(self, node: Any) -> str:
        """The function argument, evaluated once (a lambda stays one, to inline)."""
        return self.temp("fn", self.expr(node))

    def comprehension(self, elt: Any, target: Any, iterable: Any, ifs: list, hint: str,
                      at: Any) -> Operand:
        comp = gast.ListComp(elt=elt, generators=[gast.comprehension(
            target=target, iter=iterable, ifs=ifs, is_async=0)])
        gast.copy_location(comp, at)
        return self.expr_ListComp(comp, hint)

    def dict_view_list(self, node: gast.Call, view: str, hint: str) -> Operand:
        """`d.values()` (or .keys(), .items()) met as a value: the list a for
        loop over it would go through (`sum(d.values())`)."""
        self.comprehensions += 1
        key, value = f"<key{self.comprehensions}>", f"<value{self.comprehensions}>"
        if view == "items":
            target = gast.Tuple(elts=[_name(key, True), _name(value, True)], ctx=gast.Store())
            elt = gast.Tuple(elts=[_name(key), _name(value)], ctx=gast.Load())
        else:
            target, elt = _name(key, True), _name(key)
        listed = self.comprehension(elt, target, node, [], hint or view, node)
        receiver = node.func.value
        if isinstance(receiver, gast.Name) and self.is_dict_display(self.env.get(receiver.id)):
            self.dict_views[listed] = self.dict_root(self.env[receiver.id])
        return listed

    def dict_target(self, target: gast.Subscript) -> bool:
        """Is `target` an item of a dict this function made (`d[key] = v`)?"""
        return isinstance(target.value, gast.Name) and \
            self.is_dict_display(self.env.get(target.value.id))

    def dict_write(self, target: gast.Subscript, value: Operand, key: Operand) -> None:
        """`d[key] = value` on a dict made here: the dict's next version, which
        the name takes (`dict_set`; the aliasing checks refuse another name
        for the old one read later, as for an object's attribute)."""
        name = target.value.id
        old = self.env[name]
        root = self.dict_root(old)
        held = [n for n, v in self.env.items() if isinstance(v, Var) and
                self.dict_views.get(v) is root and n.isidentifier()]
        if held:  # (Python's view shows the write; s2sad's list of what it held would not)
            raise self.error(
                f"{held[0]} is a view of {name} ({name}.values(), .keys() or .items()), "
                f"which would show this write: s2sad's view does not", target,
                f"take the view after the writes, or a copy of it: {held[0]} = "
                f"list({name}.values())")
        new = self.emit("dict_set", [old, key, value], hint=name, inplace=True,
                        callee=Ref("$dict_set", dict_set))
        self.dict_versions[new] = old
        self.env[name] = new

    def dict_root(self, d: Var) -> Var:
        """The first version of the dict `d` is a version of (its display)."""
        while d in self.dict_versions:
            d = self.dict_versions[d]
        return d

    def lower_map(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        fn = self.function_temp(node.args[0])
        iterables = node.args[1:]
        items = [f"<item{self.comprehensions}_{k}>" for k in range(len(iterables))]
        if len(iterables) == 1:
            target, iterable = _name(items[0], True), iterables[0]
        else:
            target = gast.Tuple(elts=[_name(n, True) for n in items], ctx=gast.Store())
            iterable = _call(_name("zip"), list(iterables))
        elt = _call(_name(fn), [_name(n) for n in items])
        return self.comprehension(elt, target, iterable, [], hint or "mapped", node)

    def lower_filter(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        test_node = node.args[0]
        item = f"<item{self.comprehensions + 1}>"
        if isinstance(test_node, gast.Constant) and test_node.value is None:
            cond: Any = _name(item)
        else:
            cond = _call(_name(self.function_temp(test_node)), [_name(item)])
        return self.comprehension(_name(item), _name(item, True), node.args[1], [cond],
                                  hint or "kept", node)

    def lower_product(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        """math.prod(items, start=1): `start * items[0] * items[1] ...` in a
        loop, as Python multiplies (its derivatives are those of `*`)."""
        self.comprehensions += 1
        acc, item = self.temp("product", None), f"<item{self.comprehensions}>"
        start = [k.value for k in node.keywords if k.arg == "start"]
        self.env[acc] = self.passed(start[0]) if start else Const(1)
        step = gast.BinOp(left=_name(acc), op=gast.Mult(), right=_name(item))
        return self.fold(node, acc, item, node.args[0], step)

    def lower_reduce(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        fn = self.function_temp(node.args[0])
        items = self.temp("items", self.emit("list", [self.passed(node.args[1])],
                                              callee=Ref("$list", list), hint="items"))
        acc = self.temp("acc", None)
        item = f"<item{self.comprehensions}>"
        if len(node.args) == 3:
            self.env[acc] = self.passed(node.args[2])
            iterable: Any = _name(items)
        else:
            self.env[acc] = self.emit("getitem", [self.env[items], Const(0)], hint=hint)
            iterable = gast.Subscript(value=_name(items), slice=gast.Slice(
                lower=gast.Constant(value=1, kind=None), upper=None, step=None), ctx=gast.Load())
        return self.fold(node, acc, item, iterable, _call(_name(fn), [_name(acc), _name(item)]))

    def fold(self, node: gast.Call, acc: str, item: str, iterable: Any, step: Any) -> Operand:
        """`for item in iterable: acc = step`, lowered at `node`'s place (the
        user's own expressions keep theirs); acc's value after the loop."""
        loop = gast.For(target=_name(item, True), iter=iterable, body=[gast.Assign(
            targets=[_name(acc, True)], value=step, type_comment=None)], orelse=[],
            type_comment=None)
        for sub in gast.walk(loop):
            if getattr(sub, "lineno", None) is None:
                gast.copy_location(sub, node)
        self.stmt(loop)
        return self.value_of(self.env[acc])

    def keyed(self, node: gast.Call, items_value: Operand, key: Any) -> tuple[str, Operand]:
        """(the items' name, their keys): the key function on each item, or the
        items themselves."""
        items = self.temp("items", items_value)
        if key is None or (isinstance(key, gast.Constant) and key.value is None):
            return items, self.env[items]
        fn = self.function_temp(key)
        item = f"<item{self.comprehensions}>"
        keys = self.comprehension(_call(_name(fn), [_name(item)]), _name(item, True),
                                  _name(items), [], "keys", node)
        return items, keys

    def lower_sorted(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        keys_given = {k.arg: k.value for k in node.keywords}
        listed = self.emit("list", [self.passed(node.args[0])], callee=Ref("$list", list),
                           hint="items")
        items, keys = self.keyed(node, listed, keys_given.get("key"))
        reverse = self.expr(keys_given["reverse"]) if "reverse" in keys_given else Const(False)
        order = self.temp("order", self.emit("key_order", [keys, reverse], hint="order",
                                              callee=Ref("$key_order", key_order)))
        index = f"<item{self.comprehensions}>"
        elt = gast.Subscript(value=_name(items), slice=_name(index), ctx=gast.Load())
        return self.comprehension(elt, _name(index, True), _name(order), [], hint or "ordered",
                                  node)

    def lower_extreme(self, node: gast.Call, hint: str, obj: Any) -> Operand:
        key = node.keywords[0].value
        if len(node.args) == 1:
            listed = self.emit("list", [self.passed(node.args[0])], callee=Ref("$list", list),
                               hint="items")
        else:
            listed = self.emit("make_list", [self.passed(a) for a in node.args], hint="items")
        items, keys = self.keyed(node, listed, key)
        largest = Const(obj is builtins.max)
        index = self.emit("key_extreme", [keys, largest], hint="best",
                          callee=Ref("$key_extreme", key_extreme))
        return self.emit("getitem", [self.env[items], index], hint=hint)


__all__ = ["Functional"]
