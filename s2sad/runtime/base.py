"""The helpers every rule leans on: shapes of adjoints (`unbroadcast`,
`zeros_like`), in-place writes derivative code makes (`add_at`, `own`,
`snapshot`) and the value of the user's (`augmented`), the checks that guard
generated code (`require_scalar`, `check_inplace`), and giving a gradient its
argument's type (`as_gradient_of`).
"""

from __future__ import annotations

import copy
import functools
import inspect
import math
import operator
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import (
    AliasingError,
    ArgumentTypeError,
    NoAdjointError,
    NonScalarOutputError,
    UnsupportedSyntaxError,
)
from .duck import is_duck_array
from .functions import (  # noqa: F401  (USER_CALLS: re-exported)
    USER_CALLS,
    bound_to,
    callable_zeros,
    check_attribute,
    computed_attribute,
    differentiated_field,
    inert,
    is_object,
    is_record,
    object_gradient,
    property_tangent,
    stored_attribute,
    without_derivative,
)


def _lists_as_arrays(*names: str) -> Any:
    """Decorate a helper so that the named arguments, when Python lists or
    tuples of numbers (NumPy functions accept those), arrive as arrays."""
    def decorate(fn: Any) -> Any:
        positions = [list(inspect.signature(fn).parameters).index(n) for n in names]

        @functools.wraps(fn)
        def helper(*args: Any) -> Any:
            for i in positions:
                if i < len(args) and isinstance(args[i], (list, tuple)):
                    return fn(*[np.asarray(a) if k in positions and isinstance(a, (list, tuple))
                                else a for k, a in enumerate(args)])
            return fn(*args)
        return helper
    return decorate


def stop_gradient(x: Any) -> Any:
    """Return `x` unchanged; s2sad treats its gradient as zero."""
    return x


_CONVERSIONS = {-1: lambda v: v, ord("s"): str, ord("r"): repr, ord("a"): ascii}


def format_value(value: Any, conversion: int, spec: str) -> str:
    """One `{value!conversion:spec}` of an f-string, as Python formats it."""
    return format(_CONVERSIONS[conversion](value), spec)


def join_strings(*parts: str) -> str:
    """An f-string: its literal parts and formatted values, joined."""
    return "".join(parts)


def raise_(error: Any, *cause: Any) -> None:
    """The user's `raise error` (`from cause`), where the function raises."""
    if cause:
        raise error from cause[0]
    raise error


