"""Adjoints of products and linear algebra: matmul, dot, inner, tensordot,
einsum, cross, solve, det, slogdet; and the helpers of the factorizations'
rules (cholesky, eigh, svd, qr, pinv, lstsq, matrix_power).
"""

from __future__ import annotations

import functools
import string
from typing import Any

import numpy as np

from ..errors import UnsupportedSyntaxError
from .base import _inexact, _lists_as_arrays, _shape, as_given, matrix_transpose, unbroadcast


def cross_adjoint(g: Any, a: Any, b: Any, of_b: bool) -> Any:
    """The adjoint of a (or b, if `of_b`) in np.cross(a, b): b x g and g x a
    (the scalar triple product), for 3-vectors, 2-vectors (whose cross
    product is the scalar z component) and a mix."""
    a, b, g = np.asarray(a), np.asarray(b), np.asarray(g)
    a3, b3 = _to_3d(a), _to_3d(b)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        g3 = np.zeros(g.shape + (3,), dtype=_inexact(g))
        g3[..., 2] = g
    else:
        g3 = g
    x = b if of_b else a
    d = np.cross(g3, a3) if of_b else np.cross(b3, g3)
    return unbroadcast(d[..., :x.shape[-1]], x)


def _to_3d(v: np.ndarray) -> np.ndarray:
    if v.shape[-1] == 3:
        return v
    return np.concatenate([v, np.zeros(v.shape[:-1] + (1,), dtype=v.dtype)], axis=-1)


def _ndim(x: Any) -> int:
    return x.ndim if type(x) is np.ndarray else np.ndim(x)


def multi_dot_adjoint(g: Any, arrays: list) -> Any:
    """np.linalg.multi_dot(arrays) = A1 @ ... @ An (a 1-D first array a row,
    a 1-D last one a column): Ai's adjoint is (A1..Ai-1)^T g (Ai+1..An)^T,
    from products of the prefixes and suffixes."""
    mats = [np.asarray(a) for a in arrays]
    if mats[0].ndim == 1:
        mats[0] = mats[0][None, :]
    if mats[-1].ndim == 1:
        mats[-1] = mats[-1][:, None]
    g = np.reshape(g, (mats[0].shape[0], mats[-1].shape[1]))
    n = len(mats)
    left: list[Any] = [None] * n
    right: list[Any] = [None] * n
    for i in range(1, n):
        left[i] = mats[0] if i == 1 else left[i - 1] @ mats[i - 1]
    for i in range(n - 2, -1, -1):
        right[i] = mats[n - 1] if i == n - 2 else mats[i + 1] @ right[i + 1]
    out = []
    for i in range(n):
        d = g if left[i] is None else left[i].T @ g
        d = d if right[i] is None else d @ right[i].T
        out.append(np.reshape(d, np.shape(arrays[i])))
    return as_given(out, arrays)


def _no_tangent(t: Any) -> bool:
    return t is None or np.ndim(t) == 0 and not np.any(t)


def multi_dot_tangent(t: list, arrays: list) -> Any:
    """The tangent of multi_dot along the arrays' tangents `t`: the sum, over
    the arrays that move, of the product with that one replaced."""
    total: Any = None
    for i, ti in enumerate(t):
        if _no_tangent(ti):
            continue
        part = np.linalg.multi_dot([*arrays[:i], ti, *arrays[i + 1:]])
        total = part if total is None else total + part
    return total if total is not None else np.zeros_like(np.linalg.multi_dot(arrays))


def multi_dot_adjoint_moved(g: Any, arrays: list, t: list) -> Any:
    """multi_dot_adjoint(g, arrays) moved along the arrays' tangents `t` (for
    Hessians): Ai's adjoint is linear in each other array, so the sum over
    those that move of the adjoint with that one replaced."""
    out: list[Any] = [np.zeros(np.shape(a), dtype=np.result_type(np.asarray(g), np.asarray(a)))
                      for a in arrays]  # (a list operand is no dtype of result_type's)
    for j, tj in enumerate(t):
        if _no_tangent(tj):
            continue
        moved = multi_dot_adjoint(g, [*arrays[:j], tj, *arrays[j + 1:]])
        for i in range(len(arrays)):
            if i != j:
                out[i] = out[i] + moved[i]
    return as_given(out, arrays)


@_lists_as_arrays("a", "b")
def matmul_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    a_nd, b_nd = _ndim(a), _ndim(b)
    if a_nd == 2 and b_nd == 1:  # the common matrix-vector case
        return np.multiply.outer(g, b)  # (np.outer, without its argument checks)
    if a_nd == 1 and b_nd == 2:
        return b @ g
    if b_nd == 1:
        out = np.multiply.outer(g, b) if a_nd > 1 else g * b
    elif a_nd == 1:
        if np.ndim(g) == 1:
            out = b @ g
        else:  # a batched b: sum the batch of (k, 1) products
            out = np.sum(b @ g[..., None], axis=tuple(range(b_nd - 2)))[..., 0]
        return np.reshape(out, _shape(a))
    else:
        out = g @ matrix_transpose(b)
    return unbroadcast(out, a)


