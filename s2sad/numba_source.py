"""The generated code as a module Numba can compile and cache.

The NumPy backend runs the emitter's function as it is: its helpers are
bound in closure cells, and `reversed(range(n))` runs backward loops. For
Numba the same function is written out as the source of a module:

* each name it reads from outside is imported under that name: NumPy and
  `math` (or functions of theirs), Python builtins Numba knows, and the
  run-time helpers from `numba_runtime` (their Numba versions);
* `reversed(range(...))` becomes a `range` with a negative step;
* the emitter's comment markers are dropped.

A name bound to anything else is refused here, before Numba sees it, with
the reason: Numba would freeze a global number or array into the compiled
code (a training loop that rebinds a global weight matrix would go on using
the old one), and calls to other Python functions go through s2sad's
dispatcher, which Numba cannot call. The module's statements keep a map from
their line to the user's line, for Numba's errors.
"""

from __future__ import annotations

import ast
import builtins
import copy
import hashlib
import math
import re
import types
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Builtins whose Numba implementations agree with Python's on the values
# generated code gives them (numbers, arrays, tuples).
# (Not `isinstance`: Numba types a Python bool and a NumPy integer as its own
# boolean and int64, so `isinstance(True, int)` is False there, and
# `isinstance(np.int64(3), int)` True.)
BUILTINS = frozenset({"range", "len", "min", "max", "abs", "float", "int", "bool", "round",
                      "enumerate", "zip", "print", "divmod", "pow", "slice"})
MODULES = {"numpy": np, "math": math}


class NotCompilable(Exception):
    """The generated code reads something the Numba backend cannot compile:
    `what` names it, `line` is the user's line (if known)."""

    def __init__(self, what: str, line: int | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.line = line


@dataclass
class ModuleSource:
    """A generated function as module text, and the user's line of each line."""

    text: str
    name: str
    lines: dict[int, int] = field(default_factory=dict)
    defaults: tuple = ()  # of the function's parameters (not in the text: they may be any object)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:24]


def module_source(func: types.FunctionType, fdef: ast.FunctionDef, helpers: dict[str, Any],
                  reductions: dict[str, Any], stamp: str, origin: str,
                  vectorized: dict[str, Any] | None = None) -> ModuleSource:
    """The module for the generated function `func` (emitted as `fdef`):
    `helpers` maps run-time helper names to their Numba versions' names in
    `numba_runtime`, `reductions` NumPy's reductions to the functions that
    take their axis and keepdims there, `vectorized` NumPy ufuncs to the
    functions that call NumPy's loop on big arrays; `stamp` goes into the
    text (a change of the helpers' source must change the module's name, or
    Numba's cache would keep code compiled against the old ones)."""
    namespace = _namespace(func)
    _refuse_returned_slices(fdef, namespace)
    _refuse_dicts(fdef)
    fdef = _Rewrite(namespace, reductions, vectorized or {}).visit(
        _without_markers(copy.deepcopy(fdef)))
    _popped_indices_as_ints(fdef)
    defaults = _positional(fdef, func)
    free = _free_names(fdef)
    imports = [_import(name, namespace, helpers, fdef) for name in sorted(free)]
    _rename_locals(fdef, free)
    header = [f"# s2sad: the Numba backend's copy of the code generated for {origin}",
              f"# helpers {stamp}"]
    ours = sorted({n.id for n in ast.walk(fdef) if isinstance(n, ast.Name)
                   and n.id.startswith("__s2sad_")})  # (range_last, reduce_max, ...)
    header += [f"from s2sad.numba_runtime import {name[8:]} as {name}" for name in ours]
    header += [line for line in imports if line]
    body = ast.unparse(ast.fix_missing_locations(ast.Module([fdef], type_ignores=[])))
    text = "\n".join(header) + "\n\n\n" + body + "\n"
    return ModuleSource(text, fdef.name, _line_map(fdef, text), defaults)


# run-time helpers of `numba_runtime` that take an index, and its position
_INDEX_ARGUMENTS = {"add_at": 1, "added_at": 1, "getitem_adjoint": 2, "index_adjoint": 2,
                    "index_added": 3, "index_added_into": 3, "read_slice": 1}


def _popped_indices_as_ints(fdef: ast.FunctionDef) -> None:
    """`i = tape.pop()` as `i = as_index(tape.pop())` where i indexes an array
    (`x[i]`, `add_at(dx, i, g)`), in place: a tape that also holds floats is
    a list of floats in Numba, whose pop of an int pushed (`while i < n: s +=
    x[i]; i += 1`) is a float, which no index takes. (The value is one the
    forward pass indexed with, pushed exactly: `exact_item`.)"""
    popped = {node.targets[0].id for node in ast.walk(fdef)
              if isinstance(node, ast.Assign) and len(node.targets) == 1 and
              isinstance(node.targets[0], ast.Name) and _is_tape_pop(node.value)}
    indexing: set[str] = set()
    for node in ast.walk(fdef):
        if isinstance(node, ast.Subscript):
            parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            indexing.update(p.id for p in parts if isinstance(p, ast.Name))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in _INDEX_ARGUMENTS:
            at = node.args[_INDEX_ARGUMENTS[node.func.id]:][:1]
            indexing.update(a.id for a in at if isinstance(a, ast.Name))
    for node in ast.walk(fdef):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name) and node.targets[0].id in popped & indexing:
            node.value = ast.Call(ast.Name("__s2sad_as_index", ast.Load()), [node.value], [])


