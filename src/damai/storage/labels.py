"""The label repository: classifier scores of stored posts, and what the overview counts of them.

A post's scores are kept in ``posts.labels`` (every label) and ``posts.flags``; each flagged label
is also a ``post_flags`` row, which label filters, counts and pages use. Why not a row per score:
see "Scores" in docs/architecture.md (measured with ``bench/ingest.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, select, text, tuple_, update
from sqlalchemy.engine import Connection

from damai.storage.base import LabelUpdate
from damai.storage.engine import Repository
from damai.storage.schema import flag_daily, post_flags, posts
from damai.storage.summaries import Summary
from damai.storage.triage_queue import mark_stale

__all__ = ["LabelRepository"]

#: the distinct flagged labels, found by a loose index scan (fast on millions of rows)
_LABEL_NAMES = text(
    "WITH RECURSIVE names(label) AS (SELECT min(label) FROM post_flags UNION ALL "
    "SELECT (SELECT min(label) FROM post_flags WHERE label > names.label) FROM names "
    "WHERE names.label IS NOT NULL) SELECT label FROM names WHERE label IS NOT NULL")
_SET = (update(posts).where(posts.c.id == bindparam("post"))
        .values(language=bindparam("language"), labels=bindparam("labels"),
                flags=bindparam("flags"), model_version=bindparam("model_version"),
                truncated=bindparam("truncated")))
_CHUNK = 500


class LabelRepository(Repository):
    def set_labels(self, updates: list[LabelUpdate]) -> int:
        """In one transaction: store each post's new scores, flags, language and model version
        (replacing its ``post_flags`` rows); return how many stored posts were updated."""
        latest = {(u.platform, u.platform_id): u for u in updates}
        summary = Summary()
        with self.db.write() as conn:
            found = self._current(conn, list(latest))
            rows, flags = [], []
            for key, (post_id, created, language, old_flags) in found.items():
                u = latest[key]
                summary.add(created, key[0], language, old_flags or [], sign=-1)
                new_language = u.language or language
                summary.add(created, key[0], new_language, u.flags)
                rows.append({"post": post_id, "language": new_language,
                             "labels": u.labels or None, "flags": u.flags or None,
                             "model_version": u.model_version, "truncated": u.truncated})
                flags += [{"post_id": post_id, "label": label, "score": u.labels.get(label, 1.0),
                           "created_at": created} for label in u.flags]
            if rows:
                conn.execute(_SET, rows)
                ids = [r["post"] for r in rows]
                conn.execute(delete(post_flags).where(post_flags.c.post_id.in_(ids)))
                mark_stale(conn, self.dialect, [post_id for post_id, *_ in found.values()])
            if flags:
                conn.execute(post_flags.insert(), flags)
            summary.apply(conn, self.dialect)
        return len(found)

    @staticmethod
    def _current(conn: Connection, keys: list[tuple[str, str]]) -> dict[
            tuple[str, str], tuple[int, datetime, str | None, list[str] | None]]:
        found = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            rows = conn.execute(select(posts.c.platform, posts.c.platform_id, posts.c.id,
                                       posts.c.created_at, posts.c.language, posts.c.flags)
                                .where(tuple_(posts.c.platform, posts.c.platform_id).in_(chunk)))
            found.update({(r[0], r[1]): (int(r[2]), r[3], r[4], r[5]) for r in rows})
        return found

    def names(self) -> list[str]:
        """Every label some stored post is flagged on, sorted."""
        with self.db.read() as conn:
            return [str(r[0]) for r in conn.execute(_LABEL_NAMES)]

    def flag_volume(self, since: datetime | None = None) -> dict[str, dict[str, int]]:
        """Flagged posts per label per UTC day (``YYYY-MM-DD``), from the summary table every
        write keeps."""
        day = since.astimezone(UTC).strftime("%Y-%m-%d") if since else ""
        volume: dict[str, dict[str, int]] = {}
        with self.db.read() as conn:
            rows = conn.execute(select(flag_daily.c.label, flag_daily.c.day, flag_daily.c.n)
                                .where(flag_daily.c.day >= day, flag_daily.c.n > 0)
                                .order_by(flag_daily.c.label, flag_daily.c.day))
            for label, when, n in rows:
                volume.setdefault(str(label), {})[str(when)] = int(n)
        return volume
