"""The table of primitives: one record per operation the IR can hold.

A record gives the operation's signature, its derivative rules and the facts
the compiler's passes need about it. The transformations are drivers over
this table: the reverse pass looks up `vjp` (or a structural `adjoint` rule
it implements itself), the lowering finds a call's primitive by the function
object it resolves to, the emitter prints it by its `form`. Adding an
operation means adding one entry (in `numpy_ops.py`) and one row in
tests/test_rules.py.

Derivative rules are Python expressions over the parameters, `g` (the
adjoint of the output), `ans` (the output), NumPy as `np`, `math`, and the
helpers of `s2sad.runtime` by bare name:

    vjp("np.exp(x)", x="g * ans")
    vjp("np.multiply(x, y)", x="unbroadcast(g * y, x)", y="unbroadcast(g * x, y)")

The reverse pass lowers them into IR, so adjoint code is ordinary IR that the
same passes simplify. Parameters named in `zero=` have an identically zero
derivative (`np.where`'s condition); any other parameter without a rule is an
error when a derivative reaches it, never a silently dropped gradient.

This module holds the record, the registry and the lookups; the entries live
in `numpy_ops.py` (NumPy, math, builtins, operators) and `internal.py` (the
IR's own operations and s2sad's run-time helpers).
"""

from __future__ import annotations

import ast
import builtins
import math
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from .. import runtime

MISSING = object()  # a parameter the call left out (its default applies)

# What a primitive's result and operands are, for the passes that must know
# whether a value is a number/array or a container (adjoints of containers
# are containers, accumulated item by item).
RETURNS = ("array", "container", "operand", "other")  # "operand": the kind of args[0]
TAKES = ("arrays", "receiver", "any")
FORMS = ("function", "method", "attribute", "operator", "helper", "internal")


@dataclass(frozen=True)
class Primitive:
    """One operation: its signature, derivative rules and declared facts."""

    name: str  # "np.exp", "add", ".sum" (method), ".T" (attribute), "getitem"
    params: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)
    varargs: str | None = None  # the *parameter; parameters after it are keyword-only
    form: str = "function"  # how generated code spells it: see FORMS
    operator: str = ""  # for form "operator": the ast class name (Add, Lt, USub)
    group: str = "Other"  # its section in docs/ops.md
    alias_of: str | None = None

    # ---- rules
    # False: the output never carries a derivative (argmax, len), so activity
    # stops here. True with no rule for a parameter a derivative reaches: an
    # error at the user's line, never a silently dropped gradient.
    differentiable: bool = True
    vjp: dict[str, str] = field(default_factory=dict)  # parameter -> adjoint template
    zero: frozenset[str] = frozenset()  # parameters with an identically zero derivative
    adjoint: str | None = None  # a structural rule the reverse pass implements itself

    # ---- facts
    elementwise: bool = False  # output shape = broadcast of the operands' shapes
    view: bool = False  # the result may share memory with args[0]
    fresh: bool = False  # the result is a new array (or list) nobody else sees
    holds: bool = False  # the result holds its operands themselves (a list of arrays)
    effect: bool = False  # must run even if its result is unused
    # May write memory that an operand holds or sees (a user function may write
    # anything it is given): no read may be moved across it.
    mutates: bool = False
    undone: bool = False  # an in-place write the backward pass undoes, derivative or not
    expensive: bool = False  # tape its result rather than recompute it
    recompute: bool = True  # the backward pass may recompute it from its operands
    scalar: bool = False  # the result is always a scalar
    reduction: bool = False  # with axis=None and keepdims=False the result is a scalar
    returns: str = "array"  # see RETURNS
    takes: str = "arrays"  # see TAKES
    # How many items the result has, if fixed: a count (slogdet: 2), or "args"
    # for one per operand (a tuple display).
    results: int | str | None = None

    def bind(self, args: list, kwargs: dict) -> dict[str, Any]:
        """Match call arguments to parameter names, as Python would. A parameter
        left out is bound to MISSING; `*params` are bound to a list."""
        bound: dict[str, Any] = {}
        cut = self.params.index(self.varargs) if self.varargs else len(self.params)
        positional = self.params[:cut]
        for name, value in zip(positional, args):
            bound[name] = value
        extra = args[len(positional):]
        if extra and self.varargs is None:
            raise TypeError(f"{self.name} takes at most {len(positional)} positional arguments")
        if self.varargs is not None:  # bound even when empty: `x.transpose()` has axes == []
            bound[self.varargs] = list(extra)
        for key, value in kwargs.items():
            if key not in self.params or key == self.varargs:
                raise TypeError(f"{self.name} has no parameter {key!r} s2sad knows about")
            if key in bound:
                raise TypeError(f"{self.name} got parameter {key!r} twice")
            bound[key] = value
        for name in self.params:
            if name not in bound and name != self.varargs:
                if name not in self.defaults:
                    raise TypeError(f"{self.name} is missing argument {name!r}")
                bound[name] = MISSING
        return bound

    def result_count(self, n_args: int) -> int | None:
        """How many items the result has, if that is fixed (a tuple display: its args)."""
        if self.results == "args":
            return n_args
        return self.results


