"""Complex numbers: every entry that NumPy lets take complex arrays, checked
against finite differences in the real and the imaginary direction, and
against autograd where it has the entry.

The convention is JAX's and autograd's (notes in docs/ops.md): the gradient
of a real f of complex z is df/dRe z - i df/dIm z; the adjoint of a
holomorphic function is g * f'(z), without conjugation; a real input's
gradient is real. Each case (tests/op_cases.py) is a function y = f(z, ...);
the checks differentiate the real loss

    L = sum(Re(y) * WR) + sum(Im(y) * WI)

(fixed uneven weights: a conjugated, transposed or real-part-only gradient
cannot pass) with `grad`, the pullback of `vjp` with the cotangent
WR - i WI (which is L's gradient by the convention), and the tangent of
`jvp` along real and imaginary directions. Cases NumPy computes but s2sad
refuses for complex inputs must raise an s2sad error in all three.
"""

from __future__ import annotations

import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from op_cases import (
    CASES,
    EPS,
    WI,
    WR,
    Case,
    arguments,
    autograd_reason,
    differentiable,
    inputs_for,
    loss_of,
    moved,
    numeric_gradient,
    scipy,
)

import s2sad

# ---------------------------------------------------------------- the loss


def cotangent(y: Any) -> Any:
    """The cotangent that makes the pullback L's gradient: WR - i WI (WR for a
    real y, whose cotangent is real)."""
    shape = np.shape(y)
    return WR(shape) - 1j * WI(shape) if np.iscomplexobj(y) else WR(shape)


def assert_close(ours: Any, expected: Any, what: str, rtol: float = 1e-5,
                 atol: float = 1e-6) -> None:
    ours, expected = np.asarray(ours), np.asarray(expected)
    assert ours.shape == expected.shape, f"{what}: shape {ours.shape}, expected {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(ours, expected, rtol=rtol, atol=atol * scale, err_msg=what)


# ---------------------------------------------------------------- the table


def _params(mode_ok: Callable[[Case], bool]) -> list:
    params = []
    for case in CASES:
        if not mode_ok(case):
            continue
        for k, inputs in enumerate(inputs_for(case, True)):
            params.append(pytest.param(case, inputs, k, id=f"{case.id}:{k}"))
    return params


COMPLEX_CASES = _params(lambda case: case.complex and not case.refused)
REFUSED_CASES = _params(lambda case: bool(case.refused))


def _setup(case: Case, inputs: tuple, k: int) -> tuple:
    args = arguments(inputs, "c16", seed=1000 + k)
    return args, differentiable(inputs), loss_of(case.fn, len(args))


@pytest.fixture(autouse=True)
def _quiet():
    # (complex values cast to real arrays warn; division by zero at singular points)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        yield


@pytest.mark.parametrize("case, inputs, k", COMPLEX_CASES)
def test_gradient_matches_finite_differences(case: Case, inputs: tuple, k: int) -> None:
    """grad of L is df/dRe - i df/dIm for complex inputs, and real for real
    ones; so is vjp's pullback of the cotangent WR - i WI (the adjoint rules
    themselves, without np.real and np.imag around them)."""
    args, wrt, loss = _setup(case, inputs, k)
    expected = {i: numeric_gradient(loss, args, i) for i in wrt}
    grads = s2sad.grad(loss, wrt=wrt)(*args)
    for i, g in zip(wrt, grads):
        assert_close(g, expected[i], f"{case.id}: gradient of argument {i}")
        if not np.iscomplexobj(args[i]):
            assert not np.iscomplexobj(g), f"{case.id}: a real argument's gradient is complex"
        else:
            assert np.iscomplexobj(g), f"{case.id}: a complex argument's gradient is real"
    if any(isinstance(a, float) for i, a in enumerate(args) if i not in wrt):
        return  # (vjp would differentiate the float constant too)
    y, pullback = s2sad.vjp(case.fn, *args)
    pulled = pullback(cotangent(y))
    for i in wrt:
        ours = pulled[i] if np.iscomplexobj(args[i]) else np.real(pulled[i])
        assert_close(ours, expected[i], f"{case.id}: pullback for argument {i}")


