"""Writing derived code: the part the reverse and forward passes share.

A `Builder` appends statements to the block being written (`out`),
simplifying each as it goes (`cleanup.simplify`: constants folded, `x * 1`,
an `unbroadcast` between values of one shape class), keeps a shape class for
every new value, and lowers a rule's template (a Python expression over the
rule's bound operands) into that block. Rules can therefore be written
plainly and still read well once generated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import primitives
from .analysis import Facts, known_shape, made_by_a_call, set_known_shape, shape_class
from .cleanup import rewrite, simplify
from .errors import Loc, NoAdjointError, UnsupportedSyntaxError
from .ir import Assign, Const, Operand, Ref, Var, VarFactory
from .lowering import lower_template

# sum_adjoint's arguments after (g, a) for a sum of the whole array
_FULL_SUM = [Const(None), Const(False), Const(True)]


@dataclass
class SymSeq:
    """A derivative of a tuple or list kept per item at transform time (None =
    zero); `kind` is the display that makes it a value (tangents of lists are lists)."""

    items: list[Operand | None]
    kind: str = "make_tuple"


class Builder:
    def __init__(self, facts: Facts, factory: VarFactory) -> None:
        self.facts = facts
        self.factory = factory
        self.out: list = []  # the block being written
        self.shape: dict[Var, Any] = dict(facts.shape)  # grows with the derived code
        # While a rule takes an adjoint held as a number for an array of these
        # dims, `unbroadcast(e, x)` to an x of these dims is e itself (the
        # array e stands for has them).
        self.fills: tuple | None = None
        # every statement `add` kept, by its value (a product's, for `product_twice`)
        self.kept: dict[Var, Assign] = {}
        # a full sum's spread adjoint -> its number as a 0-d array (`number_for_spread`)
        self.as_numbers: dict[Var, Operand] = {}

    def dims(self, v: Operand) -> tuple | None:
        """v's shape, where the code is specialized for the arguments' shapes."""
        return known_shape(self.shape, v)

    def triangle(self, v: Operand, depth: int = 0) -> str | None:
        """"lower", "upper" or "diagonal" if v is a matrix known to be
        triangular by how it was made (a Cholesky factor, np.tril, np.eye,
        their transposes, sums and multiples); else None. Only of one matrix of
        known shape: a stack's solve with one vector b is a stack of vectors,
        which the triangular solve's tangent rule would take for a matrix."""
        if not isinstance(v, Var) or depth >= 8 or v in self.facts.exposed:
            return None  # (memory something may write after it was made)
        if depth == 0 and len(self.dims(v) or ()) != 2:
            return None
        stmt = self.definition(v) or self.facts.places.def_stmt.get(v)
        if not isinstance(stmt, Assign):
            return None
        p, args = stmt.prim, stmt.args
        if p == "np.linalg.cholesky" and len(args) == 1:
            upper = stmt.kwargs.get("upper", Const(False))
            return _side(upper.value) if isinstance(upper, Const) else None
        if p in ("np.tril", "np.triu") and len(args) == 1 and not stmt.kwargs:
            return "lower" if p == "np.tril" else "upper"
        if p in ("np.eye", "np.identity") and len(args) == 1 and set(stmt.kwargs) <= {"dtype"}:
            return "diagonal"
        if p in ("add", "sub", "mul") and len(args) == 2:
            dims = [() if isinstance(a, Const) and type(a.value) in (int, float) else
                    self.dims(a) for a in args]
            if p == "mul" and () in dims:  # (a multiple)
                return self.triangle(args[dims.index(()) - 1], depth + 1)
            if dims[0] is None or len(dims[0]) != 2 or dims[0] != dims[1]:
                return None
            return _joined(self.triangle(args[0], depth + 1), self.triangle(args[1], depth + 1))
        if p == "neg" and len(args) == 1:
            return self.triangle(args[0], depth + 1)
        two_dims = len(self.dims(args[0]) or ()) == 2 if args else False
        if p in ("matrix_transpose", "conjugate_transpose") or \
                (p in (".T", "np.transpose") and len(args) == 1 and two_dims
                 and not stmt.kwargs):
            return _flipped(self.triangle(args[0], depth + 1))
        if p == "lower_factor" and len(args) == 2 and isinstance(args[1], Const):
            side = self.triangle(args[0], depth + 1)
            return _flipped(side) if args[1].value else side
        if p in ("np.conjugate", "np.conj") and len(args) == 1 and not stmt.kwargs:
            return self.triangle(args[0], depth + 1)
        return None

    def as_one_function(self, stmt: Assign) -> Assign:
        """stmt as the rules see it: the last statement of a logistic sigmoid
        spelled out (`analysis.logistic_chains`) as `logistic(z)`, whose rules
        skip the chain's intermediate values; any other as it is."""
        z = self.facts.logistic.get(stmt.target) if stmt.target is not None else None
        return stmt if z is None else Assign(stmt.target, "logistic", [z], {}, None, stmt.loc)

    def same_shape(self, a: Operand, b: Operand) -> bool:
        return isinstance(a, Var) and isinstance(b, Var) and \
            self.shape.get(a) is not None and self.shape.get(a) is self.shape.get(b)

    def emit(self, prim: str, args: list, *, hint: str = "", callee: Ref | None = None,
             loc: Loc | None = None, kwargs: dict | None = None,
             target: bool = True) -> Operand:
        stmt = Assign(self.factory.new(hint) if target else None, prim, list(args),
                      dict(kwargs or {}), callee, loc)
        return self.add(stmt)

    def add(self, stmt: Assign) -> Operand:
        """Append `stmt` to the output after simplification; returns its value."""
        if self.fills is not None and stmt.prim == "unbroadcast" and len(stmt.args) == 2 \
                and not stmt.kwargs and self.dims(stmt.args[1]) == self.fills:
            return stmt.args[0]
        plainer = rewrite(stmt, self.dims, self.triangle)
        if plainer is not None:
            return self.template(plainer[0], plainer[1], stmt.loc,
                                 stmt.target.hint if stmt.target is not None else "")
        simpler = simplify(stmt, self.definition, self.same_shape)
        if simpler is None and stmt.prim == "neg" and isinstance(stmt.args[0], Var):
            simpler = self.without_minus(stmt.args[0])
        if simpler is None and stmt.prim == "mul":
            simpler = self.minus_into_constant(stmt) or self.number_for_spread(stmt)
        if simpler is None and stmt.prim == "add":
            simpler = self.product_twice(stmt)
        if simpler is not None:
            return simpler
        self.out.append(stmt)
        if stmt.target is not None:
            self.kept[stmt.target] = stmt
            self.shape[stmt.target] = shape_class(stmt, self.shape, self.facts.places.def_stmt)
        return stmt.target

    def without_minus(self, v: Var) -> Operand | None:
        """For v = (-a) * b / c ..., the same product without the minus sign."""
        stmt = self.definition(v)
        if stmt is None or stmt.prim not in ("mul", "truediv") or \
                not isinstance(stmt.args[0], Var):
            return None
        first = self.definition(stmt.args[0])
        if first is not None and first.prim == "neg":
            inner = first.args[0]
        else:
            second = self.definition(stmt.args[1]) if stmt.prim == "mul" and \
                isinstance(stmt.args[1], Var) else None
            if second is not None and second.prim == "neg":  # a * (-b)
                return self.emit("mul", [stmt.args[0], second.args[0]], hint=v.hint,
                                 loc=stmt.loc)
            for k in (1, 0) if stmt.prim == "mul" else ():
                c, a = stmt.args[k], stmt.args[1 - k]
                if isinstance(c, Var) and self.dims(c) == () and self.dims(a) != () and \
                        self.negates_exactly(c):
                    # a * c of an array and a number: negate the number, not the array
                    negated = self.emit("neg", [c], hint=c.hint, loc=stmt.loc)
                    args = [a, negated] if k == 1 else [negated, a]
                    return self.emit("mul", args, hint=v.hint, loc=stmt.loc)
            inner = self.without_minus(stmt.args[0])
            if inner is None:
                return None
        return self.emit(stmt.prim, [inner, stmt.args[1]], hint=v.hint, loc=stmt.loc)

    def minus_into_constant(self, stmt: Assign) -> Operand | None:
        """`2.0 * -a` as `-2.0 * a`: one pass over the array instead of two.
        Only for a float constant (exact; `-2 * a` of unsigned ints would not be)."""
        for k in (0, 1):
            c, a = stmt.args[k], stmt.args[1 - k]
            if isinstance(c, Const) and type(c.value) is float and isinstance(a, Var):
                negated = self.definition(a)
                if negated is not None and negated.prim == "neg":
                    args = [Const(-c.value), negated.args[0]]
                    return self.emit("mul", args if k == 0 else args[::-1],
                                     hint=stmt.target.hint if stmt.target else "", loc=stmt.loc)
        return None

    def number_for_spread(self, stmt: Assign) -> Operand | None:
        """`sum_adjoint(g, a) * x` as `np.asarray(g) * x` where a and x have
        one known shape: a full sum's adjoint spread over a's shape (an array
        made, then read once) is a number, and the product broadcasts it (the
        adjoint of `np.sum(w * w)` or `np.sum(x * y)`). As a 0-d array, g
        keeps its dtype in the product, as the spread array did: a Python
        float times a float16 x would be computed in float16."""
        if stmt.kwargs or len(stmt.args) != 2:
            return None
        for k in (0, 1):
            spread = self.kept.get(stmt.args[k]) if isinstance(stmt.args[k], Var) else None
            other = stmt.args[1 - k]
            if spread is None or spread.prim != "sum_adjoint" or spread.kwargs or \
                    not 2 <= len(spread.args) <= 5 or \
                    spread.args[2:] != _FULL_SUM[:len(spread.args) - 2]:
                continue
            shape = self.dims(spread.args[1])
            if shape is None or self.dims(other) != shape:
                continue
            number = self.as_numbers.get(spread.target)
            if number is None:  # (one per spread: `product_twice` sees the same factors)
                number = self.template("np.asarray(g)", {"g": spread.args[0]}, stmt.loc, "")
                self.as_numbers[spread.target] = number
                set_known_shape(self.shape, number, ())
            product = self.emit("mul", [number, other] if k == 0 else [other, number],
                                hint=stmt.target.hint if stmt.target else "", loc=stmt.loc)
            if isinstance(product, Var):  # (x's shape: g is one number)
                self.shape[product] = self.shape.get(other)
                set_known_shape(self.shape, product, shape)
            return product
        return None

    def product_twice(self, stmt: Assign) -> Operand | None:
        """`a * b + b * a` as `(a * b) * 2`, equal to the last bit: the
        adjoint of `x * x` (`w * w`, `r * r`) is one product and a doubling
        where the rule gives one per operand and their sum."""
        first, second = (self.kept.get(v) if isinstance(v, Var) else None
                         for v in stmt.args[:2])
        if stmt.kwargs or len(stmt.args) != 2 or first is None or second is None or \
                any(s.prim != "mul" or s.kwargs or s.inplace or len(s.args) != 2 or
                    not all(isinstance(a, Var) for a in s.args) for s in (first, second)):
            return None
        if first.args != second.args and first.args != second.args[::-1]:
            return None
        return self.emit("mul", [stmt.args[0], Const(2)],
                         hint=stmt.target.hint if stmt.target else "", loc=stmt.loc)

    def negates_exactly(self, c: Var) -> bool:
        """Is -c certainly c's negative? Not for an unsigned or bool number
        (`-np.uint8(3)` wraps around): only for a value certainly floating,
        made by a division or a function whose result is (`_FLOAT_VALUED`)."""
        stmt = self.definition(c) or self.facts.places.def_stmt.get(c)  # (or a primal's)
        if isinstance(stmt, Assign) and stmt.prim == "numpy_number":  # (a held sum's adjoint)
            return isinstance(stmt.args[0], Var) and self.negates_exactly(stmt.args[0])
        return isinstance(stmt, Assign) and (stmt.prim in _FLOAT_VALUED or
                                             stmt.prim.startswith("math."))

    def definition(self, v: Var) -> Assign | None:
        """The statement in the block being written that defines v."""
        for stmt in reversed(self.out):
            if isinstance(stmt, Assign) and stmt.target is v:
                return stmt
        return None

    def may_be_list(self, v: Operand) -> bool:
        """A list or tuple, or a helper's result, which may be one."""
        if not isinstance(v, Var):
            return False
        if v in self.facts.containers:
            return True
        # (a known shape: an array or a number)
        return self.dims(v) is None and made_by_a_call(v, self.facts.places)

    def lists_as_arrays(self, prim: primitives.Primitive, bound: dict, bindings: dict,
                        rules: dict, loc: Loc | None) -> None:
        """A NumPy function given a list (`np.arctan([x, 2 * x])`, or what a
        helper returns) reads it as an array: so do its rules (`g / (1 + x **
        2)` on the list raised)."""
        if prim.takes != "arrays" or prim.form != "function":
            return  # (an operator's list operand is Python's: `+` joins lists)
        for name, value in bound.items():
            if name in prim.zero or not (name in prim.vjp or name in prim.jvp):
                continue  # (an axis, a shape, a flag: not data NumPy reads as an array)
            if bindings.get(name) is value and self.may_be_list(value) and \
                    any(re.search(rf"\b{name}\b", rule) for rule in rules.values()):
                bindings[name] = self.template("np.asarray(x)", {"x": value}, loc, "")

    def template(self, source: str, bindings: dict, loc: Loc | None, hint: str) -> Operand:
        """Lower an adjoint template with its names bound; returns its value."""
        stmts, result = lower_template(source, bindings, self.factory, loc, hint)
        subst: dict[Var, Operand] = {}
        for stmt in stmts:
            stmt.args = [subst.get(x, x) if isinstance(x, Var) else x for x in stmt.args]
            stmt.kwargs = {k: subst.get(x, x) if isinstance(x, Var) else x
                           for k, x in stmt.kwargs.items()}
            value = self.add(stmt)
            if stmt.target is not None and value is not stmt.target:
                subst[stmt.target] = value
        return subst.get(result, result) if isinstance(result, Var) else result


