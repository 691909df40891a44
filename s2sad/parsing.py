"""Stage 1: from a live Python function to its gast syntax tree.

Keeps what later stages need to talk about the user's code: the file name,
the line offset of the snippet in its file, and the namespaces (closure,
globals, builtins) that names in the body resolve against.
"""

from __future__ import annotations
import __future__

import ast
import builtins
import contextlib
import copy
import functools
import inspect
import linecache
import os
import textwrap
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gast

from .errors import (  # noqa: F401  (is_library_file: for the lowering too)
    Loc,
    S2sadError,
    SourceUnavailableError,
    UnsupportedSyntaxError,
    is_library_file,
)

_MISSING = object()


@dataclass
class ParsedFunction:
    """A function's syntax tree plus where it came from."""

    fn: types.FunctionType
    node: gast.FunctionDef | gast.Lambda
    filename: str
    line_offset: int  # add to a node's lineno to get the line in `filename`
    col_offset: int  # indentation removed by dedent

    def loc(self, node: Any) -> Loc:
        line = getattr(node, "lineno", None) or getattr(self.node, "lineno", 1)
        lineno = line + self.line_offset
        col = getattr(node, "col_offset", 0) + self.col_offset
        text = linecache.getline(self.filename, lineno)
        return Loc(self.filename, lineno, col, text)

    def binding(self, name: str) -> Binding:
        """Where a free name resolves (closure cell, module globals or builtins)
        and what it holds now, so a compiled result can check it still does."""
        code = self.fn.__code__
        if self.fn.__closure__ and name in code.co_freevars:
            cell = self.fn.__closure__[code.co_freevars.index(name)]
            try:
                return Binding(name, "closure", cell, cell.cell_contents)
            except ValueError:  # an empty cell: the variable is not bound yet
                return Binding(name, "closure", cell, _MISSING)
        namespace = self.fn.__globals__
        if name in namespace:
            return Binding(name, "global", namespace, namespace[name])
        return Binding(name, "builtin", namespace, getattr(builtins, name, _MISSING))


@dataclass(frozen=True)
class Binding:
    """A free name of the user's function and where it was found: a closure
    `cell`, the module's globals dict, or builtins (absent from `holder`, the
    globals dict)."""

    name: str
    where: str  # "closure" | "global" | "builtin" | "import" (in the function)
    holder: Any  # the cell, or the globals dict
    value: Any


def is_missing(value: Any) -> bool:
    return value is _MISSING


def is_derivative(obj: Any) -> bool:
    """Is `obj` a function s2sad made (`grad(f)`), which carries how to
    differentiate it further (`nesting.Derivative`)?"""
    return getattr(obj, "__s2sad_derivative__", None) is not None


def unwrap(fn: Any) -> types.FunctionType:
    """The Python function to transform for `fn`: `fn` itself if it is one
    (a decorated function is its decorator's wrapper, which may change what it
    computes), the function of a bound method, or what a wrapper that is not
    a Python function (`functools.lru_cache`) wraps."""
    seen = set()
    while not isinstance(fn, (types.FunctionType, types.MethodType)) and \
            hasattr(fn, "__wrapped__") and id(fn) not in seen:
        seen.add(id(fn))
        fn = fn.__wrapped__
    if getattr(fn, "__s2sad_not_nested__", None) is not None:  # (a grad that cannot nest)
        message, hint = fn.__s2sad_not_nested__
        raise UnsupportedSyntaxError(message, hint=hint)
    if hasattr(fn, "__s2sad_transform__"):
        raise UnsupportedSyntaxError(
            f"differentiating the result of s2sad.{fn.__s2sad_transform__} again is not "
            "supported", hint="derivatives of derivatives go through grad: grad(grad(f)), "
            "s2sad.hessian(f), s2sad.hvp(f), s2sad.jacobian(s2sad.grad(f))")
    if isinstance(fn, types.MethodType):
        fn = fn.__func__
    if not isinstance(fn, types.FunctionType):
        raise SourceUnavailableError(
            f"s2sad can only transform Python functions, not {type(fn).__name__} {fn!r}",
            hint="pass a function defined with `def` in a .py file or a notebook cell",
        )
    return fn


