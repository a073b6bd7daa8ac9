"""jetpy: a page-and-module MVC web framework."""

from __future__ import annotations

__version__ = "0.1.0"

from jetpy.app import Application
from jetpy.auth import AuthProvider
from jetpy.errors import DefinitionError, JetpyError, Problem
from jetpy.kernel.bases import Base, Locale
from jetpy.kernel.context import RequestContext
from jetpy.kernel.controller import Controller, ControllerRouter, RouterAction
from jetpy.kernel.head import Head
from jetpy.kernel.navigation import Breadcrumb, Crumb
from jetpy.kernel.pages import Content, Page
from jetpy.modules.events import Event, EventBus
from jetpy.rest import ApiError, RestController

__all__ = [
    "ApiError",
    "Application",
    "AuthProvider",
    "Base",
    "Breadcrumb",
    "Content",
    "Controller",
    "ControllerRouter",
    "Crumb",
    "DefinitionError",
    "Event",
    "EventBus",
    "Head",
    "JetpyError",
    "Locale",
    "Page",
    "Problem",
    "RequestContext",
    "RestController",
    "RouterAction",
    "__version__",
]
