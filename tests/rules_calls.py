"""Rows of tests/test_rules.py for the entries calls of every kind reach: the
operator module's functions (the operators' rules, called as functions),
attribute reads and writes of objects (`getattr`, `setattr`) and
`functools.partial`.

Like tests/rules_more.py, this module uses test_rules' helpers and is
imported at the end of it; each row is checked in reverse mode against
central differences and in forward mode (jvp, and the dot-product test).
"""

from __future__ import annotations

import functools
import operator
from collections import namedtuple
from dataclasses import dataclass

import numpy as np
from test_rules import W, binary, row, unary

# ---------------------------------------------------------------- operator module


def operator_add(x, y):
    z = operator.add(x, y)
    return np.sum(z * W(np.shape(z)))


def operator_sub(x, y):
    z = operator.sub(x, y)
    return np.sum(z * W(np.shape(z)))


def operator_mul(x, y):
    z = operator.mul(x, y)
    return np.sum(z * W(np.shape(z)))


def operator_truediv(x, y):
    z = operator.truediv(x, y)
    return np.sum(z * W(np.shape(z)))


def operator_pow(x, y):
    z = operator.pow(x, y)
    return np.sum(z * W(np.shape(z)))


def builtin_pow(x, y):
    z = pow(x, y) + pow(x, 2)
    return np.sum(z * W(np.shape(z)))


def operator_mod(x, y):
    z = operator.mod(x, y)
    return np.sum(z * W(np.shape(z)))


def operator_neg(x):
    z = operator.neg(x)
    return np.sum(z * W(np.shape(z)))


def operator_matmul(a, b):
    z = operator.matmul(a, b)
    return np.sum(z * W(np.shape(z)))


def mod_cases() -> list[tuple]:
    """x mod y away from the jumps (x/y stays inside one integer interval)."""
    return [(x + 3.2, y * 0.05 + 1.25) for x, y in binary(-0.1, 0.1, -1.0, 1.0)]


# ---------------------------------------------------------------- attributes

Pair = namedtuple("Pair", "w b")


@dataclass
class Layer:
    w: np.ndarray
    b: float


class Scaled:
    """A plain object whose attributes are set in __init__ and later."""

    def __init__(self, w):
        self.w = w
        self.scale = 2.0

    def apply(self, x):
        return np.tanh(self.w * x) * self.scale


def read_namedtuple_field(x, y):
    p = Pair(x, y)
    return np.sum(np.sin(p.w) * W(np.shape(p.w))) + np.sum(p.b * p.w)


def read_dataclass_field(x, y):
    layer = Layer(x * 1.5, y)
    return np.sum(np.cos(layer.w) * layer.b * W(np.shape(layer.w)))


def read_plain_attribute(x, y):
    m = Scaled(x)
    return np.sum(m.apply(y) * W(np.shape(m.apply(y))))


def write_attribute(x, y):
    m = Scaled(x)
    m.w = m.w * y + 1.0
    m.scale = y
    return np.sum(m.apply(x) * W(np.shape(m.apply(x))))


# ---------------------------------------------------------------- partial


def scaled_power(x, y, *, p=2.0):
    return np.abs(x) ** p * y


def partial_of_data(x, y):
    f = functools.partial(scaled_power, x, p=3.0)
    z = f(y) + functools.partial(scaled_power, y=y)(x)
    return np.sum(z * W(np.shape(z)))


CALL_ROWS = [
    row("operator.add", operator_add, binary(), wrt=(0, 1)),
    row("operator.sub", operator_sub, binary(), wrt=(0, 1)),
    row("operator.mul", operator_mul, binary(), wrt=(0, 1)),
    row("operator.truediv", operator_truediv, binary(-1, 1, 0.5, 2), wrt=(0, 1)),
    row("operator.pow", operator_pow, binary(0.5, 2, -1.5, 1.5), wrt=(0, 1)),
    row("builtins.pow", builtin_pow, binary(0.5, 2, -1.5, 1.5), wrt=(0, 1)),
    row("operator.mod", operator_mod, mod_cases(), wrt=(0, 1)),
    row("operator.neg", operator_neg, unary()),
    row("operator.matmul", operator_matmul, [(W((3, 4)), W((4, 2)) * 0.5),
                                             (W((4,)), W((4, 3)))], wrt=(0, 1)),
    row("getattr", read_namedtuple_field, binary(), wrt=(0, 1)),
    row("setattr", write_attribute, binary(), wrt=(0, 1)),
    row("functools.partial", partial_of_data, binary(0.3, 1.0), wrt=(0, 1)),
]
# (dataclass fields and methods of plain objects read attributes too)
CALL_ROWS[-3].checks.extend(row("getattr", read_dataclass_field, binary(), wrt=(0, 1)).checks
                            + row("getattr", read_plain_attribute, binary(), wrt=(0, 1)).checks)
