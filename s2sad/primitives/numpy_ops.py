"""NumPy, `math` and builtin operations: their adjoints and facts.

See `record.py` for what an entry says. Every differentiable entry has a row
in tests/test_rules.py that checks it against finite differences, and the
facts that NumPy can show (views, fresh arrays, elementwise shapes, scalar
results) are checked against NumPy itself in tests/test_primitives.py.
"""

from __future__ import annotations

from .record import alias, elementwise, group, nondiff, scalar_function, vjp

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
    jvp={"a": "t @ b", "b": "a @ t"}, expensive=True, fresh=True, **_op("MatMult"))
elementwise("mod(x, y)", x="unbroadcast(g, x)", y="unbroadcast(-g * np.floor(x / y), y)",
            **_op("Mod"))
for _name, _ast in [("floordiv", "FloorDiv"), ("and_", "BitAnd"), ("or_", "BitOr"),
                   ("xor", "BitXor"), ("lshift", "LShift"), ("rshift", "RShift"),
                   ("lt", "Lt"), ("le", "LtE"), ("gt", "Gt"), ("ge", "GtE"), ("eq", "Eq"),
                   ("ne", "NotEq")]:
    nondiff(f"{_name}(x, y)", fresh=True, **_op(_ast))
for _name, _ast in [("is_", "Is"), ("is_not", "IsNot")]:  # (of any objects: not numbers')
    nondiff(f"{_name}(x, y)", fresh=True, takes="any", **_op(_ast))
for _name, _ast in [("not_", "Not"), ("invert", "Invert")]:
    nondiff(f"{_name}(x)", fresh=True, **_op(_ast))
# The operator module's functions (`functools.reduce(operator.add, xs)`): the
# operators' records, called as functions
for _name in ("add", "sub", "mul", "truediv", "pow", "mod"):
    alias(f"operator.{_name}", _name, f"operator.{_name}(x, y, /)", form="function",
          operator="")
alias("operator.neg", "neg", "operator.neg(x, /)", form="function", operator="")
# np.mod and np.remainder: Python's % (the divisor's sign), NumPy's function for it
for _name in ("np.mod", "np.remainder"):
    elementwise(f"{_name}(x, y)", x="unbroadcast(g, x)",
                y="unbroadcast(-g * np.floor(x / y), y)")
# builtin pow(base, exp): the operator's rules under Python's names (mod=: refused)
elementwise(
    "builtins.pow(base, exp, mod=None)",
    base="unbroadcast(pow_base_adjoint(g, base, exp), base)",
    exp="unbroadcast(pow_exponent_adjoint(g, base, ans), exp)",
)
alias("operator.matmul", "matmul", "operator.matmul(a, b, /)", form="function", operator="")
# `item in container`: emitted with its operands swapped
nondiff("contains(container, item)", form="internal", takes="any", returns="other")
# `copy` is the identity; the lowering uses it for `y = x` style aliases.
elementwise("copy(x)", x="g", form="internal", fresh=False, view=True, returns="other",
            takes="any")

# ---------------------------------------------------------------- elementwise math
group("Elementwise functions")
# NumPy's ufuncs take their inputs positionally and the ufunc keywords:
# `casting`, `order` and `subok` do not change values; `out`, `where`, `dtype`
# and `signature` are refused when given (`record.UFUNC_TAIL`).

elementwise("np.negative(x)", x="-g")
elementwise("np.positive(x)", x="g")
elementwise("np.exp(x)", x="g * ans")
elementwise("np.exp2(x)", x="g * ans * math.log(2.0)")
elementwise("np.expm1(x)", x="g * (ans + 1.0)")
elementwise("np.log(x)", x="g / x")
elementwise("np.log2(x)", x="g / (x * math.log(2.0))")
elementwise("np.log10(x)", x="g / (x * math.log(10.0))")
elementwise("np.log1p(x)", x="g / (1.0 + x)")
elementwise("np.sqrt(x)", x="g * 0.5 / ans", note="at 0: inf")
elementwise("np.cbrt(x)", x="g / (3.0 * ans ** 2)", note="at 0: inf")
elementwise("np.square(x)", x="g * 2.0 * x")
elementwise("np.reciprocal(x)", x="-g * ans ** 2")
elementwise("np.sin(x)", x="g * np.cos(x)")
elementwise("np.cos(x)", x="-g * np.sin(x)")
elementwise("np.tan(x)", x="g * (1.0 + ans ** 2)")
elementwise("np.arcsin(x)", x="g / np.sqrt(1.0 - x ** 2)", note="at ±1: inf")
elementwise("np.arccos(x)", x="-g / np.sqrt(1.0 - x ** 2)", note="at ±1: -inf")
elementwise("np.arctan(x)", x="g / (1.0 + x ** 2)")
elementwise("np.sinh(x)", x="g * np.cosh(x)")
elementwise("np.cosh(x)", x="g * np.sinh(x)")
elementwise("np.tanh(x)", x="g * (1.0 - ans ** 2)")
elementwise("np.arcsinh(x)", x="g / np.sqrt(x ** 2 + 1.0)")
# (sqrt(x - 1) sqrt(x + 1), not sqrt(x^2 - 1): the same for real x, and the
# derivative of the principal arccosh for complex x, off its branch cut)
elementwise("np.arccosh(x)", x="g / (np.sqrt(x - 1.0) * np.sqrt(x + 1.0))", note="at 1: inf")
elementwise("np.arctanh(x)", x="g / (1.0 - x ** 2)", note="at ±1: inf")
elementwise("np.abs(x)", x="abs_adjoint(g, x)", jvp={"x": "abs_tangent(t, x)"},
            note="at 0 (and -0.0): 1, as JAX; complex: the gradient conj(z)/|z|, 0 at 0 "
            "(as JAX and autograd)")
elementwise("np.fabs(x)", x="g * abs_sign(x)", note="at 0 (and -0.0): 1, as JAX")
elementwise("np.sinc(x)", x="g * sinc_derivative(x)", note="at 0: 0")
elementwise(
    "np.arctan2(y, x)",
    y="unbroadcast(g * x / (x ** 2 + y ** 2), y)",
    x="unbroadcast(-g * y / (x ** 2 + y ** 2), x)",
    note="at (0, 0): nan, as JAX",
)
elementwise("np.hypot(x, y)", x="unbroadcast(g * x / ans, x)", y="unbroadcast(g * y / ans, y)",
            note="at (0, 0): nan")
