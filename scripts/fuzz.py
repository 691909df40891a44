"""Fuzz s2sad with random programs checked against finite differences.

    python scripts/fuzz.py --count 10000 --seed 0

runs the programs of seeds SEED .. SEED+COUNT-1 (see tests/fuzzgen.py),
prints a summary (programs run, discarded, unsupported, failures) and writes
each failing program, minimized, to --out (default /tmp/s2sad-fuzz-failures)
as a runnable .py file. Failures are grouped by kind; only the first few of
each kind are minimized (--minimize-per-kind).
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

# the checkout's s2sad (not an installed one) and its tests' generator
sys.path[:0] = [str(Path(__file__).resolve().parent.parent),
                str(Path(__file__).resolve().parent.parent / "tests")]

import fuzzgen  # noqa: E402

_WORKDIR = ""


def _init_worker() -> None:
    global _WORKDIR
    _WORKDIR = tempfile.mkdtemp(prefix="s2sad-fuzz-")


def _run(job: tuple[int, str]) -> tuple[int, str, fuzzgen.Outcome]:
    seed, size = job
    program, outcome = fuzzgen.run_seed(seed, _WORKDIR, size)
    return seed, program.source, outcome


def _repro(source: str, outcome: fuzzgen.Outcome, seed: int, nargs: int, original: str) -> str:
    wrt = tuple(range(nargs))
    detail = "\n".join("# " + line for line in outcome.detail.strip().splitlines()[-12:])
    return (
        f"# s2sad fuzz failure: {outcome.kind}\n# seed {seed}; run this file to reproduce.\n"
        f"{detail}\n{source}\n\n"
        f"if __name__ == '__main__':\n"
        f"    import s2sad\n\n"
        f"    args = [{fuzzgen.args_literal(outcome.args or [])}]\n"
        f"    s2sad.check_grad(f, *args, wrt={wrt!r})\n\n\n"
        f"# the program as generated:\n" + "\n".join("# " + ln for ln in original.splitlines())
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="programs to run")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--out", default="/tmp/s2sad-fuzz-failures",
                        help="folder for failing programs")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes")
    parser.add_argument("--size", choices=["small", "normal"], default="normal")
    parser.add_argument("--no-minimize", action="store_true", help="write programs as generated")
    parser.add_argument("--minimize-per-kind", type=int, default=3,
                        help="minimize at most this many failures of each kind")
    parser.add_argument("--minimize-seconds", type=float, default=60.0)
    parser.add_argument("--quiet", action="store_true", help="no per-failure lines")
    args = parser.parse_args(argv)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(seed, args.size) for seed in range(args.seed, args.seed + args.count)]
    counts: collections.Counter = collections.Counter()
    failures: dict[str, list[tuple[int, str, fuzzgen.Outcome]]] = collections.defaultdict(list)
    unsupported: dict[str, list[int]] = collections.defaultdict(list)
    discards: collections.Counter = collections.Counter()
    checked: collections.Counter = collections.Counter()  # ok outcomes of a special kind
    start = time.perf_counter()
    busy = 0.0
    if args.jobs > 1:
        pool = multiprocessing.Pool(args.jobs, initializer=_init_worker)
        results = pool.imap_unordered(_run, jobs, chunksize=4)
    else:
        _init_worker()
        pool = None
        results = map(_run, jobs)
    for n, (seed, source, outcome) in enumerate(results, 1):
        counts[outcome.status] += 1
        busy += outcome.seconds
        if outcome.status == "ok" and outcome.kind:
            checked[outcome.kind] += 1
        if outcome.status == "discard":
            discards[outcome.kind] += 1
        elif outcome.status == "unsupported":
            first = outcome.detail.splitlines()[0] if outcome.detail else ""
            message = first.split(": ", 1)[-1] if ": " in first else first
            unsupported[message].append(seed)
        elif outcome.status == "failure":
            failures[outcome.kind].append((seed, source, outcome))
            if not args.quiet:
                print(f"seed {seed}: FAILURE {outcome.kind}", flush=True)
        if n % 500 == 0:
            print(f"... {n} programs, {counts['failure']} failures", flush=True)
    if pool is not None:
        pool.close()
        pool.join()
    elapsed = time.perf_counter() - start

    total = sum(counts.values())
    print()
    print(f"programs run: {total} in {elapsed:.1f} s "
          f"({1000 * busy / max(total, 1):.0f} ms per program, {args.jobs} jobs)")
    print(f"  ok:          {counts['ok']}"
          + "".join(f"\n    {k}: {v}" for k, v in checked.most_common()))
    print(f"  discarded:   {counts['discard']}"
          + "".join(f"\n    {k}: {v}" for k, v in discards.most_common()))
    print(f"  unsupported: {counts['unsupported']}")
    for message, seeds in sorted(unsupported.items(), key=lambda kv: -len(kv[1])):
        print(f"    {len(seeds)} x {message} (seeds {', '.join(map(str, seeds[:5]))})")
    print(f"  failures:    {counts['failure']}")
    for kind, items in sorted(failures.items(), key=lambda kv: -len(kv[1])):
        seeds = ", ".join(str(s) for s, _, _ in items[:10])
        print(f"    {len(items)} x {kind} (seeds {seeds}{', ...' if len(items) > 10 else ''})")

    if failures:
        workdir = tempfile.mkdtemp(prefix="s2sad-fuzz-min-")
        print(f"\nwriting failing programs to {out}")
        for kind, items in failures.items():
            for i, (seed, source, outcome) in enumerate(items):
                reduced = source
                if not args.no_minimize and i < args.minimize_per_kind:
                    reduced = fuzzgen.minimize(source, outcome.args or [], kind, workdir,
                                               seconds=args.minimize_seconds)
                nargs = len(outcome.args or [])
                path = out / f"seed_{seed}.py"
                path.write_text(_repro(reduced, outcome, seed, nargs, source))
                lines = len(reduced.splitlines())
                note = " minimized" if reduced != source else ""
                print(f"  {path} ({kind}; {lines} lines{note})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
