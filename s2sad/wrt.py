"""Which arguments a transform differentiates (`wrt=`), and the checks on them.

`wrt` counts the arguments as the caller passes them: `grad(model.loss)`
differentiates the first argument after `self` (`wrt="self"` asks for the
object too), `grad(f, wrt=1)` on `def f(*xs)` the second item of `xs`, and
`wrt="scale"` on `def f(x, **options)` the keyword argument `scale`. Each
chosen argument is a *site*: a parameter of the transformed function and an
item inside it (None: the whole parameter). The compiled code computes
derivatives per parameter; `Chosen` reads the sites' out of them.
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .callables import Target
from .errors import ArgumentTypeError, Loc, S2sadError, WrtError
from .parsing import parse_function
from .runtime import as_gradient_of, zeros_like
from .runtime.functions import carries_derivative, is_object, is_record, safe_duck_array
from .signature import layout
from .signature import pick as pick_item

Wrt = int | str | Sequence[int | str]


@dataclass(frozen=True)
class Chosen:
    """The sites a transform differentiates, and the parameters they are in."""

    target: Target
    sites: tuple[tuple[int, Any], ...]
    as_tuple: bool  # the caller gave a sequence: results come as a tuple

    @property
    def params(self) -> tuple[int, ...]:
        return tuple(sorted({param for param, _ in self.sites}))

    @property
    def simple(self) -> bool:
        """Whole parameters of a plain function: what derivatives of derivatives handle."""
        return not self.target.lead and not self.target.bound and \
            all(item is None for _, item in self.sites)

    def per_site(self, grads: tuple) -> list:
        """Each site's part of the per-parameter derivatives (in `params` order)."""
        params = self.params
        return [pick_item(grads[params.index(p)], item) for p, item in self.sites]

    def gradients(self, grads: tuple, args: tuple, kwargs: dict) -> list:
        """Each site's gradient, in its argument's form (type, dtype, structure)."""
        return [as_gradient_of(g, self.target.value_at(args, kwargs, p, item))
                for g, (p, item) in zip(self.per_site(grads), self.sites)]

    def tangents(self, moved: Sequence, args: tuple, kwargs: dict) -> tuple:
        """Per-parameter tangents (in `params` order) from one per site: items
        of `*args` and `**kwargs` gathered, zeros for the items not moved."""
        whole: dict[int, Any] = {}
        items: dict[int, dict] = {}
        for (param, item), t in zip(self.sites, moved):
            if item is None:
                whole[param] = t if param not in whole else whole[param] + t
            else:
                items.setdefault(param, {})[item] = t
        out = []
        for param in self.params:
            if param not in items:
                out.append(whole[param])
                continue
            value = self.target.value_at(args, kwargs, param, None)
            parts = items[param]
            out.append({k: parts.get(k, zeros_like(v)) for k, v in value.items()}
                       if isinstance(value, dict) else
                       tuple(parts.get(i, zeros_like(v)) for i, v in enumerate(value)))
        return tuple(out)

    def values(self, args: tuple, kwargs: dict) -> list:
        """The argument at each site."""
        return [self.target.value_at(args, kwargs, p, item) for p, item in self.sites]


def choose(target: Target, wrt: Wrt, loc: Loc | None = None) -> Chosen:
    """The sites `wrt` names, for a transform of `target` (a WrtError at the
    function's definition if one names no argument)."""
    if isinstance(wrt, np.integer):
        wrt = int(wrt)
    if isinstance(wrt, (int, str)):
        items = [wrt]
    elif isinstance(wrt, (tuple, list)):
        items = list(wrt)
    else:
        raise WrtError(f"wrt must be an int, an argument name or a tuple of them, not {wrt!r}",
                       loc, "for example wrt=0, wrt='x' or wrt=(0, 'y')")
    if not items:
        raise WrtError("wrt is empty", loc, "name at least one argument to differentiate")
    items = [int(item) if isinstance(item, np.integer) else item for item in items]
    return Chosen(target, tuple(_site(target, item, loc) for item in items),
                  not isinstance(wrt, (int, str)))