elementwise("np.add(x, y)", x="unbroadcast(g, x)", y="unbroadcast(g, y)")
elementwise("np.subtract(x, y)", x="unbroadcast(g, x)", y="unbroadcast(-g, y)")
elementwise("np.multiply(x, y)", x="unbroadcast(g * y, x)", y="unbroadcast(x * g, y)")
elementwise("np.divide(x, y)", x="unbroadcast(g / y, x)", y="unbroadcast(-g * ans / y, y)")
alias("np.true_divide", "np.divide")
elementwise(
    "np.power(x, y)",
    x="unbroadcast(pow_base_adjoint(g, x, y), x)",
    y="unbroadcast(pow_exponent_adjoint(g, x, ans), y)",
    note="d/dx is 0 where y == 0 (also at x == 0), inf at x == 0 for 0 < y < 1; "
    "d/dy is 0 where x == 0, nan where x < 0",
)
alias("np.float_power", "np.power",
      jvp={"x": "converted_tangent(pow_base_adjoint(t, x, y), ans, x)",
           "y": "converted_tangent(pow_exponent_adjoint(t, x, ans), ans, y)"})
elementwise(
    "np.maximum(x, y)",
    x="unbroadcast(g * max_share(x, y), x)",
    y="unbroadcast(g * max_share(y, x), y)",
    note="a tie splits the gradient 1/2, 1/2, as JAX",
)
elementwise(
    "np.minimum(x, y)",
    x="unbroadcast(g * max_share(y, x), x)",
    y="unbroadcast(g * max_share(x, y), y)",
    note="a tie splits the gradient 1/2, 1/2, as JAX",
)
elementwise(
    "np.fmax(x, y)",
    x="unbroadcast(g * fmax_share(x, y, True), x)",
    y="unbroadcast(g * (1.0 - fmax_share(x, y, True)), y)",
    note="a tie goes to y, as JAX; a NaN operand gives everything to the other",
)
elementwise(
    "np.fmin(x, y)",
    x="unbroadcast(g * fmax_share(x, y, False), x)",
    y="unbroadcast(g * (1.0 - fmax_share(x, y, False)), y)",
    note="a tie goes to y, as JAX; a NaN operand gives everything to the other",
)
elementwise(
    "np.logaddexp(x, y)",
    x="unbroadcast(g * logaddexp_share(x, y, ans), x)",
    y="unbroadcast(g * logaddexp_share(y, x, ans), y)",
    note="an infinite operand: the limit, 1 (1/2 each where both are that infinity)",
)
elementwise(
    "np.logaddexp2(x, y)",
    x="unbroadcast(g * logaddexp_share(x, y, ans, math.log(2.0)), x)",
    y="unbroadcast(g * logaddexp_share(y, x, ans, math.log(2.0)), y)",
    note="an infinite operand: the limit, 1 (1/2 each where both are that infinity)",
)
elementwise(
    "np.clip(a, a_min=NoValue, a_max=NoValue, out=None, *, min=NoValue, max=NoValue, **kwargs)",
    a="unbroadcast(g * clip_share(a, either(a_min, min), either(a_max, max), 0), a)",
    a_min="unbroadcast(g * clip_share(a, a_min, either(a_max, max), 1), a_min)",
    min="unbroadcast(g * clip_share(a, min, either(a_max, max), 1), min)",
    a_max="unbroadcast(g * clip_share(a, either(a_min, min), a_max, 2), a_max)",
    max="unbroadcast(g * clip_share(a, either(a_min, min), max, 2), max)",
    neutral=("casting", "order", "subok"),
    note="clip is min(max(a, lo), hi): at a bound the gradient splits 1/2, 1/2, as JAX",
)
elementwise(
    "np.where(condition, x=None, y=None, /)",
    zero=("condition",),
    x="unbroadcast(np.where(condition, g, 0.0), x)",
    y="unbroadcast(np.where(condition, 0.0, g), y)",
    note="a nan or inf in the branch not taken leaks into the gradient, as in JAX",
)
# Piecewise constant: the gradient is zero wherever it exists (rint and round
# round the real and imaginary parts of a complex number: constant too).
for _name in ("floor", "ceil", "rint", "trunc"):
    vjp(f"np.{_name}(x)", zero=("x",), note="0 everywhere")
vjp("np.round(a, decimals=0, out=None)", zero=("a",), neutral=("decimals",),
    note="0 everywhere")
alias("np.around", "np.round")
vjp("np.fix(x, out=None)", zero=("x",), note="0 everywhere")
# |x1| with x2's sign: its slope is sign(x1) sign(x2) (at x1 = 0 that of +0, 1, as |x|)
elementwise("np.copysign(x1, x2)",
            x1="unbroadcast(g * (abs_sign(x1) * np.copysign(1.0, x2)), x1)", zero=("x2",),
            note="x1 = 0: slope sign(x2), as |x| at 0; x2: 0 (a step at 0)")
# finite entries pass; nan and the infinities become the fill numbers
vjp("np.nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None)",
    x="nan_to_num_adjoint(g, x)", nan="nan_to_num_fill_adjoint(g, x, 'nan', nan)",
    posinf="nan_to_num_fill_adjoint(g, x, 'posinf', posinf)",
    neginf="nan_to_num_fill_adjoint(g, x, 'neginf', neginf)",
    jvp={"x": "nan_to_num_adjoint(t, x)", "nan": "nan_to_num_fill_tangent(t, x, 'nan')",
         "posinf": "nan_to_num_fill_tangent(t, x, 'posinf')",
         "neginf": "nan_to_num_fill_tangent(t, x, 'neginf')"},
    fresh=True, elementwise=True,
    note="copy=False (in place): refused; the fill numbers' derivatives where they fill")
elementwise("np.heaviside(x1, x2)", x2="unbroadcast(g * (x1 == 0), x2)", zero=("x1",),
            note="x1: 0 everywhere (a step); x2: the value taken where x1 is 0")
# sign(z) = z / |z| of a complex z is not a step: it turns with z. (So the
# rule computes a zero for real x, where `zero=` would compute nothing: at a
# point where x's own derivative is infinite, 0 * inf leaks a nan into the
# gradient, as through np.where's untaken branch.)
elementwise("np.sign(x)", x="sign_adjoint(g, x)", jvp={"x": "sign_tangent(t, x)"},
            note="real: 0 everywhere (an infinite derivative of x leaks nan, as through "
            "np.where); complex: the derivative of z/|z| (0 at 0), where JAX and autograd "
            "give 0")
