"""The node's HTML side: pages for residents and officials."""

from flask import Flask

from node.web import (
    admin,
    admin_devices,
    officials,
    officials_batches,
    officials_certificates,
    officials_field,
    officials_paper,
    officials_reports,
    pages,
    paper_words,
    portal,
    portal_assets,
)

# These modules add their pages to the officials' blueprint when imported.
OFFICIALS_PAGES = (officials_batches, officials_paper, officials_reports, admin_devices)


def init_app(app: Flask) -> None:
    """Register the page blueprints and the headers every response carries."""
    app.register_blueprint(pages.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(portal_assets.bp)
    app.register_blueprint(officials.bp)
    app.register_blueprint(officials_certificates.public)
    app.register_blueprint(officials_field.bp)
    app.register_blueprint(officials_field.files)
    app.register_blueprint(admin.bp)
    app.context_processor(pages.site_context)
    paper_words.init_app(app)
