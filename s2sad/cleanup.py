"""Cleaning up generated IR.

* `simplify` folds constants and applies algebraic identities (`x * 1`,
  `x + 0`, `-(-x)`, an `unbroadcast` between values of one shape class, a
  `cast_adjoint` without a dtype) as
  the derivative passes append each statement, so rules can be written
  plainly and still read well once generated; `rewrite` gives a plainer
  template for a helper call whose operands make the general rule
  unnecessary (a power rule with a constant exponent).
* `eliminate_dead_code` drops pure assignments, branch results and
  loop-carried values nobody reads (the simplifications leave some).
* `share_common_values` computes a value once where two statements compute
  the same pure operation of the same operands (the adjoints of `solve`'s
  two operands both solve with a^T; Cholesky's rule transposes L twice).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from . import primitives
from .ir import (
    Assign,
    Block,
    Const,
    If,
    Loop,
    Operand,
    Ref,
    Var,
    blocks,
    defs,
    is_const,
    regions,
    substitute,
    use_counts,
    uses,
    walk,
    walk_nested,
)

_FOLD = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
         "truediv": operator.truediv, "pow": operator.pow, "neg": operator.neg}


def simplify(stmt: Assign, definition: Callable[[Var], Assign | None],
             same_shape: Callable[[Operand, Operand], bool]) -> Operand | None:
    """An operand equal to `stmt`'s value without computing it, if there is one.
    `definition(v)` finds the statement defining v among those already built."""
    p, a = stmt.prim, stmt.args
    if p in _FOLD and all(isinstance(x, Const) for x in a) and not stmt.kwargs:
        try:
            return Const(_FOLD[p](*[x.value for x in a]))
        except Exception:
            return None
    if p == "mul":
        for x, y in ((a[0], a[1]), (a[1], a[0])):
            if is_const(x, 1):
                return y
    if (p == "truediv" and is_const(a[1], 1)) or (p in ("add", "sub") and is_const(a[1], 0)) \
            or (p == "pow" and is_const(a[1], 1)):
        return a[0]
    if p == "add" and is_const(a[0], 0):
        return a[1]
    if p == "neg" and isinstance(a[0], Var):
        inner = definition(a[0])
        if inner is not None and inner.prim == "neg":
            return inner.args[0]
    if p == "unbroadcast" and same_shape(a[0], a[1]):
        return a[0]
    if p == "cast_adjoint" and a[1] == Const(None):  # no dtype= given: nothing truncated
        return a[0]
    if p == "zeros_like" and isinstance(a[0], Const) and type(a[0].value) in (int, float):
        return Const(0.0)
    return None


# matmul's adjoints as plain products, by the operands' numbers of dimensions
_MATMUL_ADJOINTS = {("matmul_adjoint_a", 2, 2): "g @ b.T", ("matmul_adjoint_b", 2, 2): "a.T @ g",
                    ("matmul_adjoint_b", 2, 1): "g @ a", ("matmul_adjoint_a", 1, 2): "b @ g",
                    ("matmul_adjoint_a", 2, 1): "np.outer(g, b)",
                    ("matmul_adjoint_b", 1, 2): "np.outer(a, g)",
                    ("matmul_adjoint_a", 1, 1): "g * b", ("matmul_adjoint_b", 1, 1): "g * a"}


_ARRAY_ATTRIBUTES = {
    "array_attribute_adjoint": {"T": "np.transpose(g)", "real": "np.real(g)",
                                "imag": "imag_adjoint(g, a)"},
    "array_attribute_tangent": {"T": "np.transpose(g)", "real": "np.real(g)",
                                "imag": "np.imag(g)"}}


_TRIANGULAR = {"np.linalg.solve": ("triangular_solve(a, b, lower)", ("a", "b")),
               "np.linalg.inv": ("triangular_inverse(a, lower)", ("a",))}


def _triangular_side(stmt: Assign, triangle: Callable[[Operand], str | None]) -> str | None:
    """The triangle of the matrix a solve or inverse of `_TRIANGULAR` (its
    operands by position) is of, where `triangle` knows it; else None."""
    if stmt.prim not in _TRIANGULAR or stmt.kwargs or \
            len(stmt.args) != len(_TRIANGULAR[stmt.prim][1]):
        return None
    return triangle(stmt.args[0])


def rewrite(stmt: Assign, dims: Callable[[Operand], tuple | None] | None = None,
            triangle: Callable[[Operand], str | None] | None = None
            ) -> tuple[str, dict[str, Operand]] | None:
    """A plainer template computing the same value, where the operands allow:
    `pow_base_adjoint(g, x, 2)` is `g * 2 * x`. (A whole-number exponent of at
    least 1 never meets the 0 * inf the general rule guards against.) With
    `dims`, the operands' shapes where known (code specialized for the
    arguments' shapes): `matmul_adjoint_b(g, a, b)` of a matrix and a vector
    is `g @ a`. With `triangle`, which matrices are known to be triangular
    ("lower", "upper"): their solves and inverses are triangular ones."""
    side = _triangular_side(stmt, triangle) if triangle is not None else None
    if side is not None:
        template, names = _TRIANGULAR[stmt.prim]
        return template, {**dict(zip(names, stmt.args)), "lower": Const(side != "upper")}
    if dims is not None and stmt.prim in ("matmul_adjoint_a", "matmul_adjoint_b") \
            and not stmt.kwargs and len(stmt.args) == 3:
        g, a, b = stmt.args
        da, db = dims(a), dims(b)
        if da is not None and db is not None:
            plain = _MATMUL_ADJOINTS.get((stmt.prim, len(da), len(db)))
            if plain is not None:
                return plain, {"g": g, "a": a, "b": b}
    if dims is not None and stmt.prim in _ARRAY_ATTRIBUTES and len(stmt.args) == 3 and \
            isinstance(stmt.args[2], Const) and dims(stmt.args[1]) is not None:
        # (of an array, certainly: NumPy's attribute, not a user's object's)
        return _ARRAY_ATTRIBUTES[stmt.prim][stmt.args[2].value], {"g": stmt.args[0],
                                                                   "a": stmt.args[1]}
    if dims is not None and stmt.prim == "getitem_adjoint" and len(stmt.args) == 3 and \
            not stmt.kwargs:
        g, x, index = stmt.args
        shape = dims(x)
        if shape:  # (an array of known shape: only the shape is read)
            return "index_adjoint(g, shape, index)", {"g": g, "shape": Const(shape),
                                                        "index": index}
    if dims is not None and stmt.prim == "unbroadcast" and len(stmt.args) == 2 and \
            not stmt.kwargs:
        summed = explicit_sum(dims(stmt.args[0]), dims(stmt.args[1]))
        if summed is not None:
            return summed, {"g": stmt.args[0]}
    if stmt.prim in ("pow_base_curvature", "pow_base_adjoint") and not stmt.kwargs:
        g, x, y = stmt.args
        whole = isinstance(y, Const) and type(y.value) in (int, float) and \
            float(y.value).is_integer()
        if stmt.prim == "pow_base_adjoint" and whole and y.value >= 1:
            return "g * y * x ** (y - 1)", {"g": g, "x": x, "y": y}
        if stmt.prim == "pow_base_curvature" and whole and y.value >= 2:
            return "g * (y * (y - 1)) * x ** (y - 2)", {"g": g, "x": x, "y": y}
        if stmt.prim == "pow_base_curvature" and whole and y.value in (0, 1):
            return "g * 0.0", {"g": g}
    return None


def triangular_solves(stmts: list, triangle: Callable[[Operand], str | None]) -> None:
    """The user's own `np.linalg.solve(L, y)` and `np.linalg.inv(L)` of a
    matrix known to be triangular by how it was made (a Cholesky factor, its
    transpose; `triangle` says which side) as triangular solves and inverses,
    as `rewrite` does for the adjoints': NumPy's solve factors the matrix
    again (a GP likelihood's two solves with its Cholesky factor: 120 against
    10 µs each for n = 100). The value is the same system's solution; the
    statement keeps its location, so an error is still said of the user's line."""
    for stmt in stmts:
        side = _triangular_side(stmt, triangle) if isinstance(stmt, Assign) else None
        if side is None:
            continue
        name = _TRIANGULAR[stmt.prim][0].split("(")[0]
        stmt.prim, stmt.callee = name, Ref("$" + name, primitives.resolve_name(name))
        stmt.args = [*stmt.args, Const(side != "upper")]


