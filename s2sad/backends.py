"""Which backend runs the generated code: NumPy, Numba, or Numba where it compiles.

    grad(f, backend="numpy")   # the generated Python, run by CPython (the default)
    grad(f, backend="numba")   # the same code compiled by Numba; a BackendError
                               # names what Numba cannot compile
    grad(f, backend="auto")    # Numba where it compiles, NumPy where it does not

A compiled transform (`pipeline.Compiled`) keeps one runner per backend and
half (a gradient has one half; a pullback's forward and backward halves are
two), made on first use. Numba compiles lazily, on the first call with each
combination of argument types; `auto` remembers when that failed and runs
NumPy from then on, with the reason `show` reports. Numba is imported only
here, when a transform asks for it (`import s2sad` does not).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import BackendError

BACKENDS = ("numpy", "numba", "auto")


def check_backend(backend: str) -> str:
    """`backend`, if it names one (else BackendError)."""
    if backend not in BACKENDS:
        raise BackendError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, "
                           f"not {backend!r}")
    return backend


def runner(compiled: Any, backend: str, half: int = 0) -> Callable:
    """What runs `compiled.built[half]` on `backend`."""
    if backend == "numpy":
        return compiled.built[half].func
    key = (backend, half)
    made = compiled.runners.get(key)
    if made is None:
        made = compiled.runners[key] = _make(compiled, backend, half)
    return made


def _make(compiled: Any, backend: str, half: int) -> Callable:
    if backend == "numba":
        return _numba_function(compiled, half)
    return Auto(compiled, half)


def numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _numba_function(compiled: Any, half: int) -> Callable:
    if not numba_available():
        raise BackendError("backend='numba' needs Numba, which is not installed",
                           hint="pip install 's2sad[numba]' (or numba), or use backend='auto'")
    from . import numba_backend

    built = compiled.built[half]
    return numba_backend.load(built.func, built.fdef, compiled.user_fn)


class Auto:
    """Numba's version of a generated function where Numba compiles it (or
    is missing), the NumPy one where it does not. Numba fails while typing,
    before the function runs, so running NumPy instead repeats no effect.
    A failure for some arguments' types (float32 arrays meeting a float64
    number) is remembered for those types only (`refused`): others still
    get Numba. `chosen` and `reason` say which ran last, and why."""

    def __init__(self, compiled: Any, half: int) -> None:
        self.numpy = compiled.built[half].func
        self.chosen = "numba (on the first call)"
        self.reason = ""
        self.refused: dict[tuple, str] = {}  # argument kinds -> Numba's reason
        try:
            self.fast: Callable | None = _numba_function(compiled, half)
        except BackendError as exc:  # (the code itself: for every argument)
            self.fast = None
            self.chosen, self.reason = "numpy", exc.message

    def fall_back(self, exc: BackendError, args: tuple) -> None:
        self.refused[_kinds(args)] = exc.message
        self.chosen, self.reason = "numpy", exc.message

    def takes(self, args: tuple) -> bool:
        """Does Numba run these arguments (not refused for their kinds)?"""
        if self.fast is None:
            return False
        reason = self.refused.get(_kinds(args)) if self.refused else None
        if reason is not None:
            self.chosen, self.reason = "numpy", reason
        return reason is None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.takes(args):
            try:
                result = self.fast(*args, **kwargs)
            except BackendError as exc:
                self.fall_back(exc, args)
            else:
                self.chosen, self.reason = "numba", ""
                return result
        return self.numpy(*args, **kwargs)


class _Made:
    """A forward half's state on `auto`, with what made it: a state Numba
    made is not one the NumPy backward reads (a dict's keys, slices and
    tapes differ), so each backward runs on the backend of its forward."""

    __slots__ = ("state", "by_numba", "args", "kwargs")

    def __init__(self, state: Any, by_numba: bool, args: tuple, kwargs: dict) -> None:
        self.state, self.by_numba, self.args, self.kwargs = state, by_numba, args, kwargs


class AutoSplit:
    """The two halves of a split (`vjp`) on `auto`: the forward on Numba where
    both halves compile, the backward on the forward's backend. A backward
    Numba refuses after a forward it ran runs the forward again on NumPy
    (Numba refuses while typing: no effect is repeated), and arguments of
    those kinds run NumPy from then on."""

    def __init__(self, compiled: Any) -> None:
        self.first = runner(compiled, "auto", 0)
        self.second = runner(compiled, "auto", 1)
        self.numpy_kinds: set[tuple] = set()  # argument kinds whose backward Numba refused

    def forward(self, *args: Any, **kwargs: Any) -> tuple:
        if self.second.fast is None or _kinds(args) in self.numpy_kinds:
            value, state = self.first.numpy(*args, **kwargs)
            return value, _Made(state, False, args, kwargs)
        value, state = self.first(*args, **kwargs)
        return value, _Made(state, self.first.chosen == "numba", args, kwargs)

    def backward(self, made: _Made, seed: Any) -> Any:
        state = made.state
        if made.by_numba:
            try:
                return self.second.fast(state, seed)
            except BackendError as exc:
                self.second.fall_back(exc, (state, seed))
                self.numpy_kinds.add(_kinds(made.args))
                state = self.first.numpy(*made.args, **made.kwargs)[1]
        return self.second.numpy(state, seed)


def halves(compiled: Any, backend: str) -> tuple[Callable, Callable]:
    """What runs the forward and the backward half of a split on `backend`."""
    if backend == "auto":
        pair = AutoSplit(compiled)
        return pair.forward, pair.backward
    return runner(compiled, backend, 0), runner(compiled, backend, 1)


def _kinds(args: tuple) -> tuple:
    """What Numba's choice of machine code depends on: each argument's type,
    and an array's dtype, dimensions and layout."""
    return tuple((np.ndarray, a.dtype.str, a.ndim, a.flags.c_contiguous, a.flags.f_contiguous)
                 if type(a) is np.ndarray else type(a) for a in args)


