"""Rules users give: custom_vjp, custom_jvp, defvjp, defjvp; and functions
with rules (NumPy's or a user's) passed to the transforms themselves."""

from __future__ import annotations

import math

import numpy as np
import pytest

import s2sad


@s2sad.custom_vjp
def clipped_log(x):
    return np.log(x)


@clipped_log.defvjp
def clipped_log_vjp(g, ans, x):
    return g / np.maximum(x, 0.5)  # deliberately not log's derivative below 0.5


def uses_clipped_log(x):
    return np.sum(clipped_log(x) * 2.0)


def test_custom_vjp_rule_is_used_in_reverse_mode():
    x = np.array([0.25, 1.0, 4.0])
    np.testing.assert_allclose(s2sad.grad(uses_clipped_log)(x), 2.0 / np.maximum(x, 0.5))
    assert "clipped_log_vjp(" in s2sad.show(uses_clipped_log)


def test_custom_vjp_without_a_tangent_rule_is_refused_in_forward_mode():
    with pytest.raises(s2sad.NoAdjointError, match=r"@clipped_log.defjvp"):
        s2sad.jvp(uses_clipped_log, (np.ones(2),), (np.ones(2),))


@s2sad.custom_jvp
def softplus(x):
    return np.logaddexp(0.0, x)


@softplus.defjvp
def softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return softplus(x), t / (1.0 + np.exp(-x))


def softplus_squared(x):
    return np.sum(softplus(x) ** 2)


def test_custom_jvp_rule_is_used_in_forward_mode_and_refused_in_reverse():
    x, v = np.array([-1.0, 0.5, 2.0]), np.array([1.0, -2.0, 0.5])
    _, t = s2sad.jvp(softplus_squared, (x,), (v,))
    sig = 1.0 / (1.0 + np.exp(-x))
    assert t == pytest.approx(np.sum(2 * softplus(x) * sig * v))
    with pytest.raises(s2sad.NoAdjointError, match=r"@softplus.defvjp"):
        s2sad.grad(softplus_squared)(x)


@s2sad.custom_vjp
def scaled_product(a, b, c):
    return a * b * c


@scaled_product.defvjp
def scaled_product_vjp(g, ans, a, b, c):
    return g * b * c, g * a * c, None  # c: no gradient, by the rule's say


@scaled_product.defjvp
def scaled_product_jvp(primals, tangents):
    (a, b, c), (ta, tb, _) = primals, tangents
    return a * b * c, (ta * b + a * tb) * c


def uses_product(a, b):
    return np.sum(np.sin(scaled_product(a, b, 3.0)))


def test_rules_of_several_arguments_and_a_hessian_through_them():
    a, b = np.array([0.2, 0.4]), np.array([1.5, -0.5])
    ga, gb = s2sad.grad(uses_product, wrt=(0, 1))(a, b)
    np.testing.assert_allclose(ga, np.cos(3 * a * b) * 3 * b)
    np.testing.assert_allclose(gb, np.cos(3 * a * b) * 3 * a)
    # forward over reverse: the tangent rule for the call, the adjoint rule's own source
    H = s2sad.hessian(uses_product)(a, b)
    np.testing.assert_allclose(H, np.diag(-np.sin(3 * a * b) * (3 * b) ** 2), atol=1e-12)


@s2sad.custom_vjp
def bad_rule_fn(a, b):
    return a * b


@bad_rule_fn.defvjp
def bad_rule(g, ans, a, b):
    return g * b  # one adjoint for two arguments


def uses_bad_rule(a, b):
    return bad_rule_fn(a, b)


def test_a_rule_returning_the_wrong_count_is_an_error():
    with pytest.raises(s2sad.S2sadError, match="one adjoint per positional parameter"):
        s2sad.grad(uses_bad_rule)(1.0, 2.0)


def uses_copysign(x, y):
    return math.copysign(x, y) * 2.0


def test_defvjp_and_defjvp_for_a_function_you_do_not_own():
    with pytest.raises(s2sad.NoAdjointError, match=r"s2sad.defvjp"):
        s2sad.grad(uses_copysign)(3.0, 4.0)
    s2sad.defvjp(math.copysign, lambda g, ans, a, b: (g * np.sign(a) * np.sign(b), 0.0 * g))
    s2sad.defjvp(math.copysign,
                 lambda p, t: (math.copysign(p[0], p[1]), t[0] * np.sign(p[0]) * np.sign(p[1])))
    try:
        assert s2sad.grad(uses_copysign, wrt=(0, 1))(3.0, 4.0) == (2.0, 0.0)
        assert s2sad.grad(uses_copysign)(-3.0, 4.0) == -2.0
        assert s2sad.jvp(uses_copysign, (3.0, -4.0), (1.0, 0.0))[1] == -2.0
    finally:  # (math.copysign goes back to having no rule, for the other tests)
        name = s2sad.custom._name(math.copysign)
        s2sad.primitives.TABLE.pop(name)
        s2sad.primitives.USER_RULED.pop(name)


