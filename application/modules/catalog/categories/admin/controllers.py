"""Catalog categories in the admin base: the tree as a grid, and a form per category.

The page (`/admin/categories/`) is a `jetpy.web.crud.CrudController`: `?add`, `?view=ID`,
`?edit=ID`, `?delete=ID`, `?history=ID`. The grid lists the tree in its public order
(parents before their children, siblings by their order), each name indented by its depth
with its parent's path beside it, and sorts by name, order or id and searches by name too.

The form has a name, slug and description per locale of the `web` base (a locale left
without a name has no text: the category is not shown in it), the parent and the order
among siblings. A slug is checked like a product's (`application/classes/slugs.py`): empty
is made from the name, a taken or malformed one is a field error with a suggestion. A
parent that is the category itself or one below it (a loop) is refused. A category that
still holds products or subcategories is not deleted: the editor moves them first.

A save emits the catalog's exact cache tags (`emit_catalog_changes`): the category, its old
and new parent (or the top list) and the product lists it leaves and enters; a changed slug
or parent keeps the old paths of the category and of those below it answering 301
(`application/classes/catalog/old_paths.py`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from markupsafe import Markup, escape
from sqlalchemy import BigInteger, Select, Text, and_, cast, func, literal, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.utils import redirect
from werkzeug.wrappers import Response
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import Length, NumberRange, Optional

from application.classes.audit import HistoryActions
from application.classes.catalog.cache_tags import emit_catalog_changes
from application.classes.catalog.models import Category, CategoryText, Product
from application.classes.slugs import check_localized_slugs
from jetpy.data.changes import Snapshot
from jetpy.web.crud import CrudController
from jetpy.web.forms import Form, add_error
from jetpy.web.grid import Column, Filter, Grid, parse_id

PUBLIC_BASE = "web"  # whose locales categories are described in
TEXT_FIELDS = ("name", "slug", "description")
MAX_ORDER = 99_999
TOP = "top"  # the parent filter's value for the top categories
# the grid's tree order: each level adds its order (6 digits) and id (11 digits) to the key
_ORDER_BASE, _ID_BASE = 100_000, 10_000_000_000


def tree_order() -> Any:
    """A recursive CTE of every category's id, depth and tree key (text that sorts parents
    before children and siblings by order, then id), for the grid's statement."""
    tree = (
        select(Category.id.label("id"), literal(0).label("depth"), _step().label("key"))
        .where(Category.parent_id.is_(None))
        .cte("category_tree", recursive=True)
    )
    return tree.union_all(
        select(Category.id, tree.c.depth + 1, tree.c.key + _step()).join(
            tree, Category.parent_id == tree.c.id
        )
    )


def _step() -> Any:
    """A category's part of the tree key (text on both databases: PostgreSQL wants the
    recursive term's type to be the first term's)."""
    order = cast(Category.position + _ORDER_BASE, Text)
    id = cast(cast(Category.id, BigInteger) + literal(_ID_BASE, BigInteger), Text)
    return order + id


class CategoryForm(Form):
    """The fields of every category; `category_form()` adds those of the locales."""

    class Meta:
        id_prefix = "category-"

    parent = SelectField(
        "Parent",
        choices=[],
        validate_choice=False,  # checked by the controller, which says why a choice is refused
        description="Empty: a top category.",
    )
    position = IntegerField(
        "Order",
        [Optional(), NumberRange(0, MAX_ORDER)],
        default=0,
        description="Among its siblings: lower comes first.",
    )
    locales: ClassVar[tuple[str, ...]] = ()
    controller_check: Any = None  # the checks that need the database

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        checked = self.controller_check() if self.controller_check is not None else True
        return bool(checked) and valid

    def localized(self, locale: str) -> dict[str, Any]:
        return {name: self[f"{name}_{locale}"] for name in TEXT_FIELDS}


def category_form(locales: tuple[str, ...]) -> type[CategoryForm]:
    """The form class with the text fields of every locale."""
    fields: dict[str, Any] = {"locales": locales}
    for locale in locales:
        fields[f"name_{locale}"] = StringField("Name", [Optional(), Length(max=200)])
        fields[f"slug_{locale}"] = StringField(
            "Slug", [Optional(), Length(max=200)], description="Empty: made from the name."
        )
        fields[f"description_{locale}"] = TextAreaField(
            "Description",
            [Optional(), Length(max=2000)],
            description="Shown under the heading and as the page's description.",
        )
    return type("CatalogCategoryForm", (CategoryForm,), fields)


