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


def _ledger_credits(con, months: tuple[str, str]) -> list[dict]:
    return rows(con, f"""
        select l.entry_id, l.account_id, l.scenario, l.methodology_id, l.methodology_version, l.activity_month,
               l.g_co2e_avoided, l.g_co2e_already_in_inventory, l.is_exchange_eligible, l.filing_id,
               m.approval_status
        from {MARTS}.fct_account_ledger as l
        left join {MARTS}.dim_account_methodologies as m
            on l.methodology_id = m.methodology_id and l.methodology_version = m.methodology_version
        where l.entry_type = 'credit' and l.activity_month between ? and ?
        order by l.methodology_id, l.methodology_version, l.activity_month, l.entry_id""", list(months))


def _reversed_entries(con) -> set[str]:
    return {r[0] for r in con.execute(
        f"select reverses_entry_id from {MARTS}.fct_account_ledger where entry_type = 'reversal' "
        "and reverses_entry_id is not null").fetchall()}


def check_filing(con, filing, scheme, filed_dates: dict[str, str]) -> tuple[list[dict], list[str]]:
    """The ledger credits this filing transferred (its package) and the refusals, for one filing."""
    recognised = set(scheme.recognised_methodologies)
    scenarios = set(scheme.scenarios)
    credits = [c for c in _ledger_credits(con, (filing.period_start, filing.period_end))
               if c["methodology_id"] in recognised and (not scenarios or c["scenario"] in scenarios)
               and (c["g_co2e_avoided"] or 0) > 0]
    reversed_ids = _reversed_entries(con)
    packaged, refused = [], {}

    def refuse(c: dict, reason: str) -> None:
        key = (c["methodology_id"], c["methodology_version"], reason)
        entry = refused.setdefault(key, {"n": 0, "g": 0.0, "months": set()})
        entry["n"] += 1
        entry["g"] += c["g_co2e_avoided"]
        entry["months"].add(c["activity_month"])

    for c in credits:
        if c["filing_id"] == filing.filing_id:
            problems = []
            if c["approval_status"] not in ELIGIBLE_APPROVALS:
                problems.append(f"methodology version is {c['approval_status']} (not exchange-recognised or "
                                "government-approved)")
            if (c["g_co2e_already_in_inventory"] or 0) != 0:
                problems.append("part of it is already in the inventory")
            if not c["is_exchange_eligible"]:
                problems.append("the ledger does not mark it exchange-eligible")
            if problems:
                refuse(c, "; ".join(problems))
            else:
                packaged.append(c)
        elif c["filing_id"]:
            refuse(c, f"re-filed: already transferred to the exchange by filing {c['filing_id']} "
                      f"(filed {filed_dates.get(c['filing_id'], '?')}); a reduction is filed once")
        elif c["entry_id"] in reversed_ids:
            continue  # withdrawn before the filing: not a reduction any more
        elif c["approval_status"] not in ELIGIBLE_APPROVALS:
            refuse(c, f"ineligible methodology: version {c['methodology_version']} is {c['approval_status']}, "
                      "not exchange-recognised or government-approved")
        elif (c["g_co2e_already_in_inventory"] or 0) > 0:
            refuse(c, "ineligible: its activity is already measured in the inventory "
                      f"({c['g_co2e_already_in_inventory'] / 1e6:.6f} t); only reductions with nothing in the "
                      "inventory may be filed")
        else:
            refuse(c, "eligible but not transferred by this filing in the ledger (run `carbonledger run` after "
                      "changing accounts.filings)")
    messages = [
        f"filing {filing.filing_id} ({scheme.scheme_id}, {filing.period_start}..{filing.period_end}): methodology "
        f"{m} v{v}: {e['n']} reduction(s), {e['g'] / 1e6:.6f} t CO2e in {', '.join(sorted(e['months']))} refused: {reason}"
        for (m, v, reason), e in sorted(refused.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2]))
    ]
    return packaged, messages


