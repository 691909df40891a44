"""Stage 3: reverse mode on the IR.

`reverse(fn, wrt)` returns a new IR function `df(*params, g)` that runs the
forward pass (the original body, instrumented) and then the adjoint pass,
returning `(value, gradients)`.

How it works:

* Activity: a value is active when it depends on a `wrt` parameter (through
  differentiable arguments) and reaches the returned value. Only active
  statements get adjoints.
* Straight-line code: statements are visited backwards; each looks up its
  rule and lowers the rule's adjoint templates into IR (peephole-simplified,
  with `unbroadcast` dropped where the shapes provably agree). Adjoints
  accumulate: the first contribution is assigned, later ones added.
* `If`: the backward pass branches on the same (saved) condition; adjoint
  maps from the two sides are merged like SSA phis.
* `Loop`: the backward pass is a loop over the trip count (for `range`
  loops: the same range, reversed). Per-iteration values the adjoint needs
  are restored region by region: each region (a loop body, or a branch inside
  a loop) has its own tape. Values it cannot cheaply recompute (loop-carried
  values, results of nested loops and branches, expensive ops such as matmul)
  are pushed at their definition and popped at the start of the region's
  backward; cheap pure values are recomputed from them instead of stored.
  Adjoints of values defined outside the loop become loop-carried
  accumulators of the backward loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import rules
from .aliasing import VIEW_OPS
from .errors import Loc, NoAdjointError, UnsupportedSyntaxError
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
    defs,
    reachable,
    uses,
    walk,
    walk_nested,
)
from .lowering import lower_template

# Ops too expensive to recompute in the backward pass: their results are taped.
EXPENSIVE = {
    "matmul", "np.matmul", "np.dot", ".dot", "np.tensordot", "np.einsum", "np.linalg.inv",
    "np.linalg.solve", "np.linalg.det", "np.linalg.slogdet", "np.outer", "np.inner",
    "np.linalg.norm", "np.sort", "np.cumsum", "np.cumprod",
}
# Ops that are never recomputed: effects, calls without rules, tape operations.
IMPURE = {"call", "call_forward", "assert", "tape.new", "tape.push", "tape.pop", "print",
          ".append", "make_dict", "make_list", "list_append", "setitem", "own"}
_ARITH = {"add", "sub", "mul", "truediv", "pow", "neg"}


@dataclass
class SymSeq:
    """The adjoint of a tuple/list kept per item at transform time (None = zero)."""

    items: list[Operand | None]


@dataclass
class LoopScope:
    """Adjoints of values from outside a loop, carried through its backward loop."""

    defined: set[Var]
    outer_adj: dict
    pre: list  # statements to place before the backward loop
    carried: dict[Var, tuple[Var, Operand]] = field(default_factory=dict)
    # For the loop's own phis: the adjoint flowing back into `next` each iteration.
    phis: dict[Var, tuple[Var, Operand]] = field(default_factory=dict)


class Reverse:
    def __init__(self, fn: Function, wrt: list[int], factory: VarFactory,
                 scalar_params: tuple[int, ...] = (), seq_params: tuple[int, ...] = ()) -> None:
        self.fn = fn
        self.scalar_params = scalar_params  # arguments known to be numbers at this call
        self.seq_params = seq_params  # ... and to be lists or tuples
        self.wrt = wrt
        self.factory = factory
        self.out: list = []  # the block being written
        self.adj: dict[Var, Any] = {}
        self.scopes: list[LoopScope] = []
        self.shape: dict[Var, Var] = {}
        self.seq_vars: set[Var] = set()
        self.def_block: dict[Var, Block] = {}
        self.def_stmt: dict[Var, Any] = {}
        self.depth: dict[int, int] = {}  # id(block) -> loop depth
        self.loop_of_body: dict[int, Loop] = {}
        self.entry: dict[int, set[Var]] = {}  # id(loop body) -> per-iteration entry values
        self.tapes: list[Assign] = []

    # ------------------------------------------------------------ analysis

    def analyze(self) -> None:
        self.owned: set[Var] = set()  # adjoint arrays this pass allocated: safe to write into
        self.handed: dict[Var, int] = {}
        self._save_overwritten(self.fn.body)
        self.buffers, self.persistent_phis, self.one_array = _buffers(self.fn)
        self._activity()
        if self._split_user_calls(self.fn.body):
            self._activity()
        self._shapes(self.fn.body)
        self.numeric = _numeric_vars(self.fn)
        for stmt in walk(self.fn.body):
            if isinstance(stmt, Assign) and stmt.target is not None:
                if stmt.prim in ("make_tuple", "make_list", "call_forward", "make_dict") or \
                        _rule_out(stmt.prim) == "seq":
                    self.seq_vars.add(stmt.target)
        self.seq_vars |= {p for i, p in enumerate(self.fn.params) if i in self.seq_params}
        changed = True
        while changed:  # a list written, joined, sliced, carried or chosen stays a list
            changed = False
            for stmt in walk(self.fn.body):
                for target in self._sequence_results(stmt):
                    if target not in self.seq_vars:
                        self.seq_vars.add(target)
                        changed = True
        self.numeric -= self.seq_vars

    def _sequence_results(self, stmt: Any) -> list[Var]:
        """Values `stmt` makes that are lists or tuples because its inputs are."""
        seqs = self.seq_vars
        if isinstance(stmt, (If, Loop)):
            pairs = zip(stmt.outs, stmt.then_vals, stmt.else_vals) if isinstance(stmt, If) \
                else zip(stmt.phis, stmt.inits, stmt.nexts)
            return [out for out, a, b in pairs if a in seqs or b in seqs]
        if not isinstance(stmt, Assign) or stmt.target is None or not stmt.args:
            return []
        first = stmt.args[0]
        if stmt.prim in ("setitem", "own") and first in seqs or \
                stmt.prim == "add" and any(a in seqs for a in stmt.args) or \
                _repeats_sequence(stmt, seqs) or \
                stmt.prim == "getitem" and first in seqs and _is_slice(stmt.args[1],
                                                                      self.def_stmt):
            return [stmt.target]
        return []

    def _split_user_calls(self, block: Block) -> bool:
        """Turn each active call of a user function `y = h(a, b)` into
        `t = call_forward(h, wrt, a, b); y = t[0]; saved = t[1]`, whose adjoint
        is `call_backward(saved, dy)`: the callee is transformed on its own."""
        changed = False
        new: list = []
        for stmt in block.stmts:
            new.append(stmt)
            if isinstance(stmt, If):
                changed |= self._split_user_calls(stmt.then)
                changed |= self._split_user_calls(stmt.orelse)
            elif isinstance(stmt, Loop):
                changed |= self._split_user_calls(stmt.header)
                changed |= self._split_user_calls(stmt.body)
            elif isinstance(stmt, Assign) and self.active(stmt.target) and (
                    (stmt.prim == "call" and stmt.callee) or _dynamic_method(stmt)):
                self._rewrite_call(stmt, new, self.active)
                changed = True
            elif isinstance(stmt, Assign) and stmt.prim == "call" and stmt.callee and \
                    _is_user_code(stmt.static) and any(
                        isinstance(a, Var) and a in self.varied for a in stmt.operands()):
                # Its result is not needed, but the call is still transformed: the
                # transformed helper checks that it does not change its arguments
                # in place (which the backward pass would not know about).
                self._rewrite_call(stmt, new, lambda a: isinstance(a, Var) and a in self.varied)
                changed = True
        block.stmts[:] = new
        return changed

    def _save_overwritten(self, block: Block) -> None:
        """Before each `a[index] = v`, snapshot the slice it overwrites, for the
        backward pass to put back."""
        new: list = []
        for stmt in block.stmts:
            if isinstance(stmt, If):
                self._save_overwritten(stmt.then)
                self._save_overwritten(stmt.orelse)
            elif isinstance(stmt, Loop):
                self._save_overwritten(stmt.header)
                self._save_overwritten(stmt.body)
            elif isinstance(stmt, Assign) and stmt.prim == "setitem":
                array, index = stmt.args[0], stmt.args[1]
                view = self.factory.new("")
                old = self.factory.new("old")
                new.append(Assign(view, "getitem", [array, index], {}, None, None, stmt.loc))
                new.append(Assign(old, "$snapshot", [view], {}, "$snapshot", None, stmt.loc))
                stmt.saved = old
            new.append(stmt)
        block.stmts[:] = new

    def reverse_setitem(self, stmt: Assign) -> None:
        """Reverse `a2 = setitem(a1, index, v)`, done in place: read the adjoint of
        the written slice (for v), zero it (for a1), and put the old slice back."""
        array, index, value = stmt.args
        a2 = stmt.target
        g = self.current(a2) if self.active(a2) else None
        if g is not None:
            self._consume(a2)
            g = self.materialize(a2, g)
            if self.active(value):
                part = self.template("unbroadcast(read_slice(g, index, a, value), value)",
                                     {"g": g, "index": index, "value": value, "a": a2},
                                     stmt.loc,
                                     _dname(value))
                self.accumulate(value, part, stmt.loc)
            if self.active(array):
                if g not in self.owned:
                    g = self.emit("own", [g], callee="$own", hint=_dname(array))
                    self.owned.add(g)
                self.out.append(Assign(None, "zero_slice", [g, index], {}, None, None, stmt.loc))
                self.accumulate(array, g, stmt.loc)
        self.out.append(Assign(None, "setitem_restore", [a2, index, stmt.saved], {}, None, None,
                               stmt.loc))

    def _consume(self, v: Var) -> None:
        """v's adjoint is used up by the reverse of v's definition: an array it
        held may be handed on to one new holder and still be owned."""
        held = self.adj.pop(v, None)
        if isinstance(held, Var) and self.handed.get(held, 0) > 0:
            self.handed[held] -= 1

    def _writes_buffers(self, stmt: If | Loop) -> bool:
        blocks = [stmt.then, stmt.orelse] if isinstance(stmt, If) else [stmt.header, stmt.body]
        return any(isinstance(s, Assign) and s.prim == "setitem" for b in blocks for s in walk(b))

    def _rewrite_call(self, stmt: Assign, new: list, active: Callable) -> None:
        if stmt.prim == "call":
            callee: Operand = Ref(stmt.callee)
            args = stmt.args
            wrt = _callee_wrt(stmt, [active(a) for a in args],
                              {k: active(a) for k, a in stmt.kwargs.items()})
            if wrt is None:
                raise self._no_rule(stmt)
        else:  # obj.method(args) on a local object: look the method up at run time
            receiver, args = stmt.args[0], stmt.args[1:]
            if self.active(receiver) or any(self.active(a) for a in stmt.kwargs.values()):
                raise self._no_rule(stmt)
            callee = self.factory.new(stmt.prim[1:])
            new.insert(len(new) - 1, Assign(callee, stmt.prim, [receiver], {}, None, "attr",
                                            stmt.loc))
            wrt = tuple(1 + i for i, a in enumerate(args) if self.active(a))
            stmt.shift = 1
        y, pair = stmt.target, self.factory.new(stmt.target.hint)
        saved = self.factory.new((stmt.target.hint or "call") + "_saved")
        stmt.target, stmt.prim = pair, "call_forward"
        stmt.args = [callee, Const(wrt), *args]
        stmt.static = saved
        stmt.callee = "$call_forward"
        new.append(Assign(y, "getitem", [pair, Const(0)], {}, None, None, stmt.loc))
        new.append(Assign(saved, "getitem", [pair, Const(1)], {}, None, None, stmt.loc))

    def _activity(self) -> None:
        self._index_block(self.fn.body, 0)
        for i, p in enumerate(self.fn.params):
            self.def_block[p] = self.fn.body
            self.shape[p] = SCALAR if i in self.scalar_params else p
        self.varied = {self.fn.params[i] for i in self.wrt}
        self.useful: set[Var] = set()
        ret = self.fn.body.stmts[-1]
        assert isinstance(ret, Return)
        if isinstance(ret.value, Var):
            self.useful.add(ret.value)
        # varied: reachable from the wrt arguments; useful: the result depends on it
        feeds: dict[Var, list[Var]] = {}
        fed_by: dict[Var, list[Var]] = {}
        for stmt in walk(self.fn.body):
            for target, sources in _flows(stmt):
                for src in sources:
                    if isinstance(src, Var):
                        feeds.setdefault(src, []).append(target)
                        fed_by.setdefault(target, []).append(src)
        self.varied = reachable(self.varied, feeds)
        self.useful = reachable(self.useful, fed_by)

    def _shapes(self, block: Block) -> None:
        """Shape classes: values known to share a shape share a representative."""
        for stmt in block.stmts:
            if isinstance(stmt, Assign) and stmt.target is not None:
                self.shape[stmt.target] = self._shape_class(stmt)
            elif isinstance(stmt, If):
                self._shapes(stmt.then)
                self._shapes(stmt.orelse)
                for out, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals):
                    ca = self.shape.get(a) if isinstance(a, Var) else None
                    cb = self.shape.get(b) if isinstance(b, Var) else None
                    self.shape[out] = ca if ca is not None and ca is cb else out
            elif isinstance(stmt, Loop):
                # Assume each phi keeps its initial shape; if an iteration may
                # change it, give the phi its own class and look again.
                for phi, init in zip(stmt.phis, stmt.inits):
                    cls = self.shape.get(init) if isinstance(init, Var) else None
                    if isinstance(init, Const) and type(init.value) in (int, float):
                        cls = SCALAR
                    self.shape[phi] = cls if cls is not None else phi
                if stmt.index is not None:
                    self.shape[stmt.index] = stmt.index
                for _ in range(len(stmt.phis) + 1):
                    self._shapes(stmt.header)
                    self._shapes(stmt.body)
                    unstable = [p for p, n in zip(stmt.phis, stmt.nexts)
                                if not (isinstance(n, Var) and self.shape.get(n) is
                                        self.shape[p]) and self.shape[p] is not p]
                    if not unstable:
                        break
                    for p in unstable:
                        self.shape[p] = p

    def _index_block(self, block: Block, depth: int) -> None:
        self.depth[id(block)] = depth
        for stmt in block.stmts:
            for v in defs(stmt):
                self.def_block[v] = block
                self.def_stmt[v] = stmt
            if isinstance(stmt, If):
                self._index_block(stmt.then, depth)
                self._index_block(stmt.orelse, depth)
            elif isinstance(stmt, Loop):
                self._index_block(stmt.header, depth + 1)
                self._index_block(stmt.body, depth + 1)
                self.loop_of_body[id(stmt.body)] = stmt
                entry = set(stmt.phis) | {v for s in stmt.header.stmts for v in defs(s)}
                if stmt.index is not None:
                    entry.add(stmt.index)
                    self.def_stmt[stmt.index] = stmt
                self.entry[id(stmt.body)] = entry

    def active(self, v: Operand) -> bool:
        return isinstance(v, Var) and v in self.varied and v in self.useful

    def _shape_class(self, stmt: Assign) -> Var | None:
        """A var known to have the same shape as stmt's result, if any."""
        rule = rules.rule_named(stmt.prim)
        if stmt.prim == "getitem" and isinstance(stmt.args[1], Const):
            src = self.def_stmt.get(stmt.args[0]) if isinstance(stmt.args[0], Var) else None
            if isinstance(src, Assign) and src.prim in ("make_tuple", "make_list") and \
                    isinstance(stmt.args[1].value, int) and -len(src.args) <= \
                    stmt.args[1].value < len(src.args):
                item = src.args[stmt.args[1].value]
                return self.shape.get(item, stmt.target) if isinstance(item, Var) else \
                    stmt.target
        if stmt.prim in ("copy", "stop_gradient"):
            return self.shape.get(stmt.args[0]) if isinstance(stmt.args[0], Var) else None
        if _is_scalar_result(stmt, rule):
            return SCALAR
        if rule is None or not rule.elementwise:
            return stmt.target
        # Broadcasting against a scalar never changes a shape.
        classes = set()
        for a in stmt.operands():
            if isinstance(a, Const) and isinstance(a.value, (int, float)):
                continue
            cls = self.shape.get(a) if isinstance(a, Var) else None
            if cls is not SCALAR:
                classes.add(cls)
        if not classes:
            return SCALAR
        if len(classes) == 1:
            (cls,) = classes
            return cls if cls is not None else stmt.target
        return stmt.target

    def same_shape(self, a: Operand, b: Operand) -> bool:
        return isinstance(a, Var) and isinstance(b, Var) and \
            self.shape.get(a) is not None and self.shape.get(a) is self.shape.get(b)

    # ------------------------------------------------------------ building

    def emit(self, prim: str, args: list, *, hint: str = "", callee: str | None = None,
             loc: Loc | None = None, kwargs: dict | None = None, target: bool = True) -> Operand:
        stmt = Assign(self.factory.new(hint) if target else None, prim, list(args),
                      dict(kwargs or {}), callee, None, loc)
        return self.add(stmt)

    def add(self, stmt: Assign) -> Operand:
        """Append `stmt` to the output after peephole simplification; returns its value."""
        simpler = self._simplify(stmt)
        if simpler is not None:
            return simpler
        self.out.append(stmt)
        if stmt.target is not None:
            self.shape[stmt.target] = self._shape_class(stmt)
        return stmt.target

    def _simplify(self, stmt: Assign) -> Operand | None:
        p, a = stmt.prim, stmt.args
        if p in _ARITH and all(isinstance(x, Const) for x in a) and not stmt.kwargs:
            try:
                return Const(_fold(p, [x.value for x in a]))
            except Exception:
                return None
        if p == "mul":
            for x, y in ((a[0], a[1]), (a[1], a[0])):
                if _is_const(x, 1):
                    return y
        if p == "truediv" and _is_const(a[1], 1):
            return a[0]
        if p in ("add", "sub") and _is_const(a[1], 0):
            return a[0]
        if p == "add" and _is_const(a[0], 0):
            return a[1]
        if p == "pow" and _is_const(a[1], 1):
            return a[0]
        if p == "neg" and isinstance(a[0], Var):
            inner = self._def_in_out(a[0])
            if inner is not None and inner.prim == "neg":
                return inner.args[0]
            stripped = self._strip_neg(a[0])
            if stripped is not None:
                return stripped
        if p == "$unbroadcast" and self.same_shape(a[0], a[1]):
            return a[0]
        return None

    def _strip_neg(self, v: Var) -> Operand | None:
        """For v = (-a) * b / c ..., the same product without the minus sign."""
        stmt = self._def_in_out(v)
        if stmt is None or stmt.prim not in ("mul", "truediv") or not isinstance(stmt.args[0], Var):
            return None
        first = self._def_in_out(stmt.args[0])
        if first is not None and first.prim == "neg":
            inner = first.args[0]
        else:
            inner = self._strip_neg(stmt.args[0])
            if inner is None:
                return None
        return self.emit(stmt.prim, [inner, stmt.args[1]], hint=v.hint, loc=stmt.loc)

    def _def_in_out(self, v: Var) -> Assign | None:
        for stmt in reversed(self.out):
            if isinstance(stmt, Assign) and stmt.target is v:
                return stmt
        return None

    def template(self, source: str, bindings: dict, loc: Loc | None, hint: str) -> Operand:
        stmts, result = lower_template(source, bindings, self.factory, loc, hint)
        subst: dict[Var, Operand] = {}
        for stmt in stmts:
            stmt.args = [subst.get(x, x) if isinstance(x, Var) else x for x in stmt.args]
            stmt.kwargs = {k: subst.get(x, x) if isinstance(x, Var) else x
                           for k, x in stmt.kwargs.items()}
            if stmt.callee is None and stmt.prim.startswith("$"):
                stmt.callee = stmt.prim
            value = self.add(stmt)
            if stmt.target is not None and value is not stmt.target:
                subst[stmt.target] = value
        return subst.get(result, result) if isinstance(result, Var) else result

    # ------------------------------------------------------------ adjoint bookkeeping

    def current(self, v: Var) -> Any:
        """The adjoint of v accumulated so far (None = zero)."""
        if v in self.adj:
            return self.adj[v]
        for scope in reversed(self.scopes):
            if v in scope.carried:
                return scope.carried[v][0]
        return None

    def accumulate(self, v: Operand, contrib: Any, loc: Loc | None) -> None:
        if not self.active(v) or contrib is None:
            return
        if isinstance(contrib, Var) and self.shape.get(contrib) in (None, contrib):
            # Rules hand back adjoints shaped like their primal: record it, so
            # later `unbroadcast`s against v's shape class fold away.
            self.shape[contrib] = self.shape.get(v)
        if self.scopes and v not in self.scopes[-1].defined:
            self._carry(v, len(self.scopes) - 1)
        old = self.current(v)
        if old is None:
            self.adj[v] = contrib
            if isinstance(contrib, Var) and not contrib.hint and _dname(v):
                contrib.hint = _dname(v)  # name the adjoint after its variable
            if isinstance(contrib, Var):
                # One array handed to two adjoints (x + y gives both g) is
                # shared: neither may then update it in place.
                self.handed[contrib] = self.handed.get(contrib, 0) + 1
                if self.handed[contrib] > 1:
                    self.owned.discard(contrib)
        elif isinstance(old, SymSeq) and isinstance(contrib, SymSeq):
            items = [c if o is None else o if c is None else
                     self.emit("add", [o, c], hint=_dname(v)) for o, c in
                     zip(old.items, contrib.items)]
            self.adj[v] = SymSeq(items)
        else:
            a, b = self.materialize(v, old), self.materialize(v, contrib)
            if v in self.numeric and v not in self.seq_vars:
                self.adj[v] = self.emit("add", [a, b], hint=_dname(v), loc=loc)
                if isinstance(self.adj[v], Var):
                    self.owned.add(self.adj[v])
            else:
                self.adj[v] = self.emit("$add_adjoints", [a, b], hint=_dname(v),
                                        callee="$add_adjoints", loc=loc)

    def _carry(self, v: Var, level: int) -> Var:
        """Make v's adjoint a loop-carried accumulator of the backward loop at `level`."""
        scope = self.scopes[level]
        if v in scope.carried:
            return scope.carried[v][0]
        if level > 0 and v not in self.scopes[level - 1].defined:
            self._carry(v, level - 1)
        init = scope.outer_adj.get(v)
        if init is None and level > 0:
            init = self.scopes[level - 1].carried.get(v, (None,))[0]
        if init is None:
            init = self._zero_stmt(v, scope.pre)
        elif isinstance(init, SymSeq):
            saved, self.out = self.out, scope.pre
            init = self.materialize(v, init)
            self.out = saved
        phi = self.factory.new(_dname(v))
        self.shape[phi] = self.shape.get(v)
        if init in self.owned:
            self.owned.add(phi)  # updated only in place or by fresh sums
        scope.carried[v] = (phi, init)
        return phi

    def _zero_stmt(self, v: Var, block: list) -> Var:
        z = self.factory.new(_dname(v))
        block.append(Assign(z, "zeros_like", [v], {}, "$zeros_like"))
        self.shape[z] = self.shape.get(v)
        self.owned.add(z)
        return z

    def zero(self, v: Var) -> Operand:
        z = self.emit("zeros_like", [v], hint=_dname(v), callee="$zeros_like")
        self.owned.add(z)
        return z

    def materialize(self, v: Var, adj: Any) -> Operand:
        """A runtime value for an adjoint (turns a SymSeq into a tuple)."""
        if not isinstance(adj, SymSeq):
            return adj
        items = []
        for i, item in enumerate(adj.items):
            if item is None:
                part = self.emit("getitem", [v, Const(i)])
                item = self.emit("zeros_like", [part], callee="$zeros_like")
            items.append(item)
        return self.emit("make_tuple", items, hint=_dname(v))

    # ------------------------------------------------------------ the transform

    def run(self, seed_name: str = "g", check_scalar: bool = True) -> Function:
        self.analyze()
        ret = self.fn.body.stmts.pop()
        if isinstance(ret.value, Var) and not ret.value.hint:
            taken = {v.hint for st in walk(self.fn.body) for v in defs(st)}
            ret.value.hint = "out" if "out" not in taken else "result"
        param_names = {p.hint for p in self.fn.params}
        seed_hint = _dname(ret.value)
        seed = self.factory.new(seed_hint if seed_hint and seed_hint[1:] not in param_names
                                and seed_hint not in param_names else "dout")
        if self.active(ret.value):
            self.adj[ret.value] = seed
            self.shape[seed] = self.shape.get(ret.value)
        backward = self.reverse_block(self.fn.body)
        check = Assign(None, "require_scalar", [ret.value], {}, "$require_scalar", None, ret.loc)
        backward = [Assign(None, "marker", [], static="backward pass"),
                    *([check] if check_scalar else []), *backward]
        self.out = backward
        grads = []
        for i in self.wrt:
            p = self.fn.params[i]
            adj = self.current(p)
            grads.append(self.materialize(p, adj) if adj is not None else self.zero(p))
        result = grads[0] if len(grads) == 1 and check_scalar else \
            self.emit("make_tuple", grads)
        self.result = (ret.value, result, seed)
        pair = self.emit("make_tuple", [ret.value, result])
        forward = [Assign(None, "marker", [], static="forward pass"), *self.tapes,
                   *self.fn.body.stmts]
        body = Block([*forward, *backward, Return(pair, ret.loc)])
        eliminate_dead_code(body)
        return Function("d" + self.fn.name, [*self.fn.params, seed], body,
                        {**self.fn.defaults, seed.hint: Const(1.0)}, self.fn.loc,
                        kwonly=self.fn.kwonly + 1 if self.fn.kwonly else 0)

    def reverse_block(self, block: Block) -> list:
        """The backward statements of `block` (its values restored if in a loop)."""
        saved, self.out = self.out, []
        for stmt in reversed(block.stmts):
            if isinstance(stmt, Assign) and stmt.prim == "setitem":
                self.reverse_setitem(stmt)
            elif isinstance(stmt, Assign):
                self.reverse_assign(stmt)
            elif isinstance(stmt, If):
                self.reverse_if(stmt)
            elif isinstance(stmt, Loop):
                self.reverse_loop(stmt)
        out, self.out = self.out, saved
        if self.depth[id(block)] > 0:
            out = self.restore(block, out)
        return out

    def reverse_assign(self, stmt: Assign) -> None:
        v = stmt.target
        if v is None or not self.active(v):
            return
        g = self.current(v)
        if g is None:
            return
        self._consume(v)
        if stmt.prim in ("make_tuple", "make_list"):
            for i, item in enumerate(stmt.args):
                if isinstance(g, SymSeq):
                    part = g.items[i] if i < len(g.items) else None
                elif self.active(item):  # (an item nothing read has a None adjoint)
                    part = self.emit("$list_item", [g, Const(i), item], hint=_dname(item),
                                     callee="$list_item")
                else:
                    part = None
                self.accumulate(item, part, stmt.loc)
            return
        if stmt.prim == "getitem" and stmt.args[0] in self.seq_vars and \
                isinstance(stmt.args[1], Const) and isinstance(stmt.args[1].value, int):
            n = self._seq_len(stmt.args[0])
            if n is not None:
                items: list = [None] * n
                items[stmt.args[1].value] = g
                self.accumulate(stmt.args[0], SymSeq(items), stmt.loc)
                return
        if stmt.prim == "call_forward":
            self.reverse_call(stmt, g)
            return
        if stmt.prim == "mul" and v in self.seq_vars:  # `[x] * n`: the copies' sum
            g_value = self.materialize(v, g)
            for operand in stmt.args:
                if operand in self.seq_vars and self.active(operand):
                    piece = self.emit("$repetition_adjoint", [g_value, operand],
                                      callee="$repetition_adjoint", hint=_dname(operand))
                    self.accumulate(operand, piece, stmt.loc)
            return
        if stmt.prim == "add" and v in self.seq_vars:  # `items + [x]`: each its slice
            left, right = stmt.args
            g_value = self.materialize(v, g)
            for operand, part in ((left, Const(False)), (right, Const(True))):
                if self.active(operand):
                    piece = self.emit("$concat_adjoint", [g_value, left, part],
                                      callee="$concat_adjoint", hint=_dname(operand))
                    self.accumulate(operand, piece, stmt.loc)
            return
        if stmt.prim == "getitem" and self._add_at_in_place(stmt, g):
            return
        if stmt.prim == "make_dict":
            g_value = self.materialize(v, g)
            for key, value in zip(stmt.static, stmt.args):
                part = self.emit("$dict_item", [g_value, Const(key), value],
                                 callee="$dict_item", hint=_dname(value))
                self.accumulate(value, part, stmt.loc)
            return
        rule = rules.rule_named(stmt.prim)
        if rule is None or rule.nondiff:
            raise self._no_rule(stmt)
        try:
            bound = rule.bind(stmt.args, stmt.kwargs)
        except TypeError as exc:
            raise UnsupportedSyntaxError(str(exc), stmt.loc,
                                         "check the call's arguments") from None
        bindings = {name: (Const(rules.RULES[rule.name].defaults.get(name))
                           if value is rules._MISSING else value)
                    for name, value in bound.items()}
        for name, value in bindings.items():
            if isinstance(value, list):
                bindings[name] = self.emit("make_list", value)
        g_value = self.materialize(v, g)
        bindings["g"], bindings["ans"] = g_value, v
        for name, value in bound.items():
            values = value if isinstance(value, list) else [value]
            if not any(self.active(x) for x in values):
                continue
            if name in rule.zero:
                continue
            if name not in rule.adjoints:
                raise NoAdjointError(
                    f"{rule.name} has no gradient with respect to its argument {name!r}",
                    stmt.loc, f"wrap that argument in s2sad.stop_gradient(...) if it should "
                    f"not be differentiated, or register an adjoint for {rule.name}",
                )
            contrib = self.template(rule.adjoints[name], bindings, stmt.loc, _dname(
                values[0] if len(values) == 1 and isinstance(values[0], Var) else None))
            if isinstance(value, list):
                for i, item in enumerate(value):
                    part = self.emit("getitem", [contrib, Const(i)], hint=_dname(item))
                    self.accumulate(item, part, stmt.loc)
            else:
                self.accumulate(value, contrib, stmt.loc)

    def _add_at_in_place(self, stmt: Assign, g: Any) -> bool:
        """x[index]'s adjoint into an adjoint array we own: add in place
        (`dx[index] += g`) instead of building a zero array per read."""
        x, index = stmt.args
        if not self.active(x) or x not in self.numeric or x in self.seq_vars:
            return False
        if self.scopes and x not in self.scopes[-1].defined:
            self._carry(x, len(self.scopes) - 1)
        current = self.current(x)
        if not isinstance(current, Var) or current not in self.owned:
            return False
        self.out.append(Assign(None, "$add_at", [current, index, self.materialize(stmt.target, g)],
                               {}, "$add_at", None, stmt.loc))
        return True

    def reverse_call(self, stmt: Assign, g: Any) -> None:
        """Adjoint of `t = call_forward(h, wrt, *args)`: the callee's own backward."""
        g_value = g.items[0] if isinstance(g, SymSeq) else self.emit("getitem", [g, Const(0)])
        if g_value is None:
            return
        wrt = stmt.args[1].value
        grads = self.emit("$call_backward", [stmt.static, g_value], callee="$call_backward",
                          loc=stmt.loc, hint="grads")
        names = _callee_param_names(stmt)
        shift = getattr(stmt, "shift", 0)
        for k, j in enumerate(wrt):
            name = names[j] if j < len(names) else ""
            pos = 2 + j - shift
            arg = stmt.args[pos] if pos < len(stmt.args) else stmt.kwargs.get(name)
            part = self.emit("getitem", [grads, Const(k)], hint=_dname(arg))
            self.accumulate(arg, part, stmt.loc)

    def _seq_len(self, v: Var) -> int | None:
        stmt = self.def_stmt.get(v)
        if isinstance(stmt, Assign) and stmt.prim in ("make_tuple", "make_list"):
            return len(stmt.args)
        if isinstance(stmt, Assign) and stmt.prim in ("np.linalg.slogdet", "call_forward"):
            return 2
        return None

    def _no_rule(self, stmt: Assign) -> Exception:
        if stmt.prim == "call" and stmt.callee:
            what = stmt.callee
        elif stmt.prim.startswith("."):
            what = f"the {'method' if stmt.static == 'method' else 'attribute'} {stmt.prim}"
        else:
            what = stmt.callee or stmt.prim
        return NoAdjointError(
            f"cannot differentiate through {what}: it has no adjoint rule",
            stmt.loc,
            "wrap the value in s2sad.stop_gradient(...) if no gradient should flow through it, "
            "rewrite it with supported NumPy operations (s2sad's docs/ops.md lists them), "
            "or register an adjoint with s2sad.rules.vjp",
        )

    # ------------------------------------------------------------ branches

    def reverse_if(self, stmt: If) -> None:
        active_outs = [(o, t, e) for o, t, e in zip(stmt.outs, stmt.then_vals, stmt.else_vals)
                       if self.active(o) and self.current(o) is not None]
        if not active_outs and not self._touches_active(stmt) and \
                not self._writes_buffers(stmt):
            return
        sides = []
        base = dict(self.adj)
        for block, idx in ((stmt.then, 1), (stmt.orelse, 2)):
            self.adj = dict(base)
            for triple in active_outs:
                out = triple[0]
                self.adj.pop(out, None)
            saved_out, self.out = self.out, []
            for triple in active_outs:
                self.accumulate(triple[idx], base[triple[0]], stmt.loc)
            pre = self.out
            self.out = saved_out
            body = self.reverse_block(block)
            sides.append((pre + body, self.adj))
        (then_b, then_adj), (else_b, else_adj) = sides
        merged = dict(base)
        for triple in active_outs:
            merged.pop(triple[0], None)
        new = If(stmt.cond, Block(then_b), Block(else_b), loc=stmt.loc)
        for v in sorted(set(then_adj) | set(else_adj), key=lambda x: x.id):
            a, b = then_adj.get(v), else_adj.get(v)
            if a is b:
                if a is not None:
                    merged[v] = a
                continue
            if v in self.def_block and self._defined_inside(v, stmt):
                continue  # adjoint of a value local to one branch: finished there
            a = self._merge_value(v, a, then_b)
            b = self._merge_value(v, b, else_b)
            out = self.factory.new(_dname(v))
            self.shape[out] = self.shape.get(v)
            new.outs.append(out)
            new.then_vals.append(a)
            new.else_vals.append(b)
            merged[v] = out
        self.adj = merged
        self.out.append(new)

    def _merge_value(self, v: Var, adj: Any, block: list) -> Operand:
        saved, self.out = self.out, block
        if adj is None:
            adj = self.current_outside(v)
        if adj is None:
            adj = self.zero(v)
        adj = self.materialize(v, adj)
        self.out = saved
        return adj

    def current_outside(self, v: Var) -> Any:
        for scope in reversed(self.scopes):
            if v in scope.carried:
                return scope.carried[v][0]
        return None

    def _defined_inside(self, v: Var, stmt: If | Loop) -> bool:
        blocks = [stmt.then, stmt.orelse] if isinstance(stmt, If) else [stmt.body, stmt.header]
        inner = {id(s) for b in blocks for s in walk(b)}
        d = self.def_stmt.get(v)
        return d is not None and id(d) in inner

    def _touches_active(self, stmt: If | Loop) -> bool:
        blocks = [stmt.then, stmt.orelse] if isinstance(stmt, If) else [stmt.header, stmt.body]
        return any(self.active(v) for b in blocks for s in walk(b) for v in defs(s))

    # ------------------------------------------------------------ loops

    def reverse_loop(self, loop: Loop) -> None:
        active_phis = [i for i, p in enumerate(loop.phis) if self.active(p)]
        if not active_phis and not self._touches_active(loop) and \
                not self._writes_buffers(loop):
            return
        # A plain range loop reverses its range; a while loop, or a range
        # loop that may break, counts its trips and runs that many backwards.
        is_range = loop.range_args is not None and loop.exit_flag is None
        if not is_range and loop.trips is None:
            trips = self.factory.new("trips")
            nxt = self.factory.new("trips")
            loop.body.stmts.append(Assign(nxt, "add", [trips, Const(1)], {}, None, None,
                                          loop.loc))
            loop.phis.append(trips)
            loop.inits.append(Const(0))
            loop.nexts.append(nxt)
            loop.trips = trips
            self.def_block[trips] = self._block_of(loop)
            self.def_stmt[trips] = loop
            self.entry[id(loop.body)].add(trips)
        defined = {v for s in walk(loop.body) for v in defs(s)}
        defined |= {v for s in walk(loop.header) for v in defs(s)}
        defined |= set(loop.phis) | ({loop.index} if loop.index is not None else set())
        scope = LoopScope(defined, dict(self.adj), [])
        # Adjoints flowing into the loop's results seed the carried adjoints.
        for i in active_phis:
            phi = loop.phis[i]
            self._carry_phi(scope, phi)
        self.scopes.append(scope)
        saved_adj = self.adj
        self.adj = {}
        pre_body = self.out
        self.out = seeds = []
        for i in active_phis:
            self.accumulate(loop.nexts[i], scope.phis[loop.phis[i]][0], loop.loc)
        body = self.reverse_block(loop.body)
        # Each carried adjoint passes on to the previous iteration: for a phi,
        # its adjoint at the top of this iteration; for an outer value, the sum.
        nexts = [(v, bphi, init) for v, (bphi, init) in scope.phis.items()]
        nexts += [(v, bphi, init) for v, (bphi, init) in scope.carried.items()]
        final = {v: self.current(v) for v, _, _ in nexts}
        self.scopes.pop()
        self.adj = saved_adj
        self.out = pre_body
        self.out.extend(scope.pre)
        bloop = Loop([], [], Block(), None, Block(seeds + body), [], loc=loop.loc)
        for v, bphi, init in nexts:
            bloop.phis.append(bphi)
            bloop.inits.append(init)
            value = final[v]
            saved, self.out = self.out, bloop.body.stmts
            if isinstance(value, SymSeq):
                value = self.materialize(v, value)
            elif value is None:
                # no adjoint reached this phi in the iteration: zero, shaped like the carry
                value = self.emit("zeros_like", [bphi], hint=bphi.hint, callee="$zeros_like") \
                    if v in scope.phis else bphi
            self.out = saved
            bloop.nexts.append(value)
        # The backward loop's phis in the IR are the carried adjoints after it.
        if is_range:
            bloop.index = self.factory.new(loop.index.hint or "k")
            bloop.range_args = list(loop.range_args)
            bloop.reverse = True
            self._rename_index(bloop, loop.index)
        else:
            bloop.index = self.factory.new("_")
            bloop.range_args = [Const(0), loop.trips, Const(1)]
        self.out.append(bloop)
        for v, bphi, _ in nexts:
            if v not in scope.phis:
                self.adj[v] = bphi
        for i, p in enumerate(loop.phis):
            if p in scope.phis:
                self.adj.pop(p, None)
                carried = scope.phis[p][0]
                init = loop.inits[i]
                if self.active(init) and not self.same_shape(carried, init):
                    # the value may have grown by broadcasting inside the loop
                    carried = self.emit("$unbroadcast", [carried, init], callee="$unbroadcast",
                                        hint=_dname(init), loc=loop.loc)
                self.accumulate(init, carried, loop.loc)

    def _block_of(self, loop: Loop) -> Block:
        return self.def_block[loop.phis[0]] if loop.phis else self.fn.body

    def _carry_phi(self, scope: LoopScope, phi: Var) -> None:
        init = self.adj.get(phi)
        if init is None:
            init = self._zero_stmt(phi, scope.pre)
        elif isinstance(init, SymSeq):
            saved, self.out = self.out, scope.pre
            init = self.materialize(phi, init)
            self.out = saved
        bphi = self.factory.new(_dname(phi))
        # the carried adjoint is the next value's: shaped like the phi only if
        # every iteration keeps the phi's shape
        nxt = self._next_of(phi)
        keeps = isinstance(nxt, Var) and self.shape.get(nxt) is self.shape.get(phi)
        self.shape[bphi] = self.shape.get(phi) if keeps else bphi
        if phi in self.buffers:  # written into in place each iteration: needs its own copy
            if init not in self.owned:
                owned = self.factory.new(_dname(phi))
                scope.pre.append(Assign(owned, "own", [init], {}, "$own"))
                init = owned
            self.owned.add(bphi)
        scope.phis[phi] = (bphi, init)

    def _next_of(self, phi: Var) -> Any:
        loop = self.def_stmt.get(phi)
        return loop.nexts[loop.phis.index(phi)] if isinstance(loop, Loop) else None

    def _rename_index(self, bloop: Loop, old: Var) -> None:
        for stmt in walk(bloop.body):
            _substitute(stmt, {old: bloop.index})

    # ------------------------------------------------------------ restoring loop values

    def restore(self, block: Block, backward: list) -> list:
        """Make the primal values `backward` reads available in each iteration:
        recompute cheap ones, tape the rest. Returns the prelude + backward."""
        needed = _reads(backward)
        entry = self.entry.get(id(block), set())
        loop = self.loop_of_body.get(id(block))
        local = {v for v in needed if (self.def_block.get(v) is block or v in entry)
                 and (v not in self.one_array or self._rebound_phi(v, loop))}
        recreated = loop.index if loop is not None and loop.range_args is not None \
            and loop.exit_flag is None else None
        local.discard(recreated)  # the backward loop recreates the counter
        if not local:
            return backward
        plan: dict[Var, str] = {}

        twins: dict[Var, Var] = {}

        def decide(v: Var) -> None:
            if v in plan:
                return
            stmt = self.def_stmt.get(v)
            twin = self._snapshot_twin(v, block)
            if twin is not None:  # `a[i] *= c`: the read is what the write overwrites
                plan[v] = "twin"
                twins[v] = twin
                decide(twin)
                return
            if isinstance(stmt, Assign) and stmt in block.stmts and stmt.target is v \
                    and v not in self.buffers \
                    and not any(a in self.buffers for a in stmt.operands()) \
                    and stmt.prim not in EXPENSIVE and stmt.prim not in IMPURE \
                    and not stmt.prim.startswith("$") and rules.rule_named(stmt.prim) is not None:
                plan[v] = "recompute"
                for a in stmt.operands():
                    if isinstance(a, Var) and a is not recreated and (
                            self.def_block.get(a) is block or a in entry):
                        decide(a)
            else:
                plan[v] = "tape"

        for v in sorted(local, key=lambda x: x.id):
            decide(v)
        # An array written in place by a nested loop is this iteration's value
        # of a phi this loop rebinds: the backward pass must restore into the
        # very array that phi held, popped from the tape, not the last one.
        for v in needed:
            origin = self._per_iteration_array(v, block, loop)
            if origin is not None and v not in plan and origin is not v:
                decide(origin)
                plan[v] = "twin"
                twins[v] = origin
        taped = [v for v in plan if plan[v] == "tape"]
        fresh = {v: self.factory.new(v.hint) for v in plan if v not in twins}
        for v in list(fresh):
            self.shape[fresh[v]] = self.shape.get(v)
        for v, twin in twins.items():
            fresh[v] = fresh[twin]
        prelude: list = []
        if taped:
            tape = self.factory.new("tape")
            self.tapes.append(Assign(tape, "tape.new", [], {}, None))
            order = self._push(block, taped, tape, loop)
            for v in reversed(order):
                prelude.append(Assign(fresh[v], "tape.pop", [tape], {}, None))
        for stmt in block.stmts:
            if isinstance(stmt, Assign) and stmt.target in plan and plan[stmt.target] == \
                    "recompute":
                copy = Assign(fresh[stmt.target], stmt.prim, list(stmt.args), dict(stmt.kwargs),
                              stmt.callee, stmt.static, stmt.loc)
                prelude.append(copy)
        result = prelude + backward
        for stmt in result:
            for s in [stmt, *(walk_nested(stmt))]:
                _substitute(s, fresh)
        return result

    def _snapshot_twin(self, v: Var, block: Block) -> Var | None:
        """If v reads `a[index]` of a written array, and the same block later
        snapshots that very slice before writing it, with no write between,
        the snapshot (taped anyway, for the restore) holds v's values."""
        stmt = self.def_stmt.get(v)
        if not (isinstance(stmt, Assign) and stmt.prim == "getitem" and stmt in block.stmts
                and stmt.args[0] in self.buffers):
            return None
        for later in block.stmts[block.stmts.index(stmt) + 1:]:
            if isinstance(later, Assign) and later.prim == "$snapshot":
                view = self.def_stmt.get(later.args[0])
                if isinstance(view, Assign) and view.prim == "getitem" \
                        and view.args[0] is stmt.args[0] and _same_index(view.args[1],
                                                                       stmt.args[1]):
                    return later.target
            if not isinstance(later, Assign) or later.prim in ("setitem", "call",
                                                                "call_forward") \
                    or later.prim.startswith("tape"):
                return None
        return None

    def _is_display(self, v: Operand) -> bool:
        stmt = self.def_stmt.get(v) if isinstance(v, Var) else None
        return isinstance(stmt, Assign) and stmt.prim in ("make_list", "make_tuple")

    def _per_iteration_array(self, v: Var, block: Block, loop: Loop | None) -> Var | None:
        """If v names an array that a nested loop writes in place, but that this
        loop makes anew each iteration (a phi it rebinds, or an array made in
        its body), the name of that array here: the backward pass must restore
        into the very array of each iteration, popped from the tape."""
        if loop is None or v not in self.one_array:
            return None
        same = self.one_array[v]
        phi = next((p for p in loop.phis if p in same and self._rebound_phi(p, loop)), None)
        if phi is not None:
            return phi
        made = [m for m in same if self.def_block.get(m) is block and isinstance(
            self.def_stmt.get(m), Assign) and self.def_stmt[m].prim != "setitem"]
        return min(made, key=lambda m: m.id) if made else None

    def _rebound_phi(self, v: Var, loop: Loop | None) -> bool:
        """Is v a phi of `loop` that takes a new array each iteration, though a
        later loop writes its final array in place (so it joined a buffer)?"""
        return loop is not None and v in loop.phis and v not in self.persistent_phis

    def _push(self, block: Block, taped: list[Var], tape: Var, loop: Loop | None) -> list[Var]:
        """Insert pushes of `taped` into the forward `block`; returns push order."""
        taped_set = set(taped)
        entry_vars = self.entry.get(id(block), set())
        entry = [v for v in taped if v in entry_vars]
        order = list(entry)
        new_stmts: list = []
        for v in entry:
            new_stmts += self._push_one(tape, v)
        for stmt in block.stmts:
            new_stmts.append(stmt)
            for v in defs(stmt):
                if v in taped_set and v not in entry:
                    new_stmts += self._push_one(tape, v)
                    order.append(v)
        block.stmts[:] = new_stmts
        return order

    def _push_one(self, tape: Var, v: Var) -> list[Assign]:
        """Push v; a view of an array written in place is pushed as a copy, since
        the write would change what the tape holds before the backward pass
        (which recomputes from it ahead of restoring the old contents)."""
        if not self._views_buffer(v):
            return [Assign(None, "tape.push", [tape, v], {}, None)]
        copy = self.factory.new(v.hint)
        return [Assign(copy, "$snapshot", [v], {}, "$snapshot"),
                Assign(None, "tape.push", [tape, copy], {}, None)]

    def _views_buffer(self, v: Operand, seen: set | None = None) -> bool:
        """Does v see into an array written in place: a view of one, or a list
        or tuple holding one (built by a loop or a branch too)?"""
        seen = set() if seen is None else seen
        if not isinstance(v, Var) or v in seen:
            return False
        seen.add(v)
        stmt = self.def_stmt.get(v)
        if isinstance(stmt, (Loop, If)) and v not in self.seq_vars:
            return False  # an array carried or chosen is the buffer itself, taped by reference
        if isinstance(stmt, Loop) and v in stmt.phis:
            i = stmt.phis.index(v)
            parts = [stmt.inits[i], stmt.nexts[i]]
        elif isinstance(stmt, If) and v in stmt.outs:
            i = stmt.outs.index(v)
            parts = [stmt.then_vals[i], stmt.else_vals[i]]
        elif not (isinstance(stmt, Assign) and stmt.target is v and stmt.args):
            return False
        elif stmt.prim in VIEW_OPS:
            parts = stmt.args[:1]
        elif stmt.prim in ("make_list", "make_tuple", "list_append") or (
                stmt.prim == "add" and any(self._is_display(a) for a in stmt.args)):
            parts = stmt.args  # (add: `items + [a]`, lists joined)
        else:
            return False
        return any(a in self.buffers or self._views_buffer(a, seen)
                   for a in parts if isinstance(a, Var))


