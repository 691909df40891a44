"""Acceptance corpus checker for s2sad: gradients of prog_*.py against finite differences.

    PYTHONPATH=. python tests/corpus/check.py             # check this checkout's s2sad
    PYTHONPATH=. python tests/corpus/check.py rnn gp      # only matching programs
    python tests/corpus/check.py --validate               # check the programs themselves

Each program module defines `cases()`: a list of dicts
`dict(fn=<callable>, args=(...), wrt=<int | name | tuple>, name="...")`.
For each case, `s2sad.grad(fn, wrt=wrt)(*args)` is compared with central finite
differences (eps=1e-6, float64) taken over every float entry of each
differentiated argument: arrays, floats and containers of them (dicts, lists,
tuples, namedtuples, dataclasses, plain objects). The gradient must have the
argument's structure (same container types, keys, fields and leaf shapes).

One line per case: PASS, WRONG (max error), UNSUPPORTED (an s2sad.S2sadError:
its first line) or CRASH (any other exception: type and message); then a
summary with counts per feature tag (from each module's `Features:` line).

`--validate` does not use s2sad: it checks the programs themselves (the
function runs and returns a finite scalar, is deterministic, leaves its
arguments unchanged, finite differences with eps=1e-4 and 1e-5 agree with 1e-6) and,
where the program also runs under HIPS autograd (the module re-imported with
`import autograd.numpy as np`), compares autograd's gradient too.
"""

from __future__ import annotations

import argparse
import collections
import copy
import dataclasses
import functools
import glob
import importlib.util
import inspect
import os
import signal
import sys
import types
from typing import Any

import numpy as np

EPS = 1e-6
RTOL = 1e-4
ATOL = 1e-6
TIMEOUT = 120  # seconds per case

HERE = os.path.dirname(os.path.abspath(__file__))

KNOWN_TAGS = {
    "func-arg", "func-default", "func-list", "method-value", "returned-func", "map", "partial",
    "reduce", "sorted-key", "minmax-key", "varargs", "kwargs", "kwonly", "posonly", "star-call",
    "bound-method-api", "staticmethod", "classmethod", "partial-api", "callable-object",
    "ufunc-api", "namedtuple", "dataclass", "plain-object", "object-inside", "generator-func",
    "genexpr-consumer", "module-value", "closure", "dict-params", "loop", "inplace", "lambda",
}


# --------------------------------------------------------------------------- programs

def program_paths(filters: list[str]) -> list[str]:
    paths = sorted(glob.glob(os.path.join(HERE, "prog_*.py")))
    if filters:
        paths = [p for p in paths if any(f in os.path.basename(p) for f in filters)]
    return paths


def load_module(path: str, name: str | None = None, source: str | None = None) -> types.ModuleType:
    name = name or os.path.splitext(os.path.basename(path))[0]
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    if source is None:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses and pickling look the module up
        spec.loader.exec_module(module)
        return module
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(compile(source, path, "exec"), module.__dict__)
    return module


def features(module: types.ModuleType) -> list[str]:
    for line in (module.__doc__ or "").splitlines():
        if line.strip().startswith("Features:"):
            text = line.split(":", 1)[1]
            return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]
    return []


# --------------------------------------------------------------------------- structures

