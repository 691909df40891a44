"""Linear algebra: einsum forms, dot/inner/outer/matmul shapes, norms, solve/inv."""
import numpy as np

from .support import CaseList

CASES = CaseList()
case = CASES.case


def W(*shape):
    return np.arange(1.0, np.prod(shape) + 1.0).reshape(shape) % 5 - 1.5


def R(*shape, seed=0):
    return np.random.default_rng(seed + sum(shape)).normal(size=shape)


@case(args=lambda: (R(2, 3), R(3, 4)), wrt=(0, 1), note="einsum sublist form")
def einsum_sublist(x, w):
    return np.sum(np.einsum(x, [0, 1], w, [1, 2], [0, 2]) * W(2, 4))


@case(args=lambda: (R(2, 3), R(3, 4)), wrt=(0, 1), note="einsum sublist form, no output list")
def einsum_sublist_implicit(x, w):
    return np.sum(np.einsum(x, [0, 1], w, [1, 2]) * W(2, 4))


@case(args=lambda: (R(2, 3, 4), R(4, 5)), wrt=(0, 1), note="einsum '...ij,jk->...ik'")
def einsum_ellipsis(x, w):
    return np.sum(np.einsum("...ij,jk->...ik", x, w) * W(2, 3, 5))


@case(args=lambda: (R(2, 3, 4), R(4, 5)), wrt=(0, 1),
      note="einsum '...j,jk' implicit output with ellipsis")
def einsum_ellipsis_implicit(x, w):
    return np.sum(np.einsum("...j,jk", x, w) * W(2, 3, 5))


@case(args=lambda: (R(3, 3),), note="einsum 'ii' trace")
def einsum_trace(x):
    return np.einsum("ii", x)


@case(args=lambda: (R(3, 3),), note="einsum 'ii->i' diagonal")
def einsum_diag(x):
    return np.sum(np.einsum("ii->i", x) * W(3))


@case(args=lambda: (R(2, 3, 3),), note="einsum 'bii->b' batched trace")
def einsum_batch_trace(x):
    return np.sum(np.einsum("bii->b", x) * W(2))


@case(args=lambda: (R(3, 4), R(3, 4)), wrt=(0, 1), note="einsum 'ij,ij->' Frobenius inner")
def einsum_frob(x, y):
    return np.einsum("ij,ij->", x, y)


@case(args=lambda: (R(3, 4),), note="einsum 'ij,ij->' with same operand twice")
def einsum_same_operand(x):
    return np.einsum("ij,ij->", x, x)


@case(args=lambda: (R(3),), note="einsum 'i,i,i->' three copies of x")
def einsum_three(x):
    return np.einsum("i,i,i->", x, x, x)


@case(args=lambda: (R(3, 4),), note="einsum 'ij->' sum all")
def einsum_sum(x):
    return np.einsum("ij->", x * x)


@case(args=lambda: (R(3, 4),), note="einsum 'ij' implicit identity")
def einsum_identity(x):
    return np.sum(np.einsum("ij", x) * W(3, 4))


@case(args=lambda: (R(3, 4),), note="einsum 'ji' implicit output sorted -> transpose (output 'ij')")
def einsum_implicit_transpose(x):
    return np.sum(np.einsum("ji", x) * W(4, 3))


@case(args=lambda: (R(3, 1), R(1, 4)), wrt=(0, 1),
      note="einsum with size-1 broadcasting 'ij,ij->ij'")
def einsum_broadcast(x, y):
    return np.sum(np.einsum("ij,ij->ij", x, y) * W(3, 4))


@case(args=lambda: (R(3), R(4)), wrt=(0, 1), note="einsum outer 'i,j->ij'")
def einsum_outer(x, y):
    return np.sum(np.einsum("i,j->ij", x, y) * W(3, 4))


@case(args=lambda: (R(3), R(4)), wrt=(0, 1), note="einsum spaces ' i , j -> i j '")
def einsum_spaces(x, y):
    return np.sum(np.einsum(" i , j -> i j ", x, y) * W(3, 4))


@case(args=lambda: (R(2, 3), R(3)), wrt=(0, 1), expect="grad",
      note="supported now: np.einsum(..., optimize=True) (UnsupportedSyntaxError)")
def einsum_optimize(x, y):
    return np.sum(np.einsum("ij,j->i", x, y, optimize=True) * W(2))


@case(args=lambda: (R(2, 2, 3),), note="einsum 'iij->j' repeated on first two")
def einsum_repeated_partial(x):
    return np.sum(np.einsum("iij->j", x) * W(3))


