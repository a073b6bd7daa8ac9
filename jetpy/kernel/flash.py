"""Flash messages: a word for the visitor that survives the redirect after a POST.

A controller calls `self.flash("Saved.", category="success")` and redirects; the next page
that renders `flashes()` (the layout, usually) shows it, and it is gone. The messages wait in
the session (`_flashes`) until a page shows them, so they survive exactly the redirects
before that page. They are text: templates escape them like any other value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jetpy.kernel.context import RequestContext

SESSION_KEY = "_flashes"
CATEGORIES = ("success", "error", "info", "warning")


@dataclass(frozen=True)
class Flash:
    """One message and its category (success, error, info or warning)."""

    message: str
    category: str = "info"

    def __str__(self) -> str:
        return self.message


def add(ctx: RequestContext, message: str, category: str = "info") -> None:
    """Keep `message` in the session until a page shows it."""
    if category not in CATEGORIES:
        raise ValueError(
            f"flash category {category!r} is unknown; use one of {', '.join(CATEGORIES)}"
        )
    session = ctx.session
    waiting = _waiting(session.get(SESSION_KEY))
    # a new list assigned: changing the stored one in place would not mark the session changed
    session[SESSION_KEY] = [*waiting, [category, str(message)]]


def pop_all(ctx: RequestContext) -> list[Flash]:
    """The waiting messages, oldest first, removed from the session."""
    request = ctx.request
    if not request.cookies and ctx.loaded_session is None:
        return []  # no session can hold any: the page stays free of session work
    stored = ctx.session.pop(SESSION_KEY, None)
    return [Flash(message, category) for category, message in _waiting(stored)]


def _waiting(stored: Any) -> list[list[str]]:
    """The stored [category, message] pairs; anything else (an old format) is dropped."""
    if not isinstance(stored, list):
        return []
    return [
        [item[0], item[1]]
        for item in stored
        if isinstance(item, list)
        and len(item) == 2
        and item[0] in CATEGORIES
        and isinstance(item[1], str)
    ]