def raised_by_user(exc: BaseException) -> bool:
    """Did the user's own `raise` (`raise_`) raise `exc`? Then it goes to the
    user as it is: not taken for a number error to compute again (which would
    run the function twice and chain the two errors)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code is raise_.__code__


def unsupported(error: Any) -> None:
    """Raise s2sad's error for a construct in a branch it could not compile
    (`lowering.control`: refused only if that branch runs, as Python would
    fail only there)."""
    raise type(error)(error.message, error.loc, error.hint)


class NonScalarOutput(Exception):
    """Raised by `require_scalar`; the API turns it into a NonScalarOutputError."""


def aux_value(pair: Any) -> Any:
    """The value of a function differentiated with has_aux=True, which must
    return (value, auxiliary data)."""
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
        what = f"a {type(pair).__name__} of {len(pair)} items" if isinstance(
            pair, (tuple, list)) else f"a {type(pair).__name__}"
        raise NonScalarOutputError(
            f"with has_aux=True the function must return a pair (value, auxiliary data), "
            f"but it returned {what}",
            hint="return value, aux (put several auxiliary values in a tuple or dict), or "
            "leave out has_aux=True")
    return pair[0]


def require_scalar(value: Any) -> None:
    """grad's seed is 1.0: only valid for a real scalar output. A complex
    output has no gradient in the convention s2sad shares with JAX and
    autograd (df/dRe z - i df/dIm z is defined for real f), so it is refused
    as they refuse it, rather than seeded with 1.0 (which would give the
    derivative of the real part only)."""
    if type(value) is float or type(value) is np.float64:
        return
    if value is None or isinstance(value, (str, bytes, bool, tuple, list, dict)) or not (
            isinstance(value, (int, float, complex, np.ndarray, np.generic)) or
            hasattr(value, "__array__") or hasattr(value, "__array_function__")):
        raise NonScalarOutput("function" if callable(value) else type(value).__name__)
    if np.ndim(value) != 0:
        raise NonScalarOutput(np.shape(value))
    if np.iscomplexobj(value):
        raise NonScalarOutputError(
            f"grad needs a real-valued function, but this one returned a complex number "
            f"({np.asarray(value).dtype})",
            hint="take the real part, the imaginary part or the modulus (np.real, np.imag, "
            "np.abs) of the value you want the gradient of; for a holomorphic f, the "
            "gradient of np.real(f(z)) is f'(z), and s2sad.jacobian(f) its Jacobian")


def unshared(t: Any) -> Any:
    """t with its arrays copied (inside lists, tuples and dicts too): a call's
    tangent, which may be an argument's tangent itself (`return a + 0.0`),
    where the caller writes that argument in place later (the write must reach
    one tangent, as it reaches one array: the aliasing checks made sure the
    result is not the argument's memory)."""
    if isinstance(t, np.ndarray):
        return t.copy(order="K")
    if isinstance(t, (list, tuple)) and not hasattr(t, "_fields"):
        return type(t)(unshared(x) for x in t)
    if isinstance(t, dict):
        return {k: unshared(v) for k, v in t.items()}
    return t


def separate(grads: tuple, *given: Any) -> tuple:
    """Gradients of their own: an array that is an earlier one, or one the
    caller gave (a cotangent, a tangent), is copied (`x + y` hands both
    operands one adjoint; a user writing into one gradient expects the other
    unchanged), inside lists, tuples, dicts and objects' fields too (a
    container holding the copy is a copy of it)."""
    seen: set[int] = set()  # (the objects are alive: their ids are unique)
    for h in given:
        _note_arrays(h, seen, 0)
    return tuple(_own_arrays(g, seen, 0) for g in grads)


_DEEPEST = 32  # (levels of containers followed: a structure is not a linked list)


def _fields(x: Any) -> dict | None:
    """The fields of an object that holds values by name (not a class, module or function)."""
    if isinstance(x, (type, np.generic)) or callable(x) or not hasattr(x, "__dict__"):
        return None
    return vars(x)


def _note_arrays(x: Any, seen: set, depth: int) -> None:
    if isinstance(x, np.ndarray):
        seen.add(id(x))
    elif depth < _DEEPEST:
        items = x.values() if isinstance(x, dict) else x if isinstance(x, (list, tuple)) \
            else (_fields(x) or {}).values()
        for v in items:
            _note_arrays(v, seen, depth + 1)


def _own_arrays(g: Any, seen: set, depth: int) -> Any:
    if type(g) is np.ndarray:
        if id(g) in seen:
            g = g.copy()
        seen.add(id(g))
        return g
    if depth >= _DEEPEST or not isinstance(g, (dict, list, tuple)) and _fields(g) is None:
        return g
    fields = g if isinstance(g, dict) else _fields(g) if not isinstance(g, (list, tuple)) \
        else dict(enumerate(g))
    changed = {k: w for k, v in fields.items() if (w := _own_arrays(v, seen, depth + 1)) is not v}
    if not changed:
        return g
    if isinstance(g, tuple):
        items = [changed.get(i, v) for i, v in enumerate(g)]
        return type(g)(*items) if hasattr(g, "_fields") else type(g)(items)
    out = copy.copy(g)
    if isinstance(g, list):
        out[:] = [changed.get(i, v) for i, v in enumerate(g)]
    elif isinstance(g, dict):
        out.update(changed)
    else:
        vars(out).update(changed)
    return out


def filled_adjoint(g: Any, like: Any) -> Any:
    """An adjoint with the structure of `like` (a call's result): the items
    nobody used, None, get zeros (a user's rule, or a callee's backward half,
    reads every item)."""
    if g is None:
        return zeros_like(like)
    if isinstance(like, (list, tuple)) and isinstance(g, (list, tuple)):
        items = (filled_adjoint(gi, li) for gi, li in zip(g, like))
        return list(items) if isinstance(like, list) else tuple(items)
    if isinstance(like, dict) and isinstance(g, dict):
        return {k: filled_adjoint(g.get(k), v) for k, v in like.items()}
    return g


def private_copy(x: Any, other: Callable[[Any], Any] | None = None) -> Any:
    """x with its arrays copied (inside lists, tuples and dicts too): what a
    transform hands the user's own function when it runs it for a value, so
    that a function writing into its argument (`x[0] = ...`, which s2sad's
    code does on a copy) leaves the caller's array as it was. `other` makes
    what is none of those (as it is without)."""
    if type(x) is np.ndarray:
        return x.copy()
    if type(x) in (list, tuple):
        return type(x)(private_copy(v, other) for v in x)
    if type(x) is dict:
        return {k: private_copy(v, other) for k, v in x.items()}
    return other(x) if other is not None else x


_DICT_WRITE = ("assigning into a dict the function did not make itself (`d[key] = value` "
               "into an argument, a global, a dict from a call or from `.copy()`) is not "
               "supported", "copy it into a new dict first, d = dict(d), and write into that")


def check_not_dict(x: Any) -> None:
    """Before a write `x[k] = v` into a container the function made (a copy
    of a dict by its method, `p.copy()`): refused for a dict, as for a
    dict display (`own`)."""
    if type(x) is not dict and isinstance(x, dict):  # (OrderedDict(), defaultdict(list))
        raise UnsupportedSyntaxError(
            f"assigning into a dict of type {type(x).__name__}: s2sad follows writes into the "
            "dicts a function makes as displays ({} or {key: value}) only",
            hint="make it a dict display, d = {} (a dict keeps insertion order), and write into "
            "that")
    if isinstance(x, dict):
        raise UnsupportedSyntaxError(_DICT_WRITE[0], hint=_DICT_WRITE[1])


def check_not_mapping(a: Any, b: Any) -> None:
    """Before `a | b` that the transform took for an operator (no operand
    known to be a dict made in the function): a union of dicts carrying
    derivatives is refused, never a derivative silently dropped."""
    if isinstance(a, dict) or isinstance(b, dict):
        raise UnsupportedSyntaxError(
            "the union of dicts `a | b` of dicts s2sad did not see made is not followed "
            "by derivatives", hint="build the union in one display: {**a, **b}")


def own(x: Any) -> Any:
    """A private copy of an array or list, so writing into it leaves the caller's
    alone. An array keeps its memory layout (a transposed view's copy is laid
    out as the view), so NumPy computes on it exactly as on the original:
    contiguous and strided loops may round float32 results differently."""
    check_not_dict(x)
    if isinstance(x, tuple):
        raise TypeError("'tuple' object does not support item assignment")
    if isinstance(x, np.ndarray):
        return x.copy(order="K")
    return x.copy() if isinstance(x, list) else np.array(x, dtype=_inexact(x))


def view_tangent(t: Any, ans: Any, x: Any) -> Any:
    """The tangent of `ans`, an operation's result that may view its operand
    x or be a copy of it (`x.astype(float)`, `x.reshape(...)` of a strided
    x): its own copy of `t` where NumPy copied, so that a later write into
    x's tangent, mirroring a write into x, does not reach it either."""
    if isinstance(t, np.ndarray) and isinstance(ans, np.ndarray) and \
            not np.may_share_memory(ans, x):
        return t.copy(order="K")
    return t


# s2sad's dispatcher of calls of user code (`call_forward`, `call_backward`,
# `call_jvp`, ...) is `functions.USER_CALLS`, installed by `s2sad.calls` when it
# is imported: helpers whose rules run the user's functions (the ODE solvers',
# properties') call through it, and this package sits below the compiler.


# `y op= v` on an array is the ufunc with out=y: the result keeps y's dtype
# (same_kind casting) and shape (v may not broadcast y bigger)
_INPLACE_UFUNCS = {"+=": np.add, "-=": np.subtract, "*=": np.multiply, "/=": np.true_divide,
                   "//=": np.floor_divide, "%=": np.remainder, "**=": np.power,
                   "@=": np.matmul, "&=": np.bitwise_and, "|=": np.bitwise_or,
                   "^=": np.bitwise_xor, "<<=": np.left_shift, ">>=": np.right_shift}
_OPERATORS = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul,
              "/=": operator.itruediv, "//=": operator.ifloordiv, "%=": operator.imod,
              "**=": operator.ipow, "@=": operator.imatmul, "&=": operator.iand,
              "|=": operator.ior, "^=": operator.ixor, "<<=": operator.ilshift,
              ">>=": operator.irshift}