@case(args=lambda: (R(3, 3), R(3)), wrt=(0, 1), note="einsum 'ii,i->' diagonal dot")
def einsum_diag_dot(x, y):
    return np.einsum("ii,i->", x, y)


@case(args=lambda: (R(3, 3),), note="einsum 'ij,jk,ki->' trace of cube with same operand x3")
def einsum_trace_cube(x):
    return np.einsum("ij,jk,ki->", x, x, x)


@case(args=lambda: (R(2, 3), R(3, 4)), wrt=(0, 1), note="np.dot 2-d")
def dot_2d(a, b):
    return np.sum(np.dot(a, b) * W(2, 4))


@case(args=lambda: (R(3), R(3, 4)), wrt=(0, 1), note="np.dot 1-d x 2-d")
def dot_1d_2d(a, b):
    return np.sum(np.dot(a, b) * W(4))


@case(args=lambda: (R(2, 3, 4), R(5, 4, 2)), wrt=(0, 1),
      note="np.dot N-d (sum over last of a, second-last of b)")
def dot_nd(a, b):
    return np.sum(np.dot(a, b) * W(2, 3, 5, 2))


@case(args=lambda: (R(4), R(5, 4, 2)), wrt=(0, 1), note="np.dot 1-d x 3-d")
def dot_1d_3d(a, b):
    return np.sum(np.dot(a, b) * W(5, 2))


@case(args=lambda: (R(2, 3, 4), R(4)), wrt=(0, 1), note="np.dot 3-d x 1-d")
def dot_3d_1d(a, b):
    return np.sum(np.dot(a, b) * W(2, 3))


@case(args=lambda: (R(2, 3), 2.5), wrt=(0, 1), note="np.dot with a scalar")
def dot_scalar(a, s):
    return np.sum(np.dot(a, s) * W(2, 3))


@case(args=lambda: (2.5, R(2, 3)), wrt=(0, 1), note="np.dot scalar first")
def dot_scalar_first(s, a):
    return np.sum(np.dot(s, a) * W(2, 3))


@case(args=lambda: (R(2, 3), R(3, 4)), wrt=(0, 1), note="a.dot(b) method")
def dot_method(a, b):
    return np.sum(a.dot(b) * W(2, 4))


@case(args=lambda: (R(2, 3), R(4, 3)), wrt=(0, 1), note="np.inner 2-d x 2-d")
def inner_2d(a, b):
    return np.sum(np.inner(a, b) * W(2, 4))


@case(args=lambda: (R(2, 2, 3), R(4, 3)), wrt=(0, 1), note="np.inner 3-d x 2-d")
def inner_3d(a, b):
    return np.sum(np.inner(a, b) * W(2, 2, 4))


@case(args=lambda: (R(3), R(2, 4, 3)), wrt=(0, 1), note="np.inner 1-d x 3-d")
def inner_1d_3d(a, b):
    return np.sum(np.inner(a, b) * W(2, 4))


@case(args=lambda: (R(2, 2), R(3)), wrt=(0, 1), note="np.outer of a 2-d (flattens)")
def outer_2d(a, b):
    return np.sum(np.outer(a, b) * W(4, 3))


@case(args=lambda: (R(2, 2), R(4)), wrt=(0, 1), note="np.vdot flattens")
def vdot_2d(a, b):
    return np.vdot(a, b)


@case(args=lambda: (R(5, 2, 3), R(3, 4)), wrt=(0, 1), note="matmul batched x 2-d")
def matmul_batch(a, b):
    return np.sum((a @ b) * W(5, 2, 4))


@case(args=lambda: (R(1, 2, 3), R(4, 3, 2)), wrt=(0, 1), note="matmul broadcast batch dims 1 vs 4")
def matmul_broadcast_batch(a, b):
    return np.sum((a @ b) * W(4, 2, 2))


@case(args=lambda: (R(3), R(4, 3, 2)), wrt=(0, 1), note="matmul 1-d x batched")
def matmul_1d_batch(a, b):
    return np.sum((a @ b) * W(4, 2))


@case(args=lambda: (R(4, 2, 3), R(3)), wrt=(0, 1), note="matmul batched x 1-d")
def matmul_batch_1d(a, b):
    return np.sum((a @ b) * W(4, 2))


@case(args=lambda: (R(3), R(3)), wrt=(0, 1), note="matmul 1-d x 1-d scalar")
def matmul_vv(a, b):
    return a @ b


