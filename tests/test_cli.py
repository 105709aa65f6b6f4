"""The `voucher` command as an operator runs it: a real process, real files."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.letters.test_letters import pages, scan
from voucher import qr
from voucher.db import Database
from voucher.keys import KeyStore
from voucher.services import audit
from voucher.store import ApiClient, AuditEvent, Voucher
from voucher.token import codes
from voucher.token import format as token_format

VOUCHER = [sys.executable, "-m", "voucher"]


@pytest.fixture
def env(tmp_path, database) -> dict:
    environment = dict(os.environ)
    environment.update(VOUCHER_DATA_DIR=str(tmp_path), VOUCHER_KEYS_DIR=str(tmp_path / "keys"),
                       DATABASE_URL=database.url)
    environment.pop("VOUCHER_KEY_PASSPHRASE", None)
    return environment


def run(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([*VOUCHER, *args], env=env, capture_output=True, text=True, timeout=60)


# The CLI signs with the real clock, so the trip is a month from today.
DAY = (date.today() + timedelta(days=30)).isoformat()
ISSUE = ["issue", "--holder-name", "Łukasz Nowak", "--valid-from", DAY, "--valid-until", DAY, "--origin", "Musterstadt Hbf", "--destination", "Jobcenter Nord",
         "--cost-center", "KST-1"]


@pytest.fixture
def initialised(env):
    result = run(env, "init")
    assert result.returncode == 0, result.stderr
    return result


def test_init_prints_one_token_per_role(initialised):
    lines = [line.split() for line in initialised.stdout.splitlines()]
    assert [role for role, _ in lines] == ["issuer", "verifier", "finance", "admin"]


def test_tokens_create_prints_the_token_alone(env, initialised):
    result = run(env, "tokens", "create", "--role", "finance")
    assert result.returncode == 0 and result.stdout.strip().startswith("jv_") and len(result.stdout.split()) == 1


def test_tokens_create_enrols_a_reception_device(env, initialised):
    result = run(env, "tokens", "create", "--role", "verifier", "--purpose", "reception", "--name", "Empfang")
    assert result.returncode == 0, result.stderr
    with Database(env["DATABASE_URL"]).session() as session:
        client = session.scalar(select(ApiClient).where(ApiClient.name == "Empfang"))
    assert (client.role, client.purpose) == ("verifier", "reception")


def test_enrolment_qr_is_refused_for_any_role_but_verifier(env, initialised, tmp_path):
    def admin_tokens() -> int:
        with Database(env["DATABASE_URL"]).session() as session:
            return session.scalar(select(func.count()).select_from(ApiClient).where(ApiClient.role == "admin"))

    image = tmp_path / "enrol.png"
    before = admin_tokens()
    result = run(env, "tokens", "create", "--role", "admin", "--enrol-qr", str(image))
    assert result.returncode == 2 and "verifier devices only" in result.stderr.splitlines()[-1]
    assert result.stdout == "" and not image.exists()
    assert admin_tokens() == before  # refused before a token was made


def test_verify_reads_a_code_with_a_run_too_long_for_a_file_name_as_a_code(env, initialised, tmp_path):
    """A path component has at most 255 bytes: a code with a longer run without "/" is still a code."""
    key, private = KeyStore(Path(env["VOUCHER_KEYS_DIR"])).signing_key(datetime.now(UTC))
    start = datetime.combine(date.fromisoformat(DAY), time(6), UTC)
    rng = random.Random(1)
    while True:  # about one code in a hundred this long has such a run
        claims = token_format.Claims(voucher_id=codes.id_to_text(rng.randbytes(8)), kid=key.kid, valid_from=start,
                                     valid_until=start + timedelta(hours=12), holder_name="Ö" * 40, office="JC-TEST",
                                     origin="Ä" * 40, destination="Ü" * 40)
        code = token_format.encode(claims, private)
        if max(len(run) for run in code.split("/")) > 255:
            break
    result = run(env, "verify", code, "--at", f"{DAY}T12:00")
    assert result.returncode == 0 and result.stdout.startswith("VALID"), result.stderr


def test_issue_then_verify_code_and_image_offline(env, initialised, tmp_path):
    voucher = json.loads(run(env, *ISSUE).stdout)
    trust = tmp_path / "trust.json"
    trust.write_text(run(env, "keys", "export-trust").stdout)
    at = ["--at", f"{DAY}T12:00"]
    by_text = run(env, "verify", voucher["code"], "--trust", str(trust), *at)
    assert by_text.returncode == 0 and by_text.stdout.startswith("VALID") and "Łukasz Nowak" in by_text.stdout
    image = tmp_path / "qr.png"
    image.write_bytes(qr.png(voucher["code"]))
    assert run(env, "verify", str(image), "--trust", str(trust), *at).returncode == 0
    late = run(env, "verify", voucher["code"], "--at", f"{DAY}T23:59:59+00:00")
    assert late.returncode == 1 and "expired" in late.stdout


def test_revoke_then_verify_with_a_revocation_list_file(env, initialised, tmp_path):
    voucher = json.loads(run(env, *ISSUE).stdout)
    assert run(env, "revoke", voucher["id"], "--reason", "cancelled").returncode == 0
    from datetime import UTC, datetime

    from voucher.db import Database
    from voucher.keys import KeyStore
    from voucher.services import revocation
    from voucher.token import revlist

    now = datetime.now(UTC)
    with Database(env["DATABASE_URL"]).session() as session:
        seq = revocation.current_seq(session)
        entries = revocation.entries_between(session, 0, seq, now)
    _, private = KeyStore(Path(env["VOUCHER_KEYS_DIR"])).signing_key(now)
    listing = tmp_path / "revocations.json"
    listing.write_text(json.dumps(revlist.sign(entries, 0, seq, now, private)))
    result = run(env, "verify", voucher["code"], "--revocations", str(listing), "--at", f"{DAY}T12:00")
    assert result.returncode == 1 and "revoked" in result.stdout


@pytest.mark.parametrize(
    "args, status",
    [
        (["verify", "JV1:NOPE"], 1),
        (["verify", "x", "--at", "tomorrow"], 2),
        (["verify", "x", "--trust", "/nonexistent.json"], 2),
        (["issue", "--holder-name", "", "--valid-from", DAY, "--valid-until", DAY, "--zone", "A", "--cost-center", "K"], 1),
        (["revoke", "0000000000000", "--reason", "x"], 1),
        (["tokens", "create", "--role", "boss"], 2),
        (["tokens", "create", "--role", "verifier", "--purpose", "bus"], 2),
        (["tokens", "create", "--role", "issuer", "--purpose", "reception"], 1),
        (["finance", "invoices", "7"], 1),
        (["keys", "retire", "ffff"], 1),
        (["keys", "retire", "ffff", "--out", "letters.pdf"], 2),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_nonzero_exit(env, initialised, args, status):
    result = run(env, *args)
    assert result.returncode == status
    assert "Traceback" not in result.stderr
    if status == 1 and args[0] != "verify":
        assert len(result.stderr.strip().splitlines()) == 1


def test_verify_of_an_image_without_qr_is_a_usage_error(env, initialised, tmp_path):
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    result = run(env, "verify", str(blank))
    assert result.returncode == 2 and "no QR code" in result.stderr


def test_finance_match_stores_the_invoice_and_prints_the_report(env, initialised, tmp_path):
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    voucher = json.loads(run(env, *ISSUE[:4], today.isoformat(), "--valid-until", today.isoformat(), *ISSUE[7:]).stdout)
    source = tmp_path / "invoice.csv"
    source.write_bytes(f"sep=;\r\nvoucher_id;travel_date;amount\r\n{voucher['id']};{today:%d.%m.%Y};4,80 €\r\nbroken;x;y\r\n".encode("cp1252"))
    result = run(env, "finance", "match", str(source), "--operator", "Stadtbus")
    assert result.returncode == 0 and "line 4" in result.stderr
    report = json.loads(result.stdout)
    assert [x["voucher_id"] for x in report["billed_not_redeemed"]] == [voucher["id"]]
    assert report["invoice"]["encoding"] == "cp1252"
    as_csv = run(env, "finance", "match", str(source), "--format", "csv", "--decimal-comma")
    assert "uploaded before" in as_csv.stderr and "Betrag (€)" in as_csv.stdout and "4,80" in as_csv.stdout
    listed = {i["id"]: i for i in json.loads(run(env, "finance", "invoices").stdout)}  # others' too: a shared database
    assert (listed[report["invoice"]["id"]]["operator"], listed[report["invoice"]["id"]]["lines"]) == ("Stadtbus", 2)
    stored = json.loads(run(env, "finance", "invoices", str(report["invoice"]["id"])).stdout)
    assert stored == report


@pytest.mark.parametrize("content, options", [(b"no header\n", []), (b"voucher_id;travel_date;amount\n", ["--from", "2026-11-01"])])
def test_finance_match_of_a_bad_invoice_is_one_line_and_stores_nothing(env, initialised, tmp_path, content, options):
    source = tmp_path / "invoice.csv"
    source.write_bytes(content)
    before = run(env, "finance", "invoices").stdout
    result = run(env, "finance", "match", str(source), *options)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert run(env, "finance", "invoices").stdout == before


def test_retention_command_reports_what_it_erased(env, initialised):
    run(env, *ISSUE)
    assert run(env, "retention", "--days", "30").stdout.strip() == "0 vouchers anonymized"
    assert run(env, "retention", "--days", "-1").returncode == 2


def page_codes(pdf: Path) -> list[str]:
    """The QR codes on a letters PDF's pages, read from the rendered pages as a scanner would."""
    return [code for page in pages(pdf.read_bytes()) for code in scan(page, 150)]


