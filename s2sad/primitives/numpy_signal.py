"""np.interp, np.convolve and np.correlate: adjoints and tangents.

np.interp's derivatives are with respect to x, xp, fp and the left and right
values (see s2sad/runtime/signal.py for its intervals); `period=` is
refused. np.convolve is bilinear, so its adjoints are convolutions with the
other operand reversed (no conjugation: the bilinear pairing); np.correlate
conjugates v, so v's adjoint is conjugated too. Every mode is honoured.
"""

from __future__ import annotations

from .record import group, vjp

group("Signal processing")

vjp(
    "np.interp(x, xp, fp, left=None, right=None, period=None)",
    x="real_if_real(g * interp_slope(x, xp, fp), x)",
    xp="real_if_real(interp_fp_adjoint(-g * interp_slope(x, xp, fp), x, xp, xp, 0.0, 0.0), xp)",
    fp="real_if_real(interp_fp_adjoint(g, x, xp, fp, left, right), fp)",
    left="real_if_real(np.sum(g * interp_outside(x, xp, 0)), left)",
    right="real_if_real(np.sum(g * interp_outside(x, xp, 1)), right)",
    jvp={"x": "t * interp_slope(x, xp, fp)",
         "xp": "-interp_slope(x, xp, fp) * np.interp(x, xp, t, 0.0, 0.0)",
         "fp": "np.interp(x, xp, t, interp_bound_tangent(left), interp_bound_tangent(right))",
         "left": "t * interp_outside(x, xp, 0)",
         "right": "t * interp_outside(x, xp, 1)"},
    note="at a knot: the slope of the interval to its right (at xp[-1]: of the last one), as "
    "JAX; outside [xp[0], xp[-1]]: 0 in x; xp must be strictly increasing (else refused)",
)
vjp(
    "np.convolve(a, v, mode='full')",
    a="real_if_real(np.convolve(full_convolution(g, a, v, mode, False), np.flip(v), 'valid'), a)",
    v="real_if_real(np.convolve(full_convolution(g, a, v, mode, False), np.flip(a), 'valid'), v)",
    jvp={"a": "np.convolve(t, v, mode)", "v": "np.convolve(a, t, mode)"},
    expensive=True, fresh=True,
)
vjp(
    "np.correlate(a, v, mode='valid')",
    a="real_if_real(np.convolve(full_convolution(g, a, v, mode, True), np.conjugate(v), "
      "'valid'), a)",
    v="real_if_real(np.conjugate(np.flip(np.convolve(full_convolution(g, a, v, mode, True), "
      "np.flip(a), 'valid'))), v)",
    jvp={"a": "np.correlate(t, v, mode)", "v": "np.correlate(a, t, mode)"},
    expensive=True, fresh=True,
)
