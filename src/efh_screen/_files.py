"""Files: reading small inputs with a size bound, and writing a run's outputs all or none.

:func:`read_bounded` reads a file that should be small (a case, a weightings or mapping
file) without ever holding more than its bound in memory, so ``/dev/zero`` or a huge file
given by mistake is refused, not read.

:class:`OutputFiles` opens each output as a temporary file next to its target and renames
them all into place only once every one has been written; if anything fails, every
temporary file is removed and every target is left as it was. :func:`atomic_output` is the
one-file case.

The rules (``docs/batch.md``, "Output files"):

* two outputs on one path, or an output on an input, are refused before anything is written;
* a folder given as an output is refused, naming the folder (never the temporary file);
* a target that exists keeps its permission bits; a new file gets the caller's umask, which
  the kernel applies (the process umask is never read or changed);
* a target that is not a regular file (a device such as ``/dev/null``, a FIFO, a terminal)
  is written directly, never renamed over; a symbolic link is followed, so the file it
  points to is replaced and the link stays;
* temporary files are named ``.<target>.<host>.<pid>.<random>.efh-tmp`` (``<host>`` is a
  short hash of the machine's name); one left behind by a run on this machine that was killed
  (its process no longer exists) is removed by the next run that writes the same target. A
  temporary file from another machine (a shared network folder) is never removed. The
  command line turns SIGTERM into an orderly exit, so its temporary files are removed too.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import os
import secrets
import socket
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ._errors import FieldProblem, InputError

__all__ = [
    "FORMULA_TRIGGERS",
    "MAX_SMALL_FILE_BYTES",
    "TEMPORARY_SUFFIX",
    "OutputFiles",
    "SafeCsvWriter",
    "atomic_output",
    "read_bounded",
    "spreadsheet_safe",
]

TEMPORARY_SUFFIX = ".efh-tmp"
"""Suffix of this library's temporary output files."""

MAX_SMALL_FILE_BYTES = 1_000_000
"""Largest case, weightings or mapping file read (1 MB; the default weightings are 15 kB)."""


def read_bounded(
    path: str | os.PathLike[str], *, field: str, limit: int = MAX_SMALL_FILE_BYTES
) -> bytes:
    """Read a small file whole, refusing one larger than ``limit`` bytes without reading it all.

    Parameters
    ----------
    path : path-like
        The file.
    field : str
        What the file is, for the error (e.g. ``"CASE.json"``, ``"--weights"``).
    limit : int
        Most bytes read.

    Raises
    ------
    InputError
        If the file cannot be read, or holds more than ``limit`` bytes.
    """
    try:
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        reason = f"cannot be read ({exc.strerror or exc}); check the path"
        raise InputError([FieldProblem(field, reason)]) from None
    if len(data) > limit:
        reason = f"is larger than {limit:,} bytes, so it was not read; check it is the right file"
        raise InputError([FieldProblem(field, reason)])
    return data


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters a spreadsheet would read as the start of a formula (OWASP)."""


class _UnixLines:
    """A text stream that ends each row a csv writer writes with a line feed alone."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if text.endswith("\r\n"):
            text = text[:-2] + "\n"
        return self._stream.write(text)


