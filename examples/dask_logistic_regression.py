"""
Logistic regression over a chunked Dask array
=============================================

The data set lives in a Dask array split into chunks of rows; the weights
are a NumPy array. The gradient s2sad generates calls ``np.exp``, ``@`` and
``np.mean``, which NumPy hands to Dask, so one call of the gradient builds
one task graph over all chunks and computes it once. The same code on a
``dask.distributed`` cluster runs the chunks on the workers (see the
"Large data" page). This example times the gradient against the same
gradient on the data in memory, checks that they agree, and trains the
model on the chunked data.
"""

import time

import dask
import dask.array as da
import matplotlib.pyplot as plt
import numpy as np

import s2sad


def loss(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z) + 1e-3 * np.sum(w * w)


rows, features, chunk = 400_000, 8, 50_000
true_w = np.linspace(-1, 1, features)
X = da.random.default_rng(0).normal(size=(rows, features), chunks=(chunk, features))
y = (X @ true_w + 0.3 > 0).astype(float)
X, y = dask.persist(X, y)  # make the chunks once, keep them in memory
X_np, y_np = dask.compute(X, y)
print(f"{rows} rows in {X.numblocks[0]} chunks of {chunk}")

value_and_grad = s2sad.value_and_grad(loss, wrt=(0, 1))
w, b = np.zeros(features), 0.0

# %%
# The chunked gradient equals the in-memory one.
value, (gw, gb) = value_and_grad(w, b, X, y)
value_np, (gw_np, gb_np) = value_and_grad(w, b, X_np, y_np)
assert isinstance(gw, np.ndarray) and type(gb) is float
assert np.allclose(gw, gw_np, rtol=1e-10) and np.isclose(gb, gb_np, rtol=1e-10)
print("gradient over the Dask array equals the in-memory gradient")


def seconds_per_gradient(X, y, repeat=3):
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        value_and_grad(w, b, X, y)
        best = min(best, time.perf_counter() - start)
    return best


t_dask = seconds_per_gradient(X, y)
t_numpy = seconds_per_gradient(X_np, y_np)
print(f"time per gradient: Dask {1e3 * t_dask:.0f} ms, NumPy in memory {1e3 * t_numpy:.0f} ms")

# %%
# Training on the chunked data: each step is one graph execution.
history = []
for _ in range(15):
    value, (gw, gb) = value_and_grad(w, b, X, y)
    history.append(value)
    w, b = w - 2.0 * gw, b - 2.0 * gb
accuracy = float(np.mean(((X_np @ w + b) > 0) == (y_np == 1)))
print(f"loss {history[0]:.3f} -> {history[-1]:.3f}, accuracy {accuracy:.1%}")
assert history[-1] < history[0] and accuracy > 0.9

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax1.bar(["Dask (chunks)", "NumPy (in memory)"], [1e3 * t_dask, 1e3 * t_numpy],
        color=["C0", "C1"])
ax1.set(ylabel="ms per value and gradient", title=f"{rows:,} rows × {features} features")
ax2.plot(history, "o-")
ax2.set(xlabel="step", ylabel="loss", title="gradient descent on the Dask array")
fig.tight_layout()
plt.show()
