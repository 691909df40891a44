"""Recursion without the dispatcher: a helper's calls of itself.

A helper is compiled into a forward and a backward half, and each call of
user code goes through `call_forward`, which finds the callee's compiled
halves by the callee and its arguments' types and shapes (calls.py): about
1.5 µs a call, which a recursive function pays at every level. When a helper
calls itself with arguments of the very kinds it was compiled for, the
callee's halves are its own, known when it is compiled. Such a call becomes

    pair = recurse(h, active, *args)

where `recurse` is a run-time object holding this compiled result (the
dispatcher's `SelfCall`, filled in once the halves exist): it checks that
`h` is still the function compiled and that its guards hold, and runs the
forward half directly; anything else goes to `call_forward` as before.
After the reverse pass, the `call_backward` of such a call's saved state
becomes `recurse_back(saved, g)` (`mark_self_backward`): this code's
backward half directly, or `call_backward` for what `call_forward` saved.

"The very kinds it was compiled for" is decided on the prepared IR, and
only where it cannot be wrong: every argument passed by position, exactly
one per parameter (no defaults, `*args`, `**kwargs` or keyword-only
parameters), the active arguments those the helper is compiled for, and
each argument either the helper's own parameter at that position, unchanged
(an SSA name: a reassigned or written parameter is a new one), or, where
the helper took a plain number, a value certain to be a plain number
(`scalars.real_numbers`: `k + 1`, `n // 2`). Arrays computed from the
parameters (`x[1:]`) take the dispatcher: their shapes would choose
another specialization.

Where the helper's own code cannot run user code (`runs_only_numpy`: every
operation is an operator, a NumPy function, an array's method or attribute,
or indexing, on values certain to be numbers or arrays), nothing can rebind
its name or a global its guards check between the checks at its outermost
call and its calls of itself. There the halves call themselves by name
(`call_halves_directly`), as one would write the recursion by hand:

    t_2, call_saved = dhorner_forward(c, x, k + 1)
    ...
    grads = dhorner_backward(call_saved, x * dresult)

about 1 µs a level less than `recurse` and `recurse_back`.
"""

from __future__ import annotations

import inspect
import types
from typing import Any

import numpy as np

from . import primitives
from .ir import (
    Assign,
    Const,
    Function,
    If,
    Loop,
    OwnFunction,
    Ref,
    Var,
    regions,
    use_counts,
    walk,
)
from .receivers import proved_numeric
from .scalars import real_numbers

_PLAIN_SIGNATURE = ~(inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)


def mark_self_calls(fn: Function, user_fn: types.FunctionType, wrt: tuple[int, ...],
                    scalars: tuple[int, ...], site: Any) -> int:
    """Send `fn`'s calls of `user_fn` (the function it was lowered from, being
    compiled as a helper differentiated in `wrt`, with plain numbers at the
    positions `scalars`) that pass arguments of the same kinds to `site`, the
    run-time `recurse` object (in place). Returns how many it marked."""
    code = user_fn.__code__
    if code.co_flags & ~_PLAIN_SIGNATURE or code.co_kwonlyargcount or \
            len(fn.params) != code.co_argcount:
        return 0
    numbers: set | None = None  # (computed at the first candidate)
    marked = 0
    for stmt in walk(fn.body):
        if getattr(stmt, "prim", None) != "call_forward" or stmt.kwargs:
            continue
        callee, active, args = stmt.args[0], stmt.args[1], stmt.args[2:]
        if not (isinstance(callee, Ref) and callee.value is user_fn and
                isinstance(active, Const) and active.value == wrt and
                len(args) == code.co_argcount):
            continue
        if numbers is None:
            numbers = real_numbers(fn, scalars)
        if all(a is p or (i in scalars and _plain_number(a, numbers))
               for i, (a, p) in enumerate(zip(args, fn.params))):
            stmt.callee = Ref("$recurse", site)
            marked += 1
    return marked


def mark_self_backward(fn: Function, site: Any) -> int:
    """Send the reversed `fn`'s `call_backward`s of what its marked calls saved
    to `site.backward` (in place). Returns how many it marked."""
    pairs = {s.target for s in walk(fn.body) if getattr(s, "prim", None) == "call_forward"
             and s.callee is not None and s.callee.name == "$recurse"}
    saved = {s.target for s in walk(fn.body) if getattr(s, "prim", None) == "getitem" and
             s.args[0] in pairs and s.args[1] == Const(1)}
    marked = 0
    for stmt in walk(fn.body):
        if getattr(stmt, "prim", None) == "call_backward" and stmt.args[0] in saved:
            stmt.callee = Ref("$recurse_back", site.backward)
            marked += 1
    return marked


# operations that may run code the table does not describe: a call, an
# object's attribute, property, constructor or format method
_RUNS_CODE = frozenset({"call", "call_forward", "call_jvp", "call_forward_jvp", "getattr",
                        "setattr", "updated", "super_of", "replace_fields", "new_object",
                        "format_value", "custom_adjoints", "unsupported"})


def runs_only_numpy(fn: Function, params: tuple[int, ...]) -> bool:
    """Can `fn` (prepared, its self-calls marked) run no user code but its
    calls of itself, given that its parameters at `params` are numbers,
    arrays or containers of them? (Then its guards, held at its outermost
    call, hold at every level.) Every operation must be the table's,
    not call-like, on values certain not to be objects (an operator or
    method of one is its class's code), with names that are modules,
    numbers or arrays."""
    own = [s for s in walk(fn.body) if isinstance(s, Assign) and s.callee is not None
           and s.callee.name == "$recurse"]
    if any(s in own for loop in walk(fn.body) if isinstance(loop, Loop)
           for region in regions(loop) for s in walk(region)):
        return False  # (its state reaches the backward pass through a tape: `recurse_back`)
    # (what a call of itself returns is what this code returns: an array or a
    # number where the caller goes on, `SELF_CALLS_RETURN`)
    proved = proved_numeric(fn, {fn.params[i] for i in params} | {s.target for s in own})
    for stmt in walk(fn.body):
        if not isinstance(stmt, Assign) or stmt in own:
            continue
        if stmt.prim in _RUNS_CODE or primitives.lookup(stmt.prim) is None:
            return False
        for a in stmt.operands():
            if isinstance(a, Var) and a not in proved or \
                    isinstance(a, Ref) and not _inert(a.value):
                return False
    return True


