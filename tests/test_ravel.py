"""s2sad.ravel: structured parameters to one vector and back."""

from __future__ import annotations

import dataclasses
import inspect
from typing import NamedTuple

import numpy as np
import pytest

import s2sad


class Pair(NamedTuple):
    a: np.ndarray
    b: float


@dataclasses.dataclass(frozen=True)
class Layer:
    W: np.ndarray
    b: np.ndarray
    name: str = "dense"


class Model:
    def __init__(self) -> None:
        self.w = np.arange(3.0)
        self.scale = 2.0
        self.label = "m"


def _same(x, y) -> None:
    """x and y have the same structure, types, shapes, dtypes and values."""
    assert type(x) is type(y)
    if isinstance(x, dict):
        assert list(x) == list(y)
        for k in x:
            _same(x[k], y[k])
    elif isinstance(x, (list, tuple)):
        assert len(x) == len(y)
        for a, b in zip(x, y):
            _same(a, b)
    elif isinstance(x, np.ndarray):
        assert x.shape == y.shape and x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)
    elif dataclasses.is_dataclass(x) or hasattr(x, "__dict__"):
        _same(vars(x), vars(y))
    else:
        assert x == y


def test_dict_list_tuple_round_trip():
    tree = {"W": np.arange(6.0).reshape(2, 3), "layers": [np.ones(2), (3.0, np.float32(4))],
            "flag": True, "name": "net", "none": None}
    flat, unravel = s2sad.ravel(tree)
    assert flat.shape == (6 + 2 + 1 + 1,) and flat.dtype == np.float64
    np.testing.assert_array_equal(flat, [0, 1, 2, 3, 4, 5, 1, 1, 3, 4])
    _same(unravel(flat), tree)


def test_namedtuple_dataclass_and_object():
    tree = [Pair(np.array([1.0, 2.0]), 3.0), Layer(np.eye(2), np.zeros(2)), Model()]
    flat, unravel = s2sad.ravel(tree)
    assert flat.size == 3 + 6 + 4
    back = unravel(flat + 1)
    assert isinstance(back[0], Pair) and back[0].b == 4.0
    assert isinstance(back[1], Layer) and back[1].name == "dense"
    np.testing.assert_array_equal(back[1].W, np.eye(2) + 1)
    assert isinstance(back[2], Model) and back[2].label == "m" and back[2].scale == 3.0
    np.testing.assert_array_equal(back[2].w, np.arange(3.0) + 1)
    np.testing.assert_array_equal(tree[2].w, np.arange(3.0))  # the original is untouched


def test_dtypes_and_kinds_come_back():
    tree = (np.ones(2, dtype=np.float32), 1.5, np.float64(2.0), np.array(3), 4)
    flat, unravel = s2sad.ravel(tree)
    assert flat.dtype == np.float64
    back = unravel(flat * 0.5)
    assert back[0].dtype == np.float32
    assert type(back[1]) is float and back[1] == 0.75
    assert isinstance(back[2], np.float64)
    assert back[3].dtype == np.float64 and back[3] == 1.5  # an integer leaf moves freely
    assert type(back[4]) is float and back[4] == 2.0


def test_complex_leaves_stay_complex():
    flat, unravel = s2sad.ravel({"z": np.array([1 + 2j]), "x": 1.0})
    assert flat.dtype == np.complex128
    back = unravel(flat)
    assert back["z"].dtype == np.complex128 and back["z"][0] == 1 + 2j
    assert back["x"] == 1.0


def test_empty_tree_and_wrong_size():
    flat, unravel = s2sad.ravel({"name": "x"})
    assert flat.shape == (0,)
    assert unravel(flat) == {"name": "x"}
    flat, unravel = s2sad.ravel([np.ones(3)])
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        unravel(np.ones(4))


