"""Fast entries of a gradient function: one generated function per argument kinds.

A gradient called again with arguments of the types (an array's shape in
its place) it has seen runs its compiled code directly, without binding the
arguments, checking them and looking up the cache. What such a call must
still do is small but runs on every call: test that the arguments are of
those kinds and that the compiled code's guards hold, call the code, and
give each gradient its argument's form (`as_gradient_of`). For calls of a
few microseconds that bookkeeping, written as a loop over the arguments, cost
as much as the derivative itself; so it is generated, like the guards, as
straight-line code for one set of kinds:

    def entry(args):
        try:
            a0, a1 = args
            if not (type(a0) is ndarray and a0.shape == s0 and a0.dtype.kind in 'fc'
                    and type(a1) is float and <the guards>):
                return MISS
        except (ValueError, AttributeError, KeyError):  # (other arguments, a deleted name)
            return MISS
        try:
            value, grads = run(a0, a1)
        except Exception as exc:
            if raised_by_user(exc):
                raise
            return MISS
        g0, g1 = grads
        if not (type(g0) is ndarray and g0.shape == s0 and g0.dtype == a0.dtype
                and (flags := g0.flags).owndata and flags.writeable):
            g0 = as_gradient_of(g0, a0)
        if type(g1) is not float:
            g1 = float(g1) if type(g1) is float64 else as_gradient_of(g1, a1)
        return value, (g0, g1)

MISS sends the caller down the full path, which compiles again where the
guards failed and reports any error the generated code raised (the user's own
`raise` passes as it is).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .pipeline import compiled_source
from .runtime import as_gradient_of, raised_by_user

MISS = object()  # (what an entry returns when the call is not of its kinds)

_TYPE_NAMES = {float: "float", int: "int", bool: "bool", np.float64: "float64"}


def never(args: tuple) -> Any:
    """The entry of a gradient that has none yet."""
    return MISS


def takes(argcount: int, args: tuple, params: tuple[int, ...]) -> bool:
    """May later calls with arguments of these kinds take an entry? Each
    argument a number of a type in `_TYPE_NAMES` or an array, all of a
    function's `argcount` positional parameters given (not left at their
    defaults; a keyword-only one differentiated is not), and none of the
    `params` differentiated a bool: anything else needs the full path."""
    return len(args) == argcount and \
        all(type(a) is np.ndarray or type(a) in _TYPE_NAMES for a in args) and \
        all(p < len(args) and type(args[p]) is not bool for p in params)


def make_entry(args: tuple, params: tuple[int, ...], run: Callable, filled: tuple,
               guard: tuple[str, dict], sites: list[int], *, with_value: bool, has_aux: bool,
               as_tuple: bool) -> Callable[[tuple], Any]:
    """The fast entry for calls with arguments of `args`' kinds (each a
    number of a type in `_TYPE_NAMES` or a NumPy array; none of the `params`
    differentiated, in order, is a bool), running `run` (the arguments,
    then `filled`) while the `guard`
    holds (an expression and the names it reads, `pipeline.guard_test`'s,
    inlined: a ValueError or AttributeError it raises means it does not); it
    returns what the gradient function returns, one gradient per parameter
    of `sites` (the order `wrt` gave, repeats included), in the form
    `with_value`, `has_aux` and `as_tuple` say, or MISS."""
    names = [f"a{i}" for i in range(len(args))]
    test, guard_names = guard
    bound: dict[str, Any] = {**guard_names, "MISS": MISS, "ndarray": np.ndarray,
                             "float64": np.float64, "run": run,
                             "as_gradient_of": as_gradient_of, "raised_by_user": raised_by_user,
                             **{f"f{k}": v for k, v in enumerate(filled)}}
    tests = []
    for i, a in enumerate(args):
        if type(a) is np.ndarray:
            bound[f"s{i}"] = a.shape
            tests.append(f"type(a{i}) is ndarray and a{i}.shape == s{i}")
            if i in params:
                tests[-1] += f" and a{i}.dtype.kind in 'fc'"
        elif type(a) is int:  # (beyond int64: the full path, which Numba's refuses)
            tests.append(f"type(a{i}) is int and {-2 ** 63} <= a{i} <= {2 ** 63 - 1}")
        else:
            tests.append(f"type(a{i}) is {_TYPE_NAMES[type(a)]}")
    grads = [f"g{k}" for k in range(len(params))]
    lines = [
        "def entry(args):",
        "    try:",
        f"        {', '.join(names)}, = args",
        f"        if not ({' and '.join(tests)} and {test}):",
        "            return MISS",
        "    except (ValueError, AttributeError, KeyError):  # (other arguments, a deleted name)",
        "        return MISS",
        "    try:",
        f"        value, grads = run({', '.join(names + [f'f{k}' for k in range(len(filled))])})",
        "    except Exception as exc:",
        "        if raised_by_user(exc):",
        "            raise",
        "        return MISS",
        f"    {', '.join(grads)}, = grads" if len(params) > 1 else "    g0 = grads"]
    for k, p in enumerate(params):
        lines += _in_form(f"g{k}", f"a{p}", args[p], grads[:k])
    returned = []
    for p in sites:  # (a parameter given twice: its array again, copied)
        g = grads[params.index(p)]
        returned.append(g if g not in returned else
                        f"({g}.copy() if type({g}) is ndarray else {g})")
    lines += _returned(returned, with_value, has_aux, as_tuple)
    exec(compiled_source("\n".join(lines), "<s2sad fast entry>"), bound)
    return bound["entry"]


def _in_form(g: str, a: str, arg: Any, earlier: list[str]) -> list[str]:
    """Lines giving the raw adjoint `g` the form of its argument `a`
    (`as_gradient_of`, with its common cases inline); an array that an
    earlier gradient already is, is copied (`x + y` hands both one)."""
    if type(arg) is float:
        return [f"    if type({g}) is not float:",
                f"        {g} = float({g}) if type({g}) is float64 else as_gradient_of({g}, {a})"]
    if type(arg) is not np.ndarray:
        return [f"    {g} = as_gradient_of({g}, {a})"]
    lines = []
    if earlier:
        same = " or ".join(f"{g} is {e}" for e in earlier)
        lines += [f"    if type({g}) is ndarray and ({same}):",
                  f"        {g} = {g}.copy()"]
    return lines + [
        f"    if not (type({g}) is ndarray and {g}.shape == {a}.shape and {g}.dtype == {a}.dtype",
        f"            and (flags := {g}.flags).owndata and flags.writeable):",
        f"        {g} = as_gradient_of({g}, {a})"]


def _returned(grads: list[str], with_value: bool, has_aux: bool, as_tuple: bool) -> list[str]:
    """The return statement: the gradients (a tuple, or the one), with the
    value and the auxiliary data as the transform was asked."""
    together = f"({', '.join(grads)},)" if as_tuple else grads[0]
    if has_aux:
        lines = ["    value, aux = value"]
        return lines + [f"    return (value, aux), {together}" if with_value else
                        f"    return {together}, aux"]
    return [f"    return value, {together}" if with_value else f"    return {together}"]
