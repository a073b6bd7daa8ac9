"""Pricing rules: rounding, VAT in both directions, discounts and the price of a set.

Plain functions and frozen dataclasses over `Decimal`, usable without a database; the models
(`Price`, `Product`) delegate to them.

- Every amount is rounded half up (`ROUND_HALF_UP`) to the pricelist's precision.
- The stored price is the gross price unless the pricelist stores prices without VAT; the
  other one is derived: net = gross / (1 + rate/100), gross = net * (1 + rate/100).
- VAT = net * rate/100 of the (rounded) net price, rounded. When the stored price is gross,
  net + VAT may differ from gross by one unit of the last digit (gross 100.00 at 21 %: net
  82.64, VAT 17.35); the stored gross stays the price the customer pays. A set whose items
  have different rates has no single rate: its VAT is gross - net.
- A zero rate makes net equal gross.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)
MAX_PRECISION = 4  # the price columns keep four decimals


def to_decimal(value: Decimal | int | str) -> Decimal:
    """`value` as a Decimal; floats are refused, since money never goes through float."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(
            f"money must be a Decimal, an int or a string, not {type(value).__name__} "
            f"{value!r}; write Decimal('12.50') instead of 12.5"
        )
    return Decimal(value)


def round_money(amount: Decimal | int | str, precision: int) -> Decimal:
    """`amount` rounded half up to `precision` decimals: 1.005 → 1.01, -1.005 → -1.01."""
    if not 0 <= precision <= MAX_PRECISION:
        raise ValueError(f"precision must be 0 to {MAX_PRECISION} decimals, not {precision!r}")
    return to_decimal(amount).quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def check_rate(rate: Decimal | int | str) -> Decimal:
    """A VAT rate in percent (21 for 21 %); a negative one is a ValueError."""
    value = to_decimal(rate)
    if value < 0 or not value.is_finite():
        raise ValueError(f"a VAT rate is a percentage of 0 or more, not {rate!r}")
    return value


def net_from_gross(gross: Decimal, rate: Decimal | int | str, precision: int) -> Decimal:
    """The price without VAT of `gross` at `rate` percent, rounded."""
    return round_money(to_decimal(gross) / (1 + check_rate(rate) / HUNDRED), precision)


def gross_from_net(net: Decimal, rate: Decimal | int | str, precision: int) -> Decimal:
    """The price with VAT of `net` at `rate` percent, rounded."""
    return round_money(to_decimal(net) * (1 + check_rate(rate) / HUNDRED), precision)


def discount_percent(price: Decimal | None, before: Decimal | None, places: int = 0) -> Decimal:
    """100 - price * 100 / before, rounded half up to `places`; 0 without a higher `before`."""
    if price is None or before is None or before <= price or before <= 0:
        return ZERO.quantize(Decimal(1).scaleb(-places))
    return round_money(HUNDRED - to_decimal(price) * HUNDRED / before, places)


@dataclass(frozen=True)
class PriceBreakdown:
    """A price in one pricelist: net, gross and VAT, and the price before a discount.

    `includes_vat` says which of net and gross is the pricelist's own figure (`price`): the
    stored one for a product, the one a set discount applies to for a set. `vat_rate` is
    None for a set whose items have different rates.
    """

    net: Decimal
    gross: Decimal
    vat_rate: Decimal | None
    includes_vat: bool
    net_before: Decimal | None = None
    gross_before: Decimal | None = None
    precision: int = 2  # of the pricelist's currency: VAT is rounded to it

    @property
    def vat(self) -> Decimal:
        """net * rate/100, rounded half up; gross - net for a set of mixed rates."""
        if self.vat_rate is None:
            return self.gross - self.net
        return round_money(self.net * self.vat_rate / HUNDRED, self.precision)

    @property
    def price(self) -> Decimal:
        """The figure the pricelist is written in: gross when it includes VAT, else net."""
        return self.gross if self.includes_vat else self.net

    @property
    def price_before(self) -> Decimal | None:
        return self.gross_before if self.includes_vat else self.net_before

    @property
    def has_discount(self) -> bool:
        return self.price_before is not None

    @property
    def discount_percent(self) -> Decimal:
        """The discount in whole percent (half up); 0 without a price before discount."""
        return discount_percent(self.price, self.price_before)