def _direction(x: Any, rng: np.random.Generator, imaginary: bool) -> Any:
    """A random tangent of x's dtype (as JAX requires), real or imaginary."""
    r = rng.normal(size=np.shape(x))
    t = 1j * r if imaginary else r.astype(complex) if np.iscomplexobj(x) else r
    return t if isinstance(x, np.ndarray) else t.item()


@pytest.mark.parametrize("case, inputs, k", COMPLEX_CASES)
def test_tangent_matches_finite_differences(case: Case, inputs: tuple, k: int) -> None:
    """jvp along real and along imaginary directions (of the complex inputs;
    real inputs move along real directions or not at all) equals the central
    difference of f along them, a real output's tangent is real, and L's
    gradient paired with the direction, Re(sum(grad * t)), is L's tangent."""
    args, wrt, loss = _setup(case, inputs, k)
    rng = np.random.default_rng(7 + k)
    grads = s2sad.grad(loss, wrt=wrt)(*args)
    for direction in ("real", "imaginary"):
        imaginary = direction == "imaginary"
        tangents: list = [None] * len(args)
        for i in wrt:
            if np.iscomplexobj(args[i]):
                tangents[i] = _direction(args[i], rng, imaginary)
            elif not imaginary:
                tangents[i] = _direction(args[i], rng, False)
        if all(t is None for t in tangents):
            continue  # (no complex input to move in the imaginary direction)
        if case.no_tangent:
            with pytest.raises(s2sad.S2sadError, match="no tangent"):
                s2sad.jvp(case.fn, args, tangents)
            continue
        value, tangent = s2sad.jvp(case.fn, args, tangents)
        plus = case.fn(*moved(args, tangents, EPS))
        minus = case.fn(*moved(args, tangents, -EPS))
        expected = (np.asarray(plus) - np.asarray(minus)) / (2 * EPS)
        what = f"{case.id}: along {direction} directions"
        assert_close(value, case.fn(*args), f"{what}: value", rtol=1e-12, atol=1e-12)
        assert_close(tangent, expected, f"{what}: tangent")
        if not np.iscomplexobj(value):
            assert not np.iscomplexobj(tangent), f"{what}: a real output's tangent is complex"
        paired = sum(np.real(np.sum(g * tangents[i])) for g, i in zip(grads, wrt)
                     if tangents[i] is not None)
        along = np.sum(np.real(tangent) * WR(np.shape(value))) + \
            np.sum(np.imag(tangent) * WI(np.shape(value)))
        assert_close(paired, along, f"{what}: the gradient paired with the direction")


# ---------------------------------------------------------------- autograd


def _autograd_scipy() -> Any:
    """autograd's SciPy, spelled as SciPy is (`scipy.special.erf`)."""
    modules = {}
    for name in ("special", "stats", "linalg", "signal", "integrate"):
        modules[name] = pytest.importorskip(f"autograd.scipy.{name}")
    return types.SimpleNamespace(**modules)


def _with_numpy(fn: Callable, module: Any) -> Callable:
    """fn's code with `np` bound to `module` (autograd.numpy), and `scipy`
    to autograd's SciPy."""
    names = {"np": module, "scipy": _autograd_scipy()}
    return types.FunctionType(fn.__code__, {**fn.__globals__, **names}, fn.__name__,
                              fn.__defaults__, fn.__closure__)


@pytest.mark.parametrize("case, inputs, k", COMPLEX_CASES)
def test_gradient_matches_autograd(case: Case, inputs: tuple, k: int) -> None:
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    reason = autograd_reason(case, k)
    if reason:
        pytest.skip(f"autograd {reason}")
    args, wrt, loss = _setup(case, inputs, k)
    theirs_fn = _with_numpy(case.fn, anp)

    def their_loss(*a: Any) -> Any:
        y = theirs_fn(*a)
        return anp.sum(anp.real(y) * WR(anp.shape(y))) + anp.sum(anp.imag(y) * WI(anp.shape(y)))

    theirs = autograd.grad(their_loss, wrt)(*args)
    ours = s2sad.grad(loss, wrt=wrt)(*args)
    for i, g, h in zip(wrt, ours, theirs):
        assert_close(g, h, f"{case.id}: s2sad vs autograd, argument {i}", rtol=1e-9,
                     atol=1e-10)


