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
the function returns.
"""

from __future__ import annotations

import ast


def release_dead_names(fdef: ast.FunctionDef) -> int:
    """Insert `del` statements into `fdef`'s body (in place); returns how many
    names they release."""
    params = {a.arg for a in (*fdef.args.posonlyargs, *fdef.args.args, *fdef.args.kwonlyargs)}
    captured = _captured(fdef)
    body = fdef.body
    loads = [_names(stmt, ast.Load) for stmt in body]
    stores = [_top_stores(stmt) for stmt in body]
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
            ast.copy_location(release, stmt)
            for node in ast.walk(release):
                ast.copy_location(node, stmt)
            new_body.append(release)
            count += len(names)
    fdef.body = new_body
    return count


def _names(node: ast.AST, ctx: type) -> set[str]:
    """Names `node` reads (ctx Load: an augmented assignment's target too) or binds."""
    found = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}
    if ctx is ast.Load:
        found |= {n.target.id for n in ast.walk(node)
                  if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)}
    return found


def _top_stores(stmt: ast.stmt) -> set[str]:
    """Names `stmt` certainly binds (a loop's or branch's inner bindings may
    not happen, so only plain assignments count)."""
    if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        return _names(stmt, ast.Store)
    return set()


def _captured(fdef: ast.FunctionDef) -> set[str]:
    """Names read inside nested functions, lambdas and generator expressions
    (which run later)."""
    found: set[str] = set()
    for node in ast.walk(fdef):
        if node is not fdef and isinstance(node, (ast.FunctionDef, ast.Lambda,
                                                  ast.AsyncFunctionDef, ast.GeneratorExp)):
            found |= _names(node, ast.Load)
    return found
