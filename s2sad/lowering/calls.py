"""Lowering calls. A callee is matched to the table of primitives by the
function object it resolves to, so `from numpy import exp as e` and `np.exp`
are the same primitive; the generated code still spells the call the way the
user did. Calls of local `def`s and lambdas are inlined (Python's late
binding of closures comes for free); other callees become `call`s, which the
reverse pass sends to their own compiled gradients."""

from __future__ import annotations

import functools
import types
import warnings
from typing import Any

import gast
import numpy as np

from .. import primitives
from ..ir import Const, Operand, Ref, Var
from ..runtime import (
    InPlaceInit,
    super_of,
)
from ..runtime.functions import in_place_dunder
from .arguments import Arguments, _packed
from .objects import makes_a_new_object
from .refusals import (
    _UNPACKED_HINT,
    _UNPACKED_OUT,
    LIBRARY_MODULES,
    Refusals,
    _array_method_parameters,
    _is_none,
    _method_out_given,
)
from .scans import ZIP_CHECK, LocalFunction, hint_of, is_super, named_object

_NO_ATTRIBUTE = object()


class Calls(Arguments, Refusals):
    """Calls: of primitives, of user code, of methods; inlined local functions."""

    def expr_Call(self, node: gast.Call, hint: str) -> Operand:
        self.check_lazy_passed(node)
        if _consumes_whole(node.func, self.env):  # (`sum(c.step(x) for x in xs)`: all of it)
            self.consumed_whole.update(id(a) for a in node.args if isinstance(a, gast.GeneratorExp))
        # (a bare call statement `x.sum(0, None, o)`, whose result nothing reads: it
        # would be dropped with its write unchecked; a used result's out= is refused
        # by its rule, where the receiver is known to be an array, not `xp.dot(a, b)`)
        bare = isinstance(self.node, gast.Expr) and self.node.value is node
        given = _method_out_given(node) if bare and self.may_be_an_array(
            getattr(node.func, "value", None)) else None
        if given == "unpacked":
            raise self.error(_UNPACKED_OUT.format(name=f".{node.func.attr}"), node,
                             _UNPACKED_HINT)
        if any(k.arg == "out" and not _is_none(k.value) for k in node.keywords) or given:
            raise self.error("out= writes into an existing array, which s2sad does not "
                             "follow", node, "assign the result instead: y = np.f(...)")
        func = node.func
        special = self.special_call(node, hint)
        if special is not None:
            return special
        target = self.updating_target(node)
        if target is not None:
            name, attr, after = target
            updating = self.updating_call(name, attr, node, hint, after=after)
            if updating is not None:
                return updating
        if isinstance(func, gast.Attribute) and _mutating_method(func.attr) and \
                not self.is_module_ref(func.value):
            return self.list_extend(node)
        if isinstance(func, gast.Name) and isinstance(self.env.get(func.id), LocalFunction):
            return self.inline_call(self.env[func.id], node, hint)
        if isinstance(func, gast.Lambda):
            return self.inline_call(self.local_function(func), node, hint)
        if isinstance(func, gast.Attribute) and func.attr == "append" and \
                isinstance(func.value, gast.Name) and func.value.id in self.env and \
                len(node.args) == 1 and not node.keywords and \
                not self.made_by_a_class(self.env[func.value.id]) and \
                not self.is_object(self.env[func.value.id]):
            # lst.append(v) on a local list: a new list value (the old one stays intact)
            name = func.value.id
            if not self.is_list(self.env[name]) and self.env[name] not in self.carried_lists:
                # (a value s2sad cannot see is a list: a deque's append is refused)
                self.emit("check_appended_list", [self.env[name], Const(f"{name}.append")],
                          target=False)
            self.env[name] = self.emit("list_append", [self.env[name], self.expr(node.args[0])],
                                       hint=hint_of(name), inplace=True)
            return Const(None)
        if isinstance(func, gast.Attribute):
            receiver = self.expr(func.value)
            if not isinstance(receiver, Ref):
                return self.method_call(receiver, func.attr, node, hint)
            value = getattr(receiver.value, func.attr, _NO_ATTRIBUTE)
            if value is _NO_ATTRIBUTE:
                raise self.error(f"{receiver.name} has no attribute {func.attr!r}", node)
            self.refuse_writes(value, f"{receiver.name.lstrip('$')}.{func.attr}", node)
            if primitives.for_object(value) is None and \
                    not isinstance(receiver.value, (types.ModuleType, type)):
                # a method of a global object (`W.dot(x)`, `model.loss(x)`): looked
                # up when it runs, so rebinding the object costs nothing
                return self.method_call(receiver, func.attr, node, hint)
            callee = Ref(f"{receiver.name}.{func.attr}", value)
            self.links[callee.name] = (receiver.value, func.attr, value)
        else:
            callee = self.expr(func)
            updating = self.updating_call(callee, "__call__", node, hint)  # (`c(1.0)(2.0)`)
            if updating is not None:
                return updating
        args, kwargs = self.call_args(node)
        if not isinstance(callee, Ref):
            return self.emit("call", [callee, *args], kwargs, hint=hint)
        return self.known_call(callee, args, kwargs, node, hint)

    def special_call(self, node: gast.Call, hint: str) -> Operand | None:
        """Calls lowered to something else: a base's __init__ in a constructor,
        `super()`, map/filter/reduce/sorted(key=)/..., `d.get(k, default)`,
        `d.values()` (and .items(), .keys()) as values. None otherwise."""
        func = node.func
        if isinstance(func, gast.Name) and func.id == ZIP_CHECK:  # (`strict_zip_loop`'s)
            strict, *iterables = node.args
            self.zip_check(strict, [self.emit("len", [self.expr(a)], callee=Ref("$len", len))
                                    for a in iterables])
            return Const(None)
        if self.constructed is not None and isinstance(func, gast.Attribute) and \
                func.attr == "__init__":
            base_init = self.base_initializer(node)
            if base_init is not None:
                return base_init
        if is_super(node) and self.env.get("super") is None:
            return self.super_of(node, hint)
        lowered = self.functional_call(node, hint)  # map, filter, reduce, sorted(key=), ...
        if lowered is not None:
            return lowered
        if not isinstance(func, gast.Attribute) or node.keywords or \
                self.is_module_ref(func.value):
            return None
        if func.attr == "get" and isinstance(func.value, gast.Name) and \
                func.value.id in self.env and 1 <= len(node.args) <= 2:
            return self.mapping_get(node, hint)
        if func.attr in ("items", "values", "keys") and not node.args and \
                not self.user_method(func.value):
            return self.dict_view_list(node, func.attr, hint)  # a list of what a loop sees
        return None

    def user_method(self, receiver: Any) -> bool:
        """Is `receiver.name(...)` certainly a method of the user's class (the
        receiver a name for an object of theirs), not a dict's `d.keys()`?"""
        return isinstance(receiver, gast.Name) and self.is_object(self.env.get(receiver.id))

    def known_call(self, callee: Ref, args: list, kwargs: dict, node: Any,
                   hint: str) -> Operand:
        """A call of a function known at transform time: its primitive, if the
        table has one, else a `call`."""
        self.refuse_writes(callee.value, callee.name.lstrip("$"), node)
        self.refuse_out(callee.value, callee.name.lstrip("$"), node, args, kwargs)
        self.refuse_reflection(callee.value, callee.name.lstrip("$"), node, args)
        if _in_numpy(callee.value) and not _reads_iterables(callee.value) and any(
                isinstance(a, gast.GeneratorExp) for a in
                [*node.args, *(k.value for k in node.keywords)]):
            raise self.error(f"{callee.name.lstrip('$')} does not read a generator expression "
                             "(NumPy raises TypeError, or makes an array holding the "
                             "generator)", node, "pass a list comprehension: [v * x for v in x]")
        if not callee.name.startswith("$"):
            self.bake_path(callee.name)  # the callee's identity picked what is generated
        if callee.value is getattr and len(args) == 2 and not kwargs and \
                (isinstance(args[1], Var) or type(args[1].value) is str):
            return self.emit("getattr", args, hint=hint)  # (`getattr(m, "W")` is `m.W`)
        prim = primitives.for_object(callee.value)
        if prim is not None and not _packed(kwargs):
            return self.emit(prim.name, args, kwargs, hint=hint, callee=callee)
        result = self.emit("call", [callee, *args], kwargs, hint=hint)
        if makes_a_new_object(callee.value):
            self.owned.add(result)  # a new instance of the user's class: its attributes may be set
            self.instances[result] = (callee.value,)
        return result


    def bake_path(self, name: str) -> None:
        """The callee `a.b.c` was chosen by identity: guard `a` where it binds,
        and each attribute on the way: NumPy's, SciPy's and math's too where a
        module holds it (`np.exp`, which a test's mock.patch may replace: its
        rule would meet another function's values), not an attribute of an
        object they define (`scipy.stats.norm.logpdf`, a new bound method at
        each access, which no check by identity would find the same)."""
        root, *rest = name.split(".")
        if root.startswith("$"):  # (a name an import in the function binds: the same each time)
            return
        self.baked.add(root)
        for k in range(1, len(rest) + 1):
            owner, attr, value = self.links[".".join([root, *rest[:k]])]
            if not _in_library(owner) or isinstance(owner, types.ModuleType):
                self.baked_attrs.append((owner, attr, value))

    def method_call(self, receiver: Operand, name: str, node: gast.Call, hint: str) -> Operand:
        """`x.sum(axis=0)` on a local value: a method primitive if the table has
        one, else the bound method looked up at run time, then called."""
        if name == "_replace" and not node.args and all(k.arg for k in node.keywords):
            return self.replaced(receiver, node.keywords, hint)  # a namedtuple's copy
        updating = self.updating_call(receiver, name, node, hint)  # (`Cell(W).step(x)`)
        if updating is not None:
            return updating
        args, kwargs = self.call_args(node)
        params = _array_method_parameters(name)
        if "out" in params and not self.not_an_array(node.func.value) and \
                not self.is_object(receiver):  # (`x.sum(axis=0, **kw)` of kw = {"out": o})
            self.refuse_out_given(f".{name}", node, args, kwargs, params.index("out"))
        if isinstance(receiver, Ref) and isinstance(receiver.value, np.ufunc) and \
                name == "__call__":  # (`np.exp.__call__(x, y)`)
            self.refuse_out_given(receiver.name.lstrip("$"), node, args, kwargs,
                                  receiver.value.nin)
        prim = primitives.lookup("." + name)
        if prim is not None and prim.form == "method" and not _packed(kwargs) and \
                not self.not_an_array(node.func.value) and not self.is_object(receiver):
            if _binds(prim, [receiver, *args], kwargs):
                return self.emit(prim.name, [receiver, *args], kwargs, hint=hint)
            if isinstance(node.func.value, gast.Name):  # not ndarray's method: not an array
                self.object_like.add(node.func.value.id)
        method = self.emit("getattr", [receiver, Const(name)])  # (resolved when it runs)
        return self.emit("call", [method, *args], kwargs, hint=hint)

    def base_initializer(self, node: gast.Call) -> Operand | None:
        """`super().__init__(...)` or `Base.__init__(self, ...)` in a constructor:
        the base's __init__ runs on the object being built, which the call
        returns (`runtime.InPlaceInit`), so its writes are the constructor's."""
        func, args = node.func, list(node.args)
        receiver = func.value
        if is_super(receiver):
            cls = self.enclosing_class(node)
            mro = cls.__mro__
            if any(len(k.__bases__) > 1 for k in mro):
                raise self.error("super().__init__ with several base classes is not supported",
                                 node, "call each base's __init__(self, ...) by name")
            owner = next(k for k in mro[1:] if "__init__" in k.__dict__)
        elif isinstance(receiver, gast.Name) and args and isinstance(args[0], gast.Name) and \
                args[0].id == self.constructed:
            owner = self.expr(receiver).value if receiver.id not in self.env else None
            if not isinstance(owner, type):
                return None
            args = args[1:]
        else:
            return None
        init = owner.__dict__.get("__init__") if owner is not object else None
        if init is None:  # object's: nothing to run
            return Const(None)
        callee = Ref(f"${owner.__name__}_init", InPlaceInit(init))
        call = gast.Call(func=gast.Name(id="<base_init>", ctx=gast.Load(), annotation=None,
                                        type_comment=None),
                         args=[gast.Name(id=self.constructed, ctx=gast.Load(), annotation=None,
                                         type_comment=None), *args],
                         keywords=node.keywords)
        gast.copy_location(call, node)
        passed, kwargs = self.call_args(call)
        result = self.emit("call", [callee, *passed], kwargs, hint=self.constructed)
        before = self.env.get(self.constructed)
        self.env[self.constructed] = result
        self.owned.add(result)
        if isinstance(before, Var) and before in self.instances:
            self.instances[result] = self.instances[before]
        return Const(None)

    def enclosing_class(self, node: Any) -> type:
        fn = self.parsed.fn if self.parsed is not None else None
        code = getattr(fn, "__code__", None)
        cells = dict(zip(code.co_freevars, fn.__closure__ or ())) if code is not None else {}
        if "__class__" not in cells:
            raise self.error("super() outside a method of a class", node,
                             "call the base class's method with the object: Base.f(self, x)")
        return cells["__class__"].cell_contents

    def super_of(self, node: gast.Call, hint: str) -> Operand:
        """`super()` in a method: `super(__class__, self)`, whose derivative
        is self's (`super().f(x)` is f bound to self)."""
        cls = self.enclosing_class(node)
        args = self.parsed.node.args
        first = [*args.posonlyargs, *args.args][:1]
        if not first or first[0].id not in self.env:
            raise self.error("super() outside a method of a class", node,
                             "call the base class's method with the object: Base.f(self, x)")
        return self.emit("super_of", [Ref(f"${cls.__name__}", cls), self.env[first[0].id]],
                         hint=hint or "parent", callee=Ref("$super_of", super_of))

    def mapping_get(self, node: gast.Call, hint: str) -> Operand:
        """`d.get(key, default)` on a local mapping: `d[key] if key in d else
        default`, with key and default evaluated once, first (as Python does)."""
        parts = [self.expr(a) for a in node.args]
        names = []
        for part in parts:
            name = self.fresh_name("get")
            self.env[name] = part
            names.append(gast.Name(id=name, ctx=gast.Load(), annotation=None,
                                   type_comment=None))
        default = names[1] if len(names) == 2 else gast.Constant(value=None, kind=None)
        mapping = node.func.value
        choice = gast.IfExp(
            test=gast.Compare(left=names[0], ops=[gast.In()], comparators=[mapping]),
            body=gast.Subscript(value=mapping, slice=names[0], ctx=gast.Load()),
            orelse=default)
        gast.copy_location(choice, node)
        return self.expr(choice, hint)

    def not_an_array(self, node: Any) -> bool:
        """Is the receiver `node` a name the function also reads an attribute of
        that arrays lack (`xp.exp`, `xp.linalg`, `model.layers`)? Then it is a
        module or an object, and `xp.sum(x, axis=0)` is its function, not
        ndarray's method: the call is resolved when it runs."""
        if not isinstance(node, gast.Name) or self.parsed is None:
            return False
        if self.object_like is None:
            self.object_like = {
                sub.value.id for sub in gast.walk(self.parsed.node)
                if isinstance(sub, gast.Attribute) and isinstance(sub.value, gast.Name)
                and not hasattr(np.ndarray, sub.attr)}
        return node.id in self.object_like

    def made_by_a_class(self, value: Any) -> bool:
        """Is `value` an instance a class other than list made here (`d =
        collections.deque()`, `r = Recorder()`)? Its `.append` is its own
        method, not a list's."""
        made = self.producers.get(value) if isinstance(value, Var) else None
        if made is None or made.prim != "call" or not made.args:
            return False
        callee = made.args[0]
        return isinstance(callee, Ref) and isinstance(callee.value, type) and \
            not issubclass(callee.value, list)

    def list_extend(self, node: gast.Call) -> Operand:
        """`lst.extend([a, b])`: a new, longer list; other mutators are refused."""
        func = node.func
        if func.attr == "extend" and isinstance(func.value, gast.Name) and \
                func.value.id in self.env and len(node.args) == 1 and \
                isinstance(node.args[0], (gast.List, gast.Tuple)) and not node.keywords:
            name = func.value.id
            more = self.emit("make_list", [self.expr(e) for e in node.args[0].elts])
            self.env[name] = self.emit("add", [self.env[name], more], hint=hint_of(name),
                                       inplace=True)  # (the list itself grows)
            return Const(None)
        raise self.error(f".{func.attr}() changes its object in place (as a list's, a dict's "
                         "or an array's does), which s2sad does not follow", node,
                         "compute a new value instead (np.sort(a), a list display, lst + [v], "
                         "a new dict); a method of your class of that name is followed on an "
                         "object this function made, called by its name (obj = Cls(...); "
                         f"obj.{func.attr}(...))")

    def may_be_an_array(self, node: Any) -> bool:
        """May `node`, a method's receiver, be a NumPy array? Not a module (or a
        path in one), an object of the user's that the lowering knows, a global
        one, or a new object of a class (`Model().sum(a, b, c)`)."""
        if isinstance(node, gast.Name) and node.id in self.env:
            return not self.is_object(self.env[node.id])
        if isinstance(node, gast.Call):
            made = self.global_value(node.func)
            return not (isinstance(made, type) and not issubclass(made, np.ndarray))
        return not self.is_module_ref(node) or isinstance(self.global_value(node), np.ndarray)

    def global_value(self, node: Any) -> Any:
        """The object a global name, or a path of attributes from one, holds
        now (None for anything else)."""
        if self.parsed is None:
            return None  # (a rule's template is lowered without a function of the user's)
        return named_object(node, lambda name: None if name in self.env else
                            self.parsed.binding(name).value)

    def is_module_ref(self, node: Any) -> bool:
        """Is `node` (a method's receiver) a global name or a path from one, like
        `model.layers`? Its methods resolve to known objects, not local values."""
        while isinstance(node, gast.Attribute):
            node = node.value
        return isinstance(node, gast.Name) and node.id not in self.env

    def inline_call(self, fn: LocalFunction, node: gast.Call, hint: str) -> Operand:
        """Call a local def or lambda by lowering its body in place. The body
        sees the variables of the scope it was made in as they are at the call
        (Python's late binding of closures); its own assignments stay local to
        it. A call with `*seq` or `**mapping` calls it as a closure instead.
        A call of itself is refused: its depth is known only when it runs."""
        if fn.node in self.inlining:
            raise self.error("a local function that calls itself (recursion) is not supported: "
                             "s2sad compiles a local def into its caller at each call", node,
                             "define recursive helpers at module level, where s2sad compiles "
                             "them once and calls them")
        if any(isinstance(a, gast.Starred) for a in node.args) or \
                any(k.arg is None for k in node.keywords):
            callee = self.value_of(fn)
            args, kwargs = self.call_args(node)
            return self.emit("call", [callee, *args], kwargs, hint=hint)
        base = self.scope_env(fn)
        bound = self.bind_local(fn, [self.expr(a) for a in node.args],
                                {k.arg: self.expr(k.value) for k in node.keywords}, node)
        saved = self.env, self.loops, self.scope
        self.env = {k: v for k, v in base.items() if not k.startswith("<")} | bound
        self.loops = []
        self.scopes += 1
        self.scope = self.scopes
        self.inline_depth += 1
        self.inlining.append(fn.node)
        try:
            if isinstance(fn.node, gast.Lambda):
                return self.expr(fn.node.body, hint)
            self.start_generator(fn.node)
            result = self.stmts(fn.node.body)
            return self.returned_none() if result is None else result
        finally:
            self.inlining.pop()
            self.inline_depth -= 1
            self.env, self.loops, self.scope = saved

    def bind_local(self, fn: LocalFunction, args: list, kwargs: dict, node: Any) -> dict:
        """A local function's parameters bound to a call's arguments, as Python
        binds them (defaults as they were where it was made)."""
        spec = fn.node.args
        positional = [a.id for a in [*spec.posonlyargs, *spec.args]]
        n_posonly = len(spec.posonlyargs)
        bound = dict(zip(positional, args))
        extra = args[len(positional):]
        if extra and spec.vararg is None:
            raise self.error(f"the local function takes {len(positional)} positional "
                             f"arguments but {len(args)} were given", node)
        if spec.vararg is not None:
            bound[spec.vararg.id] = self.emit("make_tuple", extra) if extra else Const(())
        named = set(positional[n_posonly:]) | {a.id for a in spec.kwonlyargs}
        rest = {}
        for key, value in kwargs.items():
            if key in named and key not in bound:
                bound[key] = value
            elif spec.kwarg is not None:
                rest[key] = value
            else:
                raise self.error(f"the local function got an unexpected argument {key!r}", node)
        if spec.kwarg is not None:
            bound[spec.kwarg.id] = self.emit("make_dict", [Const(tuple(rest)), *rest.values()])
        for name in [*positional, *(a.id for a in spec.kwonlyargs)]:
            if name not in bound:
                if name not in fn.defaults:
                    raise self.error(f"missing argument {name!r}", node)
                bound[name] = fn.defaults[name]
        return bound


