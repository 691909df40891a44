"""The `case` decorator of the corner-case modules, and the check of one case.

A module declares its cases with

    CASES = CaseList()
    case = CASES.case

    @case(args=lambda: (np.array([0.5, 2.0]),), wrt=0, note="...")
    def f(x): ...

`args` builds fresh arguments on every call (cases may update them in place);
`wrt` is passed to `s2sad.value_and_grad` as is. `expect` is one of

* ``"grad"``: s2sad's value equals plain Python's and its gradient equals
  `ref()` if given, else central finite differences in float64; `check(g)`,
  if given, returns None or a message about the gradient (its dtype, type).
* ``"refuse"``: s2sad raises an `s2sad.S2sadError`, or exactly the exception
  plain Python raises for the same call (``TypeError`` for `t[0] = v` on a
  tuple).
* ``"nondiff"``: a point where the derivative does not exist or is infinite;
  the gradient must equal `ref()`, the value of s2sad's documented convention
  there (inf and nan compare as such), and the value must equal Python's.

`xfail` names a compiler bug: the case is then expected to fail (strictly).
Notes starting with ``unsupported yet:`` mark refusals of code s2sad means to
support some day.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import s2sad

EPS = 1e-6
RTOL = 2e-4
ATOL = 2e-5
EXPECTATIONS = ("grad", "refuse", "nondiff")


@dataclass
class Case:
    f: Callable
    args: Callable[[], tuple]
    wrt: Any = 0
    expect: str = "grad"
    note: str = ""
    ref: Callable[[], Any] | None = None
    check: Callable[[Any], str | None] | None = None
    xfail: str | None = None

    @property
    def name(self) -> str:
        return self.f.__name__


class CaseList(list):
    """The cases of one module, in the order they are declared."""

    def case(self, *, args: Callable[[], tuple], wrt: Any = 0, expect: str = "grad",
             note: str = "", ref: Callable[[], Any] | None = None,
             check: Callable[[Any], str | None] | None = None,
             xfail: str | None = None) -> Callable[[Callable], Callable]:
        assert expect in EXPECTATIONS, expect
        assert expect != "nondiff" or ref is not None, "a nondiff case needs ref="
        assert expect != "refuse" or (ref is None and check is None)

        def deco(f: Callable) -> Callable:
            self.append(Case(f, args, wrt, expect, note, ref, check, xfail))
            return f
        return deco


# ---------------------------------------------------------------- structures

def _is_bool(x: Any) -> bool:
    return isinstance(x, (bool, np.bool_))


def leaves_of(x: Any) -> list[np.ndarray]:
    """The differentiable leaves of x as float64 arrays, in a fixed order."""
    if _is_bool(x):
        return []
    if isinstance(x, np.ndarray):
        return [] if x.dtype.kind in "bUSO" else [np.array(x, dtype=np.float64)]
    if isinstance(x, (int, float, np.number)):
        return [np.array(float(x))]
    if isinstance(x, dict):
        return [leaf for k in x for leaf in leaves_of(x[k])]
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in leaves_of(v)]
    return []


def rebuild(x: Any, leaves: list[np.ndarray]) -> Any:
    """x with its leaves replaced, in leaves_of order (consumes `leaves`)."""
    if _is_bool(x):
        return x
    if isinstance(x, np.ndarray):
        return x if x.dtype.kind in "bUSO" else leaves.pop(0).reshape(x.shape)
    if isinstance(x, (int, float)):
        return float(leaves.pop(0))
    if isinstance(x, np.number):
        return np.float64(leaves.pop(0))
    if isinstance(x, dict):
        return {k: rebuild(v, leaves) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(rebuild(v, leaves) for v in x)
    return x


def grad_leaves(g: Any, like: Any) -> list[np.ndarray]:
    """A gradient's leaves in like's order; AssertionError if its structure differs."""
    if _is_bool(like):
        return []
    if isinstance(like, np.ndarray):
        if like.dtype.kind in "bUSO":
            return []
        a = np.asarray(g)
        assert a.shape == like.shape, f"gradient shape {a.shape} != argument shape {like.shape}"
        return [np.array(a, dtype=np.complex128 if np.iscomplexobj(a) else np.float64)]
    if isinstance(like, (int, float, np.number)):
        assert np.ndim(g) == 0, f"the gradient of a scalar has shape {np.shape(g)}"
        return [np.array(g, dtype=np.complex128 if np.iscomplexobj(g) else np.float64)]
    if isinstance(like, dict):
        assert isinstance(g, dict) and set(g) == set(like), \
            f"gradient {type(g).__name__} does not match the dict argument"
        return [leaf for k in like for leaf in grad_leaves(g[k], like[k])]
    if isinstance(like, (list, tuple)):
        assert isinstance(g, (list, tuple)) and len(g) == len(like), \
            f"gradient {type(g).__name__} does not match the {type(like).__name__} argument"
        return [leaf for gv, v in zip(g, like) for leaf in grad_leaves(gv, v)]
    return []


def wrt_indices(f: Callable, wrt: Any) -> list[int]:
    names = list(inspect.signature(f).parameters)
    items = wrt if isinstance(wrt, tuple) else (wrt,)
    return [names.index(w) if isinstance(w, str) else w for w in items]


# ---------------------------------------------------------------- references

def fd_gradient(f: Callable, args: Callable[[], tuple], idx: int) -> list[np.ndarray]:
    """Central differences in float64 w.r.t. argument idx, one array per leaf."""
    out = []
    for li, leaf in enumerate(leaves_of(args()[idx])):
        g = np.zeros(leaf.shape)
        for j in np.ndindex(leaf.shape):
            values = []
            for step in (EPS, -EPS):
                a = list(args())
                leaves = [v.copy() for v in leaves_of(a[idx])]
                leaves[li][j] += step
                a[idx] = rebuild(a[idx], leaves)
                values.append(float(np.real(f(*a))))
            g[j] = (values[0] - values[1]) / (2 * EPS)
        out.append(g)
    return out


def close(a: Any, b: Any) -> bool:
    """a equals b within the tolerances; nan matches nan, inf an inf of the same sign."""
    a, b = np.asarray(a), np.asarray(b)
    if np.iscomplexobj(a) or np.iscomplexobj(b):
        a = a.astype(complex)
        b = b.astype(complex)
        a, b = np.stack([a.real, a.imag]), np.stack([b.real, b.imag])
    a, b = a.astype(float), b.astype(float)
    if a.shape != b.shape:
        return False
    if a.size == 0:
        return True
    same = (np.isnan(a) & np.isnan(b)) | (np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b)))
    scale = float(np.max(np.abs(np.where(np.isfinite(b), b, 0.0))))
    diff = np.where(same, 0.0, np.abs(a - b))
    return not bool(np.any(np.isnan(diff) | (diff > ATOL + RTOL * scale)))


def show(v: Any) -> str:
    if isinstance(v, list) and v and all(isinstance(x, np.ndarray) for x in v):
        return "[" + "; ".join(show(x) for x in v) + "]"
    s = np.array2string(np.asarray(v), precision=6, separator=", ", threshold=20)
    return s.replace("\n", "")


# ---------------------------------------------------------------- one case

def run_case(c: Case) -> None:
    """Assert that s2sad meets case c's expectation."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if c.expect == "refuse":
            _check_refusal(c)
        else:
            _check_gradient(c)


