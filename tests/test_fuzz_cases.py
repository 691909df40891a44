"""Every failure of the 10,000-program fuzz runs, checked again.

Each file in fuzz_cases/ is a program the fuzzer (scripts/fuzz.py) found
s2sad getting wrong (most shrunk by fuzzgen.minimize), with the inputs it failed at
and the outcome it must have now: `ok` (s2sad's gradient agrees with finite
differences), `unsupported` (s2sad refuses it with a clear error, rightly) or
`discard` (finite differences cannot judge it; the fuzzer was wrong)."""

import re
from pathlib import Path

import fuzzgen
import numpy as np
import pytest

CASES = sorted((Path(__file__).parent / "fuzz_cases").glob("seed_*.txt"))


def load(path: Path) -> tuple[str, list, str]:
    text = path.read_text()
    expect = re.search(r"^# expect: (\w+)", text, re.M).group(1)
    source, args = text.split("\nARGS = ")
    return source, eval(args, {"np": np}), expect


def test_the_cases_are_there():
    assert len(CASES) >= 85


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fuzz_case(path, tmp_path):
    source, args, expect = load(path)
    outcome = fuzzgen.check_source(source, args, str(tmp_path), seconds=60)
    assert outcome.status == expect, f"{outcome.kind}\n{outcome.detail}"
