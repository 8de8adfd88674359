"""The building blocks of every input schema, in both apps: fields whose messages are the
project's, in the request's language; text that refuses control characters instead of storing
them; validators that say "at most 200 characters" rather than "Longer than maximum length
200."; and the strict base that refuses fields it does not know.

The messages are Flask-Babel lazy strings, made text when a field is refused, so the JSON API
and the officials' pages give the same words for the same bad input — Vietnamese by default,
English with ``?lang=en``.
"""

from __future__ import annotations

import unicodedata
from typing import Any, ClassVar

import marshmallow as ma
from flask_babel import lazy_gettext as _l

# Ids and counts are 32-bit integers in the database: larger numbers are bad input (422), not
# an overflow deep in the driver.
MAX_INT = 2**31 - 1

REQUIRED = _l("This field is required.")
NOT_A_NUMBER = _l("Enter a whole number.")
NOT_A_DATE = _l("Enter a valid date.")
NOT_TEXT = _l("Enter text.")
NOT_YES_OR_NO = _l("Choose yes or no.")
NOT_A_LIST = _l("Give a list.")
NOT_AN_OBJECT = _l("Give an object.")
CONTROL_CHARACTERS = _l("Remove the control characters from this text.")
NOT_A_CHOICE = _l("Choose one of the options.")
UNKNOWN_FIELD = _l("This field is not accepted here.")
OUT_OF_DATE = _l("This form is out of date: reload the page.")


def column_length(attribute: Any) -> int:
    """The length of the string column an ORM attribute maps (``Member.ethnicity`` → 50): the
    one source of a stored text's maximum, so no input passes its schema and then dies in the
    database (PostgreSQL refuses what does not fit; SQLite would keep it)."""
    size = attribute.property.columns[0].type.length
    if not isinstance(size, int):
        raise TypeError(f"{attribute} is not a string column of a fixed length")
    return size


def length(maximum: int, minimum: int | None = None) -> ma.validate.Length:
    """At most ``maximum`` characters (or items); the OpenAPI document shows the bounds."""
    return ma.validate.Length(
        min=minimum,
        max=maximum,
        error=_l("Enter at least {min} and at most {max} characters.")
        if minimum
        else _l("At most {max} characters."),
    )


def items(maximum: int, minimum: int | None = None, error: Any = None) -> ma.validate.Length:
    """A list of at most ``maximum`` items (and at least ``minimum``: ``error`` says why)."""
    message = _l("At most {max} items.") if minimum is None else _l("From {min} to {max} items.")
    return ma.validate.Length(min=minimum, max=maximum, error=error or message)


def between(minimum: int | None, maximum: int | None, error: Any = None) -> ma.validate.Range:
    """A number within the bounds (either may be None); ``error`` is the field's own message."""
    if error is not None:
        message = error
    elif minimum is None:
        message = _l("Enter a number of at most {max}.")
    elif maximum is None:
        message = _l("Enter a number of at least {min}.")
    else:
        message = _l("Enter a number from {min} to {max}.")
    return ma.validate.Range(min=minimum, max=maximum, error=message)


NOT_ASCII_DIGITS = _l("Write the numbers with the digits 0 to 9.")


def ascii_digits(value: str) -> None:
    """A validator: the text's digits are 0–9 (a decision number written with other scripts'
    digits would never be found again)."""
    if any(char.isdigit() and not char.isascii() for char in value):
        raise ma.ValidationError(str(NOT_ASCII_DIGITS))


def one_of(choices: tuple[str, ...] | list[str]) -> ma.validate.OneOf:
    """One of the listed codes."""
    return ma.validate.OneOf(list(choices), error=NOT_A_CHOICE)


class Translated:
    """Mixin for fields: the project's messages, made text in the request's language."""

    default_error_messages: ClassVar[dict[str, Any]] = {
        "required": REQUIRED,
        "null": REQUIRED,
        "validator_failed": _l("This value is not valid."),
    }

    def make_error(self, key: str, **kwargs: Any) -> ma.ValidationError:
        message = self.error_messages[key]  # type: ignore[attr-defined]
        return ma.ValidationError(str(message).format(**kwargs) if kwargs else str(message))


