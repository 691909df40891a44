"""The run-time dispatcher: calls of user code from generated gradients.

A call that a derivative flows through, `y = h(a, b)`, is generated as
`pair = call_forward(h, active, a, b)` and, in the backward pass,
`call_backward(pair[1], dy)`. The callee is looked up when the call runs, so
recursion works and a redefined helper is picked up on the next call; its
two halves come from the pipeline's cache (checked like any other result).
`active` lists the call's arguments that carry a derivative, by position or
keyword; `call_backward` returns their adjoints in that order.

This module sits above the pipeline in the import graph: it plugs its entry
points into the pipeline (`install_dispatcher`) for generated code to call.
"""

from __future__ import annotations

import inspect
import types
from typing import Any

from . import pipeline
from .errors import NoAdjointError, UnsupportedSyntaxError
from .nesting import Derivative, derivative_of, pick, sum_parts
from .parsing import is_library_file
from .runtime import USER_CALLS, zeros_like


def call_forward(fn: Any, active: tuple, /, *args: Any, **kwargs: Any) -> tuple:
    """Run a user function's forward half; returns (value, saved) for call_backward."""
    derivative = derivative_of(fn)
    if derivative is not None:  # grad(f) called inside: differentiated one order more
        return fn(*args, **kwargs), NestedCall(derivative, args, kwargs, active)
    if inspect.ismethod(fn) and isinstance(fn.__func__, types.FunctionType):
        fn, args = fn.__func__, (fn.__self__, *args)  # a method: `self` comes first
        active = tuple(i + 1 if isinstance(i, int) else i for i in active)
    if not isinstance(fn, types.FunctionType) or is_library_file(fn.__code__.co_filename):
        return fn(*args, **kwargs), Opaque(fn)  # (an error only if a derivative reaches it)
    wrt, order = _parameters(fn, active)
    code = fn.__code__
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    scalars, sequences = pipeline.argument_kinds(args, kwargs, names)
    compiled = pipeline.compile(fn, pipeline.Spec("split", wrt, scalars, sequences))
    value, state = compiled.forward(*args, **kwargs)
    return value, (compiled.backward, state, value, order)


class Opaque:
    """What call_forward saves for a callee it cannot differentiate (no source,
    or library code): calling it is fine; a derivative reaching it is not."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn


def call_backward(saved: Any, g: Any, /) -> tuple:
    """The adjoints of a call_forward's active arguments, given its output's adjoint."""
    if isinstance(saved, Opaque):
        raise NoAdjointError(
            f"cannot differentiate through {saved.fn!r}: it is not a Python function s2sad "
            "can read, and it has no derivative rule",
            hint="give it an adjoint rule with s2sad.defvjp(function, rule), wrap the value in "
            "s2sad.stop_gradient(...) if no gradient should flow through it, or rewrite it "
            "with supported NumPy operations")
    if isinstance(saved, NestedCall):
        return saved.adjoints(g)
    if isinstance(saved[0], pipeline.Compiled):  # (saved by call_forward_jvp)
        return call_backward_jvp(saved, None, g, None)[0]
    backward, state, value, order = saved
    grads = backward(state, fill_zeros(g, value))
    return tuple(grads[k] for k in order)


def call_forward_jvp(fn: Any, active: tuple, tangents: tuple, /, *args: Any,
                     **kwargs: Any) -> tuple:
    """call_forward and its tangent, for forward mode over reverse mode:
    ((value, saved), (value's tangent, saved's tangent)), from the callee's
    halves with a forward layer each."""
    if derivative_of(fn) is not None:
        raise UnsupportedSyntaxError(
            "forward mode over the gradient of a function that calls a gradient (a third "
            "derivative through a call) is not supported",
            hint="call the inner function instead of its gradient, or nest s2sad.grad "
            "around the whole function")
    if inspect.ismethod(fn) and isinstance(fn.__func__, types.FunctionType):
        fn, args = fn.__func__, (fn.__self__, *args)
        active = tuple(i + 1 if isinstance(i, int) else i for i in active)
    if not isinstance(fn, types.FunctionType) or is_library_file(fn.__code__.co_filename):
        raise NoAdjointError(
            f"cannot differentiate through {fn!r}: it is not a Python function s2sad "
            "can read, and it has no derivative rule",
            hint="wrap the value in s2sad.stop_gradient(...) if no derivative should flow "
            "through it")
    wrt, order = _parameters(fn, active)
    code = fn.__code__
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    scalars, sequences = pipeline.argument_kinds(args, kwargs, names)
    compiled = pipeline.compile(fn, pipeline.Spec("split", wrt, scalars, sequences,
                                                  forwards=(wrt,)))
    by_param: dict[int, Any] = {}
    for k, t in zip(order, tangents):
        by_param[k] = t if k not in by_param else by_param[k] + t
    named = dict(zip(compiled.tangent_names[0], (by_param[k] for k in range(len(wrt)))))
    (value, state), (value_dot, state_dot) = compiled.forward(*args, **kwargs, **named)
    saved = (compiled, state, value, order)
    return (value, saved), (value_dot, (None, state_dot, value_dot, order))


def call_backward_jvp(saved: Any, saved_dot: Any, g: Any, g_dot: Any, /) -> tuple:
    """call_backward and its tangent: (adjoints, their tangents)."""
    if isinstance(saved, (Opaque, NestedCall)):
        raise UnsupportedSyntaxError(
            "forward mode over the gradient of this call is not supported (it calls a "
            "gradient, or a function s2sad cannot read)")
    compiled, state, value, order = saved
    if not isinstance(compiled, pipeline.Compiled) or not compiled.tangent_names:
        raise UnsupportedSyntaxError("forward mode over this call's gradient is not supported")
    state_dot = saved_dot[1] if saved_dot is not None else zeros_like(state)
    g = fill_zeros(g, value)
    g_dot = fill_zeros(g_dot, value)
    names = compiled.tangent_names[1]
    grads, grads_dot = compiled.backward(state, g, **{names[0]: state_dot, names[1]: g_dot})
    return tuple(grads[k] for k in order), tuple(grads_dot[k] for k in order)


class NestedCall:
    """What call_forward saves for a call of a derivative (`grad(f)(x)` inside
    the function being differentiated): its adjoints come from one more
    forward layer over f's gradient (`nesting.py`)."""

    def __init__(self, derivative: Derivative, args: tuple, kwargs: dict, active: tuple) -> None:
        self.derivative, self.args, self.kwargs, self.active = derivative, args, kwargs, active

    def adjoints(self, g: Any) -> tuple:
        wrt, order = _parameters(self.derivative.fn, self.active)
        parts = self.derivative.adjoint(wrt, g)
        grads = sum_parts(parts, self.args, self.kwargs, len(wrt) == 1)
        grads = (grads,) if len(wrt) == 1 else grads
        return tuple(grads[k] for k in order)


