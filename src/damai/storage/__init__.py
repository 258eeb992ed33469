"""Storage: open a store from a URL. The only place that knows which backend is used."""

from __future__ import annotations

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
           "WriteResult", "open_store"]


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the store at ``url``; default: the SQLite file."""
    url = url or settings.default_db_url()
    store: Store
    if url.startswith("sqlite:"):
        from damai.storage.sqlite import SQLiteStore

        store = SQLiteStore(url)
    elif url.startswith(("postgresql:", "postgres:")):
        from damai.storage.postgres import PostgresStore

        store = PostgresStore(url)
    else:
        raise InputError(
            f"unknown database URL {url!r}; use sqlite:///PATH or postgresql://USER@HOST/DB")
    if migrate:
        store.migrate()
    return store
