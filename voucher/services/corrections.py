"""A corrected invoice: the operator sends an invoice again under the same number, changed.

The correction is matched as if the stored version had never paid (invoice_matching.match with
`corrects`), so each journey is paid by the new lines alone; the stored version is then
superseded and pays nothing more. What was paid already stays paid, so only the difference is
payable: the correction's `payable_cents` is its full payable less what the stored version's
lines still pay (after credit notes of later invoices; negative: owed back). Its lines are compared with the stored version's per voucher
and travel day, and every day whose billed or payable amount changed is kept as a `difference` row: more
owed, or owed back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store import Invoice
from .invoice_matching import stored_row

DIFFERENCE = "correction_difference"
_NOT_CHARGES = (DIFFERENCE, "rejected", "redeemed_not_billed")


def latest(session: Session, number: str | None, operator: str | None) -> Invoice | None:
    """The stored invoice with this number from this operator, as its latest version: the one an
    upload with this number corrects, and the one a credit note naming this number credits."""
    if not number:
        return None
    return session.scalar(select(Invoice).where(Invoice.number == number, Invoice.superseded_by.is_(None),
                                                Invoice.operator.is_(None) if operator is None else Invoice.operator == operator)
                          .order_by(Invoice.id.desc()).limit(1))


def _by_day(rows: Iterable[dict]) -> dict[tuple, list[int]]:
    """(voucher, day) -> [billed, payable] over the charges and credits of one version."""
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row["line"] is not None and row["outcome"] not in _NOT_CHARGES and row["amount_cents"] is not None:
            entry = sums[(row["voucher_id"], row["travel_date"])]
            entry[0] += row["amount_cents"]
            entry[1] += row["payable_cents"]
    return sums


def difference(before: Iterable[dict], paying: dict[tuple, int], after: Iterable[dict]) -> list[dict]:
    """One row per voucher and day whose billed or paid amount changed, in date order: billed as
    the two versions say, paid before as `paying` (invoice_matching.paying) says."""
    old, new = _by_day(before), _by_day(after)
    for key in set(old) | set(paying):
        old[key][1] = paying.get(key, 0)
    out = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[1], k[0])):
        (billed_before, payable_before), (billed_after, payable_after) = old.get(key, (0, 0)), new.get(key, (0, 0))
        if (billed_before, payable_before) == (billed_after, payable_after):
            continue
        change = payable_after - payable_before
        out.append(stored_row(DIFFERENCE, None, key[0], key[1], None, {
            "billed_before_cents": billed_before, "billed_after_cents": billed_after,
            "payable_before_cents": payable_before, "payable_after_cents": payable_after,
            "difference_cents": change, "direction": "more_owed" if change > 0 else "owed_back" if change < 0 else "none"}))
    return out


def settle(totals: dict, before: dict, paying: dict[tuple, int]) -> None:
    """Make the correction's totals the difference to the stored version (billed as it said,
    payable as its lines still pay); both kept in full."""
    old_billed = before.get("full_billed_cents", before["billed_cents"])
    old_payable = sum(paying.values())
    totals.update(full_billed_cents=totals["billed_cents"], full_payable_cents=totals["payable_cents"],
                  corrected_billed_cents=old_billed, corrected_payable_cents=old_payable)
    totals["billed_cents"] -= old_billed
    totals["payable_cents"] -= old_payable
    totals["disputed_cents"] = totals["billed_cents"] - totals["payable_cents"]
