"""The last stage: from IR back to Python, an `ast.FunctionDef`, its source,
and a compiled function.

Readability comes from three things:
* names (`naming.py`): each SSA value takes its user's name;
* folding: a temporary used once, in the same block, is written inline, so
  adjoints read `dx = dy * np.cos(x)` rather than a chain of temporaries;
* line numbers: every statement carries the user's line, so the compiled
  code's tracebacks point into the user's file.

Each primitive is printed by its `form` in the table: a function call, a
method call, an attribute, an operator, or (for the IR's own operations) a
subscript, a display, a tape operation. Names the generated code introduces
(NumPy, our helpers, `range`) are bound in closure cells when it is built, so
it never depends on, or clobbers, the user's globals; where the user's code
already names the same object (its own `np`), the generated code shares the
name, and `build` reports it so the caller can check it still holds.
"""

from __future__ import annotations

import ast
import inspect
import keyword
import math
import types
from collections.abc import Mapping
from typing import Any

from . import primitives
from .ir import (
    Assign,
    Block,
    Const,
    Function,
    If,
    Loop,
    Operand,
    OwnFunction,
    Ref,
    Var,
    largest_closed,
    regions,
    uses,
    walk,
    walk_nested,
)
from .naming import Naming
from .parsing import Binding, syntax_children
from .release import release_dead_names, without_releases

MARKER = "__s2sad_comment__"

# `y op= v` as the helper that gives its value without changing y (`augmented`)
_AUGMENTED = {ast.Add: "+=", ast.Sub: "-=", ast.Mult: "*=", ast.Div: "/=", ast.FloorDiv: "//=",
              ast.Mod: "%=", ast.Pow: "**=", ast.MatMult: "@=", ast.BitAnd: "&=",
              ast.BitOr: "|=", ast.BitXor: "^=", ast.LShift: "<<=", ast.RShift: ">>="}


class _Tail:
    """Stands for the operands read just after a block (a while loop's test)."""

    def __init__(self, operands: list) -> None:
        self.operands = operands


def _uses_in(stmt: Any) -> list[Operand]:
    return stmt.operands if isinstance(stmt, _Tail) else uses(stmt)


def _mutates(stmt: Any) -> bool:
    if isinstance(stmt, Assign):
        return primitives.get(stmt.prim).mutates
    return any(isinstance(s, Assign) and primitives.get(s.prim).mutates
               for s in walk_nested(stmt))


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


def foldable(stmt: Assign) -> bool:
    """May this statement be written inline at its one use? Not if it has an
    effect, or is one of our helpers (kept on their own lines to read)."""
    prim = primitives.get(stmt.prim)
    return not prim.effect and prim.form != "helper"


