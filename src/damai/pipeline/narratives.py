"""Narratives (issue #14 part 2): posts that say the same thing, grouped as they arrive.

A stored post joins a narrative by the first of these rules that holds (docs/narratives.md):

1. ``repost``: it reposts a post that is already in a narrative (``repost_of_id``), or one of
   the same batch: it joins the original's narrative, whatever its text.
2. ``copy``: its text is a near-duplicate of one of a narrative's representatives. Texts are
   compared after :func:`copy_text` (lower case; links, hashtags, mentions, punctuation and a
   leading ``RT`` taken out), as the set of character 4-grams inside each word (so shuffled words
   change nothing and a typo changes a few grams). MinHash (``datasketch``, :data:`PERMUTATIONS`
   permutations) estimates the Jaccard similarity; an LSH index (threshold
   :data:`LSH_THRESHOLD`) finds the candidates, and a candidate counts at an estimated Jaccard
   of at least ``DAMAI_NARRATIVES_THRESHOLD`` (0.5). The best candidate wins.
3. ``paraphrase`` (only with an embedder, and only for a flagged post that matched no copy): its
   sentence embedding's cosine with a flagged narrative's first flagged post is at least
   ``DAMAI_NARRATIVES_PARAPHRASE`` (0.9), and the two share a flagged label.
4. ``first``: otherwise it starts a narrative of its own.

Each narrative keeps up to :data:`REPRESENTATIVES` signatures: its first post's, and those of
copies that differ from every kept one (estimated Jaccard below :data:`DISTINCT`). They are stored
(``narrative_signatures``), so the LSH index is rebuilt after a restart; a process keeps its
index and loads only the signatures stored since (:func:`index_for`).

:meth:`NarrativeGrouper.assign` is pure (a batch in, decisions out); the store records them
with :meth:`damai.storage.narratives.NarrativeRepository.record`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt
from datasketch import MinHash, MinHashLSH
from sklearn.utils import murmurhash3_32

from damai import settings
from damai.pipeline.crediting import normalise
from damai.records import Post, PostKey
from damai.respond.embed import E5Embedder, Embedder
from damai.storage import Store, StoredPost
from damai.storage.engine import Database
from damai.storage.narratives import Membership, NewNarrative

__all__ = ["DISTINCT", "LSH_THRESHOLD", "PERMUTATIONS", "REPRESENTATIVES", "CopyIndex",
           "NarrativeGrouper", "Signer", "build", "copy_text", "group_stored", "index_for",
           "ingest_embedder"]

PERMUTATIONS: Final = 128
#: the LSH index's own threshold: a little under the Jaccard bar, so that the estimate's noise
#: loses few true copies (candidates are checked against the bar itself)
LSH_THRESHOLD: Final = 0.4
#: representatives a narrative keeps (its first post and the most different copies)
REPRESENTATIVES: Final = 4
#: a copy closer than this to a kept representative adds nothing to the index
DISTINCT: Final = 0.8
_SEED: Final = 14
_GRAM: Final = 4
_TOKEN_CACHE: Final = 200_000
#: harmful labels: a paraphrase joins only narratives that share one
_HARMFUL: Final = frozenset({"hate_speech", "abusive", "radicalism", "sara", "hoax"})

Signature = npt.NDArray[np.uint32]


def copy_text(text: str) -> str:
    """The text as copies are compared: :func:`damai.pipeline.crediting.normalise` (lower case,
    no links, hashtags, mentions or punctuation) without a leading retweet marker ``rt``."""
    words = normalise(text).split()
    return " ".join(words[1:] if words[:1] == ["rt"] else words)


class Signer:
    """Texts → MinHash signatures (character 4-grams inside words, each word's grams hashed once
    and cached: posts repeat their words)."""

    def __init__(self) -> None:
        self._template = MinHash(num_perm=PERMUTATIONS, seed=_SEED)
        self._cache: dict[str, list[int]] = {}

    def _grams(self, word: str) -> list[int]:
        found = self._cache.get(word)
        if found is None:
            if len(self._cache) > _TOKEN_CACHE:
                self._cache.clear()
            padded = f" {word} "
            found = [murmurhash3_32(padded[i:i + _GRAM], seed=_SEED, positive=True)
                     for i in range(max(1, len(padded) - _GRAM + 1))]
            self._cache[word] = found
        return found

    def grams(self, text: str) -> set[int]:
        return {g for word in copy_text(text).split() for g in self._grams(word)}

    def sign(self, text: str) -> Signature | None:
        """The signature of ``text``, or ``None`` when nothing is left to compare."""
        grams = self.grams(text)
        if not grams:
            return None
        sketch = self._minhash()
        sketch.update_batch(list(grams))
        return np.asarray(sketch.hashvalues, dtype=np.uint32)

    def _minhash(self) -> MinHash:
        return MinHash(num_perm=PERMUTATIONS, seed=_SEED, hashfunc=_identity,
                       permutations=self._template.permutations, scheme="affine32")

    @staticmethod
    def sketch(values: Signature) -> _Sketch:
        """What the LSH index reads of a MinHash, over stored values (a full ``MinHash`` costs
        more to make than the index costs to query)."""
        return _Sketch(values)


class _Sketch:
    """The part of ``datasketch.MinHash`` that ``MinHashLSH`` reads: values, length, scheme."""

    __slots__ = ("hashvalues",)
    scheme = "affine32"

    def __init__(self, values: Signature) -> None:
        self.hashvalues = values

    def __len__(self) -> int:
        return len(self.hashvalues)


def _identity(value: int) -> int:
    return value


def similarity(a: Signature, b: Signature) -> float:
    """The estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


