"""`backend="numba"`: the generated code compiled by Numba, cached on disk.

Numba caches a compiled function next to its source file, so the generated
function is written out as a module (`numba_source.py`) into a private
directory (`cache_dir()`, mode 0700, checked to be the user's own and not
writable by others: Python imports the files in it), under a name that is a
hash of its text. The same gradient in another process writes the same file
and Numba finds its cached machine code there: a second process does not
compile again. Compilation itself is lazy, on the first call with each new
combination of argument types, as Numba's dispatchers do.

Only this module and `numba_runtime` import Numba, and only the backend
selection (`backends.py`) imports this module, when a transform asks for it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import inspect
import linecache
import os
import re
import stat
import sys
import types
import warnings
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba
import numpy as np
from numba.core.errors import NumbaError, NumbaWarning

from . import numba_runtime, targets
from .errors import BackendError, Loc
from .numba_source import ModuleSource, NotCompilable, module_source

COUNTS = {"compiles": 0}  # new machine code: compiled, or loaded from Numba's cache
LOADED: weakref.WeakSet = weakref.WeakSet()  # the NumbaFunctions alive, for cache_stats
def _helpers_stamp() -> str:
    """What the compiled code depends on besides its own text: the Numba
    versions of the helpers and the run-time modules they compile or call
    (a change of either must change the module's name: Numba's cache checks
    the module's file only, and kept machine code compiled against the old
    helpers, which gave wrong gradients after an upgrade), and Numba's version."""
    digest = hashlib.sha256()
    runtime = Path(numba_runtime.__file__).parent / "runtime"
    for path in [Path(numba_runtime.__file__), *sorted(runtime.glob("*.py"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16] + f" numba {numba.__version__}"


_HELPERS_STAMP = _helpers_stamp()
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LOCAL = re.compile(r"\b([A-Za-z]\w*?)__\b")  # a renamed local (numba_source._rename_locals)


def cache_dir() -> Path:
    """Where the generated modules and Numba's cache live: $S2SAD_CACHE_DIR,
    else s2sad/numba under the platform's per-user cache directory."""
    root = os.environ.get("S2SAD_CACHE_DIR")
    if root:
        path = Path(root)
    elif sys.platform == "win32":
        path = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "s2sad"
    elif sys.platform == "darwin":
        path = Path.home() / "Library" / "Caches" / "s2sad"
    else:
        path = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "s2sad"
    path = path / "numba"
    _private_dir(path.parent)
    _private_dir(path)
    return path


def _narrow_integers(dtype: Any, loc: Loc | None) -> BackendError:
    """The refusal of an array of integers narrower than int64, or unsigned:
    NumPy 2 keeps its type in arithmetic with a Python int (`img - 100` of a
    uint8 image wraps around), Numba promotes it, as NumPy 1 did."""
    return BackendError(
        f"a value of {dtype}: NumPy keeps {dtype} in arithmetic with a Python int "
        "(wrapping around), and Numba computes in int64, as NumPy 1 did: the results differ",
        loc, "backend='auto' runs it with NumPy; or pass it as float64 or int64")


def _single_precision(dtype: Any, loc: Loc | None) -> BackendError:
    """The refusal of an array of float32 or complex64: Numba sums one number
    after another in that precision (NumPy sums pairwise), so a sum or mean
    over many numbers drifts (1% over a million float32 numbers)."""
    return BackendError(
        f"an array of {dtype}: Numba sums {dtype} numbers one after another in {dtype}, "
        "where NumPy sums pairwise; over many numbers the sums differ (by 1% over a "
        "million)", loc, "backend='auto' runs it with NumPy; or pass the array as float64")


def _refused_dtype(dtype: np.dtype, array: bool) -> Any:
    """The refusal for an array (or a NumPy number) of `dtype`, if refused:
    also NumPy's float32 and bool numbers (Numba computes on them in float64,
    and adds bools as ints, where NumPy's `True + True` is True)."""
    if dtype.kind in "ui" and (dtype.kind == "u" or dtype.itemsize < 8):
        return _narrow_integers
    if dtype.char in "fF" or not array and dtype.kind == "b":
        return _single_precision if array else _numpy_number
    return None


def _numpy_number(dtype: Any, loc: Loc | None) -> BackendError:
    return BackendError(
        f"a NumPy {dtype} number: Numba computes with it as with a Python number (float32 in "
        "float64, a bool as an int), where NumPy keeps its type", loc,
        "backend='auto' runs it with NumPy; or pass a Python float, int or bool")


_INT64 = (-2 ** 63, 2 ** 63 - 1)


def _refusal(a: Any) -> Callable[[Loc | None], BackendError] | None:
    """The refusal of an argument Numba would compute with otherwise than
    NumPy and Python do (given the user's location), if it is one: an
    array or NumPy number of a refused dtype, a dict, an int beyond int64."""
    if type(a) is np.ndarray or isinstance(a, np.generic):
        refused = _refused_dtype(a.dtype, type(a) is np.ndarray)
        return functools.partial(refused, a.dtype) if refused is not None else None
    if isinstance(a, dict):
        return lambda loc: BackendError(
            "a dict argument: the Numba backend compiles functions of numbers and arrays (and "
            "tuples and lists of them)", loc,
            "backend='auto' runs it with NumPy; or pass the dict's values as arguments")
    if type(a) is int and not _INT64[0] <= a <= _INT64[1]:
        return lambda loc: BackendError(
            f"the int {a} is beyond int64, which Numba computes with (from 2**63 on as uint64, "
            "whose negation, // and % differ from Python's)", loc,
            "backend='auto' runs it with NumPy")
    return None


def _private_dir(path: Path) -> None:
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BackendError(f"cannot make s2sad's Numba cache directory {path}: {exc}",
                           hint="set S2SAD_CACHE_DIR to a directory of your own") from None
    if os.name != "posix":
        return
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise BackendError(
            f"s2sad's Numba cache directory {path} is not private (owned by another user, or "
            "writable by others), and s2sad imports the code it finds there",
            hint="set S2SAD_CACHE_DIR to a directory of your own with mode 0700")


class NumbaFunction:
    """A generated function compiled by Numba: called like the NumPy one.
    Numba's errors while compiling become `BackendError`s at the user's line."""

    def __init__(self, dispatcher: Any, source: ModuleSource, user_code: types.CodeType,
                 path: Path, positional: int | None = None) -> None:
        self.dispatcher = dispatcher
        # How many arguments the NumPy function takes by position (None: any):
        # Numba takes keyword-only parameters, like the seed, by position too.
        self.positional = positional
        # The defaults of its last parameters (the seed `dout=1.0`), which a
        # call leaving them out is given: Numba's dispatch of an omitted
        # argument costs half a microsecond more than of a float.
        code = dispatcher.py_func.__code__
        self.arity = code.co_argcount if not code.co_flags & inspect.CO_VARARGS else None
        self.defaults = tuple(dispatcher.py_func.__defaults__ or ())
        # (a default Numba would compute otherwise than NumPy: refused on every call)
        self.default_refusal = next(filter(None, map(_refusal, self.defaults)), None)
        self.overloads = dispatcher.overloads  # (Numba's dict of compiled signatures)
        self.source = source
        self.user_code = user_code  # (its code, not the function: the cache holds this weakly)
        self.path = path
        LOADED.add(self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.positional is not None and len(args) > self.positional:
            raise TypeError(f"{self.source.name}() takes {self.positional} positional "
                            f"arguments but {len(args)} were given")
        for refusal in (*map(_refusal, args), *map(_refusal, kwargs.values()),
                        self.default_refusal):  # (by position, by keyword, or a default)
            if refusal is not None:
                raise refusal(_user_loc(self.user_code, None))
        if not kwargs:
            args = args + self.filled(len(args))
        before = len(self.overloads)
        try:
            if before:  # (the common case: nothing to compile, nothing to warn about)
                result = self.dispatcher(*args, **kwargs)
            else:
                with warnings.catch_warnings():  # (advice for Numba's users, not s2sad's)
                    warnings.simplefilter("ignore", NumbaWarning)
                    result = self.dispatcher(*args, **kwargs)
        except (NumbaError, NotImplementedError) as exc:  # (the latter: from Numba's lowering)
            raise self.error(exc) from None
        except Exception as exc:
            if not self.compiled_for(args, kwargs):  # (Numba's typing failed in Python:
                raise self.error(exc) from None      # `np.eye(3, dtype=bool)`'s TypeError)
            raise
        if len(self.overloads) != before:
            COUNTS["compiles"] += 1
        return result

    def filled(self, given: int) -> tuple:
        """The defaults a call with `given` positional arguments leaves out."""
        if self.arity is None or given >= self.arity:
            return ()
        missing = self.arity - given
        return self.defaults[len(self.defaults) - missing:] if missing <= len(self.defaults) \
            else ()

    def compile_for(self, args: tuple, kwargs: dict) -> None:
        """Compile for these arguments' types without running (for `show`)."""
        before = len(self.dispatcher.overloads)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NumbaWarning)
                self.dispatcher.compile(self._types(args, kwargs))
        except (NumbaError, NotImplementedError, TypeError) as exc:  # (TypeError: as above)
            raise self.error(exc) from None
        except ValueError as exc:  # (numba.typeof of an argument it has no type for: a dict)
            raise self.error(exc) from None
        if len(self.dispatcher.overloads) != before:
            COUNTS["compiles"] += 1

    def compiled_for(self, args: tuple, kwargs: dict) -> bool:
        """Has Numba compiled code for these arguments' types (so an exception
        the call raised came from running it, not from compiling it)?"""
        try:
            return self._types(args, kwargs) in self.dispatcher.overloads
        except Exception:  # (arguments Numba has no type for: nothing was compiled)
            return False

    def _types(self, args: tuple, kwargs: dict) -> tuple:
        """Numba's types for a call with these arguments, as its dispatcher
        folds them: an omitted parameter is `Omitted(default)`."""
        if not kwargs:
            args = args + self.filled(len(args))
        params = inspect.signature(self.dispatcher.py_func).parameters
        bound = inspect.signature(self.dispatcher.py_func).bind(*args, **kwargs).arguments
        return tuple(numba.typeof(bound[name]) if name in bound else
                     numba.types.Omitted(param.default) for name, param in params.items())

    def error(self, exc: Exception) -> BackendError:
        """Numba's message, reduced to what it could not compile and where."""
        message = _ANSI.sub("", str(exc))
        found = [int(m.group(1)) for m in re.finditer(
            r'File "[^"]*' + re.escape(self.path.name) + r'", line (\d+)', message)]
        line = self.source.lines.get(found[0]) if found else None
        statement = self.source.text.splitlines()[found[0] - 1].strip() if found else ""
        statement = _LOCAL.sub(r"\1", statement)  # (the names as `show` prints them)
        where = f" (in the generated statement `{statement}`)" if statement else ""
        return BackendError(
            f"Numba cannot compile the code s2sad generated for {self.user_code.co_name}: "
            f"{_reason(message)}{where}", _user_loc(self.user_code, line),
            "backend='auto' runs what Numba cannot compile with NumPy; "
            "s2sad.show(f, backend='numba') prints the code Numba was given")


def cache_stats() -> dict[str, int]:
    """Numba's count of signatures loaded from its cache (hits) and compiled
    (misses), over the generated functions alive."""
    hits = misses = 0
    for function in list(LOADED):
        stats = function.dispatcher.stats
        hits += sum(stats.cache_hits.values())
        misses += sum(stats.cache_misses.values())
    return {"hits": hits, "misses": misses}


def _reason(message: str) -> str:
    """The line of Numba's message that says what failed (and our helper's reason)."""
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    if len(lines) == 1 and re.fullmatch(r"[a-z]+\d*", lines[0]):  # (numba.typeof's: a dtype)
        return f"Numba has no type for an argument of dtype {lines[0]}"
    ours = next((ln for ln in lines if "s2sad's Numba backend has no" in ln
                 or "grad's function returned" in ln), None)
    for i, ln in enumerate(lines):
        if ln.startswith("Failed in") or ln.startswith("During:"):
            continue
        reason = ln.rstrip(":")
        if ln.startswith("No implementation of function") and i + 1 < len(lines) \
                and lines[i + 1].startswith(">>>"):
            reason = f"no implementation of {lines[i + 1][3:].strip()}"
        return f"{reason}; {ours}" if ours and ours not in reason else reason
    return "unknown error"


def _user_loc(code: types.CodeType, line: int | None) -> Loc | None:
    """The user's line of a generated statement; without one (Numba's message
    names none), the function's first line."""
    line = line or code.co_firstlineno
    filename = code.co_filename
    text = linecache.getline(filename, line)
    return Loc(filename, line, len(text) - len(text.lstrip()), text)


def load(func: types.FunctionType, fdef: Any, user_fn: types.FunctionType) -> NumbaFunction:
    """The Numba version of the generated function `func` (emitted as `fdef`),
    its module written to the cache directory if not there yet; BackendError
    if it reads something Numba cannot compile."""
    origin = f"{user_fn.__name__} ({user_fn.__code__.co_filename}:" \
             f"{user_fn.__code__.co_firstlineno})"
    try:
        source = module_source(func, fdef, numba_runtime.HELPERS, numba_runtime.REDUCTIONS,
                               _HELPERS_STAMP, origin, numba_runtime.VECTORIZED)
    except NotCompilable as exc:
        # (a transform of a function with rules of yours, `jvp(softplus, ...)`:
        # about that function, not the one-line caller s2sad wrote for it)
        name, code, line = user_fn.__name__, user_fn.__code__, exc.line
        origin = targets.rule_origin(user_fn)
        if origin is not None:
            (name, code), line = origin, None
        raise BackendError(f"Numba cannot compile the code s2sad generated for "
                           f"{name}: it reads {exc.what}", _user_loc(code, line),
                           "backend='auto' runs what Numba cannot compile with NumPy") from None
    path = _write(source)
    module = _import(path, f"s2sad_numba_{source.digest}")
    function = getattr(module, source.name)
    function.__defaults__ = source.defaults or None
    dispatcher = numba.njit(cache=True, boundscheck=True)(function)
    positional = None if fdef.args.vararg is not None else \
        len(fdef.args.posonlyargs) + len(fdef.args.args)
    return NumbaFunction(dispatcher, source, user_fn.__code__, path, positional)


def _write(source: ModuleSource) -> Path:
    """The module's file, written once (rewriting it would change its time
    stamp and make Numba's cached code stale); replaced if its text differs."""
    path = cache_dir() / f"s2sad_{source.digest}.py"
    try:
        if path.read_text() == source.text:
            return path
    except OSError:
        pass
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(source.text)
    os.replace(partial, path)
    return path


def _import(path: Path, name: str) -> types.ModuleType:
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
