"""Python's names as Python resolves them, in the code s2sad reads.

Private names mangled by their class (`self.__w` is `self._Model__w`), the
builtin `getattr` with a name known when it runs, a class's own methods
named like a dict's (`keys`, `values`), a class's data read through
`self.__class__`, `*args`/`**kwargs` items a callee does not use, writes of
new keys into copies of a dict, and partials of NumPy functions. Expected
values are written out by hand.
"""

from __future__ import annotations

import functools

import gast
import numpy as np
import pytest

import s2sad
from s2sad.errors import UnsupportedSyntaxError
from s2sad.parsing import mangle_private_names


class Base:
    def __init__(self, w):
        self.__scale = w

    def base_part(self, x):
        return np.sum(self.__scale * x)


class Child(Base):
    def __init__(self, w, c):
        super().__init__(w)
        self.__scale = c

    def forward(self, x):
        return self.base_part(x) + np.sum(self.__scale * x * x)


def two_private_scales(w, c, x):
    return Child(w, c).forward(x)


class Private:
    def __init__(self, w):
        self.__w = w

    def __helper(self, x):
        return self.__w * x

    def forward(self, x):
        return np.sum(self.__helper(x) ** 2)

    @property
    def w(self):
        return self.__w


def private_of_an_argument(m, x):
    return m.forward(x)


def private_made_here(w, x):
    m = Private(w)
    return m.forward(x), m


def test_private_names_are_the_classes_own():
    w, c, x = np.array([1.0, 2.0]), np.array([10.0, 20.0]), np.array([3.0, 4.0])
    value, (dw, dc) = s2sad.value_and_grad(two_private_scales, wrt=(0, 1))(w, c, x)
    assert value == 421.0  # (1*3 + 2*4) + (10*9 + 20*16): Base's and Child's own scales
    np.testing.assert_array_equal(dw, [3.0, 4.0])
    np.testing.assert_array_equal(dc, [9.0, 16.0])
    dx = s2sad.grad(private_of_an_argument, wrt=1)(Private(np.array([1.0, 2.0])), x)
    np.testing.assert_array_equal(dx, [6.0, 32.0])  # 2 w^2 x
    (value, m), dw = s2sad.value_and_grad(private_made_here, has_aux=True)(w, x)
    np.testing.assert_array_equal(dw, [18.0, 64.0])  # 2 w x^2
    np.testing.assert_array_equal(m.w, w)  # (the object's attribute as Python named it)


def test_mangling_follows_pythons_rule():
    tree = gast.parse("def f(self, __a):\n    return self.__w + __a + self.__init__() + "
                      "g(__k=1) + self.__x__\n")
    mangle_private_names(tree.body[0], "_Model.f")
    names = {n.id for n in gast.walk(tree) if isinstance(n, gast.Name)}
    attrs = {n.attr for n in gast.walk(tree) if isinstance(n, gast.Attribute)}
    keywords = {n.arg for n in gast.walk(tree) if isinstance(n, gast.keyword)}
    assert names >= {"_Model__a", "self", "g"} and "__a" not in names
    assert attrs == {"_Model__w", "__init__", "__x__"}
    assert keywords == {"_Model__k"}
    plain = gast.parse("def f(x):\n    return x.__w\n")
    mangle_private_names(plain.body[0], "f")  # (not in a class: as written)
    assert [n.attr for n in gast.walk(plain) if isinstance(n, gast.Attribute)] == ["__w"]
    nested = gast.parse("def helper(y):\n    return y.__w\n")
    mangle_private_names(nested.body[0], "Model.forward.<locals>.helper")
    assert [n.attr for n in gast.walk(nested) if isinstance(n, gast.Attribute)] == \
        ["_Model__w"]


class Pair:
    base = 3.0

    def __init__(self, W, b):
        self.W, self.b = W, b

    def scaled(self, x):
        return np.sum(self.__class__.base * self.W * x)


def attributes_by_name(W, x):
    m = Pair(W, W * 2.0)
    total = 0.0
    for name in ("W", "b"):
        total = total + np.sum(getattr(m, name) ** 2)
    return total + np.sum(getattr(m, "W") * x)  # noqa: B009 (as users write it)


def attributes_in_a_generator(m, x):
    return sum(np.sum(getattr(m, n) * x) for n in ("W", "b"))


def class_data_through_class(W, x):
    return Pair(W, 1.0).scaled(x)


def test_getattr_of_a_name_and_class_data_read_through_the_class():
    W, x = np.array([1.0, 2.0]), np.array([3.0, 5.0])
    # W^2 + (2W)^2 summed, plus W.x: 10 W + x
    np.testing.assert_allclose(s2sad.grad(attributes_by_name)(W, x), [13.0, 25.0])
    value, tangent = s2sad.jvp(attributes_by_name, (W, x), (np.ones(2), np.zeros(2)))
    assert (value, tangent) == (5.0 * 5.0 + 13.0, 10.0 * 3.0 + 8.0)
    np.testing.assert_allclose(s2sad.hessian(attributes_by_name)(W, x), 10.0 * np.eye(2))
    dm = s2sad.grad(attributes_in_a_generator)(Pair(W, 3.0 * W), x)
    np.testing.assert_array_equal(dm.W, x)
    np.testing.assert_array_equal(dm.b, x)
    np.testing.assert_array_equal(s2sad.grad(class_data_through_class)(W, x), 3.0 * x)