# Statements kept even when nothing reads their result.
EFFECTS = {"call", "call_forward", "assert", "marker", "tape.new", "tape.push", "tape.pop",
           "setitem", "setitem_restore", "zero_slice", "$add_at", "$check_inplace",
           "require_scalar", "$require_scalar", "print", "$call_backward"}


def _same_index(a: Operand, b: Operand) -> bool:
    if isinstance(a, Var) or isinstance(b, Var):
        return a is b
    try:
        return type(a.value) is type(b.value) and bool(a.value == b.value)
    except (TypeError, ValueError):
        return False


def _pure(stmt: Assign) -> bool:
    if stmt.prim in EFFECTS or stmt.target is None:
        return False
    if stmt.prim.startswith("$") or stmt.prim in ("make_tuple", "make_list", "make_dict",
                                                  "index", "getitem", "copy", "list_append"):
        return True
    rule = rules.rule_named(stmt.prim)
    return rule is not None and stmt.prim not in ("print",)


def eliminate_dead_code(block: Block) -> None:
    """Drop pure assignments whose value nobody reads (peepholes leave some)."""
    while True:
        counts: dict[Var, int] = {}
        for stmt in walk(block):
            for u in uses(stmt):
                if isinstance(u, Var):
                    counts[u] = counts.get(u, 0) + 1
        removed = _drop_unused(block, counts)
        if not removed:
            return


