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
import sys
from pathlib import Path

from headless_chromium import SKIPPED, chromium, render_dom


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
    ids = re.findall(r"<article class='case [^']*' id='case-[^']*' data-id='([^']+)'", source)
    returncode, dom = render_dom(browser, page)
    missing = [i for i in ids if f'data-id="{i}"' not in dom and f"data-id='{i}'" not in dom]
    problems = []
    if returncode != 0 or not dom.strip():
        problems.append(f"chromium exited {returncode} without a DOM")
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
