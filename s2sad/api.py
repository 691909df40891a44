"""The public API: grad, value_and_grad, show, check_grad.

Each transform asks the pipeline (`pipeline.py`) for its compiled result,
keyed by the kinds of the arguments (plain numbers and lists get specialized
code), and keeps the last few in a per-wrapper table so that a call costs a
dictionary lookup and the validity check.
"""

from __future__ import annotations

import copy
import functools
import inspect
import types
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from . import (
    backends,
    calls,  # noqa: F401  (installs the run-time dispatcher)
    pipeline,
    runtime,
)
from .callables import target_of
from .display import GeneratedSource
from .entry import MISS, make_entry, never, takes
from .errors import (
    ArgumentTypeError,
    BackendError,
    NonScalarOutputError,
    S2sadError,
    WrtError,
    recursion_reported,
    too_deep,
)
from .nesting import Derivative, derivative_of, pick
from .parsing import errors_located
from .pipeline import Compiled, Spec
from .randomness import check_same_run
from .runtime import private_copy, separate
from .runtime.functions import carries_derivative, fields_of, is_object, is_record
from .signature import check_binding, layout
from .wrt import Chosen, Wrt, check_args, choose, def_loc, takes_wrt


def compile_gradient(f: Callable, wrt: tuple[int, ...], scalars: tuple[int, ...] = (),
                     sequences: tuple[int, ...] = (), statics: tuple = (),
                     shapes: tuple = (), objects: tuple[int, ...] = (),
                     records: tuple[int, ...] = (), mixed: tuple[int, ...] = ()) -> Compiled:
    """The compiled gradient of `f` (cached): `func(*args)` returns (value,
    gradients). The kinds of arguments it is specialized for are
    `pipeline.argument_kinds(f, args)`'s (what grad compiles for `args`)."""
    return pipeline.compile(f, Spec("grad", wrt, scalars, sequences, statics, shapes, objects,
                                    records, mixed))


def _call(compiled: Compiled, chosen: Chosen, args: tuple, kwargs: dict,
          run: Callable | None = None) -> tuple:
    """Run a compiled gradient for the caller's arguments (with `run`, the
    backend's runner): (value, the gradient of each chosen site, in its
    argument's form)."""
    fn = compiled.user_fn
    check_args(chosen, args, kwargs)
    full_args, full_kwargs = chosen.target.full(args, kwargs)
    if compiled.seed_name in full_kwargs:  # (the generated code would take it as the seed)
        check_binding(chosen.target.fn, full_args, full_kwargs)
        raise ArgumentTypeError(f"the keyword {compiled.seed_name!r} names the seed of "
                                f"{fn.__name__}'s gradient", hint="rename the keyword")
    try:
        with errors_located():  # (a run-time check's error: at the user's line)
            numbers_raised = False
            try:
                value, grads = (run or compiled.func)(*full_args, **full_kwargs)
            except pipeline.NUMBER_ERRORS as exc:
                if runtime.raised_by_user(exc):
                    raise
                numbers_raised = True
            except BackendError:  # (Numba's typing of a call short of an argument)
                check_binding(chosen.target.fn, full_args, full_kwargs)
                raise
            except (TypeError, AttributeError) as exc:
                if isinstance(exc, TypeError):
                    check_binding(chosen.target.fn, full_args, full_kwargs)
                pipeline.derivative_failed(fn, full_args, full_kwargs, exc)
                raise
            if numbers_raised:  # (out of the except clause: the user's own error, if
                # any, is not chained to the one Python's numbers raised)
                value, grads = _with_numpy_scalars(compiled, full_args, full_kwargs)
    except RecursionError:
        raise too_deep("the gradient", fn, compiled.return_loc) from None
    except runtime.NonScalarOutput as exc:
        raise NonScalarOutputError.returned(fn.__name__, exc.args[0], compiled.return_loc,
                                            inspect.isgeneratorfunction(fn)) from None
    value, grads = runtime.materialize((value, grads))  # Dask: one graph execution
    per_param = (grads,) if len(chosen.params) == 1 else separate(tuple(grads))
    if chosen.simple and not kwargs and all(p < len(args) for p, _ in chosen.sites) and \
            not fn.__code__.co_flags & inspect.CO_VARARGS:  # (there, position is parameter)
        out = [runtime.as_gradient_of(g, args[p]) for g, (p, _) in
               zip(chosen.per_site(per_param), chosen.sites)]  # (the common case)
    else:
        out = chosen.gradients(per_param, args, kwargs)
    return value, list(separate(tuple(out)))  # (wrt=(0, 0): two arrays)


