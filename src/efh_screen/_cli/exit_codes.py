"""Exit codes of the ``efh-screen`` command, in one place.

0  everything requested was done (for ``screen``: every record was screened)
1  some records were rejected; the good records' results were still written
2  unusable invocation: bad arguments, missing file, bad weightings or mapping
130 interrupted (Ctrl-C); 143 terminated (SIGTERM): no output was written
"""

from __future__ import annotations

__all__ = ["EXIT_INTERRUPTED", "EXIT_OK", "EXIT_REJECTED", "EXIT_TERMINATED", "EXIT_UNUSABLE"]

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_UNUSABLE = 2
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT)
EXIT_TERMINATED = 143  # SIGTERM