def augmented(y: Any, op: str, v: Any) -> Any:
    """The value `y op= v` gives y, in a new array: generated code keeps y's
    old value for the backward pass. An array keeps its dtype and shape, and
    NumPy's errors are raised (an int array += 0.5, a read-only array, v of
    a bigger shape); a list is extended as a copy; numbers and tuples are
    rebound as Python does."""
    if not isinstance(y, np.ndarray):
        return _OPERATORS[op](list(y) if isinstance(y, list) else y, v)
    ufunc = _INPLACE_UFUNCS[op]
    if not y.flags.writeable:
        ufunc(y, v, out=y)  # raises NumPy's "output array is read-only"
    return ufunc(y, v, out=np.empty_like(y))


def snapshot(x: Any) -> Any:
    """The value of a slice before it is overwritten (a copy if it is an array
    view; lists and tuples of arrays are copied item by item)."""
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, list):
        return [snapshot(item) for item in x]
    if isinstance(x, tuple):
        items = [snapshot(item) for item in x]
        return type(x)(*items) if is_record(x) else tuple(items)
    if isinstance(x, dict):  # (its own type: an OrderedDict, a defaultdict stay so)
        out = copy.copy(x)
        for k, v in x.items():
            out[k] = snapshot(v)
        return out
    return x


def add_at(dx: Any, index: Any, g: Any) -> Any:
    """dx with g added at index (repeated integer indices add up, as they
    should): written into dx, which it returns, where dx's dtype holds the
    sum; else a new array of the wider dtype. A real dx may stand for a
    complex array's adjoint (its contributions so far were real), so a
    complex g never loses its imaginary part here; a real argument's
    gradient is made real at the end (`as_gradient_of`)."""
    if isinstance(dx, (float, complex, np.generic)):  # (a 0-d array's adjoint as a number)
        dx = np.array(dx, dtype=np.result_type(dx, g))
    if isinstance(dx, tuple):  # (a tuple's adjoint, which a list's read may also be)
        items = list(dx)
        items[index] = add_adjoints(items[index], g)
        return tuple(items)
    if not isinstance(dx, np.ndarray):  # (a dict's or list's adjoint: by item)
        dx[index] = add_adjoints(dx.get(index) if isinstance(dx, dict) else dx[index], g)
        return dx
    if not (type(g) is np.ndarray and g.dtype == dx.dtype) and \
            np.result_type(dx, g) != dx.dtype:  # (an array of dx's dtype: no need to ask)
        dx = dx.astype(np.result_type(dx, g))
    if _is_basic_index(index):
        dx[index] += g
    else:
        np.add.at(dx, index, g)
    return dx


def added_at(dx: Any, index: Any, g: Any) -> Any:
    """`add_at` into a new array: where dx's memory is read as it was later
    (`cleanup.keep_writes_unseen`)."""
    return add_at(dx.copy() if isinstance(dx, (np.ndarray, list)) else dx, index, g)


def write_slice(t: Any, index: Any, value: Any, written: Any = None, source: Any = None) -> None:
    """t[index] = value in place: a write into an array's tangent, mirroring
    the write of `source` into the array `written`. An integer array
    truncates a fraction written into it: its tangent there is 0. A real
    tangent cannot take a complex one: the array is real (NumPy dropped the
    value's imaginary part) or a complex argument was given a real tangent
    (which JAX refuses); this function cannot tell which, so it refuses
    rather than drop a part of either."""
    if _truncates(written, source):
        t[index] = 0
        return
    if isinstance(t, np.ndarray) and t.dtype.kind != "c" and np.iscomplexobj(value):
        raise ArgumentTypeError(
            "a complex value is written into an array whose tangent is real",
            hint="give complex arguments complex tangents (as JAX requires a tangent of its "
            "primal's dtype); to write into a real array, write np.real(value)")
    t[index] = value


def broadcast_tangent(direction: Any, like: Any) -> Any:
    """A tangent (`direction`) broadcast to its primal's shape, that of `like`
    (`y = x + c` with a scalar x: x's tangent is a scalar, y's an array)."""
    shape = _shape(like)
    if _shape(direction) == shape:
        return direction
    if isinstance(like, (list, tuple)) and not _sums_to(shape, _shape(direction)):
        raise _joined_sequences()
    # a copy: the result of an elementwise operation is an array of its own,
    # and so must its tangent be (a view of x's tangent would change with it)
    return np.broadcast_to(direction, shape).copy()


def check_arithmetic(a: Any, b: Any, op: str) -> None:
    """Before `a + b` (`a * b`) that the transform took for arithmetic, where
    an operand may be a list or tuple: Python joins two sequences (repeats
    one by an int), which is not arithmetic: refused."""
    seq_a, seq_b = isinstance(a, (list, tuple)), isinstance(b, (list, tuple))
    if op == "add" and seq_a and seq_b or op == "mul" and (
            seq_a and isinstance(b, (int, np.integer)) or
            seq_b and isinstance(a, (int, np.integer))):
        raise _joined_sequences()


