"""NumPy, `math` and builtin operations: their adjoints and facts.

See `record.py` for what an entry says. Every differentiable entry has a row
in tests/test_rules.py that checks it against finite differences, and the
facts that NumPy can show (views, fresh arrays, elementwise shapes, scalar
results) are checked against NumPy itself in tests/test_primitives.py.
"""

from __future__ import annotations

from .record import alias, elementwise, group, nondiff, vjp

# ---------------------------------------------------------------- operators
group("Operators")


def _op(ast_name: str) -> dict:
    """Facts of a Python operator: printed as syntax (`x + y`)."""
    return {"form": "operator", "operator": ast_name}


# The reverse transform drops `unbroadcast` wherever it can prove the shapes
# already match, so these read as the textbook rules in generated code.

elementwise("add(x, y)", x="unbroadcast(g, x)", y="unbroadcast(g, y)", **_op("Add"))
elementwise("sub(x, y)", x="unbroadcast(g, x)", y="unbroadcast(-g, y)", **_op("Sub"))
elementwise("mul(x, y)", x="unbroadcast(g * y, x)", y="unbroadcast(x * g, y)", **_op("Mult"))
elementwise("truediv(x, y)", x="unbroadcast(g / y, x)", y="unbroadcast(-g * ans / y, y)",
            **_op("Div"))
elementwise(
    "pow(x, y)",
    x="unbroadcast(pow_base_adjoint(g, x, y), x)",
    y="unbroadcast(pow_exponent_adjoint(g, x, ans), y)",
    **_op("Pow"),
)
elementwise("neg(x)", x="-g", **_op("USub"))
elementwise("pos(x)", x="g", **_op("UAdd"))
vjp("matmul(a, b)", a="matmul_adjoint_a(g, a, b)", b="matmul_adjoint_b(g, a, b)",
    expensive=True, fresh=True, **_op("MatMult"))
elementwise("mod(x, y)", x="unbroadcast(g, x)", y="unbroadcast(-g * np.floor(x / y), y)",
            **_op("Mod"))
for _name, _ast in [("floordiv", "FloorDiv"), ("and_", "BitAnd"), ("or_", "BitOr"),
                   ("xor", "BitXor"), ("lshift", "LShift"), ("rshift", "RShift"),
                   ("lt", "Lt"), ("le", "LtE"), ("gt", "Gt"), ("ge", "GtE"), ("eq", "Eq"),
                   ("ne", "NotEq"), ("is_", "Is"), ("is_not", "IsNot")]:
    nondiff(f"{_name}(x, y)", fresh=True, **_op(_ast))
for _name, _ast in [("not_", "Not"), ("invert", "Invert")]:
    nondiff(f"{_name}(x)", fresh=True, **_op(_ast))
# `item in container`: emitted with its operands swapped
nondiff("contains(container, item)", form="internal", takes="any", returns="other")
# `copy` is the identity; the lowering uses it for `y = x` style aliases.
elementwise("copy(x)", x="g", form="internal", fresh=False, view=True, returns="other",
            takes="any")

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
elementwise("np.abs(x)", x="g * abs_sign(x)")
elementwise("np.fabs(x)", x="g * abs_sign(x)")
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
    x="unbroadcast(pow_base_adjoint(g, x, y), x)",
    y="unbroadcast(pow_exponent_adjoint(g, x, ans), y)",
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
elementwise(
    "np.fmax(x, y)",
    x="unbroadcast(g * fmax_share(x, y, True), x)",
    y="unbroadcast(g * (1.0 - fmax_share(x, y, True)), y)",
)
elementwise(
    "np.fmin(x, y)",
    x="unbroadcast(g * fmax_share(x, y, False), x)",
    y="unbroadcast(g * (1.0 - fmax_share(x, y, False)), y)",
)
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
    a="unbroadcast(g * clip_share(a, a_min, a_max, 0), a)",
    a_min="unbroadcast(g * clip_share(a, a_min, a_max, 1), a_min)",
    a_max="unbroadcast(g * clip_share(a, a_min, a_max, 2), a_max)",
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
vjp("np.real(x)", x="np.real(g)", view=True)
elementwise("np.conjugate(x)", x="np.conjugate(g)")
elementwise("np.deg2rad(x)", x="g * (math.pi / 180.0)")
alias("np.radians", "np.deg2rad")
elementwise("np.rad2deg(x)", x="g * (180.0 / math.pi)")
alias("np.degrees", "np.rad2deg")

