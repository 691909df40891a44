"""Transform + compile time of a realistic function, cold and cached.

    python benchmarks/bench_compile.py [runs]

The function is workloads.mlp_loss (a residual MLP loss with a loop and three
branches) and the three helpers it calls (dense, log_softmax, mean_entropy).
Timings (CPU time of this process, see _timing.rounds), as medians over `runs`
(default 20):

* cold transform: s2sad.api.compile_gradient(mlp_loss, wrt) with s2sad's
  caches cleared: parse, lower, reverse, emit and compile mlp_loss itself;
* cold first call: s2sad.grad(mlp_loss)(...), a new gradient each time, with
  the caches cleared. The helpers are transformed lazily, when the gradient
  first calls them, so this adds their transforms and one evaluation;
* first call in a fresh interpreter (after `import s2sad`), which also pays
  for first-use imports and reading the source file;
* the cached call: what grad costs per call on top of the generated code.
"""

from __future__ import annotations

import cProfile
import inspect
import pstats
import statistics
import subprocess
import sys
import time

import _timing as T  # first: it pins BLAS to one thread before NumPy loads
import numpy as np
import workloads as W

import s2sad
import s2sad.api as api
from s2sad import pipeline

WRT = (0, 1, 2, 3, 4, 5)
FUNCS = (W.mlp_loss, W.dense, W.log_softmax, W.mean_entropy)


def make_args():
    rng = np.random.default_rng(0)
    d, hdim, c, n = 20, 32, 5, 64
    return (0.1 * rng.standard_normal((d, hdim)), np.zeros(hdim),
            0.1 * rng.standard_normal((hdim, hdim)), np.zeros(hdim),
            0.1 * rng.standard_normal((hdim, c)), np.zeros(c),
            rng.standard_normal((n, d)), np.eye(c)[rng.integers(0, c, n)],
            3, True, 0.1, 1e-3, 0.01)


def clear_caches():
    pipeline.forget()


def cold(fns, runs):
    """CPU seconds of each function, each run with s2sad's caches cleared first;
    the functions alternate so that both see the same machine load."""
    times = [[] for _ in fns]
    for _ in range(runs):
        for fn, ts in zip(fns, times):
            clear_caches()
            start = time.process_time()
            fn()
            ts.append(time.process_time() - start)
    return times


FRESH = """
import sys, time
sys.path.insert(0, {bench!r})
import numpy as np, s2sad, workloads as W, bench_compile as B
args = B.make_args()
start = time.process_time()
s2sad.grad(W.mlp_loss, wrt=B.WRT)(*args)
print(time.process_time() - start)
"""


def fresh_process(runs):
    import os

    bench = os.path.dirname(os.path.abspath(__file__))
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", FRESH.format(bench=bench)],
                             capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip()))
    return times


def phase_shares(args, runs):
    """Share of the cold first call's time in each compiler stage (from cProfile;
    profiling inflates absolute times, so only shares are reported)."""
    prof = cProfile.Profile()
    for _ in range(runs):
        clear_caches()
        prof.enable()
        s2sad.grad(W.mlp_loss, wrt=WRT)(*args)
        prof.disable()
    stats = pstats.Stats(prof).stats
    total = sum(tt for (_, _, _), (_, _, tt, _, _) in stats.items())
    stages = [("parse (source, gast)", "parsing.py", "parse_function"),
              ("lower to IR", "lowering.py", "lower"),
              ("reverse + simplify", "reverse.py", "run"),
              ("split into forward/backward (helpers)", "reverse.py", "split"),
              ("emit + compile (emit.build)", "emit.py", "build"),
              ("  Emitter.function (runs twice per build)", "emit.py", "function"),
              ("  _fill_locations", "emit.py", "_fill_locations"),
              ("  ast.unparse (source for show)", "ast.py", "unparse"),
              ("  builtin compile()", "~", "<built-in method builtins.compile>")]
    shares = {}
    for label, filename, func in stages:
        cum = sum(ct for (f, _, name), (_, _, _, ct, _) in stats.items()
                  if (f == filename if filename == "~" else
                      f.endswith(("s2sad/" if filename != "ast.py" else "/") + filename))
                  and name == func)
        if cum:
            shares[label] = cum / total
    return shares