def _drop_unused(block: Block, counts: dict) -> bool:
    removed = False
    kept = []
    for stmt in block.stmts:
        if isinstance(stmt, Assign) and _pure(stmt) and counts.get(stmt.target, 0) == 0:
            removed = True
            continue
        if isinstance(stmt, If):
            removed |= _drop_unused(stmt.then, counts)
            removed |= _drop_unused(stmt.orelse, counts)
            removed |= _drop_unused_results(stmt, counts)
        elif isinstance(stmt, Loop):
            removed |= _drop_unused(stmt.header, counts)
            removed |= _drop_unused(stmt.body, counts)
            removed |= _drop_unused_results(stmt, counts)
        kept.append(stmt)
    block.stmts[:] = kept
    return removed


def _drop_unused_results(stmt: If | Loop, counts: dict) -> bool:
    """Branch results and loop-carried values nobody reads (a loop's own next
    value reading its phi does not count)."""
    if isinstance(stmt, If):
        keep = [k for k, out in enumerate(stmt.outs) if counts.get(out, 0) > 0]
        if len(keep) == len(stmt.outs):
            return False
        stmt.outs = [stmt.outs[k] for k in keep]
        stmt.then_vals = [stmt.then_vals[k] for k in keep]
        stmt.else_vals = [stmt.else_vals[k] for k in keep]
        return True
    keep = []
    for phi, nxt in zip(stmt.phis, stmt.nexts):
        self_reads = 1 if nxt is phi else 0
        used = counts.get(phi, 0) - self_reads > 0 or phi is stmt.trips or phi is stmt.exit_flag
        keep.append(used)
    if all(keep):
        return False
    stmt.phis = [p for p, k in zip(stmt.phis, keep) if k]
    stmt.inits = [p for p, k in zip(stmt.inits, keep) if k]
    stmt.nexts = [p for p, k in zip(stmt.nexts, keep) if k]
    return True


