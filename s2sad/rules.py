"""The adjoint rule registry: one short entry per primitive.

An entry gives the primitive's signature and, for each differentiable
parameter, a Python expression for its adjoint (its vector-Jacobian product).
The expressions may use the parameters, `g` (the adjoint of the output),
`ans` (the output), NumPy as `np`, and the helpers of `s2sad.runtime` by bare
name. The reverse transform lowers them into IR, so adjoint code is ordinary
IR that later passes simplify and that can itself be differentiated again.

    vjp("np.exp(x)", x="g * ans")
    vjp("np.multiply(x, y)", x="unbroadcast(g * y, x)", y="unbroadcast(g * x, y)")

Parameters named in `zero=` have an identically zero gradient (`np.where`'s
condition). A differentiable value reaching any other parameter that has no
adjoint is an error, never a silently dropped gradient. `nondiff()` marks
functions whose output carries no gradient at all (`np.argmax`, `len`).

Operators use their `operator` module names (`add`, `mul`, `matmul`, ...),
methods a leading dot (`.sum`), attributes a leading dot too (`.T`).

`group("Reductions")` starts a section: docs/ops.md, generated from this
registry by scripts/gen_ops_doc.py, lists the rules under it. Every
differentiable rule needs a row in tests/test_rules.py, which checks it
against finite differences.
"""

from __future__ import annotations

import ast
import builtins
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import runtime

_MISSING = object()


@dataclass
class Rule:
    name: str
    params: list[str]
    defaults: dict[str, Any] = field(default_factory=dict)
    adjoints: dict[str, str] = field(default_factory=dict)
    zero: frozenset[str] = frozenset()
    varargs: str | None = None
    nondiff: bool = False
    out: str = "num"  # "num" for arrays and numbers, "seq" for tuples/lists of them
    # For unbroadcast elimination: the output has the shape of this parameter
    # when every other array parameter is a scalar constant.
    elementwise: bool = False
    group: str = ""  # the docs/ops.md section it is listed in; see `group()`
    alias_of: str | None = None  # set by `alias()`

    def bind(self, args: list, kwargs: dict) -> dict[str, Any]:
        """Match call arguments to parameter names, as Python would."""
        bound: dict[str, Any] = {}
        cut = self.params.index(self.varargs) if self.varargs else len(self.params)
        positional = self.params[:cut]  # parameters after *args are keyword-only
        for name, value in zip(positional, args):
            bound[name] = value
        extra = args[len(positional) :]
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
                bound[name] = _MISSING
        return bound


RULES: dict[str, Rule] = {}
_group = "Other"
_BY_OBJECT: dict[int, str] = {}
_NAMESPACE = {"np": np, "math": math, "builtins": builtins}


def _parse_signature(signature: str) -> tuple[str, list[str], dict[str, Any], str | None]:
    """Split `np.clip(a, a_min=None)` into name, parameters, defaults and varargs.

    A method or attribute is written with a leading dot (`.sum(a, axis=None)`);
    it is parsed as `_.sum(...)` and keeps its dot in the name."""
    method = signature.startswith(".")
    call = ast.parse("_" + signature if method else signature, mode="eval").body
    assert isinstance(call, ast.Call), signature
    name = ast.unparse(call.func)
    if method:
        name = name[1:]
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
    return name, params, defaults, varargs


def _register(signature: str, **fields: Any) -> Rule:
    name, params, defaults, varargs = _parse_signature(signature)
    rule = Rule(name, params, defaults, varargs=varargs, group=_group, **fields)
    RULES[name] = rule
    obj = resolve_name(name)
    if obj is not None:
        _BY_OBJECT.setdefault(id(obj), name)
    return rule


