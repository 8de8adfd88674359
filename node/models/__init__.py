"""The node's tables; importing this package puts every one of them on the node's metadata."""

from node.models.applications import Application, ApplicationEvent, Consent, IdempotencyKey
from node.models.settings import NodeSetting
from node.models.units import Village

__all__ = [
    "Application",
    "ApplicationEvent",
    "Consent",
    "IdempotencyKey",
    "NodeSetting",
    "Village",
]
