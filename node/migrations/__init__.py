"""Alembic migrations of the node database (a package so that installs ship them)."""
