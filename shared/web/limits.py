"""What no request to either app may carry, refused before any view or parser sees it: a NUL
character (no text either database stores can hold one, and PostgreSQL fails on it) and JSON
nested deeper than any of our documents (a body of 5,000 ``[`` exhausts the parser's recursion).

A NUL in the path, the query or a header is a 400. A NUL in a body's field is left to the
route's schema: its fields (shared.web.fields) refuse it by name with every other problem of
the input, the same words on a page and through the API, and a page shows its form again.
"""

from __future__ import annotations

import re

from flask import Flask, request
from werkzeug.exceptions import BadRequest

# Our deepest document is a household's facts: members → a member → a field, about 4 levels.
MAX_JSON_DEPTH = 32
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
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


def refuse_hostile_requests() -> None:
    """Refuse a NUL in the path, the query or a header, or JSON nested too deeply."""
    texts = [request.path, *(value for _, value in request.headers.items())]
    texts += [value for key in request.args for value in (key, *request.args.getlist(key))]
    if any("\x00" in text for text in texts):
        raise BadRequest(NUL_MESSAGE)
    if not request.is_json:
        return
    if json_depth_exceeds(request.get_data(cache=True)):
        raise BadRequest(f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels).")


def init_app(app: Flask) -> None:
    """Check every request before the views; build_app registers it before sign-in, so nothing
    is looked up for a refused request (the metrics' timer, registered earlier, still counts
    it)."""
    app.before_request(refuse_hostile_requests)