class Emitter:
    def __init__(self, fn: Function, free: Mapping[str, Binding],
                 helpers: Mapping[str, Any]) -> None:
        self.fn = fn
        self.free = free
        self.helpers = helpers
        self.taken: set[str] = set(free) | set(keyword.kwlist) | {p.hint for p in fn.params}
        self.aliases: dict[str, str] = {}  # "$np" -> the name the generated code uses
        self.bound: dict[str, Any] = {}  # names to bind in closure cells -> objects
        self.ref_objects: dict[str, Any] = {}  # `$name` Refs whose object the Ref holds
        self.shared: set[str] = set()  # the user's names the generated code reads too
        self.use_count: dict[Var, int] = {}
        self.inline: dict[Var, Assign] = {}
        self.names: dict[Var, str] = {}
        self.in_place: set[int] = set()  # ids of the user's `y op= v` written as such
        self.numbers: set[Var] = set()  # values known to be Python numbers
        self.comments = True  # marker strings: no-ops when run, comments when shown

    # ------------------------------------------------------------ analysis

    def count_uses(self) -> None:
        for stmt in walk(self.fn.body):
            for u in _uses_in(stmt):
                if isinstance(u, Var):
                    self.use_count[u] = self.use_count.get(u, 0) + 1
            if isinstance(stmt, Assign) and stmt.prim == "setitem" and \
                    isinstance(stmt.args[0], Var):
                # the array written into must exist by its name: never inline it
                self.use_count[stmt.args[0]] = self.use_count.get(stmt.args[0], 0) + 1

    def alias(self, dollar_name: str) -> str:
        """The identifier the generated code uses for our `$np`, `$unbroadcast`, ..."""
        if dollar_name in self.aliases:
            return self.aliases[dollar_name]
        base = dollar_name[1:]
        binding = self.free.get(base)
        imported = binding is not None and binding.where == "import"  # (in the function)
        obj = self.helpers[base] if base in self.helpers else \
            self.ref_objects[dollar_name] if dollar_name in self.ref_objects else \
            binding.value if imported else primitives.resolve_name(base)
        if binding is not None and binding.value is obj and not imported:
            name = base  # the user's own `np` is NumPy: share the name
            self.shared.add(base)
        else:
            name = base
            while name in self.taken:
                name = "_" + name
            self.taken.add(name)
            self.bound[name] = obj
        self.aliases[dollar_name] = name
        return name

    def choose_inline(self, block: Block, tail: list | None = None) -> None:
        """Pick the temporaries of `block` to write inline. `tail` are operands
        read right after the block (a while loop's test)."""
        stmts = block.stmts + ([_Tail(tail)] if tail else [])
        index = _BlockUses(stmts)
        for i, stmt in enumerate(stmts):
            if isinstance(stmt, If):
                self.choose_inline(stmt.then)
                self.choose_inline(stmt.orelse)
            elif isinstance(stmt, Loop):
                self.choose_inline(stmt.header, [stmt.cond])
                self.choose_inline(stmt.body)
            if not isinstance(stmt, Assign) or stmt.target is None:
                continue
            v = stmt.target
            if (v.hint and stmt.prim != "index") or not foldable(stmt):
                continue
            count = self.use_count.get(v, 0)
            if count != 1 and not (stmt.prim == "index" and count > 0):
                continue
            if self.used_later_in(index, i, v):
                self.inline[v] = stmt

    def used_later_in(self, index: _BlockUses, i: int, v: Var) -> bool:
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

    # ------------------------------------------------------------ expressions

    def operand(self, x: Operand) -> ast.expr:
        if isinstance(x, Var):
            if x in self.inline:
                return self.assign_expr(self.inline[x])
            return ast.Name(self.names.get(x, f"_undefined_{x.id}"), ast.Load())
        if isinstance(x, Ref):
            if x.name.startswith("$") and "." not in x.name and x.value is not None:
                return self.dotted(_bound_name(x, self.ref_objects))  # (a user's rule, say)
            return self.dotted(x.name)
        return self.const(x.value)

    def dotted(self, name: str) -> ast.expr:
        head, *rest = name.split(".")
        if head.startswith("$"):
            head = self.alias(head)
        node: ast.expr = ast.Name(head, ast.Load())
        for part in rest:
            node = ast.Attribute(node, part, ast.Load())
        return node

    def const(self, value: Any) -> ast.expr:
        if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
            return _call(self.dotted("$float"), [ast.Constant(repr(value))], [])
        if isinstance(value, tuple):
            return ast.Tuple([self.const(v) for v in value], ast.Load())
        if value is Ellipsis:
            return ast.Constant(...)
        if isinstance(value, (int, float, complex, str, bytes)) and \
                type(value) not in (int, float, complex, str, bytes, bool):
            return ast.Name(self.bind_constant(value), ast.Load())  # (an IntEnum's member)
        if isinstance(value, (int, float, complex, str, bytes, bool, type(None))):
            if isinstance(value, (int, float)) and value < 0:
                return ast.UnaryOp(ast.USub(), ast.Constant(-value))
            return ast.Constant(value)
        if isinstance(value, slice):
            bounds = [self.const(value.start), self.const(value.stop), self.const(value.step)]
            return _call(self.dotted("$slice"), bounds, [])
        raise TypeError(f"cannot emit constant {value!r}")

    def bind_constant(self, value: Any) -> str:
        """A name for a constant Python source cannot spell (a member of an
        IntEnum or a str Enum: a subclass of int or str), bound in a cell."""
        for name, bound in self.bound.items():
            if bound is value:
                return name
        name = type(value).__name__.lower() or "constant"
        while name in self.taken:
            name = "_" + name
        self.taken.add(name)
        self.bound[name] = value
        return name

    def assign_expr(self, stmt: Assign) -> ast.expr:
        prim = primitives.get(stmt.prim)
        ops = [self.operand(a) for a in stmt.args]
        kws = [ast.keyword(k, self.operand(v)) for k, v in stmt.kwargs.items()]
        if prim.form == "operator":
            op = getattr(ast, prim.operator)()
            if isinstance(op, ast.operator) and stmt.inplace and stmt.args[0] not in self.numbers:
                # `y op= v`: an array keeps its dtype and shape (NumPy's casting rules)
                symbol = ast.Constant(_AUGMENTED[type(op)])
                return _call(self.dotted("$augmented"), [ops[0], symbol, ops[1]], [])
            if isinstance(op, ast.operator):
                return ast.BinOp(ops[0], op, ops[1])
            if isinstance(op, ast.unaryop):
                return ast.UnaryOp(op, ops[0])
            return ast.Compare(ops[0], [op], [ops[1]])
        if prim.form == "attribute":
            return ast.Attribute(ops[0], prim.name[1:], ast.Load())
        if prim.form == "method":
            return _call(ast.Attribute(ops[0], prim.name[1:], ast.Load()), ops[1:], kws)
        if prim.form == "internal":
            return self.internal_expr(stmt, ops, kws)
        ref = stmt.callee if stmt.callee is not None else Ref("$" + prim.name)
        callee = ref.name
        if callee.startswith("$"):  # a call a rule wrote: arguments at their defaults go
            ops = ops[:_given(stmt.args, prim)]
            kws = [kw for kw, v in zip(kws, stmt.kwargs.values())
                   if not (isinstance(v, Const) and kw.arg in prim.defaults
                           and _equal(v.value, prim.default_of(kw.arg)))]
        return _call(self.operand(ref), ops, kws)  # (a Ref holding its object: bound)

    def internal_expr(self, stmt: Assign, ops: list, kws: list) -> ast.expr:
        """The IR's own operations, as Python syntax."""
        p, args = stmt.prim, stmt.args
        if p == "contains":
            return ast.Compare(ops[1], [ast.In()], [ops[0]])
        if p == "copy":
            return ops[0]
        if p == "getitem":
            return ast.Subscript(ops[0], self.subscript(args[1]), ast.Load())
        if p == "index":
            return ast.Subscript(ast.Attribute(self.dotted("$np"), "s_", ast.Load()),
                                 self.index_slice(stmt), ast.Load())
        if p == "getattr":  # (`getattr(obj, name)` of a name known when it runs)
            return ast.Attribute(ops[0], args[1].value, ast.Load()) \
                if isinstance(args[1], Const) else _call(self.dotted("$getattr"), ops[:2], [])
        if p == "call":
            return _call(ops[0], ops[1:], kws)
        if p == "make_tuple":
            return ast.Tuple(ops, ast.Load())
        if p == "make_list":
            return ast.List(ops, ast.Load())
        if p == "make_dict":
            return ast.Dict([self.const(k) for k in args[0].value], ops[1:])
        if p == "list_append":
            return ast.BinOp(ops[0], ast.Add(), ast.List([ops[1]], ast.Load()))
        if p in ("seq_concat", "seq_repeat"):
            op = ast.Add() if p == "seq_concat" else ast.Mult()
            return ast.BinOp(ops[0], op, ops[1])
        if p == "tape.new":
            return ast.List([], ast.Load())
        if p == "tape.pop":
            return _call(ast.Attribute(ops[0], "pop", ast.Load()), [], [])
        raise AssertionError(f"no expression form for {p}")

    def subscript(self, index: Operand) -> ast.expr:
        if isinstance(index, Var) and index in self.inline and self.inline[index].prim == "index":
            return self.index_slice(self.inline[index])
        return self.operand(index)

    def index_slice(self, stmt: Assign) -> ast.expr:
        layout, *rest = stmt.args
        values = iter(rest)
        parts = []
        for kind in layout.value:
            if kind == "v":
                parts.append(self.operand(next(values)))
            else:
                lo, hi, st = (self.operand(next(values)) if flag == "1" else None
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
                and head.target not in self.inline and head.prim != "setitem"):
            return None
        t = head.target
        count = self.use_count.get(t, 0)
        items = stmts[i + 1:i + 1 + count]
        known = primitives.get(head.prim).result_count(len(head.args))
        if count < 2 or len(items) < count or known != count:
            return None  # `a, b = t` is only right if t has exactly that many items
        for k, item in enumerate(items):
            if not (isinstance(item, Assign) and item.prim == "getitem" and item.args[0] is t
                    and isinstance(item.args[1], Const) and item.args[1].value == k
                    and item.target is not None and item.target not in self.inline):
                return None
        targets = [ast.Name(self.names[item.target], ast.Store()) for item in items]
        node = ast.Assign([ast.Tuple(targets, ast.Store())], self.assign_expr(head))
        if head.loc is not None:
            _locate(node, head.loc.line)
        return node, 1 + count

    def stmt(self, stmt: Any) -> list[ast.stmt]:
        nodes = self.stmt_nodes(stmt)
        loc = getattr(stmt, "loc", None)
        if loc is not None:
            for node in nodes:
                _locate(node, loc.line)
        return nodes

    def stmt_nodes(self, stmt: Any) -> list[ast.stmt]:
        if isinstance(stmt, If):
            return self.if_stmt(stmt)
        if isinstance(stmt, Loop):
            return self.loop_stmt(stmt)
        if not isinstance(stmt, Assign):
            return [ast.Return(self.operand(stmt.value))]
        if stmt.target is not None and stmt.target in self.inline:
            return []
        p = stmt.prim
        if p == "assert_":
            msg = self.operand(stmt.args[1]) if len(stmt.args) > 1 else None
            return [ast.Assert(self.operand(stmt.args[0]), msg)]
        if p == "tape.push":
            call = _call(ast.Attribute(self.operand(stmt.args[0]), "append", ast.Load()),
                         [self.operand(stmt.args[1])], [])
            return [ast.Expr(call)]
        if p == "setattr":  # `obj.name = value` (obj: the object's name, all versions)
            obj = ast.Name(self.names[stmt.target], ast.Load()) if stmt.target is not None \
                else self.operand(stmt.args[0])
            target = ast.Attribute(obj, stmt.args[1].value, ast.Store())
            return [ast.Assign([target], self.operand(stmt.args[2]))]
        if p in ("setitem", "setitem_restore", "zero_slice"):
            array = self.operand(stmt.args[0])
            value = self.const(0.0) if p == "zero_slice" else self.operand(stmt.args[2])
            if p == "setitem" and stmt.target is not None:
                array = ast.Name(self.names[stmt.target], ast.Load())
            target = ast.Subscript(array, self.subscript(stmt.args[1]), ast.Store())
            return [ast.Assign([target], value)]
        if p == "marker":
            text = f"{MARKER}{stmt.args[0].value}"
            return [ast.Expr(ast.Constant(text))] if self.comments else []
        if id(stmt) in self.in_place:
            op = getattr(ast, primitives.get(p).operator)()
            return [ast.AugAssign(ast.Name(self.names[stmt.target], ast.Store()), op,
                                  self.operand(stmt.args[1]))]
        value = self.assign_expr(stmt)
        if stmt.target is None:
            return [ast.Expr(value)]
        return [self.store(stmt.target, value)]

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
            rng: ast.expr = _call(self.dotted("$range"), [self.operand(a) for a in args], [])
            if loop.reverse:
                rng = _call(self.dotted("$reversed"), [rng], [])
            if loop.exit_flag is not None:
                body.append(ast.If(self.operand(loop.exit_flag), [ast.Break()], []))
            used = self.use_count.get(loop.index, 0) > 0
            target = self.names.get(loop.index) if used else None
            if target is None:  # (`_`, unless the code reads a `_` of the user's)
                read = set(self.free) | set(self.aliases.values()) | {
                    self.names[v] for v, n in self.use_count.items() if n and v in self.names}
                target = "_"
                while target in read:
                    target += "_"
                self.taken.add(target)  # (a name of ours given later takes another)
            return pre + [ast.For(ast.Name(target, ast.Store()), rng, body or [ast.Pass()], [])]
        header = self.block(loop.header)
        cond = self.operand(loop.cond)
        if header:
            brk = ast.If(_negate(cond), [ast.Break()], [])
            return pre + [ast.While(ast.Constant(True), header + [brk] + body, [])]
        return pre + [ast.While(cond, body or [ast.Pass()], [])]

    def find_in_place(self, block: Block) -> None:
        """The user's `y op= v` that can be written as such: the result takes
        y's name, and y is a number, or an array this block made (so nobody
        else holds it) that nothing else reads (the old value is not needed)."""
        made: set[Var] = set()
        for stmt in block.stmts:
            for sub in regions(stmt):
                self.find_in_place(sub)
            if not isinstance(stmt, Assign) or stmt.target is None:
                continue
            old = stmt.args[0] if stmt.args else None
            prim = primitives.get(stmt.prim)
            unshared = old in made and self.use_count.get(old) == 1
            if stmt.inplace and (unshared or old in self.numbers) and prim.form == "operator" \
                    and isinstance(getattr(ast, prim.operator)(), ast.operator) \
                    and old not in self.inline and stmt.target not in self.inline \
                    and self.names.get(old) == self.names.get(stmt.target):
                self.in_place.add(id(stmt))
            if prim.fresh:
                made.add(stmt.target)

    # ------------------------------------------------------------ whole function

    def function(self, name: str, defaults: dict[str, ast.expr]) -> ast.FunctionDef:
        self.count_uses()
        self.choose_inline(self.fn.body)
        self.names = Naming(self.fn, self.taken, self.use_count, self.inline,
                            set(self.free)).choose()
        self.numbers = _numbers(self.fn)
        self.find_in_place(self.fn.body)
        body = self.block(self.fn.body)
        posonly, positional, vararg, kwonly, varkw = parameter_groups(self.fn)
        default_nodes = []
        seen_default = False
        for p in [*posonly, *positional]:
            if p.hint in defaults:
                seen_default = True
                default_nodes.append(defaults[p.hint])
            elif seen_default:
                default_nodes.append(ast.Constant(None))
        names = self.names
        args = ast.arguments(posonlyargs=[ast.arg(names[p]) for p in posonly],
                             args=[ast.arg(names[p]) for p in positional],
                             vararg=ast.arg(names[vararg]) if vararg is not None else None,
                             kwonlyargs=[ast.arg(names[p]) for p in kwonly],
                             kw_defaults=[defaults.get(p.hint) for p in kwonly],
                             kwarg=ast.arg(names[varkw]) if varkw is not None else None,
                             defaults=default_nodes)
        line = self.fn.loc.line if self.fn.loc else 1
        while name in self.free:  # (not a name its code reads: the user's global `df`)
            name += "_"
        fdef = ast.FunctionDef(name=name, args=args, body=body or [ast.Pass()],
                               decorator_list=[], returns=None, type_comment=None)
        if hasattr(ast.FunctionDef, "type_params"):
            fdef.type_params = []
        _locate(fdef, line)  # (what has no line of its own: the function's)
        return fdef