# Complex numbers: the adjoint of a real part is real, of an imaginary part
# -i g; conj's adjoint is conj(g) (JAX's and autograd's convention: the
# pairing Re(a * b), without conjugation).
vjp("np.real(val)", val="np.real(g)", linear=("val",), view=True,
    note="complex z: the gradient of Re z is 1")
vjp("np.imag(val)", val="imag_adjoint(g, val)", linear=("val",), view=True,
    note="complex z: the gradient of Im z is -1j; of a real value, 0")
elementwise("np.conjugate(x)", x="np.conjugate(g)", note="the adjoint is conj(g)")
vjp("np.angle(z, deg=False)", z="angle_adjoint(g, z, deg)", jvp={"z": "angle_tangent(t, z, deg)"},
    elementwise=True, fresh=True,
    note="complex z: the gradient -1j/z (nan at 0, as arctan2 at the origin); real: 0")
elementwise("np.deg2rad(x)", x="g * (math.pi / 180.0)")
alias("np.radians", "np.deg2rad")
elementwise("np.rad2deg(x)", x="g * (180.0 / math.pi)")
alias("np.degrees", "np.rad2deg")

# ---------------------------------------------------------------- math module and builtins
group("math module and builtins")

scalar_function("math.sin(x, /)", x="g * math.cos(x)")
scalar_function("math.cos(x, /)", x="-g * math.sin(x)")
scalar_function("math.tan(x, /)", x="g / math.cos(x) ** 2")
scalar_function("math.asin(x, /)", x="g / math.sqrt(1.0 - x ** 2)", note="at ±1: inf")
scalar_function("math.acos(x, /)", x="-g / math.sqrt(1.0 - x ** 2)", note="at ±1: -inf")
scalar_function("math.atan(x, /)", x="g / (1.0 + x ** 2)")
scalar_function("math.atan2(y, x, /)", y="g * x / (x ** 2 + y ** 2)",
                x="-g * y / (x ** 2 + y ** 2)", note="at (0, 0): nan")
scalar_function("math.sinh(x, /)", x="g * math.cosh(x)")
scalar_function("math.cosh(x, /)", x="g * math.sinh(x)")
scalar_function("math.tanh(x, /)", x="g * (1.0 - ans ** 2)")
scalar_function("math.exp(x, /)", x="g * ans")
scalar_function("math.expm1(x, /)", x="g * (ans + 1.0)")
scalar_function("math.log(x, base=None, /)", x="g / x")
scalar_function("math.log2(x, /)", x="g / (x * math.log(2.0))")
scalar_function("math.log10(x, /)", x="g / (x * math.log(10.0))")
scalar_function("math.log1p(x, /)", x="g / (1.0 + x)")
scalar_function("math.sqrt(x, /)", x="g * 0.5 / ans", note="at 0: inf")
scalar_function("math.pow(x, y, /)", x="pow_base_adjoint(g, x, y)",
                y="pow_exponent_adjoint(g, x, ans)", note="as np.power")
vjp("math.hypot(*coordinates)", coordinates="hypot_adjoint(g, ans, coordinates)",
    jvp={"coordinates": "np.dot(coordinates, t) / ans"}, scalar=True,
    note="at the origin: nan")
vjp("math.fsum(seq, /)", seq="sum_adjoint_items(g, seq)", linear=("seq",), scalar=True,
    takes="any")
scalar_function("math.fabs(x, /)", x="g * abs_sign(x)", note="at 0: 1, as np.abs")
scalar_function("math.erf(x, /)", x="g * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)")
scalar_function("math.erfc(x, /)", x="-g * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)")
vjp("abs(x, /)", x="abs_adjoint(g, x)", jvp={"x": "abs_tangent(t, x)"},
    note="at 0: 1, as np.abs")
# (of a NumPy complex scalar: its real part, with a ComplexWarning)
vjp("float(x, /)", x="np.real(g)", jvp={"x": "float(t)"}, scalar=True)
# complex(x, y) = x + 1j y: a real x gets Re(g), a real y Re(1j g) = -Im(g)
# (`unbroadcast` keeps the real part for a float)
vjp("complex(real=0, imag=0)", real="unbroadcast(g, real)", imag="unbroadcast(1j * g, imag)",
    jvp={"real": "complex(t)", "imag": "1j * t"}, scalar=True,
    note="a real part's gradient is Re(g), an imaginary part's -Im(g)")
# Of numbers, or of one list, tuple or 1-d array: the gradient goes to the
# first extreme item, the one Python returns
vjp("max(*args, key=None, default=NoValue)", args="extreme_adjoint(g, args, True)",
    default="extreme_default_adjoint(g, args, default)",
    jvp={"args": "extreme_tangent(t, args, True)",
         "default": "extreme_default_tangent(t, args)"},
    takes="any", note="a tie: the first extreme item, which Python returns")
vjp("min(*args, key=None, default=NoValue)", args="extreme_adjoint(g, args, False)",
    default="extreme_default_adjoint(g, args, default)",
    jvp={"args": "extreme_tangent(t, args, False)",
         "default": "extreme_default_tangent(t, args)"},
    takes="any", note="a tie: the first extreme item, which Python returns")
nondiff("len(obj, /)", scalar=True, returns="other", takes="any")
nondiff("int(x)", "bool(x)", "range(*args)", "isinstance(obj, class_or_tuple, /)",
        "round(number, ndigits=None)", "str(x)", "type(x)", "hasattr(obj, name, /)",
        "callable(obj, /)", "ord(c, /)", "chr(i, /)", "repr(obj, /)", "hash(obj, /)",
        takes="any")
nondiff("math.floor(x, /)", "math.ceil(x, /)", "math.isnan(x, /)", "math.isinf(x, /)",
        "math.isfinite(x, /)", "math.trunc(x, /)", scalar=True)
nondiff("print(*args, sep=' ', end='\\n', file=None, flush=False)", effect=True, recompute=False,
        returns="other", takes="any")

# ---------------------------------------------------------------- reductions
group("Reductions")

