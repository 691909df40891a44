"""Questions about gast syntax the lowering asks before it lowers a statement:
which names a loop body assigns, whether a block leaves early, and the
markers the lowering passes between its own methods."""

from __future__ import annotations

import types
import weakref
from collections.abc import Callable
from typing import Any

import gast

from ..errors import S2sadError
from ..ir import Const
from ..parsing import is_library_file, parse_function, walk_syntax

RET, RETVAL = "<returned>", "<retval>"  # env names of 'a loop returned' and its value
YIELDED = "<yielded>"  # env name of what a generator has yielded so far (a list)
EXIT = Const("<exit>")  # stmts() result: the rest of a loop body has been lowered


class LocalFunction:
    """A def or lambda inside the differentiated function; calls inline it.
    `env` and `scope` are the environment it was made in and its scope (the
    function being lowered, or a local function's inlined call)."""

    def __init__(self, node: Any, env: dict | None = None, scope: int = 0,
                 defaults: dict | None = None) -> None:
        self.node = node
        self.env = env if env is not None else {}
        self.scope = scope
        # its parameters' defaults, evaluated where it was made (as Python does)
        self.defaults = defaults if defaults is not None else {}


class Continue:
    """Marks 'the statements after an early-returning if' inside its branches."""

    def __init__(self, body: list) -> None:
        self.body = body


# the call `Iteration.strict_zip_loop` puts after a loop over zip(...,
# strict=...), which checks the iterables' lengths (a name no code can call)
ZIP_CHECK = "<zip lengths>"


