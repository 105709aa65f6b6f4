"""The review sheet: a language's letter texts beside the German ones, one row per text, for a
fluent reviewer who reads on paper (`voucher letters review-sheet LANG`). A row whose German text
changed after it was translated is marked, so the reviewer knows which sentences to redo."""

from __future__ import annotations

from . import catalogs, texts
from .typeset import Typesetter, needs_shaping, new_document

LEFT, MIDDLE, RIGHT, BOTTOM = 12.0, 106.0, 200.0, 282.0
COLUMN = MIDDLE - LEFT - 3
SIZE = 9.5


def sheet(tag: str) -> bytes:
    """The PDF; ValueError for a language without a catalogue (German is the source, not a translation)."""
    tag = tag.lower()
    if tag == texts.DEFAULT_LANGUAGE or tag not in texts.languages() or not catalogs.po_path(texts.LETTERS, tag).exists():
        raise ValueError(f"no translation catalogue for language {tag!r}; there are: "
                         + ", ".join(sorted(texts.languages() - {texts.DEFAULT_LANGUAGE})))
    german = catalogs.sources(texts.catalog(texts.DEFAULT_LANGUAGE))
    own = catalogs.texts(texts.LETTERS, tag)
    own = catalogs.sources({**own, **{f"layout.{k}": v for k, v in own.pop("layout", {}).items()}})
    stale = set(catalogs.outdated(texts.LETTERS, tag, texts.catalog(texts.DEFAULT_LANGUAGE)))
    lang, review = texts.language(tag), catalogs.review(texts.LETTERS, tag)
    pdf = new_document()
    setter = Typesetter(pdf)
    setter.start_letter(needs_shaping([*own.values(), lang.name]))
    pdf.add_page()
    y = setter.paragraph(LEFT, 10, RIGHT - LEFT, f"Prüfbogen Übersetzung: {texts.staff_name(tag)}", 13, bold=True)
    status = f"Stand: {review.status}. Geprüft von: {review.by or 'niemand'}{', am ' + review.date if review.date else ''}."
    y = setter.paragraph(LEFT, y + 1, RIGHT - LEFT, status, 9) + 2
    y = _row(setter, y, "Deutsch (verbindlich)", texts.staff_name(tag), bold=True, rtl=False)
    for key in [*german, *(k for k in own if k not in german)]:
        note = " – Deutsch geändert, bitte neu übersetzen" if key in stale else ""
        source, translation = german.get(key, "(nur in dieser Sprache)"), own.get(key, "(nicht übersetzt: deutsch)")
        needed = max(setter.height(source, COLUMN, SIZE), setter.height(translation, COLUMN, SIZE)) + 6
        if y + needed > BOTTOM:
            pdf.add_page()
            y = 12.0
        pdf.set_text_color(90, 90, 90)
        y = setter.paragraph(LEFT, y, RIGHT - LEFT, key + note, 7)
        pdf.set_text_color(0, 0, 0)
        y = _row(setter, y, source, translation, rtl=lang.rtl)
    return bytes(pdf.output())


def _row(setter: Typesetter, y: float, german: str, translation: str, bold: bool = False, rtl: bool = False) -> float:
    below = setter.paragraph(LEFT, y, COLUMN, german, SIZE, bold)
    beside = setter.paragraph(MIDDLE, y, COLUMN, translation, SIZE, bold, rtl=rtl)
    setter.pdf.set_draw_color(180, 180, 180)
    setter.pdf.line(LEFT, max(below, beside) + 1, RIGHT, max(below, beside) + 1)
    setter.pdf.set_draw_color(0, 0, 0)
    return max(below, beside) + 2.5
