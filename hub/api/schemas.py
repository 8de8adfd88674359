"""marshmallow schemas of the hub's JSON API."""

import marshmallow as ma


class HealthSchema(ma.Schema):
    """Whether the app and its database answer."""

    status = ma.fields.String(required=True, metadata={"description": "ok or error"})
    db = ma.fields.String(required=True, metadata={"description": "ok or error"})
