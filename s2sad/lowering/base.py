"""The lowering's shared state: the environment, the block being written,
how a statement is appended, and how free names resolve."""

from __future__ import annotations

import inspect
import types
from typing import Any

import gast

from .. import primitives
from ..errors import Loc, UnsupportedSyntaxError
from ..ir import Assign, Block, Operand, Ref, Var, VarFactory
from ..parsing import Binding, ParsedFunction, is_missing
from .scans import LocalFunction


class LowererBase:
    """State shared by the lowering's parts (statements, control flow,
    expressions, calls). Local variables live in `env`, which maps each name
    to its current SSA operand; assigning a name binds a new operand."""

    def __init__(self, parsed: ParsedFunction | None, factory: VarFactory) -> None:
        self.parsed = parsed
        self.factory = factory
        self.env: dict[str, Any] = {}
        self.block = Block()
        self.loc: Loc | None = None
        self.node: Any = None  # the statement being lowered
        self.loops: list[str | None] = []  # break-flag names of the enclosing loops
        self.inline_depth = 0
        self.inlining: list = []  # the local functions being inlined (gast nodes), outermost first
        self.producers: dict[Var, Assign] = {}
        self.owned: set[Var] = set()  # phis and branch results that are owned arrays
        self.dicts: set[Var] = set()  # phis and branch results that are dicts made here
        self.carried_lists: set[Var] = set()  # phis of lists made here, only appended to
        self.dict_versions: dict[Var, Var] = {}  # a dict's next version -> the one before
        self.dict_views: dict[Var, Var] = {}  # `vals = d.values()` -> d's first version
        self.comprehensions = 0
        self.scope = 0  # the function being lowered, or an inlined call of a local one
        # a closure made -> (the scope its function was defined in, the names it reads)
        self.closure_reads: dict[Var, tuple[int, list[str]]] = {}
        self.kept_closures: list = []  # (loop phis keeping one, the name it reads, its loc)
        # a name -> the attributes read from it so far (a loop's: all of its body's)
        self.attributes_read: dict[str, set[str]] = {}
        self.scopes = 0  # scopes handed out so far
        self.materializing: list = []  # local functions being made into closures
        self.lifts: dict[tuple, Any] = {}  # (def node, captured names) -> lifted function
        self.lift_names: dict[Any, str] = {}  # lifted function -> its name in generated code
        # Lowering a class's __init__ as its constructor: the name of its first
        # parameter, the new object, which it returns (None otherwise).
        self.constructed: str | None = None
        self.construct = False
        # Lowering a method that sets attributes of its object (Spec.updates):
        # the name of its first parameter, the object; each return gives
        # (the value, the object as it is then).
        self.updating: str | None = None
        self.updates = False
        # Objects of the user's classes this function made or updates (a
        # constructor's result, the object a constructor or an updating method
        # builds), to the classes they may be of (several where branches made
        # different ones; none where unknown): their methods that set
        # attributes are updating calls (`Calls`).
        self.instances: dict[Var, tuple[type, ...]] = {}
        # Values known to be objects of the user's classes (those, and the
        # parameters at `object_params`, Spec.objects): `o.mean()`, `o.shape`
        # and `o[i]` are theirs, never ndarray's
        self.object_params: frozenset[int] = frozenset()
        self.record_params: frozenset[int] = frozenset()  # (namedtuples: items are fields)
        self.known_objects: set[Var] = set()
        self.known_records: set[Var] = set()
        self.consumed_whole: set[int] = set()  # generator expressions `sum(...)` reads to the end
        # names the function itself declares `global`: read as globals; a
        # write to one raises where it runs (`Statements.assign`)
        self.declared_globals: set[str] = set()
        self.statics: dict[int, Any] = {}  # parameters whose values are known (Spec.statics)
        self.object_like: set[str] | None = None  # names with attributes arrays lack
        self.loop_targets: set[str] | None = None  # names loops and comprehensions bind
        # Free names of the user's code, where they were found, and the ones
        # whose identity chose what the generated code does (a rule, a loop
        # form): a compiled result is valid while those still hold.
        self.free: dict[str, Binding] = {}
        self.baked: set[str] = set()
        self.links: dict[str, tuple] = {}  # "a.b" -> (a's object, "b", its value)
        self.baked_attrs: list[tuple] = []  # (object, attribute, value) picked by identity

    # ------------------------------------------------------------ writing IR

    def error(self, message: str, node: Any, hint: str = "") -> UnsupportedSyntaxError:
        loc = self.parsed.loc(node) if self.parsed is not None else None
        return UnsupportedSyntaxError(message, loc, hint)

    def emit(self, prim: str, args: list[Operand], kwargs: dict | None = None, *,
             hint: str = "", callee: Ref | None = None, inplace: bool = False,
             target: bool = True) -> Var | None:
        """Append `target = prim(args, kwargs)` to the current block."""
        primitives.get(prim)  # every primitive the IR holds has a record
        if any(isinstance(a, LocalFunction) for a in [*args, *(kwargs or {}).values()]):
            args = [self.value_of(a) for a in args]  # (a local function as a value: a closure)
            kwargs = {k: self.value_of(a) for k, a in (kwargs or {}).items()}
        var = self.factory.new(hint) if target else None
        stmt = Assign(var, prim, list(args), dict(kwargs or {}), callee, self.loc, inplace)
        self.block.stmts.append(stmt)
        if var is not None:
            self.producers[var] = stmt
        return var

    def set_loc(self, node: Any) -> None:
        if self.parsed is not None and hasattr(node, "lineno"):
            self.loc = self.parsed.loc(node)
            self.node = node

    def loc_node(self) -> Any:
        """The statement being lowered, for errors about it."""
        return self.node

    # ------------------------------------------------------------ names

    def fresh_name(self, kind: str) -> str:
        """A new internal name (`<comp3>`), which no Python name can be."""
        self.comprehensions += 1
        return f"<{kind}{self.comprehensions}>"

    def lookup_free(self, name: str) -> Any:
        """Resolve a free name of the user's code (closure, globals, builtins)
        and remember where it was found."""
        binding = self.parsed.binding(name)
        self.free[name] = binding
        return binding.value

    def resolve_callee_object(self, node: Any) -> Any:
        """The object a call's callee names, if it is a free name (`range`,
        `zip`): the lowering picks a form by it, so its identity is baked in."""
        if isinstance(node, gast.Name) and node.id not in self.env:
            value = self.lookup_free(node.id)
            if is_missing(value):
                return None
            self.baked.add(node.id)
            return value
        return None

    def local_function_error(self, name: str, node: Any) -> UnsupportedSyntaxError:
        return self.error(f"the local function {name!r} can only be called here", node,
                          "define it at module level to pass it around")

    # ------------------------------------------------------------ provided by the parts
    # The lowering is one class made of parts (statements, control, expressions,
    # calls); these are the methods the parts call across each other.

    def expr(self, node: Any, hint: str = "") -> Any:  # Expressions
        raise NotImplementedError

    def name(self, node: Any) -> Operand:  # Expressions
        raise NotImplementedError

    def index(self, node: Any) -> Operand:  # Expressions
        raise NotImplementedError

    def stmt(self, node: Any) -> None:  # Statements
        raise NotImplementedError

    def start_generator(self, node: Any) -> None:  # Generators
        raise NotImplementedError

    def check_lazy_reads(self, node: Any, rest: list) -> None:  # Generators
        raise NotImplementedError

    def attribute_target(self, target: Any) -> tuple[str, Operand]:  # Objects
        raise NotImplementedError

    def object_setitem(self, target: Any, value: Operand) -> None:  # Objects
        raise NotImplementedError

    def set_attribute(self, name: str, obj: Operand, target: Any, value: Any) -> None:  # Objects
        raise NotImplementedError

    def check_properties_unread(self, obj: Operand, read: Any) -> None:  # Objects
        raise NotImplementedError

    def local_function(self, node: Any) -> Any:  # Closures
        raise NotImplementedError

    def check_lazy_arguments(self, fn: Any, node: Any) -> None:  # Generators
        raise NotImplementedError

    def strict_zip_loop(self, node: Any) -> list | None:  # Iteration
        raise NotImplementedError

    def zip_check(self, strict: Any, lengths: list) -> None:  # Functional
        raise NotImplementedError

    def dict_root(self, d: Var) -> Var:  # Functional
        raise NotImplementedError

    def dict_target(self, target: Any) -> bool:  # Functional
        raise NotImplementedError

    def dict_write(self, target: Any, value: Operand, key: Operand) -> None:  # Functional
        raise NotImplementedError

    def match_as_ifs(self, node: Any) -> list:  # ControlFlow
        raise NotImplementedError

    def is_dict_display(self, value: Operand) -> bool:  # Functional
        raise NotImplementedError

    def iteration(self, node: Any) -> tuple:  # Iteration
        raise NotImplementedError

    def returned_none(self) -> Operand:  # Statements
        raise NotImplementedError

    def value_of(self, value: Any, node: Any = None) -> Any:  # Closures
        raise NotImplementedError

    def functional_call(self, node: Any, hint: str) -> Operand | None:  # Functional
        raise NotImplementedError

    def dict_view_list(self, node: Any, view: str, hint: str) -> Operand:  # Functional
        raise NotImplementedError

    def replaced(self, target: Operand, keywords: list, hint: str) -> Operand:  # Functional
        raise NotImplementedError

    def passed(self, node: Any) -> Operand:  # Calls
        raise NotImplementedError

    def binary_of(self, prim: str, left: Operand, right: Operand) -> str:  # Expressions
        raise NotImplementedError

    def user_method(self, receiver: Any) -> bool:  # Calls
        raise NotImplementedError

    def bake_path(self, name: str) -> None:  # Calls
        raise NotImplementedError

    def expr_ListComp(self, node: Any, hint: str) -> Operand:  # Expressions
        raise NotImplementedError

    def stmts(self, body: list, cont: list = ()) -> Operand | None:  # Statements
        raise NotImplementedError

    def assign(self, target: Any, value: Operand) -> None:  # Statements
        raise NotImplementedError

    def merged_object(self, out: Var, a: Any, b: Any) -> None:
        """`out`, one of `a` and `b` (an if's result): an object made here if
        both are, of the classes either may be of."""
        if isinstance(a, Var) and isinstance(b, Var) and a in self.instances and \
                b in self.instances:
            self.instances[out] = tuple(dict.fromkeys([*self.instances[a], *self.instances[b]]))
            self.owned.add(out)

    def is_object(self, value: Any) -> bool:
        """Is `value` known to be an object of the user's classes here?"""
        return isinstance(value, Var) and (value in self.instances or
                                           value in self.known_objects or
                                           value in self.known_records)

    def indexes_itself(self, value: Any) -> bool:
        """Is `value[i]` certainly the user's __getitem__ (an object made here
        whose class defines one, or an object argument)?"""
        if not isinstance(value, Var):
            return False
        if value in self.known_objects:
            return True
        return any(isinstance(inspect.getattr_static(cls, "__getitem__", None),
                              types.FunctionType) for cls in self.instances.get(value, ()))

    def select(self, cond: Operand, then: Any, orelse: Any, hint: str) -> Var:  # ControlFlow
        raise NotImplementedError

    def updated_names(self, body: list) -> list[str]:  # Objects
        raise NotImplementedError

    def check_no_object_arithmetic(self, node: Any, *operands: Operand) -> None:  # Expressions
        raise NotImplementedError

    def updating_call(self, name: str, attr: str, node: Any, hint: str,
                      after: type | None = None, given: list | None = None
                      ) -> Operand | None:  # Objects
        raise NotImplementedError

    # ------------------------------------------------------------ facts at lowering time

    def owns(self, value: Operand) -> bool:
        """Is `value` an array (or list) this function allocated itself?"""
        if not isinstance(value, Var):
            return False
        if value in self.owned:
            return True
        stmt = self.producers.get(value)
        return stmt is not None and primitives.get(stmt.prim).fresh

    def is_list(self, value: Operand, depth: int = 0) -> bool:
        """Known to be a list built here (a display, appends, joins)."""
        stmt = self.producers.get(value) if isinstance(value, Var) else None
        if stmt is None or depth > 50:
            return False
        if stmt.prim in ("make_list", "list_append"):
            return True
        return stmt.prim == "add" and any(self.is_list(a, depth + 1) for a in stmt.args)


def owner_class(fn: Any) -> type | None:
    """The class whose method `fn` is: its `__class__` cell (a method using
    super()), else found by its qualified name from its module's globals;
    None for a function of no class, or one defined inside a function."""
    code = getattr(fn, "__code__", None)
    if code is not None and "__class__" in code.co_freevars:
        return fn.__closure__[code.co_freevars.index("__class__")].cell_contents
    path = getattr(fn, "__qualname__", "").split(".")[:-1]
    if not path or "<locals>" in path:
        return None
    obj = getattr(fn, "__globals__", {}).get(path[0])
    for name in path[1:]:
        obj = getattr(obj, name, None)
    return obj if isinstance(obj, type) else None