def resolve_name(name: str) -> Any:
    """The Python object a rule name like `np.linalg.inv` stands for, if any."""
    if name.startswith("."):
        return None
    head, *rest = name.split(".")
    if head in _NAMESPACE:
        obj = _NAMESPACE[head]
    elif hasattr(runtime, head) and not rest:
        return getattr(runtime, head)
    elif hasattr(builtins, head) and not rest:
        return getattr(builtins, head)
    else:
        return None
    for part in rest:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def vjp(signature: str, zero: tuple[str, ...] = (), **adjoints: str) -> Rule:
    """Register a differentiable primitive and its adjoint expressions."""
    return _register(signature, adjoints=adjoints, zero=frozenset(zero))


def elementwise(signature: str, **adjoints: str) -> Rule:
    """Like `vjp`, for elementwise functions: output shape is the broadcast input shape."""
    return _register(signature, adjoints=adjoints, elementwise=True)


def nondiff(*signatures: str, out: str = "num") -> None:
    """Register functions whose output carries no gradient."""
    for signature in signatures:
        _register(signature, nondiff=True, out=out)


def alias(name: str, target: str, signature: str | None = None) -> None:
    """Make `name` (another spelling, or a method) use `target`'s rule."""
    rule = replace(RULES[target], name=name, group=_group, alias_of=target)
    if signature is not None:
        _, rule.params, rule.defaults, rule.varargs = _parse_signature(signature)
    RULES[name] = rule
    obj = resolve_name(name)
    if obj is not None:
        _BY_OBJECT.setdefault(id(obj), name)


def group(title: str) -> None:
    """Start a section of the registry: rules registered after this are listed under
    `title` in docs/ops.md (scripts/gen_ops_doc.py), so the docs follow this file."""
    global _group
    _group = title


def rule_for_object(obj: Any) -> Rule | None:
    """The rule registered for a function object (`np.exp`, `math.sin`, ...)."""
    try:
        name = _BY_OBJECT.get(id(obj))
    except TypeError:
        return None
    if name is None:
        return None
    rule = RULES[name]
    return rule if resolve_name(name) is obj else None


def rule_named(name: str) -> Rule | None:
    return RULES.get(name)


# ---------------------------------------------------------------- operators
group("Operators")
# The reverse transform drops `unbroadcast` wherever it can prove the shapes
# already match, so these read as the textbook rules in generated code.

elementwise("add(x, y)", x="unbroadcast(g, x)", y="unbroadcast(g, y)")
elementwise("sub(x, y)", x="unbroadcast(g, x)", y="unbroadcast(-g, y)")
elementwise("mul(x, y)", x="unbroadcast(g * y, x)", y="unbroadcast(x * g, y)")
elementwise("truediv(x, y)", x="unbroadcast(g / y, x)", y="unbroadcast(-g * ans / y, y)")
elementwise(
    "pow(x, y)",
    x="unbroadcast(g * y * x ** (y - 1), x)",
    y="unbroadcast(g * ans * np.log(x), y)",
)
elementwise("neg(x)", x="-g")
elementwise("pos(x)", x="g")
vjp("matmul(a, b)", a="matmul_adjoint_a(g, a, b)", b="matmul_adjoint_b(g, a, b)")
elementwise("mod(x, y)", x="unbroadcast(g, x)", y="unbroadcast(-g * np.floor(x / y), y)")
nondiff(
    "floordiv(x, y)", "lt(x, y)", "le(x, y)", "gt(x, y)", "ge(x, y)",
    "eq(x, y)", "ne(x, y)", "not_(x)", "invert(x)", "and_(x, y)", "or_(x, y)", "xor(x, y)",
    "is_(x, y)", "is_not(x, y)", "contains(x, y)", "lshift(x, y)", "rshift(x, y)",
)
# `copy` is the identity; the lowering uses it for `y = x` style aliases.
elementwise("copy(x)", x="g")

# ---------------------------------------------------------------- elementwise math
group("Elementwise functions")

