"""Lowering statements: the function itself, assignments (plain, tuple,
subscript, augmented), `with`, `assert`, `del` and local `def`s."""

from __future__ import annotations

import contextlib
import types
from typing import Any

import gast
import numpy as np

from .. import primitives
from ..ir import Assign, Const, Function, Operand, Ref, Return, Var
from ..runtime import check_not_augmented_array, own
from .base import LowererBase, owner_class
from .control import without_else
from .scans import (
    EXIT,
    RET,
    RETVAL,
    YIELDED,
    Continue,
    contains_return,
    exits,
    literal,
    target_hint,
)

# What to say when a statement kind is not supported.
UNSUPPORTED = {
    gast.Try: "try/except is not differentiable by s2sad; move the differentiable "
    "computation out of the try block",
    gast.AsyncWith: "async code cannot be differentiated",
    gast.AsyncFor: "async code cannot be differentiated",
    gast.AsyncFunctionDef: "async code cannot be differentiated",
    gast.Global: "assigning globals inside a differentiated function is not supported; "
    "return the value instead",
    gast.Nonlocal: "assigning nonlocal variables is not supported; return the value instead",
    gast.ClassDef: "define classes outside the differentiated function",
}


_SYMBOLS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.FloorDiv: "//",
            gast.Mod: "%", gast.Pow: "**", gast.MatMult: "@", gast.BitAnd: "&", gast.BitOr: "|",
            gast.BitXor: "^", gast.LShift: "<<", gast.RShift: ">>"}  # (for messages)

def static_ref(value: Any) -> Ref:
    """How generated code names a parameter's known value (`Spec.statics`), in
    both halves of a split gradient: `np` for NumPy, `np.tanh` for an object
    with a rule (bound in a cell of the generated code when the user's names
    differ)."""
    if isinstance(value, types.ModuleType):
        name = "np" if value is np else value.__name__.rsplit(".", 1)[-1]
        return Ref("$" + name, value)
    prim = primitives.for_object(value)
    if prim is None or prim.name in primitives.USER_RULED or prim.form != "function":
        label = "".join(c if c.isalnum() else "_" for c in getattr(value, "__name__", "f"))
        return Ref("$" + (label or "f"), value)
    return Ref("$" + prim.name, value)


# Attributes an assignment to which changes an array itself (`a.shape = (3, 1)`)
ARRAY_ATTRIBUTES = frozenset({"shape", "dtype", "strides", "real", "imag", "flat", "data"})

