"""Each pass on its own: a small function's IR in, the pass's IR out.

The end-to-end tests check that gradients are right; these check that each
stage does its one job, so a change that breaks a pass fails here, next to
its cause. IR is compared as printed, without the `# line` comments.
"""

from __future__ import annotations

import ast
import re
import textwrap

import numpy as np
import pytest

from s2sad.aliasing import guard_inplace_updates
from s2sad.analysis import SCALAR, analyze, known_shape
from s2sad.cleanup import eliminate_dead_code, share_common_values, simplify
from s2sad.emit import build
from s2sad.ir import (
    Assign,
    Block,
    Const,
    Function,
    If,
    Loop,
    Ref,
    Return,
    Var,
    format_function,
    walk,
)
from s2sad.lowering import lower
from s2sad.parsing import parse_function
from s2sad.prepare import prepare
from s2sad.reverse import reverse
from s2sad.split import split


def text(fn) -> str:
    return re.sub(r"  # line \d+", "", format_function(fn))


def same(actual: str, expected: str) -> None:
    assert actual.strip() == textwrap.dedent(expected).strip(), actual


def lowered(fn):
    return lower(parse_function(fn))


def reversed_ir(fn, wrt=(0,), check_scalar=True):
    lo = lowered(fn)
    facts = analyze(lo.function, wrt)
    prepared = prepare(lo.function, facts, lo.factory)
    return lo, reverse(prepared, analyze(prepared, wrt), lo.factory, wrt, check_scalar)


# ---------------------------------------------------------------- lowering


def loop_with_break(x, n):
    s = 0.0
    for i in range(n):
        if x[i] > 0:
            s = s + x[i] ** 2
        else:
            break
    return s


def test_lowering_makes_structured_ssa():
    same(text(lowered(loop_with_break).function), """
        def loop_with_break(%x1, %n2):
          for %i3 in range(0, %n2, 1) (%s4 = 0.0, %i5 = None, %stop6 = False) until %stop6:
            %7 = getitem(%x1, %i3)
            %cond8 = gt(%7, 0)
            %stop12, %s13 = if %cond8:
              %9 = getitem(%x1, %i3)
              %10 = pow(%9, 2)
              %s11 = add(%s4, %10)
              yield %stop6, %s11
            else:
              yield True, %s4
            next %s13, %i3, %stop12
          return %s4
    """)


def from_numpy_spelled_differently(x):
    return np.sum(np.multiply(x, 2.0)) + x.sum()


def test_lowering_finds_primitives_by_object_and_records_free_names():
    lo = lowered(from_numpy_spelled_differently)
    same(text(lo.function), """
        def from_numpy_spelled_differently(%x1):
          %2 = np.multiply(%x1, 2.0)
          %3 = np.sum(%2)
          %4 = .sum(%x1)
          %5 = add(%3, %4)
          return %5
    """)
    assert lo.free["np"].where == "global" and lo.free["np"].value is np
    assert lo.baked == {"np"}


# ---------------------------------------------------------------- aliasing guard


def alias_then_update(x):
    a = x * 1.0
    b = a
    a *= 2.0
    return np.sum(a + b)


def test_guard_inserts_a_check_before_an_update_another_name_sees():
    lo = lowered(alias_then_update)
    guarded = guard_inplace_updates(lo.function)
    same(text(guarded), """
        def alias_then_update(%x1):
          %a2 = mul(%x1, 1.0)
          check_inplace(%a2, 'a', %a2)
          %a3 = mul(%a2, 2.0) (in place)
          %4 = add(%a3, %a2)
          %5 = np.sum(%4)
          return %5
    """)
    assert "check_inplace" not in text(lo.function)  # the input is not changed


# ---------------------------------------------------------------- analysis


def mixed_activity(x, y):
    z = x * y
    c = np.sign(y)
    u = np.argmax(z)
    return np.sum(z * c) + u


def test_activity_follows_differentiable_flows_only():
    lo = lowered(mixed_activity)
    facts = analyze(lo.function, (0,))
    hints = {v.hint for v in facts.varied if facts.active(v)}
    assert {"x", "z"} <= hints
    assert not {"y", "c", "u"} & hints  # y is not wrt; sign and argmax cut the flow


def shapes_and_containers(x, s):
    a = np.sin(x) * 2.0
    t = np.sum(a)
    items = [a, t]
    return t + s + items[1]


def test_shape_classes_and_containers():
    lo = lowered(shapes_and_containers)
    facts = analyze(lo.function, (0,), scalar_params=(1,))
    by_hint = {v.hint: v for v in facts.shape if isinstance(v, Var)}
    x, a, t, s = by_hint["x"], by_hint["a"], by_hint["t"], by_hint["s"]
    assert facts.shape[a] is x  # elementwise ops on x and constants keep x's shape
    assert facts.shape[t] is SCALAR and facts.shape[s] is SCALAR
    assert by_hint["items"] in facts.containers and a in facts.numeric


def layer(W, x, b):
    h = np.tanh(W @ x + b)
    m = h.sum(axis=-1, keepdims=True)
    for i in range(3):
        h = h * W[i]
    return np.sum(h - m)


def test_concrete_shapes_follow_the_arguments_shapes():
    fn = lowered(layer).function
    plain = analyze(fn, (0,))
    shaped = analyze(fn, (0,), shape_params=((0, (3, 3)), (1, (3,)), (2, (3,))))
    by_hint = {v.hint: v for v in shaped.shape if isinstance(v, Var)}
    x, h, m = by_hint["x"], by_hint["h"], by_hint["m"]
    assert plain.shape[h] is not plain.shape[x]  # (W @ x: a shape of its own)
    assert shaped.shape[h] is shaped.shape[x]  # both (3,): one class
    assert known_shape(shaped.shape, h) == (3,) and known_shape(shaped.shape, m) == (1,)
    # the loop's phi keeps (3,): h * W[i] with an int index is a row of W
    phis = [v for v in shaped.shape if isinstance(v, Var) and v.hint == "h" and v is not h]
    assert phis and all(known_shape(shaped.shape, p) == (3,) for p in phis)
    assert known_shape(plain.shape, h) is None


def picked(a, k, flag):
    n = a.shape[0]
    return a[k] * a + a[n - 1 - k] + a[flag]