class SafeCsvWriter:
    r"""The one way the library writes CSV: spreadsheet-safe cells, rows ending ``\n``.

    Every cell goes through :func:`spreadsheet_safe`. The underlying :func:`csv.writer`
    has ``"\r\n"`` as its line terminator, so it quotes every cell holding a carriage
    return or a line feed (with ``"\n"`` alone it would write a bare carriage return
    unquoted and break the row); each row is then ended with ``"\n"``.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(_UnixLines(stream), lineterminator="\r\n")

    def writerow(self, cells: Iterable[object]) -> None:
        """Write one row."""
        self._writer.writerow([spreadsheet_safe(cell) for cell in cells])


def spreadsheet_safe(value: object) -> str:
    """Return a CSV cell a spreadsheet will show as text, never run as a formula.

    A cell that begins with ``= + - @``, a tab or a carriage return gets a leading
    apostrophe (the OWASP rule for CSV injection); every CSV the library writes goes
    through this, and :func:`~efh_screen.read_csv` removes the apostrophe again.
    """
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _same_file(first: Path, second: Path) -> bool:
    if first == second:
        return True
    with contextlib.suppress(OSError):
        return os.path.samefile(first, second)
    return False


def _process_is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _sweep_stale(target: Path) -> None:
    """Remove temporary files for ``target`` left by killed runs of this tool on this machine."""
    with contextlib.suppress(OSError):
        for candidate in target.parent.glob(f".{target.name}.*{TEMPORARY_SUFFIX}"):
            parts = candidate.name[len(target.name) + 2 : -len(TEMPORARY_SUFFIX)].split(".")
            if len(parts) != 3 or parts[0] != _HOST:
                continue
            pid = parts[1]
            if not (pid.isascii() and pid.isdigit() and len(pid) <= 10):
                continue  # not a name this library writes
            with contextlib.suppress(OSError, OverflowError, ValueError):
                if not _process_is_running(int(pid)):
                    candidate.unlink()


def _create_temporary(target: Path, mode: int | None) -> tuple[int, Path]:
    """Create a new temporary file next to ``target``; return its descriptor and path."""
    for _ in range(100):
        name = f".{target.name}.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}"
        temporary = target.with_name(name)
        try:
            # 0o666 and the kernel applies the umask; an existing target's mode is kept.
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:  # name the file the user asked for, not the temporary one
            raise OSError(exc.errno, exc.strerror, os.fspath(target)) from None
        if mode is not None:
            os.fchmod(descriptor, mode)
        return descriptor, temporary
    raise OSError(f"cannot create a temporary file next to {target}")  # pragma: no cover


class _Output:
    """One output: a temporary file to rename over a regular target, or a direct stream."""

    def __init__(self, target: Path, *, binary: bool) -> None:
        self.target = target
        self.temporary: Path | None = None
        existing = None
        with contextlib.suppress(FileNotFoundError):
            existing = target.stat()
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            # A device, FIFO or terminal: write to it as it is; renaming would replace it.
            self.stream: IO[Any] = open(target, "wb" if binary else "w", **_text(binary))  # noqa: SIM115
            return
        _sweep_stale(target)
        mode = stat.S_IMODE(existing.st_mode) if existing is not None else None
        descriptor, self.temporary = _create_temporary(target, mode)
        self.stream = os.fdopen(descriptor, "wb" if binary else "w", **_text(binary))

    def finish(self) -> None:
        """Flush the data to disk and close the stream (before any output is committed)."""
        stream = self.stream
        if not stream.closed:
            stream.flush()
            if self.temporary is not None:
                os.fsync(stream.fileno())
            stream.close()

    def check_target(self) -> None:
        """Raise if the target can no longer be replaced (it became a folder, say)."""
        if self.temporary is not None and self.target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(self.target))

    def commit(self) -> None:
        if self.temporary is not None:
            os.replace(self.temporary, self.target)
            self.temporary = None

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.stream.close()
        if self.temporary is not None:
            with contextlib.suppress(OSError):
                self.temporary.unlink()
            self.temporary = None


def _text(binary: bool) -> dict[str, Any]:
    return {} if binary else {"encoding": "utf-8", "newline": "\n"}


class OutputFiles:
    """A run's output files, committed together only when all have been written.

    Use it as a context manager and :meth:`open` each output inside it. Leaving the block
    normally renames every temporary file over its target; leaving it with an exception
    (including ``KeyboardInterrupt`` and ``SystemExit``) removes them all.

    Parameters
    ----------
    inputs : sequence of path-like
        Files the run reads; an output on one of them is refused.
    """

    def __init__(self, *, inputs: Sequence[str | os.PathLike[str]] = ()) -> None:
        self._inputs = [Path(os.path.realpath(path)) for path in inputs]
        self._outputs: list[_Output] = []
        self._names: dict[Path, str] = {}

    def check(self, name: str, path: str | os.PathLike[str]) -> Path:
        """Check that ``path`` can be the output ``name``; return the file to write.

        Raises
        ------
        InputError
            If it is a folder, an input, or the path of another output of this run.
        """
        target = Path(os.path.realpath(path))
        if target.is_dir():
            raise InputError([FieldProblem(name, "is a folder; give a file name inside it")])
        for source in self._inputs:
            if _same_file(target, source):
                raise InputError(
                    [FieldProblem(name, "is the input file; write the output somewhere else")]
                )
        for other, other_name in self._names.items():
            if _same_file(target, other):
                reason = f"is the same file as {other_name}; give each output its own file"
                raise InputError([FieldProblem(name, reason)])
        self._names[target] = name
        return target

    def check_all(self, outputs: Mapping[str, str | os.PathLike[str] | None]) -> None:
        """Check every output given (by name; ``None`` means not asked for), in order.

        Called before any work is done, so a clash is refused before anything is read.
        """
        for name, path in outputs.items():
            if path is not None:
                self.check(name, path)

    def open(self, name: str, path: str | os.PathLike[str], *, binary: bool = False) -> IO[Any]:
        r"""Open the output ``name`` (used in error messages) at ``path``; return its stream.

        Text streams are UTF-8 with ``\n`` line endings.
        """
        target = Path(os.path.realpath(path))
        if self._names.get(target) != name:
            target = self.check(name, path)
        output = _Output(target, binary=binary)
        self._outputs.append(output)
        return output.stream

    def __enter__(self) -> OutputFiles:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._discard()
            return
        try:
            for output in self._outputs:
                output.finish()
            for output in self._outputs:
                output.check_target()  # a folder or a lost directory, found before any rename
        except BaseException:
            self._discard()
            raise
        try:
            for output in self._outputs:
                output.commit()
        except BaseException:
            # A rename failed part-way (rare: the disk or the folder changed under us). The
            # outputs renamed so far stay; every temporary file left is removed.
            self._discard()
            raise

    def _discard(self) -> None:
        for output in self._outputs:
            output.discard()


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, binary: bool = False) -> Iterator[IO[Any]]:
    r"""Open ``path`` for writing; the file is replaced only if the block succeeds.

    Parameters
    ----------
    path : path-like
        The final file.
    binary : bool
        Open in binary mode (default text, UTF-8, ``\n`` line endings).

    Yields
    ------
    file
        The stream to write. If the block raises, ``path`` is left untouched.
    """
    with OutputFiles() as outputs:
        yield outputs.open("output", path, binary=binary)
