"""A corpus of small functions with control flow, calls, closures and containers.

Every function is one row of CORPUS: the function, the inputs to check it at
(kept away from branch boundaries, so finite differences see one smooth
piece), and `wrt`. Each row is checked against central finite differences
(`corpus_helpers.check`). REPROS keeps the minimal repros of the compiler
bugs this corpus found, as regression tests.

Exact values for a few functions (the seed control-flow example, the
recursion example, ...) are asserted after the table.
"""

import math
import tracemalloc
from math import cos as mcos

import numpy as np
import numpy as xp
import pytest
from corpus_helpers import check, row
from numpy import exp as e
from numpy import sin as sine
from numpy import sum as total
from numpy.linalg import norm as nrm

import s2sad

RNG = np.random.default_rng(20240611)


def vec(*values):
    return np.array(values, dtype=float)


def rand(*shape):
    return RNG.normal(size=shape)


# ================================================================ branches


def if_else_scalar(x):
    if x > 0:
        y = x * x
    else:
        y = -x * 3.0
    return y


def if_no_else(x):
    y = x * 2.0
    if x > 1.0:
        y = y * x
    return y


def if_elif_else(x):
    if x < -1.0:
        y = np.exp(x)
    elif x < 1.0:
        y = np.sin(x) * x
    else:
        y = x**3
    return y


def elif_chain_no_else(x):
    y = x
    if x < 0.0:
        y = -x
    elif x < 2.0:
        y = x * x
    elif x < 4.0:
        y = np.sqrt(x)
    return y * 1.5


def nested_if_else(x, y):
    if x > 0:
        if y > 0:
            z = x * y
        else:
            z = x - y
    else:
        if y > 0:
            z = x + y * y
        else:
            z = x * x * y
    return z


def nested_if_no_else(x):
    y = x
    if x > 0:
        y = y * 2.0
        if x > 1:
            y = y * x
    return y


def nested_if_three_levels(x, y):
    z = x + y
    if x > 0:
        if y > 0:
            if x > y:
                z = z * x
            else:
                z = z * y
        else:
            z = z - x * y
    return z * z


def if_array_sum(x):
    if np.sum(x) > 0:
        return np.sum(x**2)
    else:
        return np.sum(np.exp(x))


def if_mean_broadcast(x, b):
    y = x * b
    if y.mean() > 0:
        y = y + b
    return np.sum(y**2)


def cond_expr(x):
    return x * x if x > 0 else -x


def cond_expr_nested(x):
    y = np.sin(x) if x < 0 else (x**2 if x < 2 else 4.0 * np.log(x))
    return y * x


def cond_expr_in_arith(x, y):
    return (x if x > y else y) * x + (y if y > 0 else -y)


def cond_expr_array(x):
    s = x.sum()
    y = x * 2.0 if s > 0 else x * x
    return (y * x).sum()


def branch_uses_other_var(x, y):
    a = x * y
    if a > 1.0:
        b = a * x
    else:
        b = a + y
    return b * a


def branch_assigns_two(x):
    if x > 0:
        a = x * 2
        b = np.sin(x)
    else:
        a = x * x
        b = np.cos(x)
    return a * b


def branch_on_int_arg(x, flag):
    if flag:
        return x * 3.0
    return x**2


def branch_and_or(x, y):
    if x > 0 and y > 0:
        z = x * y
    elif x > 0 or y > 0:
        z = x + y
    else:
        z = x * x + y * y
    return z


def branch_not(x):
    if not x > 1.0:
        return x * 5.0
    return x * x


def branch_reassign_then_use(x):
    y = x
    if x > 0:
        y = y * y
        y = y + x
    else:
        y = y * 3.0
    y = y * y
    return y


def if_matrix(W, x):
    h = W @ x
    if h[0] > 0:
        out = np.tanh(h)
    else:
        out = h * 0.5
    return np.sum(out)


def branch_chained_comparison(x):
    if 0.0 < x < 1.0:
        return x**3
    return x * 2


def branch_only_one_side_defines(x):
    y = 0.0
    if x > 0.5:
        y = np.log(x)
    return x * 2.0 + y


# ================================================================ while loops


def while_double(x):
    y = x
    while y < 10.0:
        y = y * 2.0
    return y


def while_counter(x, n):
    i = 0
    y = x
    while i < n:
        y = np.sin(y) + x
        i += 1
    return y


def newton_sqrt(a):
    x = a
    while abs(x * x - a) > 1e-12 * a:
        x = 0.5 * (x + a / x)
    return x


def newton_cbrt(a):
    x = 1.0
    while abs(x**3 - a) > 1e-12 * a:
        x = x - (x**3 - a) / (3 * x * x)
    return x


def while_true_break(x):
    y = x
    while True:
        y = y * 1.5 + 0.1
        if y > 5.0:
            break
    return y


def while_continue(x):
    i = 0
    y = x
    while i < 6:
        i += 1
        if i % 2 == 0:
            continue
        y = y * np.cos(y) + x
    return y


def while_array_norm(x):
    y = x
    while np.linalg.norm(y) < 5.0:
        y = y * 1.7 + 0.1
    return np.sum(y * y)


def while_swap(x, y):
    a = x
    b = y
    k = 0
    while k < 4:
        a, b = b, a * b + 0.5
        k += 1
    return a + b


def while_decreasing(x):
    y = x
    n = 0.0
    while y > 1.0:
        y = y * 0.6
        n = n + 1.0
    return y * n + y


def while_zero_trips(x):
    y = x
    while y > 100.0:
        y = y / 2
    return y * y


def while_compound_condition(x):
    y = x
    k = 0
    while y < 50.0 and k < 5:
        y = y * y + 1.0
        k += 1
    return y


# ================================================================ for over range


def for_range1(x, n):
    y = 1.0
    for _ in range(n):
        y = y * x
    return y


def for_range2(x):
    s = 0.0
    for i in range(2, 6):
        s = s + x**i
    return s


def for_range3(x):
    s = x
    for i in range(1, 10, 3):
        s = s * x + i
    return s


def for_range_negative_step(x):
    s = 0.0
    for i in range(5, 0, -1):
        s = s * x + i
    return s


def for_range_negative_step_three(x):
    s = x
    for i in range(10, 1, -3):
        s = np.sin(s) * i
    return s


def for_range_len(x):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] * (i + 1)
    return s


def for_range_shape_index(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + np.sin(x[i]) * x[i - 1]
    return s


def for_taylor_exp(x, n):
    acc = x * 0.0
    for k in range(n):
        acc = acc + x**k / math.factorial(k)
    return np.sum(acc)


def for_loop_var_in_math(x):
    y = x
    for i in range(4):
        y = y + np.sin(i * y)
    return y


def for_loop_var_after_loop(x):
    for i in range(3):
        x = x * 1.1 + i
    return x * i


# ================================================================ for over arrays, lists, zip, ...


def for_over_rows(X, w):
    s = 0.0
    for r in X:
        s = s + np.tanh(r @ w)
    return s


def for_over_vector(x):
    p = 1.0
    for v in x:
        p = p * (1.0 + v)
    return p


def for_over_list_literal(x):
    s = 0.0
    for c in [1.0, 2.0, 3.0]:
        s = s + c * x**c
    return s


def for_over_tuple_literal(x):
    y = x
    for f in (0.5, 1.5, -0.5):
        y = y * f + np.sin(y)
    return y


def for_over_list_of_arrays(x):
    s = 0.0
    for v in [x, x * 2.0, np.sin(x)]:
        s = s + np.sum(v * v)
    return s


def for_over_list_arg(xs):
    s = 0.0
    for v in xs:
        s = s + np.sum(v**3)
    return s


def for_over_tuple_arg(t):
    a = 1.0
    for v in t:
        a = a * v
    return a


def for_zip(x, y):
    s = 0.0
    for a, b in zip(x, y):
        s = s + a * b * b
    return s


def for_zip_lists(x):
    s = 0.0
    for a, c in zip([x, x * x, np.exp(x)], [1.0, 2.0, 3.0]):
        s = s + a * c
    return s


def for_enumerate(x):
    s = 0.0
    for i, v in enumerate(x):
        s = s + v ** (i + 1)
    return s


def for_enumerate_start(x):
    s = 0.0
    for i, v in enumerate(x, 1):
        s = s + np.sin(v * i)
    return s


def for_enumerate_zip(x, y):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, y)):
        s = s + (a - b) ** 2 * (i + 1)
    return s