@case(args=lambda: (R(2, 1, 2, 3), R(3, 3, 2)), wrt=(0, 1), note="matmul 4-d x 3-d broadcast")
def matmul_4d_3d(a, b):
    return np.sum((a @ b) * W(2, 3, 2, 2))


@case(args=lambda: (R(3, 3) + 3 * np.eye(3), R(3)), wrt=(0, 1), note="solve with 1-d b")
def solve_1d(a, b):
    return np.sum(np.linalg.solve(a, b) * W(3))


@case(args=lambda: (R(3, 3) + 3 * np.eye(3), R(3, 2)), wrt=(0, 1), note="solve with 2-d b")
def solve_2d(a, b):
    return np.sum(np.linalg.solve(a, b) * W(3, 2))


@case(args=lambda: (R(2, 3, 3) + 3 * np.eye(3), R(2, 3, 1)), wrt=(0, 1), note="batched solve")
def solve_batched(a, b):
    return np.sum(np.linalg.solve(a, b) * W(2, 3, 1))


@case(args=lambda: (R(2, 3, 3) + 3 * np.eye(3), R(3, 1)), wrt=(0, 1),
      note="batched a, unbatched 2-d b (broadcast)")
def solve_broadcast_b(a, b):
    return np.sum(np.linalg.solve(a, b) * W(2, 3, 1))


@case(args=lambda: (R(2, 3, 3) + 3 * np.eye(3), R(3)), wrt=(0, 1),
      note="batched a (2,3,3) with 1-d b (3,): broadcast vector")
def solve_batched_1d_b(a, b):
    return np.sum(np.linalg.solve(a, b) * W(2, 3))


@case(args=lambda: (R(3, 3) + 3 * np.eye(3),), note="inv")
def inv(a):
    return np.sum(np.linalg.inv(a) * W(3, 3))


@case(args=lambda: (R(2, 3, 3) + 3 * np.eye(3),), note="batched inv")
def inv_batched(a):
    return np.sum(np.linalg.inv(a) * W(2, 3, 3))


@case(args=lambda: (R(3, 4),), note="norm ord='fro'")
def norm_fro(a):
    return np.linalg.norm(a, "fro")


@case(args=lambda: (R(3, 4),), note="norm ord='nuc'")
def norm_nuc(a):
    return np.linalg.norm(a, "nuc")


@case(args=lambda: (R(3, 4),), note="norm ord=2 (spectral)")
def norm_spec(a):
    return np.linalg.norm(a, 2)


@case(args=lambda: (R(3, 4),), note="norm ord=-2 (smallest singular value)")
def norm_spec_min(a):
    return np.linalg.norm(a, -2)


@case(args=lambda: (R(3, 4),), note="norm ord=1 matrix (max col abs sum)")
def norm_mat1(a):
    return np.linalg.norm(a, 1)


@case(args=lambda: (R(3, 4),), note="norm ord=-1 matrix (min col abs sum)")
def norm_mat_m1(a):
    return np.linalg.norm(a, -1)


@case(args=lambda: (R(3, 4),), note="norm ord=inf matrix (max row abs sum)")
def norm_mat_inf(a):
    return np.linalg.norm(a, np.inf)


@case(args=lambda: (R(3, 4),), note="norm ord=-inf matrix")
def norm_mat_minf(a):
    return np.linalg.norm(a, -np.inf)


@case(args=lambda: (R(3, 4),), note="norm ord=None axis=None 2-d = fro")
def norm_default_2d(a):
    return np.linalg.norm(a)


@case(args=lambda: (R(2, 3, 4),), note="norm ord=None 3-d axis=None = flattened 2-norm")
def norm_3d(a):
    return np.linalg.norm(a)


@case(args=lambda: (R(3, 4),), note="norm ord=1 axis=0 vector 1-norms")
def norm_vec1_axis0(a):
    return np.sum(np.linalg.norm(a, 1, axis=0) * W(4))


@case(args=lambda: (R(3, 4),), note="norm ord=3 axis=1")
def norm_vec3_axis1(a):
    return np.sum(np.linalg.norm(a, 3, axis=1) * W(3))


@case(args=lambda: (R(3, 4),), note="norm ord=inf axis=1 vector")
def norm_vecinf_axis1(a):
    return np.sum(np.linalg.norm(a, np.inf, axis=1) * W(3))


