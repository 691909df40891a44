"""Parameters an adjoint rule may silently ignore: order=, dtype=, where=, mode=, kind=, ..."""
import numpy as np

from .support import CaseList

CASES = CaseList()
case = CASES.case


M23 = lambda: (np.arange(6.0).reshape(2, 3) + 1.0,)
W6 = np.arange(1.0, 7.0)
W23 = np.arange(1.0, 7.0).reshape(2, 3)
W32 = np.arange(1.0, 7.0).reshape(3, 2)

# ---------------------------------------------------------------- order=


@case(args=M23, note="reshape order='F'")
def reshape_order_F(x):
    return np.sum(np.reshape(x, (3, 2), order="F") * W32)


@case(args=M23, note="x.reshape(3, 2, order='F')")
def method_reshape_order_F(x):
    return np.sum(x.reshape(3, 2, order="F") * W32)


@case(args=M23, note="reshape order='A' on C-contiguous = C")
def reshape_order_A(x):
    return np.sum(np.reshape(x, (3, 2), order="A") * W32)


@case(args=M23, note="reshape order='A' on transposed (F-contiguous) input = F order")
def reshape_order_A_transposed(x):
    return np.sum(np.reshape(x.T, (2, 3), order="A") * W23)


@case(args=M23, note="ravel order='F'")
def ravel_order_F(x):
    return np.sum(np.ravel(x, order="F") * W6)


@case(args=M23, note="x.ravel('F') positional order")
def method_ravel_F_positional(x):
    return np.sum(x.ravel("F") * W6)


@case(args=M23, note="flatten order='F'")
def flatten_order_F(x):
    return np.sum(x.flatten(order="F") * W6)


@case(args=M23, note="flatten('F') positional")
def flatten_F_positional(x):
    return np.sum(x.flatten("F") * W6)


@case(args=M23, note="ravel order='K' on a transposed view: memory order")
def ravel_order_K_transposed(x):
    return np.sum(np.ravel(x.T, order="K") * W6)


@case(args=M23, note="ravel order='A' on transposed view")
def ravel_order_A_transposed(x):
    return np.sum(np.ravel(x.T, order="A") * W6)


@case(args=M23, note="flatten order='K' of transpose")
def flatten_order_K_transposed(x):
    return np.sum(x.T.flatten(order="K") * W6)


@case(args=M23, note="reshape(-1, order='F') of transpose")
def reshape_F_of_transpose(x):
    return np.sum(x.T.reshape(-1, order="F") * W6)


@case(args=M23, expect="grad",
      note="supported now: np.reshape(x, shape=...) (NumPy 2.1 keyword) (UnsupportedSyntaxError)")
def reshape_shape_kw(x):
    return np.sum(np.reshape(x, shape=(3, 2)) * W32)


@case(args=M23, expect="refuse",
      note="np.reshape(x, newshape=...): NumPy 2.4 removed newshape=, so plain Python raises "
           "TypeError; s2sad refuses the parameter (UnsupportedSyntaxError). Before NumPy 2.4 it "
           "was a deprecated alias of shape=")
def reshape_newshape_kw(x):
    return np.sum(np.reshape(x, newshape=(3, 2)) * W32)


# ---------------------------------------------------------------- dtype=


@case(args=lambda: (np.array([0.5, 1.7, 2.2]),),
      note="np.sum(dtype=int): entries truncated -> gradient 0")
def sum_dtype_int(x):
    return float(np.sum(x, dtype=int)) + np.sum(x * 0.0)


@case(args=lambda: (np.array([0.5, 1.7, 2.2]),), ref=lambda: np.ones(3),
      note="np.sum(dtype=np.float32): gradient 1 (float); FD is float32-noisy so explicit ref")
def sum_dtype_float32(x):
    return float(np.sum(x, dtype=np.float32))


@case(args=lambda: (np.array([0.5, 1.7, 2.2]),), note="x.sum(dtype=int)")
def method_sum_dtype_int(x):
    return float(x.sum(dtype=np.int64)) + np.sum(x) * 0.0


