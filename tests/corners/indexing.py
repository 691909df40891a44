"""Indexing: basic, advanced, boolean, mixed; reads and writes."""
import numpy as np

from .support import CaseList

CASES = CaseList()
case = CASES.case


def W(*shape):
    return np.arange(1.0, np.prod(shape) + 1.0).reshape(shape) % 7 - 2.5


T = lambda: (np.arange(24.0).reshape(2, 3, 4) / 10.0 - 0.95,)
V = lambda: (np.array([0.5, -1.0, 2.0, 0.25, 3.0]),)


@case(args=V, note="repeated integer-array read x[[0,0,2]]")
def fancy_read_repeat(x):
    return np.sum(x[[0, 0, 2]] * np.array([1.0, 2.0, 3.0]))


@case(args=V, note="negative step slice x[::-2]")
def neg_step(x):
    return np.sum(x[::-2] * W(3))


@case(args=V, note="slice with out-of-range bounds x[-10:10]")
def out_of_range_slice(x):
    return np.sum(x[-10:10] * W(5))


@case(args=V, note="empty slice x[3:1]")
def empty_slice(x):
    return np.sum(x[3:1]) + np.sum(x[:2])


@case(args=V, note="boolean mask read x[x > 0]")
def bool_mask_read(x):
    return np.sum(x[x > 0] ** 2)


@case(args=T, note="mixed advanced + slice t[:, [0, 2], 1:]")
def mixed_adv_slice(t):
    return np.sum(t[:, [0, 2], 1:] * W(2, 2, 3))


@case(args=T,
      note="two advanced indices separated by slice (dims move to front) t[[0,1], :, [1,3]]")
def adv_separated(t):
    return np.sum(t[[0, 1], :, [1, 3]] * W(2, 3))


@case(args=T, note="broadcast advanced indices t[[[0],[1]], [0,2], 0]")
def adv_broadcast(t):
    return np.sum(t[[[0], [1]], [0, 2], 0] * W(2, 2))


@case(args=T, note="ellipsis t[..., 1]")
def ellipsis_read(t):
    return np.sum(t[..., 1] * W(2, 3))


@case(args=T, note="None/newaxis in middle t[:, None, 1]")
def newaxis_mid(t):
    return np.sum(t[:, None, 1] * W(2, 1, 4))


@case(args=T, note="boolean mask on first two dims t[m2d]")
def bool_mask_2d(t):
    m = np.array([[True, False, True], [False, True, False]])
    return np.sum(t[m] * W(3, 4))


@case(args=T, note="integer index array with negative values t[0, [-1, -3]]")
def neg_fancy(t):
    return np.sum(t[0, [-1, -3]] * W(2, 4))


@case(args=T, note="index with np.int64 scalar and tuple object")
def tuple_index_object(t):
    idx = (np.int64(1), slice(None), 2)
    return np.sum(t[idx] * W(3))


@case(args=T, note="index with a list of slices converted to tuple")
def index_tuple_built(t):
    idx = tuple([slice(0, 1), 1])
    return np.sum(t[idx] * W(1, 4))


@case(args=T, note="index with a 0-d integer array")
def zero_d_int_index(t):
    i = np.array(1)
    return np.sum(t[i] * W(3, 4))


@case(args=T, note="index with a boolean scalar t[True] (adds axis)")
def bool_scalar_index(t):
    return np.sum(t[True] * W(1, 2, 3, 4))


@case(args=T, note="np.ix_ open mesh")
def ix_index(t):
    return np.sum(t[0][np.ix_([0, 2], [1, 3])] * W(2, 2))


@case(args=T, note="chained index t[0][1][2]")
def chained(t):
    return t[0][1][2] * 3.0 + t[1][0][0]


@case(args=V, note="x[argmax] with np.argmax index")
def argmax_read(x):
    return x[np.argmax(x)] ** 2


@case(args=V, note="x[np.argsort(x)] sorted via fancy")
def argsort_read(x):
    return np.sum(x[np.argsort(x)] * W(5))


@case(args=V, note="setitem with repeated index and differentiable value, then read all")
def setitem_repeat_value(x):
    y = x.copy()
    y[[1, 1]] = x[[2, 3]] * 10.0
    return np.sum(y * W(5))


@case(args=V, note="setitem through boolean mask with array value")
def setitem_mask_value(x):
    y = np.zeros(5)
    m = np.array([True, False, True, False, True])
    y[m] = x[:3] ** 2
    return np.sum(y * W(5))


