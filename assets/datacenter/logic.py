"""Data-centre PUE charts, without Dagster: read marts.rpt_datacenter_pue read-only and draw, per
reporting year, the monthly PUE of each data centre against its baseline (one panel per data centre).

Charts are drawn offline with matplotlib's Agg canvas (no display, no global pyplot state) at a fixed
size, so a chart of n data centres is always chart_size_px(n) pixels.
"""

from __future__ import annotations

import base64
import math
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

MART = "marts.rpt_datacenter_pue"
CHART_COLUMNS = 2  # panels per row
PANEL_WIDTH_IN = 5.0
PANEL_HEIGHT_IN = 3.0
TITLE_HEIGHT_IN = 0.6
DPI = 100
LOW_COMPLETENESS_PCT = 90.0  # months below this are drawn with hollow markers
MONTH_LABELS = ("J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D")

PUE_COLUMNS = (
    "facility_id", "period", "period_type", "reporting_year", "pue", "baseline_pue", "data_completeness_pct",
    "is_interim", "pue_category", "pue_label", "it_energy_kwh", "facility_energy_kwh", "energy_saved_kwh",
    "t_co2_avoided", "cost_saved_cny", "factor_id",
)


@dataclass(frozen=True)
class Chart:
    reporting_year: int
    path: Path
    width_px: int
    height_px: int
    datacenters: int


def read_pue(warehouse: Path) -> pl.DataFrame:
    """Every row of rpt_datacenter_pue (the columns the charts and the metadata use), read-only."""
    schema = {"facility_id": pl.String, "period": pl.String, "period_type": pl.String, "reporting_year": pl.Int32,
              "pue": pl.Float64, "baseline_pue": pl.Float64, "data_completeness_pct": pl.Float64,
              "is_interim": pl.Boolean, "pue_category": pl.Int32, "pue_label": pl.String,
              "it_energy_kwh": pl.Float64, "facility_energy_kwh": pl.Float64, "energy_saved_kwh": pl.Float64,
              "t_co2_avoided": pl.Float64, "cost_saved_cny": pl.Float64, "factor_id": pl.String}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(f"select {', '.join(PUE_COLUMNS)} from {MART} order by facility_id, period").fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def chart_size_px(datacenters: int) -> tuple[int, int]:
    """Width and height in pixels of the chart of `datacenters` panels."""
    columns = min(CHART_COLUMNS, max(datacenters, 1))
    rows = math.ceil(max(datacenters, 1) / columns)
    return round(columns * PANEL_WIDTH_IN * DPI), round((rows * PANEL_HEIGHT_IN + TITLE_HEIGHT_IN) * DPI)


