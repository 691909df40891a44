"""Rules users give: for functions s2sad should not read, or cannot.

    @s2sad.custom_vjp
    def safe_log(x):
        return np.log(x)

    @safe_log.defvjp
    def safe_log_vjp(g, ans, x):          # the adjoint of each positional argument
        return g / np.maximum(x, 1e-12)

    @s2sad.custom_jvp
    def softplus(x):
        return np.logaddexp(0.0, x)

    @softplus.defjvp
    def softplus_jvp(primals, tangents):  # JAX's signature
        (x,), (t,) = primals, tangents
        return softplus(x), t / (1.0 + np.exp(-x))

    s2sad.defvjp(scipy.special.erfcx, lambda g, ans, x: ...)  # a function you do not own

A function with rules becomes an entry of the table, matched by the object
like `np.exp`; the reverse pass calls its adjoint rule (`adjoint_custom`),
the forward pass its tangent rule (`tangent_custom`). Rules are Python
functions too, so a Hessian through them differentiates the rule itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import gast

from . import pipeline, primitives
from .errors import S2sadError, UnsupportedSyntaxError
from .parsing import parse_function


class _Custom:
    """A function with rules of its own (`@custom_vjp`, `@custom_jvp`)."""

    def __init__(self, fun: Callable) -> None:
        _check_no_writes(fun)
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.vjp_rule: Callable | None = None
        self.jvp_rule: Callable | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fun(*args, **kwargs)

    def defvjp(self, rule: Callable) -> Callable:
        """`rule(g, ans, *args)` returns the adjoints of the positional arguments
        (a tuple, or the adjoint itself for one argument; None for no gradient)."""
        self.vjp_rule = rule
        _register(self, self.vjp_rule, self.jvp_rule)
        return rule

    def defjvp(self, rule: Callable) -> Callable:
        """`rule(primals, tangents)` returns `(value, tangent)` (JAX's signature)."""
        self.jvp_rule = rule
        _register(self, self.vjp_rule, self.jvp_rule)
        return rule


class custom_vjp(_Custom):  # noqa: N801  (JAX's name)
    """Decorate a function whose adjoint you give with `@f.defvjp`."""


class custom_jvp(_Custom):  # noqa: N801
    """Decorate a function whose tangent you give with `@f.defjvp`."""


def defvjp(obj: Callable, rule: Callable) -> None:
    """Give a function you do not own (a SciPy function, a compiled extension)
    an adjoint rule `rule(g, ans, *args)`; matched by the object, so every
    spelling of it in user code finds the rule."""
    _, _, jvp_rule = primitives.USER_RULED.get(_name(obj), (None, None, None))
    _register(obj, rule, jvp_rule)


def defjvp(obj: Callable, rule: Callable) -> None:
    """Give a function you do not own a tangent rule `rule(primals, tangents)
    -> (value, tangent)`."""
    _, vjp_rule, _ = primitives.USER_RULED.get(_name(obj), (None, None, None))
    _register(obj, vjp_rule, rule)


# array methods that write into the array
_WRITING_METHODS = frozenset({"fill", "sort", "partition", "resize", "put", "itemset",
                              "setfield", "byteswap"})


def _check_no_writes(fun: Callable) -> None:
    """A function given a rule is called as it is, and s2sad's passes take its
    arguments for unchanged after it: one writing into an argument (`a *= 2`,
    `a[0] = 0`, `a.fill(0)`, `out=a`) would change the caller's array unseen.
    Refused where its source shows it (none: nothing said)."""
    try:
        parsed = parse_function(fun)
    except S2sadError:
        return
    node = parsed.node
    if not isinstance(node, gast.FunctionDef):
        return
    args = node.args
    own = {a.id for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    params = _argument_names(node, own)
    for n in gast.walk(node):
        written: list = []
        if isinstance(n, gast.AugAssign):
            written = [n.target]
        elif isinstance(n, gast.Assign):
            written = [t for t in n.targets if isinstance(t, (gast.Subscript, gast.Attribute))]
        elif isinstance(n, gast.Call):
            if isinstance(n.func, gast.Attribute) and n.func.attr in _WRITING_METHODS:
                written = [n.func.value]
            written += [k.value for k in n.keywords if k.arg == "out"]
        for target in written:
            while isinstance(target, (gast.Subscript, gast.Attribute)):
                target = target.value
            if isinstance(target, gast.Name) and target.id in params:
                raise UnsupportedSyntaxError(
                    f"{fun.__qualname__} writes into its argument "
                    f"{target.id if target.id in own else 'through ' + target.id}: s2sad calls a "
                    "function with a rule as it is, and the caller's array would change "
                    "unseen", parsed.loc(n),
                    f"compute a new array ({target.id} = {target.id} * 2.0, or a copy first: "
                    f"{target.id} = {target.id}.copy())")


# what returns its argument itself or a view of it
_VIEW_METHODS = frozenset({"reshape", "ravel", "view", "transpose", "swapaxes", "squeeze",
                           "T", "real", "imag", "flat", "diagonal"})
_VIEW_FUNCTIONS = frozenset({"asarray", "asanyarray", "ravel", "reshape", "transpose",
                             "ascontiguousarray", "asfortranarray", "squeeze", "moveaxis",
                             "swapaxes", "atleast_1d", "atleast_2d", "atleast_3d",
                             "expand_dims", "broadcast_to", "diagonal", "real", "imag"})


def _argument_names(node: Any, params: set[str]) -> set[str]:
    """The names that may hold an argument or a view of it: the parameters,
    unless bound to something else, and names bound to a view of one
    (`y = x.reshape(-1)`, `y = x[:]`, `y = np.asarray(x)`, `y = x`)."""
    bound = {t.id for n in gast.walk(node) if isinstance(n, (gast.Assign, gast.For))
             for t in (n.targets if isinstance(n, gast.Assign) else [n.target])
             if isinstance(t, gast.Name)}
    names = params - bound
    changed = True
    while changed:
        changed = False
        for n in gast.walk(node):
            if isinstance(n, gast.Assign) and _views_of(n.value, names | params):
                for t in n.targets:
                    if isinstance(t, gast.Name) and t.id not in names:
                        names.add(t.id)
                        changed = True
    return names


def _views_of(value: Any, names: set[str]) -> bool:
    """May `value` be one of `names`' arrays or a view of it?"""
    while isinstance(value, (gast.Subscript, gast.Attribute)) and (
            isinstance(value, gast.Subscript) or value.attr in _VIEW_METHODS):
        value = value.value
    if isinstance(value, gast.Call):
        func = value.func
        if isinstance(func, gast.Attribute) and func.attr in _VIEW_METHODS:
            return _views_of(func.value, names)
        if isinstance(func, gast.Attribute) and func.attr in _VIEW_FUNCTIONS and value.args:
            return _views_of(value.args[0], names)
        return False
    return isinstance(value, gast.Name) and value.id in names


def _name(obj: Any) -> str:
    return f"user:{getattr(obj, '__qualname__', type(obj).__name__)}@{id(obj):x}"


def _register(obj: Any, vjp_rule: Callable | None, jvp_rule: Callable | None) -> None:
    primitives.user_rules(obj, _name(obj), vjp_rule, jvp_rule)
    pipeline.invalidate()  # results compiled before baked in the old rules


__all__ = ["custom_vjp", "custom_jvp", "defvjp", "defjvp"]
