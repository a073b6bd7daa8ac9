"""A project as a whole: loading it (`loader`, with the compiled-map cache), cross-checking its
definitions (`check`, what `jetpy check` reports) and managing its modules (`manager`: install,
activate, deactivate, uninstall).

It sits above the kernel and the module system, whose pieces it assembles; `jetpy.app` and the
command line are built on it.
"""

from __future__ import annotations

from jetpy.project.loader import Project, load_project

__all__ = ["Project", "load_project"]
