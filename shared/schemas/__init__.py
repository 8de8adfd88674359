"""The node→hub wire contract: the only data that ever leaves a province's node (DESIGN §6)."""

from shared.schemas.aggregates import (
    ACTIVITY_FIELDS,
    COUNT_FIELDS,
    SCHEMA_VERSION,
    SCHEMA_VERSIONS,
    AggregateSnapshotSchema,
    AggregateSnapshotV1Schema,
    CommuneRowSchema,
    CommuneRowV2Schema,
    load_snapshot,
    snapshot_id_of,
)

__all__ = [
    "ACTIVITY_FIELDS",
    "COUNT_FIELDS",
    "SCHEMA_VERSION",
    "SCHEMA_VERSIONS",
    "AggregateSnapshotSchema",
    "AggregateSnapshotV1Schema",
    "CommuneRowSchema",
    "CommuneRowV2Schema",
    "load_snapshot",
    "snapshot_id_of",
]
