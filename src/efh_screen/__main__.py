"""``python -m efh_screen``: the ``efh-screen`` command.

:func:`main` runs the command (the console script ``efh-screen`` runs the same function) and
returns its exit code: :data:`EXIT_OK`, :data:`EXIT_REJECTED`, :data:`EXIT_UNUSABLE`,
:data:`EXIT_INTERRUPTED` (Ctrl-C) or :data:`EXIT_TERMINATED` (SIGTERM);
:func:`build_parser` returns its argument parser.
"""

from __future__ import annotations

import sys

from ._cli import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_TERMINATED,
    EXIT_UNUSABLE,
    build_parser,
    main,
)

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_TERMINATED",
    "EXIT_UNUSABLE",
    "build_parser",
    "main",
]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
