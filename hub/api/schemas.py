"""marshmallow schemas of the hub's JSON API."""

import marshmallow as ma

from hub.services.stats import LEVELS
from shared.schemas import COUNT_FIELDS


class NodeSchema(ma.Schema):
    """A registered node and the freshness of its figures."""

    class Meta:
        ordered = True

    province_code = ma.fields.String(required=True)
    url = ma.fields.String(required=True)
    last_success_at = ma.fields.DateTime(
        allow_none=True, metadata={"description": "the last pull that got a snapshot or a 304"}
    )
    last_status = ma.fields.String(
        required=True,
        metadata={"description": "outcome of the last pull: ok, not_modified, error or never"},
    )
    stale = ma.fields.Boolean(
        required=True,
        metadata={"description": "no successful pull within 3 × the node's interval"},
    )


class NodeListSchema(ma.Schema):
    """The registered nodes."""

    items = ma.fields.List(ma.fields.Nested(NodeSchema), required=True)


class StatsQuerySchema(ma.Schema):
    """The query of GET /api/v1/stats."""

    class Meta:
        unknown = ma.RAISE

    period = ma.fields.Integer(
        validate=ma.validate.Range(2000, 2100),
        metadata={"description": "a year; default: the latest period with data"},
    )
    level = ma.fields.String(load_default="national", validate=ma.validate.OneOf(LEVELS))
    code = ma.fields.String(
        validate=ma.validate.Regexp(r"^(\d{2}|VN)$"),
        metadata={"description": "a province code (province: optional; commune: required)"},
    )


def _count(name: str) -> ma.fields.Integer:
    return ma.fields.Integer(
        allow_none=True, metadata={"description": f"sum of {name} (null: every cell suppressed)"}
    )


StatsItemSchema = ma.Schema.from_dict(
    {
        "code": ma.fields.String(required=True),
        "name": ma.fields.String(required=True),
        **{name: _count(name) for name in COUNT_FIELDS},
        "deprived": ma.fields.Dict(
            keys=ma.fields.String(),
            values=ma.fields.Integer(allow_none=True),
            metadata={"description": "indicator code → households deprived (poor, near-poor)"},
        ),
    },
    name="StatsItem",
)


class StatsSchema(ma.Schema):
    """Summed counts per unit of the level asked for."""

    period = ma.fields.Integer(allow_none=True)
    level = ma.fields.String()
    items = ma.fields.List(ma.fields.Nested(StatsItemSchema), required=True)