TABLE: dict[str, Primitive] = {}
_BY_OBJECT: dict[int, str] = {}
_group = "Other"
_FACTS = {f.name for f in fields(Primitive)} - {"name", "params", "defaults", "varargs"}
NAMESPACE = {"np": np, "math": math}


def lookup(name: str) -> Primitive | None:
    return TABLE.get(name)


def get(name: str) -> Primitive:
    """The record of `name`; every prim the compiler emits must have one."""
    try:
        return TABLE[name]
    except KeyError:
        raise KeyError(f"{name!r} is not in the table of primitives") from None


def resolve_name(name: str) -> Any:
    """The Python object a primitive name like `np.linalg.inv` stands for, if
    any: NumPy and math functions, builtins, and s2sad's run-time helpers."""
    if name.startswith(".") or not name:
        return None
    head, *rest = name.split(".")
    if head in NAMESPACE:
        obj: Any = NAMESPACE[head]
    elif not rest and hasattr(runtime, head) and not head.startswith("_"):
        return getattr(runtime, head)
    elif not rest and hasattr(builtins, head):
        return getattr(builtins, head)
    else:
        return None
    for part in rest:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def for_object(obj: Any) -> Primitive | None:
    """The primitive registered for a function object (`np.exp`, `math.sin`)."""
    try:
        name = _BY_OBJECT.get(id(obj))
    except TypeError:
        return None
    if name is None:
        return None
    prim = TABLE[name]
    return prim if resolve_name(name) is obj else None


# ---------------------------------------------------------------- registration


def _parse_signature(signature: str) -> tuple[str, tuple, dict, str | None]:
    """Split `np.clip(a, a_min=None)` into name, parameters, defaults and varargs.
    A method or attribute is written with a leading dot (`.sum(a, axis=None)`)."""
    method = signature.startswith(".")
    call = ast.parse("_" + signature if method else signature, mode="eval").body
    assert isinstance(call, ast.Call), signature
    name = ast.unparse(call.func)[1:] if method else ast.unparse(call.func)
    params: list[str] = []
    varargs = None
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            varargs = arg.value.id
            params.append(varargs)
        else:
            params.append(arg.id)
    defaults = {}
    for kw in call.keywords:
        params.append(kw.arg)
        defaults[kw.arg] = ast.literal_eval(kw.value)
    return name, tuple(params), defaults, varargs


def _add(prim: Primitive) -> Primitive:
    assert prim.form in FORMS and prim.returns in RETURNS and prim.takes in TAKES, prim.name
    clash = _FACTS & set(prim.params)
    assert not clash, f"{prim.name}: parameter names {clash} clash with fact names"
    TABLE[prim.name] = prim
    obj = resolve_name(prim.name) if prim.form in ("function", "helper") else None
    if obj is not None:
        _BY_OBJECT.setdefault(id(obj), prim.name)
    return prim


