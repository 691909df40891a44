"""Guard in-place updates whose NumPy meaning s2sad does not reproduce.

Lowering turns `y *= c` into `y2 = mul(y1, c)`: a new array. NumPy instead
changes y1's array, and every other name for that memory sees the change:
another name (`b = y`), a view (`v = y[1:]`), a list holding it
(`lst.append(y)`), the name it had before a loop or a branch, or the caller
of a helper that writes into its argument. `y[i] = v` on an array the
function does not own is lowered as a write into a private copy, with the
same problem.

This pass is a may-alias analysis over the structured IR. For each in-place
update it finds the names that may see the old array and are read afterwards
(later in program order, or in a later iteration of a loop around both);
before the update it inserts `$check_inplace(array, names, *others)`, which
asks NumPy at run time whether the memory really overlaps and raises an
AliasingError at the user's line if it does. Updates of fresh arrays and of
numbers cost nothing but this one call, and most get no check at all.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import primitives
from .ir import (
    Assign,
    Block,
    Const,
    Function,
    If,
    Loop,
    Operand,
    Ref,
    Var,
    clone_function,
    defs,
    display_item,
    reachable,
    regions,
    substitute,
    uses,
    walk,
)
from .runtime import UpdatingMethod, check_inplace, check_inplace_item

UNBOUND = Const(...)  # stands for a name not bound where the check runs


# NumPy functions that return their operand itself, or a view of it, for
# some arguments: (position of the operand, the parameter deciding, its
# position, its default, the values that make a new array)
_SOMETIMES_ITSELF = {
    "np.diff": (0, "n", 1, 1, "positive"),  # n=0: the array itself
    "np.linalg.matrix_power": (0, "n", 1, None, "not one"),  # n=1: the array itself
}


def _may_return_its_operand(stmt: Assign) -> Var | None:
    """The operand `stmt`'s result may be (or view), where the table's
    entry, a new array for most arguments, says nothing: `np.diff(y, n=0)`
    and `matrix_power(a, 1)` are y and a, `np.einsum("ii->i", a)` of one
    operand is a view of a (NumPy returns views where it can)."""
    args, kwargs = stmt.args, stmt.kwargs
    if stmt.prim == "np.einsum":
        operands = args[1:]
        return operands[0] if len(operands) == 1 and isinstance(operands[0], Var) else None
    rule = _SOMETIMES_ITSELF.get(stmt.prim)
    if rule is None or len(args) <= rule[0] or not isinstance(args[rule[0]], Var):
        return None
    position, name, at, default, new_when = rule
    given = kwargs.get(name, args[at] if len(args) > at else Const(default))
    value = given.value if isinstance(given, Const) else None
    if type(value) is int and (value > 0 if new_when == "positive" else value != 1):
        return None
    return args[position]


class _Site:
    """A point in program order: the values read and defined there, the
    loops around it, and the side of each enclosing if it is on. An if has
    three: its test, each branch's yields (at the branch's end) and its
    results; a loop has its entry (initial values, phis) and its back edge."""

    def __init__(self, pos: int, stmt: Any, reads: list, defines: list, loops: list,
                 sides: dict) -> None:
        self.pos, self.stmt, self.reads, self.defines = pos, stmt, reads, defines
        self.loops, self.sides = loops, sides

    def exclusive(self, other: _Site) -> bool:
        """On different sides of one if: one never runs after the other."""
        return any(k in other.sides and other.sides[k] != s for k, s in self.sides.items())

    def dominates(self, other: _Site) -> bool:
        """Is a value defined here surely bound when `other` runs?"""
        return self.pos < other.pos and all(other.sides.get(k) == s for k, s in
                                            self.sides.items()) \
            and all(loop in other.loops for loop in self.loops)


class AliasFacts:
    """The facts about one function that the checks need (`collect`): where
    each value is made, what it may view, hold or become."""

    def __init__(self, fn: Function, helper: bool) -> None:
        self.fn = fn
        self.helper = helper  # a helper's caller may read its arguments afterwards
        self.sites: list[_Site] = []
        self.def_site: dict[Var, _Site] = {}
        self.views: dict[Var, list[Var]] = {}  # v -> arrays v may view
        self.was: dict[Var, list[Var]] = {}  # v -> earlier names of v's object
        self.returns_object: dict[Var, Var] = {}  # an updating call's (result, object) -> object
        self.items_read: dict[Var, set[Var]] = {}  # a container -> what was read out of it
        self.becomes: dict[Var, set[Var]] = {}  # v -> later names of v's object
        self.carries: dict[Var, set[Var]] = {}  # next value -> phi
        self.phi_next: dict[Var, Var] = {}  # a loop's phi -> its next value
        self.viewed_by: dict[Var, set[Var]] | None = None  # (`views` inverted, when asked)
        self.branch_of: dict[Var, tuple[If, int]] = {}  # an if's result: the if, its slot
        self.updated: dict[Var, set[Var]] = {}  # an array -> its in-place updated version
        self.inputs: dict[Var, set[Var]] = {}  # a phi's or branch result's values
        self.held_by: dict[Var, set[Var]] = {}  # v -> containers holding v
        self.containers: set[Var] = set()
        self.repeated: set[Var] = set()  # lists made by repetition: `[a] * 3` holds a 3 times
        self.merged_into: dict[Var, set[Var]] = {}  # a container -> phis/results it becomes
        self.elements: dict[Var, list] = {}  # a tuple or list display's items
        self.live: set[Var] = set()  # values the result or an effect may depend on
        self.result_links: dict[Var, set[Var]] = {}  # becomes + updated
        self.stored: dict[Var, tuple] = {}  # v -> (container, index) of `container[index] = v`
        self.earlier: dict[Var, list] = {}  # a list -> the list it was made from
        self.roots_of: dict[Var, set[Var]] = {}  # memo of _roots

    # ------------------------------------------------------------ facts

    def collect(self) -> None:
        self._visit(self.fn.body, [], {})
        self.live = self._live_values()
        for site in self.sites:
            for v in site.defines:
                self.def_site[v] = site
            if isinstance(site.stmt, Assign) and site.stmt.target is not None:
                self._assign_facts(site.stmt)
        for stmt in {id(site.stmt): site.stmt for site in self.sites}.values():
            for k, out in enumerate(stmt.outs if isinstance(stmt, If) else ()):
                self.branch_of[out] = (stmt, k)
            for out, values, first in _merges(stmt):
                self.was[out] = [v for v in values[:1 if first else 2] if isinstance(v, Var)]
                self.inputs[out] = {v for v in values if isinstance(v, Var)}
                if first and len(values) > 1 and isinstance(values[1], Var):
                    self.phi_next[out] = values[1]
                for k, v in enumerate(values):
                    if isinstance(v, Var):  # (a loop's next value: the next iteration's)
                        links = self.carries if first and k == 1 else self.becomes
                        links.setdefault(v, set()).add(out)
        for stmt in {id(site.stmt): site.stmt for site in self.sites}.values():
            if isinstance(stmt, Loop):
                self._previous_iterations(stmt)
        # later names of an array, and of what an in-place update made of it
        self.result_links = {x: self.becomes.get(x, set()) | self.updated.get(x, set())
                             for x in set(self.becomes) | set(self.updated)}
        for stmt in {id(site.stmt): site.stmt for site in self.sites}.values():
            for out, values, _ in _merges(stmt):  # a list carried by a loop or a branch
                if any(v in self.containers for v in values):
                    self.containers.add(out)
                    for v in values:
                        if isinstance(v, Var):
                            self.merged_into.setdefault(v, set()).add(out)

    def _previous_iterations(self, loop: Loop) -> None:
        """A phi is also the array the previous iteration left in it: one from
        before the loop (`v = w` on some path), or another phi's (a swap)."""
        for phi, nxt in zip(loop.phis, loop.nexts):
            if not isinstance(nxt, Var) or nxt is phi:
                continue
            for v in reachable({nxt}, self.was):
                if v is not phi and v not in self.was[phi] and v not in loop.phis \
                        and _defined_outside(v, loop):
                    self.was[phi].append(v)

    def _live_values(self) -> set:
        """Values the function's result or an effect may depend on: reads by
        dead code (which the reverse pass drops) do not see an update."""
        deps: dict[Var, list] = {}
        roots: list = []
        for stmt in {id(site.stmt): site.stmt for site in self.sites}.values():
            if isinstance(stmt, Assign) and stmt.target is not None and _pure(stmt):
                deps.setdefault(stmt.target, []).extend(stmt.operands())
            elif isinstance(stmt, (If, Loop)):
                for out, values, _ in _merges(stmt):
                    deps.setdefault(out, []).extend(values)
                roots += [stmt.cond, *(getattr(stmt, "range_args", None) or []),
                          getattr(stmt, "exit_flag", None)]
            else:
                roots += uses(stmt)
        return reachable({v for v in roots if isinstance(v, Var)}, deps)

    def _visit(self, block: Block, loops: list, sides: dict) -> None:
        for stmt in block.stmts:
            add = self._site
            if isinstance(stmt, If):
                add(stmt, [stmt.cond], [], loops, sides)
                then, orelse = {**sides, id(stmt): "then"}, {**sides, id(stmt): "else"}
                self._visit(stmt.then, loops, then)
                add(stmt, list(stmt.then_vals), [], loops, then)
                self._visit(stmt.orelse, loops, orelse)
                add(stmt, list(stmt.else_vals), [], loops, orelse)
                add(stmt, [], list(stmt.outs), loops, sides)
            elif isinstance(stmt, Loop):
                inner = [*loops, stmt]
                index = [stmt.index] if stmt.index is not None else []
                add(stmt, [*stmt.inits, *(stmt.range_args or [])], [*stmt.phis, *index],
                    loops, sides)
                self._visit(stmt.header, inner, sides)
                add(stmt, [stmt.cond] if stmt.cond is not None else [], [], inner, sides)
                self._visit(stmt.body, inner, sides)
                flag = [stmt.exit_flag] if stmt.exit_flag is not None else []
                add(stmt, [*stmt.nexts, *flag], [], inner, sides)
            else:
                add(stmt, uses(stmt), defs(stmt), loops, sides)

    def _site(self, stmt: Any, reads: list, defines: list, loops: list, sides: dict) -> None:
        self.sites.append(_Site(len(self.sites), stmt, reads, defines, loops, sides))

    def _assign_facts(self, stmt: Assign) -> None:
        target, args, prim = stmt.target, stmt.args, stmt.prim
        arrays = [a for a in args if isinstance(a, Var)]
        item = self._display_item(stmt)
        if item is not None:  # `a, b = (y, z)`: a is y itself (and views what y views)
            self.was[target] = [item]
            self.becomes.setdefault(item, set()).add(target)
            self.views[target] = [item]
        elif prim == "own" and arrays:  # a copy, but NumPy would write the original
            self.was[target] = arrays[:1]
        elif primitives.get(prim).view and args and isinstance(args[0], Var) or \
                prim in ("np.array", "np.asanyarray") and args and isinstance(args[0], Var) \
                and stmt.kwargs.get("copy", Const(True)) in (Const(None), Const(False)):
            self.views[target] = [args[0]]  # (`np.array(y, copy=None)` may be y)
        elif _may_return_its_operand(stmt) is not None:
            self.views[target] = [_may_return_its_operand(stmt)]
        elif prim == "call" and isinstance(args[0], Ref) and \
                isinstance(args[0].value, UpdatingMethod):
            # (its object comes back, item 1, as the object after the call; what
            # the method returns, item 0, may be the object too: `return self`)
            self.views[target] = arrays
            self.returns_object[target] = args[1]
        elif prim == "call" and isinstance(args[0], Ref) and isinstance(args[0].value, type) \
                and args[0].value.__new__ is object.__new__:
            # a new object of a class (which may hold its arguments as attributes)
            for a in arrays:
                self.held_by.setdefault(a, set()).add(target)
        elif prim == "call":  # user code: may return an argument or a view
            self.views[target] = [a for a in stmt.operands() if isinstance(a, Var)]
        if stmt.inplace and arrays and arrays[0] is args[0]:
            self.updated.setdefault(args[0], set()).add(target)
        if prim in ("setitem", "dict_set"):  # (a dict's next version holds its items too)
            self.stored[args[2]] = (args[0], args[1])
        if prim == "getitem" and args and isinstance(args[0], Var):
            self.items_read.setdefault(args[0], set()).add(target)
        if prim in ("setitem", "dict_set", "own", "list_append", "add") and arrays and \
                arrays[0] is args[0]:
            self.earlier.setdefault(target, []).append(args[0])
        if prim == "setattr" and isinstance(args[2], Var):  # `obj.name = value`: obj holds it
            self.held_by.setdefault(args[2], set()).add(target)
        if primitives.get(prim).results == "args":  # a tuple or list display
            self.elements[target] = args
        if prim in ("add", "mul") and any(a in self.elements or a in self.containers
                                          for a in arrays):
            self.containers.add(target)  # `lst + [v]`, `[v] * 2`: holds what the lists hold
            if prim == "mul":
                self.repeated.add(target)
            for a in arrays:
                self.merged_into.setdefault(a, set()).add(target)
        elif primitives.get(prim).holds:
            self.containers.add(target)
            # (the list itself grows; a dict's next version is a copy holding its items)
            items = args[1:] if prim == "list_append" else args[2:] if prim == "dict_set" \
                else args
            for a in items:
                if isinstance(a, Var):
                    self.held_by.setdefault(a, set()).add(target)

    def _display_item(self, stmt: Assign) -> Var | None:
        if stmt.prim != "getitem":
            return None
        if stmt.args[0] in self.returns_object and stmt.args[1] == Const(1):
            return self.returns_object[stmt.args[0]]  # (an updating call's object)
        item = display_item(stmt, self.elements.get(stmt.args[0]))
        return item if isinstance(item, Var) else None

    def _held_items(self, container: Var) -> set:
        """What a list may hold: the items appended to it, displayed in it or
        put into it, in any of its earlier versions (before a loop or an if too)."""
        versions = self._versions(container)
        held = {v for v, holders in self.held_by.items() if holders & versions}
        held |= {v for v, (c, _) in self.stored.items() if c in versions and isinstance(v, Var)}
        return held | {v for c in versions for v in self.elements.get(c, ()) if isinstance(v, Var)}

    def _carried_forms(self, values: set) -> set:
        """`values` and what may be their objects, views of them or
        containers holding them anywhere in the loop (`b = a`, `b = a[1:]`,
        `b = ident(a)`, `b = a` in an if, `L.append(a[1:])`): the next values
        a loop may carry them by into other phis."""
        found, todo = set(values), list(values)
        while todo:
            v = todo.pop()
            # (and the containers that hold them: `L.append(a[1:])`, L carried)
            for w in self._viewing(v) | self.becomes.get(v, set()) | \
                    self.held_by.get(v, set()):
                if w not in found:
                    found.add(w)
                    todo.append(w)
        return found

    def _written_before(self, v: Var) -> set:
        """The versions v was made from by writes into the same object
        (`d["m"] += g; d["w"] -= ...` in a loop: the phi the first write
        wrote into is the dict the second writes into again), not through
        copies, joins or merges of other objects."""
        found: set = set()
        site = self.def_site.get(v)
        while site is not None and isinstance(site.stmt, Assign) and site.stmt.target is v \
                and site.stmt.prim in ("dict_set", "setitem") and site.stmt.inplace \
                and isinstance(site.stmt.args[0], Var) and site.stmt.args[0] not in found:
            v = site.stmt.args[0]
            found.add(v)
            site = self.def_site.get(v)
        return found

    def _held_at(self, container: Var, index: Operand) -> set:
        """What a container may hold in the slot `index`, a constant key or
        position, in any of its versions: a dict's `d["n"] = e` puts nothing
        into d["a"]. Where a version was made otherwise than by a display,
        a write or a merge of other versions (a call's result, a copy),
        anything it holds (`_held_items`)."""
        if not isinstance(index, Const) or type(index.value) not in (str, int):
            return self._held_items(container)
        key, held = index.value, set()
        for version in self._versions(container):
            site = self.def_site.get(version)
            stmt = site.stmt if site is not None else None
            if version in self.inputs or version in self.fn.params:
                continue  # (a phi's or an if's: its values are versions too)
            if not isinstance(stmt, Assign):
                return self._held_items(container)
            if stmt.prim == "make_dict" and type(key) is str:
                keys = stmt.args[0].value
                held |= {v for k, v in zip(keys, stmt.args[1:]) if k == key}
            elif stmt.prim in ("dict_set", "setitem") and stmt.args[1] == index:
                held.add(stmt.args[2])
            elif stmt.prim in ("dict_set", "setitem") and isinstance(stmt.args[1], Const) \
                    and type(stmt.args[1].value) is str and type(key) is str:
                continue  # (another key's write; a list's -1 and 2 may be one slot)
            elif stmt.prim in ("make_list", "make_tuple") and type(key) is int and \
                    -len(stmt.args) <= key < len(stmt.args):
                held.add(stmt.args[key])
            else:
                return self._held_items(container)
        return {v for v in held if isinstance(v, Var)}

    def _versions(self, container: Var) -> set:
        """The container and its earlier versions (before a loop or an if too)."""
        links = {v: [*self.earlier.get(v, ()), *self.inputs.get(v, ())]
                 for v in set(self.earlier) | set(self.inputs)}
        return reachable({container}, links)  # (through loops' phis and ifs' results)

    def _viewing(self, x: Var) -> set:
        """The values that may be x or view it, directly."""
        if self.viewed_by is None:
            self.viewed_by = {}
            for v, seen in self.views.items():
                for w in seen:
                    self.viewed_by.setdefault(w, set()).add(v)
        return self.viewed_by.get(x, set())


