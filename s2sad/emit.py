"""Stage 4: from IR back to Python: an `ast.FunctionDef`, its source, and a
compiled function.

Readability comes from three things:
* names: each SSA value takes its user's name (`y`, then `y_1`, ...); a loop
  phi shares its name with its initial and next values, and a branch result
  with the values its branches yield, so there are no copies to read;
* folding: a temporary used once, in the same block, is written inline,
  so adjoints read `dx = dy * np.cos(x)` rather than a chain of temps;
* line numbers: every statement carries the user's line, so the compiled
  code's tracebacks point into the user's file.

The generated function refers to NumPy and the runtime helpers through
closure cells bound when it is built, so it never depends on, or clobbers,
the user's globals; the user's own closure cells are shared live.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import math
import types
from typing import Any

import numpy as np

from . import runtime
from .ir import (
    Assign,
    Block,
    Const,
    Function,
    If,
    Loop,
    Operand,
    Ref,
    Return,
    Var,
    uses,
    walk,
    walk_nested,
)

BIN = {"add": ast.Add, "sub": ast.Sub, "mul": ast.Mult, "truediv": ast.Div,
       "floordiv": ast.FloorDiv, "mod": ast.Mod, "pow": ast.Pow, "matmul": ast.MatMult,
       "and_": ast.BitAnd, "or_": ast.BitOr, "xor": ast.BitXor, "lshift": ast.LShift,
       "rshift": ast.RShift}
UNARY = {"neg": ast.USub, "pos": ast.UAdd, "not_": ast.Not, "invert": ast.Invert}
CMP = {"lt": ast.Lt, "le": ast.LtE, "gt": ast.Gt, "ge": ast.GtE, "eq": ast.Eq, "ne": ast.NotEq,
       "is_": ast.Is, "is_not": ast.IsNot}
OUR_MODULES = {"np": np, "math": math}
FOLDABLE_EFFECT_FREE = set(BIN) | set(UNARY) | set(CMP) | {"getitem", "index", "make_dict"}
MARKER = "__s2sad_comment__"


class _Tail:
    """Stands for the operands read just after a block (a while loop's test)."""

    def __init__(self, operands: list) -> None:
        self.operands = operands


def _uses_in(stmt: Any) -> list[Operand]:
    if isinstance(stmt, _Tail):
        return stmt.operands
    return uses(stmt)


class _BlockUses:
    """Where each value is read in one block's statements: directly (with
    repeats), or inside a nested region; and which statements write memory."""

    def __init__(self, stmts: list) -> None:
        self.direct: dict[Var, list[int]] = {}
        self.nested: dict[Var, list[int]] = {}
        self.mutating: list[int] = []
        for j, stmt in enumerate(stmts):
            for u in _uses_in(stmt):
                if isinstance(u, Var):
                    self.direct.setdefault(u, []).append(j)
            if isinstance(stmt, (If, Loop)):
                for s in walk_nested(stmt):
                    for u in _uses_in(s):
                        if isinstance(u, Var):
                            self.nested.setdefault(u, []).append(j)
            if _mutates(stmt):
                self.mutating.append(j)

    def last_use(self, v: Var, after: int) -> int | None:
        later = [j for j in self.direct.get(v, ()) if j > after]
        return max(later) if later else None


class Emitter:
    def __init__(self, fn: Function, free_names: set[str], user_module_aliases: dict[str, Any]):
        self.fn = fn
        self.names: dict[Var, str] = {}
        self.taken: set[str] = set(free_names) | set(keyword.kwlist)
        self.aliases: dict[str, str] = {}  # "$np" -> the name the generated code uses
        self.user_modules = user_module_aliases
        self.use_count: dict[Var, int] = {}
        self.inline: dict[Var, Assign] = {}
        self.comments = False

    # ------------------------------------------------------------ analysis

    def count_uses(self) -> None:
        for stmt in walk(self.fn.body):
            for u in _uses_in(stmt):
                if isinstance(u, Var):
                    self.use_count[u] = self.use_count.get(u, 0) + 1

    def alias(self, dollar_name: str) -> str:
        """The identifier the generated code uses for our `$np`, `$unbroadcast`, ..."""
        if dollar_name in self.aliases:
            return self.aliases[dollar_name]
        base = dollar_name[1:]
        obj = OUR_MODULES.get(base, getattr(runtime, base, None))
        if base in self.user_modules and self.user_modules[base] is obj:
            name = base  # the user's own `np` is NumPy: share the name
        else:
            name = base
            while name in self.taken:
                name = "_" + name
            self.taken.add(name)
        self.aliases[dollar_name] = name
        return name

    def choose_names(self) -> None:
        for p in self.fn.params:
            self.names[p] = p.hint
            self.taken.add(p.hint)
        webs = self._webs()
        for stmt in walk(self.fn.body):
            for v in _all_defs(stmt):
                if v in self.names or v in self.inline:
                    continue
                leader = webs.get(v, v)
                if leader in self.names:
                    self.names[v] = self.names[leader]
                    continue
                name = self._fresh(leader.hint or v.hint or "t")
                self.names[leader] = name
                self.names[v] = name

    def _fresh(self, base: str) -> str:
        base = base if base.isidentifier() else "t"
        name, n = base, 0
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        return name

    def _webs(self) -> dict[Var, Var]:
        """Vars that can share their phi's name: {var: phi}."""
        web: dict[Var, Var] = {}
        for stmt in walk(self.fn.body):
            if isinstance(stmt, Loop):
                for phi, init, nxt in zip(stmt.phis, stmt.inits, stmt.nexts):
                    if isinstance(nxt, Var) and nxt not in web and nxt not in self.inline \
                            and _defined_directly(stmt.body, nxt) \
                            and not _used_after_def(stmt.body, phi, nxt) \
                            and nxt not in self.fn.params:
                        web[nxt] = phi
                    if isinstance(init, Var) and init not in web and init not in self.inline \
                            and self.use_count.get(init, 0) == 1 and init not in self.fn.params \
                            and (init.hint == phi.hint or not init.hint) \
                            and self._only_yielded(init, web):
                        web[init] = phi
            elif isinstance(stmt, If):
                for out, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals):
                    for val, block in ((a, stmt.then), (b, stmt.orelse)):
                        if isinstance(val, Var) and val not in web and val not in self.inline \
                                and _defined_directly(block, val):
                            web[val] = out
        # `a[i] = v` writes in place: every version of the array has one name.
        for stmt in walk(self.fn.body):
            if isinstance(stmt, Assign) and stmt.prim == "setitem" and \
                    isinstance(stmt.args[0], Var):
                web[stmt.target] = stmt.args[0]
        # `dx_1 = dx + t` where dx dies there: keep accumulating into one name.
        for block in _blocks(self.fn.body):
            for stmt in block.stmts:
                if isinstance(stmt, Assign) and stmt.prim == "add" and stmt.target is not None \
                        and stmt.target not in web and stmt.target not in self.inline:
                    a = stmt.args[0]
                    if isinstance(a, Var) and a.hint and a.hint == stmt.target.hint \
                            and self.use_count.get(a, 0) == 1 and a not in self.inline \
                            and a not in self.fn.params and _defined_directly(block, a) \
                            and a not in web and self._only_yielded(a, web):
                        web[stmt.target] = a
        # follow chains to the root
        def root(v: Var) -> Var:
            seen = set()
            while v in web and v not in seen:
                seen.add(v)
                v = web[v]
            return v
        return {v: root(v) for v in web}

    def _only_yielded(self, v: Var, web: dict) -> bool:
        """Can v's name be reused after v dies? Not if values sharing v's name
        (a branch's yields) are still read elsewhere, e.g. by the backward pass."""
        return all(self.use_count.get(m, 0) <= 1 for m, root in web.items() if root is v)

    def choose_inline(self) -> None:
        self._choose_inline_block(self.fn.body)

    def _choose_inline_block(self, block: Block, tail: list | None = None) -> None:
        """Pick the temporaries of `block` to write inline. `tail` are operands
        read right after the block (a while loop's test)."""
        stmts = block.stmts + ([_Tail(tail)] if tail else [])
        index = _BlockUses(stmts)
        for i, stmt in enumerate(stmts):
            if isinstance(stmt, If):
                self._choose_inline_block(stmt.then)
                self._choose_inline_block(stmt.orelse)
            elif isinstance(stmt, Loop):
                self._choose_inline_block(stmt.header, [stmt.cond])
                self._choose_inline_block(stmt.body)
            if not isinstance(stmt, Assign) or stmt.target is None:
                continue
            v = stmt.target
            if v.hint and stmt.prim != "index":
                continue
            if stmt.prim in ("tape.pop", "tape.new", "call", "assert") or (
                stmt.prim not in FOLDABLE_EFFECT_FREE and not _pure_call(stmt)
            ):
                continue
            count = self.use_count.get(v, 0)
            if count != 1 and not (stmt.prim == "index" and count > 0):
                continue
            if self._used_later_in(index, i, v):
                self.inline[v] = stmt

    def _used_later_in(self, index: _BlockUses, i: int, v: Var) -> bool:
        """True if every use of v is in the block after statement i, at this
        level (not in a nested region, which may run many times or not at all),
        with no write into memory before the last one (moving the read past it
        could change what it reads)."""
        found = sum(1 for j in index.direct.get(v, ()) if j > i)
        if found == 0 or found != self.use_count.get(v, 0):
            return False
        if any(j > i for j in index.nested.get(v, ())):
            return False
        last = index.last_use(v, i)
        return not any(i < m < last for m in index.mutating)

    def resolve_name_clashes(self) -> None:
        """Values that share a name must not overlap in time. The webs are
        chosen from local facts; this pass runs the generated code's name
        bindings in program order and, where a read would find its name holding
        another value, gives the value that took the name one of its own (the
        copies at loop ends and branch joins then move it across)."""
        pinned = {v for stmt in walk(self.fn.body) if isinstance(stmt, Assign)
                  and stmt.prim == "setitem" for v in (stmt.target, stmt.args[0])}
        pinned |= set(self.fn.params)
        for _ in range(100):
            clash = _NameSimulation(self).run()
            if clash is None:
                return
            reader, holder = clash
            victim = holder if holder not in pinned else reader
            if victim in pinned:
                return  # (one array written in place: its versions are one object)
            self.names[victim] = self._fresh(victim.hint or "t")

    # ------------------------------------------------------------ expressions

    def operand(self, x: Operand) -> ast.expr:
        if isinstance(x, Var):
            if x in self.inline:
                return self.assign_expr(self.inline[x])
            return ast.Name(self.names.get(x, f"_undefined_{x.id}"), ast.Load())
        if isinstance(x, Ref):
            return self.dotted(x.name)
        return _const(x.value)

    def dotted(self, name: str) -> ast.expr:
        head, *rest = name.split(".")
        if head.startswith("$"):
            head = self.alias(head)
        node: ast.expr = ast.Name(head, ast.Load())
        for part in rest:
            node = ast.Attribute(node, part, ast.Load())
        return node

    def assign_expr(self, stmt: Assign) -> ast.expr:
        p, args = stmt.prim, stmt.args
        ops = [self.operand(a) for a in args]
        kws = [ast.keyword(k, self.operand(v)) for k, v in stmt.kwargs.items()]
        if p in BIN:
            return ast.BinOp(ops[0], BIN[p](), ops[1])
        if p in UNARY:
            return ast.UnaryOp(UNARY[p](), ops[0])
        if p in CMP:
            return ast.Compare(ops[0], [CMP[p]()], [ops[1]])
        if p == "contains":
            return ast.Compare(ops[1], [ast.In()], [ops[0]])
        if p == "copy":
            return ops[0]
        if p == "getitem":
            return ast.Subscript(ops[0], self.subscript(args[1]), ast.Load())
        if p == "index":
            return ast.Subscript(ast.Attribute(self.dotted("$np"), "s_", ast.Load()),
                                 self.index_slice(stmt), ast.Load())
        if p == "make_tuple":
            return ast.Tuple(ops, ast.Load())
        if p == "make_list":
            return ast.List(ops, ast.Load())
        if p == "make_dict":
            return ast.Dict([_const(k) for k in stmt.static], ops)
        if p == "list_append":
            return ast.BinOp(ops[0], ast.Add(), ast.List([ops[1]], ast.Load()))
        if p == "tape.new":
            return ast.List([], ast.Load())
        if p == "tape.pop":
            return _call(ast.Attribute(ops[0], "pop", ast.Load()), [], [])
        if p.startswith(".") and stmt.static == "attr":
            return ast.Attribute(ops[0], p[1:], ast.Load())
        if p.startswith(".") and stmt.callee is None:
            return _call(ast.Attribute(ops[0], p[1:], ast.Load()), ops[1:], kws)
        if p == "call" and stmt.callee is None:
            return _call(ops[0], ops[1:], kws)
        callee = stmt.callee or ("$" + p if p.startswith(("zeros_like", "$")) else p)
        if callee.startswith("$$"):
            callee = callee[1:]
        return _call(self.dotted(callee), ops, kws)

    def subscript(self, index: Operand) -> ast.expr:
        if isinstance(index, Var) and index in self.inline and self.inline[index].prim == "index":
            return self.index_slice(self.inline[index])
        return self.operand(index)

    def index_slice(self, stmt: Assign) -> ast.expr:
        args = iter(stmt.args)
        parts = []
        for kind in stmt.static:
            if kind == "v":
                parts.append(self.operand(next(args)))
            else:
                lo, hi, st = (self.operand(next(args)) if flag == "1" else None
                              for flag in kind[1:])
                parts.append(ast.Slice(lo, hi, st))
        return parts[0] if len(parts) == 1 else ast.Tuple(parts, ast.Load())

    # ------------------------------------------------------------ statements

    def block(self, block: Block) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        stmts = block.stmts
        i = 0
        while i < len(stmts):
            unpacked = self.unpack(stmts, i)
            if unpacked is not None:
                node, used = unpacked
                out.append(node)
                i += used
                continue
            out.extend(self.stmt(stmts[i]))
            i += 1
        return out

    def unpack(self, stmts: list, i: int) -> tuple[ast.stmt, int] | None:
        """`t = expr; a = t[0]; b = t[1]` (t used nowhere else) as `a, b = expr`."""
        head = stmts[i]
        if not (isinstance(head, Assign) and head.target is not None
                and head.target not in self.inline and head.prim not in ("setitem",)):
            return None
        t = head.target
        count = self.use_count.get(t, 0)
        items = stmts[i + 1:i + 1 + count]
        if count < 2 or len(items) < count or _known_length(head) != count:
            return None  # `a, b = t` is only right if t has exactly that many items
        for k, item in enumerate(items):
            if not (isinstance(item, Assign) and item.prim == "getitem" and item.args[0] is t
                    and isinstance(item.args[1], Const) and item.args[1].value == k
                    and item.target is not None and item.target not in self.inline):
                return None
        targets = [ast.Name(self.names[item.target], ast.Store()) for item in items]
        node = ast.Assign([ast.Tuple(targets, ast.Store())], self.assign_expr(head))
        if head.loc is not None:
            node.lineno = head.loc.line
        return node, 1 + count

    def stmt(self, stmt: Any) -> list[ast.stmt]:
        nodes = self._stmt(stmt)
        loc = getattr(stmt, "loc", None)
        for node in nodes:
            if loc is not None:
                for sub in ast.walk(node):
                    if isinstance(sub, (ast.stmt, ast.expr)) and not hasattr(sub, "lineno"):
                        sub.lineno = sub.end_lineno = loc.line
                        sub.col_offset = sub.end_col_offset = 0
        return nodes

    def _stmt(self, stmt: Any) -> list[ast.stmt]:
        if isinstance(stmt, Assign):
            if stmt.target is not None and stmt.target in self.inline:
                return []
            if stmt.prim == "assert":
                msg = self.operand(stmt.args[1]) if len(stmt.args) > 1 else None
                return [ast.Assert(self.operand(stmt.args[0]), msg)]
            if stmt.prim == "tape.push":
                call = _call(ast.Attribute(self.operand(stmt.args[0]), "append", ast.Load()),
                             [self.operand(stmt.args[1])], [])
                return [ast.Expr(call)]
            if stmt.prim in ("setitem", "setitem_restore", "zero_slice"):
                array = self.operand(stmt.args[0])
                value = _const(0.0) if stmt.prim == "zero_slice" else self.operand(stmt.args[2])
                if stmt.prim == "setitem" and stmt.target is not None:
                    array = ast.Name(self.names[stmt.target], ast.Load())
                target = ast.Subscript(array, self.subscript(stmt.args[1]), ast.Store())
                return [ast.Assign([target], value)]
            if stmt.prim == "marker":
                return [ast.Expr(ast.Constant(f"{MARKER}{stmt.static}"))] if self.comments else []
            value = self.assign_expr(stmt)
            if stmt.target is None:
                return [ast.Expr(value)]
            return [self.store(stmt.target, value)]
        if isinstance(stmt, If):
            return self.if_stmt(stmt)
        if isinstance(stmt, Loop):
            return self.loop_stmt(stmt)
        assert isinstance(stmt, Return)
        return [ast.Return(self.operand(stmt.value))]

    def store(self, v: Var, value: ast.expr) -> ast.stmt:
        return ast.Assign([ast.Name(self.names[v], ast.Store())], value)

    def copies(self, targets: list[Var], values: list[Operand]) -> list[ast.stmt]:
        pairs = [(t, v) for t, v in zip(targets, values)
                 if not (isinstance(v, Var) and self.names.get(v) == self.names[t])]
        if not pairs:
            return []
        if len(pairs) == 1:
            return [self.store(pairs[0][0], self.operand(pairs[0][1]))]
        return [ast.Assign([ast.Tuple([ast.Name(self.names[t], ast.Store()) for t, _ in pairs],
                                      ast.Store())],
                           ast.Tuple([self.operand(v) for _, v in pairs], ast.Load()))]

    def if_stmt(self, stmt: If) -> list[ast.stmt]:
        then = self.block(stmt.then) + self.copies(stmt.outs, stmt.then_vals)
        orelse = self.block(stmt.orelse) + self.copies(stmt.outs, stmt.else_vals)
        cond = self.operand(stmt.cond)
        if not then and not orelse:
            return [ast.Expr(cond)] if not isinstance(cond, (ast.Name, ast.Constant)) else []
        if not then:
            cond = _negate(cond)
            then, orelse = orelse, []
        return [ast.If(cond, then, orelse)]

    def loop_stmt(self, loop: Loop) -> list[ast.stmt]:
        pre = self.copies(loop.phis, loop.inits)
        body = self.block(loop.body) + self.copies(loop.phis, loop.nexts)
        if loop.range_args is not None:
            start, stop, step = loop.range_args
            args = [stop] if _is(start, 0) and _is(step, 1) else (
                [start, stop] if _is(step, 1) else [start, stop, step])
            bounds = [self.operand(a) for a in args]
            rng: ast.expr = _call(ast.Name("range", ast.Load()), bounds, [])
            if loop.reverse:
                rng = _call(ast.Name("reversed", ast.Load()), [rng], [])
            if loop.exit_flag is not None:
                body.append(ast.If(self.operand(loop.exit_flag), [ast.Break()], []))
            used = self.use_count.get(loop.index, 0) > 0
            target = self.names.get(loop.index) if used else "_"
            if used and target is None:
                target = self.names[loop.index] = self._fresh(loop.index.hint or "i")
            return pre + [ast.For(ast.Name(target, ast.Store()), rng, body or [ast.Pass()], [])]
        header = self.block(loop.header)
        cond = self.operand(loop.cond)
        if header:
            brk = ast.If(_negate(cond), [ast.Break()], [])
            return pre + [ast.While(ast.Constant(True), header + [brk] + body, [])]
        return pre + [ast.While(cond, body or [ast.Pass()], [])]

    # ------------------------------------------------------------ whole function

    def function(self, name: str, defaults: dict[str, ast.expr]) -> ast.FunctionDef:
        self.count_uses()
        self.choose_inline()
        for p in self.fn.params:
            self.taken.add(p.hint)
        self.choose_names()
        self.resolve_name_clashes()
        for stmt in walk(self.fn.body):
            if isinstance(stmt, Loop) and stmt.index is not None and stmt.index not in self.names:
                if self.use_count.get(stmt.index, 0):
                    self.names[stmt.index] = self._fresh(stmt.index.hint or "i")
        body = self.block(self.fn.body)
        n_pos = len(self.fn.params) - self.fn.kwonly
        positional, kwonly = self.fn.params[:n_pos], self.fn.params[n_pos:]
        default_nodes = []
        seen_default = False
        for p in positional:
            if p.hint in defaults:
                seen_default = True
                default_nodes.append(defaults[p.hint])
            elif seen_default:
                default_nodes.append(ast.Constant(None))
        args = ast.arguments(posonlyargs=[], args=[ast.arg(p.hint) for p in positional],
                             vararg=None, kwonlyargs=[ast.arg(p.hint) for p in kwonly],
                             kw_defaults=[defaults.get(p.hint) for p in kwonly], kwarg=None,
                             defaults=default_nodes)
        line = self.fn.loc.line if self.fn.loc else 1
        fdef = ast.FunctionDef(name=name, args=args, body=body or [ast.Pass()],
                               decorator_list=[], returns=None, type_comment=None, lineno=line,
                               col_offset=0)
        if hasattr(ast.FunctionDef, "type_params"):
            fdef.type_params = []
        _fill_locations(fdef, line)
        return fdef


