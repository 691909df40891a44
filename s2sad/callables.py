"""What a callable stands for: the Python function s2sad transforms, and the
data the callable binds to it.

Every callable the dispatcher (`calls.py`) and the API (`api.py`) meet comes
down to a Python function with source and some arguments bound ahead of the
caller's (`Unfolded`):

* a Python function: itself, nothing bound;
* a bound method: its function, with `self` (or `cls`) first;
* an object with `__call__`: its class's `__call__`, with the object first;
* `functools.partial(f, *args, **keywords)`: f's unfolding, then args and keywords;
* a local function of generated code (`runtime.Closure`): its lifted
  function, with the values it captured first and its defaults as keywords;
* an object with a rule (`np.tanh`, a ufunc, `@custom_vjp`): a one-line
  function that calls it (`targets.py`);
* a class: its `__init__` run on a new object and returning it (`construct`),
  or, for a dataclass or namedtuple, a record built field by field (`record`).

The derivative of the callable itself (when the data it binds carries one:
a closure over a differentiated value, a method of an object being
differentiated) has the shape `template` gives, with `Leaf(k)` where the
derivative of the k-th bound value goes (positional ones, then keywords).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import linecache
import types
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import primitives
from .errors import SourceUnavailableError
from .parsing import is_library_file, unwrap
from .runtime import Closure, InPlaceInit
from .runtime.functions import is_record
from .signature import layout
from .targets import calling_function, method_function, takes_call


@dataclass(frozen=True)
class Leaf:
    """Where the derivative of bound value `index` sits in a callable's derivative."""

    index: int


@dataclass
class Unfolded:
    """A callable as a Python function and the arguments it binds first."""

    fn: Any  # the function to run (None for a record)
    lead: list = field(default_factory=list)  # bound positional arguments
    bound: dict = field(default_factory=dict)  # bound keyword arguments
    template: Any = None  # the callable's derivative, with Leaf(k) for bound value k
    construct: type | None = None  # a class whose __init__ fn is (lead[0]: the new object)
    record: type | None = None  # a dataclass or namedtuple built from its fields
    in_place: bool = False  # construct an object the caller passes (a base's __init__)
    # a method setting attributes of its object (`runtime.UpdatingMethod`): it
    # returns (its result, the object)
    updates: bool = False

    @property
    def data(self) -> list:
        """The bound values, in Leaf order."""
        return [*self.lead, *self.bound.values()]


def unfold(obj: Any, nargs: int = 0, kwnames: tuple = ()) -> Unfolded | None:
    """`obj` as a Python function with source and the arguments it binds,
    for a call with `nargs` positional arguments and keywords `kwnames` (an
    object with a rule gets a function taking exactly those); None if s2sad
    cannot read it (a library function, a builtin without a rule)."""
    prim = primitives.for_object(obj)
    if prim is not None:  # (more arguments than it takes: Python's call raises, not a wrapper)
        return Unfolded(calling_function(obj, (nargs, tuple(kwnames)))) \
            if takes_call(prim, nargs, tuple(kwnames)) else None
    if isinstance(obj, types.FunctionType):
        return Unfolded(obj) if readable(obj) else None
    if isinstance(obj, Closure):
        return _closure(obj, nargs, kwnames)
    if isinstance(obj, functools.partial):
        return _partial(obj, nargs, kwnames)
    if isinstance(obj, _CACHED) and isinstance(getattr(obj, "__wrapped__", None),
                                               types.FunctionType):
        return unfold(obj.__wrapped__, nargs, kwnames)  # (its cache gives what it computes)
    if isinstance(obj, InPlaceInit):
        return Unfolded(obj.fn, construct=type, in_place=True) if readable(obj.fn) else None
    if isinstance(obj, types.MethodType):
        inner = unfold(obj.__func__, nargs + 1, kwnames)
        return _with_first(inner, obj.__self__) if inner is not None else None
    if isinstance(obj, types.BuiltinMethodType) and isinstance(obj.__self__, np.ndarray):
        made = method_function(obj.__name__, (nargs, tuple(kwnames)))
        return Unfolded(made, [obj.__self__], {}, Leaf(0)) if made is not None else None
    if isinstance(obj, type):
        return _constructor(obj)
    call = type(obj).__dict__.get("__call__") or next(
        (k.__dict__["__call__"] for k in type(obj).__mro__ if "__call__" in k.__dict__), None)
    if isinstance(call, types.FunctionType) and readable(call):
        return Unfolded(call, [obj], {}, Leaf(0))
    return None


# functools.lru_cache's and functools.cache's wrappers
_CACHED = type(functools.lru_cache(maxsize=None)(lambda: None))


def readable(fn: types.FunctionType) -> bool:
    """Is fn the user's code (not the standard library's or a package's), or
    a function s2sad made with a source of its own?"""
    if hasattr(fn, "__s2sad_source__"):
        return True
    filename = fn.__code__.co_filename
    return not is_library_file(filename) and \
        (not filename.startswith("<") or filename in linecache.cache)


