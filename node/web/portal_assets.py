"""What makes the portal an installable, offline-capable web app: the standards' JSON files for
the browser engine, the web app manifest and the service worker."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, send_from_directory

from shared.standards import national_standards
from shared.standards.catalog import DATA_DIR
from shared.web.assets import static_url_path
from shared.web.caching import asset

# The same files for everyone: caches keep them even for a signed-in official.
bp = asset(Blueprint("portal_assets", __name__))

# The browser may keep these files an hour; the service worker keeps them until its version changes.
STANDARD_MAX_AGE = 3600
STANDARD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,60}")
# The pages the service worker keeps for opening offline (they are fetched afresh when online).
SHELL_PAGES = ("/", "/declare", "/declare?kind=exit")
# The 512-pixel icon is not among them: only the browser's installer reads it, and it keeps its
# own copy; the pages name the others.
SHELL_STATIC = (
    "css/app.css",
    "js/engine.js",
    "js/portal.js",
    "icons/icon.svg",
    "icons/icon-192.png",
)
MANIFEST = "manifest.webmanifest"


def standard_names() -> list[str]:
    """The JSON files the browser engine loads: each national standard and the facts catalogue."""
    return [standard.id for standard in national_standards()] + ["facts"]


@bp.get("/standards/<name>.json")
def standard(name: str) -> Response:
    """A standard's data file (or facts.json) byte for byte, as the Python engine reads it."""
    if not STANDARD_NAME.fullmatch(name) or name not in standard_names():
        abort(404)
    return send_from_directory(
        DATA_DIR, f"{name}.json", mimetype="application/json", max_age=STANDARD_MAX_AGE
    )


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest: name, icons and start page of the installed app."""
    return send_from_directory(
        current_app.static_folder, MANIFEST, mimetype="application/manifest+json", max_age=3600
    )


def shell_urls() -> list[str]:
    """Every URL the service worker stores when it installs; static files by the hashed names
    the pages use, so that offline the pages find them."""
    static = [static_url_path(path) for path in SHELL_STATIC]
    standards = [f"/standards/{name}.json" for name in standard_names()]
    return [*SHELL_PAGES, *static, *standards, f"/{MANIFEST}"]


@cache
def shell_version(static_folder: str, template: str) -> str:
    """A hash of the stored files and of the worker itself: a change to any makes a new cache."""
    digest = hashlib.sha256(Path(template).read_bytes())
    files = [Path(static_folder, path) for path in (*SHELL_STATIC, MANIFEST)]
    files += [DATA_DIR / f"{name}.json" for name in standard_names()]
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, from the site's root so that it controls every portal page."""
    template = Path(current_app.root_path, current_app.template_folder, "portal", "sw.js")
    version = shell_version(current_app.static_folder, str(template))
    body = render_template(
        "portal/sw.js", version=version, shell=shell_urls(), pages=list(SHELL_PAGES)
    )
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response