@_lists_as_arrays("a", "b")
def matmul_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    a_nd, b_nd = _ndim(a), _ndim(b)
    if a_nd == 2 and b_nd == 1:  # the common matrix-vector case
        return a.T @ g
    if a_nd == 1 and b_nd == 2:
        return np.outer(a, g)
    if a_nd == 1:
        out = np.multiply.outer(a, g) if b_nd > 1 else g * a
        if b_nd > 2:
            out = np.moveaxis(out, 0, -2)
    elif b_nd == 1:
        out = np.sum(matrix_transpose(a) @ g[..., None], axis=tuple(range(a_nd - 2)))[..., 0]
        return np.reshape(out, _shape(b))
    else:
        out = matrix_transpose(a) @ g
    return unbroadcast(out, b)


@_lists_as_arrays("a", "b")
def dot_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a) if np.ndim(a) == 0 else g * b
    if np.ndim(b) <= 2:
        return matmul_adjoint_a(g, a, b)
    # a (..., k) . b (..., k, m): g has shape a.shape[:-1] + b.shape[:-2] + b.shape[-1:]
    nb = np.ndim(b)
    axes_g = list(range(np.ndim(a) - 1, np.ndim(g)))
    axes_b = [i for i in range(nb) if i != nb - 2]
    return np.tensordot(g, b, (axes_g, axes_b))


@_lists_as_arrays("a", "b")
def dot_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b) if np.ndim(b) == 0 else g * a
    if np.ndim(b) <= 2 and np.ndim(a) <= 2:
        return matmul_adjoint_b(g, a, b)
    na, nb = np.ndim(a), np.ndim(b)
    if nb == 1:
        return np.tensordot(a, g, (list(range(na - 1)), list(range(na - 1))))
    lead = list(range(na - 1))
    out = np.tensordot(a, g, (lead, lead))  # (k,) + b.shape[:-2] + (m,)
    return np.moveaxis(out, 0, -2)


@_lists_as_arrays("a", "b")
def inner_adjoint_a(g: Any, a: Any, b: Any) -> Any:
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return dot_adjoint_a(g, a, b)
    nb = np.ndim(b)
    axes_g = list(range(np.ndim(a) - 1, np.ndim(g)))
    return np.tensordot(g, b, (axes_g, list(range(nb - 1))))


@_lists_as_arrays("a", "b")
def inner_adjoint_b(g: Any, a: Any, b: Any) -> Any:
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return dot_adjoint_b(g, a, b)
    na = np.ndim(a)
    out = np.tensordot(g, a, (list(range(na - 1)), list(range(na - 1))))
    return out


def _tensordot_axes(axes: Any, na: int) -> tuple[list[int], list[int]]:
    if isinstance(axes, int):
        return list(range(na - axes, na)), list(range(axes))
    left, right = axes
    left = [left] if isinstance(left, int) else list(left)
    right = [right] if isinstance(right, int) else list(right)
    return left, right


@_lists_as_arrays("a", "b")
def tensordot_adjoint_a(g: Any, a: Any, b: Any, axes: Any) -> Any:
    na, nb = np.ndim(a), np.ndim(b)
    left, right = _tensordot_axes(axes, na)
    left = [i % na for i in left]
    right = [i % nb for i in right]
    free_a = [i for i in range(na) if i not in left]
    free_b = [i for i in range(nb) if i not in right]
    g_b_axes = list(range(len(free_a), np.ndim(g)))
    out = np.tensordot(g, b, (g_b_axes, free_b))  # free_a + right (in b's order)
    order = free_a + [left[right.index(j)] for j in sorted(right)]
    return np.transpose(out, np.argsort(order))


@_lists_as_arrays("a", "b")
def tensordot_adjoint_b(g: Any, a: Any, b: Any, axes: Any) -> Any:
    na, nb = np.ndim(a), np.ndim(b)
    left, right = _tensordot_axes(axes, na)
    left = [i % na for i in left]
    right = [i % nb for i in right]
    free_a = [i for i in range(na) if i not in left]
    free_b = [i for i in range(nb) if i not in right]
    g_a_axes = list(range(len(free_a)))
    out = np.tensordot(a, g, (free_a, g_a_axes))  # left (in a's order) + free_b
    order = [right[left.index(i)] for i in sorted(left)] + free_b
    return np.transpose(out, np.argsort(order))


