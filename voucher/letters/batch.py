"""Letters for a whole CSV: issue each row (idempotently), render every letter, report bad rows.

A bad row never stops the batch: it is reported with its line number and the rest go through.
Rows are issued in chunks, each committed on its own, so a batch killed half-way and run again
issues nothing twice (the row's external_ref, or a digest of the row when it has none, is its
idempotency key).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ..config import Settings
from ..keys import KeyStore
from ..schemas import IssueRequest, error_summary
from ..services.issuing import IssuingService
from ..tabular import BadLine, dict_rows
from . import texts
from .render import Letter, render

ADDRESS_COLUMNS = ("address_1", "address_2", "address_3")
INT_COLUMNS = ("fare_class", "travellers", "max_fare_cents")
TRUE = {"1", "true", "yes", "ja", "j", "x", "y"}
FALSE = {"0", "false", "no", "nein", "n", ""}


@dataclass
class BatchResult:
    letters: list[Letter] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)  # e.g. a language without texts
    warnings: list[tuple[int, str]] = field(default_factory=list)  # e.g. the voucher replaced was used
    reused: int = 0


def read_rows(text: str) -> Iterator[tuple[int, dict | BadLine]]:
    """(line number, row or why its line is refused) pairs, read by the reader every upload
    shares (voucher/tabular.py): `,`, `;` or tab, a `sep=` line, a header with holder_name."""
    _, rows = dict_rows(text, {"holder_name"}, "the CSV needs a header row with at least holder_name (see README)")
    for line, row in rows:
        if isinstance(row, BadLine) or any((v or "").strip() for v in row.values() if isinstance(v, str)):
            yield line, row


def to_request_fields(row: dict) -> dict:
    """CSV cells (all text) to the JSON-like fields IssueRequest validates."""
    # text cells becoming numbers, booleans and a list of address lines: JSON-like values
    fields: dict[str, Any] = {k: v.strip() for k, v in row.items() if k and isinstance(v, str) and v.strip()}
    for name in INT_COLUMNS:
        if fields.get(name, "").isdigit():
            fields[name] = int(fields[name])
    if "return_trip" in fields:
        word = fields["return_trip"].lower()
        fields["return_trip"] = True if word in TRUE else False if word in FALSE else word
    address = [fields.pop(c) for c in ADDRESS_COLUMNS if c in fields]
    if address:
        fields["recipient_address"] = address
    if "external_ref" not in fields:
        digest = hashlib.sha256(repr(sorted(fields.items())).encode()).hexdigest()[:32]
        fields["external_ref"] = f"csv:{digest}"
    return fields


def run(
    session: Session, keystore: KeyStore, settings: Settings, text: str, now: datetime,
    actor: str = "batch", progress: Callable[[int], None] = lambda n: None,
) -> BatchResult:
    """Issue every row through the same service as the API's batch route; letters in row order."""
    result = BatchResult()
    valid: list[tuple[int, IssueRequest]] = []
    for line, row in read_rows(text):
        if isinstance(row, BadLine):
            result.errors.append((line, row.en))
            progress(1)
            continue
        try:
            valid.append((line, IssueRequest.model_validate(to_request_fields(row), context={"tz": settings.timezone})))
        except ValidationError as exc:
            result.errors.append((line, error_summary(exc)))
            progress(1)
    issued = IssuingService(session, keystore, settings).issue_many([r for _, r in valid], actor, now, progress)
    for (line, _), outcome in zip(valid, issued, strict=True):
        if outcome.error is not None:
            result.errors.append((line, outcome.error.detail))
            continue
        assert outcome.voucher is not None  # an outcome without an error has its voucher
        result.reused += not outcome.created
        result.letters.append(Letter.from_voucher(outcome.voucher, now, settings.retention.days))
        if note := texts.fallback_note(outcome.voucher.language):
            result.notes.append((line, note))
        result.warnings += [(line, warning) for warning in outcome.warnings]
    result.errors.sort()
    return result


def _render_chunk(args: tuple[list[Letter], ZoneInfo]) -> bytes:
    return render(*args)


def _parallel(chunks: list[list[Letter]], tz: ZoneInfo, workers: int) -> list[bytes]:
    """Render chunks in worker processes (fpdf2 is pure Python: threads would share one core)."""
    if workers <= 1 or len(chunks) <= 1:
        return [render(chunk, tz) for chunk in chunks]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(_render_chunk, [(chunk, tz) for chunk in chunks]))


def write_pdf(letters: list[Letter], settings: Settings, workers: int | None = None) -> bytes:
    """One PDF of all letters, in order; rendered in parallel parts and joined page by page."""
    workers = workers or os.cpu_count() or 1
    size = max(1, -(-len(letters) // workers))
    parts = _parallel([letters[i : i + size] for i in range(0, len(letters), size)], settings.timezone, workers)
    if len(parts) == 1:
        return parts[0]
    merged = pdfium.PdfDocument.new()
    for part in parts:
        merged.import_pages(pdfium.PdfDocument(part))
    buffer = io.BytesIO()
    merged.save(buffer)
    return buffer.getvalue()


def save(data: bytes, target: Path) -> None:
    """Write letters (personal data: owner-only, 0600) so that `target` appears only complete."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        handle.write(data)
    partial.replace(target)


def write_zip(letters: list[Letter], settings: Settings, workers: int | None = None) -> bytes:
    pdfs = _parallel([[letter] for letter in letters], settings.timezone, workers or os.cpu_count() or 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for letter, pdf in zip(letters, pdfs, strict=True):
            archive.writestr(f"letter-{letter.voucher_id}.pdf", pdf)
    return buffer.getvalue()
