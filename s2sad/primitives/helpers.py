"""s2sad's helpers that adjoint code calls, with their tangent rules.

The reverse pass writes calls of these (`s2sad/runtime/`) into adjoint
code; forward mode over that code (a Hessian-vector product) needs their
tangents. Most are linear in the incoming adjoint `g` and read their other
operands only for shapes, axes or which entries (`zero`): their tangent is
the same call on g's tangent. The others have tangent templates, like any
entry.

A helper without a tangent rule for an operand that varies is an error at the
user's line ("no tangent with respect to ..."), never a silent zero.
"""

from __future__ import annotations

from .record import group, helper

group("Helpers of derivative code")

# Linear in g; every other operand gives shapes, axes, a choice of entries, or
# is piecewise constant where the derivative exists (which entry is a max).
helper(
    "unbroadcast(g, x)", "read_slice(g, index, written=None, value=None)",
    "truncated(g, ans, x)", "cast_adjoint(g, dtype, x)", "list_item(g, index, like)",
    "dict_values_adjoint(g, keys, values)", "concat_adjoint(g, left, right_part)",
    "repetition_adjoint(g, seq)", "sum_adjoint_items(g, items)", "iteration_adjoint(g, x)",
    "sequence_adjoint(g, x)", "array_adjoint(g, obj)", "extreme_adjoint(g, args, largest)",
    "getitem_adjoint(g, x, index)", "index_adjoint(g, shape, index)",
    "take_adjoint(g, a, indices, axis, mode='raise')",
    "take_along_axis_adjoint(g, arr, indices, axis)",
    "sum_adjoint(g, a, axis=None, keepdims=False, where=True)",
    "mean_adjoint(g, a, axis=None, keepdims=False, where=True)",
    "extremum_adjoint(g, a, ans, axis=None, keepdims=False)",
    "cumsum_adjoint(g, a, axis=None)", "trace_adjoint(g, a, offset, axis1, axis2)",
    "diff_adjoint(g, a, n, axis)", "transpose_adjoint(g, axes)",
    "method_transpose_adjoint(g, axes)", "roll_adjoint(g, shift, axis)",
    "tile_adjoint(g, a, reps)", "repeat_adjoint(g, a, repeats, axis)",
    "concatenate_adjoint(g, arrays, axis)", "stack_adjoint(g, arrays, axis)",
    "hstack_adjoint(g, arrays)", "vstack_adjoint(g, arrays)", "diag_adjoint(g, v, k)",
    "diagonal_adjoint(g, a, offset, axis1, axis2)", "sort_adjoint(g, a, axis)",
    "linspace_adjoint(g, bound, num, endpoint, axis, stop)", "reshape_adjoint(g, a, order)",
    "item_adjoint(g, a, args)", "atleast_adjoint(g, arys)", "imag_adjoint(g, val)",
    "array_attribute_adjoint(g, a, name)", "reversed_adjoint(g, x)",
    "split_adjoint(g, ary, indices_or_sections, axis, uneven)", "ravel_adjoint(g, tree)",
    "first_or_items_adjoint(g, items)", "first_or_default_adjoint(g, items, default)",
    "extreme_default_adjoint(g, args, default)",
    "quantile_adjoint(g, a, q, axis=None, keepdims=False)",
    "column_stack_adjoint(g, arrays)", "dstack_adjoint(g, arrays)",
    "append_adjoint(g, arr, values, axis, of_values)", "diagflat_adjoint(g, v, k)",
    "select_adjoint(g, condlist, choicelist)", "select_default_adjoint(g, condlist, default)",
    "ptp_adjoint(g, a, axis=None, keepdims=False)", "nan_to_num_adjoint(g, x)",
    "nan_to_num_fill_adjoint(g, x, which, fill)", "outer_adjoint(g, a, b, of_b)",
    linear=("g",), zero="others",
)
helper("nan_to_num_fill_tangent(t, x, which)", linear=("t",), zero="others")
# multilinear in the arrays: moved along their tangents (a third order: refused)
helper("multi_dot_adjoint(g, arrays)",
       jvp={"g": "multi_dot_adjoint(t, arrays)", "arrays": "multi_dot_adjoint_moved(g, arrays, t)"})
helper("multi_dot_tangent(t, arrays)", "multi_dot_adjoint_moved(g, arrays, t)")
helper("quantile_tangent(t, a, q, axis=None, keepdims=False, like=None)", linear=("t",),
       zero="others")
