"""Peak memory of one gradient call: a 10^5-iteration scalar loop (the tape),
and elementwise work on 10^7-element arrays (the values the gradient holds).

    python benchmarks/bench_memory.py [iterations]

The loop is workloads.scalar_loop: `x = np.sin(x) * 0.9 + 0.1 * x * x`, n times.
tracemalloc records the peak of Python and NumPy allocations during one
gradient call (minus what was allocated before it). s2sad's tape is a Python
list; its entry count is the number of `.append(` calls in the generated loop
(read from s2sad.show) times the iteration count. For comparison: a
hand-written reverse pass that keeps the same list of iterates, and autograd
(if installed), which records a graph node per primitive operation.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
import types

import _timing as T  # first: it pins BLAS to one thread before NumPy loads
import numpy as np
import workloads as W
from bench_speed import hand_scalar_loop  # the reverse pass by hand: keeps every iterate

import s2sad


def measure(fn, *args):
    """(result, peak bytes allocated above the starting level) of one call."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    result = fn(*args)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return result, peak


def autograd_nodes(grad_fn, x0, n):
    """Graph nodes autograd records for one gradient call (counts VJPNode creations)."""
    from autograd import core

    count, init = [0], core.VJPNode.__init__

    def counting_init(self, *args, **kwargs):
        count[0] += 1
        init(self, *args, **kwargs)

    core.VJPNode.__init__ = counting_init
    try:
        grad_fn(x0, n)
    finally:
        core.VJPNode.__init__ = init
    return count[0]


def loop_appends(source: str) -> int:
    """`.append(` calls inside the generated function's for/while loops."""
    count, loop_indent = 0, None
    for line in source.splitlines():
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if loop_indent is not None and stripped and indent <= loop_indent:
            loop_indent = None
        if stripped.startswith(("for ", "while ")) and loop_indent is None:
            loop_indent = indent
        elif loop_indent is not None:
            count += stripped.count(".append(")
    return count


def hand_array_chain(x, w):
    """workloads.array_chain's value and gradient, written by hand."""
    y = np.tanh(x * w)
    z = np.exp(-y * y)
    out = np.sum(z * x) + np.mean(y)
    dy = 1.0 / y.size - 2.0 * y * z * x
    dyy = dy * (1.0 - y * y)
    return out, (z + dyy * w, np.sum(dyy * x))


def arrays(size: int = 10**7) -> None:
    """Peak memory of the gradient of workloads.array_chain over `size` elements."""
    x = np.random.default_rng(0).standard_normal(size)
    w = 0.7
    g_s2 = s2sad.value_and_grad(W.array_chain, wrt=(0, 1))
    g_s2(x[:10], w)  # compile outside the measurement
    (_, ours), peak_s2 = measure(g_s2, x, w)
    (_, theirs), peak_hand = measure(hand_array_chain, x, w)
    assert np.allclose(ours[0], theirs[0]) and np.isclose(ours[1], theirs[1])
    mib = 2.0 ** 20
    print(f"\nelementwise work on {size:,}-element arrays (workloads.array_chain), peak MiB:")
    print(T.table(["gradient", "peak MiB", "ratio"],
                  [["s2sad", f"{peak_s2 / mib:,.0f}", f"{peak_s2 / peak_hand:.2f}x"],
                   ["hand-written", f"{peak_hand / mib:,.0f}", "1.00x"]]))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    x0 = 0.5
    print(f"bench_memory  {T.machine()}")
    print(f"scalar loop `x = np.sin(x) * 0.9 + 0.1 * x * x`, {n:,} iterations, x0 = {x0}\n")

    source = s2sad.show(W.scalar_loop)
    per_iter = loop_appends(source)
    total_appends = source.count(".append(")
    g_s2 = s2sad.grad(W.scalar_loop)
    g_s2(x0, 10)  # compile outside the measurement
    ref = hand_scalar_loop(x0, n)[1]
    rows = []

    got, peak = measure(g_s2, x0, n)
    assert abs(got - ref) <= 1e-8 * (1 + abs(ref)), (got, ref)
    entries = per_iter * n
    rows.append(["s2sad", f"{entries:,} tape entries", f"{peak:,}", f"{peak / n:.1f}",
                 f"{peak / entries:.1f}"])

    got, peak = measure(hand_scalar_loop, x0, n)
    rows.append(["hand-written (list of iterates)", f"{n:,} list items", f"{peak:,}",
                 f"{peak / n:.1f}", f"{peak / n:.1f}"])

    autograd = T.optional("autograd")
    if autograd is not None:
        import autograd.numpy as anp

        fa = types.FunctionType(W.scalar_loop.__code__, {**W.scalar_loop.__globals__,
                                                           "np": anp}, "scalar_loop")
        g_ag = autograd.grad(fa)
        g_ag(x0, 10)
        nodes = autograd_nodes(g_ag, x0, 1000) * (n // 1000)
        got, peak = measure(g_ag, x0, n)
        assert abs(got - ref) <= 1e-8 * (1 + abs(ref)), (got, ref)
        rows.append(["autograd", f"{nodes:,} graph nodes", f"{peak:,}", f"{peak / n:.1f}",
                     f"{peak / nodes:.1f}"])
    else:
        print("(autograd row skipped: pip install autograd, or pip install -e '.[bench]')")

    print(T.table(["gradient", "recorded", "peak bytes", "bytes/iter", "bytes/entry"], rows))
    print(f"\ns2sad's generated loop appends {per_iter} value(s) per iteration "
          f"({total_appends} .append( in the whole gradient):")
    print("\n".join("    " + line for line in source.splitlines()))
    item = np.sin(x0) * 0.9 + 0.1 * x0 * x0
    print(f"\none tape entry is a NumPy {type(item).__name__} scalar ({type(item).__basicsize__}"
          " bytes allocated; the first, the float argument itself, is shared) plus its 8-byte"
          " list slot.")
    arrays()


if __name__ == "__main__":
    main()