def _site(target: Target, item: Any, loc: Loc | None) -> tuple[int, Any]:
    fn = target.fn
    lay = layout(fn)
    offset = len(target.lead)
    names = [n for i, n in enumerate(lay.names[offset:lay.positional])]
    if isinstance(item, bool) or not isinstance(item, (int, str)):
        raise WrtError(f"wrt must be ints or argument names, not {item!r}", loc,
                       "for example wrt=0, wrt='x' or wrt=(0, 'y')")
    if isinstance(item, str):
        if item in lay.names:
            return lay.names.index(item), None
        if lay.varkw is not None:
            return lay.varkw, item
        raise WrtError(f"{fn.__name__} has no argument named {item!r}", _loc(fn, loc),
                       f"its arguments are: {lay.describe()}")
    count = len(names)
    if lay.vararg is not None and item >= 0:
        return target.site(item)
    if lay.vararg is not None:
        raise WrtError(
            f"wrt={item} counts from the end of {fn.__name__}'s arguments, whose number its "
            f"*{lay.names[lay.vararg]} leaves open", _loc(fn, loc),
            "count from the start (wrt=0 is the first argument) or name it with wrt='name'")
    if not -count <= item < count:
        raise WrtError(
            f"wrt={item} is out of range: {fn.__name__} takes {count} "
            f"argument{'s' if count != 1 else ''} ({', '.join(names)})", _loc(fn, loc),
            f"use an index from 0 to {count - 1} or an argument name" if count else
            "it takes no positional arguments: name keyword arguments with wrt='name'")
    return target.site(item % count)


def _loc(fn: types.FunctionType, loc: Loc | None) -> Loc | None:
    return loc if loc is not None else def_loc(fn)


def def_loc(fn: types.FunctionType) -> Loc | None:
    """Where `fn` is defined, for errors about its arguments."""
    try:
        return parse_function(fn).loc(None)
    except S2sadError:
        return None


def _own_arithmetic_types() -> tuple[type, ...]:
    """Array classes whose arithmetic is not ndarray's: np.matrix, and a masked
    array, which exists only once something imported numpy.ma (importing it
    here would cost every first call 6 ms)."""
    masked = sys.modules.get("numpy.ma")
    return (np.matrix, masked.MaskedArray) if masked is not None else (np.matrix,)


def refuse_own_arithmetic(value: Any, where: str,
                          loc: Callable[[], Loc | None] = lambda: None) -> None:
    """Refuse a masked array or matrix in `value` (inside its lists, tuples
    and dicts too): their arithmetic is not ndarray's, which the rules
    assume (a masked entry's derivative would count). `loc()` is asked for
    only then (finding the function's line parses it)."""
    kinds = _own_arithmetic_types()
    todo, seen = [(value, where)], set()
    while todo:
        v, at = todo.pop()
        if isinstance(v, kinds):
            raise ArgumentTypeError(
                f"{at} is a {type(v).__name__}, whose arithmetic differs from ndarray's, "
                "which s2sad's rules assume", loc(),
                "pass a plain array: np.asarray(m) for a matrix, m.filled(value) or "
                "m.compressed() for a masked array")
        if isinstance(v, (list, tuple, dict)) and id(v) not in seen:
            seen.add(id(v))
            items = v.items() if isinstance(v, dict) else enumerate(v)
            todo.extend((item, f"{at}[{k!r}]") for k, item in items)