def einsum_adjoint(g: Any, operands: list) -> list:
    """Adjoints of np.einsum's positional arguments, in either form:
    `einsum("ij,jk->ik", a, b)` or the sublist form `einsum(a, [0, 1], b,
    [1, 2], [0, 2])`. Each array's adjoint is another einsum, from the
    output's labels back to its own; subscripts and sublists get None."""
    operands = list(operands)
    if isinstance(operands[0], str):
        subscripts, positions = operands[0], list(range(1, len(operands)))
    else:
        positions = list(range(0, len(operands) - 1, 2))
        sublists = [operands[p + 1] for p in positions]
        out = operands[-1] if len(operands) % 2 else None
        subscripts = _sublist_subscripts(sublists, out)
    arrays = [operands[p] for p in positions]
    inputs, output = _einsum_labels(subscripts, [np.ndim(a) for a in arrays])
    adjoints: list = [None] * len(operands)
    for k, p in enumerate(positions):
        adjoints[p] = _einsum_operand_adjoint(g, k, inputs, output, arrays)
    return adjoints


def _sublist_subscripts(sublists: list, out: Any) -> str:
    """The subscripts string of einsum's sublist form (integers as letters)."""
    def spell(sub: Any) -> str:
        return "".join("..." if s is Ellipsis else string.ascii_letters[s] for s in sub)
    text = ",".join(spell(sub) for sub in sublists)
    return text if out is None else text + "->" + spell(out)


