"""The s2sad IR: a small, structured SSA form.

A `Function` has parameters and a body `Block`; a `Block` is a list of
statements. Every `Var` is assigned exactly once. Operands are `Var`s,
`Const`s (literal values) and `Ref`s (names the generated code looks up at
run time: a global array, a module, `math.pi`, or one of s2sad's helpers,
spelled with a leading `$`). A `Ref` also holds the object the name stood
for when the function was transformed, so passes can ask what it is.

Statements:

    Assign   v = prim(args..., key=arg...)      one primitive operation
    If       outs = if cond {then} else {orelse}  structured branch; each
             branch ends by yielding one operand per out (a structured phi)
    Loop     loop-carried vars: `phis` start as `inits`; each iteration runs
             `header` and tests `cond` (a while loop) or binds `index` to the
             next value of `range(*range_args)` (a range loop), then runs
             `body` and moves `nexts` into `phis`. After the loop the phis
             hold the final values, so later code simply uses them.
    Return   return value

`prim` names an entry of the table of primitives (`primitives/`): an operator
(`add`, `getitem`), a NumPy function (`np.exp`), a method (`.sum`), an
attribute (`.T`), a container (`make_tuple`), a call of a function without a
rule (`call`, callee first), or an operation the transforms add (`tape.push`,
`setitem_restore`). `callee` is how generated code spells the function a
call-like primitive calls (`np.exp`, or `e` after `from numpy import exp as
e`). `inplace` marks the user's in-place updates (`y *= c`, `a[i] = v`,
`lst.append(v)`), which change `args[0]`'s object in NumPy; an operator so
flagged has NumPy's in-place value (an array keeps its dtype and shape),
which the emitter writes as `y *= c` or `augmented(y, '*=', c)`.

Control flow is kept structured (no CFG) so the emitter gives back readable
`if`/`while`/`for` and the reverse transform can reverse regions one by one.
`str(function)` prints the IR; `s2sad show --ir` shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import Loc


@dataclass(eq=False)
class Var:
    """An SSA value. `hint` is the user's variable name, if it had one."""

    id: int
    hint: str = ""

    def __repr__(self) -> str:
        return f"%{self.hint}{self.id}" if self.hint else f"%{self.id}"


@dataclass(frozen=True)
class Const:
    """A literal value known when the function is transformed."""

    value: Any

    def __repr__(self) -> str:
        return repr(self.value)


@dataclass(frozen=True)
class Ref:
    """A name the generated code looks up at run time (`np.pi`, a global `W`,
    our `$unbroadcast`), and the object it named at transform time."""

    name: str
    value: Any = field(default=None, compare=False, hash=False)

    def __repr__(self) -> str:
        return f"@{self.name}"


class OwnFunction:
    """The value of a Ref naming the function being emitted itself (a
    recursive helper's half calling itself, `recursion.py`): `emit.build`
    binds the name to the function once it exists."""

    __slots__ = ()


Operand = Var | Const | Ref


@dataclass(eq=False)
class Assign:
    target: Var | None
    prim: str
    args: list[Operand]
    kwargs: dict[str, Operand] = field(default_factory=dict)
    callee: Ref | None = None
    loc: Loc | None = None
    inplace: bool = False

    def operands(self) -> list[Operand]:
        return [*self.args, *self.kwargs.values()]


@dataclass(eq=False)
class If:
    cond: Operand
    then: Block
    orelse: Block
    outs: list[Var] = field(default_factory=list)
    then_vals: list[Operand] = field(default_factory=list)
    else_vals: list[Operand] = field(default_factory=list)
    loc: Loc | None = None


@dataclass(eq=False)
class Loop:
    """A loop: a while loop (`cond` after `header`) or a range loop
    (`index` over `range(*range_args)`, backwards if `reverse`)."""

    phis: list[Var]
    inits: list[Operand]
    header: Block
    cond: Operand | None
    body: Block
    nexts: list[Operand]
    loc: Loc | None = None
    index: Var | None = None
    range_args: list[Operand] | None = None
    reverse: bool = False
    # A range loop with `break`: the phi that says to stop after this iteration.
    exit_flag: Var | None = None
    # The phi counting iterations, for loops whose backward pass replays a count.
    trips: Var | None = None