@case(args=lambda: (np.array([0.5, 1.7, 2.2]),), note="np.prod(dtype=int): gradient 0")
def prod_dtype_int(x):
    return float(np.prod(x + 1.0, dtype=int)) + np.sum(x) * 0.0


@case(args=lambda: (np.array([0.5, 1.7, 2.2]),), note="np.cumsum(dtype=int): gradient 0")
def cumsum_dtype_int(x):
    return float(np.sum(np.cumsum(x, dtype=int) * np.array([1.0, 2.0, 3.0]))) + np.sum(x) * 0.0


@case(args=lambda: (np.array([0.5, 1.7, 2.2]),), note="np.cumprod(dtype=int): gradient 0")
def cumprod_dtype_int(x):
    return float(np.sum(np.cumprod(x + 1.0, dtype=int))) + np.sum(x) * 0.0


@case(args=lambda: (np.array([0.5, 1.7, 2.2]),),
      note="np.mean(x, dtype=int) computes in int (truncated entries): gradient 0")
def mean_dtype_int(x):
    return float(np.mean(x, dtype=int)) + np.sum(x) * 0.0


@case(args=lambda: (np.array([0.5, 1.7, 2.2]),), ref=lambda: np.full(3, 1 / 3),
      note="np.mean(dtype=np.float32) (explicit ref)")
def mean_dtype_float32(x):
    return float(np.mean(x, dtype=np.float32))


@case(args=lambda: (np.array([0.5, 1.7, 2.2]),),
      ref=lambda: 2 * (np.array([0.5, 1.7, 2.2]) - np.mean([0.5, 1.7, 2.2])) / 3,
      note="np.var(dtype=np.float32) (explicit ref)")
def var_dtype_float32(x):
    return float(np.var(x, dtype=np.float32))


@case(args=lambda: (2.7,), note="np.full((3,), v, dtype=int): gradient 0")
def full_dtype_int(v):
    return float(np.sum(np.full((3,), v, dtype=int))) + v * 0.0


@case(args=lambda: (2.7,), note="np.full((3,), v): gradient 3")
def full_plain(v):
    return np.sum(np.full((3,), v))


@case(args=lambda: (2.7,), note="np.full(3, v, int) positional dtype")
def full_positional_int(v):
    return float(np.sum(np.full(3, v, int))) + v * 0.0


@case(args=lambda: (np.array([1.0, 2.0]), 2.7), wrt=1,
      note="np.full_like(x, v, dtype=int): gradient 0")
def full_like_dtype_int(x, v):
    return float(np.sum(np.full_like(x, v, dtype=int))) + v * 0.0


@case(args=lambda: (np.array([1, 2]), 2.7), wrt=1,
      note="np.full_like of an int array: fills with int(2.7)=2 -> gradient 0")
def full_like_int_array(x, v):
    return float(np.sum(np.full_like(x, v))) + v * 0.0


@case(args=lambda: (np.array([1.0, 2.0]), 2.7), wrt=1, note="np.full_like(x, v) float: gradient 2")
def full_like_float(x, v):
    return np.sum(np.full_like(x, v))


@case(args=lambda: (np.array([0.5, 1.7]),), note="np.array(x, dtype=int): gradient 0")
def array_dtype_int(x):
    return float(np.sum(np.array(x, dtype=int))) + np.sum(x) * 0.0


@case(args=lambda: (np.array([0.5, 1.7]),), ref=lambda: np.full(2, 2.0),
      note="np.array(x, dtype=np.float32) (explicit ref)")
def array_dtype_float32(x):
    return float(np.sum(np.array(x, dtype=np.float32) * 2.0))


@case(args=lambda: (np.array([0.5, 1.7]),), note="np.array(x, int) positional dtype")
def array_positional_int(x):
    return float(np.sum(np.array(x, int))) + np.sum(x) * 0.0


@case(args=lambda: (0.5, 1.7), wrt=(0, 1),
      note="np.array([a, b], dtype=int) from floats: gradient 0")
def array_list_dtype_int(a, b):
    return float(np.sum(np.array([a, b], dtype=int))) + (a + b) * 0.0


@case(args=lambda: (np.array([0.5, 1.7]),), note="np.asarray(x, dtype=int)")
def asarray_dtype_int(x):
    return float(np.sum(np.asarray(x, dtype=int))) + np.sum(x) * 0.0


