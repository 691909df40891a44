"""Array methods/attributes, stop_gradient, wrt forms, reductions as methods, odd but legal code."""
import numpy as np

import s2sad

from .support import CaseList

CASES = CaseList()
case = CASES.case


def W(*shape):
    return np.arange(1.0, np.prod(shape) + 1.0).reshape(shape) % 7 - 2.5


M = lambda: (np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]),)


@case(args=M, note="x.T property")
def attr_T(x):
    return np.sum(x.T * W(3, 2))


@case(args=M, note="x.real on a real array")
def attr_real(x):
    return np.sum(x.real * W(2, 3))


@case(args=M, note="x.imag of a real array: zeros, no gradient (was refused)")
def attr_imag(x):
    return np.sum(x.imag) + np.sum(x)


@case(args=M, note="x.conj()")
def method_conj(x):
    return np.sum(x.conj() * W(2, 3))


@case(args=M, note="x.clip(lo, hi) method")
def method_clip(x):
    return np.sum(x.clip(-0.5, 1.0) * W(2, 3))


@case(args=M, expect="grad",
      note="supported now: np.clip(x, min=..., max=...) (NumPy 2.1 keywords) "
           "(UnsupportedSyntaxError)")
def method_clip_minmax_kw(x):
    return np.sum(np.clip(x, min=-0.5, max=1.0) * W(2, 3))


@case(args=M, note="x.cumprod(axis=1)")
def method_cumprod(x):
    return np.sum(x.cumprod(axis=1) * W(2, 3))


@case(args=M, note="x.prod(axis=0)")
def method_prod(x):
    return np.sum(x.prod(axis=0) * W(3))


@case(args=M, note="x.std(axis=1)")
def method_std(x):
    return np.sum(x.std(axis=1) * W(2))


@case(args=M, note="x.min(axis=0)")
def method_min(x):
    return np.sum(x.min(axis=0) * W(3))


@case(args=M, note="x.reshape((3, 2)) tuple form")
def method_reshape_tuple(x):
    return np.sum(x.reshape((3, 2)) * W(3, 2))


@case(args=M, note="x.reshape(-1)")
def method_reshape_neg(x):
    return np.sum(x.reshape(-1) * W(6))


@case(args=M, expect="refuse",
      note="unsupported yet: x.reshape(shape=...) (NumPy 2.1 keyword) (UnsupportedSyntaxError)")
def method_reshape_shape_kw(x):
    return np.sum(x.reshape(shape=(3, 2)) * W(3, 2))


@case(args=M, note="x.diagonal()")
def method_diagonal(x):
    return np.sum(x.diagonal() * W(2))


@case(args=lambda: (np.array([[0.51, -1.03, 2.02], [1.57, 0.31, -0.72]]),),
      note="x.round(1) (piecewise constant: gradient 0; off the rounding points)")
def method_round(x):
    return np.sum(x.round(1)) + np.sum(x)


@case(args=M, note="x.sum() * x.size")
def method_size(x):
    return x.sum() * x.size + x.shape[0] * x.ndim


@case(args=M, note="x.var() ** 0.5")
def method_var_sqrt(x):
    return x.var() ** 0.5


@case(args=M, note="x.mean(axis=-1, keepdims=True)")
def method_mean_keep(x):
    return np.sum((x - x.mean(axis=-1, keepdims=True)) ** 2)


@case(args=M, note="x.take([2, 0], axis=1)")
def method_take(x):
    return np.sum(x.take([2, 0], axis=1) * W(2, 2))


@case(args=M, note="x.repeat(2, axis=0)")
def method_repeat(x):
    return np.sum(x.repeat(2, axis=0) * W(4, 3))


@case(args=M, note="x.swapaxes(0, 1)")
def method_swapaxes(x):
    return np.sum(x.swapaxes(0, 1) * W(3, 2))


@case(args=M, note="x.dot(x.T)")
def method_dot_self(x):
    return np.sum(x.dot(x.T) * W(2, 2))


@case(args=M, note="x.trace()")
def method_trace(x):
    return x.trace() * 3.0


@case(args=M, expect="grad",
      note="supported now: x.item(i) with an index (UnsupportedSyntaxError)")
def method_item_index(x):
    return x.item(1) * 2.0 + x.item(-1)


@case(args=M, expect="grad",
      note="supported now: x.item((i, j)) with a tuple index (UnsupportedSyntaxError)")
def method_item_tuple(x):
    return x.item((1, 2)) * 2.0


@case(args=M, expect="refuse",
      note="unsupported yet: x.tolist(), then Python arithmetic on the items (NoAdjointError)")
def method_tolist(x):
    rows = x.tolist()
    return rows[0][1] * rows[1][2]


@case(args=M, note="x.flatten() default")
def method_flatten(x):
    return np.sum(x.flatten() * W(6))