def _joined_sequences() -> NoAdjointError:
    """`a + b` or `a * 2` where a turned out to be a list or tuple (a helper's
    result, an argument's item): Python joined or repeated it, which the
    transform, not knowing a's kind, took for NumPy's arithmetic."""
    return NoAdjointError(
        "`+` or `*` here joined or repeated a list or tuple (Python's meaning), which s2sad "
        "took for arithmetic: it could not tell what the operand is when it transformed "
        "the code", hint="write the joined sequence as a display, [*a, *b] or (*a, *b) "
        "(repeated: [v for _ in range(n) for v in a]), or make arrays first and use "
        "np.concatenate")


def read_slice(g: Any, index: Any, written: Any = None, value: Any = None) -> Any:
    """g[index] as a value of its own (the slice is zeroed right after). When an
    integer-array index names an element twice, NumPy's write kept the last
    value only: the earlier ones get no gradient. Nor does a fractional value
    written into an integer array (`written`), which truncates it."""
    part = snapshot(g[index])
    if part is None:  # a list item nothing read: its adjoint is zero
        return zeros_like(value)
    if _truncates(written, value):
        return np.zeros(np.shape(part), dtype=_real_dtype(part))
    if _is_real_array(written) and np.iscomplexobj(part):
        part = np.real(part)  # a complex value written into a real array lost its imaginary part
    if isinstance(g, np.ndarray) and not _is_basic_index(index):
        where = np.arange(g.size).reshape(g.shape)[index]
        flat = where.ravel()
        if np.unique(flat).size != flat.size:
            last = np.zeros(flat.size, dtype=bool)
            _, first_from_end = np.unique(flat[::-1], return_index=True)
            last[flat.size - 1 - first_from_end] = True
            part = part * last.reshape(where.shape)
    return part


def as_given(pieces: list, given: Any) -> Any:
    """The adjoints of a sequence argument's items in the form it was given:
    an array, which NumPy iterates over its first axis (`np.concatenate(x * x)`),
    takes them as one array of its shape; a list or tuple, as a list."""
    if isinstance(given, np.ndarray):
        return np.reshape(np.asarray(pieces), given.shape)
    return pieces


def converted_tangent(t: Any, result: Any, x: Any) -> Any:
    """The tangent of a conversion of x into `result` (astype; np.float_power,
    which computes in double precision): `truncated`'s, of the result's dtype
    where that is floating or complex (float32 stays float32, as JAX's)."""
    out = truncated(t, result, x)
    if type(result) is np.ndarray and result.dtype.kind in "fc":  # (out may be a list)
        return np.asarray(out, dtype=result.dtype)
    if isinstance(result, np.generic) and result.dtype.kind in "fc":
        return result.dtype.type(out)
    return out


def truncated(g: Any, ans: Any, x: Any) -> Any:
    """The adjoint through a conversion of x into `ans` (astype, np.array(...,
    dtype=...)): zero if it truncated fractions to integers (piecewise constant);
    integers kept as integers pass g on, as integer arguments count as reals.
    A real `ans` has a real cotangent: a complex x converted to it kept its
    real part, whose adjoint is Re(g). (The same holds for tangents.)"""
    if _truncates(ans, x):
        return np.zeros(np.shape(ans), dtype=_real_dtype(g))
    if np.iscomplexobj(g) and _is_real_array(ans):
        return np.real(g)
    return g


def cast_adjoint(g: Any, dtype: Any, x: Any) -> Any:
    """The adjoint through a `dtype=` argument: zero if the dtype is an integer
    type and x is not (the result was truncated: piecewise constant), else g
    (its real part for a real dtype: see `truncated`). With dtype=None the
    compiler drops this call."""
    if dtype is None:
        return g
    kind = np.dtype(dtype).kind
    if kind == "f" and np.iscomplexobj(g):
        return np.real(g)
    if kind not in "biu":
        return g
    if np.asarray(x).dtype.kind in "biu":
        return g
    return np.zeros(np.shape(g), dtype=_real_dtype(g))


def _is_real_array(x: Any) -> bool:
    """Is x a real (not complex) NumPy array or scalar?"""
    return isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind in "biuf"


_FLOAT64 = np.dtype(np.float64)


def _inexact(*values: Any) -> np.dtype:
    """The dtype NumPy gives `values` combined with a Python float: float32
    stays float32 and complex64 complex64 (a Python float does not promote
    them), integers and Python numbers become float64 (or complex128)."""
    if len(values) == 1 and type(values[0]) is np.ndarray and values[0].dtype == _FLOAT64:
        return _FLOAT64  # (the common case, without result_type's cost)
    return np.result_type(*values, 0.0)


def _real_dtype(*values: Any) -> np.dtype:
    """The real dtype of `_inexact(values)`: float32 for float32 or complex64."""
    dtype = _inexact(*values)
    return np.finfo(dtype).dtype if dtype.kind == "c" else dtype


def _truncates(result: Any, source: Any) -> bool:
    """Does storing `source` as `result`'s integer type cut off fractions?"""
    if not (isinstance(result, np.ndarray) and result.dtype.kind in "biu"):
        return False
    try:
        return np.asarray(source).dtype.kind not in "biu"
    except (TypeError, ValueError):
        return True


def check_attribute_write(obj: Any, name: str) -> None:
    """Before `obj.name = value` with a name an array would change itself by
    (`a.shape = ...` reshapes a in place): refuse for an array, which s2sad
    does not follow; any other object's attribute is its own business."""
    if isinstance(obj, np.ndarray):
        raise UnsupportedSyntaxError(
            f"assigning to an array's .{name} changes the array in place, which s2sad "
            "does not follow",
            hint="make a new array instead: a = a.reshape(new_shape), a = a.astype(dtype), "
            "or a = a.real (or a.imag)")


