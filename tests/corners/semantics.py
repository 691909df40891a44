"""Python/NumPy semantics: aliasing of arguments, dtypes, 0-d, empty, broadcasting (1,) vs ()."""
import numpy as np

from .support import CaseList

CASES = CaseList()
case = CASES.case


def dtype_is(dt):
    def check(g):
        got = np.asarray(g).dtype
        return None if got == dt else f"gradient dtype {got}, expected {np.dtype(dt)}"
    return check


def type_is(t):
    def check(g):
        return None if type(g) is t else f"gradient type {type(g).__name__}, expected {t.__name__}"
    return check


# ---------------------------------------------------------------- same array twice

_shared = np.array([1.0, 2.0, 3.0])


@case(args=lambda: (lambda a: (a, a))(np.array([1.0, 2.0, 3.0])), wrt=0, expect="refuse",
      note="aliasing: f(a, a): x += 1 changes y too (the same array); Python gives sum((a+1)**2) "
           "(AliasingError)")
def same_array_twice(x, y):
    x += 1.0
    return np.sum(x * y)


@case(args=lambda: (lambda a: (a, a))(np.array([1.0, 2.0, 3.0])), wrt=(0, 1), expect="refuse",
      note="aliasing: f(a, a) with x += 1, w.r.t. both (AliasingError)")
def same_array_twice_both(x, y):
    x += 1.0
    return np.sum(x * y)


@case(args=lambda: (lambda a: (a, a[::-1]))(np.array([1.0, 2.0, 3.0])), wrt=0, expect="refuse",
      note="aliasing: y is a reversed view of x; x *= 2 changes y (AliasingError)")
def arg_view_of_other(x, y):
    x *= 2.0
    return np.sum(x * y)


@case(args=lambda: (lambda a: (a, a))(np.array([1.0, 2.0, 3.0])), wrt=0, expect="refuse",
      note="aliasing: f(a, a): x[0] = 0 changes y too (AliasingError)")
def same_array_setitem(x, y):
    x[0] = 0.0
    return np.sum(x + y * y)


@case(args=lambda: (lambda a: (a, [a]))(np.array([1.0, 2.0, 3.0])), wrt=0, expect="refuse",
      note="aliasing: x is also lst[0]; x *= 3 changes what lst[0] reads (AliasingError)")
def arg_in_list_arg(x, lst):
    x *= 3.0
    return np.sum(lst[0])


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),),
      note="x += 1 on argument: caller's array must not change; grad correct")
def iadd_argument(x):
    x += 1.0
    return np.sum(x * x)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),),
      note="w *= 1.0 on a default argument: s2sad copies an argument before writing into it "
           "(README), so the module-level _shared does not change, and nothing in the function "
           "reads _shared afterwards: value and gradient are Python's (was refuse)")
def default_arg_mutation(x, w=_shared):
    w *= 1.0
    return np.sum(x * w)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="global array read (not mutated)")
def global_read(x):
    return np.sum(x * _shared)


# ---------------------------------------------------------------- ints / bools

@case(args=lambda: (3,), note="int argument x*x/2 (true division)")
def int_truediv(x):
    return x * x / 2


@case(args=lambda: (7,), note="int argument with floor division x // 2 (piecewise constant) + x")
def int_floordiv(x):
    return x // 2 + x


@case(args=lambda: (np.array([1, 2, 3]),), check=dtype_is(np.float64),
      note="int array argument, grad float64")
def int_array_arg(x):
    return np.sum(x * x)


@case(args=lambda: (np.array([1, 2, 3]),), expect="refuse",
      note="x += 0.5 on an int array: NumPy raises UFuncTypeError (casting); so does s2sad "
           "(was: x + 0.5 in float, 20.75)")
def int_array_iadd_float(x):
    x += 0.5
    return np.sum(x * x)


@case(args=lambda: (np.array([1, 2, 3]),), ref=lambda: np.array([0.0, 4.0, 6.0]),
      note="int array: y[0] = y[0] * 1.7 truncates (locally constant), so entry 0 gets 0; "
           "explicit ref, as finite differences on a float copy would not truncate (5.78) (was "
           "nondiff)")
def int_array_setitem_float(x):
    y = x * 1
    y[0] = y[0] * 1.7
    return float(np.sum(y * y))


@case(args=lambda: (np.array([1.0, 2.0]), np.array([True, False])), wrt=0,
      note="bool mask multiply")
def bool_mask_mul(x, m):
    return np.sum(x * m)


@case(args=lambda: (np.array([1.0, 2.0]), True), wrt=0, note="bool python arg as multiplier")
def bool_scalar_mul(x, b):
    return np.sum(x * b)


@case(args=lambda: (np.array([True, False]),), expect="refuse",
      note="w.r.t. a bool array: ArgumentTypeError")