def _side(upper: Any) -> str | None:
    return None if type(upper) is not bool else "upper" if upper else "lower"


def _flipped(side: str | None) -> str | None:
    return {"lower": "upper", "upper": "lower", "diagonal": "diagonal"}.get(side or "")


def _joined(a: str | None, b: str | None) -> str | None:
    """The triangle of a sum of two matrices of these triangles."""
    if a is None or b is None:
        return None
    return b if a == "diagonal" else a if b in ("diagonal", a) else None


def display_name(stmt: Assign, prim: primitives.Primitive) -> str:
    """How the user spelled the primitive (`np.sum`, `x.sum`)."""
    if stmt.callee is not None and not stmt.callee.name.startswith("$"):
        return stmt.callee.name
    return prim.name


# The dispatcher's calls with one forward layer already (Hessians through a
# call): a second layer over them is not built (`pipeline._split` takes one).
_CALLS_WITH_A_LAYER = frozenset({"call_forward_jvp", "call_backward_jvp", "call_jvp"})


# Operations whose result is floating (or complex) whatever their operands'
# dtypes: their negation is exact (`Builder.negates_exactly`).
_FLOAT_VALUED = frozenset({"truediv", "np.true_divide", "np.divide", "np.exp", "np.expm1",
                           "np.log", "np.log1p", "np.sqrt", "np.sin", "np.cos", "np.tanh",
                           "np.arctan", "np.sinh", "np.cosh"})


