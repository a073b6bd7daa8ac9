"""The catalog: categories, products and sets, pricelists, prices and stock.

- `pricing` and `availability`: the rules, plain functions over Decimal and dates;
- `models`: the tables, delegating to the rules;
- `money`: amounts as a locale writes them;
- `markets`: the pricelist and availability code of each locale;
- `offers`: products as a shopper sees them, and the filters of a category page;
- `queries`: what the modules ask the database, without N+1 statements;
- `cache_tags`: what a write makes stale in the output cache, exactly;
- `old_paths`: the slug paths categories had, so that their old URLs answer 301.
"""

from __future__ import annotations

from application.classes.catalog.availability import (
    StatusKind,
    Stock,
    StockStatus,
    stock_status,
    worst_status,
)
from application.classes.catalog.cache_tags import (
    CatalogChanged,
    catalog_changed,
    category_tag,
    pricelist_tag,
    product_tag,
)
from application.classes.catalog.markets import MARKETS, Market, market_for
from application.classes.catalog.models import (
    Availability,
    CatalogError,
    Category,
    CategoryText,
    Price,
    Pricelist,
    Product,
    ProductImage,
    ProductKind,
    ProductText,
    SetItem,
    sort_name,
)
from application.classes.catalog.money import format_money
from application.classes.catalog.offers import (
    FILTER_PARAMETERS,
    Offer,
    ParsedFilter,
    ProductFilter,
    Sort,
    offers_of,
    parse_filter,
)
from application.classes.catalog.old_paths import OldCategoryPath, moved_category_path
from application.classes.catalog.pricing import (
    PriceBreakdown,
    SetDiscount,
    discount_percent,
    gross_from_net,
    net_from_gross,
    price_breakdown,
    round_money,
    set_price,
)
from application.classes.catalog.queries import (
    category_by_path,
    category_page,
    category_path,
    category_products,
    category_trail,
    descendant_ids,
    featured_products,
    load_products,
    load_set_items,
    pricelist_by_code,
    product_by_slug,
    products_in,
    subcategories,
)

__all__ = [
    "FILTER_PARAMETERS",
    "MARKETS",
    "Availability",
    "CatalogChanged",
    "CatalogError",
    "Category",
    "CategoryText",
    "Market",
    "Offer",
    "OldCategoryPath",
    "ParsedFilter",
    "Price",
    "PriceBreakdown",
    "Pricelist",
    "Product",
    "ProductFilter",
    "ProductImage",
    "ProductKind",
    "ProductText",
    "SetDiscount",
    "SetItem",
    "Sort",
    "StatusKind",
    "Stock",
    "StockStatus",
    "catalog_changed",
    "category_by_path",
    "category_page",
    "category_path",
    "category_products",
    "category_tag",
    "category_trail",
    "descendant_ids",
    "discount_percent",
    "featured_products",
    "format_money",
    "gross_from_net",
    "load_products",
    "load_set_items",
    "market_for",
    "moved_category_path",
    "net_from_gross",
    "offers_of",
    "parse_filter",
    "price_breakdown",
    "pricelist_by_code",
    "pricelist_tag",
    "product_by_slug",
    "product_tag",
    "products_in",
    "round_money",
    "set_price",
    "sort_name",
    "stock_status",
    "subcategories",
    "worst_status",
]