def syntax_children(node: Any) -> list:
    """A syntax tree node's children (ast's or gast's), as ast.iter_child_nodes
    gives them, in a list: s2sad's walks of the user's statements and of the
    code it emits visit every node, and ast's generators of generators cost
    several times this loop."""
    children = []
    for field in node._fields:
        value = getattr(node, field, None)
        if type(value) is list:
            children.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


def walk_syntax(node: Any) -> list:
    """Every node of a syntax tree under `node`, itself first, in ast.walk's
    order, as a list (the lowering's scans walk the user's statements many
    times)."""
    found = [node]
    k = 0
    while k < len(found):
        found.extend(syntax_children(found[k]))
        k += 1
    return found


def parse_function(fn: Any) -> ParsedFunction:
    """Parse `fn`'s source into a gast tree, keeping file and line information."""
    fn = unwrap(fn)
    made = getattr(fn, "__s2sad_source__", None)
    if made is not None:  # a function s2sad made from the user's code (a lifted local one)
        return ParsedFunction(fn, copy.deepcopy(made.node), made.filename, made.line_offset,
                              made.col_offset)
    code = fn.__code__
    if code.co_name == "<lambda>":  # (it may sit inside any expression: parse its whole file)
        found = _lambda_in_file(fn)
        if found is not None:
            _check_current(fn, found)
            mangle_private_names(found.node, fn.__qualname__)
            return found
    try:
        # (by the code object: a function's own source, even if functools.wraps
        # gave it another's name and __wrapped__, which inspect would follow)
        lines, first_line = _source_lines(fn)
    except (OSError, TypeError) as exc:
        raise SourceUnavailableError(
            f"cannot read the source of {fn.__qualname__} ({exc})",
            hint="define the function in a file or notebook cell, not with exec() or in a REPL",
        ) from None
    source = "".join(lines)
    dedented = textwrap.dedent(source)
    first = next((ln for ln in source.splitlines() if ln.strip()), "")
    first_dedented = next((ln for ln in dedented.splitlines() if ln.strip()), "")
    col_offset = len(first) - len(first_dedented)
    tree = gast.parse(dedented)
    node = _find_definition(tree, fn)
    filename = code.co_filename
    parsed = ParsedFunction(fn, node, filename, max(first_line, 1) - 1, col_offset)
    _check_current(fn, parsed)
    mangle_private_names(node, fn.__qualname__)
    if isinstance(node, gast.AsyncFunctionDef):  # (calling it makes a coroutine)
        raise UnsupportedSyntaxError(
            f"{fn.__qualname__} is an async function: calling it makes a coroutine, which "
            "has no derivative", parsed.loc(None), "differentiate a plain def that computes "
            "the value (and call it from the async code)")
    return parsed


def mangle_private_names(node: Any, qualname: str) -> None:
    """Spell private names as Python compiled them (in place): in code
    written inside a class body, `self.__w` is `self._Model__w`, and so is
    every other identifier of two leading underscores and not two trailing
    ones (attributes, names, keyword arguments). The class is the innermost
    one `qualname` names (`Model.forward.<locals>.helper`: Model); a class
    defined inside the code mangles with its own name, which is left alone
    here. Without it, a base class's `self.__w` and a subclass's would be
    one attribute, and an object's own would not be found."""
    parts = qualname.split(".")
    owner = next((parts[i] for i in range(len(parts) - 2, -1, -1)
                  if parts[i + 1] != "<locals>" and parts[i] != "<locals>"), None)
    stem = owner.lstrip("_") if owner is not None else ""
    if not stem:
        return

    def mangled(name: str | None) -> str | None:
        private = name is not None and name.startswith("__") and not name.endswith("__") \
            and "." not in name
        return f"_{stem}{name}" if private else name

    todo = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, gast.Attribute):
            current.attr = mangled(current.attr)
        elif isinstance(current, gast.Name):
            current.id = mangled(current.id)
        elif isinstance(current, gast.keyword):
            current.arg = mangled(current.arg)
        elif isinstance(current, (gast.FunctionDef, gast.AsyncFunctionDef)) and current is not node:
            current.name = mangled(current.name)
        if isinstance(current, gast.ClassDef):
            continue  # (its body mangles with its own name)
        todo.extend(gast.iter_child_nodes(current))