class _Clash(Exception):
    def __init__(self, reader: Var, holder: Var) -> None:
        self.reader, self.holder = reader, holder


class _NameSimulation:
    """Which value each Python name holds as the emitted code runs."""

    def __init__(self, emitter: Emitter) -> None:
        self.e = emitter
        self.setitem_root: dict[Var, Var] = {}
        for stmt in walk(emitter.fn.body):
            if isinstance(stmt, Assign) and stmt.prim == "setitem" and \
                    isinstance(stmt.args[0], Var):
                self.setitem_root[stmt.target] = self._root(stmt.args[0])

    def _root(self, v: Var) -> Var:
        while v in self.setitem_root:
            v = self.setitem_root[v]
        return v

    def run(self) -> tuple[Var, Var] | None:
        holding = {self.e.names[p]: p for p in self.e.fn.params if p in self.e.names}
        try:
            self.block(self.e.fn.body, holding)
        except _Clash as clash:
            return clash.reader, clash.holder
        return None

    def read(self, x: Any, holding: dict) -> None:
        if not isinstance(x, Var):
            return
        if x in self.e.inline:
            for a in self.e.inline[x].operands():
                self.read(a, holding)
            return
        name = self.e.names.get(x)
        if name is None or name not in holding:
            return
        held = holding[name]
        if held is not x and self._root(held) is not self._root(x):
            raise _Clash(x, held)

    def define(self, v: Var, holding: dict) -> None:
        name = self.e.names.get(v)
        if name is not None and v not in self.e.inline:
            holding[name] = v

    def copies(self, targets: list, values: list, holding: dict) -> None:
        for value in values:
            self.read(value, holding)
        for t in targets:
            self.define(t, holding)

    def block(self, block: Block, holding: dict) -> None:
        for stmt in block.stmts:
            if isinstance(stmt, Assign):
                if stmt.target is not None and stmt.target in self.e.inline:
                    continue
                for a in stmt.operands():
                    self.read(a, holding)
                if stmt.target is not None:
                    self.define(stmt.target, holding)
            elif isinstance(stmt, If):
                self.read(stmt.cond, holding)
                after = dict(holding)
                for branch, values in ((stmt.then, stmt.then_vals),
                                       (stmt.orelse, stmt.else_vals)):
                    inner = dict(holding)
                    self.block(branch, inner)
                    self.copies(stmt.outs, values, inner)
                    after.update({k: v for k, v in inner.items() if holding.get(k) is not v})
                holding.clear()
                holding.update(after)
                for out in stmt.outs:
                    self.define(out, holding)
            elif isinstance(stmt, Loop):
                self.loop(stmt, holding)
            else:
                self.read(stmt.value, holding)

    def loop(self, loop: Loop, holding: dict) -> None:
        for a in loop.range_args or []:
            self.read(a, holding)
        self.copies(loop.phis, loop.inits, holding)
        # names the body assigns hold its last iteration's values at its top
        for stmt in [*walk(loop.header), *walk(loop.body)]:
            for v in _all_defs(stmt):
                self.define(v, holding)
        for phi in loop.phis:
            self.define(phi, holding)
        if loop.index is not None:
            self.define(loop.index, holding)
        self.block(loop.header, holding)
        self.read(loop.cond, holding)
        self.block(loop.body, holding)
        self.copies(loop.phis, loop.nexts, holding)
        self.read(loop.exit_flag, holding)


