"""Every parameter of every NumPy entry, given non-default values.

For each differentiable entry of the table and each of its parameters that
is not a differentiated input, the sweep calls the entry with non-default
values of that parameter (orders, integer and float32 dtypes, negative and
tuple axes, keepdims, where=, modes, ...), in a function written to a module
file (s2sad reads source), and checks:

* a parameter the entry honours: s2sad's gradient equals central finite
  differences (cases NumPy itself rejects are skipped);
* a parameter it does not honour: s2sad refuses the call at its line.

Nothing in between: a parameter is never silently ignored.
"""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import numpy as np
import pytest
from test_primitives import SAMPLES, call_sample

import s2sad
from s2sad.primitives import TABLE

# Non-default values to try, by parameter name (Python source, evaluated in
# the generated function, where `a` is a 3x4 array).
VALUES = {
    "axis": ["-1", "0", "(0, -1)", "1"], "keepdims": ["True"],
    "dtype": ["np.float32", "np.int64"], "order": ["'F'", "'A'", "'K'"],
    "where": ["a > 0.4"], "ddof": ["1"], "correction": ["1"], "initial": ["0.5"],
    "casting": ["'unsafe'"], "subok": ["True", "False"], "signature": ["'dd->d'"],
    "decimals": ["1"], "k": ["1", "-1"], "offset": ["1", "-1"], "n": ["2"],
    "mode": ["'clip'", "'wrap'"], "kind": ["'stable'"], "stable": ["True"],
    "ord": ["1", "2", "np.inf", "-np.inf", "'fro'", "'nuc'"], "num": ["7"],
    "endpoint": ["False"], "retstep": ["True"], "copy": ["True", "False"],
    "optimize": ["True"], "axis1": ["1"], "axis2": ["0"], "shift": ["2", "-1"],
    "reps": ["(2, 1)"], "repeats": ["2"], "prepend": ["0.5"], "append": ["0.5"],
    "axes": ["(1, 0)", "1"], "min": ["0.3"], "max": ["0.7"], "a_min": ["0.3"],
    "a_max": ["0.7"], "mean": ["0.5"], "ndmin": ["3"], "axisa": ["0"],
    "axisb": ["0"], "axisc": ["0"], "base": ["2.0"], "device": ["'cpu'"],
    "shape": ["(4, 3)"], "source": ["1"], "destination": ["0"], "rtol": ["1e-3"],
}
# Parameters swept elsewhere or never given non-default values here.
SKIP = {"out", "like", "ndmax", "key", "default"}
INPUTS = ("a", "m", "v", "w")  # the sample arrays, all differentiated


def _entries() -> list[str]:
    out = []
    for name, prim in TABLE.items():
        if not (name.startswith("np.") or name.startswith(".")) or not prim.differentiable \
                or prim.mutates or not (prim.vjp or prim.zero) or prim.returns != "array":
            continue
        try:
            call_sample(name)
        except Exception:
            continue  # (no sample that NumPy runs: covered by tests/test_rules.py)
        out.append(name)
    return sorted(out)


def _call_source(name: str, extra: str) -> str:
    args = SAMPLES.get(name, "a")
    if name.startswith("."):
        receiver, _, rest = args.partition(",")
        inner = ", ".join(x for x in (rest.strip(), extra) if x)
        return f"({receiver}){name}({inner})"
    return f"{name}({', '.join(x for x in (args, extra) if x)})"


def _cases() -> list[tuple]:
    cases = []
    for name in _entries():
        prim = TABLE[name]
        given = set(SAMPLES.get(name, "a").replace(" ", "").split(","))
        for param in prim.params:
            kind = prim.kinds[param]
            if param in SKIP or param in INPUTS or kind in ("posonly", "varargs", "varkw") \
                    or param in prim.vjp or param in given:
                continue
            for value in VALUES.get(param, []):
                if value == repr(prim.defaults.get(param, object())):
                    continue  # (its default: nothing to honour or refuse)
                cases.append((name, param, value))
    return cases


CASES = _cases()


