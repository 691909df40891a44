r"""
Forward against reverse mode as inputs and outputs grow
=======================================================

A Jacobian of :math:`f: \mathbb{R}^n \to \mathbb{R}^m` takes :math:`n`
forward-mode passes (one column each) or :math:`m` reverse-mode passes (one
row each). ``s2sad.jacobian(f, mode=...)`` builds it either way; this
example times both as :math:`n` grows with :math:`m = 4` fixed, and as
:math:`m` grows with :math:`n = 4` fixed. The two Jacobians agree; the time
of each grows with the count of its passes.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

import s2sad


def layer(x, W):
    """R^n -> R^m: a tanh layer with an m-by-n weight matrix."""
    return np.tanh(W @ x) * np.sum(x**2)


def cost(mode, n, m, repeat=3):
    """Best time of `repeat` runs of jacobian(mode) of layer at n inputs, m outputs."""
    rng = np.random.default_rng(0)
    x, W = rng.normal(size=n), rng.normal(size=(m, n)) / np.sqrt(n)
    jac = s2sad.jacobian(layer, mode=mode)
    J = jac(x, W)  # (compiles on the first call)
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        jac(x, W)
        best = min(best, time.perf_counter() - start)
    return best, J


sizes = [4, 16, 64, 128]
grow_inputs = {mode: [] for mode in ("forward", "reverse")}
grow_outputs = {mode: [] for mode in ("forward", "reverse")}
for k in sizes:
    for mode in ("forward", "reverse"):
        t_in, J_in = cost(mode, n=k, m=4)
        t_out, J_out = cost(mode, n=4, m=k)
        grow_inputs[mode].append(t_in)
        grow_outputs[mode].append(t_out)
        assert J_in.shape == (4, k) and J_out.shape == (k, 4)
    # both modes compute the same Jacobian
    assert np.allclose(cost("forward", k, 4)[1], cost("reverse", k, 4)[1])
for name, table in (("n grows, m = 4", grow_inputs), ("m grows, n = 4", grow_outputs)):
    print(name)
    for k, tf, tr in zip(sizes, table["forward"], table["reverse"]):
        print(f"  {k:4d}: forward {1e3 * tf:7.2f} ms   reverse {1e3 * tr:7.2f} ms")

# At the largest size, the mode with few passes wins by a wide margin.
assert grow_inputs["reverse"][-1] < grow_inputs["forward"][-1]
assert grow_outputs["forward"][-1] < grow_outputs["reverse"][-1]

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, table, label in ((ax1, grow_inputs, "inputs n (m = 4)"),
                         (ax2, grow_outputs, "outputs m (n = 4)")):
    for mode, marker in (("forward", "o-"), ("reverse", "s-")):
        ax.loglog(sizes, 1e3 * np.array(table[mode]), marker, label=f"mode='{mode}'")
    ax.set(xlabel=label, title=f"Jacobian as the {label.split()[0]} grow")
    ax.legend()
ax1.set_ylabel("time per Jacobian (ms)")
fig.tight_layout()
plt.show()
