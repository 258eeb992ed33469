"""Teaching the model: which posts analysts should label next, and a candidate built from what
they labelled.

**The queue** (:func:`pick`). The pool is the newest :data:`POOL` stored posts nobody has
labelled (an indexed, bounded read); :func:`damai.understand.suggest.suggest` picks from it, with
the model in service, the posts whose labels teach the model most (uncertain ones, likely
positives of rare labels, no near-copies). A post leaves the queue as soon as anyone answers for
it.

**A candidate** (:func:`adapt_candidate`). The model in service adapted
(:func:`damai.understand.adapt.adapt_model`) to the *training part* of the installation's labels
(:mod:`damai.pipeline.heldout`), registered as a candidate with the data it learnt from (name and
counts), the labels it left out and why, and its held-out figures next to the model in service.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from damai.errors import InputError
from damai.pipeline import heldout
from damai.pipeline.registry import register, serving
from damai.storage import Store, StoredPost
from damai.storage.models import ModelRecord
from damai.understand.adapt import AdaptConfig, adapt_model
from damai.understand.model import TextClassifier
from damai.understand.suggest import suggest

__all__ = ["POOL", "SHOWN", "adapt_candidate", "pick", "teach_labels"]

#: how many of the newest unlabelled posts the queue picks from
POOL: Final = 2000
#: how many posts the queue shows at once
SHOWN: Final = 10
#: the name adapted versions start with
ADAPTED_NAME: Final = "damai-adapted"


def teach_labels(model: TextClassifier, label: str | None = None) -> list[str]:
    """The labels the queue asks about: ``label`` alone, or the model's top-level harmful
    labels (what :func:`~damai.understand.suggest.suggest` picks for by default), or for a
    model with none of those, its top-level labels."""
    if label:
        if label not in model.labels:
            raise InputError(f"the model in service has no label {label!r}")
        return [label]
    top = [n for n in model.labels if "." not in n]
    return [n for n in top if model.taxonomy.is_harmful(n)] or top


def pick(store: Store, model: TextClassifier, labels: Sequence[str], *, k: int = SHOWN,
         pool: int = POOL) -> list[StoredPost]:
    """The ``k`` posts to label next, in the order to label them."""
    candidates = [s for s in store.triage.uncorrected(pool) if s.post.text.strip()]
    if not candidates:
        return []
    rows = suggest(model, [s.post.text for s in candidates], min(k, len(candidates)),
                   list(labels))
    return [candidates[i] for i in rows]


def adapt_candidate(store: Store, *, actor: str, ip: str | None = None,
                    config: AdaptConfig | None = None,
                    progress: Callable[[str], None] | None = None) -> ModelRecord:
    """Build a candidate from the training part of the labels and register it (module doc);
    too few labels: the adapt error that says how many more."""
    config = config or AdaptConfig()
    served = serving(store)
    split = heldout.split_corrections(store)
    table, skipped = heldout.training_table(split, config)
    model = adapt_model(served.model, table, config=config, name=ADAPTED_NAME,
                        data_names=[("corrections: training part", len(table.texts))],
                        progress=progress)
    comparison = heldout.compare({served.version: served.model, model.version: model},
                                 heldout.to_table(split.heldout))
    counts = heldout.count_labels(split)
    data = [{"name": "corrections: training part", "rows": len(table.texts),
             "labels": {n: {"positives": counts[n]["train"].positives,
                            "negatives": counts[n]["train"].negatives} for n in table.labels}}]
    with tempfile.TemporaryDirectory() as folder:
        model.save(Path(folder))
        return register(store, Path(folder), actor=actor, ip=ip, extra={
            "data": data, "metrics": {"skipped": skipped, "heldout_at_creation": {
                "rows": comparison["rows"], "macro_f1": comparison.get("macro_f1", {})}}})
