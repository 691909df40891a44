"""The fast entries of gradient functions (`entry.py`): generated code that
tests a call's argument kinds and guards, runs the compiled code and gives
the gradients their arguments' forms; and `grad`'s use of them."""

import numpy as np
import pytest

import s2sad
from s2sad import pipeline
from s2sad.entry import MISS, make_entry, never

ALWAYS = ("True", {})


def form(**kw):
    return {"with_value": False, "has_aux": False, "as_tuple": False, **kw}


def test_an_entry_runs_only_for_its_kinds_and_while_its_guards_hold():
    ran = []
    hold = [True]

    def run(x, s, n):
        ran.append((x, s, n))
        return float(np.sum(x) * s), x * s

    x = np.array([1.0, 2.0])
    entry = make_entry((x, 0.5, 3), (0,), run, (), ("hold[0]", {"hold": hold}), [0],
                       **form())
    np.testing.assert_array_equal(entry((np.array([3.0, 4.0]), 2.0, 1)), [6.0, 8.0])
    for other in ((x, 0.5), (x, 0.5, 3, 4), (np.ones(3), 0.5, 3), (x, 1, 3), (x, 0.5, 3.0),
                  (x.tolist(), 0.5, 3), (np.array([1, 2]), 0.5, 3), (np.float64(1.0), 0.5, 3),
                  (np.array([True, False]), 0.5, 3)):
        assert entry(other) is MISS, other
    hold[0] = False
    assert entry((x, 0.5, 3)) is MISS
    assert len(ran) == 1
    assert never((x,)) is MISS
    # a guard raising what an emptied cell or a deleted attribute raises: not holding
    for error in (ValueError, AttributeError):
        def broken(error=error):
            raise error
        entry = make_entry((x, 0.5, 3), (0,), run, (), ("broken()", {"broken": broken}), [0],
                           **form())
        assert entry((x, 0.5, 3)) is MISS
    assert len(ran) == 1


def test_an_entry_gives_gradients_their_arguments_forms():
    x32 = np.array([1.0, 2.0], np.float32)
    shared = np.array([5.0, 6.0])

    def run(x, y, s):
        return 1.0, (shared, shared, np.float64(2.5))  # (one array for both, a NumPy float)

    entry = make_entry((np.ones(2), np.ones(2), 1.0), (0, 1, 2), run, (), ALWAYS, [0, 1, 2],
                       **form(as_tuple=True))
    gx, gy, gs = entry((np.ones(2), np.ones(2), 1.0))
    assert gx is shared and gy is not shared and type(gs) is float and gs == 2.5
    np.testing.assert_array_equal(gy, shared)

    def run32(x):
        return 1.0, np.array([3.0, 4.0])  # (float64 for a float32 argument)

    entry = make_entry((x32,), (0,), run32, (), ALWAYS, [0], **form())
    g = entry((x32,))
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g, [3.0, 4.0])

    view = np.arange(4.0)[::2]  # (a view of another array: copied, as the full path does)
    entry = make_entry((np.ones(2),), (0,), lambda x: (1.0, view), (), ALWAYS, [0],
                       **form())
    g = entry((np.ones(2),))
    assert g is not view and g.flags.owndata
    np.testing.assert_array_equal(g, [0.0, 2.0])


@pytest.mark.parametrize("with_value, has_aux, as_tuple, expected", [
    (False, False, False, 2.5),
    (True, False, False, ("v", 2.5)),
    (False, False, True, (2.5,)),
    (True, False, True, ("v", (2.5,))),
    (False, True, False, (2.5, "aux")),
    (True, True, True, (("v", "aux"), (2.5,))),
])
def test_an_entry_returns_the_transforms_form(with_value, has_aux, as_tuple, expected):
    value = ("v", "aux") if has_aux else "v"
    entry = make_entry((1.0,), (0,), lambda s: (value, np.float64(2.5)), (), ALWAYS, [0],
                       with_value=with_value, has_aux=has_aux, as_tuple=as_tuple)
    got = entry((1.0,))
    assert got == expected


