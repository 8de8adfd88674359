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


class Year(ma.fields.Integer):
    """A year written with four ASCII digits (other scripts' digits are refused, not read)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not (isinstance(value, str) and len(value) == 4 and value.isascii() and value.isdigit()):
            raise ma.ValidationError("Must be a year of four digits.")
        return super()._deserialize(value, attr, data, **kwargs)


class StatsQuerySchema(ma.Schema):
    """The query of GET /api/v1/stats."""

    class Meta:
        unknown = ma.RAISE

    period = Year(
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


def _rate(what: str) -> ma.fields.Float:
    return ma.fields.Float(
        allow_none=True,
        metadata={"description": f"{what}, % of resident households (as published, or computed)"},
    )


ITEM_FIELDS = {
    "code": ma.fields.String(required=True),
    "name": ma.fields.String(required=True),
    **{name: _count(name) for name in COUNT_FIELDS},
    "deprived": ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(allow_none=True),
        metadata={"description": "indicator code → households deprived (poor, near-poor)"},
    ),
    "projected_poor": _count("the households classified poor under the next national standard"),
    "projected_near_poor": _count("the households classified near-poor under the next standard"),
    "official": ma.fields.Boolean(
        required=True,
        metadata={"description": "the province(s) closed the period with these figures, or they "
                  "are published results"},
    ),
    "source": ma.fields.String(
        required=True, metadata={"description": "node (a node's snapshot) or published"}
    ),
    "poor_rate": _rate("poor households"),
    "near_poor_rate": _rate("near-poor households"),
    "poor_near_poor": _count("poor and near-poor households"),
    "poor_near_poor_rate": _rate("poor and near-poor households"),
    "provinces": ma.fields.Integer(
        allow_none=True, metadata={"description": "provinces whose node figures are summed"}
    ),
}  # fmt: skip
StatsItemSchema = ma.Schema.from_dict(ITEM_FIELDS, name="StatsItem")


class SourceSchema(ma.Schema):
    """Where a figure comes from: a decision (published results), or a node's snapshot."""

    class Meta:
        ordered = True

    kind = ma.fields.String(required=True, metadata={"description": "decision or node"})
    title = ma.fields.String()
    issuer = ma.fields.String()
    decision_number = ma.fields.String(allow_none=True)
    decided_on = ma.fields.String(allow_none=True)
    reported_by = ma.fields.String()
    url = ma.fields.String()
    missing = ma.fields.String(allow_none=True)
    province_code = ma.fields.String()
    snapshot_id = ma.fields.String()
    signature = ma.fields.String(allow_none=True)
    revision = ma.fields.Integer(allow_none=True)
    verify_url = ma.fields.String(
        metadata={"description": "the exact signed snapshot, with X-Signature and the public key"}
    )


PublicItemSchema = ma.Schema.from_dict(
    {**ITEM_FIELDS, "sources": ma.fields.List(ma.fields.Nested(SourceSchema), required=True)},
    name="PublicStatsItem",
)


class PublicStatsSchema(ma.Schema):
    """Official and published figures only, each with its sources."""

    period = ma.fields.Integer(allow_none=True)
    level = ma.fields.String()
    items = ma.fields.List(ma.fields.Nested(PublicItemSchema), required=True)


class PublicStatsQuerySchema(ma.Schema):
    """The query of GET /api/v1/public/stats."""

    class Meta:
        unknown = ma.RAISE

    period = Year(
        validate=ma.validate.Range(2000, 2100),
        metadata={"description": "a year; default: the latest with official or published figures"},
    )
    level = ma.fields.String(
        load_default="national", validate=ma.validate.OneOf(("national", "province"))
    )
    code = ma.fields.String(
        validate=ma.validate.Regexp(r"^(\d{2}|VN)$"),
        metadata={"description": "a province code (province level), or VN"},
    )


class StatsSchema(ma.Schema):
    """Summed counts per unit of the level asked for."""

    period = ma.fields.Integer(allow_none=True)
    level = ma.fields.String()
    items = ma.fields.List(ma.fields.Nested(StatsItemSchema), required=True)
