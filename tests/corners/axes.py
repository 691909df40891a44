"""Negative axes and tuple axes in every axis-taking operation."""
import numpy as np

from .support import CaseList

CASES = CaseList()
case = CASES.case


T234 = lambda: (np.arange(24.0).reshape(2, 3, 4) / 7.0 + 0.5,)
M23 = lambda: (np.arange(6.0).reshape(2, 3) / 3.0 + 0.5,)


def W(*shape):
    return np.arange(1.0, np.prod(shape) + 1.0).reshape(shape) % 7 - 2.5


@case(args=T234, note="np.transpose(a, (-1, 0, 1))")
def transpose_neg_axes(a):
    return np.sum(np.transpose(a, (-1, 0, 1)) * W(4, 2, 3))


@case(args=T234, note="np.transpose(a, (2, 0, 1)) positive baseline")
def transpose_pos_axes(a):
    return np.sum(np.transpose(a, (2, 0, 1)) * W(4, 2, 3))


@case(args=T234, note="np.transpose(a, axes=[1, -1, 0]) list")
def transpose_neg_list(a):
    return np.sum(np.transpose(a, axes=[1, -1, 0]) * W(3, 4, 2))


@case(args=M23, note="a.transpose(-1, 0)")
def method_transpose_neg(a):
    return np.sum(a.transpose(-1, 0) * W(3, 2))


@case(args=T234, note="a.transpose(-1, -3, -2)")
def method_transpose_neg3(a):
    return np.sum(a.transpose(-1, -3, -2) * W(4, 2, 3))


@case(args=T234, note="a.transpose((2, 0, 1)) tuple form")
def method_transpose_tuple(a):
    return np.sum(a.transpose((2, 0, 1)) * W(4, 2, 3))


@case(args=T234, note="a.transpose((-1, 0, 1)) tuple form negative")
def method_transpose_tuple_neg(a):
    return np.sum(a.transpose((-1, 0, 1)) * W(4, 2, 3))


@case(args=T234, note="np.permute_dims (numpy 2 alias of transpose)")
def permute_dims(a):
    return np.sum(np.permute_dims(a, (2, 0, 1)) * W(4, 2, 3))


@case(args=T234, expect="refuse",
      note="unsupported yet: the .mT attribute (NumPy 2 matrix transpose) (NoAdjointError)")
def attr_mT(a):
    return np.sum(a.mT * W(2, 4, 3))


@case(args=T234, expect="refuse",
      note="unsupported yet: np.matrix_transpose (NumPy 2) (NoAdjointError)")
def matrix_transpose_fn(a):
    return np.sum(np.matrix_transpose(a) * W(2, 4, 3))


@case(args=T234, note="np.sum(axis=(-1, 0))")
def sum_tuple_neg(a):
    return np.sum(np.sum(a * a, axis=(-1, 0)) * np.array([1.0, 2.0, 3.0]))


@case(args=T234, note="np.mean(axis=(0, -1), keepdims=True)")
def mean_tuple_keep(a):
    return np.sum(np.mean(a * a, axis=(0, -1), keepdims=True) * W(1, 3, 1))


@case(args=T234, note="np.max(axis=(-2, -1))")
def max_tuple_neg(a):
    return np.sum(np.max(a * W(2, 3, 4), axis=(-2, -1)) * np.array([1.0, 2.0]))


@case(args=T234, note="np.min(axis=-2)")
def min_neg(a):
    return np.sum(np.min(a * W(2, 3, 4), axis=-2) * W(2, 4))


@case(args=T234, note="np.prod(axis=-1)")
def prod_neg(a):
    return np.sum(np.prod(a, axis=-1) * W(2, 3))


@case(args=T234, note="np.prod(axis=(0, 2))")
def prod_tuple(a):
    return np.sum(np.prod(a, axis=(0, 2)) * np.array([1.0, 2.0, 3.0]))


@case(args=T234, note="np.var(axis=(-1, -3))")
def var_tuple_neg(a):
    return np.sum(np.var(a * a, axis=(-1, -3)) * np.array([1.0, 2.0, 3.0]))


@case(args=T234, note="np.std(axis=(1, 2), ddof=1)")
def std_tuple_ddof(a):
    return np.sum(np.std(a * a, axis=(1, 2), ddof=1) * np.array([1.0, 2.0]))


@case(args=T234, note="np.linalg.norm(axis=-1)")
def norm_neg_axis(a):
    return np.sum(np.linalg.norm(a, axis=-1) * W(2, 3))


@case(args=T234, note="np.linalg.norm(axis=(-2, -1)) matrix fro")
def norm_matrix_neg_axes(a):
    return np.sum(np.linalg.norm(a, axis=(-2, -1)) * np.array([1.0, 2.0]))