def _fill_locations(node: ast.AST, line: int) -> None:
    for sub in ast.walk(node):
        if isinstance(sub, (ast.stmt, ast.expr, ast.excepthandler, ast.arg, ast.keyword)):
            if not hasattr(sub, "lineno"):
                sub.lineno = line
            if not hasattr(sub, "col_offset"):
                sub.col_offset = 0
            sub.end_lineno = getattr(sub, "end_lineno", None) or sub.lineno
            sub.end_col_offset = getattr(sub, "end_col_offset", None) or sub.col_offset
            line = sub.lineno


def _known_length(stmt: Assign) -> int | None:
    if stmt.prim in ("make_tuple", "make_list"):
        return len(stmt.args)
    if stmt.prim in ("call_forward", "np.linalg.slogdet"):
        return 2
    return None


MUTATING = {"setitem", "setitem_restore", "zero_slice", "$add_at", "tape.pop"}


def _mutates(stmt: Any) -> bool:
    if isinstance(stmt, Assign):
        return stmt.prim in MUTATING
    return any(isinstance(s, Assign) and s.prim in MUTATING for s in walk_nested(stmt))


def _blocks(block: Block):
    yield block
    for stmt in block.stmts:
        if isinstance(stmt, If):
            yield from _blocks(stmt.then)
            yield from _blocks(stmt.orelse)
        elif isinstance(stmt, Loop):
            yield from _blocks(stmt.header)
            yield from _blocks(stmt.body)


