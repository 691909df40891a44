"""The run-time dispatcher: calls of user code from generated derivatives.

A call that a derivative flows through, `y = h(a, b)`, is generated as
`pair = call_forward(h, active, a, b)` and, in the backward pass,
`call_backward(pair[1], dy)`; forward mode generates `call_jvp(h, active,
tangents, a, b)`. The callee is looked up when the call runs, so recursion
works, a redefined helper is picked up on the next call, and any callable
will do (`callables.py` says what each stands for): a Python function, a
bound method, a partial, an object with `__call__`, a local function of
generated code, an object with a rule (`np.tanh` passed as an argument), a
class. Its compiled halves come from the pipeline's cache (checked like any
other result).

`active` lists the call's arguments that carry a derivative, by position or
keyword; None stands for the callee itself (a closure over a differentiated
value, a method of a differentiated object), "*" for all positional
arguments and "**" for all keyword ones (a call with `*seq` or `**mapping`).
`call_backward` returns their adjoints in that order ("*": a tuple, "**": a
dict, None: the callee's, shaped like it).

This module sits above the pipeline in the import graph: it plugs its entry
points into the pipeline (`install_dispatcher`) for generated code to call.
"""

from __future__ import annotations

import types
import weakref
from typing import Any

import numpy as np

from . import pipeline
from .callables import (
    Unfolded,
    assemble,
    disassemble,
    readable,
    record_adjoints,
    record_fields,
    record_tangent,
    unfold,
)
from .errors import NoAdjointError, S2sadError, UnsupportedSyntaxError
from .nesting import Derivative, derivative_of, pick, sum_parts
from .parsing import is_library_file, is_own_file
from .runtime import USER_CALLS, UpdatingMethod, filled_adjoint, new_object, zeros_like
from .runtime.functions import inert, stored_value_error, stores_value, writes_in_place
from .signature import Layout, check_binding, layout
from .signature import pick as pick_item

Route = Any  # how one active entry's derivative is found: see Plan.routes


