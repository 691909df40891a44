"""The same random draws each time a transform runs the user's function.

Some transforms run the function more than once for one result: a Jacobian
one pass per column (forward mode) after a first run for the output's
shape, a Hessian a forward-over-reverse pass per column, `linearize`'s
`f_jvp` once per call, and a gradient at a point where Python's numbers
raise (sqrt at 0) runs again with NumPy's. A function that draws random
numbers (a reparameterized sample, a Monte Carlo objective) would see new
draws on each run, and the result would mix derivatives of different
samples: a wrong number with no error. So each such transform takes a
`Draws` of the generators the function can reach before its first run and
rewinds them before each later one: every run draws what the first did,
and the generators end where one run of the function leaves them.

The generators found: NumPy's global one (`np.random.randn`), Python's
(`random.random`), and every `np.random.Generator`, `RandomState`,
`BitGenerator` and `random.Random` among the arguments (and one level into
their containers and objects), the function's closure and the globals its
code names (and, the same way, those of the global functions it names: a
helper drawing from a module-level `rng`).
"""

from __future__ import annotations

import contextlib
import random
import types
from collections.abc import Iterator
from typing import Any

import numpy as np

from .errors import NoAdjointError

_GENERATORS = (np.random.Generator, np.random.RandomState, np.random.BitGenerator,
               random.Random)
_DEPTH = 3  # how far global functions calling global functions are followed


class Draws:
    """The states of the generators a function can reach, to rewind them to."""

    def __init__(self, fn: Any, *values: Any) -> None:
        # (reading a state costs as much as a small gradient: only those reached)
        self.saved = [(g, _state(g)) for g in reachable_generators(fn, *values)]

    def rewind(self) -> None:
        """Put every generator back to its state when this was taken."""
        for generator, state in self.saved:
            _set_state(generator, state)

    @contextlib.contextmanager
    def replayed(self, fn: Any, *values: Any) -> Iterator[None]:
        """Run f again on the draws of its first run, then leave the generators
        as they were before (a pullback or `f_jvp` called later draws nothing
        the caller sees)."""
        if not self.saved:
            yield
            return
        now = Draws(fn, *values)
        self.rewind()
        try:
            yield
        finally:
            now.rewind()


def reachable_generators(fn: Any, *values: Any) -> list:
    """The generators `fn` can draw from, given these arguments (see above)."""
    found: dict[int, Any] = {}
    seen: set[int] = set()
    for value in values:
        _collect(value, found, seen, 0)
    _collect_code(fn, found, seen, 0)
    return list(found.values())


def refuse_second_run(fn: Any, *values: Any) -> None:
    """Where a gradient must run `fn` again after Python's numbers raised
    (sqrt at 0: `api._with_numpy_scalars`), whose state before the first
    run is gone: refuse if fn can draw random numbers, as the second run
    would draw others and the result would mix two samples."""
    if reachable_generators(fn, *values):
        raise NoAdjointError(
            f"{getattr(fn, '__name__', 'the function')} draws random numbers, and its "
            "derivative at this point raised in Python's numbers or the `math` module (which "
            "raise where NumPy's give inf or nan): computing it again with NumPy's would run "
            "the function again, on other draws",
            hint="NumPy's functions (np.sqrt for math.sqrt) give inf or nan there, in one run; "
            "or take the derivative away from this point")


def _state(g: Any) -> Any:
    if isinstance(g, np.random.Generator):
        return g.bit_generator.state
    if isinstance(g, np.random.RandomState):
        return g.get_state(legacy=False)
    if isinstance(g, np.random.BitGenerator):
        return g.state
    return g.getstate()


def _set_state(g: Any, state: Any) -> None:
    if isinstance(g, np.random.Generator):
        g.bit_generator.state = state
    elif isinstance(g, np.random.RandomState):
        g.set_state(state)
    elif isinstance(g, np.random.BitGenerator):
        g.state = state
    else:
        g.setstate(state)


def _collect(value: Any, found: dict[int, Any], seen: set[int], depth: int) -> None:
    """Generators in `value`: itself, or one level into a container or an
    object (and those its class's methods reach)."""
    if isinstance(value, _GENERATORS):
        found.setdefault(id(value), value)
        return
    if isinstance(value, (np.ndarray, np.generic, int, float, complex, str, bytes)) or \
            value is None:
        return
    if isinstance(value, (types.FunctionType, types.MethodType, type)):
        _collect_code(value, found, seen, depth + 1)
        return
    owner = getattr(value, "__self__", None)  # (a builtin method: `from numpy.random import randn`)
    if isinstance(owner, _GENERATORS):
        found.setdefault(id(owner), owner)
        return
    if depth > 0 or isinstance(value, types.ModuleType):
        return
    if isinstance(value, dict):
        items: Any = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        items = getattr(value, "__dict__", {}).values()
        _collect_code(type(value), found, seen, depth + 1)
    for item in items:
        _collect(item, found, seen, depth + 1)


def _collect_code(fn: Any, found: dict[int, Any], seen: set[int], depth: int) -> None:
    """Generators in fn's closure and the globals its code names (NumPy's
    and Python's own where it names their modules), following the global
    functions and classes it names, `__wrapped__`, and a bound method's
    function and object."""
    for _ in range(10):
        inner = getattr(fn, "__wrapped__", None) or getattr(fn, "__func__", None)
        if inner is None:
            break
        _collect(getattr(fn, "__self__", None), found, seen, depth)
        fn = inner
    if id(fn) in seen or depth > _DEPTH:
        return
    seen.add(id(fn))
    if isinstance(fn, type):  # (a class: its methods)
        for member in list(vars(fn).values()):
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            if isinstance(member, types.FunctionType):
                _collect_code(member, found, seen, depth)
        return
    if not isinstance(fn, types.FunctionType):
        return
    for cell in fn.__closure__ or ():
        try:
            value = cell.cell_contents
        except ValueError:  # (an empty cell)
            continue
        _collect(value, found, seen, depth)
    names = _names(fn.__code__)
    for name in names:
        value = fn.__globals__.get(name)
        if value is np.random or value is np and "random" in names:
            found.setdefault(id(np.random.mtrand._rand), np.random.mtrand._rand)
        elif value is random:
            found.setdefault(id(random._inst), random._inst)  # (random.random's)
        elif not isinstance(value, types.ModuleType):
            _collect(value, found, seen, depth + 1)


def _names(code: types.CodeType) -> set[str]:
    """The global (and attribute) names a code object and those nested in it use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names
