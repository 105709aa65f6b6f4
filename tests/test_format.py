"""The JV1 token: round trip, size bound, every rejection reason, and arbitrary input."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.vectors.make_vectors import KEY, NOW, START, claims, trust_list
from voucher import qr
from voucher.token import format as fmt
from voucher.token.base45 import b45decode, b45encode
from voucher.token.format import InvalidVoucher, Reason

TRUST = trust_list()
# A typical letter: a 30-character name with non-Latin letters, two 20-character stops.
TYPICAL_NAME = "Zeynep Öztürk-Wiśniewska Ağaç"
TYPICAL = claims(
    holder_name=TYPICAL_NAME + "ı",
    origin="Köln Hbf Gleis 1-10x",
    destination="Düsseldorf Flughafen",
    valid_until=START + timedelta(days=1),
    office="JC-DEMO",
)


def test_typical_route_voucher_fits_qr_version_9_at_level_m():
    assert len(TYPICAL.holder_name) == 30 and len(TYPICAL.origin) == len(TYPICAL.destination) == 20
    assert qr.version(fmt.encode(TYPICAL, KEY)) <= 9


def test_typical_zone_voucher_fits_qr_version_8_at_level_m():
    zoned = replace(TYPICAL, zone="AB", origin=None, destination=None)
    assert qr.version(fmt.encode(zoned, KEY)) <= 8


def test_round_trip_returns_the_same_claims():
    verified = fmt.verify(fmt.encode(TYPICAL, KEY), TRUST, NOW)
    assert verified.claims == TYPICAL
    assert verified.key.kid == TYPICAL.kid


def test_code_is_qr_alphanumeric_text():
    code = fmt.encode(TYPICAL, KEY)
    assert code.startswith("JV1:")
    assert set(code) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def test_qr_payload_carries_no_office_only_data():
    raw = b45decode(fmt.encode(TYPICAL, KEY)[4:])
    # Everything in the body is accounted for by the claims fields (no hidden extras).
    texts = [TYPICAL.holder_name, TYPICAL.office, TYPICAL.origin, TYPICAL.destination]
    assert len(raw) == 2 + 8 + 4 + 2 + 1 + sum(1 + len(t.encode()) for t in texts) + 64


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"), Reason.BAD_SIGNATURE),
        (lambda c: "JV9:" + c[4:], Reason.UNSUPPORTED_VERSION),
        (lambda c: c[:40], Reason.MALFORMED),
        (lambda c: c.lower(), Reason.MALFORMED),
        (lambda c: "", Reason.MALFORMED),
    ],
)
def test_mutated_code_is_rejected_with_its_reason(mutate, reason):
    with pytest.raises(InvalidVoucher) as caught:
        fmt.verify(mutate(fmt.encode(TYPICAL, KEY)), TRUST, NOW)
    assert caught.value.reason == reason


def test_clock_skew_is_a_named_tolerance_at_both_ends():
    code = fmt.encode(TYPICAL, KEY)
    fmt.verify(code, TRUST, TYPICAL.valid_from - fmt.CLOCK_SKEW)
    fmt.verify(code, TRUST, TYPICAL.valid_until + fmt.CLOCK_SKEW - timedelta(seconds=1))
    with pytest.raises(InvalidVoucher, match="expired"):
        fmt.verify(code, TRUST, TYPICAL.valid_until + fmt.CLOCK_SKEW)
    with pytest.raises(InvalidVoucher, match="not_yet_valid"):
        fmt.verify(code, TRUST, TYPICAL.valid_from - fmt.CLOCK_SKEW - timedelta(seconds=1))


def test_key_outside_its_trust_window_is_unknown():
    late = TRUST.keys[0].not_after + timedelta(days=1)
    with pytest.raises(InvalidVoucher) as caught:
        fmt.verify(fmt.encode(TYPICAL, KEY), TRUST, late)
    assert caught.value.reason == Reason.UNKNOWN_KEY


def test_revoked_rejection_still_names_the_voucher():
    with pytest.raises(InvalidVoucher) as caught:
        fmt.verify(fmt.encode(TYPICAL, KEY), TRUST, NOW, revoked={TYPICAL.voucher_id})
    assert caught.value.reason == Reason.REVOKED and caught.value.claims == TYPICAL


def test_trailing_bytes_are_malformed_even_with_a_valid_signature():
    body = fmt._pack(TYPICAL) + b"\x00"
    code = fmt.PREFIX + b45encode(body + KEY.sign(fmt.PREFIX.encode() + body))
    with pytest.raises(InvalidVoucher, match="malformed"):
        fmt.verify(code, TRUST, NOW)


@pytest.mark.parametrize(
    "change",
    [dict(travellers=0), dict(travellers=10), dict(fare_class=3), dict(zone="AB"),
     dict(valid_until=START), dict(holder_name="")],
)
def test_encoder_refuses_claims_the_format_cannot_carry(change):
    with pytest.raises(ValueError):
        fmt.encode(replace(TYPICAL, **change), KEY)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.binary().map(lambda b: "JV1:" + b45encode(b)),
                 st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:").map(lambda t: "JV1:" + t)))
def test_any_input_is_a_voucher_or_a_clean_rejection(text):
    try:
        fmt.verify(text, TRUST, NOW)
    except InvalidVoucher as exc:
        assert exc.reason in set(Reason)
    else:  # pragma: no cover - would mean a forgery
        pytest.fail(f"random input verified: {text!r}")


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_single_byte_change_is_rejected(data):
    raw = bytearray(b45decode(fmt.encode(TYPICAL, KEY)[4:]))
    index = data.draw(st.integers(0, len(raw) - 1))
    raw[index] ^= data.draw(st.integers(1, 255))
    with pytest.raises(InvalidVoucher):
        fmt.verify(fmt.PREFIX + b45encode(bytes(raw)), TRUST, NOW)
