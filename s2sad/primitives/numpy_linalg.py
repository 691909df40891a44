"""np.linalg's factorizations and matrix functions: their adjoints and tangents.

cholesky, eigh, eigvalsh, svd, svdvals, qr, pinv, lstsq and matrix_power.
The rules are written with NumPy's own functions (solve, eigh, svd,
matrix_power, ...) and s2sad's linear helpers (triangles, blocks, the
matrix NumPy reads from one triangle), plus `gap_product`,
`scaled_columns`, `eigh_weighted` and `svd_weighted`, which have their own
tangent rules: so every rule here differentiates again, and Hessians
through these functions need nothing more. An immediately called lambda
in a template names a value used more than once (the lowering binds it
once).

Conventions, as JAX's where JAX has one:

* cholesky, eigh and eigvalsh read one triangle of `a` (the lower one by
  default): the adjoint is the derivative of that function of all n * n
  entries, so it lies on the triangle NumPy reads (the other triangle does
  not change the result). Its symmetric part is JAX's gradient, and for a
  matrix built symmetric (`x @ x.T`) the two give the same gradient of x.
* Eigenvectors and singular vectors are differentiated in NumPy's gauge, as
  JAX does: the derivative keeps each vector's sign (its change is
  orthogonal to it). At a repeated eigenvalue or singular value the vectors
  are not unique: see `gap_product` (0 where the result does not depend on
  the choice, nan where it does: never a finite guess). The eigenvalues'
  and singular values' adjoint there is V diag(g) V^T in NumPy's basis,
  as JAX's (exact when g is the same for the repeated ones, e.g. their sum).
* Complex matrices: JAX's and autograd's convention (the pairing
  Re(sum(a * b)), no conjugation for holomorphic maps). cholesky and
  eigvalsh read the Hermitian matrix from one triangle (LAPACK ignores the
  imaginary part of its diagonal); conjugate transposes stand where the
  real rules have transposes, and a term in dA^H has its adjoint
  conjugated. cholesky, eigvalsh, svdvals, qr (LAPACK's R has a real
  diagonal), pinv, lstsq and matrix_power are differentiated. eigh and svd
  of a complex matrix are refused at run time: LAPACK gives each vector a
  phase by no convention a derivative could follow (a real one's sign is
  kept, as above).
"""

from __future__ import annotations

import numpy as np

from .record import group, vjp

group("Linear algebra")

T = "matrix_transpose"


def _lambda(params: str, body: str, args: str) -> str:
    """`(lambda params: body)(args)`: names for values a rule uses more than once."""
    return f"(lambda {params}: {body})({args})"


# ---------------------------------------------------------------- cholesky
# a = L L^H (L L^T if real): dL = L Phi(L^-1 dA L^-H), Phi = the lower triangle,
# diagonal halved (dA Hermitian, so that diagonal is real, as L's). Adjoint,
# the transpose under Re(sum(a * b)): S = L^-T Phi(L^T tril(gL)) conj(L)^-1,
# folded onto the triangle read (s_ij + conj(s_ji)). upper=True: U = L^H.
# The sandwich L^-T (.) conj(L)^-1 is two triangular solves with SciPy, else
# L's inverse and two products (NumPy has no triangular solve: each solve
# would factor L again): `cholesky_sandwich`.
H = "conjugate_transpose"
vjp(
    "np.linalg.cholesky(a, /, *, upper=False)",
    a=_lambda("L", f"real_if_real(fold_symmetric(cholesky_sandwich(L, tril_half({T}(L) @ "
                   "lower_triangle(lower_factor(g, upper)))), upper), a)",
              "lower_factor(ans, upper)"),
    jvp={"a": _lambda("L", f"lower_factor(L @ tril_half(np.linalg.solve(L, {H}("
                      "np.linalg.solve(L, read_symmetric(t, upper))))), upper)",
                      "lower_factor(ans, upper)")},
    expensive=True,
    note="a has the derivative of NumPy's function, which reads one triangle (lower, or "
    "upper with upper=True): the other gets 0 (complex: the Hermitian matrix read, the "
    "diagonal's imaginary part ignored, as by LAPACK); the symmetric part is JAX's",
)

# ---------------------------------------------------------------- eigh, eigvalsh
# a = V diag(w) V^T: dw = diag(V^T dA V), dV = V (F o V^T dA V), F_ij = 1/(w_j - w_i).
_EIGH_NOTE = (
    "reads one triangle (UPLO), as cholesky; eigenvectors in NumPy's gauge (sign kept, as JAX); "
    "at a repeated eigenvalue: the vectors' derivative is nan unless the result does not "
    "depend on them (then exact), the values' adjoint is V diag(g) V^T (JAX's; exact for "
    "symmetric functions such as their sum); complex matrices are refused (their vectors' "
    "phases are LAPACK's, which no derivative follows): use eigvalsh for the values")
