"""Voucher ids and the short code printed on the letter.

A voucher id is 64 random bits. Its text form is Crockford Base32 (13 characters), which has no
I, L, O or U; input is read case-insensitively with O as 0 and I/L as 1, so a code read aloud or
typed from a letter still resolves. The short code adds a Luhn mod 32 check character and
groups of four, so a mistyped character is caught before any lookup.
"""

import secrets

ID_BYTES = 8
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_ID_CHARS = 13


def new_id_bytes() -> bytes:
    return secrets.token_bytes(ID_BYTES)


def id_to_text(raw: bytes) -> str:
    if len(raw) != ID_BYTES:
        raise ValueError(f"a voucher id has {ID_BYTES} bytes, not {len(raw)}")
    n = int.from_bytes(raw, "big")
    return "".join(ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(_ID_CHARS)))


def id_from_text(text: str) -> bytes:
    """Parse an id or a short code (dashes, spaces, case and look-alikes tolerated).

    Raises ValueError with a sentence a person can act on."""
    chars = text.upper().translate(_LOOKALIKES).replace("-", "").replace(" ", "")
    if len(chars) not in (_ID_CHARS, _ID_CHARS + 1) or any(c not in _VALUE for c in chars):
        raise ValueError(f"{text!r} is not a voucher code (expected 14 letters and digits)")
    if len(chars) == _ID_CHARS + 1:
        if _check_char(chars[:-1]) != chars[-1]:
            raise ValueError("the code's check character does not match: please re-check it")
        chars = chars[:-1]
    n = 0
    for c in chars:
        n = (n << 5) | _VALUE[c]
    if n >> (8 * ID_BYTES):
        raise ValueError(f"{text!r} is not a voucher code")
    return n.to_bytes(ID_BYTES, "big")


def normalize_id(text: str) -> str:
    """The canonical id for any accepted spelling of an id or short code."""
    return id_to_text(id_from_text(text))


def short_code(voucher_id: str) -> str:
    full = voucher_id + _check_char(voucher_id)
    return "-".join(full[i : i + 4] for i in range(0, len(full), 4))


def _check_char(chars: str) -> str:
    """Luhn mod N (N = 32): catches every single-character error and adjacent swaps."""
    total, factor = 0, 2
    for c in reversed(chars):
        addend = factor * _VALUE[c]
        total += addend // 32 + addend % 32
        factor = 3 - factor
    return ALPHABET[(32 - total % 32) % 32]
