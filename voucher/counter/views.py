"""Finding vouchers, a voucher's page, and its letter."""

from __future__ import annotations

from datetime import date

from flask import Response, redirect, render_template, request, url_for

from .. import context
from ..access import log_download
from ..letters.render import voucher_letter
from ..schemas import plausible
from ..services import lookup, vouchers
from ..services.errors import Gone, NotFound
from ..staff.auth import page_for
from ..token.codes import short_code
from . import bp, words


def not_found():
    return render_template("staff/error.html", title_key="not_found_title", text_key="not_found_text"), 404


@bp.get("/")
@page_for("issuer")
def search():
    text = request.args.get("q", "").strip()[:1000]
    day_text = request.args.get("day", "").strip()[:40]
    if not text.isprintable():  # a NUL byte or a line break: no name or code has one
        return render_template("counter/search.html", q="", day=day_text, problem="err_search_text", results=None), 400
    try:
        day = date.fromisoformat(day_text) if day_text else None
    except ValueError:
        day = None
    if day_text and (day is None or not plausible(day)):
        return render_template("counter/search.html", q=text, day=day_text, problem="err_day", results=None), 400
    if not text and day is None:
        return render_template("counter/search.html", q="", day="", results=None)
    found = lookup.find(context.session(), text, day, context.services().settings.timezone)
    if len(found) == 1 and day is None and lookup.exact_id(text) == found[0].id:
        return redirect(url_for("counter.voucher", voucher_id=found[0].id))  # a scanned or typed code
    now = context.now()
    results = [_result(lookup.facts(context.session(), v, with_history=False), now) for v in found[:lookup.LIMIT]]
    return render_template("counter/search.html", q=text, day=day_text, results=results,
                           more=len(found) > lookup.LIMIT)


def _result(facts: lookup.Facts, now) -> tuple:
    """A search result: the voucher, its headline, and its arrival at the reception if any."""
    return facts.voucher, words.state(facts, now)[0], facts.arrived and words.arrival(facts.arrived)


@bp.get("/vouchers/<voucher_id>")
@page_for("issuer")
def voucher(voucher_id: str):
    try:
        found = vouchers.get(context.session(), voucher_id)
    except NotFound:
        return not_found()
    facts = lookup.facts(context.session(), found)
    history = words.history(facts)
    return render_template("counter/voucher.html", v=found, facts=facts, code=short_code(found.id),
                           state=words.state(facts, context.now()), history=history,
                           language=words.language(found.language))


@bp.get("/vouchers/<voucher_id>/letter.pdf")
@page_for("issuer")
def letter(voucher_id: str):
    try:
        found = vouchers.printable(context.session(), voucher_id)
    except NotFound:
        return not_found()
    except vouchers.Cancelled as gone:  # the letter of a cancelled voucher is not a ticket
        return render_template("staff/error.html", title_key="letter_cancelled_title",
                               text_key="letter_replaced_text" if gone.replaced_by else "letter_cancelled_text"), 410
    except Gone:
        return render_template("staff/error.html", title_key="erased_title", text_key="erased_text"), 410
    pdf = voucher_letter(found, context.now(), context.services().settings)
    log_download("letter", found.id, language=found.language)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{short_code(found.id)}.pdf"'})
