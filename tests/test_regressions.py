"""Minimal repros of bugs found by the program fuzzer, kept fixed."""

import enum

import numpy as np
import pytest

import s2sad


def full_of_x(x):
    # np.full was registered as non-differentiable: a silently zero gradient
    return np.sum(np.full((6,), x) * np.arange(6.0))


def pair(a, b):
    return np.tanh(a) * b, np.sin(b)


def uses_second_item_only(x, y):
    # the helper's backward got None for the unused first item
    _, second = pair(x, y)
    return np.sum(second * x)


def mod_of(x, y):
    # `%` was registered as non-differentiable
    return np.sum(x % y)


@pytest.mark.parametrize("fn, args, wrt", [
    (full_of_x, (0.3,), 0),
    (uses_second_item_only, (np.array([0.2, -0.4]), np.array([1.5, 0.7])), (0, 1)),
    (mod_of, (np.array([2.5, 3.7]), 1.1), (0, 1)),
])
def test_fuzzer_regressions(fn, args, wrt):
    s2sad.check_grad(fn, *args, wrt=wrt)


def arange_from(x):
    return np.sum(np.arange(x, 5.0))


def test_arange_with_a_differentiable_bound_is_refused_not_zero():
    with pytest.raises(s2sad.NoAdjointError) as info:
        s2sad.grad(arange_from)(0.5)
    assert "'start_or_stop'" in str(info.value)  # (NumPy's name for the first argument)


def tiled_by_a_numpy_int(x):
    return np.sum(np.tile(x, np.int64(2)) ** 2)


def took_nothing(x):
    return np.sum(np.take(x, [])) + np.sum(x)


def squares_summed(z):
    return np.sum(z ** 2)


def variance_without_degrees_of_freedom(x):
    return np.var(x, ddof=4)


def test_rule_corners_an_outside_review_found():
    """np.tile's adjoint iterated a NumPy int's reps; np.take's read an empty
    index list as floats; a holomorphic Jacobian's seed went through float();
    var's divisor at ddof >= n was n - ddof < 0 (NumPy's is 0: inf)."""
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(s2sad.grad(tiled_by_a_numpy_int)(x), 4 * x)
    np.testing.assert_allclose(s2sad.jacobian(tiled_by_a_numpy_int, mode="reverse")(x), 4 * x)
    np.testing.assert_allclose(s2sad.grad(took_nothing)(x), [1.0, 1.0, 1.0])
    z = np.array([1 + 2j, 0.5 - 1j])
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(s2sad.jacobian(squares_summed, holomorphic=True, mode=mode)(z),
                                   2 * z)
    y = np.array([0.3, -0.7, 1.2])
    with np.errstate(divide="ignore", invalid="ignore"):
        assert variance_without_degrees_of_freedom(y) == np.inf
    np.testing.assert_array_equal(s2sad.grad(variance_without_degrees_of_freedom)(y),
                                  [np.inf, -np.inf, np.inf])


def trajectory_of_pairs(x):
    traj = [(x, 0.0)]
    for _ in range(3):
        p, v = traj[-1]
        traj.append((p * 2.0, v))  # (v: an item of the list, held again, not changed)
    return np.sum(traj[-1][0]) + traj[-1][1]


def last_item_again(x):
    traj = [x * 1.0]
    for _ in range(2):
        traj.append(traj[-1])
    return sum(np.sum(t) for t in traj)


def last_item_again_then_doubled(x):
    items = [x * 1.0]
    for _ in range(2):
        v = items[-1]
        items.append(v)
        v *= 2.0  # (the array the list holds three times: Python's lists see it)
    return sum(np.sum(u) for u in items)


def array_or_pair(x):
    total = 0.0
    for v in [x, (x, x)]:
        if isinstance(v, tuple):
            total = total + np.sum(v[0] * v[1])
        else:
            total = total + np.sum(v)
    return total


def test_lists_holding_their_own_items_again_and_items_of_two_kinds():
    """An outside review: `traj.append((p * 2, v))` with v read out of traj was
    refused as an update another name sees (the list counted as another holder
    of itself), and a loop over an array and a tuple added the tuple's
    adjoint in place as an array's."""
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(s2sad.grad(trajectory_of_pairs)(x), [8.0, 8.0])
    np.testing.assert_array_equal(s2sad.grad(last_item_again)(x), [3.0, 3.0])
    assert s2sad.jvp(last_item_again, (x,), (np.ones(2),))[1] == 6.0
    with pytest.raises(s2sad.AliasingError):
        s2sad.grad(last_item_again_then_doubled)(x)
    np.testing.assert_array_equal(s2sad.grad(array_or_pair)(x), 1.0 + 2.0 * x)
    assert s2sad.jvp(array_or_pair, (x,), (np.ones(2),))[1] == pytest.approx(np.sum(1.0 + 2.0 * x))


