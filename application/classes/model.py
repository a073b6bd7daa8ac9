"""The declarative base of the application's models (shared classes and modules' models).

It belongs to the application package, not to jetpy, so that each loaded project has its
own metadata (tests load many projects in one process).
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# stable constraint names, so that Alembic migrations and PostgreSQL agree on them
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Model(DeclarativeBase):
    """Base class of every model of the application."""

    metadata = MetaData(naming_convention=NAMING)
