"""One :class:`Recommender` per library and signal set for the life of a process: the CLI, the
API and the dashboard ask here, so the embedding model loads once and each library is indexed
and embedded once (its embeddings also persist under ``DATA_DIR/cache/embeddings``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from damai.respond.embed import cache_dir, e5
from damai.respond.entries import STARTER, LibraryEntry, read_entries
from damai.respond.recommend import Recommender, Signals, Weights
from damai.understand.bundled import load_model
from damai.understand.taxonomy import load_taxonomy

__all__ = ["known_labels", "recommender_for", "recommender_over"]

_BUILT: dict[tuple[str, int, int, Signals, str | None], Recommender] = {}
_LOCK = threading.Lock()
#: libraries from a store, by their entries' ids and versions (a few: an edit makes a new key)
_OVER: OrderedDict[tuple[tuple[str, int, str], ...], Recommender] = OrderedDict()
_OVER_KEEP = 4


def known_labels(model_dir: Path | None = None) -> set[str]:
    """Every label and sub-label an entry may answer: the model's and the taxonomy's."""
    return set(load_model(model_dir).labels) | set(load_taxonomy().kinds)


def recommender_for(library: Path | None = None, signals: Signals | None = None,
                    model_dir: Path | None = None) -> Recommender:
    """The recommender over ``library`` (default: the bundled starter library), built on first
    use and rebuilt when the file changes. Raises ``ImportRefused`` for a bad library file."""
    signals = signals or Signals()
    path = (library or STARTER).resolve()
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, signals,
           str(model_dir) if model_dir else None)
    with _LOCK:
        found = _BUILT.get(key)
        if found is None:
            entries = read_entries(path, known_labels(model_dir))
            found = Recommender(entries, classifier=load_model(model_dir) if signals.labels
                                else None, embedder=e5() if signals.embeddings else None,
                                signals=signals, weights=Weights(), cache_dir=cache_dir())
            _BUILT[key] = found
        return found


def recommender_over(entries: Sequence[LibraryEntry]) -> Recommender:
    """The recommender over a store's library as it stands, with every signal (no classifier:
    callers pass the labels they know, or :meth:`Recommender.using` the model in service).
    Built once per set of entry versions; the entries' embeddings also persist on disk."""
    key = tuple((e.id, e.version, e.status) for e in entries)
    with _LOCK:
        found = _OVER.get(key)
        if found is None:
            found = Recommender(entries, classifier=None, embedder=e5(), signals=Signals(),
                                weights=Weights(), cache_dir=cache_dir())
            _OVER[key] = found
            while len(_OVER) > _OVER_KEEP:
                _OVER.popitem(last=False)
        _OVER.move_to_end(key)
        return found
