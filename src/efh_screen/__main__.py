"""``python -m efh_screen``: the ``efh-screen`` command.

:func:`main` is the console script's entry point; the tests drive the command through it.
"""

from __future__ import annotations

import sys

from ._cli import main

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
