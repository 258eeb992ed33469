"""The crediting stage: posts that reuse an ambassador's content kit are credited to it (issue #12
part 5).

A post matches a kit in one of three ways, tried in this order:

1. ``tag``: its text carries the kit's personal tracking tag (``#DD`` and the code, any case);
2. ``link``: it links to the kit's tracking link (a URL whose query has ``dd=<code>``);
3. ``text``: it was posted from one of the ambassador's registered handles, and its text is a
   near-duplicate of one of the kit's messages: MinHash (``datasketch``, 128 permutations) of
   character 5-grams, after links, hashtags and mentions are taken out, with an estimated Jaccard
   similarity of at least :data:`TEXT_THRESHOLD`. Messages are the same for many ambassadors, so
   text alone never credits a post from someone else's account.

A tag or a link is personal, so it credits the kit whoever posts it: a copy of a tagged post still
spread from that ambassador's kit. Reposts are skipped (their engagement belongs to the original).
A kit whose page link expired still earns credits (posts come after the page is read); a revoked
kit, or one of an ambassador who withdrew, earns none.

A post already stored is matched again when it comes back (a duplicate), and a credit already
recorded is skipped, so a crash between storing a batch and recording its credits is mended by
ingesting the same records again.

:class:`CreditStage` follows the stage pattern: :meth:`~CreditStage.predict` is pure and runs
before pseudonymisation (it needs the author's handle, which is not stored); the chain records
its matches with :meth:`damai.storage.ambassadors.AmbassadorRepository.credit` once the batch is
stored, because a credit names a stored post. The chain builds the stage only when the store holds
an unrevoked kit (:meth:`CreditStage.for_store`), so ingest without kits does no extra work.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from datasketch import MinHash, MinHashLSH

from damai.records import Post
from damai.storage import Store
from damai.storage.ambassadors import CreditRow, Kit

__all__ = ["TEXT_THRESHOLD", "CreditStage", "normalise", "shingles"]

#: the lowest estimated Jaccard similarity (character 5-grams) that credits a post by its text
TEXT_THRESHOLD: Final = 0.6
_PERMUTATIONS: Final = 128
_SHINGLE: Final = 5
_TAG: Final = re.compile(r"#dd([a-z0-9]{6})(?![a-z0-9])", re.IGNORECASE)
_LINK_CODE: Final = re.compile(r"[?&]dd=([a-z0-9]{6})(?![a-z0-9])", re.IGNORECASE)
_NOISE: Final = re.compile(r"https?://\S+|[#@][\w.-]+|[^\w\s]", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case, without links, hashtags, mentions and punctuation, spaces collapsed."""
    return " ".join(_NOISE.sub(" ", text.casefold()).split())


def shingles(text: str) -> set[bytes]:
    """Character 5-grams of the normalised text (the whole text when it is shorter)."""
    clean = normalise(text)
    if len(clean) <= _SHINGLE:
        return {clean.encode()} if clean else set()
    return {clean[i:i + _SHINGLE].encode() for i in range(len(clean) - _SHINGLE + 1)}


def _minhash(text: str) -> MinHash | None:
    grams = shingles(text)
    if not grams:
        return None
    sketch = MinHash(num_perm=_PERMUTATIONS, seed=12)
    sketch.update_batch(list(grams))
    return sketch


@dataclass(frozen=True, slots=True)
class _Message:
    kit: Kit
    sketch: MinHash


class CreditStage:
    """Pipeline stage: finds the posts of a batch that reuse a kit (see the module doc)."""

    writes = ()  # no field of the post: credits are rows of their own

    def __init__(self, kits: Sequence[Kit], owners: Mapping[tuple[str, str], int]) -> None:
        self.by_code = {k.code.upper(): k for k in kits}
        self.owners = dict(owners)
        self.index = MinHashLSH(threshold=TEXT_THRESHOLD, num_perm=_PERMUTATIONS)
        self.messages: dict[str, _Message] = {}
        for kit in kits:
            for n, message in enumerate(kit.content.get("messages", [])):
                sketch = _minhash(str(message.get("text", "")))
                if sketch is not None:
                    key = f"{kit.id}:{n}"
                    self.messages[key] = _Message(kit, sketch)
                    self.index.insert(key, sketch)

    @classmethod
    def for_store(cls, store: Store) -> CreditStage | None:
        """The stage over the store's unrevoked kits, or ``None`` when there are none."""
        if not store.ambassadors.has_kits():
            return None
        kits = store.ambassadors.kits(include_revoked=False)
        return cls(kits, store.ambassadors.handle_owners()) if kits else None

    def predict(self, posts: Sequence[Post]) -> list[CreditRow]:
        """The credits a batch earns; no side effects. Run it before pseudonymisation."""
        found: list[CreditRow] = []
        for post in posts:
            if post.repost_of_id is None:
                match = self._match(post)
                if match is not None:
                    found.append(match)
        return found

    def _match(self, post: Post) -> CreditRow | None:
        for method, pattern, where in (("tag", _TAG, post.text),
                                       ("link", _LINK_CODE, " ".join([post.text, *post.links]))):
            for code in pattern.findall(where):
                kit = self.by_code.get(code.upper())
                if kit is not None:
                    return CreditRow(post.platform, post.platform_id, kit.id,
                                     kit.ambassador_id, method)
        return self._by_text(post)

    def _by_text(self, post: Post) -> CreditRow | None:
        handle = (post.author_handle or "").strip().lstrip("@").lower()
        owner = self.owners.get((post.platform, handle)) if handle else None
        if owner is None:
            return None
        sketch = _minhash(post.text)
        if sketch is None:
            return None
        best: tuple[float, Kit] | None = None
        for key in self.index.query(sketch):
            message = self.messages[key]
            if message.kit.ambassador_id != owner:
                continue
            score = sketch.jaccard(message.sketch)
            if score >= TEXT_THRESHOLD and (best is None or score > best[0]):
                best = (score, message.kit)
        if best is None:
            return None
        return CreditRow(post.platform, post.platform_id, best[1].id, owner, "text",
                         round(best[0], 4))