@pytest.mark.parametrize("case", [c for c in CASES if not c.complex], ids=lambda c: c.id)
def test_real_only_cases_are_those_numpy_refuses_for_complex(case: Case) -> None:
    """A case marked real-only is one that NumPy (or Python) refuses to
    compute for complex numbers, so the table skips no complex entry."""
    args = arguments(case.inputs[0], "c16", seed=1)
    with pytest.raises(TypeError):
        case.fn(*args)


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("case, inputs, k", REFUSED_CASES)
def test_refused_complex_inputs_raise_an_s2sad_error(case: Case, inputs: tuple, k: int) -> None:
    """An entry whose complex derivative s2sad does not implement (NumPy
    computes it) refuses complex inputs with its own error in every mode:
    grad, vjp's pullback and jvp, never a number."""
    args, wrt, loss = _setup(case, inputs, k)
    case.fn(*args)  # (NumPy takes them)
    with pytest.raises(s2sad.S2sadError, match="real"):
        s2sad.grad(loss, wrt=wrt)(*args)
    with pytest.raises(s2sad.S2sadError, match="real"):
        y, pullback = s2sad.vjp(case.fn, *args)
        pullback(cotangent(y))
    tangents = [_direction(a, np.random.default_rng(k), False) if i in wrt else None
                for i, a in enumerate(args)]
    with pytest.raises(s2sad.S2sadError, match="real"):
        s2sad.jvp(case.fn, args, tangents)


def test_refused_cases_are_complex_cases() -> None:
    """A refusal is of complex inputs NumPy takes: a real-only case (NumPy
    refuses them itself) has nothing to refuse."""
    for case in CASES:
        assert not case.refused or case.complex, f"{case.id}: refused, but real-only"


def test_every_complex_entry_has_a_case() -> None:
    """The table covers every differentiable entry (a real-only one says so)."""
    from test_rules import EXCLUDED, _differentiable_rules
    covered = {case.rule for case in CASES}
    structural = {"make_tuple", "make_list", "make_dict", "iteration_items", "reversed_items",
                  "own", "np.arange", "dict_like", "object_with",
                  "first_item", "first_item_or"}
    missing = _differentiable_rules() - covered - EXCLUDED - structural
    assert not missing, f"add these to tests/op_cases.py: {sorted(missing)}"


# ---------------------------------------------------------------- conventions


def abs_squared(z):
    return np.abs(z) ** 2


def real_of_square(z):
    return np.real(z ** 2)


def imag_part(z):
    return np.imag(z)


def angle_of(z):
    return np.angle(z)


def square(z):
    return z ** 2


def real_of_exp_i(x):
    return np.sum(np.real(np.exp(1j * x)))


def polar(r, theta):
    return np.sum(np.real(r * np.exp(1j * theta) * (0.3 - 2.0j)))


def modulus_in_complex_product(z):
    return np.real(np.abs(z) * (2.0 + 3.0j))


@pytest.mark.parametrize("fn, expected", [
    (abs_squared, 2 - 4j), (real_of_square, 2 + 4j), (imag_part, -1j),
    (angle_of, -0.4 - 0.2j)], ids=lambda v: getattr(v, "__name__", ""))
def test_values_of_the_convention(fn: Callable, expected: complex) -> None:
    """JAX's and autograd's values at z = 1 + 2j (notes: conventions, section 2.1)."""
    assert s2sad.grad(fn)(1 + 2j) == pytest.approx(expected)
    g = s2sad.grad(fn)(np.array(1 + 2j))
    assert g.dtype == np.complex128 and g == pytest.approx(expected)
    g = s2sad.grad(fn)(np.complex64(1 + 2j))
    assert g.dtype == np.complex64 and g == pytest.approx(expected, rel=1e-6)


