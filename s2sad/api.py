"""The public API: grad, value_and_grad, show, check_grad.

`compile_gradient` runs the pipeline parse -> lower -> reverse -> emit ->
compile once per (function code, wrt) and caches the result. The cache entry
remembers which global names picked an adjoint rule (`np` in `np.exp`) and is
dropped if one of them is rebound, so a redefined function or module alias
never gets a stale gradient. Closure variables are shared live, not copied.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import runtime
from .emit import build
from .errors import ArgumentTypeError, Loc, NonScalarOutputError, S2sadError, WrtError
from .ir import format_function
from .lowering import lower
from .parsing import ParsedFunction, is_library_file, parse_function, unwrap
from .reverse import Reverse, split

Wrt = int | str | Sequence[int | str]


@dataclass
class Compiled:
    """A compiled gradient: `func(*args, seed)` returns (value, gradients)."""

    func: Callable
    source_text: Any  # emit.Source: str() unparses on demand
    ir: str
    reversed_ir: str
    guards: dict[str, Any]
    return_loc: Loc | None
    user_fn: types.FunctionType
    code: types.CodeType | None = None  # the user's code it was made from

    @property
    def source(self) -> str:
        return str(self.source_text)

    def valid(self) -> bool:
        namespace = self.user_fn.__globals__
        return all(namespace.get(name, _ABSENT) is obj for name, obj in self.guards.items())


_ABSENT = object()
_CACHE: dict[tuple, Compiled] = {}
_LOCK = threading.RLock()


def _wrt_indices(fn: types.FunctionType, wrt: Wrt, loc: Loc | None) -> tuple[int, ...]:
    code = fn.__code__
    names = list(code.co_varnames[: code.co_argcount])
    if isinstance(wrt, (int, str)):
        items = [wrt]
    elif isinstance(wrt, (tuple, list)):
        items = list(wrt)
    else:
        raise WrtError(f"wrt must be an int, an argument name or a tuple of them, not {wrt!r}",
                       loc, "for example wrt=0, wrt='x' or wrt=(0, 'y')")
    if not items:
        raise WrtError("wrt is empty", loc, "name at least one argument to differentiate")
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise WrtError(f"wrt must be ints or argument names, not {item!r}", loc,
                           "for example wrt=0, wrt='x' or wrt=(0, 'y')")
        if isinstance(item, str):
            if item not in names:
                raise WrtError(f"{fn.__name__} has no argument named {item!r}", loc,
                               f"its arguments are: {', '.join(names)}")
            out.append(names.index(item))
        else:
            if not -len(names) <= item < len(names):
                raise WrtError(
                    f"wrt={item} is out of range: {fn.__name__} takes {len(names)} "
                    f"argument{'s' if len(names) != 1 else ''} ({', '.join(names)})", loc,
                    f"use an index from 0 to {len(names) - 1} or an argument name",
                )
            out.append(item % len(names))
    return tuple(out)


def _def_loc(fn: types.FunctionType) -> Loc | None:
    try:
        return parse_function(fn).loc(None)
    except S2sadError:
        return None


def _cells(fn: types.FunctionType) -> tuple:
    """Identity, not equality: equal code objects from two modules, or closures
    of one factory, must not share a gradient. The cached entry keeps `fn`
    alive, so these ids cannot be reused meanwhile."""
    return (id(fn.__code__), id(fn.__globals__),
            *(id(cell) for cell in fn.__closure__ or ()))


def compile_gradient(f: Callable, wrt: tuple[int, ...], scalars: tuple[int, ...] = (),
                     sequences: tuple[int, ...] = ()) -> Compiled:
    """Transform `f` into its gradient function (cached). `scalars` lists the
    arguments known to be plain numbers: the code specialized for them skips
    every broadcasting check that involves them. `sequences` lists the lists
    and tuples, for which `+` joins rather than adds."""
    fn = unwrap(f)
    key = (fn.__code__, wrt, _cells(fn), scalars, sequences)
    hit = _CACHE.get(key)
    if hit is not None and hit.valid():
        return hit
    with _LOCK:
        compiled = _transform(fn, wrt, scalars, sequences)
        _CACHE[key] = compiled
        return compiled


def scalar_positions(args: tuple) -> tuple[int, ...]:
    return tuple([i for i, a in enumerate(args)
                  if type(a) is float or isinstance(a, (float, int)) and not isinstance(a, bool)])


def sequence_positions(args: tuple) -> tuple[int, ...]:
    return tuple([i for i, a in enumerate(args) if isinstance(a, (list, tuple))])


def _transform(fn: types.FunctionType, wrt: tuple[int, ...], scalars: tuple[int, ...] = (),
               sequences: tuple[int, ...] = ()) -> Compiled:
    parsed: ParsedFunction = parse_function(fn)
    primal, lowerer = lower(parsed)
    ir_text = format_function(primal)
    return_loc = primal.body.stmts[-1].loc
    reverse = Reverse(primal, list(wrt), lowerer.factory, scalars, sequences)
    dfn = reverse.run()
    free = {name.split(".")[0] for name in lowerer.ref_objects} | _EMIT_NAMES
    func, source = build(dfn, fn, free, extra_defaults=(1.0,))
    return Compiled(func, source, ir_text, format_function(dfn), dict(lowerer.guards),
                    return_loc, fn, fn.__code__)


@dataclass
class Split:
    """A user function's gradient in two halves, for calls from other gradients."""

    forward: Callable
    backward: Callable
    source: str
    owner: Any = None  # the user function: keeps the ids in the cache key valid