class _Box:
    def __init__(self, v):
        self.v = v


class _Squares:
    def __init__(self, box):
        self.box = box

    @property
    def square(self):
        return self.box.v ** 2


class _Noisy:
    def __init__(self, w):
        self.w = w

    @property
    def value(self):
        return self.w * np.random.default_rng().normal(size=np.shape(self.w))


def property_of_a_changed_holder(x):
    box = _Box(x)
    s = _Squares(box).square
    box.v = box.v * 3.0  # (the property's object holds box: its getter, run again, sees 9x^2)
    return s


def property_read_twice(x):
    squares = _Squares(_Box(x))
    return squares.square * squares.square


def random_property(x):
    return np.sum(_Noisy(x).value ** 2)


def test_a_property_whose_getter_computes_another_value_again_is_refused():
    """An outside review: a property's derivative is its getter's, run again in
    the backward pass; a getter reading an object changed after the read, or
    drawing random numbers, gave a derivative at another point (7.8 for 2.6)."""
    with pytest.raises(s2sad.AliasingError, match="computed another value"):
        s2sad.grad(property_of_a_changed_holder)(1.3)
    assert s2sad.jvp(property_of_a_changed_holder, (1.3,), (1.0,))[1] == pytest.approx(2.6)
    with pytest.raises(s2sad.AliasingError, match="random numbers"):
        s2sad.grad(random_property)(np.array([0.5, -1.0, 2.0]))
    assert s2sad.grad(property_read_twice)(1.3) == pytest.approx(4 * 1.3 ** 3)


def first_negative_or_sum(x):
    broke = 3.0  # (the user's own name: the loop's flag is another)
    for v in x:
        if v < 0:
            found = v
            break
    else:
        found = np.sum(x)
    return found * broke


def nested_else_and_return(x):
    for i in range(3):
        for j in range(3):
            if j > i:
                break
        else:
            continue  # (the inner loop ran out only for i = 2)
        if np.sum(x) * i > 10:
            return np.sum(x * i)
    else:
        return np.sum(x ** 3)
    return 0.0


def counted_while_else(x):
    s, k = 0.0, 0
    while k < 3:
        s = s + np.sum(np.sin(x * k))
        k += 1
    else:
        s = s + np.sum(x ** 2)
    return s


@pytest.mark.parametrize("x", [np.array([0.5, -0.2]), np.array([0.5, 0.2]),
                               np.array([30.0, 1.0])])
def test_else_of_a_loop_runs_where_no_break_left_it(x):
    for fn in (first_negative_or_sum, nested_else_and_return, counted_while_else):
        value, grad = s2sad.value_and_grad(fn)(x)
        assert value == pytest.approx(fn(x))
        np.testing.assert_allclose(grad, s2sad.numerical_gradient(fn, (x,), 0), rtol=1e-6,
                                   atol=1e-9)
        assert s2sad.jvp(fn, (x,), (np.ones(2),))[1] == pytest.approx(np.sum(grad))


def weighted_by_key_codes(x):
    d = {"a": x[0], "bc": x[1]}
    total = 0.0
    for k, v in d.items():  # (k varies with d for the analysis: a str when it runs)
        total = total + v * ord(k[0]) + len(repr(k)) + hash(k) % 2 + len(chr(65))
    return total


class _Tagged:
    def __init__(self, w):
        self.w = w
        self.tags = []


def tagged_with_strings(x):
    m = _Tagged(x)
    m.tags.append("scaled")  # (the method's object carries a derivative, "scaled" none)
    return np.sum(m.w ** 2) * len(m.tags)


def tagged_with_a_value(x):
    m = _Tagged(x)
    m.tags.append(x[0] * 2.0)
    return np.sum(m.w ** 2) + m.tags[0]


def test_string_builtins_and_appending_strings_to_an_objects_list():
    """An outside review: ord() of a dict's key was refused as a call without
    a rule, and `m.tags.append("t")` as keeping a value with a derivative."""
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(s2sad.grad(weighted_by_key_codes)(x), [97.0, 98.0])
    assert s2sad.jvp(weighted_by_key_codes, (x,), (np.ones(2),))[1] == 195.0
    np.testing.assert_array_equal(s2sad.grad(tagged_with_strings)(x), 2.0 * x)
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="keeps a value that carries"):
        s2sad.grad(tagged_with_a_value)(x)


