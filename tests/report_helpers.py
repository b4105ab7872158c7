"""Helpers of the report tests: run `carbonledger report` as a user would, and read the HTML's figures."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import PROJECT_ROOT


def run_report(data_dir: Path, config: Path, year: int) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARBONLEDGER_")}
    env["DAGSTER_HOME"] = str(data_dir / "dagster_home")
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "report", "--year", str(year), "--data", str(data_dir),
                           "--config", str(config)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


class ReportFigures(HTMLParser):
    """data-figure values and the cells of every data-table, by table key, row and column."""

    def __init__(self):
        super().__init__()
        self.figures: dict[str, list[str]] = {}
        self.tables: dict[str, list[dict[str, str]]] = {}
        self._table: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-table" in a:
            self._table = a["data-table"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table and "data-row" in a:
            self.tables[self._table].append({})
        elif tag == "td" and self._table and "data-col" in a:
            self.tables[self._table][-1][a["data-col"]] = a.get("data-value", "")
        elif "data-figure" in a:
            self.figures.setdefault(a["data-figure"], []).append(a.get("data-value", ""))

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None


def boxes_past_the_right_margin(html: str) -> list[tuple[int, str, float]]:
    """Lay the report out as the PDF is printed and list (page, tag, points) of every table, cell, paragraph or
    block that reaches past the right margin of its page: content cut off at the edge of the paper."""
    from weasyprint import HTML

    from assets.reports.render import TEMPLATES

    found = []
    for number, page in enumerate(HTML(string=html, base_url=str(TEMPLATES)).render().pages, 1):
        root = page._page_box  # WeasyPrint's laid-out page; public API has no box tree
        right = root.margin_width() - root.margin_right
        for box in root.descendants():
            if getattr(box, "element_tag", None) in ("table", "td", "th", "p", "div") and box.width is not None:
                past = box.position_x + box.margin_width() - right
                if past > 0.5:
                    found.append((number, box.element_tag, round(past, 1)))
    return found
