"""`python3 dev.py demo`: a lived-in month, seeded through the real services.

The month (voucher/demo/plan.py) is the 30 days up to the first run plus the appointments ahead;
letters are issued in the letter system's daily batches (the batch path of IssuingService),
devices upload their journeys through the redemption service, the counter cancels and re-issues,
finance uploads the operator's first invoice. Everything happens in the order and at the moment
it would have, so every record is dated as it would be. The first run notes its moment in the
audit log (`demo_seed`); every later run replays the same month, which changes nothing: the same
references return their vouchers, the same client ids their redemptions, the same invoice file
its stored report. The demo invoice to try is written to the data folder each run (the same file
for the same month); the people and passwords are in voucher/demo/people.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import invoice_csv
from ..config import Settings
from ..keys import KeyStore, KeyStoreError
from ..schemas import FareRow, IssueRequest, RedemptionBatch
from ..services import audit, fares, invoices, redemption, revocation
from ..services.issuing import IssuingService
from ..services.purposes import JOURNEY, RECEPTION
from ..staff.i18n import LOCALES
from ..store import AuditEvent, Voucher
from . import people
from .billing import OPERATOR, demo_invoice, first_invoice
from .plan import COUNTER, FARES, ISSUER, LEAD, RECEPTION_DEVICE, Plan, plan

SEEDED = "demo_seed"
INVOICE_FILE = "demo-invoice.csv"
FINANCE = "user:finanzen"


def anchor(session: Session, now: datetime) -> datetime:
    """The moment the demo month was first seeded (noted in the audit log), or now."""
    noted = session.scalar(select(AuditEvent.detail).where(AuditEvent.action == SEEDED).order_by(AuditEvent.seq).limit(1))
    if noted:
        return datetime.fromisoformat(noted["anchor"])
    moment = now.replace(second=0, microsecond=0)
    audit.record(session, "demo", SEEDED, now, anchor=moment.isoformat())
    session.commit()
    return moment


def signing_key_since(keystore: KeyStore, settings: Settings, since: datetime) -> None:
    """The month is signed as it was issued, up to LEAD days before its first day: without a key
    in force then, a development key starting then is made (never a production key)."""
    trust = keystore.trust_list()
    if any(key.in_force(since) for key in trust.keys):
        return
    if keystore.passphrase:
        raise KeyStoreError(f"the demo needs a signing key in force since {since:%Y-%m-%d}; it makes only "
                            "development keys: unset VOUCHER_KEY_PASSPHRASE or use another VOUCHER_KEYS_DIR")
    keystore.rotate(settings.issuer, since, settings.key_lifetime)


def _request(letter, replaces: str | None, settings: Settings) -> IssueRequest:
    return IssueRequest.model_validate(
        {**letter.fields, "valid_from": letter.day.isoformat(), "valid_until": letter.last_day.isoformat(),
         "appointment_at": letter.appointment.isoformat(), "external_ref": letter.ref, "replaces": replaces},
        context={"tz": settings.timezone})


def _events(month: Plan) -> list[tuple[datetime, int, str, Any]]:
    """Everything that happens, in the order it happens (at one moment: issue, cancel, sync).
    What happens is the event's last item, its type told by the kind (the third)."""
    events: list[tuple[datetime, int, str, Any]] = []
    batches = defaultdict(list)
    for letter in month.letters.values():
        if letter.replaces is None:
            batches[letter.issued_at].append(letter)
        else:
            events.append((letter.issued_at, 0, "reissue", letter))
    events += [(moment, 0, "issue", letters) for moment, letters in batches.items()]
    events += [(cancel.at, 1, "cancel", cancel) for cancel in month.cancels]
    uploads = defaultdict(list)
    for scan in month.scans:
        assert scan.synced_at is not None  # plan() dates every upload
        uploads[(scan.synced_at, scan.device)].append(scan)
    events += [(moment, 2, "sync", (device, scans)) for (moment, device), scans in uploads.items()]
    events.append((month.at(month.second_half + timedelta(days=2), 10, 30), 3, "invoice", None))
    return sorted(events, key=lambda event: (event[0], event[1], event[2]))