def split(dfn: Function, value: Operand, grads: Operand, seed: Var,
          factory: VarFactory) -> tuple[Function, Function]:
    """Cut a reversed function into forward(*params) -> (value, state) and
    backward(state, seed) -> grads, `state` holding what the backward reads."""
    stmts = dfn.body.stmts[:-1]
    cut = next(i for i, s in enumerate(stmts)
               if isinstance(s, Assign) and s.prim == "marker" and s.static == "backward pass")
    forward, backward = stmts[:cut], stmts[cut:]
    if backward and isinstance(backward[-1], Assign) and backward[-1].prim == "make_tuple" \
            and backward[-1].args and backward[-1].args[0] is value:
        backward = backward[:-1]
    params = [p for p in dfn.params if p is not seed]
    saved = sorted((_reads(backward) | ({grads} if isinstance(grads, Var) else set()))
                   - {seed} - _defined(backward), key=lambda v: v.id)
    state = factory.new("state")
    pair = factory.new("")
    top_level = {v for stmt in forward for v in defs(stmt)} | set(params)
    # Values defined in a branch that may not run still go into the state.
    unbound = [Assign(v, "copy", [Const(None)]) for v in saved if v not in top_level]
    fwd_body = [*unbound, *forward, Assign(state, "make_tuple", list(saved)),
                Assign(pair, "make_tuple", [value, state]), Return(pair)]
    fwd = Function(dfn.name + "_forward", params, Block(fwd_body), {}, dfn.loc,
                   kwonly=max(dfn.kwonly - 1, 0))
    unpack = [Assign(v, "getitem", [state, Const(i)]) for i, v in enumerate(saved)]
    bwd_body = [*unpack, *backward, Return(grads)]
    bwd = Function(dfn.name + "_backward", [state, seed], Block(bwd_body), {}, dfn.loc)
    return fwd, bwd


