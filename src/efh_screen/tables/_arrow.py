"""pyarrow, imported only when a table is read, screened or written.

pyarrow is an optional dependency (the ``tables`` extra): importing efh_screen, or
this package, never imports it, and using a table without it installed raises an
error that names the install command.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import NamedTuple

__all__ = ["TABLES_EXTRA_MISSING", "Arrow", "arrow", "import_pandas"]

TABLES_EXTRA_MISSING = (
    "{what} needs {package}, which is not installed; install the columnar tools with "
    'pip install "efh_screen[tables]"'
)
"""The error when pyarrow is missing; names the install command."""


class Arrow(NamedTuple):
    """The pyarrow modules the package uses."""

    pa: ModuleType
    """``pyarrow``."""
    compute: ModuleType
    """``pyarrow.compute``."""
    parquet: ModuleType
    """``pyarrow.parquet``."""


PANDAS_MISSING = (
    "{what} needs pandas, which is not installed; install it with pip install pandas (or pip "
    'install "efh_screen[research]", which includes it)'
)
"""The error when pandas is missing: the ``tables`` extra does not install it."""


def _import(package: str, *, what: str, message: str = TABLES_EXTRA_MISSING) -> ModuleType:
    try:
        return importlib.import_module(package)
    except ImportError:
        raise ImportError(message.format(what=what, package=package)) from None


def arrow(what: str) -> Arrow:
    """Return pyarrow's modules, or raise an error naming the install command.

    Parameters
    ----------
    what : str
        What needs them, for the error (e.g. ``"screen_tables"``).
    """
    return Arrow(
        pa=_import("pyarrow", what=what),
        compute=_import("pyarrow.compute", what=what),
        parquet=_import("pyarrow.parquet", what=what),
    )


def import_pandas(what: str) -> ModuleType:
    """Return pandas, or raise an error naming the install command."""
    return _import("pandas", what=what, message=PANDAS_MISSING)