_FAST_ENTRIES = 16  # argument types and shapes a gradient remembers (inputs may keep changing)


def _fast_key(args: tuple, params: tuple[int, ...]) -> tuple | None:
    """The key of a call's fast entry: each argument's type, an array's shape
    in its place (types and shapes decide the compiled code and the checks'
    outcome where every argument is a number or an array). None where a
    differentiated array is not floating. (Other kinds never have an entry:
    `entry.takes`.)"""
    key = tuple([a.shape if type(a) is np.ndarray else type(a) for a in args])
    for p in params:
        if p < len(args) and type(args[p]) is np.ndarray and args[p].dtype.kind not in "fc":
            return None
    return key


def _with_numpy_scalars(compiled: Compiled, args: tuple, kwargs: dict) -> tuple:
    """Python's float arithmetic and `math` raise where NumPy gives inf or
    nan: at a point where a derivative is infinite (sqrt at 0) or undefined
    (arctan2 at the origin), or a value overflows. If the function itself
    runs, the error came from the derivative or from `math`; compute again
    with NumPy scalars, as an array would, without the specialization on
    plain numbers (`pipeline.numpy_numbers`)."""
    first = compiled.user_fn(*private_copy(args), **private_copy(kwargs))  # (its own error)
    seed = {compiled.seed_name: np.float64(1.0)}
    with pipeline.numpy_numbers():
        generic = pipeline.compile(compiled.user_fn, replace(compiled.spec, scalars=()))
        try:
            value, grads = generic.func(*pipeline.numpy_scalars(args, compiled.spec.wrt),
                                        **kwargs, **seed)
        except ZeroDivisionError as exc:
            raise pipeline.not_finite(exc) from None
    # (the first run's draws are gone: the two runs here must agree, `randomness.py`)
    check_same_run(compiled.user_fn, first, value, after_numbers=True, rtol=1e-6)
    return value, grads


def _make(f: Callable, wrt: Wrt, with_value: bool, has_aux: bool = False,
          backend: str = "numpy") -> Callable:
    backends.check_backend(backend)
    derivative = derivative_of(f)
    if derivative is not None:
        return _nested(f, derivative, wrt, with_value, backend)
    target = target_of(f)
    fn = target.fn
    try:  # (the function's source is read for the error's location only)
        chosen = choose(target, wrt)
    except WrtError:
        choose(target, wrt, def_loc(fn))
        raise
    params = chosen.params
    # by argument kinds: skips the global cache key
    recent: dict[tuple, tuple[Compiled, Callable]] = {}
    # by the types (and shapes) of positional numbers and arrays (`entry.py`),
    # and the one of the latest call
    fast: dict[tuple, Callable[[tuple], Any]] = {}
    last = never
    plain = chosen.simple and not fn.__code__.co_flags & inspect.CO_VARARGS

    finish = _finisher(chosen.as_tuple, has_aux, with_value)

    @functools.wraps(fn)
    def gradient(*args: Any, **kwargs: Any) -> Any:
        nonlocal last
        key = None
        if plain and not kwargs:
            result = last(args)  # (the kinds of the previous call: the commonest case)
            if result is not MISS:
                return result
            key = _fast_key(args, params)
            entry = fast.get(key) if key is not None else None
            if entry is not None and entry is not last:  # (not twice: it may have raised)
                result = entry(args)
                if result is not MISS:
                    last = entry
                    return result
        full_args, full_kwargs = target.full(args, kwargs)
        kinds = pipeline.argument_kinds(fn, full_args, full_kwargs)
        compiled, run = recent.get(kinds, (None, None))
        if compiled is None or not compiled.valid():
            compiled = pipeline.compile(fn, Spec("grad", params, *kinds, aux=has_aux))
            run = backends.runner(compiled, backend)
            recent[kinds] = (compiled, run)
        value, per_param = _call(compiled, chosen, args, kwargs, run)
        if key is not None and len(fast) < _FAST_ENTRIES and \
                takes(fn.__code__.co_argcount, args, params):
            last = fast[key] = make_entry(
                args, params, *backends.settled(run or compiled.func, args),
                _guard(compiled, fn), [p for p, _ in chosen.sites],
                with_value=with_value, has_aux=has_aux, as_tuple=chosen.as_tuple)
        return finish(value, per_param)

    gradient.__s2sad_wrt__ = params  # type: ignore[attr-defined]
    gradient.__s2sad_transform__ = "grad"  # type: ignore[attr-defined]
    _mark_derivative(gradient, chosen, has_aux, with_value, backend)
    return gradient


