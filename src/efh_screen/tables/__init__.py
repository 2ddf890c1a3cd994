"""Columnar screening: four long tables in (Parquet, Arrow, pandas), Arrow tables out.

Case systems and data warehouses export tables. This package screens them column-wise, with
no Python object per profile: the same validation rules, field paths and reasons as the
Profile model, the same indicators as :func:`~efh_screen.feature_matrix`, and results whose
lines are byte for byte those :func:`~efh_screen.screen_file` writes. The layout is in
``docs/tables.md`` (``efh-screen schema --arrow`` prints it).

pyarrow is an optional dependency: ``pip install "efh_screen[tables]"``. Importing this
package does not import it; using a table without it raises an error naming that command.
"""

from ._arrow import TABLES_EXTRA_MISSING
from ._batch import TableBatch, screen_table_files
from ._derivation import DERIVED_INDICATORS
from ._layout import TABLE_NAMES, arrow_schemas, describe_layout
from ._parquet import (
    TABLE_FILES,
    SourceRows,
    TableChunk,
    TableRows,
    iter_tables,
    read_tables,
    screen_folder,
    write_screening,
    write_tables,
)
from ._profiles import CaseTables, FrameTables, profiles_to_tables, tables_from_frame
from ._results import RESULT_COLUMNS
from ._screening import TableCount, TableCounts, TableScreening, screen_tables

__all__ = [
    "DERIVED_INDICATORS",
    "RESULT_COLUMNS",
    "TABLES_EXTRA_MISSING",
    "TABLE_FILES",
    "TABLE_NAMES",
    "CaseTables",
    "FrameTables",
    "SourceRows",
    "TableBatch",
    "TableChunk",
    "TableCount",
    "TableCounts",
    "TableRows",
    "TableScreening",
    "arrow_schemas",
    "describe_layout",
    "iter_tables",
    "profiles_to_tables",
    "read_tables",
    "screen_folder",
    "screen_table_files",
    "screen_tables",
    "tables_from_frame",
    "write_screening",
    "write_tables",
]
