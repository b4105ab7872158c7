"""The report as HTML (Jinja2) and PDF (WeasyPrint), from the tables of assets/reports/logic.py.

Every figure in the HTML sits in an element with `data-value` (the mart's value at full precision)
beside the formatted text, so a reader or a test can check it against the mart it comes from.
"""

from __future__ import annotations

import math
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from assets.reports import charts
from assets.reports.logic import Column, ReportData

TEMPLATES = Path(__file__).resolve().parent / "templates"


def fmt(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.{digits}f}"


def raw(value) -> str:
    """The value as stored (repr of a float: round-trips exactly)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def cell(value, column: Column) -> str:
    if value is None:
        return "–"
    if column.kind == "bool":
        return "yes" if value else "no"
    if column.kind == "int":
        return str(value) if column.key in ("reporting_year", "vintage_year", "category_number", "factor_data_year",
                                            "methodology_version", "scope") else fmt(int(value))
    if column.kind == "pct_share":
        return f"{float(value) * 100:.{column.digits}f}%"
    if column.kind == "text":
        text = str(value)
        return text.replace("_", " ") if column.key in ("scope2_method", "status", "relationship_type", "credit_type",
                                                         "instrument_type", "exclusion_type", "headline_method",
                                                         "ineligible_reason", "not_counted_reason", "scenario",
                                                         "verification") else text
    return fmt(value, column.digits)


def render_charts(data: ReportData) -> dict[str, str]:
    t = data.tables
    return {
        "history": charts.history_chart(t["history"].rows) if t["history"].rows else "",
        "scope3": charts.scope3_chart(t["scope3_screening"].rows) if t["scope3_screening"].rows else "",
        "neutrality": charts.neutrality_chart(t["neutrality"].rows, data.neutrality_year) if t["neutrality"].rows else "",
        "pue": charts.pue_chart(t["datacenter_pue"].rows) if t["datacenter_pue"].rows else "",
    }


def render_html(data: ReportData) -> str:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    template = env.get_template("tcfd.html.j2")
    return template.render(
        d=data, charts=render_charts(data), fmt=fmt, raw=raw, cell=cell,
        lambda_total=lambda r: "total" if r.get("is_total") else "",
        lambda_restated=lambda r: "restated" if r.get("is_restated") else "",
        lambda_instrument=lambda r: "" if r.get("is_applied") else "refused",
        lambda_credit=lambda r: "" if r.get("counts_toward_neutrality") else "refused",
    )


def write_pdf(html: str, path: Path, base_url: Path | None = None) -> int:
    """Render the HTML to PDF; return the page count."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(base_url or TEMPLATES)).render()
    path.parent.mkdir(parents=True, exist_ok=True)
    document.write_pdf(str(path))
    return len(document.pages)
