"""Generators, run eagerly, and where that would differ from Python.

A generator function is run when it is called, to its end: what it yields
goes into a list, which it returns, and the consumer iterates the list
(`start_generator`). Python runs it as the consumer asks for values, so the
two differ where the generator and the rest of the function see each
other's changes (a name assigned again before the generator is consumed, a
loop body changing what its generator reads, a generator changing an
object), where the consumer stops early (`any`, `zip`, `break`) and the
generator has effects, and where the generator never ends. Those are
refused here, at the line that makes the generator.
"""

from __future__ import annotations

import builtins
import inspect
from typing import Any

import gast

from ..ir import Var
from .base import LowererBase
from .scans import (
    YIELDED,
    LocalFunction,
    assigned_names,
    endless_loop,
    generator_effects,
    is_generator,
    lazy_reads,
)


class Generators(LowererBase):
    """Generator functions and expressions, and the checks of their timing."""

    def start_generator(self, node: Any) -> None:
        """A generator function is run eagerly: what it yields goes into a
        list, which it returns (consumers iterate the list instead). One whose
        loop never ends (`while True` without break or return), which only its
        consumer stops, is refused: run eagerly it would never return."""
        if is_generator(node):
            changed = generator_effects(node)
            if self.updating is not None or changed:
                raise self.error(
                    f"a generator that changes {changed or self.updating} (its attributes, "
                    "items or appends): s2sad runs a generator to its end when it is "
                    "called, Python as its consumer asks for values, so the consumer "
                    "would see the changes at other times", node,
                    "return a list of the values instead, or change the object in the "
                    "loop that consumes them")
            endless = endless_loop(node)
            if endless is not None:
                raise self.error(
                    "a generator whose loop never ends (stopped only by what consumes it): "
                    "s2sad runs a generator to its end when it is called", endless,
                    "give the loop an end (a count, or a condition on the values), or yield "
                    "the values into a list of the length you need")
            self.env[YIELDED] = self.emit("make_list", [], hint="yielded")

    def lazily_made(self, value: Any) -> Any:
        """The code Python would run lazily for `value`: a generator expression,
        `map`/`filter` of a lambda, or a call of a local generator function
        (its def, with the call's arguments); else None."""
        if _is_lazy(value):
            return value
        if not isinstance(value, gast.Call):
            return None
        arguments = gast.Expr(value=gast.Tuple(elts=[*value.args, *(k.value for k in
                                                                    value.keywords)],
                                               ctx=gast.Load()))
        func = value.func
        if isinstance(func, gast.Name) and isinstance(self.env.get(func.id), LocalFunction) \
                and is_generator(self.env[func.id].node):
            return gast.Module(body=[self.env[func.id].node, arguments], type_ignores=[])
        if isinstance(func, gast.Name) and func.id in ("map", "filter", "zip", "enumerate") and \
                func.id not in self.env:  # (of a local function by name, or of lazy ones)
            inner = [self.env[a.id].node for a in value.args[:1] if isinstance(a, gast.Name)
                     and isinstance(self.env.get(a.id), LocalFunction)]
            inner += [made for a in value.args if (made := self.lazily_made(a)) is not None]
            if inner:
                return gast.Module(body=[*inner, arguments], type_ignores=[])
        if self.generator_function(func):  # (a module's, or a method of an object: reads it)
            receiver = [gast.Expr(value=func.value)] if isinstance(func, gast.Attribute) else []
            return gast.Module(body=[*receiver, arguments], type_ignores=[])
        return None

    def generator_function(self, func: Any) -> bool:
        """Does `func(...)` call a generator function: a module's (free name), or
        a method of an object this function made?"""
        if isinstance(func, gast.Name) and func.id not in self.env:
            return inspect.isgeneratorfunction(self.lookup_free(func.id))
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
            obj = self.env.get(func.value.id)
            return isinstance(obj, Var) and any(
                inspect.isgeneratorfunction(inspect.getattr_static(cls, func.attr, None))
                for cls in self.instances.get(obj, ()))
        return False

    def check_stored_lazies(self, node: Any) -> None:
        """A generator expression (or a lazy map or filter) kept in a list, a
        tuple, a dict or a comprehension's items runs later in Python, when
        a loop variable it reads has moved on (`[(x * i for _ in r) for i in
        range(3)]`: each reads the last i); s2sad runs it when it is made.
        Refused where it reads a loop's or a comprehension's variable."""
        for kept in _stored(node):
            lazy = self.lazily_made(kept)
            if lazy is None:
                continue
            if self.loop_targets is None:  # (once a lowering, where first needed)
                self.loop_targets = {t.id for n in gast.walk(self.parsed.node) if isinstance(
                    n, (gast.For, gast.comprehension)) for t in gast.walk(n.target)
                    if isinstance(t, gast.Name)}
            late = self.reads_through(lazy) & self.loop_targets
            if late:
                raise self.error(
                    f"a generator kept for later that reads the loop variable "
                    f"{', '.join(sorted(late))}: Python runs it when it is consumed, after "
                    "the loop has moved on, s2sad when it is made", kept,
                    "make a list here instead, [... for v in x], or bind the value: "
                    "(lambda i: (x * i for _ in r))(i)")

    def check_lazy_arguments(self, fn: LocalFunction, node: gast.Call) -> None:
        """A generator passed to a local function (inlined here) and consumed
        more than once by it: refused, as where it is bound to a name."""
        params = [a.id for a in [*fn.node.args.posonlyargs, *fn.node.args.args]]
        body = fn.node.body if isinstance(fn.node.body, list) else [gast.Expr(value=fn.node.body)]
        for name, arg in zip(params, node.args):
            if (self.lazily_made(arg) is not None or self.builtin_iterator(arg)) and \
                    _consumed_again(name, body):
                raise self.error(
                    f"the generator given to {name} is consumed more than once (or where a loop "
                    "runs again): Python's generator is empty after its first use, s2sad "
                    "keeps its values", arg,
                    "pass a list instead, [... for v in x], if the values are needed again")

    def builtin_iterator(self, value: Any) -> bool:
        """Is `value` a call of Python's map, filter, zip, enumerate, reversed or iter?"""
        return isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and \
            value.func.id in _ITERATORS and value.func.id not in self.env and \
            self.lookup_free(value.func.id) is getattr(builtins, value.func.id)

    def reads_through(self, node: Any) -> set[str]:
        """`lazy_reads(node)`, and what the local functions it reads read in
        turn (`read = lambda: s; (read() * k for k in ks)` reads s)."""
        found, todo = set(), [node]
        while todo:
            for name in lazy_reads(todo.pop()) - found:
                found.add(name)
                fn = self.env.get(name)
                if isinstance(fn, LocalFunction):
                    todo.append(fn.node)
        return found

    def check_lazy_reads(self, node: Any, rest: list) -> None:
        """A generator expression (or map/filter of a function) bound to a name
        is run when it is made, not when it is consumed as Python runs it: a
        name it reads that the function assigns again afterwards would give it
        another value than Python's. So would a loop over a local generator
        function, or a generator expression, that reads what the loop body
        changes. Both are refused."""
        self.check_stored_lazies(node)
        made = self.lazily_made(node.value) if isinstance(node, gast.Assign) else None
        if made is None and isinstance(node, gast.Assign) and self.builtin_iterator(node.value):
            # (`z = zip(y, x)` reads y's items as it is consumed, after changes to y)
            made = gast.Expr(value=gast.Tuple(elts=list(node.value.args), ctx=gast.Load()))
        if made is not None:
            names = [t.id for t in node.targets if isinstance(t, gast.Name)]
            before = _until_read(names[0], rest) if names else rest
            late = self.reads_through(made) & (set(assigned_names(before)) |
                                               set(self.updated_names(before)))
            if late:
                raise self.error(
                    f"this generator reads {', '.join(sorted(late))}, which the function "
                    "changes before the generator is consumed: Python reads it then, "
                    "s2sad when the generator is made", node.value,
                    "make a list here instead, [... for v in x], or build the generator "
                    "where it is consumed")
            if names and _consumed_again(names[0], rest):
                raise self.error(
                    f"the generator {names[0]} is consumed more than once (or where a loop "
                    "runs again): Python's generator is empty after its first use, s2sad "
                    "keeps its values", node.value,
                    "make a list here instead, [... for v in x], if the values are needed "
                    "again, or consume the generator once")
        if isinstance(node, gast.For):
            made = self.lazily_made(node.iter)
            if made is None:
                return
            changed = set(assigned_names(node.body)) | set(self.updated_names(node.body))
            late = self.reads_through(made) & changed
            # (and the other way: a generator changing what the loop body reads)
            late |= set(self.updated_names([made])) & {
                n.id for stmt in node.body for n in gast.walk(stmt) if isinstance(n, gast.Name)}
            if late:
                raise self.error(
                    f"the generator this loop consumes and the loop body share "
                    f"{', '.join(sorted(late))}, which one of them changes: Python runs the "
                    "generator between iterations, s2sad runs it to its end first", node.iter,
                    "compute what the generator needs before the loop, or write the "
                    "generator's loop into this one")