def python_pace() -> float:
    """Milliseconds for a 10^6-iteration Python loop (best of 5): what a
    compiler written in Python runs at on this machine today."""
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        total = 0
        for i in range(1_000_000):
            total += i
        best = min(best, time.process_time() - start)
    return best * 1000


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    args = make_args()
    print(f"bench_compile  {T.machine()}")
    # (the machine's speed at Python, to compare first-call times across days)
    print(f"this machine's pace: a 10^6-iteration Python loop in {python_pace():.1f} ms "
          "(best of 5)\n")

    lines = {f.__name__: len(inspect.getsourcelines(f)[0]) for f in FUNCS}
    code = {f.__name__: sum(1 for ln in inspect.getsourcelines(f)[0]
                            if ln.strip() and not ln.strip().startswith("#")) for f in FUNCS}
    total = sum(lines.values())
    print(f"function: workloads.mlp_loss ({lines['mlp_loss']} lines) + helpers "
          + ", ".join(f"{n} ({k})" for n, k in lines.items() if n != "mlp_loss")
          + f" = {total} source lines ({sum(code.values())} non-blank), "
          f"gradient with respect to {len(WRT)} arrays")
    grad_fn = s2sad.grad(W.mlp_loss, wrt=WRT)
    ref = grad_fn(*args)
    s2sad.check_grad(W.mlp_loss, *args, wrt=WRT)
    generated = s2sad.show(W.mlp_loss, wrt=WRT)
    print(f"generated gradient: {len(generated.splitlines())} lines (mlp_loss), plus the "
          "helpers' forward/backward halves\n")

    t_transform, t_first = cold([lambda: api.compile_gradient(W.mlp_loss, WRT),
                                 lambda: s2sad.grad(W.mlp_loss, wrt=WRT)(*args)], runs)
    n_fresh = max(3, runs // 4)
    t_fresh = fresh_process(n_fresh)
    raw = api.compile_gradient(W.mlp_loss, WRT).func
    grad_fn(*args)  # warm every cache again
    r_warm, r_raw, r_lookup = T.rounds(
        [lambda: grad_fn(*args), lambda: raw(*args),
         lambda: api.compile_gradient(W.mlp_loss, WRT)], repeat=15, min_seconds=0.1)
    t_warm, t_raw, t_lookup = min(r_warm), min(r_raw), min(r_lookup)
    overhead = statistics.median(a - b for a, b in zip(r_warm, r_raw))
    for a, b in zip(grad_fn(*args), ref):
        assert np.allclose(a, b, rtol=1e-12, atol=0)

    def ms(ts):
        return [f"{statistics.median(ts) * 1e3:.2f}", f"{min(ts) * 1e3:.2f}",
                f"{max(ts) * 1e3:.2f}", str(len(ts))]

    rows = [["cold transform+compile (compile_gradient)", *ms(t_transform)],
            ["cold first grad call (+ helpers, 1 evaluation)", *ms(t_first)],
            ["first grad call in a fresh interpreter", *ms(t_fresh)]]
    print(T.table(["cold (s2sad caches cleared)", "median ms", "min ms", "max ms", "runs"], rows))

    print()
    rows = [["grad(mlp_loss)(...) per call, cached", f"{t_warm * 1e6:,.1f}"],
            ["the generated gradient function alone", f"{t_raw * 1e6:,.1f}"],
            ["cached-call overhead (median per-round difference)",
             f"{max(overhead, 0) * 1e6:,.1f}"],
            ["  of which compile_gradient cache lookup", f"{t_lookup * 1e6:,.2f}"]]
    print(T.table(["cached (best of 15 rounds, CPU time)", "µs"], rows))
    print(f"\ncold first call = {statistics.median(t_first) / t_raw:,.0f} evaluations of the "
          "generated gradient")

    print("\nwhere the cold first call's time goes (cProfile, share of total; indented rows"
          " are parts of emit.build and may overlap):")
    shares = phase_shares(args, max(3, runs // 4))
    print(T.table(["stage", "share"], [[k, f"{v:.0%}"] for k, v in shares.items()]))


if __name__ == "__main__":
    main()
