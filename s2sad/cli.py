"""The `s2sad` command line: print the gradient code s2sad generates.

    s2sad show examples/quickstart.py:f
    s2sad show mypackage.losses:loss --wrt w,b --ir
    s2sad show examples/quickstart.py:f --mode jvp      (or vjp, hessian)
    s2sad show examples/quickstart.py:f --graph grad.svg   (the dataflow, drawn)

Exit codes: 0 on success, 1 when s2sad cannot differentiate the function
(the message points at the offending line), 2 when the target itself is
wrong (no such file, module or function; malformed `FILE:FUNC`).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import __version__
from .api import show
from .display import highlight_terminal
from .errors import S2sadError
from .graph import write_graph

EXIT_OK = 0
EXIT_TRANSFORM = 1
EXIT_TARGET = 2


class TargetError(Exception):
    """The FILE:FUNC or module:FUNC target cannot be resolved to a function."""


# --------------------------------------------------------------------------
# Resolving a target to a function


def split_target(target: str) -> tuple[str, str]:
    """Split `where:FUNC`; split at the last colon so `C:\\dir\\f.py:g` works."""
    where, sep, name = target.rpartition(":")
    if not sep or not where or not name:
        raise TargetError(
            f"target {target!r} is not of the form FILE.py:FUNC or package.module:FUNC")
    return where, name


def looks_like_path(where: str) -> bool:
    """A target names a file if it ends in .py or contains a path separator."""
    seps = {"/", os.sep} | ({os.altsep} if os.altsep else set())
    return where.endswith(".py") or any(sep in where for sep in seps)


@contextmanager
def _on_sys_path(directory: str) -> Iterator[None]:
    """Put `directory` first on sys.path so the file's sibling imports resolve."""
    sys.path.insert(0, directory)
    try:
        yield
    finally:
        try:
            sys.path.remove(directory)
        except ValueError:  # the module removed it itself
            pass


def load_file(path: str) -> types.ModuleType:
    """Execute a .py file as a module without running its `__main__` block.

    The module sits in sys.modules under a private name while it executes,
    because dataclasses, typing and pickle look their module up there."""
    file = Path(path)
    if not file.is_file():
        raise TargetError(f"no such file: {path}")
    name = f"_s2sad_cli_target_{file.stem}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise TargetError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with _on_sys_path(str(file.resolve().parent)):
            spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        raise TargetError(f"cannot import {path}: {_one_line(exc)}") from None
    finally:
        sys.modules.pop(name, None)
    return module


def load_module(dotted: str) -> types.ModuleType:
    """Import `package.module` the normal way (the current directory is searched too)."""
    with _on_sys_path(os.getcwd()):
        try:
            return importlib.import_module(dotted)
        except (Exception, SystemExit) as exc:
            raise TargetError(f"cannot import module {dotted!r}: {_one_line(exc)}") from None


def find_function(module: types.ModuleType, where: str, name: str) -> Any:
    """Look up `name` (possibly dotted, like `Model.loss`) in `module`."""
    obj: Any = module
    for part in name.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise TargetError(f"{where} has no function named {name!r}") from None
    if not callable(obj):
        raise TargetError(f"{where}:{name} is a {type(obj).__name__}, not a function")
    return obj


def resolve(target: str) -> Any:
    """The function a `FILE.py:FUNC` or `package.module:FUNC` target names."""
    where, name = split_target(target)
    module = load_file(where) if looks_like_path(where) else load_module(where)
    return find_function(module, where, name)


