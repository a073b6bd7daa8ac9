"""Availability rules: what a customer is told about a product for a wanted quantity.

Plain dataclasses, usable without a database; the `Availability` model and `Product`
delegate to them. The status is decided in this order:

1. **in stock** when the units available cover the wanted quantity;
2. **available from** a date when that date is in the future (a date of today or in the past
   is ignored: it has come and the goods did not);
3. **delivery in N days** when ordering sold-out goods is allowed (per product and
   availability code: a supplier may restock one product and not another);
4. **not available** otherwise, and for a product without stock data.

A set takes its worst item: not available is the worst; otherwise the item the customer would
wait for longest (in stock = today, available from = that date, delivery = today + N days),
and on the same day "available from" before "delivery" before "in stock".
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass


class StatusKind(enum.StrEnum):
    """The four statuses a customer sees, from the best to the worst."""

    IN_STOCK = "in_stock"
    DELIVERY = "delivery"
    AVAILABLE_FROM = "available_from"
    NOT_AVAILABLE = "not_available"


_RANK = {kind: rank for rank, kind in enumerate(StatusKind)}


@dataclass(frozen=True)
class Stock:
    """The stock data of a product under one availability code."""

    units: int = 0
    delivery_days: int = 0
    available_from: dt.date | None = None
    sold_out_orders: bool = False  # whether a customer may order goods that are sold out

    def __post_init__(self) -> None:
        if self.units < 0:
            raise ValueError(f"units available cannot be negative, got {self.units}")
        if self.delivery_days < 0:
            raise ValueError(f"delivery days cannot be negative, got {self.delivery_days}")


@dataclass(frozen=True)
class StockStatus:
    """A status; `date` for available-from, `days` for delivery."""

    kind: StatusKind
    date: dt.date | None = None
    days: int | None = None

    @property
    def orderable(self) -> bool:
        return self.kind is not StatusKind.NOT_AVAILABLE

    def expected(self, today: dt.date) -> dt.date | None:
        """When the goods could leave the shop; None when not available."""
        if self.kind is StatusKind.IN_STOCK:
            return today
        if self.kind is StatusKind.AVAILABLE_FROM:
            return self.date
        if self.kind is StatusKind.DELIVERY:
            return today + dt.timedelta(days=self.days or 0)
        return None


NOT_AVAILABLE = StockStatus(StatusKind.NOT_AVAILABLE)
IN_STOCK = StockStatus(StatusKind.IN_STOCK)


def stock_status(stock: Stock | None, quantity: int, today: dt.date) -> StockStatus:
    """The status of `quantity` units of a product with `stock` (None: no stock data)."""
    if quantity < 1:
        raise ValueError(f"the wanted quantity is 1 or more, not {quantity!r}")
    if stock is None:
        return NOT_AVAILABLE
    if stock.units >= quantity:
        return IN_STOCK
    if stock.available_from is not None and stock.available_from > today:
        return StockStatus(StatusKind.AVAILABLE_FROM, date=stock.available_from)
    if stock.sold_out_orders:
        return StockStatus(StatusKind.DELIVERY, days=stock.delivery_days)
    return NOT_AVAILABLE


def worst_status(statuses: Iterable[StockStatus], today: dt.date) -> StockStatus:
    """The worst of the statuses of a set's items; a set without items is not available."""
    worst: StockStatus | None = None
    for status in statuses:
        if status.kind is StatusKind.NOT_AVAILABLE:
            return status
        if worst is None or _later(status, worst, today):
            worst = status
    return worst or NOT_AVAILABLE


def _later(status: StockStatus, than: StockStatus, today: dt.date) -> bool:
    return _wait(status, today) > _wait(than, today)


def _wait(status: StockStatus, today: dt.date) -> tuple[dt.date, int]:
    return status.expected(today) or dt.date.max, _RANK[status.kind]
