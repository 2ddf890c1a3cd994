"""Check that a review page renders in headless Chromium and shows every case.

Usage::

    python scripts/check_review_html.py review.html

Installs nothing. Needs ``/usr/bin/chromium`` (or ``chromium`` on PATH); exits
0 when every case id on the page appears in the rendered DOM together with the
review notice, 1 when something is missing, and 77 (skipped) when Chromium is
not installed. The page is rendered offline: background networking is off and
the page references no external assets.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SKIPPED = 77


def chromium() -> str | None:
    """Return the Chromium executable, or None when it is not installed."""
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def main(argv: list[str]) -> int:
    """Render the page and check it; return the exit code."""
    if len(argv) != 1:
        sys.stderr.write("usage: python scripts/check_review_html.py REVIEW.html\n")
        return 2
    page = Path(argv[0]).resolve()
    browser = chromium()
    if browser is None:
        sys.stderr.write("chromium not installed; skipped\n")
        return SKIPPED
    source = page.read_text(encoding="utf-8")
    ids = re.findall(r"<details id='case-[^']*' data-id='([^']+)'", source)
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
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    dom = proc.stdout
    missing = [i for i in ids if f'data-id="{i}"' not in dom and f"data-id='{i}'" not in dom]
    problems = []
    if proc.returncode != 0 or not dom.strip():
        problems.append(f"chromium exited {proc.returncode} without a DOM")
    if not ids:
        problems.append("the page lists no cases")
    if missing:
        problems.append(f"{len(missing)} case ids missing from the rendered page")
    if "prompts for an early-help review by a person" not in dom:
        problems.append("the review notice is missing from the rendered page")
    if problems:
        sys.stdout.write("FAIL: " + "; ".join(problems) + "\n")
        return 1
    sys.stdout.write(f"OK: {len(ids)} cases rendered with the review notice\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
