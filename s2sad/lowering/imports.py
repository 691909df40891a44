"""Lowering `import` statements inside the function: the names they bind
are known when the function is lowered, like globals."""

from __future__ import annotations

import importlib
from typing import Any

import gast

from .. import primitives
from ..ir import Ref
from ..parsing import Binding
from .base import LowererBase


class Imports(LowererBase):
    def import_stmt(self, node: gast.Import | gast.ImportFrom) -> None:
        """`import numpy as np`, `from scipy.special import expit` inside the
        function: the names are bound to what Python's import gives, imported
        now (importing again gives the same module)."""
        if isinstance(node, gast.ImportFrom) and node.level:
            raise self.error("a relative import inside the function is not supported", node,
                             "import at the top of the file, outside the function")
        try:
            if isinstance(node, gast.Import):
                for alias in node.names:
                    module = importlib.import_module(alias.name)
                    if alias.asname is None:  # (`import a.b` binds a)
                        top = alias.name.split(".")[0]
                        self.bind_import(top, importlib.import_module(top))
                    else:
                        self.bind_import(alias.asname, module)
                return
            module = importlib.import_module(node.module)
            for alias in node.names:
                if alias.name == "*":
                    raise self.error("`from ... import *` inside the function is not "
                                     "supported", node, "import the names you use by name")
                value = getattr(module, alias.name, None)
                if value is None:
                    value = importlib.import_module(f"{node.module}.{alias.name}")
                self.bind_import(alias.asname or alias.name, value)
        except ImportError as exc:
            raise self.error(f"this import fails: {exc}", node) from None

    def bind_import(self, name: str, value: Any) -> None:
        """The name an import binds, known now like a global's (the generated
        code reads it from its namespace; no check that it stays: an import
        gives the same module each time)."""
        own = primitives.resolve_name(name)  # (the derivative code's own `np`, `math`, ...)
        label = name if own is None or own is value else f"{name}_imported"
        self.env[name] = Ref("$" + label, value)  # (bound in a cell of the generated code)
        self.free[label] = Binding(label, "import", None, value)
