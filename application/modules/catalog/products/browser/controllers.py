"""The public catalog: top categories, category pages by slug path, product detail.

Below the page it is mounted on (`/products/`, `/cs/produkty/`):

- `/products/` lists the top categories;
- `/products/electronics/audio` is a category by its slug path: the products of the category
  and of the categories below it, filtered by the query parameters `in_stock=1`, `price_min`,
  `price_max` and `sort=name|-name|price|-price`. A wrong value shows the unfiltered list with
  a message naming the parameter (status 200). The list is paged like the articles (module
  parameter `per_page`, 24 by default): `/products/electronics/page-2` is its second page,
  `page-1` answers 301 to the category's URL and a page past the last one 404; the filters
  stay in the query string of every page;
- a path a category had before (before it or a category above it moved to another parent
  or got a new slug) answers 301 to its path now, page and query string kept;
- `/products/<slug>.html` is a product. Its URL leaves out the category path, so it stays
  the same when the product moves to another category; the breadcrumb shows the path. A slug
  the product had before answers 301 to its slug now.

Anything else below the page is a 404. The pricelist and the availability code come from the
locale's market (`application/classes/catalog/markets.py`): CZK in cs_CZ, EUR in en_US.

A category sorted by name (the default) without filters is paged in SQL (a count and one
page of products); sorted by price, or filtered, it is sorted and paged in Python, since a
set's price and any product's availability are computed. Both give the same pages.

The output is tagged with exactly what it shows (`application/classes/catalog/cache_tags.py`):
a change to another product or category leaves it in the cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from application.classes.catalog import (
    Category,
    Offer,
    ParsedFilter,
    Pricelist,
    Product,
    ProductFilter,
    ProductText,
    Sort,
    StatusKind,
    StockStatus,
    category_by_path,
    category_page,
    category_path,
    category_tag,
    category_trail,
    descendant_ids,
    featured_products,
    market_for,
    moved_category_path,
    offers_of,
    parse_filter,
    pricelist_by_code,
    pricelist_tag,
    product_by_slug,
    product_tag,
    products_in,
    subcategories,
)
from application.classes.catalog.cache_tags import FEATURED, ROOT, category_products_tag
from application.classes.old_slugs import moved_to
from application.classes.paging import PAGE_PATH, PageOf, page_of_items, pager
from application.classes.rich_text import to_plain
from application.classes.slugs import SLUG
from jetpy import Controller, ControllerRouter, JetpyError

if TYPE_CHECKING:
    from jetpy.kernel.pages import Page

FEATURED_COUNT = 4  # products in the homepage widget unless its `count` says otherwise
PER_PAGE = 24  # products on a page of a category unless the module's `per_page` says otherwise
DESCRIPTION_LENGTH = 160  # of the meta description


@dataclass(frozen=True)
class Shop:
    """What a request sells with: the locale's pricelist and availability code, and today."""

    locale: str
    pricelist: Pricelist | None  # None until the catalog has the market's pricelist
    availability: str
    today: dt.date

    def money(self, amount: Decimal | None) -> str:
        if self.pricelist is None:
            return ""
        return self.pricelist.format(amount, self.locale)

    def offers(self, products: Iterable[Product]) -> list[Offer]:
        return offers_of(products, self.locale, self.pricelist, self.availability, self.today)


def open_shop(controller: Controller) -> Shop:
    """The shop of the controller's locale, its pricelist read from the request's session."""
    market = market_for(controller.locale.name)
    today = dt.date.today()
    expire_at_midnight(controller, today)
    controller.tag(pricelist_tag(market.pricelist))
    return Shop(
        controller.locale.name,
        pricelist_by_code(controller.db, market.pricelist),
        market.availability,
        today,
    )


def expire_at_midnight(controller: Controller, today: dt.date) -> None:
    """Catalog output shows today's availability and prices: it expires at midnight."""
    midnight = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    controller.expires_at(midnight.timestamp())  # local time, as date.today()


def tag_offers(controller: Controller, offers: Iterable[Offer], images: bool = False) -> None:
    """The output shows these products (and their main image, or all with `images`)."""
    tags = []
    for offer in offers:
        product = offer.product
        tags.append(product_tag(product.id))
        for item in product.images if images else [product.image]:
            if item is not None:
                tags.append(f"mediaitem:{item.id}")
    controller.tag(*tags)


