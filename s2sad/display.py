"""How generated source is shown: plain text in `print`, highlighted code in
Jupyter, ANSI colors on a terminal.

Pygments does the highlighting when it is installed (it is optional: s2sad's
run-time dependencies are NumPy and gast only); without it, notebooks get an
escaped `<pre>` block and terminals plain text, so nothing breaks.
"""

from __future__ import annotations

import html
import re
from typing import Any

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _pygments() -> Any:
    """The pygments modules we use, or None when Pygments is not installed."""
    try:
        import pygments
        from pygments import formatters, lexers
    except ImportError:
        return None
    return pygments, lexers, formatters


def highlight_terminal(source: str) -> str:
    """`source` with ANSI colors for a terminal (unchanged without Pygments).

    Every character of the source survives: stripping the escape codes gives
    back exactly `source`, so copying from the terminal is safe."""
    found = _pygments()
    if found is None:
        return source
    pygments, lexers, formatters = found
    colored = pygments.highlight(source, lexers.PythonLexer(stripnl=False, ensurenl=False),
                                 formatters.TerminalFormatter())
    # Pygments may normalize the trailing newline; the text itself is ours to keep.
    return colored if strip_ansi(colored) == source else source


def strip_ansi(text: str) -> str:
    """`text` without ANSI color codes."""
    return _ANSI.sub("", text)


def highlight_html(source: str) -> str:
    """`source` as an HTML block: highlighted by Pygments when installed, an
    escaped `<pre>` otherwise (inline styles, so no style sheet is needed)."""
    found = _pygments()
    if found is None:
        return f"<pre><code>{html.escape(source)}</code></pre>"
    pygments, lexers, formatters = found
    return pygments.highlight(source, lexers.PythonLexer(),
                              formatters.HtmlFormatter(noclasses=True, nobackground=True))


class GeneratedSource(str):
    """The source `s2sad.show` returns: a plain `str` (print it, compare it,
    write it to a file) that renders as highlighted Python in Jupyter and as
    the source itself, not a quoted string, at an IPython prompt."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        return highlight_html(str(self))

    def _repr_markdown_(self) -> str:
        fence = "````" if "```" in self else "```"
        return f"{fence}python\n{self.rstrip()}\n{fence}\n"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self).rstrip("\n"))


__all__ = ["GeneratedSource", "highlight_terminal", "highlight_html", "strip_ansi"]