elementwise("np.negative(x)", x="-g")
elementwise("np.positive(x)", x="g")
elementwise("np.exp(x)", x="g * ans")
elementwise("np.exp2(x)", x="g * ans * math.log(2.0)")
elementwise("np.expm1(x)", x="g * (ans + 1.0)")
elementwise("np.log(x)", x="g / x")
elementwise("np.log2(x)", x="g / (x * math.log(2.0))")
elementwise("np.log10(x)", x="g / (x * math.log(10.0))")
elementwise("np.log1p(x)", x="g / (1.0 + x)")
elementwise("np.sqrt(x)", x="g * 0.5 / ans")
elementwise("np.cbrt(x)", x="g / (3.0 * ans ** 2)")
elementwise("np.square(x)", x="g * 2.0 * x")
elementwise("np.reciprocal(x)", x="-g * ans ** 2")
elementwise("np.sin(x)", x="g * np.cos(x)")
elementwise("np.cos(x)", x="-g * np.sin(x)")
elementwise("np.tan(x)", x="g * (1.0 + ans ** 2)")
elementwise("np.arcsin(x)", x="g / np.sqrt(1.0 - x ** 2)")
elementwise("np.arccos(x)", x="-g / np.sqrt(1.0 - x ** 2)")
elementwise("np.arctan(x)", x="g / (1.0 + x ** 2)")
elementwise("np.sinh(x)", x="g * np.cosh(x)")
elementwise("np.cosh(x)", x="g * np.sinh(x)")
elementwise("np.tanh(x)", x="g * (1.0 - ans ** 2)")
elementwise("np.arcsinh(x)", x="g / np.sqrt(x ** 2 + 1.0)")
elementwise("np.arccosh(x)", x="g / np.sqrt(x ** 2 - 1.0)")
elementwise("np.arctanh(x)", x="g / (1.0 - x ** 2)")
elementwise("np.abs(x)", x="g * np.sign(x)")
elementwise("np.fabs(x)", x="g * np.sign(x)")
elementwise("np.sinc(x)", x="g * sinc_derivative(x)")
elementwise(
    "np.arctan2(y, x)",
    y="unbroadcast(g * x / (x ** 2 + y ** 2), y)",
    x="unbroadcast(-g * y / (x ** 2 + y ** 2), x)",
)
elementwise("np.hypot(x, y)", x="unbroadcast(g * x / ans, x)", y="unbroadcast(g * y / ans, y)")
elementwise("np.add(x, y)", x="unbroadcast(g, x)", y="unbroadcast(g, y)")
elementwise("np.subtract(x, y)", x="unbroadcast(g, x)", y="unbroadcast(-g, y)")
elementwise("np.multiply(x, y)", x="unbroadcast(g * y, x)", y="unbroadcast(x * g, y)")
elementwise("np.divide(x, y)", x="unbroadcast(g / y, x)", y="unbroadcast(-g * ans / y, y)")
alias("np.true_divide", "np.divide")
elementwise(
    "np.power(x, y)",
    x="unbroadcast(g * y * x ** (y - 1), x)",
    y="unbroadcast(g * ans * np.log(x), y)",
)
alias("np.float_power", "np.power")
elementwise(
    "np.maximum(x, y)",
    x="unbroadcast(g * max_share(x, y), x)",
    y="unbroadcast(g * max_share(y, x), y)",
)
elementwise(
    "np.minimum(x, y)",
    x="unbroadcast(g * max_share(y, x), x)",
    y="unbroadcast(g * max_share(x, y), y)",
)
alias("np.fmax", "np.maximum")
alias("np.fmin", "np.minimum")
elementwise(
    "np.logaddexp(x, y)",
    x="unbroadcast(g * np.exp(x - ans), x)",
    y="unbroadcast(g * np.exp(y - ans), y)",
)
elementwise(
    "np.logaddexp2(x, y)",
    x="unbroadcast(g * np.exp2(x - ans), x)",
    y="unbroadcast(g * np.exp2(y - ans), y)",
)
vjp(
    "np.clip(a, a_min=None, a_max=None)",
    a="unbroadcast(g * clip_mask(a, a_min, a_max), a)",
    a_min="unbroadcast(g * (a < a_min), a_min)",
    a_max="unbroadcast(g * (a > a_max), a_max)",
)
vjp(
    "np.where(condition, x, y)",
    zero=("condition",),
    x="unbroadcast(np.where(condition, g, 0.0), x)",
    y="unbroadcast(np.where(condition, 0.0, g), y)",
)
# Piecewise constant: the gradient is zero wherever it exists.
for _name in ("sign", "floor", "ceil", "round", "rint", "trunc", "fix"):
    vjp(f"np.{_name}(x, decimals=0)" if _name == "round" else f"np.{_name}(x)", zero=("x",))
