"""Money and numbers: amounts are ``Decimal`` with two places, never float, and are
shown in the active language's notation (€ 1.234,50 in Dutch)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

money_validators = [MinValueValidator(ZERO, _("An amount cannot be negative."))]


def money(amount) -> Decimal:
    """A sum of money with two decimals; nothing is zero (SQLite's SUM forgets the
    column's scale, and an empty sum is None)."""
    return (amount or ZERO).quantize(CENT)


def euro(amount) -> str:
    """An amount of money the active language's way, empty amounts as € 0,00."""
    return "€ " + number_format(money(amount), decimal_pos=2, use_l10n=True, force_grouping=True)


def format_number(value) -> str:
    """A number in the active language's notation, with thousands grouped."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return number_format(value, use_l10n=True, force_grouping=True)
