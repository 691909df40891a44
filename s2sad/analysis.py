"""Facts about a function that the reverse pass needs, computed once.

* Places: the block and statement defining each var, each block's loop depth,
  the loop each body belongs to, and the values each iteration starts with.
* Activity: a value is *varied* when it depends on a `wrt` parameter through
  differentiable arguments, *useful* when the returned value depends on it;
  only values both (active) get adjoints.
* Shape classes: values known to share a shape share a representative (an
  elementwise op's result and its non-scalar operands; every scalar). An
  `unbroadcast` between two values of one class is dropped at transform time.
* Containers: which values are lists, tuples or dicts (their adjoints are
  containers too), and which are numbers or arrays (adjoints add with `+`).
* Buffers: arrays written in place, and the loop phis that keep one array
  across iterations (their versions share one Python name).

`analyze` returns a frozen `Facts`; passes read it and never change it.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from . import primitives
from .ir import (
    Assign,
    Block,
    Const,
    Function,
    If,
    Loop,
    Operand,
    Stmt,
    Var,
    defs,
    display_item,
    is_const,
    reachable,
    regions,
    use_counts,
    uses,
    walk,
)

SCALAR = Var(0, "<scalar>")  # the shape class of every scalar
# key of the shape dict: the shape a helper's calls of itself were found to
# return (`_recursive_shapes`), which `calls.SelfCall` checks where it must
SELF_CALLS_RETURN = ("self calls return",)


@dataclass(frozen=True)
class Places:
    """Where each var is defined, and the loop structure around it."""

    def_block: MappingProxyType  # Var -> Block
    def_stmt: MappingProxyType  # Var -> Stmt
    depth: MappingProxyType  # id(block) -> number of loops around it
    loop_of_body: MappingProxyType  # id(loop body) -> Loop
    entry: MappingProxyType  # id(loop body) -> frozenset of per-iteration entry values
    readers: MappingProxyType  # Var -> the statements that read it (def-use chains)

    def item(self, v: Var, k: int) -> Var | None:
        """The var defined as `v[k]` for a constant k, if there is one."""
        for stmt in self.readers.get(v, ()):
            if isinstance(stmt, Assign) and stmt.prim == "getitem" and stmt.args[0] is v \
                    and stmt.args[1] == Const(k):
                return stmt.target
        return None


@dataclass(frozen=True)
class Facts:
    places: Places
    varied: frozenset[Var]
    useful: frozenset[Var]
    shape: MappingProxyType  # Var -> shape class representative
    containers: frozenset[Var]  # lists, tuples and dicts (and values chosen among them)
    numeric: frozenset[Var]  # numbers and arrays
    buffers: frozenset[Var]  # every version of an array written in place
    persistent_phis: frozenset[Var]  # loop phis that keep one array across iterations
    one_array: MappingProxyType  # a persistent buffer's var -> all names of its array
    # every var whose memory some statement writes in place (`written_memory`)
    written: frozenset[Var]
    # ... or may write: `written`, and what is handed to a call or a method
    # looked up at run time (a library's may write it unseen: rng.shuffle(a))
    exposed: frozenset[Var] = frozenset()
    # p -> z where p = 1 / (1 + exp(-z)) is spelled out (`logistic_chains`)
    logistic: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def active(self, v: Operand) -> bool:
        return isinstance(v, Var) and v in self.varied and v in self.useful


def logistic_chains(fn: Function, places: Places) -> dict[Var, Operand]:
    """The logistic sigmoids spelled out, `p = 1 / (1 + np.exp(-z))` (either
    order of the sum; `math.exp` too), whose intermediate values nothing else
    reads: p -> z. The drivers take each as `logistic(z)` (its record in the
    table): its derivative p * (1 - p) is 0 where exp(-z) overflows to inf
    and p is 0, where the chain's rules meet 0 * inf (nan), and it is two
    operations fewer."""
    counts = use_counts(fn.body)

    def single(v: Operand, prims: tuple[str, ...]) -> Assign | None:
        made = places.def_stmt.get(v) if isinstance(v, Var) else None
        ok = isinstance(made, Assign) and made.prim in prims and not made.kwargs and \
            counts.get(v) == 1
        return made if ok else None

    chains = {}
    for stmt in walk(fn.body):
        if not (isinstance(stmt, Assign) and stmt.prim == "truediv" and stmt.target is not None
                and not stmt.kwargs and is_const(stmt.args[0], 1)):
            continue
        total = single(stmt.args[1], ("add",))
        if total is None or not any(is_const(a, 1) for a in total.args):
            continue
        exp = single(total.args[1] if is_const(total.args[0], 1) else total.args[0],
                     ("np.exp", "math.exp"))
        minus = single(exp.args[0], ("neg",)) if exp is not None and len(exp.args) == 1 \
            else None
        if minus is not None:
            chains[stmt.target] = minus.args[0]
    return chains


def analyze(fn: Function, wrt: tuple[int, ...], scalar_params: tuple[int, ...] = (),
            sequence_params: tuple[int, ...] = (),
            shape_params: tuple[tuple[int, tuple[int, ...]], ...] = (),
            inert: frozenset[Var] = frozenset()) -> Facts:
    """The facts about `fn` differentiated with respect to parameters `wrt`,
    with `scalar_params` known to be plain numbers, `sequence_params` lists
    or tuples, and `shape_params` (position, shape) arrays of that shape at
    this call; the `inert` vars do not vary, whatever they are made from."""
    places = index_places(fn)
    stmts = list(walk(fn.body))  # every statement, in order: each analysis reads this
    varied, useful = activity(fn, stmts, wrt, inert)
    shapes = shape_classes(fn, places, scalar_params, shape_params)
    containers = container_vars(fn, stmts, places, sequence_params)
    buffers, persistent, one_array = find_buffers(stmts)
    handed = {a for s in stmts if isinstance(s, Assign) and (s.prim == "getattr" or _is_call(s))
              for a in s.operands() if isinstance(a, Var)}
    return Facts(places, frozenset(varied), frozenset(useful), MappingProxyType(shapes),
                 frozenset(containers), frozenset(numeric_vars(stmts) - containers),
                 frozenset(buffers), frozenset(persistent), MappingProxyType(one_array),
                 frozenset(written_memory(fn, set(buffers))),
                 frozenset(written_memory(fn, set(buffers) | handed)),
                 MappingProxyType(logistic_chains(fn, places)))


# ---------------------------------------------------------------- places


def index_places(fn: Function) -> Places:
    def_block: dict[Var, Block] = {p: fn.body for p in fn.params}
    def_stmt: dict[Var, Stmt] = {}
    depth: dict[int, int] = {}
    loop_of_body: dict[int, Loop] = {}
    entry: dict[int, frozenset] = {}
    readers: dict[Var, list] = {}

    def visit(block: Block, level: int) -> None:
        depth[id(block)] = level
        for stmt in block.stmts:
            for u in uses(stmt):
                if isinstance(u, Var):
                    readers.setdefault(u, []).append(stmt)
            for v in defs(stmt):
                def_block[v] = block
                def_stmt[v] = stmt
            inner = level + 1 if isinstance(stmt, Loop) else level
            for region in regions(stmt):
                visit(region, inner)
            if isinstance(stmt, Loop):
                loop_of_body[id(stmt.body)] = stmt
                heads = {v for s in stmt.header.stmts for v in defs(s)}
                index = {stmt.index} if stmt.index is not None else set()
                entry[id(stmt.body)] = frozenset(set(stmt.phis) | heads | index)

    visit(fn.body, 0)
    return Places(*(MappingProxyType(m) for m in (def_block, def_stmt, depth, loop_of_body,
                                                  entry, readers)))


# ---------------------------------------------------------------- activity


def activity(fn: Function, stmts: list[Stmt], wrt: tuple[int, ...],
             inert: frozenset[Var] = frozenset()) -> tuple[set[Var], set[Var]]:
    """(varied, useful): reachable from the wrt arguments along differentiable
    flows (not through `inert`), and reaching the returned value."""
    feeds, fed_by = _flow_links(stmts)
    if inert:
        feeds = {src: [t for t in targets if t not in inert] for src, targets in feeds.items()}
    ret = fn.body.stmts[-1]
    useful = {ret.value} if isinstance(ret.value, Var) else set()
    return reachable({fn.params[i] for i in wrt}, feeds), reachable(useful, fed_by)


def _flow_links(stmts: list[Stmt]) -> tuple[dict, dict]:
    """(what each var feeds, what feeds each var) along differentiable flows."""
    feeds: dict[Var, list[Var]] = {}
    fed_by: dict[Var, list[Var]] = {}
    for stmt in stmts:
        for target, sources in flows(stmt):
            for src in sources:
                if isinstance(src, Var):
                    feeds.setdefault(src, []).append(target)
                    fed_by.setdefault(target, []).append(src)
    return feeds, fed_by


def varied_in_memory(stmts: list[Stmt], varied: frozenset) -> set[Var]:
    """`varied` and the names of an array's memory before an in-place write
    that makes it vary (`a2 = setitem(a1, i, v)` writes into a1; a loop's
    first value of a phi so written is its memory), and what those feed: a
    tape holding such an array by reference holds what the writes made it.
    Forward mode's question (may it carry a nonzero tangent?); reverse mode
    keeps `varied`, whose adjoints flow along values."""
    feeds, _ = _flow_links(stmts)
    written = {s.target for s in stmts if isinstance(s, Assign) and s.inplace}
    out = set(varied)
    while True:
        earlier = set()
        for stmt in stmts:
            if isinstance(stmt, Assign) and stmt.inplace and stmt.target in out and \
                    stmt.args and isinstance(stmt.args[0], Var):
                earlier.add(stmt.args[0])
            elif isinstance(stmt, Loop):
                earlier |= {i for p, i, n in zip(stmt.phis, stmt.inits, stmt.nexts)
                            if isinstance(i, Var) and p in out and n in written}
        earlier -= out
        if not earlier:
            return out
        out = reachable(out | earlier, feeds)


def flows(stmt: Stmt) -> list[tuple[Var, list[Operand]]]:
    """(target, differentiable sources) pairs of one statement."""
    if isinstance(stmt, Assign):
        prim = primitives.get(stmt.prim)
        if stmt.target is None:
            # (derivative code writes into arrays and tapes in place)
            first = stmt.args[0] if stmt.args else None
            return [(first, stmt.args[1:])] if prim.stores and isinstance(first, Var) else []
        if not prim.differentiable:
            return []
        if prim.zero:
            try:
                bound = prim.bind(stmt.args, stmt.kwargs)
            except TypeError:
                return [(stmt.target, stmt.operands())]
            sources: list = []
            for name, value in bound.items():
                if name not in prim.zero:
                    sources += value if isinstance(value, list) else [value]
            return [(stmt.target, sources)]
        return [(stmt.target, stmt.operands())]
    if isinstance(stmt, If):
        return [(o, [t, e]) for o, t, e in zip(stmt.outs, stmt.then_vals, stmt.else_vals)]
    if isinstance(stmt, Loop):
        return [(p, [i, n]) for p, i, n in zip(stmt.phis, stmt.inits, stmt.nexts)]
    return []


def written_memory(fn: Function, written: set) -> set:
    """The values whose memory something writes in place: the arrays written
    (`written`), and what they are the same memory as: back to where it was
    made and on (a loop's first value and its phi; a branch's values and its
    result; an alias, `y = x`), the views into it and what they view, and
    the result of a call given it (a helper may return its argument)."""
    found = set(written)
    changed = True
    while changed:
        changed = False
        for stmt in walk(fn.body):
            sources: list = []
            if isinstance(stmt, Loop):  # (a phi is its first value's memory, both ways)
                sources = [i for p, i in zip(stmt.phis, stmt.inits) if p in found] + \
                    [p for p, i in zip(stmt.phis, stmt.inits) if i in found]
            elif isinstance(stmt, If):  # (a result is either value's memory, both ways)
                sources = [v for o, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals)
                           if o in found for v in (a, b)] + \
                    [o for o, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals)
                     if a in found or b in found]
            elif isinstance(stmt, Assign) and stmt.args and stmt.target is not None and \
                    (stmt.prim in ("copy", "setitem") or primitives.get(stmt.prim).view):
                # one memory: what the view looks into, and the view (both ways)
                sources = [stmt.args[0]] if stmt.target in found else \
                    [stmt.target] if stmt.args[0] in found else []
            elif isinstance(stmt, Assign) and stmt.target is not None and _is_call(stmt) \
                    and any(a in found for a in stmt.operands() if isinstance(a, Var)):
                sources = [stmt.target]  # (a write into the result itself is checked at
                # run time: `check_inplace` refuses one that an argument would see)
            for v in sources:
                if isinstance(v, Var) and v not in found:
                    found.add(v)
                    changed = True
    return found


def _is_call(stmt: Assign) -> bool:
    """A call of a function s2sad does not see into here (its result may be
    an argument, or hold one)."""
    return stmt.prim == "call" or stmt.prim.startswith("call_")


# ---------------------------------------------------------------- shapes


def shape_classes(fn: Function, places: Places, scalar_params: tuple[int, ...],
                  shape_params: tuple[tuple[int, tuple[int, ...]], ...] = ()) -> dict:
    """Var -> a representative of the vars known to have its shape (SCALAR
    for numbers). With `shape_params`, the shapes of some array parameters at
    this call, shapes are also followed concretely where the rules of
    `concrete_shape` allow, and vars of one concrete shape share a class."""
    shape: dict[Any, Any] = {p: SCALAR if i in scalar_params else p
                             for i, p in enumerate(fn.params)}
    if shape_params:
        shape[_CONCRETE_ON] = True
        for i in scalar_params:
            shape[("concrete", fn.params[i])] = ()
            shape[("int", fn.params[i])] = True  # (an int, or an index that raises)
    for i, dims in shape_params:
        p = fn.params[i]
        shape[("concrete", p)] = dims
        shape[p] = SCALAR if dims == () else shape.setdefault(("same", dims), p)
    if shape_params:  # (a list display read once, by np.concatenate say: nothing changes it)
        for v, n in use_counts(fn.body).items():
            if n == 1:
                shape[("read once", v)] = True

    calls = [s.target for s in walk(fn.body) if isinstance(s, Assign) and
             s.callee is not None and s.callee.name == "$recurse"]
    if not (calls and shape_params):
        _visit_shapes(fn.body, shape, places)
        return shape
    return _recursive_shapes(fn, places, shape, calls, {dims for _, dims in shape_params})


def _visit_shapes(block: Block, shape: dict, places: Places) -> None:
    """Give every value defined in `block` its class (and concrete shape)."""
    for stmt in block.stmts:
        if isinstance(stmt, Assign) and stmt.target is not None:
            shape[stmt.target] = shape_class(stmt, shape, places.def_stmt)
        elif isinstance(stmt, If):
            _visit_shapes(stmt.then, shape, places)
            _visit_shapes(stmt.orelse, shape, places)
            for out, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals):
                ca = shape.get(a) if isinstance(a, Var) else None
                cb = shape.get(b) if isinstance(b, Var) else None
                shape[out] = ca if ca is not None and ca is cb else out
                dims = _dims(a, shape)
                _set_dims(shape, out, dims if dims is not None and dims == _dims(b, shape)
                          else None)
        elif isinstance(stmt, Loop):
            loop_shapes(stmt, shape, lambda b: _visit_shapes(b, shape, places))


def _recursive_shapes(fn: Function, places: Places, shape: dict, calls: list[Var],
                      guesses: set) -> dict:
    """Shapes in a helper that calls itself with arguments of the shapes it
    is compiled for (`recursion.py`'s marked calls, whose values are `calls`'
    first items). Such a call runs this very code, so if assuming that every
    such call returns shape S makes this code return S on every path, then
    every call returns S (by induction on the depth of the recursion). S is
    tried among (), the parameters' shapes and the shapes a try finds
    (`x * h(x, k - 1)` of a column and a row), a few times at most; the
    calls' values get it. (`calls.SelfCall` checks it where a call runs
    other code after all.)"""
    returned = fn.body.stmts[-1].value
    queue, tried = sorted(guesses | {()}, key=len), []
    while queue and len(tried) < _RECURSIVE_TRIES:
        guess = queue.pop(0)
        tried.append(guess)
        trial = dict(shape)
        trial[SELF_CALLS_RETURN] = guess
        for pair in calls:
            trial[("self call returns", pair)] = guess
        _visit_shapes(fn.body, trial, places)
        if _dims(returned, trial) == guess:
            return trial
        queue += [d for k, d in trial.items() if type(k) is tuple and k[0] == "concrete"
                  and d not in tried and d not in queue]
    _visit_shapes(fn.body, shape, places)
    return shape


_RECURSIVE_TRIES = 6


def loop_shapes(loop: Loop, shape: dict, visit: Any) -> None:
    """Assume each phi keeps its initial shape; if an iteration may change it,
    give the phi its own class and look again."""
    for phi, init in zip(loop.phis, loop.inits):
        cls = shape.get(init) if isinstance(init, Var) else None
        if isinstance(init, Const) and type(init.value) in (int, float):
            cls = SCALAR
        shape[phi] = cls if cls is not None else phi
        _set_dims(shape, phi, _dims(init, shape))
    if loop.index is not None:  # an int of `range(...)`
        shape[loop.index] = SCALAR if loop.range_args is not None else loop.index
        if loop.range_args is not None:
            shape[("int", loop.index)] = True
            _set_dims(shape, loop.index, ())
    for _ in range(len(loop.phis) + 1):
        visit(loop.header)
        visit(loop.body)
        unstable = [p for p, n in zip(loop.phis, loop.nexts)
                    if not (isinstance(n, Var) and shape.get(n) is shape[p]
                            and _dims(n, shape) == _dims(p, shape))
                    and shape[p] is not p]
        if not unstable:
            break
        for p in unstable:
            shape[p] = p
            _set_dims(shape, p, None)


# ---- concrete shapes (from the shapes of the arguments at this call)
# Kept in the shape dict under ("concrete", var); only rules that hold for
# every value of the given shapes are followed: anything else is unknown.

_CONCRETE_ON = ("concrete shapes",)  # key: are shapes followed concretely?
_NUMBER_TYPES = (int, float, complex, bool)
_REDUCTIONS = frozenset({".max", ".mean", ".min", ".prod", ".std", ".sum", ".var", "np.amax",
                         "np.amin", "np.max", "np.mean", "np.min", "np.prod", "np.std",
                         "np.sum", "np.var"})
# adjoint helpers whose result has the shape of one operand
_SHAPED_LIKE = {"unbroadcast": 1, "sum_adjoint": 1, "mean_adjoint": 1, "getitem_adjoint": 1,
                "extremum_adjoint": 1,
                "matmul_adjoint_a": 1, "matmul_adjoint_b": 2, "zeros_like": 0}


def _broadcasts(name: str) -> bool:
    """Does the operation's result have its operands' broadcast shape, like
    the differentiable elementwise entries: a comparison, a NumPy ufunc of
    one result (np.floor, np.isnan)?"""
    if name in _COMPARISONS:
        return True
    if not name.startswith("np."):
        return False
    ufunc = getattr(np, name[3:], None)
    # (not a generalized ufunc: np.matmul, np.vecdot, np.matvec have core dimensions)
    return isinstance(ufunc, np.ufunc) and ufunc.nout == 1 and ufunc.signature is None


_COMPARISONS = frozenset({"lt", "le", "gt", "ge", "eq", "ne"})
# operations whose result has their first operand's shape, whatever else they are given
_SHAPE_OF_FIRST = frozenset({"np.roll", "roll_adjoint", "np.flip", "np.fliplr", "np.flipud"})
# ... given no more than the array (and np.full_like's value; not `shape=`)
_LIKE = frozenset({"np.zeros_like", "np.ones_like", "np.empty_like", "np.full_like"})
# operations whose result has their (first) operand's shape, as called here
_SAME_SHAPE = frozenset({"np.linalg.cholesky", "np.linalg.inv", "np.tril", "np.triu",
                         "lower_factor", "triangular_inverse", "np.copy", ".copy"})


def _dims(a: Any, shape: dict) -> tuple | None:
    if not shape.get(_CONCRETE_ON):
        return None
    if isinstance(a, Const):
        return () if type(a.value) in _NUMBER_TYPES else None
    return shape.get(("concrete", a)) if isinstance(a, Var) else None


def known_shape(shape: dict, v: Any) -> tuple | None:
    """v's concrete shape in a shape dict of `shape_classes`, if known."""
    return shape.get(("concrete", v)) if isinstance(v, Var) else None