def _inert(value: Any) -> bool:
    """A name's object whose use runs no user code: a module, a number, an
    array, or a function of NumPy's or math's."""
    return isinstance(value, (types.ModuleType, int, float, complex, np.ndarray, np.generic,
                              np.ufunc, type(None))) or \
        isinstance(value, types.BuiltinFunctionType) or \
        str(getattr(value, "__module__", None) or "").partition(".")[0] == "numpy"


def call_halves_directly(fwd: Function, bwd: Function) -> None:
    """Make the halves' marked calls of themselves direct calls (in place):
    `recurse(h, active, *args)` in `fwd` becomes `fwd(*args)`, and
    `recurse_back(saved, g)` in `bwd` becomes `bwd(saved, g)`: what the
    forward half saved is its own state, which its backward half takes."""
    for stmt in walk(fwd.body):
        if isinstance(stmt, Assign) and stmt.callee is not None and \
                stmt.callee.name == "$recurse":
            stmt.callee = Ref("$" + fwd.name, OwnFunction())
            stmt.args = stmt.args[2:]
    for stmt in walk(bwd.body):
        if isinstance(stmt, Assign) and stmt.callee is not None and \
                stmt.callee.name == "$recurse_back":
            stmt.callee = Ref("$" + bwd.name, OwnFunction())


# what makes a new array (or a number) that nothing else holds
_MAKES_NEW = frozenset({"index_added", "index_added_into", "index_adjoint", "zeros_like",
                        "add", "sub", "mul", "truediv", "neg"})


def owned_adjoints(fn: Function) -> int:
    """In the reversed `fn` of a helper whose halves call themselves by name
    (`call_halves_directly`), let `index_added` write into an adjoint its own
    backward half returned, instead of copying it (in place; returns how many
    it let). The backward half's calls of itself return, at position i, an
    array nothing else holds if every path of this code returns one there,
    assuming those calls do (induction on the depth, as for shapes in
    `analysis._recursive_shapes`): a new array of arithmetic or of
    `index_added`, or a position the calls return so. Recursive Horner's
    `dc = index_added(dc_1, g, (20,), k)` copies 20 numbers at each level;
    `index_added_into` adds g into dc_1."""
    calls = {s.target for s in walk(fn.body) if isinstance(s, Assign) and s.callee is not None
             and s.callee.name == "$recurse_back"}
    items = _returned_adjoints(fn)
    if not calls or items is None:
        return 0
    made = {s.target: s for s in walk(fn.body) if isinstance(s, Assign)}
    chosen = {out: (a, b) for s in walk(fn.body) if isinstance(s, If)
              for out, a, b in zip(s.outs, s.then_vals, s.else_vals)}
    reads = [(s.target, s.args[0], s.args[1].value) for s in made.values()
             if s.prim == "getitem" and s.args[0] in calls and isinstance(s.args[1], Const)]
    if len({(g, i) for _, g, i in reads}) < len(reads):
        return 0  # (a position read twice: two names for one array)

    def new(v: Any, owned: set, depth: int = 0) -> bool:
        if isinstance(v, Const) or depth > 50:
            return isinstance(v, Const)
        if v in chosen:
            return all(new(a, owned, depth + 1) for a in chosen[v])
        stmt = made.get(v)
        if stmt is not None and stmt.inplace:  # (`a += b` is a's array)
            return new(stmt.args[0], owned, depth + 1)
        return stmt is not None and (stmt.prim in _MAKES_NEW or stmt.prim == "getitem" and
                                     stmt.args[0] in calls and stmt.args[1].value in owned)

    owned = set(range(len(items)))
    while True:
        kept = {i for i in owned if new(items[i], owned)}
        if kept == owned:
            break
        owned = kept
    fresh = {v for v, _, i in reads if i in owned}
    counts = use_counts(fn.body)
    helper = Ref("$index_added_into", primitives.resolve_name("index_added_into"))
    let = 0
    for stmt in walk(fn.body):
        if isinstance(stmt, Assign) and stmt.prim == "index_added" and \
                stmt.args[0] in fresh and counts.get(stmt.args[0]) == 1:
            stmt.prim, stmt.callee = "index_added_into", helper
            let += 1
    return let


def _returned_adjoints(fn: Function) -> list | None:
    """The items of the adjoints tuple the reversed `fn` returns beside its
    value (`return (value, (dx, dy))`), distinct vars; else None."""
    made = {s.target: s for s in fn.body.stmts if isinstance(s, Assign)}
    pair = made.get(getattr(fn.body.stmts[-1], "value", None))
    if pair is None or pair.prim != "make_tuple" or len(pair.args) != 2:
        return None
    grads = made.get(pair.args[1])
    if grads is None or grads.prim != "make_tuple" or \
            len(set(grads.args)) < len(grads.args) or \
            not all(isinstance(a, Var) for a in grads.args):
        return None
    return list(grads.args)


def _plain_number(a: Any, numbers: set) -> bool:
    if isinstance(a, Const):
        return type(a.value) in (int, float)
    return a in numbers
