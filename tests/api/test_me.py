"""GET /api/v1/me: a device asks whose token it holds before storing it."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("role", ["verifier", "admin", "issuer", "finance"])
def test_me_names_the_role_and_holder_of_the_token(client, auth, role):
    response = client.get("/api/v1/me", headers=auth(role))
    assert response.status_code == 200
    purpose = "journey" if role == "verifier" else None
    assert response.get_json() == {"role": role, "name": f"test-{role}", "purpose": purpose}


def test_me_without_a_known_token_is_401_problem(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer jv_bogus"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
