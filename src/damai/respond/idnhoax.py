"""An evaluation built at run time from IDNHoaxCorpus (``shared/data/idnhoax``), never stored.

Each distinct ``keyword`` of the corpus is the claim its tweets were found by: it becomes a
claim (``IDN-`` + a hash of the keyword), and its tweets are posts that repeat it. A fifth of the
keywords, chosen by a hash of the keyword, are held out: they are not in the claims, and their
tweets are posts that repeat no known claim (``claim_id`` null), which measures false matches on
real look-alikes. Rows without a keyword are left out.

The tweets were collected by searching each keyword, so shared words flatter a matcher; the
self-written ``seeds/claims`` sets are the harder test.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from damai.respond.claim_eval import LabelledPost
from damai.respond.claims import Claim

__all__ = ["CORPUS_FILE", "build_evaluation"]

CORPUS_FILE = Path("idnhoax") / "datasetUMPOHoax.csv"
_SOURCE = "https://github.com/9uz/IDNHoaxCorpus"


def _hash(text: str) -> str:
    return hashlib.sha256(text.strip().lower().encode()).hexdigest()


def build_evaluation(shared: Path, *, holdout: float = 0.2, max_claims: int | None = None
                     ) -> tuple[list[Claim], list[LabelledPost]]:
    """Claims and labelled posts from ``shared/idnhoax``; a :class:`FileNotFoundError` when the
    corpus is absent. ``max_claims`` keeps that many keywords, drawn by another part of their
    hash than the hold-out's (a quicker run with the same share held out)."""
    path = shared / CORPUS_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if (r.get("keyword") or "").strip()]
    tweets: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, str] = {}
    for row in rows:
        key = _hash(row["keyword"])
        names.setdefault(key, " ".join(row["keyword"].split()))
        tweets[key].append(row["tweet"])
        labels[key][row.get("label") or "?"] += 1
    keys = sorted(names, key=lambda k: k[-8:])[:max_claims] if max_claims else sorted(names)
    cut = int(holdout * 0xFFFF)
    claims: list[Claim] = []
    posts: list[LabelledPost] = []
    for key in keys:
        held_out = int(key[:4], 16) < cut
        claim_id = f"IDN-{key[:10]}"
        if not held_out:
            verdict = "false" if labels[key].most_common(1)[0][0] == "hoax" else "unproven"
            claims.append(Claim(claim_id, names[key], verdict, "(IDNHoaxCorpus)", _SOURCE,
                                date(2020, 1, 1)))
        posts.extend(LabelledPost(t, None if held_out else claim_id) for t in tweets[key])
    return claims, posts
