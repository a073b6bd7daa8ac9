"""category old paths: the slug paths categories had, so that their old URLs answer 301

Revision ID: c5f0a9d3e281
Revises: d5a8f3c21e70
Create Date: 2026-12-02 09:45:00.000000

Until this revision a category's old URL was found from the old slugs of its categories
(`old_slugs`, kind `category`) put together along the tree as it is now, which could not
follow a move to another parent. Now every path a category leaves is kept exactly
(`catalog_category_old_paths`). The paths the old slugs answered are written here, so that
they keep answering: for each category and locale, every path made of its and its
ancestors' slugs, live or old, except the live path (slugs a category has now win over the
same slug kept as another's old one). The `old_slugs` rows stay (downgrade needs them).

Downgrading drops the table: the old URLs of moves and slug changes made after this revision
then answer 404 (the old-slug chain was no longer filled for categories).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import sqlalchemy as sa
from alembic import op

revision = "c5f0a9d3e281"
down_revision = "d5a8f3c21e70"
branch_labels = None
depends_on = None

MAX_PATH = 2000
MAX_PER_CATEGORY = 1000  # old paths written for one category and locale (a product of renames)


def upgrade() -> None:
    op.create_table(
        "catalog_category_old_paths",
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("path", sa.String(length=MAX_PATH), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["catalog_categories.id"],
            name=op.f("fk_catalog_category_old_paths_category_id_catalog_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("locale", "path", name=op.f("pk_catalog_category_old_paths")),
    )
    with op.batch_alter_table("catalog_category_old_paths", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_category_old_paths_category_id"), ["category_id"], unique=False
        )
    rows = list(_old_paths(op.get_bind()))
    if rows:
        table = sa.table(
            "catalog_category_old_paths",
            sa.column("locale"),
            sa.column("path"),
            sa.column("category_id"),
        )
        op.bulk_insert(table, rows)


def _old_paths(connection: sa.Connection) -> Iterator[dict[str, object]]:
    """The paths the old slugs answered before this revision (see the docstring)."""
    parents: dict[int, int | None] = {
        id: parent
        for id, parent in connection.execute(
            sa.text("SELECT id, parent_id FROM catalog_categories")
        )
    }
    live: dict[tuple[int, str], str] = {}
    owner: dict[tuple[str, str], int] = {}  # (locale, slug) → the category that has it now
    for id, locale, slug in connection.execute(
        sa.text("SELECT category_id, locale, slug FROM catalog_category_texts")
    ):
        live[(id, locale)] = slug
        owner[(locale, slug)] = id
    names: dict[tuple[int, str], list[str]] = {key: [slug] for key, slug in live.items()}
    for id, locale, slug in connection.execute(
        sa.text("SELECT item_id, locale, slug FROM old_slugs WHERE kind = 'category'")
    ):
        if (locale, slug) not in owner and (id, locale) in names:
            names[(id, locale)].append(slug)
    for id, locale in live:
        trail = _trail(id, parents)
        levels = [names.get((above, locale)) for above in trail]
        if not all(levels):
            continue  # a category on the way is not translated: no URL in this locale
        if all(len(level) == 1 for level in levels if level):
            continue  # no old slug on the way: no old path
        now = "/".join(live[(above, locale)] for above in trail)
        for path in islice(_paths([level for level in levels if level]), MAX_PER_CATEGORY):
            if path != now and len(path) <= MAX_PATH:
                yield {"locale": locale, "path": path, "category_id": id}


def _trail(id: int, parents: dict[int, int | None]) -> list[int]:
    """`id` and its ancestors, from the top (a loop stops it)."""
    found: list[int] = []
    current: int | None = id
    while current is not None and current in parents and len(found) <= len(parents):
        found.insert(0, current)
        current = parents[current]
    return found


def _paths(levels: list[list[str]]) -> Iterator[str]:
    """Every path taking one slug from each level."""
    if not levels:
        return
    if len(levels) == 1:
        yield from levels[0]
        return
    for head in levels[0]:
        for rest in _paths(levels[1:]):
            yield f"{head}/{rest}"


def downgrade() -> None:
    with op.batch_alter_table("catalog_category_old_paths", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_category_old_paths_category_id"))
    op.drop_table("catalog_category_old_paths")
