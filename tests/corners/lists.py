"""Lists and tuples holding arrays, augmented assignment through items, aliasing."""
import numpy as np

from .support import CaseList

CASES = CaseList()
case = CASES.case


V3 = lambda: (np.array([0.5, -1.0, 2.0]),)
M23 = lambda: (np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]),)


@case(args=V3, expect="refuse",
      note="aliasing: lst[0] *= 3 changes y too (the same array), and y is read afterwards "
           "(AliasingError)")
def item_imul_alias(x):
    y = x * 1.0
    lst = [y, x]
    lst[0] *= 3.0
    return np.sum(y * x)


@case(args=V3, note="lst[0] *= 3 with no other name: fine")
def item_imul_no_alias(x):
    lst = [x * 1.0, x]
    lst[0] *= 3.0
    return np.sum(lst[0] * lst[1])


@case(args=V3, expect="refuse",
      note="aliasing: lst[0] is the argument x itself; lst[0] += 1 changes x, which is read "
           "afterwards (AliasingError)")
def item_iadd_argument(x):
    lst = [x, x * 2.0]
    lst[0] += 1.0
    return np.sum(lst[0] * x)


@case(args=V3, note="lst[0] = lst[0] + 1 (rebinding, not in place): y unchanged")
def item_rebind(x):
    y = x * 1.0
    lst = [y, x]
    lst[0] = lst[0] + 1.0
    return np.sum(y * lst[0])


@case(args=M23, expect="refuse",
      note="aliasing: rows = list(y) holds views of y; rows[1] += rows[0] changes y, which is "
           "read afterwards (AliasingError)")
def rows_view_iadd(x):
    y = x * 1.0
    rows = list(y)
    rows[1] += rows[0]
    return np.sum(y * y)


@case(args=M23, note="rows = list(y); rows[1] += rows[0]; read rows only")
def rows_view_iadd_read_rows(x):
    y = x * 1.0
    rows = list(y)
    rows[1] += rows[0]
    return np.sum(rows[1] * rows[1]) + np.sum(rows[0])


@case(args=M23, expect="refuse",
      note="aliasing: rows = list(x) holds views of the argument x; rows[0] *= 2 changes x, which "
           "is read afterwards (AliasingError)")
def rows_of_argument_imul(x):
    rows = list(x)
    rows[0] *= 2.0
    return np.sum(rows[0]) + np.sum(x)


@case(args=M23, expect="refuse",
      note="aliasing: for r in y: r *= 2 -- loop variable is a view; y changes")
def for_rows_imul(x):
    y = x * 1.0
    for r in y:
        r *= 2.0
    return np.sum(y * y)


@case(args=M23, expect="refuse", note="aliasing: for r in list(y): r += 1 (views)")
def for_list_rows_iadd(x):
    y = x * 1.0
    for r in list(y):
        r += 1.0
    return np.sum(y * y)


@case(args=V3, note="list items updated in a loop and partly read afterwards")
def loop_update_items(x):
    lst = [x * 1.0, x * 2.0, x * 3.0]
    for i in range(3):
        lst[i] = lst[i] * x + i
    return np.sum(lst[0] + lst[2])


@case(args=V3, note="list items augmented in a loop (lst[i] += ...)")
def loop_iadd_items(x):
    lst = [x * 1.0, x * 2.0, x * 3.0]
    for i in range(3):
        lst[i] += x * i
    return np.sum(lst[1] * lst[2])


@case(args=V3, expect="refuse",
      note="aliasing: lst = [y, y]: lst[i] += 1 in a loop updates the one array through both "
           "slots (AliasingError)")
def loop_iadd_shared_slots(x):
    y = x * 1.0
    lst = [y, y]
    for i in range(2):
        lst[i] += 1.0
    return np.sum(lst[0] * x)


@case(args=V3, expect="refuse", note="t[0] += 1 on a tuple: Python raises TypeError")
def tuple_item_iadd(x):
    t = (x * 1.0, x)
    t[0] += 1.0
    return np.sum(t[0])


@case(args=V3, expect="refuse", note="t[0] = v on a tuple: Python raises TypeError")
def tuple_item_assign(x):
    t = (x, x)
    t[0] = x * 2.0
    return np.sum(t[0])


@case(args=V3, expect="refuse",
      note="aliasing: t = (y, x); t[0][1] = 5 writes into y, which is read afterwards (refused "
           "today as UnsupportedSyntaxError: only a local name can be assigned into; once that is "
           "supported it must be an AliasingError)")
