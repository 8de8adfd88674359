"""WSGI entry point for production servers: `gunicorn node.wsgi:app`."""

from node import create_app
from shared.web.database import ensure_database_current

app = create_app()
# Refuse to serve a database that is behind the code: fail at boot, not on the first request.
with app.app_context():
    ensure_database_current()
