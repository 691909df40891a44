"""Methods that set attributes of their object (`self.h = ...`), called on an
object the differentiated function made: a stateful RNN cell stepped in a
loop, an optimizer keeping its velocity, a counter. The call returns the
object as a new version of itself (`runtime.UpdatingMethod`), so the
derivative follows the change. Every gradient is checked against central
finite differences; tangents and Hessians too where they apply.
"""

from __future__ import annotations

import dataclasses
import types

import numpy as np
import pytest

import s2sad
from s2sad import pipeline
from s2sad.aliasing import guard_inplace_updates
from s2sad.ir import walk
from s2sad.lowering import lower
from s2sad.parsing import parse_function


def fd_grad(f, args, k=0, eps=1e-6):
    x = np.asarray(args[k], dtype=float)
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        a, b = list(args), list(args)
        a[k], b[k] = up, down
        out[i] = (f(*a) - f(*b)) / (2 * eps)
    return out


class Cell:
    def __init__(self, W, U):
        self.W, self.U = W, U
        self.h = np.zeros(W.shape[0])
        self.steps = 0

    def step(self, x):
        self.h = np.tanh(self.W @ self.h + self.U @ x)
        self.steps += 1
        return self.h


def rnn_loss(W, U, xs):
    cell = Cell(W, U)
    for x in xs:
        cell.step(x)
    return np.sum(cell.h ** 2) + cell.steps


class Counter:
    def __init__(self):
        self.total = 0.0

    def add(self, v):
        self.total = self.total + v

    def add_twice(self, v):  # (through another method that sets the object's)
        self.add(v)
        self.add(v * v)
        return self.total


def counter_loss(x):
    c = Counter()
    c.add(np.sum(x))
    t = c.add_twice(x[0])
    return c.total * t


class Momentum:
    def __init__(self, lr):
        self.lr = lr
        self.v = 0.0

    def update(self, w, g):  # (named like dict.update: the class's own method)
        self.v = 0.9 * self.v + g
        return w - self.lr * self.v


def unrolled_descent(w0, X):
    opt = Momentum(0.1)
    w = w0
    for _ in range(3):
        w = opt.update(w, X.T @ (X @ w))
    return np.sum(w ** 2)


def in_branches(x, flag):
    c = Counter()
    if flag:
        c.add(np.sum(x * x))
    else:
        c.add(np.sum(np.sin(x)))
    return c.total


@dataclasses.dataclass
class Accumulator:
    s: float = 0.0
    n: int = 0

    def push(self, v):
        self.s += v
        self.n += 1


def dataclass_loss(x):
    a = Accumulator()
    for v in x:
        a.push(v * v)
    return a.s / a.n


class Slotted:
    __slots__ = ("a",)

    def __init__(self):
        self.a = 1.0

    def times(self, v):
        self.a = self.a * v


def slots_loss(x):
    s = Slotted()
    s.times(x[0])
    s.times(x[1])
    return s.a


class Base:
    def __init__(self):
        self.z = 0.0

    def bump(self, v):
        self.z = self.z + v


class Child(Base):
    def bump(self, v):
        super().bump(2.0 * v)


def subclass_loss(x):
    c = Child()
    c.bump(np.sum(x))
    return c.z ** 2


class Early:
    def __init__(self):
        self.acc = 0.0

    def run(self, xs):
        for v in xs:
            if v > 10.0:
                return -1.0
            self.acc = self.acc + v * v
        return self.acc


def early_return_loss(x):
    e = Early()
    r = e.run(x)
    return r + e.acc


def comprehension_loss(x):
    c = Counter()
    out = [c.add_twice(v) for v in x]
    return sum(out) + c.total


CASES = [(rnn_loss, 0), (rnn_loss, 1), (counter_loss, 0), (unrolled_descent, 0),
         (in_branches, 0), (dataclass_loss, 0), (slots_loss, 0), (subclass_loss, 0),
         (early_return_loss, 0), (comprehension_loss, 0)]


def arguments(f):
    rng = np.random.default_rng(3)
    if f is rnn_loss:
        return (0.5 * rng.standard_normal((4, 4)), rng.standard_normal((4, 3)),
                rng.standard_normal((5, 3)))
    if f is unrolled_descent:
        return (rng.standard_normal(3), rng.standard_normal((5, 3)))
    if f is in_branches:
        return (np.array([0.3, 1.0]), True)
    return (np.array([0.3, -1.2, 2.0]),)