def explicit_sum(g_dims: tuple | None, x_dims: tuple | None) -> str | None:
    """`unbroadcast(g, x)` of an array g of dims `g_dims` to an array of dims
    `x_dims` (both known, neither a number's) as the sums it does, spelled
    out: `np.sum(g, axis=0)` for a bias's adjoint, `np.sum(g, axis=1,
    keepdims=True)` for a column's, one axis at a time. None where nothing
    is summed (the rule of one shape class drops it) or the dims do not
    broadcast."""
    if not g_dims or not x_dims or g_dims == x_dims or len(g_dims) < len(x_dims):
        return None
    lead = len(g_dims) - len(x_dims)
    ones = []
    for k, (a, b) in enumerate(zip(g_dims[lead:], x_dims)):
        if a != b:
            if b != 1:
                return None
            ones.append(k)
    source = "g"
    for _ in range(lead):  # (one axis at a time: what the Numba backend compiles)
        source = f"np.sum({source}, axis=0)"
    for k in ones:
        source = f"np.sum({source}, axis={k}, keepdims=True)"
    return source


# whole-array reductions NumPy's function reaches through a Python wrapper
# (`np.sum(a)` 1.4 us, `a.sum()` 0.7 us of an 8-number array): the method of
# an array (a Python float has none)
_AS_METHODS = {"np.sum": ".sum", "np.mean": ".mean", "np.max": ".max", "np.amax": ".max",
               "np.min": ".min", "np.amin": ".min", "np.prod": ".prod"}


