"""Building a reporting year's outputs under <data>/reports/<year>/ (what `carbonledger report --year Y`
and the Dagster assets `reports/tcfd_report`, `reports/sustainability_workbook` and
`reports/filing_packages` call):

    tcfd_report_<year>.html          the TCFD / IFRS S2 metrics-and-targets report (charts inline, SVG)
    tcfd_report_<year>.pdf           the same, printed with WeasyPrint
    sustainability_workbook_<year>.xlsx
    filings/<filing_id>/...          exchange filing packages (assets/reports/filing.py), filings/index.json

Files are written under a temporary name and renamed into place.
"""

from __future__ import annotations

import hashlib
import os
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
    tmp = html_path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    _replace(tmp, html_path)
    pdf_path = out.directory / f"tcfd_report_{year}.pdf"
    tmp = pdf_path.with_suffix(".pdf.tmp")
    out.pages = write_pdf(html, tmp)
    _replace(tmp, pdf_path)
    for key, path in (("html", html_path), ("pdf", pdf_path)):
        out.files[key] = path
        out.sha256[key] = sha256_file(path)
    return out


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