def is_float_leaf(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    if isinstance(x, (float, np.floating)):
        return True
    return isinstance(x, np.ndarray) and x.dtype.kind == "f"


def is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_object(x: Any) -> bool:
    """A dataclass instance or a plain object of a user class holding fields."""
    if isinstance(x, (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                      types.ModuleType, functools.partial, np.ufunc, np.ndarray, np.generic)):
        return False
    if dataclasses.is_dataclass(x):
        return True
    return hasattr(x, "__dict__") and type(x).__module__ not in ("builtins", "numpy")


def fields_of(x: Any) -> list[str]:
    if dataclasses.is_dataclass(x):
        return [f.name for f in dataclasses.fields(x)]
    return list(vars(x))


def leaves(x: Any, path: str = "") -> list[tuple[str, Any]]:
    """The float leaves of `x`, with their paths, in a fixed order."""
    if is_float_leaf(x):
        return [(path, x)]
    if isinstance(x, dict):
        return [leaf for k, v in x.items() for leaf in leaves(v, f"{path}[{k!r}]")]
    if is_namedtuple(x):
        return [leaf for k, v in zip(x._fields, x) for leaf in leaves(v, f"{path}.{k}")]
    if isinstance(x, (list, tuple)):
        return [leaf for i, v in enumerate(x) for leaf in leaves(v, f"{path}[{i}]")]
    if is_object(x):
        return [leaf for k in fields_of(x) for leaf in leaves(getattr(x, k), f"{path}.{k}")]
    return []


def rebuild(x: Any, new: Any, raw: bool = False) -> Any:
    """A copy of `x` whose float leaves are taken, in order, from the iterator `new`
    (converted to the leaf's type, or as they are with `raw`)."""
    if is_float_leaf(x):
        value = next(new)
        if raw:
            return value
        if isinstance(x, np.ndarray):
            return np.array(value, dtype=x.dtype).reshape(x.shape)
        if isinstance(x, np.floating):
            return type(x)(value)
        return float(value)
    if isinstance(x, dict):
        return type(x)((k, rebuild(v, new, raw)) for k, v in x.items())
    if is_namedtuple(x):
        return type(x)(*[rebuild(v, new, raw) for v in x])
    if isinstance(x, (list, tuple)):
        return type(x)(rebuild(v, new, raw) for v in x)
    if is_object(x):
        out = copy.copy(x)
        for k in fields_of(x):
            object.__setattr__(out, k, rebuild(getattr(x, k), new, raw))
        return out
    return x


def structure_error(g: Any, like: Any, path: str = "grad") -> str | None:
    """Why `g` is not a gradient with `like`'s structure (None if it is)."""
    if is_float_leaf(like):
        if isinstance(g, (dict, list, tuple)) or is_object(g) or g is None:
            return f"{path}: expected an array of shape {np.shape(like)}, got {type(g).__name__}"
        try:
            shape = np.shape(g)
        except Exception:  # noqa: BLE001
            return f"{path}: expected an array, got {type(g).__name__}"
        if shape != np.shape(like):
            return f"{path}: shape {shape} != {np.shape(like)}"
        return None
    if isinstance(like, dict):
        if not isinstance(g, dict):
            return f"{path}: expected a dict, got {type(g).__name__}"
        missing = [k for k in like if leaves(like[k]) and k not in g]
        extra = [k for k in g if k not in like]
        if missing or extra:
            return f"{path}: keys {list(g)} != {list(like)}"
        for k, v in like.items():
            if not leaves(v):
                continue  # an entry without floats: any gradient (or none) will do
            err = structure_error(g[k], v, f"{path}[{k!r}]")
            if err:
                return err
        return None
    if isinstance(like, (list, tuple)):
        if type(g) is not type(like):
            return f"{path}: expected a {type(like).__name__}, got {type(g).__name__}"
        if len(g) != len(like):
            return f"{path}: length {len(g)} != {len(like)}"
        for i, (gi, li) in enumerate(zip(g, like)):
            err = structure_error(gi, li, f"{path}[{i}]")
            if err:
                return err
        return None
    if is_object(like):
        if type(g) is not type(like):
            return f"{path}: expected a {type(like).__name__}, got {type(g).__name__}"
        for k in fields_of(like):
            if not leaves(getattr(like, k)):
                continue  # a field without floats (config, a function): any gradient will do
            if not hasattr(g, k):
                return f"{path}.{k}: missing"
            err = structure_error(getattr(g, k), getattr(like, k), f"{path}.{k}")
            if err:
                return err
        return None
    return None  # not differentiable: anything goes


def grad_leaves(g: Any, like: Any) -> list[np.ndarray]:
    """The entries of gradient `g` matching `leaves(like)` (after structure_error passed)."""
    if is_float_leaf(like):
        return [np.asarray(g, dtype=float)]
    if isinstance(like, dict):
        return [leaf for k, v in like.items() if leaves(v) for leaf in grad_leaves(g[k], v)]
    if isinstance(like, (list, tuple)):
        return [leaf for gi, li in zip(g, like) for leaf in grad_leaves(gi, li)]
    if is_object(like):
        return [leaf for k in fields_of(like) if leaves(getattr(like, k))
                for leaf in grad_leaves(getattr(g, k), getattr(like, k))]
    return []


# --------------------------------------------------------------------------- finite differences

def to_scalar(value: Any) -> float:
    arr = np.asarray(value)
    if arr.shape != ():
        raise ValueError(f"the function returned shape {arr.shape}, not a scalar")
    return float(arr)


def wrt_positions(fn: Any, args: tuple, wrt: Any) -> list[int]:
    items = wrt if isinstance(wrt, (tuple, list)) else (wrt,)
    out = []
    for item in items:
        if isinstance(item, str):
            params = inspect.signature(fn).parameters.values()
            names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                         p.POSITIONAL_OR_KEYWORD)]
            out.append(names.index(item))
        else:
            out.append(item % len(args))
    return out