@dataclass(eq=False)
class Return:
    value: Operand
    loc: Loc | None = None


Stmt = Assign | If | Loop | Return


@dataclass(eq=False)
class Block:
    stmts: list[Stmt] = field(default_factory=list)

    def __iter__(self) -> Iterator[Stmt]:
        return iter(self.stmts)


@dataclass(eq=False)
class Function:
    name: str
    params: list[Var]
    body: Block
    defaults: dict[str, Operand] = field(default_factory=dict)
    loc: Loc | None = None
    kwonly: int = 0  # how many trailing params (before any added seed) are keyword-only
    # The rest of the signature: how many leading params are positional-only,
    # and the params taking `*args` (a tuple) and `**kwargs` (a dict). The
    # emitter lays the signature out: positional, *args, keyword-only, **kwargs.
    posonly: int = 0
    vararg: Var | None = None
    varkw: Var | None = None


class VarFactory:
    """Hands out fresh, uniquely numbered `Var`s for one function."""

    def __init__(self, start: int = 0) -> None:
        self.next_id = start

    def new(self, hint: str = "") -> Var:
        self.next_id += 1
        return Var(self.next_id, hint)


# ---------------------------------------------------------------- traversal


def regions(stmt: Stmt) -> list[Block]:
    """The blocks nested directly in `stmt`: an if's two sides, a loop's header
    and body, none for an Assign or a Return. Passes walk regions through this
    instead of testing statement kinds themselves."""
    if isinstance(stmt, If):
        return [stmt.then, stmt.orelse]
    if isinstance(stmt, Loop):
        return [stmt.header, stmt.body]
    return []


def walk(block: Block) -> Iterator[Stmt]:
    """Yield every statement in `block`, nested regions included, in order.
    (Every pass walks the IR, several times: the kinds are tested here by
    type, not through `regions`, as a transform's first call pays for it.)"""
    for stmt in block.stmts:
        yield stmt
        kind = type(stmt)
        if kind is If:
            yield from walk(stmt.then)
            yield from walk(stmt.orelse)
        elif kind is Loop:
            yield from walk(stmt.header)
            yield from walk(stmt.body)


def walk_nested(stmt: Stmt) -> Iterator[Stmt]:
    """Yield the statements inside `stmt`'s regions (none for an Assign)."""
    for region in regions(stmt):
        yield from walk(region)


def blocks(block: Block) -> Iterator[Block]:
    """`block` and every block nested in it."""
    yield block
    for stmt in block.stmts:
        for region in regions(stmt):
            yield from blocks(region)


def reachable(start: set, links: dict) -> set:
    """`start` and everything reachable from it along `links` ({v: successors})."""
    found, todo = set(start), list(start)
    while todo:
        for nxt in links.get(todo.pop(), ()):
            if nxt not in found:
                found.add(nxt)
                todo.append(nxt)
    return found


def largest_closed(rules: dict[Var, list[Operand]], given: set[Var],
                   constant: Callable[[Any], bool]) -> set[Var]:
    """The largest set of vars with a property, from how each gets it:
    `given` vars have it; a var of `rules` has it when every operand its
    rule lists does (a var of the set, or a constant `constant` accepts).
    Optimistic, as loops need (a phi is a number if its next value is): all
    candidates first, then drop those with an operand that is not one."""
    out = given | set(rules)
    changed = True
    while changed:
        changed = False
        for var, needs in rules.items():
            if var in out and var not in given and not all(
                    x in out if isinstance(x, Var) else isinstance(x, Const) and constant(x.value)
                    for x in needs):
                out.discard(var)
                changed = True
    return out


def uses(stmt: Stmt) -> list[Operand]:
    """The operands `stmt` itself reads (not those of nested statements)."""
    if isinstance(stmt, Assign):
        return stmt.operands()
    if isinstance(stmt, If):
        return [stmt.cond, *stmt.then_vals, *stmt.else_vals]
    if isinstance(stmt, Loop):
        head = [stmt.cond] if stmt.cond is not None else []
        flag = [stmt.exit_flag] if stmt.exit_flag is not None else []
        return [*stmt.inits, *head, *(stmt.range_args or []), *stmt.nexts, *flag]
    return [stmt.value]