_SPLIT_CACHE: dict[tuple, Split] = {}


def compile_split(f: Callable, wrt: tuple[int, ...], scalars: tuple[int, ...] = (),
                  sequences: tuple[int, ...] = ()) -> Split:
    """forward(*args) -> (value, state) and backward(state, g) -> grads (cached)."""
    fn = unwrap(f)
    key = (fn.__code__, wrt, _cells(fn), scalars, sequences)
    hit = _SPLIT_CACHE.get(key)
    if hit is not None:
        return hit
    with _LOCK:
        parsed = parse_function(fn)
        primal, lowerer = lower(parsed, helper=True)
        reverse = Reverse(primal, list(wrt), lowerer.factory, scalars, sequences)
        dfn = reverse.run(check_scalar=False)
        fwd, bwd = split(dfn, *reverse.result, lowerer.factory)
        free = {name.split(".")[0] for name in lowerer.ref_objects} | _EMIT_NAMES
        forward, fsrc = build(fwd, fn, free)
        backward, bsrc = build(bwd, fn, free, user_params=False)
        compiled = Split(forward, backward, f"{fsrc}\n\n{bsrc}", fn)
        _SPLIT_CACHE[key] = compiled
        return compiled


_EMIT_NAMES = {"range", "reversed", "len", "slice", "float", "min", "list"}


def _check_args(fn: types.FunctionType, args: tuple, wrt: tuple[int, ...]) -> None:
    names = fn.__code__.co_varnames
    for i in wrt:
        if i >= len(args):
            continue
        value = args[i]
        if not _differentiable(value):
            raise ArgumentTypeError(
                f"cannot differentiate with respect to argument {names[i]!r} of type "
                f"{type(value).__name__}", _def_loc(fn),
                "pass floats, NumPy arrays, or tuples/lists/dicts of them; choose other "
                "arguments with wrt=",
            )


def _differentiable(value: Any) -> bool:
    if type(value) is float or type(value) is np.ndarray and value.dtype.kind in "fc":
        return True  # the common cases, first
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, complex, np.number)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biufc" and value.dtype.kind != "b"
    if isinstance(value, (list, tuple)):
        return all(_differentiable(v) for v in value)
    if isinstance(value, dict):
        return all(_differentiable(v) for v in value.values())
    return False