def for_over_matrix_rows_outer(X):
    acc = X[0] * 0.0
    for r in X:
        acc = acc + r * r[0]
    return np.sum(acc**2)


# ================================================================ break and continue


def for_break(x):
    y = x
    for _ in range(10):
        y = y * 1.3
        if y > 4.0:
            break
    return y


def for_continue(x):
    s = 0.0
    for i in range(6):
        if i % 3 == 0:
            continue
        s = s + x**i
    return s


def for_break_on_data(x):
    t = 0.0
    for v in x:
        if v < 0:
            break
        t = t + v * v
    return t


def for_continue_on_data(x):
    t = 0.0
    for v in x:
        if v < 0:
            continue
        t = t + np.sqrt(v)
    return t


def break_in_inner_loop(x):
    s = 0.0
    for i in range(3):
        for j in range(5):
            if j > i:
                break
            s = s + x ** (i + j)
    return s


def continue_in_inner_loop(x):
    s = x
    for i in range(3):
        for j in range(3):
            if (i + j) % 2 == 1:
                continue
            s = s * 0.9 + np.sin(s + j)
    return s


def break_and_continue(x):
    y = x
    for i in range(20):
        if i % 2 == 1:
            continue
        y = y * 1.2 + 0.1
        if y > 3.0:
            break
    return y


def while_break_and_continue(x):
    y = x
    i = 0
    while i < 50:
        i += 1
        if i % 3 == 0:
            continue
        y = y + np.sin(y) * 0.5
        if y > 2.5:
            break
    return y


def break_outer_after_inner(x):
    y = x
    for _ in range(10):
        for j in range(3):
            y = y * 1.1 + 0.01 * j
        if y > 2.0:
            break
    return y


# ================================================================ return anywhere


def return_in_branch(x):
    if x > 0:
        return x * x
    y = np.exp(x)
    return y * 2.0


def return_in_for(x):
    y = x
    for _ in range(10):
        y = y * 2.0
        if y > 5.0:
            return y * y
    return -y


def return_in_while(x):
    y = x
    while True:
        y = np.sqrt(y) + 1.0
        if y > 2.5:
            return y * x


def return_in_nested_loops(x):
    y = x
    for i in range(5):
        for j in range(5):
            y = y * 1.1 + 0.1 * j
            if y > 3.0:
                return y * i
    return y


def return_deep_in_loop(x):
    s = 0.0
    for v in x:
        if v > 0:
            if v > 2.0:
                return s + v * v
            s = s + v
        else:
            s = s - v * 0.5
    return s


def return_from_else(x):
    if x < 0:
        y = x * 2
    else:
        return np.sin(x)
    return y * y


def return_in_while_in_for(x):
    y = x
    for k in range(3):
        n = 0
        while n < 4:
            y = y * 1.2
            n += 1
            if y > 10.0:
                return y + k
    return y


def return_loop_falls_through(x):
    for _ in range(3):
        if x > 100.0:
            return x
        x = x * 2.0
    return x * x


def return_early_search(x):
    for i, v in enumerate(x):
        if v > 1.0:
            return v * v * i
    return np.sum(x)


# ================================================================ nested loops


def nested_for_for(x):
    s = 0.0
    for i in range(3):
        for j in range(2):
            s = s + np.sin(x * i + j)
    return s


def nested_three_deep(x):
    y = x
    for i in range(2):
        for j in range(2):
            for k in range(2):
                y = y * 0.9 + np.cos(y) * (i + j + k) * 0.1
    return y


def nested_four_deep(x):
    y = x
    for a in range(2):
        for b in range(2):
            for c in range(2):
                for d in range(2):
                    y = y + 0.1 * np.sin(y * (a + b + c + d + 1))
    return y


def nested_while_in_for(x):
    y = x
    for i in range(3):
        j = 0
        while j < i:
            y = y * 1.1 + 0.05
            j += 1
    return y


def nested_for_in_while(x):
    y = x
    while y < 20.0:
        for k in range(2):
            y = y * 1.5 + k
    return y


def nested_matrix_loops(A, v):
    s = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            s = s + A[i, j] * v[j] * v[i]
    return s


def nested_inner_depends_outer(x):
    s = 0.0
    for i in range(4):
        for j in range(i):
            s = s + x**j * i
    return s


def nested_rows_and_elements(X):
    s = 0.0
    for r in X:
        for v in r:
            s = s + v * v * v
    return s


# ================================================================ calls to module-level helpers


def _sq(u):
    return u * u


def _poly(u, a=1.0, b=2.0):
    return a * u * u + b * u


def _sq_plus_sin_sq(u):
    return _sq(u) + np.sin(_sq(u))


def _p(u, n):
    return 1.0 if n == 0 else u * _p(u, n - 1)


def _rising(u, n):
    if n <= 0:
        return 1.0
    return (u + n) * _rising(u, n - 1)


def _kwonly(u, *, scale=2.0, shift=0.0):
    return scale * u + shift


def _sin_cos(u):
    return np.sin(u), np.cos(u)


def _three(u, v):
    return u + v, u * v, u - v


def _iterate(u, n):
    for _ in range(n):
        u = np.sin(u) + u
    return u


def _leaky(u):
    if u > 0:
        return u * u
    return -u


def _layer(w, x):
    return np.tanh(x @ w)


def _nested_out(u):
    return (u, u * u), np.sin(u)


def _affine_parts(x, w):
    z = x * w
    return z, np.tanh(z), z * z


def call_helper(x):
    return _sq(x) + 1.0


def call_helper_twice(x):
    return _sq(_sq(x))


def call_helper_calls_helper(x):
    return np.sum(_sq_plus_sin_sq(x) * x)


def call_recursion(x):
    return _p(x, 4)


def call_recursion_with_if(x):
    return _rising(x, 3)


def call_keywords(x):
    return np.sum(_poly(x, b=3.0) + _poly(u=x, a=0.5))


def call_defaults(x):
    return _poly(x)


def call_kwonly(x):
    return _kwonly(x, scale=3.0) + _kwonly(x, shift=1.0)


def call_multiple_returns(x):
    s, c = _sin_cos(x)
    return np.sum(s * c + s)


def call_three_returns(x, y):
    a, b, c = _three(x, y)
    return a * b * c


def call_tuple_result_indexed(x):
    r = _sin_cos(x)
    return r[0] * 2.0 + r[1]


def call_helper_in_loop(x):
    y = x
    for _ in range(3):
        y = _sq(y) * 0.5 + _leaky(y)
    return y


def call_helper_with_loop(x):
    return _iterate(x, 3) * x


def call_helper_with_branch(x):
    return _leaky(x) + _leaky(-x * 2)


