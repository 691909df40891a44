"""Calls of every kind (issue 9): function values, every signature, objects as
differentiable containers, generators, module-valued names, and every callable
handed to the API. Every gradient is compared with central finite differences
(`s2sad.check_grad`, or `fd` below for structured arguments); tangents with
`s2sad.jvp` against the same differences.

The programs in tests/corpus/ exercise the same features in larger programs;
these are the small cases each path is pinned by, and the regressions found
while building them.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections import namedtuple
from typing import Any

import numpy as np
import pytest

import s2sad

X = np.array([0.3, -0.2, 0.5, 0.1])
Y = np.array([1.0, 2.0, 0.7, -0.4])


def fd_jvp(f, x: np.ndarray, t: np.ndarray, eps: float = 1e-6) -> float:
    return (f(x + eps * t) - f(x - eps * t)) / (2 * eps)


def check_both(f, x: np.ndarray = X) -> None:
    """Reverse mode and forward mode against finite differences."""
    s2sad.check_grad(f, x)
    t = np.linspace(0.5, -0.5, x.size).reshape(x.shape) + 0.1
    value, tangent = s2sad.jvp(f, (x,), (t,))
    assert np.isclose(value, f(x))
    assert np.isclose(tangent, fd_jvp(f, x, t), rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------- function values


def apply_all(x, fs=(np.sin, np.cos, lambda u: u * u)):
    total = 0.0
    for g in fs:
        total = total + np.sum(g(x))
    return total


def nonlinearity_default(x, nonlinearity=np.tanh):
    return np.sum(nonlinearity(x * 2.0))


def with_act_argument(x, act):
    return np.sum(act(x) * x)


def make_scaler(s):
    def scale(v):
        return v * s
    return scale


def returned_function(x):
    f = make_scaler(np.sum(x))
    return np.sum(f(x) ** 2)


def score(theta, batch):
    return np.sum(np.tanh(theta * batch))


def mapped_partial(x):
    batches = [Y, Y * 0.5, Y - 1.0]
    return sum(map(functools.partial(score, x), batches))


def reduced(x):
    parts = [x * k for k in range(1, 4)]
    return np.sum(functools.reduce(operator.mul, parts))


def reduced_importing(x):
    import functools  # (imported in the function: reduce, map and filter as at module level)
    from functools import reduce
    parts = [x * k for k in range(1, 4)]
    return np.sum(functools.reduce(operator.mul, parts)) + reduce(lambda u, v: u * v + 1.0,
                                                                   list(x), 1.0)


def mapped_importing(x):
    import builtins
    return sum(builtins.map(lambda u: u * u, list(x))) + sum(builtins.filter(None, x * 2.0))


def keyed(x):
    items = [x[0] * 2.0, x[1] - 1.0, x[2] ** 2]
    lo = min(items, key=lambda v: abs(v))
    hi = max(items, key=abs)
    return lo * 3.0 + hi + sum(sorted(items, key=lambda v: -v)[:2])


def filtered(x):
    return sum(filter(lambda v: v > 0, x * 1.5))


@pytest.mark.parametrize("f", [apply_all, nonlinearity_default, returned_function,
                               mapped_partial, reduced, reduced_importing, mapped_importing,
                               keyed, filtered],
                         ids=lambda f: f.__name__)
def test_function_values(f):
    check_both(f)


@pytest.mark.parametrize("act", [np.tanh, np.sin, lambda u: u ** 3, make_scaler(2.0)],
                         ids=["tanh", "sin", "lambda", "closure"])
def test_a_function_passed_as_an_argument(act):
    s2sad.check_grad(with_act_argument, X, act)


# ---------------------------------------------------------------- signatures


def layer(weights, *inputs, scale=1.0, **extra):
    total = sum(np.tanh(weights * v) for v in inputs) * scale
    return total + sum(extra.values())


def uses_layer(x):
    args = (x, Y)
    opts = {"scale": 0.5, "bias": np.sum(x)}
    return np.sum(layer(x, *args, **opts))


def posonly(a, b, /, c, *, d):
    return a * b + c * d


def uses_posonly(x):
    return np.sum(posonly(x, Y, c=x ** 2, d=2.0))


def many(*xs):
    return np.sum(xs[0] * xs[1]) + np.sum(xs[1] ** 2)


def keywords_only(x, *, scale, shift=1.0):
    return np.sum(scale * x ** 2 + shift * x)


@pytest.mark.parametrize("f", [uses_layer, uses_posonly], ids=lambda f: f.__name__)
def test_signatures(f):
    check_both(f)


def test_wrt_counts_the_callers_positional_arguments():
    assert np.allclose(s2sad.grad(many, wrt=1)(X, Y), X + 2 * Y)
    s2sad.check_grad(many, X, Y, wrt=(0, 1))


def test_wrt_by_keyword_name():
    g = s2sad.grad(keywords_only, wrt=("scale", "shift"))(X, scale=2.0, shift=0.5)
    assert np.allclose(g, (np.sum(X ** 2), np.sum(X)))
    assert np.isclose(s2sad.grad(keywords_only, wrt="shift")(X, scale=2.0), np.sum(X))


# ---------------------------------------------------------------- callables handed to the API


class Model:
    def __init__(self, w):
        self.w = w

    def loss(self, x):
        return np.sum(np.tanh(self.w * x))

    def __call__(self, x):
        return np.sum(self.w * x ** 2)

    @staticmethod
    def cubic(x):
        return np.sum(x ** 3)

    @classmethod
    def scaled(cls, x):
        return np.sum(x ** 3) * 2.0


def two(a, b):
    return np.sum(np.sin(a) * b)


MODEL = Model(Y)
CALLABLES = {
    "bound": MODEL.loss, "callable object": MODEL, "staticmethod": Model.cubic,
    "classmethod": Model.scaled, "partial": functools.partial(two, b=Y),
    "lambda": lambda x: np.sum(x ** 2), "ufunc over a sum": np.sum,
}


@pytest.mark.parametrize("name", list(CALLABLES))
def test_every_callable_through_every_transform(name):
    f = CALLABLES[name]
    check_both(f)
    value, g = s2sad.value_and_grad(f)(X)
    _, pullback = s2sad.vjp(f, X)
    assert np.allclose(pullback(1.0)[0], g)
    assert np.allclose(s2sad.jacobian(f)(X), g)
    assert "def " in s2sad.show(f)


def test_a_bound_method_does_not_differentiate_self():
    g = s2sad.grad(MODEL.loss)(X)
    assert isinstance(g, np.ndarray) and g.shape == X.shape


def test_a_bound_methods_object_when_asked():
    g = s2sad.grad(MODEL.loss, wrt="self")(X)
    assert type(g) is Model
    eps = 1e-6
    for i in range(Y.size):
        step = np.eye(Y.size)[i] * eps
        fd = (Model(Y + step).loss(X) - Model(Y - step).loss(X)) / (2 * eps)
        assert np.isclose(g.w[i], fd, atol=1e-7)


def test_a_ufunc_is_a_function():
    assert np.isclose(s2sad.grad(np.sin)(0.3), np.cos(0.3))
    assert "np.sqrt" in s2sad.show(np.sqrt)


# ---------------------------------------------------------------- objects


Params = namedtuple("Params", "w b")


@dataclasses.dataclass
class Hypers:
    w: np.ndarray
    b: float


class Plain:
    def __init__(self, w, b):
        self.w = w
        self.b = b


def net(p, x):
    return np.sum(np.tanh(p.w * x + p.b))


def fd(f, p, x, eps=1e-6) -> dict:
    """Central differences over each field of p (arrays and floats)."""
    out = {}
    for name in ("w", "b"):
        value = getattr(p, name)
        flat = np.array(value, dtype=float).ravel()
        grad = np.zeros_like(flat)
        for i in range(flat.size):
            for sign in (1, -1):
                moved = flat.copy()
                moved[i] += sign * eps
                new = moved.reshape(np.shape(value)) if np.ndim(value) else float(moved[0])
                q = _replace(p, name, new)
                grad[i] += sign * f(q, x) / (2 * eps)
        out[name] = grad.reshape(np.shape(value)) if np.ndim(value) else float(grad[0])
    return out


def _replace(p, name: str, value: Any) -> Any:
    if isinstance(p, tuple):
        return p._replace(**{name: value})
    if dataclasses.is_dataclass(p):
        return dataclasses.replace(p, **{name: value})
    q = Plain(p.w, p.b)
    setattr(q, name, value)
    return q


@pytest.mark.parametrize("kind", [Params, Hypers, Plain], ids=lambda k: k.__name__)
def test_objects_are_differentiable_containers(kind):
    """The gradient is an object of the argument's type with gradients in its
    fields (a plain object's: a new object of its class, its attributes set)."""
    p = kind(Y.copy(), 0.25)
    g = s2sad.grad(net)(p, X)
    assert type(g) is kind
    expected = fd(net, p, X)
    assert np.allclose(g.w, expected["w"], atol=1e-6) and np.isclose(g.b, expected["b"])


class Affine:
    def __init__(self, a, b):
        self.a = a
        self.b = b
        self.calls = 0

    def apply(self, x):
        return self.a * x + self.b


def built_inside(x):
    layer_ = Affine(x, 1.0)
    layer_.b = np.sum(x)
    layer_.calls += 1
    return np.sum(layer_.apply(Y) ** 2) * layer_.calls


class Counting(Affine):
    def apply(self, x):
        self.calls += 1  # (a write to an object its caller made)
        return self.a * x + self.b


def counts_in_a_method(x):
    return np.sum(Counting(x, 1.0).apply(Y))


def test_a_method_writing_to_its_object_made_here_is_followed():
    """A method setting attributes of an object the caller made is an
    updating call (test_updating_methods.py); of an object from outside it is
    refused: its owner may read them."""
    s2sad.check_grad(counts_in_a_method, X)
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="sets an attribute of its object"):
        s2sad.grad(lambda c, x: np.sum(c.apply(x)), wrt=1)(Counting(X, 1.0), X)