@case(args=T, note="setitem into 3-d with mixed index")
def setitem_3d_mixed(t):
    y = t.copy()
    y[:, [0, 2], 1] = t[:, 1, :2] * 2.0
    return np.sum(y * W(2, 3, 4))


@case(args=T, note="setitem broadcast value t[0] = row (4,) into (3,4)")
def setitem_broadcast_row(t):
    y = t.copy()
    y[0] = t[1, 0] * 2.0
    return np.sum(y * W(2, 3, 4))


@case(args=V,
      note="in-place add into a step slice, y[1::2] += ...")
def setitem_step_iadd(x):
    y = x.copy()
    y[1::2] += x[::2][:2] * x[::2][1:]
    return np.sum(y * W(5))


@case(args=V, note="y[...] = x * 2 full overwrite")
def setitem_full(x):
    y = np.zeros(5)
    y[...] = x * 2.0
    return np.sum(y * y)


@case(args=V, note="y[:] = y[::-1] overlapping self-assignment (numpy handles overlap)")
def setitem_self_reverse(x):
    y = x * 1.0
    y[:] = y[::-1]
    return np.sum(y * W(5))


@case(args=V, note="y[1:] = y[:-1] overlapping shift")
def setitem_self_shift(x):
    y = x * 1.0
    y[1:] = y[:-1]
    return np.sum(y * W(5))


@case(args=V, note="y[1:] += y[:-1] overlapping in-place add")
def iadd_self_shift(x):
    y = x * 1.0
    y[1:] += y[:-1]
    return np.sum(y * W(5))


@case(args=V, note="y += y[::-1] self-overlap whole array")
def iadd_self_reversed(x):
    y = x * 1.0
    y += y[::-1]
    return np.sum(y * W(5))


@case(args=V, note="y *= y (self)")
def imul_self(x):
    y = x * 1.0
    y *= y
    return np.sum(y * W(5))


@case(args=V, expect="refuse", note="y[0] = y with the wrong shape: NumPy raises ValueError")
def setitem_bad_shape(x):
    y = x * 1.0
    y[0] = y
    return np.sum(y)


@case(args=V, note="setitem of float into position with np.int64 index")
def setitem_npint(x):
    y = np.zeros(5)
    y[np.int64(2)] = x[0] * x[1]
    return np.sum(y * W(5))


@case(args=V, note="setitem value from same array element y[0] = y[4]")
def setitem_same_array(x):
    y = x * 1.0
    y[0] = y[4] * y[0]
    return np.sum(y * W(5))


@case(args=V, note="item() then Python arithmetic")
def item_arith(x):
    return x[1].item() * x[2].item() + x.sum().item()


@case(args=V, expect="refuse",
      note="unsupported yet: np.put_along_axis writes into an existing array "
           "(UnsupportedSyntaxError)")
def put_along(x):
    y = np.zeros(5)
    np.put_along_axis(y, np.array([1, 3]), x[:2], axis=0)
    return np.sum(y * x)


@case(args=T, note="np.take with axis and repeated indices")
def take_repeat(t):
    return np.sum(np.take(t, [1, 1, 0], axis=1) * W(2, 3, 4))


@case(args=T, note="flat index via ravel()[k]")
def ravel_index(t):
    return t.ravel()[7] * t.ravel()[23]


@case(args=T, expect="refuse", note="unsupported yet: t.flat[k] (flatiter) (NoAdjointError)")
def flat_attr(t):
    return t.flat[7] * 2.0


@case(args=T, note="t.T[1, 2, 0]")
def transpose_index(t):
    return t.T[1, 2, 0] * 5.0


@case(args=T, expect="refuse",
      note="aliasing: z = y.T is a view; z[0] = 1 changes y, read afterwards (AliasingError)")
def setitem_through_T(t):
    y = t.copy()
    z = y.T
    z[0] = 1.0
    return np.sum(y * W(2, 3, 4))


@case(args=T, note="np.where with broadcast x, y")
def where_broadcast(t):
    return np.sum(np.where(t > 0, t, t[0, 0, :]) * W(2, 3, 4))


@case(args=T, note="np.where with scalar differentiable branch")
def where_scalar_branch(t):
    s = np.sum(t)
    return np.sum(np.where(t > 0, s, t) * W(2, 3, 4))


@case(args=T, note="np.select, with a default (was refused)")
def select(t):
    return np.sum(np.select([t > 0.5, t < -0.5], [t * 2.0, t * t], default=t))


@case(args=T, expect="refuse", note="unsupported yet: np.compress (NoAdjointError)")
def compress(t):
    return np.sum(np.compress([True, False, True], t, axis=1) * W(2, 2, 4))