def _all_defs(stmt: Any) -> list[Var]:
    from .ir import defs

    out = list(defs(stmt))
    if isinstance(stmt, Loop) and stmt.index is not None:
        out.append(stmt.index)
    return out


def _defined_directly(block: Block, v: Var) -> bool:
    return any(isinstance(s, Assign) and s.target is v for s in block.stmts) or any(
        v in s.outs for s in block.stmts if isinstance(s, If))


def _used_after_def(block: Block, phi: Var, nxt: Var) -> bool:
    """Is `phi` read after `nxt` is defined in `block` (which would clobber it)?"""
    after = False
    for stmt in block.stmts:
        if after:
            for s in [stmt, *walk_nested(stmt)]:
                if any(u is phi for u in _uses_in(s)):
                    return True
        if (isinstance(stmt, Assign) and stmt.target is nxt) or (
            isinstance(stmt, If) and nxt in stmt.outs
        ):
            after = True
            if isinstance(stmt, If) and any(u is phi for s in [stmt, *walk_nested(stmt)]
                                            for u in _uses_in(s)):
                # the branch yielding nxt may be assigned before phi's last read inside it
                return True
    return False


def _pure_call(stmt: Assign) -> bool:
    from . import rules

    if stmt.prim in ("make_tuple", "make_list"):
        return True
    rule = rules.rule_named(stmt.prim)
    return rule is not None and stmt.prim not in ("print",) and not stmt.prim.startswith("tape")