def check_args(chosen: Chosen, args: tuple, kwargs: dict) -> None:
    """Refuse arguments whose arithmetic is not ndarray's, and chosen ones
    that cannot be differentiated, with a message naming the argument."""
    fn = chosen.target.fn
    lay = layout(fn)
    full_args, full_kwargs = chosen.target.full(args, kwargs)
    for i, value in enumerate(full_args):
        name = lay.names[min(i, len(lay.names) - 1)] if lay.names else str(i)
        refuse_own_arithmetic(value, f"argument {name!r}", lambda: def_loc(fn))
    for name, value in full_kwargs.items():
        refuse_own_arithmetic(value, f"argument {name!r}", lambda: def_loc(fn))
    for (param, item), value in zip(chosen.sites, _given(chosen, args, kwargs)):
        if value is _ABSENT:
            if item is not None and _bound(chosen, args, kwargs, param):
                where = f"{lay.names[param]}[{item!r}]"
                raise WrtError(f"wrt names {where}, an item of *{lay.names[param]}"
                               if isinstance(item, int) else
                               f"wrt names {where}, an entry of **{lay.names[param]}",
                               def_loc(fn), "this call does not pass it: pass it, or choose "
                               "other arguments with wrt=")
            continue
        if not differentiable(value):
            name = lay.names[param] + (f"[{item!r}]" if item is not None else "")
            path, inner = _first_refused(value, name)
            held = f" (it holds {path}, a {type(inner).__name__})" if path != name else ""
            raise ArgumentTypeError(
                f"cannot differentiate with respect to argument {name!r} of type "
                f"{type(value).__name__}{held}", def_loc(fn),
                "pass floats, NumPy arrays, tuples/lists/dicts of them, or namedtuples, "
                "dataclasses and objects holding them (flags and names in another argument); "
                "choose other arguments with wrt=")


_ABSENT = object()


def _first_refused(value: Any, path: str) -> tuple[str, Any]:
    """The first item of a list, tuple or dict that cannot be differentiated
    (`p['training']`, a bool), with its path from the argument's name."""
    items = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, (list, tuple)) and not is_record(value) else ()
    for key, item in items:
        if not differentiable(item):
            return _first_refused(item, f"{path}[{key!r}]")
    return path, value


def _given(chosen: Chosen, args: tuple, kwargs: dict) -> list:
    out = []
    for param, item in chosen.sites:
        try:
            out.append(chosen.target.value_at(args, kwargs, param, item))
        except (LookupError, TypeError):
            out.append(_ABSENT)
    return out


def _bound(chosen: Chosen, args: tuple, kwargs: dict, param: int) -> bool:
    """Does the call give the parameter `param` (a *args tuple, a **kwargs dict)?"""
    try:
        chosen.target.value_at(args, kwargs, param, None)
    except (LookupError, TypeError):
        return False
    return True


def differentiable(value: Any) -> bool:
    """Can a gradient be taken with respect to this argument?"""
    if type(value) is float or type(value) is np.ndarray and value.dtype.kind in "fc":
        return True  # the common cases, first
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, complex, np.number)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biufc" and value.dtype.kind != "b"
    if safe_duck_array(value):  # Dask, CuPy
        return np.dtype(value.dtype).kind in "fc"
    if is_record(value) or is_object(value):
        return carries_derivative(value)
    if isinstance(value, (list, tuple, dict)):
        return container_differentiable(value, differentiable)
    return False


def container_differentiable(value: Any, test: Any) -> bool:
    """Is a dict, list or tuple differentiable, its items by `test`: some
    are, and the others hold no numbers (names and flags ride along)?"""
    items = list(value.values() if isinstance(value, dict) else value)
    return any(test(v) for v in items) and \
        all(test(v) or not carries_derivative(v) and not numeric(v) for v in items)


def numeric(value: Any) -> bool:
    """A number or an array of numbers (a list's int item gets a gradient)."""
    return isinstance(value, (int, float, complex, np.number)) and not isinstance(value, bool) \
        or isinstance(value, np.ndarray) and value.dtype.kind in "iufc"


def takes_wrt(transform: Callable) -> Callable:
    """A transform whose `wrt=` has other names elsewhere (autograd's
    `argnum=`, JAX's `argnums=`): given one of those, say so, rather than
    Python's "unexpected keyword argument"."""
    @functools.wraps(transform)
    def checked(*args: Any, **kwargs: Any) -> Any:
        for other, library in (("argnum", "autograd"), ("argnums", "JAX")):
            if other in kwargs:
                raise WrtError(f"{transform.__name__} takes wrt= (a position, a name, or a "
                               f"tuple of them), not {other}= ({library}'s name)",
                               hint=f"s2sad.{transform.__name__}(f, wrt={kwargs[other]!r})")
        return transform(*args, **kwargs)
    return checked


__all__ = ["Wrt", "Chosen", "choose", "check_args", "def_loc", "differentiable", "numeric",
           "container_differentiable", "takes_wrt"]
