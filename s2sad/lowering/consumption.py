"""How many times code consumes an iterator bound to a name.

s2sad runs a generator (and the iterators of map, filter, zip, ...) to its end
where it is made and keeps its values in a list; Python's is empty after its
first use. The two agree where the iterator is consumed at most once on every
path through the code, which is what `consumptions` counts: the largest
number of consuming uses of a name along one path (branches that return are
alternatives to what follows them), or `AGAIN` where a use may run more than
once (in a loop, a comprehension's element, a function) or where the
iterator goes somewhere s2sad cannot follow (another name, a container, a
callable whose code it cannot see).

What a call does with an iterator it is given is the caller's `resolve(call,
arg)`: a count (1 for `sum`, 0 for `isinstance`, the callee's own count for
a function of the user's) or AGAIN.
"""

from __future__ import annotations

import builtins
import functools
import math
import sys
import types
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..errors import S2sadError
from ..parsing import is_library_file, parse_function

AGAIN = math.inf  # consumed more than once, or handed where it cannot be followed

# builtins that go through an iterable once, and ones that only look at it
CONSUMERS = frozenset({builtins.sum, builtins.max, builtins.min, builtins.list, builtins.tuple,
                       builtins.sorted, builtins.set, builtins.frozenset, builtins.any,
                       builtins.all, builtins.dict, builtins.zip, builtins.map, builtins.filter,
                       builtins.enumerate, builtins.iter, builtins.reversed})
LOOKERS = frozenset({builtins.print, builtins.isinstance, builtins.type, builtins.id,
                     builtins.callable, builtins.repr})
# library callables that keep what they are given for later calls
KEEPERS = frozenset({functools.partial, functools.partialmethod, types.MethodType})

Resolve = Callable[[gast.Call, Any], float]
# modules whose classes' code is a library's (calling one consumes what it is given
# once), besides those installed where libraries are (`parsing.is_library_file`)
_LIBRARY_ROOTS = frozenset({"builtins", "numpy", "scipy", "math", "functools", "itertools",
                            "operator", "collections", "statistics", "heapq", "bisect",
                            "cmath", "random", "typing", "abc"})


def consumptions(name: str, stmts: list, resolve: Resolve) -> float:
    """The most times `stmts` consume `name` along one path (until it is
    bound again), or AGAIN."""
    total = 0.0
    for k, stmt in enumerate(stmts):
        if isinstance(stmt, gast.If):
            test = _uses(name, stmt.test, resolve)
            then = consumptions(name, stmt.body, resolve)
            other = consumptions(name, stmt.orelse, resolve)
            ends_then, ends_else = _ends(stmt.body), _ends(stmt.orelse)
            if ends_then or ends_else:
                rest = 0.0 if ends_then and ends_else else \
                    consumptions(name, stmts[k + 1:], resolve)
                return total + test + max(then + (0.0 if ends_then else rest),
                                          other + (0.0 if ends_else else rest))
            total += test + max(then, other)
        elif isinstance(stmt, (gast.For, gast.While)):
            repeated = [*stmt.body, *stmt.orelse] + \
                ([stmt.test] if isinstance(stmt, gast.While) else [])
            if any(reads(name, part) for part in repeated):
                return AGAIN
            if isinstance(stmt, gast.For):
                total += 1.0 if _is_name(stmt.iter, name) else _uses(name, stmt.iter, resolve)
        elif isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
            if reads(name, stmt):
                return AGAIN
        else:
            total += _uses(name, stmt, resolve)
        if total >= AGAIN or isinstance(stmt, (gast.Return, gast.Raise)) or \
                _binds(name, stmt):
            return total
    return total


def param_consumptions(fn: Any, param: str, resolve_in: Callable[[Any, int], Resolve],
                       depth: int = 0) -> float:
    """How many times the user's function `fn` consumes its parameter `param`
    (`resolve_in(fn, depth)` resolves the calls in its code); AGAIN if s2sad
    cannot read it, or the calls go more than a few functions deep."""
    if depth > 4:
        return AGAIN
    try:
        node = parse_function(fn).node
    except S2sadError:
        return AGAIN
    body = node.body if isinstance(node.body, list) else [gast.Return(value=node.body)]
    return consumptions(param, body, resolve_in(fn, depth))


