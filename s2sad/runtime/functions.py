"""Function values and objects in generated code: closures of local functions,
and the derivatives of objects, partials and callables.

A derivative (an adjoint or a tangent) of a value that is not a number or an
array has the value's structure, with None for parts nothing reached:

* a namedtuple's is a tuple (one item per field);
* another object's (a dataclass, a plain object) is a dict from attribute
  names to their derivatives;
* a closure's is a tuple over the values it holds (those it captured, then
  its default arguments);
* a `functools.partial`'s is (the function's, a tuple over its arguments, a
  dict over its keywords);
* a bound method's is its object's, a callable object's its own;
* a function's, a class's or a module's is None.

`zeros_like` and `add_adjoints` (`base.py`) treat these like other
containers; `as_gradient_of` gives a namedtuple, dataclass or object back as
its own type at the API.
"""

from __future__ import annotations

import bisect
import collections
import dataclasses
import functools
import heapq
import inspect
import operator
import random
import types
from typing import Any

import numpy as np

from ..errors import AliasingError, NoAdjointError, UnsupportedSyntaxError
from .duck import is_duck_array

_NOT_GIVEN = inspect.Parameter.empty

# s2sad's dispatcher of calls of user code (`call_forward`, `call_backward`,
# `call_jvp`, ...), installed here by `s2sad.calls` when it is imported: helpers
# whose rules run the user's functions (the ODE solvers', a property's getter)
# call through it, and this package sits below the compiler in the import graph.
USER_CALLS: dict[str, Any] = {}


