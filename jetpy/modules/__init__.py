"""The module system: discovery, states, events, menus, translations and scaffolds.

A module is a package under `application/modules/<a>/<b>/<c>/` with a `manifest.yaml`. This
layer finds modules (`discovery`), knows which are installed and activated (`states`), delivers
events between them (`events`), builds the menu sets they add to (`menus`), translates and
formats per locale (`i18n`) and writes new modules and projects (`scaffold`). It sits above
`jetpy.definitions` and below the kernel, which runs the modules' controllers.
"""

from __future__ import annotations

from jetpy.modules.discovery import Module
from jetpy.modules.events import Event, EventBus
from jetpy.modules.i18n import Formats, Translator
from jetpy.modules.menus import Menu, MenuItem, MenuSets

__all__ = ["Event", "EventBus", "Formats", "Menu", "MenuItem", "MenuSets", "Module", "Translator"]
