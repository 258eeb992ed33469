"""The data lifecycle from the command line: retention, erasure, backup, restore, copy.

Each command is a thin wrapper over the store (:mod:`damai.storage.lifecycle`,
:mod:`damai.storage.copy`) and writes the audit log with counts only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from damai import settings
from damai.cli.common import DbOption, cli_actor, err, out, store_from
from damai.errors import InputError
from damai.storage import Store, open_store

__all__ = ["backup", "copy_store", "erase", "purge", "restore"]


def purge(
    db: DbOption = None,
    posts_older_than: Annotated[int | None, typer.Option(
        "--posts-older-than", min=1, metavar="DAYS",
        help="Hapus juga post yang dibuat lebih dari DAYS hari lalu / also remove posts created "
             "more than DAYS days ago (a retention policy)")] = None,
) -> None:
    """Hapus JSON mentah yang melewati masa simpan (dan post lama). / Purge raw JSON past its
    retention (and, with --posts-older-than, old posts: only aggregate counts stay)."""
    days = settings.get_int("raw_retention_days")
    now = datetime.now(UTC)
    with store_from(db) as store:
        count = store.posts.purge_raw(now - timedelta(days=days))
        out.print(f"{count:,} raw records purged (retention {days} days)")
        if posts_older_than is not None:
            gone = store.lifecycle.purge_posts(now - timedelta(days=posts_older_than),
                                               actor=cli_actor(), days=posts_older_than)
            out.print(f"{gone:,} posts older than {posts_older_than} days removed")


def erase(
    author_key: Annotated[str, typer.Option(
        "--author-key", help="author_key penulis (lihat ekspor) / the author's author_key")],
    db: DbOption = None,
) -> None:
    """Hapus semua post seorang penulis (UU PDP). / Erase every post of one author (a
    data-subject request under UU PDP 27/2022); they are never stored again."""
    if not author_key.strip():
        raise InputError("--author-key is empty; copy the author_key from `damai export`")
    with store_from(db) as store:
        gone = store.lifecycle.erase_author(author_key.strip(), actor=cli_actor())
    out.print(f"{gone:,} posts erased; the audit log keeps the count only")


def _copy(source: Store, target: Store, action: str, *, audit_in: Store) -> dict[str, int]:
    """Copy ``source`` into ``target`` and audit it in ``audit_in`` (a backup is recorded in
    the store it was taken from, a restore or copy in the store that received it)."""
    copied = source.copy_into(target, on_table=lambda name, n: err.print(f"{name}: {n:,}"))
    audit_in.audit.record(cli_actor(), action, None, {"rows": sum(copied.values())})
    return copied


def _new_file(path: Path) -> str:
    if path.exists():
        raise InputError(f"{path} already exists; name a new file")
    return f"sqlite:///{path.resolve()}"


def backup(
    file: Annotated[Path, typer.Argument(help="Berkas SQLite baru / a new SQLite file")],
    db: DbOption = None,
) -> None:
    """Cadangkan penyimpanan ke satu berkas SQLite. / Back the store up into a new SQLite file
    (from SQLite or PostgreSQL; `damai restore` reads it)."""
    url = _new_file(file)
    with store_from(db) as source, open_store(url) as target:
        copied = _copy(source, target, "store_backup", audit_in=source)
    out.print(f"{sum(copied.values()):,} rows backed up to {file}")


def restore(
    file: Annotated[Path, typer.Argument(help="Berkas dari `damai backup` / a backup file")],
    db: DbOption = None,
) -> None:
    """Pulihkan cadangan ke penyimpanan kosong. / Restore a backup into an empty store."""
    if not file.is_file():
        raise InputError(f"no such backup file: {file}")
    with open_store(f"sqlite:///{file.resolve()}") as source, store_from(db) as target:
        copied = _copy(source, target, "store_restore", audit_in=target)
    out.print(f"{sum(copied.values()):,} rows restored from {file}")


def copy_store(
    source_url: Annotated[str, typer.Option("--from", help="URL sumber / source URL")],
    target_url: Annotated[str, typer.Option("--to", help="URL tujuan (kosong) / empty target")],
) -> None:
    """Salin seluruh penyimpanan, mis. SQLite ke PostgreSQL. / Copy a whole store into an empty
    one, e.g. SQLite to PostgreSQL, with nothing lost."""
    with open_store(source_url) as source, open_store(target_url) as target:
        copied = _copy(source, target, "store_copy", audit_in=target)
    out.print(f"{sum(copied.values()):,} rows copied")
