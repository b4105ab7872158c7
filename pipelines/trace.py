"""`carbonledger trace`: how a reported figure is built — rows, factors, sums — from the warehouse.

Reads marts.rpt_ghg_inventory_annual and marts.fct_emissions read-only and prints, for one year,
entity and category: the figure, then its factors (with their source, set, data year and GWP) and
the sums per factor, then the source rows (file and row) behind it, and a check that the parts add
up to the reported figure. With the group's root entity and --group, each entity's contribution
times its consolidation share.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import duckdb


class TraceError(ValueError):
    pass


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def trace(warehouse: Path, year: int, entity: str, category: str, out: TextIO, method: str | None = None,
          group: bool = False, limit: int = 10) -> int:
    if not warehouse.exists():
        raise TraceError(f"{warehouse}: no warehouse yet; run `carbonledger run` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        figures = _rows(con, """
            select scope, scope2_method, t_co2e, data_quality_score, t_co2e_uncertainty_95, consolidation_share,
                   boundary_status, gwp_set, consolidation_approach, policy_sha256
            from marts.rpt_ghg_inventory_annual
            where reporting_year = ? and entity_id = ? and category = ? and is_group_total = ?
              and (? is null or scope2_method = ?)
            order by scope2_method nulls first""", [year, entity, category, group, method, method])
        if not figures:
            raise TraceError(f"no figure for year {year}, entity {entity!r}, category {category!r}"
                             f"{' (group total)' if group else ''} in marts.rpt_ghg_inventory_annual")
        for figure in figures:
            label = f"{year} {entity}{' group total' if group else ''} {category}"
            if figure["scope2_method"]:
                label += f" ({figure['scope2_method']})"
            print(f"\n{label}: {_fmt(figure['t_co2e'])} t CO2e", file=out)
            print(f"  data quality {_fmt(figure['data_quality_score'], 2)} (1 metered … 5 spend-based); "
                  f"95% uncertainty ± {_fmt(figure['t_co2e_uncertainty_95'])} t; GWP set {figure['gwp_set']}; "
                  f"policy {figure['policy_sha256'][:12]}", file=out)
            if group:
                _trace_group(con, year, category, figure, out)
            else:
                print(f"  boundary: {figure['boundary_status']} (share {figure['consolidation_share']:.4g} under "
                      f"{figure['consolidation_approach']})", file=out)
                _trace_entity(con, year, entity, category, figure, out, limit)
    return 0


def _method_filter(figure: dict) -> tuple[str, list]:
    if figure["scope2_method"] is None:
        return "scope2_method is null", []
    return "scope2_method = ?", [figure["scope2_method"]]


def _trace_entity(con, year: int, entity: str, category: str, figure: dict, out: TextIO, limit: int) -> None:
    where, params = _method_filter(figure)
    base = f"from marts.fct_emissions where reporting_year = ? and entity_id = ? and category = ? and {where}"
    args = [year, entity, category, *params]
    factors = _rows(con, f"""
        with rows as (select * {base}),
        library as (select factor_id, max(source) as source, max(publisher) as publisher, max(data_year) as data_year
                    from intermediate.int_emission_factors_unioned group by factor_id)
        select rows.factor_id, max(rows.factor_set) as factor_set, rows.gas, max(rows.kg_per_unit) as kg_per_unit,
               max(rows.gwp100) as gwp100, max(rows.gwp_set) as gwp_set, count(*) as n_rows,
               sum(rows.activity_quantity) as activity, max(rows.activity_unit) as unit, sum(rows.t_co2e) as t_co2e,
               max(library.publisher) as publisher, max(library.source) as source, max(library.data_year) as data_year
        from rows left join library on rows.factor_id = library.factor_id
        group by rows.factor_id, rows.gas order by t_co2e desc""", args)
    print("  factors applied (activity x kg per unit x GWP / 1000 = t CO2e):", file=out)
    total = 0.0
    for f in factors:
        total += f["t_co2e"] or 0.0
        source = f" — {f['publisher']}, {f['source']}, data year {f['data_year']}" if f["publisher"] else ""
        print(f"    {f['factor_id']} [{f['factor_set']}] {f['gas']}: {_fmt(f['activity'], 2)} {f['unit']} x "
              f"{f['kg_per_unit']:.6g} kg x GWP {f['gwp100']:.6g} ({f['gwp_set'] or 'as published'}) = "
              f"{_fmt(f['t_co2e'])} t over {f['n_rows']} rows{source}", file=out)
    rows = _rows(con, f"""select source_file, source_row, record_id, activity_month, gas, activity_quantity,
                                 activity_unit, factor_id, data_quality_score, t_co2e
                          {base} order by t_co2e desc, source_file, source_row limit {int(limit)}""", args)
    count = con.execute(f"select count(*) {base}", args).fetchone()[0]
    print(f"  source rows ({count} in all; the {min(limit, count)} largest):", file=out)
    for r in rows:
        print(f"    {r['source_file']} row {r['source_row']} ({r['record_id']}, {r['activity_month']}, {r['gas']}): "
              f"{_fmt(r['activity_quantity'], 2)} {r['activity_unit']} x {r['factor_id']} = {_fmt(r['t_co2e'], 6)} t "
              f"(quality {r['data_quality_score']})", file=out)
    status = "matches" if abs(total - (figure["t_co2e"] or 0.0)) <= 1e-6 * max(1.0, abs(total)) else "DOES NOT MATCH"
    print(f"  check: sum of rows {_fmt(total)} t {status} the reported {_fmt(figure['t_co2e'])} t", file=out)


def _trace_group(con, year: int, category: str, figure: dict, out: TextIO) -> None:
    where, params = _method_filter(figure)
    parts = _rows(con, f"""
        select e.entity_id, e.t_co2e, e.consolidation_share, e.boundary_status, e.t_co2e * e.consolidation_share as counted
        from marts.rpt_ghg_inventory_annual as e
        where e.reporting_year = ? and e.category = ? and not e.is_group_total and {where.replace('scope2_method', 'e.scope2_method')}
        order by counted desc, e.entity_id""", [year, category, *params])
    total = 0.0
    print("  entities (own facilities at 100%) x consolidation share = counted in the group total:", file=out)
    for p in parts:
        total += p["counted"] or 0.0
        print(f"    {p['entity_id']}: {_fmt(p['t_co2e'])} t x {p['consolidation_share']:.4g} ({p['boundary_status']}) = "
              f"{_fmt(p['counted'])} t", file=out)
    status = "matches" if abs(total - (figure["t_co2e"] or 0.0)) <= 1e-6 * max(1.0, abs(total)) else "DOES NOT MATCH"
    print(f"  check: {_fmt(total)} t {status} the group total {_fmt(figure['t_co2e'])} t", file=out)
