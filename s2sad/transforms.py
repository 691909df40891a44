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
import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import pipeline
from .api import Wrt, _check_args, _def_loc, _wrt_indices
from .errors import ArgumentTypeError, S2sadError
from .nesting import derivative_of, pick, sum_parts
from .pipeline import Compiled, Spec
from .runtime import as_gradient_of, zeros_like
from .targets import as_function

# ---------------------------------------------------------------- forward mode


def jvp(f: Callable, primals: Sequence, tangents: Sequence) -> tuple[Any, Any]:
    """`(f(*primals), J @ tangents)`: the value and its derivative along
    `tangents`, one per primal (None: that argument is held fixed), computed
    by generated forward-mode code in one pass."""
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ArgumentTypeError(f"jvp got {len(primals)} primals but {len(tangents)} tangents",
                                hint="give one tangent per primal (None to hold one fixed)")
    wrt = tuple(i for i, (p, t) in enumerate(zip(primals, tangents))
                if t is not None and _has_tangent(p, t, i))
    moved = tuple(_as_tangent(tangents[i], primals[i]) for i in wrt)
    return jvp_at(f, primals, {}, wrt, moved)


def jvp_at(f: Callable, args: tuple, kwargs: dict, wrt: tuple[int, ...],
           tangents: tuple) -> tuple[Any, Any]:
    """The value of f and its tangent along `tangents` at parameters `wrt`."""
    derivative = derivative_of(f)
    if derivative is not None:
        value_at, tangent_at = derivative.tangent_paths()
        result = derivative.tangent(wrt, tangents).run(args, kwargs)
        return pick(result, value_at), pick(result, tangent_at)
    fn = as_function(f)
    if not wrt:
        value = fn(*args, **kwargs)
        return value, zeros_like(value)
    compiled = compile_jvp(fn, wrt, args, kwargs)
    named = dict(zip(compiled.tangent_names[0], tangents))
    try:
        return compiled.func(*args, **kwargs, **named)
    except pipeline.NUMBER_ERRORS:
        # Python floats and `math` raise where NumPy gives inf or nan (a
        # derivative at a singular point): if the function itself runs,
        # compute again with NumPy scalars, as an array would.
        fn(*args, **kwargs)
        with pipeline.numpy_numbers():
            generic = compile_jvp(fn, wrt, args, kwargs)
            return generic.func(*pipeline.numpy_scalars(args), **kwargs,
                                **dict(zip(named, pipeline.numpy_scalars(tuple(named.values())))))


def compile_jvp(fn: Any, wrt: tuple[int, ...], args: tuple, kwargs: dict | None = None
                ) -> Compiled:
    code = fn.__code__
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    scalars, sequences = pipeline.argument_kinds(args, kwargs, names)
    return pipeline.compile(fn, Spec("primal", (), scalars, sequences, forwards=(wrt,)))


def linearize(f: Callable, *primals: Any) -> tuple[Any, Callable]:
    """`(f(*primals), f_jvp)` where `f_jvp(*tangents)` is the derivative along
    `tangents` at `primals` (each call runs the generated forward mode)."""
    value = as_function(f)(*primals) if derivative_of(f) is None else f(*primals)

    def f_jvp(*tangents: Any) -> Any:
        return jvp(f, primals, tangents)[1]

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
        # of the primal's dtype: a real tangent of a complex z moves it along
        # the real axis; float32 stays float32
        return t.astype(primal.dtype, copy=False) if primal.dtype.kind in "fc" else t
    if isinstance(primal, complex) and not isinstance(tangent, complex):
        return complex(tangent)
    return tangent


# ---------------------------------------------------------------- reverse mode