vjp(
    "np.linalg.eigh(a, UPLO='L')",
    a=_lambda("w, V, gw, gV",
              f"real_if_real(fold_symmetric((V * np.expand_dims(gw, -2) + V @ gap_product(w, "
              f"{T}(V) @ gV)) @ {T}(V), UPLO), a)",
              "ans[0], real_factors(ans, 'np.linalg.eigh')[1], list_item(g, 0, ans[0]), "
              "list_item(g, 1, ans[1])"),
    jvp={"a": _lambda("w, V", _lambda("X", "(np.diagonal(X, 0, -2, -1), "
                                           "V @ gap_product(w, X, False))",
                                      f"{T}(V) @ read_symmetric(t, UPLO) @ V"),
                      "ans[0], real_factors(ans, 'np.linalg.eigh')[1]")},
    expensive=True, returns="container", results=2, note=_EIGH_NOTE,
)
# (of a complex Hermitian matrix: dw = Re diag(V^H dA V), whose adjoint is
# conj(V) diag(g) V^T folded; the eigenvalues do not depend on the vectors' phases)
vjp(
    "np.linalg.eigvalsh(a, UPLO='L')",
    a="real_if_real(fold_symmetric(eigh_weighted(a, np.real(g), UPLO), UPLO), a)",
    jvp={"a": _lambda("V", f"np.real(np.diagonal({H}(V) @ read_symmetric(t, UPLO) @ V, 0, -2, "
                      "-1))", "np.linalg.eigh(a, UPLO)[1]")},
    expensive=True, fresh=True,
    note="reads one triangle (UPLO), as cholesky; at a repeated eigenvalue: V diag(g) V^H in "
    "NumPy's basis, as JAX (exact for symmetric functions of the eigenvalues)",
)

# ---------------------------------------------------------------- svd, svdvals
# a = U diag(s) V^T (thin), P = U^T dA V, F_ij = 1/(s_j^2 - s_i^2):
#   ds = diag(P)
#   dU = U (F o (P S + S P^T)) + (I - U U^T) dA V S^-1
#   dV = V (F o (S P + P^T S)) + (I - V V^T) dA^T U S^-1
_SVD_TANGENT = _lambda(
    "U, s, Vh",
    _lambda("P, V",
            "(U @ gap_product(s ** 2, P * np.expand_dims(s, -2) + np.expand_dims(s, -1) * "
            f"{T}(P), False) + scaled_columns(t @ V - U @ P, s), np.diagonal(P, 0, -2, -1), "
            f"{T}(V @ gap_product(s ** 2, np.expand_dims(s, -1) * P + {T}(P) * "
            f"np.expand_dims(s, -2), False) + scaled_columns({T}(t) @ U - V @ {T}(P), s)))",
            f"{T}(U) @ t @ {T}(Vh), {T}(Vh)"),
    "svd_factors(ans, full_matrices)[0], ans[1], ans[2]")
_SVD_ADJOINT = _lambda(
    "U, s, Vh, gU, gs, gV",
    _lambda("FU, FV",
            f"(U * np.expand_dims(gs, -2) + U @ ((FU + {T}(FU)) * np.expand_dims(s, -2) + "
            f"np.expand_dims(s, -1) * (FV + {T}(FV))) + scaled_columns(gU - U @ ({T}(U) @ gU), "
            f"s)) @ Vh + U @ {T}(scaled_columns(gV - {T}(Vh) @ (Vh @ gV), s))",
            f"gap_product(s ** 2, {T}(U) @ gU), gap_product(s ** 2, Vh @ gV)"),
    "svd_factors(ans, full_matrices)[0], ans[1], ans[2], list_item(g, 0, ans[0]), "
    f"list_item(g, 1, ans[1]), {T}(list_item(g, 2, ans[2]))")