def replay(session: Session, keystore: KeyStore, settings: Settings, month: Plan) -> dict[int, str]:
    """Seed (or replay) the month; returns the voucher id of each letter number."""
    issuing = IssuingService(session, keystore, settings)
    ids: dict[int, str] = {}
    for moment, _, kind, what in _events(month):
        if kind == "issue":
            results = issuing.issue_many([_request(letter, None, settings) for letter in what], ISSUER, moment)
            for letter, result in zip(what, results, strict=True):
                if result.error is not None:
                    raise result.error
                assert result.voucher is not None  # issued without an error
                ids[letter.number] = result.voucher.id
        elif kind == "reissue":
            reissued = issuing.issue(_request(what, ids[what.replaces], settings), COUNTER, moment).voucher
            assert reissued is not None  # issue raises on an error
            ids[what.number] = reissued.id
        elif kind == "cancel":
            revocation.revoke(session, ids[what.letter], what.reason, COUNTER, moment)
            session.commit()
        elif kind == "sync":
            device, scans = what
            batch = RedemptionBatch.model_validate({"device_id": device, "redemptions": [
                {"client_id": s.client_id, "redeemed_at": s.at.isoformat(), "location": s.location,
                 "code": _code(session, ids, s)} for s in scans]})
            purpose = RECEPTION if device == RECEPTION_DEVICE else JOURNEY
            redemption.ingest(session, batch, keystore.trust_list(), f"verifier:{device}", moment,
                              redemption.Device(purpose), redemption.Rules(settings.late_upload, settings.timezone))
        else:
            content, _, _ = first_invoice(session, month)
            upload = invoice_csv.read(BytesIO(content), moment.astimezone(month.tz).date())
            invoices.submit(session, upload, OPERATOR, FINANCE, moment, month.tz)
    return ids


def _code(session: Session, ids: dict[int, str], scan) -> str:
    if scan.letter is None:
        return "JV1:6BF-UNLESBAR-KOPIERT"  # what a worn photocopy scans as: no valid token
    code = session.scalar(select(Voucher.code).where(Voucher.id == ids[scan.letter]))
    assert code is not None  # the letter's voucher was issued in this replay
    return code


def _fare_table(session: Session, month: Plan, settings: Settings) -> None:
    """The demo's fares, valid from a year before the month, unless the office has a table."""
    if fares.listing(session, settings.office_code):
        return
    since = (month.first_day - timedelta(days=365)).isoformat()
    rows = [(n, FareRow.model_validate({"zone": zone, "origin": origin, "destination": destination, "fare_class": cls,
                                        "price_cents": cents, "valid_from": since}))
            for n, (zone, origin, destination, cls, cents) in enumerate(FARES, 2)]
    fares.save(session, settings.office_code, rows, "user:admin", month.at(month.first_day - timedelta(days=365), 9))
    session.commit()


def seed(session: Session, keystore: KeyStore, settings: Settings, base_url: str, now: datetime) -> str:
    """Seed the demo month (or replay it) and return what to tell the person at the terminal."""
    moment = anchor(session, now)
    month = plan(moment, settings.timezone)
    signing_key_since(keystore, settings, month.at(month.first_day - timedelta(days=LEAD + 1), 0))
    _fare_table(session, month, settings)
    ids = replay(session, keystore, settings, month)
    passwords, tokens, state = people.ensure(session, settings.data_dir, now)
    invoice = Path(settings.data_dir) / INVOICE_FILE
    invoice.write_bytes(demo_invoice(session, month, ids))
    return _summary(base_url, month, passwords, tokens, state, invoice)


def _summary(base_url: str, month: Plan, passwords: dict[str, str], tokens: dict[str, str], state: Path,
             invoice: Path) -> str:
    def day(d):
        return format_date(d, "medium", locale=LOCALES["de"])

    pages = [("Start page", f"{base_url}/", ""), ("Ticket counter", f"{base_url}/counter/", "schalter"),
             ("Finance", f"{base_url}/finance/", "finanzen"), ("Everything", "(role admin)", "admin"),
             ("Verifier", f"{base_url}/verify/", "")]
    width = max(len(where) for _, where, _ in pages)
    lines = ["", f"Demo month {day(month.first_day)} – {day(month.today)}: {len(month.letters)} letters, "
                 f"{len(month.scans)} scans from {len({s.device for s in month.scans})} devices, appointments until "
                 f"{day(max(letter.day for letter in month.letters.values()))}.", ""]
    for what, where, name in pages:
        person = f"{name:<8} / {passwords[name]}" if name else ""
        lines.append(f"  {what:<15}  {where:<{width}}  {person}".rstrip())
    lines[-1] += "  set up under Einstellungen with a token"
    lines += [f"  {'':<15}  {tokens[JOURNEY]}  (bus, tram: journeys)",
              f"  {'':<15}  {tokens[RECEPTION]}  (reception: arrivals)", "",
              f"Operator invoice to check on the finance page (Rechnungen): {invoice.resolve()}",
              f"Passwords and tokens are kept in {state.resolve()} (mode 0600) for the next run.", ""]
    return "\n".join(lines)