def _is_tape_pop(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
        node.func.attr == "pop" and isinstance(node.func.value, ast.Name) and \
        node.func.value.id.startswith("tape") and not node.args


def _refuse_dicts(fdef: ast.FunctionDef) -> None:
    """A dict made in the code (a display: a dict result, a tangent's): Numba
    makes a typed dict of it, which it hands back to Python as one (not a
    dict), or fails to (string keys of literal types: a SystemError)."""
    for node in ast.walk(fdef):
        if isinstance(node, ast.Dict):
            raise NotCompilable("a dict, which Numba makes a typed dict of",
                                getattr(node, "lineno", None))


def _refuse_returned_slices(fdef: ast.FunctionDef, namespace: dict[str, Any]) -> None:
    """A forward half may return an index kept as a value (`np.s_[a:b]`) in
    the state its backward half reads; Numba takes such a slice but cannot
    hand one back to Python (it fails after running: a SystemError)."""
    kept = {node.targets[0].id for node in ast.walk(fdef)
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name) and _is_index_value(node.value, namespace)}
    values = [node.value for node in ast.walk(fdef) if isinstance(node, ast.Return) and node.value]
    tuples = {node.targets[0].id: node.value for node in ast.walk(fdef)
              if isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Tuple)}
    returned = {n.id for value in values for n in ast.walk(value) if isinstance(n, ast.Name)}
    for name in list(returned):  # (the state: a tuple assigned, then returned)
        if name in tuples:
            values.append(tuples[name])
            returned |= {n.id for n in ast.walk(tuples[name]) if isinstance(n, ast.Name)}
    direct = [n for value in values for n in ast.walk(value) if _is_index_value(n, namespace)]
    if kept & returned or direct:  # (kept by name, or written in the state itself)
        line = _first_use(fdef, min(kept & returned)) if kept & returned else \
            getattr(direct[0], "lineno", None)
        raise NotCompilable("a slice kept for the backward pass, which Numba cannot hand back "
                            "to Python", line)


def _is_index_value(node: ast.expr, namespace: dict[str, Any]) -> bool:
    """Is `node` `np.s_[...]`?"""
    return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and \
        node.value.attr == "s_" and isinstance(node.value.value, ast.Name) and \
        _resolve(node.value.value.id, namespace) is np


def _rename_locals(fdef: ast.FunctionDef, free: set[str]) -> None:
    """Rename the locals Numba could confuse with a version of another name:
    Numba calls the second value of `x` `x.1` and, compiling array
    expressions, `x_1`, which may be a variable of the generated code too
    (`dw_1` assigned twice met `dw_1_1`). Such names (`name_<digits>` where
    `name` is a variable) get a trailing `__`, which no version name has."""
    names = {a.arg for a in fdef.args.args}
    names |= {n.id for n in ast.walk(fdef) if isinstance(n, ast.Name)} - free
    clash = {n for n in names if (m := _VERSION.match(n)) and m.group(1) in names}
    renamed: dict[str, str] = {}
    for n in sorted(clash):  # (a trailing `__`, or more where the user has that name)
        new = n + "__"
        while new in names or new in renamed.values():
            new += "_"
        renamed[n] = new
    for node in ast.walk(fdef):
        if isinstance(node, ast.Name) and node.id in renamed:
            node.id = renamed[node.id]
    copies = [ast.copy_location(ast.Assign([ast.Name(renamed[a.arg], ast.Store())],
                                           ast.Name(a.arg, ast.Load())), fdef)
              for a in fdef.args.args if a.arg in clash]  # (a parameter keeps its name)
    fdef.body[:0] = copies


