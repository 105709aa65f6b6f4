"""Letters follow the voucher (issue 19, item 5): a cancelled or replaced voucher's letter and QR
are not served (410), and a re-issued letter says which letter it replaces."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from tests.staff.conftest import person, sign_in  # noqa: F401 - person is a fixture
from voucher.token import codes

ROUTES = ("letter.pdf", "qr.png", "qr.svg")


def codes_in(response) -> list[str]:
    """Every QR code zxing-cpp finds in what the route served: the PDF's pages rasterised, or the image."""
    if response.mimetype == "application/pdf":
        images = [page.render(scale=3).to_pil() for page in pdfium.PdfDocument(response.data)]
    elif response.mimetype == "image/png":
        images = [Image.open(io.BytesIO(response.data))]
    else:
        return []
    return [found.text for image in images for found in zxingcpp.read_barcodes(image)]


def text_of(pdf: bytes) -> str:
    return " ".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf)).replace("\r\n", " ")


def test_a_cancelled_vouchers_letter_url_gives_no_usable_qr(client, auth, issue):
    voucher = issue()
    url = f"/api/v1/vouchers/{voucher['id']}/letter.pdf"
    assert codes_in(client.get(url, headers=auth("issuer"))) == [voucher["code"]]  # a ticket until cancelled
    client.post(f"/api/v1/vouchers/{voucher['id']}/revoke", json={"reason": "Termin abgesagt"}, headers=auth("issuer"))
    for route in ROUTES:
        response = client.get(f"/api/v1/vouchers/{voucher['id']}/{route}", headers=auth("issuer"))
        assert response.status_code == 410 and response.mimetype == "application/problem+json"
        assert "cancelled" in response.get_json()["detail"]
        assert codes_in(response) == []


def test_a_replaced_vouchers_letter_names_the_new_one_and_the_new_letter_says_it_replaces(client, auth, issue):
    old = issue()
    new = issue(replaces=old["id"])
    response = client.get(f"/api/v1/vouchers/{old['id']}/letter.pdf", headers=auth("issuer"))
    assert response.status_code == 410 and new["id"] in response.get_json()["detail"]
    letter = client.get(f"/api/v1/vouchers/{new['id']}/letter.pdf", headers=auth("issuer"))
    assert codes_in(letter) == [new["code"]]
    assert f"ersetzt den früheren Brief mit der Fahrschein-Nr. {codes.short_code(old['id'])}" in text_of(letter.data)


@pytest.mark.parametrize("language, words", [("en", "This letter replaces the earlier letter"),
                                             ("pl", "Ten list zastępuje wcześniejszy list"),
                                             ("de-x-ls", "Er ersetzt den alten Brief")])
def test_a_reissued_letter_in_another_language_says_it_replaces_in_both(client, auth, issue, language, words):
    old = issue(language=language)
    new = issue(replaces=old["id"], language=language)
    text = text_of(client.get(f"/api/v1/vouchers/{new['id']}/letter.pdf", headers=auth("issuer")).data)
    assert words in text and "ersetzt den früheren Brief" in text  # page 2 is the binding German text


def test_the_counter_does_not_hand_out_a_cancelled_letter(app, client, auth, issue, person):
    voucher = issue()
    client.post(f"/api/v1/vouchers/{voucher['id']}/revoke", json={"reason": "Termin abgesagt"}, headers=auth("issuer"))
    person("anna", "issuer")
    browser = app.test_client()
    sign_in(browser, "anna")
    response = browser.get(f"/counter/vouchers/{voucher['id']}/letter.pdf")
    assert response.status_code == 410 and response.mimetype == "text/html"
    assert "Kein Fahrschein mehr" in response.get_data(as_text=True) and codes_in(response) == []
