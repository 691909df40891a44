"""Stage 2: lower a gast function into the structured SSA IR of `ir.py`.

The lowering is one class put together from parts by job: `statements`,
`control` (branches, loops, early exits), `expressions` and `calls` (with
`refusals`, the calls whose writes s2sad does not follow), over the shared
state in `base`. `templates` lowers adjoint rules with the same
code. Free names resolve the way Python resolves them (closure, globals,
builtins); the result says where each was found and which ones the
generated code depends on, for the pipeline's validity check.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import Function, VarFactory
from ..parsing import Binding, ParsedFunction
from .lowerer import Lowerer
from .templates import lower_template


@dataclass(frozen=True)
class Lowered:
    """A function in IR, the factory that numbered its vars, and its free
    names: all of them, and those whose identity the IR depends on."""

    function: Function
    factory: VarFactory
    free: dict[str, Binding]
    baked: frozenset[str]
    baked_attrs: tuple  # (object, attribute, value) on the way to a baked callee


def lower(parsed: ParsedFunction, construct: bool = False,
          statics: dict | None = None, updates: bool = False,
          objects: tuple[int, ...] = (), records: tuple[int, ...] = ()) -> Lowered:
    """Lower a parsed function into IR (a class's __init__ as its constructor,
    returning the object, with `construct`; a method setting attributes of
    its object, returning (its value, the object), with `updates`; `statics`:
    parameters known to be a module or an object with a rule, by position,
    which the code resolves through; `objects` and `records`: parameters
    known to be objects of the user's classes and namedtuples, by position)."""
    lowerer = Lowerer(parsed, VarFactory())
    lowerer.construct = construct
    lowerer.updates = updates
    lowerer.object_params = frozenset(objects)
    lowerer.record_params = frozenset(records)
    lowerer.statics = dict(statics or {})
    fn = lowerer.lower_function()
    return Lowered(fn, lowerer.factory, dict(lowerer.free), frozenset(lowerer.baked),
                   tuple(lowerer.baked_attrs))


__all__ = ["Lowered", "Lowerer", "lower", "lower_template"]