class String(Translated, ma.fields.String):
    """A string as given (passwords, codes); not text to store: see ``Text``. Not even a
    password holds a NUL or a lone surrogate: no database column can store them."""

    default_error_messages: ClassVar[dict[str, Any]] = {
        "invalid": NOT_TEXT,
        "invalid_utf8": NOT_TEXT,
        "control": CONTROL_CHARACTERS,
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text or any(unicodedata.category(char) == "Cs" for char in text):
            raise self.make_error("control")
        return text


class Text(String):
    """Text people type: no control characters (line breaks only where ``multiline``), trimmed;
    white space alone is no answer (required: refused; optional: None)."""

    default_error_messages: ClassVar[dict[str, Any]] = {"control": CONTROL_CHARACTERS}

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.multiline = multiline

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        allowed = "\n\r\t" if self.multiline else ""
        # Control characters (NUL above all: PostgreSQL refuses it) and lone surrogates are
        # never part of what someone meant to write.
        if any(unicodedata.category(char) in ("Cc", "Cs") and char not in allowed for char in text):
            raise self.make_error("control")
        text = text.strip()
        if not text:
            if self.required:
                raise self.make_error("required")
            return None
        return text

    def _validate(self, value: Any) -> None:
        # Blank optional text loads as None: there is nothing for the validators to check.
        if value is not None:
            super()._validate(value)


class Integer(Translated, ma.fields.Integer):
    """A whole number; digits as typed on a form are fine, other scripts' digits are not."""

    default_error_messages: ClassVar[dict[str, Any]] = {
        "invalid": NOT_A_NUMBER,
        "too_large": NOT_A_NUMBER,
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str) and not value.strip().isascii():
            raise self.make_error("invalid")
        # marshmallow would cut 2.5 down to 2.
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Date(Translated, ma.fields.Date):
    """A date, YYYY-MM-DD (the officials' forms turn dd/mm/yyyy into that)."""

    default_error_messages: ClassVar[dict[str, Any]] = {"invalid": NOT_A_DATE, "format": NOT_A_DATE}


class Boolean(Translated, ma.fields.Boolean):
    """true or false (a form's yes, no, on)."""

    default_error_messages: ClassVar[dict[str, Any]] = {"invalid": NOT_YES_OR_NO}


class List(Translated, ma.fields.List):
    """A list of one kind of item."""

    default_error_messages: ClassVar[dict[str, Any]] = {"invalid": NOT_A_LIST}


class Nested(Translated, ma.fields.Nested):
    """An object of a named schema."""

    default_error_messages: ClassVar[dict[str, Any]] = {"type": NOT_AN_OBJECT}


class Dict(Translated, ma.fields.Dict):
    """An object whose keys the schema does not list (household facts: the engine checks)."""

    default_error_messages: ClassVar[dict[str, Any]] = {"invalid": NOT_AN_OBJECT}


def id_field(**kwargs: Any) -> Integer:
    """A record's id."""
    return Integer(validate=between(1, MAX_INT), **kwargs)


class Strict(ma.Schema):
    """Input schemas refuse fields they do not know: a typo is a 422, not silently ignored."""

    error_messages = {"unknown": UNKNOWN_FIELD, "type": NOT_AN_OBJECT}  # noqa: RUF012

    class Meta:
        unknown = ma.RAISE


class Versioned(Strict):
    """Bodies that change one application may carry the version the form was opened at (a
    stale one is a 409 and changes nothing)."""

    version = Integer(
        load_default=None,
        validate=ma.validate.Range(1, MAX_INT, error=OUT_OF_DATE),
        error_messages={"invalid": OUT_OF_DATE, "null": OUT_OF_DATE},
        metadata={"description": "the application's version when the form was opened"},
    )
