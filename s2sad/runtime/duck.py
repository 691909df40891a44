"""Arrays that are not NumPy's but take part in NumPy's dispatch protocols
(`__array_function__`, `__array_ufunc__`): Dask arrays, CuPy arrays.

Generated code calls `np.*`, which hands such arrays to their own library,
so the forward and backward passes build a Dask graph (or run on the GPU)
unchanged. Only the edges need care: a helper must not turn one into a
NumPy array or a Python float halfway (each would run a Dask graph on its
own), and the gradients of one call are computed together at the end.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np


def is_duck_array(x: Any) -> bool:
    """An array of another library that NumPy's functions dispatch to."""
    return not isinstance(x, (np.ndarray, np.generic)) and \
        hasattr(x, "__array_function__") and hasattr(x, "shape") and hasattr(x, "dtype")


def materialize(tree: Any) -> Any:
    """`tree` (nested tuples, lists and dicts) with its Dask collections
    computed, all in one graph execution, so shared work (the forward pass
    under every gradient) runs once. Anything else is returned as it is."""
    dask = sys.modules.get("dask")
    if dask is None or not _has_dask(tree, dask):
        return tree
    (computed,) = dask.compute(tree)
    return computed


def _has_dask(tree: Any, dask: Any) -> bool:
    if isinstance(tree, (tuple, list)):
        return any(_has_dask(item, dask) for item in tree)
    if isinstance(tree, dict):
        return any(_has_dask(item, dask) for item in tree.values())
    return dask.is_dask_collection(tree)
