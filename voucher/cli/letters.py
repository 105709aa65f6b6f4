"""Invitation letters from a CSV."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import utc_now
from .base import Context, cli, pass_ctx


@cli.group()
def letters() -> None:
    """Invitation letters."""


@letters.command("batch")
@click.argument("input_csv", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="PDF (or ZIP with --zip) to write.")
@click.option("--zip", "as_zip", is_flag=True, help="Write a ZIP of one PDF per letter.")
@pass_ctx
def letters_batch(ctx: Context, input_csv: str, out: str, as_zip: bool) -> None:
    """Issue a voucher per CSV row and render all letters; bad rows are reported, not fatal."""
    from ..letters import batch
    from ..tabular import read_text

    text = read_text(Path(input_csv).read_bytes())  # UTF-8, UTF-16, Windows-1252: as invoices are read
    rows = sum(1 for _ in batch.read_rows(text))
    with ctx.db.session() as session, click.progressbar(length=rows, label="Issuing", file=sys.stderr) as bar:
        result = batch.run(session, ctx.keystore, ctx.settings, text, utc_now(), progress=bar.update)
    for line, message in sorted(result.errors + result.notes):
        click.echo(f"line {line}: {message}", err=True)
    for line, message in result.warnings:
        click.echo(f"line {line}: warning: {message}", err=True)
    if result.letters:
        data = (batch.write_zip if as_zip else batch.write_pdf)(result.letters, ctx.settings)
        batch.save(data, Path(out))
    click.echo(
        f"{len(result.letters)} letters written to {out} ({result.reused} already issued before), "
        f"{len(result.errors)} rows rejected", err=True)
    if result.errors:
        sys.exit(1)


@letters.command("review-sheet")
@click.argument("language")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="PDF to write (default: review-LANGUAGE.pdf).")
def letters_review_sheet(language: str, out: str | None) -> None:
    """A language's letter texts beside the German ones, as a PDF for a fluent reviewer."""
    from ..letters import review

    target = Path(out or f"review-{language.lower()}.pdf")
    target.write_bytes(review.sheet(language))
    click.echo(f"review sheet for {language.lower()} written to {target}")