helper("pad_adjoint(g, array, pad_width)", linear=("g",), zero="others")
# np.average's: linear in g; the weights' adjoint moves with a and the weights
# (their second derivatives: refused), a's with the weights
helper("average_adjoint(g, a, axis, weights, keepdims, of_weights)",
       jvp={"g": "average_adjoint(t, a, axis, weights, keepdims, of_weights)",
            "a": "average_adjoint_moved(g, t, axis, weights, keepdims, of_weights)"},
       zero=("axis", "keepdims", "of_weights"))
helper("average_adjoint_moved(g, t, axis, weights, keepdims, of_weights)")
helper("average_weights_tangent(t, a, axis, weights, keepdims)", linear=("t",),
       zero=("axis", "keepdims"))
helper("converted_tangent(t, result, x)", linear=("t",), zero="others")
# np.cov's: (real-)linear in each of g and m, and t and m
helper("cov_adjoint(g, m, rowvar=True, bias=False, ddof=None)",
       jvp={"g": "cov_adjoint(t, m, rowvar, bias, ddof)",
            "m": "cov_adjoint(g, t, rowvar, bias, ddof)"}, zero=("rowvar", "bias", "ddof"))
helper("cov_tangent(direction, m, rowvar=True, bias=False, ddof=None)",
       jvp={"direction": "cov_tangent(t, m, rowvar, bias, ddof)",
            "m": "cov_tangent(direction, t, rowvar, bias, ddof)"},
       zero=("rowvar", "bias", "ddof"))
# np.trapezoid's: the weights depend on x and dx (their second derivatives: refused)
helper("trapezoid_adjoint(g, y, x, dx, axis)", jvp={"g": "trapezoid_adjoint(t, y, x, dx, axis)"},
       zero=("y", "axis"))
helper("trapezoid_x_adjoint(g, y, x, axis)", jvp={"g": "trapezoid_x_adjoint(t, y, x, axis)",
                                                  "y": "trapezoid_x_adjoint(g, t, x, axis)"},
       zero=("x", "axis"))
helper("trapezoid_dx_adjoint(g, y, axis)", jvp={"g": "trapezoid_dx_adjoint(t, y, axis)",
                                                "y": "trapezoid_dx_adjoint(g, t, axis)"},
       zero=("axis",))
helper("trapezoid_x_tangent(t, y, axis)", linear=("t", "y"), zero=("axis",))
# np.polyval's derivative in x, of the dtype NumPy's polyval gives
helper("polyval_slope(p, x)", jvp={"p": "polyval_slope(t, x)",
                                   "x": "t * polyval_slope(np.polyder(p), x)"})
# np.kron's adjoints: bilinear in g and the other operand
helper("kron_adjoint_a(g, a, b)", jvp={"g": "kron_adjoint_a(t, a, b)",
                                        "b": "kron_adjoint_a(g, a, t)"}, zero=("a",))
helper("kron_adjoint_b(g, a, b)", jvp={"g": "kron_adjoint_b(t, a, b)",
                                        "a": "kron_adjoint_b(g, t, b)"}, zero=("b",))
helper("polyval_coefficients_adjoint(g, p, x)",
       jvp={"g": "polyval_coefficients_adjoint(t, p, x)",
            "x": "polyval_coefficients_tangent(g, p, x, t)"}, zero=("p",))
# the adjoint of a vector read in slices that tile it (`cleanup.join_tiled_slices`):
# written only where no forward layer transforms the code again
helper("joined_slices(pieces, axis=0)", fresh=True)
# x + index_adjoint(g, shape, index) (`cleanup.add_at_index`), with the same restriction
helper("index_added(x, g, shape, index)", fresh=True)
# ... into x itself, an adjoint the code owns (`recursion.owned_adjoints`)
helper("index_added_into(x, g, shape, index)", fresh=True)
helper("array_attribute_tangent(t, a, name)", "ravel_tangent(t, tree)", linear=("t",),
       zero="others")
# Helpers that take and give arrays only and compute nothing else: a later
# pass may compute a repeated call once (`cleanup.share_common_values`) and a
# loop's backward may compute them again rather than tape them.
ARRAYS_ONLY = {"returns": "array", "takes": "arrays", "recompute": True}
helper("matrix_transpose(a)", linear=("a",), **ARRAYS_ONLY)
# np.linalg.solve and inv of a matrix known to be triangular (a Cholesky factor,
# its transpose: `cleanup.rewrite`), with their tangents
helper("triangular_solve(a, b, lower)", zero=("lower",), expensive=True, fresh=True,
       jvp={"a": "-triangular_solve(a, t @ ans, lower)", "b": "triangular_solve(a, t, lower)"},
       **ARRAYS_ONLY)