def numeric_gradient(fn: Any, args: tuple, pos: int, eps: float = EPS) -> list[np.ndarray]:
    """Central differences of fn with respect to every float entry of args[pos]."""
    x = args[pos]
    base = [np.array(v, dtype=float) for _, v in leaves(x)]
    out = []
    for li, leaf in enumerate(base):
        grad = np.zeros_like(leaf)
        for idx in np.ndindex(leaf.shape):
            vals = []
            for sign in (1.0, -1.0):
                probe = [b.copy() for b in base]
                probe[li][idx] += sign * eps
                new_args = list(args)
                new_args[pos] = rebuild(x, iter(probe))
                vals.append(to_scalar(fn(*new_args)))
            grad[idx] = (vals[0] - vals[1]) / (2 * eps)
        out.append(grad)
    return out


def compare(ours: list[np.ndarray], numeric: list[np.ndarray], paths: list[str]
            ) -> tuple[bool, str]:
    scale = max([1.0] + [float(np.max(np.abs(n))) for n in numeric if n.size])
    worst, where = -np.inf, ""
    max_err = 0.0
    ok = True
    for o, n, p in zip(ours, numeric, paths):
        if o.size == 0:
            continue
        err = np.abs(o - n)
        bound = ATOL * scale + RTOL * np.abs(n)
        excess = np.where(np.isfinite(err), err - bound, np.inf)
        if np.any(excess > 0):
            ok = False
        i = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.ndim else ()
        max_err = max(max_err, float(np.max(np.where(np.isfinite(err), err, np.inf))))
        if excess[i] > worst:
            worst = float(excess[i])
            index = [int(k) for k in i]
            where = (f"{p}{index if index else ''}: got {float(o[i]):.6g}, "
                     f"expected {float(n[i]):.6g}")
    return ok, f"max error {max_err:.3g} (scale {scale:.3g}); worst at {where}"


class Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Timeout(f"no result within {TIMEOUT} s")


# --------------------------------------------------------------------------- s2sad check

def check_case(case: dict) -> tuple[str, str]:
    import s2sad

    fn, args, wrt = case["fn"], tuple(case["args"]), case.get("wrt", 0)
    positions = wrt_positions(fn, args, wrt)
    before = [(p, np.array(v, copy=True)) for p, v in leaves(args)]
    try:
        signal.alarm(TIMEOUT)
        try:
            result = s2sad.grad(fn, wrt=wrt)(*args)
        finally:
            signal.alarm(0)
    except s2sad.S2sadError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return "UNSUPPORTED", f"{type(exc).__name__}: {first}"
    except Exception as exc:  # noqa: BLE001
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return "CRASH", f"{type(exc).__name__}: {msg}"[:300]
    after = leaves(args)
    if len(after) != len(before) or not all(
            p == q and np.shape(v) == np.shape(w) and np.array_equal(v, w)
            for (p, v), (q, w) in zip(before, after)):
        return "WRONG", "the gradient function changed its arguments"
    grads = result if isinstance(wrt, (tuple, list)) else (result,)
    if not isinstance(grads, tuple) or len(grads) != len(positions):
        return "WRONG", (f"expected a tuple of {len(positions)} gradients, "
                         f"got {type(result).__name__}")
    ours, numeric, paths = [], [], []
    for g, pos in zip(grads, positions):
        like = args[pos]
        err = structure_error(g, like, f"grad[{pos}]")
        if err:
            return "WRONG", f"structure: {err}"
        try:
            ours += grad_leaves(g, like)
        except Exception as exc:  # noqa: BLE001
            return "WRONG", f"gradient not numeric: {type(exc).__name__}: {exc}"[:300]
        numeric += numeric_gradient(fn, args, pos)
        paths += [f"arg{pos}{p}" for p, _ in leaves(like)]
    ok, msg = compare(ours, numeric, paths)
    return ("PASS", "") if ok else ("WRONG", msg)


