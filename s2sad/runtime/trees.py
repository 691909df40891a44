"""s2sad.ravel: structured parameters as one vector and back, for optimizers
and samplers that work on a flat array (`scipy.optimize.minimize`, an MCMC
step, a line search):

    flat, unravel = s2sad.ravel({"W": W, "b": b})
    res = scipy.optimize.minimize(lambda v: loss(unravel(v)), flat,
                                  jac=s2sad.grad(lambda v: loss(unravel(v))))
    params = unravel(res.x)                      # {"W": ..., "b": ...} again

A tree is a number or an array of numbers (a leaf), or a dict, list, tuple,
named tuple, dataclass instance or object of a class of the user's (its
attributes, `__slots__` too) holding trees. Anything else (strings, bools and
arrays of them, None, functions, a library's objects, an object the tree
holds already, met again) rides along unchanged and takes no room in the
vector.

Both are differentiable. `unravel` is generated Python, as s2sad's
derivatives are: straight-line code that slices the vector and rebuilds the
tree, with its source in `linecache`, so s2sad reads a function calling it
as it reads the user's own code (both modes, any order, no rule of its own):

    def unravel(vector):
        vector = np.asarray(vector)
        if vector.shape != (9,):
            raise ValueError(...)
        if vector.dtype.kind == 'c':   # (a complex vector: real leaves stay complex)
            return {'W': vector[0:6].reshape((2, 3)).copy(), 'b': vector[6:9].copy()}
        return {'W': vector[0:6].reshape((2, 3)).astype(np.float64), 'b': ...}

`ravel` itself has an entry in the table of primitives, whose rules cut the
flat vector's adjoint back into the tree (`ravel_adjoint`) and flatten the
tree's tangent (`ravel_tangent`).
"""

from __future__ import annotations

import dataclasses
import functools
import linecache
import math
import sys
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import is_library_file
from .shapes import object_with, replace_fields

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

    Both differentiate: a function of `v` calling `unravel(v)` (the objective
    an optimizer minimizes), and one calling `ravel(params)[0]` (a penalty on
    all the parameters at once)."""
    leaves: list[Any] = []
    spec = _spec(tree, leaves)
    flat = _concatenate(leaves)
    return flat, _unravel_function(spec, flat.size)


def _concatenate(leaves: list[Any]) -> np.ndarray:
    arrays = [np.ravel(np.asarray(leaf)) for leaf in leaves]
    if not arrays:
        return np.zeros(0)
    dtype = _flat_dtype(arrays)
    return np.concatenate([a.astype(dtype, copy=False) for a in arrays])


def _flat_dtype(arrays: list[Any]) -> np.dtype:
    dtype = np.result_type(*arrays)
    return dtype if dtype.kind in "fc" else np.result_type(dtype, np.float64)


def _is_leaf(x: Any) -> bool:
    """A number or an array of numbers: bools (flags, masks), strings and
    objects ride along instead."""
    if isinstance(x, bool):
        return False  # a flag, not a parameter
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype.kind in "iufc"
    return isinstance(x, (int, float, complex))


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _spec(x: Any, leaves: list[Any], within: frozenset = frozenset()) -> Spec:
    """The structure of x, appending its leaves to `leaves` in order. What
    holds x already (`within`: a back-reference, `child.parent`) rides along."""
    if _is_leaf(x):
        leaves.append(x)
        array = np.asarray(x)
        kind = "array" if isinstance(x, np.ndarray) else "scalar" if isinstance(x, np.generic) \
            else type(x)
        return ("leaf", kind, array.shape, array.dtype)
    if id(x) in within:
        return ("static", x)
    inner = within | {id(x)}
    if isinstance(x, dict):
        return ("dict", type(x), [(k, _spec(v, leaves, inner)) for k, v in x.items()])
    if _is_namedtuple(x):
        return ("namedtuple", type(x), [_spec(v, leaves, inner) for v in x])
    if isinstance(x, (list, tuple)):
        return ("sequence", type(x), [_spec(v, leaves, inner) for v in x])
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        fields = [f.name for f in dataclasses.fields(x) if f.init]
        return ("dataclass", x, [(name, _spec(getattr(x, name), leaves, inner))
                                 for name in fields])
    if _users_object(x):
        return ("object", x, [(k, _spec(v, leaves, inner)) for k, v in _attributes(x)])
    return ("static", x)


def _users_object(x: Any) -> bool:
    """An instance of a class of the user's (a model, a layer; callable or
    with __slots__ too), not a function, a class, a module or a library's
    object (a frozen SciPy distribution keeps its own state)."""
    if isinstance(x, (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                      types.ModuleType, functools.partial)):
        return False
    module = sys.modules.get(type(x).__module__)
    path = getattr(module, "__file__", None) or ""
    return type(x).__module__ == "__main__" or bool(path) and not is_library_file(path)


def _attributes(x: Any) -> list[tuple[str, Any]]:
    """An object's attributes: its __dict__'s, then those its classes' __slots__ hold."""
    found = list(vars(x).items()) if hasattr(x, "__dict__") else []
    for cls in type(x).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for name in [slots] if isinstance(slots, str) else slots:
            if name not in ("__dict__", "__weakref__") and hasattr(x, name) and \
                    name not in dict(found):
                found.append((name, getattr(x, name)))
    return found