def defs(stmt: Stmt) -> list[Var]:
    """The vars `stmt` itself defines (not those of nested statements): an
    assignment's target, an if's results, a loop's phis and its index."""
    if isinstance(stmt, Assign):
        return [stmt.target] if stmt.target is not None else []
    if isinstance(stmt, If):
        return list(stmt.outs)
    if isinstance(stmt, Loop):
        return [*stmt.phis, *([stmt.index] if stmt.index is not None else [])]
    return []


def display_item(read: Assign, items: list | None) -> Operand | None:
    """For `x = d[k]` with a constant int k, where `items` are the operands of
    the tuple or list display d: the item x is."""
    k = read.args[1].value if isinstance(read.args[1], Const) else None
    if items is None or type(k) is not int or not -len(items) <= k < len(items):
        return None
    return items[k]


def substitute(stmt: Stmt, mapping: dict[Var, Operand]) -> None:
    """Replace the operands `stmt` itself reads by `mapping` (in place)."""

    def sub(x: Any) -> Any:
        return mapping.get(x, x) if isinstance(x, Var) else x

    if isinstance(stmt, Assign):
        stmt.args = [sub(a) for a in stmt.args]
        stmt.kwargs = {k: sub(a) for k, a in stmt.kwargs.items()}
    elif isinstance(stmt, If):
        stmt.cond = sub(stmt.cond)
        stmt.then_vals = [sub(a) for a in stmt.then_vals]
        stmt.else_vals = [sub(a) for a in stmt.else_vals]
    elif isinstance(stmt, Loop):
        stmt.inits = [sub(a) for a in stmt.inits]
        stmt.nexts = [sub(a) for a in stmt.nexts]
        stmt.cond = sub(stmt.cond) if stmt.cond is not None else None
        stmt.range_args = [sub(a) for a in stmt.range_args] if stmt.range_args else \
            stmt.range_args
    else:
        stmt.value = sub(stmt.value)


def rename(block: Block, old: Var, new: Var) -> None:
    """Make `new` stand for `old` in `block`: where it is defined and read."""
    for stmt in walk(block):
        substitute(stmt, {old: new})
        if isinstance(stmt, Assign) and stmt.target is old:
            stmt.target = new
        elif isinstance(stmt, If):
            stmt.outs = [new if v is old else v for v in stmt.outs]
        elif isinstance(stmt, Loop):
            stmt.phis = [new if v is old else v for v in stmt.phis]


def is_const(x: Operand, value: float) -> bool:
    """Is x the number `value` written as a constant (an int or a float, not a bool)?"""
    return isinstance(x, Const) and type(x.value) in (int, float) and x.value == value


def use_counts(block: Block) -> dict[Var, int]:
    """How many times each var is read in `block`, nested regions included."""
    counts: dict[Var, int] = {}
    get = counts.get
    for stmt in walk(block):
        if type(stmt) is Assign:  # (most statements: their operands without a list)
            for u in stmt.args:
                if type(u) is Var:
                    counts[u] = get(u, 0) + 1
            if stmt.kwargs:
                for u in stmt.kwargs.values():
                    if type(u) is Var:
                        counts[u] = get(u, 0) + 1
            continue
        for u in uses(stmt):
            if isinstance(u, Var):
                counts[u] = get(u, 0) + 1
    return counts


def reads(stmts: list[Stmt]) -> set[Var]:
    """Vars read by `stmts` (nested ones included) that they do not define."""
    read, defined = set(), set()
    for top in stmts:
        for stmt in [top, *walk_nested(top)]:
            read.update(u for u in uses(stmt) if isinstance(u, Var))
            defined.update(defs(stmt))
    return read - defined


def defined(stmts: list[Stmt]) -> set[Var]:
    """Every var `stmts` define, nested regions included."""
    return {v for top in stmts for stmt in [top, *walk_nested(top)] for v in defs(stmt)}


