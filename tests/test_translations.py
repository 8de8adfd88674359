"""Translations: every UI string of each app is in Vietnamese, and the committed .mo files are
exactly the compiled .po files (run `make translations` when a test here fails)."""

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
APPS = ["node", "hub"]


def catalog_path(app, suffix):
    return ROOT / app / "translations" / "vi" / "LC_MESSAGES" / f"messages.{suffix}"


def read_catalog(path, reader):
    with path.open("rb") as handle:
        return reader(handle)


def translations(catalog):
    """msgid → msgstr for every message except the header."""
    return {message.id: message.string for message in catalog if message.id}


def source_msgids(app):
    """The msgids in the app's code and templates, extracted as `make translations` does."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    extracted = extract_from_dir(str(ROOT / app), method_map, options_map, keywords=keywords)
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in extracted}


@pytest.mark.parametrize("app", APPS)
def test_every_source_string_is_in_the_catalog(app):
    msgids = source_msgids(app)
    catalog = translations(read_catalog(catalog_path(app, "po"), read_po))

    assert msgids, "no UI strings found: is babel.cfg right?"
    assert sorted(msgids - catalog.keys()) == []


@pytest.mark.parametrize("app", APPS)
def test_every_catalog_entry_has_a_vietnamese_translation(app):
    catalog = read_catalog(catalog_path(app, "po"), read_po)

    assert not catalog.fuzzy, "a fuzzy catalog header makes the compiler skip the whole file"
    assert [m.id for m in catalog if m.id and (not m.string or m.fuzzy)] == []


@pytest.mark.parametrize("app", APPS)
def test_committed_mo_is_the_compiled_po(app, tmp_path):
    compiled = tmp_path / "messages.mo"
    with compiled.open("wb") as handle:
        write_mo(handle, read_catalog(catalog_path(app, "po"), read_po))

    committed = translations(read_catalog(catalog_path(app, "mo"), read_mo))

    assert committed == translations(read_catalog(compiled, read_mo))