def test_real_input_through_complex_values_has_a_real_gradient() -> None:
    g = s2sad.grad(real_of_exp_i)(1.0)
    assert type(g) is float and g == pytest.approx(-np.sin(1.0))
    g = s2sad.grad(real_of_exp_i)(np.array([1.0, 0.5], dtype=np.float32))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, -np.sin([1.0, 0.5]), rtol=1e-6)
    gr, gt = s2sad.grad(polar, wrt=(0, 1))(np.array([1.5, 0.7]), np.array([0.3, -1.2]))
    assert not np.iscomplexobj(gr) and not np.iscomplexobj(gt)


def test_real_result_feeding_complex_values_reads_only_the_real_part() -> None:
    """|z| is real: the adjoint reaching it from (2 + 3j) |z| is complex, and
    only its real part, 2, may reach z."""
    z = 1.0 + 2.0j
    assert s2sad.grad(modulus_in_complex_product)(z) == pytest.approx(2.0 * np.conj(z) / abs(z))


def test_grad_of_a_complex_output_is_an_error() -> None:
    with pytest.raises(s2sad.NonScalarOutputError, match="real-valued") as info:
        s2sad.grad(square)(1 + 2j)
    assert "holomorphic" in str(info.value)
    with pytest.raises(s2sad.NonScalarOutputError, match="real-valued"):
        s2sad.grad(square)(np.array(1 + 2j))


def test_holomorphic_derivative_through_the_real_part() -> None:
    """The hint's recipe: for holomorphic f, grad of Re f(z) is f'(z)."""
    assert s2sad.grad(real_of_square)(1 + 2j) == pytest.approx(2 * (1 + 2j))


def test_complex_special_points() -> None:
    """At 0: |z| and sign(z) have gradient 0 (JAX's and autograd's abs), angle nan."""
    zero = np.array([0j, 1 + 1j])
    np.testing.assert_allclose(s2sad.grad(lambda_sum_abs)(zero), [0, (1 - 1j) / np.sqrt(2)])
    with np.errstate(all="ignore"):
        assert np.all(np.isnan(s2sad.grad(lambda_sum_angle)(np.array([0j])).real))
    assert s2sad.grad(lambda_sum_sign_real)(zero)[0] == 0


def lambda_sum_abs(z):
    return np.sum(np.abs(z))


def lambda_sum_angle(z):
    return np.sum(np.angle(z))


def lambda_sum_sign_real(z):
    return np.sum(np.real(np.sign(z) * (1.0 + 2.0j)))


# ---------------------------------------------------------------- check_grad


def complex_loss(z, w):
    return np.sum(np.abs(z * w) ** 2) + np.real(np.sum(np.exp(z)))


def broken_conj(z):
    return np.real(np.sum(z * np.conj(z) * (1.0 + 1.0j)))


def test_check_grad_compares_complex_gradients_in_full(monkeypatch) -> None:
    z = np.array([0.3 + 0.2j, -0.5 + 1.0j])
    gz, gw = s2sad.check_grad(complex_loss, z, 1.5 - 0.5j, wrt=(0, 1))
    assert np.iscomplexobj(gz) and isinstance(gw, complex)
    numeric = s2sad.numerical_gradient(complex_loss, [z, 1.5 - 0.5j], 0)
    np.testing.assert_allclose(gz, numeric, rtol=1e-6)
    # a rule that conjugates where it must not: the real parts agree, the check must fail
    from s2sad import pipeline
    from s2sad.primitives import TABLE
    monkeypatch.setitem(TABLE["np.conjugate"].vjp, "x", "g")
    try:
        with pytest.raises(s2sad.GradientCheckError):
            s2sad.check_grad(broken_conj, z)
    finally:
        pipeline.forget(broken_conj)


def structured(p, scale):
    return np.sum(p["w"] ** 2) * scale + np.real(p["b"][0] * p["b"][1] * 1j) + p["c"] ** 3


