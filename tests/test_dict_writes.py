"""`d[key] = value` into a dict the function made: lowered as the dict's next
version (`dict_set`), differentiated in both modes, and refused where another
name would see the write."""

from __future__ import annotations

import numpy as np
import pytest
from test_passes import lowered, same, text

import s2sad
from s2sad.aliasing import guard_inplace_updates
from s2sad.errors import AliasingError, BackendError, UnsupportedSyntaxError


def built_in_a_loop(x):
    d = {}
    for i in range(3):
        d[i] = x * (i + 1.0)
    return sum(np.sum(v ** 2) for v in d.values())


def written_in_a_branch(x):
    d = {"w": x}
    if np.sum(x) > 0:
        d["w"] = d["w"] * 2.0
        d["b"] = np.sin(x)
    else:
        d["b"] = np.cos(x)
    return np.sum(d["w"] * d["b"])


def filled_from_another_dict(x):
    out = {}
    params = {"a": x, "b": x ** 2}
    for k, v in params.items():
        out[k] = np.tanh(v)
    return np.sum(out["a"] * out["b"])


def read_before_and_after_a_write(x):
    d = {"a": x}
    s = np.sum(d["a"])
    d["a"] = x * 3.0
    return s + np.sum(d["a"]) * 2.0


def augmented_items(x):
    d = {}
    d["a"] = x * 1.0
    d["a"] += np.sin(x)
    d["a"] *= x
    return np.sum(d["a"])


def keys_met_again(x):
    d = {"a": 1.0}
    for k in ["a", "b", "a"]:
        d[k] = d.get(k, 0.0) + x
    return np.sum(d["a"] * d["b"])


def overwritten_by_a_constant(x):
    d = {"a": x}
    d["a"] = 5.0
    return np.sum(d["a"] * x)


def _product(d):
    return np.sum(d["a"] * d["b"])


def handed_to_a_helper(x):
    d = {"a": x}
    d["b"] = x + 1.0
    return _product(d) + len(d)


def written_while_iterated(x):
    d = {"a": x, "b": 2.0 * x}
    for k in d:
        d[k] = d[k] * d[k]
    return np.sum(d["a"] + d["b"])


def from_dict_call(x):
    d = dict(a=x, b=2.0 * x)
    d["c"] = d["a"] * d["b"]
    return np.sum(d["c"])


def read_by_a_closure(x):
    d = {"a": x}
    get = lambda: d["a"]  # noqa: E731 (reads d when called, after the write)
    d["a"] = x * 3.0
    return np.sum(get())


PROGRAMS = [built_in_a_loop, written_in_a_branch, filled_from_another_dict,
            read_before_and_after_a_write, augmented_items, keys_met_again,
            overwritten_by_a_constant, handed_to_a_helper, written_while_iterated,
            from_dict_call, read_by_a_closure]


@pytest.mark.parametrize("fn", PROGRAMS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [np.array([0.5, -1.2, 2.0]), np.array([-0.3, -0.4, 0.1]),
                               np.array([[0.7], [1.1]])], ids=["pos", "neg", "column"])
def test_writes_into_a_dict_made_here_differentiate_in_both_modes(fn, x):
    numeric = s2sad.numerical_gradient(fn, (x,), 0)
    value, grad = s2sad.value_and_grad(fn)(x)
    assert value == pytest.approx(fn(x.copy()))
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)
    direction = np.linspace(0.5, 1.5, x.size).reshape(x.shape)
    _, tangent = s2sad.jvp(fn, (x,), (direction,))
    assert tangent == pytest.approx(np.sum(numeric * direction), rel=1e-6, abs=1e-8)


def test_the_hessian_of_a_dict_built_in_a_loop():
    x = np.array([0.5, -1.2, 2.0])
    hessian = s2sad.hessian(augmented_items)(x)
    gradient = s2sad.grad(augmented_items)
    columns = [s2sad.numerical_gradient(lambda y, k=k: gradient(y)[k], (x,), 0) for k in range(3)]
    np.testing.assert_allclose(hessian, np.array(columns), rtol=1e-5, atol=1e-7)


def a_new_key_in_an_argument_copy(params):
    new = dict(params)
    new["extra"] = params["a"] * 2.0
    return np.sum(new["extra"] * new["b"])


def test_a_copy_made_by_dict_takes_new_keys_and_leaves_the_callers_dict():
    params = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}
    grads = s2sad.grad(a_new_key_in_an_argument_copy)(params)
    np.testing.assert_array_equal(grads["a"], [6.0, 8.0])
    np.testing.assert_array_equal(grads["b"], [2.0, 4.0])
    assert set(grads) == {"a", "b"} and set(params) == {"a", "b"}


