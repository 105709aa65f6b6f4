"""Helpers for the staff pages through Flask's test client: accounts, signing in, form posts
with the page's CSRF token."""

from __future__ import annotations

import re

import pytest

from voucher.services import users

PASSWORD = "correct horse battery staple"


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, name: str, password: str = PASSWORD, next_path: str = "/"):
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"name": name, "password": password, "next": next_path, "csrf_token": token})


def post_form(client, path: str, data: dict, page: str | None = None):
    """POST like the browser does: with the CSRF token of the page the form is on."""
    token = csrf_token(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


@pytest.fixture
def person(db, clock):
    """person(name, role) makes an account with PASSWORD."""

    def make(name: str = "anna", role: str = "issuer", password: str | None = PASSWORD) -> str:
        with db.session() as session:
            users.create(session, name, role, password, clock.now)
            session.commit()
        return name

    return make


@pytest.fixture
def issuer(client, person):
    """The test client, signed in as the caseworker anna."""
    person("anna", "issuer")
    assert sign_in(client, "anna").status_code == 302
    return client