@case(args=M, note="x.astype(x.dtype)")
def method_astype_same(x):
    return np.sum(x.astype(x.dtype) * W(2, 3))


@case(args=M, note="x.copy() then in-place")
def method_copy_inplace(x):
    y = x.copy()
    y[0] *= 2.0
    return np.sum(y * W(2, 3))


@case(args=M, expect="refuse",
      note="unsupported yet: y.sort() (changes y in place) (UnsupportedSyntaxError)")
def method_sort_inplace(x):
    y = x.copy()
    y.sort()
    return np.sum(y * W(2, 3))


@case(args=M, expect="refuse",
      note="unsupported yet: y.fill(v) (changes y in place) (UnsupportedSyntaxError)")
def method_fill(x):
    y = x.copy()
    y.fill(1.0)
    return np.sum(y * x)


@case(args=M, ref=lambda: M()[0] ** 2,
      note="stop_gradient blocks: d/dx sum(stop(x*x)*x) = x**2 (explicit ref; FD sees identity)")
def stop_grad(x):
    u = s2sad.stop_gradient(x * x)
    return np.sum(u * x)


@case(args=M, ref=lambda: M()[0], note="stop_gradient in a loop: gradient = x (explicit ref)")
def stop_grad_loop(x):
    s = 0.0
    for r in x:
        s = s + np.sum(s2sad.stop_gradient(r) * r)
    return s


@case(args=lambda: (np.array([1.0, 2.0]), np.array([3.0, 4.0])), wrt=("b",),
      note="wrt by name tuple")
def wrt_name(a, b):
    return np.sum(a * b * b)


@case(args=lambda: (np.array([1.0, 2.0]), np.array([3.0, 4.0])), wrt=(1, 0),
      note="wrt reversed order")
def wrt_reversed(a, b):
    return np.sum(a * a * b)


@case(args=lambda: (np.array([1.0, 2.0]), np.array([3.0, 4.0])), wrt=(0, 0),
      note="wrt duplicate index")
def wrt_duplicate(a, b):
    return np.sum(a * a * b)


@case(args=lambda: (np.array([1.0, 2.0]), 2.0), wrt=-1, note="wrt=-1 negative index")
def wrt_negative(a, s):
    return np.sum(a) * s * s


@case(args=lambda: (np.array([1.0, 2.0]),), expect="refuse",
      note="returning a tuple: grad needs a scalar (NonScalarOutputError)")
def return_tuple(a):
    return np.sum(a), np.sum(a * a)


@case(args=lambda: (np.array([1.0, 2.0]),), ref=lambda: np.array([2.0, 4.0]),
      note="np.float32(...) conversion of the result (was refused; exact: FD rounds)")
def return_float32(a):
    return np.float32(np.sum(a * a))


@case(args=lambda: (np.array([1.0, 2.0]),), note="return a Python int from a constant path")
def return_int_constant(a):
    return len(a)


@case(args=lambda: (np.array([1.0, 2.0]),), expect="refuse",
      note="returning None: grad needs a scalar (NonScalarOutputError)")
def return_none(a):
    np.sum(a)


@case(args=lambda: (np.array([1.0, 2.0]),), expect="refuse",
      note="returning a bool: grad needs a scalar (NonScalarOutputError)")
def return_bool(a):
    return bool(np.sum(a) > 0)


@case(args=lambda: (np.array([1.0, 2.0]),), note="return 0-d array")
def return_0d(a):
    return np.array(np.sum(a * a))


@case(args=lambda: (np.array([1.0, 2.0]),), expect="refuse",
      note="returning a (1,)-array (sum with keepdims): grad needs a scalar (NonScalarOutputError)")
def return_keepdims(a):
    return np.sum(a, keepdims=True)


@case(args=lambda: (np.array([1.0, 2.0]),), note="unused argument gradient 0")
def unused(a):
    return 3.0


@case(args=lambda: (np.array([1.0, 2.0]),),
      note="output constant but computed from a via nondiff path")
def nondiff_path(a):
    return float(np.argmax(a)) + float(a.shape[0])


@case(args=lambda: (np.array([1.0, 2.0]),), note="del of a name then rebind")
def del_name(a):
    b = a * 2.0
    del b
    b = a * 3.0
    return np.sum(b)


@case(args=lambda: (np.array([1.0, 2.0]),), note="docstring and pass statements")
def docstring_fn(a):
    """A docstring."""
    pass
    return np.sum(a * a)


@case(args=lambda: (np.array([1.0, 2.0]),), note="f-string / print side effects ignored")
def print_fn(a):
    s = np.sum(a * a)
    _ = f"{s:.3f}"
    return s


