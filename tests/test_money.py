"""Amounts: every style we accept reads back to the same cents; whatever could mean two amounts
is refused; no text gives anything but an Amount or a Refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voucher.money import COMMA, MAX_CENTS, POINT, Amount, Refused, file_convention, format_euros, read_cents, read_euros, read_typed_euros

SPACES = [" ", "\u00a0", "\u202f"]
CURRENCIES = ["", "€ ", "€", " €", "EUR ", " EUR", "EUR"]


@st.composite
def printed(draw, convention: str | None = None):
    """(cents, convention, text): an amount as some program would print it."""
    cents = draw(st.integers(-MAX_CENTS + 1, MAX_CENTS - 1))
    convention = convention or draw(st.sampled_from([COMMA, POINT]))
    mark, other = (",", ".") if convention == COMMA else (".", ",")
    group = draw(st.sampled_from(["", other, *SPACES]))
    whole, rest = divmod(abs(cents), 100)
    digits = f"{whole:,}".replace(",", group) if group else str(whole)
    number = f"{digits}{mark}{rest:02d}"
    currency = draw(st.sampled_from(CURRENCIES))
    before = currency in ("€ ", "€", "EUR ")
    text = f"{currency}{number}" if before else f"{number}{currency}"
    if cents < 0:
        sign = draw(st.sampled_from(["-", "\u2212", "trailing", "parentheses"]))
        text = {"trailing": f"{text}-", "parentheses": f"({text})"}.get(sign, f"{sign}{text}")
    elif draw(st.booleans()):
        text = f"+{text}"
    return cents, convention, text


@given(printed())
def test_every_supported_print_reads_back_to_the_same_cents(case):
    cents, convention, text = case
    amount = read_euros(text)
    assert amount.convention == convention and amount.under(convention) == cents


@given(printed())
def test_a_print_in_the_other_convention_than_its_file_is_refused(case):
    _, convention, text = case
    other = POINT if convention == COMMA else COMMA
    with pytest.raises(Refused):
        read_euros(text).under(other)


@given(printed())
def test_a_print_in_a_file_without_one_convention_is_refused(case):
    with pytest.raises(Refused):
        read_euros(case[2]).under(None)


@given(st.integers(1, 999), st.integers(0, 999), st.sampled_from([",", "."]))
def test_a_lone_group_of_three_after_one_mark_is_refused(whole, tail, mark):
    with pytest.raises(Refused) as refused:
        read_euros(f"{whole}{mark}{tail:03d}")
    assert refused.value.kind == "ambiguous_amount"


@given(st.integers(0, 10**6), st.integers(0, 10**4 - 1), st.sampled_from([",", "."]))
def test_more_than_two_decimals_are_refused(whole, tail, mark):
    with pytest.raises(Refused):
        read_euros(f"{whole}{mark}{tail:04d}")


@given(st.integers(-MAX_CENTS + 1, MAX_CENTS - 1), st.data())
def test_whole_cents_read_back(cents, data):
    style = data.draw(st.sampled_from(["-{}", "\u2212{}", "{}-", "({})"] if cents < 0 else ["{}", "+{}"]))
    assert read_cents(style.format(abs(cents))) == cents


@given(st.text(max_size=30))
def test_any_text_is_an_amount_or_refused(text):
    try:
        amount = read_euros(text)
    except Refused as refused:
        assert refused.en and refused.de and refused.kind
    else:
        assert isinstance(amount, Amount) and all(abs(c) < MAX_CENTS for c in amount.cents.values())


@pytest.mark.parametrize(("text", "cents"), [
    ("4,80 €", 480), ("€ 4,80", 480), ("EUR 4,80", 480), ("4,80-", -480), ("(4,80)", -480), ("4,8", 480),
    ("1\u00a0234,50", 123450), ("1\u202f234,50", 123450), ("1.234,50", 123450), ("4,80 Euro", 480), ("-€ 4,80", -480),
])
def test_german_prints(text, cents):
    assert read_euros(text).under(COMMA) == cents


@pytest.mark.parametrize(("text", "kind"), [
    ("Infinity", "unreadable_amount"), ("NaN", "unreadable_amount"), ("", "missing_amount"), ("  ", "missing_amount"),
    ("1e3", "unreadable_amount"), ("$4.80", "not_euros"), ("CHF 4,80", "not_euros"), ("-(4,80)", "unreadable_amount"),
    ("4,80 € €", "unreadable_amount"), ("12 34,50", "unreadable_amount"), ("0.234", "too_many_decimals"),
    ("1.000.000,00", "implausible_amount"), ("\u0664,\u0668\u0660", "unreadable_amount"),
])
def test_refusals_name_their_kind(text, kind):
    with pytest.raises(Refused) as refused:
        read_euros(text)
    assert refused.value.kind == kind


def test_whole_euros_show_no_convention():
    assert read_euros("5").convention is None and read_euros("1 234").under(COMMA) == 123400


def test_the_convention_is_the_majority_and_none_on_a_tie():
    amounts = [read_euros(t) for t in ("4,80", "5,60", "4.80", "5")]
    assert file_convention(amounts) == COMMA
    assert file_convention(amounts[1:]) is None
    assert file_convention([read_euros("5")]) is None


@given(st.integers(min_value=-MAX_CENTS + 1, max_value=MAX_CENTS - 1), st.sampled_from(["de_DE", "en_GB"]), st.booleans())
def test_money_as_the_pages_write_it_reads_back_to_the_same_cents(cents, locale, symbol):
    assert read_typed_euros(format_euros(cents, locale, symbol)) == cents