def run_checks(paths: list[str]) -> int:
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    totals: collections.Counter = collections.Counter()
    problems: list[str] = []
    signal.signal(signal.SIGALRM, _alarm)
    for path in paths:
        base = os.path.basename(path)[:-3]
        try:
            module = load_module(path)
            tags = features(module)
            cases = module.cases()
        except Exception as exc:  # noqa: BLE001
            line = f"{base}: CRASH loading the program: {type(exc).__name__}: {exc}"
            print(line, flush=True)
            problems.append(line)
            totals["CRASH"] += 1
            continue
        for case in cases:
            status, msg = check_case(case)
            line = f"{base}::{case['name']}: {status}" + (f"  {msg}" if msg else "")
            print(line, flush=True)
            totals[status] += 1
            for tag in tags:
                counts[tag][status] += 1
            if status in ("WRONG", "CRASH"):
                problems.append(line)
    statuses = ["PASS", "WRONG", "UNSUPPORTED", "CRASH"]
    print()
    print(f"{'feature':20s}" + "".join(f"{s:>13s}" for s in statuses))
    for tag in sorted(counts):
        print(f"{tag:20s}" + "".join(f"{counts[tag][s]:13d}" for s in statuses))
    print(f"{'TOTAL (cases)':20s}" + "".join(f"{totals[s]:13d}" for s in statuses))
    if problems:
        print("\nWRONG and CRASH:")
        for line in problems:
            print("  " + line)
    return 0


# --------------------------------------------------------------------------- program validation

def autograd_oracle(path: str, index: int) -> tuple[str, str]:
    """Re-import the program with autograd.numpy as np and compare its gradient with
    finite differences. Returns (status, message): 'agree', 'DISAGREE' or 'n/a'."""
    import autograd

    with open(path) as fh:
        source = fh.read()
    if "import numpy as np" not in source:
        return "n/a", "no `import numpy as np`"
    source = source.replace("import numpy as np", "import autograd.numpy as np", 1)
    name = "_autograd_" + os.path.basename(path)[:-3]
    try:
        module = load_module(path, name, source)
        case = module.cases()[index]
        fn, args, wrt = case["fn"], tuple(case["args"]), case.get("wrt", 0)
        positions = wrt_positions(fn, args, wrt)
        ours, numeric, paths = [], [], []
        for pos in positions:
            like = args[pos]
            found = [v for _, v in leaves(like)]

            def on_leaves(flat, pos=pos, like=like):  # autograd differentiates a list of leaves
                new_args = list(args)
                new_args[pos] = rebuild(like, iter(flat), raw=True)
                return fn(*new_args)

            g = autograd.grad(on_leaves)(found)
            ours += [np.asarray(gi, dtype=float) for gi in g]
            numeric += numeric_gradient(fn, args, pos)
            paths += [f"arg{pos}{p}" for p, _ in leaves(like)]
    except Exception as exc:  # noqa: BLE001
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return "n/a", f"{type(exc).__name__}: {msg}"[:160]
    finally:
        sys.modules.pop(name, None)
    ok, msg = compare(ours, numeric, paths)
    return ("agree", "") if ok else ("DISAGREE", msg)


