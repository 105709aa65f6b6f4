"""A large invoice being uploaded does not stop the office: on SQLite the upload reads and
matches on a snapshot (no write lock), so vouchers are issued while it runs."""

from __future__ import annotations

import threading
import time

import pytest

from tests.api.invoice_world import TODAY, build, vid
from tests.conftest import voucher_request

LINES = 40_000


def test_vouchers_are_issued_while_a_large_invoice_uploads(app, db, clock, auth):
    if not db.url.startswith("sqlite"):
        pytest.skip("the write lock that blocked issuing is SQLite's")
    clock.now = TODAY
    build(db)
    body = ("voucher_id;travel_date;amount;Bemerkung\n"
            + "".join(f"{vid(1 + i % 8)};{3 + i % 20:02d}.11.2026;4,80;Zeile {i}\n" for i in range(LINES))).encode()
    upload: dict = {}

    def send() -> None:
        response = app.test_client().post("/api/v1/invoices/match", data=body,
                                          headers={**auth("finance"), "Content-Type": "text/csv"})
        upload.update(status=response.status_code, report=response.get_json(), done=time.monotonic())

    sender = threading.Thread(target=send)
    sender.start()
    issued = []
    client = app.test_client()
    while sender.is_alive():
        started = time.monotonic()
        response = client.post("/api/v1/vouchers", json=voucher_request(valid_from="2026-12-05",
                                                                        valid_until="2026-12-06"),
                               headers=auth("issuer"))
        issued.append((response.status_code, started, time.monotonic()))
    sender.join()
    assert upload["status"] == 200 and upload["report"]["totals"]["lines"] == LINES
    during = [(status, end - start) for status, start, end in issued if end < upload["done"]]
    assert len(during) >= 3, issued  # issuing went on while the invoice was read and matched
    assert all(status == 201 for status, _ in during)
    # Only the upload's last step (storing its lines) holds the write lock, for seconds, not the
    # whole read and match (before, issuing waited for all of it).
    assert max(seconds for _, seconds in during) < 15
