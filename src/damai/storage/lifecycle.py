"""The data lifecycle: platform deletions, retention and erasure on request.

- A **platform deletion** (a Bluesky delete event, a Mastodon ``delete``) removes the post, its
  text and raw JSON with it, and keeps a tombstone (``post_tombstones``: platform, platform id,
  reason, time), so a later ingest of the same post never stores it again.
- **Retention** (``damai purge --posts-older-than DAYS``) removes posts created before a time.
- **Erasure** (``damai erase --author-key KEY``, a data-subject request under UU PDP 27/2022)
  removes every post of one pseudonymous author and tombstones them.

A removed post takes its flags, triage state and corrections with it (foreign keys cascade; the
FTS index follows by trigger). The summary tables (``post_daily``, ``flag_daily``) keep their
counts: only aggregates remain. Retention and erasure write one audit entry, in the same
transaction, that holds counts only.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, literal, select
from sqlalchemy.engine import Connection

from damai.records import PostKey
from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.schema import post_tombstones, posts

__all__ = ["LifecycleRepository"]

_CHUNK = 500


class LifecycleRepository(Repository):
    def platform_deleted(self, keys: list[PostKey]) -> int:
        """Tombstone the posts their platform deleted; return how many stored posts went."""
        return self._tombstone(keys, "platform_deleted")

    def mastodon_deleted(self, status_ids: list[str]) -> int:
        """Tombstone the Mastodon posts whose instance-local status id was deleted. A stream's
        ``delete`` names only that id: it is found at the end of the post's ``url`` (statuses of
        the instance itself; a remote status's url carries its home instance's id)."""
        keys: list[PostKey] = []
        with self.db.read() as conn:
            for status_id in status_ids:
                if status_id.isdigit():
                    rows = conn.execute(select(posts.c.platform, posts.c.platform_id).where(
                        posts.c.platform == "mastodon", posts.c.url.like(f"%/{status_id}")))
                    keys += [(r[0], r[1]) for r in rows]
        return self._tombstone(keys, "platform_deleted") if keys else 0

    def _tombstone(self, keys: list[PostKey], reason: str) -> int:
        if not keys:
            return 0
        now = datetime.now(UTC)
        with self.db.write() as conn:
            conn.execute(self.dialect.insert(post_tombstones).on_conflict_do_nothing(), [
                {"platform": p, "platform_id": i, "reason": reason, "deleted_at": now}
                for p, i in dict.fromkeys(keys)])
            return self._delete_keys(conn, keys)

    @staticmethod
    def _delete_keys(conn: Connection, keys: list[PostKey]) -> int:
        gone = 0
        for platform in {p for p, _ in keys}:
            ids = [i for p, i in keys if p == platform]
            for start in range(0, len(ids), _CHUNK):
                gone += int(conn.execute(delete(posts).where(
                    posts.c.platform == platform,
                    posts.c.platform_id.in_(ids[start:start + _CHUNK]))).rowcount)
        return gone

    def purge_posts(self, created_before: datetime, *, actor: str, days: int) -> int:
        """Remove every post created before ``created_before``; audited with the count."""
        with self.db.write() as conn:
            gone = int(conn.execute(delete(posts).where(posts.c.created_at < created_before))
                       .rowcount)
            append(conn, actor, "posts_purge", None, {"older_than_days": days, "posts": gone})
        return gone

    def erase_author(self, author_key: str, *, actor: str) -> int:
        """Remove and tombstone every post of one pseudonymous author (a data-subject request).
        The audit entry holds the count only: not the key, which would keep the person findable."""
        now = datetime.now(UTC)
        mine = posts.c.author_key == author_key
        with self.db.write() as conn:
            conn.execute(self.dialect.insert(post_tombstones).from_select(
                ["platform", "platform_id", "reason", "deleted_at"],
                select(posts.c.platform, posts.c.platform_id, literal("erased"),
                       literal(now, type_=post_tombstones.c.deleted_at.type)).where(mine))
                .on_conflict_do_nothing())
            gone = int(conn.execute(delete(posts).where(mine)).rowcount)
            append(conn, actor, "author_erase", None, {"posts": gone})
        return gone

    def tombstones(self) -> int:
        with self.db.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(post_tombstones)) or 0)