def check_appended_list(x: Any, what: str) -> None:
    """Before `lst.append(v)` where the transform could not see that lst is
    a list (a loop's value, made by a call): s2sad follows appends to lists,
    as new lists; a deque's or another object's append is refused, as it is
    where the object is seen."""
    if type(x) is not list:
        raise UnsupportedSyntaxError(
            f"{what} on a {type(x).__name__}, where s2sad follows appends to a list only",
            hint="build a local list (vals.append(v)) and make the object from it after the "
            "loop; a value kept only for logging: s2sad.stop_gradient(v)")


def check_inplace(value: Any, names: str, *others: Any) -> None:
    """Before `y op= e` or `y[i] = e`: refuse if one of `others`, names read
    later, shares memory with y's array (is it, views it, or holds it). An
    Ellipsis stands for a name not bound here: then any array counts as shared."""
    if isinstance(value, _IMMUTABLE + _NOT_HOLDERS):
        return  # (an object's attribute set: the object itself is what others may hold)
    # (an object's `...`, a name not bound here, is a constructor's caller or a
    # helper's, whose object s2sad made or refused to write into: not counted)
    unbound_shares = isinstance(value, (np.ndarray, list, dict))
    if any(_shares(value, other) if other is not ... else unbound_shares for other in others):
        who = f" ({names})" if names else ""
        raise AliasingError(
            f"this in-place update changes an array, list or object that another name{who} also "
            "refers to (as itself, a view or an item of a list, or as a helper's argument); "
            "Python would change what that name reads, and s2sad does not follow such "
            "changes",
            hint=_inplace_hint(names) if unbound_shares else
            "build a new object for the new values where another name keeps the old one: "
            "obj = dataclasses.replace(obj, x=...), or a new instance of its class",
        )


def _inplace_hint(names: str) -> str:
    """What to write instead: for a helper's argument, a new array returned
    (a copy inside the helper would leave the caller's unchanged, silently
    dropping what the write was for); else a new array or a copy."""
    if "the argument" in names:
        return ("make a new array in the helper and return it, and assign it where the "
                "helper is called: `u = apply(u)` (`y = y * c` instead of `y *= c`; "
                "`y = y.copy()` first, then write)")
    return ("make the new value a new object: `y = y * c` instead of `y *= c`, `a = a.copy()` "
            "before `a[i] = v`, `acc = acc + [v]` instead of `acc.append(v)`; to change an "
            "array's rows in a loop over them, write them by index (a[i] = a[i] / s) or as "
            "one array expression")


def check_inplace_item(item: Any, container: Any, index: Any, names: str, *others: Any) -> None:
    """Before `container[index] op= e`: Python updates the item itself in place
    (an array in a list, tuple or dict), so every other holder of that array
    sees the change, where s2sad puts a new array in the slot. Refuse if
    another slot or another name read later shares the item's memory."""
    if not isinstance(item, (np.ndarray, list, dict)) or isinstance(container, np.ndarray):
        return  # a number is rebound, as in Python; an array's own write is checked itself
    if isinstance(container, dict):
        slots = [v for k, v in container.items() if k != index]
    else:
        slots = [v for j, v in enumerate(container) if j != index % len(container)]
    check_inplace(item, names, *slots, *[o for o in others if o is not container])


_IMMUTABLE = (int, float, complex, bool, str, bytes, np.generic, type(None))
_NOT_HOLDERS = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType)


def _held_values(x: Any) -> list:
    """What an object holds: its fields (in `__dict__` or `__slots__`), a bound
    method's object, a partial's function and arguments."""
    if isinstance(x, (*_IMMUTABLE, *_NOT_HOLDERS, np.ndarray)):
        return []
    out: list = []
    if isinstance(x, functools.partial):
        out += [x.func, *x.args, *x.keywords.values()]
    if isinstance(x, types.MethodType):
        out.append(x.__self__)
    fields = getattr(x, "__dict__", None)
    if isinstance(fields, dict):
        out += list(fields.values())
    for cls in type(x).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name not in ("__dict__", "__weakref__"):
                out.append(getattr(x, name, None))
    return out


def _shares(value: Any, other: Any, depth: int = 0) -> bool:
    if other is value:
        return True
    if depth >= _DEEPEST:
        return False
    if isinstance(other, (list, tuple, dict)):
        items = other.values() if isinstance(other, dict) else other
        return any(_shares(value, item, depth + 1) for item in items)
    if not isinstance(value, np.ndarray) or not isinstance(other, np.ndarray):
        # (an object holds values: an array in an attribute is seen through it)
        return any(_shares(value, item, depth + 1) for item in _held_values(other))
    return np.may_share_memory(value, other)


def _shape(x: Any) -> tuple:
    shape = getattr(x, "shape", None)
    return shape if shape is not None else np.shape(x)