def test_check_grad_takes_dicts_lists_and_tuples() -> None:
    p = {"w": np.array([0.5, -1.0]), "b": [0.3 + 0.1j, 2.0], "c": 1.5}
    g = s2sad.check_grad(structured, p, 2.0)
    assert set(g) == {"w", "b", "c"} and isinstance(g["b"], list)
    np.testing.assert_allclose(g["w"], 2 * 2.0 * p["w"])
    assert type(g["c"]) is float and g["c"] == pytest.approx(3 * 1.5 ** 2)
    numeric = s2sad.numerical_gradient(structured, [p, 2.0], 0)
    assert isinstance(numeric["b"], list) and isinstance(numeric["b"][0], complex)
    assert numeric["b"][0] == pytest.approx(g["b"][0])


def kind_of_input(x):
    assert isinstance(x, list) and all(type(v) is float for v in x)
    return x[0] * x[1]


def test_numerical_gradient_perturbs_the_kind_of_input_given() -> None:
    g = s2sad.numerical_gradient(kind_of_input, [[2.0, 3.0]], 0)
    assert g == pytest.approx([3.0, 2.0])
    assert s2sad.check_grad(kind_of_input, [2.0, 3.0]) == pytest.approx([3.0, 2.0])


def is_real_kind(x):
    return np.sum(x * 2.0)


def test_check_grad_of_float32_runs_in_double_precision() -> None:
    x = np.array([0.5, 1.5], dtype=np.float32)
    g = s2sad.check_grad(is_real_kind, x)
    assert g.dtype == np.float32


def test_a_real_argument_with_a_complex_gradient_fails_the_check(monkeypatch) -> None:
    from s2sad import runtime
    original = runtime.as_gradient_of
    monkeypatch.setattr("s2sad.api.runtime.as_gradient_of",
                        lambda g, x: np.asarray(original(g, x)) + 0j)
    with pytest.raises(s2sad.GradientCheckError):
        s2sad.check_grad(is_real_kind, np.array([0.5, 1.5]))


def write_complex_into_real(x, z):
    out = x * 1.0
    out[0] = z[0]
    return np.sum(out)


def test_a_complex_value_written_into_a_real_tangent_is_an_error() -> None:
    """Forward mode cannot tell a real array (NumPy drops the imaginary part)
    from a complex one given a real tangent: either way it refuses."""
    x, z = np.array([1.0, 2.0]), np.array([1 + 1j])
    with pytest.raises(s2sad.ArgumentTypeError, match="tangent is real"):
        s2sad.jvp(write_complex_into_real, (x, z), (np.ones(2), np.array([1j])))
    # reverse mode knows x is real: the written value's gradient is Re's, 1
    np.testing.assert_array_equal(s2sad.grad(write_complex_into_real, wrt=1)(x, z), [1.0])


# ---------------------------------------------------------------- second derivatives


def h_abs_cubed(z):
    return np.sum(np.abs(z) ** 3)


def h_exp(z):
    return np.real(np.sum(np.exp(z) * (1.0 + 2.0j)))


def h_var(z):
    return np.var(z) * 1.5


def h_vdot(z):
    return np.real(np.vdot(z, z * (1.0 + 1.0j)))


def h_sinc(z):
    return np.real(np.sum(np.sinc(z) * (1.0 - 1.0j)))


def h_power(z):
    return np.real(np.sum(z ** (0.5 + 0.3j)))


def h_parts(z):
    return np.sum(np.imag(z * z) + np.real(np.conj(z) * z * 1j) + np.real(z) ** 3)


def h_slogdet(a):
    sign, logdet = np.linalg.slogdet(a)
    return np.real(sign * (0.3 + 0.7j)) + logdet


def h_inv(a):
    return np.real(np.sum(np.linalg.inv(a) * (1.0 - 0.5j)))


def h_matrix_power(a):
    return np.real(np.sum(np.linalg.matrix_power(a, 3) * (1.0 - 0.5j)))