vjp(
    "np.sum(a, axis=None, dtype=None, out=None, keepdims=NoValue, initial=NoValue, "
    "where=NoValue)",
    a="sum_adjoint(cast_adjoint(g, dtype, a), a, axis, keepdims, where)",
    jvp={"a": "cast_adjoint(np.sum(t, axis, keepdims=keepdims, where=where), dtype, a)"},
    reduction=True, neutral=("initial",),
)
vjp(
    "np.mean(a, axis=None, dtype=None, out=None, keepdims=NoValue, *, where=NoValue)",
    a="mean_adjoint(cast_adjoint(g, dtype, a), a, axis, keepdims, where)",
    jvp={"a": "cast_adjoint(np.mean(t, axis, keepdims=keepdims, where=where), dtype, a)"},
    reduction=True,
)
# (returned=True is refused; weights of a's shape, or a row along an int axis)
vjp("np.average(a, axis=None, weights=None, returned=False, *, keepdims=NoValue)",
    zero=("axis",), a="average_adjoint(g, a, axis, weights, keepdims, False)",
    weights="average_adjoint(g, a, axis, weights, keepdims, True)",
    jvp={"a": "np.average(t, axis, weights, keepdims=keepdims)",
         "weights": "average_weights_tangent(t, a, axis, weights, keepdims)"},
    reduction=True)
# (y=, fweights=, aweights= and dtype= are refused)
vjp("np.cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *, "
    "dtype=None)", zero=("rowvar", "bias", "ddof"), m="cov_adjoint(g, m, rowvar, bias, ddof)",
    jvp={"m": "cov_tangent(t, m, rowvar, bias, ddof)"})
# (a nan entry is left out: its adjoint and tangent are 0, the others' as in sum and mean)
vjp(
    "np.nansum(a, axis=None, dtype=None, out=None, keepdims=NoValue, initial=NoValue, "
    "where=NoValue)",
    a="sum_adjoint(cast_adjoint(g, dtype, a), a, axis, keepdims, np.logical_not(np.isnan(a)))",
    jvp={"a": "cast_adjoint(np.sum(np.where(np.isnan(a), 0.0, t), axis, keepdims=keepdims), "
              "dtype, a)"},
    reduction=True, neutral=("initial",),
)
vjp(
    "np.nanmean(a, axis=None, dtype=None, out=None, keepdims=NoValue, *, where=NoValue)",
    a="mean_adjoint(cast_adjoint(g, dtype, a), a, axis, keepdims, np.logical_not(np.isnan(a)))",
    jvp={"a": "cast_adjoint(np.mean(np.where(np.isnan(a), 0.0, t), axis, keepdims=keepdims, "
              "where=np.logical_not(np.isnan(a))), dtype, a)"},
    reduction=True,
)
# method 'linear' only (the default; another is refused): the two sorted entries
# each result lies between
_QUANTILE_NOTE = ("a tie: the entry the stable sort puts there; a slice holding nan: nan; "
                  "no derivative with respect to q (refused)")
vjp("np.quantile(a, q, axis=None, out=None, overwrite_input=False, method='linear', "
    "keepdims=False, *, weights=None)",
    a="quantile_adjoint(g, a, q, axis, keepdims)",
    jvp={"a": "quantile_tangent(t, a, q, axis, keepdims, ans)"}, note=_QUANTILE_NOTE)
vjp("np.percentile(a, q, axis=None, out=None, overwrite_input=False, method='linear', "
    "keepdims=False, *, weights=None)",
    a="quantile_adjoint(g, a, np.true_divide(q, 100), axis, keepdims)",
    jvp={"a": "quantile_tangent(t, a, np.true_divide(q, 100), axis, keepdims, ans)"},
    note=_QUANTILE_NOTE)
vjp("np.median(a, axis=None, out=None, overwrite_input=False, keepdims=False)",
    a="quantile_adjoint(g, a, 0.5, axis, keepdims)",
    jvp={"a": "quantile_tangent(t, a, 0.5, axis, keepdims, ans)"},
    note="of an even count, half to each middle entry; " + _QUANTILE_NOTE.split("; ", 1)[1])
vjp(
    "np.prod(a, axis=None, dtype=None, out=None, keepdims=NoValue, initial=NoValue, "
    "where=NoValue)",
    a="prod_adjoint(cast_adjoint(g, dtype, a), a, ans, axis, keepdims)",
    jvp={"a": "cast_adjoint(np.sum(t * prod_adjoint(np.ones_like(ans), a, ans, axis, keepdims), "
              "axis, keepdims=keepdims), dtype, a)"},
    reduction=True, note="exact with zeros (no division), as JAX",
)
for _name in ("max", "min", "amax", "amin"):
    vjp(f"np.{_name}(a, axis=None, out=None, keepdims=NoValue, initial=NoValue, where=NoValue)",
        a="extremum_adjoint(g, a, ans, axis, keepdims)", reduction=True,
        jvp={"a": "np.sum(t * extremum_adjoint(np.ones_like(ans), a, ans, axis, keepdims), "
                  "axis, keepdims=keepdims)"},
        note="ties split the gradient evenly, as JAX")
vjp("np.ptp(a, axis=None, out=None, keepdims=NoValue)", a="ptp_adjoint(g, a, axis, keepdims)",
    reduction=True,
    jvp={"a": "np.sum(t * ptp_adjoint(np.ones_like(ans), a, axis, keepdims), axis, "
              "keepdims=keepdims)"},
    note="the max's derivative less the min's: ties split evenly, as np.max")
vjp(
    "np.var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=NoValue, *, where=NoValue, "
    "mean=NoValue, correction=NoValue)",
    a="var_adjoint(cast_adjoint(g, dtype, a), a, axis, either(correction, ddof), keepdims)",
    jvp={"a": "cast_adjoint(np.real(np.sum(t * var_adjoint(np.ones_like(ans), a, axis, "
              "either(correction, ddof), keepdims), axis, keepdims=keepdims)), dtype, a)"},
    reduction=True, note="complex a: the variance of the moduli, gradient 2 conj(a - mean) / "
    "(n - ddof)",
)
vjp(
    "np.std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=NoValue, *, where=NoValue, "
    "mean=NoValue, correction=NoValue)",
    a="std_adjoint(cast_adjoint(g, dtype, a), a, ans, axis, either(correction, ddof), keepdims)",
    jvp={"a": "cast_adjoint(np.real(np.sum(t * std_adjoint(np.ones_like(ans), a, ans, axis, "
              "either(correction, ddof), keepdims), axis, keepdims=keepdims)), dtype, a)"},
    reduction=True, note="of constant data: nan, as JAX (over groups of one entry, where std "
    "is 0 whatever the data, 0); complex a: as np.var",
)
vjp("np.cumsum(a, axis=None, dtype=None, out=None)",
    a="cumsum_adjoint(cast_adjoint(g, dtype, a), a, axis)",
    jvp={"a": "cast_adjoint(np.cumsum(t, axis), dtype, a)"}, expensive=True, fresh=True)
