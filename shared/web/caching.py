"""Which answers a cache may keep: none that could carry personal data (DESIGN §5).

Every answer of either app goes out with ``Cache-Control: no-store`` — its errors, redirects and
503 pages included — unless its view was declared otherwise, so a new route is private until
someone decides it is not:

- ``@public`` (a view function, a MethodView class or a blueprint): the same for every anonymous
  visitor, with nothing personal in it (the home page, the public API's units and standards, the
  health check). Its own caching stands (pages are revalidated, ``no-cache``) — but not for a
  signed-in user, whose pages show who is signed in;
- ``@asset``: a file that is the same for everyone (static files, the standards' JSON, the
  manifest): its caching stands whoever asks, so a signed-in official's browser still keeps the
  content-hashed files a year.

A no-store answer also loses its validators (ETag, Last-Modified): with nothing kept there is
nothing to revalidate, and no 304 can stand in for a page of personal data. Endpoints the apps
do not define themselves (flask-smorest's OpenAPI document, Flask's static files) are declared
by name with ``declare``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request

from shared.web.auth import SignIn

T = TypeVar("T")

NO_STORE = "no-store"
PUBLIC = "public"
ASSET = "asset"
_MARK = "__giamngheo_caching__"
_EXTENSION = "giamngheo.caching"


def _marker(kind: str) -> Callable[[T], T]:
    def mark(target: T) -> T:
        setattr(target, _MARK, kind)
        return target

    return mark


public = _marker(PUBLIC)
public.__doc__ = """Declare a view, MethodView class or blueprint public: caches may keep its
answers to anonymous visitors."""
asset = _marker(ASSET)
asset.__doc__ = """Declare a view, MethodView class or blueprint a shared file: caches may keep
its answers whoever asks."""


def declare(app: Flask, kind: str, endpoints: Iterable[str]) -> None:
    """Declare endpoints the app does not define itself ``public`` or ``asset``."""
    app.extensions[_EXTENSION].update(dict.fromkeys(endpoints, kind))


def kind_of(app: Flask, endpoint: str | None) -> str | None:
    """How the endpoint was declared (PUBLIC, ASSET), or None: no-store."""
    if endpoint is None:
        return None
    declared = app.extensions[_EXTENSION].get(endpoint)
    if declared:
        return declared
    view: Any = app.view_functions.get(endpoint)
    for target in (view, getattr(view, "view_class", None)):
        if target is not None and getattr(target, _MARK, None):
            return getattr(target, _MARK)
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0]) if "." in endpoint else None
    return getattr(blueprint, _MARK, None)


def init_app(app: Flask, signin: SignIn[Any]) -> None:
    """Decide every answer's caching last, after the views and the other hooks."""
    app.extensions[_EXTENSION] = {"static": ASSET}

    def no_store_unless_declared(response: Response) -> Response:
        kind = kind_of(current_app, request.endpoint)
        if kind == ASSET or (kind == PUBLIC and not signin.may_be_signed_in()):
            return response
        if NO_STORE not in response.cache_control:  # a view's "private, no-store" stands
            response.headers["Cache-Control"] = NO_STORE
        response.headers.pop("ETag", None)
        response.headers.pop("Last-Modified", None)
        return response

    # Whatever a view or another hook set, a private answer ends up no-store: this hook
    # overwrites, and the others (pages' no-cache) only fill in a header nobody set.
    app.after_request(no_store_unless_declared)
