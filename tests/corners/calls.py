"""Helpers: keyword-only parameters, defaults, keyword arguments, several returns, methods."""
import functools
import math

import numpy as np

from .support import CaseList

CASES = CaseList()
case = CASES.case


V3 = lambda: (np.array([0.5, -1.0, 2.0]),)
C3 = np.array([1.0, 2.0, 3.0])


def h_kwonly(a, *, c):
    return a * c


def h_kwonly_default(a, *, c=2.0, d=3.0):
    return a * c + d * a * a


def h_default(a, b=2.0):
    return a ** 2 * b


def h_two(a, b):
    return a * b, a + b


def h_three(a):
    return a, a * 2.0, np.sin(a)


def h_inner(a, scale):
    return np.exp(a * scale)


def h_outer(a, *, scale=1.0):
    return h_inner(a, scale=scale) + h_inner(scale=-scale, a=a)


def h_recursive(a, n):
    if n == 0:
        return a
    return h_recursive(np.sin(a) + a, n - 1)


def h_mutate(a):
    a *= 2.0
    return a


def h_mutate_slice(a):
    a[0] = 0.0
    return np.sum(a * a)


def h_default_array(a, w=np.array([1.0, 2.0, 3.0])):  # noqa: B008
    return a * w


def h_default_mutable(a, acc=[]):  # noqa: B006
    acc.append(a)
    return sum(acc)


def h_returns_dict(a):
    return {"s": np.sum(a), "q": np.sum(a * a)}


def h_returns_list(a):
    return [a, a * a]


def h_early(a, flag):
    if flag:
        return a * 2.0
    return a * 3.0


def h_none_default(a, b=None):
    if b is None:
        b = a
    return a * b


class Model:
    def __init__(self, w):
        self.w = w

    def predict(self, x):
        return np.tanh(x * self.w)

    def loss(self, x):
        return np.sum(self.predict(x) ** 2)

    @staticmethod
    def sq(x):
        return x * x

    @classmethod
    def make(cls, x):
        return cls.sq(x)


@case(args=V3, note="keyword-only parameter passed by keyword")
def call_kwonly(x):
    return np.sum(h_kwonly(x, c=C3))


@case(args=V3, note="keyword-only parameter given the differentiated value")
def call_kwonly_diff(x):
    return np.sum(h_kwonly(C3, c=x))


@case(args=V3, note="keyword-only with defaults, one overridden")
def call_kwonly_default(x):
    return np.sum(h_kwonly_default(x, d=x))


@case(args=V3, note="keyword-only all defaults")
def call_kwonly_all_default(x):
    return np.sum(h_kwonly_default(x))


@case(args=V3, note="default parameter omitted")
def call_default(x):
    return np.sum(h_default(x))


@case(args=V3, note="default parameter passed by keyword with differentiable value")
def call_default_kw(x):
    return np.sum(h_default(C3, b=x))


@case(args=V3, note="keyword arguments in swapped order")
def call_kw_swapped(x):
    p, s = h_two(b=C3, a=x)
    return np.sum(p * s)


@case(args=V3, note="two return values unpacked")
def call_two_returns(x):
    p, s = h_two(x, x)
    return np.sum(p + s * s)


@case(args=V3, note="three return values, one ignored")
def call_three_returns_ignore(x):
    a, _, c = h_three(x)
    return np.sum(a * c)


@case(args=V3, note="tuple result indexed [1]")
def call_tuple_index(x):
    return np.sum(h_three(x)[1])


@case(args=V3,
      note="starred assignment `first, *rest = h(x)`")
def call_star_unpack(x):
    first, *rest = h_three(x)
    return np.sum(first + rest[0] * rest[1])


@case(args=V3, note="helper calls helper with keyword args both orders")
def call_nested_kw(x):
    return np.sum(h_outer(x, scale=0.5))


@case(args=V3, note="recursive helper")
def call_recursive(x):
    return np.sum(h_recursive(x, 3))