_add_reduce = np.add.reduce
_ARRAY_LIKE = (np.ndarray, np.generic, int, float, complex, list, tuple)
_PLAIN_ADJOINTS = frozenset({np.ndarray, float, int, complex, np.float64, np.float32})


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum the adjoint `g` of a broadcast result back to the shape of operand `x`."""
    tg, tx = type(g), type(x)
    if tg is tx and (tx is float or tx is np.ndarray and g.shape == x.shape):
        return g  # (the common cases, first: no broadcast happened)
    if (tx is np.float64 or tx is float) and (tg is float or tg is np.float64):
        return g  # (numbers: one shape; a NumPy one stays NumPy's, as in numpy_numbers)
    if (tx is float or tx is np.float64) and tg is np.ndarray:  # a number met an array: the sum
        total = _add_reduce(g, None)  # (g.sum() without its Python wrapper)
        if type(total) is tx:  # (a float64 array's sum for a NumPy float64: a recursion's c[k])
            return total
        number = float(total.real) if g.dtype.kind == "c" else float(total)
        # (a NumPy float64's adjoint a NumPy float64: a Python float is weak
        # to NumPy 2, and its product with a float16 array would be float16)
        return number if tx is float else _float64(number)
    if x is None or isinstance(x, dict):
        return g  # a placeholder (a return value not yet set), or a structure
    if not isinstance(x, _ARRAY_LIKE) and is_object(x):
        if isinstance(g, np.ndarray) or type(g) in _PLAIN_ADJOINTS or is_object(g):
            raise NoAdjointError(
                f"arithmetic on an object of your class {type(x).__name__} (its operator "
                "methods) met NumPy's derivative rule, which takes arrays and numbers",
                hint="compute on the arrays the object holds (v.a * w.a), or in a method")
        return g  # an object's adjoint: a structure
    try:
        shape = _shape(x)
    except ValueError:  # a tuple of items of different shapes: a structure
        return g
    try:
        g_shape = _shape(g)
    except ValueError:  # a structure's adjoint (a closure's: a tuple over its values)
        return g
    if g_shape == shape:
        return g
    if isinstance(x, (list, tuple)) and not _sums_to(tuple(g_shape), tuple(shape)):
        raise _joined_sequences()
    if not isinstance(x, _ARRAY_LIKE):
        return g  # a function value: its adjoint is a structure
    extra = len(g_shape) - len(shape)
    if extra > 0:
        g = np.sum(g, axis=tuple(range(extra)))
    elif extra < 0:  # a stand-in zero or a scalar adjoint: broadcast it up
        return np.broadcast_to(g, shape).copy()
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and _shape(g)[i] != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    if not shape and isinstance(x, (int, float)) and not is_duck_array(g):
        return float(np.real(g)) if np.iscomplexobj(g) else float(g)
    return g  # (a Dask array stays lazy: float() would compute it on its own)


def zeros_like(x: Any) -> Any:
    """A zero adjoint shaped like `x`: 0.0, zeros, or the same structure for
    containers, where None, an adjoint nothing reached, stays None. Of x's
    dtype if it is floating or complex (float32 stays float32, as NumPy's
    arithmetic keeps it), else float64."""
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, dtype=adjoint_dtype(x.dtype))
    if isinstance(x, dict):
        return {k: zeros_like(v) for k, v in x.items()}
    if isinstance(x, list):
        return [zeros_like(v) for v in x]
    if isinstance(x, tuple):  # (a namedtuple's derivative is a plain tuple)
        return tuple(zeros_like(v) for v in x)
    if isinstance(x, np.generic):
        return np.zeros((), dtype=adjoint_dtype(x.dtype))[()]
    if isinstance(x, complex):
        return 0j
    if isinstance(x, (float, int)):
        return 0.0
    other = callable_zeros(x, zeros_like)  # a function value or an object
    return 0.0 if other is NotImplemented else other


def adjoint_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype of an adjoint or tangent of values of `dtype`."""
    return dtype if dtype.kind in "fc" else np.result_type(dtype, np.float64)


def add_into(a: Any, b: Any) -> Any:
    """a + b, computed into a's memory where that gives the very same array
    (a an adjoint array the generated code made and nothing else holds, b of
    a's shape or broadcasting to it, and a's dtype the sum's); else a + b."""
    if type(a) is np.ndarray:
        try:
            return np.add(a, b, out=a, casting="safe")
        except (TypeError, ValueError):  # (b's dtype or shape is wider: a new array)
            pass
    return a + b


def seed_of(dout: Any, out: Any) -> Any:
    """grad's seed (the Python float 1.0) as the kind of number `out` is: a
    NumPy float64 for a NumPy float64. NumPy 2 takes a Python float as a
    weak scalar, so `dout * 3.0` times a float16 array was computed in
    float16 where it stood for the adjoint of a float64 value
    (`np.dot(a, b16) * 3.0`); a Python float output keeps the Python float
    (plain arithmetic, as fast as it gets)."""
    kind = type(out)
    if kind is float or type(dout) is not float:
        return dout
    if kind is np.float64:
        return _float64(dout)
    dtype = getattr(out, "dtype", None)
    return adjoint_dtype(dtype).type(dout) if dtype is not None else dout


def complements_difference(a: Any, b: Any, one_minus_a: Any, one_minus_b: Any) -> Any:
    """`a * (1 - b) - (1 - a) * b` given the complements as the function
    computed them: `a - b` (one operation for three: a sigmoid
    cross-entropy's `y - p`) where they are exact to rounding, a and b
    float64 numbers or arrays (or Python numbers); else as written, for the
    function NumPy evaluates: uint8 labels' `1 - y` wraps around, float16's
    is rounded to float16 (`cancel._complements`)."""
    if _exact_complement(a) and _exact_complement(b):
        return a - b
    return a * one_minus_b - one_minus_a * b


def _exact_complement(v: Any) -> bool:
    kind = type(v)
    return kind is float or kind is int or kind is np.float64 or \
        kind is np.ndarray and v.dtype is _FLOAT64


def numpy_number(g: Any) -> Any:
    """g, a number standing for an array filled with it (a full sum's
    adjoint), as the NumPy number that array holds: NumPy 2 computes a
    Python float times a float16 or float32 array in their precision, where
    g may stand for the adjoint of a float64 array (`np.mean(w * x16)` of a
    float64 w), and the array sum_adjoint spreads (np.full) is float64. A
    NumPy number keeps its dtype."""
    kind = type(g)
    if kind is float:
        return _float64(g)
    if kind is int or kind is complex:
        return np.asarray(g)[()]
    return g


_float64 = np.float64


def spread_number(c: Any, shape: tuple) -> Any:
    """c as the array of `shape` it stands for: an adjoint held as a number
    (the adjoint of a full sum, through elementwise rules) filling it; an
    array c is that array already. Fresh for small shapes (cheaper than a
    view to compute with), a broadcast view of big ones (no memory): also
    how sum_adjoint and mean_adjoint spread a full reduction's number."""
    if type(c) is np.ndarray and c.ndim:
        return c
    return np.full(shape, c) if math.prod(shape) <= 4096 else np.broadcast_to(c, shape)


