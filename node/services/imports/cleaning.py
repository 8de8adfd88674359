"""normalize_text, normalize_citizen_id and normalize_phone as SQL functions, on both databases."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from node.services.identity import normalize_citizen_id, normalize_phone, normalize_text

# Every character Python's str.split() splits on, which normalize_text collapses: PostgreSQL
# collapses exactly the same ones (SQLite calls normalize_text itself).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_PG_SPACES = "".join(f"\\u{ord(ch):04x}" for ch in WHITESPACE)
_PG_SPACE = f"[{_PG_SPACES}]"
_PG_OTHER_SPACE = "[" + "".join(f"\\u{ord(ch):04x}" for ch in WHITESPACE if ch != " ") + "]"
# What normalize_phone strips (node.services.identity._PHONE_SEPARATORS).
_PG_PHONE_SEPARATORS = f"[{_PG_SPACES}.()-]"
DIGIT_PATTERN = "[0-9]"


def _sql_string(value: str) -> str:
    """A constant of this module as an SQL string literal (standard_conforming_strings)."""
    return "'" + value.replace("'", "''") + "'"


class clean_text(FunctionElement):  # noqa: N801 - an SQL function, named as one
    """normalize_text in SQL: NFC, runs of white space as one space, trimmed; blank → NULL."""

    type = Text()
    inherit_cache = True


class clean_citizen_id(FunctionElement):  # noqa: N801
    """normalize_citizen_id in SQL: the 12 digits; blank → NULL; anything else → ''."""

    type = Text()
    inherit_cache = True


class clean_phone(FunctionElement):  # noqa: N801
    """normalize_phone in SQL: 0xxxxxxxxx; blank → NULL; not a phone number → ''."""

    type = Text()
    inherit_cache = True


def _argument(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
    (argument,) = element.clauses.clauses
    return compiler.process(argument, **kw)


@compiles(clean_text, "postgresql")
def _clean_text_postgresql(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
    x = _argument(element, compiler, **kw)
    # Most names are NFC already and singly spaced: the cheap tests spare them the rewrite
    # (normalize() and regexp_replace() cost about a second each per million rows).
    odd = _sql_string(f"^ | $|  |{_PG_OTHER_SPACE}")
    full = (
        f"NULLIF(BTRIM(REGEXP_REPLACE(NORMALIZE({x}, NFC), {_sql_string(_PG_SPACE + '+')}, ' ', "
        "'g')), '')"
    )
    return (
        f"(CASE WHEN {x} IS NFC NORMALIZED AND {x} !~ {odd} THEN NULLIF({x}, '') ELSE {full} END)"
    )


def _digits(x: str, low: int, high: int | None = None) -> str:
    """SQL: ``x`` is ``low`` (to ``high``) ASCII digits. A length test and a negated class cost
    a quarter of the counted regular expression ^[0-9]{12}$ in PostgreSQL."""
    length = f"LENGTH({x}) = {low}" if high is None else f"LENGTH({x}) BETWEEN {low} AND {high}"
    return f"({length} AND {x} !~ '[^0-9]')"


@compiles(clean_citizen_id, "postgresql")
def _clean_citizen_id_postgresql(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
    x = _argument(element, compiler, **kw)
    # The rare number typed with spaces is rewritten in a subquery, so the rewrite is written
    # (and computed) once.
    stripped = f"REGEXP_REPLACE({x}, {_sql_string(_PG_SPACE + '+')}, '', 'g')"
    return (
        # Only this module's constants and the compiled column go into the SQL.
        f"(CASE WHEN {x} IS NULL THEN NULL WHEN {_digits(x, 12)} THEN {x} ELSE (SELECT CASE "  # noqa: S608
        f"WHEN b = '' THEN NULL WHEN {_digits('b', 12)} THEN b ELSE '' END FROM (SELECT "
        f"{stripped} AS b) AS bare) END)"
    )


@compiles(clean_phone, "postgresql")
def _clean_phone_postgresql(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
    x = _argument(element, compiler, **kw)
    stripped = f"REGEXP_REPLACE({x}, {_sql_string(_PG_PHONE_SEPARATORS)}, '', 'g')"
    # +84 and 84 (11 digits) are the country code in place of the leading 0, as in
    # normalize_phone.
    local = (
        "CASE WHEN LEFT(b, 3) = '+84' THEN '0' || SUBSTR(b, 4) "
        "WHEN LEFT(b, 2) = '84' AND LENGTH(b) = 11 THEN '0' || SUBSTR(b, 3) ELSE b END"
    )

    def phone(y: str) -> str:
        return f"(LEFT({y}, 1) = '0' AND {_digits(y, 10, 11)})"

    return (
        f"(CASE WHEN {x} IS NULL THEN NULL WHEN {phone(x)} THEN {x} ELSE (SELECT CASE "  # noqa: S608
        f"WHEN b = '' THEN NULL WHEN {phone('l')} THEN l ELSE '' END FROM (SELECT b, {local} "
        f"AS l FROM (SELECT {stripped} AS b) AS bare) AS local) END)"
    )


def _sqlite_clean_text(value: str | None) -> str | None:
    return (normalize_text(value) or None) if value is not None else None


def _sqlite_clean_citizen_id(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return normalize_citizen_id(value) or ""


def _sqlite_clean_phone(value: str | None) -> str | None:
    if value is None or not "".join(re.split(r"[\s.()\-]", value)):
        return None
    phone = normalize_phone(value)
    return phone if phone and phone.isascii() else ""


SQLITE_FUNCTIONS: dict[type[FunctionElement], tuple[str, Callable[[str | None], str | None]]] = {
    clean_text: ("giamngheo_clean_text", _sqlite_clean_text),
    clean_citizen_id: ("giamngheo_clean_citizen_id", _sqlite_clean_citizen_id),
    clean_phone: ("giamngheo_clean_phone", _sqlite_clean_phone),
}


def _compile_sqlite(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
    name, _function = SQLITE_FUNCTIONS[type(element)]
    return f"{name}({_argument(element, compiler, **kw)})"


for _element in SQLITE_FUNCTIONS:
    compiles(_element, "sqlite")(_compile_sqlite)


def register_sql_functions(connection: Connection) -> None:
    """Make clean_text, clean_citizen_id and clean_phone callable on this connection (SQLite:
    the Python normalisers; PostgreSQL compiles them to SQL and needs nothing)."""
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        for name, function in SQLITE_FUNCTIONS.values():
            driver.create_function(name, 1, function, deterministic=True)
