"""Objects of the user's classes where s2sad's spelling rules expect arrays.

`o.mean()`, `o.shape`, `o[i]`, `np.asarray(o)`, `float(o)` and `list(o)` read
as NumPy's operations by their names; on an object of the user's class they
are its own method, property or special method, and NumPy's derivative rule
gave zeros, silently (found by an outside tester). Objects the function makes
and objects passed as arguments are now called as what they are; any other
value that may be one is checked where it runs (`receivers.py`): an error at
the user's line, never a zero.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
import pytest

import s2sad
from s2sad import pipeline
from s2sad.analysis import analyze
from s2sad.ir import walk
from s2sad.lowering import lower
from s2sad.parsing import parse_function
from s2sad.receivers import check_receivers


class Gamma:
    def __init__(self, shape, rate):
        self.shape = shape
        self.rate = rate


@dataclasses.dataclass
class GammaFields:
    shape: float
    rate: float


class GammaTuple(NamedTuple):
    shape: float
    rate: float


def gamma_made_here(a, b):
    g = Gamma(a, b)
    return g.shape * g.rate


def gamma_passed_in(g):
    return g.shape * g.rate + g.shape ** 2


class Normal:
    def __init__(self, mu, sigma):
        self.mu = mu
        self.sigma = sigma

    def mean(self):
        return self.mu

    def sum(self):
        return self.mu + self.sigma


def normal_made_here(mu, sigma):
    return Normal(mu, sigma).mean() ** 2 + Normal(mu, sigma).sum() * sigma


def normal_passed_in(d):
    return d.mean() ** 2 + d.sum()


class Scaled:
    def __init__(self, data, scale):
        self.data = data
        self.scale = scale

    @property
    def shape(self):
        return self.data.shape

    def __getitem__(self, i):
        return self.scale * self.data[i]


def indexed_object(w):
    s = Scaled(w, 3.0)
    return s[0] * s[1] + s[2] + s.shape[0]


class Grid:
    def __init__(self, n):
        self.data = np.zeros(n)

    def __setitem__(self, i, v):
        d = self.data.copy()
        d[i] = 2.0 * v
        self.data = d

    def __getitem__(self, i):
        return self.data[i]


def item_set_on_an_object(w):
    b = Grid(2)
    b[0] = w[0] ** 2
    b[1] = w[1]
    return b[0] + b[1]


def test_attributes_named_like_numpys_are_the_objects():
    assert s2sad.grad(gamma_made_here, wrt=(0, 1))(2.0, 3.0) == pytest.approx((3.0, 2.0))
    for cls in (Gamma, GammaFields, GammaTuple):
        g = s2sad.grad(gamma_passed_in)(cls(2.0, 3.0))
        assert (g.shape, g.rate) == pytest.approx((3.0 + 4.0, 2.0)), cls


def test_methods_named_like_ndarrays_are_the_classes():
    assert s2sad.grad(normal_made_here, wrt=(0, 1))(1.5, 0.5) == pytest.approx(
        (3.0 + 0.5, 1.5 + 2 * 0.5))
    g = s2sad.grad(normal_passed_in)(Normal(1.5, 0.5))
    assert (g.mu, g.sigma) == pytest.approx((4.0, 1.0))
    value, tangent = s2sad.jvp(normal_passed_in, (Normal(1.5, 0.5),), ({"mu": 1.0, "sigma": 0.0},))
    assert (value, tangent) == pytest.approx((2.25 + 2.0, 4.0))


def test_an_objects_getitem_and_setitem_are_its_own():
    w = np.array([1.0, 2.0, 5.0])
    np.testing.assert_allclose(s2sad.grad(indexed_object)(w), [18.0, 9.0, 3.0])
    w2 = np.array([0.4, -1.2])
    np.testing.assert_allclose(s2sad.grad(item_set_on_an_object)(w2), [1.6, 2.0])


class Holder:
    def __init__(self, d):
        self.d = d


def method_of_an_objects_attribute(mu):
    return Holder(Normal(mu, 1.0)).d.mean() ** 2


def method_of_a_list_item(mu):
    return [Normal(mu, 1.0), Normal(2 * mu, 1.0)][1].mean() ** 2


class Wrap:
    def __init__(self, a):
        self.a = a

    def __array__(self, dtype=None, copy=None):
        return 2.0 * self.a


class Reading:
    def __init__(self, a):
        self.a = a

    def __float__(self):
        return float(np.sum(self.a))


class Bag:
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        return iter(self.items)


def through_array_protocol(w):
    return np.sum(np.asarray(Wrap(w)) ** 2)


def through_float(w):
    return float(Reading(w)) * 2.0


def through_iteration(w):
    return np.sum(list(Bag([w, 3 * w]))[1])


@pytest.mark.parametrize("f, x, what", [
    (method_of_an_objects_attribute, 1.5, r"\.mean\(\) here is Normal's own"),
    (method_of_a_list_item, 1.5, r"\.mean\(\) here is Normal's own"),
    (through_array_protocol, np.array([0.4, -1.2]), r"np\.asarray\(\.\.\.\) here is Wrap's"),
    (through_float, np.array([0.4, -1.2]), r"float\(\.\.\.\) here is Reading's"),
    (through_iteration, np.array([0.4, -1.2]), r"list\(\.\.\.\) here is Bag's"),
])
def test_objects_the_analysis_cannot_see_are_refused_not_zeros(f, x, what):
    with pytest.raises(s2sad.NoAdjointError, match=what):
        s2sad.grad(f)(x)
    with pytest.raises(s2sad.NoAdjointError, match=what):
        s2sad.jvp(f, (x,), (np.ones_like(x),))


def sums_its_argument(x, y):
    return x.sum() * np.sum(y.T) + x.shape[0]


def placed_checks(f, wrt, args):
    kinds = pipeline.argument_kinds(f, args)
    fn = lower(parse_function(f), objects=kinds[4]).function
    facts = analyze(fn, wrt, kinds[0], kinds[1], kinds[3])
    placed = check_receivers(fn, facts, kinds[4])
    checks = [s for s in walk(fn.body) if getattr(s, "prim", None) == "check_receiver"]
    assert placed == len(checks)
    return [(s.args[0].hint, s.args[1].value) for s in checks]


def test_the_checks_are_placed_only_where_a_value_may_be_an_object():
    """IR in and out: none for arguments that are arrays or numbers at this
    call; one before `.mean()` of an object's attribute, none for the
    object made here (its own method is called)."""
    x = np.array([1.0, 2.0])
    assert placed_checks(sums_its_argument, (0, 1), (x, x)) == []
    assert placed_checks(method_of_an_objects_attribute, (0,), (1.5,)) == [("", ".mean()")]
    assert placed_checks(normal_made_here, (0, 1), (1.5, 0.5)) == []


class SumIsProduct(np.ndarray):
    def sum(self, *args, **kwargs):
        return np.prod(np.asarray(self))


class DoublingDict(dict):
    def __getitem__(self, key):
        return 2 * dict.__getitem__(self, key)


class DoublingTuple(GammaTuple):
    def __getitem__(self, i):
        return 2 * tuple.__getitem__(self, i)


def test_subclasses_overriding_their_bases_methods_are_refused():
    # (their overrides ran, NumPy's or the container's rule gave the derivative)
    cases = [(lambda x: x.sum(), np.array([2.0, 3.0, 5.0]).view(SumIsProduct)),
             (lambda p: p["w"] ** 2, DoublingDict(w=3.0)),
             (lambda p: p[0] * p.rate, DoublingTuple(2.0, 3.0))]
    for f, arg in cases:
        with pytest.raises(s2sad.ArgumentTypeError, match="overrides"):
            s2sad.grad(f)(arg)
    # (a library's dict, a namedtuple with methods of its own: as before)
    import collections
    assert s2sad.grad(lambda p: p["w"] ** 2)(collections.OrderedDict(w=3.0)) == {"w": 6.0}
    assert s2sad.grad(lambda p: p.shape * p.rate)(GammaTuple(2.0, 3.0)) == (3.0, 2.0)


def lists_and_dicts_of_arrays(params, xs):
    h = xs[0]
    for x in xs[1:]:
        h = np.tanh(params["W"] @ h + x)
    return np.sum(h) + sum([np.sum(p) for p in params.values()])


def test_plain_containers_of_arrays_get_no_checks():
    rng = np.random.default_rng(2)
    params = {"W": rng.standard_normal((3, 3)), "b": rng.standard_normal(3)}
    xs = [rng.standard_normal(3) for _ in range(4)]
    source = str(s2sad.show(lists_and_dicts_of_arrays, args=(params, xs)))
    assert "check_receiver" not in source, source
    g = s2sad.grad(lists_and_dicts_of_arrays)(params, xs)
    expected = s2sad.numerical_gradient(lists_and_dicts_of_arrays, (params, xs), 0)
    np.testing.assert_allclose(g["W"], expected["W"], rtol=1e-6)


# ---------------------------------------------------------------- objects the code names


class _Table:
    def __getitem__(self, t):
        return 2.0 * np.sin(t)


class _Scale:
    def __rmul__(self, t):
        return 2.0 * np.sin(t)

    def __radd__(self, t):
        return 2.0 * np.sin(t)


TABLE_OBJECT = _Table()
SCALE_OBJECT = _Scale()
MATRIX = np.matrix([[2.0, 1.0], [0.0, 3.0]])


def _indexes_global_table(x):
    return np.sum(TABLE_OBJECT[x])


def _multiplies_global_scale(x):
    return np.sum(x * SCALE_OBJECT)


def _adds_global_scale(x):
    return np.sum(x + SCALE_OBJECT)


def _r_features(x):
    return np.sum(np.r_[1.0, x, x ** 2] ** 2)


def _c_columns(x):
    return np.sum(np.c_[x, x ** 2] @ np.array([1.0, 1.0]))


def _global_matrix(x):
    return np.sum(np.asarray(MATRIX @ x) ** 2)


def _passed_table(tab, x):
    return np.sum(tab[x])


def _r_of_constants(x):
    return np.sum(np.r_[0:3] * x)


def test_an_object_the_code_names_is_refused_where_its_own_code_meets_a_derivative():
    # (an outside review: each gave a zero or a wrong gradient, silently)
    x = np.array([0.1, 0.2])
    for fn, match in [(_indexes_global_table, "TABLE_OBJECT, an object of class _Table"),
                      (_multiplies_global_scale, "SCALE_OBJECT"),
                      (_adds_global_scale, "SCALE_OBJECT"),
                      (_r_features, r"np.r_\[...\]"), (_c_columns, r"np.c_\[...\]"),
                      (_global_matrix, "np.matrix")]:
        for transform in (lambda f: s2sad.grad(f)(x), lambda f: s2sad.jvp(f, (x,), (x,)),
                          lambda f: s2sad.hessian(f)(x)):
            with pytest.raises(s2sad.NoAdjointError, match=match) as info:
                transform(fn)
            assert "test_object_receivers.py" in str(info.value)
    # the object passed in is followed; np.r_ of constants is only an array
    np.testing.assert_allclose(s2sad.grad(_passed_table, wrt=1)(_Table(), x), 2 * np.cos(x))
    np.testing.assert_allclose(s2sad.grad(_r_of_constants)(np.ones(3)), [0.0, 1.0, 2.0])
