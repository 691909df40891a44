"""What `s2sad.show` returns renders in notebooks and prints as plain source;
slow transforms say so through `logging`."""

from __future__ import annotations

import logging
import sys

import numpy as np
import pytest

import s2sad
from s2sad import display, pipeline


def f(x):
    return np.sum(np.sin(x) ** 2)


def test_show_is_plain_source_when_printed():
    text = s2sad.show(f)
    assert isinstance(text, str)
    assert str(text).startswith("def df(x")
    assert "\x1b[" not in str(text) and "<" not in str(text)


def test_show_renders_in_jupyter():
    text = s2sad.show(f)
    markdown = text._repr_markdown_()
    assert markdown.startswith("```python\ndef df(x") and markdown.endswith("```\n")
    page = text._repr_html_()
    assert "df" in page and page.lstrip().startswith("<")
    if "pygments" in sys.modules or _has_pygments():
        assert "style=" in page  # highlighted, with inline styles


def test_html_without_pygments_is_escaped(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "pygments", None)
    page = display.highlight_html("x = a < b\n")
    assert page == "<pre><code>x = a &lt; b\n</code></pre>"


def test_ipython_pretty_prints_the_source():
    lines: list[str] = []

    class Printer:
        def text(self, s: str) -> None:
            lines.append(s)

    s2sad.show(f)._repr_pretty_(Printer(), False)
    assert lines[0].startswith("def df(x") and not lines[0].endswith("\n")


def test_slow_transforms_log_quietly_by_default(monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture):
    monkeypatch.setattr(pipeline, "SLOW_TRANSFORM_SECONDS", 0.0)

    def g(x):
        return np.sum(np.cos(x) * x)

    with caplog.at_level(logging.INFO, logger="s2sad"):
        s2sad.grad(g)(np.ones(2))
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("s2sad")]
    assert any("g" in m and "grad" in m for m in messages), messages


def test_logging_is_quiet_unless_configured(run_script):
    result = run_script("import numpy as np, s2sad, s2sad.pipeline as p\n"
                        "p.SLOW_TRANSFORM_SECONDS = 0.0\n"
                        "def h(x):\n    return np.sum(x * x)\n"
                        "print(s2sad.grad(h)(np.ones(2)))\n")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def _has_pygments() -> bool:
    try:
        import pygments  # noqa: F401
    except ImportError:
        return False
    return True