def _with_first(inner: Unfolded, first: Any) -> Unfolded:
    """A bound method: its function's unfolding with `self` bound first; the
    method's derivative is self's."""
    shifted = _shift(inner.template, 1)
    return Unfolded(inner.fn, [first, *inner.lead], inner.bound,
                    Leaf(0) if shifted is None else shifted, inner.construct, inner.record)


def _shift(template: Any, by: int) -> Any:
    if isinstance(template, Leaf):
        return Leaf(template.index + by)
    if isinstance(template, tuple):
        return tuple(_shift(t, by) for t in template)
    if isinstance(template, dict):
        return {k: _shift(t, by) for k, t in template.items()}
    return template


def _closure(obj: Closure, nargs: int, kwnames: tuple) -> Unfolded:
    info = obj.fn.__s2sad_closure__
    held = list(obj.values[:info.captured])
    bound: dict = {}
    template: list = [Leaf(k) for k in range(len(held))]
    if info.defaults:
        params = list(info.signature.parameters)
        given = set(params[:nargs]) | set(kwnames)
        for k, name in enumerate(info.defaults):
            if name not in given:
                template.append(Leaf(len(held) + len(bound)))
                bound[name] = obj.values[info.captured + k]
            else:
                template.append(None)
    return Unfolded(obj.fn, held, bound, tuple(template))


def _partial(obj: functools.partial, nargs: int, kwnames: tuple) -> Unfolded | None:
    inner = unfold(obj.func, nargs + len(obj.args), tuple({*kwnames, *obj.keywords}))
    if inner is None:
        return None
    lead = [*inner.lead, *obj.args]
    bound = {**inner.bound, **obj.keywords}
    keys = list(bound)
    # renumber the inner leaves of keywords: positional data now comes first
    moved = {len(inner.lead) + i: len(lead) + keys.index(k) for i, k in enumerate(inner.bound)}
    args_template = tuple(Leaf(len(inner.lead) + i) for i in range(len(obj.args)))
    kw_template = {k: Leaf(len(lead) + keys.index(k)) for k in obj.keywords}
    return Unfolded(inner.fn, lead, bound,
                    (_renumber(inner.template, moved), args_template, kw_template),
                    inner.construct, inner.record)


def _renumber(template: Any, mapping: dict) -> Any:
    if isinstance(template, Leaf):
        return Leaf(mapping.get(template.index, template.index))
    if isinstance(template, tuple):
        return tuple(_renumber(t, mapping) for t in template)
    if isinstance(template, dict):
        return {k: _renumber(t, mapping) for k, t in template.items()}
    return template


def _constructor(cls: type) -> Unfolded | None:
    """A class call: a dataclass's or namedtuple's fields, or the user's
    `__init__` on a new object."""
    if is_record_class(cls):
        return Unfolded(None, record=cls)
    init = getattr(cls, "__init__", None)
    if isinstance(init, types.FunctionType) and readable(init) and \
            cls.__new__ is object.__new__:
        return Unfolded(init, construct=cls)
    return None


def is_record_class(cls: type) -> bool:
    """A namedtuple class, or a dataclass whose __init__ is the generated one."""
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return True
    init = cls.__dict__.get("__init__") if dataclasses.is_dataclass(cls) else None
    return init is not None and isinstance(init, types.FunctionType) and \
        init.__code__.co_filename.startswith("<") and \
        not hasattr(cls, "__post_init__")


# ---------------------------------------------------------------- derivatives


def assemble(template: Any, parts: list) -> Any:
    """The callable's derivative from its bound values' derivatives."""
    if isinstance(template, Leaf):
        return parts[template.index]
    if isinstance(template, tuple):
        return tuple(assemble(t, parts) for t in template)
    if isinstance(template, dict):
        return {k: assemble(t, parts) for k, t in template.items()}
    return None


def disassemble(template: Any, derivative: Any, count: int) -> list:
    """The bound values' derivatives from the callable's (the reverse of assemble)."""
    out: list = [None] * count

    def visit(t: Any, d: Any) -> None:
        if d is None:
            return
        if isinstance(t, Leaf):
            out[t.index] = d
        elif isinstance(t, tuple):
            for ti, di in zip(t, d):
                visit(ti, di)
        elif isinstance(t, dict):
            for k, ti in t.items():
                visit(ti, d.get(k) if isinstance(d, dict) else None)

    visit(template, derivative)
    return out


def record_fields(cls: type, args: tuple, kwargs: dict) -> dict[str, Any]:
    """The fields a record class gets from a call's arguments (by name)."""
    try:
        bound = inspect.signature(cls).bind(*args, **kwargs)
    except TypeError as exc:
        raise SourceUnavailableError(f"{cls.__name__}: {exc}") from None
    return dict(bound.arguments)


