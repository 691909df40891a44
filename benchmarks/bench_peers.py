"""s2sad's backends against JAX, PyTorch and autograd (issue 11's table).

    python benchmarks/bench_peers.py [--quick] [--no-first-calls] [--plot FILE.png]

For each workload this checks that every tool's value and gradient match a
hand-written NumPy gradient (to 1e-8), then times them side by side in one
process on one thread (BLAS, XLA and PyTorch pinned to one) in interleaved
rounds (see _timing.rounds), and prints a markdown table of ratios to the
hand-written gradient (lower is better): s2sad with the NumPy, Numba and
auto backends, JAX's `jit(value_and_grad)` where JAX can jit the function
and `value_and_grad` without jit where it cannot, PyTorch eager and autograd,
and, last, the function Numba compiled called directly (without the work
`value_and_grad` does per call: argument checks, the cache lookup, the
conversion of the results).
A missing tool's column is skipped. With --plot, a bar chart of the ratios
(log scale) is saved to FILE.png (docs/performance.png in the docs). Then,
unless --no-first-calls, the time of the first call of s2sad's gradient in a
new process: NumPy backend, Numba backend with an empty cache (cold) and with
Numba's cache from the run before.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1")

import functools  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import _timing as T  # noqa: E402  (pins BLAS to one thread before NumPy loads)
import bench_speed as B  # noqa: E402
import numpy as np  # noqa: E402
import torch_versions  # noqa: E402
import workloads as W  # noqa: E402

import s2sad  # noqa: E402
from s2sad import backends  # noqa: E402
from s2sad.api import compile_gradient  # noqa: E402
from s2sad.pipeline import argument_kinds  # noqa: E402

# ---------------------------------------------------------------- hand-written gradients
# (the others are bench_speed's)


def hand_mlp_small(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    r = h @ W2 + b2 - y
    out = np.mean(r * r)
    dr = 2.0 * r / r.size
    dh = (dr @ W2.T) * (1.0 - h * h)
    return out, (X.T @ dh, np.sum(dh, axis=0), h.T @ dr, np.sum(dr, axis=0))


def hand_logreg_len_max(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    n = len(y)
    nll = -np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)) / n
    ww = np.sum(w * w)
    dw = X.T @ ((p - y) / n)
    if ww > 1.0:
        dw = dw + 0.2 * w
    return nll + 0.1 * max(ww, 1.0), dw


def hand_two_line(x, y):
    s, c = np.sin(x), np.cos(x)
    a = s * y + x * x
    e = np.exp(-a)
    ga = y - e
    return e + a * y, (ga * (c * y + 2.0 * x), ga * s + a)


# ---------------------------------------------------------------- the workloads


def make_cases() -> list[tuple]:
    """(name, function, hand-written gradient, wrt, arguments)."""
    rng = np.random.default_rng(0)
    small = (0.3 * rng.standard_normal((16, 64)), np.zeros(64), 0.3 * rng.standard_normal((64, 1)),
             np.zeros(1), rng.standard_normal((32, 16)), rng.standard_normal((32, 1)))
    n, d, hdim, c = 128, 784, 128, 10
    mnist = (0.05 * rng.standard_normal((d, hdim)), np.zeros(hdim),
             0.1 * rng.standard_normal((hdim, c)), np.zeros(c), rng.standard_normal((n, d)),
             np.eye(c)[rng.integers(0, c, n)])
    rnn = (0.2 * rng.standard_normal((64, 64)), 0.3 * rng.standard_normal((64, 16)), np.zeros(64),
           rng.standard_normal((30, 16)))
    X = rng.standard_normal((64, 8))
    logreg = (0.5 * rng.standard_normal(8), X, (X[:, 0] > 0).astype(float))
    return [
        ("100-step scalar recurrence", W.scalar_loop, B.hand_scalar_loop, 0, (0.5, 100)),
        ("small MLP (32x16 -> 64 -> 1)", W.mlp_small, hand_mlp_small, (0, 1, 2, 3), small),
        ("MNIST-sized MLP (128x784 -> 128 -> 10)", W.mlp, B.hand_mlp, (0, 1, 2, 3), mnist),
        ("30-step RNN, 64 hidden", W.rnn, B.hand_rnn, (0, 1, 2), rnn),
        ("50-step loop with a data-dependent branch", W.while_branch, B.hand_while_branch,
         (0, 1), (-0.41, 3.0)),
        ("logistic regression using len and max (64x8)", W.logreg_len_max, hand_logreg_len_max,
         0, logreg),
        ("two-line scalar function", W.two_line, hand_two_line, (0, 1), (0.7, -0.3)),
    ]


# ---------------------------------------------------------------- the peers


def jax_gradient(jax, f, wrt, args):
    """(a call giving value and gradient, 'jit' or 'eager'): JAX's jit of
    value_and_grad if it can trace the function, else value_and_grad alone."""
    import jax.numpy as jnp

    vg = jax.value_and_grad(B.with_autograd_numpy(f, jnp), argnums=wrt)
    static = tuple(i for i, a in enumerate(args) if type(a) is int)
    jargs = tuple(a if type(a) in (int, float) else jnp.asarray(a) for a in args)
    jitted = jax.jit(vg, static_argnums=static)
    try:
        jax.block_until_ready(jitted(*jargs))
        chosen, kind = jitted, "jit"
    except jax.errors.JAXTypeError:
        chosen, kind = vg, "eager"
    return (lambda: jax.block_until_ready(chosen(*jargs))), kind


def torch_gradient(torch, f, wrt, args):
    """A call giving value and gradient with PyTorch eager, on the same data."""
    tfn = getattr(torch_versions, f.__name__)
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    targs = [torch.tensor(a, dtype=torch.float64, requires_grad=i in indices)
             if type(a) is not int else a for i, a in enumerate(args)]
    inputs = [targs[i] for i in indices]

    def call():
        out = tfn(torch, *targs)
        grads = torch.autograd.grad(out, inputs, allow_unused=True)
        return out, tuple(0.0 if g is None else g for g in grads)  # (an unused input's: zero)

    return call


def _as_numpy(g, wrt):
    g = g if isinstance(wrt, tuple) else (g,) if not isinstance(g, tuple) else g
    return tuple(np.asarray(x.detach().numpy() if hasattr(x, "detach") else x) for x in g)


# ---------------------------------------------------------------- timing


def measure(case, peers, repeat, min_seconds):
    """Ratios to hand-written per column (None where the tool is missing) and
    the hand-written time; each gradient checked first."""
    name, f, hand, wrt, args = case
    hvalue, hgrad = hand(*args)
    columns: dict[str, object] = {}
    for backend in ("numpy", "numba", "auto"):
        vg = s2sad.value_and_grad(f, wrt=wrt, backend=backend)
        try:
            value, g = vg(*args)
        except s2sad.S2sadError:  # numba refused: the auto column shows the fallback
            columns[f"s2sad {backend}"] = None
            continue
        B.check(f"{name} ({backend})", g, hgrad, wrt)
        assert abs(value - hvalue) <= 1e-8 * (1 + abs(hvalue)), name
        columns[f"s2sad {backend}"] = functools.partial(vg, *args)
        if backend == "numba":  # the compiled function alone, without grad's per-call work
            compiled = compile_gradient(f, wrt if isinstance(wrt, tuple) else (wrt,),
                                        *argument_kinds(f, args))
            columns["numba alone"] = functools.partial(backends.runner(compiled, "numba"),
                                                       *args)
    if peers.get("jax"):
        call, kind = jax_gradient(peers["jax"], f, wrt, args)
        value, g = call()
        B.check(f"{name} (JAX)", _as_numpy(g, wrt), _as_numpy(hgrad, wrt), wrt=(0,) * 9)
        columns[f"JAX ({kind})"] = call
    if peers.get("torch"):
        call = torch_gradient(peers["torch"], f, wrt, args)
        value, g = call()
        B.check(f"{name} (PyTorch)", _as_numpy(g, (0,)), _as_numpy(hgrad, wrt), wrt=(0,) * 9)
        columns["PyTorch eager"] = call
    if peers.get("autograd"):
        import autograd.numpy as anp

        ag = peers["autograd"].value_and_grad(B.with_autograd_numpy(f, anp), argnum=wrt)
        B.check(f"{name} (autograd)", ag(*args)[1], hgrad, wrt)
        columns["autograd"] = functools.partial(ag, *args)
    timed = {k: v for k, v in columns.items() if v is not None}
    times = T.rounds([functools.partial(hand, *args), *timed.values()], repeat, min_seconds)
    ratios = {k: T.ratio(t, times[0]) for k, t in zip(timed, times[1:])}
    auto = s2sad.show(f, wrt=wrt, backend="auto", args=args).split("\n")[0]
    return min(times[0]), {k: ratios.get(k) for k in columns}, auto.split(":")[1].strip()


def markdown(rows: list, headers: list[str]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def fmt(ratio) -> str:
    if ratio is None:
        return "-"
    return f"{ratio:,.2f}" if ratio < 10 else f"{ratio:,.0f}"


# ---------------------------------------------------------------- first calls


def first_call(index: int, backend: str) -> float:
    """(child process) seconds of the first call of workload `index`'s gradient."""
    _, f, _, wrt, args = make_cases()[index]
    start = time.perf_counter()
    s2sad.value_and_grad(f, wrt=wrt, backend=backend)(*args)
    return time.perf_counter() - start