def _call(compiled: Compiled, args: tuple, kwargs: dict, wrt: tuple[int, ...],
          as_tuple: bool) -> tuple:
    fn = compiled.user_fn
    _check_args(fn, args, wrt)
    try:
        value, grads = compiled.func(*args, **kwargs)
    except RecursionError:
        raise S2sadError(
            f"the gradient of {fn.__name__} recursed too deeply (Python's recursion limit is "
            f"{sys.getrecursionlimit()})", compiled.return_loc,
            "s2sad's gradient of a recursive function uses about twice the stack of the "
            "function itself: raise the limit with sys.setrecursionlimit, or write the "
            "recursion as a loop",
        ) from None
    except S2sadError as exc:
        if exc.loc is None:  # raised by a run-time check: point at the user's line
            raise type(exc)(exc.message, _traceback_loc(exc, fn), exc.hint) from None
        raise
    except runtime.NonScalarOutput as exc:
        what = f"an array of shape {exc.args[0]}" if isinstance(exc.args[0], tuple) \
            else f"a {exc.args[0]}"
        raise NonScalarOutputError(
            f"grad needs {fn.__name__} to return a scalar, but it returned {what}",
            compiled.return_loc,
            "reduce the output (e.g. with np.sum or np.mean), or use a vector-Jacobian "
            "product (s2sad.vjp) for non-scalar outputs",
        ) from None
    bound = args if not kwargs and len(args) == fn.__code__.co_argcount else \
        _bind(fn, args, kwargs)
    if not as_tuple:
        return value, runtime.as_gradient_of(grads, bound[wrt[0]])
    if len(wrt) == 1:
        grads = (grads,)
    return value, tuple(runtime.as_gradient_of(g, bound[i]) for g, i in zip(grads, wrt))


def _traceback_loc(exc: BaseException, fn: types.FunctionType) -> Loc | None:
    """The innermost frame of the user's code: generated code carries the file
    and line numbers of the function it came from (a helper's, in a helper)."""
    import linecache

    ours = os.path.dirname(os.path.abspath(__file__))
    loc = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if not os.path.abspath(code.co_filename).startswith(ours) and \
                os.path.exists(code.co_filename) and not is_library_file(code.co_filename):
            line = tb.tb_lineno
            text = linecache.getline(code.co_filename, line)
            loc = Loc(code.co_filename, line, len(text) - len(text.lstrip()), text)
        tb = tb.tb_next
    return loc



def _bind(fn: types.FunctionType, args: tuple, kwargs: dict) -> list:
    code = fn.__code__
    names = code.co_varnames[: code.co_argcount]
    values = list(args)
    defaults = fn.__defaults__ or ()
    for i in range(len(values), len(names)):
        name = names[i]
        if name in kwargs:
            values.append(kwargs[name])
        else:
            values.append(defaults[i - (len(names) - len(defaults))])
    return values


def _make(f: Callable, wrt: Wrt, with_value: bool) -> Callable:
    fn = unwrap(f)
    indices = _wrt_indices(fn, wrt, None if isinstance(wrt, int) and wrt == 0 else
                           _def_loc(fn))
    as_tuple = not isinstance(wrt, (int, str))

    recent: dict[tuple, Compiled] = {}  # by scalar positions: skips the global cache key

    @functools.wraps(fn)
    def gradient(*args: Any, **kwargs: Any) -> Any:
        kinds = scalar_positions(args), sequence_positions(args)
        compiled = recent.get(kinds)
        if compiled is None or compiled.code is not fn.__code__ or not compiled.valid():
            compiled = recent[kinds] = compile_gradient(fn, indices, *kinds)
        value, grads = _call(compiled, args, kwargs, indices, as_tuple)
        return (value, grads) if with_value else grads

    gradient.__s2sad_wrt__ = indices  # type: ignore[attr-defined]
    return gradient


