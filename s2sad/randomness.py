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
and the generators end where one run of the function leaves them. (The
gradient's retry with NumPy's numbers cannot rewind: the state before its
first run is gone. Its two runs are checked against each other instead.)

The generators found (`_Search`): NumPy's and Python's global ones where
the code calls them by their module (`np.random.randn`, `random.gauss`:
read from its instructions), and every `np.random.Generator`, `RandomState`,
`BitGenerator` and `random.Random` among the arguments (inside containers
and objects, a few levels deep), defaults, partials, closures, class
attributes and the globals the code names, following the functions and
classes those are (helpers of helpers). What the search cannot see (a
generator made inside f, a library's own) is caught by `check_same_run`:
each later run must give the first run's value, or the transform raises.
"""

from __future__ import annotations

import contextlib
import dis
import functools
import random
import types
from collections.abc import Iterator
from typing import Any

import numpy as np

from .errors import NoAdjointError

_GENERATORS = (np.random.Generator, np.random.RandomState, np.random.BitGenerator,
               random.Random)


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
    search = _Search()
    for value in values:
        search.value(value, 0, 0)
    search.code(fn, 0)
    return list(search.found.values())


def is_generator(value: Any) -> bool:
    """A random number generator (kept as it is where arguments are copied)."""
    return isinstance(value, _GENERATORS)


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


class _Search:
    """The walk that finds generators: through values (containers, objects,
    their classes, partials; a few levels deep) and through code (a
    function's defaults, closure and the globals it names, following the
    functions and classes those are, helpers of helpers)."""

    ITEM_DEPTH = 4  # the arguments, a dict in them, an object in it, its attribute
    CODE_DEPTH = 6  # a function, its helper, the helper's helper, ...

    BUDGET = 20_000  # values looked at, at most (a global list of a million floats)

    def __init__(self) -> None:
        self.found: dict[int, Any] = {}
        self.seen: set[int] = set()
        self.left = self.BUDGET

    def add(self, generator: Any) -> None:
        self.found.setdefault(id(generator), generator)

    def value(self, value: Any, depth: int, code_depth: int) -> None:
        if isinstance(value, _GENERATORS):
            self.add(value)
            return
        if value is None or isinstance(value, _PLAIN) or isinstance(value, types.ModuleType) \
                or depth > self.ITEM_DEPTH or id(value) in self.seen or self.left <= 0:
            return
        self.left -= 1
        owner = getattr(value, "__self__", None)  # (`from numpy.random import randn`)
        if isinstance(owner, _GENERATORS):
            self.add(owner)
            return
        if isinstance(value, (types.FunctionType, types.MethodType, type)):
            self.code(value, code_depth)
            return
        self.seen.add(id(value))
        if isinstance(value, functools.partial):
            self.code(value.func, code_depth)
            items: Any = [*value.args, *value.keywords.values()]
        elif isinstance(value, dict):
            items = list(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            items = list(value)
        else:
            items = list(getattr(value, "__dict__", {}).values())
            self.code(type(value), code_depth)  # (its methods, its class attributes)
        for item in items:
            self.value(item, depth + 1, code_depth)

    def code(self, fn: Any, depth: int) -> None:
        for _ in range(10):  # (decorators' __wrapped__, a bound method's function)
            inner = getattr(fn, "__wrapped__", None) or getattr(fn, "__func__", None)
            if inner is None:
                break
            self.value(getattr(fn, "__self__", None), 0, depth)
            fn = inner
        if id(fn) in self.seen or depth > self.CODE_DEPTH:
            return
        self.seen.add(id(fn))
        if isinstance(fn, type):
            for klass in fn.__mro__[:-1]:  # (not object's)
                for member in list(vars(klass).values()):
                    if isinstance(member, (staticmethod, classmethod)):
                        member = member.__func__
                    if isinstance(member, types.FunctionType):
                        self.code(member, depth + 1)
                    elif not isinstance(member, property):
                        self.value(member, 1, depth + 1)  # (a class attribute: `rng = ...`)
            return
        if not isinstance(fn, types.FunctionType):
            self.value(fn, 1, depth)  # (a callable object)
            return
        for default in [*(fn.__defaults__ or ()), *(fn.__kwdefaults__ or {}).values()]:
            self.value(default, 0, depth)
        for cell in fn.__closure__ or ():
            try:
                self.value(cell.cell_contents, 0, depth + 1)
            except ValueError:  # (an empty cell)
                continue
        for generator in _module_draws(fn.__code__, fn.__globals__):
            self.add(generator)
        for name in _names(fn.__code__):
            value = fn.__globals__.get(name)
            if value is not None and not isinstance(value, types.ModuleType):
                self.value(value, 0, depth + 1)


_PLAIN = (np.ndarray, np.generic, int, float, complex, str, bytes, range, slice)


def _module_draws(code: types.CodeType, globals_: dict) -> Iterator[Any]:
    """The global generators of NumPy and Python the code draws from by a
    module's name: `np.random.randn`, `numpy.random.normal`, `random.gauss`
    (read from its instructions: `rng.uniform` on a generator of its own is
    not `np.random.uniform`)."""
    for name, attrs in _attribute_paths(code):
        value = globals_.get(name)
        for attr in attrs:
            value = getattr(value, attr, None)
        owner = getattr(value, "__self__", None)  # (a global generator's bound method)
        if owner is np.random.mtrand._rand or owner is random._inst:
            yield owner


@functools.lru_cache(maxsize=4096)
def _attribute_paths(code: types.CodeType) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The `global.attr` and `global.attr.attr` paths the code (and code
    nested in it) reads, as (global name, attributes): read from its
    instructions once per code object."""
    paths = []
    path: list[str] = []
    for ins in dis.get_instructions(code):
        if ins.opname == "LOAD_GLOBAL":
            path = [ins.argval]
        elif ins.opname in ("LOAD_ATTR", "LOAD_METHOD") and 0 < len(path) < 3:
            path.append(ins.argval)
            paths.append((path[0], tuple(path[1:])))
        else:
            path = []
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            paths.extend(_attribute_paths(const))
    return tuple(dict.fromkeys(paths))


def _names(code: types.CodeType) -> set[str]:
    """The global (and attribute) names a code object and those nested in it use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def check_same_run(fn: Any, first: Any, again: Any, after_numbers: bool = False,
                   rtol: float = 1e-10) -> None:
    """A safety net under the rewinding: where a transform ran f again for
    one result, the value must be the one the first run gave. Other draws
    (from a generator not found: one made inside f, or SciPy's), or any other
    state that changed between the runs, would make the result mix two
    different functions: an error instead. Runs of the same generated code
    agree to the last bits (`rtol`'s default); the user's function and its
    generated code, which may round a step differently, are compared with a
    looser `rtol`."""
    if _same(first, again, 0, rtol):
        return
    name = getattr(fn, "__name__", "the function")
    if after_numbers:  # (the retry of `api._with_numpy_scalars`)
        raise NoAdjointError(
            f"{name} gave a different value when run again: its derivative at this point "
            "raised in Python's numbers or the `math` module (which raise where NumPy's give "
            "inf or nan), and the retry with NumPy's numbers ran it on other random draws (or "
            "other state), so the result would mix two runs",
            hint="NumPy's functions (np.sqrt for math.sqrt) give inf or nan there, in one run; "
            "or take the derivative away from this point")
    raise NoAdjointError(
        f"{name} gave a different value when run again for this derivative, which runs it "
        "more than once: it draws random numbers from a generator s2sad does not rewind "
        "(one made inside it, or a library's), or reads state that changes between calls, "
        "and the result would mix derivatives of different runs",
        hint="pass the generator as an argument (a np.random.Generator) or draw the random "
        "numbers outside and pass them in; or use grad, vjp's first pullback or hvp, which "
        "run the function once")


def _same(a: Any, b: Any, depth: int, rtol: float) -> bool:
    """The same values, to rounding (structures item by item; other objects: yes)."""
    if depth > 20:
        return True
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y, depth + 1, rtol) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], depth + 1, rtol) for k in a)
    numbers = (int, float, complex, np.ndarray, np.generic)
    if not (isinstance(a, numbers) and isinstance(b, numbers)):
        return True
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind not in "fc" or b.dtype.kind not in "fc":
        return bool(np.array_equal(a, b))
    scale = float(np.max(np.abs(a[np.isfinite(a)]), initial=1.0))
    return bool(np.allclose(a, b, rtol=rtol, atol=rtol * 1e-5 * scale, equal_nan=True))
