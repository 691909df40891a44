"""Lowering adjoint rules: a rule's template is a Python expression over the
primitive's parameters, `g` and `ans`, lowered into IR with the same code as
user code. Free names in templates are our `np`, `math` and run-time
helpers, spelled with a leading `$` so the emitter binds them to names that
cannot clash with the user's."""

from __future__ import annotations

from typing import Any

import gast

from ..errors import Loc
from ..ir import Operand, Ref, VarFactory
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
    Returns the new statements and the operand holding the result."""
    tree = _TREES.get(source)
    if tree is None:
        tree = _TREES[source] = gast.parse(source, mode="eval").body
    lowerer = TemplateLowerer(None, factory)
    lowerer.env = dict(bindings)
    lowerer.loc = loc
    result = lowerer.expr(tree, hint=hint)
    return lowerer.block.stmts, result