class CopyIndex:
    """The LSH index over narratives' representatives, and what it has loaded from a store."""

    def __init__(self, threshold: float | None = None) -> None:
        self.threshold = (settings.get_float("narratives_threshold") if threshold is None
                          else threshold)
        self.signer = Signer()
        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=PERMUTATIONS)
        self.signatures: dict[int, tuple[int, Signature]] = {}
        self.kept: dict[int, list[Signature]] = {}
        #: each narrative's representatives' keys
        self.keys: dict[int, list[int]] = {}
        self.loaded_up_to = 0
        self.lock = threading.Lock()

    def add(self, key: int, narrative: int, signature: Signature) -> None:
        self.lsh.insert(key, self.signer.sketch(signature), check_duplication=False)
        self.signatures[key] = (narrative, signature)
        self.kept.setdefault(narrative, []).append(signature)
        self.keys.setdefault(narrative, []).append(key)

    def best(self, signature: Signature) -> tuple[int, float] | None:
        """The narrative of the closest representative at or above the threshold, and its
        estimated similarity."""
        found: tuple[int, float] | None = None
        for key in self.lsh.query(self.signer.sketch(signature)):
            narrative, other = self.signatures[key]
            score = similarity(signature, other)
            if score >= self.threshold and (found is None or score > found[1]):
                found = (narrative, score)
        return found

    def worth_keeping(self, narrative: int, signature: Signature) -> bool:
        kept = self.kept.get(narrative, [])
        return len(kept) < REPRESENTATIVES and all(similarity(signature, k) < DISTINCT
                                                   for k in kept)

    def rename(self, placeholder: int, narrative: int) -> None:
        """A new narrative got its stored id: its representatives follow."""
        for key in self.keys.pop(placeholder, []):
            self.signatures[key] = (narrative, self.signatures[key][1])
            self.keys.setdefault(narrative, []).append(key)
        if placeholder in self.kept:
            self.kept[narrative] = self.kept.pop(placeholder)

    def load(self, store: Store) -> int:
        """Add the representatives stored since the last load; how many."""
        added = 0
        while True:
            rows = store.narratives.signatures_after(self.loaded_up_to)
            for post_id, narrative, raw in rows:
                if post_id not in self.signatures:
                    self.add(post_id, narrative, np.frombuffer(raw, dtype=np.uint32).copy())
                    added += 1
                self.loaded_up_to = max(self.loaded_up_to, post_id)
            if not rows:
                return added


