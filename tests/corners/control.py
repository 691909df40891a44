"""Control flow: loops with in-place updates, while, break/continue, dicts, comprehensions."""
import contextlib
import math

import numpy as np

from .support import CaseList

CASES = CaseList()
case = CASES.case


V4 = lambda: (np.array([0.5, -1.0, 2.0, 0.25]),)
M34 = lambda: (np.arange(12.0).reshape(3, 4) / 5.0 - 1.0,)


@case(args=V4, note="in-place slice update in loop: y[i] = y[i-1] * x[i] (recurrence)")
def slice_recurrence(x):
    y = np.ones(4)
    for i in range(1, 4):
        y[i] = y[i - 1] * x[i] + 0.5
    return np.sum(y * y)


@case(args=V4, note="y[i] += y[i-1] in loop on a copy of x")
def slice_iadd_recurrence(x):
    y = x.copy()
    for i in range(1, 4):
        y[i] += y[i - 1] * y[i - 1]
    return np.sum(y)


@case(args=V4, note="y[1:3] *= x[1:3] twice in a loop (overwrites slice each time)")
def slice_imul_loop(x):
    y = x * 1.0
    for _ in range(2):
        y[1:3] *= y[1:3]
    return np.sum(y)


@case(args=M34, note="rows updated y[i, :] = f(y[i-1, :])")
def row_recurrence(x):
    y = x.copy()
    for i in range(1, 3):
        y[i, :] = np.tanh(y[i - 1, :] + y[i, :])
    return np.sum(y ** 2)


@case(args=M34, note="column scale y[:, j] *= c in loop")
def col_scale(x):
    y = x.copy()
    for j in range(4):
        y[:, j] *= y[0, j]
    return np.sum(y)


@case(args=V4, note="y[idx] = v with repeated integer-array index (last write wins)")
def fancy_setitem_repeat(x):
    y = np.zeros(4)
    y[[0, 0, 1]] = x[:3] * 2.0
    return np.sum(y * np.array([1.0, 2.0, 3.0, 4.0]))


@case(args=V4,
      note="y[idx] += v with repeated index: numpy buffered += applies ONCE (not accumulate)")
def fancy_iadd_repeat(x):
    y = x.copy()
    y[[0, 0, 1]] += x[:3] * 2.0
    return np.sum(y * np.array([1.0, 2.0, 3.0, 4.0]))


@case(args=V4, note="boolean-mask setitem y[y > 0] = 0")
def mask_setitem(x):
    y = x * 1.0
    y[y > 0.3] = 0.0
    return np.sum(y * x)


@case(args=V4, note="boolean-mask iadd y[m] *= 3")
def mask_imul(x):
    y = x * 1.0
    y[y > 0.3] *= 3.0
    return np.sum(y * x)


@case(args=V4, note="setitem with a differentiable array broadcast into slice y[1:] = s")
def setitem_broadcast_scalar(x):
    y = np.zeros(4)
    y[1:] = x[0] * 2.0
    return np.sum(y * np.array([1.0, 2.0, 3.0, 4.0]))


@case(args=V4, note="setitem negative step y[::-2] = x[:2]")
def setitem_neg_step(x):
    y = np.zeros(4)
    y[::-2] = x[:2] ** 2
    return np.sum(y * np.array([1.0, 2.0, 3.0, 4.0]))


@case(args=M34, note="setitem with ellipsis and newaxis y[..., 0] = ...")
def setitem_ellipsis(x):
    y = x.copy()
    y[..., 0] = np.sum(y, axis=1)
    return np.sum(y ** 2)


@case(args=V4, note="while loop with data-dependent trip count (x doubles until > 10)")
def while_doubling(x):
    s = np.sum(x * x) + 0.1
    while s < 10.0:
        s = s * 2.0
    return s


@case(args=V4, note="while with break and continue")
def while_break_continue(x):
    i = 0
    s = 0.0
    while True:
        i += 1
        if i % 2 == 0:
            continue
        s = s + np.sum(x ** i)
        if i > 4:
            break
    return s


@case(args=V4, note="for with break after condition on values")
def for_break(x):
    s = 0.0
    for v in x:
        if v < 0:
            break
        s = s + v * v
    return s


@case(args=V4, note="for with continue on value")
def for_continue(x):
    s = 0.0
    for v in x:
        if v < 0:
            continue
        s = s + v ** 3
    return s


@case(args=V4, note="for ... else, the loop not broken")
def for_else(x):
    s = 0.0
    for v in x:
        if v > 100:
            break
        s = s + v
    else:
        s = s * 2.0
    return s


