"""The shared test vectors: committed file is current, and the Python verifier agrees with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.vectors import make_vectors
from voucher.keys import TrustList
from voucher.timefmt import parse_instant
from voucher.token import format as fmt
from voucher.token import revlist

FILE = Path(make_vectors.__file__).with_name("vectors.json")
DOCUMENT = json.loads(FILE.read_text(encoding="utf-8"))


def test_committed_vectors_match_the_generator():
    assert FILE.read_text(encoding="utf-8") == make_vectors.render()


def test_vectors_cover_every_required_case():
    names = {v["name"] for v in DOCUMENT["vectors"]}
    assert {"valid", "tampered_signature", "tampered_field", "unknown_key", "expired",
            "malformed_prefix", "truncated"} <= names


@pytest.mark.parametrize("vector", DOCUMENT["vectors"], ids=lambda v: v["name"])
def test_python_verifier_agrees_with_vector(vector):
    trust = TrustList.from_json(DOCUMENT["trust"])
    now = parse_instant(vector["now"])
    if vector["expect"]["valid"]:
        claims = fmt.verify(vector["code"], trust, now, set(vector["revoked"])).claims
        assert claims.to_json() == vector["expect"]["claims"]
    else:
        with pytest.raises(fmt.InvalidVoucher) as caught:
            fmt.verify(vector["code"], trust, now, set(vector["revoked"]))
        assert caught.value.reason == vector["expect"]["reason"]


REVOKED = {"0RV4K8ZQ3M2TA", "7ZZZZZZZZZZZZ", "0000000000001"}


@pytest.mark.parametrize("name, field, forged", [("revocation_list", "entries", []),
                                                 ("revocation_list_compact", "count", 2)])
def test_signed_revocation_list_vectors_verify_and_reject_tampering(name, field, forged):
    trust = TrustList.from_json(DOCUMENT["trust"])
    assert revlist.verified_ids(DOCUMENT[name], trust) == REVOKED
    with pytest.raises(ValueError):
        revlist.verified_ids({**DOCUMENT[name], field: forged}, trust)