def clone_block(block: Block) -> Block:
    """A copy of `block` with new statement and block objects (the same Vars),
    for passes that return a new function instead of editing their input."""
    out = []
    for stmt in block.stmts:
        if isinstance(stmt, Assign):
            out.append(Assign(stmt.target, stmt.prim, list(stmt.args), dict(stmt.kwargs),
                              stmt.callee, stmt.loc, stmt.inplace))
        elif isinstance(stmt, If):
            out.append(If(stmt.cond, clone_block(stmt.then), clone_block(stmt.orelse),
                          list(stmt.outs), list(stmt.then_vals), list(stmt.else_vals), stmt.loc))
        elif isinstance(stmt, Loop):
            out.append(Loop(list(stmt.phis), list(stmt.inits), clone_block(stmt.header),
                            stmt.cond, clone_block(stmt.body), list(stmt.nexts), stmt.loc,
                            stmt.index, list(stmt.range_args) if stmt.range_args else None,
                            stmt.reverse, stmt.exit_flag, stmt.trips))
        else:
            out.append(Return(stmt.value, stmt.loc))
    return Block(out)


def clone_function(fn: Function, body: Block | None = None) -> Function:
    return Function(fn.name, list(fn.params), body if body is not None else clone_block(fn.body),
                    dict(fn.defaults), fn.loc, fn.kwonly, fn.posonly, fn.vararg, fn.varkw)


# ---------------------------------------------------------------- printing


def format_assign(stmt: Assign) -> str:
    args = [repr(a) for a in stmt.args]
    args += [f"{k}={v!r}" for k, v in stmt.kwargs.items()]
    head = f"{stmt.target!r} = " if stmt.target is not None else ""
    mark = " (in place)" if stmt.inplace else ""
    return f"{head}{stmt.prim}({', '.join(args)}){mark}"


def _format_block(block: Block, indent: int, out: list[str]) -> None:
    pad = "  " * indent
    for stmt in block.stmts:
        line = stmt.loc.line if stmt.loc is not None else None
        where = f"  # line {line}" if line else ""
        if isinstance(stmt, Assign):
            out.append(f"{pad}{format_assign(stmt)}{where}")
        elif isinstance(stmt, If):
            outs = ", ".join(map(repr, stmt.outs))
            out.append(f"{pad}{outs + ' = ' if outs else ''}if {stmt.cond!r}:{where}")
            _format_block(stmt.then, indent + 1, out)
            out.append(f"{pad}  yield {', '.join(map(repr, stmt.then_vals))}")
            out.append(f"{pad}else:")
            _format_block(stmt.orelse, indent + 1, out)
            out.append(f"{pad}  yield {', '.join(map(repr, stmt.else_vals))}")
        elif isinstance(stmt, Loop):
            carried = ", ".join(f"{p!r} = {i!r}" for p, i in zip(stmt.phis, stmt.inits))
            if stmt.range_args is not None:
                rng = ", ".join(map(repr, stmt.range_args))
                rev = "reversed " if stmt.reverse else ""
                stop = f" until {stmt.exit_flag!r}" if stmt.exit_flag is not None else ""
                out.append(f"{pad}for {stmt.index!r} in {rev}range({rng}) ({carried}){stop}:"
                           f"{where}")
            else:
                out.append(f"{pad}loop ({carried}):{where}")
                _format_block(stmt.header, indent + 1, out)
                out.append(f"{pad}  while {stmt.cond!r}")
            _format_block(stmt.body, indent + 1, out)
            out.append(f"{pad}  next {', '.join(map(repr, stmt.nexts))}")
        else:
            out.append(f"{pad}return {stmt.value!r}{where}")


def format_function(fn: Function) -> str:
    marks = {id(fn.vararg): "*", id(fn.varkw): "**"}
    params = [marks.get(id(p), "") + repr(p) for p in fn.params]
    out = [f"def {fn.name}({', '.join(params)}):"]
    _format_block(fn.body, 1, out)
    return "\n".join(out)
