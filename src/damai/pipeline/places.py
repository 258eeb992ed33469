"""The geoparse stage (issue #13): the places each post's text names, stored with the post.

:class:`GeoparseStage` follows the stage pattern: :meth:`~GeoparseStage.predict` is a pure
function of a batch (:func:`damai.understand.geoparse.geoparse_many`: the text only, never the
author's profile), :meth:`~GeoparseStage.set_annotations` writes ``post.places``, which the post
repository stores in ``post_places`` in the batch's transaction. The stage chain runs it on every
ingest batch. :func:`backfill_places` gives the posts stored before migration ``0016_places``
their places (``damai places backfill``). :func:`places_of` is how the rest of the pipeline reads
a batch's places: the stored rows, and a geoparse only of the posts that have none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from damai.records import Post
from damai.storage import Store, StoredPost
from damai.understand.geoparse import PostPlaces, geoparse_many, summarise

__all__ = ["BackfillReport", "GeoparseStage", "backfill_places", "places_of"]


class GeoparseStage:
    """Pipeline stage: writes the places a post's text names."""

    writes = ("places",)

    @staticmethod
    def predict(posts: Sequence[Post]) -> list[PostPlaces]:
        """Geoparse a batch; no side effects."""
        return geoparse_many(p.text for p in posts)

    @staticmethod
    def set_annotations(posts: Sequence[Post], found: Sequence[PostPlaces]) -> None:
        for post, places in zip(posts, found, strict=True):
            post.places = places.places

    def __call__(self, posts: list[Post]) -> list[Post]:
        self.set_annotations(posts, self.predict(posts))
        return posts


@dataclass(slots=True)
class BackfillReport:
    scanned: int = 0
    placed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"scanned": self.scanned, "placed": self.placed}


def backfill_places(store: Store, *, batch_size: int = 2000,
                    on_progress: Callable[[BackfillReport], None] | None = None
                    ) -> BackfillReport:
    """Geoparse every stored post that has no place yet, a batch per transaction. Safe to run
    again, or beside an ingest: a post that has places is never written twice."""
    report = BackfillReport()
    after = 0
    while batch := store.places.unplaced(after, batch_size):
        found = geoparse_many(text for _, text in batch)
        report.placed += store.places.add({post_id: places.places
                                           for (post_id, _), places in zip(batch, found,
                                                                           strict=True)})
        report.scanned += len(batch)
        after = batch[-1][0]
        if on_progress is not None:
            on_progress(report)
    return report


def places_of(store: Store, posts: Sequence[StoredPost]) -> list[PostPlaces]:
    """The places of each of ``posts``, in order: the rows ingest stored (``post_places``), read
    500 ids at a time. A post with no row is geoparsed here, as the backfill would: nothing marks
    a post stored before migration ``0016_places`` (never parsed) apart from a later one that
    names no place (parsed, nothing found), so both are parsed, and the second finds nothing
    again. The cost is one geoparse per placeless post read, about 85 µs (docs/places.md)."""
    stored = store.places.of_posts([s.id for s in posts])
    missing = list({s.id: s for s in posts if s.id not in stored}.values())
    parsed = dict(zip((s.id for s in missing), geoparse_many(s.post.text for s in missing),
                      strict=True))
    return [PostPlaces(stored[s.id], *summarise(stored[s.id])) if s.id in stored
            else parsed[s.id] for s in posts]
