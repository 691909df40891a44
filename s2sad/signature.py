"""How a call's arguments reach a function's parameters, as s2sad numbers them.

The IR numbers a function's parameters in the order Python lists them:
positional-only and ordinary ones, the `*args` tuple, keyword-only ones, the
`**kwargs` dict. A *site* names one argument the way a caller passes it: a
position (`2`) or a keyword (`"scale"`). `Layout.locate` says which parameter
a site lands in, and where inside it: `grad(f, wrt=1)` on `def f(*xs)` is
item 1 of parameter 0, `wrt="scale"` on `def f(x, **options)` is the item
"scale" of parameter 1. Derivatives are computed per parameter (the whole
`*args` tuple) and the items the caller asked for are read out of them.
"""

from __future__ import annotations

import inspect
import types
from dataclasses import dataclass
from typing import Any

Site = int | str


@dataclass(frozen=True)
class Layout:
    """A function's parameters in IR order, and what kind each is."""

    names: tuple[str, ...]
    positional: int  # how many may be passed by position (positional-only ones included)
    posonly: int
    vararg: int | None  # the index of `*args`, if any
    varkw: int | None  # the index of `**kwargs`, if any

    def locate(self, site: Site) -> tuple[int, int | str | None]:
        """(parameter index, item inside it or None) for an argument at `site`.
        Raises LookupError when no parameter takes it."""
        if isinstance(site, int):
            if 0 <= site < self.positional:
                return site, None
            if site >= self.positional and self.vararg is not None:
                return self.vararg, site - self.positional
            raise IndexError(site)
        if site in self.names:
            index = self.names.index(site)
            if index >= self.posonly and index not in (self.vararg, self.varkw):
                return index, None
        if self.varkw is not None:
            return self.varkw, site
        raise KeyError(site)

    def values(self, args: tuple, kwargs: dict | None) -> dict[int, Any]:
        """The value each parameter gets from a call's arguments (those the
        call gives: defaults are left out; `*args` and `**kwargs` always)."""
        out: dict[int, Any] = dict(enumerate(args[:self.positional]))
        if self.vararg is not None:
            out[self.vararg] = tuple(args[self.positional:])
        extra = {}
        for key, value in (kwargs or {}).items():
            try:
                index, item = self.locate(key)
            except LookupError:
                continue
            if item is None:
                out[index] = value
            else:
                extra[key] = value
        if self.varkw is not None:
            out[self.varkw] = extra
        return out

    def describe(self) -> str:
        """The parameters as a signature reads them, for error messages."""
        parts = []
        for i, name in enumerate(self.names):
            parts.append("*" + name if i == self.vararg else "**" + name if i == self.varkw
                         else name)
        return ", ".join(parts)


_LAYOUTS: dict[types.CodeType, Layout] = {}


def layout(fn: types.FunctionType) -> Layout:
    """The layout of a Python function's parameters (cached per code object)."""
    code = fn.__code__
    found = _LAYOUTS.get(code)
    if found is not None:
        return found
    flags = code.co_flags
    n_pos, n_kw = code.co_argcount, code.co_kwonlyargcount
    has_var = bool(flags & inspect.CO_VARARGS)
    has_kw = bool(flags & inspect.CO_VARKEYWORDS)
    varnames = code.co_varnames
    names = list(varnames[:n_pos])
    vararg = varkw = None
    if has_var:
        vararg = len(names)
        names.append(varnames[n_pos + n_kw])
    names += varnames[n_pos:n_pos + n_kw]
    if has_kw:
        varkw = len(names)
        names.append(varnames[n_pos + n_kw + has_var])
    found = _LAYOUTS[code] = Layout(tuple(names), n_pos, code.co_posonlyargcount, vararg, varkw)
    return found


def pick(grads: Any, item: int | str | None) -> Any:
    """The part of a parameter's derivative for one item (None: all of it);
    an item nothing reached has a None derivative."""
    if item is None or grads is None:
        return grads
    if isinstance(grads, dict):
        return grads.get(item)
    return grads[item] if isinstance(item, int) and item < len(grads) else None


__all__ = ["Layout", "Site", "layout", "pick"]


def check_binding(fn: Any, args: tuple, kwargs: dict) -> None:
    """Raise the TypeError that calling `fn` itself with these arguments would
    (a missing or an extra argument), naming `fn`: called where generated code
    raised a TypeError, so that the message is not about the generated function."""
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"{fn.__name__}(): {exc}") from None
