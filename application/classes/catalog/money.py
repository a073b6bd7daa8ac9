"""Money as a locale writes it: `1 290,00 Kč` in cs_CZ, `€49.90` in en_US (Babel's CLDR data)."""

from __future__ import annotations

import copy
import functools
from decimal import Decimal

from babel.numbers import NumberPattern, get_currency_precision

from application.classes.catalog.pricing import round_money
from jetpy.modules.i18n import currency_spaced, formats_for


def format_money(
    amount: Decimal | None, currency: str, locale: str, precision: int | None = None
) -> str:
    """`amount` in `currency` for `locale`, with `precision` decimals (the currency's by default).

    jetpy's `format_money` shows the currency's own number of decimals; a pricelist that
    rounds to another precision (whole crowns, say) gets a pattern with its own.
    """
    if amount is None:
        return ""
    formats = formats_for(locale)
    currency = currency.upper()
    if precision is None or precision == get_currency_precision(currency):
        return formats.money(amount, currency)
    pattern = _pattern(formats.name, precision)
    text: str = pattern.apply(
        round_money(amount, precision),
        formats.locale,
        currency=currency,
        currency_digits=False,
    )
    return currency_spaced(text)


@functools.cache
def _pattern(locale: str, precision: int) -> NumberPattern:
    pattern: NumberPattern = copy.copy(formats_for(locale).locale.currency_formats["standard"])
    pattern.frac_prec = (precision, precision)
    return pattern
