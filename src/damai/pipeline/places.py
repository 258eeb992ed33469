"""The geoparse stage (issue #13): the places each post's text names, stored with the post.

:class:`GeoparseStage` follows the stage pattern: :meth:`~GeoparseStage.predict` is a pure
function of a batch (:func:`damai.understand.geoparse.geoparse_many`: the text only, never the
author's profile), :meth:`~GeoparseStage.set_annotations` writes ``post.places``, which the post
repository stores in ``post_places`` in the batch's transaction. The stage chain runs it on every
ingest batch. :func:`backfill_places` gives the posts stored before migration ``0016_places``
their places (``damai places backfill``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from damai.records import Post
from damai.storage import Store
from damai.understand.geoparse import PostPlaces, geoparse_many

__all__ = ["BackfillReport", "GeoparseStage", "backfill_places"]


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
