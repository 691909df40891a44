"""Helpers for the control-flow corpus: table rows and gradient checks.

`check(fn, args, wrt)` checks s2sad's gradient of `fn` at `args` against central
finite differences. Plain scalar and array arguments go through
`s2sad.check_grad`; dict, list and tuple arguments (which `check_grad` cannot
perturb) are checked leaf by leaf here, and their gradient must come back in
the same structure. Either way the value from `value_and_grad` must equal the
function's own value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import s2sad

EPS = 1e-6
RTOL = 1e-4
ATOL = 1e-6


def row(fn: Callable, *inputs: tuple, wrt: Any = 0, xfail: str | None = None,
        id: str | None = None) -> Any:
    """One table row: `fn`, the argument tuples to check it at, and `wrt`.

    `xfail` names a known compiler bug; the row then must fail (strict)."""
    assert inputs, "a row needs at least one input"
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(fn, list(inputs), wrt, id=id or fn.__name__, marks=marks)


def _indices(fn: Callable, wrt: Any) -> tuple[int, ...]:
    names = fn.__code__.co_varnames[: fn.__code__.co_argcount]
    items = wrt if isinstance(wrt, (tuple, list)) else (wrt,)
    return tuple(names.index(i) if isinstance(i, str) else i for i in items)


def _structured(value: Any) -> bool:
    return isinstance(value, (dict, list, tuple))


def flatten(value: Any) -> list[np.ndarray]:
    """The numeric leaves of a (nested) dict/list/tuple, in a fixed order."""
    if isinstance(value, dict):
        return [leaf for key in value for leaf in flatten(value[key])]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in flatten(item)]
    return [np.array(value, dtype=float)]


def unflatten(like: Any, leaves: Iterator[np.ndarray]) -> Any:
    """Rebuild `like`'s structure from `leaves` (scalars stay Python floats)."""
    if isinstance(like, dict):
        return {key: unflatten(item, leaves) for key, item in like.items()}
    if isinstance(like, (list, tuple)):
        return type(like)(unflatten(item, leaves) for item in like)
    leaf = next(leaves)
    return float(leaf) if np.ndim(like) == 0 and not isinstance(like, np.ndarray) else leaf


def assert_same_structure(grad: Any, like: Any, where: str = "gradient") -> None:
    """`grad` has `like`'s containers (same types, keys, lengths) and leaf shapes."""
    if isinstance(like, dict):
        assert isinstance(grad, dict), f"{where}: expected a dict, got {type(grad).__name__}"
        assert list(grad) == list(like), f"{where}: keys {list(grad)} != {list(like)}"
        for key in like:
            assert_same_structure(grad[key], like[key], f"{where}[{key!r}]")
    elif isinstance(like, (list, tuple)):
        assert type(grad) is type(like), \
            f"{where}: expected a {type(like).__name__}, got {type(grad).__name__}"
        assert len(grad) == len(like), f"{where}: length {len(grad)} != {len(like)}"
        for i, (g, item) in enumerate(zip(grad, like)):
            assert_same_structure(g, item, f"{where}[{i}]")
    else:
        assert np.shape(grad) == np.shape(like), \
            f"{where}: shape {np.shape(grad)} != {np.shape(like)}"


def structured_fd(fn: Callable, args: tuple, index: int) -> list[np.ndarray]:
    """Central differences of `fn` with respect to every leaf of args[index]."""
    like = args[index]
    base = flatten(like)
    out = []
    for k, leaf in enumerate(base):
        grad = np.zeros_like(leaf)
        for pos in np.ndindex(leaf.shape):
            for sign in (1.0, -1.0):
                probe = [x.copy() for x in base]
                probe[k][pos] += sign * EPS
                moved = unflatten(like, iter(probe))
                value = float(fn(*args[:index], moved, *args[index + 1:]))
                grad[pos] += sign * value
        out.append(grad / (2 * EPS))
    return out


def check(fn: Callable, args: tuple, wrt: Any = 0) -> Any:
    """Check the gradient of `fn` at `args`; returns the gradient."""
    indices = _indices(fn, wrt)
    if not any(_structured(args[i]) for i in indices):
        result = s2sad.check_grad(fn, *args, wrt=wrt)
    else:
        result = s2sad.grad(fn, wrt=wrt)(*args)
        grads = result if isinstance(wrt, (tuple, list)) else (result,)
        assert len(grads) == len(indices)
        for g, i in zip(grads, indices):
            assert_same_structure(g, args[i], f"gradient of argument {i}")
            ours = flatten(g)
            numeric = structured_fd(fn, args, i)
            for k, (a, b) in enumerate(zip(ours, numeric)):
                np.testing.assert_allclose(
                    a, b, rtol=RTOL, atol=ATOL,
                    err_msg=f"{fn.__name__}: leaf {k} of argument {i} differs from FD")
    value, _ = s2sad.value_and_grad(fn, wrt=wrt)(*args)
    expected = fn(*args)
    assert np.shape(value) == np.shape(expected)
    np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-12,
                               err_msg=f"{fn.__name__}: value_and_grad's value differs")
    return result
