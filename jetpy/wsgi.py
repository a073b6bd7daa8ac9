"""The WSGI entry point for production servers: `gunicorn 'jetpy.wsgi:application'`.

The project folder (the one holding `application/`) is `$JETPY_PROJECT`, else the working
directory. The application loads when this module is imported, so a broken definition stops
the server at start with every problem listed, before the first request. Logging is then set
up as config.yaml's `logging` says (jetpy.kernel.logs): text or JSON lines with request ids.
"""

from __future__ import annotations

import os
from pathlib import Path

from jetpy.app import Application
from jetpy.kernel import logs

PROJECT_VARIABLE = "JETPY_PROJECT"

application = Application(Path(os.environ.get(PROJECT_VARIABLE) or Path.cwd()))
logs.configure(application.config)