def tuple_inner_setitem(x):
    y = x * 1.0
    t = (y, x)
    t[0][1] = 5.0
    return np.sum(y * x)


@case(args=V3, expect="refuse",
      note="aliasing: lst = [y]; lst[0][1] = 5 writes into y, which is read afterwards (refused "
           "today as UnsupportedSyntaxError: only a local name can be assigned into; once that is "
           "supported it must be an AliasingError)")
def list_inner_setitem(x):
    y = x * 1.0
    lst = [y]
    lst[0][1] = 5.0
    return np.sum(y * x)


@case(args=V3, note="list(x) of a 1-d array: items are scalars (copies)")
def list_of_1d_items(x):
    items = list(x)
    items[0] *= 3.0
    return sum(items) + np.sum(x)


@case(args=V3, expect="refuse",
      note="aliasing: y was appended to lst; lst[0] += 1 changes y, which is read afterwards "
           "(AliasingError)")
def append_then_iadd(x):
    y = x * 1.0
    lst = []
    lst.append(y)
    lst[0] += 1.0
    return np.sum(y)


@case(args=V3, note="list extend of arrays and sum")
def extend_sum(x):
    lst = [x]
    lst.extend([x * 2.0, x * 3.0])
    return np.sum(sum(lst) * x)


@case(args=V3, note="list + list concatenation")
def list_concat(x):
    a = [x, x * 2.0]
    b = [x * 3.0]
    c = a + b
    return np.sum(c[0] * c[2] + c[1])


@case(args=V3, note="list slice lst[1:]")
def list_slice(x):
    lst = [x, x * 2.0, x * 3.0]
    rest = lst[1:]
    return np.sum(rest[0] * rest[1])


@case(args=V3, note="list negative index lst[-1]")
def list_negative_index(x):
    lst = [x, x * 2.0, x * 3.0]
    return np.sum(lst[-1] * lst[-2])


@case(args=V3, note="list repetition [x] * 3")
def list_repeat(x):
    lst = [x] * 3
    return np.sum(lst[0] * lst[1] + lst[2])


@case(args=V3, note="list of lists (nested) of arrays")
def nested_lists(x):
    m = [[x, x * 2.0], [x * 3.0, x * 4.0]]
    return np.sum(m[1][0] * m[0][1])


@case(args=V3, note="np.array from list of scalars taken from x")
def array_from_items(x):
    v = np.array([x[0], x[1] * 2.0, x[2] ** 2])
    return np.sum(v * v)


@case(args=V3, note="np.array from list of arrays (stack)")
def array_from_arrays(x):
    m = np.array([x, x * 2.0])
    return np.sum(m * np.arange(6.0).reshape(2, 3))


@case(args=V3, note="np.stack of list built in loop")
def stack_loop_list(x):
    rows = []
    for k in range(3):
        rows.append(x * k + x[k])
    return np.sum(np.stack(rows) * np.arange(9.0).reshape(3, 3))


@case(args=V3, note="tuple unpacking swap a, b = b, a")
def tuple_swap(x):
    a, b = x * 1.0, x * 2.0
    a, b = b, a * b
    return np.sum(a + b)


@case(args=V3, note="zip over two lists")
def zip_lists(x):
    s = 0.0
    for a, b in zip([x, x * 2.0], [x * 3.0, x]):
        s = s + np.sum(a * b)
    return s


@case(args=V3, note="enumerate over list with index use")
def enumerate_list(x):
    s = 0.0
    for i, a in enumerate([x, x * x]):
        s = s + i * np.sum(a)
    return s


@case(args=lambda: ([np.array([1.0, 2.0]), np.array([3.0])],),
      note="gradient w.r.t. a list argument")
def list_argument(lst):
    return np.sum(lst[0] ** 2) * np.sum(lst[1])


@case(args=lambda: ((np.array([1.0, 2.0]), 3.0),),
      note="gradient w.r.t. a tuple argument with a float")
def tuple_argument(t):
    return np.sum(t[0] * t[1])


@case(args=lambda: ([np.array([1.0, 2.0]), np.array([3.0, 4.0])],),
      note="list argument: lst[0] += 1 mutates caller's item array in Python; s2sad says it "
           "copies args")
def list_argument_item_iadd(lst):
    lst[0] += 1.0
    return np.sum(lst[0] * lst[1])


@case(args=lambda: ([np.array([1.0, 2.0]), np.array([3.0, 4.0])],),
      note="list argument: lst[0] = lst[0]*2 rebinding list slot (mutates caller's list in Python)")