def parameter_groups(fn: Function) -> tuple[list[Var], list[Var], Var | None, list[Var],
                                              Var | None]:
    """A function's parameters as its signature lists them: positional-only,
    the other positional ones, *args, keyword-only, **kwargs."""
    rest = [p for p in fn.params if p is not fn.vararg and p is not fn.varkw]
    n_pos = len(rest) - fn.kwonly
    return rest[:fn.posonly], rest[fn.posonly:n_pos], fn.vararg, rest[n_pos:], fn.varkw


def _numbers(fn: Function) -> set[Var]:
    """Values that are Python numbers however the code runs: constants, range
    counters, `len`, and operators, branch results and loop phis of numbers.
    (Optimistic: every candidate is a number until one of its operands is not.)"""
    made_from: dict[Var, list] = {}
    for stmt in walk(fn.body):
        if isinstance(stmt, Assign) and stmt.target is not None and not stmt.kwargs and \
                (stmt.prim == "len" or primitives.get(stmt.prim).form == "operator"):
            made_from[stmt.target] = [] if stmt.prim == "len" else list(stmt.args)
        elif isinstance(stmt, If):
            for out, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals):
                made_from[out] = [a, b]
        elif isinstance(stmt, Loop):
            for phi, init, nxt in zip(stmt.phis, stmt.inits, stmt.nexts):
                made_from[phi] = [init, nxt]
            if stmt.range_args is not None and stmt.index is not None:
                made_from[stmt.index] = []
    return largest_closed(made_from, set(),
                          lambda value: type(value) in (int, float, bool, complex))


