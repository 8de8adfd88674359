"""The central hub: a Flask app that gathers the provinces' aggregate figures."""

from __future__ import annotations

from flask import Flask

from hub import api, auth, extensions, metrics, web
from hub.config import load_config
from shared.web.app import build_app
from shared.web.config import BaseConfig


def create_app(config: BaseConfig | None = None) -> Flask:
    """Build the hub app; without a config, read it from the environment (GIAMNGHEO_*)."""
    return build_app(
        __name__,
        config or load_config(),
        extensions,
        auth.signin,
        register=(web.init_app, api.init_app, metrics.init_app),
    )