class _Indexed:
    def __init__(self, items):
        self.items = items

    def __getitem__(self, i):
        return self.items[i]

    def __len__(self):
        return len(self.items)


class _Iterated:
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        yield from self.items


def through_an_indexed_object(x):
    total = 0.0
    for v in _Indexed([x, 2.0 * x]):
        total = total + np.sum(v ** 2)
    return total


def through_an_iterated_object(x):
    total = 0.0
    for v in _Iterated([x, 2.0 * x]):
        total = total + np.sum(v ** 2)
    return total


def test_a_loop_over_an_object_made_here_goes_through_its_own_methods_or_is_refused():
    """An outside review: a loop over an object of the user's class indexed it
    as a list (a TypeError blamed on operator overloading, or a refusal
    speaking of indexing)."""
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(s2sad.grad(through_an_indexed_object)(x), 10.0 * x)
    assert s2sad.jvp(through_an_indexed_object, (x,), (np.ones(2),))[1] == 30.0
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="its __iter__") as raised:
        s2sad.grad(through_an_iterated_object)(x)
    assert "__getitem__ and __len__" in raised.value.hint


def walrus_in_an_if(x):
    if (n := np.sum(x ** 2)) > 1.0:
        return n * 2.0
    return n


def walrus_in_a_while_test(x):
    r, k = x * 1.0, 0
    while (s := np.sum(r)) > 0.5 and k < 10:  # (s after the loop: the last test's)
        r = r * 0.7
        k += 1
    return s + np.sum(r)


def walrus_in_a_comprehension(x):
    ys = [(y := v * 2.0) + 1.0 for v in x]  # (y: bound in the function, the last item's)
    return sum(ys) * y


def walrus_in_a_short_circuit(x):
    total, e = 0.0, 0.0
    for v in x:
        if (d := v * v) > 0.5 or (e := v) > 0:
            total = total + d + e
    return total


@pytest.mark.parametrize("x", [np.array([0.3, 0.4]), np.array([1.3, -0.9])])
def test_assignment_expressions_bind_as_python_binds_them(x):
    for fn in (walrus_in_an_if, walrus_in_a_while_test, walrus_in_a_comprehension,
               walrus_in_a_short_circuit):
        value, grad = s2sad.value_and_grad(fn)(x)
        assert value == pytest.approx(fn(x))
        np.testing.assert_allclose(grad, s2sad.numerical_gradient(fn, (x,), 0), rtol=1e-6,
                                   atol=1e-9)
        assert s2sad.jvp(fn, (x,), (np.ones(2),))[1] == pytest.approx(np.sum(grad))


def activation_by_name(x, kind):
    match kind:
        case "relu":
            y = np.maximum(x, 0.0)
        case "tanh" | "th":
            y = np.tanh(x)
        case None:
            y = x
        case name if name.startswith("scaled"):
            y = x * len(name)
        case _:
            y = x ** 2
    return np.sum(y)


def power_by_count(x, n):
    match n:
        case 0:
            return np.sum(x)
        case 1 | 2 as m:
            return np.sum(x ** m)
        case other:
            return np.sum(x) * other


def matched_pair(x, p):
    match p:
        case (a, b):
            return a * b * x
    return x


def test_match_statements_of_values_captures_and_alternatives():
    x = np.array([0.5, -1.2, 2.0])
    for kind in ("relu", "tanh", "th", None, "scaled3", "other"):
        numeric = s2sad.numerical_gradient(activation_by_name, (x, kind), 0)
        np.testing.assert_allclose(s2sad.grad(activation_by_name)(x, kind), numeric, rtol=1e-6)
        assert s2sad.jvp(activation_by_name, (x, kind), (np.ones(3), None))[1] == \
            pytest.approx(np.sum(numeric), rel=1e-6)
    for n in (0, 1, 2, 5):
        np.testing.assert_allclose(s2sad.grad(power_by_count)(x, n),
                                   s2sad.numerical_gradient(power_by_count, (x, n), 0), rtol=1e-6)
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="MatchSequence") as raised:
        s2sad.grad(matched_pair)(1.0, (1.0, 2.0))
    assert "a, b = subject" in raised.value.hint


def zipped_in_a_loop(x, y):
    total = 0.0
    for a, b in zip(x, y, strict=True):
        total = total + a * b
    return total


def zipped_as_a_value(x, y):
    pairs = list(zip(x, y, strict=False))
    return sum(a * b for a, b in pairs)


