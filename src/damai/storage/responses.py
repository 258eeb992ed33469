"""Responses and their review (issue #11): the rows, the state changes, and their audit entries.

A response moves ``draft → in_review → approved | rejected``; an edit of its text is the next
``version`` and sends an approved response back to ``in_review``. Every change is one conditional
``UPDATE`` (``WHERE state IN (...)``), so two approvers racing on one response cannot both win,
and its audit entry is written in the same transaction. Who may do what (roles, four-eyes) and
the harm check live in :mod:`damai.pipeline.responses`; what may be published lives in
:mod:`damai.storage.publications`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.engine import Connection

from damai.errors import NotFound, ReviewRefused
from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.schema import RESPONSE_STATES, post_flags, posts, responses

__all__ = ["RESPONSE_STATES", "HarmCheck", "NewResponse", "Response", "ResponseRepository"]

_R = responses.c


@dataclass(frozen=True, slots=True)
class HarmCheck:
    """What the model in service said about a response's text: ``blocked`` names the harmful
    labels that scored high (``None``: not blocked), ``scores`` the harmful labels' scores."""

    blocked: str | None
    scores: dict[str, float]
    model: str


@dataclass(frozen=True, slots=True)
class NewResponse:
    """A response as it is proposed."""

    text: str
    proposed_by: str
    post_id: int | None = None
    entry_id: str | None = None
    entry_version: int | None = None
    machine_draft: bool = False
    drafter: str | None = None
    narrative_id: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class Response:
    id: int
    text: str
    version: int
    state: str
    proposed_by: str
    proposed_at: datetime
    updated_at: datetime
    post_id: int | None = None
    post_ref: str | None = None  # ``platform:platform_id`` of the post it answers
    narrative_id: str | None = None
    event_id: str | None = None
    entry_id: str | None = None
    entry_version: int | None = None
    machine_draft: bool = False
    drafter: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    approved_version: int | None = None
    blocked_reason: str | None = None
    check_scores: dict[str, float] = field(default_factory=dict)
    check_model: str | None = None

    @property
    def publishable(self) -> bool:
        """Approved, at the text version that was approved, and not blocked."""
        return (self.state == "approved" and self.approved_version == self.version
                and self.blocked_reason is None and self.decided_by is not None)

    def to_dict(self) -> dict[str, Any]:
        """What ``GET /api/v1/responses/{id}`` and ``damai responses list --json`` answer."""
        return {"id": self.id, "post_id": self.post_ref, "narrative_id": self.narrative_id,
                "event_id": self.event_id, "entry_id": self.entry_id,
                "entry_version": self.entry_version, "text": self.text,
                "version": self.version, "state": self.state,
                "machine_draft": self.machine_draft, "drafter": self.drafter,
                "proposed_by": self.proposed_by, "proposed_at": self.proposed_at,
                "decided_by": self.decided_by, "decided_at": self.decided_at,
                "reason": self.reason, "updated_at": self.updated_at,
                "blocked": self.blocked_reason, "check_scores": self.check_scores,
                "check_model": self.check_model}


_SELECT = select(responses, posts.c.platform, posts.c.platform_id).select_from(
    responses.outerjoin(posts, _R.post_id == posts.c.id))
_FIELDS = tuple(f for f in Response.__dataclass_fields__ if f not in ("post_ref",))


def _response(row: Any) -> Response:
    m = row._mapping
    values = {f: m[f] for f in _FIELDS}
    values["check_scores"] = dict(m["check_scores"] or {})
    values["machine_draft"] = bool(m["machine_draft"])
    ref = f"{m['platform']}:{m['platform_id']}" if m["platform"] is not None else None
    return Response(**values, post_ref=ref)


def _check_values(check: HarmCheck) -> dict[str, Any]:
    return {"blocked_reason": check.blocked, "check_scores": check.scores,
            "check_model": check.model}


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def wrong_state(found: Response, step: str) -> ReviewRefused:
    return ReviewRefused("wrong_state", (
        f"tanggapan {found.id} berstatus {found.state}: tidak bisa {step} / response "
        f"{found.id} is {found.state}: it cannot be {step}"))


