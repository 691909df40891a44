"""
Gradients through loops and branches
====================================

The d2l.ai example: the number of times the ``while`` loop runs and the
branch the ``if`` takes both depend on the input ``a``. Whatever the path,
``f(a)`` is some constant times ``a`` near that input, so the derivative is
:math:`c / a` where :math:`c = f(a)`. s2sad generates a gradient with the
same loop and branch (printed below), and the script checks it against
:math:`c / a` for many inputs.
"""

import matplotlib.pyplot as plt
import numpy as np

import s2sad


def f(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if np.sum(b) > 0:
        c = b
    else:
        c = 100 * b
    return c


df = s2sad.grad(f)
print(s2sad.show(f))

inputs = np.concatenate([-np.logspace(-3, 2, 40), np.logspace(-3, 2, 40)])
derivatives = np.array([df(a) for a in inputs])
ratios = np.array([f(a) / a for a in inputs])
assert np.allclose(derivatives, ratios, rtol=1e-14)
print(f"checked df/da == f(a)/a at {len(inputs)} inputs; "
      f"df/da takes {len(np.unique(derivatives))} distinct values (one per path)")

# %%
# The derivative is piecewise constant: it jumps where the loop runs once
# more, and by a factor of 100 where the branch changes.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
for sign, color in ((1, "C0"), (-1, "C3")):
    part = np.sign(inputs) == sign
    ax1.loglog(np.abs(inputs[part]), np.abs([f(a) for a in inputs[part]]), ".", color=color,
               label=f"a {'>' if sign > 0 else '<'} 0")
    ax2.loglog(np.abs(inputs[part]), np.abs(derivatives[part]), ".", color=color,
               label=f"a {'>' if sign > 0 else '<'} 0")
ax1.set(xlabel="|a|", ylabel="|f(a)|", title="f(a) = c")
ax2.set(xlabel="|a|", ylabel="|df/da|", title="df/da = c / a, by s2sad")
ax1.legend()
ax2.legend()
fig.tight_layout()
plt.show()
