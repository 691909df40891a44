"""The documentation shows real, current output, and its examples run.

docs/how-it-works.md and the README's `s2sad show` excerpt are rendered by
scripts/gen_how_it_works.py; when the compiler's output changes, regenerate
them with `python scripts/gen_how_it_works.py` and review the diff.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = "stale; run `python scripts/gen_how_it_works.py` and review the diff"


@pytest.fixture(scope="module")
def gen() -> types.ModuleType:
    path = ROOT / "scripts" / "gen_how_it_works.py"
    spec = importlib.util.spec_from_file_location("_gen_how_it_works", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_how_it_works_is_current(gen: types.ModuleType):
    assert gen.DOC.read_text() == gen.render_doc(), f"docs/how-it-works.md is {REGENERATE}"


def test_readme_excerpt_is_current(gen: types.ModuleType):
    current = gen.README.read_text()
    assert current == gen.render_readme(current), f"README.md's show excerpt is {REGENERATE}"


def test_readme_quick_start_commands():
    readme = (ROOT / "README.md").read_text()
    assert "pip install . && s2sad show examples/quickstart.py:f" in readme
    assert "pip install '.[test]' && python -m pytest" in readme


def test_readme_links_exist():
    readme = (ROOT / "README.md").read_text()
    for target in ("docs/how-it-works.md", "examples/quickstart.py"):
        assert target in readme
        assert (ROOT / target).exists()


@pytest.mark.parametrize("example", ["quickstart.py", "seeds.py"])
def test_example_runs(example: str):
    result = subprocess.run([sys.executable, str(ROOT / "examples" / example)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout
