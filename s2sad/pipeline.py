"""The compiler's one pipeline, its one cache and its validity check.

    parse -> lower -> guard -> analyse -> prepare -> analyse -> reverse
          -> (split) -> emit and compile

`compile(f, spec)` runs it for every kind of transform: `grad` (a function
returning the value and the gradient of a scalar function), `split` (a
forward half and a backward half, for calls from other gradients) or
`primal` (the function itself), then any forward-mode layers over that:
`primal` with one layer is a JVP, `grad` with one a Hessian-vector product,
and each further layer one more order of derivative. Results
are cached by the function's code, its globals and closure cells, and the
spec (which arguments, and which are plain numbers or lists at this call).

Results are kept per function object, weakly: they go when the function
does. A cached result is valid while the names it baked in still hold: every free
name whose identity chose what the generated code does (`np` in `np.exp`, a
helper `act = np.tanh`, `range`, `len`), wherever Python found it (module
globals, builtins, closure cells), the names the generated code shares with
the user's, and the function's defaults. Checking costs a few dictionary
lookups per call. Callees are compiled when first called, through the
dispatcher (`calls.py`), which checks their own results the same way, so
the check is transitive.
"""

from __future__ import annotations

import builtins
import collections
import contextlib
import functools
import logging
import sys
import threading
import time
import types
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import primitives
from .aliasing import guard_inplace_updates
from .analysis import SELF_CALLS_RETURN, Facts, analyze, varied_in_memory
from .emit import Built, build
from .errors import ArgumentTypeError, Loc, NoAdjointError
from .forward import forward
from .ir import Assign, Function, Var, VarFactory, format_function, walk
from .lowering import Lowered, lower
from .parsing import is_library_file, parse_function, unwrap, user_frame_loc
from .prepare import drop_settled_checks, prepare
from .randomness import check_same_run, refuse_second_run
from .receivers import check_receivers
from .recursion import (
    call_halves_directly,
    mark_self_backward,
    mark_self_calls,
    owned_adjoints,
    runs_only_numpy,
)
from .reverse import Reversed, reverse
from .runtime import private_copy, raised_by_user
from .runtime.functions import is_object, is_record
from .scalars import use_math
from .signature import layout
from .split import split

KINDS = ("grad", "split", "primal")


@dataclass(frozen=True)
class Spec:
    """What to compile: the transform, its `wrt` parameters, and which
    arguments are plain numbers and which lists or tuples at this call (the
    generated code is specialized for them)."""

    kind: str
    wrt: tuple[int, ...]
    scalars: tuple[int, ...] = ()
    sequences: tuple[int, ...] = ()
    # Arguments whose value picks what the code does, and the value: a module
    # (`xp.sum(x)` is then NumPy's sum), an object with a rule (`act(x)` with
    # act=np.tanh is tanh's rule). The cache key holds them.
    statics: tuple[tuple[int, Any], ...] = ()
    # (position, shape) of the arguments that are NumPy arrays, when the code
    # is specialized for their shapes (`argument_kinds` decides; empty: any)
    shapes: tuple[tuple[int, tuple[int, ...]], ...] = ()
    # Arguments that are objects of the user's classes, and namedtuples: their
    # methods and attributes are theirs, never ndarray's (`o.mean()`, `o.shape`);
    # an object's `o[i]` is its __getitem__ (a namedtuple's, a tuple's item)
    objects: tuple[int, ...] = ()
    records: tuple[int, ...] = ()
    # Containers that hold such an object (or too many items to look at): their
    # items may be objects (`receivers.py` checks them where they meet NumPy)
    mixed: tuple[int, ...] = ()
    # Forward-mode layers over the result, each with its own `wrt` (parameters
    # of the function it transforms: the user's, then seeds and tangents).
    forwards: tuple[tuple[int, ...], ...] = ()
    aux: bool = False  # the function returns (value, auxiliary data): differentiate the value
    # The function is a class's __init__ run as its constructor: its first
    # argument is the new object, which it may change and which it returns.
    construct: bool = False
    # The function is a method setting attributes of its first argument, its
    # object (`runtime.UpdatingMethod`): it returns (its result, the object).
    updates: bool = False
    # The halves of a split the user asked for (`vjp`): its arguments are the
    # transform's own copies, so the function may write into them, as under
    # grad; a callee's halves (False) must not, as its caller reads them.
    top: bool = False


