"""Powers at special points: 0 ** k, 0 * inf in the pow adjoint, integer powers."""
import math

import numpy as np

from .support import CaseList

CASES = CaseList()
case = CASES.case


A3 = lambda: (np.array([0.0, 1.5, -2.0]),)


@case(args=A3, note="x**0 at x=0: derivative of the x**0 term is 0, not nan")
def pow_zero_exponent(x):
    return np.sum(x ** 0 * 3.0 + x)


@case(args=A3, note="x**0.0 float exponent at 0")
def pow_zero_float_exponent(x):
    return np.sum(x ** 0.0 + x)


@case(args=A3, note="np.power(x, 0) at 0")
def np_power_zero(x):
    return np.sum(np.power(x, 0) + 2 * x)


@case(args=lambda: (np.array([0.0, 0.5, -1.0]),),
      note="polynomial sum_k c[k] x**k with a zero entry: d/dx = c1 + 2 c2 x + 3 c3 x^2")
def poly_loop(x):
    c = [1.0, 2.0, -1.0, 0.5]
    s = 0.0
    for k in range(4):
        s = s + c[k] * x ** k
    return np.sum(s)


@case(args=lambda: (np.array([0.0, 0.5, -1.0]),), note="polynomial via comprehension")
def poly_comprehension(x):
    c = np.array([1.0, 2.0, -1.0, 0.5])
    return np.sum(sum(c[k] * x ** k for k in range(4)))


@case(args=lambda: (np.array([0.0, 0.5, -1.0]),),
      note="polynomial with broadcast exponents x[:,None]**arange(4)")
def poly_vander(x):
    k = np.arange(4)
    c = np.array([1.0, 2.0, -1.0, 0.5])
    return np.sum(x[:, None] ** k @ c)


@case(args=lambda: (np.array([0.0, 0.5, -1.0]),), note="np.polyval-like Horner (should be fine)")
def poly_horner(x):
    c = [0.5, -1.0, 2.0, 1.0]
    y = np.zeros_like(x)
    for ck in c:
        y = y * x + ck
    return np.sum(y)


@case(args=lambda: (0.0,), note="Python float x**0 at 0: ZeroDivisionError risk (0.0**-1)")
def pyfloat_pow_zero(x):
    return x ** 0 + 2.0 * x


@case(args=lambda: (0.0,), note="Python float x**1 at 0: derivative 1")
def pyfloat_pow_one(x):
    return x ** 1


@case(args=lambda: (0.0,), note="Python float x**2 at 0")
def pyfloat_pow_two(x):
    return x ** 2 + x


@case(args=lambda: (0.0, 0.0), wrt=1, expect="nondiff", ref=lambda: 0.0,
      note="0.0 ** y w.r.t. y at y = 0: d/dy x**y is 0 where x == 0 (documented convention); the "
           "old reference -inf was the one-sided limit")
def pyfloat_zero_pow_zero_wrt_y(x, y):
    return x ** y


@case(args=lambda: (0.0, 0.0), wrt=0, expect="nondiff", ref=lambda: 0.0,
      note="d/dx x**y at x = 0, y = 0: 0 where y == 0, also at x == 0 (convention)")
def pyfloat_zero_pow_zero_wrt_x(x, y):
    return x ** y


@case(args=lambda: (0.0,), expect="nondiff", ref=lambda: float("inf"),
      note="sqrt via x**0.5 at 0.0 (Python float): inf expected, ZeroDivisionError would be a "
           "crash")
def pyfloat_pow_half_at_zero(x):
    return x ** 0.5


@case(args=lambda: (np.array([0.0, 2.0]), 2.0), wrt=1,
      note="d/dp sum(|x|**p) with a zero entry: 0**p*log 0 must be 0 for p>0")
def abs_pow_wrt_p(x, p):
    return np.sum(np.abs(x) ** p)


@case(args=lambda: (np.array([0.0, 2.0, 3.0]), 3.0), wrt=1, note="p-norm wrt p with zero entry")
def pnorm_wrt_p(x, p):
    return np.sum(np.abs(x) ** p) ** (1.0 / p)


@case(args=lambda: (np.array([0.0, 2.0]), 2.0), wrt=1, note="np.power(|x|, p) wrt p with zero")
def np_power_wrt_p_zero_base(x, p):
    return np.sum(np.power(np.abs(x), p))


@case(args=lambda: (np.array([0.0, 2.0]), np.array([2.0, 3.0])), wrt=1,
      note="array exponents wrt exponents with zero base")
def pow_array_exponent_zero_base(x, p):
    return np.sum(x ** p)


@case(args=lambda: (np.array([-2.0, -0.5, 3.0]),), note="negative base, integer exponent 3")
def neg_base_int_exp(x):
    return np.sum(x ** 3)


@case(args=lambda: (np.array([-2.0, -0.5, 3.0]),), note="np.power negative base, int exponent 2")
def np_power_neg_base(x):
    return np.sum(np.power(x, 2))


@case(args=lambda: (np.array([-2.0, -0.5, 3.0]),), note="negative base, exponent -2 (int)")
def neg_base_neg_int_exp(x):
    return np.sum(x ** -2)


@case(args=lambda: (np.array([-2.0, -0.5, 3.0]),),
      note="negative base with an integer-valued float exponent array")
def neg_base_float_int_exp_array(x):
    e = np.array([2.0, 3.0, 4.0])
    return np.sum(x ** e)


@case(args=lambda: (np.array([-2.0, 1.0]), np.array([3.0, 2.0])), wrt=0,
      note="x**y with y ALSO a parameter but wrt=x only: no log(neg) leak")