def _lines(packaged: list[dict], filing, scheme) -> list[dict]:
    groups: dict[tuple, dict] = {}
    for c in packaged:
        key = (c["methodology_id"], c["methodology_version"], c["activity_month"])
        g = groups.setdefault(key, {"accounts": set(), "reductions": 0, "g_co2e": 0.0})
        g["accounts"].add(c["account_id"])
        g["reductions"] += 1
        g["g_co2e"] += c["g_co2e_avoided"]
    return [{"filing_id": filing.filing_id, "scheme_id": scheme.scheme_id, "exchange": scheme.exchange,
             "methodology_id": m, "methodology_version": v, "activity_month": month,
             "accounts": len(g["accounts"]), "reductions": g["reductions"], "g_co2e": g["g_co2e"],
             "t_co2e": g["g_co2e"] / 1e6}
            for (m, v, month), g in sorted(groups.items())]


def _evidence(con, packaged: list[dict]) -> list[dict]:
    keys = sorted({(c["methodology_id"], c["methodology_version"]) for c in packaged})
    out = []
    for m, v in keys:
        found = rows(con, f"""
            select methodology_id, methodology_version, behaviour_code, scenario, description, method, unit,
                   baseline_factor_id, baseline_factor, alternative_factor_id, alternative_factor, g_co2e_per_unit,
                   baseline_factor_status, approval_status, eligibility, inventory_category, inventory_overlap_rule,
                   cast(valid_from as varchar) as valid_from, cast(valid_to as varchar) as valid_to, source
            from {MARTS}.dim_account_methodologies where methodology_id = ? and methodology_version = ?""", [m, v])
        mine = [c for c in packaged if (c["methodology_id"], c["methodology_version"]) == (m, v)]
        evidence = found[0] if found else {"methodology_id": m, "methodology_version": v}
        evidence.update({
            "reductions": len(mine),
            "accounts": len({c["account_id"] for c in mine}),
            "g_co2e": sum(c["g_co2e_avoided"] for c in mine),
            "g_co2e_already_in_inventory": sum(c["g_co2e_already_in_inventory"] or 0 for c in mine),
            "first_month": min(c["activity_month"] for c in mine),
            "last_month": max(c["activity_month"] for c in mine),
        })
        out.append(evidence)
    return out


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
            packaged_g = sum(c["g_co2e_avoided"] for c in packaged)
            if packaged and abs(transferred_g - packaged_g) > 1e-6:
                refusals.append(f"filing {filing.filing_id}: the ledger's transfer entries ({transferred_g:.3f} g) differ "
                                f"from the eligible reductions filed ({packaged_g:.3f} g): the package is not written")
                packaged = []
            if not packaged:
                if not refusals:
                    refusals.append(f"filing {filing.filing_id} ({scheme.scheme_id}, {filing.period_start}.."
                                    f"{filing.period_end}): no reduction of a methodology the scheme recognises "
                                    f"({', '.join(scheme.recognised_methodologies) or 'none'}) in the period")
                refusals.append(f"filing {filing.filing_id}: refused: nothing eligible to file; no package written")
                if target.exists():
                    shutil.rmtree(target)
                results.append(FilingResult(filing.filing_id, scheme.scheme_id, "refused", refusals))
                continue
            lines = _lines(packaged, filing, scheme)
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
            writer.writeheader()
            for line in lines:
                writer.writerow({**line, "g_co2e": repr(line["g_co2e"]), "t_co2e": repr(line["t_co2e"])})
            accounts = len({c["account_id"] for c in packaged})
            document = {
                "schema_version": FILING_SCHEMA_VERSION,
                "filing_id": filing.filing_id,
                "scheme_id": scheme.scheme_id,
                "exchange": scheme.exchange,
                "period_start": filing.period_start,
                "period_end": filing.period_end,
                "filed_on": filing.filed_on.isoformat(),
                "reporting_year": year,
                "policy_sha256": policy_sha256,
                "totals": {"accounts": accounts, "reductions": len(packaged), "g_co2e": packaged_g,
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
