"""Finding a file by what an official has in hand (issue 15): the tracking code from the receipt
(``NMX3-9RB7-98`` or as stored, any case), a 12-digit citizen ID of the applicant or of any
member, or the words of a name typed without tone marks ("nguyen van an" finds "Nguyễn Văn An").

Every kind is an index lookup on SQLite and PostgreSQL alike: the tracking code and the ID
numbers have their own indexes, and the words of the names are rows of
``application_search_words`` (folded by node.services.identity.name_words), kept here whenever a
name is written. The lookup gives application ids; the list's own conditions (the official's
area first) still apply on top, so a search never reaches past the official's scope.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    delete,
    insert,
    intersect,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session

from node.models.applications import Application, ApplicationSearchWord
from node.models.households import Household, Member
from node.models.review import Verification, VerificationIdentity
from node.services.errors import ValidationFailed
from node.services.identity import name_words, normalize_text
from node.services.tracking import ALPHABET, LENGTH

QUERY_MAX_LENGTH = 100
QUERY_MAX_WORDS = 8
_SEPARATORS = re.compile(r"[\s\-.]")

# The refusals, in English here; the pages and the API translate them by these keys.
TOO_LONG = "Enter at most 100 characters."
CONTROL = "Remove the control characters from the search."
DIGITS = "Type the digits 0-9."
NOT_A_CODE = "Enter a tracking code, a 12-digit ID number or words of a name."
TOO_MANY_WORDS = "Enter at most 8 words of a name."


@dataclass(frozen=True)
class SearchTerms:
    """What a search looks for: a tracking code, an ID number, the words of a name (all of
    them must be in one of the file's names), or a code and words at once (either may match)."""

    tracking_code: str | None = None
    citizen_id: str | None = None
    words: tuple[str, ...] = ()


def parse_query(raw: str | None) -> SearchTerms | None:
    """What the official typed → the terms, None when nothing was typed; ValidationFailed
    naming ``q`` for a query no file could match (control characters, digits of another
    script, a string of digits that is neither an ID number nor a code)."""
    if raw is None or not raw.strip():
        return None
    if len(raw) > QUERY_MAX_LENGTH:
        raise ValidationFailed(TOO_LONG, {"q": TOO_LONG})
    if any(unicodedata.category(char).startswith("C") for char in raw):
        raise ValidationFailed(CONTROL, {"q": CONTROL})
    if any(char.isdigit() and not char.isascii() for char in raw):
        raise ValidationFailed(DIGITS, {"q": DIGITS})
    text = normalize_text(raw)
    compact = _SEPARATORS.sub("", text).upper()
    code = compact if len(compact) == LENGTH and set(compact) <= set(ALPHABET) else None
    if compact.isdigit() and len(compact) == 12:
        return SearchTerms(citizen_id=compact)
    if any(char.isdigit() for char in compact):
        if code is None:
            raise ValidationFailed(NOT_A_CODE, {"q": NOT_A_CODE})
        return SearchTerms(tracking_code=code)
    words = tuple(sorted(name_words(text)))
    if not words and code is None:
        raise ValidationFailed(NOT_A_CODE, {"q": NOT_A_CODE})
    if len(words) > QUERY_MAX_WORDS:
        raise ValidationFailed(TOO_MANY_WORDS, {"q": TOO_MANY_WORDS})
    # Ten letters of the codes' alphabet may be a code or a name typed without spaces
    # ("thanhthanh"): look for both.
    return SearchTerms(tracking_code=code, words=words)


def matching(terms: SearchTerms) -> ColumnElement[bool]:
    """The condition on Application that the search adds to a list's WHERE clause."""
    conditions: list[ColumnElement[bool]] = []
    if terms.citizen_id:
        conditions.append(Application.id.in_(_with_citizen_id(terms.citizen_id)))
    if terms.words:
        conditions.append(Application.id.in_(_with_words(terms.words)))
    if terms.tracking_code:
        conditions.append(Application.tracking_code == terms.tracking_code)
    return or_(*conditions)


def _with_words(words: tuple[str, ...]) -> Select[tuple[int]] | CompoundSelect:
    """The ids of the applications whose names hold every one of the words: an index lookup
    per word, intersected."""
    lookups = [
        select(ApplicationSearchWord.application_id).where(ApplicationSearchWord.word == word)
        for word in words
    ]
    return intersect(*lookups) if len(lookups) > 1 else lookups[0]


def _with_citizen_id(citizen_id: str) -> CompoundSelect:
    """The ids of the applications whose applicant, verified member, or household (its head or
    a member on record) has this ID number: four index lookups."""
    return union(
        select(Application.id).where(Application.applicant_citizen_id == citizen_id),
        select(VerificationIdentity.application_id).where(
            VerificationIdentity.citizen_id == citizen_id
        ),
        select(Application.id).where(
            Application.household_id.in_(
                union(
                    select(Household.id).where(Household.head_citizen_id == citizen_id),
                    select(Member.household_id).where(Member.citizen_id == citizen_id),
                )
            )
        ),
    )


def index_names(session: Session, application_id: int, applicant_name: str) -> None:
    """Write the search words of the application's names afresh: the applicant's and those of
    the members its latest verification recorded. Called wherever those names are written."""
    session.flush()
    latest = session.scalar(
        select(Verification.identities)
        .where(Verification.application_id == application_id)
        .order_by(Verification.id.desc())
        .limit(1)
    )
    names = [applicant_name] + [identity.get("full_name") or "" for identity in latest or []]
    session.execute(
        delete(ApplicationSearchWord).where(ApplicationSearchWord.application_id == application_id)
    )
    index_new_applicants(session, [(application_id, " ".join(names))])


def index_new_applicants(session: Session, applicants: list[tuple[int, str]]) -> None:
    """The search words of new applications' applicants, (id, name) each, in one statement."""
    rows = [
        {"application_id": application_id, "word": word}
        for application_id, name in applicants
        for word in sorted(name_words(name))
    ]
    if rows:
        session.execute(insert(ApplicationSearchWord), rows)
