"""Stage 2: lower a gast function into the structured SSA IR of `ir.py`.

Local variables live in an environment that maps each name to its current
SSA operand; assigning a name binds a new operand (SSA renaming). Branches
lower each side with its own copy of the environment and merge the names that
differ into the `If`'s results; loops carry the names they assign as phis.

Free names resolve the way Python resolves them (closure, globals,
builtins). Calls are matched to the rule registry by the function object they
resolve to, so `from numpy import exp as e` and `np.exp` are the same
primitive; the generated code still spells the call the way the user did.

The same expression lowering turns adjoint templates from `rules.py` into IR:
there, names resolve to the rule's bound operands, and `np`, `math` and the
runtime helpers are spelled with a leading `$` so the emitter can bind them to
names that cannot clash with the user's.
"""

from __future__ import annotations

import builtins
import inspect
import math
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from . import rules, runtime
from .aliasing import guard_inplace_updates
from .errors import Loc, UnsupportedSyntaxError
from .ir import Assign, Block, Const, Function, If, Loop, Operand, Ref, Return, Var, VarFactory
from .parsing import ParsedFunction, is_missing

BINOPS = {
    gast.Add: "add", gast.Sub: "sub", gast.Mult: "mul", gast.Div: "truediv",
    gast.FloorDiv: "floordiv", gast.Mod: "mod", gast.Pow: "pow", gast.MatMult: "matmul",
    gast.BitAnd: "and_", gast.BitOr: "or_", gast.BitXor: "xor", gast.LShift: "lshift",
    gast.RShift: "rshift",
}
UNARYOPS = {gast.USub: "neg", gast.UAdd: "pos", gast.Not: "not_", gast.Invert: "invert"}
CMPOPS = {
    gast.Lt: "lt", gast.LtE: "le", gast.Gt: "gt", gast.GtE: "ge", gast.Eq: "eq",
    gast.NotEq: "ne", gast.Is: "is_", gast.IsNot: "is_not", gast.In: "contains",
    gast.NotIn: "not_contains",
}

# What to say when a statement kind is not supported.
UNSUPPORTED = {
    gast.Try: "try/except is not differentiable by s2sad; move the differentiable "
    "computation out of the try block",
    gast.AsyncWith: "async code cannot be differentiated",
    gast.AsyncFor: "async code cannot be differentiated",
    gast.AsyncFunctionDef: "async code cannot be differentiated",
    gast.Global: "assigning globals inside a differentiated function is not supported; "
    "return the value instead",
    gast.Nonlocal: "assigning nonlocal variables is not supported; return the value instead",
    gast.Raise: "`raise` is not supported inside a differentiated function yet; "
    "check inputs before calling the gradient",
    gast.ClassDef: "define classes outside the differentiated function",
    gast.Import: "import modules at the top of the file, outside the function",
    gast.ImportFrom: "import modules at the top of the file, outside the function",
}


