"""Forward mode and the transforms built from both modes: jvp, vjp, jacobian,
hessian, hvp, elementwise_grad, linearize. Names and signatures follow JAX's,
so code and habits carry over.

    out, t = jvp(f, (x,), (v,))       # f(x) and its derivative along v
    out, pullback = vjp(f, x)         # pullback(u) = u^T J, one per primal
    J = jacobian(f)(x)                # shape out.shape + x.shape
    H = hessian(f)(x)                 # forward mode over reverse mode

Each works on functions s2sad made too (`jacobian(grad(f))` is the Hessian):
their derivatives are one more forward layer (`nesting.py`).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import inspect
import types
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import backends, pipeline
from .callables import target_of
from .errors import (
    ArgumentTypeError,
    BackendError,
    NonScalarOutputError,
    S2sadError,
    WrtError,
    recursion_reported,
    too_deep,
)
from .nesting import derivative_of, pick, sum_parts
from .parsing import errors_located
from .pipeline import Compiled, Spec
from .randomness import Draws, check_same_run, is_generator
from .runtime import (
    adjoint_dtype,
    as_gradient_of,
    private_copy,
    raised_by_user,
    separate,
    zeros_like,
)
from .runtime.functions import (
    carries_derivative,
    differentiated_field,
    is_object,
    is_record,
    safe_duck_array,
)
from .signature import check_binding, layout
from .wrt import (
    Chosen,
    Wrt,
    check_args,
    choose,
    container_differentiable,
    def_loc,
    refuse_own_arithmetic,
    takes_wrt,
)

# ---------------------------------------------------------------- forward mode


def jvp(f: Callable, primals: Sequence, tangents: Sequence, *,
        backend: str = "numpy") -> tuple[Any, Any]:
    """`(f(*primals), J @ tangents)`: the value and its derivative along
    `tangents`, one per primal (None: that argument is held fixed), computed
    by generated forward-mode code in one pass (run by `backend`: see grad)."""
    backends.check_backend(backend)
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise ArgumentTypeError("jvp takes the primals and the tangents as tuples, one item "
                                "per argument of the function",
                                hint="s2sad.jvp(f, (x,), (t,)) for a function of one argument")
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ArgumentTypeError(f"jvp got {len(primals)} primals but {len(tangents)} tangents",
                                hint="give one tangent per primal (None to hold one fixed)")
    positions = tuple(i for i, (p, t) in enumerate(zip(primals, tangents))
                      if t is not None and _has_tangent(p, t, i))
    moved = tuple(_as_tangent(tangents[i], primals[i]) for i in positions)
    chosen = choose(target_of(f), positions) if positions else None
    try:
        value, tangent = jvp_at(f, primals, {}, chosen, moved, backend)
    except RecursionError:
        raise too_deep("the derivative", f, chosen and def_loc(chosen.target.fn)) from None
    tangent = separate((tangent,), *tangents)[0]  # (of its own: not a tangent given)
    if is_record(value) or is_object(value):
        tangent = as_gradient_of(tangent, value)
    return value, tangent


def jvp_at(f: Callable, args: tuple, kwargs: dict, chosen: Chosen | None,
           tangents: tuple, backend: str = "numpy") -> tuple[Any, Any]:
    """The value of f and its tangent along `tangents`, one per chosen site
    (None: nothing moves)."""
    if chosen is None:  # (nothing moves: the value, from the user's function on copies)
        value = f(*private_copy(args), **private_copy(kwargs))
        return value, zeros_like(value)
    per_param = chosen.tangents(tangents, args, kwargs)
    derivative = derivative_of(f)
    if derivative is not None:
        value_at, tangent_at = derivative.tangent_paths()
        result = derivative.tangent(chosen.params, per_param).run(args, kwargs)
        return tuple(derivative.in_argument_form(pick(result, at), args, kwargs)
                     for at in (value_at, tangent_at))
    fn = chosen.target.fn
    args, kwargs = chosen.target.full(args, kwargs)
    compiled = compile_jvp(fn, chosen.params, args, kwargs)
    named = dict(zip(compiled.tangent_names[0], per_param))
    try:
        with errors_located():
            return pipeline.run_numbers_safely(
                fn, backends.runner(compiled, backend),
                lambda: compile_jvp(fn, chosen.params, args, kwargs), args, kwargs, named,
                chosen.params, value_of=lambda result: result[0])
    except BackendError:  # (Numba's typing of a call short of an argument)
        check_binding(fn, args, kwargs)
        raise
    except (TypeError, AttributeError) as exc:
        if isinstance(exc, TypeError):
            check_binding(fn, args, kwargs)
        pipeline.derivative_failed(fn, args, kwargs, exc)  # (as grad: an s2sad error)
        raise


def compile_jvp(fn: Any, wrt: tuple[int, ...], args: tuple, kwargs: dict | None = None
                ) -> Compiled:
    kinds = pipeline.argument_kinds(fn, args, kwargs)
    return pipeline.compile(fn, Spec("primal", (), *kinds, forwards=(wrt,), top=True))


def linearize(f: Callable, *primals: Any, backend: str = "numpy") -> tuple[Any, Callable]:
    """`(f(*primals), f_jvp)` where `f_jvp(*tangents)` is the derivative along
    `tangents` at `primals` (each call runs the generated forward mode)."""
    # (at these values: f runs on copies, as the caller may update the arrays
    # in place later, and a function writing into its argument would move them)
    primals = held_copy(tuple(primals))
    # (f_jvp runs f again: on the draws of this run, leaving the generators as they are)
    drawn = Draws(f, primals)
    value = f(*private_copy(primals))
    read = ReadArrays(f, "linearize")

    def f_jvp(*tangents: Any) -> Any:
        read.check()
        if len(tangents) != len(primals):
            raise ArgumentTypeError(
                f"the linearized function takes one tangent per primal linearize was given "
                f"({len(primals)}), and got {len(tangents)}", hint="pass None for a primal "
                "held fixed")
        with drawn.replayed(f, primals):
            again, tangent = jvp(f, primals, tangents, backend=backend)
        check_same_run(f, value, again, rtol=1e-6)  # (f's value and its generated code's)
        return tangent

    f_jvp.__s2sad_transform__ = "linearize"  # type: ignore[attr-defined]
    return value, f_jvp


def _has_tangent(primal: Any, tangent: Any, i: int) -> bool:
    """Does argument i carry a tangent? Integers do not (their derivative is not
    defined); a nonzero tangent for one is an error, not a silent zero."""
    kind = np.asarray(primal).dtype.kind if not isinstance(primal, (list, tuple, dict)) else "f"
    if kind in "biu":
        if np.any(np.asarray(tangent) != 0):
            raise ArgumentTypeError(
                f"argument {i} is an integer, which has no derivative, but its tangent is "
                "not zero", hint="pass floats to differentiate along them, or None as the "
                "tangent to hold the argument fixed")
        return False
    return True


def _as_tangent(tangent: Any, primal: Any) -> Any:
    """A tangent in the primal's form: arrays for arrays, floats for floats;
    a namedtuple's is a tuple, an object's a dict of its attributes'; None
    for an item (a leaf held fixed) is zeros."""
    if tangent is None:
        return zeros_like(primal)
    refuse_own_arithmetic(tangent, "a tangent")
    if is_object(primal):
        out = {}
        for name, value in vars(primal).items():
            if not differentiated_field(value):
                continue
            try:  # (an object of the class, or a dict by attribute name)
                given = tangent[name] if isinstance(tangent, dict) else getattr(tangent, name)
            except (KeyError, AttributeError):
                raise ArgumentTypeError(
                    f"the tangent of a {type(primal).__name__} argument has no value for its "
                    f"attribute {name!r}", hint="pass an object of the same class, or a dict "
                    "by attribute name, as its tangent") from None
            out[name] = _as_tangent(given, value)
        return out
    if isinstance(primal, (list, tuple)):
        if not isinstance(tangent, (list, tuple, np.ndarray)) or len(tangent) != len(primal):
            raise ArgumentTypeError(
                f"the tangent of a {type(primal).__name__} of {len(primal)} items is a "
                f"{type(tangent).__name__}" + (f" of {len(tangent)}" if hasattr(
                    tangent, "__len__") else ""), hint="give one tangent per item (None for "
                "one held fixed)")
        items = [_as_tangent(t, p) if differentiated_field(p) else None
                 for t, p in zip(tangent, primal)]
        return items if isinstance(primal, list) else tuple(items)
    if isinstance(primal, dict):
        missing = [k for k, v in primal.items() if differentiated_field(v) and
                   not (isinstance(tangent, dict) and k in tangent)]
        if missing:
            raise ArgumentTypeError(
                f"the tangent of a dict argument has no value for its key {missing[0]!r}",
                hint="give a tangent for each key that holds numbers (None for one held "
                "fixed); names and flags need none")
        return {k: _as_tangent(tangent[k], v) if differentiated_field(v) else None
                for k, v in primal.items()}
    if isinstance(primal, np.ndarray):
        t = np.asarray(tangent)
        if t.shape != primal.shape:
            raise ArgumentTypeError(f"a tangent has shape {t.shape}, its primal {primal.shape}",
                                    hint="give each tangent its primal's shape")
        # of the primal's dtype: a real tangent of a complex z moves it along
        # the real axis; float32 stays float32
        return t.astype(primal.dtype, copy=False) if primal.dtype.kind in "fc" else t
    if np.ndim(tangent) != 0 and isinstance(primal, (int, float, complex, np.generic)):
        raise ArgumentTypeError(f"a tangent has shape {np.shape(tangent)}, its primal is a "
                                "number", hint="give each tangent its primal's shape")
    if isinstance(primal, complex) and not isinstance(tangent, complex):
        return complex(tangent)
    return tangent


# ---------------------------------------------------------------- reverse mode


def vjp(f: Callable, *primals: Any, has_aux: bool = False, backend: str = "numpy") -> tuple:
    """`(f(*primals), pullback)`, where `pullback(u)` is `u^T J`: a tuple with
    one adjoint per primal (None for integer ones). The forward pass runs
    once; a second call of `pullback` runs it again (the backward pass uses
    up what the forward pass saved). With `has_aux=True`, f returns
    `(value, aux)` and vjp returns `(value, pullback, aux)`."""
    backends.check_backend(backend)
    wrt = tuple(i for i, p in enumerate(primals) if _differentiable(p))
    chosen = choose(target_of(f), wrt) if wrt else None
    try:
        value, pullback = vjp_at(f, primals, {}, chosen, has_aux, backend)
    except RecursionError:
        raise too_deep("the pullback", f, chosen and def_loc(chosen.target.fn)) from None
    n = len(primals)
    read = ReadArrays(f, "vjp")

    @recursion_reported("the pullback", f)
    def by_primal(cotangent: Any) -> tuple:
        read.check()
        grads = pullback(cotangent)
        out: list = [None] * n
        for i, g in zip(wrt, grads):
            out[i] = g
        return tuple(out)

    by_primal.__s2sad_transform__ = "vjp"  # type: ignore[attr-defined]
    if has_aux:
        return value[0], by_primal, value[1]
    return value, by_primal


def vjp_at(f: Callable, args: tuple, kwargs: dict, chosen: Chosen | None,
           has_aux: bool = False, backend: str = "numpy") -> tuple[Any, Callable]:
    """f's value and the pullback giving the adjoints of the chosen sites."""
    derivative = derivative_of(f)
    if derivative is not None:
        return _nested_vjp(derivative, f, args, kwargs, chosen, has_aux)
    if chosen is None:
        return f(*private_copy(args), **private_copy(kwargs)), lambda cotangent: ()
    fn = chosen.target.fn
    full_args, full_kwargs = chosen.target.full(args, kwargs)
    # (the pullback is at these values: an array the caller updates in place
    # later must not move it, so the forward half runs on copies)
    full_args = held_copy(full_args)

    def split_for(call_args: tuple) -> Compiled:
        """The two halves compiled for these arguments' kinds."""
        kinds = pipeline.argument_kinds(fn, call_args, full_kwargs)
        return pipeline.compile(fn, Spec("split", chosen.params, *kinds, aux=has_aux, top=True))

    compiled = split_for(full_args)
    forward, backward = backends.halves(compiled, backend)
    numbers = contextlib.nullcontext
    # (a second pullback runs the forward half again: on this run's draws, `randomness.py`)
    drawn = Draws(fn, full_args, full_kwargs)
    try:
        with errors_located():
            value, state = forward(*full_args, **full_kwargs)
    except (TypeError, BackendError):  # (BackendError: Numba's typing, as above)
        check_binding(fn, full_args, full_kwargs)
        raise
    except pipeline.NUMBER_ERRORS as exc:  # (see api._with_numpy_scalars)
        if raised_by_user(exc):
            raise
        first = fn(*full_args, **full_kwargs)  # (its own error, if any, as it is)
        numbers = pipeline.numpy_numbers
        full_args = pipeline.numpy_scalars(full_args, chosen.params)
        with numbers():
            compiled = split_for(full_args)
            forward, backward = compiled.forward, compiled.backward
            value, state = forward(*full_args, **full_kwargs)
        check_same_run(fn, first, value, after_numbers=True, rtol=1e-6)
    saved = [state]
    out = value[0] if has_aux else value

    def pullback(cotangent: Any) -> tuple:
        if not saved:  # the backward half used up the first forward half's tapes
            with numbers(), drawn.replayed(fn, full_args, full_kwargs):
                again, state = forward(*full_args, **full_kwargs)
            check_same_run(fn, value, again)
            saved.append(state)
        try:
            grads = backward(saved.pop(), _like(cotangent, out))
        except pipeline.NUMBER_ERRORS as exc:  # (Python floats at a singular point: NumPy's)
            if raised_by_user(exc):
                raise
            with pipeline.numpy_numbers(), drawn.replayed(fn, full_args, full_kwargs):
                promoted = pipeline.numpy_scalars(full_args, chosen.params)
                generic = split_for(promoted)
                again, state = generic.forward(*promoted, **full_kwargs)
                grads = generic.backward(state, _like(cotangent, out))
            check_same_run(fn, value, again, rtol=1e-6)  # (other code: NumPy's numbers)
        # each in its argument's form (a real argument's adjoint is real), and
        # an array of its own: not the cotangent, not another's (wrt=(0, 0))
        return separate(tuple(chosen.gradients(grads, args, kwargs)), cotangent)

    return value, pullback


