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
import contextlib
import inspect
import types
import weakref
from typing import Any

import gast

from ..errors import S2sadError
from ..ir import Const, Var
from ..parsing import parse_function, walk_syntax
from .base import LowererBase
from .consumption import (
    AGAIN,
    consumptions,
    is_users_function,
    parameters_given,
    reads,
    resolved_count,
)
from .scans import (
    YIELDED,
    LocalFunction,
    assigned_names,
    endless_loop,
    generator_effects,
    is_generator,
    lazy_reads,
    named_object,
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
        if isinstance(value, gast.IfExp):
            return self.lazily_made(value.body) or self.lazily_made(value.orelse)
        if not isinstance(value, gast.Call):
            return None
        through = self.passed_through(value)  # (`ident(v for v in x)` gives it back)
        if through is not None:
            return through
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
        if isinstance(func, gast.Name) and func.id not in self.env and \
                _returns_lazy(self.lookup_free(func.id)):  # (`def squares(x): return (...)`)
            return gast.Module(body=[arguments], type_ignores=[])
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
            lazy = self.iterated_lazily(kept)  # (`[iter(x)] * 2` too)
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
            raise self.error(
                "a generator kept in a list, a tuple or a dict: s2sad cannot follow how many "
                "times it is consumed from there, and Python's is empty after its first use",
                kept, "keep a list of its values instead, [... for v in x]")

    def check_lazy_passed(self, node: gast.Call) -> None:
        """A generator (or map, zip, ... iterator) passed to a call that
        consumes it more than once (a function of the user's, followed into
        the functions it passes it on to), or to one whose code s2sad cannot
        see (a method of an argument, a function value): refused, as where
        it is bound to a name. Python's is empty after its first use."""
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if self.iterated_lazily(arg) is not None and self.resolve_uses(node, arg) > 1:
                raise self.error(
                    "this generator is consumed more than once where it is passed (or where "
                    "a loop runs again), or passed where s2sad cannot follow it: Python's "
                    "generator is empty after its first use, s2sad keeps its values", arg,
                    "pass a list instead, [... for v in x]")

    def resolve_uses(self, call: gast.Call, arg: Any) -> float:
        """How many times `call` consumes its argument `arg` (consumption.py)."""
        func = call.func
        if isinstance(func, gast.Name) and func.id in self.env:
            local = self.env[func.id]
            if not isinstance(local, LocalFunction):
                return AGAIN  # (a function value: its code is not known here)
            params = [a.id for a in [*local.node.args.posonlyargs, *local.node.args.args,
                                     *local.node.args.kwonlyargs]]
            given = [*zip(call.args, params), *((k.value, k.arg) for k in call.keywords)]
            body = local.node.body if isinstance(local.node.body, list) else \
                [gast.Return(value=local.node.body)]
            return next((consumptions(p, body, self.resolve_uses) for a, p in given
                         if a is arg), AGAIN)
        if isinstance(func, gast.Attribute) and func.attr in _CONSUMING_METHODS:
            return 1.0  # (`lst.extend(g)`, `", ".join(g)`)
        method = self.method_of_made_object(func)
        if method is not None:
            return resolved_count(method, call, arg, _resolver, 0)
        obj = self.library_callee(func)  # (a free name's object, or a path from it)
        return AGAIN if obj is None else resolved_count(obj, call, arg, _resolver, 0)

    def method_of_made_object(self, func: Any) -> Any:
        """`a.total` where `a` is an object of the user's class this function
        made (or `Accumulator().total`): the method, bound (to its class: only
        its code is read), else None."""
        if not isinstance(func, gast.Attribute):
            return None
        receiver = func.value
        if isinstance(receiver, gast.Call):  # (`Accumulator().total(g)`)
            made = self.library_callee(receiver.func)
            classes = (made,) if isinstance(made, type) else ()
        elif isinstance(receiver, gast.Name):
            obj = self.env.get(receiver.id)
            classes = self.instances.get(obj, ()) if isinstance(obj, Var) else ()
        else:
            return None
        if len(classes) != 1:
            return None
        found = inspect.getattr_static(classes[0], func.attr, None)
        if isinstance(found, staticmethod):
            return found.__func__
        fn = found.__func__ if isinstance(found, classmethod) else found
        return types.MethodType(fn, classes[0]) if isinstance(fn, types.FunctionType) else None

    def passed_through(self, value: Any) -> Any:
        """The generator a call of a module-level function of the user's may
        return as it was given (`h = ident(v * v for v in x)`), else None."""
        if not isinstance(value, gast.Call) or not isinstance(value.func, gast.Name) or \
                value.func.id in self.env:
            return None
        lazy = [a for a in [*value.args, *(k.value for k in value.keywords)]
                if _is_lazy(a) or isinstance(a, gast.Call)]
        if not lazy:  # (the common case: no generator given, no source to read)
            return None
        fn = self.lookup_free(value.func.id)
        for arg, param in parameters_given(fn, value):
            made = self.iterated_lazily(arg) if arg in lazy else None
            if made is not None and _may_return(fn, param):
                return made
        return None

    def changed_in_place(self, stmts: list, depth: int = 0) -> list[str]:
        """What `stmts` may change in place, as written: targets of augmented
        assignments (but a name bound to a Python number here and assigned
        nowhere in `stmts` but by them, `total += v`, which rebinds it), of
        item and attribute stores, objects whose updating methods they call,
        and what the local functions they call change (`bump()` writing a
        captured array). A generator run early reads an object before such a
        change; Python, after it, under whatever name."""
        found: dict[str, None] = dict.fromkeys(self.updated_names(stmts))
        rebound = {target.id for stmt in stmts for node in gast.walk(stmt)
                   if not isinstance(node, gast.AugAssign)
                   for target in _bound_targets(node) if isinstance(target, gast.Name)}
        for stmt in stmts:
            for node in gast.walk(stmt):
                # (a local function named here, called or handed on: what it changes)
                local = self.env.get(node.id) if isinstance(node, gast.Name) else None
                if isinstance(local, LocalFunction) and depth < 10:
                    body = getattr(local.node, "body", [])
                    inner = self.changed_in_place(body if isinstance(body, list) else
                                                  [gast.Expr(value=body)], depth + 1)
                    found.update(dict.fromkeys(f"{c} in {node.id}" for c in inner))
                targets = [node.target] if isinstance(node, gast.AugAssign) else \
                    node.targets if isinstance(node, gast.Assign) else []
                for target in targets:
                    if isinstance(target, (gast.Subscript, gast.Attribute)) or \
                            isinstance(node, gast.AugAssign) and isinstance(target, gast.Name) \
                            and (not self.bound_to_number(target.id) or target.id in rebound):
                        found[gast.unparse(target).strip()] = None
        return list(found)

    def bound_to_number(self, name: str) -> bool:
        """Is `name` bound to a Python number constant where this is lowered?"""
        value = self.env.get(name)
        return isinstance(value, Const) and type(value.value) in (int, float, complex, bool)

    def iterated_lazily(self, value: Any) -> Any:
        """What Python reads lazily for `value`: `lazily_made`'s code, or what
        map, zip, enumerate, reversed or iter go through as they are consumed
        (their arguments); else None."""
        made = self.lazily_made(value)
        if made is None and self.builtin_iterator(value):
            made = gast.Expr(value=gast.Tuple(elts=list(value.args), ctx=gast.Load()))
        return made

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
        changes. Both are refused, and so is an in-place change before the
        generator is consumed, or in the loop's body (`changed_in_place`):
        it may reach what the generator reads under another name."""
        self.check_stored_lazies(node)
        # (`z = zip(y, x)` reads y's items as it is consumed, after changes to y)
        made = self.iterated_lazily(node.value) if isinstance(node, gast.Assign) else None
        if made is not None:
            # (unpacked, `a, b = (v for v in x)`, it is consumed here: the names hold
            # its items; a helper's tuple may hold it, `r, n = split(g)`)
            held = isinstance(node.value, gast.Call) and \
                self.passed_through(node.value) is not None
            names = [n.id for t in node.targets for n in gast.walk(t)
                     if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and
                     (held or t is n)]
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
            changed = self.changed_in_place(before)
            if changed:  # (through another name, a slot or a view: not seen by name)
                raise self.error(
                    f"this generator is consumed after an in-place change (to "
                    f"{', '.join(changed)}), which may reach what it reads under another name "
                    "(b = a; b += x): Python reads its items when it is consumed, s2sad when "
                    "it is made", node.value,
                    "make a list here instead, [... for v in x], or build the generator "
                    "where it is consumed")
            if names and _read_by_next(names[0], rest):
                raise self.error(
                    f"next({names[0]}) of a generator or iterator bound to a name: s2sad runs "
                    "it to its end where it is made, and does not follow how far next() has "
                    "moved it", node.value,
                    "make a list and index it: items = [... for v in x], then items[0], "
                    "items[1] (next() of an iterator made in the call, next(iter(d.values())) "
                    "or next(v for v in x if v > 0), is supported)")
            if any(consumptions(name, rest, self.resolve_uses) > 1 for name in names):
                raise self.error(
                    f"the generator {names[0]} is consumed more than once (or where a loop "
                    "runs again), or handed where s2sad cannot follow it (another name, a "
                    "container, a method of an argument): Python's generator is empty after "
                    "its first use, s2sad keeps its values", node.value,
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
            changed = self.changed_in_place(node.body)
            if changed:  # (it may reach what the generator reads under another name)
                raise self.error(
                    f"the loop body makes an in-place change (to {', '.join(changed)}) while "
                    "the generator it consumes is pending, which may reach what the "
                    "generator reads under another name (b = a; b += x): Python runs the "
                    "generator between iterations, s2sad runs it to its end first", node.iter,
                    "make a list of the generator's items before the loop, [... for v in x], "
                    "or write the generator's loop into this one")


_ITERATORS = ("map", "filter", "zip", "enumerate", "reversed", "iter")
_CONSUMING_METHODS = frozenset({"extend", "join", "update", "fromkeys"})


def _resolver(fn: Any, depth: int) -> Any:
    """How calls in the code of the user's function `fn` consume an argument
    (consumption.py): by the objects its free names hold."""
    cells = {}
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
        with contextlib.suppress(ValueError):  # (an empty cell)
            cells[name] = cell.cell_contents

    def value_of(name: str) -> Any:
        if name in cells:
            return cells[name]
        return fn.__globals__.get(name, getattr(builtins, name, None))

    def resolve(call: gast.Call, arg: Any) -> float:
        if isinstance(call.func, gast.Attribute) and call.func.attr in _CONSUMING_METHODS:
            return 1.0
        obj = named_object(call.func, value_of)
        return AGAIN if obj is None else resolved_count(obj, call, arg, _resolver, depth)
    return resolve


def _stored(node: Any) -> list:
    """The expressions `node` keeps in a container: items of displays,
    comprehensions' items, what `.append` and `.insert` take."""
    found = []
    for n in walk_syntax(node):
        if isinstance(n, (gast.List, gast.Tuple, gast.Set)):
            found += n.elts
        elif isinstance(n, gast.Dict):
            found += n.values
        elif isinstance(n, (gast.ListComp, gast.SetComp, gast.GeneratorExp)):
            found.append(n.elt)
        elif isinstance(n, gast.DictComp):
            found.append(n.value)
        elif isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                n.func.attr in ("append", "insert"):  # (extend consumes it there)
            found += n.args
    return found


def _read_by_next(name: str, rest: list) -> bool:
    """Is `name` passed to next() in `rest` (before it is bound again)?"""
    for stmt in rest:
        if any(isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and
               n.func.id == "next" and n.args and isinstance(n.args[0], gast.Name) and
               n.args[0].id == name for n in gast.walk(stmt)):
            return True
        if name in assigned_names([stmt]):
            return False
    return False


def _bound_targets(node: Any) -> list:
    """The targets a statement or expression binds by assignment (not by an
    augmented one): `=`, `for`, `with ... as`, `:=`, unpacking included."""
    if isinstance(node, gast.Assign):
        roots = node.targets
    elif isinstance(node, (gast.AnnAssign, gast.For, gast.NamedExpr)):
        roots = [node.target]
    elif isinstance(node, gast.withitem) and node.optional_vars is not None:
        roots = [node.optional_vars]
    else:
        return []
    return [n for root in roots for n in gast.walk(root) if isinstance(n, gast.Name)]


def _until_read(name: str, rest: list) -> list:
    """The statements of `rest` before the first one that reads `name` (what
    runs before a generator bound to it is consumed)."""
    for k, stmt in enumerate(rest):
        if reads(name, stmt):
            return rest[:k]
    return rest


def _returned_values(fn: types.FunctionType) -> list:
    """The expressions `fn`'s returns give (none where its source cannot be
    read), read once per code object: every call the lowering meets asks."""
    code = getattr(fn, "__code__", None)
    found = _RETURNED.get(code) if code is not None else None
    if found is None:
        try:
            node = parse_function(fn).node
        except S2sadError:
            node = None
        found = [] if node is None else [node.body] if isinstance(node, gast.Lambda) else \
            [r.value for r in gast.walk(node) if isinstance(r, gast.Return) and
             r.value is not None]
        if code is not None:
            _RETURNED[code] = found
    return found


_RETURNED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # code -> returned values


def _may_return(fn: types.FunctionType, param: str) -> bool:
    """May `fn` return its parameter `param` itself, or in a tuple, list or
    dict (a value a call's result holds, not one a call made of it)?"""
    todo = _returned_values(fn)
    while todo:
        part = todo.pop()
        if isinstance(part, gast.Name) and part.id == param:
            return True
        if isinstance(part, (gast.Tuple, gast.List, gast.Set)):
            todo += part.elts
        elif isinstance(part, gast.Dict):
            todo += part.values
        elif isinstance(part, (gast.IfExp, gast.BoolOp)):
            todo += [part.body, part.orelse] if isinstance(part, gast.IfExp) else part.values
    return False


def _returns_lazy(fn: Any, depth: int = 0) -> bool:
    """Does the user's function `fn` return a generator or an iterator it
    makes (`return (v * v for v in x)`, `return map(f, x)`, or what another
    such function of theirs returns), which its caller consumes as Python's
    (once)?"""
    if not is_users_function(fn) or inspect.isgeneratorfunction(fn) or depth > 4 or \
            not _may_make_lazies(fn.__code__, fn.__globals__, set()):
        return False
    for value in _returned_values(fn):
        if isinstance(value, gast.GeneratorExp):
            return True
        if isinstance(value, gast.Call) and isinstance(value.func, gast.Name):
            callee = fn.__globals__.get(value.func.id, getattr(builtins, value.func.id, None))
            if value.func.id in _ITERATORS and callee is getattr(builtins, value.func.id) or \
                    inspect.isgeneratorfunction(callee) or _returns_lazy(callee, depth + 1):
                return True
    return False


def _may_make_lazies(code: types.CodeType, space: dict, seen: set) -> bool:
    """Can this code make a generator or an iterator at all (a generator
    expression, map, zip, ..., a generator function it names, or a function
    of the user's that may)? Read off the code objects, so that most
    functions are never parsed for it."""
    if code in seen:
        return False
    seen.add(code)
    if any(isinstance(c, types.CodeType) and (c.co_name == "<genexpr>" or
                                              _may_make_lazies(c, space, seen))
           for c in code.co_consts):
        return True
    for name in code.co_names:
        value = space.get(name)
        if name in _ITERATORS or inspect.isgeneratorfunction(value) or \
                is_users_function(value) and _may_make_lazies(value.__code__,
                                                            value.__globals__, seen):
            return True
    return False


def _is_lazy(node: Any) -> bool:
    """A generator expression, or map/filter/zip made lazily (Python 3)."""
    return isinstance(node, gast.GeneratorExp) or (
        isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and
        node.func.id in ("map", "filter") and bool(node.args) and
        isinstance(node.args[0], gast.Lambda))