def _const(value: Any) -> ast.expr:
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return ast.Call(ast.Name("float", ast.Load()), [ast.Constant(repr(value))], [])
    if isinstance(value, tuple):
        return ast.Tuple([_const(v) for v in value], ast.Load())
    if value is Ellipsis:
        return ast.Constant(...)
    if isinstance(value, (int, float, complex, str, bytes, bool, type(None))):
        if isinstance(value, (int, float)) and value < 0:
            return ast.UnaryOp(ast.USub(), ast.Constant(-value))
        return ast.Constant(value)
    if isinstance(value, slice):
        return _call(ast.Name("slice", ast.Load()),
                     [_const(value.start), _const(value.stop), _const(value.step)], [])
    raise TypeError(f"cannot emit constant {value!r}")


def _call(func: ast.expr, args: list, keywords: list) -> ast.Call:
    return ast.Call(func, args, keywords)


def _negate(cond: ast.expr) -> ast.expr:
    if isinstance(cond, ast.UnaryOp) and isinstance(cond.op, ast.Not):
        return cond.operand
    return ast.UnaryOp(ast.Not(), cond)


def _is(x: Operand, value: int) -> bool:
    return isinstance(x, Const) and type(x.value) is int and x.value == value


# ---------------------------------------------------------------- compile


