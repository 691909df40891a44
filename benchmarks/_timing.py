"""Shared helpers for the benchmark scripts: timing and table printing.

Import this module before NumPy: importing it pins BLAS to one thread unless
OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS are already set. On a
small shared machine a multi-threaded BLAS makes sub-millisecond matmuls
erratic, and both sides of every ratio use the same BLAS anyway. Run with
e.g. OPENBLAS_NUM_THREADS=2 to measure with more threads.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import timeit

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def _loops(timer: timeit.Timer, min_seconds: float) -> int:
    """timeit-style autorange: the loop count that makes one repeat take min_seconds."""
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= min_seconds:
            return number
        number = max(number * 2, int(number * min_seconds / max(elapsed, 1e-9) * 1.1))


def rounds(fns: list, repeat: int = 7, min_seconds: float = 0.2) -> list[list[float]]:
    """Per-call CPU seconds of each function in each of `repeat` rounds.

    Each round times every function once for at least `min_seconds` (timeit's
    autorange picks the loop count), one after the other, so the functions of a
    round see the same machine load. The clock is this process's CPU time
    (time.process_time), which leaves out time spent waiting for a core; BLAS
    runs on one thread (see above), so on an idle machine it is the elapsed time.
    On a busy (virtual) machine even CPU time stretches, by the same factor for
    all functions of a round: compare functions within rounds (`ratio`)."""
    timers = [timeit.Timer(fn, timer=time.process_time) for fn in fns]
    numbers = [_loops(t, min_seconds) for t in timers]
    out: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for times, t, n in zip(out, timers, numbers):
            times.append(t.timeit(n) / n)
    return out


def best_times(fns: list, repeat: int = 7, min_seconds: float = 0.2) -> list[float]:
    """Best per-call time of each function over `repeat` interleaved rounds."""
    return [min(times) for times in rounds(fns, repeat, min_seconds)]


def best_time(fn, repeat: int = 7, min_seconds: float = 0.2) -> float:
    return best_times([fn], repeat, min_seconds)[0]


def ratio(a: list[float], b: list[float]) -> float:
    """Median over rounds of a/b: robust to the machine's load changing between rounds."""
    import statistics

    return statistics.median(x / y for x, y in zip(a, b))


def fmt_us(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e6:,.1f}"


def fmt_ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}x"


def table(headers: list[str], rows: list[list[str]], align: str | None = None) -> str:
    """A plain-text table; `align` has one 'l' or 'r' per column."""
    align = align or "l" + "r" * (len(headers) - 1)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c.ljust(w) if a == "l" else c.rjust(w)
                         for c, w, a in zip(cells, widths, align)).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out)


def machine() -> str:
    import datetime

    import numpy as np

    blas = ""
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {}).get("name", "")
    except Exception:  # older NumPy: show_config has no mode=
        pass
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    return (f"{datetime.date.today()}  Python {platform.python_version()}  NumPy {np.__version__}"
            f"{' (' + blas + ')' if blas else ''}, BLAS threads: {threads}\n"
            f"{platform.machine()}, {os.cpu_count()} cores, {sys.platform}; s2sad at {_git()}")


def _git() -> str:
    """The commit s2sad was measured at, and whether its sources had local edits."""
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "s2sad"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return head + (" + uncommitted changes in s2sad/" if dirty else "")


def optional(name: str):
    """Import an optional package, or None if it is not installed."""
    try:
        return __import__(name)
    except ImportError:
        return None
