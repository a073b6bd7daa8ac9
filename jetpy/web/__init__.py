"""The admin toolkit on top of the kernel: forms (`forms`), data grids with paging, CSV and bulk
operations (`grid`, `grid_page`, `grid_csv`), CRUD controllers (`crud`) and their default views
(`views/`, which a base overrides with files of the same name in its own views/).
"""

from __future__ import annotations

from jetpy.web.crud import CrudController
from jetpy.web.forms import Form
from jetpy.web.grid import Column, Grid

__all__ = ["Column", "CrudController", "Form", "Grid"]
