"""Every text the verifier page shows exists in German and in English, without emoji."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "voucher" / "verifier" / "static"
SOURCE = (STATIC / "i18n.js").read_text(encoding="utf-8")
PAGE = (ROOT / "voucher" / "templates" / "verifier" / "index.html").read_text(encoding="utf-8")
SCRIPTS = "\n".join(p.read_text(encoding="utf-8") for p in STATIC.glob("*.js"))


def texts(language: str) -> set[str]:
    block = re.search(rf"^  {language}: \{{\n(.*?)^  \}},", SOURCE, re.M | re.S).group(1)
    return set(re.findall(r"(\w+): \"", block))


def used() -> set[str]:
    """The keys the page looks up: data-i18n attributes, t("key") and t(x ? "a" : "b"), the
    reasons of InvalidVoucher (shown as reason_<reason>) and of EnrolmentError, verdict kinds,
    button labels."""
    keys = set(re.findall(r'data-i18n="(\w+)"', PAGE))
    keys |= set(re.findall(r'\bt\("(\w+)"', SCRIPTS))
    keys |= {key for pair in re.findall(r'\bt\([^()]*\? "(\w+)" : "(\w+)"', SCRIPTS) for key in pair}
    keys |= {f"reason_{r}" for r in re.findall(r'InvalidVoucher\("(\w+)"', SCRIPTS) + ["malformed"]}
    keys |= set(re.findall(r'EnrolmentError\("(\w+)"', SCRIPTS))
    keys |= set(re.findall(r'"(reason_\w+)"', SCRIPTS)) | set(re.findall(r'show\(\{ kind: "(\w+)"', SCRIPTS))
    keys |= set(re.findall(r'label\(\w+, "(\w+)"\)', SCRIPTS))  # viewfinder.js: a button's label
    return keys


def test_german_and_english_have_the_same_texts():
    assert texts("de") == texts("en")


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_text_the_page_uses_exists(language):
    assert used() - texts(language) == set()


def test_texts_carry_no_emoji_or_dingbats():
    """Icons are inline SVG: a device without an emoji font shows empty boxes for these."""
    assert not re.search("[\u2600-\u27bf\U0001f300-\U0001faff]", SOURCE + PAGE)
