"""Options and helpers shared by every command."""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
import typer
from dateutil import parser as dateparser
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from damai.errors import InputError
from damai.storage import Store, open_store

__all__ = ["DbOption", "batches", "cli_actor", "err", "escape", "jsonl_texts", "out", "parse_when",
           "plain", "store_from"]

# Post text, file names and platform messages are user data: no emoji codes, no highlighting.
# Markup is off unless a call passes markup=True; then user data goes through ``escape``.
# Table cells render markup, so user data there goes through ``plain``.
out = Console(soft_wrap=True, emoji=False, highlight=False, markup=False)
err = Console(stderr=True, soft_wrap=True, emoji=False, highlight=False, markup=False)


def plain(value: object) -> Text:
    """A table cell that rich never reads as markup."""
    return Text(str(value))

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="DAMAI_DB", show_envvar=True,
                 help="Basis data / database URL: sqlite:////ABS/PATH, sqlite:///REL/PATH "
                      "atau/or postgresql://USER@HOST/DB"),
]


def cli_actor() -> str:
    """The audit actor of a CLI command: ``cli:<os user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli:unknown"


@contextmanager
def store_from(db: str | None, *, migrate: bool = True) -> Iterator[Store]:
    store = open_store(db, migrate=migrate)
    try:
        yield store
    finally:
        store.close()


def parse_when(value: str | None, option: str) -> datetime | None:
    """Parse a user's date or time (``2026-11-02`` or ISO 8601); naive values are UTC."""
    if value is None:
        return None
    try:
        parsed = dateparser.isoparse(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date; write it as 2026-11-02 or "
                         "2026-11-02T08:00:00Z") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)




def jsonl_texts(lines: Iterable[bytes], name: str = "stdin") -> Iterator[str]:
    """The ``text`` of each JSONL ``{"text"}`` line; an :class:`InputError` names a bad line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row: Any = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise InputError(f"{name} baris/line {number}: JSON rusak / malformed JSON") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise InputError(f"{name} baris/line {number}: butuh / needs {{\"text\": \"...\"}}")
        yield row["text"]


def batches(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    """``texts`` in lists of ``size`` (the last one shorter)."""
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