def read_through_another_name(x):
    d = {"a": x}
    e = d
    d["a"] = x * 3.0
    return np.sum(e["a"])


def read_through_a_list(x):
    d = {"a": x}
    held = [d]
    d["a"] = x * 3.0
    return np.sum(held[0]["a"])


def rebound_to_an_array_in_the_loop(x):
    d = {}
    total = 0.0
    for i in range(2):
        d[i] = x  # (Python: ValueError in the second iteration)
        total = total + np.sum(d[i])
        d = np.zeros(2)
    return total


def test_writes_other_names_would_see_are_refused():
    x = np.array([1.0, 2.0])
    for fn in (read_through_another_name, read_through_a_list):
        with pytest.raises(AliasingError):
            s2sad.grad(fn)(x)
        with pytest.raises(AliasingError):
            s2sad.jvp(fn, (x,), (x,))
    with pytest.raises(UnsupportedSyntaxError, match="rebound to a ndarray"):
        s2sad.grad(rebound_to_an_array_in_the_loop)(x)


def test_the_numba_backend_refuses_a_dict_and_auto_runs_it_with_numpy():
    x = np.array([0.5, -1.2, 2.0])
    with pytest.raises(BackendError, match="Numba"):
        s2sad.grad(augmented_items, backend="numba")(x)
    np.testing.assert_allclose(s2sad.grad(augmented_items, backend="auto")(x),
                               s2sad.grad(augmented_items)(x))


def test_show_prints_the_dicts_versions():
    source = s2sad.show(built_in_a_loop)
    assert "d = dict_set(d, i, x * (i + 1.0))" in source


# ---------------------------------------------------------------- the passes


def two_items(x):
    d = {}
    for i in range(2):
        d[i] = x * i
    return d[1]


def test_lowering_gives_a_dict_carried_by_a_loop_its_next_version():
    same(text(lowered(two_items).function), """
        def two_items(%x1):
          %d2 = make_dict(())
          for %i3 in range(0, 2, 1) (%d4 = %d2, %i5 = None):
            %6 = mul(%x1, %i3)
            %d7 = dict_set(%d4, %i3, %6) (in place)
            next %d7, %i3
          %8 = getitem(%d4, 1)
          return %8
    """)


def test_the_guard_checks_a_dict_write_that_another_name_sees():
    same(text(guard_inplace_updates(lowered(read_through_another_name).function)), """
        def read_through_another_name(%x1):
          %d2 = make_dict(('a',), %x1)
          %3 = mul(%x1, 3.0)
          check_inplace(%d2, 'd', %d2)
          %d4 = dict_set(%d2, 'a', %3) (in place)
          %5 = getitem(%d2, 'a')
          %6 = np.sum(%5)
          return %6
    """)


# ---------------------------------------------------------------- dict comprehensions


def comprehension_of_a_dict(p, x):
    h = {k: np.tanh(v * x) for k, v in p.items() if k != "skip"}
    powers = {i: x ** i for i in range(3)}
    return sum(np.sum(v) for v in h.values()) + powers[2] * powers[1]


def comprehension_meeting_a_key_again(x):
    d = {k % 2: x * k for k in range(4)}  # (keys 0, 1 again: 2 * x and 3 * x stay)
    d[0] += x
    return d[0] * d[1]


def pairs_with_one_key_twice(x):
    d = dict([("a", x), ("a", 2.0 * x)])
    return d["a"]


def test_dict_comprehensions_and_pairs_give_a_key_met_again_its_last_value():
    p = {"a": np.array([0.3, -0.2]), "b": np.array([1.0]), "skip": np.array([5.0])}
    for wrt in (0, 1):
        grad = s2sad.grad(comprehension_of_a_dict, wrt=wrt)(p, 0.7)
        numeric = s2sad.numerical_gradient(comprehension_of_a_dict, (p, 0.7), wrt)
        if wrt == 0:
            assert set(grad) == set(p)
            for k in p:
                np.testing.assert_allclose(grad[k], numeric[k], rtol=1e-6, atol=1e-9)
        else:
            assert grad == pytest.approx(numeric, rel=1e-6)
    assert s2sad.value_and_grad(comprehension_meeting_a_key_again)(1.5) == \
        pytest.approx((9.0 * 1.5 ** 2, 18.0 * 1.5))
    assert s2sad.jvp(comprehension_meeting_a_key_again, (1.5,), (1.0,))[1] == \
        pytest.approx(18.0 * 1.5)
    assert s2sad.hessian(comprehension_meeting_a_key_again)(1.5) == pytest.approx(18.0)
    assert s2sad.grad(pairs_with_one_key_twice)(1.0) == 2.0  # (not 3.0: the first is dropped)
    assert s2sad.jvp(pairs_with_one_key_twice, (1.0,), (1.0,)) == (2.0, 2.0)