def _mark_derivative(gradient: Callable, chosen: Chosen, has_aux: bool, with_value: bool,
                     backend: str) -> None:
    """What `grad(gradient)` needs to differentiate it again (`nesting.py`):
    for whole positional arguments, without auxiliary data."""
    params, target = chosen.params, chosen.target
    if not has_aux and params == tuple(p for p, _ in chosen.sites) and \
            all(item is None for _, item in chosen.sites) and \
            not (chosen.as_tuple and len(params) == 1):  # (a 1-tuple: not the code's layout)
        gradient.__s2sad_derivative__ = Derivative(  # type: ignore[attr-defined]
            target.fn, params, len(params) == 1, path=() if with_value else (1,),
            value=with_value, lead=target.lead, bound=target.bound, backend=backend)
        return
    # (why it cannot be differentiated again: parsing.unwrap's error, or the dispatcher's)
    name, wrapped = target.fn.__name__, getattr(target.fn, "__wrapped__", None)
    if any(item is not None for _, item in chosen.sites) and \
            target.fn.__code__.co_flags & inspect.CO_VARARGS:
        why = f"{name} takes *args (a decorator's wrapper, often), and s2sad differentiates " \
            "a derivative again with respect to whole named arguments only"
        hint = f"differentiate the function it wraps, s2sad.grad(s2sad.grad({name}" \
            ".__wrapped__)), or give the function named parameters" if wrapped is not None \
            else "give the function named parameters (def f(x, y) rather than def f(*args))"
    elif has_aux:
        why = "a derivative made with has_aux=True cannot be differentiated again"
        hint = "take the inner gradient without has_aux (a function returning only the " \
            "value), and compute the auxiliary data with a call of f itself"
    else:
        why = "a derivative with respect to items of an argument, or taken as a one-item " \
            "tuple, cannot be differentiated again"
        hint = "take it with respect to whole arguments, by index or name (wrt=0, wrt='x')"
    gradient.__s2sad_not_nested__ = (  # type: ignore[attr-defined]
        f"differentiating this result of s2sad.grad again: {why}", hint)


def _finisher(as_tuple: bool, has_aux: bool, with_value: bool) -> Callable:
    """What a gradient function returns, from the value and the gradient of
    each differentiated argument: one or a tuple, with the value and the
    auxiliary data as asked."""
    def finish(value: Any, per_param: list) -> Any:
        grads = tuple(per_param) if as_tuple else per_param[0]
        if has_aux:
            (value, aux) = value
            return ((value, aux), grads) if with_value else (grads, aux)
        return (value, grads) if with_value else grads
    return finish