class Store:
    def __init__(self, d):
        self._d = d

    def __getitem__(self, k):
        return self._d[k]

    def keys(self):
        return list(self._d)

    def values(self):
        return [self._d[k] for k in self._d]


def by_its_keys(store, x):
    return sum(np.sum(store[k] * x) for k in store.keys())


def by_its_values(store, x):
    total = 0.0
    for v in store.values():
        total = total + np.sum(v * x)
    return total


def made_here(w, x):
    s = Store({"w": w, "b": 2.0 * w})
    return sum(np.sum(v * x) for v in s.values()) + sum(np.sum(s[k]) for k in s.keys())


def test_a_classes_keys_and_values_methods_are_its_own():
    store, x = Store({"w": np.array([0.5, 0.5]), "b": 2.0}), np.array([1.0, 2.0])
    for fn in (by_its_keys, by_its_values):
        np.testing.assert_array_equal(s2sad.grad(fn, wrt=1)(store, x), [2.5, 2.5])
    np.testing.assert_array_equal(s2sad.grad(made_here)(x, x), [6.0, 9.0])  # 3x + 3


def first(*args):
    return args[0] * 2.0


def only_a(**kw):
    return kw["a"] * 2.0


def unused_positional(x):
    return first(x, x * 3.0)


def unused_keyword(x):
    return only_a(a=x, b=x * 3.0)


def unused_item(x):
    return np.sum(first(x[0], x[1]))


def test_arguments_a_callee_does_not_use_have_zero_derivatives():
    for fn in (unused_positional, unused_keyword):
        assert s2sad.grad(fn)(1.5) == 2.0
        assert s2sad.hessian(fn)(1.5) == 0.0
    np.testing.assert_array_equal(s2sad.grad(unused_item)(np.array([1.0, 2.0])), [2.0, 0.0])


def new_key_in_a_copy(params):
    new = dict(params)
    new["extra"] = params["a"] * 2.0
    return np.sum(new["extra"])


def new_key_in_a_method_copy(params):
    new = params.copy()
    new["extra"] = params["a"] * 2.0
    return np.sum(new["extra"])


def new_dict_display(params):
    new = {**params, "extra": params["a"] * 2.0}
    return np.sum(new["extra"] * new["b"])


def test_a_write_into_a_method_copy_of_a_dict_is_refused_and_dict_and_the_display_work():
    params = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}
    with pytest.raises(UnsupportedSyntaxError, match="assigning into a dict") as raised:
        s2sad.grad(new_key_in_a_method_copy)(params)
    assert "d = dict(d)" in raised.value.hint
    grads = s2sad.grad(new_key_in_a_copy)(params)  # (dict(params): a dict made here)
    np.testing.assert_array_equal(grads["a"], [2.0, 2.0])
    np.testing.assert_array_equal(grads["b"], [0.0, 0.0])
    assert params.keys() == {"a", "b"}
    grads = s2sad.grad(new_dict_display)(params)
    np.testing.assert_array_equal(grads["a"], [6.0, 8.0])
    np.testing.assert_array_equal(grads["b"], [2.0, 4.0])


def test_partials_of_numpy_functions_take_the_arguments_they_leave():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(s2sad.jacobian(functools.partial(np.multiply, x))(x),
                                  np.diag(x))
    np.testing.assert_array_equal(s2sad.grad(functools.partial(np.dot, x))(x), x)
    np.testing.assert_array_equal(s2sad.grad(functools.partial(np.sum, axis=0))(x),
                                  np.ones(3))
    value, tangent = s2sad.jvp(functools.partial(np.multiply, x), (x,), (np.ones(3),))
    np.testing.assert_array_equal(value, x * x)
    np.testing.assert_array_equal(tangent, x)
    np.testing.assert_array_equal(
        s2sad.grad(functools.partial(functools.partial(np.dot), x))(x), x)


def total(out, w=2.0):
    return np.sum(out * w)


def calls_a_parameter_named_out(x):
    return total(np.sin(x))


def test_a_users_parameter_named_out_is_an_argument_like_any():
    # (NumPy's `out=` writes into an array; a function of the user's is read as it is)
    x = np.array([0.0, 1.0])
    np.testing.assert_allclose(s2sad.grad(calls_a_parameter_named_out)(x), 2.0 * np.cos(x))


def over_a_copied_dict(x, d):
    e = d.copy()
    t = 0.0
    for k in e:
        t = t + e[k] * x * (k + 1)
    return t


def written_copy_in_forward_mode(x, d):
    e = d.copy()
    e["a"] = x
    return e["a"] * x


def union_with_a_display(x, a):
    d = {"a": a}
    e = d | {"a": x}
    return e["a"] * a