def set_known_shape(shape: dict, v: Var, dims: tuple | None) -> None:
    """Record (or, with None, forget) v's concrete shape in a shape dict."""
    _set_dims(shape, v, dims)


# what the shape dict knows of a value besides its class: its concrete
# shape, the value of an index, an int or a shape, whether it counts
_KNOWN_FACTS = ("concrete", "index value", "value", "int", "shape value", "shape of")


def copy_known_facts(shape: dict, v: Var, copy: Var) -> None:
    """`copy` holds v's value (restored in a loop's backward): what is
    known of v is known of it."""
    shape[copy] = shape.get(v)
    for fact in _KNOWN_FACTS:
        if (fact, v) in shape:
            shape[(fact, copy)] = shape[(fact, v)]


def _set_dims(shape: dict, v: Var, dims: tuple | None) -> None:
    if dims is None:
        shape.pop(("concrete", v), None)
    else:
        shape[("concrete", v)] = dims


def concrete_shape(stmt: Assign, shape: dict) -> tuple | None:
    """The shape of stmt's result, if its operands' are known and the
    operation's rule is one of the few followed here; else None."""
    if stmt.prim in _SHAPES:
        shape[("shape of", stmt.target)] = True  # (its items are ints)
    prim = primitives.get(stmt.prim)
    args = stmt.args
    if stmt.prim in _DISPLAYS_AND_JOINS:
        return _display_or_join_dims(stmt, prim, shape)
    if (prim.elementwise and prim.returns == "array") or _broadcasts(stmt.prim):
        if stmt.prim == "np.where" and len(stmt.operands()) < 3:
            return None  # (np.where(condition) alone gives a tuple of indices)
        parts = []
        for a in stmt.operands():
            if isinstance(a, Const) and (a.value is None or isinstance(a.value, str)) and \
                    any(a is k for k in stmt.kwargs.values()):
                continue  # (a keyword's setting, not an operand)
            dims = _dims(a, shape)
            if dims is None:
                return None
            parts.append(dims)
        try:
            return tuple(np.broadcast_shapes(*parts)) if parts else ()
        except ValueError:
            return None
    if stmt.prim in _SHAPED_LIKE and len(args) > _SHAPED_LIKE[stmt.prim]:
        return _dims(args[_SHAPED_LIKE[stmt.prim]], shape)
    if stmt.prim in ("index_adjoint", "spread_number") and len(args) >= 2 and \
            isinstance(args[1], Const):
        return tuple(args[1].value)
    if stmt.prim == "np.outer" and len(args) == 2 and not stmt.kwargs:
        parts = [_dims(a, shape) for a in args]
        return None if None in parts else tuple(math.prod(d) for d in parts)
    if stmt.prim in _CONSTRUCTORS:
        return _constructed_dims(stmt, shape)
    if stmt.prim == "getitem" and args[1:] == [Const(0)] and \
            ("self call returns", args[0]) in shape:
        return shape[("self call returns", args[0])]
    first = _dims(args[0], shape) if args else None
    if first is None:
        return None
    if stmt.prim in ("matmul", "np.matmul") and len(args) == 2 and not stmt.kwargs:
        return _matmul_dims(first, _dims(args[1], shape))
    if _keeps_first_shape(stmt, first):
        return first
    if stmt.prim in (".T", "matrix_transpose") and len(args) == 1:
        return first[::-1] if stmt.prim == ".T" else \
            (first[:-2] + first[-1:] + first[-2:-1] if len(first) >= 2 else None)
    if stmt.prim == "getitem" and len(args) == 2 and first:
        index = args[1]
        if (isinstance(index, Const) and type(index.value) is int) or \
                (isinstance(index, Var) and shape.get(("int", index))):
            return first[1:]  # (an int picks one row)
        key = index.value if isinstance(index, Const) else shape.get(("index value", index))
        return _basic_index_dims(first, key)
    if stmt.prim in _REDUCTIONS:
        return _reduced_dims(stmt, prim, first)
    return None