def test_retire_compromised_reissues_into_one_pdf_whose_codes_verify_and_the_old_ones_not(env, initialised, db, tmp_path):
    old = [json.loads(run(env, *ISSUE[:2], name, *ISSUE[3:]).stdout) for name in ("Łukasz Nowak", "Ayşe Yılmaz")]
    kid = old[0]["kid"]
    out = tmp_path / "neu.pdf"
    result = run(env, "keys", "retire", kid, "--compromised", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"key {kid} dropped from the trust list" in result.stdout and "2 vouchers re-issued" in result.stdout
    assert f"2 new letters written to {out}" in result.stdout
    assert oct(out.stat().st_mode & 0o777) == "0o600"  # names and addresses
    codes_found = page_codes(out)
    assert len(codes_found) == 2  # one German letter, one page, one QR code each
    for code in codes_found:
        checked = run(env, "verify", code, "--at", f"{DAY}T12:00")
        assert checked.returncode == 0 and checked.stdout.startswith("VALID"), checked.stdout
    replaced = {token_format.parse(code)[0].voucher_id for code in codes_found}
    with Database(env["DATABASE_URL"]).session() as session:
        assert {v.replaces for v in session.scalars(select(Voucher).where(Voucher.id.in_(replaced)))} == {v["id"] for v in old}
    for voucher in old:
        refused = run(env, "verify", voucher["code"], "--at", f"{DAY}T12:00")
        assert refused.returncode == 1 and "unknown_key" in refused.stdout
    again = run(env, "keys", "retire", kid, "--compromised")  # letters into the data folder this time
    assert again.returncode == 0 and "no voucher left to re-issue" in again.stdout
    (written,) = Path(env["VOUCHER_DATA_DIR"]).glob(f"letters-key-{kid}-*.pdf")
    assert f"2 new letters written to {written} (2 of them re-issued by an earlier run" in again.stdout
    assert sorted(page_codes(written)) == sorted(codes_found)


def test_retire_twice_is_harmless_and_keys_list_shows_it(env, initialised):
    kid = json.loads(run(env, *ISSUE).stdout)["kid"]
    first = run(env, "keys", "retire", kid)
    assert first.returncode == 0 and f"key {kid} retired" in first.stdout and "made: it signs from now on" in first.stdout
    second = run(env, "keys", "retire", kid)
    assert second.returncode == 0 and second.stdout.strip() == f"key {kid} was already retired: nothing changed"
    listed = dict(line.split(maxsplit=1) for line in run(env, "keys", "list").stdout.splitlines())
    assert "retired" in listed[kid] and len(listed) == 2
    assert json.loads(run(env, *ISSUE).stdout)["kid"] != kid


def test_a_key_made_by_init_or_rotate_is_in_the_audit_log(env, db, initialised):
    rotated = run(env, "keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    new_kid = rotated.stdout.split()[1]
    with db.session() as session:
        events = session.execute(select(AuditEvent.action, AuditEvent.actor, AuditEvent.detail)
                                 .where(AuditEvent.action.in_(["key_create", "key_rotate"])).order_by(AuditEvent.seq)).all()
    assert [(action, actor) for action, actor, _ in events] == [("key_create", "cli"), ("key_rotate", "cli")]
    assert events[1].detail == {"kid": new_kid, "development": True} and events[0].detail["kid"] != new_kid
    with db.session() as session:
        assert audit.verify(session).broken is None
