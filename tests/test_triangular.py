"""Solves and inverses of matrices known to be triangular in derivative code.

The adjoints of `np.linalg.solve` and of a Cholesky factorization solve with,
and invert, the factor and its transpose; where how a matrix was made says it
is triangular (`Builder.triangle`), those become `triangular_solve` and
`triangular_inverse` (SciPy's triangular solve and LAPACK's trtri where SciPy
is installed, NumPy's solve and inverse otherwise).
"""

from __future__ import annotations

import numpy as np
import pytest

import s2sad
from s2sad.runtime import linalg, triangular_inverse, triangular_solve


def gp_loss(log_ell, log_sn, X, y):
    n = y.shape[0]
    d = X[:, None] - X[None, :]
    K = np.exp(-0.5 * d * d / np.exp(2.0 * log_ell)) + np.exp(2.0 * log_sn) * np.eye(n)
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return 0.5 * (y @ alpha) + np.sum(np.log(np.diag(L)))


def upper_factor(A, B):
    U = np.linalg.cholesky(A @ A.T + 3.0 * np.eye(A.shape[0]), upper=True)
    return np.sum(np.linalg.solve(U, B) ** 2) + np.sum(np.linalg.inv(U.T) * B[:, :1])


def lower_part(A, b):
    T = np.tril(A) + 4.0 * np.eye(A.shape[0])
    return np.sum(np.sin(np.linalg.solve(T, b))) + np.sum(np.linalg.inv(T) ** 2)


def transposed_by_axes(X, b):
    L = np.tril(X) + 2.0 * np.eye(3)
    M = np.transpose(L, axes=(0, 1))  # (the identity: still lower)
    return np.sum(np.linalg.solve(M, b) ** 2) + np.sum(np.linalg.solve(M.T, b))


def first_row(L):
    return L[0]


def through_a_helper(X, b):
    L = np.tril(X) + 2.0 * np.eye(3)
    return np.sum(np.linalg.solve(L, b) ** 2) + np.sum(first_row(L))


@pytest.fixture(params=["scipy", "numpy"])
def backend(request, monkeypatch):
    """With SciPy's triangular routines, and as without SciPy installed."""
    if request.param == "numpy":
        monkeypatch.setattr(linalg, "_SCIPY_LINALG", False)
    else:
        pytest.importorskip("scipy")
    return request.param


def _inputs(rng):
    X = np.sort(rng.uniform(-2.0, 2.0, 6))
    return {gp_loss: ((0.2, -1.0, X, np.sin(X) + 0.1 * rng.normal(size=6)), (0, 1, 3)),
            upper_factor: ((rng.normal(size=(4, 4)), rng.normal(size=(4, 2))), (0, 1)),
            lower_part: ((rng.normal(size=(3, 3)), rng.normal(size=3)), (0, 1))}


def test_the_gradients_through_triangular_solves_match_finite_differences(backend):
    for fn, (args, wrt) in _inputs(np.random.default_rng(2)).items():
        for _ in range(2):
            s2sad.check_grad(fn, *args, wrt=wrt)
        code = str(s2sad.show(fn, wrt=wrt, args=args))
        assert "triangular_solve(" in code or "triangular_inverse(" in code, fn.__name__