def _check_refusal(c: Case) -> None:
    py_exc = None
    try:
        py_value = c.f(*c.args())
    except Exception as e:  # noqa: BLE001 -- any exception plain Python raises
        py_exc = e
    try:
        value, g = s2sad.value_and_grad(c.f, wrt=c.wrt)(*c.args())
    except s2sad.S2sadError:
        return
    except Exception as e:  # noqa: BLE001
        if py_exc is not None and type(e) is type(py_exc):
            return
        raise AssertionError(
            f"s2sad raised {type(e).__name__}: {e}; expected an S2sadError"
            + (f" or Python's {type(py_exc).__name__}" if py_exc is not None else "")) from e
    python = (f"Python raises {type(py_exc).__name__}: {py_exc}" if py_exc is not None
              else f"Python's value {show(py_value)}")
    raise AssertionError(f"s2sad accepted it: value {show(value)}, gradient {show(g)}; {python}")


def _check_gradient(c: Case) -> None:
    py_value = c.f(*c.args())
    value, g = s2sad.value_and_grad(c.f, wrt=c.wrt)(*c.args())
    assert close(np.real(np.asarray(value, dtype=complex)),
                 np.real(np.asarray(py_value, dtype=complex))), \
        f"value {show(value)} != Python's {show(py_value)}"
    grads = g if isinstance(c.wrt, tuple) else (g,)
    idxs = wrt_indices(c.f, c.wrt)
    assert len(grads) == len(idxs), f"{len(grads)} gradients for wrt={c.wrt!r}"
    refs = None
    if c.ref is not None:
        refs = c.ref() if isinstance(c.wrt, tuple) else (c.ref(),)
    for k, (gk, i) in enumerate(zip(grads, idxs)):
        like = c.args()[i]
        got = grad_leaves(gk, like)
        if refs is not None:
            want, source = grad_leaves(refs[k], like), "reference"
        else:
            want, source = fd_gradient(c.f, c.args, i), "finite differences"
        assert all(close(a, b) for a, b in zip(got, want)), \
            f"gradient of argument {i}: s2sad {show(got)}, {source} {show(want)}"
        if c.check is not None:
            problem = c.check(gk)
            assert problem is None, problem