def test_an_entry_leaves_errors_to_the_full_path_but_the_users_raise():
    def broken(x):
        raise TypeError("inside the derivative")

    entry = make_entry((np.ones(2),), (0,), broken, (), ALWAYS, [0], **form())
    assert entry((np.ones(2),)) is MISS


def raising(x):
    if x[0] > 0:
        raise ValueError("positive")
    return np.sum(x * x)


def sum_of_squares(x, s):
    return np.sum(x * x) * s


def test_grad_keeps_one_entry_per_kinds_without_compiling_again():
    g = s2sad.value_and_grad(sum_of_squares, wrt=(0, 1))
    inputs = [(np.array([1.0, 2.0]), 0.5), (np.array([1.0, 2.0, 3.0]), 2.0),
              (np.array([1.0, 2.0], np.float32), 0.5), (np.array(2.0), 3.0)]
    for x, s in inputs:
        g(x, s)
    before = pipeline.transform_count()
    for _ in range(3):  # (alternating kinds: each call finds its entry)
        for x, s in inputs:
            value, (gx, gs) = g(x, s)
            assert value == pytest.approx(float(np.sum(x.astype(float) ** 2) * s), rel=1e-6)
            np.testing.assert_allclose(gx, 2 * x * s, rtol=1e-6)
            assert gx.dtype == x.dtype and type(gs) is float
    assert pipeline.transform_count() == before
    gr = s2sad.grad(raising)
    np.testing.assert_allclose(gr(np.array([-1.0, 2.0])), [-2.0, 4.0])
    with pytest.raises(ValueError, match="positive"):  # (the user's raise, from the entry)
        gr(np.array([1.0, 2.0]))


def weighted_square(x, y):
    return np.sum(x * y ** 2)


def keyword_scaled(x, *, a=2.0):
    return np.sum(a * x ** 2)


CALLS = []


def counted_pick(x, i):
    CALLS.append(i)
    return x[i] ** 2


def test_every_call_gives_the_gradients_in_the_order_wrt_asked():
    # (from the second call on, the fast path gave them in the parameters' order,
    # and one per parameter: wrt=(1, 0) swapped, wrt=(0, 0) lost one)
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    dx, dy = y ** 2, 2 * x * y
    for wrt, want in (((1, 0), (dy, dx)), (("y", "x"), (dy, dx)), ((0, 0), (dx, dx)),
                      ((1, 0, 1), (dy, dx, dy))):
        for backend in ("numpy", "auto"):
            g = s2sad.grad(weighted_square, wrt=wrt, backend=backend)
            vg = s2sad.value_and_grad(weighted_square, wrt=wrt, backend=backend)
            for _ in range(3):
                got = g(x, y)
                assert len(got) == len(want)
                for a, b in zip(got, want):
                    np.testing.assert_allclose(a, b)
                assert len({id(a) for a in got}) == len(got)  # (arrays of their own)
                value, got = vg(x, y)
                assert value == pytest.approx(weighted_square(x, y))
                for a, b in zip(got, want):
                    np.testing.assert_allclose(a, b)


def test_a_keyword_only_parameter_differentiated_at_its_default():
    g = s2sad.grad(keyword_scaled, wrt="a")
    x = np.array([1.0, 2.0])
    for _ in range(3):
        assert g(x) == pytest.approx(5.0)
        assert g(x, a=3.0) == pytest.approx(5.0)


def test_a_failing_call_runs_the_function_no_more_than_before_the_fast_path():
    g = s2sad.grad(counted_pick)
    x = np.array([1.0, 2.0])
    g(x, 0)
    g(x, 0)
    CALLS.clear()
    with pytest.raises(IndexError):
        g(x, 7)
    assert len(CALLS) == 2  # (the fast entry's run, and the full path's, which reports)