def test_rows_picked_by_ints_and_not_by_bools():
    fn = lowered(picked).function
    facts = analyze(fn, (0,), scalar_params=(1,), shape_params=((0, (3, 2)), (2, ())))
    shapes = {known_shape(facts.shape, s.target) for s in fn.body.stmts
              if isinstance(s, Assign) and s.prim == "getitem" and s.args[0] is fn.params[0]}
    # a[k] and a[n - 1 - k] are rows (2,); a[flag] with a 0-d array flag (it
    # may be a bool, which adds an axis) is not known
    assert shapes == {(2,), None}


def gates(z, h, k):
    H = h.shape[0]
    n = len(z)
    return (z[:H], z[H:2 * H], z[1:n:2], z[None, -H:], z[::-1], z[H:2 * H + n], z[:k],
            z[..., 1:])


def test_slices_bounded_by_shapes_have_concrete_shapes():
    # H and n are fixed by the shapes the code is specialized for; k, a
    # number argument, is not, so z[:k] has no known shape
    fn = lowered(gates).function
    facts = analyze(fn, (0,), scalar_params=(2,), shape_params=((0, (12,)), (1, (4,))))
    reads = [known_shape(facts.shape, s.target) for s in fn.body.stmts
             if isinstance(s, Assign) and s.prim == "getitem" and s.args[0] is fn.params[0]]
    assert reads == [(4,), (4,), (6,), (1, 4), (12,), (8,), None, (11,)]
    plain = analyze(fn, (0,), scalar_params=(2,))
    assert all(known_shape(plain.shape, s.target) is None for s in fn.body.stmts
               if isinstance(s, Assign))


def stencil(u, k):
    for _i in range(3):
        u = u + k * (np.roll(u, 1, axis=-1) - 2.0 * u + np.flip(np.roll(u, -1), 0))
    return np.sum(u * u)


def test_roll_and_flip_keep_their_operands_shape():
    # in code specialized for the shapes and in generic code: the loop's phi
    # keeps u's shape through np.roll and np.flip (whatever their shift or axis)
    fn = lowered(stencil).function
    u = fn.params[0]
    rolled = [s.target for s in walk(fn.body) if isinstance(s, Assign)
              and s.prim in ("np.roll", "np.flip")]
    assert len(rolled) == 3
    shaped = analyze(fn, (0,), scalar_params=(1,), shape_params=((0, (2, 5)),))
    assert all(known_shape(shaped.shape, v) == (2, 5) for v in rolled)
    plain = analyze(fn, (0,), scalar_params=(1,))
    phi = plain.shape[rolled[0]]
    assert all(plain.shape[v] is phi for v in rolled) and phi is plain.shape[u]


def growing(x):
    for _i in range(3):
        x = np.concatenate([x, x])
    return np.sum(x)


def test_a_phi_whose_shape_changes_has_no_concrete_shape():
    fn = lowered(growing).function
    facts = analyze(fn, (0,), shape_params=((0, (2,)),))
    phis = [v for v in facts.shape
            if isinstance(v, Var) and v.hint == "x" and v is not fn.params[0]]
    assert phis and all(known_shape(facts.shape, p) is None for p in phis)


def buffer_in_loop(x):
    a = np.zeros(3)
    for i in range(3):
        a[i] = x[i] * 2.0
    return np.sum(a)


def test_buffers_and_persistent_phis():
    facts = analyze(lowered(buffer_in_loop).function, (0,))
    assert {v.hint for v in facts.buffers} == {"a"}
    assert len(facts.persistent_phis) == 1


# ---------------------------------------------------------------- prepare


def helper(a):
    return a * 2.0


def to_prepare(x, n):
    a = x * 1.0
    a[0] = x[1]
    i = 0
    while i < n:
        a = a * 0.5
        i += 1
    y = helper(a)
    items = [y] + [x]
    return np.sum(items[0] * items[1])


def test_prepare_snapshots_splits_calls_counts_trips_and_names_list_ops():
    # (`*` of items of a list that holds a helper's result is checked when it
    # runs: Python would repeat a sequence there, `check_arithmetic`)
    lo = lowered(to_prepare)
    before = text(lo.function)
    prepared = prepare(lo.function, analyze(lo.function, (0,)), lo.factory)
    same(text(prepared), """
        def to_prepare(%x1, %n2):
          %a3 = mul(%x1, 1.0)
          %4 = getitem(%x1, 1)
          %19 = getitem(%a3, 0)
          %old20 = snapshot(%19)
          %a5 = setitem(%a3, 0, %4, %old20) (in place)
          loop (%a6 = %a5, %i7 = 0, %trips21 = 0):
            %8 = lt(%i7, %n2)
            while %8
            %a9 = mul(%a6, 0.5)
            %i10 = add(%i7, 1) (in place)
            %trips22 = add(%trips21, 1)
            next %a9, %i10, %trips22
          %y23 = call_forward(@helper, (0,), %a6)
          %y11 = getitem(%y23, 0)
          %y_saved24 = getitem(%y23, 1)
          %12 = make_list(%y11)
          %13 = make_list(%x1)
          %items14 = seq_concat(%12, %13)
          %15 = getitem(%items14, 0)
          %16 = getitem(%items14, 1)
          check_arithmetic(%15, %16, 'mul')
          %17 = mul(%15, %16)
          %out25 = np.sum(%17)
          return %out25
    """)
    assert text(lo.function) == before  # a new function; the input is not changed


# ---------------------------------------------------------------- reverse


def product_then_sin(x, y):
    z = x * y
    return np.sin(z) + z


def test_reverse_applies_rules_backwards_and_accumulates():
    _, rev = reversed_ir(product_then_sin)
    same(text(rev.function), """
        def dproduct_then_sin(%x1, %y2, %dout7):
          marker('forward pass')
          %z3 = mul(%x1, %y2)
          %4 = np.sin(%z3)
          %out6 = add(%4, %z3)
          marker('backward pass')
          require_scalar(%out6)
          %dout8 = seed_of(%dout7, %out6)
          %11 = np.cos(%z3)
          %dz12 = mul(%dout8, %11)
          %dz13 = add(%dout8, %dz12)
          %14 = mul(%dz13, %y2)
          %dx15 = unbroadcast(%14, %x1)
          %16 = make_tuple(%out6, %dx15)
          return %16
    """)


def square_of_sin(x):
    s = np.sin(x)
    return s * s


def test_the_adjoint_of_a_square_doubles_one_product():
    _, rev = reversed_ir(square_of_sin)
    same(textwrap.dedent(text(rev.function).split("marker('backward pass')\n")[1]), """
          require_scalar(%out4)
          %dout6 = seed_of(%dout5, %out4)
          %ds7 = mul(%dout6, %s2)
          %ds12 = mul(%ds7, 2)
          %13 = np.cos(%x1)
          %dx14 = mul(%ds12, %13)
          %15 = make_tuple(%out4, %dx14)
          return %15
    """)