@pytest.mark.parametrize("f, k", CASES, ids=lambda c: getattr(c, "__name__", str(c)))
def test_updating_methods_against_finite_differences(f, k):
    args = arguments(f)
    expected = fd_grad(f, args, k)
    value, g = s2sad.value_and_grad(f, wrt=k)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)
    np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2sad.grad(f, wrt=k)(*args), expected, rtol=1e-6, atol=1e-8)


def test_both_branches_and_other_values():
    x = np.array([0.3, 1.0])
    for flag in (True, False):
        np.testing.assert_allclose(s2sad.grad(in_branches)(x, flag),
                                   fd_grad(in_branches, (x, flag)), rtol=1e-6)
    g = s2sad.grad(rnn_loss, wrt=0)
    rng = np.random.default_rng(4)
    for steps in (2, 7):  # (other lengths: the loop replays from its tape)
        args = (0.5 * rng.standard_normal((4, 4)), rng.standard_normal((4, 3)),
                rng.standard_normal((steps, 3)))
        np.testing.assert_allclose(g(*args), fd_grad(rnn_loss, args), rtol=1e-6, atol=1e-8)


def test_forward_mode_and_hessians_through_updating_methods():
    x = np.array([0.3, -1.2, 2.0])
    t = np.array([1.0, 0.5, -0.2])
    for f in (counter_loss, dataclass_loss, subclass_loss):
        value, tangent = s2sad.jvp(f, (x,), (t,))
        assert value == pytest.approx(f(x))
        assert tangent == pytest.approx(fd_grad(f, (x,)) @ t, rel=1e-6)
        H = s2sad.hessian(f)(x)
        rows = [fd_grad(lambda y, i=i, f=f: s2sad.grad(f)(y)[i], (x,)) for i in range(3)]
        np.testing.assert_allclose(H, np.array(rows), rtol=1e-5, atol=1e-6)


def test_a_loop_of_updating_calls_compiles_once():
    args = arguments(rnn_loss)
    g = s2sad.grad(rnn_loss, wrt=(0, 1))
    g(*args)
    before = pipeline.transform_count()
    for _ in range(5):
        g(*args)
    assert pipeline.transform_count() == before


def other_name_reads_the_old_object(x):
    c = Counter()
    d = c
    c.add(np.sum(x))
    return d.total


class WithProperty:
    def __init__(self):
        self.a = 1.0

    @property
    def double(self):
        return 2 * self.a

    def scale(self, v):
        self.a = self.a * v


def property_read_before_the_change(x):
    p = WithProperty()
    before = p.double
    p.scale(x[0])
    return before + p.double


def test_other_names_and_properties_of_the_changed_object_are_checked():
    x = np.array([0.3, -1.2])
    # (`d = c` names the same object: both take its new version, as in Python)
    np.testing.assert_allclose(s2sad.grad(other_name_reads_the_old_object)(x), [1.0, 1.0])
    with pytest.raises(s2sad.AliasingError, match="property .double"):
        s2sad.grad(property_read_before_the_change)(x)


def rebinds_self(x):
    r = Rebinding()
    r.swap(x)
    return r.a


class Rebinding:
    def __init__(self):
        self.a = 0.0

    def swap(self, x):
        self.a = np.sum(x)
        self = Rebinding()  # noqa: PLW0642  (the object the caller holds is not this one)


def test_rebinding_self_in_an_updating_method_is_refused():
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="rebinding self"):
        s2sad.grad(rebinds_self)(np.array([1.0, 2.0]))


def test_a_method_without_source_given_a_derivative_is_refused_not_dropped():
    # (its class made by exec: the method stored the value in its object and
    # the gradient was zero)
    namespace = {"np": np}
    exec("class Hidden:\n"
         "    def __init__(self):\n"
         "        self.total = 0.0\n"
         "    def add(self, v):\n"
         "        self.total = self.total + v\n", namespace)
    hidden = namespace["Hidden"]

    def made_here(x):
        c = hidden()
        c.add(np.sum(x))
        return c.total

    def passed_in(c, x):
        c.add(np.sum(x))
        return c.total

    x = np.array([0.3, -1.2])
    with pytest.raises(s2sad.NoAdjointError, match="Hidden.add"):
        s2sad.grad(made_here)(x)
    with pytest.raises(s2sad.NoAdjointError, match="Hidden.add"):
        s2sad.grad(passed_in, wrt=1)(hidden(), x)


