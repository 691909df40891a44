"""Functions whose generated gradients are pinned by golden files (tests/test_golden.py).

They live in their own module so that edits to other test files cannot shift
their line numbers.
"""

import numpy as np


def loop_and_branch(x, n):
    y = x
    i = 0
    while i < n:
        y = y * x
        i += 1
    if y > 1.0:
        z = np.sin(y)
    else:
        z = y * y
    return z
