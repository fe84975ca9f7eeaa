"""Amounts are Decimals with two places and read the way the language writes them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.money import euro, format_number, money, money_validators


def test_money_has_two_places_and_nothing_is_zero():
    assert money(None) == Decimal("0.00")
    assert str(money(Decimal("12.5"))) == "12.50"
    assert isinstance(money(Decimal("3")), Decimal)


@pytest.mark.parametrize(
    ("language", "amount", "shown"),
    [
        ("nl", Decimal("1234567.5"), "€ 1.234.567,50"),
        ("en", Decimal("1234567.5"), "€ 1,234,567.50"),
        ("nl", None, "€ 0,00"),
    ],
)
def test_euro_reads_the_way_the_language_writes(language, amount, shown):
    with translation.override(language):
        assert euro(amount) == shown


def test_whole_numbers_lose_their_decimals_and_group_thousands():
    with translation.override("nl"):
        assert format_number(Decimal("40000.00")) == "40.000"
        assert format_number(Decimal("2.50")) == "2,50"
        assert format_number(12) == "12"


def test_an_amount_cannot_be_negative():
    for validator in money_validators:
        validator(Decimal("0.00"))
        with pytest.raises(ValidationError):
            validator(Decimal("-0.01"))