def test_the_lowering_marks_an_updating_call_and_the_checks_drop_the_marker():
    """IR in and out: `c.add(v)` on an object made here is a call of
    UpdatingMethod('add') whose item 1 becomes c; `updated` tells the aliasing
    pass, which removes it once its checks are placed."""
    lowered = lower(parse_function(counter_loss)).function
    calls = [s for s in walk(lowered.body) if getattr(s, "prim", None) == "call"]
    names = [repr(s.args[0].value) for s in calls if hasattr(s.args[0], "value")]
    assert "UpdatingMethod('add')" in names and "UpdatingMethod('add_twice')" in names
    assert sum(getattr(s, "prim", None) == "updated" for s in walk(lowered.body)) == 2
    guarded = guard_inplace_updates(lowered)
    assert not any(getattr(s, "prim", None) == "updated" for s in walk(guarded.body))


# ---------------------------------------------------------------- found by an outside tester


class Chained:
    def __init__(self, w):
        self.w = w
        self.s = 1.0

    def add(self, x):
        self.s = self.s * self.w + x
        return self

    def __call__(self, x):
        self.s = self.s + x * self.w
        return self.s


def chained_on_a_name(w, x):
    c = Chained(w)
    c.add(x).add(2 * x)
    return c.s


def chained_on_an_expression(w, x):
    return Chained(w).add(x).add(2 * x).s


def called_object(w, x):
    c = Chained(w)
    y = c(x)
    z = c(2 * x)
    return y * z + c.s


class Norm:
    def __init__(self, w):
        self.w = w
        self.m = 0.0
        self.v = 1.0

    def forward(self, x, train):
        if train:  # (two attribute writes in one branch of a method)
            self.m = 0.9 * self.m + x
            self.v = 0.9 * self.v + x * x
        return self.w * self.m * self.v


def norm_in_training(w, x):
    return Norm(w).forward(x, True)


def norm_kept(w, x):
    n = Norm(w)
    r = n.forward(x, True)
    return r + n.m


def kept_result_of_a_self_returning_method(w, x):
    c = Chained(w)
    b = c.add(x)  # (b is c: both take each new version, as in Python)
    c.add(x)
    return b.s * 10 + c.s


@pytest.mark.parametrize("f", [chained_on_a_name, chained_on_an_expression, called_object,
                               norm_in_training, norm_kept, kept_result_of_a_self_returning_method],
                         ids=lambda f: f.__name__)
def test_chained_called_and_branching_updating_methods(f):
    args = (1.5, 2.0)
    for k in (0, 1):
        assert s2sad.grad(f, wrt=k)(*args) == pytest.approx(
            s2sad.numerical_gradient(f, args, k), rel=1e-6)


def held_through_a_dicts_values(w, x):
    c = Chained(w)
    vs = list({"k": c}.values())
    c.add(x)
    return vs[0].s * 10


class Accumulates:
    def __init__(self, h):
        self.h = h

    def step(self, x):
        self.h += x  # (NumPy adds into the array: the caller's `a` changes too)


def array_added_into_in_a_method(h, x):
    a = h * np.ones(2)
    c = Accumulates(a)
    c.step(x)
    return np.sum(a * x) + np.sum(c.h)


class MultipliesInto(Accumulates):
    def step(self, x):
        self.h *= x  # (said as written: `*=`, not `+=`)


def array_scaled_in_a_method(h, x):
    a = h * np.ones(2)
    c = MultipliesInto(a)
    c.step(x)
    return np.sum(a * x) + np.sum(c.h)


def holds_itself(w, x):
    c = Chained(w)
    c.me = c
    c.add(x)
    return c.me.s


@pytest.mark.parametrize("f, error, match", [
    (held_through_a_dicts_values, s2sad.AliasingError, "another name"),
    (array_added_into_in_a_method, s2sad.AliasingError, r"`self.h \+= ...` in a method updates"),
    (array_scaled_in_a_method, s2sad.AliasingError, r"`self.h \*= ...` in a method updates"),
    (holds_itself, s2sad.UnsupportedSyntaxError, "holding itself"),
])
def test_other_names_of_a_changed_object_or_array_are_refused(f, error, match):
    # (each gave the right value and a wrong gradient, silently)
    with pytest.raises(error, match=match):
        s2sad.grad(f)(1.5, 2.0)


