"""The IR's own operations and s2sad's run-time helpers.

Containers, indexing, calls, tapes and the in-place operations the reverse
pass adds are primitives like any other: each has a record with its facts,
and the ones a derivative flows through name their rule (a template, or a
structural rule the reverse pass implements: `adjoint="items"`).
"""

from __future__ import annotations

from .record import elementwise, group, helper, nondiff, structural, vjp

# ---------------------------------------------------------------- containers
group("Indexing and containers")
# `index` builds an index (slices, ints, arrays) from a layout constant and its
# parts; the emitter prints it back inside the subscript, or as `np.s_[...]`.
structural("index(layout, *parts)", None, differentiable=False)
# Tuple and list displays: their adjoint is kept item by item at transform time.
structural("make_tuple(*items)", "items", tangent="items", holds=True, returns="container",
           results="args")
structural("make_list(*items)", "items", tangent="items", holds=True, fresh=True,
           recompute=False, returns="container", results="args")
# {key: value, ...}; `keys` is a constant tuple
# (not `fresh`: writes into it, d[k] = v, are refused, and `for k in d` goes by keys)
vjp("make_dict(keys, *values)", zero=("keys",), values="dict_values_adjoint(g, keys, values)",
    linear=("values",), form="internal", holds=True, recompute=False, returns="container",
    takes="any")
# `lst.append(v)` lowers to `lst = list_append(lst, v)`: a new list, so the old
# one is intact for the backward pass. Adjoints of lists are lists.
vjp("list_append(lst, item)", lst="g[:-1]", item="list_item(g, -1, item)",
    linear=("lst", "item"), form="internal", holds=True, fresh=True, recompute=False,
    returns="container", takes="any")
# Lists and tuples joined with `+` or repeated with `* n` (the prepare pass
# tells them from arithmetic by what the analysis knows of their operands).
vjp("seq_concat(left, right)", left="concat_adjoint(g, left, False)",
    right="concat_adjoint(g, left, True)", linear=("left", "right"), form="internal",
    holds=True, fresh=True, recompute=False, returns="container", takes="any")
vjp("seq_repeat(seq, count)", zero=("count",), seq="repetition_adjoint(g, seq)", linear=("seq",),
    form="internal", holds=True, fresh=True, recompute=False, returns="container",
    takes="any")
# The keyword arguments of a call with `**mapping` (`f(**a, k=v)`), merged
# (none `fresh`, as make_dict: a write into one, d[k] = v, is refused when it runs)
vjp("merge_dicts(*mappings)", mappings="merge_dicts_adjoint(g, mappings)", linear=("mappings",),
    form="helper", holds=True, recompute=False, returns="container", takes="any")
# dict(mapping) or dict(pairs), and dict(mapping, **keywords): later mappings win
vjp("as_dict(x)", x="as_dict_adjoint(g, x)", jvp={"x": "as_dict_tangent(t, x)"},
    form="helper", holds=True, recompute=False, returns="container", takes="any")
vjp("dict_union(*mappings)", mappings="dict_union_adjoint(g, mappings)", linear=("mappings",),
    form="helper", holds=True, recompute=False, returns="container", takes="any")
# `d[key] = value` on a dict the function made: its next version (a dict's
# derivative is a dict of its items', as an object's is of its attributes':
# the same rules as setattr's)
vjp("dict_set(d, key, value)", zero=("key",), d="attribute_dropped(g, key)",
    value="attribute_value(g, key, value)",
    jvp={"d": "attribute_set(t, key, zeros_like(value))",
         "value": "attribute_set(zeros_like(d), key, t)"},
    form="helper", holds=True, recompute=False, returns="container", takes="any")
# zip(...) and enumerate(...) met as values (for loops iterate them by position)
vjp("zip_items(*iterables)", iterables="zip_adjoint(g, iterables)", linear=("iterables",),
    form="helper", holds=True, fresh=True, recompute=False, returns="container", takes="any")
vjp("zip_star(rows)", rows="zip_star_adjoint(g, rows)", linear=("rows",), form="helper",
    holds=True, fresh=True, recompute=False, returns="container", takes="any")
vjp("enumerate_items(iterable, start=0)", zero=("start",),
    iterable="enumerate_adjoint(g, iterable)", jvp={"iterable": "enumerate_tangent(t)"},
    form="helper", holds=True, fresh=True, recompute=False, returns="container", takes="any")
