"""Derivatives of derivatives: what `grad(f)` is, as something to differentiate.

`grad(f, wrt=W)` returns a function carrying a `Derivative`: the user's
function, the parameters differentiated in reverse mode (`base`), the
forward-mode layers over that (each: the parameters it moves and the
direction it moves them in) and where its result sits in the compiled
function's nested output (`path`). The pipeline compiles any such tower as
one generated function (`Spec(kind="grad", wrt=base, forwards=...)`), so a
derivative of any order is generated code that the same passes optimize.

Differentiating a derivative adds one forward layer:

* its tangent along t at parameters A: the layer (A, t); the result is the
  tangent of what the derivative reads;
* its adjoint for a cotangent u, with respect to parameters A: since the
  derivative of a gradient is symmetric (mixed partials commute),
  u . d(grad_W f)/dx_A = d/de grad_A f(x + e u_W): the tower with base A and
  the layer (W, u).

So `grad(grad(f))` is forward mode over reverse mode (a Hessian-vector
product), `grad(grad(grad(f)))` two forward layers over reverse mode, and a
function that calls `grad(f)` inside is differentiated the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from . import backends, pipeline
from .errors import NonScalarOutputError, S2sadError
from .parsing import errors_located
from .runtime import NonScalarOutput, as_gradient_of, zeros_like


@dataclass(frozen=True)
class Derivative:
    """A derivative of `fn` (see the module's docstring). `value`: the
    result also holds f's value (value_and_grad); `single`: one `wrt`
    parameter, so gradients are not a tuple."""

    fn: Any
    base: tuple[int, ...]
    single: bool
    layers: tuple[tuple[tuple[int, ...], tuple], ...] = ()
    path: tuple[int, ...] = (1,)
    value: bool = False
    # Arguments the differentiated callable binds ahead of the caller's (a
    # bound method's `self`, a partial's): `fn` gets them first.
    lead: tuple = ()
    bound: tuple = ()  # (keyword, value) pairs
    backend: str = "numpy"  # what runs the generated code (`backends.py`)

    def full(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        if not self.lead and not self.bound:
            return args, kwargs
        return (*self.lead, *args), {**dict(self.bound), **kwargs}

    def compiled(self, args: tuple, kwargs: dict) -> pipeline.Compiled:
        args, kwargs = self.full(args, kwargs)
        kinds = pipeline.argument_kinds(self.fn, args, kwargs)
        spec = pipeline.Spec("grad", self.base, *kinds,
                             forwards=tuple(positions for positions, _ in self.layers))
        return pipeline.compile(self.fn, spec)

    def run(self, args: tuple, kwargs: dict) -> Any:
        """The whole nested result of the compiled tower at `args`."""
        compiled = self.compiled(args, kwargs)
        named: dict[str, Any] = {}
        full_args, full_kwargs = self.full(args, kwargs)
        for names, (positions, directions) in zip(compiled.tangent_names, self.layers):
            named.update(zip(names, (_like_argument(d, full_args[p] if p < len(full_args)
                                                    else None)
                                     for p, d in zip(positions, directions))))
        try:
            with errors_located():  # (a run-time refusal: at the user's line)
                return pipeline.run_numbers_safely(
                    self.fn, backends.runner(compiled, self.backend),
                    lambda: self.compiled(args, kwargs), full_args, full_kwargs, named,
                    tuple(self.base) + tuple(k for positions, _ in self.layers
                                             for k in positions))
        except NonScalarOutput as exc:  # (the innermost gradient's output: hvp, hessian)
            raise NonScalarOutputError.returned(self.fn.__name__, exc.args[0],
                                                compiled.return_loc,
                                                needs="a second derivative") from None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return pick(self.run(args, kwargs), self.path)

    # ------------------------------------------------------------ one order more

    def tangent(self, active: tuple[int, ...], tangents: tuple) -> Derivative:
        """The derivative of this one along `tangents` at parameters `active`:
        its result is (this one's result, its tangent)."""
        return replace(self, layers=(*self.layers, (active, tuple(tangents))), path=())

    def in_argument_form(self, part: Any, args: tuple, kwargs: dict) -> Any:
        """A gradient part of this derivative's result (or its tangent) as
        grad returns it: each in its argument's form (a real argument's
        gradient is real, though complex values in between made it complex)."""
        if self.path[-1:] != (1,):
            return part  # (the function's value carried along: as it is)
        full_args, _ = self.full(args, kwargs)
        parts = (part,) if self.single else part
        if not isinstance(parts, tuple) or len(parts) != len(self.base) or \
                any(p >= len(full_args) for p in self.base):
            return part
        formed = tuple(as_gradient_of(g, full_args[p]) if _plain(full_args[p]) else g
                       for g, p in zip(parts, self.base))
        return formed[0] if self.single else formed

    def tangent_paths(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Where, in `tangent(...)`'s result, this one's value and its tangent are."""
        return (0, *self.path), (1, *self.path)

    def adjoint(self, active: tuple[int, ...], cotangent: Any) -> list[Derivative]:
        """Derivatives whose values sum to the adjoints of parameters `active`
        for `cotangent` (one per parameter, as a tuple if several)."""
        if self.value and self.path == ():
            value_part, grads_part = cotangent
            parts = [self.adjoint_of_gradient(active, grads_part)]
            if value_part is not None:
                parts.append(Scaled(replace(self, base=active, single=len(active) == 1,
                                            path=(1,), value=False), value_part))
            return parts
        return [self.adjoint_of_gradient(active, cotangent)]

    def adjoint_of_gradient(self, active: tuple[int, ...], cotangent: Any) -> Derivative:
        if self.path[-1:] != (1,):
            raise S2sadError("s2sad can differentiate the gradient part of a derivative, not "
                             "the function's value carried along with it (value_and_grad's "
                             "first result)",
                             hint="call the function itself for its value, f(x), and "
                             "s2sad.grad(f)(x) for the gradient")
        directions = (cotangent,) if self.single else tuple(cotangent)
        layer = (self.base, tuple(zeros_like_none(d) for d in directions))
        return Derivative(self.fn, active, len(active) == 1, (*self.layers, layer),
                          (1, *self.path), lead=self.lead, bound=self.bound,
                          backend=self.backend)


def _like_argument(direction: Any, arg: Any) -> Any:
    """A layer's direction for `arg`: the number 1.0 of grad(grad(f)) is a
    0-d array for a 0-d array argument (the code indexes it as one)."""
    if type(direction) is float and type(arg) is np.ndarray and arg.ndim == 0:
        return np.asarray(direction, dtype=arg.dtype if arg.dtype.kind in "fc" else float)
    return direction


@dataclass(frozen=True)
class Scaled:
    """`factor` times a derivative's value (a value_and_grad's value cotangent)."""

    derivative: Derivative
    factor: Any

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        grads = self.derivative(*args, **kwargs)
        if self.derivative.single:
            return self.factor * grads
        return tuple(self.factor * g for g in grads)


def _plain(x: Any) -> bool:
    """A number or an array (whose gradient's form as_gradient_of gives)."""
    return isinstance(x, (float, int, complex, np.ndarray, np.generic)) and \
        not isinstance(x, bool)


def zeros_like_none(direction: Any) -> Any:
    return 0.0 if direction is None else direction


def pick(result: Any, path: tuple[int, ...]) -> Any:
    for k in path:
        result = result[k]
    return result


def derivative_of(obj: Any) -> Derivative | None:
    """The Derivative a function s2sad made carries, if `obj` is one."""
    return getattr(obj, "__s2sad_derivative__", None)


def sum_parts(parts: list[Any], args: tuple, kwargs: dict, single: bool) -> Any:
    total = None
    for part in parts:
        value = part(*args, **kwargs)
        if total is None:
            total = value
        elif single:
            total = total + value
        else:
            total = tuple(a + b for a, b in zip(total, value))
    return total


__all__ = ["Derivative", "derivative_of", "pick", "sum_parts", "zeros_like"]