alias("np.around", "np.round")
vjp("np.real(x)", x="np.real(g)")
elementwise("np.conjugate(x)", x="np.conjugate(g)")
elementwise("np.deg2rad(x)", x="g * (math.pi / 180.0)")
alias("np.radians", "np.deg2rad")
elementwise("np.rad2deg(x)", x="g * (180.0 / math.pi)")
alias("np.degrees", "np.rad2deg")

# ---------------------------------------------------------------- math module and builtins
group("math module and builtins")

vjp("math.sin(x)", x="g * math.cos(x)")
vjp("math.cos(x)", x="-g * math.sin(x)")
vjp("math.tan(x)", x="g / math.cos(x) ** 2")
vjp("math.asin(x)", x="g / math.sqrt(1.0 - x ** 2)")
vjp("math.acos(x)", x="-g / math.sqrt(1.0 - x ** 2)")
vjp("math.atan(x)", x="g / (1.0 + x ** 2)")
vjp("math.atan2(y, x)", y="g * x / (x ** 2 + y ** 2)", x="-g * y / (x ** 2 + y ** 2)")
vjp("math.sinh(x)", x="g * math.cosh(x)")
vjp("math.cosh(x)", x="g * math.sinh(x)")
vjp("math.tanh(x)", x="g * (1.0 - ans ** 2)")
vjp("math.exp(x)", x="g * ans")
vjp("math.expm1(x)", x="g * (ans + 1.0)")
vjp("math.log(x)", x="g / x")
vjp("math.log2(x)", x="g / (x * math.log(2.0))")
vjp("math.log10(x)", x="g / (x * math.log(10.0))")
vjp("math.log1p(x)", x="g / (1.0 + x)")
vjp("math.sqrt(x)", x="g * 0.5 / ans")
vjp("math.pow(x, y)", x="g * y * x ** (y - 1)", y="g * ans * math.log(x)")
vjp("math.hypot(x, y)", x="g * x / ans", y="g * y / ans")
vjp("math.fabs(x)", x="g * math.copysign(1.0, x)")
vjp("math.erf(x)", x="g * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)")
vjp("math.erfc(x)", x="-g * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)")
vjp("abs(x)", x="g * np.sign(x)")
vjp("float(x)", x="g")
# Of numbers, or of one list, tuple or 1-d array: the gradient goes to the
# first extreme item, the one Python returns
vjp("max(*args)", args="extreme_adjoint(g, args, True)")
vjp("min(*args)", args="extreme_adjoint(g, args, False)")
nondiff(
    "len(obj)", "int(x)", "bool(x)", "range(*args)", "isinstance(obj, cls)", "round(x, n=None)",
    "math.floor(x)", "math.ceil(x)", "math.isnan(x)", "math.isinf(x)", "math.isfinite(x)",
    "math.trunc(x)", "print(*args)", "str(x)", "type(x)",
)

# ---------------------------------------------------------------- reductions
group("Reductions")