_INDEXES: weakref.WeakKeyDictionary[Database, CopyIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(store: Store) -> CopyIndex:
    """The process's index for ``store``, brought up to date with what is stored."""
    with _INDEXES_LOCK:
        index = _INDEXES.get(store.db)
        if index is None:
            index = _INDEXES[store.db] = CopyIndex()
    with index.lock:
        index.load(store)
    return index


@dataclass(slots=True)
class Decisions:
    """What one batch decided: narratives to start and memberships to record."""

    new: list[NewNarrative] = field(default_factory=list)
    members: list[Membership] = field(default_factory=list)


@dataclass(slots=True)
class _Paraphrases:
    """Flagged narratives' embeddings, for the paraphrase rule."""

    embedder: Embedder
    threshold: float
    ids: list[int] = field(default_factory=list)
    labels: list[frozenset[str]] = field(default_factory=list)
    rows: list[npt.NDArray[np.float32]] = field(default_factory=list)

    def best(self, vector: npt.NDArray[np.float32], flags: frozenset[str]
             ) -> tuple[int, float] | None:
        if not self.rows:
            return None
        scores = np.stack(self.rows) @ vector
        for i in np.argsort(-scores):
            if scores[i] < self.threshold:
                return None
            if self.labels[i] & flags:
                return self.ids[int(i)], float(scores[i])
        return None


class NarrativeGrouper:
    """Assigns batches of stored posts to narratives (see the module doc). ``known`` maps posts
    stored earlier to their narratives (for reposts); ``embedder`` turns the paraphrase rule on."""

    def __init__(self, index: CopyIndex, *, embedder: Embedder | None = None,
                 paraphrase_threshold: float | None = None) -> None:
        self.index = index
        self.paraphrases = None if embedder is None else _Paraphrases(
            embedder, settings.get_float("narratives_paraphrase")
            if paraphrase_threshold is None else paraphrase_threshold)
        self._next = -1

    def seed_paraphrases(self, rows: Sequence[tuple[int, bytes]], labels: dict[int, set[str]]
                         ) -> None:
        """Known flagged narratives' embeddings (``store.narratives.embeddings()``)."""
        if self.paraphrases is not None:
            for narrative, raw in rows:
                self._remember(narrative, np.frombuffer(raw, dtype=np.float32),
                               frozenset(labels.get(narrative, ())))

    def _remember(self, narrative: int, vector: npt.NDArray[np.float32],
                  flags: frozenset[str]) -> None:
        assert self.paraphrases is not None
        self.paraphrases.ids.append(narrative)
        self.paraphrases.labels.append(flags)
        self.paraphrases.rows.append(vector)

    def assign(self, batch: Sequence[StoredPost], known: dict[PostKey, int]) -> Decisions:
        """Decide each post's narrative (pure but for the index, which learns the batch's new
        representatives; :meth:`settle` gives new narratives their stored ids)."""
        out = Decisions()
        seen = dict(known)
        vectors = self._embed_flagged(batch)
        for stored in sorted(batch, key=lambda s: (s.post.repost_of_id is not None, s.id)):
            post = stored.post
            member = replace(self._one(stored, seen, vectors.get(stored.id), out),
                             platform=post.platform, author_key=post.author_key,
                             repost=post.repost_of_id is not None)
            seen[post.key] = member.narrative
            out.members.append(member)
        return out

    def _one(self, stored: StoredPost, seen: dict[PostKey, int],
             vector: npt.NDArray[np.float32] | None, out: Decisions) -> Membership:
        post, when = stored.post, stored.post.created_at
        if post.repost_of_id is not None:
            original = seen.get((post.platform, post.repost_of_id))
            if original is not None:
                return Membership(stored.id, original, "repost", when)
        signature = self.index.signer.sign(post.text)
        match = self.index.best(signature) if signature is not None else None
        if match is not None and signature is not None:
            keep = signature if self.index.worth_keeping(match[0], signature) else None
            if keep is not None:
                self.index.add(stored.id, match[0], keep)
            return Membership(stored.id, match[0], "copy", when, round(match[1], 4),
                              _bytes(keep))
        flags = frozenset(post.flags) & _HARMFUL
        if vector is not None and self.paraphrases is not None:
            close = self.paraphrases.best(vector, flags)
            if close is not None:
                return Membership(stored.id, close[0], "paraphrase", when, round(close[1], 4),
                                  self._keep(stored.id, close[0], signature))
        placeholder, self._next = self._next, self._next - 1
        embedding = None
        if vector is not None and flags:
            embedding = vector.astype(np.float32).tobytes()
            self._remember(placeholder, vector, flags)
        out.new.append(NewNarrative(placeholder, post.text, embedding))
        return Membership(stored.id, placeholder, "first", when, None,
                          self._keep(stored.id, placeholder, signature))

    def _keep(self, post_id: int, narrative: int, signature: Signature | None) -> bytes | None:
        if signature is None or not self.index.worth_keeping(narrative, signature):
            return None
        self.index.add(post_id, narrative, signature)
        return _bytes(signature)

    def _embed_flagged(self, batch: Sequence[StoredPost]) -> dict[int, npt.NDArray[np.float32]]:
        if self.paraphrases is None:
            return {}
        chosen = [s for s in batch if s.post.repost_of_id is None
                  and set(s.post.flags) & _HARMFUL]
        if not chosen:
            return {}
        rows = self.paraphrases.embedder.query([s.post.text for s in chosen])
        return {s.id: row for s, row in zip(chosen, rows, strict=True)}

    def settle(self, ids: dict[int, int]) -> None:
        """New narratives were stored: their placeholders become ids in the indexes."""
        for placeholder, narrative in ids.items():
            self.index.rename(placeholder, narrative)
        if self.paraphrases is not None:
            self.paraphrases.ids = [ids.get(i, i) for i in self.paraphrases.ids]


def _bytes(signature: Signature | None) -> bytes | None:
    return None if signature is None else signature.astype(np.uint32).tobytes()


def group_stored(store: Store, batch: Sequence[StoredPost], *,
                 embedder: Embedder | None = None) -> Decisions:
    """Group a batch of stored posts into the store's narratives and record it."""
    if not batch:
        return Decisions()
    index = index_for(store)
    with index.lock:
        grouper = NarrativeGrouper(index, embedder=embedder)
        if embedder is not None:
            grouper.seed_paraphrases(store.narratives.embeddings(),
                                     store.narratives.flagged_labels())
        originals = [(s.post.platform, s.post.repost_of_id) for s in batch
                     if s.post.repost_of_id is not None]
        decisions = grouper.assign(batch, store.narratives.of_posts(originals))
        ids = store.narratives.record(decisions.new, decisions.members, datetime.now(UTC))
        grouper.settle(ids)
    return decisions


@cache
def _e5_one_thread() -> Embedder:
    return E5Embedder(threads=1)


def ingest_embedder() -> Embedder | None:
    """The embedder of the paraphrase rule at ingest: E5 on one thread (as claim matching), or
    ``None`` when ``DAMAI_NARRATIVES_PARAPHRASE`` is 0."""
    return _e5_one_thread() if settings.get_float("narratives_paraphrase") > 0 else None


def group_posts(store: Store, posts: Sequence[Post], *,
                embedder: Embedder | None = None) -> Decisions:
    """The ingest hook: group the posts of a batch just written (looked up by key)."""
    unique = {p.key: p for p in posts}
    ids = store.narratives.ids_of(list(unique))
    batch = [StoredPost(ids[k], p) for k, p in unique.items() if k in ids]
    return group_stored(store, batch, embedder=embedder)


def build(store: Store, *, batch: int = 2000, embedder: Embedder | None = None
          ) -> Iterator[int]:
    """Group every stored post not in a narrative yet, oldest id first; yields the posts
    grouped after each batch (``damai narratives build``)."""
    after = 0
    while True:
        page = store.narratives.ungrouped(after, batch)
        if not page:
            return
        group_stored(store, page, embedder=embedder)
        after = page[-1].id
        yield len(page)
