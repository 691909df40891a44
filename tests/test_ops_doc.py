"""docs/ops.md is what scripts/gen_ops_doc.py renders from the table of primitives now.

When a rule changes, regenerate it with `python scripts/gen_ops_doc.py` and
review the diff.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import types
from pathlib import Path

import pytest

from s2sad import primitives

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gen_ops_doc.py"


@pytest.fixture(scope="module")
def gen() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("_gen_ops_doc", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# docs/ops.md lists SciPy's rules, which s2sad registers only when SciPy is installed
# (the test extra installs it).
needs_scipy = pytest.mark.skipif(importlib.util.find_spec("scipy") is None,
                                 reason="docs/ops.md is rendered with SciPy installed")


@needs_scipy
def test_ops_doc_is_current(gen: types.ModuleType) -> None:
    assert gen.DOC.read_text() == gen.render(), (
        "docs/ops.md is stale; run `python scripts/gen_ops_doc.py` and review the diff")


def test_every_rule_is_listed(gen: types.ModuleType) -> None:
    listed = [rule.name for entries in gen.sections().values() for rule in entries]
    assert sorted(listed) == sorted(set(primitives.TABLE) - set(primitives.USER_RULED))


def test_sections_follow_the_documented_order(gen: types.ModuleType) -> None:
    titles = [title for title in gen.sections() if title in gen.SECTIONS]
    if importlib.util.find_spec("scipy") is None:  # (its sections are then empty)
        assert titles == [t for t in gen.SECTIONS if not t.startswith("SciPy")]
    else:
        assert titles == gen.SECTIONS


@needs_scipy
def test_script_check_mode_runs() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
