"""The content of the TCFD / IFRS S2 metrics-and-targets report and of the sustainability workbook.

Everything here is read from the marts of warehouse.duckdb (read-only) and nothing else: no landing
file, no staging model, no policy file. Each `*_table` function returns one `Table` (plain rows of
aggregates with units), and the HTML report, the PDF and the workbook all render the same tables, so
a figure in one is the figure in the others and in the mart it comes from.

Dagster-free: the report assets (assets/reports/assets.py) and `carbonledger report` call
`build_report_data`; unit tests call the table functions on a small warehouse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

MARTS = "marts"


class ReportError(Exception):
    """The report cannot be built (no warehouse, no figures for the year)."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str | None = None  # e.g. "t CO2e", "%", "kWh"
    kind: str = "number"  # number | int | text | bool | pct_share (a 0-1 share shown in percent)
    digits: int = 1
    in_report: bool = True  # False: in the workbook only (the page would be too wide)


@dataclass
class Table:
    key: str  # also the workbook's sheet name (<= 31 characters)
    title: str
    source: str  # the mart(s) the rows come from
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass
class ReportData:
    year: int
    generated_at: str
    group_entity_id: str
    group_name: str
    consolidation_approach: str
    gwp_set: str
    headline_method: str
    base_year: int | None
    neutrality_year: int | None
    policy_sha256: str
    kpis: dict[str, float | None]
    tables: dict[str, Table]
    ifrs_s2_full_compliance_claimable: bool
    material_omissions: list[str]
    factor_versions: str  # one line: factor sets with their data year, and the GWP set
    refusals: list[str] = field(default_factory=list)  # credit lots refused (serial retired twice...)

    def table(self, key: str) -> Table:
        return self.tables[key]


# --- reading --------------------------------------------------------------------------------------


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not Path(warehouse).exists():
        raise ReportError(f"no warehouse at {warehouse}: run `carbonledger run` (or `carbonledger demo`) first")
    return duckdb.connect(str(warehouse), read_only=True)


def has_mart(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                       [MARTS, name]).fetchone()[0] > 0


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def _num(value) -> float | None:
    return None if value is None else float(value)


SCOPE3_SHORT = {
    "s3_01_purchased_goods": "1 Purchased goods and services",
    "s3_03_fuel_energy": "3 Fuel- and energy-related activities",
    "s3_05_waste": "5 Waste generated in operations",
    "s3_06_business_travel": "6 Business travel",
    "s3_07_employee_commuting": "7 Employee commuting",
    "s3_15_investments": "15 Investments",
}
CATEGORY_LABELS = {
    "s1_stationary_combustion": "Stationary combustion",
    "s1_mobile_combustion": "Mobile combustion (fleet)",
    "s1_fugitive": "Fugitive emissions (refrigerants)",
    "s2_purchased_electricity": "Purchased electricity",
    "s2_purchased_heat_steam": "Purchased heat and steam",
    **SCOPE3_SHORT,
}
METHOD_LABELS = {"location_based": "location-based", "market_based": "market-based", None: ""}


def category_label(category: str | None) -> str:
    return CATEGORY_LABELS.get(category or "", category or "")


T = "t CO2e"


# --- the tables -----------------------------------------------------------------------------------


def gross_emissions_table(con, year: int) -> Table:
    """Scope 1, Scope 2 (both methods) and the reported Scope 3 categories of the group, by category."""
    data = rows(con, f"""
        select scope, category, scope2_method, t_co2e
        from {MARTS}.rpt_ghg_inventory_annual
        where is_group_total and reporting_year = ?
        order by scope, scope2_method nulls first, category""", [year])
    out: list[dict] = []
    for scope, method, label in ((1, None, "Scope 1"), (2, "location_based", "Scope 2 (location-based)"),
                                 (2, "market_based", "Scope 2 (market-based)"), (3, None, "Scope 3 (reported categories)")):
        part = [r for r in data if r["scope"] == scope and (scope != 2 or r["scope2_method"] == method)]
        out.append({"line": label, "scope": scope, "scope2_method": method, "category": None,
                    "t_co2e": float(sum(r["t_co2e"] or 0.0 for r in part)), "is_total": True})
        for r in part:
            out.append({"line": "  " + category_label(r["category"]), "scope": scope, "scope2_method": method,
                        "category": r["category"], "t_co2e": _num(r["t_co2e"]), "is_total": False})
    return Table(
        key="gross_emissions", title="Gross greenhouse-gas emissions of the group",
        source="rpt_ghg_inventory_annual (group row)",
        columns=[Column("line", "Scope / category", kind="text"), Column("scope", "Scope", kind="int", in_report=False),
                 Column("scope2_method", "Scope 2 method", kind="text", in_report=False), Column("category", "Category id", kind="text", in_report=False),
                 Column("t_co2e", "Emissions", T, digits=1)],
        rows=out,
        note="Gross emissions. Carbon credits and the avoided emissions of the carbon accounts are never netted "
             "into these figures.")