class Plain:
    def __init__(self, lr):
        self.lr = lr

    def step(self, w, g):
        return w - self.lr * g


class WithVelocity:
    def __init__(self, lr):
        self.lr = lr
        self.v = 0.0

    def step(self, w, g):
        self.v = 0.9 * self.v + g
        return w - self.lr * self.v


def optimizer_chosen_by_an_expression(w0, X, kind):
    opt = Plain(0.1) if kind == "plain" else WithVelocity(0.1)
    w = w0
    for _ in range(3):
        w = opt.step(w, X.T @ (X @ w))
    return np.sum(w ** 2)


def optimizer_chosen_by_an_if(w0, X, kind):
    if kind == "plain":
        opt = Plain(0.1)
    else:
        opt = WithVelocity(0.1)
    w = w0
    for _ in range(3):
        w = opt.step(w, X.T @ (X @ w))
    return np.sum(w ** 2)


@pytest.mark.parametrize("f", [optimizer_chosen_by_an_expression, optimizer_chosen_by_an_if])
def test_an_object_of_one_of_several_classes(f):
    # (an object made in branches of different classes: its class's method, found
    # when it runs; refused before)
    rng = np.random.default_rng(5)
    X, w0 = rng.standard_normal((5, 3)), rng.standard_normal(3)
    for kind in ("plain", "velocity"):
        np.testing.assert_allclose(s2sad.grad(f)(w0, X, kind),
                                   fd_grad(f, (w0, X, kind)), rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------- a second outside round


def chosen_by_a_conditional_expression(x):
    a = Chained(x)
    b = a.add(x) if x > 0 else a.add(2 * x)
    return b.s + a.s


def short_circuited(x):
    a = Chained(x)
    ok = x > 0 and a.add(x).s > -100
    return a.s + (1.0 if ok else 0.0)


def called_in_a_loop(x, xs):
    c = Chained(x)
    y = 0.0
    for v in xs:
        y = c(v)
    return y * c.s


class Early2:
    def __init__(self, w):
        self.w = w
        self.t = 0.0

    def maybe(self, v):
        if v < 0:
            return -1.0
        self.t = self.t + v * self.w
        return self.t


def early_return_skips_the_update(x):
    e = Early2(x)
    e.maybe(x)
    return e.t * x


def test_updating_calls_in_expressions_loops_and_early_returns():
    for x in (1.5, -1.0):  # (both sides: the side not taken left names unbound)
        for f in (chosen_by_a_conditional_expression, short_circuited):
            assert s2sad.grad(f)(x) == pytest.approx(s2sad.numerical_gradient(f, (x,), 0),
                                                     rel=1e-6, abs=1e-9)
    xs = np.array([0.1, 0.5, -0.3])
    assert s2sad.grad(called_in_a_loop)(0.5, xs) == pytest.approx(
        s2sad.numerical_gradient(called_in_a_loop, (0.5, xs), 0), rel=1e-6)
    for x in (1.5, -2.0):  # (the Hessian's forward layer over the method's halves)
        assert s2sad.hessian(early_return_skips_the_update)(x) == pytest.approx(
            6.0 * x if x > 0 else 0.0, rel=1e-9)


class WithSetter:
    def __init__(self):
        self._s = 0.0

    @property
    def s(self):
        return self._s

    @s.setter
    def s(self, v):
        self._s = 2.0 * v


class Scales:
    def __init__(self, w):
        self.w = w

    def __setattr__(self, name, v):
        object.__setattr__(self, name, 3.0 * v)


def through_a_setter(x):
    p = WithSetter()
    p.s = x * x
    return p.s


def through_setattr(x):
    return Scales(x).w * x


class Producing:
    def __init__(self, w):
        self.w = w
        self.s = 1.0

    def grow(self, n):
        for _ in range(n):
            self.s = self.s + self.w
            yield self.s


def consumes_a_generator_method_changing_its_object(x):
    o = Producing(x)
    total = 0.0
    for v in o.grow(3):
        total = total + v * o.s
    return total


def squares(items):
    for v in items:
        yield v * v


def module_generator_reads_a_list_changed_later(x):
    items = [x]
    g = squares(items)
    items.append(2 * x)
    return sum(g)


@pytest.mark.parametrize("f, match", [
    (through_a_setter, "runs the setter of WithSetter.s"),
    (through_setattr, "runs Scales.__setattr__"),
    (consumes_a_generator_method_changing_its_object, "a generator that changes self"),
    (module_generator_reads_a_list_changed_later, "reads items, which the function changes"),
])
def test_code_python_runs_that_s2sad_would_not_follow_is_refused(f, match):
    # (each gave a wrong value or derivative, silently)
    with pytest.raises(s2sad.UnsupportedSyntaxError, match=match):
        s2sad.grad(f)(1.5)


# ---------------------------------------------------------------- a third outside round


class Box:
    def __init__(self, v):
        self.v = v


class BoxWithGetter:
    def __init__(self, v):
        self.v = v
        self.get = lambda: self.v


def array_added_into_while_an_object_holds_it(w):
    arr = np.zeros(2)
    b = Box(arr)
    arr += w
    return np.sum(b.v ** 2)


def item_written_through_the_attributes_array(w):
    b = Box(w * 1.0)
    arr = b.v
    arr[0] = 10.0 * w[1]
    return np.sum(b.v ** 2)


def argument_written_while_an_object_holds_it(w):
    b = Box(w)
    w[0] = 3.0 * w[1]
    return np.sum(b.v ** 2)


def function_reading_its_object_stored_on_it(w):
    b = BoxWithGetter(w)
    b.v = w ** 3
    return np.sum(b.get())


def generator_through_a_closure_reading_a_name_changed_later(w):
    s = w
    read = lambda: s  # noqa: E731
    g = (read() * k for k in (1, 2))
    s = w ** 3
    return np.sum(sum(g))


@pytest.mark.parametrize("f, error", [
    (array_added_into_while_an_object_holds_it, s2sad.AliasingError),
    (item_written_through_the_attributes_array, s2sad.AliasingError),
    (argument_written_while_an_object_holds_it, s2sad.AliasingError),
    (function_reading_its_object_stored_on_it, s2sad.UnsupportedSyntaxError),
    (generator_through_a_closure_reading_a_name_changed_later, s2sad.UnsupportedSyntaxError),
])
def test_arrays_objects_hold_and_functions_reading_later_are_refused(f, error):
    # (wrong values or gradients, silently: an array an object holds was
    # written under another name; functions read their names' old values)
    with pytest.raises(error):
        s2sad.grad(f)(np.array([0.3, -0.2]))


class NoInit:
    pass


def attributes_of_an_object_without_init(w):
    s = NoInit()
    s.x = w * 2
    return np.sum(s.x ** 2)


def attributes_of_a_namespace(w):
    s = types.SimpleNamespace()
    s.x = w * 2
    s.y = s.x * 3
    return np.sum(s.y * w)


def updating_calls_summed(w):
    c = Chained(w)
    return sum(c.add(x).s for x in (0.5, 1.0, 2.0))


def chained_calls_of_the_object(w):
    return Chained(w)(1.0) * 2.0


@pytest.mark.parametrize("f", [attributes_of_an_object_without_init, attributes_of_a_namespace,
                               updating_calls_summed, chained_calls_of_the_object],
                         ids=lambda f: f.__name__)
def test_objects_without_init_namespaces_and_generators_read_to_the_end(f):
    scalar = f in (updating_calls_summed, chained_calls_of_the_object)
    w = 1.5 if scalar else np.array([0.3, -0.2])
    np.testing.assert_allclose(s2sad.grad(f)(w), s2sad.numerical_gradient(f, (w,), 0),
                               rtol=1e-6)


class Repeats(Base):
    def bump(self, v):
        for _ in range(2):  # (the loop carries the object super() changes)
            super().bump(v)


def super_call_in_a_loop(x):
    r = Repeats()
    r.bump(np.sum(x))
    return r.z ** 2


def test_a_base_method_called_through_super_in_a_loop():
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(s2sad.grad(super_call_in_a_loop)(x),
                               fd_grad(super_call_in_a_loop, (x,)), rtol=1e-6)