def reductions_as_methods(block: Block, dims: Callable[[Operand], tuple | None]) -> None:
    """`np.sum(a)` as `a.sum()` where a is certainly an array: its shape is
    known and has dimensions (code specialized for the arguments' shapes).
    Only the whole-array form: the same NumPy loop, one call fewer; a
    reduction along an axis stays NumPy's function (the Numba backend
    rewrites those)."""
    for stmt in walk(block):
        if isinstance(stmt, Assign) and stmt.prim in _AS_METHODS and len(stmt.args) == 1 \
                and not stmt.kwargs and dims(stmt.args[0]):
            stmt.prim, stmt.callee = _AS_METHODS[stmt.prim], None


def join_tiled_slices(block: Block, dims: Callable[[Operand], tuple | None],
                      index_value: Callable[[Operand], Any], new: Callable[[str], Var]) -> None:
    """`dz = index_adjoint(g0, shape, i0); dz = add_at(dz, i1, g1); ...` where
    the slices are known and tile the array along one axis, each piece of its
    slice's shape: `joined_slices((...), axis)`, one concatenation for a
    zeros, a scatter and an add per piece (an LSTM's gates read from one
    vector, or from a batch's rows).
    Only for code no forward layer transforms again (`joined_slices` has no
    tangent rule)."""
    counts = use_counts(block)
    helper = Ref("$joined_slices", primitives.resolve_name("joined_slices"))
    for region in list(blocks(block)):
        stmts = region.stmts
        i = 0
        while i < len(stmts):
            chain = _slice_chain(stmts, i, counts)
            tiles = _tiles(chain, dims, index_value) if chain else None
            if tiles is None:
                i += 1
                continue
            pieces, axis = tiles
            last = chain[-1]
            joined = Assign(new("pieces"), "make_tuple", pieces)
            k = stmts.index(last)
            stmts[k:k + 1] = [joined, Assign(last.target, "joined_slices",
                                             [joined.target, Const(axis)], {}, helper, last.loc)]
            for link in chain[:-1]:  # (stmts[i] is then the statement after the first)
                stmts.remove(link)