@case(args=V4, note="while ... else")
def while_else(x):
    s = x[0]
    i = 0
    while i < 3:
        s = s * x[1]
        i += 1
    else:
        s = s + x[2]
    return s


@case(args=V4, note="return inside nested loop")
def return_in_loop(x):
    for i in range(4):
        for j in range(4):
            if i + j == 3:
                return np.sum(x[:i + 1] * x[j])
    return 0.0


@case(args=V4, note="Newton iteration sqrt with while tolerance")
def newton_sqrt(x):
    a = np.sum(x * x)
    r = a
    while abs(r * r - a) > 1e-12:
        r = 0.5 * (r + a / r)
    return r


@case(args=V4, note="range with negative step")
def range_neg_step(x):
    s = 0.0
    for i in range(3, -1, -1):
        s = s * 0.5 + x[i]
    return s


@case(args=M34, note="for over 2-d array rows")
def for_rows(x):
    s = 0.0
    for r in x:
        s = s + np.sum(np.sin(r)) * r[0]
    return s


@case(args=M34, note="for over x.T columns")
def for_cols(x):
    s = 0.0
    for c in x.T:
        s = s + np.prod(c + 2.0)
    return s


@case(args=V4, note="nested loop accumulating into array")
def nested_accumulate(x):
    acc = np.zeros(4)
    for i in range(4):
        for j in range(i):
            acc[i] += x[j] * x[i]
    return np.sum(acc)


@case(args=V4, note="loop variable reused after loop (Python keeps last value)")
def loop_var_after(x):
    for v in x:  # noqa: B007 (v is read after the loop)
        pass
    return v * v


@case(args=V4, note="loop over empty range then use initial")
def empty_loop(x):
    s = np.sum(x)
    for i in range(0):  # noqa: B007
        s = s * 100.0
    return s * s


@case(args=V4, note="loop over zip(x, x[1:])")
def zip_shifted(x):
    s = 0.0
    for a, b in zip(x, x[1:]):
        s = s + a * b
    return s


@case(args=V4,
      note="enumerate(x, start=1)")
def enumerate_start(x):
    s = 0.0
    for i, v in enumerate(x, start=1):
        s = s + i * v * v
    return s


@case(args=lambda: ({"w": np.array([1.0, 2.0]), "b": 0.5},), note="dict parameter gradient")
def dict_param(p):
    return np.sum(p["w"] ** 2) * p["b"]


@case(args=lambda: ({"w": np.array([1.0, 2.0]), "b": 0.5},), note="iterate d.items()")
def dict_items(p):
    s = 0.0
    for k, v in p.items():  # noqa: B007
        s = s + np.sum(v * v)
    return s


@case(args=lambda: ({"w": np.array([1.0, 2.0]), "b": 0.5},),
      note="d.get(key) and d.get(key, default)")
def dict_get(p):
    return np.sum(p.get("w") * p.get("c", 2.0))


@case(args=lambda: ({"w": np.array([1.0, 2.0]), "b": 0.5},), note="dict in loop with keys")
def dict_keys_loop(p):
    s = 0.0
    for k in p:
        s = s + np.sum(p[k]) * len(k)
    return s


@case(args=lambda: ({"a": {"x": np.array([1.0, 2.0])}, "b": [np.array([3.0])]},),
      note="nested dict/list parameter")
def nested_param(p):
    return np.sum(p["a"]["x"] ** 2) * np.sum(p["b"][0])


@case(args=lambda: ({"w": np.array([1.0, 2.0]), "b": 0.5},), note="dict comprehension")
def dict_comprehension(p):
    q = {k: v * 2.0 for k, v in p.items()}
    return np.sum(q["w"]) + q["b"]


@case(args=lambda: ({"w": np.array([1.0, 2.0]), "b": 0.5},),
      note="assignment into a dict item of a dict made here, d[key] = v")
def dict_setitem(p):
    d = {}
    d["w"] = p["w"] * 2.0
    return np.sum(d["w"])


@case(args=lambda: ({"w": np.array([1.0, 2.0]), "b": 0.5},), note="dict display with computed key")
def dict_display(p):
    k = "z"
    d = {k: p["w"] * p["b"], "y": p["b"]}
    return np.sum(d["z"]) + d["y"]


@case(args=lambda: ({"w": np.array([1.0, 2.0]), "b": 0.5},),
      note="** in a dict display, {**p, 'b': 2.0}")
def dict_unpack_merge(p):
    d = {**p, "b": 2.0}
    return np.sum(d["w"]) * d["b"]


@case(args=V4, note="list comprehension over range with index arithmetic")
def comp_index(x):
    return sum([x[i] * x[i + 1] for i in range(3)])


@case(args=V4, note="nested comprehension")
def comp_nested(x):
    return sum([x[i] * x[j] for i in range(4) for j in range(i)])


