"""Check that a worker-facing page fits desktop and A4 widths in headless Chromium.

Usage::

    python scripts/check_page_fit.py PAGE.html [PAGE.html ...]

Installs nothing. Needs ``/usr/bin/chromium`` (or ``chromium`` on PATH). Each page is
rendered three times: at a desktop width (1280 px), at the width of an A4 sheet on screen
(794 px), and at the printable width of A4 (680 px: 210 mm less 15 mm margins) with the
page's own ``@media print`` rules applied. A copy of the page gets a short script that
measures, in the browser's own layout, every element whose right edge passes the window's.
Exits 0 when nothing overflows and the review notice is shown, 1 when something does,
77 (skipped) when Chromium is not installed. Rendering is offline.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from headless_chromium import SKIPPED, chromium, render_dom

MEASURE = """
<script>
const limit = document.documentElement.clientWidth + 0.5;
const wide = [];
for (const element of document.body.querySelectorAll("*")) {
  const box = element.getBoundingClientRect();
  if (box.width > 0 && box.right > limit) {
    wide.push(element.tagName.toLowerCase() + "." + element.className + " " +
              Math.round(box.right) + "px: " + (element.textContent || "").slice(0, 40));
  }
}
const out = document.createElement("pre");
out.id = "fit-check";
out.textContent = JSON.stringify({width: limit - 0.5, wide: wide.slice(0, 5)});
document.body.appendChild(out);
</script>
"""


class Layout(NamedTuple):
    """A width to check at, and whether the page's print rules apply."""

    name: str
    width: int
    print_rules: bool


LAYOUTS = (
    Layout("desktop", 1280, print_rules=False),
    Layout("A4 screen", 794, print_rules=False),
    Layout("A4 print", 680, print_rules=True),
)


def measure(browser: str, page: Path, layout: Layout) -> list[str]:
    """Return the problems found rendering ``page`` at ``layout`` (empty when it fits)."""
    source = page.read_text(encoding="utf-8")
    if layout.print_rules:
        source = source.replace("@media print", "@media all")
    with tempfile.TemporaryDirectory() as work_dir:
        copy = Path(work_dir) / "page.html"
        copy.write_text(source.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
        returncode, dom = render_dom(browser, copy, width=layout.width)
    match = re.search(r'<pre id="fit-check">(.*?)</pre>', dom, flags=re.S)
    if returncode != 0 or match is None:
        return [f"{layout.name}: chromium exited {returncode} without a measurement"]
    report = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    problems = [f"{layout.name}: {line}" for line in report["wide"]]
    if "review by a person" not in dom:
        problems.append(f"{layout.name}: the review notice is missing")
    return problems


def main(argv: list[str]) -> int:
    """Render each page at each layout and check it; return the exit code."""
    if not argv:
        sys.stderr.write("usage: python scripts/check_page_fit.py PAGE.html [PAGE.html ...]\n")
        return 2
    browser = chromium()
    if browser is None:
        sys.stderr.write("chromium not installed; skipped\n")
        return SKIPPED
    problems = [
        f"{Path(name).name}: {problem}"
        for name in argv
        for layout in LAYOUTS
        for problem in measure(browser, Path(name).resolve(), layout)
    ]
    if problems:
        sys.stdout.write("FAIL:\n" + "\n".join(problems) + "\n")
        return 1
    sys.stdout.write(f"OK: {len(argv)} page(s) fit at 1280, 794 and A4 print widths\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
