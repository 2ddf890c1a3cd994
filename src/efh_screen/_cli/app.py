"""The ``efh-screen`` parser and its runner.

Each group of subcommands registers itself from its own module of this package
(``core``, ``batch``, ``assemble``, ``synth``, ``validate``). Exit codes are in ``exit_codes``.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .._errors import EfhScreenError
from .._version import __version__
from .exit_codes import EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_UNUSABLE

__all__ = ["build_parser", "main"]

Registrar = Callable[["argparse._SubParsersAction[Any]"], None]


def _registrars() -> list[Registrar]:
    # Imported here so that `efh-screen --version` does not load numpy-heavy modules.
    from . import assemble, batch, core, synth, validate

    return [core.register, batch.register, assemble.register, synth.register, validate.register]


class _Parser(argparse.ArgumentParser):
    """argparse that exits with EXIT_UNUSABLE and a plain message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(EXIT_UNUSABLE)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered subcommand."""
    parser = _Parser(
        prog="efh-screen",
        description=(
            "Screen young people's profiles for an early-help review by a person. "
            "A flag is a prompt for review, never a decision."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"efh-screen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for register in _registrars():
        register(sub)
    return parser


class _Terminated(Exception):  # noqa: N818 - a signal, not an error
    """SIGTERM arrived: unwind so every temporary output file is removed."""


@contextlib.contextmanager
def _orderly_termination() -> Iterator[None]:
    """Turn SIGTERM into an exception while the command runs, then restore the handler.

    Only the command line does this (it owns the process); the library never touches
    signal handlers. Outside the main thread (e.g. a test runner's worker) it does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    with _orderly_termination():
        try:
            return _main(argv)
        except _Terminated:
            sys.stderr.write("efh-screen: terminated; no output was written\n")
            return EXIT_TERMINATED


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already reported
        return exc.code if isinstance(exc.code, int) else EXIT_UNUSABLE
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_UNUSABLE
    try:
        code: int = handler(args)
    except EfhScreenError as exc:
        sys.stderr.write(f"efh-screen: {exc}\n")
        return EXIT_UNUSABLE
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:
        name = exc.filename if exc.filename is not None else "file"
        sys.stderr.write(f"efh-screen: cannot use {name}: {exc.strerror or exc}\n")
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        sys.stderr.write("efh-screen: interrupted\n")
        return EXIT_INTERRUPTED
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