@case(args=V4, note="generator expression with if")
def genexpr_if(x):
    return sum(v * v for v in x if v > 0)


@case(args=V4, note="comprehension shadowing outer name")
def comp_shadow(x):
    v = 3.0
    s = sum([v * v for v in x])
    return s + v


@case(args=V4, note="comprehension capturing outer differentiable variable")
def comp_capture(x):
    m = np.mean(x)
    return sum([(v - m) ** 2 for v in x])


@case(args=V4, note="np.array of comprehension")
def comp_array(x):
    return np.sum(np.array([np.sin(v) for v in x]) * np.arange(4.0))


@case(args=V4, expect="refuse", note="unsupported yet: set comprehensions (UnsupportedSyntaxError)")
def set_comp(x):
    s = {float(v) for v in x}
    return sum(s)


@case(args=V4, note="conditional expression both branches differentiable")
def cond_expr(x):
    return np.sum(x * x) if x[0] > 0 else np.sum(x)


@case(args=V4, note="if on array.any()")
def if_any(x):
    if (x > 1.5).any():
        return np.sum(x ** 2)
    return np.sum(x)


@case(args=V4, note="elif chain")
def elif_chain(x):
    s = np.sum(x)
    if s > 10:
        r = s * 2
    elif s > 1:
        r = s ** 2
    else:
        r = -s
    return r


@case(args=V4, note="variable defined only in one branch then used")
def branch_defined(x):
    if x[0] > 0:
        y = x * 2.0
    else:
        y = x * 3.0
    return np.sum(y * y)


@case(args=V4, note="and/or returning values (short circuit) with arrays")
def bool_ops_values(x):
    a = float(x[0])
    b = a > 0 and a * 3.0 or a * 5.0
    return b


@case(args=V4, note="with statement (nullcontext)")
def with_block(x):
    with contextlib.nullcontext():
        y = x * 2.0
    return np.sum(y * y)


@case(args=V4, note="np.errstate context")
def errstate_block(x):
    with np.errstate(divide="ignore"):
        y = x / 2.0
    return np.sum(y * y)


@case(args=V4, note="loop updating two vars simultaneously a, b = b, a+b")
def fib_loop(x):
    a, b = x[0], x[1]
    for _ in range(5):
        a, b = b, a + b * x[2]
    return b


@case(args=V4, note="while loop whose trip count depends on x and in-place update inside")
def while_inplace(x):
    y = x * 1.0
    i = 0
    while np.sum(y) < 20.0 and i < 50:
        y[i % 4] = y[i % 4] * 1.5 + 1.0
        i += 1
    return np.sum(y * y)


@case(args=V4, note="break inside while from inner for")
def nested_break(x):
    s = 0.0
    k = 0
    while k < 3:
        for v in x:
            if v < 0:
                break
            s = s + v * k
        k += 1
    return s


@case(args=V4, expect="refuse", note="unsupported yet: try/except (UnsupportedSyntaxError)")
def try_except(x):
    try:
        return np.sum(x)
    except ValueError:
        return 0.0


@case(args=V4, note="assert statement")
def assert_stmt(x):
    assert x.shape == (4,)
    return np.sum(x * x)


@case(args=V4, note="math.isfinite guard")
def isfinite_guard(x):
    s = float(np.sum(x * x))
    if math.isfinite(s):
        return s
    return 0.0


@case(args=V4, note="global constant list of weights in loop")
def global_list_loop(x):
    ws = [1.0, 2.0, 3.0, 4.0]
    return sum(w * v for w, v in zip(ws, x))


@case(args=V4, note="loop 200 iterations tape")
def long_loop(x):
    y = x * 0.1
    for _ in range(200):
        y = np.sin(y) * 0.9 + 0.1 * y * y
    return np.sum(y)


@case(args=V4, note="x reassigned inside loop to different shape")
def shape_changing_loop(x):
    y = x
    for _ in range(2):
        y = np.outer(y, y)[0]
    return np.sum(y)


@case(args=V4, note="slice write in loop then read older snapshot (y_old = y.copy())")
def snapshot_copy(x):
    y = x * 1.0
    ys = []
    for i in range(3):
        ys.append(y.copy())
        y[i] = y[i] * y[i + 1]
    return np.sum(ys[0] * ys[1] * ys[2] * y)


@case(args=V4, expect="refuse",
      note="aliasing: list of views appended in loop, then in-place update of y (views change!)")
def views_then_update(x):
    y = x * 1.0
    ys = []
    for i in range(2):
        ys.append(y[i:i + 2])
        y[i] = y[i] * 3.0
    return np.sum(ys[0] * ys[1])
