"""Python floats and ints as arguments: adjoints evaluated with Python arithmetic
(ZeroDivisionError, math domain errors) where NumPy would give inf/nan or a finite value."""
import math

import numpy as np

from .support import CaseList

CASES = CaseList()
case = CASES.case


@case(args=lambda: (0.0,), expect="nondiff", ref=lambda: np.nan,
      note="np.where(x > 0, np.log(x), 0) on a float at 0: the masked branch's derivative 1/x is "
           "inf there, and 0 * inf = nan leaks through np.where (the documented convention, as in "
           "JAX and autograd); the old reference 0 counted the taken branch only")
def where_log_float_zero(x):
    return float(np.where(x > 0, np.log(x), 0.0)) + 0.0 * x


@case(args=lambda: (0.0,), expect="nondiff", ref=lambda: 2.0,
      note="conditional expression guards log at 0: only taken branch (x*2) is differentiated -> 2")
def condexpr_log_guard(x):
    return math.log(x) if x > 0 else x * 2.0


@case(args=lambda: (0.0,), expect="nondiff", ref=lambda: 1.0,
      note="log1p(x)/x guarded by if x == 0: taken-branch convention gives 1 (true limit "
           "derivative is -0.5)")
def if_guard_division(x):
    if x == 0.0:
        return 1.0 + x
    return math.log1p(x) / x


@case(args=lambda: (0.0, 0.0), wrt=(0, 1), expect="nondiff", ref=lambda: (np.nan, np.nan),
      note="np.arctan2(y, x) of python floats at origin: ZeroDivisionError vs nan")
def arctan2_floats_origin(y, x):
    return float(np.arctan2(y, x))


@case(args=lambda: (0.0, 0.0), wrt=(0, 1), expect="nondiff", ref=lambda: (np.nan, np.nan),
      note="math.atan2 at origin")
def math_atan2_origin(y, x):
    return math.atan2(y, x)


@case(args=lambda: (0.0, 0.0), wrt=(0, 1), expect="nondiff", ref=lambda: (np.nan, np.nan),
      note="math.hypot at origin")
def math_hypot_origin(x, y):
    return math.hypot(x, y)


@case(args=lambda: (0.0,), note="math.sqrt(x*x + 1) fine")
def math_sqrt_shift(x):
    return math.sqrt(x * x + 1.0)


@case(args=lambda: (1.0,), expect="nondiff", ref=lambda: float("-inf"), note="math.acos at 1: -inf")
def math_acos_one(x):
    return math.acos(x)


@case(args=lambda: (0.0,), expect="refuse", note="math.log(0.0) raises ValueError in Python itself")
def math_log_zero(x):
    return math.log(x)


@case(args=lambda: (0.0,), expect="nondiff", ref=lambda: float("inf"),
      note="np.log(x) float at 0: forward -inf, derivative +inf; ZeroDivisionError would be a "
           "crash")
def np_log_float_zero(x):
    return float(np.log(x))


@case(args=lambda: (0.0,), expect="nondiff", ref=lambda: float("inf"),
      note="np.sqrt(python float 0.0) derivative inf")
def np_sqrt_float_zero(x):
    return float(np.sqrt(x))


@case(args=lambda: (0.0,), expect="nondiff", ref=lambda: float("-inf"),
      note="x / 1.0 fine; 1.0 / x at 0 -> derivative -inf")
def reciprocal_float_zero(x):
    return float(np.float64(1.0) / x)


@case(args=lambda: (0.0, 2.0), wrt=1, note="x / y wrt y with x = 0: derivative 0 (-g*ans/y = 0)")
def div_zero_numerator(x, y):
    return x / y


@case(args=lambda: (0.0,), note="np.tan(x) etc of float")
def tan_float(x):
    return float(np.tan(x) + np.sinh(x) + np.cosh(x))


@case(args=lambda: (0.0,), note="np.sinc float 0")
def sinc_float(x):
    return float(np.sinc(x)) * 2.0


@case(args=lambda: (0.0,), note="np.abs(x) ** 2 at float 0: 2*|x|^1*sign = 0")
def abs_sq_float(x):
    return float(np.abs(x) ** 2)


@case(args=lambda: (0.0,), note="abs(x) ** 1.5 float at 0: derivative 0")
def abs_pow15_float(x):
    return abs(x) ** 1.5


@case(args=lambda: (0.0,), ref=lambda: 0.0, note="x ** 3 float at 0")
def cube_float(x):
    return x ** 3


