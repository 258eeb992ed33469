"""The triage work queue (issue #14 part 1): pages of flagged posts by priority, filtered, with
copies shown once; and the notes analysts leave on a post.

Each flagged post has a ``triage_items`` row holding its queue, priority and group, worked out
once by :meth:`TriageQueueRepository.sync` (the web passes the scoring function, which knows the
taxonomy and the weights). Writers that change what a priority depends on (a new flagged post,
new scores, refreshed engagement) only mark the row (``priority`` NULL); the next read works it
out. Narrative grouping writes the row's group itself (:func:`regroup`). So a page is a walk
of ``triage_items_page`` (queue, status, priority, id), highest priority first, with a keyset
cursor (priority, id) that stays stable while posts arrive.

A group (a narrative, or a post and its reposts) is shown once: the row whose (priority, id)
is highest among the group's rows that pass the same filters, with how many rows it stands for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    delete,
    exists,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import NamedFromClause

from damai.errors import InputError
from damai.storage.base import PAGE_COLUMNS, StoredPost, row_to_post
from damai.storage.engine import Repository
from damai.storage.schema import (
    cursors,
    narrative_posts,
    post_flags,
    post_places,
    posts,
    triage_items,
    triage_notes,
)

__all__ = ["NOTE_MAX", "UNASSIGNED", "Note", "QueueFilter", "QueueRow", "Scorer",
           "TriageQueueRepository", "mark_stale", "regroup", "reweigh"]

#: the longest note, in characters
NOTE_MAX: Final = 2000
#: the assignee filter for items nobody is assigned to
UNASSIGNED: Final = "-"
_BATCH: Final = 2000
_WEIGHTS_KEY: Final = "triage.weights"
_I = triage_items.c


class ScoredLike(Protocol):
    @property
    def queue(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def severity(self) -> float: ...
    @property
    def reach(self) -> float: ...
    @property
    def priority(self) -> float: ...


#: flags, scores, engagement → the post's queue and priority (None: in no queue)
Scorer = Callable[[list[str], Mapping[str, float], Mapping[str, Any] | None], ScoredLike | None]


@dataclass(frozen=True, slots=True)
class QueueFilter:
    queue: str = "harm"
    status: str = "open"
    label: str | None = None
    platform: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    province: str | None = None
    assignee: str | None = None  # a user name, UNASSIGNED, or None for anyone


@dataclass(frozen=True, slots=True)
class QueueRow:
    stored: StoredPost
    label: str
    severity: float
    reach: float
    priority: float
    status: str
    assignee: str | None
    copies: int  # rows of the same group this row stands for, itself excluded


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    post_id: int
    author: str
    text: str
    at: datetime


def mark_stale(conn: Connection, dialect: Any, post_ids: Sequence[int]) -> None:
    """Mark these posts' queue rows to be worked out again (creating them, open, if missing);
    called by the writers of flags, scores and narratives inside their transaction."""
    if not post_ids:
        return
    insert = dialect.insert(triage_items)
    conn.execute(insert.on_conflict_do_update(index_elements=["post_id"],
                                              set_={"priority": None}),
                 [{"post_id": i, "status": "open"} for i in sorted(set(post_ids))])


def regroup(conn: Connection, members: Sequence[tuple[int, int]]) -> None:
    """Put the queue rows of posts that just joined a narrative ((post id, narrative id)
    pairs) in its group; nothing else about them changed, so they are not marked."""
    if members:
        conn.execute(update(triage_items).where(_I.post_id == bindparam("p"))
                     .values(group_key=bindparam("g")),
                     [{"p": post_id, "g": f"n:{narrative}"} for post_id, narrative in members])


def reweigh(conn: Connection, keys: Sequence[tuple[str, str]]) -> None:
    """Mark the queue rows of these (platform, platform_id) posts, whose engagement (reach)
    was just refreshed; posts with no row stay without one."""
    for start in range(0, len(keys), _BATCH):
        ids = select(posts.c.id).where(
            tuple_(posts.c.platform, posts.c.platform_id).in_(keys[start:start + _BATCH]))
        conn.execute(update(triage_items).where(_I.post_id.in_(ids)).values(priority=None))


def _conditions(i: NamedFromClause, f: QueueFilter) -> list[ColumnElement[bool]]:
    c = i.c
    found: list[ColumnElement[bool]] = [c.queue == f.queue, c.status == f.status,
                                        c.priority.isnot(None)]
    if f.platform:
        found.append(c.platform == f.platform)
    if f.since:
        found.append(c.created_at >= f.since)
    if f.until:
        found.append(c.created_at < f.until)
    if f.assignee == UNASSIGNED:
        found.append(c.assignee.is_(None))
    elif f.assignee:
        found.append(c.assignee == f.assignee)
    if f.label:
        found.append(exists().where(post_flags.c.post_id == c.post_id,
                                    (post_flags.c.label == f.label)
                                    | post_flags.c.label.startswith(f.label + ".")))
    if f.province:
        found.append(exists().where(post_places.c.post_id == c.post_id,
                                    post_places.c.province == f.province))
    return found


def _before(i: NamedFromClause, priority: Any, post_id: Any) -> ColumnElement[bool]:
    """(i.priority, i.post_id) < (priority, post_id), written so the index range is used."""
    return and_(i.c.priority <= priority,
                (i.c.priority < priority) | (i.c.post_id < post_id))


class TriageQueueRepository(Repository):
    # -- keeping priorities current -------------------------------------------------------------
    def sync(self, score: Scorer, fingerprint: str, most: int | None = None) -> int:
        """Work out the marked rows' queue and priority (all rows are marked first when the
        weights' ``fingerprint`` changed), about ``most`` of them at most (None: every one);
        return how many rows were worked out."""
        with self.db.read() as conn:
            stored = conn.scalar(select(cursors.c.value).where(cursors.c.name == _WEIGHTS_KEY))
        if stored != fingerprint:
            with self.db.write() as conn:
                conn.execute(update(triage_items).values(priority=None))
                insert = self.dialect.insert(cursors).values(
                    name=_WEIGHTS_KEY, value=fingerprint, updated_at=datetime.now(UTC))
                conn.execute(insert.on_conflict_do_update(
                    index_elements=["name"], set_={"value": insert.excluded.value,
                                                   "updated_at": insert.excluded.updated_at}))
        done = 0
        while (most is None or done < most) and (
                batch := self._stale(_BATCH if most is None else min(_BATCH, most - done))):
            done += self._work_out(batch, score)
        return done

    def marked(self) -> int:
        """How many rows wait to be worked out (the partial index ``triage_items_stale``)."""
        with self.db.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(triage_items)
                                   .where(_I.priority.is_(None))) or 0)

    def _stale(self, limit: int) -> list[int]:
        with self.db.read() as conn:
            return [int(r[0]) for r in conn.execute(
                select(_I.post_id).where(_I.priority.is_(None)).limit(limit))]

    def _work_out(self, ids: list[int], score: Scorer) -> int:
        statement = (select(posts.c.id, posts.c.flags, posts.c.labels, posts.c.engagement,
                            posts.c.platform, posts.c.platform_id, posts.c.repost_of_id,
                            posts.c.created_at, narrative_posts.c.narrative_id)
                     .outerjoin(narrative_posts, narrative_posts.c.post_id == posts.c.id)
                     .where(posts.c.id.in_(ids)))
        rows, gone = [], set(ids)
        with self.db.read() as conn:
            found = conn.execute(statement).all()
        for r in found:
            scored = score(list(r.flags or []), r.labels or {}, r.engagement)
            if scored is None:
                continue
            gone.discard(int(r.id))
            group = (f"n:{r.narrative_id}" if r.narrative_id is not None
                     else f"r:{r.platform}:{r.repost_of_id or r.platform_id}")
            rows.append({"p": int(r.id), "queue": scored.queue, "label": scored.label,
                         "severity": scored.severity, "reach": scored.reach,
                         "priority": scored.priority, "platform": r.platform,
                         "created_at": r.created_at, "group_key": group})
        with self.db.write() as conn:
            if rows:
                conn.execute(update(triage_items).where(_I.post_id == bindparam("p"))
                             .values({k: bindparam(k) for k in rows[0] if k != "p"}), rows)
            if gone:
                conn.execute(delete(triage_items).where(_I.post_id.in_(sorted(gone))))
        return len(rows)

    # -- reading --------------------------------------------------------------------------------
    def page(self, f: QueueFilter, after: tuple[float, int] | None,
             limit: int) -> list[QueueRow]:
        """Up to ``limit`` rows after the cursor ``after`` (priority, id), highest first, each
        group once."""
        i, j = triage_items.alias("i"), triage_items.alias("j")
        # written like _before, so the group index's range is used (an OR of two ranges made
        # SQLite walk the rowid: 29 ms a page on 200,000 posts, against 0.2 ms)
        higher = and_(j.c.priority >= i.c.priority,
                      (j.c.priority > i.c.priority) | (j.c.post_id > i.c.post_id))
        shadowed = exists().where(j.c.group_key == i.c.group_key, higher, *_conditions(j, f))
        where = [*_conditions(i, f), ~shadowed]
        if after is not None:
            where.append(_before(i, after[0], after[1]))
        statement = (select(*(posts.c[c] for c in ("id", *PAGE_COLUMNS)), i.c.label,
                            i.c.severity, i.c.reach, i.c.priority, i.c.status, i.c.assignee,
                            i.c.group_key)
                     .select_from(i.join(posts, posts.c.id == i.c.post_id)).where(*where)
                     .order_by(i.c.priority.desc(), i.c.post_id.desc()).limit(limit))
        with self.db.read() as conn:
            found = conn.execute(statement).all()
            sizes = self._sizes(conn, f, [r.group_key for r in found])
        return [QueueRow(StoredPost(int(r.id), row_to_post(r)), r.label, r.severity, r.reach,
                         r.priority, r.status, r.assignee, sizes.get(r.group_key, 1) - 1)
                for r in found]

    @staticmethod
    def _sizes(conn: Connection, f: QueueFilter, keys: list[str]) -> dict[str, int]:
        if not keys:
            return {}
        i = triage_items.alias("i")
        rows = conn.execute(select(i.c.group_key, func.count()).where(
            i.c.group_key.in_(sorted(set(keys))), *_conditions(i, f)).group_by(i.c.group_key))
        return {str(k): int(n) for k, n in rows}

    def group_of(self, post_ids: Sequence[int]) -> list[int]:
        """These posts and every other row of their groups in the same queue and status (what
        a bulk action on a shown row applies to), sorted."""
        if not post_ids:
            return []
        i, j = triage_items.alias("i"), triage_items.alias("j")
        statement = (select(j.c.post_id).select_from(i.join(
            j, (j.c.group_key == i.c.group_key) & (j.c.queue == i.c.queue)
            & (j.c.status == i.c.status))).where(i.c.post_id.in_(sorted(set(post_ids)))))
        with self.db.read() as conn:
            found = {int(r[0]) for r in conn.execute(statement)}
        return sorted(found | set(post_ids))

    # -- notes ----------------------------------------------------------------------------------
    def add_note(self, post_id: int, author: str, text: str) -> Note:
        text = text.strip()
        if not text or len(text) > NOTE_MAX:
            raise InputError(f"catatan harus 1–{NOTE_MAX} karakter / a note is 1–{NOTE_MAX} "
                             "characters")
        now = datetime.now(UTC)
        with self.db.write() as conn:
            new_id = conn.execute(triage_notes.insert().returning(triage_notes.c.id), {
                "post_id": post_id, "author": author, "text": text, "created_at": now}).scalar_one()
        return Note(int(new_id), post_id, author, text, now)

    def notes(self, post_ids: Sequence[int]) -> dict[int, list[Note]]:
        """Each post's notes, oldest first (posts with none are absent)."""
        if not post_ids:
            return {}
        n = triage_notes.c
        statement = (select(n.id, n.post_id, n.author, n.text, n.created_at)
                     .where(n.post_id.in_(sorted(set(post_ids)))).order_by(n.post_id, n.id))
        found: dict[int, list[Note]] = {}
        with self.db.read() as conn:
            for r in conn.execute(statement):
                found.setdefault(int(r.post_id), []).append(
                    Note(int(r.id), int(r.post_id), r.author, r.text, r.created_at))
        return found

    def provinces(self) -> list[str]:
        """The provinces posts name (for the filter), sorted."""
        with self.db.read() as conn:
            return [str(r[0]) for r in conn.execute(
                select(post_places.c.province).distinct().order_by(post_places.c.province))]