def _binds(prim: primitives.Primitive, args: list, kwargs: dict) -> bool:
    """Do these arguments fit the method's signature? (`xp.sum(x, axis=0)` on a
    module does not fit ndarray's `sum(axis=None, ...)`.)"""
    try:
        prim.bind(args, kwargs)
    except TypeError:
        return False
    return True


# NumPy's functions that read a generator (np.sum with a DeprecationWarning)
def _reads_iterables(fn: Any) -> bool:
    """Does this NumPy function take a generator: np.fromiter, and np.sum
    where this NumPy's does (older ones, with a DeprecationWarning; 2.4
    raises TypeError)?"""
    return fn is np.fromiter or fn is np.sum and _sums_generators()


@functools.cache
def _sums_generators() -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.sum(v for v in (1.0,)) == 1.0
    except TypeError:
        return False


def _in_numpy(fn: Any) -> bool:
    """Is fn NumPy's (a function or a ufunc)?"""
    return isinstance(fn, np.ufunc) or (getattr(fn, "__module__", None) or "").startswith("numpy")


def _in_library(owner: Any) -> bool:
    """Is `owner` a module of NumPy, SciPy or math, or an object one of them
    defines (`scipy.stats.norm`, whose `norm.logpdf` is a new bound method at
    each access, so it could not be a guard checked by identity)?"""
    if isinstance(owner, types.ModuleType):
        module = owner.__name__
    elif isinstance(owner, type):
        return False
    else:
        module = type(owner).__module__ or ""
    return module.split(".")[0] in LIBRARY_MODULES


def _mutating_method(name: str) -> bool:
    """`.sort()`, `.update()`, ... (methods the table says change their
    object) and the in-place operator methods (`__iadd__`)."""
    prim = primitives.lookup("." + name)
    if prim is not None and prim.mutates:
        return True
    return in_place_dunder(name)


_WHOLE_CONSUMERS = frozenset({"sum", "list", "tuple", "sorted", "max", "min", "dict", "set"})


def _consumes_whole(func: Any, env: dict) -> bool:
    """Does this callee consume a generator argument to its end (builtins that
    build or reduce, NumPy's functions), unlike `any`, `all`, `zip` or `next`?"""
    if isinstance(func, gast.Name):
        return func.id in _WHOLE_CONSUMERS and func.id not in env
    root = func
    while isinstance(root, gast.Attribute):
        root = root.value
    return isinstance(root, gast.Name) and root.id in ("np", "numpy") and root.id not in env