class Tree:
    """Every category's parent and name, read once per request (a catalog has few); plain
    values, so the CSV export may use them after the request's session closed."""

    def __init__(self, session: Session, locale: str) -> None:
        self.parents: dict[int, int | None] = {}
        self.names: dict[int, str] = {}
        for category in session.scalars(select(Category).options(selectinload(Category.texts))):
            self.parents[category.id] = category.parent_id
            text = category.text(locale) or next(iter(category.texts), None)
            self.names[category.id] = text.name if text is not None else f"#{category.id}"

    def ancestors(self, id: int | None) -> list[int]:
        """The ids above `id` and `id` itself, from the top (a loop stops it)."""
        found: list[int] = []
        while id is not None and id in self.parents and len(found) < len(self.parents):
            found.insert(0, id)
            id = self.parents[id]
        return found

    def path(self, id: int | None) -> str:
        """`Electronics / Audio`: the names from the top to `id`."""
        return " / ".join(self.names[id] for id in self.ancestors(id))

    def children(self, id: int) -> list[int]:
        return [child for child, parent in self.parents.items() if parent == id]

    def below(self, id: int) -> set[int]:
        """The ids of the categories below `id` (not itself)."""
        found: set[int] = set()
        waiting = self.children(id)
        while waiting:
            current = waiting.pop()
            if current not in found:
                found.add(current)
                waiting.extend(self.children(current))
        return found

    def choices(self) -> list[tuple[int, str]]:
        """(id, path) of every category, by path."""
        return sorted(((id, self.path(id)) for id in self.parents), key=lambda c: c[1])