@case(args=V3, expect="refuse",
      note="aliasing: the helper's a *= 2 changes the caller's y, which the caller reads "
           "afterwards (AliasingError)")
def call_mutating_helper(x):
    y = x * 1.0
    z = h_mutate(y)
    return np.sum(y + z)


@case(args=V3, expect="refuse",
      note="aliasing: the helper's a *= 2 changes the caller's array (the caller does not read y "
           "again, but the helper cannot know) (AliasingError)")
def call_mutating_helper_dead(x):
    y = x * 1.0
    z = h_mutate(y)
    return np.sum(z * z)


@case(args=V3, expect="refuse",
      note="aliasing: the helper's a[0] = 0 changes the caller's y, read afterwards "
           "(AliasingError)")
def call_mutate_slice_then_read(x):
    y = x * 1.0
    s = h_mutate_slice(y)
    return s + np.sum(y)


@case(args=V3, note="default argument holding an array")
def call_default_array(x):
    return np.sum(h_default_array(x))


@case(args=V3, expect="refuse",
      note="aliasing: the helper's mutable default list accumulates across calls (Python "
           "state): acc.append is refused as an update the caller may see (AliasingError)")
def call_default_mutable(x):
    return np.sum(h_default_mutable(x))


@case(args=V3, note="helper returns a dict")
def call_returns_dict(x):
    d = h_returns_dict(x)
    return d["s"] * d["q"]


@case(args=V3, note="helper returns a list")
def call_returns_list(x):
    a, b = h_returns_list(x)
    return np.sum(a * b)


@case(args=V3, note="helper with early return chosen by a flag")
def call_early(x):
    return np.sum(h_early(x, True) + h_early(x, False))


@case(args=V3, note="None default replaced by the argument")
def call_none_default(x):
    return np.sum(h_none_default(x))


@case(args=lambda: (Model(np.array([0.5, 1.0, -1.0])), np.array([0.3, 0.2, 0.1])), wrt=1,
      note="method call model.loss(x)")
def call_method(m, x):
    return m.loss(x)


@case(args=lambda: (np.array([0.5, 1.0, -1.0]), np.array([0.3, 0.2, 0.1])), wrt=0,
      note="an object built inside the function (Model(w), attribute assignment in __init__)")
def call_constructed_model(w, x):
    m = Model(w)
    return m.loss(x)


@case(args=V3, note="staticmethod through class")
def call_staticmethod(x):
    return np.sum(Model.sq(x))


@case(args=V3, note="classmethod calling staticmethod")
def call_classmethod(x):
    return np.sum(Model.make(x))


@case(args=V3, note="closure capturing a differentiated variable")
def call_closure(x):
    s = np.sum(x)

    def g(t):
        return t * s
    return np.sum(g(x))


@case(args=V3, note="lambda assigned and called")
def call_lambda(x):
    sq = lambda t: t * t  # noqa: E731
    return np.sum(sq(x) + sq(2.0 * x))


@case(args=V3,
      note="lambdas stored in a list (with a default capturing the loop variable)")
def call_lambda_default(x):
    fs = []
    for k in range(3):
        fs.append(lambda t, k=k: t ** k)
    return np.sum(fs[2](x) + fs[1](x))


@case(args=V3,
      note="a lambda passed to map")
def call_map_lambda(x):
    return sum(map(lambda t: t * t, x))


@case(args=V3,
      note="a local def with a keyword-only parameter")
def call_local_kwonly(x):
    def g(a, *, b=2.0):
        return a * b
    return np.sum(g(x, b=x))


@case(args=V3,
      note="calling a helper with **kw")
def call_double_star(x):
    kw = {"c": x}
    return np.sum(h_kwonly(x, **kw))


@case(args=V3,
      note="calling a helper with *args")
def call_star_args(x):
    t = (x, x)
    p, s = h_two(*t)
    return np.sum(p * s)


@case(args=V3, note="calling a functools.partial of a helper")
def call_partial(x):
    g = functools.partial(h_default, b=3.0)
    return np.sum(g(x))