_SCALAR_TYPES = frozenset({float, int, bool, np.float64})


def settled(run: Callable, args: tuple) -> tuple[Callable, tuple]:
    """What a later call with arguments of exactly these types may run
    directly, once `run(*args)` has run, and the arguments to add after
    them: Numba's dispatcher itself where the arguments are all numbers
    (their types fix the machine code, so nothing can compile again and
    there is no error of Numba's to translate), with the defaults its
    wrapper fills in (the seed), else `run` and none. Saves the wrapper's
    bookkeeping on calls of a microsecond."""
    fast = run.fast if isinstance(run, Auto) else run
    if isinstance(run, Auto) and run.chosen == "numpy":
        return run.numpy, ()
    dispatcher = getattr(fast, "dispatcher", None)
    if dispatcher is None or not dispatcher.overloads or \
            not _SCALAR_TYPES.issuperset(map(type, args)):
        return run, ()
    return dispatcher, fast.filled(len(args))


def compile_count() -> int:
    """How many times Numba made machine code for s2sad (compiled it, or
    loaded it from its cache): one per generated function and combination of
    argument types. 0 if Numba was never used."""
    import sys

    module = sys.modules.get(f"{__package__}.numba_backend")
    return module.COUNTS["compiles"] if module is not None else 0


def numba_cache_stats() -> dict[str, int]:
    """How many compilations Numba loaded from its on-disk cache (`hits`) and
    made anew (`misses`) in this process."""
    import sys

    module = sys.modules.get(f"{__package__}.numba_backend")
    return module.cache_stats() if module is not None else {"hits": 0, "misses": 0}


def describe(compiled: Any, backend: str, args: tuple | None = None,
             kwargs: dict | None = None) -> str:
    """`show`'s account of the backend, and the code it runs: for Numba, the
    module Numba compiles. With `args`, Numba compiles it for them first
    (without running it), so `auto` can say which one they get."""
    if backend == "numpy":
        return compiled.source
    parts = []
    for half in range(len(compiled.built)):
        run = runner(compiled, backend, half)
        if args is not None and half == 0:
            _compile_for(run, args, kwargs or {})
        chosen = run.chosen if isinstance(run, Auto) else "numba"
        reason = f": {run.reason}" if isinstance(run, Auto) and run.reason else ""
        source = compiled.built[half].source if chosen == "numpy" else \
            (run.fast if isinstance(run, Auto) else run).source.text
        parts.append(f"# backend: {chosen}{reason}\n{source}")
    return "\n\n".join(parts)


def _compile_for(run: Callable, args: tuple, kwargs: dict) -> None:
    if isinstance(run, Auto) and not run.takes(args):
        return
    fast = run.fast if isinstance(run, Auto) else run
    try:
        fast.compile_for(args, kwargs)
    except BackendError as exc:
        if not isinstance(run, Auto):
            raise
        run.fall_back(exc, args)
    else:
        if isinstance(run, Auto):
            run.chosen, run.reason = "numba", ""