def _one_line(exc: BaseException) -> str:
    """`Type: first line of message`, so a target error stays one line."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


# --------------------------------------------------------------------------
# Parsing --wrt


def parse_wrt(text: str) -> int | str | tuple[int | str, ...]:
    """`0` -> 0, `x` -> 'x', `0,y` -> (0, 'y'): the shapes `s2sad.grad` accepts."""
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise argparse.ArgumentTypeError(f"invalid --wrt {text!r}: empty item")
    parsed: list[int | str] = []
    for item in items:
        if item.lstrip("-").isdigit():
            parsed.append(int(item))
        elif item.isidentifier():
            parsed.append(item)
        else:
            raise argparse.ArgumentTypeError(
                f"invalid --wrt item {item!r}: use argument indices or names")
    return parsed[0] if len(parsed) == 1 else tuple(parsed)


# --------------------------------------------------------------------------
# Syntax highlighting (ANSI, through Pygments when installed), only for terminals

highlight = highlight_terminal


def use_color(choice: str, stream: Any) -> bool:
    """Color only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# --------------------------------------------------------------------------
# Commands


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser for `s2sad` and its `show` subcommand."""
    parser = argparse.ArgumentParser(
        prog="s2sad",
        description="Source-to-source automatic differentiation for Python and NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"s2sad {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    show_parser = commands.add_parser(
        "show",
        help="print the gradient code s2sad generates for a function",
        description="Print the Python source of the gradient of a function.",
        epilog="examples:\n  s2sad show examples/quickstart.py:f\n"
               "  s2sad show mypackage.losses:loss --wrt w,b",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    show_parser.add_argument(
        "target", metavar="TARGET",
        help="FILE.py:FUNC or package.module:FUNC (FUNC may be dotted, e.g. Model.loss)")
    show_parser.add_argument(
        "--wrt", type=parse_wrt, default=0, metavar="ARGS",
        help="arguments to differentiate: indices or names, comma-separated "
             "(e.g. 0, x, 0,1, x,y); default: 0")
    show_parser.add_argument(
        "--mode", choices=("grad", "jvp", "vjp", "hessian"), default="grad",
        help="which code: the gradient (default), forward mode (jvp), the two halves of a "
             "pullback (vjp), or forward over reverse mode (hessian)")
    show_parser.add_argument(
        "--backend", choices=("numpy", "numba", "auto"), default="numpy",
        help="the code that backend runs: as generated (numpy, default) or the module "
             "Numba compiles (numba, auto)")
    show_parser.add_argument(
        "--ir", action="store_true",
        help="print the primal and reversed intermediate representation instead")
    show_parser.add_argument(
        "--graph", metavar="FILE",
        help="also draw the generated code's dataflow: DOT text for FILE.dot, an image for "
             "FILE.svg/.png/.pdf where Graphviz's dot is installed (DOT text otherwise)")
    show_parser.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto",
        help="syntax-highlight the output (auto: only on a terminal without NO_COLOR)")
    return parser


def _error(message: str) -> int:
    """Report a bad target the way argparse reports usage errors: one line, exit 2."""
    print(f"s2sad: error: {message}", file=sys.stderr)
    return EXIT_TARGET


def run_show(args: argparse.Namespace) -> int:
    """`s2sad show`: resolve the target, transform it, print the result."""
    try:
        fn = resolve(args.target)
    except TargetError as exc:
        return _error(str(exc))
    try:
        text = show(fn, wrt=args.wrt, ir=args.ir, mode=args.mode, backend=args.backend)
    except S2sadError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_TRANSFORM
    if args.graph:
        source = text if not args.ir else show(fn, wrt=args.wrt, mode=args.mode)
        written = write_graph(source, args.graph, title=f"{args.target} ({args.mode})")
        note = "" if str(written) == args.graph else " (Graphviz's dot is not installed)"
        print(f"s2sad: wrote the dataflow graph to {written}{note}", file=sys.stderr)
    if use_color(args.color, sys.stdout):
        text = highlight(text)
    _write(text.rstrip("\n") + "\n")
    return EXIT_OK


def _write(text: str) -> None:
    """Write to stdout, staying quiet if the reader went away (`| head`)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `s2sad` script and `python -m s2sad`; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "show":
        return run_show(args)
    parser.print_help(sys.stderr)
    return EXIT_TARGET
