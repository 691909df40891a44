"""NumPy functions applied to Python lists/tuples of differentiable values (array_like inputs),
and degenerate axis/size arguments."""
import numpy as np

from .support import CaseList

CASES = CaseList()
case = CASES.case


AB = lambda: (1.5, -2.0)
V = lambda: (np.array([0.5, -1.0, 2.0]),)


@case(args=AB, wrt=(0, 1), note="np.sum([a, b]) of floats")
def sum_list_floats(a, b):
    return np.sum([a * a, b])


@case(args=V, note="np.sum([x, 2x]) of arrays (list -> 2-d)")
def sum_list_arrays(x):
    return np.sum([x, x * x])


@case(args=V, note="np.sum([x, x*x], axis=0) weighted")
def sum_list_arrays_axis(x):
    return np.sum(np.sum([x, x * x], axis=0) * np.array([1.0, 2.0, 3.0]))


@case(args=AB, wrt=(0, 1), note="np.mean((a, b)) tuple")
def mean_tuple(a, b):
    return np.mean((a * b, b))


@case(args=AB, wrt=(0, 1), note="np.max([a, b])")
def max_list(a, b):
    return np.max([a, b * b])


@case(args=AB, wrt=(0, 1), note="np.prod([a, b])")
def prod_list(a, b):
    return np.prod([a, b, a])


@case(args=AB, wrt=(0, 1), note="np.linalg.norm([a, b])")
def norm_list(a, b):
    return np.linalg.norm([a, b])


@case(args=AB, wrt=(0, 1), note="np.exp([a, b]) elementwise on a list")
def exp_list(a, b):
    return np.sum(np.exp([a, b]) * np.array([1.0, 2.0]))


@case(args=AB, wrt=(0, 1), note="np.dot([a, b], [b, a])")
def dot_lists(a, b):
    return np.dot([a, b], [b, 2.0])


@case(args=AB, wrt=(0, 1), note="np.array([[a, b], [b, a]]) nested then det")
def nested_array_det(a, b):
    return np.linalg.det(np.array([[a, b], [b, 3.0]]))


@case(args=V, note="np.concatenate([x, [x[0]]]) with inner Python list")
def concat_inner_list(x):
    return np.sum(np.concatenate([x, [x[0] * 2.0]]) * np.arange(4.0))


@case(args=AB, wrt=(0, 1), note="np.stack([a, b]) of floats")
def stack_floats(a, b):
    return np.sum(np.stack([a, b]) * np.array([3.0, 4.0]))


@case(args=AB, wrt=(0, 1), note="np.sort([a, b])")
def sort_list(a, b):
    return np.sum(np.sort([a, b]) * np.array([1.0, 10.0]))


@case(args=AB, wrt=(0, 1), note="np.cumsum([a, b])")
def cumsum_list(a, b):
    return np.sum(np.cumsum([a, b, a]) * np.array([1.0, 2.0, 3.0]))


@case(args=AB, wrt=(0, 1), note="np.diff([a, b, a*b])")
def diff_list(a, b):
    return np.sum(np.diff([a, b, a * b]) * np.array([1.0, 3.0]))


@case(args=AB, wrt=(0, 1), note="np.maximum([a, b], 0)")
def maximum_list(a, b):
    return np.sum(np.maximum([a, b], 0.0))


@case(args=AB, wrt=(0, 1), note="np.where(cond, [a, b], 0)")
def where_list(a, b):
    return np.sum(np.where(np.array([True, False]), [a, b], 0.0)) + b


@case(args=AB, wrt=(0, 1), note="np.reshape([a, b, a, b], (2, 2))")
def reshape_list(a, b):
    return np.sum(np.reshape([a, b, a, b], (2, 2)) * np.array([[1.0, 2.0], [3.0, 4.0]]))


@case(args=AB, wrt=(0, 1), note="np.asarray([a, b]) then index")
def asarray_list(a, b):
    v = np.asarray([a, b])
    return v[0] * v[1]


@case(args=AB, wrt=(0, 1), note="np.mean([a, b]) wrt both + np.var")
def var_list(a, b):
    return np.var([a, b, 0.0])


@case(args=AB, wrt=(0, 1), note="np.clip([a, b], -1, 1)")
def clip_list(a, b):
    return np.sum(np.clip([a, b], -1.0, 1.0))


@case(args=AB, wrt=(0, 1), note="np.square((a, b))")
def square_tuple(a, b):
    return np.sum(np.square((a, b)))


