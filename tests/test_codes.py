from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voucher.token import codes
from voucher.token.base45 import b45decode, b45encode


@given(st.binary(min_size=8, max_size=8))
def test_short_code_round_trips_in_any_spelling(raw):
    voucher_id = codes.id_to_text(raw)
    short = codes.short_code(voucher_id)
    assert codes.id_from_text(short) == raw
    assert codes.id_from_text(short.lower().replace("-", " ")) == raw
    assert codes.id_from_text(short.replace("0", "O").replace("1", "I")) == raw


def test_short_code_uses_no_ambiguous_letters():
    short = codes.short_code(codes.id_to_text(bytes(range(8))))
    assert not set(short) & set("ILOU")


@given(st.binary(min_size=8, max_size=8), st.data())
def test_single_typo_in_short_code_is_caught(raw, data):
    short = codes.short_code(codes.id_to_text(raw)).replace("-", "")
    i = data.draw(st.integers(0, len(short) - 1))
    wrong = data.draw(st.sampled_from([c for c in codes.ALPHABET if c != short[i]]))
    with pytest.raises(ValueError):
        codes.id_from_text(short[:i] + wrong + short[i + 1:])


@pytest.mark.parametrize("text", ["", "XYZ", "!!!!-!!!!-!!!!-!!", "Z" * 13])
def test_garbage_is_not_an_id(text):
    with pytest.raises(ValueError):
        codes.id_from_text(text)


@given(st.binary(max_size=300))
def test_base45_round_trip(data):
    assert b45decode(b45encode(data)) == data


def test_base45_matches_rfc_9285_examples():
    assert b45encode(b"AB") == "BB8"
    assert b45encode(b"Hello!!") == "%69 VD92EX0"
    assert b45decode("QED8WEX0") == b"ietf!"
    with pytest.raises(ValueError):
        b45decode("GGW")  # 65535 < value: overflows two bytes