def h_cholesky(a):
    y = np.linalg.cholesky(a * 0.3 + 3.0 * np.eye(3), upper=True)
    return np.real(np.sum(y * y * (1.0 - 0.5j)))


def h_eigvalsh(a):
    return np.sum(np.linalg.eigvalsh(a) ** 3)


def h_svdvals(a):
    return np.sum(np.linalg.svdvals(a) ** 3)


def h_irfft(z):
    return np.sum(np.fft.irfft(z * z) ** 2)


def h_interp(fp):
    y = np.interp(np.array([-0.3, 0.6, 1.1]), np.array([-1.0, 0.0, 0.5, 1.0]), fp * fp)
    return np.real(np.sum(y * (1.0 + 2.0j)))


def h_convolve(z):
    return np.real(np.sum(np.convolve(z, z * z, "same") * (0.5 - 1.0j)))


def h_digamma(z):
    return np.real(np.sum(scipy.special.digamma(z + 2.0) * (1.0 - 1.0j)))


def h_ive(z):
    return np.real(np.sum(scipy.special.ive(2.0, z) * (0.5 + 1.0j)))


def h_cho_solve(z):
    c = np.array([[2.0, 0.0, 0.0, 0.0], [0.3 - 0.2j, 1.5, 0.0, 0.0], [0.1j, -0.2, 1.8, 0.0],
                  [0.2, 0.4 + 0.1j, -0.3j, 1.2]])
    return np.real(np.sum(scipy.linalg.cho_solve((c, True), z * z) * (1.0 + 0.5j)))


def h_cho_factor(a):
    c = scipy.linalg.cho_factor(a * 0.3 + 3.0 * np.eye(3))
    x = scipy.linalg.cho_solve(c, np.array([1.0, 2.0j, -0.5]))
    return np.real(np.sum(x * x * (1.0 + 0.5j))) + np.real(np.sum(c[0] ** 2))


def h_norm_logpdf(z):
    return np.real(np.sum(scipy.stats.norm.logpdf(z, z[0] * 0.5, 1.5 + 0.2j) * (1.0 - 0.5j)))


def h_dirichlet(z):
    x = np.stack([0.2 + 0.05 * z, 0.3 - 0.04 * z])
    return np.real(np.sum(scipy.stats.dirichlet.logpdf(x, np.array([1.5, 2.0, 2.5]))))


def h_expm(a):
    return np.real(np.sum(scipy.linalg.expm(a * 0.5) * (1.0 + 1.0j)))


def h_cumprod(z):
    return np.real(np.sum(np.cumprod(z) * (1.0 - 2.0j)))


def h_cumprod_zero(z):
    """A factor exactly zero (z[3] - z[3]): the rule's loop instead of its division."""
    return np.imag(np.sum(np.cumprod(z - z[3]) * np.arange(1.0, 5.0)))


SECOND = [(h_cumprod, False), (h_cumprod_zero, False), (h_abs_cubed, False), (h_exp, False),
          (h_var, False), (h_vdot, False), (h_sinc, False), (h_power, False), (h_parts, False),
          (h_slogdet, True),
          (h_inv, True), (h_matrix_power, True), (h_cholesky, True), (h_eigvalsh, True),
          (h_svdvals, True), (h_irfft, False), (h_interp, False), (h_convolve, False)]
if scipy is not None:
    SECOND += [(h_digamma, False), (h_ive, False), (h_cho_solve, False),
               (h_norm_logpdf, False), (h_dirichlet, False), (h_expm, True),
               (h_cho_factor, True)]


@pytest.mark.parametrize("fn, matrix", SECOND, ids=[f.__name__ for f, _ in SECOND])
def test_hessian_vector_product_of_complex_inputs(fn: Callable, matrix: bool) -> None:
    """hvp(f)(z, v) is the derivative of grad f along v (forward mode over
    the adjoint code, whose helpers' tangents must hold for complex values)."""
    rng = np.random.default_rng(3)
    shape = (3, 3) if matrix else (4,)
    z = rng.normal(size=shape) + 1j * rng.normal(size=shape) + (2 * np.eye(3) if matrix else 0)
    v = rng.normal(size=shape) + 1j * rng.normal(size=shape)
    gradient = s2sad.grad(fn)
    expected = (gradient(z + EPS * v) - gradient(z - EPS * v)) / (2 * EPS)
    assert_close(s2sad.hvp(fn)(z, v), expected, f"{fn.__name__}: Hessian times v")


