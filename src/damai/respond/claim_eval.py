"""``damai evaluate-claims``: how well the matcher finds the claim a post repeats (issue #11).

The data is JSONL, one ``{"text", "claim_id": ID or null}`` a line. Every claim of the library is
a candidate for every post. Two figures:

- ``top1_accuracy``: of the posts that repeat a claim, the share matched to that very claim
  (a post left unmatched, or matched to another claim, is a miss);
- ``false_match_rate``: of the posts that repeat none, the share matched to any claim.

``ranked_top1`` is the share whose best candidate is right whatever its score (the ceiling a
better threshold could reach), and ``embedded`` how many posts passed the lexical filter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from damai.errors import InputError
from damai.respond.matching import ClaimMatcher

__all__ = ["LabelledPost", "evaluate_matcher", "read_labelled"]


@dataclass(frozen=True, slots=True)
class LabelledPost:
    text: str
    claim_id: str | None


def read_labelled(path: Path) -> list[LabelledPost]:
    """Read ``{"text", "claim_id"}`` lines; an :class:`InputError` names the first bad line."""
    posts: list[LabelledPost] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise InputError(f"{path}:{number}: JSON rusak / malformed JSON") from None
        if not isinstance(row, Mapping) or not isinstance(row.get("text"), str) \
                or not isinstance(row.get("claim_id"), str | None):
            raise InputError(f"{path}:{number}: butuh / needs {{\"text\": str, "
                             "\"claim_id\": str or null}")
        posts.append(LabelledPost(row["text"], row.get("claim_id")))
    return posts


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def evaluate_matcher(matcher: ClaimMatcher, posts: Sequence[LabelledPost],
                     batch_size: int = 256) -> dict[str, Any]:
    known = {c.claim_id for c in matcher.claims}
    unknown = sorted({p.claim_id for p in posts if p.claim_id and p.claim_id not in known})
    if unknown:
        raise InputError(f"claim_id tidak ada di klaim / not among the claims: "
                         f"{', '.join(unknown[:5])}")
    repeat = correct = ranked = negatives = false_matches = 0
    misses: list[dict[str, Any]] = []
    for start in range(0, len(posts), batch_size):
        chunk = posts[start:start + batch_size]
        texts = [p.text for p in chunk]
        matches = matcher.predict(texts)
        best = matcher.predict(texts, threshold=float("-inf"))  # embeddings are cached
        for post, match, top_match in zip(chunk, matches, best, strict=True):
            got = match.claim.claim_id if match.claim else None
            top = top_match.claim.claim_id if top_match.claim else None
            if post.claim_id is None:
                negatives += 1
                false_matches += got is not None
            else:
                repeat += 1
                correct += got == post.claim_id
                ranked += top == post.claim_id
            if got != post.claim_id and len(misses) < 50:
                misses.append({"text": post.text, "expected": post.claim_id, "got": got,
                               "score": round(match.score, 4)})
    return {"posts": len(posts), "repeating": repeat, "not_repeating": negatives,
            "top1_accuracy": _rate(correct, repeat), "ranked_top1": _rate(ranked, repeat),
            "false_match_rate": _rate(false_matches, negatives),
            "threshold": matcher.threshold, "min_lexical": matcher.min_lexical,
            "k": matcher.k, "claims": len(matcher.claims), "embedded": matcher.embedded,
            "errors": misses}