def test_hessians_through_them_match_differences_of_the_gradient(backend):
    # (forward mode over the adjoint code: the helpers' tangent rules)
    for fn, (args, wrt) in _inputs(np.random.default_rng(3)).items():
        k = wrt[0]
        H = s2sad.hessian(fn, wrt=k)(*args)
        x = np.asarray(args[k], dtype=float)
        step = 1e-5
        for i in np.ndindex(x.shape):
            e = np.zeros_like(x)
            e[i] = step
            moved = [list(args), list(args)]
            moved[0][k], moved[1][k] = x + e, x - e
            if x.ndim == 0:
                moved[0][k], moved[1][k] = float(x + e), float(x - e)
            up = s2sad.grad(fn, wrt=k)(*moved[0])
            down = s2sad.grad(fn, wrt=k)(*moved[1])
            column = np.asarray(H)[(Ellipsis, *i)] if x.ndim else np.asarray(H)
            np.testing.assert_allclose(column, (up - down) / (2 * step), rtol=1e-5,
                                       atol=1e-6, err_msg=fn.__name__)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_the_helpers_are_numpys_solve_and_inverse(backend, dtype):
    rng = np.random.default_rng(4)
    L = np.tril(rng.normal(size=(4, 4))) + 3.0 * np.eye(4)
    if dtype is np.complex128:
        L = L + 1j * np.tril(rng.normal(size=(4, 4)))
    L = L.astype(dtype)
    tol = 1e-5 if dtype is np.float32 else 1e-12
    for a, lower in ((L, True), (L.T, False), (np.conjugate(L.T), False)):
        for b in (rng.normal(size=4).astype(dtype), rng.normal(size=(4, 3)).astype(dtype)):
            x = triangular_solve(a, b, lower)
            assert x.dtype == np.linalg.solve(a, b).dtype
            np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=tol, atol=tol)
        inverse = triangular_inverse(a, lower)
        assert inverse.dtype == np.linalg.inv(a).dtype
        np.testing.assert_allclose(inverse, np.linalg.inv(a), rtol=tol, atol=tol)
    stack = np.stack([L, 2.0 * L])  # (a stack of matrices: NumPy's functions)
    np.testing.assert_allclose(triangular_inverse(stack, True), np.linalg.inv(stack),
                               rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_the_cholesky_sandwich_is_the_product_with_the_inverse(backend, dtype):
    from s2sad.runtime.linalg import cholesky_sandwich

    rng = np.random.default_rng(6)
    L = np.tril(rng.normal(size=(5, 5))) + 3.0 * np.eye(5)
    P = rng.normal(size=(5, 5))
    if dtype is np.complex128:
        L, P = L + 1j * np.tril(rng.normal(size=(5, 5))), P + 1j * rng.normal(size=(5, 5))
    L, P = L.astype(dtype), P.astype(dtype)
    Li = np.linalg.inv(L)
    expected = Li.T @ P @ np.conjugate(Li)
    tol = 1e-4 if dtype is np.float32 else 1e-12
    ours = cholesky_sandwich(L, P)
    assert ours.dtype == expected.dtype
    np.testing.assert_allclose(ours, expected, rtol=tol, atol=tol)
    stack = np.stack([L, 2.0 * L])  # (a stack: through the inverse)
    np.testing.assert_allclose(cholesky_sandwich(stack, np.stack([P, P])),
                               np.stack([expected, expected / 4.0]), rtol=tol, atol=tol)


@pytest.mark.parametrize("fn", [transposed_by_axes, through_a_helper])
def test_matrices_not_certainly_triangular_are_solved_in_general(backend, fn):
    # np.transpose with axes= is not taken for a transpose; a matrix handed to
    # a call (which may write it) is not trusted
    X = np.array([[2.0, 0.3, 0.1], [0.5, 2.0, 0.2], [0.4, 0.6, 2.0]])
    b = np.array([1.0, 2.0, 3.0])
    s2sad.check_grad(fn, X, b, wrt=(0, 1))
    code = str(s2sad.show(fn, wrt=(0, 1), args=(X, b)))
    assert "triangular_solve" not in code


def test_a_singular_triangular_matrix_raises_as_numpy_does(backend):
    L = np.tril(np.ones((3, 3)))
    L[1, 1] = 0.0
    with pytest.raises(np.linalg.LinAlgError):
        triangular_inverse(L, True)
    with pytest.raises(np.linalg.LinAlgError):
        triangular_solve(L, np.ones(3), True)


def test_solves_of_mixed_dtypes_orders_and_empty_matrices(backend):
    rng = np.random.default_rng(8)
    L = np.tril(rng.normal(size=(4, 4))) + 3.0 * np.eye(4)
    for a, b in ((L.astype(np.float32), rng.normal(size=4)),  # (float32 with float64)
                 (np.asfortranarray(L), rng.normal(size=(4, 2))),
                 (L, np.asfortranarray(rng.normal(size=(4, 2)))),
                 (L[::-1, ::-1].copy()[::-1, ::-1], rng.normal(size=4))):
        expected = np.linalg.solve(a, b)
        x = triangular_solve(a, b, True)
        assert x.dtype == expected.dtype and x.shape == expected.shape
        np.testing.assert_allclose(x, expected, rtol=1e-6)
    assert triangular_solve(np.zeros((0, 0)), np.zeros(0), True).shape == (0,)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int64, bool])
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3), (2, 3, 3), (1, 1)])
def test_triangles_are_numpys(dtype, shape):
    from s2sad.runtime.linalg import triangle

    x = (np.random.default_rng(9).normal(size=shape) * 4).astype(dtype)
    for k in (-2, -1, 0, 1, 3):
        for _ in range(2):  # (the second time from the kept mask)
            for ours, numpys in ((triangle(x, k), np.tril(x, k)),
                                 (triangle(x, k, upper=True), np.triu(x, k))):
                assert ours.dtype == numpys.dtype
                np.testing.assert_array_equal(ours, numpys)
    assert triangle(x).flags.writeable and not np.shares_memory(triangle(x), x)
    v = np.arange(3.0)  # (of a vector: NumPy's matrix of its rows)
    np.testing.assert_array_equal(triangle(v), np.tril(v))