def add_outer(a: Any, x: Any, y: Any) -> Any:
    """a + np.outer(x, y), into a as `add_into` would: the adjoint of a matrix
    times a vector, accumulated (a rank-one update; the Numba backend's
    version makes no product array)."""
    return add_into(a, np.outer(x, y))


def outer_added(a: Any, x: Any, y: Any) -> Any:
    """a + np.outer(x, y) into a new array (add_outer where a's memory is
    read again later)."""
    return a + np.outer(x, y)


def add_adjoints(a: Any, b: Any) -> Any:
    """Sum two adjoints that may be containers (tuples, lists, dicts) or None (zero)."""
    if a is None:
        return b
    if b is None:
        return a
    if type(a) is float and a == 0.0 and isinstance(b, (dict, list, tuple)):
        return b  # (a slot zeroed by `zero_slice` that holds a list's adjoint)
    if type(b) is float and b == 0.0 and isinstance(a, (dict, list, tuple)):
        return a
    if isinstance(a, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = add_adjoints(out.get(k), v)
        return out
    if isinstance(a, (list, tuple)) != isinstance(b, (list, tuple)) and \
            isinstance(a if isinstance(b, (list, tuple)) else b, np.ndarray):
        # (a list read item by item and by NumPy, `np.sum(items)`: the array
        # adjoint NumPy's rule gave, as items)
        a, b = (a, list(b)) if isinstance(a, (list, tuple)) else (list(a), b)
        if isinstance(b, tuple):
            a = tuple(a)
    if isinstance(a, list):
        return [add_adjoints(x, y) for x, y in zip(a, b)]
    if isinstance(a, tuple):
        return tuple(add_adjoints(x, y) for x, y in zip(a, b))
    return a + b


def closure_values_adjoint(g: Any, values: list) -> list:
    """The adjoints of the values a closure holds (`runtime.functions`), from
    the closure's: a tuple over them."""
    parts = g if isinstance(g, tuple) else (None,) * len(values)
    return [zeros_like(v) if p is None else p for p, v in zip(parts, values)]


def partial_adjoints(g: Any, partial: Any) -> list:
    """The adjoints of what `functools.partial(func, *args, **keywords)` took,
    in that order, from the partial's: (func's, a tuple over args, a dict)."""
    func_part, args_part, kw_part = g if isinstance(g, tuple) else (None, (), {})
    args_part = args_part or (None,) * len(partial.args)
    kw_part = kw_part or {}
    out = [zeros_like(partial.func) if func_part is None else func_part]
    out += [zeros_like(a) if p is None else p for p, a in zip(args_part, partial.args)]
    out += [zeros_like(v) if kw_part.get(k) is None else kw_part[k]
            for k, v in partial.keywords.items()]
    return out


def attribute_value(g: Any, name: str, like: Any) -> Any:
    """The adjoint of the value written by `obj.name = value`, from the
    object's (zeros shaped like the value if nothing reached the attribute)."""
    part = g.get(name) if isinstance(g, dict) else None
    return zeros_like(like) if part is None else part


def attribute_tangent(td: Any, obj: Any, name: str) -> Any:
    """The tangent of `obj.name` from obj's (the reverse of attribute_adjoint)."""
    value = getattr(obj, name)
    if without_derivative(obj, value):  # (np.max read from xp)
        # (an integer array, a class's number or tuple: a zero tangent, as arithmetic on
        # it, or a loop over it, may follow)
        return zeros_like(value) if isinstance(value, (np.ndarray, np.number, float, int,
                                                       tuple, list)) else None
    getter = computed_attribute(obj, name)
    if getter is not None:
        return property_tangent(getter, obj, td)
    check_attribute(obj, name)
    if bound_to(value, obj):
        return td
    if td is None:
        return zeros_like(value)
    if is_record(obj) and name in type(obj)._fields:
        part = td[type(obj)._fields.index(name)]
    elif not stored_attribute(obj, name, value):
        part = None
    elif isinstance(td, dict):
        part = td.get(name)
    else:
        part = None
    return zeros_like(value) if part is None else part


def no_second_order_tangent(td: Any, obj: Any, name: str, t: Any) -> Any:
    """The part of attribute_tangent's tangent from obj's: none for a stored
    attribute (the tangent of obj.name is read from obj's); a property's
    would need its getter's second derivative: refused rather than dropped."""
    if computed_attribute(obj, name) is not None:
        raise UnsupportedSyntaxError(
            f"second derivatives through the property .{name} of a {type(obj).__name__} "
            "are not supported", hint="call a method computing the value instead of "
            "reading a property")
    return zeros_like(attribute_tangent(td, obj, name))


def _is_number(x: Any) -> bool:
    return type(x) in (float, int) or isinstance(x, np.generic)


def _array_if_list(x: Any) -> Any:
    """A Python list or tuple of numbers as the array NumPy would make of it."""
    return np.asarray(x) if isinstance(x, (list, tuple)) else x


def _normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        return tuple(a % ndim for a in axis)
    return (axis % ndim,)


def _expand_reduced(g: Any, shape: tuple, axis: Any, keepdims: bool) -> Any:
    """Give a reduction's adjoint back the reduced axes, as size-1 dims."""
    if keepdims or not shape:
        return g
    axes = _normalize_axes(axis, len(shape))
    return np.expand_dims(g, axes)


def _selects_all(where: Any) -> bool:
    """Is a reduction's `where=` its default, True (everything)?"""
    return where is True


def either(value: Any, other: Any) -> Any:
    """`value` if it was given (not None), else `other`: for a parameter NumPy
    takes under two names (clip's a_min and min, var's ddof and correction)."""
    return other if value is None else value


def matrix_transpose(a: Any) -> Any:
    return np.swapaxes(a, -1, -2)


def _is_basic_index(index: Any) -> bool:
    if type(index) is slice or type(index) is int:
        return True
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts
    )


