"""The claims stage: a post that repeats a known false or misleading claim is a hoax (issue #11).

:class:`ClaimsStage` follows the stage pattern: :meth:`~ClaimsStage.predict` matches a batch
(:class:`damai.respond.matching.ClaimMatcher`: BM25 candidates, then multilingual-e5 on the few
posts that have any), :meth:`~ClaimsStage.set_annotations` writes the results: the matched claim
on ``post.claim`` (stored in ``post_claims`` with the post, the claim's explanation as the
suggested response) and, when its verdict is ``false`` or ``misleading``, the ``hoax`` flag with
the match's score. A match to a ``true`` or ``unproven`` claim is recorded and not flagged.

The chain runs it after the classify stage, and only when the store holds claims
(:meth:`ClaimsStage.for_store`). It asks a post for three shared words with a claim before
embedding it (``DAMAI_CLAIMS_INGEST_MIN_SHARED``), where ``damai claims match`` asks for two:
embedding is about 40 ms of CPU a post, and with two words 8% of a stream of real tweets was
embedded against 300 claims (ingest at 0.06× its speed without claims), with three 0.5%
(0.41–0.49× in the runs of ``docs/architecture.md``).
"""

from __future__ import annotations

from collections.abc import Sequence

from damai import settings
from damai.records import ClaimHit, Post
from damai.respond.claims import Claim
from damai.respond.embed import Embedder, cache_dir
from damai.respond.matching import ClaimMatch, ClaimMatcher
from damai.storage import Store
from damai.understand.taxonomy import load_taxonomy

__all__ = ["HOAX", "ClaimsStage"]

HOAX = "hoax"


class ClaimsStage:
    """Pipeline stage: writes the matched claim, and the ``hoax`` flag for a false claim."""

    writes = ("claim", "flags", "labels")

    def __init__(self, matcher: ClaimMatcher) -> None:
        self.matcher = matcher

    @classmethod
    def for_claims(cls, claims: Sequence[Claim], embedder: Embedder | None = None
                   ) -> ClaimsStage:
        return cls(ClaimMatcher(
            claims, embedder, threshold=float(settings.get("claims_threshold")),
            min_lexical=float(settings.get("claims_min_lexical")),
            min_shared=settings.get_int("claims_ingest_min_shared"),
            cache_dir=cache_dir()))

    @classmethod
    def for_store(cls, store: Store) -> ClaimsStage | None:
        """The stage over the store's claims, or ``None`` when it holds none."""
        claims = store.claims.all()
        return cls.for_claims(claims) if claims else None

    def predict(self, posts: Sequence[Post]) -> list[ClaimMatch]:
        """Match a batch; no side effects."""
        return self.matcher.predict([p.text for p in posts]) if posts else []

    @staticmethod
    def set_annotations(posts: Sequence[Post], matches: Sequence[ClaimMatch]) -> None:
        excluded = {label for label, by in load_taxonomy().exclusions.items() if HOAX in by}
        for post, match in zip(posts, matches, strict=True):
            claim = match.claim
            if claim is None:
                continue
            post.claim = ClaimHit(claim.claim_id, round(match.score, 4), claim.verdict,
                                  claim.explanation)
            if claim.flags:
                post.labels[HOAX] = max(post.labels.get(HOAX, 0.0), min(match.score, 1.0))
                post.flags = [f for f in post.flags if f not in excluded and f != HOAX]
                post.flags.append(HOAX)

    def __call__(self, posts: list[Post]) -> list[Post]:
        self.set_annotations(posts, self.predict(posts))
        return posts
