"""Recommendations from the store's library (issue #11): what the triage queue, the post page and
``POST /api/v1/recommend`` show.

The store's *approved* entries as they stand are ranked (:mod:`damai.respond.recommend`), so an
entry written, edited or retired in the dashboard counts at once, and every recommendation can be
proposed by its id. Recency is the store's usage history; past performance is each entry's
measured engagement (:func:`damai.pipeline.measure.performance`: engagements per post, shrunk
toward 0 for entries measured on few posts, as a share of the best entry's), empty until
engagement has been collected. A stored post is ranked with the labels it was stored with, so
showing its recommendations costs an embedding and no classification.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from damai.pipeline.measure import performance
from damai.respond.recommend import Classifier, Recommender, Result, Usage, Weights
from damai.respond.service import recommender_over
from damai.storage import Store
from damai.storage.base import StoredPost

__all__ = ["TOP_K", "for_posts", "for_texts", "library_recommender", "usage_of", "warm"]

#: recommendations per post
TOP_K = 3
#: half-lives after which a use no longer lowers an entry (the recommender forgets it too)
_REMEMBERED_HALF_LIVES = 10


def library_recommender(store: Store) -> Recommender:
    """The recommender over the store's approved entries (built once per set of versions)."""
    return recommender_over([v.entry for v in store.library.current(status="approved")])


def usage_of(store: Store, now: datetime | None = None) -> Usage:
    """What the ranking knows of the past: when each entry was last used, and how it did."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=Weights().recency_half_life_days * _REMEMBERED_HALF_LIVES)
    return Usage(last_used=store.library.last_used(since),
                 performance=performance(store.engagement.observations()), now=now)


def for_posts(store: Store, posts: Sequence[StoredPost], k: int = TOP_K) -> dict[int, Result]:
    """The top ``k`` entries for each stored post, by post id, ranked with its stored labels."""
    if not posts:
        return {}
    labels: list[Mapping[str, float]] = [p.post.labels for p in posts]
    results = library_recommender(store).recommend([p.post.text for p in posts], k,
                                                   usage_of(store), labels=labels)
    return {p.id: r for p, r in zip(posts, results, strict=True)}


def for_texts(store: Store, model: Classifier, texts: Sequence[str], k: int = TOP_K
              ) -> list[Result]:
    """The top ``k`` entries for each text, the model in service reading its labels."""
    return library_recommender(store).using(model).recommend(texts, k, usage_of(store))


def warm(store: Store) -> int:
    """Load the embedding model and embed the store's library now (what ``damai serve`` does in
    the background as it starts), so the first triage page does not wait for them. Returns how
    many entries are ready to rank."""
    recommender = library_recommender(store)
    if recommender.entries:
        recommender.recommend(["Salam damai untuk semua."], 1)
    return len(recommender.entries)