def render_pue_chart(pue: pl.DataFrame, reporting_year: int, path: Path) -> Chart:
    """Draw the monthly PUE of each data centre in `reporting_year` against its baseline; write a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    year = pue.filter(pl.col("reporting_year") == reporting_year)
    months = year.filter(pl.col("period_type") == "month")
    annual = {r["facility_id"]: r for r in year.filter(pl.col("period_type") == "year").iter_rows(named=True)}
    facilities = sorted(set(year["facility_id"].to_list()))
    width_px, height_px = chart_size_px(len(facilities))
    columns = min(CHART_COLUMNS, max(len(facilities), 1))
    rows = math.ceil(max(len(facilities), 1) / columns)

    figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.suptitle(f"Monthly PUE against baseline, {reporting_year}", fontsize=12,
                    y=1 - 0.35 * TITLE_HEIGHT_IN / (height_px / DPI))
    top = 1 - TITLE_HEIGHT_IN / (height_px / DPI)
    figure.subplots_adjust(left=0.08, right=0.98, bottom=0.1 / rows + 0.04, top=top, wspace=0.22, hspace=0.55)
    for index in range(rows * columns):
        axes = figure.add_subplot(rows, columns, index + 1)
        if index >= len(facilities):
            axes.set_axis_off()
            continue
        facility = facilities[index]
        _draw_panel(axes, months.filter(pl.col("facility_id") == facility).sort("period"), annual.get(facility), facility)
    if not facilities:
        figure.text(0.5, 0.5, "no data-centre telemetry", ha="center", va="center")

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    figure.savefig(partial, dpi=DPI, format="png")
    os.replace(partial, path)
    return Chart(reporting_year, path, width_px, height_px, len(facilities))


def _draw_panel(axes, months: pl.DataFrame, annual: dict | None, facility: str) -> None:
    month_numbers = [int(p[5:7]) for p in months["period"].to_list()]
    pue = months["pue"].to_list()
    completeness = months["data_completeness_pct"].to_list()
    baseline = next((b for b in months["baseline_pue"].to_list() if b is not None), None)
    if annual is not None and annual.get("baseline_pue") is not None:
        baseline = annual["baseline_pue"]

    measured = [(m, p, c) for m, p, c in zip(month_numbers, pue, completeness) if p is not None]
    if measured:
        axes.plot([m for m, _, _ in measured], [p for _, p, _ in measured], color="#1f77b4", linewidth=1.5,
                  label="monthly PUE")
        full = [(m, p) for m, p, c in measured if (c or 0) >= LOW_COMPLETENESS_PCT]
        thin = [(m, p) for m, p, c in measured if (c or 0) < LOW_COMPLETENESS_PCT]
        if full:
            axes.plot([m for m, _ in full], [p for _, p in full], "o", color="#1f77b4", markersize=4)
        if thin:
            axes.plot([m for m, _ in thin], [p for _, p in thin], "o", markerfacecolor="white", color="#1f77b4",
                      markersize=4, label=f"completeness < {LOW_COMPLETENESS_PCT:.0f}%")
    if baseline is not None:
        axes.axhline(baseline, color="#d62728", linestyle="--", linewidth=1.2, label=f"baseline {baseline:.2f}")

    values = [p for _, p, _ in measured] + ([baseline] if baseline is not None else [])
    low, high = (min(values), max(values)) if values else (1.0, 2.0)
    margin = max(0.05, (high - low) * 0.15)
    axes.set_ylim(max(1.0, low - margin) if low >= 1.0 else low - margin, high + margin)
    axes.set_xlim(0.5, 12.5)
    axes.set_xticks(range(1, 13), MONTH_LABELS)
    axes.set_ylabel("PUE")
    axes.grid(axis="y", alpha=0.3)
    title = facility
    if annual is not None and annual.get("pue") is not None:
        title += f"  ·  year {annual['pue']:.3f} ({annual['pue_label']})"
    axes.set_title(title, fontsize=10)
    if measured or baseline is not None:
        axes.legend(fontsize=7, loc="upper right")


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def chart_markdown(chart: Chart, pue: pl.DataFrame) -> str:
    """The chart as an embedded image, then the year's figures per data centre, for MetadataValue.md."""
    encoded = base64.b64encode(chart.path.read_bytes()).decode("ascii")
    lines = [f"![Monthly PUE against baseline, {chart.reporting_year}](data:image/png;base64,{encoded})", "",
             f"`{chart.path}`", "",
             "| data centre | PUE | label | completeness % | baseline | energy saved kWh | t CO2 avoided | CNY saved | factor |",
             "|---|---|---|---|---|---|---|---|---|"]
    annual = pue.filter((pl.col("reporting_year") == chart.reporting_year) & (pl.col("period_type") == "year"))
    for r in annual.sort("facility_id").iter_rows(named=True):
        lines.append("| " + " | ".join([
            r["facility_id"], _fmt(r["pue"], 3), r["pue_label"] or "", _fmt(r["data_completeness_pct"], 1),
            _fmt(r["baseline_pue"], 2), _fmt(r["energy_saved_kwh"], 0), _fmt(r["t_co2_avoided"], 3),
            _fmt(r["cost_saved_cny"], 0), r["factor_id"] or ""]) + " |")
    return "\n".join(lines)


def _fmt(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def render_all(warehouse: Path, reports_dir: Path) -> tuple[pl.DataFrame, list[Chart]]:
    """One chart per reporting year in the mart, as <reports_dir>/datacenter/pue_monthly_<year>.png."""
    pue = read_pue(warehouse)
    years = sorted(set(pue["reporting_year"].drop_nulls().to_list()))
    charts = [render_pue_chart(pue, year, reports_dir / "datacenter" / f"pue_monthly_{year}.png") for year in years]
    return pue, charts