class Poly:
    def __init__(self, coefficients):
        self.c = dict(coefficients)

    def __call__(self, t):
        return sum(c * t ** k for k, c in self.c.items())


def function_object_from_dict(x):
    p = Poly({0: x[0], 1: x[1], 2: x[2] * x[3]})
    return p(0.7) + p(x[0])


def records_changed(x):
    p = Params(x, 0.5)
    q = p._replace(b=np.sum(x ** 2))
    h = dataclasses.replace(Hypers(x, 1.0), w=x * Y)
    return np.sum(q.w * q.b) + np.sum(h.w) * h.b


def dicts_and_zips(x):
    d = dict(a=x, b=Y)
    e = dict(d, b=2 * x)
    pairs = list(zip(x, Y))
    counted = list(enumerate(x))
    return np.sum(e["a"] * e["b"]) + sum(a * b for a, b in pairs) + sum(i * v for i, v in counted)


@pytest.mark.parametrize("f", [built_inside, function_object_from_dict, records_changed,
                               dicts_and_zips], ids=lambda f: f.__name__)
def test_objects_built_inside(f):
    check_both(f)


# ---------------------------------------------------------------- generators


def sample(x, n):
    for k in range(n):
        yield x * (k + 1)


def consumes_generators(x):
    a = sum(np.sum(s) for s in sample(x, 3))
    b = list(sample(x, 2))[1]
    total = 0.0
    for s in sample(x ** 2, 2):
        total = total + np.sum(s)
    return a + np.sum(b) + total