def _keeps_first_shape(stmt: Assign, first: tuple) -> bool:
    """Has stmt's result its first operand's dims (`first`), as called here?"""
    args = stmt.args
    if stmt.prim in _SHAPE_OF_FIRST or (stmt.prim in _LIKE and not stmt.kwargs and
                                        len(args) <= (2 if stmt.prim == "np.full_like" else 1)):
        return True
    keywords = set(stmt.kwargs) - ({"upper"} if stmt.prim == "np.linalg.cholesky" else set())
    return stmt.prim in _SAME_SHAPE and not keywords and \
        len(args) == (2 if stmt.prim == "lower_factor" else 1) and \
        (len(first) >= 2 or "copy" in stmt.prim)  # (np.tril of a vector is a matrix)


_CONSTRUCTORS = frozenset({"np.eye", "np.identity", "np.zeros", "np.ones", "np.empty",
                           "np.full"})
_JOINS = frozenset({"np.concatenate", "np.stack"})
_DISPLAYS_AND_JOINS = _JOINS | {"make_list", "make_tuple"}


def _display_or_join_dims(stmt: Assign, prim: primitives.Primitive, shape: dict
                          ) -> tuple | None:
    """A list or tuple display nothing else reads keeps its items' shapes
    (set or cleared at each look: a loop's second look may know less); a
    join of such a display has a shape (`_joined_dims`). A display itself
    has none."""
    args = stmt.args
    if stmt.prim not in _JOINS:
        if shape.get(("read once", stmt.target)):
            items = tuple(_dims(a, shape) for a in args)
            shape[("item dims", stmt.target)] = items if None not in items else None
        return None
    items = shape.get(("item dims", args[0])) if args and isinstance(args[0], Var) else None
    return _joined_dims(stmt, prim, items) if items else None