def first_calls(cases: list) -> str:
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "S2SAD_CACHE_DIR": cache}
        for i, case in enumerate(cases):
            row = [case[0]]
            for backend in ("numpy", "numba", "numba"):  # the second numba: from the cache
                out = subprocess.run([sys.executable, __file__, "--first-call", str(i), backend],
                                     capture_output=True, text=True, env=env)
                row.append(f"{float(out.stdout.split()[-1]) * 1e3:,.0f}" if out.returncode == 0
                           else "refused")
            rows.append(row)
    return markdown(rows, ["workload", "NumPy backend ms", "Numba cold ms",
                           "Numba from its cache ms"])


def versions(peers: dict) -> str:
    from importlib.metadata import version

    names = ["numba"] + [name for name, module in peers.items() if module is not None]
    return ", ".join(f"{name} {version(name)}" for name in names)


def plot(results: list, path: str) -> None:
    """A bar chart of each tool's ratio to the hand-written gradient, per
    workload (log scale: 1 is the hand-written gradient's time)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tools = ["s2sad numpy", "s2sad numba", "JAX", "PyTorch eager", "autograd"]
    fig, ax = plt.subplots(figsize=(10, 4.8))
    width = 0.8 / len(tools)
    for k, tool in enumerate(tools):
        values = [next((v for key, v in ratios.items() if key.startswith(tool)), np.nan)
                  for _, ratios in results]
        ax.bar(np.arange(len(results)) + (k - (len(tools) - 1) / 2) * width, values, width,
               label=tool)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_ylabel("time / hand-written NumPy gradient")
    ax.set_xticks(np.arange(len(results)))
    ax.set_xticklabels([name for name, _ in results], rotation=20, ha="right", fontsize=8)
    ax.legend(fontsize=8, ncol=len(tools))
    ax.set_title("value and gradient per call (lower is better; JAX: jit where it can)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


def main() -> None:
    if sys.argv[1:2] == ["--first-call"]:
        print(first_call(int(sys.argv[2]), sys.argv[3]))
        return
    quick = "--quick" in sys.argv
    repeat, min_seconds = (3, 0.05) if quick else (11, 0.1)
    peers = {name: T.optional(name) for name in ("jax", "torch", "autograd")}
    if peers["jax"]:
        peers["jax"].config.update("jax_enable_x64", True)
    if peers["torch"]:
        peers["torch"].set_num_threads(1)
    print(f"bench_peers  {T.machine()}\n{versions(peers)}; numba backend available: "
          f"{backends.numba_available()}\n")
    print("value+gradient per call, ratio to the hand-written NumPy gradient (median over "
          f"{repeat} interleaved rounds, CPU time; lower is better)\n")
    cases = make_cases()
    headers = ["workload", "hand-written µs", "s2sad numpy", "s2sad numba", "s2sad auto",
               "auto runs", "JAX", "PyTorch eager", "autograd", "Numba's code alone"]
    rows: list = []
    plotted: list = []
    for case in cases:
        hand_time, ratios, auto = measure(case, peers, repeat, min_seconds)
        jax_key = next((k for k in ratios if k.startswith("JAX")), None)
        jax = f"{fmt(ratios[jax_key])} ({jax_key[5:-1]})" if jax_key else "-"
        plotted.append((case[0], ratios))
        rows.append([case[0], T.fmt_us(hand_time), fmt(ratios["s2sad numpy"]),
                     fmt(ratios["s2sad numba"]), fmt(ratios["s2sad auto"]), auto, jax,
                     fmt(ratios.get("PyTorch eager")), fmt(ratios.get("autograd")),
                     fmt(ratios.get("numba alone"))])
        print(rows[-1], flush=True)
    print()
    print(markdown(rows, headers))
    if "--plot" in sys.argv:
        plot(plotted, sys.argv[sys.argv.index("--plot") + 1])
    if "--no-first-calls" not in sys.argv:
        print("\nfirst call of value_and_grad in a new process (transform, plus Numba's compile)\n")
        print(first_calls(cases))


if __name__ == "__main__":
    main()
