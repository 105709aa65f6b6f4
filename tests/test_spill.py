"""A list kept in a temporary file: what goes in comes back, in order, by index too."""

from __future__ import annotations

import pytest

from voucher.spill import Spill


@pytest.mark.parametrize("count", [0, 1, 4, 5, 13])
def test_items_come_back_in_order_from_memory_and_from_the_file(count):
    spill: Spill[dict] = Spill(batch=4)
    spill.extend({"n": n, "detail": {"text": "ü" * n}} for n in range(count))
    assert len(spill) == count
    assert [item["n"] for item in spill] == list(range(count)) == [item["n"] for item in spill]  # read twice
    assert [spill[i]["n"] for i in range(count)] == list(range(count))
    if count:
        assert spill[-1]["n"] == count - 1 and [item["n"] for item in spill[1:3]] == list(range(count))[1:3]


def test_an_index_past_the_end_is_an_index_error():
    spill: Spill[int] = Spill(batch=2)
    spill.extend(range(3))
    with pytest.raises(IndexError):
        spill[3]


def test_closing_lets_the_file_go():
    spill: Spill[int] = Spill(batch=2)
    spill.extend(range(5))
    spill.close()
    assert len(spill) == 0 and list(spill) == []
