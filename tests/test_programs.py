"""The corpus of user programs (tests/corpus/prog_*.py, issue 9): Bayesian
inference, Gaussian processes, RNNs and LSTMs, VAEs, mixtures, HMMs,
fixed-point solvers, fluid and particle simulations, ODE integrators, small
transformers, written the way example galleries of autograd-like libraries
write them. Each program's docstring names the Python features it exercises
(`Features:`), and `cases()` lists the gradients to take.

Every case's gradient is compared with central finite differences over every
float entry of each differentiated argument, and must have the argument's
structure (namedtuples, dataclasses and plain objects come back as their own
type), by `tests/corpus/check.py`'s `check_case`, which also runs the corpus
by hand (`python tests/corpus/check.py`, `--validate` checks the programs
themselves). Where the differentiated argument is one array, forward mode is
checked too: the jvp along a direction equals the gradient's dot product with
it.
"""

from __future__ import annotations

import glob
import os
import sys

import numpy as np
import pytest

import s2sad

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
sys.path.insert(0, HERE)
import check  # noqa: E402  (tests/corpus/check.py)

PATHS = sorted(glob.glob(os.path.join(HERE, "prog_*.py")))


def _cases() -> list:
    out = []
    for path in PATHS:
        module = check.load_module(path)
        for index, case in enumerate(module.cases()):
            name = f"{os.path.basename(path)[5:-3]}::{case['name']}"
            out.append(pytest.param(path, index, id=name))
    return out


CASES = _cases()


def test_the_corpus_is_large_enough():
    assert len(PATHS) >= 60
    for path in PATHS:
        module = check.load_module(path)
        assert check.features(module), f"{path}: no Features line"
        assert set(check.features(module)) <= check.KNOWN_TAGS


@pytest.mark.parametrize("path, index", CASES)
def test_program(path: str, index: int):
    case = check.load_module(path).cases()[index]
    status, message = check.check_case(case)
    assert status == "PASS", message
    wrt = case.get("wrt", 0)
    args = tuple(case["args"])
    if isinstance(wrt, int) and isinstance(args[wrt], np.ndarray) and \
            args[wrt].dtype.kind == "f":
        _check_forward(case["fn"], args, wrt)


def _check_forward(fn, args: tuple, wrt: int) -> None:
    """jvp along a fixed direction equals the gradient's dot product with it."""
    x = args[wrt]
    direction = np.cos(np.arange(x.size) * 1.7 + 0.3).reshape(x.shape)
    g = s2sad.grad(fn, wrt=wrt)(*args)
    tangents = [None] * len(args)
    tangents[wrt] = direction
    value, tangent = s2sad.jvp(fn, args, tangents)
    assert np.isclose(value, fn(*args))
    assert np.isclose(tangent, np.sum(g * direction), rtol=1e-6, atol=1e-9)
