"""What the node tells anyone: the administrative units (the health check is shared.web.api's)."""

from __future__ import annotations

import marshmallow as ma

from shared.web.fields import String


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