@case(args=lambda: (np.array([0.5, 1.7]),), note="x.astype(int): gradient 0")
def astype_int(x):
    return float(np.sum(x.astype(int))) + np.sum(x) * 0.0


@case(args=lambda: (np.array([0.5, 1.7]),), ref=lambda: np.full(2, 3.0),
      note="x.astype(np.float32) (explicit ref)")
def astype_float32(x):
    return float(np.sum(x.astype(np.float32) * 3.0))


@case(args=lambda: (np.array([0.5, 1.7]),), note="x.astype('int32') dtype as string")
def astype_int_string(x):
    return float(np.sum(x.astype("int32"))) + np.sum(x) * 0.0


@case(args=lambda: (np.array([0.5, 1.7]),), note="x.astype(bool) gradient 0")
def astype_bool(x):
    return float(np.sum(x.astype(bool))) + np.sum(x)


@case(args=lambda: (np.array([0.5, 1.7]),), ref=lambda: np.ones(2),
      note="x.astype(np.float16): forward rounding, gradient 1 (explicit ref)")
def astype_float16(x):
    return float(np.sum(x.astype(np.float16)))


@case(args=lambda: (np.array([1.0, 2.0]),),
      note="np.zeros(..., dtype) then setitem of float into int array: gradient 0")
def setitem_into_int_array(x):
    z = np.zeros(2, dtype=int)
    z[0] = x[0] * 1.5
    return float(np.sum(z)) + np.sum(x)


# ---------------------------------------------------------------- where=


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="grad",
      note="supported now: np.sum(x, where=mask) (UnsupportedSyntaxError)")
def sum_where(x):
    return np.sum(x * x, where=np.array([True, False, True]))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="grad",
      note="supported now: np.mean(x, where=mask) (UnsupportedSyntaxError)")
def mean_where(x):
    return np.mean(x * x, where=np.array([True, False, True]))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="unsupported yet: np.max(x, where=mask, initial=...) (UnsupportedSyntaxError)")
def max_where(x):
    return np.max(x, where=np.array([True, False, False]), initial=-10.0)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="unsupported yet: np.max(x, initial=...) (UnsupportedSyntaxError)")
def max_initial(x):
    return np.max(x * 0.5, initial=2.5) + np.max(x, initial=0.0)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="refuse",
      note="unsupported yet: np.exp(x, where=..., out=...): out= writes into an existing array "
           "(UnsupportedSyntaxError)")
def exp_where_out(x):
    out = np.zeros(3)
    return np.sum(np.exp(x, where=x > 1.5, out=out))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="grad",
      note="supported now: np.sum(x, initial=5.0) (UnsupportedSyntaxError)")
def sum_initial(x):
    return np.sum(x * x, initial=5.0)


# ---------------------------------------------------------------- ddof / keepdims / correction


@case(args=lambda: (np.array([1.0, 2.0, 4.0, 7.0]),), note="np.var(ddof=2)")
def var_ddof2(x):
    return np.var(x, ddof=2)


@case(args=lambda: (np.array([1.0, 2.0, 4.0, 7.0]),), expect="grad",
      note="supported now: np.std(x, correction=1) (NumPy 2 alias of ddof) "
           "(UnsupportedSyntaxError)")
def std_correction(x):
    return np.std(x, correction=1)


@case(args=lambda: (np.array([1.0, 2.0, 4.0, 7.0]),), note="x.var(ddof=1) method")
def method_var_ddof(x):
    return x.var(ddof=1)


@case(args=lambda: (np.array([1.0, 2.0, 4.0, 7.0]),), expect="grad",
      note="supported now: np.var(x, None, None, None, 1): out=None given positionally is "
           "refused as a write into an existing array (UnsupportedSyntaxError)")
def var_ddof_positional(x):
    return np.var(x, None, None, None, 1)


@case(args=lambda: (np.array([1.0, 2.0, 4.0, 7.0]),), expect="refuse",
      note="unsupported yet: np.std(x, mean=...) (NumPy 2) (UnsupportedSyntaxError)")
def std_mean_kw(x):
    m = np.mean(x, keepdims=True)
    return np.std(x, mean=m)