def entity_emissions_table(con, year: int) -> Table:
    """Each entity's own emissions (100% of its facilities and records) with its consolidation share."""
    data = rows(con, f"""
        select i.entity_id, coalesce(e.entity_name, i.entity_id) as entity_name, e.relationship_type,
               e.consolidation_share,
               sum(case when i.scope = 1 then i.t_co2e else 0 end) as scope1_t_co2e,
               sum(case when i.scope = 2 and i.scope2_method = 'location_based' then i.t_co2e else 0 end)
                   as scope2_location_based_t_co2e,
               sum(case when i.scope = 2 and i.scope2_method = 'market_based' then i.t_co2e else 0 end)
                   as scope2_market_based_t_co2e,
               sum(case when i.scope = 3 then i.t_co2e else 0 end) as scope3_t_co2e
        from {MARTS}.rpt_ghg_inventory_annual as i
        left join {MARTS}.dim_reporting_entities as e on i.entity_id = e.entity_id
        where not i.is_group_total and i.reporting_year = ?
        group by i.entity_id, e.entity_name, e.relationship_type, e.consolidation_share
        order by i.entity_id""", [year]) if has_mart(con, "dim_reporting_entities") else []
    return Table(
        key="emissions_by_entity", title="Emissions by entity (each entity's own sites, before consolidation)",
        source="rpt_ghg_inventory_annual (entity rows), dim_reporting_entities",
        columns=[Column("entity_id", "Entity id", kind="text"), Column("entity_name", "Entity", kind="text"),
                 Column("relationship_type", "Relationship", kind="text"),
                 Column("consolidation_share", "Share consolidated", kind="pct_share", digits=0),
                 Column("scope1_t_co2e", "Scope 1", T), Column("scope2_location_based_t_co2e", "Scope 2 LB", T),
                 Column("scope2_market_based_t_co2e", "Scope 2 MB", T), Column("scope3_t_co2e", "Scope 3", T)],
        rows=data,
        note="Entity rows hold 100% of each entity's own facilities; the group total consolidates them by the "
             "share shown (the policy's consolidation approach).")


def instruments_table(con, year: int) -> Table:
    data = rows(con, f"""
        select instrument_id, entity_id, facility_id, instrument_type, vintage_year, mwh, serial_start, serial_end,
               supplier_factor_kg_per_kwh, is_applied, ineligible_reason
        from {MARTS}.rpt_scope2_instruments where reporting_year = ?
        order by is_applied desc, instrument_id""", [year]) if has_mart(con, "rpt_scope2_instruments") else []
    return Table(
        key="scope2_instruments", title="Contractual instruments behind market-based Scope 2",
        source="rpt_scope2_instruments",
        columns=[Column("instrument_id", "Instrument", kind="text"), Column("entity_id", "Entity", kind="text"),
                 Column("facility_id", "Facility", kind="text"), Column("instrument_type", "Type", kind="text"),
                 Column("vintage_year", "Vintage", kind="int"), Column("mwh", "Volume", "MWh", digits=0),
                 Column("serial_start", "Serial from", kind="text"), Column("serial_end", "Serial to", kind="text"),
                 Column("supplier_factor_kg_per_kwh", "Supplier factor", "kg CO2/kWh", digits=3),
                 Column("is_applied", "Applied", kind="bool"), Column("ineligible_reason", "Not applied because", kind="text")],
        rows=data,
        note="Electricity not covered by an applied instrument is counted at the residual-mix proxy factor.")


