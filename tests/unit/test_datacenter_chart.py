"""The PUE chart logic, without Dagster or dbt: a hand-made mart frame in, a PNG of a known size out."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets.datacenter.logic import (
    PUE_COLUMNS,
    chart_markdown,
    chart_size_px,
    png_size,
    read_pue,
    render_all,
    render_pue_chart,
)


def _row(facility: str, period: str, pue: float | None, completeness: float = 100.0, baseline: float = 1.5) -> dict:
    is_year = len(period) == 4
    return {
        "facility_id": facility, "period": period, "period_type": "year" if is_year else "month",
        "reporting_year": int(period[:4]), "pue": pue, "baseline_pue": baseline, "data_completeness_pct": completeness,
        "is_interim": not is_year, "pue_category": 1, "pue_label": "PUE1" if is_year else "iPUE1",
        "it_energy_kwh": 1000.0, "facility_energy_kwh": 1000.0 * (pue or 0), "energy_saved_kwh": 100.0,
        "t_co2_avoided": 0.05, "cost_saved_cny": 80.0, "factor_id": "cn_mee_2022_regional_east_co2",
    }


def _frame(facilities: int, year: int = 2022) -> pl.DataFrame:
    rows = []
    for i in range(facilities):
        facility = f"DC-{i:02d}"
        rows += [_row(facility, f"{year}-{m:02d}", 1.3 + 0.01 * m, completeness=50.0 if m == 3 else 100.0)
                 for m in range(1, 13)]
        rows.append(_row(facility, str(year), 1.36))
    return pl.DataFrame(rows)


@pytest.mark.parametrize(("datacenters", "size"), [(1, (500, 360)), (2, (1000, 360)), (3, (1000, 660)),
                                                   (5, (1000, 960))])
def test_chart_size_grows_by_rows_of_two_panels(datacenters, size):
    assert chart_size_px(datacenters) == size


def test_the_png_exists_and_has_the_expected_size(tmp_path):
    chart = render_pue_chart(_frame(3), 2022, tmp_path / "reports" / "datacenter" / "pue_monthly_2022.png")
    assert chart.path.is_file()
    assert png_size(chart.path.read_bytes()) == (1000, 660) == (chart.width_px, chart.height_px)
    assert chart.datacenters == 3
    assert not list(chart.path.parent.glob(".*.tmp"))  # written to a temporary name, then renamed


def test_months_without_pue_and_a_year_without_data_still_draw(tmp_path):
    frame = _frame(1).with_columns(
        pl.when(pl.col("period").is_in(["2022-05", "2022-06"])).then(None).otherwise(pl.col("pue")).alias("pue"))
    assert png_size(render_pue_chart(frame, 2022, tmp_path / "a.png").path.read_bytes()) == (500, 360)
    empty = render_pue_chart(frame, 2030, tmp_path / "b.png")
    assert empty.datacenters == 0 and png_size(empty.path.read_bytes()) == (500, 360)


def test_markdown_embeds_the_image_and_the_year_figures(tmp_path):
    frame = _frame(2)
    chart = render_pue_chart(frame, 2022, tmp_path / "c.png")
    text = chart_markdown(chart, frame)
    assert text.startswith("![Monthly PUE against baseline, 2022](data:image/png;base64,iVBORw0KGgo")
    assert "| DC-00 | 1.360 | PUE1 | 100.0 | 1.50 | 100 | 0.050 | 80 | cn_mee_2022_regional_east_co2 |" in text
    assert str(chart.path) in text


def test_png_size_rejects_other_files():
    with pytest.raises(ValueError):
        png_size(b"GIF89a" + bytes(30))


def test_reads_the_mart_read_only_and_renders_one_chart_per_year(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    frame = pl.concat([_frame(2, 2022), _frame(1, 2023)])
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.register("frame_view", frame.to_arrow())
        con.execute("create table marts.rpt_datacenter_pue as select *, 'extra' as other_column from frame_view")
    read = read_pue(warehouse)
    assert read.columns == list(PUE_COLUMNS)
    assert read.height == frame.height
    pue, charts = render_all(warehouse, tmp_path / "reports")
    assert [(c.reporting_year, c.datacenters) for c in charts] == [(2022, 2), (2023, 1)]
    assert [c.path.name for c in charts] == ["pue_monthly_2022.png", "pue_monthly_2023.png"]
    assert png_size(charts[1].path.read_bytes()) == (500, 360)
    assert Path(tmp_path / "reports" / "datacenter").is_dir()
