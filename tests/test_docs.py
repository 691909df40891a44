"""The documentation shows real, current output, and its examples run.

docs/how-it-works.md and the README's `s2sad show` excerpt are rendered by
scripts/gen_how_it_works.py; when the compiler's output changes, regenerate
them with `python scripts/gen_how_it_works.py` and review the diff.
"""

from __future__ import annotations

import importlib.util
import os
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
    assert "pip install '.[test,docs,dask]' && python -m pytest" in readme
    ci = (ROOT / ".ci" / "run").read_text()  # (CI runs the README's command)
    assert "pip install --quiet '.[test,docs,dask]'" in ci and ci.rstrip().endswith("-m pytest")
    assert "pip install '.[docs]' && python -m sphinx -W -b html docs docs/_build/html" in readme


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


# ---------------------------------------------------------------- the documentation site

SITE_NEEDS = ("sphinx", "pydata_sphinx_theme", "myst_parser", "sphinx_gallery", "sphinx_design",
              "matplotlib", "scipy", "dask")
GALLERY = sorted(p for p in (ROOT / "examples").glob("*.py")
                 if p.stem not in ("how_it_works", "quickstart", "seeds"))


@pytest.fixture(scope="module")
def doc_blocks() -> types.ModuleType:
    path = ROOT / "scripts" / "doc_blocks.py"
    spec = importlib.util.spec_from_file_location("_doc_blocks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _missing(modules: tuple[str, ...]) -> list[str]:
    return [m for m in modules if importlib.util.find_spec(m) is None]


def test_site_builds_with_warnings_as_errors(tmp_path: Path):
    """The command the README gives, with every gallery example run again
    (their figures and output are made by running them)."""
    missing = _missing(SITE_NEEDS)
    if missing:
        pytest.skip(f"the docs extra is not installed ({', '.join(missing)} missing): "
                    "pip install '.[docs]'")
    env = dict(os.environ, S2SAD_DOCS_RUN_ALL="1", MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), "docs", str(tmp_path / "html")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-6000:]
    html = tmp_path / "html"
    for page in ("index", "getting-started", "tutorial", "transforms", "limitations",
                 "migration", "dask", "api", "ops", "how-it-works", "auto_examples/index"):
        assert (html / f"{page}.html").exists(), page
    for example in GALLERY:  # each example ran and drew its figure
        assert (html / "auto_examples" / f"{example.stem}.html").exists(), example.name
        assert list((html / "_images").glob(f"sphx_glr_{example.stem}_*.png")), example.name


def test_gallery_has_enough_examples_in_gallery_form():
    assert len(GALLERY) >= 14
    for example in GALLERY:
        text = example.read_text()
        title, underline = text.split("\n")[1:3]
        assert text.startswith(('"""\n', 'r"""\n')), example.name  # sphinx-gallery header
        assert title and set(underline) == {"="} and len(underline) >= len(title), example.name
        assert "assert " in text and "plt.show()" in text, example.name


def test_pages_are_in_the_site():
    index = (ROOT / "docs" / "index.md").read_text()
    for page in ("getting-started", "tutorial", "transforms", "dask", "limitations",
                 "migration", "api", "ops", "how-it-works", "design", "performance"):
        assert f"\n{page}\n" in index, page


def _pages() -> list[str]:
    return [p.name for p in sorted((ROOT / "docs").glob("*.md"))
            if p.name not in ("how-it-works.md", "ops.md")]


@pytest.mark.parametrize("page", _pages())
def test_page_code_blocks_run(page: str, doc_blocks: types.ModuleType):
    """Every ```python block of the page runs (in order, as one script), and
    every `s2sad ...` line of its ```sh blocks succeeds."""
    path = ROOT / "docs" / page
    script, skipped = doc_blocks.script_of(path)
    if not script.strip() and not doc_blocks.shell_commands(path):
        if skipped:
            pytest.skip("; ".join(skipped))
        return
    result = doc_blocks.run_page(path)
    assert result.returncode == 0, result.stderr[-4000:]
    for line in doc_blocks.shell_commands(path):
        done = doc_blocks.run_command(line)
        assert done.returncode == 0, f"{line}\n{done.stderr[-2000:]}"