def scope3_screening_table(con, year: int) -> Table:
    data = rows(con, f"""
        select category_number, category_name, status, is_reported, is_material_omission, t_co2e,
               data_quality_score, disclosure, reason
        from {MARTS}.rpt_scope3_screening where reporting_year = ? order by category_number""", [year])
    return Table(
        key="scope3_screening", title="Scope 3: screening of all 15 categories",
        source="rpt_scope3_screening",
        columns=[Column("category_number", "Cat.", kind="int"), Column("category_name", "Category", kind="text"),
                 Column("status", "Status", kind="text"), Column("is_reported", "Reported", kind="bool"),
                 Column("is_material_omission", "Material omission", kind="bool"),
                 Column("t_co2e", "Emissions", T), Column("data_quality_score", "Data quality (1-5)", digits=1),
                 Column("disclosure", "Disclosure", kind="text"), Column("reason", "Reason", kind="text", in_report=False)],
        rows=data,
        note="Category 15 (financed and insurance-associated emissions) is disclosed as an omission while it is one: "
             "the inventory does not claim full IFRS S2 compliance.")


def history_table(con, year: int) -> Table:
    """Every year from the base year to the reporting year, current figures, restated years marked."""
    base = con.execute(f"select min(base_year) from {MARTS}.rpt_neutrality_progress").fetchone()[0] \
        if has_mart(con, "rpt_neutrality_progress") else None
    data = rows(con, f"""
        select i.reporting_year,
               sum(case when i.scope = 1 then i.t_co2e else 0 end) as scope1_t_co2e,
               sum(case when i.scope = 2 and i.scope2_method = 'location_based' then i.t_co2e else 0 end)
                   as scope2_location_based_t_co2e,
               sum(case when i.scope = 2 and i.scope2_method = 'market_based' then i.t_co2e else 0 end)
                   as scope2_market_based_t_co2e,
               sum(case when i.scope = 3 then i.t_co2e else 0 end) as scope3_t_co2e
        from {MARTS}.rpt_ghg_inventory_annual as i
        where i.is_group_total and i.reporting_year <= ? and i.reporting_year >= ?
        group by i.reporting_year order by i.reporting_year""", [year, base or 0])
    intensity = {r["reporting_year"]: r for r in rows(con, f"""
        select reporting_year, t_co2e_headline from {MARTS}.rpt_intensity_annual where is_group_total""")}
    restated = {r["reporting_year"]: r for r in rows(con, f"""
        select reporting_year, snapshot_id, t_co2e_published, t_co2e_recalculated, cumulative_change_pct, is_significant
        from {MARTS}.rpt_restatement_summary""")} if has_mart(con, "rpt_restatement_summary") else {}
    for r in data:
        r["t_co2e_headline"] = _num((intensity.get(r["reporting_year"]) or {}).get("t_co2e_headline"))
        rs = restated.get(r["reporting_year"])
        changed = bool(rs and rs["t_co2e_published"] is not None and rs["t_co2e_recalculated"] is not None
                       and abs(rs["t_co2e_recalculated"] - rs["t_co2e_published"]) > 1e-9)
        r["is_restated"] = changed
        r["t_co2e_as_published"] = _num(rs["t_co2e_published"]) if rs else None
        r["is_base_year"] = r["reporting_year"] == base
    return Table(
        key="history", title="Emissions since the base year (restated figures marked)",
        source="rpt_ghg_inventory_annual, rpt_intensity_annual, rpt_restatement_summary",
        columns=[Column("reporting_year", "Year", kind="int"), Column("is_base_year", "Base year", kind="bool"),
                 Column("scope1_t_co2e", "Scope 1", T), Column("scope2_location_based_t_co2e", "Scope 2 LB", T),
                 Column("scope2_market_based_t_co2e", "Scope 2 MB", T), Column("scope3_t_co2e", "Scope 3", T),
                 Column("t_co2e_headline", "Total (headline)", T), Column("is_restated", "Restated", kind="bool"),
                 Column("t_co2e_as_published", "As published", T)],
        rows=data,
        note="Figures are as recalculated now; a restated year shows the figure first published beside it "
             "(see the restatement note).")