def sum_of_products_past_max(x, y):
    return max(np.sum(x * y), 1.0)


def test_a_full_sums_adjoint_multiplies_as_the_number_it_is():
    lo = lowered(sum_of_products_past_max)
    shapes = ((0, (3,)), (1, (3,)))
    facts = analyze(lo.function, (0,), shape_params=shapes)
    prepared = prepare(lo.function, facts, lo.factory)
    rev = reverse(prepared, analyze(prepared, (0,), shape_params=shapes), lo.factory, (0,),
                  True)
    same(textwrap.dedent(text(rev.function).split("marker('backward pass')\n")[1]), """
          require_scalar(%out6)
          %dout8 = seed_of(%dout7, %out6)
          %9 = make_list(%4, 1.0)
          %10 = extreme_adjoint(%dout8, %9, True)
          %11 = getitem(%10, 0)
          %17 = np.asarray(%11)
          %dx18 = mul(%17, %y2)
          %19 = make_tuple(%out6, %dx18)
          return %19
    """)
    # without the shapes (x * y may broadcast), the spread stays
    _, rev = reversed_ir(sum_of_products_past_max)
    assert "sum_adjoint" in text(rev.function)


def recurrence(x):
    y = x
    for _i in range(3):
        y = np.sin(y) * x
    return y


def test_reverse_tapes_the_arrays_the_adjoint_reads():
    # sin(y) is read by x's adjoint: popped, not computed again (a hand-written
    # gradient keeps it too); cos(y) is only needed backward
    _, rev = reversed_ir(recurrence)
    same(text(rev.function), """
        def drecurrence(%x1, %dy7):
          marker('forward pass')
          %tape21 = tape.new()
          for %_i2 in range(0, 3, 1) (%y3 = %x1):
            tape.push(%tape21, %y3)
            %5 = np.sin(%y3)
            tape.push(%tape21, %5)
            %y6 = mul(%5, %x1)
            next %y6
          marker('backward pass')
          require_scalar(%y3)
          %dy8 = seed_of(%dy7, %y3)
          %dx14 = zeros_like(%x1)
          for %_i22 in reversed range(0, 3, 1) (%dy9 = %dy8, %dx15 = %dx14):
            %20 = tape.pop(%tape21)
            %y19 = tape.pop(%tape21)
            %10 = mul(%dy9, %x1)
            %12 = mul(%20, %dy9)
            %dx16 = add(%dx15, %12)
            %17 = np.cos(%y19)
            %dy18 = mul(%10, %17)
            next %dy18, %dx16
          %dx23 = add(%dx15, %dy9)
          %24 = make_tuple(%y3, %dx23)
          return %24
    """)


def cheap_recurrence(x):
    y = x
    for _i in range(3):
        y = np.sin(y) + 0.5 * y * y
    return y


def test_reverse_recomputes_cheap_arithmetic_from_values_taped_anyway():
    # 0.5 * y is as cheap to compute again as to pop, and y is taped anyway
    _, rev = reversed_ir(cheap_recurrence)
    body = text(rev.function)
    assert body.count("tape.push") == 1, body
    backward = body[body.index("backward pass"):]
    assert "mul(0.5, %y" in backward and "np.sin" not in backward, body


# ---------------------------------------------------------------- cleanup


def test_simplify_folds_identities():
    x, y = Var(1, "x"), Var(2, "y")

    def definition(v):
        return None

    def never(a, b):
        return False

    assert simplify(Assign(y, "mul", [x, Const(1)]), definition, never) is x
    assert simplify(Assign(y, "add", [Const(0), x]), definition, never) is x
    assert simplify(Assign(y, "add", [Const(2), Const(3)]), definition, never) == Const(5)
    assert simplify(Assign(y, "unbroadcast", [x, y]), definition, lambda a, b: True) is x
    assert simplify(Assign(y, "mul", [x, Const(2)]), definition, never) is None


def test_dead_code_elimination_keeps_effects():
    x, a, b = Var(1, "x"), Var(2, "a"), Var(3, "b")
    block = Block([Assign(a, "np.sin", [x]), Assign(b, "call", [x]),
                   Assign(None, "tape.push", [x, x]), Return(x)])
    eliminate_dead_code(block)
    assert [getattr(s, "prim", "return") for s in block.stmts] == ["call", "tape.push", "return"]


def test_common_values_are_computed_once_where_they_dominate():
    x, a, b, c, d, e = (Var(k, h) for k, h in enumerate("xabcde", 1))
    inner = Block([Assign(d, "np.sin", [x]), Assign(e, "np.cos", [x])])
    loop = Loop([], [], Block([]), None, inner, [], index=Var(9, "i"),
                range_args=[Const(0), Const(3), Const(1)])
    block = Block([Assign(a, "np.sin", [x]), Assign(b, "np.sin", [x]), loop,
                   Assign(c, "np.cos", [x]), Assign(None, "require_scalar", [b]), Return(c)])
    share_common_values(block)
    # b and the loop's d read a; c is not after the loop's e (an iteration's value)
    assert [s.target for s in block.stmts if isinstance(s, Assign)] == [a, c, None]
    assert block.stmts[-2].args == [a] and [s.target for s in inner.stmts] == [e]


def test_constants_that_compare_equal_but_differ_are_not_shared():
    x, a, b = Var(1, "x"), Var(2, "a"), Var(3, "b")  # (0.0 == -0.0, but 1 / -0.0 is -inf)
    block = Block([Assign(a, "mul", [x, Const(0.0)]), Assign(b, "mul", [x, Const(-0.0)]),
                   Return(b)])
    share_common_values(block)
    assert [s.target for s in block.stmts if isinstance(s, Assign)] == [a, b]