_VERSION = re.compile(r"^(.+)_(\d+)$")


def _positional(fdef: ast.FunctionDef, func: types.FunctionType) -> tuple:
    """Make the keyword-only parameters (a forward layer's tangents) positional
    ones with defaults, after the others: Numba's dispatcher does not bind
    keyword-only parameters, and callers pass these by name. Returns the
    defaults of the new parameter list (the text shows them as `show` does,
    but the function's `__defaults__` are these objects)."""
    args = fdef.args
    if args.vararg or args.kwarg or args.posonlyargs:
        raise NotCompilable("a function with *args, **kwargs or positional-only parameters",
                            getattr(fdef, "lineno", None))
    keyword = dict(func.__kwdefaults__ or {})
    defaults = tuple(func.__defaults__ or ()) + tuple(keyword.get(a.arg) for a in args.kwonlyargs)
    # (a default the text cannot spell shows as None: `...` would read as a name)
    shown = [ast.Constant(None) if isinstance(d, ast.Name) and d.id == "..." else d
             for d in [*args.defaults, *(d or ast.Constant(None) for d in args.kw_defaults)]]
    shown = ([ast.Constant(None)] * len(defaults) + shown)[len(shown):]  # one per default
    fdef.args = ast.arguments(posonlyargs=[], args=[*args.args, *args.kwonlyargs], vararg=None,
                              kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=shown)
    return defaults


def _namespace(func: types.FunctionType) -> dict[str, Any]:
    """What each free name of `func` is bound to: its closure cells, then its globals."""
    names = dict(func.__globals__)
    for name, cell in zip(func.__code__.co_freevars, func.__closure__ or ()):
        try:
            names[name] = cell.cell_contents
        except ValueError:
            pass
    return names


_ABSENT = object()


def _resolve(name: str, namespace: dict[str, Any]) -> Any:
    if name in namespace:
        return namespace[name]
    return getattr(builtins, name, _ABSENT)


def _import(name: str, namespace: dict[str, Any], helpers: dict[str, Any],
            fdef: ast.FunctionDef) -> str:
    """The import that binds `name` as the generated code needs it, or
    NotCompilable saying why it cannot be."""
    obj = _resolve(name, namespace)
    line = _first_use(fdef, name)
    if isinstance(obj, types.ModuleType):
        if obj.__name__ in MODULES:
            return f"import {obj.__name__} as {name}"
        raise NotCompilable(f"the module `{name}` ({obj.__name__}): Numba compiles calls into "
                            "NumPy and math only", line)
    if getattr(builtins, name, _ABSENT) is obj and name in BUILTINS:
        return ""
    owner = _library_function(obj)
    if owner:
        return f"from {owner} import {obj.__name__} as {name}"
    for helper, numba_name in helpers.items():
        if obj is helper:
            return f"from s2sad.numba_runtime import {numba_name} as {name}"
    raise NotCompilable(_why_not(name, obj), line)


def _library_function(obj: Any) -> str:
    """'numpy' or 'math' if obj is one of their functions (by its own name)."""
    name = getattr(obj, "__name__", None)
    for module_name, module in MODULES.items():
        if name and getattr(module, name, None) is obj and callable(obj):
            return module_name
    return ""


def _why_not(name: str, obj: Any) -> str:
    if obj is _ABSENT:
        return f"the name `{name}`, which is not defined"
    if getattr(builtins, name, _ABSENT) is obj:
        return f"the builtin `{name}`"
    if isinstance(obj, (int, float, complex, bool, np.ndarray, np.generic, tuple, list, dict)):
        return (f"the global or enclosing variable `{name}` (a {type(obj).__name__}), which "
                "Numba would freeze into the compiled code although it may be rebound later")
    if getattr(obj, "__module__", "").startswith("s2sad"):
        what = getattr(obj, "__name__", name)
        if what.startswith("call_"):
            return "a call to another Python function (s2sad compiles each callee on its own)"
        return f"s2sad's run-time helper `{what}`, which has no Numba version yet"
    return f"`{name}` ({type(obj).__name__})"