def test_the_unread_triangle_stays_zero_beside_infinities():
    # tril_half, read_symmetric and fold_symmetric zero what they do not read:
    # an inf there gives 0, never the nan of 0 * inf
    from s2sad.runtime.linalg import fold_symmetric, read_symmetric, tril_half

    x = np.array([[1.0, np.inf, -np.inf], [2.0, 4.0, np.nan], [3.0, 5.0, 6.0]])
    np.testing.assert_array_equal(tril_half(x), [[0.5, 0, 0], [2.0, 2.0, 0], [3.0, 5.0, 3.0]])
    np.testing.assert_array_equal(read_symmetric(x, "L"),
                                  [[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]])
    np.testing.assert_array_equal(read_symmetric(x.T, True),
                                  [[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]])
    s = np.array([[1.0, 2.0, 0.0], [3.0, 4.0, 0.0], [np.inf, 0.0, 6.0]])
    np.testing.assert_array_equal(fold_symmetric(s, "L"),
                                  [[1.0, 0, 0], [5.0, 4.0, 0], [np.inf, 0.0, 6.0]])
    np.testing.assert_array_equal(fold_symmetric(s.T, "U"),
                                  [[1.0, 5.0, np.inf], [0, 4.0, 0.0], [0, 0, 6.0]])
    z = np.array([[1 + 2j, 0], [3 - 1j, 4 + 1j]])  # (complex: Hermitian, real diagonal)
    np.testing.assert_array_equal(read_symmetric(z, "L"), [[1, 3 + 1j], [3 - 1j, 4]])
    np.testing.assert_array_equal(fold_symmetric(z, "L"), [[1, 0], [3 - 1j, 4]])
    stack = np.stack([x[:2, :2], 2 * x[:2, :2]])
    np.testing.assert_array_equal(tril_half(stack), [[[0.5, 0], [2, 2]], [[1, 0], [4, 4]]])


def written_after(K, y):
    L = np.linalg.cholesky(K @ K.T + 3.0 * np.eye(3))
    L[0, 2] = 0.5  # (no longer triangular: the general solve)
    return np.sum(np.linalg.solve(L, y) ** 2)


