"""Lowering expressions: names, attributes, operators, comparisons, boolean
logic, conditional expressions, displays, subscripts, comprehensions."""

from __future__ import annotations

import ast
from typing import Any

import gast

from .. import primitives
from ..ir import Const, Operand, Ref, Var
from ..parsing import is_missing
from ..runtime import as_dict, dict_union
from .base import LowererBase
from .scans import LocalFunction, names_in_target


def _operators(base: type) -> dict[type, str]:
    """gast operator class -> primitive name, from the table's operator entries."""
    out = {}
    for prim in primitives.TABLE.values():
        if prim.form == "operator" and issubclass(getattr(ast, prim.operator), base):
            out[getattr(gast, prim.operator)] = prim.name
    return out


BINARY = _operators(ast.operator)
UNARY = _operators(ast.unaryop)
COMPARE = _operators(ast.cmpop)


class Expressions(LowererBase):
    """Expressions other than calls."""

    def expr(self, node: Any, hint: str = "") -> Any:
        """Lower an expression; returns its operand (or a LocalFunction for a lambda)."""
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise self.error(f"unsupported expression: {type(node).__name__}", node,
                             "rewrite it with simple operations and calls")
        return method(node, hint)

    def binary_prim(self, op: Any) -> str:
        return BINARY[type(op)]

    def expr_NamedExpr(self, node: gast.NamedExpr, hint: str) -> Operand:
        """`(n := value)`: binds the name, and is the value."""
        value = self.expr(node.value, hint=node.target.id)
        self.assign(node.target, value)
        return value

    def expr_Constant(self, node: gast.Constant, hint: str) -> Operand:
        return Const(node.value)

    def expr_Name(self, node: gast.Name, hint: str) -> Any:
        if isinstance(self.env.get(node.id), LocalFunction):
            return self.env[node.id]  # (`g = f` keeps a local function to inline)
        return self.name(node)

    def name(self, node: gast.Name) -> Operand:
        if node.id in self.env:
            return self.value_of(self.env[node.id])
        value = self.lookup_free(node.id)
        if is_missing(value):
            raise self.error(f"name {node.id!r} is not defined", node,
                             "define it before calling the gradient")
        return Ref(node.id, value)

    def expr_Attribute(self, node: gast.Attribute, hint: str) -> Operand:
        if isinstance(node.value, gast.Name):  # (for `check_properties_unread`)
            self.attributes_read.setdefault(node.value.id, set()).add(node.attr)
        base = self.expr(node.value)
        if isinstance(base, Ref):
            if not hasattr(base.value, node.attr):
                raise self.error(f"{base.name} has no attribute {node.attr!r}", node)
            ref = Ref(f"{base.name}.{node.attr}", getattr(base.value, node.attr))
            self.links[ref.name] = (base.value, node.attr, ref.value)
            return ref
        if isinstance(base, Const):
            return Const(getattr(base.value, node.attr))
        producer = self.producers.get(base)
        if producer is not None and node.attr in primitives.get(producer.prim).attributes:
            # an item of a result that is a dict as well (`sol.y` of solve_ivp's)
            return self.emit("getitem", [base, Const(node.attr)], hint=hint)
        prim = primitives.lookup("." + node.attr)
        if prim is not None and prim.form == "attribute" and not self.is_object(base):
            return self.emit(prim.name, [base], hint=hint)  # (an object's `.shape`: its own)
        return self.emit("getattr", [base, Const(node.attr)], hint=hint)

    def expr_BinOp(self, node: gast.BinOp, hint: str) -> Operand:
        left, right = self.expr(node.left), self.expr(node.right)
        left, right = self.repetition(node, left, right)
        self.check_no_object_arithmetic(node, left, right)
        return self.emit(self.binary_of(BINARY[type(node.op)], left, right), [left, right],
                         hint=hint)

    def binary_of(self, prim: str, left: Operand, right: Operand) -> str:
        """`a | b` of dicts (one a dict this function made) is their union, as
        `{**a, **b}`; any other operator is its primitive."""
        if prim == "or_" and (self.is_dict_display(left) or self.is_dict_display(right)):
            return "dict_union"
        return prim

    def check_no_object_arithmetic(self, node: Any, *operands: Operand) -> None:
        """`v + w` on objects of the user's class runs its `__add__`, which
        s2sad would differentiate as NumPy's addition: refused."""
        for operand in operands:
            if self.is_object(operand) and operand not in self.known_records:
                raise self.error(
                    "arithmetic on an object of your class (its operator methods, __add__ "
                    "and the like) is not supported: s2sad differentiates these operators "
                    "on arrays and numbers", node,
                    "compute on the arrays the object holds (v.a + w.a), or in a method "
                    "(v.plus(w))")

    def repetition(self, node: Any, left: Operand, right: Operand) -> tuple:
        """`[x] * n` repeats a list (or a tuple). A count that is not a constant passes
        through `repeat_count`, which refuses an array at run time (a list
        times an array is NumPy's arithmetic); `prepare` reads the mark."""
        if not isinstance(node.op, gast.Mult):
            return left, right
        for seq, count in ((left, right), (right, left)):
            if not self.is_sequence(seq) or isinstance(count, Const) and \
                    isinstance(count.value, int):
                continue
            if isinstance(count, Const):  # (Python's own error, where it runs)
                kind = type(count.value).__name__
                raise self.error(f"a list repeated by a count of type {kind}: Python raises "
                                 f"TypeError: can't multiply sequence by non-int of type "
                                 f"'{kind}'", node, "repeat it a whole number of times: [x] * 2")
            checked = self.emit("repeat_count", [count], hint="count")
            return (seq, checked) if seq is left else (checked, seq)
        return left, right

    def is_sequence(self, value: Operand) -> bool:
        """A list or a tuple built here."""
        stmt = self.producers.get(value) if isinstance(value, Var) else None
        return self.is_list(value) or stmt is not None and stmt.prim == "make_tuple"

    def expr_UnaryOp(self, node: gast.UnaryOp, hint: str) -> Operand:
        operand = self.expr(node.operand)
        if isinstance(operand, Const) and isinstance(node.op, gast.USub):
            return Const(-operand.value)
        return self.emit(UNARY[type(node.op)], [operand], hint=hint)

    def expr_Compare(self, node: gast.Compare, hint: str) -> Operand:
        left = self.expr(node.left)
        results = []
        for op, right_node in zip(node.ops, node.comparators):
            right = self.expr(right_node)
            if isinstance(op, (gast.In, gast.NotIn)):
                negated = isinstance(op, gast.NotIn)
                inside = self.emit("contains", [right, left], hint="" if negated else hint)
                if negated:
                    inside = self.emit("not_", [inside], hint=hint)
                results.append(inside)
            else:
                results.append(self.emit(COMPARE[type(op)], [left, right], hint=hint))
            left = right
        result = results[0]
        for nxt in results[1:]:
            result = self.select(result, lambda n=nxt: n, lambda r=result: r, hint)
        return result

    def expr_BoolOp(self, node: gast.BoolOp, hint: str) -> Operand:
        result = self.expr(node.values[0])
        for value_node in node.values[1:]:
            first = result

            def rest(v: Any = value_node) -> Operand:
                return self.expr(v)

            if isinstance(node.op, gast.And):
                result = self.select(first, rest, lambda f=first: f, hint)
            else:
                result = self.select(first, lambda f=first: f, rest, hint)
        return result

    def expr_IfExp(self, node: gast.IfExp, hint: str) -> Operand:
        cond = self.expr(node.test)
        return self.select(cond, lambda: self.expr(node.body, hint),
                           lambda: self.expr(node.orelse, hint), hint)

    def expr_Tuple(self, node: gast.Tuple, hint: str) -> Operand:
        return self.display("make_tuple", node, hint)

    def expr_List(self, node: gast.List, hint: str) -> Operand:
        return self.display("make_list", node, hint)

    def expr_Set(self, node: gast.Set, hint: str) -> Operand:
        """`{a, b}`: set([a, b]) (as Python, a set of what the items hash to)."""
        items = self.display("make_list", node, "items")
        prim = primitives.for_object(set)
        if prim is not None:
            return self.emit(prim.name, [items], hint=hint, callee=Ref("$set", set))
        return self.emit("call", [Ref("$set", set), items], hint=hint)

    def display(self, kind: str, node: Any, hint: str) -> Operand:
        if any(isinstance(e, gast.Starred) for e in node.elts):
            return self.joined_items(node.elts, kind, hint)
        items = [self.expr(e) for e in node.elts]
        if kind == "make_tuple" and all(isinstance(i, Const) for i in items):
            return Const(tuple(i.value for i in items))
        return self.emit(kind, items, hint=hint)

    def expr_Dict(self, node: Any, hint: str) -> Operand:
        if any(k is None for k in node.keys):
            return self.merged_display(node, hint)
        keys = [self.expr(k) for k in node.keys]
        if not all(isinstance(k, Const) for k in keys):
            raise self.error("dict keys must be constants", node,
                             "use string or number literals as keys")
        values = [self.expr(v) for v in node.values]
        return self.emit("make_dict", [Const(tuple(k.value for k in keys)), *values], hint=hint)

    def merged_display(self, node: Any, hint: str) -> Operand:
        """`{**p, "b": v}`: the mappings and runs of keys merged, later ones winning."""
        parts: list[Operand] = []
        run: list[tuple[Any, Any]] = []

        def flush() -> None:
            if run:
                parts.append(self.expr_Dict(gast.Dict(keys=[k for k, _ in run],
                                                      values=[v for _, v in run]), ""))
                run.clear()

        for key, value in zip(node.keys, node.values):
            if key is None:
                flush()
                parts.append(self.expr(value))
            else:
                run.append((key, value))
        flush()
        return self.emit("dict_union", parts, hint=hint,
                         callee=Ref("$dict_union", dict_union))

    def expr_Subscript(self, node: gast.Subscript, hint: str) -> Operand:
        value = self.expr(node.value)
        if self.indexes_itself(value):  # (an object of the user's class: its __getitem__)
            method = self.emit("getattr", [value, Const("__getitem__")])
            return self.emit("call", [method, self.index(node.slice)], hint=hint)
        return self.emit("getitem", [value, self.index(node.slice)], hint=hint)

    def index(self, node: Any) -> Operand:
        """Lower a subscript into one operand: a value, or an `index` op for slices.
        The layout says what each part is: "v" a value, "sXYZ" a slice whose
        bounds lower, upper, step are present (1) or not (0)."""
        parts = node.elts if isinstance(node, gast.Tuple) else [node]
        if not any(isinstance(p, gast.Slice) for p in parts):
            if not isinstance(node, gast.Tuple):
                return self.expr(node)
            items = [self.expr(p) for p in parts]
            if all(isinstance(i, Const) for i in items):
                return Const(tuple(i.value for i in items))
            return self.emit("index", [Const(tuple("v" for _ in items)), *items])
        layout, args = [], []
        for part in parts:
            if isinstance(part, gast.Slice):
                bounds = (part.lower, part.upper, part.step)
                layout.append("s" + "".join("1" if b is not None else "0" for b in bounds))
                args += [self.expr(b) for b in bounds if b is not None]
            else:
                layout.append("v")
                args.append(self.expr(part))
        return self.emit("index", [Const(tuple(layout)), *args])

    def expr_Lambda(self, node: Any, hint: str) -> Any:
        return self.local_function(node)

    def expr_ListComp(self, node: Any, hint: str) -> Operand:
        """[elt for t in it if c] as a loop that appends to a fresh list."""
        acc = self.fresh_name("comp")
        name = gast.Name(id=acc, ctx=gast.Load(), annotation=None, type_comment=None)
        body: Any = gast.Expr(value=gast.Call(
            func=gast.Attribute(value=name, attr="append", ctx=gast.Load()),
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
        targets = {n for g in node.generators for n in names_in_target(g.target)}
        saved = {n: self.env[n] for n in targets if n in self.env}
        self.env[acc] = self.emit("make_list", [], hint=hint or "items")
        self.stmt(body)
        result = self.env.pop(acc)
        for n in targets:
            self.env.pop(n, None)
        self.env.update(saved)
        return result

    def expr_GeneratorExp(self, node: Any, hint: str) -> Operand:
        """A generator expression, run as a list comprehension (to its end, when
        it is made): refused if it changes an object (`o.add(x)` of an updating
        method), which a consumer stopping early (`any`, `zip`) would not see."""
        changed = self.updated_names([node])
        if id(node) not in self.consumed_whole and \
                any(isinstance(n, gast.NamedExpr) for n in gast.walk(node)):
            raise self.error(
                "an assignment expression (:=) in a generator: s2sad runs a generator to its "
                "end when it is made, Python as its consumer asks (any, all, next and break "
                "stop it early), so the name would hold another item", node,
                "use a list comprehension, or a loop")
        if changed and id(node) not in self.consumed_whole:
            raise self.error(
                f"this generator changes {', '.join(changed)} (a method setting its "
                "attributes): s2sad runs a generator to its end when it is made, Python as "
                "its consumer asks (any, zip and break stop it early)", node,
                "use a list comprehension, or a loop")
        return self.expr_ListComp(node, hint)

    def expr_SetComp(self, node: Any, hint: str) -> Operand:
        raise self.error("set comprehensions are not supported", node,
                         "build a list with a list comprehension instead")

    def expr_DictComp(self, node: Any, hint: str) -> Operand:
        """{k: v for t in it if c} as dict() of the list of its (k, v) pairs (a
        key met again keeps its last value, as in Python)."""
        pair = gast.Tuple(elts=[node.key, node.value], ctx=gast.Load())
        gast.copy_location(pair, node)
        pairs = self.expr_ListComp(gast.copy_location(gast.ListComp(
            elt=pair, generators=node.generators), node), "pairs")
        return self.emit("as_dict", [pairs], hint=hint, callee=Ref("$as_dict", as_dict))

    def expr_Yield(self, node: Any, hint: str) -> Operand:
        raise self.error("the value of a yield expression (a generator receiving values "
                         "with send) is not supported", node,
                         "yield values as a statement: `yield v`")

    def expr_YieldFrom(self, node: Any, hint: str) -> Operand:
        raise self.error("the value of `yield from` (what the inner generator returns) is "
                         "not supported", node, "yield from it as a statement (`yield from "
                         "g(x)`), and compute the value it returns with a separate function")

    def expr_JoinedStr(self, node: Any, hint: str) -> Operand:
        """f"W{i}": each `{value!conversion:spec}` formatted as Python does,
        then the parts joined (text: no derivative)."""
        parts = []
        for value in node.values:
            if isinstance(value, gast.Constant):
                parts.append(Const(value.value))
                continue
            spec = self.expr(value.format_spec) if value.format_spec is not None \
                else Const("")
            parts.append(self.emit("format_value", [self.expr(value.value),
                                                    Const(value.conversion), spec],
                                   callee=Ref("$format_value"), hint="text"))
        if len(parts) == 1 and isinstance(parts[0], Const):
            return parts[0]
        return self.emit("join_strings", parts, callee=Ref("$join_strings"), hint=hint or "text")
