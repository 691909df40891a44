"""The lowering as one class, put together from its parts."""

from __future__ import annotations

from .calls import Calls
from .closures import Closures
from .control import ControlFlow
from .expressions import Expressions
from .functional import Functional
from .generators import Generators
from .imports import Imports
from .iteration import Iteration
from .objects import Objects
from .statements import Statements


class Lowerer(Statements, Generators, Objects, ControlFlow, Iteration, Expressions, Calls,
              Closures, Functional, Imports):
    """Lowers one parsed function (or, as TemplateLowerer, one adjoint rule) into IR."""