def add_at_index(block: Block) -> None:
    """`d = index_adjoint(g, shape, i); s = a + d` (or `add_adjoints(a, d)`,
    where a may be None) where nothing else reads d:
    `s = index_added(a, g, shape, i)`, a copy of a with g added at i instead
    of zeros, g written into them and a sum (0.24 against 0.88 µs for 20
    numbers: a recursion's `c[k]`, or a loop's, adds one at each level).
    Only for code no forward layer transforms again (`index_added` has no
    tangent rule)."""
    counts = use_counts(block)
    helper = Ref("$index_added", primitives.resolve_name("index_added"))
    for region in list(blocks(block)):
        made = {s.target: s for s in region.stmts if isinstance(s, Assign) and
                s.prim == "index_adjoint" and len(s.args) == 3 and not s.kwargs and
                isinstance(s.args[1], Const) and counts.get(s.target) == 1}
        for stmt in list(region.stmts):
            if not (isinstance(stmt, Assign) and stmt.prim in ("add", "add_adjoints") and
                    len(stmt.args) == 2 and not stmt.kwargs):
                continue
            for k in (1, 0):
                scatter = made.get(stmt.args[k])
                if scatter is not None:
                    region.stmts.remove(scatter)
                    del made[scatter.target]
                    stmt.prim, stmt.callee = "index_added", helper
                    stmt.args = [stmt.args[1 - k], *scatter.args]
                    break


def defined_twice(block: Block) -> set[Var]:
    """Vars given a value by more than one statement (a split's forward half
    names a branch's value None first): not one value."""
    counts: dict[Var, int] = {}
    for stmt in walk(block):
        for v in defs(stmt):
            counts[v] = counts.get(v, 0) + 1
    return {v for v, n in counts.items() if n > 1}


def _slice_chain(stmts: list, i: int, counts: dict) -> list[Assign] | None:
    """The statements of an index_adjoint at stmts[i] and the add_ats that
    each take the one before as their only use, in this block."""
    first = stmts[i]
    if not (isinstance(first, Assign) and first.prim == "index_adjoint" and
            len(first.args) == 3 and isinstance(first.args[1], Const)):
        return None
    chain = [first]
    for later in stmts[i + 1:]:
        current = chain[-1].target
        if isinstance(later, Assign) and later.prim == "add_at" and len(later.args) == 3 and \
                later.args[0] is current and counts.get(current) == 1:
            chain.append(later)
        elif current in uses(later) or any(current in uses(s) for s in walk_nested(later)):
            break
    return chain if len(chain) > 1 else None


def _tiles(chain: list[Assign], dims: Callable, index_value: Callable
           ) -> tuple[list, int] | None:
    """The pieces of `chain` in order and the axis they are joined along, if
    its slices tile the array along one axis (whole along the others: `z[:H]`
    of a vector, `z[:, H:2 * H]` of a batch's rows)."""
    shape = chain[0].args[1].value
    if not (isinstance(shape, tuple) and shape):
        return None
    found = [(chain[0].args[2], chain[0].args[0])] + [(s.args[1], s.args[2]) for s in chain[1:]]
    spans, axes = [], set()
    for index, piece in found:
        span = _span(index.value if isinstance(index, Const) else index_value(index), shape)
        if span is None:
            return None
        axis, start, stop = span
        if dims(piece) != shape[:axis] + (stop - start,) + shape[axis + 1:]:
            return None
        axes.add(axis)
        spans.append((start, stop, piece))
    if len(axes) != 1:
        return None
    (axis,) = axes
    spans.sort(key=lambda span: span[0])
    ends = [0] + [stop for _, stop, _ in spans]
    if any(start != end for (start, _, _), end in zip(spans, ends)) or \
            ends[-1] != shape[axis]:
        return None
    return [piece for _, _, piece in spans], axis


