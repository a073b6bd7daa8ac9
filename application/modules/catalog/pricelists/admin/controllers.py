"""Pricelists in the admin base: a grid, and a form with the rules of a pricelist's prices.

The page (`/admin/pricelists/`) is a `jetpy.web.crud.CrudController`: `?add`, `?view=ID`,
`?edit=ID`, `?delete=ID`, `?history=ID`. A pricelist has a code (what the markets of
`application/classes/catalog/markets.py` name), a name, a currency (ISO 4217), whether its
prices include VAT, its VAT rates, the default one and the precision every amount is
rounded to. Its form (views/form.html) is laid out like the other admin forms: Save, Cancel
back to the list, and the item's history.

What would break the public shop is refused with a message: changing the code of a
pricelist a market sells with, removing a VAT rate that prices use, deleting a pricelist a
market sells with or that holds prices. A save purges the pages showing the pricelist's
prices (`pricelist:<code>`, through `emit_catalog_changes`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import Select, func, select
from werkzeug.utils import redirect
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from application.classes.audit import HistoryActions
from application.classes.catalog.cache_tags import emit_catalog_changes
from application.classes.catalog.markets import MARKETS
from application.classes.catalog.models import Price, Pricelist
from application.classes.catalog.pricing import MAX_PRECISION
from jetpy.data.changes import Snapshot
from jetpy.web.crud import CrudController
from jetpy.web.forms import Form, add_error
from jetpy.web.grid import Column, Filter, Grid

CODE = re.compile(r"[A-Z][A-Z0-9-]{0,15}\Z")
CURRENCY = re.compile(r"[A-Z]{3}\Z")
RATE = re.compile(r"\d{1,3}(?:\.\d{1,2})?\Z")  # what the rate column holds (5, 2)
MAX_RATES = 10
MAX_RATE = Decimal(100)


class PricelistForm(Form):
    """A pricelist's fields; the controller's checks need the database."""

    class Meta:
        id_prefix = "pricelist-"

    code = StringField(
        "Code",
        [InputRequired("Enter the pricelist's code."), Length(max=16)],
        description="Capital letters, digits and dashes, e.g. CZK or EUR-B2B.",
    )
    name = StringField("Name", [Optional(), Length(max=100)])
    currency = StringField(
        "Currency",
        [InputRequired("Enter the currency."), Length(max=3)],
        description="Its ISO 4217 code, e.g. CZK, EUR, USD.",
    )
    prices_include_vat = BooleanField(
        "Prices include VAT", description="Ticked: prices are typed in with VAT (gross)."
    )
    vat_rates = StringField(
        "VAT rates",
        [InputRequired("Enter at least one VAT rate.")],
        description="Percentages separated by commas, e.g. 21, 12, 0.",
    )
    default_vat_rate = StringField(
        "Default VAT rate",
        [InputRequired("Enter the default VAT rate.")],
        description="One of the rates; a product without its own rate has it.",
    )
    precision = IntegerField(
        "Decimals",
        [InputRequired("Enter the number of decimals."), NumberRange(0, MAX_PRECISION)],
        default=2,
        description="Every amount is rounded to them (half up).",
    )
    controller_check: Any = None
    parsed_rates: tuple[Decimal, ...] = ()
    parsed_default: Decimal | None = None

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        checked = self.controller_check() if self.controller_check is not None else True
        return bool(checked) and valid


def parse_rate(text: str) -> Decimal | None:
    """A VAT rate typed in (`21`, `10.5`, `10,5`); None when it is not one from 0 to 100."""
    text = text.strip().replace(",", ".")
    if not RATE.fullmatch(text):
        return None
    try:
        rate = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
    return rate if rate <= MAX_RATE else None


def rate_text(rate: Decimal) -> str:
    """`21`, `10.5`: a rate as the form shows it."""
    return f"{rate.normalize():f}"


def market_locales(code: str) -> list[str]:
    """The locales whose market sells with pricelist `code`."""
    return sorted(market.locale for market in MARKETS.values() if market.pricelist == code)


class Main(HistoryActions, CrudController):
    """The pricelists grid and forms."""

    model = Pricelist
    form_class = PricelistForm
    form_template = "catalog.pricelists.admin/form.html"  # Save and Cancel, as the other forms
    add_title = "Add pricelist"
    edit_title = "Edit pricelist “%(item)s”"

    def record_change(
        self, action: str, item: Any, before: Snapshot | None, label: str | None = None
    ) -> None:
        super().record_change(action, item, before, label)
        emit_catalog_changes(self.app, self.db)

    def title_of(self, item: Any) -> str:
        return str(item.code or f"#{item.id}")

    def price_counts(self) -> dict[int, int]:
        """Prices stored in each pricelist (one statement, once per request)."""
        found: dict[int, int] | None = getattr(self, "_counts", None)
        if found is None:
            rows = self.db.execute(
                select(Price.pricelist_id, func.count()).group_by(Price.pricelist_id)
            )
            found = self._counts = {id: count for id, count in rows}
        return found

    # the grid --------------------------------------------------------------------------
    def get_grid(self) -> Grid:
        _ = self._
        counts = self.price_counts()
        statement: Select[Any] = select(Pricelist)
        # the HTML stacks the name under the code, VAT under the currency and the rates
        # (the default marked) in one cell, so the row actions fit at 1280 px; the CSV has
        # a column for each
        html = self.request.args.get("export") != "csv"
        name = Column("name", _("Name"), searchable=True)
        includes = Column(
            "prices_include_vat",
            _("Prices include VAT"),
            value=lambda p: _("Yes") if p.prices_include_vat else _("No"),
        )
        default = Column(
            "default_vat_rate",
            _("Default VAT rate"),
            value=lambda p: f"{rate_text(p.default_vat_rate)} %",
        )
        return Grid(
            statement,
            [
                Column("id", "ID"),
                Column(
                    "code",
                    _("Code"),
                    searchable=True,
                    render=self.code_cell if html else None,
                    expression=Pricelist.code,
                ),
                *([] if html else [name]),
                Column("currency", _("Currency"), render=self.currency_cell if html else None),
                *([] if html else [includes]),
                Column(
                    "vat_rates",
                    _("VAT rates"),
                    sortable=False,
                    value=lambda p: ", ".join(f"{rate_text(r)} %" for r in p.rates),
                    render=self.rates_cell if html else None,
                ),
                *([] if html else [default]),
                Column("precision", _("Decimals")),
                Column(
                    "markets",
                    _("Sold in"),
                    sortable=False,
                    value=lambda p: ", ".join(market_locales(p.code)),
                ),
                Column("prices", _("Prices"), sortable=False, value=lambda p: counts.get(p.id, 0)),
            ],
            filters=[
                Filter(
                    "prices_include_vat",
                    _("Prices include VAT"),
                    [("yes", _("Yes")), ("no", _("No"))],
                    where=lambda value: Pricelist.prices_include_vat.is_(value == "yes"),
                )
            ],
            sort="code",
            export_filename="pricelists",
            empty=_("No price lists yet."),
        )

    def code_cell(self, pricelist: Pricelist) -> Markup:
        """The code, and the name under it."""
        if not pricelist.name:
            return Markup(escape(pricelist.code))
        return Markup("{}<br>{}").format(pricelist.code, pricelist.name)

    def currency_cell(self, pricelist: Pricelist) -> Markup:
        """The currency, and whether its prices include VAT under it."""
        vat = self._("with VAT") if pricelist.prices_include_vat else self._("without VAT")
        return Markup('{}<br><span class="badge badge-neutral">{}</span>').format(
            pricelist.currency, vat
        )

    def rates_cell(self, pricelist: Pricelist) -> Markup:
        """A rate a line, the default marked."""
        lines = []
        for rate in pricelist.rates:
            line = Markup("{} %").format(rate_text(rate))
            if rate == pricelist.default_vat_rate:
                mark = Markup(' <span class="badge badge-info">{}</span>')
                line += mark.format(self._("default"))
            lines.append(line)
        return Markup("<br>").join(lines)

    def view_fields(self, item: Any) -> list[tuple[str, Any]]:
        _ = self._
        return [
            ("ID", item.id),
            (_("Code"), item.code),
            (_("Name"), item.name),
            (_("Currency"), item.currency),
            (_("Prices include VAT"), _("Yes") if item.prices_include_vat else _("No")),
            (_("VAT rates"), ", ".join(f"{rate_text(r)} %" for r in item.rates)),
            (_("Default VAT rate"), f"{rate_text(item.default_vat_rate)} %"),
            (_("Decimals"), item.precision),
            (_("Sold in"), ", ".join(market_locales(item.code))),
            (_("Prices"), self.price_counts().get(item.id, 0)),
        ]

    # delete ------------------------------------------------------------------------------
    def delete_action(self) -> Response | None:
        """Delete, unless a market sells with the pricelist or it holds prices."""
        item = self.require_item("delete")
        locales = market_locales(item.code)
        prices = self.price_counts().get(item.id, 0)
        if not locales and not prices:
            return super().delete_action()
        if self.request.method == "POST":
            self.check_csrf()
        if locales:
            message = self._(
                "%(item)s is the pricelist the shop sells with in %(locales)s; it cannot be "
                "deleted (see application/classes/catalog/markets.py).",
                item=item.code,
                locales=", ".join(locales),
            )
        else:
            message = self._(
                "%(item)s holds %(count)s prices; remove them from the products first.",
                item=item.code,
                count=prices,
            )
        self.flash(message, "error")
        return redirect(self.list_url(), 303)

    # the form ----------------------------------------------------------------------------
    def make_form(self, item: Any) -> PricelistForm:
        data: dict[str, Any] = {}
        if item.id is not None:
            data = {
                "code": item.code,
                "name": item.name,
                "currency": item.currency,
                "prices_include_vat": item.prices_include_vat,
                "vat_rates": ", ".join(rate_text(rate) for rate in item.rates),
                "default_vat_rate": rate_text(item.default_vat_rate),
                "precision": item.precision,
            }
        else:
            data = {"prices_include_vat": True, "precision": 2}
        form = PricelistForm(self, data=data)
        form.controller_check = lambda: self.check_pricelist(item, form)
        return form

    def check_pricelist(self, item: Any, form: PricelistForm) -> bool:
        """The checks of several fields or of the database; False on an error."""
        _ = form._
        valid = True
        code = (form.code.data or "").strip().upper()
        form.code.data = code
        if not form.code.errors and code:
            if not CODE.fullmatch(code):
                problem = "Use 1 to 16 capital letters, digits or dashes, starting with a letter."
                add_error(form.code, _(problem))
                valid = False
            else:
                clash = select(Pricelist.id).where(Pricelist.code == code)
                if item.id is not None:
                    clash = clash.where(Pricelist.id != item.id)
                if self.db.scalar(clash) is not None:
                    add_error(form.code, _("Another pricelist has this code."))
                    valid = False
                elif item.id is not None and code != item.code and market_locales(item.code):
                    add_error(
                        form.code,
                        _(
                            "The shop sells with %(code)s in %(locales)s "
                            "(application/classes/catalog/markets.py); its code stays.",
                            code=item.code,
                            locales=", ".join(market_locales(item.code)),
                        ),
                    )
                    valid = False
        currency = (form.currency.data or "").strip().upper()
        form.currency.data = currency
        if currency and not form.currency.errors and not CURRENCY.fullmatch(currency):
            add_error(form.currency, _("Enter the currency's three-letter code, e.g. EUR."))
            valid = False
        return self.check_rates(item, form) and valid

    def check_rates(self, item: Any, form: PricelistForm) -> bool:
        _ = form._
        if form.vat_rates.errors or form.default_vat_rate.errors:
            return False
        texts = [part for part in (form.vat_rates.data or "").replace(";", ",").split(",")]
        texts = [part.strip() for part in texts if part.strip()]
        rates = [parse_rate(text) for text in texts]
        if not rates or None in rates or len(rates) > MAX_RATES:
            add_error(
                form.vat_rates,
                _(
                    "Write 1 to %(count)s percentages from 0 to 100 (at most 2 decimals), "
                    "separated by commas, e.g. 21, 12, 0.",
                    count=MAX_RATES,
                ),
            )
            return False
        chosen = [rate for rate in rates if rate is not None]
        if len(set(chosen)) < len(chosen):
            add_error(form.vat_rates, _("Name each rate once."))
            return False
        valid = True
        if item.id is not None:
            used = set(
                self.db.scalars(
                    select(Price.vat_rate)
                    .where(Price.pricelist_id == item.id, Price.vat_rate.is_not(None))
                    .distinct()
                )
            )
            missing = sorted(rate for rate in used if rate is not None and rate not in chosen)
            if missing:
                add_error(
                    form.vat_rates,
                    _(
                        "Prices of this pricelist use the rates %(rates)s; keep them, or "
                        "change those prices first.",
                        rates=", ".join(f"{rate_text(rate)} %" for rate in missing),
                    ),
                )
                valid = False
        default = parse_rate(form.default_vat_rate.data or "")
        if default is None or default not in chosen:
            add_error(form.default_vat_rate, _("Choose one of the VAT rates above."))
            valid = False
        form.parsed_rates = tuple(chosen)
        form.parsed_default = default
        return valid

    def save(self, item: Any, form: Any) -> None:
        item.code = form.code.data
        item.name = (form.name.data or "").strip()
        item.currency = form.currency.data
        item.prices_include_vat = bool(form.prices_include_vat.data)
        item.vat_rates = [str(rate) for rate in form.parsed_rates]
        item.default_vat_rate = form.parsed_default
        item.precision = form.precision.data
        self.db.add(item)
        self.db.flush()