@case(args=V3, note="math functions on array items via float()")
def call_math_items(x):
    return math.sin(float(x[0])) + math.exp(x[1]) * math.tanh(x[2])


@case(args=V3, note="math.erf/erfc")
def call_math_erf(x):
    return math.erf(x[0]) + math.erfc(x[2])


@case(args=V3, note="math.hypot of two entries, math.log2/log10")
def call_math_misc(x):
    return math.hypot(x[0], x[1]) + math.log2(x[2]) + math.log10(x[2])


@case(args=V3, note="builtin max of three scalars (items)")
def call_builtin_max3(x):
    return max(x[0], x[1], x[2] * 0.1)


@case(args=V3,
      note="builtin min with key=lambda")
def call_min_key(x):
    return min([x[0], x[1], x[2]], key=lambda t: abs(t))


@case(args=V3, note="builtin sum with start array")
def call_sum_start(x):
    return np.sum(sum([x, x * 2.0], np.ones(3)))


@case(args=V3, note="builtin sum over array elements")
def call_sum_items(x):
    return sum(x * x)


@case(args=V3,
      note="helper with keyword-only param that has no default, passed positionally-named variable")
def call_kwonly_var(x):
    c = x * 2.0
    return np.sum(h_kwonly(a=x, c=c))


@case(args=V3, note="same helper called twice with different wrt-relevant args")
def call_twice(x):
    return np.sum(h_default(x, 2.0) + h_default(2.0, x))


@case(args=V3, note="helper result fed back as keyword arg")
def call_chain_kw(x):
    return np.sum(h_kwonly(h_kwonly(x, c=x), c=x))


@case(args=V3, note="global constant array used in helper")
def call_global_const(x):
    return np.sum(h_kwonly(x, c=C3) * C3)


def deco_scale(fn):
    @functools.wraps(fn)
    def wrapper(a):
        return fn(a) * 2.0
    return wrapper


@deco_scale
def wrapped_helper(a):
    return a * a


@case(args=V3,
      note="helper wrapped by a decorator (functools.wraps): s2sad must not differentiate the "
           "unwrapped fn")
def call_decorated(x):
    return np.sum(wrapped_helper(x))


@case(args=V3, note="the differentiated function itself is decorated: the gradient includes the *2")
@deco_scale
def decorated_entry(x):
    return np.sum(x * x)


def h_kw_sq(a, *, c):
    return c * c + a


def h_kw_only_all(*, p, q):
    return p * q


class Holder:
    def scaled(self, a, *, c):
        return a * c


@case(args=V3, note="isolate: kw-only param is the only differentiable input (c*c): grad 2x")
def kwonly_isolated(x):
    return np.sum(h_kw_sq(1.0, c=x))


@case(args=V3, note="isolate: all params keyword-only, both get x")
def kwonly_all(x):
    return np.sum(h_kw_only_all(p=x, q=x))


@case(args=V3, note="isolate: kw-only param of a method")
def kwonly_method(x):
    return np.sum(Holder().scaled(C3, c=x))


@case(args=lambda: (2.0,), note="isolate: kw-only with python float")
def kwonly_float(x):
    return h_kw_sq(0.0, c=x)


class Base:
    @classmethod
    def twice(cls, x):
        return 2.0 * x


@case(args=V3, note="classmethod called on the class (isolate crash)")
def call_classmethod_plain(x):
    return np.sum(Base.twice(x))


@case(args=V3, note="classmethod called on an instance")
def call_classmethod_instance(x):
    return np.sum(Base().twice(x))


def deco_identity(fn):
    @functools.wraps(fn)
    def wrapper(*a, **k):
        return fn(*a, **k)
    return wrapper


@deco_identity
def ident_wrapped(a):
    return a * a


@case(args=V3,
      note="a helper behind a pass-through decorator whose wrapper takes *a, **k")
def call_identity_decorated(x):
    return np.sum(ident_wrapped(x))