def _free_names(fdef: ast.FunctionDef) -> set[str]:
    loaded, stored = set(), {a.arg for a in (*fdef.args.posonlyargs, *fdef.args.args,
                                             *fdef.args.kwonlyargs)}
    for node in ast.walk(fdef):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else stored).add(node.id)
    return {name for name in loaded - stored if not name.startswith("__s2sad_")}


def _first_use(fdef: ast.FunctionDef, name: str) -> int | None:
    for node in ast.walk(fdef):
        if isinstance(node, ast.Name) and node.id == name and hasattr(node, "lineno"):
            return node.lineno
    return None


def _without_markers(fdef: ast.FunctionDef) -> ast.FunctionDef:
    """The function without the emitter's comment markers (string statements)
    and `del`s (`release.py`'s, which free arrays early: Numba refuses `del`,
    and frees a variable's array after its last use itself)."""
    for node in ast.walk(fdef):
        for attr in ("body", "orelse"):
            block = getattr(node, attr, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                kept = [s for s in block if not _is_marker(s)]
                setattr(node, attr, kept or ([ast.Pass()] if attr == "body" else []))
    return fdef


def _is_marker(stmt: ast.stmt) -> bool:
    """A string alone as a statement: the emitter's comments (`emit.MARKER`;
    any such statement does nothing, so all go); or `del` of local names."""
    if isinstance(stmt, ast.Delete):
        return all(isinstance(t, ast.Name) for t in stmt.targets)
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and \
        isinstance(stmt.value.value, str)


# integer arithmetic that raises where Python's ints would leave int64
_CHECKED = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.FloorDiv: "floordiv"}


# Python's number types as dtypes, and NumPy's they stand for
_NUMPY_TYPES = {bool: "bool_", int: "int64", float: "float64", complex: "complex128"}


