"""Record events: changes of items in the database (`AuditEntry`), others as JSON lines.

`data.changed` (jetpy.data.changes.ItemChanged) becomes one row of the audit log, written in a
session of its own: the event is delivered after the request's transaction was committed.
Other events go to application/data/audit.log, one line per event.
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from application.classes.audit import AuditEntry

if TYPE_CHECKING:
    from jetpy import Application, Event
    from jetpy.data.changes import ItemChanged


def audit_file(app: Application) -> Path:
    """The log: the project's data folder, never a path from input."""
    return app.project.app_dir / "data" / "audit.log"


def record_event(app: Application, event: Event) -> None:
    """Append one line: when, which event, and its fields."""
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "event": event.event_name,
        **dataclasses.asdict(event),
    }
    line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
    file = audit_file(app)
    file.parent.mkdir(parents=True, exist_ok=True)
    # one write() on a file opened for appending: lines of concurrent requests never mix
    descriptor = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line.encode("utf-8"))
    finally:
        os.close(descriptor)


def record_change(app: Application, event: ItemChanged) -> None:
    """Keep what a committed write changed as one `AuditEntry`."""
    with app.db.session() as session:
        session.add(AuditEntry.of(event))
        session.commit()