def generator_expressions(x):
    a = sum(v ** 2 for v in x)
    b = min(v * 1.5 for v in x) + max(np.sin(v) for v in x)
    c = np.sum(np.array([v * 2 for v in x])) if any(v > 0 for v in x) else 0.0
    d = np.sum(np.stack(tuple(x * k for k in range(3))))
    e = sum(tuple(v * 3 for v in x))
    f = np.sum(np.array(list(v ** 3 for v in x)))
    return a + b + c + d + e + f


def first_or_rest(x, n):
    if n == 0:
        yield x
        return  # (the list of what it yielded; the other side falls off the end)
    yield np.sin(x)
    yield x * x


class ScaledEarly:
    def __init__(self, x, double):
        self.x = x
        if double:
            self.y = 2.0 * x
            return  # (an early return from a constructor: the object)
        self.y = np.cos(x)


def early_returns(x):
    gens = sum(np.sum(v) for v in first_or_rest(x, 0)) + \
        sum(np.sum(v) for v in first_or_rest(x, 1))
    return gens + np.sum(ScaledEarly(x, True).y * ScaledEarly(x, False).y)


@pytest.mark.parametrize("f", [consumes_generators, generator_expressions, early_returns],
                         ids=lambda f: f.__name__)
def test_generators(f):
    check_both(f)


# ---------------------------------------------------------------- module-valued names


def array_namespace(*arrays):
    return np


def logsumexp(a, axis=None):
    xp = array_namespace(a)
    m = xp.max(a, axis=axis, keepdims=True)
    return xp.squeeze(m, axis=axis) + xp.log(xp.sum(xp.exp(a - m), axis=axis))


def namespace_pattern(x):
    return logsumexp(x, axis=0) + np.sum(logsumexp(np.stack([x, 2 * x]), axis=0))


def module_argument(x, xp):
    return xp.sum(xp.exp(x), axis=0) + xp.linalg.norm(x)


def module_default(x, xp=np):
    return xp.sum(xp.tanh(x), axis=0)


def test_module_valued_names():
    check_both(namespace_pattern)
    check_both(module_default)
    s2sad.check_grad(module_argument, X, np)


# ---------------------------------------------------------------- regressions


def transport(u, c, n=2):
    for _ in range(n):
        u = u - c * (u - np.roll(u, 1))
    return u