class Main(HistoryActions, CrudController):
    """The categories grid and forms."""

    model = Category
    add_title = "Add category"
    edit_title = "Edit category “%(item)s”"
    form_template = "catalog.categories.admin/form.html"

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self.app.bases[PUBLIC_BASE].locales)

    @property
    def tree(self) -> Tree:
        found: Tree | None = getattr(self, "_tree", None)
        if found is None:
            found = self._tree = Tree(self.db, self.locale.name)
        return found

    def record_change(
        self, action: str, item: Any, before: Snapshot | None, label: str | None = None
    ) -> None:
        super().record_change(action, item, before, label)
        emit_catalog_changes(self.app, self.db)

    def title_of(self, item: Any) -> str:
        """The name in the admin's locale, else in another, else `#id`."""
        texts = sorted(item.texts, key=lambda t: t.locale != self.locale.name)
        return str(texts[0].name) if texts else f"#{item.id}"

    # the grid --------------------------------------------------------------------------
    def get_grid(self) -> Grid:
        _ = self._
        text = CategoryText
        tree = tree_order()
        statement: Select[Any] = (
            select(Category)
            .join(tree, tree.c.id == Category.id)
            .outerjoin(text, and_(text.category_id == Category.id, text.locale == self.locale.name))
            .options(selectinload(Category.texts))
        )
        counts = self.product_counts()
        return Grid(
            statement,
            [
                Column("id", "ID"),
                Column(
                    "name",
                    _("Name"),
                    searchable=True,
                    expression=text.name,
                    value=self.title_of,
                    render=self.indented_name,
                ),
                Column(
                    "parent",
                    _("Parent"),
                    sortable=False,
                    value=lambda c: self.tree.path(c.parent_id),
                ),
                # sorted by order in the tree: parents before their children
                Column("position", _("Order"), expression=tree.c.key),
                Column(
                    "products",
                    _("Products"),
                    sortable=False,
                    value=lambda c: counts.get(c.id, 0),
                ),
            ],
            filters=[
                Filter(
                    "parent",
                    _("Parent"),
                    [(TOP, _("Top categories")), *self.tree.choices()],
                    where=self.parent_is,
                )
            ],
            sort="position",
            export_filename="categories",
            empty=_("No categories yet."),
        )

    def parent_is(self, value: Any) -> Any:
        return Category.parent_id.is_(None) if value == TOP else Category.parent_id == value

    def indented_name(self, category: Category) -> Markup:
        """The name after a mark of its depth (the grid's tree)."""
        depth = len(self.tree.ancestors(category.id)) - 1
        name = escape(self.title_of(category))
        if depth <= 0:
            return Markup(name)
        marks = Markup('<span class="tree-depth" aria-hidden="true">{}└ </span>').format(
            "\u00a0\u00a0\u00a0" * (depth - 1)
        )
        return marks + name

    def product_counts(self) -> dict[int, int]:
        """Products directly in each category (one statement, once per request)."""
        found: dict[int, int] | None = getattr(self, "_counts", None)
        if found is not None:
            return found
        rows = self.db.execute(
            select(Product.category_id, func.count())
            .where(Product.category_id.is_not(None))
            .group_by(Product.category_id)
        )
        found = self._counts = {id: count for id, count in rows if id is not None}
        return found

    def view_fields(self, item: Any) -> list[tuple[str, Any]]:
        _ = self._
        fields: list[tuple[str, Any]] = [
            ("ID", item.id),
            (_("Parent"), self.tree.path(item.parent_id) or _("None (a top category)")),
            (_("Order"), item.position),
            (_("Products"), self.product_counts().get(item.id, 0)),
        ]
        for text in sorted(item.texts, key=lambda t: t.locale):
            fields.append((f"{_('Name')} ({text.locale})", text.name))
            fields.append((f"{_('Slug')} ({text.locale})", text.slug))
            fields.append((f"{_('Description')} ({text.locale})", text.description))
        return fields

    # delete ------------------------------------------------------------------------------
    def delete_action(self) -> Response | None:
        """Delete, unless products or subcategories are still in the category."""
        item = self.require_item("delete")
        products = self.product_counts().get(item.id, 0)
        children = len(self.tree.children(item.id))
        if not products and not children:
            return super().delete_action()
        if self.request.method == "POST":
            self.check_csrf()
        message = self._(
            "%(item)s still holds %(products)s products and %(children)s subcategories; "
            "move them to another category first.",
            item=self.title_of(item),
            products=products,
            children=children,
        )
        self.flash(message, "error")
        return redirect(self.list_url(), 303)

    # the form ----------------------------------------------------------------------------
    def make_form(self, item: Any) -> CategoryForm:
        data: dict[str, Any] = {
            "parent": str(item.parent_id or ""),
            "position": item.position if item.position is not None else 0,
        }
        for text in item.texts:
            for name in TEXT_FIELDS:
                data[f"{name}_{text.locale}"] = getattr(text, name)
        form = category_form(self.locales)(self, data=data)
        refused = {item.id, *self.tree.below(item.id)} if item.id is not None else set()
        form.parent.choices = [SelectChoice("", self._("None (a top category)"))] + [
            SelectChoice(str(id), path) for id, path in self.tree.choices() if id not in refused
        ]
        form.controller_check = lambda: self.check_category(item, form)
        return form

    def check_category(self, item: Any, form: CategoryForm) -> bool:
        """The checks that need the database or several fields; False on an error."""
        return self.check_parent(item, form) & self.check_texts(item, form)

    def check_parent(self, item: Any, form: CategoryForm) -> bool:
        _ = form._
        text = (form.parent.data or "").strip()
        if not text:
            return True
        id = parse_id(text)
        if id is None or id not in self.tree.parents:
            add_error(form.parent, _("There is no such category; choose one from the list."))
            return False
        if item.id is not None and (id == item.id or id in self.tree.below(item.id)):
            add_error(
                form.parent,
                _(
                    "%(parent)s is this category or below it; a category cannot be placed "
                    "inside itself.",
                    parent=self.tree.path(id),
                ),
            )
            return False
        return True

    def check_texts(self, item: Any, form: CategoryForm) -> bool:
        def others(locale: str) -> list[Any]:
            scope = [CategoryText.locale == locale]
            if item.id is not None:
                scope.append(CategoryText.category_id != item.id)
            return scope

        unnamed = form._("Give the category a name in at least one locale.")
        return check_localized_slugs(self.db, form, CategoryText.slug, others, "name", unnamed)

    def save(self, item: Any, form: Any) -> None:
        item.parent_id = int(form.parent.data) if form.parent.data else None
        item.position = form.position.data or 0
        texts = {text.locale: text for text in item.texts}
        for locale in form.locales:
            fields = form.localized(locale)
            name = fields["name"].data
            text = texts.get(locale)
            if not name:
                if text is not None:
                    item.texts.remove(text)
                continue
            if text is None:
                text = CategoryText(locale=locale)
                item.texts.append(text)
            text.name = name
            text.slug = fields["slug"].data
            text.description = (fields["description"].data or "").strip()
        self.db.add(item)
        self.db.flush()
