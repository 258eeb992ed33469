"""The summary tables the overview reads instead of ``posts``: ``post_daily`` (UTC day, platform,
language → posts) and ``flag_daily`` (label, UTC day → flagged posts).

Every write keeps them: new posts are added, and a relabelled post's old language and flags are
subtracted before its new ones are added. Counts are made in Python from what the writer already
holds, then applied as one upsert per table (``n = n + excluded.n``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.engine import Connection

from damai.records import Post, utc
from damai.storage.dialects import Dialect
from damai.storage.schema import flag_daily, post_daily

__all__ = ["Summary", "day_of"]


def day_of(value: datetime) -> str:
    return utc(value).strftime("%Y-%m-%d")


class Summary:
    """Counts to add to (or, with ``sign=-1``, subtract from) the summary tables."""

    def __init__(self) -> None:
        self.posts: Counter[tuple[str, str, str]] = Counter()
        self.flags: Counter[tuple[str, str]] = Counter()

    def add(self, created_at: datetime, platform: str, language: str | None,
            flags: Iterable[str], sign: int = 1) -> None:
        day = day_of(created_at)
        self.posts[(day, platform, language or "")] += sign
        for label in flags:
            self.flags[(label, day)] += sign

    def add_posts(self, posts: Iterable[Post]) -> None:
        for post in posts:
            self.add(post.created_at, post.platform, post.language, post.flags)

    def apply(self, conn: Connection, dialect: Dialect) -> None:
        rows = [{"day": d, "platform": p, "language": lang, "n": n}
                for (d, p, lang), n in self.posts.items() if n]
        if rows:
            insert = dialect.insert(post_daily)
            conn.execute(insert.on_conflict_do_update(
                index_elements=["day", "platform", "language"],
                set_={"n": post_daily.c.n + insert.excluded.n}), rows)
        flags = [{"label": label, "day": d, "n": n} for (label, d), n in self.flags.items() if n]
        if flags:
            insert = dialect.insert(flag_daily)
            conn.execute(insert.on_conflict_do_update(
                index_elements=["label", "day"], set_={"n": flag_daily.c.n + insert.excluded.n}),
                flags)