def advect(u, c):
    for _ in range(3):
        u = transport(u, c)
        u -= 0.5 * c * u
        u *= 0.9
    return np.sum(u ** 2)


def test_an_update_after_a_call_returning_a_fresh_array_is_not_refused():
    """`u = transport(u, ...)` then `u -= ...`: transport returns a new array,
    so the update does not reach the caller's `u` (once refused as aliasing)."""
    s2sad.check_grad(advect, X, 0.3, wrt=(0, 1))


def shape_changing_carry(x):
    v = x[0]
    for i in range(3):
        w = v
        v = v * x if i == 0 else v[1:] * 1.5
    return np.sum(v) + np.sum(w)


def shape_changing_reads(x):
    v = x
    total = 0.0
    for _ in range(3):
        total = total + np.sum(v ** 2)
        v = v[1:] * v[:-1]
    return total + np.sum(v)


@pytest.mark.parametrize("f", [shape_changing_carry, shape_changing_reads],
                         ids=lambda f: f.__name__)
def test_a_loop_carried_value_changing_shape_read_after_the_loop(f):
    """A carried value nothing reads in an iteration gets a zero adjoint shaped
    like its value then, not like its last value (once a broadcast error)."""
    check_both(f)


def power_iteration(matvec, v0, n_iter=5):
    v = v0 / np.linalg.norm(v0)
    for _ in range(n_iter):
        w = matvec(v)
        v = w / np.linalg.norm(w)
    return v @ matvec(v)


def array_method_value(a, v0):
    ata = a.T @ a
    return power_iteration(ata.dot, v0)


def test_an_arrays_bound_method_as_a_value_carries_the_array():
    """`ata.dot` passed as a function: its derivative is ata's (once dropped
    as inert, which crashed the adjoint of the matrix product)."""
    a = np.diag([1.5, 0.7, 0.3]) + 0.1
    s2sad.check_grad(array_method_value, a, np.ones(3))


def appends_with_numpy(x):
    v = x
    for _ in range(2):
        v = np.append(v, v[-1] * 0.5)
    return np.sum(v)


def dict_keys_as_numbers(x):
    c = {0: x[0], 1: x[1], 2: x[2]}
    total = 0.0
    for k, v in c.items():
        total = total + v * x[0] ** k
    return total + sum(kw * 0.5 for kw in c.keys()) * x[3]


def dict_views_as_values(x, **kw):
    d = {"a": x, "b": x * 2}
    return np.sum(sum(kw.values())) + np.sum(sum(d.values()) ** 2) + \
        sum(np.sum(v) * len(k) for k, v in d.items())


def test_dict_keys_have_no_tangent():
    """Forward mode through `for k, v in d.items()` with k used as a number:
    the keys of the tangent dict are keys, not tangents (once a wrong jvp)."""
    check_both(dict_keys_as_numbers)


def test_dict_views_as_values():
    check_both(lambda x: dict_views_as_values(x, p=x ** 2, q=3.0))


def test_a_module_function_named_append_in_a_loop_is_not_a_list():
    """`np.append(...)` in a loop body made `np` a loop-carried list (and then
    None); it is NumPy's function, differentiated by its rule."""
    check_both(appends_with_numpy)
    # (v gains v[-1] / 2 and then v[-1] / 4: the last entry counts 1 + 1/2 + 1/4)
    np.testing.assert_allclose(s2sad.grad(appends_with_numpy)(X).ravel()[-1], 1.75)


NAMESPACE: dict = {}
exec("def no_source(v):\n    return v * 2\n", NAMESPACE)  # noqa: S102 (a function without source)


def calls_no_source(x):
    return np.sum(NAMESPACE["no_source"](x))


def calls_vectorized(x):
    f = np.frompyfunc(np.sin, 1, 1)
    return np.sum(f(x).astype(float))


def test_a_callee_without_source_or_rule_is_named_at_the_users_line():
    with pytest.raises(s2sad.NoAdjointError) as info:
        s2sad.grad(calls_vectorized)(X)
    assert "custom_vjp" in str(info.value) and "s2sad.defvjp" in str(info.value)
    assert "test_callables.py" in str(info.value)
    no_source = NAMESPACE["no_source"]

    def direct(x):
        return np.sum(no_source(x))
    with pytest.raises(s2sad.NoAdjointError, match="source s2sad cannot read") as info:
        s2sad.grad(direct)(X)
    assert "no_source" in str(info.value) and "s2sad.defvjp" in str(info.value)


# ---------------------------------------------------------------- more of Python's call syntax


def three(x):
    return x, x * 2, np.sin(x)


