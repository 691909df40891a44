"""Lowering control flow into structured regions: `if` (with early exits),
`while` and `for` loops with their carried names (what `for` iterates is
`iteration.py`'s).

Branches lower each side with its own copy of the environment and merge the
names that differ into the `If`'s results; loops carry the names they assign
as phis. `break`, `continue` and `return` inside loops become loop-carried
flags, so every loop and function keeps one exit.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import gast

from ..errors import UnsupportedSyntaxError
from ..ir import Assign, Block, Const, If, Loop, Operand, Ref, Var, use_counts, walk
from .base import LowererBase
from .scans import (
    EXIT,
    RET,
    RETVAL,
    Continue,
    LocalFunction,
    appended_only,
    assigned_names,
    contains_return,
    hint_of,
    loop_exits,
    name_node,
    names_in_target,
)


def _holders_of(value: Var, block: Block) -> set:
    """`value` and what holds it in `block`: lists, tuples, dicts and objects
    it is put into, and branch results it may be, transitively."""
    holders, grew = {value}, True
    while grew:
        grew = False
        for stmt in walk(block):
            found: list = []
            if isinstance(stmt, Assign) and stmt.prim in _KEEPING and \
                    any(a in holders for a in stmt.args):
                found = [stmt.target]
            elif isinstance(stmt, If):
                found = [o for o, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals)
                         if a in holders or b in holders]
            new = [v for v in found if v is not None and v not in holders]
            holders.update(new)
            grew = grew or bool(new)
    return holders


# operations that keep a value (in a list, a tuple, a dict, an object)
_KEEPING = frozenset({"list_append", "make_list", "make_tuple", "make_dict", "setitem",
                      "functools.partial",
                      "setattr"})


class ControlFlow(LowererBase):
    """Branches, loops and early exits."""

    # ------------------------------------------------------------ branches

    def branch(self, body: list) -> tuple[Block, dict, Operand | None]:
        """Lower one side of an if into a fresh block with a copy of the env.
        A construct s2sad cannot compile there makes the side raise its error
        when it runs (`runtime.unsupported`), as Python fails only on the
        path it takes: `if DEBUG: ...`, or a tree's leaf case, which never
        runs for the inner nodes a helper is compiled for."""
        saved_block, saved_env = self.block, self.env
        self.block, self.env = Block(), dict(saved_env)
        state = self.lowering_state()
        try:
            returned = self.stmts(body)
        except UnsupportedSyntaxError as exc:
            self.restore_lowering_state(state)
            self.block, self.env = Block(), dict(saved_env)
            self.raised_when_run(exc)
            returned = None if self.loops else Const(None)
        block, env = self.block, self.env
        self.block, self.env = saved_block, saved_env
        return block, env, returned

    def raised_when_run(self, exc: UnsupportedSyntaxError) -> None:
        """A side of a branch that raises `exc` (with its line and hint) when
        it runs, in place of what s2sad could not compile there."""
        first = exc.message.splitlines()[0] if exc.message else "this"
        self.emit("marker", [Const(f"not compiled, raised if this runs: {first}")],
                  target=False)
        self.emit("unsupported", [Ref("$why", exc)], target=False, callee=Ref("$unsupported"))

    def lowering_state(self) -> tuple:
        return (list(self.loops), self.inline_depth, list(self.inlining), self.scope,
                list(self.materializing), self.comprehensions, self.loc, self.node)

    def restore_lowering_state(self, state: tuple) -> None:
        (self.loops, self.inline_depth, self.inlining, self.scope, self.materializing,
         self.comprehensions, self.loc, self.node) = state

    def if_stmt(self, node: gast.If) -> None:
        cond = self.expr(node.test, hint="cond")
        stmt = If(cond, Block(), Block(), loc=self.loc)
        stmt.then, then_env, _ = self.branch(node.body)
        stmt.orelse, else_env, _ = self.branch(node.orelse)
        self.merge(stmt, then_env, else_env)
        self.block.stmts.append(stmt)

    def if_early(self, node: gast.If, rest: list) -> Operand:
        """An if with a return inside: the statements after it are lowered into
        each side that falls through, and the If yields the returned value."""
        cond = self.expr(node.test, hint="cond")
        stmt = If(cond, Block(), Block(), loc=self.loc)
        stmt.then, _, then_ret = self.branch([*node.body, Continue(rest)])
        stmt.orelse, _, else_ret = self.branch([*node.orelse, Continue(rest)])
        out = self.factory.new("result")
        stmt.outs, stmt.then_vals, stmt.else_vals = [out], [then_ret], [else_ret]
        self.block.stmts.append(stmt)
        return out

    def if_exit(self, node: gast.If, rest: list) -> None:
        """An if inside a loop with a break/continue/return: the rest of the
        body goes into each side that falls through; the sides' names merge."""
        cond = self.expr(node.test, hint="cond")
        stmt = If(cond, Block(), Block(), loc=self.loc)
        stmt.then, then_env, _ = self.branch([*node.body, Continue(rest)])
        stmt.orelse, else_env, _ = self.branch([*node.orelse, Continue(rest)])
        self.merge(stmt, then_env, else_env)
        self.block.stmts.append(stmt)

    def after_returning_loop(self, rest: list) -> Operand:
        """After a loop that may have returned: return (or, in an enclosing loop,
        leave it too) if it did, else go on with `rest`."""
        stmt = If(self.env[RET], Block(), Block(), loc=self.loc)
        if self.loops:
            then_env = dict(self.env)
            then_env[self.loops[-1]] = Const(True)
            stmt.orelse, else_env, _ = self.branch([Continue(rest)])
            self.merge(stmt, then_env, else_env)
            self.block.stmts.append(stmt)
            return EXIT
        then_val = self.env[RETVAL]
        stmt.orelse, _, else_val = self.branch([Continue(rest)])
        out = self.factory.new("result")
        stmt.outs, stmt.then_vals, stmt.else_vals = [out], [then_val], [else_val]
        self.block.stmts.append(stmt)
        return out

    def merge(self, stmt: If, then_env: dict, else_env: dict) -> None:
        """Names bound differently on the two sides become the If's results."""
        for name in sorted(set(then_env) | set(else_env)):
            a, b = then_env.get(name), else_env.get(name)
            if a is b:
                if a is not None:
                    self.env[name] = a
                continue
            if isinstance(a, LocalFunction) or isinstance(b, LocalFunction):
                a = self.closure_in(stmt.then, then_env, a)  # (different functions: closures)
                b = self.closure_in(stmt.orelse, else_env, b)
            out = self.factory.new(hint_of(name))
            if self.owns(a) and self.owns(b):
                self.owned.add(out)
            if self.is_dict_display(a) and self.is_dict_display(b):
                self.dicts.add(out)
            self.merged_object(out, a, b)
            stmt.outs.append(out)
            stmt.then_vals.append(a if a is not None else Const(None))
            stmt.else_vals.append(b if b is not None else Const(None))
            self.env[name] = out

    def closure_in(self, block: Block, env: dict, value: Any) -> Any:
        """`value` as an operand made in `block` with `env` (a local function: a closure)."""
        if not isinstance(value, LocalFunction):
            return value
        saved = self.block, self.env
        self.block, self.env = block, env
        try:
            return self.value_of(value)
        finally:
            self.block, self.env = saved

    def select(self, cond: Operand, then: Callable, orelse: Callable, hint: str) -> Var:
        """A value chosen by `cond`, each side lowered into its own block. A
        side may rebind names (an updating method's call, `a.add(x) if c else
        0.0`, or `c and a.add(x)`): those become results of the If too."""
        stmt = If(cond, Block(), Block(), loc=self.loc)
        saved, before = self.block, dict(self.env)
        self.block = stmt.then
        a = self.side_value(then)
        then_env = self.env
        self.env = dict(before)
        self.block = stmt.orelse
        b = self.side_value(orelse)
        else_env = self.env
        self.env = before
        self.block = saved
        out = self.factory.new(hint)
        stmt.outs, stmt.then_vals, stmt.else_vals = [out], [a], [b]
        if then_env != before or else_env != before:
            self.merge(stmt, then_env, else_env)
        self.block.stmts.append(stmt)
        self.merged_object(out, a, b)  # (`A() if c else B()`)
        return out

    def side_value(self, side: Callable) -> Operand:
        """One side of a conditional expression, lowered into the current
        (new) block; what s2sad cannot compile there raises when it runs, as
        Python fails only on the side it takes (`f() if hasattr(np, "f")
        else g()`)."""
        state = self.lowering_state()
        try:
            return self.value_of(side())
        except UnsupportedSyntaxError as exc:
            self.restore_lowering_state(state)
            self.block.stmts.clear()
            self.raised_when_run(exc)
            return Const(None)

    # ------------------------------------------------------------ loops

    def loop(self, node: Any, carried: list[str], lower_head: Callable,
             lower_body: Callable, loop: Loop) -> None:
        """Lower a loop whose body assigns `carried`: each becomes a phi."""
        local = {name for name, value in self.env.items() if not isinstance(value, Ref)}
        carried = [n for n in carried if n in local or n not in appended_only(node.body)]
        carried += [n for n in self.updated_names(node.body) if n not in carried]
        flag = None
        if loop_exits(node.body):
            flag = f"<break{len(self.loops)}>"
            self.env[flag] = Const(False)
            carried = [*carried, flag]
        if contains_return(node):
            self.env.setdefault(RET, Const(False))
            self.env.setdefault(RETVAL, Const(None))
            carried = [*carried, RET, RETVAL]
        loop.phis = [self.factory.new(hint_of(name)) for name in carried]
        loop.inits = [self.value_of(self.env.get(name, Const(None))) for name in carried]
        for phi, init in zip(loop.phis, loop.inits):
            if self.owns(init):
                self.owned.add(phi)  # checked against the next value below
            if isinstance(init, Var) and init in self.instances:
                self.instances[phi] = self.instances[init]
            if self.is_dict_display(init):
                self.dicts.add(phi)  # (so its writes are dict_set's: checked when it runs)
                self.dict_versions[phi] = init
        only_appended = appended_only(node.body)
        for name, phi, init in zip(carried, loop.phis, loop.inits):
            self.env[name] = phi
            if name in only_appended and self.is_list(init):
                self.carried_lists.add(phi)  # (its appends need no check of its type)
        saved_block = self.block
        self.block = loop.header
        if flag is not None and loop.range_args is None:
            loop.cond = self.select(self.env[flag], lambda: Const(False), lower_head, "")
        else:
            lower_head()
        self.block = loop.body
        saved_env = dict(self.env)
        for sub in gast.walk(gast.Module(body=list(getattr(node, "body", [])), type_ignores=[])):
            if isinstance(sub, gast.Attribute) and isinstance(sub.value, gast.Name) and \
                    isinstance(sub.ctx, gast.Load):  # (read in an earlier iteration)
                self.attributes_read.setdefault(sub.value.id, set()).add(sub.attr)
        self.loops.append(flag)
        lower_body()
        self.loops.pop()
        loop.nexts = [self.value_of(self.env.get(name, Const(None))) for name in carried]
        self.check_rebound_buffers(node, loop)
        self.check_kept_closures(loop, set(carried))
        if flag is not None and loop.range_args is not None:
            loop.exit_flag = loop.phis[carried.index(flag)]
        self.env = saved_env
        self.block = saved_block
        self.block.stmts.append(loop)

    def check_rebound_buffers(self, node: Any, loop: Loop) -> None:
        """A carried array stays owned only if each iteration keeps it owned;
        one both written in place and rebound in the loop is refused."""
        for phi, nxt in zip(loop.phis, loop.nexts):
            if phi in self.instances and nxt is not phi and \
                    self.instances.get(nxt) != self.instances[phi]:
                self.instances[phi] = ()  # (its class may change: looked up when it runs)
            if phi in self.dicts and nxt is not phi and not self.is_dict_display(nxt):
                self.dicts.discard(phi)
            if phi in self.owned and nxt is not phi and not self.owns(nxt):
                self.owned.discard(phi)
                if any(isinstance(s, Assign) and s.prim == "setitem" and s.args[0] is phi
                       for s in loop.body.stmts):
                    raise self.error(
                        f"{phi.hint!r} is written into in place and also rebound to another "
                        "array inside this loop", node,
                        f"keep one array: copy with {phi.hint} = other.copy() before writing")

    def check_kept_closures(self, loop: Loop, carried: set) -> None:
        """A function made in a loop reads the variables of the scope it was
        defined in when it runs (Python's late binding); s2sad's closure holds
        their values when it is made. The two agree within the iteration; a
        closure kept beyond it that reads a variable this loop changes, in
        this scope, would see another value in Python. Kept beyond it: the
        closure, or a list, tuple, dict, object or branch result holding it,
        carried by the loop to the next iteration or past its end, where it
        is read (`kept_closures_read` decides, once the function is lowered).
        (A parameter of a function called in the loop, a factory's or
        reduce's, is bound anew at each call: not this loop's.)"""
        made = {s.target: s for s in walk(loop.body) if isinstance(s, Assign) and
                s.prim == "make_closure" and s.target in self.closure_reads}
        for closure, stmt in made.items():
            scope, names = self.closure_reads[closure]
            held = [n for n in names if scope == self.scope and n in carried]
            if not held:
                continue
            holders = _holders_of(closure, loop.body)
            phis = {p for p, v in zip(loop.phis, loop.nexts) if v in holders}
            if phis:
                self.kept_closures.append((phis, held[0], stmt.loc))

    def kept_closures_read(self, body: Block) -> None:
        """Refuse the closures `check_kept_closures` found kept beyond their
        iteration where what keeps them is read (in the loop or after it)."""
        read = set(use_counts(body))
        for phis, name, loc in self.kept_closures:
            if phis & read:
                raise UnsupportedSyntaxError(
                    f"a function made in this loop reads {name}, which the loop changes, "
                    "and is kept beyond the iteration: Python reads the variable when the "
                    "function runs, s2sad when the function is made", loc,
                    f"bind the value when the function is made: lambda t, {name}={name}: "
                    f"..., or def f(t, {name}={name}): ...")

    def match_as_ifs(self, node: Any) -> list:
        """`match subject: case ...` as Python runs it, for patterns of values,
        captures and alternatives: the subject bound once, then an if per case
        (a value's pattern tests ==, None/True/False's `is`; a capture binds its
        name, `((name := subject), True)[1]`; the guard after). Sequence,
        mapping and class patterns are refused at their case."""
        subject = self.fresh_name("subject")
        start = gast.copy_location(gast.Assign(
            targets=[name_node(subject, True)], value=node.subject, type_comment=None),
            node)
        chain: list = []
        for case in reversed(node.cases):
            pattern = case.pattern
            if isinstance(pattern, gast.MatchAs) and pattern.pattern is None and \
                    pattern.name is not None and case.guard is None:  # (`case other:`)
                chain = [gast.copy_location(gast.Assign(
                    targets=[name_node(pattern.name, True)], value=name_node(subject),
                    type_comment=None), pattern), *case.body]
                continue
            test = self.pattern_test(pattern, subject)
            if case.guard is not None:
                test = case.guard if test is None else gast.BoolOp(op=gast.And(),
                                                                   values=[test, case.guard])
            if test is None:  # (irrefutable: the last case, Python says)
                chain = list(case.body)
                continue
            gast.copy_location(test, case.pattern)
            chain = [gast.copy_location(gast.If(test=test, body=case.body, orelse=chain),
                                        case.pattern)]
        return [start, *chain]

    def pattern_test(self, pattern: Any, subject: str) -> Any:
        """The test a case's pattern makes of the subject (None: always true)."""
        def located(test: Any) -> Any:
            return gast.copy_location(test, pattern)

        if isinstance(pattern, gast.MatchValue):
            return located(gast.Compare(left=name_node(subject), ops=[gast.Eq()],
                                        comparators=[pattern.value]))
        if isinstance(pattern, gast.MatchSingleton):
            return located(gast.Compare(left=name_node(subject), ops=[gast.Is()],
                                        comparators=[gast.Constant(value=pattern.value,
                                                                   kind=None)]))
        if isinstance(pattern, gast.MatchOr):
            tests = [self.pattern_test(p, subject) for p in pattern.patterns]
            return None if any(t is None for t in tests) else \
                located(gast.BoolOp(op=gast.Or(), values=tests))
        if isinstance(pattern, gast.MatchAs):
            inner = self.pattern_test(pattern.pattern, subject) \
                if pattern.pattern is not None else None
            if pattern.name is None:
                return inner
            bind = located(gast.Subscript(  # (`((name := subject), True)[1]`: binds, is True)
                value=located(gast.Tuple(elts=[
                    located(gast.NamedExpr(target=name_node(pattern.name, True),
                                           value=name_node(subject))),
                    gast.Constant(value=True, kind=None)], ctx=gast.Load())),
                slice=gast.Constant(value=1, kind=None), ctx=gast.Load()))
            return bind if inner is None else located(gast.BoolOp(op=gast.And(),
                                                                  values=[inner, bind]))
        raise self.error(f"this case's pattern ({type(pattern).__name__}) is not supported: "
                         "s2sad takes values, names, `_` and alternatives (`a | b`) in "
                         "match statements", pattern, "unpack the subject first "
                         "(a, b = subject), then match its parts, or test with if / elif")

    def while_stmt(self, node: gast.While) -> None:
        if any(isinstance(n, gast.NamedExpr) for n in gast.walk(node.test)):
            # (a name the test binds is read after the loop as the last test left it,
            # which a loop's header cannot give: `while True: if not test: break`)
            stop = gast.copy_location(gast.If(
                test=gast.copy_location(gast.UnaryOp(op=gast.Not(), operand=node.test),
                                        node.test),
                body=[gast.copy_location(gast.Break(), node.test)], orelse=[]), node.test)
            self.while_stmt(gast.copy_location(gast.While(
                test=gast.Constant(value=True, kind=None), body=[stop, *node.body],
                orelse=[]), node))
            return
        loop = Loop([], [], Block(), Const(True), Block(), [], loc=self.loc)

        def head() -> Operand:
            loop.cond = self.expr(node.test)
            return loop.cond

        self.loop(node, assigned_names(node.body), head, lambda: self.stmts(node.body), loop)

    def for_stmt(self, node: gast.For) -> None:
        start, stop, step, bind_items = self.iteration(node)
        carried = assigned_names(node.body)
        # The target keeps its last value after the loop, as in Python.
        carried += [n for n in names_in_target(node.target) if n not in carried]
        plain = isinstance(node.target, gast.Name) and bind_items is None
        index = self.factory.new(node.target.id if plain else "k")
        loop = Loop([], [], Block(), None, Block(), [], loc=self.loc, index=index,
                    range_args=[start, stop, step])

        def body() -> None:
            if bind_items is None:
                self.assign(node.target, index)
            else:
                bind_items(index, node.target)
            self.stmts(node.body)

        self.loop(node, carried, lambda: None, body, loop)


