"""The matrix products of the MNIST-sized MLP alone: NumPy's BLAS against JAX's jit.

    python benchmarks/bench_matmul.py

Both on one thread (as in bench_peers.py). The MLP's gradient is mostly these
products (forward X @ W1, backward X.T @ dH and the products with W2), so
where XLA's product is faster than NumPy's, no gradient built from NumPy's
products (hand-written, s2sad's NumPy or Numba backend) can match JAX's
jit(grad) on that workload. Needs JAX (`pip install jax`).
"""

from __future__ import annotations

import os

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1")

import _timing  # noqa: E402,F401  (pins BLAS to one thread before NumPy loads)
import numpy as np  # noqa: E402
from _timing import machine, rounds  # noqa: E402


def main() -> None:
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        raise SystemExit("bench_matmul needs JAX: pip install jax") from None
    jax.config.update("jax_enable_x64", True)
    rng = np.random.default_rng(0)
    n, d, h = 128, 784, 128
    X, W, G = rng.standard_normal((n, d)), rng.standard_normal((d, h)), rng.standard_normal((n, h))
    forward = jax.jit(lambda a, b: a @ b)
    backward = jax.jit(lambda a, b: a.T @ b)
    Xj, Wj, Gj = (jnp.asarray(a) for a in (X, W, G))
    for fn, args in ((forward, (Xj, Wj)), (backward, (Xj, Gj))):
        np.testing.assert_allclose(np.asarray(fn(*args)), np.asarray(args[0]) @ np.asarray(
            args[1]) if fn is forward else X.T @ G, rtol=1e-10)
    fns = [lambda: X @ W, lambda: forward(Xj, Wj).block_until_ready(),
           lambda: X.T @ G, lambda: backward(Xj, Gj).block_until_ready()]
    times = rounds(fns, repeat=9, min_seconds=0.1)
    print(machine())
    print(f"X ({n}x{d}), W ({d}x{h}), G ({n}x{h}); µs per product, best of 9 rounds (CPU time)")
    names = ["X @ W    NumPy", "X @ W    JAX jit", "X.T @ G  NumPy", "X.T @ G  JAX jit"]
    for name, column in zip(names, zip(*times)):
        print(f"  {name:18s} {min(column) * 1e6:9.1f}")


if __name__ == "__main__":
    main()
