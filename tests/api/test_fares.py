"""The fare table through the API: finance reads it, an admin replaces or adds prices."""

from __future__ import annotations

import pytest

TABLE = """zone,origin,destination,fare_class,price_cents,valid_from,valid_to
A,,,2,290,2026-01-01,2026-06-30
A,,,2,310,2026-07-01,
,Musterstadt Hbf,Jobcenter Nord,1,650,2026-01-01,
"""


def put(client, auth, body: str, role="admin"):
    return client.put("/api/v1/fares", data=body.encode(), headers={**auth(role), "Content-Type": "text/csv"})


def listed(client, auth) -> list[dict]:
    response = client.get("/api/v1/fares", headers=auth("finance"))
    assert response.status_code == 200
    return response.get_json()["fares"]


def test_put_adds_and_get_lists_the_fares(client, auth):
    assert put(client, auth, TABLE).get_json() == {"added": 3, "replaced": 0}
    fares = listed(client, auth)
    assert [(f["zone"], f["origin"], f["fare_class"], f["price_cents"], f["valid_to"]) for f in fares] == [
        ("A", None, 2, 290, "2026-06-30"), ("A", None, 2, 310, None), (None, "Musterstadt Hbf", 1, 650, None)]


def test_same_zone_class_and_start_replaces_the_price(client, auth):
    put(client, auth, TABLE)
    assert put(client, auth, "zone,fare_class,price_cents,valid_from\nA,2,320,2026-07-01\n").get_json() == {"added": 0, "replaced": 1}
    assert [f["price_cents"] for f in listed(client, auth) if f["zone"] == "A"] == [290, 320]


def test_route_in_the_other_direction_is_the_same_route(client, auth):
    put(client, auth, TABLE)
    body = "origin,destination,fare_class,price_cents,valid_from\nJobcenter Nord,Musterstadt Hbf,1,700,2026-01-01\n"
    assert put(client, auth, body).get_json() == {"added": 0, "replaced": 1}


@pytest.mark.parametrize("row, message", [
    ("A,,,2,4.80,2026-01-01,", "price_cents"),
    ("A,,,3,480,2026-01-01,", "fare_class"),
    (",Musterstadt Hbf,,2,480,2026-01-01,", "give either origin and destination, or a zone"),
    ("A,,,2,480,2026-02-30,", "valid_from"),
    ("A,,,2,480,2026-03-01,2026-02-01", "valid_to must not be before valid_from"),
    ("A,,,2,300,2026-05-01,", "overlaps"),
    ("A,,,2,300,2026-01-01,,extra", "more cells than columns"),
])
def test_bad_row_refuses_the_whole_table_with_its_line(client, auth, row, message):
    put(client, auth, TABLE)
    body = TABLE.splitlines()[0] + "\nB,,,2,300,2026-01-01,\n" + row + "\n"
    response = put(client, auth, body)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert {e["line"] for e in errors} == {3} and message in errors[0]["message"]
    assert len(listed(client, auth)) == 3  # B was not added either


def test_the_same_fare_twice_in_one_file_is_refused(client, auth):
    response = put(client, auth, "zone,fare_class,price_cents,valid_from\nA,2,290,2026-01-01\nA,2,300,2026-01-01\n")
    assert response.status_code == 422 and "same fare as line 2" in response.get_json()["errors"][0]["message"]


def test_a_file_without_the_columns_is_a_400_problem(client, auth):
    assert put(client, auth, "voucher_id,amount\n1,2\n").status_code == 400


def test_fares_need_finance_to_read_and_admin_to_change(client, auth):
    assert client.get("/api/v1/fares", headers=auth("issuer")).status_code == 403
    assert put(client, auth, TABLE, role="finance").status_code == 403
