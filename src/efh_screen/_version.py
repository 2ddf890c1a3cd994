"""The library version, stamped on every result."""

__all__ = ["__version__"]

__version__ = "0.1.0"
