"""jvp, vjp, jacobian, hessian, hvp, elementwise_grad, linearize, has_aux and
derivatives of derivatives, checked against finite differences and against
each other (forward mode against reverse mode, the Hessian's symmetry)."""

from __future__ import annotations

import collections
import dataclasses
import math

import numpy as np
import pytest

import s2sad

RNG = np.random.default_rng(11)


def fd_jacobian(f, args, i, eps=1e-6):
    """Central differences of f (array-valued) with respect to args[i]."""
    args = list(args)
    x = np.asarray(args[i], dtype=float)
    out = np.asarray(f(*args))
    jac = np.zeros(out.shape + x.shape)
    for j in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[j] = eps
        plus = x + step if x.ndim else float(x + step)
        minus = x - step if x.ndim else float(x - step)
        hi = f(*args[:i], plus, *args[i + 1:])
        lo = f(*args[:i], minus, *args[i + 1:])
        jac[(...,) + j] = (np.asarray(hi) - np.asarray(lo)) / (2 * eps)
    return jac


# ---------------------------------------------------------------- programs


def mlp(W, x):
    h = np.tanh(W @ x)
    return np.sum(h ** 2) + 0.1 * np.sum(W ** 2)


def looped(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.sin(x * s + i)
    return np.sum(x ** 3) + np.sum(s) * x[0]


def branchy(x):
    if np.sum(x) > 0:
        y = np.exp(x) * x
    else:
        y = np.cos(x)
    return np.sum(y * y)


def written(x):
    y = np.zeros(3)
    for i in range(3):
        y[i] = x[i] ** 2 * x[(i + 1) % 3]
    return np.sum(np.sin(y))


def helper_inner(a, b):
    return a * np.exp(b)


def with_helper(x):
    total = 0.0
    for k in range(2):
        total = total + np.sum(helper_inner(x, x * k))
    return total


def while_loop(x):
    y = x
    while np.max(np.abs(y)) < 4.0:
        y = y * 1.7 + 0.1 * np.sin(y)
    return np.sum(y ** 2)


def vector_out(x):
    return np.sin(x) * x[0] + np.cumsum(x)


def two_args(x, y):
    return np.sum(np.sin(x) * y ** 2) + np.sum(x ** 3 * y)


SCALAR_PROGRAMS = [
    (mlp, (RNG.normal(size=(3, 4)) * 0.5, RNG.normal(size=4)), (0, 1)),
    (looped, (np.array([0.3, 0.5]), 3), (0,)),
    (branchy, (np.array([0.3, -0.2, 0.5]),), (0,)),
    (branchy, (np.array([-0.3, -0.2, 0.1]),), (0,)),
    (written, (np.array([0.4, 0.7, -0.3]),), (0,)),
    (with_helper, (np.array([0.2, -0.4]),), (0,)),
    (while_loop, (np.array([0.5, 1.0]),), (0,)),
    (two_args, (np.array([0.3, -0.5, 0.9]), np.array([1.2, 0.4, -0.7])), (0, 1)),
]


# ---------------------------------------------------------------- forward mode


@pytest.mark.parametrize("f, args, wrt", SCALAR_PROGRAMS, ids=lambda p: getattr(p, "__name__",
                                                                                 ""))
def test_jvp_is_the_gradient_along_the_direction(f, args, wrt):
    """The dot-product test between forward and reverse mode, and against FD."""
    tangents = [RNG.normal(size=np.shape(a)) if i in wrt else None for i, a in enumerate(args)]
    value, tangent = s2sad.jvp(f, args, tangents)
    grads = s2sad.grad(f, wrt=wrt)(*args)
    paired = sum(float(np.sum(g * tangents[i])) for g, i in zip(grads, wrt))
    assert value == pytest.approx(f(*args), rel=1e-12)
    assert tangent == pytest.approx(paired, rel=1e-9, abs=1e-12)
    eps = 1e-6
    plus = [a + eps * t if t is not None else a for a, t in zip(args, tangents)]
    minus = [a - eps * t if t is not None else a for a, t in zip(args, tangents)]
    assert tangent == pytest.approx((f(*plus) - f(*minus)) / (2 * eps), rel=1e-5, abs=1e-7)


def test_jvp_of_an_array_function_and_its_arguments_kept():
    x = np.array([0.3, -0.4, 1.1])
    v = np.array([1.0, 0.5, -2.0])
    before = x.copy()
    value, tangent = s2sad.jvp(vector_out, (x,), (v,))
    np.testing.assert_allclose(value, vector_out(x))
    np.testing.assert_allclose(tangent, fd_jacobian(vector_out, (x,), 0) @ v, rtol=1e-6)
    np.testing.assert_array_equal(x, before)


def test_jvp_holds_integer_arguments_fixed_and_refuses_a_tangent_for_them():
    x = np.array([0.3, 0.5])
    _, t = s2sad.jvp(looped, (x, 3), (np.ones(2), None))
    _, t0 = s2sad.jvp(looped, (x, 3), (np.ones(2), 0))
    assert t == pytest.approx(t0)
    with pytest.raises(s2sad.ArgumentTypeError, match="integer"):
        s2sad.jvp(looped, (x, 3), (np.ones(2), 1))
    with pytest.raises(s2sad.ArgumentTypeError, match="shape"):
        s2sad.jvp(looped, (x, 3), (np.ones(3), None))


def test_linearize():
    x = np.array([0.3, -0.4, 1.1])
    value, f_jvp = s2sad.linearize(vector_out, x)
    np.testing.assert_allclose(value, vector_out(x))
    v = np.array([0.2, 1.0, 0.0])
    np.testing.assert_allclose(f_jvp(v), fd_jacobian(vector_out, (x,), 0) @ v, rtol=1e-6)


# ---------------------------------------------------------------- reverse mode


def test_vjp_pullback_gives_one_adjoint_per_primal_and_can_be_called_again():
    x = np.array([0.3, -0.4, 1.1])
    value, pullback = s2sad.vjp(vector_out, x)
    np.testing.assert_allclose(value, vector_out(x))
    u = np.array([1.0, -2.0, 0.5])
    J = fd_jacobian(vector_out, (x,), 0)
    (first,) = pullback(u)
    (again,) = pullback(u)  # the second call runs the forward half again
    np.testing.assert_allclose(first, u @ J, rtol=1e-6)
    np.testing.assert_allclose(again, first)


def test_vjp_refuses_a_cotangent_of_another_shape():
    # (the generated code may rely on the seed having its output's shape)
    x = np.array([0.3, -0.4, 1.1])
    _, pullback = s2sad.vjp(vector_out, x)
    _, scalar_pullback = s2sad.vjp(np.sum, x)
    for pull, wrong in ((pullback, np.ones(2)), (pullback, 1.0),
                        (scalar_pullback, np.ones(3))):
        with pytest.raises(s2sad.ArgumentTypeError, match="give the cotangent"):
            pull(wrong)
    np.testing.assert_allclose(scalar_pullback(2.0)[0], np.full(3, 2.0))


def test_vjp_with_integer_primal_and_aux():
    def lossy(x, n):
        return np.sum(x ** n), {"n": n}

    x = np.array([0.5, 2.0])
    value, pullback, aux = s2sad.vjp(lossy, x, 3, has_aux=True)
    assert aux == {"n": 3}
    gx, gn = pullback(1.0)
    np.testing.assert_allclose(gx, 3 * x ** 2)
    assert gn is None


def test_elementwise_grad():
    x = np.linspace(-1, 1, 5)
    np.testing.assert_allclose(s2sad.elementwise_grad(np.tanh.__call__ if False else tanh_sq)(x),
                               2 * np.tanh(x) * (1 - np.tanh(x) ** 2))


def tanh_sq(x):
    return np.tanh(x) ** 2


# ---------------------------------------------------------------- Jacobians and Hessians


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_jacobian_modes_agree_with_finite_differences(mode):
    x = np.array([0.3, -0.4, 1.1])
    J = s2sad.jacobian(vector_out, mode=mode)(x)
    np.testing.assert_allclose(J, fd_jacobian(vector_out, (x,), 0), rtol=1e-6, atol=1e-9)


def matrix_out(A, b):
    return np.tanh(A @ b)


def test_jacobian_shapes_and_tuples():
    A, b = RNG.normal(size=(2, 3)), RNG.normal(size=3)
    JA, Jb = s2sad.jacobian(matrix_out, wrt=(0, 1))(A, b)
    assert JA.shape == (2, 2, 3) and Jb.shape == (2, 3)
    np.testing.assert_allclose(JA, fd_jacobian(matrix_out, (A, b), 0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(Jb, fd_jacobian(matrix_out, (A, b), 1), rtol=1e-6, atol=1e-9)
    JA_r, Jb_r = s2sad.jacobian(matrix_out, wrt=(0, 1), mode="reverse")(A, b)
    np.testing.assert_allclose(JA_r, JA, rtol=1e-12)
    np.testing.assert_allclose(Jb_r, Jb, rtol=1e-12)


def pair_out(x):
    return np.sin(x), np.sum(x ** 2)


def test_jacobian_of_a_tuple_output():
    x = np.array([0.2, 0.9])
    for mode in ("forward", "reverse"):
        J0, J1 = s2sad.jacobian(pair_out, mode=mode)(x)
        np.testing.assert_allclose(J0, np.diag(np.cos(x)), rtol=1e-12)
        np.testing.assert_allclose(J1, 2 * x, rtol=1e-12)


@pytest.mark.parametrize("f, args, wrt", SCALAR_PROGRAMS, ids=lambda p: getattr(p, "__name__",
                                                                                 ""))
def test_hessian_is_symmetric_and_the_derivative_of_the_gradient(f, args, wrt):
    i = wrt[0]
    H = s2sad.hessian(f, wrt=i)(*args)
    size = np.size(args[i])
    flat = np.reshape(H, (size, size))
    np.testing.assert_allclose(flat, flat.T, rtol=1e-7, atol=1e-9)
    gradient = s2sad.grad(f, wrt=i)
    np.testing.assert_allclose(H, fd_jacobian(gradient, args, i, 1e-5), rtol=1e-5, atol=1e-6)
    v = RNG.normal(size=np.shape(args[i]))
    np.testing.assert_allclose(s2sad.hvp(f, wrt=i)(*args, v),
                               np.reshape(flat @ np.ravel(v), np.shape(v)), rtol=1e-9, atol=1e-12)


def test_hessian_blocks_for_several_arguments():
    x, y = np.array([0.3, -0.5, 0.9]), np.array([1.2, 0.4, -0.7])
    (Hxx, Hxy), (Hyx, Hyy) = s2sad.hessian(two_args, wrt=(0, 1))(x, y)
    np.testing.assert_allclose(Hxy, Hyx.T, rtol=1e-10)
    gx = s2sad.grad(two_args, wrt=0)
    np.testing.assert_allclose(Hxy, fd_jacobian(gx, (x, y), 1, 1e-5), rtol=1e-5)
    np.testing.assert_allclose(Hxx, fd_jacobian(gx, (x, y), 0, 1e-5), rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------- derivatives of derivatives


def sine(x):
    return np.sin(x)


def poly_sin(x):
    return np.sin(x) * x ** 2


def test_grad_of_grad_is_the_second_derivative():
    # (once: the outer grad differentiated f again and returned cos(1))
    assert s2sad.grad(s2sad.grad(sine))(1.0) == pytest.approx(-math.sin(1.0), rel=1e-12)
    x = 0.7
    second = 2 * math.sin(x) + 4 * x * math.cos(x) - x ** 2 * math.sin(x)
    third = 6 * math.cos(x) - 6 * x * math.sin(x) - x ** 2 * math.cos(x)
    d2 = s2sad.grad(s2sad.grad(poly_sin))
    assert d2(x) == pytest.approx(second, rel=1e-12)
    assert s2sad.grad(d2)(x) == pytest.approx(third, rel=1e-12)
    assert s2sad.grad(s2sad.grad(d2))(x) == pytest.approx(
        -12 * math.sin(x) - 8 * x * math.cos(x) + x ** 2 * math.sin(x), rel=1e-10)


def abs_cubed(x):
    return abs(x) ** 3


def signed_fourth_power(x):
    return np.sign(x) * x ** 4


def fabs_cubed_plus_square(x):
    return math.fabs(x) ** 3 + x ** 2


def abs_cubed_times_x(x):
    return np.sum(np.abs(x) ** 3 * x)


def test_third_and_fourth_derivatives_through_abs_and_sign():
    """An outside tester: the third derivative of |x|^3 was refused,
    naming s2sad's abs_sign_tangent (|x|'s second derivative had no
    tangent rule), though any order works through inline code."""
    g = s2sad.grad
    for x in (0.8, -0.8):
        sign = math.copysign(1.0, x)
        assert g(g(g(abs_cubed)))(x) == pytest.approx(6 * sign, rel=1e-12)
        assert g(g(g(g(abs_cubed))))(x) == 0.0
        assert g(g(g(signed_fourth_power)))(x) == pytest.approx(24 * abs(x), rel=1e-12)
        assert g(g(g(fabs_cubed_plus_square)))(x) == pytest.approx(6 * sign, rel=1e-12)
        # (the third derivative against differences of the second)
        h = 1e-5
        d2 = g(g(abs_cubed))
        assert s2sad.jvp(d2, (x,), (1.0,))[1] == pytest.approx(
            (d2(x + h) - d2(x - h)) / (2 * h), rel=1e-6)
    x = np.array([0.8, -0.5])
    np.testing.assert_allclose(s2sad.hessian(abs_cubed_times_x)(x),
                               np.diag(12 * x * np.abs(x)), rtol=1e-12)


def cube(x):
    return x ** 3


dcube = s2sad.grad(cube)


def uses_dcube(x):
    return dcube(x) * np.sin(x)


def newton_step_objective(x):
    g = s2sad.grad(cube)
    y = x - g(x) / 6.0
    return y ** 2


def test_functions_that_call_a_gradient_get_all_of_their_gradient():
    # (once: the gradient of the inner grad(f) call was half or none of it)
    x = 0.5
    assert s2sad.grad(uses_dcube)(x) == pytest.approx(
        6 * x * math.sin(x) + 3 * x ** 2 * math.cos(x), rel=1e-12)
    eps = 1e-6
    fd = (newton_step_objective(0.9 + eps) - newton_step_objective(0.9 - eps)) / (2 * eps)
    assert s2sad.grad(newton_step_objective)(0.9) == pytest.approx(fd, rel=1e-7)


def test_forward_mode_through_a_gradient_call():
    x = 0.5
    _, t = s2sad.jvp(uses_dcube, (x,), (1.0,))
    assert t == pytest.approx(6 * x * math.sin(x) + 3 * x ** 2 * math.cos(x), rel=1e-12)


def test_jacobian_of_grad_is_the_hessian():
    W, x = RNG.normal(size=(3, 4)) * 0.5, RNG.normal(size=4)
    J = s2sad.jacobian(s2sad.grad(mlp), mode="forward")(W, x)
    H = s2sad.hessian(mlp)(W, x)
    np.testing.assert_allclose(J, H, rtol=1e-12)
    J_rev = s2sad.jacobian(s2sad.grad(mlp), mode="reverse")(W, x)
    np.testing.assert_allclose(J_rev, H, rtol=1e-9, atol=1e-12)


def test_grad_of_a_gradient_with_an_array_argument_says_to_use_hessian():
    with pytest.raises(s2sad.NonScalarOutputError, match="hessian"):
        s2sad.grad(s2sad.grad(tanh_sq_sum))(np.ones(3))


def tanh_sq_sum(x):
    return np.sum(np.tanh(x) ** 2)


# ---------------------------------------------------------------- has_aux


def loss_with_aux(w, x):
    pred = np.tanh(x @ w)
    return np.sum(pred ** 2), pred


def test_has_aux():
    w, x = RNG.normal(size=3), RNG.normal(size=(4, 3))
    g, pred = s2sad.grad(loss_with_aux, has_aux=True)(w, x)
    np.testing.assert_allclose(pred, np.tanh(x @ w))
    np.testing.assert_allclose(g, fd_jacobian(lambda w: loss_with_aux(w, x)[0], (w,), 0),
                               rtol=1e-6)
    (value, aux), g2 = s2sad.value_and_grad(loss_with_aux, has_aux=True)(w, x)
    assert value == pytest.approx(loss_with_aux(w, x)[0])
    np.testing.assert_allclose(g2, g)
    J, aux = s2sad.jacobian(loss_with_aux, has_aux=True, mode="reverse")(w, x)
    np.testing.assert_allclose(J, g)
    J, aux = s2sad.jacobian(loss_with_aux, has_aux=True, mode="forward")(w, x)
    np.testing.assert_allclose(J, g, rtol=1e-12)


def inner_h(y):
    return np.sin(y) * y


def calls_inner(x, y):
    return np.sum(inner_h(y) * x ** 2)


def test_hessian_blocks_through_a_helper_call():
    """The helper's halves get a forward layer each; the mixed block needs the
    backward half's layer even where the helper's arguments do not move."""
    x, y = np.array([0.3, 0.5]), np.array([0.7, -0.2])
    H = s2sad.hessian(calls_inner, wrt=(0, 1))(x, y)
    g = s2sad.grad(calls_inner, wrt=(0, 1))
    for a in range(2):
        for b in range(2):
            expected = fd_jacobian(lambda *args, a=a: g(*args)[a], (x, y), b, 1e-5)
            np.testing.assert_allclose(H[a][b], expected, rtol=1e-6, atol=1e-8)


def test_show_modes():
    jvp_code = s2sad.show(mlp, mode="jvp")
    assert "def jmlp(W, x, *, W_dot):" in jvp_code and "np.tanh" in jvp_code
    assert "def jdmlp(W, x, *, dout=1.0, W_dot):" in s2sad.show(mlp, mode="hessian")
    halves = s2sad.show(mlp, mode="vjp")
    assert "def dmlp_forward(W, x):" in halves and "def dmlp_backward(state, dout):" in halves
    nested = s2sad.show(s2sad.grad(s2sad.grad(sine)))
    assert "x_dot" in nested and "np.sin" in nested
    with pytest.raises(s2sad.S2sadError, match="mode must be"):
        s2sad.show(mlp, mode="backwards")


def holomorphic_square(z):
    return z ** 2


def abs_squared_plus(z):
    return np.abs(z) ** 2 + np.real(z ** 3)


def real_of_phase(x):
    return np.real(np.exp(1j * x))


def test_complex_arguments_of_the_transforms():
    z = np.array([1 + 2j])
    np.testing.assert_allclose(s2sad.jacobian(holomorphic_square, holomorphic=True)(z),
                               [[2 + 4j]])
    with pytest.raises(s2sad.ArgumentTypeError, match="holomorphic"):
        s2sad.jacobian(holomorphic_square)(z)
    _, t = s2sad.jvp(holomorphic_square, (z,), (np.array([1.0]),))  # a real direction
    np.testing.assert_allclose(t, [2 + 4j])
    (adjoint,) = s2sad.vjp(real_of_phase, 1.0)[1](1.0)
    assert isinstance(adjoint, float) and adjoint == pytest.approx(-math.sin(1.0))
    with pytest.raises(s2sad.NonScalarOutputError, match="complex"):
        s2sad.grad(s2sad.grad(abs_squared_plus))(1 + 2j)


def test_jacobian_of_a_structure_is_refused_at_the_definition():
    def g(p):
        return np.tanh(p["W"]) * p["s"]

    with pytest.raises(s2sad.ArgumentTypeError, match="argument is a dict") as info:
        s2sad.jacobian(g)({"W": np.array([0.1, 0.2]), "s": 1.5})
    assert info.value.loc is not None and "def g(p)" in info.value.loc.text
    with pytest.raises(s2sad.ArgumentTypeError, match="argument is a dict"):
        s2sad.hessian(lambda p: np.sum(g(p)))({"W": np.array([0.1, 0.2]), "s": 1.5})


def real_part_times_imaginary(x):
    z = x * (1.0 + 2.0j)
    return np.sum(np.real(z) * np.imag(z))


def real_of_a_square(x):
    z = x * (1.0 + 2.0j)
    return np.real(np.sum(z * z))


def test_hessian_of_a_real_function_through_complex_values_is_real():
    # (grad takes the real part for a real argument; its derivative once kept
    # the imaginary part: 4 + 3j on the diagonal)
    x = np.array([1.0, 1.4])
    for fn, second in ((real_part_times_imaginary, 4.0), (real_of_a_square, -6.0)):
        H = s2sad.hessian(fn)(x)
        assert H.dtype == np.float64
        np.testing.assert_allclose(H, second * np.eye(2), atol=1e-12)
        np.testing.assert_allclose(s2sad.jvp(s2sad.grad(fn), (x,), (np.ones(2),))[1],
                                   np.full(2, second), atol=1e-12)


def tanh_recurrence(x, W):
    h = x
    for _ in range(3):
        h = np.tanh(W @ h) + x
    return h


def same_value(x):
    return x


def test_a_pullback_stays_at_its_point_when_the_caller_updates_an_input():
    # (a second call once ran the forward half on the caller's updated array)
    x, W = np.array([0.1, -0.2, 0.3]), 0.5 * np.eye(3)
    _, pullback = s2sad.vjp(tanh_recurrence, x, W)
    u = np.ones(3)
    first = pullback(u)[0].copy()
    x -= 0.5  # (an optimizer's step, in place)
    np.testing.assert_array_equal(pullback(u)[0], first)
    t = np.array([1.0, 2.0, 3.0])
    _, tangent = s2sad.jvp(same_value, (x,), (t,))
    assert tangent is not t
    np.testing.assert_array_equal(tangent, t)



def sin_times(x):
    return np.sin(x) * x


def through_a_helper(x):
    return sin_times(x) * x


def through_a_local_def(x):
    def sin_times(x):
        return np.sin(x) * x
    return sin_times(x) * x


def test_a_third_derivative_through_a_call_is_refused_clearly():
    # d3/dx3 of x^2 sin x = 6 cos x - 6 x sin x - x^2 cos x
    third = 6 * np.cos(0.4) - 6 * 0.4 * np.sin(0.4) - 0.4 ** 2 * np.cos(0.4)
    assert s2sad.grad(s2sad.grad(s2sad.grad(through_a_local_def)))(0.4) == \
        pytest.approx(third, rel=1e-12)
    assert s2sad.grad(s2sad.grad(through_a_helper))(0.4) == \
        pytest.approx(s2sad.grad(s2sad.grad(through_a_local_def))(0.4), rel=1e-12)
    with pytest.raises(s2sad.S2sadError, match="third derivative through a call") as info:
        s2sad.grad(s2sad.grad(s2sad.grad(through_a_helper)))(0.4)
    assert "stop_gradient" not in str(info.value) and "local def" in str(info.value)


def sin_x_squared(x):
    return np.sum(np.sin(x) * x ** 2)


def sin_times_x(x):
    return np.sin(x) * x


def test_jacobians_and_hessians_keep_float32_as_grad_does():
    x = np.array([0.3, 0.7, -1.2], dtype=np.float32)
    H = s2sad.hessian(sin_x_squared)(x)
    assert H.dtype == np.float32 == s2sad.grad(sin_x_squared)(x).dtype
    np.testing.assert_allclose(H, s2sad.hessian(sin_x_squared)(x.astype(np.float64)),
                               rtol=1e-5, atol=1e-6)
    for mode in ("forward", "reverse"):
        J = s2sad.jacobian(sin_times_x, mode=mode)(x)
        assert J.dtype == np.float32
        np.testing.assert_allclose(J, np.diag(np.cos(x) * x + np.sin(x)), rtol=1e-5, atol=1e-6)
    assert s2sad.jacobian(sin_times_x)(np.array([1, 2])).dtype == np.float64  # (ints: float64)


def cubes_and_a_pair(x, y):
    return np.sum(x ** 3) + x[0] * x[1] * y


def test_hvp_and_jvp_refuse_directions_of_another_shape():
    # (hvp broadcast a column vector: three times H @ v, or NumPy's errors)
    x = np.array([1.0, 2.0, 3.0])
    H = np.diag(6 * x) + np.array([[0, 2.0, 0], [2.0, 0, 0], [0, 0, 0]])
    np.testing.assert_allclose(s2sad.hvp(cubes_and_a_pair)(x, 2.0, np.ones(3)), H @ np.ones(3))
    for wrong in (np.ones((3, 1)), np.ones(1), 1.0):
        with pytest.raises(s2sad.ArgumentTypeError, match="a tangent has shape"):
            s2sad.hvp(cubes_and_a_pair)(x, 2.0, wrong)
        with pytest.raises(s2sad.ArgumentTypeError, match="a tangent has shape"):
            s2sad.jvp(cubes_and_a_pair, (x, 2.0), (wrong, None))
    with pytest.raises(s2sad.ArgumentTypeError, match="its primal is a number"):
        s2sad.jvp(cubes_and_a_pair, (x, 2.0), (None, np.ones(2)))
    with pytest.raises(s2sad.ArgumentTypeError, match="vectors for 2 differentiated"):
        s2sad.hvp(cubes_and_a_pair, wrt=(0, 1))(x, 2.0, (np.ones(3),))
    both = s2sad.hvp(cubes_and_a_pair, wrt=(0, 1))(x, 2.0, (np.ones(3), 1.0))
    np.testing.assert_allclose(both[0], H @ np.ones(3) + [2.0, 1.0, 0.0])


def test_jvp_takes_tuples_of_primals_and_tangents():
    x = np.array([1.0, 2.0, 3.0])
    for primals, tangents in ((x, np.ones(3)), (0.5, 1.0), ((x,), np.ones(3))):
        with pytest.raises(s2sad.ArgumentTypeError, match="as tuples") as info:
            s2sad.jvp(np.sum, primals, tangents)
        assert "s2sad.jvp(f, (x,), (t,))" in info.value.hint
    assert s2sad.jvp(np.sum, [x], [np.ones(3)])[1] == pytest.approx(3.0)


def squares_first_in_place(x):
    x[0] = x[0] ** 2  # (writes into its argument: s2sad's code writes into a copy)
    return np.sin(x)


def test_transforms_leave_the_callers_arrays_as_they_were():
    # (linearize and jacobian ran the user's function on the caller's array:
    # it moved, and the derivative was taken at the moved point)
    x = np.array([0.5, 1.0])
    expected = np.array([2 * 0.5 * np.cos(0.25), np.cos(1.0)])
    value, f_jvp = s2sad.linearize(squares_first_in_place, x)
    np.testing.assert_array_equal(x, [0.5, 1.0])
    np.testing.assert_allclose(value, np.sin([0.25, 1.0]))
    np.testing.assert_allclose(f_jvp(np.ones(2)), expected)
    x[1] = 3.0  # (the caller's later update does not move the linearization point)
    np.testing.assert_allclose(f_jvp(np.ones(2)), expected)
    x = np.array([0.5, 1.0])
    for mode in ("forward", "reverse"):
        J = s2sad.jacobian(squares_first_in_place, mode=mode)(x)
        np.testing.assert_array_equal(x, [0.5, 1.0])
        np.testing.assert_allclose(np.diag(J), expected)
    s2sad.jvp(squares_first_in_place, (x,), (None,))
    np.testing.assert_allclose(s2sad.numerical_gradient(
        lambda v: np.sum(squares_first_in_place(v)), (x,), 0), expected, rtol=1e-6)
    np.testing.assert_array_equal(x, [0.5, 1.0])
    # vjp's halves may write into their own copies, as grad's code does
    value, pullback = s2sad.vjp(squares_first_in_place, x)
    for _ in range(2):  # (the second call runs the forward half again, on the same copies)
        np.testing.assert_allclose(pullback(np.ones(2))[0], expected)
    np.testing.assert_array_equal(x, [0.5, 1.0])
    np.testing.assert_allclose(s2sad.elementwise_grad(squares_first_in_place)(x), expected)


def cubic_of_entries(p):
    return p["w"] ** 3 * p["n"] + p["items"][0] * p["items"][1]


def test_a_none_tangent_inside_a_structure_holds_that_leaf_fixed():
    p = {"w": np.array([0.5, 1.5]), "n": 2.0, "items": [np.array([1.0, 2.0]), 3.0]}
    t = {"w": np.ones(2), "n": None, "items": [None, 1.0]}
    _, tangent = s2sad.jvp(cubic_of_entries, (p,), (t,))
    np.testing.assert_allclose(tangent, 3 * p["w"] ** 2 * 2.0 + p["items"][0])


def calls_jvp_inside(x):
    return s2sad.jvp(np.sin, (x,), (np.ones_like(x),))[1] * x


def calls_hvp_inside(x):
    return np.sum(s2sad.hvp(lambda u: np.sum(u ** 4))(x, np.ones_like(x)))


def local_grad_inside(s):
    def inner(t):
        return t * s
    return s2sad.grad(inner)(s) * s


@pytest.mark.parametrize("f, what", [(calls_jvp_inside, "s2sad.jvp"),
                                     (calls_hvp_inside, "the result of s2sad.hvp"),
                                     (local_grad_inside, "s2sad.grad")])
def test_transforms_called_inside_a_differentiated_function_are_refused_clearly(f, what):
    # ("unsupported statement: try" pointed into s2sad's own files)
    with pytest.raises(s2sad.NoAdjointError, match=f"differentiating through {what}, called "
                       "inside the function") as info:
        s2sad.grad(lambda x: np.sum(f(x)))(np.array([0.3, 0.7]))
    assert "s2sad/" not in str(info.value).splitlines()[0]


def test_a_transforms_result_differentiated_again_says_what_composes():
    for again in (lambda: s2sad.jacobian(s2sad.jacobian(np.sin)),
                  lambda: s2sad.elementwise_grad(s2sad.elementwise_grad(np.sin))):
        with pytest.raises(s2sad.S2sadError, match="again is not supported") as info:
            again()(np.array([0.3, 0.7]))
        assert "hessian" in info.value.hint


def built_in_place(x):
    y = np.zeros(3)
    y[0] = x[0] * x[1]
    y[1] = np.sin(x[2])
    y[2] = x[1] ** 2
    return y


def loss_and_built(x):
    y = built_in_place(x * 1.0)
    z = np.empty(2)
    z[0], z[1] = y[0] + y[1], y[2]
    return np.sum(z * z), {"z": z, "pair": (z, y[0])}


def test_the_backward_pass_leaves_the_returned_arrays_as_they_were():
    # (the backward pass restores arrays written in place: it restored the
    # very array vjp returned as the value, and grad's aux data)
    x = np.array([0.5, -1.0, 2.0])
    expected = np.array([-0.5, np.sin(2.0), 1.0])
    for backend in ("numpy", "auto"):
        y, pullback = s2sad.vjp(built_in_place, x, backend=backend)
        for _ in range(2):
            pullback(np.ones(3))
            np.testing.assert_allclose(y, expected)
        g, aux = s2sad.grad(loss_and_built, has_aux=True, backend=backend)(x)
        z = np.array([expected[0] + expected[1], expected[2]])
        np.testing.assert_allclose(aux["z"], z)
        np.testing.assert_allclose(aux["pair"][0], z)
        s2sad.check_grad(lambda v: loss_and_built(v)[0], x)


def test_the_copy_before_restores_keeps_a_dicts_type():
    # (snapshot copies the arrays a value holds before the backward pass
    # restores them: a dict subclass stays its type, with its settings)
    from s2sad.runtime import snapshot

    y = np.ones(2)
    for d in (collections.OrderedDict(y=y), collections.defaultdict(list, y=y), {"y": y}):
        copied = snapshot(d)
        assert type(copied) is type(d) and copied["y"] is not y
        np.testing.assert_array_equal(copied["y"], y)
    assert snapshot(collections.defaultdict(list, y=y)).default_factory is list


def coupled(x, y):
    return np.sum(x ** 2 * y) + np.sum(y ** 3)


def test_hessian_and_hvp_take_wrt_in_any_order_and_repeated():
    # (non-ascending or repeated wrt was refused as "differentiating the result of
    # s2sad.grad again"; a one-item tuple raised IndexError)
    x, y = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    full = s2sad.hessian(coupled, wrt=(0, 1))(x, y)
    for wrt, order in (((1, 0), (1, 0)), (("y", "x"), (1, 0)), ((0, 0), (0, 0)), ((0,), (0,)),
                       ((1, 0, 1), (1, 0, 1))):
        h = s2sad.hessian(coupled, wrt=wrt)(x, y)
        assert len(h) == len(order) and all(len(row) == len(order) for row in h)
        for i, p in enumerate(order):
            for j, q in enumerate(order):
                np.testing.assert_allclose(h[i][j], full[p][q])
        arrays = [b for row in h for b in row]
        assert len({id(b) for b in arrays}) == len(arrays)  # (blocks of their own)
        v = tuple(np.array([0.3, -0.7]) * (k + 1) for k in range(len(order)))
        hv = s2sad.hvp(coupled, wrt=wrt)(x, y, v)
        for i, p in enumerate(order):
            want = sum(full[p][q] @ v[j] for j, q in enumerate(order))
            np.testing.assert_allclose(hv[i], want)
    np.testing.assert_allclose(s2sad.hessian(coupled, wrt=1)(x, y), full[1][1])
    with pytest.raises(s2sad.WrtError, match="whole arguments"):
        s2sad.hessian(lambda a, *xs: np.sum(a * xs[0] ** 2), wrt=1)
    with pytest.raises(s2sad.S2sadError):  # (a 1-tuple gradient is not differentiated again)
        s2sad.jacobian(s2sad.grad(coupled, wrt=(0,)))(x, y)


@dataclasses.dataclass
class Weights:
    w: np.ndarray
    b: float


WeightsTuple = collections.namedtuple("WeightsTuple", "w b")


def weighted_sine(p):
    return np.sum(np.sin(p.w) * p.w) * p.b ** 2


@pytest.mark.parametrize("cls", [Weights, WeightsTuple])
def test_hvp_of_a_record_is_a_record_as_grads_is(cls):
    p, v = cls(np.array([0.5, -1.0, 0.3]), 0.7), cls(np.ones(3), 1.0)
    hv = s2sad.hvp(weighted_sine)(p, v)
    assert type(hv) is cls and type(s2sad.grad(weighted_sine)(p)) is cls
    step = 1e-6
    up = s2sad.grad(weighted_sine)(cls(p.w + step * v.w, p.b + step * v.b))
    down = s2sad.grad(weighted_sine)(cls(p.w - step * v.w, p.b - step * v.b))
    np.testing.assert_allclose(hv.w, (up.w - down.w) / (2 * step), rtol=1e-5, atol=1e-7)
    assert hv.b == pytest.approx((up.b - down.b) / (2 * step), rel=1e-5)


def sums_the_weights(params):
    total = 0.0
    for name, val in params.items():
        if name.startswith("w"):  # (a str method of a dict's key)
            total = total + np.sum(val ** 2)
    return total


def test_forward_mode_calls_library_methods_of_keys():
    # (jvp refused `name.startswith`: the keys of a varied dict were taken for
    # varied values; grad did not)
    p = {"w1": np.array([1.0, 2.0]), "b": np.array([0.5])}
    t = {"w1": np.array([1.0, 0.0]), "b": np.array([1.0])}
    value, tangent = s2sad.jvp(sums_the_weights, (p,), (t,))
    assert (value, tangent) == pytest.approx((5.0, 2.0))


def slope_of_tanh(x):
    return s2sad.grad(np.tanh)(x) * x


def squared_slope(x):
    return slope_of_tanh(x) ** 2


def test_a_third_derivative_through_a_called_gradient_points_at_the_call():
    """(the refusal, raised when the call runs, had no location)"""
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="third derivative") as info:
        s2sad.grad(s2sad.grad(squared_slope))(0.3)
    assert info.value.loc is not None
    assert info.value.loc.line == slope_of_tanh.__code__.co_firstlineno + 1


ACTIVATION = np.sin


def activated(z):
    return np.sum(ACTIVATION(z))


def test_a_callee_rebound_after_linearize_or_vjp_is_an_error():
    """(the linearized function took the new callee's derivative)"""
    global ACTIVATION
    x = np.array([1.0, 2.0])
    _, f_jvp = s2sad.linearize(activated, x)
    _, pullback = s2sad.vjp(activated, x)
    try:
        ACTIVATION = np.exp
        with pytest.raises(s2sad.S2sadError, match="ACTIVATION, which the function reads, "
                           "changed after linearize"):
            f_jvp(np.ones(2))
        with pytest.raises(s2sad.S2sadError, match="changed after vjp"):
            pullback(1.0)
    finally:
        ACTIVATION = np.sin
    np.testing.assert_allclose(f_jvp(np.ones(2)), np.sum(np.cos(x)))


def x_squared_times_y(x, y):
    return np.sum(x ** 2 * y)


def test_hvp_short_of_an_argument_is_pythons_type_error_naming_the_function():
    """An outside tester: `hvp(g)(x, v)` for `g(x, y)` raised a TypeError
    naming s2sad's generated `jdg`; grad and hessian name g."""
    x = np.ones(2)
    with pytest.raises(TypeError, match=r"x_squared_times_y\(\): missing a required argument"):
        s2sad.hvp(x_squared_times_y)(x, x)
    np.testing.assert_allclose(s2sad.hvp(x_squared_times_y)(x, 2 * x, x), 4 * x)