def _joined_dims(stmt: Assign, prim: primitives.Primitive, items: tuple) -> tuple | None:
    """The shape of np.concatenate or np.stack of arrays of shapes `items`
    (a display nothing else reads), along a known axis."""
    try:
        bound = prim.bind(stmt.args, stmt.kwargs)
    except TypeError:
        return None
    if any(k not in ("arrays", "axis", "dtype", "casting") for k in bound if
           bound[k] is not primitives.MISSING):
        return None
    axis = bound.get("axis", primitives.MISSING)
    axis = 0 if axis is primitives.MISSING else axis.value if isinstance(axis, Const) else axis
    first = items[0]
    if type(axis) is not int or any(len(d) != len(first) for d in items):
        return None
    if stmt.prim == "np.stack":
        if any(d != first for d in items) or not -len(first) - 1 <= axis <= len(first):
            return None
        k = axis % (len(first) + 1)
        return first[:k] + (len(items),) + first[k:]
    if not first or not -len(first) <= axis < len(first):
        return None
    k = axis % len(first)
    if any(d[:k] + d[k + 1:] != first[:k] + first[k + 1:] for d in items):
        return None
    return first[:k] + (sum(d[k] for d in items),) + first[k + 1:]


def _constructed_dims(stmt: Assign, shape: dict) -> tuple | None:
    """The shape of np.eye(n), np.zeros(shape) and the like where their sizes
    are known: ints fixed by the argument shapes, or an array's `.shape`."""
    size = stmt.args[0] if stmt.args else None
    if stmt.prim in ("np.eye", "np.identity"):
        n = _int_value(size, shape)
        if n is None or len(stmt.args) > 1 or set(stmt.kwargs) - {"dtype"} or n < 0:
            return None
        return (n, n)
    if set(stmt.kwargs) - {"dtype"} or len(stmt.args) > (2 if stmt.prim == "np.full" else 1):
        return None
    n = _int_value(size, shape)
    if n is not None:
        return (n,) if n >= 0 else None
    if isinstance(size, Const) and isinstance(size.value, tuple) and \
            all(type(k) is int and k >= 0 for k in size.value):
        return size.value
    dims = shape.get(("shape value", size)) if isinstance(size, Var) else None
    return tuple(dims) if dims is not None else None


