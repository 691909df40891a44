"""
``scipy.optimize.minimize`` with s2sad's gradient
=================================================

SciPy's optimizers want one flat vector of parameters and a function that
returns the value and the gradient as flat vectors. The model keeps its
parameters in a dict of arrays; ``s2sad.ravel`` flattens the dict into a
vector and gives back the function that rebuilds it, and the gradient,
which s2sad returns as a dict with the same keys, flattens the same way.
L-BFGS-B then fits a small tanh network to a curve in a few hundred
evaluations.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import minimize

import s2sad


def predict(params, x):
    hidden = np.tanh(np.outer(x, params["W1"]) + params["b1"])
    return hidden @ params["W2"] + params["b2"]


def loss(params, x, y):
    return np.mean((predict(params, x) - y) ** 2) + 1e-4 * np.sum(params["W2"] ** 2)


rng = np.random.default_rng(4)
x = np.linspace(-3, 3, 80)
y = np.sinc(x) + rng.normal(0, 0.03, x.size)
params = {"W1": rng.normal(size=8), "b1": rng.normal(size=8),
          "W2": rng.normal(size=8) * 0.1, "b2": 0.0}

flat, unravel = s2sad.ravel(params)
print(f"{len(params)} arrays, {flat.size} numbers in the flat vector")
value_and_grad = s2sad.value_and_grad(loss)


def fun(vector):
    """What SciPy calls: the value and the flat gradient at a flat vector."""
    value, grads = value_and_grad(unravel(vector), x, y)
    return value, s2sad.ravel(grads)[0]


# The flat gradient is the gradient of the flat function: check it.
numeric = s2sad.numerical_gradient(lambda v: loss(unravel(v), x, y), [flat], 0)
assert np.allclose(fun(flat)[1], numeric, rtol=1e-5, atol=1e-8)
print("flat gradient matches finite differences")

# %%
history = []


def record(intermediate_result):
    history.append(intermediate_result.fun)


result = minimize(fun, flat, jac=True, method="L-BFGS-B", callback=record,
                  options={"maxiter": 600})
fitted = unravel(result.x)
print(f"L-BFGS-B: {result.nit} iterations, {result.nfev} evaluations, loss {result.fun:.5f}")
assert isinstance(fitted, dict) and fitted["W1"].shape == (8,) and type(fitted["b2"]) is float
assert result.fun < 0.003

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
xs = np.linspace(-3, 3, 300)
ax1.plot(x, y, "k.", ms=4, label="data")
ax1.plot(xs, predict(unravel(flat), xs), "--", label="start")
ax1.plot(xs, predict(fitted, xs), color="C3", label="L-BFGS-B fit")
ax1.set(xlabel="x", title="tanh network fitted with scipy.optimize")
ax1.legend(fontsize=8)
ax2.semilogy(history)
ax2.set(xlabel="iteration", ylabel="loss", title="L-BFGS-B")
fig.tight_layout()
plt.show()
