"""The ``efh-screen`` command: one module per group of subcommands.

``app`` builds the parser and runs it; ``core`` holds ``factors``, ``explain`` and ``schema``;
``batch`` holds ``screen``; ``synth`` holds ``synth``; ``validate`` holds ``validate`` and
``fit``; ``exit_codes`` names the exit codes. The library never prints; these modules do.
The console script ``efh-screen`` runs :func:`main`.
"""

from __future__ import annotations

from .app import build_parser, main
from .exit_codes import EXIT_INTERRUPTED, EXIT_OK, EXIT_REJECTED, EXIT_TERMINATED, EXIT_UNUSABLE

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_TERMINATED",
    "EXIT_UNUSABLE",
    "build_parser",
    "main",
]