@pytest.mark.parametrize("made, shared", [
    ([("e", "np.exp", ["z"]), ("d", "add", [1.0, "e"]), ("p", "truediv", [1, "d"])], True),
    ([("p", "truediv", ["z", "z"])], False),  # (z's kind unknown: an object's division)
    ([("p", "np.exp", ["z"])], True),
    ([("p", "floordiv", ["z", 2])], False),  # (int arrays stay ints: 1 - p is an int)
])
def test_an_int_in_arithmetic_on_floats_is_the_float_it_equals(made, shared):
    names = {"z": Var(1, "z")}
    stmts = []
    for k, (target, prim, args) in enumerate(made, 2):
        names[target] = Var(k, target)
        stmts.append(Assign(names[target], prim,
                            [names[a] if isinstance(a, str) else Const(a) for a in args]))
    p, a, b = names["p"], Var(20, "a"), Var(21, "b")
    block = Block([*stmts, Assign(a, "sub", [Const(1), p]), Assign(b, "sub", [Const(1.0), p]),
                   Return(b)])
    mapping = share_common_values(block)
    assert (mapping == {b: a}) is shared, mapping
    # (the float 1.0 and the int 2 are other numbers: never one value)
    block = Block([*stmts, Assign(a, "sub", [Const(2), p]), Assign(b, "sub", [Const(1.0), p]),
                   Return(b)])
    assert share_common_values(block) == {}


def test_values_written_in_place_are_never_shared():
    x, v, a, b, g = (Var(k, h) for k, h in enumerate("xvabg", 1))
    block = Block([Assign(v, "getitem", [x, Const(0)]), Assign(a, "np.sum", [x]),
                   Assign(None, "add_at", [v, Const(0), g]),  # writes x through its view
                   Assign(b, "np.sum", [x]), Return(b)])
    share_common_values(block)
    assert [s.target for s in block.stmts if isinstance(s, Assign)] == [v, a, None, b]


def test_values_a_list_holds_are_not_shared_if_an_item_is_written():
    # [np.tanh(x), np.tanh(x)], then lst[1] *= 0.5: one array in both places
    # would make the write change the other item too
    x, a, b, lst, item, c = (Var(k, h) for k, h in enumerate(["x", "a", "b", "l", "i", "c"], 1))
    block = Block([Assign(a, "np.tanh", [x]), Assign(b, "np.tanh", [x]),
                   Assign(lst, "make_list", [a, b]), Assign(item, "getitem", [lst, Const(1)]),
                   Assign(c, "mul", [item, Const(0.5)], inplace=True), Return(lst)])
    share_common_values(block)
    assert [s.target for s in block.stmts if isinstance(s, Assign)] == [a, b, lst, item, c]


def test_a_var_given_two_values_is_never_shared():
    # a split's forward half names a branch's value None first: `t = None`,
    # then `t = a ** 2` in a branch; another a ** 2 must not replace it
    a, t, u, c = Var(1, "a"), Var(2, "t"), Var(3, "u"), Var(4, "c")
    branch = If(c, Block([Assign(u, "pow", [a, Const(2)]), Assign(t, "pow", [a, Const(2)])]),
                Block([]))
    block = Block([Assign(t, "make_tuple", []), branch, Return(t)])
    share_common_values(block)
    assert [s.target for s in branch.then.stmts] == [u, t]


# ---------------------------------------------------------------- split and emit


def test_split_keeps_exactly_what_the_backward_half_reads():
    lo, rev = reversed_ir(product_then_sin, (0, 1), check_scalar=False)
    forward, backward = split(rev, lo.factory)
    same(text(forward).split("\n")[-3], "  %state19 = make_tuple(%x1, %y2, %z3)")
    assert [p.hint for p in backward.params] == ["state", "dout"]
    assert "np.sin" not in text(backward)  # the backward half does not run the forward


def test_emit_names_folds_and_shares_the_users_np():
    lo, rev = reversed_ir(product_then_sin, (0, 1), check_scalar=False)
    built = build(rev.function, product_then_sin, lo.free, {})
    same(built.source, """
        def dproduct_then_sin(x, y, *, dout=1.0):
            # forward pass
            z = x * y
            out = np.sin(z) + z
            # backward pass
            dz = dout * np.cos(z)
            dz_1 = dout + dz
            dx = unbroadcast(dz_1 * y, x)
            dy = unbroadcast(x * dz_1, y)
            return (out, (dx, dy))
    """)
    assert built.shared == {"np"}
    assert "del z" in ast.unparse(built.fdef)  # (the code that runs releases z)
    value, (dx, dy) = built.func(0.5, 2.0)
    assert np.isclose(dx, (np.cos(1.0) + 1.0) * 2.0) and np.isclose(dy, (np.cos(1.0) + 1.0) * 0.5)


# ---------------------------------------------------------------- releasing names


def test_release_deletes_after_the_last_read_at_top_level():
    import ast

    from s2sad.release import release_dead_names

    fdef = ast.parse(textwrap.dedent("""
        def g(x, n):
            a = x * 2
            b = a + 1
            f = lambda: b
            for i in range(n):
                c = a * i
            d = c + 1
            e = a
            e += 1
            return (d, f, e)
    """)).body[0]
    # a: after its last read; b: a lambda reads it; c: bound only inside the
    # loop (maybe never bound); d, e: returned; x, n: parameters
    assert release_dead_names(fdef) == 1
    same(ast.unparse(fdef), """
        def g(x, n):
            a = x * 2
            b = a + 1
            f = lambda: b
            for i in range(n):
                c = a * i
            d = c + 1
            e = a
            del a
            e += 1
            return (d, f, e)
    """)


# ---------------------------------------------------------------- calls of every kind (issue 9)


def grows_with_numpy(x):
    v = x
    for _ in range(2):
        v = np.append(v, x)
    return v


def test_a_module_name_called_append_on_is_not_a_loop_carried_list():
    """`np.append(...)` in a loop: `np` is NumPy, not a list the loop appends
    to, so the loop carries `v` alone (it once carried `np`, as None)."""
    same(text(lowered(grows_with_numpy).function), """
        def grows_with_numpy(%x1):
          for %_2 in range(0, 2, 1) (%v3 = %x1, %_4 = None):
            %v5 = np.append(%v3, %x1)
            next %v5, %_2
          return %v3
    """)


def keeps_the_previous_value(x):
    v = x[0]
    w = v
    for i in range(3):
        w = v
        v = v * x if i == 0 else v[1:] * 1.5
    return np.sum(v) + np.sum(w)


def test_reverse_zeroes_a_carry_no_iteration_reads_without_fixing_its_shape():
    """`w = v` at the top of each iteration: no iteration reads w's previous
    value, so its adjoint restarts at zero; w's shape changes with v's, so
    the zero is shaped like w's value in that iteration (taped), not like
    the carried adjoint (which has the shape at the iteration's end)."""
    _, rev = reversed_ir(keeps_the_previous_value)
    ir = text(rev.function)
    assert "zeros_like(%dw" not in ir, ir
    assert re.search(r"%(w\d+) = tape.pop\(%tape\d+\)\n +%(dw\d+) = zeros_like\(%\1\)\n"
                     r" +next %\2, ", ir), ir


