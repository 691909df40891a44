"""The functions docs/how-it-works.md follows through the compiler.

    s2sad show examples/how_it_works.py:f --ir
    s2sad show examples/how_it_works.py:f
    s2sad show examples/how_it_works.py:power

scripts/gen_how_it_works.py renders the document from these, so what the
document shows is always what s2sad currently generates.
"""

import numpy as np


def f(x, y):
    z = x * y
    return np.sin(z) + z


def power(x, n):
    y = 1.0
    for _ in range(n):
        y = y * x
    return y