def test_gradient_lines_up_with_parameters():
    """The gradient of a dict of arrays ravels in the same order as the dict."""

    def loss(p, x):
        return np.sum((p["W"] @ x + p["b"]) ** 2)

    params = {"W": np.arange(6.0).reshape(2, 3) / 10, "b": np.array([0.5, -0.5])}
    x = np.array([1.0, 2.0, 3.0])
    flat, unravel = s2sad.ravel(params)
    g_flat, _ = s2sad.ravel(s2sad.grad(loss)(params, x))

    def flat_loss(v):
        return loss(unravel(v), x)

    numeric = s2sad.numerical_gradient(flat_loss, [flat], 0)
    np.testing.assert_allclose(g_flat, numeric, rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------- differentiating through them

TREE = {"pair": Pair(np.array([1.0, 2.0]), 3.0), "layer": Layer(np.eye(2), np.zeros(2)),
        "model": Model(), "numbers": (np.float64(0.5), 2)}
FLAT, UNRAVEL = s2sad.ravel(TREE)


def objective(v):
    """An optimizer's objective of the flat vector, reading every kind of container."""
    t = UNRAVEL(v)
    pair, layer, model = t["pair"], t["layer"], t["model"]
    return (np.sum(pair.a ** 2) * pair.b + np.sum(np.sin(layer.W @ layer.b + 1.0))
            + model.scale * np.sum(model.w ** 3) + t["numbers"][0] * t["numbers"][1])


def test_gradient_through_unravel_matches_finite_differences():
    v = FLAT + np.linspace(0.1, 0.5, FLAT.size)
    numeric = s2sad.numerical_gradient(objective, [v], 0)
    np.testing.assert_allclose(s2sad.grad(objective)(v), numeric, rtol=1e-6, atol=1e-8)
    direction = np.cos(np.arange(v.size))
    _, tangent = s2sad.jvp(objective, (v,), (direction,))
    assert tangent == pytest.approx(numeric @ direction, rel=1e-6)
    hessian = s2sad.hessian(objective)(v)
    gradient = s2sad.grad(objective)
    by_columns = np.stack([s2sad.numerical_gradient(
        lambda u, k=k: gradient(u)[k], [v], 0) for k in range(v.size)])
    np.testing.assert_allclose(hessian, by_columns, rtol=1e-5, atol=1e-6)


def test_gradient_of_unravel_is_the_raveled_gradient():
    """grad of f(unravel(v)) is ravel(grad of f at unravel(v)): the two routes agree."""

    def loss(p, x):
        return np.sum(np.tanh(p["W"] @ x + p["b"]) ** 2)

    x = np.array([0.3, -1.0, 2.0])
    flat, unravel = s2sad.ravel({"W": np.arange(6.0).reshape(2, 3) / 10, "b": np.ones(2)})
    through = s2sad.grad(lambda v: loss(unravel(v), x))(flat)
    raveled, _ = s2sad.ravel(s2sad.grad(loss)(unravel(flat), x))
    np.testing.assert_allclose(through, raveled, rtol=1e-12)


def penalty(params):
    """A norm of all the parameters at once, as autograd users write it with flatten."""
    everything, _ = s2sad.ravel(params)
    return np.dot(everything, everything) + np.sum(params["pair"].a)


def test_ravel_inside_the_function():
    grads = s2sad.grad(penalty)(TREE)
    np.testing.assert_allclose(grads["pair"].a, 2 * TREE["pair"].a + 1)
    assert grads["pair"].b == pytest.approx(6.0)
    np.testing.assert_allclose(grads["layer"].W, 2 * np.eye(2))
    np.testing.assert_allclose(grads["model"].w, 2 * TREE["model"].w)
    assert grads["model"].scale == pytest.approx(4.0)
    assert grads["numbers"] == pytest.approx((1.0, 4.0))
    value, tangent = s2sad.jvp(penalty, (TREE,), (TREE,))
    assert value == pytest.approx(penalty(TREE))
    assert tangent == pytest.approx(2 * np.dot(FLAT, FLAT) + 3.0)


def test_unravel_inside_keeps_dtypes_and_checks_the_size():
    flat, unravel = s2sad.ravel({"w": np.ones(3, dtype=np.float32), "s": 2.0})

    def f(v):
        p = unravel(v)
        assert p["w"].dtype == np.float32 and type(p["s"]) is float
        return np.sum(p["w"]) * p["s"]

    grad = s2sad.grad(f)(flat)
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, [2.0, 2.0, 2.0, 3.0], rtol=1e-6)
    with pytest.raises(ValueError, match=r"shape \(4,\), not \(5,\)"):
        s2sad.grad(f)(np.ones(5))


