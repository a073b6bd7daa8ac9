"""Products in the admin base: a grid, and forms with texts, prices and stock.

The page (`/admin/products/`) is a `jetpy.web.crud.CrudController`: `?add`, `?view=ID`,
`?edit=ID`, `?delete=ID`, and `?preview=1&pricelist=CZK&amount=…&rate=…&before=…`, which
answers the net, gross and VAT of a price as JSON, computed by the shared pricing rules
(application/classes/catalog/pricing.py) — the form's script asks it while the editor types
and never rounds anything itself. The same rules fill the preview when the form is rendered.

A regular product has a price per pricelist (the pricelist's own figure: gross when its
prices include VAT, else net), an optional price before discount and a VAT rate of the
pricelist. A set's price comes from its items (one `CODE QUANTITY` per line), so its price
fields are not used. Stock is kept per availability code of the markets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from markupsafe import Markup, escape
from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session, object_session, selectinload
from werkzeug.utils import redirect
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from application.classes.audit import HistoryActions
from application.classes.catalog.cache_tags import emit_catalog_changes
from application.classes.catalog.identifiers import CODE_RULE, code_problem, ean_problem
from application.classes.catalog.markets import MARKETS
from application.classes.catalog.models import (
    Availability,
    Category,
    Price,
    Pricelist,
    Product,
    ProductImage,
    ProductKind,
    ProductText,
    SetItem,
)
from application.classes.catalog.pricing import MAX_PRECISION, PriceBreakdown, price_breakdown
from application.classes.catalog.queries import PRODUCT_LOADS, load_set_items
from application.classes.media import check_image_fields, image_field_values
from application.classes.slugs import check_localized_slugs
from jetpy.data.changes import Snapshot
from jetpy.kernel.request import parse_int
from jetpy.modules.i18n import formats_for
from jetpy.web.crud import CrudController
from jetpy.web.forms import Form, add_error
from jetpy.web.grid import Column, Filter, Grid

PUBLIC_BASE = "web"  # whose locales products are described in
TEXT_FIELDS = ("name", "slug", "description")
MAX_AMOUNT = Decimal("9999999999")  # the price columns hold 14 digits, 4 of them decimals
MAX_SET_ITEMS = 50


class AmountError(ValueError):
    """What is wrong with a typed-in amount: a phrase (of the module's dictionary) and values.

    Its text is the English sentence; a view translates `phrase` with the numbers formatted
    for its locale (`message()`).
    """

    def __init__(self, phrase: str, **values: Decimal | int) -> None:
        super().__init__(phrase % {name: f"{value:,}" for name, value in values.items()})
        self.phrase = phrase
        self.values = values

    def message(self, translate: Callable[..., str], locale: str) -> str:
        number = formats_for(locale).number
        return translate(self.phrase, **{name: number(v) for name, v in self.values.items()})


def parse_amount(text: str | None) -> Decimal | None:
    """A money amount typed in (`12.5`, `12,50`); None when empty; AmountError when not one."""
    text = (text or "").strip().replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise AmountError("Enter a number, e.g. 12.50.") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise AmountError("Must be between 0 and %(max)s.", max=MAX_AMOUNT)
    if -amount.as_tuple().exponent > MAX_PRECISION:  # type: ignore[operator]
        raise AmountError("At most %(places)s decimal places.", places=MAX_PRECISION)
    return amount


def breakdown(
    pricelist: Pricelist, amount_text: str | None, rate_text: str | None, before_text: str | None
) -> PriceBreakdown | None:
    """The shared rules' breakdown of typed-in values; None without an amount.

    A ValueError says what is wrong with the values (its text is for the editor).
    """
    amount = parse_amount(amount_text)
    if amount is None:
        return None
    before = parse_amount(before_text)
    rate_text = (rate_text or "").strip()
    rate = pricelist.default_vat_rate if not rate_text else _rate(pricelist, rate_text)
    return price_breakdown(
        amount,
        rate,
        includes_vat=pricelist.prices_include_vat,
        precision=pricelist.precision,
        stored_before=before,
    )


def _rate(pricelist: Pricelist, text: str) -> Decimal:
    """The pricelist's rate written as `text` (`21`, `21.00` …, compared as numbers)."""
    try:
        wanted = Decimal(text)
    except InvalidOperation:
        wanted = None
    for rate in pricelist.rates:
        if rate == wanted:
            return rate
    raise ValueError(f"pricelist {pricelist.code} has no VAT rate {text}")


class ProductForm(Form):
    """The fields every product has; `product_form()` adds those of locales, prices, stock."""

    class Meta:
        id_prefix = "product-"

    code = StringField("Code", [InputRequired("Enter the product's code.")])
    ean = StringField("EAN", [Optional(), Length(max=14)], description="8, 12, 13 or 14 digits.")
    kind = SelectField(
        "Kind",
        choices=[
            SelectChoice(ProductKind.REGULAR.value, "Regular"),
            SelectChoice(ProductKind.SET.value, "Set"),
        ],
    )
    category = SelectField("Category", choices=[], validate_choice=True)
    image = StringField(
        "Main image", [Optional()], description="Shown in the catalog, on the page and in feeds."
    )
    gallery = StringField("Gallery", [Optional()], description="More images on the product page.")
    chosen_media: dict[str, list[Any]] | None = None  # the checked images, by field name
    set_items = TextAreaField(
        "Set items", [Optional()], description="One item a line: its code and quantity, e.g. P-1 2."
    )
    locales: ClassVar[tuple[str, ...]] = ()
    pricelists: ClassVar[tuple[Pricelist, ...]] = ()
    stock_codes: ClassVar[tuple[str, ...]] = ()
    check: Callable[[], bool] | None = None  # the rules that need the database
    parsed_items: tuple[tuple[int, int], ...] = ()  # (product id, quantity) of a valid set

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own validators, then the controller's checks."""
        valid = super().validate(extra_validators)
        return (self.check() if self.check is not None else True) and valid

    def localized(self, locale: str) -> dict[str, Any]:
        return {name: self[f"{name}_{locale}"] for name in TEXT_FIELDS}

    def price_fields(self, code: str) -> dict[str, Any]:
        return {name: self[f"{name}_{code}"] for name in ("price", "before", "rate")}

    def stock_fields(self, code: str) -> dict[str, Any]:
        return {name: self[f"{name}_{code}"] for name in ("units", "days", "from", "soldout")}

    def label_of(self, field: Any) -> str:
        """A price or stock field named with its pricelist or availability code too."""
        text = super().label_of(field)
        prefix, _, code = field.short_name.partition("_")
        if prefix in ("price", "before", "rate") and code in {p.code for p in self.pricelists}:
            return f"{text} ({code})"
        if prefix in ("units", "days", "from", "soldout") and code in self.stock_codes:
            return f"{text} ({self._('Stock %(code)s', code=code)})"
        return text


def product_form(
    locales: tuple[str, ...], pricelists: tuple[Pricelist, ...], stock_codes: tuple[str, ...]
) -> type[ProductForm]:
    """The form class with the fields of every locale, pricelist and availability code."""
    fields: dict[str, Any] = {
        "locales": locales,
        "pricelists": pricelists,
        "stock_codes": stock_codes,
    }
    for locale in locales:
        fields[f"name_{locale}"] = StringField("Name", [Optional(), Length(max=200)])
        fields[f"slug_{locale}"] = StringField(
            "Slug", [Optional(), Length(max=200)], description="Empty: made from the name."
        )
        fields[f"description_{locale}"] = TextAreaField("Description", [Optional()])
    for pricelist in pricelists:
        code = pricelist.code
        own = "Price with VAT" if pricelist.prices_include_vat else "Price without VAT"
        fields[f"price_{code}"] = StringField(own, [Optional()])
        fields[f"before_{code}"] = StringField("Price before discount", [Optional()])
        rates = [SelectChoice(str(rate), f"{rate.normalize()} %") for rate in pricelist.rates]
        fields[f"rate_{code}"] = SelectField("VAT rate", choices=rates)
    for code in stock_codes:
        fields[f"units_{code}"] = IntegerField(
            "Units in stock", [Optional(), NumberRange(0, 10**9)], default=0
        )
        fields[f"days_{code}"] = IntegerField(
            "Delivery days when sold out", [Optional(), NumberRange(0, 3650)], default=0
        )
        fields[f"from_{code}"] = DateField("Available from", [Optional()])
        fields[f"soldout_{code}"] = BooleanField("Orders when sold out")
    return type("CatalogProductForm", (ProductForm,), fields)


class ProductGrid(Grid):
    """Products with their texts, prices, stock and set items loaded in bulk."""

    def rows(self, session: Session, statement: Select[Any]) -> list[Any]:
        products = super().rows(session, statement)
        load_set_items(session, products)
        return products


class Main(HistoryActions, CrudController):
    """The products grid, forms and the price preview."""

    model = Product
    add_title = "Add product"
    edit_title = "Edit product “%(item)s”"
    form_template = "catalog.products.admin/form.html"
    view_template = "catalog.products.admin/view.html"

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self.app.bases[PUBLIC_BASE].locales)

    @property
    def stock_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(market.availability for market in MARKETS.values()))

    def pricelists(self) -> tuple[Pricelist, ...]:
        """Every pricelist, the default (the first made) first; read once per request."""
        found = getattr(self, "_pricelists", None)
        if found is None:
            found = self._pricelists = tuple(
                self.db.scalars(select(Pricelist).order_by(Pricelist.id))
            )
        return found

    def record_change(
        self, action: str, item: Any, before: Snapshot | None, label: str | None = None
    ) -> None:
        super().record_change(action, item, before, label)
        emit_catalog_changes(self.app, self.db)

    # routing: the preview besides the CRUD actions ----------------------------------
    def get_router(self) -> Any:
        router = super().get_router()
        router.add_action(
            "preview", resolver=lambda: "preview" in self.request.args, acl_action="view"
        )
        return router

    def preview_action(self) -> Response:
        """Net, gross and VAT of `amount` at `rate` in `pricelist` as JSON (the shared rules)."""
        args = self.request.args
        pricelist = next((p for p in self.pricelists() if p.code == args.get("pricelist")), None)
        if pricelist is None:
            return json_response({"error": self._("There is no such pricelist.")}, 400)
        try:
            price = breakdown(pricelist, args.get("amount"), args.get("rate"), args.get("before"))
        except ValueError as error:
            return json_response({"error": self.problem_text(error)}, 400)
        return json_response(preview_values(pricelist, price))

    def problem_text(self, error: ValueError) -> str:
        """An amount's problem in the admin's language (another ValueError as it is)."""
        if isinstance(error, AmountError):
            return error.message(self._, self.locale.name)
        return str(error)

    # the grid --------------------------------------------------------------------------
    def get_grid(self) -> Grid:
        _ = self._
        locale = self.locale.name
        text = ProductText
        statement: Select[Any] = (
            select(Product)
            .outerjoin(text, and_(text.product_id == Product.id, text.locale == locale))
            .options(*PRODUCT_LOADS, selectinload(Product.category).selectinload(Category.texts))
        )
        pricelist = self.pricelists()[0] if self.pricelists() else None
        pricelist_id = pricelist.id if pricelist else None
        price_label = _("Price") + (f" ({pricelist.code})" if pricelist else "")
        # at 1280 px the row actions must fit without scrolling sideways: the kind and the
        # category are badges under the code and the name (columns of the CSV only), a
        # discount and each stock line stack
        exporting = self.request.args.get("export") == "csv"
        kind = Column(
            "kind",
            _("Kind"),
            expression=Product.kind,
            value=lambda p: _("Set") if p.is_set else _("Regular"),
        )
        category = Column("category", _("Category"), sortable=False, value=self.category_name)
        return ProductGrid(
            statement,
            [
                Column("id", "ID"),
                Column(
                    "image",
                    _("Image"),
                    sortable=False,
                    value=lambda p: self.app.media.url(p.image) if p.image else "",
                    render=self.thumbnail,
                ),
                Column(
                    "code",
                    _("Code"),
                    searchable=True,
                    expression=Product.code,
                    render=self.code_cell,
                ),
                Column(
                    "name",
                    _("Name"),
                    searchable=True,
                    expression=text.name,
                    value=self.title_of,
                    render=self.name_cell,
                ),
                *([category, kind] if exporting else []),
                Column(
                    "price",
                    price_label,
                    sortable=False,
                    value=lambda p: self.grid_price(p, pricelist_id),
                    render=lambda p: self.price_cell(p, pricelist_id),
                ),
                Column(
                    "stock",
                    _("Stock"),
                    sortable=False,
                    value=self.stock_text,
                    render=self.stock_cell,
                ),
            ],
            filters=[
                Filter(
                    "kind",
                    _("Kind"),
                    [(ProductKind.REGULAR.value, _("Regular")), (ProductKind.SET.value, _("Set"))],
                    where=lambda kind: Product.kind == ProductKind(kind),
                ),
                Filter("category", _("Category"), self.category_choices(), Product.category_id),
            ],
            sort="code",
            export_filename="products",
            empty=_("No products yet."),
        )

    def thumbnail(self, product: Product) -> Markup:
        """The main image, small (the grid's first column)."""
        return self.app.media.img(product.image, "", width=160, sizes="4rem", class_="thumbnail")

    def code_cell(self, product: Product) -> Markup:
        """The code, and a badge under it for a set."""
        if not product.is_set:
            return Markup(escape(product.code))
        badge = Markup('<br><span class="badge badge-info">{}</span>').format(self._("Set"))
        return escape(product.code) + badge

    def name_cell(self, product: Product) -> Markup:
        """The name, and the category as a badge under it."""
        name = escape(self.title_of(product))
        if product.category is None:
            return Markup(name)
        badge = Markup('<br><span class="badge badge-neutral">{}</span>')
        return name + badge.format(self.category_name(product))

    def price_cell(self, product: Product, pricelist_id: int | None) -> Markup:
        """The price, and its discount as a badge under it."""
        session = object_session(product)
        pricelist = session.get(Pricelist, pricelist_id) if session and pricelist_id else None
        price = product.price_in(pricelist) if pricelist is not None else None
        if pricelist is None or price is None:
            return Markup("")
        text = escape(pricelist.format(price.price, self.locale.name))
        if not price.has_discount:
            return text
        badge = '<br><span class="badge badge-danger">-{} %</span>'
        return text + Markup(badge).format(price.discount_percent)

    def stock_cell(self, product: Product) -> Markup:
        """`CZ: 5` a line per availability code."""
        if product.is_set:
            return Markup("")
        lines = [f"{row.code}: {row.units}" for row in product.availabilities]
        return Markup("<br>").join(lines)

    def title_of(self, item: Any) -> str:
        """The name in the admin's locale, else in another, else the code."""
        texts = sorted(item.texts, key=lambda t: t.locale != self.locale.name)
        return str(texts[0].name if texts else item.code)

    def category_name(self, product: Product) -> str:
        category = product.category
        if category is None:
            return ""
        text = category.text(self.locale.name) or next(iter(category.texts), None)
        return text.name if text is not None else f"#{category.id}"

    def category_choices(self) -> list[tuple[int, str]]:
        """(id, name) of every category, by name in the admin's locale (one statement)."""
        found = getattr(self, "_categories", None)
        if found is None:
            categories = self.db.scalars(select(Category).options(selectinload(Category.texts)))
            found = sorted(
                ((c.id, self.name_of_category(c)) for c in categories), key=lambda c: c[1]
            )
            self._categories = found
        return found

    def name_of_category(self, category: Category) -> str:
        text = category.text(self.locale.name) or next(iter(category.texts), None)
        return text.name if text is not None else f"#{category.id}"

    def grid_price(self, product: Product, pricelist_id: int | None) -> str:
        """The price in the default pricelist (of the product's session: the CSV export
        reads the rows in a session of its own, after the request's one closed)."""
        session = object_session(product)
        pricelist = session.get(Pricelist, pricelist_id) if session and pricelist_id else None
        return self.price_text(product, pricelist)

    def price_text(self, product: Product, pricelist: Pricelist | None) -> str:
        if pricelist is None:
            return ""
        price = product.price_in(pricelist)
        if price is None:
            return ""
        text = pricelist.format(price.price, self.locale.name)
        return text + (f" (-{price.discount_percent} %)" if price.has_discount else "")

    def stock_text(self, product: Product) -> str:
        if product.is_set:
            return ""
        return ", ".join(f"{row.code}: {row.units}" for row in product.availabilities)

    def view_fields(self, item: Any) -> list[tuple[str, Any]]:
        _ = self._
        category = item.category
        fields: list[tuple[str, Any]] = [
            ("ID", item.id),
            (_("Code"), item.code),
            ("EAN", item.ean or ""),
            (_("Kind"), _("Set") if item.is_set else _("Regular")),
            (_("Category"), self.name_of_category(category) if category else ""),
        ]
        for text in item.texts:
            fields.append((f"{_('Name')} ({text.locale})", text.name))
            fields.append((f"{_('Slug')} ({text.locale})", text.slug))
            fields.append((f"{_('Description')} ({text.locale})", text.description_html))
        for pricelist in self.pricelists():
            fields.append((f"{_('Price')} {pricelist.code}", self.price_text(item, pricelist)))
        for row in item.availabilities:
            fields.append((f"{_('Stock')} {row.code}", row.units))
        if item.is_set:
            lines = [f"{i.item.code} x {i.quantity}" for i in item.set_items]
            fields.append((_("Set items"), ", ".join(lines)))
        return fields

    def delete_action(self) -> Response | None:
        """Delete, unless the product is an item of a set (the set would lose its price)."""
        item = self.require_item("delete")
        in_sets = self.db.scalars(
            select(Product.code)
            .join(SetItem, SetItem.set_id == Product.id)
            .where(SetItem.item_id == item.id)
            .order_by(Product.code)
        ).all()
        if not in_sets:
            return super().delete_action()
        if self.request.method == "POST":
            self.check_csrf()
        message = self._(
            "%(item)s is an item of the sets %(sets)s; take it out of them first.",
            item=self.title_of(item),
            sets=", ".join(in_sets),
        )
        self.flash(message, "error")
        return redirect(self.list_url(), 303)

    # the form ----------------------------------------------------------------------------
    def make_form(self, item: Any) -> ProductForm:
        data: dict[str, Any] = {
            "code": item.code,
            "ean": item.ean,
            "kind": (item.kind or ProductKind.REGULAR).value
            if isinstance(item.kind, ProductKind)
            else ProductKind.REGULAR.value,
            "category": str(item.category_id or ""),
            "set_items": "\n".join(f"{i.item.code} {i.quantity}" for i in item.set_items),
            "image": str(item.image_id or ""),
            "gallery": ",".join(str(row.media_id) for row in item.gallery),
        }
        for text in item.texts:
            for name in TEXT_FIELDS:
                data[f"{name}_{text.locale}"] = getattr(text, name)
        pricelists = self.pricelists()
        for pricelist in pricelists:
            row = item.price_row(pricelist) if item.id is not None else None
            stored = row.vat_rate if row is not None else None
            rate = pricelist.default_vat_rate if stored is None else stored
            # written as the select's choice is (a stored 21.00 is the pricelist's 21)
            chosen = next((known for known in pricelist.rates if known == rate), rate)
            data[f"rate_{pricelist.code}"] = str(chosen)
            if row is not None:
                data[f"price_{pricelist.code}"] = _plain(row.amount)
                data[f"before_{pricelist.code}"] = _plain(row.amount_before)
        for code in self.stock_codes:
            stock = item.availability_row(code) if item.id is not None else None
            if stock is not None:
                data[f"units_{code}"] = stock.units
                data[f"days_{code}"] = stock.delivery_days
                data[f"from_{code}"] = stock.available_from
                data[f"soldout_{code}"] = stock.sold_out_orders
        form = product_form(self.locales, pricelists, self.stock_codes)(self, data=data)
        form.category.choices = [SelectChoice("", self._("None"))] + [
            SelectChoice(str(id), name) for id, name in self.category_choices()
        ]
        form.check = lambda: self.check_product(item, form)
        return form

    def render_crud(self, template: str, **values: Any) -> None:
        if "form" in values:
            values["previews"] = self.previews(values["form"])
            values["preview_url"] = self.page.url(preview="1")
            values["media"] = self.media_values(values["form"])
        super().render_crud(template, **values)

    def media_values(self, form: ProductForm) -> dict[str, Any]:
        """What the image fields show (media_field.html)."""
        return image_field_values(self, form, [(form.image, False), (form.gallery, True)])

    def previews(self, form: ProductForm) -> dict[str, dict[str, str]]:
        """The preview of each pricelist's typed-in price (the same JSON the script gets)."""
        found = {}
        for pricelist in form.pricelists:
            fields = form.price_fields(pricelist.code)
            try:
                price = breakdown(
                    pricelist, fields["price"].data, fields["rate"].data, fields["before"].data
                )
            except ValueError as error:
                found[pricelist.code] = {"error": self.problem_text(error)}
            else:
                found[pricelist.code] = preview_values(pricelist, price)
        return found

    def check_product(self, item: Any, form: ProductForm) -> bool:
        """The checks that need the database or several fields; False on an error."""
        _ = form._
        valid = True
        code = (form.code.data or "").strip()
        form.code.data = code
        if form.code.errors:
            valid = False
        elif not code:  # only spaces
            add_error(form.code, _("Enter the product's code."))
            valid = False
        elif code_problem(code):
            add_error(form.code, _("The code must be %(rule)s.", rule=_(CODE_RULE)))
            valid = False
        else:
            clash = select(Product.id).where(Product.code == code)
            if item.id is not None:
                clash = clash.where(Product.id != item.id)
            if self.db.scalar(clash) is not None:
                add_error(form.code, _("Another product has this code."))
                valid = False
        ean = (form.ean.data or "").strip()
        form.ean.data = ean
        if ean and ean_problem(ean):
            add_error(form.ean, _("This is not a valid EAN (check its digits)."))
            valid = False
        valid = self.check_texts(item, form) and valid
        valid = self.check_images(form) and valid
        for pricelist in form.pricelists:
            fields = form.price_fields(pricelist.code)
            for name in ("price", "before"):
                try:
                    parse_amount(fields[name].data)
                except ValueError as error:
                    add_error(fields[name], self.problem_text(error))
                    valid = False
            if not fields["price"].errors and not fields["before"].errors:
                price = parse_amount(fields["price"].data)
                before = parse_amount(fields["before"].data)
                if before is not None and (price is None or before <= price):
                    add_error(
                        fields["before"],
                        _("The price before discount is higher than the price, or empty."),
                    )
                    valid = False
        if form.kind.data == ProductKind.SET.value:
            valid = self.check_set_items(item, form) and valid
        return valid

    def check_images(self, form: ProductForm) -> bool:
        """The main image and the gallery name images of the media library."""
        return check_image_fields(self.db, form, [(form.image, False), (form.gallery, True)])

    def check_texts(self, item: Any, form: ProductForm) -> bool:
        def others(locale: str) -> list[Any]:
            scope = [ProductText.locale == locale]
            if item.id is not None:
                scope.append(ProductText.product_id != item.id)
            return scope

        unnamed = form._("Give the product a name in at least one locale.")
        return check_localized_slugs(self.db, form, ProductText.slug, others, "name", unnamed)

    def check_set_items(self, item: Any, form: ProductForm) -> bool:
        """`CODE QUANTITY` lines naming other products; stores the parsed pairs on the form."""
        _ = form._
        lines = [line.split() for line in (form.set_items.data or "").splitlines() if line.strip()]
        pairs: list[tuple[str, int]] = []
        for parts in lines[: MAX_SET_ITEMS + 1]:
            quantity = parse_int(parts[1] if len(parts) == 2 else "1", 1, 1000)
            if len(parts) > 2 or quantity is None:
                add_error(
                    form.set_items,
                    _("Write one item a line: its code and a quantity from 1 to 1000."),
                )
                return False
            pairs.append((parts[0], quantity))
        if not pairs or len(pairs) > MAX_SET_ITEMS:
            add_error(
                form.set_items, _("A set has from 1 to %(count)s items.", count=MAX_SET_ITEMS)
            )
            return False
        codes = [code for code, _quantity in pairs]
        statement = select(Product.code, Product.id).where(Product.code.in_(codes))
        found = {code: id for code, id in self.db.execute(statement)}
        missing = [code for code in codes if code not in found]
        if missing:
            add_error(form.set_items, _("There is no product %(codes)s.", codes=", ".join(missing)))
            return False
        if len(set(codes)) < len(codes) or code_of_self(item, form) in codes:
            add_error(form.set_items, _("Name each item once, and not the set itself."))
            return False
        form.parsed_items = tuple((found[code], quantity) for code, quantity in pairs)
        return True

    def save(self, item: Any, form: Any) -> None:
        item.code = form.code.data
        item.ean = form.ean.data or None
        item.kind = ProductKind(form.kind.data)
        item.category_id = int(form.category.data) if form.category.data else None
        texts = {text.locale: text for text in item.texts}
        for locale in form.locales:
            fields = form.localized(locale)
            name = (fields["name"].data or "").strip()
            text = texts.get(locale)
            if not name:
                if text is not None:
                    item.texts.remove(text)
                continue
            if text is None:
                text = ProductText(locale=locale)
                item.texts.append(text)
            text.name = name
            text.slug = fields["slug"].data
            text.description = fields["description"].data or ""
        self.save_prices(item, form)
        self.save_stock(item, form)
        self.save_images(item, form)
        self.db.add(item)
        self.db.flush()  # the product's id, for the set items
        if item.is_set:
            wanted = dict(form.parsed_items)
            item.set_items = [
                SetItem(set_id=item.id, item_id=id, quantity=quantity, position=number)
                for number, (id, quantity) in enumerate(wanted.items())
            ]
        else:
            item.set_items = []
        self.db.flush()

    def save_images(self, item: Product, form: ProductForm) -> None:
        chosen = form.chosen_media or {}
        main = chosen.get("image") or []
        item.image = main[0] if main else None
        kept = {row.media_id: row for row in item.gallery}
        item.gallery = [
            kept.get(image.id) or ProductImage(media=image) for image in chosen.get("gallery", [])
        ]
        for position, row in enumerate(item.gallery):
            row.position = position

    def save_prices(self, item: Product, form: ProductForm) -> None:
        rows = {row.pricelist_id: row for row in item.prices}
        for pricelist in form.pricelists:
            fields = form.price_fields(pricelist.code)
            amount = parse_amount(fields["price"].data)
            row = rows.get(pricelist.id)
            if amount is None or item.kind == ProductKind.SET:
                if row is not None and row.set_discount is None:
                    item.prices.remove(row)
                elif row is not None:
                    row.amount = row.amount_before = None
                continue
            if row is None:
                row = Price(pricelist=pricelist)
                item.prices.append(row)
            row.amount = amount
            row.amount_before = parse_amount(fields["before"].data)
            rate = Decimal(fields["rate"].data)
            row.vat_rate = None if rate == pricelist.default_vat_rate else rate

    def save_stock(self, item: Product, form: ProductForm) -> None:
        rows = {row.code: row for row in item.availabilities}
        for code in form.stock_codes:
            fields = form.stock_fields(code)
            row = rows.get(code)
            if row is None:
                row = Availability(code=code)
                item.availabilities.append(row)
            row.units = fields["units"].data or 0
            row.delivery_days = fields["days"].data or 0
            row.available_from = fields["from"].data
            row.sold_out_orders = bool(fields["soldout"].data)


def code_of_self(item: Any, form: ProductForm) -> str:
    return str(form.code.data or item.code or "")


def _plain(amount: Decimal | None) -> str:
    """A stored amount as the form shows it: `12.50`, not `12.5000`."""
    if amount is None:
        return ""
    text = f"{amount:f}"
    if "." in text:
        whole, decimals = text.split(".")
        decimals = decimals.rstrip("0").ljust(2, "0")
        text = f"{whole}.{decimals}"
    return text


def preview_values(pricelist: Pricelist, price: PriceBreakdown | None) -> dict[str, str]:
    """What the preview shows: net, gross, VAT (and the discount), as decimal text."""
    if price is None:
        return {"net": "", "gross": "", "vat": "", "discount": "", "currency": pricelist.currency}
    return {
        "net": str(price.net),
        "gross": str(price.gross),
        "vat": str(price.vat),
        "discount": str(price.discount_percent) if price.has_discount else "",
        "currency": pricelist.currency,
    }


def json_response(data: dict[str, str], status: int = 200) -> Response:
    """`data` as a JSON response (never cached: it answers typed-in values)."""
    return Response(json.dumps(data), status=status, mimetype="application/json")
