"""The request kernel: from a URL to a response, stage by stage (see the README).

Bases and locales (`bases`), page trees (`pages`), the stages of a request (`stages`) and
what they hand on (`context`), module controllers and micro-routers (`controller`), Jinja2
environments and the head (`templates`, `head`), breadcrumb (`navigation`), error pages and the
JSON error envelope (`errorpages`, `envelope`), and the per-visitor state every request may
touch: sessions, CSRF and flash messages (`sessions`, `csrf`, `flash`).
"""

from __future__ import annotations

from jetpy.kernel.bases import Base, Locale
from jetpy.kernel.context import RequestContext
from jetpy.kernel.controller import Controller, ControllerRouter, RouterAction
from jetpy.kernel.head import Head
from jetpy.kernel.navigation import Breadcrumb, Crumb
from jetpy.kernel.pages import Content, Page

__all__ = [
    "Base",
    "Breadcrumb",
    "Content",
    "Controller",
    "ControllerRouter",
    "Crumb",
    "Head",
    "Locale",
    "Page",
    "RequestContext",
    "RouterAction",
]