def grad(f: Callable | None = None, wrt: Wrt = 0) -> Callable:
    """The gradient of a scalar function: `grad(f)(x)` is df/dx at x.

    `wrt` picks the arguments: an index, a name, or a tuple of them (then the
    gradient is a tuple). Usable as `@grad` or `@grad(wrt=(0, 1))`."""
    if f is None:
        return lambda g: grad(g, wrt)
    return _make(f, wrt, with_value=False)


def value_and_grad(f: Callable | None = None, wrt: Wrt = 0) -> Callable:
    """Like `grad`, but returns `(f(*args), gradient)` from one forward pass."""
    if f is None:
        return lambda g: value_and_grad(g, wrt)
    return _make(f, wrt, with_value=True)


# One object with the runtime's, so the rule registry recognizes it wherever it is imported.
stop_gradient = runtime.stop_gradient


def show(f: Callable, wrt: Wrt = 0, ir: bool = False) -> str:
    """The source of the gradient s2sad generates for `f` (or its IR with `ir=True`)."""
    fn = unwrap(f)
    indices = _wrt_indices(fn, wrt, _def_loc(fn))
    compiled = compile_gradient(fn, indices)
    if ir:
        return f"# primal IR\n{compiled.ir}\n\n# reversed IR\n{compiled.reversed_ir}"
    return compiled.source


class GradientCheckError(AssertionError):
    """s2sad's gradient disagrees with central finite differences."""


def numerical_gradient(f: Callable, args: Sequence, index: int, eps: float = 1e-6) -> Any:
    """Central finite differences of scalar `f` with respect to args[index]."""
    args = list(args)
    x = args[index]
    if isinstance(x, (int, float, np.number)) and not isinstance(x, bool):
        def at(v: float) -> float:
            return float(f(*args[:index], v, *args[index + 1:]))
        return (at(float(x) + eps) - at(float(x) - eps)) / (2 * eps)
    arr = np.array(x, dtype=float)
    out = np.zeros_like(arr)
    for i in np.ndindex(arr.shape):
        for sign in (1, -1):
            probe = arr.copy()
            probe[i] += sign * eps
            value = float(f(*args[:index], probe, *args[index + 1:]))
            out[i] += sign * value
    return out / (2 * eps)


def check_grad(f: Callable, *args: Any, wrt: Wrt = 0, eps: float = 1e-6, rtol: float = 1e-4,
               atol: float = 1e-6) -> Any:
    """Compare s2sad's gradient of `f` at `args` with central finite differences.

    Returns the gradient; raises GradientCheckError naming the worst entry."""
    fn = unwrap(f)
    indices = _wrt_indices(fn, wrt, _def_loc(fn))
    result = grad(fn, wrt=wrt)(*args)
    grads = result if isinstance(wrt, (tuple, list)) else (result,)
    for pos, i in enumerate(indices):
        ours = np.asarray(grads[pos], dtype=float)
        numeric = np.asarray(numerical_gradient(fn, args, i, eps), dtype=float)
        if ours.shape != numeric.shape:
            raise GradientCheckError(
                f"gradient for argument {i} has shape {ours.shape}, expected {numeric.shape}")
        err = np.abs(ours - numeric) - (atol + rtol * np.abs(numeric))
        if np.any(err > 0) or not np.all(np.isfinite(ours) == np.isfinite(numeric)):
            worst = np.unravel_index(np.argmax(np.where(np.isnan(err), np.inf, err)), err.shape) \
                if err.ndim else ()
            raise GradientCheckError(
                f"{fn.__name__}: gradient for argument {i} differs from finite differences; "
                f"worst at index {worst}: s2sad {ours[worst]!r} vs numeric {numeric[worst]!r}"
            )
    return result


__all__ = ["grad", "value_and_grad", "stop_gradient", "show", "check_grad",
           "GradientCheckError", "numerical_gradient", "compile_gradient"]
