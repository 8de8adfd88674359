"""Use-cases of the node: each a typed function that flushes and never commits (the caller does)."""
