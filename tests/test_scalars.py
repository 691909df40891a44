"""Python numbers take `math`'s functions (`s2sad/scalars.py`): the pass on
IR, the generated code, and the computation again with NumPy's scalars
where `math` raises and NumPy gives inf or nan."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import s2sad
from s2sad import pipeline
from s2sad.ir import format_function
from s2sad.lowering import lower
from s2sad.parsing import parse_function
from s2sad.scalars import real_numbers, use_math


def mixed(x, a, n):
    y = np.sin(x) * 2.0 + np.exp(a)  # a is an array: np.exp stays
    s = 0.0
    for i in range(n):
        s = s + np.cos(x * i) ** 2
    return np.sum(y) + s + np.log(np.sum(a))


def scalar_part(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.cos(x * i) ** 2
    return s * np.sin(x)


def test_pass_uses_math_only_on_real_numbers() -> None:
    fn = lower(parse_function(scalar_part)).function
    assert use_math(fn, (0, 1)) == 2  # np.cos(x * i), np.sin(x)
    found = re.findall(r"(np|math)\.(\w+)\(", format_function(fn))
    assert ("math", "sin") in found and ("math", "cos") in found and ("np", "cos") not in found


def test_math_only_where_its_result_meets_real_numbers_alone() -> None:
    """np.sin(x) of a float is NumPy's float64, which NumPy's promotion treats
    as strong; math.sin(x) a Python float, treated as weak: where the value
    meets an array or a NumPy scalar (a float32 one would give float32), NumPy
    stays."""
    fn = lower(parse_function(mixed)).function
    assert use_math(fn, (0, 2)) == 0
    x32 = np.float32(0.3) * np.ones(2, dtype=np.float32)
    value, _ = s2sad.value_and_grad(lambda x, w: np.sum(np.sin(x) + w))(0.8, x32)
    assert value == np.sum(np.sin(0.8) + x32) and np.asarray(value).dtype == np.float64


def test_loop_carried_float_stays_real_and_array_does_not() -> None:
    fn = lower(parse_function(mixed)).function
    real = real_numbers(fn, (0, 2))
    hints = {v.hint for v in real}
    assert {"x", "n", "i", "s"} <= hints
    assert "a" not in hints and "y" not in hints


def test_no_scalars_no_change() -> None:
    fn = lower(parse_function(mixed)).function
    assert use_math(fn, ()) == 0


def poly(x, y):
    a = x * x * y + 3.0 * x
    return np.sin(a) * np.log(y) + np.exp(-x) + np.tanh(a * y)


def test_generated_code_calls_math_and_is_right() -> None:
    compiled = pipeline.compile(poly, pipeline.Spec("grad", (0, 1), (0, 1), ()))
    forward = compiled.source.split("# backward pass")[0]
    assert "np." not in forward and "math.sin(" in forward
    dx, dy = s2sad.grad(poly, wrt=(0, 1))(1.3, 0.7)
    h = 1e-6
    assert dx == pytest.approx((poly(1.3 + h, 0.7) - poly(1.3 - h, 0.7)) / (2 * h), rel=1e-7)
    assert dy == pytest.approx((poly(1.3, 0.7 + h) - poly(1.3, 0.7 - h)) / (2 * h), rel=1e-7)


def roots(x):
    return np.sqrt(x) + np.log(x) + np.exp(x)


@pytest.mark.parametrize("x", [0.0, 1000.0, -1.0])
def test_math_errors_compute_again_with_numpy(x: float) -> None:
    """At 0, math.sqrt's derivative divides by zero and math.log raises; at
    1000 math.exp overflows; at -1 sqrt and log are nan: NumPy's answers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, grad = s2sad.value_and_grad(roots)(x)
        expected_value = roots(np.float64(x))
        expected_grad = 0.5 / np.sqrt(np.float64(x)) + 1 / np.float64(x) + np.exp(np.float64(x))
        np.testing.assert_equal(value, expected_value)
        np.testing.assert_equal(grad, expected_grad)
        np.testing.assert_equal(s2sad.jvp(roots, (x,), (1.0,)), (expected_value, expected_grad))
        out, pullback = s2sad.vjp(roots, x)
        np.testing.assert_equal((out, pullback(1.0)), (expected_value, (expected_grad,)))
        second = s2sad.grad(s2sad.grad(roots))(x)
        np.testing.assert_equal(second, -0.25 * np.float64(x) ** -1.5 - 1 / np.float64(x) ** 2
                                + np.exp(np.float64(x)))


