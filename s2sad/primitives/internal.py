"""The IR's own operations and s2sad's run-time helpers.

Containers, indexing, calls, tapes and the in-place operations the reverse
pass adds are primitives like any other: each has a record with its facts,
and the ones a derivative flows through name their rule (a template, or a
structural rule the reverse pass implements: `adjoint="items"`).
"""

from __future__ import annotations

from .record import group, helper, structural, vjp

# ---------------------------------------------------------------- containers
group("Indexing and containers")
# `index` builds an index (slices, ints, arrays) from a layout constant and its
# parts; the emitter prints it back inside the subscript, or as `np.s_[...]`.
structural("index(layout, *parts)", None, differentiable=False)
# Tuple and list displays: their adjoint is kept item by item at transform time.
structural("make_tuple(*items)", "items", tangent="items", holds=True, returns="container",
           results="args")
structural("make_list(*items)", "items", tangent="items", holds=True, fresh=True,
           recompute=False, returns="container", results="args")
# {key: value, ...}; `keys` is a constant tuple
# (not `fresh`: writes into it, d[k] = v, are refused, and `for k in d` goes by keys)
vjp("make_dict(keys, *values)", zero=("keys",), values="dict_values_adjoint(g, keys, values)",
    linear=("values",), form="internal", holds=True, recompute=False, returns="container",
    takes="any")
# `lst.append(v)` lowers to `lst = list_append(lst, v)`: a new list, so the old
# one is intact for the backward pass. Adjoints of lists are lists.
vjp("list_append(lst, item)", lst="g[:-1]", item="list_item(g, -1, item)",
    linear=("lst", "item"), form="internal", holds=True, fresh=True, recompute=False,
    returns="container", takes="any")
# Lists and tuples joined with `+` or repeated with `* n` (the prepare pass
# tells them from arithmetic by what the analysis knows of their operands).
vjp("seq_concat(left, right)", left="concat_adjoint(g, left, False)",
    right="concat_adjoint(g, left, True)", linear=("left", "right"), form="internal",
    holds=True, fresh=True, recompute=False, returns="container", takes="any")
vjp("seq_repeat(seq, count)", zero=("count",), seq="repetition_adjoint(g, seq)", linear=("seq",),
    form="internal", holds=True, fresh=True, recompute=False, returns="container",
    takes="any")
vjp("sum(iterable, /, start=0)", iterable="sum_adjoint_items(g, iterable)",
    start="unbroadcast(g, start)", linear=("iterable", "start"), returns="other", takes="any")
# `for k in d` iterates keys; arrays, lists and tuples iterate themselves
vjp("iteration_items(x)", x="iteration_adjoint(g, x)", linear=("x",), form="helper", view=True,
    returns="other", takes="any")
# `a[index] = value` (`old`: the snapshot of what it overwrites, for the
# backward pass to put back; the prepare pass fills it in)
structural("setitem(x, index, value, old=None)", "setitem", tangent="setitem", fresh=True,
           effect=True,
           mutates=True, undone=True, recompute=False, returns="operand")
# `obj.name` of an object without a rule for the attribute
structural("getattr(obj, name)", None, view=True, recompute=False)

# ---------------------------------------------------------------- calls
group("Calls")
# A call of a function without a rule: its callee is the first operand.
structural("call(fn, *args)", None, tangent="call", effect=True, mutates=True,
           recompute=False)
# A call of user code the reverse pass differentiates: `call_forward` runs the
# callee's forward half and returns (value, saved), `call_backward` its
# backward half. `active` lists the call's differentiated arguments.
structural("call_forward(fn, active, *args)", "call", form="helper", effect=True,
           mutates=True, recompute=False, returns="container", results=2)
structural("call_backward(saved, g)", None, form="helper", effect=True, mutates=True,
           recompute=False)
# Forward mode's call of user code: its own forward mode, `(value, tangent)`.
structural("call_jvp(fn, active, tangents, *args)", None, form="helper", effect=True,
           mutates=True, recompute=False, returns="container", results=2)

# ---------------------------------------------------------------- s2sad's own
group("Non-differentiable helpers")
vjp("stop_gradient(x)", zero=("x",), form="helper", view=True, elementwise=True)
vjp("broadcast_tangent(t, ans)", t="unbroadcast(g, t)", zero=("ans",),
    jvp={"t": "broadcast_tangent(t, ans)"}, form="helper", view=True)
vjp("own(x)", x="g", jvp={"x": "own(t)"}, form="helper", fresh=True, recompute=False,
    returns="operand", takes="any", elementwise=True)