def literal(node: Any) -> Any:
    """The value of a literal default (numbers, strings, tuples of them), else None."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return -literal(node.operand)
    if isinstance(node, gast.Tuple):
        return tuple(literal(e) for e in node.elts)
    return None


def target_hint(targets: list) -> str:
    if len(targets) == 1 and isinstance(targets[0], gast.Name):
        return targets[0].id
    return ""


def names_in_target(target: Any) -> set[str]:
    return {n.id for n in walk_syntax(target) if isinstance(n, gast.Name)}


def assigned_names(body: list) -> list[str]:
    """Names a block assigns, in first-assignment order (nested blocks included)."""
    names: dict[str, None] = {}
    for stmt in body:
        for node in walk_syntax(stmt):
            if isinstance(node, (gast.Yield, gast.YieldFrom)):
                names[YIELDED] = None
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
                    and node.func.attr in ("append", "extend") \
                    and isinstance(node.func.value, gast.Name):
                names[node.func.value.id] = None
            if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.For,
                                 gast.NamedExpr)):
                targets = node.targets if isinstance(node, gast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, (gast.Subscript, gast.Attribute)) and \
                            isinstance(target.value, gast.Name):
                        names[target.value.id] = None  # a[i] = v makes a new version of a
                    for name in names_in_target(target):
                        if isinstance(target, (gast.Name, gast.Tuple, gast.List)):
                            names[name] = None
    return list(names)


def appended_only(body: list) -> set[str]:
    """Names a block only calls `.append`/`.extend` on (never assigns): local
    lists if they are bound before it, else modules (`np.append(v, x)`)."""
    receivers = {node.func.value.id for stmt in body for node in walk_syntax(stmt)
                 if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
                 and node.func.attr in ("append", "extend")
                 and isinstance(node.func.value, gast.Name)}
    return receivers - set(_assigned_plainly(body))


def _assigned_plainly(body: list) -> list[str]:
    names: list[str] = []
    for stmt in body:
        for node in walk_syntax(stmt):
            if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.For,
                                 gast.NamedExpr)):
                targets = node.targets if isinstance(node, gast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                        names.append(target.value.id)
                    names.extend(names_in_target(target))
    return names


def is_generator(node: Any) -> bool:
    """Does this def yield (in its own body, not a nested function's)?"""
    def scan(sub: Any) -> bool:
        if isinstance(sub, (gast.Yield, gast.YieldFrom)):
            return True
        if isinstance(sub, (gast.FunctionDef, gast.Lambda)) and sub is not node:
            return False
        return any(scan(child) for child in gast.iter_child_nodes(sub))
    return not isinstance(node, gast.Lambda) and scan(node)


def exits(node: Any, in_loop: bool) -> bool:
    """Does this statement leave the current block early (return; in a loop
    also break/continue of this loop)?"""
    if contains_return(node):
        return True
    return in_loop and loop_exits([node])


def loop_exits(body: list) -> bool:
    """Does `body` break or continue its own loop (not a nested one), or return?"""
    def scan(node: Any) -> bool:
        if isinstance(node, (gast.Break, gast.Continue, gast.Return)):
            return True
        if isinstance(node, (gast.For, gast.While)):
            return contains_return(node)
        if isinstance(node, (gast.FunctionDef, gast.Lambda)):
            return False
        return any(scan(child) for child in gast.iter_child_nodes(node))
    return any(scan(stmt) for stmt in body)


def contains_return(node: Any) -> bool:
    return any(isinstance(sub, gast.Return) for sub in walk_syntax(node))


def is_zero(x: Any) -> bool:
    return isinstance(x, Const) and x.value == 0


def hint_of(name: str) -> str:
    """The variable hint for an env name (internal names get readable ones)."""
    if name.startswith("<break"):
        return "stop"
    if name.startswith("<comp"):
        return "items"
    if name in (RET, RETVAL, YIELDED):
        return {RET: "returned", RETVAL: "retval", YIELDED: "yielded"}[name]
    if name.startswith("<"):  # (the lowering's own names: `<acc3>` -> acc)
        return name.strip("<>").rstrip("0123456789_") or "t"
    return name


def sets_own_attributes(method: Any, cls: type | None, seen: set | None = None) -> bool:
    """Does `method`, a plain function of the user's class `cls`, set
    attributes of its first parameter, its object (`self.h = v`, `self.n +=
    1`, `self.a, self.b = ...`), itself or through another method of the class
    it calls (`self.reset()`, `super().step(x)`)? Such a method's calls on
    objects the function made are updating calls (`Calls.updating_call`)."""
    seen = set() if seen is None else seen
    if not isinstance(method, types.FunctionType) or method in seen or \
            is_library_file(method.__code__.co_filename):
        return False
    seen.add(method)
    try:
        node = parse_function(method).node
    except S2sadError:  # (no source: not compiled either)
        return False
    first = [*node.args.posonlyargs, *node.args.args][:1]
    if not first:
        return False
    me = first[0].id
    for sub in walk_syntax(node):
        if isinstance(sub, gast.Attribute) and isinstance(sub.ctx, (gast.Store, gast.Del)) and \
                isinstance(sub.value, gast.Name) and sub.value.id == me:
            return True
        if isinstance(sub, gast.Call) and isinstance(sub.func, gast.Attribute) and \
                cls is not None and sets_own_attributes(
                    _called_method(sub.func, me, method, cls), cls, seen):
            return True
    return False


def _called_method(func: gast.Attribute, me: str, method: types.FunctionType,
                   cls: type) -> Any:
    """The function `me.name(...)` or `super().name(...)` calls, in `method`
    of an object of class `cls` (found along cls's MRO, from the class after
    the one defining `method` for super()); None for other calls."""
    receiver, mro = func.value, cls.__mro__
    if isinstance(receiver, gast.Name) and receiver.id == me:
        start = 0
    elif is_super(receiver):
        owner = next((k for k in mro if k.__dict__.get(method.__name__) is method), None)
        if owner is None:
            return None
        start = mro.index(owner) + 1
    else:
        return None
    return next((k.__dict__[func.attr] for k in mro[start:] if func.attr in k.__dict__), None)


def endless_loop(node: Any) -> Any:
    """A `while True:` loop of this def with no break or return in its body
    (nested functions aside), if there is one."""
    for sub in walk_syntax(node):
        if isinstance(sub, gast.While) and isinstance(sub.test, gast.Constant) and \
                sub.test.value and not any(
                    isinstance(n, (gast.Break, gast.Return)) for stmt in sub.body
                    for n in _own_nodes(stmt)):
            return sub
    return None


def _own_nodes(node: Any):
    """The nodes of a statement, without those of functions defined in it."""
    yield node
    for child in gast.iter_child_nodes(node):
        if not isinstance(child, (gast.FunctionDef, gast.Lambda)):
            yield from _own_nodes(child)


def lazy_reads(node: Any) -> set[str]:
    """The names a generator expression, lambda or generator def reads that
    it does not bind itself (its loop targets, parameters, assignments)."""
    read, bound = set(), set()
    for sub in walk_syntax(node):
        if isinstance(sub, gast.Name):  # (gast's parameters are names too)
            (read if isinstance(sub.ctx, gast.Load) else bound).add(sub.id)
    return read - bound


def returns_self(method: Any) -> bool:
    """Does every `return` of `method` return its first parameter (`return
    self`, for chained calls), and is there one?"""
    try:
        node = parse_function(method).node
    except S2sadError:
        return False
    first = [*node.args.posonlyargs, *node.args.args][:1]
    returns = [n for stmt in node.body for n in _own_nodes(stmt) if isinstance(n, gast.Return)]
    return bool(first) and bool(returns) and all(
        isinstance(r.value, gast.Name) and r.value.id == first[0].id for r in returns)


# methods that change their object in place (a list's, a dict's, a set's, an array's)
_MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "update",
                       "setdefault", "popitem", "add", "discard", "sort", "reverse",
                       "fill", "resize", "put", "itemset"})


