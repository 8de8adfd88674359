"""The temporary tables an import stages, checks and writes from (this transaction only)."""

from __future__ import annotations

from sqlalchemy import Column, Connection, Integer, MetaData, Table, Text
from sqlalchemy.schema import DropTable

from node.services.imports.cleaning import register_sql_functions
from node.services.imports.columns import COLUMNS

_TEMPORARY = MetaData()
ROWS = Table(
    "import_rows",
    _TEMPORARY,
    Column("rn", Integer, nullable=False),
    *(Column(column.key, Text) for column in COLUMNS),
    prefixes=["TEMPORARY"],
)
TERMS = Table(
    "import_terms",
    _TEMPORARY,
    Column("kind", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("value", Text),
    Column("ref", Integer),
    Column("commune_code", Text),
    Column("area", Text),
    Column("problem", Text),
    prefixes=["TEMPORARY"],
)
INDICATORS = Table(
    "import_indicators",
    _TEMPORARY,
    Column("raw", Text, nullable=False),
    Column("indicator", Text, nullable=False),
    Column("position", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)
PER_VALUE = [column.key for column in COLUMNS if column.per_value]
CHECKED = Table(
    "import_checked",
    _TEMPORARY,
    Column("rn", Integer, nullable=False),
    *(Column(key, Text) for key in PER_VALUE),
    *(Column(f"{key}_problem", Text) for key in PER_VALUE),
    Column("commune_area", Text),
    Column("village_id", Integer),
    Column("village_commune", Text),
    Column("area_final", Text),
    Column("head_name", Text),
    Column("head_citizen_id", Text),
    Column("phone", Text),
    Column("address", Text),
    prefixes=["TEMPORARY"],
)
TEMPORARY_TABLES = (ROWS, TERMS, INDICATORS, CHECKED)


def create_temporary_tables(connection: Connection) -> None:
    """The temporary tables, empty, and the SQL functions their checks call."""
    drop_temporary_tables(connection)
    for table in TEMPORARY_TABLES:
        table.create(connection)
    register_sql_functions(connection)


def drop_temporary_tables(connection: Connection) -> None:
    """Drop the temporary tables that exist."""
    for table in TEMPORARY_TABLES:
        connection.execute(DropTable(table, if_exists=True))
