"""Parquet files: a folder of the four tables in, results and rejections out, all or none.

A folder holds ``children.parquet``, ``observations.parquet``, ``events.parquet`` and
``attendance.parquet``, with the layout's columns (``docs/tables.md``). Every output goes
through :class:`~efh_screen._files.OutputFiles`: written to temporary files and renamed into
place together, only once all of them are written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .._errors import FieldProblem, InputError
from .._files import OutputFiles
from ._arrow import arrow
from ._layout import TABLE_NAMES
from ._profiles import CaseTables
from ._screening import TableScreening

__all__ = ["TABLE_FILES", "read_tables", "write_screening", "write_tables"]

TABLE_FILES: dict[str, str] = {name: f"{name}.parquet" for name in TABLE_NAMES}
"""The file name of each table in a folder of Parquet tables."""


def read_tables(folder: str | os.PathLike[str]) -> CaseTables:
    """Read a folder of the four Parquet tables.

    Parameters
    ----------
    folder : path-like
        A folder holding ``children.parquet``, ``observations.parquet``,
        ``events.parquet`` and ``attendance.parquet``.

    Returns
    -------
    CaseTables
        The four tables, as read (their types are checked when they are screened).

    Raises
    ------
    InputError
        If the folder or one of the files is missing or is not a Parquet file (every such
        file is named).
    """
    parquet = arrow("read_tables").parquet
    pa = arrow("read_tables").pa
    root = Path(folder)
    if not root.is_dir():
        reason = "is not a folder; give the folder that holds the four .parquet tables"
        raise InputError([FieldProblem(str(folder), reason)])
    tables: list[Any] = []
    problems: list[FieldProblem] = []
    for name, file_name in TABLE_FILES.items():
        path = root / file_name
        if not path.is_file():
            reason = f"is missing; the folder must hold the {name} table (it may have no rows)"
            problems.append(FieldProblem(file_name, reason))
            continue
        try:
            tables.append(_read_table(parquet, pa, path))
        except (pa.ArrowInvalid, OSError) as exc:
            reason = f"cannot be read as a Parquet file ({type(exc).__name__}); check the file"
            problems.append(FieldProblem(file_name, reason))
    if problems:
        raise InputError(problems)
    return CaseTables(*tables)


def _read_table(parquet: Any, pa: Any, path: Path) -> Any:
    """Read one table, its text columns as dictionaries.

    Each distinct word or id is then decoded and looked up once, however many rows repeat it.
    """
    schema = parquet.read_schema(path)
    text = [
        field.name
        for field in schema
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
    ]
    return parquet.read_table(path, read_dictionary=text)


def write_tables(tables: CaseTables, folder: str | os.PathLike[str]) -> None:
    """Write the four tables as Parquet files into a folder (created if need be), all or none.

    Parameters
    ----------
    tables : CaseTables
        The four tables (e.g. from :func:`profiles_to_tables`).
    folder : path-like
        Where to write ``children.parquet`` and the others.
    """
    parquet = arrow("write_tables").parquet
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    with OutputFiles() as files:
        targets = {name: root / file_name for name, file_name in TABLE_FILES.items()}
        files.check_all(targets)
        for name, table in zip(TABLE_NAMES, tables, strict=True):
            parquet.write_table(table, files.open(name, targets[name], binary=True))


def write_screening(
    screening: TableScreening,
    *,
    results: str | os.PathLike[str] | None = None,
    results_jsonl: str | os.PathLike[str] | None = None,
    rejected: str | os.PathLike[str] | None = None,
    contributions: str | os.PathLike[str] | None = None,
    inputs: tuple[str | os.PathLike[str], ...] = (),
) -> None:
    """Write a screening's tables as Parquet (and its result lines as JSONL), all or none.

    Parameters
    ----------
    screening : TableScreening
        What :func:`screen_tables` returned.
    results, rejected, contributions : path-like, optional
        Parquet files for the results, the rejections and the long-form contributions
        (which the screening must hold: ``screen_tables(..., contributions=True)``).
    results_jsonl : path-like, optional
        The compact result lines, byte for byte those :func:`~efh_screen.screen_file` writes.
    inputs : tuple of path-like
        Input files, which no output may overwrite.

    Raises
    ------
    InputError
        If two outputs share a path, an output is an input, or contributions are asked for
        but were not computed.
    """
    parquet = arrow("write_screening").parquet
    if contributions is not None and screening.contributions is None:
        reason = "were not computed; screen with contributions=True to write them"
        raise InputError([FieldProblem("contributions", reason)])
    tables = {
        "results": screening.results,
        "rejected": screening.rejected,
        "contributions": screening.contributions,
    }
    requested = {
        "results": results,
        "results_jsonl": results_jsonl,
        "rejected": rejected,
        "contributions": contributions,
    }
    with OutputFiles(inputs=inputs) as files:
        files.check_all(requested)
        for name, path in requested.items():
            if path is None:
                continue
            if name == "results_jsonl":
                lines = screening.result_lines()
                stream = files.open(name, path)
                stream.write("".join(line + "\n" for line in lines))
            else:
                parquet.write_table(tables[name], files.open(name, path, binary=True))