def intensity_table(con, year: int) -> Table:
    data = rows(con, f"""
        select reporting_year, headline_method, t_co2e_headline, t_co2e_total_location_based, t_co2e_total_market_based,
               headcount, t_co2e_per_capita, floor_area_m2, kg_co2e_per_m2, yoy_change_pct, yoy_change_per_capita_pct
        from {MARTS}.rpt_intensity_annual where is_group_total and reporting_year <= ? order by reporting_year""", [year])
    return Table(
        key="intensity", title="Intensity per employee and per square metre, with year-on-year change",
        source="rpt_intensity_annual (group row)",
        columns=[Column("reporting_year", "Year", kind="int"), Column("headline_method", "Scope 2 headline", kind="text", in_report=False),
                 Column("t_co2e_headline", "Total (headline)", T), Column("headcount", "Headcount (mean)", "employees", digits=0),
                 Column("t_co2e_per_capita", "Per capita", "t CO2e/employee", digits=3),
                 Column("floor_area_m2", "Floor area", "m²", digits=0),
                 Column("kg_co2e_per_m2", "Per m²", "kg CO2e/m²", digits=2),
                 Column("yoy_change_pct", "Total, year on year", "%", digits=1),
                 Column("yoy_change_per_capita_pct", "Per capita, year on year", "%", digits=1)],
        rows=data,
        note="Per m² leaves data centres out of numerator and denominator. A negative change is a fall.")


def data_quality_table(con, year: int) -> Table:
    data = rows(con, f"""
        select scope, category, scope2_method, t_co2e, data_quality_score, t_co2e_estimated, estimated_share_pct,
               t_co2e_uncertainty_95, t_co2e_low_95, t_co2e_high_95
        from {MARTS}.rpt_ghg_inventory_annual where is_group_total and reporting_year = ?
        order by scope, category, scope2_method""", [year])
    for r in data:
        r["category_label"] = category_label(r["category"])
    return Table(
        key="data_quality", title="Data quality and uncertainty",
        source="rpt_ghg_inventory_annual (group row)",
        columns=[Column("scope", "Scope", kind="int"), Column("category_label", "Category", kind="text"),
                 Column("scope2_method", "Scope 2 method", kind="text"), Column("t_co2e", "Emissions", T),
                 Column("data_quality_score", "Data quality (1 best - 5)", digits=2),
                 Column("t_co2e_estimated", "Estimated part", T, in_report=False), Column("estimated_share_pct", "Estimated share", "%"),
                 Column("t_co2e_uncertainty_95", "Uncertainty (95%, ±)", T),
                 Column("t_co2e_low_95", "Low (95%)", T, in_report=False), Column("t_co2e_high_95", "High (95%)", T, in_report=False)],
        rows=data,
        note="Data quality: meter 1, invoice 2, landlord allocation 3, estimate 4, spend-based 5 (emission-weighted). "
             "Uncertainty combines activity and factor uncertainty at 95% confidence.")


def factor_sources_table(con, year: int) -> Table:
    data = rows(con, f"""
        select scope, category, scope2_method, factor_set, publisher, factor_data_year, verification, gwp_set,
               factors_used, source
        from {MARTS}.rpt_factor_sources_annual where reporting_year = ?
        order by scope, category, scope2_method, factor_set""", [year]) if has_mart(con, "rpt_factor_sources_annual") else []
    for r in data:
        r["category_label"] = category_label(r["category"])
    return Table(
        key="factor_sources", title="Methodology: emission-factor sets, versions and GWP set",
        source="rpt_factor_sources_annual",
        columns=[Column("scope", "Scope", kind="int"), Column("category_label", "Category", kind="text"),
                 Column("scope2_method", "Scope 2 method", kind="text"), Column("factor_set", "Factor set (version)", kind="text"),
                 Column("publisher", "Publisher", kind="text"), Column("factor_data_year", "Data year", kind="int"),
                 Column("verification", "Verification", kind="text"), Column("gwp_set", "GWP set", kind="text"),
                 Column("factors_used", "Factors used", kind="int"), Column("source", "Source", kind="text", in_report=False)],
        rows=data,
        note="Each emission row carries the factor and GWP set that produced it (fct_emissions); refrigerant rows use "
             "the GWP set's values directly.")