def test_zip_strict_checks_the_lengths_as_python_does():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    for fn in (zipped_in_a_loop, zipped_as_a_value):
        np.testing.assert_array_equal(s2sad.grad(fn, wrt=(0, 1))(x, y)[0], y)
        assert s2sad.jvp(fn, (x, y), (np.ones(2), np.zeros(2))) == (11.0, 7.0)
    with pytest.raises(ValueError, match="argument 2 is shorter than argument 1"):
        s2sad.grad(zipped_in_a_loop)(x, np.ones(1))
    np.testing.assert_array_equal(s2sad.grad(zipped_as_a_value)(x, np.ones(3)), [1.0, 1.0])


def summed_into_a_given_array(x):
    o = np.zeros(2)
    x.sum(0, None, o)  # (the result unused: the write was dropped with it, silently)
    return np.sum(o)


def clipped_into_a_given_array(x):
    o = np.zeros((2, 2))
    x.clip(0.0, 0.5, o)
    return np.sum(o)


class _NamedLikeNumpy:
    def sum(self, a, b, c):
        return a * b * c


def a_users_method_named_sum(x):
    return _NamedLikeNumpy().sum(x, 2.0, 3.0)


def test_an_array_methods_out_given_positionally_is_refused_even_if_unused():
    """An outside review: `x.sum(0, None, o)` whose result nothing read was
    dropped as dead code with its write into o: value 0 and gradient 0."""
    for fn in (summed_into_a_given_array, clipped_into_a_given_array):
        with pytest.raises(s2sad.UnsupportedSyntaxError, match="out= writes"):
            s2sad.value_and_grad(fn)(np.ones((2, 2)))
        with pytest.raises(s2sad.UnsupportedSyntaxError, match="out= writes"):
            s2sad.jvp(fn, (np.ones((2, 2)),), (np.ones((2, 2)),))
    assert s2sad.grad(a_users_method_named_sum)(1.5) == 6.0


def product_of(x):
    return np.prod(x)


def summed_running_products(x):
    return np.sum(np.cumprod(x))


@pytest.mark.parametrize("x, product, running", [
    ([np.inf, 2.0, 3.0], [6.0, np.inf, np.inf], [9.0, np.inf, np.inf]),
    ([np.nan, 2.0, 3.0], [6.0, np.nan, np.nan], [9.0, np.nan, np.nan]),
    ([1e200, 1e200, 0.5], [5e199, 5e199, np.inf], [1.5e200, 1.5e200, np.inf]),
    ([1e-170, 1e-170, 1e170], [1.0, 1.0, 0.0], [2.0, 1.0, 0.0]),
])
def test_products_of_the_other_entries_are_multiplied_out_where_dividing_fails(
        x, product, running):
    """An outside review: prod's and cumprod's adjoints divided the product by
    each entry, which at an inf or nan entry, or an overflowed or underflowed
    product, gave nan, inf or 0 for finite products of the others."""
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(s2sad.grad(product_of)(np.array(x)), product, rtol=1e-12)
        np.testing.assert_allclose(s2sad.grad(summed_running_products)(np.array(x)), running,
                                   rtol=1e-12)


def log_determinant(a):
    return np.linalg.slogdet(a)[1]


def second_of_two_at_least_1d(x):
    return np.sum(np.atleast_1d(x, 2.0 * x)[1])


def repeated_number(x):
    return np.sum(np.repeat(x, 2, axis=0))


def test_singular_slogdet_partly_read_atleast_and_a_repeated_number():
    """An outside review: slogdet of a singular matrix (NumPy: (0, -inf))
    raised NumPy's LinAlgError from the rule; atleast_1d of two arrays, one
    result read, failed to reshape None; np.repeat of a 0-d array with axis=0
    divided by zero."""
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    np.testing.assert_array_equal(s2sad.grad(log_determinant)(singular),
                                  [[np.inf, -np.inf], [-np.inf, np.inf]])
    assert not np.isfinite(s2sad.jvp(log_determinant, (singular,), (np.eye(2),))[1])
    np.testing.assert_array_equal(s2sad.grad(second_of_two_at_least_1d)(np.ones(3)), [2.0] * 3)
    assert s2sad.grad(repeated_number)(np.array(3.0)) == 2.0
    assert s2sad.grad(repeated_number)(3.0) == 2.0


def _tanh_total(x):
    import numpy as xp  # (a helper's own import, under another name)

    return xp.sum(xp.tanh(x))


def imports_inside(x):
    import math

    import scipy.linalg
    from numpy import linalg as la
    from scipy.special import expit
    from scipy.special import logsumexp as lse

    return (_tanh_total(x) * math.pi + la.norm(x) + np.sum(expit(x)) + lse(x)
            + np.sum(scipy.linalg.expm(np.outer(x, x) * 0.1)))