# dataclasses.replace(obj, **changes), a namedtuple's obj._replace(**changes)
vjp("replace_fields(obj, keys, *values)", zero=("keys",), obj="fields_dropped(g, obj, keys)",
    values="fields_picked(g, obj, keys, values)",
    jvp={"obj": "fields_dropped(t, obj, keys)", "values": "fields_set(obj, keys, t)"},
    form="helper", recompute=False, returns="other", takes="any")
# a plain object copied with new attributes (s2sad.ravel's unravel builds one so)
vjp("object_with(obj, keys, *values)", zero=("keys",), obj="fields_dropped(g, obj, keys)",
    values="fields_picked(g, obj, keys, values)",
    jvp={"obj": "fields_dropped(t, obj, keys)", "values": "fields_set(obj, keys, t)"},
    form="helper", recompute=False, returns="other", takes="any")
# a dict of a dict subclass (an OrderedDict: unravel builds one so)
vjp("dict_like(how, keys, *values)", zero=("how", "keys"),
    values="dict_values_adjoint(g, keys, values)", linear=("values",), form="helper",
    holds=True, fresh=True, recompute=False, returns="container", takes="any")
# s2sad.ravel(tree): (the leaves in one vector, unravel); unravel is generated
# code s2sad reads like the user's (`runtime/trees.py`)
vjp("ravel(tree)", tree="ravel_adjoint(g, tree)", jvp={"tree": "ravel_tangent(t, tree)"},
    form="helper", fresh=True, recompute=False, returns="container", results=2, takes="any")
vjp("sum(iterable, /, start=0)", iterable="sum_adjoint_items(g, iterable)",
    start="unbroadcast(g, start)", linear=("iterable", "start"), returns="other", takes="any")
# `for k in d` iterates keys; arrays, lists and tuples iterate themselves
vjp("iteration_items(x)", x="iteration_adjoint(g, x)", jvp={"x": "iteration_tangent(t, x)"},
    form="helper", view=True,
    returns="other", takes="any")
# `reversed(x)`: the items in reverse (a view of an array, a list of a list's)
# next(it[, default]) of an iterator made in the call: the first of its items
vjp("first_found(found, value)", zero=("found",), value="g", jvp={"value": "t"}, form="helper",
    recompute=False, returns="other", takes="any", view=True)
vjp("first_item(items)", items="getitem_adjoint(g, items, 0)", linear=("items",), form="helper",
    recompute=False, returns="other", takes="any", view=True)
vjp("first_item_or(items, default)", items="first_or_items_adjoint(g, items)",
    default="first_or_default_adjoint(g, items, default)", linear=("items", "default"),
    form="helper", recompute=False, returns="other", takes="any", view=True)
vjp("reversed_items(x)", x="reversed_adjoint(g, x)", jvp={"x": "reversed_items(t)"},
    form="helper", view=True, returns="other", takes="any")
# `a[index] = value` (`old`: the snapshot of what it overwrites, for the
# backward pass to put back; the prepare pass fills it in)
structural("setitem(x, index, value, old=None)", "setitem", tangent="setitem", fresh=True,
           effect=True,
           mutates=True, undone=True, recompute=False, returns="operand")
# `obj.name` of an object without a rule for the attribute: an object's
# derivative is a dict of its attributes' (a tuple for a namedtuple), a bound
# method's that of its object (`runtime/functions.py`)
vjp("getattr(obj, name)", zero=("name",), obj="attribute_adjoint(g, obj, name, ans)",
    jvp={"obj": "attribute_tangent(t, obj, name)"}, form="internal", view=True,
    recompute=False, returns="other", takes="any")
# `obj.name = value` on an object the function made (a class's __init__, or
# after `obj = Class(...)`): the same object, emitted as the assignment
vjp("setattr(obj, name, value)", zero=("name",), obj="attribute_dropped(g, name)",
    value="attribute_value(g, name, value)",
    jvp={"obj": "attribute_dropped(t, name)", "value": "attribute_set(None, name, t)"},
    form="internal", effect=True, mutates=True, recompute=False, returns="operand",
    takes="any")
# `obj.method(...)` where the method sets attributes of its object, on an
# object the function made: the call (`runtime.UpdatingMethod`) returns
# (result, object after) and `updated(obj, after)` is the object's next name
# (an in-place update of obj, for the aliasing checks); obj's own adjoint
# comes from the call, which took it
vjp("updated(obj, after)", zero=("obj",), after="g", jvp={"after": "t"}, form="helper",
    recompute=False, returns="operand", takes="any")
# `super()` in a method: super(__class__, self); its derivative is self's
vjp("super_of(cls, obj)", zero=("cls",), obj="g", jvp={"obj": "t"}, form="helper",
    recompute=False, returns="other", takes="any")