def _size(shape: tuple) -> int:
    return math.prod(shape)


def _has_leaves(spec: Spec) -> bool:
    if spec[0] in ("leaf", "static"):
        return spec[0] == "leaf"
    return any(_has_leaves(child) for _, child in _children(spec))


def _children(spec: Spec) -> list[tuple[Any, Spec]]:
    """A container spec's children as (key or field name, or position; spec)."""
    if spec[0] in ("dict", "dataclass", "object"):
        return list(spec[2])
    return list(enumerate(spec[2]))


# ---------------------------------------------------------------- unravel, generated

# generated source -> its code object: one linecache entry per tree structure
_CODES: dict[str, types.CodeType] = {}

_UNRAVEL = '''\
def unravel(vector):
    """A vector of {size} numbers as the tree s2sad.ravel flattened (generated)."""
    vector = np.asarray(vector)
    if vector.shape != ({size},):
        raise ValueError(f"unravel needs a vector of shape ({size},), not {{vector.shape}}")
    if vector.dtype.kind == "c":
        return {complex_tree}
    return {real_tree}
'''


def _unravel_function(spec: Spec, size: int) -> Callable[[Any], Any]:
    writer = _Writer()
    real = writer.tree(spec, real=True)
    complex_tree = writer.tree(spec, real=False)
    source = _UNRAVEL.format(size=size, real_tree=real, complex_tree=complex_tree)
    code = _CODES.get(source)
    if code is None:
        filename = f"<s2sad.ravel: unravel {len(_CODES) + 1}>"
        # (mtime None: linecache.checkcache keeps it; s2sad reads the source from here)
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        module = compile(source, filename, "exec")
        code = _CODES[source] = next(c for c in module.co_consts
                                     if isinstance(c, types.CodeType))
    return types.FunctionType(code, {"__name__": __name__, **writer.names}, "unravel")