def pow_wrt_base_only_neg(x, y):
    return np.sum(x ** y)


@case(args=lambda: (np.array([1, 2, 3]),), note="integer array base, x**2 (README: ints are reals)")
def int_array_pow2(x):
    return np.sum(x ** 2)


@case(args=lambda: (np.array([1, 2, 3]),),
      note="integer array base, x**1: adjoint x**0 fine; x**0 has int**-1")
def int_array_pow0(x):
    return np.sum(x ** 0 + x ** 1)


@case(args=lambda: (np.array([1, 2, 3]),), note="integer array, np.power(x, 1)")
def int_array_np_power1(x):
    return np.sum(np.power(x, 1) * 1.5)


@case(args=lambda: (3,), note="int argument x**2 -> 6.0")
def int_scalar_pow(x):
    return x ** 2


@case(args=lambda: (3,), note="int argument x**0 + x: int ** -1 gives float in Python")
def int_scalar_pow0(x):
    return x ** 0 + x


@case(args=lambda: (2.0,), note="constant base, variable exponent 2**x")
def const_base_pow(x):
    return 2.0 ** x


@case(args=lambda: (2.0,), note="0 ** x with constant zero base: 0 for x>0, derivative 0")
def zero_base_pow_x(x):
    return 0.0 ** x + x


@case(args=lambda: (np.array([1.0, 2.0]),), note="zero base array 0**x: derivative 0")
def zero_array_base_pow_x(x):
    z = np.zeros(2)
    return np.sum(z ** x + x)


@case(args=lambda: (np.array([0.0, 1.0]),), expect="nondiff", ref=lambda: np.array([0.0, 1.0]),
      note="x**x at x = 0: by the power conventions both parts are 0 there (d/dx is 0 where y == "
           "0, d/dy is 0 where x == 0); the old reference -inf was the limit of (1 + log x) x**x")
def x_pow_x(x):
    return np.sum(x ** x)


@case(args=lambda: (np.array([0.0, 4.0]),), expect="nondiff", ref=lambda: np.array([np.inf, 0.25]),
      note="sqrt at 0: derivative +inf")
def pow_half_array_zero(x):
    return np.sum(x ** 0.5)


@case(args=lambda: (np.array([0.0, 2.0]),), ref=lambda: np.array([0.0, 1.5 * 2.0 ** 0.5]),
      note="x**1.5 at 0: derivative 0 (FD undefined left of 0: explicit ref)")
def pow_1_5_at_zero(x):
    return np.sum(x ** 1.5)


@case(args=lambda: (np.array([0.0, 2.0]),), ref=lambda: np.array([0.0, 2.5 * 2.0 ** 1.5]),
      note="x**2.5 at 0 (explicit ref)")
def pow_2_5_at_zero(x):
    return np.sum(x ** 2.5)


@case(args=lambda: (np.array([0.0, -1.0, 2.0]),), note="np.square vs x*x at 0")
def square_at_zero(x):
    return np.sum(np.square(x) + x * x)


@case(args=lambda: (np.array([0.0, 2.0]),), note="float_power(x, 2) at 0")
def float_power_2(x):
    return np.sum(np.float_power(x, 2))


@case(args=lambda: (np.array([0.0, 2.0]),), note="float_power(x, 0) at 0")
def float_power_0(x):
    return np.sum(np.float_power(x, 0.0) + x)


@case(args=lambda: (np.array([2.0, 3.0]), 0.0), wrt=1, note="x**p wrt p at p = 0")
def pow_wrt_p_at_p0(x, p):
    return np.sum(x ** p)


@case(args=lambda: (0.0, 2.0), wrt=(0, 1), note="math.pow(0, 2) both args")
def math_pow_zero(x, y):
    return math.pow(x, y)


@case(args=lambda: (0.0,), note="math.pow(x, 0) at 0: derivative 0")
def math_pow_zero_exp(x):
    return math.pow(x, 0.0) + x


@case(args=lambda: (np.array([0.0, 1.0, 2.0]),), note="x**3 / 3 at 0 (pow 3 -> 3*x**2 fine)")
def cube_over_three(x):
    return np.sum(x ** 3 / 3.0)


@case(args=lambda: (np.array([0.0, 1.0]),), note="1/x**0: constant 1, derivative 0")
def reciprocal_of_pow0(x):
    return np.sum(1.0 / x ** 0 + x)


@case(args=lambda: (np.array([0.0, 3.0]),), note="x ** np.int64(0) exponent scalar type")
def pow_np_int_zero(x):
    return np.sum(x ** np.int64(0) + x)


@case(args=lambda: (np.array([0.0, 3.0]),), note="x ** k with k=0 from a variable")
def pow_var_k_zero(x):
    k = 0
    return np.sum(x ** k + x)


@case(args=lambda: (np.array([0.0, 3.0]),), note="aug-assign y **= 0")
def pow_augassign_zero(x):
    y = x * 1.0
    y **= 0
    return np.sum(y + x)


@case(args=lambda: (np.array([0.0, 3.0]),), expect="nondiff",
      ref=lambda: np.array([np.inf, 1.0 / (3 * 3.0 ** (2 / 3))]), note="cbrt at 0: +inf")
def cbrt_zero(x):
    return np.sum(np.cbrt(x))


@case(args=lambda: (np.array([0.0, -8.0]),), note="cbrt negative: derivative 1/(3 cbrt(x)^2)")
def cbrt_negative(x):
    return np.sum(np.cbrt(x + 1.0))


@case(args=lambda: (np.array([0.0, 2.0]),), note="reciprocal at 2 and shifted")
def reciprocal_shift(x):
    return np.sum(np.reciprocal(x + 1.0))