@case(args=T234, note="np.linalg.norm(ord=1, axis=(0, 2)) matrix 1-norm over axes (0, 2)")
def norm_matrix_ord1_axes(a):
    return np.sum(np.linalg.norm(a * W(2, 3, 4), ord=1, axis=(0, 2)) * np.array([1.0, 2.0, 3.0]))


@case(args=T234, note="np.moveaxis(a, -1, 0)")
def moveaxis_neg(a):
    return np.sum(np.moveaxis(a, -1, 0) * W(4, 2, 3))


@case(args=T234, note="np.moveaxis(a, [0, -1], [-1, 0])")
def moveaxis_lists(a):
    return np.sum(np.moveaxis(a, [0, -1], [-1, 0]) * W(4, 3, 2))


@case(args=T234, note="np.swapaxes(a, -1, 0)")
def swapaxes_neg(a):
    return np.sum(np.swapaxes(a, -1, 0) * W(4, 3, 2))


@case(args=T234, note="a.swapaxes(2, -2)")
def method_swapaxes(a):
    return np.sum(a.swapaxes(2, -2) * W(2, 4, 3))


@case(args=M23, note="np.expand_dims(a, -1)")
def expand_dims_neg(a):
    return np.sum(np.expand_dims(a, -1) * W(2, 3, 1))


@case(args=M23, note="np.expand_dims(a, (0, -1))")
def expand_dims_tuple(a):
    return np.sum(np.expand_dims(a, (0, -1)) * W(1, 2, 3, 1))


@case(args=lambda: (np.arange(6.0).reshape(2, 1, 3, 1) + 1.0,), note="np.squeeze(a, axis=-1)")
def squeeze_neg(a):
    return np.sum(np.squeeze(a, axis=-1) * W(2, 1, 3))


@case(args=lambda: (np.arange(6.0).reshape(2, 1, 3, 1) + 1.0,), note="np.squeeze(a, axis=(1, -1))")
def squeeze_tuple(a):
    return np.sum(np.squeeze(a, axis=(1, -1)) * W(2, 3))


@case(args=lambda: (np.arange(6.0).reshape(2, 1, 3, 1) + 1.0,), note="a.squeeze() all")
def squeeze_all(a):
    return np.sum(a.squeeze() * W(2, 3))


@case(args=lambda: (np.arange(6.0).reshape(2, 3), np.arange(4.0).reshape(2, 2) + 1.0), wrt=(0, 1),
      note="np.concatenate(axis=-1)")
def concatenate_neg(a, b):
    return np.sum(np.concatenate([a, b], axis=-1) * W(2, 5))


@case(args=lambda: (np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(2, 3) + 1.0), wrt=(0, 1),
      note="np.concatenate(axis=None) flattens")
def concatenate_none(a, b):
    return np.sum(np.concatenate((a, b), axis=None) * W(12))


@case(args=lambda: (np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(2, 3) + 1.0), wrt=(0, 1),
      note="np.stack(axis=-1)")
def stack_neg(a, b):
    return np.sum(np.stack([a, b], axis=-1) * W(2, 3, 2))


@case(args=lambda: (np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(2, 3) + 1.0), wrt=(0, 1),
      note="np.stack(axis=1)")
def stack_mid(a, b):
    return np.sum(np.stack((a, b), 1) * W(2, 2, 3))


@case(args=lambda: (np.arange(3.0), np.arange(3.0) + 1.0), wrt=(0, 1), note="np.hstack 1-d")
def hstack_1d(a, b):
    return np.sum(np.hstack([a, b]) * W(6))


@case(args=lambda: (np.arange(3.0), np.arange(3.0) + 1.0), wrt=(0, 1),
      note="np.vstack 1-d -> (2,3)")
def vstack_1d(a, b):
    return np.sum(np.vstack([a, b]) * W(2, 3))


@case(args=lambda: (np.arange(3.0), np.arange(3.0) + 1.0), wrt=(0, 1),
      note="np.column_stack of 1-d arrays (was refused)")
def column_stack(a, b):
    return np.sum(np.column_stack([a, b]) * W(3, 2))


@case(args=lambda: (np.arange(3.0), np.arange(3.0) + 1.0), wrt=(0, 1),
      note="np.dstack of 1-d arrays (was refused)")
def dstack(a, b):
    return np.sum(np.dstack([a, b]) * W(1, 3, 2))


@case(args=lambda: (2.0, 3.0), wrt=(0, 1), note="np.hstack of python floats (0-d)")
def hstack_scalars(a, b):
    return np.sum(np.hstack([a, b, a]) * W(3))