class Plan:
    """One call, as the function s2sad compiles and the arguments it gets: the
    callee's bound ones first, then the call's. `routes[k]` says where the
    derivative of active entry k is: a (parameter, item) pair, a list of them
    (for "*", "**" and the callee), each item None where nothing flows."""

    def __init__(self, callee: Any, unfolded: Unfolded, active: tuple, args: tuple,
                 kwargs: dict) -> None:
        self.callee, self.unfolded, self.active = callee, unfolded, active
        first = [new_object(unfolded.construct)] if unfolded.construct is not None and \
            not unfolded.in_place else []
        self.lead = [*first, *unfolded.lead]
        self.args = (*self.lead, *args)
        self.kwargs = {**unfolded.bound, **kwargs}
        self.layout = layout(unfolded.fn)
        self.n_call = len(args)
        self.call_keys = tuple(kwargs)
        self.routes = [self.route(entry) for entry in active]
        params = {site[0] for r in self.routes for site in (r if isinstance(r, list) else [r])
                  if site is not None}
        self.wrt = tuple(sorted(params))
        # where each active entry's adjoint is among the callee's, when every
        # entry is a whole positional parameter (the common case); else None
        self.direct = tuple(self.wrt.index(r[0]) for r in self.routes) if all(
            isinstance(e, int) and r[1] is None for e, r in zip(active, self.routes)) else None
        self.in_order = self.direct == tuple(range(len(self.wrt)))

    def locate(self, site: int | str) -> tuple[int, Any]:
        try:
            return self.layout.locate(site)
        except LookupError:
            raise TypeError(f"{self.unfolded.fn.__qualname__}() got an unexpected argument "
                            f"{site!r}") from None

    def route(self, entry: Any) -> Route:
        offset = len(self.lead)
        if isinstance(entry, int):
            return self.locate(offset + entry)
        if entry == "*":
            return [self.locate(offset + i) for i in range(self.n_call)]
        if entry == "**":
            return [self.locate(k) for k in self.call_keys]
        if entry is None:  # the callee: where each value it binds goes
            sites: list = []
            skip = len(self.lead) - len(self.unfolded.lead)
            for k, value in enumerate(self.unfolded.lead):
                sites.append(self.locate(skip + k) if not inert(value) else None)
            for key, value in self.unfolded.bound.items():
                overridden = key in self.call_keys
                sites.append(self.locate(key) if not inert(value) and not overridden
                             else None)
            return sites
        return self.locate(entry)

    def compile(self, kind: str, forwards: tuple = ()) -> pipeline.Compiled:
        fn = self.unfolded.fn
        kinds = pipeline.argument_kinds(fn, self.args, self.kwargs)
        wrt = self.wrt if kind == "split" else ()
        return pipeline.compile(fn, pipeline.Spec(kind, wrt, *kinds,
                                                  forwards=forwards,
                                                  construct=self.unfolded.construct is not None,
                                                  updates=self.unfolded.updates))

    # ------------------------------------------------------------ derivatives

    def adjoints(self, grads: tuple) -> tuple:
        """The adjoint of each active entry, from the callee's per parameter."""
        if self.in_order and type(grads) is tuple:
            return grads  # (the callee's own order: its backward half's tuple)
        if self.direct is not None:
            return tuple(grads[k] for k in self.direct)
        def at(site: Any) -> Any:
            if site is None:
                return None
            param, item = site
            return pick_item(grads[self.wrt.index(param)], item)

        out = []
        for entry, route in zip(self.active, self.routes):
            if entry is None:
                out.append(assemble(self.unfolded.template, [at(s) for s in route]))
            elif entry == "*":
                out.append(tuple(at(s) for s in route))
            elif entry == "**":
                out.append({k: at(s) for k, s in zip(self.call_keys, route)})
            else:  # (an item of *args or **kwargs the callee does not use: zeros)
                part = at(route)
                out.append(zeros_like(self.passed(entry)) if part is None else part)
        return tuple(out)

    def passed(self, entry: int | str) -> Any:
        """The value the call gave for an active entry (a position or a keyword)."""
        return self.args[len(self.lead) + entry] if isinstance(entry, int) else self.kwargs[entry]

    def tangents(self, tangents: tuple) -> tuple:
        """The tangent of each `wrt` parameter, from the active entries'."""
        whole: dict[int, Any] = {}
        items: dict[int, dict] = {}

        def put(site: Any, t: Any) -> None:
            if site is None or t is None:
                return
            param, item = site
            if item is None:
                whole[param] = t if param not in whole else whole[param] + t
            else:
                parts = items.setdefault(param, {})
                parts[item] = t if item not in parts else parts[item] + t

        for entry, route, t in zip(self.active, self.routes, tangents):
            if entry is None:
                for site, part in zip(route, disassemble(self.unfolded.template, t,
                                                         len(route))):
                    put(site, part)
            elif entry == "*":
                for site, part in zip(route, t):
                    put(site, part)
            elif entry == "**":
                for key, site in zip(self.call_keys, route):
                    put(site, t.get(key))
            else:
                put(route, t)
        values = self.layout.values(self.args, self.kwargs)
        out = []
        for param in self.wrt:
            if param in items:
                out.append(_gathered(values[param], items[param]))
            else:
                out.append(whole.get(param, zeros_like(values.get(param))))
        return tuple(out)


def _gathered(value: Any, parts: dict) -> Any:
    """The tangent of a *args tuple or **kwargs dict from some items' tangents."""
    if isinstance(value, dict):
        return {k: parts.get(k, zeros_like(v)) for k, v in value.items()}
    return tuple(parts.get(i, zeros_like(v)) for i, v in enumerate(value))


class Saved:
    """What call_forward keeps for call_backward."""

    __slots__ = ("plan", "compiled", "state", "value")

    def __init__(self, plan: Plan, compiled: pipeline.Compiled, state: Any, value: Any) -> None:
        self.plan, self.compiled, self.state, self.value = plan, compiled, state, value


