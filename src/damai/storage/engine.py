"""Database URLs and the one pooled ``Engine`` a store runs on.

URLs follow SQLAlchemy's convention, parsed by SQLAlchemy itself: ``sqlite:///rel.sqlite3`` is
relative to the working directory, ``sqlite:////abs/path.sqlite3`` absolute, ``sqlite://`` (or
the older ``sqlite://:memory:``) in memory, and ``postgresql://USER@HOST/DB`` (or
``postgres://``) a PostgreSQL server reached with psycopg 3. Damai before issue #10 read
``sqlite:///abs/path`` as absolute; such an install keeps working: when the relative reading names
no file and the absolute one exists, the absolute one is opened and a warning says so once.

:class:`Database` hands out connections from the engine's pool: :meth:`~Database.read` for
queries, :meth:`~Database.write` for one transaction (``BEGIN IMMEDIATE`` on SQLite, so two writers
queue on the busy timeout instead of failing). A lost server becomes :class:`StoreUnavailable`;
the pool checks each connection before use, so the store recovers by itself once the server is
back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import URL, create_engine, event, make_url
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from damai.errors import InputError, StorageError
from damai.storage.dialects import DIALECTS

__all__ = ["Database", "Repository", "StoreUnavailable", "parse_url", "safe_url"]

log = logging.getLogger("damai.storage")
_warned: set[str] = set()
_SCHEMES = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg",
            "postgres": "postgresql+psycopg", "postgresql+psycopg": "postgresql+psycopg"}


class StoreUnavailable(StorageError):
    """The database server cannot be reached now; try again when it is back."""

    code = "E201"


def parse_url(text: str) -> URL:
    """The SQLAlchemy URL for a Damai database URL; :class:`InputError` for anything else."""
    if text.strip() == "sqlite://:memory:":
        return make_url("sqlite://")
    try:
        url = make_url(text.strip())
    except ArgumentError:
        url = None
    if url is None or url.drivername not in _SCHEMES:
        raise InputError(f"unknown database URL {safe_url(text)!r}; use sqlite:///RELATIVE/PATH, "
                         "sqlite:////ABSOLUTE/PATH or postgresql://USER@HOST/DB")
    url = url.set(drivername=_SCHEMES[url.drivername])
    if url.drivername == "sqlite" and url.database not in (None, "", ":memory:"):
        url = url.set(database=_sqlite_path(url.database or ""))
    return url


def _sqlite_path(database: str) -> str:
    path = Path(database).expanduser()
    if path.is_absolute() or path.exists():
        return str(path)
    legacy = Path("/") / path
    if legacy.is_file():
        if str(legacy) not in _warned:
            _warned.add(str(legacy))
            log.warning("sqlite:///%s names no file here; opening %s, which older Damai wrote "
                        "for that URL. Write sqlite:///%s from now on (four slashes: absolute)",
                        database, legacy, legacy)
        return str(legacy)
    return str(path)


def safe_url(url: str | URL) -> str:
    """The URL for messages: never the password."""
    try:
        parsed = url if isinstance(url, URL) else make_url(str(url))
    except ArgumentError:
        return "the given URL"
    return parsed.render_as_string(hide_password=True).replace("+psycopg", "")


def _sqlite_engine(url: URL) -> Engine:
    memory = url.database in (None, "", ":memory:")
    if not memory:
        Path(url.database or "").parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 10}}
    if memory:
        options["poolclass"] = StaticPool  # one shared in-memory database
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # transactions are begun below, not by the driver
        for pragma in ("busy_timeout = 10000", "foreign_keys = ON", "synchronous = NORMAL",
                       *(() if memory else ("journal_mode = WAL",))):
            dbapi.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("damai_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _postgres_engine(url: URL) -> Engine:
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)

    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        from psycopg.types.json import set_json_loads

        set_json_loads(orjson.loads, dbapi)
        with dbapi.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
        dbapi.commit()

    return engine


class Database:
    """One pooled engine and the way every repository takes connections from it."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self.engine = _sqlite_engine(url) if url.drivername == "sqlite" else _postgres_engine(url)
        self.dialect: str = self.engine.dialect.name
        #: an in-memory SQLite database is one connection (StaticPool) that every thread shares,
        #: so its users take turns: two threads beginning on it at once would fail with "cannot
        #: start a transaction within a transaction" (a job runner and a page, for example)
        self._turns: AbstractContextManager[Any] = (
            threading.RLock() if url.drivername == "sqlite"
            and url.database in (None, "", ":memory:") else nullcontext())

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for queries (its transaction is rolled back at the end)."""
        with self._turns, self._errors(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: committed at the end, rolled back on an error."""
        with self._turns, self._errors(), self.engine.connect() as conn:
            conn = conn.execution_options(damai_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            if exc.connection_invalidated or _is_connection_error(exc):
                raise StoreUnavailable(
                    f"cannot reach the database at {safe_url(self.url)}: "
                    f"{_first_line(exc.orig)}. Check that the server is running; Damai "
                    "reconnects by itself when it is back") from None
            raise StorageError(f"query failed: {_first_line(exc.orig)}") from None
        except SQLAlchemyError as exc:
            raise StorageError(f"database error: {_first_line(exc)}") from None

    def close(self) -> None:
        self.engine.dispose()


class Repository:
    """What every repository holds: the database and its dialect's few special functions."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.dialect = DIALECTS[db.dialect]


def _is_connection_error(exc: DBAPIError) -> bool:
    orig = exc.orig
    module = type(orig).__module__
    if module.startswith("psycopg"):
        import psycopg

        return isinstance(orig, psycopg.OperationalError)
    return False


def _first_line(exc: object) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