def tag_categories(controller: Controller, categories: Iterable[Category]) -> None:
    controller.tag(*(category_tag(category.id) for category in categories))


def status_text(status: StockStatus, _: Callable[..., str], date: Callable[..., str]) -> str:
    """The availability a customer reads: `In stock`, `Delivery in 5 days` …"""
    if status.kind is StatusKind.IN_STOCK:
        return _("In stock")
    if status.kind is StatusKind.AVAILABLE_FROM:
        return _("Available from %(date)s", date=date(status.date, "long"))
    if status.kind is StatusKind.DELIVERY:
        days = status.days or 0
        if days == 0:
            return _("Delivery today")
        if days == 1:
            return _("Delivery in 1 day")
        return _("Delivery in %(days)s days", days=days)
    return _("Not available")


class Main(Controller):
    """Top categories, a category with its filtered products, or a product."""

    category: Category
    product: Product
    list_page = 1  # of a category's products (leftover path `page-N`)
    category_path = ""  # the leftover path naming the category, without `page-N`
    moved_url = ""  # where an old slug's URL redirects to

    def get_router(self) -> ControllerRouter:
        router = ControllerRouter(self)
        router.add_action(
            "categories", resolver=lambda: self.url_path == "", url_creator=self.page.url
        )
        router.add_action("detail", resolver=self.resolve_detail, url_creator=self.product_url)
        router.add_action("moved", resolver=self.resolve_moved)
        router.add_action("category", resolver=self.resolve_category, url_creator=self.category_url)
        router.add_action(  # after the live categories: a slug in use wins
            "category_moved", resolver=self.resolve_moved_category
        )
        return router

    def product_url(self, slug: str) -> str:
        return self.page.url(slug + ".html")

    def category_url(self, path: str, **query: Any) -> str:
        return self.page.url(*path.split("/"), **query)

    def resolve_detail(self) -> bool:
        slug = self.url_path.removesuffix(".html")
        if slug == self.url_path or not SLUG.fullmatch(slug):
            return False  # not a product's URL: no query
        product = product_by_slug(self.db, slug, self.locale.name)
        if product is None:
            return False
        self.product = product
        self.set_used_path(self.url_path)
        return True

    def resolve_moved(self) -> bool:
        """A product's old slug (`application/classes/old_slugs.py`): 301 to its slug now."""
        slug = self.url_path.removesuffix(".html")
        if slug == self.url_path or not SLUG.fullmatch(slug):
            return False
        product_id = moved_to(self.db, "product", self.locale.name, slug)
        if product_id is None:
            return False
        text = self.db.scalar(
            select(ProductText).where(
                ProductText.product_id == product_id, ProductText.locale == self.locale.name
            )
        )
        if text is None:
            return False
        self.moved_url = self.product_url(text.slug)
        self.set_used_path(self.url_path)
        return True

    def resolve_moved_category(self) -> bool:
        """A path a category had before it or a category above it moved or got a new slug
        (`application/classes/catalog/old_paths.py`): 301 to its path now, with the same page
        and query."""
        locale = self.locale.name
        path, _, last = self.url_path.rpartition("/")
        moved = None
        if path and PAGE_PATH.fullmatch(last):
            moved = moved_category_path(self.db, path, locale)
        if moved is None:  # a slug like `page-2` is a category's too (as in resolve_category)
            last = ""
            moved = moved_category_path(self.db, self.url_path, locale)
        if moved is None:
            return False
        self.moved_url = self.page.url(*moved.split("/"), *([last] if last else []))
        self.set_used_path(self.url_path)
        return True

    def resolve_category(self) -> bool:
        path, _, last = self.url_path.rpartition("/")
        found = PAGE_PATH.fullmatch(last) if path else None
        category = category_by_path(self.db, path, self.locale.name) if found else None
        if category is not None and found is not None:
            self.list_page = int(found[1])
        else:
            path = self.url_path
            category = category_by_path(self.db, path, self.locale.name)
        if category is None:
            return False
        self.category = category
        self.category_path = path
        self.set_used_path(self.url_path)
        return True

    # actions ------------------------------------------------------------------------
    def moved_action(self) -> Response:
        query = self.request.query_string.decode("latin-1")
        return redirect(self.moved_url + (f"?{query}" if query else ""), 301)

    def category_moved_action(self) -> Response:
        return self.moved_action()

    def categories_action(self) -> None:
        locale = self.locale.name
        top = subcategories(self.db, None, locale)
        self.tag(ROOT)  # a category added at the top, or moved there
        tag_categories(self, top)
        self.render(
            "categories.html",
            categories=[
                (text, self.category_url(text.slug))
                for category in top
                if (text := category.text(locale)) is not None
            ],
        )

    def category_action(self) -> Response | None:
        if self.category_path != self.url_path and self.list_page == 1:  # `page-1`
            query = self.request.query_string.decode("latin-1")
            target = self.category_url(self.category_path)
            return redirect(target + (f"?{query}" if query else ""), 301)
        locale = self.locale.name
        shop = open_shop(self)
        trail = category_trail(self.db, self.category)
        text = self.category.text(locale)
        assert text is not None  # found by its slug in this locale
        number = self.list_page
        paged = (f"page-{number}",) if number > 1 else ()
        self._crumbs(trail[:-1])
        self.breadcrumb.add(text.name, self.category_url(self.category_path) if paged else None)
        self.head.title = text.name
        self.set_alternates(  # the category's slug path (and page) in each locale
            lambda page: (
                page.url(*other.split("/"), *paged)
                if (other := category_path(trail, page.locale.name))
                else None
            )
        )
        if text.description:
            self.head.set_meta("description", text.description)
        path = category_path(trail, locale) or text.slug
        parsed = parse_filter(self.request.args)
        per_page = _positive_int(self.parameters, "per_page", PER_PAGE, self)
        below = descendant_ids(self.db, self.category)  # whose products the list shows
        shown = products_page(self.db, shop, below, parsed.filter, number, per_page)
        if shown.out_of_range:
            raise NotFound()
        tag_categories(self, trail)  # the breadcrumb
        self.tag(*(category_products_tag(id) for id in below))
        tag_offers(self, shown.items)
        if number > 1:
            self.head.title = self._("%(title)s, page %(page)s", title=text.name, page=number)
            self.breadcrumb.add(self._("Page %(page)s", page=number))
        query = self.request.query_string.decode("latin-1")

        def page_url(wanted: int) -> str:
            """A page of this list with the same filters."""
            url = (
                self.category_url(path)
                if wanted == 1
                else self.page.url(*path.split("/"), f"page-{wanted}")
            )
            return url + (f"?{query}" if query else "")

        children = subcategories(self.db, self.category, locale)
        tag_categories(self, children)
        self.render(
            "category.html",
            text=text,
            here=self.category_url(path),
            children=[
                (child_text.name, self.category_url(f"{path}/{child_text.slug}"))
                for child in children
                if (child_text := child.text(locale)) is not None
            ],
            offers=shown.items,
            shown=shown,
            pager=pager(shown.page, shown.pages),
            page_url=page_url,
            filter=parsed.filter,
            bad=parsed.bad,
            filter_errors=self._filter_errors(parsed),
            form=self._filter_form(parsed),
            sorts=[
                (Sort.NAME, self._("Name A to Z")),
                (Sort.NAME_DESC, self._("Name Z to A")),
                (Sort.PRICE, self._("Lowest price first")),
                (Sort.PRICE_DESC, self._("Highest price first")),
            ],
            **presenters(self, shop, self.page),
        )
        return None

    def _filter_form(self, parsed: ParsedFilter) -> dict[str, Any]:
        """What the filter form shows: the filter in use, or, when some value was wrong,
        everything as it was entered, to be corrected rather than typed again."""
        if parsed.bad:
            args = self.request.args
            return {
                "in_stock": args.get("in_stock", "").strip() == "1",
                "price_min": args.get("price_min", ""),
                "price_max": args.get("price_max", ""),
                "sort": args.get("sort", "").strip(),
            }
        shown = parsed.filter
        return {
            "in_stock": shown.in_stock,
            "price_min": "" if shown.price_min is None else str(shown.price_min),
            "price_max": "" if shown.price_max is None else str(shown.price_max),
            "sort": shown.sort.value,
        }

    def _filter_errors(self, parsed: ParsedFilter) -> list[str]:
        """What was wrong with each filter that could not be used, by its label, and how
        to put it right (the form keeps what was entered)."""
        _ = self._
        amount = _("enter an amount of 0 or more, such as 250 or 99.90")
        errors = []
        if "in_stock" in parsed.bad:
            errors.append(
                _("“In stock only” had a value it cannot take; tick the box or leave it empty.")
            )
        if parsed.reversed_prices:
            errors.append(_("“Price from” is above the highest price; swap the two."))
        else:
            if "price_min" in parsed.bad:
                errors.append(_("“Price from”: %(how)s.", how=amount))
            if "price_max" in parsed.bad:
                errors.append(_("Price “to”: %(how)s.", how=amount))
        if "sort" in parsed.bad:
            errors.append(_("“Sort”: choose one of the orders offered."))
        return errors

    def detail_action(self) -> None:
        locale = self.locale.name
        product = self.product
        text = product.text(locale)
        assert text is not None  # found by its slug in this locale
        shop = open_shop(self)
        trail = category_trail(self.db, product.category) if product.category else []
        tag_categories(self, trail)
        self._crumbs(trail)
        self.breadcrumb.add(text.name)
        self.head.title = text.name
        self.head.set_meta("description", _shorten(to_plain(text.description) or text.name))
        self.set_alternates(
            lambda page: (
                page.url(other.slug + ".html")
                if (other := product.text(page.locale.name)) is not None
                else None
            )
        )
        items = [
            (item.quantity, item_text.name, self.product_url(item_text.slug))
            for item in product.set_items
            if (item_text := item.item.text(locale)) is not None
        ]
        offer = shop.offers([product])[0]
        tag_offers(self, [offer], images=True)
        self.tag(*(product_tag(item.item_id) for item in product.set_items))
        self.render(
            "detail.html",
            offer=offer,
            items=items,
            back=self.breadcrumb.items[-2],
            **presenters(self, shop, self.page),
        )

    # helpers ------------------------------------------------------------------------
    def _crumbs(self, trail: list[Category]) -> None:
        """A breadcrumb step with a link for each category of `trail`, from the top."""
        locale = self.locale.name
        for depth, category in enumerate(trail, 1):
            path = category_path(trail[:depth], locale)
            text = category.text(locale)
            if path is None or text is None:
                return  # a category not translated in this locale: the path stops there
            self.breadcrumb.add(text.name, self.category_url(path))


