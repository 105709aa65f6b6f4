"""One truth per voucher: the counter, the finance pages and the API say the same about the same
journeys and arrival (issue 19): journey times are when the rides were made, in local time, the
upload only as "übertragen am …", and a reception scan is an arrival, never a ride."""

from __future__ import annotations

import re

import pytest

from tests.api.test_redemptions import item
from tests.staff.conftest import sign_in
from voucher.services import clients

RIDES = ("2026-12-03T08:40:00+01:00", "2026-12-03T13:24:00+01:00")
ARRIVAL = "2026-12-03T09:24:00+01:00"


@pytest.fixture
def travelled(app, db, clock, auth, issue, person):
    """A return trip ridden there and back with an arrival at the reception in between, all
    uploaded at 18:30 in reverse order."""
    voucher = issue(appointment_at="2026-12-03T09:30:00+01:00", appointment_place="Raum 2.14")
    with db.session() as session:
        desk = clients.create_token(session, "verifier", "Empfang", clock.now, purpose="reception")
        session.commit()
    clock.advance(days=2, hours=9, minutes=30)  # 3 December, 18:30 local
    api = app.test_client()
    for headers, at, where in ((auth("verifier"), RIDES[1], "Bus 7"), ({"Authorization": f"Bearer {desk}"}, ARRIVAL, "Empfang"),
                               (auth("verifier"), RIDES[0], "Bus 142")):
        response = api.post("/api/v1/redemptions", headers=headers,
                            json={"device_id": where, "redemptions": [item(voucher["code"], at=at, location=where)]})
        assert response.status_code == 200
    person("anna", "issuer")
    person("fritz", "finance")
    return voucher


def signed_in(app, name: str):
    browser = app.test_client()
    assert sign_in(browser, name).status_code == 302
    return browser


def test_counter_finance_and_api_agree_on_rides_times_and_arrival(app, auth, travelled):
    voucher_id = travelled["id"]
    api = app.test_client()
    detail = api.get(f"/api/v1/vouchers/{voucher_id}", headers=auth("issuer")).get_json()
    assert detail["status"] == "redeemed"
    assert [(r["redeemed_at"], r["outcome"], r["flags"]) for r in detail["redemptions"]] == [
        ("2026-12-03T07:40:00Z", "accepted", []), ("2026-12-03T12:24:00Z", "accepted", [])]
    assert [(a["redeemed_at"], a["outcome"]) for a in detail["attendances"]] == [("2026-12-03T08:24:00Z", "accepted")]
    owed = api.get(f"/api/v1/reconciliation/vouchers/{voucher_id}", headers=auth("finance")).get_json()
    assert [r["owed_cents"] for r in owed["redemptions"] if r["purpose"] == "journey"] == [480, 480]
    report = api.get("/api/v1/reconciliation?from=2026-12-01&to=2026-12-31", headers=auth("finance")).get_json()
    assert report["totals"]["redeemed"] == 2 and report["totals"]["flagged"] == 0
    assert report["attendance"] == [{"cost_center": "KST-4711", "invited": 1, "arrived": 1, "travelled": 1}]

    counter = signed_in(app, "anna").get(f"/counter/vouchers/{voucher_id}").get_data(as_text=True)
    assert "Angekommen 09:24" in counter
    when = re.findall(r'<span class="when">([^<]+)</span>', counter)
    assert any("08:40" in w for w in when) and any("13:24" in w for w in when) and any("09:24" in w for w in when)
    assert not any("18:30" in w for w in when)  # the upload is no journey time ...
    assert counter.count("übertragen am") == 3  # ... it is said in words
    assert "2 von 2 Fahrten genutzt" in counter and "Auffällig" not in counter
    found = signed_in(app, "anna").get("/counter/", query_string={"q": "Yılmaz"}).get_data(as_text=True)
    assert "Angekommen 09:24" in found

    finance = signed_in(app, "fritz")
    page = finance.get(f"/finance/vouchers/{voucher_id}").get_data(as_text=True)
    rows = re.findall(r'<tr data-outcome="accepted" data-purpose="\w+">(.*?)</tr>', page, re.S)
    assert [("08:40" in r, "13:24" in r, "09:24" in r) for r in rows] == [(True, False, False), (False, False, True),
                                                                          (False, True, False)]
    assert all("übertragen am" in r for r in rows) and "Empfang" in rows[1] and "4,80" not in rows[1]
    overview = finance.get("/finance/", query_string={"from": "2026-12-01", "to": "2026-12-31"}).get_data(as_text=True)
    table = re.search(r'<table id="attendance".*?</table>', overview, re.S).group(0)
    assert re.findall(r'<td class="num">(\d+)</td>', table) == ["1", "1", "1"]