def _defined(stmts: list) -> set[Var]:
    out: set[Var] = set()
    for top in stmts:
        for stmt in [top, *walk_nested(top)]:
            out.update(defs(stmt))
            if isinstance(stmt, Loop) and stmt.index is not None:
                out.add(stmt.index)
    return out


def _substitute(stmt: Any, mapping: dict) -> None:
    sub = lambda x: mapping.get(x, x) if isinstance(x, Var) else x  # noqa: E731
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
        if stmt.cond is not None:
            stmt.cond = sub(stmt.cond)
        if stmt.range_args is not None:
            stmt.range_args = [sub(a) for a in stmt.range_args]
    elif isinstance(stmt, Return):
        stmt.value = sub(stmt.value)


def _reads(stmts: list) -> set[Var]:
    """Vars read by `stmts` (nested ones included) that they do not define."""
    read, defined = set(), set()
    for top in stmts:
        for stmt in [top, *walk_nested(top)]:
            for u in uses(stmt):
                if isinstance(u, Var):
                    read.add(u)
            if isinstance(stmt, Loop) and stmt.range_args is not None:
                read.update(a for a in stmt.range_args if isinstance(a, Var))
                defined.add(stmt.index)
            defined.update(defs(stmt))
    return read - defined


def _flows(stmt: Any) -> list[tuple[Var, list[Operand]]]:
    """(target, differentiable sources) pairs for activity analysis."""
    if isinstance(stmt, Assign):
        if stmt.target is None:
            return []
        rule = rules.rule_named(stmt.prim)
        if rule is not None and rule.nondiff:
            return []
        if rule is not None and rule.zero:
            try:
                bound = rule.bind(stmt.args, stmt.kwargs)
            except TypeError:
                return [(stmt.target, stmt.operands())]
            srcs = []
            for name, value in bound.items():
                if name not in rule.zero:
                    srcs += value if isinstance(value, list) else [value]
            return [(stmt.target, srcs)]
        return [(stmt.target, stmt.operands())]
    if isinstance(stmt, If):
        return [(o, [t, e]) for o, t, e in zip(stmt.outs, stmt.then_vals, stmt.else_vals)]
    if isinstance(stmt, Loop):
        return [(p, [i, n]) for p, i, n in zip(stmt.phis, stmt.inits, stmt.nexts)]
    return []