def _form_of(name: str, facts: dict) -> str:
    if "form" in facts:
        return facts.pop("form")
    return "method" if name.startswith(".") else "function"


def vjp(signature: str, zero: tuple[str, ...] = (), **rules_and_facts: Any) -> Primitive:
    """Register a differentiable primitive: adjoint templates by parameter name,
    and facts (see `Primitive`) by their own names."""
    name, params, defaults, varargs = _parse_signature(signature)
    facts = {k: v for k, v in rules_and_facts.items() if k in _FACTS}
    templates = {k: v for k, v in rules_and_facts.items() if k not in _FACTS}
    form = _form_of(name, facts)
    if form == "method":
        facts.setdefault("takes", "receiver")
    return _add(Primitive(name, params, defaults, varargs, form=form, group=_group,
                          vjp=templates, zero=frozenset(zero), **facts))


def elementwise(signature: str, **rules_and_facts: Any) -> Primitive:
    """Like `vjp`, for elementwise functions: the output has the broadcast
    shape of the operands and is a new array."""
    rules_and_facts.setdefault("fresh", True)
    return vjp(signature, elementwise=True, **rules_and_facts)


def nondiff(*signatures: str, **facts: Any) -> None:
    """Register functions whose output carries no derivative (argmax, len)."""
    for signature in signatures:
        name, params, defaults, varargs = _parse_signature(signature)
        merged = {"differentiable": False, **facts}
        form = _form_of(name, merged)
        if form == "method":
            merged.setdefault("takes", "receiver")
        _add(Primitive(name, params, defaults, varargs, form=form, group=_group, **merged))


def structural(signature: str, adjoint: str | None, **facts: Any) -> Primitive:
    """Register an operation of the IR itself (containers, indexing, calls,
    tapes). `adjoint` names the rule the reverse pass implements for it (None:
    none, so a derivative reaching it is an error); facts default to 'emitted
    specially'."""
    name, params, defaults, varargs = _parse_signature(signature)
    facts.setdefault("form", "internal")
    facts.setdefault("returns", "other")
    facts.setdefault("takes", "any")
    return _add(Primitive(name, params, defaults, varargs, group=_group, adjoint=adjoint,
                          **facts))


def helper(*signatures: str, **facts: Any) -> None:
    """Register s2sad's run-time helpers (`s2sad.runtime`) that generated code
    calls: most appear only in adjoint code (they have no derivative rules
    yet); a few guard the forward pass (`check_inplace`, `require_scalar`)."""
    for signature in signatures:
        name, params, defaults, varargs = _parse_signature(signature)
        merged = {"form": "helper", "returns": "other",
                  "takes": "any", "recompute": False, **facts}
        assert resolve_name(name) is not None, f"no run-time helper {name}"
        _add(Primitive(name, params, defaults, varargs, group=_group, **merged))


def alias(name: str, target: str, signature: str | None = None, **facts: Any) -> None:
    """Make `name` (another spelling, or a method) use `target`'s record,
    with its own signature and facts where they differ."""
    base = TABLE[target]
    changes: dict[str, Any] = {"name": name, "group": _group, "alias_of": target, **facts}
    if name.startswith(".") and base.form == "function":
        changes.setdefault("form", "method")
        changes.setdefault("takes", "receiver")
    if signature is not None:
        _, changes["params"], changes["defaults"], changes["varargs"] = \
            _parse_signature(signature)
    _add(replace(base, **changes))


def group(title: str) -> None:
    """Start a section: entries registered after this are listed under `title`
    in docs/ops.md (scripts/gen_ops_doc.py), so the docs follow the table."""
    global _group
    _group = title


__all__ = ["Primitive", "TABLE", "MISSING", "lookup", "get", "for_object", "resolve_name",
           "vjp", "elementwise", "nondiff", "structural", "helper", "alias", "group"]