def _source_lines(fn: types.FunctionType) -> tuple[list[str], int]:
    """The lines of fn's definition and the first one's number, as
    `inspect.getsourcelines(fn.__code__)` gives them (its file as linecache
    holds it now, the block from the code's first line), without its search
    of sys.modules for the module (a third of a first call's parse)."""
    code = fn.__code__
    linecache.checkcache(code.co_filename)
    lines = linecache.getlines(code.co_filename, fn.__globals__)
    first = code.co_firstlineno
    if not lines or not 0 < first <= len(lines):
        raise OSError("could not get source code")
    last = _definition_ends(code.co_filename, lines).get(first)
    if last is not None:
        return lines[first - 1:last], first
    return inspect.getblock(lines[first - 1:]), first


# each file's lines (as linecache holds them) and where its definitions end
_FILE_ENDS: dict[str, tuple[list, dict[int, int]]] = {}


def _definition_ends(filename: str, lines: list) -> dict[int, int]:
    """The last line of each def and class in the file, by its first line
    (its first decorator's): the file parsed once, where inspect.getblock
    would tokenize each function's lines again (a tenth of a first call).
    Empty where the file does not parse (getblock then finds the block)."""
    held = _FILE_ENDS.get(filename)
    if held is not None and held[0] is lines:
        return held[1]
    ends: dict[int, int] = {}
    try:
        tree = ast.parse("".join(lines))
    except (SyntaxError, ValueError):
        tree = None
    for node in walk_syntax(tree) if tree is not None else ():
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            ends[start] = max(ends.get(start, 0), node.end_lineno or node.lineno)
    _FILE_ENDS[filename] = (lines, ends)
    return ends


def _check_current(fn: types.FunctionType, parsed: ParsedFunction) -> None:
    """Refuse `fn` if its file no longer defines it as it runs."""
    if isinstance(parsed.node, (gast.FunctionDef, gast.Lambda)) and \
            "@py_builtins" not in fn.__globals__ and \
            not _source_compiles_to(fn.__code__):  # (pytest's rewritten asserts: other code)
        raise SourceUnavailableError(
            f"the source of {fn.__qualname__} in {parsed.filename} is not the code that runs: "
            "the file changed after the function was defined", parsed.loc(parsed.node),
            "reload the module (importlib.reload) or run the cell again, then differentiate")


# each file's lines (as linecache holds them) and their module's code, by
# file and `from __future__` flags
_FILE_CODE: dict[tuple[str, int], tuple[list, types.CodeType | None]] = {}
_FUTURE_FLAGS = functools.reduce(lambda a, b: a | b, (
    getattr(__future__, name).compiler_flag for name in __future__.all_feature_names))


def _source_compiles_to(code: types.CodeType) -> bool:
    """Does code's file, as linecache reads it now, still define code (at
    its line, with the same instructions, names and constants)? Not if the
    file changed after the function was defined: s2sad would differentiate
    other code than runs. The whole file is compiled, as Python compiled it
    (its imports and enclosing scopes change a function's instructions);
    where it does not compile as it is, nothing is said."""
    lines = linecache.getlines(code.co_filename)
    # (with the `from __future__` flags the function was compiled under, which
    # an earlier notebook cell or doctest may have given it, not its file)
    flags = code.co_flags & _FUTURE_FLAGS
    held = _FILE_CODE.get((code.co_filename, flags))
    if held is None or held[0] is not lines:
        try:
            module = compile("".join(lines), code.co_filename, "exec", flags=flags,
                             dont_inherit=True)
        except (SyntaxError, ValueError):
            module = None
        held = _FILE_CODE[(code.co_filename, flags)] = (lines, module)
    if held[1] is None:
        return True
    return any(_same_code(found, code) for found in _codes_at(held[1], code.co_name,
                                                              code.co_firstlineno))


def _codes_at(code: types.CodeType, name: str, line: int) -> Iterator[types.CodeType]:
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_name == name and const.co_firstlineno == line:
                yield const
            yield from _codes_at(const, name, line)


def _same_code(a: types.CodeType, b: types.CodeType) -> bool:
    """The same instructions, names and constants (nested code alike)."""
    if (a.co_code, a.co_names, a.co_varnames, a.co_freevars) != \
            (b.co_code, b.co_names, b.co_varnames, b.co_freevars) or \
            len(a.co_consts) != len(b.co_consts):
        return False
    for x, y in zip(a.co_consts, b.co_consts):
        if isinstance(x, types.CodeType) and isinstance(y, types.CodeType):
            if not _same_code(x, y):
                return False
        elif type(x) is not type(y) or repr(x) != repr(y):
            return False
    return True