# ---------------------------------------------------------------- an outside review


def view_read_after_a_write(x):
    d = {"a": x}
    vals = d.values()  # (Python's view shows the write below)
    d["b"] = x * x
    return sum(vals)


def copied_view_read_after_a_write(x):
    d = {"a": x}
    vals = list(d.values())
    d["b"] = x * x
    return sum(vals) + d["b"]


def list_item_extended(x):
    d = {"l": [x]}
    e = d["l"]
    d["l"] += [x * 2.0]  # (extends the list e is too)
    return sum(e)


def list_item_extended_alone(x):
    d = {"l": [x]}
    d["l"] += [x * 2.0]
    return sum(d["l"])


def constant_display_updated(x):
    d = {"a": 2.0, "b": 3.0}
    d["b"] *= x
    return d["a"] + d["b"]


def tuple_keys(x):
    d = {(0, 1): x, (1, 2): x * x}
    return sum(v * (k[0] + 1) for k, v in d.items())


def empty_dict_call(x):
    d = dict()
    d["k"] = x
    return d["k"] * 2.0


def test_views_list_items_constant_displays_and_tuple_keys():
    x = 1.3
    with pytest.raises(UnsupportedSyntaxError, match="vals is a view of d"):
        s2sad.grad(view_read_after_a_write)(x)
    assert s2sad.value_and_grad(copied_view_read_after_a_write)(x) == pytest.approx(
        (x + x * x, 1 + 2 * x))
    with pytest.raises(AliasingError):
        s2sad.grad(list_item_extended)(x)
    for fn, value, slope in [(list_item_extended_alone, 3 * x, 3.0),
                             (constant_display_updated, 2 + 3 * x, 3.0),
                             (tuple_keys, x + 2 * x * x, 1 + 4 * x),
                             (empty_dict_call, 2 * x, 2.0)]:
        assert s2sad.value_and_grad(fn)(x) == pytest.approx((value, slope))
        assert s2sad.jvp(fn, (x,), (1.0,)) == pytest.approx((value, slope))


def copy_updated_in_place(params, x):
    p = dict(params)
    p["w"] += x  # (the array is params["w"] too: Python changes it, read below)
    return np.sum(p["w"] ** 2 * params["w"])


def copy_updated_in_place_alone(params, x):
    p = dict(params)
    p["w"] += x
    return np.sum(p["w"] ** 2)


def keys_sliced(d):
    c = {k[1:]: v * 2.0 for k, v in d.items()}
    return np.sum(c["w"])


def keys_tested(params):
    n = sum(1 for k in params if k.startswith("W"))
    return n * np.sum(params["W1"] ** 2)


def test_a_third_outside_round_with_realistic_programs():
    """An argument's array updated in place through a dict copy, read again
    through the argument (silently the value before the update); string keys
    sliced or tested (k[1:], k.startswith) in reverse and forward-over-reverse
    mode (an internal exception, a refusal)."""
    w, x = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    with pytest.raises(AliasingError):
        s2sad.grad(copy_updated_in_place)({"w": w.copy()}, x)
    value, grad = s2sad.value_and_grad(copy_updated_in_place_alone)({"w": w.copy()}, x)
    assert value == pytest.approx(np.sum((w + x) ** 2))
    np.testing.assert_allclose(grad["w"], 2 * (w + x))
    d = {"_w": np.ones(3)}
    np.testing.assert_array_equal(s2sad.grad(keys_sliced)(d)["_w"], [2.0] * 3)
    assert s2sad.jvp(keys_sliced, (d,), ({"_w": np.ones(3)},))[1] == 6.0
    params = {"W1": w.copy(), "b": w.copy()}
    np.testing.assert_array_equal(s2sad.grad(keys_tested)(params)["W1"], 2 * w)
    np.testing.assert_array_equal(
        s2sad.hvp(keys_tested)(params, {"W1": np.ones(2), "b": np.ones(2)})["W1"], [2.0, 2.0])
