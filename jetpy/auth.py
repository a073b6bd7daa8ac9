"""The hook through which a base decides who may see its pages and run module actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from jetpy.context import RequestContext
    from jetpy.pages import Page


class AuthProvider(Protocol):
    """Set per base (by its initializer) to authenticate and authorize requests.

    Without a provider a base's secret pages answer 403 and ACL-protected router actions
    are refused: nothing secret is ever shown by default.
    """

    def page_access(self, ctx: RequestContext, page: Page) -> Response | bool:
        """True to show the page, False for 403, or a response (e.g. the login form)."""

    def module_action_allowed(self, ctx: RequestContext, module: str, acl_action: str) -> bool:
        """Whether the current user may run `module`'s ACL action `acl_action`."""

    def can_see_page(self, ctx: RequestContext, page: Page) -> bool:
        """Whether menus should offer `page` to the current user."""
