"""The officials' forms as the bodies the JSON API takes, loaded through the same schemas.

A form is flat text (``agreeing.12``, ticked boxes named ``include``, dates typed as dd/mm/yyyy);
these adapters turn it into the dict a program would send, and ``load`` hands that to the
schema in node.schemas the API loads. A refusal comes back as the API's 422 would name it —
field path → message, in the page's language — so a page and the API refuse the same input in
the same words, and nothing is ever cut short to fit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from node.web.portal_form import parse_date_text
from shared.web.errors import flatten_messages as field_errors

NOT_BODY = frozenset({"csrf_token"})
_NUMBERED = re.compile(r"([a-z_]+)\.([^.]+)")


class FormRefused(Exception):
    """A form the schema refused; ``fields`` maps each field path to its message."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.fields = fields


def load(schema: ma.Schema, body: Mapping[str, Any]) -> dict[str, Any]:
    """The body loaded by ``schema``, or FormRefused with the API's field messages."""
    try:
        return schema.load(body)
    except ma.ValidationError as error:
        raise FormRefused(field_errors(error.messages)) from None


def body(
    form: Mapping[str, str], names: Iterable[str], *, dates: Iterable[str] = ()
) -> dict[str, Any]:
    """The named fields of a form as a body: a field left empty is left out (as a program
    leaves out what it does not send), a date typed dd/mm/yyyy becomes YYYY-MM-DD."""
    dated = set(dates)
    found: dict[str, Any] = {}
    for name in names:
        value = form.get(name)
        if value is None or value == "":
            continue
        found[name] = parse_date_text(value) if name in dated else value
    return found


def everything(form: Mapping[str, str], *, dates: Iterable[str] = ()) -> dict[str, Any]:
    """Every field of a form but the CSRF token, as ``body`` reads them: a field the form does
    not have is refused by the schema, as the API refuses it."""
    return body(form, [name for name in form if name not in NOT_BODY], dates=dates)


def numbered(form: Mapping[str, str], prefix: str) -> list[str]:
    """The keys of the fields named ``prefix.<key>`` given a value (one per household row),
    in a stable order (ids by number)."""
    keys = set()
    for name, value in form.items():
        match = _NUMBERED.fullmatch(name)
        if match and match.group(1) == prefix and value != "":
            keys.add(match.group(2))
    return sorted(keys, key=lambda key: (len(key), key))


def ticked(form: MultiDict[str, str], name: str = "include") -> list[str]:
    """The values of a group of check boxes, each once, in a stable order (ids by number)."""
    values = {value for value in form.getlist(name) if value != ""}
    return sorted(values, key=lambda v: (not v.isdigit(), len(v), v))


def row(form: Mapping[str, str], key: str, names: Iterable[str]) -> dict[str, str]:
    """One household row's fields (``agreeing.<key>``, ``version.<key>``) by their plain names,
    the empty ones left out."""
    return {name: form[f"{name}.{key}"] for name in names if form.get(f"{name}.{key}", "") != ""}
