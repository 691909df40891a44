"""Single precision: float32 in, float32 derivatives out (complex64 likewise).

For every entry (tests/op_cases.py) at float32 inputs (and complex64, where
NumPy takes complex and s2sad does not refuse it), where NumPy's own result
is single precision:

* the raw adjoints of `vjp` (no final cast hides a float64 temporary) and
  the tangents of `jvp` are single precision, and agree with finite
  differences taken in double precision;
* `grad` returns the argument's dtype. This is JAX's rule (notes,
  conventions section 3): the gradient has its argument's dtype even where
  float64 values met it (`x * np.float64(2.0)`), where autograd would leak
  NumPy's promotion to float64; s2sad follows JAX.

Where NumPy itself returns double precision (np.float_power, math.*,
float()), only the last holds.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from op_cases import (
    CASES,
    WI,
    WR,
    Case,
    arguments,
    differentiable,
    inputs_for,
    loss_of,
    moved,
    numeric_gradient,
)

import s2sad

SINGLE = (np.dtype(np.float32), np.dtype(np.complex64))


def _params() -> list:
    params = []
    for case in CASES:
        for mode in ("f4", "c8") if case.complex and not case.refused else ("f4",):
            for k, inputs in enumerate(inputs_for(case, mode == "c8")):
                params.append(pytest.param(case, inputs, k, mode, id=f"{case.id}:{k}:{mode}"))
    return params


PARAMS = _params()


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        yield


def double(x: Any) -> Any:
    """x at double precision, in the same form (array, number)."""
    if isinstance(x, np.ndarray):
        return x.astype(np.complex128 if np.iscomplexobj(x) else np.float64)
    if isinstance(x, np.generic):
        return x.item()
    return x


def dtype_of(value: Any) -> np.dtype:
    return np.asarray(value).dtype if isinstance(value, (np.ndarray, np.generic)) else \
        np.result_type(value)


def cotangent(y: Any) -> Any:
    shape = np.shape(y)
    real = np.float32 if dtype_of(y) in SINGLE else np.float64
    if np.iscomplexobj(y):
        return (WR(shape) - 1j * WI(shape)).astype(np.complex64 if real is np.float32 else
                                                   np.complex128)
    return WR(shape).astype(real)


def assert_close32(ours: Any, expected: Any, what: str) -> None:
    ours, expected = np.asarray(ours), np.asarray(expected)
    assert ours.shape == expected.shape, f"{what}: shape {ours.shape}, expected {expected.shape}"
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(ours.astype(expected.dtype), expected, rtol=2e-3,
                               atol=2e-3 * scale, err_msg=what)


def _single_input(args: tuple, i: int) -> bool:
    return dtype_of(args[i]) in SINGLE


@pytest.mark.parametrize("case, inputs, k, mode", PARAMS)
def test_single_precision_adjoints(case: Case, inputs: tuple, k: int, mode: str) -> None:
    """grad has the argument's dtype; vjp's raw adjoints are single precision."""
    args = arguments(inputs, mode, seed=2000 + k)
    wrt = differentiable(inputs)
    loss = loss_of(case.fn, len(args))
    grads = s2sad.grad(loss, wrt=wrt)(*args)
    wide = tuple(double(a) for a in args)
    for i, g in zip(wrt, grads):
        if isinstance(args[i], (np.ndarray, np.generic)):
            assert dtype_of(g) == dtype_of(args[i]), \
                f"{case.id}: the gradient of a {dtype_of(args[i])} argument is {dtype_of(g)}"
        assert_close32(g, numeric_gradient(loss, wide, i), f"{case.id}: gradient of {i}")
    if any(isinstance(a, float) for i, a in enumerate(args) if i not in wrt):
        return  # (vjp would differentiate the float constant too)
    y, pullback = s2sad.vjp(case.fn, *args)
    g = cotangent(y)
    pulled = pullback(g)

    def paired(*a: Any) -> float:  # Re(sum(g * f(a))), whose gradient is the pullback of g
        return float(np.real(np.sum(double(g) * np.asarray(case.fn(*a)))))

    for i in wrt:
        ours = pulled[i]
        if dtype_of(y) in SINGLE and _single_input(args, i):
            # (vjp hands adjoints over as they are, with no cast to the input's dtype:
            # a real input's is complex64 where it met complex values, whose real part
            # grad returns; a complex input's is float32 where only real parts of it
            # were used. The precision is what counts here.)
            allowed = {np.dtype(np.float32)} if mode == "f4" else set(SINGLE)
            assert dtype_of(ours) in allowed, \
                f"{case.id}: the adjoint of a {dtype_of(args[i])} input is {dtype_of(ours)}"
        expected = numeric_gradient(paired, wide, i)
        if not np.iscomplexobj(args[i]):
            ours = np.real(ours)
        assert_close32(ours, expected, f"{case.id}: adjoint of argument {i}")


@pytest.mark.parametrize("case, inputs, k, mode", PARAMS)
def test_single_precision_tangents(case: Case, inputs: tuple, k: int, mode: str) -> None:
    args = arguments(inputs, mode, seed=2000 + k)
    wrt = differentiable(inputs)
    rng = np.random.default_rng(11 + k)
    tangents: list = [None] * len(args)
    for i in wrt:
        t = rng.normal(size=np.shape(args[i])) + (
            1j * rng.normal(size=np.shape(args[i])) if np.iscomplexobj(args[i]) else 0.0)
        t = np.asarray(t, dtype=dtype_of(args[i]))
        tangents[i] = t if isinstance(args[i], np.ndarray) else t[()]
    if case.no_tangent:
        with pytest.raises(s2sad.S2sadError, match="no tangent"):
            s2sad.jvp(case.fn, args, tangents)
        return
    value, tangent = s2sad.jvp(case.fn, args, tangents)
    if dtype_of(value) in SINGLE:
        assert dtype_of(tangent) == dtype_of(value), \
            f"{case.id}: a {dtype_of(value)} output has a {dtype_of(tangent)} tangent"
    wide = [double(a) for a in args]
    wide_t = [None if t is None else double(t) for t in tangents]
    eps = 1e-6
    expected = (np.asarray(case.fn(*moved(tuple(wide), wide_t, eps))) -
                np.asarray(case.fn(*moved(tuple(wide), wide_t, -eps)))) / (2 * eps)
    assert_close32(tangent, expected, f"{case.id}: tangent")


# ---------------------------------------------------------------- JAX's row, by example


def times_a_double(x):
    return np.sum(x * np.float64(2.0))


def through_double(x):
    return np.sum(x.astype(np.float64) ** 2)


def python_scalars_keep_single(x):
    return np.sum(np.exp(x) * 0.5 + x ** 2.0)


def test_float32_gradient_where_float64_values_met_it() -> None:
    """JAX casts the cotangent back to the input's dtype; autograd returns
    float64 here. s2sad follows JAX."""
    x = np.array([1.0, 2.0], dtype=np.float32)
    for fn in (times_a_double, through_double):
        g = s2sad.grad(fn)(x)
        assert g.dtype == np.float32


def test_python_scalars_keep_float32_all_the_way() -> None:
    x = np.array([0.5, -1.0], dtype=np.float32)
    _, pullback = s2sad.vjp(python_scalars_keep_single, x)
    (g,) = pullback(np.float32(1.0))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, np.exp(x) * 0.5 + 2 * x, rtol=1e-6)


def test_zeros_like_keeps_single_precision() -> None:
    from s2sad.runtime import as_gradient_of, zeros_like
    assert zeros_like(np.ones(2, np.float32)).dtype == np.float32
    assert zeros_like(np.ones(2, np.complex64)).dtype == np.complex64
    assert zeros_like(np.float32(1.0)).dtype == np.float32
    assert zeros_like(np.arange(3)).dtype == np.float64
    assert as_gradient_of(np.ones(2), np.arange(2)).dtype == np.float64
    assert as_gradient_of(np.ones(2) + 1j, np.ones(2, np.float32)).dtype == np.float32