@case(args=AB, wrt=(0, 1), note="[a, b] @ [[..]] matmul with a list on the left")
def matmul_list(a, b):
    return np.sum(np.matmul([a, b], np.array([[1.0, 2.0], [3.0, 4.0]])))


@case(args=AB, wrt=(0, 1), note="np.outer([a, b], [b, a])")
def outer_list(a, b):
    return np.sum(np.outer([a, b], [b, a]) * np.array([[1.0, 2.0], [3.0, 4.0]]))


@case(args=AB, wrt=(0, 1), note="np.take([a, b], [1, 1])")
def take_list(a, b):
    return np.sum(np.take([a, b], [1, 1, 0]))


@case(args=AB, wrt=(0, 1), note="np.tile([a, b], 2)")
def tile_list(a, b):
    return np.sum(np.tile([a, b], 2) * np.arange(4.0))


@case(args=AB, wrt=(0, 1), note="np.repeat([a, b], 2)")
def repeat_list(a, b):
    return np.sum(np.repeat([a, b], 2) * np.arange(4.0))


@case(args=AB, wrt=(0, 1), note="np.flip([a, b])")
def flip_list(a, b):
    return np.sum(np.flip([a, b]) * np.array([1.0, 5.0]))


@case(args=AB, wrt=(0, 1), note="np.roll([a, b, 0], 1)")
def roll_list(a, b):
    return np.sum(np.roll([a, b, 0.0], 1) * np.array([1.0, 5.0, 7.0]))


@case(args=AB, wrt=(0, 1), note="np.diag([a, b])")
def diag_list(a, b):
    return np.sum(np.diag([a, b]) * np.array([[1.0, 2.0], [3.0, 4.0]]))


@case(args=AB, wrt=(0, 1), note="np.linalg.inv of nested list")
def inv_list(a, b):
    return np.sum(np.linalg.inv([[a, 1.0], [0.5, b]]))


@case(args=AB, wrt=(0, 1), note="np.einsum('i,i->', [a,b], [b,a])")
def einsum_lists(a, b):
    return np.einsum("i,i->", [a, b], [b, 1.0])


# ---------------------------------------------------------------- degenerate axes / sizes

@case(args=V, note="np.sum(axis=()) no-op reduction")
def sum_empty_axis(x):
    return np.sum(np.sum(x * x, axis=()) * np.array([1.0, 2.0, 3.0]))


@case(args=V, note="np.mean(axis=())")
def mean_empty_axis(x):
    return np.sum(np.mean(x * x, axis=()) * np.array([1.0, 2.0, 3.0]))


@case(args=V, note="np.max(axis=())")
def max_empty_axis(x):
    return np.sum(np.max(x, axis=()) * np.array([1.0, 2.0, 3.0]))


@case(args=V, note="np.prod(axis=())")
def prod_empty_axis(x):
    return np.sum(np.prod(x, axis=()) * np.array([1.0, 2.0, 3.0]))


@case(args=V, note="np.var(axis=()) = zeros")
def var_empty_axis(x):
    return np.sum(np.var(x, axis=())) + np.sum(x)


@case(args=V, note="np.repeat(x, 0) -> empty")
def repeat_zero(x):
    return np.sum(np.repeat(x, 0)) + np.sum(x)


@case(args=V, note="np.tile(x, 0) -> empty")
def tile_zero(x):
    return np.sum(np.tile(x, 0)) + np.sum(x)


@case(args=V, note="np.diff(n=5) > length -> empty")
def diff_too_many(x):
    return np.sum(np.diff(x, n=5)) + np.sum(x)


@case(args=V, note="np.cumsum of 0-d")
def cumsum_0d(x):
    return np.sum(np.cumsum(x[0] * x[1]))


@case(args=V, note="np.sort(axis=None) of a 0-d value gives a 1-d array")
def sort_0d(x):
    return np.sum(np.sort(x[0] * 2.0, axis=None))


@case(args=V, note="np.linalg.norm of 0-d")
def norm_0d(x):
    return np.linalg.norm(x[1])


@case(args=V, note="np.max of 0-d array")
def max_0d(x):
    return np.max(x[1] * 2.0)


@case(args=V, note="x.sum(axis=None, keepdims=True) then [0]")
def sum_none_keepdims(x):
    return x.sum(axis=None, keepdims=True)[0] * 2.0


@case(args=V, expect="nondiff", ref=lambda: np.array([np.nan, np.nan, np.nan]),
      note="np.max with a nan entry: the value is nan, and so is the gradient")
def max_with_nan(x):
    y = x * np.array([1.0, np.nan, 1.0])
    return np.max(y)


