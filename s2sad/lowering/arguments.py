"""Lowering a call's arguments: each lowered as a value (a local function as
a closure), and `*seq` / `**mapping` either passed one by one, where their
items are known here, or packed for the dispatcher to unpack."""

from __future__ import annotations

from typing import Any

import gast

from ..ir import Const, Operand, Ref, Var
from ..runtime import merge_dicts
from .base import LowererBase


class Arguments(LowererBase):
    """A call's arguments."""

    def call_args(self, node: gast.Call) -> tuple[list, dict]:
        """A call's arguments. With `*seq` or `**mapping` among them, they are
        packed: all positional ones into one tuple, keyword `"*"`, all keyword
        ones into one dict, keyword `"**"` (generated code passes them as
        `f(*args, **kwargs)`; the dispatcher unpacks them)."""
        if any(isinstance(a, gast.Starred) for a in node.args) or \
                any(k.arg is None for k in node.keywords):
            if not self.unpacks_known_items(node):
                return [], self.packed_arguments(node)
        args: list = []
        for a in node.args:
            args += self.known_items(a.value) if isinstance(a, gast.Starred) else [self.passed(a)]
        kwargs: dict = {}
        for k in node.keywords:
            if k.arg is None:
                kwargs.update(self.known_entries(k.value))
            else:
                kwargs[k.arg] = self.passed(k.value)
        return args, kwargs

    def unpacks_known_items(self, node: gast.Call) -> bool:
        """Are the call's `*seq` and `**mapping` a tuple, list or dict whose
        items are known here (`*(0, 1)`, `*args` of a tuple display, `**kw` of
        `kw = {"n": 5}`), with no keyword given twice? Then the call passes
        them one by one, as a call written out (a NumPy function's `axis`
        read from `*args` is its axis, not a value that may vary)."""
        names = [k.arg for k in node.keywords if k.arg is not None]
        for a in node.args:
            if isinstance(a, gast.Starred) and self.known_items(a.value, peek=True) is None:
                return False
        for k in node.keywords:
            if k.arg is None:
                keys = self.known_entries(k.value, peek=True)
                if keys is None:
                    return False
                names += list(keys)
        return len(names) == len(set(names))

    def known_items(self, value: Any, peek: bool = False) -> list | None:
        """The items of a display or of a name bound to a tuple or list made
        here; None if unknown (with `peek`, nothing is lowered)."""
        if isinstance(value, (gast.Tuple, gast.List)) and \
                not any(isinstance(e, gast.Starred) for e in value.elts):
            return list(value.elts) if peek else [self.passed(e) for e in value.elts]
        if not isinstance(value, gast.Name) or value.id not in self.env:
            return None
        bound = self.env[value.id]
        if isinstance(bound, Const) and type(bound.value) in (tuple, list):
            return [Const(item) for item in bound.value]
        stmt = self.producers.get(bound) if isinstance(bound, Var) else None
        if stmt is not None and stmt.prim in ("make_tuple", "make_list"):
            return list(stmt.args)
        return None

    def known_entries(self, value: Any, peek: bool = False) -> dict | None:
        """The entries of a dict display with string keys, or of a name bound
        to a dict made here; None if unknown."""
        if isinstance(value, gast.Dict) and all(
                isinstance(k, gast.Constant) and isinstance(k.value, str) for k in value.keys):
            return {k.value: (v if peek else self.passed(v))
                    for k, v in zip(value.keys, value.values)}
        if not isinstance(value, gast.Name) or value.id not in self.env:
            return None
        bound = self.env[value.id]
        stmt = self.producers.get(bound) if isinstance(bound, Var) else None
        if stmt is not None and stmt.prim == "make_dict" and \
                all(isinstance(k, str) for k in stmt.args[0].value):
            return dict(zip(stmt.args[0].value, stmt.args[1:]))
        return None

    def packed_arguments(self, node: gast.Call) -> dict:
        packed = {}
        if node.args:
            packed["*"] = self.joined_items(node.args, "make_tuple", "args")
        dicts, names, values = [], [], []
        for k in node.keywords:
            if k.arg is None:
                if names:
                    dicts.append(self.emit("make_dict", [Const(tuple(names)), *values]))
                    names, values = [], []
                dicts.append(self.passed(k.value))
            else:
                names.append(k.arg)
                values.append(self.passed(k.value))
        if names:
            dicts.append(self.emit("make_dict", [Const(tuple(names)), *values]))
        if dicts:
            packed["**"] = self.emit("merge_dicts", dicts, hint="kwargs",
                                     callee=Ref("$merge_dicts", merge_dicts))
        return packed

    def joined_items(self, elts: list, display: str, hint: str = "") -> Operand:
        """A tuple or list display with starred items: the runs of plain items
        and each starred iterable (as a tuple or list), joined."""
        convert = tuple if display == "make_tuple" else list
        parts, run = [], []
        for e in elts:
            if isinstance(e, gast.Starred):
                if run:
                    parts.append(self.emit(display, run))
                    run = []
                parts.append(self.emit(convert.__name__, [self.passed(e.value)],
                                       callee=Ref("$" + convert.__name__, convert)))
            else:
                run.append(self.passed(e))
        if run or not parts:
            parts.append(self.emit(display, run))
        joined = parts[0]
        for part in parts[1:]:
            joined = self.emit("seq_concat", [joined, part], hint=hint)
        return joined

    def passed(self, node: Any) -> Operand:
        """An argument of a call: a value (a local function as a closure)."""
        return self.value_of(self.expr(node), node)


def _packed(kwargs: dict) -> bool:
    """Are these a packed call's arguments (`f(*args, **kwargs)`)?"""
    return "*" in kwargs or "**" in kwargs