def argument_kinds(fn: types.FunctionType, args: tuple, kwargs: dict | None = None
                   ) -> tuple[tuple[int, ...], tuple[int, ...], tuple[tuple[int, Any], ...],
                              tuple[tuple[int, tuple[int, ...]], ...], tuple[int, ...],
                              tuple[int, ...], tuple[int, ...]]:
    """(positions of plain numbers, positions of containers, static values,
    array shapes, positions of objects, positions of namedtuples, positions
    of containers that may hold objects) among `fn`'s parameters for a call
    with `args` and `kwargs`: lists and tuples given as arguments, and the
    `*args` tuple and `**kwargs` dict, always, are containers; modules and
    objects with rules are static (`Spec.statics`); NumPy arrays' shapes are
    given while `fn` has been compiled for few sets of shapes
    (`SHAPE_VARIANTS`); objects of the user's classes are `Spec.objects`,
    namedtuples (containers too) `Spec.records`."""
    lay = layout(fn)
    values = lay.values(args, kwargs)
    scalars, sequences, statics, shapes, objects, records = [], [], [], [], [], []
    mixed = []
    for i, a in values.items():
        if type(a) not in _PLAIN_TYPES:
            check_builtin_subclass(a, fn, i)
        if _is_scalar(a):
            scalars.append(i)
        elif type(a) is np.ndarray:
            shapes.append((i, a.shape))
        elif isinstance(a, (list, tuple)):
            sequences.append(i)
            if is_record(a):
                records.append(i)
            if not _plain_container(a):
                mixed.append(i)
        elif isinstance(a, types.ModuleType) or _has_rule(a):
            statics.append((i, a))
        elif is_object(a):
            objects.append(i)
    if lay.varkw is not None:
        sequences.append(lay.varkw)
    if _NUMBERS.numpy:  # (computing again with NumPy's scalars)
        scalars = []
    return tuple(sorted(scalars)), tuple(sorted(sequences)), tuple(statics), \
        _shape_variant(fn, tuple(sorted(shapes))), tuple(objects), tuple(records), \
        tuple(mixed)


_PLAIN_TYPES = frozenset({float, int, bool, complex, np.ndarray, np.float64, list, tuple, dict,
                          type(None), str})
# what a subclass of ndarray, list, dict or tuple may define without changing
# what its values are (a namedtuple's own methods among them)
_HARMLESS = frozenset({"__new__", "__init__", "__repr__", "__str__", "__doc__", "__module__",
                       "__dict__", "__weakref__", "__slots__", "__qualname__", "__annotations__",
                       "__getnewargs__", "__reduce__", "__reduce_ex__", "__setstate__",
                       "__getstate__", "__array_finalize__", "__init_subclass__",
                       "__class_getitem__", "__format__", "__hash__", "__orig_bases__",
                       "__match_args__", "__array_priority__", "__sizeof__", "__dir__"})


def _plain_container(a: Any, budget: list | None = None) -> bool:
    """Does the list, tuple or dict `a` hold only numbers, arrays and such
    containers (looking at 64 values at most: more, and it may hold anything)?"""
    budget = [64] if budget is None else budget
    for item in (a.values() if isinstance(a, dict) else a):
        budget[0] -= 1
        if budget[0] < 0:
            return False
        if type(item) in (list, tuple, dict):
            if not _plain_container(item, budget):
                return False
        elif not (type(item) in _PLAIN_TYPES or isinstance(item, (np.generic, str))):
            return False
    return True


def check_builtin_subclass(a: Any, fn: types.FunctionType, position: int) -> None:
    """Refuse an argument of a subclass of ndarray (or, of the user's, of list,
    dict or tuple) that overrides its base's methods (`__getitem__`, `sum`,
    `__mul__`): s2sad takes it for its base, whose derivative rules the
    overrides would not follow."""
    for base in (np.ndarray, list, dict, tuple):
        cls = type(a)
        if cls is base or not isinstance(a, base):
            continue
        if base is not np.ndarray and is_library_file(getattr(
                sys.modules.get(cls.__module__), "__file__", "") or ""):
            return  # (OrderedDict, defaultdict: a dict's values)
        own = {name for k in cls.__mro__[:cls.__mro__.index(base)] for name in vars(k)}
        changed = sorted(name for name in own - _HARMLESS if hasattr(base, name))
        if changed:
            raise ArgumentTypeError(
                f"argument {position} of {fn.__qualname__} is a {cls.__name__}, a subclass of "
                f"{base.__name__} that overrides {', '.join(changed[:4])}: s2sad differentiates "
                f"it as a {base.__name__}, which the overrides would not follow",
                hint=f"pass a plain {base.__name__} (np.asarray(x), list(x), dict(x)), or "
                "an object of your own class holding the data")
        return


SHAPE_VARIANTS = 4  # sets of argument shapes a function is specialized for; then any