def _buffers(fn: Function) -> tuple[set[Var], set[Var], dict[Var, frozenset]]:
    """Three facts about arrays written in place (`a[i] = v`): every version of
    them; the loop phis persistent in their own loop (the next value is always
    the same array, written only in place during the iteration); and for each
    persistent value, all names of its one array (with the phi's initial and
    next values). A persistent buffer keeps one Python name whose contents the
    backward pass restores; other versions are per-iteration arrays, taped by
    reference."""
    may, must = _Links(), _Links()  # may be / surely are the same object
    writes = []
    for stmt in walk(fn.body):
        if isinstance(stmt, Assign) and stmt.prim == "setitem":
            may.link(stmt.args[0], stmt.target)
            must.link(stmt.args[0], stmt.target)
            writes.append(stmt.target)
        elif isinstance(stmt, If):
            for out, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals):
                may.link(out, a)
                may.link(out, b)
    persistent: set[Var] = set()
    changed = True
    while changed:  # loops nest: a link found in one may join another
        changed = False
        for stmt in walk(fn.body):
            if isinstance(stmt, If):
                for out, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals):
                    if isinstance(a, Var) and b in must.component(a) \
                            and out not in must.component(a):
                        must.link(out, a)  # both branches keep the same array
                        changed = True
            if not isinstance(stmt, Loop):
                continue
            for phi, init, nxt in zip(stmt.phis, stmt.inits, stmt.nexts):
                comp = must.component(phi)
                if isinstance(nxt, Var) and nxt is not phi and nxt in comp \
                        and phi not in persistent and any(w in comp for w in writes):
                    may.link(phi, init)
                    must.link(phi, init)
                    persistent |= {phi}
                    changed = True
    every = set().union(*(may.component(w) for w in writes)) if writes else set()
    one_array = {v: comp for comp in map(frozenset, (must.component(p) for p in persistent))
                 for v in comp}
    return every, persistent, one_array