def test_imports_inside_the_function_bind_their_names():
    """An outside review: `import` inside a function was refused ("unsupported
    statement: importfrom")."""
    x = np.array([0.3, -0.5])
    np.testing.assert_allclose(s2sad.grad(imports_inside)(x),
                               s2sad.numerical_gradient(imports_inside, (x,), 0), rtol=1e-6)
    assert s2sad.jvp(imports_inside, (x,), (np.ones(2),))[1] == \
        pytest.approx(np.sum(s2sad.grad(imports_inside)(x)))
    assert "expit" in s2sad.show(imports_inside)


def rounded_by_the_method(x):
    return np.sum(x.round(1) * x)


def rows_normalized_in_place(a):
    for row in a:
        row /= np.linalg.norm(row)
    return np.sum(a ** 3)


def test_messages_an_outside_review_found_unclear():
    """`x.round()` had no rule (np.round has one: the method takes it now); an
    update of a row in a loop over an array named the loop's own list
    (`a_items`) and hinted at `y = y * c`, which would not change a."""
    np.testing.assert_array_equal(s2sad.grad(rounded_by_the_method)(np.array([1.23, 2.5])),
                                  [1.2, 2.5])  # (round's derivative is 0: d(r * x) = r)
    with pytest.raises(s2sad.AliasingError, match=r"another name \(a\) also") as raised:
        s2sad.grad(rows_normalized_in_place)(np.arange(1.0, 7.0).reshape(2, 3))
    assert "a[i] = a[i] / s" in raised.value.hint


def walrus_in_an_early_stopped_generator(x):
    found = any((y := x * i) > 2.0 for i in range(10))
    return y * found


def extended_item_of_a_list(x):
    rows = [[x]]
    first = rows[0]
    rows[0] += [x * 2.0]  # (Python extends the list `first` is too)
    return sum(first)


class _Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


def scaled_by_level(x, level=_Level.HIGH):
    if level == 2:
        return x * level.value * 3.0
    return x


def test_second_outside_round_on_the_new_python_features():
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="in a generator"):
        s2sad.grad(walrus_in_an_early_stopped_generator)(1.3)
    with pytest.raises(s2sad.AliasingError):  # (was silently 1.0 for 3.0)
        s2sad.grad(extended_item_of_a_list)(1.3)
    assert s2sad.grad(scaled_by_level)(1.5) == 6.0  # (an IntEnum default: a constant)
    assert s2sad.grad(scaled_by_level)(1.5, _Level.LOW) == 1.0


def summed_phases(x):
    return np.sum(np.exp(1j * x))


def as_single(x):
    return (x * 2.0).astype(np.float32)


def powered_in_double(x):
    return np.float_power(x, 1.5)


def sine_cubed(x):
    return np.sin(x) * x ** 3


def dict_result(x):
    return {"a": x ** 2, "b": np.sum(x)}


def test_third_outside_round_on_forward_mode_and_higher_order():
    """jacobian in reverse mode kept the real part of a complex output of real
    inputs (auto picks forward there now); astype's and float_power's
    tangents kept the input's dtype, not the result's; a 0-d float32 input's
    Jacobian and Hessian were Python floats; under backend='auto' a function
    returning a dict crashed in Numba (a typed dict)."""
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(s2sad.jacobian(summed_phases)(x), 1j * np.exp(1j * x))
    with pytest.raises(s2sad.ArgumentTypeError, match="keep only its real part"):
        s2sad.jacobian(summed_phases, mode="reverse")(x)
    assert s2sad.jvp(as_single, (x,), (np.ones(3),))[1].dtype == np.float32
    value, tangent = s2sad.jvp(powered_in_double, (np.float32([1, 2]),), (np.float32([1, 1]),))
    assert value.dtype == tangent.dtype == np.float64
    x0 = np.array(0.7, dtype=np.float32)
    assert type(s2sad.hessian(sine_cubed)(x0)) is np.float32
    assert type(s2sad.jacobian(sine_cubed)(x0)) is np.float32
    value, tangent = s2sad.jvp(dict_result, (x,), (np.ones(3),), backend="auto")
    assert type(value) is dict and type(tangent) is dict and tangent["b"] == 3.0


def summed_into_o_through_unpacking(x):
    o = np.zeros(3)
    x.sum(*(0, None, o))
    return np.sum(o)


def compressed_into_o(x):
    o = np.zeros((2, 2))
    x.compress([True, False, True], 1, o)
    return np.sum(o)


def added_into_o_through_unpacking(x):
    o = np.zeros((2, 3))
    np.add(*(x, x, o))
    return np.sum(o)


