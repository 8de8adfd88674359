"""The provincial node: a Flask app for residents and officials of one province."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from node import api, auth, web
from node.config import load_config
from node.extensions import csrf, db, migrate
from node.web.errors import unavailable_page
from shared.web import app as skeleton
from shared.web.config import BaseConfig
from shared.web.errors import register_error_handlers

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(config: BaseConfig | None = None) -> Flask:
    """Build the node app; without a config, read it from the environment (GIAMNGHEO_*)."""
    app = skeleton.new_app(__name__, config or load_config())
    skeleton.register_extensions(
        app, db=db, migrate=migrate, csrf=csrf, migrations_dir=MIGRATIONS_DIR
    )
    auth.init_app(app)
    web.init_app(app)
    api.init_app(app)
    # After the blueprints, so these handlers win over flask-smorest's; a resident's form
    # that meets a database outage comes back with every answer (node.web.errors).
    register_error_handlers(app, unavailable_page=unavailable_page)
    return app