def vjp(f: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """`(f(*primals), pullback)`, where `pullback(u)` is `u^T J`: a tuple with
    one adjoint per primal (None for integer ones). The forward pass runs
    once; a second call of `pullback` runs it again (the backward pass uses
    up what the forward pass saved). With `has_aux=True`, f returns
    `(value, aux)` and vjp returns `(value, pullback, aux)`."""
    wrt = tuple(i for i, p in enumerate(primals) if _differentiable(p))
    value, pullback = vjp_at(f, primals, {}, wrt, has_aux)
    n = len(primals)

    def by_primal(cotangent: Any) -> tuple:
        grads = pullback(cotangent)
        out: list = [None] * n
        for i, g in zip(wrt, grads):
            out[i] = g
        return tuple(out)

    if has_aux:
        return value[0], by_primal, value[1]
    return value, by_primal


def vjp_at(f: Callable, args: tuple, kwargs: dict, wrt: tuple[int, ...],
           has_aux: bool = False) -> tuple[Any, Callable]:
    """f's value and the pullback giving the adjoints of parameters `wrt`."""
    derivative = derivative_of(f)
    if derivative is not None:
        if has_aux:
            raise S2sadError("has_aux is for functions that return (value, aux), not for "
                             "derivatives s2sad made")
        value = f(*args, **kwargs)

        def nested_pullback(cotangent: Any) -> tuple:
            grads = sum_parts(derivative.adjoint(wrt, cotangent), args, kwargs, len(wrt) == 1)
            grads = (grads,) if len(wrt) == 1 else tuple(grads)
            return tuple(as_gradient_of(g, args[i]) for g, i in zip(grads, wrt))

        return value, nested_pullback
    fn = as_function(f)
    if not wrt:
        return fn(*args, **kwargs), lambda cotangent: ()
    code = fn.__code__
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    scalars, sequences = pipeline.argument_kinds(args, kwargs, names)
    compiled = pipeline.compile(fn, Spec("split", wrt, scalars, sequences, aux=has_aux))
    numbers = contextlib.nullcontext
    try:
        value, state = compiled.forward(*args, **kwargs)
    except pipeline.NUMBER_ERRORS:  # (see api._with_numpy_scalars)
        fn(*args, **kwargs)
        numbers, args = pipeline.numpy_numbers, pipeline.numpy_scalars(args)
        with numbers():
            compiled = pipeline.compile(fn, Spec("split", wrt, (), sequences, aux=has_aux))
            value, state = compiled.forward(*args, **kwargs)
    saved = [state]
    out = value[0] if has_aux else value

    def pullback(cotangent: Any) -> tuple:
        if not saved:  # the backward half used up the first forward half's tapes
            with numbers():
                saved.append(compiled.forward(*args, **kwargs)[1])
        grads = compiled.backward(saved.pop(), _like(cotangent, out))
        grads = (grads,) if len(wrt) == 1 and not isinstance(grads, tuple) else tuple(grads)
        # each in its argument's form: a real argument's adjoint is real
        return tuple(as_gradient_of(g, args[i]) for g, i in zip(grads, wrt))

    return value, pullback


def _like(cotangent: Any, value: Any) -> Any:
    if isinstance(value, np.ndarray) and np.shape(cotangent) != value.shape:
        raise ArgumentTypeError(f"a cotangent has shape {np.shape(cotangent)}, the output "
                                f"{value.shape}", hint="give the cotangent the output's shape")
    return cotangent


def _differentiable(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_differentiable(v) for v in value)
    if isinstance(value, dict):
        return all(_differentiable(v) for v in value.values())
    if isinstance(value, bool):
        return False
    return np.asarray(value).dtype.kind in "fc"


def elementwise_grad(f: Callable, wrt: Wrt = 0) -> Callable:
    """autograd's elementwise_grad: the adjoint of ones through f, which is the
    elementwise derivative when each output entry depends only on the input
    entry in its place (the sum of the Jacobian's rows otherwise)."""
    fn = as_function(f) if derivative_of(f) is None else derivative_of(f).fn
    indices = _wrt_indices(fn, wrt, _def_loc(fn))
    as_tuple = not isinstance(wrt, (int, str))

    @functools.wraps(fn)
    def gradient(*args: Any, **kwargs: Any) -> Any:
        _check_args(fn, args, indices)
        value, pullback = vjp_at(f, args, kwargs, indices)
        grads = pullback(np.ones_like(value) if isinstance(value, np.ndarray) else 1.0)
        return tuple(grads) if as_tuple else grads[0]

    return gradient


# ---------------------------------------------------------------- Jacobians and Hessians


def jacobian(f: Callable, wrt: Wrt = 0, mode: str = "auto", *,
             has_aux: bool = False, holomorphic: bool = False) -> Callable:
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
    fn = as_function(f) if derivative_of(f) is None else derivative_of(f).fn
    indices = _wrt_indices(fn, wrt, _def_loc(fn))
    as_tuple = not isinstance(wrt, (int, str))

    @functools.wraps(fn)
    def jac(*args: Any, **kwargs: Any) -> Any:
        _check_args(fn, args, indices)
        inputs = [np.asarray(args[i]) for i in indices]
        if not holomorphic and any(np.iscomplexobj(x) for x in inputs):
            raise ArgumentTypeError(
                "jacobian of a function of complex inputs is the derivative f'(z) only for "
                "a holomorphic function", _def_loc(fn),
                "pass holomorphic=True if f is holomorphic; otherwise differentiate the "
                "real and imaginary parts as separate real inputs")
        value = f(*args, **kwargs) if derivative_of(f) is not None else fn(*args, **kwargs)
        value, aux = value if has_aux else (value, None)
        outputs = _outputs(value)
        size_in = sum(x.size for x in inputs)
        size_out = sum(np.size(o) for o in outputs)
        chosen = mode if mode != "auto" else "forward" if size_in <= size_out else "reverse"
        several = isinstance(value, tuple)
        build = _jacobian_forward if chosen == "forward" else _jacobian_reverse
        blocks = build(f, args, kwargs, indices, inputs, outputs, several, has_aux)
        per_output = [tuple(row) if as_tuple else row[0] for row in blocks]
        result = tuple(per_output) if several else per_output[0]
        return (result, aux) if has_aux else result

    return jac


def _outputs(value: Any) -> list:
    """The arrays a function returned (one, or the items of a tuple)."""
    items = list(value) if isinstance(value, tuple) else [value]
    for item in items:
        if isinstance(item, (tuple, list, dict)) or not np.issubdtype(
                np.asarray(item).dtype, np.number):
            raise S2sadError("jacobian needs a function returning numbers or arrays (or a "
                             "tuple of them)", hint="stack the outputs into arrays")
    return items


def _basis(inputs: list, k: int, j: int, args: tuple, indices: tuple) -> tuple:
    """Tangents that move entry j of input k alone."""
    out = []
    for k2, (x, i) in enumerate(zip(inputs, indices)):
        b = np.eye(1, x.size, j).reshape(x.shape) if k2 == k else np.zeros(x.shape)
        out.append(b if np.ndim(args[i]) else float(b))
    return tuple(out)


def _jacobian_forward(f: Callable, args: tuple, kwargs: dict, indices: tuple, inputs: list,
                      outputs: list, several: bool, has_aux: bool) -> list:
    """blocks[output][input], one forward pass per input entry."""
    columns: list[list[list]] = [[[] for _ in inputs] for _ in outputs]
    for k, x in enumerate(inputs):
        for j in range(x.size):
            _, tangent = jvp_at(f, args, kwargs, indices, _basis(inputs, k, j, args, indices))
            tangent = tangent[0] if has_aux else tangent
            for o, part in enumerate(tangent if several else (tangent,)):
                columns[o][k].append(part)
    return [[_block(columns[o][k], np.shape(out), x.shape, -1) for k, x in enumerate(inputs)]
            for o, out in enumerate(outputs)]


def _jacobian_reverse(f: Callable, args: tuple, kwargs: dict, indices: tuple, inputs: list,
                      outputs: list, several: bool, has_aux: bool) -> list:
    """blocks[output][input], one backward pass per output entry."""
    _, pullback = vjp_at(f, args, kwargs, indices, has_aux)
    blocks = []
    for o, out in enumerate(outputs):
        rows: list[list] = [[] for _ in inputs]
        size = int(np.size(out))
        for j in range(size):
            basis = np.eye(1, size, j).reshape(np.shape(out))
            basis = basis if np.ndim(out) else float(basis)
            cotangent = tuple(basis if o2 == o else zeros_like(v) for o2, v in
                              enumerate(outputs)) if several else basis
            for k, g in enumerate(pullback(cotangent)):
                rows[k].append(g)
        blocks.append([_block(r, np.shape(out), x.shape, 0) for r, x in zip(rows, inputs)])
    return blocks


def _block(parts: list, out_shape: tuple, in_shape: tuple, axis: int) -> Any:
    """Columns (axis -1) or rows (axis 0) stacked into a block of shape
    out_shape + in_shape; a float if that is ()."""
    parts = [np.asarray(p, dtype=np.result_type(p, float)) for p in parts]
    if not parts:
        return np.zeros(out_shape + in_shape)
    block = np.stack(parts, axis=axis).reshape(out_shape + in_shape)
    return float(block) if block.ndim == 0 and block.dtype.kind == "f" else block


def hessian(f: Callable, wrt: Wrt = 0, *, holomorphic: bool = False) -> Callable:
    """The Hessian of a scalar function: forward mode over the gradient's
    reverse mode, one Hessian-vector product per input entry. Shape
    `x.shape + x.shape`; for a tuple `wrt`, a tuple of tuples of blocks."""
    from .api import grad

    return jacobian(grad(f, wrt=wrt), wrt=wrt, mode="forward", holomorphic=holomorphic)


def hvp(f: Callable, wrt: Wrt = 0) -> Callable:
    """`hvp(f)(*args, v)`: the Hessian of scalar f at args times v (a tuple of
    vectors for a tuple `wrt`), in one forward-over-reverse pass."""
    from .api import grad

    gradient = grad(f, wrt=wrt)
    as_tuple = not isinstance(wrt, (int, str))
    fn = as_function(f) if derivative_of(f) is None else derivative_of(f).fn
    indices = _wrt_indices(fn, wrt, _def_loc(fn))

    @functools.wraps(fn)
    def product(*args_and_v: Any, **kwargs: Any) -> Any:
        *args, v = args_and_v
        directions = tuple(v) if as_tuple else (v,)
        _, tangent = jvp_at(gradient, tuple(args), kwargs, indices, directions)
        return (tangent,) if as_tuple and len(indices) == 1 else tangent

    return product


__all__ = ["jvp", "vjp", "linearize", "jacobian", "hessian", "hvp", "elementwise_grad"]
