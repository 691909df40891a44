"""Checks that a value s2sad took for an array is not an object of the user's classes.

The lowering reads `x.mean()` as ndarray's method, `x.shape` as its attribute,
`x[i]` as indexing and `np.asarray(x)` as NumPy's function, by their spelling.
On an object of the user's class each is the class's own method, property or
special method (`__getitem__`, `__array__`, `__float__`), and NumPy's
derivative rule for it would be wrong: a zero, silently. The lowering knows
the objects the function makes and those passed as arguments
(`Spec.objects`), and calls their methods; any other value that carries a
derivative and whose kind the analysis does not know (an attribute of an
object, an item of a list, what a call returned) may still be one. Before
such an operation this pass places

    check_receiver(x, ".mean()")

which raises at the user's line if x is an object of the user's classes
(`runtime.check_receiver`). Values the analysis knows are numbers or arrays
(a shape, the scalar class, an operator's or NumPy function's result), the
containers it knows, and the parameters that are not objects at this call
get no check.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from . import primitives
from .analysis import SCALAR, Facts, known_shape
from .errors import NoAdjointError
from .ir import Assign, Block, Const, Function, If, Loop, Operand, Ref, Var, regions, walk
from .parsing import is_library_file
from .runtime import UpdatingMethod, check_receiver
from .runtime.functions import is_object

# attributes whose rules already tell an array from an object (`.T` of a class
# with a field T is the field: `array_attribute_adjoint`)
_OBJECT_AWARE = frozenset({".T", ".real", ".imag"})


def check_receivers(fn: Function, facts: Facts, objects: tuple[int, ...],
                    mixed: tuple[int, ...] = ()) -> int:
    """Place the checks in `fn` (in place); returns how many. `objects`: the
    positions of the parameters that are objects at this call (Spec.objects;
    the others are not); `mixed`: of containers that may hold one (the items
    of the others are not)."""
    given = {p for i, p in enumerate(fn.params) if i not in objects and i not in mixed}
    indexes = {s.target: s.args for s in walk(fn.body)
               if isinstance(s, Assign) and s.prim == "index" and s.target is not None}
    return _block(fn.body, facts, proved_numeric(fn, given), indexes)


def _block(block: Block, facts: Facts, proved: set, indexes: dict) -> int:
    placed = 0
    new: list = []
    for stmt in block.stmts:
        for region in regions(stmt):
            placed += _block(region, facts, proved, indexes)
        if isinstance(stmt, Assign):
            _refuse_a_named_objects_code(stmt, facts, indexes)
            check = _check_for(stmt, facts, proved)
            if check is not None:
                new.append(check)
                placed += 1
        new.append(stmt)
    block.stmts[:] = new
    return placed


def _check_for(stmt: Assign, facts: Facts, proved: set) -> Assign | None:
    """The check `stmt` needs, if its receiver may be an object."""
    if not stmt.args:
        return None
    prim = primitives.get(stmt.prim)
    x = stmt.args[0]
    items = False
    if prim.form == "method":
        what, records = f"{stmt.prim}()", True
    elif prim.form == "attribute" and stmt.prim not in _OBJECT_AWARE:
        what, records = stmt.prim, True
    elif stmt.prim in ("getitem", "setitem"):
        what, records = "[...] (indexing)", False
    elif stmt.prim == "iteration_items":
        what, records = "iterating over it", False
    elif prim.form == "function" and prim.differentiable:  # (its conversion: __array__, ...)
        what, records = f"{stmt.prim}(...)", False
        # (`sum([v, w])` adds the objects with their __add__; `list(...)` only holds them)
        items = prim.takes == "any" and (stmt.prim in ("sum", "max", "min") or
                                         stmt.prim.startswith(("np.", "math.")))
    else:
        return None
    if not (_may_be_object(x, facts, proved) or items and isinstance(x, Var) and
            x in facts.varied and x in facts.containers and x not in proved or
            prim.form == "method" and _may_be_a_module(stmt, facts)):
        return None
    return Assign(None, "check_receiver", [x, Const(what), Const(records), Const(items)], {},
                  Ref("$check_receiver", check_receiver), stmt.loc)


def _refuse_a_named_objects_code(stmt: Assign, facts: Facts, indexes: dict) -> None:
    """An object the code names (a global, a closure's, a default: a Ref, not
    an argument, whose methods the lowering follows) indexed with a value that
    carries a derivative (`np.r_[1.0, x]`, `table[x]`), or met by one in an
    operator (`x * S` of a class with __rmul__): its own __getitem__ or
    operator method computes with that value, where indexing's and the
    operator's rules would take the object for a constant array, and the
    derivative would be wrong (a zero), silently. Refused at the user's line."""
    prim = primitives.get(stmt.prim)
    if stmt.prim == "getitem":  # (an index display's parts: `np.r_[1.0, x]`)
        named, others = stmt.args[:1], [*stmt.args[1:], *indexes.get(stmt.args[1], ())]
    elif prim.form == "operator" and len(stmt.args) == 2:
        named, others = stmt.args, stmt.args
    else:
        return
    for x in named:
        matrix = isinstance(x, Ref) and isinstance(x.value, np.matrix)
        if not (isinstance(x, Ref) and (matrix or _own_methods(x.value, stmt.prim == "getitem"))):
            continue
        if not any(isinstance(a, Var) and a in facts.varied for a in others if a is not x):
            continue
        name = x.name.lstrip("$")
        if matrix:  # (its * is a matrix product, its shapes stay 2-d: not an array's rules)
            raise NoAdjointError(
                f"{name} is an np.matrix, whose operators are not an array's, and it meets a "
                "value that carries a derivative", stmt.loc,
                f"make it an array once, outside the function ({name} = np.asarray({name})), "
                "and use @ for its products")
        if isinstance(x.value, _AXIS_CONCATENATOR):
            raise NoAdjointError(
                f"{name}[...] builds an array from values that carry a derivative, and s2sad has "
                "no rule for it", stmt.loc, "use np.concatenate([...]) (np.r_ of 1-d arrays: "
                "np.concatenate([np.atleast_1d(v) for v in ...])) or np.column_stack([...]) "
                "(np.c_ of 1-d arrays)")
        what = "indexes" if stmt.prim == "getitem" else "meets in an operator"
        raise NoAdjointError(
            f"the code {what} {name}, an object of class {type(x.value).__name__}, with a "
            "value that carries a derivative: its own method computes with that value, "
            "which s2sad does not follow for an object the code names", stmt.loc,
            f"pass {name} to the function as an argument (s2sad follows the methods of "
            "objects passed in), or call a method of it")


