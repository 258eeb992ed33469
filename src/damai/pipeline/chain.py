"""The one stage chain every ingest path runs: pseudonymise → classify → claims → geoparse → write
→ credit → narratives.

Files (``damai ingest``), live sources (``damai watch``), the HTTP API and ingest jobs all hand a
batch to :meth:`StageChain.write`, and all count with :class:`IngestCounts`, so the balance
``received = stored + duplicates + quarantined`` means the same everywhere. The chain never
computes explanations: the classify stage scores with ``explain=False``. The claims stage
(issue #11) runs only when the store holds claims; the crediting stage (issue #12,
:mod:`damai.pipeline.crediting`) only when it holds an unrevoked ambassador kit. Crediting looks at
the batch before pseudonymisation (it needs the author's handle) and records its credits after the
write, in a transaction of its own, since a credit names a stored post. The geoparse stage (issue
#13, :mod:`damai.pipeline.places`) always runs: its places are stored with the post.

The narratives step (issue #14, :mod:`damai.pipeline.narratives`) groups the stored posts of the
batch after the write, in a transaction of its own, when ``DAMAI_NARRATIVES_ON_INGEST=true``;
by default the scheduler (:mod:`damai.pipeline.scheduler`) groups new posts every minute instead,
since grouping inside ingest costs about two thirds of its speed.

A platform's deletions (sorted out of a mapper's notices by
:func:`damai.sources.base.sort_notices`) go through the chain too: they tombstone the stored post.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

from damai import settings
from damai.privacy import Pseudonymiser, installation_secret
from damai.records import Notice, Post, RecordFailure
from damai.storage import Store

if TYPE_CHECKING:
    from damai.pipeline.claims import ClaimsStage
    from damai.pipeline.classify import ClassifyStage
    from damai.pipeline.crediting import CreditStage
    from damai.pipeline.places import GeoparseStage

__all__ = ["IngestCounts", "StageChain", "default_pseudonymiser"]


@dataclass(slots=True)
class IngestCounts:
    """What one ingest (a run, a poll, a request, a job) did. ``ignored`` records were valid but
    not posts; ``deletions`` were a platform's delete events, ``deleted`` the stored posts they
    removed; both are apart from the balance."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    ignored: int = 0
    notices: int = 0
    classified: int = 0
    deletions: int = 0
    deleted: int = 0

    @property
    def balanced(self) -> bool:
        return self.received == self.stored + self.duplicates + self.quarantined

    def add(self, other: IngestCounts) -> None:
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in _COUNTS}


_COUNTS = tuple(f.name for f in fields(IngestCounts))


def default_pseudonymiser(store: Store) -> Pseudonymiser:
    """The installation's pseudonymiser: its secret, its registered accounts, its opt-in."""
    return Pseudonymiser(installation_secret(),
                         registered=[(a.platform, a.handle) for a in store.accounts.all()],
                         keep_handles=settings.get_bool("store_handles"))


class StageChain:
    """pseudonymise → classify → claims → write → credit, for one ingest batch id. ``claims``
    and ``credits`` default to stages over the store's claims and kits (none when the store holds
    none); ``False`` turns one off."""

    def __init__(self, store: Store, batch: str, *, pseudonymiser: Pseudonymiser | None = None,
                 classifier: ClassifyStage | None = None,
                 claims: ClaimsStage | Literal[False] | None = None,
                 credits: CreditStage | Literal[False] | None = None,
                 places: GeoparseStage | Literal[False] | None = None) -> None:
        self.store, self.batch, self.classifier = store, batch, classifier
        #: whether a batch held a post flagged ``disaster`` (ingest then links reports)
        self.saw_disaster = False
        self.places: GeoparseStage | None = places or None
        if places is None:
            from damai.pipeline.places import GeoparseStage

            self.places = GeoparseStage()
        self.pseudonymise = pseudonymiser or default_pseudonymiser(store)
        self.claims: ClaimsStage | None = claims or None
        if claims is None:
            from damai.pipeline.claims import ClaimsStage

            self.claims = ClaimsStage.for_store(store)
        self.credits: CreditStage | None = credits or None
        if credits is None:
            from damai.pipeline.crediting import CreditStage

            self.credits = CreditStage.for_store(store)

    def write(self, posts: list[Post], failures: list[tuple[RecordFailure, str | None]],
              notices: list[Notice], deletions: list[dict[str, Any]] | None = None) -> IngestCounts:
        """Run one batch through the chain in one transaction; the counts of what it stored.
        (``received``, ``quarantined`` and ``ignored`` are counted by the reader.)"""
        counts = IngestCounts(notices=len(notices))
        for post in posts:
            post.ingest_batch = self.batch
        credits = self.credits.predict(posts) if self.credits is not None and posts else []
        posts = self.pseudonymise(posts)
        if self.classifier is not None and posts:
            posts = self.classifier(posts)
            counts.classified = len(posts)
        if self.claims is not None and posts:
            posts = self.claims(posts)
        if self.places is not None and posts:
            posts = self.places(posts)
        self.saw_disaster = self.saw_disaster or any("disaster" in p.flags for p in posts)
        if posts or failures or notices:
            written = self.store.posts.write_batch(posts, failures,
                                                   [(self.batch, n) for n in notices])
            counts.stored, counts.duplicates = written.stored, written.duplicates
        if credits:
            self.store.ambassadors.credit(credits)
        if posts and settings.get_bool("narratives_on_ingest"):
            from damai.pipeline.narratives import group_posts, ingest_embedder

            group_posts(self.store, posts, embedder=ingest_embedder())
        if deletions:
            counts.deletions = len(deletions)
            counts.deleted = self._delete(deletions)
        return counts

    def _delete(self, deletions: list[dict[str, Any]]) -> int:
        keys = [(str(d["platform"]), str(d["platform_id"])) for d in deletions
                if d.get("platform_id")]
        local = [str(d["status_id"]) for d in deletions if d.get("status_id")]
        return (self.store.lifecycle.platform_deleted(keys)
                + self.store.lifecycle.mastodon_deleted(local))