class _Writer:
    """Writes a tree spec as a Python expression over `vector`; the objects it
    cannot spell as literals (templates, dtypes, keys) go in `names`."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {"np": np, "replace_fields": replace_fields,
                                      "object_with": object_with, "dict_like": dict_like}
        self._ids: dict[int, str] = {}

    def constant(self, value: Any) -> str:
        if _is_literal(value):
            return repr(value)
        name = self._ids.get(id(value))
        if name is None:
            name = self._ids[id(value)] = f"_c{len(self._ids)}"
            self.names[name] = value
        return name

    def dtype(self, dtype: np.dtype) -> str:
        if getattr(np, dtype.name, None) is dtype.type:
            return f"np.{dtype.name}"
        return self.constant(dtype)

    def tree(self, spec: Spec, real: bool) -> str:
        """The expression building the whole tree from `vector` (a real one, or complex)."""
        return self._write(spec, [0], real)

    def _write(self, spec: Spec, pos: list[int], real: bool) -> str:
        tag = spec[0]
        if tag == "static":
            return self.constant(spec[1])
        if tag == "leaf":
            return self._leaf(spec, pos, real)
        parts = [(key, self._write(child, pos, real)) for key, child in _children(spec)]
        how = spec[1]
        if tag == "dict":
            if how is dict:
                return "{" + ", ".join(f"{self.constant(k)}: {e}" for k, e in parts) + "}"
            keys = self.constant(tuple(k for k, _ in parts))
            return f"dict_like({self.constant(how)}, {keys}{''.join(f', {e}' for _, e in parts)})"
        if tag == "namedtuple":
            return f"{self.constant(how)}({', '.join(e for _, e in parts)})"
        if tag == "sequence":
            items = ", ".join(e for _, e in parts)
            if how is list:
                return f"[{items}]"
            tuple_display = f"({items}{',' if len(parts) == 1 else ''})"
            return tuple_display if how is tuple else f"{self.constant(how)}([{items}])"
        # a dataclass or an object: a copy of it with its leaves' fields new
        moving = [(k, e) for (k, e), (_, child) in zip(parts, _children(spec))
                  if _has_leaves(child)]
        helper = "replace_fields" if tag == "dataclass" else "object_with"
        keys = repr(tuple(k for k, _ in moving))
        values = "".join(f", {e}" for _, e in moving)
        return f"{helper}({self.constant(how)}, {keys}{values})"

    def _leaf(self, spec: Spec, pos: list[int], real: bool) -> str:
        _, kind, shape, dtype = spec
        start, size = pos[0], _size(shape)
        pos[0] += size
        # a real vector gives floating and complex leaves their dtype; a complex
        # one, complex leaves theirs (its entries for real leaves stay complex:
        # dropping the imaginary part would be silent)
        convert = dtype.kind in ("fc" if real else "c")
        if kind not in ("array", "scalar"):  # a Python number
            return f"{'float' if real and kind is not complex else 'complex'}(vector[{start}])"
        if kind == "scalar":
            item = f"vector[{start}]"
            return f"{item}.astype({self.dtype(dtype)})" if convert else item
        piece = f"vector[{start}:{start + size}]"
        if shape != (size,):
            piece += f".reshape({shape!r})"
        return f"{piece}.astype({self.dtype(dtype)})" if convert else f"{piece}.copy()"


def _is_literal(value: Any) -> bool:
    """Is repr(value) a literal that reads back as value (a key, a static)?"""
    if type(value) is tuple:
        return all(_is_literal(v) for v in value)
    if type(value) is float:
        return math.isfinite(value)
    return value is None or type(value) in (bool, int, str, complex) and \
        (type(value) is not complex or all(math.isfinite(p) for p in (value.real, value.imag)))


def dict_like(how: type, keys: tuple, *values: Any) -> dict:
    """A dict of the user's dict subclass `how` (an OrderedDict) holding
    `values` at `keys`."""
    out = how()
    out.update(zip(keys, values))
    return out


# ---------------------------------------------------------------- ravel's rules


def ravel_adjoint(g: Any, tree: Any) -> Any:
    """The adjoint of ravel's `tree` from that of its result (flat, unravel):
    the flat vector's adjoint cut into the tree's leaves (zeros where nothing
    read it), in the form s2sad's adjoints of containers take (a dict for a
    dataclass or an object, a tuple for a named tuple, None for what holds
    no leaf)."""
    g_flat = g[0] if isinstance(g, (tuple, list)) else None
    leaves: list[Any] = []
    spec = _spec(tree, leaves)
    return _adjoint_tree(spec, None if g_flat is None else np.asarray(g_flat), [0])


def _adjoint_tree(spec: Spec, g: np.ndarray | None, pos: list[int]) -> Any:
    tag = spec[0]
    if tag == "static":
        return None
    if tag == "leaf":
        _, kind, shape, dtype = spec
        size = _size(shape)
        adjoint_dtype = dtype if dtype.kind in "fc" else np.dtype(np.float64)
        if g is None:
            part = np.zeros(shape, dtype=adjoint_dtype)
        else:
            part = g[pos[0]:pos[0] + size].reshape(shape)
            if dtype.kind != "c" and part.dtype.kind == "c":
                part = part.real  # (a real leaf's adjoint, as a cast to a real dtype gives)
            part = part.astype(adjoint_dtype)
        pos[0] += size
        if kind == "array":
            return part
        if kind == "scalar":
            return part[()]
        return complex(part[()]) if part.dtype.kind == "c" else float(part[()])
    children = [(key, _adjoint_tree(child, g, pos)) for key, child in _children(spec)]
    if tag in ("dict", "dataclass", "object"):
        return dict(children)  # (an object's adjoint: by attribute name)
    values = [v for _, v in children]
    return values if tag == "sequence" and issubclass(spec[1], list) else tuple(values)


def ravel_tangent(t: Any, tree: Any) -> tuple:
    """The tangent of ravel's result (flat, unravel) from the tree's tangent
    `t` (structured like the tree's adjoints; None for zero): the leaves'
    tangents flattened in ravel's order; the function carries none."""
    leaves: list[Any] = []
    spec = _spec(tree, leaves)
    parts: list[np.ndarray] = []
    _tangent_leaves(spec, t, parts)
    if not parts:
        return (np.zeros(0), None)
    dtype = _flat_dtype([*parts, *(np.asarray(leaf) for leaf in leaves)])
    return (np.concatenate([p.astype(dtype, copy=False) for p in parts]), None)


def _tangent_leaves(spec: Spec, t: Any, out: list[np.ndarray]) -> None:
    tag = spec[0]
    if tag == "static":
        return
    if tag == "leaf":
        shape = spec[2]
        out.append(np.zeros(_size(shape)) if t is None else np.ravel(np.asarray(t)))
        return
    for key, child in _children(spec):
        _tangent_leaves(child, _tangent_part(t, tag, key), out)


def _tangent_part(t: Any, tag: str, key: Any) -> Any:
    """The part of a container's tangent `t` at `key` (None: zero): by key
    in a dict, by attribute in an object of the tree's class, by position in
    a list or tuple."""
    if tag not in ("dict", "dataclass", "object"):
        return t[key] if isinstance(t, (list, tuple)) else None
    if isinstance(t, dict):
        return t.get(key)
    return getattr(t, key, None) if tag != "dict" and t is not None else None