def _matmul_dims(a: tuple, b: tuple | None) -> tuple | None:
    if b is None or not a or not b:
        return None
    a2 = a if len(a) > 1 else (1,) + a
    b2 = b if len(b) > 1 else b + (1,)
    if a2[-1] != b2[-2]:
        return None
    try:
        batch = tuple(np.broadcast_shapes(a2[:-2], b2[:-2]))
    except ValueError:
        return None
    return batch + (a2[-2],) * (len(a) > 1) + (b2[-1],) * (len(b) > 1)


def _reduced_dims(stmt: Assign, prim: primitives.Primitive, dims: tuple) -> tuple | None:
    try:
        bound = prim.bind(stmt.args, stmt.kwargs)
    except TypeError:
        return None
    axis, keep = bound.get("axis", primitives.MISSING), bound.get("keepdims",
                                                                   primitives.MISSING)
    axis = None if axis is primitives.MISSING else axis
    keep = False if keep is primitives.MISSING else keep
    if isinstance(axis, Const):
        axis = axis.value
    if isinstance(keep, Const):
        keep = keep.value
    if not isinstance(keep, bool):
        return None
    if axis is None:
        axes = tuple(range(len(dims)))
    elif type(axis) is int:
        axes = (axis,)
    elif isinstance(axis, tuple) and all(type(k) is int for k in axis):
        axes = axis
    else:
        return None
    if any(not -len(dims) <= k < len(dims) for k in axes):
        return None
    axes = tuple(k % len(dims) for k in axes) if dims else ()
    if len(set(axes)) != len(axes):
        return None
    if keep:
        return tuple(1 if i in axes else n for i, n in enumerate(dims))
    return tuple(n for i, n in enumerate(dims) if i not in axes)


