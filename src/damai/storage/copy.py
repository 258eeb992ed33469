"""Copy a whole store into another: ``damai copy-store``, ``damai backup`` and ``damai restore``.

Every table declared in :mod:`damai.storage.schema` is copied in foreign-key order, with its ids,
in one read snapshot of the source and one transaction on the target, so the copy is whole or
absent. Values go through the column types, so a SQLite store becomes a PostgreSQL one (or back)
with nothing lost: times, JSON, raw records and bytes arrive as they left. The target must be
empty (a fresh or just-migrated store); afterwards each dialect tidies up what a bulk insert skips
(:func:`_after_copy_sqlite` rebuilds the search index, :func:`_after_copy_postgresql` moves the
identity sequences past the copied ids).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from damai.errors import InputError
from damai.storage.schema import metadata

__all__ = ["copy_tables"]

_CHUNK = 1000
ProgressHook = Callable[[str, int], None]


def _after_copy_sqlite(conn: Connection) -> None:
    conn.exec_driver_sql("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')")


def _after_copy_postgresql(conn: Connection) -> None:
    for table in metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                              f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"))


_AFTER_COPY = {"sqlite": _after_copy_sqlite, "postgresql": _after_copy_postgresql}


def _check_empty(conn: Connection) -> None:
    used = [t.name for t in metadata.sorted_tables
            if conn.scalar(select(func.count()).select_from(t))]
    if used:
        raise InputError(f"the target store is not empty ({', '.join(used)} hold rows): copy "
                         "into a new database, or a store that was just created")


def copy_tables(source: Connection, target: Connection,
                on_table: ProgressHook | None = None) -> dict[str, int]:
    """Copy every table from ``source`` (read) into ``target`` (inside its transaction);
    return the rows copied per table."""
    _check_empty(target)
    copied: dict[str, int] = {}
    for table in metadata.sorted_tables:
        result = source.execution_options(yield_per=_CHUNK).execute(select(table))
        copied[table.name] = 0
        for chunk in result.partitions():
            target.execute(table.insert(), [dict(r._mapping) for r in chunk])
            copied[table.name] += len(chunk)
        if on_table is not None:
            on_table(table.name, copied[table.name])
    _AFTER_COPY[target.dialect.name](target)
    return copied