@case(args=V, expect="refuse", note="unsupported yet: np.nanmax (NoAdjointError)")
def nanmax(x):
    y = x * np.array([1.0, np.nan, 1.0])
    return np.nanmax(y)


@case(args=V, note="np.max with -inf entry")
def max_neg_inf(x):
    y = np.array([-np.inf, 0.0, 0.0]) + x
    return np.max(y)


@case(args=V, note="np.where with float condition array (nonzero truthy)")
def where_float_cond(x):
    return np.sum(np.where(np.array([0.0, 2.0, -1.0]), x, x * x))


@case(args=lambda: (np.array([[1.0], [2.0]]), np.array([[0.5, 2.0]])), wrt=(0, 1),
      note="x ** y broadcast (2,1)**(1,2)")
def pow_broadcast(x, y):
    return np.sum(x ** y)


@case(args=lambda: (np.array([1.0, 2.0]),), expect="nondiff",
      ref=lambda: np.array([np.inf, np.inf]), note="x / 0.0 -> inf, derivative inf")
def divide_by_zero(x):
    return np.sum(np.divide(x, 0.0))


@case(args=lambda: (np.array([2.5, -1.5]), -2.0), wrt=(0, 1), note="x % negative y")
def mod_negative(x, y):
    return np.sum(x % y)


@case(args=lambda: (np.array([1, 2, 3]),),
      note="int array y = x.copy(); y *= 2 -> stays int (exact)")
def int_copy_imul(x):
    y = x.copy()
    y *= 2
    return float(np.sum(y * y))


@case(args=lambda: (np.array([1, 2, 3]),), note="int array mean")
def int_mean(x):
    return np.mean(x * x)


@case(args=lambda: (np.array([1, 2, 3]),), note="int array np.sqrt")
def int_sqrt(x):
    return np.sum(np.sqrt(x))


@case(args=lambda: (np.array([1, 2, 3]),), note="int array x / 2 (true division)")
def int_div2(x):
    return np.sum(x / 2)


@case(args=lambda: (np.array([1, 3, 5]),),
      note="int array x // 2 * 2.0 (floor) + x (odd values: away from kinks)")
def int_floordiv_arr(x):
    return np.sum(x // 2 * 2.0 + x)


@case(args=lambda: (np.array([1, 2, 3]),), note="int array np.prod")
def int_prod(x):
    return float(np.prod(x))


@case(args=lambda: (np.array([1, 2, 3]),), note="int array cumprod")
def int_cumprod(x):
    return float(np.sum(np.cumprod(x)))


@case(args=lambda: (np.array([1, 2, 3]),), note="int array np.linalg.norm")
def int_norm(x):
    return np.linalg.norm(x)


@case(args=lambda: (np.array([1, 2, 3]),), note="int array np.var")
def int_var(x):
    return np.var(x)


@case(args=lambda: (np.array([1, 2, 3]),),
      note="int array x ** 3 (int pow int, adjoint 3*x**2 int)")
def int_cube(x):
    return float(np.sum(x ** 3))


@case(args=lambda: (np.array([1, 2, 3]),), expect="refuse",
      note="int array x ** -1: NumPy raises ValueError")
def int_neg_pow(x):
    return float(np.sum(x ** -1))


@case(args=lambda: (np.array([[1, 2], [3, 5]]),), note="int matrix det")
def int_det(x):
    return np.linalg.det(x)


@case(args=lambda: (np.array([[1, 2], [3, 5]]),), note="int matrix inv")
def int_inv(x):
    return np.sum(np.linalg.inv(x))


@case(args=lambda: (np.array([1, 2, 3]),), note="int array setitem y[0] = x[1] * 2 (int * int)")
def int_setitem(x):
    y = x.copy()
    y[0] = x[1] * 2
    return float(np.sum(y * y))


@case(args=lambda: (np.array([1, 2, 3], dtype=np.int32),), note="int32 array x * 0.5")
def int32_half(x):
    return np.sum(x * 0.5 * x)


@case(args=lambda: (np.array([1, 2, 3], dtype=np.uint8),), ref=lambda: np.array([1.0, 1.0, 1.0]),
      note="uint8 x - 5 wraps around modulo 256: slope 1, the derivative exists; explicit ref, as "
           "finite differences run on float64 copies (was nondiff)")
def uint8_sub(x):
    return float(np.sum(x - 5))


@case(args=lambda: (np.array([100, 200], dtype=np.uint8),), ref=lambda: np.array([2.0, 2.0]),
      note="uint8 x*2 wraps modulo 256 (piecewise linear, slope 2)")
def uint8_wrap(x):
    return float(np.sum(x * 2))