vjp("np.cumprod(a, axis=None, dtype=None, out=None)",
    a="cumprod_adjoint(cast_adjoint(g, dtype, a), a, ans, axis)",
    jvp={"a": "cast_adjoint(cumprod_tangent(t, a, ans, axis), dtype, a)"},
    expensive=True, fresh=True, note="exact with zeros (no division), as JAX")
# The ufuncs' methods (`np.add.reduce(a)`: np.sum along axis 0), by the same rules
# (not `reduction`: without an axis they reduce axis 0, not every axis)
_REDUCE = "(a, /, axis=0, dtype=None, out=None, *, keepdims=False, initial=NoValue, where=True)"
alias("np.add.reduce", "np.sum", "np.add.reduce" + _REDUCE, reduction=False)
alias("np.multiply.reduce", "np.prod", "np.multiply.reduce" + _REDUCE, reduction=False)
alias("np.maximum.reduce", "np.max", "np.maximum.reduce" + _REDUCE, reduction=False)
alias("np.minimum.reduce", "np.min", "np.minimum.reduce" + _REDUCE, reduction=False)
alias("np.add.accumulate", "np.cumsum", "np.add.accumulate(a, /, axis=0, dtype=None, out=None)")
alias("np.multiply.accumulate", "np.cumprod",
      "np.multiply.accumulate(a, /, axis=0, dtype=None, out=None)")
# every pair of entries: a's adjoint sums g over b's axes, b's over a's
vjp("np.add.outer(A, B, /, **kwargs)", A="outer_adjoint(g, A, B, False)",
    B="outer_adjoint(g, A, B, True)", linear=("A", "B"), fresh=True, takes="any")
vjp("np.subtract.outer(A, B, /, **kwargs)", A="outer_adjoint(g, A, B, False)",
    B="outer_adjoint(-g, A, B, True)", linear=("A", "B"), fresh=True, takes="any")
vjp(
    "np.linalg.norm(x, ord=None, axis=None, keepdims=False)",
    x="norm_adjoint(g, x, ans, ord, axis, keepdims)",
    jvp={"x": "np.real(np.sum(t * norm_adjoint(np.ones_like(ans), x, ans, ord, axis, keepdims), "
              "norm_axes(x, axis), keepdims=keepdims))"},
    expensive=True, note="at a zero vector or matrix: 0 (2-norm, Frobenius; a subgradient, "
    "so norm(x) ** 2 has its gradient there, though not its Hessian: nan; JAX: nan); a zero "
    "entry counts as positive "
    "(1-norm, inf-norm), as abs at 0, as JAX; complex x: each entry through |x|",
)
vjp("np.trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None)",
    a="trace_adjoint(cast_adjoint(g, dtype, a), a, offset, axis1, axis2)",
    jvp={"a": "cast_adjoint(np.trace(t, offset, axis1, axis2), dtype, a)"})
vjp("np.diff(a, n=1, axis=-1, prepend=NoValue, append=NoValue)",
    a="diff_adjoint(g, a, n, axis)", linear=("a",))
nondiff(
    "np.argmax(a, axis=None, out=None, *, keepdims=NoValue)",
    "np.argmin(a, axis=None, out=None, *, keepdims=NoValue)",
    "np.argsort(a, axis=-1, kind=None, order=None, *, stable=None)", "np.shape(a)", "np.ndim(a)",
    "np.size(a, axis=None)", "np.isnan(x)", "np.isinf(x)", "np.isfinite(x)",
    "np.any(a, axis=None, out=None, keepdims=NoValue, *, where=NoValue)",
    "np.all(a, axis=None, out=None, keepdims=NoValue, *, where=NoValue)",
    "np.count_nonzero(a, axis=None, *, keepdims=False)", "np.nonzero(a)",
    "np.allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False)",
)

# ---------------------------------------------------------------- linear algebra
group("Linear algebra")

vjp("np.matmul(a, b)", a="matmul_adjoint_a(g, a, b)", b="matmul_adjoint_b(g, a, b)",
    jvp={"a": "np.matmul(t, b)", "b": "np.matmul(a, t)"}, expensive=True, fresh=True)
vjp("np.dot(a, b, out=None)", a="dot_adjoint_a(g, a, b)", b="dot_adjoint_b(g, a, b)",
    jvp={"a": "np.dot(t, b)", "b": "np.dot(a, t)"}, expensive=True, fresh=True)
vjp("np.kron(a, b)", a="kron_adjoint_a(g, a, b)", b="kron_adjoint_b(g, a, b)",
    jvp={"a": "np.kron(t, b)", "b": "np.kron(a, t)"}, fresh=True)
vjp("np.polyval(p, x)", p="unbroadcast(polyval_coefficients_adjoint(g, p, x), p)",
    x="unbroadcast(g * polyval_slope(p, x), x)",
    jvp={"p": "np.polyval(t, x)", "x": "t * polyval_slope(p, x)"}, fresh=True)
vjp(
    "np.outer(a, b, out=None)",
    a="np.reshape(g @ np.ravel(b), np.shape(a))",
    b="np.reshape(np.ravel(a) @ g, np.shape(b))",
    jvp={"a": "np.outer(t, b)", "b": "np.outer(a, t)"},
    expensive=True,
    fresh=True,
)
vjp("np.inner(a, b, /)", a="inner_adjoint_a(g, a, b)", b="inner_adjoint_b(g, a, b)",
    jvp={"a": "np.inner(t, b)", "b": "np.inner(a, t)"}, expensive=True)
# vdot conjugates a: sum(conj(a) b) is antilinear in a, so a's adjoint is conj(g b)
vjp("np.vdot(a, b, /)", a="np.conjugate(g * np.reshape(b, np.shape(a)))",
    b="g * np.conjugate(np.reshape(a, np.shape(b)))",
    jvp={"a": "np.vdot(t, b)", "b": "np.vdot(a, t)"}, note="complex a: conjugated (antilinear)")
vjp(
    "np.tensordot(a, b, axes=2)",
    a="tensordot_adjoint_a(g, a, b, axes)",
    b="tensordot_adjoint_b(g, a, b, axes)",
    jvp={"a": "np.tensordot(t, b, axes)", "b": "np.tensordot(a, t, axes)"},
    expensive=True,
)
# (subscripts first, or the sublist form: array, sublist, array, sublist, ...)
vjp("np.einsum(*operands, out=None, optimize=False, **kwargs)",
    operands="einsum_adjoint(g, operands)", tangent="multilinear", expensive=True, takes="any",
    neutral=("optimize", "order", "casting"))