def is_own_gradient(grad: Any, x: Any) -> bool:
    """Is the raw adjoint of the array x already its gradient: a writable
    array of x's (floating or complex) dtype and shape that owns its memory?
    (`as_gradient_of` returns it as it is; so may `grad`'s fast path.)"""
    return type(x) is np.ndarray and type(grad) is np.ndarray and grad.dtype == x.dtype \
        and grad.shape == x.shape and x.dtype.kind in "fc" and grad.flags.owndata \
        and grad.flags.writeable


def as_gradient_of(grad: Any, x: Any) -> Any:
    """Give a raw adjoint the type and shape of the argument it belongs to: its
    dtype if floating or complex (a float32 argument gets a float32 gradient,
    as in JAX, even where float64 values met it), float64 for integers. A real
    argument's gradient is real: where it fed complex results, the adjoint
    that reaches it is complex, and its real part is the derivative (JAX and
    autograd do the same)."""
    if type(x) is float and type(grad) in (float, np.float64):
        return float(grad)
    if is_own_gradient(grad, x):
        return grad  # (the common case of the array branch below, first)
    if grad is None and not (is_record(x) or is_object(x)):
        return zeros_like(x)
    if isinstance(x, dict):  # (an item without numbers, a name or a flag: as it is)
        parts = grad if isinstance(grad, dict) else {}
        values = separate(tuple(as_gradient_of(parts.get(k), v) if differentiated_field(v)
                                else v for k, v in x.items()))
        return dict(zip(x, values))
    if is_record(x) or is_object(x):  # a namedtuple, a dataclass, an object: its own type
        return object_gradient(grad, x, as_gradient_of, separate)
    if isinstance(x, (list, tuple)):
        if isinstance(grad, np.ndarray) and grad.ndim > 0 and len(grad) == len(x):
            parts = list(grad)  # NumPy read the list as an array: its rows are the items'
        else:
            parts = grad if isinstance(grad, (list, tuple)) else [None] * len(x)
        return type(x)(separate(tuple(as_gradient_of(gi, xi) if differentiated_field(xi)
                                      else xi for gi, xi in zip(parts, x))))
    if is_duck_array(x) and is_duck_array(grad):  # a Dask or CuPy argument: keep its kind
        out = grad if grad.shape == x.shape else np.broadcast_to(unbroadcast(grad, x), x.shape)
        dtype = x.dtype if np.issubdtype(x.dtype, np.inexact) else np.dtype(np.float64)
        return out.astype(dtype) if out.dtype != dtype else out
    if isinstance(x, np.ndarray) or is_duck_array(x):
        out = np.asarray(grad)
        if out.shape != x.shape:
            out = np.broadcast_to(unbroadcast(out, x), x.shape)
        dtype = x.dtype if np.issubdtype(x.dtype, np.inexact) else np.dtype(np.float64)
        if dtype.kind != "c" and out.dtype.kind == "c":
            out = out.real
        if out.dtype == dtype and out.flags.writeable and out.flags.owndata:
            return out  # already a fresh array of the right kind: no copy
        return np.array(out, dtype=dtype)
    if isinstance(x, np.generic):
        dtype = x.dtype if np.issubdtype(x.dtype, np.inexact) else np.dtype(np.float64)
        grad = np.sum(grad) if np.ndim(grad) else grad  # (np.cumsum(x) read x as a vector)
        return np.asarray(grad if dtype.kind == "c" else np.real(grad), dtype=dtype)[()]
    total = np.sum(grad) if np.ndim(grad) else grad
    if isinstance(x, complex):
        return complex(total)
    return float(np.real(total))


def custom_adjoints(result: Any, count: int, total: int, *args: Any) -> tuple:
    """A user's adjoint rule's result as one adjoint per positional argument
    of the call (`count` of them, `args`): the rule gives one per positional
    parameter of the function (`total`; those given by keyword or left at
    their defaults are not differentiated), or one per argument of the call;
    a rule of a one-parameter function may return the adjoint itself. An
    adjoint has its argument's shape, or one the argument broadcasts to (it
    is summed back, as for an argument the function broadcast); one that
    would have to be broadcast up to the argument is the rule's mistake (a
    number for a vector would be added to each entry): an error."""
    if count == 1 and total <= 1 and not (isinstance(result, tuple) and len(result) == 1):
        result = (result,)
    elif count == 1 and not isinstance(result, (tuple, list)):
        result = (result,)
    if not isinstance(result, (tuple, list)) or len(result) not in (count, total):
        raise UnsupportedSyntaxError(
            f"an adjoint rule returned {type(result).__name__} {result!r:.80}; it must return "
            f"one adjoint per positional parameter ({max(count, total)}), as a tuple",
            hint="return (adjoint_of_first, adjoint_of_second, ...), None for an argument "
            "without a gradient")
    adjoints = list(result)[:count]
    for k, (adjoint, arg) in enumerate(zip(adjoints, args)):
        if adjoint is None or not isinstance(arg, (np.ndarray, np.generic, int, float,
                                                   complex)):
            continue
        if not _sums_to(np.shape(adjoint), np.shape(arg)):
            raise UnsupportedSyntaxError(
                f"an adjoint rule returned an adjoint of shape {np.shape(adjoint)} for "
                f"argument {k}, of shape {np.shape(arg)}",
                hint="return each adjoint with its argument's shape (None for no gradient)")
        adjoints[k] = unbroadcast(adjoint, arg)  # (summed back here: what reads it next
        # may be another rule, the reshape that made the argument)
    return tuple(adjoints)


def _sums_to(adjoint: tuple, arg: tuple) -> bool:
    """Does an adjoint of shape `adjoint` sum back to an argument of shape
    `arg` (the argument broadcasts to it)?"""
    try:
        return np.broadcast_shapes(arg, adjoint) == adjoint
    except ValueError:
        return False
