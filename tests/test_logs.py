"""Structured logs: one JSON line per record, each carrying the request's id, echoed to the client."""

from __future__ import annotations

import json
import logging
import logging.config

import pytest

from tests.conftest import voucher_request
from voucher import logs


@pytest.fixture
def json_log(capsys):
    """The app's logging configuration writing to a captured stderr; returns a reader of the
    lines (as dicts). pytest's own handlers are put back afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    capsys.readouterr()

    def configure(level: str = "INFO"):
        logging.config.dictConfig(logs.config(level))
        return lambda: [json.loads(line) for line in capsys.readouterr().err.splitlines()]

    yield configure
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def test_a_forced_500_is_one_json_error_line_with_the_responses_request_id(client, auth, json_log, monkeypatch):
    from voucher.services.issuing import IssuingService

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(IssuingService, "issue", explode)
    read = json_log()
    response = client.post("/api/v1/vouchers", json=voucher_request(), headers=auth("issuer"))
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    lines = read()
    (error,) = [line for line in lines if line["level"] == "ERROR"]
    assert error["request_id"] == response.headers["X-Request-Id"] and len(error["request_id"]) == 32
    assert error["logger"] == "voucher.api.errors" and "RuntimeError: boom" in error["exc_info"]
    assert error["time"].startswith("20")
    assert "Ayşe" not in json.dumps(lines, ensure_ascii=False)


def test_a_sane_request_id_is_honoured_and_echoed(client, json_log):
    read = json_log()
    response = client.get("/healthz", headers={"X-Request-Id": "lb-7f3a:42.1"})
    assert response.headers["X-Request-Id"] == "lb-7f3a:42.1"
    (line,) = read()
    assert (line["logger"], line["request_id"], line["route"], line["status"]) == ("voucher.requests", "lb-7f3a:42.1", "/healthz", 200)


@pytest.mark.parametrize("offered", ["x" * 200, "two words", "id\u00e9", "-leading-dash", ""])
def test_an_insane_request_id_is_replaced_by_a_new_one(client, offered):
    response = client.get("/healthz", headers={"X-Request-Id": offered})
    assert response.headers["X-Request-Id"] != offered and len(response.headers["X-Request-Id"]) == 32


def test_log_level_warning_leaves_out_the_request_lines(client, json_log):
    read = json_log("WARNING")
    client.get("/healthz")
    assert read() == []