def list_argument_item_assign(lst):
    lst[0] = lst[0] * 2.0
    return np.sum(lst[0] * lst[1])


@case(args=lambda: ([np.array([1.0, 2.0]), np.array([3.0, 4.0])],),
      note="list argument: append to it (mutates caller's list)")
def list_argument_append(lst):
    lst.append(lst[0] * lst[1])
    return np.sum(lst[2]) + len(lst)


@case(args=lambda: ([np.array([1.0, 2.0]), np.array([3.0, 4.0])],), expect="refuse",
      note="aliasing: list argument iterated, item *= 2 in place (mutates caller's arrays)")
def list_argument_loop_imul(lst):
    for a in lst:
        a *= 2.0
    return np.sum(lst[0] * lst[1])


@case(args=V3, expect="refuse", note="unsupported yet: list.pop() (UnsupportedSyntaxError)")
def list_pop(x):
    lst = [x, x * 2.0]
    y = lst.pop()
    return np.sum(y * lst[0])


@case(args=V3, expect="refuse", note="unsupported yet: list.insert() (UnsupportedSyntaxError)")
def list_insert(x):
    lst = [x]
    lst.insert(0, x * 2.0)
    return np.sum(lst[0])


@case(args=V3, expect="refuse",
      note="unsupported yet: assignment into a list slice (UnsupportedSyntaxError)")
def list_slice_assign(x):
    lst = [x, x, x]
    lst[1:] = [x * 2.0, x * 3.0]
    return np.sum(lst[2])


@case(args=V3, expect="refuse", note="unsupported yet: del lst[0] (UnsupportedSyntaxError)")
def list_del(x):
    lst = [x, x * 2.0]
    del lst[0]
    return np.sum(lst[0])


@case(args=V3, expect="refuse", note="unsupported yet: list.reverse() (UnsupportedSyntaxError)")
def list_reverse(x):
    lst = [x, x * 2.0]
    lst.reverse()
    return np.sum(lst[0] * 3.0 + lst[1])


@case(args=V3, expect="refuse",
      note="unsupported yet: lst.extend(generator) (README: only extend([...])) "
           "(UnsupportedSyntaxError)")
def list_extend_gen(x):
    lst = [x]
    lst.extend(x * k for k in range(2))
    return np.sum(lst[2])


@case(args=V3, note="lst += [y] (in-place list concat = extend)")
def list_iadd_list(x):
    lst = [x]
    lst += [x * 2.0]
    return np.sum(lst[0] * lst[1])


@case(args=V3, expect="refuse",
      note="aliasing: lst2 = lst; lst2 += [y]: lst sees the change too (aliased list)")
def list_iadd_alias(x):
    lst = [x]
    lst2 = lst
    lst2 += [x * 2.0]
    return np.sum(lst[-1]) + len(lst)


@case(args=V3, expect="refuse", note="aliasing: lst2 = lst; lst2.append(y): lst sees it")
def list_append_alias(x):
    lst = [x]
    lst2 = lst
    lst2.append(x * 3.0)
    return np.sum(lst[-1])


@case(args=V3, expect="refuse", note="aliasing: list stored twice in outer list, then appended")
def list_nested_alias_append(x):
    inner = [x]
    outer = [inner, inner]
    inner.append(x * 2.0)
    return np.sum(outer[1][1])


@case(args=V3, note="tuple + tuple")
def tuple_concat(x):
    t = (x,) + (x * 2.0, x * 3.0)
    return np.sum(t[1] * t[2])


@case(args=V3, note="sum of list of arrays with python sum")
def builtin_sum_list(x):
    return np.sum(sum([x, x * x, np.sin(x)]))


@case(args=V3, note="max of list of floats")
def builtin_max_list(x):
    return max([float(x[0]), float(x[1]), float(x[2])])


@case(args=V3, note="len of list in loop bound")
def len_loop(x):
    lst = [x, x * 2.0]
    s = 0.0
    for i in range(len(lst)):
        s = s + np.sum(lst[i] ** (i + 1))
    return s


@case(args=V3, note="iterating over reversed(list)")
def reversed_list(x):
    s = 1.0
    for a in reversed([x, x * 2.0, x + 1.0]):
        s = s * np.sum(a) + 1.0
    return s


@case(args=V3,
      note="sorted() of a list of floats")
def sorted_floats(x):
    s = sorted([float(x[0]), float(x[1]), float(x[2])])
    return s[0] + 2.0 * s[2]


