"""Exchange filing packages: the eligible quantified reductions of a filing, per methodology and period.

A filing is declared in the policy (`accounts.filings`: filing id, scheme, first and last month,
date filed); dbt books it in the ledger as `transfer` entries (fct_account_ledger), which is what
stops the same reduction being filed or credited again. This module reads the ledger and the
methodology registry (marts only), checks the filing independently and writes its package:

    data/reports/<year>/filings/<filing_id>/reductions.csv   one row per methodology, version and month
    data/reports/<year>/filings/<filing_id>/filing.json      header, lines, evidence summary, ledger entries
    data/reports/<year>/filings/<filing_id>/manifest.json    SHA-256 and size of each file
    data/reports/<year>/filings/index.json                   every filing of the year: packaged or refused, and why

A reduction is eligible (docs/filing.md) when nothing of it is already in the inventory, the receiving
scheme recognises its methodology for its scenario, and that methodology version is exchange-recognised
or government-approved (not internal_unverified). Within a filing's period, a reduction of a recognised
methodology that is not eligible, or that an earlier filing already transferred, is refused with a
message naming the filing, the methodology and the reason; a filing with nothing eligible is refused
and no package is written for it. The schema is documented in docs/filing.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from assets.reports.logic import MARTS, connect, has_mart, rows

FILING_SCHEMA_VERSION = 1
ELIGIBLE_APPROVALS = ("exchange_recognised", "government_approved")
CSV_COLUMNS = ("filing_id", "scheme_id", "exchange", "methodology_id", "methodology_version", "activity_month",
               "accounts", "reductions", "g_co2e", "t_co2e")


@dataclass
class FilingResult:
    filing_id: str
    scheme_id: str
    status: str  # packaged | refused
    refusals: list[str] = field(default_factory=list)
    path: Path | None = None
    t_co2e: float = 0.0
    accounts: int = 0
    lines: list[dict] = field(default_factory=list)
    manifest_sha256: str | None = None


def filings_for_year(accounts_policy, year: int) -> list:
    """The policy's filings that belong to a reporting year: those whose last month falls in it."""
    return [f for f in accounts_policy.filings if int(f.period_end[:4]) == year]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Why a credit of the filing's period is not in its package, first reason first (SQL, one row per credit).
# `filing_id = $this` rows are checked again (their reason is '' when they may be packaged); reversed credits
# (withdrawn before the filing) are left out.
_CHECK_SQL = f"""
with credits as (
    select l.entry_id, l.account_id, l.methodology_id, l.methodology_version, l.activity_month, l.g_co2e_avoided,
           coalesce(l.g_co2e_already_in_inventory, 0) as g_in_inventory, l.is_exchange_eligible, l.filing_id,
           l.reduction_place, coalesce(m.approval_status, 'unknown') as approval_status,
           coalesce(l.reduction_place is not null and len(list_filter($places,
               lambda p: l.reduction_place = p or starts_with(l.reduction_place, p || '-'))) > 0, false) as in_place,
           coalesce(m.approval_status, '') in {ELIGIBLE_APPROVALS} as approved
    from {MARTS}.fct_account_ledger as l
    left join {MARTS}.dim_account_methodologies as m
        on l.methodology_id = m.methodology_id and l.methodology_version = m.methodology_version
    where l.entry_type = 'credit' and l.activity_month between $first and $last
      and list_contains($methodologies, l.methodology_id)
      and ($any_scenario or list_contains($scenarios, l.scenario))
      and coalesce(l.g_co2e_avoided, 0) > 0
      and l.entry_id not in (select reverses_entry_id from {MARTS}.fct_account_ledger
                             where entry_type = 'reversal' and reverses_entry_id is not null)
)
select *,
    case
        when filing_id = $filing then concat_ws('; ',
            case when not approved then 'methodology version is ' || approval_status
                 || ' (not exchange-recognised or government-approved)' end,
            case when g_in_inventory <> 0 then 'part of it is already in the inventory' end,
            case when not in_place then 'its place ' || coalesce(reduction_place, 'unknown')
                 || ' is not one the scheme covers' end,
            case when not coalesce(is_exchange_eligible, false) then 'the ledger does not mark it exchange-eligible' end)
        when not in_place then 'not recognised for that place: the reduction happened in '
            || coalesce(reduction_place, 'an unknown place (no facility, and no accounts.scenario_places entry)')
            || '; the scheme covers ' || array_to_string($places, ', ')
        when filing_id is not null then 're-filed: already transferred to the exchange by filing ' || filing_id
        when not approved then 'ineligible methodology: version ' || methodology_version || ' is ' || approval_status
            || ', not exchange-recognised or government-approved'
        when g_in_inventory > 0 then 'ineligible: its activity is already measured in the inventory; only reductions '
            || 'with nothing in the inventory may be filed'
        else 'eligible but not transferred by this filing in the ledger (run `carbonledger run` after changing '
            || 'accounts.filings)'
    end as reason
from credits
"""


