"""The yardstick for bench/submit.py: a bare Flask endpoint that inserts one row, nothing else."""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, request

engine = sa.create_engine(os.environ["BARE_DATABASE_URL"], pool_pre_ping=True)
rows = sa.table("bare_rows", sa.column("key"), sa.column("body"))
app = Flask(__name__)


@app.post("/insert")
def insert():
    body = request.get_data(as_text=True)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(rows).values(key=request.headers.get("Idempotency-Key"), body=body)
        )
    return {"ok": True}, 201
