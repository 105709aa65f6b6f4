"""Letters as a person holds them: rasterise the PDF, scan the QR, verify it, read the text."""

from __future__ import annotations

import subprocess
import sys

import pypdfium2 as pdfium
import pytest
import zxingcpp
from sqlalchemy import func, select

from voucher.keys import TrustList
from voucher.store import Voucher
from voucher.token import format as fmt

TRAVEL_TIME = "2026-12-03T09:00:00+01:00"


def pages(pdf_bytes: bytes) -> list[pdfium.PdfPage]:
    return list(pdfium.PdfDocument(pdf_bytes))


def scan(page: pdfium.PdfPage, dpi: int) -> list[str]:
    image = page.render(scale=dpi / 72).to_pil()
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def letter(client, auth, voucher) -> bytes:
    response = client.get(voucher["links"]["letter_pdf"], headers=auth("issuer"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response.data


@pytest.mark.parametrize("dpi", [150, 300])
def test_letter_qr_scans_and_verifies_at_print_resolutions(client, auth, issue, dpi):
    voucher = issue()
    (page,) = pages(letter(client, auth, voucher))
    assert scan(page, dpi) == [voucher["code"]]
    trust = TrustList.from_json(client.get("/api/v1/trust-list").get_json())
    from voucher.timefmt import parse_instant
    claims = fmt.verify(voucher["code"], trust, parse_instant(TRAVEL_TIME)).claims
    assert claims.voucher_id == voucher["id"]


def test_letter_is_real_a4_text_with_name_and_short_code(client, auth, issue):
    voucher = issue(holder_name="Łukasz Wiśniewski-Ağaoğlu", language="en")
    page, german = pages(letter(client, auth, voucher))
    width, height = page.get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    text = page.get_textpage().get_text_range()
    assert "Łukasz Wiśniewski-Ağaoğlu" in text
    assert voucher["short_code"] in text
    assert "Show this code to the driver" in text
    assert "Verbindliche deutsche Fassung" in german.get_textpage().get_text_range()


def test_german_is_the_default_language(client, auth, issue):
    (page,) = pages(letter(client, auth, issue()))
    assert "Zeigen Sie diesen Code dem Fahrer" in page.get_textpage().get_text_range()


def test_arabic_name_renders_and_its_qr_carries_it(client, auth, issue):
    voucher = issue(holder_name="محمد الأحمد")
    (page,) = pages(letter(client, auth, voucher))
    (code,) = scan(page, 300)
    assert fmt.parse(code)[0].holder_name == "محمد الأحمد"


def test_printed_qr_is_at_least_30_mm_wide(client, auth, issue):
    (page,) = pages(letter(client, auth, issue()))
    dpi = 300
    (found,) = zxingcpp.read_barcodes(page.render(scale=dpi / 72).to_pil())
    width_px = found.position.top_right.x - found.position.top_left.x  # the symbol, without quiet zone
    assert width_px / dpi * 25.4 >= 30


def test_letter_of_unknown_voucher_is_a_404_problem(client, auth):
    response = client.get("/api/v1/vouchers/0000000000000/letter.pdf", headers=auth("issuer"))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_unknown_language_falls_back_to_german_texts():
    from voucher.letters import texts

    assert texts.catalog("xx")["closing"] == texts.catalog("de")["closing"]
    assert {"de", "en"} <= texts.languages()


CSV = """external_ref,holder_name,valid_from,valid_until,origin,destination,zone,return_trip,cost_center,address_1
R1,Ayşe Yılmaz,{day},{day},Musterstadt Hbf,Jobcenter Nord,,ja,KST-1,Lindenweg 4
R2,,{day},{day},Musterstadt Hbf,Jobcenter Nord,,nein,KST-1,
R3,محمد الأحمد,{day},{day},,,AB,nein,KST-2,
"""


def test_batch_reports_bad_rows_renders_the_rest_and_is_idempotent(tmp_path, database):
    import os
    from datetime import date, timedelta

    day = (date.today() + timedelta(days=20)).isoformat()
    source = tmp_path / "in.csv"
    source.write_text(CSV.format(day=day).replace(",", ";"), encoding="utf-8")
    env = {**os.environ, "VOUCHER_DATA_DIR": str(tmp_path), "VOUCHER_KEYS_DIR": str(tmp_path / "keys"),
           "DATABASE_URL": database.url}
    env.pop("VOUCHER_KEY_PASSPHRASE", None)
    subprocess.run([sys.executable, "-m", "voucher", "init"], env=env, check=True, capture_output=True)
    out = tmp_path / "letters.pdf"
    command = [sys.executable, "-m", "voucher", "letters", "batch", str(source), "--out", str(out)]
    first = subprocess.run(command, env=env, capture_output=True, text=True)
    assert first.returncode == 1
    assert "line 3: holder_name" in first.stderr and "Traceback" not in first.stderr
    codes = [scan(p, 150)[0] for p in pages(out.read_bytes())]
    assert [fmt.parse(c)[0].holder_name for c in codes] == ["Ayşe Yılmaz", "محمد الأحمد"]
    def count() -> int:
        with database.session() as session:
            return session.scalar(select(func.count()).select_from(Voucher))

    issued = count()
    again = subprocess.run(command + ["--zip"], env=env, capture_output=True, text=True)
    assert "2 already issued before" in again.stderr
    assert count() == issued
    import zipfile
    assert len(zipfile.ZipFile(out).namelist()) == 2


def test_long_texts_wrap_inside_the_right_margin(client, auth, issue):
    place = "Jobcenter Musterstadt, Geschäftsstelle Nord, Musterstraße 1, Eingang B, 2. Obergeschoss, Raum 2.14, bitte zuerst am Empfang melden"
    (page,) = pages(letter(client, auth, issue(appointment_place=place, appointment_at="2026-12-03T10:30")))
    text = page.get_textpage()
    height = page.get_size()[1]
    boxes = [text.get_charbox(i) for i in range(text.count_chars())]  # (left, bottom, right, top) in pt
    body = [b for b in boxes if 98 <= (height - b[3]) / 72 * 25.4 <= 208]  # subject down to the cut line
    assert body and max(b[2] for b in body) / 72 * 25.4 <= 190.5
    assert "bitte zuerst am Empfang melden" in text.get_text_range().replace("\r\n", " ").replace("\n", " ")


def run_batch(tmp_path, database, source):
    """`voucher init`, then `voucher letters batch SOURCE` as an operator runs them: (result, PDF path)."""
    import os

    env = {**os.environ, "VOUCHER_DATA_DIR": str(tmp_path), "VOUCHER_KEYS_DIR": str(tmp_path / "keys"),
           "DATABASE_URL": database.url}
    env.pop("VOUCHER_KEY_PASSPHRASE", None)
    subprocess.run([sys.executable, "-m", "voucher", "init"], env=env, check=True, capture_output=True)
    out = tmp_path / "letters.pdf"
    return subprocess.run([sys.executable, "-m", "voucher", "letters", "batch", str(source), "--out", str(out)],
                          env=env, capture_output=True, text=True), out


def test_batch_reads_a_german_excel_csv_in_windows_1252(tmp_path, database):
    """German Excel's "CSV (Trennzeichen-getrennt)": Windows-1252, a `sep=;` line, `;`, CRLF;
    read by the same reader as invoices (voucher/tabular.py), not refused as bad UTF-8."""
    from datetime import date, timedelta

    day = (date.today() + timedelta(days=20)).isoformat()
    rows = ["sep=;", "holder_name;valid_from;valid_until;origin;destination;cost_center",
            f"Jürgen Müller;{day};{day};Musterstadt Hbf;Jobcenter Nord;KST-1",
            f"Renée Öztürk;{day};{day};Musterstadt Hbf;Jobcenter Nord;\"KST-2"]  # a quote never closed
    source = tmp_path / "excel.csv"
    source.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    result, out = run_batch(tmp_path, database, source)
    assert "line 4: The quotation marks" in result.stderr and "Traceback" not in result.stderr
    codes = [scan(p, 150)[0] for p in pages(out.read_bytes())]
    assert [fmt.parse(c)[0].holder_name for c in codes] == ["Jürgen Müller"]
