"""Building a reporting year's outputs under <data>/reports/<year>/ (what `carbonledger report --year Y`
and the Dagster assets `reports/tcfd_report`, `reports/sustainability_workbook` and
`reports/filing_packages` call):

    tcfd_report_<year>.html          the TCFD / IFRS S2 metrics-and-targets report (charts inline, SVG)
    tcfd_report_<year>.pdf           the same, printed with WeasyPrint
    sustainability_workbook_<year>.xlsx
    filings/<filing_id>/...          exchange filing packages (assets/reports/filing.py), filings/index.json

Files are written under a temporary name and renamed into place. The report is printed again only when
what it shows changed: its HTML carries the SHA-256 of its content (the time it was prepared left out)
and its page count in two <meta> tags, and a report whose content is the one already there is kept as it
is (printing the PDF is most of the report's time: 15 s of a month close, docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from assets.reports.filing import FilingResult, build_filings
from assets.reports.logic import ReportData, build_report_data


@dataclass
class ReportOutputs:
    year: int
    directory: Path
    files: dict[str, Path] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    pages: int | None = None
    kept: bool = False  # the report already there shows the same content: not printed again
    sheets: list[str] = field(default_factory=list)
    filings: list[FilingResult] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def year_dir(reports_dir: Path, year: int) -> Path:
    path = Path(reports_dir) / str(year)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _replace(tmp: Path, path: Path) -> None:
    os.replace(tmp, path)


def build_tcfd(warehouse: Path, year: int, reports_dir: Path, data: ReportData | None = None) -> ReportOutputs:
    from assets.reports.render import render_html, write_pdf

    data = data or build_report_data(warehouse, year)
    out = ReportOutputs(year=year, directory=year_dir(reports_dir, year), refusals=list(data.refusals))
    html = render_html(data)
    html_path = out.directory / f"tcfd_report_{year}.html"
    pdf_path = out.directory / f"tcfd_report_{year}.pdf"
    digest = content_digest(html, data.generated_at)
    written = written_report(html_path) if pdf_path.exists() else None
    if written is not None and written[0] == digest:
        out.kept, out.pages = True, written[1]
    else:
        tmp = pdf_path.with_suffix(".pdf.tmp")
        out.pages = write_pdf(html, tmp)
        _replace(tmp, pdf_path)
        # The HTML last: a report whose PDF failed keeps no digest that would keep it next time.
        tmp = html_path.with_suffix(".html.tmp")
        tmp.write_text(_with_meta(html, digest, out.pages), encoding="utf-8")
        _replace(tmp, html_path)
    for key, path in (("html", html_path), ("pdf", pdf_path)):
        out.files[key] = path
        out.sha256[key] = sha256_file(path)
    return out


CONTENT_META, PAGES_META = "carbonledger-content-sha256", "carbonledger-pdf-pages"
_WRITTEN_META = re.compile(rf'<meta name="{CONTENT_META}" content="([0-9a-f]{{64}})">\s*'
                           rf'<meta name="{PAGES_META}" content="([0-9]+)">')


_RAW_FLOAT = re.compile(r'data-value="(-?[0-9]+\.[0-9]*(?:e[-+]?[0-9]+)?)"')


def content_digest(html: str, generated_at: str) -> str:
    """SHA-256 of what the report shows, the time it was prepared left out, and the exact values behind its
    figures (data-value) read to 12 significant digits: the same entries summed in another order differ in
    their last bits (the report prints at most 3 decimals)."""
    shown = _RAW_FLOAT.sub(lambda m: f'data-value="{float(m.group(1)):.12g}"', html.replace(generated_at, ""))
    return hashlib.sha256(shown.encode("utf-8")).hexdigest()


def _with_meta(html: str, digest: str, pages: int) -> str:
    meta = f'<meta name="{CONTENT_META}" content="{digest}">\n<meta name="{PAGES_META}" content="{pages}">\n'
    head = html.find("<head>")
    if head < 0:
        raise ValueError("the report template has no <head>: nowhere to record its content digest")
    return html[:head + 6] + "\n" + meta + html[head + 6:]


def written_report(html_path: Path) -> tuple[str, int] | None:
    """(content digest, PDF pages) of the report already at html_path; None when there is none."""
    try:
        with html_path.open(encoding="utf-8") as handle:
            match = _WRITTEN_META.search(handle.read(8192))
    except OSError:
        return None
    return (match.group(1), int(match.group(2))) if match else None


def build_workbook(warehouse: Path, year: int, reports_dir: Path, data: ReportData | None = None) -> ReportOutputs:
    from assets.reports.workbook import write_workbook

    data = data or build_report_data(warehouse, year)
    out = ReportOutputs(year=year, directory=year_dir(reports_dir, year))
    path = out.directory / f"sustainability_workbook_{year}.xlsx"
    out.sheets = write_workbook(data, path)
    out.files["xlsx"] = path
    out.sha256["xlsx"] = sha256_file(path)
    return out


def build_filing_packages(warehouse: Path, year: int, reports_dir: Path, accounts_policy,
                          policy_sha256: str = "") -> ReportOutputs:
    out = ReportOutputs(year=year, directory=year_dir(reports_dir, year))
    out.filings = build_filings(warehouse, accounts_policy, year, out.directory / "filings", policy_sha256)
    out.refusals = [m for f in out.filings for m in f.refusals]
    for f in out.filings:
        if f.path is not None:
            out.files[f"filing:{f.filing_id}"] = f.path
            out.sha256[f"filing:{f.filing_id}"] = f.manifest_sha256 or ""
    return out


def build_reports(warehouse: Path, year: int, reports_dir: Path, accounts_policy=None,
                  policy_sha256: str = "") -> ReportOutputs:
    """The report (HTML, PDF), the workbook and the filing packages of one reporting year."""
    data = build_report_data(warehouse, year)
    out = build_tcfd(warehouse, year, reports_dir, data)
    book = build_workbook(warehouse, year, reports_dir, data)
    out.files.update(book.files)
    out.sha256.update(book.sha256)
    out.sheets = book.sheets
    if accounts_policy is not None:
        filings = build_filing_packages(warehouse, year, reports_dir, accounts_policy, policy_sha256)
        out.filings = filings.filings
        out.files.update(filings.files)
        out.sha256.update(filings.sha256)
        out.refusals += filings.refusals
    return out