class Closure:
    """A local def or lambda as a value: the lifted function (`lifted(*held,
    *args)`: the captured values first) and the values it holds. Calling it
    runs the user's code, as Python's closure would."""

    __slots__ = ("fn", "values")

    def __init__(self, fn: types.FunctionType, values: tuple) -> None:
        self.fn, self.values = fn, values

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        held, args, kwargs = closure_arguments(self, args, kwargs)
        return self.fn(*held, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<local function {self.fn.__s2sad_closure__.name}>"


@dataclasses.dataclass(frozen=True)
class ClosureInfo:
    """What a lifted local function needs besides its code: its name, how
    many values it captured, and the parameters whose defaults it holds
    (after the captured values), with the local function's own signature."""

    name: str
    captured: int
    defaults: tuple[str, ...] = ()
    signature: inspect.Signature | None = None


# Functions that write into their first argument: the operator module's item
# assignment and in-place operators, ndarray's own methods for them, shuffles.
_WRITE_FIRST_ARGUMENT = frozenset({
    operator.setitem, operator.delitem, operator.iadd, operator.iand, operator.iconcat,
    operator.ifloordiv, operator.ilshift, operator.imatmul, operator.imod, operator.imul,
    operator.ior, operator.ipow, operator.irshift, operator.isub, operator.itruediv,
    operator.ixor})
_SHUFFLERS = (np.random.Generator, np.random.RandomState, random.Random)


def in_place_dunder(name: str) -> bool:
    """`__setitem__`, `__iadd__` and the other methods that change their object."""
    return name in _IN_PLACE_DUNDERS


_IN_PLACE_DUNDERS = frozenset({
    "__setitem__", "__delitem__", "__iadd__", "__isub__", "__imul__", "__imatmul__",
    "__itruediv__", "__ifloordiv__", "__imod__", "__ipow__", "__ilshift__", "__irshift__",
    "__iand__", "__ixor__", "__ior__", "__iconcat__"})  # (not __import__, __index__, ...)


def writes_in_place(fn: Any) -> bool:
    """Does this library function write into its first argument or its
    object, unseen by s2sad (operator.setitem, np.ndarray.__iadd__,
    a.__setitem__, rng.shuffle)?"""
    try:
        if fn in _WRITE_FIRST_ARGUMENT:
            return True
    except TypeError:  # (an unhashable callable)
        return False
    name = getattr(fn, "__name__", "")
    if not isinstance(name, str):
        return False
    owner = getattr(fn, "__self__", None)
    return in_place_dunder(name) or (name == "shuffle" and isinstance(owner, _SHUFFLERS))


# library functions that keep a value they are given in an object or a
# container (not in their result, where the derivative would look for it)
_STORE_ARGUMENT = frozenset({setattr, object.__setattr__, heapq.heappush, heapq.heappushpop,
                             heapq.heapreplace, bisect.insort, bisect.insort_left,
                             bisect.insort_right, list.append, list.extend, list.insert,
                             list.__setitem__, list.__iadd__, dict.update, dict.setdefault,
                             dict.__setitem__, set.add, set.update, collections.deque.append,
                             collections.deque.appendleft, collections.deque.extend,
                             collections.deque.extendleft, collections.deque.insert})
_CONTAINERS = (list, dict, set, collections.deque, bytearray)
_STORING_METHODS = frozenset({"append", "appendleft", "extend", "extendleft", "insert", "add",
                              "update", "setdefault", "__setitem__", "__iadd__", "__ior__"})


def stores_value(fn: Any) -> bool:
    """Does this library callable keep a value it is given in an object or
    a container (`r.vals.append(v)`, `setattr(o, "x", v)`, `heapq.heappush(h,
    v)`), where s2sad does not follow it? (A local list's `lst.append(v)` is
    s2sad's own, and never a call.)"""
    try:
        if fn in _STORE_ARGUMENT:
            return True
    except TypeError:  # (an unhashable callable)
        return False
    return isinstance(getattr(fn, "__self__", None), _CONTAINERS) and \
        getattr(fn, "__name__", "") in _STORING_METHODS


def stored_value_error(fn: Any, loc: Any = None) -> UnsupportedSyntaxError:
    """The refusal of a `stores_value` callable given a value with a derivative."""
    return UnsupportedSyntaxError(
        f"{getattr(fn, '__qualname__', fn)} keeps a value that carries a derivative in an "
        "object or a container, where s2sad does not follow it", loc,
        "build a local list (vals.append(v), then obj.vals = vals) or assign the attribute "
        "(obj.x = v); for a heap, sort a list instead; a value kept only for logging: "
        "s2sad.stop_gradient(v)")


def make_closure(fn: types.FunctionType, *values: Any) -> Closure:
    """A local function as a value (generated code's spelling of `def`/`lambda`)."""
    return Closure(fn, values)


def closure_arguments(closure: Closure, args: tuple, kwargs: dict) -> tuple[tuple, tuple, dict]:
    """(captured values, positional arguments, keyword arguments) for the
    lifted function: the call's, with the defaults the closure holds filled in."""
    info = closure.fn.__s2sad_closure__
    held = closure.values[:info.captured]
    if not info.defaults:
        return held, args, kwargs
    bound = info.signature.bind_partial(*args, **kwargs)
    defaults = dict(zip(info.defaults, closure.values[info.captured:]))
    for name in info.signature.parameters:
        if name not in bound.arguments and name in defaults:
            bound.arguments[name] = defaults[name]
    return held, bound.args, bound.kwargs


def closure_tangent(t: list) -> tuple:
    """A closure's tangent: the tuple of its values' tangents."""
    return tuple(t)


# ---------------------------------------------------------------- objects


def is_record(x: Any) -> bool:
    """A namedtuple: its derivative is a tuple, one item per field."""
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_object(x: Any) -> bool:
    """An object whose attributes hold values: a dataclass instance or an
    instance of a user's class (not a function, class, module, array or number)."""
    if isinstance(x, (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                      types.ModuleType, functools.partial, np.ufunc, np.ndarray, np.generic,
                      Closure, str, bytes, int, float, complex, list, tuple, dict, set)):
        return False
    if x is None or isinstance(x, (slice, range)) or safe_duck_array(x):  # (Dask: an array)
        return False
    return dataclasses.is_dataclass(x) or hasattr(x, "__dict__") or \
        bool(getattr(type(x), "__slots__", None))


def safe_duck_array(x: Any) -> bool:
    """is_duck_array, for objects whose __getattr__ raises other errors too."""
    try:
        return is_duck_array(x)
    except Exception:  # noqa: BLE001  (a user's __getattr__: not an array)
        return False


def fields_of(x: Any) -> list[str]:
    """The attributes of an object that hold its data, in order."""
    if dataclasses.is_dataclass(x):
        return [f.name for f in dataclasses.fields(x)]
    if not hasattr(x, "__dict__"):  # (a class with __slots__)
        return [n for k in type(x).__mro__ for n in getattr(k, "__slots__", ())
                if hasattr(x, n)]
    return list(vars(x))


def computed_attribute(obj: Any, name: str) -> Any:
    """The function computing `obj.name` if it is a property or a
    functools.cached_property (computed or not: the cache holds what the
    function returns): its derivative is that function's, not a stored value's."""
    if isinstance(obj, (type, types.ModuleType)):
        return None
    for klass in type(obj).__mro__:
        found = klass.__dict__.get(name)
        if isinstance(found, property):
            return found.fget
        if isinstance(found, functools.cached_property):
            return found.func
        if found is not None:
            return None
    return None


def check_properties_unread(obj: Any, names: tuple) -> None:
    """Before `obj.attr = v`, given the attributes of obj read earlier: a
    property among them was computed from the object as it was, and its
    derivative, computed again in the backward pass (`property_adjoint`),
    would be taken at the changed object: refused."""
    for name in names:
        if computed_attribute(obj, name) is not None:
            raise AliasingError(
                f"the property .{name} of this {type(obj).__name__} was read before this "
                "assignment changes the object, and its derivative would be taken at the "
                "changed object", hint=f"read .{name} after the object's last change, or "
                "compute it with a method call, which s2sad follows as it runs")


def check_not_added_into(value: Any, what: str, helper: str) -> None:
    """Before a call of a helper that updates a parameter with `+=` (or the
    like), given `value`, which the function reads elsewhere: a number is
    rebound in the helper, an array changed in place, which the derivative
    code, reading `value` again after the call, would see: refused."""
    if isinstance(value, (np.ndarray, list, dict)):
        raise AliasingError(
            f"{helper}() adds into {what} in place (`+=` on an array), which this function "
            "also reads: s2sad's derivative code reads it again after the call, so the "
            "derivative would see the change", hint="have the helper return the new value "
            f"and assign it ({what} = {helper}(...)), or pass it a copy")


def check_not_augmented_array(old: Any, what: str, op: str) -> None:
    """Before `self.h += x` (`op` is "+"; "*" for `*=`...) in a method or
    constructor: NumPy updates the array self.h holds, which every other name
    for it (the caller's) sees, where s2sad computes a new array; refused for
    arrays (numbers are fine)."""
    if isinstance(old, np.ndarray):
        raise AliasingError(
            f"`{what} {op}= ...` in a method updates the array {what} holds, in place "
            "(NumPy), and every other name for that array would see the change, which s2sad "
            f"does not follow", hint=f"assign a new array: {what} = {what} {op} ...")


_PLAIN_RECEIVERS = frozenset({np.ndarray, float, int, bool, complex, np.float64, list, tuple,
                              dict})


def check_receiver(x: Any, what: str, records: bool = False, items: bool = False) -> None:
    """Before an operation s2sad took for NumPy's by its spelling (`x.mean()`,
    `x.shape`, `x[i]`, `np.asarray(x)`; `receivers.py` places it where x
    carries a derivative and may be anything): is x an object of the user's
    classes (a namedtuple too, with `records`, for methods and attributes)?
    Then the operation is its class's own method, property or dunder, whose
    derivative NumPy's rule would not give: refused, never a zero. With
    `items`, the items of a list or tuple x too (`sum([v, w])` adds objects)."""
    if items and type(x) in (list, tuple):
        for item in x:
            check_receiver(item, what, records)
        return
    if isinstance(x, types.ModuleType):  # (`mod.reshape(x, s)`: s2sad read an array's method)
        raise NoAdjointError(
            f"{what} here is a function of the module {x.__name__}, reached through a name "
            "s2sad took for an array (a parameter's default, an object's attribute): it "
            "read the call as the array method of that name",
            hint=f"call it through the module's own name ({x.__name__.split('.')[0]}."
            f"{what.strip('.()')}(...)), or pass the module as an argument")
    if type(x) in _PLAIN_RECEIVERS or not (is_object(x) or (records and is_record(x))):
        return
    raise NoAdjointError(
        f"{what} here is {type(x).__name__}'s own (a method, property or special method of "
        "your class), which s2sad took for the operation on arrays and numbers of that "
        "name: its derivative would be that operation's, not your code's",
        hint=f"s2sad differentiates your class's {what} on an object made in this function "
        "or passed to it as an argument; call it on such a name (obj = ...; obj.method()), "
        "or give the method a name NumPy's arrays do not have")


def property_adjoint(getter: Any, obj: Any, g: Any, value: Any = None) -> Any:
    """obj's adjoint from that of `obj.name` computed by `getter(obj)`: the
    getter differentiated by the dispatcher, run again. Where it computes
    another value than the forward pass read, `value` (it reads an object
    changed since, or draws random numbers), its derivative would be taken
    at another point: refused."""
    again, saved = USER_CALLS["call_forward"](getter, (0,), obj)
    if without_derivative(obj, again):
        return None
    if value is not None and not _same_value(again, value):
        name = getattr(getter, "__name__", "?")
        raise AliasingError(
            f"the property .{name} of this {type(obj).__name__} computed another value when "
            "s2sad ran it again for its derivative: it reads something that changed after "
            "it was read (an object it holds), or draws random numbers",
            hint=f"call a method instead (def {name}(self): ...; obj.{name}()), whose "
            "derivative is taken when it runs")
    return USER_CALLS["call_backward"](saved, g)[0]


def _same_value(a: Any, b: Any) -> bool:
    """Are two results of one getter equal (arrays, numbers, and tuples or
    lists of those: by value, nan equal to nan)? Other objects are taken as
    equal: only what can be compared is."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, (np.ndarray, np.generic, float, int, complex)) and \
            isinstance(b, (np.ndarray, np.generic, float, int, complex)):
        if np.shape(a) != np.shape(b):
            return False
        try:
            return bool(np.array_equal(a, b, equal_nan=True))
        except TypeError:  # (a dtype without nan: compared as it is)
            return bool(np.array_equal(a, b))
    return True


def property_tangent(getter: Any, obj: Any, t: Any) -> Any:
    """The tangent of `obj.name` computed by `getter(obj)`, from obj's."""
    return USER_CALLS["call_jvp"](getter, (0,), (t,), obj)[1]


def no_second_order_property(g: Any, obj: Any, name: str, t: Any) -> Any:
    """The part of attribute_adjoint's tangent from obj's: none for a stored
    attribute; a property's would need its getter's second derivative, which
    s2sad does not compute here: refused rather than dropped."""
    if computed_attribute(obj, name) is not None:
        raise NoAdjointError(
            f"second derivatives through the property .{name} of a {type(obj).__name__} "
            "are not supported", hint="call a method computing the value instead of "
            "reading a property")
    return zeros_like_structure(attribute_adjoint(g, obj, name))


def zeros_like_structure(x: Any) -> Any:
    """Zeros shaped like an adjoint (None stays None), without importing base."""
    if isinstance(x, dict):
        return {k: zeros_like_structure(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(zeros_like_structure(v) for v in x) if not is_record(x) else \
            type(x)(*(zeros_like_structure(v) for v in x))
    if x is None:
        return None
    return np.zeros_like(x) if isinstance(x, np.ndarray) else 0.0 * x


def attribute_adjoint(g: Any, obj: Any, name: str, read: Any = None) -> Any:
    """The adjoint of `obj` from that of `obj.name` (`read`: the value the
    forward pass read, if kept): for a property, its getter's; for a method
    bound to obj, obj's own; for a namedtuple's field, a tuple; else {name: g}."""
    if g is None:
        return None
    getter = computed_attribute(obj, name)
    if getter is not None:
        return property_adjoint(getter, obj, g, read)
    value = getattr(obj, name)
    if without_derivative(obj, value):  # (xp.sum: none)
        return None
    check_attribute(obj, name)
    if bound_to(value, obj):
        return g
    if is_record(obj) and name in type(obj)._fields:
        parts: list = [None] * len(obj)
        parts[type(obj)._fields.index(name)] = g
        return tuple(parts)
    if not stored_attribute(obj, name, value):
        return None  # (a function of the class: no data)
    return {name: g}


def stored_attribute(obj: Any, name: str, value: Any) -> bool:
    """Is `obj.name` a value obj stores (its derivative is obj's at `name`)?
    False for a function of its class; an attribute computed on access
    (`__getattr__`, a descriptor) is refused: its derivative would be lost."""
    if not is_object(obj) or name in stored_names(obj):
        return True
    for klass in type(obj).__mro__:
        if name in klass.__dict__:
            found = klass.__dict__[name]
            if not hasattr(type(found), "__get__") or \
                    isinstance(found, (types.FunctionType, staticmethod, classmethod)):
                return False  # the class's data or a method: nothing of obj's
            break
    raise NoAdjointError(
        f"cannot differentiate through the attribute .{name} of a {type(obj).__name__}: "
        "it is computed when read (by __getattr__ or a descriptor), not stored",
        hint="read the attributes it is computed from, or make it a property")


def check_attribute(obj: Any, name: str) -> None:
    """Attributes of objects and namedtuples carry derivatives; those of arrays
    and numbers without a rule (`a.mT`, `a.flat`) are refused."""
    if bound_to(getattr(obj, name, None), obj):
        return
    if isinstance(obj, super):
        raise NoAdjointError(
            f"cannot differentiate through super().{name}: only methods are read through "
            "super() here", hint=f"put what the base class's .{name} computes in a method of "
            f"the base class, and call it from both classes (super()._{name}())")
    if is_record(obj) or is_object(obj) or isinstance(obj, (types.MethodType, Closure)):
        return
    raise NoAdjointError(
        f"cannot differentiate through the attribute .{name} of a {type(obj).__name__}: it "
        "has no derivative rule",
        hint="use a NumPy function with a rule instead (np.swapaxes(a, -1, -2) for .mT, "
        "a.ravel() for .flat), or wrap the value in s2sad.stop_gradient(...)")


def bound_to(value: Any, obj: Any) -> bool:
    """Is `value` a method bound to `obj` (`model.loss`, an array's `a.dot`;
    for `super()`, to its object)? Its derivative is obj's."""
    if isinstance(obj, super):
        obj = obj.__self__
    return isinstance(value, (types.MethodType, types.BuiltinMethodType)) and \
        getattr(value, "__self__", None) is obj


class InPlaceInit:
    """A base class's `__init__` run on an object a constructor is building
    (`super().__init__(w)`, `Base.__init__(self, w)`): called with the object
    first, it returns the object, which the dispatcher differentiates through
    as a constructor's (its attribute writes allowed: the object is new)."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __call__(self, obj: Any, *args: Any, **kwargs: Any) -> Any:
        self.fn(obj, *args, **kwargs)
        return obj


class UpdatingMethod:
    """`obj.name(...)` where obj is an object the function made and its
    class's method `name` sets attributes of its object (`self.h = ...`):
    called with the object first, it returns (the method's result, the
    object), and the caller takes the object as a new version of itself (so
    the derivative follows the change). The dispatcher compiles the method
    so that it returns the same pair (`Unfolded.updates`). The method is
    looked up on the object's class when it runs, as Python would."""

    __slots__ = ("name", "after")

    def __init__(self, name: str, after: type | None = None) -> None:
        self.name = name
        self.after = after  # `super().name(...)` in a method of this class

    def function(self, obj: Any) -> types.FunctionType:
        """The plain function `obj.name` binds (`super().name`: from the classes
        after `after` in obj's class's MRO); an error for anything else: an
        attribute of the object itself, a static or library method."""
        fn = None
        mro = type(obj).__mro__
        start = mro.index(self.after) + 1 if self.after in mro else 0
        for cls in mro[start:]:
            if self.name in cls.__dict__:
                fn = cls.__dict__[self.name]
                break
        if not isinstance(fn, types.FunctionType) or \
                (self.after is None and self.name in getattr(obj, "__dict__", ())):
            raise UnsupportedSyntaxError(
                f"{type(obj).__name__}.{self.name} was a method setting attributes of its "
                "object when s2sad compiled the call, and is not a plain method of the "
                "object's class now",
                hint="call methods that change their object on objects of the class the "
                "function made")
        return fn

    def __call__(self, obj: Any, *args: Any, **kwargs: Any) -> tuple:
        return self.function(obj)(obj, *args, **kwargs), obj

    def __repr__(self) -> str:
        after = f", after={self.after.__qualname__}" if self.after is not None else ""
        return f"UpdatingMethod({self.name!r}{after})"


def updated(obj: Any, after: Any) -> Any:
    """The name an object takes after an updating method's call: the object
    (`after`, the call's; obj, the same object before, is for the checks)."""
    return after


def super_of(cls: type, obj: Any) -> Any:
    """`super()` in a method of `cls` whose object is `obj`."""
    return super(cls, obj)


def attribute_dropped(g: Any, name: str) -> Any:
    """An object's adjoint before `obj.name = value`: what it was, less that attribute."""
    if not isinstance(g, dict) or name not in g:
        return g
    return {k: v for k, v in g.items() if k != name}


def attribute_set(t: Any, name: str, value: Any) -> Any:
    """An object's tangent after `obj.name = value` (value: the value's tangent)."""
    out = dict(t) if isinstance(t, dict) else {}
    out[name] = value
    return out


def set_attribute(obj: Any, name: str, value: Any) -> Any:
    """`obj.name = value` on an object the function made; returns obj."""
    object.__setattr__(obj, name, value)
    return obj


def new_object(cls: type) -> Any:
    """A new instance of a user's class, before its __init__ runs."""
    return cls.__new__(cls)


# ---------------------------------------------------------------- zeros and gradients


def callable_zeros(x: Any, zeros: Any) -> Any:
    """The zero derivative of a function value or an object (`zeros` makes
    the zero of a part), or NotImplemented if x is neither."""
    if isinstance(x, Closure):
        return tuple(zeros(v) for v in x.values)
    if isinstance(x, functools.partial):
        return (zeros(x.func), tuple(zeros(a) for a in x.args),
                {k: zeros(v) for k, v in x.keywords.items()})
    if isinstance(x, types.MethodType):
        return zeros(x.__self__) if is_object(x.__self__) or is_record(x.__self__) else None
    if isinstance(x, (type, types.FunctionType, types.BuiltinFunctionType, types.ModuleType,
                      np.ufunc)) or callable(x) and not is_object(x):
        return None
    if is_object(x):
        return {}
    return NotImplemented


def object_gradient(grad: Any, x: Any, convert: Any, separate: Any) -> Any:
    """A namedtuple's or an object's gradient as its own type: each field
    holding numbers gets its gradient (`convert(part, value)`; an int field
    too, as an int argument does: 0.0 where nothing reaches it, never its own
    value, which would pass for a derivative), others are copied from x (a
    function, a name, a flag). `separate` gives each field an array of its
    own (`p.a + p.b` hands both one adjoint)."""
    structure = (tuple, list) if is_record(x) else dict
    if grad is not None and not isinstance(grad, structure):
        # (an array or an object reached it: arithmetic its class overloads, or
        # NumPy reading it as an array, differentiated as NumPy's own)
        raise NoAdjointError(
            f"the derivative reaching the {type(x).__name__} object is a "
            f"{type(grad).__name__}, not one per field: s2sad does not differentiate "
            "through arithmetic a class defines (__add__, __mul__, __matmul__, ...) nor "
            "through NumPy reading an object as an array",
            hint="compute on the arrays the object holds (v.a * w.a), or call the method by "
            "name (v.__mul__(w)), which s2sad compiles")
    if is_record(x):
        parts = grad if isinstance(grad, (tuple, list)) else [None] * len(x)
        return type(x)(*separate(tuple(convert(p, v) if differentiated_field(v) else v
                                       for p, v in zip(parts, x))))
    parts = grad if isinstance(grad, dict) else {}
    out = object.__new__(type(x))
    state = dict(vars(x)) if hasattr(x, "__dict__") else {}
    stored = stored_names(x)  # (a dataclass's fields and other attributes; slots)
    state.update((name, getattr(x, name)) for name in stored)
    names = [name for name in stored if differentiated_field(state[name])]
    converted = separate(tuple(convert(parts.get(name), getattr(x, name)) for name in names))
    state.update(zip(names, converted))
    for name, value in state.items():
        object.__setattr__(out, name, value)
    return out


def _whole_number(value: Any) -> bool:
    """An int or NumPy integer (not a bool): differentiated as a real number
    where it is a field of a differentiated object, as an int argument is."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def differentiated_field(value: Any) -> bool:
    """Does a field of an object get a gradient (or a tangent): numbers, ints
    too (not bools), and what holds them."""
    return carries_derivative(value) or _whole_number(value)


def without_derivative(obj: Any, value: Any) -> bool:
    """Is `obj.name`, whose value is `value`, certainly without a derivative
    (a function, a name, a flag; anything read from a module), for
    `attribute_adjoint` and `attribute_tangent` alike? Also anything read
    from a class (`self.__class__.base`, `type(self).base`): the class's own
    data, not the instance's a derivative follows."""
    return (inert(value) and not _whole_number(value)) or \
        isinstance(obj, (types.ModuleType, type))


def stored_names(x: Any) -> list[str]:
    """Every attribute an object stores: its fields, its __dict__, its slots."""
    names = [*fields_of(x), *(vars(x) if hasattr(x, "__dict__") else ())]
    names += [n for k in type(x).__mro__ for n in getattr(k, "__slots__", ())
              if isinstance(n, str) and n != "__dict__" and hasattr(x, n)]
    return list(dict.fromkeys(names))


def inert(x: Any, depth: int = 0) -> bool:
    """Is x certainly without a derivative (a class, module, function without
    data, string, integer, None; a container of those)? The dispatcher gives
    every other value a function value binds a derivative."""
    if depth > 20:
        return False
    if isinstance(x, InPlaceInit):
        return True
    if isinstance(x, types.BuiltinFunctionType):  # (an array's `a.dot` holds the array)
        owner = getattr(x, "__self__", None)
        return owner is None or isinstance(owner, types.ModuleType) or inert(owner, depth + 1)
    if x is None or isinstance(x, (type, types.ModuleType, types.FunctionType, str, bytes,
                                   bool, int, np.integer, np.ufunc, range, slice)):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype.kind not in "fcO"
    if isinstance(x, (list, tuple, set, frozenset)):
        return all(inert(v, depth + 1) for v in x)
    if isinstance(x, dict):
        return all(inert(v, depth + 1) for v in x.values())
    return False


def carries_derivative(x: Any, depth: int = 0) -> bool:
    """Does x hold numbers a derivative can reach (floats, complex numbers,
    arrays of them, and containers or objects holding some)?"""
    if isinstance(x, bool) or depth > 20:  # (objects that refer to each other)
        return False
    if isinstance(x, (float, complex, np.inexact)):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "fc"
    if isinstance(x, (list, tuple)):
        return any(carries_derivative(v, depth + 1) for v in x)
    if isinstance(x, dict):
        return any(carries_derivative(v, depth + 1) for v in x.values())
    if is_object(x):
        return any(carries_derivative(getattr(x, k), depth + 1) for k in fields_of(x))
    if isinstance(x, Closure):  # function values holding numbers
        return any(carries_derivative(v, depth + 1) for v in x.values)
    if isinstance(x, functools.partial):
        return carries_derivative((x.func, x.args, x.keywords), depth + 1)
    if isinstance(x, types.MethodType):
        return carries_derivative(x.__self__, depth + 1)
    return False