def test_release_keeps_names_read_inside_a_subscript_target():
    """`free[list(pinned)] = 0.0` binds nothing: `list` is read, not stored
    (deleting it made it a local: UnboundLocalError)."""
    import ast

    from s2sad.release import release_dead_names

    fdef = ast.parse(textwrap.dedent("""
        def g(x, pinned):
            free = x * 1.0
            free[list(pinned)] = 0.0
            return free
    """)).body[0]
    assert release_dead_names(fdef) == 0


def test_reductions_as_methods_only_of_arrays_and_only_whole():
    from s2sad.cleanup import reductions_as_methods

    a, n, out = Var(1, "a"), Var(2, "n"), [Var(3 + i, "r") for i in range(4)]
    block = Block([Assign(out[0], "np.sum", [a]), Assign(out[1], "np.sum", [n]),
                   Assign(out[2], "np.max", [a], {"axis": Const(0)}),
                   Assign(out[3], "np.amin", [a])])
    reductions_as_methods(block, {a: (3, 2), n: ()}.get)
    assert [s.prim for s in block.stmts] == [".sum", "np.sum", "np.max", ".min"]
    assert block.stmts[0].callee is None and block.stmts[0].args == [a]


def _gates_chain(index_of, lengths=(2, 2, 3), extra_use=False):
    """dz = index_adjoint(g0, (7,), i0); dz = add_at(dz, i1, g1); ...; return dz"""
    pieces = [Var(10 + k, "g") for k in range(len(lengths))]
    links = [Var(20 + k, "dz") for k in range(len(lengths))]
    stmts = [Assign(links[0], "index_adjoint", [pieces[0], Const((7,)), Const(index_of[0])])]
    for k in range(1, len(lengths)):
        stmts.append(Assign(links[k], "add_at", [links[k - 1], Const(index_of[k]), pieces[k]]))
    if extra_use:
        stmts.append(Assign(Var(30, "r"), "np.sum", [links[0]]))
    stmts.append(Return(links[-1]))
    dims = dict(zip(pieces, [(n,) for n in lengths]))
    return Block(stmts), pieces, dims


def test_slices_tiling_a_vector_join_into_one_concatenation():
    from s2sad.cleanup import join_tiled_slices

    made = iter(Var(100 + k, "pieces") for k in range(10))
    # (pieces of [5:], [:2] and [2:5]: joined in the order of their slices)
    block, g, dims = _gates_chain([slice(4, None), slice(None, 2), slice(2, 4)], (3, 2, 2))
    join_tiled_slices(block, dims.get, lambda v: None, lambda hint: next(made))
    joined, call, _ = block.stmts
    assert joined.prim == "make_tuple" and joined.args == [g[1], g[2], g[0]]
    assert call.prim == "joined_slices" and call.args == [joined.target, Const(0)]
    assert call.target.id == 22  # (the chain's last value: its readers are unchanged)
    for slices, lengths, extra in (
            ([slice(4, None), slice(None, 2), slice(3, 4)], (3, 2, 1), False),  # a gap
            ([slice(4, None), slice(None, 2), slice(1, 4)], (3, 2, 3), False),  # an overlap
            ([slice(4, None), slice(None, 2), slice(2, 4)], (3, 2, 1), False),  # short piece
            ([slice(4, None), slice(None, 4, 2), slice(2, 4)], (3, 2, 2), False),  # a step
            ([slice(4, None), slice(None, 2), slice(2, 4)], (3, 2, 2), True),  # read between
            ([slice(4, None), 0, slice(2, 4)], (3, 2, 2), False),  # an int index
            ([slice(4, None), slice(None, 2), slice(2, 4, -1)], (3, 2, 2), False)):
        block, g, dims = _gates_chain(slices, lengths, extra)
        before = list(block.stmts)
        join_tiled_slices(block, dims.get, lambda v: None, lambda hint: next(made))
        assert block.stmts == before, slices


def joins(a, b, k):
    pair = [a, b]
    s = np.stack(pair, axis=1)
    c = np.concatenate((a, b, a), axis=-1)
    items = [a, b]
    d = np.concatenate(items) + np.sum(items[0])  # (the list read twice: not followed)
    e = np.concatenate([a, b], axis=k)  # (an axis known only at run time)
    f = np.concatenate([a, b], axis=None)
    return s, c, d, e, f


def test_joins_of_a_display_read_once_have_concrete_shapes():
    fn = lowered(joins).function
    facts = analyze(fn, (0,), scalar_params=(2,), shape_params=((0, (2, 3)), (1, (2, 3))))
    found = [known_shape(facts.shape, s.target) for s in fn.body.stmts
             if isinstance(s, Assign) and s.prim in ("np.stack", "np.concatenate")]
    assert found == [(2, 2, 3), (2, 9), None, None, None]


def test_slices_tiling_one_axis_of_a_batch_join_along_it():
    from s2sad.cleanup import join_tiled_slices

    g = [Var(10 + k, "g") for k in range(3)]
    dz = [Var(20 + k, "dz") for k in range(3)]

    def chain(indices, piece_dims):
        stmts = [Assign(dz[0], "index_adjoint", [g[0], Const((4, 6)), Const(indices[0])])]
        stmts += [Assign(dz[k], "add_at", [dz[k - 1], Const(indices[k]), g[k]])
                  for k in (1, 2)]
        return Block([*stmts, Return(dz[2])]), dict(zip(g, piece_dims)).get

    made = iter(Var(100 + k, "pieces") for k in range(10))
    whole = slice(None)
    block, dims = chain([(whole, slice(2, 4)), (whole, slice(0, 2)), (whole, slice(4, 6))],
                        [(4, 2)] * 3)
    join_tiled_slices(block, dims, lambda v: None, lambda hint: next(made))
    assert block.stmts[0].args == [g[1], g[0], g[2]] and block.stmts[1].args[1] == Const(1)
    block, dims = chain([slice(1, 4), slice(0, 1), (slice(None, None), slice(0, 6))],
                        [(3, 6), (1, 6), (4, 6)])  # (rows, then the whole: overlaps)
    before = list(block.stmts)
    join_tiled_slices(block, dims, lambda v: None, lambda hint: next(made))
    assert block.stmts == before
    block, dims = chain([(slice(0, 2), whole), (slice(2, 4), slice(0, 3)), slice(2, 4)],
                        [(2, 6), (2, 3), (2, 6)])  # (two axes cut)
    before = list(block.stmts)
    join_tiled_slices(block, dims, lambda v: None, lambda hint: next(made))
    assert block.stmts == before


