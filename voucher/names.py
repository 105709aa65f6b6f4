"""How a typed name is compared with a stored one: case and accents ignored, so "yilmaz" finds
"Ayşe Yılmaz" and "lukasz" finds "Łukasz", the same on SQLite and PostgreSQL (the folded form is
stored next to the name, rather than relying on either database's collations)."""

from __future__ import annotations

import unicodedata

# Letters that carry their mark in the letter itself, so Unicode decomposition leaves them alone.
_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ħ": "h", "ŀ": "l", "æ": "ae", "œ": "oe", "þ": "th"})


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.translate(_LETTERS).split())
