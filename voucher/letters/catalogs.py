"""Letter translations as gettext catalogues, so fluent reviewers work in Poedit or Weblate.

`voucher/templates/letters/po/<tag>.po` holds one language's texts: msgctxt is the key of de.toml
(`steps[0]` for an item of a list, `layout.<key>` for a text only a layout of its own has), msgid
the German text it translates and msgstr the translation. A German text that changes no longer
matches its msgid, so the translation shows as outdated (`outdated`) instead of silently
translating the old sentence. The header carries the review: `X-Reviewed-By`, `X-Review-Date`
and `X-Review-Status` (Babel drops headers it does not know, so they are read from the text).

The catalogues are read at runtime, once per process (Babel's read_po, cached): a .mo would save
nothing measurable against rendering, and there is no compiled file to forget to rebuild.
`compile_mo` is what CI runs to prove each one compiles.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import cast

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

_HEADER = re.compile(r'^"(X-Review(?:ed-By|-Date|-Status)): ?(.*?)\\n"$', re.M)
_ITEM = re.compile(r"^(\w+)\[(\d+)\]$")
SETTINGS = ("date_long", "date_short", "time", "time_on_the_hour")  # strings in de.toml that are no text


@dataclass(frozen=True)
class Review:
    status: str
    by: str
    date: str


def po_path(folder: Path, tag: str) -> Path:
    return folder / "po" / f"{tag}.po"


@cache
def read(folder: Path, tag: str) -> Catalog:
    with po_path(folder, tag).open("rb") as file:
        return read_po(file, locale=None, abort_invalid=True)


@cache
def review(folder: Path, tag: str) -> Review:
    fields = dict(_HEADER.findall(po_path(folder, tag).read_text(encoding="utf-8").split("\n\n", 1)[0]))
    return Review(fields.get("X-Review-Status", ""), fields.get("X-Reviewed-By", ""), fields.get("X-Review-Date", ""))


def texts(folder: Path, tag: str) -> dict:
    """The translated texts by key, lists and tables rebuilt; an empty msgstr is no translation."""
    out: dict = {}
    items: dict[str, dict[int, str]] = {}
    for message in read(folder, tag):
        if not message.id or not message.context or not message.string:
            continue
        key, value = message.context, cast(str, message.string)  # no message is plural
        if item := _ITEM.match(key):
            items.setdefault(item[1], {})[int(item[2])] = value
        elif key.startswith("layout."):
            out.setdefault("layout", {})[key.removeprefix("layout.")] = value
        else:
            out[key] = value
    for key, values in items.items():
        out[key] = [values[n] for n in sorted(values)]
    return out


def sources(german: dict) -> dict[str, str]:
    """The German texts by msgctxt, as a catalogue's msgids must read."""
    out = {}
    for key, value in german.items():
        if isinstance(value, list):
            out.update({f"{key}[{n}]": item for n, item in enumerate(value)})
        elif isinstance(value, str) and key not in SETTINGS:
            out[key] = value
    return out


def outdated(folder: Path, tag: str, german: dict) -> list[str]:
    """Keys whose translation was made from a German text that has changed since."""
    current = sources(german)
    return [m.context for m in read(folder, tag)
            if m.context in current and m.id != current[m.context]]


def compile_mo(folder: Path, tag: str) -> bytes:
    """The catalogue compiled as gettext's .mo; raises ValueError on a message Babel's checks reject."""
    catalog = read(folder, tag)
    problems = [f"{message.context}: {error}" for message, errors in catalog.check() for error in errors]
    if problems:
        raise ValueError(f"{tag}.po: " + "; ".join(problems))
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()