def starred_targets(x):
    first, *rest = three(x)
    *init, last = [x[0], x[1], x[2] * 3]
    p, *mid, q = (x, x ** 2, x ** 3, np.cos(x))
    return np.sum(first + rest[0] * rest[1]) + sum(init) * last + np.sum(p * q + mid[0] * mid[1])


def enumerate_from(x):
    s = 0.0
    for i, v in enumerate(x, start=1):
        s = s + i * v * v
    pairs = list(enumerate(x, start=2))
    return s + sum(i * v for i, v in pairs)


def merged_dicts(x):
    p = {"w": x, "b": 0.5}
    d = {**p, "b": 2.0 * x[0], "c": x[1]}
    e = {"z": x[2], **d}
    return np.sum(d["w"]) * d["b"] + e["z"] * e["c"]


def mapping_get(x):
    p = {"w": x, "b": x[0]}
    return np.sum(p.get("w") * p.get("c", 2.0)) + p.get("b", x[1]) * p.get("q", x[2])


@pytest.mark.parametrize("f", [starred_targets, enumerate_from, merged_dicts, mapping_get],
                         ids=lambda f: f.__name__)
def test_more_call_syntax(f):
    check_both(f)


def options_with_defaults(p):
    return np.sum(p["w"] ** 2) * p.get("scale", 1.5) + p.get("b", 0.0)


def test_get_on_a_dict_argument():
    g = s2sad.grad(options_with_defaults)({"w": X, "b": 0.25})
    assert np.allclose(g["w"], 2 * X * 1.5) and np.isclose(g["b"], 1.0)


# ---------------------------------------------------------------- second derivatives


