"""s2sad.ravel: structured parameters to one vector and back."""

from __future__ import annotations

import dataclasses
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