_ITERATORS = ("map", "filter", "zip", "enumerate", "reversed", "iter")


def _stored(node: Any) -> list:
    """The expressions `node` keeps in a container: items of displays,
    comprehensions' items, what `.append`, `.extend` and `.insert` take."""
    found = []
    for n in gast.walk(node):
        if isinstance(n, (gast.List, gast.Tuple, gast.Set)):
            found += n.elts
        elif isinstance(n, gast.Dict):
            found += n.values
        elif isinstance(n, (gast.ListComp, gast.SetComp, gast.GeneratorExp)):
            found.append(n.elt)
        elif isinstance(n, gast.DictComp):
            found.append(n.value)
        elif isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                n.func.attr in ("append", "extend", "insert"):
            found += n.args
    return found


def _reads(name: str, node: Any) -> int:
    """How many times `node` (and what it holds) reads `name`."""
    return sum(isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Load)
               for n in gast.walk(node))


def _until_read(name: str, rest: list) -> list:
    """The statements of `rest` before the first one that reads `name` (what
    runs before a generator bound to it is consumed)."""
    for k, stmt in enumerate(rest):
        if _reads(name, stmt):
            return rest[:k]
    return rest


def _consumed_again(name: str, rest: list) -> bool:
    """Is `name`, bound to a generator, read more than once in `rest` (until
    it is bound again), or where code runs again: a loop's body, a
    comprehension's element or a later `for`, a function?"""
    reads = 0
    for stmt in rest:
        for node in gast.walk(stmt):
            if isinstance(node, (gast.For, gast.While)):
                again = [*node.body, *node.orelse] + ([node.test] if isinstance(node, gast.While)
                                                      else [])
            elif isinstance(node, (gast.GeneratorExp, gast.ListComp, gast.SetComp,
                                   gast.DictComp)):
                again = [*node.generators[1:], *(c for g in node.generators for c in g.ifs),
                         getattr(node, "elt", None) or node.key, getattr(node, "value", None)]
            elif isinstance(node, (gast.Lambda, gast.FunctionDef)):
                again = [node]
            else:
                continue
            if any(_reads(name, part) for part in again if part is not None):
                return True
        reads += _reads(name, stmt)
        if reads > 1:
            return True
        if name in assigned_names([stmt]):
            return False
    return False


def _is_lazy(node: Any) -> bool:
    """A generator expression, or map/filter/zip made lazily (Python 3)."""
    return isinstance(node, gast.GeneratorExp) or (
        isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and
        node.func.id in ("map", "filter") and bool(node.args) and
        isinstance(node.args[0], gast.Lambda))
