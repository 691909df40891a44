"""The s2sad IR: a small, structured SSA form.

A `Function` has parameters and a body `Block`; a `Block` is a list of
statements. Every `Var` is assigned exactly once. Operands are `Var`s,
`Const`s (literal values) and `Ref`s (names the generated code looks up at run
time in the user's globals or closure: a global array, a module, `math.pi`).

Statements:

    Assign   v = prim(args..., key=arg...)      one primitive operation
    If       outs = if cond {then} else {orelse}  structured branch; each
             branch ends by yielding one operand per out (a structured phi)
    Loop     while-loop with loop-carried vars: `phis` start as `inits`;
             each iteration runs `header` and tests `cond`, then runs `body`
             and moves `nexts` into `phis`. After the loop the phis hold the
             final values, so later code simply uses them.
    Return   return value

Control flow is kept structured (no CFG) so the emitter gives back readable
`if`/`while` and the reverse transform can reverse regions one by one.
`str(function)` prints the IR; `s2sad show --ir` shows it.

`prim` names the primitive: an operator (`add`, `mul`, `lt`, ...), a
registered function (`np.exp`, `math.sin`), a method (`.sum`), an attribute
(`.T`), indexing (`getitem`, `index`), a container (`tuple`, `list`), a tape
operation (`tape.push`, `tape.pop`), or `call` for a callee without a rule.
"""

from __future__ import annotations

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
    """A name looked up at run time: a global, a closure variable, `np.pi`."""

    name: str

    def __repr__(self) -> str:
        return f"@{self.name}"


Operand = Var | Const | Ref


@dataclass(eq=False)
class Assign:
    target: Var | None
    prim: str
    args: list[Operand]
    kwargs: dict[str, Operand] = field(default_factory=dict)
    callee: str | None = None  # how the generated code spells the callee, e.g. "np.exp"
    static: Any = None  # prim-specific data: an attribute name, an index layout
    loc: Loc | None = None

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
    """A loop. A while loop runs `header` and tests `cond` before each
    iteration. A range loop (`range_args` = [start, stop, step]) binds `index`
    to each value of the range instead, in reverse order if `reverse`."""

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
    # Set by the reverse transform on while loops: the phi counting iterations.
    trips: Var | None = None


@dataclass(eq=False)
class Return:
    value: Operand
    loc: Loc | None = None


Stmt = Assign | If | Loop | Return


@dataclass(eq=False)
class Block:
    stmts: list[Stmt] = field(default_factory=list)

    def __iter__(self):
        return iter(self.stmts)


@dataclass(eq=False)
class Function:
    name: str
    params: list[Var]
    body: Block
    defaults: dict[str, Operand] = field(default_factory=dict)
    loc: Loc | None = None
    kwonly: int = 0  # how many trailing params (before any added seed) are keyword-only


class VarFactory:
    """Hands out fresh, uniquely numbered `Var`s for one function."""

    def __init__(self, start: int = 0) -> None:
        self.next_id = start

    def new(self, hint: str = "") -> Var:
        self.next_id += 1
        return Var(self.next_id, hint)


# ---------------------------------------------------------------- traversal


def walk(block: Block):
    """Yield every statement in `block`, nested regions included, in order."""
    for stmt in block.stmts:
        yield stmt
        yield from walk_nested(stmt)


def walk_nested(stmt: Stmt):
    """Yield the statements inside `stmt`'s regions (none for an Assign)."""
    if isinstance(stmt, If):
        yield from walk(stmt.then)
        yield from walk(stmt.orelse)
    elif isinstance(stmt, Loop):
        yield from walk(stmt.header)
        yield from walk(stmt.body)


def reachable(start: set, links: dict) -> set:
    """`start` and everything reachable from it along `links` ({v: successors})."""
    found, todo = set(start), list(start)
    while todo:
        for nxt in links.get(todo.pop(), ()):
            if nxt not in found:
                found.add(nxt)
                todo.append(nxt)
    return found


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
    """The vars `stmt` itself defines (not those of nested statements)."""
    if isinstance(stmt, Assign):
        return [stmt.target] if stmt.target is not None else []
    if isinstance(stmt, If):
        return list(stmt.outs)
    if isinstance(stmt, Loop):
        return list(stmt.phis)
    return []


# ---------------------------------------------------------------- printing


def format_assign(stmt: Assign) -> str:
    args = [repr(a) for a in stmt.args]
    args += [f"{k}={v!r}" for k, v in stmt.kwargs.items()]
    head = f"{stmt.target!r} = " if stmt.target is not None else ""
    static = f"[{stmt.static}]" if stmt.static is not None else ""
    return f"{head}{stmt.prim}{static}({', '.join(args)})"


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
    out = [f"def {fn.name}({', '.join(map(repr, fn.params))}):"]
    _format_block(fn.body, 1, out)
    return "\n".join(out)