def unpacked_pair(x):
    pair = (x, x * 2.0)
    return np.sum(np.maximum(*pair)) + np.sum(np.add(*(x, x)))


def running_products(x):
    return np.cumprod(x)


def polynomial_at_integers(p):
    return np.sum(np.polyval(p, np.array([100000, 2, 3])))


def median_of(x):
    return np.median(x)


def log_determinant_again(a):
    return np.linalg.slogdet(a)[1]


def test_outside_round_on_the_new_rules():
    """out given through unpacking or to methods the table has no rule of
    (compress, choose) was dropped with the unused result; cumprod's tangent
    divided back through inf or an underflowed product; polyval's powers of
    an integer x overflowed int64; the median of nothing, and slogdet's
    Hessian at a singular matrix, raised NumPy's errors."""
    for fn, shape in ((summed_into_o_through_unpacking, (2, 3)), (compressed_into_o, (2, 3)),
                      (added_into_o_through_unpacking, (2, 3))):
        with pytest.raises(s2sad.UnsupportedSyntaxError, match="out="):
            s2sad.grad(fn)(np.ones(shape))
    np.testing.assert_array_equal(s2sad.grad(unpacked_pair)(np.ones(3)), [4.0] * 3)
    with np.errstate(all="ignore"):
        for a, t, expected in (([2.0, np.inf, 3.0], [0, 1.0, 0], [0.0, 2.0, 6.0]),
                               ([1e-200, 1e-200, 1e200], [1.0, 0, 0], [1.0, 1e-200, 1.0])):
            np.testing.assert_allclose(
                s2sad.jvp(running_products, (np.array(a),), (np.array(t),))[1], expected)
        assert s2sad.grad(polynomial_at_integers)(np.array([1e-20, 0, 0, 0, 0]))[0] == \
            pytest.approx(1e20 + 97)
        assert s2sad.grad(median_of)(np.zeros(0)).shape == (0,)
        assert s2sad.hessian(log_determinant_again)(np.array([[1.0, 2.0], [2.0, 4.0]])).shape \
            == (2, 2, 2, 2)


def exp_into_y_through_a_dict(x):
    y = np.zeros_like(x)
    kw = {"out": y}
    np.exp(x, **kw)
    return np.sum(y)


def exp_into_y_through_a_tuple(x):
    y = np.zeros_like(x)
    args = (x, y)
    np.exp(*args)
    return np.sum(y)


def summed_into_o_through_a_dict(x):
    o = np.zeros(())
    kw = {"out": o}
    np.sum(x, **kw)
    return o * 2.0


def method_summed_into_o_through_a_dict(x):
    o = np.zeros(x.shape[1])
    kw = {"out": o}
    x.sum(axis=0, **kw)
    return np.sum(o * o)


def exp_called_into_y(x):
    y = np.zeros_like(x)
    np.exp.__call__(x, y)
    return np.sum(y)


def exp_into_y_through_a_list_of_dicts(x):
    y = np.zeros_like(x)
    options = [{"out": y}]
    np.exp(x, **options[0])
    return np.sum(y)


def exp_into_y_through_a_list(x):
    y = np.zeros_like(x)
    args = [x, y]
    np.exp(*args)
    return np.sum(y)


def summed_with_options(x):
    options = {"axis": 0}
    return np.sum(np.sum(x * x, **options))


@pytest.mark.parametrize("f", [exp_into_y_through_a_dict, exp_into_y_through_a_tuple,
                               summed_into_o_through_a_dict, method_summed_into_o_through_a_dict,
                               exp_called_into_y, exp_into_y_through_a_list_of_dicts,
                               exp_into_y_through_a_list])
def test_out_given_through_names_unpacked_is_refused(f):
    """`kw = {"out": y}; np.exp(x, **kw)`: a call whose result nothing reads
    was dropped with its write (a value of 0 and a zero gradient; an outside
    tester's find). Unpacked items known here, or not, are checked."""
    x = np.ones((2, 2))
    for transform in (s2sad.grad, s2sad.value_and_grad):
        with pytest.raises(s2sad.UnsupportedSyntaxError, match="out="):
            transform(f)(x)
    with pytest.raises(s2sad.UnsupportedSyntaxError, match="out="):
        s2sad.vjp(f, x)
    # (unpacked options that are not out= are followed)
    np.testing.assert_array_equal(s2sad.grad(summed_with_options)(x), 2 * x)


def conjugated_into_o(x):
    o = np.zeros(3)
    r = x.conjugate(o)
    return np.sum(r)