@s2sad.custom_vjp
def redefined(x):
    return x * 1.0


@redefined.defvjp
def redefined_vjp(g, ans, x):
    return g * 2.0


def uses_redefined(x):
    return redefined(x)


def test_changing_a_rule_takes_effect_without_restart():
    grad = s2sad.grad(uses_redefined)
    assert grad(1.0) == 2.0
    redefined.defvjp(lambda g, ans, x: g * 5.0)
    assert grad(1.0) == 5.0


def test_functions_with_rules_as_transform_arguments():
    assert s2sad.grad(np.sin)(1.0) == pytest.approx(math.cos(1.0))
    assert s2sad.grad(s2sad.grad(np.sin))(1.0) == pytest.approx(-math.sin(1.0))
    assert s2sad.hessian(np.tanh)(0.3) == pytest.approx(-2 * np.tanh(0.3) * (1 - np.tanh(0.3)
                                                                             ** 2))
    np.testing.assert_allclose(s2sad.elementwise_grad(np.sqrt)(np.array([1.0, 4.0])),
                               [0.5, 0.25])
    assert s2sad.grad(clipped_log)(0.25) == 2.0  # the rule, not log's derivative
    assert "def dsin(x, *, dout=1.0):" in s2sad.show(np.sin)


@s2sad.custom_vjp
def scaled_by(u, k=2.0):
    return k * u


@scaled_by.defvjp
def scaled_by_vjp(g, ans, u, k=2.0):
    return g * k, g * u  # (the adjoints of both parameters, whichever the call gives)


def scaled_by_keyword(x):
    return np.sum(scaled_by(x, k=3.0) * np.array([1.0, 2.0]))


def scaled_by_default(x):
    return np.sum(scaled_by(x) * np.array([1.0, 2.0]))


def scaled_by_position(x):
    return np.sum(scaled_by(x, 3.0) * np.array([1.0, 2.0]))


@pytest.mark.parametrize("f, k", [(scaled_by_keyword, 3.0), (scaled_by_default, 2.0),
                                  (scaled_by_position, 3.0)])
def test_a_rule_gives_one_adjoint_per_parameter_however_the_call_binds_them(f, k):
    # (with k by keyword or at its default, the pair (du, dk) was taken for
    # the adjoint of u and summed into it: 5 where 3 is right)
    x = np.array([2.0, 5.0])
    np.testing.assert_allclose(s2sad.grad(f)(x), k * np.array([1.0, 2.0]))
    s2sad.check_grad(f, x)


@s2sad.custom_vjp
def doubled(x):
    return 2.0 * x


@doubled.defvjp
def doubled_vjp(g, ans, x):
    return np.sum(2.0 * g)  # (a number for a vector: a mistake, not a broadcast)


def test_a_rule_giving_an_adjoint_of_another_shape_is_an_error():
    with pytest.raises(s2sad.S2sadError, match=r"adjoint of shape \(\) for argument 0, of "
                                               r"shape \(3,\)"):
        s2sad.grad(lambda x: np.sum(doubled(x) * x))(np.ones(3))
    assert s2sad.grad(lambda x: doubled(x) * x)(1.5) == pytest.approx(6.0)


@s2sad.custom_vjp
def product_and_shift(u, v):
    return u * v, np.sin(u) + v


@product_and_shift.defvjp
def product_and_shift_vjp(g, ans, u, v):
    g0, g1 = g  # (an output nobody used has a zero adjoint, never None)
    return g0 * v + g1 * np.cos(u), g0 * u + g1


def first_output_only(x):
    a, b = product_and_shift(x, x[::-1])
    return np.sum(a)


def second_output_only(x):
    return np.sum(product_and_shift(x, 2.0 * x)[1])


@pytest.mark.parametrize("f", [first_output_only, second_output_only])
def test_a_rule_of_several_outputs_gets_zeros_for_the_unused_ones(f):
    x = np.array([0.1, 0.2, 0.3])
    s2sad.check_grad(f, x)


@s2sad.custom_vjp
def cubed(u):
    return u ** 3


@cubed.defvjp
def cubed_vjp(g, ans, u):
    return 3 * g * u ** 2


@cubed.defjvp
def cubed_jvp(primals, tangents):
    (u,), (t,) = primals, tangents
    return cubed(u), 3 * u ** 2 * t


def cubed_of(s):
    return cubed(s)


