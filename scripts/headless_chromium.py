"""Render a local HTML page in headless Chromium and return its DOM (shared by the page checks).

Installs nothing. Chromium runs offline: background networking is off, the profile is a
fresh temporary folder, and the pages checked reference no external assets.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

SKIPPED = 77
"""Exit code a check uses when Chromium is not installed (the test runners' "skipped")."""


def chromium() -> str | None:
    """Return the Chromium executable, or None when it is not installed."""
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render_dom(browser: str, page: Path, *, width: int | None = None) -> tuple[int, str]:
    """Return Chromium's exit code and the DOM of ``page`` after layout and scripts ran.

    ``width`` sets the window width in CSS pixels (Chromium's default when None).
    """
    with tempfile.TemporaryDirectory() as profile_dir:
        proc = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                f"--user-data-dir={profile_dir}",
                *([f"--window-size={width},1123"] if width is not None else []),
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    return proc.returncode, proc.stdout
