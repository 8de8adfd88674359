"""The provincial node: a Flask app for residents and officials of one province."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.middleware.proxy_fix import ProxyFix

from node import api, auth, i18n, web
from node.api.errors import json_error, service_error_response, wants_json
from node.config import Config, load_config
from node.database import configure_sqlite
from node.extensions import csrf, db, migrate
from node.services.errors import ServiceError
from node.web.errors import database_unavailable, error_page, unavailable_page

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
logger = logging.getLogger(__name__)


def create_app(config: Config | None = None) -> Flask:
    """Build the node app; without a config, read it from the environment (GIAMNGHEO_*)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config or load_config())
    configure_logging(app)
    configure_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    return app


def configure_logging(app: Flask) -> None:
    """Log to stderr, unless a server or a test runner has already set logging up."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.DEBUG if app.debug else logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )


def configure_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address and scheme from them."""
    # nginx appends the address it saw to X-Forwarded-For and sets X-Forwarded-Proto; ProxyFix
    # believes only the last TRUSTED_PROXIES entries, so whatever a client forged is ignored.
    # nginx passes Host itself and forwards the other X-Forwarded-* headers as the client sent
    # them: those are never believed.
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0)


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    if app.config["SQLALCHEMY_DATABASE_URI"] is None:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'node.db'}"
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    i18n.init_app(app)
    csrf.init_app(app)
    auth.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Register the HTML pages and the JSON API."""
    web.init_app(app)
    api.init_app(app)


def register_error_handlers(app: Flask) -> None:
    """Answer every HTTP error as JSON for programs and as a page for people."""

    def handle_http_error(error: HTTPException):
        return json_error(error) if wants_json() else error_page(error)

    def handle_service_error(error: ServiceError):
        db.session.rollback()
        if wants_json():
            return service_error_response(error)
        return error_page(default_exceptions[error.status](description=error.message))

    def handle_database_down(error: OperationalError):
        # The database is down or unreachable (a restart, a failover): a 503 the client can
        # retry, never a 500; the portal keeps the resident's form and queued submission.
        # Only the error's class is logged: its text may quote a statement's parameters.
        logger.warning("database unavailable: %s", type(error.orig).__name__)
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.close()
        unavailable = database_unavailable()
        return json_error(unavailable) if wants_json() else unavailable_page(unavailable)

    # Registered after flask-smorest's own handler, so this one wins.
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(OperationalError, handle_database_down)
