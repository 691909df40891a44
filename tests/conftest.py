"""Test-wide setup: the table's optional entries (SciPy's, when SciPy is
installed) load once SciPy is imported; the tests that walk the whole table
need them loaded from the start."""

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from s2sad import primitives

primitives.load_optional(force=True)


@pytest.fixture
def run_script(tmp_path: Path) -> Callable[[str], subprocess.CompletedProcess]:
    """Run code as a script file in a fresh interpreter (s2sad reads a
    function's source from its file, which `python -c` has not)."""

    def run(code: str) -> subprocess.CompletedProcess:
        path = tmp_path / "script_case.py"
        path.write_text(code)
        return subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                              timeout=60)

    return run