def calls_helper(x):
    return inner(x) * 2.0


def inner(u):
    return np.log(u) + u


def test_helpers_compute_again_with_numpy_too() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert s2sad.grad(calls_helper)(0.0) == np.inf
    assert s2sad.grad(calls_helper)(2.0) == pytest.approx(2 * (0.5 + 1))


def raises_itself(x):
    return math.sqrt(x) + np.log(x)  # (Python's math.sqrt raises at x < 0)


def test_the_users_own_error_stays() -> None:
    with pytest.raises(ValueError, match="math domain error"):
        s2sad.grad(raises_itself)(-1.0)


@pytest.mark.parametrize("x", [np.float64(0.8), 3, np.array(0.8), 0.8 + 0.0j])
def test_other_number_types(x) -> None:
    def f(u):
        return np.real(np.sin(u) * np.cos(u))  # (for a complex u: the gradient is f'(u))
    np.testing.assert_allclose(s2sad.grad(f)(x), np.cos(2 * x), rtol=1e-12)


def sin_plus_float32_mean(x):
    return np.sin(x) + np.mean(x, dtype=np.float32)


def test_a_float32_neighbour_keeps_numpy():
    """Fuzz seed 6401225: math.sin's Python float met a float32 and NumPy's
    promotion made the sum float32, where np.sin's float64 keeps float64."""
    x = 0.8493044880606275
    value, grad = s2sad.value_and_grad(sin_plus_float32_mean)(x)
    assert value == sin_plus_float32_mean(x)
    assert grad == pytest.approx(math.cos(x) + 1.0, rel=1e-6)


def recurrence(x, n):
    for _ in range(n):
        x = np.sin(x) * 0.9 + 0.1 * x * x
    return x


def test_values_popped_from_a_tape_of_numbers_are_numbers() -> None:
    # the backward loop's cos(x) of a taped float calls math too
    compiled = pipeline.compile(recurrence, pipeline.Spec("grad", (0,), (0, 1), ()))
    backward = compiled.source.split("# backward pass")[1]
    assert "math.cos(" in backward and "np." not in backward, compiled.source
    x, h = 0.4, 1e-6
    expected = (recurrence(x + h, 30) - recurrence(x - h, 30)) / (2 * h)
    assert s2sad.grad(recurrence)(x, 30) == pytest.approx(expected, rel=1e-7)


def test_a_tape_a_forward_half_returns_keeps_numpys_functions() -> None:
    # the split's forward half hands its tape to the backward half: values
    # pushed there leave the function, and NumPy's own scalars go with them
    compiled = pipeline.compile(recurrence, pipeline.Spec("split", (0,), (0, 1), ()))
    forward_half = compiled.built[0].source
    assert "tape" in forward_half and "np.sin(" in forward_half, forward_half


def log_twice(x):
    return np.log(x) * 2.0


def test_an_int_at_a_singular_point_computes_again_with_numpys_scalars() -> None:
    # 1 / x with the int 0 raises in Python; a differentiated int as NumPy's float64: inf
    with np.errstate(divide="ignore"):
        assert s2sad.hessian(log_twice)(0) == -np.inf
        assert s2sad.grad(log_twice)(0) == np.inf


def test_grads_output_check_goes_where_the_output_is_a_real_number() -> None:
    compiled = pipeline.compile(poly, pipeline.Spec("grad", (0, 1), (0, 1), ()))
    assert "require_scalar" not in compiled.source
    arrays = pipeline.compile(poly, pipeline.Spec("grad", (0, 1), (), ()))
    assert "require_scalar" in arrays.source  # (an array argument: the output may be one)