class _Rewrite(ast.NodeTransformer):
    """What Numba does not compile, as what it does: `reversed(range(...))`
    as a range that counts down, and NumPy's reductions with `keepdims`, or
    max and min with an axis, as the helpers of `numba_runtime`; and what
    Numba compiles slowly as what is fast: NumPy's transcendental ufuncs of
    one argument as `numba_runtime`'s calls of NumPy's own loops."""

    def __init__(self, namespace: dict[str, Any], reductions: dict[str, Any],
                 vectorized: dict[str, Any]) -> None:
        self.namespace = namespace
        self.reductions = reductions
        self.vectorized = vectorized

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        self.numpy_dtype(node)
        self.stable_argsort(node)
        return self.reduction(node) or self.vector_call(node) or self.pythons_number(node) or \
            self.tape_push(node) or self.reversed_range(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        """`a ** b` as `power(a, b)`, which refuses two integers (Python's
        `n ** -1` is a float, Numba's 0), unless b is a literal natural number;
        `a + b`, `a - b`, `a * b` as `add`, `sub`, `mul`, which raise where two
        integers leave int64 (Python's ints grow, Numba's wrap around), unless
        an operand is a float literal."""
        self.generic_visit(node)
        checked = _CHECKED.get(type(node.op))
        floats = any(isinstance(v, ast.Constant) and type(v.value) is float
                     for v in (node.left, node.right))
        if checked is not None and not floats:
            return ast.copy_location(ast.Call(ast.Name(f"__s2sad_{checked}", ast.Load()),
                                              [node.left, node.right], []), node)
        if not isinstance(node.op, ast.Pow):
            return node
        helper = "power_n" if isinstance(node.right, ast.Constant) and \
            type(node.right.value) is int and node.right.value >= 0 else "power"
        if helper == "power_n" and floats:
            return node
        return ast.copy_location(ast.Call(ast.Name(f"__s2sad_{helper}", ast.Load()),
                                          [node.left, node.right], []), node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        """`-a` as `neg(a)`: -(-2**63) leaves int64. `~a` as `invert(a)`,
        which refuses a boolean number: Python's `~True` is -2, Numba's (a
        Python bool and NumPy's are one type there) False."""
        self.generic_visit(node)
        helper = "neg" if isinstance(node.op, ast.USub) else \
            "invert" if isinstance(node.op, ast.Invert) else None
        if helper is None or isinstance(node.operand, ast.Constant):
            return node
        return ast.copy_location(ast.Call(ast.Name(f"__s2sad_{helper}", ast.Load()),
                                          [node.operand], []), node)

    def pythons_number(self, node: ast.Call) -> ast.AST | None:
        """`pow(a, b)`, `int(x)`, `math.floor(x)`, `math.ceil(x)` and `round(x[,
        n])` as `numba_runtime`'s, which give Python's result or refuse (int of a
        NaN raises as Python does; of a float beyond int64, Numba would wrap)."""
        helper = None
        if self._is(node.func, pow) and len(node.args) == 2 and not node.keywords:
            helper = "power"
        elif self._is(node.func, int) and len(node.args) == 1 and not node.keywords:
            helper = "to_int"
        elif self._is(node.func, round) and 1 <= len(node.args) <= 2 and not node.keywords:
            helper = "round_to"
        elif isinstance(node.func, ast.Attribute) and node.func.attr in ("floor", "ceil") and \
                isinstance(node.func.value, ast.Name) and \
                _resolve(node.func.value.id, self.namespace) is math and len(node.args) == 1:
            helper = node.func.attr
        if helper is None:
            return None
        return ast.copy_location(ast.Call(ast.Name(f"__s2sad_{helper}", ast.Load()),
                                          node.args, []), node)

    def tape_push(self, node: ast.Call) -> ast.AST | None:
        """`tape.append(v)` as `tape.append(exact_item(v))`: Numba keeps a list
        of ints and floats as floats, exact only up to 2**53 (beyond, an error)."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "append" and
                isinstance(func.value, ast.Name) and func.value.id.startswith("tape") and
                len(node.args) == 1):
            return None
        item = ast.Call(ast.Name("__s2sad_exact_item", ast.Load()), node.args, [])
        return ast.copy_location(ast.Call(func, [item], []), node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        """`np.s_[a:b, i]` (an index the generated code keeps as a value) as
        the `(slice(a, b, None), i)` it stands for, which Numba takes; with
        None or `...` inside, as it is (Numba then refuses it)."""
        self.generic_visit(node)
        if not _is_index_value(node, self.namespace):
            return node
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if any(isinstance(p, ast.Constant) and (p.value is None or p.value is Ellipsis)
               for p in parts):
            return node
        built = [_slice_call(p) if isinstance(p, ast.Slice) else p for p in parts]
        index = ast.Tuple(built, ast.Load()) if isinstance(node.slice, ast.Tuple) else built[0]
        return ast.copy_location(index, node)

    def vector_call(self, node: ast.Call) -> ast.AST | None:
        kind = self._numpy_name(node.func) if len(node.args) == 1 and not node.keywords \
            else ""
        if kind not in self.vectorized:
            return None
        helper = f"__s2sad_{self.vectorized[kind].__name__}"
        return ast.copy_location(ast.Call(ast.Name(helper, ast.Load()), node.args, []), node)

    def reduction(self, node: ast.Call) -> ast.AST | None:
        kind, args = self._numpy_name(node.func), list(node.args)
        if not kind and isinstance(node.func, ast.Attribute) and \
                node.func.attr in self.reductions:  # (an array's method: `a.max(axis=0)`)
            kind, args = node.func.attr, [node.func.value, *args]
        keywords = {k.arg: k.value for k in node.keywords}
        if kind not in self.reductions or not 1 <= len(args) <= 2 or \
                set(keywords) - {"axis", "keepdims"} or len(args) == 2 and "axis" in keywords:
            return None
        axis = args[1] if len(args) == 2 else keywords.get("axis", ast.Constant(None))
        if "keepdims" not in keywords and (kind == "sum" or _is_none(axis)):
            return None  # (Numba's own)
        helper = f"__s2sad_{self.reductions[kind].__name__}"
        keepdims = keywords.get("keepdims", ast.Constant(False))
        return ast.copy_location(ast.Call(ast.Name(helper, ast.Load()),
                                          [args[0], axis, keepdims], []), node)

    def _numpy_name(self, func: ast.expr) -> str:
        """'sum' for `np.sum` (by what `np` is), '' for anything else."""
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
                _resolve(func.value.id, self.namespace) is np:
            return func.attr
        obj = _resolve(func.id, self.namespace) if isinstance(func, ast.Name) else None
        return getattr(obj, "__name__", "") if _library_function(obj) == "numpy" else ""

    def stable_argsort(self, node: ast.Call) -> None:
        """`np.argsort(a, kind="stable")` (or "mergesort", or `stable=True`) as
        Numba's mergesort, which orders ties as NumPy's stable sort does; any
        other argsort is refused: NumPy's default sort and Numba's order equal
        keys differently, and the indices are values the code goes on with."""
        method = isinstance(node.func, ast.Attribute) and node.func.attr == "argsort" and \
            not self._numpy_name(node.func)
        if not (self._numpy_name(node.func) == "argsort" or method):
            return
        keywords = {k.arg: k.value for k in node.keywords}
        kind = keywords.get("kind")
        stable = keywords.get("stable")
        if isinstance(kind, ast.Constant) and kind.value in ("stable", "mergesort") and \
                stable is None or isinstance(stable, ast.Constant) and stable.value is True \
                and kind is None:
            node.keywords = [k for k in node.keywords if k.arg not in ("kind", "stable")] + \
                [ast.keyword("kind", ast.Constant("mergesort"))]
            return
        raise NotCompilable("argsort without kind='stable' (NumPy's default sort and Numba's "
                            "order equal keys differently)", getattr(node, "lineno", None))

    def numpy_dtype(self, node: ast.Call) -> None:
        """`dtype=bool` (Python's type) of a NumPy call as `dtype=np.bool_`, and
        int, float and complex as NumPy's types they stand for: Numba's typing
        takes NumPy's (`np.eye(3, dtype=bool)` raised a TypeError in it)."""
        if not self._numpy_name(node.func) or _resolve("np", self.namespace) is not np:
            return
        for keyword in node.keywords:
            value = keyword.value
            obj = _resolve(value.id, self.namespace) if isinstance(value, ast.Name) else None
            if keyword.arg == "dtype" and isinstance(obj, type) and obj in _NUMPY_TYPES:
                keyword.value = ast.copy_location(ast.Attribute(
                    ast.Name("np", ast.Load()), _NUMPY_TYPES[obj], ast.Load()), value)

    def reversed_range(self, node: ast.Call) -> ast.AST:
        inner = node.args[0] if len(node.args) == 1 and not node.keywords else None
        if not (self._is(node.func, reversed) and isinstance(inner, ast.Call)
                and self._is(inner.func, range) and not inner.keywords
                and 1 <= len(inner.args) <= 3):
            return node
        start, stop, step = _range_args(inner.args)
        last = ast.Call(ast.Name("__s2sad_range_last", ast.Load()), [start, stop, step], [])
        back = ast.BinOp(copy.deepcopy(start), ast.Sub(), copy.deepcopy(step))
        down = ast.UnaryOp(ast.USub(), copy.deepcopy(step))
        return ast.copy_location(ast.Call(inner.func, [last, back, down], []), node)

    def _is(self, func: ast.expr, obj: Any) -> bool:
        return isinstance(func, ast.Name) and _resolve(func.id, self.namespace) is obj


def _slice_call(part: ast.Slice) -> ast.Call:
    """`a:b:c` as `slice(a, b, c)`, with None for what is left out."""
    bounds = [b if b is not None else ast.Constant(None)
              for b in (part.lower, part.upper, part.step)]
    return ast.Call(ast.Name("slice", ast.Load()), bounds, [])


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _range_args(args: list[ast.expr]) -> tuple[ast.expr, ast.expr, ast.expr]:
    if len(args) == 1:
        return ast.Constant(0), args[0], ast.Constant(1)
    if len(args) == 2:
        return args[0], args[1], ast.Constant(1)
    return args[0], args[1], args[2]


def _statements(node: ast.AST) -> list[ast.stmt]:
    """The statements under `node`, in order (the same order in a tree and in
    the tree parsed back from its unparsed text)."""
    out = []
    for attr in ("body", "orelse", "finalbody"):
        for stmt in getattr(node, attr, None) or ():
            if isinstance(stmt, ast.stmt):
                out.append(stmt)
                out.extend(_statements(stmt))
    return out


def _line_map(fdef: ast.FunctionDef, text: str) -> dict[int, int]:
    """Each line of the module's function (by the parsed-back text) -> the user's line."""
    parsed = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef))
    lines = {parsed.lineno: getattr(fdef, "lineno", 0)}
    for ours, theirs in zip(_statements(parsed), _statements(fdef)):
        if getattr(theirs, "lineno", None):
            for line in range(ours.lineno, (ours.end_lineno or ours.lineno) + 1):
                lines[line] = theirs.lineno  # (a nested statement, later, wins)
    return lines