def price_breakdown(
    stored: Decimal | int | str,
    rate: Decimal | int | str,
    *,
    includes_vat: bool,
    precision: int,
    stored_before: Decimal | int | str | None = None,
) -> PriceBreakdown:
    """The breakdown of a stored price: gross when `includes_vat`, otherwise net.

    A price before discount that is not higher than the price is no discount and is dropped.
    """
    rate = check_rate(rate)
    price = round_money(stored, precision)
    if price < 0:
        raise ValueError(f"a price cannot be negative, got {stored!r}")
    net, gross = _both(price, rate, includes_vat, precision)
    net_before = gross_before = None
    if stored_before is not None:
        before = round_money(stored_before, precision)
        if before > price:
            net_before, gross_before = _both(before, rate, includes_vat, precision)
    return PriceBreakdown(net, gross, rate, includes_vat, net_before, gross_before, precision)


def _both(
    price: Decimal, rate: Decimal, includes_vat: bool, precision: int
) -> tuple[Decimal, Decimal]:
    if includes_vat:
        return net_from_gross(price, rate, precision), price
    return price, gross_from_net(price, rate, precision)


# sets -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SetDiscount:
    """The discount of a set: a percentage, or an amount in the pricelist's own figure."""

    percent: Decimal | None = None
    amount: Decimal | None = None

    def __post_init__(self) -> None:
        if self.percent is not None and self.amount is not None:
            raise ValueError("a set discount is a percentage or an amount, not both")
        if self.percent is not None and not ZERO <= self.percent <= HUNDRED:
            raise ValueError(f"a set discount percentage is 0 to 100, not {self.percent}")
        if self.amount is not None and self.amount < 0:
            raise ValueError(f"a set discount amount cannot be negative, got {self.amount}")

    def apply(self, total: Decimal, precision: int) -> Decimal:
        """`total` less the discount, rounded; never below zero."""
        if self.percent is not None:
            return round_money(total * (HUNDRED - self.percent) / HUNDRED, precision)
        if self.amount is not None:
            return max(ZERO, round_money(total - self.amount, precision))
        return total


def set_price(
    items: Sequence[tuple[PriceBreakdown, int]],
    discount: SetDiscount | None,
    *,
    includes_vat: bool,
    precision: int,
) -> PriceBreakdown:
    """The price of a set: its items' prices * quantities, less the set discount.

    The discount applies to the pricelist's own figure (gross when prices include VAT). The
    other figure is derived from it like a product's when all items share one VAT rate, and
    otherwise scaled from the items' sum in the same proportion. The undiscounted sums are
    the set's price before discount.
    """
    if not items:
        raise ValueError("a set needs at least one item with a price")
    for _, quantity in items:
        if quantity < 1:
            raise ValueError(f"a set item's quantity is 1 or more, not {quantity!r}")
    net_sum = sum((b.net * q for b, q in items), ZERO)
    gross_sum = sum((b.gross * q for b, q in items), ZERO)
    own_sum, other_sum = (gross_sum, net_sum) if includes_vat else (net_sum, gross_sum)
    own = round_money(discount.apply(own_sum, precision) if discount else own_sum, precision)
    rates = {b.vat_rate for b, _ in items}
    rate = rates.pop() if len(rates) == 1 else None
    if rate is not None:
        net, gross = _both(own, rate, includes_vat, precision)
    else:
        ratio = own / own_sum if own_sum else Decimal(1)
        other = round_money(other_sum * ratio, precision)
        net, gross = (other, own) if includes_vat else (own, other)
    if own < own_sum:
        return PriceBreakdown(net, gross, rate, includes_vat, net_sum, gross_sum, precision)
    return PriceBreakdown(net, gross, rate, includes_vat, precision=precision)