def test_names_and_flags_in_a_dict_ride_along():
    """(a dict or list holding a name or a flag was refused, where an object
    holding one was not)"""
    grads = s2sad.grad(penalty)({**TREE, "flag": True, "name": "net", "none": None})
    assert grads["flag"] is True and grads["name"] == "net" and grads["none"] is None
    np.testing.assert_allclose(grads["pair"].a, 2 * TREE["pair"].a + 1)
    _, tangent = s2sad.jvp(penalty, ({**TREE, "flag": True},), (TREE,))
    assert tangent == pytest.approx(2 * np.dot(FLAT, FLAT) + 3.0)
    with pytest.raises(s2sad.ArgumentTypeError, match="no value for its key 'layer'"):
        s2sad.jvp(penalty, (TREE,), ({"pair": TREE["pair"]},))
    with pytest.raises(s2sad.ArgumentTypeError, match=r"holds params\['name'\], a str"):
        s2sad.grad(penalty)({"name": "net"})


def test_unravel_is_generated_python():
    flat, unravel = s2sad.ravel({"W": np.ones((2, 3)), "b": [1.0, np.float32(2)], "n": "x"})
    source = inspect.getsource(unravel)
    assert "vector[0:6].reshape((2, 3)).astype(np.float64)" in source
    assert "float(vector[6])" in source and "vector[7].astype(np.float32)" in source
    again = s2sad.ravel({"W": np.zeros((2, 3)), "b": [0.0, np.float32(0)], "n": "x"})[1]
    assert again.__code__ is unravel.__code__  # (one structure, one code object)


class Slotted:
    __slots__ = ("w", "b")

    def __init__(self, w, b):
        self.w = w
        self.b = b


class CallableModel:
    def __init__(self, w):
        self.w = w

    def __call__(self, x):
        return x @ self.w


class Node:
    def __init__(self, w, parent=None):
        self.w = w
        self.parent = parent
        self.children = []


def test_slots_and_callable_objects_are_flattened():
    """(their parameters were dropped: an empty vector, a zero penalty)"""
    for tree, flat in ((Slotted(np.array([1.0, 2.0]), 3.0), [1.0, 2.0, 3.0]),
                       (CallableModel(np.array([1.0, 2.0])), [1.0, 2.0])):
        got, unravel = s2sad.ravel(tree)
        np.testing.assert_array_equal(got, flat)
        back = unravel(got * 2)
        assert type(back) is type(tree) and np.array_equal(back.w, [2.0, 4.0])
        np.testing.assert_allclose(s2sad.grad(lambda t: np.sum(s2sad.ravel(t)[0] ** 2))(tree).w,
                                   [2.0, 4.0])


def test_what_is_no_number_rides_along():
    """Strings, bools (masks too), objects and a library's objects are no parameters."""
    scipy_stats = pytest.importorskip("scipy.stats")
    tree = {"w": np.ones(2), "names": np.array(["a", "b"]), "mask": np.array([True, False]),
            "prior": scipy_stats.norm(0.0, 1.0), "boxes": np.array([None, 1], dtype=object)}
    flat, unravel = s2sad.ravel(tree)
    np.testing.assert_array_equal(flat, [1.0, 1.0])
    back = unravel(flat + 1)
    assert back["mask"] is tree["mask"] and back["prior"] is tree["prior"]


def test_a_back_reference_rides_along():
    root = Node(np.ones(2))
    root.children.append(Node(np.zeros(2), parent=root))  # (a cycle: it recursed forever)
    flat, unravel = s2sad.ravel(root)
    np.testing.assert_array_equal(flat, [1.0, 1.0, 0.0, 0.0])
    back = unravel(flat + 1)
    assert back.children[0].parent is root and np.array_equal(back.children[0].w, [1.0, 1.0])
