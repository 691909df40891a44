"""Forward mode and the transforms built from both modes: jvp, jacobian,
hessian, hvp, elementwise_grad. Names and signatures follow JAX's, so code
and habits carry over.

    out, t = jvp(f, (x,), (v,))       # f(x) and its derivative along v
    J = jacobian(f)(x)                # shape out.shape + x.shape
    H = hessian(f)(x)                 # forward mode over reverse mode
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import pipeline
from .errors import ArgumentTypeError
from .parsing import unwrap
from .pipeline import Compiled, Spec


def jvp(f: Callable, primals: Sequence, tangents: Sequence) -> tuple[Any, Any]:
    """`(f(*primals), J @ tangents)`: the value and its derivative along
    `tangents`, one per primal (None: that argument is held fixed), computed
    by generated forward-mode code in one pass."""
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ArgumentTypeError(f"jvp got {len(primals)} primals but {len(tangents)} tangents",
                                hint="give one tangent per primal (None to hold one fixed)")
    fn = unwrap(f)
    wrt = tuple(i for i, (p, t) in enumerate(zip(primals, tangents))
                if t is not None and _has_tangent(p, t, i))
    if not wrt:
        return fn(*primals), _zero_tangent(fn(*primals))
    compiled = compile_jvp(fn, wrt, primals)
    named = {name: _as_tangent(tangents[i], primals[i])
             for name, i in zip(compiled.tangent_names[0], wrt)}
    try:
        return compiled.func(*primals, **named)
    except ZeroDivisionError:
        # Python floats raise where NumPy gives inf or nan (a derivative at a
        # singular point): if the function itself runs, compute again with
        # NumPy scalars, as an array would.
        fn(*primals)
        return compiled.func(*numpy_scalars(primals), **dict(zip(named, numpy_scalars(
            tuple(named.values())))))


def numpy_scalars(values: tuple) -> list:
    return [np.float64(v) if type(v) is float else v for v in values]


def compile_jvp(fn: Any, wrt: tuple[int, ...], args: tuple, kwargs: dict | None = None
                ) -> Compiled:
    code = fn.__code__
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    scalars, sequences = pipeline.argument_kinds(args, kwargs, names)
    return pipeline.compile(fn, Spec("primal", (), scalars, sequences, forwards=(wrt,)))


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
    """A tangent in the primal's form: arrays for arrays, floats for floats."""
    if isinstance(primal, (list, tuple)):
        return type(primal)(_as_tangent(t, p) for t, p in zip(tangent, primal))
    if isinstance(primal, dict):
        return {k: _as_tangent(tangent[k], v) for k, v in primal.items()}
    if isinstance(primal, np.ndarray):
        t = np.asarray(tangent)
        if t.shape != primal.shape:
            raise ArgumentTypeError(f"a tangent has shape {t.shape}, its primal {primal.shape}",
                                    hint="give each tangent its primal's shape")
        return t
    return tangent


def _zero_tangent(value: Any) -> Any:
    from .runtime import zeros_like

    return zeros_like(value)


__all__ = ["jvp"]
