"""s2sad: source-to-source automatic differentiation for Python and NumPy.

    import s2sad

    @s2sad.grad
    def f(x):
        return np.sum(np.sin(x) ** 2)

    f(np.ones(3))            # the gradient, computed by generated NumPy code
    print(s2sad.show(f))     # ... which you can read
"""

from .api import (
    GradientCheckError,
    check_grad,
    grad,
    numerical_gradient,
    show,
    stop_gradient,
    value_and_grad,
)
from .custom import custom_jvp, custom_vjp, defjvp, defvjp
from .errors import (
    AliasingError,
    ArgumentTypeError,
    BackendError,
    NoAdjointError,
    NonScalarOutputError,
    S2sadError,
    SourceUnavailableError,
    UnsupportedSyntaxError,
    WrtError,
)
from .runtime.trees import ravel
from .transforms import elementwise_grad, hessian, hvp, jacobian, jvp, linearize, vjp

__version__ = "0.1.0"

__all__ = [
    "grad", "value_and_grad", "jvp", "vjp", "jacobian", "hessian", "hvp", "elementwise_grad",
    "linearize", "custom_vjp", "custom_jvp", "defvjp", "defjvp", "stop_gradient", "show",
    "check_grad", "numerical_gradient", "ravel",
    "GradientCheckError", "S2sadError", "UnsupportedSyntaxError", "NoAdjointError",
    "NonScalarOutputError", "WrtError", "ArgumentTypeError", "SourceUnavailableError",
    "BackendError", "AliasingError",
]