helper("triangular_inverse(a, lower)", zero=("lower",), expensive=True, fresh=True,
       jvp={"a": "-(ans @ t @ ans)"}, **ARRAYS_ONLY)
# the middle of Cholesky's adjoint, L^-T P conj(L)^-1 (d(L^-1) = -L^-1 dL L^-1)
helper("cholesky_sandwich(L, P)", expensive=True, fresh=True,
       jvp={"P": "cholesky_sandwich(L, t)",
            "L": "-(np.linalg.solve(matrix_transpose(L), matrix_transpose(t) @ ans) + "
                 "matrix_transpose(np.linalg.solve(matrix_transpose(np.conjugate(L)), "
                 "matrix_transpose(ans @ np.conjugate(t)))))"},
       **ARRAYS_ONLY)
helper("add_adjoints(a, b)", linear=("a", "b"))
# Factors that are step functions where the derivative exists (a share of a
# tie, which bound clip hit, the sign of a real number), and choices.
helper("max_share(x, y)", "fmax_share(x, y, larger)", "clip_share(a, lo, hi, which)",
       "either(value, other)", "linspace_weights(num, endpoint)", zero="others")
helper("abs_sign(x)", jvp={"x": "abs_sign_tangent(t, x)"})
# exp(scale (x - ans)), with its limit where x is ans's infinity
helper("logaddexp_share(x, y, total, scale=1.0)",
       jvp={"x": "t * scale * logaddexp_share(x, y, total, scale)",
            "total": "-t * scale * logaddexp_share(x, y, total, scale)"}, zero=("y", "scale"))
# (abs_sign_tangent is R-linear in its first operand: Re(g) moves inside)
helper("abs_adjoint(g, x)",
       jvp={"g": "abs_adjoint(t, x)", "x": "abs_sign_tangent(np.real(g) * t, x)"})
helper("abs_tangent(direction, x)",
       jvp={"direction": "abs_tangent(t, x)", "x": "real_step_tangent(t, x)"})
# Steps for real x; for complex z their second derivatives are refused
# (real_step_tangent raises) rather than given as 0.
helper("sign_adjoint(g, x)", jvp={"g": "sign_adjoint(t, x)", "x": "real_step_tangent(t, x)"})
helper("sign_tangent(direction, x)",
       jvp={"direction": "sign_tangent(t, x)", "x": "real_step_tangent(t, x)"})
helper("angle_adjoint(g, z, deg=False)", zero=("deg",),
       jvp={"g": "angle_adjoint(t, z, deg)", "z": "real_step_tangent(t, z)"})
helper("angle_tangent(direction, z, deg=False)", zero=("deg",),
       jvp={"direction": "angle_tangent(t, z, deg)", "z": "real_step_tangent(t, z)"})

# Bilinear: in g and the other factor (the operand itself gives only its shape).
for _side, _other in (("a", "b"), ("b", "a")):
    for _kind in ("matmul", "dot", "inner"):
        helper(f"{_kind}_adjoint_{_side}(g, a, b)", zero=(_side,),
               jvp={"g": f"{_kind}_adjoint_{_side}(t, a, b)",
                    _other: f"{_kind}_adjoint_{_side}(g, {'t, b' if _other == 'a' else 'a, t'})"})
    helper(f"tensordot_adjoint_{_side}(g, a, b, axes)", zero=(_side, "axes"),
           jvp={"g": f"tensordot_adjoint_{_side}(t, a, b, axes)",
                _other: f"tensordot_adjoint_{_side}(g, {'t, b' if _other == 'a' else 'a, t'}, "
                        "axes)"})
    helper(f"cross_adjoint_{_side}(g, a, b)", zero=(_side,),
           jvp={"g": f"cross_adjoint_{_side}(t, a, b)",
                _other: f"cross_adjoint_{_side}(g, {'t, b' if _other == 'a' else 'a, t'})"})
helper("einsum_adjoint(g, operands)",
       jvp={"g": "einsum_adjoint(t, operands)",
            "operands": "einsum_adjoint_tangent(g, operands, t)"})
helper("var_adjoint(g, a, axis=None, ddof=0, keepdims=False)", zero=("axis", "ddof", "keepdims"),
       jvp={"g": "var_adjoint(t, a, axis, ddof, keepdims)",
            "a": "var_adjoint(g, t, axis, ddof, keepdims)"})

# Nonlinear in their other operands.
helper("std_adjoint(g, a, result, axis=None, ddof=0, keepdims=False)",
       zero=("axis", "ddof", "keepdims"),
       jvp={"g": "std_adjoint(t, a, result, axis, ddof, keepdims)",
            "a": "std_adjoint(g, t, result, axis, ddof, keepdims)",
            "result": "std_result_tangent(g, t, a, result, axis, ddof, keepdims)"})