def _guard(compiled: Compiled, fn: types.FunctionType) -> tuple[str, dict]:
    """The compiled code's guards as an expression for a fast entry, reading
    `fn` itself (the gradient function holds it anyway)."""
    test, names = pipeline.guard_test(compiled.guards)
    return test, {**names, "fn": fn}


def _nested(f: Callable, derivative: Derivative, wrt: Wrt, with_value: bool,
            backend: str) -> Callable:
    """The gradient of a scalar-valued derivative (`grad(grad(f))` with a scalar
    argument, or of a function of it): one more forward layer over f's
    gradient, compiled as one function (`nesting.py`)."""
    fn = derivative.fn
    chosen = choose(target_of(f), wrt, def_loc(fn))
    indices = chosen.params
    if not derivative.single or derivative.path[-1:] != (1,) or \
            any(item is not None for _, item in chosen.sites):
        raise NonScalarOutputError(
            f"grad needs a scalar-valued function, and this derivative of {fn.__name__} "
            "returns a tuple", def_loc(fn), "use s2sad.jacobian or s2sad.hessian for the "
            "derivative of a gradient with respect to several arguments")
    outer = replace(derivative.adjoint_of_gradient(indices, 1.0), backend=backend)

    @functools.wraps(f)
    @recursion_reported("the derivative", fn, def_loc(fn))
    def gradient(*args: Any, **kwargs: Any) -> Any:
        check_args(chosen, args, kwargs)
        result = outer.run(args, kwargs)
        # (the tower's own value part is the gradient in this wrt: the inner
        # derivative's value is that only where the two wrt agree)
        value = pick(result, (0, *derivative.path)) if indices == derivative.base else \
            derivative(*args, **kwargs)
        if np.ndim(value) != 0:
            raise NonScalarOutputError(
                f"grad needs a scalar-valued function, but this derivative of {fn.__name__} "
                f"returned an array of shape {np.shape(value)}", def_loc(fn),
                "use s2sad.hessian or s2sad.jacobian for the derivative of a gradient with "
                "respect to an array")
        if np.iscomplexobj(value):
            raise NonScalarOutputError(
                f"grad needs a real-valued function, and this derivative of {fn.__name__} "
                "is complex", def_loc(fn), "differentiate np.real(...) of it, or use "
                "s2sad.jacobian(..., holomorphic=True) for the derivative of a holomorphic one")
        grads = pick(result, outer.path)
        per_param = (grads,) if len(indices) == 1 else tuple(grads)
        grads = chosen.gradients(per_param, args, kwargs)
        grads = tuple(grads) if chosen.as_tuple else grads[0]
        return (value, grads) if with_value else grads

    gradient.__s2sad_transform__ = "grad"  # type: ignore[attr-defined]
    if not with_value:
        gradient.__s2sad_derivative__ = outer  # type: ignore[attr-defined]
    return gradient


@takes_wrt
def grad(f: Callable | None = None, wrt: Wrt = 0, *, has_aux: bool = False,
         backend: str = "numpy") -> Callable:
    """The gradient of a scalar function: `grad(f)(x)` is df/dx at x.

    `wrt` picks the arguments: an index, a name, or a tuple of them (then the
    gradient is a tuple). With `has_aux=True`, f returns `(value, aux)` and
    the gradient comes back as `(gradient, aux)`. Usable as `@grad` or
    `@grad(wrt=(0, 1))`. `grad(grad(f))` and functions that call `grad(f)`
    differentiate too (forward mode over the gradient).

    `backend` runs the generated code: `"numpy"` as Python, `"numba"`
    compiled by Numba (`pip install 's2sad[numba]'`; a BackendError names
    what it cannot compile), `"auto"` with Numba where it compiles and NumPy
    where it does not (docs/backends.md)."""
    if f is None:
        return lambda g: grad(g, wrt, has_aux=has_aux, backend=backend)
    return _make(f, wrt, with_value=False, has_aux=has_aux, backend=backend)


