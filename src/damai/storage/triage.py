"""The triage repository: each flagged post's review state, and the human labels (corrections)
a review produces.

A correction is 1, 0, or ``None`` for "unknown" (the reviewer could not tell), with the user and
the time; the newest correction per post and label is what training reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, select, update

from damai.errors import InputError
from damai.storage.base import PAGE_COLUMNS, StoredPost, TriageState, row_to_post
from damai.storage.engine import Repository
from damai.storage.schema import TRIAGE_STATUSES, corrections, posts, triage, triage_items

__all__ = ["CORRECTION_VALUES", "CorrectedPost", "Judgement", "TriageRepository"]

#: what a correction may say: the label applies (1), does not (0), or the reviewer cannot tell
CORRECTION_VALUES: tuple[int | None, ...] = (1, 0, None)
_PAGE = (posts.c.id, *(posts.c[c] for c in PAGE_COLUMNS))
_STATE = (triage.c.status, triage.c.assignee, triage.c.updated_by, triage.c.updated_at)


@dataclass(frozen=True, slots=True)
class Judgement:
    """The newest human label of one post and label: 1, 0 or None (could not tell)."""

    value: int | None
    user: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CorrectedPost:
    """A post someone labelled, with its newest answer per label (None: could not tell)."""

    post_id: int
    platform: str
    platform_id: str
    text: str
    labels: dict[str, int | None]

    @property
    def known(self) -> dict[str, int]:
        return {k: v for k, v in self.labels.items() if v is not None}


def _state(row: Any) -> TriageState | None:
    m = row._mapping
    if m["status"] is None:
        return None
    return TriageState(m["status"], m["assignee"], m["updated_by"], m["updated_at"])


class TriageRepository(Repository):
    def queue(self, limit: int) -> list[tuple[StoredPost, TriageState | None]]:
        """The newest ``limit`` flagged posts still open (never triaged, or assigned only)."""
        statement = (select(*_PAGE, *_STATE)
                     .outerjoin(triage, triage.c.post_id == posts.c.id)
                     .where(posts.c.flags.isnot(None),
                            (triage.c.status.is_(None)) | (triage.c.status == "open"))
                     .order_by(posts.c.created_at.desc()).limit(limit))
        with self.db.read() as conn:
            rows = conn.execute(statement).all()
        return [(StoredPost(int(r.id), row_to_post(r)), _state(r)) for r in rows]

    def get(self, post_id: int) -> TriageState | None:
        with self.db.read() as conn:
            row = conn.execute(select(*_STATE).where(triage.c.post_id == post_id)).first()
        return _state(row) if row else None

    def set(self, post_id: int, *, status: str, assignee: str | None,
            user: str) -> TriageState:
        """Record a post's triage status and assignee (one row per post, replaced)."""
        if status not in TRIAGE_STATUSES:
            raise InputError(f"unknown triage status {status!r}; choose "
                             f"{', '.join(TRIAGE_STATUSES)}")
        now = datetime.now(UTC)
        values = {"post_id": post_id, "status": status, "assignee": assignee,
                  "updated_by": user, "updated_at": now}
        insert = self.dialect.insert(triage).values(values)
        with self.db.write() as conn:
            conn.execute(insert.on_conflict_do_update(
                index_elements=["post_id"],
                set_={k: insert.excluded[k] for k in values if k != "post_id"}))
            conn.execute(update(triage_items).where(triage_items.c.post_id == post_id)
                         .values(status=status, assignee=assignee))
        return TriageState(status, assignee, user, now)

    def add_corrections(self, post_id: int, labels: Mapping[str, int | None], user: str) -> int:
        """Record human labels for a post (1, 0 or None for unknown), e.g. 0 for each label of a
        dismissed flag; return how many were recorded."""
        for value in labels.values():
            if value not in CORRECTION_VALUES:
                raise InputError(f"a correction is 0, 1 or unknown, not {value!r}")
        now = datetime.now(UTC)
        rows = [{"post_id": post_id, "label": label, "value": value, "user_name": user,
                 "at": now} for label, value in sorted(labels.items())]
        if rows:
            with self.db.write() as conn:
                conn.execute(corrections.insert(), rows)
        return len(rows)

    def judgements(self, post_ids: Sequence[int]) -> dict[int, dict[str, Judgement]]:
        """The newest answer per label for each of these posts, with who gave it and when
        (posts nobody labelled are absent)."""
        if not post_ids:
            return {}
        statement = (select(corrections.c.post_id, corrections.c.label, corrections.c.value,
                            corrections.c.user_name, corrections.c.at)
                     .where(corrections.c.post_id.in_(sorted(set(post_ids))))
                     .order_by(corrections.c.id))
        with self.db.read() as conn:
            rows = conn.execute(statement).all()
        found: dict[int, dict[str, Judgement]] = {}
        for r in rows:
            found.setdefault(int(r.post_id), {})[str(r.label)] = Judgement(
                None if r.value is None else int(r.value), r.user_name, r.at)
        return found

    def corrected_posts(self) -> Iterator[CorrectedPost]:
        """Every post with at least one answer, its newest answer per label, oldest post
        first (what training, held-out evaluation and the label counts read)."""
        statement = (select(corrections.c.post_id, posts.c.platform, posts.c.platform_id,
                            posts.c.text, corrections.c.label, corrections.c.value)
                     .join(posts, posts.c.id == corrections.c.post_id)
                     .order_by(corrections.c.post_id, corrections.c.id))
        with self.db.read() as conn:
            rows = conn.execute(statement).all()
        current: CorrectedPost | None = None
        for post_id, platform, platform_id, text, label, value in rows:
            if current is None or post_id != current.post_id:
                if current is not None:
                    yield current
                current = CorrectedPost(int(post_id), platform, platform_id, text, {})
            current.labels[str(label)] = None if value is None else int(value)
        if current is not None:
            yield current

    def iter_corrections(self) -> Iterator[tuple[str, dict[str, int]]]:
        """Each corrected post's text and its latest known human label per label (0 or 1),
        oldest first. A newer "unknown" hides an older answer."""
        for post in self.corrected_posts():
            if known := post.known:
                yield post.text, known

    def uncorrected(self, limit: int) -> list[StoredPost]:
        """The newest ``limit`` posts nobody has labelled yet (the pool the teach queue picks
        from): a walk of the ``created_at`` index, each post checked on ``corrections_post``."""
        labelled = exists().where(corrections.c.post_id == posts.c.id)
        statement = (select(*_PAGE).where(~labelled)
                     .order_by(posts.c.created_at.desc(), posts.c.id.desc()).limit(limit))
        with self.db.read() as conn:
            rows = conn.execute(statement).all()
        return [StoredPost(int(r.id), row_to_post(r)) for r in rows]
