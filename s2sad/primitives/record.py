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
helpers of `s2sad.runtime` by bare name. An adjoint (VJP) rule per
parameter gives that parameter's adjoint; a tangent (JVP) rule per parameter
gives the output's tangent from that parameter's tangent `t`:

    vjp("np.exp(x)", x="g * ans")
    vjp("np.multiply(x, y)", x="unbroadcast(g * y, x)", y="unbroadcast(g * x, y)")
    vjp("np.sum(a, axis=None, ...)", a="sum_adjoint(g, a, axis, ...)",
        jvp={"a": "np.sum(t, axis, ...)"})

For an elementwise function the adjoint is g times the partial derivative,
and so is the tangent with `t` for `g`: `elementwise` entries derive their
tangent rules from their adjoint rules that way (dropping the `unbroadcast`
that sums g back to an operand's shape), unless given their own (`abs`:
not holomorphic, so its complex tangent is not its adjoint's transpose).
Tangent rules use only operations that have both rules themselves, so
derivatives of derivatives need nothing more.

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
import copy
import functools
import inspect
import math
import operator
import sys
import types
from collections.abc import Callable
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
    params: tuple[str, ...]  # every parameter, in order (the *args and **kwargs ones too)
    defaults: dict[str, Any] = field(default_factory=dict)
    varargs: str | None = None  # the *parameter
    # How each parameter may be passed: "posonly", "normal", "varargs", "kwonly", "varkw"
    kinds: dict[str, str] = field(default_factory=dict)
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
    # parameter -> tangent template: the output's tangent from the parameter's
    # tangent `t` (the output's tangent is the sum over the varied parameters)
    jvp: dict[str, str] = field(default_factory=dict)
    tangent: str | None = None  # a structural rule the forward pass implements itself
    # Parameters the operation is jointly linear in (reshape's `a`, a list
    # display's items): its tangent is the same call with their tangents
    # (zeros where none) and the other arguments as they are.
    linear: tuple[str, ...] = ()
    # Parameters whose value does not change the derivative (`casting=`); with
    # the ones the rules read and `zero`, they are the honoured ones: any other
    # parameter given a value other than its default is refused at the call.
    neutral: frozenset[str] = frozenset()
    honoured: frozenset[str] = frozenset()  # (computed at registration)
    note: str = ""  # the convention at non-differentiable points, for docs/ops.md
    # what to call instead where a refused parameter is given (the error's hint)
    instead: str = ""

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
    stores: bool = False  # writes its other operands' values into args[0] (a tape push)
    expensive: bool = False  # tape its result rather than recompute it
    recompute: bool = True  # the backward pass may recompute it from its operands
    scalar: bool = False  # the result is always a scalar
    reduction: bool = False  # with axis=None and keepdims=False the result is a scalar
    returns: str = "array"  # see RETURNS
    takes: str = "arrays"  # see TAKES
    # How many items the result has, if fixed: a count (slogdet: 2), or "args"
    # for one per operand (a tuple display).
    results: int | str | None = None
    # The result is a dict whose items are also its attributes (solve_ivp's
    # OdeResult): reading one of these, `sol.y`, is lowered as `sol["y"]`.
    attributes: tuple[str, ...] = ()

    def bind(self, args: list, kwargs: dict) -> dict[str, Any]:
        """Match call arguments to parameter names, as Python would. A parameter
        left out is bound to MISSING; `*args` to a list, `**kwargs` to a dict."""
        kinds = self.kinds
        positional = [p for p in self.params if kinds[p] in ("posonly", "normal")]
        bound: dict[str, Any] = dict(zip(positional, args))
        extra = args[len(positional):]
        if extra and self.varargs is None:
            raise TypeError(f"{self.name} takes at most {len(positional)} positional arguments")
        if self.varargs is not None:  # bound even when empty: `x.transpose()` has axes == []
            bound[self.varargs] = list(extra)
        varkw = next((p for p in self.params if kinds[p] == "varkw"), None)
        rest: dict[str, Any] = {}
        for key, value in kwargs.items():
            if kinds.get(key) in ("normal", "kwonly"):
                if key in bound:
                    raise TypeError(f"{self.name} got parameter {key!r} twice")
                bound[key] = value
            elif varkw is not None:
                rest[key] = value
            else:
                raise TypeError(f"{self.name} has no parameter {key!r}")
        if varkw is not None:
            bound[varkw] = rest
        for name in self.params:
            if name not in bound:
                if name not in self.defaults:
                    raise TypeError(f"{self.name} is missing argument {name!r}")
                bound[name] = MISSING
        return bound

    def default_of(self, name: str) -> Any:
        """The value a parameter left out stands for: its default, or for
        NumPy's "not given" (`np._NoValue`) what NumPy documents it means."""
        default = self.defaults.get(name)
        return NOT_GIVEN.get(name) if default is np._NoValue else default

    def refused(self, bound: dict[str, Any]) -> list[str]:
        """The parameters given a value that this entry's rules do not honour
        (anything but their default)."""
        out = []
        for name, value in bound.items():
            if name in self.honoured:
                continue
            kind = self.kinds[name]
            if kind == "varkw":
                out += [key for key in value if key not in self.neutral]
            elif kind == "varargs":
                out += [name] if value else []
            elif value is not MISSING and not _is_default(value, self.defaults.get(name)):
                out.append(name)
        return out

    def result_count(self, n_args: int) -> int | None:
        """How many items the result has, if that is fixed (a tuple display: its args)."""
        if self.results == "args":
            return n_args
        return self.results


def _is_default(operand: Any, default: Any) -> bool:
    """Is `operand` (an IR operand) the constant `default`?"""
    value = getattr(operand, "value", MISSING)
    if type(operand).__name__ != "Const":
        return False
    try:
        return type(value) is type(default) and bool(value == default)
    except (TypeError, ValueError):
        return False


# What NumPy's `<no value>` defaults mean, by parameter (None: nothing).
NOT_GIVEN = {"keepdims": False, "where": True}

TABLE: dict[str, Primitive] = {}
_BY_OBJECT: dict[Any, str] = {}  # id(function), or (id(object), id(function)) of a method
_group = "Other"
_FACTS = {f.name for f in fields(Primitive)} - {"name", "params", "defaults", "varargs",
                                                "kinds", "honoured", "zero", "neutral"}
# Modules rule templates name (`np.exp`); `primitives/scipy_ops.py` adds `scipy`
# when SciPy is importable.
NAMESPACE: dict[str, Any] = {"np": np, "math": math, "functools": functools,
                             "operator": operator, "copy": copy, "builtins": builtins}
# Where bare helper names in templates live: `runtime`, and the optional
# entries' helper modules (`runtime.scipy`) once they are loaded.
HELPER_MODULES: list[Any] = [runtime]
# Optional entries, loaded once the user's program has imported their library:
# {library's top-level module: loader}. `install_optional` fills it.
_OPTIONAL: dict[str, Callable[[], None]] = {}


def install_optional(module: str, loader: Callable[[], None]) -> None:
    """Register entries to load when `module` (`scipy`) is first imported by
    anyone: `import s2sad` stays light, and a program that differentiates
    SciPy has imported SciPy before s2sad reads its source."""
    _OPTIONAL[module] = loader
    load_optional()


def load_optional(force: bool = False) -> None:
    """Load the optional entries whose library is imported (all of them that
    are installed, with `force`: the docs generator and the tests)."""
    for module in [m for m in _OPTIONAL if force or m in sys.modules]:
        _OPTIONAL.pop(module)()


def lookup(name: str) -> Primitive | None:
    prim = TABLE.get(name)
    if prim is None and _OPTIONAL:  # (an optional entry whose library is imported now)
        load_optional()
        prim = TABLE.get(name)
    return prim


def get(name: str) -> Primitive:
    """The record of `name`; every prim the compiler emits must have one."""
    prim = lookup(name)
    if prim is None:
        raise KeyError(f"{name!r} is not in the table of primitives")
    return prim


def _helper_module(name: str) -> Any:
    """The module of run-time helpers that defines `name`, if any."""
    return next((m for m in HELPER_MODULES if hasattr(m, name)), None)


def resolve_name(name: str) -> Any:
    """The Python object a primitive name like `np.linalg.inv` stands for, if
    any: NumPy and math functions, builtins, and s2sad's run-time helpers."""
    if name in USER_RULED:
        return USER_RULED[name][0]
    if name.startswith(".") or not name:
        return None
    head, *rest = name.split(".")
    if head in NAMESPACE:
        obj: Any = NAMESPACE[head]
    elif not rest and not head.startswith("_") and _helper_module(head) is not None:
        return getattr(_helper_module(head), head)
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
    """The primitive registered for a function object (`np.exp`, `math.sin`),
    or for a bound method of a library object (`scipy.stats.norm.logpdf`)."""
    name = _BY_OBJECT.get(object_key(obj))
    if name is None and _OPTIONAL:  # (an optional entry whose library is imported now)
        load_optional()
        name = _BY_OBJECT.get(object_key(obj))
    if name is None:
        return None
    prim = TABLE[name]
    return prim if _same_callable(resolve_name(name), obj) else None


def object_key(obj: Any) -> Any:
    """How `_BY_OBJECT` knows a callable: by identity, except a bound method,
    which Python makes anew at each attribute access (`norm.logpdf is
    norm.logpdf` is False), by its object and its function."""
    if isinstance(obj, types.MethodType):
        return id(obj.__self__), id(obj.__func__)
    if _ufunc_method(obj):  # (np.add.reduce: a builtin method of the ufunc, made anew too)
        return id(obj.__self__), obj.__name__
    return id(obj)


def _ufunc_method(obj: Any) -> bool:
    return isinstance(obj, types.BuiltinMethodType) and \
        isinstance(getattr(obj, "__self__", None), np.ufunc)


def _same_callable(a: Any, b: Any) -> bool:
    return object_key(a) == object_key(b)  # (both alive: their ids are theirs)


# ---------------------------------------------------------------- registration

# Functions users gave rules (`s2sad.defvjp`, `@custom_vjp`), by entry name:
# (the function, its adjoint rule, its tangent rule).
USER_RULED: dict[str, tuple[Any, Any, Any]] = {}


def user_rules(obj: Any, name: str, vjp_rule: Any, jvp_rule: Any) -> Primitive:
    """Register (or replace) the entry of a function a user gave rules: its
    adjoint and tangent come from calling their rules (structural rules
    `custom` of both passes), matched by the function object like NumPy's."""
    if _OPTIONAL:  # (a built-in entry loaded later must not replace the user's)
        load_optional()
    try:
        params = [p for p in inspect.signature(obj).parameters.values()]
    except (TypeError, ValueError):  # (a compiled function without a signature)
        params = []
    names = tuple(p.name for p in params) or ("args",)
    kinds = {p.name: _KINDS[p.kind] for p in params} if params else {"args": "varargs"}
    defaults = {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}
    varargs = next((n for n, k in kinds.items() if k == "varargs"), None)
    varkw = [n for n, k in kinds.items() if k == "varkw"]
    prim = Primitive(name, names, defaults, varargs, kinds, form="function", group="User rules",
                     adjoint="custom" if vjp_rule is not None else None,
                     tangent="custom" if jvp_rule is not None else None,
                     neutral=frozenset(varkw), returns="other", takes="any",
                     note="the user's rule")
    USER_RULED[name] = (obj, vjp_rule, jvp_rule)
    prim = replace(_add(prim), honoured=frozenset(names))  # (the rules see every argument)
    TABLE[name] = prim
    _BY_OBJECT[object_key(obj)] = name
    return prim


_KINDS = {inspect.Parameter.POSITIONAL_ONLY: "posonly",
          inspect.Parameter.POSITIONAL_OR_KEYWORD: "normal",
          inspect.Parameter.VAR_POSITIONAL: "varargs", inspect.Parameter.KEYWORD_ONLY: "kwonly",
          inspect.Parameter.VAR_KEYWORD: "varkw"}


def _parse_signature(signature: str) -> tuple[str, tuple, dict, str | None, dict]:
    """Split `np.clip(a, a_min=None, *, min=NoValue)` into its name and, as
    Python would read them as a `def`'s parameters: their names, defaults,
    the *args parameter and each parameter's kind. A method or attribute is
    written with a leading dot (`.sum(a, /, axis=None)`); `NoValue` is NumPy's
    "not given" default, `np._NoValue`."""
    name, _, rest = signature.partition("(")
    args = ast.parse(f"def _({rest}: pass").body[0].args
    kinds: dict[str, str] = {}
    defaults: dict[str, Any] = {}
    positional = [*args.posonlyargs, *args.args]
    for arg in args.posonlyargs:
        kinds[arg.arg] = "posonly"
    for arg in args.args:
        kinds[arg.arg] = "normal"
    for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
        defaults[arg.arg] = _literal(default)
    varargs = args.vararg.arg if args.vararg else None
    if varargs:
        kinds[varargs] = "varargs"
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        kinds[arg.arg] = "kwonly"
        if default is not None:
            defaults[arg.arg] = _literal(default)
    if args.kwarg:
        kinds[args.kwarg.arg] = "varkw"
    return name.strip(), tuple(kinds), defaults, varargs, kinds


_NAMED_DEFAULTS = {"NoValue": np._NoValue, "float": float}


def named_default(name: str, value: Any) -> None:
    """Let signatures name a default that is not a literal (a library's own
    "not given" marker object) as `name`."""
    assert _NAMED_DEFAULTS.setdefault(name, value) is value, f"{name} names another default"


def _literal(node: ast.expr) -> Any:
    if isinstance(node, ast.Name) and node.id in _NAMED_DEFAULTS:
        return _NAMED_DEFAULTS[node.id]
    return ast.literal_eval(node)


UFUNC_NEUTRAL = frozenset({"casting", "order", "subok"})


def _ufunc_signature(signature: str, ufunc: np.ufunc) -> tuple[str, frozenset]:
    """A ufunc's signature is NumPy's own, with its positional inputs named as
    the entry names them; `casting`, `order` and `subok` do not change values."""
    name, _, rest = signature.partition("(")
    inputs = [p.strip() for p in rest.rstrip(")").split(",")]
    parts = []
    for i, param in enumerate(inspect.signature(ufunc).parameters.values()):
        text = str(param).replace("<no value>", "NoValue")
        if param.kind == param.POSITIONAL_ONLY:
            text = inputs[i]
        elif param.kind == param.KEYWORD_ONLY and "*" not in parts:
            parts.append("*")
        parts.append(text)
        if param.kind == param.POSITIONAL_ONLY and i == ufunc.nin - 1:
            parts.append("/")
    return f"{name}({', '.join(parts)})", UFUNC_NEUTRAL


def _template_names(templates: dict[str, str]) -> set[str]:
    return {n.id for source in templates.values()
            for n in ast.walk(ast.parse(source, mode="eval")) if isinstance(n, ast.Name)}


def _add(prim: Primitive) -> Primitive:
    assert prim.form in FORMS and prim.returns in RETURNS and prim.takes in TAKES, prim.name
    assert not (prim.linear and prim.jvp), f"{prim.name}: linear, or tangent rules"
    # (rule templates name the output `ans`, its adjoint `g`, a tangent `t`)
    assert not (prim.jvp and {"t", "ans"} & set(prim.params)), f"{prim.name}: rename t/ans"
    assert not (prim.vjp and {"g", "ans"} & set(prim.params)), f"{prim.name}: rename g/ans"
    params = set(prim.params)
    # honoured: read by the rules of both modes (or not changing the derivative)
    by_vjp = (_template_names(prim.vjp) & params) | set(prim.vjp) | prim.zero | prim.neutral
    by_jvp = params if prim.linear else \
        (_template_names(prim.jvp) & params) | set(prim.jvp) | prim.zero | prim.neutral
    if prim.vjp and (prim.jvp or prim.linear):
        honoured = by_vjp & by_jvp
    else:
        honoured = by_vjp if prim.vjp else by_jvp
    if prim.zero and not prim.vjp:  # zero everywhere, whatever the other arguments say
        honoured = set(prim.params)
    prim = replace(prim, honoured=frozenset(honoured))
    clash = _FACTS & set(prim.params)
    assert not clash, f"{prim.name}: parameter names {clash} clash with fact names"
    TABLE[prim.name] = prim
    obj = resolve_name(prim.name) if prim.form in ("function", "helper") else None
    if obj is not None:
        _BY_OBJECT.setdefault(object_key(obj), prim.name)
    return prim


def _form_of(name: str, facts: dict) -> str:
    if "form" in facts:
        return facts.pop("form")
    return "method" if name.startswith(".") else "function"


def _signature_of(signature: str, neutral: tuple) -> tuple:
    """Parse `signature`, given as NumPy documents it (a ufunc: its inputs only)."""
    obj = resolve_name(signature.partition("(")[0].strip())
    if isinstance(obj, np.ufunc):
        signature, more = _ufunc_signature(signature, obj)
        neutral = (*neutral, *more)
    return (*_parse_signature(signature), frozenset(neutral))


def vjp(signature: str, zero: tuple[str, ...] = (), neutral: tuple[str, ...] = (),
        **rules_and_facts: Any) -> Primitive:
    """Register a differentiable primitive: adjoint templates by parameter name,
    and facts (see `Primitive`) by their own names. `signature` is NumPy's
    (for a ufunc, just its inputs: the ufunc keywords are added)."""
    name, params, defaults, varargs, kinds, neutral = _signature_of(signature, neutral)
    facts = {k: v for k, v in rules_and_facts.items() if k in _FACTS}
    templates = {k: v for k, v in rules_and_facts.items() if k not in _FACTS}
    form = _form_of(name, facts)
    if form == "method":
        facts.setdefault("takes", "receiver")
    return _add(Primitive(name, params, defaults, varargs, kinds, form=form, group=_group,
                          vjp=templates, zero=frozenset(zero), neutral=neutral, **facts))


def elementwise(signature: str, **rules_and_facts: Any) -> Primitive:
    """Like `vjp`, for elementwise functions: the output has the broadcast
    shape of the operands and is a new array. Tangent rules not given are
    derived from the adjoint rules (`derived_tangent`)."""
    rules_and_facts.setdefault("fresh", True)
    return vjp(signature, elementwise=True, **with_derived_tangents(rules_and_facts))


def scalar_function(signature: str, **rules_and_facts: Any) -> Primitive:
    """A function of numbers to a number (`math.sin`): elementwise on scalars,
    its tangent rules derived from its adjoint rules."""
    return vjp(signature, scalar=True, **with_derived_tangents(rules_and_facts))


def with_derived_tangents(rules_and_facts: dict[str, Any]) -> dict[str, Any]:
    tangents = dict(rules_and_facts.pop("jvp", {}))
    for name, template in rules_and_facts.items():
        if name not in _FACTS and name not in ("zero", "neutral") and name not in tangents:
            tangents[name] = derived_tangent(template)
    return {**rules_and_facts, "jvp": tangents}


def derived_tangent(adjoint: str) -> str:
    """The tangent rule of an elementwise function from its adjoint rule:
    `unbroadcast(g * dfdx, x)` becomes `t * dfdx`. Both are the partial
    derivative times the incoming value (g backwards, t forwards); the
    unbroadcast only sums g back to the operand's shape."""
    tree = ast.parse(adjoint, mode="eval").body
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and \
            tree.func.id == "unbroadcast":
        tree = tree.args[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "g":
            node.id = "t"
    return ast.unparse(tree)


def nondiff(*signatures: str, **facts: Any) -> None:
    """Register functions whose output carries no derivative (argmax, len)."""
    for signature in signatures:
        name, params, defaults, varargs, kinds, neutral = _signature_of(signature, ())
        merged = {"differentiable": False, "neutral": neutral, **facts}
        form = _form_of(name, merged)
        if form == "method":
            merged.setdefault("takes", "receiver")
        _add(Primitive(name, params, defaults, varargs, kinds, form=form, group=_group,
                       **merged))


def structural(signature: str, adjoint: str | None, **facts: Any) -> Primitive:
    """Register an operation of the IR itself (containers, indexing, calls,
    tapes). `adjoint` names the rule the reverse pass implements for it (None:
    none, so a derivative reaching it is an error); facts default to 'emitted
    specially'."""
    name, params, defaults, varargs, kinds = _parse_signature(signature)
    facts.setdefault("form", "internal")
    facts.setdefault("returns", "other")
    facts.setdefault("takes", "any")
    return _add(Primitive(name, params, defaults, varargs, kinds, group=_group,
                          adjoint=adjoint, **facts))


def helper(*signatures: str, zero: tuple[str, ...] | str = (), **facts: Any) -> None:
    """Register s2sad's run-time helpers (`s2sad.runtime`) that generated code
    calls: adjoint code's (with tangent rules, for forward mode over reverse
    mode: `linear=`, `jvp=`, and `zero=` for the parameters only giving shapes
    or choices; `zero="others"`: all but the linear ones), and the checks that
    guard the forward pass (`check_inplace`, `require_scalar`)."""
    for signature in signatures:
        name, params, defaults, varargs, kinds = _parse_signature(signature)
        merged = {"form": "helper", "returns": "other",
                  "takes": "any", "recompute": False, **facts}
        zeros = [p for p in params if p not in merged.get("linear", ())] \
            if zero == "others" else zero
        assert resolve_name(name) is not None, f"no run-time helper {name}"
        _add(Primitive(name, params, defaults, varargs, kinds, group=_group,
                       zero=frozenset(zeros), **merged))


def alias(name: str, target: str, signature: str | None = None, **facts: Any) -> None:
    """Make `name` (another spelling, or a method) use `target`'s record,
    with its own signature and facts where they differ."""
    base = TABLE[target]
    changes: dict[str, Any] = {"name": name, "group": _group, "alias_of": target, **facts}
    if name.startswith(".") and base.form == "function":
        changes.setdefault("form", "method")
        changes.setdefault("takes", "receiver")
    if signature is not None:
        _, changes["params"], changes["defaults"], changes["varargs"], changes["kinds"] = \
            _parse_signature(signature)
    _add(replace(base, **changes))


def group(title: str) -> None:
    """Start a section: entries registered after this are listed under `title`
    in docs/ops.md (scripts/gen_ops_doc.py), so the docs follow the table."""
    global _group
    _group = title


__all__ = ["Primitive", "TABLE", "MISSING", "USER_RULED", "lookup", "get", "for_object",
           "object_key",
           "resolve_name", "user_rules",
           "vjp", "elementwise", "scalar_function", "nondiff", "structural", "helper", "alias",
           "group", "named_default"]