vjp("np.cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None)",
    a="cross_adjoint_a(g, a, b)", b="cross_adjoint_b(g, a, b)",
    jvp={"a": "np.cross(t, b, axisa, axisb, axisc, axis)",
         "b": "np.cross(a, t, axisa, axisb, axisc, axis)"})
vjp("np.linalg.inv(a)", a="-matrix_transpose(ans) @ g @ matrix_transpose(ans)",
    jvp={"a": "-(ans @ t @ ans)"}, expensive=True)
_GB = "np.linalg.solve(matrix_transpose(a), as_solve_columns(g, b))"  # (one solve, shared)
vjp("np.linalg.solve(a, b)", a=f"solve_a_adjoint({_GB}, b, ans, a)", b=f"solve_b_adjoint({_GB}, b)",
    jvp={"a": "-solve_tangent(a, b, t, ans)", "b": "solve_tangent(a, b, None, t)"},
    expensive=True)
vjp("np.linalg.det(a)", a="det_adjoint(g, a, ans)",
    jvp={"a": "np.sum(det_adjoint(np.ones_like(ans), a, ans) * t, axis=(-2, -1))"},
    expensive=True,
    note="of a singular matrix: the adjugate, as JAX")
vjp("np.linalg.slogdet(a)", a="slogdet_adjoint(g, a)", jvp={"a": "slogdet_tangent(t, a, ans)"},
    expensive=True, returns="container",
    results=2)

# ---------------------------------------------------------------- shapes
group("Shapes")

vjp("np.reshape(a, /, shape, order='C', *, copy=None)", zero=("shape",),
    a="reshape_adjoint(g, a, order)", jvp={"a": "reshape_tangent(t, a, ans, order)"}, view=True,
    neutral=("copy",))
vjp("np.ravel(a, order='C')", a="reshape_adjoint(g, a, order)",
    jvp={"a": "reshape_tangent(t, a, ans, order)"}, view=True)
vjp("np.transpose(a, axes=None)", a="transpose_adjoint(g, axes)", linear=("a",), view=True)
vjp("np.swapaxes(a, axis1, axis2)", a="np.swapaxes(g, axis1, axis2)", linear=("a",), view=True)
vjp("np.moveaxis(a, source, destination)", a="np.moveaxis(g, destination, source)",
    linear=("a",), view=True)
# (reshaping the adjoint back undoes any choice of axis)
vjp("np.expand_dims(a, axis)", a="np.reshape(g, np.shape(a))", linear=("a",), view=True,
    neutral=("axis",))
vjp("np.squeeze(a, axis=None)", a="np.reshape(g, np.shape(a))", linear=("a",), view=True,
    neutral=("axis",))
vjp("np.atleast_1d(*arys)", arys="atleast_adjoint(g, arys)", linear=("arys",), view=True)
vjp("np.atleast_2d(*arys)", arys="atleast_adjoint(g, arys)", linear=("arys",), view=True)
vjp("np.broadcast_to(array, shape, subok=False)", zero=("shape",),
    array="unbroadcast(g, array)", linear=("array",), view=True, neutral=("subok",))
vjp("np.flip(m, axis=None)", m="np.flip(g, axis)", linear=("m",), view=True)
# mode 'constant' only (another is refused); the constant values get no derivative
vjp("np.pad(array, pad_width, mode='constant', **kwargs)", zero=("pad_width",),
    array="pad_adjoint(g, array, pad_width)", jvp={"array": "np.pad(t, pad_width)"},
    neutral=("constant_values",), fresh=True,
    note="mode 'constant' (others refused); constant_values: no derivative")
vjp("np.trapezoid(y, x=None, dx=1.0, axis=-1)", zero=("axis",),
    y="trapezoid_adjoint(g, y, x, dx, axis)",
    x="unbroadcast(trapezoid_x_adjoint(g, y, x, axis), x)",
    dx="unbroadcast(trapezoid_dx_adjoint(g, y, axis), dx)",
    jvp={"y": "np.trapezoid(t, x, dx, axis)", "x": "trapezoid_x_tangent(t, y, axis)",
         "dx": "t * np.trapezoid(y, None, 1.0, axis)"})
vjp("np.fliplr(m)", m="np.fliplr(g)", linear=("m",), view=True)
vjp("np.flipud(m)", m="np.flipud(g)", linear=("m",), view=True)
vjp("np.roll(a, shift, axis=None)", zero=("shift",), a="roll_adjoint(g, shift, axis)",
    linear=("a",))
vjp("np.tile(A, reps)", A="tile_adjoint(g, A, reps)", linear=("A",), fresh=True)
vjp("np.repeat(a, repeats, axis=None)", a="repeat_adjoint(g, a, repeats, axis)",
    linear=("a",), fresh=True)
# np.split and np.array_split: pieces of `ary` (views), a list; their
# adjoints are put back side by side (zeros for pieces nothing reached)
vjp("np.split(ary, indices_or_sections, axis=0)", zero=("indices_or_sections", "axis"),
    ary="split_adjoint(g, ary, indices_or_sections, axis, False)", linear=("ary",),
    returns="container", takes="any", view=True)
vjp("np.array_split(ary, indices_or_sections, axis=0)", zero=("indices_or_sections", "axis"),
    ary="split_adjoint(g, ary, indices_or_sections, axis, True)", linear=("ary",),
    returns="container", takes="any", view=True)
vjp("np.concatenate(arrays, /, axis=0, out=None, *, dtype=None, casting='same_kind')",
    arrays="concatenate_adjoint(g, arrays, axis)", linear=("arrays",), fresh=True,
    takes="any", neutral=("casting",))
vjp("np.stack(arrays, axis=0, out=None, *, dtype=None, casting='same_kind')",
    arrays="stack_adjoint(g, arrays, axis)", linear=("arrays",), fresh=True, takes="any",
    neutral=("casting",))
vjp("np.hstack(tup, *, dtype=None, casting='same_kind')", tup="hstack_adjoint(g, tup)",
    linear=("tup",), fresh=True, takes="any", neutral=("casting",))
vjp("np.vstack(tup, *, dtype=None, casting='same_kind')", tup="vstack_adjoint(g, tup)",
    linear=("tup",), fresh=True, takes="any", neutral=("casting",))
vjp("np.column_stack(tup)", tup="column_stack_adjoint(g, tup)", linear=("tup",), fresh=True,
    takes="any")