def test_a_sum_with_a_scatter_read_once_adds_at_the_index():
    from s2sad.cleanup import add_at_index

    a, g, h, k = Var(1, "a"), Var(2, "g"), Var(3, "h"), Var(4, "k")
    d, e, s, t, u = (Var(10 + i, n) for i, n in enumerate("destu"))
    block = Block([Assign(d, "index_adjoint", [g, Const((5,)), k]),
                   Assign(e, "index_adjoint", [h, Const((5,)), Const(2)]),
                   Assign(s, "add", [d, a]),  # (the scatter first)
                   Assign(t, "add", [s, e]),
                   Return(t)])
    add_at_index(block)
    first, second, ret = block.stmts
    assert (first.prim, first.args, first.target) == ("index_added", [a, g, Const((5,)), k], s)
    assert (second.prim, second.args) == ("index_added", [s, h, Const((5,)), Const(2)])
    assert first.callee.name == "$index_added"
    # add_adjoints (of an adjoint that may be None) too
    block = Block([Assign(e, "index_adjoint", [h, Const((5,)), k]),
                   Assign(t, "add_adjoints", [a, e]), Return(t)])
    add_at_index(block)
    assert [(x.prim, x.args) for x in block.stmts[:-1]] == [
        ("index_added", [a, h, Const((5,)), k])]
    # a scatter read twice, or summed by another kind of sum: unchanged
    block = Block([Assign(d, "index_adjoint", [g, Const((5,)), k]),
                   Assign(s, "add", [a, d]), Assign(u, "np.sum", [d]),
                   Assign(e, "index_adjoint", [h, Const((5,)), k]),
                   Assign(t, "add_into", [s, e]), Return(t)])
    before = [(x.prim, list(x.args)) for x in block.stmts if isinstance(x, Assign)]
    add_at_index(block)
    assert [(x.prim, list(x.args)) for x in block.stmts if isinstance(x, Assign)] == before


@pytest.mark.parametrize("x, g, index", [
    (np.arange(5.0), 2.5, 3), (np.arange(5.0), np.float64(-1.0), -1),
    (np.arange(5.0), np.array([1.0, 2.0]), slice(1, 3)),
    (np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0]), 1),
    (np.arange(6.0).reshape(2, 3), 4.0, (slice(None), 2)),
    # (the general path: other dtypes, a repeated index, another shape)
    (np.arange(5.0, dtype=np.float32), 2.5, 3), (np.arange(5.0), 1 + 2j, 3),
    (np.arange(5), 2.5, 3), (np.arange(5.0), np.float32(2.5), 0),
    (np.arange(5.0), np.array([1.0, 2.0]), np.array([1, 1])),
    (None, 2.5, 3), (None, np.array([1.0, 2.0]), slice(0, 2)),
])
def test_index_added_is_the_sum_it_stands_for(x, g, index):
    from s2sad.runtime import index_added, index_adjoint

    shape = np.shape(x) if x is not None else (5,)
    before = np.copy(x)
    got = index_added(x, g, shape, index)
    want = index_adjoint(g, shape, index) if x is None else x + index_adjoint(g, shape, index)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(x, before)  # (x itself unchanged)


@pytest.mark.parametrize("x, g, index", [
    (np.arange(5.0), 2.5, 3), (np.arange(5.0), np.float64(-1.0), -1),
    (np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0]), 1),
    (np.arange(5.0), np.array([1.0, 2.0]), slice(1, 3)),
])
def test_index_added_into_adds_into_its_array(x, g, index):
    from s2sad.runtime import index_added, index_added_into

    want = index_added(x, g, x.shape, index)
    got = index_added_into(x, g, x.shape, index)
    assert got is x  # (no copy: the code owns x)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("x, g, index", [
    (np.arange(5.0, dtype=np.float32), 2.5, 3), (np.arange(5.0), 1 + 2j, 3),
    (np.arange(5), 2.5, 3), (np.arange(5.0), np.array([1.0, 2.0]), np.array([1, 1])),
    (None, 2.5, 3),
])
def test_index_added_into_copies_where_the_sum_changes_dtype_or_index_repeats(x, g, index):
    from s2sad.runtime import index_added, index_added_into

    shape = np.shape(x) if x is not None else (5,)
    before = np.copy(x)
    want = index_added(x, g, shape, index)
    got = index_added_into(x, g, shape, index)
    assert got is not x and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(x, before)


def _backward_of_a_recursion(returned: list) -> Function:
    """A reversed helper's tail: its backward half's call of itself (grads),
    the positions read, c's adjoint taking g at k, and `returned`."""
    state, dr, h, k, v = (Var(i, n) for i, n in enumerate(["state", "dr", "h", "k", "v"], 1))
    grads, a, b, a2, b2 = (Var(10 + i, n) for i, n in enumerate(["grads", "a", "b", "a2", "b2"]))
    tup, pair = Var(20, "tup"), Var(21, "pair")
    names = {"a": a, "b": b, "a2": a2, "b2": b2, "dr": dr}
    stmts = [Assign(grads, "call_backward", [state, dr], {}, Ref("$recurse_back", None)),
             Assign(a, "getitem", [grads, Const(0)]), Assign(b, "getitem", [grads, Const(1)]),
             Assign(a2, "index_added", [a, h, Const((5,)), k]),
             Assign(b2, "add", [b, dr]),
             Assign(tup, "make_tuple", [names[n] for n in returned]),
             Assign(pair, "make_tuple", [v, tup]), Return(pair)]
    return Function("dh", [state, dr, h, k, v], Block(stmts))


@pytest.mark.parametrize("returned, extra, into", [
    (["a2", "b2"], False, True),  # (each position made new, assuming the call's are)
    (["a2", "b"], False, True),  # (a position the call returns, passed on)
    (["dr", "a2"], False, False),  # (position 0 the caller's own array: the call's too)
    (["a2", "b2"], True, False),  # (the call's adjoint read again)
])
def test_a_recursions_own_adjoints_take_sums_in_place(returned, extra, into):
    from s2sad.recursion import owned_adjoints

    fn = _backward_of_a_recursion(returned)
    if extra:  # (another statement reading the call's adjoint at 0)
        a = next(s.target for s in fn.body.stmts if getattr(s, "target", None) and
                 s.target.hint == "a")
        fn.body.stmts.insert(-3, Assign(Var(30, "u"), "np.sum", [a]))
    assert owned_adjoints(fn) == int(into)
    added = next(s for s in fn.body.stmts if getattr(s, "prim", "").startswith("index_added"))
    assert added.prim == ("index_added_into" if into else "index_added")
    if into:
        assert added.callee.name == "$index_added_into"