@case(args=M23, expect="grad",
      note="supported now: np.sum(x, 1, None, None, True): out=None given positionally is "
           "refused as a write into an existing array (UnsupportedSyntaxError)")
def sum_keepdims_positional(x):
    return np.sum(np.sum(x, 1, None, None, True) * np.array([[1.0], [2.0]]))


@case(args=M23, note="x.max(1, keepdims=True)")
def max_keepdims(x):
    return np.sum(x.max(1, keepdims=True) * np.array([[1.0], [2.0]]))


@case(args=M23, note="np.linalg.norm(keepdims=True, axis=1)")
def norm_keepdims(x):
    return np.sum(np.linalg.norm(x, axis=1, keepdims=True) * np.array([[1.0], [2.0]]))


@case(args=M23, note="np.mean keepdims axis=0 then broadcast")
def mean_keepdims_bcast(x):
    return np.sum((x - np.mean(x, axis=0, keepdims=True)) ** 2)


# ---------------------------------------------------------------- kind / mode / retstep


@case(args=lambda: (np.array([3.0, 1.0, 2.0]),), expect="grad",
      note="supported now: np.sort(x, kind='stable') (UnsupportedSyntaxError)")
def sort_kind(x):
    return np.sum(np.sort(x, kind="stable") * np.array([1.0, 2.0, 3.0]))


@case(args=lambda: (np.array([3.0, 1.0, 2.0]),), note="np.sort(axis=None) flattens")
def sort_axis_none(x):
    return np.sum(np.sort(x.reshape(3, 1) * np.array([1.0, -1.0]), axis=None) * np.arange(6.0))


@case(args=lambda: (np.array([[3.0, 1.0], [2.0, 5.0]]),), note="np.sort(axis=0)")
def sort_axis0(x):
    return np.sum(np.sort(x, axis=0) * np.array([[1.0, 2.0], [3.0, 4.0]]))


@case(args=lambda: (np.array([3.0, 1.0, 3.0]),), expect="nondiff",
      ref=lambda: np.array([2.0, 1.0, 3.0]),
      note="np.sort with a tie: the tied entries keep their order (a stable sort, as JAX's), so "
           "x[0] gets weight 2 and x[2] weight 3")
def sort_tie(x):
    return np.sum(np.sort(x) * np.array([1.0, 2.0, 3.0]))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="grad",
      note="supported now: np.take(x, idx, mode='wrap') (UnsupportedSyntaxError)")
def take_mode_wrap(x):
    return np.sum(np.take(x, [0, 4], mode="wrap") * np.array([1.0, 10.0]))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), expect="grad",
      note="supported now: np.take(x, idx, mode='clip') (UnsupportedSyntaxError)")
def take_mode_clip(x):
    return np.sum(np.take(x, [0, 7], mode="clip") * np.array([1.0, 10.0]))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="np.take with negative index")
def take_negative(x):
    return np.sum(np.take(x, [-1, 0, -1]) * np.array([1.0, 10.0, 100.0]))


@case(args=lambda: (np.array([[1.0, 2.0], [3.0, 4.0]]),), note="x.take(1, axis=1) scalar index")
def take_scalar_axis(x):
    return np.sum(x.take(1, axis=1) * np.array([1.0, 10.0]))


@case(args=lambda: (np.array([[1.0, 2.0], [3.0, 4.0]]),),
      note="np.take(x, [[0,1],[1,1]], axis=0) 2-d indices")
def take_2d_indices(x):
    return np.sum(np.take(x, [[0, 1], [1, 1]], axis=0) * np.arange(8.0).reshape(2, 2, 2))


@case(args=lambda: (1.0, 3.0), wrt=(0, 1), note="np.linspace endpoint=False")
def linspace_no_endpoint(a, b):
    return np.sum(np.linspace(a, b, 4, endpoint=False) * np.arange(4.0))


@case(expect="refuse", args=lambda: (1.0, 3.0), wrt=(0, 1),
      note="unsupported yet: retstep=True (a (samples, step) pair) is refused; "
      "np.linspace retstep=True: step depends on a,b")
