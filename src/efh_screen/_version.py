"""The library version, stamped on every result; the one source (pyproject.toml reads it)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