_SHAPES = frozenset({".shape", "np.shape"})
_SIZES = frozenset({".ndim", ".size", "np.ndim", "np.size"})


def _basic_index_dims(dims: tuple, key: Any) -> tuple | None:
    """The shape of `a[key]` for an array `a` of shape `dims`, where key is a
    basic index (ints, slices of ints, None, Ellipsis): NumPy's own answer,
    from a view of one number broadcast to `dims` (no memory is made)."""
    parts = key if isinstance(key, tuple) else (key,)
    if key is None and not isinstance(key, tuple) or not all(
            p is None or p is Ellipsis or type(p) is int or
            (isinstance(p, slice) and all(b is None or type(b) is int
                                          for b in (p.start, p.stop, p.step)))
            for p in parts):
        return None
    try:
        return np.shape(np.broadcast_to(np.empty(()), dims)[key])
    except (IndexError, ValueError, TypeError):
        return None


_INT_OPERATORS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
                  "floordiv": operator.floordiv, "mod": operator.mod, "neg": operator.neg,
                  "pos": operator.pos}


def _int_value(a: Any, shape: dict) -> int | None:
    if isinstance(a, Const):
        return a.value if type(a.value) is int else None
    value = shape.get(("value", a)) if isinstance(a, Var) else None
    return value if type(value) is int else None


def known_value(stmt: Assign, shape: dict) -> Any:
    """stmt's result where the argument shapes this code is specialized for
    fix it: a length, a shape's item, int arithmetic of those, an index (a
    tuple of ints, slices and None) built from them; else None. Rows picked
    by such an index have a concrete shape (`_basic_index_dims`)."""
    args = stmt.args
    if stmt.prim in ("len", ".ndim", ".size", "np.ndim", "np.size") and len(args) == 1 \
            and not stmt.kwargs:
        dims = _dims(args[0], shape)
        if dims is None or (stmt.prim == "len" and not dims):
            return None
        return dims[0] if stmt.prim == "len" else len(dims) if "ndim" in stmt.prim else \
            math.prod(dims)
    if stmt.prim == "getitem" and len(args) == 2:
        dims = shape.get(("shape value", args[0]))
        k = _int_value(args[1], shape)
        return dims[k] if dims is not None and k is not None and -len(dims) <= k < len(dims) \
            else None
    if stmt.prim in _INT_OPERATORS and not stmt.kwargs:
        values = [_int_value(a, shape) for a in args]
        if None in values or (stmt.prim in ("floordiv", "mod") and values[1] == 0):
            return None
        return _INT_OPERATORS[stmt.prim](*values)
    if stmt.prim == "index" and isinstance(args[0], Const):
        fixed = [isinstance(a, Const) and (a.value is None or a.value is Ellipsis)
                 for a in args[1:]]
        values = [a.value if f else _int_value(a, shape) for a, f in zip(args[1:], fixed)]
        if any(v is None and not f for v, f in zip(values, fixed)):
            return None
        parts, rest = [], iter(values)
        for kind in args[0].value:
            if kind == "v":
                parts.append(next(rest))
            else:
                bounds = [next(rest) if flag == "1" else None for flag in kind[1:]]
                parts.append(slice(*bounds))
        return tuple(parts) if len(parts) > 1 else parts[0]
    return None


