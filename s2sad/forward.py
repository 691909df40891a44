"""Forward mode: a driver over the table of primitives.

`forward(fn, facts, factory, wrt)` takes a prepared function and returns
`jf(*params, *, x_dot, ...)`, which runs the function and, beside each
statement a derivative flows through, the statements that compute its
tangent; it returns `(value, tangent)`.

A tangent comes from the primitive's record: the sum over its varied
parameters of their tangent rules (`jvp`), lowered into IR with the
parameter's tangent bound to `t`, or a structural rule this module
implements for the IR's own operations (`tangent_items`, `tangent_setitem`,
`tangent_call`, tapes). Branches carry their tangents out as extra results
and loops as extra loop-carried values, so control flow needs no tape.

Memory follows the primal: a tangent rule of a view returns a view of the
tangent, and an in-place write into an array (`a[i] = v`, or derivative
code's `zero_slice` and `setitem_restore`) writes into its tangent in place, so whatever holds the
array (a view, a tape) holds its tangent. A fresh array's tangent is an
array of its own wherever one of them is written in place: a rule whose
tangent is its operand's (`y = x + c` gives y x's tangent) gets a copy
there (`fresh_tangent`). Zero tangents are
None at transform time and are made into arrays only where a value must
exist (a branch result, a loop-carried value, a write, the result).

The input may be any IR function the pipeline makes, a reversed one
included: forward mode over reverse mode gives Hessian-vector products.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from . import primitives
from .analysis import Facts, varied_in_memory, written_memory
from .builder import Builder, SymSeq, bound_arguments
from .cleanup import eliminate_dead_code
from .errors import NoAdjointError
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
    VarFactory,
    clone_function,
    walk,
)
from .prepare import dispatchable, no_rule_error, raise_when_run, site_operand
from .runtime import unshared


@dataclass(frozen=True)
class Forwarded:
    """A forward-mode function and its tangent parameters (keyword-only,
    one per differentiated parameter, in `wrt` order)."""

    function: Function
    tangents: list[Var]


def forward(fn: Function, facts: Facts, factory: VarFactory, wrt: tuple[int, ...]) -> Forwarded:
    return Forward(facts, factory).run(clone_function(fn), wrt)


def moving_sites(stmt: Assign, active: tuple, tangent: Any) -> tuple:
    """The sites of a call (the callee None, positions, keywords) whose
    operands have a tangent, the reverse pass's `active` ones first."""
    args = stmt.args[2:]
    candidates = [None, *range(len(args)), *stmt.kwargs]
    moved = [s for s in candidates if s not in active and
             tangent(site_operand(stmt, s, 2)) is not None]
    return (*active, *moved)


def _bound_in_order(fn: Any, stmt: Assign) -> list | None:
    """A call's operands in the order of fn's parameters, defaults filled in
    (JAX gives a tangent rule all of them: `x, beta = primals`); None where
    fn takes *args or **kwargs and keywords are given."""
    args = None if stmt.kwargs else list(stmt.args)
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return args
    params = list(signature.parameters.values())
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
        return args
    try:
        bound = signature.bind(*stmt.args, **stmt.kwargs)
    except TypeError:
        return args
    return [bound.arguments[p.name] if p.name in bound.arguments else Const(p.default)
            for p in params if p.name in bound.arguments or p.default is not p.empty]


def tname(v: Operand) -> str:
    """The tangent's name for a var named `x`: `x_dot`."""
    return v.hint + "_dot" if isinstance(v, Var) and v.hint else ""


