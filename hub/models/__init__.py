"""The hub's tables; importing this package puts every one of them on the hub's metadata."""

from hub.models.nodes import Node, PullAttempt
from hub.models.snapshots import PeriodDueDate, Snapshot, SnapshotDeprivation, SnapshotRow
from hub.models.users import User, UserSession

__all__ = [
    "Node",
    "PeriodDueDate",
    "PullAttempt",
    "Snapshot",
    "SnapshotDeprivation",
    "SnapshotRow",
    "User",
    "UserSession",
]