class Lowerer:
    """Lowers one parsed function (or one adjoint template) into IR."""

    def __init__(self, parsed: ParsedFunction | None, factory: VarFactory) -> None:
        self.parsed = parsed
        self.factory = factory
        self.env: dict[str, Operand] = {}
        self.block = Block()
        self.ref_objects: dict[str, Any] = {}
        self.guards: dict[str, Any] = {}  # free names whose identity picked a rule
        self.loc: Loc | None = None
        self.loops: list[str | None] = []  # break-flag names of the enclosing loops
        self.inline_depth = 0
        self.producers: dict[Var, Assign] = {}
        self.owned: set[Var] = set()  # phis and branch results that are owned arrays
        self.comprehensions = 0
        self.resolve_free: Callable[[str], Any] = parsed.lookup if parsed else _template_lookup

    # ------------------------------------------------------------ helpers

    def error(self, message: str, node: Any, hint: str = "") -> UnsupportedSyntaxError:
        loc = self.parsed.loc(node) if self.parsed is not None else None
        return UnsupportedSyntaxError(message, loc, hint)

    def emit(self, prim: str, args: list[Operand], kwargs: dict | None = None, *,
             hint: str = "", callee: str | None = None, static: Any = None,
             target: bool = True) -> Var | None:
        var = self.factory.new(hint) if target else None
        stmt = Assign(var, prim, list(args), dict(kwargs or {}), callee, static, self.loc)
        self.block.stmts.append(stmt)
        if var is not None:
            self.producers[var] = stmt
        return var

    def set_loc(self, node: Any) -> None:
        if self.parsed is not None and hasattr(node, "lineno"):
            self.loc = self.parsed.loc(node)

    # ------------------------------------------------------------ functions

    def lower_function(self) -> Function:
        assert self.parsed is not None
        node = self.parsed.node
        self.set_loc(node)
        args = node.args
        if args.vararg or args.kwarg or args.posonlyargs:
            raise self.error(
                "*args, **kwargs and positional-only parameters are not supported yet",
                node, "give the function plain parameters (keyword-only ones are fine)",
            )
        params = []
        for arg in [*args.args, *args.kwonlyargs]:
            var = self.factory.new(arg.id)
            params.append(var)
            self.env[arg.id] = var
        defaults = {}
        for arg, default in zip(args.args[len(args.args) - len(args.defaults):], args.defaults):
            defaults[arg.id] = Const(_literal(default))
        if isinstance(node, gast.Lambda):
            result = self.expr(node.body, hint="")
            returned = result
        else:
            returned = self.stmts(node.body)
            if returned is None:
                returned = Const(None)
        self.block.stmts.append(Return(returned, self.loc))
        return Function(node.name if hasattr(node, "name") else "lambda", params, self.block,
                        defaults, self.parsed.loc(node), kwonly=len(args.kwonlyargs))

    # ------------------------------------------------------------ statements

    def stmts(self, body: list, cont: list = ()) -> Operand | None:
        """Lower `body` into the current block.

        At function level, returns the returned operand when every path
        through `body` returns, else None. Inside a loop body, returns EXIT
        once the rest of the body has been lowered (after a break, continue or
        return), else None. `cont` are the statements that follow `body`: an
        `if` with an exit inside takes them into the side that falls through,
        so control flow stays structured and each function has one `Return`."""
        in_loop = bool(self.loops)
        for i, node in enumerate(body):
            self.set_loc(node)
            rest = [*body[i + 1:], *cont]
            if isinstance(node, _Continue):
                result = self.stmts(node.body)
                return result if result is not None or in_loop else Const(None)
            if isinstance(node, gast.Return):
                value = self.expr(node.value) if node.value is not None else Const(None)
                if not in_loop:
                    return value
                self.env[RET], self.env[RETVAL] = Const(True), value
                self.env[self.loops[-1]] = Const(True)
                return EXIT
            if isinstance(node, gast.Break):
                self.env[self.loops[-1]] = Const(True)
                return EXIT
            if isinstance(node, gast.Continue):
                return EXIT
            if isinstance(node, gast.If) and _exits(node, in_loop):
                if in_loop:
                    self.if_exit(node, rest)
                    return EXIT
                return self.if_early(node, rest)
            if isinstance(node, gast.If):
                self.if_stmt(node)
                continue
            self.stmt(node)
            if isinstance(node, (gast.While, gast.For)) and _contains_return(node):
                return self.after_returning_loop(rest)
        return None

    def after_returning_loop(self, rest: list) -> Operand:
        """After a loop that may have returned: return (or, in an enclosing loop,
        leave it too) if it did, else go on with `rest`."""
        flag = self.env[RET]
        stmt = If(flag, Block(), Block(), loc=self.loc)
        saved_block, saved_env = self.block, self.env
        if self.loops:
            self.block, self.env = stmt.then, dict(saved_env)
            self.env[self.loops[-1]] = Const(True)
            then_env = self.env
            self.block, self.env = saved_block, saved_env
            stmt.orelse, else_env, _ = self.branch([_Continue(rest)])
            self._merge(stmt, then_env, else_env)
            self.block.stmts.append(stmt)
            return EXIT
        then_val = self.env[RETVAL]
        stmt.orelse, _, else_val = self.branch([_Continue(rest)])
        out = self.factory.new("result")
        stmt.outs, stmt.then_vals, stmt.else_vals = [out], [then_val], [else_val]
        self.block.stmts.append(stmt)
        return out

    def if_exit(self, node: gast.If, rest: list) -> None:
        """An if inside a loop with a break/continue/return: the rest of the
        body goes into each side that falls through; the sides' names merge."""
        cond = self.expr(node.test, hint="cond")
        stmt = If(cond, Block(), Block(), loc=self.loc)
        stmt.then, then_env, _ = self.branch([*node.body, _Continue(rest)])
        stmt.orelse, else_env, _ = self.branch([*node.orelse, _Continue(rest)])
        self._merge(stmt, then_env, else_env)
        self.block.stmts.append(stmt)

    def stmt(self, node: Any) -> None:
        kind = type(node)
        if kind in UNSUPPORTED:
            raise self.error(f"unsupported statement: {kind.__name__.lower()}", node,
                             UNSUPPORTED[kind])
        if isinstance(node, gast.Assign):
            value = self.expr(node.value, hint=_target_hint(node.targets))
            for target in node.targets:
                self.assign(target, value)
        elif isinstance(node, gast.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.expr(node.value, hint=_target_hint([node.target])))
        elif isinstance(node, gast.AugAssign):
            self.aug_assign(node)
        elif isinstance(node, gast.Expr):
            if isinstance(node.value, gast.Constant):
                return  # docstring or bare constant
            self.expr(node.value, effect=True)
        elif isinstance(node, gast.Pass):
            return
        elif isinstance(node, gast.With):
            self.with_stmt(node)
        elif isinstance(node, gast.Assert):
            test = self.expr(node.test)
            args = [test] + ([self.expr(node.msg)] if node.msg is not None else [])
            self.emit("assert", args, target=False)
        elif isinstance(node, gast.While):
            self.while_stmt(node)
        elif isinstance(node, gast.For):
            self.for_stmt(node)
        elif isinstance(node, gast.Delete):
            for target in node.targets:
                if isinstance(target, gast.Name):
                    self.env.pop(target.id, None)
                else:
                    raise self.error("only `del name` is supported", node,
                                     "drop the `del` statement")
        elif isinstance(node, gast.FunctionDef):
            if node.decorator_list:
                raise self.error("decorated local functions are not supported", node,
                                 "define the helper at module level")
            self.env[node.name] = LocalFunction(node)
        else:
            raise self.error(f"unsupported statement: {kind.__name__}", node,
                             "rewrite it with assignments, if, while and for")

    def with_stmt(self, node: gast.With) -> None:
        """`with cm: body` runs body between cm.__enter__() and cm.__exit__(...).
        The backward pass runs after the block, outside the context, which is
        right for the contexts numerical code uses (np.errstate, timers, logs)."""
        if any(isinstance(n, (gast.Return, gast.Break, gast.Continue))
               for stmt in node.body for n in gast.walk(stmt)):
            raise self.error("return, break or continue inside a `with` block is not "
                             "supported", node, "move it after the with block")
        managers = []
        for item in node.items:
            manager = self.expr(item.context_expr, hint="context")
            entered = self.emit(".__enter__", [manager], static="method")
            if item.optional_vars is not None:
                self.assign(item.optional_vars, entered)
            managers.append(manager)
        self.stmts(node.body)
        for manager in reversed(managers):
            self.emit(".__exit__", [manager, Const(None), Const(None), Const(None)],
                      static="method", target=False)

    def assign(self, target: Any, value: Operand) -> None:
        if isinstance(target, gast.Name):
            self.env[target.id] = value
        elif isinstance(target, (gast.Tuple, gast.List)):
            if any(isinstance(t, gast.Starred) for t in target.elts):
                raise self.error("starred assignment is not supported", target,
                                 "unpack into a fixed number of names")
            for i, sub in enumerate(target.elts):
                hint = sub.id if isinstance(sub, gast.Name) else ""
                item = self.emit("getitem", [value, Const(i)], hint=hint)
                self.assign(sub, item)
        elif isinstance(target, gast.Subscript):
            array, index = self._subscript_target(target)
            self.env[target.value.id] = self.emit("setitem", [array, index, value],
                                                  hint=target.value.id, static="inplace")
        elif isinstance(target, gast.Attribute):
            raise self.error("assigning attributes is not supported", target,
                             "keep the value in a local variable")
        else:
            raise self.error(f"cannot assign to {type(target).__name__}", target)

    def _subscript_target(self, target: gast.Subscript) -> tuple[Operand, Operand]:
        """The array and index of `a[index] = ...`; an array the function does not
        own (an argument, a global, a view) is copied first, so the caller's data
        never changes."""
        if not isinstance(target.value, gast.Name) or target.value.id not in self.env:
            raise self.error("only a local variable can be assigned into (`a[i] = v`)", target,
                             "copy the array into a local variable first: a = x.copy()")
        name = target.value.id
        array = self.env[name]
        if isinstance(target.slice, gast.Slice) and self._is_list(array):
            raise self.error("assigning into a slice of a list is not supported", target,
                             "build the new list: lst = lst[:i] + [v] + lst[j:]")
        if not self._owns(array):
            array = self.emit("own", [array], hint=name, callee="$own")
            self.env[name] = array
        return array, self.index(target.slice)

    def _owns(self, value: Operand) -> bool:
        """Is `value` an array (or list) this function allocated itself?"""
        if not isinstance(value, Var):
            return False
        if value in self.owned:
            return True
        stmt = self._producer(value)
        if stmt is None:
            return False
        if stmt.prim in FRESH or stmt.prim in BINOPS.values() or stmt.prim in UNARYOPS.values():
            return True
        rule = rules.rule_named(stmt.prim)
        return rule is not None and rule.elementwise

    def _is_list(self, value: Operand, depth: int = 0) -> bool:
        """Known to be a list built here (a display, appends, joins)."""
        stmt = self._producer(value) if isinstance(value, Var) else None
        if stmt is None or depth > 50:
            return False
        if stmt.prim in ("make_list", "list_append"):
            return True
        return stmt.prim == "add" and any(self._is_list(a, depth + 1) for a in stmt.args)

    def _producer(self, value: Var) -> Assign | None:
        return self.producers.get(value)

    def aug_assign(self, node: gast.AugAssign) -> None:
        target = node.target
        if isinstance(target, gast.Subscript):
            array, index = self._subscript_target(target)
            old = self.emit("getitem", [array, index])
            new = self.emit(BINOPS[type(node.op)], [old, self.expr(node.value)])
            self.env[target.value.id] = self.emit("setitem", [array, index, new],
                                                  hint=target.value.id, static="inplace")
            return
        if not isinstance(target, gast.Name):
            self.assign(target, Const(None))  # raises the right error
        current = self.name(target)
        value = self.expr(node.value)
        self._check_repetition(node, current, value)
        self.env[target.id] = self.emit(BINOPS[type(node.op)], [current, value], hint=target.id,
                                        static="aug")

    # ------------------------------------------------------------ control flow

    def branch(self, body: list) -> tuple[Block, dict, Operand | None]:
        """Lower one side of an if into a fresh block with a copy of the env."""
        saved_block, saved_env = self.block, self.env
        self.block, self.env = Block(), dict(saved_env)
        returned = self.stmts(body)
        block, env = self.block, self.env
        self.block, self.env = saved_block, saved_env
        return block, env, returned

    def if_stmt(self, node: gast.If) -> None:
        cond = self.expr(node.test, hint="cond")
        stmt = If(cond, Block(), Block(), loc=self.loc)
        stmt.then, then_env, _ = self.branch(node.body)
        stmt.orelse, else_env, _ = self.branch(node.orelse)
        self._merge(stmt, then_env, else_env)
        self.block.stmts.append(stmt)

    def if_early(self, node: gast.If, rest: list) -> Operand:
        """An if with a return inside: the statements after it are lowered into
        each side that falls through, and the If yields the returned value."""
        cond = self.expr(node.test, hint="cond")
        stmt = If(cond, Block(), Block(), loc=self.loc)
        stmt.then, _, then_ret = self.branch([*node.body, _Continue(rest)])
        stmt.orelse, _, else_ret = self.branch([*node.orelse, _Continue(rest)])
        out = self.factory.new("result")
        stmt.outs, stmt.then_vals, stmt.else_vals = [out], [then_ret], [else_ret]
        self.block.stmts.append(stmt)
        return out

    def _merge(self, stmt: If, then_env: dict, else_env: dict) -> None:
        for name in sorted(set(then_env) | set(else_env)):
            a, b = then_env.get(name), else_env.get(name)
            if a is b:
                if a is not None:
                    self.env[name] = a
                continue
            if isinstance(a, LocalFunction) or isinstance(b, LocalFunction):
                raise self.error(f"the local function {name!r} is defined differently on the "
                                 "two sides of an if", self.parsed.node if self.parsed else None,
                                 "define it once, before the if")
            out = self.factory.new(_hint(name))
            if self._owns(a) and self._owns(b):
                self.owned.add(out)
            stmt.outs.append(out)
            stmt.then_vals.append(a if a is not None else Const(None))
            stmt.else_vals.append(b if b is not None else Const(None))
            self.env[name] = out

    def _loop(self, node: Any, carried: list[str], lower_head: Callable, lower_body: Callable,
              loop: Loop) -> None:
        flag = None
        if _loop_exits(node.body):
            flag = f"<break{len(self.loops)}>"
            self.env[flag] = Const(False)
            carried = [*carried, flag]
        if _contains_return(node):
            self.env.setdefault(RET, Const(False))
            self.env.setdefault(RETVAL, Const(None))
            carried = [*carried, RET, RETVAL]
        loop.phis = [self.factory.new(_hint(name)) for name in carried]
        loop.inits = [self.env.get(name, Const(None)) for name in carried]
        for phi, init in zip(loop.phis, loop.inits):
            if self._owns(init):
                self.owned.add(phi)  # checked against the next value below
        for name, phi in zip(carried, loop.phis):
            self.env[name] = phi
        saved_block = self.block
        self.block = loop.header
        if flag is not None and loop.range_args is None:
            stopped = self.env[flag]
            loop.cond = self._select(stopped, lambda: Const(False), lower_head, "")
        else:
            lower_head()
        self.block = loop.body
        saved_env = dict(self.env)
        self.loops.append(flag)
        lower_body()
        self.loops.pop()
        loop.nexts = [self.env.get(name, Const(None)) for name in carried]
        for phi, nxt in zip(loop.phis, loop.nexts):
            if phi in self.owned and nxt is not phi and not self._owns(nxt):
                self.owned.discard(phi)
                if any(isinstance(s, Assign) and s.prim == "setitem" and s.args[0] is phi
                       for s in loop.body.stmts):
                    raise self.error(
                        f"{phi.hint!r} is written into in place and also rebound to another "
                        "array inside this loop", node,
                        f"keep one array: copy with {phi.hint} = other.copy() before writing")
        if flag is not None and loop.range_args is not None:
            loop.exit_flag = loop.phis[carried.index(flag)]
        self.env = saved_env
        self.block = saved_block
        self.block.stmts.append(loop)

    def while_stmt(self, node: gast.While) -> None:
        if node.orelse:
            raise self.error("`while ... else` is not supported", node, "drop the else clause")
        carried = _assigned_names(node.body)
        loop = Loop([], [], Block(), Const(True), Block(), [], loc=self.loc)

        def head() -> Operand:
            loop.cond = self.expr(node.test)
            return loop.cond

        self._loop(node, carried, head, lambda: self.stmts(node.body), loop)

    def for_stmt(self, node: gast.For) -> None:
        if node.orelse:
            raise self.error("`for ... else` is not supported", node, "drop the else clause")
        start, stop, step, bind_items = self._iteration(node)
        carried = _assigned_names(node.body)
        # The target keeps its last value after the loop, as in Python.
        carried += [n for n in _names_in_target(node.target) if n not in carried]
        index = self.factory.new(node.target.id if isinstance(node.target, gast.Name)
                                 and bind_items is None else "k")
        loop = Loop([], [], Block(), None, Block(), [], loc=self.loc)
        loop.index = index
        loop.range_args = [start, stop, step]

        def body() -> None:
            if bind_items is None:
                self.assign(node.target, index)
            else:
                bind_items(index, node.target)
            self.stmts(node.body)

        self._loop(node, carried, lambda: None, body, loop)

    def _iteration(self, node: gast.For):
        """How a for loop iterates: (start, stop, step, bind) where bind(index,
        target) assigns the loop target from the counter, or None for a range."""
        it = node.iter
        if isinstance(it, gast.Call) and self.resolve_callee_object(it.func) is range \
                and not it.keywords:
            args = [self.expr(a) for a in it.args]
            if len(args) == 1:
                return Const(0), args[0], Const(1), None
            if len(args) == 2:
                return args[0], args[1], Const(1), None
            return args[0], args[1], args[2], None
        stop, bind = self._sequence(it)
        return Const(0), stop, Const(1), bind

    def _sequence(self, it: Any) -> tuple[Operand, Callable]:
        """(length, bind(index, target)) for iterating `it` by position:
        enumerate and zip nest; anything else is indexed (a generator or dict
        view is first made a list)."""
        fn = self.resolve_callee_object(it.func) if isinstance(it, gast.Call) else None
        if fn is enumerate and 1 <= len(it.args) <= 2 and not it.keywords:
            stop, inner = self._sequence(it.args[0])
            start = self.expr(it.args[1]) if len(it.args) == 2 else Const(0)

            def bind_enumerate(index: Var, target: Any) -> None:
                count, item = self._pair(target, 2)
                self.assign(count, index if _is_zero(start) else
                            self.emit("add", [index, start], hint="count"))
                inner(index, item)

            return stop, bind_enumerate
        if fn is zip and it.args and not it.keywords:
            parts = [self._sequence(a) for a in it.args]
            stops = [p[0] for p in parts]
            stop = stops[0] if len(stops) == 1 else self.emit("call", stops, callee="min",
                                                              hint="n", static=min)

            def bind_zip(index: Var, target: Any) -> None:
                for sub, (_, inner) in zip(self._pair(target, len(parts)), parts):
                    inner(index, sub)

            return stop, bind_zip
        if isinstance(it, gast.Call) and isinstance(it.func, gast.Attribute) and \
                it.func.attr in ("items", "values", "keys") and not it.args and \
                not it.keywords:
            return self._dict_view(self.expr(it.func.value), it.func.attr)
        seq = self.expr(it, hint="seq")
        if not isinstance(it, gast.Name):  # a generator, dict view...: materialize it
            seq = self.emit("list", [seq], callee="list", hint="seq")
        elif not self._owns(seq):  # maybe a dict: `for k in d` goes through its keys
            seq = self.emit("iteration_items", [seq], callee="$iteration_items",
                            hint=f"{it.id}_items")
        stop = self.emit("len", [seq], callee="len", hint="n")

        def bind_item(index: Var, target: Any) -> None:
            hint = target.id if isinstance(target, gast.Name) else ""
            self.assign(target, self.emit("getitem", [seq, index], hint=hint))

        return stop, bind_item

    def _dict_view(self, d: Operand, view: str) -> tuple[Operand, Callable]:
        """`for k, v in d.items()` (or .keys(), .values()) by position in its keys."""
        keys = self.emit("iteration_items", [d], callee="$iteration_items", hint="keys")
        stop = self.emit("len", [keys], callee="len", hint="n")

        def bind_view(index: Var, target: Any) -> None:
            key = self.emit("getitem", [keys, index], hint="key")
            if view == "keys":
                self.assign(target, key)
            elif view == "values":
                self.assign(target, self.emit("getitem", [d, key], hint="value"))
            else:
                name, value = self._pair(target, 2)
                self.assign(name, key)
                self.assign(value, self.emit("getitem", [d, key], hint="value"))

        return stop, bind_view

    def _pair(self, target: Any, n: int) -> list:
        if not isinstance(target, (gast.Tuple, gast.List)) or len(target.elts) != n:
            raise self.error(f"unpack the loop target into {n} names here", target)
        return list(target.elts)

    # ------------------------------------------------------------ expressions

    def expr(self, node: Any, hint: str = "", effect: bool = False) -> Operand:
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise self.error(f"unsupported expression: {type(node).__name__}", node,
                             "rewrite it with simple operations and calls")
        if method.__code__.co_argcount == 3:
            return method(node, hint)
        return method(node, hint, effect)

    def expr_Constant(self, node: gast.Constant, hint: str) -> Operand:
        return Const(node.value)

    def expr_Name(self, node: gast.Name, hint: str) -> Operand:
        return self.name(node)

    def name(self, node: gast.Name) -> Operand:
        if node.id in self.env:
            value = self.env[node.id]
            if isinstance(value, LocalFunction):
                raise self.error(f"the local function {node.id!r} can only be called here",
                                 node, "define it at module level to pass it around")
            return value
        value = self.resolve_free(node.id)
        if is_missing(value):
            raise self.error(f"name {node.id!r} is not defined", node,
                             "define it before calling the gradient")
        self.ref_objects[node.id] = value
        return Ref(node.id)

    def expr_Attribute(self, node: gast.Attribute, hint: str) -> Operand:
        base = self.expr(node.value)
        if isinstance(base, Ref):
            obj = self.ref_objects[base.name]
            if not hasattr(obj, node.attr):
                raise self.error(f"{base.name} has no attribute {node.attr!r}", node)
            name = f"{base.name}.{node.attr}"
            self.ref_objects[name] = getattr(obj, node.attr)
            return Ref(name)
        if isinstance(base, Const):
            return Const(getattr(base.value, node.attr))
        return self.emit("." + node.attr, [base], hint=hint, static="attr")

    def expr_BinOp(self, node: gast.BinOp, hint: str) -> Operand:
        left, right = self.expr(node.left), self.expr(node.right)
        self._check_repetition(node, left, right)
        return self.emit(BINOPS[type(node.op)], [left, right], hint=hint)

    def _check_repetition(self, node: Any, left: Operand, right: Operand) -> None:
        """`[x] * n` repeats a list: supported for a constant count only."""
        if not isinstance(node.op, gast.Mult):
            return
        for seq, count in ((left, right), (right, left)):
            if self._is_list(seq) and not (isinstance(count, Const) and
                                           type(count.value) is int):
                raise self.error("repeating a list by a count that is not a constant is "
                                 "not supported", node,
                                 "build it with a comprehension: [x for _ in range(n)]")

    def expr_UnaryOp(self, node: gast.UnaryOp, hint: str) -> Operand:
        operand = self.expr(node.operand)
        if isinstance(operand, Const) and isinstance(node.op, gast.USub):
            return Const(-operand.value)
        return self.emit(UNARYOPS[type(node.op)], [operand], hint=hint)

    def expr_Compare(self, node: gast.Compare, hint: str) -> Operand:
        left = self.expr(node.left)
        results = []
        for op, right_node in zip(node.ops, node.comparators):
            right = self.expr(right_node)
            if isinstance(op, gast.NotIn):
                inside = self.emit("contains", [right, left])
                results.append(self.emit("not_", [inside], hint=hint))
            elif isinstance(op, gast.In):
                results.append(self.emit("contains", [right, left], hint=hint))
            else:
                results.append(self.emit(CMPOPS[type(op)], [left, right], hint=hint))
            left = right
        result = results[0]
        for nxt in results[1:]:
            result = self._select(result, lambda n=nxt: n, lambda r=result: r, hint)
        return result

    def _select(self, cond: Operand, then: Callable, orelse: Callable, hint: str) -> Var:
        """A value chosen by `cond`, each side lowered into its own block."""
        stmt = If(cond, Block(), Block(), loc=self.loc)
        saved = self.block
        self.block = stmt.then
        a = then()
        self.block = stmt.orelse
        b = orelse()
        self.block = saved
        out = self.factory.new(hint)
        stmt.outs, stmt.then_vals, stmt.else_vals = [out], [a], [b]
        self.block.stmts.append(stmt)
        return out

    def expr_BoolOp(self, node: gast.BoolOp, hint: str) -> Operand:
        result = self.expr(node.values[0])
        for value_node in node.values[1:]:
            first = result
            rest = lambda v=value_node: self.expr(v)  # noqa: E731
            if isinstance(node.op, gast.And):
                result = self._select(first, rest, lambda f=first: f, hint)
            else:
                result = self._select(first, lambda f=first: f, rest, hint)
        return result

    def expr_IfExp(self, node: gast.IfExp, hint: str) -> Operand:
        cond = self.expr(node.test)
        return self._select(cond, lambda: self.expr(node.body, hint),
                            lambda: self.expr(node.orelse, hint), hint)

    def expr_Tuple(self, node: gast.Tuple, hint: str) -> Operand:
        return self._display("make_tuple", node, hint)

    def expr_List(self, node: gast.List, hint: str) -> Operand:
        return self._display("make_list", node, hint)

    def _display(self, kind: str, node: Any, hint: str) -> Operand:
        if any(isinstance(e, gast.Starred) for e in node.elts):
            raise self.error("starred items are not supported", node, "list the items explicitly")
        items = [self.expr(e) for e in node.elts]
        if kind == "make_tuple" and all(isinstance(i, Const) for i in items):
            return Const(tuple(i.value for i in items))
        return self.emit(kind, items, hint=hint)

    def expr_Subscript(self, node: gast.Subscript, hint: str) -> Operand:
        value = self.expr(node.value)
        index = self.index(node.slice)
        return self.emit("getitem", [value, index], hint=hint)

    def index(self, node: Any) -> Operand:
        """Lower a subscript into one operand: a value, or an `index` op for slices."""
        parts = node.elts if isinstance(node, gast.Tuple) else [node]
        if not any(isinstance(p, gast.Slice) for p in parts):
            if isinstance(node, gast.Tuple):
                items = [self.expr(p) for p in parts]
                if all(isinstance(i, Const) for i in items):
                    return Const(tuple(i.value for i in items))
                return self.emit("index", items, static=tuple("v" for _ in items))
            return self.expr(node)
        layout, args = [], []
        for part in parts:
            if isinstance(part, gast.Slice):
                bounds = (part.lower, part.upper, part.step)
                layout.append("s" + "".join("1" if b is not None else "0" for b in bounds))
                args += [self.expr(b) for b in bounds if b is not None]
            else:
                layout.append("v")
                args.append(self.expr(part))
        return self.emit("index", args, static=tuple(layout))

    def expr_Call(self, node: gast.Call, hint: str, effect: bool = False) -> Operand:
        if any(isinstance(a, gast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            raise self.error("*args and **kwargs in calls are not supported", node,
                             "pass the arguments explicitly")
        func = node.func
        if any(k.arg == "out" for k in node.keywords):
            raise self.error("out= writes into an existing array, which s2sad does not "
                             "follow", node, "assign the result instead: y = np.f(...)")
        if isinstance(func, gast.Attribute) and _mutating_method(func.attr) and \
                not self._is_module_ref(func.value):
            if func.attr == "extend" and isinstance(func.value, gast.Name) and \
                    func.value.id in self.env and len(node.args) == 1 and \
                    isinstance(node.args[0], (gast.List, gast.Tuple)) and not node.keywords:
                name = func.value.id  # lst.extend([a, b]): a new, longer list
                more = self.emit("make_list", [self.expr(e) for e in node.args[0].elts])
                self.env[name] = self.emit("add", [self.env[name], more], hint=_hint(name),
                                           static="aug")  # (the list itself grows)
                return Const(None)
            raise self.error(f".{func.attr}() changes its object in place, which s2sad "
                             "does not follow", node,
                             "compute a new value instead (np.sort(a), a list display, "
                             "lst + [v], a new dict)")
        if isinstance(func, gast.Name) and isinstance(self.env.get(func.id), LocalFunction):
            return self.inline_call(self.env[func.id], node, hint)
        if isinstance(func, gast.Lambda):
            return self.inline_call(LocalFunction(func), node, hint)
        # lst.append(v) on a local list: a new list value (the old one stays intact)
        if isinstance(func, gast.Attribute) and func.attr == "append" and \
                isinstance(func.value, gast.Name) and func.value.id in self.env and \
                len(node.args) == 1 and not node.keywords:
            name = func.value.id
            item = self.expr(node.args[0])
            self.env[name] = self.emit("list_append", [self.env[name], item],
                                       hint=_hint(name))
            return Const(None)
        # A method call on a local value: x.sum(axis=0)
        if isinstance(func, gast.Attribute):
            receiver = self.expr(func.value)
            if not isinstance(receiver, Ref):
                args = [receiver] + self._call_args(node)
                kwargs = self._call_kwargs(node)
                return self.emit("." + func.attr, args, kwargs, hint=hint, static="method",
                                 target=True)
            callee_ref = Ref(f"{receiver.name}.{func.attr}")
            obj = getattr(self.ref_objects[receiver.name], func.attr, _MISSING_ATTR)
            if obj is _MISSING_ATTR:
                raise self.error(f"{receiver.name} has no attribute {func.attr!r}", node)
            self.ref_objects[callee_ref.name] = obj
        else:
            callee_ref = self.expr(func)
        args = self._call_args(node)
        kwargs = self._call_kwargs(node)
        if not isinstance(callee_ref, Ref):
            return self.emit("call", [callee_ref, *args], kwargs, hint=hint, static="dynamic")
        obj = self.ref_objects[callee_ref.name]
        if _writes_an_argument(obj, len(args)):
            raise self.error(f"{callee_ref.name.lstrip('$')} writes into an existing array, "
                             "which s2sad does not follow", node,
                             "compute the new array and assign it (np.where(mask, v, a), "
                             "a.copy() then a[index] = v)")
        rule = rules.rule_for_object(obj)
        root = callee_ref.name.split(".")[0]
        if not root.startswith("$"):
            self.guards[root] = self.ref_objects[root]
        if rule is not None:
            return self.emit(rule.name, args, kwargs, hint=hint, callee=callee_ref.name)
        if root.startswith("$") and callee_ref.name.count(".") == 0:
            # a runtime helper in an adjoint template: its own primitive
            return self.emit(callee_ref.name, args, kwargs, hint=hint, callee=callee_ref.name)
        return self.emit("call", args, kwargs, hint=hint, callee=callee_ref.name, static=obj)

    def _call_args(self, node: gast.Call) -> list:
        return [self._passed(a) for a in node.args]

    def _call_kwargs(self, node: gast.Call) -> dict:
        return {k.arg: self._passed(k.value) for k in node.keywords}

    def _passed(self, node: Any) -> Operand:
        """An argument of a call: a value, not a local function."""
        value = self.expr(node)
        if isinstance(value, LocalFunction):
            raise self.error("a lambda or local function cannot be passed to another function",
                             node, "define the function at module level and pass that, or "
                             "call it here")
        return value

    def _is_module_ref(self, node: Any) -> bool:
        """Is `node` (a method's receiver) a global name or a path from one, like
        `model.layers`? Its methods resolve to known objects, not local values."""
        while isinstance(node, gast.Attribute):
            node = node.value
        return isinstance(node, gast.Name) and node.id not in self.env

    def resolve_callee_object(self, node: Any) -> Any:
        if isinstance(node, gast.Name) and node.id not in self.env:
            value = self.resolve_free(node.id)
            return None if is_missing(value) else value
        return None

    def expr_Lambda(self, node: Any, hint: str) -> Any:
        return LocalFunction(node)

    def inline_call(self, fn: LocalFunction, node: gast.Call, hint: str) -> Operand:
        """Call a local def or lambda by lowering its body in place. The body
        sees the caller's variables as they are at the call (Python's late
        binding of closures); its own assignments stay local to it."""
        if self.inline_depth > 20:
            raise self.error("a local function calls itself too deeply to inline", node,
                             "define recursive helpers at module level")
        args = [self.expr(a) for a in node.args]
        kwargs = {k.arg: self.expr(k.value) for k in node.keywords}
        spec = fn.node.args
        if spec.vararg or spec.kwarg or spec.kwonlyargs or spec.posonlyargs:
            raise self.error("local functions with *args, **kwargs or keyword-only "
                             "parameters are not supported", fn.node,
                             "give the helper plain positional parameters")
        names = [a.id for a in spec.args]
        defaults = dict(zip(names[len(names) - len(spec.defaults):], spec.defaults))
        if len(args) > len(names) or any(k not in names for k in kwargs):
            raise self.error("wrong arguments for the local function", node)
        bound = dict(zip(names, args)) | kwargs
        for name in names:
            if name not in bound:
                if name not in defaults:
                    raise self.error(f"missing argument {name!r}", node)
                bound[name] = self.expr(defaults[name])
        saved = self.env, self.loops
        self.env = {k: v for k, v in self.env.items() if not k.startswith("<")} | bound
        self.loops = []
        self.inline_depth += 1
        try:
            if isinstance(fn.node, gast.Lambda):
                return self.expr(fn.node.body, hint)
            result = self.stmts(fn.node.body)
            return Const(None) if result is None else result
        finally:
            self.inline_depth -= 1
            self.env, self.loops = saved

    def expr_ListComp(self, node: Any, hint: str) -> Operand:
        """[elt for t in it if c] as a loop that appends to a fresh list."""
        self.comprehensions += 1
        acc = f"<comp{self.comprehensions}>"
        body: Any = gast.Expr(value=gast.Call(
            func=gast.Attribute(value=gast.Name(id=acc, ctx=gast.Load(), annotation=None,
                                                type_comment=None),
                                attr="append", ctx=gast.Load()),
            args=[node.elt], keywords=[]))
        for gen in reversed(node.generators):
            if gen.is_async:
                raise self.error("async comprehensions cannot be differentiated", node)
            for cond in reversed(gen.ifs):
                body = gast.If(test=cond, body=[body], orelse=[])
            body = gast.For(target=gen.target, iter=gen.iter, body=[body], orelse=[],
                            type_comment=None)
        for sub in gast.walk(body):
            if not hasattr(sub, "lineno") or sub.lineno is None:
                gast.copy_location(sub, node)
        targets = {n for g in node.generators for n in _names_in_target(g.target)}
        saved = {n: self.env[n] for n in targets if n in self.env}
        self.env[acc] = self.emit("make_list", [], hint=hint or "items")
        self.stmt(body)
        result = self.env.pop(acc)
        for n in targets:
            self.env.pop(n, None)
        self.env.update(saved)
        return result

    expr_GeneratorExp = expr_ListComp

    def expr_SetComp(self, node: Any, hint: str) -> Operand:
        raise self.error("set and dict comprehensions are not supported", node,
                         "build a list with a list comprehension instead")

    expr_DictComp = expr_SetComp

    def expr_Dict(self, node: Any, hint: str) -> Operand:
        if any(k is None for k in node.keys):
            raise self.error("`**` in dict displays is not supported", node,
                             "list the keys explicitly")
        keys = [self.expr(k) for k in node.keys]
        if not all(isinstance(k, Const) for k in keys):
            raise self.error("dict keys must be constants", node,
                             "use string or number literals as keys")
        values = [self.expr(v) for v in node.values]
        return self.emit("make_dict", values, hint=hint, static=tuple(k.value for k in keys))

    def expr_JoinedStr(self, node: Any, hint: str) -> Operand:
        return Const("<f-string>")


_MISSING_ATTR = object()


RET, RETVAL = "<returned>", "<retval>"
EXIT = Const("<exit>")  # stmts() result: the rest of a loop body has been lowered


class LocalFunction:
    """A def or lambda inside the differentiated function; calls inline it."""

    def __init__(self, node: Any) -> None:
        self.node = node


class _Continue:
    """Marks 'the statements after an early-returning if' inside its branches."""

    def __init__(self, body: list) -> None:
        self.body = body


# ---------------------------------------------------------------- templates

_TEMPLATE_NAMES = {"np": np, "math": math}


def _template_lookup(name: str) -> Any:
    if name in _TEMPLATE_NAMES:
        return _TEMPLATE_NAMES[name]
    if hasattr(runtime, name):
        return getattr(runtime, name)
    return getattr(builtins, name, None)


class TemplateLowerer(Lowerer):
    """Lowers an adjoint template: free names are our `np`, `math` and helpers."""

    def name(self, node: gast.Name) -> Operand:
        if node.id in self.env:
            value = self.env[node.id]
            if isinstance(value, LocalFunction):
                raise self.error(f"the local function {node.id!r} can only be called here",
                                 node, "define it at module level to pass it around")
            return value
        value = _template_lookup(node.id)
        if value is None:
            raise KeyError(f"adjoint template uses unknown name {node.id!r}")
        ref = "$" + node.id
        self.ref_objects[ref] = value
        return Ref(ref)


_TEMPLATE_CACHE: dict[str, Any] = {}


def lower_template(source: str, bindings: dict[str, Operand], factory: VarFactory,
                   loc: Loc | None, hint: str = "") -> tuple[list, Operand]:
    """Lower an adjoint expression with its names bound to operands.
    Returns the new statements and the operand holding the result."""
    tree = _TEMPLATE_CACHE.get(source)
    if tree is None:
        tree = gast.parse(source, mode="eval").body
        _TEMPLATE_CACHE[source] = tree
    lowerer = TemplateLowerer(None, factory)
    lowerer.env = dict(bindings)
    lowerer.loc = loc
    result = lowerer.expr(tree, hint=hint)
    return lowerer.block.stmts, result


# ---------------------------------------------------------------- syntax scans


def _literal(node: Any) -> Any:
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return -_literal(node.operand)
    if isinstance(node, gast.Tuple):
        return tuple(_literal(e) for e in node.elts)
    return None


def _target_hint(targets: list) -> str:
    if len(targets) == 1 and isinstance(targets[0], gast.Name):
        return targets[0].id
    return ""


def _names_in_target(target: Any) -> set[str]:
    return {n.id for n in gast.walk(target) if isinstance(n, gast.Name)}


def _assigned_names(body: list) -> list[str]:
    """Names a block assigns, in first-assignment order (nested blocks included)."""
    names: dict[str, None] = {}
    for stmt in body:
        for node in gast.walk(stmt):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
                    and node.func.attr in ("append", "extend") \
                    and isinstance(node.func.value, gast.Name):
                names[node.func.value.id] = None
            if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.For)):
                targets = node.targets if isinstance(node, gast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                        names[target.value.id] = None  # a[i] = v makes a new version of a
                    for name in _names_in_target(target):
                        if isinstance(target, (gast.Name, gast.Tuple, gast.List)):
                            names[name] = None
    return list(names)


def _always_returns(body: list) -> bool:
    for stmt in body:
        if isinstance(stmt, gast.Return):
            return True
        if isinstance(stmt, gast.If) and _always_returns(stmt.body) \
                and _always_returns(stmt.orelse):
            return True
    return False


def _returns_somewhere(node: Any) -> bool:
    return any(isinstance(n, gast.Return) for n in gast.walk(node))


def _exits(node: Any, in_loop: bool) -> bool:
    """Does this statement leave the current block early (return; in a loop
    also break/continue of this loop)?"""
    if _contains_return(node):
        return True
    return in_loop and _loop_exits([node])


def _loop_exits(body: list) -> bool:
    """Does `body` break or continue its own loop (not a nested one), or return?"""
    def scan(node: Any) -> bool:
        if isinstance(node, (gast.Break, gast.Continue, gast.Return)):
            return True
        if isinstance(node, (gast.For, gast.While)):
            return _contains_return(node)
        if isinstance(node, (gast.FunctionDef, gast.Lambda)):
            return False
        return any(scan(child) for child in gast.iter_child_nodes(node))
    return any(scan(stmt) for stmt in body)


def _contains_return(node: Any) -> bool:
    for sub in gast.walk(node):
        if isinstance(sub, gast.Return):
            return True
    return False


def _is_zero(x: Operand) -> bool:
    return isinstance(x, Const) and x.value == 0


def _hint(name: str) -> str:
    if name.startswith("<break"):
        return "stop"
    if name.startswith("<comp"):
        return "items"
    return {RET: "returned", RETVAL: "retval"}.get(name, name)


# Calls that change an object in place: refused (s2sad's values are immutable).
MUTATING_METHODS = {"sort", "fill", "put", "resize", "itemset", "partition", "reverse",
                    "insert", "remove", "extend", "clear", "update", "setdefault", "popitem",
                    "pop", "setflags", "byteswap"}
MUTATING_FUNCTIONS = [np.copyto, np.put, np.place, np.putmask, np.fill_diagonal,
                      np.put_along_axis]

def _mutating_method(name: str) -> bool:
    """`.sort()`, `.update()`, ... and the in-place operator methods (`__iadd__`)."""
    return name in MUTATING_METHODS or name.startswith("__i") and name.endswith("__") and \
        name not in ("__init__", "__iter__", "__index__", "__int__", "__invert__")


def _writes_an_argument(obj: Any, n_args: int) -> bool:
    """np.copyto & co., a ufunc given its output positionally (`np.add(a, b, a)`),
    `np.add.at(...)`, or a function with an `out` parameter filled positionally."""
    if any(obj is f for f in MUTATING_FUNCTIONS):
        return True
    if isinstance(obj, np.ufunc):
        return n_args > obj.nin
    if isinstance(getattr(obj, "__self__", None), np.ufunc) and \
            getattr(obj, "__name__", "") == "at":
        return True
    try:
        params = list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = []
    for param in params:
        if param.kind not in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            break  # (after *args, every parameter is keyword-only)
        positional.append(param.name)
    return "out" in positional[:n_args]


# Ops that always allocate a new array (or list): safe to write into.
FRESH = {"np.zeros", "np.ones", "np.empty", "np.full", "np.zeros_like", "np.ones_like",
         "np.empty_like", "np.full_like", "np.array", "np.copy", ".copy", "np.eye",
         "np.identity", "np.arange", "np.linspace", "np.concatenate", "np.stack", "np.hstack",
         "np.vstack", "np.tile", "np.repeat", "np.outer", "np.dot", "np.matmul", "make_list",
         "list_append", "setitem", "own", "np.cumsum", "np.cumprod"}

def lower(parsed: ParsedFunction, helper: bool = False) -> tuple[Function, Lowerer]:
    """Lower a parsed function into IR (and keep the lowerer's name tables).
    A helper's in-place updates of its arguments would be seen by its caller."""
    lowerer = Lowerer(parsed, VarFactory())
    fn = lowerer.lower_function()
    guard_inplace_updates(fn, helper)
    return fn, lowerer