@takes_wrt
def value_and_grad(f: Callable | None = None, wrt: Wrt = 0, *,
                   has_aux: bool = False, backend: str = "numpy") -> Callable:
    """Like `grad`, but returns `(f(*args), gradient)` from one forward pass
    (`((value, aux), gradient)` with `has_aux=True`)."""
    if f is None:
        return lambda g: value_and_grad(g, wrt, has_aux=has_aux, backend=backend)
    return _make(f, wrt, with_value=True, has_aux=has_aux, backend=backend)


# One object with the runtime's, so the table of primitives recognizes it wherever it is imported.
stop_gradient = runtime.stop_gradient


MODES = {
    "grad": lambda w: Spec("grad", w),
    "jvp": lambda w: Spec("primal", (), forwards=(w,), top=True),
    "vjp": lambda w: Spec("split", w),
    "hessian": lambda w: Spec("grad", w, forwards=(w,)),
}


def show(f: Callable, wrt: Wrt = 0, ir: bool = False, mode: str = "grad",
         backend: str = "numpy", args: tuple | None = None) -> GeneratedSource:
    """The source of the code s2sad generates for `f` (or its IR with `ir=True`):
    its gradient (`mode="grad"`), forward mode (`"jvp"`), the two halves a
    pullback runs (`"vjp"`), or forward over reverse mode (`"hessian"`). For
    a derivative s2sad made (`show(grad(grad(f)))`), the code that computes it.

    With `backend="numba"` or `"auto"`, the code that backend runs, under a
    line saying which backend runs it; with `args` (a tuple of arguments),
    the code specialized for them, which Numba then compiles (without
    running it), so `auto` can say whether they get Numba or NumPy.

    The result is a `str`; in Jupyter it renders as highlighted code."""
    backends.check_backend(backend)
    derivative = derivative_of(f)
    if derivative is not None:
        compiled = derivative.compiled(tuple(args or ()), {})
    else:
        if mode not in MODES:
            raise WrtError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        target = target_of(f)
        chosen = choose(target, wrt, def_loc(target.fn))
        spec = MODES[mode](chosen.params)
        if args is not None:
            full_args, full_kwargs = target.full(tuple(args), {})
            kinds = pipeline.argument_kinds(target.fn, full_args, full_kwargs)
            spec = replace(spec, scalars=kinds[0], sequences=kinds[1], statics=kinds[2],
                           shapes=kinds[3], objects=kinds[4], records=kinds[5],
                           mixed=kinds[6])
        compiled = pipeline.compile(target.fn, spec)
    if ir:
        label = {"jvp": "forward-mode IR", "hessian": "forward-over-reverse IR"}.get(
            mode, "reversed IR") if derivative is None else "derived IR"
        return GeneratedSource(
            f"# primal IR\n{compiled.primal_ir}\n\n# {label}\n{compiled.derived_ir}")
    runs_args = args is not None and mode == "grad" and derivative is None
    return GeneratedSource(
        backends.describe(compiled, backend, tuple(args) if runs_args else None))


class GradientCheckError(S2sadError, AssertionError):
    """s2sad's gradient disagrees with central finite differences."""