vjp(
    "np.linalg.svd(a, full_matrices=True, compute_uv=True, hermitian=False)",
    a=f"real_if_real({_SVD_ADJOINT}, a)", jvp={"a": _SVD_TANGENT},
    expensive=True, returns="container", results=3,
    note="vectors in NumPy's gauge (signs kept, as JAX); full_matrices=True only for square "
    "matrices (the completion has no derivative); at a repeated or zero singular value: the "
    "vectors' derivative is nan/inf unless the result does not depend on them (then exact); "
    "compute_uv=False: use np.linalg.svdvals; complex matrices are refused (as eigh's)",
    instead="for the singular values alone (compute_uv=False), call np.linalg.svdvals(a)"
    if hasattr(np.linalg, "svdvals") else "",  # (NumPy 2)
)
# (of a complex matrix: ds = Re diag(U^H dA V), whose adjoint is conj(U diag(g) V^H);
# the values do not depend on the vectors' phases)
vjp(
    "np.linalg.svdvals(x, /)",
    x="real_if_real(svd_weighted(x, np.real(g)), x)",
    jvp={"x": _lambda("F", f"np.real(np.diagonal({H}(F[0]) @ t @ {H}(F[2]), 0, -2, -1))",
                      "np.linalg.svd(x, False)")},
    expensive=True, fresh=True,
    note="at a repeated singular value: U diag(g) V^T in NumPy's basis, as JAX (exact for "
    "symmetric functions, e.g. the nuclear norm); at 0: u v^T with NumPy's signs, as JAX",
)

# ---------------------------------------------------------------- qr
# a = [X Y] with X square (k = min(m, n) columns), X = Q R1, Y = Q R2; R1's
# diagonal is real (LAPACK's, also of a complex a). C = Q^H dX R1^-1 =
# Omega + dR1 R1^-1 (Omega anti-Hermitian, dR1 R1^-1 upper with a real
# diagonal), so K = dR1 R1^-1 = triu(C, 1) + tril(C, -1)^H + Re diag(C):
# dR1 = K R1, dQ = dX R1^-1 - Q K, dR2 = dQ^H Y + Q^H dY. The adjoint is
# the transpose of each step under Re(sum(a * b)).
_QR_K = f"np.triu(C, 1) + {H}(np.tril(C, -1)) + np.real(np.triu(np.tril(C)))"
_QR_TANGENT = _lambda(
    "Q, R1",
    _lambda("C, dXR",
            _lambda("K", _lambda("dQ", f"(dQ, np.concatenate([K @ R1, {H}(dQ) @ tail_columns(a) "
                                       f"+ {H}(Q) @ tail_columns(t)], -1))", "dXR - Q @ K"),
                    _QR_K),
            f"{T}(np.linalg.solve({T}(R1), {T}(head_columns(t)) @ np.conjugate(Q))), "
            f"{T}(np.linalg.solve({T}(R1), {T}(head_columns(t))))"),
    "ans[0], head_columns(ans[1])")
_QR_ADJOINT = _lambda(
    "Q, R1, gR1, gR2",
    _lambda("gQ", _lambda("N", f"np.concatenate([{T}(np.linalg.solve(R1, {T}(gQ + "
                               f"np.conjugate(Q) @ (np.triu(N, 1) + np.tril({H}(N), -1) + "
                               "np.real(np.triu(np.tril(N))))))), np.conjugate(Q) @ gR2], -1)",
                          f"gR1 @ {T}(R1) - {T}(Q) @ gQ"),
            f"list_item(g, 0, Q) + np.conjugate(tail_columns(a) @ {T}(gR2))"),
    "ans[0], head_columns(ans[1]), head_columns(list_item(g, 1, ans[1])), "
    "tail_columns(list_item(g, 1, ans[1]))")
vjp(
    "np.linalg.qr(a, mode='reduced')",
    a=f"real_if_real({_QR_ADJOINT}, a)", jvp={"a": _QR_TANGENT},
    expensive=True, returns="container", results=2,
    note="mode='reduced' only; NumPy's signs of R's diagonal kept (as JAX; of a complex "
    "matrix LAPACK's diagonal is real, so Q and R are unique there); the first min(m, n) "
    "columns must have full rank (else LinAlgError)",
)