def _einsum_labels(subscripts: str, ndims: list[int]) -> tuple[list[str], str]:
    """Explicit labels of the inputs and output, with '...' spelled out as unused letters."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    specs = inputs.split(",")
    unused = [c for c in string.ascii_letters if c not in spec]
    ell_ndims = [nd - len(s) + 3 for s, nd in zip(specs, ndims) if "..." in s]
    ellipsis = "".join(unused[: max(ell_ndims, default=0)])
    specs = [s.replace("...", ellipsis[len(ellipsis) - (nd - len(s) + 3):]) if "..." in s else s
             for s, nd in zip(specs, ndims)]
    if arrow:
        return specs, output.replace("...", ellipsis)
    letters = "".join(specs)
    once = sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis)
    return specs, ellipsis + "".join(once)


def _einsum_operand_adjoint(g: Any, i: int, specs: list[str], output: str, operands: list) -> Any:
    spec, shape = specs[i], _shape(operands[i])
    others = specs[:i] + specs[i + 1 :]
    other_ops = operands[:i] + operands[i + 1 :]
    labels = "".join(dict.fromkeys(spec))  # each label once, in order
    sizes = dict(zip(spec, shape))
    present = set(output).union(*others)
    kept = "".join(c for c in labels if c in present)
    partial = np.einsum(",".join([output, *others]) + "->" + kept, g, *other_ops)
    # Labels summed out of this operand alone come back by broadcasting ...
    partial = np.expand_dims(partial, [k for k, c in enumerate(labels) if c not in present])
    # ... and size-1 dims that einsum broadcast against the others are summed back.
    stretched = tuple(k for k, c in enumerate(labels) if sizes[c] == 1 and partial.shape[k] != 1)
    if stretched:
        partial = np.sum(partial, axis=stretched, keepdims=True)
    full = np.broadcast_to(partial, [sizes[c] for c in labels])
    if labels == spec:
        return np.array(full)
    out = np.zeros(shape, dtype=_inexact(full))  # a repeated label: a diagonal
    np.einsum(f"{spec}->{labels}", out)[...] = full
    return out



def _scipy_linalg() -> Any:
    """scipy.linalg, if SciPy is installed (it has triangular solves; NumPy
    has not), else None."""
    global _SCIPY_LINALG
    if _SCIPY_LINALG is None:
        try:
            import scipy.linalg as found
        except ImportError:
            found = False
        _SCIPY_LINALG = found
    return _SCIPY_LINALG or None


_SCIPY_LINALG: Any = None  # (None: not looked for yet; False: not installed)
_LAPACK_TYPES = frozenset("fdFD")


def _one_lapack_matrix(*arrays: Any) -> bool:
    return all(type(x) is np.ndarray and x.dtype.char in _LAPACK_TYPES for x in arrays) \
        and arrays[0].ndim == 2


def triangular_solve(a: Any, b: Any, lower: bool) -> Any:
    """np.linalg.solve(a, b) for an `a` known to be triangular (how it was
    made says so: a Cholesky factor, its transpose): a triangular solve, with
    SciPy where it is installed (NumPy's solve factors a again); else NumPy's."""
    found = _scipy_linalg()
    if found is not None and _one_lapack_matrix(a, b) and b.ndim in (1, 2) and \
            b.shape[0] == a.shape[0] == a.shape[1] > 0 and np.isfinite(a).all():
        return _trtrs(found, a, b, lower, transposed=False)
    return np.linalg.solve(a, b)  # (of an inf or nan: NumPy's result, or its error)


def _trtrs(found: Any, a: np.ndarray, b: np.ndarray, lower: bool, transposed: bool) -> Any:
    """a^-1 b (a^-T b if `transposed`) for a triangular matrix `a`: LAPACK's
    trtrs, called as scipy.linalg.solve_triangular calls it, without its
    checks of the arguments (the callers made them; 2.5 µs of a vector's 7).
    A C-ordered `a` is passed as its transpose, which LAPACK reads without a copy."""
    (trtrs,) = found.lapack.get_lapack_funcs(("trtrs",), (a, b))
    if a.flags.c_contiguous and not a.flags.f_contiguous:
        a, lower, transposed = a.T, not lower, not transposed
    x, info = trtrs(a, b, lower=lower, trans=int(transposed))
    if info > 0:
        raise np.linalg.LinAlgError(f"singular matrix: resolution failed at diagonal {info - 1}")
    if info < 0:
        raise ValueError(f"illegal value in argument {-info} of LAPACK's trtrs")
    return x


def triangular_inverse(a: Any, lower: bool) -> Any:
    """np.linalg.inv(a) for an `a` known to be triangular: LAPACK's trtri,
    with SciPy where it is installed; else NumPy's inverse. (trtri reads the
    transpose, which is laid out as it wants, and the other triangle.)"""
    found = _scipy_linalg()
    if found is not None and _one_lapack_matrix(a) and a.shape[0] == a.shape[1] > 0 and \
            np.isfinite(a).all():
        (trtri,) = found.lapack.get_lapack_funcs(("trtri",), (a,))
        inverse, info = trtri(a.T, lower=not lower)
        if info == 0:
            return inverse.T
        if info > 0:
            raise np.linalg.LinAlgError("Singular matrix")
    return np.linalg.inv(a)


def cholesky_sandwich(L: Any, P: Any) -> Any:
    """L^-T P conj(L)^-1 for a lower triangular L (the middle of Cholesky's
    adjoint): two triangular solves with SciPy where it is installed and the
    matrices are single real ones (about half the work of the inverse and
    two products); else through L's inverse."""
    found = _scipy_linalg()
    if found is not None and _one_lapack_matrix(L, P) and P.ndim == 2 and \
            L.dtype.kind == P.dtype.kind == "f" and L.shape == P.shape and L.size:
        left = _trtrs(found, L, P, True, transposed=True)
        return _trtrs(found, L, left.T, True, transposed=True).T
    inverse = triangular_inverse(L, True)
    return matrix_transpose(inverse) @ P @ np.conjugate(inverse)


def as_solve_columns(g: Any, b: Any) -> Any:
    """g as x = solve(a, b) holds its columns: a 1-D b is one column."""
    return np.asarray(g)[..., None] if np.ndim(b) == 1 else g


def solve_b_adjoint(gb: Any, b: Any) -> Any:
    """b's adjoint from gb = solve(a^T, g) in columns (`as_solve_columns`)."""
    return unbroadcast(gb[..., 0] if np.ndim(b) == 1 else gb, b)


def solve_a_adjoint(gb: Any, b: Any, result: Any, a: Any) -> Any:
    """a's adjoint -gb x^T from gb = solve(a^T, g) in columns: both operands'
    adjoints read that one solve (x = solve(a, b) is `result`)."""
    if np.ndim(b) == 1:
        return unbroadcast(-gb * np.asarray(result)[..., None, :], a)
    return unbroadcast(-gb @ matrix_transpose(result), a)


@_lists_as_arrays("a", "b")
def solve_tangent(a: Any, b: Any, t_a: Any, v: Any) -> Any:
    """solve(a, t_a @ v), or solve(a, v) without t_a, treating v as b is
    treated: a stack of columns, or one column if b is 1-d (x = solve(a, b)
    has tangent solve(a, t_b - t_a @ x))."""
    column = np.ndim(b) == 1
    v = np.asarray(v)
    if column:
        v = v[..., None]
    if t_a is not None:
        v = t_a @ v
    out = np.linalg.solve(a, v)
    return out[..., 0] if column else out


def slogdet_tangent(t: Any, a: Any, ans: Any) -> tuple:
    """The tangent of (sign, log|det a|): d log det = tr(a^-1 t); for a real
    matrix the sign does not change, for a complex one it turns by the
    imaginary part."""
    turn = np.einsum("...ij,...ji->...", matrix_transpose(_inverse_transpose(a)), t)
    sign = ans[0]
    if np.iscomplexobj(turn):
        return sign * 1j * np.imag(turn), np.real(turn)
    return np.zeros_like(sign, dtype=_inexact(sign)), turn


def det_adjoint(g: Any, a: Any, result: Any) -> Any:
    """g times the cofactor matrix of a: det(a) * inv(a)^T where a is
    invertible, and the adjugate from a singular value decomposition where it
    is not (it stays well defined: nonzero for rank n - 1)."""
    a = np.asarray(a)
    if np.all(result != 0):
        return _per_matrix(g * result, matrix_transpose(np.linalg.inv(a)))
    u, s, vt = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], -1)
    sign = np.linalg.det(u) * np.linalg.det(vt)
    if np.iscomplexobj(a):  # adj(a) = sign V D U^H: adj(a)^T = sign conj(U) D conj(V^H)
        u, vt = np.conj(u), np.conj(vt)
    cofactor = (u * others[..., None, :]) @ vt * sign[..., None, None]  # adj(a)^T
    return _per_matrix(g, cofactor)


