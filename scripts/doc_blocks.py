"""Run the code blocks of the documentation's markdown pages.

    python scripts/doc_blocks.py docs/tutorial.md      # run one page
    python scripts/doc_blocks.py                       # run every page

Each page's ```python blocks are written, in order, into one script in a
temporary folder and run there with the checkout's s2sad (s2sad reads
function sources, so the code must live in a real file, as a user's does).
Blocks that import a library that is not installed (JAX, autograd, Dask)
are left out and reported. Lines of ```sh blocks that start with `s2sad `
run as `python -m s2sad ...` from the repository's root. Generated pages
(how-it-works.md, ops.md) are produced by scripts that are tested
themselves, and are not run here. tests/test_docs.py runs this for every
page.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GENERATED = {"how-it-works.md", "ops.md"}  # rendered by scripts with their own tests
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^"
                   r"(?P=indent)(?P=fence)[ \t]*$", re.S | re.M)
OPTIONAL = ("jax", "autograd", "dask", "distributed", "cupy", "scipy", "matplotlib")


def pages() -> list[Path]:
    """The hand-written markdown pages of the site."""
    return sorted(p for p in DOCS.glob("*.md") if p.name not in GENERATED)


def blocks(text: str, lang: str) -> list[str]:
    """The bodies of the fenced blocks of one language, in order."""
    return [m.group("body") for m in FENCE.finditer(text) if m.group("lang") == lang]


def missing_imports(code: str) -> list[str]:
    """Optional libraries the block imports that are not installed."""
    wanted = set(re.findall(r"^\s*(?:import|from)\s+(\w+)", code, re.M))
    return sorted(m for m in wanted & set(OPTIONAL) if importlib.util.find_spec(m) is None)


def script_of(page: Path) -> tuple[str, list[str]]:
    """The page's runnable python blocks as one script, and what was left out."""
    parts, skipped = [], []
    for i, code in enumerate(blocks(page.read_text(), "python")):
        missing = missing_imports(code)
        if missing:
            skipped.append(f"{page.name} block {i + 1}: needs {', '.join(missing)}")
            continue
        parts.append(f"# ---- {page.name}, block {i + 1}\n{code}")
    return "\n".join(parts), skipped


def _env() -> dict[str, str]:
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep)
    return env


def run_page(page: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the page's python blocks as one script (in a fresh interpreter)."""
    script, _ = script_of(page)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"page_{page.stem.replace('-', '_')}.py"
        path.write_text(script)
        return subprocess.run([sys.executable, str(path)], cwd=ROOT, env=_env(),
                              capture_output=True, text=True, timeout=timeout)


def shell_commands(page: Path) -> list[str]:
    """The `s2sad ...` command lines of the page's ```sh blocks."""
    return [line.strip() for code in blocks(page.read_text(), "sh")
            for line in code.splitlines() if line.strip().startswith("s2sad ")]


def run_command(line: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run one `s2sad ...` line as `python -m s2sad ...` from the repository root."""
    args = shlex.split(line)[1:]
    return subprocess.run([sys.executable, "-m", "s2sad", *args], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=timeout)


def main(argv: list[str]) -> int:
    chosen = [Path(a) for a in argv] or pages()
    failed = 0
    for page in chosen:
        result = run_page(page)
        _, skipped = script_of(page)
        status = "ok" if result.returncode == 0 else "FAILED"
        print(f"{page.name}: {status}" + "".join(f"\n  skipped {s}" for s in skipped))
        if result.returncode:
            failed += 1
            print(result.stdout[-2000:], result.stderr[-4000:], sep="\n")
        for line in shell_commands(page):
            done = run_command(line)
            if done.returncode:
                failed += 1
                print(f"  FAILED: {line}\n{done.stderr[-2000:]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
