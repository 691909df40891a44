"""np.linalg's factorizations at the points where their derivatives are
delicate: repeated eigenvalues and singular values, singular and
rank-deficient matrices, the triangle NumPy reads, the cases s2sad refuses;
and Hessians of functions built on them against differences of gradients.

Where a derivative exists s2sad must give it; where it does not, the value
of the convention docs/ops.md states (JAX's where it has one, values
written out here), nan, or an s2sad error: never a finite wrong number.
"""

from __future__ import annotations

import numpy as np
import pytest

import s2sad

RNG = np.random.default_rng(11)


def numeric_hessian(f, x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Central differences of s2sad's gradient (columns: d grad / d x_j)."""
    grad = s2sad.grad(f)
    out = np.zeros((x.size, x.size))
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = eps
        step = step.reshape(x.shape)
        out[:, j] = ((grad(x + step) - grad(x - step)) / (2 * eps)).ravel()
    return out


def assert_hessian(f, x: np.ndarray, rtol: float = 1e-6) -> None:
    hessian = np.asarray(s2sad.hessian(f)(x)).reshape(x.size, x.size)
    expected = numeric_hessian(f, x)
    scale = max(1.0, float(np.max(np.abs(expected))))
    np.testing.assert_allclose(hessian, expected, rtol=0, atol=rtol * scale * 100)


# ---------------------------------------------------------------- repeated eigenvalues


def top_eigenvalue(a):
    return np.linalg.eigvalsh(a)[-1]


def eigenvalue_sum(a):
    return np.sum(np.linalg.eigvalsh(a) * 2.0)


def eigenvector_squares(a):
    w, v = np.linalg.eigh(a)
    return np.sum(v ** 2 * np.arange(9.0).reshape(3, 3))


def top_eigenvector(a):
    w, v = np.linalg.eigh(a)
    return v[0, 2] * v[2, 2] * 2.0 - v[1, 2] * v[2, 2]  # (the same for -v)


def test_eigenvalues_at_a_triple_eigenvalue() -> None:
    """At the identity every eigenvalue is 1: the sum has gradient 2 I (exact,
    whatever basis), the largest one NumPy's basis's e3 e3^T (JAX's value)."""
    np.testing.assert_allclose(s2sad.grad(eigenvalue_sum)(np.eye(3)), 2.0 * np.eye(3))
    np.testing.assert_allclose(s2sad.grad(top_eigenvalue)(np.eye(3)),
                               [[0, 0, 0], [0, 0, 0], [0, 0, 1.0]])


def test_eigenvectors_at_a_repeated_eigenvalue_are_nan_not_a_guess() -> None:
    grad = s2sad.grad(eigenvector_squares)(np.diag([1.0, 1.0, 3.0]))
    # nan where eigh reads (the lower triangle); 0 where it does not, as at
    # every other point (it was nan there too while 0 * nan leaked into it)
    lower = np.tri(3, dtype=bool)
    assert np.all(np.isnan(grad[lower])) and np.all(grad[~lower] == 0.0)
    _, tangent = s2sad.jvp(eigenvector_squares, (np.diag([1.0, 1.0, 3.0]),),
                           (np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),))
    assert np.isnan(tangent)


def test_a_simple_eigenvector_beside_a_repeated_eigenvalue_has_its_derivative() -> None:
    """diag(1, 1, 3): the eigenvector of 3 is smooth; the repeated pair does not matter."""
    a = np.diag([1.0, 1.0, 3.0])
    s2sad.check_grad(top_eigenvector, a)
    np.testing.assert_allclose(s2sad.grad(top_eigenvector)(a),
                               [[0, 0, 0], [0, 0, 0], [1.0, -0.5, 0]], atol=1e-12)


def test_eigh_reads_one_triangle() -> None:
    """The adjoint lies on the triangle NumPy reads; its symmetric part is JAX's."""
    a = RNG.normal(size=(3, 3)) + np.diag([1.0, 2.0, 3.0])
    lower = s2sad.grad(top_eigenvalue)(a)
    assert np.all(np.triu(lower, 1) == 0)
    v = np.linalg.eigh(a)[1][:, -1]
    symmetric = np.outer(v, v)
    np.testing.assert_allclose(lower, np.tril(2 * symmetric, -1) + np.diag(np.diag(symmetric)))


# ---------------------------------------------------------------- singular values


def nuclear_norm(a):
    return np.sum(np.linalg.svdvals(a))


def singular_values_via_svd(a):
    u, s, vh = np.linalg.svd(a)
    return np.sum(s * np.array([1.0, 2.0]))


def singular_vectors(a):
    u, s, vh = np.linalg.svd(a)
    return np.sum(u * np.array([[1.0, 2.0], [3.0, 4.0]]))


def test_nuclear_norm_at_a_singular_matrix_is_jaxs() -> None:
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    u, _, vh = np.linalg.svd(a)
    np.testing.assert_allclose(s2sad.grad(nuclear_norm)(a), u @ vh, atol=1e-12)
    np.testing.assert_allclose(s2sad.grad(nuclear_norm)(a), np.eye(2), atol=1e-12)


