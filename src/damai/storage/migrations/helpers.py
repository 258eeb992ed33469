"""What revisions share, so a revision stays a few lines and every table stays declared once.

A revision that adds a table creates it from :mod:`damai.storage.schema` (``create_tables``), and
one that adds a column takes the column from there too (``add_columns``). Both skip what already
exists, so a store that jumps several revisions at once never creates a thing twice.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import inspect

from damai.storage import schema

__all__ = ["add_columns", "create_tables", "dialect", "existing_indexes", "existing_tables"]


def dialect() -> str:
    return str(op.get_bind().dialect.name)


def existing_tables() -> set[str]:
    return set(inspect(op.get_bind()).get_table_names())


def existing_indexes(table: str) -> set[str]:
    return {str(i["name"]) for i in inspect(op.get_bind()).get_indexes(table)}


def create_tables(*names: str) -> None:
    """Create each named table as :mod:`damai.storage.schema` declares it, with its indexes."""
    have = existing_tables()
    for name in names:
        if name not in have:
            schema.tables[name].create(op.get_bind())


def add_columns(table: str, *names: str) -> None:
    """Add each named column of ``table`` as :mod:`damai.storage.schema` declares it."""
    have = {c["name"] for c in inspect(op.get_bind()).get_columns(table)}
    for name in names:
        if name not in have:
            op.add_column(table, schema.tables[table].c[name]._copy())
