"""Bulk import of an existing household list (XLSX or CSV), all or nothing (DESIGN §8).

A province starting on giamngheo already has its lists — poor, near-poor, average and non-poor
households recognised in earlier reviews — in spreadsheets. ``import_households`` loads one
period's list: every row is checked first and every problem reported with its row and column;
only a file without a single problem is written, in the caller's transaction.

How it stays fast at a million rows and has its rules in one place (``pipeline`` runs the stages):

1. ``reading``: the file is read in Python (csv or openpyxl, streaming) and its rows go raw, as
   text, into a temporary table (``tables``): with COPY on PostgreSQL, batched inserts on SQLite.
   Only what cannot be staged is checked here: the header, rows with cells beyond the header,
   unreadable bytes.
2. ``terms``: columns with few distinct values (communes, villages, classes, years, indicator
   lists…) are checked once per distinct value in Python, and the answers joined back in SQL
   (``import_terms``). ``checks``: columns with a value per household (name, ID number, phone,
   address) are normalised and checked in SQL, by the same SQLAlchemy expressions on both
   databases; the few primitives that differ (NFC, white space, phone, ID number) compile to
   SQL on PostgreSQL and call the node's own Python normalisers on SQLite (``cleaning``).
3. ``checks``: duplicates, in the file and against the node's households, are one GROUP BY and
   one join.
4. ``writing``: without a problem, three INSERT … SELECT statements write the households, their
   statuses and the deprivations, as the chair's decision would (node.services.decisions).

``columns`` holds the template (columns, words, messages), ``template`` writes its files.
"""

from node.services.imports.cleaning import (
    clean_citizen_id,
    clean_phone,
    clean_text,
    register_sql_functions,
)
from node.services.imports.columns import CLASS_WORDS, COLUMNS
from node.services.imports.pipeline import ImportResult, import_households
from node.services.imports.problems import ImportFailed
from node.services.imports.template import write_template

__all__ = [
    "CLASS_WORDS",
    "COLUMNS",
    "ImportFailed",
    "ImportResult",
    "clean_citizen_id",
    "clean_phone",
    "clean_text",
    "import_households",
    "register_sql_functions",
    "write_template",
]
