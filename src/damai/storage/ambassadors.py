"""The ambassador network, Duta Damai (issue #12 part 5): ambassadors and their consent, their
content kits, and the posts credited to them.

Withdrawal of consent is one transaction: the personal fields are erased, the handles deleted,
every kit revoked (its token hash cleared) and the step audited. Every read here passes over a
withdrawn ambassador, and the credits of one are left out of every count, so no view or export
built on this repository can show the person again. What stays is the consent record itself
(given when, with what scope, withdrawn when), which the team must be able to show.

The rules around it (province names, kit content, signed links, matching posts) live in
:mod:`damai.pipeline.ambassadors` and :mod:`damai.pipeline.crediting`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.engine import Connection, Row

from damai.errors import InputError, NotFound
from damai.storage.audit import append
from damai.storage.engine import Repository
from damai.storage.schema import (
    CREDIT_METHODS,
    ambassador_credits,
    ambassador_handles,
    ambassador_kits,
    ambassadors,
    posts,
)

__all__ = ["CREDIT_METHODS", "Ambassador", "AmbassadorRepository", "Credit", "CreditRow", "Kit",
           "NewAmbassador", "NewKit", "Tally", "engagement_of"]

_A, _H, _K, _C = ambassadors.c, ambassador_handles.c, ambassador_kits.c, ambassador_credits.c
#: engagement counts that add up to a post's engagement (views are reach of another kind)
_ENGAGEMENT = ("likes", "reposts", "replies", "quotes")
Grouping = Literal["ambassador", "province", "campaign"]


def engagement_of(counts: dict[str, Any] | None) -> int:
    """Likes, reposts, replies and quotes of a post added up (views are not engagement)."""
    return sum(int(v) for k, v in (counts or {}).items()
               if k in _ENGAGEMENT and isinstance(v, int) and not isinstance(v, bool))


@dataclass(frozen=True, slots=True)
class NewAmbassador:
    """An ambassador as registered; ``handles`` maps a platform to a handle."""

    name: str
    province: str
    consent_at: datetime
    consent_scope: str
    regency: str | None = None
    handles: dict[str, str] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ambassador:
    id: int
    name: str
    province: str
    regency: str | None
    handles: dict[str, str]
    languages: tuple[str, ...]
    topics: tuple[str, ...]
    consent_at: datetime
    consent_scope: str
    created_by: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "province": self.province,
                "regency": self.regency, "handles": dict(self.handles),
                "languages": list(self.languages), "topics": list(self.topics),
                "consent": {"at": self.consent_at.isoformat(), "scope": self.consent_scope},
                "created_by": self.created_by, "created_at": self.created_at.isoformat()}


@dataclass(frozen=True, slots=True)
class NewKit:
    ambassador_id: int
    tag: str
    code: str
    content: dict[str, Any]
    token_hash: str | None
    campaign_id: str | None = None
    link: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Kit:
    id: int
    ambassador_id: int
    campaign_id: str | None
    tag: str
    code: str
    link: str | None
    content: dict[str, Any]
    expires_at: datetime | None
    revoked_at: datetime | None
    created_by: str
    created_at: datetime

    def active(self, now: datetime | None = None) -> bool:
        """Not revoked and not expired: its personal page opens."""
        at = now or datetime.now(UTC)
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "ambassador_id": self.ambassador_id,
                "campaign_id": self.campaign_id, "tag": self.tag, "link": self.link,
                **self.content,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "revoked": self.revoked_at is not None, "created_at": self.created_at.isoformat()}


@dataclass(frozen=True, slots=True)
class CreditRow:
    """A match to record: the post by its platform key, the kit, and how it matched."""

    platform: str
    platform_id: str
    kit_id: int
    ambassador_id: int
    method: str
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Credit:
    post_id: int
    platform: str
    url: str | None
    text: str
    created_at: datetime
    ambassador_id: int
    kit_id: int
    campaign_id: str | None
    method: str
    score: float | None
    engagement: int

    def to_dict(self) -> dict[str, Any]:
        return {"post_id": self.post_id, "platform": self.platform, "url": self.url,
                "text": self.text, "created_at": self.created_at.isoformat(),
                "ambassador_id": self.ambassador_id, "kit_id": self.kit_id,
                "campaign_id": self.campaign_id, "method": self.method, "score": self.score,
                "engagement": self.engagement}


@dataclass(frozen=True, slots=True)
class Tally:
    """Credited posts and their engagement (reach) for one ambassador, province or campaign."""

    key: str
    label: str
    posts: int
    reach: int

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "posts": self.posts, "reach": self.reach}


def _handle(text: str) -> str:
    return text.strip().lstrip("@").lower()


def _kit(row: Row[Any]) -> Kit:
    return Kit(row.id, row.ambassador_id, row.campaign_id, row.tag, row.code, row.link,
               dict(row.content), row.expires_at, row.revoked_at, row.created_by, row.created_at)


_ACTIVE = _A.withdrawn_at.is_(None)


class AmbassadorRepository(Repository):
    # -- ambassadors --------------------------------------------------------------------------
    def add(self, new: NewAmbassador, *, actor: str, ip: str | None = None) -> Ambassador:
        """Register an ambassador with their handles, audited as ``ambassador_add``; a handle
        another ambassador has is an :class:`InputError`."""
        now = datetime.now(UTC)
        handles = [(p, _handle(h)) for p, h in new.handles.items()]
        with self.db.write() as conn:
            if handles and conn.execute(select(_H.ambassador_id).where(
                    tuple_(_H.platform, _H.handle).in_(handles))).first() is not None:
                raise InputError("Handle itu sudah terdaftar untuk duta lain; periksa kembali / "
                                 "That handle already belongs to another ambassador; check it")
            ambassador_id = conn.execute(ambassadors.insert().returning(_A.id), {
                "name": new.name, "province": new.province, "regency": new.regency,
                "languages": list(new.languages), "topics": list(new.topics),
                "consent_at": new.consent_at, "consent_scope": new.consent_scope,
                "created_by": actor, "created_at": now}).scalar_one()
            if handles:
                conn.execute(ambassador_handles.insert(), [
                    {"ambassador_id": ambassador_id, "platform": p, "handle": h}
                    for p, h in handles])
            append(conn, actor, "ambassador_add", f"ambassador:{ambassador_id}",
                   {"province": new.province}, ip)
        found = self.get(ambassador_id)
        assert found is not None
        return found

    def get(self, ambassador_id: int) -> Ambassador | None:
        """The ambassador, or ``None`` when unknown or withdrawn."""
        found = self.all(ids=[ambassador_id])
        return found[0] if found else None

    def all(self, *, province: str | None = None, ids: Sequence[int] | None = None
             ) -> list[Ambassador]:
        """Every ambassador who has not withdrawn, by id."""
        statement = select(ambassadors).where(_ACTIVE).order_by(_A.id)
        if province is not None:
            statement = statement.where(_A.province == province)
        if ids is not None:
            statement = statement.where(_A.id.in_(list(ids)))
        with self.db.read() as conn:
            rows = conn.execute(statement).all()
            handles = self._handles(conn, [r.id for r in rows])
        return [Ambassador(r.id, r.name, r.province, r.regency, handles.get(r.id, {}),
                           tuple(r.languages), tuple(r.topics), r.consent_at, r.consent_scope,
                           r.created_by, r.created_at) for r in rows]

    @staticmethod
    def _handles(conn: Connection, ids: list[int]) -> dict[int, dict[str, str]]:
        out: dict[int, dict[str, str]] = {}
        for row in conn.execute(select(ambassador_handles).where(_H.ambassador_id.in_(ids))):
            out.setdefault(row.ambassador_id, {})[row.platform] = row.handle
        return out

    def handle_owners(self) -> dict[tuple[str, str], int]:
        """``(platform, handle) → ambassador id`` of every active ambassador."""
        with self.db.read() as conn:
            return {(r.platform, r.handle): r.ambassador_id
                    for r in conn.execute(select(ambassador_handles))}

    def withdraw(self, ambassador_id: int, *, actor: str, ip: str | None = None) -> None:
        """Record the withdrawal of consent: erase the personal fields, delete the handles,
        revoke every kit; audited as ``ambassador_withdraw``. :class:`NotFound` when the
        ambassador is unknown or already withdrawn."""
        now = datetime.now(UTC)
        with self.db.write() as conn:
            done = conn.execute(update(ambassadors).where(_A.id == ambassador_id, _ACTIVE)
                                .values(withdrawn_at=now, name=None, province=None,
                                        regency=None, languages=[], topics=[])).rowcount
            if not done:
                raise NotFound(f"Duta #{ambassador_id} tidak ada atau sudah mundur / "
                               f"ambassador #{ambassador_id} does not exist or has withdrawn")
            conn.execute(delete(ambassador_handles).where(_H.ambassador_id == ambassador_id))
            conn.execute(update(ambassador_kits).where(_K.ambassador_id == ambassador_id)
                         .values(token_hash=None,
                                 revoked_at=func.coalesce(_K.revoked_at, now)))
            append(conn, actor, "ambassador_withdraw", f"ambassador:{ambassador_id}", {}, ip)

    def consent_record(self, ambassador_id: int) -> dict[str, Any] | None:
        """Only the consent: given when, its scope, withdrawn when (kept after withdrawal)."""
        with self.db.read() as conn:
            row = conn.execute(select(_A.consent_at, _A.consent_scope, _A.withdrawn_at)
                               .where(_A.id == ambassador_id)).first()
        return None if row is None else {"consent_at": row.consent_at,
                                         "scope": row.consent_scope,
                                         "withdrawn_at": row.withdrawn_at}

    # -- kits ---------------------------------------------------------------------------------
    def add_kit(self, new: NewKit, *, actor: str, ip: str | None = None) -> Kit:
        """Store a kit for an active ambassador, audited as ``kit_create``."""
        with self.db.write() as conn:
            active = conn.execute(select(_A.id).where(_A.id == new.ambassador_id,
                                                      _ACTIVE)).first()
            if active is None:
                raise NotFound(f"Duta #{new.ambassador_id} tidak ada / ambassador "
                               f"#{new.ambassador_id} does not exist")
            row = conn.execute(ambassador_kits.insert().returning(*ambassador_kits.c), {
                "ambassador_id": new.ambassador_id, "campaign_id": new.campaign_id,
                "tag": new.tag, "code": new.code, "link": new.link, "content": new.content,
                "token_hash": new.token_hash, "expires_at": new.expires_at,
                "created_by": actor, "created_at": datetime.now(UTC)}).one()
            append(conn, actor, "kit_create", f"kit:{row.id}",
                   {"ambassador_id": new.ambassador_id, "campaign_id": new.campaign_id}, ip)
        return _kit(row)

    def kits(self, *, ambassador_id: int | None = None, include_revoked: bool = True
             ) -> list[Kit]:
        """Kits of active ambassadors, newest first."""
        statement = (select(ambassador_kits).join(ambassadors, _A.id == _K.ambassador_id)
                     .where(_ACTIVE).order_by(_K.id.desc()))
        if ambassador_id is not None:
            statement = statement.where(_K.ambassador_id == ambassador_id)
        if not include_revoked:
            statement = statement.where(_K.revoked_at.is_(None))
        with self.db.read() as conn:
            return [_kit(r) for r in conn.execute(statement)]

    def kit_by_token_hash(self, token_hash: str) -> Kit | None:
        """The kit whose page token hashes to ``token_hash``, if it is active and its
        ambassador has not withdrawn; else ``None`` (the caller cannot tell which)."""
        statement = (select(ambassador_kits).join(ambassadors, _A.id == _K.ambassador_id)
                     .where(_ACTIVE, _K.token_hash == token_hash))
        with self.db.read() as conn:
            row = conn.execute(statement).first()
        kit = _kit(row) if row is not None else None
        return kit if kit is not None and kit.active() else None

    def has_kits(self) -> bool:
        with self.db.read() as conn:
            return conn.execute(select(_K.id).where(_K.revoked_at.is_(None)).limit(1)
                                ).first() is not None

    def revoke_kit(self, kit_id: int, *, actor: str, ip: str | None = None) -> None:
        """Revoke a kit's page link (its credits stay), audited as ``kit_revoke``."""
        with self.db.write() as conn:
            done = conn.execute(update(ambassador_kits)
                                .where(_K.id == kit_id, _K.revoked_at.is_(None))
                                .values(revoked_at=datetime.now(UTC), token_hash=None)).rowcount
            if not done:
                raise NotFound(f"Kit #{kit_id} tidak ada atau sudah dicabut / kit #{kit_id} "
                               "does not exist or is already revoked")
            append(conn, actor, "kit_revoke", f"kit:{kit_id}", {}, ip)

    # -- credits ------------------------------------------------------------------------------
    def credit(self, rows: Iterable[CreditRow]) -> int:
        """Record matches for stored posts (a post already credited to a kit is skipped);
        return how many credits are new."""
        wanted = list(rows)
        if not wanted:
            return 0
        keys = {(r.platform, r.platform_id) for r in wanted}
        with self.db.write() as conn:
            ids = {(r.platform, r.platform_id): r.id for r in conn.execute(
                select(posts.c.id, posts.c.platform, posts.c.platform_id)
                .where(tuple_(posts.c.platform, posts.c.platform_id).in_(list(keys))))}
            values = [{"post_id": ids[(r.platform, r.platform_id)], "kit_id": r.kit_id,
                       "ambassador_id": r.ambassador_id, "method": r.method, "score": r.score,
                       "created_at": datetime.now(UTC)}
                      for r in wanted if (r.platform, r.platform_id) in ids]
            if not values:
                return 0
            statement = self.dialect.insert(ambassador_credits).on_conflict_do_nothing(
                index_elements=[_C.post_id, _C.kit_id])
            return int(conn.execute(statement, values).rowcount or 0)

    def credits(self, *, ambassador_id: int | None = None, province: str | None = None,
                campaign_id: str | None = None, limit: int | None = 500) -> list[Credit]:
        """Credited posts of active ambassadors, newest first."""
        statement = (select(posts.c.id, posts.c.platform, posts.c.url, posts.c.text,
                            posts.c.created_at, posts.c.engagement, _C.ambassador_id, _C.kit_id,
                            _K.campaign_id, _C.method, _C.score, _A.province, _A.name)
                     .select_from(ambassador_credits.join(posts, posts.c.id == _C.post_id)
                                  .join(ambassador_kits, _K.id == _C.kit_id)
                                  .join(ambassadors, _A.id == _C.ambassador_id))
                     .where(_ACTIVE).order_by(posts.c.created_at.desc(), posts.c.id.desc())
                     .limit(limit))
        if ambassador_id is not None:
            statement = statement.where(_C.ambassador_id == ambassador_id)
        if province is not None:
            statement = statement.where(_A.province == province)
        if campaign_id is not None:
            statement = statement.where(_K.campaign_id == campaign_id)
        with self.db.read() as conn:
            return [Credit(r.id, r.platform, r.url, r.text, r.created_at, r.ambassador_id,
                           r.kit_id, r.campaign_id, r.method, r.score,
                           engagement_of(r.engagement)) for r in conn.execute(statement)]

    def tally(self, by: Grouping) -> list[Tally]:
        """Credited posts and reach per ambassador, province or campaign, highest reach first.
        Added up here, not in SQL: engagement is a JSON object, read the same on both
        databases, and a network has thousands of credits, not millions."""
        statement = (select(_C.ambassador_id, _K.campaign_id, _A.name, _A.province,
                            posts.c.engagement)
                     .select_from(ambassador_credits.join(posts, posts.c.id == _C.post_id)
                                  .join(ambassador_kits, _K.id == _C.kit_id)
                                  .join(ambassadors, _A.id == _C.ambassador_id))
                     .where(_ACTIVE))
        found: dict[str, list[Any]] = {}
        with self.db.read() as conn:
            for row in conn.execute(statement):
                key, label = _group(row, by)
                entry = found.setdefault(key, [label, 0, 0])
                entry[1] += 1
                entry[2] += engagement_of(row.engagement)
        tallies = [Tally(k, v[0], v[1], v[2]) for k, v in found.items()]
        return sorted(tallies, key=lambda t: (-t.reach, -t.posts, t.key))


def _group(row: Any, by: Grouping) -> tuple[str, str]:
    if by == "ambassador":
        return str(row.ambassador_id), str(row.name)
    if by == "province":
        return str(row.province), str(row.province)
    campaign = row.campaign_id or ""
    return campaign, campaign or "(tanpa kampanye / no campaign)"