vjp(
    "np.sum(a, axis=None, dtype=None, keepdims=False)",
    a="sum_adjoint(g, a, axis, keepdims)",
)
vjp(
    "np.mean(a, axis=None, dtype=None, keepdims=False)",
    a="mean_adjoint(g, a, axis, keepdims)",
)
vjp(
    "np.prod(a, axis=None, dtype=None, keepdims=False)",
    a="prod_adjoint(g, a, ans, axis, keepdims)",
)
vjp("np.max(a, axis=None, keepdims=False)", a="extremum_adjoint(g, a, ans, axis, keepdims)")
vjp("np.min(a, axis=None, keepdims=False)", a="extremum_adjoint(g, a, ans, axis, keepdims)")
alias("np.amax", "np.max")
alias("np.amin", "np.min")
vjp(
    "np.var(a, axis=None, dtype=None, ddof=0, keepdims=False)",
    a="var_adjoint(g, a, axis, ddof, keepdims)",
)
vjp(
    "np.std(a, axis=None, dtype=None, ddof=0, keepdims=False)",
    a="std_adjoint(g, a, ans, axis, ddof, keepdims)",
)
vjp("np.cumsum(a, axis=None, dtype=None)", a="cumsum_adjoint(g, a, axis)")
vjp("np.cumprod(a, axis=None, dtype=None)", a="cumprod_adjoint(g, a, ans, axis)")
vjp(
    "np.linalg.norm(x, ord=None, axis=None, keepdims=False)",
    x="norm_adjoint(g, x, ans, ord, axis, keepdims)",
)
vjp("np.trace(a, offset=0, axis1=0, axis2=1)", a="trace_adjoint(g, a, offset, axis1, axis2)")
vjp("np.diff(a, n=1, axis=-1)", a="diff_adjoint(g, a, n, axis)")
nondiff(
    "np.argmax(a, axis=None, keepdims=False)", "np.argmin(a, axis=None, keepdims=False)",
    "np.argsort(a, axis=-1, kind=None)", "np.shape(a)", "np.ndim(a)", "np.size(a, axis=None)",
    "np.isnan(x)", "np.isinf(x)", "np.isfinite(x)", "np.any(a, axis=None, keepdims=False)",
    "np.all(a, axis=None, keepdims=False)", "np.count_nonzero(a, axis=None)",
    "np.nonzero(a)", "np.allclose(a, b, rtol=1e-05, atol=1e-08)",
)

# ---------------------------------------------------------------- linear algebra
group("Linear algebra")

vjp("np.matmul(a, b)", a="matmul_adjoint_a(g, a, b)", b="matmul_adjoint_b(g, a, b)")
vjp("np.dot(a, b)", a="dot_adjoint_a(g, a, b)", b="dot_adjoint_b(g, a, b)")
vjp(
    "np.outer(a, b)",
    a="np.reshape(g @ np.ravel(b), np.shape(a))",
    b="np.reshape(np.ravel(a) @ g, np.shape(b))",
)
vjp("np.inner(a, b)", a="inner_adjoint_a(g, a, b)", b="inner_adjoint_b(g, a, b)")
vjp("np.vdot(a, b)", a="g * np.reshape(b, np.shape(a))", b="g * np.reshape(a, np.shape(b))")
vjp(
    "np.tensordot(a, b, axes=2)",
    a="tensordot_adjoint_a(g, a, b, axes)",
    b="tensordot_adjoint_b(g, a, b, axes)",
)
vjp(
    "np.einsum(subscripts, *operands)",
    zero=("subscripts",),
    operands="einsum_adjoint(g, subscripts, operands)",
)
vjp("np.cross(a, b)", a="unbroadcast(np.cross(b, g), a)", b="unbroadcast(np.cross(g, a), b)")
vjp("np.linalg.inv(a)", a="-matrix_transpose(ans) @ g @ matrix_transpose(ans)")
vjp("np.linalg.solve(a, b)", a="solve_adjoint_a(g, a, b, ans)", b="solve_adjoint_b(g, a, b)")
vjp("np.linalg.det(a)", a="det_adjoint(g, a, ans)")
vjp("np.linalg.slogdet(a)", a="slogdet_adjoint(g, a)").out = "seq"

# ---------------------------------------------------------------- shapes
group("Shapes")

