"""Local functions as values: closures.

A local `def` or `lambda` that is only called is inlined at each call
(`Calls.inline_call`). One used as a value (passed to another function,
returned, stored in a list, carried by a loop) becomes a closure made by the
generated code: `f = make_closure(f_lifted, w, b)`, where `f_lifted` is the
local function *lifted* out of its parent, the parent's variables it reads
(`w`, `b`) turned into leading parameters. The lifted function is a real
Python function with the user's code (line numbers included), so calling the
closure runs it, and the dispatcher compiles it like any function, with the
captured values as arguments: a closure over a differentiated value carries
its derivative, as a tuple over the values it holds.

Captured values are taken when the closure is made (where the function is
first used as a value), not when it is called; default arguments
(`lambda x, k=k: ...`) are held by the closure too.
"""

from __future__ import annotations

import ast
import copy
import inspect
import types
from typing import Any

import gast

from ..ir import Operand, Ref
from ..parsing import ParsedFunction
from ..runtime import ClosureInfo, make_closure
from .base import LowererBase
from .scans import LocalFunction

_PARAMETER_KINDS = {"posonlyargs": inspect.Parameter.POSITIONAL_ONLY,
                    "args": inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    "kwonlyargs": inspect.Parameter.KEYWORD_ONLY}


class Closures(LowererBase):
    """Making closures of local functions used as values."""

    def value_of(self, value: Any, node: Any = None) -> Any:
        """An operand for `value`: a local function becomes a closure."""
        if isinstance(value, LocalFunction):
            return self.materialize(value, node)
        return value

    def materialize(self, fn: LocalFunction, node: Any = None) -> Operand:
        """`make_closure(lifted, *captured, *defaults)` for a local function."""
        if fn in self.materializing:
            raise self.error("a local function that calls itself cannot be used as a value",
                             fn.node, "define recursive helpers at module level")
        self.materializing.append(fn)
        try:
            env = self.scope_env(fn)
            names = self.captured_names(fn, env)
            captured = [self.value_of(env[name]) for name in names]
            defaults = list(fn.defaults.values())
            lifted = self.lifted(fn, tuple(names))
            ref = Ref("$" + self.lift_names[lifted], lifted)
            hint = getattr(fn.node, "name", "") or "fn"
            made = self.emit("make_closure", [ref, *captured, *self.value_list(defaults)],
                             hint=hint, callee=Ref("$make_closure", make_closure))
            self.closure_reads[made] = (fn.scope, names)  # (for `check_kept_closures`)
            return made
        finally:
            self.materializing.pop()

    def value_list(self, values: list) -> list:
        return [self.value_of(v) for v in values]

    def scope_env(self, fn: LocalFunction) -> dict:
        """The environment a local function reads: the current one if it was
        made in this scope (Python's late binding), else the one it was made in."""
        return self.env if fn.scope == self.scope else fn.env

    def captured_names(self, fn: LocalFunction, env: dict) -> list[str]:
        """The parent's variables the local function reads (Python's own
        analysis of free variables, on the function nested in a factory that
        defines every candidate)."""
        candidates = [n for n in env if n.isidentifier()]
        parent_locals = set(self.parsed.fn.__code__.co_varnames) | \
            set(self.parsed.fn.__code__.co_cellvars) if self.parsed is not None else set()
        free = _free_names(fn.node, sorted(set(candidates) | parent_locals))
        missing = [n for n in free if n not in env]
        if missing:
            raise self.error(f"the local function reads {missing[0]!r} before it is assigned",
                             fn.node, "assign it before the function is passed on or stored")
        return [n for n in free if n in env]

    def local_function(self, node: Any) -> LocalFunction:
        """A local def or lambda, its defaults evaluated here, where Python
        evaluates them (`lambda k=x: k` keeps this x, whatever x is later)."""
        args = node.args
        positional = [a.id for a in [*args.posonlyargs, *args.args]]
        names = positional[len(positional) - len(args.defaults):] + \
            [a.id for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        values = [self.expr(d) for d in self.default_nodes(node)]
        return LocalFunction(node, self.env, self.scope, dict(zip(names, values)))

    def default_nodes(self, node: Any) -> list:
        args = node.args
        return [*args.defaults, *(d for d in args.kw_defaults if d is not None)]

    def lifted(self, fn: LocalFunction, captured: tuple) -> types.FunctionType:
        """The local function as a module-level one taking `captured` first
        (made once per lowering), with a source of its own for the pipeline."""
        key = (id(fn.node), captured)
        made = self.lifts.get(key)
        if made is not None:
            return made
        parsed = self.parsed
        node = copy.deepcopy(fn.node)
        args = node.args
        names = {"posonlyargs": [a.id for a in args.posonlyargs], "args": [a.id for a in args.args],
                 "kwonlyargs": [a.id for a in args.kwonlyargs]}
        with_default = _defaulted(fn.node)
        args.posonlyargs = [gast.Name(id=n, ctx=gast.Param(), annotation=None, type_comment=None)
                            for n in captured] + args.posonlyargs
        args.defaults, args.kw_defaults = [], [None] * len(args.kwonlyargs)
        for sub in gast.walk(node):
            if hasattr(sub, "lineno") and sub.lineno is None:
                gast.copy_location(sub, fn.node)
        name = getattr(node, "name", "lambda")
        lifted = _compile_lifted(node, name, parsed)
        signature = _signature(names, with_default, args) if with_default else None
        lifted.__s2sad_closure__ = ClosureInfo(name, len(captured), tuple(with_default),
                                               signature)
        lifted.__s2sad_source__ = ParsedFunction(lifted, node, parsed.filename,
                                                 parsed.line_offset, parsed.col_offset)
        self.lifts[key] = lifted
        taken = set(self.lift_names.values())
        label, k = name, 1
        while label in taken:  # (the generated code's name for it: one per function)
            k += 1
            label = f"{name}_{k}"
        self.lift_names[lifted] = label
        return lifted


def _defaulted(node: Any) -> list[str]:
    """The names of a local function's parameters with defaults, in order."""
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    out = [a.id for a in positional[len(positional) - len(args.defaults):]]
    out += [a.id for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    return out


def _signature(names: dict, with_default: list, args: Any) -> inspect.Signature:
    params = []
    for group, kind in _PARAMETER_KINDS.items():
        if group == "kwonlyargs" and args.vararg is not None:
            params.append(inspect.Parameter(args.vararg.id, inspect.Parameter.VAR_POSITIONAL))
        for n in names[group]:
            default = None if n in with_default else inspect.Parameter.empty
            params.append(inspect.Parameter(n, kind, default=default))
    if args.vararg is not None and not names["kwonlyargs"]:
        params.append(inspect.Parameter(args.vararg.id, inspect.Parameter.VAR_POSITIONAL))
    if args.kwarg is not None:
        params.append(inspect.Parameter(args.kwarg.id, inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(params)


def _free_names(node: Any, candidates: list[str]) -> list[str]:
    """Which of `candidates` the function `node` reads from outside itself."""
    tree = _as_def(copy.deepcopy(node), "__inner__")
    factory = ast.FunctionDef(
        name="__factory__", args=_plain_args(candidates),
        body=[*(ast.Assign([ast.Name(n, ast.Store())], ast.Constant(None)) for n in candidates),
              tree, ast.Return(ast.Name("__inner__", ast.Load()))],
        decorator_list=[], returns=None, type_comment=None)
    _fill_locations(factory)
    code = compile(ast.Module([factory], type_ignores=[]), "<s2sad>", "exec")
    inner = _find_code(code, "__inner__")
    return [n for n in inner.co_freevars if n in candidates]


def _compile_lifted(node: Any, name: str, parsed: ParsedFunction) -> types.FunctionType:
    """Compile the lifted local function under the user's file name and lines,
    inside a factory that binds the parent's closure cells it reads."""
    parent = parsed.fn
    outer = list(parent.__code__.co_freevars)
    tree = _as_def(copy.deepcopy(node), name)
    _fill_locations(tree, tree.lineno)
    ast.increment_lineno(tree, parsed.line_offset)
    factory = ast.FunctionDef(
        name="__s2sad_lift__", args=_plain_args(outer),
        body=[tree, ast.Return(ast.Name(name, ast.Load()))], decorator_list=[], returns=None,
        type_comment=None)
    _fill_locations(factory, tree.lineno)
    code = compile(ast.Module([factory], type_ignores=[]), parsed.filename, "exec")
    inner = _find_code(code, name)
    cells = dict(zip(outer, parent.__closure__ or ()))
    closure = tuple(cells.get(n) or types.CellType() for n in inner.co_freevars)
    return types.FunctionType(inner, parent.__globals__, name, None, closure or None)


def _as_def(node: Any, name: str) -> ast.FunctionDef:
    """A gast def or lambda as an ast `def name(...)`."""
    tree = gast.gast_to_ast(node)
    if isinstance(tree, ast.Lambda):
        body = ast.Return(tree.body)
        ast.copy_location(body, tree)
        tree = ast.FunctionDef(name=name, args=tree.args, body=[body], decorator_list=[],
                               returns=None, type_comment=None)
        ast.copy_location(tree, body)
    tree.name = name
    tree.decorator_list = []
    if hasattr(ast.FunctionDef, "type_params"):
        tree.type_params = []
    return tree


def _plain_args(names: list[str]) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in names], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _fill_locations(node: ast.AST, line: int = 1) -> None:
    for sub in ast.walk(node):
        if isinstance(sub, (ast.stmt, ast.expr, ast.arg, ast.keyword, ast.excepthandler)):
            if getattr(sub, "lineno", None) is None:
                sub.lineno = line
            for attr in ("end_lineno", "col_offset", "end_col_offset"):
                if getattr(sub, attr, None) is None:
                    setattr(sub, attr, sub.lineno if attr == "end_lineno" else 0)
    if hasattr(ast.FunctionDef, "type_params"):
        for sub in ast.walk(node):
            if isinstance(sub, ast.FunctionDef) and not hasattr(sub, "type_params"):
                sub.type_params = []


def _find_code(code: types.CodeType, name: str) -> types.CodeType:
    """The code object of the function called `name` nested in `code`."""
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_name == name:
                return const
            try:
                return _find_code(const, name)
            except LookupError:
                pass
    raise LookupError(name)


__all__ = ["Closures"]