def _shape_variant(fn: types.FunctionType, shapes: tuple) -> tuple:
    """`shapes`, if `fn` is specialized for them (already, or as one of its
    first SHAPE_VARIANTS sets of shapes); else () for code that takes any
    shapes: inputs that keep changing shape are not compiled again each time."""
    if not shapes:
        return ()
    seen = _SHAPES_SEEN.get(fn)
    if seen is None:
        seen = _SHAPES_SEEN.setdefault(fn, set())
    if shapes in seen:
        return shapes
    if len(seen) >= SHAPE_VARIANTS:
        return ()
    seen.add(shapes)
    return shapes


def _has_rule(a: Any) -> bool:
    """An object with a rule in the table (`np.tanh`), met as an argument."""
    return callable(a) and not isinstance(a, type) and primitives.for_object(a) is not None


_SHAPES_SEEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # fn -> shape sets


class _NumberMode(threading.local):
    """Per thread: inside `numpy_numbers`? (A class attribute as the default:
    read on every dispatched call, so no getattr with a default.)"""

    numpy = False


_NUMBERS = _NumberMode()

# What Python's numbers and `math` raise where NumPy's scalars give inf or nan.
NUMBER_ERRORS = (ZeroDivisionError, ValueError, OverflowError)


def specializing_numbers() -> bool:
    """Is code compiled now specialized for Python's numbers (not inside
    `numpy_numbers`)? Part of any cache key derived from argument types."""
    return not _NUMBERS.numpy


@contextlib.contextmanager
def numpy_numbers() -> Iterator[None]:
    """Compile and run without specializing on plain numbers (no `math`, no
    scalar shape facts), for computing again with NumPy's scalars where
    Python's numbers raised (`NUMBER_ERRORS`) inside a derivative."""
    previous = _NUMBERS.numpy
    _NUMBERS.numpy = True
    try:
        yield
    finally:
        _NUMBERS.numpy = previous


def run_numbers_safely(fn: Callable, run: Callable, generic: Callable[[], Compiled],
                       args: tuple, kwargs: dict, named: dict,
                       differentiated: tuple[int, ...] = (),
                       value_of: Callable[[Any], Any] | None = None) -> Any:
    """`run(*args, **kwargs, **named)`: code compiled for Python's numbers,
    given the user's `fn` and the tangents `named`. Where Python's numbers or
    `math` raise (NUMBER_ERRORS) but `fn` itself runs (its own errors stay
    as they are), `generic()` compiles again under `numpy_numbers` and runs
    with NumPy's scalars, which give inf or nan as an array would."""
    try:
        return run(*args, **kwargs, **named)
    except NUMBER_ERRORS as exc:
        if raised_by_user(exc):  # (the user's own `raise`: as it is)
            raise
    if value_of is None:  # (where the result's value is not at hand to compare)
        refuse_second_run(fn, args, kwargs)
    first = fn(*private_copy(args), **private_copy(kwargs))  # (its own error stays as it is)
    with numpy_numbers():
        promoted = dict(zip(named, numpy_scalars(tuple(named.values()), tuple(range(len(named))))))
        try:
            result = generic().func(*numpy_scalars(args, differentiated), **kwargs, **promoted)
        except ZeroDivisionError as exc:  # (a `math` function's Python float met 0 again)
            raise not_finite(exc) from None
    if value_of is not None:  # (the first run's draws are gone: these two must agree)
        check_same_run(fn, first, value_of(result), after_numbers=True, rtol=1e-6)
    return result


def not_finite(exc: ZeroDivisionError) -> NoAdjointError:
    """The error where the retry with NumPy's numbers still divided by zero:
    `math`'s functions return Python floats, which raise where NumPy's give
    inf or nan."""
    return NoAdjointError(
        "the derivative is not a finite number here: a division by zero in it, where the "
        "`math` module's functions return Python floats (which raise, where NumPy's give "
        "inf or nan)", user_frame_loc(exc), "NumPy's functions (np.sqrt for math.sqrt) give "
        "inf or nan there; or take the derivative away from this point")


def derivative_failed(fn: Callable, args: tuple, kwargs: dict, exc: Exception) -> None:
    """Where the generated code raised a TypeError or AttributeError that the
    user's function does not (run again, on copies), the derivative code
    failed: an s2sad error at the user's line, not Python's from inside."""
    if raised_by_user(exc):
        return
    try:
        fn(*private_copy(args), **private_copy(kwargs))
    except Exception:
        return  # (the user's own error: raised as it is)
    rule = _failed_rule(exc)
    if rule is not None:
        kind, name = rule
        raise NoAdjointError(
            f"the {kind} rule {name} given to s2sad failed ({type(exc).__name__}: {exc})",
            user_frame_loc(exc), "an adjoint rule is rule(g, ans, *args) and returns one adjoint "
            "per positional argument (autograd's rule(ans, *args) returning a function of g "
            "is written lambda g, ans, *args: rule(ans, *args)(g)); a tangent rule is "
            "rule(primals, tangents) -> (value, tangent)") from None
    raise NoAdjointError(
        f"s2sad's derivative code failed here ({type(exc).__name__}: {exc})",
        user_frame_loc(exc), "an operation on an object that s2sad differentiates as "
        "NumPy's (an operator your class overloads) is the usual cause: compute on the "
        "arrays the object holds") from None


