"""The hub's use-cases: typed functions that flush and never commit (the caller owns the
transaction)."""