def restatement_table(con, year: int) -> Table:
    data = rows(con, f"""
        select reporting_year, snapshot_id, published_at, t_co2e_published, t_co2e_recalculated,
               t_co2e_structural_change, t_co2e_method_or_factor_change, t_co2e_error_correction,
               cumulative_change_pct, recalculation_threshold_pct, is_base_year, is_significant
        from {MARTS}.rpt_restatement_summary where reporting_year <= ? order by reporting_year""", [year]) \
        if has_mart(con, "rpt_restatement_summary") else []
    return Table(
        key="restatements", title="Restatements: published figures against the figures recalculated now",
        source="rpt_restatement_summary",
        columns=[Column("reporting_year", "Year", kind="int"), Column("snapshot_id", "Published snapshot", kind="text"),
                 Column("t_co2e_published", "As published", T), Column("t_co2e_recalculated", "Recalculated", T),
                 Column("t_co2e_structural_change", "Structural", T),
                 Column("t_co2e_method_or_factor_change", "Method / factor", T),
                 Column("t_co2e_error_correction", "Error correction", T),
                 Column("cumulative_change_pct", "Cumulative change", "%", digits=2),
                 Column("recalculation_threshold_pct", "Threshold", "%", digits=1, in_report=False),
                 Column("is_significant", "Significant", kind="bool")],
        rows=data,
        note="Headline basis (Scope 1 + Scope 2 headline method + reported Scope 3). A significant change to the base "
             "year recalculates it.")


def neutrality_table(con, year: int) -> Table:
    data = rows(con, f"""
        select reporting_year, t_co2e_scope1, t_co2e_scope2, t_co2e_scope3_operational, t_co2e_gross_operational,
               target_path_t_co2e, change_from_base_year_pct, t_co2e_credits_retired, t_co2e_removal_credits_retired,
               t_co2e_net
        from {MARTS}.rpt_neutrality_progress where reporting_year <= ? order by reporting_year""", [year])
    return Table(
        key="neutrality", title="Targets: progress to operational carbon neutrality",
        source="rpt_neutrality_progress",
        columns=[Column("reporting_year", "Year", kind="int"), Column("t_co2e_scope1", "Scope 1", T, in_report=False),
                 Column("t_co2e_scope2", "Scope 2 (headline)", T, in_report=False),
                 Column("t_co2e_scope3_operational", "Operational Scope 3", T, in_report=False),
                 Column("t_co2e_gross_operational", "Gross operational", T),
                 Column("target_path_t_co2e", "Target path", T),
                 Column("change_from_base_year_pct", "Change from base year", "%"),
                 Column("t_co2e_credits_retired", "Credits retired (separate)", T),
                 Column("t_co2e_removal_credits_retired", "of which removals", T),
                 Column("t_co2e_net", "Net of credits", T)],
        rows=data,
        note="Gross operational emissions are never reduced by credits; the net figure is shown beside them, "
             "for the neutrality claim only.")


def credits_table(con, year: int) -> Table:
    data = rows(con, f"""
        select credit_id, registry, standard, project_type, credit_type, vintage_year, tonnes, status,
               retired_for_year, retired_for_entity, serial_start, serial_end, counts_toward_neutrality, not_counted_reason
        from {MARTS}.rpt_carbon_credits
        where retired_for_year = ? or retired_for_year is null
        order by counts_toward_neutrality desc, credit_id""", [year])
    return Table(
        key="carbon_credits", title="Carbon credits (shown separately, never netted into gross emissions)",
        source="rpt_carbon_credits",
        columns=[Column("credit_id", "Lot", kind="text"), Column("registry", "Registry", kind="text", in_report=False),
                 Column("standard", "Standard", kind="text"), Column("project_type", "Project type", kind="text"),
                 Column("credit_type", "Type", kind="text"), Column("vintage_year", "Vintage", kind="int"),
                 Column("tonnes", "Quantity", T), Column("status", "Status", kind="text"),
                 Column("retired_for_entity", "Retired for", kind="text"),
                 Column("serial_start", "Serial from", kind="text"), Column("serial_end", "Serial to", kind="text"),
                 Column("counts_toward_neutrality", "Counts", kind="bool"),
                 Column("not_counted_reason", "Not counted because", kind="text")],
        rows=data,
        note="Lots retired for the year and lots held but not retired. A serial retired twice is refused for every lot "
             "that holds it; credits issued from the group's own carbon accounts are never an offset.")