@pytest.mark.parametrize("g_dims, x_dims, source", [
    ((256, 10), (10,), "np.sum(g, axis=0)"),
    ((256, 10), (256, 1), "np.sum(g, axis=1, keepdims=True)"),
    ((4, 3, 2), (2,), "np.sum(np.sum(g, axis=0), axis=0)"),
    ((4, 3, 2), (1, 2), "np.sum(np.sum(g, axis=0), axis=0, keepdims=True)"),
    ((2, 3, 4), (2, 1, 1), "np.sum(np.sum(g, axis=1, keepdims=True), axis=2, keepdims=True)"),
    ((5, 4), (1, 1), "np.sum(np.sum(g, axis=0, keepdims=True), axis=1, keepdims=True)"),
    ((5, 1, 3), (4, 3), None),  # (the dims do not broadcast: facts it cannot use)
    ((3, 4), (3, 4), None), ((3,), (), None), ((), (), None), (None, (3,), None),
])
def test_unbroadcast_between_known_shapes_is_the_sum_it_does(g_dims, x_dims, source):
    from s2sad.cleanup import explicit_sum
    from s2sad.runtime import unbroadcast

    assert explicit_sum(g_dims, x_dims) == source
    if source is not None:  # (the sum it spells is unbroadcast's)
        g = np.arange(float(np.prod(g_dims))).reshape(g_dims)
        got = eval(source, {"np": np, "g": g})
        want = unbroadcast(g, np.zeros(x_dims))
        assert got.shape == want.shape == x_dims
        np.testing.assert_array_equal(got, want)


def sigmoid_loss(z):
    p = 1.0 / (1.0 + np.exp(-z))
    return np.sum(p)


def sigmoid_exp_read_twice(z):
    t = np.exp(-z)
    p = 1 / (1 + t)
    return np.sum(p * t)


def test_a_sigmoid_spelled_out_is_one_function_to_the_rules():
    lo = lowered(sigmoid_loss)
    facts = analyze(lo.function, (0,))
    assert [(p.hint, z.hint) for p, z in facts.logistic.items()] == [("p", "z")]
    _, rev = reversed_ir(sigmoid_loss)
    # (its derivative from p alone: no exp taped, no 0 * inf where exp(-z) overflows)
    same(textwrap.dedent(text(rev.function).split("marker('backward pass')\n")[1]), """
          require_scalar(%out7)
          %dout9 = seed_of(%dout8, %out7)
          %dp11 = sum_adjoint(%dout9, %p5, None, False, True)
          %12 = mul(%dp11, %p5)
          %13 = sub(1, %p5)
          %dz14 = mul(%12, %13)
          %15 = make_tuple(%out7, %dz14)
          return %15
    """)
    # an intermediate value read elsewhere: the chain's own rules
    assert not analyze(lowered(sigmoid_exp_read_twice).function, (0,)).logistic


def else_of_a_loop(x, n):
    for i in range(n):
        if x > i:
            break
    else:
        x = x * 2.0
    return x


def test_lowering_runs_a_loops_else_where_no_break_set_its_flag():
    same(text(lowered(else_of_a_loop).function), """
        def else_of_a_loop(%x1, %n2):
          for %i3 in range(0, %n2, 1) (%broke4 = False, %i5 = None, %stop6 = False) until %stop6:
            %cond7 = gt(%x1, %i3)
            %stop8, %broke9 = if %cond7:
              yield True, True
            else:
              yield %stop6, %broke4
            next %broke9, %i3, %stop8
          %cond10 = not_(%broke4)
          %x12 = if %cond10:
            %x11 = mul(%x1, 2.0)
            yield %x11
          else:
            yield %x1
          return %x12
    """)


def walrus_in_a_while(x):
    while (s := x * 0.5) > 1.0:
        x = s
    return s


def test_lowering_binds_a_while_tests_names_in_the_body_where_a_phi_carries_them():
    same(text(lowered(walrus_in_a_while).function), """
        def walrus_in_a_while(%x1):
          loop (%s2 = None, %x3 = %x1, %stop4 = False):
            %5 = if %stop4:
              yield False
            else:
              yield True
            while %5
            %s6 = mul(%x3, 0.5)
            %7 = gt(%s6, 1.0)
            %cond8 = not_(%7)
            %stop9, %x10 = if %cond8:
              yield True, %x3
            else:
              yield %stop4, %s6
            next %s6, %x10, %stop9
          return %s2
    """)


def _quotients_times_divisors_ir(*, read_again=False, factor=False):
    """`r = (a / u - b / v) * u * v` with u, v floating (exp and tanh of x);
    with `factor`, a = xa * c and b = xb * -c."""
    x, a, b, c, xa, xb = (Var(i, n) for i, n in enumerate(["x", "a", "b", "c", "xa", "xb"], 1))
    u, v, q1, q2, n2, d, m, r, cn, s = (Var(10 + i, n) for i, n in enumerate(
        ["u", "v", "q1", "q2", "n2", "d", "m", "r", "cn", "s"]))
    stmts = [Assign(u, "np.exp", [x]), Assign(v, "np.tanh", [x])]
    if factor:
        stmts += [Assign(cn, "neg", [c]), Assign(a, "mul", [xa, c]), Assign(b, "mul", [cn, xb])]
    stmts += [Assign(q1, "truediv", [a, u]), Assign(q2, "truediv", [b, v]),
              Assign(n2, "neg", [q2]), Assign(d, "add", [q1, n2]),
              Assign(m, "mul", [d, u]), Assign(r, "mul", [v, m])]
    if read_again:
        stmts.append(Assign(s, "np.sum", [d]))
    stmts.append(Return(r))
    params = [x, c, xa, xb] if factor else [x, a, b]
    return Function("f", params, Block(stmts))


def _cancelled(fn, floating=(), primal=()) -> str:
    from s2sad.cancel import cancel_divisions
    from s2sad.ir import VarFactory

    cancel_divisions(fn.body, VarFactory(100).new, set(floating), set(primal))
    return text(fn)


