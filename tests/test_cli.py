"""The `s2sad` command line, run as a real subprocess the way users run it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from s2sad import cli
from s2sad.display import strip_ansi

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "examples" / "quickstart.py"


def run(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m s2sad ARGS` with stdout piped (so never a terminal)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "s2sad", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


def write(path: Path, source: str) -> Path:
    path.write_text(textwrap.dedent(source))
    return path


@pytest.fixture
def two_args(tmp_path: Path) -> Path:
    return write(tmp_path / "two.py", """\
        import numpy as np

        def f(x, y):
            z = x * y
            return np.sin(z) + z
        """)


# ---------------------------------------------------------------- success


def test_show_quickstart_prints_plain_source():
    result = run("show", f"{QUICKSTART}:f")
    assert result.returncode == 0, result.stderr
    assert "def df(" in result.stdout
    assert "\x1b[" not in result.stdout  # piped: no ANSI colors
    assert result.stderr == ""
    compile(result.stdout, "<generated>", "exec")  # it is real Python


def test_show_relative_path_from_repo_root():
    result = run("show", "examples/quickstart.py:f")
    assert result.returncode == 0, result.stderr
    assert "def df(" in result.stdout


def test_main_block_of_target_does_not_run():
    result = run("show", "examples/quickstart.py:f")
    assert "check_grad" not in result.stdout
    assert "gradient:" not in result.stdout


def test_ir_prints_primal_and_reversed_ir(two_args: Path):
    result = run("show", f"{two_args}:f", "--ir")
    assert result.returncode == 0, result.stderr
    assert "# primal IR" in result.stdout
    assert "# reversed IR" in result.stdout
    assert "mul(%x" in result.stdout


@pytest.mark.parametrize("wrt", ["y", "1"])
def test_wrt_second_argument(two_args: Path, wrt: str):
    result = run("show", f"{two_args}:f", "--wrt", wrt)
    assert result.returncode == 0, result.stderr
    assert "dy = " in result.stdout
    assert "dx = " not in result.stdout


@pytest.mark.parametrize("wrt", ["x,y", "0,1", "0, y"])
def test_wrt_several_arguments(two_args: Path, wrt: str):
    result = run("show", f"{two_args}:f", "--wrt", wrt)
    assert result.returncode == 0, result.stderr
    assert "dx = " in result.stdout and "dy = " in result.stdout
    assert "(dx, dy)" in result.stdout


def test_module_function_form(tmp_path: Path):
    package = tmp_path / "mypkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    write(package / "losses.py", """\
        import numpy as np

        def loss(w):
            return np.sum(np.exp(w))
        """)
    result = run("show", "mypkg.losses:loss", env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "def dloss(" in result.stdout


def test_module_form_finds_modules_in_current_directory(tmp_path: Path):
    write(tmp_path / "here.py", "def f(x):\n    return x * x\n")
    result = run("show", "here:f", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_file_with_sibling_import_and_dataclass(tmp_path: Path):
    write(tmp_path / "helpers.py", "SCALE = 3.0\n")
    write(tmp_path / "model.py", """\
        from dataclasses import dataclass

        from helpers import SCALE

        @dataclass
        class Config:
            scale: float = SCALE

        def f(x):
            return x * Config().scale
        """)
    result = run("show", f"{tmp_path / 'model.py'}:f")
    assert result.returncode == 0, result.stderr
    assert "def df(" in result.stdout


def test_help():
    top = run("--help")
    assert top.returncode == 0 and "show" in top.stdout
    sub = run("show", "--help")
    assert sub.returncode == 0
    assert "--wrt" in sub.stdout and "--ir" in sub.stdout


# ---------------------------------------------------------------- bad targets: exit 2


def assert_target_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("s2sad: error:"), lines[0]
    for needle in needles:
        assert needle in lines[0]
    assert result.stdout == ""


def test_missing_file(tmp_path: Path):
    assert_target_error(run("show", f"{tmp_path / 'nope.py'}:f"), "nope.py")


def test_missing_function():
    assert_target_error(run("show", "examples/quickstart.py:nope"), "nope")


def test_target_without_colon():
    assert_target_error(run("show", "examples/quickstart.py"), "FILE.py:FUNC")


@pytest.mark.parametrize("target", [":f", "examples/quickstart.py:"])
def test_target_with_empty_part(target: str):
    assert_target_error(run("show", target))


def test_missing_module():
    assert_target_error(run("show", "no_such_module_s2sad:f"), "no_such_module_s2sad")


def test_file_that_fails_to_import(tmp_path: Path):
    broken = write(tmp_path / "broken.py", """\
        import no_such_module_s2sad

        def f(x):
            return x
        """)
    assert_target_error(run("show", f"{broken}:f"), "ModuleNotFoundError")


def test_file_with_syntax_error(tmp_path: Path):
    broken = write(tmp_path / "syntax.py", "def f(x):\n    return x +\n")
    assert_target_error(run("show", f"{broken}:f"), "SyntaxError")


def test_target_that_is_not_a_function(tmp_path: Path):
    module = write(tmp_path / "values.py", "f = 3\n")
    assert_target_error(run("show", f"{module}:f"), "not a function")


# ---------------------------------------------------------------- s2sad errors: exit 1


def test_unsupported_construct_exits_1_with_location(tmp_path: Path):
    source = write(tmp_path / "unsupported.py", """\
        def f(x):
            try:
                y = x * 2
            except ValueError:
                y = x
            return y
        """)
    result = run("show", f"{source}:f")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert f"{source}:2:" in first
    assert "try:" in result.stderr  # the offending line is quoted


def test_unknown_wrt_name_exits_1(two_args: Path):
    result = run("show", f"{two_args}:f", "--wrt", "z")
    assert result.returncode == 1
    assert "'z'" in result.stderr


def test_malformed_wrt_is_a_usage_error(two_args: Path):
    result = run("show", f"{two_args}:f", "--wrt", "x,,y")
    assert result.returncode == 2
    assert "--wrt" in result.stderr


# ---------------------------------------------------------------- in-process units


def test_parse_wrt_shapes():
    assert cli.parse_wrt("0") == 0
    assert cli.parse_wrt("x") == "x"
    assert cli.parse_wrt("0,1") == (0, 1)
    assert cli.parse_wrt(" x , y ") == ("x", "y")
    assert cli.parse_wrt("-1") == -1


def test_split_target_uses_last_colon():
    assert cli.split_target(r"C:\code\f.py:g") == (r"C:\code\f.py", "g")


def test_highlight_keeps_text_and_colors_tokens():
    pytest.importorskip("pygments", reason="colors come from Pygments, an optional dependency")
    source = "def f(x):\n    # note\n    return len('a') + 1.5  # end\n"
    colored = cli.highlight(source)
    assert "\x1b[" in colored
    assert strip_ansi(colored) == source  # every character kept
    for token in ("def", "len", "1.5", "# note"):
        assert f"m{token}\x1b[" in colored, token  # each token is colored on its own


def test_highlight_without_pygments_is_plain(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "pygments", None)  # as if not installed
    source = "def f(x):\n    return x\n"
    assert cli.highlight(source) == source


def test_highlight_leaves_unterminated_text_intact():
    source = 'x = """unterminated\n'
    assert strip_ansi(cli.highlight(source)) == source


class _Tty:
    def isatty(self) -> bool:
        return True


def test_color_only_on_terminals_without_no_color(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli.use_color("auto", _Tty())
    assert not cli.use_color("auto", object())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli.use_color("auto", _Tty())
    assert cli.use_color("always", object())
    assert not cli.use_color("never", _Tty())


def test_show_mode_jvp(tmp_path, capsys):
    path = tmp_path / "prog.py"
    path.write_text("import numpy as np\n\ndef f(x):\n    return np.sum(np.sin(x))\n")
    assert cli.main(["show", f"{path}:f", "--mode", "jvp", "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "def jf(x, *, x_dot):" in out and "np.cos(x)" in out
