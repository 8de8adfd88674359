"""The provincial node: a Flask app for residents and officials of one province."""

from __future__ import annotations

from flask import Flask

from node import api, auth, extensions, metrics, web
from node.config import load_config
from node.web.errors import unavailable_page
from shared.web.app import build_app
from shared.web.config import BaseConfig


def create_app(config: BaseConfig | None = None) -> Flask:
    """Build the node app; without a config, read it from the environment (GIAMNGHEO_*).

    A resident's form that meets a database outage comes back with every answer
    (node.web.errors.unavailable_page).
    """
    return build_app(
        __name__,
        config or load_config(),
        extensions,
        auth.signin,
        register=(web.init_app, api.init_app, metrics.init_app),
        unavailable_page=unavailable_page,
    )