def _nested_vjp(derivative: Any, f: Callable, args: tuple, kwargs: dict, chosen: Chosen,
                has_aux: bool) -> tuple[Any, Callable]:
    """vjp of a derivative s2sad made (grad(g)): one order more of g's."""
    if has_aux:
        raise S2sadError("has_aux is for functions that return (value, aux), not for "
                         "derivatives s2sad made")

    def nested_pullback(cotangent: Any) -> tuple:
        params = chosen.params
        grads = sum_parts(derivative.adjoint(params, cotangent), args, kwargs,
                          len(params) == 1)
        grads = (grads,) if len(params) == 1 else tuple(grads)
        return tuple(chosen.gradients(grads, args, kwargs))

    return f(*args, **kwargs), nested_pullback


def held_copy(x: Any) -> Any:
    """x with its arrays copied, inside lists, tuples, dicts, namedtuples,
    dataclasses and objects too: the values a pullback or a linearized
    function keeps, which the caller may change in place afterwards."""
    return private_copy(x, _held_object)


def _held_object(x: Any) -> Any:
    """A namedtuple or an object with its arrays copied (`held_copy`)."""
    if is_record(x):
        return type(x)._make(held_copy(v) for v in x)
    if not (is_object(x) and hasattr(x, "__dict__")) or is_generator(x):
        return x  # (a generator stays the caller's: its draws advance it, as f's would)
    try:
        new = copy.copy(x)
        for name, value in vars(x).items():
            if type(value) in (np.ndarray, list, tuple, dict) or is_record(value) or \
                    is_object(value):
                object.__setattr__(new, name, held_copy(value))
    except Exception:  # noqa: BLE001 (an object that cannot be copied: as it is)
        return x
    return new