class _FlaggedBreaks(gast.NodeTransformer):
    """Sets `flag` before each break of one loop's body (not of a loop or a
    function inside it, whose breaks are their own)."""

    def __init__(self, flag: str) -> None:
        self.flag = flag
        self.found = False

    def visit_Break(self, node: gast.Break) -> list:
        self.found = True
        target = name_node(self.flag, True)
        done = gast.Assign(targets=[target], value=gast.Constant(value=True, kind=None),
                           type_comment=None)
        return [gast.copy_location(done, node), node]

    def visit_For(self, node: Any) -> Any:
        return node

    visit_While = visit_AsyncFor = visit_FunctionDef = visit_AsyncFunctionDef = visit_For
    visit_Lambda = visit_ClassDef = visit_For


def without_else(node: gast.For | gast.While, flag: str) -> list:
    """`for/while ... else` as Python runs it, without the else: the loop
    (setting `flag` before each of its breaks), then the else clause where
    no break left it. (A return leaves the function: what follows is skipped.)"""
    loop = copy.deepcopy(node)  # (the parsed tree is lowered again for other arguments)
    loop.orelse = []
    flagged = _FlaggedBreaks(flag)
    loop.body = [part for stmt in loop.body for part in _as_list(flagged.visit(stmt))]
    if not flagged.found:
        return [loop, *node.orelse]
    name = name_node(flag, True)
    start = gast.copy_location(gast.Assign(targets=[name], value=gast.Constant(
        value=False, kind=None), type_comment=None), node)
    test = gast.UnaryOp(op=gast.Not(), operand=gast.Name(id=flag, ctx=gast.Load(),
                                                          annotation=None, type_comment=None))
    after = gast.If(test=test, body=node.orelse, orelse=[])
    gast.copy_location(after, node.orelse[0])
    gast.copy_location(test, node.orelse[0])
    return [start, loop, after]


def _as_list(node: Any) -> list:
    return node if isinstance(node, list) else [node]