def datacenter_table(con, year: int) -> Table:
    data = rows(con, f"""
        select facility_id, entity_id, pue, baseline_pue, it_energy_kwh, facility_energy_kwh, data_completeness_pct,
               energy_saved_kwh, t_co2_avoided, cost_saved_cny, factor_id
        from {MARTS}.rpt_datacenter_pue where period = ? order by facility_id""", [str(year)]) \
        if has_mart(con, "rpt_datacenter_pue") else []
    return Table(
        key="datacenter_pue", title="Data centres: power usage effectiveness and savings",
        source="rpt_datacenter_pue (annual rows)",
        columns=[Column("facility_id", "Data centre", kind="text"), Column("entity_id", "Entity", kind="text"),
                 Column("pue", "PUE", digits=3), Column("baseline_pue", "Baseline PUE", digits=3),
                 Column("it_energy_kwh", "IT energy", "kWh", digits=0),
                 Column("facility_energy_kwh", "Facility energy", "kWh", digits=0),
                 Column("data_completeness_pct", "Data completeness", "%"),
                 Column("energy_saved_kwh", "Energy saved vs baseline", "kWh", digits=0),
                 Column("t_co2_avoided", "CO2 avoided (memo)", "t CO2", digits=1),
                 Column("cost_saved_cny", "Cost saved", "CNY", digits=0), Column("factor_id", "Grid factor", kind="text", in_report=False)],
        rows=data,
        note="Savings are memo figures against each data centre's baseline PUE: the inventory already holds the "
             "lower electricity use, so avoided tonnes are not deducted from it.")


def carbon_accounts_table(con, year: int) -> Table:
    data = rows(con, f"""
        select scenario, is_suppressed, accounts, t_co2e_avoided, t_co2e_already_in_inventory, t_co2e_not_in_inventory,
               t_co2e_exchange_eligible, t_co2e_transferred, points_issued, points_redeemed, points_expired
        from {MARTS}.rpt_group_carbon_account where reporting_year = ? order by scenario""", [year]) \
        if has_mart(con, "rpt_group_carbon_account") else []
    return Table(
        key="carbon_accounts", title="Carbon accounts: memo book of avoided emissions, with the reconciliation",
        source="rpt_group_carbon_account",
        columns=[Column("scenario", "Scenario", kind="text"), Column("is_suppressed", "Suppressed (small group)", kind="bool"),
                 Column("accounts", "Accounts earning", kind="int"), Column("t_co2e_avoided", "Avoided (memo)", T, digits=4),
                 Column("t_co2e_already_in_inventory", "Already in the inventory", T, digits=4),
                 Column("t_co2e_not_in_inventory", "Not in the inventory", T, digits=4),
                 Column("t_co2e_exchange_eligible", "Exchange-eligible", T, digits=4),
                 Column("t_co2e_transferred", "Transferred to exchanges", T, digits=4),
                 Column("points_issued", "Points issued", "points", kind="int"),
                 Column("points_redeemed", "Points redeemed", "points", kind="int"),
                 Column("points_expired", "Points expired", "points", kind="int", in_report=False)],
        rows=data,
        note="A separate memo book: avoided tonnes never enter the inventory, the neutrality figures or any "
             "operational reduction. 'Already in the inventory' is the part whose activity the inventory measures "
             "(e.g. saved metered office electricity is already lower Scope 2).")


def filings_table(con, year: int) -> Table:
    data = rows(con, f"""
        select filing_id, methodology_id, methodology_version, count(distinct account_id) as accounts,
               -1 * sum(g_co2e_avoided) / 1000000.0 as t_co2e_transferred, min(activity_month) as booked_month
        from {MARTS}.fct_account_ledger
        where entry_type = 'transfer' and reporting_year = ?
        group by filing_id, methodology_id, methodology_version
        order by filing_id, methodology_id, methodology_version""", [year]) if has_mart(con, "fct_account_ledger") else []
    return Table(
        key="exchange_filings", title="Reductions transferred to carbon exchanges (ledger transfer entries)",
        source="fct_account_ledger (transfer entries)",
        columns=[Column("filing_id", "Filing", kind="text"), Column("methodology_id", "Methodology", kind="text"),
                 Column("methodology_version", "Version", kind="int"), Column("accounts", "Accounts", kind="int"),
                 Column("t_co2e_transferred", "Transferred", T, digits=4),
                 Column("booked_month", "Booked in", kind="text")],
        rows=data,
        note="Filed reductions leave the accounts by a transfer entry, so they cannot be filed or credited again. "
             "Packages: data/reports/<year>/filings/.")


