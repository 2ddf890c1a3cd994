"""Check that a validation report renders in headless Chromium with every curve in its plot.

Usage::

    python scripts/check_report_html.py report.html

Installs nothing. Needs ``/usr/bin/chromium`` (or ``chromium`` on PATH). The
report itself holds no scripts; this check renders a copy with a short script
appended that measures, in the browser's own layout, the bounding box of every
drawn curve, band and point and compares it with the chart's plot area. Exits 0
when every chart rendered (with the review notice) and nothing leaves its plot
area, 1 when something does, and 77 (skipped) when Chromium is not installed.
The page is rendered offline: background networking is off and the page
references no external assets.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

from headless_chromium import SKIPPED, chromium, render_dom

# Measures each chart: its plot frame is the unfilled grey rectangle; what is drawn
# sits in the clipped group. Half a pixel of slack covers stroke rounding; dots keep
# their 3.5 px radius.
MEASURE = """
<script>
const report = [];
for (const svg of document.querySelectorAll("svg")) {
  const title = svg.querySelector("title").textContent;
  const frame = svg.querySelector('rect[fill="none"][stroke="#999"]').getBBox();
  const outside = [];
  for (const shape of svg.querySelectorAll("g[clip-path] > *")) {
    if (shape.tagName === "text") continue;
    const box = shape.getBBox();
    const slack = shape.tagName === "circle" ? 4.5 : 0.5;
    if (box.x < frame.x - slack || box.y < frame.y - slack ||
        box.x + box.width > frame.x + frame.width + slack ||
        box.y + box.height > frame.y + frame.height + slack) {
      outside.push(shape.tagName);
    }
  }
  report.push({title: title, outside: outside});
}
const out = document.createElement("pre");
out.id = "chart-check";
out.textContent = JSON.stringify(report);
document.body.appendChild(out);
</script>
"""


def render(browser: str, page: Path) -> str:
    """Return the DOM of ``page`` after Chromium has laid it out and run the measurement."""
    with tempfile.TemporaryDirectory() as work_dir:
        copy = Path(work_dir) / "report.html"
        copy.write_text(
            page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"),
            encoding="utf-8",
        )
        returncode, dom = render_dom(browser, copy)
    return dom if returncode == 0 else ""


def main(argv: list[str]) -> int:
    """Render the report and check it; return the exit code."""
    if len(argv) != 1:
        sys.stderr.write("usage: python scripts/check_report_html.py REPORT.html\n")
        return 2
    page = Path(argv[0]).resolve()
    browser = chromium()
    if browser is None:
        sys.stderr.write("chromium not installed; skipped\n")
        return SKIPPED
    expected = len(re.findall(r"<svg ", page.read_text(encoding="utf-8")))
    dom = render(browser, page)
    match = re.search(r'<pre id="chart-check">(.*?)</pre>', dom, flags=re.S)
    charts = json.loads(match.group(1).replace("&quot;", '"')) if match else []
    problems = []
    if not charts or len(charts) != expected:
        problems.append(f"{len(charts)} of {expected} charts rendered")
    for chart in charts:
        if chart["outside"]:
            problems.append(f"{chart['title']!r}: {len(chart['outside'])} shapes leave the plot")
    if "never a decision" not in dom:
        problems.append("the review notice is missing from the rendered page")
    if problems:
        sys.stdout.write("FAIL: " + "; ".join(problems) + "\n")
        return 1
    titles = ", ".join(chart["title"] for chart in charts[:5])
    sys.stdout.write(f"OK: {len(charts)} charts rendered inside their plots ({titles}, ...)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
