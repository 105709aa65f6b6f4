"""A verifier on a bad network: 50 redemptions recorded on the page while the network comes and
goes, sync requests are cut off before or after they reach the server (the nasty case: stored,
answer lost) and the page is reloaded in between. The server must end with each journey exactly
once, and the page with nothing waiting to upload."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from sqlalchemy import select

from tests.verifier.pages import check, next_voucher, open_page
from voucher.store import AuditEvent, Redemption

pytestmark = pytest.mark.browser

REDEMPTIONS = 50
SEED = 14
SYNC_ROUTES = ("/api/v1/redemptions", "/api/v1/revocations")
# What becomes of each sync request: through, cut off before the server sees it, or stored by the
# server with its answer lost on the way back.
FATES = ("through", "cut_before", "answer_lost")
ABORTS = ("failed", "connectionreset", "timedout", "internetdisconnected")

ALL_REDEMPTIONS_JS = """() => new Promise((resolve, reject) => {
  const opening = indexedDB.open("voucher-verifier");
  opening.onerror = () => reject(opening.error);
  opening.onsuccess = () => {
    const all = opening.result.transaction("redemptions").objectStore("redemptions").getAll();
    all.onsuccess = () => { opening.result.close(); resolve(all.result); };
    all.onerror = () => reject(all.error);
  };
})"""


class FlakyNetwork:
    """A route handler that decides each sync request's fate from a seeded generator (every three
    redemption uploads meet each fate once, in shuffled order; a revocation poll is cut off now
    and then) and remembers which client ids reached the server in which request."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.deck: list[str] = []
        self.fates: Counter[str] = Counter()  # of the redemption uploads
        self.arrived: Counter[str] = Counter()  # client id -> requests that reached the server
        self.answer_lost: set[str] = set()  # client ids stored without the page hearing of it
        self.calm = False  # once the network is good again, every request goes through

    def fate(self, upload: bool) -> str:
        if self.calm:
            return "through"
        if not upload:
            return "cut_before" if self.rng.random() < 0.3 else "through"
        if not self.deck:
            self.deck = self.rng.sample(FATES, len(FATES))
        fate = self.deck.pop()
        self.fates[fate] += 1
        return fate

    def __call__(self, route) -> None:
        upload = route.request.method == "POST"
        fate = self.fate(upload)
        if fate == "cut_before":
            route.abort(self.rng.choice(ABORTS))
            return
        sent = [r["client_id"] for r in json.loads(route.request.post_data)["redemptions"]] if upload else []
        if fate == "through":
            route.continue_()
        else:
            route.fetch()  # the server answers ...
            route.abort(self.rng.choice(ABORTS))  # ... and the answer never arrives
            self.answer_lost.update(sent)
        self.arrived.update(sent)


def redeem(page, code: str) -> None:
    """Check a typed code and press "Fahrt entwerten", as a driver does."""
    assert check(page, code) == "valid"
    page.click("#redeem-button")
    page.wait_for_selector("#redeem-done:not([hidden])")


def reload(page) -> None:
    page.reload()
    page.wait_for_selector("body[data-ready=true]")


def test_fifty_redemptions_on_a_flaky_network_arrive_exactly_once(context, live):
    script = random.Random(SEED)  # when the network drops and the page reloads
    vouchers = [live.issue(holder_name=f"Fahrgast {i:02d}", return_trip=False) for i in range(REDEMPTIONS)]
    page = open_page(context, live)
    page.evaluate("navigator.serviceWorker.ready")  # so a reload works offline
    network = FlakyNetwork(random.Random(SEED + 1))
    for path in SYNC_ROUTES:
        context.route(f"**{path}*", network)
    offline = False
    for voucher in vouchers:
        if script.random() < 0.25:
            offline = not offline
            context.set_offline(offline)
        redeem(page, voucher["code"])
        if script.random() < 0.2:
            reload(page)  # often while the sync this redemption started is still under way
        else:
            next_voucher(page)

    network.calm = True
    context.set_offline(True)
    context.set_offline(False)  # the network is back: the page syncs by itself
    page.wait_for_function("() => document.getElementById('pending').textContent === ''")
    assert page.is_hidden("#pending")
    assert "Letzte Synchronisierung" in page.text_content("#synced")  # no failure left on show

    on_device = page.evaluate(ALL_REDEMPTIONS_JS)
    client_ids = {r["client_id"] for r in on_device}
    assert len(on_device) == REDEMPTIONS and len(client_ids) == REDEMPTIONS
    assert all(r["synced"] == 1 and r["outcome"] == "accepted" for r in on_device)
    voucher_ids = {v["id"] for v in vouchers}
    with live.db.session() as session:
        stored = list(session.scalars(select(Redemption).where(Redemption.voucher_id.in_(voucher_ids))))
        logged = list(session.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "redeem", AuditEvent.voucher_id.in_(voucher_ids))))
    assert sorted(r.client_id for r in stored) == sorted(client_ids)  # none lost, none twice
    assert sorted(r.voucher_id for r in stored) == sorted(voucher_ids)
    assert {r.outcome for r in stored} == {"accepted"}
    assert sorted(d["client_id"] for d in logged) == sorted(client_ids)  # each stored once

    # The run did what it claims: every fate happened, and redemptions stored without an answer
    # were sent again and answered from their client id.
    assert all(network.fates[fate] for fate in FATES), network.fates
    assert network.answer_lost
    assert all(network.arrived[c] >= 2 for c in network.answer_lost)
