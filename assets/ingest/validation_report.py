"""The validation report of a run: one HTML page a person can read, at <data>/reports/validation/<run_id>.html.

Each ingestion step records what it found for its table (rows passed and quarantined and why, every
expectation's result, reconciliation, gaps, skipped rules, time spent) as a JSON fragment under
<data>/reports/validation/<run_id>/, then re-renders the page from every fragment of the run, so the
page is complete after the last step and still readable when a blocking check stopped the run early.
"""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:2rem;color:#1f2933;max-width:80rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d9e2ec}h3{font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #d9e2ec;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f4f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#0b6e4f}.bad{color:#b42318;font-weight:600}.warn{color:#9a6700;font-weight:600}
code,.msg{font-family:ui-monospace,Menlo,monospace;font-size:.85rem}
"""


def report_dir(data_dir: Path) -> Path:
    return data_dir / "reports" / "validation"


def report_path(data_dir: Path, run_id: str) -> Path:
    return report_dir(data_dir) / f"{run_id}.html"


def fragments_dir(data_dir: Path, run_id: str) -> Path:
    return report_dir(data_dir) / run_id


def write_fragment(data_dir: Path, run_id: str, table: str, layer: str, fragment: dict[str, Any]) -> Path:
    """Record one step's findings and re-render the run's page; returns the page's path."""
    folder = fragments_dir(data_dir, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    fragment = {**fragment, "table": table, "layer": layer,
                "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    target = folder / f"{table}.{layer}.json"
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(json.dumps(fragment, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    tmp.replace(target)
    return render(data_dir, run_id)


def read_fragments(data_dir: Path, run_id: str) -> dict[str, dict[str, dict[str, Any]]]:
    """table -> layer ('bronze' | 'silver') -> fragment."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    folder = fragments_dir(data_dir, run_id)
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.json")):
        fragment = json.loads(path.read_text(encoding="utf-8"))
        out.setdefault(fragment["table"], {})[fragment["layer"]] = fragment
    return out


def summary_rows(data_dir: Path, run_id: str) -> list[dict[str, Any]]:
    """Per table: rows checked, passed, quarantined, reasons and validation seconds (for the CLI summary)."""
    rows = []
    for table, layers in sorted(read_fragments(data_dir, run_id).items()):
        silver = layers.get("silver", {})
        bronze = layers.get("bronze", {})
        rows.append({
            "table": table,
            "bronze_rows": silver.get("bronze_rows", 0),
            "silver_rows": silver.get("silver_rows", 0),
            "quarantined_rows": silver.get("quarantined_rows", 0),
            "reasons": silver.get("reasons", {}),
            "validation_seconds": float(silver.get("validation_seconds", 0.0)) + float(bronze.get("validation_seconds", 0.0)),
            "blocking_failures": [c["name"] for c in silver.get("checks", []) if c.get("blocking") and not c.get("passed")],
        })
    return rows


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _status(passed: bool, severity: str = "error") -> str:
    if passed:
        return '<span class="ok">passed</span>'
    return '<span class="bad">FAILED</span>' if severity == "error" else '<span class="warn">warning</span>'


def _outcomes_table(suite: dict[str, Any] | None) -> str:
    if not suite:
        return "<p>Not run.</p>"
    if not suite.get("rows"):
        return "<p>No rows in this run's months: nothing to validate.</p>"
    head = (f"<p>{suite['rows']:,} rows; Great Expectations validated "
            + (f"a seeded sample of {suite['validated_rows']:,} rows (seed {suite['seed']}) plus aggregates on every row"
               if suite.get("sampled") else "every row")
            + f" in {suite.get('seconds', 0):.2f} s.</p>")
    lines = ["<table><tr><th>expectation</th><th>columns</th><th>result</th><th class=n>failing rows</th>"
             "<th>engine</th><th>first failing rows</th></tr>"]
    for o in suite.get("expectations", []):
        cond = f"<br><small>where {_e(o['condition'])}</small>" if o.get("condition") else ""
        examples = "<br>".join(f'<span class="msg">{_e(x)}</span>' for x in (o.get("examples") or [])[:5])
        if o.get("error"):
            examples = f'<span class="bad">{_e(o["error"])}</span>'
        count = o.get("unexpected_count")
        lines.append(
            f"<tr><td><code>{_e(o['expectation'])}</code>{cond}<br><small>{_e(o.get('reason_code'))}</small></td>"
            f"<td>{_e(', '.join(o.get('columns') or []))}</td><td>{_status(o['success'], o.get('severity', 'error'))}</td>"
            f"<td class=n>{'' if count is None else f'{count:,}'}</td><td>{_e(o.get('engine'))}</td><td>{examples}</td></tr>")
    lines.append("</table>")
    skipped = suite.get("skipped") or []
    if skipped:
        lines.append("<p>Rules skipped this run:</p><ul>" + "".join(f"<li>{_e(s)}</li>" for s in skipped) + "</ul>")
    return head + "".join(lines)


def _table_section(table: str, layers: dict[str, dict[str, Any]], data_dir: Path) -> str:
    bronze = layers.get("bronze", {})
    silver = layers.get("silver", {})
    parts = [f'<h2 id="{_e(table)}">{_e(table)}</h2>']
    checks = silver.get("checks", []) + bronze.get("checks", [])
    if checks:
        parts.append("<table><tr><th>asset check</th><th>blocking</th><th>result</th><th>why</th></tr>")
        for c in checks:
            parts.append(f"<tr><td><code>{_e(c['asset'])}:{_e(c['name'])}</code></td><td>{'yes' if c.get('blocking') else 'no'}</td>"
                         f"<td>{_status(c['passed'], c.get('severity', 'error'))}</td><td>{_e(c.get('description'))}</td></tr>")
        parts.append("</table>")
    if silver:
        quarantine = data_dir / "lake" / "quarantine" / table
        parts.append(
            f"<p>Months: {_e(silver.get('time_window', 'all'))}. Rows in bronze {silver.get('bronze_rows', 0):,}; "
            f"passed to silver {silver.get('silver_rows', 0):,}; quarantined {silver.get('quarantined_rows', 0):,}"
            + (f' (<a href="{quarantine.as_uri()}">{_e(quarantine)}</a>)' if quarantine.exists() else "") + ".</p>")
        reasons = silver.get("reasons") or {}
        if reasons:
            parts.append("<table><tr><th>reason_code</th><th class=n>rows</th></tr>" + "".join(
                f"<tr><td>{_e(k)}</td><td class=n>{v:,}</td></tr>" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))
                + "</table>")
        examples = silver.get("examples") or []
        if examples:
            parts.append("<h3>Quarantined rows (first ones)</h3><ul>" + "".join(
                f'<li class="msg">{_e(x)}</li>' for x in examples) + "</ul>")
        recon = silver.get("reconciliation") or []
        if recon:
            parts.append("<h3>Rows per month: bronze = silver + quarantine</h3><table><tr><th>month</th><th class=n>bronze</th>"
                         "<th class=n>silver</th><th class=n>quarantine</th><th></th></tr>" + "".join(
                             f"<tr><td>{_e(r['month'] or '(dimension)')}</td><td class=n>{r['bronze']:,}</td><td class=n>{r['silver']:,}</td>"
                             f"<td class=n>{r['quarantine']:,}</td><td>{_status(r['bronze'] == r['silver'] + r['quarantine'])}</td></tr>"
                             for r in recon) + "</table>")
        for agg in silver.get("aggregate_checks") or []:
            parts.append(f"<h3>{_e(agg['check'])}: {_status(agg['passed'], agg.get('severity', 'warning'))}</h3>"
                         f"<p>{_e(agg.get('description'))}</p>")
            if agg.get("problems"):
                parts.append("<ul>" + "".join(f"<li>{_e(p)}</li>" for p in agg["problems"][:50]) + "</ul>")
        parts.append("<h3>Silver suite (Great Expectations on what was written to silver)</h3>")
        parts.append(_outcomes_table(silver.get("gx")))
    if bronze:
        if bronze.get("unreadable"):
            parts.append('<h3 class="bad">Files that cannot be read</h3><ul>' + "".join(
                f"<li>{_e(x)}</li>" for x in bronze["unreadable"]) + "</ul>")
        if bronze.get("warnings"):
            parts.append("<h3>Warnings</h3><ul>" + "".join(f"<li>{_e(x)}</li>" for x in bronze["warnings"][:50]) + "</ul>")
        parts.append("<h3>Bronze suite (Great Expectations on the rows as read)</h3>")
        parts.append(_outcomes_table(bronze.get("gx")))
    seconds = float(silver.get("validation_seconds", 0.0)) + float(bronze.get("validation_seconds", 0.0))
    parts.append(f"<p><small>Validation time for this table: {seconds:.2f} s.</small></p>")
    return "".join(parts)


def render(data_dir: Path, run_id: str) -> Path:
    """(Re)write the run's HTML page from its fragments."""
    fragments = read_fragments(data_dir, run_id)
    rows = summary_rows(data_dir, run_id)
    total_seconds = sum(r["validation_seconds"] for r in rows)
    overview = ["<table><tr><th>table</th><th class=n>rows in bronze</th><th class=n>passed</th>"
                "<th class=n>quarantined</th><th>why</th><th>blocking checks</th></tr>"]
    for r in rows:
        why = ", ".join(f"{k} {v:,}" for k, v in sorted(r["reasons"].items(), key=lambda kv: -kv[1]))
        blocking = ('<span class="bad">' + _e(", ".join(r["blocking_failures"])) + " failed</span>") if r["blocking_failures"] \
            else '<span class="ok">passed</span>'
        overview.append(f'<tr><td><a href="#{_e(r["table"])}">{_e(r["table"])}</a></td><td class=n>{r["bronze_rows"]:,}</td>'
                        f"<td class=n>{r['silver_rows']:,}</td><td class=n>{r['quarantined_rows']:,}</td>"
                        f"<td>{_e(why)}</td><td>{blocking}</td></tr>")
    overview.append("</table>")
    body = "".join(_table_section(t, fragments[t], data_dir) for t in sorted(fragments))
    page = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Validation report {_e(run_id)}</title>"
            f"<style>{CSS}</style></head><body><h1>Validation report of run <code>{_e(run_id)}</code></h1>"
            "<p>What every landing row became in this run: passed to silver, or quarantined with the reason "
            "(see <code>expectations/</code> for the suites and docs/validation.md for what they mean). "
            "Blocking checks stop the assets downstream of their table; the others warn.</p>"
            f"<p>Validation time (fast path, Great Expectations and reconciliation): {total_seconds:.2f} s.</p>"
            + "".join(overview) + body + "</body></html>")
    target = report_path(data_dir, run_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    return target