def _failed_rule(exc: Exception) -> tuple[str, str] | None:
    """(kind, name) of a rule the user gave (`defvjp`, `defjvp`) that `exc`
    came from: raised inside it, or by calling it with the wrong arguments."""
    codes = set()
    tb = exc.__traceback__
    while tb is not None:
        codes.add(tb.tb_frame.f_code)
        tb = tb.tb_next
    for _, vjp_rule, jvp_rule in list(primitives.USER_RULED.values()):
        for kind, rule in (("adjoint", vjp_rule), ("tangent", jvp_rule)):
            name = getattr(rule, "__name__", "")
            if rule is not None and (getattr(rule, "__code__", None) in codes or
                                     name and name != "<lambda>" and f"{name}()" in str(exc)):
                return kind, name
    return None


def numpy_scalars(values: tuple, differentiated: tuple[int, ...] = ()) -> tuple:
    """`values` with Python floats as NumPy's float64 (inf or nan where a
    Python float raises: `1.0 / 0.0`), and ints at the `differentiated`
    positions too (a derivative takes them for floats). Other ints stay
    Python's: as int64 they would overflow, refuse negative powers and fail
    `isinstance(n, int)`."""
    return tuple(np.float64(v) if type(v) is float or type(v) is int and k in differentiated
                 else v for k, v in enumerate(values))


def _is_scalar(a: Any) -> bool:
    return type(a) is float or (isinstance(a, (float, int)) and not isinstance(a, bool))


_ABSENT = object()
_EPOCH = [0]  # bumped when rules change: every result compiled before is stale


def invalidate() -> None:
    """Make every compiled result stale (a user gave a function new rules)."""
    _EPOCH[0] += 1


class Guards:
    """What a compiled result assumed about the user's names: `dicts` holds
    (namespace, name, object) triples, `cells` (closure cell, object) pairs,
    `attrs` (object, attribute, value) triples, all compared by identity; and
    the function's own code and defaults (keyword defaults, a dict that can be
    edited in place, by value). The function is held weakly.

    `hold()` runs on every call of a derivative, so it is itself generated:
    one expression comparing each baked-in name with its object (`_checker`),
    about half the time of a loop over the triples."""

    __slots__ = ("fn", "code", "defaults", "kwdefaults", "dicts", "cells", "attrs", "epoch",
                 "hold")

    def __init__(self, fn: types.FunctionType, dicts: list, cells: list, attrs: list) -> None:
        self.epoch = _EPOCH[0]
        self.fn = weakref.ref(fn)
        self.code, self.defaults = fn.__code__, fn.__defaults__
        self.kwdefaults = dict(fn.__kwdefaults__) if fn.__kwdefaults__ else None
        self.dicts, self.cells, self.attrs = tuple(dicts), tuple(cells), tuple(attrs)
        self.hold: Callable[[], bool] = _checker(self)


def guard_test(guards: Guards) -> tuple[str, dict[str, Any]]:
    """The guards as one Python expression and the names it reads: True
    while the function `fn` (a name the expression reads, bound by the
    caller), its defaults and every baked-in name are as they were. It may
    raise ValueError, AttributeError or KeyError (an emptied cell, a deleted
    attribute or global), which mean False. Also inlined by `entry.py`."""
    bound: dict[str, Any] = {"EPOCH": _EPOCH, "epoch": guards.epoch, "code": guards.code,
                             "defaults": guards.defaults, "kwdefaults": guards.kwdefaults}
    tests = ["EPOCH[0] == epoch", "fn.__code__ is code", "fn.__defaults__ is defaults",
             "not fn.__kwdefaults__" if guards.kwdefaults is None else
             "(fn.__kwdefaults__ or None) == kwdefaults"]
    for k, (namespace, name, obj) in enumerate(guards.dicts):
        bound[f"ns_{k}"], bound[f"obj_{k}"] = namespace, obj
        tests.append(f"{name!r} not in ns_{k}" if obj is _ABSENT else
                     f"ns_{k}[{name!r}] is obj_{k}")  # (a subscript: a method call slower)
    for k, (cell, obj) in enumerate(guards.cells):
        bound[f"cell_{k}"], bound[f"held_{k}"] = cell, obj
        tests.append(f"cell_{k}.cell_contents is held_{k}")
    for k, (owner, name, value) in enumerate(guards.attrs):
        bound[f"owner_{k}"], bound[f"attr_{k}"], bound[f"value_{k}"] = owner, name, value
        tests.append(f"getattr(owner_{k}, attr_{k}) is value_{k}")
    return " and ".join(tests), bound