helper("prod_adjoint(g, a, result, axis=None, keepdims=False)", zero=("axis", "keepdims"),
       jvp={"g": "prod_adjoint(t, a, result, axis, keepdims)",
            "a": "prod_adjoint_a_tangent(g, a, result, t, axis, keepdims)",
            "result": "prod_adjoint_ans_tangent(g, a, t, axis, keepdims)"})
helper("norm_adjoint(g, x, result, ord=None, axis=None, keepdims=False)",
       zero=("ord", "axis", "keepdims"),
       jvp={"g": "norm_adjoint(t, x, result, ord, axis, keepdims)",
            "x": "norm_adjoint_x_tangent(g, x, result, t, ord, axis, keepdims)",
            "result": "norm_adjoint_ans_tangent(g, x, result, t, ord, axis, keepdims)"})
helper("pow_base_adjoint(g, x, y)",
       jvp={"g": "pow_base_adjoint(t, x, y)", "x": "pow_base_curvature(g * t, x, y)",
            "y": "pow_base_exponent_tangent(g, x, y, t)"})
helper("pow_exponent_adjoint(g, x, result)",
       jvp={"g": "pow_exponent_adjoint(t, x, result)", "result": "pow_exponent_adjoint(g, x, t)",
            "x": "pow_exponent_base_tangent(g, x, result, t)"})
helper("sinc_derivative(x)", jvp={"x": "t * sinc_second_derivative(x)"})
helper("hypot_adjoint(g, result, coordinates)",
       jvp={"g": "hypot_adjoint(t, result, coordinates)",
            "coordinates": "hypot_adjoint(g, result, t)",
            "result": "hypot_adjoint(-g * t / result, result, coordinates)"})
# (solve's adjoints: b only gives the shape, vector or stack of columns)
helper("as_solve_columns(g, b)", "solve_b_adjoint(gb, b)", linear=("g", "gb"), zero="others",
       **ARRAYS_ONLY)
helper("solve_a_adjoint(gb, b, result, a)", zero=("b", "a"),
       jvp={"gb": "solve_a_adjoint(t, b, result, a)", "result": "solve_a_adjoint(gb, b, t, a)"})
helper("det_adjoint(g, a, result)",
       jvp={"g": "det_adjoint(t, a, result)",
            "result": "det_result_tangent(g, t, a, result)",
            "a": "det_adjoint_a_tangent(g, a, result, t)"})
helper("slogdet_adjoint(g, a)",
       jvp={"g": "slogdet_adjoint(t, a)", "a": "slogdet_adjoint_a_tangent(g, a, t)"})
helper("cumprod_adjoint(g, a, result, axis=None)", zero=("result", "axis"),
       jvp={"g": "cumprod_adjoint(t, a, result, axis)",
            "a": "cumprod_adjoint_tangent(g, a, result, t, axis)"})

# Used by tangent rules (forward mode over forward mode needs their tangents).
helper("extreme_tangent(t, args, largest)", "extreme_default_tangent(t, args)", linear=("t",),
       zero="others")
helper("reshape_tangent(t, a, ans, order)", linear=("t",), zero="others")
helper("norm_axes(x, axis)", zero="others")
helper("solve_tangent(a, b, t_a, v)", "slogdet_tangent(t, a, ans)",
       "cumprod_tangent(t, a, ans, axis)",
       "pow_base_exponent_tangent(g, x, y, t)", "pow_exponent_base_tangent(g, x, ans, t)",
       "sinc_second_derivative(x)",
       "prod_adjoint_a_tangent(g, a, ans, t, axis=None, keepdims=False)",
       "prod_adjoint_ans_tangent(g, a, t, axis=None, keepdims=False)",
       "norm_adjoint_x_tangent(g, x, ans, t, ord=None, axis=None, keepdims=False)",
       "norm_adjoint_ans_tangent(g, x, ans, t, ord=None, axis=None, keepdims=False)",
       "einsum_adjoint_tangent(g, operands, t)", "slogdet_adjoint_a_tangent(g, a, direction)",
       "cumprod_adjoint_tangent(g, a, result, t, axis=None)",
       "det_adjoint_a_tangent(g, a, result, t)", "det_result_tangent(g, t, a, result)",
       "std_result_tangent(g, t, a, result, axis=None, ddof=0, keepdims=False)",
       "polyval_coefficients_tangent(g, p, x, t)")