def _inverse_transpose(a: Any) -> Any:
    """inv(a)^T, the gradient of log|det a|; of a singular matrix (whose
    slogdet NumPy gives as (0, -inf)) its limit adj(a)^T / det(a): infinite
    where the adjugate is not 0, nan where it is."""
    try:
        return matrix_transpose(np.linalg.inv(a))
    except np.linalg.LinAlgError:
        a = np.asarray(a)
        det = np.linalg.det(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return det_adjoint(np.ones(det.shape), a, det) / np.asarray(det)[..., None, None]


def _per_matrix(g: Any, m: Any) -> Any:
    """Scale each matrix of the stack m by its entry of g (a number stays weak
    in NumPy's promotion, so a float32 stack keeps its dtype)."""
    return np.asarray(g)[..., None, None] * m if np.ndim(g) else g * m


def slogdet_adjoint(g: Any, a: Any) -> Any:
    """log|det a| has the adjoint g inv(a)^T (Re(g): it is real). The sign of
    a real matrix is piecewise constant; a complex one's, det / |det|, turns
    by i Im(tr(inv(a) da)), whose adjoint is i Im(g_sign sign) inv(a)^T."""
    g_sign, g_logdet = g
    inv_t = _inverse_transpose(a)
    factor = None if g_logdet is None else np.real(g_logdet)
    if g_sign is not None and np.iscomplexobj(a):
        turn = 1j * np.imag(g_sign * np.linalg.slogdet(a)[0])
        factor = turn if factor is None else factor + turn
    if factor is None:
        return np.zeros_like(inv_t)
    if isinstance(factor, np.ndarray) and factor.ndim:
        return factor[..., None, None] * inv_t
    return factor * inv_t  # (a number stays weak: a float32 matrix keeps its dtype)


# ---------------------------------------------------------------- factorizations
# Helpers of the rules of cholesky, eigh, eigvalsh, svd, svdvals, qr, pinv,
# lstsq and matrix_power (s2sad/primitives/numpy_linalg.py). Most are linear
# maps on matrices (masks, triangles, blocks), so the rules built from them
# and NumPy's own functions differentiate again to any order.


def _refuse_complex(x: Any, what: str) -> None:
    """eigh's and svd's vectors of a complex matrix carry a phase LAPACK picks
    by no convention a derivative could follow (a real one's sign is kept):
    refused, never differentiated in another gauge than NumPy's."""
    if np.iscomplexobj(x):
        raise UnsupportedSyntaxError(
            f"s2sad differentiates {what} of real matrices only; this one is complex (the "
            "phases of its vectors follow no convention)",
            hint="the eigenvalues (np.linalg.eigvalsh) and singular values "
            "(np.linalg.svdvals) of complex matrices are differentiated; for the vectors, "
            "use a real formulation")


def _is_upper(uplo: Any) -> bool:
    """cholesky's `upper` (a bool) or eigh's `UPLO` ('L' or 'U'): does NumPy
    read the upper triangle?"""
    if isinstance(uplo, str):
        return uplo.upper() == "U"
    return bool(uplo)


@functools.lru_cache(maxsize=64)
def _triangle_mask(n: int, m: int, k: int, upper: bool) -> np.ndarray:
    mask = np.tri(n, m, k - 1, dtype=bool) if upper else np.tri(n, m, k, dtype=bool)
    if upper:
        mask = ~mask
    mask.flags.writeable = False
    return mask


def triangle(x: Any, k: int = 0, upper: bool = False) -> np.ndarray:
    """np.tril(x, k) (np.triu(x, k) with `upper`) of a matrix or a stack, as a
    new array: the same values, with the mask kept between calls (np.tril
    makes it anew: 9 µs of a 100x100 matrix's 10)."""
    x = np.asarray(x)
    if x.ndim < 2:
        return np.triu(x, k) if upper else np.tril(x, k)
    n, m = x.shape[-2:]
    outside = _triangle_mask(n, m, k - 1, False) if upper else _triangle_mask(n, m, k + 1, True)
    out = x.copy()
    # (a copy and a masked store: 3.8 µs of np.where's 5.6)
    np.copyto(out, np.zeros((), out.dtype), where=outside)
    return out


def _diagonals(x: np.ndarray) -> np.ndarray:
    """The diagonals of a stack of square matrices `x`, as a view one can write
    through (`out_diag *= 0.5`: half the time of indexing them)."""
    return np.einsum("...ii->...i", x)


def lower_triangle(x: Any) -> Any:
    """np.tril(x) (for the rules: the mask kept between calls, `triangle`)."""
    return triangle(x)


def tril_half(x: Any) -> Any:
    """The lower triangle of x with its diagonal halved (Cholesky's Phi)."""
    out = triangle(x)
    _diagonals(out)[...] *= 0.5
    return out


def read_symmetric(x: Any, uplo: Any) -> Any:
    """The symmetric matrix NumPy reads from x: the lower triangle mirrored
    (`uplo` 'L' or False), or the upper one ('U' or True). Of a complex x,
    the Hermitian one: the mirror conjugated, the diagonal's real part (LAPACK
    ignores its imaginary part)."""
    x = np.asarray(x)
    part = triangle(x, 1, upper=True) if _is_upper(uplo) else triangle(x, -1)
    out = part + np.conjugate(matrix_transpose(part))
    _diagonals(out)[...] = np.real(_diagonals(x))
    return out


def fold_symmetric(s: Any, uplo: Any) -> Any:
    """The transpose of `read_symmetric` under the pairing Re(sum(a * b)): an
    adjoint s of the symmetric (Hermitian) matrix goes to the triangle NumPy
    reads, s_ij + conj(s_ji) off the diagonal, Re(s_ii) on it, and zero on
    the other triangle, which does not change the result. Of a real matrix
    the adjoint is the real part of this (`real_if_real` at the rules)."""
    s = np.asarray(s)
    both = s + np.conjugate(matrix_transpose(s))
    out = triangle(both, 1, upper=True) if _is_upper(uplo) else triangle(both, -1)
    _diagonals(out)[...] = np.real(_diagonals(s))
    return out


def conjugate_transpose(x: Any) -> Any:
    """x^H (x^T for a real x): the adjoint of the factorizations' products
    of complex matrices."""
    return np.conjugate(matrix_transpose(x))


def lower_factor(x: Any, upper: Any) -> Any:
    """Cholesky's lower factor from NumPy's result (upper=True: U = L^H, so
    its conjugate transpose); also maps a lower factor's tangent or adjoint
    back (the adjoint of L^H is the conjugate transpose of U's)."""
    return conjugate_transpose(x) if upper else x


def gap_product(w: Any, x: Any, columns: bool = True) -> Any:
    """x_ij / (w_j - w_i) off the diagonal, 0 on it: the factor of the
    eigenvector (w: eigenvalues) and singular vector (w: squared singular
    values) derivatives. Where w_i == w_j exactly (a repeated value) the
    vectors are any basis of their space and have no derivative: nan, never
    a finite guess, except where the result does not depend on them, 0: in
    an adjoint (`columns`), where columns i and j of x are zero (nothing
    reads those vectors); in a tangent, where all of x is zero."""
    w, x = np.asarray(w), np.asarray(x)
    gaps = np.expand_dims(w, -2) - np.expand_dims(w, -1)
    n = gaps.shape[-1]
    eye = np.eye(n, dtype=bool)
    tie = (gaps == 0) & ~eye
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(eye, 0.0, x / np.where(gaps == 0, 1.0, gaps))
    if not np.any(tie):
        return out
    if columns:
        unread = np.all(x == 0, axis=-2)  # (..., n): column j of x is zero
        free = np.expand_dims(unread, -2) & np.expand_dims(unread, -1)
    else:
        free = np.all(x == 0, axis=(-2, -1), keepdims=True)
    return np.where(tie, np.where(free, 0.0, np.nan), out)


def scaled_columns(x: Any, s: Any) -> Any:
    """x with column j divided by s_j (the S^-1 of the singular vector
    derivatives); 0 where the entry of x is 0 even if s_j is 0, so a result
    not depending on those vectors keeps a finite derivative."""
    x = np.asarray(x)
    d = np.expand_dims(np.asarray(s), -2)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x / np.where(d == 0, 1.0, d)
        return np.where(d == 0, np.where(x == 0, 0.0, x * np.inf), out)


def eigh_weighted(a: Any, g: Any, uplo: Any = "L") -> Any:
    """conj(V) diag(g) V^T, (w, V) = eigh(a, uplo): eigvalsh's adjoint before
    the fold onto the triangle read (V diag(g) V^T for a real a). It does not
    depend on the eigenvectors' phases (or signs), so it has a derivative of
    complex matrices too (`eigh_weighted_tangent`)."""
    v = np.linalg.eigh(a, uplo)[1]
    return (np.conjugate(v) * np.expand_dims(g, -2)) @ matrix_transpose(v)


def eigh_weighted_tangent(a: Any, g: Any, t: Any, uplo: Any = "L") -> Any:
    """The derivative of `eigh_weighted` along t (a's tangent): with M =
    V diag(conj g) V^H, its conjugate, and X = V^H H(t) V, dM = V D V^H, D_ij
    = X_ij (conj g_j - conj g_i) / (w_j - w_i) (the phases cancel). At a
    repeated eigenvalue: nan unless X is zero (`gap_product`)."""
    w, v = np.linalg.eigh(a, uplo)
    x = conjugate_transpose(v) @ read_symmetric(t, uplo) @ v
    gc = np.conjugate(g)
    d = gap_product(w, x * (np.expand_dims(gc, -2) - np.expand_dims(gc, -1)), False)
    return np.conjugate(v @ d @ conjugate_transpose(v))


def _scaled_rows(y: Any, s: Any) -> Any:
    """diag(1/s) y (0 where y is 0, as `scaled_columns`)."""
    return matrix_transpose(scaled_columns(matrix_transpose(y), s))


def svd_weighted(x: Any, g: Any) -> Any:
    """conj(U diag(g) V^H) of the thin SVD x = U diag(s) V^H: svdvals's adjoint
    (U diag(g) V^T of a real x). It does not depend on the singular vectors'
    phases (or signs), so it has a derivative of complex matrices too."""
    u, _, vh = np.linalg.svd(x, full_matrices=False)
    return np.conjugate((u * np.expand_dims(g, -2)) @ vh)


def svd_weighted_tangent(x: Any, g: Any, t: Any) -> Any:
    """The derivative of `svd_weighted` along t (x's tangent). With G =
    diag(conj g), M = U G V^H (the value conjugated) and P = U^H t V:
    dM = U K V^H + (I - U U^H) t V S^-1 G V^H + U G S^-1 U^H t (I - V V^H),
    K_ij = (P_ij (g_j s_j - g_i s_i) + conj(P_ji) (g_j s_i - g_i s_j)) /
    (s_j^2 - s_i^2) off the diagonal (U^H dU G - G V^H dV) and, of a complex
    matrix, K_ii = i Im(P_ii) g_i / s_i (the phases that U and V must turn by
    together). At a repeated singular value: nan unless that part is zero."""
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    v = conjugate_transpose(vh)
    gc = np.conjugate(np.asarray(g))
    p = conjugate_transpose(u) @ t @ v
    sj, si = np.expand_dims(s, -2), np.expand_dims(s, -1)
    gj, gi = np.expand_dims(gc, -2), np.expand_dims(gc, -1)
    k = gap_product(s ** 2, p * (gj * sj - gi * si) + conjugate_transpose(p) * (gj * si - gi * sj),
                    False)
    if np.iscomplexobj(k):
        turn = scaled_columns(np.expand_dims(1j * np.imag(np.diagonal(p, 0, -2, -1)) * gc, -2), s)
        k = k + np.swapaxes(turn, -1, -2) * np.eye(k.shape[-1], dtype=bool)
    dm = u @ k @ vh
    m, n = np.shape(x)[-2:]
    if m > n:
        dm = dm + scaled_columns((t @ v - u @ p) * gj, s) @ vh
    if n > m:
        dm = dm + u @ _scaled_rows(gi * (conjugate_transpose(u) @ t - p @ vh), s)
    return np.conjugate(dm)


def svd_factors(ans: Any, full_matrices: bool) -> Any:
    """svd's result, checked: with full_matrices=True and a non-square matrix,
    the extra columns of u (or rows of vh) are any orthonormal completion and
    have no derivative, so that case is refused. Also refuses complex ones."""
    u, s, vh = ans
    _refuse_complex(u, "svd")
    if full_matrices and u.shape[-1] != vh.shape[-2]:
        raise UnsupportedSyntaxError(
            "the derivative of np.linalg.svd(a, full_matrices=True) of a non-square matrix "
            "is not defined: the extra singular vectors are any orthonormal completion",
            hint="call np.linalg.svd(a, full_matrices=False)")
    return ans


def head_columns(x: Any) -> Any:
    """The first min(m, n) columns of an (m, n) matrix (QR's square part)."""
    x = np.asarray(x)
    return x[..., : min(x.shape[-2:])]


def tail_columns(x: Any) -> Any:
    """The columns after the first min(m, n) (empty for a tall matrix)."""
    x = np.asarray(x)
    return x[..., min(x.shape[-2:]):]


def block_pair(a: Any, t: Any) -> Any:
    """The block matrix [[a, t], [0, a]]: f of it has f(a) on the diagonal and
    the derivative of f at a along t in the upper right block."""
    a, t = np.asarray(a), np.asarray(t)
    a, t = np.broadcast_arrays(a, t)
    zero = np.zeros_like(a)
    return np.concatenate([np.concatenate([a, t], -1), np.concatenate([zero, a], -1)], -2)


def upper_right_block(x: Any) -> Any:
    """The upper right quarter of a (2n, 2n) block matrix."""
    x = np.asarray(x)
    n = x.shape[-1] // 2
    return x[..., :n, n:]


def _dropped_singular_values(a: Any, cutoff_rtol: Any) -> tuple[np.ndarray, np.ndarray]:
    s = np.linalg.svd(np.asarray(a), compute_uv=False)
    largest = np.max(s, axis=-1, keepdims=True) if s.shape[-1] else s
    return s, s <= np.asarray(cutoff_rtol)[..., None] * largest


def pinv_checked(ans: Any, a: Any, rcond: Any = None, rtol: Any = None) -> Any:
    """pinv's result, checked: its derivative formula holds where the rank is
    locally constant. Singular values below NumPy's cutoff must be negligible
    (below 1e-8 of the smallest one kept, as for an exactly singular matrix,
    where the result is JAX's): a cutoff that drops real singular values
    makes pinv a truncation whose derivative s2sad does not implement."""
    a = np.asarray(a)
    if rcond is None and rtol is None:
        cutoff = 1e-15
    elif rcond is None:
        cutoff = rtol
    else:
        cutoff = rcond
    _check_negligible_dropped(a, cutoff, "np.linalg.pinv")
    return ans


def _check_negligible_dropped(a: Any, cutoff: Any, what: str) -> None:
    s, dropped = _dropped_singular_values(a, cutoff)
    if not np.any(dropped):
        return
    kept = np.where(dropped, np.inf, s).min(axis=-1)
    lost = np.where(dropped, s, 0.0).max(axis=-1)
    if np.any(lost > 1e-8 * kept):
        raise UnsupportedSyntaxError(
            f"{what} drops singular values that are not negligible (cutoff rcond/rtol): "
            "its derivative is that of a truncation, which s2sad does not implement",
            hint="use a smaller rcond, or regularize the matrix")


def lstsq_checked(ans: Any, a: Any, rcond: Any = None) -> Any:
    """lstsq's result, checked: the derivative of the solution is implemented
    for a matrix of full rank (the pseudo-inverse solution); NumPy's rank
    (from rcond) lower than min(m, n) is refused."""
    a = np.asarray(a)
    if int(ans[2]) < min(a.shape[-2:]):
        raise UnsupportedSyntaxError(
            "np.linalg.lstsq of a rank-deficient matrix (rank by rcond): its solution "
            "jumps where the rank changes, and s2sad differentiates full-rank problems only",
            hint="regularize the problem, or use np.linalg.pinv(a) @ b")
    return ans


def as_columns(v: Any) -> Any:
    """A vector as one column (n, 1); a matrix unchanged (lstsq's b and x)."""
    v = np.asarray(v)
    return v.reshape(v.shape[0], -1)


def residuals_like(v: Any, res: Any) -> Any:
    """v shaped as lstsq's residuals, which NumPy leaves empty when the
    problem is not overdetermined (then nothing depends on them)."""
    res = np.asarray(res)
    if res.size == 0:
        return np.zeros(res.shape, dtype=_inexact(res))
    return np.reshape(v, res.shape)


def residual_weights(g: Any, res: Any, r: Any) -> Any:
    """conj(r) (the residual columns) times the adjoint of the residuals
    |r|^2, column by column (real: only Re(g) pairs with them); zero where
    the residuals are empty."""
    res = np.asarray(res)
    r = np.asarray(r)
    if res.size == 0:
        return np.zeros(r.shape, dtype=_inexact(r, np.asarray(g)))
    return np.conjugate(r) * np.reshape(np.real(g), (1, -1))


def real_factors(ans: Any, what: str = "this factorization") -> Any:
    """A factorization's result (an array or a tuple of arrays), passed on;
    refused if complex: the rules are derived for real matrices. `what`
    names the function in the error."""
    for item in ans if isinstance(ans, tuple) else (ans,):
        _refuse_complex(item, what)
    return ans


class ItemwiseTuple(tuple):
    """A tuple whose `+` adds item by item: the tangent of a function that
    returns a tuple and has two differentiable parameters (lstsq's a and b).
    Forward mode sums the parameters' tangents with `+`, which would join two
    plain tuples."""

    def __add__(self, other: Any) -> ItemwiseTuple:  # type: ignore[override]
        return ItemwiseTuple(x + y for x, y in zip(self, other))

    __radd__ = __add__


def itemwise_tuple(*items: Any) -> ItemwiseTuple:
    """The items as a tuple that adds item by item (see `ItemwiseTuple`)."""
    return ItemwiseTuple(items)
