"""Bring a store to the newest schema: create it, adopt a Damai 0.1 store, or run Alembic.

Three kinds of database arrive here:

- **empty**: every table is created from :mod:`damai.storage.schema` and the store is stamped with
  the newest revision;
- **Damai 0.1** (before issue #10): its ``schema_migrations`` table holds ``0001_posts`` …
  ``0007_label_time`` and perhaps ``auth_0001``/``auth_0002``. Missing account tables (a store
  that never had a user) are created, the store is stamped ``0001_legacy``, and the revisions
  after it run;
- **Alembic-managed**: the revisions after its own run.

The whole upgrade is one transaction, DDL included (SQLite and PostgreSQL both have transactional
DDL), taken under a lock (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), so
processes that start together upgrade once and an interrupted upgrade leaves the store as it was.
A store this code cannot upgrade safely (newer, unknown or half-made) gets a
:class:`MigrationError` naming the revision and what to do.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext, MigrationInfo
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from damai.errors import StorageError
from damai.storage.engine import Database, StoreUnavailable, safe_url
from damai.storage.schema import metadata, tables

__all__ = ["LEGACY_AUTH", "LEGACY_POSTS", "MigrationError", "current_revision", "migrate",
           "revisions"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: what ``schema_migrations`` of a complete Damai 0.1 store holds
LEGACY_POSTS: tuple[str, ...] = ("0001_posts", "0002_posts_fts", "0003_quarantine",
                                 "0004_accounts", "0005_labels", "0006_dashboard",
                                 "0007_label_time")
LEGACY_AUTH: tuple[str, ...] = ("auth_0001_users_tokens_audit", "auth_0002_sessions")
_LEGACY_AUTH_TABLES = {"auth_0001_users_tokens_audit": ("users", "api_tokens", "audit_log"),
                       "auth_0002_sessions": ("sessions",)}
_LEGACY_REVISION = "0001_legacy"
#: first key of the PostgreSQL advisory lock; the second is the schema name's hash
_LOCK_KEY = 0x64616D61  # "dama"


class MigrationError(StorageError):
    """The store's schema cannot be brought to this version safely."""

    code = "E202"


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def revisions() -> list[str]:
    """Every revision id, oldest first."""
    script = _script()
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k, hashtext(coalesce(current_schema(), "
                          "'')))"), {"k": _LOCK_KEY})
    # SQLite: the write transaction began with BEGIN IMMEDIATE, which is the lock


def _damai_tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names()) & (set(tables) | {"post_labels"})


def current_revision(db: Database) -> str | None:
    """The store's revision (``None`` for an empty store or one of Damai 0.1)."""
    with db.read() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(db: Database) -> list[str]:
    """Upgrade the store in one transaction; return the revisions applied now, oldest first."""
    try:
        return _migrate(db)
    except MigrationError:
        raise
    except StorageError as exc:
        if isinstance(exc, StoreUnavailable):
            raise
        raise MigrationError(
            f"cannot migrate the database at {safe_url(db.url)}: {exc.message}. Check that the "
            "user may create tables there") from None


def _migrate(db: Database) -> list[str]:
    script = _script()
    with db.write() as conn:
        _lock(conn)
        context = MigrationContext.configure(conn)
        heads = context.get_current_heads()
        if not heads:
            fresh = _adopt(conn, context)
            if fresh:
                return revisions()
        else:
            _check_known(script, heads)
        applied = _upgrade(script, conn)
        _check_complete(conn, script)
    return applied


def _adopt(conn: Connection, context: MigrationContext) -> bool:
    """Create an empty store (True) or stamp a Damai 0.1 store at ``0001_legacy`` (False)."""
    found = _damai_tables(conn)
    names = _legacy_names(conn)
    if not found:
        metadata.create_all(conn)
        context.stamp(_script(), "heads")
        return True
    if not names:
        raise MigrationError(
            f"the database holds Damai tables ({', '.join(sorted(found))}) but no record of its "
            "schema version, so it cannot be upgraded safely: a migration was cut off or the "
            "tables were made by hand. Restore a backup (`damai restore`) or use an empty "
            "database")
    _check_legacy(names)
    for name in LEGACY_AUTH:
        if name not in names:
            for table in _LEGACY_AUTH_TABLES[name]:
                tables[table].create(conn)
    context.stamp(_script(), _LEGACY_REVISION)
    return False


def _legacy_names(conn: Connection) -> list[str]:
    if "schema_migrations" not in inspect(conn).get_table_names():
        return []
    return [str(r[0]) for r in conn.execute(text("SELECT name FROM schema_migrations"))]


def _check_legacy(names: list[str]) -> None:
    unknown = sorted(set(names) - set(LEGACY_POSTS) - set(LEGACY_AUTH))
    if unknown:
        raise MigrationError(
            f"schema_migrations names {', '.join(unknown)}, which no Damai release made: this "
            "store was changed by another program. Restore a backup (`damai restore`)")
    missing = [n for n in LEGACY_POSTS if n not in names]
    if missing or (LEGACY_AUTH[1] in names and LEGACY_AUTH[0] not in names):
        last = max((n for n in names if n in LEGACY_POSTS), default="none")
        raise MigrationError(
            f"this store stopped at migration {last} of an older Damai ({', '.join(missing)} "
            "not applied): run `damai migrate` with Damai 0.1 (commit a832da6) first, then "
            "with this version")


def _check_known(script: ScriptDirectory, heads: tuple[str, ...]) -> None:
    if len(heads) > 1:
        raise MigrationError(f"the store records several revisions at once ({', '.join(heads)})"
                             ": it was changed by another program. Restore a backup "
                             "(`damai restore`)")
    try:
        script.get_revision(heads[0])
    except CommandError:
        raise MigrationError(
            f"the store is at revision {heads[0]}, which this Damai does not know (it knows up "
            f"to {script.get_current_head()}): it was made by a newer Damai. Install that "
            "version, or restore a backup made by this one (`damai restore`)") from None


def _upgrade(script: ScriptDirectory, conn: Connection) -> list[str]:
    applied: list[str] = []

    def steps(revision: Any, _context: MigrationContext) -> Any:
        return script._upgrade_revs("heads", revision)

    def done(ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any],
             run_args: Mapping[str, Any]) -> None:
        applied.append(str(step.up_revision_id))

    with EnvironmentContext(Config(), script, fn=steps, destination_rev="heads") as env:
        env.configure(connection=conn, target_metadata=metadata, transactional_ddl=True,
                      on_version_apply=done)
        with env.begin_transaction():  # already inside db.write(): joins that transaction
            env.run_migrations()
    return applied


def _check_complete(conn: Connection, script: ScriptDirectory) -> None:
    """Every declared table must exist at the newest revision."""
    missing = sorted(set(tables) - set(inspect(conn).get_table_names()))
    if missing:
        raise MigrationError(
            f"the store is at revision {script.get_current_head()} but lacks the tables "
            f"{', '.join(missing)}: a migration was only half applied, or tables were dropped "
            "by hand. Restore a backup (`damai restore`)")