def test_a_third_derivative_through_rules_is_refused_without_naming_internals():
    assert s2sad.grad(s2sad.grad(cubed_of))(0.7) == pytest.approx(6 * 0.7)
    with pytest.raises(s2sad.NoAdjointError, match="third derivative through a call") as info:
        s2sad.grad(s2sad.grad(s2sad.grad(cubed_of)))(0.7)
    assert "call_jvp" not in str(info.value)


@s2sad.custom_vjp
def outer_product(a, b):
    return a * b


@outer_product.defvjp
def _(g, ans, a, b):  # (named `_`, as users name a rule they never call)
    return g * b, g * a  # (3, 3): summed back to a's (3, 1) and b's (1, 3)


def outer_of_reshaped(x, y):
    a = x.reshape(3, 1) * 2.0
    b = y[None, :] * 2.0
    return np.sum(outer_product(a, b))


def test_a_broadcast_adjoint_from_a_rule_is_summed_before_the_next_rule():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    dx, dy = s2sad.grad(outer_of_reshaped, wrt=(0, 1))(x, y)
    np.testing.assert_allclose(dx, np.full(3, 4.0 * y.sum()))
    np.testing.assert_allclose(dy, np.full(3, 4.0 * x.sum()))


def repeated_rule(x):
    s = x
    for i in range(2):  # noqa: B007 (the loop's `_` is not the rule's)
        s = outer_product(s, x)
    return np.sum(s)


def test_a_rule_named_underscore_in_a_loop():
    x = np.array([0.3, -1.2])
    np.testing.assert_allclose(s2sad.grad(repeated_rule)(x), 3.0 * x ** 2)


def test_a_function_with_a_rule_writing_into_its_argument_is_refused():
    with pytest.raises(s2sad.S2sadError, match="writes into its argument a"):
        @s2sad.custom_vjp
        def doubled(a):
            a *= 2.0
            return a
    with pytest.raises(s2sad.S2sadError, match="writes into its argument a"):
        @s2sad.custom_vjp
        def zeroed(a):
            a[0] = 0.0
            return a

    @s2sad.custom_vjp
    def copied(a):  # (a new array: allowed)
        a = a.copy()
        a *= 2.0
        return a

    copied.defvjp(lambda g, ans, a: 2.0 * g)
    np.testing.assert_allclose(s2sad.grad(lambda x: np.sum(copied(x) ** 2))(np.ones(2)),
                               np.full(2, 8.0))


def test_a_function_with_a_rule_writing_through_a_view_of_its_argument_is_refused():
    with pytest.raises(s2sad.S2sadError, match="writes into its argument through y"):
        @s2sad.custom_vjp
        def doubled_view(x):
            y = x.reshape(-1)
            y *= 2.0
            return y
    with pytest.raises(s2sad.S2sadError, match="writes into its argument through z"):
        @s2sad.custom_vjp
        def zeroed_alias(x):
            z = np.asarray(x)[:]
            z[0] = 0.0
            return z

    @s2sad.custom_vjp
    def new_array_written(x):  # (np.sin makes a new array)
        y = np.sin(x)
        y *= 2.0
        return y

    new_array_written.defvjp(lambda g, ans, x: 2.0 * g * np.cos(x))
    x = np.array([0.3, -0.4])
    np.testing.assert_allclose(s2sad.grad(lambda x: np.sum(new_array_written(x)))(x),
                               2.0 * np.cos(x))


def log_sum_exp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def autograd_style_rule(ans, x):  # (autograd's: a function of g)
    return lambda g: np.full(x.shape, g) * np.exp(x - ans)


def twice_log_sum_exp(x):
    return log_sum_exp(x) * 2.0


def test_a_rule_in_autogradss_form_is_named_with_the_form_s2sad_takes():
    s2sad.defvjp(log_sum_exp, autograd_style_rule)
    try:
        with pytest.raises(s2sad.NoAdjointError, match="adjoint rule autograd_style_rule") as info:
            s2sad.grad(twice_log_sum_exp)(np.array([1.0, 2.0]))
        assert "rule(g, ans, *args)" in info.value.hint
        s2sad.defvjp(log_sum_exp, lambda g, ans, x: autograd_style_rule(ans, x)(g))
        x = np.array([1.0, 2.0])
        np.testing.assert_allclose(s2sad.grad(twice_log_sum_exp)(x),
                                   2 * np.exp(x) / np.sum(np.exp(x)))
    finally:  # (log_sum_exp goes back to having no rule)
        name = s2sad.custom._name(log_sum_exp)
        s2sad.primitives.TABLE.pop(name)
        s2sad.primitives.USER_RULED.pop(name)