def _weights(shape: tuple) -> np.ndarray:
    size = int(np.prod(shape))
    return (np.cos(np.arange(size) * 1.3 + 0.4) + 1.5).reshape(shape)


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    """One module holding a function per case (s2sad reads their source)."""
    lines = ["import numpy as np", ""]
    for k, (name, param, value) in enumerate(CASES):
        call = _call_source(name, f"{param}={value}")
        lines += textwrap.dedent(f'''
            def case_{k}(a, m, v, w):
                y = {call}
                return np.sum(np.real(np.asarray(y, dtype=float)) * weights(np.shape(y)))
        ''').splitlines()
    lines += ["", "weights = None"]
    path = Path(tmp_path_factory.mktemp("sweep")) / "sweep_cases.py"
    path.write_text("\n".join(lines) + "\n")
    spec = importlib.util.spec_from_file_location("sweep_cases", path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    loaded.weights = _weights
    return loaded


def _inputs():
    rng = np.random.default_rng(5)
    return (rng.uniform(0.1, 0.9, (3, 4)), rng.normal(size=(3, 3)) * 0.2 + 2 * np.eye(3),
            rng.uniform(0.1, 0.9, 4), rng.uniform(0.1, 0.9, 3))


def _numeric(fn, args, index, eps=1e-6):
    args = [np.array(x, dtype=float) for x in args]
    out = np.zeros_like(args[index])
    for i in np.ndindex(out.shape):
        for sign in (1, -1):
            probe = [x.copy() for x in args]
            probe[index][i] += sign * eps
            out[i] += sign * fn(*probe)
    return out / (2 * eps)


def test_the_sweep_covers_every_entry_with_parameters():
    swept = {name for name, _, _ in CASES}
    assert len(CASES) > 400 and len(swept) > 60, (len(CASES), len(swept))


@pytest.mark.parametrize("k", range(len(CASES)),
                         ids=[f"{n}:{p}={v}" for n, p, v in CASES])
def test_parameter_is_honoured_or_refused(module, k):
    name, param, value = CASES[k]
    fn = getattr(module, f"case_{k}")
    args = _inputs()
    honoured = param in TABLE[name].honoured
    if honoured and param == "where" and "signature" in TABLE[name].params:
        pytest.skip("a ufunc's where= without out= leaves entries uninitialized")
    try:
        with np.errstate(all="ignore"):
            first, again = fn(*args), fn(*args)
    except Exception:
        pytest.skip("NumPy rejects this combination")
    if not (first == again or np.isnan(first) and np.isnan(again)):
        pytest.skip("not a function: NumPy leaves entries uninitialized (where= without out=)")
    grad = s2sad.grad(fn, wrt=(0, 1, 2, 3))
    directions = tuple(np.cos(np.arange(x.size) * 0.7 + k).reshape(x.shape)
                       for k, x in enumerate(args))
    if not honoured:
        with pytest.raises(s2sad.S2sadError, match=f"{param}="):
            grad(*args)
        with pytest.raises(s2sad.S2sadError, match=f"{param}="):
            s2sad.jvp(fn, args, directions)
        return
    ours = grad(*args)
    single = "float32" in value or "float32" in SAMPLES.get(name, "")  # (rounds at 1e-7)
    eps, rtol = (1e-3, 2e-2) if single else (1e-6, 1e-4)
    for index, g in enumerate(ours):
        expected = _numeric(fn, args, index, eps)
        np.testing.assert_allclose(g, expected, rtol=rtol, atol=1e-5,
                                   err_msg=f"{name} with {param}={value}, argument {index}")
    # forward mode: the tangent along `directions` is the gradient paired with them
    _, tangent = s2sad.jvp(fn, args, directions)
    paired = sum(float(np.sum(_numeric(fn, args, i, eps) * d)) for i, d in enumerate(directions))
    np.testing.assert_allclose(tangent, paired, rtol=rtol, atol=1e-5,
                               err_msg=f"{name} with {param}={value}, forward mode")


def test_refusals_name_the_line(module):
    k = next(k for k, (name, param, _) in enumerate(CASES)
             if param not in TABLE[name].honoured)
    with pytest.raises(s2sad.S2sadError) as info:
        s2sad.grad(getattr(module, f"case_{k}"), wrt=(0, 1, 2, 3))(*_inputs())
    assert "sweep_cases.py" in str(info.value) and "hint:" in str(info.value)