def _span(key: Any, shape: tuple) -> tuple[int, int, int] | None:
    """(axis, start, stop) of a basic index that is a step-1 slice along one
    axis of an array of `shape` and whole along the others; else None."""
    parts = key if isinstance(key, tuple) else (key,)
    if len(parts) > len(shape) or not all(isinstance(p, slice) for p in parts):
        return None
    bounds = [p.indices(n) for p, n in zip(parts, shape)]
    cut = [k for k, (b, n) in enumerate(zip(bounds, shape)) if b != (0, n, 1)]
    if len(cut) > 1 or not cut and len(bounds) == 0:
        return None
    axis = cut[0] if cut else 0
    start, stop, step = bounds[axis] if axis < len(bounds) else (0, shape[axis], 1)
    return (axis, start, stop) if step == 1 and stop > start else None


# ---------------------------------------------------------------- dead code


def eliminate_dead_code(block: Block) -> None:
    """Drop pure assignments whose value nobody reads, and unread results."""
    while _drop_unused(block, use_counts(block)):
        pass


def _drop_unused(block: Block, counts: dict) -> bool:
    removed = False
    kept = []
    for stmt in block.stmts:
        if isinstance(stmt, Assign) and _droppable(stmt) and counts.get(stmt.target, 0) == 0:
            removed = True
            continue
        for region in regions(stmt):
            removed |= _drop_unused(region, counts)
        if isinstance(stmt, (If, Loop)):
            removed |= _drop_unused_results(stmt, counts)
        kept.append(stmt)
    block.stmts[:] = kept
    return removed


def _droppable(stmt: Assign) -> bool:
    return stmt.target is not None and not primitives.get(stmt.prim).effect


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


# ---------------------------------------------------------------- common values


def share_common_values(block: Block, start: int = 0) -> dict[Var, Operand]:
    """Drop a pure statement that repeats one already run where it stands (in
    its block, or a block around it), and read the first one's result. Only
    values no statement writes in place, nor sees through a view or a
    container of something written, take part: an array written after the
    first statement would make the two differ. Only statements from
    `block.stmts[start]` on (the derivative code) are dropped; those before
    are only there to be read."""
    # (a var given a value twice is not one value: it takes no part either)
    written = written_values(block) | defined_twice(block)
    mapping: dict[Var, Operand] = {}
    seen: dict = {}
    inexact = inexact_values(block)
    for stmt in block.stmts[:start]:
        key = _sharing_key(stmt, written, inexact)
        if key is not None:
            seen.setdefault(key, stmt.target)
    _share(block, seen, written, mapping, inexact, start)
    return mapping  # (dropped var -> the var read instead, for names kept outside the IR)


def _share(block: Block, seen: dict, written: set, mapping: dict, inexact: set,
           start: int = 0) -> None:
    kept = block.stmts[:start]
    for stmt in block.stmts[start:]:
        for region in regions(stmt):
            _share(region, dict(seen), written, mapping, inexact)
        substitute(stmt, mapping)
        key = _sharing_key(stmt, written, inexact)
        if key is not None:
            first = seen.setdefault(key, stmt.target)
            if first is not stmt.target:
                mapping[stmt.target] = first
                continue
        kept.append(stmt)
    block.stmts[:] = kept


_SIMPLE = (int, float, complex, bool, str, type(None))
_ARITHMETIC = frozenset({"add", "sub", "mul"})
# NumPy's functions whose result is floating or complex (of numbers and arrays)
_INEXACT_FUNCTIONS = frozenset({"np.exp", "np.log", "np.tanh", "np.sqrt", "np.sin", "np.cos",
                                "logistic"})