@case(args=lambda: (np.array([1.0, 2.0]),), note="lambda returned from helper and called")
def lambda_from_helper(a):
    g = make_scaler(3.0)
    return np.sum(g(a))


def make_scaler(c):
    return lambda t: t * c


@case(args=lambda: (np.array([1.0, 2.0]),), note="isinstance check in body")
def isinstance_check(a):
    if isinstance(a, np.ndarray):
        return np.sum(a * a)
    return 0.0


@case(args=lambda: (np.array([1.0, 2.0]),), note="type annotation on local")
def annotated(a):
    b: np.ndarray = a * 2.0
    return np.sum(b * b)


@case(args=lambda: (np.array([1.0, 2.0]),), note="np.newaxis via None and np.squeeze")
def squeeze_newaxis(a):
    return np.sum(np.squeeze(a[None, :, None]) * W(2))


@case(args=lambda: (np.array([1.0, 2.0]),),
      note="np.power(a, 2.0) with positional arguments")
def power_positional(a):
    return np.sum(np.power(a, 2.0))


@case(args=lambda: (np.array([1.0, 2.0]),), note="np.add.reduce, a ufunc's method (was refused)")
def ufunc_reduce(a):
    return np.add.reduce(a * a)


@case(args=lambda: (np.array([1.0, 2.0]),), expect="refuse",
      note="unsupported yet: np.multiply.outer (ufunc methods) (NoAdjointError)")
def ufunc_outer(a):
    return np.sum(np.multiply.outer(a, a) * W(2, 2))


@case(args=lambda: (np.array([1.0, 2.0]),), note="np.nansum")
def nansum(a):
    return np.nansum(a * a)


@case(args=lambda: (np.array([1.0, 2.0]),), note="np.average with weights")
def average(a):
    return np.average(a, weights=np.array([1.0, 3.0]))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.median")
def median(a):
    return np.median(a)


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.interp w.r.t. x, xp a list")
def interp(a):
    return np.sum(np.interp(a, [0.0, 5.0], [1.0, 3.0]))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.polyval")
def polyval(a):
    return np.sum(np.polyval([1.0, 2.0, 3.0], a))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.dot(x, x) 1-d same operand")
def dot_self(a):
    return np.dot(a, a)


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="a @ a same operand")
def matmul_self(a):
    return a @ a


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.outer(a, a) same operand")
def outer_self(a):
    return np.sum(np.outer(a, a) * W(3, 3))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.kron")
def kron(a):
    return np.sum(np.kron(a, a) * W(9))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.convolve")
def convolve(a):
    return np.sum(np.convolve(a, np.array([1.0, -1.0])) * W(4))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), expect="refuse",
      note="unsupported yet: np.meshgrid (NoAdjointError)")
def meshgrid(a):
    X, Y = np.meshgrid(a, a)
    return np.sum(X * Y * W(3, 3))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.split into equal pieces")
def split(a):
    p, q = np.split(np.concatenate([a, a * 2.0]), 2)
    return np.sum(p * q)


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.pad")
def pad(a):
    return np.sum(np.pad(a, 1) * W(5))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.append (was refused)")
def append(a):
    return np.sum(np.append(a, a[0] * 2.0) * W(4))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), expect="refuse",
      note="unsupported yet: np.unique (NoAdjointError)")
def unique(a):
    return np.sum(np.unique(a * 1.0) * W(3))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),),
      note="an import statement in the function (scipy.special.expit)")
def scipy_expit(a):
    import scipy.special
    return np.sum(scipy.special.expit(a))


@case(args=lambda: (np.array([1.0, 2.5, 4.0]),),
      note="np.heaviside (piecewise constant: gradient 0)")
def heaviside(a):
    return np.sum(np.heaviside(a - 2.0, 0.5)) + np.sum(a)


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.copysign (was refused)")
def copysign(a):
    return np.sum(np.copysign(a, -1.0))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.nan_to_num (was refused)")
def nan_to_num(a):
    return np.sum(np.nan_to_num(a * a))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.square of np.sin and np.cos identity")
def trig_identity(a):
    return np.sum(np.square(np.sin(a)) + np.square(np.cos(a)) * a)


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.exp2, np.log2, np.log10")
def exp2_logs(a):
    return np.sum(np.exp2(a) + np.log2(a) + np.log10(a))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.deg2rad / np.degrees")
def deg_rad(a):
    return np.sum(np.sin(np.deg2rad(a * 30.0)) + np.degrees(a))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.fabs and np.negative, np.positive")
def misc_unary(a):
    return np.sum(np.fabs(np.negative(a)) * np.positive(a))


@case(args=lambda: (np.array([1.0, 2.0, 4.0]),), note="np.true_divide and np.subtract")
def misc_binary(a):
    return np.sum(np.true_divide(np.subtract(a, 0.5), a + 1.0))