@case(args=lambda: (R(3, 4),), note="norm ord=-inf axis=-1")
def norm_vecminf_axis(a):
    return np.sum(np.linalg.norm(a, -np.inf, axis=-1) * W(3))


@case(args=lambda: (R(3, 4),), note="norm ord=0 axis=1")
def norm_vec0_axis(a):
    return np.sum(np.linalg.norm(a, 0, axis=1) * W(3)) + np.sum(a)


@case(args=lambda: (R(2, 3, 4),), note="norm ord='nuc' axis=(1, 2) batched")
def norm_nuc_batched(a):
    return np.sum(np.linalg.norm(a, "nuc", axis=(1, 2)) * W(2))


@case(args=lambda: (R(2, 3, 4),), note="norm ord=2 axis=(2, 0) reversed axes")
def norm_spec_reversed(a):
    return np.sum(np.linalg.norm(a, 2, axis=(2, 0)) * W(3))


@case(args=lambda: (R(2, 3, 4),), note="norm ord=1 axis=(2, 1): sums over axis 2, max over axis 1")
def norm_mat1_reversed(a):
    return np.sum(np.linalg.norm(a, 1, axis=(2, 1)) * W(2))


@case(args=lambda: (R(2, 3, 4),), note="norm ord=inf axis=(0, 2) keepdims")
def norm_matinf_keep(a):
    return np.sum(np.linalg.norm(a, np.inf, axis=(0, 2), keepdims=True) * W(1, 3, 1))


@case(args=lambda: (R(2, 3, 4),), note="norm ord='fro' axis=(0, 1)")
def norm_fro_axes(a):
    return np.sum(np.linalg.norm(a, "fro", axis=(0, 1)) * W(4))


@case(args=lambda: (R(4),), note="norm of 1-d with ord=2 keepdims")
def norm_1d_keep(a):
    return np.sum(np.linalg.norm(a, 2, keepdims=True) * 3.0)


@case(args=lambda: (R(3, 4),), note="norm(axis=(0,)) tuple of one = vector norm over axis 0")
def norm_single_tuple_axis(a):
    return np.sum(np.linalg.norm(a, axis=(0,)) * W(4))


@case(args=lambda: (R(3, 4),), note="norm(ord=3, axis=(1,)) tuple of one")
def norm_single_tuple_ord3(a):
    return np.sum(np.linalg.norm(a, ord=3, axis=(1,)) * W(3))


@case(args=lambda: (R(3, 4),), note="norm ord=1 axis=None on 2-d = matrix 1 norm")
def norm_ord1_none(a):
    return np.linalg.norm(a, ord=1, axis=None)


@case(args=lambda: (np.array([[1.0, -2.0], [2.0, 1.0]]),), expect="nondiff",
      ref=lambda: np.array([[0.5, -0.5], [0.5, 0.5]]),
      note="matrix 1-norm with tied columns: JAX splits ties; [[.5,-.5],[.5,.5]]")
def norm_mat1_tie(a):
    return np.linalg.norm(a, 1)


@case(args=lambda: (R(3, 3) + 3 * np.eye(3),), note="det of 3x3")
def det3(a):
    return np.linalg.det(a)


@case(args=lambda: (R(3, 3),), note="trace of a @ a")
def trace_square(a):
    return np.trace(a @ a)


@case(args=lambda: (R(3, 3),), note="a.T @ a with the same array")
def gram(a):
    return np.sum((a.T @ a) * W(3, 3))


@case(args=lambda: (R(3, 3),), note="np.linalg.matrix_power(a, 3)")
def matrix_power(a):
    return np.sum(np.linalg.matrix_power(a, 3) * W(3, 3))


@case(args=lambda: (R(3, 3),), note="np.linalg.multi_dot of a, a.T, a (was refused)")
def multi_dot(a):
    return np.sum(np.linalg.multi_dot([a, a.T, a]) * W(3, 3))


@case(args=lambda: (R(3), R(3)), wrt=(0, 1), expect="refuse",
      note="unsupported yet: np.linalg.vector_norm (NumPy 2) (NoAdjointError)")
def vector_norm(a, b):
    return np.linalg.vector_norm(a - b)


@case(args=lambda: (R(3), R(3)), wrt=(0, 1), expect="refuse",
      note="unsupported yet: np.vecdot (NumPy 2) (NoAdjointError)")
def vecdot(a, b):
    return np.vecdot(a, b)


@case(args=lambda: (R(3), R(3)), wrt=(0, 1), expect="refuse",
      note="unsupported yet: np.linalg.outer (NumPy 2) (NoAdjointError)")