def union_in_place(x, d):
    e = dict(d)
    e |= {"a": x}
    return np.sum(e["a"] * d["a"])


def union_of_arguments(x, d, e):
    m = d | e
    return np.sum(m["a"] * x)


def test_dict_copies_iterate_by_key_and_unions_carry_derivatives():
    d = {0: 1.0, 1: 1.0}
    assert s2sad.value_and_grad(over_a_copied_dict)(2.0, d) == (6.0, 3.0)  # (keys 0 and 1)
    assert s2sad.grad(over_a_copied_dict, wrt=1)(2.0, d) == {0: 2.0, 1: 4.0}
    assert s2sad.jvp(over_a_copied_dict, (2.0, d), (1.0, None)) == (6.0, 3.0)
    with pytest.raises(UnsupportedSyntaxError, match="assigning into a dict"):
        s2sad.jvp(written_copy_in_forward_mode, (0.5, {"a": 1.0}), (1.0, None))
    assert s2sad.grad(union_with_a_display)(2.0, 3.0) == 3.0
    assert s2sad.jvp(union_with_a_display, (2.0, 3.0), (1.0, 0.0)) == (6.0, 3.0)
    a = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(s2sad.grad(union_in_place)(np.ones(3), {"a": a}), a)
    x = np.ones(2)
    np.testing.assert_array_equal(  # (no derivative through the dicts: fine)
        s2sad.grad(union_of_arguments)(x, {"a": np.array([1.0, 2.0])}, {"b": 1.0}), [1.0, 2.0])
    with pytest.raises(UnsupportedSyntaxError, match=r"\{\*\*a, \*\*b\}"):
        s2sad.grad(union_of_arguments, wrt=1)(x, {"a": np.ones(2)}, {"b": 1.0})


class Scaled:
    scale = 2.0
    names = ("a", "b")

    def __init__(self, a, b):
        self.a, self.b = a, b

    def value(self, x):
        return self.__class__.scale * self.a * x

    def total(self, x):
        t = 0.0
        for n in self.names:
            t = t + getattr(self, n) * x
        return t


def class_scale(x, a):
    return Scaled(a, a).value(x)


def over_class_names(x, a):
    return Scaled(a, a * a).total(x)


DOUBLE = lambda v: v * 2.0 + 1.0  # noqa: E731 (a module's lambda, as users write them)


def calls_a_module_lambda(x):
    return np.sum(DOUBLE(x) * x)


def test_class_data_and_module_lambdas_in_forward_mode_and_hessians():
    assert s2sad.jvp(class_scale, (0.5, 1.5), (0.0, 1.0)) == (1.5, 1.0)
    assert s2sad.hessian(class_scale, wrt=1)(0.5, 1.5) == 0.0
    assert s2sad.hessian(over_class_names, wrt=1)(0.5, 1.5) == 1.0  # a x + a^2 x: 2x
    x, v = np.array([1.0, 2.0]), np.array([1.0, 0.0])
    value, tangent = s2sad.jvp(calls_a_module_lambda, (x,), (v,))
    assert (value, tangent) == (3.0 * 1.0 + 5.0 * 2.0, 4.0 * 1.0 + 1.0)  # (2x + 1) x


class Settings:
    weights = np.array([1.0, 2.0])
    scale = 2.0


def reads_class_data(x):
    return np.sum(x * Settings.weights) * Settings.scale


def test_a_pullback_refuses_class_data_changed_after_vjp():
    saved = Settings.weights.copy()
    try:
        for change in (lambda: Settings.weights.__setitem__(1, 100.0),
                       lambda: setattr(Settings, "scale", 3.0)):
            Settings.weights, Settings.scale = saved.copy(), 2.0
            _, pullback = s2sad.vjp(reads_class_data, np.ones(2))
            np.testing.assert_array_equal(pullback(1.0)[0], [2.0, 4.0])
            _, pullback = s2sad.vjp(reads_class_data, np.ones(2))
            change()
            with pytest.raises(s2sad.S2sadError, match=r"Settings\.\w+, which the function reads"):
                pullback(1.0)
    finally:
        Settings.weights, Settings.scale = saved, 2.0


def through_a_default_module(x, mod=np):
    return np.sum(mod.reshape(x, (3,)) ** 2)


class Namespace:
    def __init__(self):
        self.xp = np


def through_an_attribute_module(x, cfg):
    return np.sum(cfg.xp.take(x, [0, 2]) ** 2)


def test_a_module_read_as_an_arrays_method_is_refused_never_a_zero():
    # (`mod.reshape(x, s)` is read as an array's method, whose rule takes x for s)
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(s2sad.NoAdjointError, match="a function of the module numpy"):
        s2sad.grad(through_a_default_module)(x)
    with pytest.raises(s2sad.NoAdjointError, match="a function of the module numpy"):
        s2sad.grad(through_an_attribute_module)(x, Namespace())
    np.testing.assert_array_equal(s2sad.grad(through_a_default_module)(x, np), 2.0 * x)
