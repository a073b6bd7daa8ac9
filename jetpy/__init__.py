"""jetpy: a page-and-module MVC web framework."""

from __future__ import annotations

__version__ = "0.1.0"

from jetpy.app import Application
from jetpy.auth import AuthProvider
from jetpy.bases import Base, Locale
from jetpy.context import RequestContext
from jetpy.controller import Controller, ControllerRouter, RouterAction
from jetpy.errors import DefinitionError, JetpyError, Problem
from jetpy.events import Event, EventBus
from jetpy.head import Head
from jetpy.navigation import Breadcrumb, Crumb
from jetpy.pages import Content, Page
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
