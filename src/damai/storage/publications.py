"""The publishing boundary in the database (issue #11): what was published, and the one rule
that nothing unapproved is.

:meth:`PublicationRepository.publish` checks, in the same transaction that writes the
publication and with the response's row locked, that the response is approved *at the version
of its text that is published*, is not blocked, and that the append-only audit log holds that
approval by the approver the row names. A state forged with a bare ``UPDATE`` (the database's
checks refuse an approval with no approver, a block or a stale version) or a race with an edit
cannot pass. A publication is unique on its idempotency key (what, which version of the text,
which channel): publishing the same text to the same channel twice returns the first one.
The dry-run channel's publications are the outbox.

Real channels (issue #12) write the row as ``pending`` first, then :meth:`claim` it (a
compare-and-set on ``attempts``, so two workers never call the platform for one row at once),
and :meth:`settle` it as ``sent``, ``failed`` or ``uncertain`` with what the platform answered;
every settlement is audited. :meth:`pending` lists the rows a crash left for reconciliation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from damai.errors import NotFound, ReviewRefused, StorageError
from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.library import Usage, insert_use
from damai.storage.responses import Response, ResponseRepository
from damai.storage.schema import audit_log, library_entries, publications

__all__ = ["Publication", "PublicationRepository", "Subject", "publication_of"]

_P = publications.c


@dataclass(frozen=True, slots=True)
class Subject:
    """What is published: a response, or a library entry's approved version (one of the two),
    and, for a text meant to go out more than once (a campaign's slots), the ``occasion`` each
    publication is for: it joins the idempotency key, so each occasion is published once."""

    response_id: int | None = None
    entry_id: str | None = None
    occasion: str | None = None


@dataclass(frozen=True, slots=True)
class Publication:
    id: int
    channel: str
    idempotency_key: str
    state: str
    created_by: str
    created_at: datetime
    payload: dict[str, Any]
    response_id: int | None = None
    entry_id: str | None = None
    entry_version: int | None = None
    #: what the platform answered (issue #12): its id for the post and a link to it
    post_id: str | None = None
    post_url: str | None = None
    #: why it failed or is uncertain, in the platform's words and Damai's
    reason: str | None = None
    #: delivery runs claimed so far (the compare-and-set of :meth:`PublicationRepository.claim`)
    attempts: int = 0
    updated_at: datetime | None = None
    #: the queue (issue #12 part 3): not before this time; look it up before posting; failed
    #: calls so far
    not_before: datetime | None = None
    lookup_first: bool = False
    failures: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "response_id": self.response_id, "entry_id": self.entry_id,
                "entry_version": self.entry_version, "channel": self.channel,
                "idempotency_key": self.idempotency_key, "state": self.state,
                "created_by": self.created_by, "created_at": self.created_at,
                "payload": self.payload, "post_id": self.post_id, "post_url": self.post_url,
                "reason": self.reason, "attempts": self.attempts,
                "updated_at": self.updated_at, "not_before": self.not_before}


def publication_of(row: Any) -> Publication:
    m = row._mapping
    return Publication(**{k: m[k] for k in Publication.__dataclass_fields__})


def not_approved(what: str, state: str) -> ReviewRefused:
    return ReviewRefused("not_approved", (
        f"{what} berstatus {state}, belum disetujui: hanya yang disetujui yang bisa "
        f"diterbitkan. Minta approver menyetujuinya dulu / {what} is {state}, not approved: "
        "only approved content is published. Ask an approver to approve it first"))


def _approval_on_record(conn: Connection, found: Response) -> bool:
    """Whether the audit log's last approval of ``found`` is of this text, by its approver."""
    a = audit_log.c
    row = conn.execute(select(a.actor, a.detail).where(
        a.action == "response_approve", a.target == f"response:{found.id}")
        .order_by(a.id.desc()).limit(1)).first()
    return (row is not None and (row.detail or {}).get("version") == found.version
            and row.actor == found.decided_by)


class PublicationRepository(Repository):
    def publish(self, subject: Subject, channel: str, *, actor: str, state: str = "sent",
                ip: str | None = None) -> tuple[Publication, bool]:
        """The publication of ``subject`` on ``channel`` and whether it is new; refused with
        :class:`ReviewRefused` (``not_approved``) for anything not approved (module doc)."""
        try:
            with self.db.write() as conn:
                return self._publish(conn, subject, channel, actor, state, ip)
        except StorageError:
            # two first publications of one key raced (PostgreSQL): the other one won, and
            # the same checks run again see its row; any other failure fails again
            with self.db.write() as conn:
                return self._publish(conn, subject, channel, actor, state, ip)

    def _publish(self, conn: Connection, subject: Subject, channel: str, actor: str,
                 state: str, ip: str | None) -> tuple[Publication, bool]:
        key, payload, use = (self._response_payload(conn, subject.response_id, channel)
                             if subject.response_id is not None
                             else self._entry_payload(conn, str(subject.entry_id), channel))
        if subject.occasion is not None:
            key = f"{key}:{subject.occasion}"
        existing = conn.execute(select(publications).where(_P.idempotency_key == key)).first()
        if existing is not None:
            return publication_of(existing), False
        row = conn.execute(publications.insert().returning(*publications.c), {
            "response_id": subject.response_id, "entry_id": subject.entry_id,
            "entry_version": payload.get("entry_version") if subject.entry_id else None,
            "channel": channel, "idempotency_key": key, "state": state, "created_by": actor,
            "created_at": datetime.now(UTC), "payload": payload}).one()
        published = publication_of(row)
        if use is not None:
            insert_use(conn, Usage(use[0], use[1], published.created_at, "publication",
                                   f"publication:{published.id}", actor))
        append(conn, actor, "publish", f"publication:{published.id}",
               {"key": key, "channel": channel, "response_id": subject.response_id,
                "entry_id": subject.entry_id}, ip)
        return published, True

    def _response_payload(self, conn: Connection, response_id: int, channel: str
                          ) -> tuple[str, dict[str, Any], tuple[str, int] | None]:
        found = ResponseRepository.locked(conn, response_id)
        if found.state != "approved":
            raise not_approved(f"tanggapan / response {response_id}", found.state)
        if not found.publishable or not _approval_on_record(conn, found):
            raise ReviewRefused("not_approved", (
                f"tanggapan {response_id} tidak punya persetujuan yang tercatat di log audit "
                "untuk versi teks ini: ubah teksnya agar kembali ditinjau / response "
                f"{response_id} has no approval on record in the audit log for this version of "
                "its text: edit it to send it back to review"))
        key = f"response:{found.id}:v{found.version}:{channel}"
        payload = {"text": found.text, "channel": channel, "response_id": found.id,
                   "version": found.version, "in_reply_to": found.post_ref}
        use = ((found.entry_id, found.entry_version)
               if found.entry_id is not None and found.entry_version is not None else None)
        return key, payload, use

    @staticmethod
    def _entry_payload(conn: Connection, entry_id: str, channel: str
                       ) -> tuple[str, dict[str, Any], tuple[str, int] | None]:
        e = library_entries.c
        row = conn.execute(select(library_entries).where(e.entry_id == entry_id, e.is_current)
                           .with_for_update()).first()
        if row is None:
            raise NotFound(f"entri pustaka {entry_id!r} tidak ada / no library entry "
                           f"{entry_id!r}")
        if row.status != "approved":
            raise not_approved(f"entri / entry {entry_id}", row.status)
        version = int(row.version)
        payload = {"text": row.text_id, "channel": channel, "entry_id": entry_id,
                   "entry_version": version}
        return f"entry:{entry_id}:v{version}:{channel}", payload, (entry_id, version)

    def claim(self, seen: Publication) -> Publication | None:
        """Take ``seen`` (``pending`` or ``failed``) for one delivery run: ``pending``, one more
        attempt. ``None`` when another worker took or settled it since ``seen`` was read."""
        with self.db.write() as conn:
            row = conn.execute(update(publications).where(
                _P.id == seen.id, _P.attempts == seen.attempts,
                _P.state.in_(("pending", "failed"))).values(
                state="pending", attempts=_P.attempts + 1, updated_at=datetime.now(UTC))
                .returning(*publications.c)).first()
        return publication_of(row) if row is not None else None

    def settle(self, publication_id: int, state: str, *, actor: str, post_id: str | None = None,
               post_url: str | None = None, reason: str | None = None,
               ip: str | None = None, was: str = "pending") -> Publication:
        """Record what became of a ``was`` publication (``sent``, ``failed``, ``uncertain``),
        audited as ``publication_<state>``; :class:`ReviewRefused` (``wrong_state``) if it is no
        longer ``was``."""
        with self.db.write() as conn:
            row = conn.execute(update(publications).where(
                _P.id == publication_id, _P.state == was).values(
                state=state, post_id=post_id, post_url=post_url, reason=reason,
                updated_at=datetime.now(UTC)).returning(*publications.c)).first()
            if row is None:
                raise ReviewRefused("wrong_state", (
                    f"publikasi {publication_id} tidak lagi berstatus {was} / publication "
                    f"{publication_id} is no longer {was}"))
            append(conn, actor, f"publication_{state}", f"publication:{publication_id}",
                   {"was": was, "post_id": post_id, "post_url": post_url, "reason": reason},
                   ip)
        return publication_of(row)

    def remark(self, publication_id: int, reason: str, *, actor: str, action: str,
               state: str = "sent", ip: str | None = None) -> Publication:
        """Write ``reason`` on a publication that stays ``state`` (a retraction the platform
        refused), audited as ``action``; :class:`ReviewRefused` (``wrong_state``) if it is no
        longer ``state``."""
        with self.db.write() as conn:
            row = conn.execute(update(publications).where(
                _P.id == publication_id, _P.state == state).values(
                reason=reason, updated_at=datetime.now(UTC)).returning(*publications.c)).first()
            if row is None:
                raise ReviewRefused("wrong_state", (
                    f"publikasi {publication_id} tidak lagi berstatus {state} / publication "
                    f"{publication_id} is no longer {state}"))
            append(conn, actor, action, f"publication:{publication_id}",
                   {"state": state, "reason": reason}, ip)
        return publication_of(row)

    def waiting(self) -> int:
        """How many publications wait for a person: ``uncertain`` ones (check the platform) and
        ``failed`` ones (edit, or publish again)."""
        with self.db.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(publications).where(
                _P.state.in_(("uncertain", "failed")))) or 0)

    def pending(self, before: datetime) -> list[Publication]:
        """``pending`` publications last touched before ``before``: what a crash left."""
        touched = func.coalesce(_P.updated_at, _P.created_at)
        with self.db.read() as conn:
            return [publication_of(r) for r in conn.execute(select(publications).where(
                _P.state == "pending", touched < before).order_by(_P.id))]

    def get(self, publication_id: int) -> Publication | None:
        with self.db.read() as conn:
            row = conn.execute(select(publications).where(_P.id == publication_id)).first()
        return publication_of(row) if row else None

    def recent(self, *, channel: str | None = None, limit: int = 200) -> list[Publication]:
        """Publications, newest first (``channel="dry-run"``: the outbox)."""
        statement = select(publications).order_by(_P.id.desc()).limit(limit)
        if channel is not None:
            statement = statement.where(_P.channel == channel)
        with self.db.read() as conn:
            return [publication_of(r) for r in conn.execute(statement)]

    def published(self, response_ids: Sequence[int]) -> set[int]:
        """Which of these responses have been published (on any channel)."""
        if not response_ids:
            return set()
        with self.db.read() as conn:
            return {int(r) for (r,) in conn.execute(select(_P.response_id).distinct().where(
                _P.response_id.in_(list(response_ids))))}