# Of |x|'s and sign's second derivatives (third derivatives through abs): for
# a real x, both are 0, constant in everything; abs_sign_tangent is R-linear
# in t, and its derivative in a complex z is refused (real_step_tangent raises).
helper("abs_sign_tangent(direction, x)",
       jvp={"direction": "abs_sign_tangent(t, x)", "x": "real_step_tangent(t, x)"})
helper("real_step_tangent(direction, x)",
       jvp={"direction": "real_step_tangent(t, x)", "x": "real_step_tangent(t, x)"})
helper("pow_base_curvature(g, x, y)",
       jvp={"g": "pow_base_curvature(t, x, y)", "x": "pow_base_curvature(g * y * t, x, y - 1)"})

# Of the factorizations' rules (numpy_linalg.py): linear maps on matrices, and
# checks that pass their argument through (zero in what they only check).
# (read_symmetric, lower_factor and conjugate_transpose conjugate complex
# values: real-linear, which is what forward mode needs of them)
helper("tril_half(x)", "lower_triangle(x)", "read_symmetric(x, uplo)", "head_columns(x)",
       "tail_columns(x)", "upper_right_block(x)", linear=("x",), zero="others")
helper("lower_factor(x, upper)", "conjugate_transpose(x)", linear=("x",), zero="others",
       **ARRAYS_ONLY)
helper("fold_symmetric(s, uplo)", linear=("s",), zero="others")
helper("as_columns(v)", "residuals_like(v, res)", linear=("v",), zero="others")
helper("svd_factors(ans, full_matrices)", "real_factors(ans, what='this factorization')",
       "pinv_checked(ans, a, rcond=None, rtol=None)", "lstsq_checked(ans, a, rcond=None)",
       linear=("ans",), zero="others")
helper("block_pair(a, t)", linear=("a", "t"))
# (the eigenvalues' and singular values' adjoints, which differentiate where
# the vectors' phases do not: their tangents stop at second order)
helper("eigh_weighted(a, g, uplo='L')", zero=("uplo",),
       jvp={"a": "eigh_weighted_tangent(a, g, t, uplo)", "g": "eigh_weighted(a, t, uplo)"})
helper("svd_weighted(x, g)", jvp={"x": "svd_weighted_tangent(x, g, t)",
                                  "g": "svd_weighted(x, t)"})
helper("eigh_weighted_tangent(a, g, t, uplo='L')", "svd_weighted_tangent(x, g, t)")
helper("itemwise_tuple(*items)", linear=("items",))
helper("gap_product(w, x, columns=True)", zero=("columns",),
       jvp={"x": "gap_product(w, t, columns)",
            "w": "-gap_product(w, gap_product(w, x, columns) * (np.expand_dims(t, -2) - "
                 "np.expand_dims(t, -1)), columns)"})
helper("scaled_columns(x, s)",
       jvp={"x": "scaled_columns(t, s)",
            "s": "-scaled_columns(scaled_columns(x, s) * np.expand_dims(t, -2), s)"})
helper("residual_weights(g, res, r)", zero=("res",),
       jvp={"g": "residual_weights(t, res, r)", "r": "residual_weights(g, res, t)"})

# Of np.fft's rules (numpy_fft.py): linear in the adjoint; the other operands
# give shapes and axes.
helper("real_if_real(g, a)", "spectrum_pad(g, a, s, axes)", linear=("g",), zero="others")
helper("fit_to(x, like)", "hermitian_fold(x, axes)", linear=("x",), zero="others")
helper("fft_axes(a, s, axes)", zero="others")

# Of np.interp's, np.convolve's and np.correlate's rules (numpy_signal.py).
helper("interp_slope(x, xp, fp)", zero=("x",),
       jvp={"fp": "interp_slope(x, xp, t)",
            "xp": "-interp_slope(x, xp, fp) * interp_slope(x, xp, t)"})
helper("interp_fp_adjoint(g, x, xp, fp, left=None, right=None)", zero=("fp", "left", "right"),
       jvp={"g": "interp_fp_adjoint(t, x, xp, fp, left, right)",
            "x": "interp_pair_adjoint(g * t, x, xp, fp)",
            "xp": "interp_pair_adjoint(-g * np.interp(x, xp, t, 0.0, 0.0), x, xp, fp)"})
helper("interp_pair_adjoint(v, x, xp, fp)", zero=("x", "fp"),
       jvp={"v": "interp_pair_adjoint(t, x, xp, fp)",
            "xp": "interp_pair_adjoint(-v * interp_slope(x, xp, t), x, xp, fp)"})
helper("interp_outside(x, xp, side)", "interp_bound_tangent(bound)", zero="others")
helper("full_convolution(g, a, v, mode, correlate)", linear=("g",), zero="others")