def wrt_bool_array(m):
    return float(np.sum(m))


@case(args=lambda: (np.int64(3),), note="np.int64 scalar argument")
def np_int64_arg(x):
    return x * x * 1.0


@case(args=lambda: (np.float32(1.5),), check=dtype_is(np.float32),
      note="np.float32 scalar argument: gradient np.float32")
def np_float32_scalar(x):
    return x * x


@case(args=lambda: (np.array([1.5, 2.0], dtype=np.float32),), check=dtype_is(np.float32),
      note="float32 array: gradient float32")
def float32_array(x):
    return np.sum(x * x)


@case(args=lambda: (np.array([1.5, 2.0], dtype=np.float32),),
      note="float32 x * float64 constant array: gradient float32")
def float32_times_f64(x):
    return np.sum(x * np.array([1.0, 2.0]))


@case(args=lambda: (np.array([1.5, 2.0], dtype=np.float16),), ref=lambda: np.array([3.0, 4.0]),
      check=dtype_is(np.float16), note="float16 array")
def float16_array(x):
    return np.sum(x * x)


@case(args=lambda: (np.array([1.0 + 2.0j, 0.5j]),), ref=lambda: np.array([2.0 - 4.0j, -1.0j]),
      note="complex input, real loss sum(|z|^2): JAX's convention, 2*conj(z); explicit ref "
           "(finite differences here are real only) (was nondiff)")
def complex_abs2(z):
    return np.sum(np.real(z * np.conjugate(z)))


# ---------------------------------------------------------------- 0-d, empty, broadcast

@case(args=lambda: (np.array(2.0),), note="0-d array argument: gradient 0-d array")
def zero_d(x):
    return x * x * 3.0


@case(args=lambda: (np.array(2.0),), note="0-d array: x[()] indexing")
def zero_d_index(x):
    return x[()] ** 3


@case(args=lambda: (np.array(2.0),), note="0-d array .item()")
def zero_d_item(x):
    return x.item() ** 2


@case(args=lambda: (np.array(2.0),), note="0-d array float()")
def zero_d_float(x):
    return float(x) ** 2


@case(args=lambda: (np.array(2.0),), note="0-d array x[...] ellipsis")
def zero_d_ellipsis(x):
    return np.sum(x[...] * 2.0)


@case(args=lambda: (np.array(2.0),), note="0-d array x[None]")
def zero_d_newaxis(x):
    return np.sum(x[None] * np.array([1.0, 2.0]))


@case(args=lambda: (np.zeros(0),), note="empty array: sum = 0, gradient empty")
def empty_sum(x):
    return np.sum(x * x)


@case(args=lambda: (np.zeros((0, 3)),), note="empty (0,3) mean over axis 0 -> nan; sum over axis 1")
def empty_2d(x):
    return np.sum(np.sum(x, axis=1))


@case(args=lambda: (np.zeros(0), 2.0), wrt=1, note="empty array times scalar: gradient of scalar 0")
def empty_times_scalar(x, s):
    return np.sum(x * s) + s


@case(args=lambda: (np.zeros(0),), note="np.prod of empty = 1")
def empty_prod(x):
    return np.prod(x)


@case(args=lambda: (np.zeros(0),), note="np.concatenate of an empty array and a constant")
def empty_concat(x):
    return np.sum(np.concatenate([x, np.ones(2)]) * 2.0)


@case(args=lambda: (np.array([2.0]), np.array(3.0)), wrt=(0, 1), note="(1,) * () broadcasting")
def bcast_1_vs_0d(a, b):
    return np.sum(a * b)


@case(args=lambda: (np.array([2.0]), np.array([1.0, 2.0, 3.0])), wrt=(0, 1),
      note="(1,) * (3,) broadcasting")
def bcast_1_vs_3(a, b):
    return np.sum(a * b * b)


@case(args=lambda: (np.array([[2.0]]), np.array([1.0, 2.0])), wrt=(0, 1),
      note="(1,1) + (2,) -> (1,2)")
def bcast_11_vs_2(a, b):
    return np.sum((a + b) ** 2)


@case(args=lambda: (np.array([2.0]),), note="(1,) array in scalar context: a[0]")
def float_of_len1(a):
    return float(a[0]) ** 2


@case(args=lambda: (np.array([2.0]),), expect="refuse",
      note="return a (1,)-shaped array: numpy allows float() but grad needs scalar")
def return_len1(a):
    return a * a


@case(args=lambda: (np.array([[2.0]]),), expect="refuse", note="return a (1,1) array")
def return_1x1(a):
    return a * a


@case(args=lambda: (np.array([1.0, 2.0]), 3.0), wrt=1,
      check=type_is(float),
      note="python float broadcast into array, gradient float")
def float_scalar_bcast(x, s):
    return np.sum(x * s)