def test_the_functions_own_solves_with_a_factor_are_triangular_in_the_forward_pass(backend):
    args, wrt = _inputs(np.random.default_rng(10))[gp_loss]
    code = str(s2sad.show(gp_loss, wrt=wrt, args=args))
    forward = code.split("# backward pass")[0]
    assert "triangular_solve(L, y, True)" in forward, code
    assert "np.linalg.solve" not in code
    value, grads = s2sad.value_and_grad(gp_loss, wrt=wrt)(*args)
    assert value == pytest.approx(gp_loss(*args), rel=1e-12)
    s2sad.check_grad(gp_loss, *args, wrt=wrt)
    args, wrt = _inputs(np.random.default_rng(11))[upper_factor]
    forward = str(s2sad.show(upper_factor, wrt=wrt, args=args)).split("# backward pass")[0]
    assert "triangular_solve(U, B, False)" in forward and "triangular_inverse(" in forward
    s2sad.check_grad(upper_factor, *args, wrt=wrt)


def test_a_factor_written_after_it_was_made_is_solved_in_general(backend):
    rng = np.random.default_rng(12)
    K, y = rng.normal(size=(3, 3)), rng.normal(size=3)
    code = str(s2sad.show(written_after, wrt=(0, 1), args=(K, y)))
    assert "triangular_solve(L" not in code.split("# backward pass")[0]
    value, _ = s2sad.value_and_grad(written_after, wrt=(0, 1))(K, y)
    assert value == pytest.approx(written_after(K, y), rel=1e-12)
    s2sad.check_grad(written_after, K, y, wrt=(0, 1))


def test_the_pass_rewrites_only_solves_of_known_triangles():
    from s2sad.cleanup import triangular_solves
    from s2sad.ir import Assign, Var, VarFactory

    new = VarFactory().new
    L, U, K, y = new("L"), new("U"), new("K"), new("y")
    stmts = [Assign(new("a"), "np.linalg.solve", [L, y]),
             Assign(new("b"), "np.linalg.solve", [U, y]),
             Assign(new("c"), "np.linalg.inv", [U]),
             Assign(new("d"), "np.linalg.solve", [K, y]),
             Assign(new("e"), "np.linalg.solve", [L], {"b": y})]  # (by keyword: left alone)
    sides = {L: "lower", U: "upper"}
    triangular_solves(stmts, lambda v: sides.get(v) if isinstance(v, Var) else None)
    assert [(s.prim, [getattr(a, "value", a) for a in s.args]) for s in stmts] == [
        ("triangular_solve", [L, y, True]), ("triangular_solve", [U, y, False]),
        ("triangular_inverse", [U, False]), ("np.linalg.solve", [K, y]),
        ("np.linalg.solve", [L])]
    assert stmts[0].callee.value is triangular_solve


def solve_with_a_lower_part(M, b):
    x = np.linalg.solve(np.tril(M), b)
    return x[0] + x[1]


def stacked_lower_solve(M, b):
    return np.sum(np.linalg.solve(np.tril(M), b) ** 2)


def test_non_finite_triangles_and_stacks_are_numpys(backend):
    # an inf in the matrix: NumPy's error, not the triangular solve's finite
    # answer; a stack with one vector b is NumPy's solve (a stack of vectors)
    M, b = np.array([[2.0, 0, 0], [0.5, 3, 0], [np.inf, 1, 4]]), np.array([1.0, 2, 3])
    with pytest.raises(np.linalg.LinAlgError):
        s2sad.value_and_grad(solve_with_a_lower_part)(M, b)
    rng = np.random.default_rng(13)
    M, b = rng.normal(size=(3, 4, 4)) + 3.0 * np.eye(4), rng.normal(size=4)
    H = s2sad.hessian(stacked_lower_solve, wrt=1)(M, b)
    h = 1e-5
    for i in range(4):
        e = np.zeros(4)
        e[i] = h
        column = (s2sad.grad(stacked_lower_solve, wrt=1)(M, b + e) -
                  s2sad.grad(stacked_lower_solve, wrt=1)(M, b - e)) / (2 * h)
        np.testing.assert_allclose(H[:, i], column, rtol=1e-6, atol=1e-8)
    assert s2sad.hvp(stacked_lower_solve)(M, b, np.ones_like(M)).shape == M.shape
