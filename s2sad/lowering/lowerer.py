"""The lowering as one class, put together from its parts."""

from __future__ import annotations

from .calls import Calls
from .control import ControlFlow
from .expressions import Expressions
from .statements import Statements


class Lowerer(Statements, ControlFlow, Expressions, Calls):
    """Lowers one parsed function (or, as TemplateLowerer, one adjoint rule) into IR."""
