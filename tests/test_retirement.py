"""Retiring a signing key, and re-issuing what a compromised key signed (services/retirement.py),
through the real routes for everything around it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from voucher.keys import Retired, TrustList
from voucher.services import issuing, retirement
from voucher.services.errors import NotFound
from voucher.services.issuing import IssuingService
from voucher.store import AuditEvent, Voucher
from voucher.token import format as token_format

URL = "/api/v1/vouchers"
ON_THE_DAY = {"days": 2, "hours": 2}  # from T0 to 3 December 2026, 11:00 in Berlin: the vouchers' day


def retire(app, clock, kid: str, compromised: bool = True) -> retirement.Retirement:
    services = app.extensions["voucher"]
    with services.db.session() as session:
        done = retirement.retire(session, services.keystore, services.settings, kid, clock.now, "cli", compromised)
        done.letters = [voucher.id for voucher in done.letters]
        return done


def shown(client, auth, voucher_id: str) -> dict:
    return client.get(f"{URL}/{voucher_id}", headers=auth("issuer")).get_json()


def ride(client, auth, voucher: dict, times: int = 1) -> None:
    items = [{"client_id": str(uuid.uuid4()), "code": voucher["code"], "redeemed_at": f"2026-12-03T0{8 + n}:00:00+01:00",
              "location": "Bus 142"} for n in range(times)]
    response = client.post("/api/v1/redemptions", json={"device_id": "bus-1", "redemptions": items}, headers=auth("verifier"))
    assert [r["outcome"] for r in response.get_json()["results"]] == ["accepted"] * times


def trust(client) -> TrustList:
    return TrustList.from_json(client.get("/api/v1/trust-list").get_json())


def test_a_compromised_keys_vouchers_are_reissued_and_the_old_ones_name_their_replacement(client, auth, issue, app, clock):
    old = [issue(holder_name=name, language=language) for name, language in (("Ayşe Yılmaz", "tr"), ("Jan Kowalski", "de"))]
    kid = old[0]["kid"]
    done = retire(app, clock, kid)
    assert (done.change, done.reissued, done.failed) == (Retired.DROPPED, 2, [])
    assert done.new_key is not None and done.new_key.kid != kid  # it was the only key: a new one signs
    keys = trust(client)
    assert kid not in {k.kid for k in keys.keys}
    new = []
    for voucher in old:
        before = shown(client, auth, voucher["id"])
        assert before["status"] == "revoked" and before["replaced_by"]
        after = shown(client, auth, before["replaced_by"])
        new.append(after["id"])
        assert (after["kid"], after["replaces"], after["status"]) == (done.new_key.kid, voucher["id"], "issued")
        same = ("holder_name", "valid_from", "valid_until", "origin", "destination", "return_trip", "cost_center",
                "max_fare_cents", "customer_ref", "language")
        assert {k: after[k] for k in same} == {k: voucher[k] for k in same}
        assert token_format.verify(after["code"], keys, clock.now + timedelta(days=2)).claims.voucher_id == after["id"]
        with pytest.raises(token_format.InvalidVoucher) as refused:
            token_format.verify(voucher["code"], keys, clock.now + timedelta(days=2))
        assert refused.value.reason == "unknown_key"
    assert sorted(done.letters) == sorted(new)
    issue(holder_name="Neu Ausgestellt")  # under the new key, not for the compromise: never in its letters
    again = retire(app, clock, kid)
    assert (again.change, again.reissued, sorted(again.letters)) == (Retired.ABSENT, 0, sorted(new))


def test_half_used_return_voucher_is_reissued_as_a_single_trip_back(client, auth, issue, app, clock):
    voucher = issue(return_trip=True)
    clock.advance(**ON_THE_DAY)
    ride(client, auth, voucher)
    done = retire(app, clock, voucher["kid"])
    assert (done.reissued, done.way_back) == (1, 1)
    back = shown(client, auth, shown(client, auth, voucher["id"])["replaced_by"])
    assert (back["origin"], back["destination"], back["return_trip"]) == ("Jobcenter Nord", "Musterstadt Hbf", False)


@pytest.mark.parametrize("case", ["ended", "revoked", "single used", "return used twice"])
def test_a_voucher_that_can_no_longer_be_used_is_not_reissued(client, auth, issue, app, clock, case):
    voucher = issue(return_trip=case != "single used")
    rides = {"single used": 1, "return used twice": 2}.get(case, 0)
    if rides:
        clock.advance(**ON_THE_DAY)
        ride(client, auth, voucher, times=rides)
    if case == "revoked":
        client.post(f"{URL}/{voucher['id']}/revoke", json={"reason": "abgesagt"}, headers=auth("issuer"))
    if case == "ended":
        clock.advance(days=3)
    done = retire(app, clock, voucher["kid"])
    assert (done.reissued, done.letters) == (0, [])
    assert shown(client, auth, voucher["id"])["replaced_by"] is None


def test_plain_retirement_reissues_nothing_and_a_new_key_signs(client, auth, issue, app, clock):
    voucher = issue()
    done = retire(app, clock, voucher["kid"], compromised=False)
    assert done.change is Retired.RETIRED and done.new_key is not None and done.reissued == 0
    (listed,) = [k for k in trust(client).keys if k.kid == voucher["kid"]]
    assert listed.retired_at == clock.now.replace(microsecond=0)  # still verifies until it ends
    assert shown(client, auth, voucher["id"])["status"] == "issued"
    assert issue()["kid"] == done.new_key.kid
    again = retire(app, clock, voucher["kid"], compromised=False)
    assert again.change is Retired.ALREADY_RETIRED and again.new_key is None


def test_retiring_a_key_a_rotation_replaced_leaves_the_current_key_signing(client, issue, app, clock):
    old = issue()["kid"]
    current = app.extensions["voucher"].keystore.rotate("JC", clock.now, timedelta(days=730))
    done = retire(app, clock, old, compromised=False)
    assert done.new_key is None and issue()["kid"] == current.kid


def test_an_unknown_key_is_refused_and_nothing_changes(app, clock, keys_dir):
    written = (keys_dir / "trust.json").read_bytes()
    with pytest.raises(NotFound, match="no key ffff"):
        retire(app, clock, "ffff")
    assert (keys_dir / "trust.json").read_bytes() == written


def test_both_kinds_of_retirement_land_in_the_audit_log(issue, app, clock, db):
    first = issue()["kid"]
    second = retire(app, clock, first, compromised=False).new_key.kid
    retire(app, clock, second)
    with db.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == retirement.ACTION).order_by(AuditEvent.seq)).all()
    assert [(e.actor, e.detail["kid"], e.detail["compromised"], e.detail["change"]) for e in events] == [
        ("cli", first, False, "retired"), ("cli", second, True, "dropped from the trust list")]
    assert events[0].detail["new_key"] == second


def test_a_reissue_interrupted_midway_and_run_again_reissues_each_voucher_once(issue, app, clock, db, monkeypatch):
    old = {issue()["id"] for _ in range(5)}
    kid = app.extensions["voucher"].keystore.signer(clock.now).kid
    monkeypatch.setattr(issuing, "CHUNK", 2)
    commit = IssuingService._commit
    chunks: list[int] = []

    def dies_after_one_chunk(self, requests, *args, **kwargs):
        if chunks:
            raise RuntimeError("killed")
        chunks.append(len(requests))
        return commit(self, requests, *args, **kwargs)

    monkeypatch.setattr(IssuingService, "_commit", dies_after_one_chunk)
    with pytest.raises(RuntimeError):
        retire(app, clock, kid)
    monkeypatch.setattr(IssuingService, "_commit", commit)
    done = retire(app, clock, kid)
    assert (done.change, done.reissued, len(done.letters)) == (Retired.ABSENT, 3, 5)  # the first run's 2 letters too
    with db.session() as session:
        replaced = session.execute(select(Voucher.replaces, func.count()).where(Voucher.replaces.in_(old))
                                   .group_by(Voucher.replaces)).all()
    assert sorted(replaced) == sorted((voucher_id, 1) for voucher_id in old)