class ResponseRepository(Repository):
    def propose(self, new: NewResponse, check: HarmCheck, *, ip: str | None = None
                ) -> Response:
        """Store a response in review, audited as ``response_propose``."""
        with self.db.write() as conn:
            return self._get(conn, self.insert(conn, new, check, ip=ip))

    @staticmethod
    def insert(conn: Connection, new: NewResponse, check: HarmCheck, *, ip: str | None = None
               ) -> int:
        """:meth:`propose` inside ``conn``'s transaction (an alert stores its response so);
        the new response's id."""
        now = datetime.now(UTC)
        (rid,) = conn.execute(responses.insert().returning(_R.id), {
            "post_id": new.post_id, "narrative_id": new.narrative_id,
            "event_id": new.event_id, "entry_id": new.entry_id,
            "entry_version": new.entry_version, "text": new.text, "version": 1,
            "state": "in_review", "machine_draft": new.machine_draft,
            "drafter": new.drafter, "proposed_by": new.proposed_by, "proposed_at": now,
            "updated_at": now, **_check_values(check)}).one()
        append(conn, new.proposed_by, "response_propose", f"response:{rid}",
               {"version": 1, "entry_id": new.entry_id, "post_id": new.post_id,
                "event_id": new.event_id, "machine_draft": new.machine_draft,
                "blocked": check.blocked}, ip)
        return int(rid)

    def get(self, response_id: int) -> Response | None:
        with self.db.read() as conn:
            row = conn.execute(_SELECT.where(_R.id == response_id)).first()
        return _response(row) if row else None

    def queue(self, *, state: str | None = None, limit: int = 200) -> list[Response]:
        """Responses in review first (oldest first: the queue), then the rest, newest first."""
        statement = _SELECT.limit(limit)
        if state is not None:
            statement = statement.where(_R.state == state)
        with self.db.read() as conn:
            found = [_response(r) for r in conn.execute(statement.order_by(_R.id.desc()))]
        queue = sorted((r for r in found if r.state == "in_review"), key=lambda r: r.id)
        return queue + [r for r in found if r.state != "in_review"]

    def waiting(self, *, not_by: str | None = None) -> int:
        """How many responses wait in review (those ``not_by`` did not propose, with a name)."""
        statement = select(func.count()).select_from(responses).where(_R.state == "in_review")
        if not_by is not None:
            statement = statement.where(_R.proposed_by != not_by)
        with self.db.read() as conn:
            return int(conn.scalar(statement) or 0)

    def coverage(self, labels: Sequence[str], since: datetime) -> tuple[int, int]:
        """Of the posts flagged on one of ``labels`` and posted since ``since``: how many, and
        how many have an approved response (read from the ``post_flags_time`` index)."""
        if not labels:
            return 0, 0
        f = post_flags.c
        flagged = (select(f.post_id).where(f.label.in_(list(labels)), f.created_at >= since)
                   .distinct().subquery())
        answered = exists().where(_R.post_id == flagged.c.post_id, _R.state == "approved")
        with self.db.read() as conn:
            total = conn.scalar(select(func.count()).select_from(flagged)) or 0
            covered = conn.scalar(select(func.count()).select_from(flagged)
                                  .where(answered)) or 0
        return int(total), int(covered)

    def approval_delays(self, limit: int = 10_000) -> list[float]:
        """Seconds from when Damai stored each answered post (and flagged it) to the approval
        of its response, for the newest ``limit`` approvals."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(_R.decided_at, posts.c.ingested_at).join(posts, posts.c.id == _R.post_id)
                .where(_R.state == "approved")
                .order_by(_R.decided_at.desc()).limit(limit)).all()
        return [max((_aware(d) - _aware(i)).total_seconds(), 0.0) for d, i in rows]

    def edit(self, response_id: int, text: str, check: HarmCheck, *, actor: str,
             ip: str | None = None) -> Response:
        """The next version of the text, back in review (an approval was for the old text);
        audited as ``response_edit``. A rejected response is not edited: propose a new one."""
        with self.db.write() as conn:
            found = self.locked(conn, response_id)
            if found.state == "rejected":
                raise wrong_state(found, "diubah / edited")
            version = found.version + 1
            self._update(conn, found, ("draft", "in_review", "approved"), {
                "text": text, "version": version, "state": "in_review", "decided_by": None,
                "decided_at": None, "approved_version": None, "reason": None,
                **_check_values(check)})
            append(conn, actor, "response_edit", f"response:{response_id}",
                   {"version": version, "was": found.state, "blocked": check.blocked}, ip)
            return self._get(conn, response_id)

    def decide(self, response_id: int, state: str, *, actor: str, four_eyes: bool = True,
               reason: str | None = None, ip: str | None = None,
               waived: dict[str, Any] | None = None) -> Response:
        """Approve or reject a response in review, audited as ``response_approve`` or
        ``response_reject``. With ``four_eyes``, nobody approves their own proposal (checked on
        the locked row). Roles are the caller's; a blocked text is never approved. ``waived``:
        four-eyes is waived for this approval (an urgent alert), audited in the same
        transaction as ``four_eyes_waived`` with this detail."""
        assert state in ("approved", "rejected")
        with self.db.write() as conn:
            found = self.locked(conn, response_id)
            if found.state != "in_review":
                raise wrong_state(found, "disetujui atau ditolak / approved or rejected")
            if state == "approved" and waived is not None:
                append(conn, actor, "four_eyes_waived", f"response:{response_id}", waived, ip)
            elif state == "approved" and four_eyes and found.proposed_by == actor:
                raise ReviewRefused("four_eyes", (
                    f"Anda mengusulkan tanggapan {response_id}: dengan tinjauan empat mata, "
                    "approver lain yang harus menyetujuinya / you proposed response "
                    f"{response_id}: with four-eyes review on, another approver must approve it"))
            if state == "approved" and found.blocked_reason is not None:
                raise ReviewRefused("blocked", (
                    f"tanggapan {response_id} diblokir: {found.blocked_reason}. Ubah teksnya "
                    f"dulu / response {response_id} is blocked: {found.blocked_reason}. Edit "
                    "its text first"))
            self._update(conn, found, ("in_review",), {
                "state": state, "decided_by": actor, "decided_at": datetime.now(UTC),
                "reason": reason,
                "approved_version": found.version if state == "approved" else None})
            action = "response_approve" if state == "approved" else "response_reject"
            append(conn, actor, action, f"response:{response_id}",
                   {"version": found.version, "proposed_by": found.proposed_by,
                    "reason": reason}, ip)
            return self._get(conn, response_id)

    def _update(self, conn: Connection, found: Response, states: tuple[str, ...],
                values: dict[str, Any]) -> None:
        done = conn.execute(update(responses).where(
            _R.id == found.id, _R.state.in_(states), _R.version == found.version)
            .values(**values, updated_at=datetime.now(UTC)))
        if done.rowcount != 1:  # changed since it was read (PostgreSQL locks it; belt and braces)
            raise wrong_state(self._get(conn, found.id), "diubah sekarang / changed now")

    @classmethod
    def locked(cls, conn: Connection, response_id: int) -> Response:
        """The row, locked until the transaction ends (PostgreSQL; SQLite writes one at a
        time already), or :class:`NotFound`."""
        row = conn.execute(select(responses.c.id).where(_R.id == response_id)
                           .with_for_update()).first()
        if row is None:
            raise NotFound(f"tanggapan {response_id} tidak ada / no response {response_id}")
        return cls._get(conn, response_id)

    @staticmethod
    def _get(conn: Connection, response_id: int) -> Response:
        return _response(conn.execute(_SELECT.where(_R.id == response_id)).one())