def _checker(guards: Guards) -> Callable[[], bool]:
    """`guards.hold`: True while the function, its defaults and every baked-in
    name are as they were (False if a cell was emptied or an attribute
    deleted, so the caller compiles again and reports what it finds)."""
    test, bound = guard_test(guards)
    bound["fn_ref"] = guards.fn
    source = "\n".join([
        "def hold():",
        "    fn = fn_ref()",
        "    if fn is None:",
        "        return False",
        "    try:",
        f"        return {test}",
        "    except (ValueError, AttributeError, KeyError):  # (an emptied cell, a deleted name)",
        "        return False"])
    exec(compiled_source(source, "<s2sad guards>"), bound)
    return bound["hold"]


@functools.lru_cache(maxsize=1024)
def compiled_source(source: str, filename: str) -> types.CodeType:
    """Python's compile of generated glue code (guards, entries), once per
    text: functions of one code made again (a lambda in a loop) have the same."""
    return builtins.compile(source, filename, "exec")


@dataclass
class Compiled:
    """A compiled transform. For `grad`: `func(*args, seed)` returns (value,
    gradients). For `split`: `forward(*args)` returns (value, state) and
    `backward(state, seed)` the gradients of the `wrt` parameters. Each
    forward layer adds keyword parameters for its tangents (`tangent_names`)
    and makes the result (result, its tangent)."""

    spec: Spec
    guards: Guards
    built: list[Built]
    primal_ir: str
    derived_ir: str
    return_loc: Loc | None
    seed_name: str = ""  # the parameter of `func` or `backward` that takes the seed
    # per forward layer: the keyword parameters taking its tangents
    tangent_names: tuple[tuple[str, ...], ...] = ()
    func: Callable | None = None
    forward: Callable | None = None
    backward: Callable | None = None
    # per (backend, half): the callable that runs `built[half]` (`backends.runner`)
    runners: dict = field(default_factory=dict, repr=False)

    @property
    def user_fn(self) -> types.FunctionType:
        """The function this was compiled from (held weakly by the cache)."""
        fn = self.guards.fn()
        assert fn is not None, "a compiled result outlived its function"
        return fn

    @property
    def source(self) -> str:
        return "\n\n".join(b.source for b in self.built)

    def valid(self) -> bool:
        return self.guards.hold()

    def rebound(self, fn: types.FunctionType, cells: tuple,
                check: bool = True) -> Compiled | None:
        """This result for `fn`, with fn's closure cells where this result's
        code reads `cells` (those of the function it was made for, or the
        empty ones of a `Reusable`): the generated functions made again, and
        the guards checked against fn. None if a guard does not hold (a
        closure variable whose identity chose the code is another object)."""
        swap = {id(old): new for old, new in zip(cells, fn.__closure__ or ())}
        guarded = [(swap.get(id(cell), cell), obj) for cell, obj in self.guards.cells]
        guards = Guards(fn, list(self.guards.dicts), guarded, list(self.guards.attrs))
        if check and not guards.hold():
            return None
        olds = {id(b.func): b.func for b in self.built}
        holding = {}  # a cell holding one of the generated functions (its own recursion)
        for b in self.built:
            for cell in b.func.__closure__ or ():
                if id(cell) in swap:
                    continue
                try:
                    held = cell.cell_contents
                except ValueError:  # (an empty cell)
                    continue
                if id(held) in olds:
                    holding[id(cell)] = (types.CellType(), held)
                elif hasattr(held, "compiled"):
                    return None  # (a call site of its own recursion, which holds this result)
        made: dict[int, types.FunctionType] = {}
        built = []
        for b in self.built:
            old = b.func
            closure = tuple(holding[id(c)][0] if id(c) in holding else swap.get(id(c), c)
                            for c in old.__closure__ or ())
            new = types.FunctionType(old.__code__, old.__globals__, old.__name__,
                                     old.__defaults__, closure or None)
            new.__kwdefaults__ = dict(old.__kwdefaults__) if old.__kwdefaults__ else None
            made[id(old)] = new
            built.append(Built(new, b.fdef, b.shared, b.params))
        for cell, held in holding.values():
            cell.cell_contents = made[id(held)]

        def mapped(f: Callable | None) -> Callable | None:
            return made.get(id(f), f) if f is not None else None

        return replace(self, guards=guards, built=built, func=mapped(self.func),
                       forward=mapped(self.forward), backward=mapped(self.backward),
                       runners={})


