"""``damai evaluate-recommend``: hit@1, hit@k and MRR of a ranking against the themes a reviewer
accepts for each post, each beside the figure a random ranking of the same library expects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import comb
from pathlib import Path
from typing import Any

import orjson

from damai.errors import InputError
from damai.respond.entries import THEMES, LibraryEntry
from damai.respond.recommend import Result

__all__ = ["LabelledPost", "RecommendScores", "random_expectation", "read_labelled",
           "score_rankings"]


@dataclass(frozen=True, slots=True)
class LabelledPost:
    text: str
    themes: frozenset[str]


@dataclass(frozen=True, slots=True)
class RecommendScores:
    posts: int
    k: int
    hit_at_1: float
    hit_at_k: float
    mrr: float
    random_hit_at_1: float
    random_hit_at_k: float
    random_mrr: float
    no_recommendation: int

    def to_dict(self) -> dict[str, Any]:
        return {"posts": self.posts, "k": self.k,
                "hit@1": round(self.hit_at_1, 4), f"hit@{self.k}": round(self.hit_at_k, 4),
                "mrr": round(self.mrr, 4),
                "random": {"hit@1": round(self.random_hit_at_1, 4),
                           f"hit@{self.k}": round(self.random_hit_at_k, 4),
                           "mrr": round(self.random_mrr, 4)},
                "no_recommendation": self.no_recommendation}


def random_expectation(relevant: int, total: int, k: int) -> tuple[float, float, float]:
    """(hit@1, hit@k, MRR) a uniformly random ordering of ``total`` entries expects when
    ``relevant`` of them carry an accepted theme."""
    if total == 0 or relevant == 0:
        return 0.0, 0.0, 0.0
    hit_k = 1 - comb(total - relevant, min(k, total)) / comb(total, min(k, total))
    mrr, none_yet = 0.0, 1.0
    for rank in range(1, total - relevant + 2):
        first_here = none_yet * relevant / (total - rank + 1)
        mrr += first_here / rank
        none_yet *= (total - relevant - rank + 1) / (total - rank + 1)
    return relevant / total, hit_k, mrr


def score_rankings(posts: Sequence[LabelledPost], results: Sequence[Result],
                   library: Sequence[LibraryEntry], k: int) -> RecommendScores:
    """Score the rankings; the MRR reads the whole ranking a result holds (ask for enough)."""
    approved = [e for e in library if e.status == "approved"]
    hit1 = hitk = rr = r1 = rk = rmrr = 0.0
    empty = 0
    for post, result in zip(posts, results, strict=True):
        unknown = post.themes - set(THEMES)
        if unknown:
            raise ValueError(f"unknown theme(s) {sorted(unknown)}")
        ranks = [i for i, rec in enumerate(result.recommendations, start=1)
                 if post.themes & set(rec.themes)]
        empty += not result.recommendations
        first = ranks[0] if ranks else None
        hit1 += first == 1
        hitk += first is not None and first <= k
        rr += 1 / first if first else 0.0
        relevant = sum(1 for e in approved if post.themes & set(e.themes))
        a, b, c = random_expectation(relevant, len(approved), k)
        r1, rk, rmrr = r1 + a, rk + b, rmrr + c
    n = max(len(posts), 1)
    return RecommendScores(len(posts), k, hit1 / n, hitk / n, rr / n, r1 / n, rk / n, rmrr / n,
                           empty)


def _labelled(line: bytes, where: str) -> LabelledPost:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{where}: bukan JSON / malformed JSON ({exc})") from None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise InputError(f"{where}: perlu field 'text' berupa teks / needs a string 'text'")
    themes = record.get("themes")
    if (not isinstance(themes, list) or not 1 <= len(themes) <= 2
            or not all(isinstance(t, str) and t in THEMES for t in themes)):
        raise InputError(f"{where}: 'themes' harus berisi 1–2 tema dari {', '.join(THEMES)} / "
                         "'themes' must list one or two known themes")
    return LabelledPost(record["text"], frozenset(themes))


def read_labelled(path: Path) -> list[LabelledPost]:
    """The posts of an evaluation file; a bad line stops the evaluation, naming file and line
    (a score over the lines that happened to parse would not be the score of the file)."""
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise InputError(f"{path}: tidak bisa dibaca / cannot read ({exc.strerror})") from None
    posts = [_labelled(line, f"{path.name}:{number}")
             for number, line in enumerate(lines, start=1) if line.strip()]
    if not posts:
        raise InputError(f"{path.name}: tidak ada post / no posts")
    return posts
