"""The Flask plumbing both apps stand on: the one part of ``shared`` that may import Flask,
SQLAlchemy and their extensions.

Module by module: ``app`` (the factory skeleton), ``config``, ``database`` (life cycle),
``models`` (declarative base, naming convention, account columns), ``i18n``, ``errors`` (the
JSON error contract and error handlers), ``security`` (headers), ``api`` (flask-smorest Api,
health), ``accounts`` (passwords, lockout, TOTP, server-side sessions — SQLAlchemy only, so
services may use it), ``auth`` (who signs a request: one resolver for web sessions and bearer
tokens) and ``auth_api`` (the token endpoints). This package imports nothing at import time, so
``shared.web.accounts`` stays free of Flask.
"""