class AliasGuard(AliasFacts):
    """A check before each in-place update of one function that other names
    may see (`guard`), from the function's facts."""

    def guard(self, site: _Site) -> None:
        stmt = site.stmt
        old = stmt.args[0]
        if stmt.prim in ("add", "mul") and self._a_tuple(old, set()):
            return  # (`shape += (n,)`: a tuple's is a new tuple, the name rebound)
        item = self._item_of(stmt)
        if item is not None and self._of_an_array(item[0]):
            return  # `a[i] op= e` on an array: the write into `a` is checked itself
        written = self.was[old][0] if self._is_own(old) else old
        names = self._names_of(written, stmt.target, site)
        if stmt.prim in ("dict_set", "setitem"):  # (the container's own earlier versions)
            names |= self._written_before(old)
        siblings = self._carried_along(names)
        related = names | self._views_of(names | siblings, site) | siblings
        if item is not None:
            # the item is one of the original container's items (a copy of a
            # list holds the same objects), which may be views of other arrays
            base = self.was[item[0]][0] if self._is_own(item[0]) else item[0]
            origins = {base} | self._roots(base) | self._held_at(*item)
            origins -= reachable({stmt.target}, self.result_links)  # (the item as updated)
            related |= origins | self._views_of(origins, site)
            if not self.helper:  # (a copy of an argument's dict or list holds its arrays:
                # `p = dict(params); p["w"] += x` changes params["w"] too; checked by memory)
                related |= set(self.fn.params)
        if not self.helper and related & set(self.fn.params):
            # an argument's object: another argument may be it, view it or hold it
            params = set(self.fn.params)
            related |= params | self._views_of(params, site)
        related |= self._later_names(related - names, stmt.target, site)
        carried = {nxt for loop in site.loops for p, nxt in zip(loop.phis, loop.nexts)
                   if p in names}  # (what the previous iteration appended)
        # (not the updated object's own names: a list holding an item read out of
        # itself, `lst.append(lst[-1])`, is no other holder of what it becomes)
        holders = self._holders(related | carried, site) - names
        # (and the names those take: `functools.reduce`'s accumulator of an item)
        related |= holders | self._views_of(holders, site) | \
            self._later_names(holders - related, stmt.target, site)
        made_before = {v for v, d in self.def_site.items() if d.pos < site.pos} - names
        if stmt.prim not in ("setattr", "updated") and self._merged_from_unknown(written):
            # (an array that came out of a call, a container or an attribute may be
            # any array made before, `a = list([y])[0]`: those read later are
            # checked, by memory, when it runs)
            related |= made_before - set(self.fn.params)
        elif stmt.prim in ("setattr", "updated"):
            # (an object: other names may be it by ways the facts do not follow,
            # `o = reduce(lambda p, q: p, [c, d])`; what came the same ways and is
            # read later is checked too, by identity when it runs)
            related |= {v for v in made_before if self._of_unknown_origin(v)}
        seen = self._stale_reads(site, related, names, holders)
        if self.helper and stmt.prim not in ("setattr", "updated"):
            # (a constructor sets its own `self`'s; a method its caller's object's,
            # which the caller takes back: runtime.UpdatingMethod)
            seen += [p for p in self.fn.params if p in related and p not in seen]
        if item is not None:  # (the container's own later versions are the same object,
            # as are the versions it was written from in place, a loop's phi)
            later = reachable({item[0]}, self.result_links) - {item[0]}
            later |= self._written_before(item[0])
            seen = [u for u in seen if u not in later]
        # (a result of an if or loop after the update is checked at its values' reads)
        seen = [u for u in seen if self._bound_at(u, site) or not self._merged_after(u, site)]
        # (an argument may be a global's array, or view it: `f(W)` reading W after)
        held = self._globals_read_after(site) if not self.helper and \
            related & set(self.fn.params) else []
        if not seen and not held and \
                not (item is not None and self._versions(item[0]) & self.repeated):
            return  # (an item of `[a] * 3` is the other slots' too: checked when it runs)
        others = [u if self._bound_at(u, site) else UNBOUND for u in seen] + held
        params = set(self.fn.params) if self.helper else set()
        shown = ", ".join(sorted({u.hint for u in seen if u.hint.isidentifier()
                                  and u not in params and not self._iterated_copy(u)} |
                                 {r.name for r in held}) +
                          [f"the argument {p.hint}, which the caller may still read"
                           for p in self.fn.params if p in seen and p in params])
        if item is None:
            check = Assign(None, "check_inplace", [written, Const(shown), *others], {},
                           Ref("$check_inplace", check_inplace), stmt.loc)
        else:
            check = Assign(None, "check_inplace_item", [written, *item, Const(shown), *others],
                           {}, Ref("$check_inplace_item", check_inplace_item), stmt.loc)
        block = _block_holding(self.fn.body, stmt)
        assert block is not None
        block.stmts.insert(block.stmts.index(stmt), check)

    def _globals_read_after(self, site: _Site) -> list[Ref]:
        """The arrays, lists and dicts of globals and closures read after `site`
        (or in a later iteration of a loop around it): an argument written in
        place may be one of them, which Python's write would change."""
        held: list[Ref] = []
        for later in self.sites:
            if later.pos <= site.pos and not any(loop in later.loops for loop in site.loops):
                continue
            for r in later.reads:
                if isinstance(r, Ref) and not r.name.startswith("$") and r not in held and \
                        isinstance(r.value, (np.ndarray, list, dict)):
                    held.append(r)
        return held

    def _iterated_copy(self, v: Var) -> bool:
        """Is v what a loop goes through, made by the lowering (`A_items` of
        `for row in A`): not a name of the user's to show."""
        made = _made_by(self.def_site, v)
        return made is not None and made.prim in ("iteration_items", "list")

    def _item_of(self, update: Assign) -> tuple | None:
        """(container, index) if `update` is the item's update in
        `container[index] op= e`: the old item read from the slot, and the new
        value stored back into the same slot. Python updates the item itself."""
        site = self.def_site.get(update.args[0])
        read = site.stmt if site is not None else None
        if not (isinstance(read, Assign) and read.prim == "getitem"):
            return None
        slot = (read.args[0], read.args[1])
        return slot if self.stored.get(update.target) == slot else None

    def _carried_along(self, names: set) -> set:
        """The other phis of a loop that carry what `names`' phis carry: a
        loop's phi is, after the first iteration, its next value's object,
        and so is every other phi the loop carries that value into (`b = a`
        at the end of the body, `b` read after `a` is updated again)."""
        carried = self._carried_forms({self.phi_next[p] for p in names if p in self.phi_next})
        return {q for n in carried for q in self.carries.get(n, ())} - names

    def _of_an_array(self, v: Operand) -> bool:
        """Is v made by an operation that returns an array (not a container)?"""
        made = _made_by(self.def_site, v)
        return made is not None and primitives.get(made.prim).returns == "array" and \
            v not in self.containers  # (`[a] * 3`, `lst + [v]`: lists, by NumPy's operators)

    def _is_own(self, v: Var) -> bool:
        made = _made_by(self.def_site, v)
        return made is not None and made.prim == "own"

    def _names_of(self, v: Var, new: Var | None, site: _Site) -> set:
        """Names that may be v's very object: what v was before (a phi's
        initial value, a branch's values), and what those may become (a later
        phi or branch result), except names that take the update's result."""
        result = reachable({new}, self.result_links) if new is not None else set()
        earlier = reachable({v}, self.was)
        found: set = set()
        todo = list(earlier)
        while todo:  # forward only: a later merge's other inputs are other arrays
            x = todo.pop()
            if isinstance(x, Var) and x not in found and (x in earlier or x not in result):
                found.add(x)
                later = self.becomes.get(x, set()) | self.carries.get(x, set())
                todo.extend(out for out in later if not self.inputs.get(out, set()) & result
                            and not self._after_loop_of(x, out, site)
                            and self._on_updated_path(x, out, site))
        return found

    def _later_names(self, values: set, new: Var | None, site: _Site) -> set:
        """Names `values` take before the update: an if's result or a loop's phi
        (`if c: y = x * 2` leaves y the argument on the other side). Not names
        taking the update's result; names made after the update are caught at
        the reads of their values (the if's yields, the loop's initial value)."""
        result = reachable({new}, self.result_links) if new is not None else set()
        found: set = set()
        todo = list(values)
        while todo:
            x = todo.pop()
            for out in self.becomes.get(x, set()) | self.carries.get(x, set()):
                d = self.def_site.get(out)
                if out not in found and d is not None and d.pos < site.pos \
                        and not self.inputs.get(out, set()) & result \
                        and not self._after_loop_of(x, out, site) \
                        and self._on_updated_path(x, out, site):
                    found.add(out)
                    todo.append(out)
        return found

    def _on_updated_path(self, x: Var, out: Var, site: _Site) -> bool:
        """If the update is inside the if that makes `out`, out names x's
        object only if the update's side yields x (the other side skips it)."""
        if out not in self.branch_of:
            return True
        stmt, k = self.branch_of[out]
        side = site.sides.get(id(stmt))
        if side is None:
            return True
        return (stmt.then_vals if side == "then" else stmt.else_vals)[k] is x

    def _after_loop_of(self, phi: Var, out: Var, site: _Site) -> bool:
        """Is `out` made after a loop around the update from that loop's phi?
        Then it takes the phi's last value, which has the update."""
        d = self.def_site.get(out)
        return d is not None and any(phi in loop.phis and loop not in d.loops
                                     and out not in loop.phis for loop in site.loops)

    def _views_of(self, arrays: set, site: _Site) -> set:
        """Views of `arrays` made before the update (later ones see the new data),
        the arrays they view, and those arrays' other views."""
        roots = {r for v in arrays for r in self._roots(v)}
        found = set(roots)
        for v in self.views:
            d = self.def_site.get(v)
            if v not in arrays and d is not None and d.pos < site.pos and \
                    set(self._roots(v)) & (roots | arrays):
                found.add(v)
        return found - arrays

    def _roots(self, v: Var) -> set:
        """The arrays v may view, all the way down."""
        if v not in self.roots_of:
            self.roots_of[v] = reachable({v}, self.views) - {v}
        return self.roots_of[v]

    def _holders(self, values: set, site: _Site) -> set:
        """Containers holding one of `values` when the update runs: made before
        it, or carried into the next iteration of a loop around it (a list
        made later in the iteration holds the array as updated)."""
        found: set = set()
        visited: set = set()
        todo = list(values)
        while todo:
            x = todo.pop()
            holders = set(self.held_by.get(x, ()))
            if x in visited:  # a holder: the same list under a later name holds it too
                holders |= self.merged_into.get(x, set()) | self.updated.get(x, set())
            for alias in self._viewing(x):  # (what a call returned, `ident(item)`, may be it)
                d = self.def_site.get(alias)
                if alias not in visited and d is not None and d.pos < site.pos:
                    visited.add(alias)
                    found.add(alias)
                    todo.append(alias)
            for h in holders:
                d = self.def_site.get(h)
                if h in visited or d is None:
                    continue
                visited.add(h)
                if d.pos < site.pos:
                    found.add(h)
                    todo.append(h)
                    # (an item read from the holder, or from a view of it, may be the
                    # value itself: `vs = list(d.values())` holds it again)
                    for item in self._items_read_from(h):
                        di = self.def_site.get(item)
                        if item not in visited and di is not None and di.pos < site.pos:
                            visited.add(item)
                            found.add(item)
                            todo.append(item)
                elif any(loop in d.loops for loop in site.loops):
                    todo.append(h)  # only on the way to a loop's phi
        return found

    def _of_unknown_origin(self, v: Var, merges: bool = True) -> bool:
        """Was v read out of a container or an object, returned by a call, or
        (with `merges`) merged from values (the ways an existing object or
        array comes back under a new name)?"""
        d = self.def_site.get(v)
        stmt = d.stmt if d is not None else None
        if not isinstance(stmt, Assign) or stmt.target is not v:
            return merges and isinstance(stmt, (If, Loop))  # (a merge)
        return stmt.prim in ("getitem", "getattr", "call", "iteration_items", "own") or \
            primitives.get(stmt.prim).returns == "other"

    def _a_tuple(self, v: Operand, seen: set) -> bool:
        """Is v certainly a tuple (made by a display, an array's `.shape`, a
        slice, sum or repetition of tuples, or a merge of those)?"""
        if isinstance(v, Const):
            return type(v.value) is tuple
        if not isinstance(v, Var) or v in seen:
            return isinstance(v, Var)  # (a loop's phi through itself: as its other inputs)
        seen.add(v)
        made = _made_by(self.def_site, v)
        if made is None:
            inputs = self.inputs.get(v)
            return bool(inputs) and all(self._a_tuple(a, seen) for a in inputs)
        if made.prim in ("make_tuple", ".shape"):
            return True
        if made.prim == "getitem":
            return self._a_slice(made.args[1]) and self._a_tuple(made.args[0], seen)
        if made.prim == "add":
            return all(self._a_tuple(a, seen) for a in made.args)
        if made.prim == "mul":
            return self._a_tuple(made.args[0], seen)
        return False

    def _a_slice(self, index: Operand) -> bool:
        """Is `index` one slice (`a[1:]`, as a constant or made by `index`)?"""
        if isinstance(index, Const):
            return type(index.value) is slice
        made = _made_by(self.def_site, index)
        return made is not None and made.prim == "index" and \
            isinstance(made.args[0], Const) and len(made.args[0].value) == 1 and \
            str(made.args[0].value[0]).startswith("s")

    def _merged_from_unknown(self, v: Var) -> bool:
        """Is v of unknown origin (`_of_unknown_origin`, not counting merges),
        or a loop's or an if's value one of whose inputs, through such values,
        is (`functools.reduce`'s accumulator, `d.get(k)`)?"""
        seen, todo = set(), [v]
        while todo:
            x = todo.pop()
            if x in seen:
                continue
            seen.add(x)
            if self._of_unknown_origin(x, merges=False):
                return True
            if _made_by(self.def_site, x) is None:
                todo += [a for a in self.inputs.get(x, ()) if isinstance(a, Var)]
        return False

    def _items_read_from(self, container: Var) -> set:
        """Values read out of `container` or out of what views it (its
        iteration list): `d[k]`, `for v in lst`."""
        sources = {container} | {v for v, seen in self.views.items() if container in seen}
        return {t for s in sources for t in self.items_read.get(s, ())}

    def _stale_reads(self, site: _Site, related: set, names: set, holders: set) -> list:
        """Reads of `related` names that would see the update in NumPy."""
        seen: list = []
        for later in self.sites:
            # (the other side of an if runs after the update only in a later iteration)
            exclusive = later.exclusive(site)
            if isinstance(later.stmt, Assign) and later.stmt.target not in self.live \
                    and _pure(later.stmt):
                continue  # (dead code)
            for u in later.reads:
                if not isinstance(u, Var) or u not in related or u in seen:
                    continue
                if self._only_into_unused(u, later):
                    continue  # (`prev = a[i - 1]` carried by a loop that never reads it)
                made = self.def_site.get(u)
                if made is not None and made.pos > site.pos and made.stmt is not site.stmt \
                        and not isinstance(made.stmt, (Loop, If)):
                    # (a value made after the update, each time it runs: a loop's next
                    # `m += g` of the slot updated at its top; what it was made from is
                    # read there, after the update, and checked as such)
                    continue
                if later.pos > site.pos and not exclusive:
                    if u not in holders and self._final_value_read(u, site, later, names):
                        continue
                elif not self._read_next_iteration(u, site, later, related):
                    continue
                seen.append(u)
        return seen

    def _only_into_unused(self, u: Var, at: _Site) -> bool:
        """Is this read of u only a loop's or an if's copy into results nothing
        live reads?"""
        if not isinstance(at.stmt, (If, Loop)) or at.defines:
            return False
        outs = [out for out, values, _ in _merges(at.stmt) if u in values]
        return bool(outs) and u not in [at.stmt.cond, getattr(at.stmt, "exit_flag", None)] \
            and not any(out in self.live for out in outs)

    def _final_value_read(self, u: Var, site: _Site, later: _Site, names: set) -> bool:
        """A loop's phi read after the loop is its last value, which has the
        update, unless the phi carries the old array itself (`b = a; a *= 2`)."""
        for loop in site.loops:
            if u in loop.phis and loop not in later.loops:
                return not self._carries_old(loop, u, site, names)
        return False

    def _carries_old(self, loop: Loop, phi: Var, site: _Site, old: set) -> bool:
        """Does `phi` take a name of the old array at the end of an iteration?
        Not a nested loop's phi: by then that is its last value, updated."""
        nxt = loop.nexts[loop.phis.index(phi)]
        if nxt not in old:
            return False
        d = self.def_site.get(nxt)
        nested = d is not None and loop in d.loops and any(
            nxt in inner.phis for inner in site.loops if inner is not loop)
        # (`v = w` with w from before the loop: w's own reads are checked)
        return not nested and any(s in old and not _defined_outside(s, loop)
                                  for s in self._sources(nxt, site))

    def _sources(self, v: Var, site: _Site) -> set:
        """The values `v` may be when the update's iteration ends: through the
        side of an if the update is on (both sides of other ifs) and tuple items."""
        found: set = set()
        seen: set = set()
        todo = [v]
        while todo:
            x = todo.pop()
            if x in seen:
                continue
            seen.add(x)
            if x in self.branch_of:
                stmt, k = self.branch_of[x]
                side = site.sides.get(id(stmt))
                values = [stmt.then_vals[k]] if side == "then" else [stmt.else_vals[k]] \
                    if side == "else" else [stmt.then_vals[k], stmt.else_vals[k]]
                todo += [y for y in values if isinstance(y, Var)]
            elif self._display_source(x) is not None:
                todo.append(self._display_source(x))
            else:
                found.add(x)
        return found

    def _display_source(self, v: Var) -> Var | None:
        made = _made_by(self.def_site, v)
        return self._display_item(made) if made is not None else None

    def _read_next_iteration(self, u: Var, site: _Site, later: _Site, related: set) -> bool:
        """A read before the update (or by it) counts if a loop around both runs
        it again on the same array: a value from outside the loop, or a phi
        that carries it."""
        for loop in site.loops:
            if loop not in later.loops:
                continue
            if u in loop.phis:
                if self._carries_old(loop, u, site, related):
                    return True
            elif u is not loop.index and _defined_outside(u, loop):
                return True
        return False

    def _merged_after(self, u: Var, site: _Site) -> bool:
        """Is u an if's result or a loop's phi made after the update? Its values
        are read after the update too, so the check of those reads covers u."""
        d = self.def_site.get(u)
        return d is not None and d.pos >= site.pos and u in _merges_into(d.stmt)

    def _bound_at(self, u: Var, site: _Site) -> bool:
        if u in self.fn.params:
            return True
        d = self.def_site.get(u)
        return d is not None and d.dominates(site)

    def run(self) -> None:
        self.collect()
        for site in list(self.sites):
            stmt = site.stmt
            if isinstance(stmt, Assign) and stmt.inplace \
                    and isinstance(stmt.args[0], Var):
                self.guard(site)


