"""Which pricelist and availability code each locale of the shop sells with (one place for it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Market:
    """A locale's pricelist code and availability code."""

    locale: str
    pricelist: str
    availability: str


MARKETS: Mapping[str, Market] = MappingProxyType(
    {
        "cs_CZ": Market("cs_CZ", pricelist="CZK", availability="CZ"),
        "en_US": Market("en_US", pricelist="EUR", availability="EU"),
    }
)


def market_for(locale: str) -> Market:
    """The market of `locale`; a locale without one is a LookupError naming the fix."""
    try:
        return MARKETS[locale]
    except KeyError:
        raise LookupError(
            f"the catalog has no market for locale {locale!r} (it has "
            f"{', '.join(sorted(MARKETS))}); add one to MARKETS in "
            "application/classes/catalog/markets.py"
        ) from None