def bound_arguments(prim: primitives.Primitive, stmt: Assign, rules: dict[str, str],
                    active: Callable[[Operand], bool], emit: Callable,
                    what: str) -> tuple[dict[str, Any], dict[str, Operand]]:
    """Bind a call's arguments to the primitive's parameters, and the operands
    its rule templates see (defaults filled in, `*args` as a list). Refuses a
    derivative reaching a parameter without a rule in `rules`, and parameters
    given values the rules do not honour, at the user's line."""
    try:
        bound = prim.bind(stmt.args, stmt.kwargs)
    except TypeError as exc:
        raise UnsupportedSyntaxError(str(exc), stmt.loc, "check the call's arguments") from None
    for name, value in bound.items():
        values = value if isinstance(value, list) else [value]
        if name not in rules and name not in prim.zero and any(active(x) for x in values):
            if prim.name in primitives.USER_RULED:
                raise missing_user_rule(prim, stmt, what)
            if prim.name in _CALLS_WITH_A_LAYER:
                raise NoAdjointError(
                    "a third derivative through a call of another of your functions is "
                    "not supported (calls are differentiated to second order: Hessians)",
                    stmt.loc, "define the function called inside this one (a local def is "
                    "compiled into its caller, to any order), or write its code here")
            hint = "wrap that argument in s2sad.stop_gradient(...) if it should not be " \
                "differentiated"
            if "args" in prim.params and name != "args":  # (a function reading values)
                hint = f"pass the values {name} reads that carry a derivative as its " \
                    "arguments, through args=(...), which s2sad differentiates (a function " \
                    "closing over them, or stop_gradient, would drop their derivative)"
            if what == "tangent" and name in prim.vjp:  # (reverse mode has a rule)
                hint = "its adjoint exists: differentiate in reverse mode (s2sad.grad, " \
                    "s2sad.vjp, s2sad.jacobian(..., mode='reverse'))" + \
                    (f"; {prim.note}" if prim.note else "")
            raise NoAdjointError(
                f"{prim.name} has no {what} with respect to its argument {name!r}",
                stmt.loc, hint)
    refused = prim.refused(bound)
    if refused:
        given = ", ".join(f"{name}=" for name in refused)
        raise UnsupportedSyntaxError(
            f"s2sad cannot differentiate {display_name(stmt, prim)} with {given} given: its "
            "derivative rule does not take it into account", stmt.loc,
            (f"{prim.instead}; or " if prim.instead else "") +
            f"leave {given} at its default, or wrap the call in s2sad.stop_gradient(...) "
            "if no gradient should flow through it")
    bindings: dict[str, Operand] = {}
    for name, value in bound.items():
        if value is primitives.MISSING:
            value = Const(prim.default_of(name))
        if isinstance(value, dict):
            continue  # **kwargs: only neutral ones get here
        bindings[name] = emit("make_list", value) if isinstance(value, list) else value
    return bound, bindings


def missing_user_rule(prim: primitives.Primitive, stmt: Assign, what: str) -> NoAdjointError:
    """A function with the user's rules lacks the one this mode needs."""
    fn = primitives.USER_RULED[prim.name][0]
    name = getattr(fn, "__name__", repr(fn))
    kind, decorator = ("adjoint", "defvjp") if what == "gradient" else ("tangent", "defjvp")
    return NoAdjointError(
        f"{name} has rules of its own, but no {kind} rule, which "
        f"{'reverse' if kind == 'adjoint' else 'forward'} mode needs here", stmt.loc,
        f"give it one with @{name}.{decorator} (or s2sad.{decorator}({name}, rule))")
