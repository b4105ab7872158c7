"""Alerts reach alerts.log always, and a webhook (a local HTTP server this test starts) when configured."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    DagsterEventType,
    DagsterInstance,
    MaterializeResult,
    asset,
    build_run_status_sensor_context,
    materialize,
)

from pipelines.alerts import WEBHOOK_ENV, alert_log_path, describe_run, send_alert


class _Receiver(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append({"path": self.path, "content_type": self.headers["Content-Type"],
                                    "body": json.loads(body)})
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def webhook():
    """A local HTTP server on 127.0.0.1 (a free port) that records what it is sent."""
    handler = type("Receiver", (_Receiver,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks/carbonledger", handler
    server.shutdown()
    server.server_close()


def _log_lines(data_dir):
    return [json.loads(line) for line in alert_log_path(data_dir).read_text(encoding="utf-8").splitlines()]


def test_an_alert_is_logged_and_posted_to_the_webhook(tmp_path, webhook):
    url, receiver = webhook
    outcome = send_alert({"kind": "run failed", "run_id": "r-1"}, tmp_path, webhook=url, timeout=5)
    assert outcome.webhook == "sent (HTTP 200)"
    (posted,) = receiver.received
    assert posted["path"] == "/hooks/carbonledger" and posted["content_type"] == "application/json"
    assert posted["body"]["run_id"] == "r-1" and posted["body"]["kind"] == "run failed"
    (line,) = _log_lines(tmp_path)
    assert line["run_id"] == "r-1" and line["webhook"] == "sent (HTTP 200)" and line["at"]


def test_without_a_webhook_the_alert_is_still_logged(tmp_path, monkeypatch):
    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    send_alert({"kind": "run failed", "run_id": "r-2"}, tmp_path)
    assert _log_lines(tmp_path)[0]["webhook"] == "not configured"


def test_a_webhook_that_is_down_or_failing_never_raises(tmp_path, webhook):
    url, receiver = webhook
    receiver.status = 500
    assert send_alert({"run_id": "r-3"}, tmp_path, webhook=url, timeout=5).webhook.startswith("error: HTTP 500")
    # nothing listens on port 9 of 127.0.0.1: connection refused, reported, not raised
    down = send_alert({"run_id": "r-4"}, tmp_path, webhook="http://127.0.0.1:9/", timeout=2)
    assert down.webhook.startswith("error:")
    assert [line["run_id"] for line in _log_lines(tmp_path)] == ["r-3", "r-4"]


# --- the run failure sensor ------------------------------------------------------------------------


@asset(check_specs=[AssetCheckSpec("rows_reconcile", asset="energy_rows", blocking=True)])
def energy_rows():
    return MaterializeResult(check_results=[AssetCheckResult(
        check_name="rows_reconcile", passed=False, description="bronze 12 rows, silver 10 + quarantine 1",
        metadata={"missing_rows": "energy/2022/beijing.csv rows 4, 7", "failed_row_count": 1})])


@asset(deps=[energy_rows])
def energy_mart():
    return None


def test_a_failed_blocking_check_fails_the_run_and_the_sensor_alerts_with_what_and_which_rows(tmp_path, webhook,
                                                                                             monkeypatch):
    from pipelines.resources import CarbonLedgerResource
    from pipelines.sensors import run_failure_alert

    url, receiver = webhook
    monkeypatch.setenv(WEBHOOK_ENV, url)
    instance = DagsterInstance.ephemeral()
    result = materialize([energy_rows, energy_mart], instance=instance, raise_on_error=False)
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    context = build_run_status_sensor_context(sensor_name="run_failure_alert", dagster_instance=instance,
                                              dagster_run=run, dagster_event=failure,
                                              resources={"carbonledger": CarbonLedgerResource(
                                                  landing_dir=str(tmp_path / "landing"), data_dir=str(tmp_path))})
    run_failure_alert(context.for_run_failure())
    (posted,) = receiver.received
    alert = posted["body"]
    assert alert["run_id"] == result.run_id and alert["kind"] == "run failed"
    (check,) = alert["failed_checks"]
    assert check["check"] == "energy_rows:rows_reconcile" and check["blocking"] is True
    assert check["description"] == "bronze 12 rows, silver 10 + quarantine 1"
    assert check["rows"]["missing_rows"] == "energy/2022/beijing.csv rows 4, 7"
    assert alert["failed_steps"][0]["step"] == "energy_rows"
    assert "blocking check energy_rows:rows_reconcile failed" in alert["summary"]
    assert _log_lines(tmp_path)[0]["run_id"] == result.run_id


def test_runs_of_the_cli_are_left_to_the_cli(tmp_path, webhook):
    from pipelines.resources import CarbonLedgerResource
    from pipelines.sensors import run_failure_alert

    url, receiver = webhook
    instance = DagsterInstance.ephemeral()
    result = materialize([energy_rows], instance=instance, raise_on_error=False, tags={"carbonledger/trigger": "cli"})
    run = instance.get_run_by_id(result.run_id)
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    context = build_run_status_sensor_context(sensor_name="run_failure_alert", dagster_instance=instance,
                                              dagster_run=run, dagster_event=failure,
                                              resources={"carbonledger": CarbonLedgerResource(
                                                  landing_dir=str(tmp_path), data_dir=str(tmp_path))})
    run_failure_alert(context.for_run_failure())
    assert not receiver.received and not alert_log_path(tmp_path).exists()


def test_describe_run_names_the_failed_step_and_its_error(tmp_path):
    @asset
    def broken():
        raise ValueError("landing/energy has no files")

    instance = DagsterInstance.ephemeral()
    result = materialize([broken], instance=instance, raise_on_error=False)
    alert = describe_run(instance, result.run_id)
    assert alert["failed_steps"] == [{"step": "broken", "error": "ValueError: landing/energy has no files"}]
    assert alert["url"].endswith(f"/runs/{result.run_id}")