def hessian_fd(f, x: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    """Central differences of s2sad's gradient (itself checked above)."""
    rows = [(s2sad.grad(f)(x + e) - s2sad.grad(f)(x - e)) / (2 * eps)
            for e in np.eye(x.size) * eps]
    return np.array(rows)


class Tanh:
    def __init__(self, w):
        self.w = w

    def __call__(self, x):
        return np.tanh(self.w * x)


def waves(x, n):
    for k in range(n):
        yield np.sin(x * (k + 1))


def total(*xs, **kw):
    return sum(xs) * kw["s"]


SECOND = [
    lambda x: np.sum(functools.partial(lambda a, b: a * np.sin(b), x)(x)),
    lambda x: np.sum(Tanh(x)(x ** 2)),
    lambda x: np.sum(sum(waves(x, 3))),
    lambda x: np.sum(np.sin(Params(x, x[0]).w) * x[0] + Hypers(x * 2, x[1]).w * x[1]),
    lambda x: np.sum(total(*(x, x ** 2), s=x[0])),
    module_default,
    lambda x: sum(map(lambda v: v ** 3, x)) + max(x, key=lambda v: v ** 2),
]


@pytest.mark.parametrize("k", range(len(SECOND)))
def test_hessians_through_calls_of_every_kind(k):
    f = SECOND[k]
    assert np.allclose(s2sad.hessian(f)(X), hessian_fd(f, X), atol=1e-5)


# ---------------------------------------------------------------- properties, zip(*rows)


class Scale:
    def __init__(self, log_s):
        self.log_s = log_s

    @property
    def scale(self):
        return np.exp(self.log_s)

    @functools.cached_property
    def inverse(self):
        return np.exp(-self.log_s)


def through_properties(x):
    s = Scale(x * 0.5)
    return np.sum(s.scale * x) + np.sum(s.inverse)


def property_of_argument(p, x):
    return np.sum(p.scale * x)


def columns(x):
    pairs = [(x[0], x[1]), (x[2], x[3]), (x[1], x[2])]
    a, b = zip(*pairs)
    return sum(a) * sum(b) + np.sum(np.array(list(zip(*[x, x ** 2]))))


@pytest.mark.parametrize("f", [through_properties, columns], ids=lambda f: f.__name__)
def test_properties_and_transposed_zips(f):
    """A property's value is its getter's: the derivative goes through it
    (once dropped silently, as if it were a stored attribute)."""
    check_both(f)


def test_the_gradient_of_an_object_through_its_property():
    g = s2sad.grad(property_of_argument)(Scale(Y * 0.3), X)
    assert type(g) is Scale and np.allclose(g.log_s, X * np.exp(Y * 0.3))


def test_second_derivatives_through_a_property_are_refused():
    with pytest.raises(s2sad.S2sadError, match="through the property"):
        s2sad.hessian(through_properties)(X)


class Slotted:
    __slots__ = ("w", "b")

    def __init__(self, w, b):
        self.w = w
        self.b = b


class Delegating:
    def __init__(self, params):
        self.params = params

    def __getattr__(self, name):
        if name == "params":
            raise AttributeError(name)
        return self.params[name]


class Constants:
    EPS = 0.5

    def __init__(self, w):
        self.w = w

    @classmethod
    def make(cls, w):
        return cls(w)


def weighted(p, x):
    return np.sum(p.w * x) * p.b


def reads_w(p, x):
    return np.sum(p.w * x)


def class_data(p, x):
    return np.sum(p.w * x) * p.EPS + np.sum(p.make(x).w)


def test_objects_with_slots_get_their_slots_gradients():
    """(their gradient once came back empty: only __dict__ was read)"""
    g = s2sad.grad(weighted)(Slotted(X, 0.5), X)
    assert type(g) is Slotted and np.allclose(g.w, X * 0.5) and np.isclose(g.b, np.sum(X * X))


def test_an_attribute_computed_by_getattr_is_refused():
    """`__getattr__` computes p.w from p.params: a derivative given to .w would
    be lost (it was: a zero gradient), so it is refused."""
    with pytest.raises(s2sad.NoAdjointError, match="computed when read"):
        s2sad.grad(reads_w)(Delegating({"w": X}), X)


def test_class_data_and_classmethods_read_through_an_object():
    g = s2sad.grad(class_data)(Constants(Y), X)
    assert type(g) is Constants and np.allclose(g.w, X * 0.5)
    check_both(lambda x: class_data(Constants(x), x))


# ---------------------------------------------------------------- inheritance


class Layer:
    def __init__(self, w):
        self.w = w

    def f(self, x):
        return np.tanh(self.w * x)


class Biased(Layer):
    def __init__(self, w, b):
        super().__init__(w)
        self.b = b

    def f(self, x):
        return super().f(x) + self.b


class Scaled(Biased):
    def __init__(self, w):
        Biased.__init__(self, w * 2, b=w[0])
        self.c = 3.0

    def f(self, x):
        return super().f(x) * self.c


class Inherited(Layer):
    pass


class NoBase:
    def __init__(self, w):
        super().__init__()
        self.w = w


def inherits(x):
    return np.sum(Biased(x, 0.5).f(x)) + np.sum(Scaled(x).f(x)) + \
        np.sum(Inherited(x).f(x)) + np.sum(NoBase(x).w)


def layer_loss(layer_, x):
    return np.sum(layer_.f(x))


def test_super_and_base_initializers():
    """`super().f(x)` is f bound to self (its derivative once dropped: a wrong
    gradient); `super().__init__(w)` and `Base.__init__(self, w)` build the
    same object as the constructor calling them."""
    check_both(inherits)


def test_the_gradient_of_a_subclass_object():
    g = s2sad.grad(layer_loss)(Scaled(X), X)
    w = 2 * X
    assert type(g) is Scaled
    assert np.allclose(g.w, 3.0 * X * (1 - np.tanh(w * X) ** 2))
    assert np.isclose(g.b, 12.0) and np.isclose(g.c, np.sum(np.tanh(w * X) + X[0]))


# ---------------------------------------------------------------- lambdas side by side


VIEWS = [lambda y: np.broadcast_to(y, (2, 4)), lambda y: y.T, lambda y: y[:, ::-1]]


def through_view(view, y):
    v = view(y)
    weights = np.arange(1.0, v.size + 1.0)
    return np.sum(np.tanh(v.ravel(order="K")) * weights) + np.sum(v.flatten(order="K") ** 2)


@pytest.mark.parametrize("k", range(len(VIEWS)))
def test_lambdas_on_one_line_are_told_apart(k):
    """Each lambda of a line is its own code (the first with the same
    parameters was once taken for all of them), and ravel/flatten in 'K'
    order follow NumPy's iteration order for broadcast and reversed views."""
    y = (np.array([[0.3, -0.7, 1.1, 0.2]]) if k == 0 else
         np.array([[0.3, -0.7, 1.1], [0.5, 0.1, -0.4]]))
    s2sad.check_grad(through_view, VIEWS[k], y, wrt=1)


@dataclasses.dataclass
class WithCounts:
    w: np.ndarray
    k: int
    n: int


def scaled_loss(p):
    total = 0.0
    for _ in range(p.n):  # (n is a count: no derivative reaches it)
        total = total + np.sum(p.w ** 2) * p.k
    return total


def test_an_int_field_gets_its_derivative_not_its_value():
    # the field's own value in its place would pass for a derivative
    w = np.array([1.0, 2.0])
    for k in (3, np.int64(3)):
        g = s2sad.grad(scaled_loss)(WithCounts(w, k, 2))
        assert g.k == pytest.approx(2 * 5.0) and g.n == 0.0
        np.testing.assert_allclose(g.w, 2 * 2 * 3 * w)
    Pair = namedtuple("Pair", "w k")
    assert s2sad.grad(lambda p: np.sum(p.w ** 2) * p.k)(Pair(w, 3)).k == pytest.approx(5.0)


def test_an_int_fields_tangent_agrees_with_its_gradient():
    # forward mode reads the tangent of an int field as reverse mode gives its
    # derivative (a namedtuple's tangent is a namedtuple of tangents)
    Pair = namedtuple("Pair", "w k")
    p = Pair(np.array([1.0, 2.0]), 3)
    value, tangent = s2sad.jvp(lambda q: np.sum(q.w ** 2) * q.k, (p,),
                               (Pair(np.zeros(2), 1.0),))
    assert value == pytest.approx(15.0) and tangent == pytest.approx(5.0)


class FieldsNamedLikeNumpys:
    def __init__(self, v):
        self.T = v  # (fields named as NumPy's attributes: a user's, no transpose)
        self.real = 2.0 * v


def reads_fields_named_like_numpys(w):
    o = FieldsNamedLikeNumpys(w * 1.0)
    return np.sum(o.T ** 2) + np.sum(o.real * o.T)


def reads_an_arrays_attributes(W):
    return np.sum(W.T @ W) + np.sum(W.real * W.T.T)


def test_fields_named_T_or_real_are_the_objects_not_numpys():
    # (the adjoint of o.T was np.transpose(g), given to the object: dropped,
    # a zero gradient; forward mode raised AttributeError)
    w = np.array([1.0, 2.0])
    check_both(reads_fields_named_like_numpys, w)
    np.testing.assert_allclose(s2sad.grad(reads_fields_named_like_numpys)(w), 6 * w)
    g = s2sad.grad(lambda o: np.sum(o.T * 2.0) + np.sum(o.real * o.T))(
        FieldsNamedLikeNumpys(w))
    np.testing.assert_allclose(g.T, 2.0 + 2 * w)
    np.testing.assert_allclose(g.real, w)
    H = s2sad.hessian(lambda v: np.sum(FieldsNamedLikeNumpys(v).T ** 3))(w)
    np.testing.assert_allclose(H, np.diag(6 * w))
    W = np.arange(6.0).reshape(2, 3) / 5
    s2sad.check_grad(reads_an_arrays_attributes, W)
    assert "np.transpose(" in str(s2sad.show(reads_an_arrays_attributes, args=(W,)))


class Overloaded:
    def __init__(self, a):
        self.a = a

    def __add__(self, other):
        return Overloaded(self.a + (other.a if isinstance(other, Overloaded) else other))

    def __mul__(self, other):
        return Overloaded(self.a * (other.a if isinstance(other, Overloaded) else other))

    def __matmul__(self, other):
        return self.a @ other.a

    def __getitem__(self, i):
        return self.a[i]

    def __len__(self):
        return len(self.a)


def through_overloaded_operators(v):
    u = v * v + v
    return u @ u


def through_the_fields(v):
    u = v.a * v.a + v.a
    return u @ u


def overloaded_made_here(x):
    v = Overloaded(x)
    return (v + v).a @ x


def overloaded_from_a_list(x):
    vs = [Overloaded(x), Overloaded(2 * x)]
    u = vs[0] * vs[1]
    return u @ u


def test_operators_a_class_overloads_are_refused_never_a_zero_gradient():
    # (the adjoint of `v * v` took the object for an array: a gradient of
    # zeros, silently; now refused where the lowering sees the object, an
    # argument or one made here, and at run time elsewhere)
    x = np.array([1.0, 2.0, 3.0])
    for f, args in ((through_overloaded_operators, (Overloaded(x),)),
                    (overloaded_made_here, (x,))):
        with pytest.raises(s2sad.UnsupportedSyntaxError, match="arithmetic on an object"):
            s2sad.grad(f)(*args)
    with pytest.raises(s2sad.NoAdjointError, match="derivative code failed here|Overloaded"):
        s2sad.grad(overloaded_from_a_list)(x)
    Overloaded.__rmul__ = Overloaded.__mul__  # (then the adjoint ran: a zero gradient)
    try:
        with pytest.raises(s2sad.NoAdjointError,
                           match="arithmetic on an object|arithmetic a class defines"):
            s2sad.grad(overloaded_from_a_list)(x)
    finally:
        del Overloaded.__rmul__
    g = s2sad.grad(through_the_fields)(Overloaded(x))
    np.testing.assert_allclose(g.a, 2 * (x * x + x) * (2 * x + 1))


class Quadratic:
    def __init__(self, A):
        self.A = A

    def __call__(self, x):
        return 0.5 * x @ self.A @ x

    def energy(self, x):
        return 0.5 * x @ self.A @ x


def test_hvp_of_a_callable_object_and_a_bound_method():
    # (hvp read the vector's argument from the arguments with the object put
    # first: AttributeError)
    A = np.array([[2.0, 0.5], [0.5, 2.0]])
    q, x, v = Quadratic(A), np.array([0.3, -0.7]), np.array([1.0, 1.0])
    np.testing.assert_allclose(s2sad.hvp(q)(x, v), A @ v)
    np.testing.assert_allclose(s2sad.hvp(q.energy)(x, v), A @ v)


@dataclasses.dataclass
class EulerState:
    x: float
    v: float


class Holder:
    def __init__(self, x):
        self.x = x


def euler_in_place(k):
    s = EulerState(1.0, 0.0)
    for _ in range(5):
        s.v = s.v - 0.1 * k * s.x
        s.x = s.x + 0.1 * s.v
    return s.x


def doubled_in_a_loop(k):
    s = Holder(k)
    for _ in range(2):
        s.x = s.x * 2
    return s.x


def nested_holders(k, w):
    s = Holder(k)
    n = 0
    while n < 3:
        t = Holder(s.x * w)
        for _ in range(2):
            t.x = np.sin(t.x) * s.x + 0.1
        s.x = np.sum(t.x) * 0.5 + s.x
        n += 1
    return s.x


@pytest.mark.parametrize("f, args", [
    (euler_in_place, (1.3,)), (doubled_in_a_loop, (1.3,)),
    (nested_holders, (0.8, np.array([0.3, -0.7]))),
])
def test_attributes_of_an_object_made_here_updated_in_a_loop(f, args):
    # (the object was not carried by the loop: its updates had no derivative, 0.0)
    for i in range(len(args)):
        for _ in range(2):
            g = s2sad.grad(f, wrt=i)(*args)
            np.testing.assert_allclose(g, s2sad.numerical_gradient(f, args, i), rtol=1e-6,
                                       atol=1e-9)
    tangents = tuple(np.ones_like(a) if isinstance(a, np.ndarray) else 1.0 for a in args)
    expected = sum(np.sum(s2sad.numerical_gradient(f, args, i)) for i in range(len(args)))
    assert s2sad.jvp(f, args, tangents)[1] == pytest.approx(expected, rel=1e-6)


class Body:
    def __init__(self, p):
        self.p = p


def pairwise_energy(x):
    bodies = [Body(x * i) for i in range(1, 4)]
    e = 0.0
    for u in bodies:
        for v in bodies:
            if u is not v:
                e = e + u.p * v.p
    return e


def others_of_the_first(x):
    a, b = Body(x), Body(2 * x)
    total = 0.0
    for o in [a, b]:
        if o is not a:
            total = total + o.p * a.p
    return total


@pytest.mark.parametrize("f", [pairwise_energy, others_of_the_first])
def test_objects_compared_by_identity_in_loops(f):
    # (`is not` marked its operands as numbers: the objects' adjoints were summed
    # with `+`, which raised inside the derivative code)
    for _ in range(2):
        assert s2sad.grad(f)(1.5) == pytest.approx(s2sad.numerical_gradient(f, (1.5,), 0),
                                                   rel=1e-6)


# ---------------------------------------------------------------- a bound derivative, inside


def weighted_cubes(a, b):
    return np.sum(a ** 2 * b ** 3)


BOUND_WEIGHTS = functools.partial(weighted_cubes, np.array([1.0, 2.0]))


def gradient_of_a_partial_inside(u):
    return np.sum(s2sad.grad(BOUND_WEIGHTS)(u))


class Spring:
    def __init__(self, k):
        self.k = k

    def energy(self, u):
        return np.sum(self.k * u ** 2)

    def force_sum(self, u):
        return np.sum(s2sad.grad(self.energy)(u))


def test_a_gradient_of_a_partial_or_a_method_inside_differentiates_its_own_argument():
    """(the positions of the call counted from the partial's bound argument,
    or the method's object: the bound one was differentiated, silently)"""
    u = np.array([0.5, -1.5])
    expected = 6 * np.array([1.0, 2.0]) ** 2 * u
    np.testing.assert_allclose(s2sad.grad(gradient_of_a_partial_inside)(u), expected)
    assert s2sad.jvp(gradient_of_a_partial_inside, (u,), (np.ones(2),))[1] == \
        pytest.approx(np.sum(expected))
    np.testing.assert_allclose(s2sad.jacobian(gradient_of_a_partial_inside)(u), expected)
    np.testing.assert_allclose(s2sad.grad(Spring(3.0).force_sum)(np.array([1.0, 2.0])),
                               [6.0, 6.0])
