"""Alerts: a failed run or a failed blocking check, written to <data>/logs/alerts.log and posted to a webhook.

Every alert is one JSON line in the log file (always). When CARBONLEDGER_ALERT_WEBHOOK is set, the same
JSON is POSTed to it (Content-Type application/json, a short timeout); a webhook that is down or slow
never raises: what happened is recorded in the log line ("webhook": "error: ...").

Who calls it: the sensors in pipelines/sensors.py for runs launched by the daemon or the UI, and
`carbonledger run` (pipelines/runner.py) for its own runs, so CLI users get alerts without a daemon.
"""

from __future__ import annotations

import fcntl
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

WEBHOOK_ENV = "CARBONLEDGER_ALERT_WEBHOOK"
WEBHOOK_TIMEOUT_ENV = "CARBONLEDGER_ALERT_TIMEOUT_SECONDS"
UI_URL_ENV = "CARBONLEDGER_UI_URL"  # e.g. http://dagster.internal:3000, for links in alerts
DEFAULT_UI_URL = "http://127.0.0.1:3000"
ALERTED_TAG = "carbonledger/alerted"


@dataclass
class AlertOutcome:
    log_path: Path
    webhook: str  # "not configured", "sent (HTTP 200)" or "error: ..."
    record: dict


def alert_log_path(data_dir: Path) -> Path:
    return Path(data_dir) / "logs" / "alerts.log"


def _post(url: str, payload: bytes, timeout: float) -> str:
    request = urllib.request.Request(url, data=payload, method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "carbonledger-alerts"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the operator's URL)
            return f"sent (HTTP {response.status})"
    except urllib.error.HTTPError as exc:
        return f"error: HTTP {exc.code} {exc.reason}"
    except Exception as exc:  # unreachable, refused, timed out, bad URL: never break the caller
        return f"error: {type(exc).__name__}: {exc}"


def send_alert(alert: dict[str, Any], data_dir: Path, webhook: str | None = None,
               timeout: float | None = None) -> AlertOutcome:
    """Post the alert to the webhook (when configured) and append it, with the outcome, to alerts.log."""
    record = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **alert}
    url = webhook if webhook is not None else os.environ.get(WEBHOOK_ENV, "").strip()
    if timeout is None:
        timeout = float(os.environ.get(WEBHOOK_TIMEOUT_ENV, "10"))
    outcome = "not configured"
    if url:
        outcome = _post(url, json.dumps(record, ensure_ascii=False, default=str).encode("utf-8"), timeout)
    record["webhook"] = outcome
    path = alert_log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
    with path.open("a", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # whole lines, even from concurrent writers
        handle.write(line)
        handle.flush()
    return AlertOutcome(log_path=path, webhook=outcome, record=record)


# --- what a failed run says ----------------------------------------------------------------------


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def error_summary(error) -> str:
    """The line that says what went wrong: the innermost cause of a Dagster error, not its wrapper."""
    while error is not None and getattr(error, "cause", None) is not None:
        error = error.cause
    return _last_line(error.message) if error is not None else ""


def _metadata_text(metadata: dict) -> dict[str, str]:
    out = {}
    for key, value in (metadata or {}).items():
        raw = getattr(value, "value", value)
        text = raw if isinstance(raw, str) else json.dumps(raw, default=str, ensure_ascii=False)
        out[key] = text[:2000]
    return out


def failed_checks(instance, run_id: str) -> list[dict]:
    """Asset checks of the run that did not pass: which, whether blocking, why, and the rows (metadata)."""
    from dagster import DagsterEventType

    checks = []
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = entry.dagster_event.event_specific_data
        if evaluation.passed:
            continue
        metadata = _metadata_text(dict(evaluation.metadata or {}))
        checks.append({
            "check": evaluation.asset_check_key.to_user_string(),
            "blocking": bool(evaluation.blocking),
            "severity": getattr(evaluation.severity, "value", str(evaluation.severity)),
            "description": evaluation.description or "",
            # what a person needs to find the rows: counts, samples, files and rows named by the check
            "rows": {k: v for k, v in metadata.items()
                     if any(word in k for word in ("row", "sample", "example", "file", "count", "value"))},
        })
    return checks


def describe_run(instance, run_id: str, reason: str = "run failed") -> dict[str, Any]:
    """The alert for a run: what failed (steps with their last error line, checks with their rows)."""
    from dagster import DagsterEventType

    run = instance.get_run_by_id(run_id)
    steps = []
    for entry in instance.all_logs(run_id, of_type={DagsterEventType.STEP_FAILURE,
                                                    DagsterEventType.RESOURCE_INIT_FAILURE,
                                                    DagsterEventType.RUN_FAILURE}):
        event = entry.dagster_event
        error = getattr(event.event_specific_data, "error", None)
        message = error_summary(error) if error else _last_line(event.message)
        if event.event_type == DagsterEventType.RUN_FAILURE and steps:
            continue  # the run's own failure only repeats its steps'
        steps.append({"step": event.step_key or "run", "error": message})
    tags = dict(run.tags) if run else {}
    ui = os.environ.get(UI_URL_ENV, DEFAULT_UI_URL).rstrip("/")
    checks = failed_checks(instance, run_id)
    blocking = [c for c in checks if c["blocking"]]
    if blocking:
        summary = f"blocking check {blocking[0]['check']} failed: {blocking[0]['description']}".rstrip(": ")
    elif steps:
        summary = f"{steps[0]['step']}: {steps[0]['error']}"
    else:
        summary = reason
    return {
        "kind": reason,
        "summary": f"Carbon Ledger run {run_id[:8]} failed. {summary}",
        "run_id": run_id,
        "job": run.job_name if run else None,
        "status": run.status.value if run else None,
        "trigger": tags.get("carbonledger/trigger") or ("schedule/sensor" if tags.get("dagster/schedule_name")
                                                        or tags.get("dagster/sensor_name") else "ui"),
        "partition_range": [tags.get("dagster/asset_partition_range_start"),
                            tags.get("dagster/asset_partition_range_end")],
        "failed_steps": steps,
        "failed_checks": checks,
        "url": f"{ui}/runs/{run_id}",
    }