# A local def or lambda as a value: its lifted function and the values it
# holds (captured ones, then defaults); its derivative is theirs, as a tuple
vjp("make_closure(fn, *values)", zero=("fn",), values="closure_values_adjoint(g, values)",
    jvp={"values": "closure_tangent(t)"}, form="helper", holds=True, recompute=False,
    returns="other", takes="any")

# ---------------------------------------------------------------- calls
group("Calls")
# A call of a function without a rule: its callee is the first operand.
structural("call(fn, *args)", None, tangent="call", effect=True, mutates=True,
           recompute=False)
# A call of user code the reverse pass differentiates: `call_forward` runs the
# callee's forward half and returns (value, saved), `call_backward` its
# backward half. `active` lists the call's differentiated arguments.
structural("call_forward(fn, active, *args)", "call", tangent="call_forward", form="helper",
           effect=True, mutates=True, recompute=False, returns="container", results=2)
structural("call_backward(saved, g)", None, tangent="call_backward", form="helper",
           effect=True, mutates=True, recompute=False)
# Forward mode over those (a caller's Hessian): each with its tangent,
# `(result, tangent)`.
structural("call_forward_jvp(fn, active, moving, tangents, *args)", None, form="helper",
           effect=True, mutates=True, recompute=False, returns="container", results=2)
structural("call_backward_jvp(saved, saved_dot, g, g_dot)", None, form="helper", effect=True,
           mutates=True, recompute=False, returns="container", results=2)
# Forward mode's call of user code: its own forward mode, `(value, tangent)`.
structural("call_jvp(fn, active, tangents, *args)", None, form="helper", effect=True,
           mutates=True, recompute=False, returns="container", results=2)

# functools.partial(func, *args, **keywords): its derivative is (func's, a
# tuple over args, a dict over keywords); the dispatcher unfolds calls of it
structural("functools.partial(func, /, *args, **keywords)", "partial", tangent="partial",
           form="function", recompute=False, holds=True)

# ---------------------------------------------------------------- s2sad's own
group("Non-differentiable helpers")
vjp("stop_gradient(x)", zero=("x",), form="helper", view=True, elementwise=True)
vjp("broadcast_tangent(direction, like)", direction="unbroadcast(g, direction)",
    zero=("like",), jvp={"direction": "broadcast_tangent(t, like)"}, form="helper", view=True)
vjp("own(x)", x="g", jvp={"x": "own(t)"}, form="helper", fresh=True, recompute=False,
    returns="operand", takes="any", elementwise=True)
# 1 / (1 + np.exp(-z)) spelled out, whose intermediate values nothing else
# reads (`analysis.logistic_chains`): the drivers take the chain's last
# statement as this function of z, whose derivative meets no 0 * inf where
# exp(-z) overflows (the chain's does: ans / (1 + t) * t at t = inf)
elementwise("logistic(x)", x="g * ans * (1 - ans)", form="helper")
structural("assert_(test, *msg)", None, effect=True, recompute=False)
# a branch s2sad could not compile: raises its error if the branch runs
helper("unsupported(error)", zero=("error",), effect=True, recompute=False)  # (it raises)
helper("raise_(error, *cause)", effect=True, recompute=False)  # the user's `raise`
structural("marker(text)", None, effect=True, recompute=False)
# Tapes, and the in-place writes derivative code makes: these change their
# first operand (`stores`: the other operands' values go into it), so forward
# mode over derivative code keeps a tangent beside each (a tangent tape, the
# same write into the tangent array).
structural("tape.new()", None, tangent="tape_new", effect=True, recompute=False)
structural("tape.push(tape, value)", None, tangent="tape_push", effect=True, stores=True,
           recompute=False)
structural("tape.pop(tape)", None, tangent="tape_pop", effect=True, mutates=True,
           recompute=False)
structural("setitem_restore(x, index, old)", None, tangent="store", effect=True, mutates=True,
           stores=True, recompute=False)
structural("zero_slice(x, index)", None, tangent="store", effect=True, mutates=True,
           stores=True, recompute=False)
helper("write_slice(t, index, value, written=None, source=None)", tangent="store", effect=True,
       mutates=True, stores=True)
# an adjoint added into at an index: it writes into `dx`, which it returns (a
# new array where g's dtype is wider); only where no forward layer follows
helper("add_at(dx, index, g)", jvp={"dx": "t", "g": "getitem_adjoint(t, dx, index)"},
       effect=True, mutates=True, view=True, recompute=False)
helper("added_at(dx, index, g)", jvp={"dx": "t", "g": "getitem_adjoint(t, dx, index)"},
       fresh=True)