vjp("np.dstack(tup)", tup="dstack_adjoint(g, tup)", linear=("tup",), fresh=True, takes="any")
vjp("np.append(arr, values, axis=None)", arr="append_adjoint(g, arr, values, axis, False)",
    values="append_adjoint(g, arr, values, axis, True)", linear=("arr", "values"), fresh=True,
    takes="any")
vjp("np.rot90(m, k=1, axes=(0, 1))", m="np.rot90(g, -k, axes)", linear=("m",), view=True)
vjp("np.diagflat(v, k=0)", v="diagflat_adjoint(g, v, k)", linear=("v",), fresh=True)
# each entry from the first choice whose condition holds (the default where none does)
vjp("np.select(condlist, choicelist, default=0)", zero=("condlist",),
    choicelist="select_adjoint(g, condlist, choicelist)",
    default="select_default_adjoint(g, condlist, default)", linear=("choicelist", "default"),
    fresh=True, takes="any")
vjp("np.diag(v, k=0)", v="diag_adjoint(g, v, k)", linear=("v",), view=True)
vjp(
    "np.diagonal(a, offset=0, axis1=0, axis2=1)",
    a="diagonal_adjoint(g, a, offset, axis1, axis2)",
    linear=("a",),
    view=True,
)
# (of a 1-D m: NumPy broadcasts it to the rows of an (n, n) matrix)
vjp("np.triu(m, k=0)", m="unbroadcast(np.triu(g, k), m)", linear=("m",))
vjp("np.tril(m, k=0)", m="unbroadcast(np.tril(g, k), m)", linear=("m",))
vjp("np.array(object, dtype=None, *, copy=True, order='K', subok=False, ndmin=0, ndmax=0, "
    "like=None)", object="array_adjoint(truncated(g, ans, object), object)",
    jvp={"object": "truncated(np.array(t), ans, object)"},
    fresh=True, takes="any", neutral=("dtype", "copy", "order", "subok"))
vjp("np.asarray(a, dtype=None, order=None, *, device=None, copy=None, like=None)",
    a="array_adjoint(truncated(g, ans, a), a)", jvp={"a": "truncated(np.asarray(t), ans, a)"},
    view=True, takes="any",
    neutral=("dtype", "order", "device", "copy"))
vjp("np.copy(a, order='K', subok=False)", a="g", jvp={"a": "t"}, fresh=True, elementwise=True,
    neutral=("order", "subok"))
vjp("np.sort(a, axis=-1, kind=None, order=None, *, stable=None)", a="sort_adjoint(g, a, axis)",
    jvp={"a": "np.take_along_axis(t, np.argsort(a, axis, kind='stable'), axis)"},
    expensive=True, neutral=("kind", "stable"),
    note="ties: the earlier entry goes to the earlier place (a stable sort), as JAX")
nondiff(
    "np.zeros(shape, dtype=None, order='C', *, device=None, like=None)",
    "np.ones(shape, dtype=None, order='C', *, device=None, like=None)",
    "np.empty(shape, dtype=None, order='C', *, device=None, like=None)",
    "np.zeros_like(a, dtype=None, order='K', subok=True, shape=None, *, device=None)",
    "np.ones_like(a, dtype=None, order='K', subok=True, shape=None, *, device=None)",
    "np.empty_like(prototype, /, dtype=None, order='K', subok=True, shape=None, *, device=None)",
    "np.eye(N, M=None, k=0, dtype=float, order='C', *, device=None, like=None)",
    "np.identity(n, dtype=None, *, like=None)",
    fresh=True,
)
# (the result's dtype is a's unless given: an integer `a` truncates the fill)
vjp("np.full_like(a, fill_value, dtype=None, order='K', subok=True, shape=None, *, device=None)",
    zero=("a",), fill_value="unbroadcast(truncated(g, ans, fill_value), fill_value)",
    jvp={"fill_value": "truncated(broadcast_tangent(t, ans), ans, fill_value)"},
    fresh=True, neutral=("dtype", "order", "subok", "shape", "device"))
# Constructors whose values depend on their arguments. (`nondiff` is only for
# outputs that carry no gradient at all: a wrong entry there is a silently
# zero gradient.)
vjp("np.full(shape, fill_value, dtype=None, order='C', *, device=None, like=None)",
    zero=("shape",), fill_value="unbroadcast(cast_adjoint(g, dtype, fill_value), fill_value)",
    jvp={"fill_value": "cast_adjoint(broadcast_tangent(t, ans), dtype, fill_value)"},
    fresh=True, neutral=("order", "device"))
vjp("np.linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, "
    "device=None)",
    start="linspace_adjoint(cast_adjoint(g, dtype, start), start, num, endpoint, axis, False)",
    stop="linspace_adjoint(cast_adjoint(g, dtype, stop), stop, num, endpoint, axis, True)",
    jvp={"start": "cast_adjoint(np.linspace(t, 0.0 * t, num, endpoint, axis=axis), dtype, "
                  "start)",
         "stop": "cast_adjoint(np.linspace(0.0 * t, t, num, endpoint, axis=axis), dtype, stop)"},
    fresh=True, neutral=("device",))
# np.arange with a differentiable start/stop/step: refused (no adjoint), never zero.
vjp("np.arange(start_or_stop, /, stop=None, step=1, *, dtype=None, device=None, like=None)",
    fresh=True)


# ---------------------------------------------------------------- indexing and containers
group("Indexing and containers")
# `index` builds an index (slices, ints, arrays); the emitter prints it back
# inside the subscript, or as `np.s_[...]` on its own.

vjp("getitem(x, index)", zero=("index",), x="getitem_adjoint(g, x, index)", form="internal",
    adjoint="getitem", tangent="getitem", view=True, returns="other", takes="any")
vjp("np.take(a, indices, axis=None, out=None, mode='raise')", zero=("indices",),
    a="take_adjoint(g, a, indices, axis, mode)", linear=("a",))
vjp(
    "np.take_along_axis(arr, indices, axis=-1)",
    zero=("indices",),
    arr="take_along_axis_adjoint(g, arr, indices, axis)",
    linear=("arr",),
)
# copy.copy of an array is a new array, of a list a new list of the same
# items (`view`); copy.deepcopy is new all the way down
vjp("copy.copy(x)", x="g", linear=("x",), returns="operand", takes="any", view=True)
vjp("copy.deepcopy(x, memo=None, _nil=[])", x="g", linear=("x",), returns="operand",
    takes="any", fresh=True)
# (their items are x's own items, or views of its rows: `view`)
vjp("list(iterable=(), /)", iterable="sequence_adjoint(g, iterable)", linear=("iterable",),
    returns="container",
    takes="any", view=True)
