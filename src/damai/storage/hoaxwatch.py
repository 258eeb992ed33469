"""The hoax watch's own state (issue #13 part 7): the posts an analyst dismissed from an event's
queue, and the responses drafted from it.

A dismissal is one row per event and post (``hoaxwatch_dismissals``) written in one transaction
with its audit entry (``hoaxwatch_dismiss``); dismissing twice keeps the first and audits
nothing new. A drafted correction is an ordinary response (:mod:`damai.storage.responses`) that
carries the post and the event; :meth:`HoaxwatchRepository.drafted` finds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.schema import hoaxwatch_dismissals, responses

__all__ = ["Dismissal", "HoaxwatchRepository"]

_D = hoaxwatch_dismissals.c


@dataclass(frozen=True, slots=True)
class Dismissal:
    event_id: int
    post_id: int
    dismissed_by: str
    dismissed_at: datetime
    reason: str | None


class HoaxwatchRepository(Repository):
    def dismiss(self, event_id: int, post_id: int, *, actor: str, reason: str | None = None,
                ip: str | None = None) -> tuple[Dismissal, bool]:
        """Take ``post_id`` out of the queue of ``event_id``, audited as ``hoaxwatch_dismiss``;
        return the dismissal and whether it is new (a second one keeps the first)."""
        with self.db.write() as conn:
            row = conn.execute(select(hoaxwatch_dismissals).where(
                _D.event_id == event_id, _D.post_id == post_id)).first()
            if row is not None:
                return Dismissal(**row._mapping), False
            made = Dismissal(event_id, post_id, actor, datetime.now(UTC), reason)
            conn.execute(hoaxwatch_dismissals.insert().values(**asdict(made)))
            append(conn, actor, "hoaxwatch_dismiss", f"post:{post_id}",
                   {"event_id": event_id, "reason": reason}, ip)
        return made, True

    def dismissed(self, event_id: int) -> set[int]:
        """The ids of the posts dismissed from the queue of ``event_id``."""
        with self.db.read() as conn:
            return {int(r[0]) for r in conn.execute(
                select(_D.post_id).where(_D.event_id == event_id))}

    def drafted(self, event_id: int, post_ids: Sequence[int]) -> dict[int, int]:
        """Post id → the newest response drafted for it under ``event_id`` (of ``post_ids``)."""
        if not post_ids:
            return {}
        r = responses.c
        with self.db.read() as conn:
            rows = conn.execute(select(r.post_id, r.id).where(
                r.event_id == str(event_id), r.post_id.in_(sorted(set(post_ids))))
                .order_by(r.id))
            return {int(post): int(rid) for post, rid in rows}
