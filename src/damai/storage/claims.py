"""The claims repository: the fact-check library, and the claim each matched post repeats.

An import is one transaction: every claim is added, or replaces the claim with the same id
(``claims``). The claim a post repeats is written with the post itself, by
:meth:`~damai.storage.posts.PostRepository.write_batch` (``post_claims``: the verdict and the
suggested response as they were at the match).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_

from damai.records import ClaimHit, PostKey
from damai.respond.claims import Claim
from damai.storage.engine import Repository
from damai.storage.schema import claims, post_claims, posts

__all__ = ["ClaimImport", "ClaimRepository", "PostClaim"]

_FIELDS = ("claim_id", "claim", "verdict", "explanation", "source_url", "date")
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ClaimImport:
    added: int
    replaced: int

    def to_dict(self) -> dict[str, int]:
        return {"added": self.added, "replaced": self.replaced}


@dataclass(frozen=True, slots=True)
class PostClaim:
    """The claim a stored post repeats, as matched; ``claim`` and ``source_url`` are the
    library's current text (``None`` once the claim left the library)."""

    claim_id: str
    score: float
    verdict: str
    suggestion: str
    matched_at: datetime
    claim: str | None
    source_url: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "score": self.score, "verdict": self.verdict,
                "suggestion": self.suggestion, "matched_at": self.matched_at.isoformat(),
                "claim": self.claim, "source_url": self.source_url}


def _claim(row: Any) -> Claim:
    m = row._mapping
    return Claim(**{name: m[name] for name in _FIELDS})


class ClaimRepository(Repository):
    def import_claims(self, items: Sequence[Claim]) -> ClaimImport:
        """Add the claims, replacing those with the same id, in one transaction."""
        now = datetime.now(UTC)
        rows = [{**{name: getattr(c, name) for name in _FIELDS}, "imported_at": now}
                for c in items]
        with self.db.write() as conn:
            have = set(conn.scalars(select(claims.c.claim_id).where(
                claims.c.claim_id.in_([c.claim_id for c in items]))))
            if rows:
                statement = self.dialect.insert(claims)
                conn.execute(statement.on_conflict_do_update(
                    index_elements=[claims.c.claim_id],
                    set_={name: statement.excluded[name]
                          for name in (*_FIELDS[1:], "imported_at")}), rows)
        return ClaimImport(added=len(rows) - len(have), replaced=len(have))

    def all(self) -> list[Claim]:
        """Every claim, by id."""
        with self.db.read() as conn:
            rows = conn.execute(select(*(claims.c[n] for n in _FIELDS))
                                .order_by(claims.c.claim_id)).all()
        return [_claim(r) for r in rows]

    def count(self) -> int:
        with self.db.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(claims)) or 0)

    def for_post(self, post_id: int) -> PostClaim | None:
        """The claim a stored post repeats, or ``None``."""
        return self.for_posts([post_id]).get(post_id)

    def for_posts(self, post_ids: Sequence[int]) -> dict[int, PostClaim]:
        """Post id → the claim it repeats, for those of ``post_ids`` that repeat one."""
        found: dict[int, PostClaim] = {}
        ids = sorted(set(post_ids))
        with self.db.read() as conn:
            for start in range(0, len(ids), _CHUNK):
                rows = conn.execute(
                    select(post_claims.c.post_id, post_claims.c.claim_id, post_claims.c.score,
                           post_claims.c.verdict, post_claims.c.suggestion,
                           post_claims.c.matched_at, claims.c.claim, claims.c.source_url)
                    .select_from(post_claims.outerjoin(
                        claims, claims.c.claim_id == post_claims.c.claim_id))
                    .where(post_claims.c.post_id.in_(ids[start:start + _CHUNK])))
                found.update({int(row[0]): PostClaim(*row[1:]) for row in rows})
        return found

    def matched_posts(self, claim_id: str | None = None) -> dict[int, str]:
        """Post id → claim id of every matched post (of one claim, with ``claim_id``)."""
        query = select(post_claims.c.post_id, post_claims.c.claim_id)
        if claim_id is not None:
            query = query.where(post_claims.c.claim_id == claim_id)
        with self.db.read() as conn:
            return {int(r[0]): str(r[1]) for r in conn.execute(query)}

    def match_counts(self) -> dict[str, int]:
        """Claim id → how many stored posts repeat it (what the fact-check page shows)."""
        c = post_claims.c
        with self.db.read() as conn:
            return {str(r[0]): int(r[1]) for r in conn.execute(
                select(c.claim_id, func.count()).group_by(c.claim_id))}

    def posts_of(self, claim_id: str, limit: int = 100) -> list[tuple[int, float]]:
        """The newest ``limit`` posts that repeat ``claim_id``: (post id, match score)."""
        c = post_claims.c
        with self.db.read() as conn:
            rows = conn.execute(select(c.post_id, c.score).where(c.claim_id == claim_id)
                                .order_by(c.post_id.desc()).limit(limit)).all()
        return [(int(r[0]), float(r[1])) for r in rows]

    def get(self, claim_id: str) -> Claim | None:
        with self.db.read() as conn:
            row = conn.execute(select(*(claims.c[n] for n in _FIELDS))
                               .where(claims.c.claim_id == claim_id)).first()
        return _claim(row) if row else None

    def replace_matches(self, matches: Sequence[tuple[PostKey, ClaimHit | None]]) -> int:
        """Put the new match of each stored post in place of its old one (``None``: it repeats
        no claim now), in one transaction; return how many posts now repeat a claim."""
        now = datetime.now(UTC)
        keys = [k for k, _ in matches]
        with self.db.write() as conn:
            ids: dict[PostKey, int] = {}
            key = tuple_(posts.c.platform, posts.c.platform_id)
            for start in range(0, len(keys), _CHUNK):
                found = conn.execute(select(posts.c.id, posts.c.platform, posts.c.platform_id)
                                     .where(key.in_(keys[start:start + _CHUNK])))
                ids.update({(r[1], r[2]): int(r[0]) for r in found})
            if ids:
                conn.execute(delete(post_claims).where(post_claims.c.post_id.in_(ids.values())))
            rows = [{"post_id": ids[k], "claim_id": h.claim_id, "score": h.score,
                     "verdict": h.verdict, "suggestion": h.suggestion, "matched_at": now}
                    for k, h in matches if h is not None and k in ids]
            if rows:
                conn.execute(post_claims.insert(), rows)
        return len(rows)
