"""Test-wide setup: the table's optional entries (SciPy's, when SciPy is
installed) load once SciPy is imported; the tests that walk the whole table
need them loaded from the start."""

from s2sad import primitives

primitives.load_optional(force=True)
