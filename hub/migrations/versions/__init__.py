"""Revisions of the hub database, named by date and slug."""
