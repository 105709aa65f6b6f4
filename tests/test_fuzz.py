"""No forged or mutated code ever verifies. CI runs a few thousand examples; the benchmark run
(bench/fuzz.py) sets VOUCHER_FUZZ_EXAMPLES=100000."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_format import TRUST, TYPICAL
from tests.vectors.make_vectors import KEY, NOW
from voucher.token import format as fmt
from voucher.token.base45 import ALPHABET, b45decode, b45encode

EXAMPLES = int(os.environ.get("VOUCHER_FUZZ_EXAMPLES", "3000"))
CODE = fmt.encode(TYPICAL, KEY)
RAW = b45decode(CODE[len(fmt.PREFIX):])


def _bytes_mutation():
    flip = st.tuples(st.just("flip"), st.integers(0, len(RAW) - 1), st.integers(1, 255))
    cut = st.tuples(st.just("cut"), st.integers(0, len(RAW) - 1), st.just(0))
    insert = st.tuples(st.just("insert"), st.integers(0, len(RAW)), st.integers(0, 255))
    return st.lists(st.one_of(flip, cut, insert), min_size=1, max_size=4)


def _apply(raw: bytes, steps) -> bytes:
    data = bytearray(raw)
    for kind, index, value in steps:
        index = min(index, len(data) - 1) if kind != "insert" else min(index, len(data))
        if kind == "flip" and data:
            data[index] ^= value
        elif kind == "cut" and data:
            del data[index]
        elif kind == "insert":
            data.insert(index, value)
    return bytes(data)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    _bytes_mutation().map(lambda steps: fmt.PREFIX + b45encode(_apply(RAW, steps))),
    st.tuples(st.integers(len(fmt.PREFIX), len(CODE) - 1), st.sampled_from(ALPHABET))
      .map(lambda t: CODE[:t[0]] + t[1] + CODE[t[0] + 1:]),
))
def test_no_mutated_code_verifies(code):
    if code == CODE:
        return  # a "mutation" that changed nothing (same character substituted)
    try:
        fmt.verify(code, TRUST, NOW)
    except fmt.InvalidVoucher:
        return
    raise AssertionError(f"mutated code verified: {code!r}")