def record_adjoints(cls: type, g: Any, args: tuple, kwargs: dict) -> dict[str, Any]:
    """The adjoint of each field of a record built as cls(*args, **kwargs)."""
    names = list(record_fields(cls, args, kwargs))
    if g is None:
        return dict.fromkeys(names)
    if issubclass(cls, tuple):
        fields = list(cls._fields)
        return {n: g[fields.index(n)] if n in fields and fields.index(n) < len(g) else None
                for n in names}
    return {n: g.get(n) if isinstance(g, dict) else None for n in names}


def record_tangent(cls: type, tangents: dict[str, Any], value: Any) -> Any:
    """The tangent of a record from its fields' tangents (the value's structure)."""
    if is_record(value):
        return tuple(tangents.get(name) for name in type(value)._fields)
    return {k: t for k, t in tangents.items() if t is not None}




# ---------------------------------------------------------------- transforms' arguments


@dataclass(frozen=True)
class Target:
    """What a transform differentiates: a Python function and the arguments
    the callable binds ahead of the caller's (`self` of a bound method, a
    partial's), so `grad(model.loss)(params)` differentiates `params`, not
    `self`. Sites the caller names (`wrt`) count the caller's arguments."""

    fn: types.FunctionType
    lead: tuple = ()
    bound: tuple = ()  # (keyword, value) pairs

    def full(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        """The function's arguments for a call of the callable with these."""
        if not self.lead and not self.bound:
            return args, kwargs
        return (*self.lead, *args), {**dict(self.bound), **kwargs}

    def site(self, site: int | str) -> tuple[int, Any]:
        """(parameter, item) for an argument the caller passes at `site`."""
        return layout(self.fn).locate(site + len(self.lead) if isinstance(site, int) else site)

    def value_at(self, args: tuple, kwargs: dict, param: int, item: Any) -> Any:
        """The value the function gets at (param, item): passed, or a default."""
        full_args, full_kwargs = self.full(args, kwargs)
        lay = layout(self.fn)
        values = lay.values(full_args, full_kwargs)
        if param not in values:
            name = lay.names[param]
            if param < lay.positional:
                defaults = self.fn.__defaults__ or ()
                return defaults[param - (lay.positional - len(defaults))]
            return (self.fn.__kwdefaults__ or {}).get(name)
        value = values[param]
        return value if item is None else value[item]


def target_of(f: Any) -> Target:
    """The Target a transform's argument stands for (see `unfold`); an object
    with a rule is a one-line function calling it (`targets.py`)."""
    derivative = getattr(f, "__s2sad_derivative__", None)  # (nesting.Derivative)
    if derivative is not None:
        return Target(derivative.fn, derivative.lead, derivative.bound)
    if primitives.for_object(f) is not None:
        return Target(calling_function(f))
    if isinstance(f, types.FunctionType):
        return Target(unwrap(f))
    unfolded = unfold(f, _required_arguments(f))
    if unfolded is None or unfolded.fn is None or unfolded.construct is not None:
        unwrap(f)  # (raises the error that says what s2sad can transform)
        raise SourceUnavailableError(
            f"s2sad can only transform Python functions and callables made of them, not "
            f"{type(f).__name__} {f!r:.60}",
            hint="pass a function defined with `def`, a lambda, a bound method, a "
            "functools.partial of one, or an object whose class defines __call__")
    return Target(unfolded.fn, tuple(unfolded.lead), tuple(unfolded.bound.items()))


def _required_arguments(f: Any) -> int:
    """How many positional arguments a transform of `f` takes, where the call's
    are not known yet: for an array's method (`c.dot`), its rule's required
    ones after the array; for a partial of an object with a rule
    (`partial(np.multiply, x)`), the rule's required ones it does not bind;
    else none (a callable's own function says)."""
    if isinstance(f, functools.partial):
        inner, bound = f, 0
        while isinstance(inner, functools.partial):
            inner, bound = inner.func, bound + len(inner.args)
        prim = primitives.for_object(inner)
        return max(_required(prim, 0) - bound, 0) if prim is not None else 0
    if not (isinstance(f, types.BuiltinMethodType) and isinstance(f.__self__, np.ndarray)):
        return 0
    prim = primitives.lookup("." + f.__name__)
    return _required(prim, 1) if prim is not None else 0


def _required(prim: primitives.Primitive, skip: int) -> int:
    """The number of a rule's positional parameters without defaults, after `skip`."""
    return sum(1 for p in prim.params[skip:] if p not in prim.defaults and
               prim.kinds[p] in ("posonly", "normal"))


__all__ = ["Leaf", "Unfolded", "unfold", "assemble", "disassemble", "is_record_class",
           "record_fields", "record_adjoints", "record_tangent", "readable", "Target",
           "target_of"]
