"""Storage: open a store from a URL. The only place that knows which backend is used."""

from __future__ import annotations

from typing import Literal

from damai import settings
from damai.errors import InputError
from damai.storage.base import (
    PostCursor,
    PostPage,
    PostQuery,
    QuarantineEntry,
    Stats,
    Store,
    WriteResult,
)

__all__ = ["PostCursor", "PostPage", "PostQuery", "QuarantineEntry", "Stats", "Store",
           "WriteResult", "backend_of", "open_store"]


def backend_of(url: str) -> Literal["sqlite", "postgres"]:
    """Which backend a database URL names; :class:`InputError` for any other URL."""
    if url.startswith("sqlite:"):
        return "sqlite"
    if url.startswith(("postgresql:", "postgres:")):
        return "postgres"
    raise InputError(
        f"unknown database URL {url!r}; use sqlite:///PATH or postgresql://USER@HOST/DB")


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the store at ``url``; default: the SQLite file."""
    url = url or settings.default_db_url()
    store: Store
    if backend_of(url) == "sqlite":
        from damai.storage.sqlite import SQLiteStore

        store = SQLiteStore(url)
    else:
        from damai.storage.postgres import PostgresStore

        store = PostgresStore(url)
    if migrate:
        store.migrate()
    return store
