"""How transform time grows with function length.

    python benchmarks/bench_compile_scaling.py

Differentiates generated straight-line functions of N statements
(`a = np.sin(a) * 0.5 + a * c`) and a loop holding them, and prints the cold
transform time (parse, lower, reverse, emit, compile) for each N. Linear
growth means the time per statement stays flat.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

from s2sad import pipeline


def _module(source: str, name: str, folder: Path):
    path = folder / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _source(n: int, loop: bool) -> str:
    pad = "        " if loop else "    "
    lines = ["import numpy as np", "", "", "def f(x):", "    a = x"]
    if loop:
        lines.append("    for i in range(3):")
    lines += [f"{pad}a = np.sin(a) * 0.5 + a * {k % 3 + 1}.0" for k in range(n)]
    lines.append("    return np.sum(a)")
    return "\n".join(lines) + "\n"


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [25, 50, 100, 200, 400]
    print(f"{'statements':>10}  {'straight ms':>11}  {'per stmt':>8}  {'in a loop ms':>12}  "
          f"{'per stmt':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            row = [f"{n:>10}"]
            for loop in (False, True):
                times = []
                for k in range(3):
                    module = _module(_source(n, loop), f"scaling_{n}_{loop}_{k}", Path(folder))
                    start = time.perf_counter()
                    pipeline.transform(module.f, pipeline.Spec("grad", (0,)))
                    times.append(time.perf_counter() - start)
                ms = statistics.median(times) * 1000
                row += [f"{ms:>11.0f}" if not loop else f"{ms:>12.0f}", f"{ms / n:>8.2f}"]
            print("  ".join(row))


if __name__ == "__main__":
    main()
