"""Release arrays as soon as generated code stops reading them.

A Python function keeps every local alive until it returns, so a gradient
holding each forward value and each adjoint in its own name peaks at about
twice the memory of a hand-written one, which rebinds a few names. This
pass, on the emitted function's syntax tree, adds `del a, b` after the
top-level statement that reads `a` and `b` for the last time, as someone
writing for memory would. Only top-level statements are considered (a loop
or a branch counts as one statement that reads what any of its parts read);
names a nested function, lambda or generator expression reads are never
released (it may run later), nor are parameters (their caller holds them anyway) or the names
the function returns. `s2sad show` leaves these `del` statements out
(`without_releases`): they are bookkeeping a reader skips.
"""

from __future__ import annotations

import ast
import copy

from .parsing import syntax_children, walk_syntax


def release_dead_names(fdef: ast.FunctionDef) -> int:
    """Insert `del` statements into `fdef`'s body (in place); returns how many
    names they release."""
    params = {a.arg for a in (*fdef.args.posonlyargs, *fdef.args.args, *fdef.args.kwonlyargs)}
    body = fdef.body
    loads, stores, captured = [], [], set()
    for stmt in body:
        read, later = _reads(stmt)
        loads.append(read)
        captured |= later
        stores.append(_names_bound(stmt))
    first_store: dict[str, int] = {}
    for i, names in enumerate(stores):
        for n in names:
            first_store.setdefault(n, i)
    live: set[str] = set()
    releases: list[list[str]] = [[] for _ in body]
    for i in range(len(body) - 1, -1, -1):
        dead = sorted(n for n in loads[i] if n not in live and first_store.get(n, i + 1) <= i
                      and n not in params and n not in captured)
        if not isinstance(body[i], ast.Return):
            releases[i] = dead
        live = (live - stores[i]) | loads[i]
    new_body: list[ast.stmt] = []
    count = 0
    for stmt, names in zip(body, releases):
        new_body.append(stmt)
        if names:
            release = ast.Delete([ast.Name(n, ast.Del()) for n in names])
            release.released = True  # type: ignore[attr-defined]  (see `without_releases`)
            for node in ast.walk(release):
                ast.copy_location(node, stmt)
            new_body.append(release)
            count += len(names)
    fdef.body = new_body
    return count


def without_releases(fdef: ast.FunctionDef) -> ast.FunctionDef:
    """A copy of `fdef` without the `del` statements this pass added: what
    `show` prints, as they are bookkeeping of the kind a reader skips (the
    code that runs has them)."""
    shown = copy.copy(fdef)
    shown.body = [s for s in fdef.body if not getattr(s, "released", False)]
    return shown


_LATER = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.GeneratorExp)


def _reads(stmt: ast.stmt) -> tuple[set[str], set[str]]:
    """The names `stmt` reads (an augmented assignment's target too), and
    those read inside nested functions, lambdas and generator expressions
    (which may run later), in one walk."""
    read: set[str] = set()
    later: set[str] = set()
    stack: list[tuple[ast.AST, bool]] = [(stmt, False)]
    while stack:
        node, deferred = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            if type(node.ctx) is ast.Load:
                (later if deferred else read).add(node.id)
            continue
        if kind is ast.AugAssign and type(node.target) is ast.Name:
            read.add(node.target.id)
        inner = deferred or kind in _LATER
        stack.extend((child, inner) for child in syntax_children(node))
    return read | later, later


def _names_bound(stmt: ast.stmt) -> set[str]:
    """Names `stmt` certainly binds: a plain assignment's (a loop's or a
    branch's inner bindings may not happen)."""
    if isinstance(stmt, ast.Assign):
        return {n.id for t in stmt.targets for n in walk_syntax(t)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}  # (not a[f(i)]'s f)
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) and isinstance(stmt.target, ast.Name):
        return {stmt.target.id}
    return set()
