"""What no request to either app may carry, refused before any view or parser sees it: a NUL
character anywhere (no text either database stores can hold one, and PostgreSQL fails on it),
and JSON nested deeper than any of our documents (a body of 5,000 ``[`` exhausts the parser's
recursion). Each is a 400 in the JSON error contract, or the error page."""

from __future__ import annotations

import re

from flask import Flask, request
from werkzeug.exceptions import BadRequest

# Our deepest document is a household's facts: members → a member → a field, about 4 levels.
MAX_JSON_DEPTH = 32
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_NUL_ESCAPE = re.compile(rb"\\u0000", re.IGNORECASE)
NUL_MESSAGE = "The request contains a NUL character, which no field may hold."


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects deeper than ``limit``: strings are taken
    out first, then the brackets counted, stopping at the first level past the limit."""
    depth = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub(b"", body)):
        if bracket.group() in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _has_nul(values: list[str]) -> bool:
    return any("\x00" in value for value in values)


def refuse_hostile_requests() -> None:
    """Raise a 400 for a NUL anywhere in the request, or JSON nested too deeply."""
    texts = [request.path]
    texts += [value for key in request.args for value in (key, *request.args.getlist(key))]
    texts += [value for _, value in request.headers.items()]
    if request.mimetype == "application/x-www-form-urlencoded" or request.mimetype.startswith(
        "multipart/"
    ):
        texts += [value for key in request.form for value in (key, *request.form.getlist(key))]
    if _has_nul(texts):
        raise BadRequest(NUL_MESSAGE)
    if request.is_json:
        body = request.get_data(cache=True)
        if b"\x00" in body or _NUL_ESCAPE.search(body):
            raise BadRequest(NUL_MESSAGE)
        if json_depth_exceeds(body):
            raise BadRequest(f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels).")


def init_app(app: Flask) -> None:
    """Check every request before the views; build_app registers it before sign-in, so nothing
    is looked up for a refused request (the metrics' timer, registered earlier, still counts
    it)."""
    app.before_request(refuse_hostile_requests)