class Statements(LowererBase):
    """Statements and the function they make up."""

    def lower_function(self) -> Function:
        assert self.parsed is not None
        node = self.parsed.node
        self.set_loc(node)
        args = node.args
        params, vararg, varkw = self.parameters(args)
        positional = [*args.posonlyargs, *args.args]
        if (self.construct or self.updates) and positional:  # (it may set the object's)
            if self.construct:  # __init__ as the constructor: it owns the object
                self.constructed = positional[0].id
            else:  # a method setting attributes of its object: its caller's
                self.updating = positional[0].id
            self.owned.add(params[0])
            owner = owner_class(self.parsed.fn)
            self.instances[params[0]] = (owner,) if owner is not None else ()
        defaults = {}
        for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
            defaults[arg.id] = Const(literal(default))
        if isinstance(node, gast.Lambda):
            returned = self.expr(node.body, hint="")
        else:
            self.start_generator(node)
            returned = self.stmts(node.body)
            if returned is None:
                returned = self.returned(self.returned_none())
        self.block.stmts.append(Return(returned, self.loc))
        self.kept_closures_read(self.block)
        return Function(node.name if hasattr(node, "name") else "lambda", params, self.block,
                        defaults, self.parsed.loc(node), kwonly=len(args.kwonlyargs),
                        posonly=len(args.posonlyargs), vararg=vararg, varkw=varkw)

    def parameters(self, args: Any) -> tuple[list, Var | None, Var | None]:
        """The function's parameters in IR order (positional, *args, keyword-only,
        **kwargs), each bound in the environment; and the *args and **kwargs ones."""
        params: list[Var] = []
        vararg = varkw = None

        def bind(arg: Any) -> Var:
            var = self.factory.new(arg.id)
            if len(params) in self.statics:  # a module, np.tanh: resolved through
                self.env[arg.id] = static_ref(self.statics[len(params)])
            else:
                self.env[arg.id] = var
            if len(params) in self.object_params:
                self.known_objects.add(var)
            if len(params) in self.record_params:
                self.known_records.add(var)
            params.append(var)
            return var

        for arg in [*args.posonlyargs, *args.args]:
            bind(arg)
        if args.vararg is not None:
            vararg = bind(args.vararg)
        for arg in args.kwonlyargs:
            bind(arg)
        if args.kwarg is not None:
            varkw = bind(args.kwarg)
        return params, vararg, varkw

    def stmts(self, body: list, cont: list = ()) -> Operand | None:
        """Lower `body` into the current block.

        At function level, returns the returned operand when every path
        through `body` returns, else None. Inside a loop body, returns EXIT
        once the rest of the body has been lowered (after a break, continue or
        return), else None. `cont` are the statements that follow `body`: an
        `if` with an exit inside takes them into the side that falls through,
        so control flow stays structured and each function has one `Return`."""
        in_loop = bool(self.loops)
        for i, node in enumerate(body):
            self.set_loc(node)
            rest = [*body[i + 1:], *cont]
            if isinstance(node, Continue):
                result = self.stmts(node.body)
                return result if result is not None or in_loop else \
                    self.returned(self.returned_none())
            if isinstance(node, gast.Return):
                self.check_stored_lazies(node)
                value = self.expr(node.value) if node.value is not None and \
                    YIELDED not in self.env else self.returned_none()
                if in_loop or self.inline_depth == 0:  # (a local function returned: a closure)
                    value = self.value_of(value)
                value = self.returned(value)
                if not in_loop:
                    return value
                self.env[RET], self.env[RETVAL] = Const(True), value
                self.env[self.loops[-1]] = Const(True)
                return EXIT
            if isinstance(node, gast.Break):
                self.env[self.loops[-1]] = Const(True)
                return EXIT
            if isinstance(node, gast.Continue):
                return EXIT
            if isinstance(node, gast.If) and exits(node, in_loop):
                if in_loop:
                    self.if_exit(node, rest)
                    return EXIT
                return self.if_early(node, rest)
            if isinstance(node, gast.If):
                self.if_stmt(node)
                continue
            if isinstance(node, gast.Match):
                return self.stmts([*self.match_as_ifs(node), *body[i + 1:]], cont)
            if isinstance(node, gast.For) and (strict := self.strict_zip_loop(node)):
                return self.stmts([*strict, *body[i + 1:]], cont)
            if isinstance(node, (gast.While, gast.For)) and node.orelse:
                return self.stmts([*without_else(node, self.fresh_name("broke")),
                                   *body[i + 1:]], cont)
            self.check_lazy_reads(node, rest)
            self.stmt(node)
            if isinstance(node, (gast.While, gast.For)) and contains_return(node):
                return self.after_returning_loop(rest)
        return None

    def returned_none(self) -> Operand:
        """What `return` with no value gives: None, in a constructor the object,
        in a generator the list of what it yielded."""
        if YIELDED in self.env:
            return self.env[YIELDED]
        if self.constructed is not None and self.inline_depth == 0:
            return self.env[self.constructed]
        return Const(None)

    def returned(self, value: Operand) -> Operand:
        """What a `return` of `value` gives: in a method setting attributes of
        its object (`updating`), (value, the object as it is here)."""
        if self.updating is None or self.inline_depth:
            return value
        return self.emit("make_tuple", [value, self.env[self.updating]], hint="returned")

    def raise_stmt(self, node: gast.Raise) -> None:
        """`raise error` (`from cause`) raises the user's error when it runs
        (`runtime.raise_`); a bare `raise` belongs to an except clause, and
        try is not supported."""
        if node.exc is None:
            raise self.error("a bare `raise` re-raises inside an except clause, and try/except "
                             "is not supported", node, "raise an exception object instead")
        args = [self.without_derivative(self.expr(node.exc))]
        if node.cause is not None:
            args.append(self.without_derivative(self.expr(node.cause)))
        self.emit("raise_", args, target=False, callee=Ref("$raise_"))

    def without_derivative(self, made: Operand) -> Operand:
        """The exception a `raise` raises, built from its arguments with no
        derivative through them (`ValueError("too big", x)`: forward mode
        would look for a tangent of the exception)."""
        last = self.block.stmts[-1] if self.block.stmts else None
        if not (isinstance(made, Var) and isinstance(last, Assign) and last.target is made):
            return made
        self.block.stmts.pop()
        stopped = {}
        for a in [*last.args, *last.kwargs.values()]:
            if isinstance(a, Var) and a not in stopped:
                stopped[a] = self.emit("stop_gradient", [a], callee=Ref("$stop_gradient"),
                                       hint=a.hint)
        last.args = [stopped.get(a, a) if isinstance(a, Var) else a for a in last.args]
        last.kwargs = {k: stopped.get(a, a) if isinstance(a, Var) else a
                       for k, a in last.kwargs.items()}
        self.block.stmts.append(last)
        return made

    def yield_stmt(self, node: Any) -> None:
        """`yield v` appends v to the list; `yield from it` adds its items."""
        if YIELDED not in self.env:
            raise self.error("yield outside a generator function", node)
        if isinstance(node, gast.Yield):
            value = self.expr(node.value) if node.value is not None else Const(None)
            self.env[YIELDED] = self.emit("list_append", [self.env[YIELDED], value],
                                          hint="yielded", inplace=True)
        else:
            items = self.emit("list", [self.passed(node.value)], callee=Ref("$list", list))
            self.env[YIELDED] = self.emit("seq_concat", [self.env[YIELDED], items],
                                          hint="yielded")

    def stmt(self, node: Any) -> None:
        kind = type(node)
        if kind is gast.Raise:
            self.raise_stmt(node)
            return
        if kind is gast.Global and self.inline_depth == 0 and not self.comprehensions:
            self.declared_globals.update(node.names)  # (reading them is reading globals)
            return
        if kind in UNSUPPORTED:
            raise self.error(f"unsupported statement: {kind.__name__.lower()}", node,
                             UNSUPPORTED[kind])
        if kind in (gast.Import, gast.ImportFrom):
            self.import_stmt(node)
            return
        if isinstance(node, gast.Assign):
            value = self.expr(node.value, hint=target_hint(node.targets))
            for target in node.targets:
                self.assign(target, value)
        elif isinstance(node, gast.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.expr(node.value, hint=target_hint([node.target])))
        elif isinstance(node, gast.AugAssign):
            self.aug_assign(node)
        elif isinstance(node, gast.Expr):
            if isinstance(node.value, (gast.Yield, gast.YieldFrom)):
                self.yield_stmt(node.value)
            elif not isinstance(node.value, gast.Constant):  # (a docstring)
                self.expr(node.value)
        elif isinstance(node, gast.With):
            self.with_stmt(node)
        elif isinstance(node, gast.Assert):
            args = [self.expr(node.test)] + ([self.expr(node.msg)] if node.msg else [])
            self.emit("assert_", args, target=False)
        elif isinstance(node, gast.While):
            self.while_stmt(node)
        elif isinstance(node, gast.For):
            self.for_stmt(node)
        elif isinstance(node, gast.Delete):
            self.delete(node)
        elif isinstance(node, gast.FunctionDef):
            if node.decorator_list:
                raise self.error("decorated local functions are not supported", node,
                                 "define the helper at module level")
            self.env[node.name] = self.local_function(node)
        elif not isinstance(node, gast.Pass):
            raise self.error(f"unsupported statement: {kind.__name__}", node,
                             "rewrite it with assignments, if, while and for")

    def delete(self, node: gast.Delete) -> None:
        for target in node.targets:
            if not isinstance(target, gast.Name):
                raise self.error("only `del name` is supported", node, "drop the `del` statement")
            self.env.pop(target.id, None)

    def with_stmt(self, node: gast.With) -> None:
        """`with cm: body` runs body between cm.__enter__() and cm.__exit__(...).
        The backward pass runs after the block, outside the context, which is
        right for the contexts numerical code uses (np.errstate, timers, logs)."""
        if any(isinstance(n, (gast.Return, gast.Break, gast.Continue))
               for stmt in node.body for n in gast.walk(stmt)):
            raise self.error("return, break or continue inside a `with` block is not "
                             "supported", node, "move it after the with block")
        managers = []
        for item in node.items:
            if self.suppresses(item.context_expr):
                raise self.error(
                    "contextlib.suppress: s2sad does not pass the block's exceptions to its "
                    "context manager, so the block would raise where Python goes on",
                    item.context_expr, "test for the case with an if instead")
            manager = self.expr(item.context_expr, hint="context")
            enter = self.emit("getattr", [manager, Const("__enter__")])
            entered = self.emit("call", [enter])
            if item.optional_vars is not None:
                self.assign(item.optional_vars, entered)
            managers.append(manager)
        self.stmts(node.body)
        for manager in reversed(managers):
            leave = self.emit("getattr", [manager, Const("__exit__")])
            self.emit("call", [leave, Const(None), Const(None), Const(None)], target=False)

    def suppresses(self, node: Any) -> bool:
        """Is `node` a call of contextlib.suppress (`suppress(...)`,
        `contextlib.suppress(...)`)?"""
        if not isinstance(node, gast.Call):
            return False
        func = node.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                func.value.id not in self.env:
            return self.lookup_free(func.value.id) is contextlib and func.attr == "suppress"
        return self.resolve_callee_object(func) is contextlib.suppress

    def assign(self, target: Any, value: Operand) -> None:
        if isinstance(target, gast.Name):
            if target.id in self.declared_globals and self.inline_depth == 0:
                raise self.error(f"unsupported statement: assigning the global {target.id}",
                                 target, UNSUPPORTED[gast.Global])
            if target.id in (self.updating, self.constructed) and self.inline_depth == 0:
                raise self.error(f"rebinding {target.id}, the object this method sets "
                                 "attributes of, is not supported", target,
                                 "use another name for the other object")
            self.env[target.id] = value
        elif isinstance(target, (gast.Tuple, gast.List)):
            if any(isinstance(t, gast.Starred) for t in target.elts):
                self.starred_assign(target, value)
                return
            for i, sub in enumerate(target.elts):
                hint = sub.id if isinstance(sub, gast.Name) else ""
                self.assign(sub, self.emit("getitem", [value, Const(i)], hint=hint))
        elif isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name) and \
                self.is_object(self.env.get(target.value.id)):
            self.object_setitem(target, value)
        elif isinstance(target, gast.Subscript) and self.dict_target(target):
            self.dict_write(target, value, self.index(target.slice))
        elif isinstance(target, gast.Subscript):
            array, index = self.subscript_target(target)
            self.env[target.value.id] = self.emit("setitem", [array, index, value],
                                                  hint=target.value.id, inplace=True)
        elif isinstance(target, gast.Attribute):
            name, obj = self.attribute_target(target)
            self.check_attribute(obj, target.attr)
            self.check_properties_unread(obj, self.attributes_read.get(name, ()))
            self.set_attribute(name, obj, target, value)
        else:
            raise self.error(f"cannot assign to {type(target).__name__}", target)

    def check_attribute(self, obj: Operand, attr: str) -> None:
        """`obj.shape = ...` and the like change an array in place: checked
        when the code runs (a user's object may have such an attribute)."""
        if attr in ARRAY_ATTRIBUTES:
            self.emit("check_attribute_write", [obj, Const(attr)], target=False)

    def starred_assign(self, target: Any, value: Operand) -> None:
        """`first, *rest, last = value`: items from the front and the back, and
        a list of those between (negative indices count from the end)."""
        elts = target.elts
        star = next(i for i, t in enumerate(elts) if isinstance(t, gast.Starred))
        after = len(elts) - star - 1
        for i, sub in enumerate(elts):
            if i == star:
                upper = gast.Constant(value=-after, kind=None) if after else None
                bounds = gast.Slice(lower=gast.Constant(value=star, kind=None), upper=upper,
                                    step=None)
                part = self.emit("getitem", [value, self.index(bounds)])
                hint = sub.value.id if isinstance(sub.value, gast.Name) else ""
                self.assign(sub.value, self.emit("list", [part], callee=Ref("$list", list),
                                                 hint=hint))
                continue
            hint = sub.id if isinstance(sub, gast.Name) else ""
            position = i if i < star else i - len(elts)
            self.assign(sub, self.emit("getitem", [value, Const(position)], hint=hint))

    def subscript_target(self, target: gast.Subscript) -> tuple[Operand, Operand]:
        """The array and index of `a[index] = ...`; an array the function does not
        own (an argument, a global, a view) is copied first, so the caller's data
        never changes."""
        if isinstance(target.value, gast.Subscript):
            raise self.error("assigning into an item or slice of an item or slice "
                             "(`a[1:][:2] = v`) is not supported", target,
                             "write one index into the array itself: a[1:3] = v")
        if not isinstance(target.value, gast.Name) or target.value.id not in self.env:
            raise self.error("only a local variable can be assigned into (`a[i] = v`)", target,
                             "copy it into a local variable first: a = x.copy() for an "
                             "array, lst = list(lst) for a list; build a new dict in one "
                             "display, {**d, 'k': v} (a cache of results, as a memoizing "
                             "decorator keeps, has no place in a derivative)")
        name = target.value.id
        array = self.env[name]
        if isinstance(target.slice, gast.Slice) and self.is_list(array):
            raise self.error("assigning into a slice of a list is not supported", target,
                             "build the new list: lst = lst[:i] + [v] + lst[j:]")
        if not self.owns(array):
            array = self.emit("own", [array], hint=name, callee=Ref("$own", own))
            self.env[name] = array
        return array, self.index(target.slice)

    def aug_assign(self, node: gast.AugAssign) -> None:
        target = node.target
        op = self.binary_prim(node.op)
        if isinstance(target, gast.Subscript) and self.dict_target(target):
            key = self.index(target.slice)
            old = self.emit("getitem", [self.env[target.value.id], key])
            # (an array in the dict is updated in place, as Python does)
            self.dict_write(target, self.emit(op, [old, self.expr(node.value)], inplace=True),
                            key)
            return
        if isinstance(target, gast.Subscript):
            array, index = self.subscript_target(target)
            old = self.emit("getitem", [array, index])
            # (Python updates the item itself, an array in a list say, in place)
            new = self.emit(op, [old, self.expr(node.value)], inplace=True)
            self.env[target.value.id] = self.emit("setitem", [array, index, new],
                                                  hint=target.value.id, inplace=True)
            return
        if isinstance(target, gast.Attribute):  # obj.name op= v on an object made here
            name, obj = self.attribute_target(target)
            self.check_attribute(obj, target.attr)
            self.check_properties_unread(obj, self.attributes_read.get(name, ()))
            old = self.emit("getattr", [obj, Const(target.attr)])
            if name in (self.updating, self.constructed) and self.inline_depth == 0:
                # (`self.h += x` of an array changes it in place, which the caller's
                # other names for it would see: only numbers here)
                self.emit("check_not_augmented_array", [old, Const(f"{name}.{target.attr}"),
                                                        Const(_SYMBOLS.get(type(node.op), "+"))],
                          target=False, callee=Ref("$check_not_augmented_array",
                                                   check_not_augmented_array))
            self.set_attribute(name, obj, target,
                               self.emit(op, [old, self.expr(node.value)], inplace=True))
            return
        if not isinstance(target, gast.Name) or \
                (target.id in self.declared_globals and self.inline_depth == 0):
            self.assign(target, Const(None))  # raises the right error
        current = self.name(target)
        value = self.expr(node.value)
        self.check_no_object_arithmetic(node, current, value)
        current, value = self.repetition(node, current, value)
        self.env[target.id] = self.emit(self.binary_of(op, current, value), [current, value],
                                        hint=target.id, inplace=True)
