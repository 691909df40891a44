"""Errors s2sad raises at the user.

Every error that comes from a place in the user's code carries a `Loc` and
prints the file, line and column, the source line with a caret under the
column, and a hint that says what to do instead.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Loc:
    """A place in the user's source: file, 1-based line, 0-based column."""

    filename: str
    line: int
    col: int = 0
    text: str = ""  # the source line itself, for messages

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.col + 1}"


def is_library_file(path: str) -> bool:
    """Is `path` in the standard library or an installed package (not the user's
    code, which errors point into; a library's object is no parameter of it)?"""
    return path.startswith(_library_paths())


@functools.cache
def _library_paths() -> tuple[str, ...]:
    import sysconfig

    paths = sysconfig.get_paths()
    return tuple(paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths)


class S2sadError(Exception):
    """Base class of every error s2sad raises on purpose."""

    def __init__(self, message: str, loc: Loc | None = None, hint: str = "") -> None:
        self.message = message
        self.loc = loc
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.loc is not None:
            parts.append(f"{self.loc}: {self.message}")
            if self.loc.text:
                stripped = self.loc.text.rstrip()
                parts.append("    " + stripped)
                parts.append("    " + " " * self.loc.col + "^")
        else:
            parts.append(self.message)
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return "\n".join(parts)


class UnsupportedSyntaxError(S2sadError):
    """A construct s2sad cannot differentiate (yet)."""


class NoAdjointError(S2sadError):
    """A differentiable value flows into a call that has no adjoint rule and no source."""


class NonScalarOutputError(S2sadError):
    """`grad` of a function whose output is not a scalar."""

    told: tuple | None = None  # (returned's arguments, for `retold`)

    @classmethod
    def returned(cls, name: str, what: Any, loc: Loc | None, generator: bool = False,
                 needs: str = "grad", value_only: str = "") -> NonScalarOutputError:
        """The error for `name` returning `what` (runtime.NonScalarOutput's
        argument: a shape, or a type's name) where `needs` (grad, a second
        derivative) needs a scalar; `value_only` is the code of a function
        giving the value alone, for a hint. A library function wrapped by s2sad
        (`hessian(np.sin)`) has no line of the user's to show."""
        kind = f"an array of shape {what}" if isinstance(what, tuple) else f"a {what}"
        if what not in ("tuple", "list"):
            hint = "reduce the output (e.g. with np.sum or np.mean) to the scalar you want " \
                "the gradient of"
        elif needs == "grad":
            hint = "if it returns (value, auxiliary data), pass has_aux=True"
        else:  # (hessian and hvp take no auxiliary data)
            hint = f"if it returns (value, auxiliary data), take the {needs} of a function " \
                f"that returns the value only: {value_only or 'lambda x: f(x)[0]'}"
        if generator:
            kind = "a generator (it is a generator function)"
            hint = "return the value instead of yielding it, or differentiate a function " \
                "that adds up what it yields: sum(gen(x))"
        if loc is not None and loc.filename.startswith("<s2sad:"):
            loc = None
        error = cls(f"{needs} needs {name} to return a scalar, but it returned {kind}", loc,
                    hint)
        error.told = (name, what, loc, generator)
        return error

    def retold(self, needs: str, value_only: str) -> NonScalarOutputError:
        """The same error said of the transform the user called (`hessian`,
        whose inner `grad` raised it)."""
        return self if self.told is None else \
            self.returned(*self.told, needs=needs, value_only=value_only)


class WrtError(S2sadError):
    """`wrt` names an argument that does not exist."""


class ArgumentTypeError(S2sadError):
    """A `wrt` argument of a type s2sad cannot differentiate (str, object, ...)."""


class SourceUnavailableError(S2sadError):
    """The function has no Python source to transform (builtin, lambda in a REPL...)."""


class AliasingError(S2sadError):
    """An in-place update of an array that another live name shares."""


class BackendError(S2sadError):
    """A backend cannot run the generated code: Numba is missing, or cannot
    compile a construct in it (`backend="numba"`)."""


def too_deep(what: str, fn: Any, loc: Loc | None = None) -> S2sadError:
    """The error for derivative code of a recursive function that went past
    Python's recursion limit (where the function itself may not)."""
    return S2sadError(
        f"{what} of {getattr(fn, '__name__', 'the function')} recursed too deeply (Python's "
        f"recursion limit is {sys.getrecursionlimit()})", loc,
        "s2sad's derivative of a recursive function uses about three times the stack of "
        "the function itself: raise the limit with sys.setrecursionlimit, or write the "
        "recursion as a loop")


def recursion_reported(what: str, fn: Any, loc: Loc | None = None) -> Callable:
    """Decorate a transform's entry point: a RecursionError inside becomes
    `too_deep`'s error (an s2sad error, never Python's own, at the user)."""
    def decorate(inner: Callable) -> Callable:
        @functools.wraps(inner)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return inner(*args, **kwargs)
            except RecursionError:
                raise too_deep(what, fn, loc) from None
        return run
    return decorate