def numerical_gradient(f: Callable, args: Sequence, index: int, eps: float = 1e-6) -> Any:
    """Central finite differences of the real scalar `f` with respect to
    args[index]: a number, an array, or a dict, list or tuple of them (each
    numeric leaf is perturbed in turn).

    The argument is passed in the form the caller gave it (a Python float as a
    float, a list as a list, an array as an array), in double precision (a
    float32 array is perturbed as float64: a float32 difference quotient would
    carry errors of 1e-2 where float64's are 1e-9). A complex leaf is moved in
    the real and the imaginary direction, giving df/dRe z - i df/dIm z, the
    convention of `grad` (JAX's and autograd's). The result has the
    argument's structure, with a gradient for each leaf."""
    args = list(args)
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or \
            not -len(args) <= index < len(args):
        raise WrtError(f"numerical_gradient's index is the position of the argument in args, "
                       f"from 0 to {len(args) - 1}, not {index!r}",
                       hint="pass args as a list or tuple and the argument's position in it")
    index = int(index) % len(args)

    def value_with(leaf_path: tuple, leaf: Any) -> float:
        moved = _replace_leaf(args[index], leaf_path, leaf)
        value = f(*private_copy(args[:index]), private_copy(moved),
                  *private_copy(args[index + 1:]))
        if np.iscomplexobj(value):
            raise TypeError("numerical_gradient needs a real-valued function; take np.real, "
                            "np.imag or np.abs of a complex output")
        return float(value)

    grads = {path: _leaf_differences(leaf, lambda v, p=path: value_with(p, v), eps)
             for path, leaf in _numeric_leaves(args[index])}
    return _rebuild(args[index], grads)


class _Field(str):
    """A path step that is an object's attribute (not a dict's key)."""


