"""Generated gradient code on Dask arrays, through NumPy's dispatch protocols.

The data lives in a chunked Dask array, the parameters in NumPy; the
gradient s2sad generates builds one Dask graph and `grad` computes it once,
on a `dask.distributed` cluster of two worker processes, and matches the
gradient computed in memory with NumPy.
"""

from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="Dask is optional: pip install '.[dask]'")
distributed = pytest.importorskip("distributed",
                                  reason="dask.distributed is optional: pip install '.[dask]'")

import s2sad  # noqa: E402


def loss(w, b, X, y):
    """Mean cross-entropy of logistic regression plus a small ridge penalty."""
    z = X @ w + b
    p = 1 / (1 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + 0.01 * np.sum(w * w)


def _data(rows: int, chunk: int):
    X = da.random.default_rng(0).normal(size=(rows, 4), chunks=(chunk, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(float)
    return X, y


class _CountComputes:
    """How many times Dask runs a graph (the local schedulers' callback)."""

    def __enter__(self):
        from dask.callbacks import Callback

        outer = self
        self.count = 0

        class Count(Callback):
            def _start(self, dsk):
                outer.count += 1

        self._callback = Count()
        self._callback.__enter__()
        return self

    def __exit__(self, *exc):
        self._callback.__exit__(*exc)


def test_one_graph_execution_per_gradient():
    X, y = _data(20_000, 5_000)
    w, b = np.array([0.1, -0.2, 0.3, 0.0]), 0.5
    gradient = s2sad.value_and_grad(loss, wrt=(0, 1))
    with _CountComputes() as counter:
        value, (gw, gb) = gradient(w, b, X, y)
    assert counter.count == 1
    assert isinstance(gw, np.ndarray) and type(gb) is float
    value_np, (gw_np, gb_np) = gradient(w, b, X.compute(), y.compute())
    np.testing.assert_allclose(value, value_np, rtol=1e-12)
    np.testing.assert_allclose(gw, gw_np, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(gb, gb_np, rtol=1e-10, atol=1e-14)


def test_dask_parameters_too():
    X, y = _data(8_000, 2_000)
    w = np.array([0.1, -0.2, 0.3, 0.0])
    gw = s2sad.grad(loss)(da.from_array(w, chunks=2), 0.5, X, y)
    expected = s2sad.grad(loss)(w, 0.5, X.compute(), y.compute())
    assert gw.shape == w.shape
    np.testing.assert_allclose(gw, expected, rtol=1e-10, atol=1e-14)


def test_on_a_distributed_cluster_of_two_processes():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, memory_limit="1GiB") as cluster, \
            distributed.Client(cluster) as client:
        X, y = _data(200_000, 25_000)
        X, y = client.persist([X, y])
        w, b = np.array([0.3, 0.1, -0.2, 0.05]), -0.1
        gradient = s2sad.grad(loss, wrt=(0, 1))
        gw, gb = gradient(w, b, X, y)
        for _ in range(3):  # a few steps of gradient descent, each one graph run
            w, b = w - 0.5 * gw, b - 0.5 * gb
            gw, gb = gradient(w, b, X, y)
        Xn, yn = client.compute([X, y], sync=True)
    gw_np, gb_np = gradient(w, b, Xn, yn)
    np.testing.assert_allclose(gw, gw_np, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(gb, gb_np, rtol=1e-9, atol=1e-13)