def test_singular_values_of_an_orthogonal_matrix() -> None:
    """All singular values 1: their weighted sum has gradient U diag(w) V^T, the
    singular vectors have none (nan)."""
    q = np.array([[0.6, -0.8], [0.8, 0.6]])
    u, _, vh = np.linalg.svd(q)
    np.testing.assert_allclose(s2sad.grad(singular_values_via_svd)(q),
                               (u * [1.0, 2.0]) @ vh, atol=1e-12)
    assert np.all(np.isnan(s2sad.grad(singular_vectors)(q)))


def test_singular_values_at_a_zero_singular_value_stay_finite() -> None:
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    grad = s2sad.grad(singular_values_via_svd)(a)
    u, _, vh = np.linalg.svd(a)
    np.testing.assert_allclose(grad, (u * [1.0, 2.0]) @ vh, atol=1e-12)


# ---------------------------------------------------------------- pinv and lstsq

PINV_W = np.array([[1.0, -2.0], [0.5, 3.0]])


def pinv_weighted(a):
    return np.sum(np.linalg.pinv(a) * PINV_W)


def pinv_truncating(a):
    return np.sum(np.linalg.pinv(a, rcond=1e-4) * np.arange(1.0, 10.0).reshape(3, 3))


def pinv_cutting(a):
    return np.sum(np.linalg.pinv(a, rcond=0.5))


def test_pinv_of_a_singular_matrix_is_jaxs() -> None:
    """The constant-rank derivative (JAX's values, written out)."""
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    np.testing.assert_allclose(s2sad.grad(pinv_weighted)(a),
                               [[-0.056, -0.012], [-0.112, -0.024]], atol=1e-12)


def test_pinv_of_a_singular_matrix_with_a_cutoff_is_its_derivative() -> None:
    """With rcond large enough that the steps of finite differences keep the
    rank, pinv is differentiable there and the rule gives its derivative."""
    a = np.array([[1.0, 2.0, 0.5], [2.0, 4.0, 1.0], [-1.0, 0.5, 2.0]])
    s2sad.check_grad(pinv_truncating, a)


def test_pinv_refuses_a_cutoff_that_drops_real_singular_values() -> None:
    with pytest.raises(s2sad.S2sadError, match="truncation"):
        s2sad.grad(pinv_cutting)(np.diag([3.0, 1.0]))


def lstsq_solution(a, b):
    return np.sum(np.linalg.lstsq(a, b)[0] * np.array([1.0, -2.0]))


def lstsq_residual(a, b):
    x, residuals, rank, s = np.linalg.lstsq(a, b)
    return np.sum(residuals) + np.sum(x)


def test_lstsq_refuses_a_rank_deficient_matrix() -> None:
    a = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    with pytest.raises(s2sad.S2sadError, match="rank-deficient"):
        s2sad.grad(lstsq_solution)(a, np.array([1.0, 0.0, 2.0]))


def test_lstsq_without_residuals() -> None:
    """An underdetermined problem: NumPy returns no residuals, the minimum-norm
    solution is differentiable."""
    a, b = RNG.normal(size=(2, 3)), RNG.normal(size=2)
    s2sad.check_grad(lstsq_residual, a, b, wrt=(0, 1))


# ---------------------------------------------------------------- refusals


def svd_full_tall(a):
    u, s, vh = np.linalg.svd(a)
    return np.sum(u)


def svd_values_only(a):
    return np.sum(np.linalg.svd(a, compute_uv=False))


def qr_complete(a):
    q, r = np.linalg.qr(a, mode="complete")
    return np.sum(r)


def eigh_complex(a):
    return np.sum(np.real(np.linalg.eigh(a * (1.0 + 0.0j))[1]))


def cholesky_not_positive(a):
    return np.sum(np.linalg.cholesky(a))


def test_full_singular_vectors_of_a_non_square_matrix_are_refused() -> None:
    with pytest.raises(s2sad.S2sadError, match="full_matrices=False"):
        s2sad.grad(svd_full_tall)(RNG.normal(size=(4, 2)))


def test_unsupported_parameters_are_refused_at_their_line() -> None:
    with pytest.raises(s2sad.S2sadError, match="compute_uv="):
        s2sad.grad(svd_values_only)(RNG.normal(size=(3, 3)))
    with pytest.raises(s2sad.S2sadError, match="mode="):
        s2sad.grad(qr_complete)(RNG.normal(size=(3, 3)))


def test_complex_factorizations_are_refused() -> None:
    with pytest.raises(s2sad.S2sadError, match="real matrices"):
        s2sad.grad(eigh_complex)(np.eye(2) * 2.0)


def test_cholesky_of_a_matrix_that_is_not_positive_definite_fails_as_numpy() -> None:
    with pytest.raises(np.linalg.LinAlgError):
        s2sad.grad(cholesky_not_positive)(-np.eye(2))


