"""The hub's tables; importing this package puts every one of them on the hub's metadata."""

from hub.models.nodes import Node

__all__ = ["Node"]