class ReadArrays:
    """The values f's own code reads by name from outside (its module's
    globals, its closure's cells) as they are when vjp or linearize is
    called: arrays (copied), numbers, and lists, tuples and dicts of them.
    The pullback and the linearized function run later and read them then:
    rebound or changed in place by then, they would give the derivative at
    other values than f's, so `check` raises instead."""

    def __init__(self, f: Callable, what: str) -> None:
        self.what = what
        # (how to read it now, its name, the value then, a copy of it then)
        self.held: list[tuple[Callable[[], Any], str, Any, Any]] = []
        try:
            target = target_of(f)
        except S2sadError:
            return
        fn = target.fn
        code, names = fn.__code__, set()
        todo = [code]
        while todo:  # (its comprehensions' and lambdas' code too)
            c = todo.pop()
            names |= set(c.co_names)
            todo += [k for k in c.co_consts if isinstance(k, type(code))]
        space = fn.__globals__
        for name in sorted(names):
            if name in space:
                self.hold(lambda name=name: space.get(name), name, space[name])
            if isinstance(space.get(name), type):  # (a class's data the code reads: `P.scale`)
                own = vars(space[name])
                for attr in sorted(names & set(own)):
                    self.hold(lambda own=own, attr=attr: own.get(attr), f"{name}.{attr}",
                              own[attr])
        for name, cell in zip(code.co_freevars, fn.__closure__ or ()):
            with contextlib.suppress(ValueError):  # (an empty cell)
                self.hold(lambda cell=cell: getattr(cell, "cell_contents", None), name,
                          cell.cell_contents)
        # what the callable binds (a bound method's object, a partial's arguments)
        # and the function's defaults: read when the derivative runs, too
        lay = layout(fn)
        for k, value in enumerate(target.lead):
            self.hold(lambda value=value: value, lay.names[k] if k < len(lay.names) else
                      "a bound argument", value)
        for key, value in target.bound:
            self.hold(lambda value=value: value, key, value)
        defaults = fn.__defaults__ or ()
        for k, value in enumerate(defaults):
            name = lay.names[lay.positional - len(defaults) + k]
            self.hold(lambda k=k: ((fn.__defaults__ or ())[k:k + 1] or (None,))[0], name, value)
        for name, value in (fn.__kwdefaults__ or {}).items():
            self.hold(lambda name=name: (fn.__kwdefaults__ or {}).get(name), name, value)

    def hold(self, now: Callable[[], Any], name: str, value: Any) -> None:
        """Hold `value` (read again by `now()` when checked), if it is one to check."""
        if _kept(value):
            self.held.append((now, name, value, held_copy(value)))

    def check(self) -> None:
        for read, name, value, kept in self.held:
            if read() is not value or not _same_values(value, kept):
                raise S2sadError(
                    f"{name}, which the function reads, changed after {self.what} was "
                    "called: the derivative would be taken at its new value",
                    hint=f"call {'the pullback' if self.what == 'vjp' else 'f_jvp'} before "
                    f"changing {name}, or pass {name} to the function as an argument")