# ---------------------------------------------------------------- math module and builtins
group("math module and builtins")

vjp("math.sin(x)", x="g * math.cos(x)", scalar=True)
vjp("math.cos(x)", x="-g * math.sin(x)", scalar=True)
vjp("math.tan(x)", x="g / math.cos(x) ** 2", scalar=True)
vjp("math.asin(x)", x="g / math.sqrt(1.0 - x ** 2)", scalar=True)
vjp("math.acos(x)", x="-g / math.sqrt(1.0 - x ** 2)", scalar=True)
vjp("math.atan(x)", x="g / (1.0 + x ** 2)", scalar=True)
vjp("math.atan2(y, x)", y="g * x / (x ** 2 + y ** 2)", x="-g * y / (x ** 2 + y ** 2)", scalar=True)
vjp("math.sinh(x)", x="g * math.cosh(x)", scalar=True)
vjp("math.cosh(x)", x="g * math.sinh(x)", scalar=True)
vjp("math.tanh(x)", x="g * (1.0 - ans ** 2)", scalar=True)
vjp("math.exp(x)", x="g * ans", scalar=True)
vjp("math.expm1(x)", x="g * (ans + 1.0)", scalar=True)
vjp("math.log(x)", x="g / x", scalar=True)
vjp("math.log2(x)", x="g / (x * math.log(2.0))", scalar=True)
vjp("math.log10(x)", x="g / (x * math.log(10.0))", scalar=True)
vjp("math.log1p(x)", x="g / (1.0 + x)", scalar=True)
vjp("math.sqrt(x)", x="g * 0.5 / ans", scalar=True)
vjp("math.pow(x, y)", x="pow_base_adjoint(g, x, y)", y="pow_exponent_adjoint(g, x, ans)",
    scalar=True)
vjp("math.hypot(x, y)", x="g * x / ans", y="g * y / ans", scalar=True)
vjp("math.fabs(x)", x="g * abs_sign(x)", scalar=True)
vjp("math.erf(x)", x="g * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)", scalar=True)
vjp("math.erfc(x)", x="-g * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)", scalar=True)
vjp("abs(x)", x="g * abs_sign(x)")
vjp("float(x)", x="g", scalar=True)
# Of numbers, or of one list, tuple or 1-d array: the gradient goes to the
# first extreme item, the one Python returns
vjp("max(*args)", args="extreme_adjoint(g, args, True)", takes="any")
vjp("min(*args)", args="extreme_adjoint(g, args, False)", takes="any")
nondiff("len(obj)", scalar=True, returns="other", takes="any")
nondiff("int(x)", "bool(x)", "range(*args)", "isinstance(obj, cls)", "round(x, n=None)",
        "str(x)", "type(x)", takes="any")
nondiff("math.floor(x)", "math.ceil(x)", "math.isnan(x)", "math.isinf(x)", "math.isfinite(x)",
        "math.trunc(x)", scalar=True)
nondiff("print(*args)", effect=True, recompute=False, returns="other", takes="any")

# ---------------------------------------------------------------- reductions
group("Reductions")

vjp(
    "np.sum(a, axis=None, dtype=None, keepdims=False)",
    a="sum_adjoint(cast_adjoint(g, dtype, a), a, axis, keepdims)",
    reduction=True,
)
vjp(
    "np.mean(a, axis=None, dtype=None, keepdims=False)",
    a="mean_adjoint(cast_adjoint(g, dtype, a), a, axis, keepdims)",
    reduction=True,
)
vjp(
    "np.prod(a, axis=None, dtype=None, keepdims=False)",
    a="prod_adjoint(cast_adjoint(g, dtype, a), a, ans, axis, keepdims)",
    reduction=True,
)
vjp("np.max(a, axis=None, keepdims=False)", a="extremum_adjoint(g, a, ans, axis, keepdims)",
    reduction=True)
