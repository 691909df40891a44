"""The table of primitives (see `record.py`): NumPy's operations and the IR's own.

    from s2sad import primitives
    primitives.get("np.exp").vjp        # {'x': 'g * ans'}
    primitives.for_object(np.exp).name  # 'np.exp'
"""

from . import helpers, internal, numpy_ops  # noqa: F401  (registers the entries)
from .record import (
    MISSING,
    TABLE,
    USER_RULED,
    Primitive,
    for_object,
    get,
    install_optional,
    load_optional,
    lookup,
    resolve_name,
    user_rules,
)

__all__ = ["MISSING", "TABLE", "USER_RULED", "Primitive", "for_object", "get", "load_optional",
           "lookup", "resolve_name", "user_rules"]

# After numpy_ops, so that their entries follow its own in each section of docs/ops.md.
from . import numpy_fft, numpy_linalg, numpy_signal  # noqa: E402, F401


def _load_scipy() -> None:
    """SciPy's entries (`scipy_ops.py`), loaded once SciPy is imported (see
    `record.install_optional`), so `import s2sad` does not import SciPy."""
    try:
        from . import scipy_ops  # noqa: F401
    except ImportError as error:  # (only SciPy's absence: a broken module of ours still raises)
        if not (error.name or "").startswith("scipy"):
            raise


install_optional("scipy", _load_scipy)