@dataclass
class Reusable:
    """What a function leaves for the next function of its code (a lambda or
    a factory's closure made again, `grad(lambda w: loss(w, X))` in a loop):
    its result rebound to empty cells, so that nothing of the function (its
    closure's arrays, its Numba code) is kept, only the generated code. The
    next one is served by `rebound` to its own cells, not transformed."""

    compiled: Compiled
    cells: tuple  # the empty cells standing for a closure's
    namespace: dict  # the module's globals

    @classmethod
    def of(cls, compiled: Compiled) -> Reusable | None:
        fn = compiled.user_fn
        if not _rebindable(fn):
            return None
        cells = tuple(types.CellType() for _ in fn.__closure__ or ())
        empty = compiled.rebound(_with_closure(fn, cells), fn.__closure__ or (), check=False)
        return cls(empty, cells, fn.__globals__) if empty is not None else None

    def serve(self, fn: types.FunctionType) -> Compiled | None:
        if not _rebindable(fn) or self.compiled.guards.epoch != _EPOCH[0] or \
                fn.__globals__ is not self.namespace:
            return None
        return self.compiled.rebound(fn, self.cells)


def _with_closure(fn: types.FunctionType, cells: tuple) -> types.FunctionType:
    """fn's code and globals with other cells (empty ones: a `Reusable`'s)."""
    return types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, None, cells or None)


def _rebindable(fn: types.FunctionType) -> bool:
    """May a result of one function of fn's code serve another? Only where
    what the transform took from the closure is all in the cells the
    generated code reads, or guarded: not where the code defines functions or
    classes of its own (compiled apart, with the first closure's cells), uses
    `super()` (the class in its `__class__` cell chose the code), captures a
    class (its `__init__` was compiled in), has an empty cell, or defaults
    (the generated code holds the first function's)."""
    code = fn.__code__
    if fn.__defaults__ is not None or fn.__kwdefaults__ or "__class__" in code.co_freevars or \
            any(isinstance(c, types.CodeType) for c in code.co_consts):
        return False
    for cell in fn.__closure__ or ():
        try:
            if isinstance(cell.cell_contents, type):
                return False
        except ValueError:  # (an empty cell: a name not bound yet)
            return False
    return True


# function -> {spec: result}: held weakly, so a function's results go with it
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# code -> {spec: a Reusable}: another function of the code (a closure, a
# lambda made again in a loop) takes it, rebound, instead of a transform. For
# the most recent codes only; it holds generated code, none of the user's data.
_REUSABLE: collections.OrderedDict = collections.OrderedDict()
_REUSABLE_KEPT = 64
_LOCK = threading.RLock()
_DISPATCH: dict[str, Any] = {}
_COUNTS = {"transforms": 0}


def install_dispatcher(**functions: Callable) -> None:
    """Generated code calls back into the run-time dispatcher (`calls.py`) for
    callees it compiles on first call. That module sits above this one in the
    import graph and plugs its entry points in here when imported."""
    _DISPATCH.update(functions)


def forget(fn: Any = None) -> None:
    """Drop the compiled results of `fn` (of every function, without one), and
    what its code left for other functions of it: the next call transforms
    again (for tests that change a rule in the table behind s2sad's back)."""
    if fn is None:
        _CACHE.clear()
        _REUSABLE.clear()
    else:
        fn = unwrap(fn)
        _CACHE.pop(fn, None)
        _REUSABLE.pop(fn.__code__, None)
    for hook in _FORGET_HOOKS:
        hook(fn)


# what the layers above keep of compiled results (the dispatcher's known
# callees), dropped with them by forget
_FORGET_HOOKS: list[Callable[[Any], None]] = []


def on_forget(hook: Callable[[Any], None]) -> None:
    """Have forget(fn) call hook(fn) (fn None: every function) too."""
    _FORGET_HOOKS.append(hook)


def transform_count() -> int:
    """How many times the pipeline has run (cache misses), for tests."""
    return _COUNTS["transforms"]


def compile(f: Any, spec: Spec) -> Compiled:
    """The transform `spec` of `f`, from the cache if still valid. Results are
    kept per function object: closures of one factory, or equal code in two
    modules, never share one."""
    fn = unwrap(f)
    results = _CACHE.get(fn)
    hit = results.get(spec) if results is not None else None
    if hit is not None and hit.valid():
        return hit
    with _LOCK:
        results = _CACHE.setdefault(fn, {})
        hit = results.get(spec)
        if hit is not None and hit.valid():
            return hit
        reusable = _REUSABLE.get(fn.__code__, {}).get(spec)
        compiled = reusable.serve(fn) if reusable is not None else None
        if compiled is None:
            compiled = _logged_transform(fn, spec)
            reusable = Reusable.of(compiled)
            if reusable is not None:
                _REUSABLE.setdefault(fn.__code__, {})[spec] = reusable
                _REUSABLE.move_to_end(fn.__code__)
                if len(_REUSABLE) > _REUSABLE_KEPT:
                    _REUSABLE.popitem(last=False)
        results[spec] = compiled
        return compiled