class StructuralTangents:
    """The tangent rules of structural primitives (items, stores, tapes,
    calls, custom rules): the part of `Forward` the table names by rule
    (`tangent="items"` runs `tangent_items`). They use `Forward`'s
    `tangent`, `set_tangent`, `materialize` and `emit`."""

    # ------------------------------------------------------------ structural rules

    def tangent_items(self, stmt: Assign) -> None:
        """A tuple or list display: its tangent is kept item by item."""
        self.out.append(stmt)
        if stmt.target is not None and any(self.varied(a) for a in stmt.args):
            kind = "make_list" if stmt.prim == "make_list" else "make_tuple"
            self.set_tangent(stmt.target, SymSeq([self.tangent(a) for a in stmt.args], kind))

    def tangent_getitem(self, stmt: Assign) -> None:
        """`x[i]`: an item of a tangent kept per item, else the same index into
        the tangent."""
        self.out.append(stmt)
        x, index = stmt.args
        t = self.tangent(x)
        if stmt.target is None or not self.varied(stmt.target) or t is None:
            return
        if isinstance(t, SymSeq) and isinstance(index, Const) and isinstance(index.value, int):
            self.set_tangent(stmt.target, t.items[index.value])
            return
        t = self.materialize(x, t)
        self.set_tangent(stmt.target, self.emit("getitem", [t, index], hint=tname(stmt.target),
                                                loc=stmt.loc))

    def tangent_setitem(self, stmt: Assign) -> None:
        """`a2 = setitem(a1, index, v)`: the same write into a1's tangent."""
        self.out.append(stmt)
        array, index, value = stmt.args[:3]
        t_array, t_value = self.tangent(array), self.tangent(value)
        if t_array is None and t_value is None:
            return
        base = self.materialize(array, t_array)
        written = self.materialize(value, t_value) if t_value is not None else Const(0.0)
        # (the array and the value: an integer array truncates a fraction, whose tangent is 0)
        self.out.append(Assign(None, "write_slice", [base, index, written, array, value], {},
                               Ref("$write_slice", primitives.resolve_name("write_slice")),
                               stmt.loc))
        self.tan[stmt.target] = base  # (the same array, written: a1's memory is a2's)

    def tangent_multilinear(self, stmt: Assign) -> None:
        """An operation linear in each of its operands (np.einsum): the sum,
        over the operands with a tangent, of the call with that one replaced."""
        self.out.append(stmt)
        prim = primitives.get(stmt.prim)
        if stmt.target is None or not self.varied(stmt.target):
            return
        bound_arguments(prim, stmt, dict.fromkeys(prim.vjp, ""), self.varied, self.emit,
                        "tangent")  # (only for its checks)
        total = None
        for k, a in enumerate(stmt.args):
            t = self.tangent(a) if self.varied(a) else None
            if t is None:
                continue
            args = [*stmt.args[:k], self.materialize(a, t), *stmt.args[k + 1:]]
            part = self.emit(stmt.prim, args, kwargs=stmt.kwargs, callee=stmt.callee,
                             loc=stmt.loc, hint=tname(stmt.target))
            total = part if total is None else self.summed(prim, total, part, stmt.target)
        self.set_tangent(stmt.target, total)

    # ------------------------------------------------------------ derivative code's own

    def tangent_tape_new(self, stmt: Assign) -> None:
        """A tape that will hold varied values gets a tangent tape beside it."""
        self.out.append(stmt)
        if self.varied(stmt.target):
            tape = self.factory.new(tname(stmt.target) or "tape_dot")
            self.out.append(Assign(tape, "tape.new", [], {}, None, stmt.loc))
            self.tan[stmt.target] = tape

    def tangent_tape_push(self, stmt: Assign) -> None:
        """Every push onto a tape with a tangent tape pushes a tangent (zeros if
        none), so that pops stay in step."""
        self.out.append(stmt)
        tape, value = stmt.args
        t_tape = self.tangent(tape)
        if t_tape is not None:
            t = self.materialize(value, self.tangent(value))
            if self.tangent(value) is None and value in self.written:
                # (an array taped by reference and written in place later: its
                # tangent is this array from now on, written in place beside it)
                self.tan[value] = t
            self.out.append(Assign(None, "tape.push", [t_tape, t], {}, None, stmt.loc))

    def tangent_tape_pop(self, stmt: Assign) -> None:
        self.out.append(stmt)
        t_tape = self.tangent(stmt.args[0])
        if t_tape is None:
            return
        v = stmt.target
        t = self.factory.new(tname(v)) if v is not None and self.varied(v) else None
        self.out.append(Assign(t, "tape.pop", [t_tape], {}, None, stmt.loc))
        if t is not None:
            self.set_tangent(v, t)

    def tangent_store(self, stmt: Assign) -> None:
        """An in-place write of derivative code, `zero_slice(dx, index)` or
        `setitem_restore(x, index, old)` (its operands: the array, an index,
        the values): the same write into the
        array's tangent, kept as an array of its own from its definition."""
        self.out.append(stmt)
        first, index, *values = stmt.args
        if not self.varied(first):
            return
        t_first = self.tangent(first)
        if not isinstance(t_first, Var):
            t_first = self.tan[first] = self.materialize(first, t_first)
        t_values = [self.materialize(v, self.tangent(v) if self.varied(v) else None)
                    for v in values]
        self.out.append(Assign(None, stmt.prim, [t_first, index, *t_values], {}, stmt.callee,
                               stmt.loc))

    def own_if_stored(self, v: Var) -> None:
        """A value written into in place (by derivative code, `stored`, or the
        user's `a[i] = v`, a buffer) has its tangent as an array of its own from
        its definition on: writes inside branches and loops reach it, and what
        holds the array before a write (a tape) holds its tangent too."""
        if not self.written_later(v) or not self.varied(v):
            return
        t = self.tangent(v)
        if not isinstance(t, Var):
            self.tan[v] = self.materialize(v, t)

    def tangent_call_forward(self, stmt: Assign) -> None:
        """`pair = call_forward(h, active, *args)` in reverse-mode code: the
        callee's halves with a forward layer each (`call_forward_jvp`); its
        result's tangent holds the saved state's tangent for call_backward.
        The layer's tangents are those of the `active` arguments and of every
        other argument that has one (`moving_sites`: d/dy of the gradient in
        x of a helper's result moves y, which the reverse pass does not).
        (Always, even where no argument moves: the adjoint call_backward gets
        may, and the saved state can travel through tapes to it.)"""
        callee, active, *args = stmt.args
        moving = moving_sites(stmt, active.value, self.tangent)
        sites = [site_operand(stmt, s, 2) for s in moving]
        tangents = self.emit("make_tuple", [self.materialize(a, self.tangent(a))
                                            for a in sites])
        both = self.emit("call_forward_jvp", [callee, active, Const(moving), tangents, *args],
                         kwargs=stmt.kwargs, callee=Ref("$call_forward_jvp"), loc=stmt.loc)
        self.out.append(Assign(stmt.target, "getitem", [both, Const(0)], {}, None, stmt.loc))
        self.set_tangent(stmt.target, self.emit("getitem", [both, Const(1)],
                                                hint=tname(stmt.target)))

    def tangent_call_backward(self, stmt: Assign) -> None:
        saved, g = stmt.args
        t_saved, t_g = self.tangent(saved), self.tangent(g)
        if t_saved is None and t_g is None:
            self.out.append(stmt)
            return
        both = self.emit("call_backward_jvp",
                         [saved, t_saved if t_saved is not None else Const(None), g,
                          self.materialize(g, t_g)], callee=Ref("$call_backward_jvp"),
                         loc=stmt.loc)
        self.out.append(Assign(stmt.target, "getitem", [both, Const(0)], {}, None, stmt.loc))
        self.set_tangent(stmt.target, self.emit("getitem", [both, Const(1)],
                                                hint=tname(stmt.target)))

    def tangent_custom(self, stmt: Assign) -> None:
        """A function with the user's tangent rule, JAX's signature:
        `rule(primals, tangents) -> (value, tangent)`, called in its place."""
        if all(self.tangent(a) is None for a in stmt.operands()) or stmt.target is None:
            self.out.append(stmt)
            return
        fn, _, rule = primitives.USER_RULED[stmt.prim]
        operands = _bound_in_order(fn, stmt)
        if operands is None:
            raise NoAdjointError(
                f"the tangent rule of {getattr(fn, '__name__', fn)!r} takes its arguments in "
                "order, and this call passes some by keyword that s2sad cannot place "
                "(the function takes *args or **kwargs)", stmt.loc,
                "pass the arguments positionally")
        primals = self.emit("make_tuple", operands)
        tangents = self.emit("make_tuple", [self.materialize(a, self.tangent(a))
                                            for a in operands])
        name = "$" + (getattr(rule, "__name__", "") or "rule").strip("<>")
        pair = self.emit("call", [Ref(name, rule), primals, tangents], loc=stmt.loc)
        self.out.append(Assign(stmt.target, "getitem", [pair, Const(0)], {}, None, stmt.loc))
        self.set_tangent(stmt.target, self.emit("getitem", [pair, Const(1)],
                                                hint=tname(stmt.target)))

    def tangent_partial(self, stmt: Assign) -> None:
        """`p = functools.partial(func, *args, **keywords)`: its tangent is
        (func's, a tuple over args, a dict over keywords)."""
        self.out.append(stmt)
        func, *args = stmt.args
        operands = [func, *args, *stmt.kwargs.values()]
        if stmt.target is None or all(self.tangent(a) is None for a in operands):
            return
        ts = [self.materialize(a, self.tangent(a)) for a in operands]
        keys = tuple(stmt.kwargs)
        tangent = self.emit("make_tuple", [ts[0], self.emit("make_tuple", ts[1:1 + len(args)]),
                                           self.emit("make_dict", [Const(keys),
                                                                   *ts[1 + len(args):]])],
                            hint=tname(stmt.target), loc=stmt.loc)
        self.set_tangent(stmt.target, tangent)

    def tangent_call(self, stmt: Assign) -> None:
        """`y = h(*args)` of user code: the callee's own forward mode, through
        the dispatcher: `pair = call_jvp(h, active, tangents, *args)`."""
        callee, args = stmt.args[0], stmt.args[1:]
        sites = [(None, callee), *enumerate(args), *stmt.kwargs.items()]
        active = [(site, a) for site, a in sites if self.tangent(a) is not None]
        if not active:
            self.out.append(stmt)
            return
        if isinstance(callee, Ref) and not dispatchable(callee.value, stmt):
            if not self.branches:
                raise no_rule_error(stmt)
            self.out.append(raise_when_run(stmt, no_rule_error(stmt)))  # (in a branch)
            return
        tangents = self.emit("make_tuple", [self.materialize(a, self.tangent(a))
                                            for _, a in active])
        y = stmt.target
        pair = self.emit("call_jvp", [callee, Const(tuple(s for s, _ in active)), tangents,
                                      *args], kwargs=stmt.kwargs, callee=Ref("$call_jvp"),
                         loc=stmt.loc, hint=y.hint if y is not None else "")
        if y is not None:
            self.out.append(Assign(y, "getitem", [pair, Const(0)], {}, None, stmt.loc))
            t = self.emit("getitem", [pair, Const(1)], hint=tname(y))
            if self.written_later(y) or any(self.written_later(a) for a in args):
                # (the callee may hand back an argument's tangent: `return a + 0.0`)
                t = self.emit("unshared", [t], callee=Ref("$unshared", unshared),
                              hint=tname(y), loc=stmt.loc)
            self.set_tangent(y, t)


