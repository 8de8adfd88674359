"""Static files under content-hashed names, cached for a year.

``url_for('static', filename='css/app.css')`` gives ``/static/css/app.1a2b3c4d5e.css``, where
``1a2b3c4d5e`` begins the SHA-256 of the file: a browser may keep it for a year without asking
again (``immutable``), and a changed file gets a new name, so nobody ever runs old code with new
pages. The plain name still answers (the manifest's icons, old links), revalidated each time, and
so does a hash that is not the file's (a page from before an upgrade): the current file, not
cached, never a year's promise for bytes the name does not describe.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, send_from_directory
from werkzeug.security import safe_join

# A year: the longest lifetime HTTP caches honour.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASH_LENGTH = 10
HASHED_NAME = re.compile(
    rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[^./]+)$"
)


class StaticFiles:
    """The app's static folder, named by content; hashes are read once per file and change."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._digests: dict[str, tuple[float, str]] = {}

    def digest(self, filename: str) -> str | None:
        """The first HASH_LENGTH hex digits of the file's SHA-256; None if there is no such file."""
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        try:
            modified = Path(path).stat().st_mtime
        except OSError:
            return None
        known = self._digests.get(filename)
        if known and known[0] == modified:
            return known[1]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:HASH_LENGTH]
        self._digests[filename] = (modified, digest)
        return digest

    def hashed_name(self, filename: str) -> str:
        """``css/app.css`` → ``css/app.<digest>.css`` (unchanged when the file is missing)."""
        digest = self.digest(filename)
        stem, dot, suffix = filename.rpartition(".")
        if digest is None or not dot or "/" in suffix:
            return filename
        return f"{stem}.{digest}.{suffix}"

    def send(self, filename: str) -> Response:
        """The file a (hashed or plain) name stands for, with the caching its name allows."""
        if self.digest(filename) is None and (match := HASHED_NAME.match(filename)):
            plain = match["stem"] + match["suffix"]
            current = self.digest(plain)
            if current is not None:
                response = send_from_directory(self.folder, plain)
                immutable = current == match["digest"]
                response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
                return response
        response = send_from_directory(self.folder, filename)
        response.headers["Cache-Control"] = REVALIDATE
        return response


def init_app(app: Flask) -> None:
    """Serve the app's static folder by content hash, and make ``url_for`` name files so."""
    if not app.static_folder or "static" not in app.view_functions:
        return
    files = StaticFiles(app.static_folder)
    app.extensions["static_files"] = files

    def add_digest(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = files.hashed_name(values["filename"])

    def serve(filename: str) -> Response:
        return files.send(filename)

    app.url_defaults(add_digest)
    app.view_functions["static"] = serve
    app.after_request(revalidate_pages)


def revalidate_pages(response: Response) -> Response:
    """Pages are asked for again each time (a 304 when unchanged), unless a view said otherwise."""
    if response.mimetype == "text/html" and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = REVALIDATE
    return response


def static_url_path(filename: str) -> str:
    """The hashed path of a static file, for lists outside templates (the service worker's)."""
    files: StaticFiles = current_app.extensions["static_files"]
    return f"{current_app.static_url_path}/{files.hashed_name(filename)}"
