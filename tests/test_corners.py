"""The corner-case corpus (tests/corners/): every case meets its expectation.

Ids are `module.function`. A case expects a gradient (equal to its `ref`, or
to central finite differences, with s2sad's value equal to plain Python's), a
refusal (an `s2sad.S2sadError`, or exactly the exception plain Python raises),
or, at a non-differentiable point, the value of s2sad's documented convention.
Cases marked `xfail` are open compiler bugs and must fail (strict).
"""

import importlib

import pytest
from corners.support import EXPECTATIONS, run_case

MODULES = ["axes", "calls", "control", "floats", "indexing", "linalg", "lists", "misc",
           "nplists", "params", "pow", "semantics", "special"]


def _params() -> list:
    params = []
    for name in MODULES:
        for c in importlib.import_module(f"corners.{name}").CASES:
            marks = [pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else []
            params.append(pytest.param(c, id=f"{name}.{c.name}", marks=marks))
    return params


PARAMS = _params()


@pytest.mark.parametrize("case", PARAMS)
def test_corner(case):
    run_case(case)


def test_the_corpus_is_whole():
    """Every module has cases, the ids are unique, each case has one of the expectations."""
    for name in MODULES:
        assert importlib.import_module(f"corners.{name}").CASES, name
    ids = [p.id for p in PARAMS]
    assert len(set(ids)) == len(ids)
    assert {p.values[0].expect for p in PARAMS} <= set(EXPECTATIONS)