def call_jvp(fn: Any, active: tuple, tangents: tuple, /, *args: Any, **kwargs: Any) -> tuple:
    """Run a user function's forward mode: (value, tangent of the value), given
    the tangents of its `active` arguments (by position or keyword)."""
    derivative = derivative_of(fn)
    if derivative is not None:  # grad(f) called inside: one more forward layer
        wrt, order = _parameters(derivative.fn, active)
        by_param: dict[int, Any] = {}
        for k, t in zip(order, tangents):
            by_param[k] = t if k not in by_param else by_param[k] + t
        moved = derivative.tangent(wrt, tuple(by_param[k] for k in range(len(wrt))))
        value_at, tangent_at = derivative.tangent_paths()
        result = moved.run(args, kwargs)
        return pick(result, value_at), pick(result, tangent_at)
    if inspect.ismethod(fn) and isinstance(fn.__func__, types.FunctionType):
        fn, args = fn.__func__, (fn.__self__, *args)
        active = tuple(i + 1 if isinstance(i, int) else i for i in active)
    if not isinstance(fn, types.FunctionType) or is_library_file(fn.__code__.co_filename):
        raise NoAdjointError(
            f"cannot differentiate through {fn!r}: it is not a Python function s2sad "
            "can read, and it has no derivative rule",
            hint="give it a tangent rule with s2sad.defjvp(function, rule), or wrap the value "
            "in s2sad.stop_gradient(...) if no derivative should flow through it")
    wrt, order = _parameters(fn, active)
    code = fn.__code__
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    scalars, sequences = pipeline.argument_kinds(args, kwargs, names)
    compiled = pipeline.compile(fn, pipeline.Spec("primal", (), scalars, sequences,
                                                  forwards=(wrt,)))
    by_param: dict[int, Any] = {}
    for k, t in zip(order, tangents):  # one argument passed twice: its tangents add
        by_param[k] = t if k not in by_param else by_param[k] + t
    named = {compiled.tangent_names[0][k]: by_param[k] for k in range(len(wrt))}
    return compiled.func(*args, **kwargs, **named)


def _parameters(fn: types.FunctionType, active: tuple) -> tuple[tuple[int, ...], list[int]]:
    """The callee's parameter positions the active arguments bind to (sorted,
    as its backward half returns them), and where each active argument's
    adjoint is among those."""
    code = fn.__code__
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    params = [site if isinstance(site, int) else names.index(site) for site in active]
    wrt = tuple(sorted(set(params)))
    return wrt, [wrt.index(p) for p in params]


def fill_zeros(g: Any, like: Any) -> Any:
    """An adjoint with the same structure as `like`: items nobody used get zeros."""
    if g is None:
        return zeros_like(like)
    if isinstance(like, (list, tuple)) and isinstance(g, (list, tuple)):
        return type(like)(fill_zeros(gi, li) for gi, li in zip(g, like))
    if isinstance(like, dict) and isinstance(g, dict):
        return {k: fill_zeros(g.get(k), v) for k, v in like.items()}
    return g


_DISPATCHER = dict(call_forward=call_forward, call_backward=call_backward, call_jvp=call_jvp,
                   call_forward_jvp=call_forward_jvp, call_backward_jvp=call_backward_jvp)
pipeline.install_dispatcher(**_DISPATCHER)
USER_CALLS.update(_DISPATCHER)