def linspace_retstep(a, b):
    xs, step = np.linspace(a, b, 5, retstep=True)
    return np.sum(xs) + 10.0 * step


@case(args=lambda: (1.0, 3.0), wrt=(0, 1), note="np.linspace num=1")
def linspace_num1(a, b):
    return np.sum(np.linspace(a, b, 1) * 2.0)


@case(args=lambda: (np.array([0.0, 1.0]), np.array([2.0, 5.0])), wrt=(0, 1),
      note="np.linspace with array start/stop -> shape (num, 2)")
def linspace_array_endpoints(a, b):
    return np.sum(np.linspace(a, b, 3) * np.arange(6.0).reshape(3, 2))


@case(args=lambda: (np.array([0.0, 1.0]), np.array([2.0, 5.0])), wrt=(0, 1),
      note="np.linspace array endpoints with axis=1")
def linspace_axis(a, b):
    return np.sum(np.linspace(a, b, 3, axis=1) * np.arange(6.0).reshape(2, 3))


@case(args=lambda: (1.0, 3.0), wrt=(0, 1), note="np.linspace(a, b, num=4) kw num")
def linspace_num_kw(a, b):
    return np.sum(np.linspace(a, b, num=4) ** 2)


@case(args=lambda: (1.2, 3.5), wrt=(0, 1),
      note="np.linspace(a, b, 4, dtype=int) truncates: gradient 0. The endpoints were 1.0 and "
           "3.0, where truncation jumps and finite differences straddled the jump (5e5); now away "
           "from every jump")
def linspace_dtype_int(a, b):
    return float(np.sum(np.linspace(a, b, 4, dtype=int))) + (a + b) * 0.0


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="np.repeat with array repeats")
def repeat_array(x):
    return np.sum(np.repeat(x, [2, 0, 3]) * np.arange(5.0))


@case(args=lambda: (np.array([[1.0, 2.0], [3.0, 4.0]]),), note="np.repeat axis=-1 array repeats")
def repeat_negaxis_array(x):
    return np.sum(np.repeat(x, [1, 2], axis=-1) * np.arange(6.0).reshape(2, 3))


@case(args=lambda: (np.array([[1.0, 2.0], [3.0, 4.0]]),), note="x.repeat(2) flattens")
def repeat_method_flat(x):
    return np.sum(x.repeat(2) * np.arange(8.0))


@case(args=lambda: (np.array([[1.0, 2.0], [3.0, 4.0]]),),
      note="np.repeat(x, [3], axis=0): length-1 list broadcasts")
def repeat_len1_list(x):
    return np.sum(np.repeat(x, [3], axis=0) * np.arange(12.0).reshape(6, 2))


@case(args=lambda: (np.array([[1.0, 2.0], [3.0, 4.0]]),), note="np.repeat(x, np.int64(2), axis=1)")
def repeat_npint(x):
    return np.sum(np.repeat(x, np.int64(2), axis=1) * np.arange(8.0).reshape(2, 4))


@case(args=lambda: (np.array([1.0, -2.0, 3.0]),),
      note="np.where with one argument: indices, no gradient")
def where_one_arg(x):
    idx = np.where(x > 0)
    return np.sum(x[idx] ** 2)


@case(args=lambda: (np.array([1.0, -2.0, 3.0]),), note="np.where one-arg [0]")
def where_one_arg_index0(x):
    idx = np.where(x > 0)[0]
    return np.sum(x[idx] * np.array([1.0, 2.0]))


@case(args=lambda: (np.array([1.0, -2.0, 3.0]),), note="np.nonzero indices")
def nonzero_index(x):
    return np.sum(x[np.nonzero(x > 0)] ** 2)


@case(args=lambda: (np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])), wrt=(0, 1),
      note="np.cross of 3-vectors")
def cross3(a, b):
    return np.sum(np.cross(a, b) * np.array([1.0, 2.0, 3.0]))


@case(args=lambda: (np.array([1.0, 2.0]), np.array([4.0, 5.0])), wrt=(0, 1),
      note="np.cross of 2-vectors returns a scalar a0 b1 - a1 b0 (deprecated in numpy 2 but works)")
def cross2(a, b):
    return np.cross(a, b) * 3.0