@case(args=lambda: (np.array([1.0, 2.0]), np.float64(3.0)), wrt=1,
      note="np.float64 scalar broadcast")
def npfloat_scalar_bcast(x, s):
    return np.sum(x * s)


@case(args=lambda: (np.array([1.0, 2.0]), 3), wrt=1, note="int scalar broadcast into array")
def int_scalar_bcast(x, s):
    return np.sum(x * s)


@case(args=lambda: (np.array([[1.0, 2.0]]),), note="x.T broadcasting against x: (2,1)+(1,2)")
def outer_sum_bcast(x):
    return np.sum((x.T + x) ** 2)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="x[:, None] - x[None, :] pairwise")
def pairwise(x):
    d = x[:, None] - x[None, :]
    return np.sum(d ** 2)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="x[np.newaxis] sum")
def newaxis(x):
    return np.sum(x[np.newaxis, :, np.newaxis] * np.arange(3.0).reshape(1, 3, 1))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="comparison chain a < b < c as control")
def chained_compare(x):
    if x[0] < x[1] < x[2]:
        return np.sum(x * x)
    return np.sum(x)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="the walrus operator in an if's test")
def walrus(x):
    if (s := np.sum(x * x)) > 1.0:
        return s * 2.0
    return s


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="augmented assign on scalar from sum")
def scalar_aug(x):
    s = np.sum(x)
    s *= s
    s -= 1.0
    s /= 2.0
    s **= 2
    return s


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="matmul augmented y @= M (in place matmul)")
def imatmul(x):
    y = np.outer(x, x)
    y @= np.eye(3) * 2.0
    return np.sum(y)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="y //= 1 then float")
def ifloordiv(x):
    y = x * 1.5 + 0.1
    y //= 1.0
    return np.sum(y) + np.sum(x)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="y %= 2.0")
def imod(x):
    y = x * 1.5
    y %= 2.0
    return np.sum(y * y)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="aliasing: b = a; b += 1 (refused per README)")
def alias_name_iadd(x):
    a = x * 1.0
    b = a
    b += 1.0
    return np.sum(a * x)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="aliasing: b = a.T view then a += 1")
def alias_view_iadd(x):
    a = np.outer(x, x)
    b = a.T
    a += 1.0
    return np.sum(b * np.arange(9.0).reshape(3, 3))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="aliasing: b = a.reshape(3) (view) then a *= 2, read b")
def alias_reshape_view(x):
    a = x * 1.0
    b = a.reshape(3)
    a *= 2.0
    return np.sum(b * x)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="aliasing: b = a.ravel() (view) then b[0] = 9, read a")
def alias_ravel_setitem(x):
    a = x * 1.0
    b = a.ravel()
    b[0] = 9.0
    return np.sum(a * x)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="aliasing: b = np.asarray(a) (same object) then b *= 2, read a")
def alias_asarray(x):
    a = x * 1.0
    b = np.asarray(a)
    b *= 2.0
    return np.sum(a * x)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="aliasing: b = a[...] (view) then b += 1; read a")
def alias_ellipsis_view(x):
    a = x * 1.0
    b = a[...]
    b += 1.0
    return np.sum(a * x)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="aliasing: b = a[:] then a[0] = 5; read b")
def alias_slice_setitem(x):
    a = x * 1.0
    b = a[:]
    a[0] = 5.0
    return np.sum(b * x)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="aliasing: d = {'a': a}; a *= 2; read d['a']")
def alias_dict_value(x):
    a = x * 1.0
    d = {"a": a}
    a *= 2.0
    return np.sum(d["a"] * x)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="b = a.copy() then a *= 2 is fine")
def copy_then_imul(x):
    a = x * 1.0
    b = a.copy()
    a *= 2.0
    return np.sum(a * b)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="aliasing: np.atleast_1d(a) returns a itself; then *=")
def alias_atleast_1d(x):
    a = x * 1.0
    b = np.atleast_1d(a)
    b *= 2.0
    return np.sum(a * x)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="aliasing: b = np.squeeze(a) view; a += 1")
def alias_squeeze(x):
    a = x * 1.0
    b = np.squeeze(a)
    a += 1.0
    return np.sum(b * x)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),),
      note="b = a.astype(float) COPY (astype copies by default); a += 1: fine")
def astype_copy_then_iadd(x):
    a = x * 1.0
    b = a.astype(float)
    a += 1.0
    return np.sum(b * x + a)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="aliasing: b = a.astype(float, copy=False) is a itself; a += 1 changes b, read "
           "afterwards (refused today as UnsupportedSyntaxError: no copy= parameter; once that is "
           "supported it must be an AliasingError)")
def astype_nocopy_alias(x):
    a = x * 1.0
    b = a.astype(float, copy=False)
    a += 1.0
    return np.sum(b * x)