def check_filing(con, filing, scheme, filed_dates: dict[str, str]) -> tuple[str, list[str]]:
    """Check one filing in the warehouse: (the name of a temporary view of its packaged credits, the refusals).

    The credits of the filing's period whose methodology and scenario the scheme recognises are classified in
    DuckDB; only the per-reason aggregates come back to Python, so a filing of millions of reductions costs one
    scan of the ledger.
    """
    params = {"places": list(scheme.places), "methodologies": list(scheme.recognised_methodologies),
              "scenarios": list(scheme.scenarios), "any_scenario": not scheme.scenarios,
              "first": filing.period_start, "last": filing.period_end, "filing": filing.filing_id}
    con.execute("create or replace temp table filing_checked as " + _CHECK_SQL, params)
    refused = con.execute("""
        select methodology_id, methodology_version, reason, count(*), sum(g_co2e_avoided),
               string_agg(distinct activity_month, ', ' order by activity_month), sum(g_in_inventory), min(filing_id)
        from filing_checked where reason <> '' group by all order by 1, 2, 3""").fetchall()
    messages = []
    for m, v, reason, n, g, months, g_inventory, other in refused:
        if reason.startswith("re-filed"):
            reason += f" (filed {filed_dates.get(other, '?')}); a reduction is filed once"
        elif reason.startswith("ineligible: its activity"):
            reason = reason.replace("inventory;", f"inventory ({g_inventory / 1e6:.6f} t);", 1)
        messages.append(f"filing {filing.filing_id} ({scheme.scheme_id}, {filing.period_start}..{filing.period_end}): "
                        f"methodology {m} v{v}: {n} reduction(s), {g / 1e6:.6f} t CO2e in {months} refused: {reason}")
    con.execute("create or replace temp view filing_packaged as select * from filing_checked where reason = ''")
    return "filing_packaged", messages


def _lines(con, packaged: str, filing, scheme) -> list[dict]:
    """The package's rows: one per methodology, version and month."""
    found = rows(con, f"""
        select methodology_id, methodology_version, activity_month, count(distinct account_id) as accounts,
               count(*) as reductions, sum(g_co2e_avoided) as g_co2e
        from {packaged} group by all order by methodology_id, methodology_version, activity_month""")
    return [{"filing_id": filing.filing_id, "scheme_id": scheme.scheme_id, "exchange": scheme.exchange, **r,
             "t_co2e": r["g_co2e"] / 1e6} for r in found]


def _evidence(con, packaged: str) -> list[dict]:
    """Per methodology version filed: its registry row and what was filed under it."""
    return rows(con, f"""
        with filed as (
            select methodology_id, methodology_version, count(*) as reductions, count(distinct account_id) as accounts,
                   sum(g_co2e_avoided) as g_co2e, sum(g_in_inventory) as g_co2e_already_in_inventory,
                   min(activity_month) as first_month, max(activity_month) as last_month,
                   string_agg(distinct reduction_place, ', ' order by reduction_place) as places
            from {packaged} group by all
        )
        select m.methodology_id, m.methodology_version, m.behaviour_code, m.scenario, m.description, m.method, m.unit,
               m.baseline_factor_id, m.baseline_factor, m.alternative_factor_id, m.alternative_factor,
               m.g_co2e_per_unit, m.baseline_factor_status, m.approval_status, m.eligibility, m.inventory_category,
               m.inventory_overlap_rule, cast(m.valid_from as varchar) as valid_from,
               cast(m.valid_to as varchar) as valid_to, m.source,
               filed.* exclude (methodology_id, methodology_version)
        from filed
        left join {MARTS}.dim_account_methodologies as m
            on filed.methodology_id = m.methodology_id and filed.methodology_version = m.methodology_version
        order by filed.methodology_id, filed.methodology_version""")


def _transfers(con, filing_id: str) -> list[dict]:
    return rows(con, f"""
        select entry_id, methodology_id, methodology_version, g_co2e_avoided, activity_month,
               cast(occurred_at as varchar) as occurred_at
        from {MARTS}.fct_account_ledger where entry_type = 'transfer' and filing_id = ? order by entry_id""",
                [filing_id])


