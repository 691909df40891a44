"""Golden files: the exact source `s2sad.show` generates for a few functions.

A change to the generated code fails here with a diff. If the change is
intended, regenerate the files and review them like any other diff:

    S2SAD_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

import difflib
import os
from pathlib import Path

import pytest
from golden_functions import loop_and_branch

import s2sad

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("S2SAD_UPDATE_GOLDEN") == "1"

# (golden file, function, wrt, inputs at which the gradient must also be right)
CASES = [
    ("loop_and_branch.py.txt", loop_and_branch, 0, [(1.1, 3), (0.5, 2), (-0.9, 1), (2.0, 0)]),
]


def _text(fn, wrt) -> str:
    source = s2sad.show(fn, wrt=wrt)
    return source if source.endswith("\n") else source + "\n"


@pytest.mark.parametrize("name, fn, wrt, inputs", CASES, ids=[c[0] for c in CASES])
def test_generated_source_matches_golden_file(name, fn, wrt, inputs):
    path = GOLDEN_DIR / name
    actual = _text(fn, wrt)
    if UPDATE:
        GOLDEN_DIR.mkdir(exist_ok=True)
        path.write_text(actual)
    assert path.exists(), f"{path} is missing: run with S2SAD_UPDATE_GOLDEN=1 to create it"
    expected = path.read_text()
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"golden/{name}", tofile="s2sad.show output"))
        pytest.fail(f"generated source differs from golden/{name}:\n{diff}\n"
                    "If the change is intended, rerun with S2SAD_UPDATE_GOLDEN=1.")


@pytest.mark.parametrize("name, fn, wrt, inputs", CASES, ids=[c[0] for c in CASES])
def test_golden_gradient_is_correct(name, fn, wrt, inputs):
    """The pinned source must be a correct gradient, not just a stable one."""
    for args in inputs:
        s2sad.check_grad(fn, *args, wrt=wrt)