def _merges_into(stmt: Any) -> list[Var]:
    """The values a branch or a loop merges its operands into."""
    return stmt.outs if isinstance(stmt, If) else stmt.phis if isinstance(stmt, Loop) else []


def _made_by(def_site: dict, v: Operand) -> Assign | None:
    """The assignment that made v, if an assignment did (not a loop or a branch)."""
    site = def_site.get(v) if isinstance(v, Var) else None
    made = site.stmt if site is not None else None
    return made if isinstance(made, Assign) and made.target is v else None


def guard_inplace_updates(fn: Function, helper: bool = False) -> Function:
    """A copy of `fn` with run-time checks before in-place updates that other
    names may see. A helper's in-place updates of its arguments would be seen
    by its caller."""
    guarded = clone_function(fn)
    AliasGuard(guarded, helper).run()
    _drop_update_markers(guarded)
    return guarded


def _drop_update_markers(fn: Function) -> None:
    """`new = updated(obj, after)` told the checks that an updating method's
    call changed obj (`runtime.UpdatingMethod`); with the checks in place, the
    object after the call is just `after` (in place)."""
    mapping: dict = {}
    for stmt in walk(fn.body):
        if isinstance(stmt, Assign) and stmt.prim == "updated":
            mapping[stmt.target] = stmt.args[1]
    if not mapping:
        return
    for stmt in walk(fn.body):
        substitute(stmt, mapping)
    for block in [fn.body, *(r for s in walk(fn.body) for r in regions(s))]:
        block.stmts[:] = [s for s in block.stmts
                          if not (isinstance(s, Assign) and s.prim == "updated")]


def _merges(stmt: Any) -> list[tuple[Var, list, bool]]:
    """(phi, [initial, next], True) of a loop, (out, [then, else], False) of an if."""
    if isinstance(stmt, Loop):
        return [(p, [a, b], True) for p, a, b in zip(stmt.phis, stmt.inits, stmt.nexts)]
    if isinstance(stmt, If):
        return [(o, [a, b], False) for o, a, b in
                zip(stmt.outs, stmt.then_vals, stmt.else_vals)]
    return []


def _pure(stmt: Assign) -> bool:
    """No effect but its value (an in-place update changes what other names read)."""
    prim = primitives.get(stmt.prim)
    return stmt.target is not None and not stmt.inplace and not prim.effect \
        and not prim.mutates


def _defined_outside(v: Var, loop: Loop) -> bool:
    if v in loop.phis or v is loop.index:
        return False
    return not any(v in defs(s) for b in (loop.header, loop.body) for s in walk(b))


def _block_holding(block: Block, target: Any) -> Block | None:
    for stmt in block.stmts:
        if stmt is target:
            return block
        for sub in regions(stmt):
            found = _block_holding(sub, target)
            if found is not None:
                return found
    return None


__all__ = ["guard_inplace_updates"]
