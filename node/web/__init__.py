"""The node's HTML side: pages for residents and officials."""

from flask import Flask

from node.web import (
    admin,
    admin_devices,
    officials,
    officials_batches,
    officials_certificates,
    officials_field,
    officials_lists,
    officials_paper,
    officials_reports,
    officials_requests,
    pages,
    paper_words,
    portal,
    portal_assets,
    portal_my_data,
    portal_requests,
)

# These modules add their pages to the officials' blueprint when imported.
OFFICIALS_PAGES = (
    officials_batches,
    officials_lists,
    officials_paper,
    officials_reports,
    officials_requests,
    admin_devices,
)
# And this one to the portal's.
PORTAL_PAGES = (portal_my_data, portal_requests)


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