class RecordCall:
    """A dataclass or namedtuple built from its fields: no code to compile;
    each field's adjoint goes to the argument that gave it."""

    def __init__(self, cls: type, active: tuple, args: tuple, kwargs: dict) -> None:
        self.cls, self.active, self.args, self.kwargs = cls, active, args, kwargs
        self.names = list(record_fields(cls, args, kwargs))

    def field_of(self, entry: Any) -> str | None:
        if isinstance(entry, int):
            return self.names[entry] if entry < len(self.args) else None
        return entry if isinstance(entry, str) else None

    def adjoints(self, g: Any) -> tuple:
        by_field = record_adjoints(self.cls, g, self.args, self.kwargs)
        out = []
        for entry in self.active:
            if entry == "*":
                out.append(tuple(by_field.get(n) for n in self.names[:len(self.args)]))
            elif entry == "**":
                out.append({k: by_field.get(k) for k in self.kwargs})
            else:
                name = self.field_of(entry)
                part = by_field.get(name) if name is not None else None
                out.append(zeros_like(self.argument(entry)) if part is None else part)
        return tuple(out)

    def argument(self, entry: Any) -> Any:
        """The value the call passed for an active entry (a position or a keyword)."""
        if isinstance(entry, int):
            return self.args[entry] if entry < len(self.args) else None
        return self.kwargs.get(entry)

    def tangent(self, value: Any, tangents: tuple) -> Any:
        by_field: dict[str, Any] = {}
        for entry, t in zip(self.active, tangents):
            if entry == "*":
                by_field.update(zip(self.names, t))
            elif entry == "**":
                by_field.update(t)
            elif self.field_of(entry) is not None:
                by_field[self.field_of(entry)] = t
        return record_tangent(self.cls, by_field, value)


