"""The hub's HTML side: pages for the central office."""

from flask import Flask

from hub.web import pages, security


def init_app(app: Flask) -> None:
    """Register the page blueprints and the headers every response carries."""
    app.register_blueprint(pages.bp)
    app.after_request(security.set_security_headers)
