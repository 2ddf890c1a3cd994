"""Tidy pandas tables of results, with pandas imported only when a table is asked for.

pandas is an optional dependency (the ``research`` extra): importing the
research tools never imports it, and asking for a table without it installed
raises an error that names the install command.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any

from ._figure import Figure

__all__ = ["FIGURE_COLUMNS", "RESEARCH_EXTRA_MISSING", "figure_rows", "frame", "import_optional"]

RESEARCH_EXTRA_MISSING = (
    "{what} needs {package}, which is not installed; install the research tools with "
    'pip install "efh_screen[research]"'
)

#: The columns every figure has in a tidy table.
FIGURE_COLUMNS = ("value", "low", "high")


def import_optional(package: str, *, what: str) -> Any:
    """Return an optional package, or raise an error naming the install command."""
    try:
        return importlib.import_module(package)
    except ImportError:
        raise ImportError(RESEARCH_EXTRA_MISSING.format(what=what, package=package)) from None


def figure_rows(figures: Mapping[str, Figure], **labels: object) -> Iterable[dict[str, object]]:
    """Yield one row per figure: the labels, ``figure``, then value, low and high."""
    for name, figure in figures.items():
        yield {
            **labels,
            "figure": name,
            "value": figure.value,
            "low": figure.low,
            "high": figure.high,
        }


def frame(rows: Iterable[Mapping[str, object]], columns: Iterable[str], *, what: str) -> Any:
    """Return a pandas DataFrame of the rows, with the columns in the order given."""
    pandas = import_optional("pandas", what=what)
    return pandas.DataFrame(list(rows), columns=list(columns))
