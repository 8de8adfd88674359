"""What the node tells anyone: its health and the administrative units."""

from __future__ import annotations

import marshmallow as ma

from node.schemas.base import String


class HealthSchema(ma.Schema):
    """Whether the app and its database answer."""

    status = ma.fields.String(required=True, metadata={"description": "ok or error"})
    db = ma.fields.String(required=True, metadata={"description": "ok or error"})


class UnitSchema(ma.Schema):
    """An administrative unit: a commune of the province, or a village of a commune."""

    code = ma.fields.String(required=True, metadata={"example": "00070"})
    name = ma.fields.String(required=True)
    level = ma.fields.String(required=True, metadata={"description": "commune or village"})
    parent_code = ma.fields.String(required=True, allow_none=True)
    area = ma.fields.String(metadata={"description": "rural or urban: which income line applies"})


class UnitListSchema(ma.Schema):
    """Units under a parent."""

    items = ma.fields.List(ma.fields.Nested(UnitSchema), required=True)


class UnitQuerySchema(ma.Schema):
    """Which units to list."""

    class Meta:
        # Unknown query parameters are ignored (as webargs does for the query string anyway).
        unknown = ma.EXCLUDE

    parent = String(
        metadata={"description": "a commune code to list its villages; omit for the communes"}
    )