def _locate(node: ast.AST, line: int) -> None:
    """Give `node` and its parts without a location the user's `line`. Parts
    that have one (nested statements, located when they were made) keep it,
    with everything under them."""
    todo = [node]
    while todo:
        node = todo.pop()
        if hasattr(node, "lineno"):
            continue
        if isinstance(node, _LOCATED):
            node.lineno = node.end_lineno = line
            node.col_offset = node.end_col_offset = 0
        todo.extend(syntax_children(node))


_LOCATED = (ast.stmt, ast.expr, ast.arg, ast.keyword)


def _given(args: list, prim: primitives.Primitive) -> int:
    """How many of a call's positional arguments are not trailing ones equal to
    the parameter's default."""
    n = len(args)
    while n > 0 and n <= len(prim.params) and isinstance(args[n - 1], Const) and \
            prim.params[n - 1] in prim.defaults and prim.kinds[prim.params[n - 1]] != "varargs" \
            and _equal(args[n - 1].value, prim.default_of(prim.params[n - 1])):
        n -= 1
    return n


def _equal(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _call(func: ast.expr, args: list, keywords: list) -> ast.Call:
    """`func(args, keywords)`; the keywords "*" and "**" hold a packed call's
    arguments (`f(*args, **kwargs)`)."""
    if any(k.arg in ("*", "**") for k in keywords):
        args = args + [ast.Starred(k.value, ast.Load()) for k in keywords if k.arg == "*"]
        keywords = [ast.keyword(None, k.value) if k.arg == "**" else k for k in keywords
                    if k.arg != "*"]
    return ast.Call(func, args, keywords)


def _negate(cond: ast.expr) -> ast.expr:
    if isinstance(cond, ast.UnaryOp) and isinstance(cond.op, ast.Not):
        return cond.operand
    return ast.UnaryOp(ast.Not(), cond)


def _is(x: Operand, value: int) -> bool:
    return isinstance(x, Const) and type(x.value) is int and x.value == value


# ---------------------------------------------------------------- compile


class Built:
    """A compiled function, its readable source (unparsed on demand; without
    the `del` statements that release arrays, see `release.py`), and the
    user's names its code reads too (shared with ours: `np`, `range`)."""

    def __init__(self, func: types.FunctionType, fdef: ast.FunctionDef, shared: set[str],
                 params: dict[str, str] | None = None):
        self.func = func
        self.fdef = fdef
        self.shared = shared
        # each parameter's name in the code, by its IR hint: a transform's own
        # (`dout`) is renamed where the user's code reads that name from outside
        self.params = params or {}
        self._text: str | None = None

    @property
    def source(self) -> str:
        if self._text is None:
            text = ast.unparse(without_releases(self.fdef))
            self._text = "\n".join(_comment(line) for line in text.splitlines())
        return self._text


def _bound_name(ref: Ref, bound: dict[str, Any]) -> str:
    """The `$name` under which a Ref's object is bound (in `bound`): its own,
    or, if another object took that one (two branches' errors), `$name_2`..."""
    name, k = ref.name, 1
    while bound.setdefault(name, ref.value) is not ref.value:
        k += 1
        name = f"{ref.name}_{k}"
    return name


def build(fn: Function, user_fn: types.FunctionType, free: Mapping[str, Binding],
          helpers: Mapping[str, Any],
          user_params: bool = True) -> Built:
    """Emit `fn`, compile it under the user's file name, and bind its names:
    the user's closure cells are shared live, ours get cells of their own."""
    emitter = Emitter(fn, free, helpers)
    shown_defaults = _display_defaults(fn, user_fn, emitter) if user_params else {}
    fdef = emitter.function(fn.name, shown_defaults)
    release_dead_names(fdef)
    closure_names = set(user_fn.__code__.co_freevars) | set(emitter.bound)
    factory = ast.FunctionDef(
        name="__s2sad_factory__",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in sorted(closure_names)],
                           vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
        body=[fdef, ast.Return(ast.Name(fdef.name, ast.Load()))],
        decorator_list=[], returns=None, type_comment=None,
    )
    if hasattr(ast.FunctionDef, "type_params"):
        factory.type_params = []
    for node in (factory, *factory.args.args):  # (fdef is located already)
        node.lineno = node.end_lineno = fdef.lineno
        node.col_offset = node.end_col_offset = 0
    _locate(factory.body[1], fdef.lineno)
    code = compile(ast.Module([factory], type_ignores=[]), user_fn.__code__.co_filename, "exec")
    factory_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    inner = next(c for c in factory_code.co_consts if isinstance(c, types.CodeType)
                 and c.co_name == fdef.name)
    user_free = dict(zip(user_fn.__code__.co_freevars, user_fn.__closure__ or ()))
    cells = tuple(user_free[name] if name in user_free else types.CellType(emitter.bound[name])
                  for name in inner.co_freevars)
    defaults = tuple(user_fn.__defaults__ or ()) if user_params else ()
    kwdefaults = dict(user_fn.__kwdefaults__ or {}) if user_params else {}
    n_user = _user_param_count(user_fn) if user_params else 0
    kwonly = parameter_groups(fn)[3]
    # (keyword-only parameters by the names the emitter gave them)
    emitted = dict(zip([p for p in fn.params if p in kwonly],
                       [a.arg for a in fdef.args.kwonlyargs]))
    for p in fn.params[n_user:]:  # the transform's own (a seed: 1.0)
        default = fn.defaults.get(p.hint)
        if isinstance(default, Const):
            if p in kwonly:
                kwdefaults[emitted.get(p, p.hint)] = default.value
            else:
                defaults += (default.value,)
    func = types.FunctionType(inner, user_fn.__globals__, fdef.name, defaults or None, cells)
    for name, cell in zip(inner.co_freevars, cells):
        if isinstance(emitter.bound.get(name), OwnFunction):  # (its calls of itself)
            cell.cell_contents = func
    if kwdefaults:
        func.__kwdefaults__ = kwdefaults
    return Built(func, fdef, emitter.shared, {p.hint: emitter.names[p] for p in fn.params})