def _own_methods(value: Any, indexing: bool) -> bool:
    """An object whose indexing or operators are its class's own code (not an
    array's, a number's or a container's)."""
    if isinstance(value, (np.ndarray, np.generic, int, float, complex, bool, str, bytes,
                          list, tuple, dict, range, slice, type(None))):
        return False
    if isinstance(value, _AXIS_CONCATENATOR):
        return indexing
    module = sys.modules.get(type(value).__module__)
    return is_object(value) and not is_library_file(getattr(module, "__file__", "") or "")


_AXIS_CONCATENATOR = type(np.r_).__mro__[1]  # (np.r_'s and np.c_'s base class)


def _updating_pair(stmt: Assign) -> bool:
    """Is stmt an updating method's call (`runtime.UpdatingMethod`), whose
    result is a pair, (value, object), or its forward half's (pair, saved)?"""
    return stmt.prim in ("call", "call_forward") and bool(stmt.args) and \
        isinstance(stmt.args[0], Ref) and isinstance(stmt.args[0].value, UpdatingMethod)


def _may_be_a_module(stmt: Assign, facts: Facts) -> bool:
    """`mod.reshape(x, s)` where mod carries no derivative but an argument
    does: mod may be a module (a parameter's default, an object's attribute;
    a parameter proved not to be an object may still be one), whose function
    the method's rule would take x for the shape of."""
    x = stmt.args[0]
    return isinstance(x, Var) and x not in facts.varied and \
        known_shape(facts.shape, x) is None and facts.shape.get(x) is not SCALAR and \
        any(isinstance(a, Var) and a in facts.varied for a in stmt.operands()[1:])


def _may_be_object(x: Operand, facts: Facts, proved: set) -> bool:
    return isinstance(x, Var) and x in facts.varied and x not in proved and \
        x not in facts.containers and known_shape(facts.shape, x) is None and \
        facts.shape.get(x) is not SCALAR


def proved_numeric(fn: Function, given: set) -> set:
    """Values certain not to be objects: the `given` parameters (arrays,
    numbers, and containers holding only those), results of operators and of
    NumPy's functions (which return arrays even of objects they convert: the
    conversion is checked itself), of functions whose result is a number
    (`len`), a loop's or an if's values all of whose
    inputs are, an array's method's result, the array an in-place write
    returns, items of those, and displays and appends of those (the largest
    such set)."""
    out: set = set(given)
    merges: dict = {}  # a phi, an if's result, a method's result -> values it depends on
    for stmt in walk(fn.body):
        if isinstance(stmt, Assign) and stmt.target is not None:
            prim = primitives.get(stmt.prim)
            if prim.returns == "array" and prim.form in ("function", "operator") or \
                    prim.scalar and prim.form == "function" or _updating_pair(stmt):
                out.add(stmt.target)  # (an updating call's pair; call_forward's: (pair, saved))
            elif stmt.args and (prim.returns == "operand" or prim.returns == "array" and
                                prim.form in ("method", "attribute")):
                merges[stmt.target] = stmt.args[:1]  # (`u.copy()`, `v[i] = ...` of an array)
            elif stmt.prim in ("getitem", "iteration_items") and isinstance(stmt.args[0], Var):
                merges[stmt.target] = stmt.args[:1]  # (an item of an array or of a plain list)
            elif stmt.prim == "list_append":
                merges[stmt.target] = list(stmt.args)  # (a list of numbers and arrays)
            elif stmt.prim in ("make_list", "make_tuple"):
                merges[stmt.target] = list(stmt.args)  # (a display of numbers and arrays)
        elif isinstance(stmt, Loop):
            for phi, a, b in zip(stmt.phis, stmt.inits, stmt.nexts):
                merges[phi] = (a, b)
        elif isinstance(stmt, If):
            for o, a, b in zip(stmt.outs, stmt.then_vals, stmt.else_vals):
                merges[o] = (a, b)
    kept = set(merges)
    changed = True
    while changed:  # (assume every merge is, then drop those with another input)
        changed = False
        for v in list(kept):
            if not all(not isinstance(a, Var) or a in out or a in kept for a in merges[v]):
                kept.discard(v)
                changed = True
    return out | kept


__all__ = ["check_receivers"]
