"""A helper's calls of itself run its own compiled halves (`recursion.py`),
and the guards that keep compiled code valid (`pipeline._checker`).

The pass is tested on IR (which calls it marks, which helpers run no user
code), end to end against finite differences and a closed form (gradients
through the halves' calls of themselves by name, through `recurse`, and
through calls that must keep the dispatcher), and at run time (a changed
function is never run from the old halves)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import s2sad
from s2sad import calls, pipeline
from s2sad.analysis import SELF_CALLS_RETURN, analyze
from s2sad.ir import format_function, walk
from s2sad.lowering import lower
from s2sad.parsing import parse_function
from s2sad.prepare import prepare
from s2sad.recursion import mark_self_calls, runs_only_numpy


def horner(c, x, k):  # c[k] + x (c[k+1] + x (...)), one coefficient a level
    if k + 1 < len(c):
        return x * horner(c, x, k + 1) + c[k]
    return np.full_like(x, c[k])


def unit(k):  # user code a helper runs at each level
    return 1.0


def horner_noted(c, x, k):  # runs user code: its calls of itself keep `recurse`
    if k + 1 < len(c):
        return x * horner_noted(c, x, k + 1) * unit(k) + c[k]
    return np.full_like(x, c[k])


def poly_noted(c, x):
    return np.sum(horner_noted(c, x, 0))


class Coefficients:  # an object's method: its class's code
    def __init__(self, c):
        self.c = c

    def at(self, k):
        return self.c[k]


def horner_object(p, x, k):
    if k + 1 < len(p.c):
        return x * horner_object(p, x, k + 1) + p.at(k)
    return x * 0.0 + p.at(k)


def poly(c, x):
    return np.sum(horner(c, x, 0))


def halves(x, n):  # recursion on a smaller array: another specialization per level
    if n == 1:
        return np.sin(x)
    return halves(x[1:], n - 1) * 2.0 + np.sum(x)


def halves_sum(x):
    return np.sum(halves(x, 3))


def scaled(x, k, scale=1.0):  # passes a keyword: the dispatcher maps it
    if k == 0:
        return x * scale
    return x * scaled(x, k - 1, scale=scale * 0.5)


def scaled_sum(x):
    return np.sum(scaled(x, 3))


def swapped(x, y, k):  # the active arguments change places at each level
    if k == 0:
        return x * y * y
    return swapped(y, x, k - 1) * 1.5


def swapped_sum(x, y):
    return np.sum(swapped(x, y, 3))


def marked_calls(fn, wrt, scalars=(), plain=None):
    lo = lower(parse_function(fn))
    prepared = prepare(lo.function, analyze(lo.function, wrt, scalars), lo.factory)
    site = calls.SelfCall()
    count = mark_self_calls(prepared, fn, wrt, scalars, site)
    marked = [s for s in walk(prepared.body) if getattr(s, "callee", None) is not None
              and s.callee.name == "$recurse"]
    assert len(marked) == count and all(s.callee.value is site for s in marked)
    if plain is not None:  # (the positions of the parameters that are not objects)
        return runs_only_numpy(prepared, plain)
    return count, format_function(prepared)


def test_the_pass_marks_calls_with_the_same_kinds_only():
    # parameters passed on and a number where a number was taken: marked
    count, ir = marked_calls(horner, (0, 1), scalars=(2,))
    assert count == 1 and re.search(r"call_forward\(@horner, \(0, 1\), %c\d+, %x\d+, %\d+\)",
                                    ir), ir
    # k not known to be a number (compiled for any kind of k): not marked
    assert marked_calls(horner, (0, 1))[0] == 0
    # differentiated in c alone: x does not vary, the call's active tuple is (0,)
    assert marked_calls(horner, (0,), scalars=(2,))[0] == 1
    # an array computed from a parameter (x[1:]): another shape, not marked
    assert marked_calls(halves, (0,), scalars=(1,))[0] == 0
    # a keyword argument, a default left out: not marked
    assert marked_calls(scaled, (0,), scalars=(1, 2))[0] == 0
    # the arguments swap places: not the same parameters, not marked
    assert marked_calls(swapped, (0, 1), scalars=(2,))[0] == 0


def test_helpers_running_no_user_code_are_found():
    # NumPy's functions, operators, len and indexing of arrays and numbers: none
    assert marked_calls(horner, (0, 1), scalars=(2,), plain=(0, 1, 2))
    assert marked_calls(damped_total, (0,), scalars=(1,), plain=(0, 1))
    # a call of a user's function at each level
    assert not marked_calls(horner_noted, (0, 1), scalars=(2,), plain=(0, 1, 2))
    # an object's attribute and method (p is an object at this call)
    assert not marked_calls(horner_object, (1,), scalars=(2,), plain=(1, 2))
    # c an object here: len(c) and c[k] are its class's code
    assert not marked_calls(horner, (1,), scalars=(2,), plain=(1, 2))


@pytest.mark.parametrize("n", [1, 4, 20])
def test_direct_recursion_gives_the_closed_form(n):
    rng = np.random.default_rng(n)
    c, x = rng.standard_normal(n), rng.uniform(-1.0, 1.0, 7)
    dc, dx = s2sad.grad(poly, wrt=(0, 1))(c, x)
    powers = x[None, :] ** np.arange(n)[:, None]
    np.testing.assert_allclose(dc, powers.sum(axis=1), rtol=1e-12)
    dp = sum(k * c[k] * x ** (k - 1) for k in range(1, n))
    np.testing.assert_allclose(dx, dp + 0.0 * x, rtol=1e-12, atol=1e-14)


def test_the_generated_helper_calls_itself_directly():
    c, x = np.arange(5.0), np.linspace(-1.0, 1.0, 3)
    text = s2sad.show(horner, wrt=(0, 1), mode="vjp", args=(c, x, 0))
    # (no user code runs between its levels: each half calls itself by name)
    assert "dhorner_forward(c, x, k + 1)" in text and "recurse" not in text, text
    assert "dhorner_backward(call_saved, " in text and "call_backward(" not in text, text
    text = s2sad.show(horner_noted, wrt=(0, 1), mode="vjp", args=(c, x, 0))
    assert "recurse(horner_noted, (0, 1), c, x, k + 1)" in text, text
    assert "recurse_back(call_saved, " in text and "call_backward(" not in text, text


@pytest.mark.parametrize("n", [1, 3, 12])
def test_recursions_through_recurse_and_by_name_agree(n):
    rng = np.random.default_rng(n)
    c, x = rng.standard_normal(n), rng.uniform(-1.0, 1.0, (2, 5))
    by_name = s2sad.value_and_grad(poly, wrt=(0, 1))
    noted = s2sad.value_and_grad(poly_noted, wrt=(0, 1))
    for _ in range(2):  # (compiled, then from the caches)
        (v1, (dc1, dx1)), (v2, (dc2, dx2)) = by_name(c, x), noted(c, x)
        np.testing.assert_allclose([v1, *dc1], [v2, *dc2], rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(dx1, dx2, rtol=1e-13, atol=1e-13)
    s2sad.check_grad(poly, c, x, wrt=(0, 1))


@pytest.mark.parametrize("f, args", [
    (halves_sum, (np.array([0.3, -1.2, 2.0, 0.7]),)),
    (scaled_sum, (np.array([0.5, -1.5]),)),
    (swapped_sum, (np.array([0.5, 2.0]), np.array([1.5, -0.25]))),
])
def test_recursion_that_keeps_the_dispatcher_is_still_exact(f, args):
    wrt = tuple(range(len(args)))
    s2sad.check_grad(f, *args, wrt=wrt)


def compiled_for(fn, *arrays):
    """The halves the dispatcher compiled for fn's calls with arrays of these
    shapes, and their `recurse` site."""
    shapes = tuple(a.shape for a in arrays)
    compiled = next(entry[1] for key, entry in calls._KNOWN_CALLS[fn].items()
                    if key[3:] == shapes)
    site = next(cell.cell_contents for cell in compiled.forward.__closure__
                if isinstance(cell.cell_contents, calls.SelfCall))
    return compiled, site


def test_a_changed_function_never_runs_from_the_old_halves():
    c, x = np.array([1.0, 2.0, 3.0]), np.array([0.5, -0.5])
    g = s2sad.grad(poly_noted, wrt=(0, 1))
    before = g(c, x)
    compiled, site = compiled_for(horner_noted, c, x)
    assert site.compiled is compiled
    # called with another function (a rebinding seen mid-run): the dispatcher
    value, saved = site(scaled, (0,), x, 0)
    np.testing.assert_allclose(value, x)
    assert not isinstance(saved.plan, type(calls._IN_ORDER))
    # the same function, its guards no longer holding: the dispatcher too
    pipeline.invalidate()
    assert not compiled.guards.hold()
    value, saved = site(horner_noted, (0, 1), c, x, 0)
    assert saved.compiled is not compiled
    after = g(c, x)
    for a, b in zip(before, after):
        np.testing.assert_allclose(a, b, rtol=1e-12)


# ---------------------------------------------------------------- guards

SCALE = 2.0


def reads_a_helper(x):
    return np.sum(helper_one(x)) * SCALE


def helper_one(x):
    return x * 3.0


def test_the_generated_guard_sees_each_kind_of_change():
    x = np.array([1.0, 2.0])
    compiled = s2sad.api.compile_gradient(reads_a_helper, (0,))
    hold = compiled.guards.hold
    assert hold()
    globals()["helper_one"], saved = (lambda x: x), helper_one
    try:
        assert not hold()  # a global rebound
    finally:
        globals()["helper_one"] = saved
    assert hold()
    code, defaults = reads_a_helper.__code__, reads_a_helper.__defaults__
    reads_a_helper.__defaults__ = (1.0,)
    assert not hold()  # the defaults replaced
    reads_a_helper.__defaults__ = defaults
    reads_a_helper.__kwdefaults__ = {"k": 1}
    assert not hold()  # keyword defaults given
    reads_a_helper.__kwdefaults__ = None
    reads_a_helper.__code__ = helper_one.__code__
    assert not hold()  # the code replaced
    reads_a_helper.__code__ = code
    assert hold()
    np.testing.assert_allclose(s2sad.grad(reads_a_helper)(x), [6.0, 6.0])


def make_closure(a):
    def f(x):
        return np.sum(a(x))
    return f


def test_the_generated_guard_checks_cells_and_emptied_cells():
    f = make_closure(np.sin)
    compiled = s2sad.api.compile_gradient(f, (0,))
    assert compiled.guards.hold()
    f.__closure__[0].cell_contents = np.cos
    assert not compiled.guards.hold()
    del f.__closure__[0].cell_contents
    assert compiled.guards.hold() is False  # (an emptied cell: False, not ValueError)
    f.__closure__[0].cell_contents = np.sin
    assert compiled.guards.hold()
    np.testing.assert_allclose(s2sad.grad(f)(np.array([0.0, 1.0])), np.cos([0.0, 1.0]))


# ---------------------------------------------------------------- shapes through recursion


def horner_broadcast(x, y, k):  # a column times itself plus a row: (3, 4) at every level
    if k == 0:
        return x + 0.0 * y
    return x * horner_broadcast(x, y, k - 1) + y


def growing(x, k):  # one more block per level: no shape holds for every call
    if k == 0:
        return x * 1.0
    return np.concatenate([growing(x, k - 1), np.sin(x)])


def damped_total(x, k):  # a number at every level
    if k == 0:
        return np.sum(x)
    return np.sum(x * x) * 0.5 + damped_total(x, k - 1) * 0.9


def self_call_shape(fn, wrt, scalars, shapes):
    lo = lower(parse_function(fn))
    prepared = prepare(lo.function, analyze(lo.function, wrt, scalars, (), shapes), lo.factory)
    assert mark_self_calls(prepared, fn, wrt, scalars, calls.SelfCall()) == 1
    return analyze(prepared, wrt, scalars, (), shapes).shape.get(SELF_CALLS_RETURN)


def test_a_self_call_returns_the_shape_every_path_returns_if_one_does():
    assert self_call_shape(horner, (0, 1), (2,), ((0, (5,)), (1, (7,)))) == (7,)
    assert self_call_shape(horner, (0, 1), (2,), ((0, (5,)), (1, (2, 7)))) == (2, 7)
    assert self_call_shape(horner_broadcast, (0, 1), (2,), ((0, (3, 1)), (1, (4,)))) == (3, 4)
    assert self_call_shape(damped_total, (0,), (1,), ((0, (2, 2)),)) == ()
    assert self_call_shape(growing, (0,), (1,), ((0, (3,)),)) is None


def test_the_backward_half_of_a_recursion_knows_its_shapes():
    c, x = np.arange(5.0), np.linspace(-1.0, 1.0, 3)
    backward = s2sad.show(horner, wrt=(0, 1), mode="vjp", args=(c, x, 0)).split("# backward")[1]
    # (only c[k]'s, a number's, sum remains: the call's value and x have dresult's shape)
    assert backward.count("unbroadcast(") == 2, backward
    assert "dhorner_backward(call_saved, x * dresult)" in backward, backward


@pytest.mark.parametrize("f, args", [
    (lambda c, x: np.sum(horner(c, x, 0) ** 2), (np.array([0.5, -1.0, 2.0, 0.3]),
                                                 np.array([[0.2, -0.7, 1.1], [0.4, 0.9, -0.3]]))),
    (lambda x, y: np.sum(np.sin(horner_broadcast(x, y, 3))), (np.array([[0.3], [-0.8], [0.5]]),
                                                              np.array([0.1, -0.2, 0.7, 1.3]))),
    (lambda x: np.sum(growing(x, 3) ** 2), (np.array([0.3, -1.2, 0.8]),)),
    (lambda x: damped_total(x, 4) ** 2, (np.array([[0.3, -1.2], [0.8, 0.1]]),)),
])
def test_gradients_through_recursions_of_known_shapes(f, args):
    wrt = tuple(range(len(args)))
    for _ in range(2):  # (compiled, then from the caches)
        s2sad.check_grad(f, *args, wrt=wrt)


def nested_scaling(x, k):  # (called here alone: compiled for these shapes)
    if k == 0:
        return x * 2.0
    return x * nested_scaling(x, k - 1) * float(unit(k))  # (user code: through `recurse`)


def test_a_self_call_running_other_code_must_return_the_shape_assumed():
    x = np.array([0.5, -0.5])
    s2sad.grad(lambda x: np.sum(nested_scaling(x, 3)))(x)
    compiled, site = compiled_for(nested_scaling, x)
    assert site.returns == (2,)
    value, saved = site(scaled, (0,), x, 0)  # (another function, of the same shape: runs)
    np.testing.assert_allclose(value, x)
    # (its backward half through the dispatcher, this code's directly)
    np.testing.assert_allclose(site.backward(saved, np.ones(2))[0], np.ones(2))
    value, saved = site(nested_scaling, (0,), x, 1)
    assert type(saved) is calls.Saved and saved.compiled is compiled
    np.testing.assert_allclose(site.backward(saved, np.ones(2))[0], 4.0 * x)
    with pytest.raises(s2sad.S2sadError, match=r"returned shape \(\) where the code compiled"):
        site(damped_total, (0,), x, 0)


# ------------------------------------------------ adjoints a recursion owns


def horner_read_whole(c, k):  # the base case's adjoint of c is the caller's own array
    if k == 0:
        return c + 0.0
    return c[k] * 0.5 + horner_read_whole(c, k - 1) * c[k - 1]


def test_an_adjoint_the_backward_half_made_takes_later_ones_in_place():
    c, x = np.arange(5.0), np.linspace(-1.0, 1.0, 3)
    text = str(s2sad.show(horner, wrt=(0, 1), mode="vjp", args=(c, x, 0)))
    # (what its own backward half returned at position 0 is an array only it holds)
    assert "dc = index_added_into(dc_1, " in text, text
    assert "check_arithmetic" not in text, text  # (the call's value: an array of x's shape)
    for n in (1, 2, 9):
        c = np.random.default_rng(n).standard_normal(n)
        for _ in range(2):
            dc, dx = s2sad.grad(poly, wrt=(0, 1))(c, x)
            np.testing.assert_allclose(dc, (x[None, :] ** np.arange(n)[:, None]).sum(axis=1),
                                       rtol=1e-12)


def test_an_adjoint_that_may_be_the_callers_array_is_copied():
    c = np.array([0.3, -1.2, 0.8, 2.0])
    text = str(s2sad.show(horner_read_whole, wrt=0, mode="vjp", args=(c, 3)))
    assert "index_added_into" not in text, text
    f = lambda c: np.sum(horner_read_whole(c, 3) ** 2)  # noqa: E731
    for _ in range(2):
        s2sad.check_grad(f, c)