# ---------------------------------------------------------------- pinv, lstsq
# Golub and Pereyra: dP = -P dA P + P P^H dA^H (I - A P) + (I - P A) dA^H P^H P,
# the derivative where the rank is locally constant (P^T, A^T of real
# matrices). The terms in dA^H are not holomorphic: under the pairing
# Re(sum(a * b)) the adjoint of B dA^H C is conj(C g^T B).
vjp(
    "np.linalg.pinv(a, rcond=None, hermitian=False, *, rtol=NoValue)",
    a=_lambda("p", f"real_if_real(-({T}(p) @ g @ {T}(p)) + np.conjugate(({T}(g) - a @ p @ "
              f"{T}(g)) @ p @ {H}(p) + {H}(p) @ p @ ({T}(g) - {T}(g) @ p @ a)), a)",
              "pinv_checked(ans, a, rcond, rtol)"),
    jvp={"a": _lambda("p", f"-(p @ t @ p) + p @ {H}(p) @ ({H}(t) - {H}(t) @ a @ p) + "
                      f"({H}(t) - p @ a @ {H}(t)) @ {H}(p) @ p",
                      "pinv_checked(ans, a, rcond, rtol)")},
    expensive=True,
    note="the constant-rank derivative (as JAX): exact for full rank, and for an exactly "
    "singular matrix whose dropped singular values are negligible; a cutoff dropping larger "
    "ones is refused; hermitian=True refused",
)
# x = P b; with r = b - a x the residual columns: dx = -P dA x + P P^H dA^H r
# + (I - P A) dA^H P^H x + P db; residuals |r|^2: 2 Re(r^H (db - dA x)) (x is
# optimal); the singular values as svdvals.
_LSTSQ = "lstsq_checked(ans, a, rcond)[0], ans[1], as_columns(ans[0]), np.linalg.pinv(a)"
_LSTSQ_R = "as_columns(b) - a @ X"
vjp(
    "np.linalg.lstsq(a, b, rcond=None)",
    a=_lambda("x, res, X, p", _lambda(
        "R, Gx",
        f"real_if_real(-({T}(p) @ Gx @ {T}(X)) + np.conjugate(R @ {T}(Gx) @ p @ {H}(p) + "
        f"{H}(p) @ X @ ({T}(Gx) - {T}(Gx) @ p @ a)) - 2.0 * residual_weights(list_item(g, 1, "
        f"res), res, R) @ {T}(X) + svd_weighted(a, np.real(list_item(g, 3, ans[3]))), a)",
        f"{_LSTSQ_R}, as_columns(list_item(g, 0, x))"), _LSTSQ),
    b=_lambda("x, res, X, p", _lambda(
        "R", f"real_if_real(np.reshape({T}(p) @ as_columns(list_item(g, 0, x)) + 2.0 * "
             "residual_weights(list_item(g, 1, res), res, R), np.shape(b)), b)", _LSTSQ_R),
        _LSTSQ),
    jvp={
        "a": _lambda("x, res, X, p", _lambda(
            "R, F",
            f"itemwise_tuple(np.reshape(-(p @ (t @ X)) + p @ ({H}(p) @ ({H}(t) @ R)) + "
            f"{H}(t) @ ({H}(p) @ X) - p @ (a @ ({H}(t) @ ({H}(p) @ X))), np.shape(x)), "
            "residuals_like(-2.0 * np.real(np.sum(np.conjugate(R) * (t @ X), 0)), res), 0.0, "
            f"np.real(np.diagonal({H}(F[0]) @ t @ {H}(F[2]), 0, -2, -1)))",
            f"{_LSTSQ_R}, np.linalg.svd(a, False)"), _LSTSQ),
        "b": _lambda("x, res, X, p", _lambda(
            "R", "itemwise_tuple(np.reshape(p @ as_columns(t), np.shape(x)), residuals_like("
                 "2.0 * np.real(np.sum(np.conjugate(R) * as_columns(t), 0)), res), 0.0, "
                 "np.zeros_like(ans[3]))", _LSTSQ_R), _LSTSQ),
    },
    expensive=True, returns="container", results=4,
    note="full rank only (NumPy's rank from rcond; a rank-deficient a is refused); the "
    "residuals' derivative where NumPy returns them; the singular values as svdvals",
)

# ---------------------------------------------------------------- matrix_power
# f(a) = a^n (n < 0: inv(a)^-n) is analytic: f([[a, t], [0, a]]) has the
# derivative along t in its upper right block, and the adjoint is the same at a^T.
vjp(
    "np.linalg.matrix_power(a, n)",
    zero=("n",),
    a="real_if_real(upper_right_block(np.linalg.matrix_power(block_pair(matrix_transpose(a), "
      "g), n)), a)",
    jvp={"a": "upper_right_block(np.linalg.matrix_power(block_pair(a, t), n))"},
    expensive=True,
)

# ---------------------------------------------------------------- multi_dot
# A1 @ ... @ An, in the cheapest order (a 1-D first array a row, a 1-D last a column)
vjp("np.linalg.multi_dot(arrays, *, out=None)", arrays="multi_dot_adjoint(g, arrays)",
    jvp={"arrays": "multi_dot_tangent(t, arrays)"}, takes="any", expensive=True, fresh=True)
