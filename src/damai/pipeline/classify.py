"""The classify stage: score posts in batches on every label, and re-score a store.

:class:`ClassifyStage` follows the stage pattern: :meth:`~ClassifyStage.predict` is a pure
function of a batch, :meth:`~ClassifyStage.set_annotations` writes the results onto the posts, and
calling the stage does both. ``damai ingest`` runs it on each batch before the write; ``damai
reclassify`` runs :func:`reclassify` over the posts an older model (or none) scored.

The detected language replaces the platform's tag, except when the detector has nothing specific
to say (``und``, ``other``): then the platform's tag, if any, stays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from damai.pipeline.claims import ClaimsStage
from damai.records import Post
from damai.storage import Store
from damai.storage.base import LabelUpdate
from damai.understand.types import Prediction

__all__ = ["Classifier", "ClassifyStage", "ReclassifyReport", "reclassify"]

#: detector answers that do not replace a language the platform gave
_UNSPECIFIC = frozenset({"und", "other"})
#: ``on_progress(done, total)``
ProgressHook = Callable[[int, int], None]


class Classifier(Protocol):
    """What the stage needs of a model (:class:`damai.understand.model.TextClassifier`)."""

    @property
    def version(self) -> str: ...

    def predict(self, texts: Sequence[str], *, explain: bool = ...) -> list[Prediction]: ...


class ClassifyStage:
    """Pipeline stage: writes scores, flags, language, model version and truncation."""

    writes = ("language", "labels", "flags", "model_version", "truncated")

    def __init__(self, model: Classifier) -> None:
        self.model = model

    @property
    def version(self) -> str:
        return self.model.version

    def predict(self, posts: Sequence[Post]) -> list[Prediction]:
        """Score a batch; no side effects."""
        if not posts:
            return []
        return self.model.predict([p.text for p in posts], explain=False)

    @staticmethod
    def set_annotations(posts: Sequence[Post], predictions: Sequence[Prediction]) -> None:
        for post, prediction in zip(posts, predictions, strict=True):
            post.labels = dict(prediction.labels)
            post.flags = list(prediction.flags)
            post.model_version = prediction.model_version
            post.truncated = prediction.truncated
            if prediction.language not in _UNSPECIFIC or post.language is None:
                post.language = prediction.language

    def __call__(self, posts: list[Post]) -> list[Post]:
        self.set_annotations(posts, self.predict(posts))
        return posts


@dataclass(slots=True)
class ReclassifyReport:
    model_version: str
    candidates: int = 0
    updated: int = 0
    flagged: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"model_version": self.model_version, "candidates": self.candidates,
                "updated": self.updated, "flagged": self.flagged}


def reclassify(store: Store, stage: ClassifyStage, *, everything: bool = False,
               batch_size: int = 1000, on_progress: ProgressHook | None = None,
               claims: ClaimsStage | Literal[False] | None = None) -> ReclassifyReport:
    """Re-score the posts the stage's model has not scored (every post with ``everything``).

    Each batch is one transaction, so an interrupted run keeps what it did, and running it again
    goes on with the rest. A second run with the same model finds nothing to do. The claims
    stage (by default over the store's claims, when it holds any) runs after the model, so a
    post repeating a false claim keeps its ``hoax`` flag; its match is written before the new
    scores, so a run killed between the two redoes that batch.
    """
    version = stage.version
    wanted = None if everything else version
    report = ReclassifyReport(version, candidates=store.posts.count_unlabelled(wanted))
    matcher = ClaimsStage.for_store(store) if claims is None else (claims or None)
    done = 0
    for posts in store.posts.iter_unlabelled(wanted, batch_size):
        stage(posts)
        if matcher is not None:
            matcher(posts)
            store.claims.replace_matches([(p.key, p.claim) for p in posts])
        report.updated += store.labels.set_labels([LabelUpdate.of(p) for p in posts])
        report.flagged += sum(1 for p in posts if p.flags)
        done += len(posts)
        if on_progress is not None:
            on_progress(done, report.candidates)
    return report