class Widgets(Controller):
    """Blocks for other pages: `featured` products (parameter `count`, page id `page`)."""

    def featured_action(self) -> None:
        count = _positive_int(self.parameters, "count", FEATURED_COUNT, self)
        shop = open_shop(self)
        self.tag(FEATURED)  # which products: the most discounted in stock, of all
        if shop.pricelist is None:
            return  # an empty catalog: nothing to feature
        products = featured_products(self.db, shop.locale, shop.pricelist, count, shop.availability)
        if not products:
            return
        page = self.app.page(
            self.parameters.get("page", "products"), base=self.base.id, locale=shop.locale
        )
        offers = shop.offers(products)
        tag_offers(self, offers)
        self.render(
            "featured.html",
            offers=offers,
            products_page=page,
            **presenters(self, shop, page),
        )


def products_page(
    session: Session,
    shop: Shop,
    category_ids: Sequence[int],
    filter: ProductFilter,
    number: int,
    per_page: int,
) -> PageOf[Offer]:
    """Page `number` of the offers of a category (`category_ids`: it and those below it):
    paged in SQL when sorted by name and nothing is filtered, else all offers filtered,
    sorted and paged in Python (the same pages)."""
    if not filter.filters and filter.sort in (Sort.NAME, Sort.NAME_DESC):
        descending = filter.sort is Sort.NAME_DESC
        products, total = category_page(
            session, category_ids, shop.locale, number, per_page, descending
        )
        return PageOf(shop.offers(products), number, per_page, total)
    offers = filter.apply(shop.offers(products_in(session, category_ids, shop.locale)))
    return page_of_items(offers, number, per_page)


def presenters(controller: Controller, shop: Shop, products_page: Page) -> dict[str, Any]:
    """What the views use to show offers: money, availability text and product URLs."""
    return {
        "shop": shop,
        "money": shop.money,
        "status_text": lambda status: status_text(
            status, controller.translator, controller.formats.date
        ),
        "product_url": lambda offer: products_page.url(offer.slug + ".html"),
    }


def _shorten(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0] + "…"


def _positive_int(parameters: Mapping[str, Any], name: str, default: int, on: Controller) -> int:
    value = parameters.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise JetpyError(
            f"parameter `{name}` of module catalog.products.browser on page `{on.page.id}` "
            f"is {value!r}; give it a whole number of 1 or more"
        )
    return value
