"""The skeleton of both apps' factories: a Flask app with its configuration, logging, proxies,
compression, metrics, content-hashed static files, database, migrations, locale, CSRF
protection, security headers, sign-in, caching (no-store unless declared public), the app's own
blueprints and the error handlers — in that order."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

from flask import Blueprint, Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.web import assets, caching, i18n, limits, metrics
from shared.web.auth import SignIn
from shared.web.compression import compress_response
from shared.web.config import BaseConfig
from shared.web.database import configure_sqlite
from shared.web.errors import ErrorPage, error_page, register_error_handlers
from shared.web.security import set_security_headers


def build_app(
    import_name: str,
    config: BaseConfig,
    extensions: ModuleType,
    signin: SignIn,
    register: Iterable[Callable[[Flask], None]],
    unavailable_page: ErrorPage = error_page,
) -> Flask:
    """An app of the package ``import_name``: the skeleton with the ``extensions`` module's
    ``db``, ``migrate`` and ``csrf`` and the package's ``migrations`` folder, the sign-in, each
    of ``register`` (its pages and API), then the error handlers, last so that they win over
    flask-smorest's."""
    app = new_app(import_name, config)
    register_extensions(
        app,
        db=extensions.db,
        migrate=extensions.migrate,
        csrf=extensions.csrf,
        migrations_dir=Path(app.root_path) / "migrations",
    )
    limits.init_app(app)
    signin.init_app(app)
    caching.init_app(app, signin)
    for register_part in register:
        register_part(app)
    register_error_handlers(app, unavailable_page=unavailable_page)
    return app


def new_app(import_name: str, config: BaseConfig) -> Flask:
    """A Flask app of ``import_name`` (its templates, static files and translations) with its
    configuration, logging and proxy settings."""
    app = Flask(import_name, instance_relative_config=True)
    app.config.from_object(config)
    configure_logging(app)
    configure_proxies(app)
    # after_request hooks run last-registered first: compression goes first so that it sees the
    # finished answer; the metrics' timer starts before every other hook.
    app.after_request(compress_response)
    metrics.init_app(app)
    assets.init_app(app)
    # Templates both apps use (the error page); an app's own folder is searched first.
    app.register_blueprint(Blueprint("shared_web", __name__, template_folder="templates"))
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


def register_extensions(
    app: Flask, *, db: SQLAlchemy, migrate: Migrate, csrf: CSRFProtect, migrations_dir: Path
) -> None:
    """Bind the app's unbound extensions, set up the locale and the security headers."""
    if app.config["SQLALCHEMY_DATABASE_URI"] is None:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        database_file = Path(app.instance_path) / f"{app.config['APP_NAME']}.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database_file}"
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(migrations_dir), render_as_batch=True)
    i18n.init_app(app)
    csrf.init_app(app)
    app.after_request(set_security_headers)
