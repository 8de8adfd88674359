"""The node's HTML side: pages for residents and officials."""

from flask import Flask

from node.web import pages, portal, portal_assets, security


def init_app(app: Flask) -> None:
    """Register the page blueprints and the headers every response carries."""
    app.register_blueprint(pages.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(portal_assets.bp)
    app.after_request(security.set_security_headers)
    app.context_processor(pages.site_context)