def call_helper_arrays(w, x):
    return np.sum(_layer(w, x) ** 2)


def call_helper_in_branch(x):
    if x > 0:
        y = _sq(x)
    else:
        y = _poly(x, 2.0, 1.0)
    return y


def call_helper_in_while(x):
    y = x
    while y < 30.0:
        y = _poly(y)
    return y


def call_recursion_in_loop(x):
    s = 0.0
    for k in range(4):
        s = s + _p(x, k)
    return s


def call_helper_wrt_second(x, y):
    return _poly(x, a=y, b=y * y)


def unpack_nested_result(x):
    (a, b), c = _nested_out(x)
    return a * b + c


def unpack_in_loop(x, w):
    a = x
    for _ in range(2):
        z, t, q = _affine_parts(a, w)
        a = t + 0.1 * q - 0.05 * z
    return np.sum(a)


def kwonly_top_level(x, *, scale=2.0):
    return scale * x * x


def default_top_level(x, scale=2.0):
    return scale * np.sin(x)


# ================================================================ closures, lambdas, local defs


def _make_closure(c):
    def inner(x):
        return np.sin(x * c) + c

    return inner


def _make_closure_array(w):
    def inner(x):
        return np.sum(np.tanh(w * x))

    return inner


def _make_closure_loop(n):
    def inner(x):
        y = x
        for _ in range(n):
            y = y * 0.5 + np.cos(y)
        return y

    return inner


closure_scalar = _make_closure(1.7)
closure_array = _make_closure_array(np.array([0.5, -1.0, 2.0]))
closure_loop = _make_closure_loop(4)


def local_lambda(x):
    f = lambda u: u * u + 1.0
    return f(x) * f(2.0 * x)


def local_lambda_captures(x, y):
    g = lambda u: u * y
    return np.sum(g(x) + g(x * x))


def local_def(x):
    def h(u):
        return np.exp(-u * u)

    return np.sum(h(x) + h(x + 1.0))


def local_def_captures_local(x):
    a = x * 2.0

    def h(u):
        return u * a

    return h(x) + h(3.0)


def local_def_with_loop(x):
    def step(u):
        for _ in range(3):
            u = u * 0.5 + np.sin(u)
        return u

    return step(x) * x


def local_lambda_in_loop(x):
    f = lambda u, k: u * k + np.sin(u)
    y = x
    for k in range(3):
        y = f(y, k)
    return y


def local_def_with_branch(x):
    def relu(u):
        return u if u > 0 else 0.01 * u

    return relu(x) + relu(x - 2.0) * x


def local_def_nested(x):
    def outer(u):
        def inner(v):
            return v * v

        return inner(u) + u

    return outer(x)


def lambda_default(x):
    f = lambda u, p=2: u**p
    return f(x) + f(x, 3)


# ================================================================ imported under another name


def imported_exp(x):
    return e(-x * x) * x


def imported_sin_in_loop(x):
    y = x
    for _ in range(3):
        y = sine(y) + 0.5 * y
    return y


def imported_sum(x):
    return total(x**2)


def imported_numpy_alias(x):
    return xp.sum(xp.tanh(x))


def imported_math_alias(x):
    return mcos(x) * x


def imported_norm(x):
    return nrm(x) ** 3


# ================================================================ methods of user objects


class Linear:
    def __init__(self, w, b):
        self.w = w
        self.b = b

    def predict(self, x):
        return self.w * x + self.b

    def loss(self, x):
        return np.sum(self.predict(x) ** 2)

    def scaled(self, x, k=2.0):
        return self.predict(x) * k


M = Linear(np.array([0.5, -1.0, 2.0]), 0.25)
OTHER = Linear(np.array([1.5, 0.5, -0.5]), -0.1)


def method_global_instance(x):
    return np.sum(M.predict(x) ** 2)


def method_argument_instance(x, m):
    return np.sum(np.sin(m.predict(x)))


def method_calls_method(x):
    return M.loss(x)


def method_in_loop(x, m):
    y = x
    for _ in range(3):
        y = np.tanh(m.predict(y))
    return np.sum(y)


def method_with_default(x):
    return np.sum(M.scaled(x)) + np.sum(M.scaled(x, k=0.5))


def method_in_branch(x, m):
    if np.sum(x) > 0:
        return np.sum(m.predict(x) * x)
    return np.sum(M.predict(x))


# ================================================================ comprehensions and generators


def genexp_powers(x):
    return sum(x**i for i in range(4))


def listcomp_sum(x):
    ys = [np.sin(x * k) for k in range(1, 4)]
    return sum(ys)


def listcomp_over_array(x):
    return sum([v * v for v in x])


def listcomp_with_if(x):
    return sum([v**3 for v in x if v > 0])


def listcomp_stack(x):
    rows = [x * k for k in range(3)]
    return np.sum(np.stack(rows) ** 2)


def genexp_zip(x, y):
    return sum(a * b for a, b in zip(x, y))


def listcomp_two_fors(x):
    return sum([x**i * j for i in range(3) for j in range(2)])


def listcomp_calls_helper(x):
    return sum([_sq(v) for v in x])


def genexp_in_loop(x):
    y = x
    for _ in range(2):
        y = sum(np.sin(y * k) for k in range(1, 3))
    return np.sum(y)


def listcomp_over_list_arg(xs):
    return sum([np.sum(v * v) for v in xs])


# ================================================================ docstrings, assert, print


def with_docstring(x):
    """Return x cubed plus sin x."""
    return x**3 + np.sin(x)


def with_assert(x):
    assert x.shape == (3,), "expected a vector"
    y = x * 2.0
    assert np.all(np.isfinite(y))
    return np.sum(y * y)


def with_print(x):
    print("x is", x)
    y = np.exp(x)
    print(y)
    return y


def with_print_in_loop(x):
    """Docstring, print and assert together."""
    for i in range(2):
        print("iter", i, x)
        assert x > 0
        x = x * x + 0.1
    return x


# ================================================================ gradients of dicts, lists, tuples


def dict_params(params, x):
    h = np.tanh(x @ params["W"] + params["b"])
    return np.sum(h**2)


def dict_params_loop(params, x):
    h = x
    for _ in range(2):
        h = np.tanh(h * params["a"] + params["c"])
    return np.sum(h)


def dict_params_branch(params, x):
    if np.sum(params["w"] * x) > 0:
        return np.sum(params["w"] ** 2 * x)
    return np.sum(params["w"] * params["s"])


def list_params(ws, x):
    h = x
    for w in ws:
        h = np.tanh(h @ w)
    return np.sum(h)


def tuple_params(p, x):
    a, b = p
    return np.sum((a * x + b) ** 2)


def nested_params(params, x):
    h = x
    for W, b in params["layers"]:
        h = np.tanh(h @ W + b)
    return np.sum(h) * params["scale"]


def dict_unused_key(params, x):
    return np.sum(params["a"] * x)


def list_of_scalars(ps, x):
    return ps[0] * x + ps[1] * x * x + ps[-1]


def dict_of_scalars_while(params):
    y = params["x0"]
    while y < 10.0:
        y = y * params["r"]
    return y


def dict_second_arg(x, params):
    return np.sum(np.sin(x * params["k"]) + params["k"])


def horner_list(coeffs, x):
    acc = 0.0
    for c in coeffs:
        acc = acc * x + c
    return acc


def dict_params_helper(params, x):
    return np.sum(_layer(params["w"], x) * params["v"])


# ================================================================ lists built in loops


