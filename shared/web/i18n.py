"""Locale choice: `?lang=` (remembered in a cookie), then that cookie, then Vietnamese."""

from __future__ import annotations

from flask import Flask, Response, current_app, has_request_context, request
from flask_babel import Babel, get_locale

from shared.numbers import format_number

# Each language under its own name, as the switch shows it; Vietnamese first, the default.
LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def _supported(lang: str | None) -> str | None:
    return lang if lang in LANGUAGES else None


def select_locale() -> str | None:
    """The locale the visitor chose; None lets Flask-Babel use the default, Vietnamese.

    Accept-Language is ignored on purpose: Vietnamese is the default for everyone.
    """
    if not has_request_context():
        return None
    return _supported(request.args.get("lang")) or _supported(request.cookies.get(LANG_COOKIE))


def remember_locale(response: Response) -> Response:
    """Store a `?lang=` choice in a cookie so the next pages keep it."""
    lang = _supported(request.args.get("lang"))
    if lang and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=LANG_COOKIE_MAX_AGE,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


def locale_context() -> dict[str, object]:
    """Template variables: the current locale (for `<html lang>`) and the languages offered."""
    return {"current_locale": str(get_locale()), "languages": LANGUAGES}


def page_number(value: object, decimals: int = 0) -> str:
    """The ``number`` template filter: ``value`` in the page's language's format
    (shared.numbers), e.g. ``{{ rate|number(2) }}`` → 5,55."""
    lang = "en" if str(get_locale() or "vi") == "en" else "vi"
    return format_number(value, decimals, lang)


def init_app(app: Flask) -> None:
    """Set up Flask-Babel (the app's own catalogues, in its translations folder), the locale
    choice and the ``number`` filter both apps' pages format their figures with."""
    Babel(app, locale_selector=select_locale)
    app.after_request(remember_locale)
    app.context_processor(locale_context)
    app.add_template_filter(page_number, "number")