@case(args=lambda: (-8.0,), note="x ** 3 float negative")
def cube_negative_float(x):
    return x ** 3


@case(args=lambda: (-8.0,), note="x ** 2.0 float negative base float exponent: (-8)**1.0 fine")
def square_float_exp_negative(x):
    return x ** 2.0


@case(args=lambda: (-8.0,), note="x ** -1 negative float")
def inverse_negative_float(x):
    return x ** -1


@case(args=lambda: (2, 3), wrt=(0, 1), note="int ** int: wrt exponent uses log(2)")
def int_pow_int(x, y):
    return x ** y


@case(args=lambda: (-2, 3), wrt=0, note="negative int ** int wrt base")
def negint_pow_int(x, y):
    return x ** y


@case(args=lambda: (0, 2), wrt=0, note="int 0 ** 2 wrt base")
def zero_int_pow(x, y):
    return x ** y


@case(args=lambda: (3, 2), wrt=(0, 1), note="int / int true division wrt both")
def int_div(x, y):
    return x / y


@case(args=lambda: (3,), note="int % 2 (mod) derivative 1")
def int_mod(x):
    return x % 2 + 0.5 * x


@case(args=lambda: (3.3,), note="round(x) builtin zero gradient + x")
def builtin_round(x):
    return round(x) + x


@case(args=lambda: (3.5,), note="int(x) zero gradient")
def builtin_int(x):
    return int(x) * 2.0 + x


@case(args=lambda: (3.5,), note="math.floor/ceil zero")
def floor_ceil(x):
    return math.floor(x) + math.ceil(x) + x * x


@case(args=lambda: (2.0,), note="float to numpy and back")
def float_roundtrip(x):
    a = np.array([x, 2.0 * x])
    return float(np.sum(a * a))


@case(args=lambda: (2.0,), note="np.float64(x) conversion (was refused)")
def np_float64_conv(x):
    return np.float64(x) ** 2


@case(args=lambda: (2.0,), ref=lambda: 2.0 / 5.0 ** 0.5,
      note="complex(x, 1.0), then abs: d/dx |x + i| = x / |x + i| (was refused)")
def complex_conv(x):
    return abs(complex(x, 1.0))


@case(args=lambda: (1e308,), expect="nondiff", ref=lambda: 2e308,
      note="x * x overflow: inf; derivative 2x finite (FD inf)")
def overflow_square(x):
    return x * x


@case(args=lambda: (710.0,), expect="refuse",
      note="math.exp(710) raises OverflowError in Python itself")
def math_exp_overflow(x):
    return math.exp(x)


@case(args=lambda: (709.0,), note="math.exp(709) finite")
def math_exp_709(x):
    return math.exp(x) * 1e-300


@case(args=lambda: (2.0,), note="sum of Python floats with sum()")
def builtin_sum_floats(x):
    return sum([x, x * x, 3.0])


@case(args=lambda: (2.0,), note="max(x, 3.0) where constant wins -> 0")
def max_const_wins(x):
    return max(x, 3.0)


@case(args=lambda: (2.0,), note="min(x, x*x)")
def min_two(x):
    return min(x, x * x)


@case(args=lambda: (2.0,), note="max of a generator")
def max_generator(x):
    return max(x * k for k in range(3))


@case(args=lambda: (2.0,), note="max of a list comprehension")
def max_listcomp(x):
    return max([x * k for k in (1.0, -1.0, 0.5)])


@case(args=lambda: (2.0,),
      note="max([...], key=lambda)")
def max_key(x):
    return max([x, -3.0 * x], key=lambda t: t * t)


@case(args=lambda: (np.array([1.0, 5.0]),), expect="refuse",
      note="builtin max over the rows of a 2-d array: Python raises ValueError (ambiguous truth "
           "value)")
def builtin_max_2d(x):
    return max(np.outer(x, x))


@case(args=lambda: (np.array([1.0, 5.0]),), expect="refuse",
      note="builtin max(array, array): Python raises ValueError (ambiguous truth value)")
def builtin_max_two_arrays(x):
    return np.sum(max(x, x * 2.0))


@case(args=lambda: (np.array([[1.0, 5.0], [3.0, 0.5]]),),
      note="builtin max over a list of 1-element arrays")
def builtin_max_list_of_scalars(x):
    return max([x[0, 0], x[1, 0] * 2.0, x[0, 1]])