structural("assert_(test, *msg)", None, effect=True, recompute=False)
structural("marker(text)", None, effect=True, recompute=False)
structural("tape.new()", None, effect=True, recompute=False)
structural("tape.push(tape, value)", None, effect=True, recompute=False)
structural("tape.pop(tape)", None, effect=True, mutates=True, recompute=False)
structural("setitem_restore(x, index, old)", None, effect=True, mutates=True, recompute=False)
structural("zero_slice(x, index)", None, effect=True, mutates=True, recompute=False)
helper("add_at(dx, index, g)", effect=True, mutates=True)
helper("write_slice(t, index, value)", effect=True, mutates=True)
helper("check_inplace(value, names, *others)",
       "check_inplace_item(item, container, index, names, *others)", "require_scalar(value)",
       effect=True)
helper("snapshot(x)", "zeros_like(x)", fresh=True)
helper(
    "add_adjoints(a, b)", "unbroadcast(g, x)", "read_slice(g, index, written=None, value=None)",
    "truncated(g, ans, x)", "cast_adjoint(g, dtype, x)", "list_item(g, index, like)",
    "dict_values_adjoint(g, keys, values)",
    "concat_adjoint(g, left, right_part)", "repetition_adjoint(g, seq)",
    "sum_adjoint_items(g, items)", "iteration_adjoint(g, x)", "sequence_adjoint(g, x)",
    "array_adjoint(g, obj)", "extreme_adjoint(g, args, largest)", "getitem_adjoint(g, x, index)",
    "take_adjoint(g, a, indices, axis, mode='raise')",
    "take_along_axis_adjoint(g, arr, indices, axis)",
    "sum_adjoint(g, a, axis=None, keepdims=False, where=True)",
    "mean_adjoint(g, a, axis=None, keepdims=False, where=True)",
    "prod_adjoint(g, a, ans, axis=None, keepdims=False)",
    "extremum_adjoint(g, a, ans, axis=None, keepdims=False)",
    "var_adjoint(g, a, axis=None, ddof=0, keepdims=False)",
    "std_adjoint(g, a, ans, axis=None, ddof=0, keepdims=False)",
    "cumsum_adjoint(g, a, axis=None)", "cumprod_adjoint(g, a, ans, axis=None)",

    "norm_adjoint(g, x, ans, ord=None, axis=None, keepdims=False)",
    "trace_adjoint(g, a, offset, axis1, axis2)", "diff_adjoint(g, a, n, axis)",
    "matmul_adjoint_a(g, a, b)", "matmul_adjoint_b(g, a, b)", "dot_adjoint_a(g, a, b)",
    "dot_adjoint_b(g, a, b)", "inner_adjoint_a(g, a, b)", "inner_adjoint_b(g, a, b)",
    "tensordot_adjoint_a(g, a, b, axes)", "tensordot_adjoint_b(g, a, b, axes)",
    "einsum_adjoint(g, operands)", "solve_adjoint_a(g, a, b, ans)",
    "solve_adjoint_b(g, a, b)", "det_adjoint(g, a, ans)", "slogdet_adjoint(g, a)",
    "matrix_transpose(a)", "transpose_adjoint(g, axes)", "method_transpose_adjoint(g, axes)",
    "roll_adjoint(g, shift, axis)", "tile_adjoint(g, a, reps)",
    "repeat_adjoint(g, a, repeats, axis)", "concatenate_adjoint(g, arrays, axis)",
    "stack_adjoint(g, arrays, axis)", "hstack_adjoint(g, arrays)", "vstack_adjoint(g, arrays)",
    "diag_adjoint(g, v, k)", "diagonal_adjoint(g, a, offset, axis1, axis2)",
    "sort_adjoint(g, a, axis)", "max_share(x, y)", "fmax_share(x, y, larger)",
    "clip_share(a, lo, hi, which)", "abs_sign(x)", "abs_tangent(t, x)",
    "extreme_tangent(t, args, largest)", "reshape_tangent(t, a, ans, order)", "norm_axes(x, axis)",
    "solve_tangent(a, b, t_a, v)", "slogdet_tangent(t, a, ans)",
    "cumprod_tangent(t, a, ans, axis)", "pow_base_adjoint(g, x, y)",
    "pow_exponent_adjoint(g, x, ans)", "sinc_derivative(x)", "linspace_weights(num, endpoint)",
    "linspace_adjoint(g, bound, num, endpoint, axis, stop)", "reshape_adjoint(g, a, order)",
    "cross_adjoint(g, a, b, of_b)", "either(value, other)", "item_adjoint(g, a, args)",
    "atleast_adjoint(g, arys)", "hypot_adjoint(g, ans, coordinates)",
)
