"""The central hub: a Flask app that gathers the provinces' aggregate figures."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from hub import api, auth, web
from hub.config import load_config
from hub.extensions import csrf, db, migrate
from shared.web import app as skeleton
from shared.web.config import BaseConfig
from shared.web.errors import register_error_handlers

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(config: BaseConfig | None = None) -> Flask:
    """Build the hub app; without a config, read it from the environment (GIAMNGHEO_*)."""
    app = skeleton.new_app(__name__, config or load_config())
    skeleton.register_extensions(
        app, db=db, migrate=migrate, csrf=csrf, migrations_dir=MIGRATIONS_DIR
    )
    auth.signin.init_app(app)
    web.init_app(app)
    api.init_app(app)
    # After the blueprints, so these handlers win over flask-smorest's.
    register_error_handlers(app)
    return app
