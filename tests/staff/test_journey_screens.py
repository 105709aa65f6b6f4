"""Counter and finance in Chromium for a return trip with an arrival at the reception (issue 19):
the journeys at the times they were made, the upload in words, "Angekommen" on the voucher page
and in the search results, attendance per cost centre on the finance page; screenshots for docs/."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from tests.conftest import voucher_request
from tests.staff.test_pages import accessibility_problems, find, sign_in
from voucher.schemas import IssueRequest
from voucher.services import clients
from voucher.services.issuing import IssuingService

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def travelled(live):
    """A return trip valid today: bus there, reception, bus home; uploaded now, home ride first."""
    tz = live.app.extensions["voucher"].settings.timezone
    now = datetime.now(tz)
    today = now.replace(second=0, microsecond=0)
    fixed = [today.replace(hour=h, minute=m) for h, m in ((8, 40), (9, 24), (13, 24))]
    there, desk, home = fixed if now.hour >= 14 else [now - timedelta(minutes=m) for m in (90, 60, 5)]
    services = live.app.extensions["voucher"]
    request = IssueRequest.model_validate(voucher_request(
        holder_name="Ayşe Yılmaz-Demirtaş", valid_from=live.today(), valid_until=live.today(),
        appointment_at=(desk + timedelta(minutes=6)).isoformat(), appointment_place="Raum 2.14"), context={"tz": tz})
    with live.db.session() as session:
        # Issued in the early morning, as the letter system's batch would have, before the rides.
        issued = IssuingService(session, services.keystore, services.settings).issue(
            request, "issuer:letters", min(there, today.replace(hour=6, minute=30)) - timedelta(minutes=30)).voucher
        voucher = {"id": issued.id, "code": issued.code}
        reception = clients.create_token(session, "verifier", "Empfang", datetime.now(tz), purpose="reception")
        session.commit()
    api = live.app.test_client()
    for headers, at, where in ((live.auth("verifier"), home, "Bus 142"),
                               ({"Authorization": f"Bearer {reception}"}, desk, "Empfang Jobcenter"),
                               (live.auth("verifier"), there, "Bus 142")):
        response = api.post("/api/v1/redemptions", headers=headers, json={"device_id": where, "redemptions": [
            {"client_id": str(uuid.uuid4()), "code": voucher["code"], "redeemed_at": at.isoformat(), "location": where}]})
        assert response.status_code == 200 and response.get_json()["results"][0]["flags"] == []
    return voucher, [f"{m:%H:%M}" for m in (there, desk, home)]


def test_counter_shows_journey_times_and_the_arrival(context, live, travelled, screenshot):
    voucher, (there, desk, home) = travelled
    page = sign_in(context, live, path="/counter/")
    find(page, "Demirtaş")
    states = page.locator(".results .state")
    assert [states.nth(i).text_content() for i in range(states.count())] == ["Genutzt (2 von 2 Fahrten genutzt)",
                                                                           f"Angekommen {desk}"]
    assert all(states.nth(i).is_visible() for i in range(2))
    boxes = [states.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"]  # one under the other, not on top
    screenshot(page, "staff-counter-search-arrived.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "staff-counter-search-arrived-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{live.url}/counter/vouchers/{voucher['id']}")
    assert page.locator(".state-lines li", has_text=f"Angekommen {desk}").count() == 1
    history = page.locator("ol.history li")
    times = [history.nth(i).locator(".when").text_content() for i in range(history.count())]
    assert [any(t.endswith(hhmm) for t in times) for hhmm in (there, desk, home)] == [True, True, True]
    assert page.locator("ol.history li", has_text="übertragen am").count() == 3
    assert accessibility_problems(page) == []
    screenshot(page, "staff-voucher-journeys.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "staff-voucher-journeys-phone.png", full_page=True)


def test_finance_shows_journey_times_the_arrival_and_attendance(context, live, travelled, screenshot):
    voucher, (there, desk, home) = travelled
    page = sign_in(context, live, role="finance", path=f"/finance/vouchers/{voucher['id']}")
    rows = page.locator("#journeys tbody tr")
    cells = [rows.nth(i).locator("td").first.text_content() for i in range(rows.count())]
    assert [hhmm in cell for cell, hhmm in zip(cells, (there, desk, home))] == [True, True, True]
    assert "Empfang" in rows.nth(1).text_content() and "Angekommen" in rows.nth(1).text_content()
    assert accessibility_problems(page) == []
    screenshot(page, "finance-voucher-journeys.png", full_page=True)
    page.goto(f"{live.url}/finance/")
    assert page.locator("#attendance tbody tr").count() >= 1
    assert accessibility_problems(page) == []
    page.locator("#attendance-heading").scroll_into_view_if_needed()
    screenshot(page, "finance-attendance.png")