def generator_effects(node: Any) -> str:
    """What a generator def changes outside itself, for the refusal's message
    ('' if nothing): attributes or items of names it does not bind itself
    (its parameters, an object, a list of its caller's), or appends to them."""
    local = {n.id for n in walk_syntax(node) if isinstance(n, gast.Name) and
             isinstance(n.ctx, gast.Store)}
    for sub in walk_syntax(node):
        if isinstance(sub, (gast.Attribute, gast.Subscript)) and \
                isinstance(sub.ctx, (gast.Store, gast.Del)):
            base = sub.value
            while isinstance(base, (gast.Attribute, gast.Subscript)):
                base = base.value
            if isinstance(base, gast.Name) and base.id not in local:
                return base.id
        if isinstance(sub, gast.Call) and isinstance(sub.func, gast.Attribute) and \
                sub.func.attr in _MUTATORS and isinstance(sub.func.value, gast.Name) and \
                sub.func.value.id not in local:
            return sub.func.value.id
    return ""


def name_node(ident: str, store: bool = False) -> gast.Name:
    """A name in code the lowering writes itself (`<zipped1>`, a loop's flag)."""
    return gast.Name(id=ident, ctx=gast.Store() if store else gast.Load(), annotation=None,
                     type_comment=None)


def named_object(func: Any, lookup: Callable[[str], Any]) -> Any:
    """The object a callee spelled by a name or a path from one names
    (`twice`, `np.sum`, `model.step`), the name's value given by `lookup`
    (None: not one it resolves); None for any other callee."""
    path = []
    while isinstance(func, gast.Attribute):
        path.append(func.attr)
        func = func.value
    value = lookup(func.id) if isinstance(func, gast.Name) else None
    for attr in reversed(path):
        value = getattr(value, attr, None)
    return value


def is_super(node: Any) -> bool:
    """Is `node` the call `super()`?"""
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
        node.func.id == "super" and not node.args and not node.keywords


def outside_writes(fn: Any) -> tuple[frozenset[str], frozenset[int], frozenset[int]]:
    """What a function of the user's changes outside itself, read from its
    source: the global and nonlocal names it rebinds or writes into
    (`global T; T = ...`, `RUNNING[:] = ...`, `LOG.append(v)`), the positions
    of the parameters whose objects it writes into (`buf[i] = v`,
    `buf.fill(0)`), and of those it updates with an augmented assignment
    (`buf += 1`: in place for an array, not for a number). Empty where the
    source cannot be read."""
    code = getattr(fn, "__code__", None)
    if code is None or is_library_file(code.co_filename):
        return frozenset(), frozenset(), frozenset()
    cached = _WRITES.get(code)
    if cached is None:
        try:
            node = parse_function(fn).node
        except S2sadError:
            return frozenset(), frozenset(), frozenset()
        names, into, augmented = _writes_of(node, set(code.co_varnames) | set(code.co_cellvars))
        # (`np.add(...)`, `np.sort(...)`: a module's functions, not a method changing it)
        modules = {n for n in names if isinstance(fn.__globals__.get(n), types.ModuleType)}
        cached = _WRITES[code] = (names - modules, into, augmented)
    return cached


_WRITES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # code -> its writes


def _writes_of(node: Any, local: set[str]) -> tuple[frozenset[str], frozenset[int],
                                                     frozenset[int]]:
    """(Its own statements only: a function defined inside has names of its own;
    a lambda's body is one expression.)"""
    body = [node.body] if isinstance(node, gast.Lambda) else node.body
    own = [n for stmt in body if not isinstance(stmt, (gast.FunctionDef, gast.ClassDef))
           for n in _own_nodes(stmt)]
    params = [a.id for a in [*node.args.posonlyargs, *node.args.args]]
    declared = {n for sub in own if isinstance(sub, (gast.Global, gast.Nonlocal))
                for n in sub.names}
    # a parameter bound again (`a = np.array(a)`) may be written as a copy: not counted
    rebound = {t.id for sub in own if isinstance(sub, (gast.Assign, gast.For))
               for t in (sub.targets if isinstance(sub, gast.Assign) else [sub.target])
               if isinstance(t, gast.Name)}

    def root(target: Any) -> str | None:
        while isinstance(target, (gast.Subscript, gast.Attribute)):
            target = target.value
        return target.id if isinstance(target, gast.Name) else None

    written, augmented = set(), set()
    for sub in own:
        targets: list = []
        if isinstance(sub, (gast.Assign, gast.Delete)):
            targets = sub.targets
        elif isinstance(sub, (gast.AugAssign, gast.AnnAssign)):
            targets = [sub.target]
        for target in targets:
            if isinstance(target, gast.Name):
                if target.id in declared:
                    written.add(target.id)
                elif isinstance(sub, gast.AugAssign):
                    augmented.add(target.id)
            elif root(target) is not None:
                written.add(root(target))
        if isinstance(sub, gast.Call) and isinstance(sub.func, gast.Attribute) and \
                sub.func.attr in _MUTATORS and root(sub.func.value) is not None:
            written.add(root(sub.func.value))
    names = frozenset(n for n in written if n in declared or n not in local)
    return (names, frozenset(k for k, p in enumerate(params) if p in written - rebound),
            frozenset(k for k, p in enumerate(params) if p in augmented - rebound))
