"""Invoice uploads on the finance page and the API: who may not upload is refused before a byte
of the body is read, and the documented 50 MB (52,428,800 bytes) are allowed, not one more."""

from __future__ import annotations

import io

import pytest

from tests.staff.conftest import csrf_token, sign_in
from voucher.invoice_csv import MAX_BYTES


class CountingBody(io.RawIOBase):
    """`size` bytes of request body that count how many were read."""

    def __init__(self, size: int):
        self.size, self.taken = size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        """The test client measures the body (to the end and back) before sending it."""
        assert offset == 0 and self.taken == 0
        self.at = self.size if whence == io.SEEK_END else 0
        return self.at

    def tell(self) -> int:
        return getattr(self, "at", 0) + self.taken

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.taken)
        buffer[:n] = b"x" * n
        self.taken += n
        return n


def post_unread(client, path: str, headers: dict | None = None):
    body = CountingBody(MAX_BYTES)
    response = client.post(path, input_stream=body, content_length=MAX_BYTES, headers=headers or {},
                           content_type="multipart/form-data; boundary=b")
    return response, body.taken


def test_an_unauthenticated_upload_to_the_finance_page_is_refused_unread(client):
    response, taken = post_unread(client, "/finance/invoices")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert taken == 0


def test_an_upload_by_someone_without_the_finance_role_is_refused_unread(client, person):
    person("anna", "issuer")
    sign_in(client, "anna")
    response, taken = post_unread(client, "/finance/invoices")
    assert response.status_code == 403 and taken == 0


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}])
def test_an_unauthenticated_upload_to_the_api_is_refused_unread(client, headers):
    response, taken = post_unread(client, "/api/v1/invoices/match", headers)
    assert response.status_code == 401 and taken == 0


@pytest.fixture
def finance(client, person):
    person("fritz", "finance")
    sign_in(client, "fritz")
    return client


@pytest.mark.parametrize("size, status", [(MAX_BYTES, 400), (MAX_BYTES + 1, 413)])
def test_the_finance_page_takes_an_invoice_of_exactly_the_limit(finance, size, status):
    token = csrf_token(finance.get("/finance/invoices").get_data(as_text=True))
    response = finance.post("/finance/invoices", content_type="multipart/form-data", data={
        "csrf_token": token, "operator": "Stadtbus", "invoice": (io.BytesIO(b"x" * size), "invoice.csv")})
    assert response.status_code == status  # 400: read and found not to be an invoice; 413: not read


@pytest.mark.parametrize("size, status", [(MAX_BYTES, 400), (MAX_BYTES + 1, 413)])
def test_the_api_takes_an_invoice_of_exactly_the_limit(client, auth, size, status):
    response = client.post("/api/v1/invoices/match", data=b"x" * size, headers={**auth("finance"), "Content-Type": "text/csv"})
    assert response.status_code == status