def _kept(value: Any) -> bool:
    """A value ReadArrays holds: an array, a number, a function (by identity:
    rebinding `act = np.exp` after linearize changes the derivative), or a
    list, tuple, dict or plain object of those."""
    if type(value) in (np.ndarray, float, int, complex, bool, np.float64) or \
            isinstance(value, (types.FunctionType, types.BuiltinFunctionType, np.ufunc)):
        return True
    if type(value) in (list, tuple):
        return all(_kept(v) for v in value)
    if type(value) is dict:
        return all(_kept(v) for v in value.values())
    if is_object(value) and hasattr(value, "__dict__") and not callable(value):
        return all(_kept(v) for v in vars(value).values())  # (a config object's fields)
    return False


def _same_values(a: Any, b: Any) -> bool:
    """Does `a` hold what `b`, its held_copy, held?"""
    if type(a) is not type(b):
        return False
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(_same_values(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return a.keys() == b.keys() and all(_same_values(a[k], b[k]) for k in a)
    if is_object(a) and hasattr(a, "__dict__"):
        return _same_values(vars(a), vars(b))
    if type(a) is not np.ndarray:
        return a is b  # (a number: held_copy keeps the object; another is a change)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    try:
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    except TypeError:
        return bool(np.array_equal(a, b))


def _in_adjoint_dtype(cotangent: Any, value: Any) -> Any:
    """A NumPy cotangent in the dtype of the output's adjoints at least, as
    jvp takes tangents: an integer or bool one as floats (the pullback
    negates it: -u of a uint8 u wraps, a bool's has no minus), a float16
    one of a float64 output in float64 (its products would round to
    float16), a Python float of a NumPy output as its NumPy number."""
    have = getattr(cotangent, "dtype", None)
    if have is None:  # a Python number: weak to NumPy 2, as that of a NumPy output
        if not isinstance(value, (np.ndarray, np.generic)) or type(cotangent) not in (
                int, float, complex):
            return cotangent
        return np.result_type(adjoint_dtype(value.dtype), cotangent).type(cotangent)
    least = have if have.kind in "fc" else np.dtype(np.float64)
    want = np.result_type(least, adjoint_dtype(np.result_type(value)))
    return cotangent.astype(want) if want != have else cotangent


def _like(cotangent: Any, value: Any, where: str = "the output") -> Any:
    """The cotangent as the backward half takes it, checked against the
    output's structure: an array or a number of its shape for an array or a
    number, items for a list or tuple (a namedtuple's too), a dict for a
    dict (keys it has), and for an object an object of its class or a dict
    by attribute name (how an object's adjoint is held). None is a zero."""
    if cotangent is None:
        return zeros_like(value)
    refuse_own_arithmetic(cotangent, f"the cotangent of {where}")
    numeric = (np.ndarray, np.generic, float, int, complex)

    def wrong(what: str) -> ArgumentTypeError:
        return ArgumentTypeError(f"the cotangent of {where} is {what}",
                                 hint="give the cotangent the output's structure and shapes")

    if isinstance(value, numeric):
        if not isinstance(cotangent, numeric) or isinstance(cotangent, bool):
            raise wrong(f"a {type(cotangent).__name__}, where the output is an array or number")
        if np.shape(cotangent) != np.shape(value):
            raise wrong(f"of shape {np.shape(cotangent)}, the output of {np.shape(value)}")
        if np.iscomplexobj(cotangent) and not np.iscomplexobj(value):
            raise wrong("complex, where the output is real (its pullback would drop the "
                        "imaginary part): pull back the real and imaginary parts separately")
        return _in_adjoint_dtype(cotangent, value)
    if is_record(value) or type(value) in (list, tuple):
        if not isinstance(cotangent, (list, tuple)) or len(cotangent) != len(value):
            raise wrong(f"{type(cotangent).__name__} {cotangent!r:.60}, where the output is a "
                        f"{type(value).__name__} of {len(value)} items")
        items = [_like(c, v, f"{where}[{k}]") for k, (c, v) in enumerate(zip(cotangent, value))]
        return type(cotangent)._make(items) if is_record(cotangent) else type(cotangent)(items)
    if type(value) is dict:
        if type(cotangent) is not dict or not set(cotangent) <= set(value):
            raise wrong(f"{type(cotangent).__name__} {cotangent!r:.60}, where the output is a "
                        f"dict with keys {list(value)}")
        return {k: _like(c, value[k], f"{where}[{k!r}]") for k, c in cotangent.items()}
    if is_object(value):
        names = [f.name for f in dataclasses.fields(value)] if dataclasses.is_dataclass(value) \
            else list(vars(value)) if hasattr(value, "__dict__") else []
        if type(cotangent) is type(value):
            cotangent = {name: getattr(cotangent, name) for name in names}
        if type(cotangent) is not dict or not set(cotangent) <= set(names):
            raise wrong(f"{type(cotangent).__name__} {cotangent!r:.60}, where the output is a "
                        f"{type(value).__name__}: give one of those, or a dict by attribute")
        return {k: _like(c, getattr(value, k), f"{where}.{k}") for k, c in cotangent.items()}
    return cotangent


def _differentiable(value: Any) -> bool:
    if safe_duck_array(value):  # Dask, CuPy
        return np.dtype(value.dtype).kind in "fc"
    if is_object(value) or is_record(value):
        return carries_derivative(value)
    if isinstance(value, (list, tuple, dict)):
        return container_differentiable(value, _differentiable)
    if isinstance(value, bool):
        return False
    return np.asarray(value).dtype.kind in "fc"


@takes_wrt
def elementwise_grad(f: Callable, wrt: Wrt = 0, *, backend: str = "numpy") -> Callable:
    """autograd's elementwise_grad: the adjoint of ones through f, which is the
    elementwise derivative when each output entry depends only on the input
    entry in its place (the sum of the Jacobian's rows otherwise)."""
    backends.check_backend(backend)
    target = target_of(f)
    fn = target.fn
    chosen = choose(target, wrt, def_loc(fn))

    @functools.wraps(fn)
    def gradient(*args: Any, **kwargs: Any) -> Any:
        check_args(chosen, args, kwargs)
        value, pullback = vjp_at(f, args, kwargs, chosen, backend=backend)
        if not _array_like(value):
            raise NonScalarOutputError(
                f"elementwise_grad needs {fn.__name__} to return an array or a number, and "
                f"it returned a {type(value).__name__}", def_loc(fn),
                "use s2sad.jacobian for a function of several outputs, or s2sad.vjp with a "
                "cotangent of the output's structure")
        grads = pullback(np.ones_like(value) if isinstance(value, np.ndarray) else 1.0)
        return tuple(grads) if chosen.as_tuple else grads[0]

    gradient.__s2sad_transform__ = "elementwise_grad"  # type: ignore[attr-defined]
    return gradient


# ---------------------------------------------------------------- Jacobians and Hessians


@takes_wrt
def jacobian(f: Callable, wrt: Wrt = 0, mode: str = "auto", *,
             has_aux: bool = False, holomorphic: bool = False,
             backend: str = "numpy") -> Callable:
    """The Jacobian: `jacobian(f)(x)` has shape `out.shape + x.shape`; a tuple
    over `wrt` if that is a tuple, and over the outputs if f returns a tuple
    of arrays (outputs first). `mode="forward"` builds it column by column
    with forward mode (one pass per input entry), `"reverse"` row by row with
    reverse mode (one backward pass per output entry), `"auto"` picks the one
    with fewer passes. With `has_aux=True`, f returns `(value, aux)` and the
    result is `(jacobian, aux)`. Complex inputs need `holomorphic=True` (as in
    JAX): the Jacobian is then f'(z), which both modes agree on only for a
    holomorphic f."""
    if mode not in ("auto", "forward", "reverse"):
        raise ArgumentTypeError(f"mode must be 'auto', 'forward' or 'reverse', not {mode!r}")
    backends.check_backend(backend)
    target = target_of(f)
    fn = target.fn
    chosen = choose(target, wrt, def_loc(fn))

    @functools.wraps(fn)
    @recursion_reported("the Jacobian", fn, def_loc(fn))
    def jac(*args: Any, **kwargs: Any) -> Any:
        check_args(chosen, args, kwargs)
        given = chosen.values(args, kwargs)
        for x in given:
            if not _array_like(x):
                raise ArgumentTypeError(
                    f"jacobian and hessian differentiate numbers and arrays, and this "
                    f"argument is a {type(x).__name__}", def_loc(fn),
                    "pass the arrays as separate arguments (grad, jvp and vjp take dicts, "
                    "lists and objects of arrays directly)")
        inputs = [np.asarray(x) for x in given]
        if not holomorphic and any(np.iscomplexobj(x) for x in inputs):
            raise ArgumentTypeError(
                "jacobian of a function of complex inputs is the derivative f'(z) only for "
                "a holomorphic function", def_loc(fn),
                "pass holomorphic=True if f is holomorphic; otherwise differentiate the "
                "real and imaginary parts as separate real inputs")
        # (each pass below runs f again: on the draws of this first run, `randomness.py`)
        draws = Draws(fn, args, kwargs, chosen.target.lead, chosen.target.bound)
        value = f(*private_copy(args), **private_copy(kwargs))
        value, aux = value if has_aux else (value, None)
        outputs = _outputs(value, fn)
        size_in = sum(x.size for x in inputs)
        size_out = sum(np.size(o) for o in outputs)
        # (a real input's reverse pass keeps the real part of what reaches it: a
        # complex output of real inputs needs forward mode, which JAX's jacrev refuses too)
        complex_of_real = any(np.iscomplexobj(o) for o in outputs) and \
            not all(np.iscomplexobj(x) for x in inputs)
        if complex_of_real and mode == "reverse":
            raise ArgumentTypeError(
                "jacobian in reverse mode of a complex output of real inputs would keep only "
                "its real part", def_loc(fn), "use mode='forward' (or 'auto', which does)")
        chosen_mode = mode if mode != "auto" else "forward" if size_in <= size_out or \
            complex_of_real else "reverse"
        several = isinstance(value, tuple)
        build = _jacobian_forward if chosen_mode == "forward" else _jacobian_reverse
        blocks = build(f, args, kwargs, chosen, given, inputs, outputs, several, has_aux,
                       backend, draws)
        per_output = [tuple(row) if chosen.as_tuple else row[0] for row in blocks]
        result = tuple(per_output) if several else per_output[0]
        return (result, aux) if has_aux else result

    jac.__s2sad_transform__ = "jacobian"  # type: ignore[attr-defined]
    return jac


def _array_like(x: Any) -> bool:
    """A number or an array (of any kind NumPy makes from it), not a structure."""
    if isinstance(x, (dict, list, tuple)):
        return False
    return isinstance(x, (int, float, complex, np.ndarray, np.generic)) or \
        hasattr(x, "__array__")


def _outputs(value: Any, fn: Any) -> list:
    """The arrays a function returned (one, or the items of a tuple)."""
    items = list(value) if isinstance(value, tuple) else [value]
    for item in items:
        if isinstance(item, (tuple, list, dict)) or not np.issubdtype(
                np.asarray(item).dtype, np.number):
            raise S2sadError(
                f"jacobian needs {getattr(fn, '__name__', 'the function')} to return numbers "
                f"or arrays (or a tuple of them), and it returned a {type(item).__name__}",
                def_loc(fn), "stack the outputs into arrays, or flatten a structure with "
                "s2sad.ravel(...)[0]")
    return items


def _basis(inputs: list, k: int, j: int, given: list) -> tuple:
    """Tangents that move entry j of input k alone."""
    out = []
    for k2, (x, arg) in enumerate(zip(inputs, given)):
        dtype = _basis_dtype(x)  # (float32 stays float32, as grad keeps it)
        b = np.eye(1, x.size, j, dtype=dtype).reshape(x.shape) if k2 == k else \
            np.zeros(x.shape, dtype)
        out.append(b if np.ndim(arg) or isinstance(arg, np.ndarray) else float(b))
    return tuple(out)


def _basis_dtype(x: Any) -> Any:
    """A basis vector's dtype for x: its own if floating or complex, else float64."""
    kind = np.asarray(x).dtype
    return kind if kind.kind in "fc" else np.float64


def _jacobian_forward(f: Callable, args: tuple, kwargs: dict, chosen: Chosen, given: list,
                      inputs: list, outputs: list, several: bool, has_aux: bool,
                      backend: str, draws: Draws) -> list:
    """blocks[output][input], one forward pass per input entry (each on the
    first run's draws, and checked to give the first pass's value:
    `randomness.py`)."""
    columns: list[list[list]] = [[[] for _ in inputs] for _ in outputs]
    reference: list = []  # (the first pass's value: the same generated code gives it again)
    for k, x in enumerate(inputs):
        for j in range(x.size):
            draws.rewind()
            again, tangent = jvp_at(f, args, kwargs, chosen, _basis(inputs, k, j, given),
                                    backend)
            again = again[0] if has_aux else again
            if reference:
                check_same_run(chosen.target.fn, reference[0], again)
            else:
                reference.append(again)
            tangent = tangent[0] if has_aux else tangent
            for o, part in enumerate(tangent if several else (tangent,)):
                columns[o][k].append(part)
    return [[_block(columns[o][k], np.shape(out), x.shape, -1) for k, x in enumerate(inputs)]
            for o, out in enumerate(outputs)]


def _jacobian_reverse(f: Callable, args: tuple, kwargs: dict, chosen: Chosen, given: list,
                      inputs: list, outputs: list, several: bool, has_aux: bool,
                      backend: str, draws: Draws) -> list:
    """blocks[output][input], one backward pass per output entry."""
    draws.rewind()  # (a second pullback runs the forward half again: checked there)
    _, pullback = vjp_at(f, args, kwargs, chosen, has_aux, backend)
    blocks = []
    for o, out in enumerate(outputs):
        rows: list[list] = [[] for _ in inputs]
        size = int(np.size(out))
        for j in range(size):
            basis = np.eye(1, size, j, dtype=_basis_dtype(out)).reshape(np.shape(out))
            basis = basis if np.ndim(out) else basis.item()  # (a float, or complex)
            cotangent = tuple(basis if o2 == o else zeros_like(v) for o2, v in
                              enumerate(outputs)) if several else basis
            for k, g in enumerate(pullback(cotangent)):
                rows[k].append(g)
        blocks.append([_block(r, np.shape(out), x.shape, 0) for r, x in zip(rows, inputs)])
    return blocks


def _block(parts: list, out_shape: tuple, in_shape: tuple, axis: int) -> Any:
    """Columns (axis -1) or rows (axis 0) stacked into a block of shape
    out_shape + in_shape; a float if that is () (a NumPy number of its dtype
    if that is not float64: float32 stays float32)."""
    parts = [np.asarray(p) for p in parts]  # (float32 stays float32; ints become float64)
    parts = [p if p.dtype.kind in "fc" else p.astype(float) for p in parts]
    if not parts:
        return np.zeros(out_shape + in_shape)
    block = np.stack(parts, axis=axis).reshape(out_shape + in_shape)
    if block.ndim == 0 and block.dtype.kind == "f":
        return float(block) if block.dtype == np.float64 else block[()]
    return block


@takes_wrt
def hessian(f: Callable, wrt: Wrt = 0, *, holomorphic: bool = False,
            backend: str = "numpy") -> Callable:
    """The Hessian of a scalar function: forward mode over the gradient's
    reverse mode, one Hessian-vector product per input entry. Shape
    `x.shape + x.shape`; for a tuple `wrt`, a tuple of tuples of blocks, in
    its order (repeats included)."""
    from .api import grad

    chosen, canonical = _whole_arguments(f, wrt, "hessian")
    inner = jacobian(grad(f, wrt=canonical, backend=backend), wrt=canonical, mode="forward",
                     holomorphic=holomorphic, backend=backend)
    params = chosen.params
    whole = chosen.sites == tuple((p, None) for p in params) and \
        (len(params) > 1 or not chosen.as_tuple)

    @functools.wraps(chosen.target.fn)
    def blocks(*args: Any, **kwargs: Any) -> Any:
        if any(_array_like(v) and np.iscomplexobj(v) for v in
               (chosen.target.value_at(args, kwargs, p, None) for p in params)):
            raise ArgumentTypeError(
                "the Hessian of a real function of complex inputs is the real matrix of its "
                "second derivatives in their real and imaginary parts, which a complex "
                "matrix does not hold (holomorphic=True does not apply: the gradient of a "
                "real function is not holomorphic)", def_loc(chosen.target.fn),
                "differentiate with respect to the real and imaginary parts as real arrays "
                "(z = x + 1j * y), or take Hessian-vector products with s2sad.hvp, which "
                "takes complex inputs")
        try:
            h = inner(*args, **kwargs)
        except NonScalarOutputError as exc:  # (said by the gradient inside: said of hessian)
            raise exc.retold("hessian", _value_only(chosen.target.fn)) from None
        if whole:
            return h  # (wrt names its arguments once each, in order: the blocks as they are)
        h = ((h,),) if len(params) == 1 else h
        sites = [params.index(p) for p, _ in chosen.sites]
        out = separate(tuple(tuple(h[i][j] for j in sites) for i in sites))
        return out if chosen.as_tuple else out[0][0]

    blocks.__s2sad_transform__ = "hessian"  # type: ignore[attr-defined]
    return blocks


def _value_only(fn: Callable) -> str:
    """`lambda x, y=2: f(x, y)[0]`: the code of a function giving the first item
    of what fn returns, with fn's parameters (for a hint)."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return ""
    called = fn.__name__ if fn.__name__.isidentifier() else "f"
    taken = ", ".join(str(p.replace(annotation=p.empty)) for p in params)
    given = ", ".join(("*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD
                       else "") + p.name + (f"={p.name}" if p.kind is p.KEYWORD_ONLY else "")
                      for p in params)
    return f"lambda {taken}: {called}({given})[0]"


def _whole_arguments(f: Callable, wrt: Wrt, what: str) -> tuple[Chosen, Any]:
    """The sites `wrt` names for a second-order transform, and a `wrt` naming
    their parameters once each, in order, as grad differentiates again: by
    name, one or a tuple. Items of *args or **kwargs are refused."""
    target = target_of(f)
    chosen = choose(target, wrt, def_loc(target.fn))
    if any(item is not None for _, item in chosen.sites):
        wrapped = getattr(target.fn, "__wrapped__", None)
        raise WrtError(f"{what} differentiates whole arguments, and wrt names an item of "
                       "*args or **kwargs", def_loc(target.fn),
                       f"differentiate the function this wrapper wraps, s2sad.{what}"
                       f"({target.fn.__name__}.__wrapped__), or give it named parameters"
                       if wrapped is not None else
                       "take the values as a named argument (an array, or a tuple of them)")
    names = tuple(layout(target.fn).names[p] for p in chosen.params)
    return chosen, names[0] if len(names) == 1 else names


@takes_wrt
def hvp(f: Callable, wrt: Wrt = 0, *, backend: str = "numpy") -> Callable:
    """`hvp(f)(*args, v)`: the Hessian of scalar f at args times v (a tuple of
    vectors for a tuple `wrt`, in its order), in one forward-over-reverse pass."""
    from .api import grad

    chosen, canonical = _whole_arguments(f, wrt, "hvp")
    params = chosen.params
    gradient = grad(f, wrt=canonical, backend=backend)
    moved = choose(target_of(gradient), canonical)

    @functools.wraps(chosen.target.fn)
    @recursion_reported("the Hessian-vector product", chosen.target.fn,
                        def_loc(chosen.target.fn))
    def product(*args_and_v: Any, **kwargs: Any) -> Any:
        *args, v = args_and_v
        directions = tuple(v) if chosen.as_tuple else (v,)
        if len(directions) != len(chosen.sites):
            raise ArgumentTypeError(f"hvp got {len(directions)} vectors for "
                                    f"{len(chosen.sites)} differentiated arguments",
                                    hint="give v as a tuple with one vector per argument")
        directions = tuple(  # (each of its argument's shape: never broadcast)
            _as_tangent(d, chosen.target.value_at(tuple(args), kwargs, param, item))
            for d, (param, item) in zip(directions, chosen.sites))
        per_param = []  # (an argument named twice moves along the sum of its vectors)
        for p in params:
            mine = [d for d, (q, _) in zip(directions, chosen.sites) if q == p]
            per_param.append(functools.reduce(lambda a, b: a + b, mine))
        try:
            _, tangent = jvp_at(gradient, tuple(args), kwargs, moved, tuple(per_param))
        except NonScalarOutputError as exc:
            raise exc.retold("hvp", _value_only(chosen.target.fn)) from None
        except TypeError:  # (f's own TypeError for a call short of an argument)
            check_binding(chosen.target.fn, tuple(args), kwargs)
            raise
        tangents = (tangent,) if len(params) == 1 else tuple(tangent)
        values = [chosen.target.value_at(tuple(args), kwargs, p, None) for p in params]
        tangents = tuple(as_gradient_of(t, v) if is_record(v) or is_object(v) or
                         isinstance(v, (dict, list, tuple)) else t
                         for t, v in zip(tangents, values))  # (a dataclass's: one, as grad's)
        out = separate(tuple(chosen.per_site(tangents)))
        return out if chosen.as_tuple else out[0]

    product.__s2sad_transform__ = "hvp"  # type: ignore[attr-defined]
    return product


__all__ = ["jvp", "vjp", "linearize", "jacobian", "hessian", "hvp", "elementwise_grad"]