_LOG = logging.getLogger("s2sad")
_LOG.addHandler(logging.NullHandler())  # quiet unless the application configures logging
SLOW_TRANSFORM_SECONDS = 1.0  # transforms slower than this are logged at INFO


def _logged_transform(fn: types.FunctionType, spec: Spec) -> Compiled:
    """`transform`, telling `logging.getLogger("s2sad")` at INFO when it takes
    longer than SLOW_TRANSFORM_SECONDS: once while it still runs (a very long
    function can take many seconds on first call) and once when done."""
    if not _LOG.isEnabledFor(logging.INFO):  # (no one listens: no timer thread to start)
        return transform(fn, spec)
    what = f"{spec.kind} of {fn.__qualname__} (wrt {list(spec.wrt)}" + \
        (f", {len(spec.forwards)} forward layer(s))" if spec.forwards else ")")
    start = time.perf_counter()
    timer = threading.Timer(SLOW_TRANSFORM_SECONDS, _LOG.info,
                            ("still transforming the %s ...", what))
    timer.daemon = True
    timer.start()
    try:
        return transform(fn, spec)
    finally:
        timer.cancel()
        elapsed = time.perf_counter() - start
        if elapsed >= SLOW_TRANSFORM_SECONDS:
            _LOG.info("transformed the %s in %.1f s", what, elapsed)


def transform(fn: types.FunctionType, spec: Spec) -> Compiled:
    """Run the pipeline once (no cache)."""
    assert spec.kind in KINDS, spec.kind
    _COUNTS["transforms"] += 1
    lowered = lower(parse_function(fn), construct=spec.construct, statics=dict(spec.statics),
                    updates=spec.updates, objects=spec.objects, records=spec.records)
    primal = guard_inplace_updates(lowered.function,
                                   helper=spec.kind in ("split", "primal") and not spec.top)
    factory = lowered.factory
    facts = analyze(primal, spec.wrt, spec.scalars, spec.sequences, spec.shapes)
    prepared = prepare(primal, facts, factory, reverse=spec.kind != "primal")
    if spec.wrt or spec.forwards:  # (where a derivative flows: objects taken for arrays)
        check_receivers(prepared, facts if spec.wrt else
                        analyze(primal, spec.forwards[0], spec.scalars, spec.sequences,
                                spec.shapes), spec.objects + spec.records, spec.mixed)
    site = None  # (a helper calling itself: its `recurse`, given the halves at the end)
    if spec.kind == "split" and not (spec.forwards or spec.construct or spec.updates or spec.top):
        site = _DISPATCH["recursion_site"]()
        if not mark_self_calls(prepared, fn, spec.wrt, spec.scalars, site):
            site = None
    plain = tuple(i for i in range(len(prepared.params))
                  if i not in spec.objects + spec.records + spec.mixed)
    direct = site is not None and runs_only_numpy(prepared, plain)
    common = dict(spec=spec, primal_ir=format_function(primal),
                  return_loc=primal.body.stmts[-1].loc)
    helpers = dict(_DISPATCH)
    derived = prepared
    if spec.kind != "primal":
        facts = analyze(prepared, spec.wrt, spec.scalars, spec.sequences, spec.shapes)
        if site is not None:
            site.returns = facts.shape.get(SELF_CALLS_RETURN)
            drop_settled_checks(prepared, facts)
            # (an array's adjoint is an array or a number: the backward half takes it as it is)
            direct = direct and site.returns is not None
        rev = reverse(prepared, facts, factory, spec.wrt, check_scalar=spec.kind == "grad",
                      aux=spec.aux, in_place=not spec.forwards)
        common["seed_name"] = rev.seed.hint
        derived = rev.function
        if site is not None:
            mark_self_backward(derived, site)
            if direct:
                owned_adjoints(derived)
        if spec.kind == "split":
            return _split(fn, spec, rev, factory, lowered, helpers, common, site, direct)
    for layer in spec.forwards:  # forward mode over what is there: jvp, Hessian products
        facts = analyze(derived, layer, spec.scalars, spec.sequences, spec.shapes)
        derived = forward(derived, facts, factory, layer).function
    # (grad's seed is 1.0 when grad calls it: a number too)
    seed = derived.params.index(rev.seed) if spec.kind == "grad" and not spec.forwards \
        and rev.seed in derived.params else None
    use_math(derived, spec.scalars + ((seed,) if seed is not None and spec.scalars else ()))
    built = build(derived, fn, lowered.free, helpers)
    if "seed_name" in common:  # (as the code names it)
        common["seed_name"] = built.params.get(common["seed_name"], common["seed_name"])
    added = sum(len(layer) for layer in spec.forwards)
    names = [a.arg for a in built.fdef.args.kwonlyargs[len(built.fdef.args.kwonlyargs) - added:]]
    layers = []
    for layer in spec.forwards:
        layers.append(tuple(names[:len(layer)]))
        names = names[len(layer):]
    return Compiled(guards=guards_for(fn, lowered, built.shared), built=[built],
                    func=built.func, derived_ir=format_function(derived),
                    tangent_names=tuple(layers), **common)