def h_svdvals_weighted(a):
    return np.sum(np.linalg.svdvals(a) ** 3 * np.arange(1.0, 4.0))


def h_eigvalsh_upper(a):
    return np.sum(np.linalg.eigvalsh(a, "U") ** 3 * np.array([1.0, -2.0, 3.0]))


def h_pinv(a):
    return np.real(np.sum(np.linalg.pinv(a) ** 2 * (1.0 + 0.5j)))


def h_qr(a):
    q, r = np.linalg.qr(a)
    return np.real(np.sum(q ** 3 * (1.0 - 0.5j))) + np.real(np.sum(r * r * (0.5 + 1.0j)))


def h_lstsq(a):
    x, residuals, rank, s = np.linalg.lstsq(a, np.arange(4.0) * (1.0 - 1.0j))
    return np.real(np.sum(x * x * (0.5 - 1.0j))) + np.sum(residuals) + np.sum(s ** 2)


@pytest.mark.parametrize("fn, shape", [(h_svdvals_weighted, (4, 3)), (h_svdvals_weighted, (3, 5)),
                                       (h_svdvals_weighted, (2, 3, 3)), (h_eigvalsh_upper, (3, 3)),
                                       (h_pinv, (4, 3)), (h_pinv, (3, 4)), (h_lstsq, (4, 3)),
                                       (h_qr, (4, 3)), (h_qr, (3, 4))])
def test_hessian_vector_product_of_complex_factorizations(fn: Callable, shape: tuple) -> None:
    """Tall, wide and batched: the singular values' second derivative has a
    term for each side's complement, and one for the phases U and V turn by;
    pinv, lstsq and qr have terms in the conjugate transpose of the change."""
    rng = np.random.default_rng(4)
    z = rng.normal(size=shape) + 1j * rng.normal(size=shape)
    v = rng.normal(size=shape) + 1j * rng.normal(size=shape)
    gradient = s2sad.grad(fn)
    expected = (gradient(z + EPS * v) - gradient(z - EPS * v)) / (2 * EPS)
    assert_close(s2sad.hvp(fn)(z, v), expected, f"{fn.__name__}: Hessian times v")


def h_sign(z):
    return np.real(np.sum(np.sign(z) * (1.0 - 2.0j)))


def h_angle(z):
    return np.sum(np.angle(z))


@pytest.mark.parametrize("fn", [h_sign, h_angle])
def test_second_derivatives_without_a_complex_rule_are_refused(fn: Callable) -> None:
    z = np.array([1.0 + 2.0j, -0.5 + 0.3j])
    s2sad.grad(fn)(z)  # (the first derivative is fine)
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="complex"):
        s2sad.hvp(fn)(z, np.ones(2, dtype=complex))


# ---------------------------------------------------------------- special points


def det_times(a):
    return np.real(np.linalg.det(a) * (0.5 - 1.5j))


def products_with_a_zero(z):
    return np.real(np.prod(z) * (1.0 + 1.0j) + np.sum(np.cumprod(z) * np.array([1.0, 2j, -1.0])))


