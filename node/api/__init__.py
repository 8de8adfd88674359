"""The node's JSON API under /api/v1, with its OpenAPI document at /api/v1/openapi.json."""

from flask import Flask

from node.api import (
    aggregates,
    applications,
    auth,
    data_requests,
    field,
    reports,
    review,
    standards,
    units,
)
from shared.web.api import init_api


def init_app(app: Flask) -> None:
    """Register the API blueprints and the OpenAPI document."""
    blueprints = (
        units.blp,
        standards.blp,
        applications.blp,
        review.blp,
        field.blp,
        auth.blp,
        aggregates.blp,
        reports.blp,
        data_requests.blp,
    )
    init_api(app, blueprints, bearer_description="an official's token from POST /api/v1/auth/token")