def swapped_with_an_argument_too_many(x):
    return np.sum(x.swapaxes(0, 1, 2))


def test_a_method_given_more_arguments_than_its_rule_takes():
    """An outside review: `x.conjugate(o)` (NumPy's method takes an out its
    signature does not show) and a method called with an argument too many
    recursed without end (the dispatcher's wrapper called the method again,
    through itself): Python's call runs instead."""
    with pytest.raises(s2sad.NoAdjointError, match="ndarray.conjugate"):
        s2sad.grad(conjugated_into_o)(np.ones(3))  # (its out= is not in NumPy's signature)
    with pytest.raises(TypeError, match="takes exactly 2 arguments"):  # (Python's own)
        s2sad.grad(swapped_with_an_argument_too_many)(np.ones((2, 2)))


def returned_before_zip_ran_out(x):
    for a, b in zip([x], [1.0, 2.0], strict=True):
        return a * b  # (Python's zip never reaches its check)
    return x


def broken_before_zip_ran_out(x):
    total = 0.0
    for a, b in zip([x, x], [1.0, 2.0, 3.0], strict=True):
        total = total + a * b
        break
    return total


def test_zip_strict_checks_where_the_loop_runs_out():
    """An outside review: the lengths were checked before the loop, raising
    where a loop that returns or breaks first never reaches Python's check."""
    assert s2sad.value_and_grad(returned_before_zip_ran_out)(1.3) == (1.3, 1.0)
    assert s2sad.value_and_grad(broken_before_zip_ran_out)(1.3) == (1.3, 1.0)
    assert s2sad.jvp(broken_before_zip_ran_out, (1.3,), (1.0,)) == (1.3, 1.0)


def rounded_twice_over(x):
    return np.sum(x.round(1, decimals=2) * x)


def dot_of_nothing(x):
    return np.sum(x.dot() * x)


def test_a_method_call_python_refuses_raises_pythons_error_in_both_modes():
    """An outside review: a method given a keyword twice, or an argument
    short, recursed without end (as one given too many did)."""
    x = np.array([0.1, 0.2])
    for fn, message in ((rounded_twice_over, "given by name"), (dot_of_nothing, "missing")):
        with pytest.raises(TypeError, match=message):
            s2sad.grad(fn)(x)
        with pytest.raises(TypeError, match=message):
            s2sad.jvp(fn, (x,), (np.ones(2),))


def row_read_twice(a, b):
    M = [[a, b]]
    return M[0][0] * M[0][1]


def rotation_as_nested_lists(theta, p):
    R = [[np.cos(theta), -np.sin(theta)],
         [np.sin(theta), np.cos(theta)]]
    x = R[0][0] * p[0] + R[0][1] * p[1]
    y = R[1][0] * p[0] + R[1][1] * p[1]
    return x ** 2 + 3.0 * y


def layers_as_pairs(W1, W2, x):
    params = [[W1, 0.1], (W2, 0.2)]
    h = np.tanh(x @ params[0][0] + params[0][1])
    return np.sum(h @ params[1][0] + params[1][1])


def pairs_from_a_helper(a, b):
    def h(u, v):
        return ((u, v), u * v)
    t = h(a, b)
    return t[0][0] * t[0][1] + t[1]


def dicts_in_a_list(a, b):
    p = [{"w": a, "b": b}]
    return p[0]["b"] * 2.0 + p[0]["w"] * 5.0


NESTED = [
    (row_read_twice, (2.0, 3.0)),
    (rotation_as_nested_lists, (0.3, np.array([1.0, 2.0]))),
    (layers_as_pairs, (np.linspace(-0.5, 0.5, 6).reshape(3, 2),
                       np.linspace(0.2, 1.0, 4).reshape(2, 2), np.array([0.3, -0.7, 1.1]))),
    (pairs_from_a_helper, (2.0, 3.0)),
    (dicts_in_a_list, (2.0, 3.0)),
]


@pytest.mark.parametrize("fn, args", NESTED, ids=[fn.__name__ for fn, _ in NESTED])
def test_a_nested_containers_rows_read_twice_add_item_by_item(fn, args):
    """An outside review: two adjoints of one row of a nested list or tuple
    (`M[0][0] * M[0][1]`) were summed with `+`, which joins two lists end to
    end: one read's part was lost or landed in another slot (a rotation's
    gradient -3.17 for -0.51). Rows' adjoints add as containers."""
    wrt = (0, 1)
    grads = s2sad.grad(fn, wrt=wrt)(*args)
    for k in wrt:
        numeric = s2sad.numerical_gradient(fn, args, k)
        np.testing.assert_allclose(grads[k], numeric, rtol=1e-6, atol=1e-8)
    value, pullback = s2sad.vjp(fn, *args)
    for k in wrt:
        np.testing.assert_allclose(pullback(1.0)[k], grads[k], rtol=1e-12)
    if all(isinstance(a, float) for a in args):
        a, b = args
        h = 1e-5
        column = (np.array(s2sad.grad(fn, wrt=wrt)(a + h, b)) -
                  np.array(s2sad.grad(fn, wrt=wrt)(a - h, b))) / (2 * h)
        np.testing.assert_allclose(np.array(s2sad.hessian(fn, wrt=wrt)(a, b))[:, 0], column,
                                   rtol=1e-6, atol=1e-8)


