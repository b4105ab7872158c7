"""Run metadata a person can act on: the policy and factor sets a dbt step used, and small mart previews.

Dagster-free (the dbt assets call these; unit tests import them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipelines.policy import LoadedPolicy

PREVIEW_ROWS = 12


def factor_sets_used(loaded: LoadedPolicy, years: tuple[int, int] | None = None) -> dict[str, dict[str, str]]:
    """The factor sets the policy pins, per pin and reporting year (only the run's years when given)."""
    out: dict[str, dict[str, str]] = {}
    for pin_key, by_year in sorted(loaded.policy.emission_factors.pins.items()):
        chosen = {}
        for year, sets in sorted(by_year.items()):
            if years and not (years[0] <= int(year) <= years[1]):
                continue
            chosen[str(year)] = " > ".join(sets) if isinstance(sets, (list, tuple)) else str(sets)
        if chosen:
            out[pin_key] = chosen
    return out


def step_metadata(loaded: LoadedPolicy, window: tuple[str, str] | None) -> dict[str, Any]:
    """What every materialisation of a dbt step carries: time window, policy hash, factor sets."""
    years = (int(window[0][:4]), int(window[1][:4])) if window else None
    return {
        "time_window": f"{window[0]} .. {window[1]}" if window else "unpartitioned: rebuilt from all rows",
        "policy_sha256": loaded.sha256,
        "factor_sets": factor_sets_used(loaded, years),
        "gwp_set": loaded.policy.reporting.gwp_set,
    }


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:,.3f}"
    if isinstance(value, int):
        return str(value) if 1900 <= value <= 2200 else f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    if not rows:
        return "(no rows)"
    head = "| " + " | ".join(columns) + " |"
    rule = "|" + "|".join("---:" if isinstance(rows[0][i], (int, float)) and not isinstance(rows[0][i], bool) else "---"
                         for i in range(len(columns))) + "|"
    body = "\n".join("| " + " | ".join(_cell(v) for v in row) + " |" for row in rows)
    return f"{head}\n{rule}\n{body}"


# Previews of the marts people read most: the group's totals by year.
_PREVIEWS = {
    "rpt_ghg_inventory_annual": """
        select reporting_year as year,
               sum(case when scope = 1 then t_co2e end) as scope_1,
               sum(case when scope = 2 and scope2_method = 'location_based' then t_co2e end) as scope_2_location,
               sum(case when scope = 2 and scope2_method = 'market_based' then t_co2e end) as scope_2_market,
               sum(case when scope = 3 then t_co2e end) as scope_3
        from {relation} where is_group_total group by reporting_year order by reporting_year
    """,
    "rpt_intensity_annual": """
        select reporting_year as year, t_co2e_total_location_based, t_co2e_total_market_based, headcount,
               t_co2e_per_capita, kg_co2e_per_m2, yoy_change_pct
        from {relation} where is_group_total order by reporting_year
    """,
}


def mart_preview(con, name: str, relation: str) -> tuple[str, int]:
    """A small markdown table of a mart (the group rows by year where known, else its first rows), and its rows."""
    rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
    sql = _PREVIEWS.get(name)
    try:
        cursor = con.execute(sql.format(relation=relation) if sql else f"select * from {relation} limit {PREVIEW_ROWS}")
    except Exception:  # a mart whose columns moved on: fall back to its first rows
        cursor = con.execute(f"select * from {relation} limit {PREVIEW_ROWS}")
    columns = [d[0] for d in cursor.description][:10]
    data = [row[:10] for row in cursor.fetchmany(PREVIEW_ROWS)]
    return markdown_table(columns, data), rows