def inexact_values(block: Block) -> set[Var]:
    """Values certain to be floating or complex numbers or arrays: what
    NumPy's exp, log, ... give, and arithmetic and true division of such a
    value with another or a number (`1 / (1 + np.exp(-z))`), for which
    `1 - p` and `1.0 - p` are the same numbers."""
    inexact: set[Var] = set()
    for stmt in walk(block):
        if not isinstance(stmt, Assign) or stmt.target is None:
            continue
        if stmt.prim in _INEXACT_FUNCTIONS and not stmt.kwargs or \
                stmt.prim in _ARITHMETIC | {"truediv"} and len(stmt.args) == 2 and \
                any(a in inexact for a in stmt.args) and \
                all(a in inexact or isinstance(a, Const) and type(a.value) in (int, float)
                    for a in stmt.args):
            inexact.add(stmt.target)
    return inexact


def _sharing_key(stmt: Any, written: set, inexact: set = frozenset()) -> tuple | None:
    """What identifies the value `stmt` computes, if it is pure and reads
    nothing written in place; else None. A small int operand of arithmetic
    on an `inexact` value counts as the float it equals (the user's
    `1.0 - p` is the logistic rule's `1 - p`)."""
    if not isinstance(stmt, Assign) or stmt.target is None or stmt.target in written \
            or stmt.inplace:
        return None
    prim = primitives.get(stmt.prim)
    if prim.effect or prim.mutates or prim.stores or prim.undone or not prim.recompute \
            or prim.returns != "array" or prim.takes == "any":
        return None
    parts: list = [stmt.prim, stmt.callee]
    for name, a in [*enumerate(stmt.args), *sorted(stmt.kwargs.items())]:
        if isinstance(a, Var):
            if a in written:
                return None
            parts.append((name, a))
        elif isinstance(a, Ref):
            parts.append((name, a))
        elif type(a.value) is int and abs(a.value) < 2 ** 53 and stmt.prim in _ARITHMETIC \
                and any(b in inexact for b in stmt.args):
            parts.append((name, float, repr(float(a.value))))
        elif type(a.value) in _SIMPLE:  # (by repr: 0.0 and -0.0 are equal, yet differ)
            parts.append((name, type(a.value), repr(a.value)))
        else:
            return None  # (a constant array, a slice: not worth comparing)
    return tuple(parts)


def written_values(block: Block) -> set:
    """Every var whose value some statement may write in place: the operands
    of writes, and all that may be the same memory (views, containers and
    what they hold, results of calls, loop-carried and branch values)."""
    parent: dict[Var, Var] = {}

    def find(v: Var) -> Var:
        while parent.get(v, v) is not v:
            v = parent[v]
        return v

    def join(a: Operand, b: Operand) -> None:
        if isinstance(a, Var) and isinstance(b, Var):
            parent[find(a)] = find(b)

    writes: list[Var] = []
    for stmt in walk(block):
        if isinstance(stmt, Assign):
            prim = primitives.get(stmt.prim)
            operands = [a for a in stmt.operands() if isinstance(a, Var)]
            if prim.mutates or prim.undone or stmt.inplace:
                writes.extend(operands)
            if prim.stores:  # (what a tape holds is what a pop gives back)
                for a in operands[1:]:
                    join(operands[0], a)
            if stmt.target is not None and (prim.holds or not (
                    prim.fresh or prim.elementwise or prim.reduction or prim.scalar)):
                for a in operands:
                    join(stmt.target, a)
            if stmt.target is not None and stmt.inplace:
                writes.append(stmt.target)
        elif isinstance(stmt, If):
            for out, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals):
                join(out, a)
                join(out, b)
        elif isinstance(stmt, Loop):
            for phi, init, nxt in zip(stmt.phis, stmt.inits, stmt.nexts):
                join(phi, init)
                join(phi, nxt)
    roots = {find(v) for v in writes}
    out = set(writes)
    for stmt in walk(block):
        for v in [*uses(stmt), *defs(stmt)]:
            if isinstance(v, Var) and find(v) in roots:
                out.add(v)
    return out