class Forward(StructuralTangents, Builder):
    def __init__(self, facts: Facts, factory: VarFactory) -> None:
        super().__init__(facts, factory)
        self.tan: dict[Var, Any] = {}  # tangents so far (None or absent: zero)
        self.placeholders: dict[Var, Var] = {}  # `v = None` -> its tangent's placeholder
        self.varied_vars: set[Var] = set(facts.varied)  # (`run` adds memory written in place)
        self.branches = 0  # the ifs around the statement being transformed

    def varied(self, v: Operand) -> bool:
        return isinstance(v, Var) and v in self.varied_vars

    # ------------------------------------------------------------ the function

    def run(self, fn: Function, wrt: tuple[int, ...]) -> Forwarded:
        self.stored = {s.args[0] for s in walk(fn.body) if isinstance(s, Assign)
                       and s.target is None and primitives.get(s.prim).stores}
        self.written = written_memory(fn, self.facts.buffers | self.stored)
        self.varied_vars = varied_in_memory(list(walk(fn.body)), self.facts.varied)
        tangents = []
        taken = {p.hint for p in fn.params}
        for i in wrt:
            p = fn.params[i]
            hint, k = tname(p) or "t", 2
            while hint in taken:  # a second layer over x: x_dot2
                hint, k = f"{tname(p) or 't'}{k}", k + 1
            taken.add(hint)
            t = self.factory.new(hint)
            self.tan[p] = t
            self.shape[t] = self.shape.get(p)
            tangents.append(t)
        *body, ret = fn.body.stmts
        self.out = []
        self.statements(body)
        value = ret.value
        tangent = self.materialize(value, self.tangent(value))
        pair = self.emit("make_tuple", [value, tangent])
        out = Block([*self.out, Return(pair, ret.loc)])
        eliminate_dead_code(out)
        jf = Function("j" + fn.name, [*fn.params, *tangents], out, dict(fn.defaults), fn.loc,
                      fn.kwonly + len(tangents), fn.posonly, fn.vararg, fn.varkw)
        return Forwarded(jf, tangents)

    def statements(self, stmts: list) -> None:
        for stmt in stmts:
            if isinstance(stmt, Assign):
                self.assign(stmt)
            elif isinstance(stmt, If):
                self.branch(stmt)
            elif isinstance(stmt, Loop):
                self.loop(stmt)
            else:
                self.out.append(stmt)

    def tangent(self, v: Operand) -> Any:
        return self.tan.get(v) if isinstance(v, Var) else None

    def set_tangent(self, v: Var, t: Any) -> None:
        if t is None:
            return
        self.tan[v] = t
        if isinstance(t, Var) and self.shape.get(t) in (None, t):
            self.shape[t] = self.shape.get(v)  # a rule's tangent is shaped like its primal
        if isinstance(t, Var) and not t.hint and tname(v):
            t.hint = tname(v)

    # ------------------------------------------------------------ one statement

    def assign(self, stmt: Assign) -> None:
        if self.placeholder(stmt):
            return
        prim = primitives.get(stmt.prim)
        if prim.tangent is not None:
            getattr(self, "tangent_" + prim.tangent)(stmt)
        else:
            self.out.append(stmt)
            v = stmt.target
            if v is None or not self.varied(v) or not prim.differentiable:
                return
            if any(self.varied(a) for a in stmt.operands()):  # (else made of constants:
                # varied only by a later write, its tangent is zeros until then)
                ruled = self.as_one_function(stmt)
                prim = primitives.get(ruled.prim)
                t = self.linear(prim, ruled) if prim.linear else self.from_templates(prim, ruled)
                self.set_tangent(v, self.fresh_tangent(prim, stmt, t))
        if stmt.target is not None and stmt.prim != "tape.new":
            self.own_if_stored(stmt.target)
            self.bind_placeholder(stmt.target)

    def fresh_tangent(self, prim: primitives.Primitive, stmt: Assign, t: Any) -> Any:
        """A fresh array's tangent is a copy wherever the array or an operand is
        written in place later: its rule may hand back an operand's tangent
        (`x + c`, `np.copy(x)`) or a view of one, and the write must reach one
        tangent, as it reaches one array. A view's tangent is one where NumPy
        made a view, and a copy where NumPy copied (`view_tangent`)."""
        if prim.view and isinstance(t, Var) and stmt.args and (
                self.written_later(stmt.target) or self.written_later(stmt.args[0])):
            return self.emit("view_tangent", [t, stmt.target, stmt.args[0]],
                             callee=Ref("$view_tangent", primitives.resolve_name("view_tangent")),
                             hint=tname(stmt.target), loc=stmt.loc)
        if not prim.fresh or not isinstance(t, Var):
            return t
        if self.written_later(stmt.target) or any(self.written_later(a)
                                                  for a in stmt.operands()):
            # (the rule may hand back an operand's tangent, or a view of one)
            return self.emit("own", [t], callee=Ref("$own", primitives.resolve_name("own")),
                             hint=tname(stmt.target), loc=stmt.loc)
        return t

    def written_later(self, v: Operand) -> bool:
        return isinstance(v, Var) and v in self.written

    def placeholder(self, stmt: Assign) -> bool:
        """`v = None` before a branch that may assign v (how `split` keeps a
        value defined on one path in the state): its tangent gets one too, and
        each later assignment of v assigns the tangent's placeholder. `v = obj`
        (a version of an object an in-place write may make there: `split`'s
        too) starts from obj's tangent."""
        v = stmt.target
        if stmt.prim != "copy" or v is None or not self.varied(v) or not (
                stmt.args == [Const(None)] or isinstance(stmt.args[0], Var)):
            return False
        self.out.append(stmt)
        holder = self.factory.new(tname(v))
        first = stmt.args[0]
        start = self.materialize(first, self.tangent(first)) if isinstance(first, Var) \
            else Const(None)
        self.out.append(Assign(holder, "copy", [start], {}, None, stmt.loc))
        self.placeholders[v] = holder
        if isinstance(first, Var):
            self.tan[v] = holder
        return True

    def bind_placeholder(self, v: Var) -> None:
        holder = self.placeholders.get(v)
        if holder is not None:
            self.out.append(Assign(holder, "copy", [self.materialize(v, self.tangent(v))]))
            self.tan[v] = holder

    def linear(self, prim: primitives.Primitive, stmt: Assign) -> Operand | None:
        """A linear operation's tangent: the same call, its linear operands
        replaced by their tangents (zeros where they have none)."""
        bound_arguments(prim, stmt, dict.fromkeys(prim.linear, ""), self.varied, self.emit,
                        "tangent")  # (only for its checks)
        positional = [p for p in prim.params if prim.kinds[p] in ("posonly", "normal")]
        swapped = False

        def tangent_of(x: Operand) -> Operand:
            nonlocal swapped
            t = self.tangent(x) if self.varied(x) else None
            swapped |= t is not None
            if t is None and isinstance(x, Const) and isinstance(x.value, str):
                return Const((0.0,) * len(x.value))  # (zip("ab", ...): a zero per letter)
            return self.materialize(x, t)

        args = []
        for k, a in enumerate(stmt.args):
            name = positional[k] if k < len(positional) else prim.varargs
            args.append(tangent_of(a) if name in prim.linear else a)
        kwargs = {key: tangent_of(a) if key in prim.linear else a
                  for key, a in stmt.kwargs.items()}
        if not swapped:
            return None
        return self.emit(stmt.prim, args, kwargs=kwargs, callee=stmt.callee, loc=stmt.loc,
                         hint=tname(stmt.target))

    def from_templates(self, prim: primitives.Primitive, stmt: Assign) -> Any:
        """The sum of the tangent rules of the varied parameters."""
        bound, bindings = bound_arguments(prim, stmt, prim.jvp, self.varied, self.emit,
                                          "tangent")
        self.lists_as_arrays(prim, bound, bindings, prim.jvp, stmt.loc)
        bindings["ans"] = stmt.target
        total = None
        for name, value in bound.items():
            values = value if isinstance(value, list) else [value]
            if name in prim.zero or not any(self.varied(x) for x in values):
                continue
            if isinstance(value, list):
                if all(self.tangent(x) is None for x in values):
                    continue
                t = self.emit("make_list", [self.materialize(x, self.tangent(x))
                                            for x in values])
            else:
                t = self.tangent(value)
                if t is None:
                    continue
                t = self.materialize(value, t)
                if prim.takes == "arrays" and self.may_be_list(value):
                    # NumPy reads a list of numbers as an array, so does the rule
                    t = self.template("np.asarray(t)", {"t": t}, stmt.loc, tname(value))
            part = self.template(prim.jvp[name], {**bindings, "t": t}, stmt.loc,
                                 tname(stmt.target))
            total = part if total is None else self.summed(prim, total, part, stmt.target)
        if total is not None and prim.elementwise and not self.same_shape(total, stmt.target):
            # `y = x + c` with a scalar x and an array c: t has x's shape, not y's
            total = self.template("broadcast_tangent(t, ans)", {"t": total, "ans": stmt.target},
                                  stmt.loc, tname(stmt.target))
        return total

    def summed(self, prim: primitives.Primitive, a: Operand, b: Operand, v: Var) -> Operand:
        """Two contributions to v's tangent: `+` for arrays; item by item for the
        lists and tuples helpers return (einsum's adjoints)."""
        if prim.returns == "array":
            return self.emit("add", [a, b], hint=tname(v))
        return self.emit("add_adjoints", [a, b], hint=tname(v),
                         callee=Ref("$add_adjoints", primitives.resolve_name("add_adjoints")))

    def materialize(self, v: Operand, t: Any) -> Operand:
        """A run-time value for a tangent: zeros for None, a tuple or list for a SymSeq."""
        if t is None:
            z = self.emit("zeros_like", [v], hint=tname(v),
                          callee=Ref("$zeros_like", primitives.resolve_name("zeros_like")))
            return z
        if not isinstance(t, SymSeq):
            return t
        items = []
        for i, item in enumerate(t.items):
            if item is None or isinstance(item, SymSeq):
                item = self.materialize(self.emit("getitem", [v, Const(i)]), item)
            items.append(item)
        return self.emit(t.kind, items, hint=tname(v))

    # ------------------------------------------------------------ branches and loops

    def branch(self, stmt: If) -> None:
        sides = []
        self.branches += 1
        for block, vals in ((stmt.then, stmt.then_vals), (stmt.orelse, stmt.else_vals)):
            saved, self.out = self.out, []
            self.statements(block.stmts)
            sides.append((self.out, vals))
            self.out = saved
        self.branches -= 1
        new = If(stmt.cond, Block(sides[0][0]), Block(sides[1][0]), list(stmt.outs),
                 list(stmt.then_vals), list(stmt.else_vals), stmt.loc)
        for out, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals):
            ta, tb = self.tangent(a), self.tangent(b)
            if not self.varied(out) or (ta is None and tb is None):
                continue
            t_out = self.factory.new(tname(out))
            new.outs.append(t_out)
            for stmts, value, t, vals in ((new.then.stmts, a, ta, new.then_vals),
                                          (new.orelse.stmts, b, tb, new.else_vals)):
                saved, self.out = self.out, stmts
                vals.append(self.materialize(value, t))
                self.out = saved
            self.set_tangent(out, t_out)
        self.out.append(new)
        for out in stmt.outs:
            self.own_if_stored(out)
            self.bind_placeholder(out)

    def loop(self, loop: Loop) -> None:
        carried = [(k, phi) for k, phi in enumerate(loop.phis) if self.varied(phi)]
        new_phis, inits = [], []
        for k, phi in carried:
            init = self.materialize(loop.inits[k], self.tangent(loop.inits[k]))
            t_phi = self.factory.new(tname(phi))
            self.shape[t_phi] = self.shape.get(phi)
            self.tan[phi] = t_phi
            new_phis.append(t_phi)
            inits.append(init)
        header, body = [], []
        for block, stmts in ((loop.header, header), (loop.body, body)):
            saved, self.out = self.out, stmts
            self.statements(block.stmts)
            self.out = saved
        nexts = []
        saved, self.out = self.out, body
        for k, _ in carried:
            nexts.append(self.materialize(loop.nexts[k], self.tangent(loop.nexts[k])))
        self.out = saved
        loop.header, loop.body = Block(header), Block(body)
        loop.phis = [*loop.phis, *new_phis]
        loop.inits = [*loop.inits, *inits]
        loop.nexts = [*loop.nexts, *nexts]
        self.out.append(loop)
        for phi in loop.phis:
            self.bind_placeholder(phi)