def _write_package(target: Path, files: dict[str, bytes]) -> str:
    """Write the files and manifest.json to a temporary folder, then swap it into place; return the manifest SHA-256."""
    manifest = {"schema_version": FILING_SCHEMA_VERSION, "algorithm": "sha256",
                "files": [{"name": name, "bytes": len(data), "sha256": _sha256(data)} for name, data in sorted(files.items())]}
    manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    staging = target.parent / f".{target.name}.tmp"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name, data in {**files, "manifest.json": manifest_bytes}.items():
        (staging / name).write_bytes(data)
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return _sha256(manifest_bytes)


def build_filings(warehouse: Path, accounts_policy, year: int, out_dir: Path, policy_sha256: str = "") -> list[FilingResult]:
    """Check and package every filing of the year under out_dir (data/reports/<year>/filings)."""
    filings = filings_for_year(accounts_policy, year)
    results: list[FilingResult] = []
    schemes = {s.scheme_id: s for s in accounts_policy.schemes}
    filed_dates = {f.filing_id: f.filed_on.isoformat() for f in accounts_policy.filings}
    with connect(warehouse) as con:
        ready = has_mart(con, "fct_account_ledger") and has_mart(con, "dim_account_methodologies")
        for filing in filings:
            scheme = schemes[filing.scheme_id]
            target = out_dir / filing.filing_id
            if not ready:
                results.append(FilingResult(filing.filing_id, scheme.scheme_id, "refused",
                                            [f"filing {filing.filing_id}: the warehouse has no account ledger"]))
                continue
            packaged, refusals = check_filing(con, filing, scheme, filed_dates)
            transfers = _transfers(con, filing.filing_id)
            transferred_g = -sum(t["g_co2e_avoided"] for t in transfers)
            count, packaged_g, accounts = con.execute(
                f"select count(*), coalesce(sum(g_co2e_avoided), 0), count(distinct account_id) from {packaged}").fetchone()
            if count and abs(transferred_g - packaged_g) > 1e-6:
                refusals.append(f"filing {filing.filing_id}: the ledger's transfer entries ({transferred_g:.3f} g) differ "
                                f"from the eligible reductions filed ({packaged_g:.3f} g): the package is not written")
                count = 0
            if not count:
                if not refusals:
                    refusals.append(f"filing {filing.filing_id} ({scheme.scheme_id}, {filing.period_start}.."
                                    f"{filing.period_end}): no reduction of a methodology the scheme recognises "
                                    f"({', '.join(scheme.recognised_methodologies) or 'none'}) in the period")
                refusals.append(f"filing {filing.filing_id}: refused: nothing eligible to file; no package written")
                if target.exists():
                    shutil.rmtree(target)
                results.append(FilingResult(filing.filing_id, scheme.scheme_id, "refused", refusals))
                continue
            lines = _lines(con, packaged, filing, scheme)
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
            writer.writeheader()
            for line in lines:
                writer.writerow({**line, "g_co2e": repr(line["g_co2e"]), "t_co2e": repr(line["t_co2e"])})
            document = {
                "schema_version": FILING_SCHEMA_VERSION,
                "filing_id": filing.filing_id,
                "scheme_id": scheme.scheme_id,
                "exchange": scheme.exchange,
                "scheme_places": list(scheme.places),
                "period_start": filing.period_start,
                "period_end": filing.period_end,
                "filed_on": filing.filed_on.isoformat(),
                "reporting_year": year,
                "policy_sha256": policy_sha256,
                "totals": {"accounts": accounts, "reductions": count, "g_co2e": packaged_g,
                           "t_co2e": packaged_g / 1e6},
                "lines": lines,
                "evidence": _evidence(con, packaged),
                "ledger_transfer_entries": transfers,
                "refused": refusals,
            }
            files = {"reductions.csv": buffer.getvalue().encode("utf-8"),
                     "filing.json": (json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")}
            manifest_sha = _write_package(target, files)
            results.append(FilingResult(filing.filing_id, scheme.scheme_id, "packaged", refusals, target,
                                        packaged_g / 1e6, accounts, lines, manifest_sha))
    out_dir.mkdir(parents=True, exist_ok=True)
    index = [{"filing_id": r.filing_id, "scheme_id": r.scheme_id, "status": r.status,
              "path": str(r.path.relative_to(out_dir)) if r.path else None, "t_co2e": r.t_co2e, "accounts": r.accounts,
              "manifest_sha256": r.manifest_sha256, "refusals": r.refusals} for r in results]
    (out_dir / "index.json").write_text(json.dumps({"reporting_year": year, "filings": index}, indent=2,
                                                   ensure_ascii=False) + "\n", encoding="utf-8")
    return results
