"""The sustainability team's Excel workbook: one sheet per reported table (aggregates only).

The first sheet explains the workbook; every sheet states its source mart, the units of each column
and the factor versions and GWP set of the year. Numbers are written as numbers (never as text), at
the full precision of the mart, with a display format only. Written with XlsxWriter.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assets.reports.logic import ReportData, Table

SHEET_ORDER = ("gross_emissions", "emissions_by_entity", "scope2_instruments", "scope3_screening", "history",
               "intensity", "data_quality", "factor_sources", "restatements", "neutrality", "carbon_credits",
               "datacenter_pue", "carbon_accounts", "exchange_filings", "exclusions", "memo_items")
HEADER_ROW = 5  # 0-based row of the column headers (rows 0-3: title, source, factor versions, units note)


def _number_format(column) -> str:
    if column.kind == "int":
        return "0" if column.key in ("reporting_year", "vintage_year", "category_number", "factor_data_year",
                                     "methodology_version", "scope") else "#,##0"
    if column.kind == "pct_share":
        return "0%"
    return "#,##0." + "0" * max(column.digits, 1)


def _cell_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def write_workbook(data: ReportData, path: Path) -> list[str]:
    """Write the workbook; return its sheet names in order."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    book = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True})
    book.set_properties({"title": f"{data.group_name} sustainability workbook {data.year}", "author": "Carbon Ledger",
                         "comments": f"policy sha256 {data.policy_sha256}"})
    title = book.add_format({"bold": True, "font_size": 14, "font_color": "#0F3B5F"})
    meta = book.add_format({"font_color": "#5A6A7A", "italic": True})
    head = book.add_format({"bold": True, "bg_color": "#0F3B5F", "font_color": "#FFFFFF", "text_wrap": True,
                            "valign": "top", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    formats: dict[str, object] = {}

    def number_format(fmt: str):
        if fmt not in formats:
            formats[fmt] = book.add_format({"num_format": fmt, "valign": "top"})
        return formats[fmt]

    sheets = ["README"]
    readme = book.add_worksheet("README")
    readme.set_column(0, 0, 28)
    readme.set_column(1, 1, 110)
    readme.write(0, 0, f"{data.group_name}: sustainability workbook {data.year}", title)
    lines = [
        ("What this is", "The tables of the TCFD / IFRS S2 metrics-and-targets report for the reporting year, one sheet "
                         "per table, read from the marts of the Carbon Ledger warehouse (aggregates only: no "
                         "individual, account or source row)."),
        ("Reporting year", data.year),
        ("Reporting entity", f"{data.group_name} ({data.group_entity_id})"),
        ("Consolidation", data.consolidation_approach),
        ("Scope 2 headline method", data.headline_method.replace("_", "-")),
        ("GWP set", f"IPCC {data.gwp_set}, 100-year"),
        ("Base year", data.base_year),
        ("Neutrality target year", data.neutrality_year),
        ("Factor versions", data.factor_versions),
        ("Policy SHA-256", data.policy_sha256),
        ("Generated", data.generated_at),
        ("Units", "Emissions in t CO2e unless a column header says otherwise; percentages in percent (-23.0 is a 23% "
                  "fall); energy in kWh or MWh as headed. Row 4 of each sheet gives the unit of every column."),
        ("Numbers", "Cells hold the marts' values at full precision as numbers; only the display is rounded."),
        ("Two books", "Gross inventory figures never include carbon credits or the avoided emissions of the carbon "
                      "accounts; those are on their own sheets (carbon_credits, carbon_accounts, exchange_filings)."),
    ]
    for i, (key, value) in enumerate(lines, start=2):
        readme.write(i, 0, key, book.add_format({"bold": True, "valign": "top"}))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            readme.write_number(i, 1, value)
        else:
            readme.write(i, 1, "" if value is None else str(value), wrap)
    row = len(lines) + 3
    readme.write(row, 0, "Sheet", book.add_format({"bold": True}))
    readme.write(row, 1, "Table (source mart)", book.add_format({"bold": True}))
    for key in SHEET_ORDER:
        table = data.tables[key]
        row += 1
        readme.write_url(row, 0, f"internal:'{key}'!A1", string=key)
        readme.write(row, 1, f"{table.title} (marts.{table.source})", wrap)

    for key in SHEET_ORDER:
        table: Table = data.tables[key]
        sheet = book.add_worksheet(key[:31])
        sheets.append(key[:31])
        sheet.write(0, 0, table.title, title)
        sheet.write(1, 0, f"Source: marts.{table.source} · reporting year {data.year} · {data.group_name}", meta)
        sheet.write(2, 0, data.factor_versions, meta)
        sheet.write(3, 0, "Units: " + "; ".join(f"{c.label}: {c.unit}" for c in table.columns if c.unit) +
                    (". " + table.note if table.note else ""), meta)
        for j, column in enumerate(table.columns):
            label = column.label + (f" ({column.unit})" if column.unit else "")
            sheet.write(HEADER_ROW, j, label, head)
            width = max(len(label) * 0.9, 10) if column.kind != "text" else 24
            sheet.set_column(j, j, min(width, 48))
        for i, r in enumerate(table.rows, start=HEADER_ROW + 1):
            for j, column in enumerate(table.columns):
                value = _cell_value(r.get(column.key))
                if value is None:
                    sheet.write_blank(i, j, None)
                elif column.kind == "bool":
                    sheet.write_boolean(i, j, bool(value))
                elif column.kind in ("number", "int", "pct_share") and isinstance(value, (int, float)):
                    sheet.write_number(i, j, float(value) if column.kind != "int" else int(value),
                                       number_format(_number_format(column)))
                else:
                    sheet.write_string(i, j, str(value), wrap)
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        if table.rows:
            sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + len(table.rows), len(table.columns) - 1)
    book.close()
    tmp.replace(path)
    return sheets
