"""Gaussian process as a class: gradient of a bound method's marginal likelihood.

Features: bound-method-api, method-value, dict-params
"""
import numpy as np


class GaussianProcess:
    def __init__(self, X, y, kernel="rbf"):
        self.X = X
        self.y = y
        self.kernel = {"rbf": self.rbf, "exponential": self.exponential}[kernel]

    @staticmethod
    def _sq_dists(A, B):
        return np.sum((A[:, None, :] - B[None, :, :]) ** 2, axis=-1)

    def rbf(self, A, B, params):
        return params["variance"] * np.exp(-0.5 * self._sq_dists(A, B) / params["lengthscale"] ** 2)

    def exponential(self, A, B, params):
        r = np.sqrt(np.maximum(self._sq_dists(A, B), 1e-12))
        return params["variance"] * np.exp(-r / params["lengthscale"])

    def unpack(self, log_params):
        return {"lengthscale": np.exp(log_params[0]), "variance": np.exp(log_params[1]),
                "noise": np.exp(log_params[2])}

    def gram(self, params):
        return self.kernel(self.X, self.X, params) + params["noise"] * np.eye(len(self.X))

    def nll(self, log_params):
        params = self.unpack(log_params)
        K = self.gram(params)
        alpha = np.linalg.solve(K, self.y)
        return 0.5 * self.y @ alpha + 0.5 * np.linalg.slogdet(K)[1]

    def predictive_nll(self, log_params, X_test, y_test):
        params = self.unpack(log_params)
        K = self.gram(params)
        Ks = self.kernel(self.X, X_test, params)
        mean = Ks.T @ np.linalg.solve(K, self.y)
        var = params["variance"] - np.sum(Ks * np.linalg.solve(K, Ks), axis=0) + params["noise"]
        return 0.5 * np.sum(np.log(var) + (y_test - mean) ** 2 / var)


def cases():
    rng = np.random.default_rng(8)
    X = rng.uniform(0, 4, size=(10, 1))
    y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=10)
    X_test = np.array([[0.5], [1.7], [3.2]])
    y_test = np.sin(X_test[:, 0])
    gp = GaussianProcess(X, y)
    gp_exp = GaussianProcess(X, y, kernel="exponential")
    log_params = np.array([np.log(0.9), 0.1, np.log(0.02)])
    return [
        dict(fn=gp.nll, args=(log_params,), wrt=0, name="bound_nll"),
        dict(fn=gp_exp.nll, args=(log_params,), wrt="log_params", name="bound_nll_exponential"),
        dict(fn=gp.predictive_nll, args=(log_params, X_test, y_test), wrt=0, name="bound_predictive"),
    ]