def linalg_outer(a, b):
    return np.sum(np.linalg.outer(a, b) * W(3, 3))


@case(args=lambda: (R(3), R(3)[::-1] + 0.3), wrt=(0, 1),
      note="np.cross then norm (distinct vectors: a zero cross product is norm's singular point)")
def cross_norm(a, b):
    return np.linalg.norm(np.cross(a, b))


@case(args=lambda: (R(3, 4),), note="norm ord=-2 axis=1 vector")
def norm_vec_m2(a):
    return np.sum(np.linalg.norm(a, -2, axis=1) * W(3))


@case(args=lambda: (R(3, 4),), note="norm ord=1.5 axis=0")
def norm_vec_15(a):
    return np.sum(np.linalg.norm(a, 1.5, axis=0) * W(4))


@case(args=lambda: (R(3, 4),), note="norm ord=None axis=(1, 0) reversed matrix axes")
def norm_fro_reversed(a):
    return np.linalg.norm(a, axis=(1, 0))


@case(args=lambda: (R(3, 4),), note="norm ord=2 axis=(1, 0) reversed spectral")
def norm_spec_rev2d(a):
    return np.linalg.norm(a, 2, axis=(1, 0))


@case(args=lambda: (R(3, 4),), note="norm ord=inf axis=(1, 0) reversed (becomes column sums)")
def norm_inf_rev2d(a):
    return np.linalg.norm(a, np.inf, axis=(1, 0))


@case(args=lambda: (R(3, 4),), note="norm ord=-1 axis=(-1, -2)")
def norm_m1_rev(a):
    return np.linalg.norm(a, -1, axis=(-1, -2))


@case(args=lambda: (R(2, 3, 4),), note="norm ord='nuc' axis=(-1, 0) keepdims")
def norm_nuc_keep(a):
    return np.sum(np.linalg.norm(a, "nuc", axis=(-1, 0), keepdims=True) * W(1, 3, 1))


@case(args=lambda: (R(2, 3), R(3, 4)), wrt=(0, 1), note="tensordot axes as list [[1], [0]]")
def tensordot_list_axes(a, b):
    return np.sum(np.tensordot(a, b, axes=[[1], [0]]) * W(2, 4))


@case(args=lambda: (R(2, 3), R(3, 4)), wrt=(0, 1),
      note="tensordot axes=[1, 0] (pair of ints as list)")
def tensordot_list_int_pair(a, b):
    return np.sum(np.tensordot(a, b, axes=[1, 0]) * W(2, 4))


@case(args=lambda: (R(2, 3), R(3, 4)), wrt=(0, 1), note="tensordot axes=((1,), (0,))")
def tensordot_tuple_tuples(a, b):
    return np.sum(np.tensordot(a, b, axes=((1,), (0,))) * W(2, 4))


@case(args=lambda: (R(2, 3, 3) + 3 * np.eye(3),), note="slogdet batched")
def slogdet_batched(a):
    s, logdet = np.linalg.slogdet(a)
    return np.sum(logdet * W(2))


@case(args=lambda: (R(2, 3, 4), R(2, 4, 5)), wrt=(0, 1),
      note="einsum uppercase labels 'bIJ,bJK->bIK'")
def einsum_upper(a, b):
    return np.sum(np.einsum("bIJ,bJK->bIK", a, b) * W(2, 3, 5))


@case(args=lambda: (R(2, 1, 4), R(3, 4)), wrt=(0, 1),
      note="einsum '...j,...j->...' broadcasting ellipsis of different ndim")
def einsum_ellipsis_bcast(a, b):
    return np.sum(np.einsum("...j,...j->...", a, b) * W(2, 3))


@case(args=lambda: (R(3, 4),), note="einsum '...j->...' sum last axis via ellipsis")
def einsum_ellipsis_sum(a):
    return np.sum(np.einsum("...j->...", a * a) * W(3))


@case(args=lambda: (R(4), R(2, 3, 4)), wrt=(0, 1),
      note="einsum 'i,...i' implicit with ellipsis on one operand")
def einsum_ellipsis_one(a, b):
    return np.sum(np.einsum("i,...i", a, b) * W(2, 3))


@case(args=lambda: (R(3, 3),), note="einsum 'ij->ji' then diag 'ii'")
def einsum_transpose_trace(a):
    return np.einsum("ii", np.einsum("ij->ji", a) @ a)
