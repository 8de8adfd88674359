"""The central hub: a Flask app that gathers the provinces' aggregate figures."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.middleware.proxy_fix import ProxyFix

from hub import api, i18n, web
from hub.api.errors import json_error, service_error_response, wants_json
from hub.config import Config, load_config
from hub.database import configure_sqlite
from hub.extensions import csrf, db, migrate
from hub.services.errors import ServiceError
from hub.web.errors import error_page

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(config: Config | None = None) -> Flask:
    """Build the hub app; without a config, read it from the environment (GIAMNGHEO_*)."""
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
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'hub.db'}"
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    i18n.init_app(app)
    csrf.init_app(app)


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

    # Registered after flask-smorest's own handler, so this one wins.
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(ServiceError, handle_service_error)