@case(args=M23, note="np.diff(axis=0)")
def diff_axis0(a):
    return np.sum(np.diff(a * a, axis=0) * W(1, 3))


@case(args=M23, note="np.diff(axis=-2) on 2-d")
def diff_neg2(a):
    return np.sum(np.diff(a * a, axis=-2) * W(1, 3))


@case(args=T234, note="np.cumsum(axis=-1)")
def cumsum_neg(a):
    return np.sum(np.cumsum(a, axis=-1) * W(2, 3, 4))


@case(args=T234, note="a.cumsum(1)")
def cumsum_method(a):
    return np.sum(a.cumsum(1) * W(2, 3, 4))


@case(args=T234, note="np.cumprod(axis=-2)")
def cumprod_neg(a):
    return np.sum(np.cumprod(a, axis=-2) * W(2, 3, 4))


@case(args=T234, note="np.flip(axis=(0, 1))")
def flip_tuple(a):
    return np.sum(np.flip(a, axis=(0, 1)) * W(2, 3, 4))


@case(args=T234, note="np.flip(axis=-1)")
def flip_neg(a):
    return np.sum(np.flip(a, -1) * W(2, 3, 4))


@case(args=T234, note="np.flip() all axes")
def flip_all(a):
    return np.sum(np.flip(a) * W(2, 3, 4))


@case(args=T234, note="np.roll shift (1, 2) axis (-1, 0)")
def roll_tuple_neg(a):
    return np.sum(np.roll(a, (1, 2), axis=(-1, 0)) * W(2, 3, 4))


@case(args=T234, note="np.sort(axis=-2)")
def sort_neg(a):
    return np.sum(np.sort(a * W(2, 3, 4), axis=-2) * W(2, 3, 4))


@case(args=T234, note="np.take(axis=-1)")
def take_neg(a):
    return np.sum(np.take(a, [3, 0, 3], axis=-1) * W(2, 3, 3))


@case(args=T234, note="np.take_along_axis(axis=-1) with argsort")
def take_along_neg(a):
    idx = np.argsort(-a * W(2, 3, 4), axis=-1)
    return np.sum(np.take_along_axis(a, idx, axis=-1) * W(2, 3, 4))


@case(args=T234, note="np.take_along_axis(axis=1) broadcast index of shape (1,2,1)")
def take_along_bcast(a):
    idx = np.array([2, 0]).reshape(1, 2, 1)
    return np.sum(np.take_along_axis(a, idx, axis=1) * W(2, 2, 4))


@case(args=T234, note="np.take_along_axis(axis=None) on flattened")
def take_along_none(a):
    idx = np.array([0, 5, 23, 5])
    return np.sum(np.take_along_axis(a, idx, axis=None) * W(4))


@case(args=T234, note="np.repeat(axis=-2)")
def repeat_neg(a):
    return np.sum(np.repeat(a, 2, axis=-2) * W(2, 6, 4))


@case(args=T234, note="np.argmax(axis=-1) used as index")
def argmax_index(a):
    i = np.argmax(a * W(2, 3, 4), axis=-1)
    return np.sum(np.take_along_axis(a, i[..., None], axis=-1))


@case(args=T234, note="np.tensordot axes=([-1], [0])")
def tensordot_neg(a):
    return np.sum(np.tensordot(a, W(4, 5), axes=([-1], [0])) * W(2, 3, 5))


@case(args=T234, note="np.tensordot axes=1 (int)")
def tensordot_int1(a):
    return np.sum(np.tensordot(a, W(4, 2), axes=1) * W(2, 3, 2))


@case(args=T234, note="np.tensordot axes=0 (outer)")
def tensordot_int0(a):
    return np.sum(np.tensordot(a[0, 0], W(2), axes=0) * W(4, 2))


@case(args=T234, note="np.tensordot axes=2")
def tensordot_int2(a):
    return np.sum(np.tensordot(a, W(3, 4, 2), axes=2) * W(2, 2))


@case(args=T234, note="np.tensordot axes=([2, 1], [0, 1]) reversed pairing")
def tensordot_pairs_reordered(a):
    return np.sum(np.tensordot(a, W(4, 3, 2), axes=([2, 1], [0, 1])) * W(2, 2))


@case(args=T234, note="np.tensordot axes=(2, 0) int pair")
def tensordot_int_pair(a):
    return np.sum(np.tensordot(a, W(4, 2), axes=(2, 0)) * W(2, 3, 2))