class _Links:
    """An undirected graph of variables, read by connected component."""

    def __init__(self) -> None:
        self.edges: dict[Var, set[Var]] = {}

    def link(self, a: Operand, b: Operand) -> None:
        if isinstance(a, Var) and isinstance(b, Var):
            self.edges.setdefault(a, set()).add(b)
            self.edges.setdefault(b, set()).add(a)

    def component(self, v: Var) -> set[Var]:
        return reachable({v}, self.edges)


SCALAR = Var(0, "<scalar>")  # the shape class of every scalar
_REDUCTIONS = {"np.sum", "np.mean", "np.prod", "np.max", "np.min", "np.var", "np.std", ".sum",
               ".mean", ".prod", ".max", ".min", ".var", ".std", "np.amax", "np.amin"}


def _is_scalar_result(stmt: Assign, rule: rules.Rule | None) -> bool:
    """Full reductions, math-module functions, len and float give scalars."""
    if stmt.prim.startswith("math.") or stmt.prim in ("len", "float", "np.linalg.det", ".item"):
        return True
    if stmt.prim not in _REDUCTIONS or rule is None:
        return False
    try:
        bound = rule.bind(stmt.args, stmt.kwargs)
    except TypeError:
        return False

    def is_default(name: str, default: Any) -> bool:
        value = bound.get(name, rules._MISSING)
        return value is rules._MISSING or (isinstance(value, Const) and value.value == default)

    return is_default("axis", None) and is_default("keepdims", False)