def test_quotients_times_their_divisors_cancel():
    same(_cancelled(_quotients_times_divisors_ir()), """
        def f(%x1, %a2, %b3):
          %u10 = np.exp(%x1)
          %v11 = np.tanh(%x1)
          %101 = mul(%a2, %v11)
          %102 = mul(%b3, %u10)
          %r17 = sub(%101, %102)
          return %r17
    """)
    # a factor both numerators share, up to sign, multiplies once (its
    # negation, read by nothing else now, goes), where it is floating
    fn = _quotients_times_divisors_ir(factor=True)
    same(_cancelled(fn, floating=[fn.params[1]]), """
        def f(%x1, %c4, %xa5, %xb6):
          %u10 = np.exp(%x1)
          %v11 = np.tanh(%x1)
          %101 = mul(%xa5, %v11)
          %102 = mul(%xb6, %u10)
          %103 = add(%101, %102)
          %r17 = mul(%103, %c4)
          return %r17
    """)
    # else -c may not be c's opposite (a uint8 c's wraps): each term keeps its own
    fn = _quotients_times_divisors_ir(factor=True)
    cancelled = _cancelled(fn)
    assert "mul(%a2, %v11)" in cancelled and "mul(%b3, %u10)" in cancelled, cancelled
    assert "neg(%c4)" in cancelled, cancelled


def _cross_entropy_ir(*, one=1.0, swap=False, written=False):
    """`r = (y / u - w / v) * u * v` with u = exp(x), v = 1 - u, w = 1 - y:
    a sigmoid cross-entropy's adjoint, y * v - w * u after the divisions go.
    With `swap`, `w / v - y / u`; with `written`, w written in place first."""
    x, y, u, v, w, q1, q2, d, m, r = (Var(i, n) for i, n in enumerate(
        ["x", "y", "u", "v", "w", "q1", "q2", "d", "m", "r"], 1))
    stmts = [Assign(u, "np.exp", [x]), Assign(v, "sub", [Const(1.0), u]),
             Assign(w, "sub", [Const(one), y])]
    if written:
        stmts.append(Assign(w, "mul", [w, Const(2.0)], inplace=True))
    stmts += [Assign(q1, "truediv", [y, u]), Assign(q2, "truediv", [w, v]),
              Assign(d, "sub", [q2, q1] if swap else [q1, q2]),
              Assign(m, "mul", [d, u]), Assign(r, "mul", [v, m]), Return(r)]
    return Function("f", [x, y], Block(stmts))


def test_a_difference_of_complements_products_is_the_difference():
    """y(1 - u) - (1 - y)u is y - u: the hand-written `p - y` of a sigmoid
    cross-entropy, where the complements as computed are exact (float64:
    `complements_difference` decides when it runs, given them)."""
    same(_cancelled(_cross_entropy_ir()), """
        def f(%x1, %y2):
          %u3 = np.exp(%x1)
          %v4 = sub(1.0, %u3)
          %w5 = sub(1.0, %y2)
          %r10 = complements_difference(%y2, %u3, %w5, %v4)
          return %r10
    """)
    same(_cancelled(_cross_entropy_ir(swap=True)), """
        def f(%x1, %y2):
          %u3 = np.exp(%x1)
          %v4 = sub(1.0, %u3)
          %w5 = sub(1.0, %y2)
          %r10 = complements_difference(%u3, %y2, %v4, %w5)
          return %r10
    """)
    # 2 - y is no complement: the products stay
    cancelled = _cancelled(_cross_entropy_ir(one=2.0))
    assert "mul(%y2, %v4)" in cancelled and "mul(%w5, %u3)" in cancelled, cancelled
    # a complement written in place is another value: nothing cancels
    fn = _cross_entropy_ir(written=True)
    before = text(fn)
    assert _cancelled(fn) == before


def test_quotients_do_not_cancel_where_a_part_is_read_again_or_may_be_exact_or_written():
    fn = _quotients_times_divisors_ir(read_again=True)
    before = text(fn)
    assert _cancelled(fn) == before
    # divisors not known to be floating (an int array's `a * v` would be an int)
    fn = _quotients_times_divisors_ir()
    for stmt in fn.body.stmts[:2]:
        stmt.prim = "abs"
    before = text(fn)
    assert _cancelled(fn) == before
    # a numerator written in place after its quotient: the product would read it changed
    fn = _quotients_times_divisors_ir()
    a = fn.params[1]
    fn.body.stmts.insert(-1, Assign(a, "add", [a, Const(1.0)], inplace=True))
    before = text(fn)
    assert _cancelled(fn) == before
    # the user's own arithmetic (the forward pass's values): nan where u is 0 stays
    for forward in (["r"], ["q1"]):
        fn = _quotients_times_divisors_ir()
        before = text(fn)
        primal = [s.target for s in fn.body.stmts if isinstance(s, Assign) and
                  s.target.hint in forward]
        assert _cancelled(fn, primal=primal) == before


def test_walk_syntax_is_ast_walk_as_a_list():
    # (the lowering's scans use it for ast.walk: the same nodes, in the same order)
    import gast

    from s2sad.parsing import walk_syntax

    source = textwrap.dedent("""
        def f(x, *rest, k=2):
            for i, (a, b) in enumerate(zip(x, rest)):
                x[i] += a * b if a > 0 else [v ** k for v in rest][0]
            return lambda y: {y: x}
    """)
    for module in (ast, gast):
        tree = module.parse(source)
        assert [id(n) for n in walk_syntax(tree)] == [id(n) for n in module.walk(tree)]
        node = tree.body[0].body[0]
        assert [id(n) for n in walk_syntax(node)] == [id(n) for n in module.walk(node)]


def test_a_definitions_lines_are_inspects_block(tmp_path):
    # (parsing._source_lines reads each def's end off the file's syntax tree)
    import importlib.util
    import inspect

    from s2sad.parsing import _source_lines

    source = textwrap.dedent('''
        import functools

        def decorate(f):
            return f

        @decorate
        @functools.lru_cache(
            maxsize=None)
        def decorated(x):
            return x  # trailing comment

        # a comment between

        class Holder:
            def method(self, x):
                def inner(y):
                    return y * 2
                return inner(x) + \\
                    1

            @staticmethod
            def static(x): return x
    ''')
    path = tmp_path / "defs_module.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("defs_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for fn in (module.decorate, module.decorated.__wrapped__, module.Holder.method,
               module.Holder.static):
        lines, first = _source_lines(fn)
        assert first == fn.__code__.co_firstlineno
        block = inspect.getblock(source.splitlines(True)[first - 1:])
        assert "".join(lines).rstrip() == "".join(block).rstrip()
