"""Quick start: the gradient of a logistic-regression loss, generated as NumPy code.

    python examples/quickstart.py            # compute, check and print the gradient
    s2sad show examples/quickstart.py:f      # read the code s2sad generated for it
"""

import numpy as np

import s2sad


def f(w, X, y):
    """Mean cross-entropy of a logistic model with weights `w` on data `X`, labels `y`."""
    z = X @ w  # one score per example
    p = 1 / (1 + np.exp(-z))  # predicted probability that the label is 1
    loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))  # cross-entropy per example
    return np.sum(loss) / len(y)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3))  # 8 examples, 3 features
    y = (X[:, 0] > 0).astype(float)  # labels that the first feature predicts
    w = np.zeros(3)

    df = s2sad.grad(f)  # differentiate with respect to argument 0, `w`
    print("loss:    ", f(w, X, y))
    print("gradient:", df(w, X, y))

    # Compare with central finite differences; raises if they disagree.
    s2sad.check_grad(f, w, X, y)
    print("check_grad: OK")

    # A few steps of gradient descent, using the value and gradient from one call.
    loss_and_grad = s2sad.value_and_grad(f)
    for _ in range(100):
        loss, g = loss_and_grad(w, X, y)
        w = w - 0.5 * g
    print("after 100 steps: loss", loss, "weights", w)