@case(args=lambda: (np.arange(6.0).reshape(3, 2), np.arange(6.0).reshape(3, 2)[::-1] + 1.0),
      wrt=(0, 1), expect="refuse",
      note="unsupported yet: np.cross(a, b, axis=0) (UnsupportedSyntaxError)")
def cross_axis0(a, b):
    return np.sum(np.cross(a, b, axis=0) * np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))


@case(args=lambda: (np.arange(6.0).reshape(3, 2), np.arange(6.0).reshape(3, 2)[::-1] + 1.0),
      wrt=(0, 1), expect="refuse",
      note="unsupported yet: np.cross(a, b, axisa=0, axisb=0) (UnsupportedSyntaxError)")
def cross_axisab(a, b):
    return np.sum(np.cross(a, b, axisa=0, axisb=0) * np.arange(6.0).reshape(2, 3))


@case(args=lambda: (np.arange(6.0).reshape(2, 3), np.array([1.0, 0.0, 2.0])), wrt=(0, 1),
      note="np.cross broadcast (2,3)x(3,)")
def cross_broadcast(a, b):
    return np.sum(np.cross(a, b) * np.arange(6.0).reshape(2, 3))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="np.diag(v, k=1)")
def diag_k1(v):
    return np.sum(np.diag(v, k=1) * np.arange(16.0).reshape(4, 4))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="np.diag(v, -2)")
def diag_km2(v):
    return np.sum(np.diag(v, -2) * np.arange(25.0).reshape(5, 5))


@case(args=lambda: (np.arange(12.0).reshape(3, 4),),
      note="np.diag(matrix, k=1) extract from non-square")
def diag_extract_k1(m):
    return np.sum(np.diag(m, k=1) * np.array([1.0, 2.0, 3.0]))


@case(args=lambda: (np.arange(12.0).reshape(3, 4),), note="np.diag(matrix, k=-1) extract")
def diag_extract_km1(m):
    return np.sum(np.diag(m, k=-1) * np.array([1.0, 2.0]))


@case(args=lambda: (np.arange(12.0).reshape(3, 4),), note="np.diag(matrix, k=5) empty extract")
def diag_extract_empty(m):
    return np.sum(np.diag(m, k=5)) + np.sum(m)


@case(args=lambda: (np.arange(12.0).reshape(3, 4),), note="np.trace offset=1")
def trace_offset1(m):
    return np.trace(m, offset=1)


@case(args=lambda: (np.arange(12.0).reshape(3, 4),), note="np.trace offset=-1")
def trace_offset_m1(m):
    return np.trace(m, offset=-1)


@case(args=lambda: (np.arange(24.0).reshape(2, 3, 4),), note="np.trace axis1=1, axis2=2")
def trace_axes12(m):
    return np.sum(np.trace(m, axis1=1, axis2=2) * np.array([1.0, 2.0]))


@case(args=lambda: (np.arange(24.0).reshape(2, 3, 4),), note="np.trace axis1=-1, axis2=0, offset=1")
def trace_neg_axes(m):
    return np.sum(np.trace(m, 1, -1, 0) * np.array([1.0, 2.0, 3.0]))


@case(args=lambda: (np.arange(24.0).reshape(2, 3, 4),), note="x.trace(axis1=2, axis2=1)")
def trace_swapped_axes(m):
    return np.sum(m.trace(axis1=2, axis2=1) * np.array([1.0, 2.0]))


@case(args=lambda: (np.arange(12.0).reshape(3, 4),), note="np.trace offset=10 -> 0")
def trace_offset_out(m):
    return np.trace(m, offset=10) + np.sum(m)


@case(args=lambda: (np.arange(24.0).reshape(2, 3, 4),),
      note="np.diagonal(offset=1, axis1=2, axis2=0)")
def diagonal_axes(m):
    return np.sum(np.diagonal(m, 1, 2, 0) * np.arange(3.0).reshape(3, 1))


@case(args=lambda: (np.arange(24.0).reshape(2, 3, 4),),
      note="np.diagonal(axis1=-2, axis2=-1, offset=-1)")
