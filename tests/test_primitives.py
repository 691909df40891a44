"""The table of primitives: its entries are complete, and their facts are true.

The passes trust what an entry declares (a view, a fresh array, elementwise,
a scalar result, a reduction). These tests check each declaration against
NumPy itself, so an entry that forgets a fact, or claims a wrong one, fails
here instead of producing a wrong gradient somewhere else.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from s2sad import primitives
from s2sad.primitives import TABLE
from s2sad.reverse import Reverse

RNG = np.random.default_rng(3)
A = RNG.uniform(0.1, 0.9, size=(3, 4))  # `a`: a generic array
M = RNG.normal(size=(3, 3)) * 0.2 + 2 * np.eye(3)  # `m`: a well-conditioned square matrix
V = RNG.uniform(0.1, 0.9, size=4)  # `v`: a vector that broadcasts against `a`
W3 = RNG.uniform(0.1, 0.9, size=3)  # `w`: a 3-vector

# One call per NumPy entry, with `a` as the array whose memory the result may
# share. "a" alone means the entry is called with just `a`.
SAMPLES = {
    "np.arctan2": "a, v", "np.hypot": "a, v", "np.add": "a, v", "np.subtract": "a, v",
    "np.mod": "a, v + 3.0", "np.remainder": "a, v + 3.0",
    "np.multiply": "a, v", "np.divide": "a, v", "np.true_divide": "a, v", "np.power": "a, v",
    "np.float_power": "a, v", "np.maximum": "a, v", "np.minimum": "a, v", "np.fmax": "a, v",
    "np.fmin": "a, v", "np.logaddexp": "a, v", "np.logaddexp2": "a, v",
    "np.clip": "a, 0.2, 0.8", "np.where": "a > 0.5, a, v", "np.round": "a, 1",
    "np.arccosh": "a + 1.0", "np.linalg.norm": "a", "np.trace": "a", "np.diff": "a",
    "np.allclose": "a, a", "np.matmul": "a.T, a", "np.dot": "a.T, a", "np.outer": "v, w",
    "np.inner": "a, a", "np.vdot": "a, a", "np.tensordot": "a, a", "np.einsum": "'ij->j', a",
    "np.cross": "a[:, :3], m", "np.linalg.inv": "m", "np.linalg.solve": "m, w",
    "np.linalg.det": "m", "np.linalg.slogdet": "m", "np.reshape": "a, (4, 3)",
    "np.swapaxes": "a, 0, 1", "np.moveaxis": "a, 0, 1", "np.expand_dims": "a, 0",
    "np.broadcast_to": "a, (2, 3, 4)", "np.roll": "a, 1", "np.tile": "a, 2",
    "np.repeat": "a, 2", "np.concatenate": "[a, a]", "np.stack": "[a, a]", "np.hstack": "[a, a]",
    "np.vstack": "[a, a]", "np.zeros": "(3, 4)", "np.ones": "(3, 4)", "np.empty": "(3, 4)",
    "np.eye": "3", "np.identity": "3", "np.full_like": "a, 2.0", "np.full": "(3, 4), 2.0",
    "np.linspace": "0.0, 1.0, 5", "np.arange": "5.0", "np.take": "a, [0, 2]",
    "np.take_along_axis": "a, np.argsort(a, axis=1), 1", ".dot": "a, a.T",
    ".swapaxes": "a, 0, 1", ".clip": "a, 0.2, 0.8", ".repeat": "a, 2", ".take": "a, [0, 2]",
    ".reshape": "a, (4, 3)", ".astype": "a, np.float32", ".item": "a[:1, :1]",
    ".squeeze": "a[None]", "np.squeeze": "a[None]",
}
SAMPLES.update({  # np.linalg's factorizations, np.interp, np.convolve, np.correlate
    "np.linalg.cholesky": "m @ m.T", "np.linalg.eigh": "m", "np.linalg.eigvalsh": "m",
    "np.linalg.lstsq": "a.T, v", "np.linalg.matrix_power": "m, 2",
    "np.interp": "v, np.sort(w), w", "np.convolve": "v, w", "np.correlate": "v, w",
    "np.split": "a, 3", "np.array_split": "a, 2",
    "np.heaviside": "a, v", "np.kron": "m, v", "np.polyval": "v, a",
    "np.quantile": "a, 0.3", "np.percentile": "a, 30.0", "np.pad": "a, 1", "np.cov": "a",
    "np.average": "a",
    "np.append": "a, v", "np.copysign": "a, v - 0.5", "np.linalg.multi_dot": "[m, m, a]",
    "np.select": "[a > 0.5, a < 0.2], [a, -a], v", "np.add.outer": "a, v",
    "np.subtract.outer": "a, v",
})
# (not the operations that change their arguments: those are refused)
NUMPY_ENTRIES = sorted(n for n, p in TABLE.items()
                       if p.form in ("function", "method", "attribute") and not p.mutates
                       and (n.startswith("np.") or n.startswith(".")))


def call_sample(name: str):
    """Call the entry's NumPy function on its sample; returns (result, `a`)."""
    args = eval(f"({SAMPLES.get(name, 'a')},)", {"np": np},
                {"a": A.copy(), "m": M.copy(), "v": V.copy(), "w": W3.copy()})
    first = args[0]
    if name.startswith("."):
        value = getattr(first, name[1:])
        return (value(*args[1:]) if callable(value) else value), first
    return primitives.resolve_name(name)(*args), first