def parameters_given(fn: Any, node: gast.Call) -> list[tuple[Any, str]]:
    """The arguments of the call `node` of the user's Python function `fn`,
    each with the parameter it binds (those given by position or by name); a
    bound method's first parameter is its object. Empty for anything else."""
    bound = isinstance(fn, types.MethodType)
    fn = fn.__func__ if bound else fn
    if not is_users_function(fn):
        return []
    code = fn.__code__
    positional = code.co_varnames[bound:code.co_argcount]
    named = code.co_varnames[code.co_posonlyargcount:code.co_argcount + code.co_kwonlyargcount]
    if any(isinstance(a, gast.Starred) for a in node.args):
        return []
    return [*zip(node.args, positional), *((k.value, k.arg) for k in node.keywords
                                            if k.arg in named)]


def is_users_function(fn: Any) -> bool:
    return isinstance(fn, types.FunctionType) and not is_library_file(fn.__code__.co_filename)


def _users(obj: Any) -> bool:
    """Is `obj` the user's code: a function or method of theirs, or a class
    (or an object whose class is) defined outside the libraries?"""
    fn = getattr(obj, "__func__", obj)
    if isinstance(fn, types.FunctionType):
        return is_users_function(fn)
    if isinstance(obj, (types.BuiltinFunctionType, types.BuiltinMethodType)):
        return False
    cls = obj if isinstance(obj, type) else type(obj)
    module = getattr(cls, "__module__", "") or ""
    path = getattr(sys.modules.get(module), "__file__", None)
    return module.split(".")[0] not in _LIBRARY_ROOTS and not (path and is_library_file(path))


def resolved_count(obj: Any, call: gast.Call, arg: Any,
                   resolve_in: Callable[[Any, int], Resolve], depth: int) -> float:
    """What calling `obj` (the callee of `call`, resolved) does with `arg`."""
    try:
        if obj in CONSUMERS:
            return 1.0
        if obj in LOOKERS:
            return 0.0
        if obj in KEEPERS:
            return AGAIN
    except TypeError:  # (an unhashable callable)
        return AGAIN
    if isinstance(obj, np.ufunc) or not _users(obj):
        return 1.0  # (a library's function goes through what it is given once)
    for given, param in parameters_given(obj, call):
        if given is arg:
            return param_consumptions(getattr(obj, "__func__", obj), param, resolve_in,
                                      depth + 1)
    return AGAIN


def _uses(name: str, node: Any, resolve: Resolve) -> float:
    """The consuming uses of `name` in the expression or simple statement
    `node` (of the two sides of a conditional expression, the larger)."""
    if isinstance(node, gast.IfExp):
        return _uses(name, node.test, resolve) + max(_uses(name, node.body, resolve),
                                                     _uses(name, node.orelse, resolve))
    if isinstance(node, (gast.GeneratorExp, gast.ListComp, gast.SetComp, gast.DictComp)):
        # (a comprehension's element, conditions and later loops run once per item)
        again = [*node.generators[1:], *(c for g in node.generators for c in g.ifs),
                 getattr(node, "elt", None) or node.key, getattr(node, "value", None)]
        if any(reads(name, part) for part in again if part is not None):
            return AGAIN
        first = node.generators[0].iter
        return 1.0 if _is_name(first, name) else _uses(name, first, resolve)
    if isinstance(node, gast.Lambda):
        return AGAIN if reads(name, node) else 0.0
    total = 0.0
    for child in gast.iter_child_nodes(node):
        if not _is_name(child, name):
            total += _uses(name, child, resolve)
        elif isinstance(node, gast.Call) and (child in node.args or any(
                k.value is child for k in node.keywords)):
            total += resolve(node, child)
        elif isinstance(node, gast.Compare) and all(
                isinstance(op, (gast.Is, gast.IsNot)) for op in node.ops):
            continue  # (`g is None`)
        elif isinstance(node, gast.Return):
            continue  # (handed back: the caller counts what it does with it)
        else:
            return AGAIN  # (another name, a container, an attribute: not followed)
    return total


def _is_name(node: Any, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name and isinstance(node.ctx, gast.Load)


def reads(name: str, node: Any) -> bool:
    """Does `node` (or what it holds) read `name`?"""
    return any(_is_name(n, name) for n in gast.walk(node))


def _binds(name: str, stmt: Any) -> bool:
    targets = stmt.targets if isinstance(stmt, gast.Assign) else \
        [stmt.target] if isinstance(stmt, (gast.AnnAssign, gast.AugAssign)) else []
    return any(isinstance(n, gast.Name) and n.id == name for t in targets for n in gast.walk(t))


def _ends(body: list) -> bool:
    """Does the block always leave the function (its last statement a return or raise)?"""
    return bool(body) and isinstance(body[-1], (gast.Return, gast.Raise))