def diagonal_neg(m):
    return np.sum(np.diagonal(m, offset=-1, axis1=-2, axis2=-1) * np.arange(4.0).reshape(2, 2))


@case(args=lambda: (np.array([1.0, 2.0, 3.0, 4.0]),), note="np.round(decimals=1) gradient 0")
def round_decimals(x):
    return np.sum(np.round(x * 1.234, decimals=1)) + np.sum(x)


@case(args=lambda: (np.arange(6.0).reshape(2, 3),), note="np.diff(n=2, axis=1)")
def diff_n2(x):
    return np.sum(np.diff(x * x, n=2, axis=1) * np.array([[1.0], [2.0]]))


@case(args=lambda: (np.arange(6.0).reshape(2, 3),), expect="refuse",
      note="unsupported yet: np.diff(x, prepend=0.0) (UnsupportedSyntaxError)")
def diff_prepend(x):
    return np.sum(np.diff(x * x, prepend=0.0) * np.arange(6.0).reshape(2, 3))


@case(args=lambda: (np.arange(6.0).reshape(2, 3),), note="np.diff(n=0) identity")
def diff_n0(x):
    return np.sum(np.diff(x * x, n=0) * np.arange(6.0).reshape(2, 3))


@case(args=lambda: (np.arange(6.0).reshape(2, 3),), note="np.cumsum(axis=None) on 2-d")
def cumsum_none(x):
    return np.sum(np.cumsum(x * x) * np.arange(6.0))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="np.tril(k=-1) on 2-d outer")
def tril_k(x):
    return np.sum(np.tril(np.outer(x, x), k=-1) * np.arange(9.0).reshape(3, 3))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="np.triu(m, 1)")
def triu_k(x):
    return np.sum(np.triu(np.outer(x, x + 1.0), 1) * np.arange(9.0).reshape(3, 3))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="np.tile with tuple reps longer than ndim")
def tile_reps(x):
    return np.sum(np.tile(x, (2, 2)) * np.arange(12.0).reshape(2, 6))


@case(args=lambda: (np.array([[1.0, 2.0], [3.0, 4.0]]),),
      note="np.tile with reps shorter than ndim")
def tile_short_reps(x):
    return np.sum(np.tile(x, 3) * np.arange(12.0).reshape(2, 6))


@case(args=lambda: (np.array([1.0, 2.0, 3.0]),), note="np.roll with negative shift and no axis")
def roll_neg(x):
    return np.sum(np.roll(x, -1) * np.array([1.0, 2.0, 3.0]))


@case(args=lambda: (np.arange(6.0).reshape(2, 3),), note="np.roll tuple shifts tuple axes")
def roll_tuple(x):
    return np.sum(np.roll(x, (1, -1), axis=(0, 1)) * np.arange(6.0).reshape(2, 3))


@case(args=lambda: (np.arange(6.0).reshape(2, 3),),
      note="np.roll(x, 1, axis=(0, 1)): one shift for both axes")
def roll_int_shift_tuple_axis(x):
    return np.sum(np.roll(x, 1, axis=(0, 1)) * np.arange(6.0).reshape(2, 3))


@case(args=lambda: (np.arange(6.0).reshape(2, 3),),
      note="np.roll shift tuple on same axis twice (0,0)")
def roll_same_axis_twice(x):
    return np.sum(np.roll(x, (1, 1), axis=(1, 1)) * np.arange(6.0).reshape(2, 3))


@case(args=lambda: (np.arange(6.0).reshape(2, 3),),
      note="np.roll shift 1-d array, axis None flattens")
def roll_flatten(x):
    return np.sum(np.roll(x, 2) * np.arange(6.0).reshape(2, 3))


@case(args=lambda: (np.array([[1.0, 2.0], [3.0, 4.0]]),), note="np.broadcast_to then weighted sum")
def broadcast_to(x):
    return np.sum(np.broadcast_to(x[:, None, :], (2, 3, 2)) * np.arange(12.0).reshape(2, 3, 2))


@case(args=lambda: (np.array([1.0, 2.0]),),
      note="np.full(shape, x) with array fill_value broadcasting")
def full_array_fill(x):
    return np.sum(np.full((3, 2), x) * np.arange(6.0).reshape(3, 2))