def row_replaced_unread(a, b):
    M = [[a, b], [b, a]]
    M[1] = [a * a, b]
    return np.sum(M[1][0])


def row_replaced_by_a_tuple(a, b):
    M = [[a, b], [b, a]]
    M[0] = (b, 2 * b)
    return np.sum(M[0][1] * M[1][1])


def row_replaced_by_negative_index(a, b):
    M = [[a, b], [b, a]]
    M[-1] = [a * a, b]
    return np.sum(M[1][0] + M[0][1])


@pytest.mark.parametrize("fn", [row_replaced_unread, row_replaced_by_a_tuple,
                                row_replaced_by_negative_index], ids=lambda f: f.__name__)
def test_a_nested_lists_row_replaced_before_it_is_read(fn):
    """An outside review: the backward pass zeroes the replaced row's slot
    (`dM[1] = 0.0`), and then took items of that 0.0 as of the old row's
    adjoint (TypeError: 'float' object is not subscriptable)."""
    args = (np.array([1.0, 2.0]), np.array([0.5, -1.0]))
    grads = s2sad.grad(fn, wrt=(0, 1))(*args)
    for k in (0, 1):
        np.testing.assert_allclose(grads[k], s2sad.numerical_gradient(fn, list(args), k),
                                   rtol=1e-7, atol=1e-9)


def columns_of_rows_squared(x):
    return np.sum(np.column_stack(x ** 2) * np.arange(4.0).reshape(2, 2))


def joined_rows_squared(x):
    return np.sum(np.concatenate(x ** 2) * np.arange(4.0))


def stacked_rows_tripled(x):
    return np.sum(np.dstack(x * 3.0) ** 2)


def chosen_rows_squared(x):
    return np.sum(np.select(x > 0, x ** 2))


def chained_rows_squared(x):
    return np.sum(np.linalg.multi_dot(np.stack([x, x.T]) ** 2))


def einsum_of_unpacked(x):
    return np.einsum("ij,ij->", *(x ** 2, x))


def float64_of_a_list(x):
    return np.sum(np.float64([x[0, 0], x[1, 1]]) ** 2)


W2 = np.array([[1.0, 2.0], [3.0, 4.0]])


def multi_dot_of_lists(x):
    return np.linalg.multi_dot([[x[0, 0], x[0, 1]], W2, [x[0, 1], 1.0]])


@pytest.mark.parametrize("f", [columns_of_rows_squared, joined_rows_squared,
                               stacked_rows_tripled, chosen_rows_squared, chained_rows_squared,
                               einsum_of_unpacked, float64_of_a_list, multi_dot_of_lists])
def test_sequences_given_as_arrays_and_lists(f):
    """An outside review: an array passed where NumPy takes a sequence
    (`np.concatenate(x ** 2)`, iterated over its rows) had its adjoint as a
    list, which the code then repeated (`list * 2`) or concatenated: a bare
    ValueError; `np.einsum(*(a, b))` was refused as if it gave out=; a list
    in np.float64 or np.linalg.multi_dot failed under hessian and jvp."""
    x = np.array([[0.5, -1.0], [1.5, 0.3]])
    gradient = s2sad.grad(f)
    np.testing.assert_allclose(gradient(x), s2sad.numerical_gradient(f, (x,), 0), rtol=1e-6,
                               atol=1e-8)
    v = np.array([[1.0, -0.5], [0.25, 2.0]])
    _, tangent = s2sad.jvp(f, (x,), (v,))
    assert tangent == pytest.approx(np.sum(gradient(x) * v), rel=1e-10)
    e = 1e-6
    numeric = np.array([((gradient(x + e * d) - gradient(x - e * d)) / (2 * e)).ravel()
                        for d in np.eye(4).reshape(4, 2, 2)])
    np.testing.assert_allclose(s2sad.hessian(f)(x).reshape(4, 4), numeric, rtol=1e-5,
                               atol=1e-7)