# ---------------------------------------------------------------- matrix_power


def power_zero(a):
    return np.sum(np.linalg.matrix_power(a, 0) * 3.0)


def test_matrix_power_zero_has_zero_gradient() -> None:
    np.testing.assert_array_equal(s2sad.grad(power_zero)(RNG.normal(size=(3, 3))),
                                  np.zeros((3, 3)))


# ---------------------------------------------------------------- Hessians


def log_det(a):
    chol = np.linalg.cholesky(a)
    return 2.0 * np.sum(np.log(np.diagonal(chol)))


def eigenvalue_squares(a):
    return np.sum(np.linalg.eigvalsh(a) ** 2 * np.array([1.0, 2.0, 3.0]))


def singular_value_cubes(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(s ** 3)


def singular_value_cubes_only(a):
    return np.sum(np.linalg.svdvals(a) ** 3 * np.arange(1.0, 4.0))


def eigenvalues_upper(a):
    return np.sum(np.linalg.eigvalsh(a, "U") ** 3 * np.array([1.0, 2.0, 3.0]))


def eigenvector_function(a):
    w, v = np.linalg.eigh(a)
    return np.sum(v[:, -1] ** 2 * np.array([0.0, 1.0, 2.0])) + np.sum(w * w)


def qr_function(a):
    q, r = np.linalg.qr(a)
    return np.sum(q ** 3) + np.sum(r ** 2)


def pinv_function(a):
    return np.sum(np.linalg.pinv(a) ** 2)


def inverse_square(a):
    return np.sum(np.linalg.matrix_power(a, -2) * np.arange(9.0).reshape(3, 3))


def lstsq_function(a):
    x, residuals, rank, s = np.linalg.lstsq(a, np.arange(4.0))
    return np.sum(x ** 2) + np.sum(residuals) + np.sum(s ** 2)


def determinant(a):
    return np.linalg.det(a)


def determinant_times_sum(a):
    return np.linalg.det(a) * np.sum(a)


def stacked_determinants(a):
    return np.sum(np.linalg.det(a) ** 2)


SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
# singular: rank 1 and rank 2 (the Hessian of det exists everywhere; it read inv(a))
RANK_ONE = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 6.0, 9.0]])
RANK_TWO = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, 1.0, 2.0]])


@pytest.mark.parametrize("f, x", [
    (log_det, SPD), (eigenvalue_squares, RNG.normal(size=(3, 3))),
    (singular_value_cubes, RNG.normal(size=(4, 3))), (eigenvector_function, SPD),
    (singular_value_cubes_only, RNG.normal(size=(4, 3))),
    (singular_value_cubes_only, RNG.normal(size=(3, 5))),
    (singular_value_cubes_only, RNG.normal(size=(3, 3))), (eigenvalues_upper, SPD),
    (qr_function, RNG.normal(size=(4, 3))), (pinv_function, RNG.normal(size=(3, 4))),
    (inverse_square, RNG.normal(size=(3, 3)) + 3 * np.eye(3)),
    (lstsq_function, RNG.normal(size=(4, 3))),
    (determinant, np.array([[1.0, 2.0], [2.0, 4.0]])), (determinant, RANK_ONE),
    (determinant_times_sum, RANK_TWO), (determinant_times_sum, RNG.normal(size=(3, 3))),
    (stacked_determinants, np.stack([RANK_TWO, SPD])),
], ids=lambda v: getattr(v, "__name__", ""))
def test_hessian_matches_differences_of_the_gradient(f, x) -> None:
    assert_hessian(f, x)


def test_log_det_hessian_is_the_known_one() -> None:
    """d^2 log det(A) [E, F] = -tr(A^-1 E A^-1 F), on the lower triangle read."""
    hessian = np.asarray(s2sad.hessian(log_det)(SPD))
    direction = np.tril(RNG.normal(size=(3, 3)))
    symmetric = direction + np.tril(direction, -1).T
    inv = np.linalg.inv(SPD)
    expected = -np.trace(inv @ symmetric @ inv @ symmetric)
    got = np.einsum("ij,ijkl,kl->", direction, hessian, direction)
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def matrix_one_norm(x):
    return np.linalg.norm(x, 1)


def matrix_inf_norm(x):
    return np.linalg.norm(x, np.inf)


def test_matrix_one_and_inf_norms_count_a_zero_entry_as_positive() -> None:
    """As abs at 0 and the vector norms (JAX's): the matrix norms took
    np.sign, 0 at a zero entry."""
    z = np.array([[0.0, 1.0], [2.0, 0.5], [0.0, -0.2]])
    w = np.array([[2.0, 0.0], [0.5, 0.5]])
    for f, x, expected in ((matrix_one_norm, z, [[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]]),
                           (matrix_inf_norm, w, [[1.0, 1.0], [0.0, 0.0]])):
        np.testing.assert_array_equal(s2sad.grad(f)(x), expected)
        np.testing.assert_array_equal(s2sad.jacobian(f, mode="forward")(x), expected)
