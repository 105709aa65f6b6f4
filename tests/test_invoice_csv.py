"""The invoice file: any accepted shape reads back exactly; the rest is refused by line, or as a
whole with a sentence; no bytes give another exception."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.test_money import printed
from voucher import invoice_csv
from voucher.invoice_csv import Line, Unreadable, read, read_day
from voucher.money import COMMA, POINT, Refused

TODAY = date(2026, 12, 31)


def vid(n: int) -> str:
    return f"{n:013d}"


def from_text(text: str, encoding: str = "utf-8", **kwargs):
    return read(io.BytesIO(text.encode(encoding)), TODAY, **kwargs)


@st.composite
def invoices(draw):
    """(bytes, the lines they must read as): one convention, any encoding, separator and date style."""
    convention = draw(st.sampled_from([COMMA, POINT]))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    sep_line = draw(st.booleans())
    buffer = io.StringIO()
    if sep_line:
        buffer.write(f"sep={delimiter}\r\n")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["Linie", "voucher_id", "travel_date", "amount", "Haltestelle"])
    expected = []
    for i in range(draw(st.integers(1, 12))):
        cents, _, text = draw(printed(convention))
        day = date(2026, 11, draw(st.integers(1, 30)))
        shown = draw(st.sampled_from([day.isoformat(), f"{day:%d.%m.%Y}", f"{day.day}.{day.month}.{day.year}"]))
        writer.writerow(["Bus 142", vid(i + 1), shown, text, "Münchner Straße"])
        expected.append(Line(i + 2 + sep_line, vid(i + 1), day, cents))
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:  # cp1252 has no narrow no-break space or minus sign
        assume(False)
    return data, expected


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(invoices())
def test_every_accepted_shape_reads_back_exactly(case):
    data, expected = case
    invoice = read(io.BytesIO(data), TODAY)
    assert list(invoice.rejected) == [] and list(invoice.lines) == expected
    assert invoice.period == (date(2026, 11, 1), date(2026, 11, 30))


@settings(deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=200).map(lambda t: ("voucher_id;travel_date;amount\n" + t).encode()))
def test_any_bytes_are_an_invoice_or_unreadable(data):
    try:
        invoice = read(io.BytesIO(data), TODAY)
    except Unreadable as exc:
        assert str(exc)
    else:
        assert all(r.error and r.error_de for r in invoice.rejected)


@pytest.mark.parametrize(("text", "day"), [("2026-12-03", date(2026, 12, 3)), ("03.12.2026", date(2026, 12, 3)),
                                           ("3.12.2026", date(2026, 12, 3)), ("03.12.2026 00:00", date(2026, 12, 3)),
                                           ("2026-12-03T09:30", date(2026, 12, 3))])
def test_travel_dates_in_iso_and_german_form(text, day):
    assert read_day(text) == day


@pytest.mark.parametrize(("text", "kind"), [("03.12.26", "two_digit_year"), ("3.12.026", "two_digit_year"),
                                            ("12/03/2026", "unreadable_date"), ("31.02.2026", "unreadable_date"),
                                            ("03.12.1999", "unreadable_date"), ("2026-12-03T09:30Z", "unreadable_date"),
                                            ("", "missing_date")])
def test_dates_that_could_be_misread_are_refused(text, kind):
    with pytest.raises(Refused) as refused:
        read_day(text)
    assert refused.value.kind == kind


def test_an_unquoted_decimal_comma_in_a_comma_file_is_refused_not_read_as_whole_euros():
    invoice = from_text(f"voucher_id,travel_date,amount\n{vid(1)},2026-11-03,4,80\n{vid(2)},2026-11-03,\"4,80\"\n")
    assert [(r.line, r.kind, r.amount_cents) for r in invoice.rejected] == [(2, "extra_fields", None)]
    assert "quotes" in invoice.rejected[0].error and [line.amount_cents for line in invoice.lines] == [480]


def test_a_line_with_fewer_fields_than_the_header_is_refused():
    invoice = from_text(f"voucher_id;travel_date;amount\n{vid(1)};03.11.2026\n")
    assert [r.kind for r in invoice.rejected] == ["missing_fields"]


def test_a_quotation_mark_never_closed_refuses_its_line_only():
    invoice = from_text(f'voucher_id;travel_date;amount;Bemerkung\n{vid(1)};03.11.2026;4,80;"Umstieg\n'
                        f'{vid(2)};03.11.2026;4,80;\n{vid(3)};03.11.2026;4,80;ok\n')
    assert [(r.line, r.kind) for r in invoice.rejected] == [(2, "malformed_quoting")]
    assert [line.line for line in invoice.lines] == [3, 4] and invoice.lines_in_file == 3


def test_an_unquoted_decimal_comma_is_refused_even_when_the_field_count_matches():
    invoice = from_text(f"voucher_id,travel_date,amount,note\n{vid(1)},2026-11-03,2,90\n{vid(2)},2026-11-03,\"2,90\",\n")
    assert [(r.line, r.kind) for r in invoice.rejected] == [(2, "ambiguous_amount")]
    assert [line.amount_cents for line in invoice.lines] == [290]


def test_amount_and_amount_cents_must_agree():
    invoice = from_text(f"voucher_id;travel_date;amount;amount_cents\n{vid(1)};03.11.2026;4,80;480\n"
                        f"{vid(2)};03.11.2026;4,80;408\n")
    assert [line.line for line in invoice.lines] == [2] and [r.kind for r in invoice.rejected] == ["amounts_differ"]


def test_period_columns_name_the_period():
    invoice = from_text(f"voucher_id,travel_date,amount_cents,period_from,period_to\n"
                        f"{vid(1)},2026-11-03,480,01.11.2026,15.11.2026\n{vid(1)},2026-11-20,480,01.11.2026,15.11.2026\n")
    assert (invoice.period, invoice.period_source) == ((date(2026, 11, 1), date(2026, 11, 15)), "file")
    assert [r.kind for r in invoice.rejected] == ["outside_period"]


def test_period_columns_that_differ_between_lines_make_the_file_unreadable():
    with pytest.raises(Unreadable, match="differ"):
        from_text(f"voucher_id,travel_date,amount_cents,period_from,period_to\n"
                  f"{vid(1)},2026-11-03,480,2026-11-01,2026-11-30\n{vid(1)},2026-11-20,480,2026-11-01,2026-11-29\n")


def test_a_repeated_column_makes_the_file_unreadable():
    with pytest.raises(Unreadable, match="amount appears twice"):
        from_text("voucher_id;travel_date;amount;amount\n")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_is_read(encoding):
    invoice = from_text(f"voucher_id;travel_date;amount\n{vid(1)};03.11.2026;4,80 €\n", encoding)
    assert [line.amount_cents for line in invoice.lines] == [480] and invoice.encoding == "utf-16"


def test_iso_8859_15_is_told_from_windows_1252_by_its_euro_sign():
    invoice = from_text(f"voucher_id;travel_date;amount\n{vid(1)};03.11.2026;4,80 €\n", "iso-8859-15")
    assert invoice.encoding == "iso-8859-15" and [line.amount_cents for line in invoice.lines] == [480]


@pytest.mark.parametrize("head", [b"PK\x03\x04rest-of-a-zip", b"\xd0\xcf\x11\xe0old-excel"])
def test_an_excel_workbook_is_refused_asking_for_csv(head):
    with pytest.raises(Unreadable) as refused:
        read(io.BytesIO(head), TODAY)
    assert "save it as CSV" in refused.value.en and "bitte als CSV speichern" in refused.value.de


def test_bytes_that_are_no_text_in_windows_1252_are_unreadable():
    with pytest.raises(Unreadable, match="not text"):
        read(io.BytesIO(b"voucher_id;travel_date;amount\n\x81\x8d;x;y\n"), TODAY)


def test_a_file_over_the_limit_is_too_large(monkeypatch):
    monkeypatch.setattr(invoice_csv, "MAX_BYTES", 64)
    with pytest.raises(invoice_csv.TooLarge, match="50 MB"):
        from_text("voucher_id;travel_date;amount\n" + f"{vid(1)};03.11.2026;4,80\n" * 3)


def test_the_digest_is_of_the_bytes_as_sent():
    import hashlib

    data = f"voucher_id;travel_date;amount\n{vid(1)};03.11.2026;4,80\n".encode("cp1252")
    assert read(io.BytesIO(data), TODAY).sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("name", ["Bezug", "Ursprungsrechnung", "Referenz", "Original-Rechnungsnummer", "Rechnungsbezug",
                                  "reference", "Original invoice"])
def test_a_credit_notes_reference_column_is_read_with_its_line(name):
    invoice = from_text(f"voucher_id;travel_date;amount;{name}\n{vid(1)};03.11.2026;-4,80;RE-100\n"
                        f"{vid(2)};04.11.2026;-4,80;\n")
    assert [(line.line, line.reference) for line in invoice.lines] == [(2, "RE-100"), (3, None)]
