"""Objects of the user's classes made in the function: their attributes and
the methods that change them.

An object the function makes (`Cell(W)`, a class without `__init__`,
`types.SimpleNamespace()`) is its own: its attributes may be set, as
`setattr` statements (`attribute_target`), unless the class runs code for
them (a property's setter, `__setattr__`). The lowering keeps, for each
such object, the classes it may be of (`Lowerer.instances`). A method that
sets attributes of its object (`scans.sets_own_attributes`) called on one
is an *updating call* (`updating_call`, `runtime.UpdatingMethod`): the call
returns (the method's result, the object), and every name bound to the
object takes that new version, as every Python name for it sees the change.
"""

from __future__ import annotations

import inspect
import sys
import types
from typing import Any

import gast

from ..ir import Const, Operand, Ref, Var
from ..parsing import is_library_file
from ..runtime import UpdatingMethod, check_properties_unread, updated
from .base import LowererBase, owner_class
from .scans import (
    LocalFunction,
    hint_of,
    is_super,
    lazy_reads,
    returns_self,
    sets_own_attributes,
)

# (one per method name, and class of a super() call: its Ref's name in the code)
_UPDATING: dict[tuple[str, type | None], UpdatingMethod] = {}


class Objects(LowererBase):
    """Attributes of objects the function made, and their updating methods."""

    def object_setitem(self, target: gast.Subscript, value: Operand) -> None:
        """`obj[i] = v` on an object of the user's class: its __setitem__, run as
        an updating method where it sets the object's attributes (on an object
        made here); never NumPy's item write, which its derivative would be."""
        name = target.value.id
        done = self.updating_call(name, "__setitem__", None, "",
                                  given=[self.index(target.slice), value])
        if done is None:
            raise self.error(
                f"assigning an item of {name}, an object of your class, runs its __setitem__, "
                "which s2sad follows where the object is made in this function and "
                "__setitem__ sets the object's attributes", target,
                "in __setitem__, build the new array and set the attribute: d = "
                "self.data.copy(); d[i] = v; self.data = d")

    def set_attribute(self, name: str, obj: Operand, target: gast.Attribute,
                      value: Any) -> None:
        """`name.attr = value` on the object `obj` made here: its next version,
        which the name takes (of the object's classes). A function stored on
        the object that reads it, and the object itself, are refused: later
        changes would not reach what they read."""
        if isinstance(value, LocalFunction) and name in lazy_reads(value.node):
            raise self.error(
                f"a function that reads {name}, stored on {name} ({name}.{target.attr} = "
                f"lambda: ...): it would read {name} as it is now, not as later changes "
                "leave it", target, f"make it a method of the class (def "
                f"{target.attr}(self): ...)")
        if value is obj:
            raise self.error(f"an object holding itself ({name}.{target.attr} = {name}) is "
                             "not supported: its later changes would not reach the "
                             "attribute's reads", target,
                             "keep the links in a separate structure")
        new = self.emit("setattr", [obj, Const(target.attr), value], hint=name, inplace=True)
        self.env[name] = new
        self.owned.add(new)
        if obj in self.instances:
            self.instances[new] = self.instances[obj]

    def check_properties_unread(self, obj: Operand, read: Any) -> None:
        """Before a change of `obj`, given the attributes read from it so far: a
        property among them would have its derivative taken at the changed
        object (`runtime.check_properties_unread` refuses it when it runs)."""
        if read:
            self.emit("check_properties_unread", [obj, Const(tuple(sorted(read)))],
                      target=False, callee=Ref("$check_properties_unread",
                                               check_properties_unread))

    def check_plain_attribute(self, obj: Operand, attr: str, target: Any) -> None:
        """`obj.attr = v` stores v, unless the class runs code for it: a property's
        setter, another data descriptor, or `__setattr__` (whose stored value s2sad
        would not know): refused for the classes the object may be of."""
        for cls in self.instances.get(obj, ()) if isinstance(obj, Var) else ():
            found = inspect.getattr_static(cls, attr, None)
            runs = getattr(type(found), "__set__", None) is not None and not isinstance(
                found, (types.MemberDescriptorType, types.GetSetDescriptorType))
            if runs or (cls.__setattr__ is not object.__setattr__ and
                        cls is not types.SimpleNamespace):  # (a namespace stores them)
                what = f"the setter of {cls.__name__}.{attr}" if runs else \
                    f"{cls.__name__}.__setattr__"
                raise self.error(
                    f"assigning .{attr} runs {what}, which s2sad does not follow (it would "
                    "take the assigned value for the stored one)", target,
                    "call a method that sets the stored attribute (self._x = ...) instead")

    def attribute_target(self, target: gast.Attribute) -> tuple[str, Operand]:
        """The name and object of `obj.attr = ...`: an object this function made
        (`Class(...)`, or the object a constructor builds); writes into objects
        from outside are refused (their other holders would see them)."""
        base = target.value
        obj = self.env.get(base.id) if isinstance(base, gast.Name) else None
        if obj is not None and self.owns(obj):
            self.check_plain_attribute(obj, target.attr, target)
        if obj is None or not self.owns(obj):
            node = self.parsed.node if self.parsed is not None else None
            first = [*node.args.posonlyargs, *node.args.args][:1] \
                if isinstance(node, gast.FunctionDef) else []
            if first and isinstance(base, gast.Name) and base.id == first[0].id and \
                    owner_class(self.parsed.fn) is not None:
                raise self.error(
                    f"this method sets an attribute of its object ({base.id}.{target.attr} = "
                    "...), which s2sad follows when the method is called on an object the "
                    "differentiated function made, by a name or on the object's expression "
                    "(obj = Cls(...); obj.method(...)); here it was called another way (on an "
                    "argument, a list item, an attribute, or what a helper returned)", target,
                    "make the object in the differentiated function and call the method on "
                    "it there, or return the new values from the method instead of setting "
                    "them")
            raise self.error(
                "assigning an attribute of an object this function did not create, or "
                "reached through a list, a dict or another object (`ps[0].v = ...`), is not "
                "supported (whoever else holds the object would see the change)", target,
                "build a new object instead (dataclasses.replace(obj, name=value), or a new "
                "instance of its class), or keep the value in a local variable")
        return base.id, obj

    def updating_method(self, name: str | Operand, attr: str, after: type | None = None
                        ) -> list[tuple[type, Any]] | None:
        """[(class, method)] for each class the object may be of, if
        `name.attr(...)` calls a method that sets attributes of its object
        (`sets_own_attributes`, in one of them at least) on an object this
        function made (`super().attr(...)` in a method of `after`: the next
        class's method); else None. `name` may be the object's operand."""
        obj = self.env.get(name) if isinstance(name, str) else name
        classes = self.instances.get(obj, ()) if isinstance(obj, Var) else ()
        found = []
        for cls in classes:
            mro = cls.__mro__
            start = mro.index(after) + 1 if after in mro else 0
            found.append((cls, next((k.__dict__[attr] for k in mro[start:]
                                     if attr in k.__dict__), None)))
        return found if any(sets_own_attributes(m, c) for c, m in found) else None

    def updating_call(self, name: str | Operand, attr: str, node: gast.Call | None,
                      hint: str, after: type | None = None, given: list | None = None
                      ) -> Operand | None:
        """`obj.step(x)`, where obj is an object this function made and its
        class's `step` sets attributes of its object: the call returns (the
        method's result, the object), and the object takes a new name, an
        in-place update of it (`updated`: another name still holding the object
        is checked like one of `obj.h = v`). The derivative follows the
        object through the method (`runtime.UpdatingMethod`). `given`: the
        arguments, lowered (`obj[i] = v`'s to __setitem__), instead of `node`'s.
        `name` may be the object's operand, made by an expression (`Cell(W).step(x)`,
        `cell.step(x).step(y)`): no name takes the new version. None for other
        calls."""
        found = self.updating_method(name, attr, after)
        if found is None:
            return None
        if after is None:  # (a method rebound: compiled again)
            self.baked_attrs.extend((cls, attr, method) for cls, method in found)
        obj = self.env[name] if isinstance(name, str) else name
        self.check_properties_unread(obj, {
            a for a in self.attributes_read.get(name, ()) if isinstance(name, str)
            if not any(isinstance(inspect.getattr_static(cls, a, None), types.FunctionType)
                       for cls, _ in found)})  # (not its methods)
        args, kwargs = self.call_args(node) if given is None else (given, {})
        made = _UPDATING.setdefault((attr, after), UpdatingMethod(attr, after))
        callee = Ref(f"${attr}_updating" if after is None else f"$super_{attr}_updating", made)
        pair = self.emit("call", [callee, obj, *args], kwargs, hint=hint)
        result = self.emit("getitem", [pair, Const(0)], hint=hint)
        called = hint_of(name) if isinstance(name, str) else ""
        after = self.emit("getitem", [pair, Const(1)], hint=called)
        new = self.emit("updated", [obj, after], hint=called, inplace=True,
                        callee=Ref("$updated", updated))
        for bound in [k for k, v in self.env.items() if v is obj]:  # (`c`, for `c.f(x).g(y)`)
            self.env[bound] = new
        self.owned.add(new)
        self.instances[new] = tuple(cls for cls, _ in found)
        return new if all(returns_self(m) for _, m in found) else result  # (chaining)

    def updating_target(self, node: gast.Call) -> tuple[str, str, type | None] | None:
        """(name, method, class after which to look it up) a call may be an
        updating call of, by its shape: `obj.step(x)`, `cell(x)` (its
        `__call__`), `super().step(x)` in a method changing its object; None for
        other calls. `updating_method` says whether it is one."""
        func = node.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
            return func.value.id, func.attr, None
        if isinstance(func, gast.Name):
            return func.id, "__call__", None
        me = self.updating or self.constructed
        if isinstance(func, gast.Attribute) and is_super(func.value) and me is not None and \
                self.inline_depth == 0 and self.env.get("super") is None:
            owner = owner_class(self.parsed.fn)
            return (me, func.attr, owner) if owner is not None else None
        return None

    def updated_names(self, body: list) -> list[str]:
        """The names a loop body calls updating methods of (`updating_call`):
        the loop carries them, as it does names it assigns (`obj[i] = v` is)."""
        names: dict[str, None] = {}
        for stmt in body:
            for sub in gast.walk(stmt):
                target = self.updating_target(sub) if isinstance(sub, gast.Call) else None
                if target is not None and self.updating_method(*target) is not None:
                    names[target[0]] = None
        return list(names)


def makes_a_new_object(cls: Any) -> bool:
    """Does calling `cls` make a new object of the user's whose attributes the
    caller may set: a class with its own `__init__` in the user's code, one of
    the user's with no `__init__` at all, or `types.SimpleNamespace`?"""
    if not isinstance(cls, type):
        return False
    if cls is types.SimpleNamespace:
        return True
    init = getattr(cls, "__init__", None)
    if isinstance(init, types.FunctionType):
        return not is_library_file(init.__code__.co_filename)
    module = sys.modules.get(cls.__module__)
    return init is object.__init__ and cls.__new__ is object.__new__ and \
        not is_library_file(getattr(module, "__file__", None) or "<builtin>")
