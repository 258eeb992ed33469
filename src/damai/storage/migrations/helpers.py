"""What revisions share, so a revision stays a few lines and every table stays declared once.

A revision that adds a table creates it from :mod:`damai.storage.schema` (``create_tables``), and
one that adds a column takes the column from there too (``add_columns``). Both skip what already
exists, so a store that jumps several revisions at once never creates a thing twice.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import inspect

from damai.storage import schema

__all__ = ["add_columns", "create_indexes", "create_tables", "dialect", "existing_indexes",
           "existing_tables", "replace_check"]


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


def create_indexes(table: str, *names: str) -> None:
    """Create each named index of ``table`` as :mod:`damai.storage.schema` declares it."""
    have = existing_indexes(table)
    for index in schema.tables[table].indexes:
        if index.name in names and index.name not in have:
            index.create(op.get_bind())


def add_columns(table: str, *names: str) -> None:
    """Add each named column of ``table`` as :mod:`damai.storage.schema` declares it."""
    have = {c["name"] for c in inspect(op.get_bind()).get_columns(table)}
    for name in names:
        if name not in have:
            op.add_column(table, schema.tables[table].c[name]._copy())


def replace_check(table: str, name: str, check: str) -> None:
    """Put the declared CHECK constraint ``name`` (``check``) on ``table`` in place of the old
    one: SQLite rebuilds the table from its declaration in :mod:`damai.storage.schema` (batch
    mode, the only way to change a CHECK there; the rebuild creates the declared indexes too),
    PostgreSQL swaps the constraint."""
    if dialect() == "sqlite":
        with op.batch_alter_table(table, copy_from=schema.tables[table], recreate="always"):
            pass
        return
    op.drop_constraint(name, table, type_="check")
    op.create_check_constraint(name, table, check)
