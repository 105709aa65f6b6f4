"""A large invoice is read in bounded memory: the upload in chunks, never whole; its text
decoded and split as it is read; its lines kept packed (voucher/invoice_csv.py's Lines), its
refused lines on disk (voucher/spill.py)."""

from __future__ import annotations

import gc
import io
import random
import tracemalloc
from dataclasses import fields
from datetime import date

from voucher.invoice_csv import Line, Lines, read
from voucher.services import invoice_matching

TODAY = date(2026, 12, 31)


def invoice(lines: int, remark: int) -> bytes:
    """A November invoice with a long remark on every line (the remark is read and let go)."""
    rows = (f"{n % 5000:013d};{1 + n % 28:02d}.11.2026;4,80;{'Fahrt zum Jobcenter ' * (remark // 20)}\r\n"
            for n in range(lines))
    return ("voucher_id;travel_date;amount;Bemerkung\r\n" + "".join(rows)).encode("cp1252")


class Upload(io.RawIOBase):
    """A request body as it arrives: read a chunk at a time; asked for all of it (or for more
    than a megabyte) at once, it fails the test."""

    def __init__(self, data: bytes):
        self.data, self.at = memoryview(data), 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None and 0 < size <= 1 << 20, f"the upload was read whole (read({size}))"
        piece = bytes(self.data[self.at:self.at + size])
        self.at += len(piece)
        return piece


def test_the_upload_is_read_a_chunk_at_a_time():
    data = invoice(5_000, 100)
    assert len(read(Upload(data), TODAY).lines) == 5_000


def test_reading_an_invoice_holds_its_packed_lines_and_little_else():
    """20,000 lines of 430 bytes (8.6 MB): what reading allocates at its peak is the packed lines
    (33 bytes each) and buffers, about a tenth of the file. Holding its text (8.6 MB), the
    fields of its lines or a Line object per line (170 bytes) would each be well over the bound."""
    lines = 20_000
    data = invoice(lines, 400)
    tracemalloc.start()
    try:
        result = read(Upload(data), TODAY)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(result.lines) == lines and result.lines_in_file == lines
    assert peak < 48 * lines + (1 << 18), f"{peak:,} bytes at the peak reading a file of {len(data):,} bytes"


def test_packed_lines_give_back_every_field_of_a_line():
    written = [Line(2, f"{7:013d}", date(2026, 11, 3), 480), Line(9, "FZZZZZZZZZZZZ", date(2026, 11, 30), -1290, "RE-2026-11"),
               Line(11, f"{8:013d}", date(2026, 11, 30), 290)]
    lines = Lines()
    for line in written:
        lines.append(line)
    assert list(lines) == written and [lines[0], lines[1], lines[-1]] == written and lines[0:3] == written
    assert list(lines.at([2, 0])) == [written[2], written[0]]
    assert list(lines.voucher_ids()) == [line.voucher_id for line in written]
    # A field added to Line needs its column in Lines, or it would be lost here.
    assert [f.name for f in fields(Line)] == ["line", "voucher_id", "travel_date", "amount_cents", "reference"]


def test_lines_are_matched_in_buckets_that_are_ranges_of_voucher_ids(monkeypatch):
    """A bucket is a range of voucher ids (its queries read one stretch of each index), so a
    voucher's lines are all in one bucket; each line is in exactly one, in file order; the
    buckets are about BUCKET_LINES lines each, their bounds drawn from a sample."""
    monkeypatch.setattr(invoice_matching, "BUCKET_LINES", 100)
    chance = random.Random(20)
    lines = Lines()
    for n in range(1_000):
        lines.append(Line(n + 2, f"{chance.randrange(16**12):013X}" if n % 3 else f"{n % 7:013d}", date(2026, 11, 3), 480))
    members = [list(member) for member in invoice_matching._buckets(lines)]
    assert sorted(i for member in members for i in member) == list(range(1_000))
    assert all(member == sorted(member) for member in members)
    ranges = [(min(ids), max(ids)) for ids in ([lines[i].voucher_id for i in member] for member in members) if ids]
    assert all(high < next_low for (_, high), (next_low, _) in zip(ranges, ranges[1:], strict=False))
    assert len(members) == 10 and max(map(len, members)) < 250


def test_invoices_matched_at_once_leave_the_cycle_collector_as_they_found_it():
    """The collector's threshold is the process's: raised while any invoice is matched, put back
    when the last one is done, whichever order they end in."""
    from voucher.services import invoices

    found = gc.get_threshold()
    first, second = invoices._fewer_collections(), invoices._fewer_collections()
    first.__enter__()
    second.__enter__()
    assert gc.get_threshold()[0] == invoices.COLLECT_AFTER
    first.__exit__(None, None, None)
    assert gc.get_threshold()[0] == invoices.COLLECT_AFTER  # the second is still matching
    second.__exit__(None, None, None)
    assert gc.get_threshold() == found
