"""Counts over a period for the weekly and transparency reports (issue #14 part 6).

Every method takes a half-open period ``[since, until)`` in UTC and returns counts only: no post
text, no account, no user name leaves this module. What falls in a period:

- a **flag** by its post's time (``post_flags.created_at``, the ``post_flags_time`` index);
- an analyst's **judgement** of a flag by the flagged post's time, the newest correction of that
  post and label counting (1 confirmed, 0 dismissed, "could not tell" neither);
- a **response** proposed by ``proposed_at``, approved or rejected by ``decided_at``;
- a **publication** by its last change (``updated_at``, else ``created_at``), as
  ``EngagementRepository.publication_delays`` reads the time a publication went out.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import func, select

from damai.storage.engine import Repository
from damai.storage.schema import (
    alerts,
    corrections,
    flag_daily,
    narrative_posts,
    narratives,
    post_flags,
    posts,
    publications,
    responses,
)

__all__ = ["TallyRepository"]

_F, _R, _P = post_flags.c, responses.c, publications.c


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class TallyRepository(Repository):
    def flags(self, since: datetime, until: datetime) -> dict[str, int]:
        """Flagged posts per label (sub-labels included) posted in the period. The labels come
        from the small ``flag_daily`` summary, so each is a range read of ``post_flags_time``
        (label, time) rather than a scan of every flag of the store."""
        days = (since.strftime("%Y-%m-%d"), until.strftime("%Y-%m-%d"))
        with self.db.read() as conn:
            labels = [str(r[0]) for r in conn.execute(
                select(flag_daily.c.label).distinct()
                .where(flag_daily.c.day >= days[0], flag_daily.c.day <= days[1],
                       flag_daily.c.n > 0))]
            if not labels:
                return {}
            rows = conn.execute(select(_F.label, func.count())
                                .where(_F.label.in_(labels), _F.created_at >= since,
                                       _F.created_at < until)
                                .group_by(_F.label))
            return {str(label): int(n) for label, n in rows}

    def flagged_posts(self, labels: list[str], since: datetime, until: datetime) -> int:
        """Distinct posts flagged on one of ``labels`` and posted in the period."""
        if not labels:
            return 0
        with self.db.read() as conn:
            return int(conn.scalar(
                select(func.count(func.distinct(_F.post_id)))
                .where(_F.label.in_(labels), _F.created_at >= since,
                       _F.created_at < until)) or 0)

    def judgements(self, since: datetime, until: datetime) -> dict[str, dict[str, int]]:
        """Per label, the flags of the period analysts ``confirmed`` (newest correction 1) and
        ``dismissed`` (newest correction 0)."""
        c = corrections.c
        statement = (select(c.post_id, c.label, c.value)
                     .join(post_flags, (_F.post_id == c.post_id) & (_F.label == c.label))
                     .where(_F.created_at >= since, _F.created_at < until)
                     .order_by(c.id))
        with self.db.read() as conn:
            newest = {(int(p), str(lb)): v for p, lb, v in conn.execute(statement)}
        found: dict[str, dict[str, int]] = {}
        for (_, label), value in newest.items():
            if value is None:
                continue
            counts = found.setdefault(label, {"confirmed": 0, "dismissed": 0})
            counts["confirmed" if int(value) == 1 else "dismissed"] += 1
        return found

    def responses(self, since: datetime, until: datetime) -> dict[str, int]:
        """Responses ``proposed`` in the period, and ``approved`` / ``rejected`` in it."""
        with self.db.read() as conn:
            proposed = conn.scalar(select(func.count()).where(
                _R.proposed_at >= since, _R.proposed_at < until)) or 0
            decided = {str(state): int(n) for state, n in conn.execute(
                select(_R.state, func.count())
                .where(_R.state.in_(("approved", "rejected")), _R.decided_at >= since,
                       _R.decided_at < until).group_by(_R.state))}
        return {"proposed": int(proposed), "approved": int(decided.get("approved", 0)),
                "rejected": int(decided.get("rejected", 0))}

    def published(self, since: datetime, until: datetime) -> dict[str, int]:
        """Sent publications per channel in the period (responses and library entries)."""
        sent_at = func.coalesce(_P.updated_at, _P.created_at)
        with self.db.read() as conn:
            rows = conn.execute(select(_P.channel, func.count())
                                .where(_P.state == "sent", sent_at >= since, sent_at < until)
                                .group_by(_P.channel))
            return {str(channel): int(n) for channel, n in rows}

    def alerts_published(self, since: datetime, until: datetime) -> int:
        """Alerts with at least one sent publication in the period."""
        sent_at = func.coalesce(_P.updated_at, _P.created_at)
        with self.db.read() as conn:
            return int(conn.scalar(
                select(func.count(func.distinct(alerts.c.id)))
                .join(publications, _P.response_id == alerts.c.response_id)
                .where(_P.state == "sent", sent_at >= since, sent_at < until)) or 0)

    def covered(self, labels: list[str], since: datetime, until: datetime) -> int:
        """Posts of the period flagged on one of ``labels`` that have an approved response."""
        if not labels:
            return 0
        flagged = (select(_F.post_id).where(_F.label.in_(labels), _F.created_at >= since,
                                            _F.created_at < until).distinct().subquery())
        with self.db.read() as conn:
            return int(conn.scalar(
                select(func.count(func.distinct(flagged.c.post_id)))
                .join(responses, _R.post_id == flagged.c.post_id)
                .where(_R.state == "approved")) or 0)

    def response_delays(self, since: datetime, until: datetime) -> dict[str, list[float]]:
        """Seconds from storing (and flagging) a post to its response's approval (``approval``,
        approvals decided in the period) and to its publication (``publication``, sent in it)."""
        sent_at = func.coalesce(_P.updated_at, _P.created_at)
        with self.db.read() as conn:
            approved = conn.execute(
                select(_R.decided_at, posts.c.ingested_at).join(posts, posts.c.id == _R.post_id)
                .where(_R.state == "approved", _R.decided_at >= since,
                       _R.decided_at < until)).all()
            sent = conn.execute(
                select(sent_at, posts.c.ingested_at)
                .select_from(publications.join(responses, _R.id == _P.response_id)
                             .join(posts, posts.c.id == _R.post_id))
                .where(_P.state == "sent", sent_at >= since, sent_at < until)).all()
        return {"approval": [max((_aware(a) - _aware(b)).total_seconds(), 0.0)
                             for a, b in approved],
                "publication": [max((_aware(a) - _aware(b)).total_seconds(), 0.0)
                                for a, b in sent]}

    def top_narratives(self, since: datetime, until: datetime,
                       limit: int = 5) -> list[tuple[int, str, int]]:
        """The narratives with the most posts in the period: ``(id, title, posts)``."""
        m = narrative_posts.c
        count = func.count().label("n")
        with self.db.read() as conn:
            rows = conn.execute(
                select(narratives.c.id, narratives.c.title, count)
                .join(narrative_posts, m.narrative_id == narratives.c.id)
                .join(posts, posts.c.id == m.post_id)
                .where(posts.c.created_at >= since, posts.c.created_at < until)
                .group_by(narratives.c.id, narratives.c.title)
                .order_by(count.desc(), narratives.c.id).limit(limit)).all()
        return [(int(i), str(t), int(n)) for i, t, n in rows]

    def posts(self, since: datetime, until: datetime) -> Counter[str]:
        """Posts of the period per platform."""
        with self.db.read() as conn:
            rows = conn.execute(select(posts.c.platform, func.count())
                                .where(posts.c.created_at >= since, posts.c.created_at < until)
                                .group_by(posts.c.platform))
            return Counter({str(p): int(n) for p, n in rows})
