"""BCP 47 language tags (RFC 5646): checked for well-formedness, written in canonical case, and
matched against the languages we have texts for by RFC 4647 "Lookup".

Only the `langtag` production is accepted (language, script, region, variants, extensions,
private use, e.g. `de`, `de-CH`, `sr-Latn-RS`, `de-x-ls`); grandfathered tags (`i-klingon`) and
tags that are private use alone (`x-foo`) name no language a letter could be written in.
"""

from __future__ import annotations

import re

MAX_LENGTH = 35  # RFC 5646 §4.4.1: tags up to 35 characters cover every practical combination

_LANGTAG = re.compile(
    r"""^
    (?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})
    (?:-(?P<script>[a-z]{4}))?
    (?:-(?P<region>[a-z]{2}|[0-9]{3}))?
    (?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)
    (?P<extensions>(?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*)
    (?P<private>-x(?:-[a-z0-9]{1,8})+)?
    $""",
    re.VERBOSE,
)


def canonical(tag: str) -> str:
    """The tag in RFC 5646 §2.1.1 case: `de-x-ls`, `de-CH`, `sr-Latn-RS`; ValueError if it is
    not a well-formed language tag."""
    lowered = tag.strip().lower()
    match = _LANGTAG.match(lowered) if len(lowered) <= MAX_LENGTH else None
    if match is None:
        raise ValueError(
            f"must be a BCP 47 language tag of at most {MAX_LENGTH} characters, such as de, en, ar or de-x-ls")
    parts = [match["language"]]
    if match["script"]:
        parts.append(match["script"].title())
    if match["region"]:
        parts.append(match["region"].upper())
    return "-".join(parts) + match["variants"] + match["extensions"] + (match["private"] or "")


def lookup(tag: str, available: frozenset[str]) -> str | None:
    """RFC 4647 §3.4 Lookup: the longest prefix of the tag that is available (compared without
    case), dropping subtags from the end: `de-CH-1996` → `de-ch` → `de`."""
    subtags = tag.lower().split("-")
    while subtags:
        candidate = "-".join(subtags)
        if candidate in available:
            return candidate
        subtags.pop()
        if len(subtags) > 1 and len(subtags[-1]) == 1:  # a singleton never ends a candidate
            subtags.pop()
    return None