# ---------------------------------------------------------------- in-place sums

# -> the sum into a new array
_IN_PLACE = {"add_into": "add", "add_outer": "outer_added", "add_at": "added_at"}


def keep_writes_unseen(block: Block) -> None:
    """An adjoint summed in place (`add_into(a, b)`, `add_outer(a, x, y)`,
    `add_at(a, index, g)`)
    writes a's memory. Where something reads that memory as it was (a after
    the sum; a loop-carried a's first value after the loop starts) the sum
    becomes the ordinary one into a new array. (The reverse pass decides as
    it writes; a later rule or simplification may read an earlier adjoint
    again, and sharing may make two names one.)"""
    reads, writes, spans = _reads_in_order(block)
    first_value = {p: i for loop, _, _ in spans.values() for p, i in zip(loop.phis, loop.inits)
                   if isinstance(i, Var)}
    for at, stmt, enclosing in writes:
        memory = [stmt.args[0]]
        while memory[-1] in first_value and first_value[memory[-1]] not in memory:
            memory.append(first_value[memory[-1]])
        if _read_as_it_was(set(memory), at, stmt, reads, enclosing, spans):
            stmt.prim, stmt.callee = _IN_PLACE[stmt.prim], None


def _reads_in_order(block: Block) -> tuple[list, list, dict]:
    """Every read of a var, numbered in the order it runs (an if's results and
    a loop's next values after their blocks); the in-place sums with the
    loops around them; each loop's span of numbers and the vars made in it."""
    reads: list = []
    writes: list = []
    spans: dict = {}
    count = [0]

    def mark(stmt: Any, operands: list) -> int:
        count[0] += 1
        reads.extend((count[0], stmt, v) for v in operands if isinstance(v, Var))
        return count[0]

    def visit(blk: Block, enclosing: tuple) -> None:
        for stmt in blk.stmts:
            if isinstance(stmt, If):
                mark(stmt, [stmt.cond])
                visit(stmt.then, enclosing)
                visit(stmt.orelse, enclosing)
                mark(stmt, [*stmt.then_vals, *stmt.else_vals])
            elif isinstance(stmt, Loop):
                start = mark(stmt, [*stmt.inits, *(stmt.range_args or [])])
                visit(stmt.header, (*enclosing, stmt))
                visit(stmt.body, (*enclosing, stmt))
                later = [v for v in uses(stmt)
                         if not any(v is u for u in [*stmt.inits, *(stmt.range_args or [])])]
                spans[id(stmt)] = (stmt, (start, mark(stmt, later)), _defined_in(stmt))
            else:
                at = mark(stmt, uses(stmt))
                if isinstance(stmt, Assign) and stmt.prim in _IN_PLACE and \
                        isinstance(stmt.args[0], Var):
                    writes.append((at, stmt, enclosing))

    visit(block, ())
    return reads, writes, spans


def _read_as_it_was(memory: set, at: int, write: Assign, reads: list, enclosing: tuple,
                    spans: dict) -> bool:
    """Is a var of `memory` read after the write (a loop's phi after its loop
    holds the last value, the written one: not as it was), or, in a loop
    around it, a var made outside that loop read anywhere in it (again after
    the write)?"""
    for where, stmt, v in reads:
        if v not in memory or stmt is write:
            continue
        if where > at and not any(v in loop.phis and where > spans[id(loop)][1][1]
                                  for loop in enclosing):
            return True
        for loop in enclosing:
            _, (start, end), made = spans[id(loop)]
            if start < where <= end and v not in made:
                return True
    return False


def _defined_in(loop: Loop) -> set:
    return {*defs(loop), *(v for s in walk_nested(loop) for v in defs(s))}


__all__ = ["simplify", "rewrite", "eliminate_dead_code", "share_common_values",
           "keep_writes_unseen"]
