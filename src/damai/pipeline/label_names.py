"""The label names a filter may use (issue #14): an unknown name is an error that lists the known
ones, never a silently empty answer.

Known: the taxonomy's labels, every label of the bundled model and of every model registered in
the store (sub-labels included, e.g. ``disaster.info.call_for_help``), and every label some stored
post is flagged on (a model adapted with new labels).
"""

from __future__ import annotations

from functools import cache

import orjson

from damai.errors import InputError
from damai.storage import PostQuery, Store
from damai.understand.bundled import DEFAULT_MODEL_DIR
from damai.understand.taxonomy import load_taxonomy

__all__ = ["check_label", "flagged_counts", "known_labels"]


@cache
def _bundled_labels() -> tuple[str, ...]:
    meta = DEFAULT_MODEL_DIR / "model.json"
    if not meta.is_file():
        return ()
    return tuple(orjson.loads(meta.read_bytes()).get("labels", []))


def known_labels(store: Store) -> list[str]:
    """Every label name a filter may use, sorted."""
    names = set(load_taxonomy().to_dict()["labels"]) | set(_bundled_labels())
    for record in store.models.all():
        names.update(record.labels)
    names.update(store.labels.names())
    return sorted(names)


def check_label(store: Store, name: str | None) -> None:
    """Raise :class:`InputError` naming the known labels when ``name`` is not one of them."""
    if name is None:
        return
    known = known_labels(store)
    if name not in known:
        raise InputError(f"label tidak dikenal / unknown label {name!r}. Label yang dikenal / "
                         f"known labels: {', '.join(known)}")


def flagged_counts(store: Store) -> dict[str, int]:
    """Flagged posts per label (sub-labels included), for ``damai stats`` and ``/stats``."""
    return {name: store.posts.count(PostQuery(label=name, limit=None))
            for name in store.labels.names()}