def _user_param_count(user_fn: types.FunctionType) -> int:
    """How many parameters the user's function has, *args and **kwargs included."""
    code = user_fn.__code__
    return code.co_argcount + code.co_kwonlyargcount + \
        bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)


def _display_defaults(fn: Function, user_fn: types.FunctionType,
                      emitter: Emitter) -> dict[str, ast.expr]:
    out = {}
    user_defaults = user_fn.__defaults__ or ()
    n_user = user_fn.__code__.co_argcount
    user_names = list(user_fn.__code__.co_varnames[:n_user])
    pairs = list(zip(user_names[n_user - len(user_defaults):], user_defaults))
    pairs += list((user_fn.__kwdefaults__ or {}).items())
    for name, value in pairs:
        try:
            out[name] = emitter.const(value)
        except TypeError:
            out[name] = ast.Name("...", ast.Load())
    for p in fn.params[_user_param_count(user_fn):]:
        default = fn.defaults.get(p.hint)
        if isinstance(default, Const):
            out[p.hint] = emitter.const(default.value)
    return out


def _comment(line: str) -> str:
    stripped = line.strip().strip("'\"")
    if stripped.startswith(MARKER):
        indent = line[: len(line) - len(line.lstrip())]
        return f"{indent}# {stripped[len(MARKER):]}"
    return line