helper("check_inplace(value, names, *others)",
       "check_inplace_item(item, container, index, names, *others)", "require_scalar(value)",
       "check_attribute_write(obj, name)", "check_properties_unread(obj, names)",
       "check_appended_list(x, what)",
       "check_receiver(x, what, records=False, items=False)",
       "check_not_augmented_array(old, what, op)", "check_not_dict(x)",
       "check_not_mapping(a, b)", "check_zip_lengths(strict, *lengths)", effect=True)
helper("snapshot(x)", linear=("x",), fresh=True)
# an adjoint accumulated in place: it writes into `a`, which it returns
helper("add_into(a, b)", jvp={"a": "t", "b": "t"}, effect=True, mutates=True, view=True,
       recompute=False)
helper("spread_number(c, shape)", linear=("c",), zero=("shape",))
helper("numpy_number(g)", linear=("g",))
# a * one_minus_b - one_minus_a * b (a - b where the complements are exact: cancel.py)
helper("complements_difference(a, b, one_minus_a, one_minus_b)",
       jvp={"a": "t * one_minus_b", "b": "-(one_minus_a * t)", "one_minus_a": "-(t * b)",
            "one_minus_b": "a * t"})
helper("seed_of(dout, out)", linear=("dout",), zero=("out",))
helper("unshared(t)", linear=("t",))
helper("outer_added(a, x, y)", jvp={"a": "t", "x": "np.outer(t, y)", "y": "np.outer(x, t)"},
       fresh=True)
helper("add_outer(a, x, y)", jvp={"a": "t", "x": "np.outer(t, y)", "y": "np.outer(x, t)"},
       effect=True, mutates=True, view=True, recompute=False)
helper("aux_value(pair)", linear=("pair",))
helper("view_tangent(t, ans, x)", linear=("t",), zero="others")
helper("custom_adjoints(result, count, total, *args)", linear=("result",), zero="others")
helper("filled_adjoint(g, like)", linear=("g",), zero=("like",))
helper("zeros_like(x)", zero=("x",), fresh=True)
helper("attribute_dropped(g, name)", "attribute_value(g, name, like)",
       "closure_values_adjoint(g, values)", linear=("g",), zero="others")
# (a property's adjoint and tangent depend on obj: its second derivatives are refused)
helper("attribute_adjoint(g, obj, name, read=None)", zero=("name", "read"),
       jvp={"g": "attribute_adjoint(t, obj, name, read)",
            "obj": "no_second_order_property(g, obj, name, t)"})
helper("attribute_tangent(td, obj, name)", zero=("name",),
       jvp={"td": "attribute_tangent(t, obj, name)",
            "obj": "no_second_order_tangent(td, obj, name, t)"})
helper("no_second_order_property(g, obj, name, t)",
       "no_second_order_tangent(td, obj, name, t)", zero="others")
helper("closure_tangent(t)", linear=("t",))
helper("merge_dicts_adjoint(g, mappings)", linear=("g",), zero="others")
helper("partial_adjoints(g, partial)", "dict_union_adjoint(g, mappings)",
       "as_dict_adjoint(g, x)",
       "zip_adjoint(g, iterables)", "zip_star_adjoint(g, rows)",
       "enumerate_adjoint(g, iterable)",
       "fields_dropped(g, obj, keys)", "fields_picked(g, obj, keys, values)",
       linear=("g",), zero="others")
helper("fields_set(obj, keys, t)", "as_dict_tangent(t, x)", "enumerate_tangent(t)",
       "iteration_tangent(t, x)",
       linear=("t",), zero="others")
helper("attribute_set(t, name, value)", linear=("t", "value"), zero=("name",))
helper("new_object(cls)", zero=("cls",), fresh=True)
# sorted(..., key=), min/max(..., key=): which order, which item (no derivative)
nondiff("key_order(keys, reverse=False)", "key_extreme(keys, largest)", form="helper",
        returns="other", takes="any")
# before a call of a helper that updates a parameter with `+=`: refused for an array
nondiff("check_not_added_into(value, what, helper)", form="helper", effect=True,
        returns="other", takes="any")
# `a + b` where a may be a list or tuple (a helper's result): refused if Python joins
nondiff("check_arithmetic(a, b, op)", form="helper", effect=True, returns="other", takes="any")
# `[0.0] * n`: a list's count, refused if it is an array (see lowering.expressions)
nondiff("repeat_count(count)", form="helper", returns="other", takes="any")
# f-strings: text, without a derivative
nondiff("format_value(value, conversion, spec)", "join_strings(*parts)", form="helper",
        returns="other", takes="any")