def append_read_last(x):
    xs = [x]
    for _ in range(4):
        xs.append(np.sin(xs[-1]) + x)
    return xs[-1]


def append_stack(x):
    xs = []
    for k in range(3):
        xs.append(x * k + np.cos(x))
    return np.sum(np.stack(xs) ** 2)


def append_sum(x):
    xs = []
    for k in range(4):
        xs.append(x**k)
    return np.sum(sum(xs))


def append_in_branch(x):
    xs = []
    for v in x:
        if v > 0:
            xs.append(v * v)
        else:
            xs.append(-v)
    return sum(xs)


def append_while(x):
    xs = [x]
    while xs[-1] < 5.0:
        xs.append(xs[-1] * 1.7)
    return sum(xs) + len(xs)


def append_index_middle(x):
    xs = []
    for k in range(5):
        xs.append(np.sin(x + k))
    return xs[1] * xs[3] + xs[-2]


def append_rnn(W, xs):
    h = np.zeros(2)
    hs = []
    for x in xs:
        h = np.tanh(W @ h + x)
        hs.append(h)
    return np.sum(np.stack(hs) ** 2)


def append_then_loop_over(x):
    xs = []
    for k in range(3):
        xs.append(x + k)
    p = 1.0
    for v in xs:
        p = p * v
    return p


# ================================================================ combinations


def loop_in_branch(x):
    if x > 0:
        for _ in range(3):
            x = np.sin(x) + x
    else:
        i = 0
        while i < 2:
            x = x * x
            i += 1
    return x


def static_branch_in_loop(x):
    y = x
    for i in range(6):
        if i % 2 == 0:
            y = y * np.cos(y)
        elif i % 3 == 0:
            y = y + 1.0
        else:
            y = y * 1.1
    return y


def data_branch_in_loop(x):
    y = x
    for _ in range(5):
        if y > 1.0:
            y = np.sqrt(y)
        else:
            y = y * 2.5
    return y


def branch_in_loop_over_rows(X):
    s = 0.0
    for r in X:
        m = np.max(r)
        if m > 0.5:
            s = s + np.sum(r * r)
        else:
            s = s - np.sum(np.exp(r))
    return s


def inner_gradient_descent(x, w):
    z = w
    for _ in range(5):
        g = 2.0 * (z - x)
        z = z - 0.1 * g
    return np.sum(z**2)


def newton_with_break(a):
    x = 1.0
    while True:
        fx = x * x * x + a * x - 1.0
        if abs(fx) < 1e-13:
            break
        x = x - fx / (3 * x * x + a)
    return x


def fixed_point_cos(a):
    x = 0.0
    for _ in range(200):
        xn = np.cos(a * x)
        if abs(xn - x) < 1e-14:
            return xn
        x = xn
    return x


def logsumexp_loop(x):
    m = x[0]
    for v in x:
        if v > m:
            m = v
    return np.log(np.sum(np.exp(x - m))) + m


def zip_branch_break(x, y):
    s = 0.0
    for a, b in zip(x, y):
        if a * b < 0:
            continue
        s = s + a * b
        if s > 5.0:
            break
    return s


def while_helper_break(x):
    y = x
    n = 0
    while True:
        y = _leaky(y) * 0.5 + 0.3
        n += 1
        if n >= 4 or y > 10.0:
            break
    return y


def power_iteration(A):
    v = np.ones(A.shape[0])
    for _ in range(30):
        w = A @ v
        v = w / np.linalg.norm(w)
    return v @ A @ v


def euler_ode(y0, k):
    y = y0
    t = 0.0
    while t < 1.0 - 1e-9:
        y = y + 0.1 * (-k * y)
        t = t + 0.1
    return y


def broadcast_loop(x, b):
    y = x
    for _ in range(3):
        y = np.tanh(y + b) * b
    return np.sum(y)


def matrix_elif(W, x):
    h = W @ x
    s = np.sum(h)
    if s > 1.0:
        out = np.sum(h**2)
    elif s > -1.0:
        out = np.sum(np.sin(h))
    else:
        out = -s
    return out


def cumulative_products(x):
    prods = []
    p = 1.0
    for i, v in enumerate(x):
        p = p * v
        prods.append(p * i)
    return sum(prods)


def lambda_with_branch_in_loop(x):
    f = lambda u: u * u if u < 1.0 else np.sqrt(u)
    y = x
    for _ in range(4):
        y = f(y) + 0.3
    return y


def closure_helper_recursion_loop(x):
    def g(u):
        return _p(u, 2) + _leaky(u)

    s = 0.0
    for k in range(3):
        if k == 1:
            continue
        s = s + g(x * (k + 1))
    return s


def dict_while_branch_append(params, x):
    hs = []
    h = x
    i = 0
    while i < 3:
        h = np.tanh(h * params["w"] + params["b"])
        if np.sum(h) > 0:
            hs.append(h)
        else:
            hs.append(-h)
        i += 1
    return np.sum(np.stack(hs) * params["w"])


def early_return_helper_in_nested(x):
    for i in range(3):
        for j in range(3):
            y = _poly(x, a=float(i), b=float(j))
            if y > 6.0:
                return y * _sq(x)
    return x


def loop_over_list_of_pairs(x):
    s = 0.0
    for a, b in [(x, 1.0), (x * x, 2.0), (np.sin(x), 3.0)]:
        s = s + a * b
    return s


def reversed_enumerate_style(x):
    s = 0.0
    n = len(x)
    for i in range(n - 1, -1, -1):
        s = s * 0.5 + x[i] * x[n - 1 - i]
    return s


def method_and_comprehension(x):
    return sum(np.sum(m.predict(x)) ** 2 for m in [M, OTHER])


