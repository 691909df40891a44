"""Sphinx configuration of s2sad's documentation site.

Build it (offline; warnings are errors) from the repository's root:

    pip install '.[docs]' && python -m sphinx -W -b html docs docs/_build/html

The markdown pages are read by MyST, the gallery is made by sphinx-gallery
from examples/ (running each example, so its output and figure are real),
and the API reference by autodoc from the docstrings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # document the checkout, installed or not
os.environ.setdefault("MPLBACKEND", "Agg")

import s2sad  # noqa: E402

project = "s2sad"
author = "the s2sad authors"
copyright = "s2sad authors, MIT license"
version = release = s2sad.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx_gallery.gen_gallery",
    "sphinx_design",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.md5", "**/*.codeobj.json"]
default_role = "code"  # docstrings write `name` for code, as markdown does
pygments_style = "sphinx"
myst_heading_anchors = 3  # `[Operators](#operators)` links inside ops.md
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist"]
suppress_warnings = ["myst.header"]  # generated pages may start below level 1

# Offline: no intersphinx, no remote images, no analytics.
html_theme = "pydata_sphinx_theme"
html_title = f"s2sad {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars = {"index": [], "getting-started": [], "migration": []}

autodoc_default_options = {"members": False}
autodoc_typehints = "signature"
autodoc_member_order = "bysource"

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # run every example: figures and output are real
    # support files and the scripts other pages render from are not gallery entries
    "ignore_pattern": r"(__init__|_support|how_it_works|quickstart|seeds)\.py$",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1e9,  # no per-example timings in the pages (they vary by machine)
    "show_memory": False,
    "plot_gallery": "True",
    # tests/test_docs.py sets this so every example runs, not only changed ones
    "run_stale_examples": os.environ.get("S2SAD_DOCS_RUN_ALL") == "1",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "first_notebook_cell": None,
    "show_signature": False,
}


def _without_missing_pages(app, docname, source) -> None:
    """The index lists `performance`, the page on speed; until that page
    exists in this checkout, leave it out of the table of contents instead of
    failing the build on a missing document."""
    if docname == "index" and not (ROOT / "docs" / "performance.md").exists():
        source[0] = source[0].replace("\nperformance\n", "\n")


def setup(app):
    app.connect("source-read", _without_missing_pages)
