"""An adversarial corpus of corner cases, one module per theme (tests/test_corners.py).

Each module lists its cases with the `case` decorator of `support.py`: a small
function, the arguments to call it with, `wrt`, and what s2sad must do with it
(`expect`): compute the gradient (``"grad"``), refuse it (``"refuse"``), or,
at a point where the derivative does not exist or is infinite, give the value
of its documented convention (``"nondiff"``, with `ref`). Cases marked `xfail`
are open compiler bugs.

Conventions at non-differentiable points (JAX's where it has one): d|x|/dx = 1
at 0 (also -0.0, also for `abs` and `math.fabs`); `np.maximum`/`np.minimum`
ties split 0.5/0.5; `np.max`/`np.min` ties split evenly among the tied
entries, while `max()`/`min()` of several numbers give all to the first
extreme argument; `np.clip` at its bound gives 0.5 (clip is
min(max(a, lo), hi)); `np.fmax`/`np.fmin` give a tie to the second argument
and everything to the other operand of a NaN; for x**y, d/dx is 0 where
y == 0 (also at x == 0) and infinite at x == 0 for 0 < y < 1, and d/dy is 0
where x == 0; sqrt, log, arcsin and the like at their boundaries give +-inf
as IEEE arithmetic does (also for Python floats); the determinant of a
singular matrix gives the adjugate; x*log(x) at 0 and arctan2(0, 0) give nan;
`np.where(mask, f(x), 0)` with f non-finite where the mask is false leaks nan
(as JAX and autograd do).
"""