def shape_class(stmt: Assign, shape: dict, def_stmt: Any) -> Var | None:
    """A var known to have the same shape as stmt's result, if any."""
    if not shape.get(_CONCRETE_ON):
        return _symbolic_class(stmt, shape, def_stmt)
    value = known_value(stmt, shape)
    shape[("index value" if stmt.prim == "index" else "value", stmt.target)] = value
    if stmt.prim in _SHAPES and len(stmt.args) == 1:
        shape[("shape value", stmt.target)] = _dims(stmt.args[0], shape)
    dims = concrete_shape(stmt, shape)
    if dims is None:
        cls = _symbolic_class(stmt, shape, def_stmt)
        dims = () if cls is SCALAR else None
    _set_dims(shape, stmt.target, dims)
    if _counts(stmt, shape):
        shape[("int", stmt.target)] = True
    if dims is None:
        return cls
    return SCALAR if dims == () else shape.setdefault(("same", dims), stmt.target)


def _counts(stmt: Assign, shape: dict) -> bool:
    """Is stmt's result an int, or a number whose use as an index raises (a
    float): then `a[i]` is one row of `a`. Plain-number parameters, a range
    loop's counter, lengths and sums or products of those are; a comparison
    is not (`a[True]` adds an axis)."""
    if stmt.prim in ("len", ".ndim", ".size"):
        return True
    if stmt.prim == "getitem" and isinstance(stmt.args[1], Const) and \
            type(stmt.args[1].value) is int and isinstance(stmt.args[0], Var) and \
            shape.get(("shape of", stmt.args[0])):
        return True
    if stmt.prim not in _INT_OPERATORS:  # (int arithmetic)
        return False
    return all(shape.get(("int", a)) if isinstance(a, Var) else
               isinstance(a, Const) and type(a.value) is int for a in stmt.operands())


def _symbolic_class(stmt: Assign, shape: dict, def_stmt: Any) -> Var | None:
    """shape_class from the operation's facts alone (no concrete shapes)."""
    prim = primitives.get(stmt.prim)
    if stmt.prim == "getitem":
        src = def_stmt.get(stmt.args[0]) if isinstance(stmt.args[0], Var) else None
        displayed = isinstance(src, Assign) and primitives.get(src.prim).results == "args"
        item = display_item(stmt, src.args if displayed else None)
        if item is not None:
            return shape.get(item, stmt.target) if isinstance(item, Var) else stmt.target
        if isinstance(src, Assign) and src.prim in _SHAPES and isinstance(stmt.args[1], Const) \
                and type(stmt.args[1].value) is int:
            return SCALAR  # one length of a shape: an int
    if stmt.prim in _SIZES:
        return SCALAR
    if prim.scalar or (prim.reduction and _reduces_everything(stmt, prim)):
        return SCALAR
    if stmt.prim in _SHAPE_OF_FIRST and stmt.args and isinstance(stmt.args[0], Var):
        return shape.get(stmt.args[0], stmt.target)
    if not prim.elementwise:
        return stmt.target
    # Broadcasting against a scalar never changes a shape.
    classes = set()
    for a in stmt.operands():
        if isinstance(a, Const) and isinstance(a.value, (int, float)):
            continue
        cls = shape.get(a) if isinstance(a, Var) else None
        if cls is None:
            return stmt.target
        if cls is not SCALAR:
            classes |= shape.get(("parts", cls), {cls})
    if not classes:
        return SCALAR
    if len(classes) == 1:
        (cls,) = classes
        return cls
    # The broadcast of several classes: one class per set of parts, so that
    # `sin(x) * c` and `x_dot * cos(x) * c` share one.
    parts = frozenset(classes)
    rep = shape.setdefault(("broadcast", parts), stmt.target)
    shape[("parts", rep)] = parts
    return rep


def _reduces_everything(stmt: Assign, prim: primitives.Primitive) -> bool:
    try:
        bound = prim.bind(stmt.args, stmt.kwargs)
    except TypeError:
        return False

    def is_default(name: str, default: Any) -> bool:
        value = bound.get(name, primitives.MISSING)
        return value is primitives.MISSING or (isinstance(value, Const) and
                                               value.value == default)

    return is_default("axis", None) and is_default("keepdims", False)


# ---------------------------------------------------------------- containers