def validate_case(case: dict) -> list[str]:
    problems = []
    fn, args, wrt = case["fn"], tuple(case["args"]), case.get("wrt", 0)
    saved = [(p, np.array(v, copy=True)) for p, v in leaves(args)]
    value = to_scalar(fn(*args))
    if not np.isfinite(value):
        problems.append(f"value {value} is not finite")
    now = leaves(args)
    if len(now) != len(saved) or not all(
            p == q and np.shape(v) == np.shape(w) and np.array_equal(v, w)
            for (p, v), (q, w) in zip(saved, now)):
        problems.append("the function changed its arguments")
    if to_scalar(fn(*args)) != value:
        problems.append("not deterministic")
    positions = wrt_positions(fn, args, wrt)
    n_params = 0
    for pos in positions:
        like = args[pos]
        found = leaves(like)
        n_params += sum(np.size(v) for _, v in found)
        if not found:
            problems.append(f"argument {pos} has no float entries")
            continue
        fine = numeric_gradient(fn, args, pos, 1e-6)
        for eps in (1e-5, 1e-4):  # a kink within eps of the point shows up as a mismatch
            coarse = numeric_gradient(fn, args, pos, eps)
            ok, msg = compare(coarse, fine, [p for p, _ in found])
            if not ok:
                problems.append(f"finite differences with eps={eps:g} and 1e-6 disagree for "
                                f"argument {pos}: {msg}")
        if all(np.all(f == 0) for f in fine):
            problems.append(f"gradient for argument {pos} is identically zero")
    if n_params > 80:
        problems.append(f"{n_params} parameters (keep it to a few dozen)")
    return problems


def run_validation(paths: list[str], use_autograd: bool) -> int:
    bad = 0
    oracle: collections.Counter = collections.Counter()
    tag_counts: collections.Counter = collections.Counter()
    n_cases = 0
    for path in paths:
        base = os.path.basename(path)[:-3]
        with open(path) as fh:
            n_lines = len(fh.read().splitlines())
        module = load_module(path)
        tags = features(module)
        issues = []
        if not 20 <= n_lines <= 150:
            issues.append(f"{n_lines} lines")
        if not (module.__doc__ or "").strip():
            issues.append("no docstring")
        unknown = [t for t in tags if t not in KNOWN_TAGS]
        if not tags or unknown:
            issues.append(f"bad Features line: unknown {unknown}" if unknown else "no Features")
        tag_counts.update(tags)
        for i, case in enumerate(module.cases()):
            n_cases += 1
            try:
                problems = validate_case(case)
            except Exception as exc:  # noqa: BLE001
                problems = [f"{type(exc).__name__}: {exc}"]
            extra = ""
            if use_autograd:
                status, msg = autograd_oracle(path, i)
                oracle[status] += 1
                extra = f"  [autograd: {status}{' ' + msg if msg else ''}]"
                if status == "DISAGREE":
                    problems.append("autograd disagrees with finite differences")
            line = f"{base}::{case['name']}: {'ok' if not problems else 'PROBLEM'}"
            print(line + ("  " + "; ".join(problems) if problems else "") + extra, flush=True)
            bad += bool(problems)
        if issues:
            print(f"{base}: PROBLEM {'; '.join(issues)}")
            bad += 1
    print(f"\n{len(paths)} programs, {n_cases} cases, {bad} problems")
    if use_autograd:
        print("autograd oracle: " + ", ".join(f"{k} {v}" for k, v in sorted(oracle.items())))
    print("tags (programs): " + ", ".join(f"{t} {tag_counts[t]}" for t in sorted(KNOWN_TAGS)))
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("filters", nargs="*", help="substrings of program file names")
    parser.add_argument("--validate", action="store_true",
                        help="check the programs themselves (no s2sad)")
    parser.add_argument("--no-autograd", action="store_true",
                        help="with --validate: skip the autograd oracle")
    opts = parser.parse_args()
    paths = program_paths(opts.filters)
    if opts.validate:
        return run_validation(paths, not opts.no_autograd)
    return run_checks(paths)


if __name__ == "__main__":
    sys.exit(main())