def test_complex_singular_determinant() -> None:
    """The adjugate, from the SVD, for a complex matrix of rank n - 1: det is a
    polynomial, so finite differences are exact enough there."""
    rng = np.random.default_rng(5)
    u = rng.normal(size=(3, 2)) + 1j * rng.normal(size=(3, 2))
    v = rng.normal(size=(2, 3)) + 1j * rng.normal(size=(2, 3))
    a = u @ v  # rank 2
    assert abs(np.linalg.det(a)) < 1e-12
    s2sad.check_grad(det_times, a)
    cofactor = np.array([[np.linalg.det(np.delete(np.delete(a, i, 0), j, 1)) * (-1) ** (i + j)
                          for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(s2sad.grad(det_times)(a), (0.5 - 1.5j) * cofactor, atol=1e-10)


def test_complex_products_with_a_zero_entry() -> None:
    z = np.array([1.0 + 1.0j, 0.0j, 2.0 - 1.0j])
    s2sad.check_grad(products_with_a_zero, z)


def squared_sizes(x):
    z = x * np.array([1.0 + 1j, 0.0])
    return np.sum(np.abs(z) ** 2)


def sizes(x):
    return np.sum(np.abs(x * (1.0 + 1j)))


def test_a_hessian_through_abs_of_a_complex_zero():
    # |z|^2 at z = 0 has second derivative 0 (the sign's infinite derivative
    # meets a factor |z| that is 0: once nan); |z| itself has none there (nan)
    H = s2sad.hessian(squared_sizes)(np.array([0.5, 0.7]))
    np.testing.assert_allclose(H, np.diag([4.0, 0.0]), atol=1e-12)
    H = s2sad.hessian(sizes)(np.array([0.0, 0.7]))
    assert np.isnan(H[0, 0]) and H[1, 1] == 0.0



def sliced_real_then_complex(z):
    # the backward pass meets the real-only reads of w first: its adjoint
    # array starts real, then a read through `* 1j` adds a complex part
    w = z * 1.0
    c = w[1:3] * 2.0
    d = w[0:2] * 3.0
    e = w[2:4] * 5.0
    return np.real(np.sum(c * 1j)) + np.sum(np.real(d)) + np.sum(np.real(e))


def picked_real_then_complex(z):
    w = z * 1.0
    return np.real(w[3]) + np.real(w[0]) * 2.0 + np.real(np.sum(w[1:3] ** 2 * 1j))


@pytest.mark.parametrize("fn", [sliced_real_then_complex, picked_real_then_complex])
def test_an_adjoint_array_started_real_keeps_a_later_complex_part(fn: Callable) -> None:
    z = np.array([1 + 2j, 0.5 - 1j, -0.3 + 0.7j, 2 - 1j])
    s2sad.check_grad(fn, z)
    ours = s2sad.grad(fn)(z)
    assert np.abs(ours.imag).max() > 0.5  # (the imaginary part that was dropped)
    x = z.real.copy()  # a real argument: the same code, a real gradient
    real = s2sad.grad(fn)(x)
    assert real.dtype == np.float64
    s2sad.check_grad(fn, x)


def test_add_at_writes_in_place_unless_the_dtype_widens() -> None:
    from s2sad.runtime import add_at, added_at

    a = np.zeros(4)
    assert add_at(a, slice(1, 3), 2.0) is a and list(a) == [0.0, 2.0, 2.0, 0.0]
    assert add_at(a, np.array([0, 0]), 1.0) is a and a[0] == 2.0  # (repeats add up)
    wide = add_at(a, 1, 1j)
    assert wide is not a and wide.dtype == complex and wide[1] == 2 + 1j and a[1] == 2.0
    fresh = added_at(a, 3, 5.0)
    assert fresh is not a and fresh[3] == 5.0 and a[3] == 0.0


def test_a_hessian_of_complex_inputs_is_refused():
    """(it said 'jacobian' and suggested holomorphic=True, which gave a
    matrix without a meaning: the gradient of a real function is not
    holomorphic); hvp takes them"""
    z = np.array([1.0 + 1.0j, 2.0])
    for holomorphic in (False, True):
        with pytest.raises(s2sad.ArgumentTypeError, match="Hessian of a real function of "
                           "complex inputs"):
            s2sad.hessian(squared_sizes, holomorphic=holomorphic)(z)
    v = np.array([0.5 - 1.0j, 2.0j])
    gradient = s2sad.grad(squared_sizes)
    expected = (gradient(z + EPS * v) - gradient(z - EPS * v)) / (2 * EPS)
    assert_close(s2sad.hvp(squared_sizes)(z, v), expected, "hvp at complex z")