def exclusions_table(con, year: int) -> Table:
    data = rows(con, f"""
        select scope, category, exclusion_type, source_description, reason, estimated_t_co2e, estimated_share_pct,
               is_material
        from {MARTS}.rpt_exclusions_register where reporting_year = ?
        order by is_material desc, estimated_t_co2e desc nulls last, category""", [year]) \
        if has_mart(con, "rpt_exclusions_register") else []
    return Table(
        key="exclusions", title="Exclusions register (sources left out of the reported total)",
        source="rpt_exclusions_register",
        columns=[Column("category", "Category", kind="text"), Column("exclusion_type", "Kind", kind="text"),
                 Column("source_description", "Source", kind="text"), Column("reason", "Reason", kind="text", in_report=False),
                 Column("estimated_t_co2e", "Estimated size", T), Column("estimated_share_pct", "Share of total", "%", digits=2),
                 Column("is_material", "Material", kind="bool")],
        rows=data)


def memo_items_table(con, year: int) -> Table:
    data = rows(con, f"""
        select memo_item, gas, sum(quantity) as quantity, max(quantity_unit) as quantity_unit, sum(t_co2e) as t_co2e
        from {MARTS}.rpt_memo_items_annual where reporting_year = ?
        group by memo_item, gas order by memo_item, gas""", [year]) if has_mart(con, "rpt_memo_items_annual") else []
    return Table(
        key="memo_items", title="Memo items reported outside the scopes",
        source="rpt_memo_items_annual (all entities)",
        columns=[Column("memo_item", "Item", kind="text"), Column("gas", "Gas", kind="text"),
                 Column("quantity", "Quantity", digits=2), Column("quantity_unit", "Unit", kind="text"),
                 Column("t_co2e", "Emissions", T, digits=2)],
        rows=data)


TABLE_FUNCTIONS = (
    gross_emissions_table, entity_emissions_table, instruments_table, scope3_screening_table, history_table,
    intensity_table, data_quality_table, factor_sources_table, restatement_table, neutrality_table, credits_table,
    datacenter_table, carbon_accounts_table, filings_table, exclusions_table, memo_items_table,
)


# --- the whole report -----------------------------------------------------------------------------


def reporting_years(warehouse: Path) -> list[int]:
    with connect(warehouse) as con:
        if not has_mart(con, "rpt_ghg_inventory_annual"):
            return []
        return [r[0] for r in con.execute(
            f"select distinct reporting_year from {MARTS}.rpt_ghg_inventory_annual order by 1").fetchall()]