vjp("np.reshape(a, *shape, order='C')", zero=("shape",), a="np.reshape(g, np.shape(a))")
vjp("np.ravel(a, order='C')", a="np.reshape(g, np.shape(a))")
vjp("np.transpose(a, axes=None)", a="transpose_adjoint(g, axes)")
vjp("np.swapaxes(a, axis1, axis2)", a="np.swapaxes(g, axis1, axis2)")
vjp("np.moveaxis(a, source, destination)", a="np.moveaxis(g, destination, source)")
vjp("np.expand_dims(a, axis)", a="np.reshape(g, np.shape(a))")
vjp("np.squeeze(a, axis=None)", a="np.reshape(g, np.shape(a))")
vjp("np.atleast_1d(a)", a="np.reshape(g, np.shape(a))")
vjp("np.atleast_2d(a)", a="np.reshape(g, np.shape(a))")
vjp("np.broadcast_to(array, shape)", zero=("shape",), array="unbroadcast(g, array)")
vjp("np.flip(m, axis=None)", m="np.flip(g, axis)")
vjp("np.fliplr(m)", m="np.fliplr(g)")
vjp("np.flipud(m)", m="np.flipud(g)")
vjp("np.roll(a, shift, axis=None)", zero=("shift",), a="roll_adjoint(g, shift, axis)")
vjp("np.tile(A, reps)", A="tile_adjoint(g, A, reps)")
vjp("np.repeat(a, repeats, axis=None)", a="repeat_adjoint(g, a, repeats, axis)")
vjp("np.concatenate(arrays, axis=0)", arrays="concatenate_adjoint(g, arrays, axis)")
vjp("np.stack(arrays, axis=0)", arrays="stack_adjoint(g, arrays, axis)")
vjp("np.hstack(tup)", tup="hstack_adjoint(g, tup)")
vjp("np.vstack(tup)", tup="vstack_adjoint(g, tup)")
vjp("np.diag(v, k=0)", v="diag_adjoint(g, v, k)")
vjp(
    "np.diagonal(a, offset=0, axis1=0, axis2=1)",
    a="diagonal_adjoint(g, a, offset, axis1, axis2)",
)
vjp("np.triu(m, k=0)", m="np.triu(g, k)")
vjp("np.tril(m, k=0)", m="np.tril(g, k)")
vjp("np.array(object, dtype=None)", object="array_adjoint(truncated(g, ans, object), object)")
vjp("np.asarray(a, dtype=None)", a="array_adjoint(truncated(g, ans, a), a)")
vjp("np.copy(a)", a="g")
vjp("np.sort(a, axis=-1)", a="sort_adjoint(g, a, axis)")
nondiff(
    "np.zeros(shape, dtype=None)", "np.ones(shape, dtype=None)", "np.empty(shape, dtype=None)",
    "np.zeros_like(a, dtype=None)",
    "np.ones_like(a, dtype=None)", "np.empty_like(a, dtype=None)",
    "np.eye(N, M=None, k=0, dtype=None)",
    "np.identity(n, dtype=None)",
)
vjp("np.full_like(a, fill_value, dtype=None)", zero=("a",),
    fill_value="unbroadcast(g, fill_value)")
# Constructors whose values depend on their arguments. (`nondiff` is only for
# outputs that carry no gradient at all: a wrong entry there is a silently
# zero gradient.)
vjp("np.full(shape, fill_value, dtype=None)", zero=("shape",),
    fill_value="unbroadcast(g, fill_value)")
vjp("np.linspace(start, stop, num=50, endpoint=True)",
    start="unbroadcast(np.sum(g * (1.0 - linspace_weights(num, endpoint))), start)",
    stop="unbroadcast(np.sum(g * linspace_weights(num, endpoint)), stop)")
# np.arange with a differentiable start/stop/step: refused (no adjoint), never zero.
vjp("np.arange(*args, dtype=None)")


