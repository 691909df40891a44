"""Prepare a function for the reverse pass: a new function (the input is not
changed) in which

* each in-place write `a[index] = v` first snapshots the slice it overwrites
  (`setitem`'s `old` operand), for the backward pass to put back;
* each call of user code that a derivative flows through becomes
  `pair = call_forward(callee, active, *args)`, `y = pair[0]` and
  `saved = pair[1]`: the callee is transformed on its own, and its backward
  half is called with `saved`;
* each loop the backward pass replays by count (while loops, and range loops
  that may break) counts its trips in a phi;
* `+` and `*` on lists and tuples become `seq_concat` and `seq_repeat`, so
  that no pass confuses them with arithmetic;
* the returned value is named `out` (or `result`) if the user's code did not
  name it, so the generated code reads `out = ...` and its seed is `dout`.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections import Counter
from collections.abc import Callable
from typing import Any

from . import primitives
from .analysis import Facts, known_shape, made_by_a_call, repeats_sequence
from .callables import unfold
from .errors import Loc, NoAdjointError, UnsupportedSyntaxError
from .ir import (
    Assign,
    Block,
    Const,
    Function,
    If,
    Loop,
    Ref,
    Var,
    VarFactory,
    clone_block,
    clone_function,
    defs,
    regions,
    rename,
    uses,
    walk,
)
from .lowering.scans import outside_writes
from .parsing import is_derivative, is_library_file
from .runtime import (
    UpdatingMethod,
    check_arithmetic,
    check_not_dict,
    check_not_mapping,
    snapshot,
)
from .runtime.functions import check_not_added_into, stored_value_error, stores_value


def prepare(fn: Function, facts: Facts, factory: VarFactory, reverse: bool = True) -> Function:
    """The prepared copy of `fn`; for forward mode (`reverse=False`) only the
    list operations are told from arithmetic and the result named."""
    body = clone_block(fn.body)
    _Preparer(facts, factory, reverse, body).block(body)
    name_result(body, factory)
    return clone_function(fn, body)


def name_result(body: Block, factory: VarFactory) -> None:
    value = body.stmts[-1].value
    if isinstance(value, Var) and not value.hint:
        taken = {v.hint for stmt in walk(body) for v in defs(stmt)}
        rename(body, value, factory.new("out" if "out" not in taken else "result"))


class _Preparer:
    def __init__(self, facts: Facts, factory: VarFactory, reverse: bool, body: Block) -> None:
        self.facts = facts
        self.factory = factory
        self.reverse = reverse
        self.branches = 0  # the ifs around the statement being prepared
        self.checks: list[Assign] = []  # run-time checks to put before the statement
        # how often the function reads each value and each global (a helper
        # that changes one it reads elsewhere is refused: `unseen_writes`)
        self.read_count: Counter = Counter(
            _read_key(u) for stmt in walk(body) for u in uses(stmt) if isinstance(u, (Var, Ref)))

    def block(self, block: Block) -> None:
        new: list = []
        for stmt in block.stmts:
            self.branches += isinstance(stmt, If)
            for region in regions(stmt):
                self.block(region)
            self.branches -= isinstance(stmt, If)
            if self.reverse and isinstance(stmt, Loop) and self.replayed_by_count(stmt):
                self.count_trips(stmt)
            if isinstance(stmt, Assign) and stmt.prim == "setitem":
                new += self.dict_write_check(stmt)  # (before the snapshot reads the old item)
                if self.reverse:
                    new += self.snapshot(stmt)
            at = len(new)
            new.append(stmt)
            if not self.reverse and isinstance(stmt, Assign) and stmt.prim == "call":
                self.unseen_call(stmt)  # (forward mode: calls are its own business)
            if self.reverse and isinstance(stmt, Assign) and stmt.prim == "call" and \
                    self.transformed(stmt):
                new += self.split_call(stmt)
            elif isinstance(stmt, Assign):
                self.sequence_op(stmt)
                if stmt.prim == "or_" and any(isinstance(a, Var) and a in self.facts.varied
                                              for a in stmt.args):
                    self.checks.append(run_time_check(check_not_mapping, stmt.args, stmt.loc))
                if stmt.prim in ("add", "mul") and self.may_join(stmt):
                    self.checks.append(run_time_check(
                        check_arithmetic, [*stmt.args, Const(stmt.prim)], stmt.loc))
            if self.checks:  # (run-time checks asked for: before the statement)
                new[at:at] = self.checks
                self.checks = []
        block.stmts[:] = new

    # ------------------------------------------------------------ in-place writes

    def dict_write_check(self, stmt: Assign) -> list[Assign]:
        """`x[k] = v` where x may be a dict the function copied (`d.copy()`, or
        such a copy carried by a loop): refused when it runs, as a write into a
        dict display is (`own`); in reverse mode a new key has no old value to
        restore either. Not for an array or number known to be one."""
        array = stmt.args[0]
        if array in self.facts.numeric or known_shape(self.facts.shape, array) is not None:
            return []
        return [run_time_check(check_not_dict, [array], stmt.loc)]

    def snapshot(self, stmt: Assign) -> list[Assign]:
        array, index = stmt.args[0], stmt.args[1]
        view, old = self.factory.new(""), self.factory.new("old")
        stmt.args = [*stmt.args[:3], old]
        return [Assign(view, "getitem", [array, index], {}, None, stmt.loc),
                Assign(old, "snapshot", [view], {}, Ref("$snapshot", snapshot), stmt.loc)]

    # ------------------------------------------------------------ calls

    def transformed(self, stmt: Assign) -> bool:
        """Is this call of user code sent to its own gradient? When its result
        carries a derivative; also, for user code, when an argument or the
        object of a method varies: the transformed callee checks that it does
        not change that argument in place (the backward pass would not know).
        A library callable that would keep a varying value (`stores_value`)
        is refused here."""
        callee = stmt.args[0]
        if self.facts.active(stmt.target):
            if isinstance(callee, Ref) and not dispatchable(callee.value, stmt):
                self.refuse(stmt, no_rule_error(stmt))
                return False
            return True
        varied = any(isinstance(a, Var) and a in self.facts.varied for a in stmt.operands()[1:])
        if isinstance(callee, Ref) and varied and stores_value(callee.value):
            raise stored_value_error(callee.value, stmt.loc)
        if isinstance(callee, Ref) and not _is_user_code(callee.value):
            return False  # library code known now: it does not see our arrays change
        if isinstance(callee, Ref) and not varied:
            self.unseen_writes(stmt, callee)
        # (a callee known only at run time goes to the dispatcher, which checks it;
        # so does a method of an object that carries a derivative, `s.step()`,
        # which may set the object's attributes: refused there, not dropped)
        return varied or (isinstance(callee, Var) and callee in self.facts.varied)

    def unseen_call(self, stmt: Assign) -> None:
        """Forward mode's check of a call of user code that gets no tangent:
        it runs as Python does (`unseen_writes`)."""
        callee = stmt.args[0]
        if isinstance(callee, Ref) and _is_user_code(callee.value) and not any(
                isinstance(a, Var) and a in self.facts.varied for a in stmt.operands()):
            self.unseen_writes(stmt, callee)

    def unseen_writes(self, stmt: Assign, callee: Ref) -> None:
        """A helper that gets no value carrying a derivative runs as Python
        does, unseen; the backward pass reads what the function read again
        after it. If the helper changes a global the function reads
        (`RUNNING[:] = ...`, `global T; T = ...`) or writes into an argument
        the function reads elsewhere (`buf += 1`), the derivative would see
        the change: refused."""
        fn = callee.value
        shift = 1 if isinstance(fn, types.MethodType) else 0
        names, into, augmented = outside_writes(getattr(fn, "__func__", fn))
        changed = sorted(n for n in names if self.read_count[n])
        args = stmt.args[1:]
        name = getattr(fn, "__name__", "the function")
        for k in sorted(into | augmented):
            a = args[k - shift] if 0 <= k - shift < len(args) else None
            if not (isinstance(a, (Var, Ref)) and self.read_count[_read_key(a)] > 1):
                continue
            what = a.name if isinstance(a, Ref) else a.hint or "its argument"
            if k in into:
                changed.append(what)
            elif known_shape(self.facts.shape, a) != ():  # (`a += 1`: in place for an array
                # only, which it may be: asked when it runs)
                self.checks.append(run_time_check(
                    check_not_added_into, [a, Const(what), Const(name)], stmt.loc))
        if changed:  # (in a branch: where it runs, as the other refusals here)
            self.refuse(stmt, UnsupportedSyntaxError(
                f"{name}() changes {', '.join(changed)}, which this function also reads: "
                "s2sad's derivative code reads it again after the call, so the derivative "
                "would see the change", stmt.loc,
                "have the helper return the new value and assign it (stats = update(stats, "
                "m)), or call it outside the function being differentiated"))

    def split_call(self, stmt: Assign) -> list[Assign]:
        """`y = call(h, *args)` becomes `pair = call_forward(h, active, *args)`,
        `y = pair[0]` and `saved = pair[1]`; `active` lists the call's varied
        arguments, by position or keyword, which the backward half returns
        adjoints for."""
        callee, args = stmt.args[0], stmt.args[1:]
        if self.facts.active(stmt.target):
            def varies(a: Any) -> bool:
                return self.facts.active(a)
        else:
            def varies(a: Any) -> bool:
                return isinstance(a, Var) and a in self.facts.varied
        active = tuple(([None] if varies(callee) else []) +
                       [i for i, a in enumerate(args) if varies(a)] +
                       [k for k, a in stmt.kwargs.items() if varies(a)])
        y = stmt.target
        hint = y.hint if y is not None else ""
        pair, saved = self.factory.new(hint), self.factory.new((hint or "call") + "_saved")
        stmt.target, stmt.prim = pair, "call_forward"
        stmt.args = [callee, Const(active), *args]
        stmt.callee = Ref("$call_forward")
        value = [Assign(y, "getitem", [pair, Const(0)], {}, None, stmt.loc)] if y else []
        return [*value, Assign(saved, "getitem", [pair, Const(1)], {}, None, stmt.loc)]

    # ------------------------------------------------------------ loops

    def replayed_by_count(self, loop: Loop) -> bool:
        """The backward pass replays a while loop, or a range loop that may
        break, by its trip count; a plain range loop reverses its range. Only
        loops the backward pass reverses need the count."""
        if loop.trips is not None or (loop.range_args is not None and loop.exit_flag is None):
            return False
        facts = self.facts
        inside = [s for region in regions(loop) for s in walk(region)]
        return any(facts.active(p) for p in loop.phis) or any(
            facts.active(v) for s in inside for v in defs(s)) or any(
            isinstance(s, Assign) and s.prim == "setitem" for s in inside)

    def count_trips(self, loop: Loop) -> None:
        trips, nxt = self.factory.new("trips"), self.factory.new("trips")
        loop.body.stmts.append(Assign(nxt, "add", [trips, Const(1)], {}, None, loop.loc))
        loop.phis.append(trips)
        loop.inits.append(Const(0))
        loop.nexts.append(nxt)
        loop.trips = trips

    # ------------------------------------------------------------ lists and tuples

    def sequence_op(self, stmt: Assign) -> None:
        containers = self.facts.containers
        if stmt.prim == "add" and stmt.target in containers:
            stmt.prim = "seq_concat"
        elif stmt.prim == "mul" and repeats_sequence(stmt, containers, self.facts.places):
            seq, count = stmt.args if stmt.args[0] in containers else stmt.args[::-1]
            stmt.prim, stmt.args = "seq_repeat", [seq, count]
        elif stmt.prim == "mul" and any(a in containers for a in stmt.args) and \
                not any(self.an_array(a) for a in stmt.args):
            error = UnsupportedSyntaxError(
                "`*` between a list or tuple made elsewhere (an argument, a call's result) "
                "and a value that may be a count or an array: s2sad cannot tell the "
                "repetition of the list from NumPy's arithmetic", stmt.loc,
                "repeat it with a comprehension, [v for _ in range(n) for v in items], or "
                "make the list an array first, np.array(items), for arithmetic")
            self.refuse(stmt, error)

    def may_join(self, stmt: Assign) -> bool:
        """Is `a + b` (`a * n`) arithmetic only as far as the transform can
        tell, where an operand may be a list or tuple (a helper's result, an
        item of a sequence), which Python would join (repeat)? Then
        `check_arithmetic` asks when it runs."""
        return len(stmt.args) == 2 and any(_of_unknown_kind(a, self.facts) for a in stmt.args)

    def refuse(self, stmt: Assign, error: Exception) -> None:
        """Raise `error`; inside a branch, make `stmt` raise it if it runs (as
        `lowering.control.branch` does, and Python, which fails only there:
        `if G is not None: x = G(x)` with G None)."""
        if not self.branches:
            raise error
        raise_when_run(stmt, error)

    def an_array(self, v: Any, seen: frozenset = frozenset()) -> bool:
        """Is v made by an operation that returns an array (so `*` is NumPy's)?
        A loop's or an if's value is, if one of the values it takes is."""
        stmt = self.facts.places.def_stmt.get(v) if isinstance(v, Var) else None
        if isinstance(stmt, Assign):
            prim = primitives.get(stmt.prim)
            if prim.returns == "operand":
                return self.an_array(stmt.args[0], seen)
            return prim.returns == "array" and not prim.scalar
        if isinstance(stmt, (Loop, If)) and v not in seen:
            merges = zip(stmt.phis, stmt.inits, stmt.nexts) if isinstance(stmt, Loop) else \
                zip(stmt.outs, stmt.then_vals, stmt.else_vals)
            return any(self.an_array(x, seen | {v}) for out, *xs in merges if out is v
                       for x in xs)
        return False


def _of_unknown_kind(v: Any, facts: Facts) -> bool:
    """May `v` be a list or tuple as far as `facts` tell (a helper's result,
    an item of a sequence), though arithmetic takes it?"""
    if not isinstance(v, Var) or v in facts.containers or known_shape(facts.shape, v) is not None:
        return False
    made = facts.places.def_stmt.get(v)
    return made_by_a_call(v, facts.places) or isinstance(made, Assign) and \
        made.prim == "getitem" and made.args[0] in facts.containers


def drop_settled_checks(fn: Function, facts: Facts) -> None:
    """Remove the `check_arithmetic`s whose operands `facts` now know to be
    numbers or arrays: a helper's calls of itself, once marked, return the
    shape its code returns (`analysis._recursive_shapes`), which prepare
    could not tell (0.6 us at each level of a recursion)."""
    for block in [fn.body, *(r for s in walk(fn.body) for r in regions(s))]:
        block.stmts[:] = [s for s in block.stmts if not (
            isinstance(s, Assign) and s.callee is not None and s.callee.value is check_arithmetic
            and not any(_of_unknown_kind(a, facts) for a in s.args[:2]))]


def run_time_check(check: Callable[..., None], args: list, loc: Loc | None) -> Assign:
    """A statement calling one of the run-time helpers that raise where a
    program turns out to be one s2sad refuses (`check_arithmetic`, ...)."""
    return Assign(None, check.__name__, list(args), {}, Ref("$" + check.__name__, check), loc)


def no_rule_error(stmt: Assign) -> NoAdjointError:
    """A derivative reaches an operation without a rule: say what to do."""
    if stmt.prim == "call":
        callee = stmt.args[0]
        what = callee.name.lstrip("$") if isinstance(callee, Ref) else "this call"
    elif stmt.prim == "getattr":
        name = stmt.args[1]
        what = f"the attribute .{name.value}" if isinstance(name, Const) else "getattr"
    elif primitives.get(stmt.prim).form == "method":
        what = f"the method {stmt.prim}"
    else:
        what = stmt.callee.name.lstrip("$") if stmt.callee is not None else stmt.prim
    why = "it has no derivative rule"
    callee = stmt.args[0] if stmt.prim == "call" else None
    if isinstance(callee, Ref) and isinstance(callee.value, type) and \
            dataclasses.is_dataclass(callee.value) and hasattr(callee.value, "__post_init__"):
        return NoAdjointError(
            f"cannot differentiate through {what}: a dataclass with __post_init__ (s2sad builds "
            "a dataclass from its fields, and cannot read the __init__ the dataclass module "
            "writes, which calls __post_init__)", stmt.loc,
            "compute the derived value in a method or a property (def sd(self): return "
            "np.exp(self.log_sd)), or write the class's __init__ yourself")
    if stmt.prim == "call" and isinstance(stmt.args[0], Ref) and \
            isinstance(stmt.args[0].value, types.FunctionType):
        why = ("it is a Python function whose source s2sad cannot read (made by exec, or "
               "library code), and it has no derivative rule; @s2sad.custom_vjp on your own "
               "function gives it one")
    hint = f"give it rules with s2sad.defvjp({what}, rule) and s2sad.defjvp({what}, rule), " \
        "wrap the value in s2sad.stop_gradient(...) if no derivative should flow through it, " \
        "or rewrite it with supported NumPy operations (s2sad's docs/ops.md lists them)"
    if isinstance(callee, Ref) and getattr(callee.value, "__module__", None) == "builtins" or \
            stmt.prim == "getattr":  # (Python's own: no rule of the user's makes sense)
        hint = "rewrite it with supported operations (s2sad's docs/ops.md lists them), or " \
            "wrap the value in s2sad.stop_gradient(...) if no derivative should flow through it"
    return NoAdjointError(f"cannot differentiate through {what}: {why}", stmt.loc, hint)


def dispatchable(obj: Any, stmt: Assign) -> bool:
    """Can the dispatcher differentiate a call of `obj` (a function with source,
    a method, a partial, a callable object, a class, an object with a rule, or a
    derivative s2sad made)?"""
    if is_derivative(obj) or isinstance(obj, UpdatingMethod):
        return True
    keys = tuple(k for k in stmt.kwargs if k not in ("*", "**"))
    return unfold(obj, len(stmt.args) - 1, keys) is not None


def raise_when_run(stmt: Assign, error: Exception) -> Assign:
    """`stmt` made to raise `error` where it runs (a construct in a branch
    that cannot be differentiated: Python too fails only if it runs)."""
    stmt.prim, stmt.args, stmt.kwargs = "unsupported", [Ref("$why", error)], {}
    stmt.callee = Ref("$unsupported")
    return stmt


def _read_key(u: Var | Ref) -> Any:
    """What a read counts under: a var, or a global's (or closure value's) name."""
    return u.name.split(".")[0] if isinstance(u, Ref) else u


def site_operand(stmt: Assign, site: Any, first: int) -> Any:
    """The operand of a call statement at an active site: the callee (None),
    a positional argument (counted from `first`), or a keyword one ("*" and
    "**": the packed arguments of a call with `*seq` or `**mapping`)."""
    if site is None:
        return stmt.args[0]
    return stmt.args[first + site] if isinstance(site, int) else stmt.kwargs[site]


def has_source(obj: Any) -> bool:
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    if not isinstance(obj, types.FunctionType):
        return False
    try:
        inspect.getsourcelines(obj)
    except (OSError, TypeError):
        return False
    return True


def _is_user_code(obj: Any) -> bool:
    """A Python function from the user's files (not the standard library or an
    installed package), which s2sad can transform."""
    if isinstance(obj, UpdatingMethod):
        return True  # (a method of the user's class)
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    return isinstance(obj, types.FunctionType) and \
        not is_library_file(obj.__code__.co_filename)