def _split(fn: types.FunctionType, spec: Spec, rev: Reversed, factory: VarFactory,
           lowered: Lowered, helpers: dict, common: dict, site: Any = None,
           direct: bool = False) -> Compiled:
    """The two halves; with a forward layer (forward mode over this callee's
    reverse mode, from a caller's Hessian), each half gets one: the forward
    half over the layer's parameters, the backward half over its state and seed."""
    fwd, bwd = split(rev, factory)
    if direct:  # (calls of itself by name: `recursion.py`)
        call_halves_directly(fwd, bwd)
    assert len(spec.forwards) <= 1, "one forward layer over split halves"
    for layer in spec.forwards:
        facts = analyze(fwd, layer, spec.scalars, spec.sequences, spec.shapes)
        inert = _state_without_tangent(fwd, bwd, facts)
        fwd = forward(fwd, facts, factory, layer).function
        bwd = forward(bwd, analyze(bwd, (0, 1), inert=inert), factory, (0, 1)).function
    use_math(fwd, spec.scalars, returned=False)
    forward_half = build(fwd, fn, lowered.free, helpers)
    backward_half = build(bwd, fn, lowered.free, helpers, user_params=False)
    common["seed_name"] = backward_half.params.get(common["seed_name"], common["seed_name"])
    shared = forward_half.shared | backward_half.shared
    names = tuple(tuple(a.arg for a in half.fdef.args.kwonlyargs[-len(layer):])
                  for half, layer in ((forward_half, spec.forwards[0]), (backward_half, (0, 1)))
                  ) if spec.forwards else ()
    compiled = Compiled(guards=guards_for(fn, lowered, shared),
                        built=[forward_half, backward_half],
                        forward=forward_half.func, backward=backward_half.func,
                        derived_ir=format_function(rev.function), tangent_names=names, **common)
    if site is not None:  # (the halves' calls of themselves: `recursion.py`)
        site.compiled = compiled
    return compiled


def _state_without_tangent(fwd: Function, bwd: Function, facts: Facts) -> frozenset[Var]:
    """The backward half's names for saved values that do not move in the
    forward layer (a helper's exponent `p` in `x ** p`): their tangents are
    zeros, which the backward half's layer must not multiply into a rule's
    nan (d/dp x**p at x < 0) or refuse (np.triu's `k`)."""
    moving = varied_in_memory(list(walk(fwd.body)), facts.varied)
    state = bwd.params[0]
    return frozenset(s.target for s in bwd.body.stmts
                     if isinstance(s, Assign) and s.prim == "getitem" and s.args[0] is state
                     and s.target not in moving)


def guards_for(fn: types.FunctionType, lowered: Lowered, shared: set[str]) -> Guards:
    """The checks that keep a result valid: the baked-in names as bound now."""
    dicts, cells = [], []
    for name in sorted(lowered.baked | shared):
        binding = lowered.free[name]
        if binding.where == "import":  # (bound by an import in the function: the same each time)
            continue
        if binding.where == "closure":
            cells.append((binding.holder, binding.value))
        elif binding.where == "global":
            dicts.append((binding.holder, name, binding.value))
        else:  # a builtin: still not shadowed by a global, and still the same object
            dicts.append((binding.holder, name, _ABSENT))
            dicts.append((builtins.__dict__, name, binding.value))
    attrs, seen = [], set()
    for owner, attr, value in lowered.baked_attrs:
        if (id(owner), attr) in seen:  # (by identity: an object may not be hashable)
            continue
        seen.add((id(owner), attr))
        if isinstance(owner, types.ModuleType) and owner.__dict__.get(attr, _ABSENT) is value:
            dicts.append((owner.__dict__, attr, value))  # (`np.exp`: a subscript, the faster)
        else:
            attrs.append((owner, attr, value))
    return Guards(fn, dicts, cells, attrs)
