"""Flatten structured parameters into one vector and back, for optimizers
and samplers that work on a flat array (`scipy.optimize.minimize`, an MCMC
step, a line search):

    flat, unravel = s2sad.ravel({"W": W, "b": b})
    res = scipy.optimize.minimize(lambda v: loss(unravel(v)), flat, ...)
    params = unravel(res.x)                      # {"W": ..., "b": ...} again

A tree is a number or array (a leaf), or a dict, list, tuple, named tuple,
dataclass instance or plain object (its `__dict__`) holding trees. Anything
else (strings, None, functions) rides along unchanged and takes no room in
the vector. s2sad's gradient of a dict, list or tuple has the argument's
structure, so `ravel(gradient)[0]` lines up entry for entry with `flat`.

Written for s2sad: no other library is needed.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

# A tree's shape without its numbers: ("leaf", kind, shape, dtype), ("static", value),
# or (container kind, how to rebuild, child specs).
Spec = tuple


def ravel(tree: Any) -> tuple[np.ndarray, Callable[[Any], Any]]:
    """`(flat, unravel)`: the tree's numbers in one 1-d array, and the function
    that puts a vector of that size back into a tree of the same structure.

    Leaves are visited depth first, dict entries in insertion order, object
    attributes in `__dict__` order. The vector has the leaves' common dtype
    (float64 when they are integers: an optimizer moves them continuously);
    `unravel` gives each leaf back its shape, and floating and complex leaves
    their dtype (a float32 array stays float32; a Python float stays a float).

    `unravel` is plain Python for optimizers (`scipy.optimize.minimize`), not
    a function s2sad differentiates through: differentiate with respect to
    the tree itself (`grad` takes dicts, lists and objects of arrays) and
    flatten its gradient, `ravel(grad(f)(unravel(x)))[0]`."""
    leaves: list[Any] = []
    spec = _spec(tree, leaves)
    flat = _concatenate(leaves)
    size = flat.size

    def unravel(vector: Any) -> Any:
        vector = np.asarray(vector)
        if vector.shape != (size,):
            raise ValueError(f"unravel needs a vector of shape ({size},), not {vector.shape}")
        tree, used = _build(spec, vector, 0)
        assert used == size
        return tree

    return flat, unravel


def _concatenate(leaves: list[Any]) -> np.ndarray:
    arrays = [np.ravel(np.asarray(leaf)) for leaf in leaves]
    if not arrays:
        return np.zeros(0)
    dtype = np.result_type(*arrays)
    if dtype.kind not in "fc":
        dtype = np.result_type(dtype, np.float64)
    return np.concatenate([a.astype(dtype, copy=False) for a in arrays])


def _is_leaf(x: Any) -> bool:
    if isinstance(x, bool):
        return False  # a flag, not a parameter
    return isinstance(x, (int, float, complex, np.number, np.ndarray))


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _spec(x: Any, leaves: list[Any]) -> Spec:
    """The structure of x, appending its leaves to `leaves` in order."""
    if _is_leaf(x):
        leaves.append(x)
        array = np.asarray(x)
        kind = "array" if isinstance(x, np.ndarray) else "scalar" if isinstance(x, np.generic) \
            else type(x)
        return ("leaf", kind, array.shape, array.dtype)
    if isinstance(x, dict):
        return ("dict", type(x), [(k, _spec(v, leaves)) for k, v in x.items()])
    if _is_namedtuple(x):
        return ("namedtuple", type(x), [_spec(v, leaves) for v in x])
    if isinstance(x, (list, tuple)):
        return ("sequence", type(x), [_spec(v, leaves) for v in x])
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        fields = [f.name for f in dataclasses.fields(x) if f.init]
        return ("dataclass", x, [(name, _spec(getattr(x, name), leaves)) for name in fields])
    if hasattr(x, "__dict__") and not callable(x) and not isinstance(x, type):
        return ("object", x, [(k, _spec(v, leaves)) for k, v in vars(x).items()])
    return ("static", x)


def _build(spec: Spec, vector: np.ndarray, pos: int) -> tuple[Any, int]:
    """The tree `spec` describes, with leaves read from vector[pos:]; and the
    position after them."""
    tag = spec[0]
    if tag == "static":
        return spec[1], pos
    if tag == "leaf":
        return _leaf(spec, vector, pos)
    children = []
    for child in spec[2]:
        key, sub = child if tag in ("dict", "dataclass", "object") else (None, child)
        value, pos = _build(sub, vector, pos)
        children.append((key, value))
    return _assemble(tag, spec[1], children), pos


def _leaf(spec: Spec, vector: np.ndarray, pos: int) -> tuple[Any, int]:
    _, kind, shape, dtype = spec
    size = int(np.prod(shape, dtype=np.int64))
    part = vector[pos:pos + size].reshape(shape)
    # back to the leaf's floating dtype; but a complex vector's entries for a
    # real leaf stay complex (dropping the imaginary part would be silent)
    if dtype.kind == "c" or (dtype.kind == "f" and vector.dtype.kind != "c"):
        part = part.astype(dtype)
    if kind == "array":
        return np.array(part), pos + size
    if kind == "scalar":
        return part[()], pos + size
    value = part.item()
    if kind is complex or isinstance(value, complex):
        return complex(value), pos + size
    return float(value), pos + size


def _assemble(tag: str, how: Any, children: list[tuple[Any, Any]]) -> Any:
    values = [value for _, value in children]
    if tag == "dict":
        out = how() if how is not dict else {}
        out.update(children)
        return out
    if tag == "namedtuple":
        return how(*values)
    if tag == "sequence":
        return how(values)
    if tag == "dataclass":
        return dataclasses.replace(how, **dict(children))
    rebuilt = copy.copy(how)  # a plain object: a shallow copy with new attributes
    vars(rebuilt).update(children)
    return rebuilt


__all__ = ["ravel"]
