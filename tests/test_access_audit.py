"""Taking personal data out is an audit event: a letter, a QR code or a CSV export, through the
API or the staff pages; user changes too. The events name the voucher or the period, never the
holder."""

from __future__ import annotations

from sqlalchemy import select

from tests.staff.conftest import sign_in
from voucher.services import audit, users
from voucher.store import AuditEvent


def events(db, action: str) -> list[tuple[str, str | None, dict]]:
    with db.session() as session:
        return [tuple(row) for row in session.execute(
            select(AuditEvent.actor, AuditEvent.voucher_id, AuditEvent.detail).where(AuditEvent.action == action)
            .order_by(AuditEvent.seq))]


def test_api_letter_and_qr_downloads_are_logged(client, auth, issue, db):
    voucher = issue()
    for path in ("letter.pdf", "qr.png", "qr.svg"):
        assert client.get(f"/api/v1/vouchers/{voucher['id']}/{path}", headers=auth("issuer")).status_code == 200
    assert events(db, "letter") == [("issuer:test-issuer", voucher["id"], {"language": "de"})]
    assert events(db, "qr") == [("issuer:test-issuer", voucher["id"], {"format": "png"}),
                                ("issuer:test-issuer", voucher["id"], {"format": "svg"})]


def test_counter_letter_download_is_logged_for_the_person(client, issue, db, clock):
    voucher = issue()
    with db.session() as session:
        users.create(session, "anna", "issuer", "correct horse battery staple", clock.now)
        session.commit()
    sign_in(client, "anna")
    assert client.get(f"/counter/vouchers/{voucher['id']}/letter.pdf").status_code == 200
    assert events(db, "letter") == [("user:anna", voucher["id"], {"language": "de"})]


def test_csv_exports_are_logged_with_the_period_not_the_content(client, auth, issue, db, clock):
    voucher = issue()
    answer = client.get("/api/v1/reconciliation?from=2026-12-01&to=2026-12-31&format=csv", headers=auth("finance"))
    assert answer.status_code == 200 and answer.get_data()
    invoice = f"voucher_id,travel_date,amount_cents\n{voucher['id']},2026-12-03,480\n"
    matched = client.post("/api/v1/invoices/match?format=csv", data=invoice.encode(), headers=auth("finance"))
    assert matched.status_code == 200 and matched.get_data()
    with db.session() as session:
        users.create(session, "fiona", "finance", "correct horse battery staple", clock.now)
        session.commit()
    sign_in(client, "fiona")
    assert client.get("/finance/report.csv?from=2026-12-01&to=2026-12-31").status_code == 200
    logged = events(db, "csv_export")
    assert [(actor, detail["report"]) for actor, _, detail in logged] == [
        ("finance:test-finance", "reconciliation"), ("finance:test-finance", "invoice_match"), ("user:fiona", "reconciliation")]
    assert logged[0][2] == {"report": "reconciliation", "first": "2026-12-01", "last": "2026-12-31", "table": None}
    assert "Ayşe" not in str(logged)


def test_user_changes_are_logged(db, clock):
    with db.session() as session:
        users.create(session, "bernd", "finance", None, clock.now, actor="user:root")
        users.set_password(session, "bernd", "another long passphrase", clock.now, actor="user:root")
        users.disable(session, "bernd", clock.now, actor="user:root")
        session.commit()
        actions = session.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail)
                                  .where(AuditEvent.action.like("user_%")).order_by(AuditEvent.seq)).all()
        assert audit.verify(session).broken is None
    assert [tuple(a) for a in actions] == [
        ("user:root", "user_create", {"user": "bernd", "role": "finance", "sso_only": True}),
        ("user:root", "user_password", {"user": "bernd"}),
        ("user:root", "user_disable", {"user": "bernd"})]