@pytest.mark.parametrize("name", NUMPY_ENTRIES)
def test_declared_facts_hold_in_numpy(name: str) -> None:
    prim = TABLE[name]
    result, first = call_sample(name)
    arrays = result if isinstance(result, tuple) else (result,)
    shares = any(isinstance(r, np.ndarray) and isinstance(first, np.ndarray)
                 and np.shares_memory(r, first) for r in arrays)
    if shares:
        assert prim.view, f"{name} returns a view of its argument: declare view=True"
    if prim.fresh:
        assert not shares and isinstance(result, np.ndarray), f"{name} is not fresh"
    if prim.elementwise:
        operands = [x for x in (first,) if isinstance(x, np.ndarray)]
        assert np.shape(result) == np.broadcast_shapes(*[o.shape for o in operands], A.shape) \
            or np.shape(result) == A.shape, name
    if prim.scalar or prim.reduction:
        assert np.ndim(result) == 0, f"{name} declares a scalar result"
    if prim.results is not None and prim.results >= 0:
        assert isinstance(result, tuple) and len(result) == prim.results, name


# (rules the user gives, some other test modules' at collection: named by address,
# which differs between processes; pytest-xdist needs one collection)
BUILT_IN = {n: p for n, p in TABLE.items() if not n.startswith("user:")}


@pytest.mark.parametrize("name", sorted(n for n, p in BUILT_IN.items() if p.adjoint))
def test_structural_rules_are_implemented(name: str) -> None:
    assert callable(getattr(Reverse, "adjoint_" + TABLE[name].adjoint, None)), name


@pytest.mark.parametrize("name", sorted(n for n, p in BUILT_IN.items() if p.form == "helper"
                                        and primitives.resolve_name(n) is not None))
def test_helpers_match_their_run_time_functions(name: str) -> None:
    prim = TABLE[name]
    fn = primitives.resolve_name(name)
    assert any(getattr(m, name, None) is fn for m in primitives.record.HELPER_MODULES)
    parameters = inspect.signature(fn).parameters
    assert list(parameters) == list(prim.params), name
    defaults = {k: p.default for k, p in parameters.items() if p.default is not p.empty}
    assert defaults == prim.defaults, name  # (the emitter leaves out arguments at defaults)


def template_names(source: str) -> set[str]:
    """The free names of a template (not the parameters of a lambda in it, which
    names a value the rule uses more than once)."""
    tree = ast.parse(source, mode="eval")
    bound = {a.arg for n in ast.walk(tree) if isinstance(n, ast.Lambda) for a in n.args.args}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - bound


@pytest.mark.parametrize("name", sorted(n for n, p in BUILT_IN.items() if p.vjp))
def test_templates_name_parameters_and_known_functions(name: str) -> None:
    prim = TABLE[name]
    for param, source in prim.vjp.items():
        assert param in prim.params, f"{name}: rule for unknown parameter {param}"
        for used in template_names(source) - set(prim.params) - {"g", "ans"}:
            obj = primitives.resolve_name(used)
            assert obj is not None, f"{name}: template names unknown {used!r}"
            if callable(obj) and not isinstance(obj, type) and used not in ("np", "math"):
                assert primitives.for_object(obj) is not None, \
                    f"{name}: template calls {used}, which has no entry"


def test_every_primitive_the_compiler_writes_is_in_the_table() -> None:
    """Passes create statements by primitive name; each name must have a record."""
    source_dir = Path(primitives.__file__).resolve().parent.parent
    pattern = re.compile(r'(?:Assign\([^,()]+,|emit\()\s*"([a-z_.]+)"')
    written = set()
    for path in source_dir.rglob("*.py"):
        written |= set(pattern.findall(path.read_text()))
    assert written, "no statement constructions found"
    missing = sorted(n for n in written if n not in TABLE)
    assert not missing, f"primitives written but not in the table: {missing}"