def _lambda_in_file(fn: types.FunctionType) -> ParsedFunction | None:
    """A lambda's node, found in its whole file: on its first line, with its
    parameters, and (of several such) the one whose body holds its code's
    first position."""
    code = fn.__code__
    lines = linecache.getlines(code.co_filename)
    if not lines:
        return None
    try:
        tree = gast.parse("".join(lines))
    except SyntaxError:
        return None
    params = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    candidates = [n for n in gast.walk(tree) if isinstance(n, gast.Lambda)
                  and n.lineno == code.co_firstlineno
                  and tuple(a.id for a in [*n.args.posonlyargs, *n.args.args,
                                           *n.args.kwonlyargs]) == params]
    if len(candidates) > 1:
        candidates = _holding_code(candidates, code)
    if len(candidates) != 1:
        return None
    return ParsedFunction(fn, candidates[0], code.co_filename, 0, 0)


def _holding_code(lambdas: list, code: types.CodeType) -> list:
    """Of several lambdas on one line, the innermost whose span holds every
    position of `code`'s instructions (none if that does not decide)."""
    spans = [(p[0], p[2], p[1], p[3]) for p in code.co_positions()
             if None not in p and (p[0], p[2]) != (p[1], p[3])]  # (RESUME's is empty)
    holding = [n for n in lambdas if spans and all(
        (n.lineno, n.col_offset) <= (line, col) and (end_line, end_col) <=
        (n.end_lineno, n.end_col_offset) for line, col, end_line, end_col in spans)]
    if not holding:
        return []
    inner = min(holding, key=lambda n: (n.end_lineno - n.lineno, n.end_col_offset - n.col_offset))
    return [inner]


def _find_definition(tree: gast.AST, fn: types.FunctionType) -> gast.AST:
    """The def (or lambda) node in `tree` that `fn` was made from."""
    name = fn.__code__.co_name
    for node in gast.walk(tree):
        if isinstance(node, (gast.FunctionDef, gast.AsyncFunctionDef)) and node.name == name:
            return node
    lambdas = [n for n in gast.walk(tree) if isinstance(n, gast.Lambda)]
    if name == "<lambda>" and lambdas:
        params = fn.__code__.co_varnames[: fn.__code__.co_argcount]
        matching = [n for n in lambdas if tuple(a.id for a in n.args.args) == params]
        if len(matching) == 1:
            return matching[0]
        if matching:  # (never a guess: another lambda's code would run)
            raise SourceUnavailableError(
                f"cannot tell which of {len(matching)} lambdas in its source "
                f"{fn.__qualname__} is", hint="give the lambda a name with `def`")
    raise SourceUnavailableError(
        f"cannot find the definition of {fn.__qualname__} in its source",
        hint="define the function with `def` at the top level of a module or notebook cell",
    )


_OWN_DIRECTORY = os.path.dirname(os.path.abspath(__file__)) + os.sep


def is_own_file(path: str) -> bool:
    """Is `path` one of s2sad's own files (not the user's code)?"""
    return os.path.abspath(path).startswith(_OWN_DIRECTORY)


def user_frame_loc(exc: BaseException) -> Loc | None:
    """The innermost frame of the user's code in exc's traceback (generated
    code carries the file and line numbers of the function it came from, a
    helper's in a helper): where a run-time check's error points."""
    loc = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if not is_own_file(code.co_filename) and os.path.exists(code.co_filename) and \
                not is_library_file(code.co_filename):
            line = tb.tb_lineno
            text = linecache.getline(code.co_filename, line)
            loc = Loc(code.co_filename, line, len(text) - len(text.lstrip()), text)
        tb = tb.tb_next
    return loc


@contextlib.contextmanager
def errors_located() -> Iterator[None]:
    """Point an s2sad error raised by a run-time check in generated code
    (which has no location) at the user's line it ran for."""
    try:
        yield
    except S2sadError as exc:
        if exc.loc is not None:
            raise
        raise type(exc)(exc.message, user_frame_loc(exc), exc.hint) from None