def build(fn: Function, user_fn: types.FunctionType, free_names: set[str],
          extra_defaults: tuple = (), user_params: bool = True,
          ) -> tuple[types.FunctionType, Source]:
    """Emit `fn`, compile it with the user's file name, and bind its free names.
    Returns the function and its readable source."""
    user_globals = user_fn.__globals__
    modules = {k: v for k, v in user_globals.items() if isinstance(v, types.ModuleType)}
    shown_defaults = _display_defaults(fn, user_fn) if user_params else {}
    emitter = Emitter(fn, free_names, modules)
    emitter.comments = True  # marker strings: no-ops when run, comments when shown
    fdef = emitter.function(fn.name, shown_defaults)
    source = Source(fdef)
    # Compile inside a factory whose parameters are the names we bind.
    bound = {alias: _resolve_dollar(dollar) for dollar, alias in emitter.aliases.items()
             if not (dollar[1:] in modules and modules[dollar[1:]] is _resolve_dollar(dollar))}
    closure_names = set(user_fn.__code__.co_freevars) | set(bound)
    factory = ast.FunctionDef(
        name="__s2sad_factory__",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in sorted(closure_names)],
                           vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
        body=[fdef, ast.Return(ast.Name(fdef.name, ast.Load()))],
        decorator_list=[], returns=None, type_comment=None,
    )
    if hasattr(ast.FunctionDef, "type_params"):
        factory.type_params = []
    _fill_locations(factory, fdef.lineno)
    module = ast.Module([factory], type_ignores=[])
    code = compile(module, user_fn.__code__.co_filename, "exec")
    factory_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    inner = next(c for c in factory_code.co_consts if isinstance(c, types.CodeType)
                 and c.co_name == fdef.name)
    cells = []
    user_free = dict(zip(user_fn.__code__.co_freevars, user_fn.__closure__ or ()))
    for name in inner.co_freevars:
        if name in user_free:
            cells.append(user_free[name])
        else:
            cells.append(types.CellType(bound[name]))
    defaults = tuple(user_fn.__defaults__ or ()) if user_params else ()
    kwdefaults = dict(user_fn.__kwdefaults__ or {}) if user_params else {}
    if fn.kwonly and extra_defaults:
        kwdefaults[fn.params[-1].hint] = extra_defaults[0]
    else:
        defaults += tuple(extra_defaults)
    func = types.FunctionType(inner, user_globals, fdef.name, defaults or None, tuple(cells))
    if kwdefaults:
        func.__kwdefaults__ = kwdefaults
    return func, source