vjp("tuple(iterable=(), /)", iterable="sequence_adjoint(g, iterable)", linear=("iterable",),
    returns="container",
    takes="any", view=True)

# ---------------------------------------------------------------- methods and attributes
group("Methods and attributes")
# ndarray's methods, with `a` the array itself; NumPy documents the keywords
# some of them take as **kwargs.

alias(".sum", "np.sum", ".sum(a, /, axis=None, dtype=None, out=None, keepdims=False, *, "
      "initial=NoValue, where=True)")
alias(".mean", "np.mean", ".mean(a, /, axis=None, dtype=None, out=None, keepdims=False, *, "
      "where=True)")
alias(".prod", "np.prod", ".prod(a, /, axis=None, dtype=None, out=None, keepdims=False, *, "
      "initial=NoValue, where=True)")
alias(".max", "np.max", ".max(a, /, axis=None, out=None, keepdims=False, *, initial=NoValue, "
      "where=True)")
alias(".min", "np.min", ".min(a, /, axis=None, out=None, keepdims=False, *, initial=NoValue, "
      "where=True)")
alias(".var", "np.var", ".var(a, /, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, "
      "where=True, mean=NoValue, correction=NoValue)")
alias(".std", "np.std", ".std(a, /, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, "
      "where=True, mean=NoValue, correction=NoValue)")
alias(".cumsum", "np.cumsum", ".cumsum(a, /, axis=None, dtype=None, out=None)")
alias(".cumprod", "np.cumprod", ".cumprod(a, /, axis=None, dtype=None, out=None)")
alias(".dot", "np.dot", ".dot(a, b, /, out=None)")
alias(".ravel", "np.ravel", ".ravel(a, /, order='C')")
# (of an array, a list or a dict alike: the copy is of its receiver's kind)
alias(".copy", "np.copy", ".copy(a, /, order='C')", returns="operand", takes="any")
alias(".swapaxes", "np.swapaxes", ".swapaxes(a, axis1, axis2, /)")
alias(".squeeze", "np.squeeze", ".squeeze(a, /, axis=None)")
alias(".trace", "np.trace", ".trace(a, /, offset=0, axis1=0, axis2=1, dtype=None, out=None)")
alias(".repeat", "np.repeat", ".repeat(a, repeats, /, axis=None)")
alias(".diagonal", "np.diagonal", ".diagonal(a, /, offset=0, axis1=0, axis2=1)")
alias(".take", "np.take", ".take(a, indices, /, axis=None, out=None, mode='raise')")
elementwise(
    ".clip(a, /, min=None, max=None, out=None, **kwargs)",
    a="unbroadcast(g * clip_share(a, min, max, 0), a)",
    min="unbroadcast(g * clip_share(a, min, max, 1), min)",
    max="unbroadcast(g * clip_share(a, min, max, 2), max)",
    neutral=("casting", "order", "subok"),
    note="as np.clip",
)
# ndarray.conj() is a view of a real array, unlike np.conjugate
alias(".conj", "np.conjugate", ".conj(x, /)", view=True, fresh=False)
alias(".round", "np.round", ".round(a, /, decimals=0, out=None)")
alias(".conjugate", "np.conjugate", ".conjugate(x, /)", view=True, fresh=False)
vjp(".reshape(a, /, *shape, order='C', copy=None)", zero=("shape",),
    a="reshape_adjoint(g, a, order)", jvp={"a": "reshape_tangent(t, a, ans, order)"}, view=True,
    neutral=("copy",))
vjp(".transpose(a, /, *axes)", a="method_transpose_adjoint(g, axes)", linear=("a",), view=True)
# (flatten copies: so does its tangent, which a reshape would leave a view of a's)
vjp(".flatten(a, /, order='C')", a="reshape_adjoint(g, a, order)",
    jvp={"a": "np.copy(reshape_tangent(t, a, ans, order))"}, fresh=True)
# NumPy's scalar types called on a number or an array: a conversion, as astype
for _name in ("float64", "float32", "float16"):
    vjp(f"np.{_name}(x=0, /)", x="truncated(g, ans, x)",
        jvp={"x": "converted_tangent(t, ans, x)"}, takes="any", view=True,
        note="a conversion, as .astype (a complex x into a real type: its real part's)")
# (np.complex128(x, y) of numbers is x + 1j y, as complex(x, y))
for _name in ("complex128", "complex64"):
    vjp(f"np.{_name}(real=0, imag=0, /)", real="truncated(g, ans, real)",
        imag="unbroadcast(1j * g, imag)",
        jvp={"real": "converted_tangent(t, ans, real)", "imag": "1j * t"}, takes="any",
        view=True, note="a conversion, as .astype; of two numbers x + 1j y, as complex(x, y)")
# (with copy=False and the same dtype it returns `a` itself: `view`)
vjp(".astype(a, /, dtype, order='K', casting='unsafe', subok=True, copy=True)",
    a="truncated(g, ans, a)", jvp={"a": "converted_tangent(t, ans, a)"},
    neutral=("dtype", "order", "casting", "subok", "copy"), view=True)
# (an attribute of a user's object may have one of these names: a field `T`)
vjp(".T(a)", a="array_attribute_adjoint(g, a, 'T')",
    jvp={"a": "array_attribute_tangent(t, a, 'T')"}, form="attribute", view=True,
    takes="any")
vjp(".real(a)", a="array_attribute_adjoint(g, a, 'real')",
    jvp={"a": "array_attribute_tangent(t, a, 'real')"}, form="attribute", view=True,
    takes="any", note="as np.real")
vjp(".imag(a)", a="array_attribute_adjoint(g, a, 'imag')",
    jvp={"a": "array_attribute_tangent(t, a, 'imag')"}, form="attribute", view=True,
    takes="any",
    note="as np.imag")
vjp(".item(a, /, *args)", a="item_adjoint(g, a, args)", linear=("a",), scalar=True)
nondiff(".shape(a)", ".ndim(a)", ".size(a)", ".dtype(a)", form="attribute", takes="receiver")
nondiff(".argmax(a, /, axis=None, out=None, *, keepdims=False)",
        ".argmin(a, /, axis=None, out=None, *, keepdims=False)",
        ".argsort(a, /, axis=-1, kind=None, order=None, *, stable=None)",
        ".any(a, /, axis=None, out=None, keepdims=False, *, where=True)",
        ".all(a, /, axis=None, out=None, keepdims=False, *, where=True)", ".nonzero(a, /)")

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