class Opaque:
    """What call_forward saves for a callee it cannot differentiate (no source,
    or library code): calling it is fine; a derivative reaching it is not."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn


class Inert:
    """What call_forward saves for a call whose active entries all turned out
    to carry no derivative (a string key's method, `k.startswith("W")`): the
    adjoints of those entries are zeros, whatever the result's."""

    def __init__(self, zeros: tuple) -> None:
        self.zeros = zeros

    def adjoints(self, g: Any) -> tuple:
        return self.zeros


def no_rule(fn: Any, mode: str = "reverse") -> NoAdjointError:
    """A derivative reaches a callable s2sad can neither read nor find a rule for."""
    what = getattr(fn, "__qualname__", None) or f"a {type(fn).__name__} object"
    rule = "s2sad.defvjp(function, rule)" if mode == "reverse" else \
        "s2sad.defjvp(function, rule)"
    return NoAdjointError(
        f"cannot differentiate through {what} ({type(fn).__name__}): it is not a Python "
        "function s2sad can read, and it has no derivative rule",
        hint=f"give it a rule with {rule} (or decorate your own function with "
        "@s2sad.custom_vjp), wrap the value in s2sad.stop_gradient(...) if no derivative "
        "should flow through it, or rewrite it with supported NumPy operations")


def _carries_a_derivative(fn: Any, active: tuple, args: tuple, kwargs: dict) -> bool:
    """May one of a call's active entries carry a derivative? Not if each is
    inert (a string, an integer: a dict's key the analysis took for varied)."""
    return not all(inert(_entry(fn, e, args, kwargs)) for e in active)


def _entry(fn: Any, e: Any, args: tuple, kwargs: dict) -> Any:
    """The value at a call's active site `e` (None: the callee itself)."""
    if e is None:
        return fn
    if e == "*":
        return args
    if e == "**":
        return kwargs
    return args[e] if isinstance(e, int) else kwargs.get(e)


def _unread_user_code(fn: Any, args: tuple) -> bool:
    """Is `fn` a Python function, method or callable object of the user's (not
    a library's) whose source s2sad cannot read (made by exec)? What it does
    with a value that carries a derivative is unknown: it may keep it in its
    object and return nothing, and the derivative would be lost unseen."""
    if type(fn) is UpdatingMethod:
        fn = fn.function(args[0])
    function = getattr(fn, "__func__", fn)
    if not isinstance(function, types.FunctionType):  # (a callable object: its __call__)
        function = type(fn).__dict__.get("__call__")
    if not isinstance(function, types.FunctionType):
        return False
    filename = function.__code__.co_filename
    return not readable(function) and not is_library_file(filename) and \
        not is_own_file(filename)


def _plan(fn: Any, active: tuple, args: tuple, kwargs: dict) -> Plan | RecordCall | None:
    if type(fn) is UpdatingMethod:  # (its function: the object's class's, when it runs)
        method = fn.function(args[0])
        unfolded = Unfolded(method, updates=True) if readable(method) else None
    else:
        unfolded = unfold(fn, len(args), tuple(kwargs))
    if unfolded is None:
        return None
    if _is_own(unfolded.fn):
        raise _through_own(fn, unfolded.fn)
    if unfolded.record is not None:
        return RecordCall(unfolded.record, active, args, kwargs)
    return Plan(fn, unfolded, active, args, kwargs)


def _through_own(fn: Any, code: Any) -> NoAdjointError:
    """The error for a call of s2sad itself inside a differentiated function:
    a transform (`s2sad.jvp(...)`), or a function one returned (`s2sad.hvp(f)`)."""
    not_nested = getattr(fn, "__s2sad_not_nested__", None)
    if not_nested is not None:  # (a grad made with has_aux, or of items of an argument)
        message, hint = not_nested
        return NoAdjointError(message, hint=hint)
    made = getattr(fn, "__s2sad_transform__", None) or getattr(code, "__s2sad_transform__", None)
    name = getattr(code, "__name__", "")
    what = f"the result of s2sad.{made}" if made else f"s2sad.{name}"
    hint = "compute this derivative outside the function and pass it in; derivatives of " \
        "derivatives go through grad: s2sad.hessian(f), s2sad.hvp(f), grad(grad(f))"
    if name in ("grad", "value_and_grad") and not made:
        hint = "calling s2sad.grad(g) inside composes when g is defined at module level (a " \
            "function defined inside is made anew at each call)"
    return NoAdjointError(f"differentiating through {what}, called inside the function, is "
                          "not supported", hint=hint)


def _is_own(fn: Any) -> bool:
    """Is fn s2sad's own code (a transform the user's function calls, or the
    function one returns), which the dispatcher must not compile as theirs?"""
    code = getattr(fn, "__code__", None)
    return code is not None and is_own_file(code.co_filename)


# ---------------------------------------------------------------- reverse mode


# The inline cache of call_forward: plain function -> {(active, argument
# types, numbers specialized, arrays' shapes): (plan, compiled)}, for calls of
# a Python function with positional numbers and arrays only (a recursive
# helper runs it per level). Types and shapes fix the argument kinds, so the
# compiled halves; their guards are still checked on every call.
_KNOWN_CALLS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_KNOWN_PER_FUNCTION = 16  # (types and shapes a callee may keep changing)


def _forget_known(fn: Any) -> None:
    if fn is None:
        _KNOWN_CALLS.clear()
    else:
        _KNOWN_CALLS.pop(fn, None)


pipeline.on_forget(_forget_known)
_PLAIN_TYPES = frozenset({float, int, bool, np.float64, np.ndarray})


def call_forward(fn: Any, active: tuple, /, *args: Any, **kwargs: Any) -> tuple:
    """Run a callee's forward half; returns (value, saved) for call_backward."""
    key = None
    if not kwargs and type(fn) is types.FunctionType:
        kinds = tuple(map(type, args))
        if _PLAIN_TYPES.issuperset(kinds):
            key = (active, kinds, pipeline.specializing_numbers(),
                   *[a.shape for a in args if type(a) is np.ndarray])
            known = _KNOWN_CALLS.get(fn)
            hit = known.get(key) if known is not None else None
            if hit is not None and hit[2]():  # (its guards hold)
                value, state = hit[1].forward(*args)
                return value, Saved(hit[0], hit[1], state, value)
    derivative = derivative_of(fn)
    if derivative is not None:  # grad(f) called inside: differentiated one order more
        return fn(*args, **kwargs), NestedCall(derivative, args, kwargs, active)
    plan = _plan(fn, active, args, kwargs)
    if plan is None:
        if writes_in_place(fn):  # (found at run time: `rng.shuffle(a)`)
            raise UnsupportedSyntaxError(
                f"{getattr(fn, '__qualname__', fn)} writes into an existing array, which s2sad "
                "does not follow", hint="compute a new array and assign it (for a shuffle: "
                "a = rng.permutation(a))")
        # (the value it keeps would lose its derivative; not the method's object's,
        # `m.tags.append("t")`, nor a string's or an int's, which have none)
        kept = tuple(e for e in active if e is not None)
        if kept and stores_value(fn) and _carries_a_derivative(fn, kept, args, kwargs):
            raise stored_value_error(fn)
        if active and _unread_user_code(fn, args):
            raise no_rule(fn)  # (it may keep the value in an object, and return nothing)
        if active and not _carries_a_derivative(fn, active, args, kwargs):
            return fn(*args, **kwargs), Inert(tuple(zeros_like(_entry(fn, e, args, kwargs))
                                                    for e in active))
        return fn(*args, **kwargs), Opaque(fn)  # (an error only if a derivative reaches it)
    if isinstance(plan, RecordCall):
        return fn(*args, **kwargs), plan
    compiled = plan.compile("split")
    known = _KNOWN_CALLS.setdefault(fn, {}) if key is not None else None
    if known is not None and len(known) < _KNOWN_PER_FUNCTION and plan.unfolded.fn is fn \
            and not plan.lead and not plan.kwargs:
        known[key] = (plan, compiled, compiled.guards.hold)
    try:
        value, state = compiled.forward(*plan.args, **plan.kwargs)
    except TypeError:  # (a missing or an extra argument: said of the user's function)
        check_binding(compiled.user_fn, plan.args, plan.kwargs)
        raise
    return value, Saved(plan, compiled, state, value)


class _InOrder:
    """The plan of a helper's call of itself (`SelfCall`): the active
    arguments are the parameters it is compiled for, in their order, so its
    backward half's tuple is the adjoints as they are."""

    @staticmethod
    def adjoints(grads: tuple) -> tuple:
        return grads


_IN_ORDER = _InOrder()


class SelfCall:
    """`recurse(fn, active, *args)`: a compiled helper's call of itself with
    arguments of the kinds it is compiled for (`recursion.py` chooses which
    calls): its own forward half, while `fn` is still the function compiled
    and its guards hold; the dispatcher otherwise, like any call."""

    __slots__ = ("compiled", "returns")

    def __init__(self) -> None:
        self.compiled: pipeline.Compiled | None = None  # (set once the halves exist)
        # the shape the code compiled assumed its calls of itself return, if it did
        # (`analysis._recursive_shapes`): true of its own code, checked of any other
        self.returns: tuple | None = None

    def __call__(self, fn: Any, active: tuple, /, *args: Any) -> tuple:
        compiled = self.compiled
        if compiled is not None and fn is compiled.guards.fn() and compiled.guards.hold():
            value, state = compiled.forward(*args)
            # (a record any call_backward takes: one in a loop's backward pass
            # reaches its saved state through a tape, not `recurse_back`)
            return value, Saved(_IN_ORDER, compiled, state, value)
        value, saved = call_forward(fn, active, *args)
        if self.returns is not None and np.shape(value) != self.returns:
            raise S2sadError(
                f"{getattr(fn, '__qualname__', fn)} was called recursively and returned "
                f"shape {np.shape(value)} where the code compiled for it returns "
                f"{self.returns}: the function or a name it reads was rebound while it ran",
                hint="bind the function and the names it reads once, before differentiating")
        return value, saved

    def backward(self, saved: Any, g: Any, /) -> tuple:
        """call_backward of what `__call__` returned (`recurse_back(saved, g)`):
        this code's backward half directly, for a call it ran itself."""
        if type(saved) is not Saved or saved.compiled is not self.compiled or \
                saved.compiled.tangent_names:
            return call_backward(saved, g)
        if type(g) not in _PLAIN_TYPES:
            g = filled_adjoint(g, saved.value)
        return self.compiled.backward(saved.state, g)


def call_backward(saved: Any, g: Any, /) -> tuple:
    """The adjoints of a call_forward's active arguments, given its output's adjoint."""
    if type(saved) is Saved and not saved.compiled.tangent_names and \
            type(g) in _PLAIN_TYPES:  # (the common case first: an array's or number's adjoint)
        return saved.plan.adjoints(saved.compiled.backward(saved.state, g))
    if isinstance(saved, Opaque):
        raise no_rule(saved.fn)
    if isinstance(saved, (NestedCall, RecordCall, Inert)):
        return saved.adjoints(g)
    if saved.compiled.tangent_names:  # (saved by call_forward_jvp)
        return call_backward_jvp(saved, None, g, None)[0]
    grads = saved.compiled.backward(saved.state, filled_adjoint(g, saved.value))
    return saved.plan.adjoints(grads)


# ---------------------------------------------------------------- forward mode


def call_jvp(fn: Any, active: tuple, tangents: tuple, /, *args: Any, **kwargs: Any) -> tuple:
    """Run a callee's forward mode: (value, tangent of the value), given the
    tangents of its `active` arguments."""
    derivative = derivative_of(fn)
    if derivative is not None:  # grad(f) called inside: one more forward layer
        wrt, order = _parameters(derivative, active)
        by_param: dict[int, Any] = {}
        for k, t in zip(order, tangents):
            by_param[k] = t if k not in by_param else by_param[k] + t
        moved = derivative.tangent(wrt, tuple(by_param[k] for k in range(len(wrt))))
        value_at, tangent_at = derivative.tangent_paths()
        result = moved.run(args, kwargs)
        return pick(result, value_at), pick(result, tangent_at)
    plan = _plan(fn, active, args, kwargs)
    if plan is None:
        if not _carries_a_derivative(fn, active, args, kwargs):  # (`name.startswith("w")`)
            value = fn(*args, **kwargs)
            return value, zeros_like(value)
        fn(*args, **kwargs)  # (a call Python refuses, `x.round(1, 2, 3)`: its own error)
        raise no_rule(fn, "forward")
    if isinstance(plan, RecordCall):
        value = fn(*args, **kwargs)
        return value, plan.tangent(value, tangents)
    if not plan.wrt:
        value = fn(*args, **kwargs)
        return value, zeros_like(value)
    compiled = plan.compile("primal", forwards=(plan.wrt,))
    named = dict(zip(compiled.tangent_names[0], plan.tangents(tangents)))
    return compiled.func(*plan.args, **plan.kwargs, **named)


def call_forward_jvp(fn: Any, active: tuple, moving: tuple, tangents: tuple, /, *args: Any,
                     **kwargs: Any) -> tuple:
    """call_forward and its tangent, for forward mode over reverse mode:
    ((value, saved), (value's tangent, saved's tangent)), from the callee's
    halves with a forward layer each. The backward half gives the adjoints
    of the `active` entries; `tangents` are those of the `moving` ones (the
    active ones and any other with a tangent)."""
    if derivative_of(fn) is not None:
        raise UnsupportedSyntaxError(
            "forward mode over the gradient of a function that calls a gradient (a third "
            "derivative through a call) is not supported",
            hint="call the inner function instead of its gradient, or nest s2sad.grad "
            "around the whole function")
    plan = _plan(fn, active, args, kwargs)
    if plan is None and not _carries_a_derivative(fn, moving, args, kwargs):
        value = fn(*args, **kwargs)  # (`k.startswith("W")` of a str key: nothing moves)
        saved = Inert(tuple(zeros_like(_entry(fn, e, args, kwargs)) for e in active))
        return (value, saved), (zeros_like(value), None)
    if plan is None:
        raise no_rule(fn, "forward")
    moved = plan if moving == active else _plan(fn, moving, args, kwargs)
    if isinstance(plan, RecordCall):
        value = fn(*args, **kwargs)
        return (value, plan), (moved.tangent(value, tangents), None)
    compiled = plan.compile("split", forwards=(moved.wrt,))
    named = dict(zip(compiled.tangent_names[0], moved.tangents(tangents)))
    (value, state), (value_dot, state_dot) = compiled.forward(*plan.args, **plan.kwargs,
                                                              **named)
    saved = Saved(plan, compiled, state, value)
    return (value, saved), (value_dot, (state_dot, value_dot))


def call_backward_jvp(saved: Any, saved_dot: Any, g: Any, g_dot: Any, /) -> tuple:
    """call_backward and its tangent: (adjoints, their tangents)."""
    if isinstance(saved, (RecordCall, Inert)):  # (linear: the tangents go the same way)
        return saved.adjoints(g), saved.adjoints(g_dot)
    if isinstance(saved, (Opaque, NestedCall)) or not isinstance(saved, Saved):
        raise UnsupportedSyntaxError(
            "forward mode over the gradient of this call is not supported (it calls a "
            "gradient, or a function s2sad cannot read)")
    compiled = saved.compiled
    if not compiled.tangent_names:
        raise UnsupportedSyntaxError("forward mode over this call's gradient is not supported")
    state_dot = saved_dot[0] if isinstance(saved_dot, tuple) else zeros_like(saved.state)
    g = filled_adjoint(g, saved.value)
    g_dot = filled_adjoint(g_dot, saved.value)
    names = compiled.tangent_names[1]
    grads, grads_dot = compiled.backward(saved.state, g, **{names[0]: state_dot,
                                                            names[1]: g_dot})
    return saved.plan.adjoints(grads), saved.plan.adjoints(grads_dot)


# ---------------------------------------------------------------- derivatives of derivatives


class NestedCall:
    """What call_forward saves for a call of a derivative (`grad(f)(x)` inside
    the function being differentiated): its adjoints come from one more
    forward layer over f's gradient (`nesting.py`)."""

    def __init__(self, derivative: Derivative, args: tuple, kwargs: dict, active: tuple) -> None:
        self.derivative, self.args, self.kwargs, self.active = derivative, args, kwargs, active

    def adjoints(self, g: Any) -> tuple:
        wrt, order = _parameters(self.derivative, self.active)
        parts = self.derivative.adjoint(wrt, g)
        grads = sum_parts(parts, self.args, self.kwargs, len(wrt) == 1)
        grads = (grads,) if len(wrt) == 1 else grads
        return tuple(grads[k] for k in order)


def _parameters(derivative: Derivative, active: tuple) -> tuple[tuple[int, ...], list[int]]:
    """The parameters of a derivative's function the active arguments bind to
    (sorted), and where each active argument's adjoint is among those. A
    position counts after the arguments the derivative binds first (a bound
    method's object, a partial's arguments)."""
    lay: Layout = layout(derivative.fn)
    lead = len(derivative.lead)
    active = tuple(site + lead if isinstance(site, int) else site for site in active)
    if any(site is None or site in ("*", "**") for site in active):
        raise UnsupportedSyntaxError(
            "a derivative s2sad made (grad(f)) called with *args, **kwargs or through a "
            "function value cannot be differentiated again here",
            hint="call it with its arguments listed one by one")
    params = [lay.locate(site)[0] for site in active]
    wrt = tuple(sorted(set(params)))
    return wrt, [wrt.index(p) for p in params]


_DISPATCHER = dict(call_forward=call_forward, call_backward=call_backward, call_jvp=call_jvp,
                   call_forward_jvp=call_forward_jvp, call_backward_jvp=call_backward_jvp)
pipeline.install_dispatcher(**_DISPATCHER, recursion_site=SelfCall)
USER_CALLS.update(_DISPATCHER)