def seed_control_flow(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    c = b if b.sum() > 0 else 100 * b
    return c.sum()


# ================================================================ more combinations


def body_var_after_loop(x):
    for k in range(3):
        t = x * k
    return t


def _return_in_loop(u):
    for _ in range(5):
        u = u * 1.5
        if u > 2.0:
            return u
    return -u


def call_helper_return_in_loop(x):
    return _return_in_loop(x) * x


def augmented_in_loop(x):
    s = 0.0
    for v in x:
        s += v * v
        s *= 1.1
    return s


def while_in_if_with_return(x):
    if x > 0:
        while x < 10.0:
            x = x * 3.0
            if x > 8.0:
                return x * x
    return x


def zip_three(x, y, z):
    s = 0.0
    for a, b, c in zip(x, y, z):
        s = s + a * b * c
    return s


def defined_in_one_branch(x):
    if x > 0:
        y = x * 2
    if x > 0:
        return y * y
    return x


def listcomp_of_listcomp(x):
    ys = [x * k for k in range(3)]
    return sum([y * y for y in ys])


def _kw_recursion(u, n=3, scale=1.0):
    if n == 0:
        return scale
    return u * _kw_recursion(u, n=n - 1, scale=scale * 0.5)


def call_keyword_recursion(x):
    return _kw_recursion(x, scale=2.0)


def list_arg_append_stack(xs):
    out = []
    for v in xs:
        out.append(v * v)
    return np.sum(np.stack(out))


def dict_with_nested_tuple(p):
    a, (b, c) = p["t"]
    return np.sum(a * b + c * p["s"])


def while_and_counter_break(x):
    k = 0
    while x < 100.0 and k < 10:
        x = x * 2.0 + 1.0
        k += 1
        if x > 50.0:
            break
    return x


def _genexp_helper(u):
    return sum(u**k for k in range(3))


def call_genexp_helper(x):
    return _genexp_helper(x) * 2.0


def return_in_while_true_counter(x):
    k = 0
    while True:
        k += 1
        if k > 3:
            return x
        x = np.sin(x) + x


def continue_in_nested_while(x):
    i = 0
    while i < 3:
        i += 1
        j = 0
        while j < 3:
            j += 1
            if j == 2:
                continue
            x = x * 1.1
    return x


def tuple_swap_in_loop(x):
    a, b = x, 1.0
    for _ in range(3):
        a, b = a + b, a * b
    return a


def closure_sees_rebinding(x):
    f = lambda u: u * x
    x = x * 2.0
    return f(3.0)


def two_loops_same_target(x):
    s = 0.0
    for v in x:
        s = s + v
    for v in x:
        s = s * v
    return s


def elif_in_loop_with_break(x):
    for _ in range(10):
        if x > 5.0:
            break
        elif x > 2.0:
            x = x * 1.5
        else:
            x = x * 3.0
    return x


def range_from_argument_negative_step(x, n):
    s = 1.0
    for i in range(n, 0, -2):
        s = s * x + i
    return s


def return_from_else_in_loop(x):
    for k in range(3):
        if x < 1.0:
            x = x * 2
        else:
            return x * k
    return x


def cond_expr_in_loop(x):
    y = 0.0
    for k in range(4):
        y = y + (x * k if k % 2 else np.sin(x))
    return y


def nested_lists_append(x):
    outer = []
    for i in range(2):
        inner = []
        for j in range(2):
            inner.append(x * (i + j + 1))
        outer.append(sum(inner))
    return sum(outer)


def break_inner_continue_outer(x):
    for _ in range(3):
        for _ in range(3):
            x = x * 1.2
            if x > 2.0:
                break
        if x > 3.0:
            continue
        x = x + 0.1
    return x


def return_after_inner_while(x):
    for i in range(3):
        while x < 100.0:
            x = x * 2.0
            if x > 10.0 * (i + 1):
                break
        if x > 25.0:
            return x * x
    return x


def _return_in_nested(u):
    for _ in range(3):
        for _ in range(2):
            u = u * 1.5
            if u > 4.0:
                return u
    return u


def call_helper_return_in_nested(x):
    return _return_in_nested(x) + x


def return_variable_used_later(a):
    x = 1.0
    for _ in range(3):
        y = a * x
        if y > 3.0:
            return y
        x = y
    return x


def return_sum_after_loop_carried(a):
    x = 1.0
    s = 0.0
    for _ in range(4):
        y = a * x
        if y > 3.0:
            return y + s
        s = s + y
        x = y
    return s


def break_then_use_body_var(a):
    x = 1.0
    for _ in range(4):
        y = a * x
        if y > 3.0:
            break
        x = y
    return x + y


def continue_skips_update(a):
    x = 1.0
    for k in range(4):
        y = a * x
        if k == 1:
            continue
        x = y
    return x + y


def list_built_read_some(x):
    xs = []
    xs.append(x * 2.0)
    xs.append(x * 3.0)
    return xs[0]


# ================================================================ the table

X3 = vec(0.3, -0.8, 1.2)
X4P = vec(0.4, 1.3, 0.7, 2.1)
LIN_M = Linear(np.array([0.3, 0.9, -0.4]), 0.2)

CORPUS = [
    # branches
    row(if_else_scalar, (1.5,), (-0.7,)),
    row(if_no_else, (2.0,), (0.3,)),
    row(if_elif_else, (-2.0,), (0.5,), (2.5,)),
    row(elif_chain_no_else, (-1.0,), (1.0,), (3.0,), (5.0,)),
    row(nested_if_else, (1.0, 2.0), (1.0, -2.0), (-1.0, 2.0), (-1.5, -0.5), wrt=(0, 1)),
    row(nested_if_no_else, (-0.5,), (0.5,), (2.0,)),
    row(nested_if_three_levels, (2.0, 1.0), (1.0, 2.0), (1.0, -1.0), (-1.0, 0.5), wrt=(0, 1)),
    row(if_array_sum, (X3,), (-X3,)),
    row(if_mean_broadcast, (rand(3, 2), vec(0.5, -1.5)), (rand(3, 2), vec(1.0, 2.0)),
        wrt=(0, 1)),
    row(cond_expr, (1.5,), (-0.5,)),
    row(cond_expr_nested, (-1.0,), (1.0,), (3.0,)),
    row(cond_expr_in_arith, (2.0, 1.0), (1.0, 2.0), (-1.0, -2.0), wrt=(0, 1)),
    row(cond_expr_array, (X3,), (-X3,)),
    row(branch_uses_other_var, (2.0, 1.0), (0.5, 0.5), wrt=(0, 1)),
    row(branch_assigns_two, (0.8,), (-0.8,)),
    row(branch_on_int_arg, (2.0, 1), (2.0, 0)),
    row(branch_and_or, (1.0, 2.0), (1.0, -2.0), (-1.0, 2.0), (-1.0, -2.0), wrt=(0, 1)),
    row(branch_not, (0.5,), (2.0,)),
    row(branch_reassign_then_use, (0.7,), (-0.7,)),
    row(if_matrix, (rand(3, 3), X3), (rand(3, 3), -X3)),
    row(branch_chained_comparison, (0.5,), (1.5,), (-0.5,)),
    row(branch_only_one_side_defines, (0.2,), (2.0,)),
    # while
    row(while_double, (1.3,), (0.7,), (3.0,)),
    row(while_counter, (0.5, 3), (1.2, 0), (-0.3, 5)),
    row(newton_sqrt, (2.0,), (9.0,), (0.3,)),
    row(newton_cbrt, (2.0,), (27.0,), (0.5,)),
    row(while_true_break, (0.5,), (3.0,), (7.0,)),
    row(while_continue, (0.5,), (-0.3,)),
    row(while_array_norm, (vec(0.3, 0.4),), (vec(1.0, -2.0, 0.5),)),
    row(while_swap, (0.9, 1.1), (1.2, 0.4), wrt=(0, 1)),
    row(while_decreasing, (7.0,), (3.3,), (0.5,)),
    row(while_zero_trips, (3.0,), (300.0,)),
    row(while_compound_condition, (1.5,), (0.2,), (60.0,)),
    # for over range
    row(for_range1, (1.1, 3), (0.9, 0), (-0.7, 5)),
    row(for_range2, (0.7,), (-1.3,)),
    row(for_range3, (0.5,), (-1.5,)),
    row(for_range_negative_step, (0.5,), (-2.0,)),
    row(for_range_negative_step_three, (0.5,), (2.0,)),
    row(for_range_len, (X3,), (X4P,)),
    row(for_range_shape_index, (X3,), (X4P,)),
    row(for_taylor_exp, (X3, 5), (vec(2.0), 8)),
    row(for_loop_var_in_math, (0.4,), (-1.1,)),
    row(for_loop_var_after_loop, (0.4,), (-2.0,)),
    # for over arrays, lists, tuples, zip, enumerate
    row(for_over_rows, (rand(4, 3), X3), (rand(2, 3), -X3), wrt=(0, 1)),
    row(for_over_vector, (X3,), (X4P,)),
    row(for_over_list_literal, (1.3,), (0.4,)),
    row(for_over_tuple_literal, (0.3,), (-1.2,)),
    row(for_over_list_of_arrays, (X3,), (0.7,)),
    row(for_over_list_arg, ([X3, vec(1.0, 2.0)],), ([0.5, X3, rand(2, 2)],)),
    row(for_over_tuple_arg, ((1.5, -0.5, 2.0),), ((0.3, 0.7),)),
    row(for_zip, (X3, vec(1.0, 2.0, -1.0)), (X4P, -X4P), wrt=(0, 1)),
    row(for_zip_lists, (0.3,), (-1.1,)),
    row(for_enumerate, (X3,), (X4P,)),
    row(for_enumerate_start, (X3,), (X4P,)),
    row(for_enumerate_zip, (X3, vec(1.0, 2.0, -1.0)), (X4P, X4P * 0.5), wrt=(0, 1)),
    row(for_over_matrix_rows_outer, (rand(3, 2),), (rand(2, 4),)),
    # break and continue
    row(for_break, (1.0,), (0.5,), (5.0,)),
    row(for_continue, (0.8,), (-1.2,)),
    row(for_break_on_data, (vec(1.0, 2.0, -1.0, 3.0),), (X4P,), (vec(-1.0, 2.0),)),
    row(for_continue_on_data, (vec(1.0, -2.0, 0.5, 3.0),), (X4P,)),
    row(break_in_inner_loop, (0.7,), (1.4,)),
    row(continue_in_inner_loop, (0.3,), (2.0,)),
    row(break_and_continue, (0.5,), (2.0,), (5.0,)),
    row(while_break_and_continue, (0.4,), (1.0,)),
    row(break_outer_after_inner, (0.3,), (1.0,), (3.0,)),
    # return anywhere
    row(return_in_branch, (1.5,), (-1.5,)),
    row(return_in_for, (0.3,), (1.0,), (-1.0,)),
    row(return_in_while, (1.0,), (9.0,), (0.3,)),
    row(return_in_nested_loops, (0.5,), (2.0,), (-5.0,)),
    row(return_deep_in_loop, (vec(1.0, -0.5, 3.0, 1.0),), (vec(0.5, -1.0, 1.5),)),
    row(return_from_else, (-1.5,), (1.5,)),
    row(return_in_while_in_for, (0.5,), (3.0,), (-1.0,)),
    row(return_loop_falls_through, (0.5,), (150.0,), (30.0,)),
    row(return_early_search, (vec(0.5, 0.2, 1.5, 3.0),), (vec(0.5, 0.2),)),
    # nested loops
    row(nested_for_for, (0.3,), (-1.1,)),
    row(nested_three_deep, (0.3,), (2.0,)),
    row(nested_four_deep, (0.3,), (-0.8,)),
    row(nested_while_in_for, (0.3,), (-2.0,)),
    row(nested_for_in_while, (0.5,), (3.0,), (25.0,)),
    row(nested_matrix_loops, (rand(2, 3), X3), (rand(3, 3), -X3), wrt=(0, 1)),
    row(nested_inner_depends_outer, (0.7,), (-1.3,)),
    row(nested_rows_and_elements, (rand(2, 3),), (rand(3, 1),)),
    # calls
    row(call_helper, (0.7,), (-1.1,)),
    row(call_helper_twice, (0.7,), (-1.3,)),
    row(call_helper_calls_helper, (0.7,), (X3,)),
    row(call_recursion, (0.7,), (-1.3,)),
    row(call_recursion_with_if, (0.7,), (-1.3,)),
    row(call_keywords, (0.7,), (X3,)),
    row(call_defaults, (0.7,), (-1.1,)),
    row(call_kwonly, (0.7,), (-1.1,)),
    row(call_multiple_returns, (0.7,), (X3,)),
    row(call_three_returns, (0.7, 1.3), (-1.1, -1.5), wrt=(0, 1)),
    row(call_tuple_result_indexed, (0.7,), (-1.1,)),
    row(call_helper_in_loop, (0.3,), (-0.4,)),
    row(call_helper_with_loop, (0.3,), (-1.1,)),
    row(call_helper_with_branch, (0.6,), (-0.6,)),
    row(call_helper_arrays, (X3, rand(4, 3)), (-X3, rand(2, 3)), wrt=(0, 1)),
    row(call_helper_in_branch, (0.6,), (-0.6,)),
    row(call_helper_in_while, (0.6,), (2.0,), (40.0,)),
    row(call_recursion_in_loop, (0.6,), (-1.6,)),
    row(call_helper_wrt_second, (0.6, 1.5), (-1.2, 0.4), wrt=1),
    row(unpack_nested_result, (0.6,), (-1.1,)),
    row(unpack_in_loop, (X3, vec(0.5, -1.0, 0.3)), (0.8, X3), wrt=(0, 1)),
    row(kwonly_top_level, (0.7,), (-1.1,)),
    row(default_top_level, (0.7,), (-1.1,)),
    # closures, lambdas, local defs
    row(closure_scalar, (0.3,), (-1.1,), id="closure_scalar"),
    row(closure_array, (0.3,), (vec(1.0, 2.0, 3.0),), id="closure_array"),
    row(closure_loop, (0.3,), (-1.1,), id="closure_loop"),
    row(local_lambda, (0.7,), (-1.1,)),
    row(local_lambda_captures, (0.7, 1.5), (X3, -0.5), wrt=(0, 1)),
    row(local_def, (0.7,), (X3,)),
    row(local_def_captures_local, (0.7,), (-1.1,)),
    row(local_def_with_loop, (0.7,), (-1.1,)),
    row(local_lambda_in_loop, (0.7,), (-1.1,)),
    row(local_def_with_branch, (0.7,), (3.0,), (-1.0,)),
    row(local_def_nested, (0.7,), (-1.1,)),
    row(lambda_default, (0.7,), (-1.1,)),
    # imported names
    row(imported_exp, (0.7,), (-1.1,)),
    row(imported_sin_in_loop, (0.7,), (-1.1,)),
    row(imported_sum, (X3,), (rand(2, 2),)),
    row(imported_numpy_alias, (X3,), (rand(2, 2),)),
    row(imported_math_alias, (0.7,), (-2.0,)),
    row(imported_norm, (X3,), (rand(2, 2),)),
    # methods
    row(method_global_instance, (X3,), (0.5,)),
    row(method_argument_instance, (X3, LIN_M), (X3, M)),
    row(method_calls_method, (X3,), (-X3,)),
    row(method_in_loop, (X3, LIN_M), (-X3, M)),
    row(method_with_default, (X3,), (-X3,)),
    row(method_in_branch, (X4P[:3], LIN_M), (-X4P[:3], LIN_M)),
    # comprehensions and generators
    row(genexp_powers, (0.7,), (-1.1,)),
    row(listcomp_sum, (0.7,), (-1.1,)),
    row(listcomp_over_array, (X3,), (X4P,)),
    row(listcomp_with_if, (X3,), (X4P,)),
    row(listcomp_stack, (X3,), (rand(2, 2),)),
    row(genexp_zip, (X3, X4P[:3]), (X4P, -X4P), wrt=(0, 1)),
    row(listcomp_two_fors, (0.7,), (-1.1,)),
    row(listcomp_calls_helper, (X3,), (X4P,)),
    row(genexp_in_loop, (0.7,), (-0.4,)),
    row(listcomp_over_list_arg, ([X3, 0.5],), ((X3, rand(2, 2)),)),
    # docstrings, assert, print
    row(with_docstring, (0.7,), (-2.0,)),
    row(with_assert, (X3,), (X4P[:3],)),
    row(with_print, (0.7,), (-2.0,)),
    row(with_print_in_loop, (0.7,), (2.0,)),
    # dict / list / tuple gradients
    row(dict_params, ({"W": rand(3, 2), "b": vec(0.1, -0.2)}, rand(4, 3)),
        ({"W": rand(2, 1), "b": 0.3}, rand(3, 2))),
    row(dict_params_loop, ({"a": 0.7, "c": vec(0.1, -0.2, 0.3)}, X3),
        ({"a": vec(1.0, -1.0, 0.5), "c": 0.2}, X3)),
    row(dict_params_branch, ({"w": X3, "s": 0.5}, vec(1.0, 0.0, 1.0)),
        ({"w": X3, "s": 0.5}, vec(-1.0, 0.0, -1.0))),
    row(list_params, ([rand(3, 3), rand(3, 2)], rand(4, 3)), ((rand(2, 2),), rand(2))),
    row(tuple_params, ((X3, 0.5), X3 * 2.0), ((1.5, X3), X4P[:3])),
    row(nested_params, ({"layers": [(rand(3, 3), rand(3)), (rand(3, 2), rand(2))],
                         "scale": 1.5}, rand(2, 3)),
        ({"layers": [(rand(2, 1), 0.5)], "scale": 2.0}, rand(2))),
    row(dict_unused_key, ({"a": X3, "b": vec(1.0, 2.0)}, X4P[:3]), ({"a": 0.5, "b": 1.0}, X3)),
    row(list_of_scalars, ([0.5, -1.0, 2.0], 0.7), ([-1.1, 1.0, 0.5], 1.5)),
    row(dict_of_scalars_while, ({"x0": 1.3, "r": 1.9},), ({"x0": 0.4, "r": 1.2},)),
    row(dict_second_arg, (X3, {"k": 0.8}), (X3, {"k": vec(1.0, 2.0, 0.5)}), wrt=1),
    row(horner_list, ([1.0, -2.0, 0.5, 3.0], 0.7), ((2.0, 1.0), -1.1), wrt=(0, 1)),
    row(dict_params_helper, ({"w": X3, "v": vec(1.0, -1.0)}, rand(2, 3)),
        ({"w": rand(2, 2), "v": 0.5}, rand(3, 2))),
    # lists built in loops
    row(append_read_last, (0.7,), (-1.1,)),
    row(append_stack, (0.7,), (X3,)),
    row(append_sum, (0.7,), (X3,)),
    row(append_in_branch, (X3,), (X4P,)),
    row(append_while, (0.7,), (3.0,), (8.0,)),
    row(append_index_middle, (0.7,), (-1.1,)),
    row(append_rnn, (rand(2, 2) * 0.5, rand(3, 2)), (rand(2, 2), rand(1, 2)), wrt=(0, 1)),
    row(append_then_loop_over, (0.7,), (-1.1,)),
    # combinations
    row(loop_in_branch, (0.7,), (-0.7,)),
    row(static_branch_in_loop, (0.7,), (-1.3,)),
    row(data_branch_in_loop, (0.7,), (3.0,), (0.05,)),
    row(branch_in_loop_over_rows, (vec(0.1, 0.9, 0.2, 0.3).reshape(2, 2),),
        (vec(0.1, 0.2, 0.3, 0.8, 1.0, -1.0).reshape(3, 2),)),
    row(inner_gradient_descent, (X3, X3 * 0.5), (0.5, X3), wrt=(0, 1)),
    row(newton_with_break, (1.0,), (3.0,), (0.5,)),
    row(fixed_point_cos, (0.5,), (1.2,)),
    row(logsumexp_loop, (X3,), (X4P,)),
    row(zip_branch_break, (X3, vec(1.0, 2.0, 0.5)), (vec(2.0, 2.0, 1.0), vec(1.0, 2.0, 3.0)),
        wrt=(0, 1)),
    row(while_helper_break, (0.4,), (-0.4,), (30.0,)),
    row(power_iteration, (vec(2.0, 0.5, 0.5, 1.0).reshape(2, 2),),
        (vec(3.0, 1.0, 0.0, 1.0, 2.0, 0.5, 0.0, 0.5, 1.0).reshape(3, 3),)),
    row(euler_ode, (1.5, 0.7), (-0.5, 2.0), wrt=(0, 1)),
    row(broadcast_loop, (rand(2, 3), X3), (rand(3), 0.5), wrt=(0, 1)),
    row(matrix_elif, (rand(2, 3), X3), (np.eye(3), vec(0.1, 0.2, 0.3)),
        (np.eye(2), vec(-1.0, -1.0))),
    row(cumulative_products, (X3,), (X4P,)),
    row(lambda_with_branch_in_loop, (0.5,), (3.0,)),
    row(closure_helper_recursion_loop, (0.5,), (-0.3,)),
    row(dict_while_branch_append, ({"w": X3, "b": 0.1}, X3), ({"w": 0.5, "b": -2.0}, X3)),
    row(early_return_helper_in_nested, (0.7,), (2.1,), (-0.1,)),
    row(loop_over_list_of_pairs, (0.7,), (-1.1,)),
    row(reversed_enumerate_style, (X3,), (X4P,)),
    row(method_and_comprehension, (X3,), (0.4,)),
    row(seed_control_flow, (vec(0.3, -0.2, 0.5),), (vec(-0.3, -0.2, 0.1),), (np.array(1.7),)),
    # more combinations
    row(body_var_after_loop, (1.5,), (-0.8,)),
    row(call_helper_return_in_loop, (0.5,), (3.0,), (-1.0,)),
    row(augmented_in_loop, (X3,), (X4P,)),
    row(while_in_if_with_return, (0.5,), (-0.5,), (2.0,)),
    row(zip_three, (X3, X4P[:3], vec(0.5, 0.6, 0.7)), (vec(1.0), vec(2.0), vec(3.0)),
        wrt=(0, 1, 2)),
    row(defined_in_one_branch, (1.5,), (-1.5,)),
    row(listcomp_of_listcomp, (1.5,), (-0.4,)),
    row(call_keyword_recursion, (1.5,), (-0.4,)),
    row(list_arg_append_stack, ([1.0, 2.0],), ([X3, -X3],)),
    row(dict_with_nested_tuple, ({"t": (1.0, (2.0, 3.0)), "s": 0.5},),
        ({"t": (X3, (0.5, X3)), "s": vec(1.0, 2.0, 3.0)},)),
    row(while_and_counter_break, (1.0,), (0.1,), (60.0,)),
    row(call_genexp_helper, (1.5,), (-0.4,)),
    row(return_in_while_true_counter, (0.5,), (-2.0,)),
    row(continue_in_nested_while, (1.0,), (-0.3,)),
    row(tuple_swap_in_loop, (0.5,), (-1.5,)),
    row(closure_sees_rebinding, (1.5,), (-0.4,)),
    row(two_loops_same_target, (vec(1.0, 2.0),), (X3,)),
    row(elif_in_loop_with_break, (0.5,), (3.0,), (7.0,)),
    row(range_from_argument_negative_step, (0.5, 5), (-1.5, 4), (0.5, 0)),
    row(return_from_else_in_loop, (0.3,), (1.5,), (-4.0,)),
    row(cond_expr_in_loop, (0.7,), (-1.4,)),
    row(nested_lists_append, (0.7,), (-1.4,)),
    row(break_inner_continue_outer, (1.0,), (0.3,), (5.0,)),
    row(return_after_inner_while, (1.0,), (0.3,), (7.0,)),
    row(call_helper_return_in_nested, (1.0,), (0.3,), (5.0,)),
    row(return_variable_used_later, (1.5,), (0.5,), (5.0,)),
    row(return_sum_after_loop_carried, (1.5,), (0.5,), (5.0,)),
    row(break_then_use_body_var, (1.5,), (0.5,), (5.0,)),
    row(continue_skips_update, (1.5,), (-0.5,)),
    row(list_built_read_some, (1.5,), (-0.8,)),
]


def test_corpus_size():
    assert len(CORPUS) >= 130


@pytest.mark.parametrize("fn, inputs, wrt", CORPUS)
def test_gradient_matches_finite_differences(fn, inputs, wrt):
    for args in inputs:
        check(fn, args, wrt)


# ================================================================ minimal repros of the known bugs


def repro_loop_target_after_loop(x):
    for i in range(3):
        x = x * 2.0 + i
    return x * i


def repro_enumerate_start(x):
    s = 0.0
    for i, v in enumerate(x, 1):
        s = s + v * i
    return s


def repro_zip_in_enumerate(x, y):
    s = 0.0
    for _, (a, b) in enumerate(zip(x, y)):
        s = s + a * b
    return s


def repro_return_in_inner_loop(x):
    # at x = 1.0 the value is 8 and the gradient 8; s2sad gives (4.0, 4.0)
    for _ in range(2):
        for _ in range(2):
            x = x * 2.0
            if x > 5.0:
                return x
    return x


def repro_return_body_variable(a):
    # at a = 1.5 the value is 2.25 and the gradient 3; s2sad's gradient is 0
    x = 1.0
    for _ in range(2):
        y = a * x
        if y > 2.0:
            return y
        x = y
    return x


REPROS = [
    row(repro_loop_target_after_loop, (0.4,)),
    row(repro_enumerate_start, (vec(1.0, 2.0),)),
    row(repro_zip_in_enumerate, (vec(1.0, 2.0), vec(3.0, 4.0))),
    row(repro_return_in_inner_loop, (1.0,)),
    row(repro_return_body_variable, (1.5,)),
]


@pytest.mark.parametrize("fn, inputs, wrt", REPROS)
def test_fixed_bug_regressions(fn, inputs, wrt):
    # minimal repros of bugs this corpus found (all fixed): keep them fixed
    for args in inputs:
        check(fn, args, wrt)


# ================================================================ exact values


def _seed_forward(a):
    """c and the factor k with c = k * a, computed alongside."""
    b, k = a * 2, 2.0
    while np.linalg.norm(b) < 1000:
        b, k = b * 2, k * 2.0
    return (b, k) if b.sum() > 0 else (100 * b, 100 * k)


@pytest.mark.parametrize(
    "a",
    [vec(0.3, -0.2, 0.5), vec(1.0, 2.0, 3.0), vec(-0.3, -0.2, 0.1), vec(-5.0, 1.0),
     np.float64(1.7), np.float64(-2.5)],
    ids=["mixed_positive_sum", "positive", "mixed_negative_sum", "negative", "scalar",
         "negative_scalar"],
)
def test_seed_control_flow_gradient_is_c_over_a(a):
    c, k = _seed_forward(a)
    g = s2sad.grad(seed_control_flow)(a)
    assert np.shape(g) == np.shape(a)
    # c = k a, so the gradient of c.sum() is k everywhere: c / a up to rounding of c.
    np.testing.assert_array_equal(g, np.full(np.shape(a), k))
    np.testing.assert_allclose(g, c / a, rtol=1e-15, atol=0)


def test_recursion_value():
    for u in (0.7, -1.3, 2.0):
        assert s2sad.grad(call_recursion)(u) == pytest.approx(4 * u**3, rel=1e-12)


def test_genexp_powers_value():
    for u in (0.7, -1.3):
        assert s2sad.grad(genexp_powers)(u) == pytest.approx(1 + 2 * u + 3 * u**2, rel=1e-12)


def test_for_range1_value():
    for u, n in ((1.1, 3), (0.9, 0), (-0.7, 5)):
        assert s2sad.grad(for_range1)(u, n) == pytest.approx(n * u ** (n - 1) if n else 0.0,
                                                             rel=1e-12, abs=1e-15)


def test_newton_values():
    for a in (2.0, 9.0, 0.3):
        assert s2sad.grad(newton_sqrt)(a) == pytest.approx(0.5 / math.sqrt(a), rel=1e-10)
        assert s2sad.grad(newton_cbrt)(a) == pytest.approx(a ** (-2 / 3) / 3, rel=1e-10)


def test_dict_gradient_structure_and_value():
    W, b, x = rand(3, 2), vec(0.1, -0.2), rand(4, 3)
    g = s2sad.grad(dict_params)({"W": W, "b": b}, x)
    assert isinstance(g, dict) and list(g) == ["W", "b"]
    h = np.tanh(x @ W + b)
    dz = 2 * h * (1 - h**2)
    np.testing.assert_allclose(g["W"], x.T @ dz, rtol=1e-12)
    np.testing.assert_allclose(g["b"], dz.sum(axis=0), rtol=1e-12)


def test_unused_dict_key_gets_zero_gradient():
    a, b, x = X3, vec(1.0, 2.0), X4P[:3]
    g = s2sad.grad(dict_unused_key)({"a": a, "b": b}, x)
    np.testing.assert_allclose(g["a"], x, rtol=1e-12)
    np.testing.assert_array_equal(g["b"], np.zeros(2))


def test_nested_structure_gradient():
    params = {"layers": [(rand(3, 3), rand(3)), (rand(3, 2), rand(2))], "scale": 1.5}
    g = s2sad.grad(nested_params)(params, rand(2, 3))
    assert isinstance(g["layers"], list) and all(isinstance(p, tuple) for p in g["layers"])
    assert isinstance(g["scale"], float)


def test_method_gradient_value():
    x = X3
    g = s2sad.grad(method_argument_instance)(x, LIN_M)
    np.testing.assert_allclose(g, np.cos(LIN_M.w * x + LIN_M.b) * LIN_M.w, rtol=1e-12)


def test_closure_value():
    assert s2sad.grad(closure_scalar)(0.3) == pytest.approx(1.7 * math.cos(0.51), rel=1e-12)


# ================================================================ tape memory


def scalar_loop(x, n):
    for _ in range(n):
        x = np.sin(x) * 0.9 + 0.1 * x * x
    return x


def _scalar_loop_derivative(x, n):
    d = 1.0
    for _ in range(n):
        d = d * (0.9 * math.cos(x) + 0.2 * x)
        x = math.sin(x) * 0.9 + 0.1 * x * x
    return d


def test_scalar_loop_matches_finite_differences():
    for x in (0.5, -0.3):
        # Every start point is drawn to the fixed point 0, where the map's slope is
        # 0.9: after 1000 steps the derivative is ~1e-46, so FD only sees "about 0".
        # 30 steps keep it large enough for FD to mean something.
        check(scalar_loop, (x, 30))
        g = check(scalar_loop, (x, 1000))
        assert g == pytest.approx(_scalar_loop_derivative(x, 1000), rel=1e-9)


def test_scalar_loop_long_run():
    n = 100_000
    s2sad.grad(scalar_loop)(0.5, 10)  # compile outside the measurement
    tracemalloc.start()
    try:
        g = s2sad.grad(scalar_loop)(0.5, n)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The exact derivative underflows to (subnormal) 0 by now.
    assert g == pytest.approx(_scalar_loop_derivative(0.5, n), abs=1e-300)
    # One float object (32 bytes) plus a list slot (8) per iteration fits; two do not.
    assert peak < 48 * n, f"peak {peak} bytes for {n} iterations"


def test_scalar_loop_tapes_one_value_per_iteration():
    source = s2sad.show(scalar_loop)
    assert source.count(".append(") == 1, source