def build_report_data(warehouse: Path, year: int, now: dt.datetime | None = None) -> ReportData:
    with connect(warehouse) as con:
        for mart in ("rpt_ghg_inventory_annual", "rpt_intensity_annual", "rpt_scope3_screening", "rpt_neutrality_progress",
                     "rpt_carbon_credits"):
            if not has_mart(con, mart):
                raise ReportError(f"the warehouse {warehouse} has no marts.{mart}: run `carbonledger run` first")
        years = [r[0] for r in con.execute(
            f"select distinct reporting_year from {MARTS}.rpt_ghg_inventory_annual order by 1").fetchall()]
        if year not in years:
            raise ReportError(f"no inventory for {year} in {warehouse} (years there: "
                              f"{', '.join(map(str, years)) or 'none'})")
        tables = {t.key: t for t in (fn(con, year) for fn in TABLE_FUNCTIONS)}
        group = rows(con, f"""
            select i.entity_id, max(i.gwp_set) as gwp_set, max(i.consolidation_approach) as consolidation_approach,
                   max(i.policy_sha256) as policy_sha256
            from {MARTS}.rpt_ghg_inventory_annual as i where i.is_group_total and i.reporting_year = ?
            group by i.entity_id""", [year])[0]
        name = None
        if has_mart(con, "dim_reporting_entities"):
            found = con.execute(f"select entity_name from {MARTS}.dim_reporting_entities where entity_id = ?",
                                [group["entity_id"]]).fetchone()
            name = found[0] if found else None
        intensity = rows(con, f"select * from {MARTS}.rpt_intensity_annual where is_group_total and reporting_year = ?",
                         [year])
        intensity = intensity[0] if intensity else {}
        neutrality = rows(con, f"select * from {MARTS}.rpt_neutrality_progress where reporting_year = ?", [year])
        neutrality = neutrality[0] if neutrality else {}
        settings = rows(con, f"select min(base_year) as base_year, min(neutrality_year) as neutrality_year "
                             f"from {MARTS}.rpt_neutrality_progress")[0]
        omissions = rows(con, f"""
            select category_number, category_name, full_ifrs_s2_compliance_claimable
            from {MARTS}.rpt_scope3_screening where reporting_year = ? and is_material_omission
            order by category_number""", [year])
        claimable = con.execute(f"select coalesce(bool_and(full_ifrs_s2_compliance_claimable), false) "
                                f"from {MARTS}.rpt_scope3_screening where reporting_year = ?", [year]).fetchone()[0]

    gross = tables["gross_emissions"].rows

    def total(label: str) -> float | None:
        return next((r["t_co2e"] for r in gross if r["is_total"] and r["line"] == label), None)

    kpis = {
        "scope1_t_co2e": total("Scope 1"),
        "scope2_location_based_t_co2e": total("Scope 2 (location-based)"),
        "scope2_market_based_t_co2e": total("Scope 2 (market-based)"),
        "scope3_reported_t_co2e": total("Scope 3 (reported categories)"),
        "t_co2e_headline": _num(intensity.get("t_co2e_headline")),
        "t_co2e_headline_uncertainty_95": _num(intensity.get("t_co2e_headline_uncertainty_95")),
        "t_co2e_total_location_based": _num(intensity.get("t_co2e_total_location_based")),
        "t_co2e_total_market_based": _num(intensity.get("t_co2e_total_market_based")),
        "t_co2e_per_capita": _num(intensity.get("t_co2e_per_capita")),
        "kg_co2e_per_m2": _num(intensity.get("kg_co2e_per_m2")),
        "yoy_change_pct": _num(intensity.get("yoy_change_pct")),
        "yoy_change_per_capita_pct": _num(intensity.get("yoy_change_per_capita_pct")),
        "t_co2e_gross_operational": _num(neutrality.get("t_co2e_gross_operational")),
        "target_path_t_co2e": _num(neutrality.get("target_path_t_co2e")),
        "t_co2e_credits_retired": _num(neutrality.get("t_co2e_credits_retired")),
        "t_co2e_net": _num(neutrality.get("t_co2e_net")),
    }
    factor_rows = tables["factor_sources"].rows
    seen: dict[str, Any] = {}
    for r in factor_rows:
        seen.setdefault(r["factor_set"], r["factor_data_year"])
    versions = "; ".join(f"{k}" + (f" (data year {v})" if v else "") for k, v in sorted(seen.items()))
    gwp = group["gwp_set"] or ""
    refusals = [f"credit lot {r['credit_id']} ({r['serial_start']}..{r['serial_end']}, {r['tonnes']:g} t): refused: "
                f"serial retired twice (another lot holds the same serials)"
                for r in tables["carbon_credits"].rows if r["not_counted_reason"] == "serial_retired_twice"]
    return ReportData(
        year=year,
        generated_at=(now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d %H:%M UTC"),
        group_entity_id=group["entity_id"],
        group_name=name or group["entity_id"],
        consolidation_approach=(group["consolidation_approach"] or "").replace("_", " "),
        gwp_set=gwp,
        headline_method=intensity.get("headline_method") or neutrality.get("headline_method") or "location_based",
        base_year=settings["base_year"],
        neutrality_year=settings["neutrality_year"],
        policy_sha256=group["policy_sha256"] or "",
        kpis=kpis,
        tables=tables,
        ifrs_s2_full_compliance_claimable=bool(claimable),
        material_omissions=[f"category {r['category_number']} ({r['category_name']})" for r in omissions],
        factor_versions=f"Factor sets: {versions or 'none'}. GWP set: IPCC {gwp} (100-year).",
        refusals=refusals,
    )
