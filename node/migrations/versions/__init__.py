"""Revisions of the node database, named by date and slug."""
