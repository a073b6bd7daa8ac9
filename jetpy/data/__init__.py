"""Data: the database engine and one session per request (`db`), Alembic migrations of the
application and its modules (`migrations`, imported on demand: Alembic loads only when used).
"""

from __future__ import annotations

from jetpy.data.db import Database, DatabaseError, database_url

__all__ = ["Database", "DatabaseError", "database_url"]