@case(args=V3, note="list comprehension with condition on values")
def listcomp_cond(x):
    return sum([v * v for v in x if v > 0])


@case(args=M23, expect="refuse",
      note="aliasing: lst = [y[0]] holds a view of y; lst[0] *= 2 changes y, which is read "
           "afterwards (AliasingError)")
def list_of_row_view_imul(x):
    y = x * 1.0
    lst = [y[0]]
    lst[0] *= 2.0
    return np.sum(y)


@case(args=V3, note="isolate: loop update, ALL items read afterwards")
def loop_update_items_all_read(x):
    lst = [x * 1.0, x * 2.0, x * 3.0]
    for i in range(3):
        lst[i] = lst[i] * x + i
    return np.sum(lst[0] + lst[1] + lst[2])


@case(args=V3, note="isolate: straight-line updates lst[0], lst[1], read lst[0] only")
def straight_update_partial_read(x):
    lst = [x * 1.0, x * 2.0]
    lst[0] = lst[0] * x
    lst[1] = lst[1] * x
    return np.sum(lst[0])


@case(args=V3, note="isolate: loop update with i variable, read via sum(lst)")
def loop_update_sum_all(x):
    lst = [x * 1.0, x * 2.0]
    for i in range(2):
        lst[i] = lst[i] * x
    return np.sum(sum(lst))


@case(args=V3, note="isolate: loop update of one fixed slot lst[0] = lst[0]*x, other slot unread")
def loop_update_fixed_slot(x):
    lst = [x * 1.0, x * 2.0]
    for i in range(2):  # noqa: B007
        lst[0] = lst[0] * x
    return np.sum(lst[0])


@case(args=V3, note="isolate: loop update with variable index, read lst[0] only, 2 items")
def loop_update_var_index_partial(x):
    lst = [x * 1.0, x * 2.0]
    for i in range(2):
        lst[i] = lst[i] * x
    return np.sum(lst[0])


@case(args=V3, note="isolate: lst[i] with i computed, no loop")
def var_index_no_loop(x):
    lst = [x * 1.0, x * 2.0]
    i = 1
    lst[i] = lst[i] * x
    return np.sum(lst[0])


@case(args=V3, expect="refuse",
      note="aliasing: lst = [y]; lst[0] += 1 changes y, which is read afterwards (the minimal "
           "form) (AliasingError)")
def item_iadd_alias_simple(x):
    y = x * 1.0
    lst = [y]
    lst[0] += 1.0
    return np.sum(y * x)


@case(args=V3, expect="refuse",
      note="aliasing: z = lst[0] is y; z += 1 changes y, which is read afterwards (AliasingError)")
def name_from_list_iadd(x):
    y = x * 1.0
    lst = [y]
    z = lst[0]
    z += 1.0
    return np.sum(y * x)


@case(args=V3, expect="refuse",
      note="aliasing: d = {'a': y}; d['a'] += 1 changes y, which is read afterwards (refused "
           "today as UnsupportedSyntaxError: assignment into a dict item; once that is supported "
           "it must be an AliasingError)")
def dict_item_iadd_alias(x):
    y = x * 1.0
    d = {"a": y}
    d["a"] += 1.0
    return np.sum(y * x)


@case(args=M23, expect="refuse",
      note="aliasing: rows = list(y) holds views of y; rows[0] *= 2 changes y, which is read "
           "afterwards (AliasingError)")
def rows_view_imul_read_y(x):
    y = x * 1.0
    rows = list(y)
    rows[0] *= 2.0
    return np.sum(y * x)


@case(args=M23, expect="refuse",
      note="aliasing: rows = [y[0], y[1]] are views of y; rows[0] += 1 changes y, which is read "
           "afterwards (AliasingError)")
def explicit_row_views_iadd(x):
    y = x * 1.0
    rows = [y[0], y[1]]
    rows[0] += 1.0
    return np.sum(y * x)


@case(args=V3, note="lst = [y]; lst[0] -= y: y - y = 0 in place; y is not read afterwards")
def item_isub_self(x):
    y = x * 2.0
    lst = [y]
    lst[0] -= y
    return np.sum(lst[0] + x)


@case(args=V3, expect="refuse",
      note="t = (y, x); t[0] *= 2: Python raises TypeError (after ndarray.__imul__ has changed y)")
def tuple_item_imul(x):
    y = x * 1.0
    t = (y, x)
    t[0] *= 2.0
    return np.sum(y)
