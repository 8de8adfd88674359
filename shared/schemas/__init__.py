"""The node→hub wire contract: the only data that ever leaves a province's node (DESIGN §6)."""

from shared.schemas.aggregates import (
    COUNT_FIELDS,
    SCHEMA_VERSION,
    AggregateSnapshotSchema,
    CommuneRowSchema,
    snapshot_id_of,
)

__all__ = [
    "COUNT_FIELDS",
    "SCHEMA_VERSION",
    "AggregateSnapshotSchema",
    "CommuneRowSchema",
    "snapshot_id_of",
]