class Source:
    """The generated function's source, unparsed only when someone asks for it."""

    def __init__(self, fdef: ast.FunctionDef) -> None:
        self.fdef = fdef
        self._text: str | None = None

    def __str__(self) -> str:
        if self._text is None:
            text = ast.unparse(self.fdef)
            self._text = "\n".join(_comment(line) for line in text.splitlines())
        return self._text


def _resolve_dollar(dollar: str) -> Any:
    base = dollar[1:]
    if base in OUR_MODULES:
        return OUR_MODULES[base]
    if hasattr(runtime, base):
        return getattr(runtime, base)
    return getattr(builtins, base)


def _display_defaults(fn: Function, user_fn: types.FunctionType) -> dict[str, ast.expr]:
    out = {}
    names = [p.hint for p in fn.params]
    user_defaults = user_fn.__defaults__ or ()
    n_user = user_fn.__code__.co_argcount
    user_names = list(user_fn.__code__.co_varnames[:n_user])
    pairs = list(zip(user_names[n_user - len(user_defaults):], user_defaults))
    pairs += list((user_fn.__kwdefaults__ or {}).items())
    for name, value in pairs:
        try:
            out[name] = _const(value)
        except TypeError:
            out[name] = ast.Name("...", ast.Load())
    n_user += user_fn.__code__.co_kwonlyargcount
    for name in names[n_user:]:
        default = fn.defaults.get(name)
        if isinstance(default, Const):
            out[name] = _const(default.value)
    return out


def _comment(line: str) -> str:
    stripped = line.strip().strip("'\"")
    if stripped.startswith(MARKER):
        indent = line[: len(line) - len(line.lstrip())]
        return f"{indent}# {stripped[len(MARKER):]}"
    return line