vjp("np.min(a, axis=None, keepdims=False)", a="extremum_adjoint(g, a, ans, axis, keepdims)",
    reduction=True)
alias("np.amax", "np.max")
alias("np.amin", "np.min")
vjp(
    "np.var(a, axis=None, dtype=None, ddof=0, keepdims=False)",
    a="var_adjoint(g, a, axis, ddof, keepdims)",
    reduction=True,
)
vjp(
    "np.std(a, axis=None, dtype=None, ddof=0, keepdims=False)",
    a="std_adjoint(g, a, ans, axis, ddof, keepdims)",
    reduction=True,
)
vjp("np.cumsum(a, axis=None, dtype=None)", a="cumsum_adjoint(cast_adjoint(g, dtype, a), a, axis)",
    expensive=True, fresh=True)
vjp("np.cumprod(a, axis=None, dtype=None)",
    a="cumprod_adjoint(cast_adjoint(g, dtype, a), a, ans, axis)",
    expensive=True, fresh=True)
vjp(
    "np.linalg.norm(x, ord=None, axis=None, keepdims=False)",
    x="norm_adjoint(g, x, ans, ord, axis, keepdims)",
    expensive=True,
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

vjp("np.matmul(a, b)", a="matmul_adjoint_a(g, a, b)", b="matmul_adjoint_b(g, a, b)",
    expensive=True, fresh=True)
vjp("np.dot(a, b)", a="dot_adjoint_a(g, a, b)", b="dot_adjoint_b(g, a, b)", expensive=True,
    fresh=True)
vjp(
    "np.outer(a, b)",
    a="np.reshape(g @ np.ravel(b), np.shape(a))",
    b="np.reshape(np.ravel(a) @ g, np.shape(b))",
    expensive=True,
    fresh=True,
)
vjp("np.inner(a, b)", a="inner_adjoint_a(g, a, b)", b="inner_adjoint_b(g, a, b)",
    expensive=True)
vjp("np.vdot(a, b)", a="g * np.reshape(b, np.shape(a))", b="g * np.reshape(a, np.shape(b))")
vjp(
    "np.tensordot(a, b, axes=2)",
    a="tensordot_adjoint_a(g, a, b, axes)",
    b="tensordot_adjoint_b(g, a, b, axes)",
    expensive=True,
)
# (subscripts first, or the sublist form: array, sublist, array, sublist, ...)
vjp("np.einsum(*operands)", operands="einsum_adjoint(g, operands)", expensive=True, takes="any")
vjp("np.cross(a, b)", a="cross_adjoint(g, a, b, False)", b="cross_adjoint(g, a, b, True)")
vjp("np.linalg.inv(a)", a="-matrix_transpose(ans) @ g @ matrix_transpose(ans)",
    expensive=True)
vjp("np.linalg.solve(a, b)", a="solve_adjoint_a(g, a, b, ans)", b="solve_adjoint_b(g, a, b)",
    expensive=True)
vjp("np.linalg.det(a)", a="det_adjoint(g, a, ans)", expensive=True)
vjp("np.linalg.slogdet(a)", a="slogdet_adjoint(g, a)", expensive=True, returns="container",
    results=2)

# ---------------------------------------------------------------- shapes
group("Shapes")

vjp("np.reshape(a, *shape, order='C')", zero=("shape",), a="reshape_adjoint(g, a, order)",
    view=True)
vjp("np.ravel(a, order='C')", a="reshape_adjoint(g, a, order)", view=True)
vjp("np.transpose(a, axes=None)", a="transpose_adjoint(g, axes)", view=True)
vjp("np.swapaxes(a, axis1, axis2)", a="np.swapaxes(g, axis1, axis2)", view=True)
vjp("np.moveaxis(a, source, destination)", a="np.moveaxis(g, destination, source)", view=True)
vjp("np.expand_dims(a, axis)", a="np.reshape(g, np.shape(a))", view=True)
vjp("np.squeeze(a, axis=None)", a="np.reshape(g, np.shape(a))", view=True)
vjp("np.atleast_1d(a)", a="np.reshape(g, np.shape(a))", view=True)
vjp("np.atleast_2d(a)", a="np.reshape(g, np.shape(a))", view=True)
vjp("np.broadcast_to(array, shape)", zero=("shape",), array="unbroadcast(g, array)", view=True)
vjp("np.flip(m, axis=None)", m="np.flip(g, axis)", view=True)
vjp("np.fliplr(m)", m="np.fliplr(g)", view=True)
vjp("np.flipud(m)", m="np.flipud(g)", view=True)
vjp("np.roll(a, shift, axis=None)", zero=("shift",), a="roll_adjoint(g, shift, axis)")
vjp("np.tile(A, reps)", A="tile_adjoint(g, A, reps)", fresh=True)
vjp("np.repeat(a, repeats, axis=None)", a="repeat_adjoint(g, a, repeats, axis)", fresh=True)
vjp("np.concatenate(arrays, axis=0)", arrays="concatenate_adjoint(g, arrays, axis)", fresh=True,
    takes="any")
vjp("np.stack(arrays, axis=0)", arrays="stack_adjoint(g, arrays, axis)", fresh=True, takes="any")
vjp("np.hstack(tup)", tup="hstack_adjoint(g, tup)", fresh=True, takes="any")
vjp("np.vstack(tup)", tup="vstack_adjoint(g, tup)", fresh=True, takes="any")
vjp("np.diag(v, k=0)", v="diag_adjoint(g, v, k)", view=True)
vjp(
    "np.diagonal(a, offset=0, axis1=0, axis2=1)",
    a="diagonal_adjoint(g, a, offset, axis1, axis2)",
    view=True,
)
vjp("np.triu(m, k=0)", m="np.triu(g, k)")
vjp("np.tril(m, k=0)", m="np.tril(g, k)")
vjp("np.array(object, dtype=None)", object="array_adjoint(truncated(g, ans, object), object)",
    fresh=True, takes="any")
vjp("np.asarray(a, dtype=None)", a="array_adjoint(truncated(g, ans, a), a)", view=True,
    takes="any")
vjp("np.copy(a)", a="g", fresh=True, elementwise=True)
vjp("np.sort(a, axis=-1)", a="sort_adjoint(g, a, axis)", expensive=True)
nondiff(
    "np.zeros(shape, dtype=None)", "np.ones(shape, dtype=None)", "np.empty(shape, dtype=None)",
    "np.zeros_like(a, dtype=None)",
    "np.ones_like(a, dtype=None)", "np.empty_like(a, dtype=None)",
    "np.eye(N, M=None, k=0, dtype=None)",
    "np.identity(n, dtype=None)",
    fresh=True,
)
# (the result's dtype is a's unless given: an integer `a` truncates the fill)
vjp("np.full_like(a, fill_value, dtype=None)", zero=("a",),
    fill_value="unbroadcast(truncated(g, ans, fill_value), fill_value)", fresh=True)
# Constructors whose values depend on their arguments. (`nondiff` is only for
# outputs that carry no gradient at all: a wrong entry there is a silently
# zero gradient.)
vjp("np.full(shape, fill_value, dtype=None)", zero=("shape",),
    fill_value="unbroadcast(cast_adjoint(g, dtype, fill_value), fill_value)", fresh=True)
vjp("np.linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0)",
    start="linspace_adjoint(cast_adjoint(g, dtype, start), start, num, endpoint, axis, False)",
    stop="linspace_adjoint(cast_adjoint(g, dtype, stop), stop, num, endpoint, axis, True)",
    fresh=True)
# np.arange with a differentiable start/stop/step: refused (no adjoint), never zero.
vjp("np.arange(*args, dtype=None)", fresh=True)


# ---------------------------------------------------------------- indexing and containers
group("Indexing and containers")
# `index` builds an index (slices, ints, arrays); the emitter prints it back
# inside the subscript, or as `np.s_[...]` on its own.

vjp("getitem(x, index)", zero=("index",), x="getitem_adjoint(g, x, index)", form="internal",
    adjoint="getitem", view=True, returns="other", takes="any")
vjp("np.take(a, indices, axis=None)", zero=("indices",), a="take_adjoint(g, a, indices, axis)")
vjp(
    "np.take_along_axis(arr, indices, axis)",
    zero=("indices",),
    arr="take_along_axis_adjoint(g, arr, indices, axis)",
)
# (their items are x's own items, or views of its rows: `view`)
vjp("list(x)", x="sequence_adjoint(g, x)", returns="container", takes="any", view=True)
vjp("tuple(x)", x="sequence_adjoint(g, x)", returns="container", takes="any", view=True)

# ---------------------------------------------------------------- methods and attributes
group("Methods and attributes")

for _method, _target in [
    ("sum", "np.sum"), ("mean", "np.mean"), ("prod", "np.prod"), ("max", "np.max"),
    ("min", "np.min"), ("var", "np.var"), ("std", "np.std"), ("cumsum", "np.cumsum"),
    ("cumprod", "np.cumprod"), ("dot", "np.dot"), ("ravel", "np.ravel"), ("copy", "np.copy"),
    ("swapaxes", "np.swapaxes"), ("squeeze", "np.squeeze"), ("clip", "np.clip"),
    ("trace", "np.trace"), ("repeat", "np.repeat"), ("diagonal", "np.diagonal"),
    ("take", "np.take"),
]:
    alias("." + _method, _target)
# ndarray.conj() is a view of a real array, unlike np.conjugate
alias(".conj", "np.conjugate", view=True, fresh=False)
alias(".conjugate", "np.conjugate", view=True, fresh=False)
vjp(".reshape(a, *shape, order='C')", zero=("shape",), a="reshape_adjoint(g, a, order)",
    view=True)
vjp(".transpose(a, *axes)", a="method_transpose_adjoint(g, axes)", view=True)
vjp(".flatten(a, order='C')", a="reshape_adjoint(g, a, order)", fresh=True)
vjp(".astype(a, dtype)", a="truncated(g, ans, a)")
vjp(".T(a)", a="np.transpose(g)", form="attribute", view=True, takes="arrays")
vjp(".real(a)", a="np.real(g)", form="attribute", view=True)
vjp(".item(a)", a="np.full(np.shape(a), g)", scalar=True)
nondiff(".shape(a)", ".ndim(a)", ".size(a)", ".dtype(a)", form="attribute", takes="receiver")
nondiff(".argmax(a, axis=None)", ".argmin(a, axis=None)", ".argsort(a, axis=-1)",
        ".any(a, axis=None)", ".all(a, axis=None)", ".nonzero(a)")

# ---------------------------------------------------------------- in-place operations
group("Operations that change their arguments (refused)")
# NumPy and Python change an existing object here, which other names may see;
# s2sad's values are immutable, so a call of one of these is refused at its line
# (`lst.extend([...])` and `lst.append(v)` on a local list are lowered specially).
nondiff("np.copyto(dst, src, casting='same_kind', where=True)", "np.put(a, ind, v, mode='raise')",
        "np.place(arr, mask, vals)", "np.putmask(a, mask, values)",
        "np.fill_diagonal(a, val, wrap=False)", "np.put_along_axis(arr, indices, values, axis)",
        mutates=True, effect=True, recompute=False)
nondiff(*[f".{name}(obj, *args)" for name in (
    "sort", "fill", "put", "resize", "itemset", "partition", "reverse", "insert", "remove",
    "extend", "clear", "update", "setdefault", "popitem", "pop", "setflags", "byteswap")],
    mutates=True, effect=True, recompute=False, takes="any", returns="other")