# ---------------------------------------------------------------- indexing and containers
group("Indexing and containers")
# `index` builds an index (slices, ints, arrays); the emitter prints it back
# inside the subscript, or as `np.s_[...]` on its own.

vjp("getitem(x, index)", zero=("index",), x="getitem_adjoint(g, x, index)")
nondiff("index(*parts)")
vjp("np.take(a, indices, axis=None)", zero=("indices",), a="take_adjoint(g, a, indices, axis)")
vjp(
    "np.take_along_axis(arr, indices, axis)",
    zero=("indices",),
    arr="take_along_axis_adjoint(g, arr, indices, axis)",
)
vjp("make_tuple(*items)", items="g").out = "seq"
vjp("make_list(*items)", items="g").out = "seq"
vjp("list(x)", x="sequence_adjoint(g, x)").out = "seq"
vjp("tuple(x)", x="sequence_adjoint(g, x)").out = "seq"

# ---------------------------------------------------------------- methods and attributes
group("Methods and attributes")

for _method, _target in [
    ("sum", "np.sum"), ("mean", "np.mean"), ("prod", "np.prod"), ("max", "np.max"),
    ("min", "np.min"), ("var", "np.var"), ("std", "np.std"), ("cumsum", "np.cumsum"),
    ("cumprod", "np.cumprod"), ("dot", "np.dot"), ("ravel", "np.ravel"), ("copy", "np.copy"),
    ("swapaxes", "np.swapaxes"), ("squeeze", "np.squeeze"), ("clip", "np.clip"),
    ("trace", "np.trace"), ("repeat", "np.repeat"), ("diagonal", "np.diagonal"),
    ("take", "np.take"), ("conj", "np.conjugate"), ("conjugate", "np.conjugate"),
]:
    alias("." + _method, _target)
vjp(".reshape(a, *shape, order='C')", zero=("shape",), a="np.reshape(g, np.shape(a))")
vjp(".transpose(a, *axes)", a="method_transpose_adjoint(g, axes)")
vjp(".flatten(a, order='C')", a="np.reshape(g, np.shape(a))")
vjp(".astype(a, dtype)", a="truncated(g, ans, a)")
vjp(".T(a)", a="np.transpose(g)")
vjp(".real(a)", a="np.real(g)")
vjp(".item(a)", a="np.full(np.shape(a), g)")
nondiff(
    ".shape(a)", ".ndim(a)", ".size(a)", ".dtype(a)", ".argmax(a, axis=None)",
    ".argmin(a, axis=None)", ".argsort(a, axis=-1)", ".any(a, axis=None)", ".all(a, axis=None)",
    ".nonzero(a)",
)

# ---------------------------------------------------------------- s2sad's own
group("Non-differentiable helpers")

vjp("stop_gradient(x)", zero=("x",))
nondiff("zeros_like(x)", "require_scalar(value)", "call_backward(saved, g)")

# ---------------------------------------------------------------- lists and dicts
group("Indexing and containers")
# `lst.append(v)` lowers to `lst = list_append(lst, v)`: a new list, so the old
# one is intact for the backward pass. Adjoints of lists are lists.

vjp("list_append(lst, item)", lst="g[:-1]", item="list_item(g, -1, item)").out = "seq"
vjp("sum(iterable, start=0)", iterable="sum_adjoint_items(g, iterable)",
    start="unbroadcast(g, start)")
# `for k in d` iterates keys; arrays, lists and tuples iterate themselves
vjp("iteration_items(x)", x="iteration_adjoint(g, x)")
nondiff("dict_item(g, key, like)", "concat_adjoint(g, left, right_part)",
        "check_inplace(value, names, *others)", "snapshot(x)",
        "read_slice(g, index, written=None, value=None)", "add_at(dx, index, g)",
        "truncated(g, ans, x)", "repetition_adjoint(g, seq)")
vjp("own(x)", x="g")
# `a[index] = value`: reversed specially (reverse.py) because the write is in place.
vjp("setitem(x, index, value)", zero=("index",))