def _dynamic_method(stmt: Assign) -> bool:
    return stmt.prim.startswith(".") and stmt.static == "method" and \
        rules.rule_named(stmt.prim) is None


def _callee_param_names(stmt: Assign) -> list[str]:
    obj = stmt.static_obj if hasattr(stmt, "static_obj") else None
    code = getattr(obj, "__code__", None)
    if code is None:
        return [f"arg{i}" for i in range(len(stmt.args))]
    return list(code.co_varnames[: code.co_argcount])


def _repeats_sequence(stmt: Assign, seqs: set) -> bool:
    """`[x] * 2`, `2 * items`: a list repeated a constant number of times (a list
    times an array is NumPy arithmetic instead)."""
    if stmt.prim != "mul" or len(stmt.args) != 2:
        return False
    a, b = stmt.args
    return (a in seqs and isinstance(b, Const) and type(b.value) is int) or \
        (b in seqs and isinstance(a, Const) and type(a.value) is int)


def _is_slice(index: Operand, def_stmt: dict) -> bool:
    """Is `index` a slice (`a[1:]`), whose result is a list when `a` is one?"""
    if isinstance(index, Const):
        return isinstance(index.value, slice)
    stmt = def_stmt.get(index)
    return isinstance(stmt, Assign) and stmt.prim == "index" and len(stmt.static) == 1 \
        and stmt.static[0].startswith("s")


def _is_user_code(obj: Any) -> bool:
    """A Python function from the user's files (not the standard library or an
    installed package), which s2sad can transform."""
    import types as _types

    from .parsing import is_library_file

    if isinstance(obj, _types.MethodType):
        obj = obj.__func__
    if not isinstance(obj, _types.FunctionType):
        return False
    return not is_library_file(obj.__code__.co_filename)


def _callee_wrt(stmt: Assign, active_args: list[bool], active_kwargs: dict) -> tuple | None:
    """Parameter positions of the callee that receive active values (None: no source)."""
    import inspect
    import types as _types

    obj = stmt.static
    shift = 0
    if isinstance(obj, _types.MethodType):  # model.predict(x): self is argument 0
        obj, shift = obj.__func__, 1
    if not isinstance(obj, _types.FunctionType):
        return None
    try:
        inspect.getsourcelines(obj)
    except (OSError, TypeError):
        return None
    stmt.static_obj = obj
    stmt.shift = shift
    code = obj.__code__
    names = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    wrt = [i + shift for i, a in enumerate(active_args) if a]
    for key, a in active_kwargs.items():
        if a and key in names:
            wrt.append(names.index(key))
    return tuple(sorted(wrt))


# Rules whose (first) argument is a sequence of arrays, not an array.
SEQ_CONSUMERS = {"np.array", "np.asarray", "np.stack", "np.concatenate", "np.hstack",
                 "np.vstack", "np.einsum", "list", "tuple", "sum"}


def _numeric_vars(fn: Function) -> set[Var]:
    """Vars that hold numbers or arrays (not containers): results of arithmetic
    and NumPy rules, and anything used directly as their operand. Adjoints of
    these accumulate with `+`; others with `add_adjoints`."""
    out: set[Var] = set()
    structural = {"getitem", "make_tuple", "make_list", "make_dict", "call", "call_forward",
                  "list_append", "sum", "copy", "setitem", "own",
                  "index", "list", "tuple", "len", "print", "assert", "iteration_items"}
    for stmt in walk(fn.body):
        if not isinstance(stmt, Assign):
            continue
        rule = rules.rule_named(stmt.prim)
        if stmt.prim in structural or stmt.prim.startswith("$") or rule is None:
            continue
        if rule.out == "num" and stmt.target is not None:
            out.add(stmt.target)
        if stmt.prim in SEQ_CONSUMERS:
            continue
        if not stmt.prim.startswith(".") or stmt.prim in (".T",):
            out.update(a for a in stmt.operands() if isinstance(a, Var))
        elif stmt.args and isinstance(stmt.args[0], Var):
            out.add(stmt.args[0])
    return out


def _rule_out(prim: str) -> str:
    rule = rules.rule_named(prim)
    return rule.out if rule is not None else "num"


def _is_const(x: Operand, value: float) -> bool:
    return isinstance(x, Const) and type(x.value) in (int, float) and x.value == value


def _fold(prim: str, values: list) -> Any:
    import operator

    return {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
            "truediv": operator.truediv, "pow": operator.pow, "neg": operator.neg}[prim](*values)


def _dname(v: Any) -> str:
    if isinstance(v, Var) and v.hint:
        return "d" + v.hint
    return ""


def reverse(fn: Function, wrt: list[int], factory: VarFactory) -> Function:
    return Reverse(fn, wrt, factory).run()


__all__ = ["Reverse", "reverse", "split", "eliminate_dead_code"]