def container_vars(fn: Function, stmts: list[Stmt], places: Places,
                   sequence_params: tuple[int, ...]) -> set[Var]:
    """Lists, tuples and dicts: made by a display, a call or a primitive that
    returns one, and anything a list stays when written, joined, sliced,
    repeated, carried or chosen."""
    found = {p for i, p in enumerate(fn.params) if i in sequence_params}
    for stmt in stmts:
        if isinstance(stmt, Assign) and stmt.target is not None and \
                primitives.get(stmt.prim).returns == "container" and not _changes_result(stmt):
            found.add(stmt.target)
    changed = True
    while changed:
        changed = False
        for stmt in stmts:
            for target in _container_results(stmt, found, places):
                if target not in found:
                    found.add(target)
                    changed = True
    return found


def _changes_result(stmt: Assign) -> bool:
    """Does the call give a keyword argument its entry's rules do not take,
    which may change what it returns (`svd(a, compute_uv=False)` is an array, not
    the tuple `(U, s, Vh)`)? Its result is then not taken for a container;
    the reverse pass refuses the argument where a derivative reaches it."""
    if not stmt.kwargs:
        return False
    prim = primitives.get(stmt.prim)
    try:
        return bool(set(prim.refused(prim.bind(stmt.args, stmt.kwargs))) & set(stmt.kwargs))
    except TypeError:
        return False


def _container_results(stmt: Stmt, found: set, places: Places) -> list[Var]:
    """Values `stmt` makes that are containers because its inputs are."""
    if isinstance(stmt, (If, Loop)):
        pairs = zip(stmt.outs, stmt.then_vals, stmt.else_vals) if isinstance(stmt, If) \
            else zip(stmt.phis, stmt.inits, stmt.nexts)
        return [out for out, a, b in pairs if a in found or b in found]
    if not isinstance(stmt, Assign) or stmt.target is None or not stmt.args:
        return []
    first = stmt.args[0]
    if primitives.get(stmt.prim).returns == "operand" and first in found or \
            stmt.prim == "add" and any(a in found for a in stmt.args) or \
            repeats_sequence(stmt, found, places) or \
            stmt.prim == "getitem" and first in found and _is_slice(stmt.args[1], places):
        return [stmt.target]
    return []


def repeats_sequence(stmt: Assign, containers: set, places: Places) -> bool:
    """`[x] * 2`, `2 * items`, `[0.0] * len(x)`: a list repeated a constant
    number of times, or a count `repeat_count` checks (a list times an array
    is NumPy arithmetic instead)."""
    if stmt.prim != "mul" or len(stmt.args) != 2:
        return False
    a, b = stmt.args
    return (a in containers and _is_count(b, places)) or \
        (b in containers and _is_count(a, places))


def made_by_a_call(v: Operand, places: Places) -> bool:
    """Is v what a call of user code returned (`call`, or `call_forward`'s
    value once `prepare` split the call)? What it is (an array, a list) is
    known only when it runs."""
    stmt = places.def_stmt.get(v) if isinstance(v, Var) else None
    if isinstance(stmt, Assign) and stmt.prim == "getitem" and stmt.args[1] == Const(0):
        stmt = places.def_stmt.get(stmt.args[0])
        return isinstance(stmt, Assign) and stmt.prim == "call_forward"
    return isinstance(stmt, Assign) and stmt.prim == "call"


def _is_count(v: Operand, places: Places) -> bool:
    if isinstance(v, Const):
        return type(v.value) is int
    stmt = places.def_stmt.get(v)
    return isinstance(stmt, Assign) and stmt.prim == "repeat_count"


def _is_slice(index: Operand, places: Places) -> bool:
    """Is `index` a slice (`a[1:]`), whose result is a list when `a` is one?"""
    if isinstance(index, Const):
        return isinstance(index.value, slice)
    stmt = places.def_stmt.get(index)
    if not (isinstance(stmt, Assign) and stmt.prim == "index"):
        return False
    layout = stmt.args[0].value
    return len(layout) == 1 and layout[0].startswith("s")


def numeric_vars(stmts: list[Stmt]) -> set[Var]:
    """Vars that hold numbers or arrays (not containers): results of arithmetic
    and NumPy functions, and what those take as operands. Adjoints of these
    accumulate with `+`; others with `add_adjoints`."""
    out: set[Var] = set()
    keyed = set()  # read by a string key: a mapping where that runs (`t["a"]`, `t["a"] = v`)
    for stmt in stmts:
        if not isinstance(stmt, Assign):
            continue
        prim = primitives.get(stmt.prim)
        if prim.returns == "array" and stmt.target is not None:
            out.add(stmt.target)
        if prim.takes == "arrays":
            out.update(a for a in stmt.operands() if isinstance(a, Var))
        elif prim.takes == "receiver" and stmt.args and isinstance(stmt.args[0], Var):
            out.add(stmt.args[0])
        if stmt.prim in ("getitem", "setitem") and isinstance(stmt.args[1], Const) and \
                isinstance(stmt.args[1].value, str):  # (read or written by a string key)
            keyed.add(stmt.args[0])
    return out - keyed


# ---------------------------------------------------------------- buffers


def find_buffers(stmts: list[Stmt]) -> tuple[set[Var], set[Var], dict[Var, frozenset]]:
    """Three facts about arrays written in place (`a[i] = v`): every version of
    them; the loop phis persistent in their own loop (the next value is always
    the same array, written only in place during the iteration); and for each
    persistent value, all names of its one array (with the phi's initial and
    next values). A persistent buffer keeps one Python name whose contents the
    backward pass restores; other versions are per-iteration arrays, taped by
    reference."""
    may, must = _Links(), _Links()  # may be / surely are the same object
    writes = []
    for stmt in stmts:
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
        for stmt in stmts:
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
                    persistent.add(phi)
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