def test_operators_are_spelled_once() -> None:
    """The lowering and the emitter both take operator syntax from the table."""
    import gast

    from s2sad.lowering.expressions import BINARY, COMPARE, UNARY

    assert BINARY[gast.Add] == "add" and BINARY[gast.MatMult] == "matmul"
    assert UNARY[gast.USub] == "neg" and COMPARE[gast.LtE] == "le"
    assert len(BINARY) + len(UNARY) + len(COMPARE) == sum(
        1 for p in TABLE.values() if p.form == "operator")


# ---------------------------------------------------------------- signatures

KIND_NAMES = {"POSITIONAL_ONLY": "posonly", "POSITIONAL_OR_KEYWORD": "normal",
              "VAR_POSITIONAL": "varargs", "KEYWORD_ONLY": "kwonly", "VAR_KEYWORD": "varkw"}
# Callables whose signature Python cannot report (C functions without one):
# the entry's signature is the documented one.
UNREPORTED = {"math.log", "math.hypot", "max", "min", "int", "bool", "range", "str", "type",
              "functools.partial"}  # (a builtin type inspect cannot read)


def real_callable(name: str):
    if name.startswith("."):
        return getattr(np.ndarray, name[1:], None)
    return primitives.resolve_name(name)


def reports_star_args(name: str) -> bool:
    """SciPy's distribution methods report `(x, *args, **kwds)`; their entries
    have the signature SciPy documents (checked in tests/test_scipy_rules.py)."""
    if not name.startswith("scipy.stats."):
        return False
    parameters = inspect.signature(real_callable(name)).parameters.values()
    return any(p.kind == p.VAR_POSITIONAL for p in parameters)


# (not the operations that change their arguments, which are refused whatever
# their arguments)
SIGNED = sorted(n for n, p in BUILT_IN.items() if p.form in ("function", "method")
                and not p.mutates
                and real_callable(n) is not None and n not in UNREPORTED
                and not reports_star_args(n))


@pytest.mark.parametrize("name", SIGNED)
def test_signature_is_numpys(name: str) -> None:
    """Every parameter NumPy (or math, or builtins) accepts is in the entry, with
    its kind and default; names may differ only where they cannot be passed by
    keyword. Methods NumPy documents with **kwargs list those keywords."""
    prim = TABLE[name]
    real = list(inspect.signature(real_callable(name)).parameters.values())
    ours = list(prim.params)
    if name.startswith("."):  # the receiver: `self` there, `a` here
        real, ours = real[1:], ours[1:]
    real_names = [p.name for p in real]
    for p in real:
        kind = KIND_NAMES[p.kind.name]
        if kind == "varkw":
            assert any(prim.kinds[q] in ("varkw", "kwonly") for q in ours), name
            continue
        if kind == "posonly":
            position = real_names.index(p.name)
            assert prim.kinds[ours[position]] == "posonly", (name, p.name)
            continue
        assert p.name in prim.kinds, f"{name}: NumPy's parameter {p.name!r} is missing"
        assert prim.kinds[p.name] == kind, (name, p.name, kind, prim.kinds[p.name])
        if p.default is not p.empty:
            assert _same_default(prim.defaults[p.name], p.default), (name, p.name)
    extra = [q for q in ours if q not in real_names and prim.kinds[q] != "posonly"]
    documented = any(p.kind == p.VAR_KEYWORD for p in real)  # (listed as **kwargs there)
    assert not extra or documented, f"{name}: parameters NumPy does not have: {extra}"


def _same_default(ours, theirs) -> bool:
    if theirs is np._NoValue or ours is np._NoValue:
        return ours is theirs
    return type(ours) is type(theirs) and ours == theirs


def test_every_parameter_is_honoured_or_refused_and_the_counts_are_known() -> None:
    """A parameter is honoured (read by a rule, zero, or neutral) or refused;
    differentiable entries of NumPy functions and methods are counted here."""
    honoured = refused = 0
    for prim in TABLE.values():
        if not prim.differentiable or not (prim.vjp or prim.zero):
            continue
        for name in prim.params:
            if name in prim.honoured:
                honoured += 1
            elif prim.kinds[name] != "varkw":
                refused += 1
    assert honoured > 300 and refused > 100, (honoured, refused)


def test_import_s2sad_does_not_import_scipy():
    """SciPy's entries load only once the user's program imports SciPy, so
    `import s2sad` costs NumPy's import and ours alone."""
    import subprocess
    import sys

    code = "import sys, s2sad; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
