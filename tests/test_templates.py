"""Rule templates lowered to IR, and the recipes that replay a lowering.

A template is lowered once per kinds of its operands; later lowerings replay
that recipe with fresh vars (`lowering/templates.py`). These tests check
that a replay is the lowering it stands for: the same statements over the
new operands, new vars, the value's name, and a separate recipe where the
kinds differ.
"""

import pytest

from s2sad.ir import Const, Var, VarFactory
from s2sad.lowering import templates
from s2sad.lowering.templates import lower_template


@pytest.fixture(autouse=True)
def no_recipes():
    saved = dict(templates._RECIPES)
    templates._RECIPES.clear()
    yield
    templates._RECIPES.clear()
    templates._RECIPES.update(saved)


def _shape(stmts, result, names):
    """Statements as text over the operands' names (vars made here by position)."""
    made = {id(s.target): f"t{k}" for k, s in enumerate(stmts)}

    def text(x):
        if isinstance(x, Var):
            return names.get(id(x)) or made[id(x)]
        return repr(x)
    return [(made[id(s.target)], s.target.hint, s.prim, [text(a) for a in s.args],
             {k: text(v) for k, v in s.kwargs.items()}) for s in stmts], text(result)


def _lowered(source, bindings, hint="dx"):
    factory = VarFactory(100)
    stmts, result = lower_template(source, bindings, factory, None, hint)
    return stmts, result, {id(v): n for n, v in bindings.items() if isinstance(v, Var)}


@pytest.mark.parametrize("source", ["-g * x / (y * y)", "unbroadcast(g * y, x)",
                                    "np.sum(g, axis=1) * x", "g", "[g, x]"])
def test_a_replayed_template_is_the_lowering_over_the_new_operands(source):
    first = _lowered(source, {"g": Var(1, "g"), "x": Var(2, "x"), "y": Var(3, "y")})
    assert templates._RECIPES, "the first lowering left a recipe"
    again = _lowered(source, {"g": Var(4, "a"), "x": Var(5, "b"), "y": Var(6, "c")}, "dw")
    shape_first = _shape(first[0], first[1], first[2])
    shape_again = _shape(again[0], again[1], again[2])
    # the same statements over the new operands; the value takes the new name
    renamed = [(t, "dw" if h == "dx" else h, p, a, k) for t, h, p, a, k in shape_first[0]]
    assert shape_again == (renamed, shape_first[1])
    made_first = {id(s.target) for s in first[0]}
    assert not made_first & {id(s.target) for s in again[0]}  # (fresh vars, fresh statements)
    assert not {id(s) for s in first[0]} & {id(s) for s in again[0]}


def test_operands_of_other_kinds_get_their_own_lowering():
    stmts, result, _ = _lowered("g * x", {"g": Var(1, "g"), "x": Const(2.0)})
    assert [s.args[1] for s in stmts] == [Const(2.0)]
    stmts, result, _ = _lowered("g * x", {"g": Var(1, "g"), "x": Const(3)})
    assert [s.args[1] for s in stmts] == [Const(3)]  # (not the 2.0 of the first recipe)
    stmts, result, _ = _lowered("g * x", {"g": Var(1, "g"), "x": Var(2, "x")})
    assert stmts[0].args[1].hint == "x"
    assert len(templates._RECIPES) == 3


def test_one_var_bound_to_two_names_is_a_kind_of_its_own():
    v = Var(1, "v")
    _lowered("g * x", {"g": v, "x": v})
    _lowered("g * x", {"g": Var(2, "g"), "x": Var(3, "x")})
    assert len(templates._RECIPES) == 2
    stmts, _, _ = _lowered("g * x", {"g": Var(4, "g"), "x": Var(5, "x")})
    assert stmts[0].args[0] is not stmts[0].args[1]


def test_an_unnamed_lowering_and_a_named_one_are_kept_apart():
    _lowered("g * x", {"g": Var(1, "g"), "x": Var(2, "x")}, hint="")
    stmts, result, _ = _lowered("g * x", {"g": Var(3, "g"), "x": Var(4, "x")}, hint="dz")
    assert result.hint == "dz"
    stmts, result, _ = _lowered("g * x", {"g": Var(5, "g"), "x": Var(6, "x")}, hint="")
    assert result.hint == ""