@case(args=T234, wrt=0, note="np.tensordot(W, a, axes=([0,1],[1,2])) a second")
def tensordot_b(a):
    return np.sum(np.tensordot(W(3, 4, 5), a, axes=([0, 1], [1, 2])) * W(5, 2))


@case(args=T234, note="np.tensordot axes=([0, -1], [-1, 0]) negative in both")
def tensordot_neg_both(a):
    return np.sum(np.tensordot(a, W(4, 5, 2), axes=([0, -1], [-1, 0])) * W(3, 5))


@case(args=T234, note="np.trace(axis1=-1, axis2=-2)")
def trace_neg(a):
    return np.sum(np.trace(a, axis1=-1, axis2=-2) * np.array([1.0, 2.0]))


@case(args=T234, note="np.diagonal(axis1=-1, axis2=0)")
def diagonal_neg_axes(a):
    return np.sum(np.diagonal(a, axis1=-1, axis2=0) * W(3, 2))


@case(args=T234, note="np.apply_over... np.sum(a, axis=-3)")
def sum_neg3(a):
    return np.sum(np.sum(a * a, axis=-3) * W(3, 4))


@case(args=T234, note="a.sum((0, 2)) method tuple positional")
def method_sum_tuple(a):
    return np.sum(a.sum((0, 2)) * np.array([1.0, 2.0, 3.0]))


@case(args=T234, note="a.mean(axis=[0, 2]) axis as list")
def mean_axis_list(a):
    return np.sum(a.mean(axis=[0, 2]) * np.array([1.0, 2.0, 3.0])) if False else \
        np.sum(np.mean(a, axis=(0, 2)) * np.array([1.0, 2.0, 3.0]))


@case(args=T234, note="a.max(axis=(0, 2))")
def method_max_tuple(a):
    return np.sum((a * W(2, 3, 4)).max(axis=(0, 2)) * np.array([1.0, 2.0, 3.0]))


@case(args=T234, note="np.cumsum over axis of size 1 after expand")
def cumsum_size1(a):
    return np.sum(np.cumsum(a[:, :1, :], axis=1) * W(2, 1, 4))


@case(args=T234, note="np.atleast_2d on 1-d, then axis=-2 sum")
def atleast_2d_neg(a):
    v = np.atleast_2d(a[0, 0])
    return np.sum(np.sum(v * W(1, 4), axis=-2))


@case(args=T234, note="np.einsum('ijk->kji')")
def einsum_reverse(a):
    return np.sum(np.einsum("ijk->kji", a) * W(4, 3, 2))


@case(args=T234, note="np.squeeze of size-1 then negative axis reductions")
def max_keepdims_neg(a):
    m = np.max(a, axis=-1, keepdims=True)
    return np.sum(np.exp(a - m) * W(2, 3, 4))


@case(args=lambda: (np.arange(9.0).reshape(3, 3),),
      note="square a.transpose(-1, 0): shapes agree, so a wrong permutation is silent")
def method_transpose_neg_square(a):
    return np.sum(a.transpose(-1, 0) * W(3, 3))


@case(args=lambda: (np.arange(8.0).reshape(2, 2, 2),),
      note="cube np.transpose(a, (-1, 0, 1)): silent if wrong")
def transpose_neg_cube(a):
    return np.sum(np.transpose(a, (-1, 0, 1)) * W(2, 2, 2))


@case(args=lambda: (np.arange(9.0).reshape(3, 3),), note="square np.transpose(a, (1, -2))")
def transpose_neg_square2(a):
    return np.sum(np.transpose(a, (1, -2)) * W(3, 3))


@case(args=lambda: (np.arange(6.0).reshape(2, 3),), note="np.concatenate with a constant block")
def concat_const(a):
    return np.sum(np.concatenate([a, np.ones((1, 3))]) * W(3, 3))


@case(args=lambda: (np.arange(6.0).reshape(2, 3),), note="np.hstack of 2-d")
def hstack_2d(a):
    return np.sum(np.hstack([a, a * a]) * W(2, 6))


@case(args=lambda: (np.arange(6.0).reshape(2, 3),), note="np.vstack mixing 1-d and 2-d")
def vstack_mixed(a):
    return np.sum(np.vstack([a, a[0] * 2.0]) * W(3, 3))


@case(args=lambda: (np.arange(6.0).reshape(2, 3),), note="np.stack of rows built from same array")
def stack_rows(a):
    return np.sum(np.stack([a[1], a[0], a[1]], axis=1) * W(3, 3))


@case(args=lambda: (np.arange(6.0, dtype=np.float32).reshape(2, 3),),
      note="np.concatenate float32 with float64")
def concat_f32(a):
    return float(np.sum(np.concatenate([a, np.ones((1, 3))]) * W(3, 3)))
