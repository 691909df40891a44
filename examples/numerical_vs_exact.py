r"""
Numerical derivatives against s2sad's exact one
===============================================

A difference quotient has two errors: truncation, which shrinks as the step
:math:`h` shrinks (like :math:`h` for the forward difference, :math:`h^2`
for the central one), and rounding, which grows like
:math:`\varepsilon / h` because :math:`f(x + h) - f(x)` subtracts nearly
equal numbers. The plot shows both against :math:`h`, next to the error of
s2sad's derivative, which has no step: it is exact up to rounding.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad


def f(x):
    return np.sin(x) * np.exp(x) / (1 + x**2)


def f_prime(x):
    """By hand, with the product and quotient rules."""
    return (np.exp(x) * (np.cos(x) + np.sin(x)) * (1 + x**2)
            - np.sin(x) * np.exp(x) * 2 * x) / (1 + x**2) ** 2


x = 0.8
exact = f_prime(x)
ad_error = abs(s2sad.grad(f)(x) - exact)
steps = np.logspace(-15, -1, 57)
forward_error = np.array([abs((f(x + h) - f(x)) / h - exact) for h in steps])
central_error = np.array([abs((f(x + h) - f(x - h)) / (2 * h) - exact) for h in steps])

best_forward, best_central = steps[forward_error.argmin()], steps[central_error.argmin()]
print(f"forward difference: best error {forward_error.min():.1e} at h = {best_forward:.0e}")
print(f"central difference: best error {central_error.min():.1e} at h = {best_central:.0e}")
print(f"s2sad:              error {ad_error:.1e}")
assert ad_error < 1e-14 < central_error.min() < forward_error.min()
assert 1e-10 < best_forward < 1e-6 and 1e-7 < best_central < 1e-3

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.loglog(steps, forward_error, "o-", ms=3, label="forward difference $(f(x+h)-f(x))/h$")
ax.loglog(steps, central_error, "s-", ms=3, label="central difference $(f(x+h)-f(x-h))/2h$")
ax.axhline(max(ad_error, 1e-17), color="C3", lw=2, label="s2sad (no step)")
ax.loglog(steps, 1e-16 / steps, ":", color="gray", label=r"rounding $\sim \varepsilon/h$")
ax.set(xlabel="step h", ylabel="absolute error of f'(0.8)", ylim=(1e-18, 1),
       title="error of numerical derivatives")
ax.legend(fontsize=8)
plt.show()
