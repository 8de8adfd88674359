"""gzip by the app server itself (development, the demo, `giamngheo … run`), the way nginx
compresses in production (ansible/roles/nginx): the same types, level and smallest size, the same
paths left alone, ``Vary: Accept-Encoding``, strong ETags made weak."""

from __future__ import annotations

import gzip
import re
from functools import cache

from flask import Response, current_app, request

# What is compressed: text that shrinks (HTML, CSS, JS, JSON, SVG, the manifest, CSV). Images,
# PDFs and XLSX files are compressed already.
COMPRESSIBLE_TYPES = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/problem+json",
        "application/manifest+json",
        "image/svg+xml",
        "text/plain",
        "text/csv",
    }
)
# gzip level 6, nginx's gzip_comp_level in the nginx role: most of level 9's gain at a third of
# its CPU. Below MIN_LENGTH bytes the headers cost more than the saving (gzip_min_length).
LEVEL = 6
MIN_LENGTH = 256


@cache
def _excluded(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns)) if patterns else None


def is_excluded(path: str) -> bool:
    """Whether the app's UNCOMPRESSED_PATHS leave this path's answers uncompressed."""
    pattern = _excluded(tuple(current_app.config.get("UNCOMPRESSED_PATHS", ())))
    return bool(pattern and pattern.search(path))


def compress_response(response: Response) -> Response:
    """gzip the answer when the client accepts it and it is worth it (an after_request hook)."""
    if not current_app.config.get("COMPRESS_RESPONSES", True):
        return response
    if (
        response.mimetype not in COMPRESSIBLE_TYPES
        or "Content-Encoding" in response.headers
        or (response.is_streamed and not response.direct_passthrough)
        or is_excluded(request.path)
    ):
        return response
    # Caches must keep the gzipped and the plain answer apart, whichever this client gets.
    response.vary.add("Accept-Encoding")
    if (
        request.method == "HEAD"
        or not 200 <= response.status_code < 300
        or response.status_code in (204, 206)
        or not request.accept_encodings["gzip"]
    ):
        return response
    # Static files come as a file wrapper; they are small, so they are read whole.
    response.direct_passthrough = False
    body = response.get_data()
    if len(body) < MIN_LENGTH:
        return response
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        # The bytes differ from the plain answer's, so the tag may only claim equivalence.
        response.set_etag(etag, weak=True)
    return response