def _numeric_leaves(x: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """(path, leaf) for the numbers and arrays in a (nested) dict, list or
    tuple, or in the attributes of a namedtuple, dataclass or object."""
    if isinstance(x, dict):
        return [leaf for key, value in x.items() for leaf in _numeric_leaves(value, path + (key,))]
    if isinstance(x, (list, tuple)):
        return [leaf for i, value in enumerate(x) for leaf in _numeric_leaves(value, path + (i,))]
    if is_object(x):
        return [leaf for name in fields_of(x) if carries_derivative(getattr(x, name))
                for leaf in _numeric_leaves(getattr(x, name), path + (_Field(name),))]
    if isinstance(x, bool) or not isinstance(x, (int, float, complex, np.number, np.ndarray)):
        return []
    return [(path, x)]


def _replace_leaf(x: Any, path: tuple, value: Any) -> Any:
    """A copy of the structure x (x itself if path is empty) with one leaf replaced."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(x, dict):
        return {k: _replace_leaf(v, rest, value) if k == head else v for k, v in x.items()}
    if isinstance(head, _Field):
        out = copy.copy(x)
        object.__setattr__(out, head, _replace_leaf(getattr(x, head), rest, value))
        return out
    items = [_replace_leaf(v, rest, value) if i == head else v for i, v in enumerate(x)]
    return type(x)(*items) if is_record(x) else type(x)(items)


def _rebuild(x: Any, leaves: dict, path: tuple = ()) -> Any:
    """x's structure with each numeric leaf replaced by leaves[its path]."""
    if path in leaves:
        return leaves[path]
    if isinstance(x, dict):
        return {k: _rebuild(v, leaves, path + (k,)) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        items = [_rebuild(v, leaves, path + (i,)) for i, v in enumerate(x)]
        return type(x)(*items) if is_record(x) else type(x)(items)
    if is_object(x):
        out = copy.copy(x)
        for name in fields_of(x):
            object.__setattr__(out, name, _rebuild(getattr(x, name), leaves,
                                                   path + (_Field(name),)))
        return out
    return x


def _leaf_differences(leaf: Any, value_at: Callable[[Any], float], eps: float) -> Any:
    """The central differences of value_at around `leaf`, which it is given in
    leaf's kind (number, NumPy scalar or array) at double precision."""
    is_complex = np.iscomplexobj(leaf)
    base = np.array(leaf, dtype=np.complex128 if is_complex else np.float64)
    out = np.zeros(base.shape, dtype=base.dtype)
    steps = (1.0, 1j) if is_complex else (1.0,)
    for i in np.ndindex(base.shape):
        for step in steps:
            plus, minus = base.copy(), base.copy()
            plus[i] += step * eps
            minus[i] -= step * eps
            slope = (value_at(_like_leaf(plus, leaf)) - value_at(_like_leaf(minus, leaf))) \
                / (2 * eps)
            out[i] += slope if step == 1.0 else -1j * slope  # df/dRe - i df/dIm
    if isinstance(leaf, np.ndarray):
        return out
    return out[()] if isinstance(leaf, np.generic) else out.item()


def _like_leaf(value: np.ndarray, leaf: Any) -> Any:
    """value (a double-precision array) in the kind of `leaf`: an array, a
    NumPy scalar, or a Python float or complex."""
    if isinstance(leaf, np.ndarray):
        return value
    if isinstance(leaf, np.generic):
        return value[()]
    return value.item()


def check_grad(f: Callable, *args: Any, wrt: Wrt = 0, eps: float = 1e-6, rtol: float = 1e-4,
               atol: float = 1e-6) -> Any:
    """Compare s2sad's gradient of `f` at `args` with central finite differences
    (`numerical_gradient`): arguments may be numbers, arrays, or dicts, lists
    and tuples of them, real or complex (a complex gradient is compared in full,
    real and imaginary parts).

    Returns the gradient; raises GradientCheckError naming the worst entry."""
    target = target_of(f)
    fn = target.fn
    positions = _positions(choose(target, wrt, def_loc(fn)), wrt, len(args))
    result = grad(f, wrt=wrt)(*args)
    grads = result if isinstance(wrt, (tuple, list)) else (result,)
    for pos, i in enumerate(positions):
        numeric = numerical_gradient(f, args, i, eps)
        expected = dict(_numeric_leaves(numeric))
        got = dict(_numeric_leaves(grads[pos]))
        if set(got) != set(expected):
            raise GradientCheckError(
                f"{fn.__name__}: the gradient for argument {i} does not have the argument's "
                f"structure (leaves {sorted(map(str, got))}, expected "
                f"{sorted(map(str, expected))})")
        for path, numeric_leaf in expected.items():
            _compare_leaf(fn.__name__, i, path, got[path], numeric_leaf, rtol, atol)
    return result


def _positions(chosen: Chosen, wrt: Wrt, count: int) -> list[int]:
    """The caller's positions of the arguments check_grad moves."""
    lay = layout(chosen.target.fn)
    offset = len(chosen.target.lead)
    out = []
    for item in (wrt if isinstance(wrt, (tuple, list)) else [wrt]):
        if isinstance(item, str):
            index = lay.names.index(item) if item in lay.names else -1
            if not offset <= index < lay.positional:
                raise WrtError(f"check_grad moves positional arguments; {item!r} is not one",
                               hint="pass the argument positionally and give its position")
            item = index - offset
        out.append(item % count)
    return out


def _compare_leaf(name: str, i: int, path: tuple, ours: Any, numeric: Any, rtol: float,
                  atol: float) -> None:
    ours, numeric = np.asarray(ours), np.asarray(numeric)
    where = f"argument {i}" + "".join(f"[{p!r}]" for p in path)
    if ours.shape != numeric.shape:
        raise GradientCheckError(
            f"{name}: gradient for {where} has shape {ours.shape}, expected {numeric.shape}")
    if np.iscomplexobj(ours) and not np.iscomplexobj(numeric):
        raise GradientCheckError(
            f"{name}: the gradient for the real {where} is complex ({ours.dtype}); a real "
            "argument's gradient is the real part")
    err = np.abs(ours - numeric) - (atol + rtol * np.abs(numeric))
    if np.any(err > 0) or not np.all(np.isfinite(ours) == np.isfinite(numeric)):
        worst = np.unravel_index(np.argmax(np.where(np.isnan(err), np.inf, err)), err.shape) \
            if err.ndim else ()
        raise GradientCheckError(
            f"{name}: gradient for {where} differs from finite differences; "
            f"worst at index {worst}: s2sad {ours[worst]!r} vs numeric {numeric[worst]!r}")


__all__ = ["grad", "value_and_grad", "stop_gradient", "show", "check_grad",
           "GradientCheckError", "numerical_gradient", "compile_gradient"]
