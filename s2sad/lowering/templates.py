"""Lowering adjoint rules: a rule's template is a Python expression over the
primitive's parameters, `g` and `ans`, lowered into IR with the same code as
user code. Free names in templates are our `np`, `math` and run-time
helpers, spelled with a leading `$` so the emitter binds them to names that
cannot clash with the user's."""

from __future__ import annotations

from typing import Any

import gast

from ..errors import Loc
from ..ir import Assign, Const, Operand, Ref, Var, VarFactory
from ..primitives import resolve_name
from .lowerer import Lowerer
from .scans import LocalFunction

_TREES: dict[str, Any] = {}


class TemplateLowerer(Lowerer):
    """Lowers an adjoint template: names are the rule's bound operands or ours."""

    def lookup_free(self, name: str) -> Any:
        value = resolve_name(name)
        if value is None:
            raise KeyError(f"adjoint template uses unknown name {name!r}")
        return value

    def name(self, node: gast.Name) -> Operand:
        if node.id in self.env:
            value = self.env[node.id]
            if isinstance(value, LocalFunction):
                raise self.local_function_error(node.id, node)
            return value
        return Ref("$" + node.id, self.lookup_free(node.id))


def lower_template(source: str, bindings: dict[str, Operand], factory: VarFactory,
                   loc: Loc | None, hint: str = "") -> tuple[list, Operand]:
    """Lower an adjoint expression with its names bound to operands.
    Returns the new statements and the operand holding the result.

    A rule's template is lowered the same way each time its operands are of
    the same kinds, so the first lowering is kept as a recipe and later ones
    replay it with fresh vars (a transform lowers hundreds of templates: the
    full lowering of each was a tenth of a first call's time)."""
    key = _recipe_key(source, bindings, bool(hint))
    recipe = _RECIPES.get(key) if key is not None else None
    if recipe is not None:
        return _replay(recipe, bindings, factory, loc, hint)
    tree = _TREES.get(source)
    if tree is None:
        tree = _TREES[source] = gast.parse(source, mode="eval").body
    lowerer = TemplateLowerer(None, factory)
    lowerer.env = dict(bindings)
    lowerer.loc = loc
    result = lowerer.expr(tree, hint=hint)
    stmts = lowerer.block.stmts
    if key is not None:
        made = _recipe(stmts, result, bindings, hint)
        if made is not None:
            if len(_RECIPES) >= _MOST_RECIPES:  # (a recipe holds the objects its refs name)
                _RECIPES.clear()
            _RECIPES[key] = made
    return stmts, result


# recipes by template and the kinds of its operands: statements as (prim,
# operands, keyword operands, callee, inplace, its value's hint: True for
# the hint the lowering is given, else its own), each operand a
# binding's name ("b", name), an earlier statement's value ("s", k), or a
# constant operand itself; the result likewise
_RECIPES: dict[tuple, tuple] = {}
_MOST_RECIPES = 20_000


def _recipe_key(source: str, bindings: dict[str, Operand], hinted: bool) -> tuple | None:
    """What a template's lowering depends on: the template, whether its
    value is named (which var takes the name: `_recipe`), and per bound
    name its operand's kind (any var alike, a constant by type and value, a
    reference by its object), with which names share one var. None where an
    operand is of another kind (a list of them) or a constant is unhashable."""
    parts: list = [source, hinted]
    first: dict[int, str] = {}
    for name, value in bindings.items():
        kind = type(value)
        if kind is Var:
            parts.append((name, "v", first.setdefault(id(value), name)))
        elif kind is Const:
            try:
                hash(value.value)
            except TypeError:
                return None
            parts.append((name, "c", type(value.value), value.value))
        elif kind is Ref:
            # (by id: the recipe's statements hold the ref, so while the recipe
            # lives no other object takes that id; a ref they do not hold did
            # not shape the lowering)
            parts.append((name, "r", value.name, id(value.value)))
        else:
            return None
    return tuple(parts)


def _recipe(stmts: list, result: Operand, bindings: dict[str, Operand],
            hint: str) -> tuple | None:
    """The recipe of a lowering (None if it made more than plain assignments)."""
    by_var = {id(v): ("b", name) for name, v in bindings.items() if type(v) is Var}

    def step(a: Any) -> Any:
        return by_var.get(id(a), a) if type(a) is Var else a

    made: list = []
    for k, stmt in enumerate(stmts):
        if type(stmt) is not Assign or stmt.target is None:
            return None
        made.append((stmt.prim, [step(a) for a in stmt.args],
                     {n: step(a) for n, a in stmt.kwargs.items()},
                     stmt.callee, stmt.inplace,
                     True if hint and stmt.target.hint == hint else stmt.target.hint))
        by_var[id(stmt.target)] = ("s", k)
    if any(type(a) is Var and id(a) not in by_var for s in stmts for a in s.operands()):
        return None  # (a var from elsewhere: not this template's to replay)
    if type(result) is Var:
        if id(result) not in by_var:
            return None
        result = by_var[id(result)]
    return tuple(made), result


def _replay(recipe: tuple, bindings: dict[str, Operand], factory: VarFactory,
            loc: Loc | None, hint: str) -> tuple[list, Operand]:
    made, result = recipe
    values: list[Var] = []

    def operand(a: Any) -> Any:
        if type(a) is tuple:
            return bindings[a[1]] if a[0] == "b" else values[a[1]]
        return a

    stmts = []
    for prim, args, kwargs, callee, inplace, named in made:
        target = factory.new(hint if named is True else named)
        stmts.append(Assign(target, prim, [operand(a) for a in args],
                            {n: operand(a) for n, a in kwargs.items()}, callee, loc, inplace))
        values.append(target)
    return stmts, operand(result)
